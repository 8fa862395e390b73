/* test_wshub.c — the topic syntax WebSocket clients may subscribe to:
 * "kind:id", kind in [a-z_], id in [0-9A-Za-z_-], at most 128 bytes. */
#include "wshub.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(valid_topics)
{
	static const char *const good[] = {
	    "memorial:42",
	    "ceremony:1",
	    "a:b",
	    "_:0",
	    "memorial_admin:AbC-9_z",
	    "ceremony:3f2a-9c_x",
	    "booking:-",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(wshub_topic_valid(good[i]), "refused: %s",
		              good[i]);
}
END_TEST

START_TEST(invalid_topics)
{
	static const char *const bad[] = {
	    "",
	    ":",
	    "memorial",
	    ":42",
	    "memorial:",
	    "Memorial:42",
	    "MEMORIAL:42",
	    "memo-rial:1",
	    "memo rial:1",
	    "1:2",
	    "memorial2:1",
	    "memorial:4 2",
	    "memorial:42:1",
	    "memorial:4.2",
	    "memorial:../x",
	    "memorial:a/b",
	    "memorial:*",
	    "memorial:é",
	    "思念:1",
	    "memorial:42\n",
	    " memorial:42",
	    "memorial :42",
	    "memorial:\"42\"",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!wshub_topic_valid(bad[i]), "accepted: '%s'",
		              bad[i]);
}
END_TEST

START_TEST(length_limit)
{
	char t[200];

	/* "m:" + 126 characters = 128 bytes: the longest allowed */
	memcpy(t, "m:", 2);
	memset(t + 2, '7', 126);
	t[128] = '\0';
	ck_assert(wshub_topic_valid(t));
	t[128] = '7';
	t[129] = '\0';
	ck_assert(!wshub_topic_valid(t));
}
END_TEST

static Suite *wshub_suite(void)
{
	Suite *s = suite_create("wshub");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, valid_topics);
	tcase_add_test(tc, invalid_topics);
	tcase_add_test(tc, length_limit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wshub_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
