/* http_loop.c — the lws service threads: their loops, the listening
 * socket, and how a connection finds its thread.
 *
 * The front runs http_threads service threads (by default one a CPU, at
 * most four).
 * Each has its own lws context on its own libev loop (epoll), given to lws
 * as a foreign loop, and owns the connections handed to it for their whole
 * life: one event fanned out to 10 000 WebSockets is written by every
 * thread at once, each to its own sockets. Debian's libwebsockets 4.1 is
 * built for one service thread a context (LWS_MAX_SMP 1), so the threads
 * are separate contexts with no listening socket of their own. The
 * listening socket is sinian's: the first thread accepts, and gives each
 * new connection to the thread with the fewest open, which adopts it
 * (lws_adopt_socket_vhost(), as lws's own listener does).
 *
 * A wake-up costs what is ready, not a scan of every socket (with
 * thousands of WebSockets open, poll() was a quarter of the daemon's CPU).
 * Not lws's GLib or libuv event libraries: in 4.1.6 they mishandle a
 * socket number reused right after a close, which every HTTP/1.0-style
 * client triggers (integration.foundation has such a client). libev stops
 * a watcher at once, and lws's own poll() loop was what ran before.
 *
 * Before a loop sleeps it takes what was queued for it (sockets to adopt,
 * answers, WebSocket messages); from then on a new one wakes it
 * (http_kick), and nothing queued while it is awake does.
 */
#include "err.h"
#include "http_int.h"
#include "log.h"

#include <libwebsockets.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define ACCEPT_BATCH 64
#define MAX_THREADS  16
/* The open-file limit the daemon runs with, at most: lws 4.1 as Debian
 * builds it (with _DEBUG) keeps two tables of the limit's size a context
 * and scans them on every close. */
#define FD_LIMIT 65536
/* The default: one thread a CPU, at most this many. Every request still
 * runs on the one main loop, and each lws context keeps two tables of
 * the process's open-file limit (16 bytes a descriptor, touched). */
#define DEFAULT_MAX_THREADS 4

struct http_shard *http_shard_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

void http_kick(struct http_shard *sh)
{
	if (g_atomic_int_compare_and_exchange(&sh->kicked, 0, 1))
		ev_async_send(sh->loop, &sh->wake);
}

/* ---------- connections: accept and hand out ---------- */

/* The thread with the fewest connections, counting those handed to it
 * and not adopted yet. */
static struct http_shard *least_loaded(struct http_server *srv)
{
	struct http_shard *best = &srv->shards[0];
	int best_n = G_MAXINT;

	for (int i = 0; i < srv->n_shards; i++) {
		struct http_shard *sh = &srv->shards[i];
		int n = g_atomic_int_get(&sh->conns) +
		        g_atomic_int_get(&sh->pending);

		if (n < best_n) {
			best = sh;
			best_n = n;
		}
	}
	return best;
}

/* Owning thread: lws takes fd (and closes it if it cannot). */
static void adopt(struct http_shard *sh, int fd)
{
	if (!lws_adopt_socket_vhost(sh->vh, fd))
		log_warn("http", "a new connection could not be set up");
}

static void take_adopted(struct http_shard *sh)
{
	gpointer p;

	while ((p = g_async_queue_try_pop(sh->adopt))) {
		adopt(sh, GPOINTER_TO_INT(p) - 1);
		g_atomic_int_dec_and_test(&sh->pending);
	}
}

/* The first thread's loop: accept what is waiting, a batch at a time. Out
 * of descriptors, it stops listening for 100 ms rather than spin. */
static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_server *srv = w->data;
	int one = 1;

	(void)revents;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct http_shard *sh;
		int fd = accept4(srv->listen_fd, NULL, NULL,
		                 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				log_warn("http",
				         "cannot accept a connection: %s; "
				         "pausing 100 ms",
				         strerror(errno));
				ev_io_stop(loop, w);
				ev_timer_start(loop, &srv->accept_pause);
			}
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		sh = least_loaded(srv);
		if (sh == &srv->shards[0]) {
			adopt(sh, fd);
		} else {
			g_atomic_int_inc(&sh->pending);
			g_async_queue_push(sh->adopt, GINT_TO_POINTER(fd + 1));
			http_kick(sh);
		}
	}
}

static void on_accept_pause(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http_server *srv = w->data;

	(void)revents;
	ev_io_start(loop, &srv->accept_w);
}

/* "ADDR:PORT" (an IPv4 address or a name; "0.0.0.0" or no address for
 * all), bound and listening; ERR_IO, logged, if it cannot be. */
static int listen_open(const char *listen_on, int *out)
{
	const char *colon = strrchr(listen_on, ':');
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct addrinfo hints = {.ai_family = AF_INET,
	                         .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	char host[256];
	int fd, one = 1, rc;

	if (!colon || (size_t)(colon - listen_on) >= sizeof(host))
		return ERR_INVALID;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen_on),
	         listen_on);
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (!host[0] || strcmp(host, "0.0.0.0") == 0) {
		sa.sin_addr.s_addr = htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		rc = getaddrinfo(host, NULL, &hints, &ai);
		if (rc || !ai) {
			log_error("http", "cannot listen on %s: %s", listen_on,
			          gai_strerror(rc));
			return ERR_IO;
		}
		sa.sin_addr = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		freeaddrinfo(ai);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, SOMAXCONN)) {
		log_error("http", "cannot listen on %s: %s", listen_on,
		          strerror(errno));
		if (fd >= 0)
			close(fd);
		return ERR_IO;
	}
	*out = fd;
	return 0;
}

/* How many connections the process can hold is its soft open-file
 * limit: raise it to the hard one (systemd's default soft limit, 1024,
 * would turn away a Qingming morning's thousandth watcher), and hold it
 * to FD_LIMIT. */
static void fd_limit_fit(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FD_LIMIT
	                  ? FD_LIMIT
	                  : rl.rlim_max;
	if (rl.rlim_cur == was)
		return;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		log_warn("http", "cannot set the open-file limit to %llu: %s",
		         (unsigned long long)rl.rlim_cur, strerror(errno));
	else
		log_info("http",
		         "open files: at most %llu (the soft limit was %llu)",
		         (unsigned long long)rl.rlim_cur,
		         (unsigned long long)was);
}

/* ---------- one service thread ---------- */

static void before_sleep(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct http_shard *sh = w->data;

	(void)loop;
	(void)revents;
	g_atomic_int_set(&sh->kicked, 0);
	take_adopted(sh);
	http_take_answers(sh);
	http_ws_take_ready(sh);
}

static void after_sleep(struct ev_loop *loop, ev_check *w, int revents)
{
	struct http_shard *sh = w->data;

	(void)loop;
	(void)revents;
	g_atomic_int_set(&sh->kicked, 1);
}

/* Woken: before_sleep() takes the queues; a stop ends the loop. */
static void on_wake(struct ev_loop *loop, ev_async *w, int revents)
{
	struct http_shard *sh = w->data;

	(void)revents;
	if (g_atomic_int_get(&sh->srv->stop))
		ev_break(loop, EVBREAK_ALL);
}

static gpointer service_thread(gpointer ud)
{
	struct http_shard *sh = ud;

	ev_run(sh->loop, 0);
	return NULL;
}

/* The loop and its three watchers, then lws's context on it. */
static int shard_open(struct http_server *srv, struct http_shard *sh,
                      const struct lws_protocols *protocols)
{
	struct lws_context_creation_info info;

	sh->srv = srv;
	sh->ready_x = g_async_queue_new();
	g_mutex_init(&sh->ws_lock);
	sh->ws_sends = g_array_new(FALSE, FALSE, sizeof(struct ws_send));
	sh->ws_taking = g_array_new(FALSE, FALSE, sizeof(struct ws_send));
	sh->adopt = g_async_queue_new();
	sh->conn_peer =
	    g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	sh->loop = ev_loop_new(EVBACKEND_EPOLL);
	if (!sh->loop)
		return ERR_IO;
	ev_prepare_init(&sh->prepare, before_sleep);
	sh->prepare.data = sh;
	ev_prepare_start(sh->loop, &sh->prepare);
	ev_check_init(&sh->check, after_sleep);
	sh->check.data = sh;
	ev_check_start(sh->loop, &sh->check);
	ev_async_init(&sh->wake, on_wake);
	sh->wake.data = sh;
	ev_async_start(sh->loop, &sh->wake);

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 |
	               LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_LIBEV;
	info.foreign_loops = sh->foreign;
	sh->foreign[0] = sh->loop;
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = protocols;
	info.vhost_name = "sinian";
	info.user = sh;
	info.gid = (gid_t)-1;
	info.uid = (uid_t)-1;
	info.max_http_header_data = 8192;
	info.max_http_header_pool = 1024;
	info.keepalive_timeout = 30;
	info.timeout_secs = 30;
	info.server_string = "sinian";
	sh->ctx = lws_create_context(&info);
	if (!sh->ctx)
		return ERR_IO;
	sh->vh = lws_get_vhost_by_name(sh->ctx, "sinian");
	return sh->vh ? 0 : ERR_IO;
}

int http_loop_start(struct http_server *srv,
                    const struct lws_protocols *protocols, int threads)
{
	char name[32] = "http";
	int rc;

	fd_limit_fit();
	if (threads <= 0)
		threads = MIN((int)g_get_num_processors(), DEFAULT_MAX_THREADS);
	srv->n_shards = CLAMP(threads, 1, MAX_THREADS);
	srv->shards = g_new0(struct http_shard, srv->n_shards);
	for (int i = 0; i < srv->n_shards; i++) {
		rc = shard_open(srv, &srv->shards[i], protocols);
		if (rc)
			return rc;
	}
	rc = listen_open(srv->cfg.listen, &srv->listen_fd);
	if (rc)
		return rc;
	ev_io_init(&srv->accept_w, on_accept, srv->listen_fd, EV_READ);
	srv->accept_w.data = srv;
	ev_io_start(srv->shards[0].loop, &srv->accept_w);
	ev_timer_init(&srv->accept_pause, on_accept_pause, 0.1, 0.);
	srv->accept_pause.data = srv;
	for (int i = 0; i < srv->n_shards; i++) {
		if (i)
			snprintf(name, sizeof(name), "http-%d", i);
		srv->shards[i].thread =
		    g_thread_new(name, service_thread, &srv->shards[i]);
	}
	return 0;
}

void http_loop_stop(struct http_server *srv)
{
	gpointer p;

	g_atomic_int_set(&srv->stop, 1);
	for (int i = 0; i < srv->n_shards; i++)
		if (srv->shards[i].thread)
			ev_async_send(srv->shards[i].loop,
			              &srv->shards[i].wake);
	for (int i = 0; i < srv->n_shards; i++) {
		if (srv->shards[i].thread)
			g_thread_join(srv->shards[i].thread);
		srv->shards[i].thread = NULL;
	}
	if (srv->listen_fd >= 0) {
		ev_io_stop(srv->shards[0].loop, &srv->accept_w);
		ev_timer_stop(srv->shards[0].loop, &srv->accept_pause);
		close(srv->listen_fd);
		srv->listen_fd = -1;
	}
	for (int i = 0; i < srv->n_shards; i++) {
		struct http_shard *sh = &srv->shards[i];

		while (sh->adopt && (p = g_async_queue_try_pop(sh->adopt)))
			close(GPOINTER_TO_INT(p) - 1);
		if (sh->ctx)
			lws_context_destroy(sh->ctx);
		sh->ctx = NULL;
		if (sh->loop)
			ev_loop_destroy(sh->loop);
		sh->loop = NULL;
	}
}

void http_loop_free(struct http_server *srv)
{
	for (int i = 0; i < srv->n_shards; i++) {
		struct http_shard *sh = &srv->shards[i];

		if (sh->ready_x)
			g_async_queue_unref(sh->ready_x);
		if (sh->ws_sends) {
			g_array_free(sh->ws_sends, TRUE);
			g_array_free(sh->ws_taking, TRUE);
			g_mutex_clear(&sh->ws_lock);
		}
		if (sh->adopt)
			g_async_queue_unref(sh->adopt);
		if (sh->conn_peer)
			g_hash_table_destroy(sh->conn_peer);
	}
	g_free(srv->shards);
	srv->shards = NULL;
	srv->n_shards = 0;
}

unsigned http_server_threads(const struct http_server *srv)
{
	return (unsigned)srv->n_shards;
}

unsigned http_server_thread_conns(const struct http_server *srv, unsigned i)
{
	return i < (unsigned)srv->n_shards
	           ? (unsigned)g_atomic_int_get(&srv->shards[i].conns)
	           : 0;
}
