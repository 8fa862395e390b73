/* store_plot.c — the SQL behind a cemetery's burial plots.
 *
 * Owns queries on plots. It never decides anything: occupancy rules live
 * in plot.c, allocation in alloc.c. Who lies in a plot is a question about
 * deceased records (store_deceased_in_plot()).
 */
#include "store_plot.h"
#include "alloc.h"
#include "err.h"
#include "store.h"

#include <string.h>

#define PLOT_COLS                                                              \
	"id, cemetery_id, section, row, number, kind, capacity, occupied, "    \
	"status, lat, lng, created_at, accessible"

enum {
	Q_PLOT_INSERT,
	Q_PLOT_GET,
	Q_PLOT_SET_OCCUPANCY,
	Q_PLOT_LIST,
	Q_PLOT_LIST_STATUS,
	Q_PLOT_OPEN,
	Q_PLOT_SECTIONS,
	Q_PLOT_OF_NAME,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_plot_sql[] = {
    [Q_PLOT_INSERT] =
        {"plot.plot_insert",
         "INSERT INTO plots(cemetery_id, section, row, number, kind, "
         "capacity, status, lat, lng, accessible) VALUES (?, ?, ?, ?, ?, ?, "
         "?, ?, ?, ?)",
         NULL},
    [Q_PLOT_GET] = {"plot.plot_get",
                    "SELECT " PLOT_COLS " FROM plots WHERE id = ?", NULL},
    [Q_PLOT_SET_OCCUPANCY] =
        {"plot.plot_set_occupancy",
         "UPDATE plots SET occupied = ?, status = ? WHERE id = ?", NULL},
    [Q_PLOT_LIST] = {"plot.plot_list",
                     "SELECT " PLOT_COLS " FROM plots WHERE cemetery_id = ?1 "
                     "ORDER BY section, row, number LIMIT 5000",
                     NULL},
    [Q_PLOT_LIST_STATUS] = {"plot.plot_list_status",
                            "SELECT " PLOT_COLS
                            " FROM plots WHERE cemetery_id = ?1 AND "
                            "status = ?2 ORDER BY section, row, number "
                            "LIMIT 5000",
                            NULL},
    [Q_PLOT_OPEN] = {"plot.plot_open",
                     "SELECT " PLOT_COLS " FROM plots WHERE cemetery_id = ?1 "
                     "AND status != 'reserved' AND occupied < capacity "
                     "ORDER BY id LIMIT ?2",
                     NULL},
    [Q_PLOT_SECTIONS] = {"plot.plot_sections",
                         "SELECT section, SUM(capacity), SUM(occupied) FROM "
                         "plots WHERE cemetery_id = ?1 GROUP BY section "
                         "LIMIT ?2",
                         NULL},
    [Q_PLOT_OF_NAME] = {"plot.plot_of_name",
                        "SELECT " PLOT_COLS " FROM plots WHERE cemetery_id = "
                        "?1 AND id IN (SELECT plot_id FROM deceased WHERE "
                        "cemetery_id = ?1 AND name = ?2 AND id != ?3 AND "
                        "plot_id IS NOT NULL) ORDER BY id LIMIT ?4",
                        NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_plot_sql[q].sql)

int store_plot_insert(struct store *st, const struct plot *p, int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PLOT_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, p->cemetery_id);
	sqlite3_bind_text(q, 2, p->section, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, p->row, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, p->number, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, plot_kind_name(p->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 6, p->capacity);
	sqlite3_bind_text(q, 7, plot_status_name(p->status), -1, SQLITE_STATIC);
	if (p->has_geo) {
		sqlite3_bind_double(q, 8, p->lat);
		sqlite3_bind_double(q, 9, p->lng);
	}
	sqlite3_bind_int(q, 10, p->accessible ? 1 : 0);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

static void plot_row(sqlite3_stmt *q, struct plot *p)
{
	int k = plot_kind_parse(store_col_text(q, 5));
	int s = plot_status_parse(store_col_text(q, 8));

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(q, 0);
	p->cemetery_id = sqlite3_column_int64(q, 1);
	STORE_COPY(p->section, q, 2);
	STORE_COPY(p->row, q, 3);
	STORE_COPY(p->number, q, 4);
	p->kind = k < 0 ? PLOT_GRAVE : (enum plot_kind)k;
	p->capacity = sqlite3_column_int(q, 6);
	p->occupied = sqlite3_column_int(q, 7);
	p->status = s < 0 ? PLOT_FREE : (enum plot_status)s;
	p->has_geo = sqlite3_column_type(q, 9) != SQLITE_NULL;
	p->lat = sqlite3_column_double(q, 9);
	p->lng = sqlite3_column_double(q, 10);
	STORE_COPY(p->created_at, q, 11);
	p->accessible = sqlite3_column_int(q, 12) != 0;
}

int store_plot_get(struct store *st, int64_t id, struct plot *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PLOT_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		plot_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_plot_set_occupancy(struct store *st, int64_t id, int occupied,
                             enum plot_status status)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PLOT_SET_OCCUPANCY));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int(q, 1, occupied);
	sqlite3_bind_text(q, 2, plot_status_name(status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, id);
	return store_step_done(q);
}

/* Plots of one statement (bound by the caller) into out. */
static int collect_plots(sqlite3_stmt *q, GArray *out)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct plot p;

		plot_row(q, &p);
		g_array_append_val(out, p);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_plot_list(struct store *st, int64_t cemetery_id, int status,
                    GArray *out)
{
	sqlite3_stmt *q =
	    store_stmt(st, SQL(status < 0 ? Q_PLOT_LIST : Q_PLOT_LIST_STATUS));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	if (status >= 0)
		sqlite3_bind_text(q, 2,
		                  plot_status_name((enum plot_status)status),
		                  -1, SQLITE_STATIC);
	return collect_plots(q, out);
}

int store_plot_list_open(struct store *st, int64_t cemetery_id, int limit,
                         GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PLOT_OPEN));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	sqlite3_bind_int(q, 2, limit);
	return collect_plots(q, out);
}

int store_plot_sections(struct store *st, int64_t cemetery_id, int limit,
                        GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PLOT_SECTIONS));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	sqlite3_bind_int(q, 2, limit);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct alloc_section s = {0};

		STORE_COPY(s.section, q, 0);
		s.capacity = sqlite3_column_int(q, 1);
		s.occupied = sqlite3_column_int(q, 2);
		g_array_append_val(out, s);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_plot_of_name(struct store *st, int64_t cemetery_id, const char *name,
                       int64_t except, int limit, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PLOT_OF_NAME));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, except);
	sqlite3_bind_int(q, 4, limit);
	return collect_plots(q, out);
}
