/* api_transfer.c — burial transfers over HTTP: a record's agency (or the
 * cemetery holding it) hands it over to a cemetery, whose staff accept it
 * into one of their plots or decline it.
 *
 * Parses and validates input, checks rights through access.c
 * (transfer.start on the side handing over, transfer.decide on the
 * receiving cemetery), calls transfer.c, renders JSON. A transfer shows the
 * record's name and dates, never its ID number. Someone who may not see a
 * transfer gets 404, as if it did not exist.
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
#include "store_deceased.h"
#include "store_plot.h"
#include "store_org.h"
#include "store_transfer.h"
#include "transfer.h"

#include <stdio.h>
#include <string.h>

#define TRANSFER_LIST_MAX 200

/* Name of an agency or cemetery into out ("" when it is gone). */
static void org_name(struct app *app, enum org_kind k, int64_t id, char *out,
                     size_t outlen)
{
	struct org o;

	snprintf(out, outlen, "%s",
	         store_org_get(app->store, k, id, &o) ? "" : o.name);
}

/* A transfer as JSON (new reference); NULL when it cannot be rendered. */
static json_t *transfer_json(struct app *app, const struct burial_transfer *t)
{
	char from[TEXT_BUF(ORG_NAME_MAX)], to[TEXT_BUF(ORG_NAME_MAX)];
	struct deceased d = {0};
	struct plot p;
	json_t *j;

	if (!store_ok(store_deceased_get(app->store, t->deceased_id, &d),
	              "reading a hand-over's record"))
		return NULL;
	org_name(app,
	         t->from_kind == TRANSFER_FROM_CEMETERY ? ORG_CEMETERY
	                                                : ORG_AGENCY,
	         t->from_id, from, sizeof(from));
	org_name(app, ORG_CEMETERY, t->to_cemetery_id, to, sizeof(to));
	j = json_pack(
	    "{s:I,s:s,s:{s:I,s:s,s:s,s:o,s:s},s:{s:s,s:I,s:s},s:{s:I,s:s},"
	    "s:s,s:s,s:I,s:s,s:o,s:o,s:o}",
	    "id", (json_int_t)t->id, "state", transfer_state_name(t->state),
	    "deceased", "id", (json_int_t)t->deceased_id, "name", d.name,
	    "gender", deceased_gender_name(d.gender), "birth_date",
	    d.birth_date[0] ? json_string(d.birth_date) : json_null(),
	    "death_date", d.death_date, "from", "kind",
	    transfer_from_name(t->from_kind), "id", (json_int_t)t->from_id,
	    "name", from, "cemetery", "id", (json_int_t)t->to_cemetery_id,
	    "name", to, "note", t->note, "reason", t->reason, "created_by",
	    (json_int_t)t->created_by, "created_at", t->created_at, "plot",
	    t->plot_id && store_plot_get(app->store, t->plot_id, &p) == 0
	        ? api_plot_json(&p)
	        : json_null(),
	    "decided_by",
	    t->decided_by ? json_integer(t->decided_by) : json_null(),
	    "decided_at",
	    t->decided_at[0] ? json_string(t->decided_at) : json_null());
	jsonx_put(&j, "kind",
	          t->has_kind ? json_string(plot_kind_name(t->want_kind))
	                      : json_null());
	jsonx_put(&j, "relative",
	          t->relative_name[0]
	              ? json_pack("{s:s,s:s}", "name", t->relative_name,
	                          "relation", alloc_relation_name(t->relation))
	              : json_null());
	return j;
}

/* Send a transfer (a 500 when it cannot be rendered). */
static void send_transfer(struct app *app, struct http_resp *resp, int status,
                          const struct burial_transfer *t)
{
	json_t *j = transfer_json(app, t);

	if (!j) {
		http_resp_err(resp, ERR_INTERNAL,
		              "cannot render the hand-over");
		return;
	}
	http_resp_json(resp, status, json_pack("{s:o}", "transfer", j));
}

static void send_list(struct app *app, struct http_resp *resp, GArray *ts)
{
	json_t *arr = json_array();

	for (guint i = 0; arr && i < ts->len; i++)
		jsonx_push(&arr, transfer_json(
		                     app, &g_array_index(
		                              ts, struct burial_transfer, i)));
	http_resp_json(resp, 200, json_pack("{s:o}", "transfers", arr));
	http_resp_header(resp, "Cache-Control", "private, no-cache");
}

/* The side that may hand a record over now: the cemetery holding it, or
 * (while no cemetery does) its agency. */
static void sender_obj(const struct deceased *d, struct access_obj *obj,
                       enum transfer_from *from)
{
	memset(obj, 0, sizeof(*obj));
	obj->id = d->id;
	if (d->cemetery_id) {
		obj->cemetery_id = d->cemetery_id;
		*from = TRANSFER_FROM_CEMETERY;
	} else {
		obj->agency_id = d->agency_id;
		*from = TRANSFER_FROM_AGENCY;
	}
}

/* What the family asks of the receiving cemetery: a plot kind, and a
 * relative buried there (for the allocation proposals). */
static int wish_fields(json_t *j, struct burial_transfer *t,
                       struct err_detail *e)
{
	static const char *const kinds[] = {
	    "grave", "niche", "columbarium", "tree", "sea", "family", NULL};
	static const char *const rels[] = {
	    "none", "spouse", "parent", "child", "sibling", "relative", NULL};
	int kind, rel, rc;

	if ((rc = jsonx_enum(j, "kind", false, kinds, -1, &kind, e)) ||
	    (rc = jsonx_text_copy(j, TEXT_TRANSFER_RELATIVE, false,
	                          t->relative_name, sizeof(t->relative_name),
	                          e)) ||
	    (rc = jsonx_enum(j, "relation", false, rels, REL_NONE, &rel, e)))
		return rc;
	t->has_kind = kind >= 0;
	t->want_kind = kind >= 0 ? (enum plot_kind)kind : PLOT_GRAVE;
	t->relation = (enum alloc_relation)rel;
	return 0;
}

/* POST /api/deceased/{id}/transfers {cemetery_id, plot_id?, note?, kind?,
 * relative_name?, relation?} */
static void post_transfer(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	static const char *const keys[] = {
	    "cemetery_id",   "plot_id",  "note", "kind",
	    "relative_name", "relation", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct burial_transfer t = {0};
	struct access_obj obj;
	struct deceased d;
	const char *note;
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED) ||
	    !api_deceased_find(app, req, resp, &d, &obj))
		return;
	sender_obj(&d, &obj, &t.from_kind);
	if (access_deny(resp, access_check(a, ACT_TRANSFER_START, &obj)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_int(j, "cemetery_id", true, 1, INT64_MAX, 0,
	                    &t.to_cemetery_id, &err)) ||
	    (rc = jsonx_int(j, "plot_id", false, 1, INT64_MAX, 0, &t.plot_id,
	                    &err)) ||
	    (rc = jsonx_text(j, TEXT_TRANSFER_NOTE, false, "", &note, &err)) ||
	    (rc = wish_fields(j, &t, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	t.deceased_id = d.id;
	snprintf(t.note, sizeof(t.note), "%s", note);
	if ((rc = transfer_start(app->store, &t, a->user_id, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	send_transfer(app, resp, 201, &t);
out:
	json_decref(j);
}

/* GET /api/deceased/{id}/transfers: the record's hand-overs. */
static void list_record_transfers(void *appv, struct http_req *req,
                                  struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj;
	struct deceased d;
	GArray *ts;

	if (!api_deceased_find(app, req, resp, &d, &obj) ||
	    access_deny(
	        resp, access_check(auth_actor(req), ACT_TRANSFER_START, &obj)))
		return;
	ts = g_array_new(FALSE, FALSE, sizeof(struct burial_transfer));
	if (store_transfer_list_deceased(app->store, d.id, ts))
		http_resp_err(resp, ERR_DB, "cannot read hand-overs");
	else
		send_list(app, resp, ts);
	g_array_free(ts, TRUE);
}

/* May the actor see t: the side that may hand the record over now or
 * did, or the receiving cemetery. */
static bool may_see(struct app *app, const struct actor *a,
                    const struct burial_transfer *t)
{
	struct access_obj from = {.id = t->id}, to = {.id = t->id};
	struct access_obj rec;
	struct deceased d;

	to.cemetery_id = t->to_cemetery_id;
	if (t->from_kind == TRANSFER_FROM_CEMETERY)
		from.cemetery_id = t->from_id;
	else
		from.agency_id = t->from_id;
	if (access_check(a, ACT_TRANSFER_DECIDE, &to) == 0 ||
	    access_check(a, ACT_TRANSFER_START, &from) == 0)
		return true;
	return store_deceased_get(app->store, t->deceased_id, &d) == 0 &&
	       memorial_deceased_obj(app->store, &d, &rec) == 0 &&
	       access_check(a, ACT_TRANSFER_START, &rec) == 0;
}

/* The transfer of {tid}, if the actor may see it: 401, else 404. */
static bool load_transfer(struct app *app, struct http_req *req,
                          struct http_resp *resp, struct burial_transfer *t)
{
	const struct actor *a = auth_actor(req);
	int64_t id;
	int rc;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return false;
	rc = http_param_id(req, "tid", &id)
	         ? ERR_NOT_FOUND
	         : store_transfer_get(app->store, id, t);
	if (rc == 0 && !may_see(app, a, t))
		rc = ERR_NOT_FOUND;
	if (rc)
		http_resp_lookup(resp, rc, "no such hand-over");
	return rc == 0;
}

static void get_transfer(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct burial_transfer t;

	if (load_transfer(appv, req, resp, &t))
		send_transfer(appv, resp, 200, &t);
}

/* POST /api/transfers/{tid}/accept {plot_id}: the receiving cemetery. */
static void post_accept(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	static const char *const keys[] = {"plot_id", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct burial_transfer t;
	struct access_obj to = {0};
	struct err_detail err = {0};
	json_t *j = NULL;
	int64_t plot;
	int rc;

	if (!load_transfer(app, req, resp, &t))
		return;
	to.id = t.id;
	to.cemetery_id = t.to_cemetery_id;
	if (access_deny(resp, access_check(a, ACT_TRANSFER_DECIDE, &to)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc =
	         jsonx_int(j, "plot_id", true, 1, INT64_MAX, 0, &plot, &err)) ||
	    (rc = transfer_accept(app->store, t.id, plot, a->user_id, &t,
	                          &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		goto out;
	}
	api_deceased_changed(app,
	                     t.deceased_id); /* its page: a resting place */
	send_transfer(app, resp, 200, &t);
out:
	json_decref(j);
}

/* One reason of a proposal as JSON: its code, points and parameters. */
static json_t *reason_json(const struct alloc_reason *r,
                           const struct alloc_relative *rel,
                           const struct plot *p)
{
	json_t *j = json_pack("{s:s,s:i}", "code", alloc_reason_name(r->code),
	                      "points", r->points);

	switch (r->code) {
	case AR_SHARED:
	case AR_ADJACENT:
	case AR_SAME_ROW:
		jsonx_put(
		    &j, "relative",
		    json_pack("{s:s,s:s,s:o}", "name", rel[r->relative].name,
		              "relation",
		              alloc_relation_name(rel[r->relative].relation),
		              "plot", api_plot_json(&rel[r->relative].plot)));
		break;
	case AR_KIND:
	case AR_SUBSIDISED:
		jsonx_put(
		    &j, "kind",
		    json_string(plot_kind_name((enum plot_kind)r->value)));
		break;
	case AR_FILL:
		jsonx_put(&j, "percent", json_integer(r->value));
		jsonx_put(&j, "section", json_string(p->section));
		break;
	case AR_NEAR_GATE:
		jsonx_put(&j, "metres", json_integer(r->value));
		break;
	default: break;
	}
	return j;
}

static json_t *proposal_json(const struct alloc_proposal *pr,
                             const struct alloc_relative *rel)
{
	json_t *reasons = json_array();

	for (int i = 0; i < pr->n_reasons; i++)
		jsonx_push(&reasons,
		           reason_json(&pr->reasons[i], rel, &pr->plot));
	return json_pack("{s:o,s:i,s:o}", "plot", api_plot_json(&pr->plot),
	                 "score", pr->score, "reasons", reasons);
}

/* GET /api/transfers/{tid}/proposals?limit=: the receiving cemetery's
 * staff see its open plots ranked for this hand-over, with reasons. */
static void get_proposals(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct alloc_proposal props[ALLOC_PROPOSALS_MAX];
	struct alloc_relative rel[ALLOC_RELATIVES_MAX];
	struct burial_transfer t;
	struct access_obj to = {0};
	const char *lim = http_query(req, "limit");
	size_t n, n_rel, max = 5;
	json_t *arr;

	if (!load_transfer(app, req, resp, &t))
		return;
	to.id = t.id;
	to.cemetery_id = t.to_cemetery_id;
	if (access_deny(
	        resp, access_check(auth_actor(req), ACT_TRANSFER_DECIDE, &to)))
		return;
	if (lim && (sscanf(lim, "%zu", &max) != 1 || max < 1 ||
	            max > ALLOC_PROPOSALS_MAX)) {
		http_resp_err(resp, ERR_INVALID, "limit: 1 to %d",
		              ALLOC_PROPOSALS_MAX);
		return;
	}
	if (transfer_propose(app->store, &t, props, max, &n, rel, &n_rel)) {
		http_resp_err(resp, ERR_DB, "cannot read the plots");
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		jsonx_push(&arr, proposal_json(&props[i], rel));
	http_resp_json(resp, 200,
	               json_pack("{s:o,s:I}", "proposals", arr,
	                         "relatives_found", (json_int_t)n_rel));
	http_resp_header(resp, "Cache-Control", "private, no-cache");
}

/* decline (the receiving cemetery, {reason?}) or cancel (the side that
 * started it). */
static void close_transfer(struct app *app, struct http_req *req,
                           struct http_resp *resp, enum transfer_state to)
{
	static const char *const keys[] = {"reason", NULL};
	const struct actor *a = auth_actor(req);
	struct burial_transfer t;
	struct access_obj obj = {0};
	const char *reason = "";
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if (!load_transfer(app, req, resp, &t))
		return;
	obj.id = t.id;
	if (to == TRANSFER_DECLINED)
		obj.cemetery_id = t.to_cemetery_id;
	else if (t.from_kind == TRANSFER_FROM_CEMETERY)
		obj.cemetery_id = t.from_id;
	else
		obj.agency_id = t.from_id;
	if (access_deny(resp, access_check(a,
	                                   to == TRANSFER_DECLINED
	                                       ? ACT_TRANSFER_DECIDE
	                                       : ACT_TRANSFER_START,
	                                   &obj)))
		return;
	if (req->body_len &&
	    ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	     (rc = jsonx_only(j, keys, &err)) ||
	     (rc = jsonx_text(j, TEXT_TRANSFER_REASON, false, "", &reason,
	                      &err)))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if ((rc = transfer_close(app->store, t.id, to, reason, a->user_id, &t,
	                         &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	send_transfer(app, resp, 200, &t);
out:
	json_decref(j);
}

static void post_decline(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	close_transfer(appv, req, resp, TRANSFER_DECLINED);
}

static void post_cancel(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	close_transfer(appv, req, resp, TRANSFER_CANCELLED);
}

/* GET /api/cemeteries/{id}/transfers?state= (hand-overs to the cemetery)
 * and /api/agencies/{id}/transfers?state= (hand-overs from the agency). */
static void list_org_transfers(void *appv, struct http_req *req,
                               struct http_resp *resp)
{
	struct app *app = appv;
	bool cemetery = strncmp(req->path, "/api/cemeteries/", 16) == 0;
	const char *st = http_query(req, "state");
	int state = st ? transfer_state_parse(st) : -1;
	struct access_obj obj = {0};
	GArray *ts;
	int64_t id;
	int rc;

	if (access_deny(resp, auth_actor(req)->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if (http_param_id(req, "id", &id) || (st && state < 0)) {
		http_resp_err(resp, ERR_INVALID,
		              "state: pending, accepted, declined or "
		              "cancelled");
		return;
	}
	obj.id = id;
	*(cemetery ? &obj.cemetery_id : &obj.agency_id) = id;
	if (access_deny(resp, access_check(auth_actor(req),
	                                   cemetery ? ACT_TRANSFER_DECIDE
	                                            : ACT_TRANSFER_START,
	                                   &obj)))
		return;
	ts = g_array_new(FALSE, FALSE, sizeof(struct burial_transfer));
	rc = cemetery
	         ? store_transfer_list_to(app->store, id, state,
	                                  TRANSFER_LIST_MAX, ts)
	         : store_transfer_list_from(app->store, TRANSFER_FROM_AGENCY,
	                                    id, state, TRANSFER_LIST_MAX, ts);
	if (rc)
		http_resp_err(resp, ERR_DB, "cannot read hand-overs");
	else
		send_list(app, resp, ts);
	g_array_free(ts, TRUE);
}

int api_transfer_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/deceased/{id}/transfers",
	                 post_transfer, 0);
	rc |= router_add(r, "GET", "/api/deceased/{id}/transfers",
	                 list_record_transfers, 0);
	rc |= router_add(r, "GET", "/api/transfers/{tid}", get_transfer, 0);
	rc |= router_add(r, "POST", "/api/transfers/{tid}/accept", post_accept,
	                 0);
	rc |= router_add(r, "GET", "/api/transfers/{tid}/proposals",
	                 get_proposals, 0);
	rc |= router_add(r, "POST", "/api/transfers/{tid}/decline",
	                 post_decline, 0);
	rc |= router_add(r, "POST", "/api/transfers/{tid}/cancel", post_cancel,
	                 0);
	rc |= router_add(r, "GET", "/api/cemeteries/{id}/transfers",
	                 list_org_transfers, 0);
	rc |= router_add(r, "GET", "/api/agencies/{id}/transfers",
	                 list_org_transfers, 0);
	return rc ? -1 : 0;
}
