/* test_pay.c — payments of proxy-sweeping orders: the quote reference and
 * its check digit, the office provider, the rules (start, mark paid,
 * refund) over every order state against a table written out here, and
 * on a real store: marking twice, refunds after a cancel, pay-later, the
 * settings, and the "payment" object families and staff read. */
#include "check_main.h"
#include "fixture_visit.h"
#include "pay.h"
#include "store_order.h"
#include "sweeping.h"
#include "visit.h"

#include <jansson.h>
#include <stdlib.h>

START_TEST(quote_reference)
{
	char ref[PAY_QUOTE_REF_BUF];

	pay_quote_reference(123, ref, sizeof(ref));
	/* Luhn over 000123: 3*2=6, 2, 1*2=2, 0... sum 10, check 0 */
	ck_assert_str_eq(ref, "SW0001230");
	ck_assert(pay_quote_reference_valid(ref));
	pay_quote_reference(7, ref, sizeof(ref));
	ck_assert_str_eq(ref, "SW0000075"); /* 7*2=14 -> 5, check 5 */
	ck_assert(pay_quote_reference_valid(ref));
	pay_quote_reference(12345678, ref, sizeof(ref));
	ck_assert_str_eq(ref, "SW123456782");
	ck_assert(pay_quote_reference_valid(ref));
	/* one digit typed wrong, two swapped, a letter, too short */
	ck_assert(!pay_quote_reference_valid("SW0001231"));
	ck_assert(!pay_quote_reference_valid("SW0001320"));
	ck_assert(!pay_quote_reference_valid("SW00012a0"));
	ck_assert(!pay_quote_reference_valid("SW12340"));
	ck_assert(!pay_quote_reference_valid("XX0001230"));
	ck_assert(!pay_quote_reference_valid(NULL));
}
END_TEST

START_TEST(office_provider)
{
	const struct pay_provider *pv = pay_provider_find("office");
	struct pay_settings s = {.cemetery_id = 1, .provider = "office"};
	struct sweeping_order o = {.id = 123, .total_cents = 24600};
	struct err_detail e = {0};
	char long_ref[PAY_REFERENCE_MAX + 2];
	json_t *j;

	ck_assert_ptr_nonnull(pv);
	ck_assert(pv->staff_confirms);
	ck_assert_ptr_null(pay_provider_find("wechat"));
	ck_assert_ptr_null(pay_provider_find(NULL));
	snprintf(s.instructions, sizeof(s.instructions),
	         "收款人：东山陵园 账号 6222 0000 营业时间 8:00-17:00");
	j = pv->howto(&s, &o);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "amount_fen")),
	                 24600);
	ck_assert_str_eq(json_string_value(json_object_get(j, "reference")),
	                 "SW0001230");
	ck_assert_str_eq(json_string_value(json_object_get(j, "instructions")),
	                 s.instructions);
	json_decref(j);
	ck_assert_int_eq(pv->reference_check("收据 No.88", &e), 0);
	ck_assert_int_eq(pv->reference_check("", &e), ERR_INVALID);
	ck_assert_int_eq(pv->reference_check("   ", &e), ERR_INVALID);
	memset(long_ref, '9', sizeof(long_ref) - 1);
	long_ref[sizeof(long_ref) - 1] = '\0';
	ck_assert_int_eq(pv->reference_check(long_ref, &e), ERR_INVALID);
	long_ref[PAY_REFERENCE_MAX] = '\0';
	ck_assert_int_eq(pv->reference_check(long_ref, &e), 0);
}
END_TEST

/* The start rule: only in_progress waits for payment, and pay-later lifts
 * it. Written out for every target state. */
START_TEST(start_rule)
{
	for (int to = 0; to < SW_STATE_COUNT; to++)
		for (int ps = 0; ps < PAY_STATE_COUNT; ps++)
			for (int later = 0; later <= 1; later++) {
				struct err_detail e = {0};
				bool blocked = to == SW_IN_PROGRESS &&
				               ps != PAY_PAID && !later;
				int rc = pay_work_check(to, ps, later, &e);

				ck_assert_msg(rc ==
				                  (blocked ? ERR_CONFLICT : 0),
				              "to %s pay %s later %d: %d",
				              sweeping_state_name(to),
				              pay_state_name(ps), later, rc);
				if (blocked)
					ck_assert_str_eq(e.code,
					                 "payment_required");
			}
}
END_TEST

/* Marking paid and refunding, for every order state and payment state. */
START_TEST(mark_and_refund_rules)
{
	for (int os = 0; os < SW_STATE_COUNT; os++) {
		bool closed = os == SW_CANCELLED || os == SW_REJECTED;
		bool refundable = closed || os == SW_DISPUTED;
		struct pay_record unpaid = {.state = PAY_UNPAID};
		struct pay_record paid = {.state = PAY_PAID,
		                          .paid_reference = "R1"};
		struct pay_record back = {.state = PAY_REFUNDED,
		                          .paid_reference = "R1",
		                          .refund_reference = "F1"};
		struct err_detail e = {0};

		ck_assert_int_eq(pay_mark_check(os, &unpaid, "R1", &e),
		                 closed ? ERR_CONFLICT : 0);
		ck_assert_int_eq(pay_mark_check(os, &paid, "R1", &e), PAY_SAME);
		ck_assert_int_eq(pay_mark_check(os, &paid, "R2", &e),
		                 ERR_CONFLICT);
		ck_assert_str_eq(e.code, "already_paid");
		ck_assert_int_eq(pay_mark_check(os, &back, "R1", &e),
		                 ERR_CONFLICT);
		ck_assert_int_eq(pay_refund_check(os, &unpaid, "F1", &e),
		                 ERR_CONFLICT);
		ck_assert_str_eq(e.code, "not_paid");
		ck_assert_int_eq(pay_refund_check(os, &paid, "F1", &e),
		                 refundable ? 0 : ERR_CONFLICT);
		ck_assert_int_eq(pay_refund_check(os, &back, "F1", &e),
		                 PAY_SAME);
		ck_assert_int_eq(pay_refund_check(os, &back, "F2", &e),
		                 ERR_CONFLICT);
		ck_assert(pay_refund_due(os, PAY_PAID) == refundable);
		ck_assert(!pay_refund_due(os, PAY_UNPAID));
		ck_assert(!pay_refund_due(os, PAY_REFUNDED));
	}
	for (int ps = 0; ps < PAY_STATE_COUNT; ps++)
		ck_assert_int_eq(pay_state_parse(pay_state_name(ps)), ps);
	ck_assert_int_eq(pay_state_parse("owed"), -1);
}
END_TEST

/* ---------- on a store ---------- */

struct world {
	int64_t cem, plot, family, staff, clean;
	char today[11];
};

static void world(struct world *w)
{
	w->cem = fx_cemetery("东山陵园");
	w->plot = fx_plot(w->cem, "8");
	w->family = fx_user("family@example.org");
	w->staff = fx_user("staff@example.org");
	w->clean = fx_service(ORG_CEMETERY, w->cem, "clean", "清扫", 24600);
	visit_today(w->today);
}

static int64_t place(const struct world *w)
{
	struct sweeping_item_in items[1] = {{w->clean, 1}};
	struct sweeping_order_in in = {.user_id = w->family,
	                               .plot_id = w->plot,
	                               .date = w->today,
	                               .items = items,
	                               .n_items = 1};
	struct err_detail e = {0};
	struct sweeping_order o;

	ck_assert_int_eq(
	    sweeping_order_create(fx.st, NULL, &in, w->today, &o, &e), 0);
	return o.id;
}

static int move(int64_t id, enum sweeping_state to, enum sweeping_side side,
                int64_t actor, const char *note, struct err_detail *e)
{
	struct sweeping_order o;

	memset(e, 0, sizeof(*e));
	return sweeping_transition(fx.st, NULL, id, to, side, actor, note, &o,
	                           e);
}

static int record(int64_t id, enum pay_state to, const char *ref, int64_t actor,
                  bool *changed, struct err_detail *e)
{
	struct sweeping_order o;

	memset(e, 0, sizeof(*e));
	return pay_record_set(fx.st, NULL, id, to, ref, actor, changed, &o, e);
}

START_TEST(paid_once_then_start)
{
	struct err_detail e;
	struct pay_record r;
	struct world w;
	bool changed;
	int64_t id;

	world(&w);
	id = place(&w);
	ck_assert_int_eq(pay_record_get(fx.st, id, &r), 0);
	ck_assert_int_eq(r.state, PAY_UNPAID);
	ck_assert_int_eq(move(id, SW_ACCEPTED, SW_STAFF, w.staff, NULL, &e), 0);
	ck_assert_int_eq(move(id, SW_IN_PROGRESS, SW_STAFF, w.staff, NULL, &e),
	                 ERR_CONFLICT);
	ck_assert_str_eq(e.code, "payment_required");
	ck_assert_int_eq(record(id, PAY_PAID, "", w.staff, &changed, &e),
	                 ERR_INVALID);
	ck_assert_int_eq(
	    record(id, PAY_PAID, "收据 0042", w.staff, &changed, &e), 0);
	ck_assert(changed);
	/* the same again changes nothing; another reference is refused */
	ck_assert_int_eq(
	    record(id, PAY_PAID, "收据 0042", w.staff, &changed, &e), 0);
	ck_assert(!changed);
	ck_assert_int_eq(
	    record(id, PAY_PAID, "收据 0043", w.staff, &changed, &e),
	    ERR_CONFLICT);
	ck_assert_str_eq(e.code, "already_paid");
	ck_assert_int_eq(mem_int("SELECT count(*) FROM order_payments"), 1);
	ck_assert_int_eq(pay_record_get(fx.st, id, &r), 0);
	ck_assert_int_eq(r.state, PAY_PAID);
	ck_assert_int_eq(r.amount_fen, 24600);
	ck_assert_int_eq(r.paid_by, w.staff);
	ck_assert_str_eq(r.paid_reference, "收据 0042");
	/* no refund while the order goes on */
	ck_assert_int_eq(
	    record(id, PAY_REFUNDED, "退 1", w.staff, &changed, &e),
	    ERR_CONFLICT);
	ck_assert_str_eq(e.code, "refund_not_due");
	ck_assert_int_eq(move(id, SW_IN_PROGRESS, SW_STAFF, w.staff, NULL, &e),
	                 0);
	ck_assert_int_eq(record(999, PAY_PAID, "x", w.staff, &changed, &e),
	                 ERR_NOT_FOUND);
}
END_TEST

START_TEST(refund_after_cancel)
{
	struct err_detail e;
	struct sweeping_order o;
	struct world w;
	bool changed, may_start;
	int64_t id, other;
	json_t *j;

	world(&w);
	id = place(&w);
	other = place(&w);
	ck_assert_int_eq(record(id, PAY_PAID, "转账 77", w.staff, &changed, &e),
	                 0);
	ck_assert_int_eq(move(id, SW_CANCELLED, SW_FAMILY, w.family, NULL, &e),
	                 0);
	ck_assert_int_eq(store_order_get(fx.st, id, &o), 0);
	j = pay_order_json(fx.st, &o, &may_start);
	ck_assert(json_is_true(json_object_get(j, "refund_due")));
	json_decref(j);
	ck_assert_int_eq(
	    record(id, PAY_REFUNDED, "退款 77", w.staff, &changed, &e), 0);
	ck_assert(changed);
	ck_assert_int_eq(
	    record(id, PAY_REFUNDED, "退款 77", w.staff, &changed, &e), 0);
	ck_assert(!changed);
	j = pay_order_json(fx.st, &o, &may_start);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")),
	                 "refunded");
	ck_assert(json_is_false(json_object_get(j, "refund_due")));
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(j, "refunded"), "reference")),
	                 "退款 77");
	json_decref(j);
	/* a cancelled order that was never paid is not paid afterwards */
	ck_assert_int_eq(
	    move(other, SW_CANCELLED, SW_FAMILY, w.family, NULL, &e), 0);
	ck_assert_int_eq(record(other, PAY_PAID, "x", w.staff, &changed, &e),
	                 ERR_CONFLICT);
	ck_assert_str_eq(e.code, "order_closed");
}
END_TEST

START_TEST(settings_and_pay_later)
{
	struct pay_settings s;
	struct err_detail e;
	struct sweeping_order o;
	struct world w;
	bool may_start = true;
	int64_t id;
	json_t *j, *next;

	world(&w);
	id = place(&w);
	ck_assert_int_eq(pay_settings_get(fx.st, w.cem, &s), 0);
	ck_assert(!s.set);
	ck_assert(!s.pay_later);
	ck_assert_str_eq(s.provider, "office");
	ck_assert_int_eq(move(id, SW_ACCEPTED, SW_STAFF, w.staff, NULL, &e), 0);
	ck_assert_int_eq(store_order_get(fx.st, id, &o), 0);
	/* unpaid: no start button for staff */
	j = sweeping_order_json(fx.st, &o);
	next = json_object_get(json_object_get(j, "next"), "staff");
	ck_assert_int_eq(json_array_size(next), 1); /* rejected only */
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(j, "payment"), "state")),
	                 "unpaid");
	json_decref(j);
	snprintf(s.instructions, sizeof(s.instructions),
	         "到办公室缴费，周一至周日 8:00-17:00");
	s.pay_later = true;
	ck_assert_int_eq(pay_settings_put(fx.st, &s, w.staff, &e), 0);
	ck_assert_int_eq(pay_settings_get(fx.st, w.cem, &s), 0);
	ck_assert(s.set);
	ck_assert(s.pay_later);
	j = pay_order_json(fx.st, &o, &may_start);
	ck_assert(may_start);
	ck_assert_str_eq(json_string_value(json_object_get(j, "instructions")),
	                 "到办公室缴费，周一至周日 8:00-17:00");
	json_decref(j);
	ck_assert_int_eq(move(id, SW_IN_PROGRESS, SW_STAFF, w.staff, NULL, &e),
	                 0);
	snprintf(s.provider, sizeof(s.provider), "alipay");
	ck_assert_int_eq(pay_settings_put(fx.st, &s, w.staff, &e), ERR_INVALID);
}
END_TEST

static Suite *pay_suite(void)
{
	Suite *s = suite_create("pay");
	TCase *pure = tcase_create("pure");
	TCase *db = tcase_create("db");

	tcase_add_test(pure, quote_reference);
	tcase_add_test(pure, office_provider);
	tcase_add_test(pure, start_rule);
	tcase_add_test(pure, mark_and_refund_rules);
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(db, mem_setup, mem_teardown);
	tcase_add_test(db, paid_once_then_start);
	tcase_add_test(db, refund_after_cancel);
	tcase_add_test(db, settings_and_pay_later);
	suite_add_tcase(s, db);
	return s;
}

SINIAN_CHECK_MAIN(pay_suite)
