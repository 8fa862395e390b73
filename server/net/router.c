/* router.c — a flat list of routes matched segment by segment.
 *
 * Owns the route table. It knows nothing of HTTP connections or JSON: the
 * HTTP layer calls router_match() once per request. A linear scan is fine for
 * the few hundred routes sinian has and keeps the matching rules obvious.
 */
#include "router.h"
#include "err.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct router {
	struct route *routes;
	size_t n, cap;
};

struct router *router_new(void)
{
	return calloc(1, sizeof(struct router));
}

void router_free(struct router *r)
{
	if (!r)
		return;
	free(r->routes);
	free(r);
}

static bool pattern_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *s = p; *s; s++) {
		if (*s == '{') {
			const char *close = strchr(s, '}');

			if (!close || close == s + 1 || s[-1] != '/')
				return false;
			if (close == s + 2 && s[1] == '*')
				return false; /* {*}: no name */
			if (close[1] != '\0' && close[1] != '/')
				return false;
			if (close[-1] == '*' && close[1] != '\0')
				return false;
			if ((size_t)(close - s) > 31)
				return false;
			s = close;
		}
	}
	return true;
}

int router_add(struct router *r, const char *method, const char *pattern,
               void *handler, unsigned flags)
{
	if (!pattern_ok(pattern))
		return ERR_INVALID;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->routes[i].method, method) &&
		    !strcmp(r->routes[i].pattern, pattern))
			return ERR_CONFLICT;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct route *nr = realloc(r->routes, cap * sizeof(*nr));

		if (!nr)
			return ERR_NOMEM;
		r->routes = nr;
		r->cap = cap;
	}
	r->routes[r->n++] = (struct route){method, pattern, handler, flags};
	return 0;
}

/* Match one pattern against a path, filling params. */
static bool pattern_match(const char *pat, const char *path,
                          struct router_params *params)
{
	params->n = 0;
	while (*pat && *path) {
		if (*pat == '{') {
			const char *close = strchr(pat, '}');
			bool rest = close[-1] == '*';
			size_t nlen =
			    (size_t)(close - pat - 1) - (rest ? 1 : 0);
			size_t vlen = rest ? strlen(path) : strcspn(path, "/");

			if (vlen == 0 || vlen >= ROUTER_PARAM_LEN ||
			    params->n == ROUTER_MAX_PARAMS)
				return false;
			memcpy(params->p[params->n].name, pat + 1, nlen);
			params->p[params->n].name[nlen] = '\0';
			memcpy(params->p[params->n].value, path, vlen);
			params->p[params->n].value[vlen] = '\0';
			params->n++;
			pat = close + 1;
			path += vlen;
			continue;
		}
		if (*pat != *path)
			return false;
		pat++;
		path++;
	}
	return *pat == '\0' && *path == '\0';
}

static void allow_append(char *allow, size_t len, const char *m)
{
	size_t used = strlen(allow);

	if (strstr(allow, m))
		return;
	if (used + strlen(m) + 3 > len)
		return;
	if (used)
		strcat(allow, ", ");
	strcat(allow, m);
}

int router_match(const struct router *r, const char *method, const char *path,
                 const struct route **out, struct router_params *params,
                 char *allow, size_t allow_len)
{
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	struct router_params tmp;
	const struct route *best = NULL;
	bool path_seen = false;

	if (allow && allow_len)
		allow[0] = '\0';
	/* The most literal pattern wins: /api/x/search before /api/x/{id}. */
	for (size_t i = 0; i < r->n; i++) {
		const struct route *rt = &r->routes[i];

		if (!pattern_match(rt->pattern, path, &tmp))
			continue;
		path_seen = true;
		if (allow && allow_len)
			allow_append(allow, allow_len, rt->method);
		if (strcmp(rt->method, want) == 0 &&
		    (!best || tmp.n < params->n)) {
			*params = tmp;
			best = rt;
		}
	}
	if (best) {
		*out = best;
		return 0;
	}
	return path_seen ? ERR_METHOD : ERR_NOT_FOUND;
}

const char *router_param(const struct router_params *params, const char *name)
{
	for (int i = 0; i < params->n; i++)
		if (strcmp(params->p[i].name, name) == 0)
			return params->p[i].value;
	return NULL;
}
