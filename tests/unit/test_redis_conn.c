/* test_redis_conn.c — the Redis connection manager against a real
 * redis-server: a bad URL refused, up/down with watchers, reconnection after a
 * restart, the command timeout (a stopped server), commands refused while
 * down, EVALSHA falling back to EVAL, and subscribe/unsubscribe churn on
 * one channel ending in the state last asked for. */
#include "check_main.h"
#include "err.h"
#include "redis_conn.h"
#include "redis_testsrv.h"

#include <check.h>
#include <glib.h>

START_TEST(new_bad_url)
{
	struct redis_conn *rc = (void *)1;
	struct err_detail err = {0};

	ck_assert_int_eq(redis_conn_new("nope", NULL, &rc, &err), ERR_INVALID);
	ck_assert_ptr_null(rc);
	redis_conn_free(NULL);
	ck_assert(!redis_conn_is_up(NULL));
	ck_assert_uint_eq(redis_conn_reconnects(NULL), 0);
}
END_TEST

/* ---------- up, down, back ---------- */

struct states {
	int ups, downs;
};

static void on_state(void *ud, bool up)
{
	struct states *s = ud;

	if (up)
		s->ups++;
	else
		s->downs++;
}

static bool is_up(void *rc)
{
	return redis_conn_is_up(rc);
}

static bool is_down(void *rc)
{
	return !redis_conn_is_up(rc);
}

static struct redis_conn *conn(const char *url, long timeout_ms)
{
	struct redis_conn_opts o = {.timeout_ms = timeout_ms,
	                            .heartbeat_ms = 100};
	struct redis_conn *rc;
	struct err_detail err = {0};

	ck_assert_int_eq(redis_conn_new(url, &o, &rc, &err), 0);
	return rc;
}

START_TEST(up_down_back)
{
	struct testsrv srv;
	struct states st = {0};
	struct redis_conn *rc;
	int id, port;

	testsrv_start(&srv, 0);
	port = srv.port;
	rc = conn(srv.url, 500);
	id = redis_conn_watch(rc, on_state, &st);
	ck_assert_int_gt(id, 0);
	ck_assert(spin_until(is_up, rc, 3000));
	ck_assert_int_eq(st.ups, 1);
	ck_assert_uint_eq(redis_conn_reconnects(rc), 0);
	ck_assert_str_eq(redis_conn_url(rc)->host, "127.0.0.1");

	testsrv_stop(&srv);
	ck_assert(spin_until(is_down, rc, 3000));
	ck_assert_int_eq(st.downs, 1);
	ck_assert_int_eq(redis_conn_commandf(rc, NULL, NULL, "PING"),
	                 ERR_UNAVAILABLE);
	spin_for(500); /* a few failed attempts: still one "down" */
	ck_assert_int_eq(st.downs, 1);

	testsrv_start(&srv, port);
	ck_assert(spin_until(is_up, rc, 8000));
	ck_assert_int_eq(st.ups, 2);
	ck_assert_uint_eq(redis_conn_reconnects(rc), 1);

	redis_conn_unwatch(rc, id);
	testsrv_stop(&srv);
	ck_assert(spin_until(is_down, rc, 3000));
	ck_assert_int_eq(st.downs, 1); /* unwatched */
	redis_conn_free(rc);
}
END_TEST

START_TEST(nobody_listening)
{
	struct redis_conn *rc;
	char url[64];

	snprintf(url, sizeof(url), "redis://127.0.0.1:%d", testsrv_free_port());
	rc = conn(url, 300);
	spin_for(400);
	ck_assert(!redis_conn_is_up(rc));
	ck_assert_int_eq(redis_conn_subscribe(rc, "x"), 0); /* remembered */
	ck_assert(!redis_conn_subscribed(rc, "x"));
	ck_assert_int_eq(redis_conn_subscribe(rc, ""), ERR_INVALID);
	redis_conn_free(rc);
}
END_TEST

/* ---------- commands ---------- */

struct answer {
	int calls;
	bool null_reply;
	long long integer;
	char str[64];
};

static void on_answer(struct redis_conn *rc, const redisReply *r, void *ud)
{
	struct answer *a = ud;

	a->calls++;
	a->null_reply = r == NULL;
	if (!r)
		return;
	if (r->type == REDIS_REPLY_INTEGER)
		a->integer = r->integer;
	else if (r->str)
		snprintf(a->str, sizeof(a->str), "%s", r->str);
}

static bool answered(void *ud)
{
	return ((struct answer *)ud)->calls > 0;
}

START_TEST(timeout_on_stopped_server)
{
	struct testsrv srv;
	struct answer a = {0};
	struct redis_conn *rc;
	int64_t t0;

	testsrv_start(&srv, 0);
	rc = conn(srv.url, 300);
	ck_assert(spin_until(is_up, rc, 3000));
	kill(srv.pid, SIGSTOP); /* accepts nothing, answers nothing */
	t0 = g_get_monotonic_time();
	ck_assert_int_eq(redis_conn_commandf(rc, on_answer, &a, "INCR k"), 0);
	ck_assert(spin_until(answered, &a, 3000));
	ck_assert(a.null_reply);
	ck_assert_int_eq(a.calls, 1);
	ck_assert(!redis_conn_is_up(rc));
	/* within the timeout plus a tick or two */
	ck_assert_int_lt(g_get_monotonic_time() - t0, 900000);
	kill(srv.pid, SIGCONT);
	ck_assert(spin_until(is_up, rc, 8000));
	redis_conn_free(rc);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(eval_noscript_fallback)
{
	static const char *src = "return tonumber(ARGV[1]) + 1";
	struct redis_script s;
	struct testsrv srv;
	struct answer a = {0}, b = {0}, c = {0};
	struct redis_conn *rc;
	const char *args[] = {"41"};
	redisReply *r;

	redis_script_init(&s, src);
	ck_assert_int_eq(strlen(s.sha), 40);
	testsrv_start(&srv, 0);
	rc = conn(srv.url, 1000);
	ck_assert(spin_until(is_up, rc, 3000));
	/* first use: SCRIPT LOAD, then EVALSHA */
	ck_assert_int_eq(
	    redis_conn_eval(rc, &s, 0, 1, args, NULL, on_answer, &a), 0);
	ck_assert(spin_until(answered, &a, 3000));
	ck_assert_int_eq(a.integer, 42);
	r = testsrv_cmd(&srv, "SCRIPT EXISTS %s", s.sha);
	ck_assert_int_eq(r->element[0]->integer, 1);
	freeReplyObject(r);
	/* flushed behind our back: EVALSHA says NOSCRIPT, EVAL answers */
	freeReplyObject(testsrv_cmd(&srv, "SCRIPT FLUSH"));
	ck_assert_int_eq(
	    redis_conn_eval(rc, &s, 0, 1, args, NULL, on_answer, &b), 0);
	ck_assert(spin_until(answered, &b, 3000));
	ck_assert_int_eq(b.integer, 42);
	ck_assert_int_eq(b.calls, 1);
	/* and the next call is an EVALSHA again */
	ck_assert_int_eq(
	    redis_conn_eval(rc, &s, 0, 1, args, NULL, on_answer, &c), 0);
	ck_assert(spin_until(answered, &c, 3000));
	ck_assert_int_eq(c.integer, 42);
	redis_conn_free(rc);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(free_with_commands_in_flight)
{
	struct testsrv srv;
	struct answer a = {0};
	struct redis_conn *rc;

	testsrv_start(&srv, 0);
	rc = conn(srv.url, 1000);
	ck_assert(spin_until(is_up, rc, 3000));
	ck_assert_int_eq(redis_conn_commandf(rc, on_answer, &a, "PING"), 0);
	redis_conn_free(rc); /* the callback runs with NULL, once */
	ck_assert_int_eq(a.calls, 1);
	ck_assert(a.null_reply);
	testsrv_stop(&srv);
}
END_TEST

/* ---------- subscriptions ---------- */

struct inbox {
	int n;
	char last[64];
};

static void on_msg(void *ud, const char *ch, size_t chlen, const char *msg,
                   size_t len)
{
	struct inbox *in = ud;

	in->n++;
	snprintf(in->last, sizeof(in->last), "%.*s", (int)len, msg);
}

static bool got_msg(void *ud)
{
	return ((struct inbox *)ud)->n > 0;
}

struct subwait {
	struct redis_conn *rc;
	const char *ch;
};

static bool subscribed(void *ud)
{
	struct subwait *w = ud;

	return redis_conn_subscribed(w->rc, w->ch);
}

static long long publish(struct testsrv *srv, const char *ch, const char *m)
{
	redisReply *r = testsrv_cmd(srv, "PUBLISH %s %s", ch, m);
	long long n = r->integer;

	freeReplyObject(r);
	return n;
}

START_TEST(subscribe_churn)
{
	struct testsrv srv;
	struct inbox in = {0};
	struct redis_conn *rc;
	struct subwait w;

	testsrv_start(&srv, 0);
	rc = conn(srv.url, 1000);
	redis_conn_on_message(rc, on_msg, &in);
	ck_assert(spin_until(is_up, rc, 3000));
	w = (struct subwait){rc, "ch"};
	/* subscribe, unsubscribe, subscribe... without waiting */
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(redis_conn_subscribe(rc, "ch"), 0);
		redis_conn_unsubscribe(rc, "ch");
	}
	ck_assert_int_eq(redis_conn_subscribe(rc, "ch"), 0);
	ck_assert(spin_until(subscribed, &w, 3000));
	spin_for(100);
	ck_assert_int_eq(publish(&srv, "ch", "one"), 1);
	ck_assert(spin_until(got_msg, &in, 3000));
	ck_assert_str_eq(in.last, "one");
	/* and the other way round */
	redis_conn_unsubscribe(rc, "ch");
	redis_conn_subscribe(rc, "ch");
	redis_conn_unsubscribe(rc, "ch");
	spin_for(300);
	ck_assert(!redis_conn_subscribed(rc, "ch"));
	ck_assert_int_eq(publish(&srv, "ch", "two"), 0);
	redis_conn_free(rc);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(resubscribe_after_restart)
{
	struct testsrv srv;
	struct inbox in = {0};
	struct redis_conn *rc;
	struct subwait w;
	int port;

	testsrv_start(&srv, 0);
	port = srv.port;
	rc = conn(srv.url, 500);
	redis_conn_on_message(rc, on_msg, &in);
	redis_conn_subscribe(rc, "a"); /* before it is up */
	w = (struct subwait){rc, "a"};
	ck_assert(spin_until(subscribed, &w, 3000));
	testsrv_stop(&srv);
	ck_assert(spin_until(is_down, rc, 3000));
	ck_assert(!redis_conn_subscribed(rc, "a"));
	testsrv_start(&srv, port);
	ck_assert(spin_until(subscribed, &w, 8000));
	ck_assert_int_eq(publish(&srv, "a", "back"), 1);
	ck_assert(spin_until(got_msg, &in, 3000));
	ck_assert_str_eq(in.last, "back");
	redis_conn_free(rc);
	testsrv_stop(&srv);
}
END_TEST

static Suite *redis_conn_suite(void)
{
	Suite *s = suite_create("redis_conn");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, new_bad_url);
	tcase_add_test(tc, up_down_back);
	tcase_add_test(tc, nobody_listening);
	tcase_add_test(tc, timeout_on_stopped_server);
	tcase_add_test(tc, eval_noscript_fallback);
	tcase_add_test(tc, free_with_commands_in_flight);
	tcase_add_test(tc, subscribe_churn);
	tcase_add_test(tc, resubscribe_after_restart);
	suite_add_tcase(s, tc);
	return s;
}

/* SIGPIPE ignored as the daemon does (cluster.c). */
SINIAN_CHECK_MAIN_AFTER(redis_conn_suite, signal(SIGPIPE, SIG_IGN))
