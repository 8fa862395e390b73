/* api_ceremony.h — helpers shared by api_ceremony.c and api_whep.c. */
#ifndef SINIAN_API_CEREMONY_H
#define SINIAN_API_CEREMONY_H

#include <jansson.h>
#include <stdbool.h>

struct app;
struct ceremony;
struct access_obj;
struct http_req;
struct http_resp;

/* The access object of a ceremony. */
void api_ceremony_obj(const struct ceremony *c, struct access_obj *obj);
/* Load the ceremony named by the {id} path parameter; fills 404. */
int api_ceremony_load(struct app *app, struct http_req *req,
                      struct http_resp *resp, struct ceremony *c);
/* The invite token a watcher shows: ?invite= or a bearer that is not a
 * session. NULL when none. Borrowed from the request. */
const char *api_ceremony_invite(struct http_req *req);
/* May this request watch (live or replay)? Honours invite tokens given
 * as ?invite= or as a bearer token. 0, ERR_UNAUTHORIZED, ERR_FORBIDDEN. */
int api_ceremony_watch_check(struct app *app, struct http_req *req,
                             const struct ceremony *c);
/* JSON of a ceremony; manager adds source and WHIP details. New ref. */
json_t *api_ceremony_json(struct app *app, const struct ceremony *c,
                          bool manager);

/* The configured STUN/TURN servers as WHEP/WHIP Link headers
 * (rel="ice-server"). */
void api_ice_links(struct app *app, struct http_resp *resp);

/* Register the ceremony topic rule with the WebSocket hub. */
int api_ceremony_start(struct app *app);
/* Create and take live the demo ceremony (cfg.demo && cfg.demo_ceremony). */
int api_ceremony_demo(struct app *app, char *err, size_t errlen);

#endif
