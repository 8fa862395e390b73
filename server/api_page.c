/* api_page.c — the page routes /m/{slug} and /c/{id} (with or without a
 * final slash), served with the title, description and share image of
 * what they show written into the HTML itself: link previews (WeChat,
 * Open Graph readers) run no JavaScript. Also the printable condolences
 * page /c/{id}/condolences.
 *
 * The tags are what an anonymous visitor may see: a private memorial, an
 * invite-only ceremony opened without a valid invite, or a page that does
 * not exist gets the site's own title and card, never a name or a
 * portrait. They are in Chinese, or in English when the first language
 * the client asks for is not Chinese. The page itself (web/memorial.html,
 * web/ceremony.html) holds a <title> and a <!--share--> mark where the
 * tags go; everything else is the static file as it is.
 */
#include "access.h"
#include "api.h"
#include "api_ceremony.h"
#include "api_memorial.h"
#include "api_share.h"
#include "app.h"
#include "ceremony.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "memorial.h"
#include "share.h"
#include "store.h"
#include "store_ceremony.h"
#include "store_deceased.h"
#include "store_memorial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESC_BIO_CHARS 80 /* of the biography in a description */
#define SHARE_MARK     "<!--share-->"

struct tags {
	bool en;
	char origin[300]; /* "" when the Host header is unusable */
	GString *title;   /* the page's <title> */
	GString *og_title;
	GString *desc;
	GString *image; /* absolute URL of the card */
	GString *url;   /* the page's own address */
};

static void tags_init(struct tags *t, struct app *app, struct http_req *req)
{
	const char *al = http_header(req, "accept-language");

	memset(t, 0, sizeof(*t));
	/* the first language asked for: Chinese unless it is something else */
	t->en = al && *al && g_ascii_strncasecmp(al, "zh", 2) != 0 &&
	        g_ascii_strncasecmp(al, "*", 1) != 0;
	if (api_origin(app, req, t->origin, sizeof(t->origin)))
		t->origin[0] = '\0';
	t->title = g_string_new(NULL);
	t->og_title = g_string_new(NULL);
	t->desc = g_string_new(NULL);
	t->image = g_string_new(NULL);
	t->url = g_string_new(NULL);
}

static void tags_clear(struct tags *t)
{
	g_string_free(t->title, TRUE);
	g_string_free(t->og_title, TRUE);
	g_string_free(t->desc, TRUE);
	g_string_free(t->image, TRUE);
	g_string_free(t->url, TRUE);
}

/* The site's own title and card, for what may not be shown. */
static void site_tags(struct tags *t, const char *what_zh, const char *what_en,
                      const char *desc_zh, const char *desc_en)
{
	g_string_printf(t->og_title, "%s", t->en ? what_en : what_zh);
	g_string_printf(t->title, "%s · %s", t->og_title->str,
	                t->en ? "sinian" : "思念");
	g_string_printf(t->desc, "%s", t->en ? desc_en : desc_zh);
	g_string_printf(t->image, "%s/api/share/card.png%s", t->origin,
	                t->en ? "?lang=en" : "");
}

/* Up to max characters of text on one line, "…" when cut. */
static void excerpt(const char *text, size_t max, GString *out)
{
	size_t n = 0;
	bool space = false;

	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_isspace(c)) {
			space = out->len > 0;
			continue;
		}
		if (n == max) {
			g_string_append(out, "…");
			return;
		}
		if (space)
			g_string_append_c(out, ' ');
		space = false;
		g_string_append_unichar(out, c);
		n++;
	}
}

static void memorial_tags(struct app *app, struct tags *t,
                          const struct memorial *m)
{
	struct share_card *card = g_new(struct share_card, 1);
	char key[65];

	if (api_share_memorial_card(app, m, card)) {
		g_free(card);
		site_tags(t, "纪念馆", "A memorial", "", "");
		return;
	}
	share_card_key(card, key);
	g_string_printf(t->og_title, "%s", m->title);
	g_string_printf(t->title, "%s · %s", m->title,
	                t->en ? "sinian" : "思念");
	g_string_printf(t->desc,
	                t->en ? "In memory of %s (%s). " : "纪念%s（%s）。",
	                card->name, card->dates);
	if (m->biography[0])
		excerpt(m->biography, DESC_BIO_CHARS, t->desc);
	else
		g_string_append(t->desc,
		                t->en ? "Lay a flower, light incense, leave a "
		                        "few words."
		                      : "献一束花，点一炷香，留下思念。");
	g_string_printf(t->image, "%s/api/memorials/%lld/card.png?v=%.16s",
	                t->origin, (long long)m->id, key);
	g_string_printf(t->url, "%s/m/%s", t->origin, m->slug);
	g_free(card);
}

static void ceremony_tags(struct app *app, struct tags *t,
                          const struct ceremony *c, const char *invite)
{
	struct share_card *card = g_new(struct share_card, 1);
	char key[65], when[160], *inv = NULL;

	api_share_ceremony_card(app, c, t->en, card);
	share_card_key(card, key);
	api_share_when(c, t->en, when, sizeof(when));
	g_string_printf(t->og_title, "%s", c->title);
	g_string_printf(t->title, "%s · %s", c->title,
	                t->en ? "sinian" : "思念");
	g_string_printf(t->desc,
	                t->en ? "Farewell to %s, %s. Watch it live on your "
	                        "phone; the recording follows."
	                      : "%s的告别仪式，%s。在手机上即可观看直播，"
	                        "结束后可看回放。",
	                c->deceased_name, when);
	if (invite && *invite)
		inv = g_uri_escape_string(invite, NULL, FALSE);
	g_string_printf(
	    t->image, "%s/api/ceremonies/%lld/card.png?v=%.16s%s%s%s",
	    t->origin, (long long)c->id, key, t->en ? "&lang=en" : "",
	    inv ? "&invite=" : "", inv ? inv : "");
	g_string_printf(t->url, "%s/c/%lld%s%s", t->origin, (long long)c->id,
	                inv ? "?invite=" : "", inv ? inv : "");
	g_free(inv);
	g_free(card);
}

static void meta(GString *h, const char *attr, const char *name,
                 const char *content)
{
	char *v = g_markup_escape_text(content, -1);

	g_string_append_printf(h, "<meta %s=\"%s\" content=\"%s\">\n  ", attr,
	                       name, v);
	g_free(v);
}

static GString *head_html(const struct tags *t)
{
	GString *h = g_string_new(NULL);
	char *title = g_markup_escape_text(t->title->str, -1);

	g_string_append_printf(h, "<title>%s</title>\n  ", title);
	meta(h, "name", "description", t->desc->str);
	meta(h, "property", "og:type", "website");
	meta(h, "property", "og:site_name", t->en ? "sinian" : "思念");
	meta(h, "property", "og:locale", t->en ? "en_US" : "zh_CN");
	meta(h, "property", "og:title", t->og_title->str);
	meta(h, "property", "og:description", t->desc->str);
	if (t->url->len)
		meta(h, "property", "og:url", t->url->str);
	meta(h, "property", "og:image", t->image->str);
	meta(h, "property", "og:image:type", "image/png");
	meta(h, "property", "og:image:width", G_STRINGIFY(SHARE_CARD_W));
	meta(h, "property", "og:image:height", G_STRINGIFY(SHARE_CARD_H));
	meta(h, "property", "og:image:alt", t->og_title->str);
	meta(h, "name", "twitter:card", "summary_large_image");
	/* what WeChat's link preview reads (schema.org microdata) */
	meta(h, "itemprop", "name", t->og_title->str);
	meta(h, "itemprop", "description", t->desc->str);
	meta(h, "itemprop", "image", t->image->str);
	g_string_truncate(h, h->len - 3); /* the last line's "\n  " */
	g_free(title);
	return h;
}

static void page_etag(const GString *body, char *out, size_t outlen)
{
	char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, body->str,
	                                          (gssize)body->len);

	snprintf(out, outlen, "\"%.32s\"", sum);
	g_free(sum);
}

/* The page file with its <title> and share mark replaced. */
static void send_page(struct app *app, struct http_req *req,
                      struct http_resp *resp, const char *file,
                      const struct tags *t, int status)
{
	char *path = g_build_filename(app->web_dir, file, NULL);
	char *html = NULL, *t0, *t1, *mark, etag[48];
	const char *inm = http_header(req, "if-none-match");
	GString *out = NULL, *head;
	gsize len;

	if (!g_file_get_contents(path, &html, &len, NULL) ||
	    !(t0 = strstr(html, "<title")) || !(t1 = strstr(t0, "</title>")) ||
	    !(mark = strstr(t1, SHARE_MARK))) {
		log_error("page", "%s: missing, or without <title> and %s",
		          path, SHARE_MARK);
		http_resp_err(resp, ERR_INTERNAL, "the page cannot be shown");
		goto out;
	}
	head = head_html(t);
	out = g_string_new_len(html, t0 - html);
	g_string_append_len(out, head->str, (gssize)head->len);
	g_string_append(out, mark + strlen(SHARE_MARK));
	g_string_free(head, TRUE);
	page_etag(out, etag, sizeof(etag));
	http_resp_header(resp, "Cache-Control", "no-cache");
	http_resp_header(resp, "Vary", "Accept-Language");
	http_resp_header(resp, "ETag", etag);
	if (status == 200 && http_etag_match(inm, etag)) {
		resp->status = 304;
		goto out;
	}
	http_resp_data(resp, status, "text/html; charset=utf-8", out->str,
	               out->len);
out:
	if (out)
		g_string_free(out, TRUE);
	g_free(html);
	g_free(path);
}

static void page_memorial(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	const char *slug = http_param(req, "slug");
	struct actor anon = {0};
	struct access_obj obj;
	struct tags t;
	bool found;
	int rc = slug && memorial_slug_valid(slug)
	             ? store_memorial_by_slug(app->store, slug, m)
	             : ERR_NOT_FOUND;

	tags_init(&t, app, req);
	if (rc == 0)
		rc = memorial_access_obj(app->store, m, &obj);
	found = rc == 0;
	if (rc && rc != ERR_NOT_FOUND)
		store_ok(rc, "reading a memorial for its page");
	if (found && access_check(&anon, ACT_MEMORIAL_VIEW, &obj) == 0)
		memorial_tags(app, &t, m);
	else if (found)
		site_tags(&t, "私密纪念馆", "A private memorial",
		          "这座纪念馆只对受邀的亲友开放，请登录后查看。",
		          "This memorial is open to invited family and "
		          "friends: sign in to see it.");
	else
		site_tags(&t, "纪念馆", "A memorial",
		          "思念：在线纪念馆与远程告别。",
		          "sinian: online memorials and farewells from afar.");
	send_page(app, req, resp, "memorial.html", &t,
	          found ? 200 : err_http_status(rc));
	tags_clear(&t);
	g_free(m);
}

/* May anyone holding this link (and its invite, if any) watch? */
static bool anyone_may_watch(struct app *app, const struct ceremony *c,
                             const char *invite)
{
	char hash[CRYPTO_HASH_CHARS];
	struct actor anon = {0};
	struct access_obj obj;

	api_ceremony_obj(c, &obj);
	if (c->invite_only && invite && *invite) {
		crypto_sha256_hex(invite, hash);
		obj.invite_ok =
		    store_ceremony_invite_check(app->store, c->id, hash) == 0;
	}
	return access_check(&anon, ACT_CEREMONY_WATCH, &obj) == 0;
}

static void page_player(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	struct ceremony *c = g_new(struct ceremony, 1);
	const char *invite = http_query(req, "invite");
	struct tags t;
	int64_t id;
	bool found;

	tags_init(&t, app, req);
	found = http_param_id(req, "id", &id) == 0 &&
	        store_ceremony_get(app->store, id, c) == 0;
	if (found && anyone_may_watch(app, c, invite))
		ceremony_tags(app, &t, c, invite);
	else
		site_tags(&t, "告别仪式", "A farewell ceremony",
		          "仅受邀的亲友可以观看这场告别仪式。",
		          "Only invited family and friends can watch this "
		          "farewell.");
	send_page(app, req, resp, "ceremony.html", &t, found ? 200 : 404);
	tags_clear(&t);
	g_free(c);
}

static void page_condolences(void *appv, struct http_req *req,
                             struct http_resp *resp)
{
	http_resp_web(resp, req, "/condolences.html");
}

int api_page_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "GET", "/m/{slug}", page_memorial, 0);
	rc |= router_add(r, "GET", "/m/{slug}/", page_memorial, 0);
	rc |= router_add(r, "GET", "/c/{id}", page_player, 0);
	rc |= router_add(r, "GET", "/c/{id}/", page_player, 0);
	rc |= router_add(r, "GET", "/c/{id}/condolences", page_condolences, 0);
	return rc ? -1 : 0;
}
