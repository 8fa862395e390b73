/* test_image.c — uploaded images: sniffing by magic bytes, the declared
 * type against the content, and content-addressed storage of the cleaned
 * bytes (the cleaning itself: test_imgclean.c). */
#include "err.h"
#include "fx_files.h"
#include "image.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmpdir;

static bool has(const uint8_t *p, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(p + i, needle, n) == 0)
			return true;
	return false;
}

/* A RIFF/WEBP header with a VP8L chunk of a w×h picture. */
static void webp_vp8l(uint8_t *b, int w, int h)
{
	uint32_t v = (uint32_t)(w - 1) | (uint32_t)(h - 1) << 14;

	memset(b, 0, 32);
	memcpy(b, "RIFF", 4);
	b[4] = 24;
	memcpy(b + 8, "WEBPVP8L", 8);
	b[16] = 5;
	b[20] = 0x2f;
	b[21] = v & 0xff;
	b[22] = (v >> 8) & 0xff;
	b[23] = (v >> 16) & 0xff;
	b[24] = (v >> 24) & 0xff;
}

static void setup(void)
{
	tmpdir = g_dir_make_tmp("sinian-img-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
}

static void teardown(void)
{
	fx_rm_tree(tmpdir);
	g_free(tmpdir);
}

START_TEST(sniffing)
{
	GBytes *jpg = fx_sample("plain.jpg"), *png = fx_sample("gray_4x3.png");
	uint8_t webp[32];
	gsize n;
	const void *p;

	webp_vp8l(webp, 20, 10);
	p = g_bytes_get_data(jpg, &n);
	ck_assert_int_eq(image_sniff(p, n), IMAGE_JPEG);
	p = g_bytes_get_data(png, &n);
	ck_assert_int_eq(image_sniff(p, n), IMAGE_PNG);
	ck_assert_int_eq(image_sniff(webp, sizeof(webp)), IMAGE_WEBP);
	ck_assert_int_eq(image_sniff("GIF89a\x01\x00", 8), IMAGE_NONE);
	ck_assert_int_eq(image_sniff("<svg xmlns=", 11), IMAGE_NONE);
	ck_assert_int_eq(image_sniff("RIFF\0\0\0\0WAVE", 12), IMAGE_NONE);
	ck_assert_int_eq(image_sniff("\xff\xd8", 2), IMAGE_NONE);
	ck_assert_int_eq(image_sniff("", 0), IMAGE_NONE);
	ck_assert_str_eq(image_mime(IMAGE_WEBP), "image/webp");
	ck_assert_ptr_null(image_mime(IMAGE_NONE));
	ck_assert_int_eq(image_type_of_mime("image/PNG; charset=x"), IMAGE_PNG);
	ck_assert_int_eq(image_type_of_mime("image/jpg"), IMAGE_JPEG);
	ck_assert_int_eq(image_type_of_mime("image/pngx"), IMAGE_NONE);
	ck_assert_int_eq(image_type_of_mime("image/gif"), IMAGE_NONE);
	ck_assert_int_eq(image_type_of_mime(NULL), IMAGE_NONE);
	g_bytes_unref(jpg);
	g_bytes_unref(png);
}
END_TEST

START_TEST(store_by_content_hash)
{
	GBytes *in = fx_sample("with_exif.jpg"),
	       *plain = fx_sample("plain.jpg");
	struct image_info a, b;
	struct err_detail msg = {0};
	char path[1024], *hash;
	gchar *data;
	gsize n, len;
	const void *p = g_bytes_get_data(in, &n);

	ck_assert_int_eq(image_store(tmpdir, p, n, "image/jpeg", &a, &msg), 0);
	ck_assert(image_hash_valid(a.hash));
	ck_assert_int_eq(a.type, IMAGE_JPEG);
	ck_assert_int_eq(a.width, 32);
	/* the hash is of the stored (stripped) bytes, which are on disk */
	ck_assert_int_eq(image_path(tmpdir, a.hash, path, sizeof(path)), 0);
	ck_assert(g_str_has_suffix(path, a.hash));
	ck_assert(strstr(path, "/") != NULL);
	ck_assert(g_file_get_contents(path, &data, &len, NULL));
	ck_assert_uint_eq(len, a.bytes);
	ck_assert(!has((uint8_t *)data, len, "GPS 39.9567N"));
	hash =
	    g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *)data, len);
	ck_assert_str_eq(hash, a.hash);
	g_free(hash);
	g_free(data);
	/* the clean original is the same content: same hash, one file */
	p = g_bytes_get_data(plain, &n);
	ck_assert_int_eq(
	    image_store(tmpdir, p, n, "application/octet-stream", &b, &msg), 0);
	ck_assert_str_eq(a.hash, b.hash);
	g_bytes_unref(in);
	g_bytes_unref(plain);
}
END_TEST

START_TEST(store_refusals)
{
	GBytes *png = fx_sample("gray_4x3.png");
	struct image_info info;
	struct err_detail msg = {0};
	GDir *d;
	gsize n;
	const void *p = g_bytes_get_data(png, &n);

	ck_assert_int_eq(image_store(tmpdir, p, n, "image/jpeg", &info, &msg),
	                 ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(msg.msg, "image/png, not image/jpeg"));
	ck_assert_int_eq(image_store(tmpdir, p, n, "image/gif", &info, &msg),
	                 ERR_UNSUPPORTED);
	ck_assert_int_eq(image_store(tmpdir, p, n, NULL, &info, &msg),
	                 ERR_UNSUPPORTED);
	ck_assert_int_eq(
	    image_store(tmpdir, "GIF89a......", 12, "image/png", &info, &msg),
	    ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(msg.msg, "not a JPEG, PNG or WebP"));
	ck_assert_int_eq(image_store(tmpdir, "", 0, "image/png", &info, &msg),
	                 ERR_INVALID);
	ck_assert_int_eq(image_store(tmpdir, "\xff\xd8\xff\xe1\xff\xff", 6,
	                             "image/jpeg", &info, &msg),
	                 ERR_INVALID);
	/* nothing was written */
	d = g_dir_open(tmpdir, 0, NULL);
	ck_assert_ptr_null(g_dir_read_name(d));
	g_dir_close(d);
	ck_assert(!image_hash_valid("ABC"));
	ck_assert(!image_hash_valid("../../etc/passwd"));
	ck_assert(!image_hash_valid("0123456789abcdef0123456789abcdef0123456789"
	                            "abcdef0123456789abcdeF"));
	ck_assert_int_eq(image_path(tmpdir, "..", (char[200]){0}, 200),
	                 ERR_INVALID);
	g_bytes_unref(png);
}
END_TEST

static Suite *image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sniffing);
	tcase_add_test(tc, store_by_content_hash);
	tcase_add_test(tc, store_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(image_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
