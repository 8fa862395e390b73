/* store_booking.c — the SQL behind visit bookings.
 *
 * Owns queries on bookings (the places a family holds in a visit slot,
 * store_visit.c). It decides nothing: who may book, when and how many is
 * visit.c's, which also holds the transactions; reminder.c reads the
 * bookings it reminds of.
 */
#include "store_booking.h"
#include "err.h"
#include "store.h"

#include <string.h>

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
const struct store_sql store_booking_sql[] = {
    [Q_BOOKING_ACTIVE] =
        {"booking.booking_active",
         "SELECT 1 FROM bookings WHERE slot_id = ? AND user_id = ? AND "
         "state != 'cancelled'",
         NULL},
    [Q_BOOKING_INSERT] =
        {"booking.booking_insert",
         "INSERT INTO bookings(slot_id, cemetery_id, plot_id, user_id, "
         "booked_by, persons, phone_enc, phone_masked, code) VALUES "
         "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
         NULL},
    [Q_BOOKING_GET] = {"booking.booking_get", BOOKING_SELECT "WHERE b.id = ?",
                       NULL},
    [Q_BOOKING_BY_CODE] = {"booking.booking_by_code",
                           BOOKING_SELECT "WHERE b.code = ?", NULL},
    [Q_BOOKING_PHONE] = {"booking.booking_phone",
                         "SELECT phone_enc FROM bookings WHERE id = ?", NULL},
    [Q_BOOKING_SET_STATE] =
        {"booking.booking_set_state",
         "UPDATE bookings SET state = ?1, "
         "checked_in_at = CASE WHEN ?1 = 'checked_in' THEN "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE checked_in_at END, "
         "checked_in_by = CASE WHEN ?1 = 'checked_in' THEN ?4 ELSE "
         "checked_in_by END, "
         "cancelled_at = CASE WHEN ?1 = 'cancelled' THEN "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE cancelled_at END "
         "WHERE id = ?2 AND state = ?3",
         NULL},
    [Q_BOOKING_LIST_USER] = {"booking.booking_list_user",
                             BOOKING_SELECT
                             "WHERE b.user_id = ? ORDER BY b.id DESC LIMIT ?",
                             NULL},
    [Q_BOOKING_LIST_CEMETERY] =
        {"booking.booking_list_cemetery",
         BOOKING_SELECT "WHERE b.cemetery_id = ?1 AND s.date >= ?2 AND "
                        "s.date <= ?3 ORDER BY s.date, s.start_time, b.id "
                        "LIMIT ?5",
         NULL},
    [Q_BOOKING_LIST_CEMETERY_STATE] =
        {"booking.booking_list_cemetery_state",
         BOOKING_SELECT "WHERE b.cemetery_id = ?1 AND s.date >= ?2 AND "
                        "s.date <= ?3 AND b.state = ?4 ORDER BY s.date, "
                        "s.start_time, b.id LIMIT ?5",
         NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_booking_sql[q].sql)

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
	store_bind_id(q, 5, b->booked_by);
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

static void booking_row(sqlite3_stmt *q, void *item)
{
	struct visit_booking *b = item;

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

int store_booking_get(struct store *st, int64_t id, struct visit_booking *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_BOOKING_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return store_one(q, booking_row, out);
}

int store_booking_by_code(struct store *st, const char *code,
                          struct visit_booking *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_BOOKING_BY_CODE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	return store_one(q, booking_row, out);
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
	store_bind_id(q, 4, actor_id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_CONFLICT;
	return rc;
}

int store_booking_list_user(struct store *st, int64_t user_id, int limit,
                            GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_BOOKING_LIST_USER));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_int(q, 2, limit);
	return store_collect(q, booking_row, out);
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
	store_bind_days(q, cemetery_id, from, to,
	                state < 0 ? NULL : visit_state_name(state), limit);
	return store_collect(q, booking_row, out);
}
