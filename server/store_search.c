/* store_search.c — the SQL behind memorial search keys.
 *
 * Owns reads and writes of memorials.search_alias and search_latin; the
 * triggers of schema/011_phone.sql copy both into memorial_search. Knows
 * no pinyin: search.c computes the keys. Called by search.c and
 * api_memorial.c.
 */
#include "store_search.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

int store_search_todo(struct store *st, int max, GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT m.id, d.name, m.title FROM memorials m JOIN "
	        "deceased d ON d.id = m.deceased_id WHERE m.search_latin = "
	        "'' ORDER BY m.id LIMIT ?");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int(q, 1, max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct search_todo t;

		t.id = sqlite3_column_int64(q, 0);
		STORE_COPY(t.name, q, 1);
		STORE_COPY(t.title, q, 2);
		g_array_append_val(out, t);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

static int set_text(struct store *st, sqlite3_stmt *q, int64_t id,
                    const char *v)
{
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, v, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

int store_search_set_latin(struct store *st, int64_t id, const char *latin)
{
	return set_text(
	    st,
	    store_stmt(st,
	               "UPDATE memorials SET search_latin = ? WHERE id = ?"),
	    id, latin);
}

int store_search_alias_set(struct store *st, int64_t id, const char *alias)
{
	return set_text(
	    st,
	    store_stmt(st,
	               "UPDATE memorials SET search_alias = ? WHERE id = ?"),
	    id, alias);
}

int store_search_alias_get(struct store *st, int64_t id, char *out,
                           size_t outlen)
{
	sqlite3_stmt *q =
	    store_stmt(st, "SELECT search_alias FROM memorials WHERE id = ?");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		snprintf(out, outlen, "%s", store_col_text(q, 0));
	sqlite3_reset(q);
	return rc;
}
