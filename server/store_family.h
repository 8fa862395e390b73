/* store_family.h — SQL for family invitations. */
#ifndef SINIAN_STORE_FAMILY_H
#define SINIAN_STORE_FAMILY_H

#include <glib.h>
#include <stdint.h>

#include "family.h"

struct store;

/* Insert an open invitation, or renew the open one of the same memorial,
 * login and role; out gets the row. */
G_GNUC_WARN_UNUSED_RESULT int
store_family_invite_upsert(struct store *st, const struct family_invite *in,
                           int days, struct family_invite *out);
G_GNUC_WARN_UNUSED_RESULT int
store_family_invite_get(struct store *st, int64_t id,
                        struct family_invite *out);
/* Set the state of a pending invitation; ERR_NOT_FOUND when none is. */
G_GNUC_WARN_UNUSED_RESULT int
store_family_invite_decide(struct store *st, int64_t id, enum invite_state s);
/* A memorial's invitations, newest first (at most 200), and the open ones
 * of a login (at most 100), into GArrays of struct family_invite. */
G_GNUC_WARN_UNUSED_RESULT int
store_family_invite_list_memorial(struct store *st, int64_t memorial_id,
                                  GArray *out);
G_GNUC_WARN_UNUSED_RESULT int
store_family_invite_list_login(struct store *st, const char *login_hash,
                               GArray *out);
G_GNUC_WARN_UNUSED_RESULT int
store_family_invite_open_count(struct store *st, int64_t memorial_id, int *n);

#endif
