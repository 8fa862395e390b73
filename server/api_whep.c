/* api_whep.c — WebRTC-HTTP egress (WHEP) for viewers of a live ceremony.
 *
 * POST /whep/{id} takes an SDP offer (application/sdp; an invite token as
 * bearer for invite-only ceremonies) and answers 201 with the SDP answer,
 * a Location to DELETE when leaving, and the ICE servers in Link headers.
 * The answer comes from the fan-out engine asynchronously: the request is
 * deferred until it arrives (ICE gathering included).
 */
#include "api.h"
#include "api_ceremony.h"
#include "api_ice.h"
#include "app.h"
#include "auth.h"
#include "cluster.h"
#include "ceremony.h"
#include "err.h"
#include "http.h"
#include "live.h"
#include "log.h"
#include "media.h"
#include "store.h"
#include "store_ceremony.h"
#include "viewers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct whep_pending {
	struct app *app;
	struct http_deferred *d;
	int64_t ceremony_id;
	struct viewer_cred cred; /* what let the viewer in */
};

static void on_answer(int status, const char *answer, const char *viewer_id,
                      void *ud)
{
	struct whep_pending *p = ud;
	struct http_resp *resp = http_deferred_resp(p->d);
	struct media_ceremony *mc;
	char loc[128], tag[32];

	viewers_negotiating(p->app->viewers, p->cred.peer, -1);
	if (status == 0 && !http_deferred_alive(p->d)) {
		/* the viewer left before the answer: free its seat */
		mc = live_find(p->app, p->ceremony_id);
		if (mc)
			media_ceremony_viewer_remove(mc, viewer_id);
	} else if (status == 0) {
		snprintf(loc, sizeof(loc), "/whep/%lld/%s",
		         (long long)p->ceremony_id, viewer_id);
		http_resp_data(resp, 201, "application/sdp", answer,
		               strlen(answer));
		http_resp_header(resp, "Location", loc);
		http_resp_header(resp, "Cache-Control", "no-store");
		snprintf(tag, sizeof(tag), "c%lld-%.8s",
		         (long long)p->ceremony_id, viewer_id);
		api_ice_links(p->app, resp, tag);
		cluster_viewer_joined(p->app->cluster, p->ceremony_id,
		                      viewer_id);
		snprintf(p->cred.viewer_id, sizeof(p->cred.viewer_id), "%s",
		         viewer_id);
		viewers_add(p->app->viewers, &p->cred);
	} else {
		http_resp_err(resp, status, "could not answer the offer");
	}
	http_deferred_finish(p->d);
	free(p);
}

static bool content_is(struct http_req *req, const char *type)
{
	const char *ct = http_header(req, "content-type");

	return ct && g_ascii_strncasecmp(ct, type, strlen(type)) == 0;
}

static void post_whep(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct media_ceremony *mc;
	struct whep_pending *p;
	struct viewer_cred cred;
	struct ceremony c;
	struct err_detail e = {0};
	char id[FANOUT_ID_LEN];
	int rc;

	if (api_ceremony_load(app, req, resp, &c) ||
	    api_watch_deny(resp, api_watch_check(app, req, &c, &cred)))
		return;
	if (!content_is(req, "application/sdp")) {
		http_resp_err(resp, ERR_UNSUPPORTED,
		              "send the SDP offer as application/sdp");
		return;
	}
	mc = live_find(app, c.id);
	if (c.state != CER_LIVE || !mc) {
		http_resp_errc(resp, 409, "not_live", "the ceremony is %s",
		               ceremony_state_name(c.state));
		return;
	}
	if (!req->body || req->body_len == 0) {
		http_resp_err(resp, ERR_INVALID, "empty SDP offer");
		return;
	}
	/* one address holding many seats (joined or negotiating) would lock
	 * real mourners out of a full ceremony */
	if (viewers_from(app->viewers, req->peer) >=
	    (unsigned)app->cfg.max_viewers_per_address) {
		http_resp_header(resp, "Retry-After", "10");
		http_resp_errc(resp, 429, "rate_limited",
		               "too many viewers from this address");
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		http_resp_err(resp, ERR_NOMEM, "out of memory");
		return;
	}
	p->app = app;
	p->ceremony_id = c.id;
	p->cred = cred;
	snprintf(p->cred.peer, sizeof(p->cred.peer), "%s", req->peer);
	viewers_negotiating(app->viewers, p->cred.peer, +1);
	rc = media_ceremony_viewer_add(mc, req->body, req->body_len, on_answer,
	                               p, id, &e);
	if (rc) {
		viewers_negotiating(app->viewers, p->cred.peer, -1);
		free(p);
		if (rc == ERR_FULL)
			http_resp_errc(resp, 503, "full",
			               "this ceremony has as many viewers as "
			               "it can take");
		else if (rc == ERR_UNSUPPORTED) /* a client error, not 415 */
			http_resp_errc(resp, 400, "unsupported_codec", "%s",
			               e.msg);
		else
			http_resp_fail(resp, rc, &e);
		return;
	}
	p->d = http_defer(req);
}

static void delete_whep(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	struct media_ceremony *mc;
	const char *vid = http_param(req, "vid");
	int64_t id;

	if (http_param_id(req, "id", &id) || !(mc = live_find(app, id)) ||
	    !vid || media_ceremony_viewer_remove(mc, vid)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such viewer session");
		return;
	}
	cluster_viewer_left(app->cluster, id, vid);
	viewers_remove(app->viewers, id, vid);
	resp->status = 200;
}

int api_whep_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/whep/{id}", post_whep,
	                 ROUTE_OWN_AUTH | ROUTE_RAW);
	rc |= router_add(r, "DELETE", "/whep/{id}/{vid}", delete_whep,
	                 ROUTE_OWN_AUTH);
	return rc ? -1 : 0;
}
