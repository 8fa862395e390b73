/* store_mourning.h — SQL for the mourning calendar's per-memorial setting,
 * memorial followers, secret calendar-feed links and the record of
 * reminders sent. Callers decide; these functions only read and write.
 */
#ifndef SINIAN_STORE_MOURNING_H
#define SINIAN_STORE_MOURNING_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "memorial.h"

struct store;

/* Whether a memorial's anniversaries follow the lunar date (false when
 * never set). */
G_GNUC_WARN_UNUSED_RESULT int
store_mourning_calendar_get(struct store *st, int64_t memorial_id, bool *lunar);
G_GNUC_WARN_UNUSED_RESULT int store_mourning_calendar_set(struct store *st,
                                                          int64_t memorial_id,
                                                          bool lunar,
                                                          int64_t by);

struct store_follower {
	int64_t memorial_id;
	int64_t user_id;
	char lang[8]; /* "zh-CN" or "en" */
};

/* Follow (or change the language of a follow). */
G_GNUC_WARN_UNUSED_RESULT int store_mourning_follow_add(struct store *st,
                                                        int64_t memorial_id,
                                                        int64_t user_id,
                                                        const char *lang);
/* Unfollow; 0 also when there was nothing to remove. */
G_GNUC_WARN_UNUSED_RESULT int store_mourning_follow_remove(struct store *st,
                                                           int64_t memorial_id,
                                                           int64_t user_id);
/* ERR_NOT_FOUND when user_id does not follow memorial_id. */
G_GNUC_WARN_UNUSED_RESULT int
store_mourning_follow_get(struct store *st, int64_t memorial_id,
                          int64_t user_id, struct store_follower *out);
G_GNUC_WARN_UNUSED_RESULT int
store_mourning_follow_count(struct store *st, int64_t memorial_id, int64_t *n);
/* Followers of a memorial, oldest first, into a GArray of struct
 * store_follower. */
G_GNUC_WARN_UNUSED_RESULT int
store_mourning_followers(struct store *st, int64_t memorial_id, GArray *out);
/* What the calendar needs of a followed memorial. */
struct store_followed {
	int64_t memorial_id;
	char death_date[11];
	char birth_date[11]; /* "" when unknown */
	bool lunar;
};

/* Memorials that have followers, with their dates, into a GArray of
 * struct store_followed (one query for the daily reminders). */
G_GNUC_WARN_UNUSED_RESULT int
store_mourning_followed_memorials(struct store *st, GArray *out);
/* Memorials a user follows, newest first, into a GArray of int64_t. */
G_GNUC_WARN_UNUSED_RESULT int
store_mourning_following(struct store *st, int64_t user_id, GArray *out);

/* The secret feed link of a person for a memorial: replaces any older. */
G_GNUC_WARN_UNUSED_RESULT int store_mourning_feed_set(struct store *st,
                                                      int64_t memorial_id,
                                                      int64_t user_id,
                                                      const char *token_hash);
/* ERR_NOT_FOUND when no link has this hash. */
G_GNUC_WARN_UNUSED_RESULT int store_mourning_feed_lookup(struct store *st,
                                                         const char *token_hash,
                                                         int64_t *memorial_id,
                                                         int64_t *user_id);

/* Note that user_id was reminded of what on date about subject; *fresh is
 * false when that was done before (nothing is sent twice). */
G_GNUC_WARN_UNUSED_RESULT int
store_mourning_reminder_mark(struct store *st, int64_t user_id,
                             const char *subject, const char *date,
                             const char *what, bool *fresh);

/* Forget such a record (the reminder could not go out after all). */
G_GNUC_WARN_UNUSED_RESULT int
store_mourning_reminder_unmark(struct store *st, int64_t user_id,
                               const char *subject, const char *date,
                               const char *what);

/* Bookings still to be used (state booked) for slots on date, into a
 * GArray of int64_t ids. */
G_GNUC_WARN_UNUSED_RESULT int store_mourning_reminder_bookings(struct store *st,
                                                               const char *date,
                                                               GArray *out);

#endif
