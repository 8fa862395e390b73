/* deceased.c — deceased records and the order of their timeline.
 *
 * Owns the validation of a record (names, dates, ID numbers), the event
 * order rules (a pure function, tested alone) and the two writes that need
 * them: creating a record with its ID number sealed, and adding an event in
 * one transaction. It never prints an ID number and knows no HTTP; the
 * SQL is in store_deceased.c (store_plot.c for the plot an event names).
 * Called by api_deceased.c, api_memorial.c, the NDJSON import and the demo
 * data.
 */
#include "deceased.h"
#include "crypto.h"
#include "err.h"
#include "jsonx.h"
#include "log.h"
#include "store.h"
#include "store_deceased.h"
#include "store_plot.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CST_OFFSET (8 * 3600) /* China Standard Time, UTC+8 */

static const char *const gender_names[GENDER_COUNT] = {"unknown", "male",
                                                       "female", "unspecified"};
static const char *const gender_codes[GENDER_COUNT] = {"0", "1", "2", "9"};
static const char *const event_names[EV_COUNT] = {
    "registered", "farewell",     "cremated", "ashes_stored",
    "buried",     "niche_placed", "eco_tree", "eco_sea"};

const char *deceased_gender_name(enum deceased_gender g)
{
	return g < GENDER_COUNT ? gender_names[g] : "unknown";
}

const char *deceased_gender_code(enum deceased_gender g)
{
	return g < GENDER_COUNT ? gender_codes[g] : "0";
}

int deceased_gender_parse(const char *name)
{
	for (int i = 0; name && i < GENDER_COUNT; i++)
		if (strcmp(gender_names[i], name) == 0)
			return i;
	return -1;
}

int deceased_gender_from_code(const char *code)
{
	for (int i = 0; code && i < GENDER_COUNT; i++)
		if (strcmp(gender_codes[i], code) == 0)
			return i;
	return -1;
}

const char *deceased_event_kind_name(enum event_kind k)
{
	return k < EV_COUNT ? event_names[k] : "?";
}

int deceased_event_kind_parse(const char *name)
{
	for (int i = 0; name && i < EV_COUNT; i++)
		if (strcmp(event_names[i], name) == 0)
			return i;
	return -1;
}

bool deceased_event_is_final(enum event_kind k)
{
	return k == EV_BURIED || k == EV_NICHE_PLACED || k == EV_ECO_TREE ||
	       k == EV_ECO_SEA;
}

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int days_in_month(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30,
	                          31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

/* "YYYY-MM-DD" at s (exactly 10 characters looked at). */
static bool date_parts(const char *s, int *y, int *m, int *d)
{
	if (strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-')
		return false;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = digits(s + 8, 2);
	return *y >= 1800 && *y <= 2199 && *m >= 1 && *m <= 12 && *d >= 1 &&
	       *d <= days_in_month(*y, *m);
}

bool deceased_date_valid(const char *s)
{
	int y, m, d;

	return s && strlen(s) == 10 && date_parts(s, &y, &m, &d);
}

void deceased_today(char *out)
{
	time_t now = time(NULL) + CST_OFFSET;
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Seconds since the epoch of 00:00 China Standard Time on a valid date. */
static int64_t date_epoch(const char *s)
{
	struct tm tm = {0};
	int y, m, d;

	if (!date_parts(s, &y, &m, &d))
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int64_t)timegm(&tm) - CST_OFFSET;
}

/* Offset part of an RFC 3339 time: "", "Z", "+08:00" → seconds east. */
static int parse_offset(const char *p, int *off)
{
	int h, m;

	if (*p == '\0') {
		*off = CST_OFFSET;
		return 0;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*off = 0;
		return 0;
	}
	if ((*p != '+' && *p != '-') || strlen(p) != 6 || p[3] != ':')
		return ERR_INVALID;
	h = digits(p + 1, 2);
	m = digits(p + 4, 2);
	if (h < 0 || h > 14 || m < 0 || m > 59)
		return ERR_INVALID;
	*off = (h * 3600 + m * 60) * (*p == '-' ? -1 : 1);
	return 0;
}

int deceased_time_norm(const char *in, char *out, size_t outlen, int64_t *epoch)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, s = 0, off;
	const char *p;
	time_t t;

	if (!in || strlen(in) < 16 || strlen(in) > 35 ||
	    !date_parts(in, &y, &mo, &d) || (in[10] != 'T' && in[10] != ' ') ||
	    in[13] != ':')
		return ERR_INVALID;
	h = digits(in + 11, 2);
	mi = digits(in + 14, 2);
	p = in + 16;
	if (*p == ':') {
		s = digits(p + 1, 2);
		p += 3;
		if (*p == '.') /* fractions are dropped */
			for (p++; isdigit((unsigned char)*p); p++)
				;
	}
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 ||
	    parse_offset(p, &off))
		return ERR_INVALID;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm) - off;
	if (epoch)
		*epoch = (int64_t)t;
	gmtime_r(&t, &tm);
	if (out && strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return ERR_INVALID;
	return 0;
}

int deceased_id_number_check(const char *s)
{
	static const int w[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
	                          3, 7, 9,  10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	size_t n = s ? strlen(s) : 0;
	int sum = 0;

	if (n == 15)
		return digits(s, 9) >= 0 && digits(s + 9, 6) >= 0 ? 0
		                                                  : ERR_INVALID;
	if (n != 18 || digits(s, 9) < 0 || digits(s + 9, 8) < 0)
		return ERR_INVALID;
	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * w[i];
	return toupper((unsigned char)s[17]) == check[sum % 11] ? 0
	                                                        : ERR_INVALID;
}

int deceased_validate(const struct deceased *d, const char *today,
                      struct err_detail *e)
{
	size_t n = jsonx_utf8_len(d->name);

	if (n < 1 || n > DECEASED_NAME_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "name: must be 1 to %d characters",
		                DECEASED_NAME_MAX);
	}
	if (jsonx_utf8_len(d->native_place) > DECEASED_PLACE_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "native_place: at most %d characters",
		                DECEASED_PLACE_MAX);
	}
	if (d->gender >= GENDER_COUNT) {
		return err_fail(e, ERR_INVALID, NULL, "gender: unknown value");
	}
	if (!deceased_date_valid(d->death_date)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "death_date: required, a date as YYYY-MM-DD "
		                "(no memorial or record for the living)");
	}
	if (d->birth_date[0] && !deceased_date_valid(d->birth_date)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "birth_date: must be a date as YYYY-MM-DD");
	}
	if (d->birth_date[0] && strcmp(d->birth_date, d->death_date) > 0) {
		return err_fail(e, ERR_INVALID, NULL,
		                "birth_date: must not be after death_date");
	}
	if (today && strcmp(d->death_date, today) > 0) {
		return err_fail(e, ERR_INVALID, NULL,
		                "death_date: must not be in the future");
	}
	return 0;
}

/* What the timeline so far holds. */
struct timeline {
	int count[EV_COUNT];
	int finals;
	enum event_kind final_kind;
	int64_t last_epoch;
};

static void timeline_of(const struct deceased_event *prev, size_t n,
                        struct timeline *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		int64_t e = 0;

		if (prev[i].kind < EV_COUNT)
			t->count[prev[i].kind]++;
		if (deceased_event_is_final(prev[i].kind)) {
			t->finals++;
			t->final_kind = prev[i].kind;
		}
		if (deceased_time_norm(prev[i].at, NULL, 0, &e) == 0 &&
		    e > t->last_epoch)
			t->last_epoch = e;
	}
}

#define FAIL(...)                                                              \
	do {                                                                   \
		return err_fail(e, ERR_CONFLICT, NULL, __VA_ARGS__);           \
	} while (0)

/* Rules 1-5: may kind k follow timeline t? */
static int order_ok(const struct timeline *t, enum event_kind k,
                    struct err_detail *e)
{
	const char *name = deceased_event_kind_name(k);

	if (k == EV_REGISTERED && t->count[EV_REGISTERED])
		FAIL("registered: the record is already registered");
	if (k != EV_REGISTERED && !t->count[EV_REGISTERED])
		FAIL("%s: the first event must be registered", name);
	if (t->finals && deceased_event_is_final(k))
		FAIL("%s: the final placement (%s) is already recorded", name,
		     deceased_event_kind_name(t->final_kind));
	if (t->finals &&
	    (k == EV_FAREWELL || k == EV_CREMATED || k == EV_ASHES_STORED))
		FAIL("%s: cannot follow the final placement (%s)", name,
		     deceased_event_kind_name(t->final_kind));
	if (k == EV_FAREWELL && t->count[EV_FAREWELL])
		FAIL("farewell: a farewell ceremony is already recorded");
	if (k == EV_FAREWELL && t->count[EV_CREMATED])
		FAIL("farewell: must come before cremated");
	if (k == EV_CREMATED && t->count[EV_CREMATED])
		FAIL("cremated: already cremated");
	if ((k == EV_ASHES_STORED || k == EV_NICHE_PLACED || k == EV_ECO_TREE ||
	     k == EV_ECO_SEA) &&
	    !t->count[EV_CREMATED])
		FAIL("%s: needs cremated first (these hold ashes)", name);
	return 0;
}

int deceased_event_check(const struct deceased_event *prev, size_t n,
                         const struct deceased_event *ev,
                         const char *death_date, struct err_detail *e)
{
	struct timeline t;
	int64_t at;
	int rc;

	if (ev->kind >= EV_COUNT)
		return err_fail(e, ERR_INVALID, NULL,
		                "kind: unknown event kind");
	if (deceased_time_norm(ev->at, NULL, 0, &at))
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "at: must be a time as YYYY-MM-DDTHH:MM:SS+08:00");
	if (ev->until[0] && ev->kind != EV_ASHES_STORED)
		return err_fail(e, ERR_INVALID, NULL,
		                "until: only for ashes_stored");
	if (ev->until[0] && (!deceased_date_valid(ev->until) ||
	                     date_epoch(ev->until) + 86400 <= at))
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "until: must be a date (YYYY-MM-DD) not before the "
		    "event");
	timeline_of(prev, n, &t);
	if ((rc = order_ok(&t, ev->kind, e)))
		return rc;
	if (n && at < t.last_epoch)
		FAIL("at: %s must not be earlier than the previous event",
		     deceased_event_kind_name(ev->kind));
	if (death_date && deceased_date_valid(death_date) &&
	    at < date_epoch(death_date))
		FAIL("at: %s must not be before the death date %s",
		     deceased_event_kind_name(ev->kind), death_date);
	return 0;
}

int deceased_create(struct store *st, const struct crypto *c,
                    struct deceased *d, const char *id_number,
                    struct err_detail *e)
{
	char hash[CRYPTO_HASH_CHARS], upper[24];
	char *sealed = NULL;
	int rc;

	d->id_masked[0] = '\0';
	if (id_number && *id_number) {
		if (deceased_id_number_check(id_number)) {
			return err_fail(
			    e, ERR_INVALID, NULL,
			    "id_number: not a valid resident ID number "
			    "(18 characters with its check digit)");
		}
		snprintf(upper, sizeof(upper), "%s", id_number);
		upper[17] = (char)toupper((unsigned char)upper[17]);
		crypto_keyed_hash(c, upper, hash);
		crypto_mask_id(upper, d->id_masked, sizeof(d->id_masked));
		sealed = crypto_seal(c, upper);
		if (!sealed)
			return ERR_NOMEM;
	}
	rc = store_deceased_insert(st, d, sealed, sealed ? hash : NULL, &d->id);
	if (rc == ERR_CONFLICT)
		err_fail(e, rc, NULL,
		         "ext_id: already imported at this agency");
	else if (rc) {
		log_error("deceased",
		          "storing a record of agency %lld by user %lld: %s",
		          (long long)d->agency_id, (long long)d->created_by,
		          err_name(rc));
		err_fail(e, rc, NULL, "cannot store the record");
	}
	free(sealed);
	return rc;
}

int deceased_event_add(struct store *st, int64_t deceased_id,
                       struct deceased_event *ev, int64_t created_by,
                       struct err_detail *e)
{
	GArray *evs = g_array_new(FALSE, FALSE, sizeof(struct deceased_event));
	struct deceased d;
	struct plot p;
	char at[24];
	int rc;

	if ((rc = store_begin(st)))
		goto out_free;
	if ((rc = store_deceased_get(st, deceased_id, &d))) {
		err_fail(e, rc, NULL, "no such deceased record");
		goto out_rollback;
	}
	if (ev->plot_id && (rc = store_plot_get(st, ev->plot_id, &p))) {
		err_fail(e, rc, NULL, "plot_id: no such plot");
		goto out_rollback;
	}
	if ((rc = store_deceased_event_list(st, deceased_id, evs)) ||
	    (rc = deceased_event_check((struct deceased_event *)evs->data,
	                               evs->len, ev, d.death_date, e)))
		goto out_rollback;
	deceased_time_norm(ev->at, at, sizeof(at), NULL);
	memcpy(ev->at, at, sizeof(at));
	ev->deceased_id = deceased_id;
	if ((rc = store_deceased_event_insert(st, ev, created_by, &ev->id)) ||
	    (rc = store_deceased_touch(st, deceased_id)) ||
	    (rc = store_commit(st))) {
		err_fail(e, rc, NULL, "cannot store the event");
		goto out_rollback;
	}
	goto out_free;
out_rollback:
	store_rollback(st);
out_free:
	g_array_free(evs, TRUE);
	return rc;
}

char *deceased_id_reveal(struct store *st, const struct crypto *c, int64_t id)
{
	char sealed[512];

	if (store_deceased_id_enc(st, id, sealed, sizeof(sealed)) || !sealed[0])
		return NULL;
	return crypto_open_sealed(c, sealed);
}
