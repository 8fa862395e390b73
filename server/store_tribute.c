/* store_tribute.c — the SQL behind tributes and their published counts.
 *
 * Owns queries on tributes and tribute_counts. Rules (moderation, what a
 * kind counts, when a count moves) live in tribute.c; nothing here decides.
 * Called by tribute.c, inbox.c and the api_*.c handlers that read tributes.
 */
#include "store_tribute.h"
#include "err.h"
#include "store.h"

#include <string.h>

#define TRIBUTE_COLS                                                           \
	"id, memorial_id, kind, from_name, text, user_id, state, created_at"

enum {
	Q_TRIBUTE_INSERT,
	Q_TRIBUTE_GET,
	Q_TRIBUTE_SET_STATE,
	Q_TRIBUTE_LIST,
	Q_TRIBUTE_LIST_KIND,
	Q_TRIBUTE_COUNT_ADD,
	Q_TRIBUTE_COUNTS,
	Q_TRIBUTE_PENDING,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_tribute_sql[] = {
    [Q_TRIBUTE_INSERT] =
        {"tribute.tribute_insert",
         "INSERT INTO tributes(memorial_id, kind, from_name, text, "
         "user_id, state) VALUES (?, ?, ?, ?, ?, ?) RETURNING id, "
         "created_at",
         NULL},
    [Q_TRIBUTE_GET] = {"tribute.tribute_get",
                       "SELECT " TRIBUTE_COLS " FROM tributes WHERE id = ?",
                       NULL},
    [Q_TRIBUTE_SET_STATE] = {"tribute.tribute_set_state",
                             "UPDATE tributes SET state = ? WHERE id = ?",
                             NULL},
    [Q_TRIBUTE_LIST] = {"tribute.tribute_list",
                        "SELECT " TRIBUTE_COLS " FROM tributes WHERE "
                        "memorial_id = ?1 AND state = ?2 AND id < ?4 ORDER "
                        "BY id DESC LIMIT ?5",
                        NULL},
    [Q_TRIBUTE_LIST_KIND] = {"tribute.tribute_list_kind",
                             "SELECT " TRIBUTE_COLS " FROM tributes WHERE "
                             "memorial_id = ?1 AND state = ?2 AND kind = "
                             "?3 AND id < ?4 ORDER BY id DESC LIMIT ?5",
                             NULL},
    [Q_TRIBUTE_COUNT_ADD] =
        {"tribute.tribute_count_add",
         "INSERT INTO tribute_counts(memorial_id, kind, n) VALUES (?1, "
         "?2, max(?3, 0)) ON CONFLICT(memorial_id, kind) DO UPDATE SET "
         "n = max(n + ?3, 0)",
         NULL},
    [Q_TRIBUTE_COUNTS] =
        {"tribute.tribute_counts",
         "SELECT kind, n FROM tribute_counts WHERE memorial_id = ?", NULL},
    [Q_TRIBUTE_PENDING] =
        {"tribute.tribute_pending",
         "SELECT count(*) FROM tributes WHERE memorial_id = ? AND "
         "state = 'pending'",
         NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_tribute_sql[q].sql)

int store_tribute_insert(struct store *st, struct tribute *t)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, t->memorial_id);
	sqlite3_bind_text(q, 2, tribute_kind_name(t->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, t->from_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, t->text, -1, SQLITE_STATIC);
	if (t->user_id)
		sqlite3_bind_int64(q, 5, t->user_id);
	sqlite3_bind_text(q, 6, tribute_state_name(t->state), -1,
	                  SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		t->id = sqlite3_column_int64(q, 0);
		STORE_COPY(t->created_at, q, 1);
		rc = sqlite3_step(q);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

static void tribute_row(sqlite3_stmt *q, struct tribute *t);

static void tribute_row_v(sqlite3_stmt *q, void *t)
{
	tribute_row(q, t);
}

static void tribute_row(sqlite3_stmt *q, struct tribute *t)
{
	int k = tribute_kind_parse(store_col_text(q, 2));
	int s = tribute_state_parse(store_col_text(q, 6));

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(q, 0);
	t->memorial_id = sqlite3_column_int64(q, 1);
	t->kind = k < 0 ? TRIB_MESSAGE : (enum tribute_kind)k;
	STORE_COPY(t->from_name, q, 3);
	STORE_COPY(t->text, q, 4);
	t->user_id = sqlite3_column_int64(q, 5);
	t->state = s < 0 ? TRIB_HIDDEN : (enum tribute_state)s;
	STORE_COPY(t->created_at, q, 7);
}

int store_tribute_get(struct store *st, int64_t id, struct tribute *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		tribute_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_tribute_set_state(struct store *st, int64_t id, enum tribute_state s)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_SET_STATE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, tribute_state_name(s), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	return store_step_changed(st, q);
}

int store_tribute_list(struct store *st, int64_t memorial_id,
                       enum tribute_state s, int kind, int64_t before,
                       int limit, GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, SQL(kind < 0 ? Q_TRIBUTE_LIST : Q_TRIBUTE_LIST_KIND));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	sqlite3_bind_text(q, 2, tribute_state_name(s), -1, SQLITE_STATIC);
	if (kind >= 0)
		sqlite3_bind_text(q, 3,
		                  tribute_kind_name((enum tribute_kind)kind),
		                  -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, store_cursor(before));
	sqlite3_bind_int(q, 5, limit);
	return store_collect(q, tribute_row_v, out);
}

int store_tribute_count_add(struct store *st, int64_t memorial_id,
                            enum tribute_kind k, int delta)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_COUNT_ADD));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	sqlite3_bind_text(q, 2, tribute_kind_name(k), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, delta);
	return store_step_done(q);
}

int store_tribute_counts(struct store *st, int64_t memorial_id,
                         struct tribute_counts *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_COUNTS));
	int rc;

	if (!q)
		return ERR_DB;
	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(q, 1, memorial_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int k = tribute_kind_parse(store_col_text(q, 0));

		if (k < 0)
			continue;
		out->n[k] = sqlite3_column_int64(q, 1);
		out->total += out->n[k];
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_tribute_pending(struct store *st, int64_t memorial_id, int64_t *n)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_PENDING));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	rc = sqlite3_step(q);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 0 : store_err(rc);
}
