/* api_watch.c — watching a ceremony: who may (the public, an invite's
 * holder, the agency, the family of its memorial), the recording for
 * replay (and its download, for the family), following its live events
 * over /ws, and checking those rights again when they change.
 * Condolences are api_condolence.c's, under the same right to watch.
 *
 * Every way in — a page request, a WHEP offer, a /ws subscription — asks
 * api_ceremony_watch_check() or the same rule with the socket's
 * credentials. WHEP viewers' credentials are kept (viewers.h) so that
 * api_watch_recheck() can cut a viewer whose invite was revoked, whose
 * session ended or whose family right was taken away, through live.c.
 */
#include "access.h"
#include "api.h"
#include "api_ceremony.h"
#include "api_condolence.h"
#include "app.h"
#include "auth.h"
#include "ceremony.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "live.h"
#include "log.h"
#include "rights.h"
#include "store.h"
#include "store_ceremony.h"
#include "store_user.h"
#include "viewers.h"
#include "wshub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *api_watch_invite_token(struct http_req *req)
{
	const char *q = http_query(req, "invite");
	const char *authz = http_header(req, "authorization");

	if (q && *q)
		return q;
	if (authz && g_ascii_strncasecmp(authz, "Bearer ", 7) == 0 &&
	    !req->actor)
		return authz + 7;
	return NULL;
}

/* An invite-only ceremony does not exist for whoever may not watch it:
 * its number, which counts up, tells nothing (only a revoked invite says
 * 403, to the one who held it). */
static int hidden(const struct ceremony *c, int rc)
{
	return rc && c->invite_only ? ERR_NOT_FOUND : rc;
}

int api_watch_check(struct app *app, struct http_req *req,
                    const struct ceremony *c, struct viewer_cred *cred)
{
	const char *token = api_watch_invite_token(req);
	const struct actor *a = auth_actor(req);
	struct access_obj obj;
	char hash[CRYPTO_HASH_CHARS] = "";
	int rc;

	api_ceremony_obj(c, &obj);
	if (token && c->invite_only) {
		crypto_sha256_hex(token, hash);
		rc = store_ceremony_invite_check(app->store, c->id, hash);
		if (rc == ERR_GONE)
			return ERR_FORBIDDEN; /* revoked: its holder knew of it
			                       */
		obj.invite_ok = rc == 0;
	}
	rc = hidden(c, access_check(a, ACT_CEREMONY_WATCH, &obj));
	if (rc == 0 && cred) {
		memset(cred, 0, sizeof(*cred));
		cred->ceremony_id = c->id;
		cred->user_id = a->user_id;
		cred->session_id = a->session_id;
		if (obj.invite_ok)
			snprintf(cred->invite_hash, sizeof(cred->invite_hash),
			         "%s", hash);
	}
	return rc;
}

bool api_watch_deny(struct http_resp *resp, int rc)
{
	if (rc != ERR_NOT_FOUND)
		return access_deny(resp, rc);
	http_resp_err(resp, rc, "no such ceremony");
	return true;
}

int api_ceremony_watch_check(struct app *app, struct http_req *req,
                             const struct ceremony *c)
{
	return api_watch_check(app, req, c, NULL);
}

/* Content-Disposition: a file named after the ceremony. */
static void attachment(struct http_resp *resp, const struct ceremony *c)
{
	char *esc = g_uri_escape_string(c->title, NULL, FALSE);
	char *v = g_strdup_printf("attachment; filename=\"ceremony-%lld.mp4\"; "
	                          "filename*=UTF-8''%s.mp4",
	                          (long long)c->id, esc);

	http_resp_header(resp, "Content-Disposition", v);
	g_free(v);
	g_free(esc);
}

/* The recording for replay; ?download for the family and the funeral
 * home. */
static void get_recording(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	bool download;

	if (api_ceremony_load(app, req, resp, &c) ||
	    api_watch_deny(resp, api_ceremony_watch_check(app, req, &c)))
		return;
	if (c.state != CER_ENDED || !c.recording_path[0]) {
		http_resp_err(resp, ERR_NOT_FOUND,
		              c.state == CER_ENDED
		                  ? "this ceremony was not recorded"
		                  : "the recording is offered when the "
		                    "ceremony has ended");
		return;
	}
	download = http_query(req, "download") != NULL;
	if (download && !api_condolence_may_keep(app, auth_actor(req), &c)) {
		http_resp_err(resp, ERR_FORBIDDEN,
		              "the recording is downloaded by the family and "
		              "the funeral home");
		return;
	}
	if (http_resp_file(resp, req, c.recording_path, "video/mp4",
	                   "private, max-age=3600") == ERR_NOT_FOUND)
		http_resp_err(resp, ERR_NOT_FOUND, "the recording is missing");
	else if (download)
		attachment(resp, &c);
}

/* Who may follow "ceremony:{id}": whoever may watch it (an invite token
 * comes with the subscribe message). */
static int ceremony_topic_check(void *appv, struct http_ws *ws,
                                const char *topic)
{
	struct app *app = appv;
	const char *cred = wshub_credential(ws);
	char hash[CRYPTO_HASH_CHARS];
	struct access_obj obj;
	struct ceremony c;
	struct actor a;
	int64_t id = strtoll(strchr(topic, ':') + 1, NULL, 10);
	int rc =
	    id > 0 ? store_ceremony_get(app->store, id, &c) : ERR_NOT_FOUND;

	if (rc)
		return rc;
	api_ceremony_obj(&c, &obj);
	if (cred && c.invite_only) {
		crypto_sha256_hex(cred, hash);
		obj.invite_ok =
		    store_ceremony_invite_check(app->store, id, hash) == 0;
	}
	auth_ws_actor(app, ws, &a);
	return hidden(&c, access_check(&a, ACT_CEREMONY_WATCH, &obj));
}

/* May the viewer still watch, with the credentials it joined with? */
static int cred_check(struct app *app, const struct viewer_cred *v)
{
	struct access_obj obj;
	struct ceremony c;
	struct actor a = {0};
	int rc = store_ceremony_get(app->store, v->ceremony_id, &c);

	/* A store failure fails closed (the viewer is cut), with its reason
	 * logged; it is not taken for a ceremony that is gone. */
	if (rc && rc != ERR_NOT_FOUND)
		(void)store_ok(rc, "re-checking a viewer's ceremony");
	if (rc)
		return rc;
	api_ceremony_obj(&c, &obj);
	if (v->invite_hash[0] && c.invite_only)
		obj.invite_ok = store_ceremony_invite_check(
		                    app->store, c.id, v->invite_hash) == 0;
	if (v->session_id && auth_session_actor(app, v->session_id, &a))
		memset(&a, 0, sizeof(a)); /* signed out: anonymous now */
	return access_check(&a, ACT_CEREMONY_WATCH, &obj);
}

/* Could ev change the right of viewer v? A memorial's change touches the
 * ceremonies linked to it (their family may watch). */
static bool touched(struct app *app, const struct viewer_cred *v,
                    const struct rights_event *ev)
{
	struct ceremony c;

	switch (ev->kind) {
	case RIGHTS_CEREMONY: return v->ceremony_id == ev->id;
	case RIGHTS_USER: return v->user_id && v->user_id == ev->id;
	case RIGHTS_MEMORIAL:
		return store_ceremony_get(app->store, v->ceremony_id, &c) ==
		           0 &&
		       c.memorial_id == ev->id;
	default: return false;
	}
}

void api_watch_recheck(struct app *app, const struct rights_event *ev)
{
	GArray *all = viewers_list(app->viewers);

	for (guint i = 0; i < all->len; i++) {
		struct viewer_cred *v =
		    &g_array_index(all, struct viewer_cred, i);
		int rc;

		if (!touched(app, v, ev) || !(rc = cred_check(app, v)))
			continue;
		log_info("watch",
		         "ceremony %lld viewer %.8s may no longer "
		         "watch (%s): cut",
		         (long long)v->ceremony_id, v->viewer_id, err_name(rc));
		live_viewer_remove(app, v->ceremony_id, v->viewer_id);
		viewers_remove(app->viewers, v->ceremony_id, v->viewer_id);
	}
	g_array_free(all, TRUE);
}

int api_watch_start(struct app *app)
{
	return wshub_register(app, "ceremony", ceremony_topic_check);
}

int api_watch_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "GET", "/api/ceremonies/{id}/recording",
	                 get_recording, ROUTE_OWN_AUTH);
	return rc ? -1 : 0;
}
