/* sdp_data.h — the offers captured from real clients in tests/data/sdp/
 * (its README says where each came from), for the media tests that feed
 * them to webrtcbin engines. */
#ifndef SINIAN_TEST_SDP_DATA_H
#define SINIAN_TEST_SDP_DATA_H

#include <check.h>
#include <glib.h>
#include <stdlib.h>

#ifndef SINIAN_SOURCE_DIR
#define SINIAN_SOURCE_DIR "."
#endif

/* tests/data/sdp/<name>, NUL-terminated, its length in *len. Fails the
 * test if it cannot be read. Caller g_free()s. */
static inline char *sdp_data_load(const char *name, size_t *len)
{
	const char *root = getenv("SINIAN_SOURCE_DIR");
	char *path = g_strdup_printf("%s/tests/data/sdp/%s",
	                             root ? root : SINIAN_SOURCE_DIR, name);
	char *text = NULL;
	gsize n = 0;

	ck_assert_msg(g_file_get_contents(path, &text, &n, NULL), "%s", path);
	g_free(path);
	*len = n;
	return text;
}

#endif
