/* store_plot.h — SQL for a cemetery's burial plots. Callers validate;
 * these functions only read and write rows.
 */
#ifndef SINIAN_STORE_PLOT_H
#define SINIAN_STORE_PLOT_H

#include <glib.h>
#include <stdint.h>

#include "plot.h"

struct store;

G_GNUC_WARN_UNUSED_RESULT int
store_plot_insert(struct store *st, const struct plot *p, int64_t *id);
G_GNUC_WARN_UNUSED_RESULT int store_plot_get(struct store *st, int64_t id,
                                             struct plot *out);
/* Update occupied and status. */
G_GNUC_WARN_UNUSED_RESULT int store_plot_set_occupancy(struct store *st,
                                                       int64_t id, int occupied,
                                                       enum plot_status status);
/* Plots of a cemetery by section/row/number; status < 0: any. */
G_GNUC_WARN_UNUSED_RESULT int
store_plot_list(struct store *st, int64_t cemetery_id, int status, GArray *out);
/* Plots of a cemetery that can take one more burial (not reserved, below
 * capacity), by id, at most limit, into a GArray of struct plot. */
G_GNUC_WARN_UNUSED_RESULT int store_plot_list_open(struct store *st,
                                                   int64_t cemetery_id,
                                                   int limit, GArray *out);
/* Each section of a cemetery with its plots' capacity and occupants, into
 * a GArray of struct alloc_section. */
G_GNUC_WARN_UNUSED_RESULT int store_plot_sections(struct store *st,
                                                  int64_t cemetery_id,
                                                  int limit, GArray *out);
/* The plots of the records named name (except record except) that the
 * cemetery holds and has buried, into a GArray of struct plot. */
G_GNUC_WARN_UNUSED_RESULT int
store_plot_of_name(struct store *st, int64_t cemetery_id, const char *name,
                   int64_t except, int limit, GArray *out);

#endif
