/* litefan.c — one ceremony's stream to its viewers on the lite engine.
 *
 * Owns: the ceremony's rings and the taps that fill them from the
 * encoder's RTP tees (one appsink-ended branch per stream, the packet
 * copied into the ring on the streaming thread, never queued), the table
 * of its viewers, their answers (built at once from the offer, delivered
 * from the main loop), the connect timeout, VP8 hold and release, and
 * stats. Must never: call an answer callback twice or from inside add,
 * leave a failed viewer in the table, or free a ring while a tap or a
 * worker can still read it. Called by fanout.c.
 */
#include "litefan.h"

#include "answer.h"
#include "codecs.h"
#include "err.h"
#include "log.h"
#include "mainctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG         "fanout"
#define CHECK_MS    1000
#define VIDEO_SLOTS 2048 /* ~6 s of 720p30 at 1.6 Mbit/s: NACK and joins */
#define AUDIO_SLOTS 512  /* ~10 s of 20 ms Opus */

enum { F_H264 = 0, F_OPUS = 1, F_VP8 = 2, F_N = 3 };

struct tap {
	GstElement *bin;
	GstPad *teepad;
	struct ring *ring;
	struct lite *engine;
};

struct litefan {
	struct lite *engine;
	struct encoder *enc;
	struct fanout_config cfg;
	struct fanout_events ev;
	void *user_data;
	struct lite_feed feed;
	struct tap *taps[F_N];
	uint32_t ssrc[F_N];
	GHashTable *viewers; /* id -> struct entry */
	guint timer;
};

struct entry {
	struct litefan *f;
	struct litev *v;
	fanout_answer_fn cb; /* NULL once called */
	void *cb_data;
	char *answer;
	gint64 created_us;
	bool connected;
};

/* ---- taps -------------------------------------------------------------- */

static GstBuffer *tap_buffer(GstBuffer *buf, void *data)
{
	struct tap *t = data;
	GstMapInfo m;

	if (gst_buffer_map(buf, &m, GST_MAP_READ)) {
		ring_push(t->ring, m.data, m.size, g_get_monotonic_time());
		gst_buffer_unmap(buf, &m);
		lite_wake(t->engine);
	}
	gst_buffer_unref(buf);
	return NULL; /* in the ring; nothing goes further */
}

static GstCaps *tap_caps(const GstCaps *in, void *data)
{
	return gst_caps_copy(in); /* take any: never constrain the tee */
}

static void tap_free(struct litefan *f, struct tap *t)
{
	if (!t)
		return;
	encoder_branch_unlink(f->enc, t->teepad);
	if (t->bin) {
		gst_element_set_state(t->bin, GST_STATE_NULL);
		if (GST_OBJECT_PARENT(t->bin))
			gst_bin_remove(GST_BIN(encoder_pipeline(f->enc)),
			               t->bin);
		gst_object_unref(t->bin);
	}
	ring_free(t->ring);
	g_free(t);
}

static int tap_new(struct litefan *f, enum encoder_stream s,
                   enum ring_codec codec, unsigned slots, struct tap **out)
{
	struct tap *t = g_new0(struct tap, 1);
	struct encoder_hooks h = {tap_buffer, tap_caps, t, NULL};
	GstElement *sink = gst_element_factory_make("appsink", NULL);
	GstPad *pad, *ghost;

	*out = NULL;
	t->engine = f->engine;
	if (!sink || ring_new(slots, codec, &t->ring) != 0) {
		if (sink)
			gst_object_unref(gst_object_ref_sink(sink));
		g_free(t);
		return ERR_NOMEM;
	}
	g_object_set(sink, "sync", FALSE, "async", FALSE, "max-buffers", 1,
	             "drop", TRUE, NULL);
	t->bin = gst_object_ref_sink(gst_bin_new(NULL));
	gst_bin_add(GST_BIN(t->bin), sink);
	pad = gst_element_get_static_pad(sink, "sink");
	ghost = encoder_branch_pad(t->bin, "sink", pad, &h);
	gst_object_unref(pad);
	if (ghost) {
		gst_bin_add(GST_BIN(encoder_pipeline(f->enc)), t->bin);
		gst_element_sync_state_with_parent(t->bin);
		t->teepad = encoder_branch_link(f->enc, s, ghost);
	}
	if (!ghost || !t->teepad) {
		tap_free(f, t);
		return ERR_INTERNAL;
	}
	*out = t;
	return 0;
}

/* ---- viewers ----------------------------------------------------------- */

static void entry_free(gpointer data)
{
	struct entry *e = data;

	lite_detach(e->f->engine, e->v);
	litev_unref(e->v);
	g_free(e->answer);
	g_free(e);
}

static void release_vp8_if_unused(struct litefan *f)
{
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, f->viewers);
	while (g_hash_table_iter_next(&it, &key, &val))
		if (((struct entry *)val)->v->vp8)
			return;
	encoder_release_vp8(f->enc);
}

/* Remove a viewer; an answer still owed is status. */
static void drop(struct litefan *f, struct entry *e, int status)
{
	fanout_answer_fn cb = e->cb;
	void *cb_data = e->cb_data;
	bool vp8 = e->v->vp8;
	char id[FANOUT_ID_LEN];

	memcpy(id, e->v->id, sizeof(id));
	e->cb = NULL;
	g_hash_table_remove(f->viewers, id); /* frees e */
	if (vp8)
		release_vp8_if_unused(f);
	if (cb)
		cb(status, NULL, id, cb_data);
}

static void gone(struct litefan *f, struct entry *e, const char *why)
{
	char id[FANOUT_ID_LEN];

	memcpy(id, e->v->id, sizeof(id));
	drop(f, e, ERR_GONE);
	log_info(TAG, "viewer %.8s gone: %s", id, why);
	if (f->ev.viewer_gone)
		f->ev.viewer_gone(id, why, f->user_data);
}

static void on_event(struct litev *v, enum litev_event ev, const char *why)
{
	struct entry *e = v->owner;
	struct litefan *f = e->f;

	if (ev == LITEV_CONNECTED) {
		e->connected = true;
		log_info(TAG, "viewer %.8s connected", v->id);
		if (f->ev.viewer_connected)
			f->ev.viewer_connected(v->id, f->user_data);
	} else {
		gone(f, e, why);
	}
}

static gboolean deliver_answer(gpointer data)
{
	struct litev *v = data;
	struct entry *e = v->on_event ? v->owner : NULL;
	fanout_answer_fn cb;
	char *answer;

	if (!e || !e->cb)
		return G_SOURCE_REMOVE; /* removed before its answer */
	answer = e->answer;

	cb = e->cb;
	e->cb = NULL;
	e->answer = NULL; /* not kept: ~1.3 KB a viewer */
	/* the callback may remove the viewer: e is not touched after it */
	cb(0, answer, v->id, e->cb_data);
	g_free(answer);
	return G_SOURCE_REMOVE;
}

static void unref_viewer(gpointer data)
{
	litev_unref(data);
}

/* Connected viewers are the engine's to watch; this one catches those
 * that never connect. */
static gboolean check_connect(gpointer data)
{
	struct litefan *f = data;
	gint64 limit = (gint64)f->cfg.connect_timeout_ms * 1000;
	gint64 now = g_get_monotonic_time();
	GPtrArray *late = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, f->viewers);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct entry *e = val;

		if (!e->connected && now - e->created_us > limit)
			g_ptr_array_add(late, g_strdup(key));
	}
	for (guint i = 0; i < late->len; i++) {
		struct entry *e =
		    g_hash_table_lookup(f->viewers, g_ptr_array_index(late, i));

		if (e)
			gone(f, e, "did not connect in time");
	}
	g_ptr_array_unref(late);
	return G_SOURCE_CONTINUE;
}

/* The viewer's streams: rings, payload types, SSRCs. */
static int setup_viewer(struct litefan *f, struct litev *v,
                        const struct codecs_choice *cc, const char *peer_fp)
{
	int vk = cc->vp8 ? F_VP8 : F_H264;

	if (cc->vp8 && !f->taps[F_VP8]) {
		int rc = tap_new(f, ENCODER_VP8_RTP, RING_VP8, VIDEO_SLOTS,
		                 &f->taps[F_VP8]);

		if (rc)
			return rc;
		f->feed.ring[F_VP8] = f->taps[F_VP8]->ring;
	}
	snprintf(v->peer_fp, sizeof(v->peer_fp), "%s", peer_fp);
	v->vp8 = cc->vp8;
	v->feed = &f->feed;
	v->st[LITEV_VIDEO] =
	    (struct litev_stream){.ring = f->feed.ring[vk],
	                          .pt = (uint8_t)cc->pt[CODECS_VIDEO],
	                          .ssrc = f->ssrc[vk],
	                          .clock_rate = 90000};
	if (cc->mline[CODECS_AUDIO] >= 0)
		v->st[LITEV_AUDIO] =
		    (struct litev_stream){.ring = f->feed.ring[F_OPUS],
		                          .pt = (uint8_t)cc->pt[CODECS_AUDIO],
		                          .ssrc = f->ssrc[F_OPUS],
		                          .clock_rate = 48000};
	return 0;
}

static char *make_answer(struct litefan *f, const struct litev *v,
                         const struct answer_offer *ao,
                         const struct codecs_choice *cc,
                         const struct sdp_offer_info *info)
{
	struct answer_params p = {0};

	p.offer = ao;
	p.ufrag = v->ufrag;
	p.pwd = v->pwd;
	p.fingerprint = lite_fingerprint(f->engine);
	p.video = (struct answer_stream){
	    cc->mline[CODECS_VIDEO], cc->pt[CODECS_VIDEO], cc->vp8,
	    info->h264_profile_level_id, v->st[LITEV_VIDEO].ssrc};
	p.audio = (struct answer_stream){cc->mline[CODECS_AUDIO],
	                                 cc->pt[CODECS_AUDIO], false, NULL,
	                                 v->st[LITEV_AUDIO].ssrc};
	p.ips = lite_addresses(f->engine, &p.n_ips);
	p.port = lite_port(f->engine);
	p.session_id = ((uint64_t)g_random_int() << 31) ^ g_random_int();
	return answer_build(&p);
}

/* Check the offer and choose what to send. 0 or an ERR_* with e. */
static int read_offer(struct litefan *f, const char *offer, size_t len,
                      struct sdp_offer_info *info, struct answer_offer *ao,
                      struct codecs_choice *cc, struct err_detail *e)
{
	int rc = sdp_offer_inspect(offer, len, info, e);

	if (rc)
		return rc;
	if (g_hash_table_size(f->viewers) >= f->cfg.max_viewers) {
		return err_fail(e, ERR_FULL, "full",
		                "this ceremony has its maximum of %u viewers",
		                f->cfg.max_viewers);
	}
	rc = answer_offer_parse(offer, len, ao, e);
	if (!rc)
		rc = codecs_choose(f->enc, info, cc, e);
	return rc;
}

int litefan_viewer_add(struct litefan *f, const char *offer, size_t len,
                       fanout_answer_fn cb, void *user_data,
                       char id_out[FANOUT_ID_LEN], struct err_detail *e)
{
	struct sdp_offer_info info;
	struct answer_offer *ao = g_new(struct answer_offer, 1);
	struct codecs_choice cc = {0};
	struct entry *ent;
	struct litev *v = NULL;
	int rc;

	id_out[0] = '\0';
	rc = read_offer(f, offer, len, &info, ao, &cc, e);
	if (!rc && !(v = litev_new()))
		rc = ERR_NOMEM;
	if (!rc)
		rc = setup_viewer(f, v, &cc, ao->fingerprint);
	if (!rc && lite_attach(f->engine, v) != 0) {
		rc = err_fail(e, ERR_INVALID, NULL,
		              "offer's DTLS fingerprint is unusable");
	}
	if (rc) {
		bool vp8 = cc.vp8;

		litev_unref(v);
		codecs_clear(&cc);
		g_free(ao);
		if (vp8)
			release_vp8_if_unused(f);
		return rc;
	}
	ent = g_new0(struct entry, 1);
	*ent = (struct entry){
	    f, v, cb, user_data, NULL, g_get_monotonic_time(), false};
	ent->answer = make_answer(f, v, ao, &cc, &info);
	codecs_clear(&cc);
	g_free(ao);
	v->owner = ent;
	v->on_event = on_event;
	g_hash_table_insert(f->viewers, v->id, ent);
	memcpy(id_out, v->id, FANOUT_ID_LEN);
	mainctx_post(deliver_answer, litev_ref(v), unref_viewer);
	log_info(TAG, "viewer %.8s answered (%u viewers)", v->id,
	         g_hash_table_size(f->viewers));
	return 0;
}

int litefan_viewer_remove(struct litefan *f, const char *viewer_id)
{
	struct entry *e =
	    viewer_id ? g_hash_table_lookup(f->viewers, viewer_id) : NULL;

	if (!e)
		return ERR_NOT_FOUND;
	drop(f, e, ERR_GONE);
	return 0;
}

unsigned litefan_viewer_count(struct litefan *f)
{
	return g_hash_table_size(f->viewers);
}

static void entry_stats(const struct entry *e, struct fanout_viewer_stats *s)
{
	const struct litev *v = e->v;

	memcpy(s->id, v->id, FANOUT_ID_LEN);
	s->connected = e->connected;
	snprintf(s->video_codec, sizeof(s->video_codec), "%s",
	         v->vp8 ? "VP8" : "H264");
	s->video_pt = v->st[LITEV_VIDEO].pt;
	s->audio_pt = v->st[LITEV_AUDIO].ring ? v->st[LITEV_AUDIO].pt : -1;
	s->video_packets = atomic_load(&v->st[LITEV_VIDEO].packets);
	s->video_bytes = atomic_load(&v->st[LITEV_VIDEO].bytes);
	s->audio_packets = atomic_load(&v->st[LITEV_AUDIO].packets);
	s->audio_bytes = atomic_load(&v->st[LITEV_AUDIO].bytes);
	s->fraction_lost = atomic_load(&v->rr_fraction);
	s->lost = atomic_load(&v->rr_lost);
	s->jitter_ms = atomic_load(&v->rr_jitter_ms);
	s->rtt_ms = atomic_load(&v->rr_rtt_ms);
}

int litefan_stats(struct litefan *f, struct fanout_stats *out)
{
	GHashTableIter it;
	gpointer key, val;

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

		entry_stats(val, s);
		out->connected += s->connected;
	}
	return 0;
}

int litefan_new(struct lite *engine, struct encoder *enc,
                const struct fanout_config *cfg, const struct fanout_events *ev,
                void *user_data, struct litefan **out)
{
	struct litefan *f = g_new0(struct litefan, 1);
	int rc;

	*out = NULL;
	f->engine = engine;
	f->enc = enc;
	f->cfg = *cfg;
	f->cfg.stun_server = f->cfg.public_ip = NULL;
	f->cfg.turn_servers = NULL;
	if (ev)
		f->ev = *ev;
	f->user_data = user_data;
	f->feed.enc = enc;
	atomic_init(&f->feed.key_request_us, 0);
	for (int i = 0; i < F_N; i++)
		f->ssrc[i] = g_random_int() | 1;
	f->viewers =
	    g_hash_table_new_full(g_str_hash, g_str_equal, NULL, entry_free);
	rc = tap_new(f, ENCODER_H264_RTP, RING_H264, VIDEO_SLOTS,
	             &f->taps[F_H264]);
	if (!rc)
		rc = tap_new(f, ENCODER_OPUS_RTP, RING_OTHER, AUDIO_SLOTS,
		             &f->taps[F_OPUS]);
	if (rc) {
		litefan_free(f);
		return rc;
	}
	f->feed.ring[F_H264] = f->taps[F_H264]->ring;
	f->feed.ring[F_OPUS] = f->taps[F_OPUS]->ring;
	f->timer = g_timeout_add(CHECK_MS, check_connect, f);
	*out = f;
	return 0;
}

void litefan_free(struct litefan *f)
{
	GHashTableIter it;
	gpointer key, val;

	if (!f)
		return;
	if (f->timer)
		g_source_remove(f->timer);
	for (;;) {
		g_hash_table_iter_init(&it, f->viewers);
		if (!g_hash_table_iter_next(&it, &key, &val))
			break;
		drop(f, val, ERR_GONE);
	}
	g_hash_table_unref(f->viewers);
	/* no worker reads the rings now: the taps and rings can go */
	for (int i = 0; i < F_N; i++)
		tap_free(f, f->taps[i]);
	g_free(f);
}
