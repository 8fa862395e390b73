/* store_pay.h — SQL for payment settings and order payments. Callers
 * (pay.c) validate and hold transactions.
 */
#ifndef SINIAN_STORE_PAY_H
#define SINIAN_STORE_PAY_H

#include <glib.h>
#include <stdint.h>

#include "pay.h"

struct store;

/* ERR_NOT_FOUND when the cemetery has written none. */
G_GNUC_WARN_UNUSED_RESULT int store_pay_settings_get(struct store *st,
                                                     int64_t cemetery_id,
                                                     struct pay_settings *out);
/* Insert or replace. */
G_GNUC_WARN_UNUSED_RESULT int
store_pay_settings_put(struct store *st, const struct pay_settings *s,
                       int64_t actor_id);

/* ERR_NOT_FOUND when the order has no payment (unpaid). */
G_GNUC_WARN_UNUSED_RESULT int store_pay_record_get(struct store *st,
                                                   int64_t order_id,
                                                   struct pay_record *out);
/* A new paid record: provider, amount_fen, paid_reference of r. */
G_GNUC_WARN_UNUSED_RESULT int store_pay_record_paid(struct store *st,
                                                    const struct pay_record *r,
                                                    int64_t actor_id);
/* Paid to refunded with ref; ERR_CONFLICT when it was not paid. */
G_GNUC_WARN_UNUSED_RESULT int store_pay_record_refunded(struct store *st,
                                                        int64_t order_id,
                                                        const char *ref,
                                                        int64_t actor_id);

#endif
