/* webrtc_peer.h — WebRTC peers made of webrtcbin for the media tests, and
 * the main-loop helpers they wait with.
 *
 * A peer gathers ICE on 127.0.0.1 only, bundles everything, and offers
 * once gathering is complete (no trickle, as WHEP and WHIP clients do). A
 * viewer peer (peer_viewer_new) receives and decodes for real: pictures
 * are counted after the decoder with their width and by colour (mean luma
 * and V of a sparse grid: dark slate, bright test pattern, solid green),
 * Opus packets after the depayloader. A publisher peer comes from a
 * launch line (peer_from_launch). Header-only: include it in one test
 * program.
 */
#ifndef SINIAN_TEST_WEBRTC_PEER_H
#define SINIAN_TEST_WEBRTC_PEER_H

#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif

#include <check.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- main loop ----------------------------------------------------------- */

static inline gboolean peer_wake(gpointer data)
{
	return G_SOURCE_CONTINUE;
}

/* Run the default main context until cond(data) holds or timeout_ms. */
static inline bool run_until(bool (*cond)(void *), void *data, int timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	guint t = g_timeout_add(20, peer_wake, NULL);
	bool ok;

	while (!(ok = cond ? cond(data) : false) &&
	       g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(t);
	return ok;
}

static inline void run_for(int ms)
{
	run_until(NULL, NULL, ms);
}

/* ---- peers ----------------------------------------------------------------
 */

struct peer {
	GstElement *pipe, *webrtc;
	atomic_int gathered;
	char *offer; /* after peer_make_offer */
	/* viewers: what was decoded */
	bool vp8; /* takes VP8 only */
	atomic_int frames, audio, width;
	atomic_int dark, bright, green; /* pictures by colour */
	gint64 first_frame_us, first_rtp_us;
	GstPad *video_pad; /* webrtcbin's video src pad, for PLI */
};

/* Loopback ICE and max-bundle on a webrtcbin. */
static inline void peer_restrict_ice(GstElement *webrtc)
{
	GstWebRTCICE *ice = NULL;
	gboolean ok = FALSE;

	g_object_set(webrtc, "bundle-policy",
	             GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
	g_object_get(webrtc, "ice-agent", &ice, NULL);
	g_signal_emit_by_name(ice, "add-local-ip-address", "127.0.0.1", &ok);
	gst_object_unref(ice);
	ck_assert(ok);
}

static inline GstPadProbeReturn
peer_frame_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	struct peer *c = data;
	GstCaps *caps = gst_pad_get_current_caps(pad);
	GstVideoInfo vi;
	GstVideoFrame f;

	if (caps && gst_video_info_from_caps(&vi, caps) &&
	    gst_video_frame_map(&f, &vi, GST_PAD_PROBE_INFO_BUFFER(info),
	                        GST_MAP_READ)) {
		const guint8 *y = GST_VIDEO_FRAME_PLANE_DATA(&f, 0);
		const guint8 *v = GST_VIDEO_FRAME_PLANE_DATA(&f, 2);
		int ys = GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0);
		int vs = GST_VIDEO_FRAME_PLANE_STRIDE(&f, 2);
		guint64 sy = 0, sv = 0, n = 0;

		for (int r = 0; r < vi.height; r += 8)
			for (int x = 0; x < vi.width; x += 8, n++) {
				sy += y[r * ys + x];
				sv += v[(r / 2) * vs + x / 2];
			}
		gst_video_frame_unmap(&f);
		atomic_store(&c->width, vi.width);
		if (n && sy / n < 50)
			atomic_fetch_add(&c->dark, 1);
		if (n && sy / n > 90)
			atomic_fetch_add(&c->bright, 1);
		if (n && sy / n > 100 && sv / n < 70) /* Y ~145, V ~34 */
			atomic_fetch_add(&c->green, 1);
	}
	if (caps)
		gst_caps_unref(caps);
	if (atomic_fetch_add(&c->frames, 1) == 0)
		c->first_frame_us = g_get_monotonic_time();
	return GST_PAD_PROBE_OK;
}

static inline GstPadProbeReturn
peer_rtp_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	struct peer *c = data;

	if (!c->first_rtp_us)
		c->first_rtp_us = g_get_monotonic_time();
	return GST_PAD_PROBE_OK;
}

static inline GstPadProbeReturn
peer_audio_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	atomic_fetch_add(&((struct peer *)data)->audio, 1);
	return GST_PAD_PROBE_OK;
}

/* A viewer's received stream: decode it, counting as it goes. */
static inline void peer_on_pad(GstElement *webrtc, GstPad *pad, gpointer data)
{
	struct peer *c = data;
	GstCaps *caps = gst_pad_get_current_caps(pad);
	const GstStructure *s = gst_caps_get_structure(caps, 0);
	bool video = !g_strcmp0(gst_structure_get_string(s, "media"), "video");
	GstElement *bin, *last;
	GstPad *sink, *probe_pad;

	gst_caps_unref(caps);
	if (video) {
		gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER,
		                  peer_rtp_probe, c, NULL);
		c->video_pad = gst_object_ref(pad);
	}
	bin = gst_parse_bin_from_description(
	    !video ? "rtpopusdepay name=last ! opusdec ! fakesink sync=false"
	    : c->vp8
	        ? "rtpvp8depay ! vp8dec ! videoconvert ! "
	          "video/x-raw,format=I420 ! fakesink name=last sync=false"
	        : "rtph264depay ! avdec_h264 ! videoconvert ! "
	          "video/x-raw,format=I420 ! fakesink name=last sync=false",
	    TRUE, NULL);
	ck_assert_ptr_nonnull(bin);
	gst_bin_add(GST_BIN(c->pipe), bin);
	last = gst_bin_get_by_name(GST_BIN(bin), "last");
	probe_pad = gst_element_get_static_pad(last, video ? "sink" : "src");
	gst_pad_add_probe(probe_pad, GST_PAD_PROBE_TYPE_BUFFER,
	                  video ? peer_frame_probe : peer_audio_probe, c, NULL);
	gst_object_unref(probe_pad);
	gst_object_unref(last);
	gst_element_sync_state_with_parent(bin);
	sink = gst_element_get_static_pad(bin, "sink");
	ck_assert_int_eq(gst_pad_link(pad, sink), GST_PAD_LINK_OK);
	gst_object_unref(sink);
}

static inline void peer_add_recvonly(struct peer *c, const char *caps_str)
{
	GstCaps *caps = gst_caps_from_string(caps_str);
	GstWebRTCRTPTransceiver *t = NULL;

	g_signal_emit_by_name(c->webrtc, "add-transceiver",
	                      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
	                      caps, &t);
	ck_assert_ptr_nonnull(t);
	gst_object_unref(t);
	gst_caps_unref(caps);
}

static inline void peer_on_offer(GstPromise *p, gpointer data)
{
	struct peer *c = data;
	GstWebRTCSessionDescription *offer = NULL;

	ck_assert_int_eq(gst_promise_wait(p), GST_PROMISE_RESULT_REPLIED);
	gst_structure_get(gst_promise_get_reply(p), "offer",
	                  GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
	gst_promise_unref(p);
	ck_assert_ptr_nonnull(offer);
	g_signal_emit_by_name(c->webrtc, "set-local-description", offer, NULL);
	gst_webrtc_session_description_free(offer);
}

static inline void peer_on_gathering(GObject *obj, GParamSpec *ps,
                                     gpointer data)
{
	struct peer *c = data;
	GstWebRTCICEGatheringState s;

	g_object_get(obj, "ice-gathering-state", &s, NULL);
	if (s == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
		atomic_store(&c->gathered, 1);
}

static inline bool peer_gathered(void *data)
{
	return atomic_load(&((struct peer *)data)->gathered);
}

/* Create the offer, wait for ICE gathering and keep the offer's text. */
static inline void peer_make_offer(struct peer *c)
{
	GstWebRTCSessionDescription *desc = NULL;

	g_signal_connect(c->webrtc, "notify::ice-gathering-state",
	                 G_CALLBACK(peer_on_gathering), c);
	g_signal_emit_by_name(
	    c->webrtc, "create-offer", NULL,
	    gst_promise_new_with_change_func(peer_on_offer, c, NULL));
	ck_assert_msg(run_until(peer_gathered, c, 5000), "ICE gathering");
	g_object_get(c->webrtc, "local-description", &desc, NULL);
	ck_assert_ptr_nonnull(desc);
	c->offer = gst_sdp_message_as_text(desc->sdp);
	gst_webrtc_session_description_free(desc);
}

/* Set the server's answer; it must be accepted. */
static inline void peer_answer(struct peer *c, const char *answer)
{
	GstSDPMessage *sdp = NULL;
	GstWebRTCSessionDescription *desc;
	GstPromise *p = gst_promise_new();

	ck_assert_int_eq(gst_sdp_message_new_from_text(answer, &sdp),
	                 GST_SDP_OK);
	desc =
	    gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
	g_signal_emit_by_name(c->webrtc, "set-remote-description", desc, p);
	ck_assert_int_eq(gst_promise_wait(p), GST_PROMISE_RESULT_REPLIED);
	ck_assert(!gst_promise_get_reply(p) ||
	          !gst_structure_has_field(gst_promise_get_reply(p), "error"));
	gst_promise_unref(p);
	gst_webrtc_session_description_free(desc);
}

/* A receiving peer offering H.264 constrained baseline (or only VP8) at
 * payload vpt and Opus at apt, offer made. */
static inline struct peer *peer_viewer_new(bool vp8, int vpt, int apt)
{
	struct peer *c = calloc(1, sizeof(*c));
	char caps[256];

	ck_assert_ptr_nonnull(c);
	c->vp8 = vp8;
	c->pipe = gst_pipeline_new(NULL);
	c->webrtc = gst_element_factory_make("webrtcbin", NULL);
	ck_assert_ptr_nonnull(c->webrtc);
	peer_restrict_ice(c->webrtc);
	/* A browser's jitter buffer adapts to a few tens of ms on loopback;
	 * webrtcbin's default of 200 ms would only hide our own delay. */
	g_object_set(c->webrtc, "latency", 40u, NULL);
	gst_bin_add(GST_BIN(c->pipe), c->webrtc);
	g_signal_connect(c->webrtc, "pad-added", G_CALLBACK(peer_on_pad), c);
	if (vp8)
		snprintf(caps, sizeof(caps),
		         "application/x-rtp,media=video,encoding-name=VP8,"
		         "payload=%d,clock-rate=90000",
		         vpt);
	else
		snprintf(
		    caps, sizeof(caps),
		    "application/x-rtp,media=video,encoding-name=H264,"
		    "payload=%d,clock-rate=90000,packetization-mode=(string)"
		    "1,profile-level-id=(string)42e01f",
		    vpt);
	peer_add_recvonly(c, caps);
	snprintf(caps, sizeof(caps),
	         "application/x-rtp,media=audio,encoding-name=OPUS,payload=%d,"
	         "clock-rate=48000,encoding-params=(string)2",
	         apt);
	peer_add_recvonly(c, caps);
	ck_assert_int_ne(gst_element_set_state(c->pipe, GST_STATE_PLAYING),
	                 GST_STATE_CHANGE_FAILURE);
	peer_make_offer(c);
	return c;
}

/* A sending peer from a launch line holding a webrtcbin called name,
 * playing; the caller sets its transceivers and makes the offer. */
static inline struct peer *peer_from_launch(const char *desc, const char *name)
{
	struct peer *c = calloc(1, sizeof(*c));
	GError *gerr = NULL;

	ck_assert_ptr_nonnull(c);
	c->pipe = gst_parse_launch(desc, &gerr);
	ck_assert_msg(c->pipe != NULL, "%s", gerr ? gerr->message : "?");
	c->webrtc = gst_bin_get_by_name(GST_BIN(c->pipe), name);
	ck_assert_ptr_nonnull(c->webrtc);
	gst_object_unref(c->webrtc); /* the pipeline keeps it */
	peer_restrict_ice(c->webrtc);
	ck_assert_int_ne(gst_element_set_state(c->pipe, GST_STATE_PLAYING),
	                 GST_STATE_CHANGE_FAILURE);
	return c;
}

static inline void peer_free(struct peer *c)
{
	if (!c)
		return;
	gst_element_set_state(c->pipe, GST_STATE_NULL);
	gst_object_unref(c->pipe);
	if (c->video_pad)
		gst_object_unref(c->video_pad);
	g_free(c->offer);
	free(c);
}

#endif
