/* plot.c — burial plots and who lies in them.
 *
 * Owns plot validation and allocation: linking a deceased to a plot, moving
 * them, freeing the old plot, each in one transaction so occupancy never
 * disagrees with the links. It knows no HTTP; SQL is in store_plot.c.
 * Called by api_plot.c, api_deceased.c and the demo data.
 */
#include "plot.h"
#include "err.h"
#include "jsonx.h"
#include "store.h"
#include "store_deceased.h"
#include "store_plot.h"
#include "store_org.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[PLOT_KIND_COUNT] = {
    "grave", "niche", "columbarium", "tree", "sea", "family"};
static const char *const status_names[] = {"free", "reserved", "occupied"};

const char *plot_kind_name(enum plot_kind k)
{
	return k < PLOT_KIND_COUNT ? kind_names[k] : "?";
}

int plot_kind_parse(const char *name)
{
	for (int i = 0; name && i < PLOT_KIND_COUNT; i++)
		if (strcmp(kind_names[i], name) == 0)
			return i;
	return -1;
}

const char *plot_status_name(enum plot_status s)
{
	return s <= PLOT_OCCUPIED ? status_names[s] : "?";
}

int plot_status_parse(const char *name)
{
	for (int i = 0; name && i <= PLOT_OCCUPIED; i++)
		if (strcmp(status_names[i], name) == 0)
			return i;
	return -1;
}

static int label_ok(const char *field, const char *v, struct err_detail *e)
{
	size_t n = jsonx_utf8_len(v);

	if (n >= 1 && n <= 24)
		return 0;
	return err_fail(e, ERR_INVALID, NULL, "%s: must be 1 to 24 characters",
	                field);
}

int plot_validate(const struct plot *p, struct err_detail *e)
{
	int rc;

	if ((rc = label_ok("section", p->section, e)) ||
	    (rc = label_ok("row", p->row, e)) ||
	    (rc = label_ok("number", p->number, e)))
		return rc;
	if (p->kind >= PLOT_KIND_COUNT) {
		return err_fail(e, ERR_INVALID, NULL,
		                "kind: unknown plot kind");
	}
	if (p->capacity < 1 || (p->kind != PLOT_FAMILY && p->capacity != 1) ||
	    p->capacity > PLOT_FAMILY_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "capacity: 1, or up to %d for a family plot",
		                PLOT_FAMILY_MAX);
	}
	if (p->status == PLOT_OCCUPIED) {
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "status: free or reserved (a plot becomes occupied "
		    "when someone is linked to it)");
	}
	if (p->has_geo && (!isfinite(p->lat) || !isfinite(p->lng) ||
	                   fabs(p->lat) > 90 || fabs(p->lng) > 180)) {
		return err_fail(e, ERR_INVALID, NULL, "lat, lng: out of range");
	}
	return 0;
}

int plot_create(struct store *st, struct plot *p, struct err_detail *e)
{
	struct org c;
	int rc;

	if ((rc = plot_validate(p, e)))
		return rc;
	if ((rc = store_org_get(st, ORG_CEMETERY, p->cemetery_id, &c))) {
		return err_fail(e, rc, NULL, "%s",
		                rc == ERR_NOT_FOUND
		                    ? "no such cemetery"
		                    : "cannot read the cemetery");
	}
	p->occupied = 0;
	rc = store_plot_insert(st, p, &p->id);
	if (rc == ERR_CONFLICT)
		return err_fail(
		    e, rc, NULL,
		    "number: this cemetery already has plot %s/%s/%s",
		    p->section, p->row, p->number);
	if (rc)
		return err_fail(e, rc, NULL, "cannot store the plot");
	return 0;
}

int plot_create_many(struct store *st, struct plot *plots, size_t n,
                     size_t *bad, struct err_detail *e)
{
	size_t i;
	int rc;

	if (bad)
		*bad = n;
	if (n == 0 || n > PLOT_BATCH_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "plots: give 1 to %d plots", PLOT_BATCH_MAX);
	}
	if ((rc = store_begin(st))) {
		return err_fail(e, rc, NULL, "cannot start a transaction");
	}
	for (i = 0; i < n; i++)
		if ((rc = plot_create(st, &plots[i], e)))
			break;
	if (rc) {
		store_rollback(st);
		if (bad)
			*bad = i;
		return rc;
	}
	if ((rc = store_commit(st)))
		return err_fail(e, rc, NULL, "cannot store the plots");
	return 0;
}

/* One occupant more (delta 1) or less (-1), status to match. */
static int occupy(struct store *st, struct plot *p, int delta)
{
	int n = p->occupied + delta;
	enum plot_status s = n > 0 ? PLOT_OCCUPIED : PLOT_FREE;

	if (n < 0)
		n = 0;
	p->occupied = n;
	p->status = s;
	return store_plot_set_occupancy(st, p->id, n, s);
}

int plot_assign(struct store *st, int64_t deceased_id, int64_t plot_id,
                struct err_detail *e)
{
	struct deceased d;
	struct plot old, nw;
	int rc;

	if ((rc = store_begin(st))) {
		return err_fail(e, rc, NULL, "store busy");
	}
	if ((rc = store_deceased_get(st, deceased_id, &d))) {
		err_fail(e, rc, NULL, "no such deceased record");
		goto out_rollback;
	}
	if (d.plot_id == plot_id) {
		rc = store_commit(st);
		return rc;
	}
	if (plot_id && (rc = store_plot_get(st, plot_id, &nw))) {
		err_fail(e, rc, NULL, "plot_id: no such plot");
		goto out_rollback;
	}
	if (plot_id && nw.occupied >= nw.capacity) {
		err_fail(e, ERR_FULL, NULL,
		         nw.capacity > 1 ? "plot_id: this family plot is full "
		                           "(%d of %d)"
		                         : "plot_id: this plot is already "
		                           "occupied (%d of %d)",
		         nw.occupied, nw.capacity);
		rc = ERR_FULL;
		goto out_rollback;
	}
	if (d.plot_id && ((rc = store_plot_get(st, d.plot_id, &old)) ||
	                  (rc = occupy(st, &old, -1))))
		goto out_db;
	if ((plot_id && (rc = occupy(st, &nw, 1))) ||
	    (rc = store_deceased_set_plot(st, deceased_id, plot_id)) ||
	    (rc = store_commit(st)))
		goto out_db;
	return 0;
out_db:
	err_fail(e, rc, NULL, "cannot link the plot");
out_rollback:
	store_rollback(st);
	return rc;
}

int plot_set_status(struct store *st, int64_t plot_id, enum plot_status s,
                    struct err_detail *e)
{
	struct plot p;
	int rc;

	if ((rc = store_plot_get(st, plot_id, &p)))
		return err_fail(e, rc, NULL, "no such plot");
	if (s == PLOT_OCCUPIED || p.occupied > 0)
		return err_fail(e, ERR_CONFLICT, NULL,
		                "status: only an empty plot can be set free or "
		                "reserved");
	return store_plot_set_occupancy(st, plot_id, 0, s);
}
