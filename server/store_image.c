/* store_image.c — the SQL behind uploaded images, stored once by hash.
 *
 * Owns queries on images: the checked, cleaned upload (image.c,
 * imgclean.c) that a portrait or a gallery photo (store_photo.c) points
 * to. Called by api_photo.c.
 */
#include "store_image.h"
#include "err.h"
#include "store.h"

#include <string.h>

enum {
	Q_IMAGE_INSERT,
	Q_IMAGE_GET,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_image_sql[] = {
    [Q_IMAGE_INSERT] =
        {"image.image_insert",
         "INSERT OR IGNORE INTO images(hash, mime, bytes, width, "
         "height, created_by) VALUES (?, ?, ?, ?, ?, ?)",
         NULL},
    [Q_IMAGE_GET] = {"image.image_get",
                     "SELECT hash, mime, bytes, width, "
                     "height FROM images WHERE hash = ?",
                     NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_image_sql[q].sql)

int store_image_insert(struct store *st, const struct memorial_image *img,
                       int64_t created_by)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_IMAGE_INSERT));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, img->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, img->mime, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, img->bytes);
	if (img->width > 0) {
		sqlite3_bind_int(q, 4, img->width);
		sqlite3_bind_int(q, 5, img->height);
	}
	if (created_by)
		sqlite3_bind_int64(q, 6, created_by);
	return store_step_done(q);
}

int store_image_get(struct store *st, const char *hash,
                    struct memorial_image *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_IMAGE_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, hash, -1, SQLITE_STATIC);
	rc = store_step_row(q);
	if (rc == 0) {
		memset(out, 0, sizeof(*out));
		STORE_COPY(out->hash, q, 0);
		STORE_COPY(out->mime, q, 1);
		out->bytes = sqlite3_column_int64(q, 2);
		out->width = sqlite3_column_int(q, 3);
		out->height = sqlite3_column_int(q, 4);
	}
	sqlite3_reset(q);
	return rc;
}
