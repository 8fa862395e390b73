-- 014: staff of agencies and cemeteries, managed from the consoles.
--
-- A cemetery's staff member may be its manager (grants.manager): managers,
-- like any operator of an agency, invite and revoke their organisation's
-- staff. Becoming staff is an invitation to a login (phone or e-mail),
-- matched by its keyed hash, that the person accepts when signed in with
-- that login, as for a memorial's family (010). The inviter learns nothing
-- about whether the login has an account. Rules in staff.c.
ALTER TABLE grants ADD COLUMN manager INTEGER NOT NULL DEFAULT 0;

CREATE TABLE staff_invitations (
	id            INTEGER PRIMARY KEY,
	org_kind      TEXT NOT NULL CHECK (org_kind IN ('agency', 'cemetery')),
	org_id        INTEGER NOT NULL,
	login_hash    TEXT NOT NULL,
	login_masked  TEXT NOT NULL,
	manager       INTEGER NOT NULL DEFAULT 0,
	state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
	                  ('pending', 'accepted', 'declined', 'revoked')),
	invited_by    INTEGER REFERENCES users(id),
	created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ',
	                  'now')),
	expires_at    TEXT NOT NULL,
	decided_at    TEXT
) STRICT;
-- One open invitation per organisation and login.
CREATE UNIQUE INDEX staff_invitations_open ON staff_invitations(
	org_kind, org_id, login_hash) WHERE state = 'pending';
CREATE INDEX staff_invitations_login ON staff_invitations(login_hash,
	state, id);
CREATE INDEX staff_invitations_org ON staff_invitations(org_kind, org_id,
	id);
