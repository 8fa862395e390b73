/* api_complaint.c — complaints about a funeral agency or a cemetery.
 *
 * Anyone may send one (signed in or not, a contact optional, limited per
 * client address and per account); whoever sent it gets a token link, and
 * finds it in their account when signed in. The organisation's operators
 * or staff and the platform admin list and answer it; the sender reads the
 * answer. A complaint is never published: to everyone else it does not
 * exist (404). Rights through access.c (complaint.*), SQL in
 * store_public.c; the contact is sealed with the data key and only the
 * token's SHA-256 is kept.
 */
#include "access.h"
#include "api.h"
#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "store_org.h"
#include "store_public.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum org_kind path_kind(struct http_req *req)
{
	return strncmp(req->path, "/api/agencies/", 14) == 0 ? ORG_AGENCY
	                                                     : ORG_CEMETERY;
}

static void org_obj(enum org_kind k, int64_t id, struct access_obj *obj)
{
	obj->agency_id = k == ORG_AGENCY ? id : 0;
	obj->cemetery_id = k == ORG_CEMETERY ? id : 0;
}

/* What is shown of a complaint; staff (its handlers) also see how to
 * reach the sender. */
static json_t *complaint_json(struct app *app, const struct complaint *c,
                              bool staff)
{
	struct org o;
	json_t *j;

	if (store_org_get(app->store, c->org_kind, c->org_id, &o))
		snprintf(o.name, sizeof(o.name), "%s", "");
	j = json_pack(
	    "{s:I,s:{s:s,s:I,s:s},s:s,s:s,s:o,s:o,s:s}", "id",
	    (json_int_t)c->id, "org", "kind", store_org_kind_name(c->org_kind),
	    "id", (json_int_t)c->org_id, "name", o.name, "text", c->text,
	    "state", c->answered ? "answered" : "open", "answer",
	    c->answered ? json_string(c->answer) : json_null(), "answered_at",
	    c->answered ? json_string(c->answered_at) : json_null(),
	    "created_at", c->created_at);
	if (staff) {
		char *contact =
		    c->contact_enc[0]
		        ? crypto_open_sealed(app->crypto, c->contact_enc)
		        : NULL;

		jsonx_put(&j, "contact", json_string(contact ? contact : ""));
		jsonx_put(&j, "from_account", json_boolean(c->user_id != 0));
		free(contact);
	}
	return j;
}

/* One token from the sender's budgets: their address, and their account,
 * each rate_limit_complaints an hour (as many at once). */
static bool send_budget_ok(struct app *app, struct http_req *req,
                           const struct actor *a, struct http_resp *resp)
{
	double per_hour = (double)app->cfg.rate_limit_complaints;
	char key[96];

	snprintf(key, sizeof(key), "complaint:a:%s", req->peer);
	if (!auth_rate_ok(app, key, per_hour / 60.0, per_hour, resp))
		return false;
	if (!a->user_id)
		return true;
	snprintf(key, sizeof(key), "complaint:u:%lld", (long long)a->user_id);
	return auth_rate_ok(app, key, per_hour / 60.0, per_hour, resp);
}

/* Read text and contact into c (contact sealed). */
static int complaint_fields(struct app *app, json_t *j, struct complaint *c,
                            struct err_detail *e)
{
	static const char *const keys[] = {"text", "contact", NULL};
	char *sealed;
	int rc;

	if ((rc = jsonx_only(j, keys, e)) ||
	    (rc = jsonx_text_copy(j, TEXT_COMPLAINT_TEXT, true, c->text,
	                          sizeof(c->text), e)) ||
	    (rc = jsonx_text_copy(j, TEXT_COMPLAINT_CONTACT, false, c->contact,
	                          sizeof(c->contact), e)))
		return rc;
	if (!c->contact[0])
		return 0;
	if (!(sealed = crypto_seal(app->crypto, c->contact)))
		return ERR_NOMEM;
	snprintf(c->contact_enc, sizeof(c->contact_enc), "%s", sealed);
	rc = strlen(sealed) < sizeof(c->contact_enc) ? 0 : ERR_INTERNAL;
	free(sealed);
	return rc;
}

/* POST /api/{agencies,cemeteries}/{id}/complaints {text, contact?} */
static void post_complaint(void *appv, struct http_req *req,
                           struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct complaint *c = g_new0(struct complaint, 1);
	struct err_detail err = {0};
	char token[CRYPTO_TOKEN_CHARS], link[160];
	json_t *j = NULL;
	struct org o;
	int rc;

	c->org_kind = path_kind(req);
	if (http_param_id(req, "id", &c->org_id) ||
	    (rc = store_org_get(app->store, c->org_kind, c->org_id, &o))) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such %s",
		              store_org_kind_name(c->org_kind));
		goto out;
	}
	if (access_deny(resp, access_check(a, ACT_COMPLAINT_SEND, NULL)) ||
	    !send_budget_ok(app, req, a, resp))
		goto out;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = complaint_fields(app, j, c, &err))) {
		http_resp_err(resp, rc, "%s",
		              rc == ERR_INVALID ? err.msg
		                                : "cannot seal the contact");
		goto out;
	}
	c->user_id = a->user_id;
	crypto_token(token);
	crypto_sha256_hex(token, c->token_hash);
	if ((rc = store_public_complaint_insert(app->store, c))) {
		log_error("complaint", "storing a complaint: %d", rc);
		http_resp_err(resp, rc, "cannot store the complaint");
		goto out;
	}
	log_info("complaint", "complaint %lld about %s %lld", (long long)c->id,
	         store_org_kind_name(c->org_kind), (long long)c->org_id);
	snprintf(link, sizeof(link), "/complaint.html?id=%lld&token=%s",
	         (long long)c->id, token);
	http_resp_json(resp, 201,
	               json_pack("{s:o,s:s,s:s}", "complaint",
	                         complaint_json(app, c, false), "token", token,
	                         "link", link));
out:
	json_decref(j);
	g_free(c);
}

/* Parse ?cursor=&limit= (defaults 0 and 50); false after a 400. */
static bool page_args(struct http_req *req, struct http_resp *resp,
                      int64_t *cursor, int *limit)
{
	const char *cur = http_query(req, "cursor"),
	           *lim = http_query(req, "limit");

	*cursor = cur ? atoll(cur) : 0;
	*limit = lim ? atoi(lim) : 50;
	if (*cursor >= 0 && *limit >= 1 && *limit <= 200)
		return true;
	http_resp_err(resp, ERR_INVALID, "cursor >= 0 and limit 1 to 200");
	return false;
}

enum list_of { LIST_ORG, LIST_MINE, LIST_ALL };

/* The answer of the three lists: {"complaints":[…], "next_cursor"}. */
static void send_list(struct app *app, struct http_req *req,
                      struct http_resp *resp, enum list_of which,
                      const struct access_obj *obj)
{
	const struct actor *a = auth_actor(req);
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct complaint));
	json_t *arr;
	int64_t cursor;
	int limit, rc;

	if (!page_args(req, resp, &cursor, &limit))
		goto out;
	rc = which == LIST_MINE
	         ? store_public_complaint_list_user(app->store, a->user_id,
	                                            cursor, limit, out)
	     : which == LIST_ALL
	         ? store_public_complaint_list_all(app->store, cursor, limit,
	                                           out)
	         : store_public_complaint_list_org(
	               app->store, obj->agency_id ? ORG_AGENCY : ORG_CEMETERY,
	               obj->agency_id ? obj->agency_id : obj->cemetery_id,
	               cursor, limit, out);
	if (rc) {
		log_error("complaint", "listing complaints: %d", rc);
		http_resp_err(resp, rc, "cannot list complaints");
		goto out;
	}
	arr = json_array();
	for (guint i = 0; i < out->len; i++)
		jsonx_push(&arr,
		           complaint_json(
		               app, &g_array_index(out, struct complaint, i),
		               which != LIST_MINE));
	http_resp_json(resp, 200,
	               jsonx_page("complaints", arr, out, limit,
	                          offsetof(struct complaint, id)));
out:
	g_array_free(out, TRUE);
}

/* GET /api/{agencies,cemeteries}/{id}/complaints */
static void list_org(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj = {0};
	enum org_kind k = path_kind(req);
	struct org o;
	int64_t id;

	if (access_deny(resp, auth_actor(req)->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if (http_param_id(req, "id", &id) ||
	    store_org_get(app->store, k, id, &o)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such %s",
		              store_org_kind_name(k));
		return;
	}
	org_obj(k, id, &obj);
	if (access_deny(resp, access_check(auth_actor(req),
	                                   ACT_COMPLAINT_ANSWER, &obj)))
		return;
	send_list(app, req, resp, LIST_ORG, &obj);
}

/* GET /api/complaints: every complaint, for the platform admin. */
static void list_all(void *appv, struct http_req *req, struct http_resp *resp)
{
	if (access_deny(resp, access_check(auth_actor(req),
	                                   ACT_COMPLAINT_ANSWER, NULL)))
		return;
	send_list(appv, req, resp, LIST_ALL, NULL);
}

/* GET /api/me/complaints: those the signed-in user sent. */
static void list_mine(void *appv, struct http_req *req, struct http_resp *resp)
{
	if (access_deny(resp, auth_actor(req)->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	send_list(appv, req, resp, LIST_MINE, NULL);
}

/* The complaint of the path, if the actor may read it (token: the one of
 * the query). Fills resp and returns false otherwise: 401 to anonymous
 * callers without a token, 404 to everyone else who may not read it. */
static bool readable(struct app *app, struct http_req *req,
                     struct http_resp *resp, struct complaint *c, bool *staff)
{
	const struct actor *a = auth_actor(req);
	const char *token = http_query(req, "token");
	struct access_obj obj = {0};
	char hash[CRYPTO_HASH_CHARS];
	int64_t id;
	int rc = ERR_NOT_FOUND;

	if (!a->user_id && !token) {
		access_deny(resp, ERR_UNAUTHORIZED);
		return false;
	}
	if (http_param_id(req, "id", &id) == 0)
		rc = store_public_complaint_get(app->store, id, c);
	if (rc && rc != ERR_NOT_FOUND) {
		log_error("complaint", "reading complaint %lld: %d",
		          (long long)id, rc);
		http_resp_err(resp, rc, "cannot read the complaint");
		return false;
	}
	if (rc == 0) {
		org_obj(c->org_kind, c->org_id, &obj);
		obj.owner_id = c->user_id ? c->user_id : -1;
		if (token) {
			crypto_sha256_hex(token, hash);
			obj.invite_ok = strcmp(hash, c->token_hash) == 0;
		}
		rc = access_check(a, ACT_COMPLAINT_READ, &obj);
	}
	if (rc) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such complaint");
		return false;
	}
	*staff = access_check(a, ACT_COMPLAINT_ANSWER, &obj) == 0;
	return true;
}

/* GET /api/complaints/{id}[?token=] */
static void get_complaint(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct complaint *c = g_new0(struct complaint, 1);
	bool staff = false;

	if (readable(app, req, resp, c, &staff)) {
		http_resp_json(resp, 200,
		               json_pack("{s:o,s:b}", "complaint",
		                         complaint_json(app, c, staff),
		                         "can_answer", staff && !c->answered));
		http_resp_header(resp, "Cache-Control", "private, no-store");
	}
	g_free(c);
}

/* POST /api/complaints/{id}/answer {answer}: once. */
static void post_answer(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	struct complaint *c = g_new0(struct complaint, 1);
	const char *answer;
	bool staff = false;
	json_t *j = NULL;
	struct err_detail err = {0};
	int rc;

	if (!readable(app, req, resp, c, &staff))
		goto out;
	if (!staff) {
		access_deny(resp, ERR_FORBIDDEN);
		goto out;
	}
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, (const char *const[]){"answer", NULL}, &err)) ||
	    (rc = jsonx_text(j, TEXT_COMPLAINT_ANSWER, true, NULL, &answer,
	                     &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	rc = store_public_complaint_answer(app->store, c->id, answer,
	                                   auth_actor(req)->user_id);
	if (rc == 0)
		rc = store_public_complaint_get(app->store, c->id, c);
	if (rc) {
		if (rc != ERR_CONFLICT)
			log_error("complaint", "answering %lld: %d",
			          (long long)c->id, rc);
		http_resp_err(resp, rc,
		              rc == ERR_CONFLICT ? "already answered"
		                                 : "cannot store the answer");
		goto out;
	}
	http_resp_json(
	    resp, 200,
	    json_pack("{s:o}", "complaint", complaint_json(app, c, true)));
out:
	json_decref(j);
	g_free(c);
}

int api_complaint_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/agencies/{id}/complaints",
	                 post_complaint, 0);
	rc |= router_add(r, "POST", "/api/cemeteries/{id}/complaints",
	                 post_complaint, 0);
	rc |=
	    router_add(r, "GET", "/api/agencies/{id}/complaints", list_org, 0);
	rc |= router_add(r, "GET", "/api/cemeteries/{id}/complaints", list_org,
	                 0);
	rc |= router_add(r, "GET", "/api/complaints", list_all, 0);
	rc |= router_add(r, "GET", "/api/me/complaints", list_mine, 0);
	rc |= router_add(r, "GET", "/api/complaints/{id}", get_complaint, 0);
	rc |= router_add(r, "POST", "/api/complaints/{id}/answer", post_answer,
	                 0);
	return rc ? -1 : 0;
}
