/* api_memorial.c — memorial pages over HTTP: creation, the one response a
 * memorial page needs, editing, family rights, search, the plaque QR code,
 * the /search page route, and who may follow a memorial live.
 *
 * Parses and validates input, checks rights through access.c, calls
 * memorial.c / search.c, renders JSON. Never returns raw personal data of
 * the deceased: no ID number, no record notes. Also registers the route
 * tables of the other memorial API files (api_memorial.h).
 */
#include "access.h"
#include "api.h"
#include "api_memorial.h"
#include "app.h"
#include "auth.h"
#include "bus.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "memorial_demo.h"
#include "pagecache.h"
#include "qr.h"
#include "rights.h"
#include "search.h"
#include "store.h"
#include "store_deceased.h"
#include "store_plot.h"
#include "store_memorial.h"
#include "store_photo.h"
#include "store_tribute.h"
#include "store_org.h"
#include "store_search.h"
#include "store_user.h"
#include "tribute.h"
#include "wshub.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MESSAGES 20 /* latest messages in the page response */

/* Does ref name a memorial by its number (all digits), not by its slug? */
static bool ref_is_number(const char *ref)
{
	return ref && *ref && ref[strspn(ref, "0123456789")] == '\0';
}

/* By number, an unlisted or private memorial is only for those with a
 * right of their own on it: to everyone else it does not exist. */
static bool hidden_by_number(const struct actor *a,
                             const struct access_obj *obj)
{
	struct access_obj hidden = *obj;

	if (obj->visibility == VIS_PUBLIC)
		return false;
	hidden.visibility = VIS_PRIVATE;
	return access_check(a, ACT_MEMORIAL_VIEW, &hidden) != 0;
}

int api_memorial_ref(struct app *app, const struct actor *a, const char *ref,
                     struct memorial *m, struct access_obj *obj)
{
	char *end;
	long long id;
	int rc;

	if (!ref || !*ref)
		return ERR_NOT_FOUND;
	if (!ref_is_number(ref)) {
		if (!memorial_slug_valid(ref))
			return ERR_NOT_FOUND;
		rc = store_memorial_by_slug(app->store, ref, m);
		return rc ? rc : memorial_access_obj(app->store, m, obj);
	}
	id = strtoll(ref, &end, 10);
	if (id <= 0)
		return ERR_NOT_FOUND;
	if ((rc = store_memorial_get(app->store, id, m)) ||
	    (rc = memorial_access_obj(app->store, m, obj)))
		return rc;
	return hidden_by_number(a, obj) ? ERR_NOT_FOUND : 0;
}

bool api_memorial_find(struct app *app, struct http_req *req,
                       struct http_resp *resp, struct memorial *m,
                       struct access_obj *obj)
{
	int rc = api_memorial_ref(app, auth_actor(req), http_param(req, "id"),
	                          m, obj);

	if (rc) {
		http_resp_lookup(resp, rc, "no such memorial");
		return false;
	}
	return true;
}

/* What the page cache keeps of m besides its access facts. */
static void facts_of(const struct memorial *m, struct pagecache_facts *f)
{
	f->hold = m->hold;
	snprintf(f->slug, sizeof(f->slug), "%s", m->slug);
	snprintf(f->title, sizeof(f->title), "%s", m->title);
}

bool api_memorial_facts(struct app *app, struct http_req *req,
                        struct http_resp *resp, struct pagecache_facts *f)
{
	const struct actor *a = auth_actor(req);
	const char *ref = http_param(req, "id");
	struct memorial *m;
	int64_t id = 0;
	int rc;

	if (ref_is_number(ref)) {
		if (strlen(ref) <= 18)
			id = g_ascii_strtoll(ref, NULL, 10);
		rc = id > 0 ? pagecache_facts(app->pagecache, id, f)
		            : ERR_NOT_FOUND;
		if (rc == 0 && hidden_by_number(a, &f->obj))
			rc = ERR_NOT_FOUND;
	} else if (ref && (id = pagecache_slug_id(app->pagecache, ref))) {
		rc = pagecache_facts(app->pagecache, id, f);
	} else {
		m = g_new(struct memorial, 1);
		rc = api_memorial_ref(app, a, ref, m, &f->obj);
		if (rc == 0)
			facts_of(m, f);
		g_free(m);
	}
	if (rc) {
		http_resp_lookup(resp, rc, "no such memorial");
		return false;
	}
	return true;
}

json_t *api_image_url(const char *hash)
{
	char url[128];

	if (!hash || !*hash)
		return json_null();
	snprintf(url, sizeof(url), "/api/images/%s", hash);
	return json_string(url);
}

int api_origin(struct app *app, struct http_req *req, char *out, size_t outlen)
{
	return auth_site_origin(app, http_header(req, "host"),
	                        http_header(req, "x-forwarded-proto"), out,
	                        outlen);
}

void api_qr_send(struct http_resp *resp, const char *text)
{
	size_t len = 0;
	char *svg = qr_svg(text, 8, &len);

	if (!svg) {
		http_resp_err(resp, ERR_INTERNAL, "cannot draw the QR code");
		return;
	}
	http_resp_data(resp, 200, "image/svg+xml", svg, len);
	http_resp_header(resp, "Cache-Control", "no-cache");
	free(svg);
}

static json_t *memorial_json(const struct memorial *m)
{
	char url[96];

	snprintf(url, sizeof(url), "/m/%s", m->slug);
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:I,s:s,s:s}", "id",
	                 (json_int_t)m->id, "slug", m->slug, "url", url,
	                 "title", m->title, "biography", m->biography,
	                 "visibility", memorial_visibility_name(m->visibility),
	                 "moderation", m->hold ? "hold" : "publish",
	                 "portrait_url", api_image_url(m->portrait_hash),
	                 "deceased_id", (json_int_t)m->deceased_id,
	                 "created_at", m->created_at, "updated_at",
	                 m->updated_at);
}

/* Public facts of the deceased: no ID number, no notes. */
static json_t *deceased_summary(struct app *app, const struct deceased *d)
{
	GArray *evs = g_array_new(FALSE, FALSE, sizeof(struct deceased_event));
	json_t *tl = store_ok(store_deceased_event_list(app->store, d->id, evs),
	                      "listing a deceased's events")
	                 ? json_array()
	                 : NULL;

	for (guint i = 0; tl && i < evs->len; i++) {
		struct deceased_event *e =
		    &g_array_index(evs, struct deceased_event, i);

		jsonx_push(&tl, json_pack("{s:s,s:s,s:s}", "kind",
		                          deceased_event_kind_name(e->kind),
		                          "at", e->at, "place", e->place));
	}
	g_array_free(evs, TRUE);
	return json_pack("{s:s,s:s,s:o,s:s,s:s,s:o}", "name", d->name, "gender",
	                 deceased_gender_name(d->gender), "birth_date",
	                 d->birth_date[0] ? json_string(d->birth_date)
	                                  : json_null(),
	                 "death_date", d->death_date, "native_place",
	                 d->native_place, "timeline", tl);
}

/* Cemetery, plot and a map link; null when not linked to a plot, NULL
 * when the store cannot say (the page fails rather than hide the grave). */
static json_t *burial_json(struct app *app, const struct deceased *d)
{
	struct plot p;
	struct org c;
	json_t *j;
	char map[256];
	bool geo;
	double lat, lng;
	int rc = d->plot_id ? store_plot_get(app->store, d->plot_id, &p)
	                    : ERR_NOT_FOUND;

	if (rc == 0)
		rc = store_org_get(app->store, ORG_CEMETERY, p.cemetery_id, &c);
	if (rc == ERR_NOT_FOUND)
		return json_null();
	if (!store_ok(rc, "reading a memorial's resting place"))
		return NULL;
	geo = p.has_geo || c.has_geo;
	lat = p.has_geo ? p.lat : c.lat;
	lng = p.has_geo ? p.lng : c.lng;
	j = json_pack("{s:{s:I,s:s,s:s},s:{s:I,s:s,s:s,s:s,s:s}}", "cemetery",
	              "id", (json_int_t)c.id, "name", c.name, "address",
	              c.address, "plot", "id", (json_int_t)p.id, "section",
	              p.section, "row", p.row, "number", p.number, "kind",
	              plot_kind_name(p.kind));
	if (geo)
		api_map_url(lat, lng, map, sizeof(map));
	jsonx_put(&j, "lat", geo ? json_real(lat) : json_null());
	jsonx_put(&j, "lng", geo ? json_real(lng) : json_null());
	jsonx_put(&j, "map_url", geo ? json_string(map) : json_null());
	return j;
}

static json_t *tributes_json(struct app *app, int64_t mid, int kind)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct tribute));
	json_t *arr =
	    store_ok(store_tribute_list(app->store, mid, TRIB_PUBLISHED, kind,
	                                0, PAGE_MESSAGES, out),
	             "listing a memorial's latest tributes")
	        ? json_array()
	        : NULL;

	for (guint i = 0; arr && i < out->len; i++)
		jsonx_push(
		    &arr, tribute_json(&g_array_index(out, struct tribute, i)));
	g_array_free(out, TRUE);
	return arr;
}

static json_t *photos_json(struct app *app, int64_t mid)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct memorial_photo));
	json_t *arr = store_ok(store_photo_list(app->store, mid, out),
	                       "listing a memorial's photos")
	                  ? json_array()
	                  : NULL;

	for (guint i = 0; arr && i < out->len; i++) {
		struct memorial_photo *p =
		    &g_array_index(out, struct memorial_photo, i);

		jsonx_push(&arr,
		           json_pack("{s:I,s:s,s:o,s:s,s:s,s:i}", "id",
		                     (json_int_t)p->id, "hash", p->hash, "url",
		                     api_image_url(p->hash), "mime", p->mime,
		                     "caption", p->caption, "position",
		                     p->position));
	}
	g_array_free(out, TRUE);
	return arr;
}

/* The "viewer" member for an anonymous visitor, as viewer_json() makes
 * it: no rights beyond viewing. */
#define ANON_VIEWER                                                            \
	"{\"signed_in\":false,\"can_edit\":false,\"can_moderate\":false,"      \
	"\"can_grant\":false}"

/* What only those who edit see: the family's other names, and the upload
 * limit (photos larger are made smaller before they are sent). */
static void editor_json(struct app *app, int64_t memorial_id, json_t **j)
{
	char alias[TEXT_BUF(MEMORIAL_ALIAS_MAX)] = "";

	if (store_search_alias_get(app->store, memorial_id, alias,
	                           sizeof(alias)) == 0)
		jsonx_put(j, "search_alias", json_string(alias));
	jsonx_put(j, "max_upload_bytes",
	          json_integer(app->cfg.max_upload_bytes));
}

static json_t *viewer_json(struct app *app, const struct actor *a,
                           int64_t memorial_id, const struct access_obj *obj)
{
	bool mod = access_check(a, ACT_MEMORIAL_MODERATE, obj) == 0;
	json_t *j = json_pack(
	    "{s:b,s:b,s:b,s:b}", "signed_in", a->user_id != 0, "can_edit",
	    access_check(a, ACT_MEMORIAL_EDIT, obj) == 0, "can_moderate", mod,
	    "can_grant", access_check(a, ACT_FAMILY_GRANT, obj) == 0);
	int64_t pending = 0;

	if (mod)
		jsonx_put(&j, "pending_messages",
		          store_ok(store_tribute_pending(app->store,
		                                         memorial_id, &pending),
		                   "counting messages waiting")
		              ? json_integer(pending)
		              : NULL);
	if (access_check(a, ACT_MEMORIAL_EDIT, obj) == 0)
		editor_json(app, memorial_id, &j);
	return j;
}

/* Append the members of j, without its braces, to out. */
static int members(json_t *j, GString *out)
{
	size_t len = 0;
	char *s = j ? jsonx_dump(j, &len) : NULL;

	json_decref(j);
	if (!s || len < 2) {
		free(s);
		return ERR_NOMEM;
	}
	g_string_append_len(out, s + 1, (gssize)len - 2);
	free(s);
	return 0;
}

/* The memorial's own part of its page (the pagecache renderer). */
static int page_head(void *appv, int64_t id, struct pagecache_facts *f,
                     GString *out)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	struct deceased d;
	json_t *j, *photos;
	int rc;

	if ((rc = store_memorial_get(app->store, id, m)) ||
	    (rc = memorial_access_obj(app->store, m, &f->obj)))
		goto out;
	facts_of(m, f);
	j = json_pack("{s:o}", "memorial", memorial_json(m));
	rc = store_deceased_get(app->store, m->deceased_id, &d);
	if (rc == 0) {
		jsonx_put(&j, "deceased", deceased_summary(app, &d));
		jsonx_put(&j, "burial", burial_json(app, &d));
	} else if (!store_ok(rc == ERR_NOT_FOUND ? 0 : rc,
	                     "reading a memorial's deceased")) {
		json_decref(j);
		goto out;
	}
	if (!(photos = photos_json(app, m->id))) {
		json_decref(j);
		rc = ERR_DB; /* the reason is logged */
		goto out;
	}
	jsonx_put(&j, "photos", photos);
	rc = members(j, out);
out:
	g_free(m);
	return rc;
}

/* The facts alone (the pagecache renderer): what a tribute needs. */
static int page_facts(void *appv, int64_t id, struct pagecache_facts *f)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	int rc;

	if ((rc = store_memorial_get(app->store, id, m)) == 0 &&
	    (rc = memorial_access_obj(app->store, m, &f->obj)) == 0)
		facts_of(m, f);
	g_free(m);
	return rc;
}

/* Counts, latest messages and tributes: what a tribute changes. */
static int page_live(void *appv, int64_t id, GString *out)
{
	struct app *app = appv;
	struct tribute_counts c = {0};
	json_t *messages, *recent;
	int rc = tribute_counts_get(app->store, id, &c);

	if (rc)
		return rc;
	messages = tributes_json(app, id, TRIB_MESSAGE);
	recent = messages ? tributes_json(app, id, -1) : NULL;
	if (!recent) {
		json_decref(messages);
		return ERR_DB; /* the reason is logged */
	}
	return members(json_pack("{s:o,s:o,s:o}", "counts",
	                         tribute_counts_json(&c), "messages", messages,
	                         "recent", recent),
	               out);
}

/* The page of a signed-in visitor: the shared members, then their own
 * rights. NULL when out of memory. */
static GString *own_page(struct app *app, const struct actor *a,
                         const struct pagecache_page *p)
{
	json_t *v = viewer_json(app, a, p->id, &p->f.obj);
	size_t len = 0;
	char *vs = v ? jsonx_dump(v, &len) : NULL;
	GString *b = NULL;

	if (vs) {
		b = g_string_sized_new(p->shared_len + len + 16);
		g_string_append_len(b, g_bytes_get_data(p->body, NULL),
		                    (gssize)p->shared_len);
		g_string_append(b, ",\"viewer\":");
		g_string_append_len(b, vs, (gssize)len);
		g_string_append_c(b, '}');
	}
	free(vs);
	json_decref(v);
	return b;
}

/* Everything a memorial page shows, in one object: the page kept ready
 * (pagecache.h) and, for a signed-in visitor, their own rights. Shared
 * caches may keep a public page for an anonymous visitor page_max_age
 * seconds; anything else only the visitor's own browser, revalidated. */
static void send_page(struct app *app, struct http_req *req,
                      struct http_resp *resp, int64_t id, bool by_number)
{
	const struct actor *a = auth_actor(req);
	struct pagecache_page *p = NULL;
	char etag[48], cc[64];
	GString *own = NULL;
	int rc = pagecache_get(app->pagecache, id, &p);

	if (rc) {
		http_resp_err(resp, rc,
		              rc == ERR_NOT_FOUND ? "no such memorial"
		                                  : "cannot read the memorial");
		return;
	}
	if (by_number && hidden_by_number(a, &p->f.obj)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such memorial");
		goto out;
	}
	if (access_deny(resp, access_check(a, ACT_MEMORIAL_VIEW, &p->f.obj)))
		goto out;
	if (a->user_id && !(own = own_page(app, a, p))) {
		http_resp_err(resp, ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(etag, sizeof(etag), "\"%016llx-%08x\"",
	         (unsigned long long)p->hash,
	         own ? (unsigned)pagecache_hash(0, own->str + p->shared_len,
	                                        own->len - p->shared_len)
	             : 0u);
	snprintf(cc, sizeof(cc), "public, max-age=%ld", app->cfg.page_max_age);
	http_resp_tagged(resp, req, "application/json; charset=utf-8",
	                 own ? own->str : g_bytes_get_data(p->body, NULL),
	                 own ? own->len : g_bytes_get_size(p->body), etag,
	                 !a->user_id && p->f.obj.visibility == VIS_PUBLIC
	                     ? cc
	                     : "private, no-cache");
out:
	if (own)
		g_string_free(own, TRUE);
	pagecache_page_unref(p);
}

/* The page of the memorial named by ref: its number, or its slug (see
 * api_memorial_ref). A slug is looked up in the kept pages first. */
static void send_ref(struct app *app, struct http_req *req,
                     struct http_resp *resp, const char *ref)
{
	struct memorial *m;
	int64_t id = 0;
	int rc = 0;

	if (ref_is_number(ref)) {
		if (strlen(ref) <= 18)
			id = g_ascii_strtoll(ref, NULL, 10);
		if (id > 0)
			send_page(app, req, resp, id, true);
		else
			http_resp_err(resp, ERR_NOT_FOUND, "no such memorial");
		return;
	}
	if (!ref || !memorial_slug_valid(ref)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such memorial");
		return;
	}
	id = pagecache_slug_id(app->pagecache, ref);
	if (!id) {
		m = g_new(struct memorial, 1);
		rc = store_memorial_by_slug(app->store, ref, m);
		id = rc ? 0 : m->id;
		g_free(m);
	}
	if (id)
		send_page(app, req, resp, id, false);
	else if (rc && rc != ERR_NOT_FOUND)
		http_resp_err(resp, rc, "cannot read the memorial");
	else
		http_resp_err(resp, ERR_NOT_FOUND, "no such memorial");
}

static void get_memorial(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	send_ref(appv, req, resp, http_param(req, "id"));
}

static void get_by_slug(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	const char *slug = http_param(req, "slug");

	/* by-slug takes slugs only, never a number */
	if (ref_is_number(slug))
		slug = NULL;
	send_ref(appv, req, resp, slug);
}

void api_memorial_changed(struct app *app, int64_t id)
{
	static const char ev[] = "{\"type\":\"memorial_changed\"}";
	char topic[48];

	/* at once here; other nodes when the bus reaches them */
	pagecache_drop(app->pagecache, id, true);
	if (id)
		snprintf(topic, sizeof(topic), "memorial:%lld", (long long)id);
	else
		snprintf(topic, sizeof(topic), "%s", PAGECACHE_ALL_TOPIC);
	if (bus_publish(app->bus, topic, ev, sizeof(ev) - 1))
		log_warn("memorial", "cannot publish on %s", topic);
}

void api_deceased_changed(struct app *app, int64_t deceased_id)
{
	int64_t mid = 0;

	if (store_deceased_memorial(app->store, deceased_id, &mid) == 0 && mid)
		api_memorial_changed(app, mid);
}

static const char *const vis_choices[] = {"public", "unlisted", "private",
                                          NULL};
static const char *const mod_choices[] = {"publish", "hold", NULL};

/* Editable fields from j over m (create: title required). */
static int memorial_fields(json_t *j, struct memorial *m, bool create,
                           struct err_detail *e)
{
	const char *slug, *title, *bio, *alias;
	int vis, mod, rc;

	if ((rc = jsonx_str(j, "slug", false, MEMORIAL_SLUG_MIN,
	                    MEMORIAL_SLUG_MAX, m->slug, &slug, e)) ||
	    (rc = jsonx_text(j, TEXT_MEMORIAL_TITLE, create, m->title, &title,
	                     e)) ||
	    (rc = jsonx_text(j, TEXT_MEMORIAL_BIO, false, m->biography, &bio,
	                     e)) ||
	    (rc = jsonx_enum(j, "visibility", false, vis_choices,
	                     (int)m->visibility, &vis, e)) ||
	    (rc = jsonx_enum(j, "moderation", false, mod_choices, m->hold, &mod,
	                     e)) ||
	    (rc = jsonx_text(j, TEXT_MEMORIAL_ALIAS, false, NULL, &alias, e)))
		return rc;
	/* the slug's rules: memorial_create, memorial_settle_slug */
	if (slug != m->slug)
		snprintf(m->slug, sizeof(m->slug), "%s", slug);
	if (title != m->title)
		snprintf(m->title, sizeof(m->title), "%s", title);
	if (bio != m->biography)
		snprintf(m->biography, sizeof(m->biography), "%s", bio);
	m->visibility = (enum obj_visibility)vis;
	m->hold = mod == 1;
	return 0;
}

/* The inline deceased of a family-created memorial. */
static int inline_fields(json_t *j, struct deceased *d, struct err_detail *e)
{
	static const char *const keys[] = {
	    "name", "gender", "birth_date", "death_date", "native_place", NULL};
	struct err_detail inner = {0};
	int rc;

	if (!json_is_object(j))
		return err_fail(e, ERR_INVALID, NULL,
		                "deceased: must be an object");
	if ((rc = jsonx_only(j, keys, &inner)) ||
	    (rc = api_person_fields(j, d, &inner)))
		return err_fail(e, rc, NULL, "deceased.%s", inner.msg);
	return 0;
}

/* Parse a create body; *inline_d is set when a deceased object is given. */
static int create_fields(json_t *j, struct memorial *m, struct deceased *d,
                         bool *has_inline, struct err_detail *e)
{
	static const char *const keys[] = {
	    "slug",       "title",        "biography",
	    "visibility", "moderation",   "deceased_id",
	    "deceased",   "search_alias", NULL};
	json_t *dj = json_object_get(j, "deceased");
	int rc;

	if ((rc = jsonx_only(j, keys, e)) ||
	    (rc = memorial_fields(j, m, true, e)) ||
	    (rc = jsonx_int(j, "deceased_id", false, 1, INT64_MAX, 0,
	                    &m->deceased_id, e)))
		return rc;
	*has_inline = dj && !json_is_null(dj);
	if (*has_inline == (m->deceased_id != 0)) {
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "give deceased_id (an existing record) or deceased "
		    "{name, death_date, ...}, one of them");
	}
	return *has_inline ? inline_fields(dj, d, e) : 0;
}

/* The search keys after a create or an edit: the family's other names
 * when given, and the pinyin again when the title may have changed. */
static int search_keys_write(struct app *app, json_t *j, int64_t id,
                             bool title_changed, struct err_detail *e)
{
	const char *alias = NULL;
	int rc;

	if ((rc = jsonx_text(j, TEXT_MEMORIAL_ALIAS, false, NULL, &alias, e)))
		return rc;
	if (alias && (rc = store_search_alias_set(app->store, id, alias)))
		return rc;
	if (title_changed && (rc = store_search_set_latin(app->store, id, "")))
		return rc;
	return search_latin_refresh(app->store, 4) < 0 ? ERR_DB : 0;
}

/* Answer with memorial m as stored now (a write has just changed it). */
static void send_memorial(struct app *app, struct http_resp *resp, int status,
                          struct memorial *m)
{
	if (store_ok(store_memorial_get(app->store, m->id, m),
	             "reading a memorial back"))
		http_resp_json(
		    resp, status,
		    json_pack("{s:o}", "memorial", memorial_json(m)));
	else
		http_resp_err(resp, ERR_DB, "cannot read the memorial back");
}

static void post_memorial(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct memorial *m = g_new0(struct memorial, 1);
	struct deceased d = {0}, rec;
	struct access_obj obj;
	bool has_inline = false;
	struct err_detail err = {0};
	json_t *j = NULL;
	int rc;

	m->hold = true;
	if (access_deny(resp, access_check(a, ACT_MEMORIAL_CREATE, NULL)))
		goto out;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = create_fields(j, m, &d, &has_inline, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if (!has_inline) {
		if ((rc = memorial_deceased_readable(
		         app->store, a, m->deceased_id, &rec, &obj))) {
			http_resp_lookup(
			    resp, rc, "deceased_id: no such deceased record");
			goto out;
		}
		/* Linking a registered record needs the right to edit it. */
		if (access_deny(resp, access_check(a, ACT_DECEASED_EDIT, &obj)))
			goto out;
	}
	if ((rc = memorial_create(app->store, app->crypto, m,
	                          has_inline ? &d : NULL, a->user_id, &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		goto out;
	}
	if ((rc = search_keys_write(app, j, m->id, true, &err))) {
		log_error("memorial", "memorial %lld: search keys: %s",
		          (long long)m->id, err_name(rc));
		http_resp_err(resp, rc, "cannot write the search keys");
		goto out;
	}
	send_memorial(app, resp, 201, m);
out:
	json_decref(j);
	g_free(m);
}

static void patch_memorial(void *appv, struct http_req *req,
                           struct http_resp *resp)
{
	static const char *const keys[] = {
	    "slug",       "title",        "biography", "visibility",
	    "moderation", "search_alias", NULL};
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	struct err_detail err = {0};
	char old_slug[MEMORIAL_SLUG_MAX + 1];
	enum obj_visibility old_vis;
	struct access_obj obj;
	json_t *j = NULL;
	int rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_MEMORIAL_EDIT, &obj)))
		goto out;
	snprintf(old_slug, sizeof(old_slug), "%s", m->slug);
	old_vis = m->visibility;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_only(j, keys, &err)) ||
	    (rc = memorial_fields(j, m, false, &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	if ((rc = memorial_settle_slug(app->store, m, old_slug, old_vis,
	                               &err))) {
		http_resp_err(resp, rc, "%s", err.msg);
		goto out;
	}
	if ((rc = store_memorial_update(app->store, m)) ||
	    (rc = search_keys_write(
	         app, j, m->id, json_object_get(j, "title") != NULL, &err))) {
		http_resp_err(resp, rc, "cannot update the memorial");
		goto out;
	}
	if (m->visibility != old_vis)
		rights_changed(app, RIGHTS_MEMORIAL, m->id);
	api_memorial_changed(app, m->id);
	send_memorial(app, resp, 200, m);
out:
	json_decref(j);
	g_free(m);
}

static json_t *hit_json(const struct memorial_hit *h)
{
	char url[96];

	snprintf(url, sizeof(url), "/m/%s", h->slug);
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:s,s:o}", "id",
	                 (json_int_t)h->id, "slug", h->slug, "url", url,
	                 "title", h->title, "name", h->name, "birth_date",
	                 h->birth_date[0] ? json_string(h->birth_date)
	                                  : json_null(),
	                 "death_date", h->death_date, "portrait_url",
	                 api_image_url(h->portrait_hash));
}

/* GET /api/memorials?q=&cursor=&limit= — public memorials only. */
static void list_memorials(void *appv, struct http_req *req,
                           struct http_resp *resp)
{
	struct app *app = appv;
	const char *cur = http_query(req, "cursor"),
	           *lim = http_query(req, "limit");
	struct search_query *q = g_new(struct search_query, 1);
	int64_t before = cur && *cur ? atoll(cur) : 0;
	int limit = lim && *lim ? atoi(lim) : 20;
	GArray *out;
	json_t *arr;

	if (search_build(http_query(req, "q"), q) || before < 0 || limit < 1 ||
	    limit > 100) {
		http_resp_err(resp, ERR_INVALID,
		              "q: at most %d characters and %d words; limit 1 "
		              "to 100; cursor >= 0",
		              SEARCH_Q_MAX, SEARCH_WORDS_MAX);
		g_free(q);
		return;
	}
	out = g_array_new(FALSE, FALSE, sizeof(struct memorial_hit));
	search_memorials(app->store, q, before, limit, out);
	arr = json_array();
	for (guint i = 0; i < out->len; i++)
		jsonx_push(&arr, hit_json(&g_array_index(
		                     out, struct memorial_hit, i)));
	http_resp_json(resp, 200,
	               jsonx_page("memorials", arr, out, limit,
	                          offsetof(struct memorial_hit, id)));
	g_array_free(out, TRUE);
	g_free(q);
}

static void get_qr(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	char origin[300], url[400];
	struct access_obj obj;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_MEMORIAL_VIEW, &obj)))
		goto out;
	if (api_origin(app, req, origin, sizeof(origin))) {
		http_resp_err(resp, ERR_INVALID, "Host: missing or malformed");
		goto out;
	}
	snprintf(url, sizeof(url), "%s/m/%s", origin, m->slug);
	api_qr_send(resp, url);
out:
	g_free(m);
}

static void page_search(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	http_resp_web(resp, req, "/search.html");
}

/* Who may follow memorial:{id} over /ws: whoever may view it. */
static int topic_check(void *appv, struct http_ws *ws, const char *topic)
{
	struct app *app = appv;
	struct memorial *m;
	struct access_obj obj;
	struct actor a;
	char bus_topic[48];
	int rc;

	if (strncmp(topic, "memorial:", 9) != 0)
		return ERR_FORBIDDEN;
	m = g_new(struct memorial, 1);
	auth_ws_actor(app, ws, &a);
	/* "memorial:{id}" or "memorial:{slug}", as in the API's paths */
	rc = api_memorial_ref(app, &a, topic + 9, m, &obj);
	if (rc == 0)
		rc = access_check(&a, ACT_MEMORIAL_VIEW, &obj);
	if (rc == 0) {
		snprintf(bus_topic, sizeof(bus_topic), "memorial:%lld",
		         (long long)m->id);
		wshub_set_bus_topic(ws, bus_topic);
	}
	g_free(m);
	return rc;
}

int api_memorial_start(struct app *app, struct err_detail *e)
{
	const struct pagecache_render r = {app, page_head, page_live,
	                                   ANON_VIEWER, page_facts};
	int rc = wshub_register(app, "memorial", topic_check);

	app->pagecache =
	    pagecache_new(app->bus, (size_t)app->cfg.page_cache_mb << 20, &r);

	if (rc) {
		return err_fail(e, rc, NULL, "cannot register memorial topics");
	}
	if (app->cfg.demo && (rc = memorial_demo_ensure(app, e)))
		return rc;
	/* pinyin keys of memorials made before them, or by the CLI */
	while ((rc = search_latin_refresh(app->store, 500)) == 500)
		;
	if (rc < 0) {
		return err_fail(e, rc, NULL, "cannot write the search keys");
	}
	return 0;
}

int api_memorial_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/memorials", post_memorial, 0);
	rc |= router_add(r, "GET", "/api/memorials", list_memorials, 0);
	rc |= router_add(r, "GET", "/api/memorials/{id}", get_memorial, 0);
	rc |= router_add(r, "GET", "/api/memorials/by-slug/{slug}", get_by_slug,
	                 0);
	rc |= router_add(r, "PATCH", "/api/memorials/{id}", patch_memorial, 0);
	rc |= router_add(r, "GET", "/api/memorials/{id}/qr.svg", get_qr, 0);
	rc |= router_add(r, "GET", "/search", page_search, 0);
	return rc ? -1 : 0;
}
