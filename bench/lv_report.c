/* lv_report.c — the load client's measurements and their printing.
 *
 * Owns: the step figures, the table, the CSV file and the JSON summary.
 * Must never: touch a viewer other than through lv_peer_snap(). Called by
 * lviewers.c.
 *
 * Delivery as bench/viewers.c counts it: packets expected = the span of
 * (extended) sequence numbers a viewer saw in the window, delivered = the
 * packets that came (authenticated where sampled); a viewer that stopped
 * receiving is charged what the others were sent.
 */
#include "lv_report.h"

#include "lv_proc.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRESH_US                                                               \
	1000000 /* receiving: a packet of each kind in the last 1 s            \
	         */

struct window {
	int64_t t0;
	double srv0, feed0, cli0;
	unsigned short *ports; /* the viewers' sockets, sorted */
	size_t nports;
	long long drops0;
};

static int cmp_port(const void *a, const void *b)
{
	return (int)*(const unsigned short *)a -
	       (int)*(const unsigned short *)b;
}

static void window_open(struct lv_run *r, struct window *w)
{
	w->ports = calloc((size_t)r->nv + 1, sizeof(*w->ports));
	w->nports = 0;
	for (int i = 0; i < r->nv; i++) {
		struct lv_sdp_local loc;

		lv_peer_snap(r->v[i].p, &r->v[i].s0);
		lv_peer_local(r->v[i].p, &loc);
		if (w->ports)
			w->ports[w->nports++] = ntohs(loc.addr.sin_port);
	}
	if (w->ports)
		qsort(w->ports, w->nports, sizeof(*w->ports), cmp_port);
	w->drops0 = lv_proc_udp_drops(w->ports, w->nports);
	w->srv0 = r->o.server_pid ? lv_proc_cpu_s(r->o.server_pid) : -1;
	w->feed0 = r->o.feed_pid ? lv_proc_cpu_s(r->o.feed_pid) : -1;
	w->cli0 = lv_proc_self_cpu_s();
	w->t0 = lv_now_us();
}

/* CPU of pid over the window, % of one core; -1 if not measured. */
static double cpu_pct(pid_t pid, double c0, double secs)
{
	double c1 = pid ? lv_proc_cpu_s(pid) : -1;

	return c0 >= 0 && c1 >= 0 ? (c1 - c0) / secs * 100 : -1;
}

static void window_close(struct lv_run *r, struct lv_step *s,
                         const struct window *w)
{
	double secs = (double)(lv_now_us() - w->t0) / 1e6;

	s->srv_cpu = cpu_pct(r->o.server_pid, w->srv0, secs);
	s->feed_cpu = cpu_pct(r->o.feed_pid, w->feed0, secs);
	s->cli_cpu = (lv_proc_self_cpu_s() - w->cli0) / secs * 100;
	s->srv_rss_mib = r->o.server_pid
	                     ? lv_proc_status(r->o.server_pid, "VmRSS") / 1024.0
	                     : -1;
	s->srv_threads =
	    r->o.server_pid ? lv_proc_status(r->o.server_pid, "Threads") : -1;
	s->load = lv_proc_loadavg();
	s->cli_drops = lv_proc_udp_drops(w->ports, w->nports);
	s->cli_drops =
	    s->cli_drops >= 0 && w->drops0 >= 0 ? s->cli_drops - w->drops0 : -1;
	free(w->ports);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median, p95 (nearest rank) and max of the new viewers' join times. */
static void join_times(struct lv_run *r, struct lv_step *s, int first)
{
	double *t = calloc((size_t)(r->nv - first) + 1, sizeof(double));
	int n = 0;

	for (int i = first; t && i < r->nv; i++) {
		struct lv_peer_snap now;

		lv_peer_snap(r->v[i].p, &now);
		if (now.join_us)
			t[n++] = (double)now.join_us / 1000;
	}
	s->joins = n;
	if (n) {
		qsort(t, (size_t)n, sizeof(double), cmp_double);
		s->join_med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
		s->join_p95 = t[(int)((n * 95 + 99) / 100) - 1];
		s->join_max = t[n - 1];
	}
	free(t);
}

/* Delivery over the window, per viewer and in all. */
static void delivery(struct lv_run *r, struct lv_step *s, double secs)
{
	int64_t fresh = lv_now_us() - FRESH_US;
	uint64_t ref[2] = {0, 0};
	struct lv_peer_snap *e = calloc((size_t)r->nv + 1, sizeof(*e));
	bool *live = calloc((size_t)r->nv + 1, sizeof(bool));

	s->worst = 1;
	for (int i = 0; e && live && i < r->nv; i++) {
		lv_peer_snap(r->v[i].p, &e[i]);
		live[i] = e[i].state == LV_PEER_MEDIA &&
		          e[i].last_us[LV_VIDEO] > fresh &&
		          e[i].last_us[LV_AUDIO] > fresh;
		for (int k = 0; k < 2; k++)
			if (live[i] &&
			    e[i].expected[k] - r->v[i].s0.expected[k] > ref[k])
				ref[k] =
				    e[i].expected[k] - r->v[i].s0.expected[k];
	}
	for (int i = 0; e && live && i < r->nv; i++) {
		const struct lv_peer_snap *a = &r->v[i].s0;
		uint64_t rv = 0, ev = 0;

		s->up += live[i];
		s->no_answer += !r->v[i].answered;
		if (e[i].state == LV_PEER_FAILED) {
			s->failed++;
			s->why = e[i].why;
		}
		for (int k = 0; k < 2; k++) {
			uint64_t ex = e[i].expected[k] - a->expected[k];
			uint64_t rc = e[i].received[k] - a->received[k];

			if (!live[i] && ex < ref[k])
				ex = ref[k]; /* stalled: charge what others got
				              */
			rv += rc < ex ? rc : ex;
			ev += ex;
			s->pps += (double)rc / secs;
		}
		s->received += rv;
		s->expected += ev;
		if (ev && (double)rv / (double)ev < s->worst)
			s->worst = (double)rv / (double)ev;
		s->fps +=
		    (double)(e[i].markers[LV_VIDEO] - a->markers[LV_VIDEO]) /
		    secs;
		s->auth_failed += e[i].auth_failed - a->auth_failed;
		s->verified += e[i].verified - a->verified;
	}
	if (r->nv) {
		s->fps /= r->nv;
		s->pps /= r->nv;
	}
	s->delivery = s->expected ? (double)s->received / (double)s->expected
	                          : (r->nv ? 0 : 1);
	free(e);
	free(live);
}

bool lv_report_measure(struct lv_run *r, struct lv_step *s, int first,
                       double hold)
{
	struct window w;
	int64_t t0;

	memset(s, 0, sizeof(*s));
	s->n = r->nv;
	s->why = "";
	join_times(r, s, first);
	window_open(r, &w);
	t0 = w.t0;
	if (!lv_pause_ms(hold * 1000)) {
		free(w.ports);
		return false;
	}
	window_close(r, s, &w);
	delivery(r, s, (double)(lv_now_us() - t0) / 1e6);
	s->sustained =
	    s->delivery >= LV_TARGET && s->up == s->n && !s->auth_failed;
	return true;
}

void lv_report_start(struct lv_run *r)
{
	char machine[512], date[64];
	time_t now = time(NULL);

	lv_proc_machine(machine, sizeof(machine));
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	printf("lviewers %s — %s\nmachine: %s\n", r->o.label, date, machine);
	printf("server: %s%s (pid %d); load average %.2f at the start\n",
	       r->o.whep ? "WHEP " : "Janus ",
	       r->o.whep ? r->o.whep : r->o.janus, (int)r->o.server_pid,
	       lv_proc_loadavg());
	printf("hold %.0f s per step after %.0f s settling; %d client "
	       "thread(s); SRTP checked on 1 packet in %u\n\n",
	       r->o.hold, r->o.settle, r->o.threads, r->o.verify_every);
	printf("%7s %5s %4s %9s %9s %7s %5s %6s %16s %7s %8s %7s %7s %8s "
	       "%6s\n",
	       "viewers", "up", "fail", "delivery", "worst", "lost", "fps",
	       "pkt/s", "join med/p95 ms", "srv CPU", "srv RSS", "threads",
	       "cli CPU", "cli drop", "load");
	fflush(stdout);
	if (r->o.csv && (r->csv = fopen(r->o.csv, "w")))
		fprintf(r->csv,
		        "label,viewers,up,failed,delivery,worst,lost,fps,"
		        "pkt_s,join_med_ms,join_p95_ms,join_max_ms,srv_cpu,"
		        "srv_rss_mib,srv_threads,feed_cpu,cli_cpu,cli_drops,"
		        "load,auth_failed\n");
}

void lv_report_step(struct lv_run *r, const struct lv_step *s)
{
	printf("%7d %5d %4d %8.3f%% %8.3f%% %7llu %5.1f %6.0f %7.0f/%-8.0f "
	       "%6.1f%% %4.0f MiB %7ld %6.1f%% %8lld %6.2f\n",
	       s->n, s->up, s->failed, s->delivery * 100, s->worst * 100,
	       (unsigned long long)(s->expected - s->received), s->fps, s->pps,
	       s->join_med, s->join_p95, s->srv_cpu, s->srv_rss_mib,
	       s->srv_threads, s->cli_cpu, s->cli_drops, s->load);
	if (s->failed)
		printf("        (a failed viewer: %s)\n", s->why);
	fflush(stdout);
	if (r->csv) {
		fprintf(r->csv,
		        "%s,%d,%d,%d,%.5f,%.5f,%llu,%.2f,%.1f,%.1f,%.1f,%.1f,"
		        "%.2f,%.1f,%ld,%.2f,%.2f,%lld,%.2f,%llu\n",
		        r->o.label, s->n, s->up, s->failed, s->delivery * 100,
		        s->worst * 100,
		        (unsigned long long)(s->expected - s->received), s->fps,
		        s->pps, s->join_med, s->join_p95, s->join_max,
		        s->srv_cpu, s->srv_rss_mib, s->srv_threads, s->feed_cpu,
		        s->cli_cpu, s->cli_drops, s->load,
		        (unsigned long long)s->auth_failed);
		fflush(r->csv);
	}
}

/* Highest sustained counts and the per-viewer slopes. */
static void summary(struct lv_run *r, int *best, int *full, double sl[3],
                    int *m)
{
	double x[LV_MAX_STEPS + 1], yc[LV_MAX_STEPS + 1], ym[LV_MAX_STEPS + 1];
	double yk[LV_MAX_STEPS + 1];

	*best = *full = -1;
	*m = 0;
	for (int i = 1; i < r->ns && r->res[i].sustained; i++) {
		*best = r->res[i].n;
		if (r->res[i].fps >= LV_FULL_FPS)
			*full = r->res[i].n;
	}
	/* the cost of a viewer, from the steps where every viewer received
	 * at full frame rate (a starved encoder would hide it) */
	for (int i = 0; i < r->ns; i++) {
		const struct lv_step *s = &r->res[i];

		if (s->up != s->n || (s->n && s->fps < LV_FULL_FPS))
			continue;
		x[*m] = s->n;
		yc[*m] = s->srv_cpu;
		ym[*m] = s->srv_rss_mib * 1024;
		yk[*m] = s->cli_cpu;
		(*m)++;
	}
	sl[0] = lv_proc_slope(x, yc, *m);
	sl[1] = lv_proc_slope(x, ym, *m);
	sl[2] = lv_proc_slope(x, yk, *m);
}

static void print_json(struct lv_run *r, int best, int full, const double sl[3],
                       int m)
{
	json_t *steps = json_array(), *j;
	char *text;

	for (int i = 0; i < r->ns; i++) {
		const struct lv_step *s = &r->res[i];

		json_array_append_new(
		    steps,
		    json_pack(
		        "{s:i,s:i,s:i,s:i,s:f,s:f,s:I,s:f,s:f,s:i,s:f,s:f,"
		        "s:f,s:f,s:f,s:I,s:f,s:I,s:I,s:b,s:s}",
		        "viewers", s->n, "up", s->up, "failed", s->failed,
		        "no_answer", s->no_answer, "delivery",
		        s->delivery * 100, "worst", s->worst * 100, "lost",
		        (json_int_t)(s->expected - s->received), "fps", s->fps,
		        "pkt_s", s->pps, "joins", s->joins, "join_med_ms",
		        s->join_med, "join_p95_ms", s->join_p95, "join_max_ms",
		        s->join_max, "srv_cpu", s->srv_cpu, "srv_rss_mib",
		        s->srv_rss_mib, "srv_threads",
		        (json_int_t)s->srv_threads, "cli_cpu", s->cli_cpu,
		        "auth_failed", (json_int_t)s->auth_failed, "verified",
		        (json_int_t)s->verified, "sustained", s->sustained,
		        "why", s->why));
	}
	j = json_pack("{s:s,s:o,s:i,s:i,s:i,s:f,s:f,s:f,s:i,s:i,s:s,s:s}",
	              "label", r->o.label, "steps", steps, "max_sustained",
	              best, "max_full_fps", full, "slope_steps", m,
	              "srv_cpu_per_viewer", sl[0], "srv_rss_kib_per_viewer",
	              sl[1], "cli_cpu_per_viewer", sl[2], "left", r->left,
	              "join_errors", r->join_errors, "first_error",
	              r->first_error, "stopped", r->stop_reason);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(j);
}

static int answered(const struct lv_run *r)
{
	int n = 0;

	for (int i = 0; i < r->nv; i++)
		n += r->v[i].answered;
	return n;
}

void lv_report_end(struct lv_run *r)
{
	int best, full, m;
	double sl[3];

	summary(r, &best, &full, sl, &m);
	printf("\nstopped: %s\n", r->stop_reason);
	if (r->join_errors)
		printf("joins refused or failed: %d (first: %s)\n",
		       r->join_errors, r->first_error);
	printf("max sustained (every viewer receiving, >= %.1f %% delivered): "
	       "%d; at full frame rate (>= %.0f fps): %d\n",
	       LV_TARGET * 100, best, LV_FULL_FPS, full);
	if (m >= 2)
		printf("per viewer (slope over %d steps at full frame rate): "
		       "server CPU %.3f %% of a core, server RSS %.1f KiB; "
		       "client CPU %.3f %%\n",
		       m, sl[0], sl[1], sl[2]);
	printf("viewers the server let go at the end: %d of %d\n", r->left,
	       answered(r));
	if (r->o.json)
		print_json(r, best, full, sl, m);
	fflush(stdout);
	if (r->csv)
		fclose(r->csv);
}
