/* transfer.c — hand-overs of a deceased record to a cemetery.
 *
 * Owns the states of a burial transfer and the one transaction that
 * accepts it: the plot is linked (plot.c), the cemetery becomes the
 * record's holder and the transfer is closed together, or not at all.
 * Rights (who may start, decide or cancel) are checked by the caller
 * through access.c; this file only keeps the rules of the hand-over.
 * Knows no HTTP; SQL is in store_transfer.c. Called by api_transfer.c.
 */
#include "transfer.h"
#include "err.h"
#include "jsonx.h"
#include "plot.h"
#include "store.h"
#include "store_deceased.h"
#include "store_plot.h"
#include "store_alloc.h"
#include "store_org.h"
#include "store_transfer.h"

#include <stdio.h>
#include <string.h>

static const char *const state_names[TRANSFER_STATE_COUNT] = {
    "pending", "accepted", "declined", "cancelled"};

const char *transfer_state_name(enum transfer_state s)
{
	return s < TRANSFER_STATE_COUNT ? state_names[s] : "?";
}

int transfer_state_parse(const char *s)
{
	for (int i = 0; s && i < TRANSFER_STATE_COUNT; i++)
		if (strcmp(state_names[i], s) == 0)
			return i;
	return -1;
}

const char *transfer_from_name(enum transfer_from f)
{
	return f == TRANSFER_FROM_CEMETERY ? "cemetery" : "agency";
}

/* plot_id must be a plot of cemetery_id. */
static int plot_of(struct store *st, int64_t plot_id, int64_t cemetery_id,
                   struct err_detail *e)
{
	struct plot p;
	int rc = store_plot_get(st, plot_id, &p);

	if (rc == ERR_NOT_FOUND)
		return err_fail(e, rc, NULL, "plot_id: no such plot");
	if (rc == 0 && p.cemetery_id != cemetery_id)
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "plot_id: not a plot of the receiving cemetery");
	return rc;
}

/* The relative the proposals look for: a name within limits, a relation
 * only with a name (a name alone: a relative). */
static int relative_ok(struct burial_transfer *t, struct err_detail *e)
{
	size_t n = jsonx_utf8_len(t->relative_name);

	if (n > DECEASED_NAME_MAX)
		return err_fail(e, ERR_INVALID, NULL,
		                "relative_name: at most %d characters",
		                DECEASED_NAME_MAX);
	if (n == 0 && t->relation != REL_NONE)
		return err_fail(e, ERR_INVALID, NULL,
		                "relation: name the relative too");
	if (n > 0 && t->relation == REL_NONE)
		t->relation = REL_RELATIVE;
	return 0;
}

int transfer_start(struct store *st, struct burial_transfer *t, int64_t actor,
                   struct err_detail *e)
{
	struct deceased d;
	struct org c;
	int rc;

	if (jsonx_utf8_len(t->note) > TRANSFER_NOTE_MAX)
		return err_fail(e, ERR_INVALID, NULL,
		                "note: at most %d characters",
		                TRANSFER_NOTE_MAX);
	if ((rc = relative_ok(t, e)))
		return rc;
	if ((rc = store_deceased_get(st, t->deceased_id, &d)))
		return err_fail(e, rc, NULL, "no such deceased record");
	if ((rc = store_org_get(st, ORG_CEMETERY, t->to_cemetery_id, &c)))
		return err_fail(e, rc, NULL, "cemetery_id: no such cemetery");
	if (d.cemetery_id == t->to_cemetery_id)
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "cemetery_id: this cemetery holds the record already");
	if (t->plot_id && (rc = plot_of(st, t->plot_id, t->to_cemetery_id, e)))
		return rc;
	t->from_id = t->from_kind == TRANSFER_FROM_CEMETERY ? d.cemetery_id
	                                                    : d.agency_id;
	if (!t->from_id)
		return err_fail(e, ERR_INVALID, NULL,
		                "the record has no %s to hand it over",
		                transfer_from_name(t->from_kind));
	t->created_by = actor;
	t->state = TRANSFER_PENDING;
	rc = store_transfer_insert(st, t);
	if (rc == ERR_CONFLICT)
		err_fail(e, rc, NULL,
		         "a hand-over of this record is pending; cancel it "
		         "first");
	else if (rc)
		err_fail(e, rc, NULL, "cannot store the hand-over");
	return rc;
}

/* Load a transfer that must still be pending. */
static int load_pending(struct store *st, int64_t id, struct burial_transfer *t,
                        struct err_detail *e)
{
	int rc = store_transfer_get(st, id, t);

	if (rc == ERR_NOT_FOUND)
		err_fail(e, rc, NULL, "no such hand-over");
	else if (rc == 0 && t->state != TRANSFER_PENDING) {
		rc = err_fail(e, ERR_CONFLICT, NULL,
		              "the hand-over is %s already",
		              transfer_state_name(t->state));
	}
	return rc;
}

int transfer_accept(struct store *st, int64_t id, int64_t plot_id,
                    int64_t actor, struct burial_transfer *out,
                    struct err_detail *e)
{
	struct err_detail why = {0};
	int rc;

	if ((rc = store_begin(st)))
		return err_fail(e, rc, NULL, "store busy");
	if ((rc = load_pending(st, id, out, e)) ||
	    (rc = plot_of(st, plot_id, out->to_cemetery_id, e)) ||
	    (rc = plot_assign(st, out->deceased_id, plot_id, &why))) {
		if (why.msg[0])
			err_fail(e, rc, NULL, "%s", why.msg);
		goto out_rollback;
	}
	if ((rc = store_transfer_decide(st, id, TRANSFER_ACCEPTED, plot_id, "",
	                                actor)) ||
	    (rc = store_transfer_get(st, id, out)) || (rc = store_commit(st))) {
		err_fail(e, rc, NULL, "cannot accept the hand-over");
		goto out_rollback;
	}
	return 0;
out_rollback:
	store_rollback(st);
	return rc;
}

int transfer_close(struct store *st, int64_t id, enum transfer_state to,
                   const char *reason, int64_t actor,
                   struct burial_transfer *out, struct err_detail *e)
{
	int rc;

	if (to != TRANSFER_DECLINED && to != TRANSFER_CANCELLED)
		return ERR_INVALID;
	if (reason && jsonx_utf8_len(reason) > TRANSFER_NOTE_MAX)
		return err_fail(e, ERR_INVALID, NULL,
		                "reason: at most %d characters",
		                TRANSFER_NOTE_MAX);
	if ((rc = load_pending(st, id, out, e)))
		return rc;
	rc = store_transfer_decide(st, id, to, 0, reason, actor);
	if (rc == ERR_CONFLICT)
		err_fail(e, rc, NULL, "the hand-over was decided meanwhile");
	if (rc == 0)
		rc = store_transfer_get(st, id, out);
	return rc;
}

#define PROPOSE_PLOTS_MAX    5000 /* open plots read per proposal */
#define PROPOSE_SECTIONS_MAX 1000

/* The records of t's relative this cemetery has buried, with their plots. */
static int find_relatives(struct store *st, const struct burial_transfer *t,
                          struct alloc_relative *rel, size_t *n_rel)
{
	GArray *ps = g_array_new(FALSE, FALSE, sizeof(struct plot));
	int rc = 0;

	*n_rel = 0;
	if (t->relative_name[0])
		rc =
		    store_plot_of_name(st, t->to_cemetery_id, t->relative_name,
		                       t->deceased_id, ALLOC_RELATIVES_MAX, ps);
	for (guint i = 0; rc == 0 && i < ps->len; i++) {
		struct alloc_relative *r = &rel[(*n_rel)++];

		snprintf(r->name, sizeof(r->name), "%s", t->relative_name);
		r->relation = t->relation;
		r->plot = g_array_index(ps, struct plot, i);
	}
	g_array_free(ps, TRUE);
	return rc;
}

int transfer_propose(struct store *st, const struct burial_transfer *t,
                     struct alloc_proposal *out, size_t max, size_t *n,
                     struct alloc_relative *rel, size_t *n_rel)
{
	GArray *plots = g_array_new(FALSE, FALSE, sizeof(struct plot));
	GArray *secs = g_array_new(FALSE, FALSE, sizeof(struct alloc_section));
	struct alloc_request req = {.kind =
	                                t->has_kind ? (int)t->want_kind : -1};
	struct alloc_config c;
	int rc;

	*n = 0;
	if ((rc = store_alloc_get(st, t->to_cemetery_id, &c)) ||
	    (rc = find_relatives(st, t, rel, n_rel)) ||
	    (rc = store_plot_list_open(st, t->to_cemetery_id, PROPOSE_PLOTS_MAX,
	                               plots)) ||
	    (rc = store_plot_sections(st, t->to_cemetery_id,
	                              PROPOSE_SECTIONS_MAX, secs)))
		goto out;
	req.relatives = rel;
	req.n_relatives = *n_rel;
	*n = alloc_rank(&c, &req, (const struct plot *)(void *)plots->data,
	                plots->len,
	                (const struct alloc_section *)(void *)secs->data,
	                secs->len, out, max);
out:
	g_array_free(plots, TRUE);
	g_array_free(secs, TRUE);
	return rc;
}
