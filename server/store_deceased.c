/* store_deceased.c — the SQL behind deceased records and their events.
 *
 * Owns queries on deceased and deceased_events. It never decides anything:
 * order rules live in deceased.c. Plots are store_plot.c's.
 */
#include "store_deceased.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define DECEASED_COLS                                                          \
	"d.id, d.name, d.gender, d.birth_date, d.death_date, "                 \
	"d.native_place, d.id_masked, d.agency_id, d.plot_id, d.ext_id, "      \
	"d.created_by, d.created_at, d.updated_at, "                           \
	"COALESCE(d.cemetery_id, 0)"

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
	Q_DECEASED_IN_PLOT,
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
    [Q_DECEASED_IN_PLOT] = {"deceased.deceased_in_plot",
                            "SELECT " DECEASED_COLS " FROM deceased d WHERE "
                            "d.plot_id = ? ORDER BY d.id",
                            NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_deceased_sql[q].sql)

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
	store_bind_id(q, 9, d->agency_id);
	bind_text_or_null(q, 10, d->ext_id);
	store_bind_id(q, 11, d->created_by);
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
	store_bind_id(q, 1, plot_id);
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

int store_deceased_event_list(struct store *st, int64_t deceased_id,
                              GArray *out)
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

int store_deceased_event_insert(struct store *st,
                                const struct deceased_event *ev,
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
	store_bind_id(q, 7, ev->plot_id);
	store_bind_id(q, 8, created_by);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

int store_deceased_in_plot(struct store *st, int64_t plot_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_DECEASED_IN_PLOT));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, plot_id);
	return collect_deceased(q, out);
}
