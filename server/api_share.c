/* api_share.c — share cards and QR codes as PNG over HTTP.
 *
 * GET /api/memorials/{id}/card.png, /api/ceremonies/{id}/card.png and
 * /api/share/card.png (the site's own card) answer the 1200×630 PNG a link
 * preview shows; .../qr.png the page's QR code, for a phone's album. A card
 * is shown to whoever may view its memorial or watch its ceremony; the
 * pages' tags (api_page.c) name a memorial's card only when anyone may see
 * it. Cards are drawn on one worker thread (a card takes tens of
 * milliseconds, the main loop must not wait) with the answer deferred, and
 * kept in share.c's cache by object and content key, so a changed memorial
 * is drawn again and its old card dropped. Requests for a card being drawn
 * wait for that drawing.
 *
 * Must never draw a name or a portrait into a card a visitor may not see.
 * Called through the router; api_page.c uses the card builders.
 */
#include "access.h"
#include "api.h"
#include "api_ceremony.h"
#include "api_memorial.h"
#include "api_share.h"
#include "app.h"
#include "auth.h"
#include "ceremony.h"
#include "err.h"
#include "http.h"
#include "image.h"
#include "log.h"
#include "qr.h"
#include "share.h"
#include "store_ceremony.h"
#include "store_deceased.h"
#include "store_memorial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CARD_CACHE_MAX 512 /* cards kept in memory (~50 kB each) */

struct api_share {
	gint ref;     /* the app's, and one per card being drawn */
	bool stopped; /* the HTTP server is gone: answer nothing more */
	struct share_cache *cache;
	GThreadPool *pool;      /* one thread: draws cards */
	GHashTable *pending;    /* obj → struct card_job being drawn */
	GMainContext *main_ctx; /* where drawn cards are answered */
};

struct waiter {
	struct http_deferred *d;
	char cache[48];
};

struct card_job {
	struct api_share *sh;
	char obj[48];
	char key[65];
	struct share_card card;
	GArray *waiting; /* struct waiter */
	uint8_t *png;
	size_t len;
	int rc;
};

/* ---------- what a card shows ---------- */

static void dates_text(const struct deceased *d, char *out, size_t outlen)
{
	char b[11], e[11];

	snprintf(b, sizeof(b), "%s", d->birth_date);
	snprintf(e, sizeof(e), "%s", d->death_date);
	for (char *p = b; *p; p++)
		*p = *p == '-' ? '.' : *p;
	for (char *p = e; *p; p++)
		*p = *p == '-' ? '.' : *p;
	if (b[0])
		snprintf(out, outlen, "%s – %s", b, e);
	else
		snprintf(out, outlen, "– %s", e);
}

static void portrait_path(struct app *app, const char *hash,
                          struct share_card *card)
{
	char dir[1100];

	card->portrait[0] = card->portrait_id[0] = '\0';
	if (!hash || !*hash)
		return;
	snprintf(dir, sizeof(dir), "%s/images", app->cfg.data_dir);
	if (image_path(dir, hash, card->portrait, sizeof(card->portrait)))
		card->portrait[0] = '\0';
	else
		snprintf(card->portrait_id, sizeof(card->portrait_id), "%s",
		         hash);
}

int api_share_memorial_card(struct app *app, const struct memorial *m,
                            struct share_card *card)
{
	struct deceased *d = g_new(struct deceased, 1);
	int rc = store_deceased_get(app->store, m->deceased_id, d);

	memset(card, 0, sizeof(*card));
	if (rc == 0) {
		snprintf(card->name, sizeof(card->name), "%s", d->name);
		dates_text(d, card->dates, sizeof(card->dates));
		snprintf(card->title, sizeof(card->title), "%s", m->title);
		snprintf(card->line, sizeof(card->line), "%s", d->native_place);
		portrait_path(app, m->portrait_hash, card);
	}
	g_free(d);
	return rc ? ERR_NOT_FOUND : 0;
}

/* The Chinese or English name of a time zone's clock. */
static void tz_label(const char *tz, bool en, char *out, size_t outlen)
{
	const char *city = strrchr(tz, '/');

	if (!strcmp(tz, CEREMONY_TZ_DEFAULT) || !strcmp(tz, "Asia/Chongqing") ||
	    !strcmp(tz, "PRC")) {
		snprintf(out, outlen, "%s", en ? "Beijing time" : "北京时间");
		return;
	}
	snprintf(out, outlen, en ? "%s time" : "%s时间", city ? city + 1 : tz);
	for (char *p = out; *p; p++)
		*p = *p == '_' ? ' ' : *p;
}

void api_share_when(const struct ceremony *c, bool en, char *out, size_t outlen)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
	                                     "May", "Jun", "Jul", "Aug",
	                                     "Sep", "Oct", "Nov", "Dec"};
	const char *zone = c->time_zone[0] ? c->time_zone : CEREMONY_TZ_DEFAULT;
	GTimeZone *tz = g_time_zone_new_identifier(zone);
	GDateTime *utc = g_date_time_new_from_iso8601(c->scheduled_start, NULL);
	GDateTime *t = utc && tz ? g_date_time_to_timezone(utc, tz) : NULL;
	char label[96];

	out[0] = '\0';
	tz_label(zone, en, label, sizeof(label));
	if (t && en)
		snprintf(out, outlen, "%d %s %d, %02d:%02d (%s)",
		         g_date_time_get_day_of_month(t),
		         months[g_date_time_get_month(t) - 1],
		         g_date_time_get_year(t), g_date_time_get_hour(t),
		         g_date_time_get_minute(t), label);
	else if (t)
		snprintf(out, outlen, "%d年%d月%d日 %02d:%02d（%s）",
		         g_date_time_get_year(t), g_date_time_get_month(t),
		         g_date_time_get_day_of_month(t),
		         g_date_time_get_hour(t), g_date_time_get_minute(t),
		         label);
	if (t)
		g_date_time_unref(t);
	if (utc)
		g_date_time_unref(utc);
	if (tz)
		g_time_zone_unref(tz);
}

void api_share_ceremony_card(struct app *app, const struct ceremony *c, bool en,
                             struct share_card *card)
{
	struct memorial *m = g_new(struct memorial, 1);
	char when[160];

	memset(card, 0, sizeof(*card));
	if (c->memorial_id &&
	    store_memorial_get(app->store, c->memorial_id, m) == 0 &&
	    m->visibility != VIS_PRIVATE)
		api_share_memorial_card(app, m, card);
	snprintf(card->name, sizeof(card->name), "%s", c->deceased_name);
	snprintf(card->title, sizeof(card->title), "%s", c->title);
	api_share_when(c, en, when, sizeof(when));
	snprintf(card->line, sizeof(card->line), "%s%s",
	         en ? "Farewell · " : "告别仪式 · ", when);
	g_free(m);
}

/* ---------- drawing on the worker, answering on the main loop ---------- */

static void answer(struct http_resp *resp, const char *key, const char *cache,
                   GBytes *png)
{
	char etag[80];
	gsize len;
	const void *data = g_bytes_get_data(png, &len);

	snprintf(etag, sizeof(etag), "\"%s\"", key);
	http_resp_data(resp, 200, "image/png", data, len);
	http_resp_header(resp, "ETag", etag);
	http_resp_header(resp, "Cache-Control", cache);
}

static void share_unref(struct api_share *sh)
{
	if (!g_atomic_int_dec_and_test(&sh->ref))
		return;
	g_hash_table_destroy(sh->pending);
	share_cache_free(sh->cache);
	g_free(sh);
}

static void job_free(struct card_job *job)
{
	g_array_free(job->waiting, TRUE);
	g_free(job->png);
	g_free(job);
}

static gboolean job_done(gpointer ud)
{
	struct card_job *job = ud;
	struct api_share *sh = job->sh;
	GBytes *png = NULL;

	if (sh->stopped) { /* past the shutdown grace: the server is gone */
		job_free(job);
		share_unref(sh);
		return G_SOURCE_REMOVE;
	}
	if (job->rc == 0) {
		png = g_bytes_new_take(job->png, job->len);
		job->png = NULL;
		share_cache_put(sh->cache, job->obj, job->key, png);
	} else {
		log_error("share", "cannot draw the card of %s", job->obj);
	}
	for (guint i = 0; i < job->waiting->len; i++) {
		struct waiter *w =
		    &g_array_index(job->waiting, struct waiter, i);
		struct http_resp *r = http_deferred_resp(w->d);

		if (png)
			answer(r, job->key, w->cache, png);
		else
			http_resp_err(r, ERR_INTERNAL, "cannot draw the card");
		http_deferred_finish(w->d);
	}
	if (g_hash_table_lookup(sh->pending, job->obj) == job)
		g_hash_table_remove(sh->pending, job->obj);
	if (png)
		g_bytes_unref(png);
	job_free(job);
	share_unref(sh);
	return G_SOURCE_REMOVE;
}

static void draw_job(gpointer data, gpointer user)
{
	struct card_job *job = data;
	struct api_share *sh = user;

	job->rc = share_card_render(&job->card, &job->png, &job->len);
	g_main_context_invoke(sh->main_ctx, job_done, job);
}

/* Answer the card of obj: 304, from the cache, or once it is drawn. */
static void send_card(struct app *app, struct http_req *req,
                      struct http_resp *resp, const char *obj,
                      const struct share_card *card, bool private)
{
	struct api_share *sh = app->share;
	const char *inm = http_header(req, "if-none-match");
	const char *v = http_query(req, "v");
	struct waiter w = {0};
	struct card_job *job;
	char key[65], etag[80];
	GBytes *png;

	share_card_key(card, key);
	/* a URL naming this very card (?v=, as the pages' tags do) never
	 * changes; without it, ask again */
	snprintf(w.cache, sizeof(w.cache), "%s, %s",
	         private ? "private" : "public",
	         v && strlen(v) >= 16 && !strncmp(v, key, strlen(v))
	             ? "max-age=31536000, immutable"
	             : "no-cache");
	snprintf(etag, sizeof(etag), "\"%s\"", key);
	if (http_etag_match(inm, etag)) {
		resp->status = 304;
		http_resp_header(resp, "ETag", etag);
		http_resp_header(resp, "Cache-Control", w.cache);
		return;
	}
	if ((png = share_cache_get(sh->cache, obj, key))) {
		answer(resp, key, w.cache, png);
		g_bytes_unref(png);
		return;
	}
	job = g_hash_table_lookup(sh->pending, obj);
	if (!job || strcmp(job->key, key)) {
		job = g_new0(struct card_job, 1);
		job->sh = sh;
		snprintf(job->obj, sizeof(job->obj), "%s", obj);
		snprintf(job->key, sizeof(job->key), "%s", key);
		job->card = *card;
		job->waiting = g_array_new(FALSE, FALSE, sizeof(struct waiter));
		g_hash_table_replace(sh->pending, g_strdup(obj), job);
		g_atomic_int_inc(&sh->ref);
		g_thread_pool_push(sh->pool, job, NULL);
	}
	w.d = http_defer(req);
	g_array_append_val(job->waiting, w);
}

/* ---------- handlers ---------- */

static bool lang_en(struct http_req *req)
{
	const char *l = http_query(req, "lang");

	return l && !strcmp(l, "en");
}

static void get_memorial_card(void *appv, struct http_req *req,
                              struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	struct share_card *card = g_new(struct share_card, 1);
	struct access_obj obj;
	char name[48];

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_MEMORIAL_VIEW, &obj)))
		goto out;
	if (api_share_memorial_card(app, m, card)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such memorial");
		goto out;
	}
	snprintf(name, sizeof(name), "m:%lld", (long long)m->id);
	send_card(app, req, resp, name, card, m->visibility == VIS_PRIVATE);
out:
	g_free(card);
	g_free(m);
}

static void get_ceremony_card(void *appv, struct http_req *req,
                              struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony *c = g_new(struct ceremony, 1);
	struct share_card *card = g_new(struct share_card, 1);
	bool en = lang_en(req);
	char name[48];

	if (api_ceremony_load(app, req, resp, c) ||
	    access_deny(resp, api_ceremony_watch_check(app, req, c)))
		goto out;
	api_share_ceremony_card(app, c, en, card);
	snprintf(name, sizeof(name), "c:%lld:%s", (long long)c->id,
	         en ? "en" : "zh");
	send_card(app, req, resp, name, card, c->invite_only);
out:
	g_free(card);
	g_free(c);
}

static void get_site_card(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct share_card *card = g_new0(struct share_card, 1);
	bool en = lang_en(req);

	snprintf(card->title, sizeof(card->title), "%s",
	         en ? "Online memorials · farewells from afar"
	            : "在线纪念 · 远程告别");
	send_card(appv, req, resp, en ? "site:en" : "site:zh", card, false);
	g_free(card);
}

static void send_qr_png(struct app *app, struct http_req *req,
                        struct http_resp *resp, const char *path,
                        const char *file)
{
	char origin[300], url[700], disp[160];
	uint8_t *png = NULL;
	size_t len = 0;

	if (api_origin(app, req, origin, sizeof(origin))) {
		http_resp_err(resp, ERR_INVALID, "Host: missing or malformed");
		return;
	}
	snprintf(url, sizeof(url), "%s%s", origin, path);
	if (qr_png(url, 12, &png, &len)) {
		http_resp_err(resp, ERR_INTERNAL, "cannot draw the QR code");
		return;
	}
	http_resp_data(resp, 200, "image/png", png, len);
	http_resp_header(resp, "Cache-Control", "no-cache");
	snprintf(disp, sizeof(disp), "inline; filename=\"%s\"", file);
	http_resp_header(resp, "Content-Disposition", disp);
	g_free(png);
}

static void get_memorial_qr(void *appv, struct http_req *req,
                            struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;
	char path[96], file[96];

	if (api_memorial_find(app, req, resp, m, &obj) &&
	    !access_deny(
	        resp, access_check(auth_actor(req), ACT_MEMORIAL_VIEW, &obj))) {
		snprintf(path, sizeof(path), "/m/%s", m->slug);
		snprintf(file, sizeof(file), "sinian-%s.png", m->slug);
		send_qr_png(app, req, resp, path, file);
	}
	g_free(m);
}

static void get_ceremony_qr(void *appv, struct http_req *req,
                            struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony *c = g_new(struct ceremony, 1);
	const char *invite = http_query(req, "invite");
	char *path, file[64];

	if (api_ceremony_load(app, req, resp, c) ||
	    access_deny(resp, api_ceremony_watch_check(app, req, c)))
		goto out;
	/* an invite link's code carries its invite */
	if (c->invite_only && invite && *invite) {
		char *esc = g_uri_escape_string(invite, NULL, FALSE);

		path =
		    g_strdup_printf("/c/%lld?invite=%s", (long long)c->id, esc);
		g_free(esc);
	} else {
		path = g_strdup_printf("/c/%lld", (long long)c->id);
	}
	snprintf(file, sizeof(file), "sinian-ceremony-%lld.png",
	         (long long)c->id);
	send_qr_png(app, req, resp, path, file);
	g_free(path);
out:
	g_free(c);
}

int api_share_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "GET", "/api/memorials/{id}/card.png",
	                 get_memorial_card, 0);
	rc |= router_add(r, "GET", "/api/ceremonies/{id}/card.png",
	                 get_ceremony_card, ROUTE_OWN_AUTH);
	rc |= router_add(r, "GET", "/api/share/card.png", get_site_card, 0);
	rc |= router_add(r, "GET", "/api/memorials/{id}/qr.png",
	                 get_memorial_qr, 0);
	rc |= router_add(r, "GET", "/api/ceremonies/{id}/qr.png",
	                 get_ceremony_qr, ROUTE_OWN_AUTH);
	return rc ? -1 : 0;
}

int api_share_start(struct app *app)
{
	struct api_share *sh = g_new0(struct api_share, 1);

	sh->ref = 1;
	sh->cache = share_cache_new(CARD_CACHE_MAX);
	sh->pending =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	sh->main_ctx = g_main_loop_get_context(app->loop);
	sh->pool = g_thread_pool_new(draw_job, sh, 1, FALSE, NULL);
	app->share = sh;
	return sh->pool ? 0 : ERR_NOMEM;
}

void api_share_stop(struct app *app)
{
	struct api_share *sh = app->share;

	if (!sh)
		return;
	/* The HTTP server drained first, so every card asked for has been
	 * answered; one still drawing after the grace is dropped. */
	sh->stopped = true;
	if (sh->pool)
		g_thread_pool_free(sh->pool, FALSE, TRUE);
	app->share = NULL;
	share_unref(sh);
}
