/* store_image.h — SQL for uploaded images, stored once by hash. */
#ifndef SINIAN_STORE_IMAGE_H
#define SINIAN_STORE_IMAGE_H

#include <glib.h>
#include <stdint.h>

#include "memorial.h"

struct store;

G_GNUC_WARN_UNUSED_RESULT int
store_image_insert(struct store *st, const struct memorial_image *img,
                   int64_t created_by);
G_GNUC_WARN_UNUSED_RESULT int
store_image_get(struct store *st, const char *hash, struct memorial_image *out);

#endif
