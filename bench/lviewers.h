/* lviewers.h — the load client's run: its options, its viewers and the
 * figures of each step, shared by lviewers.c (joining, the ramp) and
 * lv_report.c (measuring and printing).
 */
#ifndef LVIEWERS_H
#define LVIEWERS_H

#include "lv_dtls.h"
#include "lv_http.h"
#include "lv_janus.h"
#include "lv_loop.h"
#include "lv_peer.h"

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/types.h>

#define LV_MAX_STEPS 64
#define LV_TARGET    0.999 /* delivered, for a step to count */
#define LV_FULL_FPS  27.0  /* 90 % of the 30 fps both servers send */

struct lv_opts {
	const char *whep, *token; /* sinian */
	const char *janus;        /* Janus */
	int64_t mountpoint;
	int steps[LV_MAX_STEPS], nsteps;
	double hold, settle, up_limit, join_rate;
	pid_t server_pid, feed_pid; /* 0: not measured */
	int threads, max;
	unsigned verify_every;
	bool keep_going, json;
	const char *label, *csv;
	struct in_addr ip; /* the viewers' sockets */
};

struct lv_viewer {
	struct lv_peer *p;
	bool answered;          /* the server took it; a worker runs it */
	char location[512];     /* WHEP: to DELETE */
	uint64_t handle;        /* Janus: to detach */
	struct lv_peer_snap s0; /* at the start of the window */
};

struct lv_step {
	int n, up, failed, no_answer;
	double delivery, worst, fps, pps;
	uint64_t received, expected, auth_failed, verified;
	int joins; /* new viewers of this step with a key frame */
	double join_med, join_p95, join_max; /* ms */
	double srv_cpu, srv_rss_mib, feed_cpu, cli_cpu, load;
	long srv_threads;
	long long cli_drops; /* dropped by the kernel at the viewers' sockets */
	bool sustained;
	const char *why; /* a failed viewer's reason, "" */
};

struct lv_run {
	struct lv_opts o;
	CURL *curl;
	struct lv_dtls_ctx *dtls;
	struct lv_loop *loop;
	struct lv_janus *janus;
	struct lv_viewer *v;
	int nv;
	int join_errors;
	char first_error[256];
	struct lv_step res[LV_MAX_STEPS + 1];
	int ns;
	int left; /* viewers the server let go (DELETE 200, detach success) */
	const char *stop_reason;
	FILE *csv;
};

/* Monotonic microseconds. */
int64_t lv_now_us(void);
/* Sleep ms in short slices; false if a signal asked to stop. */
bool lv_pause_ms(double ms);

#endif
