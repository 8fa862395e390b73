/* grave.c — the rules of a family memorial finding its grave (grave.h).
 *
 * Owns what may be asked and what a confirmation changes, each in one
 * transaction with the decision; never checks rights (the caller does,
 * through access.c) and writes no SQL (store_grave.c, plot.c).
 */
#include "grave.h"
#include "deceased.h"
#include "err.h"
#include "log.h"
#include "memorial.h"
#include "plot.h"
#include "store.h"
#include "store_deceased.h"
#include "store_plot.h"
#include "store_grave.h"
#include "store_memorial.h"
#include "store_org.h"

#include <stdio.h>
#include <string.h>

static const char *const state_names[] = {"pending", "confirmed", "refused"};

const char *grave_state_name(enum grave_state s)
{
	return (unsigned)s < G_N_ELEMENTS(state_names) ? state_names[s] : "?";
}

int grave_state_parse(const char *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(state_names); i++)
		if (strcmp(state_names[i], s) == 0)
			return (int)i;
	return -1;
}

/* The memorial's own record, if it may still ask for its grave. */
static int askable(struct store *st, int64_t memorial_id, struct deceased *d,
                   struct err_detail *e)
{
	struct memorial *m = g_new(struct memorial, 1);
	int rc = store_memorial_get(st, memorial_id, m);

	if (rc == 0)
		rc = store_deceased_get(st, m->deceased_id, d);
	g_free(m);
	if (rc)
		return err_fail(e, rc, NULL, "no such memorial");
	if (d->agency_id)
		return err_fail(
		    e, ERR_CONFLICT, NULL,
		    "a funeral home keeps this record: it hands it over "
		    "to the cemetery");
	if (d->plot_id || d->cemetery_id)
		return err_fail(e, ERR_CONFLICT, NULL,
		                "this memorial already has its grave");
	return 0;
}

int grave_ask(struct store *st, struct grave_request *r, struct err_detail *e)
{
	struct deceased d;
	struct org c;
	int rc;

	if ((rc = askable(st, r->memorial_id, &d, e)))
		return rc;
	if ((rc = store_org_get(st, ORG_CEMETERY, r->cemetery_id, &c)))
		return err_fail(e, rc, NULL, "cemetery_id: no such cemetery");
	rc = store_grave_insert(st, r);
	if (rc == ERR_CONFLICT)
		err_fail(e, rc, NULL, "a request for this memorial is waiting");
	else if (rc) {
		log_error("grave",
		          "storing a request of memorial %lld for cemetery "
		          "%lld: %s",
		          (long long)r->memorial_id, (long long)r->cemetery_id,
		          err_name(rc));
		err_fail(e, rc, NULL, "cannot store the request");
	}
	return rc;
}

/* The memorial now tells of the cemetery's record: it must be held by the
 * request's cemetery, lie in a plot, and have no memorial of its own. */
static int by_record(struct store *st, const struct grave_request *r,
                     int64_t record_id, int64_t *plot_id, struct err_detail *e)
{
	struct deceased d;
	int64_t other = 0;
	int rc = askable(st, r->memorial_id, &d, e);

	if (rc)
		return rc;
	rc = store_deceased_get(st, record_id, &d);
	if (rc || d.cemetery_id != r->cemetery_id)
		return err_fail(
		    e, rc && rc != ERR_NOT_FOUND ? rc : ERR_NOT_FOUND, NULL,
		    "record_id: no such record at this "
		    "cemetery");
	if (!d.plot_id)
		return err_fail(e, ERR_CONFLICT, NULL,
		                "record_id: the record lies in no plot "
		                "yet; link it first");
	if ((rc = store_deceased_memorial(st, record_id, &other)))
		return rc;
	if (other)
		return err_fail(e, ERR_CONFLICT, NULL,
		                "record_id: the record has a memorial "
		                "of its own");
	*plot_id = d.plot_id;
	return store_grave_set_record(st, r->memorial_id, record_id);
}

/* The memorial's own record is linked to a plot of the cemetery. */
static int by_plot(struct store *st, const struct grave_request *r,
                   int64_t plot_id, struct err_detail *e)
{
	struct err_detail why = {0};
	struct deceased d;
	struct plot p;
	int rc;

	if (!plot_id)
		return err_fail(e, ERR_INVALID, NULL,
		                "give record_id or plot_id");
	if ((rc = store_plot_get(st, plot_id, &p)) ||
	    p.cemetery_id != r->cemetery_id)
		return err_fail(e,
		                rc && rc != ERR_NOT_FOUND ? rc : ERR_NOT_FOUND,
		                NULL, "plot_id: no such plot at this cemetery");
	if ((rc = askable(st, r->memorial_id, &d, e)))
		return rc;
	if ((rc = plot_assign(st, d.id, plot_id, &why)))
		err_fail(e, rc, NULL, "%s", why.msg);
	return rc;
}

int grave_confirm(struct store *st, int64_t id, int64_t record_id,
                  int64_t plot_id, int64_t actor, struct grave_request *out,
                  struct err_detail *e)
{
	int rc;

	if ((rc = store_begin(st))) {
		log_error("grave", "confirming request %lld: %s", (long long)id,
		          err_name(rc));
		return err_fail(e, rc, NULL, "store busy");
	}
	if ((rc = store_grave_get(st, id, out)) ||
	    (out->state != GRAVE_PENDING && (rc = ERR_CONFLICT))) {
		err_fail(e, rc, NULL,
		         rc == ERR_CONFLICT ? "the request was decided already"
		         : rc == ERR_NOT_FOUND ? "no such request"
		                               : "cannot read the request");
		goto out_rollback;
	}
	rc = record_id ? by_record(st, out, record_id, &plot_id, e)
	               : by_plot(st, out, plot_id, e);
	if (rc)
		goto out_rollback;
	if ((rc = store_grave_decide(st, id, GRAVE_CONFIRMED, plot_id, "",
	                             actor)) ||
	    (rc = store_grave_get(st, id, out)) || (rc = store_commit(st))) {
		err_fail(e, rc, NULL, "cannot confirm the request");
		goto out_rollback;
	}
	return 0;
out_rollback:
	/* a store failure, not a refusal (decided already, no such plot) */
	if (err_http_status(rc) >= 500)
		log_error("grave", "confirming request %lld: %s", (long long)id,
		          err_name(rc));
	store_rollback(st);
	return rc;
}

int grave_refuse(struct store *st, int64_t id, const char *reason,
                 int64_t actor, struct grave_request *out, struct err_detail *e)
{
	int rc = store_grave_decide(st, id, GRAVE_REFUSED, 0, reason, actor);

	if (rc == ERR_CONFLICT)
		err_fail(e, rc, NULL, "the request was decided already");
	else if (rc)
		err_fail(e, rc, NULL, "cannot refuse the request");
	return rc ? rc : store_grave_get(st, id, out);
}
