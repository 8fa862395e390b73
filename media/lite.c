/* lite.c — the lite engine's socket, UDP mux thread and worker pool.
 *
 * Owns: the one UDP socket; the routing tables (local ufrag -> viewer for
 * STUN, source address -> viewer for everything else); the mux thread,
 * which demultiplexes by first byte (RFC 7983), answers ICE binding
 * requests (ICE-lite: authenticated by MESSAGE-INTEGRITY and FINGERPRINT,
 * the address followed on a nominated check), runs the DTLS handshakes,
 * unprotects and reads the viewers' RTCP (NACK and PLI handed to the
 * worker, BYE and silence reported as gone); and the worker threads.
 * Must never: answer or route an unauthenticated STUN request, let a
 * packet from an unknown address reach DTLS or SRTP, or deliver an event
 * for a viewer after lite_detach(). Called by media.c (new/free) and
 * litefan.c (attach/detach/wake).
 */
#include "lite.h"

#include "be.h"
#include "err.h"
#include "liteworker.h"
#include "log.h"
#include "mainctx.h"
#include "rtcp.h"
#include "stun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define TAG        "lite"
#define RECV_BATCH 32
#define TICK_MS    50
#define MAX_ADDRS  4
#define PLI_GAP_US 300000 /* per viewer */
#define SOCK_BUF   (8 * 1024 * 1024)

struct lite {
	struct lite_config cfg;
	int fd, stop_fd;
	uint16_t port;
	struct dtls_ctx *dtls;
	char *addrs[MAX_ADDRS + 1];
	unsigned n_addrs;
	pthread_t mux;
	pthread_mutex_t lock; /* the tables and all */
	GHashTable *by_ufrag; /* ufrag (v's) -> v */
	GHashTable *by_addr;  /* struct sockaddr_storage* (owned) -> v */
	GPtrArray *all;       /* attached viewers */
	struct liteworker **workers;
	unsigned n_workers;
	_Atomic uint64_t stun_refused, unknown_dropped;
	/* mux thread only */
	int64_t next_alive_us;
	struct mmsghdr rmsgs[RECV_BATCH];
	struct iovec riov[RECV_BATCH];
	struct sockaddr_storage rfrom[RECV_BATCH];
	uint8_t rbuf[RECV_BATCH][STUN_MAX_LEN];
};

static int64_t mono_us(void)
{
	return g_get_monotonic_time();
}

/* ---- address keys ------------------------------------------------------ */

static guint addr_hash(gconstpointer k)
{
	const struct sockaddr_storage *a = k;
	uint32_t h;

	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)a;

		return (s->sin_addr.s_addr * 2654435761u) ^ s->sin_port;
	}
	memcpy(&h, ((const struct sockaddr_in6 *)a)->sin6_addr.s6_addr + 12, 4);
	return (h * 2654435761u) ^ ((const struct sockaddr_in6 *)a)->sin6_port;
}

static bool same_addr(const struct sockaddr_storage *a,
                      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
		                         *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	               &((const struct sockaddr_in6 *)b)->sin6_addr, 16) &&
	       ((const struct sockaddr_in6 *)a)->sin6_port ==
	           ((const struct sockaddr_in6 *)b)->sin6_port;
}

static gboolean addr_equal(gconstpointer a, gconstpointer b)
{
	return same_addr(a, b);
}

static struct litev *find(struct lite *l, GHashTable *t, const void *key)
{
	struct litev *v;

	pthread_mutex_lock(&l->lock);
	v = g_hash_table_lookup(t, key);
	if (v)
		litev_ref(v);
	pthread_mutex_unlock(&l->lock);
	return v;
}

/* ---- events to the main loop ------------------------------------------- */

struct event {
	struct litev *v;
	enum litev_event ev;
	const char *reason; /* static */
};

static gboolean event_idle(gpointer data)
{
	struct event *e = data;

	if (e->v->on_event)
		e->v->on_event(e->v, e->ev, e->reason);
	return G_SOURCE_REMOVE;
}

static void event_free(gpointer data)
{
	struct event *e = data;

	litev_unref(e->v);
	g_free(e);
}

static void post(struct litev *v, enum litev_event ev, const char *reason)
{
	struct event *e = g_new(struct event, 1);

	if (ev == LITEV_GONE) {
		if (v->gone_posted) {
			g_free(e);
			return;
		}
		v->gone_posted = true;
	}
	*e = (struct event){litev_ref(v), ev, reason};
	mainctx_post(event_idle, e, event_free);
}

/* ---- STUN -------------------------------------------------------------- */

static void send_to(int fd, const uint8_t *buf, size_t len,
                    const struct sockaddr_storage *to)
{
	socklen_t tl = to->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                         : sizeof(struct sockaddr_in);

	(void)sendto(fd, buf, len, 0, (const struct sockaddr *)to, tl);
}

/* Follow v to from: its first check, or a nominated one elsewhere. */
static void follow(struct lite *l, struct litev *v,
                   const struct sockaddr_storage *from, bool nominated)
{
	struct sockaddr_storage *key;

	if (atomic_load(&v->has_addr) &&
	    (!nominated || same_addr(&v->addr, from)))
		return;
	pthread_mutex_lock(&l->lock);
	if (!v->attached) {
		pthread_mutex_unlock(&l->lock);
		return;
	}
	if (atomic_load(&v->has_addr) &&
	    g_hash_table_lookup(l->by_addr, &v->addr) == v)
		g_hash_table_remove(l->by_addr, &v->addr);
	key = g_memdup2(from, sizeof(*from));
	g_hash_table_replace(l->by_addr, key, v);
	pthread_mutex_lock(&v->lock);
	v->addr = *from;
	v->addrlen = from->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                         : sizeof(struct sockaddr_in);
	pthread_mutex_unlock(&v->lock);
	atomic_store(&v->has_addr, true);
	pthread_mutex_unlock(&l->lock);
}

static void on_stun(struct lite *l, const uint8_t *buf, size_t len,
                    const struct sockaddr_storage *from)
{
	struct stun_msg m;
	struct stun_builder b;
	const uint8_t *uf;
	char ufrag[LITEV_UFRAG_LEN + 1];
	uint8_t out[256];
	struct litev *v = NULL;
	size_t ul;
	int n;

	if (stun_parse(buf, len, &m) || m.method != STUN_BINDING ||
	    m.cls != STUN_REQUEST || stun_local_ufrag(&m, &uf, &ul) ||
	    ul != LITEV_UFRAG_LEN)
		goto refused;
	memcpy(ufrag, uf, ul);
	ufrag[ul] = '\0';
	v = find(l, l->by_ufrag, ufrag);
	if (!v || stun_check_integrity(&m, v->pwd, LITEV_PWD_LEN) ||
	    stun_check_fingerprint(&m))
		goto refused;
	stun_begin(&b, out, sizeof(out), STUN_BINDING, STUN_SUCCESS, m.txid);
	stun_add_xor_mapped(&b, (const struct sockaddr *)from);
	n = stun_finish(&b, v->pwd, LITEV_PWD_LEN, true);
	if (n > 0)
		send_to(l->fd, out, (size_t)n, from);
	atomic_store(&v->consent_us, mono_us());
	follow(l, v, from, m.use_candidate);
	litev_unref(v);
	return;
refused:
	litev_unref(v);
	atomic_fetch_add(&l->stun_refused, 1);
}

/* ---- DTLS -------------------------------------------------------------- */

static void dtls_send(void *user, const uint8_t *buf, size_t len)
{
	struct litev *v = user;

	if (atomic_load(&v->has_addr))
		send_to(v->fd, buf, len, &v->addr);
}

static void on_connected(struct lite *l, struct litev *v)
{
	struct dtls_srtp_keys k;

	if (v->tx || dtls_conn_keys(v->dtls, &k) != 0)
		return;
	if (srtpx_new_master(k.profile, SRTPX_OUT, k.local_key, k.local_salt,
	                     &v->tx) ||
	    srtpx_new_master(k.profile, SRTPX_IN, k.remote_key, k.remote_salt,
	                     &v->rx)) {
		post(v, LITEV_GONE, "SRTP keys refused");
		return;
	}
	atomic_store(&v->rtcp_us, mono_us());
	atomic_store_explicit(&v->ready, true, memory_order_release);
	liteworker_wake(l->workers[v->worker]);
	post(v, LITEV_CONNECTED, NULL);
}

static void after_dtls(struct lite *l, struct litev *v, enum dtls_state st)
{
	if (st == DTLS_CONNECTED)
		on_connected(l, v);
	else if (st == DTLS_FAILED)
		post(v, LITEV_GONE, "DTLS failed");
}

static void on_dtls(struct lite *l, struct litev *v, const uint8_t *buf,
                    size_t len)
{
	if (!v->dtls_released)
		after_dtls(l, v, dtls_conn_input(v->dtls, buf, len));
}

/* ---- RTCP from viewers ------------------------------------------------- */

static int stream_of(const struct litev *v, uint32_t ssrc)
{
	for (int k = 0; k < LITEV_STREAMS; k++)
		if (v->st[k].ring && v->st[k].ssrc == ssrc)
			return k;
	return -1;
}

static void take_feedback(struct lite *l, struct litev *v,
                          const struct rtcp_info *in)
{
	bool wake = false;

	pthread_mutex_lock(&v->lock);
	for (unsigned i = 0; i < in->n_nacks; i++) {
		int k = stream_of(v, in->nacks[i].media_ssrc);
		uint16_t seqs[17];
		unsigned n = rtcp_nack_seqs(&in->nacks[i], seqs);

		for (unsigned j = 0; k >= 0 && j < n; j++)
			if (v->n_nacks[k] < LITEV_NACKS)
				v->nacks[k][v->n_nacks[k]++] = seqs[j];
		wake |= k >= 0;
	}
	pthread_mutex_unlock(&v->lock);
	if ((in->pli || in->fir) && mono_us() - v->pli_us >= PLI_GAP_US) {
		v->pli_us = mono_us();
		atomic_store(&v->want_key, true);
		wake = true;
	}
	if (wake)
		liteworker_wake(l->workers[v->worker]);
}

/* Loss, jitter and, when it echoes one of our sender reports, the round
 * trip (RFC 3550 6.4.1: arrival - LSR - DLSR, in 1/65536 s). */
static void take_report(struct litev *v, const struct rtcp_report_block *b)
{
	uint32_t now = rtcp_ntp_mid(rtcp_ntp_from_us(g_get_real_time()));
	uint32_t rtt = now - b->lsr - b->dlsr;

	atomic_store(&v->rr_fraction, b->fraction_lost);
	atomic_store(&v->rr_lost, b->cumulative_lost);
	atomic_store(&v->rr_jitter_ms,
	             (uint32_t)((uint64_t)b->jitter * 1000 /
	                        v->st[LITEV_VIDEO].clock_rate));
	if (b->lsr && rtt < 65536u * 10) /* under 10 s, else a bogus echo */
		atomic_store(&v->rr_rtt_ms,
		             (int32_t)(((uint64_t)rtt * 1000) >> 16));
}

static void on_rtcp(struct lite *l, struct litev *v, uint8_t *buf, size_t len)
{
	struct rtcp_info in;
	int n;

	if (!v->rx)
		return;
	n = srtpx_unprotect_rtcp(v->rx, buf, len);
	if (n < 0 || rtcp_parse(buf, (size_t)n, &in) != 0)
		return;
	atomic_store(&v->rtcp_us, mono_us());
	if (!v->dtls_released) {
		/* the peer has its keys: the handshake is over for good */
		dtls_conn_release(v->dtls);
		v->dtls_released = true;
	}
	for (unsigned i = 0; i < in.n_reports; i++)
		if (stream_of(v, in.reports[i].ssrc) == LITEV_VIDEO)
			take_report(v, &in.reports[i]);
	take_feedback(l, v, &in);
	if (in.bye)
		post(v, LITEV_GONE, "RTCP BYE");
}

/* ---- the mux thread ---------------------------------------------------- */

static void dispatch(struct lite *l, uint8_t *buf, size_t len,
                     const struct sockaddr_storage *from)
{
	struct litev *v;

	if (len == 0)
		return;
	if (buf[0] < 4) {
		on_stun(l, buf, len, from);
		return;
	}
	v = find(l, l->by_addr, from);
	if (!v) {
		atomic_fetch_add(&l->unknown_dropped, 1);
		return;
	}
	if (buf[0] >= 20 && buf[0] <= 63)
		on_dtls(l, v, buf, len);
	else if (buf[0] >= 128 && buf[0] <= 191 && len >= 8 && buf[1] >= 192 &&
	         buf[1] <= 223)
		on_rtcp(l, v, buf, len);
	litev_unref(v);
}

static void receive(struct lite *l)
{
	int n;

	for (int i = 0; i < RECV_BATCH; i++) {
		l->riov[i] = (struct iovec){l->rbuf[i], sizeof(l->rbuf[i])};
		l->rmsgs[i].msg_hdr =
		    (struct msghdr){.msg_name = &l->rfrom[i],
		                    .msg_namelen = sizeof(l->rfrom[i]),
		                    .msg_iov = &l->riov[i],
		                    .msg_iovlen = 1};
	}
	n = recvmmsg(l->fd, l->rmsgs, RECV_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++)
		if (!(l->rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC))
			dispatch(l, l->rbuf[i], l->rmsgs[i].msg_len,
			         &l->rfrom[i]);
}

/* A connected viewer is gone when its consent runs out (RFC 7675: no
 * authenticated check for consent_ms) or its RTCP stops (alive_ms). */
static void check_alive(struct lite *l, struct litev *v, int64_t now)
{
	if (now - atomic_load(&v->consent_us) >
	    (int64_t)l->cfg.consent_ms * 1000)
		post(v, LITEV_GONE, "ICE consent expired");
	else if (now - atomic_load(&v->rtcp_us) >
	         (int64_t)l->cfg.alive_ms * 1000)
		post(v, LITEV_GONE, "no RTCP from the viewer");
}

/* DTLS retransmissions; every second, viewers gone silent. */
static void tick(struct lite *l, int64_t now)
{
	bool check = now >= l->next_alive_us;

	if (check)
		l->next_alive_us = now + 1000000;
	pthread_mutex_lock(&l->lock);
	for (guint i = 0; i < l->all->len; i++) {
		struct litev *v = g_ptr_array_index(l->all, i);
		int64_t due =
		    v->dtls_released ? -1 : dtls_conn_timeout_us(v->dtls);

		if (due >= 0 && now >= due)
			after_dtls(l, v, dtls_conn_tick(v->dtls, now));
		if (check && atomic_load(&v->ready))
			check_alive(l, v, now);
	}
	pthread_mutex_unlock(&l->lock);
}

static void *mux_run(void *data)
{
	struct lite *l = data;
	int64_t next_tick = 0;

	pthread_setname_np(pthread_self(), "lite-mux");
	for (;;) {
		struct pollfd p[2] = {{l->fd, POLLIN, 0},
		                      {l->stop_fd, POLLIN, 0}};
		int64_t now;

		if (poll(p, 2, TICK_MS) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN)
			receive(l);
		now = mono_us();
		if (now >= next_tick) {
			tick(l, now);
			next_tick = now + TICK_MS * 1000;
		}
	}
	return NULL;
}

/* ---- setup --------------------------------------------------------------- */

static int open_socket(struct lite *l, struct err_detail *e)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons(l->cfg.port)};
	socklen_t al = sizeof(a);
	int buf = SOCK_BUF;

	a.sin_addr.s_addr =
	    htonl(l->cfg.loopback_only ? INADDR_LOOPBACK : INADDR_ANY);
	l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(l->fd, (struct sockaddr *)&a, &al) != 0) {
		return err_fail(e, ERR_IO, NULL, "media UDP port %u: %s",
		                l->cfg.port, strerror(errno));
	}
	setsockopt(l->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	l->port = ntohs(a.sin_port);
	return 0;
}

/* The addresses to put in answers: public_ip, loopback, or the host's
 * IPv4 addresses that are up (loopback when there are none). */
static int find_addresses(struct lite *l, struct err_detail *e)
{
	struct ifaddrs *ifs = NULL;
	struct in_addr probe;

	if (l->cfg.public_ip) {
		if (inet_pton(AF_INET, l->cfg.public_ip, &probe) != 1) {
			return err_fail(e, ERR_INVALID, NULL,
			                "public IP must be an IPv4 "
			                "address");
		}
		l->addrs[l->n_addrs++] = g_strdup(l->cfg.public_ip);
		return 0;
	}
	if (!l->cfg.loopback_only && getifaddrs(&ifs) == 0) {
		for (struct ifaddrs *i = ifs; i && l->n_addrs < MAX_ADDRS;
		     i = i->ifa_next) {
			char s[INET_ADDRSTRLEN];

			if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
			    !(i->ifa_flags & IFF_UP) ||
			    (i->ifa_flags & IFF_LOOPBACK))
				continue;
			inet_ntop(
			    AF_INET,
			    &((struct sockaddr_in *)i->ifa_addr)->sin_addr, s,
			    sizeof(s));
			l->addrs[l->n_addrs++] = g_strdup(s);
		}
		freeifaddrs(ifs);
	}
	if (!l->n_addrs)
		l->addrs[l->n_addrs++] = g_strdup("127.0.0.1");
	return 0;
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 2 ? (unsigned)(n - 1) : 1;
}

static int start(struct lite *l, struct err_detail *e)
{
	int rc = open_socket(l, e);

	if (!rc)
		rc = find_addresses(l, e);
	if (!rc && dtls_ctx_new(l->cfg.max_handshakes, &l->dtls) != 0) {
		rc = err_fail(e, ERR_INTERNAL, NULL,
		              "DTLS certificate could not be made");
	}
	if (rc)
		return rc;
	l->workers = g_new0(struct liteworker *, l->cfg.threads);
	for (unsigned i = 0; i < l->cfg.threads; i++, l->n_workers++)
		if (liteworker_new(l->fd, !l->cfg.no_gso, &l->workers[i]) !=
		    0) {
			return err_fail(e, ERR_NOMEM, NULL,
			                "cannot start fan-out threads");
		}
	l->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (l->stop_fd < 0 || pthread_create(&l->mux, NULL, mux_run, l)) {
		return err_fail(e, ERR_NOMEM, NULL,
		                "cannot start the media mux thread");
	}
	return 0;
}

int lite_new(const struct lite_config *cfg, struct lite **out,
             struct err_detail *e)
{
	struct lite *l = g_new0(struct lite, 1);
	int rc;

	*out = NULL;
	l->cfg = *cfg;
	l->cfg.public_ip = NULL;
	if (!l->cfg.threads)
		l->cfg.threads = default_threads();
	if (!l->cfg.alive_ms)
		l->cfg.alive_ms = 15000;
	if (!l->cfg.consent_ms)
		l->cfg.consent_ms = 30000;
	l->cfg.public_ip = cfg->public_ip; /* used by start() only */
	l->fd = l->stop_fd = -1;
	pthread_mutex_init(&l->lock, NULL);
	l->by_ufrag = g_hash_table_new(g_str_hash, g_str_equal);
	l->by_addr = g_hash_table_new_full(addr_hash, addr_equal, g_free, NULL);
	l->all = g_ptr_array_new();
	rc = start(l, e);
	l->cfg.public_ip = NULL;
	if (rc) {
		lite_free(l);
		return rc;
	}
	log_info(TAG, "media on UDP port %u, %u fan-out threads", l->port,
	         l->n_workers);
	*out = l;
	return 0;
}

void lite_free(struct lite *l)
{
	uint64_t one = 1;

	if (!l)
		return;
	if (l->stop_fd >= 0) {
		(void)!write(l->stop_fd, &one, sizeof(one));
		if (l->mux)
			pthread_join(l->mux, NULL);
		close(l->stop_fd);
	}
	for (unsigned i = 0; i < l->n_workers; i++)
		liteworker_free(l->workers[i]);
	g_free(l->workers);
	for (unsigned i = 0; i < l->n_addrs; i++)
		g_free(l->addrs[i]);
	for (guint i = 0; i < l->all->len; i++)
		litev_unref(g_ptr_array_index(l->all, i));
	g_ptr_array_unref(l->all);
	g_hash_table_unref(l->by_ufrag);
	g_hash_table_unref(l->by_addr);
	dtls_ctx_free(l->dtls);
	if (l->fd >= 0)
		close(l->fd);
	pthread_mutex_destroy(&l->lock);
	g_free(l);
}

uint16_t lite_port(const struct lite *l)
{
	return l->port;
}

const char *lite_fingerprint(const struct lite *l)
{
	return dtls_ctx_fingerprint(l->dtls);
}

const char *const *lite_addresses(const struct lite *l, unsigned *n)
{
	*n = l->n_addrs;
	return (const char *const *)l->addrs;
}

int lite_attach(struct lite *l, struct litev *v)
{
	unsigned best = 0;
	int rc =
	    dtls_conn_new(l->dtls, true, v->peer_fp, dtls_send, v, &v->dtls);

	if (rc)
		return rc;
	for (unsigned i = 1; i < l->n_workers; i++)
		if (liteworker_count(l->workers[i]) <
		    liteworker_count(l->workers[best]))
			best = i;
	v->worker = (int)best;
	v->fd = l->fd;
	pthread_mutex_lock(&l->lock);
	v->attached = true;
	g_hash_table_replace(l->by_ufrag, v->ufrag, litev_ref(v));
	g_ptr_array_add(l->all, litev_ref(v));
	pthread_mutex_unlock(&l->lock);
	return liteworker_add(l->workers[best], v);
}

void lite_detach(struct lite *l, struct litev *v)
{
	bool was;

	pthread_mutex_lock(&l->lock);
	was = v->attached;
	v->attached = false;
	if (was) {
		g_hash_table_remove(l->by_ufrag, v->ufrag);
		if (atomic_load(&v->has_addr) &&
		    g_hash_table_lookup(l->by_addr, &v->addr) == v)
			g_hash_table_remove(l->by_addr, &v->addr);
		g_ptr_array_remove_fast(l->all, v);
	}
	pthread_mutex_unlock(&l->lock);
	v->on_event = NULL;
	if (!was)
		return;
	liteworker_remove(l->workers[v->worker], v);
	litev_unref(v); /* by_ufrag's */
	litev_unref(v); /* all's */
}

void lite_wake(struct lite *l)
{
	for (unsigned i = 0; i < l->n_workers; i++)
		liteworker_wake(l->workers[i]);
}

void lite_get_stats(struct lite *l, struct lite_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&l->lock);
	out->viewers = l->all->len;
	pthread_mutex_unlock(&l->lock);
	out->workers = l->n_workers;
	for (unsigned i = 0; i < l->n_workers; i++) {
		uint64_t s, g, d;

		liteworker_counts(l->workers[i], &s, &g, &d);
		out->sent += s;
		out->segmented += g;
		out->send_dropped += d;
	}
	out->stun_refused = atomic_load(&l->stun_refused);
	out->unknown_dropped = atomic_load(&l->unknown_dropped);
}
