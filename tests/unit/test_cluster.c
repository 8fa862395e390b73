/* test_cluster.c — the wiring of the Redis pieces into struct app: without
 * redis_url everything stays in-process; a bad URL fails start-up and
 * leaves nothing behind; with Redis the bus and rate limits get their
 * Redis backends, health follows Redis up and down, /metrics figures are
 * set, and stopping restores the
 * in-process backends. Every function accepts a NULL cluster. */
#include "app.h"
#include "bus.h"
#include "cluster.h"
#include "config.h"
#include "err.h"
#include "metrics.h"
#include "presence.h"
#include "ratelimit.h"
#include "redis_testsrv.h"
#include "store.h"

#include <check.h>
#include <glib.h>

struct fixture {
	struct app app;
	char dir[64];
};

static void fx_open(struct fixture *f, const char *redis_url)
{
	struct err_detail err = {0};
	char path[128];

	memset(f, 0, sizeof(*f));
	config_defaults(&f->app.cfg);
	snprintf(f->app.cfg.redis_url, sizeof(f->app.cfg.redis_url), "%s",
	         redis_url);
	snprintf(f->dir, sizeof(f->dir), "/tmp/sinian-cluster-XXXXXX");
	ck_assert_ptr_nonnull(g_mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/sinian.db", f->dir);
	ck_assert_int_eq(store_open(path, &f->app.store, &err), 0);
	f->app.bus = bus_new();
	f->app.ratelimit = ratelimit_new();
}

static void fx_close(struct fixture *f)
{
	char path[160];

	cluster_stop(&f->app);
	ratelimit_free(f->app.ratelimit);
	bus_free(f->app.bus);
	store_close(f->app.store);
	for (const char *const *s =
	         (const char *const[]){"sinian.db", "sinian.db-wal",
	                               "sinian.db-shm", NULL};
	     *s; s++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, *s);
		unlink(path);
	}
	rmdir(f->dir);
}

/* Wait until the cluster says want ("up" / "down"). */
static bool wait_state(struct fixture *f, const char *want)
{
	int64_t end = g_get_monotonic_time() + 8 * G_USEC_PER_SEC;

	while (g_get_monotonic_time() < end) {
		const char *s = cluster_redis_state(f->app.cluster);

		if (s && strcmp(s, want) == 0)
			return true;
		g_main_context_iteration(NULL, FALSE);
		g_usleep(1000);
	}
	return false;
}

START_TEST(without_redis)
{
	struct fixture f;
	struct err_detail err = {0};
	struct metrics *m = metrics_new();
	char *text;

	fx_open(&f, "");
	ck_assert_int_eq(cluster_start(&f.app, &err), 0);
	ck_assert_ptr_nonnull(f.app.cluster);
	ck_assert_ptr_null(cluster_redis_state(f.app.cluster));
	ck_assert_str_eq(bus_backend_name(f.app.bus), "local");
	ck_assert_ptr_nonnull(cluster_presence(f.app.cluster));
	cluster_viewer_joined(f.app.cluster, 1, "v1");
	cluster_viewer_joined(f.app.cluster, 1, "v2");
	cluster_viewer_left(f.app.cluster, 1, "v1");
	ck_assert_uint_eq(
	    presence_local_count(cluster_presence(f.app.cluster), "ceremony:1"),
	    1);
	cluster_metrics(f.app.cluster, m);
	text = metrics_render(m);
	ck_assert_ptr_nonnull(strstr(text, "sinian_bus_backend_redis 0\n"));
	ck_assert_ptr_null(strstr(text, "sinian_redis_up"));
	g_free(text);
	metrics_free(m);
	fx_close(&f);
}
END_TEST

START_TEST(bad_url)
{
	struct fixture f;
	struct err_detail err = {0};

	fx_open(&f, "redis://:secret@host:99999");
	ck_assert_int_eq(cluster_start(&f.app, &err), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "port"));
	ck_assert_ptr_null(strstr(err.msg, "secret"));
	ck_assert_ptr_null(f.app.cluster);
	ck_assert_str_eq(bus_backend_name(f.app.bus), "local");
	fx_close(&f);
}
END_TEST

START_TEST(with_redis)
{
	struct testsrv srv;
	struct fixture f;
	struct err_detail err = {0};
	struct metrics *m = metrics_new();
	char *text;
	int port, retry;

	testsrv_start(&srv, 0);
	port = srv.port;
	fx_open(&f, srv.url);
	ck_assert_int_eq(cluster_start(&f.app, &err), 0);
	ck_assert_str_eq(bus_backend_name(f.app.bus), "redis");
	ck_assert(wait_state(&f, "up"));
	/* the rate limits ask Redis */
	ck_assert(ratelimit_take(f.app.ratelimit, "w:x", 1, 1, 0, &retry));
	ck_assert_uint_eq(ratelimit_size(f.app.ratelimit), 0);
	cluster_metrics(f.app.cluster, m);
	text = metrics_render(m);
	ck_assert_ptr_nonnull(strstr(text, "sinian_bus_backend_redis 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "sinian_redis_up 1\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "sinian_ratelimit_redis_answered_total 1\n"));
	g_free(text);

	testsrv_stop(&srv);
	ck_assert(wait_state(&f, "down"));
	cluster_metrics(f.app.cluster, m);
	text = metrics_render(m);
	ck_assert_ptr_nonnull(strstr(text, "sinian_redis_up 0\n"));
	g_free(text);
	testsrv_start(&srv, port);
	ck_assert(wait_state(&f, "up"));
	cluster_metrics(f.app.cluster, m);
	text = metrics_render(m);
	ck_assert_ptr_nonnull(
	    strstr(text, "sinian_redis_reconnects_total 1\n"));
	g_free(text);

	cluster_stop(&f.app);
	ck_assert_ptr_null(f.app.cluster);
	ck_assert_str_eq(bus_backend_name(f.app.bus), "local");
	ck_assert(ratelimit_take(f.app.ratelimit, "w:x", 1, 1, 0, &retry));
	ck_assert_uint_eq(ratelimit_size(f.app.ratelimit), 1); /* local */
	metrics_free(m);
	fx_close(&f);
	testsrv_stop(&srv);
}
END_TEST

START_TEST(null_cluster)
{
	struct app app;
	struct metrics *m = metrics_new();

	memset(&app, 0, sizeof(app));
	cluster_stop(&app);
	ck_assert_ptr_null(cluster_redis_state(NULL));
	ck_assert_ptr_null(cluster_presence(NULL));
	cluster_viewer_joined(NULL, 1, "v");
	cluster_viewer_left(NULL, 1, "v");
	cluster_metrics(NULL, m);
	metrics_free(m);
}
END_TEST

static Suite *cluster_suite(void)
{
	Suite *s = suite_create("cluster");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, without_redis);
	tcase_add_test(tc, bad_url);
	tcase_add_test(tc, with_redis);
	tcase_add_test(tc, null_cluster);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cluster_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
