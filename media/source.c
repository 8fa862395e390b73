/* source.c — small pipelines that produce a ceremony's raw media.
 *
 * Owns: one pipeline per source (test pattern, slate card, caller's bin,
 * RTSP pull), the conversion "tails" that bring any picture and sound to
 * the encoder's raw format, the appsink callbacks that hand buffers over,
 * and, for RTSP, reconnection with back-off and stall detection. Must
 * never: touch the encoder or viewers (the callback's owner does), block a
 * streaming thread, or interpolate caller text into a pipeline description
 * (titles and URLs are set as properties). Called by input.c and media.c.
 */
#include "source.h"

#include "depay.h"
#include "err.h"
#include "keyframe.h"
#include "log.h"
#include "mainctx.h"

#include <gst/app/gstappsink.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TAG            "source"
#define RTSP_MAX_DELAY 30 /* s, back-off ceiling */
/* No picture this long while playing: restart. Sound alone does not
 * count (a camera whose sound comes without pictures is broken for a
 * farewell; one without a microphone is fine). A camera that restarts at
 * once is found this way (rtspsrc quietly reconnects its control
 * connection to a server that no longer knows the session); making that
 * an error instead (udp-reconnect off) would break cameras that close the
 * control connection while RTP keeps flowing over UDP. So is a stream
 * that stops on its own while another flows: rtspsrc drops the error of
 * one stream's receiver as long as any other stream still flows. */
#define RTSP_STALL_US 6000000
/* What decodebin stops at: H.264 we decode ourselves and keep as it came,
 * for the pass-through; anything else is decoded to raw. */
#define RTSP_STOP_CAPS "video/x-raw(ANY); audio/x-raw(ANY); video/x-h264"
#define SINK_EOS       "sinian-sink-eos"  /* an appsink got end of stream */
#define RTSP_DEC       "sinian-decodebin" /* on an rtspsrc pad: its decodebin */

struct source {
	const char *kind;
	struct source_format fmt;
	GstElement *pipeline;
	GstElement *vtail, *atail; /* first element of each tail */
	GstElement *vsink, *asink;
	GstElement *htail, *hsink; /* H.264 as sent (bin and rtsp sources) */
	GstElement *hsplit; /* rtsp: a camera's H.264, decoded and as sent */
	struct keyframe_gate *hgate;
	source_sample_fn fn;
	source_h264_fn h264_fn;
	void *user_data;
	guint bus_watch;
	bool started, paused;
	/* rtsp only */
	char *url;
	guint retry_timer, stall_timer;
	unsigned delay_s;
	_Atomic int64_t last_picture_us; /* written on streaming threads */
	gint64 started_us;
};

#define VTAIL                                                                  \
	"queue name=vtail max-size-buffers=3 max-size-bytes=0 "                \
	"max-size-time=0 leaky=downstream ! videoconvert ! videoscale "        \
	"add-borders=true ! videorate ! video/x-raw,format=I420,width=%d,"     \
	"height=%d,framerate=%d/1,pixel-aspect-ratio=1/1 ! appsink "           \
	"name=vsink "
#define ATAIL                                                                  \
	"queue name=atail max-size-buffers=0 max-size-bytes=0 "                \
	"max-size-time=300000000 leaky=downstream ! audioconvert ! "           \
	"audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=2,"      \
	"layout=interleaved ! appsink name=asink "

/* H.264 kept as it is, for pass-through: parsed into access units with
 * their parameter sets. Not leaky (a dropped unit would break decoding
 * until the next key frame); the appsink never refuses. */
#define HTAIL                                                                  \
	"queue name=htail max-size-buffers=0 max-size-bytes=0 "                \
	"max-size-time=0 ! h264parse config-interval=-1 ! capsfilter "         \
	"name=hcaps caps=video/x-h264,stream-format=byte-stream,alignment=au " \
	"! appsink name=hsink "

static const char *const tail_needed[] = {
    "queue",        "videoconvert",  "videoscale", "videorate",
    "audioconvert", "audioresample", "appsink",    "capsfilter",
};

static bool have_elements(const char *const *names, size_t n,
                          struct err_detail *e)
{
	for (size_t i = 0; i < n; i++) {
		GstElementFactory *f = gst_element_factory_find(names[i]);

		if (!f) {
			err_fail(e, ERR_UNAVAILABLE, NULL,
			         "missing GStreamer element %s", names[i]);
			return false;
		}
		gst_object_unref(f);
	}
	return true;
}

static bool valid_format(const struct source_format *f)
{
	return f && f->width >= 16 && f->width <= 3840 && f->height >= 16 &&
	       f->height <= 2160 && f->fps >= 1 && f->fps <= 60;
}

static GstFlowReturn on_sample(GstAppSink *sink, gpointer data, bool video)
{
	struct source *s = data;
	GstSample *sample = gst_app_sink_pull_sample(sink);
	GstBuffer *buf;

	if (!sample)
		return GST_FLOW_OK;
	buf = gst_sample_get_buffer(sample);
	if (buf)
		gst_buffer_ref(buf);
	/* Drop the sample first: the receiver then holds the only reference
	 * and may restamp the buffer without a copy. */
	gst_sample_unref(sample);
	if (video)
		atomic_store(&s->last_picture_us, mainctx_now_us());
	if (buf && s->fn)
		s->fn(s->user_data, video, buf);
	else if (buf)
		gst_buffer_unref(buf);
	return GST_FLOW_OK;
}

static GstFlowReturn on_video(GstAppSink *sink, gpointer data)
{
	return on_sample(sink, data, true);
}

static GstFlowReturn on_audio(GstAppSink *sink, gpointer data)
{
	return on_sample(sink, data, false);
}

static GstFlowReturn on_h264(GstAppSink *sink, gpointer data)
{
	struct source *s = data;
	GstSample *sample = gst_app_sink_pull_sample(sink);
	GstBuffer *buf;

	if (!sample)
		return GST_FLOW_OK;
	buf = gst_sample_get_buffer(sample);
	atomic_store(&s->last_picture_us, mainctx_now_us());
	if (buf && s->h264_fn)
		s->h264_fn(s->user_data, gst_buffer_ref(buf),
		           gst_sample_get_caps(sample));
	gst_sample_unref(sample);
	return GST_FLOW_OK;
}

static void setup_h264_sink(struct source *s)
{
	GstAppSinkCallbacks cbs;
	GstElement *caps = gst_bin_get_by_name(GST_BIN(s->pipeline), "hcaps");
	GstPad *pad = gst_element_get_static_pad(caps, "src");

	memset(&cbs, 0, sizeof(cbs));
	cbs.new_sample = on_h264;
	g_object_set(s->hsink, "sync", TRUE, "max-buffers", 0u, "drop", FALSE,
	             "emit-signals", FALSE, "async", FALSE,
	             "enable-last-sample", FALSE, NULL);
	gst_app_sink_set_callbacks(GST_APP_SINK(s->hsink), &cbs, s, NULL);
	/* Requests reach the gate as a viewer's PLI reaches an encoder's. */
	s->hgate = keyframe_gate_new(pad);
	gst_object_unref(pad);
	gst_object_unref(caps);
}

/* The pipeline posts EOS only once every sink has it, and the tail of a
 * stream the camera does not send (audio, often) never gets one: each
 * sink says so itself, for the bus watch to act on the first. */
static void on_sink_eos(GstAppSink *sink, gpointer data)
{
	gst_element_post_message(
	    GST_ELEMENT(sink),
	    gst_message_new_application(GST_OBJECT(sink),
	                                gst_structure_new_empty(SINK_EOS)));
}

static void setup_sink(struct source *s, GstElement *sink, bool video)
{
	GstAppSinkCallbacks cbs;

	memset(&cbs, 0, sizeof(cbs));
	cbs.new_sample = video ? on_video : on_audio;
	cbs.eos = on_sink_eos;
	/* sync=true paces delivery by the clock, so the receiver can stamp
	 * buffers on arrival and keep audio and video together. */
	g_object_set(sink, "sync", TRUE, "max-buffers", video ? 2u : 10u,
	             "drop", TRUE, "emit-signals", FALSE, "async", FALSE,
	             "enable-last-sample", FALSE, NULL);
	gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cbs, s, NULL);
}

static gboolean bus_cb(GstBus *bus, GstMessage *msg, gpointer data);

/* Parse desc into the source's pipeline and find the tails by name. */
static int build(struct source *s, const char *desc, struct err_detail *e)
{
	GError *gerr = NULL;
	GstClock *clock;
	GstBus *bus;

	s->pipeline = gst_parse_launch_full(desc, NULL,
	                                    GST_PARSE_FLAG_FATAL_ERRORS, &gerr);
	if (!s->pipeline) {
		err_fail(e, ERR_UNAVAILABLE, NULL, "%s source: %s", s->kind,
		         gerr ? gerr->message : "unknown error");
		g_clear_error(&gerr);
		return ERR_UNAVAILABLE;
	}
	s->vtail = gst_bin_get_by_name(GST_BIN(s->pipeline), "vtail");
	s->atail = gst_bin_get_by_name(GST_BIN(s->pipeline), "atail");
	s->vsink = gst_bin_get_by_name(GST_BIN(s->pipeline), "vsink");
	s->asink = gst_bin_get_by_name(GST_BIN(s->pipeline), "asink");
	s->htail = gst_bin_get_by_name(GST_BIN(s->pipeline), "htail");
	s->hsink = gst_bin_get_by_name(GST_BIN(s->pipeline), "hsink");
	setup_sink(s, s->vsink, true);
	setup_sink(s, s->asink, false);
	if (s->hsink)
		setup_h264_sink(s);
	clock = gst_system_clock_obtain();
	gst_pipeline_use_clock(GST_PIPELINE(s->pipeline), clock);
	gst_object_unref(clock);
	bus = gst_element_get_bus(s->pipeline);
	s->bus_watch = gst_bus_add_watch(bus, bus_cb, s);
	gst_object_unref(bus);
	return 0;
}

static struct source *source_alloc(const char *kind,
                                   const struct source_format *f)
{
	struct source *s = g_new0(struct source, 1);

	s->kind = kind;
	s->fmt = *f;
	s->delay_s = 1;
	return s;
}

/* Test pattern or slate card: a videotestsrc with a text overlay. */
static int new_card(const char *kind, const struct source_format *f,
                    const char *text, bool test, struct source **out,
                    struct err_detail *e)
{
	static const char *const needed[] = {"videotestsrc", "audiotestsrc",
	                                     "textoverlay", "clockoverlay"};
	struct source *s;
	GstElement *title;
	char *desc;
	int rc;

	*out = NULL;
	if (!valid_format(f) || !text)
		return ERR_INVALID;
	if (!have_elements(needed, 4, e) ||
	    !have_elements(tail_needed, G_N_ELEMENTS(tail_needed), e))
		return ERR_UNAVAILABLE;
	s = source_alloc(kind, f);
	desc = g_strdup_printf(
	    "videotestsrc is-live=true %s ! video/x-raw,format=I420,"
	    "width=%d,height=%d,framerate=%d/1 ! textoverlay name=title "
	    "wrap-mode=wordchar %s ! %s" VTAIL
	    "audiotestsrc is-live=true %s ! " ATAIL,
	    test ? "pattern=smpte"
	         : "pattern=solid-color "
	           "foreground-color=0xff16181c",
	    f->width, f->height, f->fps,
	    test ? "valignment=top halignment=center shaded-background=true"
	         : "valignment=center halignment=center",
	    test ? "clockoverlay name=clock valignment=bottom "
	           "halignment=right shaded-background=true "
	           "time-format=\"%Y-%m-%d %H:%M:%S\" ! "
	         : "",
	    f->width, f->height, f->fps,
	    test ? "wave=sine freq=440 volume=0.05" : "wave=silence");
	rc = build(s, desc, e);
	g_free(desc);
	if (rc) {
		source_free(s);
		return rc;
	}
	title = gst_bin_get_by_name(GST_BIN(s->pipeline), "title");
	g_object_set(title, "text", text, "font-desc",
	             f->height >= 720 ? "Noto Sans CJK SC 28"
	                              : "Noto Sans CJK SC 18",
	             NULL);
	gst_object_unref(title);
	if (test) {
		GstElement *clock =
		    gst_bin_get_by_name(GST_BIN(s->pipeline), "clock");

		g_object_set(clock, "font-desc",
		             f->height >= 720 ? "Noto Sans CJK SC 20"
		                              : "Noto Sans CJK SC 12",
		             NULL);
		gst_object_unref(clock);
	}
	*out = s;
	return 0;
}

int source_new_test(const struct source_format *f, const char *title,
                    struct source **out, struct err_detail *e)
{
	return new_card("test", f, title ? title : "", true, out, e);
}

int source_new_slate(const struct source_format *f, const char *text,
                     struct source **out, struct err_detail *e)
{
	return new_card("slate", f,
	                text ? text
	                     : "画面即将呈现 · The picture will appear shortly",
	                false, out, e);
}

/* Link a raw pad of the caller's bin (or of decodebin) to a free tail. */
static void link_raw_pad(struct source *s, GstPad *pad)
{
	GstCaps *caps = gst_pad_get_current_caps(pad);
	const char *name = GST_PAD_NAME(pad), *media = "";
	GstElement *tail = NULL;
	GstPad *sink;

	if (!caps)
		caps = gst_pad_query_caps(pad, NULL);
	if (caps && gst_caps_get_size(caps) > 0)
		media = gst_structure_get_name(gst_caps_get_structure(caps, 0));
	if (!strcmp(name, "h264") || !strcmp(media, "video/x-h264"))
		tail = s->htail;
	else if (!strcmp(name, "video") || g_str_has_prefix(media, "video/"))
		tail = s->vtail;
	else if (!strcmp(name, "audio") || g_str_has_prefix(media, "audio/"))
		tail = s->atail;
	if (caps)
		gst_caps_unref(caps);
	if (!tail || GST_PAD_DIRECTION(pad) != GST_PAD_SRC) {
		log_warn(TAG, "%s: pad %s carries nothing we take", s->kind,
		         name);
		return;
	}
	sink = gst_element_get_static_pad(tail, "sink");
	if (!gst_pad_is_linked(sink) &&
	    gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
		log_warn(TAG, "%s: pad %s does not link", s->kind, name);
	gst_object_unref(sink);
}

static void on_pad_added(GstElement *el, GstPad *pad, gpointer data)
{
	link_raw_pad(data, pad);
}

/* A camera's H.264 (decodebin stops there): decoded for the video tail,
 * and as it came for the H.264 tail. One split chain serves every
 * reconnection: the new pad links to its free sink. */
static void link_h264_pad(struct source *s, GstPad *pad)
{
	GstPad *sink;

	if (!s->hsplit) {
		GstPad *src, *h264, *vsink, *hsink;

		s->hsplit = depay_h264_split_new();
		if (!s->hsplit) {
			log_warn(TAG, "%s: cannot decode H.264", s->kind);
			return;
		}
		gst_object_ref_sink(s->hsplit);
		gst_bin_add(GST_BIN(s->pipeline), s->hsplit);
		src = gst_element_get_static_pad(s->hsplit, "src");
		h264 = gst_element_get_static_pad(s->hsplit, "h264");
		vsink = gst_element_get_static_pad(s->vtail, "sink");
		hsink = gst_element_get_static_pad(s->htail, "sink");
		if (gst_pad_link(src, vsink) != GST_PAD_LINK_OK ||
		    gst_pad_link(h264, hsink) != GST_PAD_LINK_OK)
			log_warn(TAG, "%s: H.264 chain does not link", s->kind);
		gst_object_unref(hsink);
		gst_object_unref(vsink);
		gst_object_unref(h264);
		gst_object_unref(src);
		gst_element_sync_state_with_parent(s->hsplit);
	}
	sink = gst_element_get_static_pad(s->hsplit, "sink");
	if (!gst_pad_is_linked(sink) &&
	    gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
		log_warn(TAG, "%s: H.264 pad does not link", s->kind);
	gst_object_unref(sink);
}

static void on_rtsp_pad_added(GstElement *el, GstPad *pad, gpointer data)
{
	GstCaps *caps = gst_pad_get_current_caps(pad);
	bool h264;

	if (!caps)
		caps = gst_pad_query_caps(pad, NULL);
	h264 = caps && gst_caps_get_size(caps) > 0 &&
	       gst_structure_has_name(gst_caps_get_structure(caps, 0),
	                              "video/x-h264");
	if (caps)
		gst_caps_unref(caps);
	if (h264)
		link_h264_pad(data, pad);
	else
		link_raw_pad(data, pad);
}

static int new_with_tails(const char *kind, const struct source_format *f,
                          bool h264, struct source **out, struct err_detail *e)
{
	struct source *s;
	char *desc;
	int rc;

	if (!valid_format(f))
		return ERR_INVALID;
	if (!have_elements(tail_needed, G_N_ELEMENTS(tail_needed), e))
		return ERR_UNAVAILABLE;
	s = source_alloc(kind, f);
	desc = g_strdup_printf("%s" VTAIL ATAIL, h264 ? HTAIL : "", f->width,
	                       f->height, f->fps);
	rc = build(s, desc, e);
	g_free(desc);
	if (rc) {
		source_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int source_new_bin(const struct source_format *f, GstElement *bin,
                   struct source **out, struct err_detail *e)
{
	GstIterator *it;
	GValue item = G_VALUE_INIT;
	struct source *s;
	int rc;

	*out = NULL;
	if (!bin)
		return ERR_INVALID;
	/* As gst_bin_add(): a floating reference becomes ours, otherwise we
	 * take one of our own and the caller keeps its reference. */
	gst_object_ref_sink(bin);
	if (!GST_IS_BIN(bin)) {
		gst_object_unref(bin);
		return ERR_INVALID;
	}
	rc = new_with_tails("bin", f, true, &s, e);
	if (rc) {
		gst_object_unref(bin);
		return rc;
	}
	gst_bin_add(GST_BIN(s->pipeline), bin); /* the pipeline's own ref */
	gst_object_unref(bin);                  /* so drop ours */
	g_signal_connect(bin, "pad-added", G_CALLBACK(on_pad_added), s);
	it = gst_element_iterate_src_pads(bin);
	while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		link_raw_pad(s, g_value_get_object(&item));
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	*out = s;
	return 0;
}

/* One stream of the camera (RTP, on a streaming thread): a decodebin of
 * its own, linked and then brought to the pipeline's state, as
 * uridecodebin did (this thread pushes the first buffer once we return;
 * a decodebin set playing before its link left the pictures stalled on
 * the first connection in 4 of 22 loaded ASan runs).
 * rtspsrc may add a stream's pad after its no-more-pads when two streams
 * start at once; uridecodebin stops listening at no-more-pads, and that
 * stream (the pictures, as often as not) stayed unlinked for good. */
static void on_rtsp_stream(GstElement *src, GstPad *pad, gpointer data)
{
	struct source *s = data;
	GstElement *dec = gst_element_factory_make("decodebin", NULL);
	GstCaps *stop;
	GstPad *sink;

	if (!dec) {
		log_warn(TAG, "rtsp: no decodebin for %s", GST_PAD_NAME(pad));
		return;
	}
	stop = gst_caps_from_string(RTSP_STOP_CAPS);
	g_object_set(dec, "caps", stop, NULL);
	gst_caps_unref(stop);
	g_signal_connect(dec, "pad-added", G_CALLBACK(on_rtsp_pad_added), s);
	gst_bin_add(GST_BIN(s->pipeline), dec);
	g_object_set_data(G_OBJECT(pad), RTSP_DEC, dec);
	sink = gst_element_get_static_pad(dec, "sink");
	if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
		log_warn(TAG, "rtsp: stream %s does not link",
		         GST_PAD_NAME(pad));
	gst_object_unref(sink);
	gst_element_sync_state_with_parent(dec);
}

/* A stream's pad goes: with the connection, or when rtspsrc connects
 * again by itself (over TCP when UDP brought nothing) and adds new pads.
 * Its decodebin lets go of the tails for the new pads' decodebins; it is
 * removed itself at the next teardown. */
static void on_rtsp_stream_gone(GstElement *src, GstPad *pad, gpointer data)
{
	GstElement *dec = g_object_get_data(G_OBJECT(pad), RTSP_DEC);
	GValue item = G_VALUE_INIT;
	GstIterator *it;

	if (!dec)
		return;
	it = gst_element_iterate_src_pads(dec);
	while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstPad *out = g_value_get_object(&item);
		GstPad *peer = gst_pad_get_peer(out);

		if (peer) {
			gst_pad_unlink(out, peer);
			gst_object_unref(peer);
		}
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
}

/* The stopped pipeline's decodebins go (rtspsrc's pads went with the
 * connection): their pads free the tails for the next connection's. */
static void rtsp_drop_streams(struct source *s)
{
	GstIterator *it = gst_bin_iterate_elements(GST_BIN(s->pipeline));
	GValue item = G_VALUE_INIT;
	GPtrArray *decs = g_ptr_array_new_with_free_func(gst_object_unref);

	while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElement *el = g_value_get_object(&item);
		GstElementFactory *f = gst_element_get_factory(el);

		if (f && !strcmp(GST_OBJECT_NAME(f), "decodebin"))
			g_ptr_array_add(decs, gst_object_ref(el));
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	for (guint i = 0; i < decs->len; i++)
		gst_bin_remove(GST_BIN(s->pipeline), decs->pdata[i]);
	g_ptr_array_free(decs, TRUE);
}

int source_new_rtsp(const struct source_format *f, const char *url,
                    struct source **out, struct err_detail *e)
{
	static const char *const needed[] = {"rtspsrc", "decodebin"};
	GstElement *src;
	struct source *s;
	int rc;

	*out = NULL;
	if (!url ||
	    (!g_str_has_prefix(url, "rtsp://") &&
	     !g_str_has_prefix(url, "rtsps://")) ||
	    strlen(url) > 2048) {
		return err_fail(e, ERR_INVALID, NULL,
		                "RTSP URL must start with rtsp://");
	}
	if (!have_elements(needed, 2, e))
		return ERR_UNAVAILABLE;
	rc = new_with_tails("rtsp", f, true, &s, e);
	if (rc)
		return rc;
	src = gst_element_factory_make("rtspsrc", "source");
	g_object_set(src, "location", url, "latency", 200u, NULL);
	g_signal_connect(src, "pad-added", G_CALLBACK(on_rtsp_stream), s);
	g_signal_connect(src, "pad-removed", G_CALLBACK(on_rtsp_stream_gone),
	                 s);
	gst_bin_add(GST_BIN(s->pipeline), src);
	s->url = g_strdup(url);
	*out = s;
	return 0;
}

static gboolean rtsp_retry(gpointer data)
{
	struct source *s = data;

	s->retry_timer = 0;
	if (!s->started || s->paused)
		return G_SOURCE_REMOVE;
	s->started_us = mainctx_now_us();
	log_info(TAG, "rtsp: connecting again");
	gst_element_set_state(s->pipeline, GST_STATE_PLAYING);
	return G_SOURCE_REMOVE;
}

/* Tear down after an error, end of stream or stall; come back later. */
static void rtsp_schedule_retry(struct source *s, const char *why)
{
	if (s->retry_timer)
		return;
	if (atomic_load(&s->last_picture_us) > s->started_us)
		s->delay_s = 1; /* it worked for a while: start over */
	gst_element_set_state(s->pipeline, GST_STATE_NULL);
	rtsp_drop_streams(s);
	log_warn(TAG, "rtsp: %s; retry in %u s", why, s->delay_s);
	s->retry_timer = g_timeout_add_seconds(s->delay_s, rtsp_retry, s);
	s->delay_s = MIN(s->delay_s * 2, RTSP_MAX_DELAY);
}

static gboolean rtsp_stall_check(gpointer data)
{
	struct source *s = data;
	gint64 now = mainctx_now_us(), last = atomic_load(&s->last_picture_us);

	if (s->started && !s->paused && !s->retry_timer &&
	    now - MAX(last, s->started_us) > RTSP_STALL_US)
		rtsp_schedule_retry(s, "no pictures");
	return G_SOURCE_CONTINUE;
}

static gboolean bus_cb(GstBus *bus, GstMessage *msg, gpointer data)
{
	struct source *s = data;
	GError *gerr = NULL;
	gchar *dbg = NULL;

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR:
		gst_message_parse_error(msg, &gerr, &dbg);
		log_warn(TAG, "%s: %s: %s", s->kind, GST_OBJECT_NAME(msg->src),
		         gerr->message);
		if (s->url)
			rtsp_schedule_retry(s, "error");
		break;
	case GST_MESSAGE_EOS:
		if (s->url)
			rtsp_schedule_retry(s, "end of stream");
		break;
	case GST_MESSAGE_APPLICATION:
		if (s->url && gst_message_has_name(msg, SINK_EOS))
			rtsp_schedule_retry(s, "end of stream");
		break;
	case GST_MESSAGE_LATENCY:
		gst_bin_recalculate_latency(GST_BIN(s->pipeline));
		break;
	default: break;
	}
	g_clear_error(&gerr);
	g_free(dbg);
	return G_SOURCE_CONTINUE;
}

int source_start(struct source *s, source_sample_fn fn, void *user_data)
{
	s->fn = fn;
	s->user_data = user_data;
	s->started = true;
	s->paused = false;
	s->started_us = mainctx_now_us();
	if (s->url && !s->stall_timer)
		s->stall_timer = g_timeout_add_seconds(1, rtsp_stall_check, s);
	if (gst_element_set_state(s->pipeline, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE) {
		if (s->url) { /* e.g. host unreachable: keep trying */
			rtsp_schedule_retry(s, "start failed");
			return 0;
		}
		return ERR_INTERNAL;
	}
	log_info(TAG, "%s source started", s->kind);
	return 0;
}

void source_set_paused(struct source *s, bool paused)
{
	if (!s || !s->started || s->paused == paused)
		return;
	s->paused = paused;
	if (!paused)
		s->started_us = mainctx_now_us();
	if (s->retry_timer)
		return;
	gst_element_set_state(s->pipeline,
	                      paused ? GST_STATE_PAUSED : GST_STATE_PLAYING);
}

void source_set_h264(struct source *s, source_h264_fn fn)
{
	s->h264_fn = fn;
}

GstPad *source_h264_upstream(struct source *s)
{
	return s->hsink ? gst_element_get_static_pad(s->hsink, "sink") : NULL;
}

const char *source_kind(const struct source *s)
{
	return s->kind;
}

void source_free(struct source *s)
{
	if (!s)
		return;
	if (s->retry_timer)
		g_source_remove(s->retry_timer);
	if (s->stall_timer)
		g_source_remove(s->stall_timer);
	if (s->pipeline)
		gst_element_set_state(s->pipeline, GST_STATE_NULL);
	if (s->bus_watch)
		g_source_remove(s->bus_watch);
	if (s->vtail)
		gst_object_unref(s->vtail);
	if (s->atail)
		gst_object_unref(s->atail);
	if (s->vsink)
		gst_object_unref(s->vsink);
	if (s->asink)
		gst_object_unref(s->asink);
	keyframe_gate_free(s->hgate);
	if (s->htail)
		gst_object_unref(s->htail);
	if (s->hsink)
		gst_object_unref(s->hsink);
	if (s->hsplit)
		gst_object_unref(s->hsplit);
	if (s->pipeline)
		gst_object_unref(s->pipeline);
	g_free(s->url);
	g_free(s);
}
