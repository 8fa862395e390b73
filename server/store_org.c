/* store_org.c — the SQL behind organisations, halls and service items.
 *
 * Owns queries on agencies, cemeteries, halls and services. Both kinds of
 * organisation share struct org; the table is chosen by kind.
 */
#include "store_org.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define SERVICE_COLS                                                           \
	"id, org_kind, org_id, code, name, description, price_cents, unit, "   \
	"active"

enum {
	Q_ORG_CREATE_1,
	Q_ORG_CREATE_2,
	Q_ORG_UPDATE_1,
	Q_ORG_UPDATE_2,
	Q_ORG_GET_1,
	Q_ORG_GET_2,
	Q_ORG_LIST_1,
	Q_ORG_LIST_2,
	Q_SERVICE_CREATE,
	Q_SERVICE_UPDATE,
	Q_SERVICE_GET,
	Q_SERVICE_LIST,
	Q_HALL_CREATE,
	Q_HALL_LIST,
	Q_HALL_GET,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_org_sql[] = {
    [Q_ORG_CREATE_1] = {"org.org_create_1",
                        "INSERT INTO agencies(name, "
                        "region_code, address, phone) VALUES "
                        "(?, ?, ?, ?)",
                        NULL},
    [Q_ORG_CREATE_2] = {"org.org_create_2",
                        "INSERT INTO cemeteries(name, "
                        "region_code, address, phone, lat, "
                        "lng) VALUES (?, ?, ?, ?, ?, ?)",
                        NULL},
    [Q_ORG_UPDATE_1] = {"org.org_update_1",
                        "UPDATE agencies SET name = ?, "
                        "region_code = ?, address = ?, phone "
                        "= ? WHERE id = ?7",
                        NULL},
    [Q_ORG_UPDATE_2] = {"org.org_update_2",
                        "UPDATE cemeteries SET name = ?, "
                        "region_code = ?, address = ?, phone "
                        "= ?, lat = ?, lng = ? WHERE id = ?7",
                        NULL},
    [Q_ORG_GET_1] = {"org.org_get_1",
                     "SELECT id, name, region_code, "
                     "address, phone, NULL, NULL, "
                     "created_at FROM agencies WHERE id = ?",
                     NULL},
    [Q_ORG_GET_2] = {"org.org_get_2",
                     "SELECT id, name, region_code, "
                     "address, phone, lat, lng, created_at "
                     "FROM cemeteries WHERE id = ?",
                     NULL},
    [Q_ORG_LIST_1] = {"org.org_list_1",
                      "SELECT id, name, region_code, "
                      "address, phone, NULL, NULL, "
                      "created_at FROM agencies ORDER BY id "
                      "LIMIT 1000",
                      NULL},
    [Q_ORG_LIST_2] = {"org.org_list_2",
                      "SELECT id, name, region_code, "
                      "address, phone, lat, lng, created_at "
                      "FROM cemeteries ORDER BY id LIMIT "
                      "1000",
                      NULL},
    [Q_SERVICE_CREATE] =
        {"org.service_create",
         "INSERT INTO services(org_kind, org_id, code, name, "
         "description, price_cents, unit) VALUES (?, ?, ?, ?, ?, ?, "
         "?)",
         NULL},
    [Q_SERVICE_UPDATE] = {"org.service_update",
                          "UPDATE services SET name = ?, description = ?, "
                          "price_cents = ?, unit = ?, active = ? WHERE id = ?",
                          NULL},
    [Q_SERVICE_GET] = {"org.service_get",
                       "SELECT " SERVICE_COLS " FROM services WHERE id = ?",
                       NULL},
    [Q_SERVICE_LIST] = {"org.service_list",
                        "SELECT " SERVICE_COLS
                        " FROM services WHERE org_kind = ? "
                        "AND org_id = ? AND (active = 1 OR ?) ORDER BY id",
                        NULL},
    [Q_HALL_CREATE] = {"org.hall_create",
                       "INSERT INTO halls(agency_id, name) VALUES (?, ?)",
                       NULL},
    [Q_HALL_LIST] =
        {"org.hall_list",
         "SELECT id, agency_id, name FROM halls WHERE agency_id = ? "
         "ORDER BY id",
         NULL},
    [Q_HALL_GET] = {"org.hall_get",
                    "SELECT id, agency_id, name FROM halls WHERE id = ?", NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_org_sql[q].sql)

const char *store_org_kind_name(enum org_kind k)
{
	return k == ORG_AGENCY ? "agency" : "cemetery";
}

static void bind_org(sqlite3_stmt *q, const struct org *o)
{
	sqlite3_bind_text(q, 1, o->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, o->region_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, o->address, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, o->phone, -1, SQLITE_STATIC);
}

int store_org_create(struct store *st, const struct org *o, int64_t *id)
{
	sqlite3_stmt *q = o->kind == ORG_AGENCY
	                      ? store_stmt(st, SQL(Q_ORG_CREATE_1))
	                      : store_stmt(st, SQL(Q_ORG_CREATE_2));
	int rc;

	if (!q)
		return ERR_DB;
	bind_org(q, o);
	if (o->kind == ORG_CEMETERY && o->has_geo) {
		sqlite3_bind_double(q, 5, o->lat);
		sqlite3_bind_double(q, 6, o->lng);
	}
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

int store_org_update(struct store *st, const struct org *o)
{
	sqlite3_stmt *q = o->kind == ORG_AGENCY
	                      ? store_stmt(st, SQL(Q_ORG_UPDATE_1))
	                      : store_stmt(st, SQL(Q_ORG_UPDATE_2));

	if (!q)
		return ERR_DB;
	bind_org(q, o);
	if (o->kind == ORG_CEMETERY && o->has_geo) {
		sqlite3_bind_double(q, 5, o->lat);
		sqlite3_bind_double(q, 6, o->lng);
	}
	sqlite3_bind_int64(q, 7, o->id);
	return store_step_done(q);
}

static void org_row(sqlite3_stmt *q, enum org_kind k, struct org *o)
{
	memset(o, 0, sizeof(*o));
	o->kind = k;
	o->id = sqlite3_column_int64(q, 0);
	STORE_COPY(o->name, q, 1);
	STORE_COPY(o->region_code, q, 2);
	STORE_COPY(o->address, q, 3);
	STORE_COPY(o->phone, q, 4);
	o->has_geo = sqlite3_column_type(q, 5) != SQLITE_NULL;
	o->lat = sqlite3_column_double(q, 5);
	o->lng = sqlite3_column_double(q, 6);
	STORE_COPY(o->created_at, q, 7);
}

int store_org_get(struct store *st, enum org_kind k, int64_t id,
                  struct org *out)
{
	sqlite3_stmt *q = k == ORG_AGENCY ? store_stmt(st, SQL(Q_ORG_GET_1))
	                                  : store_stmt(st, SQL(Q_ORG_GET_2));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		org_row(q, k, out);
	sqlite3_reset(q);
	return rc;
}

int store_org_list(struct store *st, enum org_kind k, GArray *out)
{
	sqlite3_stmt *q = k == ORG_AGENCY ? store_stmt(st, SQL(Q_ORG_LIST_1))
	                                  : store_stmt(st, SQL(Q_ORG_LIST_2));
	int rc;

	if (!q)
		return ERR_DB;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct org o;

		org_row(q, k, &o);
		g_array_append_val(out, o);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_org_service_create(struct store *st, const struct service_item *s,
                             int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SERVICE_CREATE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, store_org_kind_name(s->org_kind), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, s->org_id);
	sqlite3_bind_text(q, 3, s->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, s->description, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, s->price_cents);
	sqlite3_bind_text(q, 7, s->unit, -1, SQLITE_STATIC);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

int store_org_service_update(struct store *st, const struct service_item *s)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SERVICE_UPDATE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, s->description, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, s->price_cents);
	sqlite3_bind_text(q, 4, s->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, s->active);
	sqlite3_bind_int64(q, 6, s->id);
	return store_step_done(q);
}

static void service_row(sqlite3_stmt *q, struct service_item *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(q, 0);
	s->org_kind = strcmp(store_col_text(q, 1), "agency") == 0
	                  ? ORG_AGENCY
	                  : ORG_CEMETERY;
	s->org_id = sqlite3_column_int64(q, 2);
	STORE_COPY(s->code, q, 3);
	STORE_COPY(s->name, q, 4);
	STORE_COPY(s->description, q, 5);
	s->price_cents = sqlite3_column_int64(q, 6);
	STORE_COPY(s->unit, q, 7);
	s->active = sqlite3_column_int(q, 8) != 0;
}

int store_org_service_get(struct store *st, int64_t id,
                          struct service_item *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SERVICE_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		service_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_org_service_list(struct store *st, enum org_kind k, int64_t org_id,
                           bool all, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SERVICE_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, store_org_kind_name(k), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, org_id);
	sqlite3_bind_int(q, 3, all);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct service_item s;

		service_row(q, &s);
		g_array_append_val(out, s);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_org_hall_create(struct store *st, int64_t agency_id, const char *name,
                          int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_HALL_CREATE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, agency_id);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

int store_org_hall_list(struct store *st, int64_t agency_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_HALL_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, agency_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct hall h;

		h.id = sqlite3_column_int64(q, 0);
		h.agency_id = sqlite3_column_int64(q, 1);
		STORE_COPY(h.name, q, 2);
		g_array_append_val(out, h);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_org_hall_get(struct store *st, int64_t id, struct hall *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_HALL_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0) {
		out->id = sqlite3_column_int64(q, 0);
		out->agency_id = sqlite3_column_int64(q, 1);
		STORE_COPY(out->name, q, 2);
	}
	sqlite3_reset(q);
	return rc;
}
