-- 008: burial transfers. A deceased record is held by its funeral agency
-- until a cemetery accepts it: the agency (or the cemetery holding the
-- record) starts a hand-over to a cemetery, naming a plot or not, and that
-- cemetery's staff accept it, choosing the plot, or decline it. cemetery_id
-- is the cemetery that holds the record now (NULL: none yet); only its staff
-- may link the record to a plot. Rules in transfer.c and plot.c.
ALTER TABLE deceased ADD COLUMN cemetery_id INTEGER REFERENCES cemeteries(id);
UPDATE deceased SET cemetery_id = (SELECT p.cemetery_id FROM plots p
	WHERE p.id = deceased.plot_id) WHERE plot_id IS NOT NULL;
CREATE INDEX deceased_cemetery ON deceased(cemetery_id, id);

CREATE TABLE burial_transfers (
	id              INTEGER PRIMARY KEY,
	deceased_id     INTEGER NOT NULL REFERENCES deceased(id)
	                    ON DELETE CASCADE,
	from_kind       TEXT NOT NULL CHECK (from_kind IN ('agency',
	                    'cemetery')),
	from_id         INTEGER NOT NULL,
	to_cemetery_id  INTEGER NOT NULL REFERENCES cemeteries(id),
	plot_id         INTEGER REFERENCES plots(id),
	state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
	                    ('pending', 'accepted', 'declined', 'cancelled')),
	note            TEXT NOT NULL DEFAULT '',
	reason          TEXT NOT NULL DEFAULT '',
	created_by      INTEGER REFERENCES users(id),
	created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ',
	                    'now')),
	decided_by      INTEGER REFERENCES users(id),
	decided_at      TEXT
) STRICT;
-- One hand-over of a record at a time.
CREATE UNIQUE INDEX burial_transfers_pending ON burial_transfers(deceased_id)
	WHERE state = 'pending';
CREATE INDEX burial_transfers_d ON burial_transfers(deceased_id, id);
CREATE INDEX burial_transfers_to ON burial_transfers(to_cemetery_id, state,
	id);
CREATE INDEX burial_transfers_from ON burial_transfers(from_kind, from_id,
	state, id);
