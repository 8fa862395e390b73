/* image.h — uploaded images: recognised by their first bytes (JPEG, PNG,
 * WebP; the declared Content-Type is not trusted), rewritten without any
 * metadata (imgclean.h), stored once under DATA_DIR/images/ab/abcdef... by
 * the SHA-256 of the stored bytes.
 */
#ifndef SINIAN_IMAGE_H
#define SINIAN_IMAGE_H

#include "err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum image_type { IMAGE_NONE = 0, IMAGE_JPEG, IMAGE_PNG, IMAGE_WEBP };

struct image_info {
	char hash[65]; /* SHA-256 hex of the stored bytes */
	enum image_type type;
	size_t bytes;
	int width, height; /* 0 when the header does not say */
};

/* Type by magic bytes; IMAGE_NONE for anything else. */
enum image_type image_sniff(const void *data, size_t len);
/* "image/jpeg", "image/png", "image/webp"; NULL for IMAGE_NONE. */
const char *image_mime(enum image_type t);
/* Type for a Content-Type value (parameters ignored); IMAGE_NONE. */
enum image_type image_type_of_mime(const char *ctype);

/* True for 64 lower-case hex characters. */
bool image_hash_valid(const char *hash);
/* dir/ab/abcdef... into out. 0 or ERR_INVALID when it does not fit. */
int image_path(const char *dir, const char *hash, char *out, size_t outlen);

/* Write data to path (0600) through a fsynced temporary file and a
 * rename, then fsync its directory and that one's parent, so a reader
 * never sees half a file and an acknowledged one survives a crash. 0 or
 * ERR_IO. */
int image_write_atomic(const char *path, const uint8_t *data, size_t len);

/* Check, clean and store an upload under dir (created as needed). The
 * declared Content-Type must be one of the three image types (or
 * application/octet-stream) and agree with the content. Writes atomically
 * (temporary file, fsync, rename); storing the same bytes twice is one
 * file. 0, ERR_UNSUPPORTED (not an accepted image: e says why),
 * ERR_INVALID (empty, broken, an absurd size: what cannot be cleaned),
 * ERR_IO. */
int image_store(const char *dir, const void *data, size_t len,
                const char *declared, struct image_info *out,
                struct err_detail *e);

#endif
