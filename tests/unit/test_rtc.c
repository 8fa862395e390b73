/* test_rtc.c — the helpers every webrtcbin engine shares: ICE settings
 * as a real webrtcbin and its libnice agent end up with, promise replies,
 * session ids, offers from real clients and payload type lookup. */
#include "rtc.h"
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
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(rtc_suite)
