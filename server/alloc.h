/* alloc.h — ranking a cemetery's free plots for a burial hand-over.
 *
 * Pure scoring: given the cemetery's rule weights, what the hand-over asks
 * for (a plot kind, relatives already buried there), the candidate plots
 * and how full each section is, alloc_rank() orders the plots and says why
 * each one scored (reason codes with parameters, rendered by the page).
 * It allocates nothing: staff confirm a proposal through transfer_accept().
 * It never touches the store; api_transfer.c feeds it from store_alloc.c.
 *
 * Rules (each a weight, 0 switches it off):
 *   family  a relative's shared family plot with room (full weight), a plot
 *           next to theirs in the same row (9/10), the same row (1/3);
 *   kind    the kind the family asked for;
 *   eco     a kind the cemetery subsidises (tree, sea burial...);
 *   fill    the fuller the plot's section, the more (sections completed
 *           one at a time);
 *   access  a plot marked accessible, or one near the gate (full weight at
 *           the gate, none from ALLOC_NEAR_M metres).
 */
#ifndef SINIAN_ALLOC_H
#define SINIAN_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deceased.h"
#include "plot.h"

enum alloc_rule {
	ALLOC_FAMILY = 0,
	ALLOC_KIND,
	ALLOC_ECO,
	ALLOC_FILL,
	ALLOC_ACCESS,
	ALLOC_RULE_COUNT
};

#define ALLOC_WEIGHT_MAX    1000
#define ALLOC_NEAR_M        500.0 /* beyond this from the gate: no access points */
#define ALLOC_RELATIVES_MAX 8
#define ALLOC_PROPOSALS_MAX 20

struct alloc_config {
	int weight[ALLOC_RULE_COUNT];
	unsigned subsidised; /* bit (1u << kind) per subsidised plot kind */
	bool has_gate;
	double gate_lat, gate_lng;
};

enum alloc_relation {
	REL_NONE = 0,
	REL_SPOUSE,
	REL_PARENT,
	REL_CHILD,
	REL_SIBLING,
	REL_RELATIVE,
	REL_COUNT
};

/* A relative of the deceased buried in this cemetery, and their plot. */
struct alloc_relative {
	char name[TEXT_BUF(DECEASED_NAME_MAX)];
	enum alloc_relation relation;
	struct plot plot;
};

/* How full a section is: all its plots' capacity and occupants. */
struct alloc_section {
	char section[TEXT_BUF(PLOT_LABEL_MAX)];
	int capacity;
	int occupied;
};

struct alloc_request {
	int kind; /* enum plot_kind the family asked for; -1: any */
	const struct alloc_relative *relatives;
	size_t n_relatives;
};

enum alloc_reason_code {
	AR_SHARED = 0, /* the relative's family plot: relative */
	AR_ADJACENT,   /* next to the relative's plot: relative */
	AR_SAME_ROW,   /* in the relative's row: relative */
	AR_KIND,       /* the kind asked for: kind */
	AR_SUBSIDISED, /* a subsidised kind: kind */
	AR_FILL,       /* fills its section first: value = percent full */
	AR_ACCESSIBLE, /* marked accessible */
	AR_NEAR_GATE,  /* value = metres from the gate */
	AR_COUNT
};

struct alloc_reason {
	enum alloc_reason_code code;
	int points;
	int relative; /* index into the request's relatives, or -1 */
	int value;
};

struct alloc_proposal {
	struct plot plot;
	int score;
	int n_reasons;
	struct alloc_reason reasons[ALLOC_RULE_COUNT];
};

/* Default weights: family 100, kind 40, eco 20, fill 15, access 10; no
 * kind subsidised, no gate. */
void alloc_defaults(struct alloc_config *c);

/* "family"...; parse returns -1 when unknown. */
const char *alloc_rule_name(enum alloc_rule r);
int alloc_rule_parse(const char *name);
/* "spouse", "parent", "child", "sibling", "relative" ("" for none). */
const char *alloc_relation_name(enum alloc_relation r);
int alloc_relation_parse(const char *name);
const char *alloc_reason_name(enum alloc_reason_code c);

/* May a plot take one more burial: free, or a family plot with room (a
 * reserved plot never). */
bool alloc_plot_open(const struct plot *p);

/* Score one plot; fills out (plot, score, reasons in rule order). */
void alloc_score(const struct alloc_config *c, const struct alloc_request *r,
                 const struct plot *p, const struct alloc_section *secs,
                 size_t n_secs, struct alloc_proposal *out);

/* Rank the open plots among cands (best first: score, then plot id) into
 * out (at most max); returns how many. */
size_t alloc_rank(const struct alloc_config *c, const struct alloc_request *r,
                  const struct plot *cands, size_t n,
                  const struct alloc_section *secs, size_t n_secs,
                  struct alloc_proposal *out, size_t max);

#endif
