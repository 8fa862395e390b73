/* test_staff.c — invitations to the staff of an agency or a cemetery on a
 * real SQLite store: the manager flag only for cemeteries, renewing an
 * open invitation, the cap on open ones, accepting grants the role (with
 * the flag) in one step and only to the login invited, declining grants
 * nothing, revoking only through its own organisation, removing the role,
 * and the staff list. */
#include "mem_fixture.h"
#include "staff.h"
#include "store_staff.h"
#include "store_user.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static int64_t agency, cemetery, other;

static void setup(void)
{
	mem_setup();
	agency = mem_org(ORG_AGENCY, "殡仪馆");
	cemetery = mem_org(ORG_CEMETERY, "陵园");
	other = mem_org(ORG_CEMETERY, "另一陵园");
}

/* A user whose login hash is "h-<name>". */
static int64_t user(const char *name)
{
	struct store_user u;
	char hash[CRYPTO_HASH_CHARS];
	int64_t id = 0;

	memset(&u, 0, sizeof(u));
	snprintf(u.login_masked, sizeof(u.login_masked), "%s", name);
	snprintf(u.login_kind, sizeof(u.login_kind), "email");
	snprintf(u.login_enc, sizeof(u.login_enc), "sealed");
	snprintf(u.display_name, sizeof(u.display_name), "%s", name);
	snprintf(u.password_hash, sizeof(u.password_hash), "x");
	snprintf(hash, sizeof(hash), "h-%s", name);
	ck_assert_int_eq(store_user_create(fx.st, &u, hash, &id), 0);
	return id;
}

static struct staff_invite invite(enum org_kind k, int64_t org,
                                  const char *name, bool manager)
{
	struct staff_invite f;
	char hash[CRYPTO_HASH_CHARS];

	snprintf(hash, sizeof(hash), "h-%s", name);
	ck_assert_int_eq(
	    staff_invite(fx.st, k, org, hash, "m***", manager, 0, &f), 0);
	return f;
}

/* The user's grant of role on the scope: 1 plain, 2 manager, 0 none. */
static int held(int64_t uid, const char *role, int64_t scope)
{
	GArray *g = g_array_new(FALSE, FALSE, sizeof(struct store_grant));
	int found = 0;

	ck_assert_int_eq(store_user_grant_list(fx.st, uid, g), 0);
	for (guint i = 0; i < g->len; i++) {
		struct store_grant *s =
		    &g_array_index(g, struct store_grant, i);

		if (!strcmp(s->role, role) && s->scope_id == scope)
			found = s->manager ? 2 : 1;
	}
	g_array_free(g, TRUE);
	return found;
}

START_TEST(managers_are_a_cemeterys)
{
	struct staff_invite f;

	ck_assert_int_eq(
	    staff_invite(fx.st, ORG_AGENCY, agency, "h-a", "m", true, 0, &f),
	    ERR_INVALID);
	f = invite(ORG_CEMETERY, cemetery, "a", true);
	ck_assert(f.manager);
	ck_assert_int_eq(f.inv.state, INVITE_PENDING);
	ck_assert_str_eq(staff_role(ORG_AGENCY), "agency_operator");
	ck_assert_str_eq(staff_role(ORG_CEMETERY), "cemetery_staff");
}
END_TEST

START_TEST(again_renews_and_the_cap)
{
	struct staff_invite a = invite(ORG_AGENCY, agency, "a", false);
	struct staff_invite b = invite(ORG_AGENCY, agency, "a", false);
	struct staff_invite f;
	char hash[32];
	int n = 0;

	ck_assert_int_eq(a.inv.id, b.inv.id);
	for (int i = 1; i < STAFF_INVITE_PENDING; i++) {
		snprintf(hash, sizeof(hash), "h-%d", i);
		ck_assert_int_eq(staff_invite(fx.st, ORG_AGENCY, agency, hash,
		                              "m", false, 0, &f),
		                 0);
	}
	ck_assert_int_eq(store_staff_open_count(fx.st, ORG_AGENCY, agency, &n),
	                 0);
	ck_assert_int_eq(n, STAFF_INVITE_PENDING);
	ck_assert_int_eq(staff_invite(fx.st, ORG_AGENCY, agency, "h-full", "m",
	                              false, 0, &f),
	                 ERR_FULL);
	/* another organisation has its own count */
	invite(ORG_CEMETERY, cemetery, "full", false);
}
END_TEST

START_TEST(accept_grants_to_the_invited_login_only)
{
	int64_t a = user("a"), b = user("b");
	struct staff_invite f = invite(ORG_CEMETERY, cemetery, "a", true), g;

	ck_assert_int_eq(staff_answer(fx.st, f.inv.id, "h-b", b, true, &g),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(held(b, "cemetery_staff", cemetery), 0);
	ck_assert_int_eq(held(a, "cemetery_staff", cemetery), 0);
	ck_assert_int_eq(staff_answer(fx.st, f.inv.id, "h-a", a, true, &g), 0);
	ck_assert_int_eq(g.inv.state, INVITE_ACCEPTED);
	ck_assert_int_eq(held(a, "cemetery_staff", cemetery), 2);
	ck_assert_int_eq(held(a, "cemetery_staff", other), 0);
	/* once decided, no second answer */
	ck_assert_int_eq(staff_answer(fx.st, f.inv.id, "h-a", a, false, &g),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(staff_answer(fx.st, 999, "h-a", a, true, &g),
	                 ERR_NOT_FOUND);
}
END_TEST

START_TEST(decline_grants_nothing)
{
	int64_t a = user("a");
	struct staff_invite f = invite(ORG_AGENCY, agency, "a", false), g;

	ck_assert_int_eq(staff_answer(fx.st, f.inv.id, "h-a", a, false, &g), 0);
	ck_assert_int_eq(g.inv.state, INVITE_DECLINED);
	ck_assert_int_eq(held(a, "agency_operator", agency), 0);
}
END_TEST

START_TEST(revoke_through_its_own_organisation)
{
	int64_t a = user("a");
	struct staff_invite f = invite(ORG_CEMETERY, cemetery, "a", false), g;

	ck_assert_int_eq(
	    staff_revoke_invite(fx.st, ORG_CEMETERY, other, f.inv.id),
	    ERR_NOT_FOUND);
	/* an agency numbered like the cemetery is another organisation */
	ck_assert_int_eq(
	    staff_revoke_invite(fx.st, ORG_AGENCY, cemetery, f.inv.id),
	    ERR_NOT_FOUND);
	ck_assert_int_eq(
	    staff_revoke_invite(fx.st, ORG_CEMETERY, cemetery, f.inv.id), 0);
	ck_assert_int_eq(
	    staff_revoke_invite(fx.st, ORG_CEMETERY, cemetery, f.inv.id),
	    ERR_NOT_FOUND);
	ck_assert_int_eq(staff_answer(fx.st, f.inv.id, "h-a", a, true, &g),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(held(a, "cemetery_staff", cemetery), 0);
}
END_TEST

START_TEST(list_and_remove)
{
	int64_t a = user("甲"), b = user("乙");
	struct staff_invite g;
	struct staff_invite fa = invite(ORG_CEMETERY, cemetery, "甲", true);
	struct staff_invite fb = invite(ORG_CEMETERY, cemetery, "乙", false);
	GArray *ms = g_array_new(FALSE, FALSE, sizeof(struct staff_member));
	GArray *fs = g_array_new(FALSE, FALSE, sizeof(struct staff_invite));

	ck_assert_int_eq(staff_answer(fx.st, fa.inv.id, "h-甲", a, true, &g),
	                 0);
	ck_assert_int_eq(staff_answer(fx.st, fb.inv.id, "h-乙", b, true, &g),
	                 0);
	ck_assert_int_eq(store_staff_list(fx.st, ORG_CEMETERY, cemetery, ms),
	                 0);
	ck_assert_uint_eq(ms->len, 2);
	ck_assert(g_array_index(ms, struct staff_member, 0).manager !=
	          g_array_index(ms, struct staff_member, 1).manager);
	ck_assert_int_eq(
	    store_staff_invite_list_org(fx.st, ORG_CEMETERY, cemetery, fs), 0);
	ck_assert_uint_eq(fs->len, 2);
	ck_assert_int_eq(staff_remove(fx.st, ORG_CEMETERY, other, b),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(staff_remove(fx.st, ORG_CEMETERY, cemetery, b), 0);
	ck_assert_int_eq(held(b, "cemetery_staff", cemetery), 0);
	ck_assert_int_eq(staff_remove(fx.st, ORG_CEMETERY, cemetery, b),
	                 ERR_NOT_FOUND);
	g_array_set_size(ms, 0);
	ck_assert_int_eq(store_staff_list(fx.st, ORG_CEMETERY, cemetery, ms),
	                 0);
	ck_assert_uint_eq(ms->len, 1);
	ck_assert_str_eq(g_array_index(ms, struct staff_member, 0).display_name,
	                 "甲");
	g_array_free(ms, TRUE);
	g_array_free(fs, TRUE);
}
END_TEST

static Suite *staff_suite(void)
{
	Suite *s = suite_create("staff");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, mem_teardown);
	tcase_add_test(tc, managers_are_a_cemeterys);
	tcase_add_test(tc, again_renews_and_the_cap);
	tcase_add_test(tc, accept_grants_to_the_invited_login_only);
	tcase_add_test(tc, decline_grants_nothing);
	tcase_add_test(tc, revoke_through_its_own_organisation);
	tcase_add_test(tc, list_and_remove);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(staff_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
