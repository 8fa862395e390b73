/* store_memorial.c — the SQL behind memorials, photos, images, tributes and
 * the public memorial search.
 *
 * Owns queries on memorials, memorial_photos, images, tributes,
 * tribute_counts and memorial_search. Rules (moderation, counting,
 * visibility) live in memorial.c and tribute.c.
 */
#include "store_memorial.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define MEMORIAL_COLS                                                          \
	"id, slug, title, biography, visibility, moderation, deceased_id, "    \
	"portrait_hash, created_by, created_at, updated_at"

#define TRIBUTE_COLS                                                           \
	"id, memorial_id, kind, from_name, text, user_id, state, created_at"

#define HIT_COLS                                                               \
	"m.id, m.slug, m.title, d.name, d.birth_date, d.death_date, "          \
	"m.portrait_hash"

/* What the LIKE path searches: names, title, the family's other names and
 * the pinyin key. */
#define HAY                                                                    \
	"(d.name || ' ' || m.title || ' ' || m.search_alias || ' ' || "        \
	"m.search_latin)"

enum {
	Q_MEMORIAL_INSERT,
	Q_MEMORIAL_GET,
	Q_MEMORIAL_BY_SLUG,
	Q_MEMORIAL_SLUG_USED,
	Q_MEMORIAL_UPDATE,
	Q_MEMORIAL_SET_PORTRAIT,
	Q_MEMORIAL_ORG_BY_NAME_1,
	Q_MEMORIAL_ORG_BY_NAME_2,
	Q_IMAGE_INSERT,
	Q_IMAGE_GET,
	Q_IMAGE_MEMORIALS,
	Q_PHOTO_INSERT,
	Q_PHOTO_LIST,
	Q_PHOTO_DELETE,
	Q_PHOTO_COUNT,
	Q_TRIBUTE_INSERT,
	Q_TRIBUTE_GET,
	Q_TRIBUTE_SET_STATE,
	Q_TRIBUTE_LIST,
	Q_TRIBUTE_LIST_KIND,
	Q_TRIBUTE_COUNT_ADD,
	Q_TRIBUTE_COUNTS,
	Q_TRIBUTE_PENDING,
	Q_MEMORIAL_SEARCH_1,
	Q_MEMORIAL_SEARCH_2,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_memorial_sql[] = {
    [Q_MEMORIAL_INSERT] =
        {"memorial.memorial_insert",
         "INSERT INTO memorials(slug, title, biography, visibility, "
         "moderation, deceased_id, created_by) VALUES (?, ?, ?, ?, ?, ?, "
         "?)",
         NULL},
    [Q_MEMORIAL_GET] = {"memorial.memorial_get",
                        "SELECT " MEMORIAL_COLS " FROM memorials WHERE id = ?",
                        NULL},
    [Q_MEMORIAL_BY_SLUG] = {"memorial.memorial_by_slug",
                            "SELECT " MEMORIAL_COLS
                            " FROM memorials WHERE slug = ?",
                            NULL},
    [Q_MEMORIAL_SLUG_USED] = {"memorial.memorial_slug_used",
                              "SELECT 1 FROM memorials WHERE slug = ?", NULL},
    [Q_MEMORIAL_UPDATE] =
        {"memorial.memorial_update",
         "UPDATE memorials SET slug = ?, title = ?, biography = ?, "
         "visibility = ?, moderation = ?, updated_at = "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
         NULL},
    [Q_MEMORIAL_SET_PORTRAIT] =
        {"memorial.memorial_set_portrait",
         "UPDATE memorials SET portrait_hash = ?, updated_at = "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
         NULL},
    [Q_MEMORIAL_ORG_BY_NAME_1] = {"memorial.memorial_org_by_name_1",
                                  "SELECT id FROM cemeteries WHERE name "
                                  "= ? ORDER BY id LIMIT 1",
                                  NULL},
    [Q_MEMORIAL_ORG_BY_NAME_2] = {"memorial.memorial_org_by_name_2",
                                  "SELECT id FROM agencies WHERE name = ? "
                                  "ORDER BY id LIMIT 1",
                                  NULL},
    [Q_IMAGE_INSERT] =
        {"memorial.image_insert",
         "INSERT OR IGNORE INTO images(hash, mime, bytes, width, "
         "height, created_by) VALUES (?, ?, ?, ?, ?, ?)",
         NULL},
    [Q_IMAGE_GET] = {"memorial.image_get",
                     "SELECT hash, mime, bytes, width, "
                     "height FROM images WHERE hash = ?",
                     NULL},
    [Q_IMAGE_MEMORIALS] =
        {"memorial.image_memorials",
         "SELECT " MEMORIAL_COLS " FROM memorials WHERE portrait_hash "
         "= ?1 OR id IN (SELECT memorial_id FROM memorial_photos WHERE "
         "hash = ?1) LIMIT 50",
         NULL},
    [Q_PHOTO_INSERT] =
        {"memorial.photo_insert",
         "INSERT INTO memorial_photos(memorial_id, hash, mime, caption, "
         "position) VALUES (?1, ?2, ?3, ?4, (SELECT coalesce(max("
         "position), 0) + 1 FROM memorial_photos WHERE memorial_id = "
         "?1)) RETURNING id, position, created_at",
         NULL},
    [Q_PHOTO_LIST] =
        {"memorial.photo_list",
         "SELECT id, memorial_id, hash, mime, caption, position, "
         "created_at FROM memorial_photos WHERE memorial_id = ? ORDER "
         "BY position, id",
         NULL},
    [Q_PHOTO_DELETE] = {"memorial.photo_delete",
                        "DELETE FROM memorial_photos WHERE "
                        "id = ? AND memorial_id = ?",
                        NULL},
    [Q_PHOTO_COUNT] =
        {"memorial.photo_count",
         "SELECT count(*) FROM memorial_photos WHERE memorial_id = ?", NULL},
    [Q_TRIBUTE_INSERT] =
        {"memorial.tribute_insert",
         "INSERT INTO tributes(memorial_id, kind, from_name, text, "
         "user_id, state) VALUES (?, ?, ?, ?, ?, ?) RETURNING id, "
         "created_at",
         NULL},
    [Q_TRIBUTE_GET] = {"memorial.tribute_get",
                       "SELECT " TRIBUTE_COLS " FROM tributes WHERE id = ?",
                       NULL},
    [Q_TRIBUTE_SET_STATE] = {"memorial.tribute_set_state",
                             "UPDATE tributes SET state = ? WHERE id = ?",
                             NULL},
    [Q_TRIBUTE_LIST] = {"memorial.tribute_list",
                        "SELECT " TRIBUTE_COLS " FROM tributes WHERE "
                        "memorial_id = ?1 AND state = ?2 AND id < ?4 ORDER "
                        "BY id DESC LIMIT ?5",
                        NULL},
    [Q_TRIBUTE_LIST_KIND] = {"memorial.tribute_list_kind",
                             "SELECT " TRIBUTE_COLS " FROM tributes WHERE "
                             "memorial_id = ?1 AND state = ?2 AND kind = "
                             "?3 AND id < ?4 ORDER BY id DESC LIMIT ?5",
                             NULL},
    [Q_TRIBUTE_COUNT_ADD] =
        {"memorial.tribute_count_add",
         "INSERT INTO tribute_counts(memorial_id, kind, n) VALUES (?1, "
         "?2, max(?3, 0)) ON CONFLICT(memorial_id, kind) DO UPDATE SET "
         "n = max(n + ?3, 0)",
         NULL},
    [Q_TRIBUTE_COUNTS] =
        {"memorial.tribute_counts",
         "SELECT kind, n FROM tribute_counts WHERE memorial_id = ?", NULL},
    [Q_TRIBUTE_PENDING] =
        {"memorial.tribute_pending",
         "SELECT count(*) FROM tributes WHERE memorial_id = ? AND "
         "state = 'pending'",
         NULL},
    [Q_MEMORIAL_SEARCH_1] =
        {"memorial.memorial_search_1",
         "SELECT " HIT_COLS " FROM memorial_search s JOIN "
         "memorials m ON m.id = s.rowid JOIN deceased d ON d.id = "
         "m.deceased_id WHERE memorial_search MATCH ?1 AND "
         "m.visibility = 'public' AND m.id < ?2 ORDER BY m.id DESC "
         "LIMIT ?3",
         NULL},
    [Q_MEMORIAL_SEARCH_2] =
        {"memorial.memorial_search_2",
         "SELECT " HIT_COLS " FROM memorials m JOIN deceased d ON d.id "
         "= m.deceased_id WHERE m.visibility = 'public' AND m.id < ?1 "
         "AND " HAY " LIKE ?2 ESCAPE '\\' AND " HAY " LIKE ?3 ESCAPE "
         "'\\' AND " HAY " LIKE ?4 ESCAPE '\\' AND " HAY " LIKE ?5 "
         "ESCAPE '\\' ORDER BY m.id DESC LIMIT ?6",
         "a word of one or two characters (most Chinese given names) "
         "can only match as a substring, which no index finds: the "
         "public memorials' names, titles, other names and pinyin are "
         "read, newest first, "
         "until the page is full; longer words use the trigram index"},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_memorial_sql[q].sql)

static int step_changed(struct store *st, sqlite3_stmt *q)
{
	int rc = store_step_done(q);

	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

int store_memorial_insert(struct store *st, const struct memorial *m,
                          int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_MEMORIAL_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, m->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, m->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, m->biography, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, memorial_visibility_name(m->visibility), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(q, 5, m->hold ? "hold" : "publish", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, m->deceased_id);
	if (m->created_by)
		sqlite3_bind_int64(q, 7, m->created_by);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

static void memorial_row(sqlite3_stmt *q, struct memorial *m)
{
	int v = memorial_visibility_parse(store_col_text(q, 4));

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(q, 0);
	STORE_COPY(m->slug, q, 1);
	STORE_COPY(m->title, q, 2);
	STORE_COPY(m->biography, q, 3);
	m->visibility = v < 0 ? VIS_PRIVATE : (enum obj_visibility)v;
	m->hold = strcmp(store_col_text(q, 5), "publish") != 0;
	m->deceased_id = sqlite3_column_int64(q, 6);
	STORE_COPY(m->portrait_hash, q, 7);
	m->created_by = sqlite3_column_int64(q, 8);
	STORE_COPY(m->created_at, q, 9);
	STORE_COPY(m->updated_at, q, 10);
}

static int one_memorial(sqlite3_stmt *q, struct memorial *out)
{
	int rc = store_step_row(q);

	if (rc == 0)
		memorial_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_memorial_get(struct store *st, int64_t id, struct memorial *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_MEMORIAL_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return one_memorial(q, out);
}

int store_memorial_by_slug(struct store *st, const char *slug,
                           struct memorial *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_MEMORIAL_BY_SLUG));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, slug, -1, SQLITE_STATIC);
	return one_memorial(q, out);
}

bool store_memorial_slug_used(struct store *st, const char *slug)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_MEMORIAL_SLUG_USED));
	bool used;

	if (!q)
		return true;
	sqlite3_bind_text(q, 1, slug, -1, SQLITE_STATIC);
	used = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_reset(q);
	return used;
}

int store_memorial_update(struct store *st, const struct memorial *m)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_MEMORIAL_UPDATE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, m->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, m->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, m->biography, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, memorial_visibility_name(m->visibility), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(q, 5, m->hold ? "hold" : "publish", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, m->id);
	return step_changed(st, q);
}

int store_memorial_set_portrait(struct store *st, int64_t id, const char *hash)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_MEMORIAL_SET_PORTRAIT));

	if (!q)
		return ERR_DB;
	if (hash && *hash)
		sqlite3_bind_text(q, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	return step_changed(st, q);
}

int store_memorial_org_by_name(struct store *st, bool cemetery,
                               const char *name, int64_t *id)
{
	sqlite3_stmt *q = cemetery
	                      ? store_stmt(st, SQL(Q_MEMORIAL_ORG_BY_NAME_1))
	                      : store_stmt(st, SQL(Q_MEMORIAL_ORG_BY_NAME_2));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	*id = 0;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(rc);
}

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

int store_image_memorials(struct store *st, const char *hash, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_IMAGE_MEMORIALS));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, hash, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct memorial *m = g_new(struct memorial, 1);

		memorial_row(q, m);
		g_array_append_vals(out, m, 1);
		g_free(m);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

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
	return step_changed(st, q);
}

int store_photo_set_caption(struct store *st, int64_t memorial_id,
                            int64_t photo_id, const char *caption)
{
	sqlite3_stmt *q =
	    store_stmt(st, "UPDATE memorial_photos SET caption "
	                   "= ? WHERE id = ? AND memorial_id = ?");

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, caption, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, photo_id);
	sqlite3_bind_int64(q, 3, memorial_id);
	return step_changed(st, q);
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

int store_tribute_insert(struct store *st, struct tribute *t)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, t->memorial_id);
	sqlite3_bind_text(q, 2, tribute_kind_name(t->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, t->from_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, t->text, -1, SQLITE_STATIC);
	if (t->user_id)
		sqlite3_bind_int64(q, 5, t->user_id);
	sqlite3_bind_text(q, 6, tribute_state_name(t->state), -1,
	                  SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		t->id = sqlite3_column_int64(q, 0);
		STORE_COPY(t->created_at, q, 1);
		rc = sqlite3_step(q);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

static void tribute_row(sqlite3_stmt *q, struct tribute *t);

static void tribute_row_v(sqlite3_stmt *q, void *t)
{
	tribute_row(q, t);
}

static void tribute_row(sqlite3_stmt *q, struct tribute *t)
{
	int k = tribute_kind_parse(store_col_text(q, 2));
	int s = tribute_state_parse(store_col_text(q, 6));

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(q, 0);
	t->memorial_id = sqlite3_column_int64(q, 1);
	t->kind = k < 0 ? TRIB_MESSAGE : (enum tribute_kind)k;
	STORE_COPY(t->from_name, q, 3);
	STORE_COPY(t->text, q, 4);
	t->user_id = sqlite3_column_int64(q, 5);
	t->state = s < 0 ? TRIB_HIDDEN : (enum tribute_state)s;
	STORE_COPY(t->created_at, q, 7);
}

int store_tribute_get(struct store *st, int64_t id, struct tribute *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		tribute_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_tribute_set_state(struct store *st, int64_t id, enum tribute_state s)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_SET_STATE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, tribute_state_name(s), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	return step_changed(st, q);
}

int store_tribute_list(struct store *st, int64_t memorial_id,
                       enum tribute_state s, int kind, int64_t before,
                       int limit, GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, SQL(kind < 0 ? Q_TRIBUTE_LIST : Q_TRIBUTE_LIST_KIND));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	sqlite3_bind_text(q, 2, tribute_state_name(s), -1, SQLITE_STATIC);
	if (kind >= 0)
		sqlite3_bind_text(q, 3,
		                  tribute_kind_name((enum tribute_kind)kind),
		                  -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, store_cursor(before));
	sqlite3_bind_int(q, 5, limit);
	return store_collect(q, tribute_row_v, out);
}

int store_tribute_count_add(struct store *st, int64_t memorial_id,
                            enum tribute_kind k, int delta)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_COUNT_ADD));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	sqlite3_bind_text(q, 2, tribute_kind_name(k), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, delta);
	return store_step_done(q);
}

int store_tribute_counts(struct store *st, int64_t memorial_id,
                         struct tribute_counts *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_COUNTS));
	int rc;

	if (!q)
		return ERR_DB;
	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(q, 1, memorial_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int k = tribute_kind_parse(store_col_text(q, 0));

		if (k < 0)
			continue;
		out->n[k] = sqlite3_column_int64(q, 1);
		out->total += out->n[k];
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_tribute_pending(struct store *st, int64_t memorial_id, int64_t *n)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_TRIBUTE_PENDING));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	rc = sqlite3_step(q);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 0 : store_err(rc);
}

static int collect_hits(sqlite3_stmt *q, GArray *out)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct memorial_hit h;

		memset(&h, 0, sizeof(h));
		h.id = sqlite3_column_int64(q, 0);
		STORE_COPY(h.slug, q, 1);
		STORE_COPY(h.title, q, 2);
		STORE_COPY(h.name, q, 3);
		STORE_COPY(h.birth_date, q, 4);
		STORE_COPY(h.death_date, q, 5);
		STORE_COPY(h.portrait_hash, q, 6);
		g_array_append_val(out, h);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_memorial_search(struct store *st, const char *match,
                          const char *const like[4], int64_t before, int limit,
                          GArray *out)
{
	sqlite3_stmt *q;

	if (match) {
		q = store_stmt(st, SQL(Q_MEMORIAL_SEARCH_1));
		if (!q)
			return ERR_DB;
		sqlite3_bind_text(q, 1, match, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, store_cursor(before));
		sqlite3_bind_int(q, 3, limit);
		return collect_hits(q, out);
	}
	q = store_stmt(st, SQL(Q_MEMORIAL_SEARCH_2));
	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, store_cursor(before));
	for (int i = 0; i < 4; i++)
		sqlite3_bind_text(q, 2 + i, like && like[i] ? like[i] : "%", -1,
		                  SQLITE_STATIC);
	sqlite3_bind_int(q, 6, limit);
	return collect_hits(q, out);
}
