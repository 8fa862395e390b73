-- 013: public service information (the national action plan asks every
-- funeral agency and cemetery to publish its services, fees, commitments
-- and supervision), complaints about them, and family memorials asking
-- to be linked to their grave.

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

-- A family memorial finding its grave: its family admin asks for it to be
-- linked to a burial, naming the cemetery and the plot (section, row,
-- number), or the number of the cemetery's record of the deceased
-- (record_id). The cemetery's staff confirm it, or refuse it. Confirming
-- either points the memorial at the cemetery's record (record_id), or
-- links the memorial's own record to one of the cemetery's plots (plot_id),
-- in one transaction with the decision. Rules in grave.c.
CREATE TABLE grave_requests (
	id           INTEGER PRIMARY KEY,
	memorial_id  INTEGER NOT NULL REFERENCES memorials(id) ON DELETE CASCADE,
	cemetery_id  INTEGER NOT NULL REFERENCES cemeteries(id),
	section      TEXT NOT NULL DEFAULT '',
	row          TEXT NOT NULL DEFAULT '',
	number       TEXT NOT NULL DEFAULT '',
	record_id    INTEGER,
	note         TEXT NOT NULL DEFAULT '',
	state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
	                 ('pending', 'confirmed', 'refused')),
	reason       TEXT NOT NULL DEFAULT '',
	plot_id      INTEGER REFERENCES plots(id),
	created_by   INTEGER REFERENCES users(id),
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	decided_by   INTEGER REFERENCES users(id),
	decided_at   TEXT
) STRICT;
-- One request of a memorial at a time.
CREATE UNIQUE INDEX grave_requests_pending ON grave_requests(memorial_id)
	WHERE state = 'pending';
CREATE INDEX grave_requests_m ON grave_requests(memorial_id, id);
CREATE INDEX grave_requests_c ON grave_requests(cemetery_id, state, id);
