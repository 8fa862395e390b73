/* api_family.c — the family of a memorial over HTTP: who holds its family
 * admin and guest roles, invitations to a login (the person accepts them),
 * taking a role away, and a signed-in person's own invitations and
 * notices.
 *
 * An invitation answers the same whether the login has an account or not
 * (202 with the login masked), so nobody can map a phone number to an
 * account through it; the invitee sees it under GET /api/me/invitations
 * when signed in with that login, now or after signing up. Rules are
 * family.c's, rights access.c's (memorial.grant to invite and revoke).
 */
#include "access.h"
#include "api.h"
#include "api_memorial.h"
#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "err.h"
#include "family.h"
#include "http.h"
#include "jsonx.h"
#include "rights.h"
#include "store.h"
#include "store_family.h"
#include "store_memorial.h"
#include "store_user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const roles[] = {"family_admin", "memorial_guest", NULL};

static json_t *family_json(struct app *app, int64_t mid)
{
	json_t *arr = json_array();

	for (int r = 0; arr && roles[r]; r++) {
		GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));

		if (!store_ok(store_grant_holders(app->store, roles[r],
		                                  "memorial", mid, ids),
		              "listing a memorial's family")) {
			json_decref(arr);
			arr = NULL;
		}
		for (guint i = 0; arr && i < ids->len; i++) {
			struct store_user u;
			int64_t uid = g_array_index(ids, int64_t, i);
			int rc = store_user_get(app->store, uid, &u);

			if (rc == ERR_NOT_FOUND) /* the account is gone */
				continue;
			if (!store_ok(rc, "reading a family member")) {
				json_decref(arr);
				arr = NULL;
				break;
			}
			jsonx_push(&arr,
			           json_pack("{s:I,s:s,s:s}", "user_id",
			                     (json_int_t)uid, "display_name",
			                     u.display_name, "role", roles[r]));
		}
		g_array_free(ids, TRUE);
	}
	return arr;
}

/* The memorial of {id} and the right to manage its family; false with the
 * answer filled. m is g_new'ed by the caller. */
static bool family_memorial(struct app *app, struct http_req *req,
                            struct http_resp *resp, struct memorial *m)
{
	struct access_obj obj;

	return api_memorial_find(app, req, resp, m, &obj) &&
	       !access_deny(
	           resp, access_check(auth_actor(req), ACT_FAMILY_GRANT, &obj));
}

static void get_family(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);

	if (family_memorial(app, req, resp, m))
		http_resp_json(
		    resp, 200,
		    json_pack("{s:o}", "family", family_json(app, m->id)));
	g_free(m);
}

/* What the inviter and the invitee see of an invitation. */
static json_t *invite_json(struct app *app, const struct family_invite *f,
                           bool for_invitee)
{
	struct memorial *m = g_new0(struct memorial, 1);
	struct store_user by;
	json_t *j = json_pack(
	    "{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)f->id, "role", f->role,
	    "state",
	    f->expired ? "expired" : family_invite_state_name(f->state),
	    "created_at", f->created_at, "expires_at", f->expires_at);

	if (!for_invitee) {
		jsonx_put(&j, "login", json_string(f->login_masked));
	} else if (store_memorial_get(app->store, f->memorial_id, m) == 0) {
		/* the title, and the link once the role is theirs */
		jsonx_put(&j, "memorial",
		          json_pack("{s:I,s:s}", "id",
		                    (json_int_t)f->memorial_id, "title",
		                    m->title));
		if (f->state == INVITE_ACCEPTED)
			jsonx_put(&j, "url", json_sprintf("/m/%s", m->slug));
		jsonx_put(
		    &j, "invited_by",
		    json_string(store_user_get(app->store, f->invited_by, &by)
		                    ? ""
		                    : by.display_name));
	}
	g_free(m);
	return j;
}

/* POST /api/memorials/{id}/family {"login", "role"}: an invitation. */
static void post_family(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	static const char *const keys[] = {"login", "role", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct memorial *m = g_new(struct memorial, 1);
	struct err_detail err = {0};
	char login[256], hash[CRYPTO_HASH_CHARS], masked[256];
	struct family_invite f;
	const char *raw, *kind;
	json_t *j = NULL;
	int role, rc;

	if (!family_memorial(app, req, resp, m))
		goto out;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_str(j, "login", true, 3, 254, NULL, &raw, &err)) ||
	    (rc = jsonx_enum(j, "role", true, roles, 0, &role, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (auth_login_normalize(raw, login, sizeof(login), &kind)) {
		http_resp_err(resp, ERR_INVALID,
		              "login: a mobile number or an e-mail address");
		goto out;
	}
	crypto_keyed_hash(app->crypto, login, hash);
	api_mask_login(login, kind, masked, sizeof(masked));
	rc = family_invite(app->store, m->id, hash, masked, roles[role],
	                   a->user_id, &f);
	if (rc) {
		http_resp_err(resp, rc,
		              rc == ERR_FULL ? "this memorial has %d open "
		                               "invitations; revoke some first"
		                             : "cannot store the invitation",
		              FAMILY_INVITE_PENDING);
		goto out;
	}
	/* the same answer whether the login has an account or not */
	http_resp_json(
	    resp, 202,
	    json_pack("{s:o}", "invitation", invite_json(app, &f, false)));
out:
	json_decref(j);
	g_free(m);
}

static void delete_family(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	const char *role = http_query(req, "role");
	int64_t uid;
	int rc;

	if (!family_memorial(app, req, resp, m))
		goto out;
	if (http_param_id(req, "user_id", &uid) || !role ||
	    (strcmp(role, "family_admin") && strcmp(role, "memorial_guest"))) {
		http_resp_err(resp, ERR_INVALID,
		              "role: ?role=family_admin or memorial_guest");
		goto out;
	}
	rc = store_grant_remove(app->store, uid, role, "memorial", m->id);
	if (rc && rc != ERR_NOT_FOUND) {
		http_resp_err(resp, rc, "cannot remove the grant");
		goto out;
	}
	if (rc == 0)
		rights_changed(app, RIGHTS_MEMORIAL, m->id);
	http_resp_json(resp, 200,
	               json_pack("{s:o}", "family", family_json(app, m->id)));
out:
	g_free(m);
}

static void send_invites(struct app *app, struct http_resp *resp, GArray *fs,
                         bool for_invitee)
{
	json_t *arr = json_array();

	for (guint i = 0; i < fs->len; i++)
		jsonx_push(&arr,
		           invite_json(
		               app, &g_array_index(fs, struct family_invite, i),
		               for_invitee));
	http_resp_json(resp, 200, json_pack("{s:o}", "invitations", arr));
	http_resp_header(resp, "Cache-Control", "private, no-store");
}

/* GET /api/memorials/{id}/invitations: what the family has sent. */
static void list_sent(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	GArray *fs = g_array_new(FALSE, FALSE, sizeof(struct family_invite));

	if (family_memorial(app, req, resp, m)) {
		if (store_invite_list_memorial(app->store, m->id, fs))
			http_resp_err(resp, ERR_DB, "cannot read invitations");
		else
			send_invites(app, resp, fs, false);
	}
	g_array_free(fs, TRUE);
	g_free(m);
}

/* DELETE /api/memorials/{id}/invitations/{iid}: revoke one. */
static void delete_invite(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	int64_t iid;

	if (family_memorial(app, req, resp, m)) {
		if (http_param_id(req, "iid", &iid) ||
		    family_revoke(app->store, m->id, iid))
			http_resp_err(resp, ERR_NOT_FOUND,
			              "no such open invitation");
		else
			resp->status = 204;
	}
	g_free(m);
}

bool api_my_account(struct app *app, struct http_req *req,
                    struct http_resp *resp, struct store_user *u)
{
	const struct actor *a = auth_actor(req);

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return false;
	if (store_user_get(app->store, a->user_id, u)) {
		http_resp_err(resp, ERR_UNAUTHORIZED, "account not found");
		return false;
	}
	return true;
}

static void my_invitations(void *appv, struct http_req *req,
                           struct http_resp *resp)
{
	struct app *app = appv;
	GArray *fs = g_array_new(FALSE, FALSE, sizeof(struct family_invite));
	struct store_user u;

	if (api_my_account(app, req, resp, &u)) {
		if (store_invite_list_login(app->store, u.login_hash, fs))
			http_resp_err(resp, ERR_DB, "cannot read invitations");
		else
			send_invites(app, resp, fs, true);
	}
	g_array_free(fs, TRUE);
}

static void answer(struct app *app, struct http_req *req,
                   struct http_resp *resp, bool accept)
{
	struct family_invite f;
	struct store_user u;
	int64_t iid;
	int rc;

	if (!api_my_account(app, req, resp, &u))
		return;
	if (http_param_id(req, "iid", &iid) ||
	    (rc = family_answer(app->store, iid, u.login_hash, u.id, accept,
	                        &f)) == ERR_NOT_FOUND) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such open invitation");
		return;
	}
	if (rc) {
		http_resp_err(resp, rc, "cannot answer the invitation");
		return;
	}
	http_resp_json(
	    resp, 200,
	    json_pack("{s:o}", "invitation", invite_json(app, &f, true)));
}

static void post_accept(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	answer(appv, req, resp, true);
}

static void post_decline(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	answer(appv, req, resp, false);
}

static void my_notices(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	GArray *ns = g_array_new(FALSE, FALSE, sizeof(struct notice));
	struct store_user u;
	json_t *arr = json_array();

	if (api_my_account(app, req, resp, &u)) {
		if (store_notice_list(app->store, u.id, ns)) {
			http_resp_err(resp, ERR_DB, "cannot read notices");
		} else {
			for (guint i = 0; i < ns->len; i++) {
				struct notice *n =
				    &g_array_index(ns, struct notice, i);

				jsonx_push(&arr,
				           json_pack("{s:I,s:s,s:s,s:s}", "id",
				                     (json_int_t)n->id, "kind",
				                     n->kind, "detail",
				                     n->detail, "created_at",
				                     n->created_at));
			}
			http_resp_json(resp, 200,
			               json_pack("{s:o}", "notices", arr));
			arr = NULL;
			http_resp_header(resp, "Cache-Control", "no-store");
		}
	}
	json_decref(arr);
	g_array_free(ns, TRUE);
}

int api_family_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "GET", "/api/memorials/{id}/family", get_family, 0);
	rc |=
	    router_add(r, "POST", "/api/memorials/{id}/family", post_family, 0);
	rc |= router_add(r, "DELETE", "/api/memorials/{id}/family/{user_id}",
	                 delete_family, 0);
	rc |= router_add(r, "GET", "/api/memorials/{id}/invitations", list_sent,
	                 0);
	rc |= router_add(r, "DELETE", "/api/memorials/{id}/invitations/{iid}",
	                 delete_invite, 0);
	rc |= router_add(r, "GET", "/api/me/invitations", my_invitations, 0);
	rc |= router_add(r, "POST", "/api/invitations/{iid}/accept",
	                 post_accept, 0);
	rc |= router_add(r, "POST", "/api/invitations/{iid}/decline",
	                 post_decline, 0);
	rc |= router_add(r, "GET", "/api/me/notices", my_notices, 0);
	return rc ? -1 : 0;
}
