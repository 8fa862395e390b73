/* viewer.h — one WHEP viewer served by its own webrtcbin: the engine
 * behind fanout.h (fanout.c is its only caller).
 *
 * A viewer lives in the encode pipeline as a bin (two leaky queues and a
 * webrtcbin, bundle-policy max-bundle) whose ghost pads are fed from the
 * encoder's RTP tees. viewer_new() starts the negotiation: set remote
 * offer, create and set the answer, link and play, wait for ICE gathering
 * (bounded), then one VIEWER_ANSWER event. Later events report the
 * connection. All calls and events on the default main context.
 */
#ifndef SINIAN_VIEWER_H
#define SINIAN_VIEWER_H

#include "encoder.h"
#include "fanout.h"
#include "rtc.h"
#include "sdp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct viewer_settings {
	struct encoder *enc;
	struct rtc_ice ice; /* strings borrowed */
	unsigned gather_timeout_ms, connect_timeout_ms;
};

enum viewer_event {
	VIEWER_ANSWER,    /* once: status 0 and text = answer SDP, or < 0 */
	VIEWER_CONNECTED, /* ICE and DTLS are up */
	VIEWER_FAILED,    /* after the answer: text = reason */
};

struct viewer;

/* The owner may close and unref the viewer from inside the callback. */
typedef void (*viewer_event_fn)(struct viewer *v, enum viewer_event ev,
                                int status, const char *text, void *owner);

/* Choose codecs from info (inspected offer[0..len)), build the viewer and
 * start negotiating. 0 (events follow, never from inside this call),
 * ERR_INVALID, ERR_UNSUPPORTED or ERR_UNAVAILABLE with e filled. The
 * settings' strings must outlive the viewer. Caller owns one reference. */
int viewer_new(const struct viewer_settings *s,
               const struct sdp_offer_info *info, const char *offer, size_t len,
               viewer_event_fn fn, void *owner, struct viewer **out,
               struct err_detail *e);
/* Detach from the encoder and stop; no event after it returns. */
void viewer_close(struct viewer *v);
void viewer_unref(struct viewer *v);

/* 32 hex digits, unguessable. Borrowed. */
const char *viewer_id(const struct viewer *v);
/* True if the viewer is sent VP8 (it offered nothing else). */
bool viewer_vp8(const struct viewer *v);
/* True if obj (a bus message source) belongs to this viewer. */
bool viewer_owns(const struct viewer *v, GstObject *obj);
/* Microseconds since the viewer last sent RTCP, or -1 if not connected. */
int64_t viewer_rtcp_silence_us(const struct viewer *v);
/* Report a failure found by the owner (bus error, silence): the viewer
 * emits VIEWER_ANSWER (error) or VIEWER_FAILED as appropriate. */
void viewer_fail(struct viewer *v, int status, const char *why);
void viewer_get_stats(const struct viewer *v, struct fanout_viewer_stats *out);

#endif
