/* store_grave.c — the SQL behind grave requests.
 *
 * Owns queries on grave_requests, and the update of a memorial's record
 * that confirming a request by record makes. Decides nothing: the rules
 * are grave.c's, the rights access.c's.
 */
#include "store_grave.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define GRAVE_COLS                                                             \
	"id, memorial_id, cemetery_id, section, row, number, "                 \
	"COALESCE(record_id, 0), note, state, reason, COALESCE(plot_id, 0), "  \
	"COALESCE(created_by, 0), created_at, COALESCE(decided_by, 0), "       \
	"COALESCE(decided_at, '')"

enum {
	Q_GRAVE_INSERT,
	Q_GRAVE_GET,
	Q_GRAVE_DECIDE,
	Q_GRAVE_LIST_MEMORIAL,
	Q_GRAVE_LIST_CEMETERY_1,
	Q_GRAVE_LIST_CEMETERY_2,
	Q_GRAVE_SET_RECORD,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_grave_sql[] = {
    [Q_GRAVE_INSERT] = {"grave.insert",
                        "INSERT INTO grave_requests(memorial_id, "
                        "cemetery_id, section, row, number, record_id, "
                        "note, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "RETURNING id, created_at",
                        NULL},
    [Q_GRAVE_GET] = {"grave.get",
                     "SELECT " GRAVE_COLS " FROM grave_requests WHERE id = ?",
                     NULL},
    [Q_GRAVE_DECIDE] =
        {"grave.decide",
         "UPDATE grave_requests SET state = ?1, plot_id = ?2, reason = ?3, "
         "decided_by = ?4, decided_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
         "'now') WHERE id = ?5 AND state = 'pending'",
         NULL},
    [Q_GRAVE_LIST_MEMORIAL] = {"grave.list_memorial",
                               "SELECT " GRAVE_COLS
                               " FROM grave_requests WHERE memorial_id = ? "
                               "ORDER BY id DESC LIMIT 50",
                               NULL},
    [Q_GRAVE_LIST_CEMETERY_1] = {"grave.list_cemetery_1",
                                 "SELECT " GRAVE_COLS
                                 " FROM grave_requests WHERE cemetery_id = "
                                 "?1 ORDER BY id DESC LIMIT ?3",
                                 NULL},
    [Q_GRAVE_LIST_CEMETERY_2] = {"grave.list_cemetery_2",
                                 "SELECT " GRAVE_COLS
                                 " FROM grave_requests WHERE cemetery_id = "
                                 "?1 AND state = ?2 ORDER BY id DESC LIMIT "
                                 "?3",
                                 NULL},
    [Q_GRAVE_SET_RECORD] = {"grave.set_record",
                            "UPDATE memorials SET deceased_id = ?, "
                            "search_latin = '', updated_at = "
                            "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE "
                            "id = ?",
                            NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_grave_sql[q].sql)

static void grave_row(sqlite3_stmt *q, void *item)
{
	struct grave_request *r = item;
	int s = grave_state_parse(store_col_text(q, 8));

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(q, 0);
	r->memorial_id = sqlite3_column_int64(q, 1);
	r->cemetery_id = sqlite3_column_int64(q, 2);
	STORE_COPY(r->section, q, 3);
	STORE_COPY(r->row, q, 4);
	STORE_COPY(r->number, q, 5);
	r->record_id = sqlite3_column_int64(q, 6);
	STORE_COPY(r->note, q, 7);
	r->state = s < 0 ? GRAVE_REFUSED : (enum grave_state)s;
	STORE_COPY(r->reason, q, 9);
	r->plot_id = sqlite3_column_int64(q, 10);
	r->created_by = sqlite3_column_int64(q, 11);
	STORE_COPY(r->created_at, q, 12);
	r->decided_by = sqlite3_column_int64(q, 13);
	STORE_COPY(r->decided_at, q, 14);
}

int store_grave_insert(struct store *st, struct grave_request *r)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GRAVE_INSERT));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, r->memorial_id);
	sqlite3_bind_int64(q, 2, r->cemetery_id);
	sqlite3_bind_text(q, 3, r->section, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, r->row, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, r->number, -1, SQLITE_STATIC);
	if (r->record_id)
		sqlite3_bind_int64(q, 6, r->record_id);
	sqlite3_bind_text(q, 7, r->note, -1, SQLITE_STATIC);
	if (r->created_by)
		sqlite3_bind_int64(q, 8, r->created_by);
	return store_step_returning(q, &r->id, r->created_at,
	                            sizeof(r->created_at));
}

int store_grave_get(struct store *st, int64_t id, struct grave_request *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GRAVE_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return store_one(q, grave_row, out);
}

int store_grave_decide(struct store *st, int64_t id, enum grave_state to,
                       int64_t plot_id, const char *reason, int64_t actor)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GRAVE_DECIDE));

	if (!q)
		return ERR_DB;
	return store_decide(st, q, grave_state_name(to), plot_id, reason, actor,
	                    id);
}

int store_grave_list_memorial(struct store *st, int64_t memorial_id,
                              GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GRAVE_LIST_MEMORIAL));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	return store_collect(q, grave_row, out);
}

int store_grave_list_cemetery(struct store *st, int64_t cemetery_id, int state,
                              int limit, GArray *out)
{
	sqlite3_stmt *q =
	    store_stmt(st, state < 0 ? SQL(Q_GRAVE_LIST_CEMETERY_1)
	                             : SQL(Q_GRAVE_LIST_CEMETERY_2));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	if (state >= 0)
		sqlite3_bind_text(q, 2,
		                  grave_state_name((enum grave_state)state), -1,
		                  SQLITE_STATIC);
	sqlite3_bind_int(q, 3, limit);
	return store_collect(q, grave_row, out);
}

int store_grave_set_record(struct store *st, int64_t memorial_id,
                           int64_t record_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_GRAVE_SET_RECORD));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, record_id);
	sqlite3_bind_int64(q, 2, memorial_id);
	return store_step_changed(st, q);
}
