/* api_grave.c — a family memorial finding its grave, over HTTP.
 *
 * The memorial's family admin asks (grave.ask) naming a cemetery and the
 * plot's section, row and number, or the number of the cemetery's record;
 * the cemetery's staff list the requests and confirm or refuse them
 * (grave.decide). Once confirmed the memorial's page shows the resting
 * place, "Book a visit" and proxy sweeping, as for any record in a plot
 * (api_memorial.c burial_json). Parses, checks rights through access.c,
 * calls grave.c, renders JSON.
 */
#include "access.h"
#include "api.h"
#include "api_memorial.h"
#include "app.h"
#include "auth.h"
#include "deceased.h"
#include "err.h"
#include "grave.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "memorial.h"
#include "store.h"
#include "store_deceased.h"
#include "store_grave.h"
#include "store_memorial.h"
#include "store_org.h"

#include <stdio.h>
#include <string.h>

static json_t *opt_id(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

/* A request as its family sees it; staff of the cemetery also see the
 * memorial's record and the record they were pointed to. NULL (logged)
 * when the store cannot say. */
static json_t *grave_json(struct app *app, const struct grave_request *r,
                          bool staff)
{
	struct memorial *m = g_new0(struct memorial, 1);
	struct deceased d;
	struct org c;
	json_t *j;

	if (!store_ok(
	        store_org_get(app->store, ORG_CEMETERY, r->cemetery_id, &c),
	        "reading a grave request's cemetery") ||
	    !store_ok(store_memorial_get(app->store, r->memorial_id, m),
	              "reading a grave request's memorial")) {
		g_free(m);
		return NULL;
	}
	j = json_pack(
	    "{s:I,s:{s:I,s:s},s:{s:I,s:s},s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:s,"
	    "s:o}",
	    "id", (json_int_t)r->id, "memorial", "id",
	    (json_int_t)r->memorial_id, "title", m->title, "cemetery", "id",
	    (json_int_t)r->cemetery_id, "name", c.name, "section", r->section,
	    "row", r->row, "number", r->number, "record_id",
	    opt_id(r->record_id), "note", r->note, "state",
	    grave_state_name(r->state), "reason", r->reason, "plot_id",
	    opt_id(r->plot_id), "created_at", r->created_at, "decided_at",
	    r->decided_at[0] ? json_string(r->decided_at) : json_null());
	if (staff && store_deceased_get(app->store, m->deceased_id, &d) == 0)
		jsonx_put(&j, "deceased",
		          json_pack("{s:s,s:o,s:s}", "name", d.name,
		                    "birth_date",
		                    d.birth_date[0] ? json_string(d.birth_date)
		                                    : json_null(),
		                    "death_date", d.death_date));
	if (staff && r->record_id &&
	    store_deceased_get(app->store, r->record_id, &d) == 0 &&
	    d.cemetery_id == r->cemetery_id)
		jsonx_put(&j, "record",
		          json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)d.id,
		                    "name", d.name, "death_date", d.death_date,
		                    "plot_id", opt_id(d.plot_id)));
	g_free(m);
	return j;
}

/* {"grave_request": j}, or a 500 when j could not be made. */
static void send_one(struct http_resp *resp, int status, json_t *j)
{
	if (j)
		http_resp_json(resp, status,
		               json_pack("{s:o}", "grave_request", j));
	else
		http_resp_err(resp, ERR_DB, "cannot read the request");
}

static int ask_fields(json_t *j, struct grave_request *r, struct err_detail *e)
{
	static const char *const keys[] = {"cemetery_id", "section",   "row",
	                                   "number",      "record_id", "note",
	                                   NULL};
	int rc;

	if ((rc = jsonx_only(j, keys, e)) ||
	    (rc = jsonx_int(j, "cemetery_id", true, 1, INT64_MAX, 0,
	                    &r->cemetery_id, e)) ||
	    (rc = jsonx_text_copy(j, TEXT_PLOT_SECTION, false, r->section,
	                          sizeof(r->section), e)) ||
	    (rc = jsonx_text_copy(j, TEXT_PLOT_ROW, false, r->row,
	                          sizeof(r->row), e)) ||
	    (rc = jsonx_text_copy(j, TEXT_PLOT_NUMBER, false, r->number,
	                          sizeof(r->number), e)) ||
	    (rc = jsonx_int(j, "record_id", false, 1, INT64_MAX, 0,
	                    &r->record_id, e)) ||
	    (rc = jsonx_text_copy(j, TEXT_GRAVE_NOTE, false, r->note,
	                          sizeof(r->note), e)))
		return rc;
	if (!r->record_id && !(r->section[0] && r->number[0])) {
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "name the plot (section, row?, number) or record_id");
	}
	return 0;
}

/* POST /api/memorials/{id}/grave-requests */
static void post_request(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new0(struct memorial, 1);
	struct grave_request r = {0};
	struct access_obj obj;
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_GRAVE_ASK, &obj)))
		goto out;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = ask_fields(j, &r, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	r.memorial_id = m->id;
	r.created_by = auth_actor(req)->user_id;
	if ((rc = grave_ask(app->store, &r, &err))) {
		if (rc != ERR_NOT_FOUND && rc != ERR_CONFLICT)
			log_error("grave", "asking for memorial %lld: %d",
			          (long long)m->id, rc);
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	send_one(resp, 201, grave_json(app, &r, false));
out:
	json_decref(j);
	g_free(m);
}

static void send_list(struct app *app, struct http_resp *resp, GArray *out,
                      int rc, bool staff)
{
	json_t *arr;

	if (rc) {
		log_error("grave", "listing requests: %d", rc);
		http_resp_err(resp, rc, "cannot list the requests");
		return;
	}
	arr = json_array();
	for (guint i = 0; i < out->len; i++) {
		json_t *one = grave_json(
		    app, &g_array_index(out, struct grave_request, i), staff);

		if (!one) {
			json_decref(arr);
			http_resp_err(resp, ERR_DB, "cannot list the requests");
			return;
		}
		jsonx_push(&arr, one);
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "grave_requests", arr));
}

/* GET /api/memorials/{id}/grave-requests */
static void list_memorial(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new0(struct memorial, 1);
	struct access_obj obj;
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct grave_request));

	if (api_memorial_find(app, req, resp, m, &obj) &&
	    !access_deny(resp,
	                 access_check(auth_actor(req), ACT_GRAVE_ASK, &obj)))
		send_list(app, resp, out,
		          store_grave_list_memorial(app->store, m->id, out),
		          false);
	g_array_free(out, TRUE);
	g_free(m);
}

/* GET /api/cemeteries/{id}/grave-requests[?state=pending|confirmed|…] */
static void list_cemetery(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	const char *s = http_query(req, "state");
	struct access_obj obj = {0};
	int state = s ? grave_state_parse(s) : -1;
	GArray *out;

	if (access_deny(resp, auth_actor(req)->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if (http_param_id(req, "id", &obj.cemetery_id)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such cemetery");
		return;
	}
	if (access_deny(resp,
	                access_check(auth_actor(req), ACT_GRAVE_DECIDE, &obj)))
		return;
	if (s && state < 0) {
		http_resp_err(resp, ERR_INVALID,
		              "state: pending, confirmed or refused");
		return;
	}
	out = g_array_new(FALSE, FALSE, sizeof(struct grave_request));
	send_list(app, resp, out,
	          store_grave_list_cemetery(app->store, obj.cemetery_id, state,
	                                    200, out),
	          true);
	g_array_free(out, TRUE);
}

/* The request of the path, if the actor may decide it; false (404 or
 * 401 filled in) otherwise. */
static bool decidable(struct app *app, struct http_req *req,
                      struct http_resp *resp, struct grave_request *r)
{
	const struct actor *a = auth_actor(req);
	struct access_obj obj = {0};
	int64_t id;
	int rc = ERR_NOT_FOUND;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return false;
	if (http_param_id(req, "id", &id) == 0)
		rc = store_grave_get(app->store, id, r);
	if (rc == 0) {
		obj.cemetery_id = r->cemetery_id;
		rc = access_check(a, ACT_GRAVE_DECIDE, &obj);
	}
	if (rc == ERR_DB) {
		log_error("grave", "reading a request: %d", rc);
		http_resp_err(resp, rc, "cannot read the request");
		return false;
	}
	if (rc)
		http_resp_err(resp, ERR_NOT_FOUND, "no such request");
	return rc == 0;
}

/* POST /api/grave-requests/{id}/confirm {record_id? | plot_id?} and
 * …/refuse {reason?} */
static void post_decide(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	static const char *const confirm_keys[] = {"record_id", "plot_id",
	                                           NULL},
	                         *const refuse_keys[] = {"reason", NULL};
	struct app *app = appv;
	bool confirm = g_str_has_suffix(req->path, "/confirm");
	struct grave_request r;
	int64_t record_id = 0, plot_id = 0;
	const char *reason = "";
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if (!decidable(app, req, resp, &r))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, confirm ? confirm_keys : refuse_keys, &err)) ||
	    (confirm && ((rc = jsonx_int(j, "record_id", false, 1, INT64_MAX,
	                                 r.record_id, &record_id, &err)) ||
	                 (rc = jsonx_int(j, "plot_id", false, 1, INT64_MAX, 0,
	                                 &plot_id, &err)))) ||
	    (!confirm && (rc = jsonx_text(j, TEXT_GRAVE_REASON, false, "",
	                                  &reason, &err)))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (confirm && plot_id && !json_object_get(j, "record_id"))
		record_id = 0; /* a plot chosen: the memorial's own record */
	rc = confirm ? grave_confirm(app->store, r.id, record_id, plot_id,
	                             auth_actor(req)->user_id, &r, &err)
	             : grave_refuse(app->store, r.id, reason,
	                            auth_actor(req)->user_id, &r, &err);
	if (rc) {
		if (rc == ERR_DB || rc == ERR_INTERNAL)
			log_error("grave", "deciding request %lld: %d",
			          (long long)r.id, rc);
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (confirm)
		api_memorial_changed(app, r.memorial_id);
	send_one(resp, 200, grave_json(app, &r, true));
out:
	json_decref(j);
}

int api_grave_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/memorials/{id}/grave-requests",
	                 post_request, 0);
	rc |= router_add(r, "GET", "/api/memorials/{id}/grave-requests",
	                 list_memorial, 0);
	rc |= router_add(r, "GET", "/api/cemeteries/{id}/grave-requests",
	                 list_cemetery, 0);
	rc |= router_add(r, "POST", "/api/grave-requests/{id}/confirm",
	                 post_decide, 0);
	rc |= router_add(r, "POST", "/api/grave-requests/{id}/refuse",
	                 post_decide, 0);
	return rc ? -1 : 0;
}
