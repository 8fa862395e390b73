/* store.c — owns the SQLite connection of the daemon.
 *
 * Opens the database in WAL mode with synchronous=FULL, applies embedded
 * migrations tracked by PRAGMA user_version, and caches prepared statements
 * by SQL text so each query is compiled once. Runs on the main loop thread
 * only; it never talks HTTP or JSON.
 */
#include "store.h"
#include "err.h"
#include "jsonx.h"
#include "log.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct store_sql *const store_sql_tables[] = {
    store_user_sql,     store_org_sql,
    store_deceased_sql, store_memorial_sql,
    store_ceremony_sql, store_visit_sql,
    store_sweeping_sql, store_transfer_sql,
    store_family_sql,   NULL,
};

struct store {
	sqlite3 *db;
	GHashTable *stmts; /* SQL text → sqlite3_stmt */
	uint64_t queries;
	int tx_depth;
};

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

uint64_t store_queries(const struct store *st)
{
	return st->queries;
}

void store_count(struct store *st)
{
	st->queries++;
}

int store_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return 0;
	case SQLITE_CONSTRAINT: return ERR_CONFLICT;
	case SQLITE_FULL:
	case SQLITE_IOERR: return ERR_IO;
	case SQLITE_NOMEM: return ERR_NOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return ERR_UNAVAILABLE;
	default: return ERR_DB;
	}
}

int store_exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	st->queries++;
	if (rc != SQLITE_OK) {
		log_error("store", "exec failed: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return store_err(rc) ? store_err(rc) : ERR_DB;
	}
	return 0;
}

int store_version(struct store *st)
{
	sqlite3_stmt *q;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL))
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

static int migrate(struct store *st, const struct store_migration *migs,
                   size_t n, char *err, size_t errlen)
{
	int cur = store_version(st);

	if (cur < 0) {
		snprintf(err, errlen, "cannot read schema version");
		return ERR_DB;
	}
	for (size_t i = 0; i < n; i++) {
		char *msg = NULL;
		char ver[64];

		if (migs[i].version <= cur)
			continue;
		snprintf(ver, sizeof(ver), "PRAGMA user_version = %d",
		         migs[i].version);
		if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ||
		    sqlite3_exec(st->db, migs[i].sql, NULL, NULL, &msg) ||
		    sqlite3_exec(st->db, ver, NULL, NULL, &msg) ||
		    sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg)) {
			snprintf(err, errlen, "migration %s failed: %s",
			         migs[i].name,
			         msg ? msg : sqlite3_errmsg(st->db));
			sqlite3_free(msg);
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return ERR_DB;
		}
		log_info("store", "applied migration %s", migs[i].name);
		cur = migs[i].version;
	}
	return 0;
}

static void stmt_finalize(gpointer p)
{
	sqlite3_finalize(p);
}

int store_open_with(const char *path, const struct store_migration *migs,
                    size_t n_migs, struct store **out, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return ERR_NOMEM;
	rc = sqlite3_open_v2(path, &st->db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                         SQLITE_OPEN_NOMUTEX,
	                     NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		         st->db ? sqlite3_errmsg(st->db) : "out of memory");
		rc = ERR_IO;
		goto out_close;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (store_exec(st, "PRAGMA journal_mode = WAL;"
	                   "PRAGMA synchronous = FULL;"
	                   "PRAGMA foreign_keys = ON;"
	                   "PRAGMA temp_store = MEMORY;")) {
		snprintf(err, errlen, "cannot configure %s: %s", path,
		         sqlite3_errmsg(st->db));
		rc = ERR_DB;
		goto out_close;
	}
	rc = migrate(st, migs, n_migs, err, errlen);
	if (rc)
		goto out_close;
	st->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                  stmt_finalize);
	*out = st;
	return 0;
out_close:
	sqlite3_close(st->db);
	free(st);
	return rc;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	return store_open_with(path, store_migrations, store_migrations_count,
	                       out, err, errlen);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->stmts)
		g_hash_table_destroy(st->stmts);
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_warn("store", "close: %s", sqlite3_errmsg(st->db));
	free(st);
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
	sqlite3_stmt *q = g_hash_table_lookup(st->stmts, sql);

	if (q) {
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		st->queries++;
		return q;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q,
	                       NULL) != SQLITE_OK) {
		log_error("store", "prepare failed: %s: %.80s",
		          sqlite3_errmsg(st->db), sql);
		return NULL;
	}
	g_hash_table_insert(st->stmts, g_strdup(sql), q);
	st->queries++;
	return q;
}

int store_begin(struct store *st)
{
	if (st->tx_depth++ > 0)
		return 0;
	if (store_exec(st, "BEGIN IMMEDIATE")) {
		st->tx_depth = 0;
		return ERR_DB;
	}
	return 0;
}

int store_commit(struct store *st)
{
	if (st->tx_depth == 0 || --st->tx_depth > 0)
		return 0;
	if (store_exec(st, "COMMIT")) {
		store_exec(st, "ROLLBACK");
		return ERR_DB;
	}
	return 0;
}

void store_rollback(struct store *st)
{
	if (st->tx_depth == 0)
		return;
	st->tx_depth = 0;
	store_exec(st, "ROLLBACK");
}

int64_t store_cursor(int64_t before)
{
	return before > 0 ? before : INT64_MAX;
}

int64_t store_last_id(struct store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

const char *store_col_text(sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	return t ? (const char *)t : "";
}

void store_copy_text(char *dst, size_t dstlen, sqlite3_stmt *q, int col)
{
	if (!jsonx_utf8_copy(dst, dstlen, store_col_text(q, col)))
		log_error("store", "column %s longer than %zu bytes: cut",
		          sqlite3_column_name(q, col), dstlen - 1);
}

int store_step_done(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_step_row(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? ERR_NOT_FOUND : store_err(rc);
}

int store_one(sqlite3_stmt *q, store_row_fn row, void *out)
{
	int rc = store_step_row(q);

	if (rc == 0)
		row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_collect(sqlite3_stmt *q, store_row_fn row, GArray *out)
{
	guint elt = g_array_get_element_size(out);
	gpointer item = g_malloc0(elt);
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		row(q, item);
		g_array_append_vals(out, item, 1);
	}
	g_free(item);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}
