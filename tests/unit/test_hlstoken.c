/* test_hlstoken.c — the tokens that open an invite-only ceremony's HLS:
 * made and checked back, refused for another ceremony, after their expiry,
 * under another key, altered in any part, or malformed. */
#include "crypto.h"
#include "err.h"
#include "hlstoken.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct crypto *open_key(char **dir)
{
	struct crypto *c = NULL;
	struct err_detail err = {0};
	char *path;

	*dir = g_dir_make_tmp("sinian-hlstoken-XXXXXX", NULL);
	path = g_build_filename(*dir, "secret.key", NULL);
	ck_assert_int_eq(crypto_open(path, &c, &err), 0);
	g_free(path);
	return c;
}

static void close_key(struct crypto *c, char *dir)
{
	char *path = g_build_filename(dir, "secret.key", NULL);

	crypto_close(c);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

START_TEST(round_trip)
{
	char *dir, *dir2, tok[HLSTOKEN_MAX], ref[HLSTOKEN_REF_MAX];
	struct crypto *c = open_key(&dir), *other = open_key(&dir2);

	ck_assert_int_eq(hlstoken_make(c, 42, 2000000000, "i17", tok), 0);
	ck_assert_str_eq(strchr(tok, '.'), strstr(tok, ".i17."));
	ck_assert_int_eq(hlstoken_check(c, 42, tok, 1900000000, ref), 0);
	ck_assert_str_eq(ref, "i17");
	ck_assert_int_eq(hlstoken_make(c, 42, 2000000000, "u3", tok), 0);
	ck_assert_int_eq(hlstoken_check(c, 42, tok, 1900000000, ref), 0);
	ck_assert_str_eq(ref, "u3");
	/* one ceremony only, one key only, until its time */
	ck_assert_int_eq(hlstoken_check(c, 43, tok, 1900000000, ref),
	                 ERR_UNAUTHORIZED);
	ck_assert_str_eq(ref, "");
	ck_assert_int_eq(hlstoken_check(other, 42, tok, 1900000000, ref),
	                 ERR_UNAUTHORIZED);
	ck_assert_int_eq(hlstoken_check(c, 42, tok, 2000000000, ref), ERR_GONE);
	close_key(other, dir2);
	close_key(c, dir);
}
END_TEST

START_TEST(altered)
{
	char *dir, tok[HLSTOKEN_MAX], bad[HLSTOKEN_MAX + 8];
	char ref[HLSTOKEN_REF_MAX];
	struct crypto *c = open_key(&dir);
	size_t n;

	ck_assert_int_eq(hlstoken_make(c, 7, 2000000000, "i5", tok), 0);
	n = strlen(tok);
	/* any character changed */
	for (size_t i = 0; i < n; i++) {
		snprintf(bad, sizeof(bad), "%s", tok);
		bad[i] = bad[i] == '1' ? '2' : '1';
		ck_assert_msg(hlstoken_check(c, 7, bad, 1, ref) != 0,
		              "accepted %s", bad);
	}
	/* the expiry pushed later, the right swapped, the signature cut */
	snprintf(bad, sizeof(bad), "2100000000%s", strchr(tok, '.'));
	ck_assert_int_eq(hlstoken_check(c, 7, bad, 1, ref), ERR_UNAUTHORIZED);
	snprintf(bad, sizeof(bad), "%.*s.u5.%s", (int)(strchr(tok, '.') - tok),
	         tok, strrchr(tok, '.') + 1);
	ck_assert_int_eq(hlstoken_check(c, 7, bad, 1, ref), ERR_UNAUTHORIZED);
	snprintf(bad, sizeof(bad), "%.*s", (int)n - 1, tok);
	ck_assert_int_eq(hlstoken_check(c, 7, bad, 1, ref), ERR_UNAUTHORIZED);
	snprintf(bad, sizeof(bad), "%sa", tok);
	ck_assert_int_eq(hlstoken_check(c, 7, bad, 1, ref), ERR_UNAUTHORIZED);
	close_key(c, dir);
}
END_TEST

START_TEST(malformed)
{
	static const char *const bad[] = {
	    "",
	    ".",
	    "..",
	    "1.i1.",
	    "1..abc",
	    "x.i1.0123456789abcdef0123456789abcdef",
	    "01.i1.0123456789abcdef0123456789abcdef",
	    "1.i01.0123456789abcdef0123456789abcdef",
	    "1.x1.0123456789abcdef0123456789abcdef",
	    "1.i.0123456789abcdef0123456789abcdef",
	    "1.i1a.0123456789abcdef0123456789abcdef",
	    "99999999999999.i1.0123456789abcdef0123456789abcdef",
	    "1.i1.0123456789abcdef0123456789abcdef.x",
	};
	char *dir, tok[HLSTOKEN_MAX], ref[HLSTOKEN_REF_MAX];
	struct crypto *c = open_key(&dir);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(hlstoken_check(c, 1, bad[i], 0, ref) ==
		                  ERR_UNAUTHORIZED,
		              "accepted %s", bad[i]);
	ck_assert_int_eq(hlstoken_check(c, 1, NULL, 0, ref), ERR_UNAUTHORIZED);
	ck_assert_int_eq(hlstoken_make(c, 1, 5, "", tok), ERR_INVALID);
	ck_assert_int_eq(hlstoken_make(c, 1, 5, "i0", tok), ERR_INVALID);
	ck_assert_int_eq(hlstoken_make(c, 1, 5, "s1", tok), ERR_INVALID);
	ck_assert_int_eq(hlstoken_make(c, 1, 0, "i1", tok), ERR_INVALID);
	close_key(c, dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hlstoken");
	TCase *tc = tcase_create("tokens");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, altered);
	tcase_add_test(tc, malformed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
