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
	sqlite3_stmt *q =
	    o->kind == ORG_AGENCY
	        ? store_stmt(st, "INSERT INTO agencies(name, "
	                         "region_code, address, phone) VALUES "
	                         "(?, ?, ?, ?)")
	        : store_stmt(st, "INSERT INTO cemeteries(name, "
	                         "region_code, address, phone, lat, "
	                         "lng) VALUES (?, ?, ?, ?, ?, ?)");
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
	sqlite3_stmt *q =
	    o->kind == ORG_AGENCY
	        ? store_stmt(st, "UPDATE agencies SET name = ?, "
	                         "region_code = ?, address = ?, phone "
	                         "= ? WHERE id = ?7")
	        : store_stmt(st, "UPDATE cemeteries SET name = ?, "
	                         "region_code = ?, address = ?, phone "
	                         "= ?, lat = ?, lng = ? WHERE id = ?7");

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
	sqlite3_stmt *q =
	    k == ORG_AGENCY
	        ? store_stmt(st, "SELECT id, name, region_code, "
	                         "address, phone, NULL, NULL, "
	                         "created_at FROM agencies WHERE id = ?")
	        : store_stmt(st, "SELECT id, name, region_code, "
	                         "address, phone, lat, lng, created_at "
	                         "FROM cemeteries WHERE id = ?");
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
	sqlite3_stmt *q =
	    k == ORG_AGENCY
	        ? store_stmt(st, "SELECT id, name, region_code, "
	                         "address, phone, NULL, NULL, "
	                         "created_at FROM agencies ORDER BY id "
	                         "LIMIT 1000")
	        : store_stmt(st, "SELECT id, name, region_code, "
	                         "address, phone, lat, lng, created_at "
	                         "FROM cemeteries ORDER BY id LIMIT "
	                         "1000");
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

int store_service_create(struct store *st, const struct service_item *s,
                         int64_t *id)
{
	sqlite3_stmt *q = store_stmt(
	    st, "INSERT INTO services(org_kind, org_id, code, name, "
	        "description, price_cents, unit) VALUES (?, ?, ?, ?, ?, ?, "
	        "?)");
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

int store_service_update(struct store *st, const struct service_item *s)
{
	sqlite3_stmt *q = store_stmt(
	    st, "UPDATE services SET name = ?, description = ?, "
	        "price_cents = ?, unit = ?, active = ? WHERE id = ?");

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

#define SERVICE_COLS                                                           \
	"id, org_kind, org_id, code, name, description, price_cents, unit, "   \
	"active"

int store_service_get(struct store *st, int64_t id, struct service_item *out)
{
	sqlite3_stmt *q = store_stmt(st, "SELECT " SERVICE_COLS
	                                 " FROM services WHERE id = ?");
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

int store_service_list(struct store *st, enum org_kind k, int64_t org_id,
                       bool all, GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT " SERVICE_COLS " FROM services WHERE org_kind = ? "
	        "AND org_id = ? AND (active = 1 OR ?) ORDER BY id");
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

int store_hall_create(struct store *st, int64_t agency_id, const char *name,
                      int64_t *id)
{
	sqlite3_stmt *q =
	    store_stmt(st, "INSERT INTO halls(agency_id, name) VALUES (?, ?)");
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

int store_hall_list(struct store *st, int64_t agency_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT id, agency_id, name FROM halls WHERE agency_id = ? "
	        "ORDER BY id");
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

int store_hall_get(struct store *st, int64_t id, struct hall *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT id, agency_id, name FROM halls WHERE id = ?");
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
