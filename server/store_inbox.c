/* store_inbox.c — the SQL behind the inbox and ceremony invitees
 * (schema/006_mourning.sql).
 *
 * Owns queries on inbox and ceremony_invitees. It decides nothing: who is
 * told what is inbox.c's, and rights are re-checked there before a row is
 * used. Main loop only, like the store.
 */
#include "store_inbox.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

int store_inbox_put(struct store *st, int64_t user_id, const char *kind,
                    const char *key, const char *data, const char *link,
                    int64_t *id)
{
	sqlite3_stmt *u = store_stmt(
	    st, "UPDATE inbox SET data = ?1, link = ?2, updated_at = "
	        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE user_id = ?3 AND "
	        "key = ?4 AND read_at IS NULL RETURNING id");
	sqlite3_stmt *q = store_stmt(
	    st, "INSERT INTO inbox(user_id, kind, key, data, link) VALUES "
	        "(?, ?, ?, ?, ?)");
	int rc;

	if (!u || !q)
		return ERR_DB;
	sqlite3_bind_text(u, 1, data, -1, SQLITE_STATIC);
	sqlite3_bind_text(u, 2, link, -1, SQLITE_STATIC);
	sqlite3_bind_int64(u, 3, user_id);
	sqlite3_bind_text(u, 4, key, -1, SQLITE_STATIC);
	rc = store_step_row(u);
	if (rc == 0)
		*id = sqlite3_column_int64(u, 0);
	sqlite3_reset(u);
	if (rc != ERR_NOT_FOUND)
		return rc;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, data, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, link, -1, SQLITE_STATIC);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

#define ROW_COLS                                                               \
	"id, user_id, kind, key, data, link, created_at, updated_at, "         \
	"coalesce(read_at, '')"

static void inbox_row(sqlite3_stmt *q, struct inbox_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(q, 0);
	r->user_id = sqlite3_column_int64(q, 1);
	STORE_COPY(r->kind, q, 2);
	STORE_COPY(r->key, q, 3);
	r->data = g_strdup(store_col_text(q, 4));
	STORE_COPY(r->link, q, 5);
	STORE_COPY(r->created_at, q, 6);
	STORE_COPY(r->updated_at, q, 7);
	STORE_COPY(r->read_at, q, 8);
}

void store_inbox_row_clear(struct inbox_row *r)
{
	g_free(r->data);
	r->data = NULL;
}

void store_inbox_rows_free(GArray *rows)
{
	for (guint i = 0; rows && i < rows->len; i++)
		store_inbox_row_clear(
		    &g_array_index(rows, struct inbox_row, i));
	if (rows)
		g_array_free(rows, TRUE);
}

int store_inbox_get(struct store *st, int64_t user_id, int64_t id,
                    struct inbox_row *out)
{
	sqlite3_stmt *q = store_stmt(st, "SELECT " ROW_COLS " FROM inbox "
	                                 "WHERE id = ? AND user_id = ?");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, user_id);
	rc = store_step_row(q);
	if (rc == 0)
		inbox_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_inbox_list(struct store *st, int64_t user_id, int64_t before,
                     int limit, GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT " ROW_COLS " FROM inbox WHERE user_id = ? AND id < ? "
	        "ORDER BY id DESC LIMIT ?");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_int64(q, 2, before > 0 ? before : INT64_MAX);
	sqlite3_bind_int(q, 3, limit);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct inbox_row r;

		inbox_row(q, &r);
		g_array_append_val(out, r);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_inbox_read(struct store *st, int64_t user_id, int64_t id)
{
	sqlite3_stmt *q = store_stmt(
	    st, "UPDATE inbox SET read_at = coalesce(read_at, "
	        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) WHERE id = ? AND "
	        "user_id = ?");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, user_id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

int store_inbox_read_all(struct store *st, int64_t user_id)
{
	sqlite3_stmt *q = store_stmt(
	    st, "UPDATE inbox SET read_at = strftime('%Y-%m-%dT%H:%M:%fZ', "
	        "'now') WHERE user_id = ? AND read_at IS NULL");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	return store_step_done(q);
}

int store_inbox_read_key(struct store *st, int64_t user_id, const char *key)
{
	sqlite3_stmt *q = store_stmt(
	    st, "UPDATE inbox SET read_at = strftime('%Y-%m-%dT%H:%M:%fZ', "
	        "'now') WHERE user_id = ? AND key = ? AND read_at IS NULL");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
	return store_step_done(q);
}

int store_inbox_unread(struct store *st, int64_t user_id, int64_t *n)
{
	sqlite3_stmt *q = store_stmt(st, "SELECT count(*) FROM inbox WHERE "
	                                 "user_id = ? AND read_at IS NULL");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	rc = store_step_row(q);
	*n = rc == 0 ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return rc;
}

int store_inbox_invitee_get(struct store *st, int64_t ceremony_id,
                            int64_t user_id, char *out, size_t outlen)
{
	sqlite3_stmt *q = store_stmt(st, "SELECT token_enc FROM "
	                                 "ceremony_invitees WHERE "
	                                 "ceremony_id = ? AND user_id = ?");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	sqlite3_bind_int64(q, 2, user_id);
	rc = store_step_row(q);
	if (rc == 0)
		snprintf(out, outlen, "%s", store_col_text(q, 0));
	sqlite3_reset(q);
	return rc;
}

int store_inbox_invitee_add(struct store *st, int64_t ceremony_id,
                            int64_t user_id, const char *token_enc)
{
	sqlite3_stmt *q = store_stmt(
	    st, "INSERT INTO ceremony_invitees(ceremony_id, user_id, "
	        "token_enc) VALUES (?1, ?2, ?3) ON CONFLICT(ceremony_id, "
	        "user_id) DO UPDATE SET token_enc = ?3");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	sqlite3_bind_int64(q, 2, user_id);
	sqlite3_bind_text(q, 3, token_enc, -1, SQLITE_STATIC);
	return store_step_done(q);
}

int store_inbox_invitees(struct store *st, int64_t ceremony_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, "SELECT user_id, token_enc FROM "
	                                 "ceremony_invitees WHERE "
	                                 "ceremony_id = ? LIMIT 10000");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_invitee v = {.user_id =
		                              sqlite3_column_int64(q, 0)};

		STORE_COPY(v.token_enc, q, 1);
		g_array_append_val(out, v);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}
