/* whip.h — WHIP ingest: one publisher (OBS 30+, a browser, any WHIP
 * client) sending the picture and sound of a live ceremony.
 *
 * whip_new() answers the publisher's send-only offer with a receive-only
 * webrtcbin: set the remote offer, create and set the answer, wait for ICE
 * gathering (bounded), then one WHIP_ANSWER event with the complete
 * answer. The webrtcbin lives in a bin handed to the ceremony as its live
 * source (media_ceremony_source_bin_start); what arrives is depayloaded
 * and decoded (H.264 or VP8, Opus) to raw pads "video" and "audio", which
 * the ceremony encodes once for its viewers. When the publisher leaves,
 * fails or falls silent, the source stops (viewers see the slate) and one
 * WHIP_ENDED event follows. All calls and events on the default main
 * context.
 */
#ifndef SINIAN_WHIP_H
#define SINIAN_WHIP_H

#include "rtc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err_detail;
struct media_ctx;

#define WHIP_ID_LEN RTC_ID_LEN

struct whip_settings {
	struct rtc_ice ice;          /* strings are copied */
	unsigned gather_timeout_ms;  /* answer anyway after this; 0: 2000 */
	unsigned connect_timeout_ms; /* answered, not connected; 0: 10000 */
	unsigned idle_timeout_ms;    /* connected, no RTP this long; 0: 10000 */
};

enum whip_event {
	WHIP_ANSWER, /* once: status 0 and text = answer SDP, or status < 0 */
	WHIP_ENDED,  /* after the answer: text = reason; the slate shows */
};

struct whip;

/* The owner may close and unref w from inside the callback. */
typedef void (*whip_event_fn)(struct whip *w, enum whip_event ev, int status,
                              const char *text, void *user_data);

/* Check the offer[0..len) (a WHIP publisher's: every audio/video section
 * sendonly, with H.264 or VP8 and/or Opus) and start answering it for the
 * open ceremony ceremony_id of ctx. 0 (events follow, never from inside
 * this call), ERR_INVALID (malformed, or not a publisher's offer),
 * ERR_TOO_LARGE, ERR_UNSUPPORTED (no codec we decode), ERR_NOT_FOUND (the
 * ceremony is not open) or ERR_UNAVAILABLE, with e filled. The caller
 * owns one reference. */
int whip_new(struct media_ctx *ctx, int64_t ceremony_id,
             const struct whip_settings *s, const char *offer, size_t len,
             whip_event_fn fn, void *user_data, struct whip **out,
             struct err_detail *e);
/* End the session: if the ceremony's live source is still this
 * publisher's, stop it (slate). No event after it returns. NULL ok. */
void whip_close(struct whip *w);
void whip_unref(struct whip *w);

/* 32 hex digits, unguessable; the last segment of the WHIP resource URL.
 * Borrowed. */
const char *whip_id(const struct whip *w);
int64_t whip_ceremony_id(const struct whip *w);
/* True while negotiating, or connected with media in the last 3 s: a
 * second publisher is then refused. */
bool whip_busy(const struct whip *w);

struct whip_stats {
	bool connected;
	char video_codec[8]; /* "H264", "VP8" or "" */
	uint64_t video_packets, audio_packets, video_frames;
};

void whip_get_stats(const struct whip *w, struct whip_stats *out);

#endif
