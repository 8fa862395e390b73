/* api_calendar.c — the mourning calendar over HTTP: a memorial's dates
 * (today's, the next one, the rites of the first years, the coming year),
 * its Gregorian-or-lunar setting, the ICS feed and its secret links, the
 * ceremony's "Add to calendar", and following a memorial.
 *
 * Parses and validates input, checks rights through access.c on every use
 * (a feed link is worth what its owner's right to view is worth at the
 * time of the fetch), calls mourning.c and ics.c, renders JSON and
 * iCalendar. Names of dates come from mourning.c in the language asked
 * (?lang=en, else Chinese), so the pages hold no list of their own.
 */
#include "access.h"
#include "api.h"
#include "api_ceremony.h"
#include "api_memorial.h"
#include "app.h"
#include "auth.h"
#include "ceremony.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "ics.h"
#include "jsonx.h"
#include "log.h"
#include "mourning.h"
#include "store.h"
#include "store_ceremony.h"
#include "store_deceased.h"
#include "store_memorial.h"
#include "store_mourning.h"
#include "store_org.h"
#include "visit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UPCOMING_DAYS  365
#define FEED_PAST_DAYS 30
#define FEED_DAYS      (2 * 366)

static const char *lang_of(struct http_req *req)
{
	const char *l = http_query(req, "lang");

	return l && strcmp(l, "en") == 0 ? "en" : "zh-CN";
}

/* The calendar facts of a memorial's deceased. */
static int person_of(struct app *app, const struct memorial *m,
                     struct mourning_person *p, char *name, size_t namelen)
{
	struct deceased *d = g_new(struct deceased, 1);
	int rc = store_deceased_get(app->store, m->deceased_id, d);

	memset(p, 0, sizeof(*p));
	if (rc == 0)
		rc = store_mourning_calendar_get(app->store, m->id, &p->lunar);
	if (rc == 0) {
		snprintf(p->death_date, sizeof(p->death_date), "%s",
		         d->death_date);
		snprintf(p->birth_date, sizeof(p->birth_date), "%s",
		         d->birth_date);
		if (name)
			snprintf(name, namelen, "%s", d->name);
	}
	g_free(d);
	return rc;
}

static json_t *date_json(const struct mourning_date *d, const char *lang,
                         const char *today)
{
	char title[160], lunar[64];
	bool ok;
	int days = mourning_days_between(today, d->date, &ok);
	json_t *j;

	mourning_title(d, lang, title, sizeof(title));
	mourning_lunar_label(d, lang, lunar, sizeof(lunar));
	j = json_pack("{s:s,s:s,s:i,s:s,s:i,s:s}", "date", d->date, "kind",
	              mourning_kind_name(d->kind), "n", d->n, "title", title,
	              "days", days, "status",
	              days < 0    ? "past"
	              : days == 0 ? "today"
	                          : "coming");
	if (j && d->by_lunar)
		json_object_set_new(j, "lunar",
		                    json_pack("{s:i,s:i,s:b,s:s}", "month",
		                              d->lunar_month, "day",
		                              d->lunar_day, "leap",
		                              d->lunar_leap, "label", lunar));
	return j;
}

static json_t *dates_json(const GArray *a, const char *lang, const char *today)
{
	json_t *arr = json_array();

	for (guint i = 0; i < a->len; i++)
		json_array_append_new(
		    arr, date_json(&g_array_index(a, struct mourning_date, i),
		                   lang, today));
	return arr;
}

/* The feed's address for everyone: public memorials only. */
static json_t *public_feed_json(struct app *app, struct http_req *req,
                                const struct memorial *m)
{
	char origin[300], path[96];

	if (m->visibility != VIS_PUBLIC ||
	    api_origin(app, req, origin, sizeof(origin)))
		return json_null();
	snprintf(path, sizeof(path), "/api/memorials/%lld/calendar.ics",
	         (long long)m->id);
	return json_pack("{s:s+,s:s++}", "ics", origin, path, "webcal",
	                 "webcal://", strstr(origin, "://") + 3, path);
}

/* Who follows, and whether the caller does (null when signed out), into
 * *j; a store error leaves *j NULL (the answer is a 500). */
static void follow_facts(struct app *app, const struct actor *a, int64_t mid,
                         json_t **j)
{
	struct store_follower f;
	int64_t n = 0;
	int rc = a->user_id ? store_mourning_follow_get(app->store, mid,
	                                                a->user_id, &f)
	                    : ERR_NOT_FOUND;

	if (!store_ok(store_mourning_follow_count(app->store, mid, &n),
	              "counting a memorial's followers") ||
	    !store_ok(rc == ERR_NOT_FOUND ? 0 : rc,
	              "reading whether someone follows")) {
		json_decref(*j);
		*j = NULL;
		return;
	}
	jsonx_put(j, "followers", json_integer(n));
	jsonx_put(j, "following",
	          a->user_id ? json_boolean(rc == 0) : json_null());
}

static json_t *calendar_json(struct app *app, struct http_req *req,
                             const struct memorial *m,
                             const struct access_obj *obj,
                             const struct mourning_person *p)
{
	const char *lang = lang_of(req);
	const struct actor *a = auth_actor(req);
	GArray *rites = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));
	GArray *up = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));
	struct mourning_date next;
	char today[11], to[11];
	int days = 0;
	json_t *j;

	visit_today(today);
	visit_date_add(today, UPCOMING_DAYS, to);
	mourning_rites(app->mourning, p, rites);
	mourning_dates(app->mourning, p, today, to, up);
	j = json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:b}", "memorial_id",
	              (json_int_t)m->id, "anniversaries",
	              p->lunar ? "lunar" : "gregorian", "today", today,
	              "death_date", p->death_date, "rites",
	              dates_json(rites, lang, today), "upcoming",
	              dates_json(up, lang, today), "can_edit",
	              access_check(a, ACT_MEMORIAL_EDIT, obj) == 0);
	json_object_set_new(
	    j, "next",
	    mourning_next(app->mourning, p, today, &next, &days) == 0
	        ? date_json(&next, lang, today)
	        : json_null());
	json_object_set_new(j, "feed", public_feed_json(app, req, m));
	follow_facts(app, a, m->id, &j);
	g_array_free(rites, TRUE);
	g_array_free(up, TRUE);
	return j;
}

/* A body holding one key whose value is one of choices: *out is its
 * index. An empty body, or no key, gives 0 unless required. 0, or
 * ERR_INVALID with the 400 filled in. */
static int one_choice(struct http_req *req, struct http_resp *resp,
                      const char *key, const char *const *choices,
                      bool required, int *out)
{
	const char *const keys[] = {key, NULL};
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc = 0;

	*out = 0;
	if ((req->body_len || required) &&
	    ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	     (rc = jsonx_only(j, keys, &err)) ||
	     (rc = jsonx_enum(j, key, required, choices, 0, out, &err))))
		http_resp_fail(resp, rc, &err);
	json_decref(j);
	return rc;
}

/* The memorial of the path with the right to view it; false when the
 * answer (404, 401, 403, 500) is filled in. */
static bool viewable(struct app *app, struct http_req *req,
                     struct http_resp *resp, struct memorial *m,
                     struct access_obj *obj)
{
	return api_memorial_find(app, req, resp, m, obj) &&
	       !access_deny(
	           resp, access_check(auth_actor(req), ACT_MEMORIAL_VIEW, obj));
}

static void send_calendar(struct app *app, struct http_req *req,
                          struct http_resp *resp, const struct memorial *m,
                          const struct access_obj *obj)
{
	struct mourning_person p;
	int rc = person_of(app, m, &p, NULL, 0);

	if (rc) {
		log_error("calendar",
		          "memorial %lld: cannot read its record "
		          "(%d)",
		          (long long)m->id, rc);
		http_resp_err(resp, ERR_INTERNAL, "cannot read the record");
		return;
	}
	http_resp_json(resp, 200, calendar_json(app, req, m, obj, &p));
	http_resp_header(resp, "Cache-Control", "private, no-cache");
}

static void get_calendar(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;

	if (viewable(app, req, resp, m, &obj))
		send_calendar(app, req, resp, m, &obj);
	g_free(m);
}

static void put_calendar(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	static const char *const modes[] = {"gregorian", "lunar", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;
	int mode, rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp, access_check(a, ACT_MEMORIAL_EDIT, &obj)) ||
	    one_choice(req, resp, "anniversaries", modes, true, &mode))
		goto out;
	if ((rc = store_mourning_calendar_set(app->store, m->id, mode == 1,
	                                      a->user_id))) {
		log_error("calendar",
		          "memorial %lld: cannot store the setting "
		          "(%d)",
		          (long long)m->id, rc);
		http_resp_err(resp, ERR_INTERNAL, "cannot store the setting");
		goto out;
	}
	send_calendar(app, req, resp, m, &obj);
out:
	g_free(m);
}

/* ---------- the ICS feed ---------- */

/* Rites of the first years, then the dates around today; none twice. */
static void feed_dates(struct app *app, const struct mourning_person *p,
                       GArray *out)
{
	GArray *win = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));
	char today[11], from[11], to[11];
	guint rites;

	visit_today(today);
	visit_date_add(today, -FEED_PAST_DAYS, from);
	visit_date_add(today, FEED_DAYS, to);
	mourning_rites(app->mourning, p, out);
	rites = out->len;
	mourning_dates(app->mourning, p, from, to, win);
	for (guint i = 0; i < win->len; i++) {
		struct mourning_date *w =
		    &g_array_index(win, struct mourning_date, i);
		bool dup = false;

		for (guint k = 0; k < rites && !dup; k++) {
			struct mourning_date *r =
			    &g_array_index(out, struct mourning_date, k);

			dup = r->kind == w->kind && r->n == w->n &&
			      strcmp(r->date, w->date) == 0;
		}
		if (!dup)
			g_array_append_val(out, *w);
	}
	g_array_free(win, TRUE);
}

static void send_ics(struct http_resp *resp, char *text, size_t len,
                     const char *name, bool shared_cache)
{
	char disp[128];

	if (!text) {
		log_error("calendar", "cannot build %s", name);
		http_resp_err(resp, ERR_INTERNAL, "cannot build the calendar");
		return;
	}
	http_resp_data(resp, 200, "text/calendar; charset=utf-8", text, len);
	snprintf(disp, sizeof(disp), "inline; filename=\"%s\"", name);
	http_resp_header(resp, "Content-Disposition", disp);
	http_resp_header(resp, "Cache-Control",
	                 shared_cache ? "public, max-age=3600"
	                              : "private, no-cache");
	free(text);
}

/* The actor a feed request speaks for: the owner of ?token= (who must
 * still be allowed to view that memorial), else the request's own. With a
 * token, *mid is the memorial the link was made for. */
static int feed_actor(struct app *app, struct http_req *req, int64_t *mid,
                      struct actor *out)
{
	const char *token = http_query(req, "token");
	char hash[CRYPTO_HASH_CHARS];
	int64_t uid = 0;
	int rc;

	*mid = 0;
	if (!token || !*token) {
		*out = *auth_actor(req);
		return 0;
	}
	if (strlen(token) > 100)
		return ERR_NOT_FOUND;
	crypto_sha256_hex(token, hash);
	if ((rc = store_mourning_feed_lookup(app->store, hash, mid, &uid)))
		return rc;
	return auth_load_actor(app, uid, out);
}

static void get_feed(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	struct actor *a = g_new0(struct actor, 1);
	GArray *dates = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));
	struct mourning_person p;
	struct access_obj obj;
	char name[DECEASED_NAME_MAX * 4 + 1], origin[300], url[400], file[64];
	struct ics_feed f;
	size_t len = 0;
	int64_t link_mid;
	int rc;

	/* the memorial is looked for as the link's owner: a private one
	 * exists only for those who may view it */
	rc = feed_actor(app, req, &link_mid, a);
	if (!rc)
		rc = api_memorial_ref(app, a, http_param(req, "id"), m, &obj);
	if (!rc && link_mid && link_mid != m->id)
		rc = ERR_NOT_FOUND;
	if (rc) {
		http_resp_lookup(resp, rc,
		                 http_query(req, "token")
		                     ? "no such calendar link"
		                     : "no such memorial");
		goto out;
	}
	if (access_deny(resp, access_check(a, ACT_MEMORIAL_VIEW, &obj)))
		goto out;
	if (person_of(app, m, &p, name, sizeof(name)) ||
	    api_origin(app, req, origin, sizeof(origin))) {
		http_resp_err(resp, ERR_INTERNAL, "cannot read the record");
		goto out;
	}
	feed_dates(app, &p, dates);
	snprintf(url, sizeof(url), "%s/m/%s", origin, m->slug);
	f = (struct ics_feed){strstr(origin, "://") + 3, name, url,
	                      lang_of(req), m->id};
	snprintf(file, sizeof(file), "memorial-%lld.ics", (long long)m->id);
	{
		char *text = ics_memorial(&f, dates, &len);

		send_ics(resp, text, len, file,
		         m->visibility == VIS_PUBLIC &&
		             !http_query(req, "token"));
	}
out:
	g_array_free(dates, TRUE);
	g_free(a);
	g_free(m);
}

/* A secret feed link for the caller (replacing any older one). */
static void post_feed(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;
	char token[CRYPTO_TOKEN_CHARS], hash[CRYPTO_HASH_CHARS];
	char origin[300], path[256];

	if (!viewable(app, req, resp, m, &obj) ||
	    access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		goto out;
	if (api_origin(app, req, origin, sizeof(origin))) {
		http_resp_err(resp, ERR_INVALID, "Host: missing or malformed");
		goto out;
	}
	crypto_token(token);
	crypto_sha256_hex(token, hash);
	if (store_mourning_feed_set(app->store, m->id, a->user_id, hash)) {
		log_error("calendar", "cannot store a feed link");
		http_resp_err(resp, ERR_INTERNAL, "cannot store the link");
		goto out;
	}
	snprintf(path, sizeof(path),
	         "/api/memorials/%lld/calendar.ics?token=%s", (long long)m->id,
	         token);
	http_resp_json(resp, 201,
	               json_pack("{s:s+,s:s++}", "ics", origin, path, "webcal",
	                         "webcal://", strstr(origin, "://") + 3, path));
	http_resp_header(resp, "Cache-Control", "no-store");
out:
	g_free(m);
}

/* ---------- a ceremony in the calendar ---------- */

static void get_ceremony_ics(void *appv, struct http_req *req,
                             struct http_resp *resp)
{
	struct app *app = appv;
	const char *invite = http_query(req, "invite");
	struct ceremony *c = g_new(struct ceremony, 1);
	char origin[300], uid[48], file[64];
	char *url = NULL, *desc = NULL;
	struct ics_event e;
	struct org agency = {0};
	size_t len = 0;

	if (api_ceremony_load(app, req, resp, c) ||
	    api_watch_deny(resp, api_ceremony_watch_check(app, req, c)))
		goto out;
	if (api_origin(app, req, origin, sizeof(origin))) {
		http_resp_err(resp, ERR_INVALID, "Host: missing or malformed");
		goto out;
	}
	if (!store_ok(
	        store_org_get(app->store, ORG_AGENCY, c->agency_id, &agency),
	        "reading a ceremony's agency")) {
		http_resp_err(resp, ERR_DB,
		              "cannot read the ceremony's agency");
		goto out;
	}
	/* an invitee's calendar keeps the invitation in the link */
	url = g_strdup_printf("%s/c/%lld%s%s", origin, (long long)c->id,
	                      c->invite_only && invite ? "?invite=" : "",
	                      c->invite_only && invite ? invite : "");
	snprintf(uid, sizeof(uid), "ceremony-%lld", (long long)c->id);
	desc = g_strdup_printf("%s · %s", c->deceased_name, agency.name);
	e = (struct ics_event){strstr(origin, "://") + 3,
	                       uid,
	                       c->title,
	                       desc,
	                       agency.name,
	                       url,
	                       c->scheduled_start,
	                       c->scheduled_end};
	snprintf(file, sizeof(file), "ceremony-%lld.ics", (long long)c->id);
	{
		char *text = ics_event(&e, &len);

		send_ics(resp, text, len, file, !c->invite_only);
	}
out:
	g_free(url);
	g_free(desc);
	g_free(c);
}

/* ---------- following ---------- */

static void follow_answer(struct app *app, struct http_req *req,
                          struct http_resp *resp, int64_t mid)
{
	json_t *j = json_object();

	follow_facts(app, auth_actor(req), mid, &j);
	http_resp_json(resp, 200, j);
	http_resp_header(resp, "Cache-Control", "no-store");
}

static void put_follow(void *appv, struct http_req *req, struct http_resp *resp)
{
	static const char *const langs[] = {"zh-CN", "en", NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;
	int lang, rc;

	if (!viewable(app, req, resp, m, &obj) ||
	    access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED) ||
	    one_choice(req, resp, "lang", langs, false, &lang))
		goto out;
	if ((rc = store_mourning_follow_add(app->store, m->id, a->user_id,
	                                    langs[lang]))) {
		log_error("calendar", "cannot store a follower (%d)", rc);
		http_resp_err(resp, ERR_INTERNAL, "cannot follow");
		goto out;
	}
	follow_answer(app, req, resp, m->id);
out:
	g_free(m);
}

/* Unfollowing needs no right to view: one may always stop. */
static void delete_follow(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		goto out;
	if (store_mourning_follow_remove(app->store, m->id, a->user_id)) {
		http_resp_err(resp, ERR_INTERNAL, "cannot unfollow");
		goto out;
	}
	follow_answer(app, req, resp, m->id);
out:
	g_free(m);
}

/* The memorials the caller follows and may still view, each with its
 * next date. */
static void get_following(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	struct memorial *m = g_new(struct memorial, 1);
	json_t *arr = json_array();
	char today[11], url[96];

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		goto out;
	visit_today(today);
	if (store_mourning_following(app->store, a->user_id, ids)) {
		http_resp_err(resp, ERR_INTERNAL, "cannot list");
		goto out;
	}
	for (guint i = 0; i < ids->len; i++) {
		struct mourning_person p;
		struct mourning_date next;
		struct access_obj obj;
		int days;

		if (store_memorial_get(app->store,
		                       g_array_index(ids, int64_t, i), m) ||
		    memorial_access_obj(app->store, m, &obj) ||
		    access_check(a, ACT_MEMORIAL_VIEW, &obj) ||
		    person_of(app, m, &p, NULL, 0))
			continue;
		snprintf(url, sizeof(url), "/m/%s", m->slug);
		json_array_append_new(
		    arr, json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)m->id,
		                   "title", m->title, "url", url, "next",
		                   mourning_next(app->mourning, &p, today,
		                                 &next, &days) == 0
		                       ? date_json(&next, lang_of(req), today)
		                       : json_null()));
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "memorials", arr));
	http_resp_header(resp, "Cache-Control", "no-store");
out:
	g_free(m);
	g_array_free(ids, TRUE);
}

int api_calendar_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "GET", "/api/memorials/{id}/calendar", get_calendar,
	                 0);
	rc |= router_add(r, "PUT", "/api/memorials/{id}/calendar", put_calendar,
	                 0);
	rc |= router_add(r, "GET", "/api/memorials/{id}/calendar.ics", get_feed,
	                 0);
	rc |= router_add(r, "POST", "/api/memorials/{id}/calendar/feed",
	                 post_feed, 0);
	rc |= router_add(r, "GET", "/api/ceremonies/{id}/calendar.ics",
	                 get_ceremony_ics, ROUTE_OWN_AUTH);
	rc |= router_add(r, "PUT", "/api/memorials/{id}/follow", put_follow, 0);
	rc |= router_add(r, "DELETE", "/api/memorials/{id}/follow",
	                 delete_follow, 0);
	rc |= router_add(r, "GET", "/api/me/following", get_following, 0);
	return rc ? -1 : 0;
}
