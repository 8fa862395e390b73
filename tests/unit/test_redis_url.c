/* test_redis_url.c — parsing redis_url: defaults, database, user and
 * password (percent-encoded), IPv6 hosts, and every malformed form refused
 * with a reason that never shows the password. */
#include "err.h"
#include "redis_url.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

START_TEST(url_ok)
{
	struct redis_url u;
	struct err_detail err = {0};

	ck_assert_int_eq(redis_url_parse("redis://127.0.0.1:6380/2", &u, &err),
	                 0);
	ck_assert_str_eq(u.host, "127.0.0.1");
	ck_assert_int_eq(u.port, 6380);
	ck_assert_int_eq(u.db, 2);
	ck_assert_str_eq(u.password, "");
	ck_assert_int_eq(redis_url_parse("redis://localhost", &u, &err), 0);
	ck_assert_int_eq(u.port, 6379);
	ck_assert_int_eq(u.db, 0);
	ck_assert_int_eq(redis_url_parse("redis://:s%40cret@h:1/", &u, &err),
	                 0);
	ck_assert_str_eq(u.password, "s@cret");
	ck_assert_str_eq(u.user, "");
	ck_assert_str_eq(u.host, "h");
	ck_assert_int_eq(u.port, 1);
	ck_assert_int_eq(
	    redis_url_parse("redis://ann:pw@[::1]:7000/3", &u, &err), 0);
	ck_assert_str_eq(u.user, "ann");
	ck_assert_str_eq(u.password, "pw");
	ck_assert_str_eq(u.host, "::1");
	ck_assert_int_eq(u.port, 7000);
	ck_assert_int_eq(u.db, 3);
}
END_TEST

START_TEST(url_bad)
{
	static const char *bad[] = {
	    "",
	    "http://127.0.0.1",
	    "rediss://127.0.0.1:6379",
	    "redis://",
	    "redis://:6379",
	    "redis://h:0",
	    "redis://h:65536",
	    "redis://h:12x",
	    "redis://h:1/x",
	    "redis://h:1/-1",
	    "redis://[::1",
	    "redis://:pw%4@h",
	};
	struct redis_url u;
	struct err_detail err = {0};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		err.msg[0] = '\0';
		ck_assert_msg(redis_url_parse(bad[i], &u, &err) == ERR_INVALID,
		              "accepted %s", bad[i]);
		ck_assert_msg(err.msg[0], "no reason for %s", bad[i]);
	}
	/* the reason never shows a password */
	redis_url_parse("redis://:topsecret@h:99999", &u, &err);
	ck_assert_ptr_null(strstr(err.msg, "topsecret"));
	ck_assert_int_eq(redis_url_parse(NULL, &u, &err), ERR_INVALID);
}
END_TEST

static Suite *redis_url_suite(void)
{
	Suite *s = suite_create("redis_url");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, url_ok);
	tcase_add_test(tc, url_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(redis_url_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
