/* transfer.h — handing a deceased record over to a cemetery.
 *
 * A record is held by its funeral agency until a cemetery accepts it. The
 * agency (or the cemetery that holds the record now, when it moves on)
 * starts a hand-over to a cemetery, optionally naming a plot there; the
 * receiving cemetery accepts it, choosing the plot, or declines it; the
 * side that started it may cancel it while it is pending. Accepting links
 * the record to the plot and makes that cemetery its holder, in one
 * transaction. One hand-over of a record is pending at a time.
 *
 * States: pending → accepted | declined | cancelled (all three final).
 */
#ifndef SINIAN_TRANSFER_H
#define SINIAN_TRANSFER_H

#include "err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "textlimit.h"

struct store;

enum transfer_state {
	TRANSFER_PENDING = 0,
	TRANSFER_ACCEPTED,
	TRANSFER_DECLINED,
	TRANSFER_CANCELLED,
	TRANSFER_STATE_COUNT
};

/* Who started a hand-over: the record's agency or the cemetery holding
 * it. */
enum transfer_from { TRANSFER_FROM_AGENCY = 0, TRANSFER_FROM_CEMETERY };

struct burial_transfer {
	int64_t id;
	int64_t deceased_id;
	enum transfer_from from_kind;
	int64_t from_id;
	int64_t to_cemetery_id;
	int64_t plot_id; /* proposed while pending, chosen once accepted */
	enum transfer_state state;
	char note[TEXT_BUF(TRANSFER_NOTE_MAX)];
	char reason[TEXT_BUF(TRANSFER_NOTE_MAX)];
	int64_t created_by;
	char created_at[24];
	int64_t decided_by; /* who accepted, declined or cancelled; 0 */
	char decided_at[24];
	/* What the allocation proposals look for (alloc.h): the plot kind
	 * the family asked for (-1: any) and a relative already buried in
	 * the receiving cemetery, by name ("": none), and how related. */
	bool has_kind; /* false: any kind */
	enum plot_kind want_kind;
	char relative_name[TEXT_BUF(DECEASED_NAME_MAX)];
	enum alloc_relation relation;
};

/* "pending", ...; parse returns -1 when unknown. */
const char *transfer_state_name(enum transfer_state s);
int transfer_state_parse(const char *s);
/* "agency" or "cemetery". */
const char *transfer_from_name(enum transfer_from f);

/* Start a hand-over of t->deceased_id to t->to_cemetery_id (t->plot_id, if
 * not 0, must be a plot of that cemetery) from the side named by
 * t->from_kind: the record's agency or the cemetery holding it (from_id is
 * filled here). Sets t->id, state and created_at. 0; ERR_NOT_FOUND (record,
 * cemetery, plot; e says which); ERR_INVALID (a plot of another cemetery,
 * a note too long, the cemetery already holding it); ERR_CONFLICT (a
 * hand-over is pending). A relative named without a relation is a
 * REL_RELATIVE; a relation without a name is refused (ERR_INVALID). */
int transfer_start(struct store *st, struct burial_transfer *t, int64_t actor,
                   struct err_detail *e);

/* Accept a pending hand-over into plot_id (a plot of the receiving
 * cemetery): links the record (the old plot, if any, freed) and makes the
 * cemetery its holder. Fills out. 0; ERR_NOT_FOUND; ERR_CONFLICT (not
 * pending); ERR_INVALID (a plot of another cemetery); ERR_FULL (the plot is
 * full). e says why. */
int transfer_accept(struct store *st, int64_t id, int64_t plot_id,
                    int64_t actor, struct burial_transfer *out,
                    struct err_detail *e);

/* Decline (with an optional reason) or cancel a pending hand-over. 0;
 * ERR_NOT_FOUND; ERR_CONFLICT (not pending); ERR_INVALID (reason too
 * long). */
int transfer_close(struct store *st, int64_t id, enum transfer_state to,
                   const char *reason, int64_t actor,
                   struct burial_transfer *out, struct err_detail *e);

/* The proposals for a hand-over (pending or not): the receiving
 * cemetery's open plots ranked by its allocation rules (alloc.h), at most
 * max into out, *n of them; the relatives found (records of
 * t->relative_name the cemetery has buried) into rel (ALLOC_RELATIVES_MAX),
 * *n_rel of them, which the reasons index. Allocates nothing. 0 or
 * ERR_DB. */
int transfer_propose(struct store *st, const struct burial_transfer *t,
                     struct alloc_proposal *out, size_t max, size_t *n,
                     struct alloc_relative *rel, size_t *n_rel);

#endif
