/* store_public.c — the SQL behind public service information and
 * complaints.
 *
 * Owns queries on org_public and complaints, and the two summaries the
 * public page shows (ratings, free eco-burial plots). Decides nothing:
 * who may read or answer is access.c's; sealing the contact is the
 * caller's.
 */
#include "store_public.h"
#include "err.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define COMPLAINT_COLS                                                         \
	"id, org_kind, org_id, COALESCE(user_id, 0), token_hash, "             \
	"contact_enc, text, answer IS NOT NULL, COALESCE(answer, ''), "        \
	"COALESCE(answered_by, 0), COALESCE(answered_at, ''), created_at"

enum {
	Q_PUBLIC_GET,
	Q_PUBLIC_PUT,
	Q_PUBLIC_RATING,
	Q_PUBLIC_ECO_FREE,
	Q_COMPLAINT_INSERT,
	Q_COMPLAINT_GET,
	Q_COMPLAINT_ANSWER,
	Q_COMPLAINT_LIST_ORG,
	Q_COMPLAINT_LIST_USER,
	Q_COMPLAINT_LIST_ALL,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_public_sql[] = {
    [Q_PUBLIC_GET] = {"public.get",
                      "SELECT commitments, supervision, eco_burial, "
                      "subsidy, updated_at FROM org_public WHERE "
                      "org_kind = ? AND org_id = ?",
                      NULL},
    [Q_PUBLIC_PUT] =
        {"public.put",
         "INSERT INTO org_public(org_kind, org_id, commitments, "
         "supervision, eco_burial, subsidy) VALUES (?1, ?2, ?3, ?4, ?5, "
         "?6) ON CONFLICT (org_kind, org_id) DO UPDATE SET commitments "
         "= ?3, supervision = ?4, eco_burial = ?5, subsidy = ?6, "
         "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
         NULL},
    [Q_PUBLIC_RATING] = {"public.rating",
                         "SELECT COUNT(*), COALESCE(AVG(stars), 0) FROM "
                         "ratings WHERE subject_kind = ? AND subject_id "
                         "= ?",
                         NULL},
    [Q_PUBLIC_ECO_FREE] = {"public.eco_free",
                           "SELECT COUNT(*) FROM plots WHERE cemetery_id "
                           "= ? AND kind = ? AND status = 'free'",
                           NULL},
    [Q_COMPLAINT_INSERT] =
        {"public.complaint_insert",
         "INSERT INTO complaints(org_kind, org_id, user_id, token_hash, "
         "contact_enc, text) VALUES (?, ?, ?, ?, ?, ?) RETURNING id, "
         "created_at",
         NULL},
    [Q_COMPLAINT_GET] = {"public.complaint_get",
                         "SELECT " COMPLAINT_COLS
                         " FROM complaints WHERE id = ?",
                         NULL},
    [Q_COMPLAINT_ANSWER] =
        {"public.complaint_answer",
         "UPDATE complaints SET answer = ?1, answered_by = ?2, "
         "answered_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = "
         "?3 AND answer IS NULL",
         NULL},
    [Q_COMPLAINT_LIST_ORG] = {"public.complaint_list_org",
                              "SELECT " COMPLAINT_COLS
                              " FROM complaints WHERE org_kind = ? AND "
                              "org_id = ? AND id < ? ORDER BY id DESC "
                              "LIMIT ?",
                              NULL},
    [Q_COMPLAINT_LIST_USER] = {"public.complaint_list_user",
                               "SELECT " COMPLAINT_COLS
                               " FROM complaints WHERE user_id = ? AND "
                               "id < ? ORDER BY id DESC LIMIT ?",
                               NULL},
    [Q_COMPLAINT_LIST_ALL] = {"public.complaint_list_all",
                              "SELECT " COMPLAINT_COLS
                              " FROM complaints WHERE id < ? ORDER BY id "
                              "DESC LIMIT ?",
                              "the platform admin's list of every "
                              "complaint, newest first: each page reads "
                              "its own rows only"},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_public_sql[q].sql)

static void bind_org(sqlite3_stmt *q, enum org_kind k, int64_t id)
{
	sqlite3_bind_text(q, 1, store_org_kind_name(k), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, id);
}

static void public_row(sqlite3_stmt *q, void *item)
{
	struct org_public *p = item;

	STORE_COPY(p->commitments, q, 0);
	STORE_COPY(p->supervision, q, 1);
	STORE_COPY(p->eco_burial, q, 2);
	STORE_COPY(p->subsidy, q, 3);
	STORE_COPY(p->updated_at, q, 4);
}

int store_public_get(struct store *st, enum org_kind k, int64_t id,
                     struct org_public *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PUBLIC_GET));
	int rc;

	memset(out, 0, sizeof(*out));
	if (!q)
		return ERR_DB;
	bind_org(q, k, id);
	rc = store_one(q, public_row, out);
	return rc == ERR_NOT_FOUND ? 0 : rc;
}

int store_public_put(struct store *st, enum org_kind k, int64_t id,
                     const struct org_public *p)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PUBLIC_PUT));

	if (!q)
		return ERR_DB;
	bind_org(q, k, id);
	sqlite3_bind_text(q, 3, p->commitments, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, p->supervision, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, p->eco_burial, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, p->subsidy, -1, SQLITE_STATIC);
	return store_step_done(q);
}

int store_public_rating(struct store *st, enum org_kind k, int64_t id,
                        int64_t *count, double *average)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PUBLIC_RATING));
	int rc;

	if (!q)
		return ERR_DB;
	bind_org(q, k, id);
	rc = store_step_row(q);
	if (rc == 0) {
		*count = sqlite3_column_int64(q, 0);
		*average = sqlite3_column_double(q, 1);
	}
	sqlite3_reset(q);
	return rc;
}

int store_public_eco_free(struct store *st, int64_t cemetery_id,
                          const char *kind, int64_t *free_plots)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_PUBLIC_ECO_FREE));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	rc = store_step_row(q);
	if (rc == 0)
		*free_plots = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc;
}

static void complaint_row(sqlite3_stmt *q, void *item)
{
	struct complaint *c = item;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(q, 0);
	c->org_kind = strcmp(store_col_text(q, 1), "cemetery") == 0
	                  ? ORG_CEMETERY
	                  : ORG_AGENCY;
	c->org_id = sqlite3_column_int64(q, 2);
	c->user_id = sqlite3_column_int64(q, 3);
	STORE_COPY(c->token_hash, q, 4);
	STORE_COPY(c->contact_enc, q, 5);
	STORE_COPY(c->text, q, 6);
	c->answered = sqlite3_column_int(q, 7) != 0;
	STORE_COPY(c->answer, q, 8);
	c->answered_by = sqlite3_column_int64(q, 9);
	STORE_COPY(c->answered_at, q, 10);
	STORE_COPY(c->created_at, q, 11);
}

int store_public_complaint_insert(struct store *st, struct complaint *c)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_COMPLAINT_INSERT));
	int rc;

	if (!q)
		return ERR_DB;
	bind_org(q, c->org_kind, c->org_id);
	if (c->user_id)
		sqlite3_bind_int64(q, 3, c->user_id);
	sqlite3_bind_text(q, 4, c->token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, c->contact_enc, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, c->text, -1, SQLITE_STATIC);
	rc = store_step_row(q);
	if (rc == 0) {
		c->id = sqlite3_column_int64(q, 0);
		STORE_COPY(c->created_at, q, 1);
		rc = store_step_done(q);
	}
	sqlite3_reset(q);
	return rc;
}

int store_public_complaint_get(struct store *st, int64_t id,
                               struct complaint *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_COMPLAINT_GET));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	return store_one(q, complaint_row, out);
}

int store_public_complaint_answer(struct store *st, int64_t id,
                                  const char *answer, int64_t by)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_COMPLAINT_ANSWER));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_text(q, 1, answer, -1, SQLITE_STATIC);
	if (by)
		sqlite3_bind_int64(q, 2, by);
	sqlite3_bind_int64(q, 3, id);
	rc = store_step_done(q);
	if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
		rc = ERR_CONFLICT;
	return rc;
}

int store_public_complaint_list_org(struct store *st, enum org_kind k,
                                    int64_t id, int64_t cursor, int limit,
                                    GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_COMPLAINT_LIST_ORG));

	if (!q)
		return ERR_DB;
	bind_org(q, k, id);
	sqlite3_bind_int64(q, 3, store_cursor(cursor));
	sqlite3_bind_int(q, 4, limit);
	return store_collect(q, complaint_row, out);
}

int store_public_complaint_list_user(struct store *st, int64_t user_id,
                                     int64_t cursor, int limit, GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_COMPLAINT_LIST_USER));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_int64(q, 2, store_cursor(cursor));
	sqlite3_bind_int(q, 3, limit);
	return store_collect(q, complaint_row, out);
}

int store_public_complaint_list_all(struct store *st, int64_t cursor, int limit,
                                    GArray *out)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_COMPLAINT_LIST_ALL));

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, store_cursor(cursor));
	sqlite3_bind_int(q, 2, limit);
	return store_collect(q, complaint_row, out);
}
