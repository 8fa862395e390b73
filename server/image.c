/* image.c — recognising and storing uploaded images.
 *
 * Owns the recognition of image bytes (magic numbers against the declared
 * type) and the content-addressed files under the images directory; every
 * image is rewritten by imgclean.c first, so what is stored holds no
 * metadata. It never decodes pixels and never trusts the declared type.
 * Knows no HTTP or SQL; called by api_photo.c (memorial photos and
 * portraits) and proof.c (proof photos).
 */
#include "image.h"
#include "err.h"
#include "imgclean.h"
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

/* fsync a directory, so that a name made or renamed in it is on disk. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd >= 0 && fsync(fd) == 0 ? 0 : ERR_IO;

	if (fd >= 0)
		close(fd);
	return rc;
}

/* The file's directory and that one's parent (the hash's two-character
 * directory may just have been made), synced after the rename. */
static int sync_dirs(const char *path)
{
	char *dir = g_path_get_dirname(path);
	char *parent = g_path_get_dirname(dir);
	int rc = sync_dir(dir);

	if (rc == 0)
		rc = sync_dir(parent);
	g_free(parent);
	g_free(dir);
	return rc;
}

int image_write_atomic(const char *path, const uint8_t *data, size_t len)
{
	char *tmp = g_strdup_printf("%s.tmpXXXXXX", path);
	int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
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
			rc = sync_dirs(path);
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
static int check_types(enum image_type t, const char *declared,
                       struct err_detail *e)
{
	enum image_type d = image_type_of_mime(declared);
	bool octet =
	    declared &&
	    g_ascii_strncasecmp(declared, "application/octet-stream", 24) == 0;

	if (d == IMAGE_NONE && !octet)
		return err_fail(e, ERR_UNSUPPORTED, NULL,
		                "Content-Type: send image/jpeg, image/png or "
		                "image/webp");
	if (t == IMAGE_NONE)
		return err_fail(e, ERR_UNSUPPORTED, NULL,
		                "the content is not a JPEG, PNG or WebP image");
	if (d != IMAGE_NONE && d != t)
		return err_fail(e, ERR_UNSUPPORTED, NULL,
		                "the content is %s, not %s", image_mime(t),
		                image_mime(d));
	return 0;
}

static void sha256_hex(const uint8_t *data, size_t len, char *out)
{
	gchar *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);

	g_strlcpy(out, h, 65);
	g_free(h);
}

int image_store(const char *dir, const void *data, size_t len,
                const char *declared, struct image_info *out,
                struct err_detail *e)
{
	uint8_t *clean = NULL;
	const uint8_t *bytes = data;
	char path[2048], sub[2048];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!data || len == 0)
		return err_fail(e, ERR_INVALID, NULL,
		                "empty body: send the image bytes");
	out->type = image_sniff(data, len);
	if ((rc = check_types(out->type, declared, e)))
		return rc;
	if (imgclean(out->type, data, len, &clean, &len, &out->width,
	             &out->height, e))
		return ERR_INVALID;
	bytes = clean;
	out->bytes = len;
	sha256_hex(bytes, len, out->hash);
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, out->hash);
	if (image_path(dir, out->hash, path, sizeof(path)) ||
	    g_mkdir_with_parents(sub, 0700)) {
		rc = err_fail(e, ERR_IO, NULL, "cannot store the image");
	} else if (!g_file_test(path, G_FILE_TEST_EXISTS) &&
	           image_write_atomic(path, bytes, len)) {
		log_error("image", "cannot write %s: %s", path,
		          strerror(errno));
		rc = err_fail(e, ERR_IO, NULL, "cannot store the image");
	}
	g_free(clean);
	return rc;
}
