/* store_alloc.c — the SQL behind a cemetery's allocation settings.
 *
 * Owns queries on alloc_weights and alloc_sites. Decides nothing: the
 * rules and their defaults are alloc.c's, who may change them access.c's.
 */
#include "store_alloc.h"
#include "err.h"
#include "store.h"

#include <string.h>

enum {
	Q_WEIGHTS_GET,
	Q_WEIGHTS_PUT,
	Q_SITE_GET,
	Q_SITE_PUT,
};

/* Every statement of this file, for store_stmt() and the plan check
 * (tests/unit/test_store_plans.c). */
const struct store_sql store_alloc_sql[] = {
    [Q_WEIGHTS_GET] = {"alloc.weights_get",
                       "SELECT rule, weight FROM alloc_weights WHERE "
                       "cemetery_id = ?",
                       NULL},
    [Q_WEIGHTS_PUT] = {"alloc.weights_put",
                       "INSERT INTO alloc_weights(cemetery_id, rule, weight) "
                       "VALUES (?1, ?2, ?3) ON CONFLICT (cemetery_id, rule) "
                       "DO UPDATE SET weight = excluded.weight",
                       NULL},
    [Q_SITE_GET] = {"alloc.site_get",
                    "SELECT subsidised, gate_lat, gate_lng FROM alloc_sites "
                    "WHERE cemetery_id = ?",
                    NULL},
    [Q_SITE_PUT] = {"alloc.site_put",
                    "INSERT INTO alloc_sites(cemetery_id, subsidised, "
                    "gate_lat, gate_lng) VALUES (?1, ?2, ?3, ?4) ON "
                    "CONFLICT (cemetery_id) DO UPDATE SET subsidised = "
                    "excluded.subsidised, gate_lat = excluded.gate_lat, "
                    "gate_lng = excluded.gate_lng",
                    NULL},
    {NULL, NULL, NULL},
};

#define SQL(q) (store_alloc_sql[q].sql)

static int weights_get(struct store *st, int64_t cemetery_id,
                       struct alloc_config *c)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_WEIGHTS_GET));
	int rc;

	if (!q)
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int r = alloc_rule_parse(store_col_text(q, 0));

		if (r >= 0)
			c->weight[r] = sqlite3_column_int(q, 1);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

int store_alloc_get(struct store *st, int64_t cemetery_id,
                    struct alloc_config *out)
{
	sqlite3_stmt *q;
	int rc;

	alloc_defaults(out);
	if ((rc = weights_get(st, cemetery_id, out)))
		return rc;
	if (!(q = store_stmt(st, SQL(Q_SITE_GET))))
		return ERR_DB;
	sqlite3_bind_int64(q, 1, cemetery_id);
	rc = store_step_row(q);
	if (rc == 0) {
		out->subsidised = (unsigned)sqlite3_column_int(q, 0);
		out->has_gate = sqlite3_column_type(q, 1) != SQLITE_NULL &&
		                sqlite3_column_type(q, 2) != SQLITE_NULL;
		out->gate_lat = sqlite3_column_double(q, 1);
		out->gate_lng = sqlite3_column_double(q, 2);
	}
	sqlite3_reset(q);
	return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int put_rows(struct store *st, int64_t cemetery_id,
                    const struct alloc_config *c)
{
	sqlite3_stmt *q = store_stmt(st, SQL(Q_WEIGHTS_PUT));
	int rc = 0;

	for (int r = 0; q && rc == 0 && r < ALLOC_RULE_COUNT; r++) {
		sqlite3_bind_int64(q, 1, cemetery_id);
		sqlite3_bind_text(q, 2, alloc_rule_name((enum alloc_rule)r), -1,
		                  SQLITE_STATIC);
		sqlite3_bind_int(q, 3, c->weight[r]);
		rc = store_step_done(q);
	}
	if (!q || !(q = store_stmt(st, SQL(Q_SITE_PUT))))
		return ERR_DB;
	if (rc)
		return rc;
	sqlite3_bind_int64(q, 1, cemetery_id);
	sqlite3_bind_int(q, 2, (int)c->subsidised);
	if (c->has_gate) {
		sqlite3_bind_double(q, 3, c->gate_lat);
		sqlite3_bind_double(q, 4, c->gate_lng);
	} else {
		sqlite3_bind_null(q, 3);
		sqlite3_bind_null(q, 4);
	}
	return store_step_done(q);
}

int store_alloc_put(struct store *st, int64_t cemetery_id,
                    const struct alloc_config *c)
{
	int rc;

	if ((rc = store_begin(st)))
		return rc;
	if ((rc = put_rows(st, cemetery_id, c))) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}
