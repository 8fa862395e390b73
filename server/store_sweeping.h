/* store_sweeping.h — SQL for a sweeping's proof media and for ratings
 * (orders: store_order.h). Callers validate and hold transactions.
 */
#ifndef SINIAN_STORE_SWEEPING_H
#define SINIAN_STORE_SWEEPING_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sweeping.h"

struct store;

G_GNUC_WARN_UNUSED_RESULT int
store_sweeping_proof_insert(struct store *st, const struct sweeping_proof *p,
                            int64_t *id);
G_GNUC_WARN_UNUSED_RESULT int
store_sweeping_proof_get(struct store *st, int64_t order_id, int64_t id,
                         struct sweeping_proof *out);
G_GNUC_WARN_UNUSED_RESULT int
store_sweeping_proof_list(struct store *st, int64_t order_id, GArray *out);
/* Proofs of an order: all, and photos only. */
G_GNUC_WARN_UNUSED_RESULT int store_sweeping_proof_count(struct store *st,
                                                         int64_t order_id,
                                                         int *all, int *photos);

/* ERR_CONFLICT when the order has a rating already. order_id 0: none. */
G_GNUC_WARN_UNUSED_RESULT int
store_sweeping_rating_insert(struct store *st, const char *subject_kind,
                             int64_t subject_id, int64_t order_id,
                             int64_t user_id, int stars, const char *comment);
/* The rating of an order: *stars 0 when none; comment borrowed into buf. */
G_GNUC_WARN_UNUSED_RESULT int
store_sweeping_rating_of_order(struct store *st, int64_t order_id, int *stars,
                               char *comment, size_t commentlen);
/* Average stars and count for a subject (count 0: average 0). */
G_GNUC_WARN_UNUSED_RESULT int
store_sweeping_rating_summary(struct store *st, const char *subject_kind,
                              int64_t subject_id, double *avg, int64_t *count);

#endif
