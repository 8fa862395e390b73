/* api_sweeping.c — proxy grave-sweeping orders over HTTP: placing, the
 * state transitions, proof photos and videos, ratings, and who may follow
 * an order live.
 *
 * The family side (order.family: the account that placed the order) may
 * view, cancel, confirm, dispute and rate; the cemetery side (order.staff:
 * staff of the order's cemetery) may view, accept, reject, start, upload
 * proof and complete. Which side a transition needs follows from its
 * target state (sweeping_side_of). Rules live in sweeping.c, files in
 * proof.c (stored under DATA_DIR/proofs).
 */
#include "access.h"
#include "api.h"
#include "api_sweeping.h"
#include "api_visit.h"
#include "app.h"
#include "auth.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "pay.h"
#include "proof.h"
#include "store.h"
#include "store_org.h"
#include "store_sweeping.h"
#include "store_order.h"
#include "sweeping.h"
#include "visit.h"
#include "wshub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_LIMIT 1000

static void proofs_dir(struct app *app, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/proofs", app->cfg.data_dir);
}

static void order_obj(const struct sweeping_order *o, struct access_obj *obj)
{
	memset(obj, 0, sizeof(*obj));
	obj->id = o->id;
	obj->owner_id = o->user_id;
	obj->cemetery_id = o->cemetery_id;
}

/* Either side may read an order. */
static int view_right(const struct actor *a, const struct sweeping_order *o)
{
	struct access_obj obj;
	int rc;

	order_obj(o, &obj);
	rc = access_check(a, ACT_ORDER_FAMILY, &obj);
	return rc == ERR_FORBIDDEN ? access_check(a, ACT_ORDER_STAFF, &obj)
	                           : rc;
}

/* Load the order of the {id} parameter, for one of its sides. Order
 * numbers count up: to whoever is on neither side the order does not
 * exist (404 as for a number never used); anonymous callers are asked to
 * sign in before any lookup. 0, or the error filled in. */
static int load_order(struct app *app, struct http_req *req,
                      struct http_resp *resp, struct sweeping_order *o)
{
	const struct actor *a = auth_actor(req);
	int64_t id;
	int rc;

	if (!a->user_id) {
		access_deny(resp, ERR_UNAUTHORIZED);
		return ERR_UNAUTHORIZED;
	}
	rc = http_param_id(req, "id", &id) ? ERR_NOT_FOUND
	                                   : store_order_get(app->store, id, o);
	if (rc == 0 && view_right(a, o))
		rc = ERR_NOT_FOUND;
	if (rc)
		http_resp_lookup(resp, rc, "no such order");
	return rc;
}

static void respond_order(struct app *app, struct http_resp *resp, int status,
                          const struct sweeping_order *o)
{
	json_t *j = sweeping_order_json(app->store, o);

	if (!j) {
		http_resp_err(resp, ERR_INTERNAL, "cannot render the order");
		return;
	}
	http_resp_json(resp, status, j);
	http_resp_header(resp, "Cache-Control", "private, no-cache");
}

/* items: [{service_id, quantity}] into in (at most SWEEPING_ITEMS_MAX). */
static int items_of(json_t *j, struct sweeping_item_in *in, size_t *n,
                    struct err_detail *e)
{
	static const char *const keys[] = {"service_id", "quantity", NULL};
	json_t *arr = json_object_get(j, "items"), *v;
	struct err_detail msg = {0};
	int64_t sid, qty;
	size_t i;
	int rc;

	if (!json_is_array(arr) || json_array_size(arr) < 1 ||
	    json_array_size(arr) > SWEEPING_ITEMS_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "items: choose 1 to %d services",
		                SWEEPING_ITEMS_MAX);
	}
	json_array_foreach(arr, i, v)
	{
		if (!json_is_object(v)) {
			return err_fail(e, ERR_INVALID, NULL,
			                "items[%zu]: must be an object", i);
		}
		if ((rc = jsonx_only(v, keys, &msg)) ||
		    (rc = jsonx_int(v, "service_id", true, 1, INT64_MAX, 0,
		                    &sid, &msg)) ||
		    (rc = jsonx_int(v, "quantity", false, 1,
		                    SWEEPING_QUANTITY_MAX, 1, &qty, &msg))) {
			return err_fail(e, rc, NULL, "items[%zu].%s", i,
			                msg.msg);
		}
		in[i].service_id = sid;
		in[i].quantity = (int)qty;
	}
	*n = json_array_size(arr);
	return 0;
}

static void post_order(void *appv, struct http_req *req, struct http_resp *resp)
{
	static const char *const keys[] = {"plot_id", "date", "items", "note",
	                                   NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct sweeping_item_in items[SWEEPING_ITEMS_MAX];
	struct sweeping_order_in in = {.items = items};
	struct err_detail e = {0};
	struct sweeping_order o;
	struct err_detail err = {0};
	char today[11];
	json_t *j = NULL;
	int64_t plot;
	int rc;

	if (access_deny(resp, access_check(a, ACT_ORDER_CREATE, NULL)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc =
	         jsonx_int(j, "plot_id", true, 1, INT64_MAX, 0, &plot, &err)) ||
	    (rc = jsonx_str(j, "date", true, 10, 10, NULL, &in.date, &err)) ||
	    (rc = jsonx_text(j, TEXT_ORDER_NOTE, false, "", &in.note, &err)) ||
	    (rc = items_of(j, items, &in.n_items, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	in.plot_id = plot;
	in.user_id = a->user_id;
	visit_today(today);
	if ((rc = sweeping_order_create(app->store, app->bus, &in, today, &o,
	                                &e))) {
		http_resp_fail(resp, rc, &e);
		goto out;
	}
	respond_order(app, resp, 201, &o);
out:
	json_decref(j);
}

static void get_order(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct sweeping_order o;

	if (load_order(app, req, resp, &o))
		return;
	respond_order(app, resp, 200, &o);
}

static void list_orders(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	struct api_visit_scope sc;
	GArray *arr;
	json_t *out;
	int rc;

	if (!api_visit_list_scope(req, resp, sweeping_state_parse,
	                          "state: unknown order state", ACT_ORDER_STAFF,
	                          60, &sc))
		return;
	arr = g_array_new(FALSE, FALSE, sizeof(struct sweeping_order));
	rc =
	    sc.cemetery_id
	        ? store_order_list_cemetery(app->store, sc.cemetery_id, sc.from,
	                                    sc.to, sc.state, LIST_LIMIT, arr)
	        : store_order_list_user(app->store, sc.user_id, 200, arr);
	if (!store_ok(rc, "listing orders")) {
		http_resp_err(resp, rc, "cannot read orders");
		goto out;
	}
	out = json_array();
	for (guint i = 0; i < arr->len; i++) {
		const struct sweeping_order *o =
		    &g_array_index(arr, struct sweeping_order, i);
		json_t *oj = sweeping_order_json(app->store, o);

		if (!oj) {
			/* the store's reason is logged where it failed */
			log_error("sweeping",
			          "listing orders: order %lld cannot be read",
			          (long long)o->id);
			json_decref(out);
			http_resp_err(resp, ERR_INTERNAL, "cannot read orders");
			goto out;
		}
		jsonx_push(&out, oj);
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "orders", out));
	http_resp_header(resp, "Cache-Control", "private, no-cache");
out:
	g_array_free(arr, TRUE);
}

/* The right a move into `to` needs: the family's or the cemetery's. */
static int side_right(const struct actor *a, const struct sweeping_order *o,
                      enum sweeping_side side)
{
	struct access_obj obj;

	order_obj(o, &obj);
	return access_check(
	    a, side == SW_FAMILY ? ACT_ORDER_FAMILY : ACT_ORDER_STAFF, &obj);
}

static void post_transition(void *appv, struct http_req *req,
                            struct http_resp *resp)
{
	static const char *const keys[] = {"to", "note", "reason", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct err_detail e = {0};
	struct sweeping_order o;
	const char *to_s, *note, *reason;
	struct err_detail err = {0};
	json_t *j = NULL;
	int to, side, rc;

	if (load_order(app, req, resp, &o))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_str(j, "to", true, 1, 32, NULL, &to_s, &err)) ||
	    (rc = jsonx_text(j, TEXT_MOVE_NOTE, false, NULL, &note, &err)) ||
	    (rc =
	         jsonx_text(j, TEXT_MOVE_REASON, false, NULL, &reason, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	to = sweeping_state_parse(to_s);
	side = to < 0 ? -1 : sweeping_side_of(to);
	if (side < 0) {
		http_resp_err(resp, ERR_INVALID,
		              "to: accepted, rejected, in_progress, completed, "
		              "confirmed, cancelled or disputed");
		goto out;
	}
	if (access_deny(resp, side_right(a, &o, side)))
		goto out;
	if ((rc = sweeping_transition(app->store, app->bus, o.id, to, side,
	                              a->user_id, reason ? reason : note, &o,
	                              &e))) {
		http_resp_fail(resp, rc, &e);
		goto out;
	}
	respond_order(app, resp, 200, &o);
out:
	json_decref(j);
}

static json_t *proof_json(const struct sweeping_proof *p)
{
	char url[96];

	snprintf(url, sizeof(url), "/api/sweeping-orders/%lld/proof/%lld",
	         (long long)p->order_id, (long long)p->id);
	return json_pack("{s:I,s:s,s:s,s:I,s:b,s:s}", "id", (json_int_t)p->id,
	                 "kind", p->video ? "video" : "image", "mime", p->mime,
	                 "bytes", (json_int_t)p->bytes, "kept_location",
	                 p->kept_location, "url", url);
}

/* POST /api/sweeping-orders/{id}/proof[?keep_location=1], raw body. */
static void post_proof(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	const char *keep_q = http_query(req, "keep_location");
	bool keep = keep_q && strcmp(keep_q, "1") == 0;
	struct sweeping_proof p = {0};
	struct err_detail e = {0};
	struct sweeping_order o;
	struct proof_file f;
	char dir[1100];
	int rc;

	if (load_order(app, req, resp, &o) ||
	    access_deny(resp, side_right(a, &o, SW_STAFF)))
		return;
	if (keep_q && strcmp(keep_q, "1") && strcmp(keep_q, "0")) {
		http_resp_err(resp, ERR_INVALID, "keep_location: 0 or 1");
		return;
	}
	/* refuse before storing a file nobody will reference */
	if (o.state != SW_ACCEPTED && o.state != SW_IN_PROGRESS) {
		http_resp_errc(resp, 409, "proof_not_now",
		               "the order is %s; proof is uploaded while it is "
		               "accepted or in progress",
		               sweeping_state_name(o.state));
		return;
	}
	proofs_dir(app, dir, sizeof(dir));
	if ((rc = proof_store(dir, req->body, req->body_len,
	                      http_header(req, "content-type"), keep,
	                      (size_t)app->cfg.max_upload_bytes, &f, &e))) {
		http_resp_fail(resp, rc, &e);
		return;
	}
	p.order_id = o.id;
	p.video = f.video;
	snprintf(p.hash, sizeof(p.hash), "%s", f.hash);
	snprintf(p.mime, sizeof(p.mime), "%s", f.mime);
	p.bytes = (int64_t)f.bytes;
	p.kept_location = keep;
	p.uploaded_by = a->user_id;
	if ((rc = sweeping_proof_add(app->store, app->bus, &p, &e))) {
		http_resp_fail(resp, rc, &e);
		return;
	}
	http_resp_json(resp, 201, proof_json(&p));
}

static void get_proof(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct sweeping_proof p;
	struct sweeping_order o;
	char dir[1100], path[1200];
	int64_t pid;
	int rc;

	if (load_order(app, req, resp, &o))
		return;
	if ((rc = http_param_id(req, "pid", &pid)
	              ? ERR_NOT_FOUND
	              : store_sweeping_proof_get(app->store, o.id, pid, &p))) {
		http_resp_lookup(resp, rc, "no such proof");
		return;
	}
	proofs_dir(app, dir, sizeof(dir));
	if (proof_path(dir, p.hash, path, sizeof(path)) ||
	    http_resp_file(resp, req, path, p.mime,
	                   "private, max-age=31536000, immutable") ==
	        ERR_NOT_FOUND)
		http_resp_err(resp, ERR_NOT_FOUND, "the proof file is missing");
}

static void post_rating(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	static const char *const keys[] = {"stars", "comment", NULL};
	struct app *app = appv;
	struct err_detail e = {0};
	struct sweeping_order o;
	const char *comment;
	struct err_detail err = {0};
	json_t *j = NULL;
	int64_t stars;
	int rc;

	if (load_order(app, req, resp, &o) ||
	    access_deny(resp, side_right(auth_actor(req), &o, SW_FAMILY)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_int(j, "stars", true, 1, 5, 0, &stars, &err)) ||
	    (rc = jsonx_text(j, TEXT_RATING_COMMENT, false, "", &comment,
	                     &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if ((rc = sweeping_rate(app->store, o.id, (int)stars, comment, &e))) {
		http_resp_fail(resp, rc, &e);
		goto out;
	}
	http_resp_json(resp, 201,
	               json_pack("{s:I,s:{s:i,s:s}}", "order_id",
	                         (json_int_t)o.id, "rating", "stars",
	                         (int)stars, "comment", comment));
out:
	json_decref(j);
}

/* POST /api/sweeping-orders/{id}/payment {state: paid|refunded,
 * reference}: staff of the order's cemetery record a payment or a refund
 * made at the office or by transfer. The same call again is a 200 that
 * changes nothing. */
static void post_payment(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	static const char *const keys[] = {"state", "reference", NULL};
	static const char *const states[] = {"paid", "refunded", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct err_detail e = {0};
	struct sweeping_order o;
	const char *ref;
	struct err_detail err = {0};
	json_t *j = NULL;
	bool changed;
	int to, rc;

	if (load_order(app, req, resp, &o) ||
	    access_deny(resp, side_right(a, &o, SW_STAFF)))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_enum(j, "state", true, states, 0, &to, &err)) ||
	    (rc = jsonx_text(j, TEXT_PAY_REFERENCE, true, NULL, &ref, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if ((rc = pay_record_set(app->store, app->bus, o.id,
	                         to == 0 ? PAY_PAID : PAY_REFUNDED, ref,
	                         a->user_id, &changed, &o, &e))) {
		http_resp_fail(resp, rc, &e);
		goto out;
	}
	respond_order(app, resp, 200, &o);
out:
	json_decref(j);
}

static json_t *settings_json(const struct pay_settings *s)
{
	return json_pack("{s:I,s:s,s:s,s:b,s:o}", "cemetery_id",
	                 (json_int_t)s->cemetery_id, "provider", s->provider,
	                 "instructions", s->instructions, "pay_later",
	                 s->pay_later, "updated_at",
	                 s->set ? json_string(s->updated_at) : json_null());
}

/* GET and PUT /api/cemeteries/{id}/payment-settings: how families pay
 * this cemetery, read and written by its staff (families read the text
 * on each order). PUT {instructions, pay_later}. */
static void payment_settings(void *appv, struct http_req *req,
                             struct http_resp *resp)
{
	static const char *const keys[] = {"instructions", "pay_later", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct access_obj obj = {0};
	struct err_detail e = {0};
	struct pay_settings s;
	struct org org;
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if (api_org_find(app, req, resp, ORG_CEMETERY, &org))
		return;
	obj.id = obj.cemetery_id = org.id;
	if (access_deny(resp, access_check(a, ACT_ORDER_STAFF, &obj)))
		return;
	if (!store_ok(pay_settings_get(app->store, obj.id, &s),
	              "reading a cemetery's payment settings")) {
		http_resp_err(resp, ERR_DB, "cannot read the payment settings");
		return;
	}
	if (strcmp(req->method, "PUT") == 0) {
		if ((rc = jsonx_parse_object(req->body, req->body_len, &j,
		                             &err)) ||
		    (rc = jsonx_only(j, keys, &err)) ||
		    (rc = jsonx_text_copy(j, TEXT_PAY_INSTRUCTIONS, true,
		                          s.instructions,
		                          sizeof(s.instructions), &err)) ||
		    (rc = jsonx_bool(j, "pay_later", false, false, &s.pay_later,
		                     &err))) {
			http_resp_fail(resp, rc, &err);
			goto out;
		}
		if ((rc = pay_settings_put(app->store, &s, a->user_id, &e)) ||
		    !store_ok(rc = pay_settings_get(app->store, obj.id, &s),
		              "reading payment settings back")) {
			http_resp_fail(resp, rc, &e);
			goto out;
		}
	}
	http_resp_json(resp, 200, settings_json(&s));
	http_resp_header(resp, "Cache-Control", "private, no-cache");
out:
	json_decref(j);
}

/* GET /api/cemeteries/{id}/rating and /api/agencies/{id}/rating. */
static void get_rating(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	enum org_kind k = strncmp(req->path, "/api/agencies/", 14) == 0
	                      ? ORG_AGENCY
	                      : ORG_CEMETERY;
	struct org org;
	int64_t id, count = 0;
	double avg = 0;

	if (api_org_find(app, req, resp, k, &org))
		return;
	id = org.id;
	if (store_sweeping_rating_summary(app->store, store_org_kind_name(k),
	                                  id, &avg, &count)) {
		http_resp_err(resp, ERR_DB, "cannot read ratings");
		return;
	}
	http_resp_json(resp, 200,
	               json_pack("{s:s,s:I,s:f,s:I}", "subject_kind",
	                         store_org_kind_name(k), "subject_id",
	                         (json_int_t)id, "average",
	                         (double)(int64_t)(avg * 100 + 0.5) / 100,
	                         "count", (json_int_t)count));
}

/* Who may follow "order:{id}" (the family that placed it, staff of its
 * cemetery, admins) and "user:{id}" (that user, admins). 0, ERR_NOT_FOUND,
 * ERR_UNAUTHORIZED, ERR_FORBIDDEN, ERR_INVALID (another kind). Matches
 * app_topic_check, for wshub_register(). */
static int order_topic_check(void *appv, struct http_ws *ws, const char *topic)
{
	struct app *app = appv;
	const char *colon = strchr(topic, ':');
	struct sweeping_order o;
	struct actor a;
	char *end;
	long long id;
	int rc;

	if (!colon)
		return ERR_INVALID;
	id = strtoll(colon + 1, &end, 10);
	if (*end || id <= 0)
		return ERR_NOT_FOUND;
	auth_ws_actor(app, ws, &a);
	if (a.user_id == 0)
		return ERR_UNAUTHORIZED;
	if (strncmp(topic, "user:", 5) == 0)
		return a.user_id == id || actor_is_admin(&a) ? 0
		                                             : ERR_FORBIDDEN;
	if (strncmp(topic, "order:", 6) != 0)
		return ERR_INVALID;
	rc = store_order_get(app->store, id, &o);
	return rc == 0 && view_right(&a, &o) ? ERR_NOT_FOUND : rc;
}

int api_sweeping_start(struct app *app)
{
	static const char *const kinds[] = {"order", "user"};
	int rc = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(kinds) && !rc; i++) {
		bool taken = false;

		for (int k = 0; k < app->n_topics; k++)
			taken |= strcmp(app->topics[k].kind, kinds[i]) == 0;
		if (!taken)
			rc = wshub_register(app, kinds[i], order_topic_check);
	}
	return rc;
}

int api_sweeping_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/sweeping-orders", post_order, 0);
	rc |= router_add(r, "GET", "/api/sweeping-orders", list_orders, 0);
	rc |= router_add(r, "GET", "/api/sweeping-orders/{id}", get_order, 0);
	rc |= router_add(r, "POST", "/api/sweeping-orders/{id}/transitions",
	                 post_transition, 0);
	rc |= router_add(r, "POST", "/api/sweeping-orders/{id}/proof",
	                 post_proof, ROUTE_UPLOAD | ROUTE_RAW);
	rc |= router_add(r, "GET", "/api/sweeping-orders/{id}/proof/{pid}",
	                 get_proof, 0);
	rc |= router_add(r, "POST", "/api/sweeping-orders/{id}/rating",
	                 post_rating, 0);
	rc |= router_add(r, "POST", "/api/sweeping-orders/{id}/payment",
	                 post_payment, 0);
	rc |= router_add(r, "GET", "/api/cemeteries/{id}/payment-settings",
	                 payment_settings, 0);
	rc |= router_add(r, "PUT", "/api/cemeteries/{id}/payment-settings",
	                 payment_settings, 0);
	rc |=
	    router_add(r, "GET", "/api/cemeteries/{id}/rating", get_rating, 0);
	rc |= router_add(r, "GET", "/api/agencies/{id}/rating", get_rating, 0);
	return rc ? -1 : 0;
}
