/* fx_files.h — files for unit tests: removing a temporary tree and reading
 * a sample from tests/data/images. Header-only (static inline); included
 * by mem_fixture.h, fixture_visit.h, test_image.c and test_proof.c.
 */
#ifndef SINIAN_FX_FILES_H
#define SINIAN_FX_FILES_H

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

#ifndef SINIAN_SOURCE_DIR
#define SINIAN_SOURCE_DIR "."
#endif

/* Removes path and everything below it. */
static inline void fx_rm_tree(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(path, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			fx_rm_tree(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(path);
}

/* The bytes of tests/data/images/<name>; fails the test when unreadable. */
static inline GBytes *fx_sample(const char *name)
{
	const char *src = g_getenv("SINIAN_SOURCE_DIR");
	char *path = g_build_filename(src ? src : SINIAN_SOURCE_DIR, "tests",
	                              "data", "images", name, NULL);
	gchar *data = NULL;
	gsize len = 0;

	ck_assert_msg(g_file_get_contents(path, &data, &len, NULL),
	              "cannot read %s", path);
	g_free(path);
	return g_bytes_new_take(data, len);
}

#endif
