/* image.c — recognising, cleaning and storing uploaded images.
 *
 * Owns the checks on image bytes (magic numbers, JPEG segment structure,
 * header dimensions), the removal of JPEG metadata that can reveal where
 * and with what a photo was taken, and the content-addressed files under
 * the images directory. It never decodes pixels and never trusts the
 * declared type. Knows no HTTP or SQL; called by api_photo.c (memorial
 * photos and portraits) and later by proof photos.
 */
#include "image.h"
#include "err.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum image_type image_sniff(const void *data, size_t len)
{
	const uint8_t *p = data;

	if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return IMAGE_JPEG;
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return IMAGE_PNG;
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return IMAGE_WEBP;
	return IMAGE_NONE;
}

const char *image_mime(enum image_type t)
{
	switch (t) {
	case IMAGE_JPEG: return "image/jpeg";
	case IMAGE_PNG: return "image/png";
	case IMAGE_WEBP: return "image/webp";
	default: return NULL;
	}
}

enum image_type image_type_of_mime(const char *ctype)
{
	static const char *const names[] = {NULL, "image/jpeg", "image/png",
	                                    "image/webp"};
	size_t n;

	if (!ctype)
		return IMAGE_NONE;
	while (*ctype == ' ')
		ctype++;
	n = strcspn(ctype, "; ");
	for (int t = IMAGE_JPEG; t <= IMAGE_WEBP; t++)
		if (strlen(names[t]) == n &&
		    g_ascii_strncasecmp(ctype, names[t], n) == 0)
			return (enum image_type)t;
	if (n == 9 && g_ascii_strncasecmp(ctype, "image/jpg", 9) == 0)
		return IMAGE_JPEG;
	return IMAGE_NONE;
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static bool is_sof(uint8_t m)
{
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

int image_jpeg_strip(const uint8_t *in, size_t len, uint8_t **out,
                     size_t *outlen, int *w, int *h)
{
	GByteArray *b;
	bool end = false;
	size_t i = 2;

	if (len < 4 || in[0] != 0xFF || in[1] != 0xD8)
		return ERR_INVALID;
	b = g_byte_array_sized_new((guint)len);
	g_byte_array_append(b, in, 2);
	while (i < len) {
		uint8_t m;
		size_t seg;

		if (in[i] != 0xFF)
			goto out_bad;
		while (i < len && in[i] == 0xFF) /* fill bytes */
			i++;
		if (i >= len)
			goto out_bad;
		m = in[i++];
		if (m == 0xD9 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
			const uint8_t mk[2] = {0xFF, m};

			g_byte_array_append(b, mk, 2);
			if (m == 0xD9) {
				end = true;
				break;
			}
			continue;
		}
		if (i + 2 > len || be16(in + i) < 2 || i + be16(in + i) > len)
			goto out_bad;
		seg = be16(in + i);
		if (is_sof(m) && seg >= 7) {
			if (h)
				*h = (int)be16(in + i + 3);
			if (w)
				*w = (int)be16(in + i + 5);
		}
		if (m != 0xE1 && m != 0xED) {
			const uint8_t mk[2] = {0xFF, m};

			g_byte_array_append(b, mk, 2);
			g_byte_array_append(b, in + i, (guint)seg);
		}
		i += seg;
		if (m == 0xDA) { /* scan data and the rest, as they are */
			g_byte_array_append(b, in + i, (guint)(len - i));
			end = true;
			break;
		}
	}
	if (!end)
		goto out_bad;
	*outlen = b->len;
	*out = g_byte_array_free(b, FALSE);
	return 0;
out_bad:
	g_byte_array_free(b, TRUE);
	return ERR_INVALID;
}

static unsigned le24(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16;
}

int image_dimensions(enum image_type t, const uint8_t *p, size_t len, int *w,
                     int *h)
{
	if (t == IMAGE_PNG && len >= 24 && memcmp(p + 12, "IHDR", 4) == 0) {
		*w = (int)(be16(p + 16) << 16 | be16(p + 18));
		*h = (int)(be16(p + 20) << 16 | be16(p + 22));
		return 0;
	}
	if (t != IMAGE_WEBP || len < 30)
		return ERR_INVALID;
	if (memcmp(p + 12, "VP8 ", 4) == 0 && p[23] == 0x9d && p[24] == 0x01 &&
	    p[25] == 0x2a) {
		*w = (int)((p[26] | p[27] << 8) & 0x3fff);
		*h = (int)((p[28] | p[29] << 8) & 0x3fff);
		return 0;
	}
	if (memcmp(p + 12, "VP8L", 4) == 0 && p[20] == 0x2f) {
		uint32_t v = (uint32_t)p[21] | (uint32_t)p[22] << 8 |
		             (uint32_t)p[23] << 16 | (uint32_t)p[24] << 24;

		*w = (int)(v & 0x3fff) + 1;
		*h = (int)((v >> 14) & 0x3fff) + 1;
		return 0;
	}
	if (memcmp(p + 12, "VP8X", 4) == 0) {
		*w = (int)le24(p + 24) + 1;
		*h = (int)le24(p + 27) + 1;
		return 0;
	}
	return ERR_INVALID;
}

bool image_hash_valid(const char *hash)
{
	if (!hash || strlen(hash) != 64)
		return false;
	for (const char *p = hash; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

int image_path(const char *dir, const char *hash, char *out, size_t outlen)
{
	int n;

	if (!image_hash_valid(hash))
		return ERR_INVALID;
	n = snprintf(out, outlen, "%s/%.2s/%s", dir, hash, hash);
	return n < 0 || (size_t)n >= outlen ? ERR_INVALID : 0;
}

int image_write_atomic(const char *path, const uint8_t *data, size_t len)
{
	char *tmp = g_strdup_printf("%s.tmpXXXXXX", path);
	int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0644);
	size_t done = 0;
	int rc = ERR_IO;

	if (fd < 0)
		goto out_free;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out_close;
		done += (size_t)n;
	}
	if (fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		if (rename(tmp, path) == 0)
			rc = 0;
	}
out_close:
	if (fd >= 0)
		close(fd);
	if (rc)
		g_unlink(tmp);
out_free:
	g_free(tmp);
	return rc;
}

/* The declared type must be an image type or octet-stream and agree. */
static int check_types(enum image_type t, const char *declared, char *msg,
                       size_t msglen)
{
	enum image_type d = image_type_of_mime(declared);
	bool octet =
	    declared &&
	    g_ascii_strncasecmp(declared, "application/octet-stream", 24) == 0;

	if (d == IMAGE_NONE && !octet) {
		snprintf(msg, msglen,
		         "Content-Type: send image/jpeg, image/png or "
		         "image/webp");
		return ERR_UNSUPPORTED;
	}
	if (t == IMAGE_NONE) {
		snprintf(msg, msglen,
		         "the content is not a JPEG, PNG or WebP image");
		return ERR_UNSUPPORTED;
	}
	if (d != IMAGE_NONE && d != t) {
		snprintf(msg, msglen, "the content is %s, not %s",
		         image_mime(t), image_mime(d));
		return ERR_UNSUPPORTED;
	}
	return 0;
}

static void sha256_hex(const uint8_t *data, size_t len, char *out)
{
	gchar *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);

	g_strlcpy(out, h, 65);
	g_free(h);
}

int image_store(const char *dir, const void *data, size_t len,
                const char *declared, struct image_info *out, char *msg,
                size_t msglen)
{
	uint8_t *clean = NULL;
	const uint8_t *bytes = data;
	char path[2048], sub[2048];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!data || len == 0) {
		snprintf(msg, msglen, "empty body: send the image bytes");
		return ERR_INVALID;
	}
	out->type = image_sniff(data, len);
	if ((rc = check_types(out->type, declared, msg, msglen)))
		return rc;
	if (out->type == IMAGE_JPEG) {
		if (image_jpeg_strip(data, len, &clean, &len, &out->width,
		                     &out->height)) {
			snprintf(msg, msglen, "broken JPEG segment structure");
			return ERR_INVALID;
		}
		bytes = clean;
	} else {
		image_dimensions(out->type, bytes, len, &out->width,
		                 &out->height);
	}
	out->bytes = len;
	sha256_hex(bytes, len, out->hash);
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, out->hash);
	if (image_path(dir, out->hash, path, sizeof(path)) ||
	    g_mkdir_with_parents(sub, 0755)) {
		snprintf(msg, msglen, "cannot store the image");
		rc = ERR_IO;
	} else if (!g_file_test(path, G_FILE_TEST_EXISTS) &&
	           image_write_atomic(path, bytes, len)) {
		log_error("image", "cannot write %s: %s", path,
		          strerror(errno));
		snprintf(msg, msglen, "cannot store the image");
		rc = ERR_IO;
	}
	g_free(clean);
	return rc;
}
