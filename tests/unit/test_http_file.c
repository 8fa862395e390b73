/* test_http_file.c — the pure parts of file serving: Range header parsing
 * (single ranges only, unsatisfiable ones for 416), content types by
 * extension, and the path check that keeps requests inside web/. */
#include "http.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* Parse h for a file of size; expect rc and, when 1, the range. */
static void range(const char *h, off_t size, int want, off_t wfrom, off_t wto)
{
	off_t from = -7, to = -7;
	int rc = http_range_parse(h, size, &from, &to);

	ck_assert_msg(rc == want, "'%s' size %lld: rc %d, want %d",
	              h ? h : "(null)", (long long)size, rc, want);
	if (want == 1)
		ck_assert_msg(from == wfrom && to == wto,
		              "'%s' size %lld: %lld-%lld, want %lld-%lld", h,
		              (long long)size, (long long)from, (long long)to,
		              (long long)wfrom, (long long)wto);
}

START_TEST(range_satisfiable)
{
	range("bytes=0-4", 10, 1, 0, 4);
	range("bytes=5-", 10, 1, 5, 9);
	range("bytes=-3", 10, 1, 7, 9);
	range("bytes=0-0", 10, 1, 0, 0);
	range("bytes=9-9", 10, 1, 9, 9);
	range("bytes=0-", 10, 1, 0, 9);
	range("bytes=9-", 10, 1, 9, 9);
	/* an end past the file is clipped; a suffix longer than the file is
	 * the whole file */
	range("bytes=3-100", 10, 1, 3, 9);
	range("bytes=-20", 10, 1, 0, 9);
	range("bytes=-10", 10, 1, 0, 9);
	range("bytes=0-1048575", 5 * 1048576LL, 1, 0, 1048575);
	range("bytes=4294967296-4294967300", 8589934592LL, 1, 4294967296LL,
	      4294967300LL);
}
END_TEST

START_TEST(range_unsatisfiable)
{
	range("bytes=10-", 10, -1, 0, 0);
	range("bytes=10-20", 10, -1, 0, 0);
	range("bytes=100-200", 10, -1, 0, 0);
	range("bytes=0-", 0, -1, 0, 0);
	range("bytes=-5", 0, -1, 0, 0);
	range("bytes=99999999999999999999-", 10, -1, 0, 0);
}
END_TEST

START_TEST(range_not_understood)
{
	static const char *const bad[] = {
	    "",
	    "bytes=",
	    "bytes=-",
	    "bytes=a-b",
	    "bytes=1-a",
	    "bytes=5-2",
	    "bytes=0-4x",
	    "bytes=-3x",
	    "bytes=--3",
	    "bytes=-0",
	    "bytes = 0-4",
	    " bytes=0-4",
	    "Bytes=0-4",
	    "items=0-4",
	    "bytes=0",
	    "bytes=x",
	    "bytes=0-1,3-4",
	    "bytes=0-1, 3-4",
	    "bytes=-1,-2",
	};

	range(NULL, 10, 0, 0, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		range(bad[i], 10, 0, 0, 0);
}
END_TEST

START_TEST(mime)
{
	ck_assert_str_eq(http_mime("index.html"), "text/html; charset=utf-8");
	ck_assert_str_eq(http_mime("/x/INDEX.HTML"),
	                 "text/html; charset=utf-8");
	ck_assert_str_eq(http_mime("site.css"), "text/css; charset=utf-8");
	ck_assert_str_eq(http_mime("app.js"), "text/javascript; charset=utf-8");
	ck_assert_str_eq(http_mime("mod.mjs"),
	                 "text/javascript; charset=utf-8");
	ck_assert_str_eq(http_mime("a.json"),
	                 "application/json; charset=utf-8");
	ck_assert_str_eq(http_mime("logo.svg"), "image/svg+xml");
	ck_assert_str_eq(http_mime("p.png"), "image/png");
	ck_assert_str_eq(http_mime("p.jpg"), "image/jpeg");
	ck_assert_str_eq(http_mime("p.JPEG"), "image/jpeg");
	ck_assert_str_eq(http_mime("p.webp"), "image/webp");
	ck_assert_str_eq(http_mime("favicon.ico"), "image/x-icon");
	ck_assert_str_eq(http_mime("f.woff2"), "font/woff2");
	ck_assert_str_eq(http_mime("robots.txt"), "text/plain; charset=utf-8");
	ck_assert_str_eq(http_mime("r.mp4"), "video/mp4");
	ck_assert_str_eq(http_mime("r.webm"), "video/webm");
	ck_assert_str_eq(http_mime("site.webmanifest"),
	                 "application/manifest+json");
	/* unknown or no extension */
	ck_assert_str_eq(http_mime("README"), "application/octet-stream");
	ck_assert_str_eq(http_mime("a.exe"), "application/octet-stream");
	ck_assert_str_eq(http_mime("a.tar.gz"), "application/octet-stream");
	ck_assert_str_eq(http_mime("dir.d/file"), "application/octet-stream");
	ck_assert_str_eq(http_mime("a.html.bak"), "application/octet-stream");
	ck_assert_str_eq(http_mime(""), "application/octet-stream");
}
END_TEST

START_TEST(path_safe)
{
	static const char *const good[] = {
	    "/",     "/index.html", "/css/site.css",   "/a/b.c/d",
	    "/a..b", "/a/b./c",     "/思念/页面.html", "/m/demo",
	};
	static const char *const bad[] = {
	    "",        "index.html", "/..",      "/../etc/passwd",
	    "/a/../b", "/a/b/..",    "/.hidden", "/.git/config",
	    "/a/.env", "/.",         "/a/./b",   "/a\\b",
	    "/..\\x",  "/a\nb",      "/a\tb",    "/a\rb",
	    "/a\x01",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(http_path_safe(good[i]), "refused: %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!http_path_safe(bad[i]), "accepted: %s", bad[i]);
}
END_TEST

static Suite *http_file_suite(void)
{
	Suite *s = suite_create("http_file");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, range_satisfiable);
	tcase_add_test(tc, range_unsatisfiable);
	tcase_add_test(tc, range_not_understood);
	tcase_add_test(tc, mime);
	tcase_add_test(tc, path_safe);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(http_file_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
