/* test_password.c — which passwords an account may have: the length in
 * characters, not only white space, and every one of the 10 000 common
 * passwords of data/common-passwords.txt refused whatever its case, as
 * embedded in the binary. */
#include "err.h"
#include "password.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

START_TEST(lengths_and_blanks)
{
	struct err_detail err = {0};

	ck_assert_int_eq(password_check("password", "short12", &err),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "password: must be 8 to 128"));
	/* eight characters of Chinese are eight, not 24 bytes */
	ck_assert_int_eq(password_check("password", "清明时节雨纷纷路", &err),
	                 0);
	ck_assert_int_eq(password_check("password", "清明时节雨纷纷", &err),
	                 ERR_INVALID);
	ck_assert_int_eq(password_check("new_password", "        \t  ", &err),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(
	    strstr(err.msg, "new_password: must not be only"));
	ck_assert_int_eq(password_check("password",
	                                "\xe3\x80\x80\xe3\x80\x80"
	                                "\xe3\x80\x80\xe3\x80\x80"
	                                "\xe3\x80\x80\xe3\x80\x80"
	                                "\xe3\x80\x80\xe3\x80\x80",
	                                &err),
	                 ERR_INVALID); /* eight ideographic spaces */
	char *long_pw = g_strnfill(129, 'x');
	ck_assert_int_eq(password_check("password", long_pw, &err),
	                 ERR_INVALID);
	long_pw[128] = '\0';
	ck_assert_int_eq(password_check("password", long_pw, &err), 0);
	g_free(long_pw);
	ck_assert_int_eq(password_check("password",
	                                "\xff\xfe\xfd\xfc\xfb\xfa"
	                                "\xf9\xf8",
	                                &err),
	                 ERR_INVALID);
}
END_TEST

START_TEST(every_common_password_is_refused)
{
	const char *src = g_getenv("SINIAN_SOURCE_DIR");
	char *path = g_build_filename(src ? src : ".", "data",
	                              "common-passwords.txt", NULL);
	struct err_detail err = {0};
	char *text = NULL, **lines;
	int n = 0;

	ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "%s", path);
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		char *up;

		if (!**l || **l == '#')
			continue;
		n++;
		ck_assert_msg(password_is_common(*l), "%s not refused", *l);
		up = g_utf8_strup(*l, -1);
		ck_assert_msg(password_is_common(up), "%s not refused", up);
		g_free(up);
	}
	ck_assert_int_eq(n, 10000);
	ck_assert_int_eq(password_check("password", "Password1", &err),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "most common"));
	ck_assert(!password_is_common("清明时节雨纷纷路上行人"));
	ck_assert(!password_is_common("grandma's peonies 1950"));
	g_strfreev(lines);
	g_free(text);
	g_free(path);
}
END_TEST

static Suite *password_suite(void)
{
	Suite *s = suite_create("password");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, lengths_and_blanks);
	tcase_add_test(tc, every_common_password_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(password_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
