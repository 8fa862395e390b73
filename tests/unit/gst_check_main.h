/* gst_check_main.h — what the media Check programs share: their main()
 * (GStreamer initialised, one suite run in forked cases, the exit status
 * from its failures) and run_for(), which runs the default main context
 * (bus watches, timeouts) for a while. */
#ifndef SINIAN_TEST_GST_CHECK_MAIN_H
#define SINIAN_TEST_GST_CHECK_MAIN_H

#include <check.h>
#include <gst/gst.h>
#include <stdlib.h>

static inline gboolean run_for_wake(gpointer data)
{
	(void)data;
	return G_SOURCE_CONTINUE;
}

/* Iterate the default main context for about ms milliseconds. */
static inline void run_for(int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	guint t = g_timeout_add(20, run_for_wake, NULL);

	while (g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(t);
}

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
