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
/* May this request watch (live or replay)? Honours invite tokens given
 * as ?invite= or as a bearer token. 0, ERR_UNAUTHORIZED, ERR_FORBIDDEN. */
int api_ceremony_watch_check(struct app *app, struct http_req *req,
                             const struct ceremony *c);
/* The invite token a watcher shows: ?invite= or a bearer that is not a
 * session. NULL when none. Borrowed from req. */
const char *api_ceremony_invite_token(struct http_req *req);
/* JSON of a ceremony; manager adds source and WHIP details. New ref. */
json_t *api_ceremony_json(struct app *app, const struct ceremony *c,
                          bool manager);

/* Add hls_url to a live ceremony's JSON j when it is packaged as HLS on
 * this node: with a signed token (hlstoken.h) for an invite-only one,
 * carrying the right this request showed (api_hls.c). */
void api_hls_describe(struct app *app, struct http_req *req,
                      const struct ceremony *c, json_t *j);

/* Register the ceremony topic rule with the WebSocket hub. */
int api_ceremony_start(struct app *app);
/* Create and take live the demo ceremony (cfg.demo && cfg.demo_ceremony). */
int api_ceremony_demo(struct app *app, char *err, size_t errlen);

#endif
