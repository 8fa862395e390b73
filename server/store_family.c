/* store_family.c — the SQL behind family invitations.
 *
 * Owns queries on family_invitations. Decides nothing: the
 * rules are family.c's, who may invite is access.c's.
 */
#include "store_family.h"
#include "err.h"
#include "store.h"
#include "store_invite.h"

#include <string.h>

#define INVITE_COLS STORE_INVITE_COLS ", memorial_id, role"

enum {
	Q_INVITE_UPSERT,
	Q_INVITE_GET,
	Q_INVITE_DECIDE,
	Q_INVITE_LIST_MEMORIAL,
	Q_INVITE_LIST_LOGIN,
	Q_INVITE_OPEN_COUNT,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_family_sql[] = {
    [Q_INVITE_UPSERT] =
        {"family.invite_upsert",
         "INSERT INTO family_invitations(login_hash, login_masked, "
         "invited_by, expires_at, memorial_id, role) VALUES (?1, ?2, ?3, "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?4), ?5, ?6) ON "
         "CONFLICT(memorial_id, login_hash, role) WHERE state = 'pending' "
         "DO UPDATE SET login_masked = excluded.login_masked, invited_by "
         "= excluded.invited_by, expires_at = excluded.expires_at "
         "RETURNING id",
         NULL},
    [Q_INVITE_GET] = {"family.invite_get",
                      "SELECT " INVITE_COLS
                      " FROM family_invitations WHERE id = ?",
                      NULL},
    [Q_INVITE_DECIDE] = {"family.invite_decide",
                         "UPDATE family_invitations SET state = ?1, "
                         "decided_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
                         "'now') WHERE id = ?2 AND state = 'pending'",
                         NULL},
    [Q_INVITE_LIST_MEMORIAL] = {"family.invite_list_memorial",
                                "SELECT " INVITE_COLS
                                " FROM family_invitations WHERE "
                                "memorial_id = ? ORDER BY id DESC LIMIT 200",
                                NULL},
    [Q_INVITE_LIST_LOGIN] = {"family.invite_list_login",
                             "SELECT " INVITE_COLS
                             " FROM family_invitations WHERE login_hash = "
                             "? AND state = 'pending' AND expires_at > "
                             "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ORDER "
                             "BY id DESC LIMIT 100",
                             NULL},
    [Q_INVITE_OPEN_COUNT] = {"family.invite_open_count",
                             "SELECT count(*) FROM family_invitations "
                             "WHERE memorial_id = ? AND state = 'pending'",
                             NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_family_sql[q].sql)

static void invite_row(sqlite3_stmt *q, void *item)
{
	struct family_invite *f = item;

	memset(f, 0, sizeof(*f));
	store_invite_row(q, &f->inv);
	f->memorial_id = sqlite3_column_int64(q, STORE_INVITE_NCOLS);
	STORE_COPY(f->role, q, STORE_INVITE_NCOLS + 1);
}

int store_family_invite_upsert(struct store *st, const struct family_invite *in,
                               int days, struct family_invite *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_INVITE_UPSERT));
	int64_t id = 0;
	int rc;

	if (!q)
		return ERR_DB;
	store_invite_bind(q, &in->inv, days);
	sqlite3_bind_int64(q, 5, in->memorial_id);
	sqlite3_bind_text(q, 6, in->role, -1, SQLITE_STATIC);
	rc = store_step_returning(q, &id, NULL, 0);
	return rc ? rc : store_family_invite_get(st, id, out);
}

int store_family_invite_get(struct store *st, int64_t id,
                            struct family_invite *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_INVITE_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return store_one(q, invite_row, out);
}

int store_family_invite_decide(struct store *st, int64_t id,
                               enum invite_state s)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_INVITE_DECIDE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, invite_state_name(s), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	return store_step_changed(st, q);
}

int store_family_invite_list_memorial(struct store *st, int64_t memorial_id,
                                      GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_INVITE_LIST_MEMORIAL));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	return store_collect(q, invite_row, out);
}

int store_family_invite_list_login(struct store *st, const char *login_hash,
                                   GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_INVITE_LIST_LOGIN));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, login_hash, -1, SQLITE_STATIC);
	return store_collect(q, invite_row, out);
}

int store_family_invite_open_count(struct store *st, int64_t memorial_id,
                                   int *n)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_INVITE_OPEN_COUNT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	rc = store_step_row(q);
	*n = rc == 0 ? sqlite3_column_int(q, 0) : 0;
	sqlite3_reset(q);
	return rc;
}
