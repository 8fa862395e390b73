/* store_order.c — the SQL behind sweeping orders, their items and events.
 *
 * Owns queries on sweeping_orders, sweeping_items and sweeping_events. It
 * decides nothing: the state machine and the price capture live in
 * sweeping.c, which holds the transactions; pay.c reads an order before
 * it records a payment.
 */
#include "store_order.h"
#include "err.h"
#include "store.h"

#include <string.h>

#define ORDER_SELECT                                                           \
	"SELECT o.id, o.user_id, o.cemetery_id, o.plot_id, o.date, o.state, "  \
	"o.note, o.reason, o.total_cents, o.created_at, o.updated_at, "        \
	"c.name, p.section, p.row, p.number, u.display_name "                  \
	"FROM sweeping_orders o "                                              \
	"JOIN cemeteries c ON c.id = o.cemetery_id "                           \
	"JOIN plots p ON p.id = o.plot_id "                                    \
	"JOIN users u ON u.id = o.user_id "

enum {
	Q_ORDER_INSERT,
	Q_ORDER_GET,
	Q_ORDER_SET_STATE,
	Q_ORDER_LIST_USER,
	Q_ORDER_LIST_CEMETERY,
	Q_ORDER_LIST_CEMETERY_STATE,
	Q_ORDER_ITEM_INSERT,
	Q_ORDER_ITEM_LIST,
	Q_ORDER_EVENT_INSERT,
	Q_ORDER_EVENT_LIST,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_order_sql[] = {
    [Q_ORDER_INSERT] =
        {"order.order_insert",
         "INSERT INTO sweeping_orders(user_id, cemetery_id, plot_id, "
         "date, state, note, total_cents) VALUES (?, ?, ?, ?, ?, ?, ?)",
         NULL},
    [Q_ORDER_GET] = {"order.order_get", ORDER_SELECT "WHERE o.id = ?", NULL},
    [Q_ORDER_SET_STATE] =
        {"order.order_set_state",
         "UPDATE sweeping_orders SET state = ?1, reason = "
         "coalesce(?4, reason), updated_at = "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?2 AND "
         "state = ?3",
         NULL},
    [Q_ORDER_LIST_USER] = {"order.order_list_user",
                           ORDER_SELECT
                           "WHERE o.user_id = ? ORDER BY o.id DESC LIMIT ?",
                           NULL},
    [Q_ORDER_LIST_CEMETERY] = {"order.order_list_cemetery",
                               ORDER_SELECT
                               "WHERE o.cemetery_id = ?1 AND o.date >= ?2 AND "
                               "o.date <= ?3 ORDER BY o.date, o.id LIMIT ?5",
                               NULL},
    [Q_ORDER_LIST_CEMETERY_STATE] = {"order.order_list_cemetery_state",
                                     ORDER_SELECT
                                     "WHERE o.cemetery_id = ?1 AND o.date >= "
                                     "?2 AND o.date <= ?3 AND o.state = ?4 "
                                     "ORDER BY o.date, o.id LIMIT ?5",
                                     NULL},
    [Q_ORDER_ITEM_INSERT] =
        {"order.order_item_insert",
         "INSERT INTO sweeping_items(order_id, service_id, name, "
         "price_cents, quantity) VALUES (?, ?, ?, ?, ?)",
         NULL},
    [Q_ORDER_ITEM_LIST] =
        {"order.order_item_list",
         "SELECT id, order_id, service_id, name, price_cents, quantity "
         "FROM sweeping_items WHERE order_id = ? ORDER BY id",
         NULL},
    [Q_ORDER_EVENT_INSERT] =
        {"order.order_event_insert",
         "INSERT INTO sweeping_events(order_id, from_state, to_state, "
         "actor_id, note) VALUES (?, ?, ?, ?, ?)",
         NULL},
    [Q_ORDER_EVENT_LIST] =
        {"order.order_event_list",
         "SELECT e.id, e.order_id, e.from_state, e.to_state, "
         "coalesce(e.actor_id, 0), coalesce(u.display_name, ''), e.note, "
         "e.at FROM sweeping_events e LEFT JOIN users u ON u.id = "
         "e.actor_id WHERE e.order_id = ? ORDER BY e.id",
         NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_order_sql[q].sql)

static int state_of(const char *s)
{
	int v = sweeping_state_parse(s);

	return v < 0 ? SW_PLACED : v;
}

int store_order_insert(struct store *st, const struct sweeping_order *o,
                       int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, o->user_id);
	sqlite3_bind_int64(q, 2, o->cemetery_id);
	sqlite3_bind_int64(q, 3, o->plot_id);
	sqlite3_bind_text(q, 4, o->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, sweeping_state_name(o->state), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(q, 6, o->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 7, o->total_cents);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

static void order_row(sqlite3_stmt *q, void *item)
{
	struct sweeping_order *o = item;

	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(q, 0);
	o->user_id = sqlite3_column_int64(q, 1);
	o->cemetery_id = sqlite3_column_int64(q, 2);
	o->plot_id = sqlite3_column_int64(q, 3);
	STORE_COPY(o->date, q, 4);
	o->state = state_of(store_col_text(q, 5));
	STORE_COPY(o->note, q, 6);
	STORE_COPY(o->reason, q, 7);
	o->total_cents = sqlite3_column_int64(q, 8);
	STORE_COPY(o->created_at, q, 9);
	STORE_COPY(o->updated_at, q, 10);
	STORE_COPY(o->cemetery_name, q, 11);
	STORE_COPY(o->plot_section, q, 12);
	STORE_COPY(o->plot_row, q, 13);
	STORE_COPY(o->plot_number, q, 14);
	STORE_COPY(o->user_name, q, 15);
}

int store_order_get(struct store *st, int64_t id, struct sweeping_order *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return store_one(q, order_row, out);
}

int store_order_set_state(struct store *st, int64_t id,
                          enum sweeping_state from, enum sweeping_state to,
                          const char *reason)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_SET_STATE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, sweeping_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
	sqlite3_bind_text(q, 3, sweeping_state_name(from), -1, SQLITE_STATIC);
	if (reason)
		sqlite3_bind_text(q, 4, reason, -1, SQLITE_STATIC);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_CONFLICT;
	return rc;
}

int store_order_list_user(struct store *st, int64_t user_id, int limit,
                          GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_LIST_USER));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_int(q, 2, limit);
	return store_collect(q, order_row, out);
}

int store_order_list_cemetery(struct store *st, int64_t cemetery_id,
                              const char *from, const char *to, int state,
                              int limit, GArray *out)
{
	sqlite3_stmt *q =
	    store_stmt(st, SQL(state < 0 ? Q_ORDER_LIST_CEMETERY
	                                 : Q_ORDER_LIST_CEMETERY_STATE));

	if (!q)
		return ERR_DB;
	store_bind_days(q, cemetery_id, from, to,
	                state < 0 ? NULL : sweeping_state_name(state), limit);
	return store_collect(q, order_row, out);
}

int store_order_item_insert(struct store *st, const struct sweeping_item *it)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_ITEM_INSERT));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, it->order_id);
	sqlite3_bind_int64(q, 2, it->service_id);
	sqlite3_bind_text(q, 3, it->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, it->price_cents);
	sqlite3_bind_int(q, 5, it->quantity);
	return store_step_done(q);
}

static void item_row(sqlite3_stmt *q, void *item)
{
	struct sweeping_item *it = item;

	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(q, 0);
	it->order_id = sqlite3_column_int64(q, 1);
	it->service_id = sqlite3_column_int64(q, 2);
	STORE_COPY(it->name, q, 3);
	it->price_cents = sqlite3_column_int64(q, 4);
	it->quantity = sqlite3_column_int(q, 5);
}

int store_order_item_list(struct store *st, int64_t order_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_ITEM_LIST));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	return store_collect(q, item_row, out);
}

int store_order_event_insert(struct store *st, int64_t order_id, int from,
                             enum sweeping_state to, int64_t actor_id,
                             const char *note)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_EVENT_INSERT));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	if (from >= 0)
		sqlite3_bind_text(q, 2, sweeping_state_name(from), -1,
		                  SQLITE_STATIC);
	sqlite3_bind_text(q, 3, sweeping_state_name(to), -1, SQLITE_STATIC);
	if (actor_id > 0)
		sqlite3_bind_int64(q, 4, actor_id);
	sqlite3_bind_text(q, 5, note ? note : "", -1, SQLITE_STATIC);
	return store_step_done(q);
}

static void event_row(sqlite3_stmt *q, void *item)
{
	struct sweeping_event *ev = item;

	memset(ev, 0, sizeof(*ev));
	ev->id = sqlite3_column_int64(q, 0);
	ev->order_id = sqlite3_column_int64(q, 1);
	ev->from = sqlite3_column_type(q, 2) == SQLITE_NULL
	               ? -1
	               : sweeping_state_parse(store_col_text(q, 2));
	ev->to = state_of(store_col_text(q, 3));
	ev->actor_id = sqlite3_column_int64(q, 4);
	STORE_COPY(ev->actor_name, q, 5);
	STORE_COPY(ev->note, q, 6);
	STORE_COPY(ev->at, q, 7);
}

int store_order_event_list(struct store *st, int64_t order_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_EVENT_LIST));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	return store_collect(q, event_row, out);
}
