/* imgclean.c — rebuilding uploaded images from the parts a browser needs.
 *
 * Owns the three whitelists of imgclean.h and the checks on declared
 * sizes. It parses containers only (segments, chunks); it never decodes
 * pixels, so a crafted file cannot reach a decoder through here. Every
 * length read from the input is checked against what is left of it.
 */
#include "imgclean.h"
#include "err.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FAIL(...)                                                              \
	do {                                                                   \
		return err_fail(e, ERR_INVALID, NULL, __VA_ARGS__);            \
	} while (0)

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static unsigned le24(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The declared size must be a picture a browser could show. */
static int size_ok(uint64_t w, uint64_t h, struct err_detail *e)
{
	if (w == 0 || h == 0)
		FAIL("the image declares no width or height");
	if (w > IMAGE_SIDE_MAX || h > IMAGE_SIDE_MAX ||
	    w * h > IMAGE_PIXELS_MAX)
		FAIL("the image declares %llu × %llu pixels: at most %d a side "
		     "and %d in all",
		     (unsigned long long)w, (unsigned long long)h,
		     IMAGE_SIDE_MAX, IMAGE_PIXELS_MAX);
	return 0;
}

/* ---------- JPEG ---------- */

static bool is_sof(uint8_t m)
{
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* The EXIF orientation (1-8) of an APP1 payload, or 0. */
static int exif_orientation(const uint8_t *p, size_t n)
{
	const uint8_t *t = p + 6;
	size_t tn = n - 6, off, count;
	bool le;

	if (n < 6 + 8 || memcmp(p, "Exif\0\0", 6) != 0)
		return 0;
	le = t[0] == 'I' && t[1] == 'I';
	if (!le && !(t[0] == 'M' && t[1] == 'M'))
		return 0;
	off = le ? le32(t + 4) : be32(t + 4);
	if (off + 2 > tn)
		return 0;
	count = le ? (size_t)(t[off] | t[off + 1] << 8) : be16(t + off);
	for (size_t i = 0; i < count && off + 2 + i * 12 + 12 <= tn; i++) {
		const uint8_t *e = t + off + 2 + i * 12;
		unsigned tag = le ? (unsigned)(e[0] | e[1] << 8) : be16(e);
		unsigned type = le ? (unsigned)(e[2] | e[3] << 8) : be16(e + 2);
		unsigned v = le ? (unsigned)(e[8] | e[9] << 8) : be16(e + 8);

		if (tag == 0x0112 && type == 3)
			return v >= 1 && v <= 8 ? (int)v : 0;
	}
	return 0;
}

/* A minimal EXIF APP1 holding the orientation and nothing else. */
static void put_orientation(GByteArray *b, int o)
{
	const uint8_t seg[] = {
	    0xFF, 0xE1, 0x00,       0x22, 'E',  'x',  'i',  'f',  0x00,
	    0x00, 'M',  'M',        0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
	    0x00, 0x01, 0x01,       0x12, 0x00, 0x03, 0x00, 0x00, 0x00,
	    0x01, 0x00, (uint8_t)o, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

	g_byte_array_append(b, seg, sizeof(seg));
}

/* Is the APPn/COM segment m with payload p (n bytes) one to keep? */
static bool jpeg_keep_app(uint8_t m, const uint8_t *p, size_t n)
{
	if (m == 0xE0) /* a plain JFIF header, no thumbnail */
		return n == 14 && memcmp(p, "JFIF\0", 5) == 0 && p[12] == 0 &&
		       p[13] == 0;
	if (m == 0xE2) /* colour profile */
		return n > 14 && memcmp(p, "ICC_PROFILE\0", 12) == 0;
	if (m == 0xEE) /* colour transform of CMYK/YCbCr */
		return n == 12 && memcmp(p, "Adobe", 5) == 0;
	return false;
}

/* Entropy-coded data from in[i]: up to the next marker that is not a
 * stuffed 0xFF00 or a restart marker. Returns the index of that marker. */
static size_t scan_end(const uint8_t *in, size_t len, size_t i)
{
	while (i + 1 < len) {
		if (in[i] == 0xFF && in[i + 1] != 0x00 &&
		    !(in[i + 1] >= 0xD0 && in[i + 1] <= 0xD7) &&
		    in[i + 1] != 0xFF)
			return i;
		i++;
	}
	return len;
}

struct jpeg_state {
	GByteArray *head, *body; /* kept header segments; frame and scans */
	int orientation, w, h;
	bool sof, sos;
};

/* One marker segment at in[i] (after its marker byte m); i advances. */
static int jpeg_segment(struct jpeg_state *s, const uint8_t *in, size_t len,
                        size_t *i, uint8_t m, struct err_detail *e)
{
	const uint8_t mk[2] = {0xFF, m};
	size_t seg;

	if (*i + 2 > len || be16(in + *i) < 2 || *i + be16(in + *i) > len)
		FAIL("broken JPEG: a segment runs past the end");
	seg = be16(in + *i);
	if (m >= 0xE0 || m == 0xFE || m == 0xC8) { /* APPn, COM, JPG */
		if (m == 0xE1 && !s->orientation)
			s->orientation = exif_orientation(in + *i + 2, seg - 2);
		if (jpeg_keep_app(m, in + *i + 2, seg - 2)) {
			g_byte_array_append(s->head, mk, 2);
			g_byte_array_append(s->head, in + *i, (guint)seg);
		}
		*i += seg;
		return 0;
	}
	if (!is_sof(m) && m != 0xC4 && m != 0xCC && m != 0xDB && m != 0xDD &&
	    m != 0xDC && m != 0xDA)
		FAIL("JPEG marker 0x%02X cannot be kept or cleaned", m);
	if (is_sof(m)) {
		if (seg < 8)
			FAIL("broken JPEG: a short frame header");
		s->h = (int)be16(in + *i + 3);
		s->w = (int)be16(in + *i + 5);
		s->sof = true;
	}
	g_byte_array_append(s->body, mk, 2);
	g_byte_array_append(s->body, in + *i, (guint)seg);
	*i += seg;
	if (m == 0xDA) { /* the scan's entropy-coded data */
		size_t end = scan_end(in, len, *i);

		g_byte_array_append(s->body, in + *i, (guint)(end - *i));
		*i = end;
		s->sos = true;
	}
	return 0;
}

/* Walk the segments to EOI; what follows EOI is dropped. */
static int jpeg_walk(struct jpeg_state *s, const uint8_t *in, size_t len,
                     struct err_detail *e)
{
	size_t i = 2;
	int rc;

	while (i < len) {
		uint8_t m;

		if (in[i] != 0xFF)
			FAIL("broken JPEG: no marker where one must be");
		while (i < len && in[i] == 0xFF) /* fill bytes */
			i++;
		if (i >= len)
			break;
		m = in[i++];
		if (m == 0xD9)
			return s->sof && s->sos ? 0 : ERR_INVALID;
		if (m >= 0xD0 && m <= 0xD7) { /* a stray restart marker */
			const uint8_t mk[2] = {0xFF, m};

			g_byte_array_append(s->body, mk, 2);
			continue;
		}
		if ((rc = jpeg_segment(s, in, len, &i, m, e)))
			return rc;
	}
	FAIL("broken JPEG: it does not end (no EOI)");
}

static int clean_jpeg(const uint8_t *in, size_t len, GByteArray *out, int *w,
                      int *h, struct err_detail *e)
{
	struct jpeg_state s = {0};
	int rc;

	if (len < 4 || in[0] != 0xFF || in[1] != 0xD8)
		FAIL("not a JPEG");
	s.head = g_byte_array_new();
	s.body = g_byte_array_new();
	rc = jpeg_walk(&s, in, len, e);
	if (rc == ERR_INVALID && e && !e->msg[0])
		err_fail(e, rc, NULL, "broken JPEG: no picture in it");
	if (rc == 0 && (rc = size_ok((uint64_t)s.w, (uint64_t)s.h, e)) == 0) {
		const uint8_t soi[2] = {0xFF, 0xD8}, eoi[2] = {0xFF, 0xD9};

		g_byte_array_append(out, soi, 2);
		g_byte_array_append(out, s.head->data, s.head->len);
		if (s.orientation > 1)
			put_orientation(out, s.orientation);
		g_byte_array_append(out, s.body->data, s.body->len);
		g_byte_array_append(out, eoi, 2);
		*w = s.w;
		*h = s.h;
	}
	g_byte_array_free(s.head, TRUE);
	g_byte_array_free(s.body, TRUE);
	return rc;
}

/* ---------- PNG ---------- */

/* The CRC-32 of PNG chunks (ISO 3309), with a table made per image. */
static void crc32_table(uint32_t t[256])
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
		t[n] = c;
	}
}

static uint32_t crc32_png(const uint32_t t[256], const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++)
		c = t[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

static bool png_keep(const uint8_t *type)
{
	static const char *const keep[] = {
	    "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB",
	    "iCCP", "sBIT", "bKGD", "pHYs", "acTL", "fcTL", "fdAT", NULL};

	for (int i = 0; keep[i]; i++)
		if (memcmp(type, keep[i], 4) == 0)
			return true;
	return false;
}

static int clean_png(const uint8_t *in, size_t len, GByteArray *out, int *w,
                     int *h, struct err_detail *e)
{
	size_t i = 8;
	bool idat = false;
	uint32_t crc[256];
	int rc;

	if (len < 8 + 25 || memcmp(in, "\x89PNG\r\n\x1a\n", 8) != 0 ||
	    be32(in + 8) != 13 || memcmp(in + 12, "IHDR", 4) != 0)
		FAIL("broken PNG: it does not begin with its header");
	if ((rc = size_ok(be32(in + 16), be32(in + 20), e)))
		return rc;
	*w = (int)be32(in + 16);
	*h = (int)be32(in + 20);
	g_byte_array_append(out, in, 8);
	crc32_table(crc);
	while (i + 12 <= len) {
		uint32_t n = be32(in + i);
		const uint8_t *type = in + i + 4;

		if (n > len - i - 12)
			FAIL("broken PNG: a chunk runs past the end");
		if (crc32_png(crc, type, n + 4) != be32(in + i + 8 + n))
			FAIL("broken PNG: a chunk's CRC is wrong");
		if (png_keep(type))
			g_byte_array_append(out, in + i, n + 12);
		idat = idat || memcmp(type, "IDAT", 4) == 0;
		i += n + 12;
		if (memcmp(type, "IEND", 4) == 0)
			return idat ? 0 : ERR_INVALID;
	}
	FAIL("broken PNG: it does not end (no IEND)");
}

/* ---------- WebP ---------- */

/* Width and height of an image chunk's own header. */
static int webp_frame_size(const uint8_t *c, size_t n, bool lossless,
                           uint64_t *w, uint64_t *h)
{
	if (!lossless && n >= 10 && c[3] == 0x9d && c[4] == 0x01 &&
	    c[5] == 0x2a) {
		*w = (c[6] | c[7] << 8) & 0x3fff;
		*h = (c[8] | c[9] << 8) & 0x3fff;
		return 0;
	}
	if (lossless && n >= 5 && c[0] == 0x2f) {
		uint32_t v = le32(c + 1);

		*w = (v & 0x3fff) + 1;
		*h = ((v >> 14) & 0x3fff) + 1;
		return 0;
	}
	return ERR_INVALID;
}

static bool webp_keep(const uint8_t *fourcc)
{
	static const char *const keep[] = {"VP8 ", "VP8L", "VP8X", "ALPH",
	                                   "ANIM", "ANMF", "ICCP", NULL};

	for (int i = 0; keep[i]; i++)
		if (memcmp(fourcc, keep[i], 4) == 0)
			return true;
	return false;
}

struct webp_state {
	uint64_t w, h;
	bool picture, iccp;
	size_t vp8x; /* offset of VP8X's payload in out, 0: none */
};

/* One chunk at in[i] (n bytes of payload); copied when kept. */
static int webp_chunk(struct webp_state *s, const uint8_t *c, size_t n,
                      GByteArray *out, struct err_detail *e)
{
	const uint8_t *fourcc = c - 8;
	const uint8_t pad = 0;

	if (!webp_keep(fourcc))
		return 0;
	if (memcmp(fourcc, "VP8X", 4) == 0) {
		if (n < 10 || s->vp8x || out->len != 12)
			FAIL("broken WebP: a misplaced extended header");
		s->w = (uint64_t)le24(c + 4) + 1;
		s->h = (uint64_t)le24(c + 7) + 1;
		s->vp8x = out->len + 8;
	} else if (!memcmp(fourcc, "VP8 ", 4) || !memcmp(fourcc, "VP8L", 4)) {
		uint64_t fw, fh;

		if (webp_frame_size(c, n, fourcc[3] == 'L', &fw, &fh))
			FAIL("broken WebP: an image chunk without its header");
		if (!s->vp8x) { /* the simple format: the frame is the canvas */
			s->w = fw;
			s->h = fh;
		}
		s->picture = true;
	} else if (!memcmp(fourcc, "ANMF", 4)) {
		s->picture = true;
	} else if (!memcmp(fourcc, "ICCP", 4)) {
		s->iccp = true;
	}
	g_byte_array_append(out, fourcc, (guint)(n + 8));
	if (n & 1)
		g_byte_array_append(out, &pad, 1);
	return 0;
}

static int clean_webp(const uint8_t *in, size_t len, GByteArray *out, int *w,
                      int *h, struct err_detail *e)
{
	struct webp_state s = {0};
	size_t end, i = 12;
	int rc;

	if (len < 12 || memcmp(in, "RIFF", 4) || memcmp(in + 8, "WEBP", 4) ||
	    (uint64_t)le32(in + 4) + 8 > len || le32(in + 4) < 4)
		FAIL("broken WebP: its RIFF header does not match its size");
	end = (size_t)le32(in + 4) + 8; /* bytes past the RIFF are dropped */
	g_byte_array_append(out, in, 12);
	while (i + 8 <= end) {
		size_t n = le32(in + i + 4);

		if (n > end - i - 8)
			FAIL("broken WebP: a chunk runs past the end");
		if ((rc = webp_chunk(&s, in + i + 8, n, out, e)))
			return rc;
		i += 8 + n + (n & 1);
	}
	if (!s.picture)
		FAIL("broken WebP: no picture in it");
	if ((rc = size_ok(s.w, s.h, e)))
		return rc;
	if (s.vp8x) /* EXIF and XMP are gone; ICC as it is now */
		out->data[s.vp8x] =
		    (uint8_t)((out->data[s.vp8x] & 0x12) | (s.iccp ? 0x20 : 0));
	put_le32(out->data + 4, out->len - 8);
	*w = (int)s.w;
	*h = (int)s.h;
	return 0;
}

int imgclean(enum image_type t, const uint8_t *in, size_t len, uint8_t **out,
             size_t *outlen, int *w, int *h, struct err_detail *e)
{
	GByteArray *b = g_byte_array_sized_new((guint)len);
	int rc;

	if (e)
		e->msg[0] = '\0';
	switch (t) {
	case IMAGE_JPEG: rc = clean_jpeg(in, len, b, w, h, e); break;
	case IMAGE_PNG: rc = clean_png(in, len, b, w, h, e); break;
	case IMAGE_WEBP: rc = clean_webp(in, len, b, w, h, e); break;
	default:
		rc = err_fail(e, ERR_INVALID, NULL,
		              "not a JPEG, PNG or WebP image");
	}
	if (rc) {
		if (e && !e->msg[0])
			err_fail(e, rc, NULL, "broken image: no picture in it");
		g_byte_array_free(b, TRUE);
		*out = NULL;
		return ERR_INVALID;
	}
	*outlen = b->len;
	*out = g_byte_array_free(b, FALSE);
	return 0;
}
