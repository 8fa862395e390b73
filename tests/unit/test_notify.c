/* test_notify.c — the notifier against a real SMTP server: Debian's
 * python3-aiosmtpd run by tests/tools/smtp_sink.py on a loopback port,
 * with a login. Asserts on the message as received (envelope, login,
 * headers, the Chinese subject and text decoded), on a refused login
 * counted as failed without retries, on stopping while a message waits to
 * be retried, and on the queue's limits and refusals.
 */
#include "config.h"
#include "err.h"
#include "notify.h"
#include "notify_curl.h"

#include <check.h>
#include <glib.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SINK_USER "sinian"
#define SINK_PASS "s3cret-pass"

static GPid sink_pid;
static int sink_port, sink_stdin;
static char *sink_dir;

static void sink_start(void)
{
	const char *src = getenv("SINIAN_SOURCE_DIR");
	char *script = g_build_filename(src ? src : SINIAN_SOURCE_DIR, "tests",
	                                "tools", "smtp_sink.py", NULL);
	char *argv[] = {"/usr/bin/python3", script,    NULL,
	                SINK_USER,          SINK_PASS, NULL};
	GError *e = NULL;
	int out_fd;
	char line[64] = "";
	FILE *f;

	sink_dir = g_dir_make_tmp("sinian-smtp-XXXXXX", &e);
	ck_assert_ptr_nonnull(sink_dir);
	argv[2] = sink_dir;
	ck_assert_msg(g_spawn_async_with_pipes(
	                  NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
	                  &sink_pid, &sink_stdin, &out_fd, NULL, &e),
	              "cannot start the SMTP sink: %s", e ? e->message : "");
	f = fdopen(out_fd, "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_int_eq(sscanf(line, "ready %d", &sink_port), 1);
	fclose(f);
	g_free(script);
}

static void sink_stop(void)
{
	int status;

	close(sink_stdin);
	kill(sink_pid, SIGTERM);
	waitpid(sink_pid, &status, 0);
	g_spawn_close_pid(sink_pid);
	for (int i = 1; i < 20; i++) {
		char *p = g_strdup_printf("%s/%d.eml", sink_dir, i);
		char *q = g_strdup_printf("%s/%d.json", sink_dir, i);

		unlink(p);
		unlink(q);
		g_free(p);
		g_free(q);
	}
	rmdir(sink_dir);
	g_free(sink_dir);
}

static struct config smtp_config(int port, const char *password)
{
	struct config c;
	char p[16];
	struct err_detail err = {0};

	config_defaults(&c);
	snprintf(p, sizeof(p), "%d", port);
	ck_assert_int_eq(config_set(&c, "notify_email", "smtp", "t", 0, &err),
	                 0);
	config_set(&c, "smtp_host", "127.0.0.1", "t", 0, &err);
	config_set(&c, "smtp_port", p, "t", 0, &err);
	config_set(&c, "smtp_tls", "none", "t", 0, &err);
	config_set(&c, "smtp_user", SINK_USER, "t", 0, &err);
	config_set(&c, "smtp_password", password, "t", 0, &err);
	config_set(&c, "smtp_from", "思念 纪念馆 <noreply@sinian.test>", "t", 0,
	           &err);
	return c;
}

static struct notify_msg mail(const char *to, const char *subject,
                              const char *text)
{
	struct notify_msg m = {.channel = NOTIFY_EMAIL};

	snprintf(m.to, sizeof(m.to), "%s", to);
	snprintf(m.subject, sizeof(m.subject), "%s", subject);
	snprintf(m.text, sizeof(m.text), "%s", text);
	snprintf(m.purpose, sizeof(m.purpose), "code");
	return m;
}

/* Wait for the sink's n-th message; its text, or NULL after 10 s. */
static char *received(int n, json_t **meta)
{
	char *js = g_strdup_printf("%s/%d.json", sink_dir, n);
	char *eml = g_strdup_printf("%s/%d.eml", sink_dir, n);
	char *text = NULL;

	for (int i = 0; i < 200 && !g_file_test(js, G_FILE_TEST_EXISTS); i++)
		g_usleep(50000);
	if (g_file_get_contents(eml, &text, NULL, NULL))
		*meta = json_load_file(js, 0, NULL);
	g_free(js);
	g_free(eml);
	return text;
}

/* The value of a header (unfolded), or NULL; caller frees. */
static char *header(const char *msg, const char *name)
{
	GRegex *fold = g_regex_new("\r?\n[ \t]+", 0, 0, NULL);
	char *unfolded =
	    g_regex_replace_literal(fold, msg, -1, 0, " ", 0, NULL);
	char *pat = g_strdup_printf("(?m)^%s: *(.*?)\r?$", name);
	GRegex *re = g_regex_new(pat, 0, 0, NULL);
	GMatchInfo *mi = NULL;
	char *v = NULL;

	if (g_regex_match(re, unfolded, 0, &mi))
		v = g_match_info_fetch(mi, 1);
	g_match_info_free(mi);
	g_regex_unref(re);
	g_regex_unref(fold);
	g_free(pat);
	g_free(unfolded);
	return v;
}

/* Decode "=?UTF-8?B?...?= =?UTF-8?B?...?=" into UTF-8. */
static char *decode_words(const char *v)
{
	GString *out = g_string_new(NULL);
	const char *p = v;

	while ((p = strstr(p, "=?UTF-8?B?"))) {
		const char *end = strstr(p + 10, "?=");
		char *b64 = g_strndup(p + 10, (gsize)(end - p - 10));
		gsize n;
		guchar *raw = g_base64_decode(b64, &n);

		g_string_append_len(out, (const char *)raw, (gssize)n);
		g_free(raw);
		g_free(b64);
		p = end + 2;
	}
	return g_string_free(out, FALSE);
}

static __attribute__((noinline)) char *body_of(const char *msg)
{
	const char *b = strstr(msg, "\r\n\r\n");
	guchar *raw;
	char *text;
	gsize n;

	if (!b)
		ck_abort_msg("no body");
	raw = g_base64_decode(b + 4, &n);
	text = g_strndup((const char *)raw, n);
	g_free(raw);
	return text;
}

START_TEST(smtp_delivers_to_a_real_server)
{
	struct config c = smtp_config(sink_port, SINK_PASS);
	struct notify *n = NULL;
	const char *subject =
	    "思念：您的验证码 — sign-in code for the memorial "
	    "of 李秀英, valid for ten minutes";
	const char *text = "您的验证码是 482913，10 分钟内有效。\n"
	                   "Your code is 482913.";
	struct notify_msg m = mail("grandma@example.cn", subject, text);
	struct notify_stats st;
	struct err_detail err = {0};
	char *msg, *v, *dec, *body;
	json_t *meta = NULL;

	ck_assert_int_eq(notify_new(&c, &n, &err), 0);
	ck_assert(notify_can(n, NOTIFY_EMAIL));
	ck_assert(notify_can(n, NOTIFY_SMS)); /* the log transport */
	ck_assert_int_eq(notify_send(n, &m), 0);
	ck_assert(notify_flush(n, 20000));
	msg = received(1, &meta);
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(json_string_value(json_object_get(meta, "mail_from")),
	                 "noreply@sinian.test");
	ck_assert_str_eq(json_string_value(json_array_get(
	                     json_object_get(meta, "rcpt_tos"), 0)),
	                 "grandma@example.cn");
	ck_assert_str_eq(json_string_value(json_object_get(meta, "auth_user")),
	                 SINK_USER);
	v = header(msg, "To");
	ck_assert_str_eq(v, "<grandma@example.cn>");
	g_free(v);
	v = header(msg, "From");
	ck_assert_ptr_nonnull(strstr(v, "<noreply@sinian.test>"));
	dec = decode_words(v);
	ck_assert_str_eq(dec, "思念 纪念馆");
	g_free(dec);
	g_free(v);
	v = header(msg, "Subject");
	dec = decode_words(v);
	ck_assert_str_eq(dec, subject);
	g_free(dec);
	g_free(v);
	v = header(msg, "Content-Type");
	ck_assert_str_eq(v, "text/plain; charset=UTF-8");
	g_free(v);
	v = header(msg, "Message-ID");
	ck_assert_ptr_nonnull(strstr(v, "@sinian.test>"));
	g_free(v);
	body = body_of(msg);
	ck_assert_str_eq(body, text);
	g_free(body);
	notify_get_stats(n, &st);
	ck_assert_uint_eq(st.sent, 1);
	ck_assert_uint_eq(st.failed, 0);
	json_decref(meta);
	g_free(msg);
	notify_free(n);
}
END_TEST

START_TEST(refused_login_fails_without_retry)
{
	struct config c = smtp_config(sink_port, "wrong password");
	struct notify_msg m = mail("a@example.cn", "s", "t");
	struct notify *n = NULL;
	struct notify_stats st;
	gint64 t0 = g_get_monotonic_time();
	struct err_detail err = {0};
	char *second;

	ck_assert_int_eq(notify_new(&c, &n, &err), 0);
	ck_assert_int_eq(notify_send(n, &m), 0);
	ck_assert(notify_flush(n, 20000));
	/* 535 is final: no 2 s wait for a second try */
	ck_assert_int_lt(g_get_monotonic_time() - t0, 2000000);
	notify_get_stats(n, &st);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_uint_eq(st.sent, 0);
	notify_free(n);
	/* nothing arrived after the first test's message */
	second = g_strdup_printf("%s/2.eml", sink_dir);
	ck_assert(!g_file_test(second, G_FILE_TEST_EXISTS));
	g_free(second);
}
END_TEST

START_TEST(stop_while_waiting_to_retry)
{
	struct config c = smtp_config(1, SINK_PASS); /* nobody listens */
	struct notify_msg m = mail("a@example.cn", "s", "t");
	struct notify *n = NULL;
	struct notify_stats st;
	struct err_detail err = {0};
	gint64 t0;
	int full = 0;

	c.notify_queue_max = 1;
	ck_assert_int_eq(notify_new(&c, &n, &err), 0);
	ck_assert_int_eq(notify_send(n, &m), 0);
	for (int i = 0; i < 3; i++)
		full += notify_send(n, &m) == ERR_FULL;
	ck_assert_int_ge(full, 1);
	ck_assert(!notify_flush(n, 300)); /* still retrying the first */
	t0 = g_get_monotonic_time();
	notify_get_stats(n, &st);
	ck_assert_uint_ge(st.dropped, 1);
	notify_free(n); /* must not wait out the retries */
	ck_assert_int_lt(g_get_monotonic_time() - t0, 1500000);
}
END_TEST

START_TEST(refusals)
{
	struct config c;
	struct notify *n = NULL;
	struct notify_msg m = mail("a@example.cn\r\nBcc: x@y.z", "s", "t");
	struct notify_stats st;
	struct err_detail err = {0};

	config_defaults(&c);
	config_set(&c, "notify_email", "off", "t", 0, &err);
	ck_assert_int_eq(notify_new(&c, &n, &err), 0);
	ck_assert(!notify_can(n, NOTIFY_EMAIL));
	ck_assert_int_eq(notify_send(n, &m), ERR_UNAVAILABLE);
	m.channel = NOTIFY_SMS;
	snprintf(m.to, sizeof(m.to), "1381234567"); /* 10 digits */
	ck_assert_int_eq(notify_send(n, &m), ERR_INVALID);
	snprintf(m.to, sizeof(m.to), "13812345678");
	ck_assert_int_eq(notify_send(n, &m), 0); /* printed: log transport */
	ck_assert(notify_flush(n, 5000));
	notify_get_stats(n, &st);
	ck_assert_uint_eq(st.sent, 1);
	notify_free(n);
	notify_free(NULL);
	/* settings that cannot work are refused at start-up */
	c = smtp_config(25, "x");
	config_set(&c, "smtp_from", "no address here", "t", 0, &err);
	ck_assert_int_eq(notify_new(&c, &n, &err), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "smtp_from"));
	config_defaults(&c);
	config_set(&c, "notify_sms", "webhook", "t", 0, &err);
	ck_assert_int_eq(notify_new(&c, &n, &err), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "sms_webhook_url"));
	m = mail("a@b.cn", "s", "t");
	m.channel = NOTIFY_EMAIL;
	snprintf(m.to, sizeof(m.to), "@b.cn");
	c = smtp_config(25, "x");
	ck_assert_int_eq(notify_new(&c, &n, &err), 0);
	ck_assert_int_eq(notify_send(n, &m), ERR_INVALID);
	notify_free(n);
}
END_TEST

START_TEST(mail_text_shape)
{
	struct notify_curl_smtp s;
	struct notify_msg m = mail("x@y.cn", "", "hello");
	struct err_detail why = {0};
	char *t, **lines;

	ck_assert_int_eq(notify_curl_smtp_init(&s, "mail.example.org", 465,
	                                       "tls", "", "", "a@b.org", &why),
	                 0);
	ck_assert_str_eq(s.url, "smtps://mail.example.org:465");
	ck_assert(!s.starttls);
	/* a long Chinese subject: several encoded words, no line over 78 */
	memset(m.subject, 0, sizeof(m.subject));
	for (int i = 0; i < 40; i++)
		strcat(m.subject, "思");
	t = notify_curl_mail_text(&s, &m);
	lines = g_strsplit(t, "\r\n", -1);
	for (char **p = lines; *p; p++)
		ck_assert_int_le(strlen(*p), 78);
	g_strfreev(lines);
	ck_assert_ptr_nonnull(strstr(t, "From: a@b.org\r\n"));
	g_free(t);
	ck_assert_int_eq(
	    notify_curl_smtp_init(&s, "", 25, "none", "", "", "a@b.org", &why),
	    ERR_INVALID);
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("smtp");

	tcase_add_unchecked_fixture(tc, sink_start, sink_stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, smtp_delivers_to_a_real_server);
	tcase_add_test(tc, refused_login_fails_without_retry);
	tcase_add_test(tc, stop_while_waiting_to_retry);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, mail_text_shape);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(notify_suite());
	int failed;

	/* the sink and the tests share files: one process */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
