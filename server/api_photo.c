/* api_photo.c — memorial portraits and photo galleries, and serving stored
 * images.
 *
 * Uploads are raw bodies (Content-Type image/jpeg, image/png or image/webp)
 * up to max_upload_bytes; image.c checks the bytes, strips JPEG metadata
 * and stores by content hash under DATA_DIR/images. An image is served to
 * whoever may view a memorial that shows it.
 */
#include "access.h"
#include "api.h"
#include "api_memorial.h"
#include "app.h"
#include "auth.h"
#include "err.h"
#include "http.h"
#include "image.h"
#include "jsonx.h"
#include "store.h"
#include "store_memorial.h"
#include "store_image.h"
#include "store_photo.h"

#include <stdio.h>
#include <string.h>

#define PHOTO_CAPTION_MAX 100 /* characters */

static void images_dir(struct app *app, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/images", app->cfg.data_dir);
}

/* Store the request body as an image; fills resp and returns false when it
 * is refused. */
static bool take_image(struct app *app, struct http_req *req,
                       struct http_resp *resp, struct memorial_image *img)
{
	const struct actor *a = auth_actor(req);
	struct image_info info;
	struct err_detail err = {0};
	char dir[1100];
	int rc;

	images_dir(app, dir, sizeof(dir));
	rc = image_store(dir, req->body, req->body_len,
	                 http_header(req, "content-type"), &info, &err);
	if (rc) {
		http_resp_fail(resp, rc, &err);
		return false;
	}
	memset(img, 0, sizeof(*img));
	snprintf(img->hash, sizeof(img->hash), "%s", info.hash);
	snprintf(img->mime, sizeof(img->mime), "%s", image_mime(info.type));
	img->bytes = (int64_t)info.bytes;
	img->width = info.width;
	img->height = info.height;
	if ((rc = store_image_insert(app->store, img, a->user_id))) {
		http_resp_err(resp, rc, "cannot record the image");
		return false;
	}
	return true;
}

static json_t *photo_json(const struct memorial_photo *p,
                          const struct memorial_image *img)
{
	json_t *j =
	    json_pack("{s:I,s:s,s:o,s:s,s:s,s:i}", "id", (json_int_t)p->id,
	              "hash", p->hash, "url", api_image_url(p->hash), "mime",
	              p->mime, "caption", p->caption, "position", p->position);

	if (img && img->width > 0) {
		jsonx_put(&j, "width", json_integer(img->width));
		jsonx_put(&j, "height", json_integer(img->height));
	}
	return j;
}

/* POST /api/memorials/{id}/photos?caption=... with the image as body. */
static void post_photo(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	const char *caption = http_query(req, "caption");
	struct memorial_photo p = {0};
	struct memorial_image img;
	struct access_obj obj;
	int n = 0, rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_MEMORIAL_EDIT, &obj)))
		goto out;
	if (caption && (!g_utf8_validate(caption, -1, NULL) ||
	                jsonx_utf8_len(caption) > PHOTO_CAPTION_MAX)) {
		http_resp_err(resp, ERR_INVALID,
		              "caption: at most %d characters of UTF-8",
		              PHOTO_CAPTION_MAX);
		goto out;
	}
	if (store_photo_count(app->store, m->id, &n) == 0 &&
	    n >= MEMORIAL_PHOTO_MAX) {
		http_resp_err(resp, ERR_FULL,
		              "a gallery holds at most %d photos",
		              MEMORIAL_PHOTO_MAX);
		goto out;
	}
	if (!take_image(app, req, resp, &img))
		goto out;
	p.memorial_id = m->id;
	snprintf(p.hash, sizeof(p.hash), "%s", img.hash);
	snprintf(p.mime, sizeof(p.mime), "%s", img.mime);
	snprintf(p.caption, sizeof(p.caption), "%s", caption ? caption : "");
	if ((rc = store_photo_insert(app->store, &p))) {
		http_resp_err(resp, rc, "cannot add the photo");
		goto out;
	}
	api_memorial_changed(app, m->id);
	http_resp_json(resp, 201,
	               json_pack("{s:o}", "photo", photo_json(&p, &img)));
out:
	g_free(m);
}

static void delete_photo(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;
	int64_t pid;
	int rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_MEMORIAL_EDIT, &obj)))
		goto out;
	if ((rc = http_param_id(req, "pid", &pid)
	              ? ERR_NOT_FOUND
	              : store_photo_delete(app->store, m->id, pid))) {
		http_resp_lookup(resp, rc, "no such photo");
		goto out;
	}
	api_memorial_changed(app, m->id);
	http_resp_json(resp, 200, json_pack("{s:b}", "deleted", 1));
out:
	g_free(m);
}

/* PATCH /api/memorials/{id}/photos/{pid} {"caption"} */
static void patch_photo(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	struct access_obj obj;
	const char *caption;
	struct err_detail err = {0};
	json_t *j = NULL;
	int64_t pid;
	int rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_MEMORIAL_EDIT, &obj)))
		goto out;
	if (http_param_id(req, "pid", &pid)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such photo");
		goto out;
	}
	if ((rc = jsonx_parse_object(req->body, req->body_len, &j, &err)) ||
	    (rc = jsonx_text(j, TEXT_PHOTO_CAPTION, true, NULL, &caption,
	                     &err))) {
		http_resp_fail(resp, rc, &err);
		goto out;
	}
	rc = store_photo_set_caption(app->store, m->id, pid, caption);
	if (rc == ERR_NOT_FOUND)
		http_resp_err(resp, rc, "no such photo");
	else if (rc)
		http_resp_err(resp, rc, "cannot change the caption");
	else {
		api_memorial_changed(app, m->id);
		http_resp_json(resp, 200,
		               json_pack("{s:I,s:s}", "id", (json_int_t)pid,
		                         "caption", caption));
	}
out:
	json_decref(j);
	g_free(m);
}

/* PUT (image body) or DELETE /api/memorials/{id}/portrait. */
static void put_portrait(void *appv, struct http_req *req,
                         struct http_resp *resp)
{
	struct app *app = appv;
	struct memorial *m = g_new(struct memorial, 1);
	bool del = strcmp(req->method, "DELETE") == 0;
	struct memorial_image img = {0};
	struct access_obj obj;
	int rc;

	if (!api_memorial_find(app, req, resp, m, &obj) ||
	    access_deny(resp,
	                access_check(auth_actor(req), ACT_MEMORIAL_EDIT, &obj)))
		goto out;
	if (!del && !take_image(app, req, resp, &img))
		goto out;
	if ((rc = store_memorial_set_portrait(app->store, m->id, img.hash))) {
		http_resp_err(resp, rc, "cannot set the portrait");
		goto out;
	}
	api_memorial_changed(app, m->id);
	http_resp_json(
	    resp, 200,
	    json_pack("{s:o}", "portrait_url", api_image_url(img.hash)));
out:
	g_free(m);
}

/* May the requester see an image? When a memorial they may view shows it.
 * public: true when any such memorial is public or unlisted. */
static int image_right(struct app *app, struct http_req *req, const char *hash,
                       bool *public)
{
	GArray *ms = g_array_new(FALSE, FALSE, sizeof(struct memorial));
	int rc = ERR_NOT_FOUND;

	*public = false;
	if (!store_ok(store_memorial_by_image(app->store, hash, ms),
	              "finding an image's memorials"))
		rc = ERR_DB; /* a 500, never a 404 */
	for (guint i = 0; rc != ERR_DB && i < ms->len; i++) {
		struct memorial *m = &g_array_index(ms, struct memorial, i);
		struct access_obj obj;

		if (memorial_access_obj(app->store, m, &obj))
			continue;
		if (m->visibility != VIS_PRIVATE)
			*public = true;
		if (rc == 0)
			continue;
		rc = access_check(auth_actor(req), ACT_MEMORIAL_VIEW, &obj);
	}
	g_array_free(ms, TRUE);
	return rc;
}

static void get_image(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const char *hash = http_param(req, "hash");
	struct memorial_image img;
	char dir[1100], path[1200];
	bool public;
	int rc;

	if ((rc = !image_hash_valid(hash)
	              ? ERR_NOT_FOUND
	              : store_image_get(app->store, hash, &img))) {
		http_resp_lookup(resp, rc, "no such image");
		return;
	}
	rc = image_right(app, req, hash, &public);
	if (rc == ERR_NOT_FOUND)
		http_resp_err(resp, rc, "no such image");
	if (rc == ERR_NOT_FOUND || access_deny(resp, rc))
		return;
	images_dir(app, dir, sizeof(dir));
	if (image_path(dir, hash, path, sizeof(path))) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such image");
		return;
	}
	http_resp_file(resp, req, path, img.mime,
	               public ? "public, max-age=31536000, immutable"
	                      : "private, max-age=31536000, immutable");
}

int api_photo_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "POST", "/api/memorials/{id}/photos", post_photo,
	                 ROUTE_UPLOAD | ROUTE_RAW);
	rc |= router_add(r, "DELETE", "/api/memorials/{id}/photos/{pid}",
	                 delete_photo, 0);
	rc |= router_add(r, "PATCH", "/api/memorials/{id}/photos/{pid}",
	                 patch_photo, 0);
	rc |= router_add(r, "PUT", "/api/memorials/{id}/portrait", put_portrait,
	                 ROUTE_UPLOAD | ROUTE_RAW);
	rc |= router_add(r, "DELETE", "/api/memorials/{id}/portrait",
	                 put_portrait, 0);
	rc |= router_add(r, "GET", "/api/images/{hash}", get_image, 0);
	return rc ? -1 : 0;
}
