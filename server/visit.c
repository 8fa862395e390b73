/* visit.c — the rules of cemetery visits: publishing slots, booking within
 * capacity, cancelling, checking in at the gate.
 *
 * Owns the decisions and the transactions; SQL is in store_visit.c (slots)
 * and store_booking.c. It never talks HTTP and never logs a phone number.
 * Called by api_visit.c and the unit tests. Capacity holds under
 * concurrency because every booking takes its places with one guarded
 * UPDATE inside BEGIN IMMEDIATE (store_begin), which serialises writers on
 * the database.
 */
#include "visit.h"
#include "crypto.h"
#include "err.h"
#include "log.h"
#include "plot.h"
#include "store.h"
#include "store_plot.h"
#include "store_org.h"
#include "store_visit.h"
#include "store_booking.h"

#include <glib.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

static const char *const state_names[] = {"booked", "cancelled", "checked_in"};

const char *visit_state_name(enum visit_state s)
{
	return (unsigned)s < G_N_ELEMENTS(state_names) ? state_names[s] : "?";
}

int visit_state_parse(const char *s)
{
	for (unsigned i = 0; s && i < G_N_ELEMENTS(state_names); i++)
		if (strcmp(s, state_names[i]) == 0)
			return (int)i;
	return -1;
}

static bool parse_date(const char *s, GDate *d)
{
	unsigned y, m, day;
	char tail;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit(s[i]))
			return false;
	if (sscanf(s, "%4u-%2u-%2u%c", &y, &m, &day, &tail) != 3)
		return false;
	/* a day the calendar has, in years a visit or an order can be */
	if (y < 2000 || y > 2200 || !g_date_valid_dmy(day, m, y))
		return false;
	g_date_clear(d, 1);
	g_date_set_dmy(d, day, m, y);
	return true;
}

bool visit_date_valid(const char *s)
{
	GDate d;

	return parse_date(s, &d);
}

bool visit_time_valid(const char *s)
{
	return s && strlen(s) == 5 && g_ascii_isdigit(s[0]) &&
	       g_ascii_isdigit(s[1]) && s[2] == ':' && g_ascii_isdigit(s[3]) &&
	       g_ascii_isdigit(s[4]) &&
	       (s[0] - '0') * 10 + (s[1] - '0') <= 23 && s[3] <= '5';
}

void visit_today(char *out)
{
	time_t now = time(NULL) + 8 * 3600; /* China Standard Time */
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int visit_date_add(const char *date, int days, char *out)
{
	GDate d;

	if (!parse_date(date, &d))
		return ERR_INVALID;
	if (days >= 0)
		g_date_add_days(&d, (guint)days);
	else
		g_date_subtract_days(&d, (guint)-days);
	if (g_date_get_year(&d) > 9999)
		return ERR_INVALID;
	g_date_strftime(out, 11, "%Y-%m-%d", &d);
	return 0;
}

int visit_slot_validate(const struct visit_slot *s, struct err_detail *e)
{
	if (!visit_date_valid(s->date)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "date: must be a date YYYY-MM-DD");
	}
	if (!visit_time_valid(s->start) || !visit_time_valid(s->end)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "start, end: must be times HH:MM");
	}
	if (strcmp(s->start, s->end) >= 0) {
		return err_fail(e, ERR_INVALID, NULL,
		                "end: must be after start");
	}
	if (s->capacity < 1 || s->capacity > VISIT_CAPACITY_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "capacity: must be 1 to %d persons",
		                VISIT_CAPACITY_MAX);
	}
	return 0;
}

int visit_slots_create(struct store *st, int64_t cemetery_id,
                       struct visit_slot *slots, size_t n, int64_t created_by,
                       struct err_detail *err)
{
	struct org o;
	struct err_detail msg = {0};
	int rc;

	if (n == 0 || n > VISIT_BATCH_MAX)
		return err_fail(err, ERR_INVALID, "invalid",
		                "slots: give 1 to %d slots", VISIT_BATCH_MAX);
	for (size_t i = 0; i < n; i++)
		if (visit_slot_validate(&slots[i], &msg))
			return n == 1 ? err_fail(err, ERR_INVALID, "invalid",
			                         "%s", msg.msg)
			              : err_fail(err, ERR_INVALID, "invalid",
			                         "slots[%zu].%s", i, msg.msg);
	if ((rc = store_org_get(st, ORG_CEMETERY, cemetery_id, &o)))
		return err_fail(err, rc, NULL, "no such cemetery");
	if ((rc = store_begin(st)))
		return err_fail(err, rc, NULL, "cannot start a transaction");
	for (size_t i = 0; i < n; i++) {
		slots[i].cemetery_id = cemetery_id;
		slots[i].created_by = created_by;
		slots[i].booked = 0;
		if ((rc = store_visit_slot_insert(st, &slots[i],
		                                  &slots[i].id))) {
			store_rollback(st);
			if (rc == ERR_CONFLICT)
				return err_fail(
				    err, rc, "slot_exists",
				    "a slot on %s at %s exists already",
				    slots[i].date, slots[i].start);
			return err_fail(err, rc, NULL, "cannot save the slot");
		}
	}
	if ((rc = store_commit(st)))
		return err_fail(err, rc, NULL, "cannot save the slots");
	return 0;
}

int visit_phone_normalize(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = in;

	if (!in)
		return ERR_INVALID;
	while (*p == ' ')
		p++;
	if (strncmp(p, "+86", 3) == 0)
		p += 3;
	for (; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (!g_ascii_isdigit(*p) || n + 1 >= outlen)
			return ERR_INVALID;
		out[n++] = *p;
	}
	out[n] = '\0';
	if (n == 11 && out[0] == '1')
		return 0;
	if (out[0] == '0' && n >= 10 && n <= 12)
		return 0;
	return ERR_INVALID;
}

void visit_code_new(char *out)
{
	const size_t k = sizeof(CODE_ALPHABET) - 1;

	for (int i = 0; i < VISIT_CODE_LEN; i++)
		out[i] = CODE_ALPHABET[randombytes_uniform((uint32_t)k)];
	out[VISIT_CODE_LEN] = '\0';
}

int visit_code_normalize(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	if (!in || outlen < VISIT_CODE_LEN + 1)
		return ERR_INVALID;
	for (const char *p = in; *p; p++) {
		char ch = g_ascii_toupper(*p);

		if (ch == ' ' || ch == '-')
			continue;
		if (!strchr(CODE_ALPHABET, ch) || ch == '\0' ||
		    n == VISIT_CODE_LEN)
			return ERR_INVALID;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == VISIT_CODE_LEN ? 0 : ERR_INVALID;
}

/* Checks that need no transaction: fields, slot, day, plot. */
static int book_precheck(struct store *st, const struct visit_booking_in *in,
                         const char *today, struct visit_slot *slot,
                         char *phone, size_t phonelen, struct err_detail *err)
{
	struct plot p;
	int rc;

	if (in->persons < 1 || in->persons > VISIT_PERSONS_MAX)
		return err_fail(err, ERR_INVALID, "invalid",
		                "persons: must be 1 to %d", VISIT_PERSONS_MAX);
	if (visit_phone_normalize(in->phone, phone, phonelen))
		return err_fail(err, ERR_INVALID, "invalid",
		                "contact_phone: must be a mobile number "
		                "(11 digits) or a landline with area code");
	if ((rc = store_visit_slot_get(st, in->slot_id, slot)))
		return err_fail(err, rc, NULL, "no such slot");
	if (strcmp(slot->date, today) < 0)
		return err_fail(err, ERR_CONFLICT, "slot_past",
		                "this slot (%s) has passed", slot->date);
	rc = store_plot_get(st, in->plot_id, &p);
	if (rc == ERR_NOT_FOUND ||
	    (rc == 0 && p.cemetery_id != slot->cemetery_id))
		return err_fail(err, ERR_NOT_FOUND, "plot_not_found",
		                "no such plot at this cemetery");
	if (rc)
		return err_fail(err, rc, NULL, "cannot read the plot");
	return 0;
}

/* Inside the transaction: one active booking per account, the places, the
 * row (a new code on the rare collision). */
static int book_tx(struct store *st, struct visit_booking *b,
                   const char *sealed, struct err_detail *err)
{
	bool active = false;
	int rc;

	if ((rc = store_booking_active(st, b->slot_id, b->user_id, &active)))
		return err_fail(err, rc, NULL, "cannot read bookings");
	if (active)
		return err_fail(
		    err, ERR_CONFLICT, "already_booked",
		    "this account has a booking for this slot already");
	if ((rc = store_visit_slot_take(st, b->slot_id, b->persons)))
		return rc == ERR_FULL
		           ? err_fail(err, rc, "slot_full",
		                      "not enough places left in this slot")
		           : err_fail(err, rc, NULL, "cannot book");
	for (int attempt = 0; attempt < 4; attempt++) {
		visit_code_new(b->code);
		rc = store_booking_insert(st, b, sealed, &b->id);
		if (rc != ERR_CONFLICT)
			break;
	}
	return rc ? err_fail(err, rc, NULL, "cannot save the booking") : 0;
}

int visit_book(struct store *st, const struct crypto *c,
               const struct visit_booking_in *in, const char *today,
               struct visit_booking *out, struct err_detail *err)
{
	struct visit_booking b = {0};
	struct visit_slot slot;
	char phone[24];
	char *sealed = NULL;
	int rc;

	if ((rc = book_precheck(st, in, today, &slot, phone, sizeof(phone),
	                        err)))
		return rc;
	b.slot_id = slot.id;
	b.cemetery_id = slot.cemetery_id;
	b.plot_id = in->plot_id;
	b.user_id = in->user_id;
	b.booked_by = in->booked_by;
	b.persons = in->persons;
	crypto_mask_phone(phone, b.phone_masked, sizeof(b.phone_masked));
	sealed = crypto_seal(c, phone);
	sodium_memzero(phone, sizeof(phone));
	if (!sealed)
		return err_fail(err, ERR_NOMEM, "internal",
		                "cannot seal the phone");
	if ((rc = store_begin(st))) {
		err_fail(err, rc, NULL, "cannot start a transaction");
		goto out_free_sealed;
	}
	if ((rc = book_tx(st, &b, sealed, err))) {
		store_rollback(st);
		goto out_free_sealed;
	}
	if ((rc = store_commit(st))) {
		err_fail(err, rc, NULL, "cannot save the booking");
		goto out_free_sealed;
	}
	rc = store_booking_get(st, b.id, out);
	if (rc)
		err_fail(err, rc, NULL, "cannot read the booking back");
out_free_sealed:
	/* a store failure, not a refusal (full, booked already) */
	if (err_http_status(rc) >= 500)
		log_error("visit", "booking slot %lld for user %lld: %s",
		          (long long)b.slot_id, (long long)b.user_id,
		          err_name(rc));
	free(sealed);
	return rc;
}

int visit_cancel(struct store *st, int64_t booking_id, struct err_detail *err)
{
	struct visit_booking b;
	int rc;

	if ((rc = store_begin(st)))
		return err_fail(err, rc, NULL, "cannot start a transaction");
	if ((rc = store_booking_get(st, booking_id, &b))) {
		err_fail(err, rc, NULL, "no such booking");
		goto out_rollback;
	}
	if (b.state != VISIT_BOOKED) {
		rc = b.state == VISIT_CANCELLED
		         ? err_fail(err, ERR_CONFLICT, "already_cancelled",
		                    "this booking is cancelled already")
		         : err_fail(
		               err, ERR_CONFLICT, "already_checked_in",
		               "this booking was used already (checked in)");
		goto out_rollback;
	}
	if ((rc = store_booking_set_state(st, b.id, VISIT_BOOKED,
	                                  VISIT_CANCELLED, 0)) ||
	    (rc = store_visit_slot_release(st, b.slot_id, b.persons))) {
		err_fail(err, rc, NULL, "cannot cancel");
		goto out_rollback;
	}
	if ((rc = store_commit(st)))
		return err_fail(err, rc, NULL, "cannot cancel");
	return 0;
out_rollback:
	store_rollback(st);
	return rc;
}

int visit_checkin_check(const struct visit_booking *b, int64_t cemetery_id,
                        const char *today, struct err_detail *err)
{
	if (cemetery_id > 0 && b->cemetery_id != cemetery_id)
		return err_fail(err, ERR_FORBIDDEN, "other_cemetery",
		                "this ticket is for another cemetery");
	if (b->state == VISIT_CHECKED_IN)
		return err_fail(err, ERR_CONFLICT, "already_checked_in",
		                "already checked in at %s", b->checked_in_at);
	if (b->state == VISIT_CANCELLED)
		return err_fail(err, ERR_CONFLICT, "cancelled",
		                "this booking was cancelled");
	if (strcmp(b->date, today) != 0)
		return err_fail(err, ERR_CONFLICT, "wrong_day",
		                "this ticket is for %s, not today (%s)",
		                b->date, today);
	return 0;
}

int visit_checkin(struct store *st, int64_t booking_id, int64_t cemetery_id,
                  const char *today, int64_t actor_id,
                  struct visit_booking *out, struct err_detail *err)
{
	struct visit_booking b;
	int rc;

	if ((rc = store_begin(st)))
		return err_fail(err, rc, NULL, "cannot start a transaction");
	if ((rc = store_booking_get(st, booking_id, &b))) {
		err_fail(err, rc, NULL, "no such booking");
		goto out_rollback;
	}
	if ((rc = visit_checkin_check(&b, cemetery_id, today, err)))
		goto out_rollback;
	if ((rc = store_booking_set_state(st, b.id, VISIT_BOOKED,
	                                  VISIT_CHECKED_IN, actor_id))) {
		err_fail(err, rc, NULL, "cannot check in");
		goto out_rollback;
	}
	if ((rc = store_commit(st)))
		return err_fail(err, rc, NULL, "cannot check in");
	return store_booking_get(st, b.id, out);
out_rollback:
	store_rollback(st);
	return rc;
}
