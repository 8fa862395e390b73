/* test_alloc.c — plot proposals for a burial hand-over on a real SQLite
 * store: one test per rule (a relative's shared or adjacent plot, the kind
 * asked for, subsidised eco kinds, section fill order, access by flag and
 * by distance from the gate), weights that switch a rule off, reserved
 * and full plots never proposed, and all rules together. */
#include "alloc.h"
#include "deceased.h"
#include "mem_fixture.h"
#include "plot.h"
#include "store_alloc.h"
#include "store_deceased.h"
#include "transfer.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static int64_t cemetery, agency;
static struct alloc_proposal props[ALLOC_PROPOSALS_MAX];
static struct alloc_relative rel[ALLOC_RELATIVES_MAX];
static size_t n_props, n_rel;

static void setup(void)
{
	mem_setup();
	cemetery = mem_org(ORG_CEMETERY, "福寿园");
	agency = mem_org(ORG_AGENCY, "殡仪馆");
}

/* A plot "section-row-number" of kind k (family plots hold 2). */
static int64_t plot(const char *label, enum plot_kind k, bool accessible)
{
	struct plot p = {.cemetery_id = cemetery, .kind = k, .capacity = 1};
	struct err_detail err = {0};

	ck_assert_int_eq(
	    sscanf(label, "%7[^-]-%7[^-]-%7s", p.section, p.row, p.number), 3);
	p.capacity = k == PLOT_FAMILY ? 2 : 1;
	p.accessible = accessible;
	ck_assert_msg(plot_create(fx.st, &p, &err) == 0, "%s", err.msg);
	return p.id;
}

static int64_t plot_at(const char *label, double lat, double lng)
{
	struct plot p = {.cemetery_id = cemetery,
	                 .kind = PLOT_GRAVE,
	                 .capacity = 1,
	                 .has_geo = true,
	                 .lat = lat,
	                 .lng = lng};
	struct err_detail err = {0};

	ck_assert_int_eq(
	    sscanf(label, "%7[^-]-%7[^-]-%7s", p.section, p.row, p.number), 3);
	ck_assert_msg(plot_create(fx.st, &p, &err) == 0, "%s", err.msg);
	return p.id;
}

/* A record of the agency; buried in plot_id when not 0. */
static int64_t record(const char *name, int64_t plot_id)
{
	struct deceased d = {.agency_id = agency};
	struct err_detail err = {0};

	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.death_date, sizeof(d.death_date), "2024-03-01");
	ck_assert_int_eq(deceased_create(fx.st, fx.c, &d, NULL, &err), 0);
	if (plot_id)
		ck_assert_int_eq(plot_assign(fx.st, d.id, plot_id, &err), 0);
	return d.id;
}

/* A pending hand-over of a new record to the cemetery. */
static struct burial_transfer handover(const char *relative,
                                       enum alloc_relation r, int kind)
{
	struct burial_transfer t = {.to_cemetery_id = cemetery};
	struct err_detail err = {0};

	t.deceased_id = record("李秀英", 0);
	snprintf(t.relative_name, sizeof(t.relative_name), "%s",
	         relative ? relative : "");
	t.relation = r;
	t.has_kind = kind >= 0;
	t.want_kind = kind >= 0 ? (enum plot_kind)kind : PLOT_GRAVE;
	ck_assert_msg(transfer_start(fx.st, &t, 0, &err) == 0, "%s", err.msg);
	return t;
}

static void propose(const struct burial_transfer *t)
{
	ck_assert_int_eq(transfer_propose(fx.st, t, props, ALLOC_PROPOSALS_MAX,
	                                  &n_props, rel, &n_rel),
	                 0);
}

/* Only rule r counts (the others weigh 0). */
static void only(enum alloc_rule r, unsigned subsidised)
{
	struct alloc_config c;

	ck_assert_int_eq(store_alloc_get(fx.st, cemetery, &c), 0);
	for (int i = 0; i < ALLOC_RULE_COUNT; i++)
		c.weight[i] = i == (int)r ? 100 : 0;
	c.subsidised = subsidised;
	ck_assert_int_eq(store_alloc_put(fx.st, cemetery, &c), 0);
}

static const struct alloc_reason *reason(size_t i, enum alloc_reason_code c)
{
	for (int k = 0; k < props[i].n_reasons; k++)
		if (props[i].reasons[k].code == c)
			return &props[i].reasons[k];
	return NULL;
}

START_TEST(defaults_and_store)
{
	struct alloc_config c, back;

	ck_assert_int_eq(store_alloc_get(fx.st, cemetery, &c), 0);
	ck_assert_int_eq(c.weight[ALLOC_FAMILY], 100);
	ck_assert_int_eq(c.weight[ALLOC_ACCESS], 10);
	ck_assert(!c.has_gate && c.subsidised == 0);
	c.weight[ALLOC_FILL] = 0;
	c.subsidised = 1u << PLOT_TREE;
	c.has_gate = true;
	c.gate_lat = 31.2;
	c.gate_lng = 121.4;
	ck_assert_int_eq(store_alloc_put(fx.st, cemetery, &c), 0);
	ck_assert_int_eq(store_alloc_get(fx.st, cemetery, &back), 0);
	ck_assert_int_eq(back.weight[ALLOC_FILL], 0);
	ck_assert_int_eq(back.weight[ALLOC_KIND], 40);
	ck_assert_uint_eq(back.subsidised, 1u << PLOT_TREE);
	ck_assert(back.has_gate);
	ck_assert_double_eq_tol(back.gate_lng, 121.4, 1e-9);
}
END_TEST

START_TEST(family_adjacent)
{
	int64_t far = plot("A-1-1", PLOT_GRAVE, false);
	int64_t spouse = plot("B-3-12", PLOT_GRAVE, false);
	int64_t next = plot("B-3-13", PLOT_GRAVE, false);
	int64_t row = plot("B-3-20", PLOT_GRAVE, false);
	struct burial_transfer t;

	record("王建国", spouse);
	only(ALLOC_FAMILY, 0);
	t = handover("王建国", REL_SPOUSE, -1);
	propose(&t);
	ck_assert_uint_eq(n_rel, 1);
	ck_assert_uint_eq(n_props, 3); /* the spouse's grave is full */
	ck_assert_int_eq(props[0].plot.id, next);
	ck_assert_ptr_nonnull(reason(0, AR_ADJACENT));
	ck_assert_str_eq(rel[reason(0, AR_ADJACENT)->relative].plot.number,
	                 "12");
	ck_assert_int_eq(rel[0].relation, REL_SPOUSE);
	ck_assert_int_eq(props[1].plot.id, row);
	ck_assert_ptr_nonnull(reason(1, AR_SAME_ROW));
	ck_assert_int_eq(props[2].plot.id, far);
	ck_assert_int_eq(props[2].n_reasons, 0);
}
END_TEST

START_TEST(family_shared_plot)
{
	int64_t fam = plot("C-1-1", PLOT_FAMILY, false);
	struct burial_transfer t;

	plot("C-1-2", PLOT_GRAVE, false);
	record("张桂兰", fam);
	only(ALLOC_FAMILY, 0);
	t = handover("张桂兰", REL_PARENT, -1);
	propose(&t);
	ck_assert_int_eq(props[0].plot.id, fam); /* 1 of 2: room left */
	ck_assert_ptr_nonnull(reason(0, AR_SHARED));
	ck_assert_int_eq(props[0].score, 100);
	ck_assert_int_eq(props[1].score, 90); /* next to it */
	/* a name the cemetery has not buried counts nothing */
	t = handover("无此人", REL_SPOUSE, -1);
	propose(&t);
	ck_assert_uint_eq(n_rel, 0);
	ck_assert_int_eq(props[0].score, 0);
}
END_TEST

START_TEST(kind_asked)
{
	int64_t tree;
	struct burial_transfer t;

	plot("A-1-1", PLOT_GRAVE, false);
	tree = plot("A-1-2", PLOT_TREE, false);
	only(ALLOC_KIND, 0);
	t = handover(NULL, REL_NONE, PLOT_TREE);
	propose(&t);
	ck_assert_int_eq(props[0].plot.id, tree);
	ck_assert_int_eq(reason(0, AR_KIND)->value, PLOT_TREE);
	ck_assert_ptr_null(reason(1, AR_KIND));
}
END_TEST

START_TEST(eco_subsidised)
{
	int64_t grave = plot("A-1-1", PLOT_GRAVE, false);
	int64_t sea = plot("A-1-2", PLOT_SEA, false);
	struct burial_transfer t;

	only(ALLOC_ECO, 0); /* nothing subsidised: plot order */
	t = handover(NULL, REL_NONE, -1);
	propose(&t);
	ck_assert_int_eq(props[0].plot.id, grave);
	only(ALLOC_ECO, 1u << PLOT_SEA);
	propose(&t);
	ck_assert_int_eq(props[0].plot.id, sea);
	ck_assert_int_eq(reason(0, AR_SUBSIDISED)->value, PLOT_SEA);
}
END_TEST

START_TEST(section_fill)
{
	int64_t d1 = plot("D-1-1", PLOT_GRAVE, false);
	int64_t c3;
	struct burial_transfer t;

	record("甲", plot("C-1-1", PLOT_GRAVE, false));
	record("乙", plot("C-1-2", PLOT_GRAVE, false));
	c3 = plot("C-1-3", PLOT_GRAVE, false);
	plot("D-1-2", PLOT_GRAVE, false);
	only(ALLOC_FILL, 0);
	t = handover(NULL, REL_NONE, -1);
	propose(&t);
	ck_assert_int_eq(props[0].plot.id, c3); /* C is 2 of 3 full */
	ck_assert_int_eq(reason(0, AR_FILL)->value, 66);
	ck_assert_int_eq(props[1].plot.id, d1);
	ck_assert_ptr_null(reason(1, AR_FILL));
}
END_TEST

START_TEST(access_flag_and_gate)
{
	struct alloc_config c;
	int64_t far, near, acc;
	struct burial_transfer t;

	far = plot_at("E-1-1", 31.2100, 121.4000);  /* ~1.1 km */
	near = plot_at("E-1-2", 31.2002, 121.4000); /* ~22 m */
	acc = plot("E-1-3", PLOT_GRAVE, true);
	only(ALLOC_ACCESS, 0);
	t = handover(NULL, REL_NONE, -1);
	propose(&t);
	ck_assert_int_eq(props[0].plot.id, acc); /* no gate known yet */
	ck_assert_ptr_nonnull(reason(0, AR_ACCESSIBLE));
	ck_assert_int_eq(props[1].plot.id, far);
	ck_assert_int_eq(store_alloc_get(fx.st, cemetery, &c), 0);
	c.has_gate = true;
	c.gate_lat = 31.2000;
	c.gate_lng = 121.4000;
	ck_assert_int_eq(store_alloc_put(fx.st, cemetery, &c), 0);
	propose(&t);
	ck_assert_int_eq(props[1].plot.id, near);
	ck_assert_int_lt(abs(reason(1, AR_NEAR_GATE)->value - 22), 3);
	ck_assert_int_eq(props[2].plot.id, far);
	ck_assert_ptr_null(reason(2, AR_NEAR_GATE));
	c.weight[ALLOC_ACCESS] = 0; /* switched off: plot order */
	ck_assert_int_eq(store_alloc_put(fx.st, cemetery, &c), 0);
	propose(&t);
	ck_assert_int_eq(props[0].plot.id, far);
	ck_assert_int_eq(props[0].score, 0);
}
END_TEST

START_TEST(closed_plots_never)
{
	int64_t res = plot("F-1-1", PLOT_GRAVE, true);
	int64_t full = plot("F-1-2", PLOT_GRAVE, true);
	int64_t open = plot("F-1-3", PLOT_GRAVE, false);
	struct burial_transfer t;
	struct err_detail err = {0};

	ck_assert_int_eq(plot_set_status(fx.st, res, PLOT_RESERVED, &err), 0);
	record("丙", full);
	t = handover(NULL, REL_NONE, -1);
	propose(&t);
	ck_assert_uint_eq(n_props, 1);
	ck_assert_int_eq(props[0].plot.id, open);
}
END_TEST

/* Defaults: the spouse's neighbour beats a subsidised tree plot of the
 * kind asked for in a fuller section near the gate. */
START_TEST(all_rules)
{
	struct alloc_config c;
	int64_t spouse, next, tree;
	struct burial_transfer t;

	record("甲", plot("G-1-1", PLOT_TREE, false));
	tree = plot("G-1-2", PLOT_TREE, true);
	spouse = plot("B-3-12", PLOT_GRAVE, false);
	next = plot("B-3-11", PLOT_GRAVE, false);
	plot("B-3-30", PLOT_GRAVE, false);
	plot("B-3-31", PLOT_GRAVE, false);
	record("王建国", spouse);
	ck_assert_int_eq(store_alloc_get(fx.st, cemetery, &c), 0);
	c.subsidised = 1u << PLOT_TREE;
	ck_assert_int_eq(store_alloc_put(fx.st, cemetery, &c), 0);
	t = handover("王建国", REL_SPOUSE, PLOT_TREE);
	propose(&t);
	ck_assert_int_eq(props[0].plot.id, next);
	ck_assert_int_eq(props[0].score, 90 + 15 * 25 / 100);
	ck_assert_int_eq(props[1].plot.id, tree);
	ck_assert_int_eq(props[1].score, 40 + 20 + 15 * 50 / 100 + 10);
	ck_assert_int_eq(props[1].n_reasons, 4);
	/* staff raise the kind above the family: the tree plot first */
	c.weight[ALLOC_KIND] = 200;
	ck_assert_int_eq(store_alloc_put(fx.st, cemetery, &c), 0);
	propose(&t);
	ck_assert_int_eq(props[0].plot.id, tree);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, mem_teardown);
	tcase_add_test(tc, defaults_and_store);
	tcase_add_test(tc, family_adjacent);
	tcase_add_test(tc, family_shared_plot);
	tcase_add_test(tc, kind_asked);
	tcase_add_test(tc, eco_subsidised);
	tcase_add_test(tc, section_fill);
	tcase_add_test(tc, access_flag_and_gate);
	tcase_add_test(tc, closed_plots_never);
	tcase_add_test(tc, all_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
