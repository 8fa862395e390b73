/* sweeping.h — proxy grave-sweeping orders: placing with prices captured
 * from the cemetery's service list, the order's state machine, proof media,
 * ratings, and the live events families follow.
 *
 * States and who moves them (sweeping_transition_check):
 *
 *   placed ──staff──▶ accepted ──staff──▶ in_progress ──staff──▶ completed
 *     │                  │                                          │
 *     ├─family─▶ cancelled ◀─family─┤                  family ──────┤
 *     └─staff──▶ rejected  ◀─staff──┘ (reason)      confirmed ◀─────┤
 *                                                    disputed ◀─────┘ (reason)
 *
 * completed needs at least one proof photo. cancelled, rejected, confirmed
 * and disputed are final. Every change is stored as an event (who, when,
 * note) and published as {"type":"order","order":{...}} on the bus topics
 * "order:{id}" and "user:{owner}".
 */
#ifndef SINIAN_SWEEPING_H
#define SINIAN_SWEEPING_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "textlimit.h"

struct store;
struct bus;
struct service_item;

#define SWEEPING_ITEMS_MAX    20  /* lines per order */
#define SWEEPING_QUANTITY_MAX 99  /* of one service */
#define SWEEPING_PROOFS_MAX   30  /* photos and videos per order */
#define SWEEPING_DAYS_AHEAD   366 /* how far ahead an order may be dated */

enum sweeping_state {
	SW_PLACED = 0,
	SW_ACCEPTED,
	SW_IN_PROGRESS,
	SW_COMPLETED,
	SW_CONFIRMED,
	SW_CANCELLED,
	SW_REJECTED,
	SW_DISPUTED,
	SW_STATE_COUNT
};

/* Which side of an order acts: the family that placed it or the staff of
 * its cemetery. */
enum sweeping_side { SW_FAMILY = 0, SW_STAFF };

struct sweeping_item_in {
	int64_t service_id;
	int quantity;
};

struct sweeping_item {
	int64_t id;
	int64_t order_id;
	int64_t service_id;
	char name[TEXT_BUF(SERVICE_NAME_MAX)]; /* captured at order time */
	int64_t price_cents; /* captured at order time, per unit */
	int quantity;
};

struct sweeping_order {
	int64_t id;
	int64_t user_id;
	int64_t cemetery_id;
	int64_t plot_id;
	char date[11];
	enum sweeping_state state;
	char note[TEXT_BUF(SWEEPING_NOTE_MAX)];
	char reason[TEXT_BUF(SWEEPING_NOTE_MAX)];
	int64_t total_cents;
	char created_at[24];
	char updated_at[24];
	/* joined for display */
	char cemetery_name[TEXT_BUF(ORG_NAME_MAX)];
	char plot_section[TEXT_BUF(PLOT_LABEL_MAX)];
	char plot_row[TEXT_BUF(PLOT_LABEL_MAX)];
	char plot_number[TEXT_BUF(PLOT_LABEL_MAX)];
	char user_name[TEXT_BUF(DISPLAY_NAME_MAX)];
};

struct sweeping_event {
	int64_t id;
	int64_t order_id;
	int from; /* enum sweeping_state, -1 for the placing */
	enum sweeping_state to;
	int64_t actor_id;
	char actor_name[TEXT_BUF(DISPLAY_NAME_MAX)];
	char note[TEXT_BUF(SWEEPING_NOTE_MAX)];
	char at[32];
};

struct sweeping_proof {
	int64_t id;
	int64_t order_id;
	bool video;
	char hash[65];
	char mime[24];
	int64_t bytes;
	bool kept_location;
	int64_t uploaded_by;
	char created_at[24];
};

/* What placing an order carries. */
struct sweeping_order_in {
	int64_t user_id;
	int64_t plot_id;
	const char *date; /* YYYY-MM-DD, today or later */
	const char *note; /* may be NULL */
	const struct sweeping_item_in *items;
	size_t n_items;
};

const char *sweeping_state_name(enum sweeping_state s); /* "in_progress" */
int sweeping_state_parse(const char *s);                /* -1 if unknown */
/* True for cancelled, rejected, confirmed, disputed. */
bool sweeping_state_final(enum sweeping_state s);

/* The side that makes the move into `to`; -1 for placed or unknown. */
int sweeping_side_of(enum sweeping_state to);

/* May `side` move an order from `from` to `to`? Pure. 0; ERR_INVALID
 * (unknown state); ERR_FORBIDDEN ("wrong_side": that side never makes this
 * move); ERR_CONFLICT ("illegal_transition", naming the current state). */
int sweeping_transition_check(enum sweeping_state from, enum sweeping_state to,
                              enum sweeping_side side, struct err_detail *err);

/* Capture names and prices of the requested items from a cemetery's
 * service list svcs (n_svcs entries). Pure. out gets n_in items; *total the
 * sum of price × quantity. ERR_INVALID: no items or too many, a quantity
 * out of 1..SWEEPING_QUANTITY_MAX, a service listed twice, a service not
 * in svcs (other cemetery, inactive, or an agency's). */
int sweeping_capture(const struct service_item *svcs, size_t n_svcs,
                     const struct sweeping_item_in *in, size_t n_in,
                     struct sweeping_item *out, int64_t *total,
                     struct err_detail *err);

/* Place an order in one transaction (order, captured items, first event)
 * and publish it. today is visit_today(). Fills out. 0; ERR_INVALID
 * (date, note, items); ERR_NOT_FOUND ("plot_not_found"). */
int sweeping_order_create(struct store *st, struct bus *bus,
                          const struct sweeping_order_in *in, const char *today,
                          struct sweeping_order *out, struct err_detail *err);

/* Move an order to `to` as `side` (actor_id recorded with note, which is
 * the reason for rejected and disputed and then required). Records the
 * event, publishes. 0; ERR_NOT_FOUND; ERR_INVALID ("reason_required");
 * ERR_FORBIDDEN / ERR_CONFLICT as sweeping_transition_check; ERR_CONFLICT
 * ("proof_required") for completed without a proof photo. */
int sweeping_transition(struct store *st, struct bus *bus, int64_t order_id,
                        enum sweeping_state to, enum sweeping_side side,
                        int64_t actor_id, const char *note,
                        struct sweeping_order *out, struct err_detail *err);

/* Record a stored proof file for an order (accepted or in_progress only)
 * and publish. p->id is set. ERR_CONFLICT ("proof_not_now",
 * "too_many_proofs"), ERR_NOT_FOUND. */
int sweeping_proof_add(struct store *st, struct bus *bus,
                       struct sweeping_proof *p, struct err_detail *err);

/* Rate a confirmed order once: 1 to 5 stars for its cemetery. ERR_INVALID,
 * ERR_CONFLICT ("not_confirmed", "already_rated"), ERR_NOT_FOUND. */
int sweeping_rate(struct store *st, int64_t order_id, int stars,
                  const char *comment, struct err_detail *err);

/* The order as JSON, with items, events, proofs and its rating; new
 * reference. NULL when it cannot be read. */
json_t *sweeping_order_json(struct store *st, const struct sweeping_order *o);

/* Publish {"type":"order","order":{...}} for order_id on "order:{id}" and
 * "user:{owner}". bus may be NULL (tests): nothing is sent. */
void sweeping_publish(struct store *st, struct bus *bus, int64_t order_id);

#endif
