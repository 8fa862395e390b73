/* inbox.h — the in-app inbox: what a person is told on the site, kept in
 * the store and delivered live on the bus topic "user:{id}".
 *
 * Kinds: a message waiting for review (to the memorial's family admins),
 * an order's progress and proof photos (to the family that placed it), a
 * visit tomorrow (to the visitor), a ceremony going live (to those who
 * opened its invitation, the memorial's followers and family), a mourning
 * date tomorrow (to the memorial's followers). An unread item about the
 * same thing is updated, not repeated.
 *
 * Bus events on "user:{id}":
 *   {"type":"inbox","item":{...},"unread":N}       put or updated
 *   {"type":"inbox_read","ids":[...]|"all","unread":N}
 * An item: {"id","kind","data":{...},"link","created_at","updated_at",
 * "read"}; data is rendered by the page in its language.
 */
#ifndef SINIAN_INBOX_H
#define SINIAN_INBOX_H

#include <jansson.h>
#include <stdint.h>

struct app;
struct bus;
struct ceremony;
struct inbox_row;
struct store;
struct sweeping_order;

enum inbox_kind {
	INBOX_MESSAGE_PENDING = 0,
	INBOX_ORDER,
	INBOX_VISIT_TOMORROW,
	INBOX_CEREMONY_LIVE,
	INBOX_MOURNING_TOMORROW,
	INBOX_KIND_COUNT
};

const char *inbox_kind_name(enum inbox_kind k);

/* Put an item for user_id (data borrowed) and publish it. 0 or the
 * store's error (logged). bus may be NULL. */
int inbox_put(struct store *st, struct bus *bus, int64_t user_id,
              enum inbox_kind k, const char *key, json_t *data,
              const char *link);

/* An item as JSON (new reference). */
json_t *inbox_item_json(const struct inbox_row *r);

/* Tell the user's pages what was read: ids (stolen; NULL for all). */
void inbox_publish_read(struct store *st, struct bus *bus, int64_t user_id,
                        json_t *ids);

/* The messages waiting on memorial memorial_id (its title and slug
 * shown), for its family admins: the count as it is now; when none wait,
 * their item is marked read. */
void inbox_message_pending(struct store *st, struct bus *bus,
                           int64_t memorial_id, const char *title,
                           const char *slug);

/* An order changed or got a proof photo: its family is told. */
void inbox_order(struct store *st, struct bus *bus,
                 const struct sweeping_order *o);

/* A signed-in person opened an invitation to a ceremony: remember it, so
 * they are told when it goes live. token is the invitation as shown. */
void inbox_invite_opened(struct app *app, int64_t ceremony_id, int64_t user_id,
                         const char *token);

/* A ceremony went live: everyone who may watch it among those who opened
 * its invitation, and the followers and family of its memorial. */
void inbox_ceremony_live(struct app *app, const struct ceremony *c);

#endif
