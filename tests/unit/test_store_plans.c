/* test_store_plans.c — no statement of the store reads a whole table that
 * grows with use.
 *
 * Every statement of every store_*.c file is in its file's table
 * (store_sql_tables); this test prepares each on a fresh store with every
 * migration applied and reads its EXPLAIN QUERY PLAN. A full SCAN of a
 * table outside the few that stay small (the organisations and their fee
 * lists, halls, the schema's bookkeeping) fails, naming the statement and
 * its plan — unless the statement's scan_ok says why reading it whole is
 * what it must do. The plans are those of an empty database; SQLite's
 * choice of index does not depend on row counts without ANALYZE, which the
 * daemon never runs.
 */
#include "err.h"
#include "store.h"
#include "store_tribute.h"

#include "check_main.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tables that hold tens or hundreds of rows, never one per person. */
static const char *const small_tables[] = {
    "meta", "agencies", "cemeteries", "halls", "services", NULL,
};

static bool small(const char *table)
{
	for (int i = 0; small_tables[i]; i++)
		if (strcmp(small_tables[i], table) == 0)
			return true;
	return false;
}

/* The table (or alias) a plan line reads whole, or NULL. "SCAN x" reads
 * x whole; so may "SEARCH x USING INTEGER PRIMARY KEY (rowid<?)", a range
 * on the row id alone, which is the whole table when no page bound stops
 * it. A SEARCH on an index, a virtual table's own index, a temporary
 * b-tree or a subquery's rows are no scan. */
static char *scanned(const char *detail)
{
	bool range =
	    g_str_has_prefix(detail, "SEARCH ") &&
	    (g_str_has_suffix(detail, "INTEGER PRIMARY KEY (rowid<?)") ||
	     g_str_has_suffix(detail, "INTEGER PRIMARY KEY (rowid>?)"));
	char **w;
	char *t = NULL;

	if (range)
		detail += 2; /* "SEARCH x" → "ARCH x": the name is the same */
	else if (strncmp(detail, "SCAN ", 5) != 0 ||
	         strstr(detail, "VIRTUAL TABLE") || detail[5] == '(' ||
	         strncmp(detail, "SCAN CONSTANT ROW", 17) == 0)
		return NULL;
	w = g_strsplit(detail + 5, " ", 2);
	if (w[0] && *w[0])
		t = g_strdup(w[0]);
	g_strfreev(w);
	return t;
}

/* The table an alias of sql stands for ("FROM deceased d": d is
 * deceased); the name itself when it is no alias. Caller frees. */
static char *table_of(const char *sql, const char *name)
{
	GRegex *re = g_regex_new("(?:FROM|JOIN)\\s+(\\w+)\\s+(?:AS\\s+)?(\\w+)",
	                         G_REGEX_CASELESS, 0, NULL);
	GMatchInfo *mi;
	char *t = NULL;

	g_regex_match(re, sql, 0, &mi);
	while (!t && g_match_info_matches(mi)) {
		char *alias = g_match_info_fetch(mi, 2);

		if (strcmp(alias, name) == 0)
			t = g_match_info_fetch(mi, 1);
		g_free(alias);
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
	g_regex_unref(re);
	return t ? t : g_strdup(name);
}

/* The plan of sql as text, and the big tables it scans into bad. */
static void plan_of(sqlite3 *db, const char *sql, GString *plan, GString *bad)
{
	char *q = g_strdup_printf("EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);

	ck_assert_msg(rc == SQLITE_OK, "cannot prepare: %s\n%s",
	              sqlite3_errmsg(db), sql);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);
		char *a = scanned(detail ? detail : "");
		char *t = a ? table_of(sql, a) : NULL;

		g_string_append_printf(plan, "  %s\n", detail ? detail : "");
		if (t && !small(t))
			g_string_append_printf(bad, "%s%s",
			                       bad->len ? ", " : "", t);
		g_free(t);
		g_free(a);
	}
	sqlite3_finalize(st);
	g_free(q);
}

/* "(? = 0 OR col = ?)": a filter made optional inside the statement keeps
 * the planner from the index on col (it must plan for both cases), so a
 * list by kind read every tribute of a memorial. Split the statement. */
START_TEST(no_optional_filters)
{
	GRegex *re = g_regex_new(
	    "\\(\\s*\\?\\d*\\s*(=\\s*0|=\\s*''|IS\\s+NULL)\\s+OR\\b",
	    G_REGEX_CASELESS, 0, NULL);

	for (int t = 0; store_sql_tables[t]; t++)
		for (const struct store_sql *s = store_sql_tables[t]; s->name;
		     s++)
			ck_assert_msg(!g_regex_match(re, s->sql, 0, NULL),
			              "%s makes a filter optional; give each "
			              "case its own statement:\n%s",
			              s->name, s->sql);
	ck_assert(g_regex_match(re, "WHERE (?3 = '' OR kind = ?3)", 0, NULL));
	ck_assert(
	    g_regex_match(re, "AND (?4 IS NULL OR b.state = ?4)", 0, NULL));
	g_regex_unref(re);
}
END_TEST

static const struct store_sql *find_sql(const char *name)
{
	for (int t = 0; store_sql_tables[t]; t++)
		for (const struct store_sql *s = store_sql_tables[t]; s->name;
		     s++)
			if (strcmp(s->name, name) == 0)
				return s;
	return NULL;
}

/* The audit's case: "latest messages" on a memorial with thousands of
 * flowers must read the messages, not every tribute. */
START_TEST(latest_messages_read_few_rows)
{
	char *dir = g_dir_make_tmp("sinian-plans-XXXXXX", NULL);
	char *path = g_build_filename(dir, "t.db", NULL);
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct tribute));
	const struct store_sql *kind_list;
	struct store *st = NULL;
	sqlite3_stmt *q;
	struct err_detail err = {0};
	int steps;

	ck_assert_msg(store_open(path, &st, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(
	    store_exec(st,
	               "INSERT INTO deceased(id, name, death_date) VALUES (1, "
	               "'x', '2020-01-01');"
	               "INSERT INTO memorials(id, slug, title, deceased_id) "
	               "VALUES (1, 'm1', 't', 1);"
	               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + "
	               "1 FROM n WHERE i < 20000) INSERT INTO tributes("
	               "memorial_id, kind, from_name, state) SELECT 1, CASE "
	               "WHEN i % 500 = 0 THEN 'message' ELSE 'flower' END, "
	               "'x', 'published' FROM n;"),
	    0);
	ck_assert_int_eq(
	    store_tribute_list(st, 1, TRIB_PUBLISHED, TRIB_MESSAGE, 0, 20, out),
	    0);
	ck_assert_uint_eq(out->len, 20);
	for (guint i = 0; i < out->len; i++)
		ck_assert_int_eq(g_array_index(out, struct tribute, i).kind,
		                 TRIB_MESSAGE);
	kind_list = find_sql("tribute.tribute_list_kind");
	ck_assert_ptr_nonnull(kind_list);
	q = store_stmt(st, kind_list->sql);
	steps = sqlite3_stmt_status(q, SQLITE_STMTSTATUS_VM_STEP, 0);
	/* twenty rows through the index: a few hundred steps; the old
	 * statement stepped through all 20000 tributes */
	ck_assert_msg(steps > 0 && steps < 5000, "%d VM steps", steps);
	g_array_free(out, TRUE);
	store_close(st);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}
END_TEST

START_TEST(no_statement_scans_a_growing_table)
{
	char *dir = g_dir_make_tmp("sinian-plans-XXXXXX", NULL);
	char *path = g_build_filename(dir, "t.db", NULL);
	GString *problems = g_string_new(NULL);
	struct store *st = NULL;
	struct err_detail err = {0};
	int n = 0;

	ck_assert_msg(store_open(path, &st, &err) == 0, "%s", err.msg);
	for (int t = 0; store_sql_tables[t]; t++) {
		for (const struct store_sql *s = store_sql_tables[t]; s->name;
		     s++) {
			GString *plan = g_string_new(NULL);
			GString *bad = g_string_new(NULL);

			ck_assert_ptr_nonnull(s->sql);
			plan_of(store_db(st), s->sql, plan, bad);
			if (bad->len && !s->scan_ok)
				g_string_append_printf(
				    problems, "%s scans %s:\n%s", s->name,
				    bad->str, plan->str);
			/* an exception must still be needed */
			ck_assert_msg(!s->scan_ok || bad->len,
			              "%s: scan_ok set but it scans nothing",
			              s->name);
			g_string_free(plan, TRUE);
			g_string_free(bad, TRUE);
			n++;
		}
	}
	store_close(st);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
	ck_assert_msg(problems->len == 0, "%s", problems->str);
	ck_assert_int_gt(n, 100); /* every file's table was read */
	g_string_free(problems, TRUE);
}
END_TEST

START_TEST(scan_lines_are_told_apart)
{
	char *t;

	t = scanned("SCAN tributes");
	ck_assert_str_eq(t, "tributes");
	g_free(t);
	t = scanned("SCAN m USING INDEX memorials_x");
	ck_assert_str_eq(t, "m");
	g_free(t);
	ck_assert_ptr_null(
	    scanned("SEARCH tributes USING INDEX tributes_m (memorial_id=?)"));
	ck_assert_ptr_null(scanned("SCAN s VIRTUAL TABLE INDEX 0:M2"));
	ck_assert_ptr_null(scanned("USE TEMP B-TREE FOR ORDER BY"));
	ck_assert_ptr_null(scanned("SCAN CONSTANT ROW"));
	ck_assert_ptr_null(scanned("SCAN (subquery-1)"));
	t = scanned("SEARCH m USING INTEGER PRIMARY KEY (rowid<?)");
	ck_assert_str_eq(t, "m");
	g_free(t);
	ck_assert_ptr_null(
	    scanned("SEARCH d USING INTEGER PRIMARY KEY (rowid=?)"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("store_plans");
	TCase *tc = tcase_create("plans");

	tcase_add_test(tc, no_statement_scans_a_growing_table);
	tcase_add_test(tc, no_optional_filters);
	tcase_add_test(tc, latest_messages_read_few_rows);
	tcase_add_test(tc, scan_lines_are_told_apart);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_CHECK_MAIN(suite)
