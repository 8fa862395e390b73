/* test_depay.c — received RTP to what a source takes, for real: RTP made
 * by GStreamer's own payloaders goes into depay_bin_new()'s bin, decoded
 * media comes out of "src" and, for H.264, whole access units out of
 * "h264", even when every key frame is split in two slices with the
 * parameter sets repeated before each (x264's sliced threads and
 * rtph264pay config-interval=-1). */
#include "depay.h"
#include "gst_check_main.h"

#include <check.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct seen {
	atomic_int raw, units, keys, whole, headers, stray_params;
	int width;
};

static GstPadProbeReturn on_raw(GstPad *pad, GstPadProbeInfo *info,
                                gpointer data)
{
	struct seen *s = data;
	GstCaps *caps = gst_pad_get_current_caps(pad);

	if (caps) {
		gst_structure_get_int(gst_caps_get_structure(caps, 0), "width",
		                      &s->width);
		gst_caps_unref(caps);
	}
	atomic_fetch_add(&s->raw, 1);
	return GST_PAD_PROBE_OK;
}

/* Count the slices of one access unit and parameter sets after them. */
static GstPadProbeReturn on_unit(GstPad *pad, GstPadProbeInfo *info,
                                 gpointer data)
{
	struct seen *s = data;
	GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
	GstMapInfo m;
	int slices = 0;

	ck_assert(gst_buffer_map(b, &m, GST_MAP_READ));
	for (gsize i = 0; i + 3 < m.size; i++) {
		int type;

		if (m.data[i] || m.data[i + 1] || m.data[i + 2] != 1)
			continue;
		type = m.data[i + 3] & 0x1f;
		if (type == 1 || type == 5)
			slices++;
		else if ((type == 7 || type == 8) && slices)
			atomic_fetch_add(&s->stray_params, 1);
	}
	gst_buffer_unmap(b, &m);
	atomic_fetch_add(&s->units, 1);
	if (slices == 2)
		atomic_fetch_add(&s->whole, 1);
	else if (slices == 0 &&
	         GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_HEADER))
		atomic_fetch_add(&s->headers, 1);
	if (!GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT))
		atomic_fetch_add(&s->keys, 1);
	return GST_PAD_PROBE_OK;
}

static void sink_with(GstElement *pipe, GstElement *bin, const char *pad,
                      GstPadProbeCallback cb, struct seen *s)
{
	GstElement *fake = gst_element_factory_make("fakesink", NULL);
	GstPad *src = gst_element_get_static_pad(bin, pad), *sink;

	ck_assert_ptr_nonnull(src);
	g_object_set(fake, "sync", FALSE, NULL);
	gst_bin_add(GST_BIN(pipe), fake);
	sink = gst_element_get_static_pad(fake, "sink");
	ck_assert_int_eq(gst_pad_link(src, sink), GST_PAD_LINK_OK);
	gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER, cb, s, NULL);
	gst_object_unref(sink);
	gst_object_unref(src);
}

/* Play pipe until its end of stream (an error or 30 s fail the test as
 * `what`), then free it. */
static void play_to_the_end(GstElement *pipe, const char *what)
{
	GstBus *bus = gst_element_get_bus(pipe);
	GstMessage *msg;

	ck_assert_int_ne(gst_element_set_state(pipe, GST_STATE_PLAYING),
	                 GST_STATE_CHANGE_FAILURE);
	msg = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND,
	                                 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	ck_assert_msg(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS,
	              "%s: no end of stream", what);
	gst_message_unref(msg);
	gst_object_unref(bus);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
}

/* Feed the RTP of `sender` (ending in a payloader) into a depay bin for
 * enc until end of stream. */
static void run(const char *sender, bool video, const char *enc, struct seen *s,
                bool h264)
{
	GstElement *pipe = gst_parse_launch(sender, NULL);
	GstElement *pay = gst_bin_get_by_name(GST_BIN(pipe), "pay");
	GstElement *bin = depay_bin_new(video, enc);
	GstPad *h264_pad;

	ck_assert_ptr_nonnull(pipe);
	ck_assert_ptr_nonnull(bin);
	gst_bin_add(GST_BIN(pipe), bin);
	ck_assert(gst_element_link(pay, bin));
	gst_object_unref(pay);
	sink_with(pipe, bin, "src", on_raw, s);
	h264_pad = gst_element_get_static_pad(bin, "h264");
	ck_assert(!h264_pad == !h264);
	if (h264_pad) {
		gst_object_unref(h264_pad);
		sink_with(pipe, bin, "h264", on_unit, s);
	}
	play_to_the_end(pipe, enc);
}

START_TEST(h264_gives_pictures_and_whole_units)
{
	struct seen s = {0};

	run("videotestsrc num-buffers=60 ! video/x-raw,width=320,height=240,"
	    "framerate=30/1 ! x264enc tune=zerolatency speed-preset=ultrafast "
	    "threads=2 key-int-max=10 ! video/x-h264,profile=constrained-"
	    "baseline ! rtph264pay name=pay config-interval=-1 "
	    "aggregate-mode=zero-latency",
	    true, "h264", &s, true);
	ck_assert_int_ge(atomic_load(&s.raw), 55);
	ck_assert_int_eq(s.width, 320);
	ck_assert_int_ge(atomic_load(&s.units), 55);
	/* every unit is one picture of both its slices, or (h264parse's
	 * answer to a key frame request with all headers) parameter sets
	 * alone, flagged as a header */
	ck_assert_int_eq(atomic_load(&s.whole) + atomic_load(&s.headers),
	                 atomic_load(&s.units));
	ck_assert_int_ge(atomic_load(&s.keys), 5);
	ck_assert_int_eq(atomic_load(&s.stray_params), 0);
}
END_TEST

START_TEST(vp8_and_opus_give_raw_media)
{
	struct seen v = {0}, a = {0};

	run("videotestsrc num-buffers=30 ! video/x-raw,width=160,height=120 ! "
	    "vp8enc deadline=1 ! rtpvp8pay name=pay",
	    true, "VP8", &v, false);
	ck_assert_int_ge(atomic_load(&v.raw), 25);
	ck_assert_int_eq(v.width, 160);
	run("audiotestsrc num-buffers=50 ! opusenc ! rtpopuspay name=pay",
	    false, "opus", &a, false);
	ck_assert_int_ge(atomic_load(&a.raw), 40);
}
END_TEST

START_TEST(codecs_we_do_not_take)
{
	ck_assert_ptr_null(depay_bin_new(true, "H265"));
	ck_assert_ptr_null(depay_bin_new(true, "OPUS"));  /* not video */
	ck_assert_ptr_null(depay_bin_new(false, "H264")); /* not audio */
	ck_assert_ptr_null(depay_bin_new(false, "PCMU"));
	ck_assert_ptr_null(depay_bin_new(true, NULL));
}
END_TEST

/* A stream nobody takes is swallowed: its sender runs to the end instead
 * of stopping on not-linked. */
START_TEST(discarded_streams_flow_to_the_end)
{
	GstElement *pipe = gst_parse_launch(
	    "audiotestsrc name=src num-buffers=20 ! audio/x-raw,rate=8000 ! "
	    "identity name=last",
	    NULL);
	GstElement *last = gst_bin_get_by_name(GST_BIN(pipe), "last");
	GstPad *pad = gst_element_get_static_pad(last, "src");

	depay_discard(pipe, pad);
	gst_object_unref(pad);
	gst_object_unref(last);
	play_to_the_end(pipe, "the discarded stream");
}
END_TEST

static Suite *depay_suite(void)
{
	Suite *s = suite_create("depay");
	TCase *tc = tcase_create("chains");

	tcase_add_test(tc, h264_gives_pictures_and_whole_units);
	tcase_add_test(tc, vp8_and_opus_give_raw_media);
	tcase_add_test(tc, codecs_we_do_not_take);
	tcase_add_test(tc, discarded_streams_flow_to_the_end);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(depay_suite)
