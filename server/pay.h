/* pay.h — paying for proxy sweeping: the payment-provider interface, the
 * one provider that needs no outside service ("office": at the cemetery's
 * office or by bank transfer, confirmed by staff), and the rules joining a
 * payment to its order.
 *
 * An order's payment state is its own (unpaid ─staff─▶ paid ─staff─▶
 * refunded), apart from the order's state (sweeping.h). The rules:
 *   - staff mark an order paid, with the reference of the receipt or the
 *     transfer, while the order is neither cancelled nor rejected; marking
 *     again with the same reference changes nothing (idempotent), with
 *     another is a conflict;
 *   - staff record a refund of a paid order once it is cancelled, rejected
 *     or disputed;
 *   - staff may accept an unpaid order (the family then knows the
 *     cemetery will do it before paying), but not start the work
 *     (in_progress) until it is paid, unless the cemetery allows pay-later.
 *
 * Owns these rules, the providers and the transactions of payments; SQL is
 * in store_pay.c. Never talks HTTP (api_sweeping.c does) and never decides
 * who asks (access.c: the cemetery side of the order). Callers:
 * api_sweeping.c, and sweeping.c for the start rule and the order's JSON.
 * docs/payments.md tells how a WeChat Pay or Alipay provider plugs in.
 */
#ifndef SINIAN_PAY_H
#define SINIAN_PAY_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sweeping.h"
#include "textlimit.h"

struct store;
struct bus;

enum pay_state { PAY_UNPAID = 0, PAY_PAID, PAY_REFUNDED, PAY_STATE_COUNT };

/* "SW" + the order number, at least 6 digits, + a check digit. */
#define PAY_QUOTE_REF_BUF 32

/* How a cemetery is paid. set: the cemetery has written its settings. */
struct pay_settings {
	int64_t cemetery_id;
	char provider[16];
	char instructions[TEXT_BUF(PAY_INSTRUCTIONS_MAX)];
	bool pay_later;
	bool set;
	char updated_at[24];
};

/* The payment of an order; state PAY_UNPAID and the rest empty when none. */
struct pay_record {
	int64_t order_id;
	enum pay_state state;
	char provider[16];
	int64_t amount_fen;
	char paid_reference[TEXT_BUF(PAY_REFERENCE_MAX)];
	int64_t paid_by;
	char paid_by_name[TEXT_BUF(DISPLAY_NAME_MAX)];
	char paid_at[24];
	char refund_reference[TEXT_BUF(PAY_REFERENCE_MAX)];
	int64_t refunded_by;
	char refunded_at[24];
};

/* A way of paying. A provider says what the family must do, and checks
 * what confirms a payment. The office provider is confirmed by staff; a
 * provider with an outside service (docs/payments.md) would be confirmed
 * by its signed notification instead, and set staff_confirms false. */
struct pay_provider {
	const char *name;    /* stored in payment_settings.provider */
	bool staff_confirms; /* staff mark payments and refunds by hand */
	/* What the family is shown for order o under settings s: a new
	 * object with at least "amount_fen" and "reference"; NULL on
	 * failure. */
	json_t *(*howto)(const struct pay_settings *s,
	                 const struct sweeping_order *o);
	/* Is ref (a receipt or transfer number staff typed) acceptable?
	 * 0, or ERR_INVALID with err filled in. */
	int (*reference_check)(const char *ref, struct err_detail *err);
};

const char *pay_state_name(enum pay_state s); /* "unpaid" */
int pay_state_parse(const char *s);           /* -1 if unknown */

/* The provider of that name; NULL when there is none. */
const struct pay_provider *pay_provider_find(const char *name);

/* The reference a family quotes with its payment: "SW000123" and a check
 * digit (Luhn over the digits), e.g. "SW0001230". Pure. */
void pay_quote_reference(int64_t order_id, char *out, size_t outlen);
/* True when s is a well-formed reference with a right check digit. */
bool pay_quote_reference_valid(const char *s);

/* May staff move an order into `to` with its payment in state ps? Pure.
 * 0, or ERR_CONFLICT "payment_required" for in_progress unpaid without
 * pay-later. Every other move is free of payment. */
int pay_work_check(enum sweeping_state to, enum pay_state ps, bool pay_later,
                   struct err_detail *err);

/* May staff mark paid an order in state os whose payment is cur, with
 * reference ref? Pure. 0: do it; PAY_SAME: already so, nothing to do;
 * ERR_CONFLICT ("order_closed", "already_paid", "refunded"). */
#define PAY_SAME 1
int pay_mark_check(enum sweeping_state os, const struct pay_record *cur,
                   const char *ref, struct err_detail *err);
/* Likewise for recording a refund: the payment paid and the order
 * cancelled, rejected or disputed. ERR_CONFLICT ("not_paid",
 * "refund_not_due", "already_refunded"). */
int pay_refund_check(enum sweeping_state os, const struct pay_record *cur,
                     const char *ref, struct err_detail *err);
/* Is a refund owed: paid, and the order cancelled, rejected or disputed? */
bool pay_refund_due(enum sweeping_state os, enum pay_state ps);

/* Settings of a cemetery (defaults when it has none: office, no text, no
 * pay-later). 0 or ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int pay_settings_get(struct store *st,
                                               int64_t cemetery_id,
                                               struct pay_settings *out);
/* Write them. ERR_INVALID (text not UTF-8 or too long), ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int pay_settings_put(struct store *st,
                                               const struct pay_settings *s,
                                               int64_t actor_id,
                                               struct err_detail *err);

/* Mark order_id paid (to PAY_PAID) or refunded (to PAY_REFUNDED) with
 * ref, in one transaction re-checking the rules, and publish the order.
 * *changed false when it was already so. 0; ERR_NOT_FOUND; ERR_INVALID
 * (reference); ERR_CONFLICT; ERR_DB. out: the order after. */
G_GNUC_WARN_UNUSED_RESULT int pay_record_set(struct store *st, struct bus *bus,
                                             int64_t order_id,
                                             enum pay_state to, const char *ref,
                                             int64_t actor_id, bool *changed,
                                             struct sweeping_order *out,
                                             struct err_detail *err);

/* The payment of an order (PAY_UNPAID when none). 0 or ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int pay_record_get(struct store *st, int64_t order_id,
                                             struct pay_record *out);

/* The "payment" object of an order's JSON, for both sides; NULL on a
 * store error (logged). *may_start: whether the start rule lets staff
 * begin the work now. */
json_t *pay_order_json(struct store *st, const struct sweeping_order *o,
                       bool *may_start);

#endif
