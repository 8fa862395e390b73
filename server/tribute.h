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
#include <stdint.h>

#include "textlimit.h"
#include "err.h"

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

/* tribute_add() in two halves, for a write grouped with others
 * (store_write): tribute_insert() stores a validated t and its count in
 * one transaction (nested in the caller's, if any) and fills t->id,
 * state, created_at and counts; tribute_added() publishes it once that
 * transaction is committed. */
int tribute_insert(struct store *st, bool hold, struct tribute *t,
                   struct tribute_counts *counts);
void tribute_added(struct bus *bus, const struct tribute *t,
                   const struct tribute_counts *counts);

/* Set a message's state (published or hidden), adjusting counts in the
 * same transaction and publishing message_approved / message_hidden.
 * Setting the state it has is a no-op. ERR_NOT_FOUND when the message is
 * not one of that memorial's; ERR_INVALID for a state of pending. */
int tribute_moderate(struct store *st, struct bus *bus, int64_t memorial_id,
                     int64_t tribute_id, enum tribute_state to,
                     struct tribute *out, struct tribute_counts *counts);

/* Published counts of a memorial. */
int tribute_counts_get(struct store *st, int64_t memorial_id,
                       struct tribute_counts *out);

/* JSON of a tribute / of counts (new references). */
json_t *tribute_json(const struct tribute *t);
json_t *tribute_counts_json(const struct tribute_counts *c);

#endif
