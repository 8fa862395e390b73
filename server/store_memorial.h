/* store_memorial.h — SQL for memorials and the public memorial search.
 * Photos: store_photo.h; images: store_image.h; tributes: store_tribute.h.
 */
#ifndef SINIAN_STORE_MEMORIAL_H
#define SINIAN_STORE_MEMORIAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "memorial.h"

struct store;

/* Insert; m->id is not read. ERR_CONFLICT on a used slug or a deceased
 * that already has a memorial. */
G_GNUC_WARN_UNUSED_RESULT int
store_memorial_insert(struct store *st, const struct memorial *m, int64_t *id);
/* By id / by slug; ERR_NOT_FOUND. */
G_GNUC_WARN_UNUSED_RESULT int store_memorial_get(struct store *st, int64_t id,
                                                 struct memorial *out);
G_GNUC_WARN_UNUSED_RESULT int store_memorial_by_slug(struct store *st,
                                                     const char *slug,
                                                     struct memorial *out);
/* True when a memorial uses slug. */
bool store_memorial_slug_used(struct store *st, const char *slug);
/* Update slug, title, biography, visibility, moderation. */
G_GNUC_WARN_UNUSED_RESULT int store_memorial_update(struct store *st,
                                                    const struct memorial *m);
G_GNUC_WARN_UNUSED_RESULT int
store_memorial_set_portrait(struct store *st, int64_t id, const char *hash);
/* Id of an agency or cemetery by exact name, 0 when none (demo data). */
G_GNUC_WARN_UNUSED_RESULT int store_memorial_org_by_name(struct store *st,
                                                         bool cemetery,
                                                         const char *name,
                                                         int64_t *id);
/* Memorials that show an image (portrait or photo), into a GArray of
 * struct memorial. */
G_GNUC_WARN_UNUSED_RESULT int
store_memorial_by_image(struct store *st, const char *hash, GArray *out);

/* A public memorial found by search. */
struct memorial_hit {
	int64_t id;
	char slug[MEMORIAL_SLUG_MAX + 1];
	char title[TEXT_BUF(MEMORIAL_TITLE_MAX)];
	char name[TEXT_BUF(DECEASED_NAME_MAX)];
	char birth_date[11];
	char death_date[11];
	char portrait_hash[65];
};

/* Public memorials matching an FTS5 expression (match) or, when match is
 * NULL, whose "name title" text is LIKE every pattern in like[0..3] (NULL
 * entries match anything); newest first, id < before, into a GArray of
 * struct memorial_hit. */
G_GNUC_WARN_UNUSED_RESULT int store_memorial_search(struct store *st,
                                                    const char *match,
                                                    const char *const like[4],
                                                    int64_t before, int limit,
                                                    GArray *out);

#endif
