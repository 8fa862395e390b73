/* fixture_visit.h — a real temporary store and data key for the visit,
 * sweeping and proof unit tests: cemeteries, plots, services and accounts
 * made through the public store/plot functions. Included by one test
 * program at a time (static helpers).
 */
#ifndef SINIAN_TEST_FIXTURE_VISIT_H
#define SINIAN_TEST_FIXTURE_VISIT_H

#include "crypto.h"
#include "err.h"
#include "plot.h"
#include "store.h"
#include "store_org.h"
#include "store_user.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

struct fx {
	char *dir;
	char *db;
	char *key;
	struct store *st;
	struct crypto *c;
};

static struct fx fx;

static void fx_rm_tree(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(path, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			fx_rm_tree(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(path);
}

static void fx_open_store(void)
{
	struct err_detail err = {0};
	int rc = store_open(fx.db, &fx.st, &err);

	ck_assert_msg(rc == 0, "store_open: %d %s", rc, err.msg);
}

static void fx_setup(void)
{
	GError *e = NULL;
	struct err_detail err = {0};
	int rc;

	memset(&fx, 0, sizeof(fx));
	fx.dir = g_dir_make_tmp("sinian-visit-XXXXXX", &e);
	ck_assert_msg(fx.dir != NULL, "g_dir_make_tmp: %s",
	              e ? e->message : "?");
	fx.db = g_build_filename(fx.dir, "t.db", NULL);
	fx.key = g_build_filename(fx.dir, "secret.key", NULL);
	fx_open_store();
	rc = crypto_open(fx.key, &fx.c, &err);
	ck_assert_msg(rc == 0, "crypto_open: %d %s", rc, err.msg);
}

static void fx_teardown(void)
{
	store_close(fx.st);
	crypto_close(fx.c);
	fx_rm_tree(fx.dir);
	g_free(fx.db);
	g_free(fx.key);
	g_free(fx.dir);
	memset(&fx, 0, sizeof(fx));
}

static G_GNUC_UNUSED int64_t fx_cemetery(const char *name)
{
	struct org o = {.kind = ORG_CEMETERY};
	int64_t id = 0;

	snprintf(o.name, sizeof(o.name), "%s", name);
	snprintf(o.region_code, sizeof(o.region_code), "110107");
	ck_assert_int_eq(store_org_create(fx.st, &o, &id), 0);
	return id;
}

static G_GNUC_UNUSED int64_t fx_agency(const char *name)
{
	struct org o = {.kind = ORG_AGENCY};
	int64_t id = 0;

	snprintf(o.name, sizeof(o.name), "%s", name);
	snprintf(o.region_code, sizeof(o.region_code), "110107");
	ck_assert_int_eq(store_org_create(fx.st, &o, &id), 0);
	return id;
}

static G_GNUC_UNUSED int64_t fx_plot(int64_t cemetery_id, const char *number)
{
	struct plot p = {
	    .cemetery_id = cemetery_id, .kind = PLOT_GRAVE, .capacity = 1};
	struct err_detail err = {0};
	int rc;

	snprintf(p.section, sizeof(p.section), "A");
	snprintf(p.row, sizeof(p.row), "1");
	snprintf(p.number, sizeof(p.number), "%s", number);
	rc = plot_create(fx.st, &p, &err);
	ck_assert_msg(rc == 0, "plot_create: %d %s", rc, err.msg);
	return p.id;
}

static G_GNUC_UNUSED int64_t fx_service(enum org_kind k, int64_t org_id,
                                        const char *code, const char *name,
                                        int64_t price)
{
	struct service_item s = {.org_kind = k,
	                         .org_id = org_id,
	                         .price_cents = price,
	                         .active = true};
	int64_t id = 0;

	snprintf(s.code, sizeof(s.code), "%s", code);
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.unit, sizeof(s.unit), "次");
	ck_assert_int_eq(store_service_create(fx.st, &s, &id), 0);
	return id;
}

static G_GNUC_UNUSED int64_t fx_user(const char *name)
{
	struct store_user u = {0};
	char hash[CRYPTO_HASH_CHARS];
	int64_t id = 0;

	snprintf(u.login_masked, sizeof(u.login_masked), "%s", name);
	snprintf(u.login_kind, sizeof(u.login_kind), "email");
	snprintf(u.login_enc, sizeof(u.login_enc), "x");
	snprintf(u.display_name, sizeof(u.display_name), "%s", name);
	snprintf(u.password_hash, sizeof(u.password_hash), "x");
	crypto_keyed_hash(fx.c, name, hash);
	ck_assert_int_eq(store_user_create(fx.st, &u, hash, &id), 0);
	return id;
}

/* One integer from a query. */
static G_GNUC_UNUSED long long fx_int(const char *sql)
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
