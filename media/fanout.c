/* fanout.c — one ceremony's stream to many WHEP viewers.
 *
 * Owns: the table of viewers of one encoder, the mapping of viewer events
 * to the caller's answer callback (exactly once per accepted offer) and
 * fanout_events, the bus listener that fails a viewer whose elements post
 * an error, the RTCP-silence watchdog, and stats. The per-viewer engine
 * (webrtcbin) lives in viewer.c. Must never: call the answer callback
 * twice or from inside fanout_viewer_add, or leave a failed viewer in the
 * table. Called by media.c, or by whoever owns an encoder.
 */
#include "fanout.h"

#include "err.h"
#include "litefan.h"
#include "log.h"
#include "sdp.h"
#include "viewer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG             "fanout"
#define LIVENESS_MS     1000 /* how often RTCP silence is checked */
#define MAX_VIEWERS_DEF 500

struct fanout {
	struct encoder *enc;
	struct fanout_config cfg; /* strings point to our copies below */
	char *stun, *public_ip;
	char **turns;
	struct viewer_settings vs;
	struct fanout_events ev;
	void *user_data;
	GHashTable *viewers; /* id -> struct entry */
	guint liveness_timer;
	struct litefan *lf; /* the lite engine's, instead of all above */
};

struct entry {
	struct viewer *v;
	fanout_answer_fn cb; /* NULL once called */
	void *cb_data;
};

static void entry_free(gpointer data)
{
	struct entry *e = data;

	viewer_close(e->v);
	viewer_unref(e->v);
	g_free(e);
}

/* With no VP8 viewer left, the encoder need not encode raw pictures for
 * VP8 any more: the pass-through may resume. */
static void release_vp8_if_unused(struct fanout *f)
{
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, f->viewers);
	while (g_hash_table_iter_next(&it, &key, &value))
		if (viewer_vp8(((struct entry *)value)->v))
			return;
	encoder_release_vp8(f->enc);
}

/* Remove a viewer; if its answer is still owed, it is ERR_GONE. */
static void drop(struct fanout *f, struct entry *e, int status)
{
	fanout_answer_fn cb = e->cb;
	void *cb_data = e->cb_data;
	bool vp8 = viewer_vp8(e->v);
	char id[FANOUT_ID_LEN];

	memcpy(id, viewer_id(e->v), sizeof(id));
	e->cb = NULL;
	g_hash_table_remove(f->viewers, id); /* closes and frees e */
	if (vp8)
		release_vp8_if_unused(f);
	if (cb)
		cb(status, NULL, id, cb_data);
}

static void on_viewer(struct viewer *v, enum viewer_event ev, int status,
                      const char *text, void *owner)
{
	struct fanout *f = owner;
	struct entry *e = g_hash_table_lookup(f->viewers, viewer_id(v));
	fanout_answer_fn cb;
	char id[FANOUT_ID_LEN];

	if (!e)
		return;
	switch (ev) {
	case VIEWER_ANSWER:
		if (status != 0) {
			drop(f, e, status);
			return;
		}
		cb = e->cb;
		e->cb = NULL;
		/* The callback may remove the viewer (its client left): e is
		 * not touched after it; v is held by the viewer. */
		if (cb)
			cb(0, text, viewer_id(v), e->cb_data);
		break;
	case VIEWER_CONNECTED:
		if (f->ev.viewer_connected)
			f->ev.viewer_connected(viewer_id(v), f->user_data);
		break;
	case VIEWER_FAILED:
		memcpy(id, viewer_id(v), sizeof(id));
		drop(f, e, status);
		log_info(TAG, "viewer %.8s gone: %s", id, text);
		if (f->ev.viewer_gone)
			f->ev.viewer_gone(id, text, f->user_data);
		break;
	}
}

/* Errors from inside a viewer's bin fail that viewer only. */
static bool bus_listener(GstMessage *msg, void *data)
{
	struct fanout *f = data;
	GHashTableIter it;
	gpointer key, val;
	GError *gerr = NULL;
	char why[160];

	if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ERROR &&
	    GST_MESSAGE_TYPE(msg) != GST_MESSAGE_WARNING)
		return false;
	g_hash_table_iter_init(&it, f->viewers);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct viewer *v = ((struct entry *)val)->v;

		if (!viewer_owns(v, GST_MESSAGE_SRC(msg)))
			continue;
		if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING) {
			gst_message_parse_warning(msg, &gerr, NULL);
			log_debug(TAG, "viewer %.8s: %s", viewer_id(v),
			          gerr->message);
			g_clear_error(&gerr);
			return true;
		}
		gst_message_parse_error(msg, &gerr, NULL);
		snprintf(why, sizeof(why), "error: %s", gerr->message);
		g_clear_error(&gerr);
		viewer_fail(v, ERR_INTERNAL, why);
		return true;
	}
	return false;
}

/* Connected viewers that stopped sending RTCP have gone away silently
 * (tab closed, network lost): ICE alone would not notice. */
static gboolean liveness_check(gpointer data)
{
	struct fanout *f = data;
	gint64 limit = (gint64)f->cfg.viewer_timeout_ms * 1000;
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, f->viewers);
	while (g_hash_table_iter_next(&it, &key, &val))
		if (viewer_rtcp_silence_us(((struct entry *)val)->v) > limit)
			g_ptr_array_add(ids, g_strdup(key));
	for (guint i = 0; i < ids->len; i++) {
		struct entry *e =
		    g_hash_table_lookup(f->viewers, g_ptr_array_index(ids, i));

		if (e)
			viewer_fail(e->v, ERR_GONE, "no RTCP from the viewer");
	}
	g_ptr_array_unref(ids);
	return G_SOURCE_CONTINUE;
}

int fanout_viewer_add(struct fanout *f, const char *offer, size_t len,
                      fanout_answer_fn cb, void *user_data,
                      char id_out[FANOUT_ID_LEN], struct err_detail *e)
{
	struct sdp_offer_info info;
	struct entry *ent;
	struct viewer *v;
	int rc;

	if (f->lf)
		return litefan_viewer_add(f->lf, offer, len, cb, user_data,
		                          id_out, e);
	id_out[0] = '\0';
	rc = sdp_offer_inspect(offer, len, &info, e);
	if (rc)
		return rc;
	if (g_hash_table_size(f->viewers) >= f->cfg.max_viewers) {
		return err_fail(e, ERR_FULL, "full",
		                "this ceremony has its maximum of %u "
		                "viewers",
		                f->cfg.max_viewers);
	}
	rc = viewer_new(&f->vs, &info, offer, len, on_viewer, f, &v, e);
	if (rc) {
		release_vp8_if_unused(f); /* choosing VP8 may have held it */
		return rc;
	}
	ent = g_new0(struct entry, 1);
	ent->v = v;
	ent->cb = cb;
	ent->cb_data = user_data;
	g_hash_table_insert(f->viewers, (gpointer)viewer_id(v), ent);
	memcpy(id_out, viewer_id(v), FANOUT_ID_LEN);
	log_info(TAG, "viewer %.8s negotiating (%u viewers)", viewer_id(v),
	         g_hash_table_size(f->viewers));
	return 0;
}

int fanout_viewer_remove(struct fanout *f, const char *viewer_id)
{
	struct entry *e;

	if (f->lf)
		return litefan_viewer_remove(f->lf, viewer_id);
	e = viewer_id ? g_hash_table_lookup(f->viewers, viewer_id) : NULL;
	if (!e)
		return ERR_NOT_FOUND;
	drop(f, e, ERR_GONE);
	return 0;
}

unsigned fanout_viewer_count(struct fanout *f)
{
	if (f->lf)
		return litefan_viewer_count(f->lf);
	return g_hash_table_size(f->viewers);
}

void fanout_request_keyframe(struct fanout *f)
{
	encoder_request_keyframe(f->enc);
}

int fanout_stats(struct fanout *f, struct fanout_stats *out)
{
	GHashTableIter it;
	gpointer key, val;

	if (f->lf)
		return litefan_stats(f->lf, out);
	memset(out, 0, sizeof(*out));
	out->viewers = g_hash_table_size(f->viewers);
	out->keyframes_forced = encoder_keyframes_forced(f->enc);
	if (out->viewers == 0)
		return 0;
	out->v = calloc(out->viewers, sizeof(*out->v));
	if (!out->v)
		return ERR_NOMEM;
	g_hash_table_iter_init(&it, f->viewers);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct fanout_viewer_stats *s = &out->v[out->n++];

		viewer_get_stats(((struct entry *)val)->v, s);
		out->connected += s->connected;
	}
	return 0;
}

void fanout_stats_clear(struct fanout_stats *s)
{
	if (!s)
		return;
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* "stun:host:port" (browser style) -> "stun://host:port" (webrtcbin). */
static char *stun_url(const char *in)
{
	if (g_str_has_prefix(in, "stun://"))
		return g_strdup(in);
	if (g_str_has_prefix(in, "stun:") && in[5])
		return g_strdup_printf("stun://%s", in + 5);
	return NULL;
}

int fanout_config_check(const struct fanout_config *cfg, struct err_detail *e)
{
	char *url, *probe = NULL;

	if (!cfg)
		return 0;
	if (cfg->stun_server) {
		url = stun_url(cfg->stun_server);
		g_free(url);
		if (!url) {
			return err_fail(e, ERR_INVALID, NULL,
			                "STUN server must look like "
			                "stun:host:port");
		}
	}
	for (const char *const *t = cfg->turn_servers; t && *t; t++)
		if (!g_str_has_prefix(*t, "turn://") &&
		    !g_str_has_prefix(*t, "turns://")) {
			return err_fail(e, ERR_INVALID, NULL,
			                "TURN server must look like "
			                "turn(s)://user:pass@host:port");
		}
	if (cfg->public_ip) {
		if (sdp_rewrite_host_ip("", cfg->public_ip, &probe) != 0) {
			return err_fail(e, ERR_INVALID, NULL,
			                "public IP must be an IPv4 "
			                "address");
		}
		free(probe);
	}
	return 0;
}

static int copy_config(struct fanout *f, const struct fanout_config *cfg)
{
	char *probe = NULL;

	if (cfg)
		f->cfg = *cfg;
	f->cfg.stun_server = f->cfg.public_ip = NULL;
	f->cfg.turn_servers = NULL;
	if (!f->cfg.max_viewers)
		f->cfg.max_viewers = MAX_VIEWERS_DEF;
	if (!f->cfg.gather_timeout_ms)
		f->cfg.gather_timeout_ms = 2000;
	if (!f->cfg.connect_timeout_ms)
		f->cfg.connect_timeout_ms = 20000;
	if (!f->cfg.viewer_timeout_ms)
		f->cfg.viewer_timeout_ms = 15000;
	if (!cfg)
		return 0;
	if (cfg->stun_server && !(f->stun = stun_url(cfg->stun_server)))
		return ERR_INVALID;
	if (cfg->public_ip) {
		if (sdp_rewrite_host_ip("", cfg->public_ip, &probe) != 0)
			return ERR_INVALID;
		free(probe);
		f->public_ip = g_strdup(cfg->public_ip);
	}
	if (cfg->turn_servers) {
		f->turns = g_strdupv((char **)cfg->turn_servers);
		for (char **t = f->turns; *t; t++)
			if (!g_str_has_prefix(*t, "turn://") &&
			    !g_str_has_prefix(*t, "turns://"))
				return ERR_INVALID;
	}
	f->cfg.stun_server = f->stun;
	f->cfg.public_ip = f->public_ip;
	f->cfg.turn_servers = (const char *const *)f->turns;
	return 0;
}

int fanout_new(struct encoder *enc, const struct fanout_config *cfg,
               const struct fanout_events *ev, void *user_data,
               struct fanout **out)
{
	GstElementFactory *wf;
	struct fanout *f;
	int rc;

	*out = NULL;
	if (cfg && cfg->lite) {
		f = g_new0(struct fanout, 1);
		f->enc = enc;
		rc = copy_config(f, cfg);
		if (!rc)
			rc = litefan_new(cfg->lite, enc, &f->cfg, ev, user_data,
			                 &f->lf);
		if (rc) {
			fanout_free(f);
			return rc;
		}
		*out = f;
		return 0;
	}
	wf = gst_element_factory_find("webrtcbin");
	if (!wf)
		return ERR_UNAVAILABLE;
	gst_object_unref(wf);
	f = g_new0(struct fanout, 1);
	f->enc = enc;
	if (ev)
		f->ev = *ev;
	f->user_data = user_data;
	f->viewers =
	    g_hash_table_new_full(g_str_hash, g_str_equal, NULL, entry_free);
	if (copy_config(f, cfg) != 0) {
		log_error(TAG, "bad STUN/TURN server or public_ip");
		fanout_free(f);
		return ERR_INVALID;
	}
	f->vs = (struct viewer_settings){
	    enc,
	    {f->stun, f->turns, f->public_ip, f->cfg.loopback_only},
	    f->cfg.gather_timeout_ms,
	    f->cfg.connect_timeout_ms};
	encoder_bus_listen(enc, bus_listener, f);
	f->liveness_timer = g_timeout_add(LIVENESS_MS, liveness_check, f);
	*out = f;
	return 0;
}

void fanout_free(struct fanout *f)
{
	GHashTableIter it;
	gpointer key, val;

	if (!f)
		return;
	if (!f->viewers) { /* the lite engine's */
		litefan_free(f->lf);
		g_free(f->stun);
		g_free(f->public_ip);
		g_strfreev(f->turns);
		g_free(f);
		return;
	}
	encoder_bus_unlisten(f->enc, bus_listener, f);
	if (f->liveness_timer)
		g_source_remove(f->liveness_timer);
	for (;;) {
		g_hash_table_iter_init(&it, f->viewers);
		if (!g_hash_table_iter_next(&it, &key, &val))
			break;
		drop(f, val, ERR_GONE);
	}
	g_hash_table_unref(f->viewers);
	g_free(f->stun);
	g_free(f->public_ip);
	g_strfreev(f->turns);
	g_free(f);
}
