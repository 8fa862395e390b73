/* notify_curl.c — e-mail over SMTP and text messages over an HTTP webhook,
 * with libcurl's easy interface.
 *
 * Owns the wire form of what the notifier sends: the RFC 5322 message
 * (headers, RFC 2047 subject, base64 text) and the webhook's JSON body. It
 * runs only on the notifier's worker thread, one easy handle a message;
 * it never logs a recipient or a text. Called by notify.c and the unit
 * tests.
 */
#include "notify_curl.h"
#include "err.h"
#include "notify.h"

#include <curl/curl.h>
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEND_TIMEOUT_S    30
#define CONNECT_TIMEOUT_S 10

/* ---------- settings ---------- */

static void trim_into(char *out, size_t outlen, const char *s, size_t n)
{
	while (n && g_ascii_isspace(*s))
		s++, n--;
	while (n && g_ascii_isspace(s[n - 1]))
		n--;
	snprintf(out, outlen, "%.*s", (int)n, s);
}

int notify_curl_smtp_init(struct notify_curl_smtp *s, const char *host,
                          long port, const char *tls, const char *user,
                          const char *password, const char *from,
                          struct err_detail *e)
{
	const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	memset(s, 0, sizeof(*s));
	if (!host[0] || strpbrk(host, "/ \t\r\n"))
		return err_fail(e, ERR_INVALID, NULL,
		                "smtp_host: a host name is needed");
	if (lt && gt)
		trim_into(s->from_addr, sizeof(s->from_addr), lt + 1,
		          (size_t)(gt - lt - 1));
	else
		trim_into(s->from_addr, sizeof(s->from_addr), from,
		          strlen(from));
	if (!strchr(s->from_addr, '@') || strpbrk(s->from_addr, " <>\r\n"))
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "smtp_from: needs an address (\"Name <a@b.org>\")");
	snprintf(s->url, sizeof(s->url), "%s://%s:%ld",
	         strcmp(tls, "tls") == 0 ? "smtps" : "smtp", host, port);
	s->starttls = strcmp(tls, "starttls") == 0;
	snprintf(s->user, sizeof(s->user), "%s", user);
	snprintf(s->password, sizeof(s->password), "%s", password);
	snprintf(s->from, sizeof(s->from), "%s", from);
	return 0;
}

/* ---------- the message ---------- */

static bool ascii_printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* RFC 2047 encoded words for a header value, folded; ASCII stays as is.
 * Each word carries at most 39 bytes of whole UTF-8 characters, so that
 * even the first, after "Subject: ", stays within 76 characters. */
static void append_encoded(GString *out, const char *s)
{
	const char *p = s, *end = s + strlen(s);

	if (ascii_printable(s, strlen(s))) {
		g_string_append(out, s);
		return;
	}
	while (p < end) {
		const char *q = p;
		gchar *b64;

		while (q < end) {
			const char *next = g_utf8_next_char(q);

			if (next - p > 39)
				break;
			q = next;
		}
		if (q == p) /* invalid UTF-8: take the byte */
			q = p + 1;
		b64 = g_base64_encode((const guchar *)p, (gsize)(q - p));
		g_string_append_printf(
		    out, "%s=?UTF-8?B?%s?=", p == s ? "" : "\r\n ", b64);
		g_free(b64);
		p = q;
	}
}

/* "Name <addr>" with the name encoded when it is not ASCII. */
static void append_mailbox(GString *out, const char *from, const char *addr)
{
	const char *lt = strchr(from, '<');
	char name[512];

	if (!lt) {
		g_string_append(out, addr);
		return;
	}
	trim_into(name, sizeof(name), from, (size_t)(lt - from));
	if (name[0]) {
		append_encoded(out, name);
		g_string_append_c(out, ' ');
	}
	g_string_append_printf(out, "<%s>", addr);
}

/* RFC 5322 date in English whatever the locale: "Fri, 04 Dec 2026 ...". */
static void append_date(GString *out)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
	                                   "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
	                                     "May", "Jun", "Jul", "Aug",
	                                     "Sep", "Oct", "Nov", "Dec"};
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	g_string_append_printf(out,
	                       "Date: %s, %02d %s %04d %02d:%02d:%02d "
	                       "+0000\r\n",
	                       days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	                       tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	                       tm.tm_sec);
}

char *notify_curl_mail_text(const struct notify_curl_smtp *s,
                            const struct notify_msg *m)
{
	GString *out = g_string_new(NULL);
	const char *domain = strchr(s->from_addr, '@') + 1;
	gchar *b64 = g_base64_encode((const guchar *)m->text, strlen(m->text));
	size_t n = strlen(b64);

	append_date(out);
	g_string_append(out, "From: ");
	append_mailbox(out, s->from, s->from_addr);
	g_string_append_printf(out, "\r\nTo: <%s>\r\nSubject: ", m->to);
	append_encoded(out, m->subject);
	g_string_append_printf(out,
	                       "\r\nMessage-ID: <%08x%08x.%lld@%s>\r\n"
	                       "MIME-Version: 1.0\r\n"
	                       "Content-Type: text/plain; charset=UTF-8\r\n"
	                       "Content-Transfer-Encoding: base64\r\n"
	                       "Auto-Submitted: auto-generated\r\n\r\n",
	                       g_random_int(), g_random_int(),
	                       (long long)time(NULL), domain);
	for (size_t i = 0; i < n; i += 76)
		g_string_append_printf(out, "%.*s\r\n", (int)MIN(76, n - i),
		                       b64 + i);
	g_free(b64);
	return g_string_free(out, FALSE);
}

/* ---------- SMTP ---------- */

struct reader {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct reader *r = ud;
	size_t room = size * nmemb, n = r->len - r->off;

	if (n > room)
		n = room;
	memcpy(buf, r->data + r->off, n);
	r->off += n;
	return n;
}

static void common_opts(CURL *c)
{
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SEND_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
}

enum notify_curl_result notify_curl_smtp_send(const struct notify_curl_smtp *s,
                                              const struct notify_msg *m,
                                              struct err_detail *e)
{
	char *text = notify_curl_mail_text(s, m);
	struct reader r = {text, strlen(text), 0};
	struct curl_slist *rcpt = NULL;
	char from[300], to[300];
	enum notify_curl_result res = NOTIFY_CURL_RETRY;
	CURL *c = curl_easy_init();
	CURLcode cc;
	long code = 0;

	snprintf(from, sizeof(from), "<%s>", s->from_addr);
	snprintf(to, sizeof(to), "<%s>", m->to);
	rcpt = curl_slist_append(rcpt, to);
	if (!c || !rcpt) {
		err_fail(e, ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	common_opts(c);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(
	    c, CURLOPT_USE_SSL,
	    (long)(s->starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
	if (s->user[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK) {
		res = NOTIFY_CURL_OK;
	} else {
		/* 5xx replies and refused logins will not change by waiting */
		res = code >= 500 || cc == CURLE_LOGIN_DENIED
		          ? NOTIFY_CURL_FAIL
		          : NOTIFY_CURL_RETRY;
		err_fail(e, ERR_UNAVAILABLE, NULL, "%s (SMTP reply %ld)",
		         curl_easy_strerror(cc), code);
	}
out:
	curl_slist_free_all(rcpt);
	if (c)
		curl_easy_cleanup(c);
	g_free(text);
	return res;
}

/* ---------- the SMS webhook ---------- */

static size_t discard_cb(char *buf, size_t size, size_t nmemb, void *ud)
{
	(void)buf;
	(void)ud;
	return size * nmemb;
}

enum notify_curl_result
notify_curl_webhook_send(const struct notify_curl_webhook *w,
                         const struct notify_msg *m, struct err_detail *e)
{
	json_t *j = json_pack("{s:s+,s:s,s:s}", "to", "+86", m->to, "text",
	                      m->text, "purpose", m->purpose);
	char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	struct curl_slist *h = NULL;
	char auth[300];
	enum notify_curl_result res = NOTIFY_CURL_RETRY;
	CURL *c = curl_easy_init();
	CURLcode cc;
	long code = 0;

	h = curl_slist_append(h, "Content-Type: application/json");
	if (w->token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		         w->token);
		h = curl_slist_append(h, auth);
	}
	if (!c || !body || !h) {
		err_fail(e, ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	common_opts(c);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_URL, w->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK && code >= 200 && code < 300) {
		res = NOTIFY_CURL_OK;
	} else {
		res = cc == CURLE_OK && code >= 400 && code < 500 &&
		              code != 408 && code != 429
		          ? NOTIFY_CURL_FAIL
		          : NOTIFY_CURL_RETRY;
		err_fail(e, ERR_UNAVAILABLE, NULL, "%s (HTTP %ld)",
		         curl_easy_strerror(cc), code);
	}
out:
	curl_slist_free_all(h);
	if (c)
		curl_easy_cleanup(c);
	free(body);
	json_decref(j);
	return res;
}
