/* http_msg.c — building responses and reading requests, for handlers on
 * the main loop: the uniform JSON error body, headers, query, path
 * parameters and cookies of the request's header snapshot.
 */
#include "err.h"
#include "http.h"
#include "http_int.h"
#include "jsonx.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct http_exchange *X(struct http_req *req)
{
	return (struct http_exchange *)req->conn;
}

/* ---------- responses ---------- */

void http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	r->body = g_string_new(NULL);
	r->headers = g_string_new(NULL);
	r->file_fd = -1;
}

void http_resp_clear(struct http_resp *r)
{
	if (r->body)
		g_string_free(r->body, TRUE);
	if (r->headers)
		g_string_free(r->headers, TRUE);
	if (r->file_fd >= 0)
		close(r->file_fd);
	memset(r, 0, sizeof(*r));
	r->file_fd = -1;
}

void http_resp_header(struct http_resp *resp, const char *name,
                      const char *value)
{
	g_string_append_printf(resp->headers, "%s: %s\r\n", name, value);
}

void http_resp_data(struct http_resp *resp, int status, const char *ctype,
                    const void *data, size_t len)
{
	resp->status = status;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", ctype);
	g_string_truncate(resp->body, 0);
	g_string_append_len(resp->body, data, (gssize)len);
}

void http_resp_json(struct http_resp *resp, int status, json_t *j)
{
	size_t len = 0;
	char *s = j ? jsonx_dump(j, &len) : NULL;

	if (!s) {
		/* a json_pack that failed: an error, never a part left out */
		log_error("http", "cannot render a %d answer as JSON", status);
		json_decref(j);
		http_resp_errc(resp, 500, "internal", "cannot render JSON");
		return;
	}
	http_resp_data(resp, status, "application/json; charset=utf-8", s, len);
	free(s);
	json_decref(j);
}

static void resp_errv(struct http_resp *resp, int status, const char *code,
                      const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	http_resp_json(resp, status, jsonx_error(code, msg));
}

void http_resp_err(struct http_resp *resp, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	resp_errv(resp, err_http_status(err), err_name(err), fmt, ap);
	va_end(ap);
}

void http_resp_fail(struct http_resp *resp, int rc, const struct err_detail *e)
{
	int status = err_http_status(rc);
	bool plain = !e || !e->code || status >= 500 || rc == ERR_FORBIDDEN ||
	             rc == ERR_UNAUTHORIZED;

	http_resp_errc(resp, status, plain ? err_name(rc) : e->code, "%s",
	               e && e->msg[0] ? e->msg : err_name(rc));
}

void http_resp_lookup(struct http_resp *resp, int rc, const char *fmt, ...)
{
	va_list ap;

	if (rc != ERR_NOT_FOUND) {
		log_error("store", "a lookup failed: %s", err_name(rc));
		http_resp_err(resp, rc, "the records could not be read");
		return;
	}
	va_start(ap, fmt);
	resp_errv(resp, 404, err_name(rc), fmt, ap);
	va_end(ap);
}

void http_resp_errc(struct http_resp *resp, int status, const char *code,
                    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	resp_errv(resp, status, code, fmt, ap);
	va_end(ap);
}

/* ---------- request accessors (main loop) ---------- */

const char *http_header(struct http_req *req, const char *name)
{
	char lname[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(lname) - 1; i++)
		lname[i] = (char)g_ascii_tolower(name[i]);
	lname[i] = '\0';
	return g_hash_table_lookup(X(req)->hdrs, lname);
}

bool http_ctype_is(const char *ctype, const char *type)
{
	size_t n = strlen(type);

	return ctype && g_ascii_strncasecmp(ctype, type, n) == 0 &&
	       (ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ');
}

const char *http_query(struct http_req *req, const char *name)
{
	GPtrArray *q = X(req)->query;
	size_t n = strlen(name);

	for (guint i = 0; i < q->len; i++) {
		const char *kv = g_ptr_array_index(q, i);

		if (strncmp(kv, name, n) == 0 && kv[n] == '=')
			return kv + n + 1;
		if (strcmp(kv, name) == 0)
			return "";
	}
	return NULL;
}

const char *http_param(struct http_req *req, const char *name)
{
	return router_param(&req->params, name);
}

int http_param_id(struct http_req *req, const char *name, int64_t *out)
{
	const char *s = http_param(req, name);
	char *end;
	long long v;

	if (!s)
		return ERR_INVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0)
		return ERR_INVALID;
	*out = v;
	return 0;
}

const char *http_cookie(struct http_req *req, const char *name)
{
	struct http_exchange *x = X(req);
	const char *all = http_header(req, "cookie");
	char key[80];
	const char *p;
	size_t n;

	if (!all)
		return NULL;
	snprintf(key, sizeof(key), "cookie:%s", name);
	if ((p = g_hash_table_lookup(x->hdrs, key)))
		return p;
	n = strlen(name);
	for (p = all; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			const char *v = p + n + 1;
			char *copy = g_strndup(v, strcspn(v, ";"));

			g_hash_table_insert(x->hdrs, g_strdup(key), copy);
			return copy;
		}
		p = strchr(p, ';');
	}
	return NULL;
}
