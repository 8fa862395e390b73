/* viewer.c — one WHEP viewer on webrtcbin, fed from the encoder's tees.
 *
 * Owns: the viewer's bin (two leaky queues and a webrtcbin) inside the
 * encode pipeline; the offer -> answer negotiation (set remote, create
 * answer, set local, link, play, wait for ICE gathering); per-viewer
 * payload type rewriting and packet counting on its branch pads; its
 * connection state (ICE/DTLS via webrtcbin, liveness via RTCP receiver
 * reports and BYE). Must never: act on a streaming thread (GStreamer
 * callbacks only post to the main loop, holding a reference), block the
 * encoder (branch pads swallow flow errors), or emit an event after
 * viewer_close(). Called by fanout.c only.
 */
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API /* webrtcbin's library API (1.22) */
#endif
#include "viewer.h"

#include "codecs.h"

#include "err.h"
#include "log.h"
#include "mainctx.h"
#include "rtc.h"

#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG           "viewer"
#define DISCONNECT_MS 5000 /* ICE "disconnected" this long: failed */

enum { K_VIDEO = 0, K_AUDIO = 1 };

enum step {
	STEP_REMOTE, /* set-remote-description pending */
	STEP_ANSWER, /* create-answer pending */
	STEP_LOCAL,  /* set-local-description pending */
	STEP_GATHER, /* linked and playing, waiting for candidates */
	STEP_DONE,   /* answer delivered */
};

struct viewer {
	gatomicrefcount ref;
	struct viewer_settings set; /* strings borrowed from the owner */
	viewer_event_fn fn;
	void *owner;
	bool closed, answered, connected; /* main thread only */
	char id[FANOUT_ID_LEN];
	GstElement *bin, *webrtc, *rtpbin;
	GstElement *queue[2];
	GstPad *teepad[2];
	struct codecs_choice cc; /* what is sent, per kind */
	enum step step;
	guint gather_timer, connect_timer, disc_timer, early_timer;
	unsigned candidates;          /* local candidates reported so far */
	_Atomic int64_t last_rtcp_us; /* last RTCP from the viewer */
	_Atomic uint64_t packets[2], bytes[2];
};

/* ---- reference counting and posting -------------------------------- */

static struct viewer *viewer_ref(struct viewer *v)
{
	g_atomic_ref_count_inc(&v->ref);
	return v;
}

void viewer_unref(struct viewer *v)
{
	if (!v || !g_atomic_ref_count_dec(&v->ref))
		return;
	codecs_clear(&v->cc);
	g_free(v);
}

static void viewer_closure_unref(gpointer data, GClosure *closure)
{
	viewer_unref(data);
}

static void *owner_ref(void *obj)
{
	return viewer_ref(obj);
}

static void owner_unref(void *obj)
{
	viewer_unref(obj);
}

static bool owner_closed(const void *obj)
{
	return ((const struct viewer *)obj)->closed;
}

static const struct rtc_owner as_owner = {owner_ref, owner_unref, owner_closed};

static void post(struct viewer *v, rtc_call_fn fn, GstPromise *p)
{
	rtc_post(&as_owner, v, fn, p);
}

static GstPromise *promise_to(struct viewer *v, rtc_call_fn fn)
{
	return rtc_promise_to(&as_owner, v, fn);
}

/* ---- events and teardown --------------------------------------------- */

/* Tell the owner; it may close and unref v, so v is held meanwhile. */
static void emit(struct viewer *v, enum viewer_event ev, int status,
                 const char *text)
{
	if (v->closed)
		return;
	if (ev == VIEWER_ANSWER)
		v->answered = true;
	viewer_ref(v);
	v->fn(v, ev, status, text, v->owner);
	viewer_unref(v);
}

void viewer_fail(struct viewer *v, int status, const char *why)
{
	if (v->closed)
		return;
	log_warn(TAG, "%.8s: %s", v->id, why);
	if (!v->answered)
		emit(v, VIEWER_ANSWER, status, NULL);
	else
		emit(v, VIEWER_FAILED, status, why);
}

static void clear_timer(guint *t)
{
	if (*t)
		g_source_remove(*t);
	*t = 0;
}

void viewer_close(struct viewer *v)
{
	if (!v || v->closed)
		return;
	v->closed = true;
	clear_timer(&v->gather_timer);
	clear_timer(&v->connect_timer);
	clear_timer(&v->disc_timer);
	clear_timer(&v->early_timer);
	for (int k = 0; k < 2; k++) {
		encoder_branch_unlink(v->set.enc, v->teepad[k]);
		v->teepad[k] = NULL;
	}
	if (v->webrtc)
		g_signal_handlers_disconnect_by_data(v->webrtc, v);
	if (v->rtpbin) {
		g_signal_handlers_disconnect_by_data(v->rtpbin, v);
		gst_object_unref(v->rtpbin);
	}
	if (v->bin) {
		gst_element_set_state(v->bin, GST_STATE_NULL);
		if (GST_OBJECT_PARENT(v->bin))
			gst_bin_remove(GST_BIN(encoder_pipeline(v->set.enc)),
			               v->bin);
		gst_object_unref(v->bin);
	}
	if (v->webrtc)
		gst_object_unref(v->webrtc);
	v->rtpbin = v->bin = v->webrtc = NULL;
	log_info(TAG, "%.8s closed", v->id);
}

/* ---- branch pad hooks (streaming threads) ----------------------------- */

struct vpad {
	struct viewer *v;
	int kind;
};

static void vpad_free(gpointer data)
{
	struct vpad *vp = data;

	viewer_unref(vp->v);
	g_free(vp);
}

static GstBuffer *on_buffer(GstBuffer *buf, void *data)
{
	struct vpad *vp = data;
	struct viewer *v = vp->v;
	int k = vp->kind;

	atomic_fetch_add(&v->packets[k], 1);
	atomic_fetch_add(&v->bytes[k], gst_buffer_get_size(buf));
	if (v->cc.pt[k] == v->cc.src_pt[k])
		return buf;
	return codecs_set_pt(buf, v->cc.pt[k]);
}

static GstCaps *on_caps(const GstCaps *in, void *data)
{
	struct vpad *vp = data;

	return codecs_adapt_caps(in, vp->v->cc.caps[vp->kind]);
}

/* ---- negotiation (main thread) ---------------------------------------- */

static void finish(struct viewer *v);

static gboolean gather_timeout(gpointer data)
{
	struct viewer *v = data;

	v->gather_timer = 0;
	log_info(TAG, "%.8s: ICE gathering timed out, answering", v->id);
	finish(v);
	return G_SOURCE_REMOVE;
}

/* Host candidates only (no STUN/TURN): they are all known as soon as the
 * first one is, while libnice reports "complete" ~200 ms later. Answer
 * after a short grace instead of waiting for that. */
#define HOST_GRACE_MS 15

static gboolean host_grace_done(gpointer data)
{
	struct viewer *v = data;

	v->early_timer = 0;
	finish(v);
	return G_SOURCE_REMOVE;
}

static void maybe_answer_early(struct viewer *v)
{
	bool host_only = !v->set.stun && !(v->set.turns && v->set.turns[0]);

	if (host_only && v->candidates > 0 && v->step == STEP_GATHER &&
	    !v->early_timer)
		v->early_timer =
		    g_timeout_add(HOST_GRACE_MS, host_grace_done, v);
}

static void on_candidate_main(void *obj, GstPromise *unused)
{
	struct viewer *v = obj;
	v->candidates++;
	maybe_answer_early(v);
}

static void on_ice_candidate(GstElement *webrtc, guint mline, gchar *cand,
                             gpointer data)
{
	post(data, on_candidate_main, NULL);
}

static gboolean connect_timeout(gpointer data)
{
	struct viewer *v = data;

	v->connect_timer = 0;
	viewer_fail(v, ERR_UNAVAILABLE, "did not connect in time");
	return G_SOURCE_REMOVE;
}

/* Answer with the local description, candidates included. */
static void finish(struct viewer *v)
{
	GstWebRTCSessionDescription *desc = NULL;
	char *text, *rewritten = NULL;

	if (v->step != STEP_GATHER)
		return;
	v->step = STEP_DONE;
	clear_timer(&v->gather_timer);
	clear_timer(&v->early_timer);
	g_object_get(v->webrtc, "local-description", &desc, NULL);
	if (!desc) {
		viewer_fail(v, ERR_INTERNAL, "no local description");
		return;
	}
	text = gst_sdp_message_as_text(desc->sdp);
	gst_webrtc_session_description_free(desc);
	if (v->set.public_ip &&
	    sdp_rewrite_host_ip(text, v->set.public_ip, &rewritten) == 0) {
		g_free(text);
		text = g_strdup(rewritten);
		free(rewritten);
	}
	v->connect_timer =
	    g_timeout_add(v->set.connect_timeout_ms, connect_timeout, v);
	log_info(TAG, "%.8s answered (%s pt %d, opus pt %d)", v->id,
	         v->cc.vp8 ? "VP8" : "H264", v->cc.pt[K_VIDEO],
	         v->cc.pt[K_AUDIO]);
	emit(v, VIEWER_ANSWER, 0, text);
	g_free(text);
}

/* The sink pad of webrtcbin whose transceiver serves m-line mline, or
 * NULL. Caller unrefs. */
static GstPad *sink_pad_for_mline(GstElement *webrtc, int mline)
{
	GstIterator *it = gst_element_iterate_sink_pads(webrtc);
	GValue item = G_VALUE_INIT;
	GstPad *found = NULL;

	while (!found && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstPad *pad = g_value_get_object(&item);
		GstWebRTCRTPTransceiver *t = NULL;
		guint idx = G_MAXUINT;

		if (g_object_class_find_property(G_OBJECT_GET_CLASS(pad),
		                                 "transceiver"))
			g_object_get(pad, "transceiver", &t, NULL);
		if (t) {
			g_object_get(t, "mlineindex", &idx, NULL);
			gst_object_unref(t);
		}
		if (idx == (guint)mline && !gst_pad_is_linked(pad))
			found = gst_object_ref(pad);
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	return found;
}

/* Link kind k: tee -> ghost(branch hooks) -> queue -> webrtcbin sink_N. */
static int link_kind(struct viewer *v, int k)
{
	GstPadTemplate *tmpl;
	GstPad *qsrc, *wsink, *qsink, *ghost;
	struct encoder_hooks hooks;
	struct vpad *vp;
	char name[16];
	int ok;

	/* webrtcbin 1.22 creates sink pads itself for sending transceivers
	 * when the description is applied; request one only if it did not. */
	wsink = sink_pad_for_mline(v->webrtc, v->cc.mline[k]);
	if (!wsink) {
		snprintf(name, sizeof(name), "sink_%d", v->cc.mline[k]);
		tmpl = gst_element_class_get_pad_template(
		    GST_ELEMENT_GET_CLASS(v->webrtc), "sink_%u");
		wsink = gst_element_request_pad(v->webrtc, tmpl, name, NULL);
	}
	if (!wsink)
		return ERR_INTERNAL;
	qsrc = gst_element_get_static_pad(v->queue[k], "src");
	ok = gst_pad_link(qsrc, wsink) == GST_PAD_LINK_OK;
	gst_object_unref(qsrc);
	gst_object_unref(wsink);
	if (!ok)
		return ERR_INTERNAL;
	vp = g_new0(struct vpad, 1);
	vp->v = viewer_ref(v);
	vp->kind = k;
	hooks = (struct encoder_hooks){on_buffer, on_caps, vp, vpad_free};
	qsink = gst_element_get_static_pad(v->queue[k], "sink");
	ghost = encoder_branch_pad(v->bin, k == K_VIDEO ? "video" : "audio",
	                           qsink, &hooks);
	gst_object_unref(qsink);
	if (!ghost)
		return ERR_INTERNAL;
	v->teepad[k] = encoder_branch_link(v->set.enc, v->cc.stream[k], ghost);
	return v->teepad[k] ? 0 : ERR_INTERNAL;
}

static void on_local_set(void *obj, GstPromise *p)
{
	struct viewer *v = obj;
	GstWebRTCICEGatheringState gs;
	const GstStructure *r;
	const char *why;

	if (!rtc_reply_ok(p, &r, &why)) {
		viewer_fail(v, ERR_INTERNAL, why);
		return;
	}
	for (int k = 0; k < 2; k++)
		if (v->cc.mline[k] >= 0 && link_kind(v, k) != 0) {
			viewer_fail(v, ERR_INTERNAL,
			            "cannot link to webrtcbin");
			return;
		}
	if (!gst_element_sync_state_with_parent(v->bin)) {
		viewer_fail(v, ERR_INTERNAL, "viewer does not start");
		return;
	}
	encoder_request_keyframe(v->set.enc); /* first picture at once */
	v->step = STEP_GATHER;
	log_debug(TAG, "%.8s linked and playing", v->id);
	g_object_get(v->webrtc, "ice-gathering-state", &gs, NULL);
	if (gs == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) {
		finish(v);
		return;
	}
	maybe_answer_early(v);
	v->gather_timer =
	    g_timeout_add(v->set.gather_timeout_ms, gather_timeout, v);
}

static void on_answer(void *obj, GstPromise *p)
{
	struct viewer *v = obj;
	GstWebRTCSessionDescription *answer = NULL;
	const GstStructure *r;
	const char *why;

	if (rtc_reply_ok(p, &r, &why) && r)
		gst_structure_get(r, "answer",
		                  GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer,
		                  NULL);
	if (!answer) {
		viewer_fail(v, ERR_UNSUPPORTED,
		            "webrtcbin made no answer (no common codec?)");
		return;
	}
	v->step = STEP_LOCAL;
	log_debug(TAG, "%.8s answer created", v->id);
	g_signal_emit_by_name(v->webrtc, "set-local-description", answer,
	                      promise_to(v, on_local_set));
	gst_webrtc_session_description_free(answer);
}

static void on_remote_set(void *obj, GstPromise *p)
{
	struct viewer *v = obj;
	const GstStructure *r;
	const char *why;

	if (!rtc_reply_ok(p, &r, &why)) {
		viewer_fail(v, ERR_INVALID, why);
		return;
	}
	v->step = STEP_ANSWER;
	log_debug(TAG, "%.8s offer set", v->id);
	g_signal_emit_by_name(v->webrtc, "create-answer", NULL,
	                      promise_to(v, on_answer));
}

/* ---- connection state (posted from webrtcbin/libnice threads) --------- */

static gboolean disc_timeout(gpointer data)
{
	struct viewer *v = data;

	v->disc_timer = 0;
	viewer_fail(v, ERR_GONE, "ICE disconnected");
	return G_SOURCE_REMOVE;
}

static void on_state(void *obj, GstPromise *unused)
{
	struct viewer *v = obj;
	GstWebRTCICEConnectionState ice;
	GstWebRTCPeerConnectionState pc;
	GstWebRTCICEGatheringState gs;

	g_object_get(v->webrtc, "ice-connection-state", &ice,
	             "connection-state", &pc, "ice-gathering-state", &gs, NULL);
	if (gs == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE &&
	    v->step == STEP_GATHER)
		finish(v);
	if (v->closed)
		return;
	if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED ||
	    pc == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
		viewer_fail(v, ERR_UNAVAILABLE, "connection failed");
		return;
	}
	if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED ||
	    pc == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED) {
		viewer_fail(v, ERR_GONE, "connection closed");
		return;
	}
	if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED) {
		if (!v->disc_timer)
			v->disc_timer =
			    g_timeout_add(DISCONNECT_MS, disc_timeout, v);
		return;
	}
	if (v->disc_timer) {
		g_source_remove(v->disc_timer);
		v->disc_timer = 0;
	}
	if (!v->connected && pc == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
		v->connected = true;
		atomic_store(&v->last_rtcp_us, mainctx_now_us());
		if (v->connect_timer)
			g_source_remove(v->connect_timer);
		v->connect_timer = 0;
		encoder_request_keyframe(v->set.enc);
		log_info(TAG, "%.8s connected", v->id);
		emit(v, VIEWER_CONNECTED, 0, NULL);
	}
}

static void on_notify(GObject *obj, GParamSpec *pspec, gpointer data)
{
	post(data, on_state, NULL);
}

/* RTCP from the viewer (receiver reports) proves it is still there;
 * browsers send them every second or so, GStreamer every few seconds. */
static void on_ssrc_active(GstElement *rtpbin, guint session, guint ssrc,
                           gpointer data)
{
	struct viewer *v = data;

	atomic_store(&v->last_rtcp_us, mainctx_now_us());
}

static void on_bye(void *obj, GstPromise *unused)
{
	struct viewer *v = obj;
	viewer_fail(v, ERR_GONE, "viewer said goodbye (RTCP BYE)");
}

static void on_bye_ssrc(GstElement *rtpbin, guint session, guint ssrc,
                        gpointer data)
{
	post(data, on_bye, NULL);
}

static void configure_ice(struct viewer *v, GstElement *webrtc)
{
	struct rtc_ice ice = {v->set.stun, v->set.turns, v->set.public_ip,
	                      v->set.loopback_only};

	rtc_configure_ice(webrtc, &ice);
}

/* Build the viewer's bin (queues + webrtcbin) inside the encode pipeline
 * and pre-create its send-only transceivers. */
static int build_viewer(struct viewer *v)
{
	char name[32];

	v->webrtc = gst_element_factory_make("webrtcbin", NULL);
	if (!v->webrtc)
		return ERR_UNAVAILABLE;
	gst_object_ref_sink(v->webrtc);
	snprintf(name, sizeof(name), "viewer-%.8s", v->id);
	v->bin = gst_object_ref_sink(gst_bin_new(name));
	gst_bin_add(GST_BIN(v->bin), v->webrtc);
	configure_ice(v, v->webrtc);
	for (int k = 0; k < 2; k++) {
		GstWebRTCRTPTransceiver *trans = NULL;

		if (v->cc.mline[k] < 0)
			continue;
		v->queue[k] = gst_element_factory_make("queue", NULL);
		g_object_set(v->queue[k], "leaky", 2 /* downstream */,
		             "max-size-buffers", 0u, "max-size-bytes", 0u,
		             "max-size-time", (guint64)(500 * GST_MSECOND),
		             NULL);
		gst_bin_add(GST_BIN(v->bin), v->queue[k]);
		g_signal_emit_by_name(
		    v->webrtc, "add-transceiver",
		    GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
		    v->cc.caps[k], &trans);
		if (!trans)
			return ERR_INTERNAL;
		gst_object_unref(trans);
	}
	g_signal_connect_data(v->webrtc, "notify::ice-gathering-state",
	                      G_CALLBACK(on_notify), viewer_ref(v),
	                      viewer_closure_unref, 0);
	g_signal_connect_data(v->webrtc, "notify::ice-connection-state",
	                      G_CALLBACK(on_notify), viewer_ref(v),
	                      viewer_closure_unref, 0);
	g_signal_connect_data(v->webrtc, "on-ice-candidate",
	                      G_CALLBACK(on_ice_candidate), viewer_ref(v),
	                      viewer_closure_unref, 0);
	g_signal_connect_data(v->webrtc, "notify::connection-state",
	                      G_CALLBACK(on_notify), viewer_ref(v),
	                      viewer_closure_unref, 0);
	v->rtpbin = gst_bin_get_by_name(GST_BIN(v->webrtc), "rtpbin");
	if (v->rtpbin) {
		g_signal_connect_data(v->rtpbin, "on-ssrc-active",
		                      G_CALLBACK(on_ssrc_active), viewer_ref(v),
		                      viewer_closure_unref, 0);
		g_signal_connect_data(v->rtpbin, "on-bye-ssrc",
		                      G_CALLBACK(on_bye_ssrc), viewer_ref(v),
		                      viewer_closure_unref, 0);
	}
	gst_bin_add(GST_BIN(encoder_pipeline(v->set.enc)), v->bin);
	/* READY starts webrtcbin's own thread; PLAYING waits until the
	 * answer is set and the pads are linked. */
	if (gst_element_set_state(v->bin, GST_STATE_READY) ==
	    GST_STATE_CHANGE_FAILURE)
		return ERR_INTERNAL;
	return 0;
}

int viewer_new(const struct viewer_settings *s,
               const struct sdp_offer_info *info, const char *offer, size_t len,
               viewer_event_fn fn, void *owner, struct viewer **out,
               struct err_detail *e)
{
	GstSDPMessage *sdp = NULL;
	GstWebRTCSessionDescription *desc;
	struct viewer *v;
	char *text = NULL;
	int rc, dropped = 0;

	*out = NULL;
	v = g_new0(struct viewer, 1);
	g_atomic_ref_count_init(&v->ref);
	v->set = *s;
	v->fn = fn;
	v->owner = owner;
	G_STATIC_ASSERT(FANOUT_ID_LEN == RTC_ID_LEN);
	rtc_random_id(v->id);
	rc = codecs_choose(v->set.enc, info, &v->cc, e);
	if (rc)
		goto out_free;
	/* The inspector accepted it; GStreamer's parser is more lenient.
	 * mDNS candidates go first: resolving them stalls webrtcbin. */
	if (sdp_drop_mdns_candidates(offer, len, &text, &dropped) != 0) {
		rc = ERR_NOMEM;
		goto out_free;
	}
	if (dropped)
		log_debug(TAG, "%.8s: %d mDNS candidates ignored", v->id,
		          dropped);
	if (gst_sdp_message_new_from_text(text, &sdp) != GST_SDP_OK) {
		free(text);
		rc = err_fail(e, ERR_INVALID, NULL, "offer does not parse");
		goto out_free;
	}
	free(text);
	rc = build_viewer(v);
	if (rc) {
		err_fail(e, rc, NULL, "cannot create the viewer's webrtcbin");
		gst_sdp_message_free(sdp);
		goto out_free;
	}
	desc =
	    gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);
	v->step = STEP_REMOTE;
	g_signal_emit_by_name(v->webrtc, "set-remote-description", desc,
	                      promise_to(v, on_remote_set));
	gst_webrtc_session_description_free(desc);
	*out = v;
	return 0;
out_free:
	viewer_close(v);
	viewer_unref(v);
	return rc;
}

bool viewer_vp8(const struct viewer *v)
{
	return v->cc.vp8;
}

const char *viewer_id(const struct viewer *v)
{
	return v->id;
}

bool viewer_owns(const struct viewer *v, GstObject *obj)
{
	return v->bin && obj &&
	       (obj == GST_OBJECT(v->bin) ||
	        gst_object_has_as_ancestor(obj, GST_OBJECT(v->bin)));
}

int64_t viewer_rtcp_silence_us(const struct viewer *v)
{
	if (!v->connected || v->closed)
		return -1;
	return mainctx_now_us() - atomic_load(&v->last_rtcp_us);
}

void viewer_get_stats(const struct viewer *v, struct fanout_viewer_stats *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->id, v->id, sizeof(out->id));
	out->connected = v->connected;
	snprintf(out->video_codec, sizeof(out->video_codec), "%s",
	         v->cc.vp8 ? "VP8" : "H264");
	out->video_pt = v->cc.pt[K_VIDEO];
	out->audio_pt = v->cc.mline[K_AUDIO] >= 0 ? v->cc.pt[K_AUDIO] : -1;
	out->video_packets = atomic_load(&v->packets[K_VIDEO]);
	out->video_bytes = atomic_load(&v->bytes[K_VIDEO]);
	out->audio_packets = atomic_load(&v->packets[K_AUDIO]);
	out->audio_bytes = atomic_load(&v->bytes[K_AUDIO]);
	out->rtt_ms = -1;
}
