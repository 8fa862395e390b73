/* store_invite.h — the columns every invitation table has
 * (family_invitations, store_family.c; staff_invitations, store_staff.c),
 * read and bound the same way for both. */
#ifndef SINIAN_STORE_INVITE_H
#define SINIAN_STORE_INVITE_H

#include <sqlite3.h>

#include "invite.h"

/* The first columns of a SELECT of an invitation, in this order (read by
 * store_invite_row); the kind's own columns follow, from
 * STORE_INVITE_NCOLS. */
#define STORE_INVITE_COLS                                                      \
	"id, login_hash, login_masked, state, COALESCE(invited_by, 0), "       \
	"created_at, expires_at, COALESCE(decided_at, ''), state = "           \
	"'pending' AND expires_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
#define STORE_INVITE_NCOLS 9

/* Fill f from the STORE_INVITE_COLS of the current row of q; a state the
 * code does not know reads as revoked. */
void store_invite_row(sqlite3_stmt *q, struct invite *f);

/* Bind what an upsert of an invitation takes from f: ?1 login_hash, ?2
 * login_masked, ?3 invited_by (NULL when 0) and ?4 "+days days", the
 * expiry's modifier; the kind's own values follow from ?5. */
void store_invite_bind(sqlite3_stmt *q, const struct invite *f, int days);

#endif
