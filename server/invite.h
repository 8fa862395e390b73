/* invite.h — what every invitation to a role has, whatever it invites to
 * (the family of a memorial, family.h; the staff of an agency or a
 * cemetery, staff.h), and the one transaction that answers one.
 *
 * An invitation is kept by the invited login's keyed hash, with its masked
 * form for the inviter to read; it is pending until the invitee accepts
 * (the role is granted in the same transaction) or declines, the inviter
 * revokes it, or it expires. Each kind keeps its own table and says how
 * its rows are read, closed and honoured through a struct invite_kind.
 */
#ifndef SINIAN_INVITE_H
#define SINIAN_INVITE_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto.h"

struct store;

enum invite_state {
	INVITE_PENDING = 0,
	INVITE_ACCEPTED,
	INVITE_DECLINED,
	INVITE_REVOKED,
	INVITE_STATE_COUNT
};

/* The part every invitation has: the first member, inv, of each kind's
 * record (struct family_invite, struct staff_invite). */
struct invite {
	int64_t id;
	char login_hash[CRYPTO_HASH_CHARS];
	char login_masked[256];
	enum invite_state state;
	bool expired; /* pending, but past expires_at */
	int64_t invited_by;
	char created_at[24];
	char expires_at[24];
	char decided_at[24];
};

/* "pending", "accepted", "declined", "revoked" ("?" out of range); the
 * state of a name, or -1. */
const char *invite_state_name(enum invite_state s);
int invite_state_parse(const char *s);

/* How the store reads (get: the whole record whose inv member f is),
 * closes (decide: a pending one only, else ERR_NOT_FOUND) and honours
 * (grant: the role the record names, to user_id) one kind of invitation. */
struct invite_kind {
	int (*get)(struct store *st, int64_t id, struct invite *f);
	int (*decide)(struct store *st, int64_t id, enum invite_state s);
	int (*grant)(struct store *st, int64_t user_id, const struct invite *f);
};

/* Accept (grant the role) or decline invitation id of kind k, addressed to
 * login_hash, for user_id, in one transaction; f (the inv member of the
 * kind's record) gets the record as answered. ERR_NOT_FOUND unless it is
 * this login's, pending and not expired; a store error otherwise. */
int invite_answer(struct store *st, const struct invite_kind *k, int64_t id,
                  const char *login_hash, int64_t user_id, bool accept,
                  struct invite *f);

#endif
