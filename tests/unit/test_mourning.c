/* test_mourning.c — the mourning calendar against published dates.
 *
 * Expected dates, 2024 to 2030, are the published ones, not computed here:
 *   - 清明 and 冬至: Hong Kong Observatory, "The 24 Solar Terms" tables
 *     (https://www.hko.gov.hk/en/gts/astronomy/Solar_Term.htm), Beijing
 *     time; the same days are in the Purple Mountain Observatory's
 *     《中国天文年历》.
 *   - 春节 (1/1), 端午 (5/5), 中元 (7/15), 中秋 (8/15), 重阳 (9/9) and 寒衣
 *     (10/1): Hong Kong Observatory, "Gregorian-Lunar Calendar Conversion
 *     Table" for each year (https://www.hko.gov.hk/en/gts/time/
 *     conversion1_text.htm); 春节, 端午 and 中秋 of 2024 to 2026 are also the
 *     public holidays of the State Council's yearly holiday notices
 *     (www.gov.cn, 国务院办公厅关于部分节假日安排的通知).
 * Deaths on those lunar days give lunar anniversaries on the same
 * festivals of later years, which is how the anniversaries are checked.
 */
#include "err.h"
#include "mourning.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YEARS 7 /* 2024 .. 2030 */

static const char *const qingming[YEARS] = {
    "2024-04-04", "2025-04-04", "2026-04-05", "2027-04-05",
    "2028-04-04", "2029-04-04", "2030-04-05"};
static const char *const dongzhi[YEARS] = {
    "2024-12-21", "2025-12-21", "2026-12-22", "2027-12-22",
    "2028-12-21", "2029-12-21", "2030-12-22"};
static const char *const zhongyuan[YEARS] = {
    "2024-08-18", "2025-09-06", "2026-08-27", "2027-08-16",
    "2028-09-03", "2029-08-24", "2030-08-13"};
static const char *const hanyi[YEARS] = {
    "2024-11-01", "2025-11-20", "2026-11-09", "2027-10-29",
    "2028-11-16", "2029-11-06", "2030-10-27"};
static const char *const spring[YEARS] = {
    "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06",
    "2028-01-26", "2029-02-13", "2030-02-03"};
static const char *const midautumn[YEARS] = {
    "2024-09-17", "2025-10-06", "2026-09-25", "2027-09-15",
    "2028-10-03", "2029-09-22", "2030-09-12"};
static const char *const dragonboat[YEARS] = {
    "2024-06-10", "2025-05-31", "2026-06-19", "2027-06-09",
    "2028-05-28", "2029-06-16", "2030-06-05"};

static struct mourning *m;

static void setup(void)
{
	m = mourning_new();
	ck_assert_ptr_nonnull(m);
}

static void teardown(void)
{
	mourning_free(m);
	m = NULL;
}

static struct mourning_person person(const char *death, const char *birth,
                                     bool lunar)
{
	struct mourning_person p = {.lunar = lunar};

	snprintf(p.death_date, sizeof(p.death_date), "%s", death);
	snprintf(p.birth_date, sizeof(p.birth_date), "%s", birth);
	return p;
}

/* Dates of one kind (and n, when n >= 0) of p between from and to. */
static GArray *of_kind(const struct mourning_person *p, const char *from,
                       const char *to, enum mourning_kind k, int n)
{
	GArray *all = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));

	ck_assert_int_eq(mourning_dates(m, p, from, to, all), 0);
	for (guint i = 0; i < all->len; i++) {
		struct mourning_date *d =
		    &g_array_index(all, struct mourning_date, i);

		if (d->kind == k && (n < 0 || d->n == n))
			g_array_append_val(out, *d);
	}
	g_array_free(all, TRUE);
	return out;
}

static void expect_yearly(enum mourning_kind k, const char *const want[YEARS])
{
	struct mourning_person p = person("2020-01-01", "", false);
	GArray *got = of_kind(&p, "2024-01-01", "2030-12-31", k, -1);

	ck_assert_uint_eq(got->len, YEARS);
	for (int i = 0; i < YEARS; i++)
		ck_assert_str_eq(
		    g_array_index(got, struct mourning_date, i).date, want[i]);
	g_array_free(got, TRUE);
}

START_TEST(festivals_2024_2030)
{
	expect_yearly(MOURNING_QINGMING, qingming);
	expect_yearly(MOURNING_DONGZHI, dongzhi);
	expect_yearly(MOURNING_ZHONGYUAN, zhongyuan);
	expect_yearly(MOURNING_HANYI, hanyi);
}
END_TEST

/* A death on a lunar festival: its lunar anniversaries fall on the same
 * festival of each later year; the Gregorian ones on the same day. */
static void expect_lunar_anniversaries(const char *const fest[YEARS])
{
	struct mourning_person p = person(fest[0], "", true);
	GArray *got =
	    of_kind(&p, "2024-01-01", "2030-12-31", MOURNING_ANNIVERSARY, -1);

	ck_assert_uint_eq(got->len, YEARS - 1);
	for (int i = 1; i < YEARS; i++) {
		struct mourning_date *d =
		    &g_array_index(got, struct mourning_date, i - 1);

		ck_assert_str_eq(d->date, fest[i]);
		ck_assert_int_eq(d->n, i);
		ck_assert(d->by_lunar);
	}
	g_array_free(got, TRUE);
	p.lunar = false;
	got = of_kind(&p, "2024-01-01", "2030-12-31", MOURNING_ANNIVERSARY, 3);
	ck_assert_uint_eq(got->len, 1);
	ck_assert_str_eq(g_array_index(got, struct mourning_date, 0).date + 4,
	                 fest[0] + 4);
	ck_assert(!g_array_index(got, struct mourning_date, 0).by_lunar);
	g_array_free(got, TRUE);
}

START_TEST(lunar_anniversaries_2024_2030)
{
	expect_lunar_anniversaries(spring);
	expect_lunar_anniversaries(dragonboat);
	expect_lunar_anniversaries(midautumn);
	expect_lunar_anniversaries(zhongyuan);
	expect_lunar_anniversaries(hanyi);
}
END_TEST

START_TEST(lunar_of_published_days)
{
	int y, mo, d;
	bool leap;

	for (int i = 0; i < YEARS; i++) {
		ck_assert_int_eq(
		    mourning_lunar_of(m, spring[i], &y, &mo, &d, &leap), 0);
		ck_assert_int_eq(y, 2024 + i);
		ck_assert_int_eq(mo, 1);
		ck_assert_int_eq(d, 1);
		ck_assert(!leap);
		ck_assert_int_eq(
		    mourning_lunar_of(m, midautumn[i], &y, &mo, &d, &leap), 0);
		ck_assert_int_eq(mo, 8);
		ck_assert_int_eq(d, 15);
	}
	/* 2025 has a leap sixth month: 闰六月初一 is 25 July (HKO table) */
	ck_assert_int_eq(mourning_lunar_of(m, "2025-07-25", &y, &mo, &d, &leap),
	                 0);
	ck_assert_int_eq(mo, 6);
	ck_assert_int_eq(d, 1);
	ck_assert(leap);
	ck_assert_int_eq(mourning_lunar_of(m, "1899-05-01", &y, &mo, &d, &leap),
	                 ERR_INVALID);
	ck_assert_int_eq(mourning_lunar_of(m, "2025-13-01", &y, &mo, &d, &leap),
	                 ERR_INVALID);
}
END_TEST

START_TEST(sevens_and_hundredth_day)
{
	struct mourning_person p = person("2024-09-17", "", false);
	GArray *r = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));
	static const char *const want[] = {
	    "2024-09-23", "2024-09-30", "2024-10-07", "2024-10-14",
	    "2024-10-21", "2024-10-28", "2024-11-04"};
	struct mourning_date *d;

	ck_assert_int_eq(mourning_rites(m, &p, r), 0);
	/* seven sevens, 百日, 周年, 三周年 */
	ck_assert_uint_eq(r->len, 10);
	for (int i = 0; i < 7; i++) {
		d = &g_array_index(r, struct mourning_date, i);
		ck_assert_int_eq(d->kind, MOURNING_QI);
		ck_assert_int_eq(d->n, i + 1);
		ck_assert_str_eq(d->date, want[i]); /* day of death is day 1 */
	}
	d = &g_array_index(r, struct mourning_date, 7);
	ck_assert_int_eq(d->kind, MOURNING_BAIRI);
	ck_assert_str_eq(d->date, "2024-12-25"); /* the 100th day */
	d = &g_array_index(r, struct mourning_date, 8);
	ck_assert_int_eq(d->kind, MOURNING_ANNIVERSARY);
	ck_assert_str_eq(d->date, "2025-09-17");
	d = &g_array_index(r, struct mourning_date, 9);
	ck_assert_int_eq(d->n, 3);
	ck_assert_str_eq(d->date, "2027-09-17");
	g_array_set_size(r, 0);
	/* by the lunar date, 中秋 again */
	p.lunar = true;
	ck_assert_int_eq(mourning_rites(m, &p, r), 0);
	ck_assert_str_eq(g_array_index(r, struct mourning_date, 6).date,
	                 "2024-11-04");
	ck_assert_str_eq(g_array_index(r, struct mourning_date, 8).date,
	                 "2025-10-06");
	ck_assert_str_eq(g_array_index(r, struct mourning_date, 9).date,
	                 "2027-09-15");
	g_array_free(r, TRUE);
}
END_TEST

START_TEST(lunar_edge_cases)
{
	/* a death in a leap month: anniversaries on the ordinary month */
	struct mourning_person p = person("2025-07-30", "", true);
	GArray *a =
	    of_kind(&p, "2026-01-01", "2026-12-31", MOURNING_ANNIVERSARY, 1);
	struct mourning_date *d;
	char label[64];

	ck_assert_uint_eq(a->len, 1);
	d = &g_array_index(a, struct mourning_date, 0);
	ck_assert_str_eq(d->date, "2026-07-19"); /* 六月初六 */
	ck_assert_int_eq(d->lunar_month, 6);
	ck_assert_int_eq(d->lunar_day, 6);
	ck_assert(!d->lunar_leap);
	mourning_lunar_label(d, "zh-CN", label, sizeof(label));
	ck_assert_str_eq(label, "农历六月初六");
	mourning_lunar_label(d, "en", label, sizeof(label));
	ck_assert_str_eq(label, "lunar 6/6");
	g_array_free(a, TRUE);
	/* 八月三十 2024 (2 October; 重阳 2024 is 11 October, so the month
	 * had 30 days); the eighth month of 2025 has 29 (重阳 is 29
	 * October): the first anniversary is on 廿九, 20 October */
	p = person("2024-10-02", "", true);
	a = of_kind(&p, "2025-01-01", "2025-12-31", MOURNING_ANNIVERSARY, 1);
	ck_assert_uint_eq(a->len, 1);
	d = &g_array_index(a, struct mourning_date, 0);
	ck_assert_str_eq(d->date, "2025-10-20");
	ck_assert_int_eq(d->lunar_day, 29);
	mourning_lunar_label(d, "zh-CN", label, sizeof(label));
	ck_assert_str_eq(label, "农历八月廿九");
	g_array_free(a, TRUE);
	/* outside liblunar-date's years: the Gregorian date instead */
	p = person("1899-05-01", "", true);
	a = of_kind(&p, "2025-01-01", "2025-12-31", MOURNING_ANNIVERSARY, -1);
	ck_assert_uint_eq(a->len, 1);
	ck_assert_str_eq(g_array_index(a, struct mourning_date, 0).date,
	                 "2025-05-01");
	ck_assert(!g_array_index(a, struct mourning_date, 0).by_lunar);
	g_array_free(a, TRUE);
}
END_TEST

START_TEST(gregorian_edge_cases)
{
	struct mourning_person p = person("2024-02-29", "", false);
	GArray *a =
	    of_kind(&p, "2025-01-01", "2028-12-31", MOURNING_ANNIVERSARY, -1);

	ck_assert_uint_eq(a->len, 4);
	ck_assert_str_eq(g_array_index(a, struct mourning_date, 0).date,
	                 "2025-02-28");
	ck_assert_str_eq(g_array_index(a, struct mourning_date, 3).date,
	                 "2028-02-29");
	g_array_free(a, TRUE);
	/* festivals come after the death only: none on the day itself */
	p = person(qingming[1], "", false);
	a = of_kind(&p, "2025-01-01", "2026-12-31", MOURNING_QINGMING, -1);
	ck_assert_uint_eq(a->len, 1);
	ck_assert_str_eq(g_array_index(a, struct mourning_date, 0).date,
	                 qingming[2]);
	g_array_free(a, TRUE);
}
END_TEST

START_TEST(birthdays)
{
	struct mourning_person p = person("2025-01-10", "1936-03-15", false);
	GArray *a =
	    of_kind(&p, "2024-01-01", "2026-12-31", MOURNING_BIRTHDAY, -1);
	char title[64];

	/* the birthday before the death is no mourning date */
	ck_assert_uint_eq(a->len, 2);
	ck_assert_str_eq(g_array_index(a, struct mourning_date, 0).date,
	                 "2025-03-15");
	ck_assert_int_eq(g_array_index(a, struct mourning_date, 0).n, 89);
	mourning_title(&g_array_index(a, struct mourning_date, 1), "zh-CN",
	               title, sizeof(title));
	ck_assert_str_eq(title, "九十冥诞");
	g_array_free(a, TRUE);
	/* born on 中秋 1950 (1950-09-26): lunar birthdays on 中秋 */
	p = person("2024-01-05", "1950-09-26", true);
	a = of_kind(&p, "2024-01-01", "2030-12-31", MOURNING_BIRTHDAY, -1);
	ck_assert_uint_eq(a->len, YEARS);
	for (int i = 0; i < YEARS; i++) {
		ck_assert_str_eq(g_array_index(a, struct mourning_date, i).date,
		                 midautumn[i]);
		ck_assert_int_eq(g_array_index(a, struct mourning_date, i).n,
		                 74 + i);
	}
	g_array_free(a, TRUE);
}
END_TEST

START_TEST(next_date)
{
	struct mourning_person p = person("2024-09-17", "", false);
	struct mourning_date d;
	int days = -1;

	ck_assert_int_eq(mourning_next(m, &p, "2024-11-04", &d, &days), 0);
	ck_assert_int_eq(d.kind, MOURNING_QI);
	ck_assert_int_eq(d.n, 7);
	ck_assert_int_eq(days, 0);
	ck_assert_int_eq(mourning_next(m, &p, "2024-11-02", &d, &days), 0);
	ck_assert_str_eq(d.date, "2024-11-04");
	ck_assert_int_eq(days, 2);
	/* 寒衣 2024 is 1 November */
	ck_assert_int_eq(mourning_next(m, &p, "2024-10-29", &d, &days), 0);
	ck_assert_int_eq(d.kind, MOURNING_HANYI);
	ck_assert_int_eq(days, 3);
	ck_assert_int_eq(mourning_next(m, &p, "2024-13-01", &d, &days),
	                 ERR_INVALID);
}
END_TEST

START_TEST(titles)
{
	struct mourning_date d = {.kind = MOURNING_QI, .n = 7};
	char t[128];

	mourning_title(&d, "zh-CN", t, sizeof(t));
	ck_assert_str_eq(t, "七七");
	mourning_title(&d, "en", t, sizeof(t));
	ck_assert_str_eq(t, "Seventh seventh day, the 49th (七七)");
	d.n = 1;
	mourning_title(&d, NULL, t, sizeof(t));
	ck_assert_str_eq(t, "头七");
	d = (struct mourning_date){.kind = MOURNING_ANNIVERSARY, .n = 3};
	mourning_title(&d, "zh-CN", t, sizeof(t));
	ck_assert_str_eq(t, "三周年");
	mourning_title(&d, "en", t, sizeof(t));
	ck_assert_str_eq(t, "3rd anniversary (三周年)");
	d.n = 1;
	mourning_title(&d, "zh-CN", t, sizeof(t));
	ck_assert_str_eq(t, "周年");
	d.n = 12;
	mourning_title(&d, "en", t, sizeof(t));
	ck_assert_str_eq(t, "12th anniversary (十二周年)");
	d = (struct mourning_date){.kind = MOURNING_QINGMING};
	mourning_title(&d, "zh-CN", t, sizeof(t));
	ck_assert_str_eq(t, "清明节");
	d = (struct mourning_date){.kind = MOURNING_BAIRI};
	mourning_title(&d, "en", t, sizeof(t));
	ck_assert_str_eq(t, "Hundredth day (百日)");
	d = (struct mourning_date){.by_lunar = true,
	                           .lunar_month = 12,
	                           .lunar_day = 30,
	                           .lunar_leap = true};
	mourning_lunar_label(&d, "zh-CN", t, sizeof(t));
	ck_assert_str_eq(t, "农历闰腊月三十");
	d.lunar_day = 10;
	mourning_lunar_label(&d, "zh-CN", t, sizeof(t));
	ck_assert_str_eq(t, "农历闰腊月初十");
	d.by_lunar = false;
	mourning_lunar_label(&d, "zh-CN", t, sizeof(t));
	ck_assert_str_eq(t, "");
	ck_assert_str_eq(mourning_kind_name(MOURNING_HANYI), "hanyi");
}
END_TEST

START_TEST(bad_input)
{
	struct mourning_person p = person("2024-02-30", "", false);
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));

	ck_assert_int_eq(mourning_dates(m, &p, "2024-01-01", "2024-12-31", a),
	                 ERR_INVALID);
	p = person("2024-02-10", "not a date", false);
	/* an unreadable birth date is ignored, the rest still counts */
	ck_assert_int_eq(mourning_dates(m, &p, "2024-01-01", "2024-12-31", a),
	                 0);
	ck_assert_uint_gt(a->len, 0);
	ck_assert_int_eq(mourning_dates(m, &p, "2024-12-31", "2024-01-01", a),
	                 ERR_INVALID);
	ck_assert_int_eq(mourning_dates(m, &p, "2024-01-01", "2040-01-01", a),
	                 ERR_INVALID);
	ck_assert_int_eq(mourning_rites(m, &p, a), 0);
	p.death_date[0] = '\0';
	ck_assert_int_eq(mourning_rites(m, &p, a), ERR_INVALID);
	g_array_free(a, TRUE);
	mourning_free(NULL);
}
END_TEST

static Suite *mourning_suite(void)
{
	Suite *s = suite_create("mourning");
	TCase *tc = tcase_create("calendar");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, festivals_2024_2030);
	tcase_add_test(tc, lunar_anniversaries_2024_2030);
	tcase_add_test(tc, lunar_of_published_days);
	tcase_add_test(tc, sevens_and_hundredth_day);
	tcase_add_test(tc, lunar_edge_cases);
	tcase_add_test(tc, gregorian_edge_cases);
	tcase_add_test(tc, birthdays);
	tcase_add_test(tc, next_date);
	tcase_add_test(tc, titles);
	tcase_add_test(tc, bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mourning_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
