/* wsfloor.c — the anchor of bench/ws_fanout.mjs: a WebSocket server that
 * does nothing but write, so that sinian's fan-out can be read against the
 * cheapest one this machine's kernel allows, measured by the same watchers
 * in the same run.
 *
 *   build/bench/wsfloor --topic TOPIC [--threads N]
 *
 * It listens on 127.0.0.1 (a free port), answers each connection's upgrade
 * and its first message (the watcher's {"subscribe": TOPIC}) with
 * {"subscribed": TOPIC}, as sinian does, and then never reads again. The
 * handshakes run on the main thread; an open connection then belongs to
 * one of --threads sending threads (default: one a CPU, at most 4, as
 * sinian's http_threads), in turn. An event is one text frame, built once
 * and written to every connection by its thread with one send() each, all
 * threads at once: no queue, no lock, no copy, nothing parsed.
 *
 * It talks with the orchestrator in lines. On stdout:
 *   listening PORT
 *   open N                   N connections have subscribed
 *   sent N SHORT             an event went to N connections; SHORT of those
 *                            sends did not take the whole frame (the floor
 *                            buffers nothing: a watcher misses it)
 * On stdin:
 *   send TEXT                TEXT as one text frame to every open connection
 * and it exits at end of input. Its open-file limit is its parent's
 * (ws_fanout.mjs raises its own).
 *
 * Built by CMake as build/bench/wsfloor (bench/CMakeLists.txt).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "qm_parse.h"

#include <glib.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_THREADS 4
#define HEAD_MAX    2048

enum { HANDSHAKE, SUBSCRIBING };

struct conn {
	int fd;
	int state;
	size_t in_len;
	char in[HEAD_MAX];
};

struct sender {
	pthread_t thread;
	int *fds;
	size_t n, cap;
	size_t short_sends; /* of the last event */
};

static struct {
	int ep, listen_fd, port;
	int n_threads;
	struct sender threads[MAX_THREADS];
	size_t open, next_thread;
	char *upgrade; /* the 101 answer */
	char subscribed[256];
	size_t subscribed_len;
	unsigned char *frame; /* the event being sent */
	size_t frame_len;
	pthread_barrier_t go, done;
} g;

static void die(const char *what)
{
	fprintf(stderr, "wsfloor: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A server's text frame of p[0, n) (unmasked, RFC 6455 section 5.2), in a
 * new buffer; *len its length. */
static unsigned char *server_frame(const char *p, size_t n, size_t *len)
{
	unsigned char *f = g_malloc(n + 10);
	size_t h = 2;

	f[0] = 0x81;
	if (n < 126) {
		f[1] = (unsigned char)n;
	} else if (n < 65536) {
		f[1] = 126;
		f[2] = (unsigned char)(n >> 8);
		f[3] = (unsigned char)n;
		h = 4;
	} else {
		f[1] = 127;
		for (int i = 0; i < 8; i++)
			f[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
		h = 10;
	}
	memcpy(f + h, p, n);
	*len = h + n;
	return f;
}

/* The answer to wswatch's upgrade: its key is QM_WS_KEY, always. */
static char *upgrade_answer(void)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	GChecksum *sha1 = g_checksum_new(G_CHECKSUM_SHA1);
	guint8 digest[20];
	gsize dlen = sizeof(digest);
	char *accept, *answer;

	g_checksum_update(sha1, (const guchar *)QM_WS_KEY, strlen(QM_WS_KEY));
	g_checksum_update(sha1, (const guchar *)guid, strlen(guid));
	g_checksum_get_digest(sha1, digest, &dlen);
	g_checksum_free(sha1);
	accept = g_base64_encode(digest, dlen);
	answer = g_strdup_printf("HTTP/1.1 101 Switching Protocols\r\n"
	                         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	                         "Sec-WebSocket-Accept: %s\r\n\r\n",
	                         accept);
	g_free(accept);
	return answer;
}

/* A whole short answer or nothing: the connection is new and its send
 * buffer empty, so a short write is a failure. */
static void send_all(struct conn *c, const void *p, size_t n)
{
	if (send(c->fd, p, n, MSG_NOSIGNAL) != (ssize_t)n)
		die("send during set-up");
}

static void *send_loop(void *arg)
{
	struct sender *s = arg;

	for (;;) {
		pthread_barrier_wait(&g.go);
		s->short_sends = 0;
		for (size_t i = 0; i < s->n; i++)
			if (send(s->fds[i], g.frame, g.frame_len,
			         MSG_NOSIGNAL | MSG_DONTWAIT) !=
			    (ssize_t)g.frame_len)
				s->short_sends++;
		pthread_barrier_wait(&g.done);
	}
	return NULL;
}

/* The connection subscribed: it leaves the main loop for a sender. */
static void hand_over(struct conn *c)
{
	struct sender *s = &g.threads[g.next_thread++ % (size_t)g.n_threads];

	epoll_ctl(g.ep, EPOLL_CTL_DEL, c->fd, NULL);
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->fds = g_renew(int, s->fds, s->cap);
	}
	s->fds[s->n++] = c->fd;
	g_free(c);
	g.open++;
	printf("open %zu\n", g.open);
	fflush(stdout);
}

static void on_conn(struct conn *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
	                 MSG_DONTWAIT);

	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0 || (c->in_len += (size_t)n) == sizeof(c->in)) {
		epoll_ctl(g.ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		g_free(c);
		return;
	}
	if (c->state == HANDSHAKE) {
		if (!memmem(c->in, c->in_len, "\r\n\r\n", 4))
			return;
		/* wswatch sends nothing more before the answer */
		send_all(c, g.upgrade, strlen(g.upgrade));
		c->state = SUBSCRIBING;
		c->in_len = 0;
		return;
	}
	/* the subscription, a short masked frame: taken as it comes */
	send_all(c, g.subscribed, g.subscribed_len);
	hand_over(c);
}

static void on_accept(void)
{
	int fd, one = 1;
	struct conn *c;
	struct epoll_event ev = {.events = EPOLLIN};

	while ((fd = accept4(g.listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = g_new0(struct conn, 1);
		c->fd = fd;
		ev.data.ptr = c;
		if (epoll_ctl(g.ep, EPOLL_CTL_ADD, fd, &ev))
			die("epoll_ctl");
	}
	if (errno != EAGAIN)
		die("accept (the open-file limit?)");
}

/* One event to every open connection, every thread at once. */
static void send_event(const char *text)
{
	size_t short_sends = 0;

	g.frame = server_frame(text, strlen(text), &g.frame_len);
	pthread_barrier_wait(&g.go);
	pthread_barrier_wait(&g.done);
	g_free(g.frame);
	for (int t = 0; t < g.n_threads; t++)
		short_sends += g.threads[t].short_sends;
	printf("sent %zu %zu\n", g.open, short_sends);
	fflush(stdout);
}

/* False at the end of input. */
static bool on_stdin(GString *line)
{
	char buf[65536];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	char *nl;

	if (n <= 0)
		return false;
	g_string_append_len(line, buf, n);
	while ((nl = memchr(line->str, '\n', line->len))) {
		*nl = '\0';
		if (strncmp(line->str, "send ", 5) == 0)
			send_event(line->str + 5);
		else
			fprintf(stderr, "wsfloor: unknown command: %.100s\n",
			        line->str);
		g_string_erase(line, 0, nl - line->str + 1);
	}
	return true;
}

static void start(const char *topic)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &g.listen_fd};
	struct epoll_event in = {.events = EPOLLIN, .data.ptr = NULL};
	char *sub = g_strdup_printf("{\"subscribed\":\"%s\"}", topic);
	unsigned char *f;

	f = server_frame(sub, strlen(sub), &g.subscribed_len);
	memcpy(g.subscribed, f, g.subscribed_len);
	g_free(f);
	g_free(sub);
	g.upgrade = upgrade_answer();
	g.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (g.listen_fd < 0 || bind(g.listen_fd, (struct sockaddr *)&a, alen) ||
	    listen(g.listen_fd, 4096) ||
	    getsockname(g.listen_fd, (struct sockaddr *)&a, &alen))
		die("listen");
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	if (g.ep < 0 || epoll_ctl(g.ep, EPOLL_CTL_ADD, g.listen_fd, &ev) ||
	    epoll_ctl(g.ep, EPOLL_CTL_ADD, STDIN_FILENO, &in))
		die("epoll");
	pthread_barrier_init(&g.go, NULL, (unsigned)g.n_threads + 1);
	pthread_barrier_init(&g.done, NULL, (unsigned)g.n_threads + 1);
	for (int t = 0; t < g.n_threads; t++)
		if (pthread_create(&g.threads[t].thread, NULL, send_loop,
		                   &g.threads[t]))
			die("pthread_create");
	printf("listening %d\n", ntohs(a.sin_port));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct epoll_event evs[256];
	const char *topic = NULL;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	GString *line = g_string_new(NULL);

	g.n_threads = cpus < 1             ? 1
	              : cpus > MAX_THREADS ? MAX_THREADS
	                                   : (int)cpus;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--topic") == 0 && i + 1 < argc)
			topic = argv[++i];
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			g.n_threads = atoi(argv[++i]);
		else
			topic = NULL, i = argc;
	}
	if (!topic || strlen(topic) > 200 || strpbrk(topic, "\"\\") ||
	    g.n_threads < 1 || g.n_threads > MAX_THREADS) {
		fprintf(stderr,
		        "usage: wsfloor --topic TOPIC [--threads 1..%d]\n",
		        MAX_THREADS);
		return 2;
	}
	start(topic);
	for (;;) {
		int n = epoll_wait(g.ep, evs, 256, -1);

		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == &g.listen_fd)
				on_accept();
			else if (!evs[i].data.ptr) {
				if (!on_stdin(line))
					_exit(
					    0); /* the kernel drops the rest */
			} else
				on_conn(evs[i].data.ptr);
		}
	}
}
