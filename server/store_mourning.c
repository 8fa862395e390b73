/* store_mourning.c — the SQL behind the calendar setting, followers,
 * calendar-feed links and reminders sent (schema/006_mourning.sql).
 *
 * Owns queries on memorial_calendar, memorial_followers, calendar_feeds and
 * reminders_sent. It decides nothing: rights are checked by the callers
 * (api_calendar.c, reminder.c) when the rows are used.
 */
#include "store_mourning.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

/* The one integer a query of one id answers; ERR_NOT_FOUND without a
 * row. */
static int int_of(struct store *st, const char *sql, int64_t id, int64_t *out)
{
	sqlite3_stmt *q = store_stmt(st, sql);
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	*out = rc == 0 ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return rc;
}

int store_mourning_calendar_get(struct store *st, int64_t memorial_id,
                                bool *lunar)
{
	int64_t v = 0;
	int rc = int_of(st,
	                "SELECT anniversaries = 'lunar' FROM memorial_calendar "
	                "WHERE memorial_id = ?",
	                memorial_id, &v);

	*lunar = v != 0;
	return rc == ERR_NOT_FOUND ? 0 : rc;
}

int store_mourning_calendar_set(struct store *st, int64_t memorial_id,
                                bool lunar, int64_t by)
{
	sqlite3_stmt *q = store_stmt(
	    st, "INSERT INTO memorial_calendar(memorial_id, anniversaries, "
	        "updated_by) VALUES (?1, ?2, ?3) ON CONFLICT(memorial_id) DO "
	        "UPDATE SET anniversaries = ?2, updated_by = ?3, updated_at = "
	        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	sqlite3_bind_text(q, 2, lunar ? "lunar" : "gregorian", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, by);
	return store_step_done(q);
}

int store_mourning_follow_add(struct store *st, int64_t memorial_id,
                              int64_t user_id, const char *lang)
{
	sqlite3_stmt *q = store_stmt(
	    st, "INSERT INTO memorial_followers(memorial_id, user_id, lang) "
	        "VALUES (?1, ?2, ?3) ON CONFLICT(memorial_id, user_id) DO "
	        "UPDATE SET lang = ?3");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	sqlite3_bind_int64(q, 2, user_id);
	sqlite3_bind_text(q, 3, lang, -1, SQLITE_STATIC);
	return store_step_done(q);
}

int store_mourning_follow_remove(struct store *st, int64_t memorial_id,
                                 int64_t user_id)
{
	sqlite3_stmt *q = store_stmt(st, "DELETE FROM memorial_followers WHERE "
	                                 "memorial_id = ? AND user_id = ?");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	sqlite3_bind_int64(q, 2, user_id);
	return store_step_done(q);
}

static void follower_row(sqlite3_stmt *q, struct store_follower *f)
{
	memset(f, 0, sizeof(*f));
	f->memorial_id = sqlite3_column_int64(q, 0);
	f->user_id = sqlite3_column_int64(q, 1);
	STORE_COPY(f->lang, q, 2);
}

int store_mourning_follow_get(struct store *st, int64_t memorial_id,
                              int64_t user_id, struct store_follower *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT memorial_id, user_id, lang FROM memorial_followers "
	        "WHERE memorial_id = ? AND user_id = ?");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	sqlite3_bind_int64(q, 2, user_id);
	rc = store_step_row(q);
	if (rc == 0)
		follower_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_mourning_follow_count(struct store *st, int64_t memorial_id,
                                int64_t *n)
{
	return int_of(st,
	              "SELECT count(*) FROM memorial_followers WHERE "
	              "memorial_id = ?",
	              memorial_id, n);
}

int store_mourning_followers(struct store *st, int64_t memorial_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT memorial_id, user_id, lang FROM memorial_followers "
	        "WHERE memorial_id = ? ORDER BY created_at, user_id");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_follower f;

		follower_row(q, &f);
		g_array_append_val(out, f);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

/* Rows of one integer column into a GArray of int64_t. */
static int ids_of(sqlite3_stmt *q, GArray *out)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);

		g_array_append_val(out, id);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_mourning_followed_memorials(struct store *st, GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT m.id, d.death_date, coalesce(d.birth_date, ''), "
	        "coalesce(c.anniversaries = 'lunar', 0) FROM (SELECT DISTINCT "
	        "memorial_id FROM memorial_followers) f JOIN memorials m ON "
	        "m.id = f.memorial_id JOIN deceased d ON d.id = m.deceased_id "
	        "LEFT JOIN memorial_calendar c ON c.memorial_id = m.id ORDER "
	        "BY m.id");
	int rc;

	if (!q)
		return ERR_DB;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_followed f = {.memorial_id =
		                               sqlite3_column_int64(q, 0)};

		STORE_COPY(f.death_date, q, 1);
		STORE_COPY(f.birth_date, q, 2);
		f.lunar = sqlite3_column_int(q, 3) != 0;
		g_array_append_val(out, f);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_mourning_following(struct store *st, int64_t user_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT memorial_id FROM memorial_followers WHERE user_id = ? "
	        "ORDER BY created_at DESC, memorial_id DESC LIMIT 500");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	return ids_of(q, out);
}

int store_mourning_feed_set(struct store *st, int64_t memorial_id,
                            int64_t user_id, const char *token_hash)
{
	sqlite3_stmt *q = store_stmt(
	    st, "INSERT INTO calendar_feeds(token_hash, memorial_id, user_id) "
	        "VALUES (?1, ?2, ?3) ON CONFLICT(memorial_id, user_id) DO "
	        "UPDATE SET token_hash = ?1, created_at = "
	        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')");

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, memorial_id);
	sqlite3_bind_int64(q, 3, user_id);
	return store_step_done(q);
}

int store_mourning_feed_lookup(struct store *st, const char *token_hash,
                               int64_t *memorial_id, int64_t *user_id)
{
	sqlite3_stmt *q = store_stmt(st, "SELECT memorial_id, user_id FROM "
	                                 "calendar_feeds WHERE token_hash = ?");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, token_hash, -1, SQLITE_STATIC);
	rc = store_step_row(q);
	if (rc == 0) {
		*memorial_id = sqlite3_column_int64(q, 0);
		*user_id = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	return rc;
}

int store_mourning_reminder_mark(struct store *st, int64_t user_id,
                                 const char *subject, const char *date,
                                 const char *what, bool *fresh)
{
	sqlite3_stmt *q = store_stmt(
	    st, "INSERT OR IGNORE INTO reminders_sent(user_id, subject, date, "
	        "what) VALUES (?, ?, ?, ?)");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, what, -1, SQLITE_STATIC);
	rc = store_step_done(q);
	*fresh = rc == 0 && sqlite3_changes(store_db(st)) > 0;
	return rc;
}

int store_mourning_reminder_unmark(struct store *st, int64_t user_id,
                                   const char *subject, const char *date,
                                   const char *what)
{
	sqlite3_stmt *q = store_stmt(
	    st, "DELETE FROM reminders_sent WHERE user_id = ? AND subject = ? "
	        "AND date = ? AND what = ?");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, what, -1, SQLITE_STATIC);
	return store_step_done(q);
}

int store_mourning_reminder_bookings(struct store *st, const char *date,
                                     GArray *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT b.id FROM visit_slots s JOIN bookings b ON b.slot_id = "
	        "s.id AND b.state = 'booked' WHERE s.date = ? ORDER BY b.id "
	        "LIMIT 100000");

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, date, -1, SQLITE_STATIC);
	return ids_of(q, out);
}
