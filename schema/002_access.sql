-- 002: accounts, sessions, scoped roles, organisations, audit.

-- login_hash is a keyed hash of the normalised login (lookup without
-- storing it in clear); login_enc is the login encrypted with the data key;
-- login_masked is what responses show.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	login_hash    TEXT NOT NULL UNIQUE,
	login_enc     TEXT NOT NULL,
	login_masked  TEXT NOT NULL,
	login_kind    TEXT NOT NULL CHECK (login_kind IN ('phone', 'email')),
	display_name  TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	disabled      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE sessions (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	token_hash  TEXT NOT NULL UNIQUE,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	revoked_at  INTEGER
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

-- Roles beyond "mourner" (every signed-in user). scope_kind/scope_id name
-- the agency, cemetery or memorial the role applies to; admin has none.
CREATE TABLE grants (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role        TEXT NOT NULL CHECK (role IN ('admin', 'agency_operator',
	                'cemetery_staff', 'family_admin', 'memorial_guest')),
	scope_kind  TEXT NOT NULL CHECK (scope_kind IN ('none', 'agency',
	                'cemetery', 'memorial')),
	scope_id    INTEGER NOT NULL DEFAULT 0,
	granted_by  INTEGER REFERENCES users(id),
	created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	UNIQUE (user_id, role, scope_kind, scope_id)
) STRICT;
CREATE INDEX grants_scope ON grants(scope_kind, scope_id);

CREATE TABLE agencies (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	region_code  TEXT NOT NULL,
	address      TEXT NOT NULL DEFAULT '',
	phone        TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE TABLE halls (
	id         INTEGER PRIMARY KEY,
	agency_id  INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	UNIQUE (agency_id, name)
) STRICT;

CREATE TABLE cemeteries (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	region_code  TEXT NOT NULL,
	address      TEXT NOT NULL DEFAULT '',
	phone        TEXT NOT NULL DEFAULT '',
	lat          REAL,
	lng          REAL,
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- Public service items and fees of an agency or a cemetery.
CREATE TABLE services (
	id           INTEGER PRIMARY KEY,
	org_kind     TEXT NOT NULL CHECK (org_kind IN ('agency', 'cemetery')),
	org_id       INTEGER NOT NULL,
	code         TEXT NOT NULL,
	name         TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	price_cents  INTEGER NOT NULL CHECK (price_cents >= 0),
	unit         TEXT NOT NULL DEFAULT '次',
	active       INTEGER NOT NULL DEFAULT 1,
	UNIQUE (org_kind, org_id, code)
) STRICT;

-- Every use of a right that reveals personal data.
CREATE TABLE audit_log (
	id          INTEGER PRIMARY KEY,
	at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	actor_id    INTEGER,
	action      TEXT NOT NULL,
	object_kind TEXT NOT NULL,
	object_id   INTEGER NOT NULL,
	detail      TEXT NOT NULL DEFAULT ''
) STRICT;
