/* store_deceased.c — the SQL behind deceased records, events and plots.
 *
 * Owns queries on deceased, deceased_events and plots. It never decides
 * anything: order rules live in deceased.c, allocation in plot.c.
 */
#include "store_deceased.h"
#include "err.h"
#include "store.h"
#include "alloc.h"

#include <stdio.h>
#include <string.h>

#define DECEASED_COLS                                                          \
	"d.id, d.name, d.gender, d.birth_date, d.death_date, "                 \
	"d.native_place, d.id_masked, d.agency_id, d.plot_id, d.ext_id, "      \
	"d.created_by, d.created_at, d.updated_at, "                           \
	"COALESCE(d.cemetery_id, 0)"

#define PLOT_COLS                                                              \
	"id, cemetery_id, section, row, number, kind, capacity, occupied, "    \
	"status, lat, lng, created_at, accessible"

enum {
	Q_DECEASED_INSERT,
	Q_DECEASED_GET,
	Q_DECEASED_ID_ENC,
	Q_DECEASED_TOUCH,
	Q_DECEASED_SET_PLOT,
	Q_DECEASED_LIST,
	Q_DECEASED_LIST_HELD,
	Q_DECEASED_SINCE,
	Q_DECEASED_SINCE_AGENCY,
	Q_DECEASED_MEMORIAL,
	Q_EVENT_LIST,
	Q_EVENT_INSERT,
	Q_PLOT_INSERT,
	Q_PLOT_GET,
	Q_PLOT_SET_OCCUPANCY,
	Q_PLOT_LIST,
	Q_PLOT_LIST_STATUS,
	Q_PLOT_OCCUPANTS,
	Q_PLOT_OPEN,
	Q_PLOT_SECTIONS,
	Q_PLOT_OF_NAME,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_deceased_sql[] = {
    [Q_DECEASED_INSERT] =
        {"deceased.deceased_insert",
         "INSERT INTO deceased(name, gender, birth_date, death_date, "
         "native_place, id_enc, id_masked, id_hash, agency_id, ext_id, "
         "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
         NULL},
    [Q_DECEASED_GET] = {"deceased.deceased_get",
                        "SELECT " DECEASED_COLS
                        " FROM deceased d WHERE d.id = ?",
                        NULL},
    [Q_DECEASED_ID_ENC] = {"deceased.deceased_id_enc",
                           "SELECT id_enc FROM deceased WHERE id = ?", NULL},
    [Q_DECEASED_TOUCH] =
        {"deceased.deceased_touch",
         "UPDATE deceased SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
         "'now') WHERE id = ?",
         NULL},
    [Q_DECEASED_SET_PLOT] =
        {"deceased.deceased_set_plot",
         "UPDATE deceased SET plot_id = ?1, cemetery_id = COALESCE("
         "(SELECT cemetery_id FROM plots WHERE id = ?1), cemetery_id), "
         "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = "
         "?2",
         NULL},
    [Q_DECEASED_LIST] = {"deceased.deceased_list",
                         "SELECT " DECEASED_COLS " FROM deceased d WHERE "
                         "d.agency_id = ?1 AND d.id < ?2 ORDER BY d.id "
                         "DESC LIMIT ?3",
                         NULL},
    [Q_DECEASED_LIST_HELD] = {"deceased.deceased_list_held",
                              "SELECT " DECEASED_COLS " FROM deceased d "
                              "WHERE d.cemetery_id = ?1 AND d.id < ?2 "
                              "ORDER BY d.id DESC LIMIT ?3",
                              NULL},
    [Q_DECEASED_SINCE] = {"deceased.deceased_since",
                          "SELECT " DECEASED_COLS " FROM deceased d WHERE "
                          "d.id > ?3 AND d.updated_at >= ?1 ORDER BY d.id "
                          "LIMIT ?4",
                          "the admin's export of every agency's records "
                          "changed since a date walks all records in id "
                          "order, a page at a time"},
    [Q_DECEASED_SINCE_AGENCY] = {"deceased.deceased_since_agency",
                                 "SELECT " DECEASED_COLS
                                 " FROM deceased d WHERE d.agency_id = ?2 "
                                 "AND d.id > ?3 AND d.updated_at >= ?1 "
                                 "ORDER BY d.id LIMIT ?4",
                                 NULL},
    [Q_DECEASED_MEMORIAL] = {"deceased.deceased_memorial",
                             "SELECT id FROM memorials WHERE deceased_id = ?",
                             NULL},
    [Q_EVENT_LIST] =
        {"deceased.event_list",
         "SELECT id, deceased_id, kind, at, place, note, until, "
         "plot_id, created_at FROM deceased_events WHERE deceased_id = "
         "? ORDER BY id",
         NULL},
    [Q_EVENT_INSERT] =
        {"deceased.event_insert",
         "INSERT INTO deceased_events(deceased_id, kind, at, place, "
         "note, until, plot_id, created_by) VALUES (?, ?, ?, ?, ?, ?, "
         "?, ?)",
         NULL},
    [Q_PLOT_INSERT] =
        {"deceased.plot_insert",
         "INSERT INTO plots(cemetery_id, section, row, number, kind, "
         "capacity, status, lat, lng, accessible) VALUES (?, ?, ?, ?, ?, ?, "
         "?, ?, ?, ?)",
         NULL},
    [Q_PLOT_GET] = {"deceased.plot_get",
                    "SELECT " PLOT_COLS " FROM plots WHERE id = ?", NULL},
    [Q_PLOT_SET_OCCUPANCY] =
        {"deceased.plot_set_occupancy",
         "UPDATE plots SET occupied = ?, status = ? WHERE id = ?", NULL},
    [Q_PLOT_LIST] = {"deceased.plot_list",
                     "SELECT " PLOT_COLS " FROM plots WHERE cemetery_id = ?1 "
                     "ORDER BY section, row, number LIMIT 5000",
                     NULL},
    [Q_PLOT_LIST_STATUS] = {"deceased.plot_list_status",
                            "SELECT " PLOT_COLS
                            " FROM plots WHERE cemetery_id = ?1 AND "
                            "status = ?2 ORDER BY section, row, number "
                            "LIMIT 5000",
                            NULL},
    [Q_PLOT_OCCUPANTS] = {"deceased.plot_occupants",
                          "SELECT " DECEASED_COLS " FROM deceased d WHERE "
                          "d.plot_id = ? ORDER BY d.id",
                          NULL},
    [Q_PLOT_OPEN] = {"deceased.plot_open",
                     "SELECT " PLOT_COLS " FROM plots WHERE cemetery_id = ?1 "
                     "AND status != 'reserved' AND occupied < capacity "
                     "ORDER BY id LIMIT ?2",
                     NULL},
    [Q_PLOT_SECTIONS] = {"deceased.plot_sections",
                         "SELECT section, SUM(capacity), SUM(occupied) FROM "
                         "plots WHERE cemetery_id = ?1 GROUP BY section "
                         "LIMIT ?2",
                         NULL},
    [Q_PLOT_OF_NAME] = {"deceased.plot_of_name",
                        "SELECT " PLOT_COLS " FROM plots WHERE cemetery_id = "
                        "?1 AND id IN (SELECT plot_id FROM deceased WHERE "
                        "cemetery_id = ?1 AND name = ?2 AND id != ?3 AND "
                        "plot_id IS NOT NULL) ORDER BY id LIMIT ?4",
                        NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_deceased_sql[q].sql)

static void bind_id_or_null(sqlite3_stmt *q, int col, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(q, col, id);
	else
		sqlite3_bind_null(q, col);
}

static void bind_text_or_null(sqlite3_stmt *q, int col, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(q, col, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, col);
}

int store_deceased_insert(struct store *st, const struct deceased *d,
                          const char *id_enc, const char *id_hash, int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_DECEASED_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, deceased_gender_name(d->gender), -1,
	                  SQLITE_STATIC);
	bind_text_or_null(q, 3, d->birth_date);
	sqlite3_bind_text(q, 4, d->death_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, d->native_place, -1, SQLITE_STATIC);
	bind_text_or_null(q, 6, id_enc);
	sqlite3_bind_text(q, 7, d->id_masked, -1, SQLITE_STATIC);
	bind_text_or_null(q, 8, id_hash);
	bind_id_or_null(q, 9, d->agency_id);
	bind_text_or_null(q, 10, d->ext_id);
	bind_id_or_null(q, 11, d->created_by);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

static void deceased_row(sqlite3_stmt *q, struct deceased *d)
{
	int g;

	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(q, 0);
	STORE_COPY(d->name, q, 1);
	g = deceased_gender_parse(store_col_text(q, 2));
	d->gender = g < 0 ? GENDER_UNKNOWN : (enum deceased_gender)g;
	STORE_COPY(d->birth_date, q, 3);
	STORE_COPY(d->death_date, q, 4);
	STORE_COPY(d->native_place, q, 5);
	STORE_COPY(d->id_masked, q, 6);
	d->agency_id = sqlite3_column_int64(q, 7);
	d->plot_id = sqlite3_column_int64(q, 8);
	STORE_COPY(d->ext_id, q, 9);
	d->created_by = sqlite3_column_int64(q, 10);
	STORE_COPY(d->created_at, q, 11);
	STORE_COPY(d->updated_at, q, 12);
	d->cemetery_id = sqlite3_column_int64(q, 13);
}

static int one_deceased(struct store *st, sqlite3_stmt *q, struct deceased *out)
{
	int rc = store_step_row(q);

	if (rc == 0)
		deceased_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_deceased_get(struct store *st, int64_t id, struct deceased *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_DECEASED_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return one_deceased(st, q, out);
}

int store_deceased_id_enc(struct store *st, int64_t id, char *out,
                          size_t outlen)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_DECEASED_ID_ENC));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		snprintf(out, outlen, "%s", store_col_text(q, 0));
	sqlite3_reset(q);
	return rc;
}

int store_deceased_touch(struct store *st, int64_t id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_DECEASED_TOUCH));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return store_step_done(q);
}

int store_deceased_set_plot(struct store *st, int64_t id, int64_t plot_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_DECEASED_SET_PLOT));

	if (!q)
		return ERR_DB;
	bind_id_or_null(q, 1, plot_id);
	sqlite3_bind_int64(q, 2, id);
	return store_step_done(q);
}

static int collect_deceased(sqlite3_stmt *q, GArray *out)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct deceased d;

		deceased_row(q, &d);
		g_array_append_val(out, d);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_deceased_list(struct store *st, int64_t agency_id,
                        int64_t cemetery_id, int64_t before, int limit,
                        GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, SQL(agency_id > 0 ? Q_DECEASED_LIST : Q_DECEASED_LIST_HELD));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, agency_id > 0 ? agency_id : cemetery_id);
	sqlite3_bind_int64(q, 2, store_cursor(before));
	sqlite3_bind_int(q, 3, limit);
	return collect_deceased(q, out);
}

int store_deceased_since(struct store *st, const char *since, int64_t agency_id,
                         int64_t after, int limit, GArray *out)
{
	sqlite3_stmt *q =
	    store_stmt(st, SQL(agency_id > 0 ? Q_DECEASED_SINCE_AGENCY
	                                     : Q_DECEASED_SINCE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, since, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, agency_id);
	sqlite3_bind_int64(q, 3, after);
	sqlite3_bind_int(q, 4, limit);
	return collect_deceased(q, out);
}

int store_deceased_memorial(struct store *st, int64_t id, int64_t *memorial_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_DECEASED_MEMORIAL));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	*memorial_id = 0;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*memorial_id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_event_list(struct store *st, int64_t deceased_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_EVENT_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, deceased_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct deceased_event ev = {0};
		int k = deceased_event_kind_parse(store_col_text(q, 2));

		ev.id = sqlite3_column_int64(q, 0);
		ev.deceased_id = sqlite3_column_int64(q, 1);
		ev.kind = k < 0 ? EV_REGISTERED : (enum event_kind)k;
		STORE_COPY(ev.at, q, 3);
		STORE_COPY(ev.place, q, 4);
		STORE_COPY(ev.note, q, 5);
		STORE_COPY(ev.until, q, 6);
		ev.plot_id = sqlite3_column_int64(q, 7);
		STORE_COPY(ev.created_at, q, 8);
		g_array_append_val(out, ev);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_event_insert(struct store *st, const struct deceased_event *ev,
                       int64_t created_by, int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_EVENT_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ev->deceased_id);
	sqlite3_bind_text(q, 2, deceased_event_kind_name(ev->kind), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(q, 3, ev->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, ev->place, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, ev->note, -1, SQLITE_STATIC);
	bind_text_or_null(q, 6, ev->until);
	bind_id_or_null(q, 7, ev->plot_id);
	bind_id_or_null(q, 8, created_by);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

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

int store_plot_occupants(struct store *st, int64_t plot_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PLOT_OCCUPANTS));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, plot_id);
	return collect_deceased(q, out);
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
