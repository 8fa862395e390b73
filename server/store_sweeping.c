/* store_sweeping.c — the SQL behind a sweeping's proof media and ratings.
 *
 * Owns queries on sweeping_proofs and ratings; the orders themselves are
 * store_order.c's. It decides nothing: the state machine and
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

enum {
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

int store_sweeping_proof_insert(struct store *st,
                                const struct sweeping_proof *p, int64_t *id)
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

static void proof_row(sqlite3_stmt *q, void *item)
{
	struct sweeping_proof *p = item;

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

int store_sweeping_proof_get(struct store *st, int64_t order_id, int64_t id,
                             struct sweeping_proof *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PROOF_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, order_id);
	return store_one(q, proof_row, out);
}

int store_sweeping_proof_list(struct store *st, int64_t order_id, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PROOF_LIST));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, order_id);
	return store_collect(q, proof_row, out);
}

int store_sweeping_proof_count(struct store *st, int64_t order_id, int *all,
                               int *photos)
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

int store_sweeping_rating_insert(struct store *st, const char *subject_kind,
                                 int64_t subject_id, int64_t order_id,
                                 int64_t user_id, int stars,
                                 const char *comment)
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

int store_sweeping_rating_of_order(struct store *st, int64_t order_id,
                                   int *stars, char *comment, size_t commentlen)
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

int store_sweeping_rating_summary(struct store *st, const char *subject_kind,
                                  int64_t subject_id, double *avg,
                                  int64_t *count)
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
