/* store_memorial.c — the SQL behind memorials and the public memorial
 * search.
 *
 * Owns queries on memorials and memorial_search. A memorial's photos are
 * store_photo.c's, its images store_image.c's, its tributes
 * store_tribute.c's. Rules (moderation, visibility) live in memorial.c.
 */
#include "store_memorial.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define MEMORIAL_COLS                                                          \
	"id, slug, title, biography, visibility, moderation, deceased_id, "    \
	"portrait_hash, created_by, created_at, updated_at"

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
	Q_MEMORIAL_BY_IMAGE,
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
    [Q_MEMORIAL_BY_IMAGE] =
        {"memorial.memorial_by_image",
         "SELECT " MEMORIAL_COLS " FROM memorials WHERE portrait_hash "
         "= ?1 OR id IN (SELECT memorial_id FROM memorial_photos WHERE "
         "hash = ?1) LIMIT 50",
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
	return store_step_changed(st, q);
}

int store_memorial_set_portrait(struct store *st, int64_t id, const char *hash)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_MEMORIAL_SET_PORTRAIT));

	if (!q)
		return ERR_DB;
	if (hash && *hash)
		sqlite3_bind_text(q, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	return store_step_changed(st, q);
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

int store_memorial_by_image(struct store *st, const char *hash, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_MEMORIAL_BY_IMAGE));
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
