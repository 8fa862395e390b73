/* store_user.c — the SQL behind accounts and access.
 *
 * Owns queries on users, sessions, grants and audit_log. Sees personal data
 * only sealed (login_enc) or hashed; never decrypts.
 */
#include "store_user.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define USER_COLS                                                              \
	"id, login_masked, login_kind, login_enc, display_name, "              \
	"password_hash, created_at, disabled, login_hash"

enum {
	Q_USER_CREATE,
	Q_USER_BY_LOGIN,
	Q_USER_GET,
	Q_USER_SET_PASSWORD,
	Q_USER_LIST,
	Q_SESSION_CREATE,
	Q_SESSION_LOOKUP,
	Q_SESSION_USER,
	Q_SESSION_REVOKE,
	Q_SESSION_REVOKE_OTHERS,
	Q_GRANT_ADD,
	Q_GRANT_REMOVE,
	Q_GRANT_LIST,
	Q_GRANT_HOLDERS,
	Q_AUDIT_ADD,
	Q_AUDIT_COUNT,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_user_sql[] = {
    [Q_USER_CREATE] = {"user.user_create",
                       "INSERT INTO users(login_hash, login_enc, login_masked, "
                       "login_kind, display_name, password_hash) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       NULL},
    [Q_USER_BY_LOGIN] = {"user.user_by_login",
                         "SELECT " USER_COLS " FROM users WHERE login_hash = ?",
                         NULL},
    [Q_USER_GET] = {"user.user_get",
                    "SELECT " USER_COLS " FROM users WHERE id = ?", NULL},
    [Q_USER_SET_PASSWORD] = {"user.user_set_password",
                             "UPDATE users SET password_hash = ? WHERE id = ?",
                             NULL},
    [Q_USER_LIST] = {"user.user_list",
                     "SELECT " USER_COLS " FROM users WHERE id > ?1 ORDER "
                     "BY id LIMIT ?2",
                     "the admin's list of accounts, a page at a time in id "
                     "order: each page reads its own rows only"},
    [Q_SESSION_CREATE] =
        {"user.session_create",
         "INSERT INTO sessions(user_id, token_hash, created_at, "
         "expires_at) VALUES (?, ?, ?, ?)",
         NULL},
    [Q_SESSION_LOOKUP] = {"user.session_lookup",
                          "SELECT s.id, s.user_id FROM sessions s JOIN users u "
                          "ON u.id = s.user_id WHERE s.token_hash = ? AND "
                          "s.revoked_at IS NULL AND s.expires_at > ? AND "
                          "u.disabled = 0",
                          NULL},
    [Q_SESSION_USER] = {"user.session_user",
                        "SELECT s.user_id FROM sessions s JOIN users u ON "
                        "u.id = s.user_id WHERE s.id = ? AND s.revoked_at "
                        "IS NULL AND s.expires_at > ? AND u.disabled = 0",
                        NULL},
    [Q_SESSION_REVOKE] = {"user.session_revoke",
                          "UPDATE sessions SET revoked_at = ? WHERE id = ? AND "
                          "revoked_at IS NULL",
                          NULL},
    [Q_SESSION_REVOKE_OTHERS] =
        {"user.session_revoke_others",
         "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND "
         "id != ? AND revoked_at IS NULL",
         NULL},
    [Q_GRANT_ADD] =
        {"user.grant_add",
         "INSERT INTO grants(user_id, role, scope_kind, scope_id, "
         "granted_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
         NULL},
    [Q_GRANT_REMOVE] = {"user.grant_remove",
                        "DELETE FROM grants WHERE user_id = ? AND role = ? AND "
                        "scope_kind = ? AND scope_id = ?",
                        NULL},
    [Q_GRANT_LIST] =
        {"user.grant_list",
         "SELECT g.id, g.user_id, g.role, g.scope_kind, g.scope_id, "
         "COALESCE(a.name, c.name, ''), g.manager FROM grants g "
         "LEFT JOIN agencies a ON g.scope_kind = 'agency' AND "
         "a.id = g.scope_id "
         "LEFT JOIN cemeteries c ON g.scope_kind = 'cemetery' AND "
         "c.id = g.scope_id "
         "WHERE g.user_id = ? ORDER BY g.id",
         NULL},
    [Q_GRANT_HOLDERS] = {"user.grant_holders",
                         "SELECT user_id FROM grants WHERE role = ? AND "
                         "scope_kind = ? AND scope_id = ? ORDER BY user_id",
                         NULL},
    [Q_AUDIT_ADD] = {"user.audit_add",
                     "INSERT INTO audit_log(actor_id, action, object_kind, "
                     "object_id, detail) VALUES (?, ?, ?, ?, ?)",
                     NULL},
    [Q_AUDIT_COUNT] = {"user.audit_count",
                       "SELECT count(*) FROM audit_log WHERE action = ?", NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_user_sql[q].sql)

static void user_row(sqlite3_stmt *q, struct store_user *u)
{
	u->id = sqlite3_column_int64(q, 0);
	STORE_COPY(u->login_masked, q, 1);
	STORE_COPY(u->login_kind, q, 2);
	STORE_COPY(u->login_enc, q, 3);
	STORE_COPY(u->display_name, q, 4);
	STORE_COPY(u->password_hash, q, 5);
	STORE_COPY(u->created_at, q, 6);
	u->disabled = sqlite3_column_int(q, 7) != 0;
	STORE_COPY(u->login_hash, q, 8);
}

int store_user_create(struct store *st, const struct store_user *u,
                      const char *login_hash, int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_USER_CREATE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, login_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, u->login_enc, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, u->login_masked, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, u->login_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, u->display_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, u->password_hash, -1, SQLITE_STATIC);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

static int user_one(sqlite3_stmt *q, struct store_user *out)
{
	int rc = store_step_row(q);

	if (rc == 0)
		user_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_user_by_login(struct store *st, const char *login_hash,
                        struct store_user *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_USER_BY_LOGIN));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, login_hash, -1, SQLITE_STATIC);
	return user_one(q, out);
}

int store_user_get(struct store *st, int64_t id, struct store_user *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_USER_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return user_one(q, out);
}

int store_user_set_password(struct store *st, int64_t id, const char *hash)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_USER_SET_PASSWORD));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	return store_step_done(q);
}

int store_user_list(struct store *st, int64_t after, int limit, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_USER_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, after);
	sqlite3_bind_int(q, 2, limit);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_user u;

		user_row(q, &u);
		g_array_append_val(out, u);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_user_session_create(struct store *st, int64_t user_id,
                              const char *token_hash, int64_t now,
                              int64_t expires, int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SESSION_CREATE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now);
	sqlite3_bind_int64(q, 4, expires);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

int store_user_session_lookup(struct store *st, const char *token_hash,
                              int64_t now, int64_t *user_id,
                              int64_t *session_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SESSION_LOOKUP));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, now);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*session_id = sqlite3_column_int64(q, 0);
		*user_id = sqlite3_column_int64(q, 1);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? ERR_UNAUTHORIZED : store_err(rc);
	}
	sqlite3_reset(q);
	return rc;
}

int store_user_session_user(struct store *st, int64_t session_id, int64_t now,
                            int64_t *user_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SESSION_USER));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, session_id);
	sqlite3_bind_int64(q, 2, now);
	rc = store_step_row(q);
	if (rc == 0)
		*user_id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc == ERR_NOT_FOUND ? ERR_UNAUTHORIZED : rc;
}

int store_user_session_revoke(struct store *st, int64_t session_id, int64_t now)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SESSION_REVOKE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, now);
	sqlite3_bind_int64(q, 2, session_id);
	return store_step_done(q);
}

int store_user_session_revoke_others(struct store *st, int64_t user_id,
                                     int64_t keep, int64_t now)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SESSION_REVOKE_OTHERS));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, now);
	sqlite3_bind_int64(q, 2, user_id);
	sqlite3_bind_int64(q, 3, keep);
	return store_step_done(q);
}

int store_user_grant_add(struct store *st, int64_t user_id, const char *role,
                         const char *scope_kind, int64_t scope_id,
                         int64_t granted_by)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GRANT_ADD));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, scope_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, scope_id);
	if (granted_by)
		sqlite3_bind_int64(q, 5, granted_by);
	else
		sqlite3_bind_null(q, 5);
	return store_step_done(q);
}

int store_user_grant_remove(struct store *st, int64_t user_id, const char *role,
                            const char *scope_kind, int64_t scope_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GRANT_REMOVE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, scope_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, scope_id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

int store_user_grant_list(struct store *st, int64_t user_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GRANT_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_grant g;

		g.id = sqlite3_column_int64(q, 0);
		g.user_id = sqlite3_column_int64(q, 1);
		STORE_COPY(g.role, q, 2);
		STORE_COPY(g.scope_kind, q, 3);
		g.scope_id = sqlite3_column_int64(q, 4);
		STORE_COPY(g.scope_name, q, 5);
		g.manager = sqlite3_column_int(q, 6) != 0;
		g_array_append_val(out, g);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_user_grant_holders(struct store *st, const char *role,
                             const char *scope_kind, int64_t scope_id,
                             GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GRANT_HOLDERS));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, scope_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, scope_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);

		g_array_append_val(out, id);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_user_audit_add(struct store *st, int64_t actor_id, const char *action,
                         const char *object_kind, int64_t object_id,
                         const char *detail)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_AUDIT_ADD));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, actor_id);
	sqlite3_bind_text(q, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, object_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, object_id);
	sqlite3_bind_text(q, 5, detail ? detail : "", -1, SQLITE_STATIC);
	return store_step_done(q);
}

int64_t store_audit_count(struct store *st, const char *action)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_AUDIT_COUNT));
	int64_t n = -1;

	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, action, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return n;
}
