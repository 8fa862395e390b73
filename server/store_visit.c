/* store_visit.c — the SQL behind visit slots.
 *
 * Owns queries on visit_slots; the bookings in a slot are store_booking.c's.
 * It decides nothing: the rules
 * (who may book, when, how many) live in visit.c, which also holds the
 * transactions. The capacity guard is the one exception that must be SQL:
 * store_visit_slot_take() takes places only if they fit, in one statement.
 */
#include "store_visit.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define SLOT_COLS                                                              \
	"id, cemetery_id, date, start_time, end_time, capacity, booked, "      \
	"coalesce(created_by, 0)"

enum {
	Q_SLOT_INSERT,
	Q_SLOT_GET,
	Q_SLOT_LIST,
	Q_SLOT_TAKE,
	Q_SLOT_RELEASE,
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
    {NULL, NULL, NULL},
};

#define SQL(q) (store_visit_sql[q].sql)

int store_visit_slot_insert(struct store *st, const struct visit_slot *s,
                            int64_t *id)
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
	store_bind_id(q, 6, s->created_by);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

static void slot_row(sqlite3_stmt *q, void *item)
{
	struct visit_slot *s = item;

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

int store_visit_slot_get(struct store *st, int64_t id, struct visit_slot *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SLOT_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return store_one(q, slot_row, out);
}

int store_visit_slot_list(struct store *st, int64_t cemetery_id,
                          const char *from, const char *to, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SLOT_LIST));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	sqlite3_bind_text(q, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, to, -1, SQLITE_STATIC);
	return store_collect(q, slot_row, out);
}

int store_visit_slot_take(struct store *st, int64_t slot_id, int n)
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

int store_visit_slot_release(struct store *st, int64_t slot_id, int n)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SLOT_RELEASE));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int(q, 1, n);
	sqlite3_bind_int64(q, 2, slot_id);
	return store_step_done(q);
}
