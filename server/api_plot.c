/* api_plot.c — burial plots of a cemetery over HTTP.
 *
 * Anyone may read where a plot is and whether it is free (families choose
 * and visit plots); only the cemetery's staff (and admins) create or change
 * plots and see who lies in them. Allocation itself is PUT
 * /api/deceased/{id}/burial (api_deceased.c).
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
#include "store_alloc.h"
#include "store_deceased.h"
#include "store_plot.h"
#include "store_org.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void api_map_url(double lat, double lng, char *out, size_t outlen)
{
	snprintf(out, outlen,
	         "https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f"
	         "#map=18/%.6f/%.6f",
	         lat, lng, lat, lng);
}

json_t *api_plot_json(const struct plot *p)
{
	json_t *j = json_pack(
	    "{s:I,s:I,s:s,s:s,s:s,s:s,s:i,s:i,s:s}", "id", (json_int_t)p->id,
	    "cemetery_id", (json_int_t)p->cemetery_id, "section", p->section,
	    "row", p->row, "number", p->number, "kind", plot_kind_name(p->kind),
	    "capacity", p->capacity, "occupied", p->occupied, "status",
	    plot_status_name(p->status));
	jsonx_put(&j, "accessible", json_boolean(p->accessible));
	char map[256];

	if (p->has_geo) {
		api_map_url(p->lat, p->lng, map, sizeof(map));
		jsonx_put(&j, "lat", json_real(p->lat));
		jsonx_put(&j, "lng", json_real(p->lng));
		jsonx_put(&j, "map_url", json_string(map));
	} else {
		jsonx_put(&j, "lat", json_null());
		jsonx_put(&j, "lng", json_null());
		jsonx_put(&j, "map_url", json_null());
	}
	return j;
}

static int copy_label(json_t *j, enum text_field f, char *dst, size_t dstlen,
                      struct err_detail *e)
{
	const char *v;
	int rc = jsonx_text(j, f, true, NULL, &v, e);

	if (rc == 0)
		snprintf(dst, dstlen, "%s", v);
	return rc;
}

static int plot_fields(json_t *j, struct plot *p, struct err_detail *e)
{
	static const char *const keys[] = {
	    "section", "row", "number", "kind",       "capacity",
	    "status",  "lat", "lng",    "accessible", NULL};
	static const char *const kinds[] = {
	    "grave", "niche", "columbarium", "tree", "sea", "family", NULL};
	static const char *const statuses[] = {"free", "reserved", NULL};
	json_t *lat = json_object_get(j, "lat"),
	       *lng = json_object_get(j, "lng"),
	       *acc = json_object_get(j, "accessible");
	int64_t cap;
	int kind, status, rc;

	if ((rc = jsonx_only(j, keys, e)) ||
	    (rc = copy_label(j, TEXT_PLOT_SECTION, p->section,
	                     sizeof(p->section), e)) ||
	    (rc = copy_label(j, TEXT_PLOT_ROW, p->row, sizeof(p->row), e)) ||
	    (rc = copy_label(j, TEXT_PLOT_NUMBER, p->number, sizeof(p->number),
	                     e)) ||
	    (rc = jsonx_enum(j, "kind", true, kinds, 0, &kind, e)) ||
	    (rc = jsonx_int(j, "capacity", false, 1, PLOT_FAMILY_MAX, 1, &cap,
	                    e)) ||
	    (rc = jsonx_enum(j, "status", false, statuses, 0, &status, e)))
		return rc;
	if ((lat && !json_is_number(lat)) || (lng && !json_is_number(lng)) ||
	    (!lat != !lng)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "lat, lng: numbers, given together");
	}
	if (acc && !json_is_boolean(acc)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "accessible: true or false");
	}
	p->accessible = acc && json_is_true(acc);
	p->kind = (enum plot_kind)kind;
	p->capacity = (int)cap;
	p->status = (enum plot_status)status;
	p->has_geo = lat != NULL;
	p->lat = lat ? json_number_value(lat) : 0;
	p->lng = lng ? json_number_value(lng) : 0;
	return plot_validate(p, e);
}

/* {"plots":[…]}: an import, all or nothing; a refusal names the first
 * plot that failed by its index ("plots[3].row: …"). */
static void post_plots(struct app *app, struct http_resp *resp, json_t *arr,
                       int64_t cemetery_id)
{
	size_t n = json_array_size(arr), bad;
	struct plot *plots;
	struct err_detail err = {0};
	json_t *out;
	int rc = 0;

	if (!json_is_array(arr) || n == 0 || n > PLOT_BATCH_MAX) {
		http_resp_err(resp, ERR_INVALID,
		              "plots: give an array of 1 to %d plots",
		              PLOT_BATCH_MAX);
		return;
	}
	plots = g_new0(struct plot, n);
	for (bad = 0; bad < n && rc == 0; bad++) {
		json_t *v = json_array_get(arr, bad);

		plots[bad].cemetery_id = cemetery_id;
		if (!json_is_object(v)) {
			snprintf(err.msg, sizeof(err.msg),
			         "plot: must be an object");
			rc = ERR_INVALID;
		} else {
			rc = plot_fields(v, &plots[bad], &err);
		}
	}
	if (rc == 0)
		rc = plot_create_many(app->store, plots, n, &bad, &err);
	else
		bad--;
	if (rc) {
		if (bad < n)
			http_resp_err(resp, rc, "plots[%zu].%s", bad, err.msg);
		else
			http_resp_err(resp, rc, "%s", err.msg);
		g_free(plots);
		return;
	}
	out = json_array();
	for (size_t i = 0; i < n; i++)
		jsonx_push(&out, api_plot_json(&plots[i]));
	g_free(plots);
	http_resp_json(resp, 201, json_pack("{s:o}", "plots", out));
}

static void post_plot(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj = {0};
	struct plot p = {0};
	struct err_detail err = {0};
	json_t *j = NULL;
	struct org c;
	int rc;

	if (api_org_find(app, req, resp, ORG_CEMETERY, &c))
		return;
	p.cemetery_id = c.id;
	obj.cemetery_id = p.cemetery_id;
	if (access_deny(resp,
	                access_check(auth_actor(req), ACT_PLOT_EDIT, &obj)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (json_object_get(j, "plots") && json_object_size(j) == 1) {
		post_plots(app, resp, json_object_get(j, "plots"),
		           p.cemetery_id);
		goto out;
	}
	if ((rc = plot_fields(j, &p, &err)) ||
	    (rc = plot_create(app->store, &p, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (store_ok(store_plot_get(app->store, p.id, &p),
	             "reading a new plot back"))
		http_resp_json(resp, 201, api_plot_json(&p));
	else
		http_resp_err(resp, ERR_DB, "cannot read the plot back");
out:
	json_decref(j);
}

static void list_plots(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const char *s = http_query(req, "status");
	int status = s ? plot_status_parse(s) : -1;
	int64_t cid;
	GArray *out;
	json_t *arr;
	struct org c;

	if (api_org_find(app, req, resp, ORG_CEMETERY, &c))
		return;
	cid = c.id;
	if (s && status < 0) {
		http_resp_err(resp, ERR_INVALID,
		              "status: free, reserved or occupied");
		return;
	}
	out = g_array_new(FALSE, FALSE, sizeof(struct plot));
	arr = store_ok(store_plot_list(app->store, cid, status, out),
	               "listing plots")
	          ? json_array()
	          : NULL;
	for (guint i = 0; arr && i < out->len; i++)
		jsonx_push(&arr,
		           api_plot_json(&g_array_index(out, struct plot, i)));
	g_array_free(out, TRUE);
	http_resp_json(
	    resp, 200,
	    json_pack("{s:o,s:o}", "cemetery", api_org_json(&c), "plots", arr));
}

static json_t *occupants_json(struct app *app, int64_t plot_id)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct deceased));
	json_t *arr = store_ok(store_deceased_in_plot(app->store, plot_id, out),
	                       "listing a plot's occupants")
	                  ? json_array()
	                  : NULL;

	for (guint i = 0; arr && i < out->len; i++) {
		struct deceased *d = &g_array_index(out, struct deceased, i);

		jsonx_push(&arr, json_pack("{s:I,s:s,s:s}", "id",
		                           (json_int_t)d->id, "name", d->name,
		                           "death_date", d->death_date));
	}
	g_array_free(out, TRUE);
	return arr;
}

static bool find_plot(struct app *app, struct http_req *req,
                      struct http_resp *resp, struct plot *p)
{
	int64_t id;
	int rc;

	if ((rc = http_param_id(req, "id", &id)
	              ? ERR_NOT_FOUND
	              : store_plot_get(app->store, id, p))) {
		http_resp_lookup(resp, rc, "no such plot");
		return false;
	}
	return true;
}

static void get_plot(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj = {0};
	struct plot p;
	struct org c;
	json_t *j;

	if (!find_plot(app, req, resp, &p))
		return;
	j = api_plot_json(&p);
	if (store_org_get(app->store, ORG_CEMETERY, p.cemetery_id, &c) == 0)
		jsonx_put(&j, "cemetery",
		          json_pack("{s:I,s:s,s:s}", "id", (json_int_t)c.id,
		                    "name", c.name, "address", c.address));
	obj.cemetery_id = p.cemetery_id;
	if (access_check(auth_actor(req), ACT_PLOT_EDIT, &obj) == 0)
		jsonx_put(&j, "occupants", occupants_json(app, p.id));
	http_resp_json(resp, 200, j);
}

static void patch_plot(void *appv, struct http_req *req, struct http_resp *resp)
{
	static const char *const keys[] = {"status", NULL};
	static const char *const statuses[] = {"free", "reserved", NULL};
	struct app *app = appv;
	struct access_obj obj = {0};
	struct plot p;
	struct err_detail err = {0};
	json_t *j = NULL;
	int status, rc;

	if (!find_plot(app, req, resp, &p))
		return;
	obj.cemetery_id = p.cemetery_id;
	if (access_deny(resp,
	                access_check(auth_actor(req), ACT_PLOT_EDIT, &obj)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_enum(j, "status", true, statuses, 0, &status, &err)) ||
	    (rc = plot_set_status(app->store, p.id, (enum plot_status)status,
	                          &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		goto out;
	}
	if (store_ok(store_plot_get(app->store, p.id, &p),
	             "reading a plot back"))
		http_resp_json(resp, 200, api_plot_json(&p));
	else
		http_resp_err(resp, ERR_DB, "cannot read the plot back");
out:
	json_decref(j);
}

static json_t *alloc_json(const struct alloc_config *c)
{
	json_t *w = json_object(), *sub = json_array(), *j;

	for (int r = 0; r < ALLOC_RULE_COUNT; r++)
		jsonx_put(&w, alloc_rule_name((enum alloc_rule)r),
		          json_integer(c->weight[r]));
	for (int k = 0; k < PLOT_KIND_COUNT; k++)
		if (c->subsidised & (1u << k))
			jsonx_push(&sub, json_string(plot_kind_name(
			                     (enum plot_kind)k)));
	j = json_pack("{s:o,s:o}", "weights", w, "subsidised", sub);
	jsonx_put(&j, "gate",
	          c->has_gate ? json_pack("{s:f,s:f}", "lat", c->gate_lat,
	                                  "lng", c->gate_lng)
	                      : json_null());
	return j;
}

/* {"weights":{rule: 0..1000, ...}}: the rules given change. */
static int alloc_weights(json_t *w, struct alloc_config *c,
                         struct err_detail *e)
{
	const char *key;
	json_t *v;
	int r;

	if (!json_is_object(w)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "weights: an object of rule: weight");
	}
	json_object_foreach(w, key, v)
	{
		if ((r = alloc_rule_parse(key)) < 0 || !json_is_integer(v) ||
		    json_integer_value(v) < 0 ||
		    json_integer_value(v) > ALLOC_WEIGHT_MAX) {
			return err_fail(
			    e, ERR_INVALID, NULL,
			    "weights: family, kind, eco, fill or access, "
			    "each 0 to %d",
			    ALLOC_WEIGHT_MAX);
		}
		c->weight[r] = (int)json_integer_value(v);
	}
	return 0;
}

/* {"subsidised":["tree", ...]}: the whole list. */
static int alloc_subsidised(json_t *a, struct alloc_config *c,
                            struct err_detail *e)
{
	size_t i;
	json_t *v;
	int k;

	if (!json_is_array(a)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "subsidised: a list of plot kinds");
	}
	c->subsidised = 0;
	json_array_foreach(a, i, v)
	{
		if ((k = plot_kind_parse(json_string_value(v))) < 0) {
			return err_fail(e, ERR_INVALID, NULL,
			                "subsidised[%zu]: not a plot kind", i);
		}
		c->subsidised |= 1u << k;
	}
	return 0;
}

/* {"gate": {"lat","lng"} or null}. */
static int alloc_gate(json_t *g, struct alloc_config *c, struct err_detail *e)
{
	json_t *lat = json_object_get(g, "lat"),
	       *lng = json_object_get(g, "lng");

	c->has_gate = !json_is_null(g);
	if (!c->has_gate)
		return 0;
	if (!json_is_object(g) || json_object_size(g) != 2 ||
	    !json_is_number(lat) || !json_is_number(lng) ||
	    fabs(json_number_value(lat)) > 90 ||
	    fabs(json_number_value(lng)) > 180) {
		return err_fail(e, ERR_INVALID, NULL,
		                "gate: {lat, lng} in range, or null");
	}
	c->gate_lat = json_number_value(lat);
	c->gate_lng = json_number_value(lng);
	return 0;
}

static int alloc_fields(json_t *j, struct alloc_config *c, struct err_detail *e)
{
	static const char *const keys[] = {"weights", "subsidised", "gate",
	                                   NULL};
	json_t *v;
	int rc;

	if ((rc = jsonx_only(j, keys, e)))
		return rc;
	if ((v = json_object_get(j, "weights")) &&
	    (rc = alloc_weights(v, c, e)))
		return rc;
	if ((v = json_object_get(j, "subsidised")) &&
	    (rc = alloc_subsidised(v, c, e)))
		return rc;
	if ((v = json_object_get(j, "gate")))
		return alloc_gate(v, c, e);
	return 0;
}

/* GET and PUT /api/cemeteries/{id}/allocation: the rule weights,
 * subsidised kinds and gate the plot proposals use; the cemetery's staff.
 * PUT changes what it names. */
static void cemetery_alloc(void *appv, struct http_req *req,
                           struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj = {0};
	struct alloc_config c;
	struct err_detail err = {0};
	json_t *j = NULL;
	struct org o;
	int64_t cid;
	int rc;

	if (http_param_id(req, "id", &cid) ||
	    store_org_get(app->store, ORG_CEMETERY, cid, &o)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such cemetery");
		return;
	}
	obj.id = obj.cemetery_id = cid;
	if (access_deny(resp,
	                access_check(auth_actor(req), ACT_PLOT_EDIT, &obj)))
		return;
	if (store_alloc_get(app->store, cid, &c)) {
		http_resp_err(resp, ERR_DB, "cannot read the allocation rules");
		return;
	}
	if (strcmp(req->method, "PUT") == 0) {
		if ((rc = jsonx_parse_object(req->body, req->body_len, &j,
		                             &err)) ||
		    (rc = alloc_fields(j, &c, &err))) {
			http_resp_fail(resp, rc, &err);
			goto out;
		}
		if (store_alloc_put(app->store, cid, &c)) {
			http_resp_err(resp, ERR_DB,
			              "cannot store the allocation rules");
			goto out;
		}
	}
	http_resp_json(resp, 200, alloc_json(&c));
	http_resp_header(resp, "Cache-Control", "private, no-cache");
out:
	json_decref(j);
}

int api_plot_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/cemeteries/{id}/plots", post_plot, 0);
	rc |= router_add(r, "GET", "/api/cemeteries/{id}/plots", list_plots, 0);
	rc |= router_add(r, "GET", "/api/plots/{id}", get_plot, 0);
	rc |= router_add(r, "PATCH", "/api/plots/{id}", patch_plot, 0);
	rc |= router_add(r, "GET", "/api/cemeteries/{id}/allocation",
	                 cemetery_alloc, 0);
	rc |= router_add(r, "PUT", "/api/cemeteries/{id}/allocation",
	                 cemetery_alloc, 0);
	return rc ? -1 : 0;
}
