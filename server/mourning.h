/* mourning.h — the mourning calendar of one deceased person: the seven
 * "sevens" (头七 … 七七), 百日, the death anniversaries (周年, 三周年 and
 * every year after), the birthday, and the days of remembrance of each year
 * (清明, 中元, 寒衣, 冬至).
 *
 * Conventions (docs/calendar.md):
 *   - the day of death is day 1: 头七 is death + 6 days, the n-th seven is
 *     death + 7n - 1 (七七, the 49th day, is death + 48), 百日 is death + 99;
 *   - anniversaries and the birthday follow either the Gregorian date or
 *     the lunar (农历) date, chosen per memorial. A lunar date in a leap
 *     month is kept on the ordinary month of that number; a 30th in a year
 *     whose month has 29 days falls on the 29th. A Gregorian 29 February
 *     falls on 28 February in common years;
 *   - 清明 and 冬至 are solar terms, 中元 is the 15th of the 7th lunar
 *     month, 寒衣 the 1st of the 10th; they are listed after the death only.
 * Lunar dates and solar terms come from liblunar-date (years 1901 to 2099);
 * outside them, lunar anniversaries fall back to the Gregorian date and the
 * lunar festivals are left out. Dates are "YYYY-MM-DD", China Standard Time.
 *
 * A struct mourning is not thread-safe (liblunar-date keeps a static cache):
 * one per thread; the daemon uses its own on the main loop.
 */
#ifndef SINIAN_MOURNING_H
#define SINIAN_MOURNING_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define MOURNING_WINDOW_MAX 3700 /* days in one request: ten years */

enum mourning_kind {
	MOURNING_QI = 0,      /* n = 1..7: 头七 … 七七 */
	MOURNING_BAIRI,       /* 百日, the 100th day */
	MOURNING_ANNIVERSARY, /* n = years since the death */
	MOURNING_BIRTHDAY,    /* n = the age the deceased would reach */
	MOURNING_QINGMING,
	MOURNING_ZHONGYUAN,
	MOURNING_HANYI,
	MOURNING_DONGZHI,
	MOURNING_KIND_COUNT
};

struct mourning_person {
	char death_date[11]; /* required */
	char birth_date[11]; /* "" when unknown */
	bool lunar;          /* anniversaries and birthday by the lunar date */
};

struct mourning_date {
	char date[11];
	enum mourning_kind kind;
	int n;         /* see enum mourning_kind; 0 for the festivals */
	bool by_lunar; /* found from the lunar date below */
	int lunar_month, lunar_day;
	bool lunar_leap;
};

struct mourning;

/* A calendar context; NULL on allocation failure. */
struct mourning *mourning_new(void);
/* NULL is a no-op. */
void mourning_free(struct mourning *m);

/* Every date of p from from to to (inclusive, at most MOURNING_WINDOW_MAX
 * days) appended to out (a GArray of struct mourning_date), which is then
 * sorted by date. ERR_INVALID for a malformed date or window. */
int mourning_dates(struct mourning *m, const struct mourning_person *p,
                   const char *from, const char *to, GArray *out);

/* The rites of the first years, past or not: the seven sevens, 百日, 周年
 * and 三周年, in date order, appended to out. ERR_INVALID. */
int mourning_rites(struct mourning *m, const struct mourning_person *p,
                   GArray *out);

/* The first date on or after today (within a year and a day): *days is 0
 * when it is today. ERR_NOT_FOUND when none, ERR_INVALID. */
int mourning_next(struct mourning *m, const struct mourning_person *p,
                  const char *today, struct mourning_date *out, int *days);

/* The lunar date of a Gregorian one (1901-02-19 to 2099-12-31). */
int mourning_lunar_of(struct mourning *m, const char *date, int *year,
                      int *month, int *day, bool *leap);

/* "qi", "bairi", "anniversary", "birthday", "qingming", "zhongyuan",
 * "hanyi", "dongzhi". */
const char *mourning_kind_name(enum mourning_kind k);

/* The name of a date for people: lang "en" gives English with the Chinese
 * name in brackets, anything else Chinese ("七七", "三周年", "清明节"). */
void mourning_title(const struct mourning_date *d, const char *lang, char *out,
                    size_t outlen);
/* "农历闰六月初六" / "lunar 6/6 (leap)" for a date found by its lunar date,
 * "" otherwise. */
void mourning_lunar_label(const struct mourning_date *d, const char *lang,
                          char *out, size_t outlen);

/* Days from a to b (b - a); ERR_INVALID via *ok false for bad dates. */
int mourning_days_between(const char *a, const char *b, bool *ok);

#endif
