/* check_main.h — the main() of a Check program: one suite run in forked
 * cases, the exit status from its failures. */
#ifndef SINIAN_TEST_CHECK_MAIN_H
#define SINIAN_TEST_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define SINIAN_CHECK_MAIN(suite_fn)                                            \
	int main(void)                                                         \
	{                                                                      \
		SRunner *sr = srunner_create(suite_fn());                      \
		int failed;                                                    \
                                                                               \
		srunner_run_all(sr, CK_NORMAL);                                \
		failed = srunner_ntests_failed(sr);                            \
		srunner_free(sr);                                              \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                   \
	}

#endif
