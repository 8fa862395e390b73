-- 010: family invitations and in-app notices.
--
-- Making someone a family admin or guest of a memorial is an invitation to
-- a login (phone or e-mail), matched by its keyed hash; the person accepts
-- it when signed in with that login, and only then holds the role. The
-- inviter learns nothing about whether the login has an account. Rules in
-- family.c.
CREATE TABLE family_invitations (
	id            INTEGER PRIMARY KEY,
	memorial_id   INTEGER NOT NULL REFERENCES memorials(id)
	                  ON DELETE CASCADE,
	login_hash    TEXT NOT NULL,
	login_masked  TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('family_admin',
	                  'memorial_guest')),
	state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
	                  ('pending', 'accepted', 'declined', 'revoked')),
	invited_by    INTEGER REFERENCES users(id),
	created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ',
	                  'now')),
	expires_at    TEXT NOT NULL,
	decided_at    TEXT
) STRICT;
-- One open invitation per memorial, login and role.
CREATE UNIQUE INDEX family_invitations_open ON family_invitations(
	memorial_id, login_hash, role) WHERE state = 'pending';
CREATE INDEX family_invitations_login ON family_invitations(login_hash,
	state, id);
CREATE INDEX family_invitations_m ON family_invitations(memorial_id, id);

-- What the daemon has to tell a user in the app (someone tried to sign up
-- with their login, ...). kind names the message; detail is data for it.
CREATE TABLE notices (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL,
	detail      TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ',
	                'now'))
) STRICT;
CREATE INDEX notices_user ON notices(user_id, id);
