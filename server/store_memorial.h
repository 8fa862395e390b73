/* store_memorial.h — SQL for memorials, their photos, uploaded images,
 * tributes with their counts, and the public memorial search.
 */
#ifndef SINIAN_STORE_MEMORIAL_H
#define SINIAN_STORE_MEMORIAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "memorial.h"
#include "tribute.h"

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

G_GNUC_WARN_UNUSED_RESULT int
store_image_insert(struct store *st, const struct memorial_image *img,
                   int64_t created_by);
G_GNUC_WARN_UNUSED_RESULT int
store_image_get(struct store *st, const char *hash, struct memorial_image *out);
/* Memorials that show an image (portrait or photo), into a GArray of
 * struct memorial. */
G_GNUC_WARN_UNUSED_RESULT int
store_image_memorials(struct store *st, const char *hash, GArray *out);

/* Append a photo at the end of the gallery; p->id and p->position set. */
G_GNUC_WARN_UNUSED_RESULT int store_photo_insert(struct store *st,
                                                 struct memorial_photo *p);
/* Photos of a memorial in gallery order into a GArray. */
G_GNUC_WARN_UNUSED_RESULT int
store_photo_list(struct store *st, int64_t memorial_id, GArray *out);
/* Delete a photo of that memorial; ERR_NOT_FOUND. */
G_GNUC_WARN_UNUSED_RESULT int
store_photo_delete(struct store *st, int64_t memorial_id, int64_t photo_id);
G_GNUC_WARN_UNUSED_RESULT int store_photo_count(struct store *st,
                                                int64_t memorial_id, int *n);
/* A photo's caption. 0, ERR_NOT_FOUND (not this memorial's), ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int store_photo_set_caption(struct store *st,
                                                      int64_t memorial_id,
                                                      int64_t photo_id,
                                                      const char *caption);

G_GNUC_WARN_UNUSED_RESULT int store_tribute_insert(struct store *st,
                                                   struct tribute *t);
G_GNUC_WARN_UNUSED_RESULT int store_tribute_get(struct store *st, int64_t id,
                                                struct tribute *out);
G_GNUC_WARN_UNUSED_RESULT int
store_tribute_set_state(struct store *st, int64_t id, enum tribute_state s);
/* Tributes of a memorial in a state, kind < 0 for any, newest first with
 * id < before (0: from the newest), into a GArray of struct tribute. */
G_GNUC_WARN_UNUSED_RESULT int
store_tribute_list(struct store *st, int64_t memorial_id, enum tribute_state s,
                   int kind, int64_t before, int limit, GArray *out);
/* Add delta to the published count of a kind. */
G_GNUC_WARN_UNUSED_RESULT int store_tribute_count_add(struct store *st,
                                                      int64_t memorial_id,
                                                      enum tribute_kind k,
                                                      int delta);
G_GNUC_WARN_UNUSED_RESULT int store_tribute_counts(struct store *st,
                                                   int64_t memorial_id,
                                                   struct tribute_counts *out);
/* Pending messages of a memorial (for moderators). */
G_GNUC_WARN_UNUSED_RESULT int
store_tribute_pending(struct store *st, int64_t memorial_id, int64_t *n);

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
