/* test_share.c — share cards: a 1200×630 PNG, with or without a portrait
 * (a broken portrait is left out), the key that changes with anything the
 * card shows, and the cache that drops a card drawn for an old key and
 * keeps at most its size. */
#include "share.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#ifndef SINIAN_SOURCE_DIR
#define SINIAN_SOURCE_DIR "."
#endif

static char *data_path(const char *name)
{
	const char *src = g_getenv("SINIAN_SOURCE_DIR");

	return g_build_filename(src ? src : SINIAN_SOURCE_DIR, "tests", "data",
	                        "images", name, NULL);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void check_png(const struct share_card *c)
{
	uint8_t *png = NULL;
	size_t len = 0;

	ck_assert_int_eq(share_card_render(c, &png, &len), 0);
	ck_assert_uint_gt(len, 1000);
	ck_assert(memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
	ck_assert_uint_eq(be32(png + 16), SHARE_CARD_W);
	ck_assert_uint_eq(be32(png + 20), SHARE_CARD_H);
	g_free(png);
}

START_TEST(cards)
{
	struct share_card c = {0};
	char *jpg = data_path("plain.jpg");

	check_png(&c); /* the site's card */
	g_strlcpy(c.name, "李秀英", sizeof(c.name));
	g_strlcpy(c.dates, "1936.03.12 – 2025.01.08", sizeof(c.dates));
	g_strlcpy(c.title, "李秀英老师纪念馆", sizeof(c.title));
	check_png(&c); /* no portrait: the first character */
	g_strlcpy(c.portrait, jpg, sizeof(c.portrait));
	check_png(&c);
	g_strlcpy(c.portrait, "/nonexistent/portrait.jpg", sizeof(c.portrait));
	check_png(&c); /* unreadable: left out */
	g_free(jpg);
}
END_TEST

START_TEST(keys)
{
	struct share_card a = {0}, b;
	char ka[65], kb[65];

	g_strlcpy(a.name, "李秀英", sizeof(a.name));
	g_strlcpy(a.title, "纪念馆", sizeof(a.title));
	share_card_key(&a, ka);
	ck_assert_uint_eq(strlen(ka), 64);
	b = a;
	share_card_key(&b, kb);
	ck_assert_str_eq(ka, kb);
	g_strlcpy(b.name, "李秀兰", sizeof(b.name));
	share_card_key(&b, kb);
	ck_assert_str_ne(ka, kb);
	b = a;
	g_strlcpy(b.portrait_id, "ab", sizeof(b.portrait_id));
	share_card_key(&b, kb);
	ck_assert_str_ne(ka, kb);
	/* fields do not run into each other */
	b = a;
	g_strlcpy(b.name, "李秀英纪", sizeof(b.name));
	g_strlcpy(b.title, "念馆", sizeof(b.title));
	share_card_key(&b, kb);
	ck_assert_str_ne(ka, kb);
}
END_TEST

START_TEST(cache)
{
	struct share_cache *sc = share_cache_new(2);
	GBytes *png = g_bytes_new("x", 1), *got;

	ck_assert_ptr_null(share_cache_get(sc, "m:1", "k1"));
	share_cache_put(sc, "m:1", "k1", png);
	got = share_cache_get(sc, "m:1", "k1");
	ck_assert_ptr_eq(got, png);
	g_bytes_unref(got);
	/* drawn for an old key: dropped */
	ck_assert_ptr_null(share_cache_get(sc, "m:1", "k2"));
	ck_assert_ptr_null(share_cache_get(sc, "m:1", "k1"));
	share_cache_put(sc, "m:1", "k1", png);
	share_cache_put(sc, "m:2", "k1", png);
	share_cache_put(sc, "m:3", "k1", png); /* m:1 goes */
	ck_assert_ptr_null(share_cache_get(sc, "m:1", "k1"));
	got = share_cache_get(sc, "m:3", "k1");
	ck_assert_ptr_nonnull(got);
	g_bytes_unref(got);
	share_cache_drop(sc, "m:3");
	ck_assert_ptr_null(share_cache_get(sc, "m:3", "k1"));
	share_cache_drop(sc, "m:9");
	g_bytes_unref(png);
	share_cache_free(sc);
	share_cache_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("share");
	TCase *tc = tcase_create("share");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, cards);
	tcase_add_test(tc, keys);
	tcase_add_test(tc, cache);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
