/* ics.c — iCalendar text for calendars on people's phones, built and
 * serialised by libical (escaping, line folding and CRLFs are its job).
 *
 * Owns the shape of the feeds: UIDs stable across fetches (so a phone
 * updates an event instead of duplicating it), alarms, the calendar's name
 * and refresh interval. Knows nothing of HTTP or the store; called by
 * api_calendar.c and the unit tests.
 */
#include "ics.h"
#include "mourning.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static icalcomponent *calendar_new(const char *name)
{
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalproperty *p;

	icalcomponent_add_property(
	    cal, icalproperty_new_prodid("-//sinian//mourning calendar//ZH"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(
	    cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
	/* how often subscribers fetch again (RFC 7986, and Apple's and
	 * Microsoft's older names) */
	icalcomponent_add_property(cal,
	                           icalproperty_new_refreshinterval(
	                               icaldurationtype_from_int(24 * 3600)));
	p = icalproperty_new_x("P1D");
	icalproperty_set_x_name(p, "X-PUBLISHED-TTL");
	icalcomponent_add_property(cal, p);
	if (name) {
		icalcomponent_add_property(cal, icalproperty_new_name(name));
		p = icalproperty_new_x(name);
		icalproperty_set_x_name(p, "X-WR-CALNAME");
		icalcomponent_add_property(cal, p);
	}
	p = icalproperty_new_x("Asia/Shanghai");
	icalproperty_set_x_name(p, "X-WR-TIMEZONE");
	icalcomponent_add_property(cal, p);
	return cal;
}

/* A display alarm `seconds` from the start of the event (negative:
 * before). */
static void add_alarm(icalcomponent *ev, int seconds, const char *text)
{
	icalcomponent *al = icalcomponent_new(ICAL_VALARM_COMPONENT);
	struct icaltriggertype trig;

	memset(&trig, 0, sizeof(trig));
	trig.time = icaltime_null_time();
	trig.duration = icaldurationtype_from_int(seconds);
	icalcomponent_add_property(
	    al, icalproperty_new_action(ICAL_ACTION_DISPLAY));
	icalcomponent_add_property(al, icalproperty_new_trigger(trig));
	icalcomponent_add_property(al, icalproperty_new_description(text));
	icalcomponent_add_component(ev, al);
}

static char *finish(icalcomponent *cal, size_t *len)
{
	char *s = icalcomponent_as_ical_string_r(cal);
	char *out = s ? strdup(s) : NULL;

	if (s)
		icalmemory_free_buffer(s);
	icalcomponent_free(cal);
	if (out && len)
		*len = strlen(out);
	return out;
}

static struct icaltimetype day_of(const char *date)
{
	struct icaltimetype t = icaltime_null_date();
	int y, m, d;

	if (sscanf(date, "%d-%d-%d", &y, &m, &d) == 3) {
		t.year = y;
		t.month = m;
		t.day = d;
	}
	return t;
}

static struct icaltimetype now_utc(void)
{
	return icaltime_from_timet_with_zone(time(NULL), 0,
	                                     icaltimezone_get_utc_timezone());
}

static icalcomponent *mourning_event(const struct ics_feed *f,
                                     const struct mourning_date *d)
{
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	struct icaltimetype start = day_of(d->date), end = start;
	char title[160], summary[400], lunar[64], uid[200], desc[900];
	bool en = f->lang && strcmp(f->lang, "en") == 0;

	mourning_title(d, f->lang, title, sizeof(title));
	mourning_lunar_label(d, f->lang, lunar, sizeof(lunar));
	snprintf(summary, sizeof(summary), "%s · %s", title, f->name);
	snprintf(uid, sizeof(uid), "memorial-%lld-%s%d-%s@%s",
	         (long long)f->memorial_id, mourning_kind_name(d->kind), d->n,
	         d->date, f->host);
	snprintf(desc, sizeof(desc), "%s%s%s\n%s", title, lunar[0] ? " · " : "",
	         lunar, f->url);
	icaltime_adjust(&end, 1, 0, 0, 0);
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(now_utc()));
	icalcomponent_add_property(ev, icalproperty_new_dtstart(start));
	icalcomponent_add_property(ev, icalproperty_new_dtend(end));
	icalcomponent_add_property(ev, icalproperty_new_summary(summary));
	icalcomponent_add_property(ev, icalproperty_new_description(desc));
	icalcomponent_add_property(ev, icalproperty_new_url(f->url));
	icalcomponent_add_property(
	    ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	icalcomponent_add_property(
	    ev, icalproperty_new_categories(mourning_kind_name(d->kind)));
	/* all-day events start at 00:00 local time */
	add_alarm(ev, -15 * 3600, en ? "Tomorrow" : "明天");
	add_alarm(ev, 8 * 3600, en ? "Today" : "今天");
	return ev;
}

char *ics_memorial(const struct ics_feed *f, const GArray *dates, size_t *len)
{
	char name[300];
	icalcomponent *cal;

	snprintf(name, sizeof(name), "%s · %s", f->name,
	         f->lang && strcmp(f->lang, "en") == 0 ? "mourning days"
	                                               : "思念日历");
	cal = calendar_new(name);
	for (guint i = 0; i < dates->len; i++)
		icalcomponent_add_component(
		    cal,
		    mourning_event(
		        f, &g_array_index(dates, struct mourning_date, i)));
	return finish(cal, len);
}

/* "2026-04-04T09:00:00Z" as a UTC time; false when malformed. */
static bool utc_of(const char *s, struct icaltimetype *out)
{
	GDateTime *dt = s ? g_date_time_new_from_iso8601(s, NULL) : NULL;

	if (!dt)
		return false;
	*out = icaltime_from_timet_with_zone((time_t)g_date_time_to_unix(dt), 0,
	                                     icaltimezone_get_utc_timezone());
	g_date_time_unref(dt);
	return true;
}

char *ics_event(const struct ics_event *e, size_t *len)
{
	struct icaltimetype start, end;
	icalcomponent *cal, *ev;
	char uid[200], desc[1200];

	if (!utc_of(e->start, &start) || !utc_of(e->end, &end))
		return NULL;
	cal = calendar_new(NULL);
	ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	snprintf(uid, sizeof(uid), "%s@%s", e->uid, e->host);
	snprintf(desc, sizeof(desc), "%s\n%s", e->description, e->url);
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(now_utc()));
	icalcomponent_add_property(ev, icalproperty_new_dtstart(start));
	icalcomponent_add_property(ev, icalproperty_new_dtend(end));
	icalcomponent_add_property(ev, icalproperty_new_summary(e->title));
	icalcomponent_add_property(ev, icalproperty_new_description(desc));
	icalcomponent_add_property(ev, icalproperty_new_url(e->url));
	if (e->location && *e->location)
		icalcomponent_add_property(
		    ev, icalproperty_new_location(e->location));
	add_alarm(ev, -24 * 3600, e->title);
	add_alarm(ev, -30 * 60, e->title);
	icalcomponent_add_component(cal, ev);
	return finish(cal, len);
}
