/* wswatch.c — many WebSocket watchers of one topic in one process, for
 * bench/ws_fanout.mjs.
 *
 *   build/bench/wswatch --count N --topic memorial:ID [--batch 200] URL...
 *
 * Opens --count WebSocket connections (watcher k to URL k mod the number of
 * URLs, ws://127.0.0.1:PORT/ws), at most --batch of them opening at once,
 * and sends each {"subscribe": topic}, as the node watchers of
 * ws_fanout.mjs do. One libwebsockets context, one thread, no TLS; it
 * raises its own open-file limit as far as it needs. lws runs on a libuv
 * loop (epoll), as lws's own poll() over thousands of sockets would cost
 * more than the messages.
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
 * last frame); the marker is found by a substring search, as the node
 * watchers do (the only message parsed, with jansson, is the first, the
 * answer to the subscription).
 *
 * Built by CMake as build/bench/wswatch (bench/CMakeLists.txt).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <jansson.h>
#include <libwebsockets.h>
#include <uv.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_URLS   8
#define MAX_MSG    (1 << 20) /* a longer message is a bench error */
#define MAX_MARKER 128

struct url {
	char host[128];
	char path[256];
	int port;
};

struct watcher {
	struct lws *wsi;
	int index;
	bool subscribed, closed;
	unsigned seen; /* the expect generation this watcher was timed in */
	char *msg;     /* a message that came in more than one piece */
	size_t msg_len, msg_cap;
};

struct watch {
	uv_loop_t loop;
	struct lws_context *ctx;
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
	bool quit;
	int status;
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void stop(struct watch *wa)
{
	wa->quit = true;
	uv_stop(&wa->loop);
}

static void fail(struct watch *wa, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(struct watch *wa, const char *fmt, ...)
{
	va_list ap;

	if (wa->quit)
		return;
	printf("error ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	wa->status = 1;
	stop(wa);
}

static void report(struct watch *wa)
{
	printf("times %s", wa->marker_len ? wa->marker : "-");
	for (int i = 0; i < wa->got; i++)
		printf(" %lld", (long long)wa->times[i]);
	printf("\n");
	fflush(stdout);
	wa->reported = true;
}

static void start_next(struct watch *wa)
{
	struct lws_client_connect_info ci;
	struct watcher *w;
	struct url *u;

	if (wa->started == wa->count)
		return;
	w = &wa->w[wa->started];
	u = &wa->urls[wa->started % wa->n_urls];
	w->index = wa->started++;
	memset(&ci, 0, sizeof(ci));
	ci.context = wa->ctx;
	ci.address = u->host;
	ci.port = u->port;
	ci.path = u->path;
	ci.host = u->host;
	ci.origin = u->host;
	ci.local_protocol_name = "wswatch";
	ci.userdata = w;
	ci.pwsi = &w->wsi;
	if (!lws_client_connect_via_info(&ci))
		fail(wa, "watcher %d: cannot connect to %s:%d", w->index,
		     u->host, u->port);
}

/* The first message: {"subscribed": topic}, or an error. */
static void on_first(struct watch *wa, struct watcher *w, const char *msg,
                     size_t len)
{
	json_t *j = json_loadb(msg, len, 0, NULL);
	const char *t = json_string_value(json_object_get(j, "subscribed"));

	if (!t || strcmp(t, wa->topic) != 0) {
		fail(wa, "watcher %d: not subscribed: %.*s", w->index,
		     (int)(len < 200 ? len : 200), msg);
	} else {
		w->subscribed = true;
		wa->subscribed++;
		wa->live++;
		if (wa->subscribed == wa->count) {
			printf("ready %d\n", wa->count);
			fflush(stdout);
		} else {
			start_next(wa);
		}
	}
	json_decref(j);
}

static void on_message(struct watch *wa, struct watcher *w, const char *msg,
                       size_t len, int64_t at)
{
	if (!w->subscribed) {
		on_first(wa, w, msg, len);
		return;
	}
	if (!wa->marker_len || w->seen == wa->gen ||
	    !memmem(msg, len, wa->marker, wa->marker_len))
		return;
	w->seen = wa->gen;
	wa->times[wa->got++] = at;
	if (wa->got == wa->live && !wa->reported)
		report(wa);
}

/* A piece of a message; pieces are kept until the message is complete. */
static void on_receive(struct watch *wa, struct watcher *w, const char *in,
                       size_t len)
{
	int64_t at = now_us();
	bool last = lws_is_final_fragment(w->wsi) &&
	            !lws_remaining_packet_payload(w->wsi);

	if (last && !w->msg_len) {
		on_message(wa, w, in, len, at);
		return;
	}
	if (w->msg_len + len > MAX_MSG) {
		fail(wa, "watcher %d: a message over %d bytes", w->index,
		     MAX_MSG);
		return;
	}
	if (w->msg_len + len > w->msg_cap) {
		size_t cap = (w->msg_len + len) * 2;
		char *p = realloc(w->msg, cap);

		if (!p) {
			fail(wa, "out of memory");
			return;
		}
		w->msg = p;
		w->msg_cap = cap;
	}
	memcpy(w->msg + w->msg_len, in, len);
	w->msg_len += len;
	if (last) {
		on_message(wa, w, w->msg, w->msg_len, at);
		w->msg_len = 0;
	}
}

/* A line from the orchestrator. */
static void on_line(struct watch *wa, const char *line)
{
	if (strncmp(line, "expect ", 7) == 0 &&
	    strlen(line + 7) < sizeof(wa->marker) && line[7]) {
		snprintf(wa->marker, sizeof(wa->marker), "%s", line + 7);
		wa->marker_len = strlen(wa->marker);
		wa->gen++;
		wa->got = 0;
		wa->reported = false;
	} else if (strcmp(line, "report") == 0) {
		report(wa);
	} else {
		fprintf(stderr, "wswatch: unknown command: %.100s\n", line);
	}
}

static int on_stdin(struct watch *wa, int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1; /* the orchestrator is gone or done: close */
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (wa->line_len < sizeof(wa->line) - 1)
				wa->line[wa->line_len++] = buf[i];
			continue;
		}
		wa->line[wa->line_len] = '\0';
		wa->line_len = 0;
		on_line(wa, wa->line);
	}
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
                    void *user, void *in, size_t len)
{
	struct watch *wa = lws_context_user(lws_get_context(wsi));
	struct watcher *w = user;
	unsigned char buf[LWS_PRE + 1024];

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fail(wa, "watcher %d: %s", w ? w->index : -1,
		     in ? (const char *)in : "connection error");
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		memcpy(buf + LWS_PRE, wa->subscribe, wa->subscribe_len);
		if (lws_write(wsi, buf + LWS_PRE, wa->subscribe_len,
		              LWS_WRITE_TEXT) < (int)wa->subscribe_len)
			return -1;
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE: on_receive(wa, w, in, len); break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (!w || w->closed || wa->quit)
			break;
		w->closed = true;
		if (!w->subscribed) {
			fail(wa, "watcher %d: closed before it subscribed",
			     w->index);
			break;
		}
		fprintf(stderr, "wswatch: watcher %d closed\n", w->index);
		wa->live--;
		if (wa->marker_len && !wa->reported && wa->got == wa->live)
			report(wa);
		break;
	case LWS_CALLBACK_RAW_RX_FILE:
		return on_stdin(wa, lws_get_socket_fd(wsi));
	case LWS_CALLBACK_RAW_CLOSE_FILE: stop(wa); break;
	default: break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
    {"wswatch", callback, 0, 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ws://HOST:PORT/PATH */
static int parse_url(const char *s, struct url *u)
{
	char copy[512];
	const char *proto, *host, *path;

	if (snprintf(copy, sizeof(copy), "%s", s) >= (int)sizeof(copy) ||
	    lws_parse_uri(copy, &proto, &host, &u->port, &path) ||
	    strcmp(proto, "ws") != 0)
		return -1;
	snprintf(u->host, sizeof(u->host), "%s", host);
	snprintf(u->path, sizeof(u->path), "/%s", path);
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

static int parse_args(struct watch *wa, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--count") == 0 && i + 1 < argc)
			wa->count = atoi(argv[++i]);
		else if (strcmp(a, "--batch") == 0 && i + 1 < argc)
			wa->batch = atoi(argv[++i]);
		else if (strcmp(a, "--topic") == 0 && i + 1 < argc)
			wa->topic = argv[++i];
		else if (a[0] != '-' && wa->n_urls < MAX_URLS &&
		         parse_url(a, &wa->urls[wa->n_urls]) == 0)
			wa->n_urls++;
		else
			return -1;
	}
	if (wa->count < 1 || wa->count > 100000 || wa->batch < 1 ||
	    !wa->topic || !wa->n_urls)
		return -1;
	return 0;
}

static int run(struct watch *wa)
{
	struct lws_context_creation_info info;
	lws_sock_file_fd_type in = {.filefd = STDIN_FILENO};
	void *loops[] = {&wa->loop};
	json_t *sub = json_pack("{s:s}", "subscribe", wa->topic);

	wa->subscribe = sub ? json_dumps(sub, JSON_COMPACT) : NULL;
	json_decref(sub);
	if (!wa->subscribe || strlen(wa->subscribe) > 1024)
		return 2;
	wa->subscribe_len = strlen(wa->subscribe);
	wa->w = calloc((size_t)wa->count, sizeof(*wa->w));
	wa->times = calloc((size_t)wa->count, sizeof(*wa->times));
	if (!wa->w || !wa->times)
		return 1;
	if (raise_fds(wa->count + 64)) {
		fprintf(stderr, "wswatch: cannot open %d files (ulimit -Hn)\n",
		        wa->count + 64);
		return 1;
	}
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	if (uv_loop_init(&wa->loop))
		return 1;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	/* libuv's epoll: lws's own poll() would go over every socket for
	 * each message */
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_LIBUV;
	info.foreign_loops = loops;
	info.count_threads = 1;
	info.timeout_secs = 30;
	info.gid = (gid_t)-1;
	info.uid = (uid_t)-1;
	info.user = wa;
	wa->ctx = lws_create_context(&info);
	if (!wa->ctx) {
		uv_loop_close(&wa->loop);
		return 1;
	}
	if (!lws_adopt_descriptor_vhost(
	        lws_get_vhost_by_name(wa->ctx, "default"),
	        LWS_ADOPT_RAW_FILE_DESC, in, "wswatch", NULL)) {
		fprintf(stderr, "wswatch: cannot watch stdin\n");
		wa->status = 1;
		wa->quit = true;
	}
	for (int i = 0; i < wa->batch && !wa->quit; i++)
		start_next(wa);
	if (!wa->quit)
		uv_run(&wa->loop, UV_RUN_DEFAULT);
	/* Leave at once, as the node watchers do: the kernel drops every
	 * connection, where lws would close thousands one by one while the
	 * daemons, stopped next, wait for them. */
	fflush(stdout);
	_exit(wa->status);
}

int main(int argc, char **argv)
{
	struct watch wa = {.batch = 200};
	int rc;

	if (parse_args(&wa, argc, argv))
		return usage();
	rc = run(&wa);
	for (int i = 0; wa.w && i < wa.count; i++)
		free(wa.w[i].msg);
	free(wa.w);
	free(wa.times);
	free(wa.subscribe);
	return rc;
}
