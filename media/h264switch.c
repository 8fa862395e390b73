/* h264switch.c — encoder or pass-through, switched on key frames.
 *
 * Owns: the choice of which H.264 stream feeds the ceremony's out appsrc
 * (the one the viewers' payloader and the recorder read), the restamping
 * of what it forwards, the caps it sets on the out appsrc, and the routing
 * of key frame requests to the encoder or to the source. Must never:
 * forward a P-frame of a stream just switched to, let timestamps go back,
 * or block (the out appsrc leaks instead; the lock is held for a push that
 * never waits). Called by encoder.c (appsink callback, requests) and, via
 * the encoder, by input.c on the source's streaming thread.
 */
#include "h264switch.h"

#include "log.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <string.h>

#define TAG            "h264switch"
#define SOURCE_ASK_US  500000 /* key frame requests to the source: at most */
#define RATE_WINDOW_NS (2 * GST_SECOND) /* source bitrate measured over */
#define RATE_BACK_PCT  80      /* too fast until below this % of the ceiling */
#define KEY_LATE_US    1000000 /* a key frame asked of the source: deadline */

enum feed { FEED_ENC, FEED_SOURCE };

struct h264switch {
	GstElement *enc_sink, *out;
	struct keyframe_gate *x264_gate;
	GstPad *enc_pad; /* the appsink's sink pad: upstream leads to x264 */
	GstPad *out_pad; /* the appsrc's src pad: viewers' PLI arrive here */
	gulong probe;
	GMutex lock;
	enum feed feed;   /* what is forwarded now */
	enum feed target; /* what should be, from its next key frame */
	bool disabled;    /* by configuration: never pass through */
	bool held;        /* while a VP8 viewer needs raw pictures encoded */
	GstPad *upstream; /* toward the source, for key frame requests */
	GstCaps *out_caps;
	GstCaps *src_caps; /* last seen (a ref: its address is not reused) */
	bool src_playable;
	guint64 max_bps; /* ceiling for passing through; 0: none */
	GstClockTime win_start;
	guint64 win_bytes;
	bool too_fast;       /* the last window's rate was above the ceiling */
	gint64 key_asked_us; /* a key frame was asked of the flowing source */
	bool key_late;       /* ... and did not come in time */
	GstClockTime last_ts;
	gint64 asked_us;
	struct h264switch_stats st;
};

static const char *feed_name(enum feed f)
{
	return f == FEED_SOURCE ? "pass-through" : "encoder";
}

bool h264switch_playable(const GstCaps *caps)
{
	const GstStructure *s;
	const char *profile;
	int w = 0, h = 0;

	if (!caps || gst_caps_get_size(caps) < 1)
		return false;
	s = gst_caps_get_structure(caps, 0);
	if (!gst_structure_has_name(s, "video/x-h264"))
		return false;
	profile = gst_structure_get_string(s, "profile");
	if (!profile || (strcmp(profile, "constrained-baseline") != 0 &&
	                 strcmp(profile, "baseline") != 0))
		return false;
	if (!gst_structure_get_int(s, "width", &w) ||
	    !gst_structure_get_int(s, "height", &h) || w <= 0 || h <= 0)
		return false;
	/* Landscape or portrait, never above 1080p: every phone decodes it. */
	return MAX(w, h) <= H264SWITCH_MAX_W && MIN(w, h) <= H264SWITCH_MAX_H;
}

/* Say once per caps change what the source sends and what we do. */
static void describe(const GstCaps *caps, bool playable)
{
	const GstStructure *s = caps && gst_caps_get_size(caps)
	                            ? gst_caps_get_structure(caps, 0)
	                            : NULL;
	const char *profile = s ? gst_structure_get_string(s, "profile") : NULL;
	int w = 0, h = 0;

	if (s) {
		gst_structure_get_int(s, "width", &w);
		gst_structure_get_int(s, "height", &h);
	}
	log_info(TAG, "source sends H.264 %s %dx%d: %s",
	         profile ? profile : "(profile unknown)", w, h,
	         playable ? "passing it through" : "encoding it again");
}

/* Stamp and push one access unit; called with the lock held. */
static void forward_locked(struct h264switch *sw, GstBuffer *buf,
                           const GstCaps *caps, GstClockTime ts)
{
	if (!GST_CLOCK_TIME_IS_VALID(ts) ||
	    (GST_CLOCK_TIME_IS_VALID(sw->last_ts) && ts <= sw->last_ts))
		ts = GST_CLOCK_TIME_IS_VALID(sw->last_ts) ? sw->last_ts + 1 : 0;
	sw->last_ts = ts;
	buf = gst_buffer_make_writable(buf);
	GST_BUFFER_PTS(buf) = ts;
	GST_BUFFER_DTS(buf) = ts;
	if (caps && (!sw->out_caps || !gst_caps_is_equal(caps, sw->out_caps))) {
		gst_caps_replace(&sw->out_caps, (GstCaps *)caps);
		gst_app_src_set_caps(GST_APP_SRC(sw->out), caps);
	}
	(void)gst_app_src_push_buffer(GST_APP_SRC(sw->out), buf);
}

static void switched_locked(struct h264switch *sw, enum feed to)
{
	sw->feed = to;
	sw->st.switches++;
	log_info(TAG, "now sending the %s's H.264", feed_name(to));
}

static GstFlowReturn on_enc_sample(GstAppSink *sink, gpointer data)
{
	struct h264switch *sw = data;
	GstSample *sample = gst_app_sink_pull_sample(sink);
	GstBuffer *buf;
	GstClockTime ts;

	if (!sample)
		return GST_FLOW_OK;
	buf = gst_sample_get_buffer(sample);
	if (!buf)
		goto out_sample;
	ts = gst_segment_to_running_time(gst_sample_get_segment(sample),
	                                 GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
	g_mutex_lock(&sw->lock);
	if (sw->feed == FEED_SOURCE && sw->target == FEED_ENC &&
	    !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT))
		switched_locked(sw, FEED_ENC);
	if (sw->feed == FEED_ENC) {
		forward_locked(sw, gst_buffer_ref(buf),
		               gst_sample_get_caps(sample), ts);
		sw->st.encoded++;
	} else {
		sw->st.dropped++;
	}
	g_mutex_unlock(&sw->lock);
out_sample:
	gst_sample_unref(sample);
	return GST_FLOW_OK;
}

static void ask_source(GstPad *up, gboolean api)
{
	if (up) {
		gst_pad_push_event(up, keyframe_event_new(api));
		gst_object_unref(up);
	}
}

/* Measure the source's bitrate in windows of RATE_WINDOW_NS; called with
 * the lock held. Viewers on a weak link should not be handed more than
 * the ceiling because the publisher happens to send it. */
static void measure_locked(struct h264switch *sw, gsize size, GstClockTime now)
{
	guint64 bps;

	if (!sw->max_bps)
		return;
	if (!GST_CLOCK_TIME_IS_VALID(sw->win_start) || now < sw->win_start) {
		sw->win_start = now;
		sw->win_bytes = 0;
	}
	sw->win_bytes += size;
	if (now - sw->win_start < RATE_WINDOW_NS)
		return;
	bps = gst_util_uint64_scale(sw->win_bytes * 8, GST_SECOND,
	                            now - sw->win_start);
	if (!sw->too_fast && bps > sw->max_bps) {
		sw->too_fast = true;
		log_info(TAG,
		         "source sends %" G_GUINT64_FORMAT " kbit/s, above "
		         "the %" G_GUINT64_FORMAT
		         " kbit/s ceiling: encoding it",
		         bps / 1000, sw->max_bps / 1000);
	} else if (sw->too_fast && bps * 100 < sw->max_bps * RATE_BACK_PCT) {
		sw->too_fast = false;
		log_info(TAG, "source down to %" G_GUINT64_FORMAT " kbit/s",
		         bps / 1000);
	}
	sw->win_start = now;
	sw->win_bytes = 0;
}

/* A viewer that joins or lost packets needs a key frame now. Publishers
 * that ignore PLI (or cameras that cannot be asked) would make it wait
 * for their next one, seconds away: past the deadline the encoder, which
 * can make one at once, fills in until the source's key frame comes.
 * Called with the lock held, for every unit of the source. */
static void key_deadline_locked(struct h264switch *sw, bool key, gint64 t)
{
	if (key) {
		if (sw->key_asked_us)
			log_debug(TAG,
			          "the source's key frame came %lld ms "
			          "after it was asked",
			          (long long)(t - sw->key_asked_us) / 1000);
		sw->key_asked_us = 0;
		if (sw->key_late)
			log_info(TAG, "the source's key frame came: "
			              "passing it through again");
		sw->key_late = false;
	} else if (sw->key_asked_us && !sw->key_late &&
	           t - sw->key_asked_us > KEY_LATE_US) {
		sw->key_late = true;
		log_info(TAG,
		         "no key frame from the source within %d ms: "
		         "the encoder fills in",
		         KEY_LATE_US / 1000);
	}
}

void h264switch_set_max_kbps(struct h264switch *sw, unsigned kbps)
{
	g_mutex_lock(&sw->lock);
	sw->max_bps = (guint64)kbps * 1000;
	sw->too_fast = false;
	sw->win_start = GST_CLOCK_TIME_NONE;
	g_mutex_unlock(&sw->lock);
}

bool h264switch_push_source(struct h264switch *sw, GstBuffer *buf,
                            const GstCaps *caps, GstClockTime now)
{
	bool key = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
	bool fwd = false, ask_enc = false;
	GstPad *up = NULL;
	gint64 t = g_get_monotonic_time();

	/* Parameter sets alone (h264parse's answer to a key frame request
	 * with all headers): they come again in front of every key frame,
	 * and on their own they would make a picture-less "frame". */
	if (!key && GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_HEADER)) {
		gst_buffer_unref(buf);
		g_mutex_lock(&sw->lock);
		fwd = sw->feed == FEED_SOURCE && sw->target == FEED_SOURCE;
		g_mutex_unlock(&sw->lock);
		return fwd;
	}

	g_mutex_lock(&sw->lock);
	if (caps != sw->src_caps) {
		gst_caps_replace(&sw->src_caps, (GstCaps *)caps);
		sw->src_playable = h264switch_playable(caps);
		describe(caps, sw->src_playable);
	}
	measure_locked(sw, gst_buffer_get_size(buf), now);
	key_deadline_locked(sw, key, t);
	if (!sw->disabled && !sw->held && sw->src_playable && !sw->too_fast &&
	    !sw->key_late) {
		sw->target = FEED_SOURCE;
	} else if (sw->target == FEED_SOURCE) {
		sw->target = FEED_ENC;
		ask_enc = true;
	}
	if (sw->feed == FEED_ENC && sw->target == FEED_SOURCE && key)
		switched_locked(sw, FEED_SOURCE);
	if (sw->feed == FEED_SOURCE) {
		forward_locked(sw, buf, caps, now);
		buf = NULL;
		sw->st.passed++;
		fwd = sw->target == FEED_SOURCE;
	} else if (sw->target == FEED_SOURCE || sw->key_late) {
		/* awaiting its key frame: keep asking (a PLI may be lost,
		 * or ignored when it came too soon after another) */
		if (sw->target == FEED_SOURCE)
			sw->st.dropped++;
		if (sw->upstream && t - sw->asked_us >= SOURCE_ASK_US) {
			sw->asked_us = t;
			up = gst_object_ref(sw->upstream);
		}
	}
	g_mutex_unlock(&sw->lock);
	if (buf)
		gst_buffer_unref(buf);
	if (ask_enc)
		keyframe_gate_request(sw->x264_gate);
	ask_source(up, TRUE);
	return fwd;
}

bool h264switch_wants_raw(struct h264switch *sw)
{
	bool raw;

	g_mutex_lock(&sw->lock);
	raw = sw->feed != FEED_SOURCE || sw->target != FEED_SOURCE;
	g_mutex_unlock(&sw->lock);
	return raw;
}

enum why_enc { WHY_LOST, WHY_CONFIG, WHY_HELD };

/* Aim at the encoder again; true if that is a change. */
static bool back_to_enc(struct h264switch *sw, enum why_enc why)
{
	bool changed;

	g_mutex_lock(&sw->lock);
	if (why == WHY_CONFIG)
		sw->disabled = true;
	else if (why == WHY_HELD)
		sw->held = true;
	else /* the next source is measured afresh */
		sw->too_fast = false;
	sw->key_asked_us = 0;
	sw->key_late = false;
	sw->win_start = GST_CLOCK_TIME_NONE;
	changed = sw->target == FEED_SOURCE;
	sw->target = FEED_ENC;
	g_mutex_unlock(&sw->lock);
	if (changed)
		keyframe_gate_request(sw->x264_gate);
	return changed;
}

void h264switch_source_lost(struct h264switch *sw)
{
	if (back_to_enc(sw, WHY_LOST))
		log_info(TAG, "source's H.264 stopped: back to the encoder");
}

void h264switch_disable(struct h264switch *sw)
{
	back_to_enc(sw, WHY_CONFIG);
}

void h264switch_hold(struct h264switch *sw, bool hold)
{
	bool was;

	if (hold) {
		if (back_to_enc(sw, WHY_HELD))
			log_info(TAG, "pass-through held: a viewer needs the "
			              "encoder");
		return;
	}
	g_mutex_lock(&sw->lock);
	was = sw->held;
	sw->held = false;
	g_mutex_unlock(&sw->lock);
	if (was)
		log_info(TAG, "pass-through may resume: no viewer needs the "
		              "encoder");
}

void h264switch_set_upstream(struct h264switch *sw, GstPad *pad)
{
	GstPad *old;

	g_mutex_lock(&sw->lock);
	old = sw->upstream;
	sw->upstream = pad ? gst_object_ref(pad) : NULL;
	g_mutex_unlock(&sw->lock);
	if (old)
		gst_object_unref(old);
}

/* The source's pad if its stream flows or is awaited, with a ref. */
static GstPad *source_side(struct h264switch *sw, bool *to_enc)
{
	GstPad *up = NULL;

	g_mutex_lock(&sw->lock);
	if (sw->upstream &&
	    (sw->feed == FEED_SOURCE || sw->target == FEED_SOURCE))
		up = gst_object_ref(sw->upstream);
	if (sw->feed == FEED_SOURCE && !sw->key_asked_us)
		sw->key_asked_us = g_get_monotonic_time();
	if (to_enc)
		*to_enc = sw->feed == FEED_ENC || sw->target == FEED_ENC;
	g_mutex_unlock(&sw->lock);
	return up;
}

void h264switch_request_source_keyframe(struct h264switch *sw)
{
	ask_source(source_side(sw, NULL), TRUE);
}

void h264switch_nudge_source(struct h264switch *sw)
{
	GstPad *up = NULL;

	g_mutex_lock(&sw->lock);
	if (sw->upstream && sw->feed == FEED_SOURCE)
		up = gst_object_ref(sw->upstream);
	g_mutex_unlock(&sw->lock);
	ask_source(up, TRUE);
}

/* A viewer's PLI/FIR (upstream force-key-unit) reached the out appsrc:
 * send it on toward what produces the stream. */
static GstPadProbeReturn on_upstream(GstPad *pad, GstPadProbeInfo *info,
                                     gpointer data)
{
	struct h264switch *sw = data;
	GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
	bool to_enc;
	GstPad *up;

	if (!gst_video_event_is_force_key_unit(ev))
		return GST_PAD_PROBE_OK;
	up = source_side(sw, &to_enc);
	if (to_enc)
		gst_pad_push_event(sw->enc_pad, gst_event_ref(ev));
	if (up) {
		gst_pad_push_event(up, gst_event_ref(ev));
		gst_object_unref(up);
	}
	return GST_PAD_PROBE_DROP;
}

void h264switch_get_stats(struct h264switch *sw, struct h264switch_stats *out)
{
	g_mutex_lock(&sw->lock);
	*out = sw->st;
	out->passthrough = sw->feed == FEED_SOURCE;
	g_mutex_unlock(&sw->lock);
}

struct h264switch *h264switch_new(GstElement *enc_sink, GstElement *out,
                                  struct keyframe_gate *x264_gate)
{
	struct h264switch *sw = g_new0(struct h264switch, 1);
	GstAppSinkCallbacks cbs;

	g_mutex_init(&sw->lock);
	sw->enc_sink = enc_sink;
	sw->out = out;
	sw->x264_gate = x264_gate;
	sw->feed = sw->target = FEED_ENC;
	sw->last_ts = GST_CLOCK_TIME_NONE;
	sw->win_start = GST_CLOCK_TIME_NONE;
	sw->enc_pad = gst_element_get_static_pad(enc_sink, "sink");
	sw->out_pad = gst_element_get_static_pad(out, "src");
	sw->probe =
	    gst_pad_add_probe(sw->out_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
	                      on_upstream, sw, NULL);
	memset(&cbs, 0, sizeof(cbs));
	cbs.new_sample = on_enc_sample;
	g_object_set(enc_sink, "sync", FALSE, "async", FALSE, "max-buffers", 0u,
	             "drop", FALSE, "emit-signals", FALSE, "enable-last-sample",
	             FALSE, NULL);
	gst_app_sink_set_callbacks(GST_APP_SINK(enc_sink), &cbs, sw, NULL);
	return sw;
}

void h264switch_free(struct h264switch *sw)
{
	if (!sw)
		return;
	gst_pad_remove_probe(sw->out_pad, sw->probe);
	gst_object_unref(sw->out_pad);
	gst_object_unref(sw->enc_pad);
	if (sw->upstream)
		gst_object_unref(sw->upstream);
	if (sw->out_caps)
		gst_caps_unref(sw->out_caps);
	if (sw->src_caps)
		gst_caps_unref(sw->src_caps);
	g_mutex_clear(&sw->lock);
	g_free(sw);
}
