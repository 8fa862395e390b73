/* ceremony.c — the rules of a ceremony's life, without storage or media.
 *
 * scheduled → live → ended; a live ceremony whose source drops stays live
 * (viewers see the slate); an ended ceremony never goes live again (its
 * recording is the replay). Also validates times and camera URLs.
 */
#include "ceremony.h"
#include "err.h"

#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

static const char *const state_names[] = {"scheduled", "live", "ended"};
static const char *const source_names[] = {"test", "rtsp", "whip"};

const char *ceremony_state_name(enum ceremony_state s)
{
	return s <= CER_ENDED ? state_names[s] : "?";
}

const char *ceremony_source_name(enum ceremony_source s)
{
	return s <= SRC_WHIP ? source_names[s] : "?";
}

static const char *const cond_names[] = {"published", "pending", "hidden"};

const char *ceremony_cond_state_name(enum cond_state s)
{
	return s <= COND_HIDDEN ? cond_names[s] : "?";
}

int ceremony_cond_state_parse(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(cond_names[i], s) == 0)
			return i;
	return -1;
}

int ceremony_source_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(source_names[i], s) == 0)
			return i;
	return -1;
}

int ceremony_transition(enum ceremony_state from, enum ceremony_state to,
                        struct err_detail *e)
{
	if ((from == CER_SCHEDULED && (to == CER_LIVE || to == CER_ENDED)) ||
	    (from == CER_LIVE && to == CER_ENDED))
		return 0;
	return err_fail(e, ERR_CONFLICT, NULL,
	                "the ceremony is %s; it cannot become %s",
	                ceremony_state_name(from), ceremony_state_name(to));
}

bool ceremony_time_valid(const char *s)
{
	int y, mo, d, h, mi, sec = 0, n = 0;
	size_t len = strlen(s);

	if (len != 17 && len != 20)
		return false;
	if (len == 20) {
		if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h,
		           &mi, &sec, &n) != 6 ||
		    n != 20)
			return false;
	} else if (sscanf(s, "%4d-%2d-%2dT%2d:%2dZ%n", &y, &mo, &d, &h, &mi,
	                  &n) != 5 ||
	           n != 17) {
		return false;
	}
	/* a day the calendar has (no 02-30), in years a ceremony can be */
	return y >= 2000 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 &&
	       g_date_valid_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y) &&
	       h <= 23 && mi <= 59 && sec <= 59 && h >= 0 && mi >= 0 &&
	       sec >= 0;
}

bool ceremony_rtsp_url_valid(const char *s)
{
	const char *host;

	if (strncmp(s, "rtsp://", 7) == 0)
		host = s + 7;
	else if (strncmp(s, "rtsps://", 8) == 0)
		host = s + 8;
	else
		return false;
	if (!*host || *host == '/' || *host == ':' ||
	    strlen(s) > CEREMONY_URL_MAX)
		return false;
	for (const char *p = s; *p; p++) /* printable ASCII, no spaces */
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

bool ceremony_tz_valid(const char *tz)
{
	GTimeZone *z;
	bool ok;

	if (!tz || !*tz || strlen(tz) > 63 || tz[0] == '/' || strstr(tz, ".."))
		return false;
	for (const char *p = tz; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("/_+-", *p))
			return false;
	z = g_time_zone_new_identifier(tz);
	ok = z != NULL;
	if (z)
		g_time_zone_unref(z);
	return ok;
}
