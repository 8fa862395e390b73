/* test_presence.c — members per room across nodes with expiry: two nodes
 * count together, one member on two nodes counts once, leaving removes at
 * once, a node that dies (stops refreshing) drops out within the ttl, a
 * node that lives keeps its members past the ttl, Redis losing everything
 * is repaired by the refresh, and with Redis down or no Redis the count
 * is this node's. */
#include "check_main.h"
#include "err.h"
#include "presence.h"
#include "redis_conn.h"
#include "redis_testsrv.h"

#include <check.h>
#include <glib.h>

#define ROOM "ceremony:3"

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
	struct err_detail err = {0};

	ck_assert_int_eq(redis_conn_new(url, &o, &rc, &err), 0);
	ck_assert(spin_until(is_up, rc, 3000));
	return rc;
}

struct count {
	int calls, rc;
	unsigned n;
};

static void on_count(void *ud, const char *room, int rc, unsigned n)
{
	struct count *c = ud;

	ck_assert_str_eq(room, ROOM);
	c->calls++;
	c->rc = rc;
	c->n = n;
}

static bool counted(void *ud)
{
	return ((struct count *)ud)->calls > 0;
}

/* Count and wait; *rc gets the answer's code. */
static unsigned count(struct presence *p, int *rc)
{
	struct count c = {0};

	ck_assert_int_eq(presence_count(p, ROOM, on_count, &c), 0);
	ck_assert(spin_until(counted, &c, 3000));
	ck_assert_int_eq(c.calls, 1);
	*rc = c.rc;
	return c.n;
}

static unsigned count_ok(struct presence *p)
{
	int rc;
	unsigned n = count(p, &rc);

	ck_assert_int_eq(rc, 0);
	return n;
}

struct expect {
	struct presence *p;
	unsigned n;
};

static bool count_is(void *ud)
{
	struct expect *e = ud;

	return count_ok(e->p) == e->n;
}

START_TEST(across_nodes_and_expiry)
{
	struct testsrv srv;
	struct redis_conn *rc[2];
	struct presence *p[2];
	struct expect e;
	redisReply *r;

	testsrv_start(&srv, 0);
	for (int i = 0; i < 2; i++) {
		rc[i] = conn(srv.url);
		p[i] = presence_new(rc[i], 600, 150); /* ttl 0.6 s */
	}
	ck_assert_int_eq(presence_join(p[0], ROOM, "v1"), 0);
	ck_assert_int_eq(presence_join(p[0], ROOM, "v2"), 0);
	ck_assert_int_eq(presence_join(p[1], ROOM, "v3"), 0);
	ck_assert_int_eq(presence_join(p[1], ROOM, "v1"), 0); /* both */
	e = (struct expect){p[0], 3}; /* node 1's joins on its own link */
	ck_assert(spin_until(count_is, &e, 1000));
	ck_assert_uint_eq(count_ok(p[1]), 3);
	ck_assert_uint_eq(presence_local_count(p[0], ROOM), 2);
	ck_assert_int_eq(presence_leave(p[0], ROOM, "v2"), 0);
	e = (struct expect){p[1], 2};
	ck_assert(spin_until(count_is, &e, 1000));
	ck_assert_uint_eq(presence_local_count(p[0], ROOM), 1);

	/* the living keep their members well past the ttl */
	spin_for(1500);
	ck_assert_uint_eq(count_ok(p[1]), 2);
	r = testsrv_cmd(&srv, "PTTL " PRESENCE_PREFIX ROOM);
	ck_assert_int_gt(r->integer, 0);
	ck_assert_int_le(r->integer, 1200);
	freeReplyObject(r);

	/* node 1 dies: no leave, no refresh. v1 stays (node 0 has it), v3
	 * is gone within the ttl */
	presence_free(p[1]);
	redis_conn_free(rc[1]);
	e = (struct expect){p[0], 1};
	ck_assert(spin_until(count_is, &e, 3000));
	r = testsrv_cmd(&srv, "ZRANGE " PRESENCE_PREFIX ROOM " 0 -1");
	ck_assert_uint_eq(r->elements, 1);
	ck_assert_str_eq(r->element[0]->str, "v1");
	freeReplyObject(r);

	/* graceful: gone at once */
	presence_leave_all(p[0]);
	ck_assert_uint_eq(presence_local_count(p[0], ROOM), 0);
	ck_assert_uint_eq(count_ok(p[0]), 0);
	presence_free(p[0]);
	redis_conn_free(rc[0]);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(down_and_back)
{
	struct testsrv srv;
	struct redis_conn *rc;
	struct presence *p;
	struct expect e;
	int port, code;

	testsrv_start(&srv, 0);
	port = srv.port;
	rc = conn(srv.url);
	p = presence_new(rc, 5000, 2000); /* refresh is not what repairs */
	presence_join(p, ROOM, "a");
	presence_join(p, ROOM, "b");
	ck_assert_uint_eq(count_ok(p), 2);
	testsrv_stop(&srv);
	ck_assert(spin_until(is_down, rc, 3000));
	presence_join(p, ROOM, "c"); /* while down */
	ck_assert_uint_eq(count(p, &code), 3);
	ck_assert_int_eq(code, ERR_UNAVAILABLE); /* this node's count */
	testsrv_start(&srv, port);               /* an empty Redis */
	ck_assert(spin_until(is_up, rc, 8000));
	e = (struct expect){p, 3};
	ck_assert(spin_until(count_is, &e, 1000)); /* refreshed on "up" */
	presence_free(p);
	redis_conn_free(rc);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(local_only_and_errors)
{
	struct presence *p = presence_new(NULL, 0, 0);
	struct count c = {0};
	char big[PRESENCE_ID_MAX + 2];
	int code;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(presence_join(NULL, ROOM, "a"), 0); /* hooks */
	ck_assert_int_eq(presence_leave(NULL, ROOM, "a"), 0);
	ck_assert_int_eq(presence_join(p, ROOM, ""), ERR_INVALID);
	ck_assert_int_eq(presence_join(p, "", "a"), ERR_INVALID);
	ck_assert_int_eq(presence_join(p, ROOM, big), ERR_INVALID);
	ck_assert_int_eq(presence_leave(p, ROOM, NULL), ERR_INVALID);
	ck_assert_int_eq(presence_count(p, ROOM, NULL, NULL), ERR_INVALID);
	ck_assert_int_eq(presence_count(NULL, ROOM, on_count, &c), ERR_INVALID);
	ck_assert_int_eq(presence_join(p, ROOM, "a"), 0);
	ck_assert_int_eq(presence_join(p, ROOM, "a"), 0);
	ck_assert_int_eq(presence_join(p, ROOM, "b"), 0);
	ck_assert_uint_eq(count(p, &code), 2);
	ck_assert_int_eq(code, ERR_UNAVAILABLE);
	ck_assert_int_eq(presence_leave(p, ROOM, "zz"), 0); /* not there */
	ck_assert_int_eq(presence_leave(p, ROOM, "a"), 0);
	ck_assert_uint_eq(presence_local_count(p, ROOM), 1);
	ck_assert_uint_eq(presence_local_count(NULL, ROOM), 0);
	presence_leave_all(p);
	presence_leave_all(NULL);
	presence_free(p);
	presence_free(NULL);
}
END_TEST

START_TEST(free_with_count_in_flight)
{
	struct testsrv srv;
	struct redis_conn *rc;
	struct presence *p;
	struct count c = {0};

	testsrv_start(&srv, 0);
	rc = conn(srv.url);
	p = presence_new(rc, 0, 0);
	presence_join(p, ROOM, "a");
	ck_assert_int_eq(presence_count(p, ROOM, on_count, &c), 0);
	presence_free(p);
	spin_for(100);
	redis_conn_free(rc);
	ck_assert_int_eq(c.calls, 0);
	testsrv_stop(&srv);
}
END_TEST

static Suite *presence_suite(void)
{
	Suite *s = suite_create("presence");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, across_nodes_and_expiry);
	tcase_add_test(tc, down_and_back);
	tcase_add_test(tc, local_only_and_errors);
	tcase_add_test(tc, free_with_count_in_flight);
	suite_add_tcase(s, tc);
	return s;
}

/* SIGPIPE ignored as the daemon does (cluster.c). */
SINIAN_CHECK_MAIN_AFTER(presence_suite, signal(SIGPIPE, SIG_IGN))
