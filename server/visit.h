/* visit.h — cemetery visit slots, bookings and check-in at the gate.
 *
 * Rules (docs/api.md, "Visits and proxy sweeping"):
 *   - a slot has a date, a start and end time ("HH:MM", China Standard
 *     Time) and a capacity in persons; booked never exceeds capacity: the
 *     places are taken by one guarded UPDATE inside BEGIN IMMEDIATE, so of
 *     many concurrent bookings exactly the ones that fit win, the others
 *     get ERR_FULL;
 *   - a booking covers 1 to VISIT_PERSONS_MAX persons, for a plot of the
 *     slot's cemetery, with a contact phone kept sealed and masked; one
 *     active booking per account and slot; no booking of a past day;
 *   - cancelling frees the places; a checked-in booking cannot be cancelled;
 *   - check-in happens once, only on the slot's date, only at the slot's
 *     cemetery.
 * Dates are "YYYY-MM-DD" in China Standard Time (UTC+8).
 */
#ifndef SINIAN_VISIT_H
#define SINIAN_VISIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "textlimit.h"

struct store;
struct crypto;

#define VISIT_PERSONS_MAX  5
#define VISIT_CAPACITY_MAX 100000
#define VISIT_CODE_LEN     12   /* ticket code characters */
#define VISIT_BATCH_MAX    1000 /* slots per publishing request: a season */

enum visit_state { VISIT_BOOKED = 0, VISIT_CANCELLED, VISIT_CHECKED_IN };

struct visit_slot {
	int64_t id;
	int64_t cemetery_id;
	char date[11]; /* YYYY-MM-DD */
	char start[6]; /* HH:MM */
	char end[6];   /* HH:MM, after start */
	int capacity;  /* persons, 1..VISIT_CAPACITY_MAX */
	int booked;    /* persons of active bookings */
	int64_t created_by;
};

struct visit_booking {
	int64_t id;
	int64_t slot_id;
	int64_t cemetery_id;
	int64_t plot_id;
	int64_t user_id;   /* whose booking it is */
	int64_t booked_by; /* staff who booked on their behalf; 0: self */
	int persons;
	char phone_masked[24];
	char code[VISIT_CODE_LEN + 1];
	enum visit_state state;
	char checked_in_at[24]; /* "" unless checked in */
	int64_t checked_in_by;
	char cancelled_at[24];
	char created_at[24];
	/* joined for display */
	char date[11], start[6], end[6];
	char cemetery_name[TEXT_BUF(ORG_NAME_MAX)];
	char plot_section[TEXT_BUF(PLOT_LABEL_MAX)];
	char plot_row[TEXT_BUF(PLOT_LABEL_MAX)];
	char plot_number[TEXT_BUF(PLOT_LABEL_MAX)];
	char user_name[TEXT_BUF(DISPLAY_NAME_MAX)];
};

/* What a booking request carries (validated by visit_book). */
struct visit_booking_in {
	int64_t slot_id;
	int64_t plot_id;
	int64_t user_id;   /* the visitor's account */
	int64_t booked_by; /* 0, or the staff member booking for user_id */
	int persons;
	const char *phone; /* as typed; normalised and checked here */
};

const char *visit_state_name(enum visit_state s); /* "booked", ... */
int visit_state_parse(const char *s);             /* -1 when unknown */

/* True for a real calendar date "YYYY-MM-DD" of the years 2000 to 2200 /
 * a time "HH:MM". */
bool visit_date_valid(const char *s);
bool visit_time_valid(const char *s);
/* Today's date in China Standard Time into out (11 bytes). */
void visit_today(char *out);
/* Date plus days (may be negative) into out (11 bytes); ERR_INVALID. */
int visit_date_add(const char *date, int days, char *out);

/* Check a slot's fields (date, times, start < end, capacity). 0 or
 * ERR_INVALID with a sentence in err. */
int visit_slot_validate(const struct visit_slot *s, struct err_detail *e);

/* Publish n slots of a cemetery in one transaction (all or none); ids are
 * written back into slots[i].id. ERR_INVALID (field, with index), ERR_CONFLICT
 * (a slot with the same date and start exists), ERR_NOT_FOUND (cemetery). */
int visit_slots_create(struct store *st, int64_t cemetery_id,
                       struct visit_slot *slots, size_t n, int64_t created_by,
                       struct err_detail *err);

/* Normalise a contact phone: a mainland mobile "1xxxxxxxxxx" (spaces,
 * dashes and +86 removed) or a landline "0" + 9 to 11 digits. */
int visit_phone_normalize(const char *in, char *out, size_t outlen);

/* A fresh random ticket code (VISIT_CODE_LEN characters of an alphabet
 * without 0/O, 1/I/L) into out (VISIT_CODE_LEN + 1 bytes). */
void visit_code_new(char *out);
/* Normalise a scanned or typed code (upper-case, spaces and dashes
 * dropped). ERR_INVALID when it cannot be a code. */
int visit_code_normalize(const char *in, char *out, size_t outlen);

/* Book a visit in one transaction. today is visit_today() (a parameter so
 * tests can move the clock). Fills out. 0; ERR_INVALID (persons, phone);
 * ERR_NOT_FOUND (slot, or a plot not of the slot's cemetery); ERR_CONFLICT
 * ("already_booked", "slot_past"); ERR_FULL ("slot_full"). */
int visit_book(struct store *st, const struct crypto *c,
               const struct visit_booking_in *in, const char *today,
               struct visit_booking *out, struct err_detail *err);

/* Cancel a booking and free its places. ERR_NOT_FOUND; ERR_CONFLICT
 * ("already_cancelled", "already_checked_in"). */
int visit_cancel(struct store *st, int64_t booking_id, struct err_detail *err);

/* May booking b be checked in at cemetery_id today? Pure. 0; ERR_FORBIDDEN
 * ("other_cemetery"); ERR_CONFLICT ("already_checked_in", "cancelled",
 * "wrong_day"). */
int visit_checkin_check(const struct visit_booking *b, int64_t cemetery_id,
                        const char *today, struct err_detail *err);

/* Check in booking_id (after visit_checkin_check in the same
 * transaction; cemetery_id 0: the booking's own). Fills out. */
int visit_checkin(struct store *st, int64_t booking_id, int64_t cemetery_id,
                  const char *today, int64_t actor_id,
                  struct visit_booking *out, struct err_detail *err);

#endif
