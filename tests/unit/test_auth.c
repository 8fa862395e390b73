/* test_auth.c — login normalisation (phones with +86, spaces and dashes;
 * e-mails lower-cased; everything else refused), and sessions against a
 * real store: a token resolves to its user and grants, expired, revoked and
 * disabled ones do not, only the token's hash is stored. */
#include "access.h"
#include "api.h"
#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "err.h"
#include "store.h"
#include "store_user.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------- auth_login_normalize ---------- */

static void expect_login(const char *in, const char *want, const char *kind)
{
	char out[256], again[256];
	const char *k = NULL, *k2 = NULL;
	int rc = auth_login_normalize(in, out, sizeof(out), &k);

	ck_assert_msg(rc == 0, "'%s' refused (%d)", in, rc);
	ck_assert_msg(strcmp(out, want) == 0, "'%s' -> '%s', want '%s'", in,
	              out, want);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k, kind);
	/* normalising twice changes nothing */
	ck_assert_int_eq(auth_login_normalize(out, again, sizeof(again), &k2),
	                 0);
	ck_assert_str_eq(again, out);
	ck_assert_str_eq(k2, kind);
}

static void expect_refused(const char *in)
{
	char out[256];
	const char *k = NULL;

	ck_assert_msg(auth_login_normalize(in, out, sizeof(out), &k) ==
	                  ERR_INVALID,
	              "'%s' accepted as '%s'", in, out);
}

START_TEST(phones)
{
	expect_login("13812345678", "13812345678", "phone");
	expect_login("+8613812345678", "13812345678", "phone");
	expect_login("+86 138 1234 5678", "13812345678", "phone");
	expect_login("+86-138-1234-5678", "13812345678", "phone");
	expect_login("138-1234-5678", "13812345678", "phone");
	expect_login("138 1234 5678", "13812345678", "phone");
	expect_login("  13812345678", "13812345678", "phone");
	expect_login("13812345678  ", "13812345678", "phone");
	expect_login("\t+86 15900001111", "15900001111", "phone");
}
END_TEST

START_TEST(emails)
{
	expect_login("alice@example.com", "alice@example.com", "email");
	expect_login("Alice@Example.COM", "alice@example.com", "email");
	expect_login("  BOB.Smith+tag@Mail.Example.cn  ",
	             "bob.smith+tag@mail.example.cn", "email");
	expect_login("x@y.z", "x@y.z", "email");
}
END_TEST

START_TEST(invalid)
{
	/* phones: wrong length, wrong first digit, other country, letters */
	expect_refused("");
	expect_refused("   ");
	expect_refused("+86");
	expect_refused("1381234567");
	expect_refused("138123456789");
	expect_refused("23812345678");
	expect_refused("8613812345678");
	expect_refused("+8513812345678");
	expect_refused("+1 13812345678");
	expect_refused("1381234567a");
	expect_refused("138.1234.5678");
	expect_refused("138\t1234\t5678");
	expect_refused("(138) 1234 5678");
	expect_refused("１３８１２３４５６７８"); /* full-width digits */
	/* e-mails: no local part, no dot in the domain, two '@' */
	expect_refused("@example.com");
	expect_refused("alice@example");
	expect_refused("alice@@example.com");
	expect_refused("alice@ex@ample.com");
	/* text after a space is not ignored */
	expect_refused("bob smith@example.com");
	expect_refused("alice@example.com trailing");
	expect_refused("alice @example.com");
}
END_TEST

START_TEST(too_long)
{
	char big[300], out[256];
	const char *k;

	memset(big, 'a', sizeof(big));
	memcpy(big + 200, "@example.com", 12);
	big[212] = '\0';
	/* fits in 256 */
	ck_assert_int_eq(auth_login_normalize(big, out, sizeof(out), &k), 0);
	ck_assert_uint_eq(strlen(out), 212);
	/* over 254 characters */
	memset(big, 'a', sizeof(big));
	memcpy(big + 250, "@example.com", 12);
	big[262] = '\0';
	expect_refused(big);
	/* a short output buffer refuses rather than truncates */
	ck_assert_int_eq(auth_login_normalize("alice@example.com", out, 8, &k),
	                 ERR_INVALID);
	ck_assert_int_eq(auth_login_normalize("13812345678", out, 11, &k),
	                 ERR_INVALID);
	ck_assert_int_eq(auth_login_normalize("13812345678", out, 12, &k), 0);
	ck_assert_str_eq(out, "13812345678");
}
END_TEST

/* ---------- sessions and accounts against a real store ---------- */

static char *dir;
static struct app app;

static void setup(void)
{
	struct err_detail err = {0};
	char *db;

	dir = g_dir_make_tmp("sinian-auth-XXXXXX", NULL);
	ck_assert_ptr_nonnull(dir);
	memset(&app, 0, sizeof(app));
	app.cfg.session_ttl_hours = 2;
	snprintf(app.cfg.data_dir, sizeof(app.cfg.data_dir), "%s", dir);
	db = g_build_filename(dir, "sinian.db", NULL);
	ck_assert_int_eq(store_open(db, &app.store, &err), 0);
	g_free(db);
	ck_assert_msg(api_open_core(&app, &err) == 0, "%s", err.msg);
}

static void teardown(void)
{
	GDir *d;
	const char *name;

	api_stop(&app);
	store_close(app.store);
	d = g_dir_open(dir, 0, NULL);
	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, name, NULL);

		g_remove(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
	g_free(dir);
}

static int64_t new_user(const char *login, const char *password)
{
	struct err_detail err = {0};
	int64_t id = 0;
	int rc = api_user_create(&app, login, password, "测试用户", &id, &err);

	ck_assert_msg(rc == 0, "create %s: %d %s", login, rc, err.msg);
	ck_assert_int_gt(id, 0);
	return id;
}

static int64_t scalar(const char *sql)
{
	sqlite3_stmt *q = NULL;
	int64_t v = -1;

	ck_assert_int_eq(
	    sqlite3_prepare_v2(store_db(app.store), sql, -1, &q, NULL),
	    SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

START_TEST(user_create_seals_login)
{
	int64_t id = new_user("+86 138-1234-5678", "pine and cypress 1");
	struct store_user u;
	char *plain;
	struct err_detail err = {0};
	int64_t dup;

	ck_assert_int_eq(store_user_get(app.store, id, &u), 0);
	ck_assert_str_eq(u.login_masked, "138****5678");
	ck_assert_str_eq(u.login_kind, "phone");
	ck_assert(strstr(u.login_enc, "13812345678") == NULL);
	plain = crypto_open_sealed(app.crypto, u.login_enc);
	ck_assert_ptr_nonnull(plain);
	ck_assert_str_eq(plain, "13812345678");
	free(plain);
	ck_assert(
	    crypto_password_verify(u.password_hash, "pine and cypress 1"));
	/* no column holds the phone in clear */
	ck_assert_int_eq(scalar("SELECT count(*) FROM users WHERE "
	                        "login_hash LIKE '%13812345678%' OR "
	                        "login_enc LIKE '%13812345678%' OR "
	                        "login_masked LIKE '%13812345678%' OR "
	                        "password_hash LIKE '%13812345678%'"),
	                 0);
	/* the same number written differently is the same login */
	ck_assert_int_eq(api_user_create(&app, "13812345678",
	                                 "pine and cypress 2", "x", &dup, &err),
	                 ERR_CONFLICT);
	ck_assert(strstr(err.msg, "login") != NULL);
	new_user("Alice@Example.com", "pine and cypress 1");
	ck_assert_int_eq(api_user_create(&app, "alice@example.COM",
	                                 "pine and cypress 2", "x", &dup, &err),
	                 ERR_CONFLICT);
}
END_TEST

START_TEST(user_create_refuses)
{
	struct err_detail err = {0};
	int64_t id = 0;

	err.msg[0] = '\0';
	ck_assert_int_eq(api_user_create(&app, "12345", "pine and cypress 1",
	                                 "x", &id, &err),
	                 ERR_INVALID);
	ck_assert(strstr(err.msg, "login") != NULL);
	err.msg[0] = '\0';
	ck_assert_int_eq(
	    api_user_create(&app, "13812345678", "short", "x", &id, &err),
	    ERR_INVALID);
	ck_assert(strstr(err.msg, "password") != NULL);
	/* 7 characters in 21 bytes: counted as characters */
	ck_assert_int_eq(api_user_create(&app, "13812345678", "思念故人清明节",
	                                 "x", &id, &err),
	                 ERR_INVALID);
	new_user("13812345678", "思念故人清明时节");
	ck_assert_int_eq(scalar("SELECT count(*) FROM users"), 1);
}
END_TEST

START_TEST(session_round_trip)
{
	int64_t uid = new_user("13812345678", "pine and cypress 1");
	char token[CRYPTO_TOKEN_CHARS], token2[CRYPTO_TOKEN_CHARS];
	char hash[CRYPTO_HASH_CHARS], sql[256];
	int64_t sid = 0, sid2 = 0;
	struct actor a;
	time_t now = time(NULL);

	ck_assert_int_eq(store_user_grant_add(app.store, uid, "agency_operator",
	                                      "agency", 4, 0),
	                 0);
	ck_assert_int_eq(auth_session_create(&app, uid, token, &sid), 0);
	ck_assert_int_gt(sid, 0);
	ck_assert_uint_eq(strlen(token), 43);
	ck_assert_int_eq(auth_token_actor(&app, token, &a), 0);
	ck_assert_int_eq(a.user_id, uid);
	ck_assert_int_eq(a.session_id, sid);
	ck_assert_str_eq(a.display_name, "测试用户");
	ck_assert(actor_has(&a, ROLE_AGENCY_OPERATOR, 4));
	ck_assert(!actor_has(&a, ROLE_AGENCY_OPERATOR, 5));
	ck_assert(!actor_is_admin(&a));
	/* only the SHA-256 of the token is stored */
	crypto_sha256_hex(token, hash);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM sessions WHERE token_hash = '%s'", hash);
	ck_assert_int_eq(scalar(sql), 1);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM sessions WHERE token_hash = '%s'",
	         token);
	ck_assert_int_eq(scalar(sql), 0);
	/* it expires after session_ttl_hours */
	snprintf(sql, sizeof(sql),
	         "SELECT expires_at - created_at FROM sessions WHERE id = %lld",
	         (long long)sid);
	ck_assert_int_eq(scalar(sql), app.cfg.session_ttl_hours * 3600);
	snprintf(sql, sizeof(sql),
	         "SELECT created_at FROM sessions WHERE id = %lld",
	         (long long)sid);
	ck_assert_int_le(llabs(scalar(sql) - (int64_t)now), 5);
	/* a second session is a different token and id */
	ck_assert_int_eq(auth_session_create(&app, uid, token2, &sid2), 0);
	ck_assert_str_ne(token, token2);
	ck_assert_int_ne(sid, sid2);
}
END_TEST

START_TEST(session_rejections)
{
	int64_t uid = new_user("13812345678", "pine and cypress 1");
	char token[CRYPTO_TOKEN_CHARS], other[CRYPTO_TOKEN_CHARS];
	char sql[128], *bad;
	int64_t sid, osid;
	struct actor a;

	ck_assert_int_eq(auth_session_create(&app, uid, token, &sid), 0);
	ck_assert_int_eq(auth_session_create(&app, uid, other, &osid), 0);
	/* unknown, altered, too short, too long, empty, NULL */
	crypto_token(sql);
	ck_assert_int_eq(auth_token_actor(&app, sql, &a), ERR_UNAUTHORIZED);
	bad = g_strdup(token);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(auth_token_actor(&app, bad, &a), ERR_UNAUTHORIZED);
	g_free(bad);
	ck_assert_int_eq(auth_token_actor(&app, "short", &a), ERR_UNAUTHORIZED);
	bad = g_strnfill(200, 'a');
	ck_assert_int_eq(auth_token_actor(&app, bad, &a), ERR_UNAUTHORIZED);
	g_free(bad);
	ck_assert_int_eq(auth_token_actor(&app, "", &a), ERR_UNAUTHORIZED);
	ck_assert_int_eq(auth_token_actor(&app, NULL, &a), ERR_UNAUTHORIZED);

	/* revoked: only that session */
	ck_assert_int_eq(store_user_session_revoke(app.store, sid, time(NULL)),
	                 0);
	ck_assert_int_eq(auth_token_actor(&app, token, &a), ERR_UNAUTHORIZED);
	ck_assert_int_eq(auth_token_actor(&app, other, &a), 0);

	/* expired */
	snprintf(sql, sizeof(sql),
	         "UPDATE sessions SET expires_at = %lld WHERE id = %lld",
	         (long long)time(NULL) - 1, (long long)osid);
	ck_assert_int_eq(store_exec(app.store, sql), 0);
	ck_assert_int_eq(auth_token_actor(&app, other, &a), ERR_UNAUTHORIZED);

	/* a disabled account's sessions stop working */
	ck_assert_int_eq(auth_session_create(&app, uid, token, &sid), 0);
	ck_assert_int_eq(auth_token_actor(&app, token, &a), 0);
	ck_assert_int_eq(store_exec(app.store, "UPDATE users SET disabled = 1"),
	                 0);
	ck_assert_int_eq(auth_token_actor(&app, token, &a), ERR_UNAUTHORIZED);
}
END_TEST

START_TEST(revoke_others_keeps_one)
{
	int64_t uid = new_user("13812345678", "pine and cypress 1");
	int64_t vid = new_user("13900001111", "pine and cypress 1");
	char t[3][CRYPTO_TOKEN_CHARS], tv[CRYPTO_TOKEN_CHARS];
	int64_t s[3], sv;
	struct actor a;

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(auth_session_create(&app, uid, t[i], &s[i]),
		                 0);
	ck_assert_int_eq(auth_session_create(&app, vid, tv, &sv), 0);
	ck_assert_int_eq(
	    store_user_session_revoke_others(app.store, uid, s[1], time(NULL)),
	    0);
	ck_assert_int_eq(auth_token_actor(&app, t[0], &a), ERR_UNAUTHORIZED);
	ck_assert_int_eq(auth_token_actor(&app, t[1], &a), 0);
	ck_assert_int_eq(auth_token_actor(&app, t[2], &a), ERR_UNAUTHORIZED);
	/* another user's session is untouched */
	ck_assert_int_eq(auth_token_actor(&app, tv, &a), 0);
	ck_assert_int_eq(a.user_id, vid);
}
END_TEST

START_TEST(load_actor_grants)
{
	int64_t uid = new_user("13812345678", "pine and cypress 1");
	struct actor a;

	ck_assert_int_eq(
	    store_user_grant_add(app.store, uid, "admin", "none", 0, 0), 0);
	ck_assert_int_eq(store_user_grant_add(app.store, uid, "cemetery_staff",
	                                      "cemetery", 2, uid),
	                 0);
	/* granting twice is harmless */
	ck_assert_int_eq(store_user_grant_add(app.store, uid, "cemetery_staff",
	                                      "cemetery", 2, uid),
	                 0);
	ck_assert_int_eq(auth_load_actor(&app, uid, &a), 0);
	ck_assert_int_eq(a.n_grants, 2);
	ck_assert(actor_is_admin(&a));
	ck_assert(actor_has(&a, ROLE_CEMETERY_STAFF, 2));
	ck_assert(!a.via_cookie);
	ck_assert_int_eq(
	    store_user_grant_remove(app.store, uid, "admin", "none", 0), 0);
	ck_assert_int_eq(
	    store_user_grant_remove(app.store, uid, "admin", "none", 0),
	    ERR_NOT_FOUND);
	ck_assert_int_eq(auth_load_actor(&app, uid, &a), 0);
	ck_assert(!actor_is_admin(&a));
	ck_assert_int_eq(a.n_grants, 1);
	ck_assert_int_eq(auth_load_actor(&app, uid + 100, &a), ERR_NOT_FOUND);
}
END_TEST

static Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *login = tcase_create("login");
	TCase *sess = tcase_create("session");

	tcase_add_test(login, phones);
	tcase_add_test(login, emails);
	tcase_add_test(login, invalid);
	tcase_add_test(login, too_long);
	suite_add_tcase(s, login);

	tcase_add_checked_fixture(sess, setup, teardown);
	tcase_set_timeout(sess, 60);
	tcase_add_test(sess, user_create_seals_login);
	tcase_add_test(sess, user_create_refuses);
	tcase_add_test(sess, session_round_trip);
	tcase_add_test(sess, session_rejections);
	tcase_add_test(sess, revoke_others_keeps_one);
	tcase_add_test(sess, load_actor_grants);
	suite_add_tcase(s, sess);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(auth_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
