/* proof.c — checking, cleaning and storing proof photos and videos.
 *
 * Owns the recognition of video containers, the removal of location and
 * time metadata from MP4 boxes, and the content-addressed proof files.
 * Photos go through image.c (sniffing, JPEG metadata stripping, storing);
 * only a photo whose metadata is kept on purpose, and videos, are written
 * here. Never decodes media, never trusts the declared type. Knows no HTTP
 * or SQL; called by api_sweeping.c.
 */
#include "proof.h"
#include "err.h"
#include "image.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MP4_DEPTH_MAX 8

enum proof_video proof_video_sniff(const void *data, size_t len)
{
	const uint8_t *p = data;

	if (len >= 12 && memcmp(p + 4, "ftyp", 4) == 0)
		return PROOF_MP4;
	if (len >= 16 && memcmp(p, "\x1a\x45\xdf\xa3", 4) == 0 &&
	    memmem(p, len < 64 ? len : 64, "webm", 4))
		return PROOF_WEBM;
	return PROOF_VIDEO_NONE;
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
	size_t n = body && len > 0 && body[0] == 1 ? 16 : 8;

	if (len >= 4 + n)
		memset(body + 4, 0, n);
}

static bool is(const uint8_t *type, const char *name)
{
	return memcmp(type, name, 4) == 0;
}

static int walk(uint8_t *p, size_t len, int depth)
{
	size_t off = 0;

	if (depth > MP4_DEPTH_MAX)
		return ERR_INVALID;
	while (off < len) {
		uint8_t *type;
		uint64_t size;
		size_t hdr;

		if (depth == 0 && len - off < 8)
			break; /* a few bytes of padding after the last box */
		if (box_header(p + off, len - off, &size, &hdr))
			return ERR_INVALID;
		type = p + off + 4;
		if (is(type, "udta") || is(type, "meta") ||
		    (depth <= 1 && is(type, "uuid"))) {
			/* a free box of the same size, its bytes wiped */
			memcpy(type, "free", 4);
			memset(p + off + hdr, 0, (size_t)size - hdr);
		} else if (is(type, "mvhd") || is(type, "tkhd") ||
		           is(type, "mdhd"))
			zero_times(p + off + hdr, (size_t)size - hdr);
		else if ((is(type, "moov") || is(type, "trak") ||
		          is(type, "mdia")) &&
		         walk(p + off + hdr, (size_t)size - hdr, depth + 1))
			return ERR_INVALID;
		off += (size_t)size;
	}
	return 0;
}

int proof_mp4_scrub(uint8_t *data, size_t len)
{
	if (proof_video_sniff(data, len) != PROOF_MP4)
		return ERR_INVALID;
	return walk(data, len, 0);
}

int proof_path(const char *dir, const char *hash, char *out, size_t outlen)
{
	return image_path(dir, hash, out, outlen);
}

/* Hash bytes and store them once under dir. */
static int store_blob(const char *dir, const uint8_t *bytes, size_t len,
                      struct proof_file *out, char *msg, size_t msglen)
{
	gchar *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, bytes, len);
	char path[2048], sub[2048];
	int rc = 0;

	g_strlcpy(out->hash, h, sizeof(out->hash));
	g_free(h);
	out->bytes = len;
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, out->hash);
	if (proof_path(dir, out->hash, path, sizeof(path)) ||
	    g_mkdir_with_parents(sub, 0755)) {
		rc = ERR_IO;
	} else if (!g_file_test(path, G_FILE_TEST_EXISTS) &&
	           image_write_atomic(path, bytes, len)) {
		log_error("proof", "cannot write %s: %s", path,
		          strerror(errno));
		rc = ERR_IO;
	}
	if (rc)
		snprintf(msg, msglen, "cannot store the file");
	return rc;
}

static enum proof_video video_of_mime(const char *ctype)
{
	size_t n;

	if (!ctype)
		return PROOF_VIDEO_NONE;
	while (*ctype == ' ')
		ctype++;
	n = strcspn(ctype, "; ");
	if (n == 9 && g_ascii_strncasecmp(ctype, "video/mp4", 9) == 0)
		return PROOF_MP4;
	if (n == 10 && g_ascii_strncasecmp(ctype, "video/webm", 10) == 0)
		return PROOF_WEBM;
	return PROOF_VIDEO_NONE;
}

static int store_photo(const char *dir, const void *data, size_t len,
                       const char *declared, bool keep, struct proof_file *out,
                       char *msg, size_t msglen)
{
	enum image_type t = image_type_of_mime(declared);
	struct image_info info;
	int rc;

	if (!keep) {
		if ((rc = image_store(dir, data, len, declared, &info, msg,
		                      msglen)))
			return rc;
		g_strlcpy(out->hash, info.hash, sizeof(out->hash));
		out->bytes = info.bytes;
		g_strlcpy(out->mime, image_mime(info.type), sizeof(out->mime));
		return 0;
	}
	if (image_sniff(data, len) != t) {
		snprintf(msg, msglen, "the content is not %s", image_mime(t));
		return ERR_UNSUPPORTED;
	}
	g_strlcpy(out->mime, image_mime(t), sizeof(out->mime));
	return store_blob(dir, data, len, out, msg, msglen);
}

static int store_video(const char *dir, const void *data, size_t len,
                       enum proof_video declared, bool keep, size_t max_video,
                       struct proof_file *out, char *msg, size_t msglen)
{
	uint8_t *copy = NULL;
	int rc;

	if (proof_video_sniff(data, len) != declared) {
		snprintf(msg, msglen, "the content is not %s",
		         declared == PROOF_MP4 ? "an MP4 video"
		                               : "a WebM video");
		return ERR_UNSUPPORTED;
	}
	if (len > max_video) {
		snprintf(msg, msglen, "a proof video may be at most %zu bytes",
		         max_video);
		return ERR_TOO_LARGE;
	}
	out->video = true;
	g_strlcpy(out->mime, declared == PROOF_MP4 ? "video/mp4" : "video/webm",
	          sizeof(out->mime));
	if (declared == PROOF_MP4 && !keep) {
		copy = g_memdup2(data, len);
		if (proof_mp4_scrub(copy, len)) {
			snprintf(msg, msglen, "broken MP4 box structure");
			g_free(copy);
			return ERR_INVALID;
		}
		data = copy;
	}
	rc = store_blob(dir, data, len, out, msg, msglen);
	g_free(copy);
	return rc;
}

int proof_store(const char *dir, const void *data, size_t len,
                const char *declared, bool keep_location, size_t max_video,
                struct proof_file *out, char *msg, size_t msglen)
{
	enum proof_video v = video_of_mime(declared);

	memset(out, 0, sizeof(*out));
	if (!data || len == 0) {
		snprintf(msg, msglen, "empty body: send the photo or video");
		return ERR_INVALID;
	}
	if (image_type_of_mime(declared) != IMAGE_NONE)
		return store_photo(dir, data, len, declared, keep_location, out,
		                   msg, msglen);
	if (v != PROOF_VIDEO_NONE)
		return store_video(dir, data, len, v, keep_location, max_video,
		                   out, msg, msglen);
	snprintf(msg, msglen,
	         "Content-Type: send image/jpeg, image/png, image/webp, "
	         "video/mp4 or video/webm");
	return ERR_UNSUPPORTED;
}
