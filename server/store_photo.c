/* store_photo.c — the SQL behind a memorial's photo gallery.
 *
 * Owns queries on memorial_photos. The image bytes a photo shows are
 * store_image.c's; who may add, caption or remove a photo is checked by
 * the caller (api_photo.c, api_memorial.c) before it comes here.
 */
#include "store_photo.h"
#include "err.h"
#include "store.h"

enum {
	Q_PHOTO_INSERT,
	Q_PHOTO_LIST,
	Q_PHOTO_DELETE,
	Q_PHOTO_COUNT,
	Q_PHOTO_SET_CAPTION,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_photo_sql[] = {
    [Q_PHOTO_INSERT] =
        {"photo.photo_insert",
         "INSERT INTO memorial_photos(memorial_id, hash, mime, caption, "
         "position) VALUES (?1, ?2, ?3, ?4, (SELECT coalesce(max("
         "position), 0) + 1 FROM memorial_photos WHERE memorial_id = "
         "?1)) RETURNING id, position, created_at",
         NULL},
    [Q_PHOTO_LIST] =
        {"photo.photo_list",
         "SELECT id, memorial_id, hash, mime, caption, position, "
         "created_at FROM memorial_photos WHERE memorial_id = ? ORDER "
         "BY position, id",
         NULL},
    [Q_PHOTO_DELETE] = {"photo.photo_delete",
                        "DELETE FROM memorial_photos WHERE "
                        "id = ? AND memorial_id = ?",
                        NULL},
    [Q_PHOTO_COUNT] =
        {"photo.photo_count",
         "SELECT count(*) FROM memorial_photos WHERE memorial_id = ?", NULL},
    [Q_PHOTO_SET_CAPTION] = {"photo.photo_set_caption",
                             "UPDATE memorial_photos SET caption = ? WHERE "
                             "id = ? AND memorial_id = ?",
                             NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_photo_sql[q].sql)

int store_photo_insert(struct store *st, struct memorial_photo *p)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PHOTO_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, p->memorial_id);
	sqlite3_bind_text(q, 2, p->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, p->mime, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, p->caption, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		p->id = sqlite3_column_int64(q, 0);
		p->position = sqlite3_column_int(q, 1);
		STORE_COPY(p->created_at, q, 2);
		rc = sqlite3_step(q);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_photo_list(struct store *st, int64_t memorial_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PHOTO_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct memorial_photo p = {0};

		p.id = sqlite3_column_int64(q, 0);
		p.memorial_id = sqlite3_column_int64(q, 1);
		STORE_COPY(p.hash, q, 2);
		STORE_COPY(p.mime, q, 3);
		STORE_COPY(p.caption, q, 4);
		p.position = sqlite3_column_int(q, 5);
		STORE_COPY(p.created_at, q, 6);
		g_array_append_val(out, p);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_photo_delete(struct store *st, int64_t memorial_id, int64_t photo_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PHOTO_DELETE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, photo_id);
	sqlite3_bind_int64(q, 2, memorial_id);
	return store_step_changed(st, q);
}

int store_photo_set_caption(struct store *st, int64_t memorial_id,
                            int64_t photo_id, const char *caption)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PHOTO_SET_CAPTION));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, caption, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, photo_id);
	sqlite3_bind_int64(q, 3, memorial_id);
	return store_step_changed(st, q);
}

int store_photo_count(struct store *st, int64_t memorial_id, int *n)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PHOTO_COUNT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	rc = sqlite3_step(q);
	*n = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 0 : store_err(rc);
}
