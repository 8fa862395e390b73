/* store_ceremony.c — the SQL behind ceremonies, invites and condolences.
 *
 * Stream keys and invite tokens are stored as SHA-256 hashes only.
 */
#include "store_ceremony.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define CER_COLS                                                               \
	"id, agency_id, COALESCE(hall_id, 0), COALESCE(memorial_id, 0), "      \
	"title, deceased_name, scheduled_start, scheduled_end, visibility, "   \
	"source_kind, source_url, stream_key_hash, state, "                    \
	"COALESCE(started_at, ''), COALESCE(ended_at, ''), "                   \
	"COALESCE(recording_path, ''), COALESCE(created_by, 0), time_zone"

enum {
	Q_CEREMONY_CREATE,
	Q_CEREMONY_UPDATE,
	Q_CEREMONY_GET,
	Q_CEREMONY_LIST,
	Q_CEREMONY_LIST_PUBLIC,
	Q_CEREMONY_LIST_ALL,
	Q_CEREMONY_LIST_MEMORIAL,
	Q_CEREMONY_SET_STATE,
	Q_CEREMONY_SET_KEY,
	Q_CEREMONY_INVITE_ADD,
	Q_CEREMONY_INVITE_REVOKE,
	Q_CEREMONY_INVITE_FIND,
	Q_CEREMONY_INVITE_VALID,
	Q_CEREMONY_INVITE_LIST,
	Q_CEREMONY_MESSAGE_ADD,
	Q_CEREMONY_MESSAGE_LIST,
	Q_CEREMONY_MESSAGE_GET,
	Q_CEREMONY_MESSAGE_SET_STATE,
	Q_CEREMONY_MESSAGE_PENDING,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_ceremony_sql[] = {
    [Q_CEREMONY_CREATE] =
        {"ceremony.ceremony_create",
         "INSERT INTO ceremonies(agency_id, hall_id, memorial_id, "
         "title, deceased_name, scheduled_start, scheduled_end, "
         "visibility, source_kind, source_url, stream_key_hash, "
         "created_by, time_zone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
         "?, ?, ?)",
         NULL},
    [Q_CEREMONY_UPDATE] =
        {"ceremony.ceremony_update",
         "UPDATE ceremonies SET hall_id = ?, memorial_id = ?, "
         "title = ?, deceased_name = ?, scheduled_start = ?, "
         "scheduled_end = ?, visibility = ?, source_kind = ?, "
         "source_url = ?, time_zone = ? WHERE id = ?",
         NULL},
    [Q_CEREMONY_GET] = {"ceremony.ceremony_get",
                        "SELECT " CER_COLS " FROM ceremonies WHERE id = ?",
                        NULL},
    [Q_CEREMONY_LIST] = {"ceremony.ceremony_list",
                         "SELECT " CER_COLS " FROM ceremonies WHERE "
                         "agency_id = ?1 ORDER BY scheduled_start DESC, "
                         "id DESC LIMIT 500",
                         NULL},
    [Q_CEREMONY_LIST_PUBLIC] = {"ceremony.ceremony_list_public",
                                "SELECT " CER_COLS " FROM ceremonies WHERE "
                                "visibility = 'public' ORDER BY "
                                "scheduled_start DESC, id DESC LIMIT 500",
                                NULL},
    [Q_CEREMONY_LIST_ALL] = {"ceremony.ceremony_list_all",
                             "SELECT " CER_COLS " FROM ceremonies ORDER BY "
                             "scheduled_start DESC, id DESC LIMIT 500",
                             "the platform admin's list of every agency's "
                             "ceremonies: the latest 500 by start"},
    [Q_CEREMONY_LIST_MEMORIAL] =
        {"ceremony.ceremony_list_memorial",
         "SELECT " CER_COLS " FROM ceremonies WHERE memorial_id = ?1 "
         "ORDER BY scheduled_start DESC, id DESC LIMIT 100"},
    [Q_CEREMONY_SET_STATE] =
        {"ceremony.ceremony_set_state",
         "UPDATE ceremonies SET state = ?1, "
         "started_at = CASE WHEN ?1 = 'live' THEN "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE started_at END, "
         "ended_at = CASE WHEN ?1 = 'ended' THEN "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE ended_at END, "
         "recording_path = COALESCE(?2, recording_path) WHERE id = ?3",
         NULL},
    [Q_CEREMONY_SET_KEY] =
        {"ceremony.ceremony_set_key",
         "UPDATE ceremonies SET stream_key_hash = ? WHERE id = ?", NULL},
    [Q_CEREMONY_INVITE_ADD] =
        {"ceremony.ceremony_invite_add",
         "INSERT INTO ceremony_invites(ceremony_id, token_hash, "
         "guest_name) VALUES (?, ?, ?)",
         NULL},
    [Q_CEREMONY_INVITE_REVOKE] =
        {"ceremony.ceremony_invite_revoke",
         "UPDATE ceremony_invites SET revoked_at = "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ? AND "
         "ceremony_id = ? AND revoked_at IS NULL",
         NULL},
    [Q_CEREMONY_INVITE_FIND] =
        {"ceremony.ceremony_invite_find",
         "SELECT id, revoked_at IS NOT NULL FROM ceremony_invites "
         "WHERE ceremony_id = ? AND token_hash = ?",
         NULL},
    [Q_CEREMONY_INVITE_VALID] =
        {"ceremony.ceremony_invite_valid",
         "SELECT revoked_at IS NOT NULL FROM ceremony_invites "
         "WHERE ceremony_id = ? AND id = ?",
         NULL},
    [Q_CEREMONY_INVITE_LIST] =
        {"ceremony.ceremony_invite_list",
         "SELECT id, guest_name, created_at, revoked_at IS NOT NULL "
         "FROM ceremony_invites WHERE ceremony_id = ? ORDER BY id",
         NULL},
    [Q_CEREMONY_MESSAGE_ADD] =
        {"ceremony.ceremony_message_add",
         "INSERT INTO ceremony_messages(ceremony_id, from_name, "
         "text, user_id, state) VALUES (?, ?, ?, ?, ?) RETURNING id, "
         "created_at",
         NULL},
    [Q_CEREMONY_MESSAGE_LIST] =
        {"ceremony.ceremony_message_list",
         "SELECT id, from_name, text, created_at, state FROM (SELECT "
         "* FROM ceremony_messages WHERE ceremony_id = ? AND state = "
         "? ORDER BY id DESC LIMIT ?) ORDER BY id",
         NULL},
    [Q_CEREMONY_MESSAGE_GET] =
        {"ceremony.ceremony_message_get",
         "SELECT id, from_name, text, created_at, state FROM "
         "ceremony_messages WHERE ceremony_id = ? AND id = ?",
         NULL},
    [Q_CEREMONY_MESSAGE_SET_STATE] =
        {"ceremony.ceremony_message_set_state",
         "UPDATE ceremony_messages SET state = ? WHERE ceremony_id = ? "
         "AND id = ?",
         NULL},
    [Q_CEREMONY_MESSAGE_PENDING] =
        {"ceremony.ceremony_message_pending",
         "SELECT count(*) FROM ceremony_messages WHERE ceremony_id = ? "
         "AND state = 'pending'",
         NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_ceremony_sql[q].sql)

static void bind_opt_id(sqlite3_stmt *q, int col, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(q, col, v);
	else
		sqlite3_bind_null(q, col);
}

int store_ceremony_create(struct store *st, struct ceremony *c)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_CREATE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, c->agency_id);
	bind_opt_id(q, 2, c->hall_id);
	bind_opt_id(q, 3, c->memorial_id);
	sqlite3_bind_text(q, 4, c->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, c->deceased_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, c->scheduled_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, c->scheduled_end, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, c->invite_only ? "invite" : "public", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(q, 9, ceremony_source_name(c->source), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(q, 10, c->source_url, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 11, c->stream_key_hash, -1, SQLITE_STATIC);
	bind_opt_id(q, 12, c->created_by);
	sqlite3_bind_text(q, 13,
	                  c->time_zone[0] ? c->time_zone : CEREMONY_TZ_DEFAULT,
	                  -1, SQLITE_STATIC);
	rc = store_step_done(q);
	if (rc == 0)
		c->id = store_last_id(st);
	return rc;
}

int store_ceremony_update(struct store *st, const struct ceremony *c)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_UPDATE));

	if (!q)
		return ERR_DB;
	bind_opt_id(q, 1, c->hall_id);
	bind_opt_id(q, 2, c->memorial_id);
	sqlite3_bind_text(q, 3, c->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->deceased_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, c->scheduled_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, c->scheduled_end, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, c->invite_only ? "invite" : "public", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(q, 8, ceremony_source_name(c->source), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(q, 9, c->source_url, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 10,
	                  c->time_zone[0] ? c->time_zone : CEREMONY_TZ_DEFAULT,
	                  -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 11, c->id);
	return store_step_done(q);
}

static void cer_row(sqlite3_stmt *q, struct ceremony *c)
{
	const char *state = store_col_text(q, 12);
	int src = ceremony_source_parse(store_col_text(q, 9));

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(q, 0);
	c->agency_id = sqlite3_column_int64(q, 1);
	c->hall_id = sqlite3_column_int64(q, 2);
	c->memorial_id = sqlite3_column_int64(q, 3);
	STORE_COPY(c->title, q, 4);
	STORE_COPY(c->deceased_name, q, 5);
	STORE_COPY(c->scheduled_start, q, 6);
	STORE_COPY(c->scheduled_end, q, 7);
	c->invite_only = strcmp(store_col_text(q, 8), "invite") == 0;
	c->source = src < 0 ? SRC_TEST : (enum ceremony_source)src;
	STORE_COPY(c->source_url, q, 10);
	STORE_COPY(c->stream_key_hash, q, 11);
	c->state = !strcmp(state, "live")    ? CER_LIVE
	           : !strcmp(state, "ended") ? CER_ENDED
	                                     : CER_SCHEDULED;
	STORE_COPY(c->started_at, q, 13);
	STORE_COPY(c->ended_at, q, 14);
	STORE_COPY(c->recording_path, q, 15);
	c->created_by = sqlite3_column_int64(q, 16);
	STORE_COPY(c->time_zone, q, 17);
}

int store_ceremony_get(struct store *st, int64_t id, struct ceremony *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		cer_row(q, out);
	sqlite3_reset(q);
	return rc;
}

/* Every row of a ceremony query into out; the statement reset. */
static int cer_rows(sqlite3_stmt *q, GArray *out)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct ceremony c;

		cer_row(q, &c);
		g_array_append_val(out, c);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_ceremony_list(struct store *st, int64_t agency_id, GArray *out)
{
	sqlite3_stmt *q =
	    store_stmt(st, SQL(agency_id > 0    ? Q_CEREMONY_LIST
	                       : agency_id == 0 ? Q_CEREMONY_LIST_PUBLIC
	                                        : Q_CEREMONY_LIST_ALL));

	if (!q)
		return ERR_DB;
	if (agency_id > 0)
		sqlite3_bind_int64(q, 1, agency_id);
	return cer_rows(q, out);
}

int store_ceremony_list_memorial(struct store *st, int64_t memorial_id,
                                 GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_LIST_MEMORIAL));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, memorial_id);
	return cer_rows(q, out);
}

int store_ceremony_set_state(struct store *st, int64_t id,
                             enum ceremony_state s, const char *recording_path)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_SET_STATE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, ceremony_state_name(s), -1, SQLITE_STATIC);
	if (recording_path)
		sqlite3_bind_text(q, 2, recording_path, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 2);
	sqlite3_bind_int64(q, 3, id);
	return store_step_done(q);
}

int store_ceremony_set_key(struct store *st, int64_t id, const char *key_hash)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_SET_KEY));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, key_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	return store_step_done(q);
}

int store_ceremony_invite_add(struct store *st, int64_t ceremony_id,
                              const char *token_hash, const char *guest,
                              int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_INVITE_ADD));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	sqlite3_bind_text(q, 2, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, guest, -1, SQLITE_STATIC);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

int store_ceremony_invite_revoke(struct store *st, int64_t ceremony_id,
                                 int64_t invite_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_INVITE_REVOKE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, invite_id);
	sqlite3_bind_int64(q, 2, ceremony_id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

int store_ceremony_invite_find(struct store *st, int64_t ceremony_id,
                               const char *token_hash, int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_INVITE_FIND));
	int rc;

	*id = 0;
	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	sqlite3_bind_text(q, 2, token_hash, -1, SQLITE_STATIC);
	rc = store_step_row(q);
	if (rc == 0) {
		*id = sqlite3_column_int64(q, 0);
		if (sqlite3_column_int(q, 1))
			rc = ERR_GONE;
	}
	sqlite3_reset(q);
	return rc;
}

int store_ceremony_invite_check(struct store *st, int64_t ceremony_id,
                                const char *token_hash)
{
	int64_t id;

	return store_ceremony_invite_find(st, ceremony_id, token_hash, &id);
}

int store_ceremony_invite_valid(struct store *st, int64_t ceremony_id,
                                int64_t invite_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_INVITE_VALID));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	sqlite3_bind_int64(q, 2, invite_id);
	rc = store_step_row(q);
	if (rc == 0 && sqlite3_column_int(q, 0))
		rc = ERR_GONE;
	sqlite3_reset(q);
	return rc;
}

int store_ceremony_invite_list(struct store *st, int64_t ceremony_id,
                               GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_INVITE_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct ceremony_invite inv;

		inv.id = sqlite3_column_int64(q, 0);
		STORE_COPY(inv.guest_name, q, 1);
		STORE_COPY(inv.created_at, q, 2);
		inv.revoked = sqlite3_column_int(q, 3) != 0;
		g_array_append_val(out, inv);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_ceremony_message_add(struct store *st, int64_t ceremony_id,
                               const char *from, const char *text,
                               int64_t user_id, enum cond_state state,
                               struct ceremony_message *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_MESSAGE_ADD));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	sqlite3_bind_text(q, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, text, -1, SQLITE_STATIC);
	bind_opt_id(q, 4, user_id);
	sqlite3_bind_text(q, 5, ceremony_cond_state_name(state), -1,
	                  SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(q, 0);
		STORE_COPY(out->created_at, q, 1);
		snprintf(out->from_name, sizeof(out->from_name), "%s", from);
		snprintf(out->text, sizeof(out->text), "%s", text);
		out->state = state;
		rc = sqlite3_step(q) == SQLITE_DONE ? 0 : ERR_DB;
	} else {
		rc = store_err(rc) ? store_err(rc) : ERR_DB;
	}
	sqlite3_reset(q);
	return rc;
}

static void message_row(sqlite3_stmt *q, struct ceremony_message *m)
{
	int s = ceremony_cond_state_parse(store_col_text(q, 4));

	m->id = sqlite3_column_int64(q, 0);
	STORE_COPY(m->from_name, q, 1);
	STORE_COPY(m->text, q, 2);
	STORE_COPY(m->created_at, q, 3);
	m->state = s < 0 ? COND_HIDDEN : (enum cond_state)s;
}

int store_ceremony_message_list(struct store *st, int64_t ceremony_id,
                                enum cond_state state, int limit, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_MESSAGE_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	sqlite3_bind_text(q, 2, ceremony_cond_state_name(state), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int(q, 3, limit);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct ceremony_message m;

		message_row(q, &m);
		g_array_append_val(out, m);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_ceremony_message_get(struct store *st, int64_t ceremony_id,
                               int64_t id, struct ceremony_message *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_MESSAGE_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	sqlite3_bind_int64(q, 2, id);
	rc = store_step_row(q);
	if (rc == 0)
		message_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_ceremony_message_set_state(struct store *st, int64_t ceremony_id,
                                     int64_t id, enum cond_state state)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_MESSAGE_SET_STATE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, ceremony_cond_state_name(state), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, ceremony_id);
	sqlite3_bind_int64(q, 3, id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

int store_ceremony_message_pending(struct store *st, int64_t ceremony_id,
                                   int64_t *n)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_CEREMONY_MESSAGE_PENDING));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, ceremony_id);
	rc = store_step_row(q);
	if (rc == 0)
		*n = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc;
}
