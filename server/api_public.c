/* api_public.c — the public service information of an agency or a
 * cemetery, in one answer for its public page (web/org.html): the fee
 * list, the commitments and supervision it publishes, its eco-burial
 * options and subsidy, and the mean of its ratings.
 *
 * Reading is anyone's (the action plan asks for it to be public); writing
 * the published text needs agency.edit / cemetery.edit. Never shows a
 * rating's author or a complaint (api_complaint.c). Parses, checks, calls
 * store_public.c, renders JSON.
 */
#include "access.h"
#include "api.h"
#include "app.h"
#include "auth.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "store_org.h"
#include "store_public.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The organisation named by the path, or a 404 (false) in resp. */
static bool path_org(struct app *app, struct http_req *req,
                     struct http_resp *resp, struct org *o)
{
	enum org_kind k = strncmp(req->path, "/api/agencies/", 14) == 0
	                      ? ORG_AGENCY
	                      : ORG_CEMETERY;
	int64_t id;
	int rc = ERR_NOT_FOUND;

	if (http_param_id(req, "id", &id) == 0)
		rc = store_org_get(app->store, k, id, o);
	if (rc == 0)
		return true;
	if (rc == ERR_NOT_FOUND)
		http_resp_err(resp, rc, "no such %s", store_org_kind_name(k));
	else {
		log_error("public", "reading %s %lld: %d",
		          store_org_kind_name(k), (long long)id, rc);
		http_resp_err(resp, rc, "cannot read the organisation");
	}
	return false;
}

static json_t *public_json(const struct org_public *p)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:o}", "commitments", p->commitments,
	                 "supervision", p->supervision, "eco_burial",
	                 p->eco_burial, "subsidy", p->subsidy, "updated_at",
	                 p->updated_at[0] ? json_string(p->updated_at)
	                                  : json_null());
}

/* Free tree and sea-burial plots of a cemetery, as [{kind, free}]. */
static int eco_json(struct app *app, int64_t cemetery_id, json_t **out)
{
	static const char *const kinds[] = {"tree", "sea"};
	json_t *arr = json_array();
	int rc = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(kinds) && rc == 0; i++) {
		int64_t n = 0;

		rc = store_public_eco_free(app->store, cemetery_id, kinds[i],
		                           &n);
		jsonx_push(&arr, json_pack("{s:s,s:I}", "kind", kinds[i],
		                           "free", (json_int_t)n));
	}
	*out = arr;
	return rc;
}

/* The page's members besides the org: fee list, text, rating, eco. */
static int page_json(struct app *app, const struct org *o, json_t **j)
{
	GArray *items = g_array_new(FALSE, FALSE, sizeof(struct service_item));
	struct org_public p;
	json_t *arr = json_array(), *eco = NULL;
	int64_t count = 0;
	double avg = 0;
	int rc;

	if ((rc = store_org_service_list(app->store, o->kind, o->id, false,
	                                 items)) ||
	    (rc = store_public_get(app->store, o->kind, o->id, &p)) ||
	    (rc = store_public_rating(app->store, o->kind, o->id, &count,
	                              &avg)) ||
	    (o->kind == ORG_CEMETERY && (rc = eco_json(app, o->id, &eco))))
		goto out;
	for (guint i = 0; i < items->len; i++)
		jsonx_push(&arr, api_service_json(&g_array_index(
		                     items, struct service_item, i)));
	jsonx_put(j, "services", arr);
	arr = NULL;
	jsonx_put(j, "public", public_json(&p));
	jsonx_put(
	    j, "rating",
	    json_pack("{s:I,s:o}", "count", (json_int_t)count, "average",
	              count ? json_real(round(avg * 10) / 10) : json_null()));
	jsonx_put(j, "eco_kinds", eco ? eco : json_array());
	eco = NULL;
out:
	json_decref(arr);
	json_decref(eco);
	g_array_free(items, TRUE);
	return rc;
}

/* GET /api/{agencies,cemeteries}/{id}/public */
static void get_public(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj = {0};
	struct org o;
	json_t *j;
	int rc;

	if (!path_org(app, req, resp, &o))
		return;
	j = json_pack("{s:o}", "org", api_org_json(&o));
	if ((rc = page_json(app, &o, &j))) {
		log_error("public", "page of %s %lld: %d",
		          store_org_kind_name(o.kind), (long long)o.id, rc);
		http_resp_err(resp, rc, "cannot read the public information");
		json_decref(j);
		return;
	}
	obj.agency_id = o.kind == ORG_AGENCY ? o.id : 0;
	obj.cemetery_id = o.kind == ORG_CEMETERY ? o.id : 0;
	jsonx_put(
	    &j, "can_edit",
	    json_boolean(access_check(auth_actor(req),
	                              o.kind == ORG_AGENCY ? ACT_AGENCY_EDIT
	                                                   : ACT_CEMETERY_EDIT,
	                              &obj) == 0));
	http_resp_json(resp, 200, j);
}

static int public_fields(json_t *j, struct org_public *p, struct err_detail *e)
{
	static const char *const keys[] = {"commitments", "supervision",
	                                   "eco_burial", "subsidy", NULL};
	static const struct {
		enum text_field f;
		size_t off;
	} fields[] = {
	    {TEXT_ORG_COMMITMENTS, offsetof(struct org_public, commitments)},
	    {TEXT_ORG_SUPERVISION, offsetof(struct org_public, supervision)},
	    {TEXT_ORG_ECO_BURIAL, offsetof(struct org_public, eco_burial)},
	    {TEXT_ORG_SUBSIDY, offsetof(struct org_public, subsidy)},
	};
	int rc = jsonx_only(j, keys, e);

	for (size_t i = 0; i < G_N_ELEMENTS(fields) && rc == 0; i++) {
		char *dst = (char *)p + fields[i].off;
		const char *v;

		rc = jsonx_text(j, fields[i].f, false, dst, &v, e);
		if (rc == 0 && v != dst)
			snprintf(dst, TEXT_BUF(ORG_PUBLIC_TEXT_MAX), "%s", v);
	}
	return rc;
}

/* PUT /api/{agencies,cemeteries}/{id}/public: the fields given replace
 * theirs; the others stay. */
static void put_public(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj = {0};
	struct org_public *p = g_new0(struct org_public, 1);
	struct err_detail err = {0};
	json_t *j = NULL;
	struct org o;
	int rc;

	if (!path_org(app, req, resp, &o))
		goto out;
	obj.agency_id = o.kind == ORG_AGENCY ? o.id : 0;
	obj.cemetery_id = o.kind == ORG_CEMETERY ? o.id : 0;
	if (access_deny(resp,
	                access_check(auth_actor(req),
	                             o.kind == ORG_AGENCY ? ACT_AGENCY_EDIT
	                                                  : ACT_CEMETERY_EDIT,
	                             &obj)))
		goto out;
	if ((rc = store_public_get(app->store, o.kind, o.id, p)) ||
	    (rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = public_fields(j, p, &err)) ||
	    (rc = store_public_put(app->store, o.kind, o.id, p)) ||
	    (rc = store_public_get(app->store, o.kind, o.id, p))) {
		if (rc != ERR_INVALID)
			log_error("public", "saving %s %lld: %d",
			          store_org_kind_name(o.kind), (long long)o.id,
			          rc);
		http_resp_err(resp, rc, "%s",
		              rc == ERR_INVALID ? err.msg : "cannot save");
		goto out;
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "public", public_json(p)));
out:
	json_decref(j);
	g_free(p);
}

int api_public_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "GET", "/api/agencies/{id}/public", get_public, 0);
	rc |= router_add(r, "PUT", "/api/agencies/{id}/public", put_public, 0);
	rc |=
	    router_add(r, "GET", "/api/cemeteries/{id}/public", get_public, 0);
	rc |=
	    router_add(r, "PUT", "/api/cemeteries/{id}/public", put_public, 0);
	return rc ? -1 : 0;
}
