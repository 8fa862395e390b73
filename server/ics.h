/* ics.h — iCalendar (RFC 5545) files built with libical: a memorial's
 * mourning calendar as all-day events with reminders, and a ceremony as
 * one timed event, for phones' own calendars ("Add to calendar",
 * webcal:// subscriptions).
 */
#ifndef SINIAN_ICS_H
#define SINIAN_ICS_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* A memorial's feed. Strings are borrowed for the call. */
struct ics_feed {
	const char *host; /* for globally unique UIDs ("example.org") */
	const char *name; /* the deceased's name, in each summary */
	const char *url;  /* the memorial page */
	const char *lang; /* "en", or Chinese for anything else */
	int64_t memorial_id;
};

/* A VCALENDAR with one all-day VEVENT per struct mourning_date in dates,
 * each with two alarms (09:00 the day before, 08:00 on the day). The
 * caller frees the text with free(); NULL on failure. */
char *ics_memorial(const struct ics_feed *f, const GArray *dates, size_t *len);

/* A ceremony: start and end are UTC ("2026-04-04T09:00:00Z"). */
struct ics_event {
	const char *host;
	const char *uid; /* unique within host ("ceremony-12") */
	const char *title;
	const char *description;
	const char *location; /* "" when none */
	const char *url;
	const char *start, *end;
};

/* A VCALENDAR with the event and alarms a day and 30 minutes before. The
 * caller frees with free(); NULL when a time is malformed or on failure. */
char *ics_event(const struct ics_event *e, size_t *len);

#endif
