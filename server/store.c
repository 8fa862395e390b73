/* store.c — owns the SQLite connections of the daemon.
 *
 * Opens the database in WAL mode with synchronous=FULL, applies embedded
 * migrations tracked by PRAGMA user_version, and caches prepared statements
 * by SQL text so each query is compiled once. The main connection is used
 * on the main loop thread only. Small writes queued with store_write() run
 * on the store's writer thread, on a second connection of its own, in
 * shared transactions (group commit: one fsync for all the writes that
 * arrived while the previous commit was on its way to disk); the main loop
 * never waits for that disk. Never talks HTTP or JSON.
 */
#include "store.h"
#include "err.h"
#include "jsonx.h"
#include "log.h"
#include "store_fault.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A write queued with store_write(), waiting for the next commit. */
struct store_queued {
	store_write_fn run;
	store_done_fn done;
	void *ud;
	int rc;
	bool ran; /* ran inside the current batch (rc is its own outcome) */
};

/* The writer thread and what crosses to and from it (under lock). */
struct store_writer {
	GThread *thread;
	struct store *st; /* its own connection; writer thread only */
	GMutex lock;
	GCond cond;    /* work queued, or stop; and: the writer is idle */
	GArray *queue; /* struct store_queued waiting, in arrival order */
	GArray *done;  /* struct store_queued run, outcome to tell */
	bool busy, stop;
	GSource *telling; /* the delivery to the main loop, when posted */
	GMainContext *ctx;
	uint64_t writes, commits;
};

const struct store_sql *const store_sql_tables[] = {
    store_user_sql,     store_org_sql,
    store_deceased_sql, store_memorial_sql,
    store_ceremony_sql, store_visit_sql,
    store_sweeping_sql, store_transfer_sql,
    store_family_sql,   store_alloc_sql,
    store_public_sql,   store_grave_sql,
    store_staff_sql,    store_pay_sql,
    store_tribute_sql,  store_photo_sql,
    store_image_sql,    store_plot_sql,
    store_booking_sql,  store_order_sql,
    store_notice_sql,   NULL,
};

struct store {
	sqlite3 *db;
	GHashTable *stmts; /* SQL text → sqlite3_stmt */
	uint64_t queries;
	int tx_depth;
	bool in_write;             /* a queued write's run() is running */
	bool write_failed;         /* ... and it called store_rollback() */
	uint64_t write_commits;    /* commits of queued writes (writer's own) */
	struct store_writer *wr;   /* started by the first store_write() */
	struct store_fault *fault; /* a test's SINIAN_STORE_FAULT, or NULL */
	sqlite3_stmt *fault_q;     /* what a faulted statement runs instead */
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
                   size_t n, struct err_detail *e)
{
	int cur = store_version(st);

	if (cur < 0) {
		return err_fail(e, ERR_DB, NULL, "cannot read schema version");
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
			err_fail(e, ERR_DB, NULL, "migration %s failed: %s",
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

static void writer_stop(struct store *st);

static void stmt_finalize(gpointer p)
{
	sqlite3_finalize(p);
}

/* SQLite's own error log: every failed statement says why ("no such table",
 * "disk I/O error") whichever store function ran it. A broken constraint is
 * how a conflict is found and a schema change re-prepares: not errors. */
static void sqlite_log(void *arg, int code, const char *msg)
{
	(void)arg;
	switch (code & 0xff) {
	case SQLITE_CONSTRAINT:
	case SQLITE_SCHEMA:
	case SQLITE_NOTICE: log_debug("sqlite", "%s (%d)", msg, code); break;
	case SQLITE_WARNING: log_warn("sqlite", "%s (%d)", msg, code); break;
	default: log_error("sqlite", "%s (%d)", msg, code);
	}
}

/* Before the first connection: SQLite takes its configuration only then. */
static void sqlite_setup(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		sqlite3_config(SQLITE_CONFIG_LOG, sqlite_log, NULL);
		g_once_init_leave(&done, 1);
	}
}

/* SQL function sinian_fault(): fails as a disk would. */
static void fault_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_error(ctx, "injected fault (" STORE_FAULT_ENV ")", -1);
	sqlite3_result_error_code(ctx, SQLITE_IOERR);
}

/* Arm what $SINIAN_STORE_FAULT asks for (a test's daemon only). */
static void fault_arm(struct store *st)
{
	st->fault = store_fault_from_env();
	if (!st->fault)
		return;
	if (sqlite3_create_function_v2(st->db, "sinian_fault", 0, SQLITE_UTF8,
	                               NULL, fault_fn, NULL, NULL, NULL) ||
	    sqlite3_prepare_v3(st->db, "SELECT sinian_fault()", -1,
	                       SQLITE_PREPARE_PERSISTENT, &st->fault_q, NULL)) {
		log_error("store", "cannot arm %s: %s", STORE_FAULT_ENV,
		          sqlite3_errmsg(st->db));
		store_fault_free(st->fault);
		st->fault = NULL;
	}
}

int store_open_with(const char *path, const struct store_migration *migs,
                    size_t n_migs, struct store **out, struct err_detail *e)
{
	struct store *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return ERR_NOMEM;
	sqlite_setup();
	rc = sqlite3_open_v2(path, &st->db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                         SQLITE_OPEN_NOMUTEX,
	                     NULL);
	if (rc != SQLITE_OK) {
		rc =
		    err_fail(e, ERR_IO, NULL, "cannot open %s: %s", path,
		             st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto out_close;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (store_exec(st, "PRAGMA journal_mode = WAL;"
	                   "PRAGMA synchronous = FULL;"
	                   "PRAGMA foreign_keys = ON;"
	                   "PRAGMA temp_store = MEMORY;")) {
		rc = err_fail(e, ERR_DB, NULL, "cannot configure %s: %s", path,
		              sqlite3_errmsg(st->db));
		goto out_close;
	}
	rc = migrate(st, migs, n_migs, e);
	if (rc)
		goto out_close;
	st->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                  stmt_finalize);
	fault_arm(st);
	*out = st;
	return 0;
out_close:
	sqlite3_close(st->db);
	free(st);
	return rc;
}

int store_open(const char *path, struct store **out, struct err_detail *e)
{
	return store_open_with(path, store_migrations, store_migrations_count,
	                       out, e);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	writer_stop(st);
	if (st->stmts)
		g_hash_table_destroy(st->stmts);
	sqlite3_finalize(st->fault_q);
	store_fault_free(st->fault);
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_warn("store", "close: %s", sqlite3_errmsg(st->db));
	free(st);
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
	sqlite3_stmt *q;

	if (G_UNLIKELY(st->fault) && store_fault_hit(st->fault, sql)) {
		sqlite3_reset(st->fault_q);
		st->queries++;
		return st->fault_q;
	}
	q = g_hash_table_lookup(st->stmts, sql);
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
	/* inside a queued write the batch commits, not the write */
	if (st->tx_depth == 0 || (st->in_write && st->tx_depth == 1) ||
	    --st->tx_depth > 0)
		return 0;
	if (store_exec(st, "COMMIT")) {
		if (store_exec(st, "ROLLBACK"))
			log_error("store", "ROLLBACK after a failed COMMIT "
			                   "failed too");
		return ERR_DB;
	}
	return 0;
}

void store_rollback(struct store *st)
{
	if (st->tx_depth == 0)
		return;
	if (st->in_write) {
		/* undone with the write's savepoint; the others go on */
		st->tx_depth = 1;
		st->write_failed = true;
		return;
	}
	st->tx_depth = 0;
	if (store_exec(st, "ROLLBACK"))
		log_error("store", "ROLLBACK failed");
}

bool store_ok(int rc, const char *what)
{
	if (rc == 0)
		return true;
	log_error("store", "%s: %s", what, err_name(rc));
	return false;
}

/* ---------- group commit ---------- */

/* Roll back whatever is open (SQLite may have done it already). */
static void tx_abort(struct store *st)
{
	st->tx_depth = 0;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* COMMIT the open transaction; on failure roll it back. 0 or ERR_*. */
static int tx_commit(struct store *st)
{
	int rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);

	st->queries++;
	st->tx_depth = 0;
	if (rc == SQLITE_OK) {
		st->write_commits++;
		return 0;
	}
	log_warn("store", "commit of queued writes failed: %s",
	         sqlite3_errmsg(st->db));
	tx_abort(st);
	return store_err(rc) ? store_err(rc) : ERR_DB;
}

/* Run one write's SQL inside the open transaction. */
static int run_one(struct store *st, struct store_queued *w)
{
	int rc;

	st->in_write = true;
	st->write_failed = false;
	rc = w->run(st, w->ud);
	if (rc == 0 && st->write_failed)
		rc = ERR_DB;
	if (rc)
		log_warn("store", "a queued write failed (%s): %s",
		         err_name(rc), sqlite3_errmsg(st->db));
	st->in_write = false;
	st->tx_depth = 1;
	return rc;
}

/* One write in a transaction of its own. */
static int write_alone(struct store *st, struct store_queued *w)
{
	int rc = store_begin(st);

	if (rc)
		return rc;
	rc = run_one(st, w);
	if (rc) {
		tx_abort(st);
		return rc;
	}
	return tx_commit(st);
}

static int step_savepoint(struct store *st, const char *sql)
{
	sqlite3_stmt *q = store_stmt(st, sql);

	return q ? store_step_done(q) : ERR_DB;
}

/* One write of a batch, in its own savepoint. False when the batch's
 * transaction cannot go on (a savepoint failed, or SQLite rolled the whole
 * transaction back after an I/O or memory error). */
static bool run_in_batch(struct store *st, struct store_queued *w)
{
	if (step_savepoint(st, "SAVEPOINT store_write"))
		return false;
	w->rc = run_one(st, w);
	if (sqlite3_get_autocommit(st->db))
		return false;
	if (w->rc && step_savepoint(st, "ROLLBACK TO store_write"))
		return false;
	if (step_savepoint(st, "RELEASE store_write"))
		return false;
	w->ran = true;
	return true;
}

/* Run a batch of writes in one transaction; on a failure of the batch
 * itself, run again alone every write that did not fail on its own. */
static void run_batch(struct store *st, GArray *q)
{
	bool ok;

	if (q->len == 1) {
		g_array_index(q, struct store_queued, 0).rc =
		    write_alone(st, &g_array_index(q, struct store_queued, 0));
		return;
	}
	ok = store_begin(st) == 0;
	for (guint i = 0; ok && i < q->len; i++)
		ok =
		    run_in_batch(st, &g_array_index(q, struct store_queued, i));
	if (ok)
		ok = tx_commit(st) == 0;
	else
		tx_abort(st);
	for (guint i = 0; !ok && i < q->len; i++) {
		struct store_queued *w =
		    &g_array_index(q, struct store_queued, i);

		if (!w->ran || w->rc == 0)
			w->rc = write_alone(st, w);
	}
}

/* Main loop: tell the outcomes the writer has finished, in order. */
static void tell(struct store_writer *wr)
{
	GArray *d;

	g_mutex_lock(&wr->lock);
	d = wr->done;
	wr->done = g_array_new(FALSE, FALSE, sizeof(struct store_queued));
	if (wr->telling) {
		g_source_destroy(wr->telling);
		g_source_unref(wr->telling);
		wr->telling = NULL;
	}
	g_mutex_unlock(&wr->lock);
	for (guint i = 0; i < d->len; i++) {
		struct store_queued *w =
		    &g_array_index(d, struct store_queued, i);

		w->done(w->ud, w->rc);
	}
	g_array_free(d, TRUE);
}

static gboolean tell_cb(gpointer ud)
{
	tell(ud);
	return G_SOURCE_REMOVE;
}

/* The writer thread: whatever is queued when it looks is one batch. */
static gpointer writer_main(gpointer ud)
{
	struct store_writer *wr = ud;

	g_mutex_lock(&wr->lock);
	for (;;) {
		GArray *q;

		while (wr->queue->len == 0 && !wr->stop)
			g_cond_wait(&wr->cond, &wr->lock);
		if (wr->queue->len == 0)
			break;
		q = wr->queue;
		wr->queue =
		    g_array_new(FALSE, FALSE, sizeof(struct store_queued));
		wr->busy = true;
		g_mutex_unlock(&wr->lock);
		run_batch(wr->st, q);
		g_mutex_lock(&wr->lock);
		wr->busy = false;
		wr->writes += q->len;
		wr->commits = wr->st->write_commits;
		g_array_append_vals(wr->done, q->data, q->len);
		g_array_free(q, TRUE);
		if (!wr->telling) {
			wr->telling = g_idle_source_new();
			g_source_set_priority(wr->telling, G_PRIORITY_DEFAULT);
			g_source_set_callback(wr->telling, tell_cb, wr, NULL);
			g_source_attach(wr->telling, wr->ctx);
		}
		g_cond_broadcast(&wr->cond);
	}
	g_mutex_unlock(&wr->lock);
	return NULL;
}

/* Open the writer's connection and start its thread. */
static struct store_writer *writer_start(struct store *st)
{
	struct store_writer *wr = g_new0(struct store_writer, 1);
	const char *path = sqlite3_db_filename(st->db, "main");
	struct err_detail err = {0};

	if (store_open_with(path, NULL, 0, &wr->st, &err)) {
		log_error("store", "writer: %s", err.msg);
		g_free(wr);
		return NULL;
	}
	g_mutex_init(&wr->lock);
	g_cond_init(&wr->cond);
	wr->queue = g_array_new(FALSE, FALSE, sizeof(struct store_queued));
	wr->done = g_array_new(FALSE, FALSE, sizeof(struct store_queued));
	wr->ctx = g_main_context_ref_thread_default();
	wr->thread = g_thread_new("store-writer", writer_main, wr);
	return wr;
}

void store_write_flush(struct store *st)
{
	struct store_writer *wr = st->wr;

	if (!wr)
		return;
	g_mutex_lock(&wr->lock);
	while (wr->queue->len || wr->busy)
		g_cond_wait(&wr->cond, &wr->lock);
	g_mutex_unlock(&wr->lock);
	tell(wr); /* the posted delivery finds nothing left */
}

static void writer_stop(struct store *st)
{
	struct store_writer *wr = st->wr;

	if (!wr)
		return;
	store_write_flush(st);
	g_mutex_lock(&wr->lock);
	wr->stop = true;
	g_cond_broadcast(&wr->cond);
	g_mutex_unlock(&wr->lock);
	g_thread_join(wr->thread);
	tell(wr); /* and the delivery still posted, if any, is gone */
	store_close(wr->st);
	g_array_free(wr->queue, TRUE);
	g_array_free(wr->done, TRUE);
	g_main_context_unref(wr->ctx);
	g_cond_clear(&wr->cond);
	g_mutex_clear(&wr->lock);
	g_free(wr);
	st->wr = NULL;
}

/* Without a writer: the outcome of a write run on the main loop, told at
 * its next iteration (never from within store_write()). */
static gboolean tell_one(gpointer ud)
{
	struct store_queued *w = ud;

	w->done(w->ud, w->rc);
	return G_SOURCE_REMOVE;
}

void store_write(struct store *st, store_write_fn run, store_done_fn done,
                 void *ud)
{
	struct store_queued w = {run, done, ud, 0, false};
	struct store_writer *wr = st->wr ? st->wr : (st->wr = writer_start(st));

	if (!wr) {
		/* no second connection: the main loop waits for this one */
		w.rc = write_alone(st, &w);
		g_idle_add_full(G_PRIORITY_DEFAULT, tell_one,
		                g_memdup2(&w, sizeof(w)), g_free);
		return;
	}
	g_mutex_lock(&wr->lock);
	g_array_append_val(wr->queue, w);
	g_cond_broadcast(&wr->cond);
	g_mutex_unlock(&wr->lock);
}

void store_write_stats(const struct store *st, uint64_t *writes,
                       uint64_t *commits)
{
	*writes = *commits = 0;
	if (!st->wr)
		return;
	g_mutex_lock(&st->wr->lock);
	*writes = st->wr->writes;
	*commits = st->wr->commits;
	g_mutex_unlock(&st->wr->lock);
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

int store_step_changed(struct store *st, sqlite3_stmt *q)
{
	int rc = store_step_done(q);

	if (rc == 0 && sqlite3_changes(st->db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

void store_bind_id(sqlite3_stmt *q, int col, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(q, col, id);
	else
		sqlite3_bind_null(q, col);
}

void store_bind_days(sqlite3_stmt *q, int64_t cemetery_id, const char *from,
                     const char *to, const char *state, int limit)
{
	sqlite3_bind_int64(q, 1, cemetery_id);
	sqlite3_bind_text(q, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, to, -1, SQLITE_STATIC);
	if (state)
		sqlite3_bind_text(q, 4, state, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, limit);
}

int store_step_returning(sqlite3_stmt *q, int64_t *id, char *created_at,
                         size_t len)
{
	int rc = store_step_row(q);

	if (rc == 0) {
		*id = sqlite3_column_int64(q, 0);
		if (created_at)
			store_copy_text(created_at, len, q, 1);
		rc = store_step_done(q);
	}
	sqlite3_reset(q);
	return rc;
}

int store_decide(struct store *st, sqlite3_stmt *q, const char *state,
                 int64_t plot_id, const char *reason, int64_t actor, int64_t id)
{
	int rc;

	sqlite3_bind_text(q, 1, state, -1, SQLITE_STATIC);
	store_bind_id(q, 2, plot_id);
	sqlite3_bind_text(q, 3, reason ? reason : "", -1, SQLITE_STATIC);
	store_bind_id(q, 4, actor);
	sqlite3_bind_int64(q, 5, id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(st->db) == 0)
		rc = ERR_CONFLICT;
	return rc;
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
