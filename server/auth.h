/* auth.h — sessions and the request hook that attaches an actor.
 *
 * A session token is 32 random bytes (base64url), given once at sign-in as
 * an HttpOnly cookie "sinian_session" and in the JSON body for use as
 * "Authorization: Bearer"; only its SHA-256 is stored.
 */
#ifndef SINIAN_AUTH_H
#define SINIAN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access.h"

#define AUTH_COOKIE "sinian_session"

struct app;
struct http_req;
struct http_resp;
struct http_ws;

/* The request's actor; never NULL (anonymous when signed out). */
const struct actor *auth_actor(struct http_req *req);

/* req->peer becomes the real client when the socket peer is one of
 * trusted_proxies (netaddr_client: the configured header read from the
 * right past trusted hops), so every rate limit and per-address cap keyed
 * on req->peer counts clients, not the proxy. auth_before calls it first. */
void auth_client_address(struct app *app, struct http_req *req);
/* The before-request hook: sets the client address (above), authenticates
 * (a bad bearer token is 401; a bad cookie is ignored), refuses cross-site
 * cookie writes (403 csrf) and rate-limits writes per client (429 with
 * Retry-After). */
bool auth_before(void *app, struct http_req *req, struct http_resp *resp);

/* Load the actor for a user id (grants included). */
int auth_load_actor(struct app *app, int64_t user_id, struct actor *out);

/* The actor of a session that is still valid (by its id); ERR_UNAUTHORIZED
 * when it was revoked or expired. */
int auth_session_actor(struct app *app, int64_t session_id, struct actor *out);

/* Resolve a raw token (bearer or cookie value) to an actor. */
int auth_token_actor(struct app *app, const char *token, struct actor *out);

/* Resolve the actor of a WebSocket from its captured credentials
 * (anonymous when none or invalid). */
/* This site's origin, "scheme://host", from a request's Host and
 * X-Forwarded-Proto (https with cookie_secure); ERR_INVALID for a Host
 * that is not a host name. */
int auth_site_origin(struct app *app, const char *host, const char *proto,
                     char *out, size_t outlen);
void auth_ws_actor(struct app *app, struct http_ws *ws, struct actor *out);

/* Create a session for user_id; token_out gets the raw token (64 bytes). */
int auth_session_create(struct app *app, int64_t user_id, char *token_out,
                        int64_t *session_id);

/* Normalise a login: phone "1xxxxxxxxxx" (spaces, dashes and a +86 prefix
 * removed) or a lower-cased e-mail. kind_out gets "phone" or "email".
 * ERR_INVALID when it is neither. */
int auth_login_normalize(const char *in, char *out, size_t outlen,
                         const char **kind_out);

/* Check the per-client write budget (and login budget for a key). Returns
 * true when allowed; fills a 429 into resp otherwise. */
bool auth_rate_ok(struct app *app, const char *key, double per_min,
                  double burst, struct http_resp *resp);

#endif
