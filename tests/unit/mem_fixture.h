/* mem_fixture.h — a temporary data dir with a real store and data key for
 * the unit tests that need both (test_plot, test_tribute, test_search,
 * test_deceased, test_staff, test_invite, test_otp, test_alloc; fixture_visit.h
 * builds on it). Header-only; each test includes it once.
 */
#ifndef SINIAN_MEM_FIXTURE_H
#define SINIAN_MEM_FIXTURE_H

#include "crypto.h"
#include "err.h"
#include "fx_files.h"
#include "store.h"
#include "store_org.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

struct mem_fixture {
	char *dir;
	char *db;  /* the store's file, for tests that reopen it */
	char *key; /* the data key's file */
	struct store *st;
	struct crypto *c;
};

static struct mem_fixture fx;

static inline void mem_setup(void)
{
	struct err_detail err = {0};
	GError *e = NULL;

	memset(&fx, 0, sizeof(fx));
	fx.dir = g_dir_make_tmp("sinian-mem-XXXXXX", &e);
	ck_assert_msg(fx.dir != NULL, "tmp dir: %s", e ? e->message : "?");
	fx.db = g_build_filename(fx.dir, "t.db", NULL);
	fx.key = g_build_filename(fx.dir, "secret.key", NULL);
	ck_assert_msg(store_open(fx.db, &fx.st, &err) == 0, "%s", err.msg);
	ck_assert_msg(crypto_open(fx.key, &fx.c, &err) == 0, "%s", err.msg);
}

static inline void mem_teardown(void)
{
	store_close(fx.st);
	crypto_close(fx.c);
	fx_rm_tree(fx.dir);
	g_free(fx.db);
	g_free(fx.key);
	g_free(fx.dir);
	memset(&fx, 0, sizeof(fx));
}

/* A new agency or cemetery; returns its id. */
static inline int64_t mem_org(enum org_kind k, const char *name)
{
	struct org o = {.kind = k};
	int64_t id = 0;

	snprintf(o.name, sizeof(o.name), "%s", name);
	snprintf(o.region_code, sizeof(o.region_code), "110107");
	ck_assert_int_eq(store_org_create(fx.st, &o, &id), 0);
	return id;
}

/* One integer from SQL on the fixture's store. */
static inline long long mem_int(const char *sql)
{
	sqlite3_stmt *q;
	long long v = -999;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(fx.st), sql, -1, &q, NULL),
	                 SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

#endif
