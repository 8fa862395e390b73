/* test_fanout.c — the live path end to end, in one process, no mocks.
 *
 * A ceremony runs the real encoder with the test source; WHEP clients are
 * real webrtcbin peers (recvonly, loopback ICE, DTLS-SRTP) that decode
 * what they receive: frames are counted after avdec_h264, audio packets
 * after the Opus depayloader, and the mean luma of decoded pictures tells
 * the bright test pattern from the dark slate. */
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include "fx_files.h"
#include "encoder.h"
#include "err.h"
#include "fanout.h"
#include "lite.h"
#include "log.h"
#include "media.h"
#include "sdp_data.h"
#include "webrtc_peer.h"

#include <check.h>
#include <glib/gstdio.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- ceremony fixture -------------------------------------------------- */

struct answer {
	int calls, status;
	char *sdp;
	char id[FANOUT_ID_LEN];
};

static void on_answer(int status, const char *sdp, const char *id, void *data)
{
	struct answer *a = data;

	a->calls++;
	a->status = status;
	a->sdp = sdp ? g_strdup(sdp) : NULL;
	snprintf(a->id, sizeof(a->id), "%s", id);
}

static bool answered(void *data)
{
	return ((struct answer *)data)->calls > 0;
}

struct events {
	int live_changes, last_live, gone;
	unsigned last_count;
};

static void ev_count(int64_t id, unsigned n, void *data)
{
	((struct events *)data)->last_count = n;
}

static void ev_live(int64_t id, bool live, void *data)
{
	struct events *e = data;

	e->live_changes++;
	e->last_live = live;
}

static void ev_gone(int64_t id, const char *vid, const char *why, void *data)
{
	((struct events *)data)->gone++;
}

/* Which viewer engine the suite runs on: it runs once on each. */
static bool lite_engine;

static struct events evs;
static struct media_ctx *ctx;
static struct media_ceremony *cer;
static char *rec_dir;

static void open_ceremony(void)
{
	struct media_config cfg = {0};
	struct err_detail e = {0};

	memset(&evs, 0, sizeof(evs));
	rec_dir = g_dir_make_tmp("sinian-media-XXXXXX", NULL);
	ck_assert_ptr_nonnull(rec_dir);
	cfg.loopback_only = true;
	cfg.lite = lite_engine;
	cfg.width = 640;
	cfg.height = 360;
	cfg.fps = 30;
	cfg.video_kbps = 800;
	cfg.viewer_timeout_ms = 8000;
	cfg.recordings_dir = rec_dir;
	cfg.events = (struct media_events){ev_count, ev_live, ev_gone, NULL};
	cfg.user_data = &evs;
	ck_assert_msg(media_new(&cfg, &ctx, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(
	    media_ceremony_open(ctx, 42, "思念 · 张三 Zhang San", &cer), 0);
	ck_assert_int_eq(media_ceremony_source_test_start(cer), 0);
}

/* Offer from c, answer from the ceremony, applied to c. */
static void join(struct peer *c, struct answer *a)
{
	struct err_detail e = {0};
	char id[FANOUT_ID_LEN];

	memset(a, 0, sizeof(*a));
	ck_assert_msg(media_ceremony_viewer_add(cer, c->offer, strlen(c->offer),
	                                        on_answer, a, id, &e) == 0,
	              "%s", e.msg);
	ck_assert_int_eq(strlen(id), 32);
	ck_assert_int_eq(a->calls, 0); /* never from inside the call */
	ck_assert_msg(run_until(answered, a, 5000), "no answer");
	ck_assert_int_eq(a->calls, 1);
	ck_assert_int_eq(a->status, 0);
	ck_assert_str_eq(a->id, id);
	ck_assert_ptr_nonnull(strstr(a->sdp, "a=candidate"));
	ck_assert_ptr_nonnull(strstr(a->sdp, "127.0.0.1"));
	ck_assert_ptr_nonnull(strstr(a->sdp, "a=sendonly"));
	if (getenv("SHOW_SDP"))
		fprintf(stderr, "OFFER:\n%s\nANSWER:\n%s\n", c->offer, a->sdp);
	peer_answer(c, a->sdp);
}

struct want {
	struct peer *c;
	int frames, audio, dark, bright;
};

static bool got(void *data)
{
	struct want *w = data;

	return atomic_load(&w->c->frames) >= w->frames &&
	       atomic_load(&w->c->audio) >= w->audio &&
	       atomic_load(&w->c->dark) >= w->dark &&
	       atomic_load(&w->c->bright) >= w->bright;
}

static void wait_for(struct peer *c, int frames, int audio, int dark,
                     int bright, int ms, const char *what)
{
	struct want w = {c, frames, audio, dark, bright};
	bool ok = run_until(got, &w, ms);

	if (!ok) {
		struct fanout_stats st;

		media_ceremony_stats(cer, &st);
		for (size_t i = 0; i < st.n; i++)
			fprintf(stderr,
			        "viewer %.8s v %d/%lu a %d/%lu conn %d\n",
			        st.v[i].id, st.v[i].video_pt,
			        (unsigned long)st.v[i].video_packets,
			        st.v[i].audio_pt,
			        (unsigned long)st.v[i].audio_packets,
			        st.v[i].connected);
		fanout_stats_clear(&st);
	}
	ck_assert_msg(
	    ok, "%s: frames %d/%d audio %d/%d dark %d/%d bright %d/%d", what,
	    atomic_load(&c->frames), frames, atomic_load(&c->audio), audio,
	    atomic_load(&c->dark), dark, atomic_load(&c->bright), bright);
}

struct decoded {
	atomic_int video, audio;
};

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

/* The file is an MP4 (ftyp first) over 10 KB whose H.264 and Opus tracks
 * demux and decode to the end: min_video frames at least. */
static void check_recording(const char *path, int min_video)
{
	struct decoded d = {0};
	GStatBuf st;
	char head[8], *desc;
	FILE *f;
	GstElement *pipe;
	GstBus *bus;
	GstMessage *msg;

	ck_assert_ptr_nonnull(path);
	ck_assert_int_eq(g_stat(path, &st), 0);
	ck_assert_int_gt(st.st_size, 10 * 1024);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fread(head, 1, 8, f), 8);
	fclose(f);
	ck_assert_int_eq(memcmp(head + 4, "ftyp", 4), 0);
	desc = g_strdup_printf(
	    "filesrc location=\"%s\" ! qtdemux name=d "
	    "d.video_0 ! queue ! h264parse ! avdec_h264 ! fakesink name=v "
	    "d.audio_0 ! queue ! opusdec ! fakesink name=a",
	    path);
	pipe = gst_parse_launch(desc, NULL);
	g_free(desc);
	ck_assert_ptr_nonnull(pipe);
	count_on(pipe, "v", &d.video);
	count_on(pipe, "a", &d.audio);
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	bus = gst_element_get_bus(pipe);
	msg = gst_bus_timed_pop_filtered(bus, 20 * GST_SECOND,
	                                 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS,
	              "recording does not play to the end");
	gst_message_unref(msg);
	gst_object_unref(bus);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
	fprintf(stderr, "%s: %lld bytes, %d frames, %d audio buffers\n", path,
	        (long long)st.st_size, atomic_load(&d.video),
	        atomic_load(&d.audio));
	ck_assert_int_ge(atomic_load(&d.video), min_video);
	ck_assert_int_ge(atomic_load(&d.audio), min_video);
}

static void remove_dir(char *dir)
{
	fx_rm_tree(dir);
	g_free(dir);
}

#ifdef __SANITIZE_ADDRESS__
#define JOIN_LIMIT_US 6000000 /* instrumented build: slow, still bounded */
#else
#define JOIN_LIMIT_US 2000000 /* offer to first frame; 0.2-0.3 s when idle */
#endif

static bool more_keyframes(void *data)
{
	unsigned *k0 = data;
	struct fanout_stats st;
	bool more;

	media_ceremony_stats(cer, &st);
	more = st.keyframes_forced > *k0;
	fanout_stats_clear(&st);
	return more;
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(viewer_receives_live_then_slate_then_live)
{
	struct peer *a, *b;
	struct answer aa, ab;
	struct fanout_stats st;
	gint64 t0;
	char *path = NULL;
	int f0;
	unsigned k0;

	open_ceremony();
	/* Browser-like payload types (108/109): the fan-out must rewrite. */
	a = peer_viewer_new(false, 108, 109);
	t0 = g_get_monotonic_time();
	if (getenv("MEDIA_DEBUG"))
		log_debug("test", "offer handed over");
	join(a, &aa);
	ck_assert_ptr_nonnull(strstr(aa.sdp, "H264/90000"));
	ck_assert_ptr_nonnull(strstr(aa.sdp, "a=rtpmap:108 "));
	wait_for(a, 31, 51, 0, 10, 10000, "first viewer");
	fprintf(stderr,
	        "first RTP packet %.0f ms, first decoded frame %.0f ms after "
	        "the offer\n",
	        (a->first_rtp_us - t0) / 1000.0,
	        (a->first_frame_us - t0) / 1000.0);
	ck_assert_int_eq(media_ceremony_viewer_count(cer), 1);
	ck_assert_uint_eq(evs.last_count, 1);
	ck_assert_int_eq(media_ceremony_stats(cer, &st), 0);
	ck_assert_uint_eq(st.viewers, 1);
	ck_assert_uint_eq(st.connected, 1);
	ck_assert_uint_eq(st.n, 1);
	ck_assert_int_eq(st.v[0].video_pt, 108);
	ck_assert_int_eq(st.v[0].audio_pt, 109);
	ck_assert_uint_gt(st.v[0].video_packets, 30);
	ck_assert_uint_gt(st.v[0].video_bytes, 10000);
	ck_assert_uint_gt(st.v[0].audio_packets, 50);
	ck_assert_uint_gt(st.keyframes_forced, 0);
	fanout_stats_clear(&st);
	ck_assert(media_ceremony_source_live(cer));
	ck_assert_int_lt(a->first_frame_us - t0, JOIN_LIMIT_US);

	/* The player lost a picture: its PLI must reach the encoder. */
	run_for(600); /* past the key frame coalescing window */
	ck_assert_int_eq(media_ceremony_stats(cer, &st), 0);
	k0 = st.keyframes_forced;
	fanout_stats_clear(&st);
	/* As a decoder would: upstream from the depayloader. webrtcbin may
	 * answer FALSE (nothing upstream handles it), what counts is that
	 * its RTP session sends a PLI. */
	(void)gst_pad_send_event(a->video_pad,
	                         gst_video_event_new_upstream_force_key_unit(
	                             GST_CLOCK_TIME_NONE, TRUE, 0));
	ck_assert_msg(run_until(more_keyframes, &k0, 3000),
	              "PLI from the viewer did not force a key frame");

	/* Source gone: the slate (dark) keeps frames coming. */
	media_ceremony_source_test_stop(cer);
	ck_assert(!media_ceremony_source_live(cer));
	ck_assert_int_eq(evs.last_live, 0);
	f0 = atomic_load(&a->frames);
	wait_for(a, f0 + 30, 0, 10, 0, 5000, "slate");
	/* Source back: live (bright) again, without a new negotiation. */
	atomic_store(&a->bright, 0);
	ck_assert_int_eq(media_ceremony_source_test_start(cer), 0);
	f0 = atomic_load(&a->frames);
	wait_for(a, f0 + 30, 0, 0, 10, 5000, "live again");
	ck_assert_int_eq(evs.last_live, 1);
	ck_assert_int_ge(evs.live_changes, 3);

	/* A second viewer with our own payload types joins; then leaves
	 * while the first keeps receiving. */
	b = peer_viewer_new(false, 102, 111);
	join(b, &ab);
	wait_for(b, 31, 51, 0, 1, 10000, "second viewer");
	ck_assert_int_eq(media_ceremony_viewer_count(cer), 2);
	ck_assert_int_eq(media_ceremony_viewer_remove(cer, ab.id), 0);
	ck_assert_int_eq(media_ceremony_viewer_remove(cer, ab.id),
	                 ERR_NOT_FOUND);
	ck_assert_uint_eq(evs.last_count, 1);
	f0 = atomic_load(&a->frames);
	wait_for(a, f0 + 30, 0, 0, 0, 5000, "first viewer after second left");

	ck_assert_int_eq(media_ceremony_viewer_remove(cer, aa.id), 0);
	ck_assert_int_eq(media_ceremony_stats(cer, &st), 0);
	ck_assert_uint_eq(st.viewers, 0);
	ck_assert_uint_eq(st.connected, 0);
	ck_assert_uint_eq(st.n, 0);
	fanout_stats_clear(&st);
	ck_assert_uint_eq(evs.last_count, 0);
	ck_assert_int_eq(evs.gone, 0);

	ck_assert_int_eq(media_ceremony_close(cer, &path), 0);
	check_recording(path, 120); /* the ~6 s ceremony: > 4 s at 30 fps */
	g_free(path);
	media_free(ctx);
	if (!getenv("KEEP_REC"))
		remove_dir(rec_dir);
	peer_free(a);
	peer_free(b);
	g_free(aa.sdp);
	g_free(ab.sdp);
}
END_TEST

START_TEST(bad_offers_are_refused_without_callback)
{
	static const struct {
		const char *file;
		int rc;
	} cases[] = {
	    {"malformed_no_mline.sdp", ERR_INVALID},
	    {"malformed_no_ice_ufrag.sdp", ERR_INVALID},
	    {"malformed_no_fingerprint.sdp", ERR_INVALID},
	    {"malformed_not_sdp.sdp", ERR_INVALID},
	    {"obs_whip_offer.sdp", ERR_INVALID}, /* a publisher, not a viewer */
	};
	struct answer a;
	struct err_detail e = {0};
	char id[FANOUT_ID_LEN];

	open_ceremony();
	memset(&a, 0, sizeof(a));
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		size_t len;
		char *sdp = sdp_data_load(cases[i].file, &len);
		int rc = media_ceremony_viewer_add(cer, sdp, len, on_answer, &a,
		                                   id, &e);

		ck_assert_msg(rc == cases[i].rc, "%s: %d", cases[i].file, rc);
		ck_assert_msg(e.msg[0] != '\0', "%s: no message",
		              cases[i].file);
		ck_assert_str_eq(id, "");
		g_free(sdp);
	}
	ck_assert_int_eq(
	    media_ceremony_viewer_add(cer, "", 0, on_answer, &a, id, &e),
	    ERR_INVALID);
	run_for(300);
	ck_assert_int_eq(a.calls, 0);
	ck_assert_int_eq(media_ceremony_viewer_count(cer), 0);
	ck_assert_int_eq(media_ceremony_viewer_remove(cer, "nope"),
	                 ERR_NOT_FOUND);
	media_free(ctx); /* closes the ceremony too */
	if (!getenv("KEEP_REC"))
		remove_dir(rec_dir);
}
END_TEST

START_TEST(real_chromium_offer_is_answered)
{
	struct answer a;
	size_t len;
	char *sdp = sdp_data_load("chromium_whep_offer.sdp", &len);
	struct err_detail e = {0};
	char id[FANOUT_ID_LEN];

	/* The browser is not there, but the captured offer must produce a
	 * complete answer with its constrained-baseline payload type. */
	open_ceremony();
	memset(&a, 0, sizeof(a));
	ck_assert_msg(media_ceremony_viewer_add(cer, sdp, len, on_answer, &a,
	                                        id, &e) == 0,
	              "%s", e.msg);
	ck_assert(run_until(answered, &a, 5000));
	ck_assert_int_eq(a.status, 0);
	ck_assert_ptr_nonnull(strstr(a.sdp, "a=rtpmap:108 H264/90000"));
	ck_assert_ptr_nonnull(strstr(a.sdp, "a=rtpmap:111 OPUS/48000/2"));
	ck_assert_ptr_nonnull(strstr(a.sdp, "a=group:BUNDLE 0 1"));
	ck_assert_ptr_nonnull(strstr(a.sdp, "a=setup:"));
	ck_assert_ptr_nonnull(strstr(a.sdp, "a=fingerprint:sha-256"));
	ck_assert_ptr_nonnull(strstr(a.sdp, "a=candidate"));
	g_free(a.sdp);
	g_free(sdp);
	/* Closing while a viewer is pending/answered is clean. */
	media_free(ctx);
	if (!getenv("KEEP_REC"))
		remove_dir(rec_dir);
}
END_TEST

START_TEST(vp8_only_viewer)
{
	struct peer *c;
	struct answer a;
	char *path = NULL;

	open_ceremony();
	c = peer_viewer_new(true, 96, 111);
	join(c, &a);
	ck_assert_ptr_nonnull(strstr(a.sdp, "VP8/90000"));
	wait_for(c, 31, 51, 0, 10, 10000, "VP8 viewer");
	media_ceremony_close(cer, &path);
	g_free(path);
	media_free(ctx);
	if (!getenv("KEEP_REC"))
		remove_dir(rec_dir);
	peer_free(c);
	g_free(a.sdp);
}
END_TEST

START_TEST(vanished_viewer_is_detected)
{
	struct peer *c;
	struct answer a;
	char *path = NULL;

	open_ceremony();
	c = peer_viewer_new(false, 102, 111);
	join(c, &a);
	wait_for(c, 10, 10, 0, 0, 10000, "viewer");
	/* The browser tab is closed without a goodbye. */
	gst_element_set_state(c->pipe, GST_STATE_NULL);
	{
		gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

		while (evs.gone == 0 && g_get_monotonic_time() < end)
			run_for(100);
	}
	ck_assert_int_eq(evs.gone, 1);
	ck_assert_int_eq(media_ceremony_viewer_count(cer), 0);
	ck_assert_uint_eq(evs.last_count, 0);
	media_ceremony_close(cer, &path);
	g_free(path);
	media_free(ctx);
	if (!getenv("KEEP_REC"))
		remove_dir(rec_dir);
	peer_free(c);
	g_free(a.sdp);
}
END_TEST

START_TEST(config_is_checked)
{
	static const char *bad_turn[] = {"turn:host:3478", NULL};
	static const char *good_turn[] = {"turns://u:p@turn.example.org:5349",
	                                  NULL};
	struct media_config cfg = {0};
	struct media_ctx *c = NULL;
	struct err_detail e = {0};

	cfg.stun_server = "http://stun.example.org";
	ck_assert_int_eq(media_new(&cfg, &c, &e), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "STUN"));
	cfg.stun_server = "stun:stun.example.org:3478";
	cfg.public_ip = "not-an-address";
	ck_assert_int_eq(media_new(&cfg, &c, &e), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "public IP"));
	cfg.public_ip = "198.51.100.7";
	cfg.turn_servers = bad_turn;
	ck_assert_int_eq(media_new(&cfg, &c, &e), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "TURN"));
	ck_assert_ptr_null(c);
	cfg.turn_servers = good_turn;
	cfg.lite = lite_engine;
	ck_assert_int_eq(media_new(&cfg, &c, &e), 0);
	media_free(c);
	media_free(NULL);
}
END_TEST

/* Behind 1:1 NAT the answer must carry the public address; and a full
 * ceremony says so. */
START_TEST(public_ip_and_viewer_limit)
{
	struct media_config cfg = {0};
	struct answer a;
	size_t len;
	char *sdp = sdp_data_load("chromium_whep_offer.sdp", &len);
	struct err_detail e = {0};
	char id[FANOUT_ID_LEN];
	char **lines;

	cfg.loopback_only = true;
	cfg.lite = lite_engine;
	cfg.public_ip = "198.51.100.7";
	cfg.max_viewers = 1;
	cfg.width = 320;
	cfg.height = 240;
	ck_assert_int_eq(media_new(&cfg, &ctx, &e), 0);
	ck_assert_int_eq(media_ceremony_open(ctx, 9, "NAT", &cer), 0);
	ck_assert_int_eq(media_ceremony_open(ctx, 9, "again", &cer),
	                 ERR_CONFLICT);
	cer = media_ceremony_find(ctx, 9);
	ck_assert_ptr_nonnull(cer);
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(
	    media_ceremony_viewer_add(cer, sdp, len, on_answer, &a, id, &e), 0);
	ck_assert_int_eq(
	    media_ceremony_viewer_add(cer, sdp, len, on_answer, &a, id, &e),
	    ERR_FULL);
	ck_assert(run_until(answered, &a, 5000));
	ck_assert_int_eq(a.status, 0);
	lines = g_strsplit(a.sdp, "\n", -1);
	for (char **l = lines; *l; l++)
		if (g_str_has_prefix(*l, "a=candidate:") && strstr(*l, " host"))
			ck_assert_msg(strstr(*l, " 198.51.100.7 ") != NULL,
			              "%s", *l);
	g_strfreev(lines);
	ck_assert_ptr_nonnull(strstr(a.sdp, " 198.51.100.7 "));
	ck_assert_ptr_null(strstr(a.sdp, " 127.0.0.1 "));
	g_free(a.sdp);
	g_free(sdp);
	media_free(ctx);
}
END_TEST

/* A WHEP client that hung up before its answer: the HTTP layer removes
 * the viewer from inside the answer callback. */
static void remove_on_answer(int status, const char *sdp, const char *id,
                             void *data)
{
	struct answer *a = data;

	a->calls++;
	a->status = status;
	ck_assert_int_eq(media_ceremony_viewer_remove(cer, id), 0);
}

START_TEST(viewer_removed_inside_its_answer_callback)
{
	struct answer a;
	size_t len;
	char *sdp = sdp_data_load("firefox_whep_offer.sdp", &len);
	struct err_detail e = {0};
	char id[FANOUT_ID_LEN];

	open_ceremony();
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(media_ceremony_viewer_add(
	                     cer, sdp, len, remove_on_answer, &a, id, &e),
	                 0);
	ck_assert(run_until(answered, &a, 5000));
	run_for(300);
	ck_assert_int_eq(a.calls, 1); /* not called again with ERR_GONE */
	ck_assert_int_eq(a.status, 0);
	ck_assert_int_eq(media_ceremony_viewer_count(cer), 0);
	ck_assert_uint_eq(evs.last_count, 0);
	g_free(sdp);
	media_free(ctx);
	remove_dir(rec_dir);
}
END_TEST

/* Straight on the fan-out: an answered viewer that never connects (the
 * captured Chromium offer has no browser behind it) is dropped, and its
 * owner told why. */
struct gone {
	int n;
	char reason[128];
};

static void fo_gone(const char *id, const char *reason, void *data)
{
	struct gone *g = data;

	g->n++;
	snprintf(g->reason, sizeof(g->reason), "%s", reason);
}

static bool is_gone(void *data)
{
	return ((struct gone *)data)->n > 0;
}

START_TEST(unconnected_viewer_times_out)
{
	struct encoder_config ec = {320, 240, 30, 300, 0, 0, 0};
	struct fanout_config fc = {0};
	struct fanout_events fe = {NULL, fo_gone};
	struct encoder *enc = NULL;
	struct fanout *fo = NULL;
	struct answer a;
	struct gone g = {0, ""};
	size_t len;
	char *sdp = sdp_data_load("chromium_whep_offer.sdp", &len);
	struct err_detail e = {0};
	char id[FANOUT_ID_LEN];

	struct lite_config lc = {.threads = 1, .loopback_only = true};
	struct lite *engine = NULL;

	fc.loopback_only = true;
	fc.connect_timeout_ms = 1500;
	if (lite_engine)
		ck_assert_int_eq(lite_new(&lc, &engine, &e), 0);
	fc.lite = engine;
	ck_assert_int_eq(encoder_new(&ec, &enc, &e), 0);
	ck_assert_int_eq(fanout_new(enc, &fc, &fe, &g, &fo), 0);
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(fanout_viewer_add(fo, sdp, len, on_answer, &a, id, &e),
	                 0);
	ck_assert(run_until(answered, &a, 5000));
	ck_assert_int_eq(a.status, 0);
	ck_assert_uint_eq(fanout_viewer_count(fo), 1);
	ck_assert(run_until(is_gone, &g, 5000));
	ck_assert_str_eq(g.reason, "did not connect in time");
	ck_assert_uint_eq(fanout_viewer_count(fo), 0);
	ck_assert_int_eq(fanout_viewer_remove(fo, id), ERR_NOT_FOUND);
	ck_assert_int_eq(a.calls, 1);
	g_free(a.sdp);
	g_free(sdp);
	fanout_free(fo);
	encoder_free(enc);
	lite_free(engine);
}
END_TEST

static Suite *fanout_suite(void)
{
	Suite *s = suite_create("fanout");
	TCase *tc = tcase_create("live");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, viewer_receives_live_then_slate_then_live);
	tcase_add_test(tc, bad_offers_are_refused_without_callback);
	tcase_add_test(tc, real_chromium_offer_is_answered);
	tcase_add_test(tc, vp8_only_viewer);
	tcase_add_test(tc, vanished_viewer_is_detected);
	tcase_add_test(tc, config_is_checked);
	tcase_add_test(tc, public_ip_and_viewer_limit);
	tcase_add_test(tc, viewer_removed_inside_its_answer_callback);
	tcase_add_test(tc, unconnected_viewer_times_out);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	gst_init(NULL, NULL);
	if (getenv("MEDIA_DEBUG"))
		log_set_level(LOG_DEBUG);
	/* The shared DTLS certificate (RSA, up to seconds to generate) is made
	 * once here, before Check forks a process per test. */
	gst_object_unref(
	    gst_object_ref_sink(gst_element_factory_make("dtlsdec", NULL)));
	failed = 0;
	for (int e = 0; e < 2; e++) {
		const char *only = getenv("FANOUT_ENGINE");

		lite_engine = e == 1;
		if (only && strcmp(only, lite_engine ? "lite" : "webrtcbin"))
			continue;
		fprintf(stderr, "engine: %s\n",
		        lite_engine ? "lite" : "webrtcbin");
		sr = srunner_create(fanout_suite());
		srunner_run_all(sr, CK_NORMAL);
		failed += srunner_ntests_failed(sr);
		srunner_free(sr);
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
