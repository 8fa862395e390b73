/* store_sweeping.c — the SQL behind sweeping orders and ratings.
 *
 * Owns queries on sweeping_orders, sweeping_items, sweeping_events,
 * sweeping_proofs and ratings. It decides nothing: the state machine and
 * the price capture live in sweeping.c, which holds the transactions.
 */
#include "store_sweeping.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define PROOF_COLS                                                             \
	"id, order_id, kind, hash, mime, bytes, kept_location, uploaded_by, "  \
	"created_at"

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
	Q_PROOF_INSERT,
	Q_PROOF_GET,
	Q_PROOF_LIST,
	Q_PROOF_COUNT,
	Q_RATING_INSERT,
	Q_RATING_OF_ORDER,
	Q_RATING_SUMMARY,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_sweeping_sql[] = {
    [Q_ORDER_INSERT] =
        {"sweeping.order_insert",
         "INSERT INTO sweeping_orders(user_id, cemetery_id, plot_id, "
         "date, state, note, total_cents) VALUES (?, ?, ?, ?, ?, ?, ?)",
         NULL},
    [Q_ORDER_GET] = {"sweeping.order_get", ORDER_SELECT "WHERE o.id = ?", NULL},
    [Q_ORDER_SET_STATE] =
        {"sweeping.order_set_state",
         "UPDATE sweeping_orders SET state = ?1, reason = "
         "coalesce(?4, reason), updated_at = "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?2 AND "
         "state = ?3",
         NULL},
    [Q_ORDER_LIST_USER] = {"sweeping.order_list_user",
                           ORDER_SELECT
                           "WHERE o.user_id = ? ORDER BY o.id DESC LIMIT ?",
                           NULL},
    [Q_ORDER_LIST_CEMETERY] = {"sweeping.order_list_cemetery",
                               ORDER_SELECT
                               "WHERE o.cemetery_id = ?1 AND o.date >= ?2 AND "
                               "o.date <= ?3 ORDER BY o.date, o.id LIMIT ?5",
                               NULL},
    [Q_ORDER_LIST_CEMETERY_STATE] = {"sweeping.order_list_cemetery_state",
                                     ORDER_SELECT
                                     "WHERE o.cemetery_id = ?1 AND o.date >= "
                                     "?2 AND o.date <= ?3 AND o.state = ?4 "
                                     "ORDER BY o.date, o.id LIMIT ?5",
                                     NULL},
    [Q_ORDER_ITEM_INSERT] =
        {"sweeping.order_item_insert",
         "INSERT INTO sweeping_items(order_id, service_id, name, "
         "price_cents, quantity) VALUES (?, ?, ?, ?, ?)",
         NULL},
    [Q_ORDER_ITEM_LIST] =
        {"sweeping.order_item_list",
         "SELECT id, order_id, service_id, name, price_cents, quantity "
         "FROM sweeping_items WHERE order_id = ? ORDER BY id",
         NULL},
    [Q_ORDER_EVENT_INSERT] =
        {"sweeping.order_event_insert",
         "INSERT INTO sweeping_events(order_id, from_state, to_state, "
         "actor_id, note) VALUES (?, ?, ?, ?, ?)",
         NULL},
    [Q_ORDER_EVENT_LIST] =
        {"sweeping.order_event_list",
         "SELECT e.id, e.order_id, e.from_state, e.to_state, "
         "coalesce(e.actor_id, 0), coalesce(u.display_name, ''), e.note, "
         "e.at FROM sweeping_events e LEFT JOIN users u ON u.id = "
         "e.actor_id WHERE e.order_id = ? ORDER BY e.id",
         NULL},
    [Q_PROOF_INSERT] =
        {"sweeping.proof_insert",
         "INSERT INTO sweeping_proofs(order_id, kind, hash, mime, "
         "bytes, kept_location, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, "
         "?)",
         NULL},
    [Q_PROOF_GET] = {"sweeping.proof_get",
                     "SELECT " PROOF_COLS " FROM sweeping_proofs WHERE id = ? "
                     "AND order_id = ?",
                     NULL},
    [Q_PROOF_LIST] = {"sweeping.proof_list",
                      "SELECT " PROOF_COLS " FROM sweeping_proofs WHERE "
                      "order_id = ? ORDER BY id",
                      NULL},
    [Q_PROOF_COUNT] = {"sweeping.proof_count",
                       "SELECT count(*), coalesce(sum(kind = 'image'), 0) FROM "
                       "sweeping_proofs WHERE order_id = ?",
                       NULL},
    [Q_RATING_INSERT] =
        {"sweeping.rating_insert",
         "INSERT INTO ratings(subject_kind, subject_id, order_id, "
         "user_id, stars, comment) VALUES (?, ?, ?, ?, ?, ?)",
         NULL},
    [Q_RATING_OF_ORDER] =
        {"sweeping.rating_of_order",
         "SELECT stars, comment FROM ratings WHERE order_id = ?", NULL},
    [Q_RATING_SUMMARY] =
        {"sweeping.rating_summary",
         "SELECT coalesce(avg(stars), 0), count(*) FROM ratings WHERE "
         "subject_kind = ? AND subject_id = ?",
         NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_sweeping_sql[q].sql)

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

static void order_row(sqlite3_stmt *q, struct sweeping_order *o)
{
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
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	rc = store_step_row(q);
	if (rc == 0)
		order_row(q, out);
	sqlite3_reset(q);
	return rc;
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

static int order_rows(sqlite3_stmt *q, GArray *out)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct sweeping_order o;

		order_row(q, &o);
		g_array_append_val(out, o);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_order_list_user(struct store *st, int64_t user_id, int limit,
                          GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_LIST_USER));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_int(q, 2, limit);
	return order_rows(q, out);
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
	sqlite3_bind_int64(q, 1, cemetery_id);
	sqlite3_bind_text(q, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, to, -1, SQLITE_STATIC);
	if (state >= 0)
		sqlite3_bind_text(q, 4, sweeping_state_name(state), -1,
		                  SQLITE_STATIC);
	sqlite3_bind_int(q, 5, limit);
	return order_rows(q, out);
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

int store_order_item_list(struct store *st, int64_t order_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_ITEM_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct sweeping_item it = {0};

		it.id = sqlite3_column_int64(q, 0);
		it.order_id = sqlite3_column_int64(q, 1);
		it.service_id = sqlite3_column_int64(q, 2);
		STORE_COPY(it.name, q, 3);
		it.price_cents = sqlite3_column_int64(q, 4);
		it.quantity = sqlite3_column_int(q, 5);
		g_array_append_val(out, it);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
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

int store_order_event_list(struct store *st, int64_t order_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_ORDER_EVENT_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct sweeping_event ev = {0};

		ev.id = sqlite3_column_int64(q, 0);
		ev.order_id = sqlite3_column_int64(q, 1);
		ev.from = sqlite3_column_type(q, 2) == SQLITE_NULL
		              ? -1
		              : sweeping_state_parse(store_col_text(q, 2));
		ev.to = state_of(store_col_text(q, 3));
		ev.actor_id = sqlite3_column_int64(q, 4);
		STORE_COPY(ev.actor_name, q, 5);
		STORE_COPY(ev.note, q, 6);
		STORE_COPY(ev.at, q, 7);
		g_array_append_val(out, ev);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_proof_insert(struct store *st, const struct sweeping_proof *p,
                       int64_t *id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PROOF_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, p->order_id);
	sqlite3_bind_text(q, 2, p->video ? "video" : "image", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(q, 3, p->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, p->mime, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, p->bytes);
	sqlite3_bind_int(q, 6, p->kept_location ? 1 : 0);
	sqlite3_bind_int64(q, 7, p->uploaded_by);
	rc = store_step_done(q);
	if (rc == 0)
		*id = store_last_id(st);
	return rc;
}

static void proof_row(sqlite3_stmt *q, struct sweeping_proof *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(q, 0);
	p->order_id = sqlite3_column_int64(q, 1);
	p->video = strcmp(store_col_text(q, 2), "video") == 0;
	STORE_COPY(p->hash, q, 3);
	STORE_COPY(p->mime, q, 4);
	p->bytes = sqlite3_column_int64(q, 5);
	p->kept_location = sqlite3_column_int(q, 6) != 0;
	p->uploaded_by = sqlite3_column_int64(q, 7);
	STORE_COPY(p->created_at, q, 8);
}

int store_proof_get(struct store *st, int64_t order_id, int64_t id,
                    struct sweeping_proof *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PROOF_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, order_id);
	rc = store_step_row(q);
	if (rc == 0)
		proof_row(q, out);
	sqlite3_reset(q);
	return rc;
}

int store_proof_list(struct store *st, int64_t order_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PROOF_LIST));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct sweeping_proof p;

		proof_row(q, &p);
		g_array_append_val(out, p);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_proof_count(struct store *st, int64_t order_id, int *all, int *photos)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PROOF_COUNT));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*all = sqlite3_column_int(q, 0);
		*photos = sqlite3_column_int(q, 1);
		rc = 0;
	} else {
		rc = store_err(rc) ? store_err(rc) : ERR_DB;
	}
	sqlite3_reset(q);
	return rc;
}

int store_rating_insert(struct store *st, const char *subject_kind,
                        int64_t subject_id, int64_t order_id, int64_t user_id,
                        int stars, const char *comment)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_RATING_INSERT));

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, subject_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, subject_id);
	if (order_id > 0)
		sqlite3_bind_int64(q, 3, order_id);
	sqlite3_bind_int64(q, 4, user_id);
	sqlite3_bind_int(q, 5, stars);
	sqlite3_bind_text(q, 6, comment ? comment : "", -1, SQLITE_STATIC);
	return store_step_done(q);
}

int store_rating_of_order(struct store *st, int64_t order_id, int *stars,
                          char *comment, size_t commentlen)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_RATING_OF_ORDER));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	*stars = 0;
	if (commentlen)
		comment[0] = '\0';
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*stars = sqlite3_column_int(q, 0);
		snprintf(comment, commentlen, "%s", store_col_text(q, 1));
	}
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_rating_summary(struct store *st, const char *subject_kind,
                         int64_t subject_id, double *avg, int64_t *count)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_RATING_SUMMARY));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, subject_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, subject_id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*avg = sqlite3_column_double(q, 0);
		*count = sqlite3_column_int64(q, 1);
		rc = 0;
	} else {
		rc = store_err(rc) ? store_err(rc) : ERR_DB;
	}
	sqlite3_reset(q);
	return rc;
}
