/* liteworker.c — a send thread of the lite engine.
 *
 * Owns: its list of viewers, a scratch batch of datagrams (no allocation
 * per packet), each viewer's send cursors into the ceremony's rings, its
 * rollover counters and sender reports, and where a joining viewer
 * starts (the cached key frame when recent, else the next one, asked for
 * at most every KEY_GAP_US per ceremony). Consecutive datagrams to one
 * viewer that fit UDP segmentation offload (all of one size, the last one
 * no larger) leave as one message with a UDP_SEGMENT size, where the
 * kernel takes it: a video frame's packets cross the stack once, not once
 * each. Must never: block on anything
 * but its own lock and wake-up, touch a viewer after liteworker_remove()
 * returned, or send a packet unprotected. Called by lite.c.
 */
#include "liteworker.h"

#include "be.h"
#include "err.h"
#include "log.h"
#include "rtcp.h"

#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define TAG   "lite"
#define BATCH 64 /* datagrams in one pass of sendmmsg */
/* One segmented message: the kernel's limit on segments, and the largest
 * UDP payload. */
#define GSO_SEGS  64
#define GSO_BYTES 65000
#define PKT_MAX   (RING_PACKET_MAX + SRTPX_RTCP_OVERHEAD)
#define IDLE_MS   20
#define SR_GAP_US 1000000
/* A joining viewer replays the cached key frame when it is this recent;
 * older, it waits for a fresh one. */
#define REPLAY_MAX_US 1000000
#define KEY_GAP_US    500000 /* per ceremony: at most 2 requests a second */

struct liteworker {
	int fd, efd;
	bool gso; /* the kernel takes UDP_SEGMENT on fd */
	pthread_t thread;
	pthread_mutex_t lock;
	GPtrArray *viewers; /* struct litev *, a reference each */
	bool stop;
	_Atomic bool signaled;
	_Atomic uint64_t sent, dropped, segmented;
	/* the batch: thread only. n datagrams in buf/iov, grouped into m
	 * messages of consecutive iovs (several only with gso). */
	unsigned n, m;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage to[BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl[BATCH];
	uint8_t buf[BATCH][PKT_MAX];
};

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A message of several datagrams carries their size for the kernel to
 * cut at. */
static void set_segment(struct liteworker *w, unsigned j)
{
	struct msghdr *h = &w->msgs[j].msg_hdr;
	struct cmsghdr *cm;

	if (h->msg_iovlen < 2) {
		h->msg_control = NULL;
		h->msg_controllen = 0;
		return;
	}
	h->msg_control = w->ctl[j].buf;
	h->msg_controllen = sizeof(w->ctl[j].buf);
	cm = CMSG_FIRSTHDR(h);
	cm->cmsg_level = IPPROTO_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	*(uint16_t *)(void *)CMSG_DATA(cm) = (uint16_t)h->msg_iov[0].iov_len;
}

/* A segmented message the kernel refused (a device or path that does not
 * take it): send its datagrams one by one, and segment no more. */
static unsigned send_apart(struct liteworker *w, struct msghdr *h)
{
	unsigned ok = 0;

	if (w->gso)
		log_warn(TAG,
		         "UDP segmentation offload refused (%s): "
		         "sending datagrams one by one",
		         strerror(errno));
	w->gso = false;
	for (size_t k = 0; k < h->msg_iovlen; k++) {
		struct msghdr one = {.msg_name = h->msg_name,
		                     .msg_namelen = h->msg_namelen,
		                     .msg_iov = &h->msg_iov[k],
		                     .msg_iovlen = 1};

		if (sendmsg(w->fd, &one, 0) >= 0)
			ok++;
	}
	return ok;
}

static void flush(struct liteworker *w)
{
	unsigned done = 0;
	uint64_t sent = 0, segmented = 0, dropped = 0;

	for (unsigned j = 0; j < w->m; j++)
		set_segment(w, j);
	while (done < w->m) {
		int r = sendmmsg(w->fd, w->msgs + done, w->m - done, 0);
		struct msghdr *h = &w->msgs[done].msg_hdr;

		if (r > 0) {
			for (unsigned j = done; j < done + (unsigned)r; j++) {
				size_t k = w->msgs[j].msg_hdr.msg_iovlen;

				sent += k;
				segmented += k > 1 ? k : 0;
			}
			done += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			for (; done < w->m; done++)
				dropped += w->msgs[done].msg_hdr.msg_iovlen;
			break;
		}
		if (h->msg_iovlen > 1 && (errno == EIO || errno == EINVAL)) {
			unsigned ok = send_apart(w, h);

			sent += ok;
			dropped += h->msg_iovlen - ok;
		} else {
			dropped += h->msg_iovlen; /* no route...: skip it */
		}
		done++;
	}
	atomic_fetch_add(&w->sent, sent);
	atomic_fetch_add(&w->segmented, segmented);
	atomic_fetch_add(&w->dropped, dropped);
	w->n = 0;
	w->m = 0;
}

/* The next scratch slot, flushing a full batch first. */
static uint8_t *slot(struct liteworker *w)
{
	if (w->n == BATCH)
		flush(w);
	return w->buf[w->n];
}

/* Does a datagram of len bytes to "to" join the last message? Its iovs
 * are consecutive: the kernel cuts at the first one's size, so all but
 * the last must have that size. */
static bool joins_last(const struct liteworker *w, size_t len,
                       const struct sockaddr_storage *to, socklen_t tolen)
{
	const struct msghdr *h;
	size_t seg;

	if (!w->gso || !w->m)
		return false;
	h = &w->msgs[w->m - 1].msg_hdr;
	seg = h->msg_iov[0].iov_len;
	return h->msg_iov[h->msg_iovlen - 1].iov_len == seg && len <= seg &&
	       h->msg_iovlen < GSO_SEGS &&
	       (h->msg_iovlen + 1) * seg <= GSO_BYTES &&
	       h->msg_namelen == tolen && !memcmp(h->msg_name, to, tolen);
}

static void queue(struct liteworker *w, size_t len,
                  const struct sockaddr_storage *to, socklen_t tolen)
{
	unsigned i = w->n++, j;

	w->iov[i] = (struct iovec){w->buf[i], len};
	if (joins_last(w, len, to, tolen)) {
		w->msgs[w->m - 1].msg_hdr.msg_iovlen++;
		return;
	}
	j = w->m++;
	w->to[j] = *to;
	w->msgs[j].msg_hdr = (struct msghdr){.msg_name = &w->to[j],
	                                     .msg_namelen = tolen,
	                                     .msg_iov = &w->iov[i],
	                                     .msg_iovlen = 1};
}

/* Protect and queue ring packet idx of stream s. True if it was there. */
static bool send_packet(struct liteworker *w, struct litev *v,
                        struct litev_stream *s, uint64_t idx, bool *key,
                        const struct sockaddr_storage *to, socklen_t tolen,
                        int64_t now)
{
	uint8_t *p = slot(w);
	size_t len = ring_copy(s->ring, idx, p, RING_PACKET_MAX, key);
	uint16_t seq;
	uint32_t roc;
	int n;

	if (!len)
		return false;
	if (s->wait_key && !*key)
		return true; /* skipped: no picture without a key frame */
	s->wait_key = false;
	p[1] = (uint8_t)((p[1] & 0x80) | s->pt);
	be_wr32(p + 8, s->ssrc);
	seq = be_rd16(p + 2);
	roc = srtpx_roc_for(&s->seq, seq);
	srtpx_seq_update(&s->seq, seq, roc);
	s->last_ts = be_rd32(p + 4);
	s->last_us = now;
	n = srtpx_protect_rtp(v->tx, p, len, PKT_MAX, roc);
	if (n < 0)
		return true;
	s->sr_packets++;
	s->sr_octets += (uint32_t)(len - 12);
	atomic_fetch_add_explicit(&s->packets, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->bytes, len, memory_order_relaxed);
	queue(w, (size_t)n, to, tolen);
	return true;
}

static void request_key(struct lite_feed *f, int64_t now)
{
	int64_t last = atomic_load(&f->key_request_us);

	if (last && now - last < KEY_GAP_US)
		return;
	if (atomic_compare_exchange_strong(&f->key_request_us, &last, now))
		encoder_request_keyframe(f->enc);
}

/* Where a viewer's streams start: video at the cached key frame when it
 * is recent, else at the next key frame (asked for); audio now. */
static void start(struct litev *v, int64_t now)
{
	struct litev_stream *vs = &v->st[LITEV_VIDEO];
	uint64_t k;
	int64_t at;

	for (int i = 0; i < LITEV_STREAMS; i++)
		if (v->st[i].ring)
			v->st[i].cursor = ring_head(v->st[i].ring);
	if (vs->ring) {
		if (ring_last_key(vs->ring, &k, &at) == 0 &&
		    now - at <= REPLAY_MAX_US) {
			vs->cursor = k;
		} else {
			vs->wait_key = true;
			request_key(v->feed, now);
		}
	}
	v->next_sr_us = now + SR_GAP_US / 4;
	v->started = true;
}

static void send_new(struct liteworker *w, struct litev *v,
                     struct litev_stream *s, const struct sockaddr_storage *to,
                     socklen_t tolen, int64_t now)
{
	uint64_t head = ring_head(s->ring);
	bool key = false;

	if (head - s->cursor > ring_slots(s->ring)) {
		/* this viewer fell a whole ring behind: start over */
		s->cursor = head;
		if (s == &v->st[LITEV_VIDEO]) {
			s->wait_key = true;
			request_key(v->feed, now);
		}
	}
	for (; s->cursor < head; s->cursor++)
		send_packet(w, v, s, s->cursor, &key, to, tolen, now);
}

static void send_nacked(struct liteworker *w, struct litev *v, int k,
                        const uint16_t *seqs, unsigned n,
                        const struct sockaddr_storage *to, socklen_t tolen,
                        int64_t now)
{
	struct litev_stream *s = &v->st[k];
	bool wait = s->wait_key, key;

	s->wait_key = false;
	for (unsigned i = 0; i < n; i++) {
		uint64_t idx;

		if (ring_find_seq(s->ring, seqs[i], &idx) == 0 &&
		    idx < s->cursor)
			send_packet(w, v, s, idx, &key, to, tolen, now);
	}
	s->wait_key = wait;
}

/* A sender report and SDES per stream, for lip-sync and RTT. */
static void send_reports(struct liteworker *w, struct litev *v,
                         const struct sockaddr_storage *to, socklen_t tolen,
                         int64_t now)
{
	uint64_t ntp = rtcp_ntp_from_us(g_get_real_time());

	for (int k = 0; k < LITEV_STREAMS; k++) {
		struct litev_stream *s = &v->st[k];
		uint8_t *p;
		uint32_t ts;
		int n, m;

		if (!s->ring || !s->last_us)
			continue;
		ts = s->last_ts + (uint32_t)((now - s->last_us) *
		                             (int64_t)s->clock_rate / 1000000);
		p = slot(w);
		n = rtcp_build_sr(p, PKT_MAX, s->ssrc, ntp, ts, s->sr_packets,
		                  s->sr_octets);
		m = rtcp_build_sdes(p + n, PKT_MAX - (size_t)n, s->ssrc,
		                    "sinian");
		n = srtpx_protect_rtcp(v->tx, p, (size_t)(n + m), PKT_MAX);
		if (n > 0)
			queue(w, (size_t)n, to, tolen);
	}
	v->next_sr_us = now + SR_GAP_US;
}

static void serve(struct liteworker *w, struct litev *v, int64_t now)
{
	uint16_t nacks[LITEV_STREAMS][LITEV_NACKS];
	unsigned n_nacks[LITEV_STREAMS];
	struct sockaddr_storage to;
	socklen_t tolen;

	if (!v->started)
		start(v, now);
	if (atomic_exchange(&v->want_key, false))
		request_key(v->feed, now);
	pthread_mutex_lock(&v->lock);
	to = v->addr;
	tolen = v->addrlen;
	memcpy(nacks, v->nacks, sizeof(nacks));
	memcpy(n_nacks, v->n_nacks, sizeof(n_nacks));
	memset(v->n_nacks, 0, sizeof(v->n_nacks));
	pthread_mutex_unlock(&v->lock);
	for (int k = 0; k < LITEV_STREAMS; k++) {
		if (!v->st[k].ring)
			continue;
		if (n_nacks[k])
			send_nacked(w, v, k, nacks[k], n_nacks[k], &to, tolen,
			            now);
		send_new(w, v, &v->st[k], &to, tolen, now);
	}
	if (now >= v->next_sr_us)
		send_reports(w, v, &to, tolen, now);
}

static void *run(void *data)
{
	struct liteworker *w = data;

	pthread_setname_np(pthread_self(), "lite-send");
	for (;;) {
		struct pollfd pfd = {w->efd, POLLIN, 0};
		uint64_t junk;
		int64_t now;

		if (poll(&pfd, 1, IDLE_MS) > 0)
			(void)!read(w->efd, &junk, sizeof(junk));
		atomic_store(&w->signaled, false);
		pthread_mutex_lock(&w->lock);
		if (w->stop) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		now = mono_us();
		for (guint i = 0; i < w->viewers->len; i++) {
			struct litev *v = g_ptr_array_index(w->viewers, i);

			if (atomic_load_explicit(&v->ready,
			                         memory_order_acquire))
				serve(w, v, now);
		}
		flush(w);
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

int liteworker_new(int fd, bool gso, struct liteworker **out)
{
	struct liteworker *w = calloc(1, sizeof(*w));
	int zero = 0;

	*out = NULL;
	if (!w)
		return ERR_NOMEM;
	w->fd = fd;
	/* a kernel without UDP segmentation offload refuses the option */
	w->gso = gso && setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &zero,
	                           sizeof(zero)) == 0;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		free(w);
		return ERR_IO;
	}
	pthread_mutex_init(&w->lock, NULL);
	w->viewers = g_ptr_array_new();
	atomic_init(&w->signaled, false);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		close(w->efd);
		g_ptr_array_unref(w->viewers);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return ERR_NOMEM;
	}
	*out = w;
	return 0;
}

void liteworker_free(struct liteworker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_mutex_unlock(&w->lock);
	liteworker_wake(w);
	pthread_join(w->thread, NULL);
	for (guint i = 0; i < w->viewers->len; i++)
		litev_unref(g_ptr_array_index(w->viewers, i));
	g_ptr_array_unref(w->viewers);
	close(w->efd);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int liteworker_add(struct liteworker *w, struct litev *v)
{
	pthread_mutex_lock(&w->lock);
	g_ptr_array_add(w->viewers, litev_ref(v));
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void liteworker_remove(struct liteworker *w, struct litev *v)
{
	bool found;

	pthread_mutex_lock(&w->lock);
	found = g_ptr_array_remove_fast(w->viewers, v);
	pthread_mutex_unlock(&w->lock);
	if (found)
		litev_unref(v);
}

unsigned liteworker_count(struct liteworker *w)
{
	unsigned n;

	pthread_mutex_lock(&w->lock);
	n = w->viewers->len;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void liteworker_wake(struct liteworker *w)
{
	uint64_t one = 1;

	if (!atomic_exchange(&w->signaled, true))
		(void)!write(w->efd, &one, sizeof(one));
}

void liteworker_counts(struct liteworker *w, uint64_t *sent,
                       uint64_t *segmented, uint64_t *dropped)
{
	*sent = atomic_load(&w->sent);
	*segmented = atomic_load(&w->segmented);
	*dropped = atomic_load(&w->dropped);
}
