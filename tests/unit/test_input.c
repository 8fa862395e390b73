/* test_input.c — the switch in front of the encoder: a live source that
 * stops on its own is replaced by the slate after about a second, one
 * that comes back is switched to with a forced key frame, and what the
 * encoder produces stays one continuous stream (timestamps only go
 * forward). Real encoder, real sources, no WebRTC. */
#include "encoder.h"
#include "err.h"
#include "input.h"
#include "source.h"
#include "gst_check_main.h"

#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run the loop until cond(data) holds, at most ms; the machine may be
 * loaded (sanitizers, parallel tests), so waits have deadlines rather
 * than fixed lengths. */
static bool wait_for(bool (*cond)(void *), void *data, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (!cond(data) && g_get_monotonic_time() < end)
		run_for(20);
	return cond(data);
}

/* What leaves the encoders, watched on the elementary-stream tees. */
struct watch {
	atomic_int video, audio, keyframes, backwards;
	GstClockTime last_v, last_a;
};

static GstPadProbeReturn on_video(GstPad *pad, GstPadProbeInfo *info,
                                  gpointer data)
{
	struct watch *w = data;
	GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
	GstClockTime ts = GST_BUFFER_DTS_OR_PTS(b);

	if (GST_CLOCK_TIME_IS_VALID(w->last_v) && ts <= w->last_v)
		atomic_fetch_add(&w->backwards, 1);
	w->last_v = ts;
	if (!GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT))
		atomic_fetch_add(&w->keyframes, 1);
	atomic_fetch_add(&w->video, 1);
	return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn on_audio(GstPad *pad, GstPadProbeInfo *info,
                                  gpointer data)
{
	struct watch *w = data;
	GstClockTime ts = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));

	if (GST_CLOCK_TIME_IS_VALID(w->last_a) && ts < w->last_a)
		atomic_fetch_add(&w->backwards, 1);
	w->last_a = ts;
	atomic_fetch_add(&w->audio, 1);
	return GST_PAD_PROBE_OK;
}

struct at_least {
	atomic_int *n;
	int want;
};

static bool reached(void *data)
{
	struct at_least *a = data;

	return atomic_load(a->n) >= a->want;
}

static void watch_tee(struct encoder *e, enum encoder_stream s,
                      GstPadProbeCallback cb, struct watch *w)
{
	GstPad *pad = gst_element_get_static_pad(encoder_tee(e, s), "sink");

	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, cb, w, NULL);
	gst_object_unref(pad);
}

struct forced {
	struct encoder *enc;
	unsigned before;
};

static bool forced_more(void *data)
{
	struct forced *f = data;

	return encoder_keyframes_forced(f->enc) > f->before;
}

struct changes {
	int n;
	bool last;
};

struct want_changes {
	struct changes *c;
	int n;
};

static bool changed(void *data)
{
	struct want_changes *w = data;

	return w->c->n >= w->n;
}

static void on_live(bool live, void *data)
{
	struct changes *c = data;

	c->n++;
	c->last = live;
}

/* A live source that ends by itself after `frames` frames (a camera that
 * drops out): white picture, tone. */
static struct source *short_source(const struct source_format *f, int frames)
{
	char *desc = g_strdup_printf(
	    "videotestsrc is-live=true pattern=white num-buffers=%d ! "
	    "identity name=v audiotestsrc is-live=true num-buffers=%d ! "
	    "identity name=a",
	    frames, frames * 48000 / 1024 / 30);
	GstElement *bin = gst_parse_bin_from_description(desc, FALSE, NULL);
	struct source *s = NULL;
	struct err_detail e = {0};

	g_free(desc);
	for (int k = 0; k < 2; k++) {
		GstElement *el =
		    gst_bin_get_by_name(GST_BIN(bin), k ? "a" : "v");
		GstPad *p = gst_element_get_static_pad(el, "src");

		gst_element_add_pad(
		    bin, gst_ghost_pad_new(k ? "audio" : "video", p));
		gst_object_unref(p);
		gst_object_unref(el);
	}
	ck_assert_int_eq(source_new_bin(f, bin, &s, &e), 0);
	return s;
}

START_TEST(source_drop_out_and_return)
{
	struct encoder_config ec = {320, 240, 30, 400, 0, 0, 0};
	struct source_format f = {320, 240, 30};
	struct encoder *enc = NULL;
	struct input *in = NULL;
	struct input_events ev = {on_live, NULL};
	struct changes ch = {0, false};
	struct watch w = {0};
	struct input_stats st;
	struct err_detail e = {0};
	int v0, k0;
	unsigned forced0;

	w.last_v = w.last_a = GST_CLOCK_TIME_NONE;
	ck_assert_int_eq(encoder_new(&ec, &enc, &e), 0);
	watch_tee(enc, ENCODER_H264_ES, on_video, &w);
	watch_tee(enc, ENCODER_OPUS_ES, on_audio, &w);
	ck_assert_int_eq(
	    input_new(enc, "稍候 · please wait", &ev, &ch, &in, &e), 0);
	/* Slate only, until the live source comes. */
	ck_assert(wait_for(reached, &(struct at_least){&w.video, 15}, 5000));
	ck_assert(!input_is_live(in));

	/* 3 s of live, then the camera drops out by itself. */
	ck_assert_int_eq(input_set_live(in, short_source(&f, 90)), 0);
	ck_assert(wait_for(changed, &(struct want_changes){&ch, 1}, 5000));
	ck_assert(input_is_live(in));
	ck_assert(ch.last);
	/* its end plus the one-second watchdog */
	ck_assert(wait_for(changed, &(struct want_changes){&ch, 2}, 8000));
	ck_assert(!input_is_live(in));
	ck_assert(!ch.last);
	v0 = atomic_load(&w.video);
	ck_assert_msg(
	    wait_for(reached, &(struct at_least){&w.video, v0 + 15}, 5000),
	    "the slate does not take over");

	/* It comes back: switched to at once, with a key frame. */
	k0 = atomic_load(&w.keyframes);
	forced0 = encoder_keyframes_forced(enc);
	ck_assert_int_eq(input_set_live(in, short_source(&f, 300)), 0);
	ck_assert(wait_for(changed, &(struct want_changes){&ch, 3}, 5000));
	ck_assert(input_is_live(in));
	/* "live" may come from its audio first: wait for its video. */
	ck_assert_msg(
	    wait_for(forced_more, &(struct forced){enc, forced0}, 5000),
	    "no key frame forced when the source came back");
	ck_assert(
	    wait_for(reached, &(struct at_least){&w.keyframes, k0 + 1}, 3000));
	run_for(500);

	input_get_stats(in, &st);
	fprintf(stderr,
	        "video %d audio %d keyframes %d; live %lu/%lu slate %lu/%lu "
	        "dropped %lu\n",
	        atomic_load(&w.video), atomic_load(&w.audio),
	        atomic_load(&w.keyframes), (unsigned long)st.live_video,
	        (unsigned long)st.live_audio, (unsigned long)st.slate_video,
	        (unsigned long)st.slate_audio, (unsigned long)st.dropped);
	ck_assert_uint_gt(st.live_video, 60);
	ck_assert_uint_ge(st.slate_video, 30);
	ck_assert_uint_gt(st.live_audio, 50);
	ck_assert_int_gt(atomic_load(&w.audio), 100); /* 20 ms Opus frames */
	/* One stream for the encoder, whatever was switched. */
	ck_assert_int_eq(atomic_load(&w.backwards), 0);

	input_free(in);
	encoder_free(enc);
}
END_TEST

START_TEST(stop_shows_slate_at_once)
{
	struct encoder_config ec = {320, 240, 30, 400, 0, 0, 0};
	struct source_format f = {320, 240, 30};
	struct encoder *enc = NULL;
	struct input *in = NULL;
	struct input_events ev = {on_live, NULL};
	struct changes ch = {0, false};
	struct source *s = NULL;
	struct err_detail e = {0};

	ck_assert_int_eq(encoder_new(&ec, &enc, &e), 0);
	ck_assert_int_eq(input_new(enc, NULL, &ev, &ch, &in, &e), 0);
	ck_assert_int_eq(source_new_test(&f, "x", &s, &e), 0);
	ck_assert_int_eq(input_set_live(in, s), 0);
	ck_assert(wait_for(changed, &(struct want_changes){&ch, 1}, 8000));
	ck_assert(input_is_live(in));
	input_clear_live(in);
	ck_assert(!input_is_live(in)); /* no watchdog delay */
	ck_assert_int_eq(ch.n, 2);
	input_clear_live(in); /* twice is harmless */
	input_free(in);
	encoder_free(enc);
	input_free(NULL);
	encoder_free(NULL);
}
END_TEST

static Suite *input_suite(void)
{
	Suite *s = suite_create("input");
	TCase *tc = tcase_create("switch");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, source_drop_out_and_return);
	tcase_add_test(tc, stop_shows_slate_at_once);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(input_suite)
