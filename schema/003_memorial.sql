-- 003: deceased records and their timeline, burial plots, memorials with
-- photos, tributes with exact counts, and public memorial search.

-- Cemetery → section → row → plot. capacity above 1 only for family plots;
-- occupied counts the deceased linked to the plot (kept by plot.c in the
-- transaction that links them).
CREATE TABLE plots (
	id           INTEGER PRIMARY KEY,
	cemetery_id  INTEGER NOT NULL REFERENCES cemeteries(id),
	section      TEXT NOT NULL,
	row          TEXT NOT NULL,
	number       TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('grave', 'niche',
	                 'columbarium', 'tree', 'sea', 'family')),
	capacity     INTEGER NOT NULL DEFAULT 1 CHECK (capacity >= 1 AND
	                 (capacity = 1 OR kind = 'family')),
	occupied     INTEGER NOT NULL DEFAULT 0 CHECK (occupied >= 0 AND
	                 occupied <= capacity),
	status       TEXT NOT NULL DEFAULT 'free' CHECK (status IN ('free',
	                 'reserved', 'occupied')),
	lat          REAL,
	lng          REAL,
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	UNIQUE (cemetery_id, section, row, number)
) STRICT;

-- The deceased. death_date is required: no memorial for the living. The ID
-- number is kept sealed (id_enc), masked (id_masked) and as a keyed hash
-- (id_hash) for lookups; never in clear.
CREATE TABLE deceased (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL,
	gender        TEXT NOT NULL DEFAULT 'unknown' CHECK (gender IN ('unknown',
	                  'male', 'female', 'unspecified')),
	birth_date    TEXT,
	death_date    TEXT NOT NULL,
	native_place  TEXT NOT NULL DEFAULT '',
	id_enc        TEXT,
	id_masked     TEXT NOT NULL DEFAULT '',
	id_hash       TEXT,
	agency_id     INTEGER REFERENCES agencies(id),
	plot_id       INTEGER REFERENCES plots(id),
	ext_id        TEXT,
	created_by    INTEGER REFERENCES users(id),
	created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	UNIQUE (agency_id, ext_id)
) STRICT;
CREATE INDEX deceased_agency ON deceased(agency_id, id);
CREATE INDEX deceased_plot ON deceased(plot_id);
CREATE INDEX deceased_id_hash ON deceased(id_hash);
CREATE INDEX deceased_updated ON deceased(updated_at, id);

-- The timeline a body and its ashes go through; order rules in deceased.c.
-- at is RFC 3339 in UTC; until (ashes_stored) is a date.
CREATE TABLE deceased_events (
	id           INTEGER PRIMARY KEY,
	deceased_id  INTEGER NOT NULL REFERENCES deceased(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL CHECK (kind IN ('registered', 'farewell',
	                 'cremated', 'ashes_stored', 'buried', 'niche_placed',
	                 'eco_tree', 'eco_sea')),
	at           TEXT NOT NULL,
	place        TEXT NOT NULL DEFAULT '',
	note         TEXT NOT NULL DEFAULT '',
	until        TEXT,
	plot_id      INTEGER REFERENCES plots(id),
	created_by   INTEGER REFERENCES users(id),
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX deceased_events_d ON deceased_events(deceased_id, id);

-- Uploaded images, stored as DATA_DIR/images/ab/abcdef... by SHA-256.
CREATE TABLE images (
	hash        TEXT PRIMARY KEY,
	mime        TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png',
	                'image/webp')),
	bytes       INTEGER NOT NULL,
	width       INTEGER,
	height      INTEGER,
	created_by  INTEGER REFERENCES users(id),
	created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- One memorial per deceased record.
CREATE TABLE memorials (
	id             INTEGER PRIMARY KEY,
	slug           TEXT NOT NULL UNIQUE,
	title          TEXT NOT NULL,
	biography      TEXT NOT NULL DEFAULT '',
	visibility     TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN
	                   ('public', 'unlisted', 'private')),
	moderation     TEXT NOT NULL DEFAULT 'hold' CHECK (moderation IN
	                   ('publish', 'hold')),
	deceased_id    INTEGER NOT NULL UNIQUE REFERENCES deceased(id),
	portrait_hash  TEXT REFERENCES images(hash),
	created_by     INTEGER REFERENCES users(id),
	created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE TABLE memorial_photos (
	id           INTEGER PRIMARY KEY,
	memorial_id  INTEGER NOT NULL REFERENCES memorials(id) ON DELETE CASCADE,
	hash         TEXT NOT NULL REFERENCES images(hash),
	mime         TEXT NOT NULL,
	caption      TEXT NOT NULL DEFAULT '',
	position     INTEGER NOT NULL DEFAULT 0,
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX memorial_photos_m ON memorial_photos(memorial_id, position, id);
CREATE INDEX memorial_photos_hash ON memorial_photos(hash);

-- Tributes. Messages may wait for moderation (pending) or be hidden; the
-- other kinds are published at once. No ranking, no amounts.
CREATE TABLE tributes (
	id           INTEGER PRIMARY KEY,
	memorial_id  INTEGER NOT NULL REFERENCES memorials(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL CHECK (kind IN ('flower', 'incense', 'candle',
	                 'bow', 'message')),
	from_name    TEXT NOT NULL,
	text         TEXT NOT NULL DEFAULT '',
	user_id      INTEGER REFERENCES users(id),
	state        TEXT NOT NULL CHECK (state IN ('published', 'pending',
	                 'hidden')),
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX tributes_m ON tributes(memorial_id, state, id);
CREATE INDEX tributes_mk ON tributes(memorial_id, kind, state, id);

-- Published tributes per memorial and kind, updated in the transaction
-- that changes a tribute (exact under concurrent load).
CREATE TABLE tribute_counts (
	memorial_id  INTEGER NOT NULL REFERENCES memorials(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	n            INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0),
	PRIMARY KEY (memorial_id, kind)
) STRICT, WITHOUT ROWID;

-- Search over public memorials only (rowid = memorial id): title and the
-- deceased's name, trigram-tokenised so Chinese substrings match.
CREATE VIRTUAL TABLE memorial_search USING fts5(title, name,
	tokenize = 'trigram');

CREATE TRIGGER memorial_search_ai AFTER INSERT ON memorials
WHEN new.visibility = 'public' BEGIN
	INSERT INTO memorial_search(rowid, title, name)
	SELECT new.id, new.title, d.name FROM deceased d
	WHERE d.id = new.deceased_id;
END;

CREATE TRIGGER memorial_search_au AFTER UPDATE OF title, visibility,
	deceased_id ON memorials BEGIN
	DELETE FROM memorial_search WHERE rowid = old.id;
	INSERT INTO memorial_search(rowid, title, name)
	SELECT new.id, new.title, d.name FROM deceased d
	WHERE d.id = new.deceased_id AND new.visibility = 'public';
END;

CREATE TRIGGER memorial_search_ad AFTER DELETE ON memorials BEGIN
	DELETE FROM memorial_search WHERE rowid = old.id;
END;

CREATE TRIGGER memorial_search_name AFTER UPDATE OF name ON deceased BEGIN
	UPDATE memorial_search SET name = new.name
	WHERE rowid IN (SELECT id FROM memorials WHERE deceased_id = new.id);
END;
