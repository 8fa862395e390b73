/* deceased.h — the record of a deceased person and the timeline of events a
 * body and its ashes go through.
 *
 * Event order rules (deceased_event_check; docs/data-exchange.md):
 *   1. `registered` comes first and only once.
 *   2. `farewell` at most once, before `cremated` and before any final
 *      placement.
 *   3. `cremated` at most once, never after a final placement.
 *   4. `ashes_stored` only after `cremated` and before the final placement;
 *      it may repeat (ashes moved); `until`, when given, is not before it.
 *   5. Final placement — `buried`, `niche_placed`, `eco_tree`, `eco_sea` —
 *      at most one. `niche_placed`, `eco_tree`, `eco_sea` hold ashes and need
 *      `cremated` first; `buried` without a cremation is a whole-body burial
 *      (and then no cremation may follow).
 *   6. No event is earlier than the previous one, nor before the death date
 *      (00:00 China Standard Time).
 * Dates are "YYYY-MM-DD"; event times are RFC 3339 ("2025-01-10T09:30:00+08:00"
 * or "...Z"; without an offset China Standard Time, +08:00, is assumed) and
 * stored as UTC ("2025-01-10T01:30:00Z").
 */
#ifndef SINIAN_DECEASED_H
#define SINIAN_DECEASED_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "textlimit.h"
#include "err.h"

struct store;
struct crypto;

enum deceased_gender {
	GENDER_UNKNOWN = 0, /* GB/T 2261.1 code 0 */
	GENDER_MALE,        /* 1 */
	GENDER_FEMALE,      /* 2 */
	GENDER_UNSPECIFIED, /* 9 */
	GENDER_COUNT
};

enum event_kind {
	EV_REGISTERED = 0,
	EV_FAREWELL,
	EV_CREMATED,
	EV_ASHES_STORED,
	EV_BURIED,
	EV_NICHE_PLACED,
	EV_ECO_TREE,
	EV_ECO_SEA,
	EV_COUNT
};

struct deceased {
	int64_t id;
	char name[TEXT_BUF(DECEASED_NAME_MAX)];
	enum deceased_gender gender;
	char birth_date[11]; /* "" when unknown */
	char death_date[11];
	char native_place[TEXT_BUF(DECEASED_PLACE_MAX)];
	char id_masked[24];  /* "" when no ID number */
	int64_t agency_id;   /* 0: created by a family, no agency */
	int64_t plot_id;     /* 0: not linked to a plot */
	int64_t cemetery_id; /* the cemetery holding it; 0: none yet */
	char ext_id[TEXT_BUF(EXT_ID_MAX)]; /* id in the system it came from */
	int64_t created_by;
	char created_at[24];
	char updated_at[24];
};

struct deceased_event {
	int64_t id;
	int64_t deceased_id;
	enum event_kind kind;
	char at[40]; /* UTC, "YYYY-MM-DDTHH:MM:SSZ" once stored */
	char place[TEXT_BUF(DECEASED_PLACE_MAX)];
	char note[TEXT_BUF(DECEASED_NOTE_MAX)];
	char until[11];  /* ashes_stored only; "" otherwise */
	int64_t plot_id; /* 0: none */
	char created_at[24];
};

/* Names ("female") and GB/T 2261.1 codes ("2"); parse returns -1. */
const char *deceased_gender_name(enum deceased_gender g);
const char *deceased_gender_code(enum deceased_gender g);
int deceased_gender_parse(const char *name);
int deceased_gender_from_code(const char *code);

/* Event kind names ("niche_placed"); parse returns -1 when unknown. */
const char *deceased_event_kind_name(enum event_kind k);
int deceased_event_kind_parse(const char *name);
/* True for buried, niche_placed, eco_tree, eco_sea. */
bool deceased_event_is_final(enum event_kind k);

/* True when s is a real calendar date "YYYY-MM-DD" (years 1800-2199). */
bool deceased_date_valid(const char *s);
/* Today in China Standard Time as "YYYY-MM-DD" into out (11 bytes). */
void deceased_today(char *out);

/* Parse an RFC 3339 time (offset optional: +08:00 assumed) into the
 * canonical UTC form in out (24 bytes) and seconds since the epoch.
 * 0 or ERR_INVALID. */
int deceased_time_norm(const char *in, char *out, size_t outlen,
                       int64_t *epoch);

/* Check a resident ID number: 18 characters with the GB 11643 check digit,
 * or the old 15 digits. 0 or ERR_INVALID. */
int deceased_id_number_check(const char *s);

/* Validate the fields of a record (name, gender, dates: birth <= death <=
 * today). 0 or ERR_INVALID with a sentence in err. */
int deceased_validate(const struct deceased *d, const char *today,
                      struct err_detail *e);

/* The order rules above: may ev follow the n events in prev (oldest
 * first) for someone who died on death_date? 0; ERR_CONFLICT with the
 * reason in e; ERR_INVALID when ev itself is malformed (bad time, until
 * before at). Pure: reads nothing else. */
int deceased_event_check(const struct deceased_event *prev, size_t n,
                         const struct deceased_event *ev,
                         const char *death_date, struct err_detail *e);

/* Create a record: seals, masks and hashes id_number (may be NULL) and
 * inserts. d->id is set. 0, ERR_INVALID (bad ID number, in err),
 * ERR_CONFLICT (ext_id already used at the agency), ERR_DB. */
int deceased_create(struct store *st, const struct crypto *c,
                    struct deceased *d, const char *id_number,
                    struct err_detail *e);

/* Add an event in one transaction: loads the timeline, applies the order
 * rules, inserts, and touches the record. ev->id is set. Errors as
 * deceased_event_check, plus ERR_NOT_FOUND (no record / no plot). */
int deceased_event_add(struct store *st, int64_t deceased_id,
                       struct deceased_event *ev, int64_t created_by,
                       struct err_detail *e);

/* The ID number in clear; caller frees with free(). NULL when the record
 * has none or it cannot be opened. */
char *deceased_id_reveal(struct store *st, const struct crypto *c, int64_t id);

#endif
