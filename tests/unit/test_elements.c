/* test_elements.c — the list of GStreamer elements (media/elements.c) is
 * the truth about what a bare machine needs:
 *
 *   - every listed element resolves to its plugin file and that file to a
 *     Debian package (dpkg -S), which must be the package the list names
 *     and one that scripts/deps.sh installs for whoever uses it (the
 *     daemon: the default list; tests: --test; benches: --bench);
 *   - an element named in a pipeline or factory call of the daemon, the
 *     tests or the benches, and known to GStreamer, must be in the list with
 *     that user;
 *   - elements_missing() names an element the registry does not have and
 *     the package that ships it.
 *
 * A failure names the element and the package, e.g. "textoverlay: its
 * package gstreamer1.0-x is not installed by scripts/deps.sh".
 */
#include "elements.h"
#include "err.h"
#include "gst_check_main.h"

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *source_dir(void)
{
	const char *d = getenv("SINIAN_SOURCE_DIR");

	return d ? d : SINIAN_SOURCE_DIR;
}

/* Run argv (in the source tree); its stdout, or NULL when it failed. */
static char *run(const char *const *argv)
{
	char *out = NULL;
	int status = 0;

	if (!g_spawn_sync(source_dir(), (char **)argv, NULL,
	                  G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
	                  NULL, NULL, &out, NULL, &status, NULL))
		return NULL;
	if (!g_spawn_check_wait_status(status, NULL)) {
		g_free(out);
		return NULL;
	}
	return out;
}

/* The packages scripts/deps.sh installs with flag (NULL: the default). */
static GHashTable *deps_packages(const char *flag)
{
	const char *argv[] = {"scripts/deps.sh", "--list", flag, NULL};
	GHashTable *set =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char *out = run(argv);
	char **lines;

	ck_assert_msg(out, "scripts/deps.sh --list %s failed",
	              flag ? flag : "");
	lines = g_strsplit(out, "\n", -1);
	for (char **l = lines; *l; l++)
		if (**l)
			g_hash_table_add(set, g_strdup(g_strstrip(*l)));
	g_strfreev(lines);
	g_free(out);
	return set;
}

/* file -> the Debian package that owns it, for every file in files, from
 * one dpkg -S. With merged /usr a plugin may be known to dpkg under /usr/lib
 * or /lib: both are asked and both spellings map to the package. */
static GHashTable *packages_of(GPtrArray *files)
{
	GHashTable *owner =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	char *out, **lines;

	g_ptr_array_add(argv, g_strdup("dpkg"));
	g_ptr_array_add(argv, g_strdup("-S"));
	for (guint i = 0; i < files->len; i++) {
		const char *f = files->pdata[i];

		g_ptr_array_add(argv, g_strdup(f));
		g_ptr_array_add(argv, g_str_has_prefix(f, "/usr/")
		                          ? g_strdup(f + 4)
		                          : g_strconcat("/usr", f, NULL));
	}
	g_ptr_array_add(argv, NULL);
	/* dpkg exits 1 when some spelling is unknown: read what it found */
	if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL,
	                  G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
	                  NULL, NULL, &out, NULL, NULL, NULL))
		out = g_strdup("");
	lines = g_strsplit(out, "\n", -1);
	for (char **l = lines; *l; l++) {
		char *sep = strstr(*l, ": ");
		char *path;

		if (!sep)
			continue;
		*sep = '\0';
		path = sep + 2;
		(*l)[strcspn(*l, ":")] = '\0'; /* "pkg:amd64" */
		g_hash_table_replace(owner, g_strdup(path), g_strdup(*l));
		g_hash_table_replace(owner,
		                     g_str_has_prefix(path, "/usr/")
		                         ? g_strdup(path + 4)
		                         : g_strconcat("/usr", path, NULL),
		                     g_strdup(*l));
	}
	g_strfreev(lines);
	g_free(out);
	g_ptr_array_unref(argv);
	return owner;
}

/* The plugin file of a registered element, or NULL. */
static char *plugin_file(const char *element)
{
	GstElementFactory *f = gst_element_factory_find(element);
	GstPlugin *p;
	char *file = NULL;

	if (!f)
		return NULL;
	p = gst_plugin_feature_get_plugin(GST_PLUGIN_FEATURE(f));
	if (p) {
		file = g_strdup(gst_plugin_get_filename(p));
		gst_object_unref(p);
	}
	gst_object_unref(f);
	return file;
}

/* Which deps.sh set must hold the package of an element used by users. */
static GHashTable *set_for(unsigned users, GHashTable *run_set,
                           GHashTable *test_set, GHashTable *bench_set)
{
	if (users & ELEMENTS_DAEMON)
		return run_set;
	return users & ELEMENTS_TESTS ? test_set : bench_set;
}

START_TEST(listed_elements_come_from_deps_sh)
{
	GHashTable *run_set = deps_packages(NULL);
	GHashTable *test_set = deps_packages("--test");
	GHashTable *bench_set = deps_packages("--bench");
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	GString *bad = g_string_new(NULL);
	GHashTable *owner;
	const struct elements_entry *t;
	size_t n;

	t = elements_table(&n);
	ck_assert_uint_gt(n, 20);
	for (size_t i = 0; i < n; i++) {
		char *file = plugin_file(t[i].name);

		if (file)
			g_ptr_array_add(files, file);
	}
	owner = packages_of(files);
	for (size_t i = 0; i < n; i++) {
		GHashTable *need =
		    set_for(t[i].users, run_set, test_set, bench_set);
		char *file = plugin_file(t[i].name);
		const char *pkg =
		    file ? g_hash_table_lookup(owner, file) : NULL;

		if (!g_hash_table_contains(need, t[i].package))
			g_string_append_printf(
			    bad,
			    "\n  %s: its package %s is not installed by "
			    "scripts/deps.sh",
			    t[i].name, t[i].package);
		if (!file)
			g_string_append_printf(
			    bad, "\n  %s: not installed (package %s)",
			    t[i].name, t[i].package);
		else if (!pkg)
			g_string_append_printf(
			    bad, "\n  %s: no package owns %s", t[i].name, file);
		else if (strcmp(pkg, t[i].package))
			g_string_append_printf(
			    bad, "\n  %s: listed as %s but %s ships it (%s)",
			    t[i].name, t[i].package, pkg, file);
		g_free(file);
	}
	ck_assert_msg(bad->len == 0, "media/elements.c and scripts/deps.sh:%s",
	              bad->str);
	g_string_free(bad, TRUE);
	g_hash_table_unref(owner);
	g_ptr_array_unref(files);
	g_hash_table_unref(run_set);
	g_hash_table_unref(test_set);
	g_hash_table_unref(bench_set);
}
END_TEST

/* ---- elements named in the sources ----------------------------------- */

/* First word of each pipeline segment of s (split on '!', '(' and ')'):
 * "videotestsrc is-live=true ! x264enc" gives videotestsrc and x264enc;
 * "t. ! queue" gives queue; caps ("video/x-raw,...") give nothing. */
static void pipeline_words(const char *s, GHashTable *words)
{
	GRegex *join = g_regex_new("[\"'`]\\s*[\"'`]|[\"'`]", 0, 0, NULL);
	char *text = g_regex_replace_literal(join, s, -1, 0, "", 0, NULL);
	char **segs = g_strsplit_set(text, "!()", -1);

	for (char **p = segs; *p; p++) {
		const char *w = *p + strspn(*p, " \t\n");
		size_t len =
		    strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789_-");

		if (len && (!w[len] || strchr(" \t\n", w[len])))
			g_hash_table_add(words, g_strndup(w, len));
	}
	g_strfreev(segs);
	g_free(text);
	g_regex_unref(join);
}

/* Element names a source file uses: factory calls, and the pipelines of
 * its string literals (adjacent C literals joined) or, in a shell script,
 * of its gst-launch-1.0 lines. */
static void words_of_file(const char *path, GHashTable *words)
{
	static const char *const patterns[] = {
	    "factory_(?:make|find)\\s*\\(\\s*\"([a-z0-9_-]+)\"",
	    "((?:\"(?:[^\"\\\\\\n]|\\\\.)*\"\\s*)+)",
	    "('(?:[^'\\\\\\n]|\\\\.)*')",
	    "(`(?:[^`\\\\]|\\\\.)*`)",
	    /* a line continued with a backslash goes on */
	    "gst-launch-1\\.0((?:\\\\\\n|[^\\n])*)",
	};
	char *text = NULL;

	ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL),
	              "cannot read %s", path);
	for (size_t i = 0; i < G_N_ELEMENTS(patterns); i++) {
		GRegex *re =
		    g_regex_new(patterns[i], G_REGEX_OPTIMIZE, 0, NULL);
		GMatchInfo *mi = NULL;

		ck_assert(re);
		g_regex_match(re, text, 0, &mi);
		for (; g_match_info_matches(mi); g_match_info_next(mi, NULL)) {
			char *m = g_match_info_fetch(mi, 1);

			if (i == 0)
				g_hash_table_add(words, g_strdup(m));
			else if (strchr(m, '!'))
				pipeline_words(m, words);
			g_free(m);
		}
		g_match_info_free(mi);
		g_regex_unref(re);
	}
	g_free(text);
}

/* Every file directly in dir whose name ends in one of suffixes. */
static void scan_dir(const char *dir, const char *const *suffixes,
                     unsigned user, GString *bad)
{
	char *full = g_build_filename(source_dir(), dir, NULL);
	GDir *d = g_dir_open(full, 0, NULL);
	const char *name;

	ck_assert_msg(d, "cannot open %s", full);
	while ((name = g_dir_read_name(d))) {
		GHashTable *words = g_hash_table_new_full(
		    g_str_hash, g_str_equal, g_free, NULL);
		char *path = g_build_filename(full, name, NULL);
		GHashTableIter it;
		gpointer w;
		bool want = false;

		for (const char *const *s = suffixes; *s; s++)
			want |= g_str_has_suffix(name, *s);
		if (want && g_file_test(path, G_FILE_TEST_IS_REGULAR))
			words_of_file(path, words);
		g_hash_table_iter_init(&it, words);
		while (g_hash_table_iter_next(&it, &w, NULL)) {
			GstElementFactory *f = gst_element_factory_find(w);
			const struct elements_entry *e = elements_find(w);

			if (!f)
				continue; /* not an element (or not here) */
			gst_object_unref(f);
			if (!e)
				g_string_append_printf(
				    bad,
				    "\n  %s/%s uses %s, which is not listed",
				    dir, name, (char *)w);
			else if (!(e->users & user))
				g_string_append_printf(
				    bad,
				    "\n  %s/%s uses %s, listed without that "
				    "user",
				    dir, name, (char *)w);
		}
		g_free(path);
		g_hash_table_unref(words);
	}
	g_dir_close(d);
	g_free(full);
}

START_TEST(every_element_used_is_listed)
{
	static const char *const c_js[] = {".c", ".h", ".mjs", ".js", NULL};
	static const char *const any[] = {".c",  ".h",  ".mjs",
	                                  ".js", ".sh", NULL};
	static const struct {
		const char *dir;
		const char *const *suffixes;
		unsigned user;
	} dirs[] = {
	    {"media", c_js, ELEMENTS_DAEMON},
	    {"server", c_js, ELEMENTS_DAEMON},
	    {"server/net", c_js, ELEMENTS_DAEMON},
	    {"server/cluster", c_js, ELEMENTS_DAEMON},
	    {"tests/unit", c_js, ELEMENTS_TESTS},
	    {"tests/tools", c_js, ELEMENTS_TESTS},
	    {"tests/lib", c_js, ELEMENTS_TESTS},
	    {"tests/integration", c_js, ELEMENTS_TESTS},
	    {"tests/browser", c_js, ELEMENTS_TESTS},
	    {"bench", any, ELEMENTS_BENCH},
	    {"scripts", any, ELEMENTS_BENCH},
	};
	GString *bad = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++)
		scan_dir(dirs[i].dir, dirs[i].suffixes, dirs[i].user, bad);
	ck_assert_msg(bad->len == 0, "add these to media/elements.c:%s",
	              bad->str);
	g_string_free(bad, TRUE);
}
END_TEST

/* The scan itself finds what it must: a pipeline split over C literals,
 * its first element, a factory call; and no caps, bins or references. */
START_TEST(pipeline_scan_finds_elements)
{
	char path[] = "/tmp/sinian-elements-XXXXXX";
	int fd = g_mkstemp(path);
	const char src[] =
	    "x = gst_parse_launch(\"videotestsrc is-live=true ! \"\n"
	    "\t\"video/x-raw,width=320 ! x264enc name=e \"\n"
	    "\t\"t. ! queue ! mux.audio_0\", NULL);\n"
	    "y = gst_element_factory_make(\"webrtcbin\", NULL);\n"
	    "if (!found || !strcmp(a, b)) z = 'fakesink ! identity';\n";
	GHashTable *words =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	ck_assert_int_ge(fd, 0);
	ck_assert(write(fd, src, sizeof(src) - 1) == (ssize_t)sizeof(src) - 1);
	close(fd);
	words_of_file(path, words);
	unlink(path);
	for (const char *const *w =
	         (const char *const[]){"videotestsrc", "x264enc", "queue",
	                               "webrtcbin", "fakesink", "identity",
	                               NULL};
	     *w; w++)
		ck_assert_msg(g_hash_table_contains(words, *w), "missed %s",
		              *w);
	ck_assert(!g_hash_table_contains(words, "video"));
	ck_assert(!g_hash_table_contains(words, "mux"));
	ck_assert(!g_hash_table_contains(words, "t"));
	g_hash_table_unref(words);
}
END_TEST

/* ---- elements_missing -------------------------------------------------- */

START_TEST(missing_names_element_and_package)
{
	GstRegistry *reg = gst_registry_get();
	GstPluginFeature *tee = gst_registry_lookup_feature(reg, "tee");
	GstPluginFeature *queue = gst_registry_lookup_feature(reg, "queue");
	char names[64], pkgs[64];
	int n;

	/* this process only (each case runs in a fork) */
	ck_assert(tee && queue);
	gst_registry_remove_feature(reg, tee);
	gst_registry_remove_feature(reg, queue);
	gst_object_unref(tee);
	gst_object_unref(queue);
	n = elements_missing(ELEMENTS_DAEMON, names, sizeof(names), pkgs,
	                     sizeof(pkgs));
	ck_assert_int_ge(n, 2);
	ck_assert_ptr_nonnull(strstr(names, "tee"));
	ck_assert_ptr_nonnull(strstr(names, "queue"));
	/* both from the core package, named once */
	ck_assert_str_eq(pkgs, "libgstreamer1.0-0");
	/* a list that does not fit is an error, not a cut list */
	ck_assert_int_eq(
	    elements_missing(ELEMENTS_DAEMON, names, 4, pkgs, sizeof(pkgs)),
	    ERR_TOO_LARGE);
}
END_TEST

START_TEST(nothing_missing_when_installed)
{
	char names[512], pkgs[256];

	ck_assert_int_eq(elements_missing(ELEMENTS_DAEMON | ELEMENTS_TESTS,
	                                  names, sizeof(names), pkgs,
	                                  sizeof(pkgs)),
	                 0);
	ck_assert_str_eq(names, "");
	ck_assert_str_eq(pkgs, "");
}
END_TEST

static Suite *elements_suite(void)
{
	Suite *s = suite_create("elements");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, listed_elements_come_from_deps_sh);
	tcase_add_test(tc, every_element_used_is_listed);
	tcase_add_test(tc, pipeline_scan_finds_elements);
	tcase_add_test(tc, missing_names_element_and_package);
	tcase_add_test(tc, nothing_missing_when_installed);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(elements_suite)
