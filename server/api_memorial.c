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
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "memorial_demo.h"
#include "qr.h"
#include "search.h"
#include "store.h"
#include "store_deceased.h"
#include "store_memorial.h"
#include "store_org.h"
#include "store_search.h"
#include "store_user.h"
#include "tribute.h"
#include "wshub.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MESSAGES 20 /* latest messages in the page response */

bool api_memorial_find(struct app *app, struct http_req *req,
                       struct http_resp *resp, struct memorial *m,
                       struct access_obj *obj)
{
	int64_t id;

	if (http_param_id(req, "id", &id) ||
	    store_memorial_get(app->store, id, m) ||
	    memorial_access_obj(app->store, m, obj)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such memorial");
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
	const char *host = http_header(req, "host");
	const char *proto = http_header(req, "x-forwarded-proto");
	bool https =
	    app->cfg.cookie_secure || (proto && strcmp(proto, "https") == 0);

	if (!host || !*host || strlen(host) > 255)
		return ERR_INVALID;
	for (const char *p = host; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-:[]", *p))
			return ERR_INVALID;
	snprintf(out, outlen, "%s://%s", https ? "https" : "http", host);
	return 0;
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
	json_t *tl = json_array();

	store_event_list(app->store, d->id, evs);
	for (guint i = 0; i < evs->len; i++) {
		struct deceased_event *e =
		    &g_array_index(evs, struct deceased_event, i);

		json_array_append_new(
		    tl, json_pack("{s:s,s:s,s:s}", "kind",
		                  deceased_event_kind_name(e->kind), "at",
		                  e->at, "place", e->place));
	}
	g_array_free(evs, TRUE);
	return json_pack("{s:s,s:s,s:o,s:s,s:s,s:o}", "name", d->name, "gender",
	                 deceased_gender_name(d->gender), "birth_date",
	                 d->birth_date[0] ? json_string(d->birth_date)
	                                  : json_null(),
	                 "death_date", d->death_date, "native_place",
	                 d->native_place, "timeline", tl);
}

/* Cemetery, plot and a map link; null when not linked to a plot. */
static json_t *burial_json(struct app *app, const struct deceased *d)
{
	struct plot p;
	struct org c;
	json_t *j;
	char map[256];
	bool geo;
	double lat, lng;

	if (!d->plot_id || store_plot_get(app->store, d->plot_id, &p) ||
	    store_org_get(app->store, ORG_CEMETERY, p.cemetery_id, &c))
		return json_null();
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
	json_object_set_new(j, "lat", geo ? json_real(lat) : json_null());
	json_object_set_new(j, "lng", geo ? json_real(lng) : json_null());
	json_object_set_new(j, "map_url", geo ? json_string(map) : json_null());
	return j;
}

static json_t *tributes_json(struct app *app, int64_t mid, int kind)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct tribute));
	json_t *arr = json_array();

	store_tribute_list(app->store, mid, TRIB_PUBLISHED, kind, 0,
	                   PAGE_MESSAGES, out);
	for (guint i = 0; i < out->len; i++)
		json_array_append_new(
		    arr, tribute_json(&g_array_index(out, struct tribute, i)));
	g_array_free(out, TRUE);
	return arr;
}

static json_t *photos_json(struct app *app, int64_t mid)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct memorial_photo));
	json_t *arr = json_array();

	store_photo_list(app->store, mid, out);
	for (guint i = 0; i < out->len; i++) {
		struct memorial_photo *p =
		    &g_array_index(out, struct memorial_photo, i);

		json_array_append_new(
		    arr,
		    json_pack("{s:I,s:s,s:o,s:s,s:s,s:i}", "id",
		              (json_int_t)p->id, "hash", p->hash, "url",
		              api_image_url(p->hash), "mime", p->mime,
		              "caption", p->caption, "position", p->position));
	}
	g_array_free(out, TRUE);
	return arr;
}

static json_t *viewer_json(struct app *app, const struct actor *a,
                           const struct memorial *m,
                           const struct access_obj *obj)
{
	bool mod = access_check(a, ACT_MEMORIAL_MODERATE, obj) == 0;
	json_t *j = json_pack(
	    "{s:b,s:b,s:b,s:b}", "signed_in", a->user_id != 0, "can_edit",
	    access_check(a, ACT_MEMORIAL_EDIT, obj) == 0, "can_moderate", mod,
	    "can_grant", access_check(a, ACT_FAMILY_GRANT, obj) == 0);
	int64_t pending = 0;

	if (mod) {
		store_tribute_pending(app->store, m->id, &pending);
		json_object_set_new(j, "pending_messages",
		                    json_integer(pending));
	}
	return j;
}

/* The family's other names and the upload limit, for those who edit. */
static void alias_json(struct app *app, const struct actor *a,
                       const struct access_obj *obj, json_t *mj)
{
	char alias[SEARCH_ALIAS_MAX * 4 + 1] = "";

	if (access_check(a, ACT_MEMORIAL_EDIT, obj) != 0)
		return;
	if (store_search_alias_get(app->store, obj->id, alias, sizeof(alias)) ==
	    0)
		json_object_set_new(mj, "search_alias", json_string(alias));
	/* photos larger than this are made smaller before they are sent */
	json_object_set_new(mj, "max_upload_bytes",
	                    json_integer(app->cfg.max_upload_bytes));
}

/* Everything a memorial page shows, in one object. */
static json_t *page_json(struct app *app, const struct actor *a,
                         const struct memorial *m, const struct access_obj *obj)
{
	struct tribute_counts c = {0};
	struct deceased d;
	json_t *j = json_pack("{s:o}", "memorial", memorial_json(m));

	alias_json(app, a, obj, json_object_get(j, "memorial"));
	if (store_deceased_get(app->store, m->deceased_id, &d) == 0) {
		json_object_set_new(j, "deceased", deceased_summary(app, &d));
		json_object_set_new(j, "burial", burial_json(app, &d));
	}
	tribute_counts_get(app->store, m->id, &c);
	json_object_set_new(j, "counts", tribute_counts_json(&c));
	json_object_set_new(j, "messages",
	                    tributes_json(app, m->id, TRIB_MESSAGE));
	json_object_set_new(j, "recent", tributes_json(app, m->id, -1));
	json_object_set_new(j, "photos", photos_json(app, m->id));
	json_object_set_new(j, "viewer", viewer_json(app, a, m, obj));
	return j;
}

static void send_page(struct app *app, struct http_req *req,
                      struct http_resp *resp, const struct memorial *m,
                      const struct access_obj *obj)
{
	const struct actor *a = auth_actor(req);

	if (access_deny(resp, access_check(a, ACT_MEMORIAL_VIEW, obj)))
		return;
	http_resp_json(resp, 200, page_json(app, a, m, obj));
	http_resp_header(resp, "Cache-Control", "no-store");
}

static void get_memorial(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj;
	struct memorial *m = g_new(struct memorial, 1);

	if (api_memorial_find(app, req, resp, m, &obj))
		send_page(app, req, resp, m, &obj);
	g_free(m);
}

static void get_by_slug(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	struct access_obj obj;
	struct memorial *m = g_new(struct memorial, 1);
	const char *slug = http_param(req, "slug");

	if (!slug || !memorial_slug_valid(slug) ||
	    store_memorial_by_slug(app->store, slug, m) ||
	    memorial_access_obj(app->store, m, &obj))
		http_resp_err(resp, ERR_NOT_FOUND, "no such memorial");
	else
		send_page(app, req, resp, m, &obj);
	g_free(m);
}

static const char *const vis_choices[] = {"public", "unlisted", "private",
                                          NULL};
static const char *const mod_choices[] = {"publish", "hold", NULL};

/* Editable fields from j over m (create: title required). */
static int memorial_fields(json_t *j, struct memorial *m, bool create,
                           char *err, size_t errlen)
{
	const char *slug, *title, *bio, *alias;
	int vis, mod, rc;

	if ((rc = jsonx_str(j, "slug", false, MEMORIAL_SLUG_MIN,
	                    MEMORIAL_SLUG_MAX, m->slug, &slug, err, errlen)) ||
	    (rc = jsonx_str(j, "title", create, 1, MEMORIAL_TITLE_MAX, m->title,
	                    &title, err, errlen)) ||
	    (rc = jsonx_str(j, "biography", false, 0, MEMORIAL_BIO_MAX,
	                    m->biography, &bio, err, errlen)) ||
	    (rc = jsonx_enum(j, "visibility", false, vis_choices,
	                     (int)m->visibility, &vis, err, errlen)) ||
	    (rc = jsonx_enum(j, "moderation", false, mod_choices, m->hold, &mod,
	                     err, errlen)) ||
	    (rc = jsonx_str(j, "search_alias", false, 0, SEARCH_ALIAS_MAX, NULL,
	                    &alias, err, errlen)))
		return rc;
	if (slug != m->slug)
		snprintf(m->slug, sizeof(m->slug), "%s", slug);
	if (title != m->title)
		snprintf(m->title, sizeof(m->title), "%s", title);
	if (bio != m->biography)
		snprintf(m->biography, sizeof(m->biography), "%s", bio);
	m->visibility = (enum obj_visibility)vis;
	m->hold = mod == 1;
	if (m->slug[0] && !memorial_slug_valid(m->slug)) {
		snprintf(err, errlen,
		         "slug: 3 to 64 of a-z, 0-9 and '-', starting and "
		         "ending with a letter or digit");
		return ERR_INVALID;
	}
	return 0;
}

/* The inline deceased of a family-created memorial. */
static int inline_fields(json_t *j, struct deceased *d, char *err,
                         size_t errlen)
{
	static const char *const keys[] = {
	    "name", "gender", "birth_date", "death_date", "native_place", NULL};
	static const char *const genders[] = {"unknown", "male", "female",
	                                      "unspecified", NULL};
	const char *name, *birth, *death, *place;
	char e[200];
	int g, rc;

	if (!json_is_object(j)) {
		snprintf(err, errlen, "deceased: must be an object");
		return ERR_INVALID;
	}
	if ((rc = jsonx_only(j, keys, e, sizeof(e))) ||
	    (rc = jsonx_str(j, "name", true, 1, DECEASED_NAME_MAX, NULL, &name,
	                    e, sizeof(e))) ||
	    (rc = jsonx_enum(j, "gender", false, genders, 0, &g, e,
	                     sizeof(e))) ||
	    (rc = jsonx_str(j, "birth_date", false, 10, 10, "", &birth, e,
	                    sizeof(e))) ||
	    (rc = jsonx_str(j, "death_date", true, 1, 10, NULL, &death, e,
	                    sizeof(e))) ||
	    (rc = jsonx_str(j, "native_place", false, 0, DECEASED_PLACE_MAX, "",
	                    &place, e, sizeof(e)))) {
		snprintf(err, errlen, "deceased.%s", e);
		return rc;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->gender = (enum deceased_gender)g;
	snprintf(d->birth_date, sizeof(d->birth_date), "%s", birth);
	snprintf(d->death_date, sizeof(d->death_date), "%s", death);
	snprintf(d->native_place, sizeof(d->native_place), "%s", place);
	return 0;
}

/* Parse a create body; *inline_d is set when a deceased object is given. */
static int create_fields(json_t *j, struct memorial *m, struct deceased *d,
                         bool *has_inline, char *err, size_t errlen)
{
	static const char *const keys[] = {
	    "slug",       "title",        "biography",
	    "visibility", "moderation",   "deceased_id",
	    "deceased",   "search_alias", NULL};
	json_t *dj = json_object_get(j, "deceased");
	int rc;

	if ((rc = jsonx_only(j, keys, err, errlen)) ||
	    (rc = memorial_fields(j, m, true, err, errlen)) ||
	    (rc = jsonx_int(j, "deceased_id", false, 1, INT64_MAX, 0,
	                    &m->deceased_id, err, errlen)))
		return rc;
	*has_inline = dj && !json_is_null(dj);
	if (*has_inline == (m->deceased_id != 0)) {
		snprintf(err, errlen,
		         "give deceased_id (an existing record) or deceased "
		         "{name, death_date, ...}, one of them");
		return ERR_INVALID;
	}
	return *has_inline ? inline_fields(dj, d, err, errlen) : 0;
}

/* The search keys after a create or an edit: the family's other names
 * when given, and the pinyin again when the title may have changed. */
static int search_keys_write(struct app *app, json_t *j, int64_t id,
                             bool title_changed, char *err, size_t errlen)
{
	const char *alias = NULL;
	int rc;

	if ((rc = jsonx_str(j, "search_alias", false, 0, SEARCH_ALIAS_MAX, NULL,
	                    &alias, err, errlen)))
		return rc;
	if (alias && (rc = store_search_alias_set(app->store, id, alias)))
		return rc;
	if (title_changed && (rc = store_search_set_latin(app->store, id, "")))
		return rc;
	return search_latin_refresh(app->store, 4) < 0 ? ERR_DB : 0;
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
	char err[256];
	json_t *j = NULL;
	int rc;

	m->hold = true;
	if (access_deny(resp, access_check(a, ACT_MEMORIAL_CREATE, NULL)))
		goto out;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, err,
	                             sizeof(err))) ||
	    (rc = create_fields(j, m, &d, &has_inline, err, sizeof(err)))) {
		http_resp_err(resp, rc, "%s", err);
		goto out;
	}
	if (!has_inline) {
		if (store_deceased_get(app->store, m->deceased_id, &rec)) {
			http_resp_err(resp, ERR_NOT_FOUND,
			              "deceased_id: no such deceased record");
			goto out;
		}
		/* Linking a registered record needs the right to edit it. */
		memorial_deceased_obj(app->store, &rec, &obj);
		if (access_deny(resp, access_check(a, ACT_DECEASED_EDIT, &obj)))
			goto out;
	}
	if ((rc = memorial_create(app->store, app->crypto, m,
	                          has_inline ? &d : NULL, a->user_id, err,
	                          sizeof(err)))) {
		http_resp_err(resp, rc, "%s", err);
		goto out;
	}
	if ((rc = search_keys_write(app, j, m->id, true, err, sizeof(err)))) {
		log_error("memorial", "memorial %lld: search keys: %s",
		          (long long)m->id, err_name(rc));
		http_resp_err(resp, rc, "cannot write the search keys");
		goto out;
	}
	store_memorial_get(app->store, m->id, m);
	http_resp_json(resp, 201,
	               json_pack("{s:o}", "memorial", memorial_json(m)));
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
	char err[256], old_slug[MEMORIAL_SLUG_MAX + 1];
	struct access_obj obj;
	json_t *j = NULL;
	int rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_MEMORIAL_EDIT, &obj)))
		goto out;
	snprintf(old_slug, sizeof(old_slug), "%s", m->slug);
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, err,
	                             sizeof(err))) ||
	    (rc = jsonx_only(j, keys, err, sizeof(err))) ||
	    (rc = memorial_fields(j, m, false, err, sizeof(err)))) {
		http_resp_err(resp, rc, "%s", err);
		goto out;
	}
	if (strcmp(old_slug, m->slug) != 0 &&
	    store_memorial_slug_used(app->store, m->slug)) {
		http_resp_err(resp, ERR_CONFLICT,
		              "slug: already used by another memorial");
		goto out;
	}
	if ((rc = store_memorial_update(app->store, m)) ||
	    (rc = search_keys_write(app, j, m->id,
	                            json_object_get(j, "title") != NULL, err,
	                            sizeof(err)))) {
		http_resp_err(resp, rc, "cannot update the memorial");
		goto out;
	}
	store_memorial_get(app->store, m->id, m);
	http_resp_json(resp, 200,
	               json_pack("{s:o}", "memorial", memorial_json(m)));
out:
	json_decref(j);
	g_free(m);
}

static json_t *family_json(struct app *app, int64_t mid)
{
	static const char *const roles[] = {"family_admin", "memorial_guest"};
	json_t *arr = json_array();

	for (int r = 0; r < 2; r++) {
		GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));

		store_grant_holders(app->store, roles[r], "memorial", mid, ids);
		for (guint i = 0; i < ids->len; i++) {
			struct store_user u;
			int64_t uid = g_array_index(ids, int64_t, i);

			if (store_user_get(app->store, uid, &u))
				continue;
			json_array_append_new(
			    arr, json_pack("{s:I,s:s,s:s}", "user_id",
			                   (json_int_t)uid, "display_name",
			                   u.display_name, "role", roles[r]));
		}
		g_array_free(ids, TRUE);
	}
	return arr;
}

static void get_family(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;

	if (api_memorial_find(app, req, resp, m, &obj) &&
	    !access_deny(resp,
	                 access_check(auth_actor(req), ACT_FAMILY_GRANT, &obj)))
		http_resp_json(
		    resp, 200,
		    json_pack("{s:o}", "family", family_json(app, m->id)));
	g_free(m);
}

/* The account named by "login" (phone or e-mail) of a family request. */
static int family_login_user(struct app *app, json_t *j, int64_t *uid,
                             char *err, size_t errlen)
{
	const char *raw = json_string_value(json_object_get(j, "login"));
	char login[256], hash[CRYPTO_HASH_CHARS];
	struct store_user u;
	const char *kind;

	if (!raw || auth_login_normalize(raw, login, sizeof(login), &kind)) {
		snprintf(err, errlen, "login: a mobile number or an e-mail");
		return ERR_INVALID;
	}
	crypto_keyed_hash(app->crypto, login, hash);
	if (store_user_by_login(app->store, hash, &u)) {
		snprintf(err, errlen, "login: nobody has signed up with it");
		return ERR_NOT_FOUND;
	}
	*uid = u.id;
	return 0;
}

static void post_family(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	static const char *const keys[] = {"user_id", "login", "role", NULL};
	static const char *const roles[] = {"family_admin", "memorial_guest",
	                                    NULL};
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;
	struct store_user u;
	char err[256];
	json_t *j = NULL;
	int64_t uid;
	int role, rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp, access_check(a, ACT_FAMILY_GRANT, &obj)))
		goto out;
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, err,
	                             sizeof(err))) ||
	    (rc = jsonx_only(j, keys, err, sizeof(err))) ||
	    (rc = jsonx_int(j, "user_id", !json_object_get(j, "login"), 1,
	                    INT64_MAX, 0, &uid, err, sizeof(err))) ||
	    (rc = jsonx_enum(j, "role", true, roles, 0, &role, err,
	                     sizeof(err)))) {
		http_resp_err(resp, rc, "%s", err);
		goto out;
	}
	if (uid == 0 &&
	    (rc = family_login_user(app, j, &uid, err, sizeof(err)))) {
		http_resp_err(resp, rc, "%s", err);
		goto out;
	}
	if (store_user_get(app->store, uid, &u)) {
		http_resp_err(resp, ERR_NOT_FOUND, "user_id: no such user");
		goto out;
	}
	if ((rc = store_grant_add(app->store, uid, roles[role], "memorial",
	                          m->id, a->user_id))) {
		http_resp_err(resp, rc, "cannot grant");
		goto out;
	}
	http_resp_json(resp, 201,
	               json_pack("{s:I,s:I,s:s}", "memorial_id",
	                         (json_int_t)m->id, "user_id", (json_int_t)uid,
	                         "role", roles[role]));
out:
	json_decref(j);
	g_free(m);
}

static void delete_family(void *appv, struct http_req *req,
                          struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	struct memorial *m = g_new(struct memorial, 1);
	const char *role = http_query(req, "role");
	struct access_obj obj;
	int64_t uid;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp, access_check(a, ACT_FAMILY_GRANT, &obj)))
		goto out;
	if (http_param_id(req, "user_id", &uid) || !role ||
	    (strcmp(role, "family_admin") && strcmp(role, "memorial_guest"))) {
		http_resp_err(resp, ERR_INVALID,
		              "role: ?role=family_admin or memorial_guest");
		goto out;
	}
	store_grant_remove(app->store, uid, role, "memorial", m->id);
	http_resp_json(resp, 200,
	               json_pack("{s:o}", "family", family_json(app, m->id)));
out:
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
		json_array_append_new(
		    arr, hit_json(&g_array_index(out, struct memorial_hit, i)));
	http_resp_json(
	    resp, 200,
	    json_pack("{s:o,s:o}", "memorials", arr, "next_cursor",
	              (int)out->len == limit
	                  ? json_integer(g_array_index(out, struct memorial_hit,
	                                               out->len - 1)
	                                     .id)
	                  : json_null()));
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
	char *end;
	long long id;
	int rc;

	if (strncmp(topic, "memorial:", 9) != 0)
		return ERR_FORBIDDEN;
	id = strtoll(topic + 9, &end, 10);
	if (*end || id <= 0)
		return ERR_INVALID;
	m = g_new(struct memorial, 1);
	rc = store_memorial_get(app->store, id, m);
	if (rc == 0)
		rc = memorial_access_obj(app->store, m, &obj);
	if (rc == 0) {
		auth_ws_actor(app, ws, &a);
		rc = access_check(&a, ACT_MEMORIAL_VIEW, &obj);
	}
	g_free(m);
	return rc;
}

int api_memorial_start(struct app *app, char *err, size_t errlen)
{
	int rc = wshub_register(app, "memorial", topic_check);

	if (rc) {
		snprintf(err, errlen, "cannot register memorial topics");
		return rc;
	}
	if (app->cfg.demo && (rc = memorial_demo_ensure(app, err, errlen)))
		return rc;
	/* pinyin keys of memorials made before them, or by the CLI */
	while ((rc = search_latin_refresh(app->store, 500)) == 500)
		;
	if (rc < 0) {
		snprintf(err, errlen, "cannot write the search keys");
		return rc;
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
	rc |= router_add(r, "GET", "/api/memorials/{id}/family", get_family, 0);
	rc |=
	    router_add(r, "POST", "/api/memorials/{id}/family", post_family, 0);
	rc |= router_add(r, "DELETE", "/api/memorials/{id}/family/{user_id}",
	                 delete_family, 0);
	rc |= router_add(r, "GET", "/api/memorials/{id}/qr.svg", get_qr, 0);
	rc |= router_add(r, "GET", "/search", page_search, 0);
	return rc ? -1 : 0;
}
