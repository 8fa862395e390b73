/* api_whip.c — WebRTC-HTTP ingest (WHIP): a publisher (OBS 30+, a
 * browser, any WHIP client) sends a ceremony's picture and sound.
 *
 * POST /whip/{id} with the ceremony's stream key as bearer and an SDP
 * offer (application/sdp) answers 201 with the SDP answer and a Location
 * /whip/{id}/{session}; DELETE on that Location, with the same bearer,
 * ends the publication and viewers see the slate. The answer comes from
 * the WHIP engine (media/whip.h) once ICE gathering is done: the request
 * is deferred until then.
 *
 * Choices: one publisher per ceremony; a second POST is refused (409)
 * while the first one negotiates or delivered media in the last 3 s, and
 * replaces it otherwise (a client reconnecting after a network drop must
 * not wait for the old session to time out). Publishing to a *scheduled*
 * ceremony whose source is whip takes it live, as the operator's start
 * would: the stream key is the operator's credential, and a hall
 * technician running OBS often has no console at hand. Ended ceremonies,
 * and ceremonies with another source, refuse publishers (409).
 *
 * Owns the table ceremony id -> publisher session (app->whip). Must never
 * accept a session token or an invite in place of the stream key.
 */
#include "api.h"
#include "api_ceremony.h"
#include "api_ice.h"
#include "app.h"
#include "ceremony.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "live.h"
#include "log.h"
#include "media.h"
#include "sdp.h"
#include "store.h"
#include "store_ceremony.h"
#include "whip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG "whip"

struct whip_hub {
	GHashTable *pubs; /* int64 ceremony id -> struct pub */
};

struct pub {
	struct app *app;
	int64_t cid;
	struct whip *w;
	struct http_deferred *d; /* until the answer */
};

static void pub_free(gpointer data)
{
	struct pub *p = data;

	whip_close(p->w); /* slate, if the source is still this one */
	whip_unref(p->w);
	g_free(p);
}

static struct whip_hub *hub_of(struct app *app)
{
	if (!app->whip) {
		app->whip = g_new0(struct whip_hub, 1);
		app->whip->pubs = g_hash_table_new_full(
		    g_int64_hash, g_int64_equal, NULL, pub_free);
	}
	return app->whip;
}

void api_whip_stop(struct app *app)
{
	if (!app->whip)
		return;
	/* The HTTP server is gone by now: pending answers are dropped. */
	g_hash_table_destroy(app->whip->pubs);
	g_free(app->whip);
	app->whip = NULL;
}

/* ---- credentials -------------------------------------------------------- */

static bool same_hash(const char *a, const char *b)
{
	unsigned char diff = 0;

	if (strlen(a) != strlen(b) || !a[0])
		return false;
	for (size_t i = 0; a[i]; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* 0 when the bearer is this ceremony's stream key; else a 401 is filled
 * with the challenge WHIP clients expect. */
static int key_check(struct http_req *req, struct http_resp *resp,
                     const struct ceremony *c)
{
	const char *authz = http_header(req, "authorization");
	char hash[CRYPTO_HASH_CHARS], key[256];
	size_t n;

	if (authz && g_ascii_strncasecmp(authz, "Bearer ", 7) == 0) {
		snprintf(key, sizeof(key), "%s", authz + 7);
		n = strlen(key);
		while (n && (key[n - 1] == ' ' || key[n - 1] == '\t'))
			key[--n] = '\0';
		if (n) {
			crypto_sha256_hex(key, hash);
			if (same_hash(hash, c->stream_key_hash))
				return 0;
		}
	}
	http_resp_err(resp, ERR_UNAUTHORIZED,
	              authz ? "wrong stream key"
	                    : "send the stream key as a bearer token");
	http_resp_header(resp, "WWW-Authenticate",
	                 "Bearer realm=\"sinian\", error=\"invalid_token\"");
	return ERR_UNAUTHORIZED;
}

/* ---- answers from the engine (main loop) -------------------------------- */

static void on_whip(struct whip *w, enum whip_event ev, int status,
                    const char *text, void *ud)
{
	struct pub *p = ud;
	struct whip_hub *hub = p->app->whip;
	struct http_resp *resp;
	char loc[128], tag[32];
	bool drop = ev == WHIP_ENDED || status != 0;

	if (ev == WHIP_ANSWER && p->d) {
		resp = http_deferred_resp(p->d);
		if (!http_deferred_alive(p->d)) {
			drop = true; /* the publisher gave up waiting */
		} else if (status == 0) {
			snprintf(loc, sizeof(loc), "/whip/%lld/%s",
			         (long long)p->cid, whip_id(w));
			http_resp_data(resp, 201, "application/sdp", text,
			               strlen(text));
			http_resp_header(resp, "Location", loc);
			snprintf(tag, sizeof(tag), "p%lld", (long long)p->cid);
			api_ice_links(p->app, resp, tag);
			http_resp_header(resp, "Cache-Control", "no-store");
		} else {
			http_resp_err(resp, status,
			              "could not answer the offer");
		}
		http_deferred_finish(p->d);
		p->d = NULL;
	}
	if (ev == WHIP_ENDED)
		log_info(TAG, "ceremony %lld: publisher %.8s ended: %s",
		         (long long)p->cid, whip_id(w), text ? text : "");
	if (drop && hub)
		g_hash_table_remove(hub->pubs, &p->cid); /* frees p */
}

/* ---- handlers ---------------------------------------------------------- */

static bool content_is(struct http_req *req, const char *type)
{
	const char *ct = http_header(req, "content-type");

	return ct && g_ascii_strncasecmp(ct, type, strlen(type)) == 0;
}

/* Validate the offer before anything changes (the ceremony going live). */
static int offer_check(struct http_req *req, struct http_resp *resp)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	int rc;

	if (!req->body || req->body_len == 0) {
		http_resp_err(resp, ERR_INVALID, "empty SDP offer");
		return ERR_INVALID;
	}
	rc = sdp_offer_inspect(req->body, req->body_len, &info, &e);
	if (rc) {
		http_resp_fail(resp, rc, &e);
		return rc;
	}
	if (info.role != SDP_ROLE_PUBLISHER) {
		http_resp_errc(resp, 400, "not_publisher",
		               "a WHIP offer sends: every audio/video section "
		               "must be sendonly (this one is %s)",
		               sdp_role_name(info.role));
		return ERR_INVALID;
	}
	return 0;
}

/* The ceremony must be live with open media; a scheduled whip ceremony
 * is taken live here. 0 or a response is filled. */
static int ensure_live(struct app *app, struct http_resp *resp,
                       struct ceremony *c)
{
	struct err_detail err = {0}; /* the reason names what to install */
	int rc;

	if (c->state == CER_ENDED) {
		http_resp_errc(resp, 409, "not_live", "the ceremony has ended");
		return ERR_CONFLICT;
	}
	if (c->state == CER_LIVE && live_find(app, c->id))
		return 0;
	if (c->state != CER_LIVE &&
	    ceremony_transition(c->state, CER_LIVE, &err)) {
		http_resp_errc(resp, 409, "not_live", "%s", err.msg);
		return ERR_CONFLICT;
	}
	if ((rc = live_open(app, c, &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		return rc;
	}
	log_info(TAG, "ceremony %lld taken live by its publisher",
	         (long long)c->id);
	return 0;
}

static void whip_settings_of(struct app *app, struct whip_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->ice.stun = app->cfg.stun_server[0] ? app->cfg.stun_server : NULL;
	s->ice.public_ip = app->cfg.public_ip[0] ? app->cfg.public_ip : NULL;
	s->ice.loopback_only = app->cfg.media_loopback_only;
}

static void post_whip(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct whip_hub *hub = hub_of(app);
	struct whip_settings set;
	struct ceremony c;
	struct pub *p, *old;
	struct err_detail e = {0};
	int rc;

	if (api_ceremony_load(app, req, resp, &c) || key_check(req, resp, &c))
		return;
	if (!content_is(req, "application/sdp")) {
		http_resp_err(resp, ERR_UNSUPPORTED,
		              "send the SDP offer as application/sdp");
		return;
	}
	if (c.source != SRC_WHIP) {
		http_resp_errc(resp, 409, "wrong_source",
		               "this ceremony's source is %s, not whip",
		               ceremony_source_name(c.source));
		return;
	}
	if (offer_check(req, resp) || ensure_live(app, resp, &c))
		return;
	old = g_hash_table_lookup(hub->pubs, &c.id);
	if (old && whip_busy(old->w)) {
		http_resp_errc(resp, 409, "publisher_connected",
		               "a publisher is already connected; DELETE its "
		               "session first");
		return;
	}
	if (old) /* silent or gone: this publisher takes its place */
		g_hash_table_remove(hub->pubs, &c.id);
	p = g_new0(struct pub, 1);
	p->app = app;
	p->cid = c.id;
	whip_settings_of(app, &set);
	rc = whip_new(app->media, c.id, &set, req->body, req->body_len, on_whip,
	              p, &p->w, &e);
	if (rc) {
		g_free(p);
		if (rc == ERR_UNSUPPORTED) /* a client error, not 415 */
			http_resp_errc(resp, 400, "unsupported_codec", "%s",
			               e.msg);
		else
			http_resp_fail(resp, rc, &e);
		return;
	}
	g_hash_table_insert(hub->pubs, &p->cid, p);
	p->d = http_defer(req);
}

static void delete_whip(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	const char *sid = http_param(req, "sid");
	struct ceremony c;
	struct pub *p;

	if (api_ceremony_load(app, req, resp, &c) || key_check(req, resp, &c))
		return;
	p = app->whip ? g_hash_table_lookup(app->whip->pubs, &c.id) : NULL;
	if (!p || !sid || strcmp(whip_id(p->w), sid) || p->d) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such WHIP session");
		return;
	}
	log_info(TAG, "ceremony %lld: publisher %.8s left (DELETE)",
	         (long long)c.id, sid);
	g_hash_table_remove(app->whip->pubs, &c.id); /* slate */
	resp->status = 200;
}

int api_whip_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/whip/{id}", post_whip,
	                 ROUTE_OWN_AUTH | ROUTE_RAW);
	rc |= router_add(r, "DELETE", "/whip/{id}/{sid}", delete_whip,
	                 ROUTE_OWN_AUTH);
	return rc ? -1 : 0;
}
