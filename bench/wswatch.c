/* wswatch.c — many WebSocket watchers of one topic in one process, for
 * bench/ws_fanout.mjs.
 *
 *   build/bench/wswatch --count N --topic memorial:ID [--batch 200] URL...
 *
 * Opens --count WebSocket connections (watcher k to URL k mod the number of
 * URLs, ws://127.0.0.1:PORT/ws), at most --batch of them opening at once,
 * and sends each {"subscribe": topic}, as the node watchers of
 * ws_fanout.mjs do. One thread on one epoll loop, a minimal WebSocket
 * client (its frames read by bench/qm_parse.c, as qmload's are): a watcher
 * costs the cores it shares with the daemons little more than the
 * kernel's receive, so that the figures are the daemons' fan-out and not
 * this process's queue. It raises its own open-file limit as far as it
 * needs.
 *
 * It talks with the orchestrator in lines. On stdout:
 *   ready N                  every watcher is subscribed
 *   error TEXT               a watcher could not open or subscribe; it exits 1
 *   times MARKER T1 T2 ...   arrival times (CLOCK_REALTIME, µs since the
 *                            epoch) of the first message containing MARKER,
 *                            one per watcher that got it
 * On stdin:
 *   expect MARKER            forget earlier times, watch for MARKER; the
 *                            times line comes by itself once every watcher
 *                            still open has it
 *   report                   the times line now, with what has arrived
 * and it exits at end of input, at once, without closing its sockets one
 * by one. A message is timed once it is complete (the last fragment of its
 * last frame, read in the same wake-up as the bytes that completed it);
 * the marker is found by a substring search, as the node watchers do (the
 * only message parsed, with jansson, is the first, the answer to the
 * subscription).
 *
 * Built by CMake as build/bench/wswatch (bench/CMakeLists.txt).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "qm_parse.h"

#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
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

#define MAX_URLS   8
#define MAX_MARKER 128
#define STDIN_TAG  ((void *)1)

struct url {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char host[128];
	char path[256];
	int port;
};

enum state { CONNECTING, HANDSHAKE, OPEN, CLOSED };

struct watcher {
	int fd, index;
	enum state state;
	bool subscribed;
	unsigned seen; /* the expect generation this watcher was timed in */
	char *in;      /* bytes of a frame not yet whole */
	size_t in_len, in_cap;
	char *msg; /* a message that came in more than one frame */
	size_t msg_len, msg_cap;
	char out[512]; /* the handshake, then the subscription */
	size_t out_len, out_off;
};

static struct {
	int ep;
	struct url urls[MAX_URLS];
	int n_urls;
	const char *topic;
	char *subscribe; /* the subscribe message */
	size_t subscribe_len;
	struct watcher *w;
	int count, batch;
	int started, subscribed, live;
	char marker[MAX_MARKER];
	size_t marker_len;
	unsigned gen;
	bool reported;  /* this generation's times line is out */
	int64_t *times; /* µs, count of them at most */
	int got;
	char line[512]; /* stdin, up to the next newline */
	size_t line_len;
} g;

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An error line, and out at once (the sockets with us). */
static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("error ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(1);
}

static void report(void)
{
	printf("times %s", g.marker_len ? g.marker : "-");
	for (int i = 0; i < g.got; i++)
		printf(" %lld", (long long)g.times[i]);
	printf("\n");
	fflush(stdout);
	g.reported = true;
}

static void *grow(void *p, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 256;

	if (p && need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	p = realloc(p, c);
	if (!p)
		fail("out of memory");
	*cap = c;
	return p;
}

static void want_out(struct watcher *w, bool out)
{
	struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0),
	                         .data.ptr = w};

	if (epoll_ctl(g.ep, EPOLL_CTL_MOD, w->fd, &ev))
		fail("epoll_ctl: %s", strerror(errno));
}

/* Sends what is left of w->out; false if the connection failed. */
static bool flush_out(struct watcher *w)
{
	while (w->out_off < w->out_len) {
		ssize_t n = send(w->fd, w->out + w->out_off,
		                 w->out_len - w->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return false;
		w->out_off += (size_t)n;
	}
	want_out(w, w->out_off < w->out_len);
	return true;
}

static void start_next(void)
{
	struct watcher *w;
	struct url *u;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT};
	int one = 1;

	if (g.started == g.count)
		return;
	w = &g.w[g.started];
	u = &g.urls[g.started % g.n_urls];
	w->index = g.started++;
	w->fd = socket(u->addr.ss_family,
	               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (w->fd < 0)
		fail("watcher %d: socket: %s", w->index, strerror(errno));
	setsockopt(w->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(w->fd, (struct sockaddr *)&u->addr, u->addr_len) &&
	    errno != EINPROGRESS)
		fail("watcher %d: cannot connect to %s:%d: %s", w->index,
		     u->host, u->port, strerror(errno));
	w->state = CONNECTING;
	w->out_len = (size_t)snprintf(
	    w->out, sizeof(w->out),
	    "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: " QM_WS_KEY "\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n",
	    u->path, u->host, u->port);
	ev.data.ptr = w;
	if (epoll_ctl(g.ep, EPOLL_CTL_ADD, w->fd, &ev))
		fail("epoll_ctl: %s", strerror(errno));
}

/* Queues a frame after what is left to send; a bench's watcher queues
 * no more than fits. */
static void send_frame(struct watcher *w, int opcode, const char *p, size_t n)
{
	memmove(w->out, w->out + w->out_off, w->out_len - w->out_off);
	w->out_len -= w->out_off;
	w->out_off = 0;
	w->out_len += qm_client_frame(
	    w->out + w->out_len, sizeof(w->out) - w->out_len, opcode, p, n);
}

/* The first message: {"subscribed": topic}, or an error. */
static void on_first(struct watcher *w, const char *msg, size_t len)
{
	json_t *j = json_loadb(msg, len, 0, NULL);
	const char *t = json_string_value(json_object_get(j, "subscribed"));

	if (!t || strcmp(t, g.topic) != 0)
		fail("watcher %d: not subscribed: %.*s", w->index,
		     (int)(len < 200 ? len : 200), msg);
	json_decref(j);
	w->subscribed = true;
	g.subscribed++;
	g.live++;
	if (g.subscribed == g.count) {
		printf("ready %d\n", g.count);
		fflush(stdout);
	} else {
		start_next();
	}
}

static void on_message(struct watcher *w, const char *msg, size_t len,
                       int64_t at)
{
	if (!w->subscribed) {
		on_first(w, msg, len);
		return;
	}
	if (!g.marker_len || w->seen == g.gen ||
	    !memmem(msg, len, g.marker, g.marker_len))
		return;
	w->seen = g.gen;
	g.times[g.got++] = at;
	if (g.got == g.live && !g.reported)
		report();
}

static void on_closed(struct watcher *w)
{
	epoll_ctl(g.ep, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
	w->state = CLOSED;
	if (!w->subscribed)
		fail("watcher %d: closed before it subscribed", w->index);
	fprintf(stderr, "wswatch: watcher %d closed\n", w->index);
	g.live--;
	if (g.marker_len && !g.reported && g.got == g.live)
		report();
}

/* The frames in buf[0, len); returns the bytes of a frame not yet whole
 * at the end, which stay for the next read. */
static size_t on_frames(struct watcher *w, const char *buf, size_t len,
                        int64_t at)
{
	struct qm_frame f;
	size_t off = 0;
	long n;

	while (w->state == OPEN &&
	       (n = qm_frame(buf + off, len - off, &f)) != 0) {
		if (n < 0)
			fail("watcher %d: a frame wswatch does not read",
			     w->index);
		off += (size_t)n;
		if (f.opcode == 9) {
			send_frame(w, 10, f.payload, f.len); /* pong */
		} else if (f.opcode == 8) {
			w->state = CLOSED;
		} else if (f.opcode <= 1 && f.fin && !w->msg_len) {
			on_message(w, f.payload, f.len, at);
		} else if (f.opcode <= 1) {
			w->msg = grow(w->msg, &w->msg_cap, w->msg_len + f.len);
			memcpy(w->msg + w->msg_len, f.payload, f.len);
			w->msg_len += f.len;
			if (f.fin) {
				on_message(w, w->msg, w->msg_len, at);
				w->msg_len = 0;
			}
		}
	}
	return len - off;
}

/* The upgrade's answer at the start of buf; its length, 0 while it is not
 * all there. */
static size_t on_handshake(struct watcher *w, const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);

	if (!end)
		return 0;
	if (len < 12 || strncmp(buf + 9, "101", 3) != 0)
		fail("watcher %d: upgrade refused: %.*s", w->index,
		     (int)(end - buf < 200 ? end - buf : 200), buf);
	w->state = OPEN;
	send_frame(w, 1, g.subscribe, g.subscribe_len);
	return (size_t)(end - buf) + 4;
}

static void on_readable(struct watcher *w)
{
	static char buf[1 << 16];
	int64_t at;

	for (;;) {
		ssize_t n = recv(w->fd, buf, sizeof(buf), 0);
		const char *p = buf;
		size_t len, used = 0, left;

		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			on_closed(w);
			return;
		}
		at = now_us();
		len = (size_t)n;
		if (w->in_len) { /* after what an earlier read left */
			w->in = grow(w->in, &w->in_cap, w->in_len + len);
			memcpy(w->in + w->in_len, buf, len);
			w->in_len += len;
			p = w->in;
			len = w->in_len;
		}
		if (w->state == HANDSHAKE)
			used = on_handshake(w, p, len);
		left = w->state == OPEN ? on_frames(w, p + used, len - used, at)
		                        : len - used;
		if (w->state == CLOSED) {
			on_closed(w);
			return;
		}
		if (left > (size_t)QM_MAX_BODY)
			fail("watcher %d: a message too long", w->index);
		if (p == w->in) {
			memmove(w->in, w->in + len - left, left);
		} else if (left) {
			w->in = grow(w->in, &w->in_cap, left);
			memcpy(w->in, p + len - left, left);
		}
		w->in_len = left;
		if ((size_t)n < sizeof(buf))
			break;
	}
	if (w->out_off < w->out_len && !flush_out(w))
		on_closed(w);
}

static void on_event(struct watcher *w, uint32_t events)
{
	if (w->state == CLOSED)
		return;
	if (w->state == CONNECTING) {
		int err = 0;
		socklen_t l = sizeof(err);

		getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err)
			fail("watcher %d: cannot connect: %s", w->index,
			     strerror(err));
		if (!(events & EPOLLOUT))
			return;
		w->state = HANDSHAKE;
	}
	if ((events & EPOLLOUT) && !flush_out(w)) {
		on_closed(w);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		on_readable(w);
}

/* A line from the orchestrator. */
static void on_line(const char *line)
{
	if (strncmp(line, "expect ", 7) == 0 &&
	    strlen(line + 7) < sizeof(g.marker) && line[7]) {
		snprintf(g.marker, sizeof(g.marker), "%s", line + 7);
		g.marker_len = strlen(g.marker);
		g.gen++;
		g.got = 0;
		g.reported = false;
	} else if (strcmp(line, "report") == 0) {
		report();
	} else {
		fprintf(stderr, "wswatch: unknown command: %.100s\n", line);
	}
}

/* False at the end of input. */
static bool on_stdin(void)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false; /* the orchestrator is gone or done */
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (g.line_len < sizeof(g.line) - 1)
				g.line[g.line_len++] = buf[i];
			continue;
		}
		g.line[g.line_len] = '\0';
		g.line_len = 0;
		on_line(g.line);
	}
	return true;
}

/* ws://HOST:PORT/PATH, HOST a name or an IPv4 address */
static int parse_url(const char *s, struct url *u)
{
	struct addrinfo hints = {.ai_family = AF_INET,
	                         .ai_socktype = SOCK_STREAM};
	struct addrinfo *res;
	char port[8];
	const char *h = s + 5, *colon, *slash;

	if (strncmp(s, "ws://", 5) != 0 || !(colon = strchr(h, ':')) ||
	    (size_t)(colon - h) >= sizeof(u->host))
		return -1;
	u->port = (int)strtol(colon + 1, NULL, 10);
	slash = strchr(colon, '/');
	if (u->port < 1 || u->port > 65535)
		return -1;
	snprintf(u->host, sizeof(u->host), "%.*s", (int)(colon - h), h);
	snprintf(u->path, sizeof(u->path), "%s", slash ? slash : "/");
	snprintf(port, sizeof(port), "%d", u->port);
	if (getaddrinfo(u->host, port, &hints, &res))
		return -1;
	memcpy(&u->addr, res->ai_addr, res->ai_addrlen);
	u->addr_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int raise_fds(int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)need)
			return -1;
		rl.rlim_cur = (rlim_t)need;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			return -1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: wswatch --count N --topic TOPIC "
	                "[--batch 200] ws://HOST:PORT/PATH...\n");
	return 2;
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--count") == 0 && i + 1 < argc)
			g.count = atoi(argv[++i]);
		else if (strcmp(a, "--batch") == 0 && i + 1 < argc)
			g.batch = atoi(argv[++i]);
		else if (strcmp(a, "--topic") == 0 && i + 1 < argc)
			g.topic = argv[++i];
		else if (a[0] != '-' && g.n_urls < MAX_URLS &&
		         parse_url(a, &g.urls[g.n_urls]) == 0)
			g.n_urls++;
		else
			return -1;
	}
	if (g.count < 1 || g.count > 100000 || g.batch < 1 || !g.topic ||
	    !g.n_urls)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct epoll_event evs[256];
	struct epoll_event in = {.events = EPOLLIN, .data.ptr = STDIN_TAG};
	json_t *sub;

	g.batch = 200;
	if (parse_args(argc, argv))
		return usage();
	sub = json_pack("{s:s}", "subscribe", g.topic);
	g.subscribe = sub ? json_dumps(sub, JSON_COMPACT) : NULL;
	json_decref(sub);
	if (!g.subscribe || strlen(g.subscribe) >= 126)
		return usage();
	g.subscribe_len = strlen(g.subscribe);
	g.w = calloc((size_t)g.count, sizeof(*g.w));
	g.times = calloc((size_t)g.count, sizeof(*g.times));
	if (!g.w || !g.times)
		return 1;
	if (raise_fds(g.count + 64)) {
		fprintf(stderr, "wswatch: cannot open %d files (ulimit -Hn)\n",
		        g.count + 64);
		return 1;
	}
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	if (g.ep < 0 || epoll_ctl(g.ep, EPOLL_CTL_ADD, STDIN_FILENO, &in)) {
		fprintf(stderr, "wswatch: cannot watch stdin\n");
		return 1;
	}
	for (int i = 0; i < g.batch; i++)
		start_next();
	for (;;) {
		int n = epoll_wait(g.ep, evs, 256, -1);

		if (n < 0 && errno != EINTR)
			fail("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr != STDIN_TAG)
				on_event(evs[i].data.ptr, evs[i].events);
			else if (!on_stdin())
				goto out;
		}
	}
out:
	/* Leave at once, as the node watchers do: the kernel drops every
	 * connection, where closing thousands one by one would keep the
	 * daemons, stopped next, waiting for them. */
	fflush(stdout);
	_exit(0);
}
