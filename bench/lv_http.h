/* lv_http.h — the load client's HTTP requests (libcurl): WHEP POST and
 * DELETE, and Janus's JSON API. One CURL handle per thread, kept between
 * requests so that its connection is reused.
 */
#ifndef LV_HTTP_H
#define LV_HTTP_H

#include <curl/curl.h>
#include <stdatomic.h>
#include <stddef.h>

struct lv_http_res {
	long status;
	char *body; /* NUL-terminated, owned; "" if none */
	size_t len;
	char location[512]; /* Location header, as sent */
};

/* method url with an optional body of type ctype and bearer token; gives
 * up after timeout_ms, or as soon as *abort turns true (abort may be
 * NULL). 0 with *r filled (any status), or -1 with no answer. */
int lv_http(CURL *c, const char *method, const char *url, const char *ctype,
            const char *body, const char *token, long timeout_ms,
            const atomic_bool *abort, struct lv_http_res *r);
void lv_http_res_clear(struct lv_http_res *r);

/* A Location made absolute against the URL it answered ("/whep/1/x" on
 * "http://127.0.0.1:8080/whep/1" → "http://127.0.0.1:8080/whep/1/x"). */
void lv_http_resolve(const char *base, const char *loc, char *out, size_t cap);

#endif
