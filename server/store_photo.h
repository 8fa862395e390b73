/* store_photo.h — SQL for a memorial's photo gallery. */
#ifndef SINIAN_STORE_PHOTO_H
#define SINIAN_STORE_PHOTO_H

#include <glib.h>
#include <stdint.h>

#include "memorial.h"

struct store;

/* Append a photo at the end of the gallery; p->id and p->position set. */
G_GNUC_WARN_UNUSED_RESULT int store_photo_insert(struct store *st,
                                                 struct memorial_photo *p);
/* Photos of a memorial in gallery order into a GArray. */
G_GNUC_WARN_UNUSED_RESULT int
store_photo_list(struct store *st, int64_t memorial_id, GArray *out);
/* Delete a photo of that memorial; ERR_NOT_FOUND. */
G_GNUC_WARN_UNUSED_RESULT int
store_photo_delete(struct store *st, int64_t memorial_id, int64_t photo_id);
G_GNUC_WARN_UNUSED_RESULT int store_photo_count(struct store *st,
                                                int64_t memorial_id, int *n);
/* A photo's caption. 0, ERR_NOT_FOUND (not this memorial's), ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int store_photo_set_caption(struct store *st,
                                                      int64_t memorial_id,
                                                      int64_t photo_id,
                                                      const char *caption);

#endif
