/* proof.h — the files that prove a sweeping order was carried out: photos
 * (JPEG, PNG, WebP, checked and cleaned by image.c) and short videos (MP4,
 * WebM), recognised by their first bytes, stored once under a directory by
 * the SHA-256 of the stored bytes (dir/ab/abcdef...).
 *
 * Unless the uploader keeps them on purpose, what could say where and when
 * the media was made is removed before hashing: photos are rewritten
 * without metadata (imgclean.h), MP4 and WebM videos keep only the parts a
 * player needs, the rest blanked in place (vidclean.h). What cannot be
 * cleaned is refused, kept on purpose or not.
 */
#ifndef SINIAN_PROOF_H
#define SINIAN_PROOF_H

#include "err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum proof_video { PROOF_VIDEO_NONE = 0, PROOF_MP4, PROOF_WEBM };

struct proof_file {
	char hash[65]; /* SHA-256 hex of the stored bytes */
	char mime[24];
	bool video;
	size_t bytes;
};

/* Video container by magic bytes (an ftyp box; the EBML header with a
 * "webm" doc type). */
enum proof_video proof_video_sniff(const void *data, size_t len);

/* Check and store an upload under dir. declared is the request's
 * Content-Type: image/jpeg, image/png, image/webp, video/mp4 or video/webm,
 * and must agree with the content. Videos above max_video bytes are
 * refused. 0; ERR_UNSUPPORTED (type; e says why); ERR_TOO_LARGE;
 * ERR_INVALID (empty or broken); ERR_IO. */
int proof_store(const char *dir, const void *data, size_t len,
                const char *declared, bool keep_location, size_t max_video,
                struct proof_file *out, struct err_detail *e);

/* dir/ab/abcdef... for a stored hash. 0 or ERR_INVALID. */
int proof_path(const char *dir, const char *hash, char *out, size_t outlen);

#endif
