/* tribute.h — tributes left on a memorial: adding with exact counts,
 * moderation of messages, and publishing each change on the bus topic
 * "memorial:{id}".
 *
 * Bus events (JSON):
 *   {"type":"tribute","tribute":{...},"counts":{...}}         published one
 *   {"type":"message_approved","tribute":{...},"counts":{...}} pending → shown
 *   {"type":"message_hidden","id":N,"counts":{...}}           taken down
 * Counts cover published tributes only: {"flower":N,...,"message":N,
 * "total":N}.
 */
#ifndef SINIAN_TRIBUTE_H
#define SINIAN_TRIBUTE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "textlimit.h"
#include "err.h"

struct memorial;

struct store;
struct bus;

enum tribute_kind {
	TRIB_FLOWER = 0,
	TRIB_INCENSE,
	TRIB_CANDLE,
	TRIB_BOW,
	TRIB_MESSAGE,
	TRIB_KIND_COUNT
};

enum tribute_state { TRIB_PUBLISHED = 0, TRIB_PENDING, TRIB_HIDDEN };

struct tribute {
	int64_t id;
	int64_t memorial_id;
	enum tribute_kind kind;
	char from_name[TEXT_BUF(SENDER_NAME_MAX)];
	char text[TEXT_BUF(TRIBUTE_TEXT_MAX)];
	int64_t user_id; /* 0: anonymous */
	enum tribute_state state;
	char created_at[32];
};

struct tribute_counts {
	int64_t n[TRIB_KIND_COUNT];
	int64_t total;
};

const char *tribute_kind_name(enum tribute_kind k);
int tribute_kind_parse(const char *name); /* -1 when unknown */
const char *tribute_state_name(enum tribute_state s);
int tribute_state_parse(const char *name);

/* Validate t (kind, from_name 1-64 characters, text 1-500 characters for a
 * message and empty otherwise). 0 or ERR_INVALID with err. */
int tribute_validate(const struct tribute *t, struct err_detail *e);

/* Add t to memorial t->memorial_id in one transaction with its count. A
 * message is pending when hold is true, every other tribute is published.
 * Published tributes go out on the bus. t->id, state, created_at and
 * counts are filled. 0, ERR_INVALID (err), ERR_DB. bus may be NULL. */
int tribute_add(struct store *st, struct bus *bus, bool hold, struct tribute *t,
                struct tribute_counts *counts, struct err_detail *e);

/* A tribute laid through the group commit (store_write) has landed:
 * rc is 0 once its commit is on disk, published and told, or the failure.
 * json is {"tribute":{...},"counts":{...}} (len bytes, borrowed for the
 * call), rendered once for the event and this; NULL when rc is not 0 or
 * it could not be rendered. Called on the thread that laid it. */
typedef void (*tribute_laid_fn)(void *ud, int rc, const char *json, size_t len);

/* What laying a tribute needs of its memorial. */
struct tribute_memorial {
	int64_t id;
	bool hold;                /* messages wait for approval */
	const char *title, *slug; /* for the family's note (borrowed) */
};

/* Lay a validated t on memorial m grouped with other small writes: one
 * transaction with its count (a message is pending when m->hold), then,
 * in this order once the commit is on disk, the bus event for the live
 * pages and the family's note of messages waiting, then laid(ud, rc).
 * t->id, state, created_at and counts are filled before laid() runs. m is
 * copied; t, counts and m's strings must live until then. bus may be
 * NULL. */
void tribute_lay(struct store *st, struct bus *bus,
                 const struct tribute_memorial *m, struct tribute *t,
                 struct tribute_counts *counts, tribute_laid_fn laid, void *ud);

/* Set a message's state (published or hidden), adjusting counts in the
 * same transaction and publishing message_approved / message_hidden.
 * Setting the state it has is a no-op. The family's note of messages
 * waiting follows. ERR_NOT_FOUND when the message is not one of m's;
 * ERR_INVALID for a state of pending. */
int tribute_moderate(struct store *st, struct bus *bus,
                     const struct memorial *m, int64_t tribute_id,
                     enum tribute_state to, struct tribute *out,
                     struct tribute_counts *counts);

/* Published counts of a memorial. */
int tribute_counts_get(struct store *st, int64_t memorial_id,
                       struct tribute_counts *out);

/* JSON of a tribute / of counts (new references). */
json_t *tribute_json(const struct tribute *t);
json_t *tribute_counts_json(const struct tribute_counts *c);

#endif
