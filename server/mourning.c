/* mourning.c — the mourning calendar: which days a family remembers its
 * dead, computed from the death date, the birth date and the memorial's
 * choice of Gregorian or lunar anniversaries.
 *
 * Owns the counting conventions written down in mourning.h and
 * docs/calendar.md. Lunar dates and solar terms come from liblunar-date;
 * this file holds no table of dates of its own, only a cache of the
 * library's answers (a conversion costs microseconds, and the daily
 * reminders ask the same few thousand again for every memorial). It never
 * touches the store or the network. Called by api_calendar.c,
 * reminder.c, ics.c and the unit tests.
 */
#include "mourning.h"
#include "deceased.h"
#include "err.h"

#include <lunar-date/lunar-date-version.h>
#include <lunar-date/lunar-date.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LUNAR_FIRST_YEAR 1901 /* liblunar-date's range, kept inside */
#define LUNAR_LAST_YEAR  2099
#define LUNAR_YEARS      (LUNAR_LAST_YEAR - LUNAR_FIRST_YEAR + 1)
#define NEXT_HORIZON     366

enum term { TERM_QINGMING = 0, TERM_DONGZHI, TERM_COUNT };

/* The caches hold the library's answers: Julian day numbers of Gregorian
 * dates, and lunar dates packed as ((year * 100 + month) * 100 + day) * 2
 * + leap; an answer is stored + 2 so that 1 means "no such day" and 0
 * (NULL) "not asked yet". Bounded by the library's 199 years: at most some
 * 72 000 lunar days each way. */
struct mourning {
	LunarDate *ld;
	GHashTable *to_solar; /* packed lunar date → Julian day */
	GHashTable *to_lunar; /* Julian day → packed lunar date */
	guint32 terms[TERM_COUNT][LUNAR_YEARS]; /* Julian day, as above */
};

/* The cached answer for key into *v (-1: no such day); false when the
 * library was not asked yet. */
static bool cache_get(GHashTable *t, int key, int *v)
{
	gpointer hit = g_hash_table_lookup(t, GINT_TO_POINTER(key));

	if (!hit)
		return false;
	*v = GPOINTER_TO_INT(hit) - 2;
	return true;
}

static int cache_put(GHashTable *t, int key, int v)
{
	g_hash_table_insert(t, GINT_TO_POINTER(key), GINT_TO_POINTER(v + 2));
	return v;
}

static const char *const kind_names[] = {"qi",       "bairi",    "anniversary",
                                         "birthday", "qingming", "zhongyuan",
                                         "hanyi",    "dongzhi"};

struct mourning *mourning_new(void)
{
	struct mourning *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->ld = lunar_date_new();
	if (!m->ld) {
		free(m);
		return NULL;
	}
	m->to_solar = g_hash_table_new(g_direct_hash, g_direct_equal);
	m->to_lunar = g_hash_table_new(g_direct_hash, g_direct_equal);
	return m;
}

void mourning_free(struct mourning *m)
{
	if (!m)
		return;
	g_hash_table_destroy(m->to_solar);
	g_hash_table_destroy(m->to_lunar);
	/* liblunar-date up to 3.0.2 (Debian 12 has 3.0.1):
	 * lunar_date_free() frees the date's parts but not the object,
	 * which has no finalize; its later sources free the parts in
	 * finalize instead. */
#if LUNAR_DATE_CHECK_VERSION(3, 0, 3)
	g_object_unref(m->ld);
#else
	lunar_date_free(m->ld);
	g_object_unref(m->ld);
#endif
	free(m);
}

const char *mourning_kind_name(enum mourning_kind k)
{
	return (unsigned)k < G_N_ELEMENTS(kind_names) ? kind_names[k] : "?";
}

/* A date of the deceased's record (deceased.c's rule: 1800 to 2199). */
static bool parse_date(const char *s, GDate *d)
{
	unsigned y, mo, day;

	if (!deceased_date_valid(s) ||
	    sscanf(s, "%4u-%2u-%2u", &y, &mo, &day) != 3)
		return false;
	g_date_clear(d, 1);
	g_date_set_dmy(d, (GDateDay)day, (GDateMonth)mo, (GDateYear)y);
	return true;
}

static void format_date(const GDate *d, char out[11])
{
	g_date_strftime(out, 11, "%Y-%m-%d", d);
}

int mourning_days_between(const char *a, const char *b, bool *ok)
{
	GDate da, db;

	*ok = parse_date(a, &da) && parse_date(b, &db);
	return *ok ? g_date_days_between(&da, &db) : 0;
}

/* ---------- liblunar-date ---------- */

static bool in_lunar_range(const GDate *d)
{
	int y = g_date_get_year(d);

	/* lunar 1901-01-01 is 1901-02-19 */
	return y > LUNAR_FIRST_YEAR && y <= LUNAR_LAST_YEAR;
}

static bool set_solar(struct mourning *m, const GDate *d)
{
	GError *e = NULL;
	bool ok;

	lunar_date_set_solar_date(m->ld, g_date_get_year(d),
	                          g_date_get_month(d), g_date_get_day(d), 0,
	                          &e);
	ok = e == NULL;
	g_clear_error(&e);
	return ok;
}

static int pack(int ly, int lm, int lday, bool leap)
{
	return ((ly * 100 + lm) * 100 + lday) * 2 + (leap ? 1 : 0);
}

/* Ask the library for the lunar date of d: its packed form, or -1. */
static int ask_lunar(struct mourning *m, const GDate *d)
{
	int ly, lm, lday, n;
	bool leap;
	char *s;

	if (!in_lunar_range(d) || !set_solar(m, d))
		return -1;
	/* "%(yue)" is the month number, "*6" for a leap sixth month */
	s = lunar_date_strftime(m->ld, "%(nian) %(yue) %(ri)");
	leap = s && strchr(s, '*') != NULL;
	if (s)
		for (char *p = s; *p; p++)
			if (*p == '*')
				*p = ' ';
	n = s ? sscanf(s, "%d %d %d", &ly, &lm, &lday) : 0;
	g_free(s);
	if (n != 3 || lm < 1 || lm > 12 || lday < 1 || lday > 30)
		return -1;
	return pack(ly, lm, lday, leap);
}

static bool lunar_of(struct mourning *m, const GDate *d, int *ly, int *lm,
                     int *lday, bool *leap)
{
	int jd = (int)g_date_get_julian(d), v;

	if (!cache_get(m->to_lunar, jd, &v))
		v = cache_put(m->to_lunar, jd, ask_lunar(m, d));
	if (v < 0)
		return false;
	*leap = v % 2;
	*lday = (v / 2) % 100;
	*lm = (v / 200) % 100;
	*ly = v / 20000;
	return true;
}

/* Ask the library for the Julian day of a lunar date, or -1. */
static int ask_solar(struct mourning *m, int ly, int lm, int lday, bool leap)
{
	GError *e = NULL;
	unsigned y, mo, day;
	char *s;
	int n;
	GDate d;

	lunar_date_set_lunar_date(m->ld, ly, lm, lday, 0, leap, &e);
	if (e) {
		g_error_free(e);
		return -1;
	}
	s = lunar_date_strftime(m->ld, "%(year) %(month) %(day)");
	n = s ? sscanf(s, "%u %u %u", &y, &mo, &day) : 0;
	g_free(s);
	if (n != 3 || !g_date_valid_dmy(day, mo, y))
		return -1;
	g_date_clear(&d, 1);
	g_date_set_dmy(&d, day, mo, y);
	return (int)g_date_get_julian(&d);
}

/* The Gregorian date of a lunar one; false when that day does not exist. */
static bool solar_of(struct mourning *m, int ly, int lm, int lday, bool leap,
                     GDate *out)
{
	int key, jd;

	if (ly < LUNAR_FIRST_YEAR || ly > LUNAR_LAST_YEAR)
		return false;
	key = pack(ly, lm, lday, leap);
	if (!cache_get(m->to_solar, key, &jd))
		jd = cache_put(m->to_solar, key,
		               ask_solar(m, ly, lm, lday, leap));
	if (jd < 0)
		return false;
	g_date_clear(out, 1);
	g_date_set_julian(out, (guint32)jd);
	return true;
}

/* liblunar-date names solar terms in pinyin, or in Chinese under a
 * Chinese locale with its translations installed. */
static bool is_term(struct mourning *m, const GDate *d, const char *zh,
                    const char *pinyin)
{
	char *h;
	bool yes;

	if (!set_solar(m, d))
		return false;
	h = lunar_date_get_holiday(m->ld, " ");
	yes = h && (strstr(h, zh) || strstr(h, pinyin));
	g_free(h);
	return yes;
}

/* ---------- collecting dates ---------- */

struct window {
	GDate from, to, death;
	GArray *out;
};

/* Where each solar term is looked for: 清明 falls on 4 to 6 April, 冬至 on
 * 21 to 23 December (a day more each way is asked). */
static const struct {
	GDateMonth month;
	int from, to;
	const char *zh, *pinyin;
} term_days[TERM_COUNT] = {
    [TERM_QINGMING] = {G_DATE_APRIL, 3, 6, "清明", "Q\xc4\xabngm\xc3\xadng"},
    [TERM_DONGZHI] = {G_DATE_DECEMBER, 20, 23, "冬至", "D\xc5\x8dngzh\xc3\xac"},
};

/* The day of solar term t in year y (asked once a year and kept). */
static bool solar_term(struct mourning *m, enum term t, int y, GDate *out)
{
	guint32 *slot;

	if (y <= LUNAR_FIRST_YEAR || y > LUNAR_LAST_YEAR)
		return false;
	slot = &m->terms[t][y - LUNAR_FIRST_YEAR];
	for (int day = term_days[t].from; *slot == 0; day++) {
		if (day > term_days[t].to) {
			*slot = 1; /* none found */
			break;
		}
		g_date_clear(out, 1);
		g_date_set_dmy(out, (GDateDay)day, term_days[t].month,
		               (GDateYear)y);
		if (is_term(m, out, term_days[t].zh, term_days[t].pinyin))
			*slot = g_date_get_julian(out) + 2;
	}
	if (*slot == 1)
		return false;
	g_date_clear(out, 1);
	g_date_set_julian(out, *slot - 2);
	return true;
}

static void add(struct window *w, const GDate *d, enum mourning_kind k, int n,
                const int *lunar)
{
	struct mourning_date md = {.kind = k, .n = n};

	if (g_date_compare(d, &w->from) < 0 || g_date_compare(d, &w->to) > 0)
		return;
	format_date(d, md.date);
	if (lunar) {
		md.by_lunar = true;
		md.lunar_month = lunar[0];
		md.lunar_day = lunar[1];
		md.lunar_leap = lunar[2] != 0;
	}
	g_array_append_val(w->out, md);
}

static void add_days(struct window *w, int days, enum mourning_kind k, int n)
{
	GDate d = w->death;

	g_date_add_days(&d, (guint)days);
	add(w, &d, k, n, NULL);
}

/* Gregorian yearly date of `base` in year y (29 February → 28). */
static void same_day_in(const GDate *base, int y, GDate *out)
{
	int mo = g_date_get_month(base), day = g_date_get_day(base);

	if (mo == 2 && day == 29 && !g_date_is_leap_year(y))
		day = 28;
	g_date_clear(out, 1);
	g_date_set_dmy(out, day, mo, y);
}

/* The Gregorian date of lunar month lm, day lday in lunar year y: the
 * ordinary month (not its leap twin), and the 29th when that month has no
 * 30th that year; *used_day gets the day kept. */
static bool lunar_yearly(struct mourning *m, int y, int lm, int lday,
                         GDate *out, int *used_day)
{
	*used_day = lday;
	if (solar_of(m, y, lm, lday, false, out))
		return true;
	*used_day = 29;
	return lday == 30 && solar_of(m, y, lm, 29, false, out);
}

/* Yearly dates from base (death: anniversaries; birth: birthdays), by
 * the Gregorian or the lunar date, after the death and in the window. */
static void yearly(struct mourning *m, struct window *w, const GDate *base,
                   enum mourning_kind k, bool lunar)
{
	int by = g_date_get_year(base), ly, lm, lday, l3[3];
	int y0 = g_date_get_year(&w->from) - 1, y1 = g_date_get_year(&w->to);
	bool leap;
	GDate d;

	if (lunar && lunar_of(m, base, &ly, &lm, &lday, &leap)) {
		/* lunar year y begins in Gregorian year y */
		for (int y = y0 > ly + 1 ? y0 : ly + 1; y <= y1; y++) {
			l3[0] = lm;
			l3[2] = 0;
			if (lunar_yearly(m, y, lm, lday, &d, &l3[1]) &&
			    g_date_compare(&d, &w->death) > 0)
				add(w, &d, k, y - ly, l3);
		}
		return;
	}
	for (int y = y0 > by + 1 ? y0 : by + 1; y <= y1; y++) {
		same_day_in(base, y, &d);
		if (g_date_compare(&d, &w->death) > 0)
			add(w, &d, k, y - by, NULL);
	}
}

static void festivals(struct mourning *m, struct window *w)
{
	static const int zhongyuan[3] = {7, 15, 0}, hanyi[3] = {10, 1, 0};
	int y0 = g_date_get_year(&w->from), y1 = g_date_get_year(&w->to);
	GDate d;

	for (int y = y0; y <= y1; y++) {
		if (solar_term(m, TERM_QINGMING, y, &d) &&
		    g_date_compare(&d, &w->death) > 0)
			add(w, &d, MOURNING_QINGMING, 0, NULL);
		if (solar_of(m, y, 7, 15, false, &d) &&
		    g_date_compare(&d, &w->death) > 0)
			add(w, &d, MOURNING_ZHONGYUAN, 0, zhongyuan);
		if (solar_of(m, y, 10, 1, false, &d) &&
		    g_date_compare(&d, &w->death) > 0)
			add(w, &d, MOURNING_HANYI, 0, hanyi);
		if (solar_term(m, TERM_DONGZHI, y, &d) &&
		    g_date_compare(&d, &w->death) > 0)
			add(w, &d, MOURNING_DONGZHI, 0, NULL);
	}
}

static gint by_date(gconstpointer a, gconstpointer b)
{
	const struct mourning_date *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	return c ? c : (int)x->kind - (int)y->kind;
}

int mourning_dates(struct mourning *m, const struct mourning_person *p,
                   const char *from, const char *to, GArray *out)
{
	struct window w = {.out = out};
	GDate birth;

	if (!parse_date(p->death_date, &w.death) ||
	    !parse_date(from, &w.from) || !parse_date(to, &w.to) ||
	    g_date_days_between(&w.from, &w.to) < 0 ||
	    g_date_days_between(&w.from, &w.to) > MOURNING_WINDOW_MAX)
		return ERR_INVALID;
	for (int n = 1; n <= 7; n++)
		add_days(&w, 7 * n - 1, MOURNING_QI, n);
	add_days(&w, 99, MOURNING_BAIRI, 0);
	yearly(m, &w, &w.death, MOURNING_ANNIVERSARY, p->lunar);
	if (p->birth_date[0] && parse_date(p->birth_date, &birth))
		yearly(m, &w, &birth, MOURNING_BIRTHDAY, p->lunar);
	festivals(m, &w);
	g_array_sort(out, by_date);
	return 0;
}

int mourning_rites(struct mourning *m, const struct mourning_person *p,
                   GArray *out)
{
	GArray *all = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));
	char to[11];
	GDate d;
	int rc;

	if (!parse_date(p->death_date, &d)) {
		g_array_free(all, TRUE);
		return ERR_INVALID;
	}
	/* the third anniversary is at most 3 years and a lunar month on */
	g_date_add_days(&d, 3 * 366 + 60);
	format_date(&d, to);
	rc = mourning_dates(m, p, p->death_date, to, all);
	for (guint i = 0; rc == 0 && i < all->len; i++) {
		struct mourning_date *x =
		    &g_array_index(all, struct mourning_date, i);

		if (x->kind == MOURNING_QI || x->kind == MOURNING_BAIRI ||
		    (x->kind == MOURNING_ANNIVERSARY &&
		     (x->n == 1 || x->n == 3)))
			g_array_append_val(out, *x);
	}
	g_array_free(all, TRUE);
	return rc;
}

int mourning_next(struct mourning *m, const struct mourning_person *p,
                  const char *today, struct mourning_date *out, int *days)
{
	GArray *all = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));
	char to[11];
	GDate d;
	bool ok;
	int rc;

	if (!parse_date(today, &d)) {
		g_array_free(all, TRUE);
		return ERR_INVALID;
	}
	g_date_add_days(&d, NEXT_HORIZON);
	format_date(&d, to);
	rc = mourning_dates(m, p, today, to, all);
	if (rc == 0 && all->len == 0)
		rc = ERR_NOT_FOUND;
	if (rc == 0) {
		*out = g_array_index(all, struct mourning_date, 0);
		*days = mourning_days_between(today, out->date, &ok);
	}
	g_array_free(all, TRUE);
	return rc;
}

int mourning_lunar_of(struct mourning *m, const char *date, int *year,
                      int *month, int *day, bool *leap)
{
	GDate d;

	if (!parse_date(date, &d))
		return ERR_INVALID;
	return lunar_of(m, &d, year, month, day, leap) ? 0 : ERR_INVALID;
}

/* ---------- names ---------- */

static const char *const zh_digits[] = {"",   "一", "二", "三", "四",
                                        "五", "六", "七", "八", "九"};

/* 1..99 in Chinese numerals ("二十一"). */
static void zh_number(int n, char *out, size_t outlen)
{
	int tens = n / 10, ones = n % 10;

	if (n < 1 || n > 99)
		snprintf(out, outlen, "%d", n);
	else if (tens == 0)
		snprintf(out, outlen, "%s", zh_digits[ones]);
	else
		snprintf(out, outlen, "%s十%s", tens > 1 ? zh_digits[tens] : "",
		         zh_digits[ones]);
}

static const char *ordinal_suffix(int n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	switch (n % 10) {
	case 1: return "st";
	case 2: return "nd";
	case 3: return "rd";
	default: return "th";
	}
}

static void title_zh(const struct mourning_date *d, char *out, size_t outlen)
{
	static const char *const qi[] = {"头七", "二七", "三七", "四七",
	                                 "五七", "六七", "七七"};
	static const char *const fixed[] = {[MOURNING_QINGMING] = "清明节",
	                                    [MOURNING_ZHONGYUAN] = "中元节",
	                                    [MOURNING_HANYI] = "寒衣节",
	                                    [MOURNING_DONGZHI] = "冬至"};
	char num[32];

	switch (d->kind) {
	case MOURNING_QI:
		snprintf(out, outlen, "%s", qi[(d->n - 1) % 7]);
		return;
	case MOURNING_BAIRI: snprintf(out, outlen, "百日"); return;
	case MOURNING_ANNIVERSARY:
		zh_number(d->n, num, sizeof(num));
		snprintf(out, outlen, "%s周年", d->n == 1 ? "" : num);
		return;
	case MOURNING_BIRTHDAY:
		zh_number(d->n, num, sizeof(num));
		snprintf(out, outlen, "%s冥诞", d->n > 0 ? num : "");
		return;
	default: snprintf(out, outlen, "%s", fixed[d->kind]); return;
	}
}

static void title_en(const struct mourning_date *d, char *out, size_t outlen)
{
	static const char *const nth[] = {"First", "Second", "Third",  "Fourth",
	                                  "Fifth", "Sixth",  "Seventh"};
	static const char *const fixed[] = {
	    [MOURNING_QINGMING] = "Qingming Festival",
	    [MOURNING_ZHONGYUAN] = "Zhongyuan Festival",
	    [MOURNING_HANYI] = "Winter Clothes Festival",
	    [MOURNING_DONGZHI] = "Winter Solstice"};
	char zh[64];

	title_zh(d, zh, sizeof(zh));
	switch (d->kind) {
	case MOURNING_QI:
		snprintf(out, outlen, "%s seventh day%s (%s)",
		         nth[(d->n - 1) % 7], d->n == 7 ? ", the 49th" : "",
		         zh);
		return;
	case MOURNING_BAIRI:
		snprintf(out, outlen, "Hundredth day (%s)", zh);
		return;
	case MOURNING_ANNIVERSARY:
		snprintf(out, outlen, "%d%s anniversary (%s)", d->n,
		         ordinal_suffix(d->n), zh);
		return;
	case MOURNING_BIRTHDAY:
		snprintf(out, outlen, "Birthday, %d years (%s)", d->n, zh);
		return;
	default: snprintf(out, outlen, "%s (%s)", fixed[d->kind], zh); return;
	}
}

void mourning_title(const struct mourning_date *d, const char *lang, char *out,
                    size_t outlen)
{
	if ((unsigned)d->kind >= MOURNING_KIND_COUNT) {
		snprintf(out, outlen, "?");
		return;
	}
	if (lang && strcmp(lang, "en") == 0)
		title_en(d, out, outlen);
	else
		title_zh(d, out, outlen);
}

void mourning_lunar_label(const struct mourning_date *d, const char *lang,
                          char *out, size_t outlen)
{
	static const char *const months[] = {"正月", "二月", "三月",   "四月",
	                                     "五月", "六月", "七月",   "八月",
	                                     "九月", "十月", "十一月", "腊月"};
	static const char *const tens[] = {"初", "十", "廿", "三"};
	int day = d->lunar_day;

	if (!d->by_lunar || d->lunar_month < 1 || d->lunar_month > 12 ||
	    day < 1 || day > 30) {
		snprintf(out, outlen, "%s", "");
		return;
	}
	if (lang && strcmp(lang, "en") == 0) {
		snprintf(out, outlen, "lunar %d/%d%s", d->lunar_month, day,
		         d->lunar_leap ? " (leap)" : "");
		return;
	}
	/* 初十, 二十 and 三十 are spelled whole */
	snprintf(out, outlen, "农历%s%s%s%s", d->lunar_leap ? "闰" : "",
	         months[d->lunar_month - 1],
	         day == 20   ? "二"
	         : day == 30 ? "三"
	                     : tens[(day - 1) / 10],
	         day % 10 == 0 ? "十" : zh_digits[day % 10]);
}
