/* rtc.c — what the webrtcbin engines share: ICE settings, promise
 * replies, random session ids, offer parsing and answer text, and
 * rtc_peer, the negotiation and connection state of one webrtcbin
 * answering one offer (steps, ICE gathering and its timers, connection
 * timers, the events to the object that embeds it).
 *
 * Owns an rtc_peer's webrtcbin and bin references, timers and signal
 * handlers; the embedding object owns everything else. Must never: act on
 * a webrtcbin or libnice thread (callbacks there only post to the main
 * loop, holding a reference), block longer than a promise already
 * answered, or emit an event after rtc_peer_close(). Called by whip.c and
 * viewer.c.
 */
#include "rtc.h"

#include "err.h"
#include "log.h"
#include "mainctx.h"
#include "sdp.h"

#include <gst/sdp/sdp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define TAG "rtc"

/* A deferred call of fn(obj, p); holds refs on both. */
struct call {
	const struct rtc_owner *o;
	void *obj;
	GstPromise *p;
	rtc_call_fn fn;
};

static void call_free(gpointer data)
{
	struct call *c = data;

	if (c->p)
		gst_promise_unref(c->p);
	c->o->unref(c->obj);
	g_free(c);
}

static gboolean call_idle(gpointer data)
{
	struct call *c = data;

	if (!c->o->closed(c->obj))
		c->fn(c->obj, c->p);
	return G_SOURCE_REMOVE;
}

void rtc_post(const struct rtc_owner *o, void *obj, rtc_call_fn fn,
              GstPromise *p)
{
	struct call *c = g_new0(struct call, 1);

	c->o = o;
	c->obj = o->ref(obj);
	c->p = p ? gst_promise_ref(p) : NULL;
	c->fn = fn;
	mainctx_post(call_idle, c, call_free);
}

/* Runs on webrtcbin's thread: post and return; the creator reference of
 * the promise is released here, after the posted call took its own. */
static void promise_cb(GstPromise *p, gpointer data)
{
	struct call *tmpl = data;

	rtc_post(tmpl->o, tmpl->obj, tmpl->fn, p);
	gst_promise_unref(p);
}

GstPromise *rtc_promise_to(const struct rtc_owner *o, void *obj, rtc_call_fn fn)
{
	struct call *tmpl = g_new0(struct call, 1);

	tmpl->o = o;
	tmpl->obj = o->ref(obj);
	tmpl->fn = fn;
	return gst_promise_new_with_change_func(promise_cb, tmpl, call_free);
}

/* libnice tries UPnP by default: one discovery per agent, and warnings
 * from its UPnP context when sessions come and go quickly. */
static void no_upnp(GstWebRTCICE *ice)
{
	GObject *nice = NULL;

	if (!g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent"))
		return;
	g_object_get(ice, "agent", &nice, NULL);
	if (nice &&
	    g_object_class_find_property(G_OBJECT_GET_CLASS(nice), "upnp"))
		g_object_set(nice, "upnp", FALSE, NULL);
	if (nice)
		g_object_unref(nice);
}

void rtc_configure_ice(GstElement *webrtc, const struct rtc_ice *ice)
{
	GstWebRTCICE *agent = NULL;
	gboolean ok = FALSE;

	g_object_set(webrtc, "bundle-policy",
	             GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
	if (ice->stun)
		g_object_set(webrtc, "stun-server", ice->stun, NULL);
	for (char *const *t = ice->turns; t && *t; t++)
		g_signal_emit_by_name(webrtc, "add-turn-server", *t, &ok);
	ok = FALSE;
	g_object_get(webrtc, "ice-agent", &agent, NULL);
	if (!agent) {
		log_warn(TAG, "webrtcbin has no ICE agent to configure");
		return;
	}
	no_upnp(agent);
	if (ice->loopback_only)
		g_signal_emit_by_name(agent, "add-local-ip-address",
		                      "127.0.0.1", &ok);
	gst_object_unref(agent);
	if (ice->loopback_only && !ok)
		log_warn(TAG, "cannot restrict ICE to 127.0.0.1");
}

bool rtc_reply_ok(GstPromise *p, const GstStructure **reply, const char **why)
{
	const GstStructure *r;

	*reply = NULL;
	if (gst_promise_wait(p) != GST_PROMISE_RESULT_REPLIED) {
		*why = "webrtcbin did not reply";
		return false;
	}
	r = gst_promise_get_reply(p);
	if (r && gst_structure_has_field(r, "error")) {
		GError *gerr = NULL;

		gst_structure_get(r, "error", G_TYPE_ERROR, &gerr, NULL);
		log_warn(TAG, "webrtcbin: %s", gerr ? gerr->message : "?");
		g_clear_error(&gerr);
		*why = "webrtcbin refused the description";
		return false;
	}
	*reply = r;
	*why = NULL;
	return true;
}

void rtc_random_id(char out[RTC_ID_LEN])
{
	guint8 raw[16];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		for (size_t i = 0; i < sizeof(raw); i++)
			raw[i] = (guint8)g_random_int();
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

int rtc_parse_offer(const char *offer, size_t len,
                    GstWebRTCSessionDescription **out, int *mdns_dropped)
{
	GstSDPMessage *sdp = NULL;
	char *text = NULL;
	int dropped = 0;

	*out = NULL;
	if (sdp_drop_mdns_candidates(offer, len, &text, &dropped) != 0)
		return ERR_NOMEM;
	if (mdns_dropped)
		*mdns_dropped = dropped;
	if (gst_sdp_message_new_from_text(text, &sdp) != GST_SDP_OK) {
		free(text);
		if (sdp)
			gst_sdp_message_free(sdp);
		return ERR_INVALID;
	}
	free(text);
	*out =
	    gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);
	return 0;
}

char *rtc_local_sdp(GstElement *webrtc, const struct rtc_ice *ice)
{
	GstWebRTCSessionDescription *desc = NULL;
	char *text, *rewritten = NULL;

	g_object_get(webrtc, "local-description", &desc, NULL);
	if (!desc)
		return NULL;
	text = gst_sdp_message_as_text(desc->sdp);
	gst_webrtc_session_description_free(desc);
	if (ice->public_ip &&
	    sdp_rewrite_host_ip(text, ice->public_ip, &rewritten) == 0) {
		g_free(text);
		text = g_strdup(rewritten);
		free(rewritten);
	}
	return text;
}

/* The first payload type of section m whose rtpmap names enc, preferring
 * (for H.264) packetization-mode=1; -1 if none. Any H.264 profile will do:
 * we decode it, whatever browsers could play. */
int rtc_media_find_pt(const GstSDPMedia *m, const char *enc)
{
	int best = -1;

	for (guint i = 0; i < gst_sdp_media_formats_len(m); i++) {
		int pt = atoi(gst_sdp_media_get_format(m, i));
		GstCaps *caps = gst_sdp_media_get_caps_from_media(m, pt);
		const GstStructure *st;
		const char *name, *mode;

		if (!caps)
			continue;
		st = gst_caps_get_structure(caps, 0);
		name = gst_structure_get_string(st, "encoding-name");
		mode = gst_structure_get_string(st, "packetization-mode");
		if (name && !g_ascii_strcasecmp(name, enc)) {
			if (best < 0)
				best = pt;
			if (mode && !strcmp(mode, "1")) {
				best = pt;
				gst_caps_unref(caps);
				break;
			}
		}
		gst_caps_unref(caps);
	}
	return best;
}

/* webrtcbin 1.22 wants setup, fingerprint and ICE credentials in every
 * section; some WHIP clients (OBS's test data, libdatachannel) give them
 * once at session level. Copy them down. */
void rtc_offer_attrs_down(GstSDPMessage *sdp)
{
	static const char *const keys[] = {"setup", "fingerprint", "ice-ufrag",
	                                   "ice-pwd"};

	for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
		const char *v = gst_sdp_message_get_attribute_val(sdp, keys[k]);

		if (!v)
			continue;
		for (guint i = 0; i < gst_sdp_message_medias_len(sdp); i++) {
			GstSDPMedia *m =
			    (GstSDPMedia *)gst_sdp_message_get_media(sdp, i);

			if (!gst_sdp_media_get_attribute_val(m, keys[k]))
				gst_sdp_media_add_attribute(m, keys[k], v);
		}
	}
}

/* ---- rtc_peer: one webrtcbin answering one offer ------------------------ */

#define HOST_GRACE_MS 15   /* host candidates only: all known at once */
#define DISCONNECT_MS 5000 /* ICE "disconnected" this long: ended */

static void *peer_ref(void *obj)
{
	rtc_peer_ref(obj);
	return obj;
}

static void peer_unref(void *obj)
{
	rtc_peer_unref(obj);
}

static bool peer_closed(const void *obj)
{
	return ((const struct rtc_peer *)obj)->closed;
}

static const struct rtc_owner peer_owner = {peer_ref, peer_unref, peer_closed};

static void peer_closure_unref(gpointer data, GClosure *closure)
{
	rtc_peer_unref(data);
}

void rtc_peer_init(struct rtc_peer *p, const struct rtc_peer_ops *ops,
                   void *obj)
{
	p->ops = ops;
	p->obj = obj;
	g_atomic_ref_count_init(&p->ref);
	rtc_random_id(p->id);
}

void *rtc_peer_ref(struct rtc_peer *p)
{
	g_atomic_ref_count_inc(&p->ref);
	return p->obj;
}

void rtc_peer_unref(struct rtc_peer *p)
{
	if (p && g_atomic_ref_count_dec(&p->ref))
		p->ops->free(p->obj);
}

void rtc_peer_post(struct rtc_peer *p, rtc_call_fn fn)
{
	rtc_post(&peer_owner, p, fn, NULL);
}

static void clear_timer(guint *t)
{
	if (*t)
		g_source_remove(*t);
	*t = 0;
}

/* Tell the object; it may close and unref itself, so it is held. */
static void emit(struct rtc_peer *p, enum rtc_peer_event ev, int status,
                 const char *text)
{
	if (p->closed)
		return;
	if (ev == RTC_PEER_ANSWERED)
		p->answered = true;
	rtc_peer_ref(p);
	p->ops->event(p->obj, ev, status, text);
	rtc_peer_unref(p);
}

void rtc_peer_fail(struct rtc_peer *p, int status, const char *why)
{
	if (p->closed || p->ended)
		return;
	p->ended = true;
	p->ops->ending(p->obj, status, why);
	if (!p->answered)
		emit(p, RTC_PEER_ANSWERED, status, NULL);
	else
		emit(p, RTC_PEER_ENDED, status, why);
}

void rtc_peer_close(struct rtc_peer *p)
{
	if (p->closed)
		return;
	p->closed = true;
	clear_timer(&p->gather_timer);
	clear_timer(&p->early_timer);
	clear_timer(&p->connect_timer);
	clear_timer(&p->disc_timer);
	if (p->webrtc)
		g_signal_handlers_disconnect_by_data(p->webrtc, p);
	p->ops->stop(p->obj);
	if (p->webrtc)
		gst_object_unref(p->webrtc);
	if (p->bin)
		gst_object_unref(p->bin);
	p->bin = p->webrtc = NULL;
	log_info(p->ops->tag, "%.8s closed", p->id);
}

int rtc_peer_offer(struct rtc_peer *p, const char *offer, size_t len,
                   GstWebRTCSessionDescription **out, struct err_detail *e)
{
	int rc, dropped = 0;

	/* The inspector accepted it; GStreamer's parser is more lenient.
	 * mDNS candidates go first: resolving them stalls webrtcbin. */
	rc = rtc_parse_offer(offer, len, out, &dropped);
	if (rc)
		return err_fail(e, rc, NULL, "offer does not parse");
	if (dropped)
		log_debug(p->ops->tag, "%.8s: %d mDNS candidates ignored",
		          p->id, dropped);
	return 0;
}

/* ---- negotiation (main thread) ---- */

static gboolean connect_timeout(gpointer data)
{
	struct rtc_peer *p = data;

	p->connect_timer = 0;
	rtc_peer_fail(p, ERR_UNAVAILABLE, p->ops->why_late);
	return G_SOURCE_REMOVE;
}

/* Answer with the local description, candidates included. */
static void finish(struct rtc_peer *p)
{
	char *text;

	if (p->step != RTC_PEER_GATHER)
		return;
	p->step = RTC_PEER_DONE;
	clear_timer(&p->gather_timer);
	clear_timer(&p->early_timer);
	text = rtc_local_sdp(p->webrtc, &p->ice);
	if (!text) {
		rtc_peer_fail(p, ERR_INTERNAL, "no local description");
		return;
	}
	if (!p->connected)
		p->connect_timer =
		    g_timeout_add(p->connect_timeout_ms, connect_timeout, p);
	emit(p, RTC_PEER_ANSWERED, 0, text);
	g_free(text);
}

static gboolean gather_timeout(gpointer data)
{
	struct rtc_peer *p = data;

	p->gather_timer = 0;
	log_info(p->ops->tag, "%.8s: ICE gathering timed out, answering",
	         p->id);
	finish(p);
	return G_SOURCE_REMOVE;
}

static gboolean host_grace_done(gpointer data)
{
	struct rtc_peer *p = data;

	p->early_timer = 0;
	finish(p);
	return G_SOURCE_REMOVE;
}

/* Host candidates only (no STUN/TURN): they are all known as soon as the
 * first one is, while libnice reports "complete" ~200 ms later. Answer
 * after a short grace instead of waiting for that. */
static void maybe_answer_early(struct rtc_peer *p)
{
	bool host_only = !p->ice.stun && !(p->ice.turns && p->ice.turns[0]);

	if (host_only && p->candidates > 0 && p->step == RTC_PEER_GATHER &&
	    !p->early_timer)
		p->early_timer =
		    g_timeout_add(HOST_GRACE_MS, host_grace_done, p);
}

static void on_candidate_main(void *obj, GstPromise *unused)
{
	struct rtc_peer *p = obj;

	p->candidates++;
	maybe_answer_early(p);
}

static void on_ice_candidate(GstElement *webrtc, guint mline, gchar *cand,
                             gpointer data)
{
	rtc_peer_post(data, on_candidate_main);
}

static void on_local_set(void *obj, GstPromise *promise)
{
	struct rtc_peer *p = obj;
	GstWebRTCICEGatheringState gs;
	const GstStructure *r;
	const char *why;
	int rc;

	if (!rtc_reply_ok(promise, &r, &why)) {
		rtc_peer_fail(p, ERR_INTERNAL, why);
		return;
	}
	if ((rc = p->ops->play(p->obj, &why))) {
		rtc_peer_fail(p, rc, why);
		return;
	}
	p->step = RTC_PEER_GATHER;
	g_object_get(p->webrtc, "ice-gathering-state", &gs, NULL);
	if (gs == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) {
		finish(p);
		return;
	}
	maybe_answer_early(p);
	p->gather_timer =
	    g_timeout_add(p->gather_timeout_ms, gather_timeout, p);
}

static void on_answer(void *obj, GstPromise *promise)
{
	struct rtc_peer *p = obj;
	GstWebRTCSessionDescription *answer = NULL;
	const GstStructure *r;
	const char *why;

	if (rtc_reply_ok(promise, &r, &why) && r)
		gst_structure_get(r, "answer",
		                  GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer,
		                  NULL);
	if (!answer) {
		rtc_peer_fail(p, ERR_UNSUPPORTED,
		              "webrtcbin made no answer (no common codec?)");
		return;
	}
	p->step = RTC_PEER_LOCAL;
	log_debug(p->ops->tag, "%.8s answer created", p->id);
	g_signal_emit_by_name(p->webrtc, "set-local-description", answer,
	                      rtc_promise_to(&peer_owner, p, on_local_set));
	gst_webrtc_session_description_free(answer);
}

static void on_remote_set(void *obj, GstPromise *promise)
{
	struct rtc_peer *p = obj;
	const GstStructure *r;
	const char *why;

	if (!rtc_reply_ok(promise, &r, &why)) {
		rtc_peer_fail(p, ERR_INVALID, why);
		return;
	}
	p->step = RTC_PEER_ANSWER;
	log_debug(p->ops->tag, "%.8s offer set", p->id);
	g_signal_emit_by_name(p->webrtc, "create-answer", NULL,
	                      rtc_promise_to(&peer_owner, p, on_answer));
}

/* ---- connection state (posted from webrtcbin/libnice threads) ---- */

static gboolean disc_timeout(gpointer data)
{
	struct rtc_peer *p = data;

	p->disc_timer = 0;
	rtc_peer_fail(p, ERR_GONE, p->ops->why_lost);
	return G_SOURCE_REMOVE;
}

static void on_state(void *obj, GstPromise *unused)
{
	struct rtc_peer *p = obj;
	GstWebRTCICEConnectionState ice;
	GstWebRTCPeerConnectionState pc;
	GstWebRTCICEGatheringState gs;

	if (p->ended)
		return;
	g_object_get(p->webrtc, "ice-connection-state", &ice,
	             "connection-state", &pc, "ice-gathering-state", &gs, NULL);
	if (gs == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE &&
	    p->step == RTC_PEER_GATHER)
		finish(p);
	if (p->closed || p->ended || p->step < RTC_PEER_GATHER)
		return;
	if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED ||
	    pc == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
		rtc_peer_fail(p, ERR_UNAVAILABLE, p->ops->why_failed);
		return;
	}
	if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED ||
	    pc == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED) {
		rtc_peer_fail(p, ERR_GONE, p->ops->why_closed);
		return;
	}
	if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED) {
		if (!p->disc_timer)
			p->disc_timer =
			    g_timeout_add(DISCONNECT_MS, disc_timeout, p);
		return;
	}
	clear_timer(&p->disc_timer);
	if (!p->connected && pc == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
		p->connected = true;
		clear_timer(&p->connect_timer);
		emit(p, RTC_PEER_CONNECTED, 0, NULL);
	}
}

static void on_notify(GObject *obj, GParamSpec *pspec, gpointer data)
{
	rtc_peer_post(data, on_state);
}

/* ---- construction ---- */

int rtc_peer_add_transceiver(struct rtc_peer *p,
                             GstWebRTCRTPTransceiverDirection dir,
                             GstCaps *caps)
{
	GstWebRTCRTPTransceiver *t = NULL;

	g_signal_emit_by_name(p->webrtc, "add-transceiver", dir, caps, &t);
	if (!t)
		return ERR_INTERNAL;
	gst_object_unref(t);
	return 0;
}

static void watch(struct rtc_peer *p, const char *signal, GCallback cb)
{
	rtc_peer_ref(p);
	g_signal_connect_data(p->webrtc, signal, cb, p, peer_closure_unref, 0);
}

int rtc_peer_start(struct rtc_peer *p, GstWebRTCSessionDescription *offer)
{
	char name[32];
	int rc;

	p->webrtc = gst_element_factory_make("webrtcbin", NULL);
	if (!p->webrtc)
		return ERR_UNAVAILABLE;
	gst_object_ref_sink(p->webrtc);
	snprintf(name, sizeof(name), "%s-%.8s", p->ops->tag, p->id);
	p->bin = gst_object_ref_sink(gst_bin_new(name));
	gst_bin_add(GST_BIN(p->bin), p->webrtc);
	rtc_configure_ice(p->webrtc, &p->ice);
	watch(p, "notify::ice-gathering-state", G_CALLBACK(on_notify));
	watch(p, "notify::ice-connection-state", G_CALLBACK(on_notify));
	watch(p, "notify::connection-state", G_CALLBACK(on_notify));
	watch(p, "on-ice-candidate", G_CALLBACK(on_ice_candidate));
	if ((rc = p->ops->build(p->obj)))
		return rc;
	/* READY starts webrtcbin's own thread; PLAYING waits until the
	 * answer is set (ops->play). */
	if (gst_element_set_state(p->bin, GST_STATE_READY) ==
	    GST_STATE_CHANGE_FAILURE)
		return ERR_INTERNAL;
	p->step = RTC_PEER_REMOTE;
	g_signal_emit_by_name(p->webrtc, "set-remote-description", offer,
	                      rtc_promise_to(&peer_owner, p, on_remote_set));
	return 0;
}
