/* lite_client.h — a WHEP viewer made of the lite engine's own parts, for
 * the tests: one loopback UDP socket, an ICE controlling agent (stun.h),
 * a DTLS client (dtls.h), SRTP (srtpx.h) and RTCP (rtcp.h). It offers
 * H.264 (pt 102) and Opus (pt 111), bundled, rtcp-mux; it counts what it
 * decrypts by payload type and keeps the last sender report.
 *
 *   struct lite_client *c = lc_new();
 *   media_ceremony_viewer_add(cer, c->offer, ...);   answer -> lc_answer()
 *   lc_run(c, ms) pumps the socket and the default main context.
 */
#ifndef SINIAN_TEST_LITE_CLIENT_H
#define SINIAN_TEST_LITE_CLIENT_H

#include "be.h"
#include "dtls.h"
#include "rtcp.h"
#include "srtpx.h"
#include "stun.h"

#include <arpa/inet.h>
#include <glib.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How a failed step is reported: a Check assertion in tests; a bench
 * defines its own before including this file. */
#ifndef LC_ASSERT
#include <check.h>
#define LC_ASSERT(cond, ...) ck_assert_msg(cond, __VA_ARGS__)
#endif

struct lite_client {
	int fd;
	struct sockaddr_in server;
	char offer[2048];
	char srv_ufrag[64], srv_pwd[128], srv_fp[160];
	struct dtls_ctx *ctx;
	struct dtls_conn *dtls;
	struct srtpx *rx, *tx;
	bool stun_ok;
	unsigned stun_answers;
	unsigned video, audio, bad, srs, keys_first;
	uint32_t last_sr_mid; /* of the last sender report's NTP time */
	int first_video_nal;  /* NAL type of the first video packet */
	uint16_t last_video_seq;
	uint32_t video_ssrc;
	unsigned seen_seq[65536 / 32]; /* video sequence numbers received */
	unsigned repeats;              /* video packets received twice */
	struct srtpx_seq vseq, aseq;   /* rollover tracking */
};

static inline void lc_send(void *user, const uint8_t *buf, size_t len)
{
	struct lite_client *c = user;

	(void)sendto(c->fd, buf, len, 0, (struct sockaddr *)&c->server,
	             sizeof(c->server));
}

static inline int lc_socket(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	LC_ASSERT(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "bind");
	return fd;
}

static inline struct lite_client *lc_new(void)
{
	struct lite_client *c = g_new0(struct lite_client, 1);

	LC_ASSERT(dtls_ctx_new(0, &c->ctx) == 0, "dtls_ctx_new");
	c->fd = lc_socket();
	c->first_video_nal = -1;
	snprintf(c->offer, sizeof(c->offer),
	         "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	         "a=group:BUNDLE 0 1\r\n"
	         "m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\n"
	         "a=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n"
	         "a=ice-ufrag:cliu\r\na=ice-pwd:clientpassword0123456789\r\n"
	         "a=fingerprint:sha-256 %s\r\na=setup:actpass\r\n"
	         "a=rtpmap:102 H264/90000\r\n"
	         "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;"
	         "profile-level-id=42e01f\r\n"
	         "a=rtcp-fb:102 nack\r\na=rtcp-fb:102 nack pli\r\n"
	         "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
	         "a=mid:1\r\na=recvonly\r\na=rtcp-mux\r\n"
	         "a=ice-ufrag:cliu\r\na=ice-pwd:clientpassword0123456789\r\n"
	         "a=fingerprint:sha-256 %s\r\na=setup:actpass\r\n"
	         "a=rtpmap:111 opus/48000/2\r\n",
	         dtls_ctx_fingerprint(c->ctx), dtls_ctx_fingerprint(c->ctx));
	return c;
}

static inline void lc_free(struct lite_client *c)
{
	dtls_conn_free(c->dtls);
	dtls_ctx_free(c->ctx);
	srtpx_free(c->rx);
	srtpx_free(c->tx);
	close(c->fd);
	g_free(c);
}

static inline void lc_attr(const char *sdp, const char *name, char *out,
                           size_t cap)
{
	const char *p = strstr(sdp, name);
	size_t n;

	LC_ASSERT(p != NULL, "answer has no %s", name);
	p += strlen(name);
	n = strcspn(p, "\r\n");
	LC_ASSERT(n < cap, "answer line too long");
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Read the answer: credentials, fingerprint, the first candidate. */
static inline void lc_answer(struct lite_client *c, const char *sdp)
{
	char cand[256], ip[64], fp[200];
	unsigned port = 0;

	lc_attr(sdp, "a=ice-ufrag:", c->srv_ufrag, sizeof(c->srv_ufrag));
	lc_attr(sdp, "a=ice-pwd:", c->srv_pwd, sizeof(c->srv_pwd));
	lc_attr(sdp, "a=fingerprint:", c->srv_fp, sizeof(c->srv_fp));
	lc_attr(sdp, "a=candidate:", cand, sizeof(cand));
	LC_ASSERT(sscanf(cand, "%*s %*s %*s %*s %63s %u", ip, &port) == 2,
	          "bad candidate");
	c->server.sin_family = AF_INET;
	c->server.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &c->server.sin_addr);
	snprintf(fp, sizeof(fp), "%s", c->srv_fp);
	LC_ASSERT(dtls_conn_new(c->ctx, false, fp, lc_send, c, &c->dtls) == 0,
	          "dtls_conn_new");
}

/* A binding request from socket fd (the client's or another), with the
 * server's password, or a wrong one. */
static inline void lc_check(struct lite_client *c, int fd, bool nominate,
                            const char *pwd)
{
	uint8_t buf[256], txid[STUN_TXID_LEN];
	struct stun_builder b;
	char user[160];
	int n;

	for (int i = 0; i < STUN_TXID_LEN; i++)
		txid[i] = (uint8_t)g_random_int();
	snprintf(user, sizeof(user), "%s:cliu", c->srv_ufrag);
	stun_begin(&b, buf, sizeof(buf), STUN_BINDING, STUN_REQUEST, txid);
	stun_add_username(&b, user);
	stun_add_priority(&b, 1845501695);
	stun_add_role(&b, true, 42);
	if (nominate)
		stun_add_use_candidate(&b);
	n = stun_finish(&b, pwd ? pwd : c->srv_pwd,
	                strlen(pwd ? pwd : c->srv_pwd), true);
	LC_ASSERT(n > 0, "cannot build");
	(void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&c->server,
	             sizeof(c->server));
}

static inline void lc_keys(struct lite_client *c)
{
	struct dtls_srtp_keys k;

	if (c->rx || dtls_conn_keys(c->dtls, &k) != 0)
		return;
	LC_ASSERT(srtpx_new_master(k.profile, SRTPX_IN, k.remote_key,
	                           k.remote_salt, &c->rx) == 0,
	          "srtpx_new_master");
	LC_ASSERT(srtpx_new_master(k.profile, SRTPX_OUT, k.local_key,
	                           k.local_salt, &c->tx) == 0,
	          "srtpx_new_master");
}

static inline void lc_media(struct lite_client *c, uint8_t *buf, size_t len)
{
	struct srtpx_seq *st;
	uint32_t roc;
	int n;

	if (buf[1] >= 192 && buf[1] <= 223) { /* RTCP */
		struct rtcp_info in;

		n = srtpx_unprotect_rtcp(c->rx, buf, len);
		if (n > 0 && rtcp_parse(buf, (size_t)n, &in) == 0 &&
		    in.has_sr) {
			c->srs++;
			c->last_sr_mid = rtcp_ntp_mid(in.sr_ntp);
		}
		return;
	}
	st = (buf[1] & 0x7f) == 102 ? &c->vseq : &c->aseq;
	roc = srtpx_roc_for(st, be_rd16(buf + 2));
	n = srtpx_unprotect_rtp(c->rx, buf, len, roc);
	if (n < 0) {
		c->bad++;
		return;
	}
	srtpx_seq_update(st, be_rd16(buf + 2), roc);
	if ((buf[1] & 0x7f) == 102) {
		uint16_t seq = be_rd16(buf + 2);

		if (c->first_video_nal < 0)
			c->first_video_nal = buf[12] & 0x1f;
		if (c->seen_seq[seq / 32] & (1u << (seq % 32)))
			c->repeats++;
		c->seen_seq[seq / 32] |= 1u << (seq % 32);
		c->last_video_seq = seq;
		c->video_ssrc = be_rd32(buf + 8);
		c->video++;
	} else if ((buf[1] & 0x7f) == 111) {
		c->audio++;
	}
}

/* Read every datagram waiting on fd. */
static inline void lc_read(struct lite_client *c, int fd)
{
	uint8_t buf[2048];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		struct stun_msg m;

		if (buf[0] < 4 && stun_parse(buf, (size_t)n, &m) == 0) {
			c->stun_answers++;
			c->stun_ok =
			    m.cls == STUN_SUCCESS &&
			    stun_check_integrity(&m, c->srv_pwd,
			                         strlen(c->srv_pwd)) == 0;
		} else if (buf[0] >= 20 && buf[0] <= 63) {
			dtls_conn_input(c->dtls, buf, (size_t)n);
			lc_keys(c);
		} else if (buf[0] >= 128 && buf[0] <= 191 && c->rx) {
			lc_media(c, buf, (size_t)n);
		}
	}
}

/* Pump the socket(s), DTLS timers and the main context for ms. */
static inline void lc_run_fd(struct lite_client *c, int fd, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end) {
		struct pollfd p = {fd, POLLIN, 0};

		while (g_main_context_iteration(NULL, FALSE))
			;
		if (c->dtls)
			dtls_conn_tick(c->dtls, g_get_monotonic_time());
		if (poll(&p, 1, 5) > 0)
			lc_read(c, fd);
	}
}

static inline void lc_run(struct lite_client *c, int ms)
{
	lc_run_fd(c, c->fd, ms);
}

/* Send one compound RTCP packet built by the caller, protected. */
static inline void lc_rtcp(struct lite_client *c, uint8_t *buf, size_t len)
{
	int n = srtpx_protect_rtcp(c->tx, buf, len, 1500);

	LC_ASSERT(n > 0, "cannot build");
	lc_send(c, buf, (size_t)n);
}

#endif
