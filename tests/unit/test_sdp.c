/* test_sdp.c — SDP offer inspection against offers captured from real
 * clients (tests/data/sdp/README.md says where each came from) and against
 * every malformed case the inspector must refuse. */
#include "err.h"
#include "sdp.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SINIAN_SOURCE_DIR
#define SINIAN_SOURCE_DIR "."
#endif

/* Read tests/data/sdp/<name> into a malloc'd, NUL-terminated buffer. */
static char *load(const char *name, size_t *len)
{
	const char *root = getenv("SINIAN_SOURCE_DIR");
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/sdp/%s",
	         root ? root : SINIAN_SOURCE_DIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Inspect a data file; expect rc, and a message containing want_msg. */
static void expect_file(const char *name, int want_rc, const char *want_msg)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	size_t len;
	char *sdp = load(name, &len);
	int rc = sdp_offer_inspect(sdp, len, &info, &e);

	ck_assert_msg(rc == want_rc, "%s: rc %d, want %d (%s)", name, rc,
	              want_rc, e.msg);
	if (want_msg)
		ck_assert_msg(strstr(e.msg, want_msg) != NULL,
		              "%s: message '%s' lacks '%s'", name, e.msg,
		              want_msg);
	free(sdp);
}

static int inspect_str(const char *s, struct sdp_offer_info *info,
                       struct err_detail *e)
{
	return sdp_offer_inspect(s, strlen(s), info, e);
}

START_TEST(chromium_whep_offer)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	size_t len;
	char *sdp = load("chromium_whep_offer.sdp", &len);

	ck_assert_int_eq(sdp_offer_inspect(sdp, len, &info, &e), 0);
	ck_assert_str_eq(e.msg, "");
	ck_assert_int_eq(info.n_media, 2);
	ck_assert_int_eq(info.role, SDP_ROLE_VIEWER);
	ck_assert_int_eq(info.video_index, 0);
	ck_assert_int_eq(info.audio_index, 1);
	/* 108 is 42e01f pm=1 (constrained baseline); 102 is 42001f pm=1
	 * (baseline): constrained baseline is preferred. */
	ck_assert_int_eq(info.h264_pt, 108);
	ck_assert_str_eq(info.h264_profile_level_id, "42e01f");
	ck_assert_int_eq(info.vp8_pt, 96);
	ck_assert_int_eq(info.opus_pt, 111);
	ck_assert(info.bundle);
	ck_assert_int_eq(info.n_candidates, 2);
	ck_assert_str_eq(info.media[0].kind, "video");
	ck_assert_str_eq(info.media[0].mid, "0");
	ck_assert_int_eq(info.media[0].dir, SDP_DIR_RECVONLY);
	ck_assert_str_eq(info.media[1].kind, "audio");
	ck_assert_int_eq(info.media[1].dir, SDP_DIR_RECVONLY);
	ck_assert_int_eq(info.media[1].h264_pt, -1);
	free(sdp);
}
END_TEST

START_TEST(firefox_whep_offer)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	size_t len;
	char *sdp = load("firefox_whep_offer.sdp", &len);

	/* Fingerprint only at session level, fmtp before rtpmap. */
	ck_assert_int_eq(sdp_offer_inspect(sdp, len, &info, &e), 0);
	ck_assert_int_eq(info.role, SDP_ROLE_VIEWER);
	ck_assert_int_eq(info.h264_pt, 126);
	ck_assert_str_eq(info.h264_profile_level_id, "42e01f");
	ck_assert_int_eq(info.vp8_pt, 120);
	ck_assert_int_eq(info.opus_pt, 109);
	ck_assert_int_eq(info.video_index, 0);
	ck_assert_int_eq(info.audio_index, 1);
	ck_assert_int_eq(info.n_candidates, 2);
	free(sdp);
}
END_TEST

START_TEST(obs_whip_offer)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	size_t len;
	char *sdp = load("obs_whip_offer.sdp", &len);

	/* ICE, fingerprint and setup only at session level (libdatachannel),
	 * audio first. */
	ck_assert_int_eq(sdp_offer_inspect(sdp, len, &info, &e), 0);
	ck_assert_int_eq(info.role, SDP_ROLE_PUBLISHER);
	ck_assert_int_eq(info.audio_index, 0);
	ck_assert_int_eq(info.video_index, 1);
	ck_assert_int_eq(info.h264_pt, 96);
	ck_assert_int_eq(info.opus_pt, 111);
	ck_assert_int_eq(info.vp8_pt, -1);
	ck_assert_int_eq(info.media[0].dir, SDP_DIR_SENDONLY);
	ck_assert_int_eq(info.n_candidates, 2);
	free(sdp);
}
END_TEST

START_TEST(vp8_only_offer)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	size_t len;
	char *sdp = load("chromium_vp8_only_offer.sdp", &len);

	ck_assert_int_eq(sdp_offer_inspect(sdp, len, &info, &e), 0);
	ck_assert_int_eq(info.h264_pt, -1);
	ck_assert_int_eq(info.vp8_pt, 96);
	ck_assert_int_eq(info.video_index, 0);
	ck_assert_int_eq(info.opus_pt, 111);
	free(sdp);
}
END_TEST

START_TEST(malformed_files)
{
	expect_file("malformed_no_mline.sdp", ERR_INVALID, "no m= line");
	expect_file("malformed_no_ice_ufrag.sdp", ERR_INVALID, "ice-ufrag");
	expect_file("malformed_no_ice_pwd.sdp", ERR_INVALID, "ice-pwd");
	expect_file("malformed_no_fingerprint.sdp", ERR_INVALID, "fingerprint");
	expect_file("malformed_no_setup.sdp", ERR_INVALID, "a=setup");
	expect_file("malformed_bad_mline.sdp", ERR_INVALID, "bad port");
	expect_file("malformed_not_sdp.sdp", ERR_INVALID, "x=value");
}
END_TEST

START_TEST(too_large)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	size_t len, big = SDP_MAX_BYTES + 1;
	char *sdp = load("chromium_whep_offer.sdp", &len);
	char *buf = malloc(big);

	/* A valid offer padded with a=x lines past the limit. */
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, sdp, len);
	for (size_t i = len; i < big; i++) {
		size_t col = (i - len) % 64;

		buf[i] = col == 63 ? '\n' : col < 2 ? "a="[col] : 'x';
	}
	ck_assert_int_eq(sdp_offer_inspect(buf, big, &info, &e), ERR_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "larger than"));
	/* Exactly at the limit it is judged on content, not size. */
	ck_assert_int_eq(sdp_offer_inspect(buf, SDP_MAX_BYTES, &info, &e), 0);
	free(buf);
	free(sdp);
}
END_TEST

START_TEST(empty_and_binary)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	const char nul[] = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n\0s=-\r\n";

	ck_assert_int_eq(sdp_offer_inspect(NULL, 0, &info, &e), ERR_INVALID);
	ck_assert_int_eq(sdp_offer_inspect("", 0, &info, &e), ERR_INVALID);
	ck_assert_int_eq(sdp_offer_inspect(nul, sizeof(nul) - 1, &info, &e),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "NUL"));
	ck_assert_int_eq(inspect_str("\r\n", &info, &e), ERR_INVALID);
	ck_assert_int_eq(inspect_str("v=1\r\n", &info, &e), ERR_INVALID);
	/* NULL error buffer is allowed. */
	ck_assert_int_eq(inspect_str("garbage", &info, NULL), ERR_INVALID);
}
END_TEST

/* A minimal valid offer with one replaceable line per attribute. */
static char *offer_with(const char *video_fmt_lines, const char *extra)
{
	char *s = NULL;
	int n = asprintf(
	    &s,
	    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	    "a=fingerprint:sha-256 "
	    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:"
	    "44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
	    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\n"
	    "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
	    "a=setup:actpass\r\na=mid:v\r\na=recvonly\r\n%s%s",
	    video_fmt_lines, extra);

	ck_assert_int_gt(n, 0);
	return s;
}

START_TEST(h264_family)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	char *s;

	/* Baseline only: acceptable (a CB stream is valid baseline). */
	s = offer_with(
	    "a=rtpmap:96 H264/90000\r\n"
	    "a=fmtp:96 packetization-mode=1;profile-level-id=42001F\r\n",
	    "");
	ck_assert_int_eq(inspect_str(s, &info, &e), 0);
	ck_assert_int_eq(info.h264_pt, 96);
	ck_assert_str_eq(info.h264_profile_level_id, "42001f");
	free(s);
	/* Main and high profile, or packetization-mode 0: not acceptable. */
	s = offer_with(
	    "a=rtpmap:96 H264/90000\r\n"
	    "a=fmtp:96 packetization-mode=1;profile-level-id=4d001f\r\n"
	    "a=rtpmap:97 H264/90000\r\n"
	    "a=fmtp:97 packetization-mode=0;profile-level-id=42e01f\r\n",
	    "");
	ck_assert_int_eq(inspect_str(s, &info, &e), 0);
	ck_assert_int_eq(info.h264_pt, -1);
	ck_assert_int_eq(info.video_index, -1);
	free(s);
	/* A broken profile-level-id is malformed. */
	s = offer_with(
	    "a=rtpmap:96 H264/90000\r\n"
	    "a=fmtp:96 packetization-mode=1;profile-level-id=42zz1f\r\n",
	    "");
	ck_assert_int_eq(inspect_str(s, &info, &e), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "profile-level-id"));
	free(s);
	/* Missing profile-level-id means baseline level 1. */
	s = offer_with("a=rtpmap:97 H264/90000\r\n"
	               "a=fmtp:97 packetization-mode=1\r\n",
	               "");
	ck_assert_int_eq(inspect_str(s, &info, &e), 0);
	ck_assert_int_eq(info.h264_pt, 97);
	ck_assert_str_eq(info.h264_profile_level_id, "420010");
	free(s);
}
END_TEST

START_TEST(bad_attributes)
{
	static const struct {
		const char *extra, *msg;
	} cases[] = {
	    {"a=setup:holdconn\r\n", "a=setup"},
	    {"a=ice-pwd:short\r\n", "ice-pwd"},
	    {"a=ice-ufrag:a b\r\n", "ice-ufrag"},
	    {"a=fingerprint:sha-256 zz:11\r\n", "fingerprint"},
	    {"a=rtpmap:300 VP8/90000\r\n", "rtpmap"},
	    {"a=rtpmap:96 VP8\r\n", "rtpmap"},
	    {"a=rtpmap:96 VP8/fast\r\n", "clock"},
	    {"a=fmtp:96 packetization-mode=7\r\n", "packetization-mode"},
	    {"a=mid:0123456789012345678901234567890123456789\r\n", "mid"},
	    {"m=video 9 RTP/AVP\r\n", "no formats"},
	    {"m=Video 9 RTP/AVP 0\r\n", "media kind"},
	    {"m=video 70000 RTP/AVP 0\r\n", "bad port"},
	    {"m=video 9\r\n", "protocol"},
	    {"this is not sdp\r\n", "x=value"},
	    {"v=0\r\n", "repeated"},
	};
	struct sdp_offer_info info;
	struct err_detail e = {0};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s =
		    offer_with("a=rtpmap:96 VP8/90000\r\n", cases[i].extra);
		int rc = inspect_str(s, &info, &e);

		ck_assert_msg(rc == ERR_INVALID, "case %zu: rc %d", i, rc);
		ck_assert_msg(strstr(e.msg, cases[i].msg) != NULL,
		              "case %zu: '%s' lacks '%s'", i, e.msg,
		              cases[i].msg);
		free(s);
	}
}
END_TEST

START_TEST(long_line_and_many_media)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	char *line = malloc(5000);
	char *s, *many = NULL;
	size_t off = 0;

	ck_assert_ptr_nonnull(line);
	memcpy(line, "a=x:", 4);
	memset(line + 4, 'y', 4994);
	memcpy(line + 4998, "\n", 2);
	s = offer_with("", line);
	ck_assert_int_eq(inspect_str(s, &info, &e), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "too long"));
	free(s);
	free(line);

	many = malloc(32 * 64);
	ck_assert_ptr_nonnull(many);
	for (int i = 0; i < SDP_MAX_MEDIA; i++)
		off +=
		    (size_t)snprintf(many + off, 64, "m=audio 9 RTP/AVP 0\r\n");
	s = offer_with("", many);
	ck_assert_int_eq(inspect_str(s, &info, &e), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.msg, "more than"));
	free(s);
	free(many);
}
END_TEST

/* The buffer is not NUL-terminated and every prefix and many single-byte
 * corruptions are inspected: nothing may read past len (ASan watches). */
START_TEST(bounded_reads)
{
	struct sdp_offer_info info;
	struct err_detail e = {0};
	size_t len;
	char *sdp = load("chromium_whep_offer.sdp", &len);
	unsigned seed = 12345;

	for (size_t n = 1; n <= len; n++) {
		char *exact = malloc(n);

		ck_assert_ptr_nonnull(exact);
		memcpy(exact, sdp, n);
		(void)sdp_offer_inspect(exact, n, &info, &e);
		free(exact);
	}
	for (int i = 0; i < 3000; i++) {
		char *exact = malloc(len);
		size_t at;

		ck_assert_ptr_nonnull(exact);
		memcpy(exact, sdp, len);
		seed = seed * 1103515245u + 12345u;
		at = (seed >> 8) % len;
		exact[at] = (char)(seed >> 3);
		(void)sdp_offer_inspect(exact, len, &info, &e);
		free(exact);
	}
	free(sdp);
}
END_TEST

START_TEST(rewrite_host_ip)
{
	const char *ans =
	    "v=0\r\n"
	    "a=candidate:1 1 UDP 2015363327 10.0.0.5 40001 typ host\r\n"
	    "a=candidate:2 1 TCP 1015021823 10.0.0.5 9 typ host tcptype "
	    "active\r\n"
	    "a=candidate:3 1 UDP 1679819007 203.0.113.9 40001 typ srflx "
	    "raddr 10.0.0.5 rport 40001\r\n"
	    "a=candidate:4 1 UDP 2015363327 fd00::5 40002 typ host\r\n"
	    "a=candidate:5 1 UDP 2015363327 10.0.0.6 40003 typ host";
	char *out = NULL;

	ck_assert_int_eq(sdp_rewrite_host_ip(ans, "198.51.100.1", &out), 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(
	    strstr(out, "a=candidate:1 1 UDP 2015363327 198.51.100.1 40001 typ "
	                "host\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "TCP 1015021823 198.51.100.1 9 typ"));
	ck_assert_ptr_nonnull(strstr(out, "203.0.113.9 40001 typ srflx raddr "
	                                  "10.0.0.5"));
	ck_assert_ptr_nonnull(strstr(out, "fd00::5 40002"));
	ck_assert_ptr_nonnull(strstr(out, "198.51.100.1 40003 typ host"));
	ck_assert_ptr_null(strstr(out, "10.0.0.6"));
	free(out);
	ck_assert_int_eq(sdp_rewrite_host_ip(ans, "not-an-ip", &out),
	                 ERR_INVALID);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(sdp_rewrite_host_ip(ans, NULL, &out), ERR_INVALID);
}
END_TEST

START_TEST(drop_mdns_candidates)
{
	size_t len;
	char *sdp = load("chromium_whep_offer.sdp", &len);
	char *out = NULL;
	int removed = -1;
	struct sdp_offer_info info;
	struct err_detail e = {0};

	ck_assert_int_eq(sdp_drop_mdns_candidates(sdp, len, &out, &removed), 0);
	ck_assert_int_eq(removed, 2);
	ck_assert_ptr_null(strstr(out, ".local"));
	/* Everything else is kept byte for byte, and still inspects fine. */
	ck_assert_ptr_nonnull(strstr(out, "a=ice-ufrag:iqe7\r\n"));
	ck_assert_int_eq(sdp_offer_inspect(out, strlen(out), &info, &e), 0);
	ck_assert_int_eq(info.n_candidates, 0);
	free(out);
	/* Raw addresses stay. */
	ck_assert_int_eq(sdp_drop_mdns_candidates(
	                     "a=candidate:1 1 udp 1 192.0.2.2 5000 typ host\r\n"
	                     "a=candidate:2 1 udp 1 abc.local 5000 typ host\n"
	                     "a=candidate:3 1 udp 1 x.localx 5000 typ host",
	                     137, &out, &removed),
	                 0);
	ck_assert_int_eq(removed, 1);
	ck_assert_str_eq(out,
	                 "a=candidate:1 1 udp 1 192.0.2.2 5000 typ host\r\n"
	                 "a=candidate:3 1 udp 1 x.localx 5000 typ host");
	free(out);
	free(sdp);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(sdp_dir_name(SDP_DIR_RECVONLY), "recvonly");
	ck_assert_str_eq(sdp_dir_name((enum sdp_dir)42), "unknown");
	ck_assert_str_eq(sdp_role_name(SDP_ROLE_PUBLISHER), "publisher");
	ck_assert_str_eq(sdp_role_name((enum sdp_role)42), "unknown");
}
END_TEST

static Suite *sdp_suite(void)
{
	Suite *s = suite_create("sdp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, chromium_whep_offer);
	tcase_add_test(tc, firefox_whep_offer);
	tcase_add_test(tc, obs_whip_offer);
	tcase_add_test(tc, vp8_only_offer);
	tcase_add_test(tc, malformed_files);
	tcase_add_test(tc, too_large);
	tcase_add_test(tc, empty_and_binary);
	tcase_add_test(tc, h264_family);
	tcase_add_test(tc, bad_attributes);
	tcase_add_test(tc, long_line_and_many_media);
	tcase_add_test(tc, bounded_reads);
	tcase_add_test(tc, rewrite_host_ip);
	tcase_add_test(tc, drop_mdns_candidates);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sdp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
