/* test_h264switch.c — which H.264 reaches the viewers: the encoder's, or
 * the source's passed through, switched only on key frames, with
 * timestamps that never go back and key frame requests sent to whoever
 * makes the stream. Real GStreamer elements stand in for the encoder
 * (an appsrc feeding the switch's appsink), the viewers (a fakesink
 * after the out appsrc) and the source (a pad upstream requests reach). */
#include "h264switch.h"
#include "keyframe.h"
#include "gst_check_main.h"

#include <check.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct rig {
	GstElement *encpipe, *outpipe, *srcpipe;
	GstElement *enc, *out; /* fake encoder appsrc, out appsrc */
	GstPad *viewer_pad;    /* fakesink's sink pad: PLI come from here */
	GstPad *upstream;      /* the source's "hsink" sink pad */
	struct keyframe_gate *gate;
	struct h264switch *sw;
	GstCaps *enc_caps, *src_caps;
	atomic_int got, backwards, src_kf;
	char tags[256]; /* 'E' or 'S' per buffer out, in order */
	int width;      /* of the caps of the last buffer out */
	GstClockTime last;
	GMutex lock;
};

static struct rig R;

static GstPadProbeReturn on_out(GstPad *pad, GstPadProbeInfo *info,
                                gpointer data)
{
	GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
	GstCaps *caps = gst_pad_get_current_caps(pad);
	GstMapInfo m;
	int n;

	g_mutex_lock(&R.lock);
	if (GST_CLOCK_TIME_IS_VALID(R.last) && GST_BUFFER_PTS(b) <= R.last)
		atomic_fetch_add(&R.backwards, 1);
	R.last = GST_BUFFER_PTS(b);
	n = atomic_load(&R.got);
	if (gst_buffer_map(b, &m, GST_MAP_READ)) {
		if (n < (int)sizeof(R.tags) - 1 && m.size > 0)
			R.tags[n] = (char)m.data[0];
		gst_buffer_unmap(b, &m);
	}
	if (caps) {
		gst_structure_get_int(gst_caps_get_structure(caps, 0), "width",
		                      &R.width);
		gst_caps_unref(caps);
	}
	g_mutex_unlock(&R.lock);
	atomic_fetch_add(&R.got, 1);
	return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn on_src_upstream(GstPad *pad, GstPadProbeInfo *info,
                                         gpointer data)
{
	if (gst_video_event_is_force_key_unit(GST_PAD_PROBE_INFO_EVENT(info)))
		atomic_fetch_add(&R.src_kf, 1);
	return GST_PAD_PROBE_OK;
}

static GstElement *launch(const char *desc)
{
	GstElement *p = gst_parse_launch(desc, NULL);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_ne(gst_element_set_state(p, GST_STATE_PLAYING),
	                 GST_STATE_CHANGE_FAILURE);
	return p;
}

static GstCaps *h264_caps(const char *profile, int w, int h)
{
	return gst_caps_new_simple(
	    "video/x-h264", "stream-format", G_TYPE_STRING, "byte-stream",
	    "alignment", G_TYPE_STRING, "au", "profile", G_TYPE_STRING, profile,
	    "width", G_TYPE_INT, w, "height", G_TYPE_INT, h, NULL);
}

static void setup(void)
{
	GstElement *e;
	GstPad *pad;

	memset(&R, 0, sizeof(R));
	g_mutex_init(&R.lock);
	R.last = GST_CLOCK_TIME_NONE;
	R.enc_caps = h264_caps("constrained-baseline", 640, 360);
	R.src_caps = h264_caps("constrained-baseline", 320, 240);
	R.encpipe = launch("appsrc name=enc format=time ! appsink name=sink");
	R.outpipe = launch("appsrc name=out format=time ! fakesink name=v "
	                   "sync=false async=false");
	R.srcpipe = launch("appsrc name=s format=time ! fakesink name=hsink "
	                   "async=false");
	R.enc = gst_bin_get_by_name(GST_BIN(R.encpipe), "enc");
	gst_app_src_set_caps(GST_APP_SRC(R.enc), R.enc_caps);
	R.out = gst_bin_get_by_name(GST_BIN(R.outpipe), "out");
	e = gst_bin_get_by_name(GST_BIN(R.outpipe), "v");
	R.viewer_pad = gst_element_get_static_pad(e, "sink");
	gst_pad_add_probe(R.viewer_pad, GST_PAD_PROBE_TYPE_BUFFER, on_out, NULL,
	                  NULL);
	gst_object_unref(e);
	e = gst_bin_get_by_name(GST_BIN(R.srcpipe), "hsink");
	R.upstream = gst_element_get_static_pad(e, "sink");
	gst_object_unref(e);
	e = gst_bin_get_by_name(GST_BIN(R.srcpipe), "s");
	pad = gst_element_get_static_pad(e, "src");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
	                  on_src_upstream, NULL, NULL);
	gst_object_unref(pad);
	gst_object_unref(e);
	/* the gate watches the fake encoder's src pad, as it does x264's */
	pad = gst_element_get_static_pad(R.enc, "src");
	R.gate = keyframe_gate_new(pad);
	gst_object_unref(pad);
	e = gst_bin_get_by_name(GST_BIN(R.encpipe), "sink");
	R.sw = h264switch_new(e, R.out, R.gate);
	gst_object_unref(e);
	h264switch_set_upstream(R.sw, R.upstream);
}

static void teardown(void)
{
	gst_element_set_state(R.encpipe, GST_STATE_NULL);
	gst_element_set_state(R.outpipe, GST_STATE_NULL);
	gst_element_set_state(R.srcpipe, GST_STATE_NULL);
	h264switch_free(R.sw);
	keyframe_gate_free(R.gate);
	gst_object_unref(R.viewer_pad);
	gst_object_unref(R.upstream);
	gst_object_unref(R.enc);
	gst_object_unref(R.out);
	gst_object_unref(R.encpipe);
	gst_object_unref(R.outpipe);
	gst_object_unref(R.srcpipe);
	gst_caps_unref(R.enc_caps);
	gst_caps_unref(R.src_caps);
	g_mutex_clear(&R.lock);
}

static GstBuffer *unit(char tag, GstClockTime pts, bool key)
{
	GstBuffer *b = gst_buffer_new_memdup(&tag, 1);

	GST_BUFFER_PTS(b) = pts;
	if (!key)
		GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_DELTA_UNIT);
	return b;
}

/* Wait until the switch has dealt with n encoder units in all. */
static void enc_push(GstClockTime pts, bool key)
{
	struct h264switch_stats st;
	uint64_t before, after;
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	h264switch_get_stats(R.sw, &st);
	before = st.encoded + st.dropped;
	ck_assert_int_eq(
	    gst_app_src_push_buffer(GST_APP_SRC(R.enc), unit('E', pts, key)),
	    GST_FLOW_OK);
	do {
		g_usleep(1000);
		h264switch_get_stats(R.sw, &st);
		after = st.encoded + st.dropped;
	} while (after == before && g_get_monotonic_time() < end);
	ck_assert_msg(after > before, "the encoder's unit never arrived");
}

static bool src_push(GstClockTime now, bool key, const GstCaps *caps)
{
	return h264switch_push_source(R.sw, unit('S', now, key), caps, now);
}

/* Units handed to the out appsrc come out of its own thread. */
static void wait_out(int n)
{
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	while (atomic_load(&R.got) < n && g_get_monotonic_time() < end)
		g_usleep(1000);
	ck_assert_int_ge(atomic_load(&R.got), n);
	g_usleep(20000); /* and nothing more than expected */
	ck_assert_int_eq(atomic_load(&R.got), n);
}

static const char *tags(void)
{
	return R.tags;
}

#define MS GST_MSECOND

START_TEST(playable_profiles_and_sizes)
{
	static const struct {
		const char *profile;
		int w, h;
		bool ok;
	} cases[] = {
	    {"constrained-baseline", 1280, 720, true},
	    {"baseline", 1920, 1080, true},
	    {"constrained-baseline", 1080, 1920, true}, /* portrait */
	    {"constrained-baseline", 2560, 1440, false},
	    {"constrained-baseline", 1920, 1200, false},
	    {"main", 1280, 720, false},
	    {"high", 640, 360, false},
	};
	GstCaps *c;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		c = h264_caps(cases[i].profile, cases[i].w, cases[i].h);
		ck_assert_msg(h264switch_playable(c) == cases[i].ok, "%s %dx%d",
		              cases[i].profile, cases[i].w, cases[i].h);
		gst_caps_unref(c);
	}
	c = gst_caps_from_string("video/x-h264,profile=baseline");
	ck_assert(!h264switch_playable(c)); /* size unknown */
	gst_caps_unref(c);
	c = gst_caps_from_string("video/x-raw,width=320,height=240");
	ck_assert(!h264switch_playable(c));
	gst_caps_unref(c);
	ck_assert(!h264switch_playable(NULL));
}
END_TEST

/* Encoder, then the source from its first key frame, then the encoder
 * again from its first key frame after the source stopped. */
START_TEST(switches_on_key_frames_only)
{
	struct h264switch_stats st;
	unsigned forced;

	enc_push(0, true);
	enc_push(33 * MS, false);
	wait_out(2);
	ck_assert_int_eq(R.width, 640);
	ck_assert(h264switch_wants_raw(R.sw));

	/* the source's P-frame cannot start a stream: not forwarded, and
	 * the source is asked for a key frame */
	ck_assert(!src_push(50 * MS, false, R.src_caps));
	ck_assert_int_ge(atomic_load(&R.src_kf), 1);
	ck_assert(h264switch_wants_raw(R.sw));
	enc_push(66 * MS, false); /* meanwhile the encoder still flows */
	wait_out(3);

	ck_assert(src_push(80 * MS, true, R.src_caps));
	ck_assert(src_push(90 * MS, false, R.src_caps));
	wait_out(5);
	{ /* parameter sets alone are not sent as a frame of their own */
		GstBuffer *hdr = unit('S', 95 * MS, false);

		GST_BUFFER_FLAG_SET(hdr, GST_BUFFER_FLAG_HEADER);
		ck_assert(
		    h264switch_push_source(R.sw, hdr, R.src_caps, 95 * MS));
		wait_out(5);
	}
	ck_assert_int_eq(R.width, 320);
	ck_assert(!h264switch_wants_raw(R.sw));
	enc_push(100 * MS, false); /* held back now */
	wait_out(5);
	h264switch_get_stats(R.sw, &st);
	ck_assert(st.passthrough);

	/* source lost: the encoder is asked for a key frame; until it
	 * comes, what the source still sends is all there is */
	forced = keyframe_gate_forced(R.gate);
	h264switch_source_lost(R.sw);
	ck_assert_uint_gt(keyframe_gate_forced(R.gate), forced);
	ck_assert(h264switch_wants_raw(R.sw));
	enc_push(133 * MS, false);
	wait_out(5);
	enc_push(166 * MS, true);
	enc_push(200 * MS, false);
	wait_out(7);
	ck_assert_int_eq(R.width, 640);
	ck_assert_str_eq(tags(), "EEESSEE");
	h264switch_get_stats(R.sw, &st);
	ck_assert(!st.passthrough);
	ck_assert_uint_eq(st.switches, 2);
	ck_assert_uint_eq(st.passed, 2);
	ck_assert_uint_eq(st.encoded, 5);
	ck_assert_int_eq(atomic_load(&R.backwards), 0);
}
END_TEST

/* The source's clock and the encoder's disagree: what leaves still only
 * goes forward. */
START_TEST(timestamps_only_go_forward)
{
	enc_push(500 * MS, true);
	ck_assert(src_push(100 * MS, true, R.src_caps)); /* "earlier" */
	ck_assert(src_push(100 * MS, false, R.src_caps));
	h264switch_source_lost(R.sw);
	enc_push(300 * MS, true);
	wait_out(4);
	ck_assert_int_eq(atomic_load(&R.backwards), 0);
	ck_assert_str_eq(tags(), "ESSE");
}
END_TEST

/* High profile, or a switch disabled for a VP8 viewer: the source's
 * H.264 is never forwarded, the encoder keeps its place. */
START_TEST(unplayable_or_disabled_is_never_passed)
{
	GstCaps *high = h264_caps("high", 320, 240);
	struct h264switch_stats st;

	enc_push(0, true);
	ck_assert(!src_push(10 * MS, true, high));
	ck_assert(!src_push(20 * MS, false, high));
	ck_assert(h264switch_wants_raw(R.sw));
	h264switch_disable(R.sw);
	ck_assert(!src_push(30 * MS, true, R.src_caps));
	enc_push(33 * MS, false);
	wait_out(2);
	ck_assert_str_eq(tags(), "EE");
	h264switch_get_stats(R.sw, &st);
	ck_assert_uint_eq(st.passed, 0);
	ck_assert_uint_eq(st.switches, 0);
	gst_caps_unref(high);
}
END_TEST

/* One access unit of the source of size bytes at now. */
static bool src_push_sized(GstClockTime now, bool key, gsize size)
{
	GstBuffer *b = gst_buffer_new_allocate(NULL, size, NULL);

	gst_buffer_memset(b, 0, 'S', size);
	GST_BUFFER_PTS(b) = now;
	if (!key)
		GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_DELTA_UNIT);
	return h264switch_push_source(R.sw, b, R.src_caps, now);
}

/* A publisher sending more than the ceiling is encoded like any other
 * source; once it is well below it again it is passed through again, on
 * its next key frame. Rates are measured on the stamps given, so the
 * test runs in no time. */
START_TEST(a_source_above_the_ceiling_is_encoded)
{
	struct h264switch_stats st;
	GstClockTime t = 0;
	int i;

	h264switch_set_max_kbps(R.sw, 1000);
	enc_push(0, true);
	/* 2.5 s at 800 kbit/s (1000 bytes every 10 ms): passed through */
	ck_assert(src_push_sized(t += 10 * MS, true, 1000));
	for (i = 0; i < 250; i++)
		ck_assert(src_push_sized(t += 10 * MS, false, 1000));
	/* 2 s at 4 Mbit/s: after the window, back to the encoder */
	for (i = 0; i < 200; i++)
		src_push_sized(t += 10 * MS, false, 5000);
	ck_assert(!src_push_sized(t += 10 * MS, false, 5000));
	ck_assert(h264switch_wants_raw(R.sw));
	enc_push(t, true);
	h264switch_get_stats(R.sw, &st);
	ck_assert(!st.passthrough);
	/* 2 s at 900 kbit/s: not yet below 80 % of the ceiling */
	for (i = 0; i < 201; i++)
		ck_assert(!src_push_sized(t += 10 * MS, i == 100, 1125));
	/* 2 s at 400 kbit/s: passed through again from a key frame */
	for (i = 0; i < 200; i++)
		src_push_sized(t += 10 * MS, false, 500);
	ck_assert(!src_push_sized(t += 10 * MS, false, 500)); /* needs a key */
	ck_assert(src_push_sized(t += 10 * MS, true, 500));
	h264switch_get_stats(R.sw, &st);
	ck_assert(st.passthrough);
	ck_assert_uint_eq(st.switches, 3);
	ck_assert_int_eq(atomic_load(&R.backwards), 0);
}
END_TEST

/* A viewer asks for a key frame; the source does not send one within
 * a second: the encoder covers with one of its own until the source's key
 * frame comes, then the pass-through resumes. */
START_TEST(a_source_slow_with_key_frames_is_covered_by_the_encoder)
{
	struct h264switch_stats st;
	GstClockTime t = 0;
	gint64 end;
	int asked;

	enc_push(0, true);
	ck_assert(src_push(t += 33 * MS, true, R.src_caps));
	asked = atomic_load(&R.src_kf);
	h264switch_request_source_keyframe(R.sw); /* a viewer joined */
	ck_assert_int_eq(atomic_load(&R.src_kf), asked + 1);
	/* P-frames only, for 1.3 s of real time */
	end = g_get_monotonic_time() + 1300000;
	while (g_get_monotonic_time() < end) {
		src_push(t += 33 * MS, false, R.src_caps);
		g_usleep(20000);
	}
	ck_assert(!src_push(t += 33 * MS, false, R.src_caps));
	ck_assert(h264switch_wants_raw(R.sw));
	enc_push(t, true); /* the encoder's key frame goes out */
	h264switch_get_stats(R.sw, &st);
	ck_assert(!st.passthrough);
	ck_assert(src_push(t += 33 * MS, true, R.src_caps)); /* at last */
	h264switch_get_stats(R.sw, &st);
	ck_assert(st.passthrough);
	ck_assert_uint_eq(st.switches, 3);
	ck_assert_int_eq(atomic_load(&R.backwards), 0);
}
END_TEST

/* A viewer's PLI arrives at the out appsrc: it reaches the encoder while
 * the encoder's stream flows, the source while the source's does. */
static void viewer_pli(void)
{
	gst_pad_push_event(R.viewer_pad, keyframe_event_new(FALSE));
}

START_TEST(viewer_key_frame_requests_reach_the_producer)
{
	unsigned forced = keyframe_gate_forced(R.gate);
	int src_kf;

	enc_push(0, true);
	wait_out(1);
	/* (a PLI right after a key frame is held back by the gate) */
	g_usleep((KEYFRAME_PLI_FLOOR_MS + 50) * 1000);
	viewer_pli();
	ck_assert_uint_eq(keyframe_gate_forced(R.gate), forced + 1);
	ck_assert_int_eq(atomic_load(&R.src_kf), 0);

	ck_assert(src_push(40 * MS, true, R.src_caps));
	wait_out(2);
	src_kf = atomic_load(&R.src_kf);
	viewer_pli();
	ck_assert_int_eq(atomic_load(&R.src_kf), src_kf + 1);
	h264switch_request_source_keyframe(R.sw); /* the API's */
	ck_assert_int_eq(atomic_load(&R.src_kf), src_kf + 2);

	/* no source pad any more: nothing to ask, nothing breaks */
	h264switch_set_upstream(R.sw, NULL);
	viewer_pli();
	h264switch_request_source_keyframe(R.sw);
	ck_assert_int_eq(atomic_load(&R.src_kf), src_kf + 2);
}
END_TEST

static Suite *h264switch_suite(void)
{
	Suite *s = suite_create("h264switch");
	TCase *tc = tcase_create("switch");

	tcase_add_test(tc, playable_profiles_and_sizes);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, switches_on_key_frames_only);
	tcase_add_test(tc, timestamps_only_go_forward);
	tcase_add_test(tc, unplayable_or_disabled_is_never_passed);
	tcase_add_test(tc, viewer_key_frame_requests_reach_the_producer);
	tcase_add_test(tc, a_source_above_the_ceiling_is_encoded);
	tcase_add_test(tc,
	               a_source_slow_with_key_frames_is_covered_by_the_encoder);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(h264switch_suite)
