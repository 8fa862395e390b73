/* test_otp.c — one-time login codes on a real temporary store: a code
 * works once; it expires; a newer code ends the older; wrong tries are
 * counted and the fifth ends it; codes are bound to their login and
 * purpose; only a keyed hash is stored; sending is limited per login and
 * per address with the time to wait; the messages carry the code. */
#include "mem_fixture.h"
#include "notify.h"
#include "otp.h"
#include "ratelimit.h"
#include "store_otp.h"

#include <stdlib.h>

#define NOW 1800000000 /* 2027-01-15 */
#define TTL 600

static char login[CRYPTO_HASH_CHARS], other[CRYPTO_HASH_CHARS];

static void setup(void)
{
	mem_setup();
	crypto_keyed_hash(fx.c, "13912345678", login);
	crypto_keyed_hash(fx.c, "grandma@example.cn", other);
}

START_TEST(single_use)
{
	char code[OTP_DIGITS + 1];

	ck_assert_int_eq(
	    otp_issue(fx.st, fx.c, login, OTP_SIGNIN, NOW, TTL, code), 0);
	ck_assert_uint_eq(strlen(code), OTP_DIGITS);
	ck_assert_uint_eq(strspn(code, "0123456789"), OTP_DIGITS);
	ck_assert_int_eq(otp_use(fx.st, fx.c, login, OTP_SIGNIN, code, NOW + 5),
	                 0);
	/* once only */
	ck_assert_int_eq(otp_use(fx.st, fx.c, login, OTP_SIGNIN, code, NOW + 6),
	                 ERR_GONE);
}
END_TEST

START_TEST(expiry)
{
	char code[OTP_DIGITS + 1];

	ck_assert_int_eq(
	    otp_issue(fx.st, fx.c, login, OTP_RESET, NOW, TTL, code), 0);
	ck_assert_int_eq(
	    otp_use(fx.st, fx.c, login, OTP_RESET, code, NOW + TTL), ERR_GONE);
	ck_assert_int_eq(
	    otp_issue(fx.st, fx.c, login, OTP_RESET, NOW, TTL, code), 0);
	ck_assert_int_eq(
	    otp_use(fx.st, fx.c, login, OTP_RESET, code, NOW + TTL - 1), 0);
	/* the sweep forgets codes a day after they expired */
	ck_assert_int_eq(otp_sweep(fx.st, NOW + TTL + 24 * 3600 + 1), 0);
	ck_assert_int_eq(otp_use(fx.st, fx.c, login, OTP_RESET, code, NOW),
	                 ERR_GONE);
}
END_TEST

START_TEST(newer_ends_older)
{
	char first[OTP_DIGITS + 1], second[OTP_DIGITS + 1];

	otp_issue(fx.st, fx.c, login, OTP_SIGNIN, NOW, TTL, first);
	do /* two different codes, so the first is surely refused */
		otp_issue(fx.st, fx.c, login, OTP_SIGNIN, NOW + 1, TTL, second);
	while (strcmp(first, second) == 0);
	ck_assert_int_eq(
	    otp_use(fx.st, fx.c, login, OTP_SIGNIN, first, NOW + 2),
	    ERR_UNAUTHORIZED);
	ck_assert_int_eq(
	    otp_use(fx.st, fx.c, login, OTP_SIGNIN, second, NOW + 3), 0);
}
END_TEST

START_TEST(wrong_tries)
{
	char code[OTP_DIGITS + 1], wrong[16];

	otp_issue(fx.st, fx.c, login, OTP_SIGNIN, NOW, TTL, code);
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
	for (int i = 0; i < OTP_ATTEMPTS - 1; i++)
		ck_assert_int_eq(
		    otp_use(fx.st, fx.c, login, OTP_SIGNIN, wrong, NOW + i),
		    ERR_UNAUTHORIZED);
	/* the right code still works after four wrong tries... */
	ck_assert_int_eq(otp_use(fx.st, fx.c, login, OTP_SIGNIN, code, NOW + 9),
	                 0);
	/* ...but not after five */
	otp_issue(fx.st, fx.c, login, OTP_SIGNIN, NOW, TTL, code);
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
	for (int i = 0; i < OTP_ATTEMPTS; i++)
		ck_assert_int_eq(
		    otp_use(fx.st, fx.c, login, OTP_SIGNIN, wrong, NOW + i),
		    ERR_UNAUTHORIZED);
	ck_assert_int_eq(otp_use(fx.st, fx.c, login, OTP_SIGNIN, code, NOW + 9),
	                 ERR_GONE);
	/* malformed codes are not tries */
	ck_assert_int_eq(otp_use(fx.st, fx.c, login, OTP_SIGNIN, "12345", NOW),
	                 ERR_INVALID);
	ck_assert_int_eq(otp_use(fx.st, fx.c, login, OTP_SIGNIN, "12a456", NOW),
	                 ERR_INVALID);
	ck_assert_int_eq(otp_use(fx.st, fx.c, login, OTP_SIGNIN, NULL, NOW),
	                 ERR_INVALID);
}
END_TEST

START_TEST(bound_to_login_and_purpose)
{
	char code[OTP_DIGITS + 1], hash[CRYPTO_HASH_CHARS];
	struct store_otp live;

	otp_issue(fx.st, fx.c, login, OTP_SIGNIN, NOW, TTL, code);
	ck_assert_int_eq(otp_use(fx.st, fx.c, other, OTP_SIGNIN, code, NOW),
	                 ERR_GONE);
	ck_assert_int_eq(otp_use(fx.st, fx.c, login, OTP_RESET, code, NOW),
	                 ERR_GONE);
	/* the code itself is not stored */
	ck_assert_int_eq(
	    store_otp_live(fx.st, login, "signin", NOW, OTP_ATTEMPTS, &live),
	    0);
	ck_assert_ptr_null(strstr(live.code_hash, code));
	crypto_sha256_hex(code, hash);
	ck_assert_str_ne(live.code_hash, hash);
	ck_assert_int_eq(otp_use(fx.st, fx.c, login, OTP_SIGNIN, code, NOW), 0);
	ck_assert_int_eq(otp_purpose_parse("reset"), OTP_RESET);
	ck_assert_int_eq(otp_purpose_parse("admin"), -1);
	ck_assert_str_eq(otp_purpose_name(OTP_SIGNIN), "signin");
}
END_TEST

START_TEST(sending_is_limited)
{
	struct ratelimit *rl = ratelimit_new();
	struct otp_limits lim = {.per_login = 3, .per_address = 5};
	int retry = 0, sent = 0;
	int64_t t = 1000;

	/* one login: 3 an hour */
	for (int i = 0; i < 10; i++)
		sent += otp_budget(rl, &lim, login, "203.0.113.7", t, &retry);
	ck_assert_int_eq(sent, 3);
	ck_assert_int_gt(retry, 0);
	ck_assert_int_le(retry, 3600 / 3 + 1);
	/* one address: 5 an hour whatever the logins (the tries refused by
	 * the login's budget spent the address's too) */
	ck_assert(!otp_budget(rl, &lim, other, "203.0.113.7", t, &retry));
	/* another address and login is not held back */
	ck_assert(otp_budget(rl, &lim, other, "198.51.100.2", t, &retry));
	/* an hour later the login may have codes again */
	ck_assert(otp_budget(rl, &lim, login, "198.51.100.9", t + 3600 * 1000,
	                     &retry));
	ratelimit_free(rl);
}
END_TEST

START_TEST(messages)
{
	struct notify_msg m = {0};

	otp_message(OTP_SIGNIN, "zh-CN", "482913", 10, &m);
	ck_assert_ptr_nonnull(strstr(m.text, "482913"));
	ck_assert_ptr_nonnull(strstr(m.text, "登录验证码"));
	ck_assert_ptr_nonnull(strstr(m.text, "10 分钟"));
	ck_assert_str_eq(m.purpose, "code");
	otp_message(OTP_RESET, "en", "000123", 15, &m);
	ck_assert_ptr_nonnull(strstr(m.text, "password reset code"));
	ck_assert_ptr_nonnull(strstr(m.text, "000123"));
	ck_assert_ptr_nonnull(strstr(m.text, "15 minutes"));
}
END_TEST

static Suite *otp_suite(void)
{
	Suite *s = suite_create("otp");
	TCase *tc = tcase_create("codes");

	tcase_add_checked_fixture(tc, setup, mem_teardown);
	tcase_add_test(tc, single_use);
	tcase_add_test(tc, expiry);
	tcase_add_test(tc, newer_ends_older);
	tcase_add_test(tc, wrong_tries);
	tcase_add_test(tc, bound_to_login_and_purpose);
	tcase_add_test(tc, sending_is_limited);
	tcase_add_test(tc, messages);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(otp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
