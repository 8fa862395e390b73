/* store_alloc.h — SQL for a cemetery's allocation settings: the rule
 * weights (alloc_weights) and the subsidised kinds and gate (alloc_sites).
 * Callers validate; these functions only read and write rows.
 */
#ifndef SINIAN_STORE_ALLOC_H
#define SINIAN_STORE_ALLOC_H

#include <glib.h>
#include <stdint.h>

#include "alloc.h"

struct store;

/* The cemetery's settings: alloc_defaults() overlaid with its rows. */
G_GNUC_WARN_UNUSED_RESULT int store_alloc_get(struct store *st,
                                              int64_t cemetery_id,
                                              struct alloc_config *out);
/* Replace the cemetery's settings, in one transaction. */
G_GNUC_WARN_UNUSED_RESULT int store_alloc_put(struct store *st,
                                              int64_t cemetery_id,
                                              const struct alloc_config *c);

#endif
