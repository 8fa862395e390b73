/* test_config.c — the settings table and the INI parser: defaults, a good
 * file in every allowed shape, every way a file can be wrong (each must name
 * file, line and key), a missing file, command-line overrides and paths. */
#include "fx_files.h"
#include "config.h"
#include "err.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SINIAN_SOURCE_DIR
#define SINIAN_SOURCE_DIR "."
#endif

static char *tmpdir;

static void setup(void)
{
	GError *e = NULL;

	tmpdir = g_dir_make_tmp("sinian-config-XXXXXX", &e);
	ck_assert_msg(tmpdir != NULL, "g_dir_make_tmp: %s",
	              e ? e->message : "?");
}

static void teardown(void)
{
	fx_rm_tree(tmpdir);
	g_free(tmpdir);
	tmpdir = NULL;
}

/* Write text to tmpdir/name; returns the path (g_free it). */
static char *write_conf(const char *name, const char *text)
{
	char *path = g_build_filename(tmpdir, name, NULL);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	fclose(f);
	return path;
}

/* Load text as a file; expect ERR_INVALID and a message that starts with
 * "PATH:LINE:" and contains every string in want (NULL-terminated). */
static void expect_bad(const char *text, int line, const char *const *want)
{
	struct config cfg;
	struct err_detail err = {0};
	char *path = write_conf("bad.conf", text);
	char *prefix = g_strdup_printf("%s:%d:", path, line);
	int rc;

	config_defaults(&cfg);
	rc = config_load_file(&cfg, path, &err);
	ck_assert_msg(rc == ERR_INVALID, "rc %d for <<%.80s>>", rc, text);
	ck_assert_msg(g_str_has_prefix(err.msg, prefix),
	              "message '%s' does not start with '%s'", err.msg, prefix);
	for (int i = 0; want && want[i]; i++)
		ck_assert_msg(strstr(err.msg, want[i]) != NULL,
		              "message '%s' lacks '%s'", err.msg, want[i]);
	g_free(prefix);
	g_free(path);
}

#define BAD(text, line, ...)                                                   \
	do {                                                                   \
		const char *const w_[] = {__VA_ARGS__, NULL};                  \
		expect_bad(text, line, w_);                                    \
	} while (0)

START_TEST(defaults)
{
	struct config cfg;

	memset(&cfg, 0x5a, sizeof(cfg));
	config_defaults(&cfg);
	ck_assert_str_eq(cfg.listen, "127.0.0.1:8080");
	ck_assert_str_eq(cfg.data_dir, "var");
	ck_assert_str_eq(cfg.web_dir, "");
	ck_assert_str_eq(cfg.log_level, "info");
	ck_assert_int_eq(cfg.max_body_bytes, 1048576);
	ck_assert_int_eq(cfg.max_upload_bytes, 10485760);
	ck_assert_str_eq(cfg.redis_url, "");
	ck_assert_str_eq(cfg.key_file, "");
	ck_assert_int_eq(cfg.session_ttl_hours, 720);
	ck_assert_int_eq(cfg.rate_limit_writes, 120);
	ck_assert_int_eq(cfg.rate_limit_logins, 10);
	ck_assert_str_eq(cfg.trusted_origins, "");
	ck_assert(!cfg.cookie_secure);
	ck_assert(cfg.demo);
	ck_assert_str_eq(cfg.public_ip, "");
	ck_assert_str_eq(cfg.stun_server, "");
	ck_assert_str_eq(cfg.turn_urls, "");
	ck_assert_str_eq(cfg.turn_secret, "");
	ck_assert_int_eq(cfg.turn_credential_hours, 6);
	ck_assert(!cfg.media_loopback_only);
	ck_assert(cfg.media_passthrough);
	ck_assert_int_eq(cfg.media_passthrough_max_kbps, 4000);
	ck_assert_int_eq(cfg.video_bitrate_kbps, 1500);
	ck_assert_str_eq(cfg.recordings_dir, "");
	ck_assert_int_eq(cfg.shutdown_grace_ms, 5000);
}
END_TEST

/* conf/sinian.conf documents every default: loading it changes nothing. */
START_TEST(shipped_conf_is_the_defaults)
{
	const char *root = getenv("SINIAN_SOURCE_DIR");
	char *path = g_build_filename(root ? root : SINIAN_SOURCE_DIR, "conf",
	                              "sinian.conf", NULL);
	struct config def, cfg;
	struct err_detail err = {0};

	config_defaults(&def);
	config_defaults(&cfg);
	ck_assert_msg(config_load_file(&cfg, path, &err) == 0, "%s", err.msg);
	ck_assert_msg(memcmp(&def, &cfg, sizeof(cfg)) == 0,
	              "conf/sinian.conf differs from the built-in defaults");
	g_free(path);
}
END_TEST

START_TEST(good_file)
{
	struct config cfg;
	struct err_detail err = {0};
	char *path =
	    write_conf("good.conf", "# a comment\n"
	                            "; another comment\n"
	                            "\n"
	                            "   \t  \n"
	                            "listen=0.0.0.0:9000\n"
	                            "  data_dir   =   /srv/sinian   \n"
	                            "\tlog_level\t=\tdebug\n"
	                            "web_dir = \"/opt/web dir\"\n"
	                            "redis_url = \"\"\n"
	                            "max_body_bytes = 2048\n"
	                            "max_upload_bytes = 1024\n"
	                            "cookie_secure = yes\n"
	                            "demo = 0\n"
	                            "media_loopback_only = true\n"
	                            "media_passthrough = false\n"
	                            "media_passthrough_max_kbps = 0\n"
	                            "trusted_origins = https://a.example "
	                            "https://b.example\n"
	                            "shutdown_grace_ms = 0\n"
	                            "video_bitrate_kbps = 20000\n"
	                            "stun_server = stun:127.0.0.1:3478\n"
	                            "public_ip =\n"
	                            "# last line without a newline\n"
	                            "session_ttl_hours = 1");

	config_defaults(&cfg);
	ck_assert_msg(config_load_file(&cfg, path, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(cfg.listen, "0.0.0.0:9000");
	ck_assert_str_eq(cfg.data_dir, "/srv/sinian");
	ck_assert_str_eq(cfg.log_level, "debug");
	ck_assert_str_eq(cfg.web_dir, "/opt/web dir");
	ck_assert_str_eq(cfg.redis_url, "");
	ck_assert_int_eq(cfg.max_body_bytes, 2048);
	ck_assert_int_eq(cfg.max_upload_bytes, 1024);
	ck_assert(cfg.cookie_secure);
	ck_assert(!cfg.demo);
	ck_assert(cfg.media_loopback_only);
	ck_assert(!cfg.media_passthrough);
	ck_assert_int_eq(cfg.media_passthrough_max_kbps, 0);
	ck_assert_str_eq(cfg.trusted_origins,
	                 "https://a.example https://b.example");
	ck_assert_int_eq(cfg.shutdown_grace_ms, 0);
	ck_assert_int_eq(cfg.video_bitrate_kbps, 20000);
	ck_assert_str_eq(cfg.stun_server, "stun:127.0.0.1:3478");
	ck_assert_str_eq(cfg.public_ip, "");
	ck_assert_int_eq(cfg.session_ttl_hours, 1);
	/* untouched settings keep their defaults */
	ck_assert_int_eq(cfg.rate_limit_writes, 120);
	g_free(path);
}
END_TEST

START_TEST(bools_and_quotes)
{
	static const struct {
		const char *text;
		bool want;
	} bools[] = {
	    {"true", true},   {"yes", true}, {"1", true},
	    {"false", false}, {"no", false}, {"0", false},
	};
	struct config cfg;
	struct err_detail err = {0};

	config_defaults(&cfg);
	for (size_t i = 0; i < G_N_ELEMENTS(bools); i++) {
		cfg.cookie_secure = !bools[i].want;
		ck_assert_int_eq(config_set(&cfg, "cookie_secure",
		                            bools[i].text, "t", 1, &err),
		                 0);
		ck_assert_int_eq(cfg.cookie_secure, bools[i].want);
	}
	/* one pair of quotes is stripped; a lone quote is kept */
	{
		char *path = write_conf("q.conf", "data_dir = \"\"x\"\"\n"
		                                  "web_dir = \"half\n");

		ck_assert_int_eq(config_load_file(&cfg, path, &err), 0);
		ck_assert_str_eq(cfg.data_dir, "\"x\"");
		ck_assert_str_eq(cfg.web_dir, "\"half");
		g_free(path);
	}
}
END_TEST

START_TEST(bad_unknown_key)
{
	BAD("listen = 127.0.0.1:1\n\nno_such_key = 1\n", 3, "no_such_key",
	    "unknown");
}
END_TEST

START_TEST(bad_missing_equals)
{
	BAD("# ok\nlisten 127.0.0.1:8080\n", 2, "listen", "key = value");
}
END_TEST

START_TEST(bad_empty_key)
{
	BAD("demo = true\n = 5\n", 2, "empty key");
}
END_TEST

START_TEST(bad_integer)
{
	BAD("max_body_bytes = 12x\n", 1, "max_body_bytes", "integer");
	BAD("max_body_bytes =\n", 1, "max_body_bytes", "integer");
	BAD("max_body_bytes = 1.5e6\n", 1, "max_body_bytes", "integer");
	BAD("max_body_bytes = 99999999999999999999999\n", 1, "max_body_bytes");
}
END_TEST

START_TEST(bad_range)
{
	BAD("max_body_bytes = 1023\n", 1, "max_body_bytes", "range");
	BAD("max_body_bytes = 67108865\n", 1, "max_body_bytes", "range");
	BAD("\n\n\nshutdown_grace_ms = -1\n", 4, "shutdown_grace_ms", "range");
	BAD("video_bitrate_kbps = 20001\n", 1, "video_bitrate_kbps", "range");
}
END_TEST

START_TEST(bad_bool)
{
	BAD("demo = maybe\n", 1, "demo", "true or false");
	BAD("cookie_secure = TRUE1\n", 1, "cookie_secure");
	BAD("demo =\n", 1, "demo");
}
END_TEST

START_TEST(bad_enum)
{
	BAD("log_level = loud\n", 1, "log_level", "debug|info|warn|error");
	BAD("log_level = INFO\n", 1, "log_level");
	BAD("log_level = inf\n", 1, "log_level");
	BAD("log_level =\n", 1, "log_level");
}
END_TEST

START_TEST(bad_listen)
{
	BAD("listen = localhost\n", 1, "listen", "ADDR:PORT");
	BAD("listen = :8080\n", 1, "listen");
	BAD("listen = 127.0.0.1:\n", 1, "listen");
	BAD("listen = 127.0.0.1:65536\n", 1, "listen");
	BAD("listen = 127.0.0.1:80x\n", 1, "listen");
	BAD("listen = 127.0.0.1:-1\n", 1, "listen");
}
END_TEST

START_TEST(bad_too_long_value)
{
	char *text;
	char *v = g_strnfill(CONFIG_STR_MAX, 'a');

	text = g_strdup_printf("# x\nweb_dir = %s\n", v);
	BAD(text, 2, "web_dir", "longer");
	g_free(text);
	/* CONFIG_STR_MAX - 1 bytes fit exactly */
	{
		struct config cfg;
		struct err_detail err = {0};

		v[CONFIG_STR_MAX - 1] = '\0';
		config_defaults(&cfg);
		ck_assert_int_eq(config_set(&cfg, "web_dir", v, "t", 1, &err),
		                 0);
		ck_assert_uint_eq(strlen(cfg.web_dir), CONFIG_STR_MAX - 1);
	}
	/* a short field (public_ip is 64 bytes) */
	text = g_strdup_printf("public_ip = %.64s\n", v);
	BAD(text, 1, "public_ip", "longer");
	g_free(text);
	g_free(v);
}
END_TEST

START_TEST(bad_too_long_line)
{
	char *v = g_strnfill(4000, 'b');
	char *text = g_strdup_printf("demo = true\n# %s\n", v);

	/* even a comment line over the line buffer is refused */
	BAD(text, 2, "too long");
	g_free(text);
	g_free(v);
}
END_TEST

/* The first bad line stops the parse; lines before it were applied. */
START_TEST(stops_at_first_error)
{
	struct config cfg;
	struct err_detail err = {0};
	char *path = write_conf("two.conf", "demo = false\n"
	                                    "log_level = bad\n"
	                                    "no_such = 1\n");

	config_defaults(&cfg);
	ck_assert_int_eq(config_load_file(&cfg, path, &err), ERR_INVALID);
	ck_assert_msg(strstr(err.msg, ":2: log_level") != NULL, "%s", err.msg);
	ck_assert(!cfg.demo);
	g_free(path);
}
END_TEST

START_TEST(missing_file)
{
	struct config cfg;
	struct err_detail err = {0};
	char *path = g_build_filename(tmpdir, "nope.conf", NULL);

	config_defaults(&cfg);
	ck_assert_int_eq(config_load_file(&cfg, path, &err), ERR_IO);
	ck_assert_msg(strstr(err.msg, path) != NULL, "%s", err.msg);
	/* a directory is not a config file either */
	ck_assert_int_eq(config_load_file(&cfg, tmpdir, &err), ERR_IO);
	ck_assert_msg(strstr(err.msg, tmpdir) != NULL, "%s", err.msg);
	g_free(path);
}
END_TEST

START_TEST(set_overrides)
{
	struct config cfg;
	struct err_detail err = {0};
	char *path = write_conf("o.conf", "listen = 127.0.0.1:1111\n"
	                                  "data_dir = from-file\n");

	config_defaults(&cfg);
	ck_assert_int_eq(config_load_file(&cfg, path, &err), 0);
	ck_assert_int_eq(config_set(&cfg, "listen", "127.0.0.1:2222",
	                            "command line", 0, &err),
	                 0);
	ck_assert_int_eq(
	    config_set(&cfg, "data_dir", "/tmp/x", "command line", 0, &err), 0);
	ck_assert_int_eq(config_set(&cfg, "redis_url", "redis://127.0.0.1:1",
	                            "command line", 0, &err),
	                 0);
	ck_assert_str_eq(cfg.listen, "127.0.0.1:2222");
	ck_assert_str_eq(cfg.data_dir, "/tmp/x");
	ck_assert_str_eq(cfg.redis_url, "redis://127.0.0.1:1");

	ck_assert_int_eq(
	    config_set(&cfg, "bogus", "1", "command line", 0, &err),
	    ERR_INVALID);
	ck_assert_str_eq(err.msg, "command line:0: bogus: unknown setting");
	ck_assert_int_eq(
	    config_set(&cfg, "listen", "nope", "command line", 0, &err),
	    ERR_INVALID);
	ck_assert_msg(strstr(err.msg, "command line:0: listen:") == err.msg,
	              "%s", err.msg);
	ck_assert_int_eq(
	    config_set(&cfg, "session_ttl_hours", "0", "x.conf", 7, &err),
	    ERR_INVALID);
	ck_assert_msg(strstr(err.msg, "x.conf:7: session_ttl_hours:") ==
	                  err.msg,
	              "%s", err.msg);
	ck_assert_int_eq(cfg.session_ttl_hours, 720);
	g_free(path);
}
END_TEST

START_TEST(paths)
{
	struct config cfg;
	char out[64];
	char small[8];

	config_defaults(&cfg);
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "/data");
	ck_assert_int_eq(config_path(&cfg, "", "secret.key", out, sizeof(out)),
	                 0);
	ck_assert_str_eq(out, "/data/secret.key");
	ck_assert_int_eq(
	    config_path(&cfg, NULL, "recordings", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/data/recordings");
	ck_assert_int_eq(
	    config_path(&cfg, "/etc/k.key", "secret.key", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/etc/k.key");
	ck_assert_int_eq(
	    config_path(&cfg, "", "secret.key", small, sizeof(small)),
	    ERR_INVALID);
	ck_assert_int_eq(
	    config_path(&cfg, "/a/long/path", "k", small, sizeof(small)),
	    ERR_INVALID);
	/* exactly fits: 7 characters + NUL */
	ck_assert_int_eq(
	    config_path(&cfg, "1234567", "k", small, sizeof(small)), 0);
	ck_assert_str_eq(small, "1234567");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, shipped_conf_is_the_defaults);
	tcase_add_test(tc, good_file);
	tcase_add_test(tc, bools_and_quotes);
	tcase_add_test(tc, bad_unknown_key);
	tcase_add_test(tc, bad_missing_equals);
	tcase_add_test(tc, bad_empty_key);
	tcase_add_test(tc, bad_integer);
	tcase_add_test(tc, bad_range);
	tcase_add_test(tc, bad_bool);
	tcase_add_test(tc, bad_enum);
	tcase_add_test(tc, bad_listen);
	tcase_add_test(tc, bad_too_long_value);
	tcase_add_test(tc, bad_too_long_line);
	tcase_add_test(tc, stops_at_first_error);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, set_overrides);
	tcase_add_test(tc, paths);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
