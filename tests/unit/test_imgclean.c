/* test_imgclean.c — every place a JPEG, PNG or WebP can carry where and
 * when a photo was taken is emptied, the picture is kept bit for bit, and
 * what cannot be cleaned or declares an absurd size is refused. The
 * samples are tests/data/images' plain ones with metadata put back in by
 * the helpers below. */
#include "err.h"
#include "imgclean.h"

#include "check_main.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

static GByteArray *sample(const char *name)
{
	const char *src = g_getenv("SINIAN_SOURCE_DIR");
	char *path = g_build_filename(src ? src : ".", "tests", "data",
	                              "images", name, NULL);
	gchar *data = NULL;
	gsize len = 0;
	GByteArray *b;

	ck_assert_msg(g_file_get_contents(path, &data, &len, NULL),
	              "cannot read %s", path);
	b = g_byte_array_new_take((guint8 *)data, len);
	g_free(path);
	return b;
}

static bool has(const uint8_t *p, size_t len, const char *needle)
{
	return memmem(p, len, needle, strlen(needle)) != NULL;
}

static int clean(enum image_type t, GByteArray *in, uint8_t **out,
                 size_t *outlen, int *w, int *h)
{
	struct err_detail why = {0};

	return imgclean(t, in->data, in->len, out, outlen, w, h, &why);
}

/* Insert n bytes at offset at. */
static void insert(GByteArray *b, size_t at, const void *d, size_t n)
{
	size_t len = b->len;

	g_byte_array_set_size(b, (guint)(len + n));
	memmove(b->data + at + n, b->data + at, len - at);
	memcpy(b->data + at, d, n);
}

/* ---------- JPEG ---------- */

/* Insert a marker segment (payload given) at offset at. */
static void jpeg_insert(GByteArray *b, size_t at, uint8_t m, const void *data,
                        size_t n)
{
	uint8_t hdr[4] = {0xFF, m, (uint8_t)((n + 2) >> 8), (uint8_t)(n + 2)};

	insert(b, at, data, n); /* the data, then its header before it */
	insert(b, at, hdr, 4);
}

START_TEST(jpeg_every_hiding_place)
{
	GByteArray *in = sample("plain.jpg"), *plain = sample("plain.jpg");
	static const char xmp[] = "http://ns.adobe.com/xap/1.0/\0<x>secret "
	                          "location</x>";
	const char tail[] = "\xff\xd8\xff\xe1GPS 39.95N second image\xff\xd9"
	                    "\0\0\0\x18"
	                    "ftypmp42 motion photo GPS";
	uint8_t *out;
	size_t outlen;
	int w, h;

	/* after the JFIF header (2 + 18 bytes) */
	jpeg_insert(in, 20, 0xFE, "secret location", 15);            /* COM */
	jpeg_insert(in, 20, 0xE4, "GPS 39.95N 116.17E", 18);         /* APP4 */
	jpeg_insert(in, 20, 0xE2, "MPF\0MM\0*GPS", 11);              /* MPF */
	jpeg_insert(in, 20, 0xE1, xmp, sizeof(xmp) - 1);             /* XMP */
	jpeg_insert(in, 20, 0xED, "Photoshop 3.0\0GPS by IPTC", 25); /* IPTC */
	jpeg_insert(in, 20, 0xEF, "vendor GPS", 10);                 /* APP15 */
	g_byte_array_append(in, (const guint8 *)tail, sizeof(tail) - 1);
	ck_assert(has(in->data, in->len, "secret location"));
	ck_assert_int_eq(clean(IMAGE_JPEG, in, &out, &outlen, &w, &h), 0);
	ck_assert(!has(out, outlen, "secret"));
	ck_assert(!has(out, outlen, "GPS"));
	ck_assert(!has(out, outlen, "MPF"));
	ck_assert(!has(out, outlen, "ftyp"));
	/* what remains is the plain picture, byte for byte */
	ck_assert_uint_eq(outlen, plain->len);
	ck_assert_mem_eq(out, plain->data, plain->len);
	ck_assert_int_eq(w, 32);
	ck_assert_int_eq(h, 24);
	g_free(out);
	g_byte_array_free(in, TRUE);
	g_byte_array_free(plain, TRUE);
}
END_TEST

START_TEST(jpeg_exif_sample_and_orientation)
{
	GByteArray *in = sample("with_exif.jpg"), *plain = sample("plain.jpg");
	/* big-endian EXIF: IFD0 with Make, Orientation 6 and a GPS text */
	static const uint8_t exif[] = {'E',  'x',  'i', 'f', 0,   0,   'M', 'M',
	                               0,    0x2A, 0,   0,   0,   8,   0,   2,
	                               0x01, 0x0F, 0,   2,   0,   0,   0,   4,
	                               'C',  'a',  'm', 0, /* Make */
	                               0x01, 0x12, 0,   3,   0,   0,   0,   1,
	                               0,    6,    0,   0, /* Orientation */
	                               0,    0,    0,   0,   'G', 'P', 'S', ' ',
	                               '3',  '9',  'N'};
	uint8_t *out;
	size_t outlen;
	int w, h;

	ck_assert(has(in->data, in->len, "SinianTestCam"));
	ck_assert_int_eq(clean(IMAGE_JPEG, in, &out, &outlen, &w, &h), 0);
	ck_assert(!has(out, outlen, "SinianTestCam"));
	ck_assert(!has(out, outlen, "Exif"));
	ck_assert_uint_eq(outlen, plain->len);
	ck_assert_mem_eq(out, plain->data, plain->len);
	g_free(out);
	/* a photo taken sideways stays upright: only the orientation stays */
	jpeg_insert(plain, 20, 0xE1, exif, sizeof(exif));
	ck_assert_int_eq(clean(IMAGE_JPEG, plain, &out, &outlen, &w, &h), 0);
	ck_assert(has(out, outlen, "Exif"));
	ck_assert(!has(out, outlen, "Cam"));
	ck_assert(!has(out, outlen, "GPS"));
	ck_assert(memmem(out, outlen,
	                 "\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06", 10));
	g_free(out);
	g_byte_array_free(in, TRUE);
	g_byte_array_free(plain, TRUE);
}
END_TEST

START_TEST(jpeg_colour_kept)
{
	GByteArray *in = sample("plain.jpg");
	static const char icc[] = "ICC_PROFILE\0\x01\x01profile bytes";
	static const uint8_t adobe[] = {'A', 'd', 'o', 'b', 'e', 0,
	                                100, 0,   0,   0,   0,   1};
	uint8_t *out;
	size_t outlen;
	int w, h;

	jpeg_insert(in, 20, 0xEE, adobe, sizeof(adobe));
	jpeg_insert(in, 20, 0xE2, icc, sizeof(icc) - 1);
	ck_assert_int_eq(clean(IMAGE_JPEG, in, &out, &outlen, &w, &h), 0);
	ck_assert_uint_eq(outlen, in->len);
	ck_assert_mem_eq(out, in->data, in->len);
	g_free(out);
	g_byte_array_free(in, TRUE);
}
END_TEST

START_TEST(jpeg_refused)
{
	GByteArray *in = sample("plain.jpg");
	uint8_t *out = (uint8_t *)"x";
	size_t outlen, sof;
	int w, h;
	struct err_detail why = {0};

	/* cut before the end: no EOI */
	ck_assert_int_eq(imgclean(IMAGE_JPEG, in->data, in->len - 2, &out,
	                          &outlen, &w, &h, &why),
	                 ERR_INVALID);
	ck_assert_ptr_null(out);
	/* headers only */
	ck_assert_int_eq(imgclean(IMAGE_JPEG,
	                          (const uint8_t *)"\xff\xd8\xff\xfe\x00\x02"
	                                           "\xff\xd9",
	                          8, &out, &outlen, &w, &h, &why),
	                 ERR_INVALID);
	/* a marker no decoder knows */
	ck_assert_int_eq(imgclean(IMAGE_JPEG,
	                          (const uint8_t *)"\xff\xd8\xff\x02\x00\x02"
	                                           "\xff\xd9",
	                          8, &out, &outlen, &w, &h, &why),
	                 ERR_INVALID);
	/* an absurd size: 65535 × 65535 in the frame header */
	sof = (size_t)((uint8_t *)memmem(in->data, in->len, "\xff\xc0", 2) -
	               in->data);
	memset(in->data + sof + 5, 0xFF, 4);
	ck_assert_int_eq(imgclean(IMAGE_JPEG, in->data, in->len, &out, &outlen,
	                          &w, &h, &why),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(why.msg, "65535"));
	/* no height (a DNL would give it): refused too */
	memset(in->data + sof + 5, 0, 2);
	ck_assert_int_eq(imgclean(IMAGE_JPEG, in->data, in->len, &out, &outlen,
	                          &w, &h, &why),
	                 ERR_INVALID);
	g_byte_array_free(in, TRUE);
}
END_TEST

/* ---------- PNG ---------- */

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Insert a chunk with a correct CRC at offset at. */
static void png_insert(GByteArray *b, size_t at, const char *type,
                       const void *data, size_t n)
{
	uint8_t *c = g_malloc(n + 12);

	be32_put(c, (uint32_t)n);
	memcpy(c + 4, type, 4);
	memcpy(c + 8, data, n);
	be32_put(c + 8 + n, crc32_of(c + 4, n + 4));
	insert(b, at, c, n + 12);
	g_free(c);
}

START_TEST(png_text_chunks_removed)
{
	GByteArray *in = sample("gray_4x3.png"),
	           *plain = sample("gray_4x3.png");
	static const char xmp[] = "XML:com.adobe.xmp\0\0\0\0\0<x>secret "
	                          "location</x>";
	static const uint8_t gama[] = {0, 0, 0xB1, 0x8F};
	uint8_t *out;
	size_t outlen;
	int w, h;

	/* after IHDR (8 + 25 bytes) */
	png_insert(in, 33, "eXIf", "MM\0*GPS 39.95N", 14);
	png_insert(in, 33, "iTXt", xmp, sizeof(xmp) - 1);
	png_insert(in, 33, "tEXt", "Comment\0secret", 14);
	png_insert(in, 33, "zTXt", "Location\0\0x\x9c", 12);
	png_insert(in, 33, "tIME", "\x07\xea\x04\x04\x09\x00\x00", 7);
	png_insert(in, 33, "prVt", "GPS", 3);
	g_byte_array_append(in, (const guint8 *)"after IEND: GPS", 15);
	ck_assert_int_eq(clean(IMAGE_PNG, in, &out, &outlen, &w, &h), 0);
	ck_assert(!has(out, outlen, "GPS"));
	ck_assert(!has(out, outlen, "secret"));
	ck_assert(!has(out, outlen, "tIME"));
	ck_assert_uint_eq(outlen, plain->len);
	ck_assert_mem_eq(out, plain->data, plain->len);
	ck_assert_int_eq(w, 4);
	ck_assert_int_eq(h, 3);
	g_free(out);
	/* colour chunks stay */
	png_insert(plain, 33, "gAMA", gama, 4);
	ck_assert_int_eq(clean(IMAGE_PNG, plain, &out, &outlen, &w, &h), 0);
	ck_assert_uint_eq(outlen, plain->len);
	ck_assert_mem_eq(out, plain->data, plain->len);
	g_free(out);
	g_byte_array_free(in, TRUE);
	g_byte_array_free(plain, TRUE);
}
END_TEST

START_TEST(png_refused)
{
	GByteArray *in = sample("gray_4x3.png");
	uint8_t *out;
	size_t outlen;
	int w, h;

	/* a wrong CRC */
	in->data[0x20] ^= 1;
	ck_assert_int_eq(clean(IMAGE_PNG, in, &out, &outlen, &w, &h),
	                 ERR_INVALID);
	in->data[0x20] ^= 1;
	/* 65535 × 65535, and 2^31 wide (CRC corrected) */
	be32_put(in->data + 16, 65535);
	be32_put(in->data + 20, 65535);
	be32_put(in->data + 29, crc32_of(in->data + 12, 17));
	ck_assert_int_eq(clean(IMAGE_PNG, in, &out, &outlen, &w, &h),
	                 ERR_INVALID);
	be32_put(in->data + 16, 0x80000000u);
	be32_put(in->data + 20, 1);
	be32_put(in->data + 29, crc32_of(in->data + 12, 17));
	ck_assert_int_eq(clean(IMAGE_PNG, in, &out, &outlen, &w, &h),
	                 ERR_INVALID);
	/* no IEND */
	ck_assert_int_eq(imgclean(IMAGE_PNG, in->data, in->len - 12, &out,
	                          &outlen, &w, &h, NULL),
	                 ERR_INVALID);
	g_byte_array_free(in, TRUE);
}
END_TEST

/* ---------- WebP ---------- */

static void le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void riff_chunk(GByteArray *b, const char *fourcc, const void *data,
                       size_t n)
{
	uint8_t hdr[8];

	memcpy(hdr, fourcc, 4);
	le32_put(hdr + 4, (uint32_t)n);
	g_byte_array_append(b, hdr, 8);
	g_byte_array_append(b, data, (guint)n);
	if (n & 1)
		g_byte_array_append(b, (const guint8 *)"", 1);
}

/* An extended WebP: VP8X (flags) with a w×h lossless picture and the
 * given extra chunks after it. */
static GByteArray *webp(uint8_t flags, int w, int h, bool meta)
{
	GByteArray *b = g_byte_array_new();
	uint8_t x[10] = {flags}, l[5] = {0x2f};
	uint32_t v = (uint32_t)(w - 1) | (uint32_t)(h - 1) << 14;

	g_byte_array_append(b, (const guint8 *)"RIFF\0\0\0\0WEBP", 12);
	x[4] = (uint8_t)(w - 1);
	x[5] = (uint8_t)((w - 1) >> 8);
	x[6] = (uint8_t)((w - 1) >> 16);
	x[7] = (uint8_t)(h - 1);
	x[8] = (uint8_t)((h - 1) >> 8);
	x[9] = (uint8_t)((h - 1) >> 16);
	riff_chunk(b, "VP8X", x, 10);
	le32_put(l + 1, v);
	riff_chunk(b, "VP8L", l, 5);
	if (meta) {
		riff_chunk(b, "EXIF", "MM\0*GPS 39.95N", 14);
		riff_chunk(b, "XMP ", "<x>secret location</x>", 22);
		riff_chunk(b, "zzzz", "GPS", 3);
	}
	le32_put(b->data + 4, b->len - 8);
	return b;
}

START_TEST(webp_metadata_removed)
{
	GByteArray *in = webp(0x0C, 300, 200, true),
	           *want = webp(0, 300, 200, false);
	uint8_t *out;
	size_t outlen;
	int w, h;

	ck_assert_int_eq(clean(IMAGE_WEBP, in, &out, &outlen, &w, &h), 0);
	ck_assert(!has(out, outlen, "GPS"));
	ck_assert(!has(out, outlen, "secret"));
	ck_assert(!has(out, outlen, "EXIF"));
	/* flags without EXIF and XMP, RIFF size rewritten */
	ck_assert_uint_eq(outlen, want->len);
	ck_assert_mem_eq(out, want->data, want->len);
	ck_assert_int_eq(w, 300);
	ck_assert_int_eq(h, 200);
	g_free(out);
	g_byte_array_free(in, TRUE);
	g_byte_array_free(want, TRUE);
}
END_TEST

START_TEST(webp_refused)
{
	GByteArray *big = webp(0, 65535, 65535, false);
	uint8_t *out;
	size_t outlen;
	int w, h;
	struct err_detail why = {0};

	/* a 12-byte WebP: the header and nothing else */
	ck_assert_int_eq(imgclean(IMAGE_WEBP,
	                          (const uint8_t *)"RIFF\x04\0\0\0WEBP", 12,
	                          &out, &outlen, &w, &h, &why),
	                 ERR_INVALID);
	ck_assert_int_eq(clean(IMAGE_WEBP, big, &out, &outlen, &w, &h),
	                 ERR_INVALID);
	/* a RIFF size larger than the file */
	le32_put(big->data + 4, big->len * 2);
	ck_assert_int_eq(clean(IMAGE_WEBP, big, &out, &outlen, &w, &h),
	                 ERR_INVALID);
	g_byte_array_free(big, TRUE);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("imgclean");
	TCase *tc = tcase_create("imgclean");

	tcase_add_test(tc, jpeg_every_hiding_place);
	tcase_add_test(tc, jpeg_exif_sample_and_orientation);
	tcase_add_test(tc, jpeg_colour_kept);
	tcase_add_test(tc, jpeg_refused);
	tcase_add_test(tc, png_text_chunks_removed);
	tcase_add_test(tc, png_refused);
	tcase_add_test(tc, webp_metadata_removed);
	tcase_add_test(tc, webp_refused);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_CHECK_MAIN(suite)
