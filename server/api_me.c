/* api_me.c — what the account page lists about the person: the memorials
 * they keep or are invited to, by name, with the messages waiting for
 * their review.
 *
 * Answers only about the caller, from the grants the request's actor was
 * loaded with (so a revoked grant is gone at the next request); calls the
 * store and renders JSON. Bookings, orders and followed memorials have
 * their own lists (api_visit.c, api_sweeping.c, api_calendar.c).
 */
#include "access.h"
#include "api.h"
#include "app.h"
#include "auth.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "memorial.h"
#include "store.h"
#include "store_deceased.h"
#include "store_memorial.h"
#include "store_tribute.h"
#include "store_mourning.h"

#include <stdio.h>
#include <string.h>

/* One memorial the actor holds a role on; NULL when it is gone. */
static json_t *held_json(struct app *app, const struct actor *a, int64_t mid,
                         struct memorial *m, struct deceased *d)
{
	struct store_follower f;
	bool admin = actor_has(a, ROLE_FAMILY_ADMIN, mid);
	int64_t pending = 0;
	char url[96];
	json_t *j;

	if (store_memorial_get(app->store, mid, m) ||
	    store_deceased_get(app->store, m->deceased_id, d))
		return NULL;
	if (admin && store_tribute_pending(app->store, mid, &pending))
		log_warn("me", "memorial %lld: cannot count pending messages",
		         (long long)mid);
	snprintf(url, sizeof(url), "/m/%s", m->slug);
	j = json_pack(
	    "{s:I,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)mid, "title",
	    m->title, "name", d->name, "url", url, "role",
	    admin ? "family_admin" : "memorial_guest", "following",
	    store_mourning_follow_get(app->store, mid, a->user_id, &f) == 0);
	if (j && admin)
		json_object_set_new(j, "pending_messages",
		                    json_integer(pending));
	return j;
}

static void get_my_memorials(void *appv, struct http_req *req,
                             struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct memorial *m = g_new(struct memorial, 1);
	struct deceased *d = g_new(struct deceased, 1);
	GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
	json_t *arr = json_array();

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED)) {
		json_decref(arr);
		goto out;
	}
	for (int i = 0; i < a->n_grants; i++) {
		const struct actor_grant *g = &a->grants[i];
		json_t *j;

		if ((g->role != ROLE_FAMILY_ADMIN &&
		     g->role != ROLE_MEMORIAL_GUEST) ||
		    g_hash_table_contains(seen, &g->scope_id))
			continue;
		g_hash_table_add(seen, (gpointer)&g->scope_id);
		if ((j = held_json(app, a, g->scope_id, m, d)))
			json_array_append_new(arr, j);
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "memorials", arr));
	http_resp_header(resp, "Cache-Control", "no-store");
out:
	g_hash_table_destroy(seen);
	g_free(d);
	g_free(m);
}

int api_me_routes(struct router *r)
{
	return router_add(r, "GET", "/api/me/memorials", get_my_memorials, 0)
	           ? -1
	           : 0;
}
