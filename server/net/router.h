/* router.h — maps METHOD + path to a handler, with {name} path parameters.
 *
 * Patterns are literal segments and {name} segments ("/api/memorials/{id}").
 * A {name*} final segment takes the rest of the path. The router copies
 * nothing from patterns: they must be string literals or outlive it.
 */
#ifndef SINIAN_ROUTER_H
#define SINIAN_ROUTER_H

#include <stddef.h>

#define ROUTER_MAX_PARAMS 8
#define ROUTER_PARAM_LEN  512

struct router_params {
	int n;
	struct {
		char name[32];
		char value[ROUTER_PARAM_LEN];
	} p[ROUTER_MAX_PARAMS];
};

/* Route flags. */
#define ROUTE_UPLOAD 0x1 /* body limit is max_upload_bytes, not max_body */
#define ROUTE_RAW    0x2 /* body is not JSON; handler checks Content-Type */
#define ROUTE_OWN_AUTH                                                         \
	0x4 /* a bearer token that is no session is the                        \
	     * handler's to judge (stream keys, invites) */

struct route {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/api/x/{id}" */
	void *handler;       /* the HTTP layer's handler function */
	unsigned flags;
};

struct router;

/* Create an empty router; NULL on allocation failure. */
struct router *router_new(void);
void router_free(struct router *r);

/* Add a route. Returns ERR_INVALID for a malformed pattern, ERR_CONFLICT if
 * the same method and pattern exist, ERR_NOMEM. */
int router_add(struct router *r, const char *method, const char *pattern,
               void *handler, unsigned flags);

/* Find the route for method and path (no query string). On success *out
 * borrows the route and params are filled. Returns ERR_NOT_FOUND when no
 * pattern matches the path, ERR_METHOD when a pattern matches but not the
 * method (allow then lists the methods, comma separated). HEAD matches GET. */
int router_match(const struct router *r, const char *method, const char *path,
                 const struct route **out, struct router_params *params,
                 char *allow, size_t allow_len);

/* Value of a path parameter, or NULL. Borrowed from params. */
const char *router_param(const struct router_params *params, const char *name);

#endif
