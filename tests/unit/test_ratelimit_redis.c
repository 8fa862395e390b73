/* test_ratelimit_redis.c — rate limits shared through Redis: two struct
 * ratelimit (two nodes) draw from one bucket; refill follows Redis's clock;
 * keys expire; a flushed script cache is reloaded; with Redis down or
 * stalled, the in-process bucket decides and a stalled Redis costs one
 * short wait, not one per request. */
#include "check_main.h"
#include "err.h"
#include "ratelimit.h"
#include "ratelimit_redis.h"
#include "redis_conn.h"
#include "redis_testsrv.h"

#include <check.h>
#include <glib.h>

struct node {
	struct redis_conn *rc;
	struct ratelimit *rl;
	struct ratelimit_redis *rr;
};

static bool is_up(void *rc)
{
	return redis_conn_is_up(rc);
}

static bool is_down(void *rc)
{
	return !redis_conn_is_up(rc);
}

static void node_open(struct node *n, const char *url)
{
	struct redis_conn_opts o = {.timeout_ms = 500, .heartbeat_ms = 200};
	struct err_detail err = {0};

	ck_assert_int_eq(redis_conn_new(url, &o, &n->rc, &err), 0);
	n->rl = ratelimit_new();
	ck_assert_int_eq(ratelimit_redis_install(n->rl, n->rc, 50, &n->rr), 0);
	ck_assert(spin_until(is_up, n->rc, 3000));
}

static void node_close(struct node *n)
{
	ratelimit_set_backend(n->rl, NULL, NULL);
	ratelimit_free(n->rl);
	redis_conn_free(n->rc);
}

static bool take(struct node *n, const char *key, double per_min, double burst,
                 int *retry)
{
	/* a monotonic clock of this process: Redis must not rely on it */
	return ratelimit_take(n->rl, key, per_min / 60.0, burst,
	                      g_get_monotonic_time() / 1000, retry);
}

START_TEST(shared_bucket)
{
	struct testsrv srv;
	struct node n[2];
	struct ratelimit_redis_stats st;
	int retry = 0;

	testsrv_start(&srv, 0);
	node_open(&n[0], srv.url);
	node_open(&n[1], srv.url);
	/* 5 a minute, alternating nodes: the 6th is refused */
	for (int i = 0; i < 5; i++)
		ck_assert_msg(take(&n[i % 2], "w:u1", 5, 5, &retry),
		              "take %d refused", i + 1);
	ck_assert(!take(&n[1], "w:u1", 5, 5, &retry));
	ck_assert_int_ge(retry, 11); /* one token takes 12 s at 5/min */
	ck_assert_int_le(retry, 12);
	ck_assert(!take(&n[0], "w:u1", 5, 5, &retry));
	/* another key has its own bucket */
	ck_assert(take(&n[0], "w:u2", 5, 5, &retry));
	/* no memory of any of it on the nodes themselves */
	ck_assert_uint_eq(ratelimit_size(n[0].rl), 0);
	ck_assert_uint_eq(ratelimit_size(n[1].rl), 0);
	ratelimit_redis_stats(n[0].rr, &st);
	ck_assert_uint_eq(st.answered, 5);
	ck_assert_uint_eq(st.fallbacks, 0);
	node_close(&n[0]);
	node_close(&n[1]);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(refill_and_expiry)
{
	struct testsrv srv;
	struct node n;
	redisReply *r;
	int retry = 0;

	testsrv_start(&srv, 0);
	node_open(&n, srv.url);
	/* 20 a second, capacity 1 */
	ck_assert(take(&n, "fast", 1200, 1, &retry));
	ck_assert(!take(&n, "fast", 1200, 1, &retry));
	ck_assert_int_eq(retry, 1); /* whole seconds, at least 1 */
	g_usleep(70000);
	ck_assert(take(&n, "fast", 1200, 1, &retry));
	r = testsrv_cmd(&srv, "PTTL %s", RATELIMIT_REDIS_PREFIX "fast");
	ck_assert_int_gt(r->integer, 0);
	ck_assert_int_le(r->integer, 1050); /* refill time + 1 s */
	freeReplyObject(r);
	/* a flushed script cache: EVALSHA fails, EVAL answers */
	freeReplyObject(testsrv_cmd(&srv, "SCRIPT FLUSH"));
	ck_assert(take(&n, "other", 60, 2, &retry));
	r = testsrv_cmd(&srv, "HGET %s tokens", RATELIMIT_REDIS_PREFIX "other");
	ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
	ck_assert_int_eq(atoi(r->str), 1);
	freeReplyObject(r);
	node_close(&n);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(fallback_when_down)
{
	struct testsrv srv;
	struct node n;
	struct ratelimit_redis_stats st;
	int retry = 0, port;

	testsrv_start(&srv, 0);
	port = srv.port;
	node_open(&n, srv.url);
	ck_assert(take(&n, "k", 2, 2, &retry));
	testsrv_stop(&srv);
	ck_assert(spin_until(is_down, n.rc, 3000));
	/* the in-process bucket decides: a fresh one of 2 */
	ck_assert(take(&n, "k", 2, 2, &retry));
	ck_assert(take(&n, "k", 2, 2, &retry));
	ck_assert(!take(&n, "k", 2, 2, &retry));
	ck_assert_int_ge(retry, 29);
	ck_assert_uint_eq(ratelimit_size(n.rl), 1);
	ratelimit_redis_stats(n.rr, &st);
	ck_assert_uint_eq(st.fallbacks, 3);
	/* back: Redis decides again, with the bucket it kept... none, as
	 * the restarted server lost it */
	testsrv_start(&srv, port);
	ck_assert(spin_until(is_up, n.rc, 8000));
	ck_assert(take(&n, "k", 2, 2, &retry));
	ratelimit_redis_stats(n.rr, &st);
	ck_assert_uint_eq(st.answered, 2);
	node_close(&n);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(stalled_server_costs_one_wait)
{
	struct testsrv srv;
	struct node n;
	struct ratelimit_redis_stats st;
	int retry = 0;
	int64_t t0, spent;

	testsrv_start(&srv, 0);
	node_open(&n, srv.url);
	ck_assert(take(&n, "s", 600, 100, &retry));
	kill(srv.pid, SIGSTOP);
	t0 = g_get_monotonic_time();
	for (int i = 0; i < 20; i++)
		ck_assert(take(&n, "s", 600, 100, &retry)); /* local */
	spent = g_get_monotonic_time() - t0;
	ck_assert_int_lt(spent, 300000); /* one 50 ms timeout, then breaker */
	ratelimit_redis_stats(n.rr, &st);
	ck_assert_uint_eq(st.failures, 1);
	ck_assert_uint_eq(st.fallbacks, 20);
	kill(srv.pid, SIGCONT);
	node_close(&n);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(install_errors)
{
	struct ratelimit *rl = ratelimit_new();
	struct ratelimit_redis *rr = (void *)1;
	struct ratelimit_redis_stats st;
	struct redis_conn *rc;
	struct err_detail err = {0};
	int retry;

	ck_assert_int_eq(ratelimit_redis_install(NULL, NULL, 0, &rr),
	                 ERR_INVALID);
	ck_assert_ptr_null(rr);
	ck_assert_int_eq(redis_conn_new("redis://127.0.0.1:1", NULL, &rc, &err),
	                 0);
	ck_assert_int_eq(ratelimit_redis_install(rl, rc, 0, NULL), 0);
	/* never up: always the local bucket */
	ck_assert(ratelimit_take(rl, "x", 1, 1, 0, &retry));
	ck_assert(!ratelimit_take(rl, "x", 1, 1, 0, &retry));
	ratelimit_redis_stats(NULL, &st);
	ck_assert_uint_eq(st.answered, 0);
	ratelimit_free(rl); /* frees the backend, which unwatches rc */
	redis_conn_free(rc);
}
END_TEST

static Suite *ratelimit_redis_suite(void)
{
	Suite *s = suite_create("ratelimit_redis");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, shared_bucket);
	tcase_add_test(tc, refill_and_expiry);
	tcase_add_test(tc, fallback_when_down);
	tcase_add_test(tc, stalled_server_costs_one_wait);
	tcase_add_test(tc, install_errors);
	suite_add_tcase(s, tc);
	return s;
}

/* SIGPIPE ignored as the daemon does (cluster.c). */
SINIAN_CHECK_MAIN_AFTER(ratelimit_redis_suite, signal(SIGPIPE, SIG_IGN))
