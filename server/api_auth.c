/* api_auth.c — accounts over HTTP: sign-up, sign-in, sign-out, the current
 * user, password change, and the admin's user list and role grants.
 *
 * Parses and validates input, calls store_user/auth/crypto, renders JSON.
 * Logins are personal data: responses carry only the masked form.
 */
#include "access.h"
#include "api.h"
#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "password.h"
#include "pwhash.h"
#include "log.h"
#include "rights.h"
#include "store.h"
#include "store_family.h"
#include "store_notice.h"
#include "store_user.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An address may try this many times the sign-ins of one login (per
 * rate_limit_logins and 15 minutes), across every login it tries. */
#define SIGNIN_PER_ADDRESS 3.0

static json_t *grants_json(struct app *app, int64_t user_id)
{
	GArray *g = g_array_new(FALSE, FALSE, sizeof(struct store_grant));
	json_t *arr = json_array();

	if (!store_ok(store_user_grant_list(app->store, user_id, g),
	              "listing an account's roles")) {
		json_decref(arr);
		arr = NULL; /* the answer is a 500, not an account without roles
		             */
	}
	for (guint i = 0; arr && i < g->len; i++) {
		struct store_grant *s =
		    &g_array_index(g, struct store_grant, i);

		json_t *j = json_pack("{s:s,s:s,s:I,s:s}", "role", s->role,
		                      "scope_kind", s->scope_kind, "scope_id",
		                      (json_int_t)s->scope_id, "scope_name",
		                      s->scope_name);

		if (s->manager) /* a cemetery's staff who manage its staff */
			jsonx_put(&j, "manager", json_true());
		jsonx_push(&arr, j);
	}
	g_array_free(g, TRUE);
	return arr;
}

static json_t *user_json(struct app *app, const struct store_user *u)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)u->id,
	                 "display_name", u->display_name, "login",
	                 u->login_masked, "login_kind", u->login_kind,
	                 "created_at", u->created_at, "roles",
	                 grants_json(app, u->id));
}

void api_mask_login(const char *login, const char *kind, char *out,
                    size_t outlen)
{
	if (strcmp(kind, "phone") == 0)
		crypto_mask_phone(login, out, outlen);
	else
		crypto_mask_email(login, out, outlen);
}

/* A new account's fields from validated input, all but the password's
 * hash; its login's keyed hash into hash (CRYPTO_HASH_CHARS). */
static int user_prepare(struct app *app, const char *login_raw,
                        const char *password, const char *display_name,
                        struct store_user *u, char *hash, struct err_detail *e)
{
	char login[256];
	const char *kind;
	char *sealed;
	int rc;

	memset(u, 0, sizeof(*u));
	if (auth_login_normalize(login_raw, login, sizeof(login), &kind)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "login: must be a mobile number "
		                "(11 digits) or an e-mail address");
	}
	if ((rc = password_check("password", password, e)))
		return rc;
	crypto_keyed_hash(app->crypto, login, hash);
	sealed = crypto_seal(app->crypto, login);
	if (!sealed)
		return ERR_NOMEM;
	snprintf(u->login_enc, sizeof(u->login_enc), "%s", sealed);
	free(sealed);
	api_mask_login(login, kind, u->login_masked, sizeof(u->login_masked));
	snprintf(u->login_kind, sizeof(u->login_kind), "%s", kind);
	snprintf(u->display_name, sizeof(u->display_name), "%s", display_name);
	return 0;
}

static int user_store(struct app *app, struct store_user *u, const char *hash,
                      int64_t *id, struct err_detail *e)
{
	int rc = store_user_create(app->store, u, hash, id);

	if (rc == ERR_CONFLICT)
		return err_fail(e, rc, NULL, "login: already registered");
	if (rc)
		return err_fail(e, rc, NULL, "cannot store the account");
	return 0;
}

/* The command line's way: all on this thread. */
int api_user_create(struct app *app, const char *login_raw,
                    const char *password, const char *display_name, int64_t *id,
                    struct err_detail *e)
{
	struct store_user u;
	char hash[CRYPTO_HASH_CHARS];
	int rc =
	    user_prepare(app, login_raw, password, display_name, &u, hash, e);

	if (rc)
		return rc;
	if (crypto_password_hash(password, u.password_hash))
		return ERR_NOMEM;
	return user_store(app, &u, hash, id, e);
}

/* A request waiting for its password's Argon2 job (pwhash.c), answered
 * from the job's done on the main loop. */
struct pw_wait {
	struct app *app;
	struct http_req *req;    /* valid until finished */
	struct http_deferred *d; /* set by pw_run */
	struct store_user u;     /* the account concerned */
	char login_hash[CRYPTO_HASH_CHARS];
	char *secret; /* a login or a new password, wiped when finished */
};

static struct pw_wait *pw_wait_new(struct app *app, struct http_req *req)
{
	struct pw_wait *w = g_new0(struct pw_wait, 1);

	w->app = app;
	w->req = req;
	return w;
}

/* Check password against hash, or hash it (hash NULL), then done(w).
 * False, with a 503 in resp, when too many wait already. */
static bool pw_run(struct pw_wait *w, struct http_resp *resp, const char *hash,
                   const char *password, pwhash_done done)
{
	if (pwhash_run(w->app->pwhash, hash, password, done, w)) {
		http_resp_header(resp, "Retry-After", "1");
		http_resp_errc(resp, 503, "busy",
		               "too many passwords being checked at once; try "
		               "again in a moment");
		return false;
	}
	if (!w->d)
		w->d = http_defer(w->req);
	return true;
}

/* Answer the deferred request, if it was, and forget w. */
static void pw_finish(struct pw_wait *w)
{
	if (w->d)
		http_deferred_finish(w->d);
	if (w->secret) {
		sodium_memzero(w->secret, strlen(w->secret));
		g_free(w->secret);
	}
	g_free(w);
}

/* A sign-up with a login that has an account creates nothing; its owner
 * is told in the app, and the answer is the one a new account gets. */
static int taken(struct app *app, const char *login_raw)
{
	char login[256], hash[CRYPTO_HASH_CHARS];
	struct store_user u;
	const char *kind;

	if (auth_login_normalize(login_raw, login, sizeof(login), &kind))
		return ERR_INVALID;
	crypto_keyed_hash(app->crypto, login, hash);
	if (store_user_by_login(app->store, hash, &u))
		return ERR_DB;
	return store_notice_add(app->store, u.id, "signup_attempt", "");
}

/* A sign-up's password hashed: store the account, answer 202. */
static void signup_hashed(void *ud, bool ok, const char *pw_hash)
{
	struct pw_wait *w = ud;
	struct http_resp *resp = http_deferred_resp(w->d);
	struct err_detail err = {0};
	int64_t id;
	int rc = ERR_NOMEM;

	snprintf(err.msg, sizeof(err.msg), "cannot store the account");
	if (ok) {
		g_strlcpy(w->u.password_hash, pw_hash,
		          sizeof(w->u.password_hash));
		rc = user_store(w->app, &w->u, w->login_hash, &id, &err);
	}
	if (rc == ERR_CONFLICT && (rc = taken(w->app, w->secret)))
		snprintf(err.msg, sizeof(err.msg), "cannot store the account");
	if (rc)
		http_resp_err(resp, rc, "%s", err.msg);
	else /* never says whether the login was free: sign in to use it */
		http_resp_json(
		    resp, 202,
		    json_pack("{s:s,s:s}", "status", "accepted", "message",
		              "If this login was free, its account is ready: "
		              "sign in with it. If it has an account already, "
		              "nothing was changed and its owner has been "
		              "told."));
	pw_finish(w);
}

static void post_users(void *appv, struct http_req *req, struct http_resp *resp)
{
	static const char *const keys[] = {"login", "password", "display_name",
	                                   NULL};
	struct app *app = appv;
	const char *login, *password, *name;
	struct pw_wait *w = pw_wait_new(app, req);
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_str(j, "login", true, 3, 254, NULL, &login, &err)) ||
	    (rc = jsonx_str(j, "password", true, 1, 128, NULL, &password,
	                    &err)) ||
	    (rc = jsonx_text(j, TEXT_USER_NAME, true, NULL, &name, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if ((rc = user_prepare(app, login, password, name, &w->u, w->login_hash,
	                       &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		goto out;
	}
	w->secret = g_strdup(login); /* for taken() */
	if (pw_run(w, resp, NULL, password, signup_hashed))
		w = NULL;
out:
	if (w)
		pw_finish(w);
	json_decref(j);
}

static void set_session_cookie(struct app *app, struct http_req *req,
                               struct http_resp *resp, const char *token,
                               long max_age)
{
	const char *proto = http_header(req, "x-forwarded-proto");
	bool secure =
	    app->cfg.cookie_secure || (proto && strcmp(proto, "https") == 0);
	char cookie[256];

	snprintf(cookie, sizeof(cookie),
	         AUTH_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax; "
	                     "Max-Age=%ld%s",
	         token, max_age, secure ? "; Secure" : "");
	http_resp_header(resp, "Set-Cookie", cookie);
}

static void signin_checked(void *ud, bool ok, const char *unused)
{
	struct pw_wait *w = ud;
	struct http_resp *resp = http_deferred_resp(w->d);

	if (w->u.disabled || !ok)
		http_resp_err(resp, ERR_UNAUTHORIZED,
		              "wrong login or password");
	else
		api_session_open(w->app, w->req, resp, &w->u);
	pw_finish(w);
}

static void post_session(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	const char *login_raw, *password, *kind;
	struct err_detail err = {0};
	char login[256], hash[CRYPTO_HASH_CHARS], key[112];
	struct pw_wait *w = NULL;
	json_t *j = NULL;
	int rc;

	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc =
	         jsonx_str(j, "login", true, 1, 254, NULL, &login_raw, &err)) ||
	    (rc = jsonx_str(j, "password", true, 1, 128, NULL, &password,
	                    &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (auth_login_normalize(login_raw, login, sizeof(login), &kind))
		snprintf(login, sizeof(login), "%s", login_raw);
	/* one address spraying many logins: SIGNIN_PER_ADDRESS times the
	 * budget of one login, across all of them */
	snprintf(key, sizeof(key), "signin:%s", req->peer);
	if (!auth_rate_ok(
	        app, key,
	        SIGNIN_PER_ADDRESS * app->cfg.rate_limit_logins / 15.0,
	        SIGNIN_PER_ADDRESS * app->cfg.rate_limit_logins, resp))
		goto out;
	crypto_keyed_hash(app->crypto, login, hash);
	/* per login and address: guesses from elsewhere slow their own source
	 * down, never lock the owner out of the account */
	snprintf(key, sizeof(key), "login:%.32s:%s", hash, req->peer);
	if (!auth_rate_ok(app, key, (double)app->cfg.rate_limit_logins / 15.0,
	                  (double)app->cfg.rate_limit_logins, resp))
		goto out;
	w = pw_wait_new(app, req);
	rc = store_user_by_login(app->store, hash, &w->u);
	if (rc && rc != ERR_NOT_FOUND) {
		/* never "wrong password" when the accounts cannot be read */
		http_resp_lookup(resp, rc, "no such account");
		goto out;
	}
	if (rc) {
		/* spend the same Argon2 time on unknown logins, so the answer's
		 * speed does not tell which logins exist */
		if (!app->dummy_pw_hash[0])
			crypto_password_hash("sinian-no-such-user",
			                     app->dummy_pw_hash);
		g_strlcpy(w->u.password_hash, app->dummy_pw_hash,
		          sizeof(w->u.password_hash));
		w->u.disabled = true;
	}
	if (pw_run(w, resp, w->u.password_hash, password, signin_checked))
		w = NULL;
out:
	if (w)
		pw_finish(w);
	json_decref(j);
}

void api_session_open(struct app *app, struct http_req *req,
                      struct http_resp *resp, const struct store_user *u)
{
	char token[CRYPTO_TOKEN_CHARS];
	int64_t sid;
	int rc;

	if ((rc = auth_session_create(app, u->id, token, &sid))) {
		http_resp_err(resp, rc, "cannot create a session");
		return;
	}
	set_session_cookie(app, req, resp, token,
	                   app->cfg.session_ttl_hours * 3600);
	http_resp_json(resp, 200,
	               json_pack("{s:s,s:s,s:I,s:o}", "token", token,
	                         "token_type", "Bearer", "expires_in",
	                         (json_int_t)app->cfg.session_ttl_hours * 3600,
	                         "user", user_json(app, u)));
}

/* A reset's new password hashed: store it, end every other session, and
 * sign the person in. */
static void reset_hashed(void *ud, bool ok, const char *pw_hash)
{
	struct pw_wait *w = ud;
	struct http_resp *resp = http_deferred_resp(w->d);
	struct app *app = w->app;

	if (!ok || store_user_set_password(app->store, w->u.id, pw_hash)) {
		log_error("code", "cannot store a new password");
		http_resp_err(resp, ERR_INTERNAL, "cannot set the password");
	} else {
		/* whoever knew the old password is signed out everywhere */
		if (!store_ok(store_user_session_revoke_others(
		                  app->store, w->u.id, 0, (int64_t)time(NULL)),
		              "ending the sessions of a reset account"))
			http_resp_err(resp, ERR_DB,
			              "cannot end the other sessions");
		else
			api_session_open(app, w->req, resp, &w->u);
		rights_changed(app, RIGHTS_USER, w->u.id);
	}
	pw_finish(w);
}

void api_password_reset(struct app *app, struct http_req *req,
                        struct http_resp *resp, const struct store_user *u,
                        const char *password)
{
	struct pw_wait *w = pw_wait_new(app, req);

	w->u = *u;
	if (!pw_run(w, resp, NULL, password, reset_hashed))
		pw_finish(w);
}

static void delete_session(void *appv, struct http_req *req,
                           struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if (store_user_session_revoke(app->store, a->session_id,
	                              (int64_t)time(NULL))) {
		http_resp_err(resp, ERR_DB, "cannot sign out");
		return;
	}
	/* the sockets and viewers that session opened lose its rights */
	rights_changed(app, RIGHTS_USER, a->user_id);
	set_session_cookie(app, req, resp, "", 0);
	resp->status = 204;
}

static void get_me(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct store_user u;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if (store_user_get(app->store, a->user_id, &u)) {
		http_resp_err(resp, ERR_UNAUTHORIZED, "account not found");
		return;
	}
	http_resp_json(resp, 200,
	               json_pack("{s:o}", "user", user_json(app, &u)));
	http_resp_header(resp, "Cache-Control", "no-store");
}

/* The new password hashed: store it, end the other sessions. */
static void password_hashed(void *ud, bool ok, const char *pw_hash)
{
	struct pw_wait *w = ud;
	struct http_resp *resp = http_deferred_resp(w->d);
	const struct actor *a = auth_actor(w->req);
	struct app *app = w->app;

	if (!ok || store_user_set_password(app->store, a->user_id, pw_hash)) {
		http_resp_err(resp, ERR_INTERNAL, "cannot change the password");
	} else if (store_user_session_revoke_others(app->store, a->user_id,
	                                            a->session_id,
	                                            (int64_t)time(NULL))) {
		/* other devices must sign in again with the new password */
		http_resp_err(resp, ERR_DB, "cannot end the other sessions");
	} else {
		rights_changed(app, RIGHTS_USER, a->user_id);
		resp->status = 204;
	}
	pw_finish(w);
}

/* The current password checked: hash the new one (w->secret). */
static void password_checked(void *ud, bool ok, const char *unused)
{
	struct pw_wait *w = ud;
	struct http_resp *resp = http_deferred_resp(w->d);

	if (ok && pw_run(w, resp, NULL, w->secret, password_hashed))
		return;
	if (!ok)
		http_resp_errc(resp, 403, "wrong_password",
		               "the current password is wrong");
	pw_finish(w);
}

static void put_password(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	const char *old_pw, *new_pw;
	struct err_detail err = {0};
	char key[48];
	struct pw_wait *w;
	json_t *j = NULL;
	int rc;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	/* guessing the current password with a session: the budget of a
	 * sign-in, per account */
	snprintf(key, sizeof(key), "pw:u%lld", (long long)a->user_id);
	if (!auth_rate_ok(app, key, app->cfg.rate_limit_logins / 15.0,
	                  (double)app->cfg.rate_limit_logins, resp))
		return;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_str(j, "old_password", true, 1, 128, NULL, &old_pw,
	                    &err)) ||
	    (rc = jsonx_str(j, "new_password", true, 1, 512, NULL, &new_pw,
	                    &err)) ||
	    (rc = password_check("new_password", new_pw, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	w = pw_wait_new(app, req);
	if ((rc = store_user_get(app->store, a->user_id, &w->u))) {
		if (rc != ERR_NOT_FOUND)
			log_error("auth", "cannot read account %lld (%d)",
			          (long long)a->user_id, rc);
		http_resp_err(resp, rc == ERR_NOT_FOUND ? ERR_UNAUTHORIZED : rc,
		              "cannot read the account");
		pw_finish(w);
		goto out;
	}
	w->secret = g_strdup(new_pw);
	if (!pw_run(w, resp, w->u.password_hash, old_pw, password_checked))
		pw_finish(w);
out:
	json_decref(j);
}

static void get_users(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const char *cur = http_query(req, "cursor"),
	           *lim = http_query(req, "limit");
	int64_t after = cur ? atoll(cur) : 0;
	int limit = lim ? atoi(lim) : 1000;
	GArray *users;
	json_t *arr;

	if (access_deny(resp,
	                access_check(auth_actor(req), ACT_USER_LIST, NULL)))
		return;
	if (after < 0 || limit < 1 || limit > 1000) {
		http_resp_err(resp, ERR_INVALID,
		              "cursor >= 0 and limit 1 to 1000");
		return;
	}
	users = g_array_new(FALSE, FALSE, sizeof(struct store_user));
	arr = json_array();
	if (store_user_list(app->store, after, limit, users)) {
		http_resp_err(resp, ERR_DB, "cannot read accounts");
		json_decref(arr);
		g_array_free(users, TRUE);
		return;
	}
	for (guint i = 0; i < users->len; i++)
		jsonx_push(
		    &arr, user_json(app, &g_array_index(users,
		                                        struct store_user, i)));
	http_resp_json(resp, 200,
	               jsonx_page("users", arr, users, limit,
	                          offsetof(struct store_user, id)));
	g_array_free(users, TRUE);
}

/* The unmasked login of a user: a right that is audited when used. */
static void get_user_contact(void *appv, struct http_req *req,
                             struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct store_user u;
	int64_t id;
	char *login;
	int rc;

	if (http_param_id(req, "id", &id)) {
		http_resp_err(resp, ERR_INVALID, "id: must be a number");
		return;
	}
	/* an account belongs to no agency or cemetery: pii.view in no
	 * scope, which only a platform admin holds */
	if (access_deny(resp, access_check(a, ACT_PII_VIEW,
	                                   &(struct access_obj){.id = id})))
		return;
	if ((rc = store_user_get(app->store, id, &u))) {
		http_resp_lookup(resp, rc, "no such user");
		return;
	}
	login = crypto_open_sealed(app->crypto, u.login_enc);
	if (!login) {
		http_resp_err(resp, ERR_INTERNAL, "cannot decrypt");
		return;
	}
	access_audit(app, a, "pii.view", "user", id, "login");
	http_resp_json(resp, 200,
	               json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "login",
	                         login, "login_kind", u.login_kind));
	http_resp_header(resp, "Cache-Control", "no-store");
	free(login);
}

static const char *scope_kind_of(enum role r)
{
	switch (r) {
	case ROLE_ADMIN: return "none";
	case ROLE_AGENCY_OPERATOR: return "agency";
	case ROLE_CEMETERY_STAFF: return "cemetery";
	default: return "memorial";
	}
}

/* Grant or revoke a platform role: {"role":"cemetery_staff","scope_id":3}. */
static void change_grant(struct app *app, struct http_req *req,
                         struct http_resp *resp, bool add)
{
	static const char *const roles[] = {"admin", "agency_operator",
	                                    "cemetery_staff", NULL};
	const struct actor *a = auth_actor(req);
	struct store_user u;
	struct err_detail err = {0};
	json_t *j = NULL;
	int64_t id, scope;
	int role, rc;

	if (access_deny(resp, access_check(a, ACT_ROLE_GRANT_STAFF, NULL)))
		return;
	if ((rc = http_param_id(req, "id", &id)
	              ? ERR_NOT_FOUND
	              : store_user_get(app->store, id, &u))) {
		http_resp_lookup(resp, rc, "no such user");
		return;
	}
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_enum(j, "role", true, roles, 0, &role, &err)) ||
	    (rc = jsonx_int(j, "scope_id", role != ROLE_ADMIN,
	                    role != ROLE_ADMIN ? 1 : 0, INT64_MAX, 0, &scope,
	                    &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (role == ROLE_ADMIN)
		scope = 0;
	rc = add ? store_user_grant_add(app->store, id, access_role_name(role),
	                                scope_kind_of(role), scope, a->user_id)
	         : store_user_grant_remove(app->store, id,
	                                   access_role_name(role),
	                                   scope_kind_of(role), scope);
	if (rc) {
		http_resp_err(resp, rc, "cannot change the role");
		goto out;
	}
	if (!add)
		rights_changed(app, RIGHTS_USER, id);
	http_resp_json(resp, 200,
	               json_pack("{s:o}", "user", user_json(app, &u)));
out:
	json_decref(j);
}

static void post_grant(void *appv, struct http_req *req, struct http_resp *resp)
{
	change_grant(appv, req, resp, true);
}

static void delete_grant(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	change_grant(appv, req, resp, false);
}

int api_auth_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/users", post_users, 0);
	rc |= router_add(r, "GET", "/api/users", get_users, 0);
	rc |= router_add(r, "GET", "/api/users/{id}/contact", get_user_contact,
	                 0);
	rc |= router_add(r, "POST", "/api/users/{id}/grants", post_grant, 0);
	rc |=
	    router_add(r, "DELETE", "/api/users/{id}/grants", delete_grant, 0);
	rc |= router_add(r, "POST", "/api/session", post_session, 0);
	rc |= router_add(r, "DELETE", "/api/session", delete_session, 0);
	rc |= router_add(r, "GET", "/api/me", get_me, 0);
	rc |= router_add(r, "PUT", "/api/me/password", put_password, 0);
	return rc ? -1 : 0;
}
