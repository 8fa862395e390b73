/* rtc.h — what the webrtcbin engines (the WHIP publisher, whip.c, and the
 * WHEP viewer of media_engine = webrtcbin, viewer.c) share: ICE
 * configuration, promise replies, session ids, offer parsing and answer
 * text, and struct rtc_peer, one webrtcbin answering one remote offer.
 *
 * An rtc_peer is embedded in its engine object and does what both do
 * alike: set the remote offer, create and set the answer, hand over to the
 * object to link and play, wait for ICE gathering (bounded; with host
 * candidates only, a short grace), answer, then watch the connection
 * (late, failed, closed, disconnected too long). The object says what
 * differs through struct rtc_peer_ops. Call everything on the main
 * thread unless said otherwise; webrtcbin's threads only post to it.
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

struct err_detail;

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

enum rtc_peer_step {
	RTC_PEER_REMOTE, /* set-remote-description pending */
	RTC_PEER_ANSWER, /* create-answer pending */
	RTC_PEER_LOCAL,  /* set-local-description pending */
	RTC_PEER_GATHER, /* played (ops->play), gathering candidates */
	RTC_PEER_DONE,   /* answer delivered */
};

enum rtc_peer_event {
	RTC_PEER_ANSWERED,  /* once: status 0 and text = answer SDP, or < 0 */
	RTC_PEER_CONNECTED, /* ICE and DTLS are up */
	RTC_PEER_ENDED,     /* after the answer: text = reason */
};

/* What the engine object embedding an rtc_peer does differently. */
struct rtc_peer_ops {
	const char *tag; /* log tag, and the bin's name "tag-<id>" */
	/* The last reference went: free obj. */
	void (*free)(void *obj);
	/* Add transceivers and what else the bin holds; 0 or ERR_*. */
	int (*build)(void *obj);
	/* The answer is set: link, or hand the bin over, and play it. 0, or
	 * an ERR_* code with *why (static) and the peer fails. */
	int (*play)(void *obj, const char **why);
	/* Tell the object's owner (rtc_peer holds obj meanwhile). */
	void (*event)(void *obj, enum rtc_peer_event ev, int status,
	              const char *text);
	/* Failing for the first time, before the event: log, stop media. */
	void (*ending)(void *obj, int status, const char *why);
	/* From rtc_peer_close: detach and stop the bin (may be NULL). */
	void (*stop)(void *obj);
	/* Reasons: not connected in time, failed, closed, disconnected. */
	const char *why_late, *why_failed, *why_closed, *why_lost;
};

/* Fields are read by the embedding object, written by rtc.c only, but
 * ice and the timeouts, which the object sets before rtc_peer_start(). */
struct rtc_peer {
	const struct rtc_peer_ops *ops;
	void *obj;
	gatomicrefcount ref; /* of obj: the last unref calls ops->free */
	char id[RTC_ID_LEN];
	struct rtc_ice ice; /* strings borrowed from obj */
	unsigned gather_timeout_ms, connect_timeout_ms;
	GstElement *bin, *webrtc; /* from rtc_peer_start to rtc_peer_close */
	enum rtc_peer_step step;
	bool closed, ended, answered, connected;
	guint gather_timer, early_timer, connect_timer, disc_timer;
	unsigned candidates; /* local candidates reported so far */
};

/* One reference held by the caller, a fresh random id. */
void rtc_peer_init(struct rtc_peer *p, const struct rtc_peer_ops *ops,
                   void *obj);
/* Take a reference on p's object; returns it. */
void *rtc_peer_ref(struct rtc_peer *p);
/* Drop one; the last calls ops->free. NULL ok. */
void rtc_peer_unref(struct rtc_peer *p);

/* Parse the offer as rtc_parse_offer does, logging dropped mDNS
 * candidates. 0 or ERR_INVALID/ERR_NOMEM with e filled. *out: caller
 * frees with gst_webrtc_session_description_free(). */
int rtc_peer_offer(struct rtc_peer *p, const char *offer, size_t len,
                   GstWebRTCSessionDescription **out, struct err_detail *e);

/* Build the bin (webrtcbin, ICE configured, then ops->build), bring it to
 * READY and set the remote offer (not taken); the rest follows on the main
 * loop, never from inside this call. 0, ERR_UNAVAILABLE (no webrtcbin),
 * ERR_INTERNAL, or what ops->build returned. */
int rtc_peer_start(struct rtc_peer *p, GstWebRTCSessionDescription *offer);

/* The first call: p ends (ops->ending), then RTC_PEER_ANSWERED with the
 * status if the answer was not given yet, else RTC_PEER_ENDED with why.
 * Later calls, and calls after rtc_peer_close, do nothing. */
void rtc_peer_fail(struct rtc_peer *p, int status, const char *why);

/* Stop timers and signals, ops->stop, release the bin. No event after
 * it. */
void rtc_peer_close(struct rtc_peer *p);

/* Run fn(p, NULL) soon on the main loop holding p's object, unless p is
 * closed by then. Any thread. */
void rtc_peer_post(struct rtc_peer *p, rtc_call_fn fn);

/* Add a transceiver of direction dir for caps to p's webrtcbin. 0 or
 * ERR_INTERNAL. */
int rtc_peer_add_transceiver(struct rtc_peer *p,
                             GstWebRTCRTPTransceiverDirection dir,
                             GstCaps *caps);

#endif
