/* store_notice.c — the SQL behind in-app notices.
 *
 * Owns queries on notices. Decides nothing: who is told what is the
 * caller's.
 */
#include "store_notice.h"
#include "err.h"
#include "store.h"

#include <string.h>

enum {
	Q_NOTICE_ADD,
	Q_NOTICE_LIST,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_notice_sql[] = {
    [Q_NOTICE_ADD] = {"notice.add",
                      "INSERT INTO notices(user_id, kind, detail) VALUES "
                      "(?, ?, ?)",
                      NULL},
    [Q_NOTICE_LIST] = {"notice.list",
                       "SELECT id, kind, detail, created_at FROM notices "
                       "WHERE user_id = ? ORDER BY id DESC LIMIT 50",
                       NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_notice_sql[q].sql)

int store_notice_add(struct store *st, int64_t user_id, const char *kind,
                     const char *detail)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_NOTICE_ADD));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, detail ? detail : "", -1, SQLITE_STATIC);
	return store_step_done(q);
}

static void notice_row(sqlite3_stmt *q, void *item)
{
	struct notice *n = item;

	memset(n, 0, sizeof(*n));
	n->id = sqlite3_column_int64(q, 0);
	STORE_COPY(n->kind, q, 1);
	STORE_COPY(n->detail, q, 2);
	STORE_COPY(n->created_at, q, 3);
}

int store_notice_list(struct store *st, int64_t user_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_NOTICE_LIST));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	return store_collect(q, notice_row, out);
}
