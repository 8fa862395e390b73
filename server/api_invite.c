/* api_invite.c — the HTTP side that invitations to a role share, whatever
 * they invite to: reading the invited login, rendering a list, the
 * signed-in person's open invitations and their answer to one.
 *
 * Each kind's API file (api_family.c, api_staff.c) keeps its routes, the
 * right it checks and what its invitations look like in JSON, and hands
 * this file a struct api_invite_kind. Rules are invite.c's; no SQL here.
 */
#include "api_invite.h"
#include "api.h"
#include "app.h"
#include "auth.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "store_user.h"

bool api_invite_login(struct app *app, struct http_resp *resp, const char *raw,
                      char hash[CRYPTO_HASH_CHARS], char *masked,
                      size_t masked_len)
{
	char login[256];
	const char *kind;

	if (auth_login_normalize(raw, login, sizeof(login), &kind)) {
		http_resp_err(resp, ERR_INVALID,
		              "login: a mobile number or an e-mail address");
		return false;
	}
	crypto_keyed_hash(app->crypto, login, hash);
	api_mask_login(login, kind, masked, masked_len);
	return true;
}

void api_invite_send(struct app *app, struct http_resp *resp,
                     const struct api_invite_kind *k, GArray *fs,
                     bool for_invitee)
{
	json_t *arr = json_array();

	for (guint i = 0; i < fs->len; i++)
		jsonx_push(&arr, k->json(app,
		                         (const struct invite *)(fs->data +
		                                                 i * k->size),
		                         for_invitee));
	http_resp_json(resp, 200, json_pack("{s:o}", "invitations", arr));
	http_resp_header(resp, "Cache-Control", "private, no-store");
}

void api_invite_mine(struct app *app, struct http_req *req,
                     struct http_resp *resp, const struct api_invite_kind *k)
{
	GArray *fs = g_array_new(FALSE, FALSE, k->size);
	struct store_user u;

	if (api_my_account(app, req, resp, &u)) {
		if (k->list_login(app->store, u.login_hash, fs))
			http_resp_err(resp, ERR_DB, "cannot read invitations");
		else
			api_invite_send(app, resp, k, fs, true);
	}
	g_array_free(fs, TRUE);
}

void api_invite_answer(struct app *app, struct http_req *req,
                       struct http_resp *resp, const struct api_invite_kind *k,
                       bool accept)
{
	struct invite *f = g_malloc0(k->size);
	struct store_user u;
	int64_t iid;
	int rc;

	if (!api_my_account(app, req, resp, &u))
		goto out;
	if (http_param_id(req, "iid", &iid) ||
	    (rc = k->answer(app->store, iid, u.login_hash, u.id, accept, f)) ==
	        ERR_NOT_FOUND) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such open invitation");
		goto out;
	}
	if (rc) {
		http_resp_err(resp, rc, "cannot answer the invitation");
		goto out;
	}
	http_resp_json(resp, 200,
	               json_pack("{s:o}", "invitation", k->json(app, f, true)));
out:
	g_free(f);
}
