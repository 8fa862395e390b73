/* test_whip.c — WHIP ingest end to end, in one process, no mocks.
 *
 * A publisher made of GStreamer (a solid green picture and a tone, x264 and
 * Opus, a send-only webrtcbin) offers to a ceremony's WHIP engine; a WHEP
 * viewer (a receive-only webrtcbin, webrtc_peer.h) decodes what the
 * ceremony sends. The colour of decoded pictures tells the publisher's
 * green from the dark slate; everything runs over loopback ICE with
 * DTLS-SRTP. */
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include "err.h"
#include "log.h"
#include "media.h"
#include "whip.h"
#include "sdp_data.h"
#include "webrtc_peer.h"

#include <check.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the publisher ------------------------------------------------------- */

/* Solid green (Y ~145, V ~34): neither the test pattern nor the slate.
 * x264's sliced threads make two slices per picture, and rtph264pay
 * repeats SPS/PPS before each key frame slice: the pass-through must
 * still hand viewers whole pictures. */
static struct peer *publisher_with(const char *h264)
{
	GArray *ts = NULL;
	char *desc = g_strdup_printf(
	    "webrtcbin name=pub latency=40 "
	    "videotestsrc is-live=true pattern=solid-color "
	    "foreground-color=0xff00ff00 ! video/x-raw,width=320,height=240,"
	    "framerate=30/1 ! videoconvert ! x264enc tune=zerolatency "
	    "key-int-max=300 bitrate=500 threads=2 %s ! rtph264pay "
	    "config-interval=-1 aggregate-mode=zero-latency ! "
	    "application/x-rtp,media=video,encoding-name=H264,payload=96,"
	    "clock-rate=90000 ! pub. "
	    "audiotestsrc is-live=true wave=sine volume=0.1 ! audioconvert ! "
	    "audioresample ! opusenc ! rtpopuspay ! "
	    "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,"
	    "clock-rate=48000 ! pub.",
	    h264);
	struct peer *c = peer_from_launch(desc, "pub");

	g_free(desc);
	g_signal_emit_by_name(c->webrtc, "get-transceivers", &ts);
	ck_assert_int_eq(ts->len, 2);
	for (guint i = 0; i < ts->len; i++)
		g_object_set(g_array_index(ts, GstWebRTCRTPTransceiver *, i),
		             "direction",
		             GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
		             NULL);
	g_array_unref(ts);
	peer_make_offer(c);
	return c;
}

/* Constrained baseline, as browsers publish it. */
static struct peer *publisher_new(void)
{
	return publisher_with("speed-preset=ultrafast ! "
	                      "video/x-h264,profile=constrained-baseline");
}

/* High profile (CABAC, 8x8 transforms: x264's ultrafast would drop them
 * and write baseline whatever was asked). */
static struct peer *publisher_new_high(void)
{
	return publisher_with("speed-preset=veryfast ! "
	                      "video/x-h264,profile=high");
}

/* A WHEP viewer taking H.264, or only VP8. */
static struct peer *viewer_new(bool vp8)
{
	return peer_viewer_new(vp8, vp8 ? 96 : 102, 111);
}

/* ---- ceremony and WHIP fixture ------------------------------------------- */

struct result {
	int answers, ended, status;
	char *sdp, *why;
	char id[FANOUT_ID_LEN]; /* WHEP: the viewer's */
};

static void result_clear(struct result *r)
{
	g_free(r->sdp);
	g_free(r->why);
	memset(r, 0, sizeof(*r));
}

static void on_whip(struct whip *w, enum whip_event ev, int status,
                    const char *text, void *data)
{
	struct result *r = data;

	if (ev == WHIP_ANSWER) {
		r->answers++;
		r->status = status;
		r->sdp = text ? g_strdup(text) : NULL;
	} else {
		r->ended++;
		g_free(r->why);
		r->why = g_strdup(text);
	}
}

static bool answered(void *data)
{
	return ((struct result *)data)->answers > 0;
}

static bool ended(void *data)
{
	return ((struct result *)data)->ended > 0;
}

static void on_viewer_answer(int status, const char *sdp, const char *id,
                             void *data)
{
	struct result *r = data;

	r->answers++;
	r->status = status;
	r->sdp = sdp ? g_strdup(sdp) : NULL;
}

static struct media_ctx *ctx;
static struct media_ceremony *cer;
static const struct whip_settings wset = {
    {NULL, NULL, NULL, true}, 0, 5000, 2000};

static void open_ceremony_with(bool no_passthrough)
{
	struct media_config cfg = {0};
	struct err_detail e = {0};

	cfg.no_passthrough = no_passthrough;
	cfg.loopback_only = true;
	cfg.width = 640;
	cfg.height = 360;
	cfg.fps = 30;
	cfg.video_kbps = 800;
	ck_assert_msg(media_new(&cfg, &ctx, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(media_ceremony_open(ctx, 7, "李四 Li Si", &cer), 0);
}

static void open_ceremony(void)
{
	open_ceremony_with(false);
}

static struct whip *publish(struct peer *pub, struct result *r)
{
	struct whip *w = NULL;
	struct err_detail e = {0};

	memset(r, 0, sizeof(*r));
	ck_assert_msg(whip_new(ctx, 7, &wset, pub->offer, strlen(pub->offer),
	                       on_whip, r, &w, &e) == 0,
	              "%s", e.msg);
	ck_assert_int_eq(strlen(whip_id(w)), 32);
	ck_assert_int_eq(whip_ceremony_id(w), 7);
	ck_assert_int_eq(r->answers, 0); /* never from inside the call */
	ck_assert(whip_busy(w));
	ck_assert_msg(run_until(answered, r, 5000), "no WHIP answer");
	ck_assert_int_eq(r->status, 0);
	ck_assert_ptr_nonnull(strstr(r->sdp, "a=recvonly"));
	ck_assert_ptr_nonnull(strstr(r->sdp, "H264/90000"));
	ck_assert_ptr_nonnull(strstr(r->sdp, "127.0.0.1"));
	if (getenv("SHOW_SDP"))
		fprintf(stderr, "OFFER:\n%s\nANSWER:\n%s\n", pub->offer,
		        r->sdp);
	peer_answer(pub, r->sdp);
	return w;
}

static void view(struct peer *v, struct result *r)
{
	struct err_detail e = {0};

	memset(r, 0, sizeof(*r));
	ck_assert_msg(media_ceremony_viewer_add(cer, v->offer, strlen(v->offer),
	                                        on_viewer_answer, r, r->id,
	                                        &e) == 0,
	              "%s", e.msg);
	ck_assert_msg(run_until(answered, r, 5000), "no WHEP answer");
	ck_assert_int_eq(r->status, 0);
	peer_answer(v, r->sdp);
}

struct want {
	struct peer *v;
	int frames, green, dark;
};

static bool got(void *data)
{
	struct want *w = data;

	return atomic_load(&w->v->frames) >= w->frames &&
	       atomic_load(&w->v->green) >= w->green &&
	       atomic_load(&w->v->dark) >= w->dark;
}

static void wait_for(struct peer *v, int frames, int green, int dark, int ms,
                     const char *what)
{
	struct want w = {v, frames, green, dark};

	ck_assert_msg(run_until(got, &w, ms),
	              "%s: frames %d/%d green %d/%d dark %d/%d", what,
	              atomic_load(&v->frames), frames, atomic_load(&v->green),
	              green, atomic_load(&v->dark), dark);
}

static bool publisher_decoded(void *data)
{
	struct whip_stats st;

	whip_get_stats(data, &st);
	return st.connected && st.video_frames >= 10 && st.audio_packets >= 20;
}

static bool passing_through(void *unused)
{
	struct h264switch_stats st;

	media_ceremony_video_stats(cer, &st);
	return st.passthrough;
}

/* ---- tests ----------------------------------------------------------------
 */

START_TEST(publish_view_slate_republish_close)
{
	struct peer *pub, *pub2, *v;
	struct result r1, r2, rv;
	struct whip *w1, *w2;
	struct whip_stats st;
	struct h264switch_stats vs0, vs1;
	int f0;

	open_ceremony();
	ck_assert(!media_ceremony_source_live(cer));

	/* The publisher connects; its green picture reaches a viewer. */
	pub = publisher_new();
	w1 = publish(pub, &r1);
	ck_assert_msg(run_until(publisher_decoded, w1, 8000),
	              "publisher's media not decoded");
	whip_get_stats(w1, &st);
	ck_assert_str_eq(st.video_codec, "H264");
	ck_assert_uint_gt(st.video_packets, 10);
	ck_assert(media_ceremony_source_live(cer));
	ck_assert(whip_busy(w1));
	v = viewer_new(false);
	view(v, &rv);
	wait_for(v, 30, 20, 0, 10000, "publisher's picture");
	/* Passed through, not encoded again: the publisher's own size, and
	 * the encoder idle while it lasts. The publisher's GOP is 10 s: its
	 * key frames come because the viewer's request reached it as a PLI
	 * (if it came too late, the encoder would have filled in). */
	run_for(1500); /* key frames asked at join and connect: served */
	ck_assert_msg(run_until(passing_through, NULL, 8000),
	              "not passed through");
	f0 = atomic_load(&v->frames);
	wait_for(v, f0 + 15, 0, 0, 5000, "the passed-through picture");
	ck_assert_int_eq(atomic_load(&v->width), 320);
	media_ceremony_video_stats(cer, &vs0);
	ck_assert(vs0.passthrough);
	ck_assert_uint_ge(vs0.passed, 20);
	f0 = atomic_load(&v->frames);
	wait_for(v, f0 + 30, 0, 0, 5000, "more of the publisher");
	media_ceremony_video_stats(cer, &vs1);
	ck_assert_uint_ge(vs1.passed, vs0.passed + 25);
	ck_assert_uint_eq(vs1.encoded, vs0.encoded);
	ck_assert_int_eq(atomic_load(&v->width), 320);

	/* The publisher vanishes without a word: slate, then ENDED. */
	gst_element_set_state(pub->pipe, GST_STATE_NULL);
	f0 = atomic_load(&v->frames);
	wait_for(v, f0 + 20, 0, 10, 6000, "slate after the publisher left");
	ck_assert_int_eq(atomic_load(&v->width), 640); /* the encoder's */
	media_ceremony_video_stats(cer, &vs1);
	ck_assert(!vs1.passthrough);
	ck_assert_msg(run_until(ended, &r1, 6000), "no WHIP_ENDED");
	ck_assert_int_eq(r1.ended, 1);
	ck_assert_ptr_nonnull(r1.why);
	ck_assert(!whip_busy(w1));
	ck_assert(!media_ceremony_source_live(cer));
	whip_close(w1);
	whip_unref(w1);

	/* A new publisher takes over the same ceremony; the same viewer
	 * sees it without a new negotiation. */
	pub2 = publisher_new();
	w2 = publish(pub2, &r2);
	atomic_store(&v->green, 0);
	f0 = atomic_load(&v->frames);
	wait_for(v, f0 + 30, 20, 0, 10000, "second publisher's picture");
	ck_assert_int_eq(atomic_load(&v->width), 320);

	/* DELETE: the session is closed by its owner: slate at once, and no
	 * event afterwards. */
	whip_close(w2);
	atomic_store(&v->dark, 0);
	f0 = atomic_load(&v->frames);
	wait_for(v, f0 + 20, 0, 10, 5000, "slate after close");
	ck_assert(!media_ceremony_source_live(cer));
	ck_assert_int_eq(r2.ended, 0);
	whip_unref(w2);

	ck_assert_int_eq(media_ceremony_close(cer, NULL), 0);
	media_free(ctx);
	peer_free(pub);
	peer_free(pub2);
	peer_free(v);
	result_clear(&r1);
	result_clear(&r2);
	result_clear(&rv);
}
END_TEST

/* A viewer that takes only VP8 needs pictures encoded here: while it
 * watches, the pass-through stops and the H.264 viewer gets the encoder's
 * picture (its size), both still seeing the publisher; once it leaves, the
 * pass-through resumes. */
START_TEST(vp8_viewer_holds_the_passthrough)
{
	struct peer *pub, *v, *v8;
	struct result r1, rv, rv8;
	struct h264switch_stats vs;
	struct whip *w1;
	int f0;

	open_ceremony();
	pub = publisher_new();
	w1 = publish(pub, &r1);
	ck_assert_msg(run_until(publisher_decoded, w1, 8000),
	              "publisher's media not decoded");
	v = viewer_new(false);
	view(v, &rv);
	wait_for(v, 30, 20, 0, 10000, "publisher's picture");
	ck_assert_int_eq(atomic_load(&v->width), 320);
	v8 = viewer_new(true);
	view(v8, &rv8);
	wait_for(v8, 30, 20, 0, 10000, "publisher's picture in VP8");
	ck_assert_int_eq(atomic_load(&v8->width), 640);
	atomic_store(&v->green, 0);
	f0 = atomic_load(&v->frames);
	wait_for(v, f0 + 30, 20, 0, 10000, "publisher's picture, encoded");
	ck_assert_int_eq(atomic_load(&v->width), 640);
	media_ceremony_video_stats(cer, &vs);
	ck_assert(!vs.passthrough);
	ck_assert_uint_ge(vs.switches, 2);
	/* The VP8 viewer leaves: the pass-through resumes for the other. */
	ck_assert_int_eq(media_ceremony_viewer_remove(cer, rv8.id), 0);
	ck_assert_msg(run_until(passing_through, NULL, 8000),
	              "not passed through again");
	f0 = atomic_load(&v->frames);
	wait_for(v, f0 + 15, 0, 0, 5000, "the publisher passed through again");
	ck_assert_int_eq(atomic_load(&v->width), 320);
	whip_close(w1);
	whip_unref(w1);
	ck_assert_int_eq(media_ceremony_close(cer, NULL), 0);
	media_free(ctx);
	peer_free(pub);
	peer_free(v);
	peer_free(v8);
	result_clear(&r1);
	result_clear(&rv);
	result_clear(&rv8);
}
END_TEST

/* The publisher's picture reaches a viewer encoded again by the server:
 * at the encoder's size, nothing passed through. */
static void expect_encoded_again(bool no_passthrough,
                                 struct peer *(*publisher)(void))
{
	struct peer *pub, *v;
	struct result r1, rv;
	struct h264switch_stats vs;
	struct whip *w1;

	open_ceremony_with(no_passthrough);
	pub = publisher();
	w1 = publish(pub, &r1);
	ck_assert_msg(run_until(publisher_decoded, w1, 8000),
	              "publisher's media not decoded");
	v = viewer_new(false);
	view(v, &rv);
	wait_for(v, 30, 20, 0, 10000, "publisher's picture, encoded");
	ck_assert_int_eq(atomic_load(&v->width), 640);
	media_ceremony_video_stats(cer, &vs);
	ck_assert(!vs.passthrough);
	ck_assert_uint_eq(vs.passed, 0);
	ck_assert_uint_ge(vs.encoded, 30);
	whip_close(w1);
	whip_unref(w1);
	ck_assert_int_eq(media_ceremony_close(cer, NULL), 0);
	media_free(ctx);
	peer_free(pub);
	peer_free(v);
	result_clear(&r1);
	result_clear(&rv);
}

/* High profile is not something every browser is sent: it is decoded and
 * encoded once more. */
START_TEST(high_profile_is_encoded_again)
{
	expect_encoded_again(false, publisher_new_high);
}
END_TEST

/* media_passthrough = false: the baseline publisher is encoded again. */
START_TEST(passthrough_can_be_turned_off)
{
	expect_encoded_again(true, publisher_new);
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
	    {"malformed_bad_mline.sdp", ERR_INVALID},
	    {"chromium_whep_offer.sdp", ERR_INVALID}, /* a viewer's offer */
	    {"firefox_whep_offer.sdp", ERR_INVALID},
	};
	struct result r = {0};
	struct whip *w = NULL;
	struct err_detail e = {0};
	size_t len;
	char *obs;

	open_ceremony();
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *sdp = sdp_data_load(cases[i].file, &len);
		int rc = whip_new(ctx, 7, &wset, sdp, len, on_whip, &r, &w, &e);

		ck_assert_msg(rc == cases[i].rc, "%s: %d", cases[i].file, rc);
		ck_assert_msg(e.msg[0] != '\0', "%s: no message",
		              cases[i].file);
		ck_assert_ptr_null(w);
		g_free(sdp);
	}
	ck_assert_int_eq(whip_new(ctx, 7, &wset, "", 0, on_whip, &r, &w, &e),
	                 ERR_INVALID);
	/* A good offer, but for a ceremony that is not open. */
	obs = sdp_data_load("obs_whip_offer.sdp", &len);
	ck_assert_int_eq(whip_new(ctx, 8, &wset, obs, len, on_whip, &r, &w, &e),
	                 ERR_NOT_FOUND);
	ck_assert_ptr_null(w);
	g_free(obs);
	run_for(300);
	ck_assert_int_eq(r.answers + r.ended, 0);
	ck_assert(!media_ceremony_source_live(cer));
	media_free(ctx); /* closes the ceremony too */
}
END_TEST

/* The OBS offer (audio first, H.264 pt 96, Opus pt 111) is answered with
 * exactly those codecs, receive-only, in its m-line order. Its candidates
 * are unreachable documentation addresses: closing before it connects must
 * leave the ceremony on the slate and report nothing more. */
START_TEST(obs_offer_is_answered)
{
	struct result r = {0};
	struct whip *w = NULL;
	struct err_detail e = {0};
	size_t len;
	char *obs = sdp_data_load("obs_whip_offer.sdp", &len);
	const char *audio, *video;

	open_ceremony();
	ck_assert_msg(whip_new(ctx, 7, &wset, obs, len, on_whip, &r, &w, &e) ==
	                  0,
	              "%s", e.msg);
	ck_assert_msg(run_until(answered, &r, 5000), "no answer");
	ck_assert_int_eq(r.status, 0);
	audio = strstr(r.sdp, "m=audio");
	video = strstr(r.sdp, "m=video");
	ck_assert_ptr_nonnull(audio);
	ck_assert_ptr_nonnull(video);
	ck_assert(audio < video);
	ck_assert_ptr_nonnull(strstr(r.sdp, "a=rtpmap:96 H264/90000"));
	ck_assert_ptr_nonnull(strstr(r.sdp, "a=rtpmap:111 OPUS/48000/2"));
	ck_assert_ptr_nonnull(strstr(r.sdp, "a=recvonly"));
	ck_assert_ptr_null(strstr(r.sdp, "a=sendonly"));
	ck_assert(whip_busy(w)); /* connecting */
	whip_close(w);
	ck_assert(!whip_busy(w));
	run_for(300);
	ck_assert_int_eq(r.answers, 1);
	ck_assert_int_eq(r.ended, 0);
	whip_unref(w);
	whip_close(NULL);
	whip_unref(NULL);
	media_free(ctx);
	g_free(obs);
	result_clear(&r);
}
END_TEST

static Suite *whip_suite(void)
{
	Suite *s = suite_create("whip");
	TCase *tc = tcase_create("ingest");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, publish_view_slate_republish_close);
	tcase_add_test(tc, vp8_viewer_holds_the_passthrough);
	tcase_add_test(tc, passthrough_can_be_turned_off);
	tcase_add_test(tc, high_profile_is_encoded_again);
	tcase_add_test(tc, bad_offers_are_refused_without_callback);
	tcase_add_test(tc, obs_offer_is_answered);
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
	sr = srunner_create(whip_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
