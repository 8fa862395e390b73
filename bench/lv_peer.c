/* lv_peer.c — one viewer of the load client, from ICE to counted RTP.
 *
 * Owns: the viewer's socket, its ICE agent, its DTLS handshake (freed once
 * the keys are out), its SRTP contexts and its stream counters. Must
 * never: block, allocate per packet, or count a packet whose
 * authentication failed. Called by lviewers.c (making, describing, reading
 * and freeing) and lv_loop.c (everything after lv_loop_add).
 *
 * Datagrams are told apart by their first byte (RFC 7983): STUN 0-3,
 * DTLS 20-63, RTP and RTCP 128-191 (RTCP: second byte 192-223). Every
 * packet is counted from its header, which SRTP leaves in clear; the
 * payload is decrypted (and so authenticated) for every video packet until
 * the first complete key frame, then for one packet in verify_every.
 */
#include "lv_peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DTLS_LIMIT_US 15000000
#define RR_EVERY_US   1000000
#define RCVBUF_BYTES  (1 << 20)
#define ICE_ALNUM                                                              \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

struct lv_peer {
	int fd;
	struct sockaddr_in local;
	char ufrag[9], pwd[25], cname[17];
	uint32_t ssrc;
	struct lv_peer_opts o;
	struct lv_sdp_remote remote;
	bool offerer, dtls_client;
	struct lv_ice ice;
	struct lv_dtls *dtls;
	struct sockaddr_in media_addr; /* where DTLS and RTCP go */
	bool have_media_addr;
	int64_t dtls_start_us, next_rr_us;
	struct lv_srtp srtp;
	struct lv_stream st[2];
	struct lv_keyframe kf;
	int64_t join_start_us;
	unsigned verify_n;
	char why[128];
	/* read by other threads */
	_Atomic int state;
	_Atomic int64_t join_us;
	_Atomic uint64_t verified, auth_failed;
};

static void random_text(char *out, size_t n)
{
	uint8_t r[32];

	if (RAND_bytes(r, (int)n) != 1)
		memset(r, 7, n);
	for (size_t i = 0; i < n; i++)
		out[i] = ICE_ALNUM[r[i] % (sizeof(ICE_ALNUM) - 1)];
	out[n] = 0;
}

static int open_socket(struct lv_peer *p, char *err, size_t errlen)
{
	socklen_t alen = sizeof(p->local);
	int rcv = RCVBUF_BYTES;

	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	p->local.sin_family = AF_INET;
	p->local.sin_addr = p->o.ip;
	if (bind(p->fd, (struct sockaddr *)&p->local, sizeof(p->local)) ||
	    getsockname(p->fd, (struct sockaddr *)&p->local, &alen)) {
		snprintf(err, errlen, "bind: %s", strerror(errno));
		return -1;
	}
	return 0;
}

struct lv_peer *lv_peer_new(const struct lv_peer_opts *o, char *err,
                            size_t errlen)
{
	struct lv_peer *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->fd = -1;
	p->o = *o;
	if (!p->o.verify_every)
		p->o.verify_every = 1;
	if (open_socket(p, err, errlen)) {
		lv_peer_free(p);
		return NULL;
	}
	random_text(p->ufrag, 8);
	random_text(p->pwd, 24);
	random_text(p->cname, 16);
	if (RAND_bytes((uint8_t *)&p->ssrc, sizeof(p->ssrc)) != 1)
		p->ssrc = (uint32_t)p->local.sin_port * 2654435761u;
	lv_stream_init(&p->st[LV_VIDEO], 90000);
	lv_stream_init(&p->st[LV_AUDIO], 48000);
	atomic_init(&p->state, LV_PEER_NEW);
	return p;
}

void lv_peer_free(struct lv_peer *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	lv_dtls_free(p->dtls);
	lv_srtp_stop(&p->srtp);
	free(p);
}

int lv_peer_fd(const struct lv_peer *p)
{
	return p->fd;
}

void lv_peer_local(const struct lv_peer *p, struct lv_sdp_local *out)
{
	out->ufrag = p->ufrag;
	out->pwd = p->pwd;
	out->fingerprint = lv_dtls_ctx_fingerprint(p->o.dtls);
	out->addr = p->local;
	out->session_id = ((uint64_t)p->ssrc << 16) | ntohs(p->local.sin_port);
}

void lv_peer_set_remote(struct lv_peer *p, const struct lv_sdp_remote *r,
                        bool offerer)
{
	p->remote = *r;
	p->offerer = offerer;
	/* the answerer picks the DTLS role: an answer saying active makes
	 * the server the client; this client always answers active */
	p->dtls_client = !offerer || strcmp(r->setup, "active");
}

void lv_peer_set_join_start(struct lv_peer *p, int64_t us)
{
	p->join_start_us = us;
}

static void fail(struct lv_peer *p, const char *fmt, const char *what)
{
	snprintf(p->why, sizeof(p->why), fmt, what);
	atomic_store(&p->state, LV_PEER_FAILED);
}

static enum lv_peer_state state_of(struct lv_peer *p)
{
	return (enum lv_peer_state)atomic_load_explicit(&p->state,
	                                                memory_order_relaxed);
}

static void ice_send(void *user, const struct sockaddr_in *to,
                     const uint8_t *buf, size_t len)
{
	struct lv_peer *p = user;

	(void)!sendto(p->fd, buf, len, 0, (const struct sockaddr *)to,
	              sizeof(*to));
}

static void media_send(void *user, const uint8_t *buf, size_t len)
{
	struct lv_peer *p = user;

	if (p->have_media_addr)
		ice_send(p, &p->media_addr, buf, len);
}

void lv_peer_begin(struct lv_peer *p, int64_t now)
{
	/* facing an ICE-lite server, a full agent controls */
	lv_ice_init(&p->ice, p->ufrag, p->pwd, &p->remote,
	            p->offerer || p->remote.ice_lite, now);
	p->dtls = lv_dtls_new(p->o.dtls, p->dtls_client, p->remote.fp);
	if (!p->dtls) {
		fail(p, "%s", "DTLS: cannot make an SSL");
		return;
	}
	atomic_store(&p->state, LV_PEER_ICE);
	lv_ice_tick(&p->ice, now, ice_send, p);
}

static void start_dtls(struct lv_peer *p, int64_t now)
{
	if (!p->have_media_addr) {
		p->media_addr = p->ice.selected;
		p->have_media_addr = true;
	}
	p->dtls_start_us = now;
	atomic_store(&p->state, LV_PEER_DTLS);
	if (p->dtls_client &&
	    lv_dtls_start(p->dtls, media_send, p) == LV_DTLS_FAILED)
		fail(p, "DTLS: %s", lv_dtls_error(p->dtls));
}

static void dtls_done(struct lv_peer *p, int64_t now)
{
	struct lv_srtp_keys k;
	int rc = lv_dtls_srtp(p->dtls, &k) || lv_srtp_start(&p->srtp, &k);

	memset(&k, 0, sizeof(k));
	if (rc) {
		fail(p, "%s", "DTLS: no SRTP keys");
		return;
	}
	/* the keys are out; the SSL's 60 KB are not needed any more */
	lv_dtls_free(p->dtls);
	p->dtls = NULL;
	p->next_rr_us = now + RR_EVERY_US / 2;
	atomic_store(&p->state, LV_PEER_MEDIA);
}

static void on_dtls(struct lv_peer *p, const uint8_t *buf, size_t len,
                    const struct sockaddr_in *from, int64_t now)
{
	enum lv_dtls_result r;

	if (!p->dtls)
		return; /* a retransmission after the keys: nothing to say */
	if (state_of(p) == LV_PEER_ICE) {
		/* the server's ClientHello may come before its check's answer
		 * has reached this agent */
		p->media_addr = *from;
		p->have_media_addr = true;
		start_dtls(p, now);
	}
	r = lv_dtls_input(p->dtls, buf, len, media_send, p);
	if (r == LV_DTLS_FAILED)
		fail(p, "DTLS: %s", lv_dtls_error(p->dtls));
	else if (r == LV_DTLS_DONE)
		dtls_done(p, now);
}

struct sr_ctx {
	struct lv_peer *p;
	int64_t now;
};

static void on_sr(void *user, uint32_t ssrc, uint64_t ntp)
{
	struct sr_ctx *c = user;

	for (int k = 0; k < 2; k++)
		lv_stream_sr(&c->p->st[k], ssrc, ntp, c->now);
}

static void on_rtcp(struct lv_peer *p, uint8_t *buf, size_t len, int64_t now)
{
	struct sr_ctx c = {p, now};
	size_t n = len;

	if (!lv_srtp_unprotect_rtcp(&p->srtp, buf, &n))
		lv_rtcp_each_sr(buf, n, on_sr, &c);
}

static int kind_of(const struct lv_peer *p, uint8_t pt)
{
	if (pt == p->remote.video_pt)
		return LV_VIDEO;
	if (pt == p->remote.audio_pt)
		return LV_AUDIO;
	return -1;
}

/* Decrypt (and so authenticate) one packet; false if it failed. */
static bool verify(struct lv_peer *p, int k, uint8_t *buf, size_t len,
                   int64_t now)
{
	struct lv_rtp_hdr h;
	size_t n = len;

	if (lv_srtp_unprotect_rtp(&p->srtp, buf, &n)) {
		atomic_fetch_add_explicit(&p->auth_failed, 1,
		                          memory_order_relaxed);
		return false;
	}
	atomic_fetch_add_explicit(&p->verified, 1, memory_order_relaxed);
	if (k == LV_VIDEO && !p->kf.done && !lv_rtp_parse(buf, n, &h) &&
	    lv_keyframe_feed(&p->kf, &h, buf + h.payload_off))
		atomic_store(&p->join_us, now - p->join_start_us);
	return true;
}

static void on_rtp(struct lv_peer *p, uint8_t *buf, size_t len, int64_t now)
{
	struct lv_rtp_hdr h;
	int k;

	if (lv_rtp_parse(buf, len, &h) || (k = kind_of(p, h.pt)) < 0)
		return;
	if ((k == LV_VIDEO && !p->kf.done) ||
	    ++p->verify_n % p->o.verify_every == 0)
		if (!verify(p, k, buf, len, now))
			return;
	lv_stream_count(&p->st[k], &h, now);
}

void lv_peer_input(struct lv_peer *p, uint8_t *buf, size_t len,
                   const struct sockaddr_in *from, int64_t now)
{
	enum lv_peer_state s = state_of(p);

	if (!len || s == LV_PEER_NEW || s == LV_PEER_FAILED)
		return;
	if (buf[0] <= 3) {
		lv_ice_input(&p->ice, buf, len, from, now, ice_send, p);
		if (s == LV_PEER_ICE && p->ice.state == LV_ICE_CONNECTED)
			start_dtls(p, now);
	} else if (buf[0] >= 20 && buf[0] <= 63) {
		on_dtls(p, buf, len, from, now);
	} else if (buf[0] >= 128 && buf[0] <= 191 && s == LV_PEER_MEDIA) {
		if (len >= 2 && buf[1] >= 192 && buf[1] <= 223)
			on_rtcp(p, buf, len, now);
		else
			on_rtp(p, buf, len, now);
	}
}

static void send_rr(struct lv_peer *p, int64_t now)
{
	uint8_t buf[256 + LV_SRTP_ROOM];
	struct lv_stream *st[2] = {&p->st[LV_VIDEO], &p->st[LV_AUDIO]};
	size_t n = lv_rtcp_rr(buf, sizeof(buf) - LV_SRTP_ROOM, p->ssrc,
	                      p->cname, st, 2, now);

	if (n && !lv_srtp_protect_rtcp(&p->srtp, buf, &n, sizeof(buf)))
		media_send(p, buf, n);
}

void lv_peer_tick(struct lv_peer *p, int64_t now)
{
	enum lv_peer_state s = state_of(p);

	if (s == LV_PEER_NEW || s == LV_PEER_FAILED)
		return;
	lv_ice_tick(&p->ice, now, ice_send, p);
	if (p->ice.state == LV_ICE_FAILED) {
		fail(p, "ICE: %s", p->ice.why);
		return;
	}
	if (s == LV_PEER_ICE && p->ice.state == LV_ICE_CONNECTED)
		start_dtls(p, now);
	else if (s == LV_PEER_DTLS && p->dtls) {
		if (now - p->dtls_start_us > DTLS_LIMIT_US)
			fail(p, "%s", "DTLS: no handshake in 15 s");
		else
			lv_dtls_tick(p->dtls, media_send, p);
	} else if (s == LV_PEER_MEDIA && now >= p->next_rr_us) {
		send_rr(p, now);
		p->next_rr_us = now + RR_EVERY_US;
	}
}

void lv_peer_snap(struct lv_peer *p, struct lv_peer_snap *out)
{
	out->state = (enum lv_peer_state)atomic_load(&p->state);
	out->why = out->state == LV_PEER_FAILED ? p->why : "";
	for (int k = 0; k < 2; k++) {
		struct lv_stream *s = &p->st[k];

		out->received[k] = atomic_load_explicit(&s->pub_received,
		                                        memory_order_relaxed);
		out->expected[k] = atomic_load_explicit(&s->pub_expected,
		                                        memory_order_relaxed);
		out->markers[k] =
		    atomic_load_explicit(&s->pub_markers, memory_order_relaxed);
		out->last_us[k] =
		    atomic_load_explicit(&s->pub_last_us, memory_order_relaxed);
	}
	out->join_us = atomic_load(&p->join_us);
	out->verified =
	    atomic_load_explicit(&p->verified, memory_order_relaxed);
	out->auth_failed =
	    atomic_load_explicit(&p->auth_failed, memory_order_relaxed);
}
