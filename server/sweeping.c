/* sweeping.c — proxy grave-sweeping orders: the state machine, price
 * capture, proof records, ratings and the live events.
 *
 * Owns the rules and the transactions of orders; SQL is in store_order.c
 * and store_sweeping.c (proofs, ratings), files (photos, videos) are the
 * caller's (api_sweeping.c stores them, this module records them). It never
 * talks HTTP; it decides what may happen, not who may ask (access.c does, by
 * side). Publishes every change on the bus after the commit.
 */
#include "sweeping.h"
#include "bus.h"
#include "err.h"
#include "inbox.h"
#include "jsonx.h"
#include "log.h"
#include "pay.h"
#include "plot.h"
#include "store.h"
#include "store_plot.h"
#include "store_org.h"
#include "store_sweeping.h"
#include "store_order.h"
#include "visit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[SW_STATE_COUNT] = {
    "placed",    "accepted",  "in_progress", "completed",
    "confirmed", "cancelled", "rejected",    "disputed",
};

/* Every legal move and the side that makes it. */
static const struct {
	enum sweeping_state from, to;
	enum sweeping_side side;
} moves[] = {
    {SW_PLACED, SW_ACCEPTED, SW_STAFF},
    {SW_PLACED, SW_REJECTED, SW_STAFF},
    {SW_ACCEPTED, SW_REJECTED, SW_STAFF},
    {SW_ACCEPTED, SW_IN_PROGRESS, SW_STAFF},
    {SW_IN_PROGRESS, SW_COMPLETED, SW_STAFF},
    {SW_PLACED, SW_CANCELLED, SW_FAMILY},
    {SW_ACCEPTED, SW_CANCELLED, SW_FAMILY},
    {SW_COMPLETED, SW_CONFIRMED, SW_FAMILY},
    {SW_COMPLETED, SW_DISPUTED, SW_FAMILY},
};

const char *sweeping_state_name(enum sweeping_state s)
{
	return (unsigned)s < SW_STATE_COUNT ? state_names[s] : "?";
}

int sweeping_state_parse(const char *s)
{
	for (int i = 0; s && i < SW_STATE_COUNT; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

bool sweeping_state_final(enum sweeping_state s)
{
	return s == SW_CANCELLED || s == SW_REJECTED || s == SW_CONFIRMED ||
	       s == SW_DISPUTED;
}

int sweeping_side_of(enum sweeping_state to)
{
	for (size_t i = 0; i < G_N_ELEMENTS(moves); i++)
		if (moves[i].to == to)
			return (int)moves[i].side;
	return -1;
}

int sweeping_transition_check(enum sweeping_state from, enum sweeping_state to,
                              enum sweeping_side side, struct err_detail *err)
{
	if ((unsigned)from >= SW_STATE_COUNT ||
	    (unsigned)to >= SW_STATE_COUNT ||
	    (side != SW_FAMILY && side != SW_STAFF))
		return err_fail(err, ERR_INVALID, "invalid", "unknown state");
	if (sweeping_side_of(to) != (int)side)
		return err_fail(err, ERR_FORBIDDEN, "wrong_side",
		                "the %s does not make an order %s",
		                side == SW_FAMILY ? "family" : "cemetery",
		                state_names[to]);
	for (size_t i = 0; i < G_N_ELEMENTS(moves); i++)
		if (moves[i].from == from && moves[i].to == to)
			return 0;
	return err_fail(err, ERR_CONFLICT, "illegal_transition",
	                "the order is %s; it cannot become %s",
	                state_names[from], state_names[to]);
}

static const struct service_item *find_service(const struct service_item *s,
                                               size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].id == id && s[i].active)
			return &s[i];
	return NULL;
}

int sweeping_capture(const struct service_item *svcs, size_t n_svcs,
                     const struct sweeping_item_in *in, size_t n_in,
                     struct sweeping_item *out, int64_t *total,
                     struct err_detail *err)
{
	int64_t sum = 0;

	if (n_in == 0 || n_in > SWEEPING_ITEMS_MAX)
		return err_fail(err, ERR_INVALID, "invalid",
		                "items: choose 1 to %d services",
		                SWEEPING_ITEMS_MAX);
	for (size_t i = 0; i < n_in; i++) {
		const struct service_item *s =
		    find_service(svcs, n_svcs, in[i].service_id);

		if (in[i].quantity < 1 ||
		    in[i].quantity > SWEEPING_QUANTITY_MAX)
			return err_fail(err, ERR_INVALID, "invalid",
			                "items[%zu].quantity: must be 1 to %d",
			                i, SWEEPING_QUANTITY_MAX);
		if (!s)
			return err_fail(
			    err, ERR_INVALID, "invalid",
			    "items[%zu].service_id: service %lld is not "
			    "offered by this cemetery",
			    i, (long long)in[i].service_id);
		for (size_t k = 0; k < i; k++)
			if (in[k].service_id == in[i].service_id)
				return err_fail(
				    err, ERR_INVALID, "invalid",
				    "items[%zu]: service %lld is listed "
				    "twice",
				    i, (long long)in[i].service_id);
		memset(&out[i], 0, sizeof(out[i]));
		out[i].service_id = s->id;
		snprintf(out[i].name, sizeof(out[i].name), "%s", s->name);
		out[i].price_cents = s->price_cents;
		out[i].quantity = in[i].quantity;
		/* prices are bounded by the store (int64, >= 0); a sum past
		 * 2^53 would not survive JSON: refuse it */
		if (s->price_cents > (INT64_C(1) << 45) ||
		    (sum += s->price_cents * in[i].quantity) >
		        (INT64_C(1) << 52))
			return err_fail(err, ERR_INVALID, "invalid",
			                "items: the total is too large");
	}
	*total = sum;
	return 0;
}

static bool text_ok(const char *s, size_t max)
{
	return !s || (g_utf8_validate(s, -1, NULL) &&
	              g_utf8_strlen(s, -1) <= (glong)max);
}

/* Date, plot and the captured items of a new order. */
static int order_prepare(struct store *st, const struct sweeping_order_in *in,
                         const char *today, struct sweeping_order *o,
                         struct sweeping_item *items, struct err_detail *err)
{
	GArray *svcs = NULL;
	struct plot p;
	char last[11];
	int rc;

	if (!visit_date_valid(in->date))
		return err_fail(err, ERR_INVALID, "invalid",
		                "date: must be a date YYYY-MM-DD");
	visit_date_add(today, SWEEPING_DAYS_AHEAD, last);
	if (strcmp(in->date, today) < 0 || strcmp(in->date, last) > 0)
		return err_fail(err, ERR_INVALID, "invalid",
		                "date: must be from today (%s) to %s", today,
		                last);
	if (!text_ok(in->note, SWEEPING_NOTE_MAX))
		return err_fail(err, ERR_INVALID, "invalid",
		                "note: at most %d characters",
		                SWEEPING_NOTE_MAX);
	if ((rc = store_plot_get(st, in->plot_id, &p)))
		return rc == ERR_NOT_FOUND
		           ? err_fail(err, rc, "plot_not_found", "no such plot")
		           : err_fail(err, rc, NULL, "cannot read the plot");
	svcs = g_array_new(FALSE, FALSE, sizeof(struct service_item));
	rc = store_org_service_list(st, ORG_CEMETERY, p.cemetery_id, false,
	                            svcs);
	if (rc)
		err_fail(err, rc, NULL, "cannot read the service list");
	else
		rc = sweeping_capture(
		    (const struct service_item *)(void *)svcs->data, svcs->len,
		    in->items, in->n_items, items, &o->total_cents, err);
	g_array_free(svcs, TRUE);
	if (rc)
		return rc;
	o->user_id = in->user_id;
	o->cemetery_id = p.cemetery_id;
	o->plot_id = p.id;
	o->state = SW_PLACED;
	snprintf(o->date, sizeof(o->date), "%s", in->date);
	snprintf(o->note, sizeof(o->note), "%s", in->note ? in->note : "");
	return 0;
}

static int order_insert_tx(struct store *st, struct sweeping_order *o,
                           struct sweeping_item *items, size_t n)
{
	int rc;

	if ((rc = store_begin(st)))
		return rc;
	if ((rc = store_order_insert(st, o, &o->id)))
		goto out_rollback;
	for (size_t i = 0; i < n; i++) {
		items[i].order_id = o->id;
		if ((rc = store_order_item_insert(st, &items[i])))
			goto out_rollback;
	}
	if ((rc = store_order_event_insert(st, o->id, -1, SW_PLACED, o->user_id,
	                                   o->note)))
		goto out_rollback;
	return store_commit(st);
out_rollback:
	store_rollback(st);
	return rc;
}

int sweeping_order_create(struct store *st, struct bus *bus,
                          const struct sweeping_order_in *in, const char *today,
                          struct sweeping_order *out, struct err_detail *err)
{
	struct sweeping_item items[SWEEPING_ITEMS_MAX];
	struct sweeping_order o = {0};
	int rc;

	if ((rc = order_prepare(st, in, today, &o, items, err)))
		return rc;
	if ((rc = order_insert_tx(st, &o, items, in->n_items))) {
		log_error("sweeping",
		          "saving an order on plot %lld for user %lld: %s",
		          (long long)o.plot_id, (long long)o.user_id,
		          err_name(rc));
		return err_fail(err, rc, NULL, "cannot save the order");
	}
	if ((rc = store_order_get(st, o.id, out)))
		return err_fail(err, rc, NULL, "cannot read the order back");
	sweeping_publish(st, bus, o.id);
	return 0;
}

/* The start rule of pay.h: the work waits for payment unless the
 * cemetery allows pay-later. */
static int payment_check(struct store *st, const struct sweeping_order *o,
                         enum sweeping_state to, struct err_detail *err)
{
	struct pay_settings s;
	struct pay_record r;

	if (to != SW_IN_PROGRESS)
		return 0;
	if (!store_ok(pay_settings_get(st, o->cemetery_id, &s),
	              "reading a cemetery's payment settings") ||
	    !store_ok(pay_record_get(st, o->id, &r),
	              "reading an order's payment"))
		return err_fail(err, ERR_DB, NULL, "cannot read the payment");
	return pay_work_check(to, r.state, s.pay_later, err);
}

/* The checks of a move that need the store: payment for in_progress,
 * proof for completed. */
static int transition_tx(struct store *st, const struct sweeping_order *o,
                         enum sweeping_state to, enum sweeping_side side,
                         int64_t actor_id, const char *note,
                         struct err_detail *err)
{
	bool with_reason = to == SW_REJECTED || to == SW_DISPUTED;
	int all = 0, photos = 0, rc;

	if ((rc = sweeping_transition_check(o->state, to, side, err)) ||
	    (rc = payment_check(st, o, to, err)))
		return rc;
	if (to == SW_COMPLETED) {
		if ((rc = store_sweeping_proof_count(st, o->id, &all, &photos)))
			return err_fail(err, rc, NULL, "cannot count proofs");
		if (photos == 0)
			return err_fail(
			    err, ERR_CONFLICT, "proof_required",
			    "upload at least one proof photo before "
			    "completing the order");
	}
	if ((rc = store_order_set_state(st, o->id, o->state, to,
	                                with_reason ? note : NULL)) ||
	    (rc = store_order_event_insert(st, o->id, (int)o->state, to,
	                                   actor_id, note)))
		return err_fail(err, rc, NULL, "cannot save the change");
	return 0;
}

int sweeping_transition(struct store *st, struct bus *bus, int64_t order_id,
                        enum sweeping_state to, enum sweeping_side side,
                        int64_t actor_id, const char *note,
                        struct sweeping_order *out, struct err_detail *err)
{
	struct sweeping_order o;
	int rc;

	if (!text_ok(note, SWEEPING_NOTE_MAX))
		return err_fail(err, ERR_INVALID, "invalid",
		                "note: at most %d characters",
		                SWEEPING_NOTE_MAX);
	if ((to == SW_REJECTED || to == SW_DISPUTED) && (!note || !*note))
		return err_fail(err, ERR_INVALID, "reason_required",
		                "reason: say why the order is %s",
		                sweeping_state_name(to));
	if ((rc = store_begin(st)))
		return err_fail(err, rc, NULL, "cannot start a transaction");
	if ((rc = store_order_get(st, order_id, &o))) {
		err_fail(err, rc, NULL, "no such order");
		goto out_rollback;
	}
	if ((rc = transition_tx(st, &o, to, side, actor_id, note, err)))
		goto out_rollback;
	if ((rc = store_commit(st)))
		return err_fail(err, rc, NULL, "cannot save the change");
	if ((rc = store_order_get(st, order_id, out)))
		return err_fail(err, rc, NULL, "cannot read the order back");
	sweeping_publish(st, bus, order_id);
	return 0;
out_rollback:
	store_rollback(st);
	return rc;
}

int sweeping_proof_add(struct store *st, struct bus *bus,
                       struct sweeping_proof *p, struct err_detail *err)
{
	struct sweeping_order o;
	int all = 0, photos = 0, rc;

	if ((rc = store_begin(st)))
		return err_fail(err, rc, NULL, "cannot start a transaction");
	if ((rc = store_order_get(st, p->order_id, &o))) {
		err_fail(err, rc, NULL, "no such order");
		goto out_rollback;
	}
	if (o.state != SW_ACCEPTED && o.state != SW_IN_PROGRESS) {
		rc = err_fail(err, ERR_CONFLICT, "proof_not_now",
		              "the order is %s; proof is uploaded while it is "
		              "accepted or in progress",
		              sweeping_state_name(o.state));
		goto out_rollback;
	}
	if ((rc = store_sweeping_proof_count(st, o.id, &all, &photos)) ||
	    all >= SWEEPING_PROOFS_MAX) {
		rc =
		    rc ? err_fail(err, rc, NULL, "cannot count proofs")
		       : err_fail(err, ERR_CONFLICT, "too_many_proofs",
		                  "an order holds at most %d photos and videos",
		                  SWEEPING_PROOFS_MAX);
		goto out_rollback;
	}
	if ((rc = store_sweeping_proof_insert(st, p, &p->id))) {
		err_fail(err, rc, NULL, "cannot save the proof");
		goto out_rollback;
	}
	if ((rc = store_commit(st)))
		return err_fail(err, rc, NULL, "cannot save the proof");
	sweeping_publish(st, bus, p->order_id);
	return 0;
out_rollback:
	store_rollback(st);
	return rc;
}

int sweeping_rate(struct store *st, int64_t order_id, int stars,
                  const char *comment, struct err_detail *err)
{
	struct sweeping_order o;
	int rc;

	if (stars < 1 || stars > 5)
		return err_fail(err, ERR_INVALID, "invalid",
		                "stars: must be 1 to 5");
	if (!text_ok(comment, RATING_COMMENT_MAX))
		return err_fail(err, ERR_INVALID, "invalid",
		                "comment: at most %d characters",
		                RATING_COMMENT_MAX);
	if ((rc = store_order_get(st, order_id, &o)))
		return err_fail(err, rc, NULL, "no such order");
	if (o.state != SW_CONFIRMED)
		return err_fail(
		    err, ERR_CONFLICT, "not_confirmed",
		    "the order is %s; rate it once you have confirmed "
		    "it",
		    sweeping_state_name(o.state));
	rc = store_sweeping_rating_insert(st, "cemetery", o.cemetery_id, o.id,
	                                  o.user_id, stars, comment);
	if (rc == ERR_CONFLICT)
		return err_fail(err, rc, "already_rated",
		                "this order has been rated already");
	return rc ? err_fail(err, rc, NULL, "cannot save the rating") : 0;
}

static json_t *items_json(struct store *st, int64_t order_id)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct sweeping_item));
	json_t *arr = NULL;

	if (store_ok(store_order_item_list(st, order_id, a),
	             "listing an order's items"))
		arr = json_array();
	for (guint i = 0; arr && i < a->len; i++) {
		struct sweeping_item *it =
		    &g_array_index(a, struct sweeping_item, i);

		jsonx_push(
		    &arr,
		    json_pack("{s:I,s:s,s:I,s:i,s:I}", "service_id",
		              (json_int_t)it->service_id, "name", it->name,
		              "price_cents", (json_int_t)it->price_cents,
		              "quantity", it->quantity, "amount_cents",
		              (json_int_t)(it->price_cents * it->quantity)));
	}
	g_array_free(a, TRUE);
	return arr;
}

static json_t *events_json(struct store *st, int64_t order_id)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct sweeping_event));
	json_t *arr = NULL;

	if (store_ok(store_order_event_list(st, order_id, a),
	             "listing an order's events"))
		arr = json_array();
	for (guint i = 0; arr && i < a->len; i++) {
		struct sweeping_event *ev =
		    &g_array_index(a, struct sweeping_event, i);

		jsonx_push(
		    &arr,
		    json_pack("{s:o,s:s,s:I,s:s,s:s,s:s}", "from",
		              ev->from < 0
		                  ? json_null()
		                  : json_string(sweeping_state_name(ev->from)),
		              "to", sweeping_state_name(ev->to), "actor_id",
		              (json_int_t)ev->actor_id, "actor_name",
		              ev->actor_name, "note", ev->note, "at", ev->at));
	}
	g_array_free(a, TRUE);
	return arr;
}

static json_t *proofs_json(struct store *st, int64_t order_id)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct sweeping_proof));
	json_t *arr = NULL;
	char url[96];

	if (store_ok(store_sweeping_proof_list(st, order_id, a),
	             "listing an order's proofs"))
		arr = json_array();
	for (guint i = 0; arr && i < a->len; i++) {
		struct sweeping_proof *p =
		    &g_array_index(a, struct sweeping_proof, i);

		snprintf(url, sizeof(url),
		         "/api/sweeping-orders/%lld/proof/%lld",
		         (long long)order_id, (long long)p->id);
		jsonx_push(&arr,
		           json_pack("{s:I,s:s,s:s,s:I,s:b,s:s,s:s}", "id",
		                     (json_int_t)p->id, "kind",
		                     p->video ? "video" : "image", "mime",
		                     p->mime, "bytes", (json_int_t)p->bytes,
		                     "kept_location", p->kept_location, "url",
		                     url, "created_at", p->created_at));
	}
	g_array_free(a, TRUE);
	return arr;
}

/* The moves each side could make next (for buttons); in_progress only
 * when the payment lets the work start. */
static json_t *next_json(enum sweeping_state s, enum sweeping_side side,
                         bool may_start)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < G_N_ELEMENTS(moves); i++)
		if (moves[i].from == s && moves[i].side == side &&
		    (moves[i].to != SW_IN_PROGRESS || may_start))
			jsonx_push(&arr, json_string(state_names[moves[i].to]));
	return arr;
}

json_t *sweeping_order_json(struct store *st, const struct sweeping_order *o)
{
	char comment[TEXT_BUF(RATING_COMMENT_MAX)];
	bool may_start = false;
	int stars = 0;
	json_t *pay,
	    *j = json_pack(
	        "{s:I,s:s,s:s,s:{s:I,s:s},s:{s:I,s:s,s:s,s:s},s:I,s:s,s:s,s:s,"
	        "s:I,s:s,s:s}",
	        "id", (json_int_t)o->id, "state", sweeping_state_name(o->state),
	        "date", o->date, "cemetery", "id", (json_int_t)o->cemetery_id,
	        "name", o->cemetery_name, "plot", "id", (json_int_t)o->plot_id,
	        "section", o->plot_section, "row", o->plot_row, "number",
	        o->plot_number, "owner_id", (json_int_t)o->user_id,
	        "owner_name", o->user_name, "note", o->note, "reason",
	        o->reason, "total_cents", (json_int_t)o->total_cents,
	        "created_at", o->created_at, "updated_at", o->updated_at);

	if (!j)
		return NULL;
	if (!(pay = pay_order_json(st, o, &may_start))) {
		json_decref(j);
		return NULL;
	}
	jsonx_put(&j, "payment", pay);
	jsonx_put(&j, "items", items_json(st, o->id));
	jsonx_put(&j, "events", events_json(st, o->id));
	jsonx_put(&j, "proofs", proofs_json(st, o->id));
	jsonx_put(&j, "next",
	          json_pack("{s:o,s:o}", "family",
	                    next_json(o->state, SW_FAMILY, may_start), "staff",
	                    next_json(o->state, SW_STAFF, may_start)));
	if (!store_ok(store_sweeping_rating_of_order(st, o->id, &stars, comment,
	                                             sizeof(comment)),
	              "reading an order's rating")) {
		json_decref(j);
		return NULL;
	}
	jsonx_put(
	    &j, "rating",
	    stars ? json_pack("{s:i,s:s}", "stars", stars, "comment", comment)
	          : json_null());
	return j;
}

void sweeping_publish(struct store *st, struct bus *bus, int64_t order_id)
{
	struct sweeping_order o;
	char topic[48];
	json_t *ev, *oj;
	size_t len;
	char *s;

	if (!bus || store_order_get(st, order_id, &o))
		return;
	if (!(oj = sweeping_order_json(st, &o)))
		return;
	ev = json_pack("{s:s,s:o}", "type", "order", "order", oj);
	s = ev ? jsonx_dump(ev, &len) : NULL;
	if (s) {
		snprintf(topic, sizeof(topic), "order:%lld", (long long)o.id);
		bus_publish(bus, topic, s, len);
		snprintf(topic, sizeof(topic), "user:%lld",
		         (long long)o.user_id);
		bus_publish(bus, topic, s, len);
		inbox_order(st, bus, &o);
	} else {
		log_warn("sweeping", "cannot encode order %lld",
		         (long long)order_id);
	}
	free(s);
	json_decref(ev);
}
