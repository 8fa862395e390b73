/* api.h — route registration of every api_*.c module.
 *
 * Each module adds its routes to the router; api_routes() calls them all.
 * Handlers receive struct app * as their first argument.
 */
#ifndef SINIAN_API_H
#define SINIAN_API_H

#include <string.h>

#include "router.h"

int api_system_routes(struct router *r);

/* Register every route of the daemon. 0 or an ERR_* code. */
int api_routes(struct router *r);

#endif

struct app;

/* Start and stop the domain modules that hold state beyond a request
 * (media, demo data, timers), after the store is open / before it closes.
 * api_start returns 0 or an ERR_* code with a message in err. */
int api_start(struct app *app, char *err, size_t errlen);
void api_stop(struct app *app);

struct http_hooks;
/* Fill the request policy hook (authentication, CSRF, rate limits). */
void api_http_hooks(struct app *app, struct http_hooks *hooks);
