/* invite.c — the states of an invitation to a role and the transaction
 * that answers one, for every kind (family.c, staff.c).
 *
 * Owns the state names (pending → accepted | declined | revoked, and
 * expiry as a flag read from the store) and the rule that only the
 * addressed login sees a pending invitation: accepting grants the role and
 * closes the invitation together. Knows no table: each kind's struct
 * invite_kind reaches its own store functions. Knows no HTTP; who may
 * invite is the caller's check (access.c).
 */
#include "invite.h"
#include "err.h"
#include "store.h"

#include <string.h>

static const char *const state_names[INVITE_STATE_COUNT] = {
    "pending", "accepted", "declined", "revoked"};

const char *invite_state_name(enum invite_state s)
{
	return s < INVITE_STATE_COUNT ? state_names[s] : "?";
}

int invite_state_parse(const char *s)
{
	for (int i = 0; s && i < INVITE_STATE_COUNT; i++)
		if (strcmp(state_names[i], s) == 0)
			return i;
	return -1;
}

int invite_answer(struct store *st, const struct invite_kind *k, int64_t id,
                  const char *login_hash, int64_t user_id, bool accept,
                  struct invite *f)
{
	int rc;

	if ((rc = store_begin(st)))
		return rc;
	rc = k->get(st, id, f);
	if (rc == 0 && (f->state != INVITE_PENDING || f->expired ||
	                strcmp(f->login_hash, login_hash) != 0))
		rc = ERR_NOT_FOUND; /* nobody else's invitation is visible */
	if (rc == 0 && accept)
		rc = k->grant(st, user_id, f);
	if (rc == 0)
		rc = k->decide(st, id,
		               accept ? INVITE_ACCEPTED : INVITE_DECLINED);
	if (rc == 0)
		rc = k->get(st, id, f);
	if (rc == 0 && (rc = store_commit(st)) == 0)
		return 0;
	store_rollback(st);
	return rc;
}
