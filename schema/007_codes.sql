-- One-time codes sent to a login's phone or e-mail: signing in without a
-- password, and recovering an account. Only a keyed hash of each code is
-- kept; a code dies when used, when a newer one of the same purpose is
-- sent, after five wrong tries, or when it expires.
CREATE TABLE login_codes (
	id          INTEGER PRIMARY KEY,
	login_hash  TEXT NOT NULL,
	purpose     TEXT NOT NULL CHECK (purpose IN ('signin', 'reset')),
	code_hash   TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	used_at     INTEGER
) STRICT;
CREATE INDEX login_codes_login ON login_codes(login_hash, purpose, id);
CREATE INDEX login_codes_expiry ON login_codes(expires_at);
