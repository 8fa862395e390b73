-- The mourning calendar, followers, calendar feeds, reminders and the inbox.

-- Per memorial: do anniversaries and the birthday follow the Gregorian or
-- the lunar date? No row means Gregorian.
CREATE TABLE memorial_calendar (
	memorial_id    INTEGER PRIMARY KEY REFERENCES memorials(id)
	                   ON DELETE CASCADE,
	anniversaries  TEXT NOT NULL DEFAULT 'gregorian' CHECK (anniversaries
	                   IN ('gregorian', 'lunar')),
	updated_by     INTEGER REFERENCES users(id),
	updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- Signed-in mourners who follow a memorial: reminders the day before each
-- mourning date, in their language, and the ceremonies going live.
CREATE TABLE memorial_followers (
	memorial_id  INTEGER NOT NULL REFERENCES memorials(id) ON DELETE CASCADE,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	lang         TEXT NOT NULL DEFAULT 'zh-CN' CHECK (lang IN ('zh-CN', 'en')),
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	PRIMARY KEY (memorial_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX memorial_followers_user ON memorial_followers(user_id);

-- Secret links to the calendar feed of a memorial that is not public: one
-- per person and memorial, stored as the SHA-256 of the token. Whoever
-- holds the link reads the feed while that person may view the memorial.
CREATE TABLE calendar_feeds (
	id           INTEGER PRIMARY KEY,
	token_hash   TEXT NOT NULL UNIQUE,
	memorial_id  INTEGER NOT NULL REFERENCES memorials(id) ON DELETE CASCADE,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	UNIQUE (memorial_id, user_id)
) STRICT;

-- Reminders already sent, so a restart or a second run sends none twice.
CREATE TABLE reminders_sent (
	user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	subject  TEXT NOT NULL, -- "memorial:12", "booking:7"
	date     TEXT NOT NULL, -- the day reminded of
	what     TEXT NOT NULL, -- "qi7", "qingming", "visit"
	sent_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	PRIMARY KEY (user_id, subject, date, what)
) STRICT, WITHOUT ROWID;

-- The in-app inbox. An unread item about the same thing (key) is updated
-- rather than repeated: ten messages waiting make one item that says ten.
CREATE TABLE inbox (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('message_pending', 'order',
	                'visit_tomorrow', 'ceremony_live', 'mourning_tomorrow')),
	key         TEXT NOT NULL,
	data        TEXT NOT NULL, -- JSON, rendered by the page in its language
	link        TEXT NOT NULL,
	created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	read_at     TEXT
) STRICT;
CREATE INDEX inbox_user ON inbox(user_id, id);
CREATE INDEX inbox_unread ON inbox(user_id, key) WHERE read_at IS NULL;

-- Signed-in people who opened a ceremony's invitation: told when it goes
-- live. The invitation token is kept sealed for the link.
CREATE TABLE ceremony_invitees (
	ceremony_id  INTEGER NOT NULL REFERENCES ceremonies(id) ON DELETE CASCADE,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	token_enc    TEXT NOT NULL,
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	PRIMARY KEY (ceremony_id, user_id)
) STRICT, WITHOUT ROWID;

-- The day-before visit reminders look bookings up by the slot's date.
CREATE INDEX visit_slots_date ON visit_slots(date);
CREATE INDEX bookings_slot ON bookings(slot_id, state);
