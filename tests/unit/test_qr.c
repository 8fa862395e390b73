/* test_qr.c — QR codes as SVG: a well-formed document whose size follows
 * the text's length, and refusals of empty or oversized text; as PNG: a
 * picture of the right size with the finder pattern where it belongs. */
#include "err.h"
#include "qr.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

START_TEST(svg_document)
{
	size_t len = 0, len2 = 0;
	char *svg = qr_svg("http://127.0.0.1:8080/m/demo", 8, &len);
	char *big;
	char text[400];

	ck_assert_ptr_nonnull(svg);
	ck_assert_uint_eq(strlen(svg), len);
	ck_assert(strncmp(svg, "<?xml", 5) == 0);
	ck_assert_ptr_nonnull(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/"
	                                  "svg\""));
	ck_assert_ptr_nonnull(strstr(svg, "</svg>"));
	/* version 3 (29 modules) plus a 4-module quiet zone each side */
	ck_assert_ptr_nonnull(strstr(svg, "viewBox=\"0 0 37 37\""));
	ck_assert_ptr_nonnull(strstr(svg, "width=\"296\""));
	/* the top-left finder pattern starts at the quiet zone */
	ck_assert_ptr_nonnull(strstr(svg, "M4 4h1v1h-1z"));
	ck_assert_ptr_null(strstr(svg, "M0 0h1"));
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	big = qr_svg(text, 8, &len2);
	ck_assert_ptr_nonnull(big);
	ck_assert_uint_gt(len2, len);
	free(big);
	free(svg);
}
END_TEST

START_TEST(refusals)
{
	char *huge = malloc(5000);

	ck_assert_ptr_null(qr_svg("", 8, NULL));
	ck_assert_ptr_null(qr_svg(NULL, 8, NULL));
	ck_assert_ptr_null(qr_svg("abc", 0, NULL));
	memset(huge, 'x', 4999);
	huge[4999] = '\0';
	ck_assert_ptr_null(qr_svg(huge, 8, NULL));
	free(huge);
}
END_TEST

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

START_TEST(png_picture)
{
	uint8_t *png = NULL;
	size_t len = 0;

	ck_assert_int_eq(qr_png("http://127.0.0.1:8080/m/demo", 10, &png, &len),
	                 0);
	ck_assert_uint_gt(len, 33);
	ck_assert(memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
	ck_assert(memcmp(png + 12, "IHDR", 4) == 0);
	/* 29 modules and 4 quiet ones each side, 10 px each */
	ck_assert_uint_eq(be32(png + 16), 370);
	ck_assert_uint_eq(be32(png + 20), 370);
	g_free(png);
	ck_assert_int_eq(qr_png("", 10, &png, &len), ERR_INVALID);
	ck_assert_int_eq(qr_png("abc", 0, &png, &len), ERR_INVALID);
	ck_assert_int_eq(qr_png("abc", 65, &png, &len), ERR_INVALID);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qr");
	TCase *tc = tcase_create("svg");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, svg_document);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, png_picture);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
