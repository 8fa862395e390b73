/* api_family.c — the family of a memorial over HTTP: who holds its family
 * admin and guest roles, invitations to a login (the person accepts them),
 * taking a role away, and a signed-in person's own invitations and
 * notices.
 *
 * An invitation answers the same whether the login has an account or not
 * (202 with the login masked), so nobody can map a phone number to an
 * account through it; the invitee sees it under GET /api/me/invitations
 * when signed in with that login, now or after signing up. What every
 * kind of invitation does alike over HTTP is api_invite.c's. Rules are
 * family.c's, rights access.c's (memorial.grant to invite and revoke).
 */
#include "access.h"
#include "api.h"
#include "api_invite.h"
#include "api_memorial.h"
#include "app.h"
#include "auth.h"
#include "err.h"
#include "family.h"
#include "http.h"
#include "jsonx.h"
#include "rights.h"
#include "store.h"
#include "store_family.h"
#include "store_notice.h"
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

		if (!store_ok(store_user_grant_holders(app->store, roles[r],
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

/* What the inviter and the invitee see of an invitation (the inv member
 * of a struct family_invite). */
static json_t *invite_json(struct app *app, const struct invite *inv,
                           bool for_invitee)
{
	const struct family_invite *f = (const struct family_invite *)inv;
	struct memorial *m = g_new0(struct memorial, 1);
	struct store_user by;
	json_t *j = json_pack(
	    "{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)inv->id, "role", f->role,
	    "state", inv->expired ? "expired" : invite_state_name(inv->state),
	    "created_at", inv->created_at, "expires_at", inv->expires_at);

	if (!for_invitee) {
		jsonx_put(&j, "login", json_string(inv->login_masked));
	} else if (store_memorial_get(app->store, f->memorial_id, m) == 0) {
		/* the title, and the link once the role is theirs */
		jsonx_put(&j, "memorial",
		          json_pack("{s:I,s:s}", "id",
		                    (json_int_t)f->memorial_id, "title",
		                    m->title));
		if (inv->state == INVITE_ACCEPTED)
			jsonx_put(&j, "url", json_sprintf("/m/%s", m->slug));
		jsonx_put(
		    &j, "invited_by",
		    json_string(store_user_get(app->store, inv->invited_by, &by)
		                    ? ""
		                    : by.display_name));
	}
	g_free(m);
	return j;
}

static int kind_answer(struct store *st, int64_t id, const char *login_hash,
                       int64_t user_id, bool accept, struct invite *f)
{
	return family_answer(st, id, login_hash, user_id, accept,
	                     (struct family_invite *)f);
}

static const struct api_invite_kind invites = {sizeof(struct family_invite),
                                               store_family_invite_list_login,
                                               kind_answer, invite_json};

/* POST /api/memorials/{id}/family {"login", "role"}: an invitation. */
static void post_family(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	static const char *const keys[] = {"login", "role", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct memorial *m = g_new(struct memorial, 1);
	struct err_detail err = {0};
	char hash[CRYPTO_HASH_CHARS], masked[256];
	struct family_invite f;
	const char *raw;
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
	if (!api_invite_login(app, resp, raw, hash, masked, sizeof(masked)))
		goto out;
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
	    json_pack("{s:o}", "invitation", invite_json(app, &f.inv, false)));
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
	rc = store_user_grant_remove(app->store, uid, role, "memorial", m->id);
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

/* GET /api/memorials/{id}/invitations: what the family has sent. */
static void list_sent(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	GArray *fs = g_array_new(FALSE, FALSE, sizeof(struct family_invite));

	if (family_memorial(app, req, resp, m)) {
		if (store_family_invite_list_memorial(app->store, m->id, fs))
			http_resp_err(resp, ERR_DB, "cannot read invitations");
		else
			api_invite_send(app, resp, &invites, fs, false);
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
	int rc;

	if (family_memorial(app, req, resp, m)) {
		rc = http_param_id(req, "iid", &iid)
		         ? ERR_NOT_FOUND
		         : family_revoke(app->store, m->id, iid);
		if (rc)
			http_resp_lookup(resp, rc, "no such open invitation");
		else
			resp->status = 204;
	}
	g_free(m);
}

bool api_my_account(struct app *app, struct http_req *req,
                    struct http_resp *resp, struct store_user *u)
{
	const struct actor *a = auth_actor(req);
	int rc;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return false;
	rc = store_user_get(app->store, a->user_id, u);
	if (rc == ERR_NOT_FOUND) {
		http_resp_err(resp, ERR_UNAUTHORIZED, "account not found");
		return false;
	}
	if (rc) {
		http_resp_lookup(resp, rc, "account not found");
		return false;
	}
	return true;
}

static void my_invitations(void *appv, struct http_req *req,
                           struct http_resp *resp)
{
	api_invite_mine(appv, req, resp, &invites);
}

static void post_accept(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	api_invite_answer(appv, req, resp, &invites, true);
}

static void post_decline(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	api_invite_answer(appv, req, resp, &invites, false);
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
