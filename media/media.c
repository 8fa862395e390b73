/* media.c — live ceremonies as the HTTP layer sees them.
 *
 * Owns: the table of open ceremonies and, per ceremony, the wiring of
 * encoder, input switch, fan-out and recorder, plus the translation of
 * their events into the media_events the caller registered. Must never:
 * speak HTTP, block for longer than a recording finalisation (bounded),
 * or deliver an event after media_ceremony_close() returned. Called by
 * the daemon's ceremony/WHEP handlers.
 */
#include "media.h"

#include "elements.h"
#include "err.h"
#include "hls.h"
#include "input.h"
#include "lite.h"
#include "log.h"
#include "recorder.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define TAG "media"

struct media_ctx {
	struct media_config cfg; /* strings below are our copies */
	char *stun, *public_ip, *recordings_dir, *hls_dir;
	char **turns;
	GHashTable *ceremonies; /* gint64* -> struct media_ceremony */
	struct lite *lite;      /* the lite engine, or NULL */
};

struct media_ceremony {
	struct media_ctx *ctx;
	int64_t id;
	char *title;
	bool closing;
	unsigned last_count; /* last viewer count reported */
	struct encoder *enc;
	struct input *in;
	struct fanout *fo;
	struct recorder *rec;
	struct hls *hls;
};

/* The DTLS certificate every webrtcbin shares is generated (RSA) by the
 * first DTLS element of the process: do it now rather than in the first
 * viewer's answer, where it cost 0.2-0.9 s. */
static void warm_up_dtls(void)
{
	gint64 t0 = g_get_monotonic_time();
	GstElement *dec = gst_element_factory_make("dtlsdec", NULL);

	if (!dec)
		return;
	gst_object_unref(gst_object_ref_sink(dec));
	log_info(TAG, "DTLS certificate ready in %lld ms",
	         (long long)(g_get_monotonic_time() - t0) / 1000);
}

static int start_lite(struct media_ctx *ctx, struct err_detail *e)
{
	struct lite_config lc = {.port = (uint16_t)ctx->cfg.udp_port,
	                         .threads = ctx->cfg.fanout_threads,
	                         .loopback_only = ctx->cfg.loopback_only,
	                         .public_ip = ctx->cfg.public_ip,
	                         .alive_ms = ctx->cfg.viewer_timeout_ms,
	                         .consent_ms = ctx->cfg.consent_ms,
	                         .no_gso = ctx->cfg.no_gso};

	return lite_new(&lc, &ctx->lite, e);
}

int media_missing(char *names, size_t names_len, char *packages,
                  size_t packages_len, struct err_detail *e)
{
	GError *gerr = NULL;
	int n;

	names[0] = packages[0] = '\0';
	if (!gst_init_check(NULL, NULL, &gerr)) {
		err_fail(e, ERR_UNAVAILABLE, NULL, "GStreamer cannot start: %s",
		         gerr ? gerr->message : "unknown error");
		g_clear_error(&gerr);
		return ERR_UNAVAILABLE;
	}
	n = elements_missing(ELEMENTS_DAEMON, names, names_len, packages,
	                     packages_len);
	if (n < 0) {
		return err_fail(e, ERR_UNAVAILABLE, NULL,
		                "too many GStreamer elements missing");
	}
	if (n > 0) {
		return err_fail(e, ERR_UNAVAILABLE, NULL,
		                "missing GStreamer elements: %s", names);
	}
	return 0;
}

int media_new(const struct media_config *cfg, struct media_ctx **out,
              struct err_detail *e)
{
	char names[512], pkgs[256];
	struct media_ctx *ctx;

	*out = NULL;
	if (media_missing(names, sizeof(names), pkgs, sizeof(pkgs), e)) {
		if (names[0])
			err_fail(e, ERR_UNAVAILABLE, NULL,
			         "missing GStreamer elements: %s (apt-get "
			         "install %s)",
			         names, pkgs);
		return ERR_UNAVAILABLE;
	}
	if (cfg) {
		struct fanout_config fc = {0};

		fc.stun_server = cfg->stun_server;
		fc.turn_servers = cfg->turn_servers;
		fc.public_ip = cfg->public_ip;

		if (fanout_config_check(&fc, e) != 0)
			return ERR_INVALID;
	}
	warm_up_dtls();
	ctx = g_new0(struct media_ctx, 1);
	if (cfg)
		ctx->cfg = *cfg;
	ctx->stun = g_strdup(ctx->cfg.stun_server);
	ctx->public_ip = g_strdup(ctx->cfg.public_ip);
	ctx->recordings_dir = g_strdup(ctx->cfg.recordings_dir);
	ctx->hls_dir = g_strdup(ctx->cfg.hls_dir);
	if (!ctx->cfg.hls_segment_s)
		ctx->cfg.hls_segment_s = 1;
	ctx->turns = g_strdupv((char **)ctx->cfg.turn_servers);
	ctx->cfg.stun_server = ctx->stun;
	ctx->cfg.public_ip = ctx->public_ip;
	ctx->cfg.recordings_dir = ctx->recordings_dir;
	ctx->cfg.hls_dir = ctx->hls_dir;
	ctx->cfg.turn_servers = (const char *const *)ctx->turns;
	ctx->ceremonies =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, NULL);
	if (ctx->cfg.lite && start_lite(ctx, e) != 0) {
		media_free(ctx);
		return ERR_UNAVAILABLE;
	}
	*out = ctx;
	return 0;
}

void media_free(struct media_ctx *ctx)
{
	GHashTableIter it;
	gpointer key, val;

	if (!ctx)
		return;
	for (;;) {
		char *path = NULL;

		g_hash_table_iter_init(&it, ctx->ceremonies);
		if (!g_hash_table_iter_next(&it, &key, &val))
			break;
		media_ceremony_close(val, &path);
		g_free(path);
	}
	g_hash_table_unref(ctx->ceremonies);
	lite_free(ctx->lite);
	g_free(ctx->stun);
	g_free(ctx->public_ip);
	g_free(ctx->recordings_dir);
	g_free(ctx->hls_dir);
	g_strfreev(ctx->turns);
	g_free(ctx);
}

/* ---- events from the parts ------------------------------------------ */

/* Report the viewer count if it changed since the last report. */
static void count_changed(struct media_ceremony *c)
{
	const struct media_events *ev = &c->ctx->cfg.events;
	unsigned n = fanout_viewer_count(c->fo);

	if (c->closing || n == c->last_count)
		return;
	c->last_count = n;
	if (ev->viewer_count_changed)
		ev->viewer_count_changed(c->id, n, c->ctx->cfg.user_data);
}

static void on_live_changed(bool live, void *data)
{
	struct media_ceremony *c = data;
	const struct media_events *ev = &c->ctx->cfg.events;

	if (!c->closing && ev->source_state_changed)
		ev->source_state_changed(c->id, live, c->ctx->cfg.user_data);
}

static void on_video_changed(bool passthrough, void *data)
{
	struct media_ceremony *c = data;
	const struct media_events *ev = &c->ctx->cfg.events;

	if (!c->closing && ev->video_changed)
		ev->video_changed(c->id, passthrough, c->ctx->cfg.user_data);
}

static void on_viewer_gone(const char *viewer_id, const char *reason,
                           void *data)
{
	struct media_ceremony *c = data;
	const struct media_events *ev = &c->ctx->cfg.events;

	if (c->closing)
		return;
	if (ev->viewer_gone)
		ev->viewer_gone(c->id, viewer_id, reason,
		                c->ctx->cfg.user_data);
	count_changed(c);
}

/* ---- ceremonies ------------------------------------------------------- */

static int start_recording(struct media_ceremony *c)
{
	struct err_detail e;
	char name[96], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(name, sizeof(name), "ceremony-%lld-%s", (long long)c->id,
	         stamp);
	rc = recorder_start(c->enc, c->ctx->recordings_dir, name, &c->rec, &e);
	if (rc)
		log_error(TAG, "ceremony %lld: %s", (long long)c->id, e.msg);
	return rc;
}

/* HLS is for those WebRTC cannot reach: without it the ceremony still
 * goes on, so a failure is logged and nothing more. */
static void start_hls(struct media_ceremony *c)
{
	struct err_detail e;
	char dir[1100];

	snprintf(dir, sizeof(dir), "%s/%lld", c->ctx->hls_dir,
	         (long long)c->id);
	if (hls_start(c->enc, dir, c->ctx->cfg.hls_segment_s, &c->hls, &e))
		log_error(TAG, "ceremony %lld: no HLS: %s", (long long)c->id,
		          e.msg);
}

int media_ceremony_open(struct media_ctx *ctx, int64_t ceremony_id,
                        const char *title_text, struct media_ceremony **out)
{
	const struct media_config *mc = &ctx->cfg;
	struct encoder_config ec = {
	    mc->width, mc->height, mc->fps, mc->video_kbps, mc->audio_bps,
	    /* with HLS, a key frame starts each segment */
	    mc->hls_dir ? (mc->fps ? mc->fps : 30) * (int)mc->hls_segment_s : 0,
	    (int)mc->passthrough_max_kbps};
	struct input_events iev = {on_live_changed, on_video_changed};
	struct fanout_events fev = {NULL, on_viewer_gone};
	struct fanout_config fc = {mc->stun_server,
	                           mc->turn_servers,
	                           mc->public_ip,
	                           mc->loopback_only,
	                           mc->max_viewers,
	                           0,
	                           0,
	                           mc->viewer_timeout_ms,
	                           ctx->lite};
	struct media_ceremony *c;
	struct err_detail e;
	int rc;

	*out = NULL;
	if (g_hash_table_contains(ctx->ceremonies, &ceremony_id))
		return ERR_CONFLICT;
	if (title_text && strlen(title_text) > 512)
		return ERR_INVALID;
	c = g_new0(struct media_ceremony, 1);
	c->ctx = ctx;
	c->id = ceremony_id;
	c->title = g_strdup(title_text ? title_text : "");
	rc = encoder_new(&ec, &c->enc, &e);
	if (rc == 0 && mc->no_passthrough)
		encoder_disable_passthrough(c->enc);
	if (rc == 0)
		rc = input_new(c->enc, NULL, &iev, c, &c->in, &e);
	if (rc) {
		log_error(TAG, "ceremony %lld: %s", (long long)ceremony_id,
		          e.msg);
		goto out_close;
	}
	rc = fanout_new(c->enc, &fc, &fev, c, &c->fo);
	if (rc == 0 && ctx->recordings_dir)
		rc = start_recording(c);
	if (rc)
		goto out_close;
	if (ctx->hls_dir)
		start_hls(c);
	g_hash_table_insert(ctx->ceremonies, &c->id, c);
	log_info(TAG, "ceremony %lld open", (long long)ceremony_id);
	*out = c;
	return 0;
out_close:
	media_ceremony_close(c, NULL);
	return rc;
}

struct media_ceremony *media_ceremony_find(struct media_ctx *ctx,
                                           int64_t ceremony_id)
{
	return g_hash_table_lookup(ctx->ceremonies, &ceremony_id);
}

int media_ceremony_close(struct media_ceremony *c, char **recording_path)
{
	char *path = NULL;
	int rc = 0;

	if (recording_path)
		*recording_path = NULL;
	if (!c)
		return 0;
	c->closing = true;
	g_hash_table_remove(c->ctx->ceremonies, &c->id);
	if (c->rec)
		rc = recorder_stop(c->rec, 5000, &path);
	hls_stop(c->hls);
	fanout_free(c->fo);
	input_free(c->in);
	encoder_free(c->enc);
	if (recording_path)
		*recording_path = path;
	else
		g_free(path);
	log_info(TAG, "ceremony %lld closed", (long long)c->id);
	g_free(c->title);
	g_free(c);
	return rc;
}

/* ---- sources ---------------------------------------------------------- */

static struct source_format format_of(struct media_ceremony *c)
{
	const struct encoder_config *ec = encoder_config(c->enc);

	return (struct source_format){ec->width, ec->height, ec->fps};
}

static int use_source(struct media_ceremony *c, int rc, struct source *s,
                      const struct err_detail *e)
{
	if (rc) {
		log_error(TAG, "ceremony %lld: %s", (long long)c->id, e->msg);
		return rc;
	}
	return input_set_live(c->in, s);
}

int media_ceremony_source_test_start(struct media_ceremony *c)
{
	struct source_format f = format_of(c);
	struct source *s = NULL;
	struct err_detail e;
	int rc = source_new_test(&f, c->title, &s, &e);

	return use_source(c, rc, s, &e);
}

int media_ceremony_source_bin_start(struct media_ceremony *c, GstElement *bin)
{
	struct source_format f = format_of(c);
	struct source *s = NULL;
	struct err_detail e;
	int rc = source_new_bin(&f, bin, &s, &e);

	return use_source(c, rc, s, &e);
}

int media_ceremony_source_rtsp_start(struct media_ceremony *c, const char *url)
{
	struct source_format f = format_of(c);
	struct source *s = NULL;
	struct err_detail e;
	int rc = source_new_rtsp(&f, url, &s, &e);

	return use_source(c, rc, s, &e);
}

void media_ceremony_source_stop(struct media_ceremony *c)
{
	input_clear_live(c->in);
}

void media_ceremony_source_test_stop(struct media_ceremony *c)
{
	input_clear_live(c->in);
}

void media_ceremony_video_stats(struct media_ceremony *c,
                                struct h264switch_stats *out)
{
	encoder_get_h264_stats(c->enc, out);
}

bool media_ceremony_source_live(struct media_ceremony *c)
{
	return input_is_live(c->in);
}

/* ---- viewers ---------------------------------------------------------- */

struct pending {
	struct media_ceremony *c;
	fanout_answer_fn cb;
	void *user_data;
};

static void on_answer(int status, const char *answer, const char *viewer_id,
                      void *data)
{
	struct pending *p = data;

	if (status != 0) /* the fan-out dropped the viewer already */
		count_changed(p->c);
	p->cb(status, answer, viewer_id, p->user_data);
	g_free(p);
}

int media_ceremony_viewer_add(struct media_ceremony *c, const char *offer,
                              size_t len, fanout_answer_fn cb, void *user_data,
                              char id_out[FANOUT_ID_LEN], struct err_detail *e)
{
	struct pending *p = g_new0(struct pending, 1);
	int rc;

	p->c = c;
	p->cb = cb;
	p->user_data = user_data;
	rc = fanout_viewer_add(c->fo, offer, len, on_answer, p, id_out, e);
	if (rc) {
		g_free(p);
		return rc;
	}
	count_changed(c);
	return 0;
}

int media_ceremony_viewer_remove(struct media_ceremony *c,
                                 const char *viewer_id)
{
	int rc = fanout_viewer_remove(c->fo, viewer_id);

	if (rc == 0)
		count_changed(c);
	return rc;
}

unsigned media_ceremony_viewer_count(struct media_ceremony *c)
{
	return fanout_viewer_count(c->fo);
}

void media_ceremony_request_keyframe(struct media_ceremony *c)
{
	fanout_request_keyframe(c->fo);
}

int media_ceremony_stats(struct media_ceremony *c, struct fanout_stats *out)
{
	return fanout_stats(c->fo, out);
}

const char *media_ceremony_recording_path(struct media_ceremony *c)
{
	return c->rec ? recorder_path(c->rec) : NULL;
}

bool media_ceremony_hls(struct media_ceremony *c)
{
	return c->hls != NULL;
}

int media_ceremony_hls_file(struct media_ceremony *c, const char *name,
                            char *out, size_t outlen)
{
	return c->hls ? hls_file(c->hls, name, out, outlen) : ERR_NOT_FOUND;
}

void media_get_totals(struct media_ctx *ctx, struct media_totals *out)
{
	GHashTableIter it;
	gpointer key, val;

	memset(out, 0, sizeof(*out));
	g_hash_table_iter_init(&it, ctx->ceremonies);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct media_ceremony *c = val;

		out->ceremonies++;
		out->viewers += fanout_viewer_count(c->fo);
		out->keyframes_forced += encoder_keyframes_forced(c->enc);
		out->keyframes_produced += encoder_keyframes_produced(c->enc);
	}
	if (ctx->lite) {
		struct lite_stats ls;

		lite_get_stats(ctx->lite, &ls);
		out->packets_sent = ls.sent;
		out->packets_segmented = ls.segmented;
		out->send_dropped = ls.send_dropped;
		out->stun_refused = ls.stun_refused;
		out->unknown_dropped = ls.unknown_dropped;
	}
}
