-- 013: public service information (the national action plan asks every
-- funeral agency and cemetery to publish its services, fees, commitments
-- and supervision), and complaints about them.

-- What an organisation publishes beside its fee list, edited in its
-- console (agency.edit / cemetery.edit). One row per organisation, made on
-- its first edit.
CREATE TABLE org_public (
	org_kind     TEXT NOT NULL CHECK (org_kind IN ('agency', 'cemetery')),
	org_id       INTEGER NOT NULL,
	commitments  TEXT NOT NULL DEFAULT '',
	supervision  TEXT NOT NULL DEFAULT '',
	eco_burial   TEXT NOT NULL DEFAULT '',
	subsidy      TEXT NOT NULL DEFAULT '',
	updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	PRIMARY KEY (org_kind, org_id)
) STRICT;

-- A complaint about an agency or a cemetery. Never published: read by the
-- organisation's staff and the platform admin, who answer it, and by whoever
-- sent it (their account, or the token link given when it was sent; only
-- the token's SHA-256 is kept). contact_enc is the optional contact,
-- sealed with the data key.
CREATE TABLE complaints (
	id           INTEGER PRIMARY KEY,
	org_kind     TEXT NOT NULL CHECK (org_kind IN ('agency', 'cemetery')),
	org_id       INTEGER NOT NULL,
	user_id      INTEGER REFERENCES users(id),
	token_hash   TEXT NOT NULL UNIQUE,
	contact_enc  TEXT NOT NULL DEFAULT '',
	text         TEXT NOT NULL,
	answer       TEXT,
	answered_by  INTEGER REFERENCES users(id),
	answered_at  TEXT,
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX complaints_org ON complaints(org_kind, org_id, id);
CREATE INDEX complaints_user ON complaints(user_id, id);
