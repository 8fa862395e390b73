/* store_tribute.h — SQL for tributes and their published counts. */
#ifndef SINIAN_STORE_TRIBUTE_H
#define SINIAN_STORE_TRIBUTE_H

#include <glib.h>
#include <stdint.h>

#include "tribute.h"

struct store;

G_GNUC_WARN_UNUSED_RESULT int store_tribute_insert(struct store *st,
                                                   struct tribute *t);
G_GNUC_WARN_UNUSED_RESULT int store_tribute_get(struct store *st, int64_t id,
                                                struct tribute *out);
G_GNUC_WARN_UNUSED_RESULT int
store_tribute_set_state(struct store *st, int64_t id, enum tribute_state s);
/* Tributes of a memorial in a state, kind < 0 for any, newest first with
 * id < before (0: from the newest), into a GArray of struct tribute. */
G_GNUC_WARN_UNUSED_RESULT int
store_tribute_list(struct store *st, int64_t memorial_id, enum tribute_state s,
                   int kind, int64_t before, int limit, GArray *out);
/* Add delta to the published count of a kind. */
G_GNUC_WARN_UNUSED_RESULT int store_tribute_count_add(struct store *st,
                                                      int64_t memorial_id,
                                                      enum tribute_kind k,
                                                      int delta);
G_GNUC_WARN_UNUSED_RESULT int store_tribute_counts(struct store *st,
                                                   int64_t memorial_id,
                                                   struct tribute_counts *out);
/* Pending messages of a memorial (for moderators). */
G_GNUC_WARN_UNUSED_RESULT int
store_tribute_pending(struct store *st, int64_t memorial_id, int64_t *n);

#endif
