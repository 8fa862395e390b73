/* input.c — chooses, buffer by buffer, between the live source and the
 * slate, and restamps what it forwards into the encoder's running time.
 *
 * Owns: the live source and the slate source objects, the per-kind "live
 * is delivering" state with its watchdog timer, and the timestamps handed
 * to the encoder (video strictly increasing; audio continuous unless a gap
 * or drift exceeds a few tens of ms). Must never: block in a sample
 * callback (encoder_push leaks instead), free a source while holding the
 * lock (freeing joins the threads that take it), or call the user back
 * from a streaming thread. Called by media.c.
 */
#include "input.h"

#include "err.h"
#include "log.h"
#include "mainctx.h"

#include <string.h>

#define TAG            "input"
#define WATCHDOG_MS    200
#define AUDIO_GAP_NS   (60 * GST_MSECOND)
#define AUDIO_AHEAD_NS (120 * GST_MSECOND)

enum { K_VIDEO = 0, K_AUDIO = 1 };

struct input {
	gatomicrefcount ref; /* owner + pending main-loop posts */
	struct encoder *enc;
	struct input_events ev;
	void *user_data;
	GstClockTime frame_ns;
	/* main thread only */
	struct source *live, *slate;
	guint watchdog;
	bool slate_running, reported_live, reported_pass, closed;
	/* shared with streaming threads, under lock */
	GMutex lock;
	bool active[2];
	gint64 last_live_us[2];
	GstClockTime last_vpts, audio_end;
	struct input_stats stats;
};

static struct input *input_ref(struct input *in)
{
	g_atomic_ref_count_inc(&in->ref);
	return in;
}

static void input_unref(gpointer data)
{
	struct input *in = data;

	if (!g_atomic_ref_count_dec(&in->ref))
		return;
	g_mutex_clear(&in->lock);
	g_free(in);
}

/* Stamp and forward one buffer; called with the lock held. */
static void push_locked(struct input *in, bool video, GstBuffer *buf)
{
	GstClockTime now = encoder_running_time(in->enc), pts;

	buf = gst_buffer_make_writable(buf);
	if (video) {
		pts = (in->last_vpts != GST_CLOCK_TIME_NONE &&
		       now <= in->last_vpts)
		          ? in->last_vpts + 1
		          : now;
		in->last_vpts = pts;
		GST_BUFFER_DURATION(buf) = in->frame_ns;
	} else {
		GstClockTime dur = gst_util_uint64_scale(
		    gst_buffer_get_size(buf) / 4, GST_SECOND, 48000);

		if (in->audio_end == GST_CLOCK_TIME_NONE ||
		    in->audio_end + AUDIO_GAP_NS < now) {
			pts = now; /* first buffer, or a gap: resync */
			GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
		} else if (in->audio_end > now + AUDIO_AHEAD_NS) {
			in->stats.dropped++; /* a burst ran ahead: shed it */
			gst_buffer_unref(buf);
			return;
		} else {
			pts = in->audio_end;
		}
		in->audio_end = pts + dur;
		GST_BUFFER_DURATION(buf) = dur;
	}
	GST_BUFFER_PTS(buf) = pts;
	GST_BUFFER_DTS(buf) = GST_CLOCK_TIME_NONE;
	if (encoder_push(in->enc, video, buf) != 0)
		in->stats.dropped++;
}

/* Main thread: tell the owner when the pass-through starts or stops
 * (the switch decides on streaming threads; the watchdog looks). */
static void sync_passthrough(struct input *in)
{
	struct h264switch_stats st;

	encoder_get_h264_stats(in->enc, &st);
	if (st.passthrough == in->reported_pass)
		return;
	in->reported_pass = st.passthrough;
	if (in->ev.video_changed)
		in->ev.video_changed(st.passthrough, in->user_data);
}

/* Main thread: run the slate only while some kind lacks live data, and
 * tell the owner when "live" or the pass-through changes. */
static void sync_main(struct input *in)
{
	bool need_slate, live;

	if (in->closed)
		return;
	g_mutex_lock(&in->lock);
	need_slate = !in->active[K_VIDEO] || !in->active[K_AUDIO];
	live = in->active[K_VIDEO] || in->active[K_AUDIO];
	in->stats.live = live;
	g_mutex_unlock(&in->lock);
	if (need_slate != in->slate_running) {
		source_set_paused(in->slate, !need_slate);
		in->slate_running = need_slate;
	}
	if (live != in->reported_live) {
		in->reported_live = live;
		log_info(TAG, "source %s", live ? "live" : "lost: slate");
		if (in->ev.live_changed)
			in->ev.live_changed(live, in->user_data);
	}
	sync_passthrough(in);
}

static gboolean sync_idle(gpointer data)
{
	sync_main(data);
	return G_SOURCE_REMOVE;
}

/* The live source delivered kind k; called with the lock held. Returns
 * true if the kind just became active (the caller posts sync_idle). */
static bool mark_live_locked(struct input *in, int k)
{
	bool became = !in->active[k];

	in->last_live_us[k] = mainctx_now_us();
	in->active[k] = true;
	if (became && k == K_VIDEO) /* back from the slate: no GOP wait */
		encoder_request_keyframe(in->enc);
	return became;
}

static void on_live(void *data, bool video, GstBuffer *buf)
{
	struct input *in = data;
	bool became;

	g_mutex_lock(&in->lock);
	became = mark_live_locked(in, video ? K_VIDEO : K_AUDIO);
	if (!video) {
		in->stats.live_audio++;
		push_locked(in, false, buf);
	} else if (encoder_wants_raw(in->enc)) {
		in->stats.live_video++;
		push_locked(in, true, buf);
	} else { /* its H.264 is passed through: nothing to encode */
		gst_buffer_unref(buf);
	}
	g_mutex_unlock(&in->lock);
	if (became)
		mainctx_post(sync_idle, input_ref(in), input_unref);
}

/* The live source's own H.264: offered to the encoder for pass-through.
 * Not under the lock: the switch keeps its own order. */
static void on_live_h264(void *data, GstBuffer *buf, const GstCaps *caps)
{
	struct input *in = data;
	bool became;

	if (!encoder_push_h264(in->enc, buf, caps))
		return;
	g_mutex_lock(&in->lock);
	became = mark_live_locked(in, K_VIDEO);
	in->stats.passed_video++;
	g_mutex_unlock(&in->lock);
	if (became)
		mainctx_post(sync_idle, input_ref(in), input_unref);
}

static void on_slate(void *data, bool video, GstBuffer *buf)
{
	struct input *in = data;
	int k = video ? K_VIDEO : K_AUDIO;

	g_mutex_lock(&in->lock);
	if (in->active[k]) {
		gst_buffer_unref(buf);
	} else {
		if (video)
			in->stats.slate_video++;
		else
			in->stats.slate_audio++;
		push_locked(in, video, buf);
	}
	g_mutex_unlock(&in->lock);
}

static gboolean watchdog(gpointer data)
{
	struct input *in = data;
	gint64 now = mainctx_now_us();
	bool video_lost = false;

	g_mutex_lock(&in->lock);
	for (int k = 0; k < 2; k++)
		if (in->active[k] &&
		    now - in->last_live_us[k] > INPUT_LOST_US) {
			in->active[k] = false;
			video_lost = video_lost || k == K_VIDEO;
		}
	g_mutex_unlock(&in->lock);
	if (video_lost)
		encoder_h264_source_lost(in->enc);
	sync_main(in);
	return G_SOURCE_CONTINUE;
}

int input_new(struct encoder *enc, const char *slate_text,
              const struct input_events *ev, void *user_data,
              struct input **out, struct err_detail *e)
{
	const struct encoder_config *ec = encoder_config(enc);
	struct source_format fmt = {ec->width, ec->height, ec->fps};
	struct input *in;
	int rc;

	*out = NULL;
	in = g_new0(struct input, 1);
	g_atomic_ref_count_init(&in->ref);
	g_mutex_init(&in->lock);
	in->enc = enc;
	if (ev)
		in->ev = *ev;
	in->user_data = user_data;
	in->frame_ns = gst_util_uint64_scale(GST_SECOND, 1, (guint64)ec->fps);
	in->last_vpts = in->audio_end = GST_CLOCK_TIME_NONE;
	rc = source_new_slate(&fmt, slate_text, &in->slate, e);
	if (rc == 0)
		rc = source_start(in->slate, on_slate, in);
	if (rc) {
		input_free(in);
		return rc;
	}
	in->slate_running = true;
	in->watchdog = g_timeout_add(WATCHDOG_MS, watchdog, in);
	*out = in;
	return 0;
}

void input_free(struct input *in)
{
	if (!in)
		return;
	in->closed = true;
	if (in->watchdog)
		g_source_remove(in->watchdog);
	source_free(in->live);
	source_free(in->slate);
	in->live = in->slate = NULL;
	input_unref(in);
}

int input_set_live(struct input *in, struct source *src)
{
	GstPad *up;
	int rc;

	input_clear_live(in);
	in->live = src;
	source_set_h264(src, on_live_h264);
	up = source_h264_upstream(src);
	encoder_set_h264_upstream(in->enc, up);
	if (up)
		gst_object_unref(up);
	rc = source_start(src, on_live, in);
	if (rc) {
		encoder_set_h264_upstream(in->enc, NULL);
		source_free(in->live);
		in->live = NULL;
		return rc;
	}
	log_info(TAG, "live source: %s", source_kind(src));
	return 0;
}

void input_clear_live(struct input *in)
{
	if (!in->live)
		return;
	source_free(in->live); /* joins its threads: no on_live after */
	in->live = NULL;
	encoder_set_h264_upstream(in->enc, NULL);
	encoder_h264_source_lost(in->enc);
	g_mutex_lock(&in->lock);
	in->active[K_VIDEO] = in->active[K_AUDIO] = false;
	g_mutex_unlock(&in->lock);
	sync_main(in);
}

bool input_is_live(struct input *in)
{
	bool live;

	g_mutex_lock(&in->lock);
	live = in->active[K_VIDEO] || in->active[K_AUDIO];
	g_mutex_unlock(&in->lock);
	return live;
}

void input_get_stats(struct input *in, struct input_stats *out)
{
	g_mutex_lock(&in->lock);
	*out = in->stats;
	out->live = in->active[K_VIDEO] || in->active[K_AUDIO];
	g_mutex_unlock(&in->lock);
}
