/* rtc.h — small helpers shared by the webrtcbin engines (WHIP ingest,
 * and the WHEP viewer when it moves over): ICE configuration, promise
 * replies, session ids, offer parsing and answer text.
 *
 * Pure helpers around one webrtcbin at a time: no state of their own, no
 * main-loop posting. Call them on the main thread.
 */
#ifndef SINIAN_RTC_H
#define SINIAN_RTC_H

#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API /* webrtcbin's library API (1.22) */
#endif
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <stdbool.h>
#include <stddef.h>

#define RTC_ID_LEN 33 /* 32 hex digits + NUL */

struct rtc_ice {
	const char *stun;      /* "stun://host:port" or NULL */
	char *const *turns;    /* NULL-terminated list or NULL */
	const char *public_ip; /* rewrite host candidates of answers, or NULL */
	bool loopback_only;    /* gather on 127.0.0.1 only */
};

/* Work handed from webrtcbin's threads to the main loop on behalf of a
 * ref-counted engine object (a viewer, a WHIP session). */
struct rtc_owner {
	void *(*ref)(void *obj);
	void (*unref)(void *obj);
	bool (*closed)(const void *obj); /* true: pending calls are skipped */
};
typedef void (*rtc_call_fn)(void *obj, GstPromise *p);

/* Run fn(obj, p) soon on the main loop, holding obj and p (may be NULL)
 * until then; skipped if obj is closed by then. Any thread. */
void rtc_post(const struct rtc_owner *o, void *obj, rtc_call_fn fn,
              GstPromise *p);
/* A promise for webrtcbin whose reply is posted to fn(obj, promise) as
 * rtc_post does. Caller passes it on (transfer full). */
GstPromise *rtc_promise_to(const struct rtc_owner *o, void *obj,
                           rtc_call_fn fn);

/* Max-bundle, STUN/TURN servers, no UPnP (a server has a known address:
 * asking the LAN's router for a mapping per session is wasted) and, for
 * loopback_only, ICE on 127.0.0.1 only. Logs (does not fail) when the
 * restriction cannot be applied. */
void rtc_configure_ice(GstElement *webrtc, const struct rtc_ice *ice);

/* True if promise p was answered without an error; *reply (may be NULL on
 * success: set-*-description replies carry no structure) is borrowed from
 * p. On false, *why is a short English reason (static). */
bool rtc_reply_ok(GstPromise *p, const GstStructure **reply, const char **why);

/* 32 random hex digits, unguessable. */
void rtc_random_id(char out[RTC_ID_LEN]);

/* Parse offer[0..len) into a session description of type OFFER, without
 * its mDNS candidates (see sdp_drop_mdns_candidates). 0, ERR_INVALID (does
 * not parse) or ERR_NOMEM. *out: caller frees with
 * gst_webrtc_session_description_free(). */
int rtc_parse_offer(const char *offer, size_t len,
                    GstWebRTCSessionDescription **out, int *mdns_dropped);

/* The local description of webrtc as SDP text, host candidates rewritten
 * to ice->public_ip if set. NULL if there is none. Caller g_free()s. */
char *rtc_local_sdp(GstElement *webrtc, const struct rtc_ice *ice);

/* The first payload type of SDP section m whose rtpmap names enc (case
 * does not matter), preferring packetization-mode=1 (H.264); -1 if none. */
int rtc_media_find_pt(const GstSDPMedia *m, const char *enc);

/* Copy session-level setup, fingerprint and ICE credentials into every
 * section that lacks them: webrtcbin 1.22 reads them per section. */
void rtc_offer_attrs_down(GstSDPMessage *sdp);

#endif
