/* fixture_visit.h — mem_fixture.h's temporary store and data key for the
 * visit, sweeping and payment unit tests, plus cemeteries, plots, services
 * and accounts made through the public store/plot functions. Included by
 * one test program at a time (static helpers).
 */
#ifndef SINIAN_TEST_FIXTURE_VISIT_H
#define SINIAN_TEST_FIXTURE_VISIT_H

#include "crypto.h"
#include "err.h"
#include "mem_fixture.h"
#include "plot.h"
#include "store.h"
#include "store_org.h"
#include "store_user.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

/* The store reopened on the same file (after a simulated restart). */
static G_GNUC_UNUSED void fx_open_store(void)
{
	struct err_detail err = {0};
	int rc = store_open(fx.db, &fx.st, &err);

	ck_assert_msg(rc == 0, "store_open: %d %s", rc, err.msg);
}

static G_GNUC_UNUSED int64_t fx_cemetery(const char *name)
{
	return mem_org(ORG_CEMETERY, name);
}

static G_GNUC_UNUSED int64_t fx_agency(const char *name)
{
	return mem_org(ORG_AGENCY, name);
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
	ck_assert_int_eq(store_org_service_create(fx.st, &s, &id), 0);
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

#endif
