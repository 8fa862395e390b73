/* store.h — the SQLite store: opening, migrations, cached statements,
 * transactions. Domain queries live in store_<domain>.c files that use
 * store_stmt(); nobody outside store*.c writes SQL.
 *
 * Durability (docs/durability.md): WAL journal with synchronous=FULL, so a
 * write acknowledged to a client has been fsynced and survives kill -9 and
 * power loss.
 */
#ifndef SINIAN_STORE_H
#define SINIAN_STORE_H

#include <glib.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

struct store_migration {
	int version;
	const char *name;
	const char *sql;
};

/* The migrations embedded from schema/ at build time, in version order. */
extern const struct store_migration store_migrations[];
extern const size_t store_migrations_count;

struct store;

/* One SQL statement of the store. Every store_*.c file keeps its statements
 * in one table, store_<file>_sql[] (ended by a row of NULLs), and hands
 * their text to store_stmt(); tests/unit/test_store_plans.c reads every
 * statement's query plan from these tables and fails on a full scan of a
 * table that grows. */
struct store_sql {
	const char *name; /* "memorial.tribute_list" */
	const char *sql;
	const char *scan_ok; /* NULL, or why reading a whole table is fine */
};

extern const struct store_sql store_user_sql[], store_org_sql[],
    store_deceased_sql[], store_memorial_sql[], store_ceremony_sql[],
    store_visit_sql[], store_sweeping_sql[], store_transfer_sql[],
    store_family_sql[], store_alloc_sql[], store_public_sql[],
    store_grave_sql[], store_staff_sql[], store_pay_sql[], store_tribute_sql[],
    store_photo_sql[], store_image_sql[], store_plot_sql[], store_booking_sql[],
    store_order_sql[], store_notice_sql[];

/* The statement tables above, NULL-terminated. */
extern const struct store_sql *const store_sql_tables[];

/* Open (creating if needed) the database at path and apply the given
 * migrations whose version is above PRAGMA user_version, each in its own
 * transaction. Returns 0 and *out, or ERR_DB/ERR_IO with a message in err. */
G_GNUC_WARN_UNUSED_RESULT int
store_open_with(const char *path, const struct store_migration *migs,
                size_t n_migs, struct store **out, struct err_detail *e);

/* store_open_with() using the embedded migrations. */
G_GNUC_WARN_UNUSED_RESULT int store_open(const char *path, struct store **out,
                                         struct err_detail *e);

/* Finalise cached statements and close. store_close(NULL) is a no-op. */
void store_close(struct store *st);

/* Current schema version (PRAGMA user_version). */
G_GNUC_WARN_UNUSED_RESULT int store_version(struct store *st);

/* A prepared statement for sql, cached by its text and reset, bindings
 * cleared. Borrowed: valid until store_close(). NULL on a SQL error (logged).
 * Callers sqlite3_reset() it when done. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Return 0 or ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int store_begin(struct store *st);
G_GNUC_WARN_UNUSED_RESULT int store_commit(struct store *st);
void store_rollback(struct store *st);

/* ---------- group commit ----------
 *
 * Small writes (a tribute) are queued with store_write() and run on the
 * store's writer thread, on its own connection, so the main loop never
 * waits for the disk. Every write queued while the writer is busy (its
 * previous commit on its way to disk) runs in the next single BEGIN
 * IMMEDIATE … COMMIT, each inside its own savepoint, sharing that commit's
 * fsync. A write that fails rolls back to its savepoint and fails alone;
 * if the commit itself fails, each of the others is run again in a
 * transaction of its own. A write is told its outcome on the main loop,
 * only after its commit returned (so after its WAL frames are on disk), or
 * with its error. A lone write does not wait for company: the writer
 * starts on it at once, with no timer. */

/* Do one write's SQL. Runs on the writer thread with the writer's own
 * connection st: it must touch nothing but st and what ud owns. Inside a
 * transaction: store_begin/commit nest (no-ops) and store_rollback()
 * fails the write. Returns 0 or an ERR_*. */
typedef int (*store_write_fn)(struct store *st, void *ud);
/* The outcome of a queued write, on the main loop: 0 once committed, else
 * its error. */
typedef void (*store_done_fn)(void *ud, int rc);

/* Queue a write; done(ud, rc) is called exactly once, on the main context
 * of the thread that queued it, never from within store_write() itself.
 * Main loop. */
void store_write(struct store *st, store_write_fn run, store_done_fn done,
                 void *ud);

/* Wait until every queued write has run, and call their done callbacks
 * (store_close() does too). Main loop. */
void store_write_flush(struct store *st);

/* Writes run through store_write() and the commits they took, since open
 * (commits < writes when writes were grouped). */
void store_write_stats(const struct store *st, uint64_t *writes,
                       uint64_t *commits);

/* Run SQL without results (schema, pragmas). 0 or ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int store_exec(struct store *st, const char *sql);

/* The result rc of a store call that what (the thing being done, for the
 * log) depends on: true when 0; else the reason is logged and the caller
 * fails: a 500 for a request, never a 200 with a part missing, nor a
 * 404. Every store function's result must be used (the build refuses an
 * ignored one). */
bool store_ok(int rc, const char *what);

/* Raw handle, for store_*.c modules only. */
sqlite3 *store_db(struct store *st);

/* Statements executed since open (for /metrics). */
uint64_t store_queries(const struct store *st);
/* Count one statement execution (store_*.c call it after each step loop). */
void store_count(struct store *st);

/* Map a SQLite result code to an ERR_* code (constraint → ERR_CONFLICT). */
G_GNUC_WARN_UNUSED_RESULT int store_err(int sqlite_rc);

/* The bound of a "newest first, older than cursor" page: the cursor, or
 * past every id when there is none (0). List statements compare id <
 * this, never "(? = 0 OR id < ?)", so the index serves the range. */
G_GNUC_WARN_UNUSED_RESULT int64_t store_cursor(int64_t before);

/* Last insert rowid. */
G_GNUC_WARN_UNUSED_RESULT int64_t store_last_id(struct store *st);

/* Step q once expecting no row, then reset it: 0 or the mapped error. */
G_GNUC_WARN_UNUSED_RESULT int store_step_done(sqlite3_stmt *q);
/* store_step_done() on a write that must change a row: ERR_NOT_FOUND when
 * it changed none. */
G_GNUC_WARN_UNUSED_RESULT int store_step_changed(struct store *st,
                                                 sqlite3_stmt *q);
/* Bind id to column col, or NULL when it is 0 or below (no reference). */
void store_bind_id(sqlite3_stmt *q, int col, int64_t id);
/* Step an INSERT ... RETURNING id[, created_at] to its end and reset it:
 * *id from the first column, the second copied into created_at (of len
 * bytes) unless it is NULL. 0 or the mapped error. */
G_GNUC_WARN_UNUSED_RESULT int store_step_returning(sqlite3_stmt *q, int64_t *id,
                                                   char *created_at,
                                                   size_t len);
/* Record a decision on an open request (a grave request, a burial
 * transfer): q binds ?1 the new state, ?2 the plot, ?3 the reason, ?4 who
 * decided (NULL when 0 or below), ?5 the request. ERR_CONFLICT when the
 * request was no longer open. */
G_GNUC_WARN_UNUSED_RESULT int store_decide(struct store *st, sqlite3_stmt *q,
                                           const char *state, int64_t plot_id,
                                           const char *reason, int64_t actor,
                                           int64_t id);
/* Bind a cemetery's list over days, the shape of the visit and order lists:
 * ?1 the cemetery, ?2 and ?3 the first and last day, ?4 a state (left
 * unbound, so NULL, when state is NULL), ?5 the most rows. */
void store_bind_days(sqlite3_stmt *q, int64_t cemetery_id, const char *from,
                     const char *to, const char *state, int limit);
/* Step q once expecting a row: 0 (read it, then reset q), ERR_NOT_FOUND
 * when there is none, or the mapped error. q is not reset. */
G_GNUC_WARN_UNUSED_RESULT int store_step_row(sqlite3_stmt *q);

/* Reads the current row of a statement into an item (a row reader of a
 * store_*.c file). */
typedef void (*store_row_fn)(sqlite3_stmt *q, void *item);

/* Step q once expecting a row and read it with row into out; reset q. 0,
 * ERR_NOT_FOUND or the mapped error. */
G_GNUC_WARN_UNUSED_RESULT int store_one(sqlite3_stmt *q, store_row_fn row,
                                        void *out);
/* Step q through all its rows, appending each, read with row, to out (a
 * GArray of items); reset q. 0 or the mapped error. */
G_GNUC_WARN_UNUSED_RESULT int store_collect(sqlite3_stmt *q, store_row_fn row,
                                            GArray *out);

/* Copy a text column into a char array, for row readers. Buffers are
 * sized for their field's limit (textlimit.h), so a row always fits; one
 * that does not (written before a limit was lowered) is cut at a
 * character boundary and logged, never cut inside a UTF-8 sequence. */
#define STORE_COPY(dst, q, col) store_copy_text(dst, sizeof(dst), q, col)
void store_copy_text(char *dst, size_t dstlen, sqlite3_stmt *q, int col);

/* Text column as a string that is never NULL (""), borrowed until the next
 * step or reset of q. */
const char *store_col_text(sqlite3_stmt *q, int col);

#endif
