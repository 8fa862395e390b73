/* api.c — the list of route tables. Adding a module means adding one line
 * here and its prototype in api.h.
 */
#include "api.h"
#include "err.h"
#include "http.h"

int api_routes(struct router *r)
{
	static int (*const tables[])(struct router *) = {
	    api_system_routes,
	};

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (tables[i](r))
			return ERR_INTERNAL;
	return 0;
}

int api_start(struct app *app, char *err, size_t errlen)
{
	(void)app;
	(void)err;
	(void)errlen;
	return 0;
}

void api_stop(struct app *app)
{
	(void)app;
}

void api_http_hooks(struct app *app, struct http_hooks *hooks)
{
	(void)app;
	hooks->before = NULL;
}
