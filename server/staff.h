/* staff.h — the staff of a funeral agency or a cemetery: invitations and
 * revocation.
 *
 * An agency's operators, a cemetery's managers (staff with the manager
 * flag) and the platform admin invite a login — a mobile number or an
 * e-mail address — to be staff of their organisation: agency_operator of
 * an agency, cemetery_staff (optionally manager) of a cemetery. As for a
 * memorial's family (family.h; both are invite.h's), the invitation waits
 * for whoever signs in with that login, now or after signing up, and
 * nobody learns from it whether the login has an account; accepting
 * grants the role in the same transaction. Who may invite is the caller's
 * check (access.c, staff.manage).
 */
#ifndef SINIAN_STAFF_H
#define SINIAN_STAFF_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "invite.h"
#include "store_org.h"
#include "textlimit.h"

struct store;

#define STAFF_INVITE_DAYS    30  /* an invitation waits this long */
#define STAFF_INVITE_PENDING 100 /* open invitations per organisation */

struct staff_invite {
	struct invite inv; /* first: id, login, state, dates */
	enum org_kind org_kind;
	int64_t org_id;
	bool manager;
};

/* One holder of an organisation's role. */
struct staff_member {
	int64_t user_id;
	char display_name[TEXT_BUF(DISPLAY_NAME_MAX)];
	bool manager;
};

/* "agency_operator" or "cemetery_staff": the role an organisation's staff
 * hold. */
const char *staff_role(enum org_kind k);

/* Invite the login (keyed hash, masked form) to the staff of an
 * organisation; manager only for a cemetery. Inviting the same login again
 * renews the open invitation. 0; ERR_INVALID (manager for an agency);
 * ERR_FULL (too many open invitations); ERR_DB. */
int staff_invite(struct store *st, enum org_kind k, int64_t org_id,
                 const char *login_hash, const char *login_masked, bool manager,
                 int64_t invited_by, struct staff_invite *out);

/* Accept (grant the role) or decline an invitation addressed to
 * login_hash, for user_id. ERR_NOT_FOUND unless it is this login's,
 * pending and not expired. */
int staff_answer(struct store *st, int64_t id, const char *login_hash,
                 int64_t user_id, bool accept, struct staff_invite *out);

/* Revoke a pending invitation of the organisation. ERR_NOT_FOUND. */
int staff_revoke_invite(struct store *st, enum org_kind k, int64_t org_id,
                        int64_t id);

/* Take the organisation's role from user_id. ERR_NOT_FOUND when they do
 * not hold it. The caller announces the change (rights_changed). */
int staff_remove(struct store *st, enum org_kind k, int64_t org_id,
                 int64_t user_id);

#endif
