/* api.h — route registration of every api_*.c module.
 *
 * Each module adds its routes to the router; api_routes() calls them all.
 * Handlers receive struct app * as their first argument.
 */
#ifndef SINIAN_API_H
#define SINIAN_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "router.h"
#include "store_org.h"
#include "err.h"

int api_system_routes(struct router *r);
int api_auth_routes(struct router *r);
int api_org_routes(struct router *r);
int api_ceremony_routes(struct router *r);
int api_ice_routes(struct router *r);
int api_whep_routes(struct router *r);
int api_hls_routes(struct router *r);
int api_whip_routes(struct router *r);
int api_memorial_routes(struct router *r);
int api_visit_routes(struct router *r);
int api_sweeping_routes(struct router *r);
int api_calendar_routes(struct router *r);
int api_inbox_routes(struct router *r);
int api_me_routes(struct router *r);
int api_code_routes(struct router *r);
int api_public_routes(struct router *r);    /* api_public.c */
int api_complaint_routes(struct router *r); /* api_complaint.c */
int api_grave_routes(struct router *r);     /* api_grave.c */
int api_staff_routes(struct router *r);

/* Register every route of the daemon. 0 or an ERR_* code. */
int api_routes(struct router *r);

struct app;

/* Start and stop the domain modules that hold state beyond a request
 * (media, demo data, timers), after the store is open / before it closes.
 * api_start returns 0 or an ERR_* code with a message in err. */
int api_start(struct app *app, struct err_detail *e);
void api_stop(struct app *app);
/* End every WHIP publication (api_whip.c); before the media stop. */
void api_whip_stop(struct app *app);
/* The part of api_start the CLI needs too: data key and rate limits. */
int api_open_core(struct app *app, struct err_detail *e);

struct http_hooks;
struct http_req;
struct http_resp;
struct service_item;

/* JSON of an organisation / a service item (new references). */
json_t *api_org_json(const struct org *o);
json_t *api_service_json(const struct service_item *s);
/* The organisation of kind k named by the path's {id}: 0 and *o; else the
 * error, with resp answered (404 if there is none, 500 if the store failed). */
int api_org_find(struct app *app, struct http_req *req, struct http_resp *resp,
                 enum org_kind k, struct org *o);

/* Create a user account (the CLI; sign-up does the same with the hash
 * made off the main loop): validates login and password, seals the login,
 * hashes the password. err gets a client message. */
int api_user_create(struct app *app, const char *login, const char *password,
                    const char *display_name, int64_t *id,
                    struct err_detail *e);
struct http_req;
struct http_resp;
struct store_user;
/* Sign user u in: a new session, its cookie, and the sign-in answer
 * {token, token_type, expires_in, user} (200), or the error. */
void api_session_open(struct app *app, struct http_req *req,
                      struct http_resp *resp, const struct store_user *u);

/* The signed-in user's account (their login hash, for invitations
 * addressed to it); false with 401 filled. In api_family.c, also used by
 * api_invite.c. */
bool api_my_account(struct app *app, struct http_req *req,
                    struct http_resp *resp, struct store_user *u);

/* Set account u's password to a new one (checked already) off the main
 * loop, end its other sessions and sign it in (as api_session_open), or
 * answer 503 when too many passwords wait. */
void api_password_reset(struct app *app, struct http_req *req,
                        struct http_resp *resp, const struct store_user *u,
                        const char *password);

/* The masked form of a normalised login of kind "phone" or "email". */
void api_mask_login(const char *login, const char *kind, char *out,
                    size_t outlen);
/* Fill the request policy hook (authentication, CSRF, rate limits). */
void api_http_hooks(struct app *app, struct http_hooks *hooks);

#endif
