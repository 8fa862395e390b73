/* test_store.c — the SQLite store: a fresh database gets every embedded
 * migration, an older one is upgraded without losing data, a failing
 * migration leaves nothing behind, statements are cached, transactions nest,
 * SQLite codes map to ERR_* codes, and writes queued together share one
 * commit (group commit) while a bad one fails alone. */
#include "fx_files.h"
#include "err.h"
#include "store.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SINIAN_SOURCE_DIR
#define SINIAN_SOURCE_DIR "."
#endif

static char *tmpdir;
static char *dbpath;

static void setup(void)
{
	GError *e = NULL;

	tmpdir = g_dir_make_tmp("sinian-store-XXXXXX", &e);
	ck_assert_msg(tmpdir != NULL, "g_dir_make_tmp: %s",
	              e ? e->message : "?");
	dbpath = g_build_filename(tmpdir, "t.db", NULL);
}

static void teardown(void)
{
	fx_rm_tree(tmpdir);
	ck_assert(!g_file_test(tmpdir, G_FILE_TEST_EXISTS));
	g_free(dbpath);
	g_free(tmpdir);
}

/* One integer from a query, via a plain sqlite3 call. */
static long long one_int(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	long long v = -999;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL),
	                 SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static char *one_text(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	char *v = NULL;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL),
	                 SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = g_strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v;
}

static bool table_exists(struct store *st, const char *name)
{
	char *sql = g_strdup_printf("SELECT count(*) FROM sqlite_master "
	                            "WHERE type='table' AND name='%s'",
	                            name);
	bool yes = one_int(st, sql) == 1;

	g_free(sql);
	return yes;
}

/* Highest NNN of schema/NNN_*.sql in the source tree, and how many. */
static int schema_max_version(int *count)
{
	const char *root = getenv("SINIAN_SOURCE_DIR");
	char *dir =
	    g_build_filename(root ? root : SINIAN_SOURCE_DIR, "schema", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	int max = 0;

	ck_assert_msg(d != NULL, "cannot list %s", dir);
	*count = 0;
	while ((name = g_dir_read_name(d))) {
		if (!g_str_has_suffix(name, ".sql"))
			continue;
		ck_assert_msg(g_ascii_isdigit(name[0]), "bad name %s", name);
		int v = atoi(name);

		(*count)++;
		if (v > max)
			max = v;
	}
	g_dir_close(d);
	g_free(dir);
	return max;
}

START_TEST(fresh_db_gets_every_migration)
{
	struct store *st = NULL;
	struct err_detail err = {0};
	int count = 0;
	int max = schema_max_version(&count);
	char *mode;

	ck_assert_int_gt(max, 0);
	ck_assert_uint_eq(store_migrations_count, (size_t)count);
	for (size_t i = 0; i < store_migrations_count; i++) {
		ck_assert_ptr_nonnull(store_migrations[i].name);
		ck_assert_ptr_nonnull(store_migrations[i].sql);
		ck_assert_int_gt(store_migrations[i].version, 0);
		if (i)
			ck_assert_int_gt(store_migrations[i].version,
			                 store_migrations[i - 1].version);
	}
	ck_assert_int_eq(store_migrations[store_migrations_count - 1].version,
	                 max);

	ck_assert_msg(store_open(dbpath, &st, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_version(st), max);
	mode = one_text(st, "PRAGMA journal_mode");
	ck_assert_str_eq(mode, "wal");
	g_free(mode);
	ck_assert_int_eq(one_int(st, "PRAGMA foreign_keys"), 1);
	ck_assert_int_eq(one_int(st, "PRAGMA synchronous"), 2); /* FULL */
	/* 001 creates meta with created_at */
	ck_assert(table_exists(st, "meta"));
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM meta WHERE "
	                             "key='created_at'"),
	                 1);
	store_close(st);

	/* reopening applies nothing again (a re-run would fail on CREATE) */
	st = NULL;
	ck_assert_msg(store_open(dbpath, &st, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_version(st), max);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM meta WHERE "
	                             "key='created_at'"),
	                 1);
	store_close(st);
}
END_TEST

static const struct store_migration v1 = {
    1, "001_people.sql",
    "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"};
static const struct store_migration v2 = {
    2, "002_tributes.sql",
    "CREATE TABLE tributes (id INTEGER PRIMARY KEY,"
    " person INTEGER NOT NULL REFERENCES people(id), kind TEXT NOT NULL);"
    "ALTER TABLE people ADD COLUMN born TEXT;"};
static const struct store_migration v2_bad = {
    2, "002_broken.sql",
    "CREATE TABLE half_done (id INTEGER PRIMARY KEY);"
    "INSERT INTO half_done(id) VALUES (1);"
    "INSERT INTO no_such_table VALUES (1);"};
static const struct store_migration v3 = {
    3, "003_more.sql", "CREATE TABLE more (id INTEGER PRIMARY KEY);"};

START_TEST(upgrade_from_older_version)
{
	struct store_migration one[] = {v1};
	struct store_migration two[] = {v1, v2};
	struct store *st = NULL;
	struct err_detail err = {0};

	ck_assert_msg(store_open_with(dbpath, one, 1, &st, &err) == 0, "%s",
	              err.msg);
	ck_assert_int_eq(store_version(st), 1);
	ck_assert_int_eq(store_exec(st, "INSERT INTO people(name) VALUES "
	                                "('张三'), ('李四')"),
	                 0);
	ck_assert(!table_exists(st, "tributes"));
	store_close(st);

	st = NULL;
	ck_assert_msg(store_open_with(dbpath, two, 2, &st, &err) == 0, "%s",
	              err.msg);
	ck_assert_int_eq(store_version(st), 2);
	ck_assert(table_exists(st, "tributes"));
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM people"), 2);
	ck_assert_int_eq(
	    one_int(st, "SELECT count(*) FROM people WHERE born IS NULL"), 2);
	/* v1's data is usable by v2's schema, with foreign keys enforced */
	ck_assert_int_eq(store_exec(st, "INSERT INTO tributes(person, kind) "
	                                "VALUES (1, 'flower')"),
	                 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO tributes(person, kind) "
	                                "VALUES (99, 'flower')"),
	                 ERR_CONFLICT);
	store_close(st);

	/* an older binary (knowing only v1) opens a newer file as is */
	st = NULL;
	ck_assert_msg(store_open_with(dbpath, one, 1, &st, &err) == 0, "%s",
	              err.msg);
	ck_assert_int_eq(store_version(st), 2);
	store_close(st);
}
END_TEST

START_TEST(failing_migration_rolls_back)
{
	struct store_migration one[] = {v1};
	struct store_migration bad[] = {v1, v2_bad, v3};
	struct store *st = NULL;
	struct err_detail err = {0};
	int rc;

	ck_assert_int_eq(store_open_with(dbpath, one, 1, &st, &err), 0);
	ck_assert_int_eq(
	    store_exec(st, "INSERT INTO people(name) VALUES ('王五')"), 0);
	store_close(st);

	st = NULL;
	err.msg[0] = '\0';
	rc = store_open_with(dbpath, bad, 3, &st, &err);
	ck_assert_int_eq(rc, ERR_DB);
	ck_assert_ptr_null(st);
	ck_assert_msg(strstr(err.msg, "002_broken.sql") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "no_such_table") != NULL, "%s", err.msg);

	/* nothing of 002 or 003 is there; the version is still 1 */
	ck_assert_int_eq(store_open_with(dbpath, one, 1, &st, &err), 0);
	ck_assert_int_eq(store_version(st), 1);
	ck_assert(!table_exists(st, "half_done"));
	ck_assert(!table_exists(st, "more"));
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM people"), 1);
	store_close(st);

	/* fixed, the upgrade goes through */
	{
		struct store_migration good[] = {v1, v2, v3};

		st = NULL;
		ck_assert_msg(store_open_with(dbpath, good, 3, &st, &err) == 0,
		              "%s", err.msg);
		ck_assert_int_eq(store_version(st), 3);
		ck_assert(table_exists(st, "more"));
		store_close(st);
	}
}
END_TEST

START_TEST(failing_first_migration_on_fresh_db)
{
	struct store_migration bad[] = {v2_bad};
	struct store *st = NULL;
	struct err_detail err = {0};

	ck_assert_int_eq(store_open_with(dbpath, bad, 1, &st, &err), ERR_DB);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(store_open_with(dbpath, NULL, 0, &st, &err), 0);
	ck_assert_int_eq(store_version(st), 0);
	ck_assert(!table_exists(st, "half_done"));
	store_close(st);
}
END_TEST

START_TEST(open_errors)
{
	struct store *st = NULL;
	struct err_detail err = {0};
	char *path =
	    g_build_filename(tmpdir, "no", "such", "dir", "x.db", NULL);

	ck_assert_int_eq(store_open(path, &st, &err), ERR_IO);
	ck_assert_ptr_null(st);
	ck_assert_msg(strstr(err.msg, path) != NULL, "%s", err.msg);
	g_free(path);

	/* a file that is not a database */
	ck_assert(g_file_set_contents(dbpath,
	                              "this is not an SQLite database file, "
	                              "just some text that is long enough",
	                              -1, NULL));
	ck_assert_int_ne(store_open(dbpath, &st, &err), 0);
	ck_assert_ptr_null(st);
	store_close(NULL);
}
END_TEST

START_TEST(stmt_cache)
{
	struct store_migration one[] = {v1};
	struct store *st = NULL;
	struct err_detail err = {0};
	const char *sql = "SELECT name FROM people WHERE id = ?";
	char copy[64];
	sqlite3_stmt *a, *b, *c;
	uint64_t q0;

	ck_assert_int_eq(store_open_with(dbpath, one, 1, &st, &err), 0);
	ck_assert_int_eq(
	    store_exec(st, "INSERT INTO people(id, name) VALUES (7, '思念')"),
	    0);
	q0 = store_queries(st);
	a = store_stmt(st, sql);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(sqlite3_bind_int64(a, 1, 7), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(a), SQLITE_ROW);
	ck_assert_str_eq(store_col_text(a, 0), "思念");
	/* left mid-result on purpose: the next get resets it */

	snprintf(copy, sizeof(copy), "%s", sql); /* same text, other buffer */
	b = store_stmt(st, copy);
	ck_assert_ptr_eq(a, b);
	/* bindings were cleared: id = NULL matches nothing */
	ck_assert_int_eq(sqlite3_step(b), SQLITE_DONE);
	sqlite3_reset(b);
	ck_assert_uint_eq(store_queries(st), q0 + 2);

	c = store_stmt(st, "SELECT count(*) FROM people");
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_ne(c, a);
	ck_assert_int_eq(sqlite3_step(c), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(c, 0), 1);
	sqlite3_reset(c);

	/* a bad statement is NULL and not cached */
	ck_assert_ptr_null(store_stmt(st, "SELEC nonsense"));
	ck_assert_ptr_null(store_stmt(st, "SELECT * FROM no_such_table"));
	store_close(st);
}
END_TEST

START_TEST(col_text_and_last_id)
{
	struct store_migration one[] = {v1, v2};
	struct store *st = NULL;
	struct err_detail err = {0};
	sqlite3_stmt *q;

	ck_assert_int_eq(store_open_with(dbpath, one, 2, &st, &err), 0);
	ck_assert_int_eq(
	    store_exec(st, "INSERT INTO people(id, name) VALUES (41, 'a')"), 0);
	ck_assert_int_eq(store_last_id(st), 41);
	q = store_stmt(st, "INSERT INTO people(name) VALUES (?)");
	ck_assert_int_eq(sqlite3_bind_text(q, 1, "b", -1, SQLITE_STATIC),
	                 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
	sqlite3_reset(q);
	store_count(st);
	ck_assert_int_eq(store_last_id(st), 42);
	q = store_stmt(st, "SELECT born FROM people WHERE id = 42");
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_str_eq(store_col_text(q, 0), ""); /* NULL column */
	sqlite3_reset(q);
	store_close(st);
}
END_TEST

static long long people(struct store *st)
{
	return one_int(st, "SELECT count(*) FROM people");
}

START_TEST(transactions)
{
	struct store_migration one[] = {v1};
	struct store *st = NULL;
	struct err_detail err = {0};

	ck_assert_int_eq(store_open_with(dbpath, one, 1, &st, &err), 0);
	/* rollback discards */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO people(name) VALUES "
	                                "('x')"),
	                 0);
	ck_assert_int_eq(people(st), 1);
	store_rollback(st);
	ck_assert_int_eq(people(st), 0);

	/* commit keeps, and another connection sees it */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO people(name) VALUES "
	                                "('y')"),
	                 0);
	ck_assert_int_eq(store_commit(st), 0);
	{
		struct store *other = NULL;

		ck_assert_int_eq(store_open_with(dbpath, one, 1, &other, &err),
		                 0);
		ck_assert_int_eq(people(other), 1);
		store_close(other);
	}

	/* nested: the inner commit does not commit; the outer rollback
	 * undoes everything */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO people(name) VALUES "
	                                "('z')"),
	                 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert(!sqlite3_get_autocommit(store_db(st)));
	store_rollback(st);
	ck_assert(sqlite3_get_autocommit(store_db(st)));
	ck_assert_int_eq(people(st), 1);

	/* nested commit commits at the outermost level */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO people(name) VALUES "
	                                "('w')"),
	                 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert(sqlite3_get_autocommit(store_db(st)));
	ck_assert_int_eq(people(st), 2);

	/* commit and rollback outside a transaction are harmless */
	ck_assert_int_eq(store_commit(st), 0);
	store_rollback(st);
	ck_assert_int_eq(people(st), 2);

	/* a failed statement inside leaves the transaction to roll back */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO people(name) VALUES "
	                                "('v')"),
	                 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO people(name) VALUES "
	                                "(NULL)"),
	                 ERR_CONFLICT);
	store_rollback(st);
	ck_assert_int_eq(people(st), 2);
	store_close(st);
}
END_TEST

START_TEST(exec_errors)
{
	struct store_migration one[] = {v1};
	struct store *st = NULL;
	struct err_detail err = {0};
	uint64_t q0;

	ck_assert_int_eq(store_open_with(dbpath, one, 1, &st, &err), 0);
	q0 = store_queries(st);
	ck_assert_int_eq(store_exec(st, "NOT SQL AT ALL"), ERR_DB);
	ck_assert_int_eq(store_exec(st, "SELECT * FROM missing"), ERR_DB);
	ck_assert_int_eq(
	    store_exec(st, "INSERT INTO people(id, name) VALUES (1, 'a')"), 0);
	ck_assert_int_eq(
	    store_exec(st, "INSERT INTO people(id, name) VALUES (1, 'b')"),
	    ERR_CONFLICT);
	ck_assert_uint_eq(store_queries(st), q0 + 4);
	store_close(st);
}
END_TEST

START_TEST(err_mapping)
{
	ck_assert_int_eq(store_err(SQLITE_OK), 0);
	ck_assert_int_eq(store_err(SQLITE_ROW), 0);
	ck_assert_int_eq(store_err(SQLITE_DONE), 0);
	ck_assert_int_eq(store_err(SQLITE_CONSTRAINT), ERR_CONFLICT);
	ck_assert_int_eq(store_err(SQLITE_CONSTRAINT_UNIQUE), ERR_CONFLICT);
	ck_assert_int_eq(store_err(SQLITE_CONSTRAINT_FOREIGNKEY), ERR_CONFLICT);
	ck_assert_int_eq(store_err(SQLITE_CONSTRAINT_NOTNULL), ERR_CONFLICT);
	ck_assert_int_eq(store_err(SQLITE_FULL), ERR_IO);
	ck_assert_int_eq(store_err(SQLITE_IOERR), ERR_IO);
	ck_assert_int_eq(store_err(SQLITE_IOERR_FSYNC), ERR_IO);
	ck_assert_int_eq(store_err(SQLITE_NOMEM), ERR_NOMEM);
	ck_assert_int_eq(store_err(SQLITE_BUSY), ERR_UNAVAILABLE);
	ck_assert_int_eq(store_err(SQLITE_BUSY_SNAPSHOT), ERR_UNAVAILABLE);
	ck_assert_int_eq(store_err(SQLITE_LOCKED), ERR_UNAVAILABLE);
	ck_assert_int_eq(store_err(SQLITE_ERROR), ERR_DB);
	ck_assert_int_eq(store_err(SQLITE_CORRUPT), ERR_DB);
	ck_assert_int_eq(store_err(SQLITE_MISUSE), ERR_DB);
	ck_assert_int_eq(store_err(SQLITE_READONLY), ERR_DB);
}
END_TEST

/* ---------- group commit ---------- */

static const struct store_migration v_deferred = {
    2, "002_deferred.sql",
    "CREATE TABLE graves (id INTEGER PRIMARY KEY, person INTEGER NOT NULL"
    " REFERENCES people(id) DEFERRABLE INITIALLY DEFERRED);"};

/* One queued write: insert a person named name (NULL breaks NOT NULL),
 * or a grave of a person who does not exist (breaks only at COMMIT). */
struct qw {
	const char *name;
	bool bad_grave;
	bool nested; /* go through store_begin/commit like a domain call */
	int rc;
	int done; /* times done was called */
	int order;
	int *next_order;
};

static int qw_run(struct store *st, void *ud)
{
	struct qw *w = ud;
	sqlite3_stmt *q;
	int rc;

	if (w->nested && (rc = store_begin(st)))
		return rc;
	if (w->bad_grave) {
		q = store_stmt(st,
		               "INSERT INTO graves(person) VALUES (424242)");
	} else {
		q = store_stmt(st, "INSERT INTO people(name) VALUES (?)");
		if (w->name)
			sqlite3_bind_text(q, 1, w->name, -1, SQLITE_STATIC);
	}
	rc = store_step_done(q);
	if (w->nested) {
		if (rc) {
			store_rollback(st);
			return rc;
		}
		rc = store_commit(st);
	}
	return rc;
}

static void qw_done(void *ud, int rc)
{
	struct qw *w = ud;

	w->rc = rc;
	w->done++;
	w->order = (*w->next_order)++;
}

static void run_until_done(struct qw *ws, int n)
{
	for (int i = 0; i < n; i++)
		while (ws[i].done == 0)
			g_main_context_iteration(NULL, TRUE);
}

/* n writes, write number bad is the invalid one; returns the failures. */
static int queue_and_run(struct store *st, struct qw *ws, int n, int bad,
                         bool bad_grave)
{
	int next = 0, failed = 0;

	for (int i = 0; i < n; i++) {
		ws[i] = (struct qw){.name = "mourner", .next_order = &next};
		ws[i].nested = i % 3 == 0;
		if (i == bad) {
			ws[i].name = NULL;
			ws[i].bad_grave = bad_grave;
		}
		store_write(st, qw_run, qw_done, &ws[i]);
		ck_assert_int_eq(ws[i].done, 0); /* never from store_write */
	}
	run_until_done(ws, n);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(ws[i].done, 1);
		ck_assert_int_eq(ws[i].order, i); /* told in arrival order */
		if (ws[i].rc)
			failed++;
	}
	return failed;
}

START_TEST(group_commit_one_invalid)
{
	struct store_migration one[] = {v1};
	struct qw *ws = g_new0(struct qw, 1000);
	struct store *st = NULL;
	uint64_t writes, commits;
	struct err_detail err = {0};

	ck_assert_int_eq(store_open_with(dbpath, one, 1, &st, &err), 0);
	/* 1000 writes arrive together; number 500 breaks NOT NULL */
	ck_assert_int_eq(queue_and_run(st, ws, 1000, 500, false), 1);
	ck_assert_int_eq(ws[500].rc, ERR_CONFLICT);
	ck_assert_int_eq(people(st), 999);
	store_write_stats(st, &writes, &commits);
	ck_assert_uint_eq(writes, 1000);
	/* the writer started on the first at once; the others, queued
	 * meanwhile, shared a few commits */
	ck_assert_uint_le(commits, 20);
	ck_assert(sqlite3_get_autocommit(store_db(st)));
	/* and they are on disk for another connection */
	{
		struct store *other = NULL;

		ck_assert_int_eq(store_open_with(dbpath, one, 1, &other, &err),
		                 0);
		ck_assert_int_eq(people(other), 999);
		store_close(other);
	}
	store_close(st);
	g_free(ws);
}
END_TEST

START_TEST(group_commit_failed_commit_retries_alone)
{
	struct store_migration two[] = {v1, v_deferred};
	struct qw *ws = g_new0(struct qw, 50);
	struct store *st = NULL;
	struct err_detail err = {0};

	ck_assert_int_eq(store_open_with(dbpath, two, 2, &st, &err), 0);
	/* the grave's foreign key is checked at COMMIT: its batch fails as
	 * a whole, and each write of it is tried again alone */
	ck_assert_int_eq(queue_and_run(st, ws, 50, 7, true), 1);
	ck_assert_int_eq(ws[7].rc, ERR_CONFLICT);
	ck_assert_int_eq(people(st), 49);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM graves"), 0);
	ck_assert(sqlite3_get_autocommit(store_db(st)));
	store_close(st);
	g_free(ws);
}
END_TEST

START_TEST(group_commit_lone_write_does_not_wait)
{
	struct store_migration one[] = {v1};
	struct store *st = NULL, *other = NULL;
	uint64_t writes, commits;
	struct qw w;
	struct err_detail err = {0};
	int next = 0;

	ck_assert_int_eq(store_open_with(dbpath, one, 1, &st, &err), 0);
	ck_assert_int_eq(store_open_with(dbpath, one, 1, &other, &err), 0);
	w = (struct qw){.name = "alone", .next_order = &next};
	store_write(st, qw_run, qw_done, &w);
	ck_assert_int_eq(w.done, 0);
	/* committed with nobody asking and no timer: the main loop has not
	 * run, and the row is on disk for another connection */
	for (int i = 0; i < 5000 && people(other) == 0; i++)
		g_usleep(1000);
	ck_assert_int_eq(people(other), 1);
	ck_assert_int_eq(w.done, 0);
	/* the outcome is told on the main loop */
	while (!w.done)
		g_main_context_iteration(NULL, TRUE);
	ck_assert_int_eq(w.rc, 0);
	store_write_stats(st, &writes, &commits);
	ck_assert_uint_eq(writes, 1);
	ck_assert_uint_eq(commits, 1);
	store_close(other);
	store_close(st);
	ck_assert(!g_main_context_pending(NULL));
}
END_TEST

/* A done callback that queues another write: it goes to a later batch. */
static struct store *chain_st;
static struct qw chain_second;

static void chain_done(void *ud, int rc)
{
	qw_done(ud, rc);
	store_write(chain_st, qw_run, qw_done, &chain_second);
}

START_TEST(group_commit_from_done_and_close)
{
	struct store_migration one[] = {v1};
	struct qw first, last;
	struct err_detail err = {0};
	int next = 0;

	ck_assert_int_eq(store_open_with(dbpath, one, 1, &chain_st, &err), 0);
	first = (struct qw){.name = "first", .next_order = &next};
	chain_second = (struct qw){.name = "second", .next_order = &next};
	store_write(chain_st, qw_run, chain_done, &first);
	store_write_flush(chain_st); /* first told; second queued by it */
	ck_assert_int_eq(first.done, 1);
	store_write_flush(chain_st);
	ck_assert_int_eq(chain_second.done, 1);
	ck_assert_int_eq(chain_second.rc, 0);
	/* closing runs and tells what is still queued */
	last = (struct qw){.name = "last", .next_order = &next};
	store_write(chain_st, qw_run, qw_done, &last);
	store_close(chain_st);
	ck_assert_int_eq(last.done, 1);
	ck_assert_int_eq(last.rc, 0);
	ck_assert_int_eq(store_open_with(dbpath, one, 1, &chain_st, &err), 0);
	ck_assert_int_eq(people(chain_st), 3);
	store_close(chain_st);
	/* nothing of the writer is left on the main loop */
	ck_assert(!g_main_context_pending(NULL));
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fresh_db_gets_every_migration);
	tcase_add_test(tc, upgrade_from_older_version);
	tcase_add_test(tc, failing_migration_rolls_back);
	tcase_add_test(tc, failing_first_migration_on_fresh_db);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, stmt_cache);
	tcase_add_test(tc, col_text_and_last_id);
	tcase_add_test(tc, transactions);
	tcase_add_test(tc, exec_errors);
	tcase_add_test(tc, err_mapping);
	tcase_add_test(tc, group_commit_one_invalid);
	tcase_add_test(tc, group_commit_failed_commit_retries_alone);
	tcase_add_test(tc, group_commit_lone_write_does_not_wait);
	tcase_add_test(tc, group_commit_from_done_and_close);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
