/* store_staff.h — SQL for the staff of agencies and cemeteries: staff
 * invitations and the holders of an organisation's role. */
#ifndef SINIAN_STORE_STAFF_H
#define SINIAN_STORE_STAFF_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "staff.h"

struct store;

/* Insert an open invitation, or renew the open one of the same
 * organisation and login; out gets the row. */
int store_staff_invite_upsert(struct store *st, const struct staff_invite *in,
                              int days, struct staff_invite *out);
int store_staff_invite_get(struct store *st, int64_t id,
                           struct staff_invite *out);
/* Set the state of a pending invitation; ERR_NOT_FOUND when none is. */
int store_staff_invite_decide(struct store *st, int64_t id,
                              enum invite_state s);
/* An organisation's invitations, newest first (at most 200), and the open
 * ones of a login (at most 100), into GArrays of struct staff_invite. */
int store_staff_invite_list_org(struct store *st, enum org_kind k,
                                int64_t org_id, GArray *out);
int store_staff_invite_list_login(struct store *st, const char *login_hash,
                                  GArray *out);
int store_staff_open_count(struct store *st, enum org_kind k, int64_t org_id,
                           int *n);

/* Grant the organisation's role to user_id (or set its manager flag when
 * held already). */
int store_staff_grant(struct store *st, int64_t user_id, enum org_kind k,
                      int64_t org_id, bool manager, int64_t granted_by);
/* The holders of the organisation's role, by name, into a GArray of
 * struct staff_member (at most 500). */
int store_staff_list(struct store *st, enum org_kind k, int64_t org_id,
                     GArray *out);

#endif
