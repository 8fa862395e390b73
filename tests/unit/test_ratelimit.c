/* test_ratelimit.c — token buckets: the burst, continuous refill with an
 * injected clock, Retry-After rounding, keys counted apart, the sweep that
 * bounds memory, and a replaceable backend (one that answers, one that
 * cannot and falls back to the in-process bucket). */
#include "ratelimit.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ratelimit *rl;

static void setup(void)
{
	rl = ratelimit_new();
	ck_assert_ptr_nonnull(rl);
}

static void teardown(void)
{
	ratelimit_free(rl);
	rl = NULL;
}

/* Take n tokens at now_ms; return how many were allowed. */
static int take_n(const char *key, double per_sec, double burst, int64_t now,
                  int n)
{
	int ok = 0, retry;

	for (int i = 0; i < n; i++)
		ok += ratelimit_take(rl, key, per_sec, burst, now, &retry);
	return ok;
}

START_TEST(burst_then_refuse)
{
	int retry = -1;

	for (int burst = 1; burst <= 7; burst += 3) {
		char key[16];

		snprintf(key, sizeof(key), "b%d", burst);
		ck_assert_int_eq(take_n(key, 1.0, burst, 1000, burst), burst);
		ck_assert(!ratelimit_take(rl, key, 1.0, burst, 1000, &retry));
		ck_assert_int_ge(retry, 1);
	}
}
END_TEST

START_TEST(refill_over_time)
{
	const double per_sec = 2.0; /* one token every 500 ms */
	int64_t t = 10000;
	int retry;

	ck_assert_int_eq(take_n("k", per_sec, 4, t, 10), 4);
	ck_assert_int_eq(take_n("j", per_sec, 4, t, 10), 4);
	/* 499 ms: not yet a whole token */
	ck_assert(!ratelimit_take(rl, "j", per_sec, 4, t + 499, &retry));
	ck_assert_int_eq(retry, 1);
	/* 500 ms: exactly one */
	ck_assert(ratelimit_take(rl, "k", per_sec, 4, t + 500, &retry));
	ck_assert(!ratelimit_take(rl, "k", per_sec, 4, t + 500, &retry));
	/* 1.5 s later three more */
	ck_assert_int_eq(take_n("k", per_sec, 4, t + 2000, 10), 3);
	/* a long idle refills only up to the burst */
	ck_assert_int_eq(take_n("k", per_sec, 4, t + 3600 * 1000, 10), 4);
}
END_TEST

START_TEST(refused_take_does_not_consume)
{
	int retry;

	ck_assert_int_eq(take_n("k", 1.0, 1, 0, 1), 1);
	/* hammering while empty must not push the next token further away */
	for (int i = 0; i < 100; i++)
		ck_assert(!ratelimit_take(rl, "k", 1.0, 1, 500, &retry));
	ck_assert(ratelimit_take(rl, "k", 1.0, 1, 1000, &retry));
}
END_TEST

START_TEST(clock_going_back)
{
	int retry;

	ck_assert_int_eq(take_n("k", 1.0, 2, 5000, 2), 2);
	/* an earlier time neither refills nor breaks the bucket */
	ck_assert(!ratelimit_take(rl, "k", 1.0, 2, 1000, &retry));
	ck_assert(ratelimit_take(rl, "k", 1.0, 2, 6000, &retry));
}
END_TEST

START_TEST(retry_after)
{
	const double per_sec = 0.125; /* one token every 8 s */
	const int period_s = (int)(1.0 / per_sec);
	int64_t t = 0;
	int retry = -1;

	ck_assert(ratelimit_take(rl, "k", per_sec, 1, t, &retry));
	ck_assert(!ratelimit_take(rl, "k", per_sec, 1, t, &retry));
	ck_assert_int_eq(retry, period_s);
	/* part-way: what is left, rounded up to whole seconds */
	ck_assert(!ratelimit_take(rl, "k", per_sec, 1, t + 2500, &retry));
	ck_assert_int_eq(retry, (int)ceil(period_s - 2.5));
	/* under a second left: still at least 1 */
	ck_assert(!ratelimit_take(rl, "k", per_sec, 1, t + 7900, &retry));
	ck_assert_int_eq(retry, 1);
	/* a bucket left alone for the whole period has its token back */
	ck_assert(ratelimit_take(rl, "k2", per_sec, 1, t, &retry));
	ck_assert(ratelimit_take(rl, "k2", per_sec, 1, t + 8000, &retry));
	/* a NULL retry pointer is allowed */
	ck_assert(!ratelimit_take(rl, "k2", per_sec, 1, t + 8000, NULL));
}
END_TEST

START_TEST(retry_after_per_minute_policy)
{
	/* the daemon's write policy: N per minute, burst N */
	const int per_min = 5;
	int retry = 0;

	ck_assert_int_eq(take_n("w:1.2.3.4", per_min / 60.0, per_min, 0, 5), 5);
	ck_assert(!ratelimit_take(rl, "w:1.2.3.4", per_min / 60.0, per_min, 0,
	                          &retry));
	ck_assert_int_eq(retry, 60 / per_min);
}
END_TEST

START_TEST(keys_are_independent)
{
	int retry;

	ck_assert_int_eq(take_n("login:aaaa", 1.0, 3, 0, 3), 3);
	ck_assert(!ratelimit_take(rl, "login:aaaa", 1.0, 3, 0, &retry));
	ck_assert_int_eq(take_n("login:bbbb", 1.0, 3, 0, 3), 3);
	ck_assert_int_eq(take_n("w:127.0.0.1", 1.0, 3, 0, 3), 3);
	ck_assert_uint_eq(ratelimit_size(rl), 3);
	/* exhausting one does not drain another */
	ck_assert(!ratelimit_take(rl, "login:bbbb", 1.0, 3, 0, &retry));
	ck_assert(ratelimit_take(rl, "login:aaaa", 1.0, 3, 1000, &retry));
}
END_TEST

START_TEST(sweep_forgets_idle_buckets)
{
	int retry;

	/* burst 10 at 1/s: full again 10 s after the last use */
	ratelimit_take(rl, "old", 1.0, 10, 0, &retry);
	ratelimit_take(rl, "mid", 1.0, 10, 5000, &retry);
	ratelimit_take(rl, "new", 1.0, 10, 12000, &retry);
	/* fast bucket: full after 1 s */
	ratelimit_take(rl, "fast", 10.0, 10, 11000, &retry);
	ck_assert_uint_eq(ratelimit_size(rl), 4);
	ratelimit_sweep(rl, 9000);
	ck_assert_uint_eq(ratelimit_size(rl), 4);
	ratelimit_sweep(rl, 13000);
	/* old (13 s idle) and fast (2 s idle) go; mid and new stay */
	ck_assert_uint_eq(ratelimit_size(rl), 2);
	ratelimit_sweep(rl, 100000);
	ck_assert_uint_eq(ratelimit_size(rl), 0);
	/* a swept key starts again with its whole burst */
	ck_assert_int_eq(take_n("old", 1.0, 10, 100000, 20), 10);
}
END_TEST

START_TEST(sweep_keeps_partly_used)
{
	ck_assert_int_eq(take_n("k", 1.0, 5, 0, 5), 5);
	ratelimit_sweep(rl, 4000);
	ck_assert_uint_eq(ratelimit_size(rl), 1);
	/* the sweep did not reset it: 4 s refilled 4 tokens only */
	ck_assert_int_eq(take_n("k", 1.0, 5, 4000, 10), 4);
}
END_TEST

/* A backend that answers from a script and counts what it saw. */
struct fake {
	int calls, frees;
	int answer; /* 1 allow, 0 refuse, -1 cannot answer */
	int64_t retry_ms;
	char last_key[64];
	double last_per_sec, last_burst;
	int64_t last_now;
};

static int fake_take(void *impl, const char *key, double per_sec, double burst,
                     int64_t now_ms, int64_t *retry_ms)
{
	struct fake *f = impl;

	f->calls++;
	snprintf(f->last_key, sizeof(f->last_key), "%s", key);
	f->last_per_sec = per_sec;
	f->last_burst = burst;
	f->last_now = now_ms;
	if (f->answer == 0)
		*retry_ms = f->retry_ms;
	return f->answer;
}

static void fake_free(void *impl)
{
	((struct fake *)impl)->frees++;
}

static const struct ratelimit_backend fake_backend = {"fake", fake_take,
                                                      fake_free};

START_TEST(backend_answers)
{
	struct fake f = {.answer = 1};
	int retry = 0;

	ratelimit_set_backend(rl, &fake_backend, &f);
	/* allowed far beyond any local burst: the backend decides */
	ck_assert_int_eq(take_n("w:u7", 1.0, 2, 42, 10), 10);
	ck_assert_int_eq(f.calls, 10);
	ck_assert_str_eq(f.last_key, "w:u7");
	ck_assert(f.last_per_sec == 1.0 && f.last_burst == 2.0);
	ck_assert_int_eq(f.last_now, 42);
	ck_assert_uint_eq(ratelimit_size(rl), 0);

	f.answer = 0;
	f.retry_ms = 2500;
	ck_assert(!ratelimit_take(rl, "w:u7", 1.0, 2, 43, &retry));
	ck_assert_int_eq(retry, 3);
	f.retry_ms = 0;
	ck_assert(!ratelimit_take(rl, "w:u7", 1.0, 2, 44, &retry));
	ck_assert_int_eq(retry, 1);
	ck_assert_uint_eq(ratelimit_size(rl), 0);
	ck_assert_int_eq(f.frees, 0);
	ratelimit_free(rl);
	rl = NULL;
	ck_assert_int_eq(f.frees, 1);
}
END_TEST

START_TEST(backend_down_falls_back)
{
	struct fake f = {.answer = -1};
	int retry = 0;

	ratelimit_set_backend(rl, &fake_backend, &f);
	ck_assert_int_eq(take_n("w:1.2.3.4", 1.0, 3, 0, 3), 3);
	ck_assert(!ratelimit_take(rl, "w:1.2.3.4", 1.0, 3, 0, &retry));
	ck_assert_int_ge(retry, 1);
	/* asked every time, answered locally */
	ck_assert_int_eq(f.calls, 4);
	ck_assert_uint_eq(ratelimit_size(rl), 1);
	/* the backend comes back: it decides again */
	f.answer = 1;
	ck_assert(ratelimit_take(rl, "w:1.2.3.4", 1.0, 3, 0, &retry));
	ck_assert_int_eq(f.calls, 5);
}
END_TEST

START_TEST(backend_replaced_and_removed)
{
	struct fake a = {.answer = 0, .retry_ms = 1000};
	struct fake b = {.answer = 1};
	int retry;

	ratelimit_set_backend(rl, &fake_backend, &a);
	ck_assert(!ratelimit_take(rl, "k", 1.0, 1, 0, &retry));
	ratelimit_set_backend(rl, &fake_backend, &b);
	ck_assert_int_eq(a.frees, 1);
	ck_assert(ratelimit_take(rl, "k", 1.0, 1, 0, &retry));
	ck_assert_int_eq(b.calls, 1);
	/* back to in-process buckets */
	ratelimit_set_backend(rl, NULL, NULL);
	ck_assert_int_eq(b.frees, 1);
	ck_assert_int_eq(take_n("k", 1.0, 1, 0, 3), 1);
	ck_assert_int_eq(a.calls + b.calls, 2);
}
END_TEST

START_TEST(free_null)
{
	ratelimit_free(NULL);
}
END_TEST

static Suite *ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("bucket");
	TCase *be = tcase_create("backend");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, burst_then_refuse);
	tcase_add_test(tc, refill_over_time);
	tcase_add_test(tc, refused_take_does_not_consume);
	tcase_add_test(tc, clock_going_back);
	tcase_add_test(tc, retry_after);
	tcase_add_test(tc, retry_after_per_minute_policy);
	tcase_add_test(tc, keys_are_independent);
	tcase_add_test(tc, sweep_forgets_idle_buckets);
	tcase_add_test(tc, sweep_keeps_partly_used);
	tcase_add_test(tc, free_null);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(be, setup, teardown);
	tcase_add_test(be, backend_answers);
	tcase_add_test(be, backend_down_falls_back);
	tcase_add_test(be, backend_replaced_and_removed);
	suite_add_tcase(s, be);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ratelimit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
