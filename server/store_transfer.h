/* store_transfer.h — SQL for burial transfers (hand-overs of a record to a
 * cemetery). Callers validate; these functions only read and write rows.
 */
#ifndef SINIAN_STORE_TRANSFER_H
#define SINIAN_STORE_TRANSFER_H

#include <glib.h>
#include <stdint.h>

#include "transfer.h"

struct store;

/* Insert a pending hand-over; t->id and created_at set. ERR_CONFLICT when
 * one of the record is pending. */
G_GNUC_WARN_UNUSED_RESULT int store_transfer_insert(struct store *st,
                                                    struct burial_transfer *t);
/* ERR_NOT_FOUND when absent. */
G_GNUC_WARN_UNUSED_RESULT int store_transfer_get(struct store *st, int64_t id,
                                                 struct burial_transfer *out);
/* Set state, plot (0: keep), reason, who and when; only from pending:
 * ERR_CONFLICT when it is not pending any more. */
G_GNUC_WARN_UNUSED_RESULT int
store_transfer_decide(struct store *st, int64_t id, enum transfer_state to,
                      int64_t plot_id, const char *reason, int64_t actor);
/* Hand-overs of a record, oldest first, into a GArray of struct
 * burial_transfer. */
G_GNUC_WARN_UNUSED_RESULT int store_transfer_list_deceased(struct store *st,
                                                           int64_t deceased_id,
                                                           GArray *out);
/* Hand-overs to a cemetery (to_cemetery) or from an agency or cemetery
 * (from_kind, from_id), newest first, in a state (< 0: any), at most
 * limit. */
G_GNUC_WARN_UNUSED_RESULT int store_transfer_list_to(struct store *st,
                                                     int64_t cemetery_id,
                                                     int state, int limit,
                                                     GArray *out);
G_GNUC_WARN_UNUSED_RESULT int store_transfer_list_from(struct store *st,
                                                       enum transfer_from kind,
                                                       int64_t id, int state,
                                                       int limit, GArray *out);

#endif
