/* test_turn.c — TURN REST credentials: the username coturn parses (expiry
 * first), the credential it recomputes (checked against HMAC-SHA1 vectors
 * made with Python's hmac module), and the TURN URL list check. */
#include "err.h"
#include "turn.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(mint_vectors)
{
	struct turn_cred c;

	ck_assert_int_eq(
	    turn_mint("north wind 1949", 1700000000, 21600, "c42", &c), 0);
	ck_assert_str_eq(c.username, "1700021600:c42");
	ck_assert_str_eq(c.credential, "q6WauvinwoyqkUCfRyMS0b3Nhyk=");
	ck_assert_int_eq(c.expires, 1700021600);
	/* no tag: the timestamp alone */
	ck_assert_int_eq(
	    turn_mint("north wind 1949", 1700000000, 21600, "", &c), 0);
	ck_assert_str_eq(c.username, "1700021600");
	ck_assert_str_eq(c.credential, "FOg5zGka9WqQrn8sQZW5xxInp70=");
}
END_TEST

START_TEST(mint_refusals)
{
	struct turn_cred c;
	char long_tag[TURN_TAG_MAX + 2];

	ck_assert_int_eq(turn_mint("", 1, 60, "a", &c), ERR_INVALID);
	ck_assert_int_eq(turn_mint(NULL, 1, 60, "a", &c), ERR_INVALID);
	ck_assert_int_eq(turn_mint("s", 1, 0, "a", &c), ERR_INVALID);
	/* ':' would split the username where coturn reads the expiry */
	ck_assert_int_eq(turn_mint("s", 1, 60, "a:b", &c), ERR_INVALID);
	ck_assert_int_eq(turn_mint("s", 1, 60, "a b", &c), ERR_INVALID);
	memset(long_tag, 'x', sizeof(long_tag) - 1);
	long_tag[sizeof(long_tag) - 1] = '\0';
	ck_assert_int_eq(turn_mint("s", 1, 60, long_tag, &c), ERR_INVALID);
	long_tag[TURN_TAG_MAX] = '\0';
	ck_assert_int_eq(turn_mint("s", 1, 60, long_tag, &c), 0);
	ck_assert_uint_lt(strlen(c.username), TURN_USER_MAX);
}
END_TEST

START_TEST(urls_split)
{
	const char *urls[TURN_URLS_MAX];
	struct err_detail err = {0};
	char buf[512];

	ck_assert_int_eq(turn_urls_split("", buf, sizeof(buf), urls, &err), 0);
	ck_assert_int_eq(
	    turn_urls_split("turn:t.example.org:3478?transport=udp  "
	                    "turn:t.example.org:3478?transport=tcp\t"
	                    "turns:t.example.org:443?transport=tcp "
	                    "turn:[2001:db8::1]:3478 turn:127.0.0.1",
	                    buf, sizeof(buf), urls, &err),
	    5);
	ck_assert_str_eq(urls[0], "turn:t.example.org:3478?transport=udp");
	ck_assert_str_eq(urls[2], "turns:t.example.org:443?transport=tcp");
	ck_assert_str_eq(urls[4], "turn:127.0.0.1");
}
END_TEST

START_TEST(urls_refused)
{
	static const char *const bad[] = {
	    "stun:t.example.org:3478",
	    "turn://user:pass@t.example.org:3478", /* the old static form */
	    "turn:user@t.example.org",
	    "turn:",
	    "turns:t.example.org:443?transport=udp",
	    "turn:t.example.org?transport=sctp",
	    "turn:t.example.org/path",
	    "turn:a turn:b turn:c turn:d turn:e turn:f turn:g turn:h turn:i",
	};
	const char *urls[TURN_URLS_MAX];
	struct err_detail err = {0};
	char buf[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		ck_assert_msg(turn_urls_split(bad[i], buf, sizeof(buf), urls,
		                              &err) == ERR_INVALID,
		              "accepted %s", bad[i]);
		ck_assert_msg(err.msg[0], "no reason for %s", bad[i]);
	}
	ck_assert_int_eq(turn_urls_split("turn:a", buf, 4, urls, &err),
	                 ERR_INVALID);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("turn");
	TCase *tc = tcase_create("rest");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, mint_vectors);
	tcase_add_test(tc, mint_refusals);
	tcase_add_test(tc, urls_split);
	tcase_add_test(tc, urls_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
