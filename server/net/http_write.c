/* http_write.c — writing a response on its connection (lws thread): the
 * status line, the handler's headers and the security headers every answer
 * carries, then the body from memory or from a file, a chunk a writable
 * callback. What happens to the exchange and the connection afterwards is
 * http.c's. */
#include "http_int.h"

#include <libwebsockets.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HTTP_CHUNK 16384

static int security_headers(struct lws *wsi, unsigned char **p,
                            unsigned char *end)
{
	static const char *const h[][2] = {
	    {"content-security-policy:",
	     "default-src 'self'; img-src 'self' data: blob:; "
	     "media-src 'self' blob:; connect-src 'self' ws: wss:; "
	     "style-src 'self'; script-src 'self'; object-src 'none'; "
	     "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
	    {"x-content-type-options:", "nosniff"},
	    {"x-frame-options:", "DENY"},
	    {"referrer-policy:", "same-origin"},
	    {"cross-origin-opener-policy:", "same-origin"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(h); i++)
		if (lws_add_http_header_by_name(wsi,
		                                (const unsigned char *)h[i][0],
		                                (const unsigned char *)h[i][1],
		                                (int)strlen(h[i][1]), p, end))
			return -1;
	return 0;
}

/* Add the handler's extra headers ("Name: value\r\n" lines). */
static int extra_headers(struct lws *wsi, const GString *hs, unsigned char **p,
                         unsigned char *end)
{
	char **lines = g_strsplit(hs->str, "\r\n", -1);
	int rc = 0;

	for (char **l = lines; *l && rc == 0; l++) {
		char *colon = strchr(*l, ':');
		char name[96];
		const char *v;

		if (!colon || colon - *l >= (long)sizeof(name) - 2)
			continue;
		snprintf(name, sizeof(name), "%.*s:", (int)(colon - *l), *l);
		v = colon + 1;
		while (*v == ' ')
			v++;
		if (lws_add_http_header_by_name(wsi, (unsigned char *)name,
		                                (const unsigned char *)v,
		                                (int)strlen(v), p, end))
			rc = -1;
	}
	g_strfreev(lines);
	return rc;
}

/* The body's length as the headers give it: nothing for 304 and 204. */
static size_t body_length(const struct http_resp *r)
{
	if (r->status == 304 || r->status == 204)
		return 0;
	return r->file_fd >= 0 ? (size_t)r->file_len : r->body->len;
}

/* The length of the body to send: as given, but nothing for HEAD. */
static size_t body_total(const struct http_exchange *x)
{
	return x->head_only ? 0 : body_length(&x->resp);
}

/* Put the status line and headers at *p (up to end). */
static int put_headers(struct http_exchange *x, unsigned char **p,
                       unsigned char *end)
{
	struct http_resp *r = &x->resp;
	const char *ctype = r->content_type[0] ? r->content_type : NULL;

	if (lws_add_http_common_headers(x->wsi, (unsigned)r->status, ctype,
	                                (lws_filepos_t)body_length(r), p,
	                                end) ||
	    security_headers(x->wsi, p, end) ||
	    extra_headers(x->wsi, r->headers, p, end))
		return -1;
	if (r->close && lws_add_http_header_by_name(
	                    x->wsi, (const unsigned char *)"connection:",
	                    (const unsigned char *)"close", 5, p, end))
		return -1;
	return lws_finalize_http_header(x->wsi, p, end) ? -1 : 0;
}

/* Copy up to room bytes of the body from x->out_off to dst. Returns the
 * bytes copied, or -1 if the file could not be read. */
static ssize_t take_body(struct http_exchange *x, unsigned char *dst,
                         size_t room)
{
	struct http_resp *r = &x->resp;
	size_t n = MIN(body_total(x) - x->out_off, room);

	if (n == 0)
		return 0;
	if (r->file_fd >= 0)
		return pread(r->file_fd, dst, n,
		             r->file_off + (off_t)x->out_off);
	memcpy(dst, r->body->str + x->out_off, n);
	return (ssize_t)n;
}

/* Write the next piece of x's response: first the headers with as much
 * of the body as fits after them, in one write (as lws's own status pages
 * do on HTTP/1), then the rest a chunk a callback. 1 once it is all out,
 * 0 while more waits (a writable callback is asked for), -1 to close. */
int http_write_next(struct http_exchange *x)
{
	unsigned char buf[LWS_PRE + HTTP_CHUNK];
	unsigned char *start = buf + LWS_PRE, *p = start;
	struct lws *wsi = x->wsi;
	size_t total = body_total(x);
	ssize_t got;

	if (!x->headers_sent) {
		if (put_headers(x, &p, buf + sizeof(buf) - 1))
			return -1;
		x->headers_sent = TRUE;
	}
	got = take_body(x, p, (size_t)(buf + sizeof(buf) - p));
	if (got < 0 || (got == 0 && x->out_off < total))
		return -1;
	if (p + got > start &&
	    lws_write(wsi, start, (size_t)(p + got - start),
	              x->out_off + (size_t)got == total
	                  ? LWS_WRITE_HTTP_FINAL
	                  : LWS_WRITE_HTTP) < (int)(p + got - start))
		return -1;
	x->out_off += (size_t)got;
	if (x->out_off < total) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	return 1;
}
