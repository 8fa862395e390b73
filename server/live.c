/* live.c — glue between ceremony records and the media engine.
 *
 * Owns app->media and the mapping ceremony id → open media ceremony (held
 * inside media). Media events arrive on the main loop and are published on
 * the bus; state changes are written to the store first.
 *
 * Also owns the phase of each live ceremony (app->live_marks): waiting for
 * its source's first picture, live, interrupted (the source was lost after
 * it had delivered), or paused by the operator. Every change takes the next
 * number of app->live_seq, sent with the phase in GET answers and in
 * "source" events, so a page keeps the newest of the two whatever order
 * they arrive in. Phases are changed on the main loop only.
 */
#include "live.h"
#include "app.h"
#include "bus.h"
#include "ceremony.h"
#include "cluster.h"
#include "config.h"
#include "err.h"
#include "inbox.h"
#include "log.h"
#ifndef SINIAN_NO_MEDIA
#include "media.h"
#endif
#include "metrics.h"
#include "store.h"
#include "store_ceremony.h"
#include "viewers.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

json_t *live_health_json(const struct app *app, bool details)
{
	static const char *const names[] = {
	    [APP_MEDIA_OK] = "ok",
	    [APP_MEDIA_OFF] = "off",
	    [APP_MEDIA_UNAVAILABLE] = "unavailable",
	};
	const struct app_media_health *h = &app->media_health;
	json_t *j = json_pack("{s:s}", "status", names[h->state]), *miss;
	char **words;

	if (!j || !details || h->state != APP_MEDIA_UNAVAILABLE)
		return j;
	if (json_object_set_new(j, "reason", json_string(h->reason)))
		goto fail;
	if (!h->missing[0])
		return j;
	if (json_object_set_new(j, "missing", miss = json_array()) ||
	    json_object_set_new(j, "install", json_string(h->install)))
		goto fail;
	words = g_strsplit(h->missing, " ", -1);
	for (char **w = words; *w; w++)
		if (json_array_append_new(miss, json_string(*w))) {
			g_strfreev(words);
			goto fail;
		}
	g_strfreev(words);
	return j;
fail:
	json_decref(j);
	return NULL;
}

void live_publish(struct app *app, int64_t ceremony_id, const char *json)
{
	char topic[48];

	snprintf(topic, sizeof(topic), "ceremony:%lld", (long long)ceremony_id);
	bus_publish(app->bus, topic, json, strlen(json));
}

/* ---- phases -------------------------------------------------------------- */

struct live_mark {
	int64_t id;
	bool on;     /* the source delivers (as last reported by the engine) */
	bool ever;   /* it has delivered since the ceremony went live */
	bool paused; /* the operator paused it */
	uint64_t seq;
};

static void marks_init(struct app *app)
{
	/* numbers keep growing across restarts: a page never keeps a stale
	 * phase because the daemon started counting again */
	app->live_seq = (uint64_t)g_get_real_time() / 1000;
	app->live_marks =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
}

static void marks_free(struct app *app)
{
	if (app->live_marks)
		g_hash_table_destroy(app->live_marks);
	app->live_marks = NULL;
}

static struct live_mark *mark_of(struct app *app, int64_t id, bool create)
{
	struct live_mark *m;

	if (!app->live_marks)
		return NULL;
	m = g_hash_table_lookup(app->live_marks, &id);
	if (!m && create) {
		m = g_new0(struct live_mark, 1);
		m->id = id;
		m->seq = ++app->live_seq;
		g_hash_table_insert(app->live_marks, &m->id, m);
	}
	return m;
}

static const char *mark_phase(const struct live_mark *m)
{
	if (!m)
		return "waiting";
	if (m->paused)
		return "paused";
	if (m->on)
		return "live";
	return m->ever ? "interrupted" : "waiting";
}

const char *live_phase(struct app *app, const struct ceremony *c, uint64_t *seq)
{
	struct live_mark *m = mark_of(app, c->id, false);

	*seq = m ? m->seq : 0;
	if (c->state != CER_LIVE)
		return ceremony_state_name(c->state);
	return mark_phase(m);
}

static void mark_close(struct app *app, int64_t id)
{
	if (app->live_marks)
		g_hash_table_remove(app->live_marks, &id);
}

#ifdef SINIAN_NO_MEDIA
/* Built without media (SINIAN_MEDIA=OFF): ceremonies exist as records but
 * cannot go live; every live_* answers ERR_UNAVAILABLE. */
int live_start(struct app *app, struct err_detail *e)
{
	struct app_media_health *h = &app->media_health;

	marks_init(app);
	log_error("live", "built without media: ceremonies cannot go live");
	h->state = APP_MEDIA_UNAVAILABLE;
	snprintf(h->reason, sizeof(h->reason),
	         "this server was built without live media");
	app->media = NULL;
	return 0;
}

void live_stop(struct app *app)
{
	marks_free(app);
	app->media = NULL;
}

struct media_ceremony *live_find(struct app *app, int64_t ceremony_id)
{
	return NULL;
}

unsigned live_viewers(struct app *app, int64_t ceremony_id)
{
	return 0;
}

bool live_source_on(struct app *app, int64_t ceremony_id)
{
	return false;
}

bool live_passthrough(struct app *app, int64_t ceremony_id)
{
	return false;
}

int live_open(struct app *app, struct ceremony *c, struct err_detail *e)
{
	err_fail(e, ERR_UNAVAILABLE, NULL,
	         "this server was built without live media");
	return ERR_UNAVAILABLE;
}

int live_close(struct app *app, struct ceremony *c)
{
	int rc = store_ceremony_set_state(app->store, c->id, CER_ENDED, NULL);

	mark_close(app, c->id);
	c->state = CER_ENDED;
	live_publish(app, c->id, "{\"type\":\"state\",\"state\":\"ended\"}");
	return rc;
}

int live_source(struct app *app, const struct ceremony *c, bool on)
{
	return ERR_UNAVAILABLE;
}

int live_viewer_remove(struct app *app, int64_t ceremony_id,
                       const char *viewer_id)
{
	return ERR_NOT_FOUND;
}

void live_metrics(struct app *app, struct metrics *m)
{
}

#else
/* The phase changed: number it and tell the ceremony's followers. */
static void mark_publish(struct app *app, struct live_mark *m)
{
	char buf[128];

	m->seq = ++app->live_seq;
	snprintf(buf, sizeof(buf),
	         "{\"type\":\"source\",\"live\":%s,\"phase\":\"%s\","
	         "\"seq\":%" PRIu64 "}",
	         m->on ? "true" : "false", mark_phase(m), m->seq);
	live_publish(app, m->id, buf);
}

/* A ceremony (re)opened: waiting for its first picture. */
static void mark_open(struct app *app, int64_t id)
{
	struct live_mark *m = mark_of(app, id, true);

	if (m) {
		m->on = m->ever = m->paused = false;
		m->seq = ++app->live_seq;
	}
}

int live_viewer_remove(struct app *app, int64_t ceremony_id,
                       const char *viewer_id)
{
	struct media_ceremony *mc = live_find(app, ceremony_id);

	if (!mc || media_ceremony_viewer_remove(mc, viewer_id))
		return ERR_NOT_FOUND;
	cluster_viewer_left(app->cluster, ceremony_id, viewer_id);
	return 0;
}

static void on_viewers(int64_t id, unsigned viewers, void *ud)
{
	struct app *app = ud;
	char buf[96];

	snprintf(buf, sizeof(buf), "{\"type\":\"viewers\",\"count\":%u}",
	         viewers);
	live_publish(app, id, buf);
}

static void on_source(int64_t id, bool live, void *ud)
{
	struct app *app = ud;
	struct live_mark *m = mark_of(app, id, true);

	log_info("live", "ceremony %lld source %s", (long long)id,
	         live ? "live" : "lost (slate)");
	m->on = live;
	m->ever = m->ever || live;
	mark_publish(app, m);
}

static void on_video(int64_t id, bool passthrough, void *ud)
{
	struct app *app = ud;

	live_publish(app, id,
	             passthrough
	                 ? "{\"type\":\"video\",\"passthrough\":true}"
	                 : "{\"type\":\"video\",\"passthrough\":false}");
}

static void on_gone(int64_t id, const char *viewer, const char *reason,
                    void *ud)
{
	struct app *app = ud;

	cluster_viewer_left(app->cluster, id, viewer);
	viewers_remove(app->viewers, id, viewer);
	log_info("live", "ceremony %lld viewer %.8s gone: %s", (long long)id,
	         viewer, reason);
}

/* Live video cannot run here: remember why for /healthz and the pages, and
 * say it loudly once, with the command that fixes it. */
static void media_unavailable(struct app *app, int rc, const char *why)
{
	struct app_media_health *h = &app->media_health;
	char names[512], pkgs[256];

	h->state = APP_MEDIA_UNAVAILABLE;
	snprintf(h->reason, sizeof(h->reason), "%s", why);
	app->media = NULL;
	if (rc == ERR_UNAVAILABLE &&
	    media_missing(names, sizeof(names), pkgs, sizeof(pkgs), NULL) &&
	    names[0]) {
		snprintf(h->missing, sizeof(h->missing), "%s", names);
		snprintf(h->install, sizeof(h->install), "apt-get install %s",
		         pkgs);
		log_error("live",
		          "live ceremonies unavailable: missing GStreamer "
		          "elements: %s; fix with: %s",
		          names, h->install);
		return;
	}
	log_error("live", "live ceremonies unavailable: %s", why);
}

int live_start(struct app *app, struct err_detail *e)
{
	char *rec_dir = app->recordings_dir;
	struct media_config mc = {0};
	struct err_detail why;
	char hls_dir[1200];
	int rc;

	if (config_path(&app->cfg, app->cfg.recordings_dir, "recordings",
	                rec_dir, sizeof(app->recordings_dir)) ||
	    (mkdir(rec_dir, 0700) && errno != EEXIST)) {
		err_fail(e, ERR_IO, NULL, "cannot create recordings dir %s",
		         rec_dir);
		return ERR_IO;
	}
	mc.stun_server = app->cfg.stun_server[0] ? app->cfg.stun_server : NULL;
	/* No TURN for the server's side: a viewer's relay candidate reaches
	 * our host candidates (api_ice.c hands viewers their credentials). */
	mc.public_ip = app->cfg.public_ip[0] ? app->cfg.public_ip : NULL;
	mc.loopback_only = app->cfg.media_loopback_only;
	mc.lite = strcmp(app->cfg.media_engine, "lite") == 0;
	mc.udp_port = (unsigned)app->cfg.media_udp_port;
	mc.fanout_threads = (unsigned)app->cfg.media_fanout_threads;
	mc.no_gso = !app->cfg.media_udp_gso;
	mc.max_viewers = (unsigned)app->cfg.max_viewers_per_ceremony;
	mc.recordings_dir = rec_dir;
	if (app->cfg.hls &&
	    config_path(&app->cfg, "", "hls", hls_dir, sizeof(hls_dir)) == 0) {
		mc.hls_dir = hls_dir;
		mc.hls_segment_s = (unsigned)app->cfg.hls_segment_seconds;
	}
	mc.video_kbps = (int)app->cfg.video_bitrate_kbps;
	mc.no_passthrough = !app->cfg.media_passthrough;
	mc.passthrough_max_kbps = (unsigned)app->cfg.media_passthrough_max_kbps;
	mc.events.viewer_count_changed = on_viewers;
	mc.events.source_state_changed = on_source;
	mc.events.video_changed = on_video;
	mc.events.viewer_gone = on_gone;
	mc.user_data = app;
	marks_init(app);
	if (!app->cfg.media) {
		log_info("live", "media off on this node (media = false)");
		app->media_health.state = APP_MEDIA_OFF;
		app->media = NULL;
		return 0;
	}
	rc = media_new(&mc, &app->media, &why);
	if (rc)
		media_unavailable(app, rc, why.msg);
	return 0;
}

void live_stop(struct app *app)
{
	media_free(app->media);
	app->media = NULL;
	marks_free(app);
}

struct media_ceremony *live_find(struct app *app, int64_t ceremony_id)
{
	return app->media ? media_ceremony_find(app->media, ceremony_id) : NULL;
}

unsigned live_viewers(struct app *app, int64_t ceremony_id)
{
	struct media_ceremony *mc = live_find(app, ceremony_id);

	return mc ? media_ceremony_viewer_count(mc) : 0;
}

bool live_source_on(struct app *app, int64_t ceremony_id)
{
	struct media_ceremony *mc = live_find(app, ceremony_id);

	return mc && media_ceremony_source_live(mc);
}

bool live_passthrough(struct app *app, int64_t ceremony_id)
{
	struct media_ceremony *mc = live_find(app, ceremony_id);
	struct h264switch_stats st;

	if (!mc)
		return false;
	media_ceremony_video_stats(mc, &st);
	return st.passthrough;
}

static int start_source(struct media_ceremony *mc, const struct ceremony *c)
{
	switch (c->source) {
	case SRC_TEST: return media_ceremony_source_test_start(mc);
	case SRC_RTSP:
		return media_ceremony_source_rtsp_start(mc, c->source_url);
	case SRC_WHIP: return 0; /* the publisher connects over WHIP */
	}
	return ERR_INVALID;
}

int live_open(struct app *app, struct ceremony *c, struct err_detail *e)
{
	struct media_ceremony *mc;
	int rc;

	if (!app->media) {
		const struct app_media_health *h = &app->media_health;

		if (h->state == APP_MEDIA_OFF)
			err_fail(e, ERR_UNAVAILABLE, NULL,
			         "live video is off on this server (media = "
			         "false)");
		else if (h->install[0])
			err_fail(e, ERR_UNAVAILABLE, NULL,
			         "live video is unavailable on this server: "
			         "missing GStreamer elements %s; the "
			         "administrator can fix it with: %s",
			         h->missing, h->install);
		else
			err_fail(e, ERR_UNAVAILABLE, NULL,
			         "live video is unavailable on this server: %s",
			         h->reason);
		return ERR_UNAVAILABLE;
	}
	mc = media_ceremony_find(app->media, c->id);
	if (!mc) {
		rc = media_ceremony_open(app->media, c->id, c->deceased_name,
		                         &mc);
		if (rc) {
			err_fail(e, rc, NULL, "cannot open the media (%s)",
			         err_name(rc));
			return rc;
		}
	}
	rc = start_source(mc, c);
	if (rc) {
		err_fail(e, rc, NULL, "cannot start the %s source (%s)",
		         ceremony_source_name(c->source), err_name(rc));
		media_ceremony_close(mc, NULL);
		return rc;
	}
	/* live in the store first: media nobody can find again is not left
	 * running */
	if (c->state != CER_LIVE && (rc = store_ceremony_set_state(
	                                 app->store, c->id, CER_LIVE, NULL))) {
		log_error("live", "ceremony %lld: cannot store it live (%s)",
		          (long long)c->id, err_name(rc));
		err_fail(e, rc, NULL, "cannot store the ceremony as live");
		media_ceremony_close(mc, NULL);
		return rc;
	}
	if (c->state != CER_LIVE || !mark_of(app, c->id, false))
		mark_open(app, c->id);
	if (c->state != CER_LIVE) {
		c->state = CER_LIVE;
		live_publish(app, c->id,
		             "{\"type\":\"state\",\"state\":\"live\"}");
		inbox_ceremony_live(app, c);
	}
	log_info("live", "ceremony %lld live (%s)", (long long)c->id,
	         ceremony_source_name(c->source));
	return 0;
}

int live_close(struct app *app, struct ceremony *c)
{
	struct media_ceremony *mc = live_find(app, c->id);
	char *path = NULL;
	int rc = 0;

	if (mc)
		rc = media_ceremony_close(mc, &path);
	if (rc)
		log_warn("live", "ceremony %lld: recording not finalised (%s)",
		         (long long)c->id, err_name(rc));
	/* the media are closed either way; a store that cannot say so keeps
	 * the ceremony live there, and the failure is the caller's answer */
	if ((rc = store_ceremony_set_state(app->store, c->id, CER_ENDED, path)))
		log_error("live", "ceremony %lld: cannot store it ended (%s)",
		          (long long)c->id, err_name(rc));
	mark_close(app, c->id);
	if (path)
		snprintf(c->recording_path, sizeof(c->recording_path), "%s",
		         path);
	g_free(path);
	c->state = CER_ENDED;
	live_publish(app, c->id, "{\"type\":\"state\",\"state\":\"ended\"}");
	log_info("live", "ceremony %lld ended", (long long)c->id);
	return rc;
}

int live_source(struct app *app, const struct ceremony *c, bool on)
{
	struct media_ceremony *mc = live_find(app, c->id);
	struct live_mark *m;
	uint64_t before;
	int rc = 0;

	if (!mc)
		return ERR_CONFLICT;
	m = mark_of(app, c->id, true);
	before = m->seq;
	m->paused = !on;
	if (!on)
		media_ceremony_source_stop(mc); /* may report "lost" at once */
	else
		rc = start_source(mc, c);
	if (m->seq == before) /* nothing reported it yet */
		mark_publish(app, m);
	return rc;
}

void live_metrics(struct app *app, struct metrics *m)
{
	struct media_totals t;

	if (!app->media)
		return;
	media_get_totals(app->media, &t);
	const struct {
		bool counter;
		const char *name, *help;
		double value;
	} rows[] = {
	    {false, "sinian_media_ceremonies", "Live ceremonies open.",
	     t.ceremonies},
	    {false, "sinian_media_viewers",
	     "Viewers of live ceremonies (negotiating or connected).",
	     t.viewers},
	    {true, "sinian_encoder_keyframes_forced_total",
	     "Key frames asked of the open ceremonies' encoders and let "
	     "through (joins, PLI/FIR, API).",
	     (double)t.keyframes_forced},
	    {true, "sinian_encoder_keyframes_total",
	     "Key frames the open ceremonies' encoders made, GOP ones "
	     "included.",
	     (double)t.keyframes_produced},
	    {true, "sinian_lite_packets_sent_total",
	     "Datagrams the lite engine sent to viewers.",
	     (double)t.packets_sent},
	    {true, "sinian_lite_packets_segmented_total",
	     "Of those, datagrams sent in messages the kernel segments (UDP "
	     "segmentation offload).",
	     (double)t.packets_segmented},
	    {true, "sinian_lite_send_dropped_total",
	     "Datagrams the lite engine dropped: socket buffer full or no "
	     "route.",
	     (double)t.send_dropped},
	    {true, "sinian_lite_stun_refused_total",
	     "STUN datagrams dropped: unknown ufrag, bad integrity or "
	     "fingerprint.",
	     (double)t.stun_refused},
	    {true, "sinian_lite_unknown_dropped_total",
	     "Non-STUN datagrams from addresses no viewer has.",
	     (double)t.unknown_dropped},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		(rows[i].counter ? metrics_counter_set : metrics_gauge_set)(
		    m, rows[i].name, rows[i].help, rows[i].value);
}

#endif

void live_resume(struct app *app)
{
	if (!app->media)
		return; /* another node runs the media */
	GArray *all = g_array_new(FALSE, FALSE, sizeof(struct ceremony));
	struct err_detail err = {0};

	if (!store_ok(store_ceremony_list(app->store, 0, all),
	              "listing the ceremonies to resume"))
		g_array_set_size(all, 0);
	for (guint i = 0; i < all->len; i++) {
		struct ceremony *c = &g_array_index(all, struct ceremony, i);

		if (c->state == CER_LIVE && live_open(app, c, &err))
			log_warn("live", "ceremony %lld not resumed: %s",
			         (long long)c->id, err.msg);
	}
	g_array_free(all, TRUE);
}
