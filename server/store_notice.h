/* store_notice.h — SQL for in-app notices: short lines a user is shown
 * on their account page (an invitation answered, a grave confirmed...). */
#ifndef SINIAN_STORE_NOTICE_H
#define SINIAN_STORE_NOTICE_H

#include <glib.h>
#include <stdint.h>

struct store;

struct notice {
	int64_t id;
	char kind[32];
	char detail[256];
	char created_at[24];
};

G_GNUC_WARN_UNUSED_RESULT int store_notice_add(struct store *st,
                                               int64_t user_id,
                                               const char *kind,
                                               const char *detail);
/* A user's latest notices, newest first (at most 50). */
G_GNUC_WARN_UNUSED_RESULT int store_notice_list(struct store *st,
                                                int64_t user_id, GArray *out);

#endif
