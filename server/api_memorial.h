/* api_memorial.h — what the memorial API files (api_memorial.c,
 * api_deceased.c, api_plot.c, api_photo.c, api_tribute.c, api_exchange.c,
 * api_transfer.c)
 * share: their route tables, loading a memorial or record from the path
 * with the 404 filled in, and small JSON renderers.
 */
#ifndef SINIAN_API_MEMORIAL_H
#define SINIAN_API_MEMORIAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "deceased.h"
#include "memorial.h"
#include "plot.h"
#include "err.h"

struct app;
struct actor;
struct router;
struct http_req;
struct http_resp;
struct pagecache_facts;

/* Register the memorial topics on /ws and create the demo data when
 * cfg.demo is set (called from api_start). 0 or an ERR_* code. */
int api_memorial_start(struct app *app, struct err_detail *e);

int api_deceased_routes(struct router *r);
int api_plot_routes(struct router *r);
int api_photo_routes(struct router *r);
int api_tribute_routes(struct router *r);
int api_exchange_routes(struct router *r);
int api_transfer_routes(struct router *r);
int api_family_routes(struct router *r);

/* What the page of memorial id shows changed (it was edited, a photo
 * added, its record or burial changed): drop the kept page here at once
 * and tell every node ("memorial_changed" on memorial:{id}). id 0: every
 * memorial (a cemetery or plot edited). After the change is committed. */
void api_memorial_changed(struct app *app, int64_t id);
/* The same for the memorial of a deceased record, if it has one. */
void api_deceased_changed(struct app *app, int64_t deceased_id);

/* The memorial named by ref — its number, or its slug — and its access
 * facts. By number, an unlisted or private memorial is found only for an
 * actor with a right of their own on it (family, guest, the record's
 * operator, admin); by slug, as its visibility says. 0 or ERR_NOT_FOUND. */
int api_memorial_ref(struct app *app, const struct actor *a, const char *ref,
                     struct memorial *m, struct access_obj *obj);
/* The memorial named by the {id} path parameter (a number or a slug; see
 * api_memorial_ref), and its access facts. False (404 filled in) when
 * there is none. */
bool api_memorial_find(struct app *app, struct http_req *req,
                       struct http_resp *resp, struct memorial *m,
                       struct access_obj *obj);
/* The facts of the memorial named by {id} (as api_memorial_find finds
 * it), from the page cache when it keeps them, else from the store. False
 * (404, or 500 with a logged reason) when there are none. */
bool api_memorial_facts(struct app *app, struct http_req *req,
                        struct http_resp *resp, struct pagecache_facts *f);
/* The deceased record named by {id}; false with 404 filled in. */
bool api_deceased_find(struct app *app, struct http_req *req,
                       struct http_resp *resp, struct deceased *d,
                       struct access_obj *obj);

/* The person fields of a deceased record (name, gender, birth_date,
 * death_date, native_place) from j into d, checked for length and form;
 * registration and family-made memorials share them. 0 or ERR_INVALID. */
int api_person_fields(json_t *j, struct deceased *d, struct err_detail *e);

/* "/api/images/<hash>", or JSON null for "" (new reference). */
json_t *api_image_url(const char *hash);
/* A plot as JSON, with a map link when it has coordinates. */
json_t *api_plot_json(const struct plot *p);
/* An OpenStreetMap link for a position into out. */
void api_map_url(double lat, double lng, char *out, size_t outlen);

/* "http://host" or "https://host" of the request (Host header, and
 * X-Forwarded-Proto or cookie_secure for the scheme). ERR_INVALID when
 * the Host header is missing or not a plain host[:port]. */
int api_origin(struct app *app, struct http_req *req, char *out, size_t outlen);

/* Send an SVG QR code for text. */
void api_qr_send(struct http_resp *resp, const char *text);

#endif
