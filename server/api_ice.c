/* api_ice.c — ICE servers for browsers: STUN, and TURN with a username and
 * credential minted for each viewer by coturn's REST scheme (turn.c).
 *
 * Owns: GET /api/ceremonies/{id}/ice-servers (for the player, which needs
 * them before it makes its offer; whoever may watch the ceremony may ask)
 * and the rel="ice-server" Link headers of WHEP and WHIP answers. Must
 * never: hand out the shared secret, or TURN credentials to someone who
 * may not watch. TURN is the browser's business only: its relay candidate
 * reaches the media engine's host candidates, so no engine is told about
 * it. Called by the router, api_whep.c and api_whip.c.
 */
#include "api_ice.h"

#include "access.h"
#include "api.h"
#include "api_ceremony.h"
#include "app.h"
#include "ceremony.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "turn.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#define TAG "ice"

/* The TURN URLs and a fresh credential; n == 0 without TURN. */
struct ice_turn {
	char buf[CONFIG_STR_MAX];
	const char *urls[TURN_URLS_MAX];
	int n;
	struct turn_cred cred;
};

static void turn_fill(struct app *app, const char *tag, struct ice_turn *t)
{
	struct err_detail err = {0};
	int n;

	t->n = 0;
	if (!app->cfg.turn_urls[0] || !app->cfg.turn_secret[0])
		return;
	n = turn_urls_split(app->cfg.turn_urls, t->buf, sizeof(t->buf), t->urls,
	                    &err);
	if (n <= 0 || turn_mint(app->cfg.turn_secret,
	                        (int64_t)(g_get_real_time() / 1000000),
	                        (unsigned)app->cfg.turn_credential_hours * 3600,
	                        tag, &t->cred))
		return; /* checked at start-up: not reached */
	t->n = n;
}

void api_ice_links(struct app *app, struct http_resp *resp, const char *tag)
{
	struct ice_turn t;
	char link[CONFIG_STR_MAX + 160];

	if (app->cfg.stun_server[0]) {
		snprintf(link, sizeof(link), "<%s>; rel=\"ice-server\"",
		         app->cfg.stun_server);
		http_resp_header(resp, "Link", link);
	}
	turn_fill(app, tag, &t);
	for (int i = 0; i < t.n; i++) {
		snprintf(link, sizeof(link),
		         "<%s>; rel=\"ice-server\"; username=\"%s\"; "
		         "credential=\"%s\"; credential-type=\"password\"",
		         t.urls[i], t.cred.username, t.cred.credential);
		http_resp_header(resp, "Link", link);
	}
}

json_t *api_ice_json(struct app *app, const char *tag, int64_t *expires)
{
	json_t *arr = json_array(), *urls;
	struct ice_turn t;

	*expires = 0;
	if (app->cfg.stun_server[0])
		json_array_append_new(
		    arr, json_pack("{s:[s]}", "urls", app->cfg.stun_server));
	turn_fill(app, tag, &t);
	if (t.n == 0)
		return arr;
	urls = json_array();
	for (int i = 0; i < t.n; i++)
		json_array_append_new(urls, json_string(t.urls[i]));
	json_array_append_new(arr, json_pack("{s:o,s:s,s:s}", "urls", urls,
	                                     "username", t.cred.username,
	                                     "credential", t.cred.credential));
	*expires = t.cred.expires;
	return arr;
}

static void get_ice_servers(void *appv, struct http_req *req,
                            struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	char tag[32], when[32];
	int64_t expires;
	json_t *j;

	if (api_ceremony_load(app, req, resp, &c) ||
	    api_watch_deny(resp, api_ceremony_watch_check(app, req, &c)))
		return;
	snprintf(tag, sizeof(tag), "c%lld", (long long)c.id);
	j = json_pack("{s:o}", "ice_servers", api_ice_json(app, tag, &expires));
	if (expires) {
		GDateTime *dt = g_date_time_new_from_unix_utc(expires);
		char *s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");

		snprintf(when, sizeof(when), "%s", s);
		json_object_set_new(j, "expires_at", json_string(when));
		g_free(s);
		g_date_time_unref(dt);
	}
	http_resp_json(resp, 200, j);
	http_resp_header(resp, "Cache-Control", "no-store");
}

int api_ice_routes(struct router *r)
{
	return router_add(r, "GET", "/api/ceremonies/{id}/ice-servers",
	                  get_ice_servers, ROUTE_OWN_AUTH);
}

int api_ice_start(struct app *app, struct err_detail *e)
{
	const char *urls[TURN_URLS_MAX];
	struct err_detail why = {0};
	char buf[CONFIG_STR_MAX];
	int n =
	    turn_urls_split(app->cfg.turn_urls, buf, sizeof(buf), urls, &why);

	if (n < 0) {
		return err_fail(e, ERR_INVALID, NULL, "turn_urls: %s", why.msg);
	}
	if (n > 0 && !app->cfg.turn_secret[0]) {
		return err_fail(e, ERR_INVALID, NULL,
		                "turn_urls needs turn_secret (the TURN "
		                "server's static-auth-secret)");
	}
	if (n == 0 && app->cfg.turn_secret[0])
		log_warn(TAG, "turn_secret is set but turn_urls is empty: no "
		              "TURN for viewers");
	if (n > 0)
		log_info(TAG,
		         "TURN for viewers: %d URL(s), credentials valid "
		         "%ld h",
		         n, app->cfg.turn_credential_hours);
	return 0;
}
