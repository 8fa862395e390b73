/* viewers.h — the WHEP viewers of this node and what let each one in: the
 * account (session) and the invite it showed, so that their right to
 * watch can be checked again when rights change (rights.h).
 *
 * The media engine (media.h) owns the viewers' connections; this list
 * only remembers, per viewer, the credentials checked when it joined. A
 * viewer is added when its answer is sent and removed when it leaves
 * (DELETE, gone, or cut). Main loop only.
 */
#ifndef SINIAN_VIEWERS_H
#define SINIAN_VIEWERS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIEWER_ID_LEN 64 /* room for the media engine's session ids */

struct viewers;

struct viewer_cred {
	int64_t ceremony_id;
	char viewer_id[VIEWER_ID_LEN]; /* the WHEP session */
	int64_t user_id;               /* 0: not signed in */
	int64_t session_id;            /* the session it signed in with */
	char invite_hash[65];          /* SHA-256 of the invite; "" none */
	char peer[64];                 /* the client address it came from */
};

struct viewers *viewers_new(void);
void viewers_free(struct viewers *v);

/* Remember a viewer that joined (copied); replaces one of the same ids. */
void viewers_add(struct viewers *v, const struct viewer_cred *cred);
/* Forget a viewer; false when it was not there. */
bool viewers_remove(struct viewers *v, int64_t ceremony_id,
                    const char *viewer_id);
/* A copy of every viewer, for walking while removing: a GArray of struct
 * viewer_cred the caller frees (g_array_free(.., TRUE)). */
GArray *viewers_list(const struct viewers *v);
size_t viewers_count(const struct viewers *v);

/* Sessions from one client address, of every ceremony: those joined and
 * those still negotiating (between the offer and the answer). */
unsigned viewers_from(const struct viewers *v, const char *peer);
/* An offer from peer is being answered (+1) or was (-1). */
void viewers_negotiating(struct viewers *v, const char *peer, int delta);

#endif
