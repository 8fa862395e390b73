/* test_source.c — the sources that feed the encoder: test pattern, slate,
 * a caller's bin (the hook for WHIP and others, with pads present at once
 * or added later, at any size) and RTSP pull (refused, then retried).
 * Real pipelines; buffers are checked for the encoder's raw format. */
#include "err.h"
#include "source.h"
#include "gst_check_main.h"

#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct source_format fmt = {320, 240, 30};

struct got {
	atomic_int video, audio, bad_size;
	atomic_int luma_sum_first; /* mean of Y plane of the last frame */
};

static void on_sample(void *data, bool video, GstBuffer *buf)
{
	struct got *g = data;
	GstMapInfo map;

	if (video) {
		/* I420 at the encoder's size, whatever the source was. */
		if (gst_buffer_get_size(buf) != 320 * 240 * 3 / 2)
			atomic_fetch_add(&g->bad_size, 1);
		if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
			unsigned long sum = 0;

			for (size_t i = 0; i < 320 * 240; i += 97)
				sum += map.data[i];
			atomic_store(&g->luma_sum_first,
			             (int)(sum / (320 * 240 / 97 + 1)));
			gst_buffer_unmap(buf, &map);
		}
		atomic_fetch_add(&g->video, 1);
	} else {
		/* S16LE stereo: whole frames of 4 bytes. */
		if (gst_buffer_get_size(buf) % 4)
			atomic_fetch_add(&g->bad_size, 1);
		atomic_fetch_add(&g->audio, 1);
	}
	gst_buffer_unref(buf);
}

/* Run the main loop until cond or timeout; the first frames of a text
 * overlay can take a while (fontconfig loads its cache). */
static bool flowing(struct got *g, int video, int audio, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (
	    g_get_monotonic_time() < end &&
	    (atomic_load(&g->video) < video || atomic_load(&g->audio) < audio))
		run_for(50);
	return atomic_load(&g->video) >= video &&
	       atomic_load(&g->audio) >= audio;
}

static void expect_flow(struct source *s, struct got *g, const char *what)
{
	bool ok;

	ck_assert_int_eq(source_start(s, on_sample, g), 0);
	ok = flowing(g, 30, 30, 8000); /* 1 s of media, at most 8 s */
	fprintf(stderr, "%s: %d video, %d audio, luma %d\n", what,
	        atomic_load(&g->video), atomic_load(&g->audio),
	        atomic_load(&g->luma_sum_first));
	if (!ok)
		source_free(s); /* no thread may outlive this test's frame */
	ck_assert_msg(ok, "%s does not deliver", what);
	ck_assert_int_eq(atomic_load(&g->bad_size), 0);
}

START_TEST(test_and_slate_sources)
{
	struct source *s = NULL;
	struct got t = {0}, sl = {0};
	struct err_detail e = {0};
	int paused_frames, slate_luma;
	bool ok;

	ck_assert_int_eq(source_new_test(&fmt, "张三 1931–2024", &s, &e), 0);
	ck_assert_str_eq(source_kind(s), "test");
	expect_flow(s, &t, "test");
	source_free(s);
	ck_assert_int_gt(atomic_load(&t.luma_sum_first), 90); /* bars */

	ck_assert_int_eq(source_new_slate(&fmt, NULL, &s, &e), 0);
	ck_assert_str_eq(source_kind(s), "slate");
	expect_flow(s, &sl, "slate");
	slate_luma = atomic_load(&sl.luma_sum_first);
	/* Paused, it delivers nothing; resumed, it does again. */
	source_set_paused(s, true);
	run_for(300);
	atomic_store(&sl.video, 0);
	run_for(700);
	paused_frames = atomic_load(&sl.video);
	source_set_paused(s, false);
	ok = flowing(&sl, paused_frames + 10, 0, 5000);
	source_free(s);
	ck_assert_int_lt(slate_luma, 50); /* dark */
	ck_assert_int_le(paused_frames, 2);
	ck_assert(ok);
}
END_TEST

/* The caller's bin: white 640x480@25 video and a tone, converted to the
 * encoder's 320x240@30 I420 and S16LE 48 kHz stereo. */
START_TEST(bin_hook_static_pads)
{
	GError *gerr = NULL;
	GstElement *bin = gst_parse_bin_from_description(
	    "videotestsrc is-live=true pattern=white ! "
	    "video/x-raw,width=640,height=480,framerate=25/1 ! "
	    "identity name=v audiotestsrc is-live=true ! "
	    "audio/x-raw,rate=44100,channels=1 ! identity name=a",
	    FALSE, &gerr);
	GstElement *v, *a;
	GstPad *p;
	struct source *s = NULL;
	struct got g = {0};
	struct err_detail e = {0};

	ck_assert_ptr_nonnull(bin);
	v = gst_bin_get_by_name(GST_BIN(bin), "v");
	a = gst_bin_get_by_name(GST_BIN(bin), "a");
	p = gst_element_get_static_pad(v, "src");
	gst_element_add_pad(bin, gst_ghost_pad_new("video", p));
	gst_object_unref(p);
	p = gst_element_get_static_pad(a, "src");
	gst_element_add_pad(bin, gst_ghost_pad_new("audio", p));
	gst_object_unref(p);
	gst_object_unref(v);
	gst_object_unref(a);
	ck_assert_int_eq(source_new_bin(&fmt, bin, &s, &e), 0);
	ck_assert_str_eq(source_kind(s), "bin");
	expect_flow(s, &g, "bin");
	source_free(s);
	ck_assert_int_gt(atomic_load(&g.luma_sum_first), 200); /* white */
}
END_TEST

/* A bin whose pad appears only once it runs (like decodebin or a WHIP
 * webrtcbin): the hook links it when it is added, by its caps. */
static void on_dyn_pad(GstElement *el, GstPad *pad, gpointer data)
{
	GstElement *bin = data;
	GstPad *ghost = gst_ghost_pad_new(NULL, pad);

	gst_pad_set_active(ghost, TRUE);
	gst_element_add_pad(bin, ghost);
}

START_TEST(bin_hook_dynamic_pad)
{
	GstElement *bin = gst_bin_new(NULL);
	GstElement *src = gst_element_factory_make("videotestsrc", NULL);
	GstElement *dec = gst_element_factory_make("decodebin", NULL);
	GstElement *enc = gst_element_factory_make("jpegenc", NULL);
	struct source *s = NULL;
	struct got g = {0};
	struct err_detail e = {0};
	bool ok;

	ck_assert_ptr_nonnull(dec);
	ck_assert_ptr_nonnull(enc);
	g_object_set(src, "is-live", TRUE, "pattern", 0, NULL);
	gst_bin_add_many(GST_BIN(bin), src, enc, dec, NULL);
	ck_assert(gst_element_link_many(src, enc, dec, NULL));
	g_signal_connect(dec, "pad-added", G_CALLBACK(on_dyn_pad), bin);
	ck_assert_int_eq(source_new_bin(&fmt, bin, &s, &e), 0);
	ck_assert_int_eq(source_start(s, on_sample, &g), 0);
	ok = flowing(&g, 20, 0, 8000);
	source_free(s);
	ck_assert(ok);
	ck_assert_int_eq(atomic_load(&g.bad_size), 0);
	ck_assert_int_eq(atomic_load(&g.audio), 0); /* it has no audio */
}
END_TEST

static void on_finalized(gpointer data, GObject *was)
{
	atomic_fetch_add((atomic_int *)data, 1);
}

/* A floating bin becomes the source's and is freed with it (or at once
 * when refused); a caller that holds a reference keeps it. */
START_TEST(bin_hook_takes_one_reference)
{
	atomic_int freed = 0;
	struct source *s = NULL;
	GstElement *floating = gst_bin_new(NULL), *held = gst_bin_new(NULL);
	GstElement *not_bin = gst_element_factory_make("identity", NULL);
	struct err_detail e = {0};

	g_object_weak_ref(G_OBJECT(floating), on_finalized, &freed);
	g_object_weak_ref(G_OBJECT(held), on_finalized, &freed);
	g_object_weak_ref(G_OBJECT(not_bin), on_finalized, &freed);
	ck_assert_int_eq(source_new_bin(&fmt, floating, &s, &e), 0);
	source_free(s);
	ck_assert_int_eq(atomic_load(&freed), 1);
	gst_object_ref_sink(held); /* the caller keeps a reference */
	ck_assert_int_eq(source_new_bin(&fmt, held, &s, &e), 0);
	source_free(s);
	ck_assert_int_eq(atomic_load(&freed), 1); /* still the caller's */
	gst_object_unref(held);
	ck_assert_int_eq(atomic_load(&freed), 2);
	ck_assert_int_eq(source_new_bin(&fmt, not_bin, &s, &e), ERR_INVALID);
	ck_assert_int_eq(atomic_load(&freed), 3);
}
END_TEST

START_TEST(rtsp_refused_then_retried_without_harm)
{
	struct source *s = NULL;
	struct got g = {0};
	struct err_detail e = {0};

	ck_assert_int_eq(
	    source_new_rtsp(&fmt, "http://example.invalid/", &s, &e),
	    ERR_INVALID);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(source_new_rtsp(&fmt, NULL, &s, &e), ERR_INVALID);
	/* Nothing listens on port 9 of loopback: refused at once, retried
	 * after 1 s, 2 s... and freed cleanly while waiting. */
	ck_assert_int_eq(
	    source_new_rtsp(&fmt, "rtsp://127.0.0.1:9/cam", &s, &e), 0);
	ck_assert_str_eq(source_kind(s), "rtsp");
	ck_assert_int_eq(source_start(s, on_sample, &g), 0);
	run_for(2500);
	source_free(s);
	ck_assert_int_eq(atomic_load(&g.video), 0);
}
END_TEST

START_TEST(bad_arguments)
{
	struct source_format tiny = {8, 8, 30}, fast = {320, 240, 240};
	struct source *s = (struct source *)1;
	struct err_detail e = {0};

	ck_assert_int_eq(source_new_test(&tiny, "x", &s, &e), ERR_INVALID);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(source_new_slate(&fast, NULL, &s, &e), ERR_INVALID);
	ck_assert_int_eq(source_new_bin(&fmt, NULL, &s, &e), ERR_INVALID);
	source_free(NULL);
	source_set_paused(NULL, true);
}
END_TEST

static Suite *source_suite(void)
{
	Suite *s = suite_create("source");
	TCase *tc = tcase_create("pipelines");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_and_slate_sources);
	tcase_add_test(tc, bin_hook_static_pads);
	tcase_add_test(tc, bin_hook_dynamic_pad);
	tcase_add_test(tc, bin_hook_takes_one_reference);
	tcase_add_test(tc, rtsp_refused_then_retried_without_harm);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(source_suite)
