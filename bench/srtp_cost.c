/* srtp_cost.c — CPU per protected packet and memory per session: the lite
 * engine's SRTP (media/srtpx.c, OpenSSL EVP) against libsrtp, for both
 * profiles, at 1200 B (video) and 160 B (audio). Each packet is copied
 * into a scratch buffer first, as a fan-out worker does.
 *
 *   gcc -O2 -std=c11 -D_GNU_SOURCE -Iserver -Imedia -o build/srtp_cost \
 *       bench/srtp_cost.c media/srtpx.c \
 *       $(pkg-config --cflags --libs libsrtp2 libcrypto)
 *   build/srtp_cost [sessions] [rounds]
 */
#include "srtpx.h"

#include <malloc.h>
#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void make_rtp(uint8_t *p, size_t n, uint16_t seq)
{
	memset(p, 0xab, n);
	p[0] = 0x80;
	p[1] = 102;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	memcpy(p + 8, "\x12\x34\x56\x78", 4);
}

static void run_srtpx(int profile, int n, int rounds, size_t plen)
{
	struct srtpx **s = calloc((size_t)n, sizeof(*s));
	uint8_t master[30], pkt[1500], out[1600];
	size_t h0 = heap_used();
	double t0;

	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(master); k++)
			master[k] = (uint8_t)(rand());
		if (srtpx_new_master(profile, SRTPX_OUT, master, master + 16,
		                     &s[i]))
			exit(1);
	}
	printf("srtpx %-24s %5zu B/session",
	       profile == 1 ? "AES_CM_HMAC_SHA1_80" : "AEAD_AES_128_GCM",
	       (heap_used() - h0) / (size_t)n);
	t0 = cpu_now();
	for (int r = 0; r < rounds; r++) {
		make_rtp(pkt, plen, (uint16_t)r);
		for (int i = 0; i < n; i++) {
			memcpy(out, pkt, plen);
			if (srtpx_protect_rtp(s[i], out, plen, sizeof(out), 0) <
			    0)
				exit(1);
		}
	}
	printf("  %4zu B: %6.0f ns/packet\n", plen,
	       (cpu_now() - t0) * 1e9 / ((double)n * rounds));
	for (int i = 0; i < n; i++)
		srtpx_free(s[i]);
	free(s);
}

static void run_libsrtp(int profile, int n, int rounds, size_t plen)
{
	srtp_t *s = calloc((size_t)n, sizeof(*s));
	uint8_t master[30], pkt[1500], out[1600];
	size_t h0 = heap_used();
	srtp_policy_t pol;
	double t0;
	int len;

	for (int i = 0; i < n; i++) {
		memset(&pol, 0, sizeof(pol));
		if (profile == SRTPX_AEAD_AES_128_GCM) {
			srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
			srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
		} else {
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(
			    &pol.rtp);
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(
			    &pol.rtcp);
		}
		for (size_t k = 0; k < sizeof(master); k++)
			master[k] = (uint8_t)(rand());
		pol.key = master;
		pol.ssrc.type = ssrc_any_outbound;
		pol.window_size = 1024;
		pol.allow_repeat_tx = 1;
		if (srtp_create(&s[i], &pol) != srtp_err_status_ok)
			exit(1);
	}
	printf("libsrtp %-22s %5zu B/session",
	       profile == 1 ? "AES_CM_HMAC_SHA1_80" : "AEAD_AES_128_GCM",
	       (heap_used() - h0) / (size_t)n);
	t0 = cpu_now();
	for (int r = 0; r < rounds; r++) {
		make_rtp(pkt, plen, (uint16_t)r);
		for (int i = 0; i < n; i++) {
			len = (int)plen;
			memcpy(out, pkt, plen);
			if (srtp_protect(s[i], out, &len) != srtp_err_status_ok)
				exit(1);
		}
	}
	printf("  %4zu B: %6.0f ns/packet\n", plen,
	       (cpu_now() - t0) * 1e9 / ((double)n * rounds));
	for (int i = 0; i < n; i++)
		srtp_dealloc(s[i]);
	free(s);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int rounds = argc > 2 ? atoi(argv[2]) : 100;
	static const int profiles[] = {SRTPX_AES128_CM_SHA1_80,
	                               SRTPX_AEAD_AES_128_GCM};
	static const size_t sizes[] = {1200, 160};

	if (n < 1 || rounds < 1)
		return 2;
	srtp_init();
	printf("%d sessions, %d packets each, CPU time per protect (memcpy "
	       "included)\n",
	       n, rounds);
	for (int p = 0; p < 2; p++)
		for (int z = 0; z < 2; z++) {
			run_srtpx(profiles[p], n, rounds, sizes[z]);
			run_libsrtp(profiles[p], n, rounds / 10 + 1, sizes[z]);
		}
	srtp_shutdown();
	return 0;
}
