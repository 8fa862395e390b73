/* viewers.c — how many concurrent WHEP viewers one live ceremony sustains.
 *
 *   bench/viewers [--bin build/sinian] [--steps 1,5,10,20,...]
 *                 [--window 10] [--settle 3] [--budget 300] [--max 500]
 *
 * Starts the real sinian daemon (a free 127.0.0.1 port, a temporary data
 * dir, loopback-only ICE, no demo), creates an admin, an agency and a
 * public ceremony on the test source through the API and starts it. Then
 * it steps the number of viewers up. Every viewer is a GStreamer webrtcbin
 * in this process (recvonly H.264 + Opus, max-bundle, loopback ICE,
 * DTLS-SRTP) that joins with a real WHEP POST; it does not decode: a
 * probe on each of webrtcbin's src pads (after SRTP and the jitter buffer)
 * counts the RTP packets per stream and reads their sequence numbers, so
 * packets expected = the span of sequence numbers seen, and packets
 * delivered = packets that came out. A viewer whose stream stopped is
 * charged what the others were sent.
 *
 * Each step: join the new viewers, wait until each receives video and
 * audio, let the join key frames pass (--settle s), then measure for
 * --window s: delivery, the daemon's CPU (utime+stime from /proc/PID/stat)
 * and RSS (VmRSS), this process's CPU, the frame rate viewers got (RTP
 * marker bits), the load average. It stops at the first step below 99.9 %
 * delivery, when the daemon uses 90 % of all cores, at --max viewers, or
 * when the next step would not fit in --budget seconds; then it prints the
 * table, the highest sustained count and the CPU and memory per viewer
 * (least-squares slope over the steps), leaves (WHEP DELETE), stops the
 * daemon and removes the temporary files. It does not pass or fail.
 *
 * Built by CMake as build/bench/viewers (bench/CMakeLists.txt), with the
 * /proc readings of lv_proc.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/gst.h>
#include <gst/rtp/rtp.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <jansson.h>

#include "lv_proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STEPS    64
#define HTTP_TIMEOUT 15 /* s, per request */
#define UP_LIMIT_MS  15000
#define TARGET       0.999
#define FULL_FPS     27.0 /* 90 % of the 30 fps the daemon encodes */
#define ADMIN_LOGIN  "bench@example.org"
#define ADMIN_PASS   "bench password 1234"

/* ---- process bookkeeping (the signal handlers need it) ------------------ */

static volatile sig_atomic_t g_stop;
static volatile pid_t g_daemon = -1;

static void on_signal(int sig)
{
	if (g_stop) { /* second signal: no more patience */
		if (g_daemon > 0)
			kill(g_daemon, SIGKILL);
		_exit(128 + sig);
	}
	g_stop = sig;
	if (g_daemon > 0)
		kill(g_daemon, SIGTERM);
}

static void on_alarm(int sig)
{
	static const char msg[] = "viewers: overall time limit hit, exiting\n";

	if (g_daemon > 0)
		kill(g_daemon, SIGKILL);
	if (write(2, msg, sizeof(msg) - 1) < 0) {
	}
	_exit(3);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *g_tmp; /* temporary dir: data dir, config, daemon log */

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
	remove(p);
	return 0;
}

static void stop_daemon(void)
{
	pid_t pid = g_daemon;
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 150; i++) { /* 15 s, then SIGKILL */
		if (waitpid(pid, &status, WNOHANG) == pid) {
			g_daemon = -1;
			return;
		}
		g_usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	g_daemon = -1;
}

static void cleanup(void)
{
	stop_daemon();
	if (g_tmp && !getenv("VIEWERS_KEEP_TMP"))
		nftw(g_tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "viewers: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	if (g_tmp) {
		char *log = g_build_filename(g_tmp, "daemon.log", NULL);
		char *cmd = g_strdup_printf("tail -n 20 '%s' >&2", log);

		fprintf(stderr, "daemon log (last lines):\n");
		if (system(cmd) < 0) {
		}
		g_free(cmd);
		g_free(log);
	}
	cleanup();
	exit(2);
}

static double now_s(void)
{
	return g_get_monotonic_time() / 1e6;
}

/* ---- a minimal HTTP/1.1 client (loopback, Connection: close) ------------ */

static int g_port;

struct http_res {
	int status;
	char location[256];
	GString *body;
};

static void http_res_clear(struct http_res *r)
{
	if (r->body)
		g_string_free(r->body, TRUE);
	memset(r, 0, sizeof(*r));
}

/* 0 and *r filled (status may be any), or -1 (no connection/answer). */
static int http(const char *method, const char *path, const char *token,
                const char *ctype, const char *body, struct http_res *r)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)g_port)};
	struct timeval tv = {.tv_sec = HTTP_TIMEOUT};
	GString *req = g_string_new(NULL), *in = g_string_new(NULL);
	size_t blen = body ? strlen(body) : 0, off = 0;
	char buf[16384], *hdr_end, *p;
	long clen = -1;
	int fd, rc = -1;

	memset(r, 0, sizeof(*r));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_string_append_printf(req,
	                       "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	                       "Connection: close\r\nContent-Length: %zu\r\n",
	                       method, path, g_port, blen);
	if (token)
		g_string_append_printf(req, "Authorization: Bearer %s\r\n",
		                       token);
	if (ctype)
		g_string_append_printf(req, "Content-Type: %s\r\n", ctype);
	g_string_append(req, "\r\n");
	if (body)
		g_string_append_len(req, body, (gssize)blen);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto out;
	while (off < req->len) {
		ssize_t n = write(fd, req->str + off, req->len - off);

		if (n <= 0)
			goto out;
		off += (size_t)n;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		g_string_append_len(in, buf, n);
		hdr_end = strstr(in->str, "\r\n\r\n");
		if (hdr_end && clen < 0) {
			for (p = strstr(in->str, "\r\n"); p && p < hdr_end;
			     p = strstr(p + 2, "\r\n"))
				if (!g_ascii_strncasecmp(p + 2,
				                         "content-length:", 15))
					clen = atol(p + 17);
		}
		if (hdr_end && clen >= 0 &&
		    in->len >= (size_t)(hdr_end + 4 - in->str) + (size_t)clen)
			break;
	}
	hdr_end = strstr(in->str, "\r\n\r\n");
	if (!hdr_end || sscanf(in->str, "HTTP/1.%*d %d", &r->status) != 1)
		goto out;
	for (p = strstr(in->str, "\r\n"); p && p < hdr_end;
	     p = strstr(p + 2, "\r\n")) {
		if (!g_ascii_strncasecmp(p + 2, "location:", 9)) {
			const char *v = p + 11;
			const char *e = strstr(v, "\r\n");

			while (*v == ' ')
				v++;
			snprintf(r->location, sizeof(r->location), "%.*s",
			         (int)(e - v), v);
		}
	}
	r->body = g_string_new(hdr_end + 4);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	g_string_free(req, TRUE);
	g_string_free(in, TRUE);
	return rc;
}

/* JSON request; returns the parsed body (or NULL) and the status. */
static json_t *api(const char *method, const char *path, const char *token,
                   json_t *body, int *status)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct http_res r;
	json_t *out = NULL;

	if (body)
		json_decref(body);
	*status = 0;
	if (http(method, path, token, text ? "application/json" : NULL, text,
	         &r) == 0) {
		*status = r.status;
		out = json_loads(r.body->str, 0, NULL);
		if (r.status >= 300)
			fprintf(stderr, "%s %s → %d %s\n", method, path,
			        r.status, r.body->str);
	}
	http_res_clear(&r);
	free(text);
	return out;
}

/* ---- the daemon ---------------------------------------------------------- */

static int free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &len))
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* fork + exec argv with stdin from `input` (or /dev/null) and stdout and
 * stderr to `log`; the child dies with us. */
static pid_t spawn(char *const argv[], const char *input, const char *log)
{
	int in[2];
	pid_t parent = getpid(), pid;

	if (pipe2(in, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		dup2(in[0], 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	if (pid > 0 && input && write(in[1], input, strlen(input)) < 0) {
	}
	close(in[1]);
	return pid;
}

static void start_daemon(const char *bin)
{
	char *conf = g_build_filename(g_tmp, "sinian.conf", NULL);
	char *data = g_build_filename(g_tmp, "data", NULL);
	char *log = g_build_filename(g_tmp, "daemon.log", NULL);
	int status;

	g_mkdir_with_parents(data, 0700);
	for (int attempt = 0; attempt < 5 && g_daemon <= 0; attempt++) {
		char *text;
		char *argv[] = {(char *)bin, "--config", conf, NULL};

		g_port = free_port();
		if (!g_port)
			die("no free port");
		text = g_strdup_printf(
		    "listen = 127.0.0.1:%d\ndata_dir = %s\nlog_level = warn\n"
		    "demo = false\ndemo_ceremony = false\n"
		    "media_loopback_only = true\n"
		    "rate_limit_writes = 1000000\n"
		    "max_viewers_per_address = 100000\n"
		    "max_connections_per_address = 0\n",
		    g_port, data);
		if (!g_file_set_contents(conf, text, -1, NULL))
			die("cannot write %s", conf);
		g_free(text);
		g_daemon = spawn(argv, NULL, log);
		if (g_daemon <= 0)
			die("cannot start %s", bin);
		for (int i = 0; i < 400 && !g_stop; i++) { /* 20 s */
			struct http_res r;

			if (http("GET", "/healthz", NULL, NULL, NULL, &r) ==
			    0) {
				http_res_clear(&r);
				goto up;
			}
			if (waitpid(g_daemon, &status, WNOHANG) == g_daemon) {
				g_daemon = -1; /* port taken? try another */
				break;
			}
			g_usleep(50000);
		}
		if (g_daemon > 0)
			die("the daemon did not answer /healthz in 20 s");
	}
	die("the daemon would not start");
up:
	g_free(conf);
	g_free(log);
	g_free(data);
}

static void add_admin(const char *bin)
{
	char *data = g_build_filename(g_tmp, "data", NULL);
	char *log = g_build_filename(g_tmp, "cli.log", NULL);
	char *argv[] = {(char *)bin, "--data-dir",       data,        "user",
	                "add",       "--login",          ADMIN_LOGIN, "--role",
	                "admin",     "--password-stdin", NULL};
	pid_t pid = spawn(argv, ADMIN_PASS "\n", log);
	int status = -1;

	if (pid <= 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("user add failed (see %s)", log);
	g_free(data);
	g_free(log);
}

/* Whole machine: busy and total jiffies since boot. */
static void machine_ticks(unsigned long long *busy, unsigned long long *total)
{
	unsigned long long v[10] = {0};
	FILE *f = fopen("/proc/stat", "r");

	*busy = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	           &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (int i = 0; i < 8; i++)
			*total += v[i];
		*busy = *total - v[3] - v[4]; /* minus idle and iowait */
	}
	fclose(f);
}

/* ---- a viewer: webrtcbin recvonly, RTP counted, nothing decoded --------- */

enum { VIDEO, AUDIO };

struct stream {
	GMutex m;
	bool have;
	uint32_t ssrc;
	int64_t base, highest; /* extended sequence numbers */
	uint64_t received, expected_before, markers;
	gint64 last_us;
};

struct snap {
	uint64_t received, expected, markers;
};

struct viewer {
	GstElement *pipe, *webrtc;
	GstBus *bus;
	atomic_int gathered, failed;
	char location[256];
	struct stream st[2];
	struct snap s0[2];
};

static void count_buffer(struct stream *s, GstBuffer *buf)
{
	GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
	uint16_t seq;
	uint32_t ssrc;
	bool marker;

	if (!gst_rtp_buffer_map(buf, GST_MAP_READ, &rtp))
		return;
	seq = gst_rtp_buffer_get_seq(&rtp);
	ssrc = gst_rtp_buffer_get_ssrc(&rtp);
	marker = gst_rtp_buffer_get_marker(&rtp);
	gst_rtp_buffer_unmap(&rtp);
	g_mutex_lock(&s->m);
	if (!s->have || ssrc != s->ssrc) {
		if (s->have) /* a new stream: keep what the old one owed */
			s->expected_before +=
			    (uint64_t)(s->highest - s->base + 1);
		s->have = true;
		s->ssrc = ssrc;
		s->base = s->highest = seq;
	} else {
		int64_t ext =
		    s->highest + (int16_t)(seq - (uint16_t)s->highest);

		if (ext > s->highest)
			s->highest = ext;
		if (ext < s->base)
			s->base = ext;
	}
	s->received++;
	if (marker)
		s->markers++;
	s->last_us = g_get_monotonic_time();
	g_mutex_unlock(&s->m);
}

static gboolean count_in_list(GstBuffer **buf, guint idx, gpointer data)
{
	count_buffer(data, *buf);
	return TRUE;
}

static GstPadProbeReturn rtp_probe(GstPad *pad, GstPadProbeInfo *info,
                                   gpointer data)
{
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
		count_buffer(data, GST_PAD_PROBE_INFO_BUFFER(info));
	else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
		gst_buffer_list_foreach(GST_PAD_PROBE_INFO_BUFFER_LIST(info),
		                        count_in_list, data);
	return GST_PAD_PROBE_OK;
}

static struct snap stream_snap(struct stream *s)
{
	struct snap n;

	g_mutex_lock(&s->m);
	n.received = s->received;
	n.expected = s->expected_before +
	             (s->have ? (uint64_t)(s->highest - s->base + 1) : 0);
	n.markers = s->markers;
	g_mutex_unlock(&s->m);
	return n;
}

static gint64 stream_last(struct stream *s)
{
	gint64 t;

	g_mutex_lock(&s->m);
	t = s->last_us;
	g_mutex_unlock(&s->m);
	return t;
}

static void on_pad(GstElement *webrtc, GstPad *pad, gpointer data)
{
	struct viewer *v = data;
	GstCaps *caps = gst_pad_get_current_caps(pad);
	const char *media = NULL;
	GstElement *sink;
	GstPad *sinkpad;
	int k;

	if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
		return;
	if (!caps)
		caps = gst_pad_query_caps(pad, NULL);
	if (caps && !gst_caps_is_empty(caps))
		media = gst_structure_get_string(
		    gst_caps_get_structure(caps, 0), "media");
	k = !g_strcmp0(media, "audio") ? AUDIO : VIDEO;
	if (caps)
		gst_caps_unref(caps);
	gst_pad_add_probe(
	    pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
	    rtp_probe, &v->st[k], NULL);
	sink = gst_element_factory_make("fakesink", NULL);
	g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
	gst_bin_add(GST_BIN(v->pipe), sink);
	gst_element_sync_state_with_parent(sink);
	sinkpad = gst_element_get_static_pad(sink, "sink");
	if (gst_pad_link(pad, sinkpad) != GST_PAD_LINK_OK)
		atomic_store(&v->failed, 1);
	gst_object_unref(sinkpad);
}

static void on_offer(GstPromise *p, gpointer data)
{
	struct viewer *v = data;
	GstWebRTCSessionDescription *offer = NULL;
	const GstStructure *reply;

	if (gst_promise_wait(p) == GST_PROMISE_RESULT_REPLIED &&
	    (reply = gst_promise_get_reply(p)))
		gst_structure_get(reply, "offer",
		                  GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer,
		                  NULL);
	gst_promise_unref(p);
	if (!offer) {
		atomic_store(&v->failed, 1);
		return;
	}
	g_signal_emit_by_name(v->webrtc, "set-local-description", offer, NULL);
	gst_webrtc_session_description_free(offer);
}

static void on_gathering(GObject *obj, GParamSpec *ps, gpointer data)
{
	struct viewer *v = data;
	GstWebRTCICEGatheringState s;

	g_object_get(obj, "ice-gathering-state", &s, NULL);
	if (s == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
		atomic_store(&v->gathered, 1);
}

static void on_ice_state(GObject *obj, GParamSpec *ps, gpointer data)
{
	struct viewer *v = data;
	GstWebRTCICEConnectionState s;

	g_object_get(obj, "ice-connection-state", &s, NULL);
	if (s == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
		atomic_store(&v->failed, 1);
}

static void add_recvonly(struct viewer *v, const char *caps_str)
{
	GstCaps *caps = gst_caps_from_string(caps_str);
	GstWebRTCRTPTransceiver *t = NULL;

	g_signal_emit_by_name(v->webrtc, "add-transceiver",
	                      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
	                      caps, &t);
	if (t)
		gst_object_unref(t);
	else
		atomic_store(&v->failed, 1);
	gst_caps_unref(caps);
}

/* Start a viewer: pipeline playing, offer being made, ICE gathering. */
static struct viewer *viewer_new(void)
{
	struct viewer *v = g_new0(struct viewer, 1);
	GstWebRTCICE *ice = NULL;
	gboolean ok = FALSE;

	for (int k = 0; k < 2; k++)
		g_mutex_init(&v->st[k].m);
	v->pipe = gst_pipeline_new(NULL);
	v->webrtc = gst_element_factory_make("webrtcbin", NULL);
	if (!v->webrtc)
		die("webrtcbin is missing");
	/* the default 200 ms jitter buffer: late packets are lost packets */
	g_object_set(v->webrtc, "bundle-policy",
	             GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
	g_object_get(v->webrtc, "ice-agent", &ice, NULL);
	g_signal_emit_by_name(ice, "add-local-ip-address", "127.0.0.1", &ok);
	/* keep the client cheap: UDP host candidates only, no UPnP probe */
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "ice-tcp"))
		g_object_set(ice, "ice-tcp", FALSE, NULL);
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent")) {
		GObject *agent = NULL;

		g_object_get(ice, "agent", &agent, NULL);
		if (agent && g_object_class_find_property(
		                 G_OBJECT_GET_CLASS(agent), "upnp"))
			g_object_set(agent, "upnp", FALSE, NULL);
		if (agent)
			g_object_unref(agent);
	}
	gst_object_unref(ice);
	gst_bin_add(GST_BIN(v->pipe), v->webrtc);
	v->bus = gst_element_get_bus(v->pipe);
	g_signal_connect(v->webrtc, "pad-added", G_CALLBACK(on_pad), v);
	g_signal_connect(v->webrtc, "notify::ice-gathering-state",
	                 G_CALLBACK(on_gathering), v);
	g_signal_connect(v->webrtc, "notify::ice-connection-state",
	                 G_CALLBACK(on_ice_state), v);
	/* what Chromium offers first: H.264 constrained baseline, Opus */
	add_recvonly(
	    v, "application/x-rtp,media=video,encoding-name=H264,"
	       "payload=102,clock-rate=90000,packetization-mode=(string)1,"
	       "profile-level-id=(string)42e01f");
	add_recvonly(v,
	             "application/x-rtp,media=audio,encoding-name=OPUS,"
	             "payload=111,clock-rate=48000,encoding-params=(string)2");
	if (gst_element_set_state(v->pipe, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE)
		atomic_store(&v->failed, 1);
	g_signal_emit_by_name(
	    v->webrtc, "create-offer", NULL,
	    gst_promise_new_with_change_func(on_offer, v, NULL));
	return v;
}

/* Drain the viewer's bus; an error marks it failed. */
static void viewer_poll(struct viewer *v)
{
	GstMessage *m;

	while ((m = gst_bus_pop(v->bus))) {
		if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
			GError *e = NULL;

			gst_message_parse_error(m, &e, NULL);
			if (!atomic_exchange(&v->failed, 1))
				fprintf(stderr, "viewer error: %s\n",
				        e ? e->message : "?");
			g_clear_error(&e);
		}
		gst_message_unref(m);
	}
}

/* WHEP: POST the offer, apply the answer. 0 or -1. */
static int viewer_join(struct viewer *v, const char *whep_path)
{
	GstWebRTCSessionDescription *desc = NULL;
	GstSDPMessage *sdp = NULL;
	struct http_res r;
	GstPromise *p;
	char *offer;
	int rc = -1;

	g_object_get(v->webrtc, "local-description", &desc, NULL);
	if (!desc)
		return -1;
	offer = gst_sdp_message_as_text(desc->sdp);
	gst_webrtc_session_description_free(desc);
	if (http("POST", whep_path, NULL, "application/sdp", offer, &r) == 0 &&
	    r.status == 201 &&
	    gst_sdp_message_new_from_text(r.body->str, &sdp) == GST_SDP_OK) {
		snprintf(v->location, sizeof(v->location), "%s", r.location);
		desc = gst_webrtc_session_description_new(
		    GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
		p = gst_promise_new();
		g_signal_emit_by_name(v->webrtc, "set-remote-description", desc,
		                      p);
		if (gst_promise_wait(p) == GST_PROMISE_RESULT_REPLIED &&
		    (!gst_promise_get_reply(p) ||
		     !gst_structure_has_field(gst_promise_get_reply(p),
		                              "error")))
			rc = 0;
		gst_promise_unref(p);
		gst_webrtc_session_description_free(desc);
	} else if (r.body) {
		fprintf(stderr, "WHEP POST → %d %.200s\n", r.status,
		        r.body->str);
	}
	http_res_clear(&r);
	g_free(offer);
	if (rc)
		atomic_store(&v->failed, 1);
	return rc;
}

static bool viewer_up(struct viewer *v)
{
	return stream_last(&v->st[VIDEO]) && stream_last(&v->st[AUDIO]);
}

static void viewer_free(struct viewer *v)
{
	gst_element_set_state(v->pipe, GST_STATE_NULL);
	gst_object_unref(v->bus);
	gst_object_unref(v->pipe);
	for (int k = 0; k < 2; k++)
		g_mutex_clear(&v->st[k].m);
	g_free(v);
}

/* ---- the steps ----------------------------------------------------------- */

struct step {
	int n, up;                     /* viewers asked for, receiving */
	int no_answer, never, stalled; /* of the n - up that were not */
	unsigned server_count;         /* viewers the daemon reports */
	double join_s;                 /* joining this step's new viewers */
	double delivery, worst;
	uint64_t received, expected;
	double fps, video_pps, audio_pps; /* per viewer */
	double cpu, rss_mib, client_cpu, machine_busy, load;
	long threads;
	bool sustained;
};

static struct viewer **g_v;
static int g_nv;

static void poll_all(void)
{
	for (int i = 0; i < g_nv; i++)
		viewer_poll(g_v[i]);
}

/* Sleep ms in short slices, keeping the buses drained; false on a signal. */
static bool pause_ms(int ms)
{
	double end = now_s() + ms / 1000.0;

	while (now_s() < end) {
		if (g_stop)
			return false;
		poll_all();
		g_usleep(50000);
	}
	return !g_stop;
}

static unsigned server_viewers(const char *path)
{
	int status;
	json_t *j = api("GET", path, NULL, NULL, &status);
	unsigned n =
	    j ? (unsigned)json_integer_value(json_object_get(j, "viewers")) : 0;

	json_decref(j);
	return n;
}

/* Reach n viewers, then measure one window. false: stopped by a signal. */
static bool run_step(struct step *s, int n, const char *whep_path,
                     const char *cer_path, double window, double settle)
{
	double t0 = now_s(), c0, w0, k0, k1;
	unsigned long long b0, m0, b1, m1;
	int first = g_nv;
	uint64_t ref[2] = {0, 0};

	memset(s, 0, sizeof(*s));
	s->n = n;
	g_v = g_renew(struct viewer *, g_v, n > 0 ? n : 1);
	for (int i = first; i < n; i++)
		g_v[g_nv++] = viewer_new();
	/* every new viewer gathers its candidates, then joins */
	for (int i = first; i < n; i++) {
		double end = now_s() + 10;

		while (!atomic_load(&g_v[i]->gathered) &&
		       !atomic_load(&g_v[i]->failed) && now_s() < end) {
			if (g_stop)
				return false;
			viewer_poll(g_v[i]);
			g_usleep(5000);
		}
		if (atomic_load(&g_v[i]->gathered))
			viewer_join(g_v[i], whep_path);
		else
			atomic_store(&g_v[i]->failed, 1);
	}
	for (double end = now_s() + UP_LIMIT_MS / 1000.0; now_s() < end;) {
		int up = 0, failed = 0;

		for (int i = 0; i < g_nv; i++) {
			up += viewer_up(g_v[i]);
			failed +=
			    !viewer_up(g_v[i]) && atomic_load(&g_v[i]->failed);
		}
		if (up + failed == g_nv)
			break;
		if (!pause_ms(50))
			return false;
	}
	s->join_s = now_s() - t0;
	if (!pause_ms((int)(settle * 1000)))
		return false;

	for (int i = 0; i < g_nv; i++)
		for (int k = 0; k < 2; k++)
			g_v[i]->s0[k] = stream_snap(&g_v[i]->st[k]);
	k0 = lv_proc_cpu_s(g_daemon);
	machine_ticks(&b0, &m0);
	c0 = lv_proc_self_cpu_s();
	w0 = now_s();
	if (!pause_ms((int)(window * 1000)))
		return false;
	window = now_s() - w0;
	k1 = lv_proc_cpu_s(g_daemon);
	machine_ticks(&b1, &m1);
	s->client_cpu = (lv_proc_self_cpu_s() - c0) / window * 100;
	if (k0 < 0 || k1 < 0)
		die("the daemon is gone");
	s->cpu = (k1 - k0) / window * 100;
	s->machine_busy =
	    m1 > m0 ? 100.0 * (double)(b1 - b0) / (double)(m1 - m0) : -1;
	s->rss_mib = lv_proc_status(g_daemon, "VmRSS") / 1024.0;
	s->threads = lv_proc_status(g_daemon, "Threads");
	s->load = lv_proc_loadavg();
	s->server_count = server_viewers(cer_path);

	/* what a viewer that kept receiving was sent, per kind */
	gint64 fresh = g_get_monotonic_time() - 1000000;
	struct snap d[g_nv > 0 ? g_nv : 1][2];
	bool live[g_nv > 0 ? g_nv : 1];

	for (int i = 0; i < g_nv; i++) {
		live[i] = stream_last(&g_v[i]->st[VIDEO]) > fresh &&
		          stream_last(&g_v[i]->st[AUDIO]) > fresh;
		for (int k = 0; k < 2; k++) {
			struct snap e = stream_snap(&g_v[i]->st[k]);

			d[i][k].received = e.received - g_v[i]->s0[k].received;
			d[i][k].expected = e.expected - g_v[i]->s0[k].expected;
			d[i][k].markers = e.markers - g_v[i]->s0[k].markers;
			if (live[i] && d[i][k].expected > ref[k])
				ref[k] = d[i][k].expected;
		}
	}
	s->worst = 1;
	for (int i = 0; i < g_nv; i++) {
		uint64_t rv = 0, ev = 0;

		s->up += live[i];
		if (!live[i] && !g_v[i]->location[0])
			s->no_answer++;
		else if (!live[i] && !viewer_up(g_v[i]))
			s->never++;
		else if (!live[i])
			s->stalled++;
		for (int k = 0; k < 2; k++) {
			uint64_t e = d[i][k].expected;

			if (!live[i] && e < ref[k])
				e = ref[k]; /* stalled: charge what others got
				             */
			rv += d[i][k].received < e ? d[i][k].received : e;
			ev += e;
		}
		s->received += rv;
		s->expected += ev;
		if (ev && (double)rv / (double)ev < s->worst)
			s->worst = (double)rv / (double)ev;
		s->fps += (double)d[i][VIDEO].markers / window;
		s->video_pps += (double)d[i][VIDEO].received / window;
		s->audio_pps += (double)d[i][AUDIO].received / window;
	}
	if (g_nv) {
		s->fps /= g_nv;
		s->video_pps /= g_nv;
		s->audio_pps /= g_nv;
	}
	s->delivery = s->expected ? (double)s->received / (double)s->expected
	                          : (g_nv ? 0 : 1);
	s->sustained = s->delivery >= TARGET && s->up == n;
	return true;
}

static void print_machine(void)
{
	char m[512];

	lv_proc_machine(m, sizeof(m));
	printf("machine: %s; %s\n", m, gst_version_string());
}

static int *parse_steps(const char *s, int *n)
{
	char **parts = g_strsplit(s, ",", -1);
	int *out = g_new0(int, MAX_STEPS);

	*n = 0;
	for (int i = 0; parts[i] && *n < MAX_STEPS; i++) {
		int v = atoi(parts[i]);

		if (v > 0 && (*n == 0 || v > out[*n - 1]))
			out[(*n)++] = v;
	}
	g_strfreev(parts);
	return out;
}

int main(int argc, char **argv)
{
	const char *bin =
	    getenv("SINIAN_BIN") ? getenv("SINIAN_BIN") : "build/sinian";
	const char *steps_arg =
	    "1,5,10,20,40,60,80,100,130,160,200,250,300,350,400,450,500";
	double window = 10, settle = 3, budget = 300;
	int max_n = 500, nsteps, status, ns = 0, best = -1;
	int *steps;
	struct step res[MAX_STEPS + 1];
	struct sigaction sa = {.sa_handler = on_signal};
	struct rlimit rl;
	char whep_path[64], cer_path[64], *token;
	json_t *j, *body;
	const char *stop_reason = "every step ran";
	double t_start = now_s();
	time_t wall = time(NULL);
	char date[64], why[160];
	int64_t cid, agency;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--bin") && v)
			bin = argv[++i];
		else if (!strcmp(a, "--steps") && v)
			steps_arg = argv[++i];
		else if (!strcmp(a, "--window") && v)
			window = atof(argv[++i]);
		else if (!strcmp(a, "--settle") && v)
			settle = atof(argv[++i]);
		else if (!strcmp(a, "--budget") && v)
			budget = atof(argv[++i]);
		else if (!strcmp(a, "--max") && v)
			max_n = atoi(argv[++i]);
		else {
			fprintf(stderr,
			        "usage: %s [--bin PATH] [--steps 1,5,10,...] "
			        "[--window S] [--settle S] [--budget S] "
			        "[--max N]\n",
			        argv[0]);
			return 2;
		}
	}
	if (window < 1 || settle < 0 || budget < 10 || max_n < 1)
		die("bad option value");
	steps = parse_steps(steps_arg, &nsteps);
	if (!nsteps)
		die("no steps");
	if (access(bin, X_OK))
		die("%s is not an executable (set SINIAN_BIN or --bin)", bin);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)budget + 180); /* whatever happens, we end */
	signal(SIGPIPE, SIG_IGN);
	/* hundreds of viewers: sockets and pipes on both sides */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	g_tmp = g_dir_make_tmp("sinian-viewers-XXXXXX", NULL);
	if (!g_tmp)
		die("no temporary dir");
	start_daemon(bin);
	add_admin(bin);
	j = api("POST", "/api/session", NULL,
	        json_pack("{s:s,s:s}", "login", ADMIN_LOGIN, "password",
	                  ADMIN_PASS),
	        &status);
	if (status != 200 && status != 201)
		die("sign-in failed (%d)", status);
	token = g_strdup(json_string_value(json_object_get(j, "token")));
	json_decref(j);
	j = api("POST", "/api/agencies", token,
	        json_pack("{s:s,s:s}", "name", "Bench funeral home",
	                  "region_code", "110107"),
	        &status);
	agency = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	if (!agency)
		die("agency not created (%d)", status);
	body = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:{s:s}}", "agency_id",
	                 (json_int_t)agency, "title", "Viewers bench",
	                 "deceased_name", "Bench", "scheduled_start",
	                 "2026-11-23T09:00:00Z", "scheduled_end",
	                 "2026-11-23T10:00:00Z", "visibility", "public",
	                 "source", "kind", "test");
	j = api("POST", "/api/ceremonies", token, body, &status);
	cid = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	if (!cid)
		die("ceremony not created (%d)", status);
	snprintf(cer_path, sizeof(cer_path), "/api/ceremonies/%lld",
	         (long long)cid);
	snprintf(whep_path, sizeof(whep_path), "/whep/%lld", (long long)cid);
	{
		char start[96];

		snprintf(start, sizeof(start), "%s/start", cer_path);
		json_decref(api("POST", start, token, NULL, &status));
		if (status != 200)
			die("ceremony start failed (%d)", status);
	}
	for (int i = 0; i < 100; i++) { /* 10 s for the source to go live */
		bool live;

		j = api("GET", cer_path, NULL, NULL, &status);
		live = json_is_true(json_object_get(j, "source_live"));
		json_decref(j);
		if (live)
			break;
		if (i == 99)
			die("the test source did not go live");
		g_usleep(100000);
	}

	gst_init(NULL, NULL);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&wall));
	printf("sinian viewers — %s\n", date);
	print_machine();
	printf("daemon %s (pid %d), ceremony %lld on the test source; load "
	       "average %.2f at the start\n",
	       bin, (int)g_daemon, (long long)cid, lv_proc_loadavg());
	printf("window %.0f s per step after %.0f s settling; budget %.0f s; "
	       "target %.1f %% of RTP packets delivered\n\n",
	       window, settle, budget, TARGET * 100);
	printf("%7s %5s %6s %9s %9s %7s %7s %7s %8s %8s %8s %6s %6s %5s\n",
	       "viewers", "up", "server", "delivery", "worst", "lost", "fps",
	       "pkt/s", "srv CPU", "srv RSS", "cli CPU", "busy", "load",
	       "join");
	fflush(stdout);

	if (!pause_ms(1000)) /* the encoder settles */
		goto out;
	/* step 0: the ceremony alone (encoder, recorder) */
	if (!run_step(&res[ns], 0, whep_path, cer_path, window < 5 ? window : 5,
	              0))
		goto out;
	ns++;
	for (int i = 0; i < nsteps; i++) {
		struct step *s = &res[ns];
		double per_join = 0.15, est;

		if (steps[i] > max_n) {
			stop_reason = "reached --max";
			break;
		}
		/* time the next step needs, from the last joins */
		if (ns >= 2 && res[ns - 1].n > res[ns - 2].n)
			per_join = res[ns - 1].join_s /
			           (res[ns - 1].n - res[ns - 2].n);
		est = per_join * (steps[i] - g_nv) + settle + window + 1;
		if (now_s() - t_start + est > budget) {
			stop_reason = "time budget";
			break;
		}
		if (!run_step(s, steps[i], whep_path, cer_path, window, settle))
			break;
		ns++;
		printf("%7d %5d %6u %8.3f%% %8.3f%% %7llu %7.1f %7.0f %7.0f%% "
		       "%5.0f MiB %7.0f%% %5.0f%% %6.2f %4.1fs\n",
		       s->n, s->up, s->server_count, s->delivery * 100,
		       s->worst * 100,
		       (unsigned long long)(s->expected - s->received), s->fps,
		       s->video_pps + s->audio_pps, s->cpu, s->rss_mib,
		       s->client_cpu, s->machine_busy, s->load, s->join_s);
		fflush(stdout);
		if (s->sustained)
			best = s->n;
		if (!s->sustained) {
			if (s->up < s->n) {
				snprintf(
				    why, sizeof(why),
				    "%d of %d viewers not receiving (%d got "
				    "no WHEP answer, %d never received, %d "
				    "stopped receiving)",
				    s->n - s->up, s->n, s->no_answer, s->never,
				    s->stalled);
				stop_reason = why;
			} else {
				stop_reason = "delivery below 99.9 %";
			}
			break;
		}
		if (s->cpu >= 90.0 * (double)sysconf(_SC_NPROCESSORS_ONLN)) {
			stop_reason = "server CPU saturated";
			break;
		}
	}
out:
	if (g_stop)
		stop_reason = "interrupted";
	{
		const struct step *z = &res[0];
		double x[MAX_STEPS + 1], yc[MAX_STEPS + 1], ym[MAX_STEPS + 1];
		double yk[MAX_STEPS + 1];
		int m = 0, full = -1;

		/* the cost of a viewer, from the steps where the machine kept
		 * up: every viewer receiving and the full frame rate (when the
		 * encoder is starved it does less work, which would hide the
		 * viewers' cost) */
		for (int i = 0; i < ns; i++)
			if (res[i].up == res[i].n &&
			    (res[i].n == 0 || res[i].fps >= FULL_FPS)) {
				x[m] = res[i].n;
				yc[m] = res[i].cpu;
				ym[m] = res[i].rss_mib;
				yk[m] = res[i].client_cpu;
				m++;
			}
		for (int i = 1; i < ns && res[i].sustained; i++)
			if (res[i].fps >= FULL_FPS)
				full = res[i].n;
		printf("\n");
		if (ns > 0)
			printf("no viewers (encoder, recorder): server CPU "
			       "%.0f %% "
			       "of one core, RSS %.0f MiB, %ld threads\n",
			       z->cpu, z->rss_mib, z->threads);
		printf("stopped: %s\n", stop_reason);
		if (best > 0)
			printf(
			    "max sustained: %d viewers with >= %.1f %% of RTP "
			    "packets delivered\n",
			    best, TARGET * 100);
		else
			printf("max sustained: none of the measured steps\n");
		if (full > 0)
			printf("max sustained at full frame rate (>= %.0f fps "
			       "delivered): %d viewers\n",
			       FULL_FPS, full);
		if (m >= 2)
			printf(
			    "per viewer (least-squares slope over the %d steps "
			    "at full frame rate, 0..%.0f viewers): server CPU "
			    "%.2f %% of one core, server RSS %.2f MiB; the "
			    "bench's own client CPU %.2f %%\n",
			    m, x[m - 1], lv_proc_slope(x, yc, m),
			    lv_proc_slope(x, ym, m), lv_proc_slope(x, yk, m));
		if (ns > 1)
			printf(
			    "server threads at %d viewers: %ld; load average "
			    "at the end %.2f\n",
			    res[ns - 1].n, res[ns - 1].threads,
			    lv_proc_loadavg());
	}
	/* leave: WHEP DELETE, then close the viewers */
	if (!g_stop) {
		int left;

		for (int i = 0; i < g_nv; i++)
			if (g_v[i]->location[0]) {
				struct http_res r;

				if (http("DELETE", g_v[i]->location, NULL, NULL,
				         NULL, &r) == 0)
					http_res_clear(&r);
			}
		left = (int)server_viewers(cer_path);
		printf("viewers left on the server after DELETE: %d\n", left);
	}
	for (int i = 0; i < g_nv; i++)
		viewer_free(g_v[i]);
	g_free(g_v);
	g_free(token);
	g_free(steps);
	fflush(stdout);
	cleanup();
	return g_stop ? 130 : 0;
}
