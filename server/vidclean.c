/* vidclean.c — blanking everything but picture and sound in MP4 and WebM.
 *
 * Owns the two whitelists of vidclean.h. It walks container structure
 * (MP4 boxes, EBML elements) with every length checked against what is
 * left, never decodes media, and changes nothing's size or position:
 * dropped parts become padding (MP4 "free", EBML Void) whose bytes are
 * zeroed.
 */
#include "vidclean.h"
#include "err.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DEPTH_MAX 10

#define FAIL(...)                                                              \
	do {                                                                   \
		return err_fail(e, ERR_INVALID, NULL, __VA_ARGS__);            \
	} while (0)

/* ---------- MP4 ---------- */

/* The boxes each container may hold; a kept box that is itself listed
 * here is walked in turn. The first row is the file's top level. */
static const char *const mp4_rules[][24] = {
    {"", "ftyp", "styp", "moov", "moof", "mfra", "mdat", "free", "skip", "wide",
     "sidx", "ssix", "pdin"},
    {"moov", "mvhd", "trak", "mvex"},
    {"trak", "tkhd", "tref", "edts", "mdia"},
    {"edts", "elst"},
    {"mdia", "mdhd", "hdlr", "minf"},
    {"minf", "vmhd", "smhd", "hmhd", "nmhd", "sthd", "hdlr", "dinf", "stbl"},
    {"dinf", "dref"},
    {"stbl", "stsd", "stts", "ctts", "cslg", "stsc", "stsz", "stz2", "stco",
     "co64", "stss", "stsh", "stps", "sdtp", "sbgp", "sgpd", "subs", "saiz",
     "saio"},
    {"mvex", "mehd", "trex", "leva"},
    {"moof", "mfhd", "traf"},
    {"traf", "tfhd", "tfdt", "trun", "sbgp", "sgpd", "subs", "saiz", "saio",
     "sdtp"},
    {"mfra", "tfra", "mfro"},
};

/* The rule row of a container, or NULL for a box not walked into. */
static const char *const *mp4_rule(const char *type)
{
	for (size_t i = 0; i < sizeof(mp4_rules) / sizeof(mp4_rules[0]); i++)
		if (strcmp(mp4_rules[i][0], type) == 0)
			return mp4_rules[i];
	return NULL;
}

static bool mp4_allowed(const char *const *rule, const char *type)
{
	for (int i = 1; i < 24 && rule[i]; i++)
		if (strcmp(rule[i], type) == 0)
			return true;
	return false;
}

static uint64_t be32(const uint8_t *p)
{
	return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 |
	       (uint64_t)p[2] << 8 | p[3];
}

/* Size and header length of the box at p (avail bytes left). */
static int box_header(const uint8_t *p, size_t avail, uint64_t *size,
                      size_t *hdr)
{
	uint64_t s;

	if (avail < 8)
		return ERR_INVALID;
	s = be32(p);
	*hdr = 8;
	if (s == 1) {
		if (avail < 16)
			return ERR_INVALID;
		s = be32(p + 8) << 32 | be32(p + 12);
		*hdr = 16;
	} else if (s == 0) {
		s = avail; /* to the end of the enclosing box */
	}
	if (s < *hdr || s > avail)
		return ERR_INVALID;
	*size = s;
	return 0;
}

/* mvhd, tkhd, mdhd: version, flags, then creation and modification time
 * (32 bits each in version 0, 64 in version 1). */
static void zero_times(uint8_t *body, size_t len)
{
	size_t n = len > 0 && body[0] == 1 ? 16 : 8;

	if (len >= 4 + n)
		memset(body + 4, 0, n);
}

static int mp4_walk(uint8_t *p, size_t len, const char *const *rule, int depth,
                    struct err_detail *e)
{
	size_t off = 0;

	if (depth > DEPTH_MAX)
		FAIL("MP4 boxes nested too deep");
	while (off < len) {
		char type[5] = {0};
		const char *const *inner;
		uint64_t size;
		size_t hdr;
		int rc;

		if (depth == 0 && len - off < 8)
			break; /* a few bytes of padding after the last box */
		if (box_header(p + off, len - off, &size, &hdr))
			FAIL("broken MP4: a box runs past its container");
		memcpy(type, p + off + 4, 4);
		if (!mp4_allowed(rule, type)) {
			memcpy(p + off + 4, "free", 4);
			memset(p + off + hdr, 0, (size_t)size - hdr);
		} else if (!strcmp(type, "mvhd") || !strcmp(type, "tkhd") ||
		           !strcmp(type, "mdhd")) {
			zero_times(p + off + hdr, (size_t)size - hdr);
		} else if ((inner = mp4_rule(type)) &&
		           (rc = mp4_walk(p + off + hdr, (size_t)size - hdr,
		                          inner, depth + 1, e))) {
			return rc;
		}
		off += (size_t)size;
	}
	return 0;
}

int vidclean_mp4(uint8_t *data, size_t len, struct err_detail *e)
{
	if (len < 12 || memcmp(data + 4, "ftyp", 4) != 0)
		FAIL("not an MP4 file");
	return mp4_walk(data, len, mp4_rules[0], 0, e);
}

/* ---------- WebM (EBML) ---------- */

#define EBML_UNKNOWN UINT64_MAX

/* An element ID (1-4 bytes, marker kept) at p; its length, or 0. */
static size_t ebml_id(const uint8_t *p, size_t avail, uint32_t *id)
{
	size_t n = 0;

	if (avail == 0 || p[0] == 0)
		return 0;
	while (n < 4 && !(p[0] & (0x80 >> n)))
		n++;
	if (n == 4 || n + 1 > avail)
		return 0;
	*id = 0;
	for (size_t i = 0; i <= n; i++)
		*id = *id << 8 | p[i];
	return n + 1;
}

/* A data size (1-8 bytes, marker removed) at p; its length, or 0. All
 * ones is "unknown" (EBML_UNKNOWN). */
static size_t ebml_size(const uint8_t *p, size_t avail, uint64_t *size)
{
	size_t n = 0;
	bool ones;

	if (avail == 0 || p[0] == 0)
		return 0;
	while (!(p[0] & (0x80 >> n)))
		n++;
	if (n + 1 > avail)
		return 0;
	*size = p[0] & (0xFF >> (n + 1));
	ones = *size == (uint64_t)(0xFF >> (n + 1));
	for (size_t i = 1; i <= n; i++) {
		*size = *size << 8 | p[i];
		ones = ones && p[i] == 0xFF;
	}
	if (ones)
		*size = EBML_UNKNOWN;
	return n + 1;
}

/* Turn the element at p (idlen + szlen header bytes, n data bytes) into a
 * Void element of the same total length. */
static int ebml_void(uint8_t *p, size_t idlen, size_t szlen, size_t n,
                     struct err_detail *e)
{
	size_t l = idlen + szlen - 1; /* Void's ID is one byte */

	if (l < 1 || l > 8 || (l < 8 && n >= ((size_t)1 << (7 * l)) - 1))
		FAIL("a WebM element cannot be blanked in place");
	p[0] = 0xEC;
	for (size_t i = l; i >= 1; i--) /* the size, big-endian, in l bytes */
		p[i] = (uint8_t)(n >> (8 * (l - i)));
	p[1] |= (uint8_t)(0x80 >> (l - 1));
	memset(p + 1 + l, 0, n);
	return 0;
}

#define ID_EBML       0x1A45DFA3u
#define ID_SEGMENT    0x18538067u
#define ID_SEEKHEAD   0x114D9B74u
#define ID_INFO       0x1549A966u
#define ID_TRACKS     0x1654AE6Bu
#define ID_CLUSTER    0x1F43B675u
#define ID_CUES       0x1C53BB6Bu
#define ID_CHAPTERS   0x1043A770u
#define ID_TAGS       0x1254C367u
#define ID_ATTACH     0x1941A469u
#define ID_VOID       0xECu
#define ID_CRC        0xBFu
#define ID_TRACKENTRY 0xAEu
#define ID_NAME       0x536Eu

/* What a master element keeps (keep: the rest becomes Void) or drops
 * (drop: only those become Void). */
static const struct {
	uint32_t master;
	bool keep;
	uint32_t ids[8];
} webm_rules[] = {
    {ID_SEGMENT,
     true,
     {ID_SEEKHEAD, ID_INFO, ID_TRACKS, ID_CLUSTER, ID_CUES, ID_VOID}},
    /* TimestampScale, Duration, SegmentUUID: not the title, date or app */
    {ID_INFO, true, {0x2AD7B1u, 0x4489u, 0x73A4u, ID_VOID}},
    {ID_TRACKS, true, {ID_TRACKENTRY, ID_VOID}},
    {ID_TRACKENTRY, false, {ID_NAME, ID_CRC}},
};

static int webm_rule(uint32_t master)
{
	for (size_t i = 0; i < sizeof(webm_rules) / sizeof(webm_rules[0]); i++)
		if (webm_rules[i].master == master)
			return (int)i;
	return -1;
}

static bool listed(int rule, uint32_t id)
{
	for (int i = 0; i < 8 && webm_rules[rule].ids[i]; i++)
		if (webm_rules[rule].ids[i] == id)
			return true;
	return false;
}

static bool level1(uint32_t id)
{
	return id == ID_SEEKHEAD || id == ID_INFO || id == ID_TRACKS ||
	       id == ID_CLUSTER || id == ID_CUES || id == ID_CHAPTERS ||
	       id == ID_TAGS || id == ID_ATTACH;
}

/* The extent of an unknown-size Cluster at p (its data, len left): its
 * children, up to the next top-level element or the end. */
static int cluster_extent(const uint8_t *p, size_t len, size_t *n)
{
	size_t off = 0;

	while (off < len) {
		uint32_t id;
		uint64_t size;
		size_t il = ebml_id(p + off, len - off, &id), sl;

		if (!il)
			return ERR_INVALID;
		if (level1(id))
			break;
		sl = ebml_size(p + off + il, len - off - il, &size);
		if (!sl || size == EBML_UNKNOWN || size > len - off - il - sl)
			return ERR_INVALID;
		off += il + sl + (size_t)size;
	}
	*n = off;
	return 0;
}

static int webm_walk(uint8_t *p, size_t len, uint32_t master, int depth,
                     struct err_detail *e)
{
	int rule = webm_rule(master);
	size_t off = 0;

	if (depth > DEPTH_MAX)
		FAIL("WebM elements nested too deep");
	while (off < len) {
		uint32_t id;
		uint64_t size;
		size_t il = ebml_id(p + off, len - off, &id), sl = 0, n;
		bool keep;
		int rc;

		if (il)
			sl = ebml_size(p + off + il, len - off - il, &size);
		if (!il || !sl)
			FAIL("broken WebM: an element header does not parse");
		if (size == EBML_UNKNOWN) {
			if (id != ID_CLUSTER ||
			    cluster_extent(p + off + il + sl,
			                   len - off - il - sl, &n))
				FAIL("broken WebM: an element of unknown size");
		} else if (size > len - off - il - sl) {
			FAIL("broken WebM: an element runs past its parent");
		} else {
			n = (size_t)size;
		}
		keep = listed(rule, id) == webm_rules[rule].keep;
		if (!keep)
			rc = ebml_void(p + off, il, sl, n, e);
		else if (webm_rule(id) >= 0)
			rc = webm_walk(p + off + il + sl, n, id, depth + 1, e);
		else
			rc = 0;
		if (rc)
			return rc;
		off += il + sl + n;
	}
	return 0;
}

int vidclean_webm(uint8_t *data, size_t len, struct err_detail *e)
{
	uint32_t id;
	uint64_t size;
	size_t il = ebml_id(data, len, &id), sl = 0, off;

	if (il)
		sl = ebml_size(data + il, len - il, &size);
	if (!il || !sl || id != ID_EBML || size == EBML_UNKNOWN ||
	    size > len - il - sl)
		FAIL("not a WebM file");
	off = il + sl + (size_t)size; /* the EBML header stays as it is */
	il = ebml_id(data + off, len - off, &id);
	if (il)
		sl = ebml_size(data + off + il, len - off - il, &size);
	if (!il || !sl || id != ID_SEGMENT)
		FAIL("broken WebM: no segment after the header");
	off += il + sl;
	if (size != EBML_UNKNOWN && size > len - off)
		FAIL("broken WebM: the segment runs past the end");
	if (size != EBML_UNKNOWN && size < len - off) {
		/* nothing may hide after the segment either */
		memset(data + off + size, 0, len - off - (size_t)size);
		len = off + (size_t)size;
	}
	return webm_walk(data + off, len - off, ID_SEGMENT, 0, e);
}
