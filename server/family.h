/* family.h — invitations to the family of a memorial.
 *
 * A family admin (or the record's agency operator) invites a login — a
 * mobile number or an e-mail address — to be family admin or guest of a
 * memorial. The invitation is kept by the login's keyed hash: it waits for
 * whoever signs in with that login, now or after signing up, and nobody
 * learns from it whether the login has an account. The invitee accepts
 * (the role is granted in the same transaction) or declines; the family
 * may revoke it while it waits; it expires after FAMILY_INVITE_DAYS.
 */
#ifndef SINIAN_FAMILY_H
#define SINIAN_FAMILY_H

#include <stdbool.h>
#include <stdint.h>

#include "invite.h"

struct store;

#define FAMILY_INVITE_DAYS    30  /* an invitation waits this long */
#define FAMILY_INVITE_PENDING 100 /* open invitations per memorial */

struct family_invite {
	struct invite inv; /* first: id, login, state, dates */
	int64_t memorial_id;
	char role[16]; /* "family_admin" or "memorial_guest" */
};

/* Invite the login (its keyed hash and masked form) to role on a memorial.
 * Inviting the same login to the same role again renews the open
 * invitation. Fills out. 0; ERR_INVALID (role); ERR_FULL (too many open
 * invitations); ERR_DB. */
int family_invite(struct store *st, int64_t memorial_id, const char *login_hash,
                  const char *login_masked, const char *role,
                  int64_t invited_by, struct family_invite *out);

/* Accept (grant the role) or decline an invitation addressed to
 * login_hash, for user_id. ERR_NOT_FOUND unless it is this login's,
 * pending and not expired. */
int family_answer(struct store *st, int64_t id, const char *login_hash,
                  int64_t user_id, bool accept, struct family_invite *out);

/* Revoke a pending invitation of memorial_id. ERR_NOT_FOUND. */
int family_revoke(struct store *st, int64_t memorial_id, int64_t id);

#endif
