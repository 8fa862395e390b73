/* store_deceased.h — SQL for deceased records and their events (plots:
 * store_plot.h). Callers validate; these functions only read and write rows.
 */
#ifndef SINIAN_STORE_DECEASED_H
#define SINIAN_STORE_DECEASED_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "deceased.h"

struct store;

/* Insert a record; id_enc/id_hash may be NULL. ERR_CONFLICT on a
 * duplicate (agency, ext_id). */
G_GNUC_WARN_UNUSED_RESULT int
store_deceased_insert(struct store *st, const struct deceased *d,
                      const char *id_enc, const char *id_hash, int64_t *id);
/* ERR_NOT_FOUND when absent. */
G_GNUC_WARN_UNUSED_RESULT int store_deceased_get(struct store *st, int64_t id,
                                                 struct deceased *out);
/* Sealed ID number into out ("" when none). */
G_GNUC_WARN_UNUSED_RESULT int
store_deceased_id_enc(struct store *st, int64_t id, char *out, size_t outlen);
/* Set updated_at to now. */
G_GNUC_WARN_UNUSED_RESULT int store_deceased_touch(struct store *st,
                                                   int64_t id);
/* Link to plot_id (0: unlink); a plot's cemetery becomes the record's
 * holder (cemetery_id), which unlinking keeps. */
G_GNUC_WARN_UNUSED_RESULT int
store_deceased_set_plot(struct store *st, int64_t id, int64_t plot_id);
/* Records of an agency (agency_id > 0) or held by a cemetery
 * (cemetery_id > 0), newest first, id < before (0: from the newest), into
 * a GArray of struct deceased. */
G_GNUC_WARN_UNUSED_RESULT int
store_deceased_list(struct store *st, int64_t agency_id, int64_t cemetery_id,
                    int64_t before, int limit, GArray *out);
/* Records with updated_at >= since (any agency when agency_id is 0),
 * oldest first by id, id > after, at most limit, into a GArray. */
G_GNUC_WARN_UNUSED_RESULT int
store_deceased_since(struct store *st, const char *since, int64_t agency_id,
                     int64_t after, int limit, GArray *out);
/* The memorial of a record, 0 when none. */
G_GNUC_WARN_UNUSED_RESULT int
store_deceased_memorial(struct store *st, int64_t id, int64_t *memorial_id);
/* Ids and names of the deceased in a plot, into a GArray of struct
 * deceased (id and name filled). */
G_GNUC_WARN_UNUSED_RESULT int
store_deceased_in_plot(struct store *st, int64_t plot_id, GArray *out);

/* Events of a record, oldest first, into a GArray of struct
 * deceased_event. */
G_GNUC_WARN_UNUSED_RESULT int
store_deceased_event_list(struct store *st, int64_t deceased_id, GArray *out);
G_GNUC_WARN_UNUSED_RESULT int
store_deceased_event_insert(struct store *st, const struct deceased_event *ev,
                            int64_t created_by, int64_t *id);

#endif
