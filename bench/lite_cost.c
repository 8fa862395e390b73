/* lite_cost.c — what each viewer costs the lite engine: CPU of its threads
 * per viewer and per packet, heap and RSS per viewer, thread count, and
 * what the viewers got, for a growing number of viewers.
 *
 * One process, forked in two: the child runs a ceremony (the real encoder
 * and test source at 1280x720, 30 fps, 1500 kbit/s) on the lite engine;
 * the parent drives N viewers made of the engine's own parts
 * (tests/unit/lite_client.h: ICE, DTLS, SRTP unprotect of every packet),
 * handing offers and answers over a pipe. The child's own figures are
 * therefore the server's alone.
 *
 *   cmake --build build --target lite_cost
 *   build/bench/lite_cost [--steps 50,100,200] [--seconds 10] [--threads 1]
 *                         [--gso 0]
 *
 * --gso 0 sends every datagram on its own (media_udp_gso = false), to
 * weigh UDP segmentation offload against it: run both, one after the
 * other, on the same machine.
 */
#include <stdio.h>
#include <stdlib.h>

#define LC_ASSERT(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, __VA_ARGS__);                          \
			fprintf(stderr, "\n");                                 \
			exit(1);                                               \
		}                                                              \
	} while (0)

#include "err.h"
#include "lite_client.h"
#include "media.h"

#include <gst/gst.h>
#include <malloc.h>
#include <sys/wait.h>

#define MAX_VIEWERS 2000

static int64_t now_us(void)
{
	return g_get_monotonic_time();
}

/* ---- the server (child) ---------------------------------------------------
 */

struct server {
	struct media_ctx *ctx;
	struct media_ceremony *cer;
	int in, out;
	char answer[4096];
	bool answered;
};

static void on_answer(int status, const char *sdp, const char *id, void *data)
{
	struct server *s = data;

	snprintf(s->answer, sizeof(s->answer), "%s", status ? "" : sdp);
	s->answered = true;
}

/* CPU seconds of this process's threads whose name starts with prefix,
 * and how many threads there are. */
static double threads_cpu(const char *prefix, unsigned *threads)
{
	GDir *d = g_dir_open("/proc/self/task", 0, NULL);
	const char *tid;
	double sum = 0;
	long hz = sysconf(_SC_CLK_TCK);

	*threads = 0;
	while (d && (tid = g_dir_read_name(d))) {
		char path[96], comm[32] = "", buf[1024];
		unsigned long ut = 0, st = 0;
		FILE *f;

		(*threads)++;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", tid);
		if ((f = fopen(path, "r"))) {
			(void)!fgets(comm, sizeof(comm), f);
			fclose(f);
		}
		if (strncmp(comm, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat", tid);
		if ((f = fopen(path, "r"))) {
			if (fgets(buf, sizeof(buf), f)) {
				char *p = strrchr(buf, ')');

				sscanf(
				    p + 2,
				    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
				    "%*u %lu %lu",
				    &ut, &st);
			}
			fclose(f);
		}
		sum += (double)(ut + st) / (double)hz;
	}
	if (d)
		g_dir_close(d);
	return sum;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			v = atol(line + 6);
	if (f)
		fclose(f);
	return v;
}

/* Requests: 'O' + offer (NUL-ended) -> answer; 'S' -> figures line. */
static gboolean on_request(GIOChannel *ch, GIOCondition cond, gpointer data)
{
	struct server *s = data;
	struct err_detail e;
	char buf[4096], id[FANOUT_ID_LEN];
	ssize_t n = read(s->in, buf, sizeof(buf) - 1);
	struct mallinfo2 mi;
	unsigned threads;
	double cpu;

	if (n <= 0)
		exit(0);
	buf[n] = '\0';
	if (buf[0] == 'O') {
		s->answered = false;
		if (media_ceremony_viewer_add(s->cer, buf + 1, strlen(buf + 1),
		                              on_answer, s, id, &e) != 0) {
			fprintf(stderr, "offer refused: %s\n", e.msg);
			s->answer[0] = '\0';
		} else {
			while (!s->answered)
				g_main_context_iteration(NULL, TRUE);
		}
		(void)!write(s->out, s->answer, strlen(s->answer) + 1);
		return TRUE;
	}
	mi = mallinfo2();
	cpu = threads_cpu("lite-", &threads);
	n = snprintf(buf, sizeof(buf), "%.3f %zu %ld %u", cpu,
	             mi.uordblks + mi.hblkhd, rss_kb(), threads);
	(void)!write(s->out, buf, (size_t)n + 1);
	return TRUE;
}

static void serve(int in, int out, unsigned threads, bool gso)
{
	struct media_config cfg = {0};
	struct server s = {0};
	struct err_detail e;

	gst_init(NULL, NULL);
	cfg.loopback_only = true;
	cfg.lite = true;
	cfg.fanout_threads = threads;
	cfg.no_gso = !gso;
	cfg.video_kbps = 1500;
	cfg.max_viewers = MAX_VIEWERS;
	cfg.viewer_timeout_ms = 60000;
	if (media_new(&cfg, &s.ctx, &e) != 0 ||
	    media_ceremony_open(s.ctx, 1, "bench", &s.cer) != 0 ||
	    media_ceremony_source_test_start(s.cer) != 0) {
		fprintf(stderr, "server: %s\n", e.msg);
		exit(1);
	}
	s.in = in;
	s.out = out;
	g_io_add_watch(g_io_channel_unix_new(in), G_IO_IN | G_IO_HUP,
	               on_request, &s);
	for (;;)
		g_main_context_iteration(NULL, TRUE);
}

/* ---- the viewers (parent) ------------------------------------------------ */

struct rig {
	int to, from;
	struct lite_client *c[MAX_VIEWERS];
	unsigned n;
	struct pollfd pfd[MAX_VIEWERS];
	int64_t next_feedback_us;
};

static void ask(struct rig *r, const char *req, char *out, size_t cap)
{
	size_t got = 0;

	(void)!write(r->to, req, strlen(req));
	while (got < cap) {
		ssize_t n = read(r->from, out + got, cap - got);

		if (n <= 0) {
			fprintf(stderr, "server gone\n");
			exit(1);
		}
		got += (size_t)n;
		if (out[got - 1] == '\0')
			return;
	}
}

/* As a browser does, once a second: a receiver report (which also lets
 * the server free the viewer's SSL) and a consent check. */
static void feedback(struct rig *r)
{
	uint8_t buf[256];

	if (now_us() < r->next_feedback_us)
		return;
	r->next_feedback_us = now_us() + 1000000;
	for (unsigned i = 0; i < r->n; i++) {
		if (!r->c[i]->rx)
			continue;
		lc_rtcp(
		    r->c[i], buf,
		    (size_t)rtcp_build_rr(buf, sizeof(buf), 0xc11e, NULL, 0));
		lc_check(r->c[i], r->c[i]->fd, false, NULL);
	}
}

/* Pump every viewer's socket and DTLS timer for ms. */
static void pump(struct rig *r, int ms)
{
	int64_t end = now_us() + (int64_t)ms * 1000;

	do {
		feedback(r);
		for (unsigned i = 0; i < r->n; i++) {
			r->pfd[i] = (struct pollfd){r->c[i]->fd, POLLIN, 0};
			if (!r->c[i]->rx && r->c[i]->dtls)
				dtls_conn_tick(r->c[i]->dtls, now_us());
		}
		if (poll(r->pfd, r->n, 5) <= 0)
			continue;
		for (unsigned i = 0; i < r->n; i++)
			if (r->pfd[i].revents & POLLIN)
				lc_read(r->c[i], r->c[i]->fd);
	} while (now_us() < end);
}

/* One more viewer; returns its join time (offer to keys) in ms. */
static double join(struct rig *r)
{
	struct lite_client *c = lc_new();
	char *req = g_strdup_printf("O%s", c->offer);
	char answer[4096];
	int64_t t0 = now_us();

	ask(r, req, answer, sizeof(answer));
	g_free(req);
	if (!answer[0])
		exit(1);
	lc_answer(c, answer);
	lc_check(c, c->fd, true, NULL);
	r->c[r->n++] = c;
	while (!c->rx && now_us() - t0 < 10000000)
		pump(r, 2);
	return (double)(now_us() - t0) / 1000.0;
}

struct figures {
	double cpu;
	size_t heap;
	long rss;
	unsigned threads;
};

static struct figures stats(struct rig *r)
{
	struct figures f;
	char buf[256];

	ask(r, "S", buf, sizeof(buf));
	sscanf(buf, "%lf %zu %ld %u", &f.cpu, &f.heap, &f.rss, &f.threads);
	return f;
}

/* Figures of one step; heap and RSS per viewer are marginal: the growth
 * since the previous step (*prev, updated) over the viewers added. */
static void step(struct rig *r, unsigned n, int seconds, struct figures *prev,
                 unsigned *prev_n)
{
	unsigned v0[MAX_VIEWERS], a0[MAX_VIEWERS], worst = ~0u, best = 0;
	double joins = 0;
	unsigned joined = 0;
	struct figures f0, f1;
	uint64_t total = 0;

	while (r->n < n) {
		joins += join(r);
		joined++;
	}
	pump(r, 2000);
	f0 = stats(r);
	for (unsigned i = 0; i < r->n; i++) {
		v0[i] = r->c[i]->video;
		a0[i] = r->c[i]->audio;
	}
	pump(r, seconds * 1000);
	f1 = stats(r);
	for (unsigned i = 0; i < r->n; i++) {
		unsigned v = r->c[i]->video - v0[i];

		total += v + r->c[i]->audio - a0[i];
		worst = v < worst ? v : worst;
		best = v > best ? v : best;
	}
	printf("%5u viewers: lite threads %5.1f %% of a core (%.3f %% per "
	       "viewer, %.2f us per packet sent), %.0f pkt/s per viewer, "
	       "worst viewer %.1f %% of the best's video; heap %.1f KB and "
	       "RSS %.1f KB per added viewer; %u threads; join %.0f ms\n",
	       n, (f1.cpu - f0.cpu) * 100.0 / seconds,
	       (f1.cpu - f0.cpu) * 100.0 / seconds / n,
	       total ? (f1.cpu - f0.cpu) * 1e6 / (double)total : 0.0,
	       (double)total / seconds / n, best ? 100.0 * worst / best : 0.0,
	       ((double)f1.heap - (double)prev->heap) / 1024.0 / (n - *prev_n),
	       (double)(f1.rss - prev->rss) / (n - *prev_n), f1.threads,
	       joined ? joins / joined : 0.0);
	fflush(stdout);
	*prev = f1;
	*prev_n = n;
}

int main(int argc, char **argv)
{
	const char *steps = "50,100,200";
	int seconds = 10;
	unsigned threads = 1;
	bool gso = true;
	int p2c[2], c2p[2];
	struct rig *r = g_new0(struct rig, 1);
	struct figures base;
	unsigned base_n = 0;
	char **list;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--steps"))
			steps = argv[i + 1];
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--threads"))
			threads = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--gso"))
			gso = atoi(argv[i + 1]) != 0;
	}
	if (pipe(p2c) || pipe(c2p))
		return 1;
	if (fork() == 0) {
		close(p2c[1]);
		close(c2p[0]);
		serve(p2c[0], c2p[1], threads, gso);
	}
	close(p2c[0]);
	close(c2p[1]);
	r->to = p2c[1];
	r->from = c2p[0];
	sleep(15); /* encoder and source running, rings filled */
	base = stats(r);
	printf(
	    "lite engine, 1280x720@30 1500 kbit/s + Opus, %u send thread(s), "
	    "%d s per step, UDP GSO %s; base: %u threads, RSS %ld KB\n",
	    threads, seconds, gso ? "on" : "off", base.threads, base.rss);
	list = g_strsplit(steps, ",", -1);
	for (char **s = list; *s; s++)
		if (atoi(*s) > (int)base_n && atoi(*s) <= MAX_VIEWERS)
			step(r, (unsigned)atoi(*s), seconds, &base, &base_n);
	g_strfreev(list);
	close(r->to);
	wait(NULL);
	return 0;
}
