/* api_org.c — funeral agencies, halls, cemeteries and their public
 * service items with prices. Reading is public (the civil-affairs rules
 * require fees to be published); changes need agency.edit/cemetery.edit.
 */
#include "access.h"
#include "api.h"
#include "api_memorial.h"
#include "app.h"
#include "auth.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "store.h"
#include "store_org.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static enum org_kind kind_of(struct http_req *req)
{
	return strncmp(req->path, "/api/agencies", 13) == 0 ? ORG_AGENCY
	                                                    : ORG_CEMETERY;
}

json_t *api_org_json(const struct org *o)
{
	json_t *j = json_pack(
	    "{s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)o->id, "kind",
	    store_org_kind_name(o->kind), "name", o->name, "region_code",
	    o->region_code, "address", o->address, "phone", o->phone);

	if (o->has_geo) {
		jsonx_put(&j, "lat", json_real(o->lat));
		jsonx_put(&j, "lng", json_real(o->lng));
	}
	return j;
}

json_t *api_service_json(const struct service_item *s)
{
	return json_pack(
	    "{s:I,s:s,s:I,s:s,s:s,s:s,s:I,s:s,s:b}", "id", (json_int_t)s->id,
	    "org_kind", store_org_kind_name(s->org_kind), "org_id",
	    (json_int_t)s->org_id, "code", s->code, "name", s->name,
	    "description", s->description, "price_cents",
	    (json_int_t)s->price_cents, "unit", s->unit, "active", s->active);
}

static int edit_right(const struct actor *a, enum org_kind k, int64_t id)
{
	struct access_obj obj = {.id = id};

	if (k == ORG_AGENCY) {
		obj.agency_id = id;
		return access_check(a, ACT_AGENCY_EDIT, &obj);
	}
	obj.cemetery_id = id;
	return access_check(a, ACT_CEMETERY_EDIT, &obj);
}

static void list_orgs(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	GArray *orgs = g_array_new(FALSE, FALSE, sizeof(struct org));
	enum org_kind k = kind_of(req);
	json_t *arr = store_ok(store_org_list(app->store, k, orgs),
	                       "listing organisations")
	                  ? json_array()
	                  : NULL;

	for (guint i = 0; arr && i < orgs->len; i++)
		jsonx_push(&arr,
		           api_org_json(&g_array_index(orgs, struct org, i)));
	g_array_free(orgs, TRUE);
	http_resp_json(resp, 200,
	               json_pack("{s:o}",
	                         k == ORG_AGENCY ? "agencies" : "cemeteries",
	                         arr));
}

static json_t *halls_json(struct app *app, int64_t agency_id)
{
	GArray *halls = g_array_new(FALSE, FALSE, sizeof(struct hall));
	json_t *arr =
	    store_ok(store_org_hall_list(app->store, agency_id, halls),
	             "listing an agency's halls")
	        ? json_array()
	        : NULL;

	for (guint i = 0; arr && i < halls->len; i++) {
		struct hall *h = &g_array_index(halls, struct hall, i);

		jsonx_push(&arr, json_pack("{s:I,s:s}", "id", (json_int_t)h->id,
		                           "name", h->name));
	}
	g_array_free(halls, TRUE);
	return arr;
}

int api_org_find(struct app *app, struct http_req *req, struct http_resp *resp,
                 enum org_kind k, struct org *o)
{
	int64_t id;
	int rc = http_param_id(req, "id", &id)
	             ? ERR_NOT_FOUND
	             : store_org_get(app->store, k, id, o);

	if (rc)
		http_resp_lookup(resp, rc, "no such %s",
		                 store_org_kind_name(k));
	return rc;
}

static void get_org(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	enum org_kind k = kind_of(req);
	struct org o;
	int64_t id;
	json_t *j;

	if (api_org_find(app, req, resp, k, &o))
		return;
	id = o.id;
	j = api_org_json(&o);
	if (k == ORG_AGENCY)
		jsonx_put(&j, "halls", halls_json(app, id));
	http_resp_json(resp, 200, j);
}

/* Read and check org fields from j into o (create: all required). */
static int org_fields(json_t *j, struct org *o, bool create,
                      struct err_detail *e)
{
	static const char *const keys[] = {
	    "name", "region_code", "address", "phone", "lat", "lng", NULL};
	const char *name, *region, *address, *phone;
	json_t *lat = json_object_get(j, "lat"),
	       *lng = json_object_get(j, "lng");
	int rc;

	if ((rc = jsonx_only(j, keys, e)) ||
	    (rc = jsonx_text(j, TEXT_ORG_NAME, create, o->name, &name, e)) ||
	    (rc = jsonx_str(j, "region_code", create, 6, 6, o->region_code,
	                    &region, e)) ||
	    (rc = jsonx_text(j, TEXT_ORG_ADDRESS, false, o->address, &address,
	                     e)) ||
	    (rc = jsonx_text(j, TEXT_ORG_PHONE, false, o->phone, &phone, e)))
		return rc;
	for (const char *p = region; *p; p++)
		if (!isdigit((unsigned char)*p)) {
			return err_fail(
			    e, ERR_INVALID, NULL,
			    "region_code: must be 6 digits (GB/T 2260)");
		}
	if ((lat && !json_is_number(lat)) || (lng && !json_is_number(lng)) ||
	    (lat && fabs(json_number_value(lat)) > 90) ||
	    (lng && fabs(json_number_value(lng)) > 180) || (!lat != !lng)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "lat, lng: must be given together as "
		                "numbers in range");
	}
	snprintf(o->name, sizeof(o->name), "%s", name);
	snprintf(o->region_code, sizeof(o->region_code), "%s", region);
	snprintf(o->address, sizeof(o->address), "%s", address ? address : "");
	snprintf(o->phone, sizeof(o->phone), "%s", phone ? phone : "");
	if (lat) {
		o->has_geo = true;
		o->lat = json_number_value(lat);
		o->lng = json_number_value(lng);
	}
	return 0;
}

static void post_org(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct org o = {.kind = kind_of(req)};
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if (access_deny(resp,
	                access_check(auth_actor(req), ACT_ORG_CREATE, NULL)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = org_fields(j, &o, true, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if ((rc = store_org_create(app->store, &o, &o.id))) {
		http_resp_err(resp, rc, "cannot create");
		goto out;
	}
	if (store_ok(store_org_get(app->store, o.kind, o.id, &o),
	             "reading a new organisation back"))
		http_resp_json(resp, 201, api_org_json(&o));
	else
		http_resp_err(resp, ERR_DB, "cannot read it back");
out:
	json_decref(j);
}

static void patch_org(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	enum org_kind k = kind_of(req);
	struct org o;
	struct err_detail err = {0};
	json_t *j = NULL;
	int64_t id;
	int rc;

	if (api_org_find(app, req, resp, k, &o))
		return;
	id = o.id;
	if (access_deny(resp, edit_right(auth_actor(req), k, id)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = org_fields(j, &o, false, &err)) ||
	    (rc = store_org_update(app->store, &o))) {
		http_resp_err(resp, rc, "%s",
		              rc == ERR_INVALID ? err.msg : "cannot update");
		goto out;
	}
	if (k == ORG_CEMETERY) /* memorial pages show where they lie */
		api_memorial_changed(app, 0);
	http_resp_json(resp, 200, api_org_json(&o));
out:
	json_decref(j);
}

static void list_services(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	enum org_kind k = kind_of(req);
	GArray *items;
	json_t *arr;
	struct org o;
	int64_t id;
	bool all;

	if (api_org_find(app, req, resp, k, &o))
		return;
	id = o.id;
	/* ?all=1: its managers also see the items no longer offered */
	all =
	    http_query(req, "all") && strcmp(http_query(req, "all"), "1") == 0;
	if (all && access_deny(resp, edit_right(auth_actor(req), k, id)))
		return;
	items = g_array_new(FALSE, FALSE, sizeof(struct service_item));
	arr = store_ok(store_org_service_list(app->store, k, id, all, items),
	               "listing services")
	          ? json_array()
	          : NULL;
	for (guint i = 0; arr && i < items->len; i++)
		jsonx_push(&arr, api_service_json(&g_array_index(
		                     items, struct service_item, i)));
	g_array_free(items, TRUE);
	http_resp_json(
	    resp, 200,
	    json_pack("{s:o,s:o}", "org", api_org_json(&o), "services", arr));
}

/* The fields of a new item or the fields a PATCH changes, checked, into s.
 * A field left out keeps s's value: the checked values are gathered in a
 * copy, so a kept text is never copied onto itself (an overlapping
 * snprintf, which emptied it). */
static int service_fields(json_t *j, struct service_item *s, bool create,
                          struct err_detail *e)
{
	static const char *const keys[] = {"code",        "name", "description",
	                                   "price_cents", "unit", "active",
	                                   NULL};
	const char *code = s->code, *name, *desc, *unit;
	struct service_item n = *s;
	bool active;
	int rc;

	if ((rc = jsonx_only(j, keys, e)) ||
	    (create &&
	     (rc = jsonx_text(j, TEXT_SERVICE_CODE, true, NULL, &code, e))) ||
	    (rc =
	         jsonx_text(j, TEXT_SERVICE_NAME, create, s->name, &name, e)) ||
	    (rc = jsonx_text(j, TEXT_SERVICE_DESC, false, s->description, &desc,
	                     e)) ||
	    (rc = jsonx_int(j, "price_cents", create, 0, 100000000,
	                    s->price_cents, &n.price_cents, e)) ||
	    (rc = jsonx_text(j, TEXT_SERVICE_UNIT, false,
	                     s->unit[0] ? s->unit : "次", &unit, e)) ||
	    (rc = jsonx_bool(j, "active", false, create ? true : s->active,
	                     &active, e)))
		return rc;
	snprintf(n.code, sizeof(n.code), "%s", code);
	snprintf(n.name, sizeof(n.name), "%s", name);
	snprintf(n.description, sizeof(n.description), "%s", desc ? desc : "");
	snprintf(n.unit, sizeof(n.unit), "%s", unit);
	n.active = active;
	*s = n;
	return 0;
}

static void post_service(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	struct service_item s = {.org_kind = kind_of(req)};
	struct org o;
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if ((rc = http_param_id(req, "id", &s.org_id)
	              ? ERR_NOT_FOUND
	              : store_org_get(app->store, s.org_kind, s.org_id, &o))) {
		http_resp_lookup(resp, rc, "no such organisation");
		return;
	}
	if (access_deny(resp,
	                edit_right(auth_actor(req), s.org_kind, s.org_id)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = service_fields(j, &s, true, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	rc = store_org_service_create(app->store, &s, &s.id);
	if (rc) {
		http_resp_err(resp, rc,
		              rc == ERR_CONFLICT ? "code: already used here"
		                                 : "cannot create");
		goto out;
	}
	http_resp_json(resp, 201, api_service_json(&s));
out:
	json_decref(j);
}

static void patch_service(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct service_item s;
	struct err_detail err = {0};
	json_t *j = NULL;
	int64_t id;
	int rc;

	if ((rc = http_param_id(req, "id", &id)
	              ? ERR_NOT_FOUND
	              : store_org_service_get(app->store, id, &s))) {
		http_resp_lookup(resp, rc, "no such service item");
		return;
	}
	if (access_deny(resp,
	                edit_right(auth_actor(req), s.org_kind, s.org_id)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = service_fields(j, &s, false, &err)) ||
	    (rc = store_org_service_update(app->store, &s))) {
		http_resp_err(resp, rc, "%s",
		              rc == ERR_INVALID ? err.msg : "cannot update");
		goto out;
	}
	http_resp_json(resp, 200, api_service_json(&s));
out:
	json_decref(j);
}

static void post_hall(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const char *name;
	struct err_detail err = {0};
	json_t *j = NULL;
	struct org o;
	int64_t id, hid;
	int rc;

	if (api_org_find(app, req, resp, ORG_AGENCY, &o))
		return;
	id = o.id;
	if (access_deny(resp, edit_right(auth_actor(req), ORG_AGENCY, id)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_text(j, TEXT_HALL_NAME, true, NULL, &name, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if ((rc = store_org_hall_create(app->store, id, name, &hid))) {
		http_resp_err(resp, rc,
		              rc == ERR_CONFLICT ? "name: a hall of that name "
		                                   "exists"
		                                 : "cannot create");
		goto out;
	}
	http_resp_json(resp, 201,
	               json_pack("{s:I,s:I,s:s}", "id", (json_int_t)hid,
	                         "agency_id", (json_int_t)id, "name", name));
out:
	json_decref(j);
}

int api_org_routes(struct router *r)
{
	static const char *const pats[2][5] = {
	    {"/api/agencies", "/api/agencies/{id}",
	     "/api/agencies/{id}/services"},
	    {"/api/cemeteries", "/api/cemeteries/{id}",
	     "/api/cemeteries/{id}/services"},
	};
	int rc = 0;

	for (int k = 0; k < 2; k++) {
		rc |= router_add(r, "GET", pats[k][0], list_orgs, 0);
		rc |= router_add(r, "POST", pats[k][0], post_org, 0);
		rc |= router_add(r, "GET", pats[k][1], get_org, 0);
		rc |= router_add(r, "PATCH", pats[k][1], patch_org, 0);
		rc |= router_add(r, "GET", pats[k][2], list_services, 0);
		rc |= router_add(r, "POST", pats[k][2], post_service, 0);
	}
	rc |= router_add(r, "PATCH", "/api/services/{id}", patch_service, 0);
	rc |= router_add(r, "POST", "/api/agencies/{id}/halls", post_hall, 0);
	return rc ? -1 : 0;
}
