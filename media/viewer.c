/* viewer.c — one WHEP viewer on webrtcbin, fed from the encoder's tees.
 *
 * Owns: the viewer's bin (two leaky queues and a webrtcbin) inside the
 * encode pipeline; what its negotiation does beyond the steps every
 * webrtcbin engine shares (struct rtc_peer in rtc.c: set remote, create
 * answer, set local, wait for ICE gathering, connection state): send-only
 * transceivers for the chosen codecs, linking to the encoder's tees and
 * playing once the answer is set; per-viewer payload type rewriting and
 * packet counting on its branch pads; liveness via RTCP receiver reports
 * and BYE. Must never: act on a streaming thread (GStreamer callbacks
 * only post to the main loop, holding a reference), block the encoder
 * (branch pads swallow flow errors), or emit an event after
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

#include <gst/webrtc/webrtc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define TAG "viewer"

enum { K_VIDEO = 0, K_AUDIO = 1 };

struct viewer {
	struct rtc_peer peer;       /* the webrtcbin, its reference count */
	struct viewer_settings set; /* strings borrowed from the owner */
	viewer_event_fn fn;
	void *owner;
	GstElement *rtpbin;
	GstElement *queue[2];
	GstPad *teepad[2];
	struct codecs_choice cc;      /* what is sent, per kind */
	_Atomic int64_t last_rtcp_us; /* last RTCP from the viewer */
	_Atomic uint64_t packets[2], bytes[2];
};

/* ---- reference counting, events and teardown ---------------------------- */

static struct viewer *viewer_ref(struct viewer *v)
{
	return rtc_peer_ref(&v->peer);
}

void viewer_unref(struct viewer *v)
{
	if (v)
		rtc_peer_unref(&v->peer);
}

static void viewer_free(void *obj)
{
	struct viewer *v = obj;

	codecs_clear(&v->cc);
	g_free(v);
}

static void viewer_closure_unref(gpointer data, GClosure *closure)
{
	viewer_unref(data);
}

static void on_event(void *obj, enum rtc_peer_event ev, int status,
                     const char *text)
{
	static const enum viewer_event as_viewer[] = {
	    [RTC_PEER_ANSWERED] = VIEWER_ANSWER,
	    [RTC_PEER_CONNECTED] = VIEWER_CONNECTED,
	    [RTC_PEER_ENDED] = VIEWER_FAILED,
	};
	struct viewer *v = obj;

	if (ev == RTC_PEER_ANSWERED && status == 0)
		log_info(TAG, "%.8s answered (%s pt %d, opus pt %d)",
		         v->peer.id, v->cc.vp8 ? "VP8" : "H264",
		         v->cc.pt[K_VIDEO], v->cc.pt[K_AUDIO]);
	if (ev == RTC_PEER_CONNECTED) {
		atomic_store(&v->last_rtcp_us, mainctx_now_us());
		encoder_request_keyframe(v->set.enc);
		log_info(TAG, "%.8s connected", v->peer.id);
	}
	v->fn(v, as_viewer[ev], status, text, v->owner);
}

static void on_ending(void *obj, int status, const char *why)
{
	struct viewer *v = obj;

	log_warn(TAG, "%.8s: %s", v->peer.id, why);
}

void viewer_fail(struct viewer *v, int status, const char *why)
{
	rtc_peer_fail(&v->peer, status, why);
}

static void stop(void *obj)
{
	struct viewer *v = obj;

	for (int k = 0; k < 2; k++) {
		encoder_branch_unlink(v->set.enc, v->teepad[k]);
		v->teepad[k] = NULL;
	}
	if (v->rtpbin) {
		g_signal_handlers_disconnect_by_data(v->rtpbin, v);
		gst_object_unref(v->rtpbin);
		v->rtpbin = NULL;
	}
	if (v->peer.bin) {
		gst_element_set_state(v->peer.bin, GST_STATE_NULL);
		if (GST_OBJECT_PARENT(v->peer.bin))
			gst_bin_remove(GST_BIN(encoder_pipeline(v->set.enc)),
			               v->peer.bin);
	}
}

void viewer_close(struct viewer *v)
{
	if (v)
		rtc_peer_close(&v->peer);
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
	GstElement *webrtc = v->peer.webrtc;
	GstPadTemplate *tmpl;
	GstPad *qsrc, *wsink, *qsink, *ghost;
	struct encoder_hooks hooks;
	struct vpad *vp;
	char name[16];
	int ok;

	/* webrtcbin 1.22 creates sink pads itself for sending transceivers
	 * when the description is applied; request one only if it did not. */
	wsink = sink_pad_for_mline(webrtc, v->cc.mline[k]);
	if (!wsink) {
		snprintf(name, sizeof(name), "sink_%d", v->cc.mline[k]);
		tmpl = gst_element_class_get_pad_template(
		    GST_ELEMENT_GET_CLASS(webrtc), "sink_%u");
		wsink = gst_element_request_pad(webrtc, tmpl, name, NULL);
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
	ghost = encoder_branch_pad(
	    v->peer.bin, k == K_VIDEO ? "video" : "audio", qsink, &hooks);
	gst_object_unref(qsink);
	if (!ghost)
		return ERR_INTERNAL;
	v->teepad[k] = encoder_branch_link(v->set.enc, v->cc.stream[k], ghost);
	return v->teepad[k] ? 0 : ERR_INTERNAL;
}

/* The answer is set: link both kinds, play, and start on a key frame. */
static int play(void *obj, const char **why)
{
	struct viewer *v = obj;

	for (int k = 0; k < 2; k++)
		if (v->cc.mline[k] >= 0 && link_kind(v, k) != 0) {
			*why = "cannot link to webrtcbin";
			return ERR_INTERNAL;
		}
	if (!gst_element_sync_state_with_parent(v->peer.bin)) {
		*why = "viewer does not start";
		return ERR_INTERNAL;
	}
	encoder_request_keyframe(v->set.enc); /* first picture at once */
	log_debug(TAG, "%.8s linked and playing", v->peer.id);
	return 0;
}

/* ---- liveness (posted from rtpbin's threads) -------------------------- */

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
	rtc_peer_fail(obj, ERR_GONE, "viewer said goodbye (RTCP BYE)");
}

static void on_bye_ssrc(GstElement *rtpbin, guint session, guint ssrc,
                        gpointer data)
{
	struct viewer *v = data;

	rtc_peer_post(&v->peer, on_bye);
}

/* The viewer's part of its bin: a leaky queue and a send-only transceiver
 * per kind, RTCP watched; the bin goes into the encode pipeline. */
static int build(void *obj)
{
	struct viewer *v = obj;
	GstElement *webrtc = v->peer.webrtc;

	for (int k = 0; k < 2; k++) {
		if (v->cc.mline[k] < 0)
			continue;
		v->queue[k] = gst_element_factory_make("queue", NULL);
		g_object_set(v->queue[k], "leaky", 2 /* downstream */,
		             "max-size-buffers", 0u, "max-size-bytes", 0u,
		             "max-size-time", (guint64)(500 * GST_MSECOND),
		             NULL);
		gst_bin_add(GST_BIN(v->peer.bin), v->queue[k]);
		if (rtc_peer_add_transceiver(
		        &v->peer, GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
		        v->cc.caps[k]))
			return ERR_INTERNAL;
	}
	v->rtpbin = gst_bin_get_by_name(GST_BIN(webrtc), "rtpbin");
	if (v->rtpbin) {
		g_signal_connect_data(v->rtpbin, "on-ssrc-active",
		                      G_CALLBACK(on_ssrc_active), viewer_ref(v),
		                      viewer_closure_unref, 0);
		g_signal_connect_data(v->rtpbin, "on-bye-ssrc",
		                      G_CALLBACK(on_bye_ssrc), viewer_ref(v),
		                      viewer_closure_unref, 0);
	}
	gst_bin_add(GST_BIN(encoder_pipeline(v->set.enc)), v->peer.bin);
	return 0;
}

static const struct rtc_peer_ops viewer_ops = {
    .tag = TAG,
    .free = viewer_free,
    .build = build,
    .play = play,
    .event = on_event,
    .ending = on_ending,
    .stop = stop,
    .why_late = "did not connect in time",
    .why_failed = "connection failed",
    .why_closed = "connection closed",
    .why_lost = "ICE disconnected",
};

int viewer_new(const struct viewer_settings *s,
               const struct sdp_offer_info *info, const char *offer, size_t len,
               viewer_event_fn fn, void *owner, struct viewer **out,
               struct err_detail *e)
{
	GstWebRTCSessionDescription *desc = NULL;
	struct viewer *v;
	int rc;

	*out = NULL;
	v = g_new0(struct viewer, 1);
	rtc_peer_init(&v->peer, &viewer_ops, v);
	v->set = *s;
	v->peer.ice = s->ice;
	v->peer.gather_timeout_ms = s->gather_timeout_ms;
	v->peer.connect_timeout_ms = s->connect_timeout_ms;
	v->fn = fn;
	v->owner = owner;
	G_STATIC_ASSERT(FANOUT_ID_LEN == RTC_ID_LEN);
	rc = codecs_choose(v->set.enc, info, &v->cc, e);
	if (rc)
		goto out_free;
	rc = rtc_peer_offer(&v->peer, offer, len, &desc, e);
	if (rc)
		goto out_free;
	rc = rtc_peer_start(&v->peer, desc);
	gst_webrtc_session_description_free(desc);
	if (rc) {
		err_fail(e, rc, NULL, "cannot create the viewer's webrtcbin");
		goto out_free;
	}
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
	return v->peer.id;
}

bool viewer_owns(const struct viewer *v, GstObject *obj)
{
	GstElement *bin = v->peer.bin;

	return bin && obj &&
	       (obj == GST_OBJECT(bin) ||
	        gst_object_has_as_ancestor(obj, GST_OBJECT(bin)));
}

int64_t viewer_rtcp_silence_us(const struct viewer *v)
{
	if (!v->peer.connected || v->peer.closed)
		return -1;
	return mainctx_now_us() - atomic_load(&v->last_rtcp_us);
}

void viewer_get_stats(const struct viewer *v, struct fanout_viewer_stats *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->id, v->peer.id, sizeof(out->id));
	out->connected = v->peer.connected;
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
