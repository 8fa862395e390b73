/* memorial.h — memorial pages: the record (slug, title, biography,
 * visibility, moderation mode), creation with its family admin, and what
 * access control needs to know about a memorial or a deceased record.
 */
#ifndef SINIAN_MEMORIAL_H
#define SINIAN_MEMORIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "deceased.h"
#include "err.h"

struct store;
struct crypto;

#define MEMORIAL_SLUG_MIN  3
#define MEMORIAL_SLUG_MAX  64
#define MEMORIAL_PHOTO_MAX 60 /* photos per memorial */

struct memorial {
	int64_t id;
	char slug[MEMORIAL_SLUG_MAX + 1];
	char title[TEXT_BUF(MEMORIAL_TITLE_MAX)];
	char biography[TEXT_BUF(MEMORIAL_BIO_MAX)];
	enum obj_visibility visibility;
	bool hold; /* messages wait for approval ("hold") or show at once */
	int64_t deceased_id;
	char portrait_hash[65]; /* "" when none */
	int64_t created_by;
	char created_at[24];
	char updated_at[24];
};

struct memorial_image {
	char hash[65]; /* SHA-256 hex of the stored bytes */
	char mime[16];
	int64_t bytes;
	int width, height; /* 0 when unknown */
};

struct memorial_photo {
	int64_t id;
	int64_t memorial_id;
	char hash[65];
	char mime[16];
	char caption[TEXT_BUF(PHOTO_CAPTION_MAX)];
	int position;
	char created_at[24];
};

/* "public", "unlisted", "private"; parse returns -1. */
const char *memorial_visibility_name(enum obj_visibility v);
int memorial_visibility_parse(const char *name);

/* Slugs: 3 to 64 of [a-z0-9-], starting and ending with a letter or
 * digit, not all digits (a number names a memorial by id). */
bool memorial_slug_valid(const char *slug);
/* A fresh random slug (MEMORIAL_SLUG_RANDOM characters of [a-z0-9],
 * starting with a letter: 80 bits) into out. An unlisted or private
 * memorial is found by its slug, so it must not be guessable. */
#define MEMORIAL_SLUG_RANDOM 16
void memorial_slug_new(char out[MEMORIAL_SLUG_RANDOM + 1]);

/* After an edit of m (was old_slug, old_vis): a chosen slug is for public
 * memorials only (ERR_INVALID), must be free (ERR_CONFLICT); a memorial
 * leaving public gets a new random slug, so the old address — which may
 * have been shared — stops finding it. 0, or an error with a sentence. */
int memorial_settle_slug(struct store *st, struct memorial *m,
                         const char *old_slug, enum obj_visibility old_vis,
                         struct err_detail *e);

/* Create a memorial in one transaction. With inline (not NULL) the
 * deceased record is created first from it (validated; no agency); else
 * m->deceased_id must exist. A slug of "" gets a random one; only a
 * public memorial may choose its slug (ERR_INVALID otherwise). The creator
 * becomes family_admin. Sets m->id (and inline->id). 0, ERR_INVALID,
 * ERR_NOT_FOUND (deceased), ERR_CONFLICT (slug used, or the deceased
 * already has a memorial), with a sentence in err. */
int memorial_create(struct store *st, const struct crypto *c,
                    struct memorial *m, struct deceased *inline_d,
                    int64_t creator, struct err_detail *e);

/* What access control needs about a memorial: its id, visibility, the
 * agency of its deceased and the cemetery that holds the record. */
int memorial_access_obj(struct store *st, const struct memorial *m,
                        struct access_obj *obj);
/* The same for a deceased record (memorial_id of its memorial, if any). */
int memorial_deceased_obj(struct store *st, const struct deceased *d,
                          struct access_obj *obj);
/* Record id as a may read it, with its access object: 0; ERR_NOT_FOUND when
 * it does not exist or a may not read it (record numbers count up: to one
 * who may not read a record, it does not exist); else the store's error. */
int memorial_deceased_readable(struct store *st, const struct actor *a,
                               int64_t id, struct deceased *d,
                               struct access_obj *obj);

#endif
