/* lviewers.c — a WebRTC load client: thousands of receive-only viewers in
 * one process, without webrtcbin and without decoding, to measure a
 * server's fan-out (sinian over WHEP, or Janus's streaming plugin).
 *
 *   lviewers --whep URL [--token T]             (sinian: POST /whep/{id})
 *   lviewers --janus URL --mountpoint ID         (Janus: /janus, plugin)
 *            [--steps 10,50,100,...] [--hold 10] [--settle 3]
 *            [--server-pid PID] [--feed-pid PID] [--threads 1]
 *            [--verify-every 10] [--join-rate 0] [--up-limit 20]
 *            [--max 5000] [--keep-going] [--label NAME] [--csv FILE]
 *            [--json] [--local-ip 127.0.0.1]
 *
 * Each viewer has its own UDP socket on 127.0.0.1, a small ICE agent
 * (lv_ice, with media/stun), a DTLS-SRTP handshake (lv_dtls) and libsrtp
 * sessions (lv_srtp); the worker threads (lv_loop) count every RTP packet from
 * its header and decrypt a sample (lv_peer). For each step the viewers are
 * joined one after another, the client waits until each has its first complete
 * key frame, lets --settle seconds pass, and measures --hold seconds: delivery
 * from the sequence numbers (every viewer, and the worst), frames per second by
 * marker bits, packets per second, join time (POST or watch → first complete
 * key frame), the server's CPU and RSS (/proc/PID), the client's own CPU. It
 * stops after the first step where a viewer is not receiving or delivery is
 * below 99.9 % (unless --keep-going), then leaves (WHEP DELETE or Janus
 * detach). See bench/README.md. Exit status: 0 when the run completed (whatever
 * it measured), 2 on a usage or set-up error.
 */
#include "lv_http.h"
#include "lv_janus.h"
#include "lv_loop.h"
#include "lv_peer.h"
#include "lv_report.h"
#include "lv_sdp.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SDP_MAX 8192

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	g_stop = sig;
}

int64_t lv_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sleep up to ms; false if a signal asked to stop. */
bool lv_pause_ms(double ms)
{
	int64_t end = lv_now_us() + (int64_t)(ms * 1000);

	while (!g_stop && lv_now_us() < end) {
		int64_t left = end - lv_now_us();
		struct timespec ts = {0, (left > 50000 ? 50000 : left) * 1000};

		if (left > 0)
			nanosleep(&ts, NULL);
	}
	return !g_stop;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: lviewers --whep URL [--token T] | --janus URL "
	        "--mountpoint ID\n"
	        "       [--steps 10,50,100] [--hold S] [--settle S] "
	        "[--up-limit S]\n"
	        "       [--server-pid PID] [--feed-pid PID] [--threads N] "
	        "[--verify-every N]\n"
	        "       [--join-rate N] [--max N] [--keep-going] [--label "
	        "NAME]\n"
	        "       [--local-ip 127.0.0.1]\n"
	        "       [--csv FILE] [--json]\n");
}

static int parse_steps(struct lv_opts *o, const char *arg)
{
	char *end;
	long prev = 0;

	o->nsteps = 0;
	while (*arg && o->nsteps < LV_MAX_STEPS) {
		long v = strtol(arg, &end, 10);

		if (end == arg || v <= prev || (*end && *end != ','))
			return -1;
		o->steps[o->nsteps++] = (int)v;
		prev = v;
		arg = *end ? end + 1 : end;
	}
	return o->nsteps ? 0 : -1;
}

/* A numeric option's value, checked against [lo, hi]. */
static bool num(const char *v, double lo, double hi, double *out)
{
	char *end;
	double d = v ? strtod(v, &end) : 0;

	if (!v || end == v || *end || d < lo || d > hi)
		return false;
	*out = d;
	return true;
}

/* The numeric options: 1 if a is one and v is in range, -1 if a is one
 * and v is not, 0 if a is another option. */
static int numeric_opt(struct lv_opts *o, const char *a, const char *v)
{
	static const struct {
		const char *name;
		double lo, hi;
	} t[] = {{"--mountpoint", 1, 1e15},  {"--hold", 1, 3600},
	         {"--settle", 0, 600},       {"--up-limit", 1, 600},
	         {"--join-rate", 0, 1e6},    {"--server-pid", 1, 1e9},
	         {"--feed-pid", 1, 1e9},     {"--threads", 1, 64},
	         {"--verify-every", 1, 1e6}, {"--max", 1, 100000}};
	double d;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]) && strcmp(a, t[i].name); i++)
		;
	if (i == sizeof(t) / sizeof(t[0]))
		return 0;
	if (!num(v, t[i].lo, t[i].hi, &d))
		return -1;
	switch (i) {
	case 0: o->mountpoint = (int64_t)d; break;
	case 1: o->hold = d; break;
	case 2: o->settle = d; break;
	case 3: o->up_limit = d; break;
	case 4: o->join_rate = d; break;
	case 5: o->server_pid = (pid_t)d; break;
	case 6: o->feed_pid = (pid_t)d; break;
	case 7: o->threads = (int)d; break;
	case 8: o->verify_every = (unsigned)d; break;
	default: o->max = (int)d; break;
	}
	return 1;
}

/* One option at argv[*i] (and its value); false if it is bad. */
static bool one_opt(struct lv_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	int n = numeric_opt(o, a, v);
	bool ok = v != NULL;

	if (n)
		ok = n > 0;
	else if (!strcmp(a, "--keep-going") || !strcmp(a, "--json")) {
		*(a[2] == 'k' ? &o->keep_going : &o->json) = true;
		return true; /* no value */
	} else if (!strcmp(a, "--whep"))
		o->whep = v;
	else if (!strcmp(a, "--token"))
		o->token = v;
	else if (!strcmp(a, "--janus"))
		o->janus = v;
	else if (!strcmp(a, "--steps"))
		ok = v && !parse_steps(o, v);
	else if (!strcmp(a, "--local-ip"))
		ok = v && inet_pton(AF_INET, v, &o->ip) == 1;
	else if (!strcmp(a, "--label"))
		o->label = v ? v : "";
	else if (!strcmp(a, "--csv"))
		o->csv = v;
	else
		ok = false;
	(*i)++;
	return ok;
}

static int parse_opts(struct lv_opts *o, int argc, char **argv)
{
	static const int def_steps[] = {10,  50,   100,  200, 400,
	                                700, 1000, 1500, 2000};

	*o = (struct lv_opts){.hold = 10,
	                      .settle = 3,
	                      .up_limit = 20,
	                      .threads = 1,
	                      .max = 5000,
	                      .verify_every = 10,
	                      .label = ""};
	o->ip.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(o->steps, def_steps, sizeof(def_steps));
	o->nsteps = (int)(sizeof(def_steps) / sizeof(def_steps[0]));
	for (int i = 1; i < argc; i++)
		if (!one_opt(o, argc, argv, &i)) {
			fprintf(stderr, "lviewers: bad option %s\n",
			        argv[i - 1]);
			usage();
			return -1;
		}
	if (!o->whep == !o->janus || (o->janus && !o->mountpoint)) {
		usage();
		return -1;
	}
	return 0;
}

static void note_error(struct lv_run *r, const char *what)
{
	r->join_errors++;
	if (!r->first_error[0])
		snprintf(r->first_error, sizeof(r->first_error), "%s", what);
}

/* WHEP: POST our offer, read the answer. */
static int join_whep(struct lv_run *r, struct lv_viewer *v, char *err,
                     size_t errlen)
{
	char offer[SDP_MAX];
	struct lv_sdp_local loc;
	struct lv_sdp_remote rem;
	struct lv_http_res res;
	int rc = -1;

	lv_peer_local(v->p, &loc);
	if (!lv_sdp_offer(offer, sizeof(offer), &loc)) {
		snprintf(err, errlen, "offer too long");
		return -1;
	}
	lv_peer_set_join_start(v->p, lv_now_us());
	if (lv_http(r->curl, "POST", r->o.whep, "application/sdp", offer,
	            r->o.token, 20000, NULL, &res)) {
		snprintf(err, errlen, "WHEP POST: no answer");
		return -1;
	}
	if (res.status != 201)
		snprintf(err, errlen, "WHEP POST: %ld %.160s", res.status,
		         res.body);
	else if (!lv_sdp_parse(res.body, &rem, err, errlen)) {
		lv_http_resolve(r->o.whep, res.location, v->location,
		                sizeof(v->location));
		lv_peer_set_remote(v->p, &rem, true);
		rc = 0;
	}
	lv_http_res_clear(&res);
	return rc;
}

/* Janus: attach, watch (Janus offers), answer with start. */
static int join_janus(struct lv_run *r, struct lv_viewer *v, char *err,
                      size_t errlen)
{
	char answer[SDP_MAX], *offer = NULL;
	struct lv_sdp_local loc;
	struct lv_sdp_remote rem;
	int rc = -1;

	lv_peer_set_join_start(v->p, lv_now_us());
	if (lv_janus_watch(r->janus, r->o.mountpoint, &v->handle, &offer, err,
	                   errlen))
		goto out;
	if (lv_sdp_parse(offer, &rem, err, errlen))
		goto out;
	lv_peer_local(v->p, &loc);
	if (!lv_sdp_answer(answer, sizeof(answer), &rem, &loc)) {
		snprintf(err, errlen, "cannot answer Janus's offer");
		goto out;
	}
	lv_peer_set_remote(v->p, &rem, false);
	rc = lv_janus_start(r->janus, v->handle, answer, err, errlen);
out:
	free(offer);
	return rc;
}

/* One more viewer: its socket, the signalling, then to a worker. false
 * if no viewer could be made at all (out of sockets). */
static bool join_one(struct lv_run *r)
{
	struct lv_peer_opts po = {r->dtls, r->o.ip, r->o.verify_every};
	struct lv_viewer *v = &r->v[r->nv];
	char err[256];
	int rc;

	memset(v, 0, sizeof(*v));
	v->p = lv_peer_new(&po, err, sizeof(err));
	if (!v->p) {
		note_error(r, err);
		return false;
	}
	r->nv++;
	rc = r->o.whep ? join_whep(r, v, err, sizeof(err))
	               : join_janus(r, v, err, sizeof(err));
	if (!rc && lv_loop_add(r->loop, v->p)) {
		snprintf(err, sizeof(err), "cannot watch the socket");
		rc = -1;
	}
	v->answered = !rc;
	if (rc)
		note_error(r, err);
	return true;
}

/* Join viewers up to n, at --join-rate a second (0: back to back). */
static bool join_to(struct lv_run *r, int n)
{
	int64_t t0 = lv_now_us();
	int first = r->nv;

	while (r->nv < n && !g_stop) {
		if (r->o.join_rate > 0) {
			int64_t due = t0 + (int64_t)((r->nv - first) * 1e6 /
			                             r->o.join_rate);

			if (due > lv_now_us() &&
			    !lv_pause_ms((double)(due - lv_now_us()) / 1000))
				return false;
		}
		if (!join_one(r)) {
			r->stop_reason = "cannot make more viewers";
			return false;
		}
	}
	return !g_stop;
}

/* Wait until every viewer since `first` has a key frame or has failed. */
static bool wait_joined(struct lv_run *r, int first)
{
	int64_t end = lv_now_us() + (int64_t)(r->o.up_limit * 1e6);

	while (lv_now_us() < end) {
		int pending = 0;

		for (int i = first; i < r->nv; i++) {
			struct lv_peer_snap s;

			if (!r->v[i].answered)
				continue;
			lv_peer_snap(r->v[i].p, &s);
			pending += !s.join_us && s.state != LV_PEER_FAILED;
		}
		if (!pending)
			break;
		if (!lv_pause_ms(50))
			return false;
	}
	return !g_stop;
}

static void leave_all(struct lv_run *r)
{
	for (int i = 0; i < r->nv; i++) {
		struct lv_viewer *v = &r->v[i];
		struct lv_http_res res;

		if (!v->answered)
			continue;
		if (r->o.whep && v->location[0] &&
		    !lv_http(r->curl, "DELETE", v->location, NULL, NULL,
		             r->o.token, 10000, NULL, &res)) {
			r->left += res.status == 200 || res.status == 204;
			lv_http_res_clear(&res);
		} else if (r->janus && v->handle &&
		           !lv_janus_detach(r->janus, v->handle)) {
			r->left++;
		}
	}
}

static int setup(struct lv_run *r)
{
	char err[256];
	struct rlimit rl;

	/* thousands of sockets */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (lv_srtp_global_init()) {
		fprintf(stderr, "lviewers: libsrtp would not start\n");
		return -1;
	}
	r->curl = curl_easy_init();
	r->dtls = lv_dtls_ctx_new(err, sizeof(err));
	if (!r->curl || !r->dtls)
		goto fail;
	r->loop = lv_loop_new(r->o.threads, err, sizeof(err));
	if (!r->loop)
		goto fail;
	if (r->o.janus &&
	    !(r->janus = lv_janus_new(r->o.janus, err, sizeof(err))))
		goto fail;
	r->v = calloc((size_t)r->o.max + 1, sizeof(*r->v));
	if (!r->v) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "lviewers: %s\n", r->dtls || !r->curl ? err : "DTLS");
	return -1;
}

static void teardown(struct lv_run *r)
{
	lv_loop_free(r->loop); /* the workers stop before the viewers go */
	for (int i = 0; i < r->nv; i++)
		lv_peer_free(r->v[i].p);
	free(r->v);
	lv_janus_free(r->janus);
	lv_dtls_ctx_free(r->dtls);
	if (r->curl)
		curl_easy_cleanup(r->curl);
	curl_global_cleanup();
}

/* The ramp: step 0 (no viewers), then each count in --steps. */
static void ramp(struct lv_run *r)
{
	struct lv_step *s;

	lv_report_start(r);
	if (!lv_pause_ms(1000))
		return;
	s = &r->res[r->ns];
	if (!lv_report_measure(r, s, 0, r->o.hold < 5 ? r->o.hold : 5))
		return;
	lv_report_step(r, s);
	r->ns++;
	for (int i = 0; i < r->o.nsteps && !g_stop; i++) {
		int first = r->nv;

		if (r->o.steps[i] > r->o.max) {
			r->stop_reason = "reached --max";
			break;
		}
		s = &r->res[r->ns];
		if (!join_to(r, r->o.steps[i]) || !wait_joined(r, first) ||
		    !lv_pause_ms(r->o.settle * 1000) ||
		    !lv_report_measure(r, s, first, r->o.hold))
			break;
		r->ns++;
		lv_report_step(r, s);
		if (!s->sustained && !r->o.keep_going) {
			r->stop_reason = s->up < s->n ? "a viewer not receiving"
			                              : "delivery below 99.9 %";
			break;
		}
	}
}

int main(int argc, char **argv)
{
	struct lv_run r;
	struct sigaction sa = {.sa_handler = on_signal};
	int rc = 2;

	memset(&r, 0, sizeof(r));
	r.stop_reason = "every step ran";
	if (parse_opts(&r.o, argc, argv))
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!setup(&r)) {
		ramp(&r);
		if (g_stop)
			r.stop_reason = "interrupted";
		leave_all(&r);
		lv_report_end(&r);
		rc = 0;
	}
	teardown(&r);
	return rc;
}
