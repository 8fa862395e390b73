/* test_rtcp.c — a viewer's compound RTCP read as it says (receiver
 * reports, generic NACKs with their bitmask, PLI, FIR, BYE), malformed
 * packets refused, and the sender reports we write read back. */
#include "err.h"
#include "rtcp.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* RR with one block on 0xcafe0001 (lost 3, fraction 64, jitter 0x11,
 * LSR/DLSR), an SDES, a REMB, a NACK for 1000, 1002 and 1016, a PLI. */
static const uint8_t compound[] = {
    /* RR */
    0x81,
    0xc9,
    0x00,
    0x07,
    0x00,
    0x00,
    0x00,
    0x01,
    0xca,
    0xfe,
    0x00,
    0x01,
    0x40,
    0x00,
    0x00,
    0x03,
    0x00,
    0x01,
    0x03,
    0xe8,
    0x00,
    0x00,
    0x00,
    0x11,
    0x12,
    0x34,
    0x56,
    0x78,
    0x00,
    0x00,
    0x10,
    0x00,
    /* SDES, CNAME "ab" */
    0x81,
    0xca,
    0x00,
    0x02,
    0x00,
    0x00,
    0x00,
    0x01,
    0x01,
    0x02,
    0x61,
    0x62,
    /* REMB (PSFB fmt 15): skipped */
    0x8f,
    0xce,
    0x00,
    0x05,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    0x00,
    0x00,
    0x00,
    0x52,
    0x45,
    0x4d,
    0x42,
    0x01,
    0x0a,
    0x00,
    0x00,
    0xca,
    0xfe,
    0x00,
    0x01,
    /* NACK: PID 1000, BLP bits 1 and 15 (1002, 1016) */
    0x81,
    0xcd,
    0x00,
    0x03,
    0x00,
    0x00,
    0x00,
    0x01,
    0xca,
    0xfe,
    0x00,
    0x01,
    0x03,
    0xe8,
    0x80,
    0x02,
    /* PLI */
    0x81,
    0xce,
    0x00,
    0x02,
    0x00,
    0x00,
    0x00,
    0x01,
    0xca,
    0xfe,
    0x00,
    0x01,
};

START_TEST(browser_compound)
{
	struct rtcp_info in;

	ck_assert_int_eq(rtcp_parse(compound, sizeof(compound), &in), 0);
	ck_assert_uint_eq(in.sender_ssrc, 1);
	ck_assert_int_eq(in.n_reports, 1);
	ck_assert_uint_eq(in.reports[0].ssrc, 0xcafe0001);
	ck_assert_uint_eq(in.reports[0].fraction_lost, 64);
	ck_assert_int_eq(in.reports[0].cumulative_lost, 3);
	ck_assert_uint_eq(in.reports[0].highest_seq, 0x103e8);
	ck_assert_uint_eq(in.reports[0].jitter, 0x11);
	ck_assert_uint_eq(in.reports[0].lsr, 0x12345678);
	ck_assert_uint_eq(in.reports[0].dlsr, 0x1000);
	ck_assert_int_eq(in.n_nacks, 3);
	ck_assert_uint_eq(in.nacks[0].seq, 1000);
	ck_assert_uint_eq(in.nacks[1].seq, 1002);
	ck_assert_uint_eq(in.nacks[2].seq, 1016);
	ck_assert_uint_eq(in.nacks[2].ssrc, 0xcafe0001);
	ck_assert(in.pli && !in.fir && !in.bye);
	ck_assert_uint_eq(in.keyframe_ssrc, 0xcafe0001);
}
END_TEST

START_TEST(fir_bye_and_negative_loss)
{
	static const uint8_t p[] = {
	    /* RR, cumulative lost -2 (duplicates) */
	    0x81,
	    0xc9,
	    0x00,
	    0x07,
	    0x00,
	    0x00,
	    0x00,
	    0x09,
	    0xca,
	    0xfe,
	    0x00,
	    0x02,
	    0x00,
	    0xff,
	    0xff,
	    0xfe,
	    0x00,
	    0x00,
	    0x00,
	    0x10,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    /* FIR for 0xcafe0002 */
	    0x84,
	    0xce,
	    0x00,
	    0x04,
	    0x00,
	    0x00,
	    0x00,
	    0x09,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0xca,
	    0xfe,
	    0x00,
	    0x02,
	    0x05,
	    0x00,
	    0x00,
	    0x00,
	    /* BYE */
	    0x81,
	    0xcb,
	    0x00,
	    0x01,
	    0x00,
	    0x00,
	    0x00,
	    0x09,
	};
	struct rtcp_info in;

	ck_assert_int_eq(rtcp_parse(p, sizeof(p), &in), 0);
	ck_assert_int_eq(in.reports[0].cumulative_lost, -2);
	ck_assert(in.fir && !in.pli && in.bye);
	ck_assert_uint_eq(in.keyframe_ssrc, 0xcafe0002);
}
END_TEST

START_TEST(nacks_are_capped)
{
	uint8_t p[12 + 4 * 20];
	struct rtcp_info in;

	memset(p, 0, sizeof(p));
	p[0] = 0x81;
	p[1] = RTCP_RTPFB;
	p[3] = (uint8_t)(sizeof(p) / 4 - 1);
	for (int i = 0; i < 20; i++) {
		p[12 + 4 * i] = (uint8_t)i;
		p[14 + 4 * i] = 0xff; /* 16 more each: 17 per entry */
		p[15 + 4 * i] = 0xff;
	}
	ck_assert_int_eq(rtcp_parse(p, sizeof(p), &in), 0);
	ck_assert_int_eq(in.n_nacks, RTCP_MAX_NACKS);
}
END_TEST

START_TEST(malformed_refused)
{
	uint8_t p[sizeof(compound)];
	struct rtcp_info in;

	ck_assert_int_eq(rtcp_parse(compound, 3, &in), ERR_INVALID);
	/* a length running past the end */
	memcpy(p, compound, sizeof(p));
	p[3] = 0x40;
	ck_assert_int_eq(rtcp_parse(p, sizeof(p), &in), ERR_INVALID);
	/* version 1 */
	memcpy(p, compound, sizeof(p));
	p[32] = 0x41;
	ck_assert_int_eq(rtcp_parse(p, sizeof(p), &in), ERR_INVALID);
	/* an RR claiming more blocks than it holds */
	memcpy(p, compound, sizeof(p));
	p[0] = 0x83;
	ck_assert_int_eq(rtcp_parse(p, sizeof(p), &in), ERR_INVALID);
	/* a trailing partial header */
	ck_assert_int_eq(rtcp_parse(compound, 34, &in), ERR_INVALID);
}
END_TEST

START_TEST(sender_report)
{
	uint8_t buf[128];
	struct rtcp_info in;
	size_t n;

	ck_assert_uint_eq(rtcp_ntp(0), 2208988800ull << 32);
	ck_assert_uint_eq(rtcp_ntp(1500000) & 0xffffffffull, 0x80000000ull);
	n = rtcp_build_sr(buf, sizeof(buf), 0xcafe0001,
	                  rtcp_ntp(1764000000000000ll), 90000, 12, 34567,
	                  "sinian");
	ck_assert_uint_eq(n % 4, 0);
	ck_assert_uint_eq(n, 28 + 20);
	ck_assert_int_eq(rtcp_parse(buf, n, &in), 0);
	ck_assert_uint_eq(in.sender_ssrc, 0xcafe0001);
	ck_assert_uint_eq(
	    buf[20] << 24 | buf[21] << 16 | buf[22] << 8 | buf[23], 12);
	ck_assert(memcmp(buf + 38, "sinian", 6) == 0);
	ck_assert_uint_eq(rtcp_build_sr(buf, 40, 1, 0, 0, 0, 0, "sinian"), 0);
}
END_TEST

static Suite *rtcp_suite(void)
{
	Suite *s = suite_create("rtcp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, browser_compound);
	tcase_add_test(tc, fir_bye_and_negative_loss);
	tcase_add_test(tc, nacks_are_capped);
	tcase_add_test(tc, malformed_refused);
	tcase_add_test(tc, sender_report);
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
