/* test_rtc.c — the helpers every webrtcbin engine shares: ICE settings
 * as a real webrtcbin and its libnice agent end up with, promise replies,
 * session ids, offers from real clients and payload type lookup; and
 * rtc_peer, a real webrtcbin answering a browser's offer for a stand-in
 * engine object. */
#include "rtc.h"
#include "err.h"
#include "sdp_data.h"
#include "gst_check_main.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* The libnice agent behind a webrtcbin (a ref). */
static GObject *nice_of(GstElement *webrtc)
{
	GstWebRTCICE *ice = NULL;
	GObject *nice = NULL;

	g_object_get(webrtc, "ice-agent", &ice, NULL);
	ck_assert_ptr_nonnull(ice);
	g_object_get(ice, "agent", &nice, NULL);
	gst_object_unref(ice);
	ck_assert_ptr_nonnull(nice);
	return nice;
}

START_TEST(ice_settings_reach_webrtcbin_and_libnice)
{
	char *turns[] = {"turn://u:p@127.0.0.1:3478", NULL};
	struct rtc_ice ice = {"stun://127.0.0.1:3478", turns, NULL, true};
	GstElement *w = gst_element_factory_make("webrtcbin", NULL);
	GstWebRTCBundlePolicy bundle;
	GObject *nice;
	gboolean upnp = TRUE;
	gchar *stun = NULL;

	ck_assert_ptr_nonnull(w);
	gst_object_ref_sink(w);
	nice = nice_of(w);
	g_object_get(nice, "upnp", &upnp, NULL);
	ck_assert(upnp); /* libnice's default, which a server does not want */
	rtc_configure_ice(w, &ice);
	g_object_get(nice, "upnp", &upnp, NULL);
	ck_assert(!upnp);
	g_object_get(w, "bundle-policy", &bundle, "stun-server", &stun, NULL);
	ck_assert_int_eq(bundle, GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE);
	ck_assert_str_eq(stun, "stun://127.0.0.1:3478");
	g_free(stun);
	g_object_unref(nice);
	gst_object_unref(w);
}
END_TEST

START_TEST(random_ids_are_hex_and_differ)
{
	char a[RTC_ID_LEN], b[RTC_ID_LEN];

	rtc_random_id(a);
	rtc_random_id(b);
	ck_assert_uint_eq(strlen(a), RTC_ID_LEN - 1);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), RTC_ID_LEN - 1);
	ck_assert_str_ne(a, b);
}
END_TEST

static GstPromise *replied(GstStructure *s)
{
	GstPromise *p = gst_promise_new();

	gst_promise_reply(p, s);
	return p;
}

START_TEST(promise_replies)
{
	const GstStructure *r = NULL;
	const char *why = NULL;
	GstPromise *p;
	GError *e =
	    g_error_new_literal(GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "no");

	p = replied(NULL); /* set-*-description: no structure */
	ck_assert(rtc_reply_ok(p, &r, &why));
	ck_assert_ptr_null(r);
	gst_promise_unref(p);

	p = replied(gst_structure_new("application/x-gst-promise", "answer",
	                              G_TYPE_STRING, "x", NULL));
	ck_assert(rtc_reply_ok(p, &r, &why));
	ck_assert_ptr_nonnull(r);
	gst_promise_unref(p);

	p = replied(gst_structure_new("application/x-gst-promise", "error",
	                              G_TYPE_ERROR, e, NULL));
	ck_assert(!rtc_reply_ok(p, &r, &why));
	ck_assert_ptr_nonnull(why);
	gst_promise_unref(p);
	g_error_free(e);

	p = gst_promise_new();
	gst_promise_interrupt(p);
	ck_assert(!rtc_reply_ok(p, &r, &why));
	ck_assert_ptr_nonnull(why);
	gst_promise_unref(p);
}
END_TEST

/* Offers of real clients parse into their sections. */
START_TEST(offers_parse_or_are_refused)
{
	static const char *const good[] = {"chromium_whep_offer.sdp",
	                                   "firefox_whep_offer.sdp",
	                                   "obs_whip_offer.sdp"};
	GstWebRTCSessionDescription *d = NULL;
	size_t len;
	int dropped = -1;

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		char *sdp = sdp_data_load(good[i], &len);

		ck_assert_int_eq(rtc_parse_offer(sdp, len, &d, &dropped), 0);
		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(d->type, GST_WEBRTC_SDP_TYPE_OFFER);
		ck_assert_int_ge(dropped, 0);
		gst_webrtc_session_description_free(d);
		g_free(sdp);
	}
	/* GStreamer's SDP parser is lenient: text that is not SDP gives an
	 * empty description (sdp_inspect refuses such offers before this is
	 * called), never a crash or a stray section. */
	ck_assert_int_eq(rtc_parse_offer("hello", 5, &d, NULL), 0);
	ck_assert_uint_eq(gst_sdp_message_medias_len(d->sdp), 0);
	gst_webrtc_session_description_free(d);
}
END_TEST

/* H.264 with packetization-mode=1 is preferred over mode 0, codec names
 * match whatever their case, and a codec not offered is -1. */
START_TEST(payload_types_by_codec)
{
	static const char text[] =
	    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98\r\n"
	    "a=rtpmap:96 VP8/90000\r\n"
	    "a=rtpmap:97 H264/90000\r\n"
	    "a=fmtp:97 packetization-mode=0;profile-level-id=42e01f\r\n"
	    "a=rtpmap:98 h264/90000\r\n"
	    "a=fmtp:98 packetization-mode=1;profile-level-id=42e01f\r\n";
	GstSDPMessage *sdp = NULL;
	const GstSDPMedia *m;

	ck_assert_int_eq(gst_sdp_message_new_from_text(text, &sdp), GST_SDP_OK);
	m = gst_sdp_message_get_media(sdp, 0);
	ck_assert_int_eq(rtc_media_find_pt(m, "H264"), 98);
	ck_assert_int_eq(rtc_media_find_pt(m, "vp8"), 96);
	ck_assert_int_eq(rtc_media_find_pt(m, "OPUS"), -1);
	gst_sdp_message_free(sdp);
}
END_TEST

/* A stand-in engine object for the posting helpers. */
struct thing {
	int refs, calls;
	bool closed;
	GstPromise *seen;
};

static void *thing_ref(void *obj)
{
	((struct thing *)obj)->refs++;
	return obj;
}

static void thing_unref(void *obj)
{
	((struct thing *)obj)->refs--;
}

static bool thing_closed(const void *obj)
{
	return ((const struct thing *)obj)->closed;
}

static const struct rtc_owner thing_owner = {thing_ref, thing_unref,
                                             thing_closed};

static void thing_call(void *obj, GstPromise *p)
{
	struct thing *t = obj;

	t->calls++;
	t->seen = p;
}

static void spin(void)
{
	for (int i = 0; i < 50; i++)
		g_main_context_iteration(NULL, FALSE);
}

/* Calls run later on the main loop, holding the object meanwhile; calls
 * to a closed object are skipped; a promise's reply reaches its call. */
START_TEST(calls_are_posted_to_the_main_loop)
{
	struct thing t = {0};
	GstPromise *p;

	rtc_post(&thing_owner, &t, thing_call, NULL);
	ck_assert_int_eq(t.calls, 0); /* never from inside the call */
	ck_assert_int_eq(t.refs, 1);
	spin();
	ck_assert_int_eq(t.calls, 1);
	ck_assert_int_eq(t.refs, 0);

	t.closed = true;
	rtc_post(&thing_owner, &t, thing_call, NULL);
	spin();
	ck_assert_int_eq(t.calls, 1);
	ck_assert_int_eq(t.refs, 0);
	t.closed = false;

	p = rtc_promise_to(&thing_owner, &t, thing_call);
	ck_assert_int_eq(t.refs, 1);
	gst_promise_reply(p, NULL); /* as webrtcbin answers */
	spin();
	ck_assert_int_eq(t.calls, 2);
	ck_assert_ptr_eq(t.seen, p);
	ck_assert_int_eq(t.refs, 0);
}
END_TEST

/* A stand-in engine object around an rtc_peer: what reaches it. */
struct eng {
	struct rtc_peer peer;
	int play_rc; /* what play answers */
	int plays, endings, stops, frees;
	int events[3], status[3];
	char *answer, *why;
};

static void eng_free(void *obj)
{
	((struct eng *)obj)->frees++;
}

static int eng_build(void *obj)
{
	struct eng *g = obj;
	static const char *const caps[] = {
	    "application/x-rtp,media=video,encoding-name=H264,payload=102,"
	    "clock-rate=90000",
	    "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,"
	    "clock-rate=48000"};

	for (size_t i = 0; i < G_N_ELEMENTS(caps); i++) {
		GstCaps *c = gst_caps_from_string(caps[i]);
		int rc = rtc_peer_add_transceiver(
		    &g->peer, GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, c);

		gst_caps_unref(c);
		if (rc)
			return rc;
	}
	return 0;
}

static int eng_play(void *obj, const char **why)
{
	struct eng *g = obj;

	g->plays++;
	*why = g->play_rc ? "no ceremony to play into" : NULL;
	return g->play_rc;
}

static void eng_event(void *obj, enum rtc_peer_event ev, int status,
                      const char *text)
{
	struct eng *g = obj;

	g->events[ev]++;
	g->status[ev] = status;
	if (ev == RTC_PEER_ANSWERED && text)
		g->answer = g_strdup(text);
	if (ev == RTC_PEER_ENDED)
		g->why = g_strdup(text);
}

static void eng_ending(void *obj, int status, const char *why)
{
	((struct eng *)obj)->endings++;
}

static void eng_stop(void *obj)
{
	struct eng *g = obj;

	g->stops++;
	if (g->peer.bin)
		gst_element_set_state(g->peer.bin, GST_STATE_NULL);
}

static const struct rtc_peer_ops eng_ops = {
    .tag = "test",
    .free = eng_free,
    .build = eng_build,
    .play = eng_play,
    .event = eng_event,
    .ending = eng_ending,
    .stop = eng_stop,
    .why_late = "late",
    .why_failed = "failed",
    .why_closed = "closed",
    .why_lost = "lost",
};

/* Start answering the Chromium WHEP offer on loopback, host candidates
 * only. */
static void eng_start(struct eng *g, unsigned connect_ms)
{
	GstWebRTCSessionDescription *d = NULL;
	struct err_detail e = {0};
	size_t len;
	char *sdp = sdp_data_load("chromium_whep_offer.sdp", &len);

	rtc_peer_init(&g->peer, &eng_ops, g);
	ck_assert_int_eq(strlen(g->peer.id), RTC_ID_LEN - 1);
	g->peer.ice.loopback_only = true;
	g->peer.gather_timeout_ms = 2000;
	g->peer.connect_timeout_ms = connect_ms;
	ck_assert_int_eq(rtc_peer_offer(&g->peer, sdp, len, &d, &e), 0);
	ck_assert_int_eq(rtc_peer_start(&g->peer, d), 0);
	gst_webrtc_session_description_free(d);
	g_free(sdp);
	ck_assert_int_eq(g->events[RTC_PEER_ANSWERED], 0); /* not inside */
}

/* Run the main loop until *n is non-zero, for 5 s at most. */
static void run_until(const int *n)
{
	for (int i = 0; i < 250 && !*n; i++)
		run_for(20);
}

static void eng_done(struct eng *g)
{
	rtc_peer_close(&g->peer);
	ck_assert_int_eq(g->stops, 1);
	ck_assert_ptr_null(g->peer.bin);
	rtc_peer_close(&g->peer); /* once */
	ck_assert_int_eq(g->stops, 1);
	rtc_peer_unref(&g->peer);
	/* calls posted meanwhile are skipped and give their reference back */
	run_until(&g->frees);
	ck_assert_int_eq(g->frees, 1);
	g_free(g->answer);
	g_free(g->why);
}

/* The answer comes once ICE has its host candidates, with them; a peer
 * that does not connect in time ends with the object's reason, once. */
START_TEST(peer_answers_then_ends_when_not_connected)
{
	struct eng g = {0};

	eng_start(&g, 300);
	run_until(&g.events[RTC_PEER_ENDED]);
	ck_assert_int_eq(g.plays, 1);
	ck_assert_int_eq(g.events[RTC_PEER_ANSWERED], 1);
	ck_assert_int_eq(g.status[RTC_PEER_ANSWERED], 0);
	ck_assert_ptr_nonnull(g.answer);
	ck_assert_ptr_nonnull(strstr(g.answer, "a=candidate:"));
	ck_assert_ptr_nonnull(strstr(g.answer, "127.0.0.1"));
	ck_assert_ptr_nonnull(strstr(g.answer, "a=sendonly"));
	ck_assert_int_eq(g.events[RTC_PEER_CONNECTED], 0);
	ck_assert_int_eq(g.events[RTC_PEER_ENDED], 1);
	ck_assert_int_eq(g.status[RTC_PEER_ENDED], ERR_UNAVAILABLE);
	ck_assert_str_eq(g.why, "late");
	ck_assert_int_eq(g.endings, 1);
	ck_assert(g.peer.ended);
	rtc_peer_fail(&g.peer, ERR_GONE, "again"); /* ended already */
	ck_assert_int_eq(g.endings, 1);
	ck_assert_int_eq(g.events[RTC_PEER_ENDED], 1);
	eng_done(&g);
}
END_TEST

/* The object refusing to play fails the answer with its code; a closed
 * peer says nothing more, its timers gone. */
START_TEST(peer_fails_its_answer_or_stays_quiet_once_closed)
{
	struct eng g = {0}, h = {0};

	g.play_rc = ERR_CONFLICT;
	eng_start(&g, 10000);
	run_until(&g.events[RTC_PEER_ANSWERED]);
	ck_assert_int_eq(g.plays, 1);
	ck_assert_int_eq(g.events[RTC_PEER_ANSWERED], 1);
	ck_assert_int_eq(g.status[RTC_PEER_ANSWERED], ERR_CONFLICT);
	ck_assert_ptr_null(g.answer);
	ck_assert_int_eq(g.events[RTC_PEER_ENDED], 0);
	ck_assert_int_eq(g.endings, 1);
	eng_done(&g);

	eng_start(&h, 300);
	run_until(&h.events[RTC_PEER_ANSWERED]);
	ck_assert_int_eq(h.status[RTC_PEER_ANSWERED], 0);
	rtc_peer_close(&h.peer);
	run_for(600); /* past the connect timeout */
	ck_assert_int_eq(h.events[RTC_PEER_ENDED], 0);
	rtc_peer_fail(&h.peer, ERR_GONE, "after close");
	ck_assert_int_eq(h.endings, 0);
	ck_assert_int_eq(h.events[RTC_PEER_ENDED], 0);
	eng_done(&h);
}
END_TEST

static Suite *rtc_suite(void)
{
	Suite *s = suite_create("rtc");
	TCase *tc = tcase_create("helpers");

	tcase_add_test(tc, ice_settings_reach_webrtcbin_and_libnice);
	tcase_add_test(tc, random_ids_are_hex_and_differ);
	tcase_add_test(tc, promise_replies);
	tcase_add_test(tc, offers_parse_or_are_refused);
	tcase_add_test(tc, payload_types_by_codec);
	tcase_add_test(tc, calls_are_posted_to_the_main_loop);
	tcase_add_test(tc, peer_answers_then_ends_when_not_connected);
	tcase_add_test(tc, peer_fails_its_answer_or_stays_quiet_once_closed);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(rtc_suite)
