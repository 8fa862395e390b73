/* condolence.h — the condolences left on a ceremony: which moderation they
 * follow, how their state may change, and the live events that follow.
 *
 * A ceremony linked to a memorial follows that memorial's setting: "hold"
 * (a message waits, pending, until a moderator publishes it) or "publish"
 * (it shows at once and may be hidden later). A ceremony without a memorial
 * publishes at once. Knows no HTTP: api_condolence.c decides who may.
 */
#ifndef SINIAN_CONDOLENCE_H
#define SINIAN_CONDOLENCE_H

#include "ceremony.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct store;
struct bus;

/* Limits: TEXT_CONDOLENCE_FROM and TEXT_CONDOLENCE_TEXT (textlimit.h). */

/* Does the ceremony hold new messages for a moderator? */
bool condolence_held(struct store *st, const struct ceremony *c);

/* Save a message, pending or published by condolence_held(), and tell
 * who should know: everyone watching ("condolence" on ceremony:{id}) or
 * the moderators ("condolence_pending" on condolences:{id}). 0 or an
 * ERR_* of the store. */
int condolence_add(struct store *st, struct bus *bus, const struct ceremony *c,
                   const char *from, const char *text, int64_t user_id,
                   struct ceremony_message *out);

/* Publish or hide a message (pending → published or hidden; published ↔
 * hidden); everyone watching sees it appear or go, the moderators see
 * its new state ("condolence_state"). 0, ERR_NOT_FOUND, ERR_INVALID (to
 * pending), ERR_DB; the same state again is 0 and tells nobody. */
int condolence_moderate(struct store *st, struct bus *bus,
                        const struct ceremony *c, int64_t id,
                        enum cond_state to, struct ceremony_message *out);

/* {id, from_name, text, created_at, state} (a new reference). */
json_t *condolence_json(const struct ceremony_message *m);

#endif
