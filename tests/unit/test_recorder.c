/* test_recorder.c — recording a live ceremony to one MP4, for real:
 * the encoder with the test source, the file demuxed and decoded back;
 * an abrupt stop (SIGKILL of the recording process) must leave a file
 * that still plays up to its last fragment. */
#include "fx_files.h"
#include "encoder.h"
#include "err.h"
#include "gst_check_main.h"
#include "input.h"
#include "recorder.h"
#include "source.h"

#include <check.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A ceremony's media without the fan-out: encoder, input, test source. */
struct rig {
	struct encoder *enc;
	struct input *in;
};

/* Returns false (with a message on stderr) on failure; no ck_assert, so
 * the crash child can use it outside a test. */
static bool rig_start(struct rig *r)
{
	struct encoder_config ec = {640, 360, 30, 800, 0, 0, 0};
	struct source_format f = {640, 360, 30};
	struct source *src = NULL;
	struct err_detail e = {0};

	if (encoder_new(&ec, &r->enc, &e) != 0 ||
	    input_new(r->enc, NULL, NULL, NULL, &r->in, &e) != 0 ||
	    source_new_test(&f, "录像 recording", &src, &e) != 0 ||
	    input_set_live(r->in, src) != 0) {
		fprintf(stderr, "rig: %s\n", e.msg);
		return false;
	}
	return true;
}

static void rig_stop(struct rig *r)
{
	input_free(r->in);
	encoder_free(r->enc);
}

static GstPadProbeReturn count_probe(GstPad *pad, GstPadProbeInfo *info,
                                     gpointer data)
{
	atomic_fetch_add((atomic_int *)data, 1);
	return GST_PAD_PROBE_OK;
}

static void count_on(GstElement *pipe, const char *name, atomic_int *n)
{
	GstElement *el = gst_bin_get_by_name(GST_BIN(pipe), name);
	GstPad *pad = gst_element_get_static_pad(el, "sink");

	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_probe, n, NULL);
	gst_object_unref(pad);
	gst_object_unref(el);
}

struct played {
	int frames, audio;
	bool eos;
	gint64 duration_ms; /* -1 if unknown */
};

/* Demux and decode the whole file as a player would. */
static struct played play(const char *path)
{
	struct played p = {0, 0, false, -1};
	atomic_int v = 0, a = 0;
	char *desc = g_strdup_printf(
	    "filesrc location=\"%s\" ! qtdemux name=d "
	    "d.video_0 ! queue ! h264parse ! avdec_h264 ! fakesink name=v "
	    "d.audio_0 ! queue ! opusdec ! fakesink name=a",
	    path);
	GstElement *pipe = gst_parse_launch(desc, NULL);
	GstBus *bus;
	GstMessage *msg;
	gint64 dur = -1;

	g_free(desc);
	ck_assert_ptr_nonnull(pipe);
	count_on(pipe, "v", &v);
	count_on(pipe, "a", &a);
	gst_element_set_state(pipe, GST_STATE_PAUSED);
	gst_element_get_state(pipe, NULL, NULL, 10 * GST_SECOND);
	if (gst_element_query_duration(pipe, GST_FORMAT_TIME, &dur) && dur > 0)
		p.duration_ms = dur / GST_MSECOND;
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	bus = gst_element_get_bus(pipe);
	msg = gst_bus_timed_pop_filtered(bus, 20 * GST_SECOND,
	                                 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	p.eos = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
	if (msg)
		gst_message_unref(msg);
	gst_object_unref(bus);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
	p.frames = atomic_load(&v);
	p.audio = atomic_load(&a);
	fprintf(stderr, "%s: %d frames, %d audio, eos %d, duration %lld ms\n",
	        path, p.frames, p.audio, p.eos, (long long)p.duration_ms);
	return p;
}

static void check_head(const char *path, goffset min_size)
{
	GStatBuf st;
	char head[8];
	FILE *f;

	ck_assert_int_eq(g_stat(path, &st), 0);
	ck_assert_int_gt(st.st_size, min_size);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fread(head, 1, 8, f), 8);
	fclose(f);
	ck_assert_int_eq(memcmp(head + 4, "ftyp", 4), 0);
}

static char *tmpdir(void)
{
	char *d = g_dir_make_tmp("sinian-rec-XXXXXX", NULL);

	ck_assert_ptr_nonnull(d);
	return d;
}

static void rmdir_all(char *dir)
{
	fx_rm_tree(dir);
	g_free(dir);
}

START_TEST(record_and_finalise)
{
	struct rig r;
	struct recorder *rec = NULL;
	struct err_detail e = {0};
	char *dir = tmpdir(), *path = NULL, *sub;
	struct played p;

	ck_assert(rig_start(&r));
	/* A directory that does not exist yet is created. */
	sub = g_build_filename(dir, "ceremonies", NULL);
	ck_assert_msg(recorder_start(r.enc, sub, "ceremony-7-test", &rec, &e) ==
	                  0,
	              "%s", e.msg);
	ck_assert(g_str_has_suffix(recorder_path(rec), "ceremony-7-test.mp4"));
	run_for(3000);
	ck_assert_int_eq(recorder_stop(rec, 5000, &path), 0);
	ck_assert_ptr_nonnull(path);
	rig_stop(&r);
	check_head(path, 10 * 1024);
	p = play(path);
	ck_assert(p.eos);
	/* 3 s recorded: ~90 frames when idle; a loaded machine (sanitizers,
	 * parallel tests) drops frames, but not the timeline. */
	ck_assert_int_ge(p.frames, 20);
	ck_assert_int_ge(p.audio, 60); /* 20 ms Opus frames */
	ck_assert_int_ge(p.duration_ms, 2000);
	if (getenv("KEEP_REC"))
		fprintf(stderr, "kept %s\n", path);
	else
		g_unlink(path);
	g_free(path);
	g_rmdir(sub);
	g_free(sub);
	rmdir_all(dir);
}
END_TEST

static GstPadProbeReturn width_probe(GstPad *pad, GstPadProbeInfo *info,
                                     gpointer data)
{
	atomic_int *by_width = data; /* [0]: 320 wide, [1]: 640 wide */
	GstCaps *caps = gst_pad_get_current_caps(pad);
	int w = 0;

	if (caps) {
		gst_structure_get_int(gst_caps_get_structure(caps, 0), "width",
		                      &w);
		gst_caps_unref(caps);
	}
	if (w == 320 || w == 640)
		atomic_fetch_add(&by_width[w == 640], 1);
	return GST_PAD_PROBE_OK;
}

/* Decoded frames of path by picture width. */
static void play_widths(const char *path, int *narrow, int *wide)
{
	atomic_int n[2] = {0, 0};
	char *desc = g_strdup_printf("filesrc location=\"%s\" ! qtdemux ! "
	                             "h264parse ! avdec_h264 ! fakesink name=v",
	                             path);
	GstElement *pipe = gst_parse_launch(desc, NULL), *v;
	GstPad *pad;
	GstBus *bus;
	GstMessage *msg;

	g_free(desc);
	ck_assert_ptr_nonnull(pipe);
	v = gst_bin_get_by_name(GST_BIN(pipe), "v");
	pad = gst_element_get_static_pad(v, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, width_probe, n, NULL);
	gst_object_unref(pad);
	gst_object_unref(v);
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	bus = gst_element_get_bus(pipe);
	msg = gst_bus_timed_pop_filtered(bus, 20 * GST_SECOND,
	                                 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	ck_assert_msg(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS,
	              "%s does not play to its end", path);
	gst_message_unref(msg);
	gst_object_unref(bus);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
	*narrow = atomic_load(&n[0]);
	*wide = atomic_load(&n[1]);
}

/* A source that sends H.264 browsers play (320x240 here) alongside its
 * raw pictures, as a WHIP publisher's bin does. */
static GstElement *passthrough_bin(void)
{
	GstElement *bin = gst_parse_bin_from_description(
	    "videotestsrc is-live=true ! video/x-raw,width=320,height=240,"
	    "framerate=30/1 ! tee name=t ! queue ! x264enc tune=zerolatency "
	    "speed-preset=ultrafast key-int-max=30 ! video/x-h264,profile="
	    "constrained-baseline ! queue name=hq t. ! queue name=rawq "
	    "audiotestsrc is-live=true ! queue name=aq",
	    FALSE, NULL);
	static const char *const ends[][2] = {
	    {"hq", "h264"}, {"rawq", "video"}, {"aq", "audio"}};

	ck_assert_ptr_nonnull(bin);
	for (size_t i = 0; i < G_N_ELEMENTS(ends); i++) {
		GstElement *e = gst_bin_get_by_name(GST_BIN(bin), ends[i][0]);
		GstPad *pad = gst_element_get_static_pad(e, "src");

		gst_element_add_pad(bin, gst_ghost_pad_new(ends[i][1], pad));
		gst_object_unref(pad);
		gst_object_unref(e);
	}
	return bin;
}

/* What the input told its owner about the pass-through, in order. */
static char video_events[8];

static void on_video(bool passthrough, void *data)
{
	size_t n = strlen(video_events);

	if (n + 1 < sizeof(video_events))
		video_events[n] = passthrough ? 'P' : 'E';
}

/* The encoder and a passed-through source take turns in one file, at
 * different sizes: the file still plays through, both sizes decoding;
 * the owner hears of each change. */
START_TEST(passthrough_and_encoder_share_one_file)
{
	struct input_events ev = {NULL, on_video};
	struct encoder_config ec = {640, 360, 30, 800, 0, 0, 0};
	struct source_format f = {640, 360, 30};
	struct h264switch_stats st;
	struct encoder *enc = NULL;
	struct input *in = NULL;
	struct source *src = NULL;
	struct recorder *rec = NULL;
	struct err_detail e = {0};
	char *dir = tmpdir(), *path = NULL;
	int narrow = 0, wide = 0;

	ck_assert_msg(encoder_new(&ec, &enc, &e) == 0, "%s", e.msg);
	memset(video_events, 0, sizeof(video_events));
	ck_assert_msg(input_new(enc, NULL, &ev, NULL, &in, &e) == 0, "%s",
	              e.msg);
	ck_assert_msg(recorder_start(enc, dir, "ceremony-9-pass", &rec, &e) ==
	                  0,
	              "%s", e.msg);
	run_for(1500); /* the slate, encoded */
	ck_assert_int_eq(source_new_bin(&f, passthrough_bin(), &src, &e), 0);
	ck_assert_int_eq(input_set_live(in, src), 0);
	run_for(2500); /* the source's own H.264 */
	encoder_get_h264_stats(enc, &st);
	ck_assert(st.passthrough);
	ck_assert_uint_ge(st.passed, 20);
	ck_assert_str_eq(video_events, "P");
	input_clear_live(in);
	run_for(1500); /* the slate again */
	ck_assert_str_eq(video_events, "PE");
	ck_assert_int_eq(recorder_stop(rec, 5000, &path), 0);
	input_free(in);
	encoder_free(enc);
	play_widths(path, &narrow, &wide);
	fprintf(stderr, "%s: %d frames 320 wide, %d 640 wide\n", path, narrow,
	        wide);
	ck_assert_int_ge(narrow, 20);
	ck_assert_int_ge(wide, 20);
	g_unlink(path);
	g_free(path);
	rmdir_all(dir);
}
END_TEST

/* Run as a separate process (this program with --crash-child DIR):
 * record for 4 s, then die by SIGKILL without any clean-up. */
static int crash_child(const char *dir)
{
	struct rig r;
	struct recorder *rec = NULL;
	struct err_detail e = {0};

	if (!rig_start(&r))
		return 2;
	if (recorder_start(r.enc, dir, "ceremony-8-crash", &rec, &e) != 0)
		return 3;
	run_for(4000);
	kill(getpid(), SIGKILL); /* power cut, OOM killer, crash */
	return 4;
}

START_TEST(abrupt_stop_leaves_a_playable_file)
{
	char *dir = tmpdir();
	char *path = g_build_filename(dir, "ceremony-8-crash.mp4", NULL);
	char *argv[] = {(char *)"/proc/self/exe", (char *)"--crash-child", dir,
	                NULL};
	GError *gerr = NULL;
	int status = 0;
	struct played p;

	ck_assert_msg(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
	                           NULL, NULL, NULL, &status, &gerr),
	              "%s", gerr ? gerr->message : "");
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	check_head(path, 10 * 1024);
	p = play(path);
	ck_assert_msg(p.eos, "the unfinished file does not play to its end");
	ck_assert_int_ge(p.frames, 10); /* up to its last whole fragment */
	ck_assert_int_ge(p.audio, 40);
	if (getenv("KEEP_REC"))
		fprintf(stderr, "kept %s\n", path);
	else
		g_unlink(path);
	g_free(path);
	if (!getenv("KEEP_REC"))
		rmdir_all(dir);
}
END_TEST

START_TEST(nothing_recorded_and_bad_arguments)
{
	struct encoder_config ec = {320, 240, 30, 300, 0, 0, 0};
	struct encoder *enc = NULL;
	struct recorder *rec = NULL;
	struct err_detail e = {0};
	char *dir = tmpdir(), *path = (char *)"x";
	static const char *bad_names[] = {"",        "../up",  "a/b",
	                                  ".hidden", "sp ace", NULL};

	ck_assert_int_eq(encoder_new(&ec, &enc, &e), 0);
	for (int i = 0; bad_names[i]; i++) {
		ck_assert_int_eq(
		    recorder_start(enc, dir, bad_names[i], &rec, &e),
		    ERR_INVALID);
		ck_assert_ptr_null(rec);
	}
	ck_assert_int_eq(recorder_start(enc, NULL, "x", &rec, &e), ERR_INVALID);
	ck_assert_int_eq(
	    recorder_start(enc, "/proc/sinian-no-such", "x", &rec, &e), ERR_IO);
	ck_assert_ptr_nonnull(strstr(e.msg, "/proc/sinian-no-such"));
	/* No input at all: no key frame ever arrives, nothing to keep. */
	ck_assert_int_eq(recorder_start(enc, dir, "empty", &rec, &e), 0);
	run_for(300);
	ck_assert_int_eq(recorder_stop(rec, 1000, &path), ERR_GONE);
	ck_assert_ptr_null(path);
	{
		char *f = g_build_filename(dir, "empty.mp4", NULL);

		ck_assert(!g_file_test(f, G_FILE_TEST_EXISTS));
		g_free(f);
	}
	recorder_abort(NULL);
	encoder_free(enc);
	rmdir_all(dir);
}
END_TEST

static Suite *recorder_suite(void)
{
	Suite *s = suite_create("recorder");
	TCase *tc = tcase_create("mp4");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, record_and_finalise);
	tcase_add_test(tc, passthrough_and_encoder_share_one_file);
	tcase_add_test(tc, abrupt_stop_leaves_a_playable_file);
	tcase_add_test(tc, nothing_recorded_and_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	gst_init(NULL, NULL);
	if (argc == 3 && !strcmp(argv[1], "--crash-child"))
		return crash_child(argv[2]);
	sr = srunner_create(recorder_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
