-- 004: farewell ceremonies streamed live, their invites and condolences.
CREATE TABLE ceremonies (
	id               INTEGER PRIMARY KEY,
	agency_id        INTEGER NOT NULL REFERENCES agencies(id),
	hall_id          INTEGER REFERENCES halls(id),
	memorial_id      INTEGER,
	title            TEXT NOT NULL,
	deceased_name    TEXT NOT NULL,
	scheduled_start  TEXT NOT NULL,
	scheduled_end    TEXT NOT NULL,
	visibility       TEXT NOT NULL CHECK (visibility IN ('public', 'invite')),
	source_kind      TEXT NOT NULL CHECK (source_kind IN ('test', 'rtsp', 'whip')),
	source_url       TEXT NOT NULL DEFAULT '',
	stream_key_hash  TEXT NOT NULL,
	state            TEXT NOT NULL DEFAULT 'scheduled'
	                 CHECK (state IN ('scheduled', 'live', 'ended')),
	started_at       TEXT,
	ended_at         TEXT,
	recording_path   TEXT,
	created_by       INTEGER REFERENCES users(id),
	created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX ceremonies_agency ON ceremonies(agency_id, scheduled_start);

CREATE TABLE ceremony_invites (
	id           INTEGER PRIMARY KEY,
	ceremony_id  INTEGER NOT NULL REFERENCES ceremonies(id) ON DELETE CASCADE,
	token_hash   TEXT NOT NULL UNIQUE,
	guest_name   TEXT NOT NULL,
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	revoked_at   TEXT
) STRICT;

CREATE TABLE ceremony_messages (
	id           INTEGER PRIMARY KEY,
	ceremony_id  INTEGER NOT NULL REFERENCES ceremonies(id) ON DELETE CASCADE,
	from_name    TEXT NOT NULL,
	text         TEXT NOT NULL,
	user_id      INTEGER,
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX ceremony_messages_c ON ceremony_messages(ceremony_id, id);
