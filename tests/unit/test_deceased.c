/* test_deceased.c — the deceased record: every legal and illegal event
 * order, the time rules, dates, ID numbers, field validation, and creating
 * records and adding events on a real store (sealed ID, nothing written on
 * a refused event). */
#include "deceased.h"
#include "mem_fixture.h"
#include "store_deceased.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define DEATH "2025-01-08"

static struct deceased_event ev_at(enum event_kind k, const char *at)
{
	struct deceased_event e;

	memset(&e, 0, sizeof(e));
	e.kind = k;
	snprintf(e.at, sizeof(e.at), "%s", at);
	return e;
}

/* Times one hour apart from the death date on, so order is about kinds. */
static void nth_time(int i, char *out, size_t outlen)
{
	snprintf(out, outlen, "2025-01-%02dT%02d:00:00+08:00", 8 + i / 20,
	         (i % 20) + 1);
}

/* Check kinds[0..n-1] one after another; returns the index of the first
 * refused event (n when all pass) and its code/message. */
static int run(const enum event_kind *kinds, int n, int *rc,
               struct err_detail *msg)
{
	struct deceased_event evs[16];

	*rc = 0;
	for (int i = 0; i < n; i++) {
		char at[40];

		nth_time(i, at, sizeof(at));
		evs[i] = ev_at(kinds[i], at);
		*rc = deceased_event_check(evs, (size_t)i, &evs[i], DEATH, msg);
		if (*rc)
			return i;
	}
	return n;
}

START_TEST(legal_sequences)
{
	static const struct {
		enum event_kind k[8];
		int n;
	} seqs[] = {
	    {{EV_REGISTERED}, 1},
	    {{EV_REGISTERED, EV_FAREWELL, EV_CREMATED, EV_ASHES_STORED,
	      EV_NICHE_PLACED},
	     5},
	    {{EV_REGISTERED, EV_CREMATED, EV_ECO_SEA}, 3},
	    {{EV_REGISTERED, EV_CREMATED, EV_ECO_TREE}, 3},
	    {{EV_REGISTERED, EV_FAREWELL, EV_BURIED}, 3}, /* whole body */
	    {{EV_REGISTERED, EV_BURIED}, 2},
	    {{EV_REGISTERED, EV_FAREWELL, EV_CREMATED, EV_BURIED}, 4},
	    {{EV_REGISTERED, EV_CREMATED, EV_ASHES_STORED, EV_ASHES_STORED,
	      EV_BURIED},
	     5},
	    {{EV_REGISTERED, EV_CREMATED, EV_ASHES_STORED, EV_ECO_SEA}, 4},
	};
	struct err_detail msg = {0};
	int rc;

	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		ck_assert_msg(run(seqs[i].k, seqs[i].n, &rc, &msg) == seqs[i].n,
		              "sequence %zu refused: %s", i, msg.msg);
	}
}
END_TEST

START_TEST(illegal_sequences)
{
	static const struct {
		enum event_kind k[6];
		int n;
		const char *why;
	} seqs[] = {
	    {{EV_FAREWELL}, 1, "first event must be registered"},
	    {{EV_CREMATED}, 1, "first event must be registered"},
	    {{EV_BURIED}, 1, "first event must be registered"},
	    {{EV_REGISTERED, EV_REGISTERED}, 2, "already registered"},
	    {{EV_REGISTERED, EV_FAREWELL, EV_FAREWELL}, 3, "already recorded"},
	    {{EV_REGISTERED, EV_CREMATED, EV_FAREWELL}, 3, "before cremated"},
	    {{EV_REGISTERED, EV_CREMATED, EV_CREMATED}, 3, "already cremated"},
	    {{EV_REGISTERED, EV_ASHES_STORED}, 2, "needs cremated"},
	    {{EV_REGISTERED, EV_NICHE_PLACED}, 2, "needs cremated"},
	    {{EV_REGISTERED, EV_ECO_TREE}, 2, "needs cremated"},
	    {{EV_REGISTERED, EV_FAREWELL, EV_ECO_SEA}, 3, "needs cremated"},
	    {{EV_REGISTERED, EV_CREMATED, EV_BURIED, EV_NICHE_PLACED},
	     4,
	     "already recorded"},
	    {{EV_REGISTERED, EV_BURIED, EV_CREMATED},
	     3,
	     "cannot follow the final placement"},
	    {{EV_REGISTERED, EV_BURIED, EV_FAREWELL}, 3, "cannot follow"},
	    {{EV_REGISTERED, EV_CREMATED, EV_ECO_SEA, EV_ASHES_STORED},
	     4,
	     "cannot follow"},
	    {{EV_REGISTERED, EV_BURIED, EV_BURIED}, 3, "already recorded"},
	};
	struct err_detail msg = {0};
	int rc;

	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		int at = run(seqs[i].k, seqs[i].n, &rc, &msg);

		ck_assert_msg(at == seqs[i].n - 1,
		              "sequence %zu: refused at %d", i, at);
		ck_assert_int_eq(rc, ERR_CONFLICT);
		ck_assert_msg(strstr(msg.msg, seqs[i].why),
		              "sequence %zu: \"%s\"", i, msg.msg);
		/* the message names the refused kind */
		ck_assert_ptr_nonnull(
		    strstr(msg.msg, deceased_event_kind_name(seqs[i].k[at])));
	}
}
END_TEST

/* After any final placement, no kind at all may follow. */
START_TEST(nothing_after_final)
{
	static const enum event_kind finals[] = {EV_BURIED, EV_NICHE_PLACED,
	                                         EV_ECO_TREE, EV_ECO_SEA};
	struct err_detail msg = {0};

	for (size_t f = 0; f < 4; f++)
		for (int k = 0; k < EV_COUNT; k++) {
			enum event_kind s[4] = {EV_REGISTERED, EV_CREMATED,
			                        finals[f], (enum event_kind)k};
			int rc, at = run(s, 4, &rc, &msg);

			ck_assert_msg(at == 3 && rc == ERR_CONFLICT,
			              "%s after %s accepted",
			              deceased_event_kind_name(k),
			              deceased_event_kind_name(finals[f]));
		}
}
END_TEST

START_TEST(time_rules)
{
	struct deceased_event p[2] = {
	    ev_at(EV_REGISTERED, "2025-01-08T10:00:00+08:00"),
	    ev_at(EV_FAREWELL, "2025-01-11T09:00:00+08:00")};
	struct deceased_event e;
	struct err_detail msg = {0};

	/* earlier than the previous event (same instant written in UTC is
	 * fine, a second before is not) */
	e = ev_at(EV_CREMATED, "2025-01-11T01:00:00Z");
	ck_assert_int_eq(deceased_event_check(p, 2, &e, DEATH, &msg), 0);
	e = ev_at(EV_CREMATED, "2025-01-11T08:59:59+08:00");
	ck_assert_int_eq(deceased_event_check(p, 2, &e, DEATH, &msg),
	                 ERR_CONFLICT);
	ck_assert_ptr_nonnull(strstr(msg.msg, "earlier than the previous"));
	/* not before the death date, 00:00 China Standard Time */
	e = ev_at(EV_REGISTERED, "2025-01-08T00:00:00+08:00");
	ck_assert_int_eq(deceased_event_check(NULL, 0, &e, DEATH, &msg), 0);
	e = ev_at(EV_REGISTERED, "2025-01-07T15:59:59Z");
	ck_assert_int_eq(deceased_event_check(NULL, 0, &e, DEATH, &msg),
	                 ERR_CONFLICT);
	ck_assert_ptr_nonnull(strstr(msg.msg, "death date"));
	/* malformed input is 400, not 409 */
	e = ev_at(EV_REGISTERED, "yesterday");
	ck_assert_int_eq(deceased_event_check(NULL, 0, &e, DEATH, &msg),
	                 ERR_INVALID);
	e = ev_at(EV_COUNT, "2025-01-08T10:00:00+08:00");
	ck_assert_int_eq(deceased_event_check(NULL, 0, &e, DEATH, &msg),
	                 ERR_INVALID);
}
END_TEST

START_TEST(until_rules)
{
	struct deceased_event p[2] = {
	    ev_at(EV_REGISTERED, "2025-01-08T10:00:00+08:00"),
	    ev_at(EV_CREMATED, "2025-01-09T10:00:00+08:00")};
	struct deceased_event e =
	    ev_at(EV_ASHES_STORED, "2025-01-10T10:00:00+08:00");
	struct err_detail msg = {0};

	snprintf(e.until, sizeof(e.until), "2026-01-10");
	ck_assert_int_eq(deceased_event_check(p, 2, &e, DEATH, &msg), 0);
	snprintf(e.until, sizeof(e.until), "2025-01-10"); /* same day */
	ck_assert_int_eq(deceased_event_check(p, 2, &e, DEATH, &msg), 0);
	snprintf(e.until, sizeof(e.until), "2025-01-09");
	ck_assert_int_eq(deceased_event_check(p, 2, &e, DEATH, &msg),
	                 ERR_INVALID);
	snprintf(e.until, sizeof(e.until), "2025-13-01");
	ck_assert_int_eq(deceased_event_check(p, 2, &e, DEATH, &msg),
	                 ERR_INVALID);
	e.kind = EV_BURIED;
	snprintf(e.until, sizeof(e.until), "2026-01-10");
	ck_assert_int_eq(deceased_event_check(p, 2, &e, DEATH, &msg),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(msg.msg, "only for ashes_stored"));
}
END_TEST

START_TEST(time_normalisation)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
	    {"2025-01-10T09:30:00+08:00", "2025-01-10T01:30:00Z"},
	    {"2025-01-10T09:30:00", "2025-01-10T01:30:00Z"}, /* CST */
	    {"2025-01-10T09:30", "2025-01-10T01:30:00Z"},
	    {"2025-01-10 09:30:05Z", "2025-01-10T09:30:05Z"},
	    {"2025-01-10T09:30:00.123z", "2025-01-10T09:30:00Z"},
	    {"2025-01-10T20:00:00-05:00", "2025-01-11T01:00:00Z"},
	    {"2024-02-29T00:00:00+08:00", "2024-02-28T16:00:00Z"},
	};
	static const char *const bad[] = {"2025-01-10",
	                                  "2025-01-10T24:00",
	                                  "2025-02-30T10:00",
	                                  "2025-01-10T10:60",
	                                  "2025-01-10T10:00+8",
	                                  "2025-01-10T10:00Q",
	                                  "2025/01/10T10:00",
	                                  "",
	                                  "2025-01-10T10:00:00+15:00",
	                                  "2025-01-10X10:00:00Z"};
	char out[32];
	int64_t e;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(
		    deceased_time_norm(ok[i].in, out, sizeof(out), &e) == 0,
		    "%s refused", ok[i].in);
		ck_assert_str_eq(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(deceased_time_norm(bad[i], out, sizeof(out),
		                                 &e) == ERR_INVALID,
		              "%s accepted", bad[i]);
	ck_assert_int_eq(deceased_time_norm(NULL, out, sizeof(out), &e),
	                 ERR_INVALID);
}
END_TEST

START_TEST(dates)
{
	char today[11];

	ck_assert(deceased_date_valid("2024-02-29"));
	ck_assert(deceased_date_valid("1800-01-01"));
	ck_assert(!deceased_date_valid("2023-02-29"));
	ck_assert(!deceased_date_valid("1799-12-31"));
	ck_assert(!deceased_date_valid("2025-1-01"));
	ck_assert(!deceased_date_valid("2025-01-01T"));
	ck_assert(!deceased_date_valid("2025-04-31"));
	ck_assert(!deceased_date_valid(NULL));
	deceased_today(today);
	ck_assert(deceased_date_valid(today));
}
END_TEST

START_TEST(id_numbers)
{
	ck_assert_int_eq(deceased_id_number_check("11010519491231002X"), 0);
	ck_assert_int_eq(deceased_id_number_check("11010519491231002x"), 0);
	ck_assert_int_eq(deceased_id_number_check("370102193603120028"),
	                 ERR_INVALID); /* wrong check digit */
	ck_assert_int_eq(deceased_id_number_check("110105194912310021"),
	                 ERR_INVALID);
	ck_assert_int_eq(deceased_id_number_check("110105491231002"), 0);
	ck_assert_int_eq(deceased_id_number_check("11010519491231002"),
	                 ERR_INVALID);
	ck_assert_int_eq(deceased_id_number_check("1101051949123100AX"),
	                 ERR_INVALID);
	ck_assert_int_eq(deceased_id_number_check(""), ERR_INVALID);
	ck_assert_int_eq(deceased_id_number_check(NULL), ERR_INVALID);
}
END_TEST

static struct deceased person(void)
{
	struct deceased d;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "李秀英");
	snprintf(d.birth_date, sizeof(d.birth_date), "1936-03-12");
	snprintf(d.death_date, sizeof(d.death_date), DEATH);
	d.gender = GENDER_FEMALE;
	return d;
}

START_TEST(record_validation)
{
	struct deceased d = person();
	struct err_detail err = {0};

	ck_assert_int_eq(deceased_validate(&d, "2026-01-01", &err), 0);
	d.name[0] = '\0';
	ck_assert_int_eq(deceased_validate(&d, "2026-01-01", &err),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "name"));
	d = person();
	memset(d.name, 'a', 65);
	d.name[65] = '\0';
	ck_assert_int_eq(deceased_validate(&d, "2026-01-01", &err),
	                 ERR_INVALID);
	d = person();
	d.death_date[0] = '\0';
	ck_assert_int_eq(deceased_validate(&d, "2026-01-01", &err),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "death_date"));
	d = person();
	ck_assert_int_eq(deceased_validate(&d, "2025-01-07", &err),
	                 ERR_INVALID); /* death in the future */
	ck_assert_ptr_nonnull(strstr(err.msg, "future"));
	d = person();
	snprintf(d.birth_date, sizeof(d.birth_date), "2025-01-09");
	ck_assert_int_eq(deceased_validate(&d, "2026-01-01", &err),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "birth_date"));
	snprintf(d.birth_date, sizeof(d.birth_date), "1936-02-30");
	ck_assert_int_eq(deceased_validate(&d, "2026-01-01", &err),
	                 ERR_INVALID);
	d = person();
	d.birth_date[0] = '\0'; /* unknown birth date is fine */
	ck_assert_int_eq(deceased_validate(&d, "2026-01-01", &err), 0);
	d.gender = GENDER_COUNT;
	ck_assert_int_eq(deceased_validate(&d, "2026-01-01", &err),
	                 ERR_INVALID);
}
END_TEST

START_TEST(names_and_codes)
{
	for (int g = 0; g < GENDER_COUNT; g++) {
		ck_assert_int_eq(deceased_gender_parse(deceased_gender_name(g)),
		                 g);
		ck_assert_int_eq(
		    deceased_gender_from_code(deceased_gender_code(g)), g);
	}
	ck_assert_str_eq(deceased_gender_code(GENDER_FEMALE), "2");
	ck_assert_str_eq(deceased_gender_code(GENDER_UNSPECIFIED), "9");
	ck_assert_int_eq(deceased_gender_from_code("3"), -1);
	for (int k = 0; k < EV_COUNT; k++)
		ck_assert_int_eq(
		    deceased_event_kind_parse(deceased_event_kind_name(k)), k);
	ck_assert_int_eq(deceased_event_kind_parse("exhumed"), -1);
	ck_assert(deceased_event_is_final(EV_ECO_SEA));
	ck_assert(!deceased_event_is_final(EV_ASHES_STORED));
}
END_TEST

START_TEST(create_seals_the_id_number)
{
	struct deceased d = person(), got;
	struct err_detail err = {0};
	char sealed[512];
	char *clear;

	d.agency_id = mem_org(ORG_AGENCY, "馆");
	ck_assert_int_eq(
	    deceased_create(fx.st, fx.c, &d, "11010519491231002x", &err), 0);
	ck_assert_int_gt(d.id, 0);
	ck_assert_int_eq(store_deceased_get(fx.st, d.id, &got), 0);
	ck_assert_str_eq(got.id_masked, "1101**********002X");
	ck_assert_int_eq(store_deceased_id_enc(fx.st, d.id, sealed, 512), 0);
	ck_assert_ptr_null(strstr(sealed, "11010519491231002"));
	ck_assert_int_eq(mem_int("SELECT count(*) FROM deceased WHERE id_hash "
	                         "IS NOT NULL AND id_hash NOT LIKE '%1101%'"),
	                 1);
	clear = deceased_id_reveal(fx.st, fx.c, d.id);
	ck_assert_str_eq(clear, "11010519491231002X");
	free(clear);
	/* a bad ID number stores nothing */
	d = person();
	ck_assert_int_eq(
	    deceased_create(fx.st, fx.c, &d, "110105194912310021", &err),
	    ERR_INVALID);
	ck_assert_int_eq(mem_int("SELECT count(*) FROM deceased"), 1);
	/* no ID number: nothing to reveal */
	ck_assert_int_eq(deceased_create(fx.st, fx.c, &d, NULL, &err), 0);
	ck_assert_ptr_null(deceased_id_reveal(fx.st, fx.c, d.id));
	/* ext_id is unique per agency */
	d = person();
	d.agency_id = 1;
	snprintf(d.ext_id, sizeof(d.ext_id), "A-1");
	ck_assert_int_eq(deceased_create(fx.st, fx.c, &d, NULL, &err), 0);
	ck_assert_int_eq(deceased_create(fx.st, fx.c, &d, NULL, &err),
	                 ERR_CONFLICT);
}
END_TEST

START_TEST(event_add_in_a_transaction)
{
	struct deceased d = person();
	struct deceased_event e;
	GArray *evs = g_array_new(FALSE, FALSE, sizeof(struct deceased_event));
	struct err_detail err = {0};

	ck_assert_int_eq(deceased_create(fx.st, fx.c, &d, NULL, &err), 0);
	e = ev_at(EV_CREMATED, "2025-01-09T10:00:00+08:00");
	ck_assert_int_eq(deceased_event_add(fx.st, d.id, &e, 0, &err),
	                 ERR_CONFLICT);
	ck_assert_int_eq(mem_int("SELECT count(*) FROM deceased_events"), 0);
	e = ev_at(EV_REGISTERED, "2025-01-09T10:00:00+08:00");
	ck_assert_int_eq(deceased_event_add(fx.st, d.id, &e, 0, &err), 0);
	ck_assert_str_eq(e.at, "2025-01-09T02:00:00Z");
	e = ev_at(EV_CREMATED, "2025-01-10T10:00:00+08:00");
	e.plot_id = 999;
	ck_assert_int_eq(deceased_event_add(fx.st, d.id, &e, 0, &err),
	                 ERR_NOT_FOUND);
	e.plot_id = 0;
	ck_assert_int_eq(deceased_event_add(fx.st, 4242, &e, 0, &err),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(deceased_event_add(fx.st, d.id, &e, 0, &err), 0);
	ck_assert_int_eq(store_deceased_event_list(fx.st, d.id, evs), 0);
	ck_assert_uint_eq(evs->len, 2);
	ck_assert_int_eq(g_array_index(evs, struct deceased_event, 1).kind,
	                 EV_CREMATED);
	/* the store is usable after a refused event (no open transaction) */
	ck_assert_int_eq(store_begin(fx.st), 0);
	ck_assert_int_eq(store_commit(fx.st), 0);
	g_array_free(evs, TRUE);
}
END_TEST

static Suite *deceased_suite(void)
{
	Suite *s = suite_create("deceased");
	TCase *rules = tcase_create("rules");
	TCase *store = tcase_create("store");

	tcase_add_test(rules, legal_sequences);
	tcase_add_test(rules, illegal_sequences);
	tcase_add_test(rules, nothing_after_final);
	tcase_add_test(rules, time_rules);
	tcase_add_test(rules, until_rules);
	tcase_add_test(rules, time_normalisation);
	tcase_add_test(rules, dates);
	tcase_add_test(rules, id_numbers);
	tcase_add_test(rules, record_validation);
	tcase_add_test(rules, names_and_codes);
	suite_add_tcase(s, rules);
	tcase_add_checked_fixture(store, mem_setup, mem_teardown);
	tcase_add_test(store, create_seals_the_id_number);
	tcase_add_test(store, event_add_in_a_transaction);
	suite_add_tcase(s, store);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(deceased_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
