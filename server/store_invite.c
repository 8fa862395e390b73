/* store_invite.c — the columns every invitation table has, read from a row
 * and bound into an upsert the same way for a memorial's family
 * (store_family.c) and an organisation's staff (store_staff.c).
 *
 * Owns no table and no statement: each kind's file keeps its own SQL and
 * puts these columns first. Decides nothing (invite.c owns the states).
 */
#include "store_invite.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

void store_invite_row(sqlite3_stmt *q, struct invite *f)
{
	int s = invite_state_parse(store_col_text(q, 3));

	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(q, 0);
	STORE_COPY(f->login_hash, q, 1);
	STORE_COPY(f->login_masked, q, 2);
	f->state = s < 0 ? INVITE_REVOKED : (enum invite_state)s;
	f->invited_by = sqlite3_column_int64(q, 4);
	STORE_COPY(f->created_at, q, 5);
	STORE_COPY(f->expires_at, q, 6);
	STORE_COPY(f->decided_at, q, 7);
	f->expired = sqlite3_column_int(q, 8) != 0;
}

void store_invite_bind(sqlite3_stmt *q, const struct invite *f, int days)
{
	char plus[32];

	snprintf(plus, sizeof(plus), "+%d days", days);
	sqlite3_bind_text(q, 1, f->login_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, f->login_masked, -1, SQLITE_STATIC);
	if (f->invited_by)
		sqlite3_bind_int64(q, 3, f->invited_by);
	sqlite3_bind_text(q, 4, plus, -1, SQLITE_TRANSIENT);
}
