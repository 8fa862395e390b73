/* test_rtsp.c — the RTSP source (source_new_rtsp) against a real RTSP
 * server on 127.0.0.1 (gst-rtsp-server in this process, rtsp_testsrv.h):
 * H.264 + Opus from the camera arrive as the encoder's raw video and audio;
 * the camera going away stops them, and once a server listens on the same
 * port again they come back through the source's own retries, with no
 * second source_start; the retries back off (1 s, 2 s, 4 s...) and start
 * over at 1 s after a connection that delivered; a camera that restarts
 * at once or ends its stream is connected again within seconds, and so
 * is one whose pictures stop while its sound goes on; a paused source
 * keeps its connection; a camera without a microphone still gives
 * pictures.
 *
 * The default main context runs both the source's bus watch and timers and
 * the server's listening socket, so the tests spin it while they wait.
 * Waits are deadlines, and timing checks leave room for a loaded machine. */
#include "encoder.h"
#include "err.h"
#include "input.h"
#include "rtsp_testsrv.h"
#include "source.h"
#include "gst_check_main.h"

#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* The encoder's input: I420 320x240 at 15 frames a second. */
static const struct source_format fmt = {320, 240, 15};

#define FRAME_BYTES (320 * 240 * 3 / 2)
#define MAX_TRIES   16

struct got {
	atomic_int video, audio, bad_video, bad_audio;
};

/* Within a millisecond of want (durations are optional). */
static bool duration_near(GstBuffer *buf, GstClockTime want)
{
	GstClockTime d = GST_BUFFER_DURATION(buf);

	return !GST_CLOCK_TIME_IS_VALID(d) ||
	       (d > want ? d - want : want - d) <= GST_MSECOND;
}

/* Each buffer is checked against source.h: I420 at the encoder's size and
 * rate; S16LE stereo at 48 kHz, i.e. 4 bytes a frame, 48 000 a second. */
static void on_sample(void *data, bool video, GstBuffer *buf)
{
	struct got *g = data;
	gsize size = gst_buffer_get_size(buf);

	if (video) {
		if (size != FRAME_BYTES ||
		    !duration_near(buf, GST_SECOND / (GstClockTime)fmt.fps))
			atomic_fetch_add(&g->bad_video, 1);
		atomic_fetch_add(&g->video, 1);
	} else {
		if (size == 0 || size % 4 ||
		    !duration_near(buf, gst_util_uint64_scale(
		                            size / 4, GST_SECOND, 48000)))
			atomic_fetch_add(&g->bad_audio, 1);
		atomic_fetch_add(&g->audio, 1);
	}
	gst_buffer_unref(buf);
}

/* Until video and audio more buffers than now have come (within ms). */
static bool more_arrive(struct got *g, int video, int audio, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	int v0 = atomic_load(&g->video), a0 = atomic_load(&g->audio);

	while (atomic_load(&g->video) - v0 < video ||
	       atomic_load(&g->audio) - a0 < audio) {
		if (g_get_monotonic_time() > end)
			return false;
		run_for(50);
	}
	return true;
}

/* Until no buffer at all has come for quiet_ms (within ms). */
static bool fall_silent(struct got *g, int quiet_ms, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end) {
		int before = atomic_load(&g->video) + atomic_load(&g->audio);

		run_for(quiet_ms);
		if (atomic_load(&g->video) + atomic_load(&g->audio) == before)
			return true;
	}
	return false;
}

static void report(const char *what, struct got *g)
{
	fprintf(stderr, "%s: %d video, %d audio (%d, %d off format)\n", what,
	        atomic_load(&g->video), atomic_load(&g->audio),
	        atomic_load(&g->bad_video), atomic_load(&g->bad_audio));
}

/* Server side: when each client connected (one connection per attempt). */
struct tries {
	gint64 at_us[MAX_TRIES];
	int n;
};

static void on_client(GstRTSPServer *server, GstRTSPClient *client,
                      gpointer data)
{
	struct tries *t = data;

	if (t->n < MAX_TRIES)
		t->at_us[t->n++] = g_get_monotonic_time();
}

static void serve(struct rtsp_testsrv *srv, int port, const char *launch,
                  struct tries *tries)
{
	char err[256];

	ck_assert_msg(rtsp_testsrv_start(srv, port, launch, err, sizeof(err)) ==
	                  0,
	              "%s", err);
	if (tries)
		g_signal_connect(srv->server, "client-connected",
		                 G_CALLBACK(on_client), tries);
}

/* Until the server has seen n connections (within ms). */
static bool tried(struct tries *t, int n, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (t->n < n && g_get_monotonic_time() < end)
		run_for(50);
	return t->n >= n;
}

static double gap_s(const struct tries *t, int i)
{
	return (double)(t->at_us[i + 1] - t->at_us[i]) / 1e6;
}

static struct source *start_source(const char *url, struct got *g)
{
	struct source *s = NULL;
	struct err_detail e = {0};

	ck_assert_int_eq(source_new_rtsp(&fmt, url, &s, &e), 0);
	ck_assert_str_eq(source_kind(s), "rtsp");
	ck_assert_int_eq(source_start(s, on_sample, g), 0);
	return s;
}

/* The camera's picture and sound arrive in the encoder's format; the
 * camera goes away (server gone, port closed) and the buffers stop; a
 * server on the same port again, and they come back by themselves. */
START_TEST(camera_goes_away_and_comes_back)
{
	struct rtsp_testsrv srv = {0};
	struct got g = {0};
	struct source *s;
	bool flowed, silent, back;
	int port;

	serve(&srv, 0, RTSP_TESTSRV_AV, NULL);
	port = srv.port;
	s = start_source(srv.url, &g);
	flowed = more_arrive(&g, 30, 30, 20000);
	report("connected", &g);

	rtsp_testsrv_stop(&srv);
	silent = flowed && fall_silent(&g, 1500, 20000);
	report("camera gone", &g);
	run_for(3000); /* refused: retried after 1 s, 2 s */

	serve(&srv, port, RTSP_TESTSRV_AV, NULL);
	back = silent && more_arrive(&g, 30, 30, 45000);
	report("camera back", &g);
	source_free(s);
	rtsp_testsrv_stop(&srv);

	ck_assert_msg(flowed, "no video and audio from the camera");
	ck_assert_msg(silent, "buffers go on with the camera gone");
	ck_assert_msg(back, "no buffers once the camera is back");
	ck_assert_int_eq(atomic_load(&g.bad_video), 0);
	ck_assert_int_eq(atomic_load(&g.bad_audio), 0);
}
END_TEST

/* A camera whose stream is not there yet (404): each try is one new
 * connection, 1 s, 2 s, 4 s apart. Once the stream appears the source
 * connects by itself. After a connection that delivered, the back-off
 * starts over at 1 s: with the camera gone and back within a second,
 * pictures return well before the 16 s the back-off had got to. */
START_TEST(retries_back_off_and_start_over)
{
	struct rtsp_testsrv srv = {0};
	struct tries t = {0};
	struct got g = {0};
	struct source *s;
	gint64 gone_us, back_us = 0;
	bool backed_off, flowed, back = false;
	int port;

	serve(&srv, 0, NULL, &t);
	port = srv.port;
	s = start_source(srv.url, &g);
	backed_off = tried(&t, 4, 30000);
	for (int i = 0; i + 1 < t.n; i++)
		fprintf(stderr, "no stream: try %d %.2f s after the last\n",
		        i + 2, gap_s(&t, i));

	rtsp_testsrv_mount(&srv, RTSP_TESTSRV_AV); /* next try: 8 s away */
	flowed = backed_off && more_arrive(&g, 30, 30, 30000);
	report("stream there", &g);

	rtsp_testsrv_stop(&srv);
	gone_us = g_get_monotonic_time();
	run_for(1000); /* refused: the source sees an error */
	serve(&srv, port, RTSP_TESTSRV_AV, NULL);
	if (flowed) {
		back = more_arrive(&g, 5, 0, 30000);
		back_us = g_get_monotonic_time();
		fprintf(stderr, "gone for 1 s: pictures again after %.2f s\n",
		        (double)(back_us - gone_us) / 1e6);
	}
	source_free(s);
	rtsp_testsrv_stop(&srv);

	ck_assert_msg(backed_off, "%d tries in 30 s without a stream", t.n);
	/* g_timeout_add_seconds may fire up to 1/4 s early. */
	ck_assert_msg(gap_s(&t, 0) > 0.7, "try 2 after %.2f s", gap_s(&t, 0));
	ck_assert_msg(gap_s(&t, 1) > 1.7, "try 3 after %.2f s", gap_s(&t, 1));
	ck_assert_msg(gap_s(&t, 2) > 3.7, "try 4 after %.2f s", gap_s(&t, 2));
	ck_assert_msg(flowed, "no video and audio once the stream is there");
	ck_assert_msg(back, "no pictures once the camera is back");
	ck_assert_msg(back_us - gone_us < 12 * G_USEC_PER_SEC,
	              "pictures again only after %.2f s",
	              (double)(back_us - gone_us) / 1e6);
	ck_assert_int_eq(atomic_load(&g.bad_video), 0);
	ck_assert_int_eq(atomic_load(&g.bad_audio), 0);
}
END_TEST

/* A camera that restarts at once: the client's connection comes back to
 * a server that knows nothing of its session, so no error and no data;
 * after 6 s without a picture the source starts over and pictures return. */
START_TEST(camera_restarts_at_once)
{
	struct rtsp_testsrv srv = {0};
	struct got g = {0};
	struct source *s;
	bool flowed, back;
	gint64 restart_us;
	double after_s = 0;
	int port;

	serve(&srv, 0, RTSP_TESTSRV_AV, NULL);
	port = srv.port;
	s = start_source(srv.url, &g);
	flowed = more_arrive(&g, 30, 30, 20000);
	rtsp_testsrv_stop(&srv);
	serve(&srv, port, RTSP_TESTSRV_AV, NULL);
	restart_us = g_get_monotonic_time();
	back = flowed && more_arrive(&g, 30, 30, 45000);
	after_s = (double)(g_get_monotonic_time() - restart_us) / 1e6;
	report("restarted at once", &g);
	fprintf(stderr, "30 more frames %.2f s after the restart\n", after_s);
	source_free(s);
	rtsp_testsrv_stop(&srv);

	ck_assert_msg(flowed, "no video and audio from the camera");
	ck_assert_msg(back, "no buffers after the camera restarted");
	/* 6-7 s to notice, 1 s back-off, the handshake and 30 frames at
	 * 15 fps (about 10 s here; 16 s with the former 10 s limit) */
	ck_assert_msg(after_s < 15,
	              "pictures again only %.2f s after the restart", after_s);
	ck_assert_int_eq(atomic_load(&g.bad_video), 0);
	ck_assert_int_eq(atomic_load(&g.bad_audio), 0);
}
END_TEST

/* A camera whose pictures stop while its sound goes on: a valve on the
 * video, closed from the test (no end of stream, no error). */
#define VALVE_CAM                                                              \
	"( videotestsrc is-live=true pattern=ball ! "                          \
	"video/x-raw,width=640,height=360,framerate=30/1 ! "                   \
	"x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! "    \
	"valve name=pictures ! rtph264pay name=pay0 pt=96 "                    \
	"audiotestsrc is-live=true ! opusenc ! rtpopuspay name=pay1 pt=97 )"

/* The server's media of the latest connection (its pipeline). */
struct served {
	GMutex lock;
	GstElement *media;
};

static void on_media(GstRTSPMediaFactory *factory, GstRTSPMedia *media,
                     gpointer data)
{
	struct served *sv = data;
	GstElement *el = gst_rtsp_media_get_element(media);

	g_mutex_lock(&sv->lock);
	if (sv->media)
		gst_object_unref(sv->media);
	sv->media = el;
	g_mutex_unlock(&sv->lock);
}

static void close_valve(struct served *sv)
{
	GstElement *valve;

	g_mutex_lock(&sv->lock);
	valve = sv->media ? gst_bin_get_by_name(GST_BIN(sv->media), "pictures")
	                  : NULL;
	g_mutex_unlock(&sv->lock);
	ck_assert_msg(valve, "no media served");
	g_object_set(valve, "drop", TRUE, NULL);
	gst_object_unref(valve);
}

/* Sound without pictures is a broken camera for a farewell: 6 s after the
 * last picture the source starts over, though sound kept coming, and the
 * new connection (a new media, valve open) gives pictures again. */
START_TEST(sound_without_pictures_starts_over)
{
	struct rtsp_testsrv srv = {0};
	struct served sv = {0};
	struct tries t = {0};
	struct got g = {0};
	struct source *s;
	GstRTSPMountPoints *mounts;
	GstRTSPMediaFactory *factory;
	bool flowed, sound, again, back;
	gint64 closed_us;
	double after_s = 0;

	g_mutex_init(&sv.lock);
	serve(&srv, 0, VALVE_CAM, &t);
	mounts = gst_rtsp_server_get_mount_points(srv.server);
	factory = gst_rtsp_mount_points_match(mounts, RTSP_TESTSRV_PATH, NULL);
	g_signal_connect(factory, "media-configure", G_CALLBACK(on_media), &sv);
	g_object_unref(factory);
	g_object_unref(mounts);
	s = start_source(srv.url, &g);
	flowed = more_arrive(&g, 30, 30, 20000);
	if (flowed)
		close_valve(&sv);
	closed_us = g_get_monotonic_time();
	sound = flowed && more_arrive(&g, 0, 25, 5000); /* half a second */
	again = sound && tried(&t, 2, 20000);
	if (again)
		after_s = (double)(t.at_us[1] - closed_us) / 1e6;
	back = again && more_arrive(&g, 30, 0, 20000);
	report("pictures stopped, sound went on", &g);
	fprintf(stderr, "connected again %.2f s after the last picture\n",
	        after_s);
	source_free(s);
	rtsp_testsrv_stop(&srv);
	if (sv.media)
		gst_object_unref(sv.media);
	g_mutex_clear(&sv.lock);

	ck_assert_msg(flowed, "no video and audio from the camera");
	ck_assert_msg(sound, "no sound with the pictures stopped");
	ck_assert_msg(again, "not connected again without pictures");
	/* 6-7 s to notice (timers may fire 1/4 s early), plus the teardown
	 * and 1 s back-off; sound alone kept it from ever happening before */
	ck_assert_msg(after_s > 5.5 && after_s < 15,
	              "connected again %.2f s after the last picture", after_s);
	ck_assert_msg(back, "no pictures after connecting again");
	ck_assert_int_eq(atomic_load(&g.bad_video), 0);
	ck_assert_int_eq(atomic_load(&g.bad_audio), 0);
}
END_TEST

/* Cameras whose stream ends after 3 s (EOS; the server sends RTCP BYE). */
#define FINITE_VIDEO                                                           \
	"videotestsrc is-live=true num-buffers=90 ! "                          \
	"video/x-raw,width=640,height=360,framerate=30/1 ! "                   \
	"x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! "    \
	"rtph264pay name=pay0 pt=96 "
#define FINITE_AV                                                              \
	"( " FINITE_VIDEO "audiotestsrc is-live=true num-buffers=130 ! "       \
	"opusenc ! rtpopuspay name=pay1 pt=97 )"
#define FINITE_VIDEO_ONLY "( " FINITE_VIDEO ")"

/* The camera's stream ends; the source connects again (a second client
 * connection) no later than limit_s after its pictures stopped. */
static void ends_then_connects_again(const char *launch, bool audio,
                                     double limit_s)
{
	struct rtsp_testsrv srv = {0};
	struct tries t = {0};
	struct got g = {0};
	struct source *s;
	bool flowed, ended, again;
	gint64 ended_us;
	double after_s = 0;

	serve(&srv, 0, launch, &t);
	s = start_source(srv.url, &g);
	flowed = more_arrive(&g, 20, audio ? 20 : 0, 20000);
	ended = flowed && fall_silent(&g, 500, 20000);
	ended_us = g_get_monotonic_time();
	report(audio ? "stream ended" : "video-only stream ended", &g);
	again = ended && tried(&t, 2, 45000);
	if (again)
		after_s = (double)(t.at_us[1] - ended_us) / 1e6;
	fprintf(stderr, "connected again %.2f s after the end\n", after_s);
	source_free(s);
	rtsp_testsrv_stop(&srv);

	ck_assert_msg(flowed, "no buffers from the camera");
	if (!audio)
		ck_assert_int_eq(atomic_load(&g.audio), 0);
	ck_assert_msg(ended, "buffers go on after the stream's end");
	ck_assert_msg(again, "not connected again after the stream's end");
	ck_assert_msg(after_s < limit_s, "connected again only after %.2f s",
	              after_s);
	ck_assert_int_eq(atomic_load(&g.bad_video), 0);
	ck_assert_int_eq(atomic_load(&g.bad_audio), 0);
}

/* Expected after 1 s (plus up to 3/4 s of timer rounding); the stall
 * check alone would take 7-8 s. */
START_TEST(camera_ends_its_stream)
{
	ends_then_connects_again(FINITE_AV, true, 5);
}
END_TEST

/* A camera without a microphone: pictures, no sound at all, and when its
 * stream ends it is connected again as soon as one with sound would be
 * (its audio tail, never linked, never sees the end: each appsink reports
 * its own end of stream). */
START_TEST(camera_without_audio)
{
	ends_then_connects_again(FINITE_VIDEO_ONLY, false, 5);
}
END_TEST

/* Paused, the source delivers nothing and keeps its one connection (no
 * stall restart, even well past the 6 s stall limit); resumed, buffers
 * come again. */
START_TEST(paused_keeps_its_connection)
{
	struct rtsp_testsrv srv = {0};
	struct tries t = {0};
	struct got g = {0};
	struct source *s;
	bool flowed, silent, back;
	int during;

	serve(&srv, 0, RTSP_TESTSRV_AV, &t);
	s = start_source(srv.url, &g);
	flowed = more_arrive(&g, 30, 30, 20000);
	source_set_paused(s, true);
	silent = flowed && fall_silent(&g, 1000, 10000);
	during = atomic_load(&g.video) + atomic_load(&g.audio);
	run_for(13000);
	during = atomic_load(&g.video) + atomic_load(&g.audio) - during;
	source_set_paused(s, false);
	back = silent && more_arrive(&g, 30, 30, 30000);
	report("paused and resumed", &g);
	source_free(s);
	rtsp_testsrv_stop(&srv);

	ck_assert_msg(flowed, "no video and audio from the camera");
	ck_assert_msg(silent, "buffers go on while paused");
	ck_assert_int_eq(during, 0);
	ck_assert_msg(back, "no buffers once resumed");
	ck_assert_int_eq(t.n, 1);
}
END_TEST

/* A camera set to baseline, as browsers play it. */
#define BASELINE_CAM                                                           \
	"( videotestsrc is-live=true pattern=ball ! "                          \
	"video/x-raw,width=640,height=360,framerate=30/1 ! "                   \
	"x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! "    \
	"video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 "    \
	"pt=96 audiotestsrc is-live=true ! opusenc ! rtpopuspay name=pay1 "    \
	"pt=97 )"

/* A camera set to high profile (most cameras' main stream). x264's
 * ultrafast preset turns CABAC and 8x8 transforms off and then writes a
 * baseline stream whatever profile was asked: veryfast keeps them. */
#define HIGH_CAM                                                               \
	"( videotestsrc is-live=true pattern=ball ! "                          \
	"video/x-raw,width=640,height=360,framerate=30/1 ! "                   \
	"x264enc tune=zerolatency speed-preset=veryfast key-int-max=30 ! "     \
	"video/x-h264,profile=high ! rtph264pay name=pay0 pt=96 )"

struct units {
	atomic_int n, keys;
	char profile[32];
	int width;
	GMutex lock;
};

/* Both callbacks of one source get the same user_data. */
struct both {
	struct got g;
	struct units u;
};

static void on_unit(void *data, GstBuffer *buf, const GstCaps *caps)
{
	struct units *u = &((struct both *)data)->u;
	const GstStructure *st = gst_caps_get_structure(caps, 0);
	const char *profile = gst_structure_get_string(st, "profile");

	g_mutex_lock(&u->lock);
	snprintf(u->profile, sizeof(u->profile), "%s", profile ? profile : "");
	gst_structure_get_int(st, "width", &u->width);
	g_mutex_unlock(&u->lock);
	if (!GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT))
		atomic_fetch_add(&u->keys, 1);
	atomic_fetch_add(&u->n, 1);
	gst_buffer_unref(buf);
}

static void on_unit_sample(void *data, bool video, GstBuffer *buf)
{
	on_sample(&((struct both *)data)->g, video, buf);
}

/* A camera's H.264 comes to the h264 callback as it was sent (profile and
 * size of the camera, key frames marked), while its decoded pictures still
 * reach the raw callback in the encoder's format. */
static void h264_reaches_the_callback(const char *launch, const char *want)
{
	struct rtsp_testsrv srv = {0};
	struct both b = {0};
	struct units *u = &b.u;
	struct source *s = NULL;
	struct err_detail e = {0};
	gint64 end;

	g_mutex_init(&u->lock);
	serve(&srv, 0, launch, NULL);
	ck_assert_int_eq(source_new_rtsp(&fmt, srv.url, &s, &e), 0);
	source_set_h264(s, on_unit);
	ck_assert_int_eq(source_start(s, on_unit_sample, &b), 0);
	/* decoding lags the units (a loaded machine, ASan): wait for both */
	end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	while ((atomic_load(&u->n) < 30 || atomic_load(&b.g.video) < 10) &&
	       g_get_monotonic_time() < end)
		run_for(50);
	source_free(s);
	rtsp_testsrv_stop(&srv);
	ck_assert_int_ge(atomic_load(&u->n), 30);
	ck_assert_int_ge(atomic_load(&u->keys), 1);
	ck_assert_str_eq(u->profile, want);
	ck_assert_int_eq(u->width, 640);
	ck_assert_int_ge(atomic_load(&b.g.video), 10);
	ck_assert_int_eq(atomic_load(&b.g.bad_video), 0);
	g_mutex_clear(&u->lock);
}

START_TEST(camera_h264_reaches_the_h264_callback)
{
	h264_reaches_the_callback(BASELINE_CAM, "constrained-baseline");
	h264_reaches_the_callback(HIGH_CAM, "high");
}
END_TEST

static bool passing_through(void *enc)
{
	struct h264switch_stats st;

	encoder_get_h264_stats(enc, &st);
	return st.passthrough;
}

/* The whole ingest: a baseline camera is passed through to the viewers'
 * stream, a high profile one is encoded again (and stays live). */
static void ceremony_on_camera(const char *launch, bool passed)
{
	struct encoder_config ec = {640, 360, 30, 800, 0, 0, 0};
	struct rtsp_testsrv srv = {0};
	struct h264switch_stats st;
	struct encoder *enc = NULL;
	struct input *in = NULL;
	struct source *src = NULL;
	struct source_format f = {640, 360, 30};
	struct err_detail e = {0};
	gint64 end;

	serve(&srv, 0, launch, NULL);
	ck_assert_msg(encoder_new(&ec, &enc, &e) == 0, "%s", e.msg);
	ck_assert_msg(input_new(enc, NULL, NULL, NULL, &in, &e) == 0, "%s",
	              e.msg);
	ck_assert_int_eq(source_new_rtsp(&f, srv.url, &src, &e), 0);
	ck_assert_int_eq(input_set_live(in, src), 0);
	end = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
	while (!input_is_live(in) && g_get_monotonic_time() < end)
		run_for(50);
	ck_assert_msg(input_is_live(in), "the camera never went live");
	if (passed) {
		while (!passing_through(enc) && g_get_monotonic_time() < end)
			run_for(50);
	} else {
		run_for(3000);
	}
	run_for(1000);
	encoder_get_h264_stats(enc, &st);
	fprintf(stderr, "camera: passed %llu, encoded %llu\n",
	        (unsigned long long)st.passed, (unsigned long long)st.encoded);
	ck_assert(st.passthrough == passed);
	if (passed)
		ck_assert_uint_ge(st.passed, 20);
	else
		ck_assert_uint_eq(st.passed, 0);
	input_free(in);
	encoder_free(enc);
	rtsp_testsrv_stop(&srv);
}

START_TEST(baseline_camera_is_passed_through)
{
	ceremony_on_camera(BASELINE_CAM, true);
	ceremony_on_camera(HIGH_CAM, false);
}
END_TEST

static Suite *rtsp_suite(void)
{
	Suite *s = suite_create("rtsp");
	TCase *tc = tcase_create("server");

	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, camera_goes_away_and_comes_back);
	tcase_add_test(tc, retries_back_off_and_start_over);
	tcase_add_test(tc, camera_restarts_at_once);
	tcase_add_test(tc, sound_without_pictures_starts_over);
	tcase_add_test(tc, camera_ends_its_stream);
	tcase_add_test(tc, camera_without_audio);
	tcase_add_test(tc, paused_keeps_its_connection);
	tcase_add_test(tc, camera_h264_reaches_the_h264_callback);
	tcase_add_test(tc, baseline_camera_is_passed_through);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(rtsp_suite)
