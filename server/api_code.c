/* api_code.c — accounts a grandmother can keep: a one-time code sent to
 * the login's phone or e-mail, to sign in without the password or to set
 * a new one.
 *
 * POST /api/codes answers the same whether the login is registered or not
 * (a code goes out only to a real, enabled account), so it tells nobody
 * who has an account. Sending is limited per login and per client address
 * (otp_budget), trying codes per login like passwords are. Parses and
 * validates input, calls otp.c, notify.c and the store; never logs a code
 * or a login.
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
#include "log.h"
#include "notify.h"
#include "otp.h"
#include "store.h"
#include "store_user.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The login of a body: normalised, its keyed hash and its channel. */
struct login_in {
	char login[256];
	char hash[CRYPTO_HASH_CHARS];
	enum notify_channel channel;
};

static int read_login(struct app *app, json_t *j, struct login_in *l,
                      struct err_detail *e)
{
	const char *raw, *kind;
	int rc = jsonx_str(j, "login", true, 3, 254, NULL, &raw, e);

	if (rc)
		return rc;
	if (auth_login_normalize(raw, l->login, sizeof(l->login), &kind)) {
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "login: a mobile number (11 digits) or an e-mail");
	}
	crypto_keyed_hash(app->crypto, l->login, l->hash);
	l->channel = strcmp(kind, "email") == 0 ? NOTIFY_EMAIL : NOTIFY_SMS;
	return 0;
}

/* Send a code to the account of l, if there is an enabled one. */
static void send_code(struct app *app, const struct login_in *l,
                      enum otp_purpose p, const char *lang)
{
	struct notify_msg *m = g_new0(struct notify_msg, 1);
	char code[OTP_DIGITS + 1] = "";
	struct store_user u;
	int rc;

	if (store_user_by_login(app->store, l->hash, &u) || u.disabled)
		goto out; /* nobody to tell; the answer is the same */
	rc = otp_issue(app->store, app->crypto, l->hash, p, (int64_t)time(NULL),
	               app->cfg.code_ttl_minutes * 60, code);
	if (rc) {
		log_error("code", "cannot keep a %s code (%d)",
		          otp_purpose_name(p), rc);
		goto out;
	}
	otp_message(p, lang, code, app->cfg.code_ttl_minutes, m);
	m->channel = l->channel;
	snprintf(m->to, sizeof(m->to), "%s", l->login);
	if ((rc = notify_send(app->notify, m)))
		log_warn("code", "a %s code could not be queued (%d)",
		         otp_purpose_name(p), rc);
out:
	sodium_memzero(code, sizeof(code));
	g_free(m);
}

/* POST /api/codes {login, purpose: "signin"|"reset", lang?} → 202. */
static void post_code(void *appv, struct http_req *req, struct http_resp *resp)
{
	static const char *const keys[] = {"login", "purpose", "lang", NULL};
	static const char *const purposes[] = {"signin", "reset", NULL};
	static const char *const langs[] = {"zh-CN", "en", NULL};
	struct app *app = appv;
	struct otp_limits lim = {app->cfg.rate_limit_codes,
	                         app->cfg.rate_limit_codes_per_address};
	struct login_in l;
	struct err_detail err = {0};
	char retry_s[16];
	json_t *j = NULL;
	int purpose, lang, rc, retry = 0;

	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = read_login(app, j, &l, &err)) ||
	    (rc =
	         jsonx_enum(j, "purpose", true, purposes, 0, &purpose, &err)) ||
	    (rc = jsonx_enum(j, "lang", false, langs, 0, &lang, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (!notify_can(app->notify, l.channel)) {
		http_resp_err(resp, ERR_UNAVAILABLE,
		              "codes cannot be sent by %s on this site",
		              l.channel == NOTIFY_EMAIL ? "e-mail"
		                                        : "text message");
		goto out;
	}
	if (!otp_budget(app->ratelimit, &lim, l.hash, req->peer,
	                g_get_monotonic_time() / 1000, &retry)) {
		snprintf(retry_s, sizeof(retry_s), "%d", retry);
		http_resp_header(resp, "Retry-After", retry_s);
		http_resp_err(resp, ERR_RATE_LIMITED,
		              "too many codes; try again in %d s", retry);
		goto out;
	}
	send_code(app, &l, (enum otp_purpose)purpose, langs[lang]);
	http_resp_json(resp, 202,
	               json_pack("{s:s,s:I}", "channel",
	                         l.channel == NOTIFY_EMAIL ? "email" : "sms",
	                         "expires_in",
	                         (json_int_t)app->cfg.code_ttl_minutes * 60));
out:
	json_decref(j);
}

/* The account of l if code is its live code for p; false with the answer
 * filled in otherwise (401 for a wrong or dead code, 429). */
static bool code_ok(struct app *app, struct http_resp *resp,
                    const struct login_in *l, enum otp_purpose p,
                    const char *code, struct store_user *u)
{
	char key[48];
	int rc;

	snprintf(key, sizeof(key), "login:%.32s", l->hash);
	if (!auth_rate_ok(app, key, (double)app->cfg.rate_limit_logins / 15.0,
	                  (double)app->cfg.rate_limit_logins, resp))
		return false;
	rc = otp_use(app->store, app->crypto, l->hash, p, code,
	             (int64_t)time(NULL));
	if (rc == ERR_DB) {
		log_error("code", "cannot check a %s code",
		          otp_purpose_name(p));
		http_resp_err(resp, ERR_INTERNAL, "cannot check the code");
		return false;
	}
	if (rc || store_user_by_login(app->store, l->hash, u) || u->disabled) {
		http_resp_errc(resp, 401, "wrong_code",
		               "wrong or expired code; ask for a new one");
		return false;
	}
	return true;
}

/* A body {login, code, ...keys}: *j a new reference (also on failure). */
static int read_code_body(struct app *app, struct http_req *req,
                          const char *const *keys, json_t **j,
                          struct login_in *l, const char **code,
                          struct err_detail *e)
{
	int rc;

	*j = NULL;
	if ((rc = jsonx_parse_object(req->body, req->body_len, j, e)) ||
	    (rc = jsonx_only(*j, keys, e)) || (rc = read_login(app, *j, l, e)))
		return rc;
	return jsonx_str(*j, "code", true, 1, 16, NULL, code, e);
}

/* POST /api/session/code {login, code} → the sign-in answer. */
static void post_session_code(void *appv, struct http_req *req,
                              struct http_resp *resp)
{
	static const char *const keys[] = {"login", "code", NULL};
	struct app *app = appv;
	struct store_user u;
	struct login_in l;
	const char *code;
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	if ((rc = read_code_body(app, req, keys, &j, &l, &code, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (code_ok(app, resp, &l, OTP_SIGNIN, code, &u))
		api_session_open(app, req, resp, &u);
out:
	json_decref(j);
}

/* POST /api/password/reset {login, code, new_password}: a new password,
 * every other session ended, and signed in. */
static void post_reset(void *appv, struct http_req *req, struct http_resp *resp)
{
	static const char *const keys[] = {"login", "code", "new_password",
	                                   NULL};
	struct app *app = appv;
	struct err_detail err = {0};
	const char *code, *pw;
	struct store_user u;
	struct login_in l;
	json_t *j = NULL;
	int rc;

	if ((rc = read_code_body(app, req, keys, &j, &l, &code, &err)) ||
	    (rc =
	         jsonx_str(j, "new_password", true, 1, 512, NULL, &pw, &err)) ||
	    (rc = password_check("new_password", pw, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (!code_ok(app, resp, &l, OTP_RESET, code, &u))
		goto out;
	api_password_reset(app, req, resp, &u, pw);
out:
	json_decref(j);
}

int api_code_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/codes", post_code, 0);
	rc |= router_add(r, "POST", "/api/session/code", post_session_code, 0);
	rc |= router_add(r, "POST", "/api/password/reset", post_reset, 0);
	return rc ? -1 : 0;
}
