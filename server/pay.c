/* pay.c — payments of proxy-sweeping orders: the provider table, the
 * office provider, the rules that join a payment to its order, and their
 * transactions.
 *
 * Owns payment_settings and order_payments through store_pay.c. Never
 * talks HTTP; never decides who asks (the cemetery side of the order,
 * checked by api_sweeping.c). Publishes the order after each change, as
 * sweeping.c does for the order's own moves.
 */
#include "pay.h"
#include "err.h"
#include "jsonx.h"
#include "log.h"
#include "store.h"
#include "store_pay.h"
#include "store_order.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static const char *const state_names[PAY_STATE_COUNT] = {"unpaid", "paid",
                                                         "refunded"};

const char *pay_state_name(enum pay_state s)
{
	return (unsigned)s < PAY_STATE_COUNT ? state_names[s] : "?";
}

int pay_state_parse(const char *s)
{
	for (int i = 0; s && i < PAY_STATE_COUNT; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

/* ---- the office provider: at the cemetery's office or by bank transfer */

static json_t *office_howto(const struct pay_settings *s,
                            const struct sweeping_order *o)
{
	char ref[PAY_QUOTE_REF_BUF];

	pay_quote_reference(o->id, ref, sizeof(ref));
	return json_pack("{s:I,s:s,s:s}", "amount_fen",
	                 (json_int_t)o->total_cents, "reference", ref,
	                 "instructions", s->instructions);
}

static int office_reference_check(const char *ref, struct err_detail *err)
{
	bool blank = true;

	for (const char *p = ref ? ref : ""; *p; p++)
		blank &= *p == ' ';
	if (blank || !g_utf8_validate(ref, -1, NULL) ||
	    g_utf8_strlen(ref, -1) > PAY_REFERENCE_MAX)
		return err_fail(
		    err, ERR_INVALID, "invalid",
		    "reference: the receipt or transfer number, 1 to "
		    "%d characters",
		    PAY_REFERENCE_MAX);
	return 0;
}

static const struct pay_provider providers[] = {
    {"office", true, office_howto, office_reference_check},
};

const struct pay_provider *pay_provider_find(const char *name)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(providers); i++)
		if (strcmp(providers[i].name, name) == 0)
			return &providers[i];
	return NULL;
}

/* ---- the reference a family quotes */

static int luhn_digit(const char *digits)
{
	size_t n = strlen(digits);
	int sum = 0;

	/* from the right, the digit next to the check digit is doubled */
	for (size_t i = 0; i < n; i++) {
		int d = digits[n - 1 - i] - '0';

		if (i % 2 == 0 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	return (10 - sum % 10) % 10;
}

void pay_quote_reference(int64_t order_id, char *out, size_t outlen)
{
	char digits[24];

	snprintf(digits, sizeof(digits), "%06lld", (long long)order_id);
	snprintf(out, outlen, "SW%s%d", digits, luhn_digit(digits));
}

bool pay_quote_reference_valid(const char *s)
{
	char digits[24];
	size_t n;

	if (!s || strncmp(s, "SW", 2) != 0)
		return false;
	n = strlen(s + 2);
	if (n < 7 || n >= sizeof(digits))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[2 + i] < '0' || s[2 + i] > '9')
			return false;
	memcpy(digits, s + 2, n - 1);
	digits[n - 1] = '\0';
	return luhn_digit(digits) == s[n + 1] - '0';
}

/* ---- rules */

int pay_work_check(enum sweeping_state to, enum pay_state ps, bool pay_later,
                   struct err_detail *err)
{
	if (to == SW_IN_PROGRESS && ps != PAY_PAID && !pay_later)
		return err_fail(
		    err, ERR_CONFLICT, "payment_required",
		    "the order is %s; the work starts once it is paid "
		    "(mark it paid first)",
		    pay_state_name(ps));
	return 0;
}

static bool order_closed(enum sweeping_state os)
{
	return os == SW_CANCELLED || os == SW_REJECTED;
}

bool pay_refund_due(enum sweeping_state os, enum pay_state ps)
{
	return ps == PAY_PAID && (order_closed(os) || os == SW_DISPUTED);
}

int pay_mark_check(enum sweeping_state os, const struct pay_record *cur,
                   const char *ref, struct err_detail *err)
{
	if (cur->state == PAY_REFUNDED)
		return err_fail(err, ERR_CONFLICT, "refunded",
		                "the payment has been refunded");
	if (cur->state == PAY_PAID)
		return strcmp(cur->paid_reference, ref) == 0
		           ? PAY_SAME
		           : err_fail(err, ERR_CONFLICT, "already_paid",
		                      "the order is paid already, reference %s",
		                      cur->paid_reference);
	if (order_closed(os))
		return err_fail(err, ERR_CONFLICT, "order_closed",
		                "the order is %s; it is not paid any more",
		                sweeping_state_name(os));
	return 0;
}

int pay_refund_check(enum sweeping_state os, const struct pay_record *cur,
                     const char *ref, struct err_detail *err)
{
	if (cur->state == PAY_REFUNDED)
		return strcmp(cur->refund_reference, ref) == 0
		           ? PAY_SAME
		           : err_fail(
		                 err, ERR_CONFLICT, "already_refunded",
		                 "the payment is refunded already, reference "
		                 "%s",
		                 cur->refund_reference);
	if (cur->state != PAY_PAID)
		return err_fail(
		    err, ERR_CONFLICT, "not_paid",
		    "the order is not paid; there is nothing to refund");
	if (!pay_refund_due(os, cur->state))
		return err_fail(
		    err, ERR_CONFLICT, "refund_not_due",
		    "the order is %s; a refund is recorded once it is "
		    "cancelled, rejected or disputed",
		    sweeping_state_name(os));
	return 0;
}

/* ---- store */

int pay_settings_get(struct store *st, int64_t cemetery_id,
                     struct pay_settings *out)
{
	int rc = store_pay_settings_get(st, cemetery_id, out);

	if (rc == ERR_NOT_FOUND) {
		memset(out, 0, sizeof(*out));
		out->cemetery_id = cemetery_id;
		snprintf(out->provider, sizeof(out->provider), "office");
		return 0;
	}
	return rc;
}

int pay_settings_put(struct store *st, const struct pay_settings *s,
                     int64_t actor_id, struct err_detail *err)
{
	if (!pay_provider_find(s->provider))
		return err_fail(err, ERR_INVALID, "invalid",
		                "provider: only \"office\" is offered");
	if (!g_utf8_validate(s->instructions, -1, NULL) ||
	    g_utf8_strlen(s->instructions, -1) > PAY_INSTRUCTIONS_MAX)
		return err_fail(err, ERR_INVALID, "invalid",
		                "instructions: at most %d characters",
		                PAY_INSTRUCTIONS_MAX);
	if (!store_ok(store_pay_settings_put(st, s, actor_id),
	              "saving a cemetery's payment settings"))
		return err_fail(err, ERR_DB, NULL, "cannot save the settings");
	return 0;
}

int pay_record_get(struct store *st, int64_t order_id, struct pay_record *out)
{
	int rc = store_pay_record_get(st, order_id, out);

	if (rc == ERR_NOT_FOUND) {
		memset(out, 0, sizeof(*out));
		out->order_id = order_id;
		out->state = PAY_UNPAID;
		return 0;
	}
	return rc;
}

/* Inside the transaction: check and write. PAY_SAME when nothing to do. */
static int record_set_tx(struct store *st, const struct sweeping_order *o,
                         enum pay_state to, const char *ref, int64_t actor_id,
                         struct err_detail *err)
{
	const struct pay_provider *pv;
	struct pay_settings s;
	struct pay_record cur;
	int rc;

	if (!store_ok(pay_record_get(st, o->id, &cur),
	              "reading an order's payment") ||
	    !store_ok(pay_settings_get(st, o->cemetery_id, &s),
	              "reading a cemetery's payment settings"))
		return err_fail(err, ERR_DB, NULL, "cannot read the payment");
	pv = pay_provider_find(cur.state == PAY_UNPAID ? s.provider
	                                               : cur.provider);
	if (!pv || !pv->staff_confirms)
		return err_fail(
		    err, ERR_CONFLICT, "provider_confirms",
		    "this payment is confirmed by its provider, not by "
		    "staff");
	if ((rc = pv->reference_check(ref, err)))
		return rc;
	rc = to == PAY_PAID ? pay_mark_check(o->state, &cur, ref, err)
	                    : pay_refund_check(o->state, &cur, ref, err);
	if (rc)
		return rc;
	if (to == PAY_PAID) {
		cur.order_id = o->id;
		snprintf(cur.provider, sizeof(cur.provider), "%s", pv->name);
		cur.amount_fen = o->total_cents;
		snprintf(cur.paid_reference, sizeof(cur.paid_reference), "%s",
		         ref);
		rc = store_pay_record_paid(st, &cur, actor_id);
	} else {
		rc = store_pay_record_refunded(st, o->id, ref, actor_id);
	}
	if (!store_ok(rc, "saving an order's payment"))
		return err_fail(err, rc, NULL, "cannot save the payment");
	return 0;
}

int pay_record_set(struct store *st, struct bus *bus, int64_t order_id,
                   enum pay_state to, const char *ref, int64_t actor_id,
                   bool *changed, struct sweeping_order *out,
                   struct err_detail *err)
{
	struct sweeping_order o;
	int rc;

	*changed = false;
	if (to != PAY_PAID && to != PAY_REFUNDED)
		return err_fail(err, ERR_INVALID, "invalid",
		                "state: paid or refunded");
	if (!store_ok(rc = store_begin(st), "beginning a payment"))
		return err_fail(err, rc, NULL, "cannot start a transaction");
	if ((rc = store_order_get(st, order_id, &o))) {
		if (rc == ERR_NOT_FOUND)
			err_fail(err, rc, "not_found", "no such order");
		else if (!store_ok(rc, "reading the order of a payment"))
			err_fail(err, rc, NULL, "cannot read the order");
		goto out_rollback;
	}
	rc = record_set_tx(st, &o, to, ref, actor_id, err);
	if (rc != 0 && rc != PAY_SAME)
		goto out_rollback;
	*changed = rc == 0;
	if (!store_ok(rc = store_commit(st), "committing a payment"))
		return err_fail(err, rc, NULL, "cannot save the payment");
	if (!store_ok(rc = store_order_get(st, order_id, out),
	              "reading an order back after its payment"))
		return err_fail(err, rc, NULL, "cannot read the order back");
	if (*changed)
		sweeping_publish(st, bus, order_id);
	return 0;
out_rollback:
	store_rollback(st);
	return rc;
}

/* ---- JSON */

static void put_record(json_t **j, const struct pay_record *r)
{
	if (r->state == PAY_UNPAID)
		return;
	jsonx_put(j, "paid",
	          json_pack("{s:I,s:s,s:s,s:s}", "amount_fen",
	                    (json_int_t)r->amount_fen, "reference",
	                    r->paid_reference, "at", r->paid_at, "by_name",
	                    r->paid_by_name));
	if (r->state == PAY_REFUNDED)
		jsonx_put(j, "refunded",
		          json_pack("{s:s,s:s}", "reference",
		                    r->refund_reference, "at", r->refunded_at));
}

json_t *pay_order_json(struct store *st, const struct sweeping_order *o,
                       bool *may_start)
{
	const struct pay_provider *pv;
	struct pay_settings s;
	struct pay_record r;
	json_t *j;

	*may_start = false;
	if (!store_ok(pay_settings_get(st, o->cemetery_id, &s),
	              "reading a cemetery's payment settings") ||
	    !store_ok(pay_record_get(st, o->id, &r),
	              "reading an order's payment"))
		return NULL;
	pv = pay_provider_find(r.state == PAY_UNPAID ? s.provider : r.provider);
	if (!pv || !(j = pv->howto(&s, o)))
		return NULL;
	*may_start =
	    pay_work_check(SW_IN_PROGRESS, r.state, s.pay_later, NULL) == 0;
	jsonx_put(&j, "state", json_string(pay_state_name(r.state)));
	jsonx_put(&j, "provider", json_string(pv->name));
	jsonx_put(&j, "pay_later", json_boolean(s.pay_later));
	jsonx_put(&j, "refund_due",
	          json_boolean(pay_refund_due(o->state, r.state)));
	put_record(&j, &r);
	return j;
}
