/* redis_testsrv.h — a real redis-server for the unit tests of the Redis
 * modules: on a free loopback port, with no persistence, killed when the
 * test process dies (PR_SET_PDEATHSIG) even if the test crashes. Also a
 * helper to run the GLib main loop until a condition holds.
 *
 * Header-only, for tests/unit/test_*.c that include it (each test program
 * is one file). redis-server comes from scripts/deps.sh.
 */
#ifndef SINIAN_REDIS_TESTSRV_H
#define SINIAN_REDIS_TESTSRV_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct testsrv {
	pid_t pid;
	int port;
	char url[64];
};

/* A port that was free on 127.0.0.1 a moment ago. */
static inline int testsrv_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* A short synchronous connection (caller frees), NULL if none. */
static inline redisContext *testsrv_connect(int port)
{
	struct timeval tv = {0, 200000};
	redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);

	if (c && c->err) {
		redisFree(c);
		return NULL;
	}
	if (c)
		redisSetTimeout(c, tv);
	return c;
}

static inline bool testsrv_ping(int port)
{
	redisContext *c = testsrv_connect(port);
	redisReply *r;
	bool ok;

	if (!c)
		return false;
	r = redisCommand(c, "PING");
	ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
	if (r)
		freeReplyObject(r);
	redisFree(c);
	return ok;
}

/* Start redis-server on port (0: a free one) and wait until it answers. */
static inline void testsrv_start(struct testsrv *s, int port)
{
	char p[16];

	s->port = port ? port : testsrv_free_port();
	ck_assert_int_gt(s->port, 0);
	snprintf(s->url, sizeof(s->url), "redis://127.0.0.1:%d", s->port);
	snprintf(p, sizeof(p), "%d", s->port);
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp("redis-server", "redis-server", "--port", p, "--bind",
		       "127.0.0.1", "--save", "", "--appendonly", "no",
		       "--daemonize", "no", "--dir", "/tmp", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		int st;

		if (testsrv_ping(s->port))
			return;
		if (waitpid(s->pid, &st, WNOHANG) == s->pid)
			ck_abort_msg("redis-server exited (is it installed? "
			             "scripts/deps.sh)");
		usleep(25000);
	}
	ck_abort_msg("redis-server did not answer on port %d", s->port);
}

/* Stop it with sig (SIGKILL: a crash) and reap it. */
static inline void testsrv_signal_stop(struct testsrv *s, int sig)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, sig);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
}

static inline void testsrv_stop(struct testsrv *s)
{
	testsrv_signal_stop(s, SIGKILL);
}

/* Run one redis command synchronously (tests only); caller frees. */
static inline redisReply *testsrv_cmd(struct testsrv *s, const char *fmt, ...)
{
	redisContext *c = testsrv_connect(s->port);
	redisReply *r;
	va_list ap;

	ck_assert_ptr_nonnull(c);
	va_start(ap, fmt);
	r = redisvCommand(c, fmt, ap);
	va_end(ap);
	redisFree(c);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* Iterate the default main context until cond(ud) or timeout_ms passed. */
static inline bool spin_until(bool (*cond)(void *), void *ud, int timeout_ms)
{
	int64_t end = g_get_monotonic_time() + (int64_t)timeout_ms * 1000;

	while (!cond(ud)) {
		if (g_get_monotonic_time() > end)
			return false;
		g_main_context_iteration(NULL, FALSE);
		g_usleep(200);
	}
	return true;
}

/* Iterate the default main context for ms milliseconds. */
static inline void spin_for(int ms)
{
	int64_t end = g_get_monotonic_time() + (int64_t)ms * 1000;

	while (g_get_monotonic_time() < end) {
		g_main_context_iteration(NULL, FALSE);
		g_usleep(200);
	}
}

#endif
