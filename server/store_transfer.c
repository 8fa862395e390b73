/* store_transfer.c — the SQL behind burial transfers.
 *
 * Owns queries on burial_transfers. Decides nothing: who may start or
 * decide a hand-over is access.c's, the rules are transfer.c's.
 */
#include "store_transfer.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define TRANSFER_COLS                                                          \
	"id, deceased_id, from_kind, from_id, to_cemetery_id, "                \
	"COALESCE(plot_id, 0), state, note, reason, COALESCE(created_by, 0), " \
	"created_at, COALESCE(decided_by, 0), COALESCE(decided_at, ''), "      \
	"COALESCE(want_kind, ''), relative_name, COALESCE(relation, '')"

enum {
	Q_TRANSFER_INSERT,
	Q_TRANSFER_GET,
	Q_TRANSFER_DECIDE,
	Q_TRANSFER_LIST_DECEASED,
	Q_TRANSFER_LIST_TO_1,
	Q_TRANSFER_LIST_TO_2,
	Q_TRANSFER_LIST_FROM_1,
	Q_TRANSFER_LIST_FROM_2,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_transfer_sql[] = {
    [Q_TRANSFER_INSERT] =
        {"transfer.transfer_insert",
         "INSERT INTO burial_transfers(deceased_id, from_kind, "
         "from_id, to_cemetery_id, plot_id, note, created_by, want_kind, "
         "relative_name, relation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
         "RETURNING id, created_at",
         NULL},
    [Q_TRANSFER_GET] = {"transfer.transfer_get",
                        "SELECT " TRANSFER_COLS
                        " FROM burial_transfers WHERE id = ?",
                        NULL},
    [Q_TRANSFER_DECIDE] =
        {"transfer.transfer_decide",
         "UPDATE burial_transfers SET state = ?1, plot_id = "
         "COALESCE(?2, plot_id), reason = ?3, decided_by = ?4, "
         "decided_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = "
         "?5 AND state = 'pending'",
         NULL},
    [Q_TRANSFER_LIST_DECEASED] = {"transfer.transfer_list_deceased",
                                  "SELECT " TRANSFER_COLS
                                  " FROM burial_transfers WHERE "
                                  "deceased_id = ? ORDER BY id LIMIT 200",
                                  NULL},
    [Q_TRANSFER_LIST_TO_1] = {"transfer.transfer_list_to_1",
                              "SELECT " TRANSFER_COLS
                              " FROM burial_transfers WHERE to_cemetery_id "
                              "= ?1 ORDER BY id DESC LIMIT ?3",
                              NULL},
    [Q_TRANSFER_LIST_TO_2] = {"transfer.transfer_list_to_2",
                              "SELECT " TRANSFER_COLS
                              " FROM burial_transfers WHERE to_cemetery_id "
                              "= ?1 AND state = ?2 ORDER BY id DESC LIMIT "
                              "?3",
                              NULL},
    [Q_TRANSFER_LIST_FROM_1] = {"transfer.transfer_list_from_1",
                                "SELECT " TRANSFER_COLS
                                " FROM burial_transfers WHERE from_kind = ?1 "
                                "AND from_id = ?2 ORDER BY id DESC LIMIT ?4",
                                NULL},
    [Q_TRANSFER_LIST_FROM_2] = {"transfer.transfer_list_from_2",
                                "SELECT " TRANSFER_COLS
                                " FROM burial_transfers WHERE from_kind = ?1 "
                                "AND from_id = ?2 AND state = ?3 ORDER BY id "
                                "DESC LIMIT ?4",
                                NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_transfer_sql[q].sql)

static void transfer_row(sqlite3_stmt *q, void *item)
{
	struct burial_transfer *t = item;
	int s = transfer_state_parse(store_col_text(q, 6));

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(q, 0);
	t->deceased_id = sqlite3_column_int64(q, 1);
	t->from_kind = strcmp(store_col_text(q, 2), "cemetery") == 0
	                   ? TRANSFER_FROM_CEMETERY
	                   : TRANSFER_FROM_AGENCY;
	t->from_id = sqlite3_column_int64(q, 3);
	t->to_cemetery_id = sqlite3_column_int64(q, 4);
	t->plot_id = sqlite3_column_int64(q, 5);
	t->state = s < 0 ? TRANSFER_CANCELLED : (enum transfer_state)s;
	STORE_COPY(t->note, q, 7);
	STORE_COPY(t->reason, q, 8);
	t->created_by = sqlite3_column_int64(q, 9);
	STORE_COPY(t->created_at, q, 10);
	t->decided_by = sqlite3_column_int64(q, 11);
	STORE_COPY(t->decided_at, q, 12);
	s = plot_kind_parse(store_col_text(q, 13));
	t->has_kind = s >= 0;
	t->want_kind = s < 0 ? PLOT_GRAVE : (enum plot_kind)s;
	STORE_COPY(t->relative_name, q, 14);
	s = alloc_relation_parse(store_col_text(q, 15));
	t->relation = s < 0 ? REL_NONE : (enum alloc_relation)s;
}

int store_transfer_insert(struct store *st, struct burial_transfer *t)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRANSFER_INSERT));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, t->deceased_id);
	sqlite3_bind_text(q, 2, transfer_from_name(t->from_kind), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, t->from_id);
	sqlite3_bind_int64(q, 4, t->to_cemetery_id);
	if (t->plot_id)
		sqlite3_bind_int64(q, 5, t->plot_id);
	sqlite3_bind_text(q, 6, t->note, -1, SQLITE_STATIC);
	if (t->created_by)
		sqlite3_bind_int64(q, 7, t->created_by);
	if (t->has_kind)
		sqlite3_bind_text(q, 8, plot_kind_name(t->want_kind), -1,
		                  SQLITE_STATIC);
	sqlite3_bind_text(q, 9, t->relative_name, -1, SQLITE_STATIC);
	if (t->relation != REL_NONE)
		sqlite3_bind_text(q, 10, alloc_relation_name(t->relation), -1,
		                  SQLITE_STATIC);
	return store_step_returning(q, &t->id, t->created_at,
	                            sizeof(t->created_at));
}

int store_transfer_get(struct store *st, int64_t id,
                       struct burial_transfer *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRANSFER_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return store_one(q, transfer_row, out);
}

int store_transfer_decide(struct store *st, int64_t id, enum transfer_state to,
                          int64_t plot_id, const char *reason, int64_t actor)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRANSFER_DECIDE));

	if (!q)
		return ERR_DB;
	return store_decide(st, q, transfer_state_name(to), plot_id, reason,
	                    actor, id);
}

int store_transfer_list_deceased(struct store *st, int64_t deceased_id,
                                 GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRANSFER_LIST_DECEASED));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, deceased_id);
	return store_collect(q, transfer_row, out);
}

int store_transfer_list_to(struct store *st, int64_t cemetery_id, int state,
                           int limit, GArray *out)
{
	sqlite3_stmt *q = state < 0 ? store_stmt(st, SQL(Q_TRANSFER_LIST_TO_1))
	                            : store_stmt(st, SQL(Q_TRANSFER_LIST_TO_2));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	if (state >= 0)
		sqlite3_bind_text(
		    q, 2, transfer_state_name((enum transfer_state)state), -1,
		    SQLITE_STATIC);
	sqlite3_bind_int(q, 3, limit);
	return store_collect(q, transfer_row, out);
}

int store_transfer_list_from(struct store *st, enum transfer_from kind,
                             int64_t id, int state, int limit, GArray *out)
{
	sqlite3_stmt *q = state < 0
	                      ? store_stmt(st, SQL(Q_TRANSFER_LIST_FROM_1))
	                      : store_stmt(st, SQL(Q_TRANSFER_LIST_FROM_2));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, transfer_from_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	if (state >= 0)
		sqlite3_bind_text(
		    q, 3, transfer_state_name((enum transfer_state)state), -1,
		    SQLITE_STATIC);
	sqlite3_bind_int(q, 4, limit);
	return store_collect(q, transfer_row, out);
}
