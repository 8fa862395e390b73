/* auth.c — who is behind a request: session tokens, the actor, CSRF and
 * the write rate limit.
 *
 * Owns session creation and lookup and the before-request hook. Decisions
 * about rights stay in access.c; this file only establishes identity.
 */
#include "auth.h"
#include "app.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "netaddr.h"
#include "ratelimit.h"
#include "router.h"
#include "store.h"
#include "store_user.h"

#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct actor anonymous_actor;

const struct actor *auth_actor(struct http_req *req)
{
	return req->actor ? req->actor : &anonymous_actor;
}

int auth_load_actor(struct app *app, int64_t user_id, struct actor *out)
{
	struct store_user u;
	GArray *grants;
	int rc = store_user_get(app->store, user_id, &u);

	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->user_id = user_id;
	snprintf(out->display_name, sizeof(out->display_name), "%s",
	         u.display_name);
	grants = g_array_new(FALSE, FALSE, sizeof(struct store_grant));
	rc = store_user_grant_list(app->store, user_id, grants);
	for (guint i = 0;
	     rc == 0 && i < grants->len && out->n_grants < ACTOR_MAX_GRANTS;
	     i++) {
		struct store_grant *g =
		    &g_array_index(grants, struct store_grant, i);
		int role = access_role_parse(g->role);

		if (role < 0)
			continue;
		out->grants[out->n_grants].role = (enum role)role;
		out->grants[out->n_grants].scope_id = g->scope_id;
		out->grants[out->n_grants].manager = g->manager;
		out->n_grants++;
	}
	g_array_free(grants, TRUE);
	return rc;
}

int auth_token_actor(struct app *app, const char *token, struct actor *out)
{
	char hash[CRYPTO_HASH_CHARS];
	int64_t uid = 0, sid = 0;
	int rc;

	if (!token || strlen(token) < 20 || strlen(token) > 100)
		return ERR_UNAUTHORIZED;
	crypto_sha256_hex(token, hash);
	rc = store_user_session_lookup(app->store, hash, (int64_t)time(NULL),
	                               &uid, &sid);
	if (rc)
		return rc;
	rc = auth_load_actor(app, uid, out);
	out->session_id = sid;
	return rc == ERR_NOT_FOUND ? ERR_UNAUTHORIZED : rc;
}

int auth_session_actor(struct app *app, int64_t session_id, struct actor *out)
{
	int64_t uid = 0;
	int rc = store_user_session_user(app->store, session_id,
	                                 (int64_t)time(NULL), &uid);

	if (rc == 0)
		rc = auth_load_actor(app, uid, out);
	if (rc == 0)
		out->session_id = session_id;
	return rc == ERR_NOT_FOUND ? ERR_UNAUTHORIZED : rc;
}

int auth_session_create(struct app *app, int64_t user_id, char *token_out,
                        int64_t *session_id)
{
	char hash[CRYPTO_HASH_CHARS];
	int64_t now = (int64_t)time(NULL);

	crypto_token(token_out);
	crypto_sha256_hex(token_out, hash);
	return store_user_session_create(
	    app->store, user_id, hash, now,
	    now + app->cfg.session_ttl_hours * 3600, session_id);
}

int auth_login_normalize(const char *in, char *out, size_t outlen,
                         const char **kind_out)
{
	size_t n = 0;
	const char *p = in;

	while (isspace((unsigned char)*p))
		p++;
	if (strchr(p, '@')) {
		const char *at = strchr(p, '@');

		if (at == p || !strchr(at, '.') || strlen(p) > 254 ||
		    strchr(at + 1, '@'))
			return ERR_INVALID;
		for (; *p && !isspace((unsigned char)*p) && n + 1 < outlen; p++)
			out[n++] = (char)tolower((unsigned char)*p);
		out[n] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (*p) /* text after a space, or too long for out */
			return ERR_INVALID;
		*kind_out = "email";
		return 0;
	}
	if (strncmp(p, "+86", 3) == 0)
		p += 3;
	for (; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (!isdigit((unsigned char)*p) || n + 1 >= outlen)
			return ERR_INVALID;
		out[n++] = *p;
	}
	out[n] = '\0';
	if (n != 11 || out[0] != '1')
		return ERR_INVALID;
	*kind_out = "phone";
	return 0;
}

bool auth_rate_ok(struct app *app, const char *key, double per_min,
                  double burst, struct http_resp *resp)
{
	int retry = 0;
	char buf[16];

	if (ratelimit_take(app->ratelimit, key, per_min / 60.0, burst,
	                   g_get_monotonic_time() / 1000, &retry))
		return true;
	snprintf(buf, sizeof(buf), "%d", retry);
	http_resp_header(resp, "Retry-After", buf);
	http_resp_err(resp, ERR_RATE_LIMITED,
	              "too many requests; try again in %d s", retry);
	return false;
}

static bool is_write(const char *m)
{
	return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

int auth_site_origin(struct app *app, const char *host, const char *proto,
                     char *out, size_t outlen)
{
	bool https =
	    app->cfg.cookie_secure || (proto && strcmp(proto, "https") == 0);

	if (!host || !*host || strlen(host) > 255)
		return ERR_INVALID;
	for (const char *p = host; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-:[]", *p))
			return ERR_INVALID;
	snprintf(out, outlen, "%s://%s", https ? "https" : "http", host);
	return 0;
}

/* Whether a browser's Origin is this site, scheme included, or one of
 * trusted_origins. A site known to be https (cookie_secure, or a proxy's
 * X-Forwarded-Proto) accepts only https; one that believes it is plain
 * http also accepts https, since a proxy may end TLS without saying so. */
static bool origin_is_site(struct app *app, const char *origin,
                           const char *host, const char *proto)
{
	char site[300], **extra;
	bool ok = false;

	if (!origin)
		return false;
	if (auth_site_origin(app, host, proto, site, sizeof(site)) == 0) {
		if (!g_ascii_strcasecmp(origin, site))
			return true;
		if (!strncmp(site, "http://", 7) &&
		    !g_ascii_strncasecmp(origin, "https://", 8) &&
		    !g_ascii_strcasecmp(origin + 8, site + 7))
			return true;
	}
	extra = g_strsplit(app->cfg.trusted_origins, " ", -1);
	for (char **o = extra; *o && !ok; o++)
		ok = **o && strcmp(*o, origin) == 0;
	g_strfreev(extra);
	return ok;
}

static bool origin_ok(struct app *app, struct http_req *req)
{
	return origin_is_site(app, http_header(req, "origin"),
	                      http_header(req, "host"),
	                      http_header(req, "x-forwarded-proto"));
}

/* Cross-site writes (CSRF, login CSRF included). A write carrying the
 * session cookie must come from this site's pages: Origin is required
 * and must match. A write without a session to a JSON route (signing
 * in, signing up, an anonymous tribute) must be JSON, which a cross-site
 * form cannot send without the browser asking first, and if a browser
 * named its Origin, that must be this site. A request without Origin
 * comes from no browser page. Bearer tokens are never sent by a browser
 * on its own, so they need neither. Routes whose body is not JSON
 * (ROUTE_RAW) take no anonymous write but a WHEP offer, which a player
 * on another site may send. */
static bool write_from_site(struct app *app, struct http_req *req,
                            struct http_resp *resp)
{
	const struct actor *a = req->actor;

	if (a && !a->via_cookie)
		return true;
	if (!a && req->route && (req->route->flags & ROUTE_RAW))
		return true; /* a WHEP offer, or refused by its handler */
	if (a || http_header(req, "origin")) {
		if (origin_ok(app, req))
			return true;
		http_resp_errc(resp, 403, "csrf",
		               "cross-site request refused: the Origin header "
		               "must match this site");
		return false;
	}
	if (req->body_len && !http_ctype_is(http_header(req, "content-type"),
	                                    "application/json")) {
		http_resp_errc(resp, 415, "unsupported_media_type",
		               "send the body as JSON, with Content-Type: "
		               "application/json");
		return false;
	}
	return true;
}

void auth_client_address(struct app *app, struct http_req *req)
{
	bool fwd = strcmp(app->cfg.client_address_header, "forwarded") == 0;
	char out[NETADDR_TEXT];

	if (!netaddr_set_has(app->trusted_proxies, req->peer))
		return;
	netaddr_client(app->trusted_proxies, req->peer,
	               http_header(req, fwd ? "forwarded" : "x-forwarded-for"),
	               fwd, out);
	snprintf(req->peer, sizeof(req->peer), "%s", out);
}

bool auth_before(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const char *authz = http_header(req, "authorization");
	const char *token = NULL;
	struct actor *a;
	char key[96];
	bool bearer = false;
	int rc;

	auth_client_address(app, req);
	if (authz && g_ascii_strncasecmp(authz, "Bearer ", 7) == 0) {
		token = authz + 7;
		bearer = true;
	} else {
		token = http_cookie(req, AUTH_COOKIE);
	}
	if (token && *token) {
		a = calloc(1, sizeof(*a));
		rc = a ? auth_token_actor(app, token, a) : ERR_NOMEM;
		if (rc == 0) {
			a->via_cookie = !bearer;
			req->actor = a;
			req->actor_free = free;
		} else if (rc != ERR_UNAUTHORIZED) {
			/* never signed out (or a stranger) because the
			 * sessions cannot be read */
			free(a);
			store_ok(rc, "reading a session");
			http_resp_err(resp, rc, "the session cannot be read");
			return false;
		} else {
			free(a);
			if (bearer && !(req->route &&
			                (req->route->flags & ROUTE_OWN_AUTH))) {
				http_resp_err(resp, ERR_UNAUTHORIZED,
				              "invalid, expired or revoked "
				              "token");
				return false;
			}
		}
	}
	if (!is_write(req->method))
		return true;
	if (!write_from_site(app, req, resp))
		return false;
	if (req->actor)
		snprintf(key, sizeof(key), "w:u%lld",
		         (long long)((struct actor *)req->actor)->user_id);
	else
		snprintf(key, sizeof(key), "w:%s", req->peer);
	return auth_rate_ok(app, key, (double)app->cfg.rate_limit_writes,
	                    (double)app->cfg.rate_limit_writes, resp);
}

void auth_ws_actor(struct app *app, struct http_ws *ws, struct actor *out)
{
	const char *auth = http_ws_auth(ws);
	const char *p, *origin;
	char token[128];

	memset(out, 0, sizeof(*out));
	if (!auth)
		return;
	if (g_ascii_strncasecmp(auth, "Bearer ", 7) == 0) {
		snprintf(token, sizeof(token), "%s", auth + 7);
	} else if ((p = strstr(auth, AUTH_COOKIE "="))) {
		/* a page of another site opening a socket with this site's
		 * cookie (a browser always names its Origin) gets what an
		 * anonymous visitor gets */
		origin = http_ws_header(ws, "origin");
		if (origin &&
		    !origin_is_site(app, origin, http_ws_header(ws, "host"),
		                    http_ws_header(ws, "x-forwarded-proto"))) {
			log_warn("auth",
			         "WebSocket from %s: cookie ignored, Origin "
			         "is another site",
			         http_ws_peer(ws));
			return;
		}
		p += strlen(AUTH_COOKIE) + 1;
		snprintf(token, sizeof(token), "%.*s", (int)strcspn(p, "; "),
		         p);
	} else {
		return;
	}
	if (auth_token_actor(app, token, out))
		memset(out, 0, sizeof(*out));
}
