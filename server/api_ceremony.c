/* api_ceremony.c — farewell ceremonies over HTTP: create and edit (agency
 * operators), stream keys and invite links, start/stop and source control.
 * The player page route is in api_page.c; condolences are
 * api_condolence.c's; what else watchers do (the recording, and its
 * download for the family; following live events) and who may watch is
 * api_watch.c's; WHEP/WHIP media negotiation lives in api_whep.c.
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
#include "inbox.h"
#include "jsonx.h"
#include "live.h"
#include "log.h"
#include "rights.h"
#include "store.h"
#include "store_ceremony.h"
#include "store_org.h"
#include "memorial.h"
#include "memorial_demo.h"
#include "store_memorial.h"
#include "wshub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_ceremony_obj(const struct ceremony *c, struct access_obj *obj)
{
	memset(obj, 0, sizeof(*obj));
	obj->id = c->id;
	obj->agency_id = c->agency_id;
	obj->memorial_id = c->memorial_id;
	obj->visibility = c->invite_only ? VIS_PRIVATE : VIS_PUBLIC;
}

int api_ceremony_load(struct app *app, struct http_req *req,
                      struct http_resp *resp, struct ceremony *c)
{
	int64_t id;
	int rc;

	if ((rc = http_param_id(req, "id", &id)
	              ? ERR_NOT_FOUND
	              : store_ceremony_get(app->store, id, c))) {
		http_resp_lookup(resp, rc, "no such ceremony");
		return rc;
	}
	return 0;
}

static bool may_manage(struct http_req *req, const struct ceremony *c)
{
	struct access_obj obj;

	api_ceremony_obj(c, &obj);
	return access_check(auth_actor(req), ACT_CEREMONY_MANAGE, &obj) == 0;
}

json_t *api_ceremony_json(struct app *app, const struct ceremony *c,
                          bool manager)
{
	json_t *j = json_pack(
	    "{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:I,s:b,s:b}", "id",
	    (json_int_t)c->id, "agency_id", (json_int_t)c->agency_id, "title",
	    c->title, "deceased_name", c->deceased_name, "scheduled_start",
	    c->scheduled_start, "scheduled_end", c->scheduled_end, "visibility",
	    c->invite_only ? "invite" : "public", "state",
	    ceremony_state_name(c->state), "has_recording",
	    c->state == CER_ENDED && c->recording_path[0], "viewers",
	    (json_int_t)live_viewers(app, c->id), "source_live",
	    live_source_on(app, c->id), "can_manage", manager);
	struct org agency;
	uint64_t seq;
	const char *phase = live_phase(app, c, &seq);

	jsonx_put(
	    &j, "time_zone",
	    json_string(c->time_zone[0] ? c->time_zone : CEREMONY_TZ_DEFAULT));
	jsonx_put(&j, "phase", json_string(phase));
	jsonx_put(&j, "phase_seq", json_integer((json_int_t)seq));
	/* Can this server show it live at all? Managers also read why not. */
	jsonx_put(&j, "media", live_health_json(app, manager));
	if (c->hall_id)
		jsonx_put(&j, "hall_id", json_integer(c->hall_id));
	if (c->memorial_id)
		jsonx_put(&j, "memorial_id", json_integer(c->memorial_id));
	if (c->started_at[0])
		jsonx_put(&j, "started_at", json_string(c->started_at));
	if (c->ended_at[0])
		jsonx_put(&j, "ended_at", json_string(c->ended_at));
	if (store_org_get(app->store, ORG_AGENCY, c->agency_id, &agency) == 0)
		jsonx_put(&j, "agency_name", json_string(agency.name));
	if (manager) {
		jsonx_put(&j, "source",
		          json_pack("{s:s,s:s}", "kind",
		                    ceremony_source_name(c->source), "url",
		                    c->source_url));
		jsonx_put(&j, "whip_url",
		          json_sprintf("/whip/%lld", (long long)c->id));
		jsonx_put(&j, "video_passthrough",
		          json_boolean(live_passthrough(app, c->id)));
	}
	return j;
}

/* Read fields into c; create requires the essentials. */
static int cer_fields(json_t *j, struct ceremony *c, bool create,
                      struct err_detail *e)
{
	static const char *const keys[] = {"agency_id",
	                                   "hall_id",
	                                   "memorial_id",
	                                   "title",
	                                   "deceased_name",
	                                   "scheduled_start",
	                                   "scheduled_end",
	                                   "visibility",
	                                   "source",
	                                   "time_zone",
	                                   NULL};
	static const char *const vis[] = {"public", "invite", NULL};
	static const char *const srcs[] = {"test", "rtsp", "whip", NULL};
	const char *title, *name, *start, *end, *tz, *url = c->source_url;
	json_t *src = json_object_get(j, "source");
	int v = c->invite_only, s = (int)c->source, rc;

	if ((rc = jsonx_only(j, keys, e)) ||
	    (create && (rc = jsonx_int(j, "agency_id", true, 1, INT64_MAX, 0,
	                               &c->agency_id, e))) ||
	    (rc = jsonx_int(j, "hall_id", false, 0, INT64_MAX, c->hall_id,
	                    &c->hall_id, e)) ||
	    (rc = jsonx_int(j, "memorial_id", false, 0, INT64_MAX,
	                    c->memorial_id, &c->memorial_id, e)) ||
	    (rc = jsonx_text(j, TEXT_CEREMONY_TITLE, create, c->title, &title,
	                     e)) ||
	    (rc = jsonx_text(j, TEXT_CEREMONY_DECEASED, create,
	                     c->deceased_name, &name, e)) ||
	    (rc = jsonx_str(j, "scheduled_start", create, 17, 20,
	                    c->scheduled_start, &start, e)) ||
	    (rc = jsonx_str(j, "scheduled_end", create, 17, 20,
	                    c->scheduled_end, &end, e)) ||
	    (rc = jsonx_enum(j, "visibility", false, vis, v, &v, e)) ||
	    (rc = jsonx_str(
	         j, "time_zone", false, 1, 63,
	         c->time_zone[0] ? c->time_zone : CEREMONY_TZ_DEFAULT, &tz, e)))
		return rc;
	if (!ceremony_tz_valid(tz)) {
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "time_zone: an IANA time zone such as Asia/Shanghai");
	}
	if (src && (!json_is_object(src) ||
	            (rc = jsonx_enum(src, "kind", true, srcs, s, &s, e)) ||
	            (rc = jsonx_str(src, "url", false, 0, CEREMONY_URL_MAX, "",
	                            &url, e))))
		return rc ? rc : ERR_INVALID;
	if (!ceremony_time_valid(start) || !ceremony_time_valid(end) ||
	    strcmp(start, end) >= 0) {
		return err_fail(e, ERR_INVALID, NULL,
		                "scheduled_start, scheduled_end: must be "
		                "UTC times like 2026-04-04T09:00:00Z, "
		                "start before end");
	}
	if (s == SRC_RTSP && !ceremony_rtsp_url_valid(url)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "source.url: must be an rtsp:// URL");
	}
	snprintf(c->title, sizeof(c->title), "%s", title);
	snprintf(c->deceased_name, sizeof(c->deceased_name), "%s", name);
	snprintf(c->scheduled_start, sizeof(c->scheduled_start), "%s", start);
	snprintf(c->scheduled_end, sizeof(c->scheduled_end), "%s", end);
	if (tz != c->time_zone)
		snprintf(c->time_zone, sizeof(c->time_zone), "%s", tz);
	snprintf(c->source_url, sizeof(c->source_url), "%s",
	         s == SRC_RTSP ? url : "");
	c->invite_only = v == 1;
	c->source = (enum ceremony_source)s;
	return 0;
}

/* May the ceremony be linked to its memorial? The memorial of a record
 * of the ceremony's own agency, or one the actor may edit (its family
 * admin): linking gives that memorial's family the right to watch, so an
 * operator may not link any memorial by its number. Anything else is a
 * 404, as for no such memorial. */
static bool memorial_link_ok(struct app *app, const struct actor *a,
                             const struct ceremony *c, struct http_resp *resp)
{
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;
	bool ok;
	int rc = store_memorial_get(app->store, c->memorial_id, m);

	if (rc == 0)
		rc = memorial_access_obj(app->store, m, &obj);
	ok = rc == 0 && (obj.agency_id == c->agency_id ||
	                 access_check(a, ACT_MEMORIAL_EDIT, &obj) == 0);
	g_free(m);
	if (rc && rc != ERR_NOT_FOUND)
		http_resp_err(resp, rc, "cannot read the memorial");
	else if (!ok)
		http_resp_err(resp, ERR_NOT_FOUND,
		              "memorial_id: no such memorial to link");
	return ok;
}

/* The hall and the memorial a ceremony names (when they change): the
 * hall of its agency, a memorial it may link. False with resp filled. */
static bool links_ok(struct app *app, struct http_req *req,
                     struct http_resp *resp, const struct ceremony *c,
                     int64_t old_memorial_id)
{
	struct hall hall;

	if (c->hall_id && (store_org_hall_get(app->store, c->hall_id, &hall) ||
	                   hall.agency_id != c->agency_id)) {
		http_resp_err(resp, ERR_INVALID,
		              "hall_id: not a hall of this agency");
		return false;
	}
	return !c->memorial_id || c->memorial_id == old_memorial_id ||
	       memorial_link_ok(app, auth_actor(req), c, resp);
}

static void new_key(struct ceremony *c, char *key)
{
	crypto_token(key);
	crypto_sha256_hex(key, c->stream_key_hash);
}

static void post_ceremony(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c = {0};
	struct access_obj obj;
	struct org agency;
	struct err_detail err = {0};
	char key[CRYPTO_TOKEN_CHARS];
	json_t *j = NULL, *out;
	int rc;

	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = cer_fields(j, &c, true, &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		goto out;
	}
	if ((rc =
	         store_org_get(app->store, ORG_AGENCY, c.agency_id, &agency))) {
		http_resp_lookup(resp, rc, "agency_id: no such agency");
		goto out;
	}
	api_ceremony_obj(&c, &obj);
	if (access_deny(
	        resp, access_check(auth_actor(req), ACT_CEREMONY_MANAGE, &obj)))
		goto out;
	if (!links_ok(app, req, resp, &c, 0))
		goto out;
	c.created_by = auth_actor(req)->user_id;
	new_key(&c, key);
	if ((rc = store_ceremony_create(app->store, &c))) {
		http_resp_err(resp, rc, "cannot create the ceremony");
		goto out;
	}
	out = api_ceremony_json(app, &c, true);
	/* the stream key is shown once; only its hash is kept */
	jsonx_put(&out, "stream_key", json_string(key));
	http_resp_json(resp, 201, out);
out:
	json_decref(j);
}

static gint later_first(gconstpointer a, gconstpointer b)
{
	const struct ceremony *x = a, *y = b;
	int c = strcmp(y->scheduled_start, x->scheduled_start);

	return c ? c : (y->id > x->id) - (y->id < x->id);
}

static bool listed(const GArray *all, int64_t id)
{
	for (guint i = 0; i < all->len; i++)
		if (g_array_index(all, struct ceremony, i).id == id)
			return true;
	return false;
}

/* What GET /api/ceremonies lists: an agency's (?agency_id=), else the
 * public ones with those of the agencies the caller operates (an admin:
 * every agency's). Each ceremony once, latest start first. */
static int ceremonies_for(struct app *app, const struct actor *a,
                          int64_t agency_id, GArray *all)
{
	int rc;

	if (agency_id)
		return store_ceremony_list(app->store, agency_id, all);
	if (actor_is_admin(a))
		return store_ceremony_list(app->store, -1, all);
	rc = store_ceremony_list(app->store, 0, all);
	for (int g = 0; rc == 0 && g < a->n_grants; g++) {
		GArray *mine;

		if (a->grants[g].role != ROLE_AGENCY_OPERATOR)
			continue;
		mine = g_array_new(FALSE, FALSE, sizeof(struct ceremony));
		rc = store_ceremony_list(app->store, a->grants[g].scope_id,
		                         mine);
		for (guint i = 0; rc == 0 && i < mine->len; i++) {
			struct ceremony *c =
			    &g_array_index(mine, struct ceremony, i);

			if (!listed(all, c->id))
				g_array_append_vals(all, c, 1);
		}
		g_array_free(mine, TRUE);
	}
	g_array_sort(all, later_first);
	return rc;
}

static void list_ceremonies(void *appv, struct http_req *req,
                            struct http_resp *resp)
{
	struct app *app = appv;
	const char *ag = http_query(req, "agency_id");
	int64_t agency_id = ag ? strtoll(ag, NULL, 10) : 0;
	GArray *all = g_array_new(FALSE, FALSE, sizeof(struct ceremony));
	json_t *arr = json_array();

	if (agency_id < 0 ||
	    ceremonies_for(app, auth_actor(req), agency_id, all)) {
		http_resp_err(resp, agency_id < 0 ? ERR_INVALID : ERR_DB,
		              agency_id < 0 ? "agency_id: must be an id"
		                            : "cannot read ceremonies");
		g_array_free(all, TRUE);
		json_decref(arr);
		return;
	}
	for (guint i = 0; i < all->len; i++) {
		struct ceremony *c = &g_array_index(all, struct ceremony, i);
		bool manager = may_manage(req, c);

		/* public ceremonies for everyone; the rest for managers */
		if (!manager && c->invite_only)
			continue;
		jsonx_push(&arr, api_ceremony_json(app, c, manager));
	}
	g_array_free(all, TRUE);
	http_resp_json(resp, 200, json_pack("{s:o}", "ceremonies", arr));
}

static void get_ceremony(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	json_t *j;

	if (api_ceremony_load(app, req, resp, &c))
		return;
	if (api_watch_deny(resp, api_ceremony_watch_check(app, req, &c)))
		return;
	/* an invitee who is signed in is told when it goes live */
	if (c.invite_only && c.state == CER_SCHEDULED)
		inbox_invite_opened(app, c.id, auth_actor(req)->user_id,
		                    http_query(req, "invite"));
	j = api_ceremony_json(app, &c, may_manage(req, &c));
#ifndef SINIAN_NO_MEDIA
	api_hls_describe(app, req, &c, j);
#endif
	http_resp_json(resp, 200, j);
	http_resp_header(resp, "Cache-Control", "no-store");
}

/* Load the ceremony and require the manage right; 0 when allowed. */
static int load_managed(struct app *app, struct http_req *req,
                        struct http_resp *resp, struct ceremony *c)
{
	struct access_obj obj;
	int rc;

	if (api_ceremony_load(app, req, resp, c))
		return ERR_NOT_FOUND;
	api_ceremony_obj(c, &obj);
	rc = access_check(auth_actor(req), ACT_CEREMONY_MANAGE, &obj);
	/* one that may not even watch an invite-only ceremony: no such one */
	if (rc && api_ceremony_watch_check(app, req, c) == ERR_NOT_FOUND)
		rc = ERR_NOT_FOUND;
	return api_watch_deny(resp, rc) ? rc : 0;
}

static void patch_ceremony(void *appv, struct http_req *req,
                           struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	struct err_detail err = {0};
	json_t *j = NULL;
	int64_t old_memorial;
	int rc;

	if (load_managed(app, req, resp, &c))
		return;
	old_memorial = c.memorial_id;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = cer_fields(j, &c, false, &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		goto out;
	}
	if (json_object_get(j, "agency_id")) {
		http_resp_err(resp, ERR_INVALID,
		              "agency_id: cannot move a ceremony");
		goto out;
	}
	if (!links_ok(app, req, resp, &c, old_memorial))
		goto out;
	if ((rc = store_ceremony_update(app->store, &c))) {
		http_resp_err(resp, rc, "cannot update");
		goto out;
	}
	/* visibility or the linked memorial (whose family may watch) */
	rights_changed(app, RIGHTS_CEREMONY, c.id);
	http_resp_json(resp, 200, api_ceremony_json(app, &c, true));
out:
	json_decref(j);
}

static void post_key(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	char key[CRYPTO_TOKEN_CHARS];

	if (load_managed(app, req, resp, &c))
		return;
	new_key(&c, key);
	if (store_ceremony_set_key(app->store, c.id, c.stream_key_hash)) {
		http_resp_err(resp, ERR_DB, "cannot rotate the key");
		return;
	}
	http_resp_json(resp, 200,
	               json_pack("{s:s,s:o}", "stream_key", key, "whip_url",
	                         json_sprintf("/whip/%lld", (long long)c.id)));
}

static void post_invite(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	const char *guest;
	struct err_detail err = {0};
	char token[CRYPTO_TOKEN_CHARS], hash[CRYPTO_HASH_CHARS];
	json_t *j = NULL;
	int64_t id;
	int rc;

	if (load_managed(app, req, resp, &c))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_text(j, TEXT_INVITE_GUEST, true, NULL, &guest, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	crypto_token(token);
	crypto_sha256_hex(token, hash);
	if ((rc = store_ceremony_invite_add(app->store, c.id, hash, guest,
	                                    &id))) {
		http_resp_err(resp, rc, "cannot create the invite");
		goto out;
	}
	http_resp_json(resp, 201,
	               json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)id,
	                         "guest_name", guest, "token", token, "url",
	                         json_sprintf("/c/%lld?invite=%s",
	                                      (long long)c.id, token)));
out:
	json_decref(j);
}

static void list_invites(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	GArray *inv;
	json_t *arr;

	if (load_managed(app, req, resp, &c))
		return;
	inv = g_array_new(FALSE, FALSE, sizeof(struct ceremony_invite));
	arr = json_array();
	if (!store_ok(store_ceremony_invite_list(app->store, c.id, inv),
	              "listing a ceremony's invites")) {
		json_decref(arr);
		arr = NULL;
	}
	for (guint i = 0; arr && i < inv->len; i++) {
		struct ceremony_invite *v =
		    &g_array_index(inv, struct ceremony_invite, i);

		jsonx_push(&arr,
		           json_pack("{s:I,s:s,s:s,s:b}", "id",
		                     (json_int_t)v->id, "guest_name",
		                     v->guest_name, "created_at", v->created_at,
		                     "revoked", v->revoked));
	}
	g_array_free(inv, TRUE);
	http_resp_json(resp, 200, json_pack("{s:o}", "invites", arr));
}

static void delete_invite(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	int64_t iid;
	int rc;

	if (load_managed(app, req, resp, &c))
		return;
	if ((rc = http_param_id(req, "iid", &iid)
	              ? ERR_NOT_FOUND
	              : store_ceremony_invite_revoke(app->store, c.id, iid))) {
		http_resp_lookup(resp, rc, "no such active invite");
		return;
	}
	rights_changed(app, RIGHTS_CEREMONY, c.id);
	resp->status = 204;
}

static void post_start(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c, fresh;
	struct err_detail err = {0}; /* the reason names what to install */
	int rc;

	if (load_managed(app, req, resp, &c))
		return;
	if (c.state != CER_LIVE &&
	    ceremony_transition(c.state, CER_LIVE, &err)) {
		http_resp_fail(resp, ERR_CONFLICT, &err);
		return;
	}
	if ((rc = live_open(app, &c, &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		return;
	}
	if (store_ceremony_get(app->store, c.id, &fresh) == 0)
		c = fresh; /* with started_at */
	http_resp_json(resp, 200, api_ceremony_json(app, &c, true));
}

static void post_stop(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c, fresh;
	struct err_detail err = {0};

	if (load_managed(app, req, resp, &c))
		return;
	if (ceremony_transition(c.state, CER_ENDED, &err)) {
		http_resp_fail(resp, ERR_CONFLICT, &err);
		return;
	}
	if (live_close(app, &c) ||
	    !store_ok(store_ceremony_get(app->store, c.id, &fresh),
	              "reading an ended ceremony back")) {
		http_resp_err(resp, ERR_DB,
		              "the ceremony's media are closed, but its end "
		              "could not be stored");
		return;
	}
	c = fresh; /* with ended_at and the recording */
	http_resp_json(resp, 200, api_ceremony_json(app, &c, true));
}

/* PUT /api/ceremonies/{id}/source {"on":false} — pause or resume. */
static void put_source(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	struct err_detail err = {0};
	json_t *j = NULL;
	bool on;
	int rc;

	if (load_managed(app, req, resp, &c))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_bool(j, "on", true, true, &on, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (c.source == SRC_WHIP) {
		/* its picture is the publisher's: stopping it would cut the
		 * publisher off, and only the publisher can bring it back */
		http_resp_errc(resp, 409, "publisher_controls",
		               "a WHIP ceremony's picture is paused from the "
		               "publisher: stop streaming there (viewers see "
		               "the slate) and start again to resume");
		goto out;
	}
	if (c.state != CER_LIVE || live_source(app, &c, on)) {
		http_resp_err(resp, ERR_CONFLICT,
		              "the ceremony is %s; its source can be "
		              "switched only while live",
		              ceremony_state_name(c.state));
		goto out;
	}
	http_resp_json(resp, 200, api_ceremony_json(app, &c, true));
out:
	json_decref(j);
}

int api_ceremony_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/ceremonies", post_ceremony, 0);
	rc |= router_add(r, "GET", "/api/ceremonies", list_ceremonies, 0);
	rc |= router_add(r, "GET", "/api/ceremonies/{id}", get_ceremony,
	                 ROUTE_OWN_AUTH);
	rc |= router_add(r, "PATCH", "/api/ceremonies/{id}", patch_ceremony, 0);
	rc |= router_add(r, "POST", "/api/ceremonies/{id}/stream-key", post_key,
	                 0);
	rc |= router_add(r, "POST", "/api/ceremonies/{id}/invites", post_invite,
	                 0);
	rc |= router_add(r, "GET", "/api/ceremonies/{id}/invites", list_invites,
	                 0);
	rc |= router_add(r, "DELETE", "/api/ceremonies/{id}/invites/{iid}",
	                 delete_invite, 0);
	rc |=
	    router_add(r, "POST", "/api/ceremonies/{id}/start", post_start, 0);
	rc |= router_add(r, "POST", "/api/ceremonies/{id}/stop", post_stop, 0);
	rc |=
	    router_add(r, "PUT", "/api/ceremonies/{id}/source", put_source, 0);
	return rc ? -1 : 0;
}

#define DEMO_CEREMONY_TITLE "李秀英女士告别仪式 · Farewell to Li Xiuying"

/* With demo and demo_ceremony set: make sure a public test-source ceremony
 * of the demo agency exists, linked to the demo memorial, and is live. An
 * ended demo ceremony stays ended: its page then offers the replay. */
int api_ceremony_demo(struct app *app, struct err_detail *e)
{
	GArray *orgs = g_array_new(FALSE, FALSE, sizeof(struct org));
	GArray *all = g_array_new(FALSE, FALSE, sizeof(struct ceremony));
	struct ceremony c = {0}, *found = NULL;
	struct memorial m;
	char key[CRYPTO_TOKEN_CHARS];
	int rc = 0;

	if ((rc = store_org_list(app->store, ORG_AGENCY, orgs))) {
		err_fail(e, rc, NULL, "cannot list the agencies: %s",
		         err_name(rc));
		goto out;
	}
	for (guint i = 0; i < orgs->len && !c.agency_id; i++)
		if (!strcmp(g_array_index(orgs, struct org, i).name,
		            MEMORIAL_DEMO_AGENCY))
			c.agency_id = g_array_index(orgs, struct org, i).id;
	if (!c.agency_id)
		goto out; /* no demo agency: the memorial demo is off */
	if ((rc = store_ceremony_list(app->store, c.agency_id, all))) {
		err_fail(e, rc, NULL,
		         "cannot list the demo agency's "
		         "ceremonies: %s",
		         err_name(rc));
		goto out;
	}
	for (guint i = 0; i < all->len && !found; i++)
		if (!strcmp(g_array_index(all, struct ceremony, i).title,
		            DEMO_CEREMONY_TITLE))
			found = &g_array_index(all, struct ceremony, i);
	if (!found) {
		GDateTime *now = g_date_time_new_now_utc();
		GDateTime *end = g_date_time_add_hours(now, 2);
		char *s = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
		char *until = g_date_time_format(end, "%Y-%m-%dT%H:%M:%SZ");

		snprintf(c.title, sizeof(c.title), "%s", DEMO_CEREMONY_TITLE);
		snprintf(c.deceased_name, sizeof(c.deceased_name), "李秀英");
		snprintf(c.scheduled_start, sizeof(c.scheduled_start), "%s", s);
		snprintf(c.scheduled_end, sizeof(c.scheduled_end), "%s", until);
		g_free(s);
		g_free(until);
		g_date_time_unref(end);
		g_date_time_unref(now);
		if (store_memorial_by_slug(app->store, MEMORIAL_DEMO_SLUG,
		                           &m) == 0)
			c.memorial_id = m.id;
		c.source = SRC_TEST;
		new_key(&c, key);
		if ((rc = store_ceremony_create(app->store, &c))) {
			err_fail(e, rc, NULL,
			         "cannot create the demo ceremony");
			goto out;
		}
		found = &c;
		log_info("ceremony", "demo ceremony %lld created: /c/%lld",
		         (long long)c.id, (long long)c.id);
	}
	if (found->state == CER_SCHEDULED && app->media &&
	    live_open(app, found, e))
		log_warn("ceremony", "demo ceremony not live: %s",
		         e ? e->msg : "");
out:
	g_array_free(orgs, TRUE);
	g_array_free(all, TRUE);
	return rc;
}
