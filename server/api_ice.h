/* api_ice.h — the ICE servers (STUN, TURN with per-viewer credentials) a
 * browser is given to reach our media. */
#ifndef SINIAN_API_ICE_H
#define SINIAN_API_ICE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

struct app;
struct http_resp;

/* The configured STUN and TURN servers as Link headers (rel="ice-server";
 * TURN ones with a username and credential minted now for tag, see
 * turn.h), for WHEP and WHIP answers. */
void api_ice_links(struct app *app, struct http_resp *resp, const char *tag);

/* The same as an RTCConfiguration.iceServers array (new reference), and
 * when the TURN credential expires (0 without TURN) in *expires. */
json_t *api_ice_json(struct app *app, const char *tag, int64_t *expires);

/* Check turn_urls and turn_secret at start-up: 0, or ERR_INVALID with the
 * reason in err. */
int api_ice_start(struct app *app, struct err_detail *e);

#endif
