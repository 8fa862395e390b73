/* api_deceased.c — deceased records over HTTP: registration by a funeral
 * agency, reading (masked; unmasked with pii.view, audited), the timeline
 * of events, linking a burial plot, and the record's QR code.
 *
 * Parses and validates input, checks rights, calls deceased.c / plot.c and
 * renders JSON. ID numbers appear only masked unless revealed.
 */
#include "access.h"
#include "api.h"
#include "api_memorial.h"
#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "store.h"
#include "store_deceased.h"
#include "store_plot.h"
#include "store_org.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const gender_choices[] = {"unknown", "male", "female",
                                             "unspecified", NULL};

bool api_deceased_find(struct app *app, struct http_req *req,
                       struct http_resp *resp, struct deceased *d,
                       struct access_obj *obj)
{
	const struct actor *a = auth_actor(req);
	int64_t id;
	int rc;

	if (!a->user_id) {
		access_deny(resp, ERR_UNAUTHORIZED);
		return false;
	}
	/* record numbers count up: to one who may not read a record, it
	 * does not exist */
	rc = http_param_id(req, "id", &id)
	         ? ERR_NOT_FOUND
	         : memorial_deceased_readable(app->store, a, id, d, obj);
	if (rc) {
		http_resp_lookup(resp, rc, "no such deceased record");
		return false;
	}
	return true;
}

static json_t *event_json(const struct deceased_event *e)
{
	json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)e->id,
	                      "kind", deceased_event_kind_name(e->kind), "at",
	                      e->at, "place", e->place, "note", e->note);

	jsonx_put(&j, "until",
	          e->until[0] ? json_string(e->until) : json_null());
	jsonx_put(&j, "plot_id",
	          e->plot_id ? json_integer(e->plot_id) : json_null());
	return j;
}

static json_t *opt_str(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* The record as staff see it: masked ID, events, plot, memorial. */
static json_t *deceased_json(struct app *app, const struct deceased *d,
                             bool full)
{
	json_t *j = json_pack(
	    "{s:I,s:s,s:s,s:o,s:s,s:s,s:o,s:s,s:s}", "id", (json_int_t)d->id,
	    "name", d->name, "gender", deceased_gender_name(d->gender),
	    "birth_date", opt_str(d->birth_date), "death_date", d->death_date,
	    "native_place", d->native_place, "id_number_masked",
	    opt_str(d->id_masked), "created_at", d->created_at, "updated_at",
	    d->updated_at);
	GArray *evs;
	json_t *arr;
	struct plot p;
	int64_t mid = 0;

	jsonx_put(&j, "agency_id",
	          d->agency_id ? json_integer(d->agency_id) : json_null());
	jsonx_put(&j, "ext_id", opt_str(d->ext_id));
	jsonx_put(&j, "cemetery_id",
	          d->cemetery_id ? json_integer(d->cemetery_id) : json_null());
	jsonx_put(&j, "plot",
	          !d->plot_id ? json_null()
	          : store_ok(store_plot_get(app->store, d->plot_id, &p),
	                     "reading a record's plot")
	              ? api_plot_json(&p)
	              : NULL);
	jsonx_put(&j, "memorial_id",
	          !store_ok(store_deceased_memorial(app->store, d->id, &mid),
	                    "reading a record's memorial")
	              ? NULL
	          : mid ? json_integer(mid)
	                : json_null());
	if (!full || !j)
		return j;
	evs = g_array_new(FALSE, FALSE, sizeof(struct deceased_event));
	arr = json_array();
	if (!store_ok(store_deceased_event_list(app->store, d->id, evs),
	              "listing a record's events")) {
		json_decref(arr);
		arr = NULL;
	}
	for (guint i = 0; arr && i < evs->len; i++)
		jsonx_push(&arr, event_json(&g_array_index(
		                     evs, struct deceased_event, i)));
	g_array_free(evs, TRUE);
	jsonx_put(&j, "events", arr);
	return j;
}

int api_person_fields(json_t *j, struct deceased *d, struct err_detail *e)
{
	const char *name, *place;
	int gender, rc;

	if ((rc = jsonx_text(j, TEXT_DECEASED_NAME, true, NULL, &name, e)) ||
	    (rc = jsonx_enum(j, "gender", false, gender_choices, 0, &gender,
	                     e)) ||
	    (rc = jsonx_str_copy(j, "birth_date", false, 10, 10, "",
	                         d->birth_date, sizeof(d->birth_date), e)) ||
	    (rc = jsonx_str_copy(j, "death_date", true, 1, 10, NULL,
	                         d->death_date, sizeof(d->death_date), e)) ||
	    (rc = jsonx_text(j, TEXT_DECEASED_PLACE, false, "", &place, e)))
		return rc;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->gender = (enum deceased_gender)gender;
	snprintf(d->native_place, sizeof(d->native_place), "%s", place);
	return 0;
}

/* Fields of a new record from j into d; id_number borrowed from j. */
static int record_fields(json_t *j, struct deceased *d, const char **id_number,
                         struct err_detail *e)
{
	static const char *const keys[] = {
	    "agency_id",    "name",      "gender", "birth_date", "death_date",
	    "native_place", "id_number", "ext_id", NULL};
	const char *ext;
	char today[11];
	int rc;

	if ((rc = jsonx_only(j, keys, e)) ||
	    (rc = jsonx_int(j, "agency_id", true, 1, INT64_MAX, 0,
	                    &d->agency_id, e)) ||
	    (rc = api_person_fields(j, d, e)) ||
	    (rc =
	         jsonx_str(j, "id_number", false, 0, 18, NULL, id_number, e)) ||
	    (rc = jsonx_text(j, TEXT_DECEASED_EXT_ID, false, "", &ext, e)))
		return rc;
	snprintf(d->ext_id, sizeof(d->ext_id), "%s", ext);
	deceased_today(today);
	return deceased_validate(d, today, e);
}

static void post_deceased(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct deceased d = {0};
	struct access_obj obj = {0};
	const char *id_number = NULL;
	struct err_detail err = {0};
	struct org o;
	json_t *j = NULL;
	int rc;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = record_fields(j, &d, &id_number, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if ((rc = store_org_get(app->store, ORG_AGENCY, d.agency_id, &o))) {
		http_resp_lookup(resp, rc, "agency_id: no such agency");
		goto out;
	}
	obj.agency_id = d.agency_id;
	if (access_deny(resp, access_check(a, ACT_DECEASED_CREATE, &obj)))
		goto out;
	d.created_by = a->user_id;
	if ((rc = deceased_create(app->store, app->crypto, &d, id_number,
	                          &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		goto out;
	}
	if (store_ok(store_deceased_get(app->store, d.id, &d),
	             "reading a new record back"))
		http_resp_json(resp, 201, deceased_json(app, &d, true));
	else
		http_resp_err(resp, ERR_DB, "cannot read the record back");
out:
	json_decref(j);
}

/* ?reveal=1: the ID number in clear, for holders of pii.view (audited). */
static int reveal(struct app *app, struct http_req *req,
                  const struct deceased *d, const struct access_obj *obj,
                  json_t **j)
{
	const struct actor *a = auth_actor(req);
	const char *r = http_query(req, "reveal");
	char *clear;
	int rc;

	if (!r || strcmp(r, "1") != 0)
		return 0;
	if ((rc = access_check(a, ACT_PII_VIEW, obj)))
		return rc;
	clear = deceased_id_reveal(app->store, app->crypto, d->id);
	access_audit(app, a, "pii.view", "deceased", d->id, "id_number");
	jsonx_put(j, "id_number", clear ? json_string(clear) : json_null());
	free(clear);
	return 0;
}

static void get_deceased(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj;
	struct deceased d;
	json_t *j;

	if (!api_deceased_find(app, req, resp, &d, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_DECEASED_VIEW, &obj)))
		return;
	j = deceased_json(app, &d, true);
	if (access_deny(resp, reveal(app, req, &d, &obj, &j))) {
		json_decref(j);
		return;
	}
	http_resp_json(resp, 200, j);
}

/* GET /api/deceased?agency_id=|cemetery_id=&cursor=&limit= */
static void list_deceased(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	const char *ag = http_query(req, "agency_id"),
	           *cem = http_query(req, "cemetery_id"),
	           *cur = http_query(req, "cursor"),
	           *lim = http_query(req, "limit");
	struct access_obj obj = {0};
	int64_t before = cur ? atoll(cur) : 0;
	int limit = lim ? atoi(lim) : 50;
	GArray *out;
	json_t *arr;

	obj.agency_id = ag ? atoll(ag) : 0;
	obj.cemetery_id = cem ? atoll(cem) : 0;
	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if ((obj.agency_id <= 0) == (obj.cemetery_id <= 0) || before < 0 ||
	    limit < 1 || limit > 200) {
		http_resp_err(
		    resp, ERR_INVALID,
		    "give agency_id or cemetery_id (one), cursor >= 0 "
		    "and limit 1 to 200");
		return;
	}
	if (access_deny(resp, obj.agency_id
	                          ? access_check(a, ACT_DECEASED_CREATE, &obj)
	                          : access_check(a, ACT_PLOT_EDIT, &obj)))
		return;
	out = g_array_new(FALSE, FALSE, sizeof(struct deceased));
	if (!store_ok(store_deceased_list(app->store, obj.agency_id,
	                                  obj.cemetery_id, before, limit, out),
	              "listing records")) {
		http_resp_err(resp, ERR_DB, "cannot list the records");
		g_array_free(out, TRUE);
		return;
	}
	arr = json_array();
	for (guint i = 0; i < out->len; i++)
		jsonx_push(
		    &arr,
		    deceased_json(app, &g_array_index(out, struct deceased, i),
		                  false));
	http_resp_json(resp, 200,
	               jsonx_page("deceased", arr, out, limit,
	                          offsetof(struct deceased, id)));
	g_array_free(out, TRUE);
}

static int event_fields(json_t *j, struct deceased_event *ev,
                        struct err_detail *e)
{
	static const char *const keys[] = {"kind",  "at",      "place", "note",
	                                   "until", "plot_id", NULL};
	static const char *const kinds[] = {
	    "registered",   "farewell", "cremated",
	    "ashes_stored", "buried",   "niche_placed",
	    "eco_tree",     "eco_sea",  NULL};
	const char *place, *note;
	int kind, rc;

	if ((rc = jsonx_only(j, keys, e)) ||
	    (rc = jsonx_enum(j, "kind", true, kinds, 0, &kind, e)) ||
	    (rc = jsonx_str_copy(j, "at", true, 1, 35, NULL, ev->at,
	                         sizeof(ev->at), e)) ||
	    (rc = jsonx_text(j, TEXT_EVENT_PLACE, false, "", &place, e)) ||
	    (rc = jsonx_text(j, TEXT_EVENT_NOTE, false, "", &note, e)) ||
	    (rc = jsonx_str_copy(j, "until", false, 0, 10, "", ev->until,
	                         sizeof(ev->until), e)) ||
	    (rc = jsonx_int(j, "plot_id", false, 1, INT64_MAX, 0, &ev->plot_id,
	                    e)))
		return rc;
	ev->kind = (enum event_kind)kind;
	snprintf(ev->place, sizeof(ev->place), "%s", place);
	snprintf(ev->note, sizeof(ev->note), "%s", note);
	return 0;
}

static void post_event(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct deceased_event ev = {0};
	struct access_obj obj;
	struct deceased d;
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if (!api_deceased_find(app, req, resp, &d, &obj) ||
	    access_deny(resp, access_check(a, ACT_DECEASED_EDIT, &obj)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = event_fields(j, &ev, &err)) ||
	    (rc =
	         deceased_event_add(app->store, d.id, &ev, a->user_id, &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		goto out;
	}
	api_deceased_changed(app, d.id);
	http_resp_json(resp, 201, json_pack("{s:o}", "event", event_json(&ev)));
out:
	json_decref(j);
}

/* Linking needs burial.link on the record: staff of the cemetery that
 * holds it (it accepted a hand-over), and the plot must be one of that
 * cemetery's. Moving a record to another cemetery is a transfer
 * (api_transfer.c); only an admin links across cemeteries. */
static int burial_right(const struct actor *a, const struct access_obj *rec,
                        const struct plot *to)
{
	int rc = access_check(a, ACT_BURIAL_LINK, rec);

	if (rc == 0 && to && to->cemetery_id != rec->cemetery_id &&
	    !actor_is_admin(a))
		rc = ERR_FORBIDDEN;
	return rc;
}

static void put_burial(void *appv, struct http_req *req, struct http_resp *resp)
{
	static const char *const keys[] = {"plot_id", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct access_obj obj;
	struct deceased d;
	struct plot p;
	int64_t plot_id = 0;
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED) ||
	    !api_deceased_find(app, req, resp, &d, &obj))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (!json_is_null(json_object_get(j, "plot_id")) &&
	     (rc = jsonx_int(j, "plot_id", true, 1, INT64_MAX, 0, &plot_id,
	                     &err)))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (!json_object_get(j, "plot_id")) {
		http_resp_err(resp, ERR_INVALID,
		              "plot_id: required (null to unlink)");
		goto out;
	}
	if (plot_id && (rc = store_plot_get(app->store, plot_id, &p))) {
		http_resp_lookup(resp, rc, "plot_id: no such plot");
		goto out;
	}
	if (access_deny(resp, burial_right(a, &obj, plot_id ? &p : NULL)))
		goto out;
	if ((rc = plot_assign(app->store, d.id, plot_id, &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		goto out;
	}
	api_deceased_changed(app, d.id);
	if (store_ok(store_deceased_get(app->store, d.id, &d),
	             "reading a record back"))
		http_resp_json(resp, 200, deceased_json(app, &d, false));
	else
		http_resp_err(resp, ERR_DB, "cannot read the record back");
out:
	json_decref(j);
}

static void get_qr(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj;
	struct deceased d;
	char origin[300], url[400];

	if (!api_deceased_find(app, req, resp, &d, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_DECEASED_EDIT, &obj)))
		return;
	if (api_origin(app, req, origin, sizeof(origin))) {
		http_resp_err(resp, ERR_INVALID, "Host: missing or malformed");
		return;
	}
	snprintf(url, sizeof(url), "%s/api/deceased/%lld", origin,
	         (long long)d.id);
	api_qr_send(resp, url);
}

int api_deceased_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/deceased", post_deceased, 0);
	rc |= router_add(r, "GET", "/api/deceased", list_deceased, 0);
	rc |= router_add(r, "GET", "/api/deceased/{id}", get_deceased, 0);
	rc |= router_add(r, "POST", "/api/deceased/{id}/events", post_event, 0);
	rc |= router_add(r, "PUT", "/api/deceased/{id}/burial", put_burial, 0);
	rc |= router_add(r, "GET", "/api/deceased/{id}/qr.svg", get_qr, 0);
	return rc ? -1 : 0;
}
