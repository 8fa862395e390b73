/* api_inbox.c — the inbox over HTTP (list, mark read) and an
 * administrator's run of the day-before reminders.
 *
 * Parses and validates input, answers only about the caller's own items,
 * calls inbox.c / store_inbox.c / reminder.c and renders JSON. Live
 * delivery is on the bus topic "user:{id}" (inbox.h).
 */
#include "access.h"
#include "api.h"
#include "app.h"
#include "auth.h"
#include "err.h"
#include "http.h"
#include "inbox.h"
#include "jsonx.h"
#include "log.h"
#include "reminder.h"
#include "store.h"
#include "store_inbox.h"
#include "visit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MAX 100

static void get_inbox(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	const char *cur = http_query(req, "cursor"),
	           *lim = http_query(req, "limit");
	int64_t before = cur && *cur ? atoll(cur) : 0, unread = 0;
	int limit = lim && *lim ? atoi(lim) : 30;
	GArray *rows;
	json_t *arr;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if (before < 0 || limit < 1 || limit > PAGE_MAX) {
		http_resp_err(resp, ERR_INVALID,
		              "limit: 1 to %d; cursor: an item id", PAGE_MAX);
		return;
	}
	rows = g_array_new(FALSE, FALSE, sizeof(struct inbox_row));
	if (store_inbox_list(app->store, a->user_id, before, limit, rows) ||
	    store_inbox_unread(app->store, a->user_id, &unread)) {
		log_error("inbox", "cannot list the inbox of user %lld",
		          (long long)a->user_id);
		http_resp_err(resp, ERR_INTERNAL, "cannot read the inbox");
		store_inbox_rows_free(rows);
		return;
	}
	arr = json_array();
	for (guint i = 0; i < rows->len; i++)
		json_array_append_new(arr, inbox_item_json(&g_array_index(
		                               rows, struct inbox_row, i)));
	http_resp_json(
	    resp, 200,
	    json_pack("{s:o,s:I,s:o}", "items", arr, "unread",
	              (json_int_t)unread, "next_cursor",
	              (int)rows->len == limit
	                  ? json_integer(g_array_index(rows, struct inbox_row,
	                                               rows->len - 1)
	                                     .id)
	                  : json_null()));
	http_resp_header(resp, "Cache-Control", "no-store");
	store_inbox_rows_free(rows);
}

static void post_read(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct inbox_row r = {0};
	int64_t id, unread = 0;
	int rc;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if (http_param_id(req, "id", &id) ||
	    (rc = store_inbox_read(app->store, a->user_id, id)) ==
	        ERR_NOT_FOUND) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such item");
		return;
	}
	if (rc || store_inbox_get(app->store, a->user_id, id, &r) ||
	    store_inbox_unread(app->store, a->user_id, &unread)) {
		http_resp_err(resp, ERR_INTERNAL, "cannot mark it read");
		store_inbox_row_clear(&r);
		return;
	}
	inbox_publish_read(app->store, app->bus, a->user_id,
	                   json_pack("[I]", (json_int_t)id));
	http_resp_json(resp, 200,
	               json_pack("{s:o,s:I}", "item", inbox_item_json(&r),
	                         "unread", (json_int_t)unread));
	store_inbox_row_clear(&r);
}

static void post_read_all(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if (store_inbox_read_all(app->store, a->user_id)) {
		http_resp_err(resp, ERR_INTERNAL, "cannot mark them read");
		return;
	}
	inbox_publish_read(app->store, app->bus, a->user_id, NULL);
	http_resp_json(resp, 200, json_pack("{s:i}", "unread", 0));
}

static int admin_only(const struct actor *a)
{
	return a->user_id == 0     ? ERR_UNAUTHORIZED
	       : actor_is_admin(a) ? 0
	                           : ERR_FORBIDDEN;
}

static json_t *run_json(const struct reminder_status *s)
{
	return json_pack("{s:s,s:b,s:i,s:i,s:i,s:b}", "day", s->day, "running",
	                 s->running, "mourning", s->counts.mourning, "sent",
	                 s->counts.sent, "visits", s->counts.visits, "complete",
	                 !s->running && !s->counts.incomplete);
}

/* POST /api/reminders/run {"day"?}: an administrator starts the reminders
 * for a day now (after an outage; default tomorrow); 202, and GET tells
 * how it goes. Idempotent: nobody is reminded twice. */
static void post_reminders(void *appv, struct http_req *req,
                           struct http_resp *resp)
{
	static const char *const keys[] = {"day", NULL};
	struct app *app = appv;
	struct err_detail err = {0};
	char today[11], tomorrow[11];
	const char *day;
	json_t *j = NULL;
	int rc;

	if (access_deny(resp, admin_only(auth_actor(req))))
		return;
	visit_today(today);
	visit_date_add(today, 1, tomorrow);
	if ((rc = jsonx_parse_object(req->body_len ? req->body : "{}",
	                             req->body_len ? req->body_len : 2, &j,
	                             &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = jsonx_str(j, "day", false, 10, 10, tomorrow, &day, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if ((rc = reminder_run(app, day))) {
		http_resp_err(
		    resp,
		    rc == ERR_INVALID || rc == ERR_CONFLICT ? rc : ERR_INTERNAL,
		    "%s",
		    rc == ERR_INVALID    ? "day: a date YYYY-MM-DD"
		    : rc == ERR_CONFLICT ? "a run is going on"
		                         : "cannot list the reminders");
		goto out;
	}
	http_resp_json(resp, 202, run_json(reminder_last(app)));
out:
	json_decref(j);
}

/* GET /api/reminders/run: the run going on, or the last one. */
static void get_reminders(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	const struct reminder_status *s;

	if (access_deny(resp, admin_only(auth_actor(req))))
		return;
	if (!(s = reminder_last(app))) {
		http_resp_err(resp, ERR_NOT_FOUND, "no run yet");
		return;
	}
	http_resp_json(resp, 200, run_json(s));
	http_resp_header(resp, "Cache-Control", "no-store");
}

int api_inbox_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "GET", "/api/me/inbox", get_inbox, 0);
	rc |= router_add(r, "POST", "/api/me/inbox/{id}/read", post_read, 0);
	rc |= router_add(r, "POST", "/api/me/inbox/read-all", post_read_all, 0);
	rc |= router_add(r, "POST", "/api/reminders/run", post_reminders, 0);
	rc |= router_add(r, "GET", "/api/reminders/run", get_reminders, 0);
	return rc ? -1 : 0;
}
