/* store_order.h — SQL for sweeping orders, their items and events.
 * Callers validate and hold transactions.
 */
#ifndef SINIAN_STORE_ORDER_H
#define SINIAN_STORE_ORDER_H

#include <glib.h>
#include <stdint.h>

#include "sweeping.h"

struct store;

G_GNUC_WARN_UNUSED_RESULT int store_order_insert(struct store *st,
                                                 const struct sweeping_order *o,
                                                 int64_t *id);
/* With the joined display fields. ERR_NOT_FOUND when absent. */
G_GNUC_WARN_UNUSED_RESULT int store_order_get(struct store *st, int64_t id,
                                              struct sweeping_order *out);
/* Move from `from` to `to`; reason replaces the stored one when not NULL.
 * ERR_CONFLICT when the order is no longer in `from`. */
G_GNUC_WARN_UNUSED_RESULT int
store_order_set_state(struct store *st, int64_t id, enum sweeping_state from,
                      enum sweeping_state to, const char *reason);
/* Orders of an account, newest first. */
G_GNUC_WARN_UNUSED_RESULT int store_order_list_user(struct store *st,
                                                    int64_t user_id, int limit,
                                                    GArray *out);
/* Orders of a cemetery dated from..to (by date, id); state < 0: any. */
G_GNUC_WARN_UNUSED_RESULT int
store_order_list_cemetery(struct store *st, int64_t cemetery_id,
                          const char *from, const char *to, int state,
                          int limit, GArray *out);

G_GNUC_WARN_UNUSED_RESULT int
store_order_item_insert(struct store *st, const struct sweeping_item *it);
G_GNUC_WARN_UNUSED_RESULT int
store_order_item_list(struct store *st, int64_t order_id, GArray *out);

/* from < 0: NULL (the placing). */
G_GNUC_WARN_UNUSED_RESULT int
store_order_event_insert(struct store *st, int64_t order_id, int from,
                         enum sweeping_state to, int64_t actor_id,
                         const char *note);
G_GNUC_WARN_UNUSED_RESULT int
store_order_event_list(struct store *st, int64_t order_id, GArray *out);

#endif
