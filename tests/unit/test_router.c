/* test_router.c — route matching: literals, {param} and {rest*} segments,
 * precedence of literal segments, 404 against 405 with its Allow list,
 * HEAD as GET, and the patterns router_add must refuse. */
#include "err.h"
#include "router.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct handler "addresses" to tell routes apart. */
static int h_a, h_b, h_c, h_d, h_e;
#define A ((void *)&h_a)
#define B ((void *)&h_b)
#define C ((void *)&h_c)
#define D ((void *)&h_d)
#define E ((void *)&h_e)

static struct router *r;

static void setup(void)
{
	r = router_new();
	ck_assert_ptr_nonnull(r);
}

static void teardown(void)
{
	router_free(r);
	r = NULL;
}

/* Match and return the handler, or NULL with *rc set. */
static void *match(const char *method, const char *path,
                   struct router_params *p, int *rc)
{
	const struct route *rt = NULL;
	char allow[128];
	struct router_params local;

	*rc = router_match(r, method, path, &rt, p ? p : &local, allow,
	                   sizeof(allow));
	return *rc == 0 ? rt->handler : NULL;
}

START_TEST(literal)
{
	struct router_params p;
	const struct route *rt = NULL;
	char allow[64];
	int rc;

	ck_assert_int_eq(router_add(r, "GET", "/healthz", A, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/metrics", B, ROUTE_RAW), 0);
	ck_assert_int_eq(
	    router_match(r, "GET", "/healthz", &rt, &p, allow, sizeof(allow)),
	    0);
	ck_assert_ptr_eq(rt->handler, A);
	ck_assert_str_eq(rt->pattern, "/healthz");
	ck_assert_str_eq(rt->method, "GET");
	ck_assert_int_eq(p.n, 0);
	ck_assert_ptr_eq(match("GET", "/metrics", &p, &rc), B);
	ck_assert_int_eq(router_match(r, "GET", "/metrics", &rt, &p, NULL, 0),
	                 0);
	ck_assert_uint_eq(rt->flags, ROUTE_RAW);
	/* no prefix, suffix or trailing-slash matches */
	ck_assert_ptr_null(match("GET", "/healthz/", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
	ck_assert_ptr_null(match("GET", "/health", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
	ck_assert_ptr_null(match("GET", "/healthzz", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
	ck_assert_ptr_null(match("GET", "/", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
	ck_assert_ptr_null(match("GET", "", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
	/* case matters */
	ck_assert_ptr_null(match("GET", "/HEALTHZ", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
}
END_TEST

START_TEST(params)
{
	struct router_params p;
	int rc;

	ck_assert_int_eq(router_add(r, "GET", "/api/memorials/{id}", A, 0), 0);
	ck_assert_int_eq(
	    router_add(r, "GET", "/api/memorials/{id}/tributes/{tid}", B, 0),
	    0);
	ck_assert_ptr_eq(match("GET", "/api/memorials/42", &p, &rc), A);
	ck_assert_int_eq(p.n, 1);
	ck_assert_str_eq(router_param(&p, "id"), "42");
	ck_assert_ptr_null(router_param(&p, "tid"));

	ck_assert_ptr_eq(
	    match("GET", "/api/memorials/7/tributes/abc-9", &p, &rc), B);
	ck_assert_int_eq(p.n, 2);
	ck_assert_str_eq(router_param(&p, "id"), "7");
	ck_assert_str_eq(router_param(&p, "tid"), "abc-9");

	/* a parameter is one non-empty segment */
	ck_assert_ptr_null(match("GET", "/api/memorials/", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
	ck_assert_ptr_null(match("GET", "/api/memorials", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
	ck_assert_ptr_null(match("GET", "/api/memorials/1/2", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
	ck_assert_ptr_null(
	    match("GET", "/api/memorials/1/tributes/", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
	/* a value may hold anything but '/' */
	ck_assert_ptr_eq(match("GET", "/api/memorials/%E6%80%9D.x", &p, &rc),
	                 A);
	ck_assert_str_eq(router_param(&p, "id"), "%E6%80%9D.x");
}
END_TEST

START_TEST(rest)
{
	struct router_params p;
	int rc;

	ck_assert_int_eq(router_add(r, "GET", "/files/{path*}", A, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/c/{id}/r/{seg*}", B, 0), 0);
	ck_assert_ptr_eq(match("GET", "/files/a/b/c.txt", &p, &rc), A);
	ck_assert_int_eq(p.n, 1);
	ck_assert_str_eq(router_param(&p, "path"), "a/b/c.txt");
	ck_assert_ptr_null(router_param(&p, "path*"));
	ck_assert_ptr_eq(match("GET", "/files/one", &p, &rc), A);
	ck_assert_str_eq(router_param(&p, "path"), "one");
	ck_assert_ptr_eq(match("GET", "/files/a/", &p, &rc), A);
	ck_assert_str_eq(router_param(&p, "path"), "a/");
	/* the rest must not be empty */
	ck_assert_ptr_null(match("GET", "/files/", NULL, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);

	ck_assert_ptr_eq(match("GET", "/c/5/r/seg/00001.ts", &p, &rc), B);
	ck_assert_int_eq(p.n, 2);
	ck_assert_str_eq(router_param(&p, "id"), "5");
	ck_assert_str_eq(router_param(&p, "seg"), "seg/00001.ts");
}
END_TEST

static void check_literal_wins(void)
{
	struct router_params p;
	int rc;

	ck_assert_ptr_eq(match("GET", "/x/search", &p, &rc), A);
	ck_assert_int_eq(p.n, 0);
	ck_assert_ptr_eq(match("GET", "/x/17", &p, &rc), B);
	ck_assert_str_eq(router_param(&p, "id"), "17");
	ck_assert_ptr_eq(match("GET", "/x/17/all", &p, &rc), C);
	ck_assert_str_eq(router_param(&p, "id"), "17");
	ck_assert_str_eq(router_param(&p, "what"), "all");
	ck_assert_ptr_eq(match("GET", "/x/new/all", &p, &rc), D);
	ck_assert_int_eq(p.n, 0);
	ck_assert_ptr_eq(match("GET", "/x/search/more/than/one", &p, &rc), E);
	ck_assert_str_eq(router_param(&p, "rest"), "than/one");
}

START_TEST(most_literal_wins)
{
	/* literal added first */
	ck_assert_int_eq(router_add(r, "GET", "/x/search", A, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/x/{id}", B, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/x/{id}/{what}", C, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/x/new/all", D, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/x/{id}/{what}/{rest*}", E, 0),
	                 0);
	check_literal_wins();
}
END_TEST

START_TEST(most_literal_wins_any_order)
{
	/* parameter patterns added first */
	ck_assert_int_eq(router_add(r, "GET", "/x/{id}/{what}/{rest*}", E, 0),
	                 0);
	ck_assert_int_eq(router_add(r, "GET", "/x/{id}/{what}", C, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/x/{id}", B, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/x/new/all", D, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/x/search", A, 0), 0);
	check_literal_wins();
}
END_TEST

START_TEST(not_found_vs_method)
{
	const struct route *rt = NULL;
	struct router_params p;
	char allow[128] = "junk";
	char tiny[4];
	int rc;

	ck_assert_int_eq(router_add(r, "GET", "/api/m/{id}", A, 0), 0);
	ck_assert_int_eq(router_add(r, "DELETE", "/api/m/{id}", B, 0), 0);
	ck_assert_int_eq(router_add(r, "PATCH", "/api/m/{id}", C, 0), 0);
	ck_assert_int_eq(router_add(r, "POST", "/api/m", D, 0), 0);

	rc = router_match(r, "POST", "/api/m/3", &rt, &p, allow, sizeof(allow));
	ck_assert_int_eq(rc, ERR_METHOD);
	ck_assert_str_eq(allow, "GET, DELETE, PATCH");

	rc = router_match(r, "GET", "/api/m", &rt, &p, allow, sizeof(allow));
	ck_assert_int_eq(rc, ERR_METHOD);
	ck_assert_str_eq(allow, "POST");

	rc = router_match(r, "GET", "/api/nope", &rt, &p, allow, sizeof(allow));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
	ck_assert_str_eq(allow, "");

	/* on a match allow lists every method of the path too */
	rc = router_match(r, "DELETE", "/api/m/3", &rt, &p, allow,
	                  sizeof(allow));
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_eq(rt->handler, B);

	/* a buffer too small for the list is never overrun */
	memset(tiny, 'x', sizeof(tiny));
	rc = router_match(r, "PUT", "/api/m/3", &rt, &p, tiny, sizeof(tiny));
	ck_assert_int_eq(rc, ERR_METHOD);
	ck_assert_uint_lt(strlen(tiny), sizeof(tiny));
	/* and allow may be left out */
	rc = router_match(r, "PUT", "/api/m/3", &rt, &p, NULL, 0);
	ck_assert_int_eq(rc, ERR_METHOD);
}
END_TEST

START_TEST(head_matches_get)
{
	const struct route *rt = NULL;
	struct router_params p;
	char allow[64];
	int rc;

	ck_assert_int_eq(router_add(r, "GET", "/page/{slug}", A, 0), 0);
	ck_assert_int_eq(router_add(r, "POST", "/form", B, 0), 0);
	rc = router_match(r, "HEAD", "/page/demo", &rt, &p, allow,
	                  sizeof(allow));
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_eq(rt->handler, A);
	ck_assert_str_eq(router_param(&p, "slug"), "demo");
	/* HEAD of a path without GET is 405 */
	rc = router_match(r, "HEAD", "/form", &rt, &p, allow, sizeof(allow));
	ck_assert_int_eq(rc, ERR_METHOD);
	ck_assert_str_eq(allow, "POST");
}
END_TEST

START_TEST(malformed_patterns)
{
	static const char *const bad[] = {
	    "",
	    "x",
	    "api/x",
	    "/api/{id",
	    "/api/{}",
	    "/api/{*}",
	    "/api{id}",
	    "/api/x{id}",
	    "/api/{id}x",
	    "/api/{id}.json",
	    "/api/{rest*}/more",
	    "/api/{a_name_that_is_far_too_long_for_it}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(router_add(r, "GET", bad[i], A, 0) == ERR_INVALID,
		              "pattern '%s' accepted", bad[i]);
	/* a name of 30 characters fits (31 with '*') */
	ck_assert_int_eq(
	    router_add(r, "GET", "/a/{abcdefghijklmnopqrstuvwxyz0123}", A, 0),
	    0);
	ck_assert_int_eq(
	    router_add(r, "GET", "/b/{abcdefghijklmnopqrstuvwxyz012*}", A, 0),
	    0);
	ck_assert_int_eq(router_add(r, "GET", "/", A, 0), 0);
	{
		struct router_params p;
		int rc;

		ck_assert_ptr_eq(match("GET", "/a/v", &p, &rc), A);
		ck_assert_str_eq(
		    router_param(&p, "abcdefghijklmnopqrstuvwxyz0123"), "v");
		ck_assert_ptr_eq(match("GET", "/b/v/w", &p, &rc), A);
		ck_assert_str_eq(
		    router_param(&p, "abcdefghijklmnopqrstuvwxyz012"), "v/w");
	}
}
END_TEST

START_TEST(duplicates)
{
	ck_assert_int_eq(router_add(r, "GET", "/x/{id}", A, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/x/{id}", B, 0), ERR_CONFLICT);
	ck_assert_int_eq(router_add(r, "POST", "/x/{id}", B, 0), 0);
	ck_assert_int_eq(router_add(r, "POST", "/x/{id}", C, 0), ERR_CONFLICT);
	/* the first one still answers */
	{
		int rc;

		ck_assert_ptr_eq(match("GET", "/x/1", NULL, &rc), A);
		ck_assert_ptr_eq(match("POST", "/x/1", NULL, &rc), B);
	}
}
END_TEST

START_TEST(param_too_long)
{
	char path[ROUTER_PARAM_LEN + 16];
	struct router_params p;
	int rc;

	ck_assert_int_eq(router_add(r, "GET", "/x/{id}", A, 0), 0);
	ck_assert_int_eq(router_add(r, "GET", "/r/{rest*}", B, 0), 0);

	/* ROUTER_PARAM_LEN - 1 characters fit */
	memcpy(path, "/x/", 3);
	memset(path + 3, 'a', ROUTER_PARAM_LEN - 1);
	path[3 + ROUTER_PARAM_LEN - 1] = '\0';
	ck_assert_ptr_eq(match("GET", path, &p, &rc), A);
	ck_assert_uint_eq(strlen(router_param(&p, "id")), ROUTER_PARAM_LEN - 1);

	/* one more is not found, not truncated */
	memset(path + 3, 'a', ROUTER_PARAM_LEN);
	path[3 + ROUTER_PARAM_LEN] = '\0';
	ck_assert_ptr_null(match("GET", path, &p, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);

	path[1] = 'r';
	ck_assert_ptr_null(match("GET", path, &p, &rc));
	ck_assert_int_eq(rc, ERR_NOT_FOUND);
}
END_TEST

START_TEST(many_routes)
{
	static char pats[100][32];
	struct router_params p;
	int rc;

	/* past the initial capacity, so the table grows */
	for (int i = 0; i < 100; i++) {
		snprintf(pats[i], sizeof(pats[i]), "/r%d/{id}", i);
		ck_assert_int_eq(router_add(r, "GET", pats[i], &pats[i], 0), 0);
	}
	for (int i = 0; i < 100; i++) {
		char path[48];

		snprintf(path, sizeof(path), "/r%d/v%d", i, i);
		ck_assert_ptr_eq(match("GET", path, &p, &rc), &pats[i]);
		ck_assert_str_eq(router_param(&p, "id"),
		                 path + strlen(pats[i]) - 4);
	}
	router_free(NULL);
}
END_TEST

static Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, literal);
	tcase_add_test(tc, params);
	tcase_add_test(tc, rest);
	tcase_add_test(tc, most_literal_wins);
	tcase_add_test(tc, most_literal_wins_any_order);
	tcase_add_test(tc, not_found_vs_method);
	tcase_add_test(tc, head_matches_get);
	tcase_add_test(tc, malformed_patterns);
	tcase_add_test(tc, duplicates);
	tcase_add_test(tc, param_too_long);
	tcase_add_test(tc, many_routes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(router_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
