/* test_bus_redis.c — the Redis bus backend: two struct bus in one process
 * are two nodes on one redis-server. A publish on A reaches B's subscriber
 * once and A's own once; per-topic order holds over 1000 messages from
 * both nodes (and both see the same order); a publish before the
 * subscription is confirmed is still delivered once; with Redis down,
 * local delivery goes on; after a restart the topics are subscribed again;
 * malformed messages and bad node ids are refused. */
#include "check_main.h"
#include "bus.h"
#include "bus_redis.h"
#include "err.h"
#include "redis_conn.h"
#include "redis_testsrv.h"

#include <check.h>
#include <glib.h>

#define TOPIC "memorial:7"
#define CHAN  BUS_REDIS_PREFIX TOPIC

struct node {
	struct redis_conn *rc;
	struct bus *bus;
	struct bus_redis *br;
};

struct rec {
	GPtrArray *got; /* message copies */
};

static void on_event(void *ud, const struct bus_msg *m)
{
	struct rec *r = ud;

	ck_assert_str_eq(m->topic, TOPIC);
	ck_assert_uint_eq(strlen(m->msg), m->len);
	g_ptr_array_add(r->got, g_strndup(m->msg, m->len));
}

static void rec_init(struct rec *r)
{
	r->got = g_ptr_array_new_with_free_func(g_free);
}

static void rec_clear(struct rec *r)
{
	g_ptr_array_free(r->got, TRUE);
}

static void node_open(struct node *n, const char *url, const char *id)
{
	struct redis_conn_opts o = {.timeout_ms = 500, .heartbeat_ms = 200};
	struct err_detail err = {0};

	ck_assert_int_eq(redis_conn_new(url, &o, &n->rc, &err), 0);
	n->bus = bus_new();
	ck_assert_ptr_nonnull(n->bus);
	ck_assert_int_eq(bus_redis_install(n->bus, n->rc, id, &n->br), 0);
	ck_assert_str_eq(bus_backend_name(n->bus), "redis");
	ck_assert_str_eq(bus_redis_node(n->br), id);
}

static void node_close(struct node *n)
{
	bus_set_backend(n->bus, NULL, NULL); /* frees the backend first */
	redis_conn_free(n->rc);
	bus_free(n->bus);
}

static bool both_subscribed(void *ud)
{
	struct node *n = ud;

	return redis_conn_subscribed(n[0].rc, CHAN) &&
	       redis_conn_subscribed(n[1].rc, CHAN);
}

struct want {
	struct rec *a, *b;
	guint n;
};

static bool both_have(void *ud)
{
	struct want *w = ud;

	return w->a->got->len >= w->n && w->b->got->len >= w->n;
}

static bool is_down(void *rc)
{
	return !redis_conn_is_up(rc);
}

static void pub(struct node *n, const char *msg)
{
	ck_assert_int_eq(bus_publish(n->bus, TOPIC, msg, strlen(msg)), 0);
}

START_TEST(once_on_each_node)
{
	struct testsrv srv;
	struct node n[2];
	struct rec ra, rb;
	struct want w = {&ra, &rb, 1};
	struct bus_redis_stats st;

	testsrv_start(&srv, 0);
	node_open(&n[0], srv.url, "A");
	node_open(&n[1], srv.url, "B");
	rec_init(&ra);
	rec_init(&rb);
	bus_subscribe(n[0].bus, TOPIC, on_event, &ra);
	bus_subscribe(n[1].bus, TOPIC, on_event, &rb);
	ck_assert(spin_until(both_subscribed, n, 3000));
	pub(&n[0], "{\"type\":\"tribute\",\"n\":1}");
	ck_assert(spin_until(both_have, &w, 2000));
	spin_for(200); /* no second copy arrives */
	ck_assert_uint_eq(ra.got->len, 1);
	ck_assert_uint_eq(rb.got->len, 1);
	ck_assert_str_eq(g_ptr_array_index(ra.got, 0),
	                 "{\"type\":\"tribute\",\"n\":1}");
	ck_assert_str_eq(g_ptr_array_index(rb.got, 0),
	                 "{\"type\":\"tribute\",\"n\":1}");
	bus_redis_stats(n[0].br, &st);
	ck_assert_uint_eq(st.sent, 1);
	ck_assert_uint_eq(st.received, 1); /* its own echo */
	ck_assert_uint_eq(st.local, 0);
	ck_assert_uint_eq(bus_delivered(n[1].bus), 1);
	/* a topic nobody follows on B is not delivered there */
	ck_assert_int_eq(bus_publish(n[0].bus, "memorial:8", "x", 1), 0);
	spin_for(100);
	ck_assert_uint_eq(bus_delivered(n[1].bus), 1);

	node_close(&n[0]);
	node_close(&n[1]);
	rec_clear(&ra);
	rec_clear(&rb);
	testsrv_stop(&srv);
}
END_TEST

/* The sequence of one origin's messages as numbers, from "X:n" strings. */
static void check_order(struct rec *r, const char *origin, int want_n)
{
	int next = 1;
	size_t olen = strlen(origin);

	for (guint i = 0; i < r->got->len; i++) {
		const char *m = g_ptr_array_index(r->got, i);

		if (strncmp(m, origin, olen) || m[olen] != ':')
			continue;
		ck_assert_int_eq(atoi(m + olen + 1), next);
		next++;
	}
	ck_assert_int_eq(next - 1, want_n);
}

START_TEST(order_over_1000)
{
	struct testsrv srv;
	struct node n[2];
	struct rec ra, rb;
	struct want w = {&ra, &rb, 2000};
	char msg[32];

	testsrv_start(&srv, 0);
	node_open(&n[0], srv.url, "A");
	node_open(&n[1], srv.url, "B");
	rec_init(&ra);
	rec_init(&rb);
	bus_subscribe(n[0].bus, TOPIC, on_event, &ra);
	bus_subscribe(n[1].bus, TOPIC, on_event, &rb);
	ck_assert(spin_until(both_subscribed, n, 3000));
	for (int i = 1; i <= 1000; i++) {
		snprintf(msg, sizeof(msg), "A:%d", i);
		pub(&n[0], msg);
		snprintf(msg, sizeof(msg), "B:%d", i);
		pub(&n[1], msg);
		if (i % 100 == 0) /* let some replies in between */
			g_main_context_iteration(NULL, FALSE);
	}
	ck_assert(spin_until(both_have, &w, 10000));
	spin_for(200);
	ck_assert_uint_eq(ra.got->len, 2000);
	ck_assert_uint_eq(rb.got->len, 2000);
	check_order(&ra, "A", 1000);
	check_order(&ra, "B", 1000);
	check_order(&rb, "A", 1000);
	check_order(&rb, "B", 1000);
	/* one order per topic for everybody */
	for (guint i = 0; i < 2000; i++)
		ck_assert_str_eq(g_ptr_array_index(ra.got, i),
		                 g_ptr_array_index(rb.got, i));
	node_close(&n[0]);
	node_close(&n[1]);
	rec_clear(&ra);
	rec_clear(&rb);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(publish_before_confirmation)
{
	struct testsrv srv;
	struct node n;
	struct rec r;
	struct bus_redis_stats st;

	testsrv_start(&srv, 0);
	node_open(&n, srv.url, "A");
	rec_init(&r);
	while (!redis_conn_is_up(n.rc))
		g_main_context_iteration(NULL, TRUE);
	/* subscribe and publish at once: no echo can be counted on yet */
	bus_subscribe(n.bus, TOPIC, on_event, &r);
	ck_assert(!redis_conn_subscribed(n.rc, CHAN));
	pub(&n, "early");
	ck_assert_uint_eq(r.got->len, 1); /* delivered at once */
	spin_for(300);
	ck_assert_uint_eq(r.got->len, 1); /* and not again from the echo */
	pub(&n, "later");
	spin_for(300);
	ck_assert_uint_eq(r.got->len, 2);
	ck_assert_str_eq(g_ptr_array_index(r.got, 1), "later");
	bus_redis_stats(n.br, &st);
	ck_assert_uint_eq(st.local, 1);
	node_close(&n);
	rec_clear(&r);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(down_delivers_locally_then_resubscribes)
{
	struct testsrv srv;
	struct node n[2];
	struct rec ra, rb;
	struct want w = {&ra, &rb, 2};
	struct bus_redis_stats st;
	int port;

	testsrv_start(&srv, 0);
	port = srv.port;
	node_open(&n[0], srv.url, "A");
	node_open(&n[1], srv.url, "B");
	rec_init(&ra);
	rec_init(&rb);
	bus_subscribe(n[0].bus, TOPIC, on_event, &ra);
	bus_subscribe(n[1].bus, TOPIC, on_event, &rb);
	ck_assert(spin_until(both_subscribed, n, 3000));
	pub(&n[0], "before");
	w.n = 1;
	ck_assert(spin_until(both_have, &w, 2000));

	testsrv_stop(&srv);
	ck_assert(spin_until(is_down, n[0].rc, 3000));
	pub(&n[0], "during"); /* A's own watchers still see it, at once */
	ck_assert_uint_eq(ra.got->len, 2);
	ck_assert_str_eq(g_ptr_array_index(ra.got, 1), "during");
	ck_assert_uint_eq(rb.got->len, 1);

	testsrv_start(&srv, port);
	ck_assert(spin_until(both_subscribed, n, 8000));
	pub(&n[0], "after");
	w.n = 2;
	ck_assert(spin_until(both_have, &w, 2000));
	spin_for(200);
	ck_assert_uint_eq(ra.got->len, 3);
	ck_assert_uint_eq(rb.got->len, 2);
	ck_assert_str_eq(g_ptr_array_index(ra.got, 2), "after");
	ck_assert_str_eq(g_ptr_array_index(rb.got, 1), "after");
	bus_redis_stats(n[0].br, &st);
	ck_assert_uint_eq(st.local, 1);
	bus_redis_stats(n[1].br, &st);
	ck_assert_uint_eq(st.gaps, 1); /* "during" never reached B */

	node_close(&n[0]);
	node_close(&n[1]);
	rec_clear(&ra);
	rec_clear(&rb);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(malformed_and_duplicates)
{
	struct testsrv srv;
	struct node n;
	struct rec r;
	struct bus_redis_stats st;
	redisReply *x;
	static const char *bad[] = {"plain",  "S1 ",          "S1 A\n",
	                            "S1 A 1", "S1 A x\nbody", "S1 A 0\nzero"};

	testsrv_start(&srv, 0);
	node_open(&n, srv.url, "A");
	rec_init(&r);
	bus_subscribe(n.bus, TOPIC, on_event, &r);
	while (!redis_conn_subscribed(n.rc, CHAN))
		g_main_context_iteration(NULL, TRUE);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		freeReplyObject(
		    testsrv_cmd(&srv, "PUBLISH %s %s", CHAN, bad[i]));
	/* another node's message, then the same again (a replay) */
	for (int i = 0; i < 2; i++) {
		x = testsrv_cmd(&srv, "PUBLISH %s %s", CHAN, "S1 Z 5\nhello");
		ck_assert_int_eq(x->integer, 1);
		freeReplyObject(x);
	}
	spin_for(300);
	ck_assert_uint_eq(r.got->len, 1);
	ck_assert_str_eq(g_ptr_array_index(r.got, 0), "hello");
	bus_redis_stats(n.br, &st);
	ck_assert_uint_eq(st.malformed, G_N_ELEMENTS(bad));
	ck_assert_uint_eq(st.duplicates, 1);
	node_close(&n);
	rec_clear(&r);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(install_errors)
{
	struct redis_conn *rc;
	struct bus *bus = bus_new();
	struct bus_redis *br = (void *)1;
	struct err_detail err = {0};

	ck_assert_int_eq(redis_conn_new("redis://127.0.0.1:1", NULL, &rc, &err),
	                 0);
	ck_assert_int_eq(bus_redis_install(bus, rc, "has space", &br),
	                 ERR_INVALID);
	ck_assert_ptr_null(br);
	ck_assert_int_eq(bus_redis_install(bus, rc, "", NULL), ERR_INVALID);
	ck_assert_int_eq(bus_redis_install(NULL, rc, NULL, NULL), ERR_INVALID);
	ck_assert_int_eq(bus_redis_install(bus, rc, NULL, &br), 0);
	ck_assert_uint_gt(strlen(bus_redis_node(br)), 8); /* random */
	/* down from the start: publishing is local and succeeds */
	ck_assert_int_eq(bus_publish(bus, "t:1", "m", 1), 0);
	bus_set_backend(bus, NULL, NULL);
	ck_assert_str_eq(bus_backend_name(bus), "local");
	redis_conn_free(rc);
	bus_free(bus);
}
END_TEST

static Suite *bus_redis_suite(void)
{
	Suite *s = suite_create("bus_redis");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, once_on_each_node);
	tcase_add_test(tc, order_over_1000);
	tcase_add_test(tc, publish_before_confirmation);
	tcase_add_test(tc, down_delivers_locally_then_resubscribes);
	tcase_add_test(tc, malformed_and_duplicates);
	tcase_add_test(tc, install_errors);
	suite_add_tcase(s, tc);
	return s;
}

/* SIGPIPE ignored as the daemon does (cluster.c). */
SINIAN_CHECK_MAIN_AFTER(bus_redis_suite, signal(SIGPIPE, SIG_IGN))
