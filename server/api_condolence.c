/* api_condolence.c — the condolences of a ceremony over HTTP: leaving one,
 * reading them, publishing or hiding one, and who may follow the
 * moderators' topic condolences:{id} live.
 *
 * Whoever may watch may leave a message and read the published ones; the
 * ceremony's managers and the moderators of its memorial (the family) also
 * read the pending and hidden ones and change their state. The rules are
 * in condolence.c. The family finds its memorial's ceremonies, their
 * recordings and condolences, through GET /api/memorials/{id}/ceremonies
 * (the memorial's moderators). Called through the router and the
 * WebSocket hub.
 */
#include "access.h"
#include "api.h"
#include "api_ceremony.h"
#include "api_condolence.h"
#include "app.h"
#include "auth.h"
#include "ceremony.h"
#include "condolence.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "memorial.h"
#include "store.h"
#include "store_ceremony.h"
#include "store_memorial.h"
#include "wshub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 100
#define LIST_MAX     1000 /* the printable page asks for them all */

/* May the actor moderate memorial id? false when it does not exist. */
static bool memorial_keeper(struct app *app, const struct actor *a, int64_t id,
                            int *rc)
{
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;
	bool ok = false;

	*rc = store_memorial_get(app->store, id, m);
	if (*rc == 0)
		*rc = memorial_access_obj(app->store, m, &obj);
	if (*rc == 0)
		ok = access_check(a, ACT_MEMORIAL_MODERATE, &obj) == 0;
	g_free(m);
	return ok;
}

bool api_condolence_may_keep(struct app *app, const struct actor *a,
                             const struct ceremony *c)
{
	struct access_obj obj;
	int rc;

	api_ceremony_obj(c, &obj);
	if (access_check(a, ACT_CEREMONY_MANAGE, &obj) == 0)
		return true;
	return c->memorial_id && memorial_keeper(app, a, c->memorial_id, &rc);
}

/* Load the ceremony and check the right to watch; false with resp filled. */
static bool load_watched(struct app *app, struct http_req *req,
                         struct http_resp *resp, struct ceremony *c)
{
	return api_ceremony_load(app, req, resp, c) == 0 &&
	       !api_watch_deny(resp, api_ceremony_watch_check(app, req, c));
}

/* One budget per person: the account, else the invite, else the address
 * (a hall's Wi-Fi shares one address among many guests). */
static bool rate_ok(struct app *app, struct http_req *req,
                    struct http_resp *resp)
{
	const char *invite = api_watch_invite_token(req);
	bool known = invite || req->actor;
	char key[80];

	if (auth_actor(req)->user_id)
		snprintf(key, sizeof(key), "cond:u%lld",
		         (long long)auth_actor(req)->user_id);
	else if (invite)
		snprintf(key, sizeof(key), "cond:i%.40s", invite);
	else
		snprintf(key, sizeof(key), "cond:%s", req->peer);
	return auth_rate_ok(app, key, known ? 12 : 60, known ? 5 : 20, resp);
}

static void post_condolence(void *appv, struct http_req *req,
                            struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	struct ceremony_message m;
	const char *from, *text;
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if (!load_watched(app, req, resp, &c) || !rate_ok(app, req, resp))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_text(j, TEXT_CONDOLENCE_FROM, true, NULL, &from,
	                     &err)) ||
	    (rc = jsonx_text(j, TEXT_CONDOLENCE_TEXT, true, NULL, &text,
	                     &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if ((rc = condolence_add(app->store, app->bus, &c, from, text,
	                         auth_actor(req)->user_id, &m))) {
		http_resp_err(resp, rc, "cannot save the message");
		goto out;
	}
	http_resp_json(resp, 201, condolence_json(&m));
out:
	json_decref(j);
}

/* ?state= and ?limit= of a list; false with 400 or 403 filled. */
static bool list_params(struct http_req *req, struct http_resp *resp,
                        bool keeper, enum cond_state *state, int *limit)
{
	const char *st = http_query(req, "state");
	const char *lim = http_query(req, "limit");
	int s = st ? ceremony_cond_state_parse(st) : COND_PUBLISHED;
	char *end = NULL;
	long n = lim ? strtol(lim, &end, 10) : LIST_DEFAULT;

	if (s < 0 || (lim && (*end || n < 1 || n > LIST_MAX))) {
		http_resp_err(resp, ERR_INVALID,
		              "state: published, pending or hidden; limit: 1 "
		              "to %d",
		              LIST_MAX);
		return false;
	}
	if (s != COND_PUBLISHED && !keeper) {
		http_resp_err(resp, ERR_FORBIDDEN,
		              "only the family and the funeral home see "
		              "messages that are not published");
		return false;
	}
	*state = (enum cond_state)s;
	*limit = (int)n;
	return true;
}

static void list_condolences(void *appv, struct http_req *req,
                             struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony c;
	enum cond_state state;
	int64_t pending = 0;
	bool keeper;
	GArray *msgs;
	json_t *arr, *out;
	int limit, rc;

	if (!load_watched(app, req, resp, &c))
		return;
	keeper = api_condolence_may_keep(app, auth_actor(req), &c);
	if (!list_params(req, resp, keeper, &state, &limit))
		return;
	msgs = g_array_new(FALSE, FALSE, sizeof(struct ceremony_message));
	rc = store_ceremony_message_list(app->store, c.id, state, limit, msgs);
	if (rc == 0 && keeper)
		rc = store_ceremony_message_pending(app->store, c.id, &pending);
	if (rc) {
		http_resp_err(resp, rc, "cannot read the messages");
		g_array_free(msgs, TRUE);
		return;
	}
	arr = json_array();
	for (guint i = 0; i < msgs->len; i++)
		json_array_append_new(
		    arr, condolence_json(
		             &g_array_index(msgs, struct ceremony_message, i)));
	g_array_free(msgs, TRUE);
	out = json_pack("{s:o,s:s,s:b}", "messages", arr, "moderation",
	                condolence_held(app->store, &c) ? "hold" : "publish",
	                "can_moderate", keeper);
	if (keeper)
		json_object_set_new(out, "pending", json_integer(pending));
	http_resp_json(resp, 200, out);
	http_resp_header(resp, "Cache-Control", "no-store");
}

/* PATCH /api/ceremonies/{id}/condolences/{mid} {"state"} */
static void patch_condolence(void *appv, struct http_req *req,
                             struct http_resp *resp)
{
	static const char *const states[] = {"published", "hidden", NULL};
	struct app *app = appv;
	struct ceremony c;
	struct ceremony_message m;
	struct err_detail err = {0};
	json_t *j = NULL;
	int64_t mid;
	int s, rc;

	if (api_ceremony_load(app, req, resp, &c))
		return;
	if (!api_condolence_may_keep(app, auth_actor(req), &c)) {
		access_deny(resp, auth_actor(req)->user_id ? ERR_FORBIDDEN
		                                           : ERR_UNAUTHORIZED);
		return;
	}
	if (http_param_id(req, "mid", &mid)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such message");
		return;
	}
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_enum(j, "state", true, states, 0, &s, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	rc = condolence_moderate(app->store, app->bus, &c, mid,
	                         s == 0 ? COND_PUBLISHED : COND_HIDDEN, &m);
	if (rc == ERR_NOT_FOUND)
		http_resp_err(resp, rc, "no such message on this ceremony");
	else if (rc)
		http_resp_err(resp, rc, "cannot change the message");
	else
		http_resp_json(resp, 200, condolence_json(&m));
out:
	json_decref(j);
}

/* GET /api/memorials/{id}/ceremonies: the ceremonies linked to the
 * memorial, for its family (who keep their recordings and condolences). */
static void list_memorial_ceremonies(void *appv, struct http_req *req,
                                     struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	GArray *all;
	json_t *arr;
	int64_t id;
	int rc = 0;

	if (a->user_id == 0) {
		access_deny(resp, ERR_UNAUTHORIZED);
		return;
	}
	if (http_param_id(req, "id", &id) ||
	    !memorial_keeper(app, a, id, &rc)) {
		if (rc && rc != ERR_NOT_FOUND)
			http_resp_err(resp, rc, "cannot read the memorial");
		else /* as for a number never used: it exists for its family */
			http_resp_err(resp, ERR_NOT_FOUND, "no such memorial");
		return;
	}
	all = g_array_new(FALSE, FALSE, sizeof(struct ceremony));
	if (!store_ok(store_ceremony_list_memorial(app->store, id, all),
	              "listing a memorial's ceremonies")) {
		http_resp_err(resp, ERR_DB, "cannot read the ceremonies");
		g_array_free(all, TRUE);
		return;
	}
	arr = json_array();
	for (guint i = 0; i < all->len; i++)
		jsonx_push(
		    &arr,
		    api_ceremony_json(
		        app, &g_array_index(all, struct ceremony, i), false));
	g_array_free(all, TRUE);
	http_resp_json(resp, 200, json_pack("{s:o}", "ceremonies", arr));
	http_resp_header(resp, "Cache-Control", "no-store");
}

/* Who may follow condolences:{id}: the moderators. */
static int topic_check(void *appv, struct http_ws *ws, const char *topic)
{
	struct app *app = appv;
	const char *colon = strchr(topic, ':');
	struct ceremony c;
	struct actor a;
	int64_t id = colon ? strtoll(colon + 1, NULL, 10) : 0;
	int rc =
	    id > 0 ? store_ceremony_get(app->store, id, &c) : ERR_NOT_FOUND;

	if (rc)
		return rc;
	auth_ws_actor(app, ws, &a);
	if (api_condolence_may_keep(app, &a, &c))
		return 0;
	return a.user_id ? ERR_FORBIDDEN : ERR_UNAUTHORIZED;
}

int api_condolence_start(struct app *app)
{
	return wshub_register(app, "condolences", topic_check);
}

int api_condolence_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/ceremonies/{id}/condolences",
	                 post_condolence, ROUTE_OWN_AUTH);
	rc |= router_add(r, "GET", "/api/ceremonies/{id}/condolences",
	                 list_condolences, ROUTE_OWN_AUTH);
	rc |= router_add(r, "PATCH", "/api/ceremonies/{id}/condolences/{mid}",
	                 patch_condolence, 0);
	rc |= router_add(r, "GET", "/api/memorials/{id}/ceremonies",
	                 list_memorial_ceremonies, 0);
	return rc ? -1 : 0;
}
