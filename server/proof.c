/* proof.c — checking, cleaning and storing proof photos and videos.
 *
 * Owns the recognition of video containers and the content-addressed
 * proof files. Photos go through image.c (recognised, rewritten without
 * metadata by imgclean.c, stored); videos are blanked by vidclean.c; only
 * a photo or video whose metadata is kept on purpose is stored as sent.
 * Never decodes media, never trusts the declared type. Knows no HTTP or
 * SQL; called by api_sweeping.c.
 */
#include "proof.h"
#include "err.h"
#include "image.h"
#include "imgclean.h"
#include "vidclean.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int proof_path(const char *dir, const char *hash, char *out, size_t outlen)
{
	return image_path(dir, hash, out, outlen);
}

/* Hash bytes and store them once under dir. */
static int store_blob(const char *dir, const uint8_t *bytes, size_t len,
                      struct proof_file *out, struct err_detail *e)
{
	gchar *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, bytes, len);
	char path[2048], sub[2048];
	int rc = 0;

	g_strlcpy(out->hash, h, sizeof(out->hash));
	g_free(h);
	out->bytes = len;
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, out->hash);
	if (proof_path(dir, out->hash, path, sizeof(path)) ||
	    g_mkdir_with_parents(sub, 0700)) {
		rc = ERR_IO;
	} else if (!g_file_test(path, G_FILE_TEST_EXISTS) &&
	           image_write_atomic(path, bytes, len)) {
		log_error("proof", "cannot write %s: %s", path,
		          strerror(errno));
		rc = ERR_IO;
	}
	if (rc)
		err_fail(e, rc, NULL, "cannot store the file");
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
                       struct err_detail *e)
{
	enum image_type t = image_type_of_mime(declared);
	struct image_info info;
	uint8_t *clean = NULL;
	size_t n;
	int w, h, rc;

	if (!keep) {
		if ((rc = image_store(dir, data, len, declared, &info, e)))
			return rc;
		g_strlcpy(out->hash, info.hash, sizeof(out->hash));
		out->bytes = info.bytes;
		g_strlcpy(out->mime, image_mime(info.type), sizeof(out->mime));
		return 0;
	}
	if (image_sniff(data, len) != t)
		return err_fail(e, ERR_UNSUPPORTED, NULL,
		                "the content is not %s", image_mime(t));
	/* kept as sent, on purpose; but only what could have been cleaned */
	if (imgclean(t, data, len, &clean, &n, &w, &h, e))
		return ERR_INVALID;
	g_free(clean);
	g_strlcpy(out->mime, image_mime(t), sizeof(out->mime));
	return store_blob(dir, data, len, out, e);
}

static int store_video(const char *dir, const void *data, size_t len,
                       enum proof_video declared, bool keep, size_t max_video,
                       struct proof_file *out, struct err_detail *e)
{
	uint8_t *copy = NULL;
	int rc;

	if (proof_video_sniff(data, len) != declared)
		return err_fail(
		    e, ERR_UNSUPPORTED, NULL, "the content is not %s",
		    declared == PROOF_MP4 ? "an MP4 video" : "a WebM video");
	if (len > max_video)
		return err_fail(e, ERR_TOO_LARGE, NULL,
		                "a proof video may be at most %zu bytes",
		                max_video);
	out->video = true;
	g_strlcpy(out->mime, declared == PROOF_MP4 ? "video/mp4" : "video/webm",
	          sizeof(out->mime));
	if (!keep) {
		copy = g_memdup2(data, len);
		if ((declared == PROOF_MP4 ? vidclean_mp4
		                           : vidclean_webm)(copy, len, e)) {
			g_free(copy);
			return ERR_INVALID;
		}
		data = copy;
	}
	rc = store_blob(dir, data, len, out, e);
	g_free(copy);
	return rc;
}

int proof_store(const char *dir, const void *data, size_t len,
                const char *declared, bool keep_location, size_t max_video,
                struct proof_file *out, struct err_detail *e)
{
	enum proof_video v = video_of_mime(declared);

	memset(out, 0, sizeof(*out));
	if (!data || len == 0)
		return err_fail(e, ERR_INVALID, NULL,
		                "empty body: send the photo or video");
	if (image_type_of_mime(declared) != IMAGE_NONE)
		return store_photo(dir, data, len, declared, keep_location, out,
		                   e);
	if (v != PROOF_VIDEO_NONE)
		return store_video(dir, data, len, v, keep_location, max_video,
		                   out, e);
	return err_fail(e, ERR_UNSUPPORTED, NULL,
	                "Content-Type: send image/jpeg, image/png, image/webp, "
	                "video/mp4 or video/webm");
}
