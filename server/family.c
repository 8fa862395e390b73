/* family.c — invitations to the family of a memorial.
 *
 * Owns the states of an invitation (pending → accepted | declined |
 * revoked, and expiry) and the one transaction that accepts it: the role
 * is granted and the invitation closed together. Who may invite is
 * checked by the caller (access.c, memorial.grant). Knows no HTTP; SQL is
 * in store_family.c and store_user.c. Called by api_family.c.
 */
#include "family.h"
#include "err.h"
#include "store.h"
#include "store_family.h"
#include "store_user.h"

#include <stdio.h>
#include <string.h>

static const char *const state_names[INVITE_STATE_COUNT] = {
    "pending", "accepted", "declined", "revoked"};

const char *family_invite_state_name(enum invite_state s)
{
	return s < INVITE_STATE_COUNT ? state_names[s] : "?";
}

int family_invite_state_parse(const char *s)
{
	for (int i = 0; s && i < INVITE_STATE_COUNT; i++)
		if (strcmp(state_names[i], s) == 0)
			return i;
	return -1;
}

int family_invite(struct store *st, int64_t memorial_id, const char *login_hash,
                  const char *login_masked, const char *role,
                  int64_t invited_by, struct family_invite *out)
{
	struct family_invite in = {0};
	int n = 0, rc;

	if (strcmp(role, "family_admin") && strcmp(role, "memorial_guest"))
		return ERR_INVALID;
	if ((rc = store_family_invite_open_count(st, memorial_id, &n)))
		return rc;
	if (n >= FAMILY_INVITE_PENDING)
		return ERR_FULL;
	in.memorial_id = memorial_id;
	snprintf(in.login_hash, sizeof(in.login_hash), "%s", login_hash);
	snprintf(in.login_masked, sizeof(in.login_masked), "%s", login_masked);
	snprintf(in.role, sizeof(in.role), "%s", role);
	in.invited_by = invited_by;
	return store_family_invite_upsert(st, &in, FAMILY_INVITE_DAYS, out);
}

int family_answer(struct store *st, int64_t id, const char *login_hash,
                  int64_t user_id, bool accept, struct family_invite *out)
{
	int rc;

	if ((rc = store_begin(st)))
		return rc;
	rc = store_family_invite_get(st, id, out);
	if (rc == 0 && (out->state != INVITE_PENDING || out->expired ||
	                strcmp(out->login_hash, login_hash) != 0))
		rc = ERR_NOT_FOUND; /* nobody else's invitation is visible */
	if (rc == 0 && accept)
		rc = store_grant_add(st, user_id, out->role, "memorial",
		                     out->memorial_id, out->invited_by);
	if (rc == 0)
		rc = store_family_invite_decide(
		    st, id, accept ? INVITE_ACCEPTED : INVITE_DECLINED);
	if (rc == 0)
		rc = store_family_invite_get(st, id, out);
	if (rc == 0 && (rc = store_commit(st)) == 0)
		return 0;
	store_rollback(st);
	return rc;
}

int family_revoke(struct store *st, int64_t memorial_id, int64_t id)
{
	struct family_invite f;
	int rc = store_family_invite_get(st, id, &f);

	if (rc == 0 && f.memorial_id != memorial_id)
		rc = ERR_NOT_FOUND;
	return rc ? rc : store_family_invite_decide(st, id, INVITE_REVOKED);
}
