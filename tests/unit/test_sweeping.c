/* test_sweeping.c — proxy sweeping orders: every (from, to, side) of the
 * state machine against an independent table, price capture (pure, and
 * kept when the cemetery changes its prices later), placing an order on a
 * real store, transitions with their events, the proof rule for
 * completed, reasons, ratings, and the live events on the bus. */
#include "bus.h"
#include "fixture_visit.h"
#include "pay.h"
#include "store_sweeping.h"
#include "store_order.h"
#include "sweeping.h"
#include "visit.h"

#include <jansson.h>
#include <stdlib.h>

/* ---------- the state machine ---------- */

/* The legal moves, written out again here on purpose (not taken from
 * sweeping.c): from, to, side. */
static const struct {
	enum sweeping_state from, to;
	enum sweeping_side side;
} legal[] = {
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

static bool is_legal(int from, int to, int side)
{
	for (size_t i = 0; i < G_N_ELEMENTS(legal); i++)
		if ((int)legal[i].from == from && (int)legal[i].to == to &&
		    (int)legal[i].side == side)
			return true;
	return false;
}

/* The only side that ever moves an order into `to` (-1: none). */
static int owner_side(int to)
{
	for (size_t i = 0; i < G_N_ELEMENTS(legal); i++)
		if ((int)legal[i].to == to)
			return (int)legal[i].side;
	return -1;
}

START_TEST(names_round_trip)
{
	for (int s = 0; s < SW_STATE_COUNT; s++)
		ck_assert_int_eq(sweeping_state_parse(sweeping_state_name(s)),
		                 s);
	ck_assert_int_eq(sweeping_state_parse("done"), -1);
	ck_assert_int_eq(sweeping_state_parse(NULL), -1);
	ck_assert_str_eq(sweeping_state_name(SW_IN_PROGRESS), "in_progress");
	ck_assert(sweeping_state_final(SW_CONFIRMED));
	ck_assert(sweeping_state_final(SW_CANCELLED));
	ck_assert(sweeping_state_final(SW_REJECTED));
	ck_assert(sweeping_state_final(SW_DISPUTED));
	ck_assert(!sweeping_state_final(SW_COMPLETED));
	ck_assert(!sweeping_state_final(SW_PLACED));
}
END_TEST

START_TEST(every_transition_for_each_side)
{
	int n_legal = 0;

	for (int from = 0; from < SW_STATE_COUNT; from++)
		for (int to = 0; to < SW_STATE_COUNT; to++)
			for (int side = SW_FAMILY; side <= SW_STAFF; side++) {
				struct err_detail e = {0};
				int rc = sweeping_transition_check(from, to,
				                                   side, &e);
				const char *f = sweeping_state_name(from);
				const char *t = sweeping_state_name(to);

				if (is_legal(from, to, side)) {
					n_legal++;
					ck_assert_msg(rc == 0,
					              "%s -> %s by %d refused",
					              f, t, side);
				} else if (owner_side(to) != side) {
					ck_assert_msg(rc == ERR_FORBIDDEN,
					              "%s -> %s by %d: %d", f,
					              t, side, rc);
					ck_assert_str_eq(e.code, "wrong_side");
				} else {
					ck_assert_msg(rc == ERR_CONFLICT,
					              "%s -> %s by %d: %d", f,
					              t, side, rc);
					ck_assert_str_eq(e.code,
					                 "illegal_transition");
					/* the message names the current state
					 */
					ck_assert_msg(strstr(e.msg, f),
					              "'%s' does not name %s",
					              e.msg, f);
				}
			}
	ck_assert_int_eq(n_legal, (int)G_N_ELEMENTS(legal));
	/* final states go nowhere, for either side */
	for (int to = 0; to < SW_STATE_COUNT; to++)
		for (int side = SW_FAMILY; side <= SW_STAFF; side++) {
			ck_assert(sweeping_transition_check(SW_CONFIRMED, to,
			                                    side, NULL));
			ck_assert(sweeping_transition_check(SW_DISPUTED, to,
			                                    side, NULL));
		}
	ck_assert_int_eq(sweeping_transition_check(SW_STATE_COUNT, SW_PLACED,
	                                           SW_STAFF, NULL),
	                 ERR_INVALID);
	ck_assert_int_eq(sweeping_transition_check(SW_PLACED, SW_STATE_COUNT,
	                                           SW_STAFF, NULL),
	                 ERR_INVALID);
	ck_assert_int_eq(
	    sweeping_transition_check(SW_PLACED, SW_ACCEPTED, 7, NULL),
	    ERR_INVALID);
}
END_TEST

START_TEST(side_of_targets)
{
	ck_assert_int_eq(sweeping_side_of(SW_PLACED), -1);
	ck_assert_int_eq(sweeping_side_of(SW_ACCEPTED), SW_STAFF);
	ck_assert_int_eq(sweeping_side_of(SW_REJECTED), SW_STAFF);
	ck_assert_int_eq(sweeping_side_of(SW_IN_PROGRESS), SW_STAFF);
	ck_assert_int_eq(sweeping_side_of(SW_COMPLETED), SW_STAFF);
	ck_assert_int_eq(sweeping_side_of(SW_CONFIRMED), SW_FAMILY);
	ck_assert_int_eq(sweeping_side_of(SW_CANCELLED), SW_FAMILY);
	ck_assert_int_eq(sweeping_side_of(SW_DISPUTED), SW_FAMILY);
}
END_TEST

/* ---------- price capture (pure) ---------- */

static const struct service_item svcs[] = {
    {.id = 11, .name = "清扫", .price_cents = 5000, .active = true},
    {.id = 12, .name = "鲜花", .price_cents = 8800, .active = true},
    {.id = 13, .name = "停用", .price_cents = 100, .active = false},
};

START_TEST(capture_prices)
{
	struct sweeping_item_in in[] = {{11, 1}, {12, 3}};
	struct sweeping_item out[SWEEPING_ITEMS_MAX];
	struct err_detail e = {0};
	int64_t total = -1;

	ck_assert_int_eq(sweeping_capture(svcs, 3, in, 2, out, &total, &e), 0);
	ck_assert_int_eq(total, 5000 + 3 * 8800);
	ck_assert_str_eq(out[0].name, "清扫");
	ck_assert_int_eq(out[0].price_cents, 5000);
	ck_assert_int_eq(out[1].service_id, 12);
	ck_assert_int_eq(out[1].quantity, 3);
	ck_assert_int_eq(out[1].price_cents, 8800);
}
END_TEST

START_TEST(capture_refusals)
{
	struct sweeping_item_in many[SWEEPING_ITEMS_MAX + 1];
	struct sweeping_item out[SWEEPING_ITEMS_MAX + 1];
	struct sweeping_item_in in[2] = {{0, 0}, {0, 0}};
	struct err_detail e = {0};
	int64_t total;

	/* no items, too many */
	ck_assert_int_eq(sweeping_capture(svcs, 3, in, 0, out, &total, &e),
	                 ERR_INVALID);
	for (int i = 0; i <= SWEEPING_ITEMS_MAX; i++)
		many[i] = (struct sweeping_item_in){11, 1};
	ck_assert_int_eq(sweeping_capture(svcs, 3, many, SWEEPING_ITEMS_MAX + 1,
	                                  out, &total, &e),
	                 ERR_INVALID);
	/* unknown, inactive, twice, quantity out of range */
	in[0] = (struct sweeping_item_in){99, 1};
	ck_assert_int_eq(sweeping_capture(svcs, 3, in, 1, out, &total, &e),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "not offered"));
	in[0] = (struct sweeping_item_in){13, 1};
	ck_assert_int_eq(sweeping_capture(svcs, 3, in, 1, out, &total, &e),
	                 ERR_INVALID);
	in[0] = (struct sweeping_item_in){11, 1};
	in[1] = (struct sweeping_item_in){11, 2};
	ck_assert_int_eq(sweeping_capture(svcs, 3, in, 2, out, &total, &e),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "twice"));
	in[0] = (struct sweeping_item_in){11, 0};
	ck_assert_int_eq(sweeping_capture(svcs, 3, in, 1, out, &total, &e),
	                 ERR_INVALID);
	in[0] = (struct sweeping_item_in){11, SWEEPING_QUANTITY_MAX + 1};
	ck_assert_int_eq(sweeping_capture(svcs, 3, in, 1, out, &total, &e),
	                 ERR_INVALID);
	/* an empty service list offers nothing */
	in[0] = (struct sweeping_item_in){11, 1};
	ck_assert_int_eq(sweeping_capture(NULL, 0, in, 1, out, &total, &e),
	                 ERR_INVALID);
}
END_TEST

/* ---------- on a store ---------- */

struct world {
	int64_t cem, other_cem, agency, plot, family, staff;
	int64_t clean, flowers, other_svc, agency_svc;
	char today[11], tomorrow[11], yesterday[11];
};

static void world(struct world *w)
{
	w->cem = fx_cemetery("东山陵园");
	w->other_cem = fx_cemetery("西山陵园");
	w->agency = fx_agency("殡仪馆");
	w->plot = fx_plot(w->cem, "8");
	w->family = fx_user("family@example.org");
	w->staff = fx_user("staff@example.org");
	w->clean = fx_service(ORG_CEMETERY, w->cem, "clean", "清扫", 5000);
	w->flowers = fx_service(ORG_CEMETERY, w->cem, "flowers", "鲜花", 8800);
	w->other_svc =
	    fx_service(ORG_CEMETERY, w->other_cem, "clean", "清扫", 100);
	w->agency_svc = fx_service(ORG_AGENCY, w->agency, "hall", "礼厅", 10);
	visit_today(w->today);
	visit_date_add(w->today, 1, w->tomorrow);
	visit_date_add(w->today, -1, w->yesterday);
}

/* Count bus messages per topic. */
struct seen {
	int order, user, inbox;
	char last[8192];
	char last_inbox[8192];
};

static void on_msg(void *ud, const struct bus_msg *m)
{
	struct seen *s = ud;

	/* the family's inbox item about the order (inbox.c) */
	if (strstr(m->msg, "\"type\":\"inbox\"")) {
		s->inbox++;
		snprintf(s->last_inbox, sizeof(s->last_inbox), "%.*s",
		         (int)m->len, m->msg);
		return;
	}
	if (strncmp(m->topic, "order:", 6) == 0)
		s->order++;
	else
		s->user++;
	snprintf(s->last, sizeof(s->last), "%.*s", (int)m->len, m->msg);
}

static int place(const struct world *w, const char *date,
                 struct sweeping_item_in *items, size_t n, struct bus *bus,
                 struct sweeping_order *o, struct err_detail *e)
{
	struct sweeping_order_in in = {.user_id = w->family,
	                               .plot_id = w->plot,
	                               .date = date,
	                               .note = "请代为献花",
	                               .items = items,
	                               .n_items = n};

	memset(e, 0, sizeof(*e));
	return sweeping_order_create(fx.st, bus, &in, w->today, o, e);
}

static int move(int64_t id, enum sweeping_state to, enum sweeping_side side,
                int64_t actor, const char *note, struct err_detail *e)
{
	struct sweeping_order o;

	memset(e, 0, sizeof(*e));
	return sweeping_transition(fx.st, NULL, id, to, side, actor, note, &o,
	                           e);
}

/* Staff record the payment at the office (pay.h: no work before it). */
static void pay_up(int64_t id, int64_t staff)
{
	struct err_detail e = {0};
	struct sweeping_order o;
	bool changed = false;

	ck_assert_int_eq(pay_record_set(fx.st, NULL, id, PAY_PAID, "收据 001",
	                                staff, &changed, &o, &e),
	                 0);
	ck_assert(changed);
}

static void add_proof(int64_t order, int64_t staff, bool video, int rc_want)
{
	struct sweeping_proof p = {.order_id = order,
	                           .video = video,
	                           .bytes = 10,
	                           .uploaded_by = staff};
	struct err_detail e = {0};

	snprintf(p.hash, sizeof(p.hash), "%064d", video ? 2 : 1);
	snprintf(p.mime, sizeof(p.mime), video ? "video/mp4" : "image/jpeg");
	ck_assert_int_eq(sweeping_proof_add(fx.st, NULL, &p, &e), rc_want);
}

START_TEST(place_captures_prices)
{
	struct sweeping_item_in items[] = {{0, 1}, {0, 2}};
	struct sweeping_order o, again;
	struct service_item s;
	struct err_detail e;
	struct world w;
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct sweeping_item));

	world(&w);
	items[0].service_id = w.clean;
	items[1].service_id = w.flowers;
	ck_assert_int_eq(place(&w, w.tomorrow, items, 2, NULL, &o, &e), 0);
	ck_assert_int_eq(o.state, SW_PLACED);
	ck_assert_int_eq(o.cemetery_id, w.cem);
	ck_assert_int_eq(o.total_cents, 5000 + 2 * 8800);
	/* the cemetery raises its price and renames the item afterwards */
	ck_assert_int_eq(store_org_service_get(fx.st, w.flowers, &s), 0);
	s.price_cents = 99900;
	snprintf(s.name, sizeof(s.name), "高级鲜花");
	ck_assert_int_eq(store_org_service_update(fx.st, &s), 0);
	ck_assert_int_eq(store_order_get(fx.st, o.id, &again), 0);
	ck_assert_int_eq(again.total_cents, 5000 + 2 * 8800);
	ck_assert_int_eq(store_order_item_list(fx.st, o.id, a), 0);
	ck_assert_uint_eq(a->len, 2);
	ck_assert_int_eq(g_array_index(a, struct sweeping_item, 1).price_cents,
	                 8800);
	ck_assert_str_eq(g_array_index(a, struct sweeping_item, 1).name,
	                 "鲜花");
	/* a new order gets the new price */
	ck_assert_int_eq(place(&w, w.tomorrow, items, 2, NULL, &o, &e), 0);
	ck_assert_int_eq(o.total_cents, 5000 + 2 * 99900);
	/* the placing is the first event */
	ck_assert_int_eq(
	    mem_int("SELECT count(*) FROM sweeping_events WHERE from_state IS "
	            "NULL AND to_state = 'placed'"),
	    2);
	g_array_free(a, TRUE);
}
END_TEST

START_TEST(place_refusals)
{
	struct sweeping_item_in items[1] = {{0, 1}};
	struct sweeping_order o;
	struct err_detail e;
	struct world w;
	char far[11];

	world(&w);
	items[0].service_id = w.other_svc; /* another cemetery's */
	ck_assert_int_eq(place(&w, w.today, items, 1, NULL, &o, &e),
	                 ERR_INVALID);
	items[0].service_id = w.agency_svc; /* an agency's */
	ck_assert_int_eq(place(&w, w.today, items, 1, NULL, &o, &e),
	                 ERR_INVALID);
	items[0].service_id = w.clean;
	ck_assert_int_eq(place(&w, w.yesterday, items, 1, NULL, &o, &e),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "date"));
	visit_date_add(w.today, SWEEPING_DAYS_AHEAD + 1, far);
	ck_assert_int_eq(place(&w, far, items, 1, NULL, &o, &e), ERR_INVALID);
	ck_assert_int_eq(place(&w, "2027-02-30", items, 1, NULL, &o, &e),
	                 ERR_INVALID);
	w.plot = 999;
	ck_assert_int_eq(place(&w, w.today, items, 1, NULL, &o, &e),
	                 ERR_NOT_FOUND);
	ck_assert_str_eq(e.code, "plot_not_found");
	ck_assert_int_eq(mem_int("SELECT count(*) FROM sweeping_orders"), 0);
	ck_assert_int_eq(mem_int("SELECT count(*) FROM sweeping_items"), 0);
}
END_TEST

START_TEST(lifecycle_with_proof_and_events)
{
	struct sweeping_item_in items[1] = {{0, 1}};
	struct sweeping_order o;
	struct err_detail e;
	struct world w;

	world(&w);
	items[0].service_id = w.clean;
	ck_assert_int_eq(place(&w, w.today, items, 1, NULL, &o, &e), 0);
	/* no proof before it is accepted */
	add_proof(o.id, w.staff, false, ERR_CONFLICT);
	ck_assert_int_eq(move(o.id, SW_COMPLETED, SW_STAFF, w.staff, NULL, &e),
	                 ERR_CONFLICT);
	ck_assert_str_eq(e.code, "illegal_transition");
	ck_assert_ptr_nonnull(strstr(e.msg, "placed"));
	ck_assert_int_eq(move(o.id, SW_ACCEPTED, SW_FAMILY, w.family, NULL, &e),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(move(o.id, SW_ACCEPTED, SW_STAFF, w.staff, "好的", &e),
	                 0);
	/* the work waits for the payment */
	ck_assert_int_eq(
	    move(o.id, SW_IN_PROGRESS, SW_STAFF, w.staff, NULL, &e),
	    ERR_CONFLICT);
	ck_assert_str_eq(e.code, "payment_required");
	pay_up(o.id, w.staff);
	ck_assert_int_eq(
	    move(o.id, SW_IN_PROGRESS, SW_STAFF, w.staff, NULL, &e), 0);
	/* a video alone does not prove it */
	add_proof(o.id, w.staff, true, 0);
	ck_assert_int_eq(move(o.id, SW_COMPLETED, SW_STAFF, w.staff, NULL, &e),
	                 ERR_CONFLICT);
	ck_assert_str_eq(e.code, "proof_required");
	add_proof(o.id, w.staff, false, 0);
	ck_assert_int_eq(
	    move(o.id, SW_COMPLETED, SW_STAFF, w.staff, "已完成", &e), 0);
	/* no more proof once completed; the family cannot cancel now */
	add_proof(o.id, w.staff, false, ERR_CONFLICT);
	ck_assert_int_eq(
	    move(o.id, SW_CANCELLED, SW_FAMILY, w.family, NULL, &e),
	    ERR_CONFLICT);
	ck_assert_ptr_nonnull(strstr(e.msg, "completed"));
	ck_assert_int_eq(
	    move(o.id, SW_CONFIRMED, SW_FAMILY, w.family, "谢谢", &e), 0);
	ck_assert_int_eq(store_order_get(fx.st, o.id, &o), 0);
	ck_assert_int_eq(o.state, SW_CONFIRMED);
	/* who, when, note: one event per change */
	ck_assert_int_eq(
	    mem_int("SELECT count(*) FROM sweeping_events WHERE order_id = 1"),
	    5);
	ck_assert_int_eq(
	    mem_int("SELECT actor_id FROM sweeping_events WHERE to_state = "
	            "'accepted'"),
	    w.staff);
	ck_assert_int_eq(
	    mem_int("SELECT count(*) FROM sweeping_events WHERE to_state = "
	            "'completed' AND from_state = 'in_progress' AND note = "
	            "'已完成' AND at != ''"),
	    1);
	ck_assert_int_eq(move(999, SW_ACCEPTED, SW_STAFF, w.staff, NULL, &e),
	                 ERR_NOT_FOUND);
}
END_TEST

START_TEST(reasons_and_cancel)
{
	struct sweeping_item_in items[1] = {{0, 1}};
	struct sweeping_order a, b, c;
	struct err_detail e;
	struct world w;

	world(&w);
	items[0].service_id = w.clean;
	ck_assert_int_eq(place(&w, w.today, items, 1, NULL, &a, &e), 0);
	ck_assert_int_eq(place(&w, w.today, items, 1, NULL, &b, &e), 0);
	ck_assert_int_eq(place(&w, w.today, items, 1, NULL, &c, &e), 0);
	/* rejected needs a reason, which is kept */
	ck_assert_int_eq(move(a.id, SW_REJECTED, SW_STAFF, w.staff, "", &e),
	                 ERR_INVALID);
	ck_assert_str_eq(e.code, "reason_required");
	ck_assert_int_eq(move(a.id, SW_REJECTED, SW_STAFF, w.staff, NULL, &e),
	                 ERR_INVALID);
	ck_assert_int_eq(
	    move(a.id, SW_REJECTED, SW_STAFF, w.staff, "墓区维修", &e), 0);
	ck_assert_int_eq(store_order_get(fx.st, a.id, &a), 0);
	ck_assert_str_eq(a.reason, "墓区维修");
	/* cancel after acceptance, not after the work started */
	ck_assert_int_eq(move(b.id, SW_ACCEPTED, SW_STAFF, w.staff, NULL, &e),
	                 0);
	ck_assert_int_eq(
	    move(b.id, SW_CANCELLED, SW_FAMILY, w.family, NULL, &e), 0);
	ck_assert_int_eq(move(c.id, SW_ACCEPTED, SW_STAFF, w.staff, NULL, &e),
	                 0);
	pay_up(c.id, w.staff);
	ck_assert_int_eq(
	    move(c.id, SW_IN_PROGRESS, SW_STAFF, w.staff, NULL, &e), 0);
	ck_assert_int_eq(
	    move(c.id, SW_CANCELLED, SW_FAMILY, w.family, NULL, &e),
	    ERR_CONFLICT);
	ck_assert_ptr_nonnull(strstr(e.msg, "in_progress"));
	ck_assert_int_eq(move(c.id, SW_REJECTED, SW_STAFF, w.staff, "x", &e),
	                 ERR_CONFLICT);
	/* disputed after completion, with a reason */
	add_proof(c.id, w.staff, false, 0);
	ck_assert_int_eq(move(c.id, SW_COMPLETED, SW_STAFF, w.staff, NULL, &e),
	                 0);
	ck_assert_int_eq(move(c.id, SW_DISPUTED, SW_FAMILY, w.family, NULL, &e),
	                 ERR_INVALID);
	ck_assert_int_eq(move(c.id, SW_DISPUTED, SW_FAMILY, w.family,
	                      "照片不是我家的墓", &e),
	                 0);
	ck_assert_int_eq(store_order_get(fx.st, c.id, &c), 0);
	ck_assert_int_eq(c.state, SW_DISPUTED);
	ck_assert_str_eq(c.reason, "照片不是我家的墓");
}
END_TEST

START_TEST(ratings)
{
	struct sweeping_item_in items[1] = {{0, 1}};
	struct sweeping_order o, p;
	struct err_detail e;
	struct world w;
	int64_t count = -1;
	double avg = -1;

	world(&w);
	items[0].service_id = w.clean;
	ck_assert_int_eq(place(&w, w.today, items, 1, NULL, &o, &e), 0);
	ck_assert_int_eq(sweeping_rate(fx.st, o.id, 5, "", &e), ERR_CONFLICT);
	ck_assert_str_eq(e.code, "not_confirmed");
	ck_assert_int_eq(move(o.id, SW_ACCEPTED, SW_STAFF, w.staff, NULL, &e),
	                 0);
	pay_up(o.id, w.staff);
	ck_assert_int_eq(
	    move(o.id, SW_IN_PROGRESS, SW_STAFF, w.staff, NULL, &e), 0);
	add_proof(o.id, w.staff, false, 0);
	ck_assert_int_eq(move(o.id, SW_COMPLETED, SW_STAFF, w.staff, NULL, &e),
	                 0);
	ck_assert_int_eq(sweeping_rate(fx.st, o.id, 5, "", &e), ERR_CONFLICT);
	ck_assert_int_eq(
	    move(o.id, SW_CONFIRMED, SW_FAMILY, w.family, NULL, &e), 0);
	ck_assert_int_eq(sweeping_rate(fx.st, o.id, 0, "", &e), ERR_INVALID);
	ck_assert_int_eq(sweeping_rate(fx.st, o.id, 6, "", &e), ERR_INVALID);
	ck_assert_int_eq(sweeping_rate(fx.st, o.id, 4, "很用心", &e), 0);
	ck_assert_int_eq(sweeping_rate(fx.st, o.id, 5, "", &e), ERR_CONFLICT);
	ck_assert_str_eq(e.code, "already_rated");
	ck_assert_int_eq(sweeping_rate(fx.st, 999, 5, "", &e), ERR_NOT_FOUND);
	/* a second confirmed order rated 1 */
	ck_assert_int_eq(place(&w, w.today, items, 1, NULL, &p, &e), 0);
	move(p.id, SW_ACCEPTED, SW_STAFF, w.staff, NULL, &e);
	pay_up(p.id, w.staff);
	move(p.id, SW_IN_PROGRESS, SW_STAFF, w.staff, NULL, &e);
	add_proof(p.id, w.staff, false, 0);
	move(p.id, SW_COMPLETED, SW_STAFF, w.staff, NULL, &e);
	ck_assert_int_eq(
	    move(p.id, SW_CONFIRMED, SW_FAMILY, w.family, NULL, &e), 0);
	ck_assert_int_eq(sweeping_rate(fx.st, p.id, 1, NULL, &e), 0);
	ck_assert_int_eq(store_sweeping_rating_summary(fx.st, "cemetery", w.cem,
	                                               &avg, &count),
	                 0);
	ck_assert_int_eq(count, 2);
	ck_assert(avg > 2.49 && avg < 2.51);
	ck_assert_int_eq(store_sweeping_rating_summary(
	                     fx.st, "cemetery", w.other_cem, &avg, &count),
	                 0);
	ck_assert_int_eq(count, 0);
	ck_assert(avg == 0);
}
END_TEST

START_TEST(events_are_published)
{
	struct sweeping_item_in items[1] = {{0, 1}};
	struct bus *bus = bus_new();
	struct seen seen = {0};
	struct sweeping_order o;
	struct err_detail e;
	struct bus_sub *s1, *s2;
	struct world w;
	char topic[64];
	json_t *j;

	world(&w);
	items[0].service_id = w.clean;
	snprintf(topic, sizeof(topic), "user:%lld", (long long)w.family);
	s2 = bus_subscribe(bus, topic, on_msg, &seen);
	s1 = bus_subscribe(bus, "order:1", on_msg, &seen);
	ck_assert_int_eq(place(&w, w.today, items, 1, bus, &o, &e), 0);
	ck_assert_int_eq(o.id, 1);
	ck_assert_int_eq(seen.order, 1);
	ck_assert_int_eq(seen.user, 1);
	ck_assert_int_eq(sweeping_transition(fx.st, bus, o.id, SW_ACCEPTED,
	                                     SW_STAFF, w.staff, NULL, &o, &e),
	                 0);
	ck_assert_int_eq(seen.order, 2);
	ck_assert_int_eq(seen.user, 2);
	j = json_loads(seen.last, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")),
	                 "order");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(j, "order"), "state")),
	                 "accepted");
	ck_assert_int_eq(json_array_size(json_object_get(
	                     json_object_get(j, "order"), "events")),
	                 2);
	json_decref(j);
	/* one inbox item for the order, updated and still unread once */
	ck_assert_int_eq(seen.inbox, 2);
	j = json_loads(seen.last_inbox, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "unread")), 1);
	ck_assert_str_eq(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(j, "item"), "data"), "state")),
	    "accepted");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(j, "item"), "link")),
	                 "/order.html?id=1");
	json_decref(j);
	/* a refused move publishes nothing */
	ck_assert_int_eq(sweeping_transition(fx.st, bus, o.id, SW_CONFIRMED,
	                                     SW_FAMILY, w.family, NULL, &o, &e),
	                 ERR_CONFLICT);
	ck_assert_int_eq(seen.order, 2);
	bus_unsubscribe(bus, s1);
	bus_unsubscribe(bus, s2);
	bus_free(bus);
}
END_TEST

START_TEST(order_json_shape)
{
	struct sweeping_item_in items[1] = {{0, 2}};
	struct sweeping_order o;
	struct err_detail e;
	struct world w;
	json_t *j, *next;

	world(&w);
	items[0].service_id = w.flowers;
	ck_assert_int_eq(place(&w, w.today, items, 1, NULL, &o, &e), 0);
	j = sweeping_order_json(fx.st, &o);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total_cents")),
	                 17600);
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_array_get(json_object_get(j, "items"), 0),
	                     "amount_cents")),
	                 17600);
	next = json_object_get(j, "next");
	ck_assert_int_eq(json_array_size(json_object_get(next, "staff")), 2);
	ck_assert_int_eq(json_array_size(json_object_get(next, "family")), 1);
	ck_assert(json_is_null(json_object_get(j, "rating")));
	json_decref(j);
}
END_TEST

static Suite *sweeping_suite(void)
{
	Suite *s = suite_create("sweeping");
	TCase *pure = tcase_create("pure");
	TCase *db = tcase_create("store");

	tcase_add_test(pure, names_round_trip);
	tcase_add_test(pure, every_transition_for_each_side);
	tcase_add_test(pure, side_of_targets);
	tcase_add_test(pure, capture_prices);
	tcase_add_test(pure, capture_refusals);
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(db, mem_setup, mem_teardown);
	tcase_add_test(db, place_captures_prices);
	tcase_add_test(db, place_refusals);
	tcase_add_test(db, lifecycle_with_proof_and_events);
	tcase_add_test(db, reasons_and_cancel);
	tcase_add_test(db, ratings);
	tcase_add_test(db, events_are_published);
	tcase_add_test(db, order_json_shape);
	suite_add_tcase(s, db);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sweeping_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
