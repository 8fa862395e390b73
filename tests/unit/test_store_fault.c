/* test_store_fault.c — the store's fault injection: SINIAN_STORE_FAULT is
 * refused when malformed, counts executions of the statement it names (or
 * of any, for "*"), fails exactly the nth to nth+count-1 as an I/O error
 * the callers see as ERR_IO, then lets the statement work again; unset, it
 * changes nothing. */
#include "fx_files.h"
#include "err.h"
#include "store.h"
#include "store_fault.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char *tmpdir;
static char *dbpath;

static void setup(void)
{
	tmpdir = g_dir_make_tmp("sinian-fault-XXXXXX", NULL);
	ck_assert(tmpdir != NULL);
	dbpath = g_build_filename(tmpdir, "t.db", NULL);
}

static void teardown(void)
{
	fx_rm_tree(tmpdir);
	ck_assert(!g_file_test(tmpdir, G_FILE_TEST_EXISTS));
	g_free(dbpath);
	g_free(tmpdir);
	g_unsetenv(STORE_FAULT_ENV);
}

static const char *sql_of(const char *name)
{
	for (size_t t = 0; store_sql_tables[t]; t++)
		for (const struct store_sql *s = store_sql_tables[t]; s->name;
		     s++)
			if (strcmp(s->name, name) == 0)
				return s->sql;
	ck_abort_msg("no statement %s", name);
	return NULL;
}

START_TEST(malformed_specs_are_refused)
{
	static const char *const bad[] = {
	    "",
	    "order.order_get",
	    "order.order_get:",
	    "order.order_get:0",
	    "order.order_get:-1",
	    "order.order_get:1x",
	    "order.order_get:1:0",
	    "order.order_get:1:2:3",
	    "no.such_statement:1",
	    "order.order_get:1,,",
	    "order.order_get:1,nope:1",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		ck_assert_msg(store_fault_parse(bad[i]) == NULL, "accepted %s",
		              bad[i]);
}
END_TEST

START_TEST(nth_to_count_fail_then_spent)
{
	struct store_fault *f = store_fault_parse("order.order_get:2:2, *:5");
	const char *get = sql_of("order.order_get");
	const char *other = sql_of("order.order_insert");
	/* order_get: 2nd and 3rd fail; any statement: the 5th */
	static const bool want[] = {false, true, true, false, true, false};

	ck_assert(f != NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
		ck_assert_msg(store_fault_hit(f, i == 4 ? other : get) ==
		                  want[i],
		              "execution %zu", i + 1);
	for (int i = 0; i < 5; i++)
		ck_assert(!store_fault_hit(f, get));
	store_fault_free(f);
}
END_TEST

/* n executions of order_get through store_stmt: 0, or the ERR_* seen. */
static int run_get(struct store *st)
{
	sqlite3_stmt *q = store_stmt(st, sql_of("order.order_get"));
	int rc;

	ck_assert(q != NULL);
	sqlite3_bind_int64(q, 1, 42);
	rc = store_step_row(q);
	sqlite3_reset(q);
	return rc == ERR_NOT_FOUND ? 0 : rc;
}

START_TEST(env_arms_the_store)
{
	struct store *st;
	struct err_detail err = {0};

	g_setenv(STORE_FAULT_ENV, "order.order_get:2", TRUE);
	ck_assert_int_eq(store_open(dbpath, &st, &err), 0);
	ck_assert_int_eq(run_get(st), 0);
	ck_assert_int_eq(run_get(st), ERR_IO);
	ck_assert_int_eq(run_get(st), 0);
	ck_assert_int_eq(run_get(st), 0);
	store_close(st);
}
END_TEST

START_TEST(unset_or_malformed_changes_nothing)
{
	static const char *const env[] = {NULL, "order.order_get:zero"};

	for (size_t e = 0; e < G_N_ELEMENTS(env); e++) {
		struct store *st;
		struct err_detail err = {0};

		if (env[e])
			g_setenv(STORE_FAULT_ENV, env[e], TRUE);
		ck_assert_int_eq(store_open(dbpath, &st, &err), 0);
		for (int i = 0; i < 10; i++)
			ck_assert_int_eq(run_get(st), 0);
		store_close(st);
	}
}
END_TEST

START_TEST(a_fault_inside_a_transaction_leaves_nothing)
{
	struct store *st;
	struct err_detail err = {0};
	sqlite3_stmt *q;

	g_setenv(STORE_FAULT_ENV, "order.order_get:1", TRUE);
	ck_assert_int_eq(store_open(dbpath, &st, &err), 0);
	ck_assert_int_eq(store_exec(st, "CREATE TABLE t(x)"), 0);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO t VALUES (1)"), 0);
	ck_assert_int_eq(run_get(st), ERR_IO);
	store_rollback(st);
	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st),
	                                    "SELECT count(*) FROM t", -1, &q,
	                                    NULL),
	                 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(q, 0), 0);
	sqlite3_finalize(q);
	store_close(st);
}
END_TEST

static Suite *fault_suite(void)
{
	Suite *s = suite_create("store_fault");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, malformed_specs_are_refused);
	tcase_add_test(tc, nth_to_count_fail_then_spent);
	tcase_add_test(tc, env_arms_the_store);
	tcase_add_test(tc, unset_or_malformed_changes_nothing);
	tcase_add_test(tc, a_fault_inside_a_transaction_leaves_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fault_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
