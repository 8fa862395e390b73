-- 012: plot allocation proposals. When a burial hand-over arrives, the
-- cemetery console ranks its free plots by rules whose weights each
-- cemetery may change (alloc.c): a relative already buried there (the
-- hand-over names them and the relation), the kind the family asked for,
-- subsidised eco-burial kinds, section fill order, access for elderly
-- visitors (a plot's accessible flag, or its distance from the gate).
-- Nothing is allocated by the ranking: staff accept one plot.
ALTER TABLE plots ADD COLUMN accessible INTEGER NOT NULL DEFAULT 0
	CHECK (accessible IN (0, 1));
ALTER TABLE burial_transfers ADD COLUMN want_kind TEXT;
ALTER TABLE burial_transfers ADD COLUMN relative_name TEXT NOT NULL
	DEFAULT '';
ALTER TABLE burial_transfers ADD COLUMN relation TEXT;

-- A missing row is the rule's default weight (alloc_defaults()).
CREATE TABLE alloc_weights (
	cemetery_id  INTEGER NOT NULL REFERENCES cemeteries(id)
	                 ON DELETE CASCADE,
	rule         TEXT NOT NULL CHECK (rule IN ('family', 'kind', 'eco',
	                 'fill', 'access')),
	weight       INTEGER NOT NULL CHECK (weight BETWEEN 0 AND 1000),
	PRIMARY KEY (cemetery_id, rule)
) STRICT;

-- Per cemetery: the plot kinds it subsidises (a bit per kind, in the order
-- of enum plot_kind) and where its gate is (NULL: unknown).
CREATE TABLE alloc_sites (
	cemetery_id  INTEGER PRIMARY KEY REFERENCES cemeteries(id)
	                 ON DELETE CASCADE,
	subsidised   INTEGER NOT NULL DEFAULT 0,
	gate_lat     REAL,
	gate_lng     REAL
) STRICT;

-- The relatives the proposals look for: records a cemetery holds, by name.
CREATE INDEX deceased_cemetery_name ON deceased(cemetery_id, name);
