/* store_user.h — SQL for users, sessions, role grants and the audit log. */
#ifndef SINIAN_STORE_USER_H
#define SINIAN_STORE_USER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "textlimit.h"

struct store;
struct actor;

struct store_user {
	int64_t id;
	char login_masked[256]; /* a login has at most 254 bytes */
	char login_kind[8];
	char login_enc[512];
	char display_name[TEXT_BUF(DISPLAY_NAME_MAX)];
	char password_hash[128];
	char created_at[32];
	char login_hash[65]; /* keyed hash of the normalised login */
	bool disabled;
};

struct store_grant {
	int64_t id;
	int64_t user_id;
	char role[24];
	char scope_kind[12];
	int64_t scope_id;
	char scope_name[TEXT_BUF(ORG_NAME_MAX)]; /* agency/cemetery name */
	bool manager; /* manages the staff of its agency or cemetery */
};

/* Create a user; ERR_CONFLICT when the login hash exists. */
G_GNUC_WARN_UNUSED_RESULT int store_user_create(struct store *st,
                                                const struct store_user *u,
                                                const char *login_hash,
                                                int64_t *id);
/* Find by keyed login hash / by id; ERR_NOT_FOUND. */
G_GNUC_WARN_UNUSED_RESULT int store_user_by_login(struct store *st,
                                                  const char *login_hash,
                                                  struct store_user *out);
G_GNUC_WARN_UNUSED_RESULT int store_user_get(struct store *st, int64_t id,
                                             struct store_user *out);
G_GNUC_WARN_UNUSED_RESULT int
store_user_set_password(struct store *st, int64_t id, const char *hash);
/* Users with an id above after, oldest first, at most limit, into a
 * GArray of struct store_user. */
G_GNUC_WARN_UNUSED_RESULT int store_user_list(struct store *st, int64_t after,
                                              int limit, GArray *out);

/* Sessions: stored by SHA-256 of the token. */
G_GNUC_WARN_UNUSED_RESULT int
store_user_session_create(struct store *st, int64_t user_id,
                          const char *token_hash, int64_t now, int64_t expires,
                          int64_t *id);
/* ERR_UNAUTHORIZED when unknown, expired, revoked or the user disabled. */
G_GNUC_WARN_UNUSED_RESULT int
store_user_session_lookup(struct store *st, const char *token_hash, int64_t now,
                          int64_t *user_id, int64_t *session_id);
/* The user of a session that is still valid (not revoked, not expired,
 * user not disabled); ERR_UNAUTHORIZED otherwise. */
G_GNUC_WARN_UNUSED_RESULT int store_user_session_user(struct store *st,
                                                      int64_t session_id,
                                                      int64_t now,
                                                      int64_t *user_id);
G_GNUC_WARN_UNUSED_RESULT int
store_user_session_revoke(struct store *st, int64_t session_id, int64_t now);
/* Revoke every session of a user but keep (0 = none). */
G_GNUC_WARN_UNUSED_RESULT int store_user_session_revoke_others(struct store *st,
                                                               int64_t user_id,
                                                               int64_t keep,
                                                               int64_t now);

/* Grants. role and scope_kind are the schema's text values. */
G_GNUC_WARN_UNUSED_RESULT int
store_user_grant_add(struct store *st, int64_t user_id, const char *role,
                     const char *scope_kind, int64_t scope_id,
                     int64_t granted_by);
G_GNUC_WARN_UNUSED_RESULT int
store_user_grant_remove(struct store *st, int64_t user_id, const char *role,
                        const char *scope_kind, int64_t scope_id);
/* A user's grants into a GArray of struct store_grant. */
G_GNUC_WARN_UNUSED_RESULT int
store_user_grant_list(struct store *st, int64_t user_id, GArray *out);
/* Users holding role on a scope, into a GArray of int64_t. */
G_GNUC_WARN_UNUSED_RESULT int
store_user_grant_holders(struct store *st, const char *role,
                         const char *scope_kind, int64_t scope_id, GArray *out);

G_GNUC_WARN_UNUSED_RESULT int
store_user_audit_add(struct store *st, int64_t actor_id, const char *action,
                     const char *object_kind, int64_t object_id,
                     const char *detail);
/* Number of audit rows for an action (tests, metrics). */
G_GNUC_WARN_UNUSED_RESULT int64_t store_audit_count(struct store *st,
                                                    const char *action);

#endif
