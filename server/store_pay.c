/* store_pay.c — the SQL behind payments.
 *
 * Owns queries on payment_settings and order_payments. It decides
 * nothing: the rules live in pay.c, which holds the transactions.
 */
#include "store_pay.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

enum {
	Q_SETTINGS_GET,
	Q_SETTINGS_PUT,
	Q_RECORD_GET,
	Q_RECORD_PAID,
	Q_RECORD_REFUNDED,
};

/* Every statement of this file, for store_stmt() and the plan check. */
const struct store_sql store_pay_sql[] = {
    [Q_SETTINGS_GET] = {"pay.settings_get",
                        "SELECT cemetery_id, provider, instructions, "
                        "pay_later, updated_at FROM payment_settings WHERE "
                        "cemetery_id = ?",
                        NULL},
    [Q_SETTINGS_PUT] =
        {"pay.settings_put",
         "INSERT INTO payment_settings(cemetery_id, provider, "
         "instructions, pay_later, updated_by) VALUES (?1, ?2, ?3, ?4, ?5) "
         "ON CONFLICT(cemetery_id) DO UPDATE SET provider = ?2, "
         "instructions = ?3, pay_later = ?4, updated_by = ?5, updated_at = "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
         NULL},
    [Q_RECORD_GET] =
        {"pay.record_get",
         "SELECT p.order_id, p.provider, p.state, p.amount_fen, "
         "p.paid_reference, coalesce(p.paid_by, 0), "
         "coalesce(u.display_name, ''), p.paid_at, p.refund_reference, "
         "coalesce(p.refunded_by, 0), coalesce(p.refunded_at, '') FROM "
         "order_payments p LEFT JOIN users u ON u.id = p.paid_by WHERE "
         "p.order_id = ?",
         NULL},
    [Q_RECORD_PAID] = {"pay.record_paid",
                       "INSERT INTO order_payments(order_id, provider, "
                       "state, amount_fen, paid_reference, paid_by) VALUES "
                       "(?, ?, 'paid', ?, ?, ?)",
                       NULL},
    [Q_RECORD_REFUNDED] =
        {"pay.record_refunded",
         "UPDATE order_payments SET state = 'refunded', refund_reference = "
         "?2, refunded_by = ?3, refunded_at = "
         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE order_id = ?1 AND "
         "state = 'paid'",
         NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_pay_sql[q].sql)

static void settings_row(sqlite3_stmt *q, void *item)
{
	struct pay_settings *s = item;

	memset(s, 0, sizeof(*s));
	s->cemetery_id = sqlite3_column_int64(q, 0);
	STORE_COPY(s->provider, q, 1);
	STORE_COPY(s->instructions, q, 2);
	s->pay_later = sqlite3_column_int(q, 3) != 0;
	STORE_COPY(s->updated_at, q, 4);
	s->set = true;
}

int store_pay_settings_get(struct store *st, int64_t cemetery_id,
                           struct pay_settings *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SETTINGS_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	return store_one(q, settings_row, out);
}

int store_pay_settings_put(struct store *st, const struct pay_settings *s,
                           int64_t actor_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_SETTINGS_PUT));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, s->cemetery_id);
	sqlite3_bind_text(q, 2, s->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, s->instructions, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, s->pay_later ? 1 : 0);
	if (actor_id)
		sqlite3_bind_int64(q, 5, actor_id);
	return store_step_done(q);
}

static void record_row(sqlite3_stmt *q, void *item)
{
	struct pay_record *r = item;
	int ps;

	memset(r, 0, sizeof(*r));
	r->order_id = sqlite3_column_int64(q, 0);
	STORE_COPY(r->provider, q, 1);
	ps = pay_state_parse(store_col_text(q, 2));
	r->state = ps < 0 ? PAY_UNPAID : (enum pay_state)ps;
	r->amount_fen = sqlite3_column_int64(q, 3);
	STORE_COPY(r->paid_reference, q, 4);
	r->paid_by = sqlite3_column_int64(q, 5);
	STORE_COPY(r->paid_by_name, q, 6);
	STORE_COPY(r->paid_at, q, 7);
	STORE_COPY(r->refund_reference, q, 8);
	r->refunded_by = sqlite3_column_int64(q, 9);
	STORE_COPY(r->refunded_at, q, 10);
}

int store_pay_record_get(struct store *st, int64_t order_id,
                         struct pay_record *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_RECORD_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	return store_one(q, record_row, out);
}

int store_pay_record_paid(struct store *st, const struct pay_record *r,
                          int64_t actor_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_RECORD_PAID));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, r->order_id);
	sqlite3_bind_text(q, 2, r->provider, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, r->amount_fen);
	sqlite3_bind_text(q, 4, r->paid_reference, -1, SQLITE_STATIC);
	if (actor_id)
		sqlite3_bind_int64(q, 5, actor_id);
	return store_step_done(q);
}

int store_pay_record_refunded(struct store *st, int64_t order_id,
                              const char *ref, int64_t actor_id)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_RECORD_REFUNDED));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	sqlite3_bind_text(q, 2, ref, -1, SQLITE_STATIC);
	if (actor_id)
		sqlite3_bind_int64(q, 3, actor_id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_CONFLICT;
	return rc;
}
