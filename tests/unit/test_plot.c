/* test_plot.c — burial plots on a real SQLite store: validation, unique
 * labels per cemetery, linking marks occupied, a plot holds one unless it
 * is a family plot with capacity, moving frees the old plot, unlinking,
 * reserved/free status, and nothing half-written on refusal. */
#include "deceased.h"
#include "mem_fixture.h"
#include "plot.h"
#include "store_deceased.h"
#include "store_plot.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static int64_t cemetery;

static void setup(void)
{
	mem_setup();
	cemetery = mem_org(ORG_CEMETERY, "陵园");
}

static struct plot plot_of(const char *number, enum plot_kind k, int cap)
{
	struct plot p;

	memset(&p, 0, sizeof(p));
	p.cemetery_id = cemetery;
	snprintf(p.section, sizeof(p.section), "松园");
	snprintf(p.row, sizeof(p.row), "3排");
	snprintf(p.number, sizeof(p.number), "%s", number);
	p.kind = k;
	p.capacity = cap;
	return p;
}

static int64_t new_plot(const char *number, enum plot_kind k, int cap)
{
	struct plot p = plot_of(number, k, cap);
	struct err_detail err = {0};

	ck_assert_msg(plot_create(fx.st, &p, &err) == 0, "%s", err.msg);
	return p.id;
}

static int64_t new_deceased(const char *name)
{
	struct deceased d;
	struct err_detail err = {0};

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.death_date, sizeof(d.death_date), "2025-01-08");
	ck_assert_int_eq(deceased_create(fx.st, fx.c, &d, NULL, &err), 0);
	return d.id;
}

static struct plot get(int64_t id)
{
	struct plot p;

	ck_assert_int_eq(store_plot_get(fx.st, id, &p), 0);
	return p;
}

static int64_t plot_of_deceased(int64_t id)
{
	struct deceased d;

	ck_assert_int_eq(store_deceased_get(fx.st, id, &d), 0);
	return d.plot_id;
}

START_TEST(validation)
{
	struct plot p = plot_of("1号", PLOT_GRAVE, 1);
	struct err_detail err = {0};

	ck_assert_int_eq(plot_validate(&p, &err), 0);
	p.capacity = 2; /* only family plots hold more than one */
	ck_assert_int_eq(plot_validate(&p, &err), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "capacity"));
	p = plot_of("1号", PLOT_FAMILY, 4);
	ck_assert_int_eq(plot_validate(&p, &err), 0);
	p.capacity = PLOT_FAMILY_MAX + 1;
	ck_assert_int_eq(plot_validate(&p, &err), ERR_INVALID);
	p = plot_of("1号", PLOT_NICHE, 0);
	ck_assert_int_eq(plot_validate(&p, &err), ERR_INVALID);
	p = plot_of("", PLOT_NICHE, 1);
	ck_assert_int_eq(plot_validate(&p, &err), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "number"));
	p = plot_of("1234567890123456789012345", PLOT_NICHE, 1);
	ck_assert_int_eq(plot_validate(&p, &err), ERR_INVALID);
	p = plot_of("1", PLOT_KIND_COUNT, 1);
	ck_assert_int_eq(plot_validate(&p, &err), ERR_INVALID);
	p = plot_of("1", PLOT_TREE, 1);
	p.has_geo = true;
	p.lat = 91;
	ck_assert_int_eq(plot_validate(&p, &err), ERR_INVALID);
	p.lat = 39.9;
	p.lng = 116.2;
	ck_assert_int_eq(plot_validate(&p, &err), 0);
	p.status = PLOT_OCCUPIED; /* occupied only by linking someone */
	ck_assert_int_eq(plot_validate(&p, &err), ERR_INVALID);
	for (int k = 0; k < PLOT_KIND_COUNT; k++)
		ck_assert_int_eq(plot_kind_parse(plot_kind_name(k)), k);
	ck_assert_int_eq(plot_kind_parse("pyramid"), -1);
	ck_assert_int_eq(plot_status_parse("reserved"), PLOT_RESERVED);
}
END_TEST

START_TEST(create_unique_per_cemetery)
{
	struct plot p = plot_of("12号", PLOT_GRAVE, 1);
	int64_t other = mem_org(ORG_CEMETERY, "另一陵园");
	struct err_detail err = {0};

	ck_assert_int_eq(plot_create(fx.st, &p, &err), 0);
	ck_assert_int_eq(plot_create(fx.st, &p, &err), ERR_CONFLICT);
	ck_assert_ptr_nonnull(strstr(err.msg, "already has plot"));
	p.cemetery_id = other; /* the same label elsewhere is another plot */
	ck_assert_int_eq(plot_create(fx.st, &p, &err), 0);
	p.cemetery_id = 999;
	ck_assert_int_eq(plot_create(fx.st, &p, &err), ERR_NOT_FOUND);
	ck_assert_int_eq(mem_int("SELECT count(*) FROM plots"), 2);
}
END_TEST

START_TEST(link_marks_occupied_and_refuses_a_second)
{
	int64_t plot = new_plot("1号", PLOT_GRAVE, 1);
	int64_t a = new_deceased("甲"), b = new_deceased("乙");
	struct err_detail msg = {0};
	struct plot p;

	ck_assert_int_eq(get(plot).status, PLOT_FREE);
	ck_assert_int_eq(plot_assign(fx.st, a, plot, &msg), 0);
	p = get(plot);
	ck_assert_int_eq(p.occupied, 1);
	ck_assert_int_eq(p.status, PLOT_OCCUPIED);
	ck_assert_int_eq(plot_of_deceased(a), plot);
	/* again: no change, no double count */
	ck_assert_int_eq(plot_assign(fx.st, a, plot, &msg), 0);
	ck_assert_int_eq(get(plot).occupied, 1);
	/* a second deceased is refused and nothing changes */
	ck_assert_int_eq(plot_assign(fx.st, b, plot, &msg), ERR_FULL);
	ck_assert_ptr_nonnull(strstr(msg.msg, "already occupied"));
	ck_assert_int_eq(plot_of_deceased(b), 0);
	ck_assert_int_eq(get(plot).occupied, 1);
	ck_assert_int_eq(mem_int("SELECT count(*) FROM deceased WHERE "
	                         "plot_id IS NOT NULL"),
	                 1);
}
END_TEST

START_TEST(family_plot_capacity)
{
	int64_t plot = new_plot("家1", PLOT_FAMILY, 2);
	int64_t a = new_deceased("甲"), b = new_deceased("乙"),
	        c = new_deceased("丙");
	struct err_detail msg = {0};

	ck_assert_int_eq(plot_assign(fx.st, a, plot, &msg), 0);
	ck_assert_int_eq(get(plot).status, PLOT_OCCUPIED);
	ck_assert_int_eq(plot_assign(fx.st, b, plot, &msg), 0);
	ck_assert_int_eq(get(plot).occupied, 2);
	ck_assert_int_eq(plot_assign(fx.st, c, plot, &msg), ERR_FULL);
	ck_assert_ptr_nonnull(strstr(msg.msg, "family plot is full"));
	ck_assert_int_eq(get(plot).occupied, 2);
}
END_TEST

START_TEST(moving_frees_the_old_plot)
{
	int64_t p1 = new_plot("1号", PLOT_GRAVE, 1),
	        p2 = new_plot("2号", PLOT_NICHE, 1);
	int64_t a = new_deceased("甲"), b = new_deceased("乙");
	struct err_detail msg = {0};

	ck_assert_int_eq(plot_assign(fx.st, a, p1, &msg), 0);
	ck_assert_int_eq(plot_assign(fx.st, a, p2, &msg), 0);
	ck_assert_int_eq(get(p1).occupied, 0);
	ck_assert_int_eq(get(p1).status, PLOT_FREE);
	ck_assert_int_eq(get(p2).status, PLOT_OCCUPIED);
	ck_assert_int_eq(plot_of_deceased(a), p2);
	/* the freed plot takes someone else */
	ck_assert_int_eq(plot_assign(fx.st, b, p1, &msg), 0);
	/* moving into a full plot changes nothing at all */
	ck_assert_int_eq(plot_assign(fx.st, a, p1, &msg), ERR_FULL);
	ck_assert_int_eq(plot_of_deceased(a), p2);
	ck_assert_int_eq(get(p2).occupied, 1);
	ck_assert_int_eq(get(p1).occupied, 1);
	/* unlinking frees */
	ck_assert_int_eq(plot_assign(fx.st, a, 0, &msg), 0);
	ck_assert_int_eq(get(p2).status, PLOT_FREE);
	ck_assert_int_eq(plot_of_deceased(a), 0);
}
END_TEST

START_TEST(missing_records)
{
	int64_t p = new_plot("1号", PLOT_GRAVE, 1), a = new_deceased("甲");
	struct err_detail msg = {0};

	ck_assert_int_eq(plot_assign(fx.st, 999, p, &msg), ERR_NOT_FOUND);
	ck_assert_int_eq(plot_assign(fx.st, a, 999, &msg), ERR_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(msg.msg, "no such plot"));
	ck_assert_int_eq(get(p).occupied, 0);
	/* no transaction left open */
	ck_assert_int_eq(store_begin(fx.st), 0);
	ck_assert_int_eq(store_commit(fx.st), 0);
}
END_TEST

START_TEST(reserve_and_free)
{
	int64_t p = new_plot("1号", PLOT_GRAVE, 1), a = new_deceased("甲");
	struct err_detail msg = {0};

	ck_assert_int_eq(plot_set_status(fx.st, p, PLOT_RESERVED, &msg), 0);
	ck_assert_int_eq(get(p).status, PLOT_RESERVED);
	/* a reserved plot is linked for the family that reserved it */
	ck_assert_int_eq(plot_assign(fx.st, a, p, &msg), 0);
	ck_assert_int_eq(get(p).status, PLOT_OCCUPIED);
	ck_assert_int_eq(plot_set_status(fx.st, p, PLOT_FREE, &msg),
	                 ERR_CONFLICT);
	ck_assert_int_eq(plot_set_status(fx.st, 999, PLOT_FREE, &msg),
	                 ERR_NOT_FOUND);
	/* the schema itself refuses an impossible count */
	ck_assert_int_eq(store_plot_set_occupancy(fx.st, p, 2, PLOT_OCCUPIED),
	                 ERR_CONFLICT);
}
END_TEST

static Suite *plot_suite(void)
{
	Suite *s = suite_create("plot");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, mem_teardown);
	tcase_add_test(tc, validation);
	tcase_add_test(tc, create_unique_per_cemetery);
	tcase_add_test(tc, link_marks_occupied_and_refuses_a_second);
	tcase_add_test(tc, family_plot_capacity);
	tcase_add_test(tc, moving_frees_the_old_plot);
	tcase_add_test(tc, missing_records);
	tcase_add_test(tc, reserve_and_free);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(plot_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
