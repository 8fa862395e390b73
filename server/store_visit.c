/* store_visit.c — the SQL behind visit slots and bookings.
 *
 * Owns queries on visit_slots and bookings. It decides nothing: the rules
 * (who may book, when, how many) live in visit.c, which also holds the
 * transactions. The capacity guard is the one exception that must be SQL:
 * store_slot_take() takes places only if they fit, in one statement.
 */
#include "store_visit.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define SLOT_COLS                                                              \
	"id, cemetery_id, date, start_time, end_time, capacity, booked, "      \
	"coalesce(created_by, 0)"

#define BOOKING_SELECT                                                         \
	"SELECT b.id, b.slot_id, b.cemetery_id, b.plot_id, b.user_id, "        \
	"coalesce(b.booked_by, 0), b.persons, b.phone_masked, b.code, "        \
	"b.state, coalesce(b.checked_in_at, ''), "                             \
	"coalesce(b.checked_in_by, 0), coalesce(b.cancelled_at, ''), "         \
	"b.created_at, s.date, s.start_time, s.end_time, c.name, p.section, "  \
	"p.row, p.number, u.display_name FROM bookings b "                     \
	"JOIN visit_slots s ON s.id = b.slot_id "                              \
	"JOIN cemeteries c ON c.id = b.cemetery_id "                           \
	"JOIN plots p ON p.id = b.plot_id "                                    \
	"JOIN users u ON u.id = b.user_id "

enum {
	Q_SLOT_INSERT,
	Q_SLOT_GET,
	Q_SLOT_LIST,
	Q_SLOT_TAKE,
	Q_SLOT_RELEASE,
	Q_BOOKING_ACTIVE,
	Q_BOOKING_INSERT,
	Q_BOOKING_GET,
	Q_BOOKING_BY_CODE,
	Q_BOOKING_PHONE,
	Q_BOOKING_SET_STATE,
	Q_BOOKING_LIST_USER,
	Q_BOOKING_LIST_CEMETERY,
	Q_BOOKING_LIST_CEMETERY_STATE,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_visit_sql[] = {
    [Q_SLOT_INSERT] =
        {"visit.slot_insert",
         "INSERT INTO visit_slots(cemetery_id, date, start_time, "
         "end_time, capacity, created_by) VALUES (?, ?, ?, ?, ?, ?)",
         NULL},
    [Q_SLOT_GET] = {"visit.slot_get",
                    "SELECT " SLOT_COLS " FROM visit_slots WHERE id = ?", NULL},
    [Q_SLOT_LIST] =
        {"visit.slot_list",
         "SELECT " SLOT_COLS " FROM visit_slots WHERE cemetery_id = ? "
         "AND date >= ? AND date <= ? ORDER BY date, start_time, id "
         "LIMIT 2000",
         NULL},
    [Q_SLOT_TAKE] =
        {"visit.slot_take",
         "UPDATE visit_slots SET booked = booked + ?1 WHERE id = ?2 "
         "AND booked + ?1 <= capacity",
         NULL},
    [Q_SLOT_RELEASE] =
        {"visit.slot_release",
         "UPDATE visit_slots SET booked = max(booked - ?1, 0) WHERE "
         "id = ?2",
         NULL},
    [Q_BOOKING_ACTIVE] =
        {"visit.booking_active",
         "SELECT 1 FROM bookings WHERE slot_id = ? AND user_id = ? AND "
         "state != 'cancelled'",
         NULL},
    [Q_BOOKING_INSERT] =
        {"visit.booking_insert",
         "INSERT INTO bookings(slot_id, cemetery_id, plot_id, user_id, "
         "booked_by, persons, phone_enc, phone_masked, code) VALUES "
         "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
         NULL},
    [Q_BOOKING_GET] = {"visit.booking_get", BOOKING_SELECT "WHERE b.id = ?",
                       NULL},
    [Q_BOOKING_BY_CODE] = {"visit.booking_by_code",
                           BOOKING_SELECT "WHERE b.code = ?", NULL},
    [Q_BOOKING_PHONE] = {"visit.booking_phone",
                         "SELECT phone_enc FROM bookings WHERE id = ?", NULL},
    [Q_BOOKING_SET_STATE] =
        {"visit.booking_set_state",
         "UPDATE bookings SET state = ?1, "
         "checked_in_at = CASE WHEN ?1 = 'checked_in' THEN "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE checked_in_at END, "
         "checked_in_by = CASE WHEN ?1 = 'checked_in' THEN ?4 ELSE "
         "checked_in_by END, "
         "cancelled_at = CASE WHEN ?1 = 'cancelled' THEN "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE cancelled_at END "
         "WHERE id = ?2 AND state = ?3",
         NULL},
    [Q_BOOKING_LIST_USER] = {"visit.booking_list_user",
                             BOOKING_SELECT
                             "WHERE b.user_id = ? ORDER BY b.id DESC LIMIT ?",
                             NULL},
    [Q_BOOKING_LIST_CEMETERY] =
        {"visit.booking_list_cemetery",
         BOOKING_SELECT "WHERE b.cemetery_id = ?1 AND s.date >= ?2 AND "
                        "s.date <= ?3 ORDER BY s.date, s.start_time, b.id "
                        "LIMIT ?5",
         NULL},
    [Q_BOOKING_LIST_CEMETERY_STATE] =
        {"visit.booking_list_cemetery_state",
         BOOKING_SELECT "WHERE b.cemetery_id = ?1 AND s.date >= ?2 AND "
                        "s.date <= ?3 AND b.state = ?4 ORDER BY s.date, "
                        "s.start_time, b.id LIMIT ?5",
         NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_visit_sql[q].sql)

static void bind_id_or_null(sqlite3_stmt *q, int col, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(q, col, id);
	else
		sqlite3_bind_null(q, col);
}

int store_slot_insert(struct store *st, const struct visit_slot *s, int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SLOT_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, s->cemetery_id);
	sqlite3_bind_text(q, 2, s->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, s->start, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, s->end, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, s->capacity);
	bind_id_or_null(q, 6, s->created_by);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

static void slot_row(sqlite3_stmt *q, struct visit_slot *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(q, 0);
	s->cemetery_id = sqlite3_column_int64(q, 1);
	STORE_COPY(s->date, q, 2);
	STORE_COPY(s->start, q, 3);
	STORE_COPY(s->end, q, 4);
	s->capacity = sqlite3_column_int(q, 5);
	s->booked = sqlite3_column_int(q, 6);
	s->created_by = sqlite3_column_int64(q, 7);
}

int store_slot_get(struct store *st, int64_t id, struct visit_slot *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SLOT_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		slot_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_slot_list(struct store *st, int64_t cemetery_id, const char *from,
                    const char *to, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SLOT_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	sqlite3_bind_text(q, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct visit_slot s;

		slot_row(q, &s);
		g_array_append_val(out, s);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_slot_take(struct store *st, int64_t slot_id, int n)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SLOT_TAKE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int(q, 1, n);
	sqlite3_bind_int64(q, 2, slot_id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_FULL;
	return rc;
}

int store_slot_release(struct store *st, int64_t slot_id, int n)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SLOT_RELEASE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int(q, 1, n);
	sqlite3_bind_int64(q, 2, slot_id);
	return store_step_done(q);
}

int store_booking_active(struct store *st, int64_t slot_id, int64_t user_id,
                         bool *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_BOOKING_ACTIVE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, slot_id);
	sqlite3_bind_int64(q, 2, user_id);
	rc = sqlite3_step(q);
	*out = rc == SQLITE_ROW;
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_booking_insert(struct store *st, const struct visit_booking *b,
                         const char *phone_enc, int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_BOOKING_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, b->slot_id);
	sqlite3_bind_int64(q, 2, b->cemetery_id);
	sqlite3_bind_int64(q, 3, b->plot_id);
	sqlite3_bind_int64(q, 4, b->user_id);
	bind_id_or_null(q, 5, b->booked_by);
	sqlite3_bind_int(q, 6, b->persons);
	sqlite3_bind_text(q, 7, phone_enc, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, b->phone_masked, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, b->code, -1, SQLITE_STATIC);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

static int state_of(const char *s)
{
	int v = visit_state_parse(s);

	return v < 0 ? VISIT_BOOKED : v;
}

static void booking_row(sqlite3_stmt *q, struct visit_booking *b)
{
	memset(b, 0, sizeof(*b));
	b->id = sqlite3_column_int64(q, 0);
	b->slot_id = sqlite3_column_int64(q, 1);
	b->cemetery_id = sqlite3_column_int64(q, 2);
	b->plot_id = sqlite3_column_int64(q, 3);
	b->user_id = sqlite3_column_int64(q, 4);
	b->booked_by = sqlite3_column_int64(q, 5);
	b->persons = sqlite3_column_int(q, 6);
	STORE_COPY(b->phone_masked, q, 7);
	STORE_COPY(b->code, q, 8);
	b->state = state_of(store_col_text(q, 9));
	STORE_COPY(b->checked_in_at, q, 10);
	b->checked_in_by = sqlite3_column_int64(q, 11);
	STORE_COPY(b->cancelled_at, q, 12);
	STORE_COPY(b->created_at, q, 13);
	STORE_COPY(b->date, q, 14);
	STORE_COPY(b->start, q, 15);
	STORE_COPY(b->end, q, 16);
	STORE_COPY(b->cemetery_name, q, 17);
	STORE_COPY(b->plot_section, q, 18);
	STORE_COPY(b->plot_row, q, 19);
	STORE_COPY(b->plot_number, q, 20);
	STORE_COPY(b->user_name, q, 21);
}

static int booking_one(sqlite3_stmt *q, struct visit_booking *out)
{
	int rc = store_step_row(q);

	if (rc == 0)
		booking_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_booking_get(struct store *st, int64_t id, struct visit_booking *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_BOOKING_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return booking_one(q, out);
}

int store_booking_by_code(struct store *st, const char *code,
                          struct visit_booking *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_BOOKING_BY_CODE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	return booking_one(q, out);
}

int store_booking_phone(struct store *st, int64_t id, char **phone_enc)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_BOOKING_PHONE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		*phone_enc = g_strdup(store_col_text(q, 0));
	sqlite3_reset(q);
	return rc;
}

int store_booking_set_state(struct store *st, int64_t id, enum visit_state from,
                            enum visit_state to, int64_t actor_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_BOOKING_SET_STATE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, visit_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	sqlite3_bind_text(q, 3, visit_state_name(from), -1, SQLITE_STATIC);
	bind_id_or_null(q, 4, actor_id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_CONFLICT;
	return rc;
}

static int booking_rows(sqlite3_stmt *q, GArray *out)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct visit_booking b;

		booking_row(q, &b);
		g_array_append_val(out, b);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_booking_list_user(struct store *st, int64_t user_id, int limit,
                            GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_BOOKING_LIST_USER));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_int(q, 2, limit);
	return booking_rows(q, out);
}

int store_booking_list_cemetery(struct store *st, int64_t cemetery_id,
                                const char *from, const char *to, int state,
                                int limit, GArray *out)
{
	sqlite3_stmt *q =
	    store_stmt(st, SQL(state < 0 ? Q_BOOKING_LIST_CEMETERY
	                                 : Q_BOOKING_LIST_CEMETERY_STATE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	sqlite3_bind_text(q, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, to, -1, SQLITE_STATIC);
	if (state >= 0)
		sqlite3_bind_text(q, 4, visit_state_name(state), -1,
		                  SQLITE_STATIC);
	sqlite3_bind_int(q, 5, limit);
	return booking_rows(q, out);
}
