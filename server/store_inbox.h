/* store_inbox.h — SQL for the in-app inbox and for the people who opened
 * a ceremony's invitation. */
#ifndef SINIAN_STORE_INBOX_H
#define SINIAN_STORE_INBOX_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define INBOX_KEY_MAX  64
#define INBOX_LINK_MAX 600

struct inbox_row {
	int64_t id;
	int64_t user_id;
	char kind[24];
	char key[INBOX_KEY_MAX];
	char *data; /* JSON text, g_malloc'd: free with store_inbox_rows_free */
	char link[INBOX_LINK_MAX];
	char created_at[32];
	char updated_at[32];
	char read_at[32]; /* "" when unread */
};

/* Put an item: the unread item of user_id with the same key is updated
 * (data, link, updated_at), else a new one is inserted. *id gets its id. */
G_GNUC_WARN_UNUSED_RESULT int store_inbox_put(struct store *st, int64_t user_id,
                                              const char *kind, const char *key,
                                              const char *data,
                                              const char *link, int64_t *id);
/* ERR_NOT_FOUND unless the item is user_id's. */
G_GNUC_WARN_UNUSED_RESULT int store_inbox_get(struct store *st, int64_t user_id,
                                              int64_t id,
                                              struct inbox_row *out);
/* Items of a user, newest first, id < before (0: from the newest), into
 * a GArray of struct inbox_row (free with store_inbox_rows_free). */
G_GNUC_WARN_UNUSED_RESULT int store_inbox_list(struct store *st,
                                               int64_t user_id, int64_t before,
                                               int limit, GArray *out);
void store_inbox_rows_free(GArray *rows);
void store_inbox_row_clear(struct inbox_row *r);
/* Mark one item (ERR_NOT_FOUND unless user_id's) or every item read. */
G_GNUC_WARN_UNUSED_RESULT int store_inbox_read(struct store *st,
                                               int64_t user_id, int64_t id);
G_GNUC_WARN_UNUSED_RESULT int store_inbox_read_all(struct store *st,
                                                   int64_t user_id);
/* Mark read the unread item of a key (a notice that no longer holds). */
G_GNUC_WARN_UNUSED_RESULT int
store_inbox_read_key(struct store *st, int64_t user_id, const char *key);
G_GNUC_WARN_UNUSED_RESULT int store_inbox_unread(struct store *st,
                                                 int64_t user_id, int64_t *n);

/* The sealed invitation kept for user_id and ceremony_id into out (512
 * bytes); ERR_NOT_FOUND. */
G_GNUC_WARN_UNUSED_RESULT int store_inbox_invitee_get(struct store *st,
                                                      int64_t ceremony_id,
                                                      int64_t user_id,
                                                      char *out, size_t outlen);
/* Remember that user_id opened ceremony_id's invitation (token sealed). */
G_GNUC_WARN_UNUSED_RESULT int store_inbox_invitee_add(struct store *st,
                                                      int64_t ceremony_id,
                                                      int64_t user_id,
                                                      const char *token_enc);

struct store_invitee {
	int64_t user_id;
	char token_enc[512];
};

/* The people who opened a ceremony's invitations, into a GArray of struct
 * store_invitee. */
G_GNUC_WARN_UNUSED_RESULT int
store_inbox_invitees(struct store *st, int64_t ceremony_id, GArray *out);

#endif
