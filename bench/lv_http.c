/* lv_http.c — HTTP for the load client, on libcurl's easy interface.
 *
 * Owns: the response buffers it returns. Must never: follow redirects or
 * wait past the caller's timeout. Called by lviewers.c and lv_janus.c.
 */
#include "lv_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct lv_http_res *r = user;
	size_t add = size * n;
	char *nb = realloc(r->body, r->len + add + 1);

	if (!nb)
		return 0;
	memcpy(nb + r->len, data, add);
	r->len += add;
	nb[r->len] = 0;
	r->body = nb;
	return add;
}

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
	struct lv_http_res *r = user;
	size_t len = size * n, v = 9;

	if (len > 9 && !strncasecmp(data, "location:", 9)) {
		while (v < len && data[v] == ' ')
			v++;
		while (len > v &&
		       (data[len - 1] == '\r' || data[len - 1] == '\n'))
			len--;
		snprintf(r->location, sizeof(r->location), "%.*s",
		         (int)(len - v), data + v);
	}
	return size * n;
}

static int on_progress(void *user, curl_off_t a, curl_off_t b, curl_off_t c,
                       curl_off_t d)
{
	const atomic_bool *abort = user;

	return abort && atomic_load(abort);
}

int lv_http(CURL *c, const char *method, const char *url, const char *ctype,
            const char *body, const char *token, long timeout_ms,
            const atomic_bool *abort, struct lv_http_res *r)
{
	struct curl_slist *hdrs = NULL;
	char line[600];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)abort);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (ctype) {
		snprintf(line, sizeof(line), "Content-Type: %s", ctype);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (token) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
		hdrs = curl_slist_append(hdrs, line);
	}
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(c);
	curl_slist_free_all(hdrs);
	if (rc != CURLE_OK) {
		lv_http_res_clear(r);
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (!r->body)
		r->body = calloc(1, 1);
	return r->body ? 0 : -1;
}

void lv_http_res_clear(struct lv_http_res *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

void lv_http_resolve(const char *base, const char *loc, char *out, size_t cap)
{
	const char *host = strstr(base, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;

	if (loc[0] != '/' || !path)
		snprintf(out, cap, "%s", loc);
	else
		snprintf(out, cap, "%.*s%s", (int)(path - base), base, loc);
}
