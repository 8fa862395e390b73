/* api_visit.c — cemetery visit slots, bookings, QR tickets and check-in
 * over HTTP.
 *
 * Slots are public to read (remaining places); publishing them and
 * checking visitors in needs slot.manage for the slot's cemetery. A booking
 * is seen and cancelled by its owner and by the cemetery's staff; staff may
 * book on someone's behalf (phone booking for the elderly). The contact
 * phone is shown masked; the clear number only to the cemetery's staff
 * through GET /api/bookings/{id}/contact, which is audited. Rules live in
 * visit.c. The gate's camera scanner decodes tickets with jsQR (npm,
 * web/node_modules) where the browser has no BarcodeDetector: served from
 * here at /vendor/jsqr.js, never from a CDN.
 */
#include "access.h"
#include "api.h"
#include "api_visit.h"
#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "qr.h"
#include "store.h"
#include "store_org.h"
#include "store_user.h"
#include "store_visit.h"
#include "store_booking.h"
#include "visit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_LIMIT 1000

bool api_visit_date_query(struct http_req *req, struct http_resp *resp,
                          const char *name, const char *dflt, char *out)
{
	const char *v = http_query(req, name);

	if (!v || !*v) {
		snprintf(out, 11, "%s", dflt);
		return true;
	}
	if (!visit_date_valid(v)) {
		http_resp_err(resp, ERR_INVALID,
		              "%s: must be a date YYYY-MM-DD", name);
		return false;
	}
	snprintf(out, 11, "%s", v);
	return true;
}

bool api_visit_range(struct http_req *req, struct http_resp *resp, int days,
                     char *from, char *to)
{
	char today[11], dflt_to[11], limit[11];

	visit_today(today);
	if (http_query(req, "date")) {
		if (!api_visit_date_query(req, resp, "date", today, from))
			return false;
		snprintf(to, 11, "%s", from);
		return true;
	}
	if (!api_visit_date_query(req, resp, "from", today, from))
		return false;
	visit_date_add(from, days, dflt_to);
	if (!api_visit_date_query(req, resp, "to", dflt_to, to))
		return false;
	visit_date_add(from, 400, limit);
	if (strcmp(to, from) < 0 || strcmp(to, limit) > 0) {
		http_resp_err(resp, ERR_INVALID,
		              "to: must be from `from` to 400 days after it");
		return false;
	}
	return true;
}

int64_t api_visit_query_id(struct http_req *req, struct http_resp *resp,
                           const char *name)
{
	const char *v = http_query(req, name);
	char *end;
	long long n;

	if (!v)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n <= 0) {
		http_resp_err(resp, ERR_INVALID, "%s: must be a positive id",
		              name);
		return -1;
	}
	return n;
}

bool api_visit_list_scope(struct http_req *req, struct http_resp *resp,
                          int (*parse)(const char *), const char *state_hint,
                          int right, int days, struct api_visit_scope *out)
{
	const struct actor *a = auth_actor(req);
	const char *mine = http_query(req, "mine");
	const char *state = http_query(req, "state");
	struct access_obj obj = {0};

	memset(out, 0, sizeof(*out));
	out->state = -1;
	if ((out->cemetery_id = api_visit_query_id(req, resp, "cemetery_id")) <
	    0)
		return false;
	if (!(out->user_id = a->user_id)) {
		access_deny(resp, ERR_UNAUTHORIZED);
		return false;
	}
	if (state && *state && (out->state = parse(state)) < 0) {
		http_resp_err(resp, ERR_INVALID, "%s", state_hint);
		return false;
	}
	if (!out->cemetery_id && !(mine && strcmp(mine, "0"))) {
		http_resp_err(resp, ERR_INVALID,
		              "give mine=1, or cemetery_id (staff)");
		return false;
	}
	if (!out->cemetery_id)
		return true;
	obj.id = obj.cemetery_id = out->cemetery_id;
	return !access_deny(resp,
	                    access_check(a, (enum access_action)right, &obj)) &&
	       api_visit_range(req, resp, days, out->from, out->to);
}

static json_t *slot_json(const struct visit_slot *s)
{
	return json_pack(
	    "{s:I,s:I,s:s,s:s,s:s,s:i,s:i,s:i}", "id", (json_int_t)s->id,
	    "cemetery_id", (json_int_t)s->cemetery_id, "date", s->date, "start",
	    s->start, "end", s->end, "capacity", s->capacity, "booked",
	    s->booked, "remaining", s->capacity - s->booked);
}

static json_t *booking_json(const struct visit_booking *b)
{
	char url[80];

	snprintf(url, sizeof(url), "/api/bookings/%lld/ticket.svg",
	         (long long)b->id);
	return json_pack(
	    "{s:I,s:s,s:s,s:i,s:s,s:{s:I,s:s,s:s,s:s},s:{s:I,s:s},"
	    "s:{s:I,s:s,s:s,s:s},s:I,s:s,s:o,s:o,s:o,s:s,s:s}",
	    "id", (json_int_t)b->id, "code", b->code, "state",
	    visit_state_name(b->state), "persons", b->persons, "contact_phone",
	    b->phone_masked, "slot", "id", (json_int_t)b->slot_id, "date",
	    b->date, "start", b->start, "end", b->end, "cemetery", "id",
	    (json_int_t)b->cemetery_id, "name", b->cemetery_name, "plot", "id",
	    (json_int_t)b->plot_id, "section", b->plot_section, "row",
	    b->plot_row, "number", b->plot_number, "user_id",
	    (json_int_t)b->user_id, "user_name", b->user_name, "booked_by",
	    b->booked_by ? json_integer(b->booked_by) : json_null(),
	    "checked_in_at",
	    b->checked_in_at[0] ? json_string(b->checked_in_at) : json_null(),
	    "cancelled_at",
	    b->cancelled_at[0] ? json_string(b->cancelled_at) : json_null(),
	    "created_at", b->created_at, "ticket_url", url);
}

static int cemetery_param(struct app *app, struct http_req *req,
                          struct http_resp *resp, int64_t *id)
{
	struct org o;
	int rc = api_org_find(app, req, resp, ORG_CEMETERY, &o);

	if (rc == 0)
		*id = o.id;
	return rc;
}

static int staff_right(struct http_req *req, int64_t cemetery_id)
{
	struct access_obj obj = {.id = cemetery_id, .cemetery_id = cemetery_id};

	return access_check(auth_actor(req), ACT_SLOT_MANAGE, &obj);
}

/* One slot object of a publishing request. */
static int slot_fields(json_t *j, struct visit_slot *s, struct err_detail *e)
{
	static const char *const keys[] = {"date", "start", "end", "capacity",
	                                   NULL};
	const char *date, *start, *end;
	int64_t cap;
	int rc;

	if (!json_is_object(j)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "each slot must be an object");
	}
	if ((rc = jsonx_only(j, keys, e)) ||
	    (rc = jsonx_str(j, "date", true, 10, 10, NULL, &date, e)) ||
	    (rc = jsonx_str(j, "start", true, 5, 5, NULL, &start, e)) ||
	    (rc = jsonx_str(j, "end", true, 5, 5, NULL, &end, e)) ||
	    (rc = jsonx_int(j, "capacity", true, 1, VISIT_CAPACITY_MAX, 0, &cap,
	                    e)))
		return rc;
	memset(s, 0, sizeof(*s));
	snprintf(s->date, sizeof(s->date), "%s", date);
	snprintf(s->start, sizeof(s->start), "%s", start);
	snprintf(s->end, sizeof(s->end), "%s", end);
	s->capacity = (int)cap;
	return 0;
}

/* The slots of a request: one object, or {"slots":[...]}. */
static int slots_of(json_t *j, struct visit_slot *slots, size_t *n,
                    struct err_detail *e)
{
	json_t *arr = json_object_get(j, "slots");
	struct err_detail msg = {0};
	size_t i;
	json_t *v;
	int rc;

	if (!arr)
		return *n = 1, slot_fields(j, &slots[0], e);
	if (json_object_size(j) != 1 || !json_is_array(arr) ||
	    json_array_size(arr) < 1 ||
	    json_array_size(arr) > VISIT_BATCH_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "slots: give an array of 1 to %d slots",
		                VISIT_BATCH_MAX);
	}
	json_array_foreach(arr, i, v)
	{
		if ((rc = slot_fields(v, &slots[i], &msg))) {
			return err_fail(e, rc, NULL, "slots[%zu]: %s", i,
			                msg.msg);
		}
	}
	*n = json_array_size(arr);
	return 0;
}

static void post_slots(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct visit_slot *slots = NULL;
	struct err_detail e = {0};
	struct err_detail err = {0};
	char today[11];
	json_t *j = NULL, *arr;
	int64_t cid;
	size_t n = 0;
	int rc;

	if (cemetery_param(app, req, resp, &cid) ||
	    access_deny(resp, staff_right(req, cid)))
		return;
	slots = g_new0(struct visit_slot, VISIT_BATCH_MAX);
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = slots_of(j, slots, &n, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	visit_today(today);
	for (size_t i = 0; i < n; i++)
		if (strcmp(slots[i].date, today) < 0 &&
		    visit_date_valid(slots[i].date)) {
			http_resp_err(resp, ERR_INVALID,
			              "date: %s has passed; publish slots from "
			              "today (%s) on",
			              slots[i].date, today);
			goto out;
		}
	if ((rc = visit_slots_create(app->store, cid, slots, n,
	                             auth_actor(req)->user_id, &e))) {
		http_resp_fail(resp, rc, &e);
		goto out;
	}
	arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		jsonx_push(
		    &arr, store_ok(store_visit_slot_get(app->store, slots[i].id,
		                                        &slots[i]),
		                   "reading a new slot back")
		              ? slot_json(&slots[i])
		              : NULL);
	http_resp_json(resp, 201, json_pack("{s:o}", "slots", arr));
out:
	json_decref(j);
	g_free(slots);
}

static void list_slots(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	char from[11], to[11];
	GArray *a;
	json_t *arr;
	int64_t cid;

	if (cemetery_param(app, req, resp, &cid) ||
	    !api_visit_range(req, resp, 30, from, to))
		return;
	a = g_array_new(FALSE, FALSE, sizeof(struct visit_slot));
	if (store_visit_slot_list(app->store, cid, from, to, a)) {
		http_resp_err(resp, ERR_DB, "cannot read slots");
		g_array_free(a, TRUE);
		return;
	}
	arr = json_array();
	for (guint i = 0; i < a->len; i++)
		jsonx_push(&arr,
		           slot_json(&g_array_index(a, struct visit_slot, i)));
	g_array_free(a, TRUE);
	http_resp_json(resp, 200,
	               json_pack("{s:I,s:s,s:s,s:o}", "cemetery_id",
	                         (json_int_t)cid, "from", from, "to", to,
	                         "slots", arr));
	http_resp_header(resp, "Cache-Control", "no-cache");
}

/* Fields of a booking request; 400 filled on error. */
static bool booking_fields(struct http_req *req, struct http_resp *resp,
                           json_t **j, struct visit_booking_in *in,
                           int64_t *for_user)
{
	static const char *const keys[] = {"slot_id",     "plot_id",
	                                   "persons",     "contact_phone",
	                                   "for_user_id", NULL};
	int64_t slot, plot, persons;
	struct err_detail err = {0};
	int rc;

	if ((rc = jsonx_parse_object(req->body, req->body_len, j, &err)) ||
	    (rc = jsonx_only(*j, keys, &err)) ||
	    (rc = jsonx_int(*j, "slot_id", true, 1, INT64_MAX, 0, &slot,
	                    &err)) ||
	    (rc = jsonx_int(*j, "plot_id", true, 1, INT64_MAX, 0, &plot,
	                    &err)) ||
	    (rc = jsonx_int(*j, "persons", true, 1, VISIT_PERSONS_MAX, 1,
	                    &persons, &err)) ||
	    (rc = jsonx_str(*j, "contact_phone", true, 5, 24, NULL, &in->phone,
	                    &err)) ||
	    (rc = jsonx_int(*j, "for_user_id", false, 1, INT64_MAX, 0, for_user,
	                    &err))) {
		http_resp_fail(resp, rc, &err);
		return false;
	}
	in->slot_id = slot;
	in->plot_id = plot;
	in->persons = (int)persons;
	return true;
}

static void post_booking(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct visit_booking_in in = {0};
	struct visit_booking b;
	struct err_detail e = {0};
	struct visit_slot slot;
	struct store_user u;
	int64_t for_user = 0;
	char today[11];
	json_t *j = NULL;
	int rc;

	if (access_deny(resp, access_check(a, ACT_BOOKING_CREATE, NULL)) ||
	    !booking_fields(req, resp, &j, &in, &for_user))
		goto out;
	in.user_id = a->user_id;
	if (for_user) {
		/* booking on someone's behalf: staff of the slot's cemetery */
		if ((rc =
		         store_visit_slot_get(app->store, in.slot_id, &slot))) {
			http_resp_lookup(resp, rc, "no such slot");
			goto out;
		}
		if (access_deny(resp, staff_right(req, slot.cemetery_id)))
			goto out;
		if ((rc = store_user_get(app->store, for_user, &u))) {
			http_resp_lookup(resp, rc, "no such user");
			goto out;
		}
		in.user_id = for_user;
		in.booked_by = a->user_id;
	}
	visit_today(today);
	if ((rc = visit_book(app->store, app->crypto, &in, today, &b, &e))) {
		http_resp_fail(resp, rc, &e);
		goto out;
	}
	http_resp_json(resp, 201, booking_json(&b));
out:
	json_decref(j);
}

/* Load the booking of the {id} parameter and check the right to it.
 * Booking numbers count up: to whoever has no right to one, it does not
 * exist (404 as for a number never used); anonymous callers are asked to
 * sign in before any lookup. */
static int load_booking(struct app *app, struct http_req *req,
                        struct http_resp *resp, struct visit_booking *b)
{
	const struct actor *a = auth_actor(req);
	struct access_obj obj = {0};
	int64_t id;
	int rc = ERR_NOT_FOUND;

	if (!a->user_id) {
		access_deny(resp, ERR_UNAUTHORIZED);
		return ERR_UNAUTHORIZED;
	}
	if (http_param_id(req, "id", &id) == 0 &&
	    (rc = store_booking_get(app->store, id, b)) == 0) {
		obj.id = b->id;
		obj.owner_id = b->user_id;
		obj.cemetery_id = b->cemetery_id;
		rc =
		    access_check(a, ACT_BOOKING_VIEW, &obj) ? ERR_NOT_FOUND : 0;
	}
	if (rc)
		http_resp_lookup(resp, rc, "no such booking");
	return rc;
}

static void get_booking(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct visit_booking b;

	if (load_booking(appv, req, resp, &b))
		return;
	http_resp_json(resp, 200, booking_json(&b));
	http_resp_header(resp, "Cache-Control", "private, no-cache");
}

static void delete_booking(void *appv, struct http_req *req,
                           struct http_resp *resp)
{
	struct app *app = appv;
	struct err_detail e = {0};
	struct visit_booking b;
	int rc;

	if (load_booking(app, req, resp, &b))
		return;
	if ((rc = visit_cancel(app->store, b.id, &e))) {
		http_resp_fail(resp, rc, &e);
		return;
	}
	if (store_ok(store_booking_get(app->store, b.id, &b),
	             "reading a booking back"))
		http_resp_json(resp, 200, booking_json(&b));
	else
		http_resp_err(resp, ERR_DB, "cannot read the booking back");
}

static void get_ticket(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct visit_booking b;
	size_t len = 0;
	char *svg;

	if (load_booking(appv, req, resp, &b))
		return;
	if (!(svg = qr_svg(b.code, 8, &len))) {
		http_resp_err(resp, ERR_INTERNAL, "cannot draw the QR code");
		return;
	}
	http_resp_data(resp, 200, "image/svg+xml", svg, len);
	http_resp_header(resp, "Cache-Control", "private, max-age=3600");
	free(svg);
}

/* jsQR for the staff console's ticket scanner (web/js/qr-worker.js). */
static void get_jsqr(void *appv, struct http_req *req, struct http_resp *resp)
{
	(void)appv;
	http_resp_web(resp, req, "/node_modules/jsqr/dist/jsQR.js");
}

/* The clear contact phone, for the cemetery's staff only (audited). */
static void get_contact(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct access_obj obj = {0};
	struct visit_booking b;
	char *sealed = NULL, *phone;

	if (load_booking(app, req, resp, &b))
		return;
	obj.id = b.id;
	obj.cemetery_id = b.cemetery_id;
	if (access_deny(resp, access_check(a, ACT_PII_VIEW, &obj)))
		return;
	if (store_booking_phone(app->store, b.id, &sealed) ||
	    !(phone = crypto_open_sealed(app->crypto, sealed))) {
		http_resp_err(resp, ERR_INTERNAL, "cannot open the phone");
		g_free(sealed);
		return;
	}
	access_audit(app, a, "pii.view", "booking", b.id, "contact_phone");
	http_resp_json(resp, 200,
	               json_pack("{s:I,s:s}", "id", (json_int_t)b.id,
	                         "contact_phone", phone));
	http_resp_header(resp, "Cache-Control", "no-store");
	explicit_bzero(phone, strlen(phone));
	free(phone);
	g_free(sealed);
}

static void list_bookings(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct api_visit_scope sc;
	GArray *arr;
	json_t *out;
	int rc;

	if (!api_visit_list_scope(req, resp, visit_state_parse,
	                          "state: booked, cancelled or checked_in",
	                          ACT_SLOT_MANAGE, 30, &sc))
		return;
	arr = g_array_new(FALSE, FALSE, sizeof(struct visit_booking));
	rc = sc.cemetery_id
	         ? store_booking_list_cemetery(app->store, sc.cemetery_id,
	                                       sc.from, sc.to, sc.state,
	                                       LIST_LIMIT, arr)
	         : store_booking_list_user(app->store, sc.user_id, 200, arr);
	if (!store_ok(rc, "listing bookings")) {
		http_resp_err(resp, rc, "cannot read bookings");
		goto out;
	}
	out = json_array();
	for (guint i = 0; i < arr->len; i++)
		jsonx_push(&out, booking_json(&g_array_index(
		                     arr, struct visit_booking, i)));
	http_resp_json(resp, 200, json_pack("{s:o}", "bookings", out));
	http_resp_header(resp, "Cache-Control", "private, no-cache");
out:
	g_array_free(arr, TRUE);
}

/* Staff of any cemetery (or admin): who may scan tickets at all. */
static bool any_staff(const struct actor *a)
{
	return actor_is_admin(a) || actor_has(a, ROLE_CEMETERY_STAFF, -1);
}

static void post_checkin(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	static const char *const keys[] = {"code", "cemetery_id", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct err_detail err = {0};
	char code[VISIT_CODE_LEN + 1], today[11];
	struct err_detail e = {0};
	struct visit_booking b;
	const char *raw;
	int64_t cid = 0;
	json_t *j = NULL;
	int rc;

	if (a->user_id == 0 || !any_staff(a)) {
		access_deny(resp,
		            a->user_id ? ERR_FORBIDDEN : ERR_UNAUTHORIZED);
		return;
	}
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_str(j, "code", true, 1, 64, NULL, &raw, &err)) ||
	    (rc = jsonx_int(j, "cemetery_id", false, 1, INT64_MAX, 0, &cid,
	                    &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (visit_code_normalize(raw, code, sizeof(code))) {
		http_resp_err(resp, ERR_INVALID,
		              "code: a ticket code has %d letters and digits",
		              VISIT_CODE_LEN);
		goto out;
	}
	if ((rc = store_booking_by_code(app->store, code, &b))) {
		if (rc == ERR_NOT_FOUND)
			http_resp_errc(resp, 404, "unknown_code",
			               "no booking has this code");
		else
			http_resp_lookup(resp, rc, "no booking has this code");
		goto out;
	}
	if (staff_right(req, b.cemetery_id)) {
		http_resp_err(resp, ERR_FORBIDDEN,
		              "this ticket is for another cemetery");
		goto out;
	}
	visit_today(today);
	if ((rc = visit_checkin(app->store, b.id, cid, today, a->user_id, &b,
	                        &e))) {
		http_resp_fail(resp, rc, &e);
		goto out;
	}
	http_resp_json(resp, 200,
	               json_pack("{s:b,s:o}", "checked_in", 1, "booking",
	                         booking_json(&b)));
out:
	json_decref(j);
}

int api_visit_routes(struct router *r)
{
	int rc = 0;

	rc |=
	    router_add(r, "POST", "/api/cemeteries/{id}/slots", post_slots, 0);
	rc |= router_add(r, "GET", "/api/cemeteries/{id}/slots", list_slots, 0);
	rc |= router_add(r, "POST", "/api/bookings", post_booking, 0);
	rc |= router_add(r, "GET", "/api/bookings", list_bookings, 0);
	rc |= router_add(r, "GET", "/api/bookings/{id}", get_booking, 0);
	rc |= router_add(r, "DELETE", "/api/bookings/{id}", delete_booking, 0);
	rc |= router_add(r, "GET", "/api/bookings/{id}/ticket.svg", get_ticket,
	                 0);
	rc |=
	    router_add(r, "GET", "/api/bookings/{id}/contact", get_contact, 0);
	rc |= router_add(r, "POST", "/api/checkins", post_checkin, 0);
	rc |= router_add(r, "GET", "/vendor/jsqr.js", get_jsqr, 0);
	return rc ? -1 : 0;
}
