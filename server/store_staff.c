/* store_staff.c — the SQL behind staff invitations and an organisation's
 * staff list.
 *
 * Owns queries on staff_invitations, and the staff-side reads and writes
 * of grants (the manager flag). Decides nothing: the rules are staff.c's,
 * who may invite is access.c's.
 */
#include "store_staff.h"
#include "err.h"
#include "store.h"
#include "store_invite.h"

#include <string.h>

#define INVITE_COLS STORE_INVITE_COLS ", org_kind, org_id, manager"

enum {
	Q_UPSERT,
	Q_GET,
	Q_DECIDE,
	Q_LIST_ORG,
	Q_LIST_LOGIN,
	Q_OPEN_COUNT,
	Q_GRANT,
	Q_MEMBERS,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_staff_sql[] = {
    [Q_UPSERT] =
        {"staff.invite_upsert",
         "INSERT INTO staff_invitations(login_hash, login_masked, "
         "invited_by, expires_at, org_kind, org_id, manager) VALUES (?1, "
         "?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?4), ?5, ?6, ?7) "
         "ON CONFLICT(org_kind, org_id, login_hash) WHERE state = "
         "'pending' DO UPDATE SET login_masked = excluded.login_masked, "
         "manager = excluded.manager, invited_by = excluded.invited_by, "
         "expires_at = excluded.expires_at RETURNING id",
         NULL},
    [Q_GET] = {"staff.invite_get",
               "SELECT " INVITE_COLS " FROM staff_invitations WHERE id = ?",
               NULL},
    [Q_DECIDE] = {"staff.invite_decide",
                  "UPDATE staff_invitations SET state = ?1, decided_at = "
                  "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?2 AND "
                  "state = 'pending'",
                  NULL},
    [Q_LIST_ORG] = {"staff.invite_list_org",
                    "SELECT " INVITE_COLS
                    " FROM staff_invitations WHERE org_kind = ? AND "
                    "org_id = ? ORDER BY id DESC LIMIT 200",
                    NULL},
    [Q_LIST_LOGIN] = {"staff.invite_list_login",
                      "SELECT " INVITE_COLS
                      " FROM staff_invitations WHERE login_hash = ? AND "
                      "state = 'pending' AND expires_at > "
                      "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ORDER BY id "
                      "DESC LIMIT 100",
                      NULL},
    [Q_OPEN_COUNT] = {"staff.invite_open_count",
                      "SELECT count(*) FROM staff_invitations WHERE "
                      "org_kind = ? AND org_id = ? AND state = 'pending'",
                      NULL},
    [Q_GRANT] = {"staff.grant",
                 "INSERT INTO grants(user_id, role, scope_kind, scope_id, "
                 "granted_by, manager) VALUES (?, ?, ?, ?, ?, ?) ON "
                 "CONFLICT(user_id, role, scope_kind, scope_id) DO UPDATE "
                 "SET manager = excluded.manager",
                 NULL},
    [Q_MEMBERS] = {"staff.members",
                   "SELECT g.user_id, u.display_name, g.manager FROM grants "
                   "g JOIN users u ON u.id = g.user_id WHERE g.scope_kind = "
                   "? AND g.scope_id = ? AND g.role = ? ORDER BY "
                   "u.display_name, g.user_id LIMIT 500",
                   NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_staff_sql[q].sql)

static void invite_row(sqlite3_stmt *q, void *item)
{
	struct staff_invite *f = item;

	memset(f, 0, sizeof(*f));
	store_invite_row(q, &f->inv);
	f->org_kind =
	    strcmp(store_col_text(q, STORE_INVITE_NCOLS), "agency") == 0
	        ? ORG_AGENCY
	        : ORG_CEMETERY;
	f->org_id = sqlite3_column_int64(q, STORE_INVITE_NCOLS + 1);
	f->manager = sqlite3_column_int(q, STORE_INVITE_NCOLS + 2) != 0;
}

int store_staff_invite_upsert(struct store *st, const struct staff_invite *in,
                              int days, struct staff_invite *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_UPSERT));
	int64_t id = 0;
	int rc;

	if (!q)
		return ERR_DB;
	store_invite_bind(q, &in->inv, days);
	sqlite3_bind_text(q, 5, store_org_kind_name(in->org_kind), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, in->org_id);
	sqlite3_bind_int(q, 7, in->manager);
	rc = store_step_returning(q, &id, NULL, 0);
	return rc ? rc : store_staff_invite_get(st, id, out);
}

int store_staff_invite_get(struct store *st, int64_t id,
                           struct staff_invite *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return store_one(q, invite_row, out);
}

int store_staff_invite_decide(struct store *st, int64_t id, enum invite_state s)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_DECIDE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, invite_state_name(s), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	return store_step_changed(st, q);
}

int store_staff_invite_list_org(struct store *st, enum org_kind k,
                                int64_t org_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_LIST_ORG));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, store_org_kind_name(k), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, org_id);
	return store_collect(q, invite_row, out);
}

int store_staff_invite_list_login(struct store *st, const char *login_hash,
                                  GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_LIST_LOGIN));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, login_hash, -1, SQLITE_STATIC);
	return store_collect(q, invite_row, out);
}

int store_staff_open_count(struct store *st, enum org_kind k, int64_t org_id,
                           int *n)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_OPEN_COUNT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, store_org_kind_name(k), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, org_id);
	rc = store_step_row(q);
	*n = rc == 0 ? sqlite3_column_int(q, 0) : 0;
	sqlite3_reset(q);
	return rc;
}

int store_staff_grant(struct store *st, int64_t user_id, enum org_kind k,
                      int64_t org_id, bool manager, int64_t granted_by)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GRANT));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, staff_role(k), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, store_org_kind_name(k), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, org_id);
	if (granted_by)
		sqlite3_bind_int64(q, 5, granted_by);
	else
		sqlite3_bind_null(q, 5);
	sqlite3_bind_int(q, 6, manager);
	return store_step_done(q);
}

static void member_row(sqlite3_stmt *q, void *item)
{
	struct staff_member *m = item;

	memset(m, 0, sizeof(*m));
	m->user_id = sqlite3_column_int64(q, 0);
	STORE_COPY(m->display_name, q, 1);
	m->manager = sqlite3_column_int(q, 2) != 0;
}

int store_staff_list(struct store *st, enum org_kind k, int64_t org_id,
                     GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_MEMBERS));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, store_org_kind_name(k), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, org_id);
	sqlite3_bind_text(q, 3, staff_role(k), -1, SQLITE_STATIC);
	return store_collect(q, member_row, out);
}
