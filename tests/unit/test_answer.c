/* test_answer.c — the lite engine's answers: a captured Chromium offer read
 * (credentials, fingerprint, mids, BUNDLE, rtcp-mux), offers without
 * BUNDLE or rtcp-mux refused with a reason, and the answer's shape:
 * ice-lite, setup:passive, our fingerprint, one host candidate per
 * address on the one port, end-of-candidates, unused sections rejected. */
#include "answer.h"
#include "err.h"
#include "sdp_data.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

static const char FP[] = "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:"
                         "11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F";

static char *without(const char *sdp, const char *line)
{
	char **parts = g_strsplit(sdp, line, -1);
	char *out = g_strjoinv("", parts);

	g_strfreev(parts);
	return out;
}

START_TEST(chromium_offer_read)
{
	struct answer_offer o;
	size_t len;
	char *sdp = sdp_data_load("chromium_whep_offer.sdp", &len);
	struct err_detail e = {0};

	ck_assert_int_eq(answer_offer_parse(sdp, len, &o, &e), 0);
	ck_assert_str_eq(o.ufrag, "iqe7");
	ck_assert_str_eq(o.pwd, "UYTomp1AudLWJ2Dse6w3i0kL");
	ck_assert(strncmp(o.fingerprint, "sha-256 90:BA:CC:02", 19) == 0);
	ck_assert(o.bundle);
	ck_assert_int_eq(o.n_media, 2);
	ck_assert_str_eq(o.media[0].kind, "video");
	ck_assert_str_eq(o.media[0].mid, "0");
	ck_assert_str_eq(o.media[1].kind, "audio");
	ck_assert(o.media[0].rtcp_mux && o.media[1].rtcp_mux);
	ck_assert_str_eq(o.media[0].proto, "UDP/TLS/RTP/SAVPF");
	g_free(sdp);
}
END_TEST

START_TEST(offers_the_port_cannot_serve_are_refused)
{
	struct answer_offer o;
	size_t len;
	char *sdp = sdp_data_load("chromium_whep_offer.sdp", &len);
	char *bad;
	struct err_detail e = {0};

	bad = without(sdp, "a=group:BUNDLE 0 1\r\n");
	ck_assert_int_eq(answer_offer_parse(bad, strlen(bad), &o, &e),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "BUNDLE"));
	g_free(bad);
	bad = without(sdp, "a=rtcp-mux\r\n");
	ck_assert_int_eq(answer_offer_parse(bad, strlen(bad), &o, &e),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "rtcp-mux"));
	g_free(bad);
	ck_assert_int_eq(answer_offer_parse("v=0\r\n", 5, &o, &e), ERR_INVALID);
	g_free(sdp);
}
END_TEST

START_TEST(answer_shape)
{
	static const char *ips[] = {"127.0.0.1", "192.0.2.10"};
	struct answer_offer o;
	struct answer_params p = {0};
	struct sdp_offer_info info;
	size_t len;
	char *sdp = sdp_data_load("chromium_whep_offer.sdp", &len);
	char *a;
	struct err_detail e = {0};

	ck_assert_int_eq(answer_offer_parse(sdp, len, &o, &e), 0);
	p.offer = &o;
	p.ufrag = "srvu";
	p.pwd = "serverpassword0123456789";
	p.fingerprint = FP;
	p.video = (struct answer_stream){0, 108, false, "42e01f", 1111};
	p.audio = (struct answer_stream){1, 111, false, NULL, 2222};
	p.ips = ips;
	p.n_ips = 2;
	p.port = 40000;
	a = answer_build(&p);
	ck_assert_ptr_nonnull(strstr(a, "a=group:BUNDLE 0 1\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "a=ice-lite\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "m=video 9 UDP/TLS/RTP/SAVPF 108\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "a=rtpmap:108 H264/90000\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "profile-level-id=42e01f"));
	ck_assert_ptr_nonnull(strstr(a, "a=rtpmap:111 OPUS/48000/2\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "a=setup:passive\r\n"));
	ck_assert_ptr_nonnull(strstr(a, FP));
	ck_assert_ptr_nonnull(strstr(a, "a=ssrc:1111 cname:sinian\r\n"));
	ck_assert_ptr_nonnull(
	    strstr(a, "udp 2130706431 127.0.0.1 40000 typ host\r\n"));
	ck_assert_ptr_nonnull(strstr(a, " 192.0.2.10 40000 typ host\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "a=end-of-candidates\r\n"));
	ck_assert_ptr_null(strstr(a, "recvonly"));
	/* the answer is an SDP the offer inspector reads */
	ck_assert_int_eq(sdp_offer_inspect(a, strlen(a), &info, &e), 0);
	g_free(a);
	/* audio not sent: its section rejected and out of the group */
	p.audio.mline = -1;
	a = answer_build(&p);
	ck_assert_ptr_nonnull(strstr(a, "a=group:BUNDLE 0\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"));
	g_free(a);
	g_free(sdp);
}
END_TEST

static Suite *answer_suite(void)
{
	Suite *s = suite_create("answer");
	TCase *tc = tcase_create("sdp");

	tcase_add_test(tc, chromium_offer_read);
	tcase_add_test(tc, offers_the_port_cannot_serve_are_refused);
	tcase_add_test(tc, answer_shape);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(answer_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
