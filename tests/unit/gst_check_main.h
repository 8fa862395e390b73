/* gst_check_main.h — the main() of the media Check programs: GStreamer
 * initialised, one suite run in forked cases, the exit status from its
 * failures. */
#ifndef SINIAN_TEST_GST_CHECK_MAIN_H
#define SINIAN_TEST_GST_CHECK_MAIN_H

#include <check.h>
#include <gst/gst.h>
#include <stdlib.h>

#define SINIAN_GST_CHECK_MAIN(suite_fn)                                        \
	int main(void)                                                         \
	{                                                                      \
		SRunner *sr;                                                   \
		int failed;                                                    \
                                                                               \
		gst_init(NULL, NULL);                                          \
		sr = srunner_create(suite_fn());                               \
		srunner_run_all(sr, CK_NORMAL);                                \
		failed = srunner_ntests_failed(sr);                            \
		srunner_free(sr);                                              \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                   \
	}

#endif
