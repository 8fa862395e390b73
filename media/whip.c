/* whip.c — one WHIP publisher on a receive-only webrtcbin.
 *
 * Owns: the publisher's bin (webrtcbin plus, per received stream, a
 * depayloader and decoder exposed as ghost pads "video"/"audio"), the
 * offer -> answer negotiation, the publisher's connection state and media
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
#include <stdlib.h>
#include <string.h>

#define TAG           "whip"
#define HOST_GRACE_MS 15   /* host candidates only: all known at once */
#define DISCONNECT_MS 5000 /* ICE "disconnected" this long: ended */
#define TICK_MS       500
#define BUSY_US       3000000 /* media this recent: the seat is taken */

enum { K_VIDEO = 0, K_AUDIO = 1 };

enum step {
	STEP_REMOTE, /* set-remote-description pending */
	STEP_ANSWER, /* create-answer pending */
	STEP_LOCAL,  /* set-local-description pending */
	STEP_GATHER, /* handed over and playing, gathering candidates */
	STEP_DONE,   /* answer delivered */
};

struct whip {
	gatomicrefcount ref;
	struct media_ctx *ctx;
	int64_t cid;
	struct whip_settings set; /* strings are ours */
	char *stun, *public_ip;
	char **turns;
	whip_event_fn fn;
	void *user_data;
	char id[WHIP_ID_LEN];
	GstElement *bin, *webrtc;
	int mline[2], pt[2]; /* -1: not received */
	bool vp8;
	/* main thread only */
	enum step step;
	bool closed, answered, connected, handed, ended;
	guint gather_timer, early_timer, connect_timer, disc_timer, tick;
	unsigned candidates;
	gint64 kf_asked_us;
	/* shared with streaming threads */
	GMutex lock;
	bool linked[2];
	GstPad *vpad; /* webrtcbin's video src pad, for key frame requests */
	_Atomic int64_t last_rtp_us;
	_Atomic uint64_t packets[2], frames;
};

/* ---- reference counting and posting -------------------------------- */

static struct whip *whip_ref(struct whip *w)
{
	g_atomic_ref_count_inc(&w->ref);
	return w;
}

void whip_unref(struct whip *w)
{
	if (!w || !g_atomic_ref_count_dec(&w->ref))
		return;
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

static void *owner_ref(void *obj)
{
	return whip_ref(obj);
}

static void owner_unref(void *obj)
{
	whip_unref(obj);
}

static bool owner_closed(const void *obj)
{
	return ((const struct whip *)obj)->closed;
}

static const struct rtc_owner as_owner = {owner_ref, owner_unref, owner_closed};

static void post(struct whip *w, rtc_call_fn fn, GstPromise *p)
{
	rtc_post(&as_owner, w, fn, p);
}

static GstPromise *promise_to(struct whip *w, rtc_call_fn fn)
{
	return rtc_promise_to(&as_owner, w, fn);
}

/* ---- ending ------------------------------------------------------------ */

static void clear_timer(guint *t)
{
	if (*t)
		g_source_remove(*t);
	*t = 0;
}

/* Stop the ceremony's live source if it is still ours, or our own bin if
 * it was never handed over. */
static void stop_media(struct whip *w)
{
	struct media_ceremony *mc;

	if (!w->bin)
		return;
	if (w->handed && GST_OBJECT_PARENT(w->bin) &&
	    (mc = media_ceremony_find(w->ctx, w->cid)))
		media_ceremony_source_stop(mc); /* frees the source: slate */
	if (!GST_OBJECT_PARENT(w->bin))
		gst_element_set_state(w->bin, GST_STATE_NULL);
}

static void emit(struct whip *w, enum whip_event ev, int status,
                 const char *text)
{
	if (w->closed)
		return;
	if (ev == WHIP_ANSWER)
		w->answered = true;
	whip_ref(w);
	w->fn(w, ev, status, text, w->user_data);
	whip_unref(w);
}

/* The publisher is gone (or never came): slate, then tell the owner. */
static void end(struct whip *w, int status, const char *why)
{
	if (w->closed || w->ended)
		return;
	w->ended = true;
	log_info(TAG, "%.8s (ceremony %lld): %s", w->id, (long long)w->cid,
	         why);
	stop_media(w);
	if (!w->answered)
		emit(w, WHIP_ANSWER, status, NULL);
	else
		emit(w, WHIP_ENDED, status, why);
}

void whip_close(struct whip *w)
{
	if (!w || w->closed)
		return;
	w->closed = true;
	clear_timer(&w->gather_timer);
	clear_timer(&w->early_timer);
	clear_timer(&w->connect_timer);
	clear_timer(&w->disc_timer);
	clear_timer(&w->tick);
	stop_media(w); /* joins the streaming threads */
	if (w->webrtc) {
		g_signal_handlers_disconnect_by_data(w->webrtc, w);
		gst_object_unref(w->webrtc);
	}
	if (w->bin)
		gst_object_unref(w->bin);
	w->bin = w->webrtc = NULL;
	log_info(TAG, "%.8s closed", w->id);
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
		log_warn(TAG, "%.8s: ignoring a %s %s stream", w->id,
		         media ? media : "?", enc ? enc : "?");
		if (chain)
			gst_object_unref(gst_object_ref_sink(chain));
		depay_discard(w->bin, pad);
		goto out_caps;
	}
	w->linked[k] = true;
	if (k == K_VIDEO)
		w->vpad = gst_object_ref(pad);
	g_mutex_unlock(&w->lock);
	sink = gst_element_get_static_pad(chain, "sink");
	src = gst_element_get_static_pad(chain, "src");
	hsrc = gst_element_get_static_pad(chain, "h264");
	gst_bin_add(GST_BIN(w->bin), chain);
	if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
		log_warn(TAG, "%.8s: %s stream does not link", w->id, media);
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
	gst_element_add_pad(w->bin, ghost);
	if (hsrc) {
		ghost = gst_ghost_pad_new("h264", hsrc);
		gst_pad_set_active(ghost, TRUE);
		gst_element_add_pad(w->bin, ghost);
		gst_object_unref(hsrc);
	}
	gst_object_unref(src);
	gst_object_unref(sink);
	gst_element_sync_state_with_parent(chain);
	log_info(TAG, "%.8s: receiving %s %s", w->id, media, enc);
out_caps:
	if (caps)
		gst_caps_unref(caps);
}

/* ---- negotiation (main thread) ----------------------------------------- */

static void finish(struct whip *w);

static gboolean gather_timeout(gpointer data)
{
	struct whip *w = data;

	w->gather_timer = 0;
	log_info(TAG, "%.8s: ICE gathering timed out, answering", w->id);
	finish(w);
	return G_SOURCE_REMOVE;
}

static gboolean host_grace_done(gpointer data)
{
	struct whip *w = data;

	w->early_timer = 0;
	finish(w);
	return G_SOURCE_REMOVE;
}

static void maybe_answer_early(struct whip *w)
{
	bool host_only =
	    !w->set.ice.stun && !(w->set.ice.turns && w->set.ice.turns[0]);

	if (host_only && w->candidates > 0 && w->step == STEP_GATHER &&
	    !w->early_timer)
		w->early_timer =
		    g_timeout_add(HOST_GRACE_MS, host_grace_done, w);
}

static void on_candidate_main(void *obj, GstPromise *unused)
{
	struct whip *w = obj;
	w->candidates++;
	maybe_answer_early(w);
}

static void on_ice_candidate(GstElement *webrtc, guint mline, gchar *cand,
                             gpointer data)
{
	post(data, on_candidate_main, NULL);
}

static gboolean connect_timeout(gpointer data)
{
	struct whip *w = data;

	w->connect_timer = 0;
	end(w, ERR_UNAVAILABLE, "publisher did not connect in time");
	return G_SOURCE_REMOVE;
}

static void finish(struct whip *w)
{
	char *text;

	if (w->step != STEP_GATHER)
		return;
	w->step = STEP_DONE;
	clear_timer(&w->gather_timer);
	clear_timer(&w->early_timer);
	text = rtc_local_sdp(w->webrtc, &w->set.ice);
	if (!text) {
		end(w, ERR_INTERNAL, "no local description");
		return;
	}
	if (!w->connected)
		w->connect_timer = g_timeout_add(w->set.connect_timeout_ms,
		                                 connect_timeout, w);
	log_info(TAG, "%.8s answered (ceremony %lld, %s pt %d, opus pt %d)",
	         w->id, (long long)w->cid, w->vp8 ? "VP8" : "H264",
	         w->pt[K_VIDEO], w->pt[K_AUDIO]);
	emit(w, WHIP_ANSWER, 0, text);
	g_free(text);
}

static void on_local_set(void *obj, GstPromise *p)
{
	struct whip *w = obj;
	GstWebRTCICEGatheringState gs;
	struct media_ceremony *mc;
	const GstStructure *r;
	const char *why;

	if (!rtc_reply_ok(p, &r, &why)) {
		end(w, ERR_INTERNAL, why);
		return;
	}
	mc = media_ceremony_find(w->ctx, w->cid);
	if (!mc) {
		end(w, ERR_CONFLICT, "the ceremony closed meanwhile");
		return;
	}
	/* From here the bin is the ceremony's live source (PLAYING). */
	w->handed = true;
	/* Not floating: the source takes a reference of its own, ours
	 * stays ours. */
	if (media_ceremony_source_bin_start(mc, w->bin)) {
		end(w, ERR_INTERNAL, "cannot start the publisher's source");
		return;
	}
	w->step = STEP_GATHER;
	g_object_get(w->webrtc, "ice-gathering-state", &gs, NULL);
	if (gs == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) {
		finish(w);
		return;
	}
	maybe_answer_early(w);
	w->gather_timer =
	    g_timeout_add(w->set.gather_timeout_ms, gather_timeout, w);
}

static void on_answer(void *obj, GstPromise *p)
{
	struct whip *w = obj;
	GstWebRTCSessionDescription *answer = NULL;
	const GstStructure *r;
	const char *why;

	if (rtc_reply_ok(p, &r, &why) && r)
		gst_structure_get(r, "answer",
		                  GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer,
		                  NULL);
	if (!answer) {
		end(w, ERR_UNSUPPORTED,
		    "webrtcbin made no answer (no common codec?)");
		return;
	}
	w->step = STEP_LOCAL;
	g_signal_emit_by_name(w->webrtc, "set-local-description", answer,
	                      promise_to(w, on_local_set));
	gst_webrtc_session_description_free(answer);
}

static void on_remote_set(void *obj, GstPromise *p)
{
	struct whip *w = obj;
	const GstStructure *r;
	const char *why;

	if (!rtc_reply_ok(p, &r, &why)) {
		end(w, ERR_INVALID, why);
		return;
	}
	w->step = STEP_ANSWER;
	g_signal_emit_by_name(w->webrtc, "create-answer", NULL,
	                      promise_to(w, on_answer));
}

/* ---- connection state and liveness ------------------------------------- */

static gboolean disc_timeout(gpointer data)
{
	struct whip *w = data;

	w->disc_timer = 0;
	end(w, ERR_GONE, "publisher disconnected (ICE)");
	return G_SOURCE_REMOVE;
}

static void on_state(void *obj, GstPromise *unused)
{
	struct whip *w = obj;
	GstWebRTCICEConnectionState ice;
	GstWebRTCPeerConnectionState pc;
	GstWebRTCICEGatheringState gs;

	if (w->ended)
		return;
	g_object_get(w->webrtc, "ice-connection-state", &ice,
	             "connection-state", &pc, "ice-gathering-state", &gs, NULL);
	if (gs == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE &&
	    w->step == STEP_GATHER)
		finish(w);
	if (w->closed || w->ended || w->step < STEP_GATHER)
		return;
	if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED ||
	    pc == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
		end(w, ERR_UNAVAILABLE, "publisher connection failed");
		return;
	}
	if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED ||
	    pc == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED) {
		end(w, ERR_GONE, "publisher connection closed");
		return;
	}
	if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED) {
		if (!w->disc_timer)
			w->disc_timer =
			    g_timeout_add(DISCONNECT_MS, disc_timeout, w);
		return;
	}
	clear_timer(&w->disc_timer);
	if (!w->connected && pc == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
		w->connected = true;
		atomic_store(&w->last_rtp_us, mainctx_now_us());
		clear_timer(&w->connect_timer);
		log_info(TAG, "%.8s: publisher connected", w->id);
	}
}

static void on_notify(GObject *obj, GParamSpec *pspec, gpointer data)
{
	post(data, on_state, NULL);
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

	if (w->ended)
		return G_SOURCE_CONTINUE;
	if (w->handed && !GST_OBJECT_PARENT(w->bin)) {
		/* another source took over, or the ceremony closed */
		end(w, ERR_GONE, "source replaced or ceremony closed");
		return G_SOURCE_CONTINUE;
	}
	if (w->connected && now - atomic_load(&w->last_rtp_us) >
	                        (gint64)w->set.idle_timeout_ms * 1000) {
		end(w, ERR_GONE, "publisher silent");
		return G_SOURCE_CONTINUE;
	}
	if (w->connected)
		ask_keyframe(w, now);
	return G_SOURCE_CONTINUE;
}

/* ---- construction -------------------------------------------------------- */

/* Receive-only transceivers in the offer's m-line order, each limited to
 * the one codec we decode, so the answer names exactly that. */
static int add_transceivers(struct whip *w)
{
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
		GstWebRTCRTPTransceiver *t = NULL;
		GstCaps *caps;

		snprintf(caps_str, sizeof(caps_str),
		         "application/x-rtp,media=%s,encoding-name=%s,"
		         "payload=%d,clock-rate=%d",
		         k == K_VIDEO ? "video" : "audio",
		         k == K_AUDIO ? "OPUS"
		         : w->vp8     ? "VP8"
		                      : "H264",
		         w->pt[k], k == K_VIDEO ? 90000 : 48000);
		caps = gst_caps_from_string(caps_str);
		g_signal_emit_by_name(
		    w->webrtc, "add-transceiver",
		    GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &t);
		gst_caps_unref(caps);
		if (!t)
			return ERR_INTERNAL;
		gst_object_unref(t);
	}
	return 0;
}

static int build(struct whip *w)
{
	char name[32];

	w->webrtc = gst_element_factory_make("webrtcbin", NULL);
	if (!w->webrtc)
		return ERR_UNAVAILABLE;
	gst_object_ref_sink(w->webrtc);
	snprintf(name, sizeof(name), "whip-%.8s", w->id);
	w->bin = gst_object_ref_sink(gst_bin_new(name));
	gst_bin_add(GST_BIN(w->bin), w->webrtc);
	rtc_configure_ice(w->webrtc, &w->set.ice);
	if (add_transceivers(w))
		return ERR_INTERNAL;
	g_signal_connect_data(w->webrtc, "pad-added", G_CALLBACK(on_pad_added),
	                      whip_ref(w), closure_unref, 0);
	g_signal_connect_data(w->webrtc, "notify::ice-gathering-state",
	                      G_CALLBACK(on_notify), whip_ref(w), closure_unref,
	                      0);
	g_signal_connect_data(w->webrtc, "notify::ice-connection-state",
	                      G_CALLBACK(on_notify), whip_ref(w), closure_unref,
	                      0);
	g_signal_connect_data(w->webrtc, "notify::connection-state",
	                      G_CALLBACK(on_notify), whip_ref(w), closure_unref,
	                      0);
	g_signal_connect_data(w->webrtc, "on-ice-candidate",
	                      G_CALLBACK(on_ice_candidate), whip_ref(w),
	                      closure_unref, 0);
	/* READY starts webrtcbin's own thread; PLAYING comes with the
	 * ceremony's source once the answer is set. */
	if (gst_element_set_state(w->bin, GST_STATE_READY) ==
	    GST_STATE_CHANGE_FAILURE)
		return ERR_INTERNAL;
	return 0;
}

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
}

int whip_new(struct media_ctx *ctx, int64_t ceremony_id,
             const struct whip_settings *s, const char *offer, size_t len,
             whip_event_fn fn, void *user_data, struct whip **out,
             struct err_detail *e)
{
	struct sdp_offer_info info;
	GstWebRTCSessionDescription *desc = NULL;
	struct whip *w;
	int rc, dropped = 0;

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
	g_atomic_ref_count_init(&w->ref);
	g_mutex_init(&w->lock);
	w->ctx = ctx;
	w->cid = ceremony_id;
	w->fn = fn;
	w->user_data = user_data;
	copy_settings(w, s);
	rtc_random_id(w->id);
	if ((rc = choose(w, &info, e)))
		goto out_free;
	if ((rc = rtc_parse_offer(offer, len, &desc, &dropped))) {
		err_fail(e, rc, NULL, "offer does not parse");
		goto out_free;
	}
	if (dropped)
		log_debug(TAG, "%.8s: %d mDNS candidates ignored", w->id,
		          dropped);
	choose_any_profile(w, desc->sdp);
	rtc_offer_attrs_down(desc->sdp);
	if (w->mline[K_VIDEO] < 0 && w->mline[K_AUDIO] < 0) {
		rc = err_fail(e, ERR_UNSUPPORTED, "unsupported_codec",
		              "the offer sends neither H.264 nor VP8 video nor "
		              "Opus audio");
		gst_webrtc_session_description_free(desc);
		goto out_free;
	}
	if ((rc = build(w))) {
		err_fail(e, rc, NULL,
		         "cannot create the publisher's webrtcbin");
		gst_webrtc_session_description_free(desc);
		goto out_free;
	}
	w->step = STEP_REMOTE;
	w->tick = g_timeout_add(TICK_MS, tick, w);
	g_signal_emit_by_name(w->webrtc, "set-remote-description", desc,
	                      promise_to(w, on_remote_set));
	gst_webrtc_session_description_free(desc);
	log_info(TAG, "%.8s: publisher offer for ceremony %lld (%s%s%s)", w->id,
	         (long long)w->cid,
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
	return w->id;
}

int64_t whip_ceremony_id(const struct whip *w)
{
	return w->cid;
}

bool whip_busy(const struct whip *w)
{
	if (w->closed || w->ended)
		return false;
	if (!w->connected)
		return true; /* negotiating or connecting, bounded by timers */
	return mainctx_now_us() - atomic_load(&w->last_rtp_us) < BUSY_US;
}

void whip_get_stats(const struct whip *w, struct whip_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->connected = w->connected && !w->ended && !w->closed;
	if (w->mline[K_VIDEO] >= 0)
		snprintf(out->video_codec, sizeof(out->video_codec), "%s",
		         w->vp8 ? "VP8" : "H264");
	out->video_packets = atomic_load(&w->packets[K_VIDEO]);
	out->audio_packets = atomic_load(&w->packets[K_AUDIO]);
	out->video_frames = atomic_load(&w->frames);
}
