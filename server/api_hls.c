/* api_hls.c — a live ceremony as HLS: GET /hls/{id}/index.m3u8 and its
 * segments, for browsers without WebRTC and for crowds behind a cache.
 *
 * Owns: who may fetch what (a public ceremony's playlist and segments are
 * anyone's and cacheable by nginx or a CDN; an invite-only one's need the
 * signed token of hlstoken.h in ?t=, which the playlist hands on to its
 * segment URLs), the caching headers, and the hls_url of the ceremony
 * JSON. The right behind a token (the invite, or the account's grants) is
 * checked again on every playlist request, so a revoked invite stops the
 * picture within a segment or two. Must never: serve a file media/ does
 * not name, or cache an invite-only ceremony's files in a shared cache.
 * Called by the router and by api_ceremony.c.
 */
#include "access.h"
#include "api.h"
#include "api_ceremony.h"
#include "app.h"
#include "auth.h"
#include "ceremony.h"
#include "crypto.h"
#include "err.h"
#include "hlstoken.h"
#include "http.h"
#include "live.h"
#include "log.h"
#include "media.h"
#include "store_ceremony.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TAG "hls"

/* How long an hls_url of an invite-only ceremony opens it: longer than a
 * ceremony; the right behind it is re-checked on every playlist. */
#define TOKEN_TTL_S (6 * 3600)

#define SEGMENT_CACHE_PUBLIC   "public, max-age=31536000, immutable"
#define SEGMENT_CACHE_PRIVATE  "private, max-age=31536000, immutable"
#define PLAYLIST_CACHE_PUBLIC  "public, max-age=1"
#define PLAYLIST_CACHE_PRIVATE "private, max-age=1"

/* The ref a token carries for this request's right: its invite, else its
 * account. 0, or ERR_NOT_FOUND when it shows neither. */
static int right_ref(struct app *app, struct http_req *req,
                     const struct ceremony *c, char *ref, size_t reflen)
{
	const char *invite = api_watch_invite_token(req);
	const struct actor *a = auth_actor(req);
	char hash[CRYPTO_HASH_CHARS];
	int64_t invite_id;

	if (invite) {
		crypto_sha256_hex(invite, hash);
		if (store_ceremony_invite_find(app->store, c->id, hash,
		                               &invite_id) == 0) {
			snprintf(ref, reflen, "i%lld", (long long)invite_id);
			return 0;
		}
	}
	if (a->user_id) {
		snprintf(ref, reflen, "u%lld", (long long)a->user_id);
		return 0;
	}
	return ERR_NOT_FOUND;
}

void api_hls_describe(struct app *app, struct http_req *req,
                      const struct ceremony *c, json_t *j)
{
	struct media_ceremony *mc = live_find(app, c->id);
	char ref[HLSTOKEN_REF_MAX], token[HLSTOKEN_MAX];

	if (c->state != CER_LIVE || !mc || !media_ceremony_hls(mc))
		return;
	if (!c->invite_only) {
		json_object_set_new(
		    j, "hls_url",
		    json_sprintf("/hls/%lld/" HLS_PLAYLIST, (long long)c->id));
		return;
	}
	if (right_ref(app, req, c, ref, sizeof(ref)) ||
	    hlstoken_make(app->crypto, c->id, (int64_t)time(NULL) + TOKEN_TTL_S,
	                  ref, token))
		return;
	json_object_set_new(j, "hls_url",
	                    json_sprintf("/hls/%lld/" HLS_PLAYLIST "?t=%s",
	                                 (long long)c->id, token));
}

/* Is the right a token carries still there? 0, ERR_FORBIDDEN or ERR_DB. */
static int ref_valid(struct app *app, const struct ceremony *c, const char *ref)
{
	int64_t id = strtoll(ref + 1, NULL, 10);
	struct access_obj obj;
	struct actor a;
	int rc;

	if (ref[0] == 'i') {
		rc = store_ceremony_invite_valid(app->store, c->id, id);
		return rc == ERR_DB ? rc : rc ? ERR_FORBIDDEN : 0;
	}
	rc = auth_load_actor(app, id, &a);
	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_FORBIDDEN : rc;
	api_ceremony_obj(c, &obj);
	return access_check(&a, ACT_CEREMONY_WATCH, &obj) ? ERR_FORBIDDEN : 0;
}

/* May this request fetch the file? 0 (token set for an invite-only
 * ceremony, else NULL), or an error already answered. */
static int hls_access(struct app *app, struct http_req *req,
                      struct http_resp *resp, const struct ceremony *c,
                      bool playlist, const char **token)
{
	char ref[HLSTOKEN_REF_MAX];
	int rc;

	*token = NULL;
	if (!c->invite_only)
		return 0;
	*token = http_query(req, "t");
	rc = hlstoken_check(app->crypto, c->id, *token, (int64_t)time(NULL),
	                    ref);
	if (rc == 0 && playlist)
		rc = ref_valid(app, c, ref);
	if (rc == ERR_DB) {
		log_error(TAG,
		          "ceremony %lld: cannot check the right of an "
		          "HLS token",
		          (long long)c->id);
		http_resp_err(resp, ERR_DB, "cannot check the token");
	} else if (rc) {
		http_resp_errc(resp, 403, "forbidden",
		               "this ceremony is by invitation: open it from "
		               "its invite link");
	}
	return rc;
}

/* The playlist, with the token carried on to every segment URL. */
static void send_playlist(struct http_resp *resp, const char *path,
                          const char *token)
{
	GString *out = g_string_sized_new(512);
	char *text = NULL, **lines;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, NULL)) {
		http_resp_errc(resp, 404, "not_ready",
		               "the first segments are being made");
		g_string_free(out, TRUE);
		return;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		if (!**l)
			continue;
		g_string_append(out, *l);
		if (token && **l != '#')
			g_string_append_printf(out, "?t=%s", token);
		g_string_append_c(out, '\n');
	}
	http_resp_data(resp, 200, "application/vnd.apple.mpegurl", out->str,
	               out->len);
	http_resp_header(resp, "Cache-Control",
	                 token ? PLAYLIST_CACHE_PRIVATE
	                       : PLAYLIST_CACHE_PUBLIC);
	g_strfreev(lines);
	g_free(text);
	g_string_free(out, TRUE);
}

static void get_hls(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const char *name = http_param(req, "file"), *token;
	bool playlist = name && strcmp(name, HLS_PLAYLIST) == 0;
	struct media_ceremony *mc;
	struct ceremony c;
	char path[1200];
	int64_t id;
	int rc;

	if (http_param_id(req, "id", &id)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such ceremony");
		return;
	}
	rc = store_ceremony_get(app->store, id, &c);
	if (rc) {
		if (rc != ERR_NOT_FOUND)
			log_error(TAG, "ceremony %lld: cannot read it",
			          (long long)id);
		http_resp_err(resp, rc,
		              rc == ERR_NOT_FOUND ? "no such ceremony"
		                                  : "cannot read the ceremony");
		return;
	}
	if (hls_access(app, req, resp, &c, playlist, &token))
		return;
	mc = c.state == CER_LIVE ? live_find(app, c.id) : NULL;
	if (!mc || media_ceremony_hls_file(mc, name, path, sizeof(path))) {
		http_resp_errc(resp, 404,
		               c.state == CER_LIVE ? "not_found" : "not_live",
		               "no such HLS file: the ceremony is %s",
		               ceremony_state_name(c.state));
		return;
	}
	if (playlist)
		send_playlist(resp, path, token);
	else
		http_resp_file(resp, req, path, "video/mp2t",
		               token ? SEGMENT_CACHE_PRIVATE
		                     : SEGMENT_CACHE_PUBLIC);
}

/* hls.js for the player's fallback, from npm (scripts/deps.sh installs
 * web/node_modules): served from here, never from a CDN. */
static void get_hls_js(void *appv, struct http_req *req, struct http_resp *resp)
{
	http_resp_web(resp, req, "/node_modules/hls.js/dist/hls.light.min.mjs");
}

int api_hls_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "GET", "/hls/{id}/{file}", get_hls, ROUTE_OWN_AUTH);
	rc |= router_add(r, "GET", "/vendor/hls.mjs", get_hls_js, 0);
	return rc ? -1 : 0;
}
