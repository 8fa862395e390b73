/* api_staff.c — the staff of an agency or a cemetery over HTTP: who holds
 * its role, invitations to a login (the person accepts them), taking the
 * role away, and a signed-in person's own staff invitations.
 *
 * An invitation answers the same 202 whether the login has an account or
 * not, with the login masked, as a memorial's family invitations do
 * (api_family.c; what both do alike is api_invite.c's). Taking a role away
 * announces it (rights_changed), so the person's open sockets and viewers are
 * checked again at once; their next request is checked against the store
 * anyway. Rules are staff.c's, rights access.c's (staff.manage).
 */
#include "access.h"
#include "api.h"
#include "api_invite.h"
#include "app.h"
#include "auth.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "rights.h"
#include "staff.h"
#include "store.h"
#include "store_org.h"
#include "store_staff.h"
#include "store_user.h"

#include <stdio.h>
#include <string.h>

static enum org_kind kind_of(struct http_req *req)
{
	return strncmp(req->path, "/api/agencies", 13) == 0 ? ORG_AGENCY
	                                                    : ORG_CEMETERY;
}

/* The organisation of {id} and the right to manage its staff; false with
 * the answer filled. */
static bool staff_org(struct app *app, struct http_req *req,
                      struct http_resp *resp, struct org *o)
{
	struct access_obj obj = {0};
	int64_t id;

	o->kind = kind_of(req);
	if (http_param_id(req, "id", &id) ||
	    store_org_get(app->store, o->kind, id, o)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such %s",
		              store_org_kind_name(o->kind));
		return false;
	}
	obj.id = id;
	if (o->kind == ORG_AGENCY)
		obj.agency_id = id;
	else
		obj.cemetery_id = id;
	return !access_deny(
	    resp, access_check(auth_actor(req), ACT_STAFF_MANAGE, &obj));
}

/* What the inviter (login masked) or the invitee (the organisation and
 * who invited) sees of an invitation (the inv member of a struct
 * staff_invite). */
static json_t *invite_json(struct app *app, const struct invite *inv,
                           bool for_invitee)
{
	const struct staff_invite *f = (const struct staff_invite *)inv;
	struct store_user by;
	struct org o;
	json_t *j = json_pack(
	    "{s:I,s:s,s:b,s:s,s:s,s:s}", "id", (json_int_t)inv->id, "role",
	    staff_role(f->org_kind), "manager", f->manager, "state",
	    inv->expired ? "expired" : invite_state_name(inv->state),
	    "created_at", inv->created_at, "expires_at", inv->expires_at);

	if (!for_invitee) {
		jsonx_put(&j, "login", json_string(inv->login_masked));
		return j;
	}
	if (store_org_get(app->store, f->org_kind, f->org_id, &o) == 0)
		jsonx_put(&j, "org",
		          json_pack("{s:s,s:I,s:s}", "kind",
		                    store_org_kind_name(f->org_kind), "id",
		                    (json_int_t)f->org_id, "name", o.name));
	jsonx_put(&j, "invited_by",
	          json_string(store_user_get(app->store, inv->invited_by, &by)
	                          ? ""
	                          : by.display_name));
	return j;
}

static int kind_answer(struct store *st, int64_t id, const char *login_hash,
                       int64_t user_id, bool accept, struct invite *f)
{
	return staff_answer(st, id, login_hash, user_id, accept,
	                    (struct staff_invite *)f);
}

static const struct api_invite_kind invites = {sizeof(struct staff_invite),
                                               store_staff_invite_list_login,
                                               kind_answer, invite_json};

/* {"staff": [...], "invitations": [...]}, or NULL on a store error. */
static json_t *staff_json(struct app *app, const struct org *o)
{
	GArray *ms = g_array_new(FALSE, FALSE, sizeof(struct staff_member));
	GArray *fs = g_array_new(FALSE, FALSE, sizeof(struct staff_invite));
	json_t *staff = json_array(), *invs = json_array(), *j = NULL;

	if (store_staff_list(app->store, o->kind, o->id, ms) ||
	    store_staff_invite_list_org(app->store, o->kind, o->id, fs))
		goto out;
	for (guint i = 0; i < ms->len; i++) {
		struct staff_member *m =
		    &g_array_index(ms, struct staff_member, i);

		jsonx_push(&staff, json_pack("{s:I,s:s,s:s,s:b}", "user_id",
		                             (json_int_t)m->user_id,
		                             "display_name", m->display_name,
		                             "role", staff_role(o->kind),
		                             "manager", m->manager));
	}
	for (guint i = 0; i < fs->len; i++)
		jsonx_push(
		    &invs,
		    invite_json(app,
		                &g_array_index(fs, struct staff_invite, i).inv,
		                false));
	j = json_pack("{s:O,s:O}", "staff", staff, "invitations", invs);
out:
	json_decref(staff);
	json_decref(invs);
	g_array_free(ms, TRUE);
	g_array_free(fs, TRUE);
	return j;
}

static void send_staff(struct app *app, struct http_resp *resp,
                       const struct org *o)
{
	json_t *j = staff_json(app, o);

	if (!j) {
		http_resp_err(resp, ERR_DB, "cannot read the staff");
		return;
	}
	http_resp_json(resp, 200, j);
	http_resp_header(resp, "Cache-Control", "private, no-store");
}

/* GET /api/{agencies|cemeteries}/{id}/staff */
static void get_staff(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct org o;

	if (staff_org(app, req, resp, &o))
		send_staff(app, resp, &o);
}

/* POST /api/{agencies|cemeteries}/{id}/staff {"login", "manager"} */
static void post_staff(void *appv, struct http_req *req, struct http_resp *resp)
{
	static const char *const keys[] = {"login", "manager", NULL};
	struct app *app = appv;
	struct err_detail err = {0};
	char hash[CRYPTO_HASH_CHARS], masked[256];
	struct staff_invite f;
	const char *raw;
	json_t *j = NULL;
	bool manager;
	struct org o;
	int rc;

	if (!staff_org(app, req, resp, &o))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_str(j, "login", true, 3, 254, NULL, &raw, &err)) ||
	    (rc = jsonx_bool(j, "manager", false, false, &manager, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (!api_invite_login(app, resp, raw, hash, masked, sizeof(masked)))
		goto out;
	rc = staff_invite(app->store, o.kind, o.id, hash, masked, manager,
	                  auth_actor(req)->user_id, &f);
	if (rc == ERR_INVALID)
		http_resp_err(resp, rc,
		              "manager: only a cemetery's staff "
		              "have managers");
	else if (rc == ERR_FULL)
		http_resp_err(resp, rc,
		              "%d invitations are open; revoke some first",
		              STAFF_INVITE_PENDING);
	else if (rc)
		http_resp_err(resp, rc, "cannot store the invitation");
	else /* the same answer whether the login has an account or not */
		http_resp_json(resp, 202,
		               json_pack("{s:o}", "invitation",
		                         invite_json(app, &f.inv, false)));
out:
	json_decref(j);
}

/* DELETE /api/{agencies|cemeteries}/{id}/staff/{user_id}: the role goes
 * at once, on every node. */
static void delete_staff(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct org o;
	int64_t uid;
	int rc;

	if (!staff_org(app, req, resp, &o))
		return;
	if (http_param_id(req, "user_id", &uid)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such staff member");
		return;
	}
	if (uid == a->user_id && !actor_is_admin(a)) {
		http_resp_err(resp, ERR_CONFLICT,
		              "you cannot remove yourself; ask another "
		              "manager");
		return;
	}
	rc = staff_remove(app->store, o.kind, o.id, uid);
	if (rc == ERR_NOT_FOUND) {
		http_resp_err(resp, rc, "no such staff member");
		return;
	}
	if (rc) {
		http_resp_err(resp, rc, "cannot remove the role");
		return;
	}
	rights_changed(app, RIGHTS_USER, uid);
	send_staff(app, resp, &o);
}

/* DELETE /api/{agencies|cemeteries}/{id}/staff-invitations/{iid} */
static void delete_invite(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct org o;
	int64_t iid;
	int rc;

	if (!staff_org(app, req, resp, &o))
		return;
	if (http_param_id(req, "iid", &iid) ||
	    (rc = staff_revoke_invite(app->store, o.kind, o.id, iid)) ==
	        ERR_NOT_FOUND)
		http_resp_err(resp, ERR_NOT_FOUND, "no such open invitation");
	else if (rc)
		http_resp_err(resp, rc, "cannot revoke the invitation");
	else
		resp->status = 204;
}

/* GET /api/me/staff-invitations: the open ones of the signed-in login. */
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

int api_staff_routes(struct router *r)
{
	static const char *const pats[2][3] = {
	    {"/api/agencies/{id}/staff", "/api/agencies/{id}/staff/{user_id}",
	     "/api/agencies/{id}/staff-invitations/{iid}"},
	    {"/api/cemeteries/{id}/staff",
	     "/api/cemeteries/{id}/staff/{user_id}",
	     "/api/cemeteries/{id}/staff-invitations/{iid}"},
	};
	int rc = 0;

	for (int k = 0; k < 2; k++) {
		rc |= router_add(r, "GET", pats[k][0], get_staff, 0);
		rc |= router_add(r, "POST", pats[k][0], post_staff, 0);
		rc |= router_add(r, "DELETE", pats[k][1], delete_staff, 0);
		rc |= router_add(r, "DELETE", pats[k][2], delete_invite, 0);
	}
	rc |= router_add(r, "GET", "/api/me/staff-invitations", my_invitations,
	                 0);
	rc |= router_add(r, "POST", "/api/staff-invitations/{iid}/accept",
	                 post_accept, 0);
	rc |= router_add(r, "POST", "/api/staff-invitations/{iid}/decline",
	                 post_decline, 0);
	return rc ? -1 : 0;
}
