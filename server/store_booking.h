/* store_booking.h — SQL for visit bookings. Callers validate and hold the
 * transaction; these functions only read and write rows.
 */
#ifndef SINIAN_STORE_BOOKING_H
#define SINIAN_STORE_BOOKING_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "visit.h"

struct store;

/* True when user_id has a booking not cancelled for slot_id. */
G_GNUC_WARN_UNUSED_RESULT int store_booking_active(struct store *st,
                                                   int64_t slot_id,
                                                   int64_t user_id, bool *out);
G_GNUC_WARN_UNUSED_RESULT int
store_booking_insert(struct store *st, const struct visit_booking *b,
                     const char *phone_enc, int64_t *id);
/* With the joined display fields. ERR_NOT_FOUND when absent. */
G_GNUC_WARN_UNUSED_RESULT int store_booking_get(struct store *st, int64_t id,
                                                struct visit_booking *out);
G_GNUC_WARN_UNUSED_RESULT int store_booking_by_code(struct store *st,
                                                    const char *code,
                                                    struct visit_booking *out);
/* The sealed contact phone (caller frees with g_free). */
G_GNUC_WARN_UNUSED_RESULT int store_booking_phone(struct store *st, int64_t id,
                                                  char **phone_enc);
/* Move from state `from` to `to` (cancelled_at / checked_in_at stamped).
 * ERR_CONFLICT when the booking is no longer in `from`. */
G_GNUC_WARN_UNUSED_RESULT int
store_booking_set_state(struct store *st, int64_t id, enum visit_state from,
                        enum visit_state to, int64_t actor_id);
/* Bookings of an account, newest first (at most limit). */
G_GNUC_WARN_UNUSED_RESULT int store_booking_list_user(struct store *st,
                                                      int64_t user_id,
                                                      int limit, GArray *out);
/* Bookings of a cemetery for slots with from <= date <= to, by date,
 * start and id; state < 0: any. */
G_GNUC_WARN_UNUSED_RESULT int
store_booking_list_cemetery(struct store *st, int64_t cemetery_id,
                            const char *from, const char *to, int state,
                            int limit, GArray *out);

#endif
