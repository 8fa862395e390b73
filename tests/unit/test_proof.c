/* test_proof.c — proof media files: video containers recognised by their
 * bytes, MP4 location/time metadata blanked without changing the size (and
 * refused when the box structure is broken), photos stored through
 * image.c with EXIF/XMP stripped unless kept, declared types that must
 * agree with the content, the video size cap, content-addressed storage.
 * Sample JPEGs: tests/data/images (see its README). */
#include "err.h"
#include "proof.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SINIAN_SOURCE_DIR
#define SINIAN_SOURCE_DIR "."
#endif

static char *dir;

static void rm_tree(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(path, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			rm_tree(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(path);
}

static void setup(void)
{
	dir = g_dir_make_tmp("sinian-proof-XXXXXX", NULL);
	ck_assert_ptr_nonnull(dir);
}

static void teardown(void)
{
	rm_tree(dir);
	g_free(dir);
}

static GBytes *sample(const char *name)
{
	const char *root = getenv("SINIAN_SOURCE_DIR");
	char *path = g_build_filename(root ? root : SINIAN_SOURCE_DIR, "tests",
	                              "data", "images", name, NULL);
	gchar *data = NULL;
	gsize len = 0;

	ck_assert_msg(g_file_get_contents(path, &data, &len, NULL),
	              "cannot read %s", path);
	g_free(path);
	return g_bytes_new_take(data, len);
}

static bool has(const void *hay, size_t len, const char *needle)
{
	return memmem(hay, len, needle, strlen(needle)) != NULL;
}

static GBytes *stored(const struct proof_file *f)
{
	char path[2048];
	gchar *data = NULL;
	gsize len = 0;

	ck_assert_int_eq(proof_path(dir, f->hash, path, sizeof(path)), 0);
	ck_assert_msg(g_file_get_contents(path, &data, &len, NULL),
	              "no file %s", path);
	return g_bytes_new_take(data, len);
}

/* ---------- a synthetic MP4 ---------- */

static void put32(GByteArray *b, uint32_t v)
{
	uint8_t x[4] = {v >> 24, v >> 16, v >> 8, v};

	g_byte_array_append(b, x, 4);
}

/* Append a box header for a box of total size n; returns its offset. */
static guint box(GByteArray *b, uint32_t n, const char *type)
{
	guint at = b->len;

	put32(b, n);
	g_byte_array_append(b, (const guint8 *)type, 4);
	return at;
}

static void fill(GByteArray *b, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		g_byte_array_append(b, &v, 1);
}

/* ftyp, moov{mvhd v0, udta{©xyz}, trak{tkhd v1, mdia{mdhd v0}}, meta},
 * mdat whose payload happens to spell "udta". */
static GByteArray *mp4(void)
{
	static const char loc[] = "+39.9567+116.1745/";
	GByteArray *b = g_byte_array_new();
	const uint32_t xyz = 8 + 4 + sizeof(loc) - 1;
	const uint32_t udta = 8 + xyz, mvhd = 8 + 100, tkhd = 8 + 92;
	const uint32_t mdhd = 8 + 24, mdia = 8 + mdhd, trak = 8 + tkhd + mdia;
	const uint32_t meta = 8 + 4 + 12;

	box(b, 20, "ftyp");
	g_byte_array_append(b, (const guint8 *)"isom\0\0\2\0isom", 12);
	box(b, 8 + mvhd + udta + trak + meta, "moov");
	box(b, mvhd, "mvhd");
	put32(b, 0); /* version 0, flags */
	put32(b, 0x11223344);
	put32(b, 0x55667788);
	fill(b, 0x01, 100 - 12);
	box(b, udta, "udta");
	box(b, xyz, "\xa9xyz");
	put32(b, 0x00120000);
	g_byte_array_append(b, (const guint8 *)loc, sizeof(loc) - 1);
	box(b, trak, "trak");
	box(b, tkhd, "tkhd");
	put32(b, 0x01000003); /* version 1 */
	fill(b, 0xAA, 16);    /* 64-bit creation + modification */
	fill(b, 0x02, 92 - 20);
	box(b, mdia, "mdia");
	box(b, mdhd, "mdhd");
	put32(b, 0);
	put32(b, 0xCAFEBABE);
	put32(b, 0xDEADBEEF);
	fill(b, 0x03, 24 - 12);
	box(b, meta, "meta");
	put32(b, 0);
	box(b, 12, "hdlr");
	put32(b, 0);
	box(b, 16, "mdat");
	g_byte_array_append(b, (const guint8 *)"udta\xa9xyz", 8);
	return b;
}

START_TEST(sniff_videos)
{
	GByteArray *m = mp4();
	static const uint8_t webm[] = {0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42,
	                               0x86, 0x81, 0x01, 0x42, 0x82, 0x84,
	                               'w',  'e',  'b',  'm',  0x42, 0x87};
	static const uint8_t mkv[] = {0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42,
	                              0x86, 0x81, 0x01, 0x42, 0x82, 0x88,
	                              'm',  'a',  't',  'r',  'o',  's'};

	ck_assert_int_eq(proof_video_sniff(m->data, m->len), PROOF_MP4);
	ck_assert_int_eq(proof_video_sniff(webm, sizeof(webm)), PROOF_WEBM);
	ck_assert_int_eq(proof_video_sniff(mkv, sizeof(mkv)), PROOF_VIDEO_NONE);
	ck_assert_int_eq(proof_video_sniff("\xff\xd8\xff\xe0", 4),
	                 PROOF_VIDEO_NONE);
	ck_assert_int_eq(proof_video_sniff(m->data, 8), PROOF_VIDEO_NONE);
	g_byte_array_free(m, TRUE);
}
END_TEST

START_TEST(mp4_scrub_blanks_location_and_times)
{
	GByteArray *m = mp4();
	size_t len = m->len;
	guint moov_end = 20 + (guint)(m->data[20] << 24 | m->data[21] << 16 |
	                              m->data[22] << 8 | m->data[23]);
	const uint8_t *p;

	ck_assert(has(m->data, moov_end, "udta"));
	ck_assert_int_eq(proof_mp4_scrub(m->data, m->len), 0);
	ck_assert_uint_eq(m->len, len);
	ck_assert(!has(m->data, moov_end, "udta"));
	ck_assert(!has(m->data, moov_end, "meta"));
	ck_assert(!has(m->data, moov_end, "\xa9xyz"));
	ck_assert(!has(m->data, moov_end, "+39.9567"));
	/* the box is still there, as a free box of the same size */
	ck_assert(has(m->data, moov_end, "free"));
	/* times zeroed: mvhd (v0), tkhd (v1), mdhd (v0) */
	p = memmem(m->data, m->len, "mvhd", 4);
	ck_assert(memcmp(p + 8, "\0\0\0\0\0\0\0\0", 8) == 0);
	ck_assert_int_eq(p[16], 0x01); /* what follows is untouched */
	p = memmem(m->data, m->len, "tkhd", 4);
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(p[8 + i], 0);
	ck_assert_int_eq(p[24], 0x02);
	p = memmem(m->data, m->len, "mdhd", 4);
	ck_assert(memcmp(p + 8, "\0\0\0\0\0\0\0\0", 8) == 0);
	/* media data untouched */
	ck_assert(has(m->data + moov_end, len - moov_end, "udta\xa9xyz"));
	g_byte_array_free(m, TRUE);
}
END_TEST

START_TEST(mp4_scrub_refuses_broken_boxes)
{
	GByteArray *m = mp4();
	GByteArray *deep = g_byte_array_new();

	/* moov claims more than the file has */
	m->data[23] += 200;
	ck_assert_int_eq(proof_mp4_scrub(m->data, m->len), ERR_INVALID);
	g_byte_array_free(m, TRUE);
	m = mp4();
	/* a child box longer than its parent */
	((uint8_t *)memmem(m->data, m->len, "mvhd", 4))[-2] = 0x10;
	ck_assert_int_eq(proof_mp4_scrub(m->data, m->len), ERR_INVALID);
	g_byte_array_free(m, TRUE);
	ck_assert_int_eq(proof_mp4_scrub((uint8_t *)"\xff\xd8\xff\xe0", 4),
	                 ERR_INVALID);
	/* nesting deeper than any real file */
	box(deep, 20, "ftyp");
	g_byte_array_append(deep, (const guint8 *)"isom\0\0\2\0isom", 12);
	for (int i = 0; i < 12; i++)
		box(deep, (uint32_t)(8 * (12 - i)), "moov");
	ck_assert_int_eq(proof_mp4_scrub(deep->data, deep->len), ERR_INVALID);
	g_byte_array_free(deep, TRUE);
}
END_TEST

START_TEST(photo_stripped_unless_kept)
{
	GBytes *in = sample("with_exif.jpg");
	gsize len;
	const void *data = g_bytes_get_data(in, &len);
	struct proof_file a, b, c;
	char msg[200];
	GBytes *s;
	gchar *want;

	ck_assert(has(data, len, "GPS"));
	ck_assert_int_eq(proof_store(dir, data, len, "image/jpeg", false, 1000,
	                             &a, msg, sizeof(msg)),
	                 0);
	ck_assert_str_eq(a.mime, "image/jpeg");
	ck_assert(!a.video);
	s = stored(&a);
	ck_assert_uint_eq(g_bytes_get_size(s), a.bytes);
	ck_assert_uint_lt(a.bytes, len);
	ck_assert(!has(g_bytes_get_data(s, NULL), a.bytes, "GPS"));
	ck_assert(!has(g_bytes_get_data(s, NULL), a.bytes, "secret location"));
	want = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, s);
	ck_assert_str_eq(want, a.hash);
	g_free(want);
	g_bytes_unref(s);
	/* kept on purpose: stored as sent */
	ck_assert_int_eq(proof_store(dir, data, len, "image/jpeg; q=1", true,
	                             1000, &b, msg, sizeof(msg)),
	                 0);
	ck_assert_str_ne(a.hash, b.hash);
	ck_assert_uint_eq(b.bytes, len);
	s = stored(&b);
	ck_assert(has(g_bytes_get_data(s, NULL), b.bytes, "GPS"));
	g_bytes_unref(s);
	/* the same bytes twice are one file */
	ck_assert_int_eq(proof_store(dir, data, len, "image/jpeg", false, 1000,
	                             &c, msg, sizeof(msg)),
	                 0);
	ck_assert_str_eq(a.hash, c.hash);
	g_bytes_unref(in);
}
END_TEST

START_TEST(types_must_agree)
{
	GBytes *png = sample("gray_4x3.png");
	GByteArray *m = mp4();
	gsize len;
	const void *data = g_bytes_get_data(png, &len);
	struct proof_file f;
	char msg[200];

	ck_assert_int_eq(proof_store(dir, data, len, "image/png", false, 1000,
	                             &f, msg, sizeof(msg)),
	                 0);
	ck_assert_str_eq(f.mime, "image/png");
	ck_assert_int_eq(proof_store(dir, data, len, "image/jpeg", false, 1000,
	                             &f, msg, sizeof(msg)),
	                 ERR_UNSUPPORTED);
	ck_assert_int_eq(proof_store(dir, data, len, "image/jpeg", true, 1000,
	                             &f, msg, sizeof(msg)),
	                 ERR_UNSUPPORTED);
	ck_assert_int_eq(proof_store(dir, data, len, "video/mp4", false, 1000,
	                             &f, msg, sizeof(msg)),
	                 ERR_UNSUPPORTED);
	ck_assert_int_eq(proof_store(dir, data, len, "text/plain", false, 1000,
	                             &f, msg, sizeof(msg)),
	                 ERR_UNSUPPORTED);
	ck_assert_int_eq(proof_store(dir, data, len, NULL, false, 1000, &f, msg,
	                             sizeof(msg)),
	                 ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(msg, "Content-Type"));
	ck_assert_int_eq(proof_store(dir, m->data, m->len, "video/webm", false,
	                             1000, &f, msg, sizeof(msg)),
	                 ERR_UNSUPPORTED);
	ck_assert_int_eq(proof_store(dir, "", 0, "image/png", false, 1000, &f,
	                             msg, sizeof(msg)),
	                 ERR_INVALID);
	g_byte_array_free(m, TRUE);
	g_bytes_unref(png);
}
END_TEST

START_TEST(videos_capped_and_scrubbed)
{
	GByteArray *m = mp4();
	struct proof_file a, b;
	char msg[200];
	GBytes *s;

	ck_assert_int_eq(proof_store(dir, m->data, m->len, "video/mp4", false,
	                             m->len - 1, &a, msg, sizeof(msg)),
	                 ERR_TOO_LARGE);
	ck_assert_int_eq(proof_store(dir, m->data, m->len, "video/mp4", false,
	                             m->len, &a, msg, sizeof(msg)),
	                 0);
	ck_assert(a.video);
	ck_assert_str_eq(a.mime, "video/mp4");
	ck_assert_uint_eq(a.bytes, m->len);
	s = stored(&a);
	ck_assert(!has(g_bytes_get_data(s, NULL), 300, "udta"));
	g_bytes_unref(s);
	/* the caller's buffer is not changed */
	ck_assert(has(m->data, 300, "udta"));
	ck_assert_int_eq(proof_store(dir, m->data, m->len, "video/mp4", true,
	                             m->len, &b, msg, sizeof(msg)),
	                 0);
	ck_assert_str_ne(a.hash, b.hash);
	s = stored(&b);
	ck_assert(has(g_bytes_get_data(s, NULL), 300, "udta"));
	g_bytes_unref(s);
	/* broken MP4 */
	m->data[23] += 200;
	ck_assert_int_eq(proof_store(dir, m->data, m->len, "video/mp4", false,
	                             m->len, &a, msg, sizeof(msg)),
	                 ERR_INVALID);
	g_byte_array_free(m, TRUE);
}
END_TEST

START_TEST(paths)
{
	char out[256];
	char hash[65];

	memset(hash, 'a', 64);
	hash[64] = '\0';
	hash[0] = '3';
	ck_assert_int_eq(proof_path("/d", hash, out, sizeof(out)), 0);
	ck_assert(g_str_has_prefix(out, "/d/3a/3a"));
	ck_assert_int_eq(proof_path("/d", "../etc", out, sizeof(out)),
	                 ERR_INVALID);
	ck_assert_int_eq(proof_path("/d", hash, out, 10), ERR_INVALID);
}
END_TEST

static Suite *proof_suite(void)
{
	Suite *s = suite_create("proof");
	TCase *t = tcase_create("proof");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, sniff_videos);
	tcase_add_test(t, mp4_scrub_blanks_location_and_times);
	tcase_add_test(t, mp4_scrub_refuses_broken_boxes);
	tcase_add_test(t, photo_stripped_unless_kept);
	tcase_add_test(t, types_must_agree);
	tcase_add_test(t, videos_capped_and_scrubbed);
	tcase_add_test(t, paths);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proof_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
