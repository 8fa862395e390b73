/* api_share.h — what a shared link shows: share cards and QR codes as PNG
 * (api_share.c), and the memorial and ceremony pages with their title,
 * description and image in the HTML (api_page.c).
 */
#ifndef SINIAN_API_SHARE_H
#define SINIAN_API_SHARE_H

#include <stdbool.h>
#include <stddef.h>

struct app;
struct ceremony;
struct memorial;
struct router;
struct share_card;

/* The card worker and cache (app->share); after the store is open.
 * 0 or ERR_NOMEM. Stop waits for a card being drawn. */
int api_share_start(struct app *app);
void api_share_stop(struct app *app);

int api_share_routes(struct router *r);
int api_page_routes(struct router *r);

/* The card of a memorial, with the portrait and dates of its deceased.
 * The caller decides whether it may be shown. 0 or ERR_NOT_FOUND (no
 * deceased record). */
int api_share_memorial_card(struct app *app, const struct memorial *m,
                            struct share_card *card);
/* The card of a ceremony: its deceased's name and title, the start in its
 * time zone, and the portrait and dates of its memorial unless that
 * memorial is private. en: English line, else Chinese. */
void api_share_ceremony_card(struct app *app, const struct ceremony *c, bool en,
                             struct share_card *card);

/* "2026年4月4日 10:00（北京时间）" / "4 Apr 2026, 10:00 (Beijing time)":
 * the ceremony's start in its time zone. */
void api_share_when(const struct ceremony *c, bool en, char *out,
                    size_t outlen);

#endif
