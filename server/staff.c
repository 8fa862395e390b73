/* staff.c — invitations to the staff of an agency or a cemetery.
 *
 * Owns the rules of a staff invitation (the role an organisation gives,
 * the manager flag only for cemeteries, the cap on open invitations) and
 * how one is read, closed and honoured for invite.c, which owns the states
 * (pending → accepted | declined | revoked, and expiry) and the one
 * transaction that accepts one: the role is granted and the invitation
 * closed together. Who may invite is checked by the caller (access.c,
 * staff.manage). Knows no HTTP; SQL is in store_staff.c and store_user.c.
 * Called by api_staff.c.
 */
#include "staff.h"
#include "err.h"
#include "store.h"
#include "store_staff.h"
#include "store_user.h"

#include <stdio.h>
#include <string.h>

const char *staff_role(enum org_kind k)
{
	return k == ORG_AGENCY ? "agency_operator" : "cemetery_staff";
}

/* f is the inv member, first, of a struct staff_invite */
static int kind_get(struct store *st, int64_t id, struct invite *f)
{
	return store_staff_invite_get(st, id, (struct staff_invite *)f);
}

static int kind_grant(struct store *st, int64_t user_id, const struct invite *f)
{
	const struct staff_invite *si = (const struct staff_invite *)f;

	return store_staff_grant(st, user_id, si->org_kind, si->org_id,
	                         si->manager, f->invited_by);
}

static const struct invite_kind staff_kind = {
    kind_get, store_staff_invite_decide, kind_grant};

int staff_invite(struct store *st, enum org_kind k, int64_t org_id,
                 const char *login_hash, const char *login_masked, bool manager,
                 int64_t invited_by, struct staff_invite *out)
{
	struct staff_invite in = {0};
	int n = 0, rc;

	if (manager && k != ORG_CEMETERY)
		return ERR_INVALID;
	if ((rc = store_staff_open_count(st, k, org_id, &n)))
		return rc;
	if (n >= STAFF_INVITE_PENDING)
		return ERR_FULL;
	in.org_kind = k;
	in.org_id = org_id;
	snprintf(in.inv.login_hash, sizeof(in.inv.login_hash), "%s",
	         login_hash);
	snprintf(in.inv.login_masked, sizeof(in.inv.login_masked), "%s",
	         login_masked);
	in.manager = manager;
	in.inv.invited_by = invited_by;
	return store_staff_invite_upsert(st, &in, STAFF_INVITE_DAYS, out);
}

int staff_answer(struct store *st, int64_t id, const char *login_hash,
                 int64_t user_id, bool accept, struct staff_invite *out)
{
	return invite_answer(st, &staff_kind, id, login_hash, user_id, accept,
	                     &out->inv);
}

int staff_revoke_invite(struct store *st, enum org_kind k, int64_t org_id,
                        int64_t id)
{
	struct staff_invite f;
	int rc = store_staff_invite_get(st, id, &f);

	if (rc == 0 && (f.org_kind != k || f.org_id != org_id))
		rc = ERR_NOT_FOUND;
	return rc ? rc : store_staff_invite_decide(st, id, INVITE_REVOKED);
}

int staff_remove(struct store *st, enum org_kind k, int64_t org_id,
                 int64_t user_id)
{
	return store_user_grant_remove(st, user_id, staff_role(k),
	                               store_org_kind_name(k), org_id);
}
