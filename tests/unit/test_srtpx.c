/* test_srtpx.c — the EVP SRTP transforms against the RFC 3711 and RFC 7714
 * test vectors and, byte for byte, against libsrtp (the oracle) for both
 * profiles: RTP across a rollover, RTP with CSRCs and an extension, SRTCP,
 * and each side unprotecting the other's packets. Then the refusals:
 * tampering, replays, short packets, small buffers, wrong direction. */
#include "err.h"
#include "srtpx.h"

#include <check.h>
#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;

	while (*h) {
		if (*h == ' ') {
			h++;
			continue;
		}
		sscanf(h, "%2hhx", &out[n++]);
		h += 2;
	}
	return n;
}

START_TEST(rfc3711_b3_key_derivation)
{
	uint8_t mk[16], ms[14], want[20];
	struct srtpx_keys rtp, rtcp;

	unhex("E1F97A0D3E018BE0D64FA32C06DE4139", mk);
	unhex("0EC675AD498AFEEBB6960B3AABE6", ms);
	ck_assert_int_eq(
	    srtpx_derive(SRTPX_AES128_CM_SHA1_80, mk, ms, &rtp, &rtcp), 0);
	unhex("C61E7A93744F39EE10734AFE3FF7A087", want);
	ck_assert(memcmp(rtp.key, want, 16) == 0);
	unhex("30CBBC08863D8C85D49DB34A9AE1", want);
	ck_assert(memcmp(rtp.salt, want, 14) == 0);
	unhex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", want);
	ck_assert(memcmp(rtp.auth, want, 20) == 0);
	ck_assert_int_eq(srtpx_derive(0x0002, mk, ms, &rtp, &rtcp),
	                 ERR_INVALID);
}
END_TEST

START_TEST(rfc3711_b2_keystream)
{
	struct srtpx_keys k = {0};
	struct srtpx *s;
	uint8_t pkt[12 + 48 + 10] = {0x80}, want[48];

	unhex("2B7E151628AED2A6ABF7158809CF4F3C", k.key);
	unhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD", k.salt);
	unhex("E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F"
	      "97AB41E95B3BB0A2E8DD477901E4FCA894C0",
	      want);
	ck_assert_int_eq(
	    srtpx_new(SRTPX_AES128_CM_SHA1_80, SRTPX_OUT, &k, &k, &s), 0);
	ck_assert_int_eq(srtpx_protect_rtp(s, pkt, 60, sizeof(pkt), 0), 70);
	ck_assert(memcmp(pkt + 12, want, 48) == 0);
	srtpx_free(s);
}
END_TEST

static const char GCM_RTP[] = "8040f17b8041f8d35501a0b247616c6c696120657374"
                              "206f6d6e69732064697669736120696e207061727465"
                              "732074726573";
static const char GCM_SRTP[] =
    "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d29"
    "4e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce";
static const char GCM_RTCP[] = "81c8000d4d6172734e5450314e545032525450200000"
                               "042a0000e9304c756e61deadbeefdeadbeefdeadbeef"
                               "deadbeefdeadbeef";
static const char GCM_SRTCP[] =
    "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676"
    "a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade"
    "800005d4";

START_TEST(rfc7714_gcm_vectors)
{
	struct srtpx_keys k = {0};
	struct srtpx *out, *in;
	uint8_t pkt[128], want[128];
	size_t n, wn;

	unhex("000102030405060708090a0b0c0d0e0f", k.key);
	unhex("517569642070726f2071756f", k.salt);
	ck_assert_int_eq(
	    srtpx_new(SRTPX_AEAD_AES_128_GCM, SRTPX_OUT, &k, &k, &out), 0);
	ck_assert_int_eq(
	    srtpx_new(SRTPX_AEAD_AES_128_GCM, SRTPX_IN, &k, &k, &in), 0);
	n = unhex(GCM_RTP, pkt);
	wn = unhex(GCM_SRTP, want);
	ck_assert_int_eq(srtpx_protect_rtp(out, pkt, n, sizeof(pkt), 0),
	                 (int)wn);
	ck_assert(memcmp(pkt, want, wn) == 0);
	ck_assert_int_eq(srtpx_unprotect_rtp(in, pkt, wn, 0), (int)n);
	unhex(GCM_RTP, want);
	ck_assert(memcmp(pkt, want, n) == 0);

	wn = unhex(GCM_SRTCP, pkt);
	n = unhex(GCM_RTCP, want);
	ck_assert_int_eq(srtpx_unprotect_rtcp(in, pkt, wn), (int)n);
	ck_assert(memcmp(pkt, want, n) == 0);
	/* the same packet again is a replay */
	unhex(GCM_SRTCP, pkt);
	ck_assert_int_eq(srtpx_unprotect_rtcp(in, pkt, wn), ERR_UNAUTHORIZED);
	srtpx_free(out);
	srtpx_free(in);
}
END_TEST

/* libsrtp and srtpx sessions over the same master key. */
struct pair {
	srtp_t lib_out, lib_in;
	struct srtpx *out, *in;
};

static void pair_open(struct pair *p, int profile)
{
	uint8_t master[30];
	size_t sl = srtpx_salt_len(profile);
	srtp_policy_t pol;

	for (size_t i = 0; i < sizeof(master); i++)
		master[i] = (uint8_t)(i * 37 + profile);
	memset(&pol, 0, sizeof(pol));
	if (profile == SRTPX_AEAD_AES_128_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	}
	pol.key = master;
	pol.window_size = 1024;
	pol.allow_repeat_tx = 1;
	pol.ssrc.type = ssrc_any_outbound;
	ck_assert_int_eq(srtp_create(&p->lib_out, &pol), srtp_err_status_ok);
	pol.ssrc.type = ssrc_any_inbound;
	ck_assert_int_eq(srtp_create(&p->lib_in, &pol), srtp_err_status_ok);
	ck_assert_int_eq(
	    srtpx_new_master(profile, SRTPX_OUT, master, master + 16, &p->out),
	    0);
	ck_assert_int_eq(
	    srtpx_new_master(profile, SRTPX_IN, master, master + 16, &p->in),
	    0);
	ck_assert_uint_gt(sl, 0);
}

static void pair_close(struct pair *p)
{
	srtp_dealloc(p->lib_out);
	srtp_dealloc(p->lib_in);
	srtpx_free(p->out);
	srtpx_free(p->in);
}

/* An RTP packet of n bytes: csrc CSRCs, an extension when ext. */
static size_t make_rtp(uint8_t *p, uint16_t seq, size_t n, int csrc, bool ext)
{
	size_t h = 12;

	memset(p, 0, n);
	p[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | csrc);
	p[1] = 102;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	memcpy(p + 4, "\x00\x01\x5f\x90\x12\x34\x56\x78", 8);
	h += 4 * (size_t)csrc;
	if (ext) {
		memcpy(p + h, "\xbe\xde\x00\x01\x10\xff\x00\x00", 8);
		h += 8;
	}
	for (size_t i = h; i < n; i++)
		p[i] = (uint8_t)(i ^ seq);
	return n;
}

static void rtp_matches_libsrtp(int profile)
{
	struct pair p;
	struct srtpx_seq tx = {0}, rx = {0};
	uint8_t a[1600], b[1600], plain[1600];

	pair_open(&p, profile);
	for (uint32_t i = 0; i < 40; i++) {
		uint16_t seq = (uint16_t)(65515 + i); /* wraps at i = 21 */
		size_t n =
		    make_rtp(plain, seq, 40 + (i * 97) % 1160, i % 3, i % 2);
		int la = (int)n, lb;
		uint32_t roc = srtpx_roc_for(&tx, seq);

		srtpx_seq_update(&tx, seq, roc);
		ck_assert_uint_eq(roc, i >= 21 ? 1 : 0);
		memcpy(a, plain, n);
		memcpy(b, plain, n);
		ck_assert_int_eq(srtp_protect(p.lib_out, a, &la),
		                 srtp_err_status_ok);
		lb = srtpx_protect_rtp(p.out, b, n, sizeof(b), roc);
		ck_assert_int_eq(lb, la);
		ck_assert_msg(memcmp(a, b, (size_t)la) == 0, "packet %u", i);
		/* libsrtp reads ours, and we read libsrtp's */
		ck_assert_int_eq(srtp_unprotect(p.lib_in, b, &lb),
		                 srtp_err_status_ok);
		ck_assert_int_eq(lb, (int)n);
		ck_assert(memcmp(b, plain, n) == 0);
		roc = srtpx_roc_for(&rx, seq);
		ck_assert_int_eq(srtpx_unprotect_rtp(p.in, a, (size_t)la, roc),
		                 (int)n);
		srtpx_seq_update(&rx, seq, roc);
		ck_assert(memcmp(a, plain, n) == 0);
	}
	pair_close(&p);
}

START_TEST(rtp_matches_libsrtp_cm)
{
	rtp_matches_libsrtp(SRTPX_AES128_CM_SHA1_80);
}
END_TEST

START_TEST(rtp_matches_libsrtp_gcm)
{
	rtp_matches_libsrtp(SRTPX_AEAD_AES_128_GCM);
}
END_TEST

/* A sender report with one report block, then an SDES with a CNAME. */
static size_t make_rtcp(uint8_t *p, int i)
{
	memset(p, 0, 68);
	memcpy(p, "\x81\xc8\x00\x0c\x12\x34\x56\x78\xe9\x00\x00\x01", 12);
	for (int k = 12; k < 52; k++)
		p[k] = (uint8_t)(k * 3 + i);
	memcpy(p + 52,
	       "\x81\xca\x00\x03\x12\x34\x56\x78\x01\x02"
	       "ab",
	       12);
	return 68;
}

static void rtcp_matches_libsrtp(int profile)
{
	struct pair p;
	uint8_t a[256], b[256], plain[256];

	pair_open(&p, profile);
	for (int i = 0; i < 5; i++) {
		size_t n = make_rtcp(plain, i);
		int la = (int)n, lb;

		memcpy(a, plain, n);
		memcpy(b, plain, n);
		ck_assert_int_eq(srtp_protect_rtcp(p.lib_out, a, &la),
		                 srtp_err_status_ok);
		lb = srtpx_protect_rtcp(p.out, b, n, sizeof(b));
		ck_assert_int_eq(lb, la);
		ck_assert_msg(memcmp(a, b, (size_t)la) == 0, "packet %d", i);
		ck_assert_int_eq(srtp_unprotect_rtcp(p.lib_in, b, &lb),
		                 srtp_err_status_ok);
		ck_assert(lb == (int)n && memcmp(b, plain, n) == 0);
		ck_assert_int_eq(srtpx_unprotect_rtcp(p.in, a, (size_t)la),
		                 (int)n);
		ck_assert(memcmp(a, plain, n) == 0);
	}
	pair_close(&p);
}

START_TEST(rtcp_matches_libsrtp_cm)
{
	rtcp_matches_libsrtp(SRTPX_AES128_CM_SHA1_80);
}
END_TEST

START_TEST(rtcp_matches_libsrtp_gcm)
{
	rtcp_matches_libsrtp(SRTPX_AEAD_AES_128_GCM);
}
END_TEST

static void refusals(int profile)
{
	struct pair p;
	uint8_t pkt[300], keep[300];
	int n, rn;

	pair_open(&p, profile);
	n = srtpx_protect_rtp(p.out, pkt, make_rtp(pkt, 7, 200, 0, false),
	                      sizeof(pkt), 0);
	ck_assert_int_gt(n, 200);
	memcpy(keep, pkt, (size_t)n);
	for (int i = 0; i < n; i += 7) {
		memcpy(pkt, keep, (size_t)n);
		pkt[i] ^= 0x01;
		rn = srtpx_unprotect_rtp(p.in, pkt, (size_t)n, 0);
		ck_assert_msg(rn < 0, "byte %d", i);
	}
	memcpy(pkt, keep, (size_t)n);
	ck_assert_int_eq(srtpx_unprotect_rtp(p.in, pkt, (size_t)n, 1),
	                 ERR_UNAUTHORIZED); /* wrong ROC */
	ck_assert_int_eq(srtpx_unprotect_rtp(p.in, pkt, 12, 0), ERR_INVALID);
	ck_assert_int_eq(srtpx_unprotect_rtp(p.out, pkt, (size_t)n, 0),
	                 ERR_INVALID);
	ck_assert_int_eq(srtpx_protect_rtp(p.out, pkt, 200, 205, 0),
	                 ERR_TOO_LARGE);
	ck_assert_int_eq(srtpx_protect_rtp(p.out, pkt, 11, sizeof(pkt), 0),
	                 ERR_INVALID);
	/* an extension longer than the packet */
	make_rtp(pkt, 8, 40, 0, true);
	pkt[14] = 0xff;
	ck_assert_int_eq(srtpx_protect_rtp(p.out, pkt, 40, sizeof(pkt), 0),
	                 ERR_INVALID);

	n = srtpx_protect_rtcp(p.out, pkt, make_rtcp(pkt, 1), sizeof(pkt));
	memcpy(keep, pkt, (size_t)n);
	pkt[20] ^= 0x80;
	ck_assert_int_eq(srtpx_unprotect_rtcp(p.in, pkt, (size_t)n),
	                 ERR_UNAUTHORIZED);
	memcpy(pkt, keep, (size_t)n);
	ck_assert_int_gt(srtpx_unprotect_rtcp(p.in, pkt, (size_t)n), 0);
	memcpy(pkt, keep, (size_t)n);
	ck_assert_int_eq(srtpx_unprotect_rtcp(p.in, pkt, (size_t)n),
	                 ERR_UNAUTHORIZED); /* replayed */
	ck_assert_int_eq(srtpx_unprotect_rtcp(p.in, pkt, 20), ERR_INVALID);
	pair_close(&p);
}

START_TEST(refusals_cm)
{
	refusals(SRTPX_AES128_CM_SHA1_80);
}
END_TEST

START_TEST(refusals_gcm)
{
	refusals(SRTPX_AEAD_AES_128_GCM);
}
END_TEST

START_TEST(rollover_estimate)
{
	struct srtpx_seq st = {0};

	ck_assert_uint_eq(srtpx_roc_for(&st, 65000), 0);
	srtpx_seq_update(&st, 65000, 0);
	ck_assert_uint_eq(srtpx_roc_for(&st, 10), 1);
	ck_assert_uint_eq(srtpx_roc_for(&st, 64000), 0);
	srtpx_seq_update(&st, 10, 1);
	ck_assert_uint_eq(srtpx_roc_for(&st, 65530), 0); /* late, old */
	ck_assert_uint_eq(srtpx_roc_for(&st, 20), 1);
	srtpx_seq_update(&st, 65530, 0); /* older: no change */
	ck_assert_uint_eq(st.roc, 1);
	ck_assert_uint_eq(st.s_l, 10);
}
END_TEST

static Suite *srtpx_suite(void)
{
	Suite *s = suite_create("srtpx");
	TCase *tc = tcase_create("transforms");

	tcase_add_test(tc, rfc3711_b3_key_derivation);
	tcase_add_test(tc, rfc3711_b2_keystream);
	tcase_add_test(tc, rfc7714_gcm_vectors);
	tcase_add_test(tc, rtp_matches_libsrtp_cm);
	tcase_add_test(tc, rtp_matches_libsrtp_gcm);
	tcase_add_test(tc, rtcp_matches_libsrtp_cm);
	tcase_add_test(tc, rtcp_matches_libsrtp_gcm);
	tcase_add_test(tc, refusals_cm);
	tcase_add_test(tc, refusals_gcm);
	tcase_add_test(tc, rollover_estimate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(srtpx_suite());
	int failed;

	srtp_init();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	srtp_shutdown();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
