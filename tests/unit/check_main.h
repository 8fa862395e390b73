/* check_main.h — the main() of a Check program: one suite run in forked
 * cases, the exit status from its failures. */
#ifndef SINIAN_TEST_CHECK_MAIN_H
#define SINIAN_TEST_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define SINIAN_CHECK_MAIN(suite_fn) SINIAN_CHECK_MAIN_AFTER(suite_fn, (void)0)

/* The same, running prep first (a statement, e.g. ignoring SIGPIPE as the
 * daemon does in the programs that talk to redis-server). */
#define SINIAN_CHECK_MAIN_AFTER(suite_fn, prep)                                \
	int main(void)                                                         \
	{                                                                      \
		SRunner *sr;                                                   \
		int failed;                                                    \
                                                                               \
		prep;                                                          \
		sr = srunner_create(suite_fn());                               \
		srunner_run_all(sr, CK_NORMAL);                                \
		failed = srunner_ntests_failed(sr);                            \
		srunner_free(sr);                                              \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                   \
	}

#endif
