/* api_ceremony.h — helpers shared by api_ceremony.c and api_whep.c. */
#ifndef SINIAN_API_CEREMONY_H
#define SINIAN_API_CEREMONY_H

#include <jansson.h>
#include <stdbool.h>
#include "err.h"

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
 * as ?invite= or as a bearer token. 0, ERR_UNAUTHORIZED, ERR_FORBIDDEN,
 * or ERR_NOT_FOUND: an invite-only ceremony does not exist for those who
 * may not watch it (a revoked invite still gets ERR_FORBIDDEN). */
int api_ceremony_watch_check(struct app *app, struct http_req *req,
                             const struct ceremony *c);
/* access_deny() for a watch check: a 404 reads as for no ceremony. */
bool api_watch_deny(struct http_resp *resp, int rc);
/* The invite token a watcher shows: ?invite= or a bearer that is not a
 * session. NULL when none. Borrowed from req. */
const char *api_watch_invite_token(struct http_req *req);
/* JSON of a ceremony; manager adds source and WHIP details. New ref. */
json_t *api_ceremony_json(struct app *app, const struct ceremony *c,
                          bool manager);

/* Add hls_url to a live ceremony's JSON j when it is packaged as HLS on
 * this node: with a signed token (hlstoken.h) for an invite-only one,
 * carrying the right this request showed (api_hls.c). */
void api_hls_describe(struct app *app, struct http_req *req,
                      const struct ceremony *c, json_t *j);

struct viewer_cred;
struct rights_event;
struct router;

/* As api_ceremony_watch_check, and when allowed the credentials that
 * allowed it into cred (may be NULL): kept for WHEP viewers so their right
 * can be checked again (api_watch.c). */
int api_watch_check(struct app *app, struct http_req *req,
                    const struct ceremony *c, struct viewer_cred *cred);
/* Check again, after a change of rights, this node's WHEP viewers the
 * change may touch; cut those no longer allowed (api_watch.c). */
void api_watch_recheck(struct app *app, const struct rights_event *ev);
/* Register who may follow "ceremony:{id}" with the WebSocket hub, and the
 * watchers' routes (condolences, recording). */
int api_watch_start(struct app *app);
int api_watch_routes(struct router *r);
/* Create and take live the demo ceremony (cfg.demo && cfg.demo_ceremony). */
int api_ceremony_demo(struct app *app, struct err_detail *e);

#endif
