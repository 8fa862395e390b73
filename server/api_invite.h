/* api_invite.h — what invitations to a role do the same over HTTP for
 * every kind (a memorial's family, api_family.c; an organisation's staff,
 * api_staff.c): the invited login of a POST, a list of invitations, the
 * signed-in person's open ones, and their answer to one.
 */
#ifndef SINIAN_API_INVITE_H
#define SINIAN_API_INVITE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "invite.h"

struct app;
struct http_req;
struct http_resp;
struct store;

/* One kind of invitation as its API file sees it. Each record is size
 * bytes, its first member a struct invite (f below). */
struct api_invite_kind {
	size_t size;
	/* the open invitations of a login, into a GArray of records */
	int (*list_login)(struct store *st, const char *login_hash,
	                  GArray *out);
	/* accept or decline (family_answer, staff_answer) */
	int (*answer)(struct store *st, int64_t id, const char *login_hash,
	              int64_t user_id, bool accept, struct invite *f);
	/* what the inviter (login masked) or the invitee sees of one, a new
	 * reference */
	json_t *(*json)(struct app *app, const struct invite *f,
	                bool for_invitee);
};

/* The login a POST invites (raw, as the client sent it): normalised, its
 * keyed hash into hash and its masked form into masked; false with a 400
 * answered when it is neither a mobile number nor an e-mail address. */
bool api_invite_login(struct app *app, struct http_resp *resp, const char *raw,
                      char hash[CRYPTO_HASH_CHARS], char *masked,
                      size_t masked_len);

/* Answer 200 {"invitations": [...]} with the records of kind k in fs,
 * as the inviter or the invitee sees them; never stored by a cache. */
void api_invite_send(struct app *app, struct http_resp *resp,
                     const struct api_invite_kind *k, GArray *fs,
                     bool for_invitee);

/* GET of the signed-in person's open invitations of kind k (401 when
 * nobody is signed in, 500 when the store fails). */
void api_invite_mine(struct app *app, struct http_req *req,
                     struct http_resp *resp, const struct api_invite_kind *k);

/* POST of the signed-in person's answer to invitation {iid} of kind k:
 * 200 with it as the invitee sees it; 404 unless it is theirs and open. */
void api_invite_answer(struct app *app, struct http_req *req,
                       struct http_resp *resp, const struct api_invite_kind *k,
                       bool accept);

#endif
