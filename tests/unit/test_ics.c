/* test_ics.c — the iCalendar feeds read back with libical's parser: one
 * all-day event per mourning date with its two alarms, stable unique UIDs,
 * Chinese text intact across line folding (no line over 75 octets, none
 * split inside a UTF-8 character, CRLF line ends), and the ceremony's
 * timed event in UTC. */
#include "ics.h"
#include "mourning.h"

#include <check.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static GArray *dates_of(const char *death, bool lunar)
{
	struct mourning *m = mourning_new();
	struct mourning_person p = {.lunar = lunar};
	GArray *d = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));

	snprintf(p.death_date, sizeof(p.death_date), "%s", death);
	ck_assert_int_eq(mourning_rites(m, &p, d), 0);
	mourning_free(m);
	return d;
}

/* Every physical line: CRLF-terminated, at most 75 octets, valid UTF-8. */
static void check_lines(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strstr(p, "\r\n");

		ck_assert_ptr_nonnull(nl);
		ck_assert_int_le(nl - p, 75);
		ck_assert(g_utf8_validate(p, nl - p, NULL));
		p = nl + 2;
	}
}

static int count(icalcomponent *c, icalcomponent_kind k)
{
	return icalcomponent_count_components(c, k);
}

START_TEST(memorial_feed)
{
	GArray *d = dates_of("2024-09-17", true);
	struct ics_feed f = {"example.org", "李秀英",
	                     "https://example.org/m/demo", "zh-CN", 7};
	size_t len = 0;
	char *text = ics_memorial(&f, d, &len);
	icalcomponent *cal, *ev;
	GHashTable *uids = g_hash_table_new(g_str_hash, g_str_equal);
	int n = 0;

	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(len, strlen(text));
	check_lines(text);
	cal = icalparser_parse_string(text);
	ck_assert_ptr_nonnull(cal);
	ck_assert_int_eq(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
	ck_assert_int_eq(count(cal, ICAL_VEVENT_COMPONENT), (int)d->len);
	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT),
	    n++) {
		struct mourning_date *md =
		    &g_array_index(d, struct mourning_date, n);
		struct icaltimetype s = icalcomponent_get_dtstart(ev);
		char want[16];

		ck_assert(s.is_date);
		snprintf(want, sizeof(want), "%04d-%02d-%02d", s.year, s.month,
		         s.day);
		ck_assert_str_eq(want, md->date);
		ck_assert_int_eq(count(ev, ICAL_VALARM_COMPONENT), 2);
		ck_assert_ptr_null(
		    g_hash_table_lookup(uids, icalcomponent_get_uid(ev)));
		g_hash_table_add(uids, (gpointer)icalcomponent_get_uid(ev));
	}
	/* the seventh event is 七七 on 4 November 2024; the ninth the lunar
	 * first anniversary, 中秋 2025 */
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	for (int i = 0; i < 6; i++)
		ev = icalcomponent_get_next_component(cal,
		                                      ICAL_VEVENT_COMPONENT);
	ck_assert_str_eq(icalcomponent_get_summary(ev), "七七 · 李秀英");
	ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT);
	ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT);
	ck_assert_str_eq(icalcomponent_get_summary(ev), "周年 · 李秀英");
	ck_assert_ptr_nonnull(
	    strstr(icalcomponent_get_description(ev), "农历八月十五"));
	ck_assert_int_eq(icalcomponent_get_dtstart(ev).month, 10);
	ck_assert_int_eq(icalcomponent_get_dtstart(ev).day, 6);
	ck_assert_ptr_nonnull(strstr(text, "X-WR-CALNAME:李秀英 · 思念日历"));
	g_hash_table_destroy(uids);
	icalcomponent_free(cal);
	/* the same dates give the same UIDs: phones update, not duplicate */
	{
		char *again = ics_memorial(&f, d, NULL);
		const char *u1 = strstr(text, "UID:"),
		           *u2 = strstr(again, "UID:");

		ck_assert_int_eq(strncmp(u1, u2, strcspn(u1, "\r")), 0);
		free(again);
	}
	free(text);
	g_array_free(d, TRUE);
}
END_TEST

START_TEST(english_feed)
{
	GArray *d = dates_of("2024-09-17", false);
	struct ics_feed f = {"example.org", "Li Xiuying", "https://e.org/m/x",
	                     "en", 7};
	char *text = ics_memorial(&f, d, NULL);
	icalcomponent *cal = icalparser_parse_string(text);
	icalcomponent *ev =
	    icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);

	ck_assert_str_eq(icalcomponent_get_summary(ev),
	                 "First seventh day (头七) · Li Xiuying");
	check_lines(text);
	icalcomponent_free(cal);
	free(text);
	g_array_free(d, TRUE);
}
END_TEST

START_TEST(ceremony_event)
{
	struct ics_event e = {"example.org",
	                      "ceremony-3",
	                      "李秀英告别仪式",
	                      "思念厅; 直播",
	                      "思念示范殡仪馆, 思念厅",
	                      "https://example.org/c/3?invite=abc",
	                      "2026-04-04T01:00:00Z",
	                      "2026-04-04T02:30:00Z"};
	char *text = ics_event(&e, NULL);
	icalcomponent *cal, *ev;
	struct icaltimetype s;

	ck_assert_ptr_nonnull(text);
	check_lines(text);
	cal = icalparser_parse_string(text);
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	ck_assert_ptr_nonnull(ev);
	s = icalcomponent_get_dtstart(ev);
	ck_assert(icaltime_is_utc(s));
	ck_assert_int_eq(s.hour, 1);
	ck_assert_int_eq(icalcomponent_get_dtend(ev).minute, 30);
	ck_assert_str_eq(icalcomponent_get_uid(ev), "ceremony-3@example.org");
	ck_assert_str_eq(icalcomponent_get_location(ev),
	                 "思念示范殡仪馆, 思念厅");
	ck_assert_ptr_nonnull(
	    strstr(icalcomponent_get_description(ev), "思念厅; 直播"));
	ck_assert_int_eq(count(ev, ICAL_VALARM_COMPONENT), 2);
	icalcomponent_free(cal);
	free(text);
	e.start = "tomorrow";
	ck_assert_ptr_null(ics_event(&e, NULL));
}
END_TEST

static Suite *ics_suite(void)
{
	Suite *s = suite_create("ics");
	TCase *tc = tcase_create("feeds");

	tcase_add_test(tc, memorial_feed);
	tcase_add_test(tc, english_feed);
	tcase_add_test(tc, ceremony_event);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
