/* test_counters.c — live counters in Redis with the store as the record:
 * local mode, 1000 increments spread over two nodes agreeing with the
 * store, a missing key rebuilt from the source, marking while Redis is
 * down and the repair when it is back (after a restart that lost every
 * key, including those nobody touched meanwhile), reconcile reporting and
 * repairing a wrong value but leaving a key that is being written, sourceless
 * keys, argument errors, and freeing with answers in flight. The "store" is a
 * hash table standing in for SQLite. */
#include "counters.h"
#include "err.h"
#include "redis_conn.h"
#include "redis_testsrv.h"

#include <check.h>
#include <glib.h>

#define KEY "memorial:1:flower"

/* ---------- a stand-in for the store ---------- */

struct store {
	GHashTable *vals; /* key → int64 */
	int reads;
};

static void store_init(struct store *s)
{
	s->vals =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	s->reads = 0;
}

static void store_add(struct store *s, const char *key, int64_t d)
{
	int64_t *v = g_hash_table_lookup(s->vals, key);

	if (!v) {
		v = g_new0(int64_t, 1);
		g_hash_table_insert(s->vals, g_strdup(key), v);
	}
	*v += d;
}

static int source(void *ud, const char *key, int64_t *out)
{
	struct store *s = ud;
	int64_t *v = g_hash_table_lookup(s->vals, key);

	s->reads++;
	if (!v)
		return ERR_NOT_FOUND;
	*out = *v;
	return 0;
}

/* ---------- helpers ---------- */

static bool is_up(void *rc)
{
	return redis_conn_is_up(rc);
}

static bool is_down(void *rc)
{
	return !redis_conn_is_up(rc);
}

static struct redis_conn *conn(const char *url)
{
	struct redis_conn_opts o = {.timeout_ms = 500, .heartbeat_ms = 200};
	struct redis_conn *rc;
	char err[128];

	ck_assert_int_eq(redis_conn_new(url, &o, &rc, err, sizeof(err)), 0);
	ck_assert(spin_until(is_up, rc, 3000));
	return rc;
}

struct value {
	int calls, rc;
	int64_t v;
};

static void on_value(void *ud, const char *key, int rc, int64_t v)
{
	struct value *x = ud;

	x->calls++;
	x->rc = rc;
	x->v = v;
}

static bool got_value(void *ud)
{
	return ((struct value *)ud)->calls > 0;
}

/* counters_get, waited for. */
static int64_t get(struct counters *c, const char *key, int *rc)
{
	struct value x = {0};

	ck_assert_int_eq(counters_get(c, key, on_value, &x), 0);
	ck_assert(spin_until(got_value, &x, 3000));
	ck_assert_int_eq(x.calls, 1);
	if (rc)
		*rc = x.rc;
	else
		ck_assert_int_eq(x.rc, 0);
	return x.v;
}

/* The raw Redis value of a counter, -1 when missing. */
static long long raw(struct testsrv *srv, const char *key)
{
	redisReply *r = testsrv_cmd(srv, "GET " COUNTERS_PREFIX "%s", key);
	long long v = r->type == REDIS_REPLY_STRING ? atoll(r->str) : -1;

	freeReplyObject(r);
	return v;
}

struct report {
	int calls, rc;
	struct counters_report r;
};

static void on_done(void *ud, int rc, const struct counters_report *r)
{
	struct report *x = ud;

	x->calls++;
	x->rc = rc;
	x->r = *r;
}

static bool got_report(void *ud)
{
	return ((struct report *)ud)->calls > 0;
}

static struct counters_report reconcile(struct counters *c, const char *key,
                                        bool repair)
{
	struct report x = {0};
	const char *keys[] = {key};

	ck_assert_int_eq(
	    counters_reconcile(c, key ? keys : NULL, 1, repair, on_done, &x),
	    0);
	ck_assert(spin_until(got_report, &x, 5000));
	ck_assert_int_eq(x.calls, 1);
	ck_assert_int_eq(x.rc, 0);
	return x.r;
}

/* ---------- tests ---------- */

START_TEST(local_only)
{
	struct counters *c = counters_new(NULL);
	struct store s;
	struct counters_stats st;

	store_init(&s);
	ck_assert_int_eq(counters_incr(NULL, KEY, 1), 0); /* hooks: no-op */
	ck_assert_int_eq(counters_incr(c, "plain", 2), 0);
	ck_assert_int_eq(counters_incr(c, "plain", 3), 0);
	ck_assert_int_eq(get(c, "plain", NULL), 5);
	ck_assert_int_eq(get(c, "never", NULL), 0);
	/* with a source, the store answers */
	ck_assert_int_eq(counters_add_source(c, "memorial:", source, &s), 0);
	store_add(&s, KEY, 9);
	ck_assert_int_eq(get(c, KEY, NULL), 9);
	counters_stats(c, &st);
	ck_assert_uint_eq(st.marked, 0); /* no Redis: nothing to repair */
	ck_assert_uint_eq(st.incr_local, 2);
	ck_assert_int_eq(counters_reconcile(c, NULL, 0, false, NULL, NULL),
	                 ERR_UNAVAILABLE);
	counters_free(c);
	counters_free(NULL);
	g_hash_table_destroy(s.vals);
}
END_TEST

START_TEST(argument_errors)
{
	struct counters *c = counters_new(NULL);
	char long_key[COUNTERS_KEY_MAX + 2];
	struct value x = {0};
	struct counters_stats st;

	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	ck_assert_int_eq(counters_incr(c, "", 1), ERR_INVALID);
	ck_assert_int_eq(counters_incr(c, NULL, 1), ERR_INVALID);
	ck_assert_int_eq(counters_incr(c, long_key, 1), ERR_INVALID);
	ck_assert_int_eq(counters_get(c, "", on_value, &x), ERR_INVALID);
	ck_assert_int_eq(counters_get(c, "k", NULL, NULL), ERR_INVALID);
	ck_assert_int_eq(counters_get(NULL, "k", on_value, &x), ERR_INVALID);
	ck_assert_int_eq(x.calls, 0);
	ck_assert_int_eq(counters_rebuild(c, "", 1), ERR_INVALID);
	ck_assert_int_eq(counters_rebuild_from_source(c, "k"), ERR_NOT_FOUND);
	ck_assert_int_eq(counters_add_source(c, "", source, NULL), ERR_INVALID);
	ck_assert_int_eq(counters_add_source(c, "p", NULL, NULL), ERR_INVALID);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(counters_add_source(c, "p", source, NULL), 0);
	ck_assert_int_eq(counters_add_source(c, "p", source, NULL), ERR_FULL);
	counters_stats(NULL, &st);
	ck_assert_uint_eq(st.incr_redis, 0);
	counters_free(c);
}
END_TEST

struct both {
	struct counters *c[2];
	int64_t want;
};

static bool both_agree(void *ud)
{
	struct both *b = ud;

	return get(b->c[0], KEY, NULL) == b->want &&
	       get(b->c[1], KEY, NULL) == b->want;
}

START_TEST(two_nodes_agree_after_1000)
{
	struct testsrv srv;
	struct redis_conn *rc[2];
	struct store s;
	struct both b;
	struct counters_report r;
	struct counters_stats st;

	testsrv_start(&srv, 0);
	store_init(&s);
	for (int i = 0; i < 2; i++) {
		rc[i] = conn(srv.url);
		b.c[i] = counters_new(rc[i]);
		counters_add_source(b.c[i], "memorial:", source, &s);
	}
	/* 1000 tributes, each committed to the store and then counted, on
	 * alternate nodes, with replies arriving in between */
	for (int i = 0; i < 1000; i++) {
		store_add(&s, KEY, 1);
		ck_assert_int_eq(counters_incr(b.c[i % 2], KEY, 1), 0);
		if (i % 50 == 0)
			spin_for(2);
	}
	b.want = 1000;
	ck_assert_msg(spin_until(both_agree, &b, 8000),
	              "redis %lld, store 1000", raw(&srv, KEY));
	ck_assert_int_eq(raw(&srv, KEY), 1000);
	r = reconcile(b.c[0], KEY, false);
	ck_assert_uint_eq(r.checked, 1);
	ck_assert_uint_eq(r.mismatched, 0);
	ck_assert_uint_eq(r.missing, 0);
	r = reconcile(b.c[1], NULL, false); /* the keys it has changed */
	ck_assert_uint_eq(r.checked, 1);
	ck_assert_uint_eq(r.mismatched, 0);
	counters_stats(b.c[0], &st);
	ck_assert_uint_eq(st.incr_redis, 500);
	for (int i = 0; i < 2; i++) {
		counters_free(b.c[i]);
		redis_conn_free(rc[i]);
	}
	g_hash_table_destroy(s.vals);
	testsrv_stop(&srv);
}
END_TEST

/* Every increment sent before any answer: they find the key missing, the
 * first rebuild reads a store that already holds them all, and any that
 * Redis runs after that rebuild would count twice. Whatever the
 * interleaving, the rebuilt key is checked a moment later and set to the
 * store's value once writes have stopped. */
START_TEST(rebuild_race_repaired_when_quiet)
{
	struct testsrv srv;
	struct redis_conn *rc[2];
	struct store s;
	struct both b;
	struct counters_stats st;

	testsrv_start(&srv, 0);
	store_init(&s);
	for (int i = 0; i < 2; i++) {
		rc[i] = conn(srv.url);
		b.c[i] = counters_new(rc[i]);
		counters_add_source(b.c[i], "memorial:", source, &s);
	}
	for (int i = 0; i < 400; i++) {
		store_add(&s, KEY, 1);
		counters_incr(b.c[i % 2], KEY, 1);
	}
	b.want = 400;
	ck_assert_msg(spin_until(both_agree, &b, 8000), "redis %lld, store 400",
	              raw(&srv, KEY));
	counters_stats(b.c[0], &st);
	ck_assert_uint_ge(st.rebuilt, 1);
	for (int i = 0; i < 2; i++) {
		counters_free(b.c[i]);
		redis_conn_free(rc[i]);
	}
	g_hash_table_destroy(s.vals);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(missing_key_rebuilt_from_source)
{
	struct testsrv srv;
	struct redis_conn *rc;
	struct counters *c;
	struct store s;
	redisReply *x;
	int rcode;

	testsrv_start(&srv, 0);
	store_init(&s);
	rc = conn(srv.url);
	c = counters_new(rc);
	counters_add_source(c, "memorial:", source, &s);
	store_add(&s, KEY, 41);
	ck_assert_int_eq(get(c, KEY, NULL), 41); /* from the store */
	spin_for(50);
	ck_assert_int_eq(raw(&srv, KEY), 41); /* and now in Redis */
	x = testsrv_cmd(&srv, "TTL " COUNTERS_PREFIX KEY);
	ck_assert_int_gt(x->integer, 600000); /* about 7 days */
	freeReplyObject(x);
	/* an increment on an existing key is a plain INCRBY */
	store_add(&s, KEY, 1);
	counters_incr(c, KEY, 1);
	ck_assert_int_eq(get(c, KEY, NULL), 42);
	/* flushed: the next increment rebuilds (the store has it already) */
	freeReplyObject(testsrv_cmd(&srv, "FLUSHALL"));
	store_add(&s, KEY, 1);
	counters_incr(c, KEY, 1);
	spin_for(100);
	ck_assert_int_eq(raw(&srv, KEY), 43);
	ck_assert_int_eq(counters_rebuild(c, KEY, 7), 0);
	spin_for(50);
	ck_assert_int_eq(raw(&srv, KEY), 7);
	ck_assert_int_eq(counters_rebuild_from_source(c, KEY), 0);
	spin_for(50);
	ck_assert_int_eq(raw(&srv, KEY), 43);
	/* an object the store does not know */
	get(c, "memorial:404:flower", &rcode);
	ck_assert_int_eq(rcode, ERR_NOT_FOUND);
	counters_free(c);
	redis_conn_free(rc);
	g_hash_table_destroy(s.vals);
	testsrv_stop(&srv);
}
END_TEST

static bool raw_is_13(void *srv)
{
	return raw(srv, KEY) == 13;
}

START_TEST(repair_after_restart)
{
	struct testsrv srv;
	struct redis_conn *rc;
	struct counters *c;
	struct store s;
	struct counters_stats st;
	int port;

	testsrv_start(&srv, 0);
	port = srv.port;
	store_init(&s);
	rc = conn(srv.url);
	c = counters_new(rc);
	counters_add_source(c, "memorial:", source, &s);
	store_add(&s, KEY, 10);
	counters_incr(c, KEY, 10);
	store_add(&s, "memorial:1:candle", 2); /* not touched in the outage */
	counters_incr(c, "memorial:1:candle", 2);
	spin_for(100);
	ck_assert_int_eq(raw(&srv, KEY), 10);
	ck_assert_int_eq(raw(&srv, "memorial:1:candle"), 2);

	testsrv_stop(&srv); /* loses everything: no persistence */
	ck_assert(spin_until(is_down, rc, 3000));
	for (int i = 0; i < 3; i++) { /* writes go on */
		store_add(&s, KEY, 1);
		ck_assert_int_eq(counters_incr(c, KEY, 1), 0);
	}
	counters_incr(c, "plain", 4); /* no source */
	counters_stats(c, &st);
	ck_assert_uint_eq(st.marked, 2);
	ck_assert_uint_eq(st.incr_local, 4);
	ck_assert_int_eq(get(c, KEY, NULL), 13); /* the store answers */

	testsrv_start(&srv, port);
	ck_assert(spin_until(is_up, rc, 8000));
	ck_assert(spin_until(raw_is_13, &srv, 3000));
	spin_for(50);
	ck_assert_int_eq(raw(&srv, "plain"), 4);
	ck_assert_int_eq(raw(&srv, "memorial:1:candle"), 2); /* rebuilt too */
	counters_stats(c, &st);
	ck_assert_uint_eq(st.marked, 0);
	ck_assert_int_eq(get(c, KEY, NULL), 13);
	counters_free(c);
	redis_conn_free(rc);
	g_hash_table_destroy(s.vals);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(reconcile_reports_and_repairs)
{
	struct testsrv srv;
	struct redis_conn *rc;
	struct counters *c;
	struct store s;
	struct report x = {0};
	struct counters_report r;
	const char *keys[] = {KEY, "memorial:2:candle", "other:1"};
	struct counters_stats st;

	testsrv_start(&srv, 0);
	store_init(&s);
	rc = conn(srv.url);
	c = counters_new(rc);
	counters_add_source(c, "memorial:", source, &s);
	store_add(&s, KEY, 7);
	store_add(&s, "memorial:2:candle", 3);
	freeReplyObject(testsrv_cmd(&srv, "SET " COUNTERS_PREFIX KEY " 5"));
	/* report only */
	ck_assert_int_eq(counters_reconcile(c, keys, 3, false, on_done, &x), 0);
	ck_assert(spin_until(got_report, &x, 3000));
	ck_assert_uint_eq(x.r.checked, 2); /* "other:1" has no source */
	ck_assert_uint_eq(x.r.mismatched, 1);
	ck_assert_uint_eq(x.r.missing, 1);
	ck_assert_uint_eq(x.r.repaired, 0);
	ck_assert_int_eq(raw(&srv, KEY), 5);
	/* repair: both set */
	r = reconcile(c, NULL, true);
	ck_assert_uint_eq(r.checked, 0); /* this node changed no key */
	memset(&x, 0, sizeof(x));
	ck_assert_int_eq(counters_reconcile(c, keys, 2, true, on_done, &x), 0);
	ck_assert(spin_until(got_report, &x, 3000));
	ck_assert_uint_eq(x.r.repaired, 2);
	ck_assert_int_eq(raw(&srv, KEY), 7);
	ck_assert_int_eq(raw(&srv, "memorial:2:candle"), 3);
	/* a key written between the two looks is left alone */
	freeReplyObject(testsrv_cmd(&srv, "SET " COUNTERS_PREFIX KEY " 1"));
	memset(&x, 0, sizeof(x));
	ck_assert_int_eq(counters_reconcile(c, keys, 1, true, on_done, &x), 0);
	spin_for(100);
	store_add(&s, KEY, 1);
	ck_assert(spin_until(got_report, &x, 3000));
	ck_assert_uint_eq(x.r.mismatched, 1);
	ck_assert_uint_eq(x.r.busy, 1);
	ck_assert_uint_eq(x.r.repaired, 0);
	ck_assert_int_eq(raw(&srv, KEY), 1);
	counters_stats(c, &st);
	ck_assert_uint_eq(st.mismatches, 3);
	ck_assert_uint_eq(st.repaired, 2);
	counters_free(c);
	redis_conn_free(rc);
	g_hash_table_destroy(s.vals);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(free_with_answers_in_flight)
{
	struct testsrv srv;
	struct redis_conn *rc;
	struct counters *c;
	struct store s;
	struct value x = {0};
	struct report y = {0};
	const char *keys[] = {KEY};

	testsrv_start(&srv, 0);
	store_init(&s);
	rc = conn(srv.url);
	c = counters_new(rc);
	counters_add_source(c, "memorial:", source, &s);
	store_add(&s, KEY, 1);
	counters_incr(c, KEY, 1);
	ck_assert_int_eq(counters_get(c, KEY, on_value, &x), 0);
	ck_assert_int_eq(counters_reconcile(c, keys, 1, true, on_done, &y), 0);
	counters_free(c); /* before any reply */
	spin_for(100);
	redis_conn_free(rc);
	ck_assert_int_eq(x.calls, 0);
	ck_assert_int_eq(y.calls, 0);
	g_hash_table_destroy(s.vals);
	testsrv_stop(&srv);
}
END_TEST

static Suite *counters_suite(void)
{
	Suite *s = suite_create("counters");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, local_only);
	tcase_add_test(tc, argument_errors);
	tcase_add_test(tc, two_nodes_agree_after_1000);
	tcase_add_test(tc, rebuild_race_repaired_when_quiet);
	tcase_add_test(tc, missing_key_rebuilt_from_source);
	tcase_add_test(tc, repair_after_restart);
	tcase_add_test(tc, reconcile_reports_and_repairs);
	tcase_add_test(tc, free_with_answers_in_flight);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(counters_suite());
	int failed;

	signal(SIGPIPE, SIG_IGN); /* as the daemon does (cluster.c) */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
