/* family.c — invitations to the family of a memorial.
 *
 * Owns the rules of a family invitation (the two roles, the cap on open
 * invitations) and how one is read, closed and honoured for invite.c,
 * which owns the states and the transaction that accepts one: the role is
 * granted and the invitation closed together. Who may invite is checked
 * by the caller (access.c, memorial.grant). Knows no HTTP; SQL is in
 * store_family.c and store_user.c. Called by api_family.c.
 */
#include "family.h"
#include "err.h"
#include "store.h"
#include "store_family.h"
#include "store_user.h"

#include <stdio.h>
#include <string.h>

/* f is the inv member, first, of a struct family_invite */
static int kind_get(struct store *st, int64_t id, struct invite *f)
{
	return store_family_invite_get(st, id, (struct family_invite *)f);
}

static int kind_grant(struct store *st, int64_t user_id, const struct invite *f)
{
	const struct family_invite *fi = (const struct family_invite *)f;

	return store_user_grant_add(st, user_id, fi->role, "memorial",
	                            fi->memorial_id, f->invited_by);
}

static const struct invite_kind family_kind = {
    kind_get, store_family_invite_decide, kind_grant};

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
	snprintf(in.inv.login_hash, sizeof(in.inv.login_hash), "%s",
	         login_hash);
	snprintf(in.inv.login_masked, sizeof(in.inv.login_masked), "%s",
	         login_masked);
	snprintf(in.role, sizeof(in.role), "%s", role);
	in.inv.invited_by = invited_by;
	return store_family_invite_upsert(st, &in, FAMILY_INVITE_DAYS, out);
}

int family_answer(struct store *st, int64_t id, const char *login_hash,
                  int64_t user_id, bool accept, struct family_invite *out)
{
	return invite_answer(st, &family_kind, id, login_hash, user_id, accept,
	                     &out->inv);
}

int family_revoke(struct store *st, int64_t memorial_id, int64_t id)
{
	struct family_invite f;
	int rc = store_family_invite_get(st, id, &f);

	if (rc == 0 && f.memorial_id != memorial_id)
		rc = ERR_NOT_FOUND;
	return rc ? rc : store_family_invite_decide(st, id, INVITE_REVOKED);
}
