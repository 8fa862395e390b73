/* ceremony.h — farewell ceremonies: the record, its state machine, stream
 * keys and invite tokens. No HTTP and no GStreamer here: api_ceremony.c
 * and api_whep.c drive the media through media.h.
 */
#ifndef SINIAN_CEREMONY_H
#define SINIAN_CEREMONY_H

#include "err.h"
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "textlimit.h"

#define CEREMONY_URL_MAX 500 /* bytes of an rtsp:// URL (printable ASCII) */

struct store;

enum ceremony_state { CER_SCHEDULED = 0, CER_LIVE, CER_ENDED };
enum ceremony_source { SRC_TEST = 0, SRC_RTSP, SRC_WHIP };

struct ceremony {
	int64_t id;
	int64_t agency_id;
	int64_t hall_id;     /* 0: none */
	int64_t memorial_id; /* 0: none */
	char title[TEXT_BUF(CEREMONY_TITLE_MAX)];
	char deceased_name[TEXT_BUF(DECEASED_NAME_MAX)];
	char scheduled_start[32];
	char scheduled_end[32];
	bool invite_only;
	enum ceremony_source source;
	char source_url[CEREMONY_URL_MAX + 1];
	char stream_key_hash[65];
	enum ceremony_state state;
	char started_at[32];
	char ended_at[32];
	char recording_path[1024];
	int64_t created_by;
	char time_zone[64]; /* IANA name its times are told in */
};

/* A condolence: published (everyone watching sees it), pending (waits
 * for a moderator: the memorial holds messages) or hidden. */
enum cond_state { COND_PUBLISHED = 0, COND_PENDING, COND_HIDDEN };

struct ceremony_message {
	int64_t id;
	char from_name[TEXT_BUF(SENDER_NAME_MAX)];
	char text[TEXT_BUF(CONDOLENCE_TEXT_MAX)];
	char created_at[32];
	enum cond_state state;
};

const char *ceremony_state_name(enum ceremony_state s);
const char *ceremony_cond_state_name(enum cond_state s);
int ceremony_cond_state_parse(const char *s); /* -1 if unknown */
const char *ceremony_source_name(enum ceremony_source s);
int ceremony_source_parse(const char *s); /* -1 if unknown */

/* May a ceremony go from `from` to `to`? 0, or ERR_CONFLICT with a
 * message naming the current state in e. */
int ceremony_transition(enum ceremony_state from, enum ceremony_state to,
                        struct err_detail *e);

/* Check an ISO 8601 UTC time "YYYY-MM-DDTHH:MM(:SS)Z" on a real calendar
 * day of the years 2000 to 2200. */
bool ceremony_time_valid(const char *s);

#define CEREMONY_TZ_DEFAULT "Asia/Shanghai"

/* Check an IANA time zone name that this system knows ("Asia/Shanghai",
 * "America/New_York"). */
bool ceremony_tz_valid(const char *tz);

/* Check an RTSP URL (rtsp:// or rtsps://, host, printable ASCII without
 * spaces, at most CEREMONY_URL_MAX bytes). */
bool ceremony_rtsp_url_valid(const char *s);

#endif
