/* whip.c — one WHIP publisher on a receive-only webrtcbin.
 *
 * Owns: the publisher's bin (webrtcbin plus, per received stream, a
 * depayloader and decoder exposed as ghost pads "video"/"audio"), what its
 * negotiation does beyond the steps every webrtcbin engine shares (struct
 * rtc_peer in rtc.c: set remote, create answer, set local, wait for ICE
 * gathering, connection state): the codecs taken from the offer, receive-
 * only transceivers, handing the bin over once the answer is set; media
 * liveness, and the decision to stop the ceremony's live source when the
 * publisher is gone. The bin itself is handed to the ceremony as its live
 * source once the answer is set; we keep a reference to look at it. Must
 * never: act on a streaming thread beyond building the decode chain of a
 * new pad (everything else is posted to the main loop, holding a
 * reference), stop a source that is no longer ours (our bin has no parent
 * once the source was replaced or the ceremony closed), or emit an event
 * after whip_close(). Called by the daemon's WHIP handler (api_whip.c).
 */
#include "whip.h"

#include "err.h"
#include "depay.h"
#include "log.h"
#include "mainctx.h"
#include "media.h"
#include "sdp.h"

#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define TAG     "whip"
#define TICK_MS 500
#define BUSY_US 3000000 /* media this recent: the seat is taken */

enum { K_VIDEO = 0, K_AUDIO = 1 };

struct whip {
	struct rtc_peer peer; /* the webrtcbin, its reference count */
	struct media_ctx *ctx;
	int64_t cid;
	struct whip_settings set; /* strings are ours */
	char *stun, *public_ip;
	char **turns;
	whip_event_fn fn;
	void *user_data;
	int mline[2], pt[2]; /* -1: not received */
	bool vp8;
	/* main thread only */
	bool handed;
	guint tick;
	gint64 kf_asked_us;
	/* shared with streaming threads */
	GMutex lock;
	bool linked[2];
	GstPad *vpad; /* webrtcbin's video src pad, for key frame requests */
	_Atomic int64_t last_rtp_us;
	_Atomic uint64_t packets[2], frames;
};

/* ---- reference counting ------------------------------------------------ */

static struct whip *whip_ref(struct whip *w)
{
	return rtc_peer_ref(&w->peer);
}

void whip_unref(struct whip *w)
{
	if (w)
		rtc_peer_unref(&w->peer);
}

static void whip_free(void *obj)
{
	struct whip *w = obj;

	if (w->vpad)
		gst_object_unref(w->vpad);
	g_mutex_clear(&w->lock);
	g_free(w->stun);
	g_free(w->public_ip);
	g_strfreev(w->turns);
	g_free(w);
}

static void closure_unref(gpointer data, GClosure *closure)
{
	whip_unref(data);
}

/* ---- events and ending ------------------------------------------------- */

/* Stop the ceremony's live source if it is still ours, or our own bin if
 * it was never handed over. */
static void stop_media(struct whip *w)
{
	GstElement *bin = w->peer.bin;
	struct media_ceremony *mc;

	if (!bin)
		return;
	if (w->handed && GST_OBJECT_PARENT(bin) &&
	    (mc = media_ceremony_find(w->ctx, w->cid)))
		media_ceremony_source_stop(mc); /* frees the source: slate */
	if (!GST_OBJECT_PARENT(bin))
		gst_element_set_state(bin, GST_STATE_NULL);
}

static void on_event(void *obj, enum rtc_peer_event ev, int status,
                     const char *text)
{
	struct whip *w = obj;

	switch (ev) {
	case RTC_PEER_ANSWERED:
		if (status == 0)
			log_info(TAG,
			         "%.8s answered (ceremony %lld, %s pt %d, opus "
			         "pt %d)",
			         w->peer.id, (long long)w->cid,
			         w->vp8 ? "VP8" : "H264", w->pt[K_VIDEO],
			         w->pt[K_AUDIO]);
		w->fn(w, WHIP_ANSWER, status, text, w->user_data);
		break;
	case RTC_PEER_CONNECTED:
		atomic_store(&w->last_rtp_us, mainctx_now_us());
		log_info(TAG, "%.8s: publisher connected", w->peer.id);
		break;
	case RTC_PEER_ENDED:
		w->fn(w, WHIP_ENDED, status, text, w->user_data);
		break;
	}
}

/* The publisher is gone (or never came): slate, then the owner is told. */
static void on_ending(void *obj, int status, const char *why)
{
	struct whip *w = obj;

	log_info(TAG, "%.8s (ceremony %lld): %s", w->peer.id, (long long)w->cid,
	         why);
	stop_media(w);
}

static void end(struct whip *w, int status, const char *why)
{
	rtc_peer_fail(&w->peer, status, why);
}

static void stop(void *obj)
{
	struct whip *w = obj;

	if (w->tick)
		g_source_remove(w->tick);
	w->tick = 0;
	stop_media(w); /* joins the streaming threads */
	if (w->peer.webrtc)
		g_signal_handlers_disconnect_by_data(w->peer.webrtc, w);
}

void whip_close(struct whip *w)
{
	if (w)
		rtc_peer_close(&w->peer);
}

/* ---- received streams (streaming threads) ------------------------------ */

static GstPadProbeReturn rtp_probe(GstPad *pad, GstPadProbeInfo *info,
                                   gpointer data)
{
	struct whip *w = data;
	int k = pad == w->vpad ? K_VIDEO : K_AUDIO;
	guint n = 1;

	if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
		n = gst_buffer_list_length(
		    GST_PAD_PROBE_INFO_BUFFER_LIST(info));
	atomic_fetch_add(&w->packets[k], n);
	atomic_store(&w->last_rtp_us, mainctx_now_us());
	return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn frame_probe(GstPad *pad, GstPadProbeInfo *info,
                                     gpointer data)
{
	struct whip *w = data;

	atomic_fetch_add(&w->frames, 1);
	return GST_PAD_PROBE_OK;
}

static void probe_unref(gpointer data)
{
	whip_unref(data);
}

static void on_pad_added(GstElement *webrtc, GstPad *pad, gpointer data)
{
	struct whip *w = data;
	GstCaps *caps = gst_pad_get_current_caps(pad);
	const GstStructure *st;
	const char *media, *enc;
	GstElement *chain;
	GstPad *sink, *src, *hsrc, *ghost;
	int k;

	if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
		goto out_caps;
	if (!caps)
		caps = gst_pad_query_caps(pad, NULL);
	st = gst_caps_get_size(caps) ? gst_caps_get_structure(caps, 0) : NULL;
	media = st ? gst_structure_get_string(st, "media") : NULL;
	enc = st ? gst_structure_get_string(st, "encoding-name") : NULL;
	k = !g_strcmp0(media, "video") ? K_VIDEO : K_AUDIO;
	chain = enc && media ? depay_bin_new(k == K_VIDEO, enc) : NULL;
	g_mutex_lock(&w->lock);
	if (!chain || w->linked[k]) {
		g_mutex_unlock(&w->lock);
		log_warn(TAG, "%.8s: ignoring a %s %s stream", w->peer.id,
		         media ? media : "?", enc ? enc : "?");
		if (chain)
			gst_object_unref(gst_object_ref_sink(chain));
		depay_discard(w->peer.bin, pad);
		goto out_caps;
	}
	w->linked[k] = true;
	if (k == K_VIDEO)
		w->vpad = gst_object_ref(pad);
	g_mutex_unlock(&w->lock);
	sink = gst_element_get_static_pad(chain, "sink");
	src = gst_element_get_static_pad(chain, "src");
	hsrc = gst_element_get_static_pad(chain, "h264");
	gst_bin_add(GST_BIN(w->peer.bin), chain);
	if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
		log_warn(TAG, "%.8s: %s stream does not link", w->peer.id,
		         media);
	gst_pad_add_probe(
	    pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
	    rtp_probe, whip_ref(w), probe_unref);
	if (k == K_VIDEO)
		gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, frame_probe,
		                  whip_ref(w), probe_unref);
	/* The ceremony's source links the new pads to its tails at once:
	 * raw pictures and sound, and the H.264 as sent for pass-through. */
	ghost = gst_ghost_pad_new(k == K_VIDEO ? "video" : "audio", src);
	gst_pad_set_active(ghost, TRUE);
	gst_element_add_pad(w->peer.bin, ghost);
	if (hsrc) {
		ghost = gst_ghost_pad_new("h264", hsrc);
		gst_pad_set_active(ghost, TRUE);
		gst_element_add_pad(w->peer.bin, ghost);
		gst_object_unref(hsrc);
	}
	gst_object_unref(src);
	gst_object_unref(sink);
	gst_element_sync_state_with_parent(chain);
	log_info(TAG, "%.8s: receiving %s %s", w->peer.id, media, enc);
out_caps:
	if (caps)
		gst_caps_unref(caps);
}

/* ---- negotiation and liveness (main thread) ---------------------------- */

/* The answer is set: the bin becomes the ceremony's live source. */
static int play(void *obj, const char **why)
{
	struct whip *w = obj;
	struct media_ceremony *mc;

	mc = media_ceremony_find(w->ctx, w->cid);
	if (!mc) {
		*why = "the ceremony closed meanwhile";
		return ERR_CONFLICT;
	}
	/* From here the bin is the ceremony's live source (PLAYING). */
	w->handed = true;
	/* Not floating: the source takes a reference of its own, ours
	 * stays ours. */
	if (media_ceremony_source_bin_start(mc, w->peer.bin)) {
		*why = "cannot start the publisher's source";
		return ERR_INTERNAL;
	}
	return 0;
}

/* Ask the publisher for a key frame (RTCP PLI) while nothing decodes. */
static void ask_keyframe(struct whip *w, gint64 now)
{
	GstPad *pad = NULL;

	if (atomic_load(&w->frames) > 0 || now - w->kf_asked_us < 1000000)
		return;
	g_mutex_lock(&w->lock);
	if (w->vpad)
		pad = gst_object_ref(w->vpad);
	g_mutex_unlock(&w->lock);
	if (!pad)
		return;
	w->kf_asked_us = now;
	gst_pad_send_event(pad, gst_video_event_new_upstream_force_key_unit(
	                            GST_CLOCK_TIME_NONE, TRUE, 0));
	gst_object_unref(pad);
}

static gboolean tick(gpointer data)
{
	struct whip *w = data;
	gint64 now = mainctx_now_us();

	if (w->peer.ended)
		return G_SOURCE_CONTINUE;
	if (w->handed && !GST_OBJECT_PARENT(w->peer.bin)) {
		/* another source took over, or the ceremony closed */
		end(w, ERR_GONE, "source replaced or ceremony closed");
		return G_SOURCE_CONTINUE;
	}
	if (w->peer.connected && now - atomic_load(&w->last_rtp_us) >
	                             (gint64)w->set.idle_timeout_ms * 1000) {
		end(w, ERR_GONE, "publisher silent");
		return G_SOURCE_CONTINUE;
	}
	if (w->peer.connected)
		ask_keyframe(w, now);
	return G_SOURCE_CONTINUE;
}

/* ---- construction -------------------------------------------------------- */

/* The publisher's part of its bin: receive-only transceivers in the
 * offer's m-line order, each limited to the one codec we decode, so the
 * answer names exactly that; received streams decoded as they come. */
static int build(void *obj)
{
	struct whip *w = obj;
	int order[2], n = 0;
	char caps_str[192];

	if (w->mline[K_VIDEO] >= 0 && w->mline[K_AUDIO] >= 0 &&
	    w->mline[K_AUDIO] < w->mline[K_VIDEO])
		order[n++] = K_AUDIO;
	if (w->mline[K_VIDEO] >= 0)
		order[n++] = K_VIDEO;
	if (w->mline[K_AUDIO] >= 0 && (n == 0 || order[0] != K_AUDIO))
		order[n++] = K_AUDIO;
	for (int i = 0; i < n; i++) {
		int k = order[i];
		GstCaps *caps;
		int rc;

		snprintf(caps_str, sizeof(caps_str),
		         "application/x-rtp,media=%s,encoding-name=%s,"
		         "payload=%d,clock-rate=%d",
		         k == K_VIDEO ? "video" : "audio",
		         k == K_AUDIO ? "OPUS"
		         : w->vp8     ? "VP8"
		                      : "H264",
		         w->pt[k], k == K_VIDEO ? 90000 : 48000);
		caps = gst_caps_from_string(caps_str);
		rc = rtc_peer_add_transceiver(
		    &w->peer, GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
		    caps);
		gst_caps_unref(caps);
		if (rc)
			return rc;
	}
	g_signal_connect_data(w->peer.webrtc, "pad-added",
	                      G_CALLBACK(on_pad_added), whip_ref(w),
	                      closure_unref, 0);
	return 0;
}

static const struct rtc_peer_ops whip_ops = {
    .tag = TAG,
    .free = whip_free,
    .build = build,
    .play = play,
    .event = on_event,
    .ending = on_ending,
    .stop = stop,
    .why_late = "publisher did not connect in time",
    .why_failed = "publisher connection failed",
    .why_closed = "publisher connection closed",
    .why_lost = "publisher disconnected (ICE)",
};

/* Which codecs to take from the inspected offer. */
static int choose(struct whip *w, const struct sdp_offer_info *info,
                  struct err_detail *e)
{
	if (info->role != SDP_ROLE_PUBLISHER) {
		return err_fail(
		    e, ERR_INVALID, "not_publisher",
		    "not a publisher's offer (%s): every audio/video "
		    "section must be sendonly",
		    sdp_role_name(info->role));
	}
	w->mline[K_VIDEO] = w->mline[K_AUDIO] = -1;
	w->pt[K_VIDEO] = w->pt[K_AUDIO] = -1;
	if (info->video_index >= 0 && info->h264_pt >= 0) {
		w->mline[K_VIDEO] = info->video_index;
		w->pt[K_VIDEO] = info->h264_pt;
	} else if (info->video_index >= 0 && info->vp8_pt >= 0) {
		w->mline[K_VIDEO] = info->video_index;
		w->pt[K_VIDEO] = info->vp8_pt;
		w->vp8 = true;
	}
	if (info->audio_index >= 0 && info->opus_pt >= 0) {
		w->mline[K_AUDIO] = info->audio_index;
		w->pt[K_AUDIO] = info->opus_pt;
	}
	return 0;
}

/* Codecs the sender may use, from the parsed offer when the inspector
 * knew none (it only reports H.264 that browsers can be sent). */
static void choose_any_profile(struct whip *w, const GstSDPMessage *sdp)
{
	for (guint i = 0; i < gst_sdp_message_medias_len(sdp); i++) {
		const GstSDPMedia *m = gst_sdp_message_get_media(sdp, i);
		int pt;

		if (w->mline[K_VIDEO] >= 0 && w->mline[K_AUDIO] >= 0)
			break;
		if (w->mline[K_VIDEO] < 0 &&
		    !g_strcmp0(gst_sdp_media_get_media(m), "video") &&
		    ((pt = rtc_media_find_pt(m, "H264")) >= 0 ||
		     (pt = rtc_media_find_pt(m, "VP8")) >= 0)) {
			w->mline[K_VIDEO] = (int)i;
			w->pt[K_VIDEO] = pt;
			w->vp8 = rtc_media_find_pt(m, "H264") < 0;
		} else if (w->mline[K_AUDIO] < 0 &&
		           !g_strcmp0(gst_sdp_media_get_media(m), "audio") &&
		           (pt = rtc_media_find_pt(m, "OPUS")) >= 0) {
			w->mline[K_AUDIO] = (int)i;
			w->pt[K_AUDIO] = pt;
		}
	}
}

static void copy_settings(struct whip *w, const struct whip_settings *s)
{
	w->set = *s;
	w->stun = g_strdup(s->ice.stun);
	w->public_ip = g_strdup(s->ice.public_ip);
	w->turns = g_strdupv((char **)s->ice.turns);
	w->set.ice.stun = w->stun;
	w->set.ice.public_ip = w->public_ip;
	w->set.ice.turns = w->turns;
	if (!w->set.gather_timeout_ms)
		w->set.gather_timeout_ms = 2000;
	if (!w->set.connect_timeout_ms)
		w->set.connect_timeout_ms = 10000;
	if (!w->set.idle_timeout_ms)
		w->set.idle_timeout_ms = 10000;
	w->peer.ice = w->set.ice;
	w->peer.gather_timeout_ms = w->set.gather_timeout_ms;
	w->peer.connect_timeout_ms = w->set.connect_timeout_ms;
}

int whip_new(struct media_ctx *ctx, int64_t ceremony_id,
             const struct whip_settings *s, const char *offer, size_t len,
             whip_event_fn fn, void *user_data, struct whip **out,
             struct err_detail *e)
{
	struct sdp_offer_info info;
	GstWebRTCSessionDescription *desc = NULL;
	struct whip *w;
	int rc;

	*out = NULL;
	if (e)
		*e = (struct err_detail){0};
	if (!ctx || !s || !fn || !offer)
		return ERR_INVALID;
	rc = sdp_offer_inspect(offer, len, &info, e);
	if (rc)
		return rc;
	if (!media_ceremony_find(ctx, ceremony_id)) {
		return err_fail(e, ERR_NOT_FOUND, NULL,
		                "the ceremony is not live");
	}
	w = g_new0(struct whip, 1);
	rtc_peer_init(&w->peer, &whip_ops, w);
	g_mutex_init(&w->lock);
	w->ctx = ctx;
	w->cid = ceremony_id;
	w->fn = fn;
	w->user_data = user_data;
	copy_settings(w, s);
	if ((rc = choose(w, &info, e)))
		goto out_free;
	if ((rc = rtc_peer_offer(&w->peer, offer, len, &desc, e)))
		goto out_free;
	choose_any_profile(w, desc->sdp);
	rtc_offer_attrs_down(desc->sdp);
	if (w->mline[K_VIDEO] < 0 && w->mline[K_AUDIO] < 0)
		rc = err_fail(e, ERR_UNSUPPORTED, "unsupported_codec",
		              "the offer sends neither H.264 nor VP8 video nor "
		              "Opus audio");
	else if ((rc = rtc_peer_start(&w->peer, desc)))
		err_fail(e, rc, NULL,
		         "cannot create the publisher's webrtcbin");
	gst_webrtc_session_description_free(desc);
	if (rc)
		goto out_free;
	w->tick = g_timeout_add(TICK_MS, tick, w);
	log_info(TAG, "%.8s: publisher offer for ceremony %lld (%s%s%s)",
	         w->peer.id, (long long)w->cid,
	         w->mline[K_VIDEO] >= 0 ? (w->vp8 ? "VP8" : "H264") : "",
	         w->mline[K_VIDEO] >= 0 && w->mline[K_AUDIO] >= 0 ? " + " : "",
	         w->mline[K_AUDIO] >= 0 ? "Opus" : "");
	*out = w;
	return 0;
out_free:
	whip_close(w);
	whip_unref(w);
	return rc;
}

const char *whip_id(const struct whip *w)
{
	return w->peer.id;
}

int64_t whip_ceremony_id(const struct whip *w)
{
	return w->cid;
}

bool whip_busy(const struct whip *w)
{
	if (w->peer.closed || w->peer.ended)
		return false;
	if (!w->peer.connected)
		return true; /* negotiating or connecting, bounded by timers */
	return mainctx_now_us() - atomic_load(&w->last_rtp_us) < BUSY_US;
}

void whip_get_stats(const struct whip *w, struct whip_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->connected = w->peer.connected && !w->peer.ended && !w->peer.closed;
	if (w->mline[K_VIDEO] >= 0)
		snprintf(out->video_codec, sizeof(out->video_codec), "%s",
		         w->vp8 ? "VP8" : "H264");
	out->video_packets = atomic_load(&w->packets[K_VIDEO]);
	out->audio_packets = atomic_load(&w->packets[K_AUDIO]);
	out->video_frames = atomic_load(&w->frames);
}
