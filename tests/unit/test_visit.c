/* test_visit.c — visit slots and bookings on a real temporary SQLite
 * store: field checks, publishing slots all-or-none, capacity never
 * exceeded (also by concurrent processes on one database file), one active
 * booking per account and slot, cancelling frees places, the phone is kept
 * sealed and masked, check-in once, only on the slot's day, only at its
 * cemetery. */
#include "fixture_visit.h"
#include "store_visit.h"
#include "store_booking.h"
#include "visit.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------- pure helpers ---------- */

START_TEST(dates_and_times)
{
	char out[11], today[11];

	ck_assert(visit_date_valid("2027-04-04"));
	ck_assert(visit_date_valid("2028-02-29"));
	ck_assert(!visit_date_valid("2027-02-29"));
	ck_assert(!visit_date_valid("2027-4-4"));
	ck_assert(!visit_date_valid("2027-04-04x"));
	ck_assert(!visit_date_valid("2027/04/04"));
	ck_assert(!visit_date_valid(""));
	ck_assert(!visit_date_valid(NULL));
	/* absurd years: a visit is not booked for 9999 */
	ck_assert(!visit_date_valid("9999-12-31"));
	ck_assert(!visit_date_valid("1999-12-31"));
	ck_assert(visit_date_valid("2200-12-31"));
	ck_assert(visit_time_valid("00:00"));
	ck_assert(visit_time_valid("23:59"));
	ck_assert(!visit_time_valid("24:00"));
	ck_assert(!visit_time_valid("8:00"));
	ck_assert(!visit_time_valid("08:60"));
	ck_assert(!visit_time_valid("08-00"));
	ck_assert_int_eq(visit_date_add("2027-02-28", 1, out), 0);
	ck_assert_str_eq(out, "2027-03-01");
	ck_assert_int_eq(visit_date_add("2027-01-01", -1, out), 0);
	ck_assert_str_eq(out, "2026-12-31");
	ck_assert_int_eq(visit_date_add("nope", 1, out), ERR_INVALID);
	visit_today(today);
	ck_assert(visit_date_valid(today));
}
END_TEST

START_TEST(phones)
{
	char out[32];

	ck_assert_int_eq(
	    visit_phone_normalize("+86 138-1234-5678", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "13812345678");
	ck_assert_int_eq(
	    visit_phone_normalize("010-12345678", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "01012345678");
	ck_assert_int_eq(visit_phone_normalize("2381234567", out, sizeof(out)),
	                 ERR_INVALID);
	ck_assert_int_eq(visit_phone_normalize("1381234567", out, sizeof(out)),
	                 ERR_INVALID);
	ck_assert_int_eq(
	    visit_phone_normalize("138123456789", out, sizeof(out)),
	    ERR_INVALID);
	ck_assert_int_eq(visit_phone_normalize("138a2345678", out, sizeof(out)),
	                 ERR_INVALID);
	ck_assert_int_eq(visit_phone_normalize(NULL, out, sizeof(out)),
	                 ERR_INVALID);
}
END_TEST

START_TEST(codes)
{
	char a[VISIT_CODE_LEN + 1], b[VISIT_CODE_LEN + 1], n[32];
	char typed[40];

	visit_code_new(a);
	visit_code_new(b);
	ck_assert_uint_eq(strlen(a), VISIT_CODE_LEN);
	ck_assert_str_ne(a, b);
	for (const char *p = a; *p; p++)
		ck_assert_msg(!strchr("01OIL", *p), "ambiguous %c", *p);
	ck_assert_int_eq(visit_code_normalize(a, n, sizeof(n)), 0);
	ck_assert_str_eq(n, a);
	/* typed in lower case with dashes and spaces */
	snprintf(typed, sizeof(typed), " %.4s-%.4s %.4s", a, a + 4, a + 8);
	for (char *p = typed; *p; p++)
		*p = g_ascii_tolower(*p);
	ck_assert_int_eq(visit_code_normalize(typed, n, sizeof(n)), 0);
	ck_assert_str_eq(n, a);
	ck_assert_int_eq(visit_code_normalize("ABC", n, sizeof(n)),
	                 ERR_INVALID);
	ck_assert_int_eq(visit_code_normalize("OOOOOOOOOOOO", n, sizeof(n)),
	                 ERR_INVALID);
	ck_assert_int_eq(visit_code_normalize("AAAAAAAAAAAAA", n, sizeof(n)),
	                 ERR_INVALID);
}
END_TEST

START_TEST(slot_fields)
{
	struct visit_slot s = {.capacity = 50};
	struct err_detail err = {0};

	snprintf(s.date, sizeof(s.date), "2027-04-04");
	snprintf(s.start, sizeof(s.start), "08:00");
	snprintf(s.end, sizeof(s.end), "09:00");
	ck_assert_int_eq(visit_slot_validate(&s, &err), 0);
	snprintf(s.end, sizeof(s.end), "08:00");
	ck_assert_int_eq(visit_slot_validate(&s, &err), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "end"));
	snprintf(s.end, sizeof(s.end), "09:00");
	s.capacity = 0;
	ck_assert_int_eq(visit_slot_validate(&s, &err), ERR_INVALID);
	s.capacity = VISIT_CAPACITY_MAX + 1;
	ck_assert_int_eq(visit_slot_validate(&s, &err), ERR_INVALID);
	s.capacity = 1;
	snprintf(s.date, sizeof(s.date), "2027-13-01");
	ck_assert_int_eq(visit_slot_validate(&s, &err), ERR_INVALID);
}
END_TEST

/* ---------- on a store ---------- */

struct world {
	int64_t cem, other_cem, plot, other_plot, u1, u2, u3, staff;
	char today[11], tomorrow[11], yesterday[11];
};

static void world(struct world *w)
{
	w->cem = fx_cemetery("东山陵园");
	w->other_cem = fx_cemetery("西山陵园");
	w->plot = fx_plot(w->cem, "1");
	w->other_plot = fx_plot(w->other_cem, "1");
	w->u1 = fx_user("u1@example.org");
	w->u2 = fx_user("u2@example.org");
	w->u3 = fx_user("u3@example.org");
	w->staff = fx_user("staff@example.org");
	visit_today(w->today);
	visit_date_add(w->today, 1, w->tomorrow);
	visit_date_add(w->today, -1, w->yesterday);
}

static int64_t slot(int64_t cem, const char *date, const char *start, int cap)
{
	struct visit_slot s = {.capacity = cap};
	struct err_detail e = {0};
	int rc;

	snprintf(s.date, sizeof(s.date), "%s", date);
	snprintf(s.start, sizeof(s.start), "%s", start);
	snprintf(s.end, sizeof(s.end), "%c%c:59", start[0], start[1]);
	rc = visit_slots_create(fx.st, cem, &s, 1, 0, &e);
	ck_assert_msg(rc == 0, "slot: %d %s", rc, e.msg);
	return s.id;
}

static int book(int64_t slot_id, int64_t plot, int64_t user, int persons,
                const char *today, struct visit_booking *out,
                struct err_detail *e)
{
	struct visit_booking_in in = {.slot_id = slot_id,
	                              .plot_id = plot,
	                              .user_id = user,
	                              .persons = persons,
	                              .phone = "13812345678"};
	struct visit_booking tmp;

	memset(e, 0, sizeof(*e));
	return visit_book(fx.st, fx.c, &in, today, out ? out : &tmp, e);
}

static int booked(int64_t slot_id)
{
	struct visit_slot s;

	ck_assert_int_eq(store_visit_slot_get(fx.st, slot_id, &s), 0);
	ck_assert_int_le(s.booked, s.capacity);
	return s.booked;
}

START_TEST(publish_batch_all_or_none)
{
	struct visit_slot s[3] = {
	    {.capacity = 10}, {.capacity = 10}, {.capacity = 10}};
	struct err_detail e = {0};
	struct world w;

	world(&w);
	for (int i = 0; i < 3; i++) {
		snprintf(s[i].date, sizeof(s[i].date), "%s", w.tomorrow);
		snprintf(s[i].start, sizeof(s[i].start), "0%d:00", 7 + i);
		snprintf(s[i].end, sizeof(s[i].end), "0%d:59", 7 + i);
	}
	/* the third repeats the first: nothing is published */
	snprintf(s[2].start, sizeof(s[2].start), "07:00");
	ck_assert_int_eq(visit_slots_create(fx.st, w.cem, s, 3, w.staff, &e),
	                 ERR_CONFLICT);
	ck_assert_str_eq(e.code, "slot_exists");
	ck_assert_int_eq(mem_int("SELECT count(*) FROM visit_slots"), 0);
	snprintf(s[2].start, sizeof(s[2].start), "09:00");
	ck_assert_int_eq(visit_slots_create(fx.st, w.cem, s, 3, w.staff, &e),
	                 0);
	ck_assert_int_eq(mem_int("SELECT count(*) FROM visit_slots"), 3);
	ck_assert_int_gt(s[2].id, s[0].id);
	/* a bad field names its index; unknown cemetery; empty batch */
	s[1].capacity = 0;
	ck_assert_int_eq(visit_slots_create(fx.st, w.cem, s, 3, 0, &e),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "slots[1]"));
	s[1].capacity = 5;
	ck_assert_int_eq(visit_slots_create(fx.st, 999, s, 3, 0, &e),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(visit_slots_create(fx.st, w.cem, s, 0, 0, &e),
	                 ERR_INVALID);
}
END_TEST

START_TEST(capacity_is_never_exceeded)
{
	struct err_detail e;
	struct world w;
	int64_t s;

	world(&w);
	s = slot(w.cem, w.today, "08:00", 5);
	ck_assert_int_eq(book(s, w.plot, w.u1, 3, w.today, NULL, &e), 0);
	ck_assert_int_eq(booked(s), 3);
	ck_assert_int_eq(book(s, w.plot, w.u2, 3, w.today, NULL, &e), ERR_FULL);
	ck_assert_str_eq(e.code, "slot_full");
	ck_assert_int_eq(booked(s), 3);
	ck_assert_int_eq(book(s, w.plot, w.u2, 2, w.today, NULL, &e), 0);
	ck_assert_int_eq(booked(s), 5);
	ck_assert_int_eq(book(s, w.plot, w.u3, 1, w.today, NULL, &e), ERR_FULL);
	ck_assert_int_eq(booked(s), 5);
	/* nothing half-written: the refused booking left no row */
	ck_assert_int_eq(mem_int("SELECT count(*) FROM bookings"), 2);
	/* the guard itself */
	ck_assert_int_eq(store_visit_slot_take(fx.st, s, 1), ERR_FULL);
	ck_assert_int_eq(store_visit_slot_release(fx.st, s, 1), 0);
	ck_assert_int_eq(store_visit_slot_take(fx.st, s, 1), 0);
	ck_assert_int_eq(store_visit_slot_take(fx.st, s, 1), ERR_FULL);
}
END_TEST

START_TEST(booking_rules)
{
	struct visit_booking b;
	struct err_detail e;
	struct world w;
	int64_t s, old;

	world(&w);
	s = slot(w.cem, w.today, "08:00", 50);
	old = slot(w.cem, w.yesterday, "08:00", 50);
	ck_assert_int_eq(book(s, w.plot, w.u1, 0, w.today, NULL, &e),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "persons"));
	ck_assert_int_eq(
	    book(s, w.plot, w.u1, VISIT_PERSONS_MAX + 1, w.today, NULL, &e),
	    ERR_INVALID);
	ck_assert_int_eq(book(999, w.plot, w.u1, 1, w.today, NULL, &e),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(book(s, 999, w.u1, 1, w.today, NULL, &e),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(book(s, w.other_plot, w.u1, 1, w.today, NULL, &e),
	                 ERR_NOT_FOUND);
	ck_assert_str_eq(e.code, "plot_not_found");
	ck_assert_int_eq(book(old, w.plot, w.u1, 1, w.today, NULL, &e),
	                 ERR_CONFLICT);
	ck_assert_str_eq(e.code, "slot_past");
	ck_assert_int_eq(booked(s), 0);

	ck_assert_int_eq(book(s, w.plot, w.u1, 2, w.today, &b, &e), 0);
	ck_assert_int_eq(b.state, VISIT_BOOKED);
	ck_assert_int_eq(b.persons, 2);
	ck_assert_int_eq(b.cemetery_id, w.cem);
	ck_assert_str_eq(b.date, w.today);
	ck_assert_str_eq(b.phone_masked, "138****5678");
	ck_assert_uint_eq(strlen(b.code), VISIT_CODE_LEN);
	/* one active booking per account and slot */
	ck_assert_int_eq(book(s, w.plot, w.u1, 1, w.today, NULL, &e),
	                 ERR_CONFLICT);
	ck_assert_str_eq(e.code, "already_booked");
	ck_assert_int_eq(booked(s), 2);
	/* cancel frees the places and allows a new booking */
	ck_assert_int_eq(visit_cancel(fx.st, b.id, &e), 0);
	ck_assert_int_eq(booked(s), 0);
	ck_assert_int_eq(visit_cancel(fx.st, b.id, &e), ERR_CONFLICT);
	ck_assert_str_eq(e.code, "already_cancelled");
	ck_assert_int_eq(visit_cancel(fx.st, 999, &e), ERR_NOT_FOUND);
	ck_assert_int_eq(book(s, w.plot, w.u1, 5, w.today, &b, &e), 0);
	ck_assert_int_eq(booked(s), 5);
}
END_TEST

START_TEST(phone_is_sealed)
{
	struct visit_booking b;
	struct err_detail e;
	struct world w;
	char *sealed = NULL, *plain;

	world(&w);
	ck_assert_int_eq(book(slot(w.cem, w.today, "08:00", 5), w.plot, w.u1, 1,
	                      w.today, &b, &e),
	                 0);
	ck_assert_int_eq(store_booking_phone(fx.st, b.id, &sealed), 0);
	ck_assert_ptr_null(strstr(sealed, "13812345678"));
	ck_assert_int_eq(
	    mem_int("SELECT count(*) FROM bookings WHERE phone_enc LIKE "
	            "'%13812345678%' OR phone_masked LIKE '%12345678%'"),
	    0);
	plain = crypto_open_sealed(fx.c, sealed);
	ck_assert_str_eq(plain, "13812345678");
	free(plain);
	g_free(sealed);
}
END_TEST

START_TEST(checkin_rules)
{
	struct visit_booking b, by_code, out;
	struct err_detail e;
	struct world w;
	int64_t s, later;

	world(&w);
	s = slot(w.cem, w.today, "08:00", 5);
	later = slot(w.cem, w.tomorrow, "08:00", 5);
	ck_assert_int_eq(book(s, w.plot, w.u1, 2, w.today, &b, &e), 0);
	ck_assert_int_eq(store_booking_by_code(fx.st, b.code, &by_code), 0);
	ck_assert_int_eq(by_code.id, b.id);
	/* at another cemetery */
	ck_assert_int_eq(
	    visit_checkin(fx.st, b.id, w.other_cem, w.today, w.staff, &out, &e),
	    ERR_FORBIDDEN);
	ck_assert_str_eq(e.code, "other_cemetery");
	/* on another day */
	ck_assert_int_eq(
	    visit_checkin(fx.st, b.id, w.cem, w.tomorrow, w.staff, &out, &e),
	    ERR_CONFLICT);
	ck_assert_str_eq(e.code, "wrong_day");
	/* once */
	ck_assert_int_eq(
	    visit_checkin(fx.st, b.id, w.cem, w.today, w.staff, &out, &e), 0);
	ck_assert_int_eq(out.state, VISIT_CHECKED_IN);
	ck_assert_int_eq(out.checked_in_by, w.staff);
	ck_assert_str_ne(out.checked_in_at, "");
	ck_assert_int_eq(
	    visit_checkin(fx.st, b.id, 0, w.today, w.staff, &out, &e),
	    ERR_CONFLICT);
	ck_assert_str_eq(e.code, "already_checked_in");
	/* a used ticket is not cancelled; its places stay taken */
	ck_assert_int_eq(visit_cancel(fx.st, b.id, &e), ERR_CONFLICT);
	ck_assert_str_eq(e.code, "already_checked_in");
	ck_assert_int_eq(booked(s), 2);
	/* a cancelled one is refused at the gate */
	ck_assert_int_eq(book(later, w.plot, w.u2, 1, w.today, &b, &e), 0);
	ck_assert_int_eq(visit_cancel(fx.st, b.id, &e), 0);
	ck_assert_int_eq(
	    visit_checkin(fx.st, b.id, 0, w.tomorrow, w.staff, &out, &e),
	    ERR_CONFLICT);
	ck_assert_str_eq(e.code, "cancelled");
	ck_assert_int_eq(
	    visit_checkin(fx.st, 999, 0, w.today, w.staff, &out, &e),
	    ERR_NOT_FOUND);
}
END_TEST

START_TEST(checkin_check_is_pure)
{
	struct visit_booking b = {.cemetery_id = 7, .state = VISIT_BOOKED};
	struct err_detail e;

	snprintf(b.date, sizeof(b.date), "2027-04-04");
	ck_assert_int_eq(visit_checkin_check(&b, 7, "2027-04-04", &e), 0);
	ck_assert_int_eq(visit_checkin_check(&b, 0, "2027-04-04", &e), 0);
	ck_assert_int_eq(visit_checkin_check(&b, 8, "2027-04-04", &e),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(visit_checkin_check(&b, 7, "2027-04-05", &e),
	                 ERR_CONFLICT);
	ck_assert_str_eq(e.code, "wrong_day");
	ck_assert_int_eq(visit_checkin_check(&b, 7, "2027-04-03", &e),
	                 ERR_CONFLICT);
	b.state = VISIT_CHECKED_IN;
	ck_assert_int_eq(visit_checkin_check(&b, 7, "2027-04-04", &e),
	                 ERR_CONFLICT);
	ck_assert_str_eq(e.code, "already_checked_in");
	b.state = VISIT_CANCELLED;
	ck_assert_int_eq(visit_checkin_check(&b, 7, "2027-04-04", &e),
	                 ERR_CONFLICT);
	ck_assert_str_eq(e.code, "cancelled");
}
END_TEST

/* Many processes, each with its own connection to the same database
 * file, book one place each in a slot of CAP places at once: exactly CAP
 * win, the others get ERR_FULL, booked ends at CAP. */
#define RACERS 24
#define CAP    7

START_TEST(concurrent_processes_respect_capacity)
{
	int64_t users[RACERS], s;
	int ok = 0, full = 0, other = 0;
	int go[2];
	pid_t pids[RACERS];
	struct world w;

	world(&w);
	s = slot(w.cem, w.today, "08:00", CAP);
	for (int i = 0; i < RACERS; i++) {
		char name[64];

		snprintf(name, sizeof(name), "racer%d@example.org", i);
		users[i] = fx_user(name);
	}
	store_close(fx.st);
	fx.st = NULL;
	ck_assert_int_eq(pipe(go), 0);
	for (int i = 0; i < RACERS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			struct err_detail e;
			char c;
			int rc;

			close(go[1]);
			fx_open_store();
			if (read(go[0], &c, 1) != 0)
				_exit(3);
			rc = book(s, w.plot, users[i], 1, w.today, NULL, &e);
			store_close(fx.st);
			_exit(rc == 0 ? 0 : rc == ERR_FULL ? 1 : 2);
		}
	}
	close(go[0]);
	close(go[1]); /* EOF releases every racer at once */
	for (int i = 0; i < RACERS; i++) {
		int status = 0;

		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status));
		switch (WEXITSTATUS(status)) {
		case 0: ok++; break;
		case 1: full++; break;
		default: other++; break;
		}
	}
	fx_open_store();
	ck_assert_int_eq(other, 0);
	ck_assert_int_eq(ok, CAP);
	ck_assert_int_eq(full, RACERS - CAP);
	ck_assert_int_eq(booked(s), CAP);
	ck_assert_int_eq(
	    mem_int("SELECT count(*) FROM bookings WHERE state = 'booked'"),
	    CAP);
}
END_TEST

START_TEST(listings)
{
	struct err_detail e;
	struct world w;
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct visit_booking));
	int64_t s1, s2;

	world(&w);
	s1 = slot(w.cem, w.today, "08:00", 5);
	s2 = slot(w.cem, w.tomorrow, "08:00", 5);
	ck_assert_int_eq(book(s1, w.plot, w.u1, 1, w.today, NULL, &e), 0);
	ck_assert_int_eq(book(s2, w.plot, w.u1, 1, w.today, NULL, &e), 0);
	ck_assert_int_eq(book(s2, w.plot, w.u2, 1, w.today, NULL, &e), 0);
	ck_assert_int_eq(store_booking_list_user(fx.st, w.u1, 10, a), 0);
	ck_assert_uint_eq(a->len, 2);
	g_array_set_size(a, 0);
	ck_assert_int_eq(store_booking_list_cemetery(fx.st, w.cem, w.tomorrow,
	                                             w.tomorrow, -1, 10, a),
	                 0);
	ck_assert_uint_eq(a->len, 2);
	g_array_set_size(a, 0);
	ck_assert_int_eq(store_booking_list_cemetery(fx.st, w.other_cem,
	                                             w.today, w.tomorrow, -1,
	                                             10, a),
	                 0);
	ck_assert_uint_eq(a->len, 0);
	g_array_free(a, TRUE);
}
END_TEST

static Suite *visit_suite(void)
{
	Suite *s = suite_create("visit");
	TCase *pure = tcase_create("pure");
	TCase *db = tcase_create("store");

	tcase_add_test(pure, dates_and_times);
	tcase_add_test(pure, phones);
	tcase_add_test(pure, codes);
	tcase_add_test(pure, slot_fields);
	tcase_add_test(pure, checkin_check_is_pure);
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(db, mem_setup, mem_teardown);
	tcase_set_timeout(db, 60);
	tcase_add_test(db, publish_batch_all_or_none);
	tcase_add_test(db, capacity_is_never_exceeded);
	tcase_add_test(db, booking_rules);
	tcase_add_test(db, phone_is_sealed);
	tcase_add_test(db, checkin_rules);
	tcase_add_test(db, concurrent_processes_respect_capacity);
	tcase_add_test(db, listings);
	suite_add_tcase(s, db);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(visit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
