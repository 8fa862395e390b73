/* alloc.c — ranking free plots for a burial hand-over (see alloc.h).
 *
 * Owns the allocation rules and their defaults. Pure: no store, no HTTP,
 * no clock. Called by api_transfer.c (proposals) and api_plot.c (weights).
 */
#include "alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const rule_names[ALLOC_RULE_COUNT] = {
    "family", "kind", "eco", "fill", "access"};
static const int rule_defaults[ALLOC_RULE_COUNT] = {100, 40, 20, 15, 10};
static const char *const relation_names[REL_COUNT] = {
    "", "spouse", "parent", "child", "sibling", "relative"};
static const char *const reason_names[AR_COUNT] = {
    "shared_plot", "adjacent", "same_row",   "kind",
    "subsidised",  "fill",     "accessible", "near_gate"};

void alloc_defaults(struct alloc_config *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->weight, rule_defaults, sizeof(c->weight));
}

const char *alloc_rule_name(enum alloc_rule r)
{
	return r < ALLOC_RULE_COUNT ? rule_names[r] : "?";
}

int alloc_rule_parse(const char *name)
{
	for (int i = 0; name && i < ALLOC_RULE_COUNT; i++)
		if (strcmp(rule_names[i], name) == 0)
			return i;
	return -1;
}

const char *alloc_relation_name(enum alloc_relation r)
{
	return r < REL_COUNT ? relation_names[r] : "";
}

int alloc_relation_parse(const char *name)
{
	for (int i = 1; name && i < REL_COUNT; i++)
		if (strcmp(relation_names[i], name) == 0)
			return i;
	return -1;
}

const char *alloc_reason_name(enum alloc_reason_code c)
{
	return c < AR_COUNT ? reason_names[c] : "?";
}

bool alloc_plot_open(const struct plot *p)
{
	if (p->status == PLOT_RESERVED)
		return false;
	return p->occupied < p->capacity;
}

/* The leading number of a plot label ("12", "12号"), or -1. */
static long label_number(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	return end == s ? -1 : v;
}

static void add(struct alloc_proposal *o, enum alloc_reason_code code,
                int points, int relative, int value)
{
	struct alloc_reason *r;

	if (points <= 0 || o->n_reasons >= ALLOC_RULE_COUNT)
		return;
	r = &o->reasons[o->n_reasons++];
	r->code = code;
	r->points = points;
	r->relative = relative;
	r->value = value;
	o->score += points;
}

/* The best of the relatives: shared plot, then adjacent, then same row. */
static void rule_family(int w, const struct alloc_request *r,
                        const struct plot *p, struct alloc_proposal *o)
{
	int best = 0, who = -1;
	enum alloc_reason_code code = AR_SAME_ROW;

	for (size_t i = 0; i < r->n_relatives; i++) {
		const struct plot *rp = &r->relatives[i].plot;
		long a = label_number(p->number), b = label_number(rp->number);
		int pts = 0;
		enum alloc_reason_code c = AR_SAME_ROW;

		if (rp->id == p->id) {
			pts = w;
			c = AR_SHARED;
		} else if (strcmp(rp->section, p->section) == 0 &&
		           strcmp(rp->row, p->row) == 0) {
			bool next = a >= 0 && b >= 0 && labs(a - b) == 1;

			pts = next ? w * 9 / 10 : w / 3;
			c = next ? AR_ADJACENT : AR_SAME_ROW;
		}
		if (pts > best) {
			best = pts;
			who = (int)i;
			code = c;
		}
	}
	add(o, code, best, who, 0);
}

static int section_percent(const char *section,
                           const struct alloc_section *secs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(secs[i].section, section) == 0)
			return secs[i].capacity > 0
			           ? secs[i].occupied * 100 / secs[i].capacity
			           : 0;
	return 0;
}

/* Metres between two points (equirectangular: plots are close). */
static double metres(double lat1, double lng1, double lat2, double lng2)
{
	const double r = 6371000.0, rad = 3.14159265358979323846 / 180.0;
	double x = (lng2 - lng1) * rad * cos((lat1 + lat2) / 2 * rad);
	double y = (lat2 - lat1) * rad;

	return r * sqrt(x * x + y * y);
}

static void rule_access(const struct alloc_config *c, const struct plot *p,
                        struct alloc_proposal *o)
{
	int w = c->weight[ALLOC_ACCESS];
	double d;

	if (p->accessible) {
		add(o, AR_ACCESSIBLE, w, -1, 0);
		return;
	}
	if (!c->has_gate || !p->has_geo)
		return;
	d = metres(c->gate_lat, c->gate_lng, p->lat, p->lng);
	if (d < ALLOC_NEAR_M)
		add(o, AR_NEAR_GATE, (int)lround(w * (1.0 - d / ALLOC_NEAR_M)),
		    -1, (int)lround(d));
}

void alloc_score(const struct alloc_config *c, const struct alloc_request *r,
                 const struct plot *p, const struct alloc_section *secs,
                 size_t n_secs, struct alloc_proposal *out)
{
	int pct = section_percent(p->section, secs, n_secs);

	memset(out, 0, sizeof(*out));
	out->plot = *p;
	rule_family(c->weight[ALLOC_FAMILY], r, p, out);
	if (r->kind >= 0 && (int)p->kind == r->kind)
		add(out, AR_KIND, c->weight[ALLOC_KIND], -1, r->kind);
	if (c->subsidised & (1u << p->kind))
		add(out, AR_SUBSIDISED, c->weight[ALLOC_ECO], -1, (int)p->kind);
	add(out, AR_FILL, c->weight[ALLOC_FILL] * pct / 100, -1, pct);
	rule_access(c, p, out);
}

static bool better(const struct alloc_proposal *a,
                   const struct alloc_proposal *b)
{
	return a->score != b->score ? a->score > b->score
	                            : a->plot.id < b->plot.id;
}

size_t alloc_rank(const struct alloc_config *c, const struct alloc_request *r,
                  const struct plot *cands, size_t n,
                  const struct alloc_section *secs, size_t n_secs,
                  struct alloc_proposal *out, size_t max)
{
	struct alloc_proposal cur;
	size_t have = 0, at;

	for (size_t i = 0; max && i < n; i++) {
		if (!alloc_plot_open(&cands[i]))
			continue;
		alloc_score(c, r, &cands[i], secs, n_secs, &cur);
		if (have == max && !better(&cur, &out[max - 1]))
			continue;
		at = have < max ? have++ : max - 1;
		while (at > 0 && better(&cur, &out[at - 1])) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = cur;
	}
	return have;
}
