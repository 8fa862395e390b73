/* share.h — share cards: the picture a chat app or a social network shows
 * beside a link to a memorial or a ceremony (Open Graph og:image, and what
 * WeChat reads), drawn by the server as a 1200×630 PNG with the portrait,
 * the name, the dates and a line of context, and kept in a small cache.
 *
 * Knows no HTTP and no store: api_share.c fills a struct share_card from
 * what the visitor may see and serves the PNG.
 */
#ifndef SINIAN_SHARE_H
#define SINIAN_SHARE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define SHARE_CARD_W 1200
#define SHARE_CARD_H 630

/* What a card shows. Every field may be "": a card with no name is the
 * site's own card (for what may not be shown: a private memorial). */
struct share_card {
	char name[512];       /* the deceased's name, large */
	char dates[64];       /* "1936.03.12 – 2025.01.08" */
	char title[1024];     /* the memorial's or the ceremony's title */
	char line[512];       /* one more line: a ceremony's date and time */
	char portrait[1200];  /* path of the portrait image file, or "" */
	char portrait_id[65]; /* what identifies the portrait (its hash) */
};

/* The hex SHA-256 of everything the card shows (the portrait by its id):
 * a card whose memorial changed has a new key. key holds 65 bytes. */
void share_card_key(const struct share_card *c, char key[65]);

/* Draw the card as a PNG into *png (g_free() it) and *len. A portrait
 * that cannot be read is left out, never an error. Safe on any thread
 * (its own surface and Pango context). 0 or ERR_INTERNAL. */
int share_card_render(const struct share_card *c, uint8_t **png, size_t *len);

/* Cards by object ("m:42", "c:7"), at most max_entries, the oldest
 * dropped first. Main loop only. */
struct share_cache;
struct share_cache *share_cache_new(unsigned max_entries);
void share_cache_free(struct share_cache *sc); /* NULL is a no-op */

/* The cached PNG of obj if it was drawn for key (a new reference, or
 * NULL). A card of obj drawn for another key is dropped. */
GBytes *share_cache_get(struct share_cache *sc, const char *obj,
                        const char *key);
/* Keep png (a reference is taken) as obj's card for key. */
void share_cache_put(struct share_cache *sc, const char *obj, const char *key,
                     GBytes *png);
/* Drop obj's card (a memorial turned private, say). */
void share_cache_drop(struct share_cache *sc, const char *obj);

#endif
