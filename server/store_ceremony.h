/* store_ceremony.h — SQL for ceremonies, invites and condolences. */
#ifndef SINIAN_STORE_CEREMONY_H
#define SINIAN_STORE_CEREMONY_H

#include "ceremony.h"
#include "textlimit.h"

#include <glib.h>
#include <stdint.h>

struct store;

struct ceremony_invite {
	int64_t id;
	char guest_name[TEXT_BUF(INVITE_GUEST_MAX)];
	char created_at[32];
	bool revoked;
};

G_GNUC_WARN_UNUSED_RESULT int store_ceremony_create(struct store *st,
                                                    struct ceremony *c);
G_GNUC_WARN_UNUSED_RESULT int store_ceremony_get(struct store *st, int64_t id,
                                                 struct ceremony *out);
G_GNUC_WARN_UNUSED_RESULT int store_ceremony_update(struct store *st,
                                                    const struct ceremony *c);
/* The latest 500 ceremonies of an agency (agency_id > 0), the public ones
 * of every agency (0), or all (< 0), latest start first. */
G_GNUC_WARN_UNUSED_RESULT int
store_ceremony_list(struct store *st, int64_t agency_id, GArray *out);
/* The latest 100 ceremonies linked to a memorial, latest start first. */
G_GNUC_WARN_UNUSED_RESULT int store_ceremony_list_memorial(struct store *st,
                                                           int64_t memorial_id,
                                                           GArray *out);
G_GNUC_WARN_UNUSED_RESULT int
store_ceremony_set_state(struct store *st, int64_t id, enum ceremony_state s,
                         const char *recording_path);
G_GNUC_WARN_UNUSED_RESULT int
store_ceremony_set_key(struct store *st, int64_t id, const char *key_hash);

G_GNUC_WARN_UNUSED_RESULT int store_ceremony_invite_add(struct store *st,
                                                        int64_t ceremony_id,
                                                        const char *token_hash,
                                                        const char *guest,
                                                        int64_t *id);
G_GNUC_WARN_UNUSED_RESULT int store_ceremony_invite_revoke(struct store *st,
                                                           int64_t ceremony_id,
                                                           int64_t invite_id);
/* ERR_NOT_FOUND unknown, ERR_GONE revoked, 0 valid for this ceremony. */
G_GNUC_WARN_UNUSED_RESULT int
store_ceremony_invite_check(struct store *st, int64_t ceremony_id,
                            const char *token_hash);
/* The same, with the invite's id in *id (when found, revoked or not). */
G_GNUC_WARN_UNUSED_RESULT int store_ceremony_invite_find(struct store *st,
                                                         int64_t ceremony_id,
                                                         const char *token_hash,
                                                         int64_t *id);
/* By id: ERR_NOT_FOUND unknown, ERR_GONE revoked, 0 valid. */
G_GNUC_WARN_UNUSED_RESULT int store_ceremony_invite_valid(struct store *st,
                                                          int64_t ceremony_id,
                                                          int64_t invite_id);
/* Invites of a ceremony: GArray of struct ceremony_invite. */
G_GNUC_WARN_UNUSED_RESULT int
store_ceremony_invite_list(struct store *st, int64_t ceremony_id, GArray *out);

G_GNUC_WARN_UNUSED_RESULT int
store_ceremony_message_add(struct store *st, int64_t ceremony_id,
                           const char *from, const char *text, int64_t user_id,
                           enum cond_state state, struct ceremony_message *out);
/* The latest `limit` messages in a state, oldest first. */
G_GNUC_WARN_UNUSED_RESULT int
store_ceremony_message_list(struct store *st, int64_t ceremony_id,
                            enum cond_state state, int limit, GArray *out);
/* One message of a ceremony. 0, ERR_NOT_FOUND, ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int
store_ceremony_message_get(struct store *st, int64_t ceremony_id, int64_t id,
                           struct ceremony_message *out);
/* Change its state. 0, ERR_NOT_FOUND, ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int
store_ceremony_message_set_state(struct store *st, int64_t ceremony_id,
                                 int64_t id, enum cond_state state);
/* How many wait for a moderator. */
G_GNUC_WARN_UNUSED_RESULT int
store_ceremony_message_pending(struct store *st, int64_t ceremony_id,
                               int64_t *n);

#endif
