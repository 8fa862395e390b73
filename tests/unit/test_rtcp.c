/* test_rtcp.c — compound RTCP as a browser sends it (RR + SDES, NACK,
 * PLI, FIR, BYE) read back, sender reports, NTP time, bounded lists, and
 * malformed packets refused. */
#include "err.h"
#include "rtcp.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(compound_from_a_viewer)
{
	uint8_t buf[512];
	struct rtcp_report_block rb = {.ssrc = 0x11223344,
	                               .fraction_lost = 12,
	                               .cumulative_lost = -3,
	                               .highest_seq = 0x0001fff0,
	                               .jitter = 90,
	                               .lsr = 0xabcd1234,
	                               .dlsr = 0x00008000};
	struct rtcp_nack nk[2] = {{0x11223344, 100, 0x8001},
	                          {0x11223344, 200, 0}};
	struct rtcp_info in;
	size_t n = 0;

	n += (size_t)rtcp_build_rr(buf + n, sizeof(buf) - n, 0xfeed, &rb, 1);
	n += (size_t)rtcp_build_sdes(buf + n, sizeof(buf) - n, 0xfeed,
	                             "viewer-cname");
	n += (size_t)rtcp_build_nack(buf + n, sizeof(buf) - n, 0xfeed, nk, 2);
	n += (size_t)rtcp_build_pli(buf + n, sizeof(buf) - n, 0xfeed,
	                            0x11223344);
	n += (size_t)rtcp_build_bye(buf + n, sizeof(buf) - n, 0xfeed);
	ck_assert_int_eq(rtcp_parse(buf, n, &in), 0);
	ck_assert_uint_eq(in.sender_ssrc, 0xfeed);
	ck_assert(!in.has_sr);
	ck_assert_uint_eq(in.n_reports, 1);
	/* field by field: the struct's padding is not compared */
	ck_assert_uint_eq(in.reports[0].ssrc, rb.ssrc);
	ck_assert_uint_eq(in.reports[0].fraction_lost, rb.fraction_lost);
	ck_assert_int_eq(in.reports[0].cumulative_lost, rb.cumulative_lost);
	ck_assert_uint_eq(in.reports[0].highest_seq, rb.highest_seq);
	ck_assert_uint_eq(in.reports[0].jitter, rb.jitter);
	ck_assert_uint_eq(in.reports[0].lsr, rb.lsr);
	ck_assert_uint_eq(in.reports[0].dlsr, rb.dlsr);
	ck_assert_uint_eq(in.n_nacks, 2);
	ck_assert_uint_eq(in.nacks[0].pid, 100);
	ck_assert_uint_eq(in.nacks[0].blp, 0x8001);
	ck_assert_uint_eq(in.nacks[1].media_ssrc, 0x11223344);
	ck_assert(in.pli && !in.fir && in.bye);
	ck_assert_uint_eq(in.keyframe_ssrc, 0x11223344);
	ck_assert_uint_eq(in.dropped, 0);
}
END_TEST

START_TEST(sender_report_and_fir)
{
	static const uint8_t fir[] = {0x84, 0xce, 0x00, 0x04, 0, 0, 0, 1, 0, 0,
	                              0,    0,    0,    0,    0, 9, 5, 0, 0, 0};
	uint8_t buf[128];
	uint64_t ntp = rtcp_ntp_from_us(1700000000500000);
	struct rtcp_info in;
	int n = rtcp_build_sr(buf, sizeof(buf), 42, ntp, 90000, 7, 7000);

	ck_assert_int_eq(n, 28);
	memcpy(buf + n, fir, sizeof(fir));
	ck_assert_int_eq(rtcp_parse(buf, (size_t)n + sizeof(fir), &in), 0);
	ck_assert(in.has_sr);
	ck_assert(in.sr_ntp == ntp);
	ck_assert_uint_eq(in.sr_rtp_ts, 90000);
	ck_assert(in.fir && !in.pli);
	ck_assert_uint_eq(in.keyframe_ssrc, 9);
	/* 1700000000.5 s since 1970: half a second in the fraction */
	ck_assert_uint_eq(ntp >> 32, 1700000000ull + 2208988800ull);
	ck_assert_uint_eq((uint32_t)ntp, 0x80000000u);
	ck_assert_uint_eq(rtcp_ntp_mid(ntp), (uint32_t)(ntp >> 16));
}
END_TEST

START_TEST(nack_items_expand)
{
	struct rtcp_nack n = {0, 65534, 0x0005};
	uint16_t seqs[17];

	ck_assert_uint_eq(rtcp_nack_seqs(&n, seqs), 3);
	ck_assert_uint_eq(seqs[0], 65534);
	ck_assert_uint_eq(seqs[1], 65535);
	ck_assert_uint_eq(seqs[2], 1); /* pid + 3, wrapped */
	n.blp = 0xffff;
	ck_assert_uint_eq(rtcp_nack_seqs(&n, seqs), 17);
}
END_TEST

START_TEST(lists_are_bounded)
{
	uint8_t buf[1024];
	struct rtcp_nack nk[RTCP_MAX_NACKS];
	struct rtcp_info in;
	size_t n = 0;

	memset(nk, 0, sizeof(nk));
	for (int i = 0; i < 2; i++)
		n += (size_t)rtcp_build_nack(buf + n, sizeof(buf) - n, 1, nk,
		                             RTCP_MAX_NACKS);
	ck_assert_int_eq(rtcp_parse(buf, n, &in), 0);
	ck_assert_uint_eq(in.n_nacks, RTCP_MAX_NACKS);
	ck_assert_uint_eq(in.dropped, RTCP_MAX_NACKS);
	ck_assert_int_eq(rtcp_build_nack(buf, sizeof(buf), 1, nk, 0),
	                 ERR_TOO_LARGE);
	ck_assert_int_eq(rtcp_build_sr(buf, 27, 1, 0, 0, 0, 0), ERR_TOO_LARGE);
	ck_assert_int_eq(rtcp_build_sdes(buf, 12, 1, "long enough"),
	                 ERR_TOO_LARGE);
}
END_TEST

START_TEST(malformed_refused)
{
	uint8_t buf[64];
	struct rtcp_info in;
	int n = rtcp_build_pli(buf, sizeof(buf), 1, 2);

	ck_assert_int_eq(rtcp_parse(buf, (size_t)n - 1, &in), ERR_INVALID);
	ck_assert_int_eq(rtcp_parse(buf, 4, &in), ERR_INVALID);
	buf[3] = 9; /* length past the end */
	ck_assert_int_eq(rtcp_parse(buf, (size_t)n, &in), ERR_INVALID);
	n = rtcp_build_pli(buf, sizeof(buf), 1, 2);
	buf[0] = 0x41; /* version 1 */
	ck_assert_int_eq(rtcp_parse(buf, (size_t)n, &in), ERR_INVALID);
	n = rtcp_build_pli(buf, sizeof(buf), 1, 2);
	buf[1] = 96; /* an RTP payload type, not RTCP */
	ck_assert_int_eq(rtcp_parse(buf, (size_t)n, &in), ERR_INVALID);
	/* an RR announcing more blocks than it carries: the ones present */
	n = rtcp_build_rr(buf, sizeof(buf), 1, NULL, 0);
	buf[0] |= 5;
	ck_assert_int_eq(rtcp_parse(buf, (size_t)n, &in), 0);
	ck_assert_uint_eq(in.n_reports, 0);
}
END_TEST

static Suite *rtcp_suite(void)
{
	Suite *s = suite_create("rtcp");
	TCase *tc = tcase_create("packets");

	tcase_add_test(tc, compound_from_a_viewer);
	tcase_add_test(tc, sender_report_and_fir);
	tcase_add_test(tc, nack_items_expand);
	tcase_add_test(tc, lists_are_bounded);
	tcase_add_test(tc, malformed_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rtcp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
