/* plot.h — burial locations: cemetery → section → row → plot (or niche),
 * with kind, coordinates, capacity and status, and the allocation of a
 * deceased to a plot.
 *
 * A plot holds one deceased unless it is a family plot with a larger
 * capacity. Linking marks the plot occupied in the same transaction;
 * moving frees the old plot; status is free/reserved with nobody in it and
 * occupied with anyone in it.
 */
#ifndef SINIAN_PLOT_H
#define SINIAN_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "textlimit.h"
#include "err.h"

struct store;

enum plot_kind {
	PLOT_GRAVE = 0,
	PLOT_NICHE,
	PLOT_COLUMBARIUM,
	PLOT_TREE,
	PLOT_SEA,
	PLOT_FAMILY,
	PLOT_KIND_COUNT
};

enum plot_status { PLOT_FREE = 0, PLOT_RESERVED, PLOT_OCCUPIED };

#define PLOT_FAMILY_MAX 12 /* largest capacity of a family plot */

struct plot {
	int64_t id;
	int64_t cemetery_id;
	char section[TEXT_BUF(PLOT_LABEL_MAX)];
	char row[TEXT_BUF(PLOT_LABEL_MAX)];
	char number[TEXT_BUF(PLOT_LABEL_MAX)];
	enum plot_kind kind;
	int capacity;
	int occupied;
	enum plot_status status;
	bool has_geo;
	double lat, lng;
	bool accessible; /* step-free for elderly visitors */
	char created_at[24];
};

const char *plot_kind_name(enum plot_kind k);
int plot_kind_parse(const char *name); /* -1 when unknown */
const char *plot_status_name(enum plot_status s);
int plot_status_parse(const char *name);

/* Check a new plot's fields (labels non-empty, capacity 1 unless family,
 * coordinates in range). 0 or ERR_INVALID with err. */
int plot_validate(const struct plot *p, struct err_detail *e);

/* Insert a validated plot; p->id is set. ERR_CONFLICT when the cemetery
 * already has that section/row/number, ERR_NOT_FOUND without cemetery. */
int plot_create(struct store *st, struct plot *p, struct err_detail *e);
/* Create n plots of one cemetery (an import), all or none: on an error
 * nothing is stored, *bad (if not NULL) is the index of the plot that
 * failed (or n when the batch itself did) and err names it. At most
 * PLOT_BATCH_MAX. */
#define PLOT_BATCH_MAX 2000
int plot_create_many(struct store *st, struct plot *plots, size_t n,
                     size_t *bad, struct err_detail *e);

/* Link deceased_id to plot_id (0: unlink) in one transaction: the old plot
 * (if any) loses an occupant and becomes free when empty, the new one gains
 * one and becomes occupied. Linking to the plot it is already in changes
 * nothing. ERR_NOT_FOUND (record or plot), ERR_FULL when the plot is at
 * capacity (e says so), ERR_DB. */
int plot_assign(struct store *st, int64_t deceased_id, int64_t plot_id,
                struct err_detail *e);

/* Set a plot's status to free or reserved; ERR_CONFLICT when occupied. */
int plot_set_status(struct store *st, int64_t plot_id, enum plot_status s,
                    struct err_detail *e);

#endif
