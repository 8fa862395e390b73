/* test_invite.c — what every kind of invitation shares (invite.c), on a
 * real SQLite store with the staff invitations' table: the state names,
 * and the answer's transaction: only the login invited answers a pending,
 * unexpired invitation, once; accepting grants through the kind and
 * closes the invitation together (a failure to close it takes the grant
 * back); declining grants nothing. */
#include "mem_fixture.h"
#include "invite.h"
#include "staff.h"
#include "store_staff.h"
#include "store_user.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static int64_t cemetery;
static int grants;      /* calls of the kind's grant */
static int decide_fail; /* what the kind's decide returns, when set */

static void setup(void)
{
	mem_setup();
	cemetery = mem_org(ORG_CEMETERY, "陵园");
	grants = 0;
	decide_fail = 0;
}

static int kind_get(struct store *st, int64_t id, struct invite *f)
{
	return store_staff_invite_get(st, id, (struct staff_invite *)f);
}

static int kind_grant(struct store *st, int64_t user_id, const struct invite *f)
{
	const struct staff_invite *si = (const struct staff_invite *)f;

	grants++;
	return store_staff_grant(st, user_id, si->org_kind, si->org_id,
	                         si->manager, f->invited_by);
}

static int kind_decide(struct store *st, int64_t id, enum invite_state s)
{
	return decide_fail ? decide_fail : store_staff_invite_decide(st, id, s);
}

static const struct invite_kind kind = {kind_get, kind_decide, kind_grant};

static int64_t invited(const char *hash)
{
	struct staff_invite f;

	ck_assert_int_eq(staff_invite(fx.st, ORG_CEMETERY, cemetery, hash,
	                              "m***", true, 0, &f),
	                 0);
	ck_assert_int_eq(f.inv.state, INVITE_PENDING);
	ck_assert(!f.inv.expired);
	return f.inv.id;
}

static int64_t user(const char *hash)
{
	struct store_user u;
	int64_t id = 0;

	memset(&u, 0, sizeof(u));
	snprintf(u.login_masked, sizeof(u.login_masked), "m***");
	snprintf(u.login_kind, sizeof(u.login_kind), "email");
	snprintf(u.login_enc, sizeof(u.login_enc), "sealed");
	snprintf(u.display_name, sizeof(u.display_name), "%s", hash);
	snprintf(u.password_hash, sizeof(u.password_hash), "x");
	ck_assert_int_eq(store_user_create(fx.st, &u, hash, &id), 0);
	return id;
}

/* The number of the user's grants (of any role). */
static guint held(int64_t uid)
{
	GArray *g = g_array_new(FALSE, FALSE, sizeof(struct store_grant));
	guint n;

	ck_assert_int_eq(store_user_grant_list(fx.st, uid, g), 0);
	n = g->len;
	g_array_free(g, TRUE);
	return n;
}

START_TEST(state_names)
{
	for (int s = 0; s < INVITE_STATE_COUNT; s++)
		ck_assert_int_eq(
		    invite_state_parse(invite_state_name((enum invite_state)s)),
		    s);
	ck_assert_str_eq(invite_state_name(INVITE_REVOKED), "revoked");
	ck_assert_str_eq(invite_state_name(INVITE_STATE_COUNT), "?");
	ck_assert_int_eq(invite_state_parse("expired"), -1);
	ck_assert_int_eq(invite_state_parse(NULL), -1);
}
END_TEST

START_TEST(accept_once_by_the_login_invited)
{
	int64_t id = invited("h-a"), a = user("h-a"), b = user("h-b");
	struct staff_invite f;

	ck_assert_int_eq(
	    invite_answer(fx.st, &kind, id, "h-b", b, true, &f.inv),
	    ERR_NOT_FOUND);
	ck_assert_int_eq(grants, 0);
	ck_assert_int_eq(
	    invite_answer(fx.st, &kind, id, "h-a", a, true, &f.inv), 0);
	ck_assert_int_eq(grants, 1);
	ck_assert_int_eq(f.inv.state, INVITE_ACCEPTED);
	ck_assert_str_ne(f.inv.decided_at, "");
	ck_assert(f.manager);
	ck_assert_uint_eq(held(a), 1);
	ck_assert_uint_eq(held(b), 0);
	ck_assert_int_eq(
	    invite_answer(fx.st, &kind, id, "h-a", a, false, &f.inv),
	    ERR_NOT_FOUND);
	ck_assert_int_eq(
	    invite_answer(fx.st, &kind, id + 100, "h-a", a, true, &f.inv),
	    ERR_NOT_FOUND);
	ck_assert_int_eq(grants, 1);
}
END_TEST

START_TEST(a_failure_to_close_takes_the_grant_back)
{
	int64_t id = invited("h-a"), a = user("h-a");
	struct staff_invite f;

	decide_fail = ERR_IO;
	ck_assert_int_eq(
	    invite_answer(fx.st, &kind, id, "h-a", a, true, &f.inv), ERR_IO);
	ck_assert_int_eq(grants, 1);
	ck_assert_uint_eq(held(a), 0);
	ck_assert_int_eq(store_staff_invite_get(fx.st, id, &f), 0);
	ck_assert_int_eq(f.inv.state, INVITE_PENDING);
	ck_assert_str_eq(f.inv.decided_at, "");
	decide_fail = 0;
	ck_assert_int_eq(
	    invite_answer(fx.st, &kind, id, "h-a", a, true, &f.inv), 0);
	ck_assert_int_eq(f.inv.state, INVITE_ACCEPTED);
	ck_assert_uint_eq(held(a), 1);
}
END_TEST

START_TEST(decline_grants_nothing)
{
	int64_t id = invited("h-a"), a = user("h-a");
	struct staff_invite f;

	ck_assert_int_eq(
	    invite_answer(fx.st, &kind, id, "h-a", a, false, &f.inv), 0);
	ck_assert_int_eq(f.inv.state, INVITE_DECLINED);
	ck_assert_int_eq(grants, 0);
	ck_assert_uint_eq(held(a), 0);
}
END_TEST

START_TEST(expired_or_revoked_is_nobodys)
{
	int64_t id = invited("h-a"), a = user("h-a");
	int64_t gone = invited("h-b"), b = user("h-b");
	struct staff_invite f;

	ck_assert_int_eq(store_exec(fx.st, "UPDATE staff_invitations SET "
	                                   "expires_at = '2000-01-01T00:00:00Z'"
	                                   " WHERE login_hash = 'h-a'"),
	                 0);
	ck_assert_int_eq(store_staff_invite_get(fx.st, id, &f), 0);
	ck_assert(f.inv.expired);
	ck_assert_int_eq(f.inv.state, INVITE_PENDING);
	ck_assert_int_eq(
	    invite_answer(fx.st, &kind, id, "h-a", a, true, &f.inv),
	    ERR_NOT_FOUND);
	ck_assert_int_eq(
	    staff_revoke_invite(fx.st, ORG_CEMETERY, cemetery, gone), 0);
	ck_assert_int_eq(
	    invite_answer(fx.st, &kind, gone, "h-b", b, true, &f.inv),
	    ERR_NOT_FOUND);
	ck_assert_int_eq(grants, 0);
}
END_TEST

static Suite *invite_suite(void)
{
	Suite *s = suite_create("invite");
	TCase *tc = tcase_create("answer");

	tcase_add_checked_fixture(tc, setup, mem_teardown);
	tcase_add_test(tc, state_names);
	tcase_add_test(tc, accept_once_by_the_login_invited);
	tcase_add_test(tc, a_failure_to_close_takes_the_grant_back);
	tcase_add_test(tc, decline_grants_nothing);
	tcase_add_test(tc, expired_or_revoked_is_nobodys);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(invite_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
