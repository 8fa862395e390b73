/* test_srtpx.c — the SRTP transforms of the viewer engine against the RFC
 * known answers (RFC 3711 B.2 key stream and B.3 key derivation, RFC 7714
 * 16.1 and 17.1) and against libsrtp, the reference: for both suites, RTP
 * and RTCP, protected here and unprotected by libsrtp and the other way
 * round, byte for byte, across a sequence number wrap; tampering and
 * replays refused. */
#include "err.h"
#include "srtpx.h"

#include <check.h>
#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		ck_assert(sscanf(h + 2 * i, "%2x", &v) == 1);
		out[i] = (uint8_t)v;
	}
}

/* RFC 3711 B.2: AES-CM key stream for SSRC 0, index 0. */
START_TEST(rfc3711_keystream)
{
	uint8_t key[16], salt[14], auth[20] = {0}, buf[64] = {0}, want[48];
	size_t len = 12 + 48;
	struct srtpx s;

	hex("2B7E151628AED2A6ABF7158809CF4F3C", key, 16);
	hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD", salt, 14);
	hex("E03EAD0935C95E80E166B16DD92B4EB4"
	    "D23513162B02D0F72A43A2FE4A5F97AB"
	    "41E95B3BB0A2E8DD477901E4FCA894C0",
	    want, 48);
	ck_assert_int_eq(srtpx_init_session(&s, SRTPX_AES_CM_128_HMAC_SHA1_80,
	                                    key, salt, auth),
	                 0);
	buf[0] = 0x80; /* V=2, seq 0, SSRC 0, payload of zeros */
	ck_assert_int_eq(srtpx_protect_rtp(&s, buf, &len, sizeof(buf) + 0, 0),
	                 ERR_INVALID); /* no room for the tag */
	{
		uint8_t big[80] = {0x80};

		len = 12 + 48;
		ck_assert_int_eq(
		    srtpx_protect_rtp(&s, big, &len, sizeof(big), 0), 0);
		ck_assert_uint_eq(len, 12 + 48 + 10);
		ck_assert(memcmp(big + 12, want, 48) == 0);
	}
	srtpx_clear(&s);
	srtpx_clear(&s); /* twice is fine */
}
END_TEST

/* RFC 3711 B.3: the session keys derived from a master key and salt. */
START_TEST(rfc3711_derivation)
{
	uint8_t mk[16], ms[14], ck[16], cs[14], ak[20];
	uint8_t a[128] = {0x80, 0x60, 0x12, 0x34, 0, 0, 0, 9, 1, 2, 3, 4};
	uint8_t b[128];
	size_t la = 12 + 40, lb = la;
	struct srtpx master, session;

	hex("E1F97A0D3E018BE0D64FA32C06DE4139", mk, 16);
	hex("0EC675AD498AFEEBB6960B3AABE6", ms, 14);
	hex("C61E7A93744F39EE10734AFE3FF7A087", ck, 16);
	hex("30CBBC08863D8C85D49DB34A9AE1", cs, 14);
	hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", ak, 20);
	for (int i = 12; i < 52; i++)
		a[i] = (uint8_t)i;
	memcpy(b, a, sizeof(b));
	ck_assert_int_eq(
	    srtpx_init(&master, SRTPX_AES_CM_128_HMAC_SHA1_80, mk, ms), 0);
	ck_assert_int_eq(srtpx_init_session(&session,
	                                    SRTPX_AES_CM_128_HMAC_SHA1_80, ck,
	                                    cs, ak),
	                 0);
	ck_assert_int_eq(srtpx_protect_rtp(&master, a, &la, sizeof(a), 5), 0);
	ck_assert_int_eq(srtpx_protect_rtp(&session, b, &lb, sizeof(b), 5), 0);
	ck_assert_uint_eq(la, lb);
	ck_assert(memcmp(a, b, la) == 0);
	srtpx_clear(&master);
	srtpx_clear(&session);
}
END_TEST

static const char RFC7714_KEY[] = "000102030405060708090a0b0c0d0e0f";
static const char RFC7714_SALT[] = "517569642070726f2071756f";

/* RFC 7714 16.1: AEAD_AES_128_GCM RTP. */
START_TEST(rfc7714_rtp)
{
	uint8_t key[16], salt[12], buf[128], plain[50], want[66];
	size_t len = sizeof(plain);
	struct srtpx s;

	hex(RFC7714_KEY, key, 16);
	hex(RFC7714_SALT, salt, 12);
	hex("8040f17b8041f8d35501a0b247616c6c69612065737420"
	    "6f6d6e69732064697669736120696e2070617274657320747265"
	    "73",
	    plain, 50);
	hex("8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd5"
	    "0d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee439"
	    "0cce",
	    want, 66);
	ck_assert_int_eq(
	    srtpx_init_session(&s, SRTPX_AEAD_AES_128_GCM, key, salt, NULL), 0);
	memcpy(buf, plain, len);
	ck_assert_int_eq(srtpx_protect_rtp(&s, buf, &len, sizeof(buf), 0), 0);
	ck_assert_uint_eq(len, 66);
	ck_assert(memcmp(buf, want, 66) == 0);
	ck_assert_int_eq(srtpx_unprotect_rtp(&s, buf, &len, 0), 0);
	ck_assert_uint_eq(len, 50);
	ck_assert(memcmp(buf, plain, 50) == 0);
	/* a changed header byte breaks the tag */
	memcpy(buf, want, 66);
	len = 66;
	buf[3] ^= 0xff;
	ck_assert_int_eq(srtpx_unprotect_rtp(&s, buf, &len, 0), ERR_INVALID);
	srtpx_clear(&s);
}
END_TEST

/* RFC 7714 17.1: AEAD_AES_128_GCM RTCP, SRTCP index 0x5d4, encrypted and
 * authenticated only. */
START_TEST(rfc7714_rtcp)
{
	uint8_t key[16], salt[12], plain[52], want[72], tagged[72], buf[128];
	size_t len = sizeof(plain);
	uint32_t index = 0;
	struct srtpx s;

	hex(RFC7714_KEY, key, 16);
	hex(RFC7714_SALT, salt, 12);
	hex("81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61"
	    "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef",
	    plain, 52);
	hex("81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32d"
	    "c676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf872"
	    "45d9eade800005d4",
	    want, 72);
	memcpy(tagged, plain, 52);
	hex("841dd9683dd78ec92ae58790125f62b3000005d4", tagged + 52, 20);
	ck_assert_int_eq(
	    srtpx_init_session(&s, SRTPX_AEAD_AES_128_GCM, key, salt, NULL), 0);
	memcpy(buf, plain, len);
	ck_assert_int_eq(srtpx_protect_rtcp(&s, buf, &len, sizeof(buf), 0x5d4),
	                 0);
	ck_assert_uint_eq(len, 72);
	ck_assert(memcmp(buf, want, 72) == 0);
	ck_assert_int_eq(srtpx_unprotect_rtcp(&s, buf, &len, &index), 0);
	ck_assert_uint_eq(index, 0x5d4);
	ck_assert_uint_eq(len, 52);
	ck_assert(memcmp(buf, plain, 52) == 0);
	memcpy(buf, tagged, 72);
	len = 72;
	ck_assert_int_eq(srtpx_unprotect_rtcp(&s, buf, &len, &index), 0);
	ck_assert_uint_eq(len, 52);
	ck_assert(memcmp(buf, plain, 52) == 0);
	srtpx_clear(&s);
}
END_TEST

/* ---- against libsrtp ------------------------------------------------- */

static void policy_for(srtp_policy_t *p, enum srtpx_suite suite, uint8_t *key,
                       srtp_ssrc_type_t type)
{
	memset(p, 0, sizeof(*p));
	if (suite == SRTPX_AEAD_AES_128_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
	}
	p->ssrc.type = type;
	p->key = key;
	p->window_size = 1024;
	p->allow_repeat_tx = 1;
}

/* An RTP packet of len bytes (a CSRC and a header extension when odd). */
static size_t rtp_packet(uint8_t *p, uint16_t seq, uint32_t ts, int n)
{
	size_t hl = 12;

	memset(p, 0, 1500);
	p[0] = 0x80;
	p[1] = (uint8_t)(0x66 | (n % 5 == 0 ? 0x80 : 0));
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24);
	p[7] = (uint8_t)ts;
	p[8] = 0xca;
	p[11] = 0xfe;
	if (n & 1) { /* one CSRC and a one-word extension */
		p[0] |= 0x11;
		p[15] = 7;
		p[16] = 0xbe;
		p[17] = 0xde;
		p[19] = 1;
		p[20] = 0x10;
		hl = 24;
	}
	for (int i = 0; i < 100 + n * 37 % 1100; i++)
		p[hl + i] = (uint8_t)(i * 7 + n);
	return hl + 100 + n * 37 % 1100;
}

static void rtp_against_libsrtp(enum srtpx_suite suite)
{
	uint8_t master[30], a[1600], b[1600];
	size_t kl = 16 + srtpx_salt_len(suite);
	srtp_policy_t pol;
	srtp_t tx, rx;
	struct srtpx mine;
	struct srtpx_seq seq = {0}, rseq = {0};

	for (size_t i = 0; i < sizeof(master); i++)
		master[i] = (uint8_t)(i * 13 + 1);
	policy_for(&pol, suite, master, ssrc_any_outbound);
	ck_assert_int_eq(srtp_create(&tx, &pol), srtp_err_status_ok);
	policy_for(&pol, suite, master, ssrc_any_inbound);
	ck_assert_int_eq(srtp_create(&rx, &pol), srtp_err_status_ok);
	ck_assert_int_eq(srtpx_init(&mine, suite, master, master + 16), 0);
	(void)kl;
	/* 65500 .. 65535, then 0 .. 60: the ROC turns over */
	for (int n = 0; n < 96; n++) {
		uint16_t sq = (uint16_t)(65500 + n);
		size_t la = rtp_packet(a, sq, (uint32_t)n * 3000, n);
		size_t lb = la;
		int ilen = (int)la;
		uint32_t roc = srtpx_roc(&seq, sq);

		memcpy(b, a, la);
		ck_assert_int_eq(srtp_protect(tx, a, &ilen),
		                 srtp_err_status_ok);
		ck_assert_int_eq(
		    srtpx_protect_rtp(&mine, b, &lb, sizeof(b), roc), 0);
		ck_assert_uint_eq(lb, (size_t)ilen);
		ck_assert_msg(memcmp(a, b, lb) == 0, "packet %d differs", n);
		/* ours → libsrtp */
		ck_assert_int_eq(srtp_unprotect(rx, b, &ilen),
		                 srtp_err_status_ok);
		/* libsrtp → ours */
		la = lb + 0;
		ck_assert_int_eq(
		    srtpx_unprotect_rtp(&mine, a, &la, srtpx_roc(&rseq, sq)),
		    0);
		ck_assert_uint_eq(la, (size_t)ilen);
		ck_assert(memcmp(a, b, la) == 0);
	}
	ck_assert_uint_eq(seq.roc, 1);
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	srtpx_clear(&mine);
}

START_TEST(rtp_cm_against_libsrtp)
{
	rtp_against_libsrtp(SRTPX_AES_CM_128_HMAC_SHA1_80);
}
END_TEST

START_TEST(rtp_gcm_against_libsrtp)
{
	rtp_against_libsrtp(SRTPX_AEAD_AES_128_GCM);
}
END_TEST

/* A receiver report and a PLI, compound, as a browser sends them. */
static size_t rtcp_packet(uint8_t *p, int n)
{
	static const uint8_t rr[] = {
	    0x81, 0xc9, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0xca, 0x00, 0x00,
	    0xfe, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00,
	    0x00, 0x10, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x01, 0x00, 0x81,
	    0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0xca, 0x00, 0x00, 0xfe,
	};

	memcpy(p, rr, sizeof(rr));
	p[15] = (uint8_t)n;
	return sizeof(rr);
}

static void rtcp_against_libsrtp(enum srtpx_suite suite)
{
	uint8_t master[30], a[256], b[256];
	srtp_policy_t pol;
	srtp_t tx, rx;
	struct srtpx mine;
	struct srtpx_replay win = {0};

	for (size_t i = 0; i < sizeof(master); i++)
		master[i] = (uint8_t)(255 - i * 7);
	policy_for(&pol, suite, master, ssrc_any_outbound);
	ck_assert_int_eq(srtp_create(&tx, &pol), srtp_err_status_ok);
	policy_for(&pol, suite, master, ssrc_any_inbound);
	ck_assert_int_eq(srtp_create(&rx, &pol), srtp_err_status_ok);
	ck_assert_int_eq(srtpx_init(&mine, suite, master, master + 16), 0);
	for (int n = 0; n < 20; n++) {
		size_t la = rtcp_packet(a, n), lb = la;
		int ilen = (int)la;
		uint32_t index = 0;

		memcpy(b, a, la);
		ck_assert_int_eq(srtp_protect_rtcp(tx, a, &ilen),
		                 srtp_err_status_ok);
		/* libsrtp → ours, which learns the index libsrtp used */
		la = (size_t)ilen;
		{
			uint8_t c[256];
			size_t lc = la;

			memcpy(c, a, la);
			ck_assert_int_eq(
			    srtpx_unprotect_rtcp(&mine, c, &lc, &index), 0);
			ck_assert_uint_eq(lc, lb);
			ck_assert(memcmp(c, b, lb) == 0);
			ck_assert(srtpx_replay_check(&win, index));
			ck_assert(!srtpx_replay_check(&win, index));
		}
		/* ours with the same index → the same bytes */
		ck_assert_int_eq(
		    srtpx_protect_rtcp(&mine, b, &lb, sizeof(b), index), 0);
		ck_assert_uint_eq(lb, la);
		ck_assert_msg(memcmp(a, b, lb) == 0, "RTCP %d differs", n);
		ilen = (int)lb;
		ck_assert_int_eq(srtp_unprotect_rtcp(rx, b, &ilen),
		                 srtp_err_status_ok);
		/* tampered: refused */
		a[10] ^= 1;
		la = lb;
		ck_assert_int_eq(srtpx_unprotect_rtcp(&mine, a, &la, &index),
		                 ERR_INVALID);
	}
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	srtpx_clear(&mine);
}

START_TEST(rtcp_cm_against_libsrtp)
{
	rtcp_against_libsrtp(SRTPX_AES_CM_128_HMAC_SHA1_80);
}
END_TEST

START_TEST(rtcp_gcm_against_libsrtp)
{
	rtcp_against_libsrtp(SRTPX_AEAD_AES_128_GCM);
}
END_TEST

START_TEST(roc_and_replay)
{
	struct srtpx_seq st = {0};
	struct srtpx_replay w = {0};

	ck_assert_uint_eq(srtpx_roc(&st, 65534), 0);
	ck_assert_uint_eq(srtpx_roc(&st, 65535), 0);
	ck_assert_uint_eq(srtpx_roc(&st, 1), 1);
	ck_assert_uint_eq(srtpx_roc(&st, 65533), 0); /* late, before wrap */
	ck_assert_uint_eq(srtpx_roc(&st, 2), 1);
	ck_assert_uint_eq(st.roc, 1);
	ck_assert_uint_eq(st.s_l, 2);
	ck_assert(srtpx_replay_check(&w, 100));
	ck_assert(srtpx_replay_check(&w, 99));
	ck_assert(!srtpx_replay_check(&w, 99));
	ck_assert(srtpx_replay_check(&w, 200));
	ck_assert(!srtpx_replay_check(&w, 100)); /* out of the window */
	ck_assert(srtpx_replay_check(&w, 150));
}
END_TEST

START_TEST(malformed_refused)
{
	uint8_t key[16] = {1}, salt[14] = {2}, buf[64] = {0};
	size_t len = 11;
	uint32_t idx;
	struct srtpx s;

	ck_assert_int_eq(srtpx_init(&s, (enum srtpx_suite)3, key, salt),
	                 ERR_INVALID);
	ck_assert_int_eq(
	    srtpx_init(&s, SRTPX_AES_CM_128_HMAC_SHA1_80, key, salt), 0);
	buf[0] = 0x80;
	ck_assert_int_eq(srtpx_protect_rtp(&s, buf, &len, sizeof(buf), 0),
	                 ERR_INVALID); /* shorter than a header */
	len = 20;
	buf[0] = 0x40; /* version 1 */
	ck_assert_int_eq(srtpx_protect_rtp(&s, buf, &len, sizeof(buf), 0),
	                 ERR_INVALID);
	buf[0] = 0x9f; /* 15 CSRCs do not fit */
	ck_assert_int_eq(srtpx_protect_rtp(&s, buf, &len, sizeof(buf), 0),
	                 ERR_INVALID);
	len = 21; /* a tag but nothing to check */
	buf[0] = 0x80;
	ck_assert_int_eq(srtpx_unprotect_rtp(&s, buf, &len, 0), ERR_INVALID);
	len = 15;
	ck_assert_int_eq(srtpx_unprotect_rtcp(&s, buf, &len, &idx),
	                 ERR_INVALID);
	srtpx_clear(&s);
}
END_TEST

static Suite *srtpx_suite(void)
{
	Suite *s = suite_create("srtpx");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rfc3711_keystream);
	tcase_add_test(tc, rfc3711_derivation);
	tcase_add_test(tc, rfc7714_rtp);
	tcase_add_test(tc, rfc7714_rtcp);
	tcase_add_test(tc, rtp_cm_against_libsrtp);
	tcase_add_test(tc, rtp_gcm_against_libsrtp);
	tcase_add_test(tc, rtcp_cm_against_libsrtp);
	tcase_add_test(tc, rtcp_gcm_against_libsrtp);
	tcase_add_test(tc, roc_and_replay);
	tcase_add_test(tc, malformed_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (srtp_init() != srtp_err_status_ok) {
		fprintf(stderr, "libsrtp does not start\n");
		return EXIT_FAILURE;
	}
	sr = srunner_create(srtpx_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	srtp_shutdown();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
