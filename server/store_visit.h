/* store_visit.h — SQL for visit slots (bookings: store_booking.h).
 * Callers validate and hold the transaction; these functions only read and
 * write rows.
 */
#ifndef SINIAN_STORE_VISIT_H
#define SINIAN_STORE_VISIT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "visit.h"

struct store;

G_GNUC_WARN_UNUSED_RESULT int
store_visit_slot_insert(struct store *st, const struct visit_slot *s,
                        int64_t *id);
/* ERR_NOT_FOUND when absent. */
G_GNUC_WARN_UNUSED_RESULT int store_visit_slot_get(struct store *st, int64_t id,
                                                   struct visit_slot *out);
/* Slots of a cemetery with from <= date <= to, by date and start, into a
 * GArray of struct visit_slot. */
G_GNUC_WARN_UNUSED_RESULT int
store_visit_slot_list(struct store *st, int64_t cemetery_id, const char *from,
                      const char *to, GArray *out);
/* Take n places: one UPDATE guarded by booked + n <= capacity. 0, or
 * ERR_FULL when they do not fit. */
G_GNUC_WARN_UNUSED_RESULT int store_visit_slot_take(struct store *st,
                                                    int64_t slot_id, int n);
/* Give n places back. */
G_GNUC_WARN_UNUSED_RESULT int store_visit_slot_release(struct store *st,
                                                       int64_t slot_id, int n);

#endif
