/* encoder.c — the one encode pipeline of a live ceremony.
 *
 * Owns: the GStreamer pipeline that turns raw frames and samples pushed by
 * the input switch into H.264 constrained baseline (and VP8 on demand) and
 * Opus, both as elementary streams and as RTP, each behind a tee; the key
 * frame policy (requests from the API and PLI/FIR from viewers, coalesced);
 * the pipeline's bus watch, whose messages it lends to listeners (fan-out,
 * recorder). Must never: block a streaming thread, let a branch's failure
 * reach a tee, or abort on a missing element. Called by media.c (life
 * cycle), input.c (encoder_push), fanout.c and recorder.c (branches).
 */
#include "encoder.h"

#include "err.h"
#include "h264switch.h"
#include "keyframe.h"
#include "log.h"
#include "mainctx.h"

#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <string.h>

#define TAG           "encoder"
#define MAX_LISTENERS 8

struct listener {
	encoder_bus_fn fn;
	void *user_data;
};

struct encoder {
	struct encoder_config cfg;
	GstElement *pipeline;
	GstElement *vsrc, *asrc; /* appsrc inputs */
	GstElement *rawtee;      /* raw video, feeds x264 and maybe vp8 */
	GstElement *x264sink, *h264src; /* either side of the H.264 switch */
	struct h264switch *sw;
	GstElement *tees[ENCODER_N_STREAMS];
	struct keyframe_gate *x264_gate;
	struct keyframe_gate *vp8_gate; /* set once, under lock */
	guint bus_watch;
	struct listener listeners[MAX_LISTENERS];
	GMutex lock; /* guards vp8_gate */
};

static const char *const needed[] = {
    "appsrc",  "queue",      "tee",        "x264enc", "rtph264pay",
    "opusenc", "rtpopuspay", "capsfilter", "appsink",
};

/* Write the names of missing element factories to ed; true if any. */
static bool missing_elements(const char *const *names, size_t n,
                             struct err_detail *ed)
{
	size_t off = 0;
	bool missing = false;

	for (size_t i = 0; i < n; i++) {
		GstElementFactory *f = gst_element_factory_find(names[i]);

		if (f) {
			gst_object_unref(f);
			continue;
		}
		if (ed && off < sizeof(ed->msg))
			off += (size_t)snprintf(ed->msg + off,
			                        sizeof(ed->msg) - off, "%s%s",
			                        missing ? ", "
			                                : "missing "
			                                  "GStreamer element ",
			                        names[i]);
		missing = true;
	}
	if (missing && ed)
		ed->code = NULL;
	return missing;
	return missing;
}

const struct encoder_config *encoder_config(const struct encoder *e)
{
	return &e->cfg;
}

GstElement *encoder_pipeline(struct encoder *e)
{
	return e->pipeline;
}

GstElement *encoder_tee(struct encoder *e, enum encoder_stream s)
{
	return (unsigned)s < ENCODER_N_STREAMS ? e->tees[s] : NULL;
}

GstCaps *encoder_input_caps(const struct encoder *e, bool video)
{
	if (video)
		return gst_caps_new_simple(
		    "video/x-raw", "format", G_TYPE_STRING, "I420", "width",
		    G_TYPE_INT, e->cfg.width, "height", G_TYPE_INT,
		    e->cfg.height, "framerate", GST_TYPE_FRACTION, e->cfg.fps,
		    1, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
	return gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING,
	                           "S16LE", "layout", G_TYPE_STRING,
	                           "interleaved", "rate", G_TYPE_INT, 48000,
	                           "channels", G_TYPE_INT, 2, NULL);
}

void encoder_request_keyframe(struct encoder *e)
{
	struct keyframe_gate *vp8;

	keyframe_gate_request(e->x264_gate);
	h264switch_request_source_keyframe(e->sw);
	g_mutex_lock(&e->lock);
	vp8 = e->vp8_gate;
	g_mutex_unlock(&e->lock);
	if (vp8) /* never freed before the encoder */
		keyframe_gate_request(vp8);
}

void encoder_request_keyframe_soon(struct encoder *e)
{
	keyframe_gate_request(e->x264_gate);
	h264switch_nudge_source(e->sw);
}

/* A gate counter summed over the H.264 and (when made) VP8 encoders. */
static unsigned gates_sum(struct encoder *e,
                          unsigned (*count)(struct keyframe_gate *))
{
	unsigned n = count(e->x264_gate);

	g_mutex_lock(&e->lock);
	if (e->vp8_gate)
		n += count(e->vp8_gate);
	g_mutex_unlock(&e->lock);
	return n;
}

unsigned encoder_keyframes_forced(struct encoder *e)
{
	return gates_sum(e, keyframe_gate_forced);
}

unsigned encoder_keyframes_produced(struct encoder *e)
{
	return gates_sum(e, keyframe_gate_produced);
}

GstClockTime encoder_running_time(struct encoder *e)
{
	GstClock *clock = gst_element_get_clock(e->pipeline);
	GstClockTime now, base;

	if (!clock)
		return 0;
	now = gst_clock_get_time(clock);
	gst_object_unref(clock);
	base = gst_element_get_base_time(e->pipeline);
	return now > base ? now - base : 0;
}

int encoder_push(struct encoder *e, bool video, GstBuffer *buf)
{
	GstFlowReturn r = gst_app_src_push_buffer(
	    GST_APP_SRC(video ? e->vsrc : e->asrc), buf);

	return r == GST_FLOW_OK ? 0 : ERR_UNAVAILABLE;
}

bool encoder_push_h264(struct encoder *e, GstBuffer *buf, const GstCaps *caps)
{
	return h264switch_push_source(e->sw, buf, caps,
	                              encoder_running_time(e));
}

bool encoder_wants_raw(struct encoder *e)
{
	return h264switch_wants_raw(e->sw);
}

void encoder_release_vp8(struct encoder *e)
{
	h264switch_hold(e->sw, false);
}

void encoder_disable_passthrough(struct encoder *e)
{
	h264switch_disable(e->sw);
}

void encoder_h264_source_lost(struct encoder *e)
{
	h264switch_source_lost(e->sw);
}

void encoder_set_h264_upstream(struct encoder *e, GstPad *pad)
{
	h264switch_set_upstream(e->sw, pad);
}

void encoder_get_h264_stats(struct encoder *e, struct h264switch_stats *out)
{
	h264switch_get_stats(e->sw, out);
}

int encoder_bus_listen(struct encoder *e, encoder_bus_fn fn, void *user_data)
{
	for (int i = 0; i < MAX_LISTENERS; i++) {
		if (e->listeners[i].fn)
			continue;
		e->listeners[i].fn = fn;
		e->listeners[i].user_data = user_data;
		return 0;
	}
	return ERR_FULL;
}

void encoder_bus_unlisten(struct encoder *e, encoder_bus_fn fn, void *user_data)
{
	for (int i = 0; i < MAX_LISTENERS; i++)
		if (e->listeners[i].fn == fn &&
		    e->listeners[i].user_data == user_data)
			e->listeners[i].fn = NULL;
}

static gboolean bus_cb(GstBus *bus, GstMessage *msg, gpointer data)
{
	struct encoder *e = data;
	GError *gerr = NULL;
	gchar *dbg = NULL;

	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_LATENCY) {
		gst_bin_recalculate_latency(GST_BIN(e->pipeline));
		return G_SOURCE_CONTINUE;
	}
	for (int i = 0; i < MAX_LISTENERS; i++)
		if (e->listeners[i].fn &&
		    e->listeners[i].fn(msg, e->listeners[i].user_data))
			return G_SOURCE_CONTINUE;
	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR:
		gst_message_parse_error(msg, &gerr, &dbg);
		log_error(TAG, "%s: %s (%s)", GST_OBJECT_NAME(msg->src),
		          gerr->message, dbg ? dbg : "");
		break;
	case GST_MESSAGE_WARNING:
		gst_message_parse_warning(msg, &gerr, &dbg);
		log_warn(TAG, "%s: %s", GST_OBJECT_NAME(msg->src),
		         gerr->message);
		break;
	default: break;
	}
	g_clear_error(&gerr);
	g_free(dbg);
	return G_SOURCE_CONTINUE;
}

static void set_appsrc(GstElement *src, GstCaps *caps, guint max_buffers)
{
	g_object_set(src, "caps", caps, "is-live", TRUE, "format",
	             GST_FORMAT_TIME, "do-timestamp", FALSE, "block", FALSE,
	             "max-buffers", (guint64)max_buffers, "max-bytes",
	             (guint64)0, "leaky-type", 2 /* downstream */, NULL);
}

/* Build the fixed part of the pipeline from a description; names are
 * looked up afterwards. Only numbers are interpolated, never user text. */
static int build(struct encoder *e, struct err_detail *ed)
{
	static const char *names[ENCODER_N_STREAMS] = {
	    "h264tee", "opustee", "h264rtptee", "opusrtptee", NULL};
	GError *gerr = NULL;
	GstElement *x264;
	GstPad *pad;
	GstCaps *caps;
	char *desc = g_strdup_printf(
	    "appsrc name=vsrc ! tee name=rawtee allow-not-linked=true "
	    "rawtee. ! queue max-size-buffers=3 max-size-bytes=0 "
	    "max-size-time=0 leaky=downstream "
	    "! x264enc name=x264 tune=zerolatency speed-preset=ultrafast "
	    "key-int-max=%d bitrate=%d "
	    "! video/x-h264,profile=constrained-baseline,"
	    "stream-format=byte-stream,alignment=au ! appsink name=x264sink "
	    "appsrc name=h264src ! tee name=h264tee allow-not-linked=true "
	    "h264tee. ! rtph264pay config-interval=-1 "
	    "aggregate-mode=zero-latency pt=%d "
	    "! tee name=h264rtptee allow-not-linked=true "
	    "appsrc name=asrc ! queue max-size-buffers=0 max-size-bytes=0 "
	    "max-size-time=500000000 leaky=downstream "
	    "! opusenc bitrate=%d ! tee name=opustee allow-not-linked=true "
	    "opustee. ! rtpopuspay pt=%d "
	    "! tee name=opusrtptee allow-not-linked=true",
	    e->cfg.keyframe_frames, e->cfg.video_kbps, ENCODER_H264_PT,
	    e->cfg.audio_bps, ENCODER_OPUS_PT);

	e->pipeline = gst_parse_launch_full(desc, NULL,
	                                    GST_PARSE_FLAG_FATAL_ERRORS, &gerr);
	g_free(desc);
	if (!e->pipeline) {
		err_fail(ed, ERR_INTERNAL, NULL, "encode pipeline: %s",
		         gerr ? gerr->message : "unknown error");
		g_clear_error(&gerr);
		return ERR_INTERNAL;
	}
	e->vsrc = gst_bin_get_by_name(GST_BIN(e->pipeline), "vsrc");
	e->asrc = gst_bin_get_by_name(GST_BIN(e->pipeline), "asrc");
	e->rawtee = gst_bin_get_by_name(GST_BIN(e->pipeline), "rawtee");
	e->x264sink = gst_bin_get_by_name(GST_BIN(e->pipeline), "x264sink");
	e->h264src = gst_bin_get_by_name(GST_BIN(e->pipeline), "h264src");
	for (int i = 0; i < ENCODER_N_STREAMS; i++)
		if (names[i])
			e->tees[i] =
			    gst_bin_get_by_name(GST_BIN(e->pipeline), names[i]);
	x264 = gst_bin_get_by_name(GST_BIN(e->pipeline), "x264");
	pad = gst_element_get_static_pad(x264, "src");
	e->x264_gate = keyframe_gate_new(pad);
	gst_object_unref(pad);
	gst_object_unref(x264);
	caps = encoder_input_caps(e, true);
	set_appsrc(e->vsrc, caps, 4);
	gst_caps_unref(caps);
	caps = encoder_input_caps(e, false);
	set_appsrc(e->asrc, caps, 25);
	gst_caps_unref(caps);
	caps = gst_caps_from_string(
	    "video/x-h264,stream-format=byte-stream,alignment=au");
	set_appsrc(e->h264src, caps, 60);
	gst_caps_unref(caps);
	e->sw = h264switch_new(e->x264sink, e->h264src, e->x264_gate);
	if (e->cfg.passthrough_max_kbps > 0)
		h264switch_set_max_kbps(e->sw,
		                        (unsigned)e->cfg.passthrough_max_kbps);
	return 0;
}

static void fill_defaults(struct encoder_config *c)
{
	if (c->width <= 0 || c->height <= 0) {
		c->width = 1280;
		c->height = 720;
	}
	if (c->fps <= 0)
		c->fps = 30;
	if (c->video_kbps <= 0)
		c->video_kbps = 1500;
	if (c->audio_bps <= 0)
		c->audio_bps = 64000;
	if (c->keyframe_frames <= 0)
		c->keyframe_frames = 2 * c->fps;
}

int encoder_new(const struct encoder_config *cfg, struct encoder **out,
                struct err_detail *ed)
{
	struct encoder *e;
	GstBus *bus;
	GstClock *clock;
	int rc;

	*out = NULL;
	if (missing_elements(needed, G_N_ELEMENTS(needed), ed))
		return ERR_UNAVAILABLE;
	e = g_new0(struct encoder, 1);
	g_mutex_init(&e->lock);
	if (cfg)
		e->cfg = *cfg;
	fill_defaults(&e->cfg);
	rc = build(e, ed);
	if (rc)
		goto out_free;
	/* One clock for every media pipeline, so times compare. */
	clock = gst_system_clock_obtain();
	gst_pipeline_use_clock(GST_PIPELINE(e->pipeline), clock);
	gst_object_unref(clock);
	bus = gst_element_get_bus(e->pipeline);
	e->bus_watch = gst_bus_add_watch(bus, bus_cb, e);
	gst_object_unref(bus);
	if (gst_element_set_state(e->pipeline, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE) {
		rc = err_fail(ed, ERR_INTERNAL, NULL,
		              "encode pipeline does not start");
		goto out_free;
	}
	log_info(TAG, "encoding %dx%d@%d H.264 %d kbit/s, Opus %d bit/s",
	         e->cfg.width, e->cfg.height, e->cfg.fps, e->cfg.video_kbps,
	         e->cfg.audio_bps);
	*out = e;
	return 0;
out_free:
	encoder_free(e);
	return rc;
}

void encoder_free(struct encoder *e)
{
	if (!e)
		return;
	if (e->pipeline)
		gst_element_set_state(e->pipeline, GST_STATE_NULL);
	if (e->bus_watch)
		g_source_remove(e->bus_watch);
	for (int i = 0; i < ENCODER_N_STREAMS; i++)
		if (e->tees[i])
			gst_object_unref(e->tees[i]);
	h264switch_free(e->sw);
	keyframe_gate_free(e->x264_gate);
	keyframe_gate_free(e->vp8_gate);
	if (e->x264sink)
		gst_object_unref(e->x264sink);
	if (e->h264src)
		gst_object_unref(e->h264src);
	if (e->vsrc)
		gst_object_unref(e->vsrc);
	if (e->asrc)
		gst_object_unref(e->asrc);
	if (e->rawtee)
		gst_object_unref(e->rawtee);
	if (e->pipeline)
		gst_object_unref(e->pipeline);
	g_mutex_clear(&e->lock);
	g_free(e);
}

int encoder_enable_vp8(struct encoder *e)
{
	static const char *const vp8_needed[] = {"vp8enc", "rtpvp8pay"};
	GstElement *q, *enc, *pay, *tee;
	GstPad *sink, *teepad, *pad;
	struct err_detail ed;
	bool ok;

	/* VP8 is encoded from raw pictures: they must flow again. */
	h264switch_hold(e->sw, true);
	if (e->tees[ENCODER_VP8_RTP])
		return 0;
	if (missing_elements(vp8_needed, 2, &ed)) {
		log_warn(TAG, "VP8 unavailable: %s", ed.msg);
		return ERR_UNAVAILABLE;
	}
	/* Elements go straight into the pipeline (not a sub-bin) so that
	 * viewers can link to the tee's request pads. */
	q = gst_element_factory_make("queue", NULL);
	enc = gst_element_factory_make("vp8enc", NULL);
	pay = gst_element_factory_make("rtpvp8pay", NULL);
	tee = gst_element_factory_make("tee", "vp8rtptee");
	g_object_set(q, "max-size-buffers", 3u, "max-size-bytes", 0u,
	             "max-size-time", (guint64)0, "leaky", 2, NULL);
	g_object_set(enc, "deadline", (gint64)1, "cpu-used", 8, "end-usage",
	             1 /* cbr */, "lag-in-frames", 0, "target-bitrate",
	             e->cfg.video_kbps * 1000, "keyframe-max-dist",
	             e->cfg.keyframe_frames, NULL);
	g_object_set(pay, "pt", (guint)ENCODER_VP8_PT, NULL);
	g_object_set(tee, "allow-not-linked", TRUE, NULL);
	gst_bin_add_many(GST_BIN(e->pipeline), q, enc, pay, tee, NULL);
	ok = gst_element_link_many(q, enc, pay, tee, NULL);
	/* Playing before the raw tee feeds it: a flushing pad would answer
	 * FLUSHING to the tee, which would stop the input for every encoder. */
	gst_element_sync_state_with_parent(tee);
	gst_element_sync_state_with_parent(pay);
	gst_element_sync_state_with_parent(enc);
	gst_element_sync_state_with_parent(q);
	pad = gst_element_get_static_pad(enc, "src");
	g_mutex_lock(&e->lock);
	e->vp8_gate = keyframe_gate_new(pad);
	g_mutex_unlock(&e->lock);
	gst_object_unref(pad);
	e->tees[ENCODER_VP8_RTP] = gst_object_ref(tee);
	sink = gst_element_get_static_pad(q, "sink");
	teepad = gst_element_request_pad_simple(e->rawtee, "src_%u");
	ok = ok && gst_pad_link(teepad, sink) == GST_PAD_LINK_OK;
	gst_object_unref(teepad);
	gst_object_unref(sink);
	if (!ok) {
		log_error(TAG, "VP8 branch does not link");
		return ERR_INTERNAL;
	}
	log_info(TAG, "VP8 branch started");
	return 0;
}

/* ---- branches ---------------------------------------------------------- */

static GQuark branch_quark(void)
{
	return g_quark_from_static_string("sinian-branch-hooks");
}

static void hooks_free(gpointer data)
{
	struct encoder_hooks *h = data;

	if (h->destroy)
		h->destroy(h->user_data);
	g_free(h);
}

static gboolean rewrite_one(GstBuffer **buf, guint idx, gpointer data)
{
	struct encoder_hooks *h = data;

	*buf = h->buffer(*buf, h->user_data);
	return TRUE;
}

/* Whatever the branch answers, the tee hears OK. */
static GstFlowReturn branch_chain(GstPad *pad, GstObject *parent,
                                  GstBuffer *buf)
{
	struct encoder_hooks *h =
	    g_object_get_qdata(G_OBJECT(pad), branch_quark());

	if (h && h->buffer)
		buf = h->buffer(buf, h->user_data);
	if (buf)
		(void)gst_proxy_pad_chain_default(pad, parent, buf);
	return GST_FLOW_OK;
}

static GstFlowReturn branch_chain_list(GstPad *pad, GstObject *parent,
                                       GstBufferList *list)
{
	struct encoder_hooks *h =
	    g_object_get_qdata(G_OBJECT(pad), branch_quark());

	if (h && h->buffer) {
		list = gst_buffer_list_make_writable(list);
		gst_buffer_list_foreach(list, rewrite_one, h);
	}
	(void)gst_proxy_pad_chain_list_default(pad, parent, list);
	return GST_FLOW_OK;
}

static gboolean branch_event(GstPad *pad, GstObject *parent, GstEvent *ev)
{
	struct encoder_hooks *h =
	    g_object_get_qdata(G_OBJECT(pad), branch_quark());

	if (h && h->caps && GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
		GstCaps *in, *out;

		gst_event_parse_caps(ev, &in);
		out = h->caps(in, h->user_data);
		if (out) {
			gst_event_unref(ev);
			ev = gst_event_new_caps(out);
			gst_caps_unref(out);
		}
	}
	/* A refused event must not stop the tee either. */
	(void)gst_pad_event_default(pad, parent, ev);
	return TRUE;
}

/* With a caps hook the branch takes whatever the tee offers (the hook
 * adapts it), so caps queries must not reach the branch: one viewer's
 * constraints (a payload type) would otherwise be intersected with every
 * other branch's and renegotiate the shared payloader. */
static gboolean branch_query(GstPad *pad, GstObject *parent, GstQuery *q)
{
	struct encoder_hooks *h =
	    g_object_get_qdata(G_OBJECT(pad), branch_quark());
	GstCaps *filter, *any;

	if (!h || !h->caps)
		return gst_pad_query_default(pad, parent, q);
	switch (GST_QUERY_TYPE(q)) {
	case GST_QUERY_CAPS:
		gst_query_parse_caps(q, &filter);
		any = gst_caps_new_any();
		gst_query_set_caps_result(q, filter ? filter : any);
		gst_caps_unref(any);
		return TRUE;
	case GST_QUERY_ACCEPT_CAPS:
		gst_query_set_accept_caps_result(q, TRUE);
		return TRUE;
	default: return gst_pad_query_default(pad, parent, q);
	}
}

GstPad *encoder_branch_pad(GstElement *bin, const char *name, GstPad *target,
                           const struct encoder_hooks *hooks)
{
	struct encoder_hooks *h = g_new0(struct encoder_hooks, 1);
	GstPad *ghost = gst_ghost_pad_new(name, target);

	if (hooks)
		*h = *hooks;
	if (!ghost) {
		hooks_free(h);
		return NULL;
	}
	g_object_set_qdata_full(G_OBJECT(ghost), branch_quark(), h, hooks_free);
	gst_pad_set_chain_function(ghost, branch_chain);
	gst_pad_set_chain_list_function(ghost, branch_chain_list);
	gst_pad_set_event_function(ghost, branch_event);
	gst_pad_set_query_function(ghost, branch_query);
	/* Active at once, whatever the bin's state: an inactive (flushing)
	 * pad would answer FLUSHING to the tee without reaching the chain
	 * function above, and the tee would stop the shared stream. */
	gst_pad_set_active(ghost, TRUE);
	if (!gst_element_add_pad(bin, ghost))
		return NULL;
	return ghost;
}

GstPad *encoder_branch_link(struct encoder *e, enum encoder_stream s,
                            GstPad *sinkpad)
{
	GstElement *tee = encoder_tee(e, s);
	GstPad *teepad;

	if (!tee)
		return NULL;
	teepad = gst_element_request_pad_simple(tee, "src_%u");
	if (!teepad)
		return NULL;
	if (gst_pad_link(teepad, sinkpad) != GST_PAD_LINK_OK) {
		gst_element_release_request_pad(tee, teepad);
		gst_object_unref(teepad);
		return NULL;
	}
	return teepad;
}

void encoder_branch_unlink(struct encoder *e, GstPad *teepad)
{
	GstElement *tee;
	GstPad *peer;

	if (!teepad)
		return;
	tee = gst_pad_get_parent_element(teepad);
	peer = gst_pad_get_peer(teepad);
	/* Releasing marks the pad removed first, so a push in flight on it
	 * counts as not-linked; then nothing more is pushed. */
	if (tee) {
		gst_element_release_request_pad(tee, teepad);
		gst_object_unref(tee);
	}
	if (peer) {
		gst_pad_unlink(teepad, peer);
		gst_object_unref(peer);
	}
	gst_object_unref(teepad);
}

void encoder_branch_drop(struct encoder *e, GstElement *bin, encoder_bus_fn fn,
                         void *user_data)
{
	if (!bin)
		return;
	if (fn)
		encoder_bus_unlisten(e, fn, user_data);
	gst_element_set_state(bin, GST_STATE_NULL);
	if (GST_OBJECT_PARENT(bin))
		gst_bin_remove(GST_BIN(e->pipeline), bin);
	gst_object_unref(bin);
}
