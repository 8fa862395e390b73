/* store_otp.c — the SQL behind one-time login codes (schema
 * 007_codes.sql).
 *
 * Owns queries on login_codes. Decides nothing: expiry, single use and
 * the count of tries are otp.c's rules, which call these in one
 * transaction where it matters.
 */
#include "store_otp.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

int store_otp_end(struct store *st, const char *login_hash, const char *purpose,
                  int64_t now)
{
	sqlite3_stmt *q = store_stmt(
	    st, "UPDATE login_codes SET used_at = ? WHERE login_hash = ? AND "
	        "purpose = ? AND used_at IS NULL");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, now);
	sqlite3_bind_text(q, 2, login_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, purpose, -1, SQLITE_STATIC);
	return store_step_done(q);
}

int store_otp_insert(struct store *st, const char *login_hash,
                     const char *purpose, const char *code_hash, int64_t now,
                     int64_t expires_at)
{
	sqlite3_stmt *q = store_stmt(
	    st, "INSERT INTO login_codes(login_hash, purpose, code_hash, "
	        "created_at, expires_at) VALUES (?, ?, ?, ?, ?)");

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, login_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, purpose, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, code_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, now);
	sqlite3_bind_int64(q, 5, expires_at);
	return store_step_done(q);
}

int store_otp_live(struct store *st, const char *login_hash,
                   const char *purpose, int64_t now, int max_attempts,
                   struct store_otp *out)
{
	sqlite3_stmt *q = store_stmt(
	    st, "SELECT id, code_hash, expires_at, attempts FROM login_codes "
	        "WHERE login_hash = ? AND purpose = ? AND used_at IS NULL AND "
	        "expires_at > ? AND attempts < ? ORDER BY id DESC LIMIT 1");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, login_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, purpose, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now);
	sqlite3_bind_int(q, 4, max_attempts);
	rc = store_step_row(q);
	if (rc == 0) {
		out->id = sqlite3_column_int64(q, 0);
		STORE_COPY(out->code_hash, q, 1);
		out->expires_at = sqlite3_column_int64(q, 2);
		out->attempts = sqlite3_column_int(q, 3);
	}
	sqlite3_reset(q);
	return rc;
}

int store_otp_attempt(struct store *st, int64_t id)
{
	sqlite3_stmt *q = store_stmt(st, "UPDATE login_codes SET attempts = "
	                                 "attempts + 1 WHERE id = ?");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return store_step_done(q);
}

int store_otp_use(struct store *st, int64_t id, int64_t now)
{
	sqlite3_stmt *q = store_stmt(st, "UPDATE login_codes SET used_at = ? "
	                                 "WHERE id = ? AND used_at IS NULL");
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, now);
	sqlite3_bind_int64(q, 2, id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_CONFLICT;
	return rc;
}

int store_otp_purge(struct store *st, int64_t before)
{
	sqlite3_stmt *q = store_stmt(st, "DELETE FROM login_codes WHERE "
	                                 "expires_at < ?");

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, before);
	return store_step_done(q);
}
