/* lv_loop.c — worker threads of the load client.
 *
 * Owns: the threads, their epoll sets, their receive buffers and the list
 * of viewers each one runs. Must never: touch a viewer of another worker,
 * or free a viewer. Called by lviewers.c.
 *
 * A new viewer reaches its worker through a locked queue and an eventfd;
 * from then on only that worker calls into it.
 */
#include "lv_loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define BATCH     32
#define PKT_MAX   2048
#define TICK_US   10000
#define MAX_EVENT 256

struct worker {
	struct lv_loop *loop;
	pthread_t thread;
	bool started;
	int ep, wake;
	pthread_mutex_t m;
	struct lv_peer **queue; /* added, not yet begun */
	size_t nqueue, capqueue;
	struct lv_peer **peers; /* this worker's; only it touches the list */
	size_t npeers, cappeers;
	uint8_t bufs[BATCH][PKT_MAX];
	struct sockaddr_in from[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];
};

struct lv_loop {
	atomic_bool stop;
	int n, next;
	struct worker *w;
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool grow(struct lv_peer ***v, size_t *cap, size_t need)
{
	struct lv_peer **nv;
	size_t nc = *cap ? *cap * 2 : 64;

	if (need <= *cap)
		return true;
	while (nc < need)
		nc *= 2;
	nv = realloc(*v, nc * sizeof(*nv));
	if (!nv)
		return false;
	*v = nv;
	*cap = nc;
	return true;
}

/* Viewers handed over since the last look: watch and begin them. */
static void take_new(struct worker *w)
{
	uint64_t n;
	int64_t now = now_us();

	if (read(w->wake, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&w->m);
	if (grow(&w->peers, &w->cappeers, w->npeers + w->nqueue)) {
		for (size_t i = 0; i < w->nqueue; i++) {
			w->peers[w->npeers++] = w->queue[i];
			lv_peer_begin(w->queue[i], now);
		}
		w->nqueue = 0;
	}
	pthread_mutex_unlock(&w->m);
}

static void drain(struct worker *w, struct lv_peer *p)
{
	int n;

	do {
		n = recvmmsg(lv_peer_fd(p), w->msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		int64_t now = now_us();

		for (int i = 0; i < n; i++) {
			lv_peer_input(p, w->bufs[i], w->msgs[i].msg_len,
			              &w->from[i], now);
			w->msgs[i].msg_hdr.msg_namelen = sizeof(w->from[i]);
		}
	} while (n == BATCH);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[MAX_EVENT];
	int64_t next_tick = now_us() + TICK_US;

	while (!atomic_load(&w->loop->stop)) {
		int64_t now = now_us();
		int wait =
		    next_tick > now ? (int)((next_tick - now + 999) / 1000) : 0;
		int n = epoll_wait(w->ep, ev, MAX_EVENT, wait);

		for (int i = 0; i < n; i++) {
			if (!ev[i].data.ptr)
				take_new(w);
			else
				drain(w, ev[i].data.ptr);
		}
		now = now_us();
		if (now >= next_tick) {
			for (size_t i = 0; i < w->npeers; i++)
				lv_peer_tick(w->peers[i], now);
			next_tick = now + TICK_US;
		}
	}
	return NULL;
}

static int worker_init(struct lv_loop *l, struct worker *w)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};

	w->loop = l;
	pthread_mutex_init(&w->m, NULL);
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->ep < 0 || w->wake < 0 ||
	    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev))
		return -1;
	for (int i = 0; i < BATCH; i++) {
		w->iov[i].iov_base = w->bufs[i];
		w->iov[i].iov_len = PKT_MAX;
		w->msgs[i].msg_hdr.msg_iov = &w->iov[i];
		w->msgs[i].msg_hdr.msg_iovlen = 1;
		w->msgs[i].msg_hdr.msg_name = &w->from[i];
		w->msgs[i].msg_hdr.msg_namelen = sizeof(w->from[i]);
	}
	if (pthread_create(&w->thread, NULL, run, w))
		return -1;
	w->started = true;
	return 0;
}

struct lv_loop *lv_loop_new(int nthreads, char *err, size_t errlen)
{
	struct lv_loop *l = calloc(1, sizeof(*l));

	if (!l || nthreads < 1 || nthreads > 64 ||
	    !(l->w = calloc((size_t)nthreads, sizeof(*l->w)))) {
		snprintf(err, errlen, "bad thread count or out of memory");
		free(l);
		return NULL;
	}
	for (int i = 0; i < nthreads; i++) {
		l->w[i].ep = l->w[i].wake = -1;
		l->n++;
		if (worker_init(l, &l->w[i])) {
			snprintf(err, errlen, "worker %d: %s", i,
			         strerror(errno));
			lv_loop_free(l);
			return NULL;
		}
	}
	return l;
}

int lv_loop_add(struct lv_loop *l, struct lv_peer *p)
{
	struct worker *w = &l->w[l->next++ % l->n];
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = p};
	uint64_t one = 1;
	int rc = -1;

	pthread_mutex_lock(&w->m);
	if (grow(&w->queue, &w->capqueue, w->nqueue + 1)) {
		w->queue[w->nqueue++] = p;
		rc = 0;
	}
	pthread_mutex_unlock(&w->m);
	if (rc)
		return rc;
	if (write(w->wake, &one, sizeof(one)) < 0) {
	}
	return epoll_ctl(w->ep, EPOLL_CTL_ADD, lv_peer_fd(p), &ev) ? -1 : 0;
}

void lv_loop_free(struct lv_loop *l)
{
	if (!l)
		return;
	atomic_store(&l->stop, true);
	for (int i = 0; i < l->n; i++) {
		struct worker *w = &l->w[i];
		uint64_t one = 1;

		if (w->started) {
			if (write(w->wake, &one, sizeof(one)) < 0) {
			}
			pthread_join(w->thread, NULL);
		}
		if (w->ep >= 0)
			close(w->ep);
		if (w->wake >= 0)
			close(w->wake);
		pthread_mutex_destroy(&w->m);
		free(w->queue);
		free(w->peers);
	}
	free(l->w);
	free(l);
}
