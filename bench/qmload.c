/* qmload.c — the load of bench/qingming.mjs: the request mix and the
 * WebSocket watchers, in one C process on one epoll loop, so that the load
 * costs the two cores it shares with the daemon little, and is sent on
 * time (as wrk is, against which the front's figures are read).
 *
 *   build/bench/qmload --port P [--rate 5000] [--duration 60] [--warmup 5]
 *                      [--watchers 2000] [--conns 512] < LIST
 *
 * LIST, on stdin until its end: "m ID SLUG" a memorial, most visited
 * first; "a PATH" a static file of its page. Memorials are picked by
 * popularity (Zipf, s = 1). --watchers WebSockets follow a memorial each
 * (GET /ws, {"subscribe": "memorial:ID"}). Then, open-loop at --rate
 * requests a second for --warmup + --duration seconds, each request is:
 *   page     15 %  GET /m/{slug}; half revalidate with If-None-Match
 *   json     25 %  GET /api/memorials/by-slug/{slug}; a quarter revalidate
 *   static   55 %  GET of one of the files; half revalidate
 *   tribute   5 %  POST /api/memorials/{id}/tributes, an anonymous flower
 *                  from "qmN"
 * GETs accept gzip and br, as a browser's do. A request's latency runs
 * from the moment it was due, not from when a free connection took it,
 * so a slow server cannot hide its queue; requests go over up to --conns
 * keep-alive connections. An error is a failed connection or a status
 * other than 2xx and 304. A tribute's live event is timed from its POST's
 * due moment to each watcher of its memorial; watchers that never get it
 * are lost.
 *
 * On stdout, in lines: "ready N" once the watchers are subscribed,
 * "counting" when the counted period starts, "done" when it ends (the
 * orchestrator reads the daemon's figures at both), then, once the last
 * answers and events are in (at most 5 s), one JSON object with the
 * figures; it exits then. A watcher that cannot open is "error TEXT" and
 * exit 1.
 *
 * Built by CMake as build/bench/qmload (bench/CMakeLists.txt).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "qm_parse.h"

#include <jansson.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum kind { K_PAGE, K_JSON, K_STATIC, K_TRIBUTE, K_N };
static const char *const kind_name[K_N] = {"page", "json", "static", "tribute"};
static const double kind_share[K_N] = {0.15, 0.25, 0.55, 0.05};
static const double revalidate[K_N] = {0.5, 0.25, 0.5, 0};

struct samples {
	double *v;
	size_t n, cap;
};

struct kstat {
	struct samples lat;
	long errors;
	long codes[600]; /* by status; 0 = the connection failed */
	char sample[256];
};

struct req {
	double due;
	int kind;
	int key;   /* memorial or file index */
	long post; /* the tribute's number */
	bool counted;
};

struct post {
	double due;
	int want, got;
	bool counted;
};

enum { C_HTTP, C_WS };

struct conn {
	int fd, type;
	bool connecting, busy, dead, in_free, subscribed, want_out;
	struct req req;
	int memorial; /* a watcher's */
	char *rbuf;
	size_t rlen, rcap;
	char *msg; /* a watcher's message being put together */
	size_t mlen, mcap;
	char wbuf[1024];
	size_t wlen, woff;
};

static struct {
	int port, ep;
	double rate, duration, warmup;
	int n_watchers, max_conns;
	/* the memorials, most visited first, and the page's files */
	long *mem_id;
	char **slug, **page_etag, **json_etag;
	int *watchers_of, n_mem;
	double *zipf_cdf;
	char **asset, **asset_etag;
	int n_asset;
	/* HTTP connections */
	struct conn **free_c;
	int n_free, n_conns, busy;
	struct req *queue; /* a ring of requests waiting for a connection */
	size_t q_head, q_len, q_cap;
	struct kstat ks[K_N];
	struct samples late; /* due → issued, counted requests */
	struct post *posts;
	size_t n_posts, posts_cap;
	/* watchers */
	int ws_open, ws_subscribed, ws_closed;
	struct samples ws_lat;
	long malformed;
	uint64_t rng;
} g;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	printf("error %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (p && need <= *cap)
		return p;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	p = realloc(p, c * size);
	if (!p)
		die("realloc");
	*cap = c;
	return p;
}

static void sample_add(struct samples *s, double x)
{
	s->v = grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = x;
}

static double rnd(void) /* xorshift64*, in [0, 1) */
{
	g.rng ^= g.rng >> 12;
	g.rng ^= g.rng << 25;
	g.rng ^= g.rng >> 27;
	return (double)((g.rng * 2685821657736338717ull) >> 11) /
	       9007199254740992.0;
}

static int pick_memorial(void)
{
	double r = rnd();
	int lo = 0, hi = g.n_mem - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (g.zipf_cdf[mid] < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void watch(struct conn *c, bool out)
{
	struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0),
	                         .data.ptr = c};
	if (out == c->want_out)
		return;
	c->want_out = out;
	if (epoll_ctl(g.ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		die("epoll_ctl");
}

static struct conn *conn_open(int type)
{
	struct conn *c = calloc(1, sizeof *c);
	if (!c)
		die("calloc");
	c->type = type;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		die("socket");
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)g.port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 &&
	    errno != EINPROGRESS)
		die("connect");
	c->connecting = true;
	c->want_out = true;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
	if (epoll_ctl(g.ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		die("epoll_ctl");
	return c;
}

/* Writes what is left of c->wbuf; false if the connection failed. */
static bool flush_out(struct conn *c)
{
	while (c->woff < c->wlen) {
		ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff,
		                 MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return false;
		c->woff += (size_t)n;
	}
	watch(c, c->woff < c->wlen);
	return true;
}

/* ---------- the requests ---------- */

static void record(const struct req *r, int status, const char *body,
                   size_t blen)
{
	if (!r->counted)
		return;
	struct kstat *k = &g.ks[r->kind];
	if (status == 0 || (status >= 300 && status != 304)) {
		k->errors++;
		k->codes[status >= 0 && status < 600 ? status : 0]++;
		if (!k->sample[0])
			snprintf(k->sample, sizeof k->sample, "%d %.*s", status,
			         (int)(blen > 200 ? 200 : blen),
			         body ? body : "");
		return;
	}
	sample_add(&k->lat, now_ms() - r->due);
}

static char **etag_slot(const struct req *r)
{
	switch (r->kind) {
	case K_PAGE: return &g.page_etag[r->key];
	case K_JSON: return &g.json_etag[r->key];
	case K_STATIC: return &g.asset_etag[r->key];
	default: return NULL;
	}
}

static void http_send(struct conn *c, const struct req *r)
{
	char **etag = etag_slot(r);
	bool reval = etag && *etag && rnd() < revalidate[r->kind];
	char path[512];
	int n;
	c->req = *r;
	c->busy = true;
	g.busy++;
	if (r->kind == K_TRIBUTE) {
		char body[96];
		int bl = snprintf(
		    body, sizeof body,
		    "{\"kind\":\"flower\",\"from_name\":\"qm%ld\"}", r->post);
		n = snprintf(
		    c->wbuf, sizeof c->wbuf,
		    "POST /api/memorials/%ld/tributes HTTP/1.1\r\n"
		    "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
		    "Content-Length: %d\r\n\r\n%s",
		    g.mem_id[r->key], bl, body);
	} else {
		if (r->kind == K_PAGE)
			snprintf(path, sizeof path, "/m/%s", g.slug[r->key]);
		else if (r->kind == K_JSON)
			snprintf(path, sizeof path, "/api/memorials/by-slug/%s",
			         g.slug[r->key]);
		else
			snprintf(path, sizeof path, "%s", g.asset[r->key]);
		n = snprintf(c->wbuf, sizeof c->wbuf,
		             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		             "Accept-Encoding: gzip, deflate, br\r\n%s%s%s\r\n",
		             path, reval ? "If-None-Match: " : "",
		             reval ? *etag : "", reval ? "\r\n" : "");
	}
	if (n < 0 || (size_t)n >= sizeof c->wbuf) {
		errno = EOVERFLOW;
		die("request");
	}
	c->wlen = (size_t)n;
	c->woff = 0;
	/* a failure is seen on the read side, as a hang-up */
	if (!c->connecting)
		flush_out(c);
}

static void submit(const struct req *r)
{
	while (g.n_free) {
		struct conn *c = g.free_c[--g.n_free];
		c->in_free = false;
		if (!c->dead) {
			http_send(c, r);
			return;
		}
		free(c->rbuf);
		free(c);
	}
	if (g.n_conns < g.max_conns) {
		g.n_conns++;
		http_send(conn_open(C_HTTP), r);
		return;
	}
	if (g.q_len == g.q_cap) { /* a ring twice the size, in order */
		size_t cap = g.q_cap ? 2 * g.q_cap : 1024;
		struct req *q = malloc(cap * sizeof *q);
		if (!q)
			die("malloc");
		for (size_t i = 0; i < g.q_len; i++)
			q[i] = g.queue[(g.q_head + i) % g.q_cap];
		free(g.queue);
		g.queue = q;
		g.q_cap = cap;
		g.q_head = 0;
	}
	g.queue[(g.q_head + g.q_len++) % g.q_cap] = *r;
}

static bool next_queued(struct req *r)
{
	if (!g.q_len)
		return false;
	*r = g.queue[g.q_head];
	g.q_head = (g.q_head + 1) % g.q_cap;
	g.q_len--;
	return true;
}

static void http_idle(struct conn *c)
{
	struct req r;
	if (next_queued(&r)) {
		http_send(c, &r);
		return;
	}
	c->in_free = true;
	g.free_c[g.n_free++] = c;
}

static void http_gone(struct conn *c)
{
	if (c->busy) {
		c->busy = false;
		g.busy--;
		record(&c->req, 0, "connection failed", 17);
	}
	epoll_ctl(g.ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->dead = true;
	g.n_conns--;
	if (!c->in_free) {
		free(c->rbuf);
		free(c);
	}
	struct req r;
	if (next_queued(&r))
		submit(&r);
}

/* Takes the complete answers out of c->rbuf; false once c is closed. */
static bool http_answers(struct conn *c)
{
	struct qm_answer a;
	long n;
	while ((n = qm_answer(c->rbuf, c->rlen, &a)) != 0) {
		if (n < 0) {
			printf("error an answer qmload does not read: %.*s\n",
			       (int)(c->rlen > 300 ? 300 : c->rlen), c->rbuf);
			exit(1);
		}
		char **etag = etag_slot(&c->req);
		if (etag && a.etag && a.etag_len < 200) {
			free(*etag);
			*etag = strndup(a.etag, a.etag_len);
		}
		bool was_busy = c->busy;
		if (was_busy) {
			c->busy = false;
			g.busy--;
			record(&c->req, a.status, c->rbuf + a.head_len,
			       a.body_len);
		}
		c->rlen -= (size_t)n;
		memmove(c->rbuf, c->rbuf + n, c->rlen);
		if (a.close) {
			http_gone(c);
			return false;
		}
		if (was_busy)
			http_idle(c);
	}
	return true;
}

/* ---------- the watchers ---------- */

/* Queues a frame after what is left to send; a bench's watcher queues
 * no more than fits. */
static void ws_frame(struct conn *c, int opcode, const char *p, size_t n)
{
	memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
	c->wlen -= c->woff;
	c->woff = 0;
	c->wlen += qm_client_frame(c->wbuf + c->wlen, sizeof c->wbuf - c->wlen,
	                           opcode, p, n);
}

static void ws_message(struct conn *c)
{
	double at = now_ms();
	const char *m = c->msg, *end = c->msg + c->mlen;
	if (!c->subscribed) {
		if (!memmem(m, c->mlen, "\"subscribed\"", 12)) {
			printf("error a watcher's subscription: %.*s\n",
			       (int)(c->mlen > 200 ? 200 : c->mlen), m);
			exit(1);
		}
		c->subscribed = true;
		g.ws_subscribed++;
		return;
	}
	long seq;
	while ((seq = qm_marker(&m, end)) != -1) {
		if (seq < 0 || (size_t)seq >= g.n_posts) {
			g.malformed++;
			continue;
		}
		struct post *p = &g.posts[seq];
		p->got++;
		if (p->counted)
			sample_add(&g.ws_lat, at - p->due);
	}
}

static void ws_close(struct conn *c)
{
	if (c->fd < 0)
		return;
	c->dead = true;
	g.ws_closed++;
	epoll_ctl(g.ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

/* Takes the complete frames out of c->rbuf. */
static void ws_frames(struct conn *c)
{
	struct qm_frame f;
	size_t off = 0;
	long n;
	if (!c->rlen)
		return;
	while (!c->dead && (n = qm_frame(c->rbuf + off, c->rlen - off, &f))) {
		if (n < 0) {
			printf("error a frame qmload does not read\n");
			exit(1);
		}
		if (f.opcode <= 1) {
			c->msg = grow(c->msg, &c->mcap, c->mlen + f.len, 1);
			memcpy(c->msg + c->mlen, f.payload, f.len);
			c->mlen += f.len;
			if (f.fin) {
				ws_message(c);
				c->mlen = 0;
			}
		} else if (f.opcode == 9 && f.len < 126) {
			ws_frame(c, 10, f.payload, f.len); /* pong */
		} else if (f.opcode == 8) {
			c->dead = true;
		}
		off += (size_t)n;
	}
	c->rlen -= off;
	if (c->rlen)
		memmove(c->rbuf, c->rbuf + off, c->rlen);
}

static void ws_read(struct conn *c)
{
	if (!c->subscribed && !c->busy) { /* the handshake's answer */
		char *end =
		    c->rlen ? memmem(c->rbuf, c->rlen, "\r\n\r\n", 4) : NULL;
		if (!end)
			return;
		if (c->rlen < 12 || strncmp(c->rbuf + 9, "101", 3)) {
			printf("error a watcher's handshake: %.*s\n",
			       (int)(end - c->rbuf), c->rbuf);
			exit(1);
		}
		c->busy = true; /* open, subscribing */
		size_t hl = (size_t)(end - c->rbuf) + 4;
		c->rlen -= hl;
		memmove(c->rbuf, c->rbuf + hl, c->rlen);
		char sub[96];
		int n = snprintf(sub, sizeof sub,
		                 "{\"subscribe\":\"memorial:%ld\"}",
		                 g.mem_id[c->memorial]);
		ws_frame(c, 1, sub, (size_t)n);
	}
	ws_frames(c);
	if (c->dead || !flush_out(c))
		ws_close(c);
}

static void ws_connected(struct conn *c)
{
	c->wlen = (size_t)snprintf(
	    c->wbuf, sizeof c->wbuf,
	    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: "
	    "c2luaWFuIHFpbmdtaW5nIQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n");
	c->woff = 0;
}

/* ---------- the loop ---------- */

static void on_event(struct conn *c, uint32_t events)
{
	if (c->dead)
		return;
	if (c->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		int err = 0;
		socklen_t l = sizeof err;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		c->connecting = false;
		if (err) {
			if (c->type == C_WS) {
				errno = err;
				die("a watcher's connect");
			}
			http_gone(c);
			return;
		}
		if (c->type == C_WS)
			ws_connected(c);
	}
	if ((events & EPOLLOUT) && !flush_out(c))
		events |= EPOLLHUP;
	bool closed = false;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		for (;;) {
			c->rbuf = grow(c->rbuf, &c->rcap, c->rlen + 65536, 1);
			ssize_t n = recv(c->fd, c->rbuf + c->rlen,
			                 c->rcap - c->rlen, 0);
			if (n > 0) {
				c->rlen += (size_t)n;
				continue;
			}
			closed = n == 0 || errno != EAGAIN;
			break;
		}
	}
	if (c->type == C_WS) {
		ws_read(c);
		if (closed)
			ws_close(c);
		return;
	}
	if (http_answers(c) && (closed || c->dead))
		http_gone(c);
}

/* Handles what is ready, waiting at most timeout_ms for something to be
 * (epoll_pwait2: to the microsecond, not to the millisecond, so that
 * requests 0.2 ms apart leave 0.2 ms apart). */
static void run_loop(double timeout_ms)
{
	struct epoll_event evs[256];
	if (timeout_ms < 0)
		timeout_ms = 0;
	struct timespec ts = {.tv_sec = (time_t)(timeout_ms / 1e3),
	                      .tv_nsec = (long)(fmod(timeout_ms, 1e3) * 1e6)};
	int n = epoll_pwait2(g.ep, evs, 256, &ts, NULL);
	if (n < 0 && errno != EINTR)
		die("epoll_pwait2");
	for (int i = 0; i < n; i++)
		on_event(evs[i].data.ptr, evs[i].events);
}

static void open_watchers(void)
{
	for (int k = 0; k < g.n_watchers;) {
		while (k < g.n_watchers && g.ws_open - g.ws_subscribed < 200) {
			struct conn *c = conn_open(C_WS);
			c->memorial = pick_memorial();
			g.watchers_of[c->memorial]++;
			g.ws_open++;
			k++;
		}
		run_loop(100);
		if (g.ws_closed) {
			printf("error a watcher was closed before it "
			       "subscribed\n");
			exit(1);
		}
	}
	double until = now_ms() + 30000;
	while (g.ws_subscribed < g.n_watchers && now_ms() < until)
		run_loop(100);
	if (g.ws_subscribed < g.n_watchers) {
		printf("error %d of %d watchers subscribed in 30 s\n",
		       g.ws_subscribed, g.n_watchers);
		exit(1);
	}
	printf("ready %d\n", g.ws_subscribed);
	fflush(stdout);
}

static void make_req(double due, bool counted)
{
	double r = rnd(), acc = 0;
	struct req q = {.due = due, .counted = counted, .kind = K_STATIC};
	for (int k = 0; k < K_N; k++)
		if (r < (acc += kind_share[k])) {
			q.kind = k;
			break;
		}
	q.key = q.kind == K_STATIC ? (int)(rnd() * g.n_asset) : pick_memorial();
	if (q.kind == K_TRIBUTE) {
		g.posts =
		    grow(g.posts, &g.posts_cap, g.n_posts + 1, sizeof *g.posts);
		q.post = (long)g.n_posts;
		g.posts[g.n_posts++] =
		    (struct post){.due = due,
		                  .want = g.watchers_of[q.key],
		                  .counted = counted};
	}
	if (counted)
		sample_add(&g.late, now_ms() - due);
	submit(&q);
}

/* ---------- the figures ---------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile; s sorted. */
static double pct(const struct samples *s, double p)
{
	if (!s->n)
		return -1;
	size_t i = (size_t)(p * (double)s->n + 0.999999);
	return s->v[i ? (i > s->n ? s->n : i) - 1 : 0];
}

static json_t *dist(struct samples *s)
{
	qsort(s->v, s->n, sizeof *s->v, cmp_double);
	return json_pack("{s:f,s:f,s:f}", "p50_ms", pct(s, 0.5), "p99_ms",
	                 pct(s, 0.99), "max_ms", s->n ? s->v[s->n - 1] : -1.0);
}

static double cpu_s(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 +
	       (double)u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static void report(double cpu)
{
	json_t *kinds = json_object(), *all_lat;
	struct samples all = {0};
	long requests = 0, errors = 0;
	for (int k = 0; k < K_N; k++) {
		struct kstat *s = &g.ks[k];
		for (size_t i = 0; i < s->lat.n; i++)
			sample_add(&all, s->lat.v[i]);
		json_t *o = dist(&s->lat);
		long n = (long)s->lat.n + s->errors;
		json_object_set_new(o, "requests", json_integer(n));
		json_object_set_new(o, "errors", json_integer(s->errors));
		if (s->errors) {
			json_t *codes = json_object();
			for (int st = 0; st < 600; st++)
				if (s->codes[st]) {
					char key[8];
					snprintf(key, sizeof key, "%d", st);
					json_object_set_new(
					    codes, key,
					    json_integer(s->codes[st]));
				}
			json_object_set_new(o, "error_codes", codes);
			json_object_set_new(o, "error_sample",
			                    json_string(s->sample));
		}
		json_object_set_new(kinds, kind_name[k], o);
		requests += n;
		errors += s->errors;
	}
	all_lat = dist(&all);
	json_object_set_new(all_lat, "requests", json_integer(requests));
	json_object_set_new(all_lat, "errors", json_integer(errors));
	long want = 0, got = 0;
	for (size_t i = 0; i < g.n_posts; i++)
		if (g.posts[i].counted) {
			want += g.posts[i].want;
			got += g.posts[i].got < g.posts[i].want
			           ? g.posts[i].got
			           : g.posts[i].want;
		}
	json_t *ws = dist(&g.ws_lat);
	json_object_set_new(ws, "deliveries", json_integer(want));
	json_object_set_new(ws, "lost", json_integer(want - got));
	json_object_set_new(ws, "malformed", json_integer(g.malformed));
	json_object_set_new(ws, "closed", json_integer(g.ws_closed));
	json_t *out = json_pack(
	    "{s:o,s:o,s:o,s:o,s:f,s:i}", "all", all_lat, "kinds", kinds, "ws",
	    ws, "sent_late", dist(&g.late), "bench_cpu_pct",
	    100 * cpu / g.duration, "connections", g.n_conns);
	char *text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(6));
	printf("%s\n", text);
	fflush(stdout);
	free(text);
	json_decref(out);
	free(all.v);
}

/* ---------- start ---------- */

static void read_list(void)
{
	char line[1024];
	size_t mcap = 0, acap = 0;
	while (fgets(line, sizeof line, stdin)) {
		char word[512];
		long id;
		if (sscanf(line, "m %ld %511s", &id, word) == 2) {
			g.mem_id = grow(g.mem_id, &mcap, (size_t)g.n_mem + 1,
			                sizeof *g.mem_id);
			g.slug = realloc(g.slug, mcap * sizeof *g.slug);
			if (!g.slug)
				die("realloc");
			g.mem_id[g.n_mem] = id;
			g.slug[g.n_mem++] = strdup(word);
		} else if (sscanf(line, "a %511s", word) == 1) {
			g.asset = grow(g.asset, &acap, (size_t)g.n_asset + 1,
			               sizeof *g.asset);
			g.asset[g.n_asset++] = strdup(word);
		}
	}
	if (!g.n_mem || !g.n_asset) {
		printf("error stdin: no memorial (m ID SLUG) or no file (a "
		       "PATH)\n");
		exit(2);
	}
	g.page_etag = calloc((size_t)g.n_mem, sizeof *g.page_etag);
	g.json_etag = calloc((size_t)g.n_mem, sizeof *g.json_etag);
	g.watchers_of = calloc((size_t)g.n_mem, sizeof *g.watchers_of);
	g.zipf_cdf = calloc((size_t)g.n_mem, sizeof *g.zipf_cdf);
	g.asset_etag = calloc((size_t)g.n_asset, sizeof *g.asset_etag);
	if (!g.page_etag || !g.json_etag || !g.watchers_of || !g.zipf_cdf ||
	    !g.asset_etag)
		die("calloc");
	double total = 0, acc = 0;
	for (int i = 0; i < g.n_mem; i++)
		total += 1.0 / (i + 1);
	for (int i = 0; i < g.n_mem; i++)
		g.zipf_cdf[i] = (acc += 1.0 / (i + 1) / total);
}

static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static double arg(int argc, char **argv, const char *name, double dflt)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], name)) {
			char *end;
			double v = strtod(argv[i + 1], &end);
			if (*end || v < 0) {
				fprintf(stderr, "%s: a number\n", name);
				exit(2);
			}
			return v;
		}
	return dflt;
}

int main(int argc, char **argv)
{
	g.port = (int)arg(argc, argv, "--port", 0);
	g.rate = arg(argc, argv, "--rate", 5000);
	g.duration = arg(argc, argv, "--duration", 60);
	g.warmup = arg(argc, argv, "--warmup", 5);
	g.n_watchers = (int)arg(argc, argv, "--watchers", 2000);
	g.max_conns = (int)arg(argc, argv, "--conns", 512);
	if (!g.port || g.port > 65535 || g.rate <= 0 || g.duration <= 0 ||
	    g.max_conns < 1) {
		fprintf(stderr,
		        "usage: qmload --port P [--rate R] [--duration S] "
		        "[--warmup S] [--watchers N] [--conns N] < LIST\n");
		return 2;
	}
	g.rng = (uint64_t)time(NULL) * 2654435761u | 1;
	read_list();
	raise_nofile();
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	g.free_c = calloc((size_t)g.max_conns, sizeof *g.free_c);
	if (g.ep < 0 || !g.free_c)
		die("start");
	open_watchers();

	/* open loop: issue what is due, then wait until the next is */
	double t0 = now_ms(), t_count = t0 + g.warmup * 1e3,
	       t_end = t_count + g.duration * 1e3, cpu0 = 0, cpu = 0;
	long issued = 0, total = (long)((t_end - t0) / 1e3 * g.rate);
	bool counting = false;
	for (;;) {
		double t = now_ms();
		if (!counting && t >= t_count) {
			counting = true;
			cpu0 = cpu_s();
			printf("counting\n");
			fflush(stdout);
		}
		/* request i is due at t0 + i / rate */
		long due = (long)((t - t0) / 1e3 * g.rate) + 1;
		if (due > total)
			due = total;
		for (; issued < due; issued++) {
			double at = t0 + (double)issued / g.rate * 1e3;
			make_req(at, at >= t_count);
		}
		if (t >= t_end)
			break;
		double next = t0 + (double)issued / g.rate * 1e3;
		run_loop((next < t_end ? next : t_end) - now_ms());
	}
	cpu = cpu_s() - cpu0;
	printf("done\n");
	fflush(stdout);

	/* the last answers and events */
	double until = now_ms() + 5000;
	while ((g.busy || g.q_len) && now_ms() < until)
		run_loop(10);
	until = now_ms() + 500;
	while (now_ms() < until)
		run_loop(10);
	report(cpu);
	return 0;
}
