/* api_tribute.c — tributes over HTTP: leaving one (signed in or not),
 * listing them, and moderating messages.
 *
 * Anyone who may view a memorial may leave a tribute; anonymous visitors
 * have an extra per-address budget on top of the write limit. Counting,
 * moderation states and live publishing are tribute.c's.
 */
#include "access.h"
#include "api.h"
#include "api_memorial.h"
#include "app.h"
#include "auth.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "pagecache.h"
#include "store.h"
#include "store_tribute.h"
#include "tribute.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Anonymous tributes per address per minute: a sixth of the write limit
 * (20 with the default of 120), at least 1. */
static double anon_budget(const struct app *app)
{
	long n = app->cfg.rate_limit_writes / 6;

	return n < 1 ? 1.0 : (double)n;
}

static int tribute_fields(json_t *j, const struct actor *a, struct tribute *t,
                          struct err_detail *e)
{
	static const char *const keys[] = {"kind", "from_name", "text", NULL};
	static const char *const kinds[] = {"flower", "incense", "candle",
	                                    "bow",    "message", NULL};
	const char *dflt = a->user_id ? a->display_name : NULL;
	const char *from, *text;
	int kind, rc;

	/* a signed-in mourner's display name by default: the sender limit
	 * is the display name's, so it always fits whole */
	if ((rc = jsonx_only(j, keys, e)) ||
	    (rc = jsonx_enum(j, "kind", true, kinds, 0, &kind, e)) ||
	    (rc = jsonx_text(j, TEXT_TRIBUTE_FROM, !dflt, dflt, &from, e)) ||
	    (rc = jsonx_text(j, TEXT_TRIBUTE_TEXT, false, "", &text, e)))
		return rc;
	t->kind = (enum tribute_kind)kind;
	snprintf(t->from_name, sizeof(t->from_name), "%s", from);
	snprintf(t->text, sizeof(t->text), "%s", text);
	t->user_id = a->user_id;
	return tribute_validate(t, e);
}

/* A tribute on its way to the disk (tribute_lay). */
struct tribute_write {
	struct http_deferred *d;
	struct pagecache_facts f; /* of the memorial it is laid on */
	struct tribute t;
	struct tribute_counts c;
};

/* Committed (on disk, published, told) or failed: answer, with the JSON
 * the event carries when there is one. */
static void tribute_laid(void *ud, int rc, const char *json, size_t len)
{
	struct tribute_write *w = ud;
	struct http_resp *resp = http_deferred_resp(w->d);

	if (rc)
		http_resp_err(resp, rc, "cannot store the tribute");
	else if (json)
		http_resp_data(resp, 201, "application/json; charset=utf-8",
		               json, len);
	else
		http_resp_json(resp, 201,
		               json_pack("{s:o,s:o}", "tribute",
		                         tribute_json(&w->t), "counts",
		                         tribute_counts_json(&w->c)));
	http_deferred_finish(w->d);
	g_free(w);
}

static void post_tribute(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	/* the memorial's facts go straight into the write that keeps them
	 * (zeroing or copying a whole memorial per tribute showed in
	 * profiles); kept by the page cache, no store read when they are */
	struct tribute_write *w = g_new(struct tribute_write, 1);
	struct tribute_memorial tm;
	struct err_detail err = {0};
	char key[96];
	json_t *j = NULL;
	int rc;

	w->d = NULL;
	memset(&w->t, 0, sizeof(w->t));
	memset(&w->c, 0, sizeof(w->c));
	if (!api_memorial_facts(app, req, resp, &w->f) ||
	    access_deny(resp, access_check(a, ACT_MEMORIAL_VIEW, &w->f.obj)))
		goto out;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = tribute_fields(j, a, &w->t, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	snprintf(key, sizeof(key), "tribute:%s", req->peer);
	if (!a->user_id &&
	    !auth_rate_ok(app, key, anon_budget(app), anon_budget(app), resp))
		goto out;
	/* answered once the commit it shares with others is on disk */
	w->d = http_defer(req);
	tm = (struct tribute_memorial){w->f.obj.memorial_id, w->f.hold,
	                               w->f.title, w->f.slug};
	tribute_lay(app->store, app->bus, &tm, &w->t, &w->c, tribute_laid, w);
	w = NULL;
out:
	json_decref(j);
	g_free(w);
}

/* GET ...?state=published|pending|hidden&kind=&cursor=&limit= */
static void list_tributes(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	const char *st = http_query(req, "state"), *k = http_query(req, "kind"),
	           *cur = http_query(req, "cursor"),
	           *lim = http_query(req, "limit");
	struct memorial *m = g_new(struct memorial, 1);
	int state = st ? tribute_state_parse(st) : TRIB_PUBLISHED;
	int kind = k ? tribute_kind_parse(k) : -1;
	int64_t before = cur && *cur ? atoll(cur) : 0;
	int limit = lim && *lim ? atoi(lim) : 50;
	struct access_obj obj;
	GArray *out;
	json_t *arr;
	int rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp, access_check(a, ACT_MEMORIAL_VIEW, &obj)))
		goto out;
	if (state < 0 || (k && kind < 0) || before < 0 || limit < 1 ||
	    limit > 200) {
		http_resp_err(resp, ERR_INVALID,
		              "state: published, pending or hidden; kind: a "
		              "tribute kind; limit 1 to 200; cursor >= 0");
		goto out;
	}
	if (state != TRIB_PUBLISHED &&
	    access_deny(resp, access_check(a, ACT_MEMORIAL_MODERATE, &obj)))
		goto out;
	out = g_array_new(FALSE, FALSE, sizeof(struct tribute));
	rc = store_tribute_list(app->store, m->id, (enum tribute_state)state,
	                        kind, before, limit, out);
	if (!store_ok(rc, "listing tributes")) {
		http_resp_err(resp, rc, "cannot list the tributes");
		g_array_free(out, TRUE);
		goto out;
	}
	arr = json_array();
	for (guint i = 0; arr && i < out->len; i++)
		jsonx_push(
		    &arr, tribute_json(&g_array_index(out, struct tribute, i)));
	http_resp_json(resp, 200,
	               jsonx_page("tributes", arr, out, limit,
	                          offsetof(struct tribute, id)));
	g_array_free(out, TRUE);
out:
	g_free(m);
}

static void patch_message(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	static const char *const keys[] = {"state", NULL};
	static const char *const states[] = {"published", "hidden", NULL};
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	struct tribute_counts c;
	struct access_obj obj;
	struct tribute t;
	struct err_detail err = {0};
	json_t *j = NULL;
	int64_t mid;
	int state, rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp, access_check(auth_actor(req),
	                                   ACT_MEMORIAL_MODERATE, &obj)))
		goto out;
	if (http_param_id(req, "mid", &mid)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such message");
		goto out;
	}
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_enum(j, "state", true, states, 0, &state, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	rc = tribute_moderate(app->store, app->bus, m, mid,
	                      state ? TRIB_HIDDEN : TRIB_PUBLISHED, &t, &c);
	if (rc) {
		http_resp_err(resp, rc,
		              rc == ERR_NOT_FOUND
		                  ? "no such message on this "
		                    "memorial"
		                  : "cannot change the message");
		goto out;
	}
	http_resp_json(resp, 200,
	               json_pack("{s:o,s:o}", "tribute", tribute_json(&t),
	                         "counts", tribute_counts_json(&c)));
out:
	json_decref(j);
	g_free(m);
}

int api_tribute_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/memorials/{id}/tributes",
	                 post_tribute, 0);
	rc |= router_add(r, "GET", "/api/memorials/{id}/tributes",
	                 list_tributes, 0);
	rc |= router_add(r, "PATCH", "/api/memorials/{id}/messages/{mid}",
	                 patch_message, 0);
	return rc ? -1 : 0;
}
