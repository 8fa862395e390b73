/* test_proof.c — proof media files: video containers recognised by their
 * bytes, MP4 and WebM metadata blanked without changing the size (every
 * box or element not on the players' list, at any depth; refused when the
 * structure is broken), photos stored through image.c cleaned unless
 * kept, declared types that must agree with the content, the video size
 * cap, content-addressed storage. Sample JPEGs: tests/data/images (see
 * its README). */
#include "err.h"
#include "fx_files.h"
#include "proof.h"
#include "vidclean.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;

static void setup(void)
{
	dir = g_dir_make_tmp("sinian-proof-XXXXXX", NULL);
	ck_assert_ptr_nonnull(dir);
}

static void teardown(void)
{
	fx_rm_tree(dir);
	g_free(dir);
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

/* vidclean_mp4 without its reason. */
static int scrub(uint8_t *data, size_t len)
{
	struct err_detail why = {0};

	return vidclean_mp4(data, len, &why);
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
	ck_assert_int_eq(scrub(m->data, m->len), 0);
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
	ck_assert_int_eq(scrub(m->data, m->len), ERR_INVALID);
	g_byte_array_free(m, TRUE);
	m = mp4();
	/* a child box longer than its parent */
	((uint8_t *)memmem(m->data, m->len, "mvhd", 4))[-2] = 0x10;
	ck_assert_int_eq(scrub(m->data, m->len), ERR_INVALID);
	g_byte_array_free(m, TRUE);
	ck_assert_int_eq(scrub((uint8_t *)"\xff\xd8\xff\xe0", 4), ERR_INVALID);
	/* a moov inside a moov is no box a player reads: blanked, not
	 * walked, however deep the nesting goes */
	box(deep, 20, "ftyp");
	g_byte_array_append(deep, (const guint8 *)"isom\0\0\2\0isom", 12);
	for (int i = 0; i < 12; i++)
		box(deep, (uint32_t)(8 * (12 - i)), "moov");
	ck_assert_int_eq(scrub(deep->data, deep->len), 0);
	ck_assert(has(deep->data + 20, 8, "moov"));
	ck_assert(!has(deep->data + 28, deep->len - 28, "moov"));
	g_byte_array_free(deep, TRUE);
}
END_TEST

/* moov{trak{tkhd, uuid (XMP), mdia{minf{stbl{stsd, loci}}}}, loci},
 * with places in boxes no old scrubber looked into. */
START_TEST(mp4_whitelist_at_every_depth)
{
	static const char xmp[] = "<x:xmpmeta>secret location</x:xmpmeta>";
	GByteArray *b = g_byte_array_new();
	const uint32_t uuid = 8 + 16 + sizeof(xmp) - 1, loci = 8 + 12;
	const uint32_t stsd = 8 + 8, stbl = 8 + stsd + loci, minf = 8 + stbl;
	const uint32_t mdia = 8 + minf, tkhd = 8 + 84;
	const uint32_t trak = 8 + tkhd + uuid + mdia, moov = 8 + trak + loci;
	size_t len;

	box(b, 20, "ftyp");
	g_byte_array_append(b, (const guint8 *)"qt  \0\0\2\0qt  ", 12);
	box(b, moov, "moov");
	box(b, trak, "trak");
	box(b, tkhd, "tkhd");
	fill(b, 0x04, 84);
	box(b, uuid, "uuid");
	g_byte_array_append(b,
	                    (const guint8 *)"\xbe\x7a\xcf\xcb\x97\xa9\x42"
	                                    "\xe8\x9c\x71\x99\x94\x91\xe3"
	                                    "\xaf\xac",
	                    16);
	g_byte_array_append(b, (const guint8 *)xmp, sizeof(xmp) - 1);
	box(b, mdia, "mdia");
	box(b, minf, "minf");
	box(b, stbl, "stbl");
	box(b, stsd, "stsd");
	put32(b, 0);
	put32(b, 0);
	box(b, loci, "loci");
	g_byte_array_append(b, (const guint8 *)"GPS 39.95N!!", 12);
	box(b, loci, "loci");
	g_byte_array_append(b, (const guint8 *)"GPS 116.17E!", 12);
	box(b, 16, "mdat");
	g_byte_array_append(b, (const guint8 *)"frames..", 8);
	len = b->len;
	ck_assert_int_eq(scrub(b->data, b->len), 0);
	ck_assert_uint_eq(b->len, len);
	ck_assert(!has(b->data, b->len, "secret"));
	ck_assert(!has(b->data, b->len, "GPS"));
	ck_assert(!has(b->data, b->len, "uuid"));
	ck_assert(has(b->data, b->len, "stsd"));
	ck_assert(has(b->data, b->len, "frames.."));
	/* cleaning what was cleaned changes nothing */
	{
		GByteArray *again = g_byte_array_new();

		g_byte_array_append(again, b->data, b->len);
		ck_assert_int_eq(scrub(again->data, again->len), 0);
		ck_assert_mem_eq(again->data, b->data, b->len);
		g_byte_array_free(again, TRUE);
	}
	g_byte_array_free(b, TRUE);
}
END_TEST

/* ---------- a synthetic WebM ---------- */

/* Append an EBML element: id (1-4 bytes as given), a 1-byte size (or the
 * 8-byte "unknown"), then data. */
static void ebml(GByteArray *b, const char *id, size_t idlen, const void *d,
                 size_t n)
{
	uint8_t sz = (uint8_t)(0x80 | n);

	g_byte_array_append(b, (const guint8 *)id, (guint)idlen);
	g_byte_array_append(b, &sz, 1);
	g_byte_array_append(b, d, (guint)n);
}

static GByteArray *webm(void)
{
	GByteArray *b = g_byte_array_new(), *info = g_byte_array_new(),
	           *track = g_byte_array_new(), *tracks = g_byte_array_new(),
	           *seg = g_byte_array_new();
	static const uint8_t head[] = {0x1a, 0x45, 0xdf, 0xa3, 0x8f, 0x42, 0x86,
	                               0x81, 0x01, 0x42, 0x82, 0x84, 'w',  'e',
	                               'b',  'm',  0x42, 0x87, 0x81, 0x02};

	g_byte_array_append(b, head, sizeof(head));
	ebml(info, "\x2a\xd7\xb1", 3, "\x0f\x42\x40", 3); /* timescale */
	ebml(info, "\x7b\xa9", 2, "secret title", 12);    /* Title */
	ebml(info, "\x44\x61", 2, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	ebml(info, "\x4d\x80", 2, "GPS app", 7); /* MuxingApp */
	ebml(seg, "\x15\x49\xa9\x66", 4, info->data, info->len);
	ebml(track, "\xd7", 1, "\x01", 1);        /* TrackNumber */
	ebml(track, "\x53\x6e", 2, "GPS cam", 7); /* Name */
	ebml(track, "\x86", 1, "V_VP8", 5);       /* CodecID */
	ebml(tracks, "\xae", 1, track->data, track->len);
	ebml(seg, "\x16\x54\xae\x6b", 4, tracks->data, tracks->len);
	ebml(seg, "\x12\x54\xc3\x67", 4, "GPS 39.95N tag", 14); /* Tags */
	/* a Cluster of unknown size, as browsers' recorders write it */
	g_byte_array_append(seg,
	                    (const guint8 *)"\x1f\x43\xb6\x75\x01\xff\xff"
	                                    "\xff\xff\xff\xff\xff",
	                    12);
	ebml(seg, "\xe7", 1, "\x00", 1);         /* Timecode */
	ebml(seg, "\xa3", 1, "frame bytes", 11); /* SimpleBlock */
	/* the Segment, of unknown size */
	g_byte_array_append(b,
	                    (const guint8 *)"\x18\x53\x80\x67\x01\xff\xff"
	                                    "\xff\xff\xff\xff\xff",
	                    12);
	g_byte_array_append(b, seg->data, seg->len);
	g_byte_array_free(info, TRUE);
	g_byte_array_free(track, TRUE);
	g_byte_array_free(tracks, TRUE);
	g_byte_array_free(seg, TRUE);
	return b;
}

START_TEST(webm_blanked_in_place)
{
	GByteArray *w = webm();
	size_t len = w->len;
	struct err_detail why = {0};

	ck_assert_int_eq(proof_video_sniff(w->data, w->len), PROOF_WEBM);
	ck_assert(has(w->data, w->len, "secret title"));
	ck_assert_int_eq(vidclean_webm(w->data, w->len, &why), 0);
	ck_assert_uint_eq(w->len, len);
	ck_assert(!has(w->data, w->len, "secret"));
	ck_assert(!has(w->data, w->len, "GPS"));
	ck_assert(has(w->data, w->len, "V_VP8"));
	ck_assert(has(w->data, w->len, "frame bytes"));
	ck_assert(has(w->data, w->len, "\x2a\xd7\xb1"));
	/* stable */
	ck_assert_int_eq(vidclean_webm(w->data, w->len, &why), 0);
	/* broken: an element running past its parent */
	w->data[w->len - 12] = 0xFF;
	ck_assert_int_eq(vidclean_webm(w->data, w->len, &why), ERR_INVALID);
	ck_assert_int_eq(vidclean_webm((uint8_t *)"\x1a\x45\xdf", 3, &why),
	                 ERR_INVALID);
	g_byte_array_free(w, TRUE);
}
END_TEST

START_TEST(photo_stripped_unless_kept)
{
	GBytes *in = fx_sample("with_exif.jpg");
	gsize len;
	const void *data = g_bytes_get_data(in, &len);
	struct proof_file a, b, c;
	struct err_detail msg = {0};
	GBytes *s;
	gchar *want;

	ck_assert(has(data, len, "GPS"));
	ck_assert_int_eq(
	    proof_store(dir, data, len, "image/jpeg", false, 1000, &a, &msg),
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
	                             1000, &b, &msg),
	                 0);
	ck_assert_str_ne(a.hash, b.hash);
	ck_assert_uint_eq(b.bytes, len);
	s = stored(&b);
	ck_assert(has(g_bytes_get_data(s, NULL), b.bytes, "GPS"));
	g_bytes_unref(s);
	/* the same bytes twice are one file */
	ck_assert_int_eq(
	    proof_store(dir, data, len, "image/jpeg", false, 1000, &c, &msg),
	    0);
	ck_assert_str_eq(a.hash, c.hash);
	g_bytes_unref(in);
}
END_TEST

START_TEST(types_must_agree)
{
	GBytes *png = fx_sample("gray_4x3.png");
	GByteArray *m = mp4();
	gsize len;
	const void *data = g_bytes_get_data(png, &len);
	struct proof_file f;
	struct err_detail msg = {0};

	ck_assert_int_eq(
	    proof_store(dir, data, len, "image/png", false, 1000, &f, &msg), 0);
	ck_assert_str_eq(f.mime, "image/png");
	ck_assert_int_eq(
	    proof_store(dir, data, len, "image/jpeg", false, 1000, &f, &msg),
	    ERR_UNSUPPORTED);
	ck_assert_int_eq(
	    proof_store(dir, data, len, "image/jpeg", true, 1000, &f, &msg),
	    ERR_UNSUPPORTED);
	ck_assert_int_eq(
	    proof_store(dir, data, len, "video/mp4", false, 1000, &f, &msg),
	    ERR_UNSUPPORTED);
	ck_assert_int_eq(
	    proof_store(dir, data, len, "text/plain", false, 1000, &f, &msg),
	    ERR_UNSUPPORTED);
	ck_assert_int_eq(
	    proof_store(dir, data, len, NULL, false, 1000, &f, &msg),
	    ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(msg.msg, "Content-Type"));
	ck_assert_int_eq(proof_store(dir, m->data, m->len, "video/webm", false,
	                             1000, &f, &msg),
	                 ERR_UNSUPPORTED);
	ck_assert_int_eq(
	    proof_store(dir, "", 0, "image/png", false, 1000, &f, &msg),
	    ERR_INVALID);
	g_byte_array_free(m, TRUE);
	g_bytes_unref(png);
}
END_TEST

START_TEST(videos_capped_and_scrubbed)
{
	GByteArray *m = mp4();
	struct proof_file a, b;
	struct err_detail msg = {0};
	GBytes *s;

	ck_assert_int_eq(proof_store(dir, m->data, m->len, "video/mp4", false,
	                             m->len - 1, &a, &msg),
	                 ERR_TOO_LARGE);
	ck_assert_int_eq(proof_store(dir, m->data, m->len, "video/mp4", false,
	                             m->len, &a, &msg),
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
	                             m->len, &b, &msg),
	                 0);
	ck_assert_str_ne(a.hash, b.hash);
	s = stored(&b);
	ck_assert(has(g_bytes_get_data(s, NULL), 300, "udta"));
	g_bytes_unref(s);
	/* broken MP4 */
	m->data[23] += 200;
	ck_assert_int_eq(proof_store(dir, m->data, m->len, "video/mp4", false,
	                             m->len, &a, &msg),
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
	tcase_add_test(t, mp4_whitelist_at_every_depth);
	tcase_add_test(t, webm_blanked_in_place);
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
