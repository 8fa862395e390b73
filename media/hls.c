/* hls.c — HLS packaging of a live ceremony's encoded streams.
 *
 * Owns: a bin in the encode pipeline (video: queue, h264parse; audio:
 * queue, opusdec, AAC encoder; splitmuxsink with mpegtsmux writing one
 * MPEG-TS file per segment), the key frame cadence that cuts segments of
 * the configured length, the playlist (written here from splitmuxsink's
 * fragment messages, on the main loop: hlssink2 of GStreamer 1.22 names
 * the wrong file in its playlist when the audio closes a fragment after
 * the video opened the next one), and the files of its directory. Must
 * never: encode the video again, block the encoder (branch pads swallow
 * errors; the queues leak after 3 s of backlog), or answer for a file that
 * is not its own. Called by media.c; api_hls.c reaches the files through
 * media.h.
 */
#include "hls.h"

#include "err.h"
#include "log.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define TAG "hls"

/* Segments kept on disk: the window, and a few that just left it for a
 * slow client or a cache still filling. */
#define KEEP (HLS_WINDOW + 4)

struct seg {
	char name[HLS_NAME_MAX];
	double seconds;
	gint64 start_wall_us; /* when its first frame was captured */
};

struct hls {
	struct encoder *enc;
	char *dir;
	char prefix[24]; /* "s<hex>", new at every start */
	GstClockTime seg_ns, frame_ns;
	GstElement *bin;
	GstPad *ghost[2];  /* video, audio */
	GstPad *teepad[2]; /* video, audio */
	atomic_bool started;
	atomic_uint segments;
	/* streaming thread of the video only */
	GstClockTime seg_start, asked_at;
	/* main thread only: the segments on disk, oldest first */
	struct seg segs[KEEP];
	unsigned n_segs, first_seq, target_s;
	GstClockTime open_rt; /* running time the open segment starts at */
	gint64 open_wall_us;  /* ... and when that was, by the wall clock */
	char open_name[HLS_NAME_MAX];
};

/* Video: start on a key frame. The encoder's GOP is the segment length,
 * so its key frames cut the segments, and it is never asked for more: on
 * a loaded machine its GOP may end a little late, and a key frame asked
 * for then would come just after it and cut a sliver of a segment. A
 * passed-through source may send them further apart, so it is asked for
 * one when a segment is overdue (not
 * sooner: splitmuxsink cuts before a GOP that would make the segment too
 * long, and an early key frame would leave a sliver of a segment), without
 * a deadline: a late answer lengthens a segment, it does not end the
 * pass-through. */
static GstBuffer *on_video(GstBuffer *buf, void *data)
{
	struct hls *h = data;
	GstClockTime pts = GST_BUFFER_PTS(buf);
	bool key = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);

	if (!atomic_load(&h->started)) {
		if (!key || !GST_CLOCK_TIME_IS_VALID(pts)) {
			gst_buffer_unref(buf);
			return NULL;
		}
		h->seg_start = pts;
		h->asked_at = GST_CLOCK_TIME_NONE;
		atomic_store(&h->started, true);
		return buf;
	}
	if (!GST_CLOCK_TIME_IS_VALID(pts))
		return buf;
	if (key && pts + h->frame_ns >= h->seg_start + h->seg_ns) {
		h->seg_start = pts; /* about where splitmuxsink cuts */
		h->asked_at = GST_CLOCK_TIME_NONE;
	} else if (!encoder_wants_raw(h->enc) &&
	           pts >= h->seg_start + h->seg_ns + 2 * h->frame_ns &&
	           (!GST_CLOCK_TIME_IS_VALID(h->asked_at) ||
	            pts >= h->asked_at + GST_SECOND / 2)) {
		encoder_request_keyframe_soon(h->enc);
		h->asked_at = pts;
	}
	return buf;
}

/* Audio: nothing before the video has started, so segments begin
 * together. */
static GstBuffer *on_audio(GstBuffer *buf, void *data)
{
	struct hls *h = data;

	if (atomic_load(&h->started))
		return buf;
	gst_buffer_unref(buf);
	return NULL;
}

/* The playlist: the last HLS_WINDOW segments, each with the wall-clock
 * time of its first frame (EXT-X-PROGRAM-DATE-TIME: players can tell how
 * far behind live they are). Replaced atomically. */
static void write_playlist(struct hls *h)
{
	unsigned from = h->n_segs > HLS_WINDOW ? h->n_segs - HLS_WINDOW : 0;
	GString *p = g_string_sized_new(1024);
	char *path = g_build_filename(h->dir, HLS_PLAYLIST, NULL);
	GError *gerr = NULL;

	g_string_append_printf(p,
	                       "#EXTM3U\n#EXT-X-VERSION:3\n"
	                       "#EXT-X-TARGETDURATION:%u\n"
	                       "#EXT-X-MEDIA-SEQUENCE:%u\n",
	                       h->target_s, h->first_seq + from);
	for (unsigned i = from; i < h->n_segs; i++) {
		const struct seg *sg = &h->segs[i];
		GDateTime *dt =
		    g_date_time_new_from_unix_utc(sg->start_wall_us / 1000000);
		char *when = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");

		g_string_append_printf(p,
		                       "#EXT-X-PROGRAM-DATE-TIME:%s.%03dZ\n"
		                       "#EXTINF:%.3f,\n%s\n",
		                       when,
		                       (int)(sg->start_wall_us / 1000 % 1000),
		                       sg->seconds, sg->name);
		g_free(when);
		g_date_time_unref(dt);
	}
	if (!g_file_set_contents(path, p->str, (gssize)p->len, &gerr)) {
		log_error(TAG, "%s: %s", path, gerr->message);
		g_clear_error(&gerr);
	}
	g_free(path);
	g_string_free(p, TRUE);
}

static void fragment_opened(struct hls *h, const GstStructure *s)
{
	const char *loc = gst_structure_get_string(s, "location");
	GstClockTime rt = 0;

	gst_structure_get_uint64(s, "running-time", &rt);
	h->open_rt = rt;
	/* the frame at rt was captured (encoder running time) this long ago */
	h->open_wall_us =
	    g_get_real_time() -
	    (gint64)GST_TIME_AS_USECONDS(encoder_running_time(h->enc) - rt);
	snprintf(h->open_name, sizeof(h->open_name), "%s",
	         loc ? strrchr(loc, '/') + 1 : "");
}

static void fragment_closed(struct hls *h, const GstStructure *s)
{
	GstClockTime rt = 0;
	struct seg *sg;
	char *old;

	gst_structure_get_uint64(s, "running-time", &rt);
	if (!h->open_name[0] || rt < h->open_rt)
		return;
	if (h->n_segs == KEEP) { /* the oldest goes, file and all */
		old = g_build_filename(h->dir, h->segs[0].name, NULL);
		g_unlink(old);
		g_free(old);
		memmove(&h->segs[0], &h->segs[1],
		        sizeof(h->segs[0]) * (KEEP - 1));
		h->n_segs--;
		h->first_seq++;
	}
	sg = &h->segs[h->n_segs++];
	snprintf(sg->name, sizeof(sg->name), "%s", h->open_name);
	sg->seconds = (double)(rt - h->open_rt) / GST_SECOND;
	sg->start_wall_us = h->open_wall_us;
	/* EXTINF rounded may not pass the target duration */
	while (sg->seconds > h->target_s + 0.5)
		h->target_s++;
	h->open_name[0] = '\0';
	write_playlist(h);
	atomic_fetch_add(&h->segments, 1);
}

static bool bus_listener(GstMessage *msg, void *data)
{
	struct hls *h = data;
	const GstStructure *s;
	GError *gerr = NULL;

	if (!gst_object_has_as_ancestor(GST_MESSAGE_SRC(msg),
	                                GST_OBJECT(h->bin)))
		return false;
	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ELEMENT:
		s = gst_message_get_structure(msg);
		if (s &&
		    gst_structure_has_name(s, "splitmuxsink-fragment-opened"))
			fragment_opened(h, s);
		else if (s && gst_structure_has_name(
		                  s, "splitmuxsink-fragment-closed"))
			fragment_closed(h, s);
		return true;
	case GST_MESSAGE_ERROR:
		gst_message_parse_error(msg, &gerr, NULL);
		log_error(TAG, "%s: %s", h->dir, gerr->message);
		g_clear_error(&gerr);
		return true;
	default: return false;
	}
}

/* Remove what a run left in dir: the playlist and segments. */
static void clean_dir(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (!d)
		return;
	while ((name = g_dir_read_name(d))) {
		if (g_str_has_suffix(name, ".ts") ||
		    g_str_has_prefix(name, HLS_PLAYLIST)) {
			char *p = g_build_filename(dir, name, NULL);

			g_unlink(p);
			g_free(p);
		}
	}
	g_dir_close(d);
}

/* splitmuxsink with mpegtsmux, linked after the two parsers: its muxer
 * must be set before any pad is requested (the first request makes one). */
static int add_sink(struct hls *h, struct err_detail *e)
{
	GstElement *sink = gst_element_factory_make("splitmuxsink", "sink");
	GstElement *mux = gst_element_factory_make("mpegtsmux", NULL);
	GstElement *vp = gst_bin_get_by_name(GST_BIN(h->bin), "vout");
	GstElement *ap = gst_bin_get_by_name(GST_BIN(h->bin), "aout");
	char *loc = g_strdup_printf("%s/%s-%%05d.ts", h->dir, h->prefix);
	int rc = 0;

	if (!sink || !mux) {
		rc = err_fail(e, ERR_UNAVAILABLE, NULL, "hls: %s is missing",
		              sink ? "mpegtsmux" : "splitmuxsink");
		goto out;
	}
	/* splitmuxsink starts a file before a GOP that would take it past
	 * max-size-time. At exactly the segment length, a key frame asked for
	 * by a joining viewer or the recorder just after a GOP's own cuts a
	 * sliver of a segment; at one and a half, that short GOP joins its
	 * neighbour, and the encoder's one-segment GOPs still cut one each. */
	g_object_set(sink, "location", loc, "muxer", mux, "max-size-time",
	             (guint64)(h->seg_ns + h->seg_ns / 2),
	             "send-keyframe-requests", FALSE, NULL);
	mux = NULL; /* the sink took it */
	gst_bin_add(GST_BIN(h->bin), sink);
	if (!gst_element_link_pads(vp, "src", sink, "video") ||
	    !gst_element_link_pads(ap, "src", sink, "audio_%u")) {
		rc = err_fail(e, ERR_INTERNAL, NULL,
		              "hls: the muxer does not link");
	}
	sink = NULL; /* the bin took it */
out:
	if (sink)
		gst_object_unref(gst_object_ref_sink(sink));
	if (mux)
		gst_object_unref(gst_object_ref_sink(mux));
	gst_object_unref(vp);
	gst_object_unref(ap);
	g_free(loc);
	return rc;
}

static int build(struct hls *h, struct err_detail *e)
{
	static const char *const kinds[2] = {"video", "audio"};
	GError *gerr = NULL;
	GstPad *pad;
	int rc;

	h->bin = gst_parse_bin_from_description_full(
	    "queue name=video max-size-buffers=0 max-size-bytes=0 "
	    "max-size-time=3000000000 leaky=downstream ! h264parse name=vout "
	    "queue name=audio max-size-buffers=0 max-size-bytes=0 "
	    "max-size-time=3000000000 leaky=downstream ! opusdec ! "
	    "audioconvert ! audioresample ! avenc_aac bitrate=96000 ! "
	    "aacparse name=aout",
	    FALSE, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &gerr);
	if (!h->bin) {
		err_fail(e, ERR_UNAVAILABLE, NULL, "hls: %s",
		         gerr ? gerr->message : "unknown error");
		g_clear_error(&gerr);
		return ERR_UNAVAILABLE;
	}
	gst_object_ref_sink(h->bin);
	/* splitmuxsink prerolls asynchronously until its first fragment
	 * opens: kept inside this bin, the encode pipeline, which the
	 * recorder and the viewers share, never loses its PLAYING state
	 * (and never raises the branches being removed to it again). */
	g_object_set(h->bin, "async-handling", TRUE, NULL);
	if ((rc = add_sink(h, e)))
		return rc;
	for (int k = 0; k < 2; k++) {
		GstElement *q = gst_bin_get_by_name(GST_BIN(h->bin), kinds[k]);
		struct encoder_hooks hk = {k == 0 ? on_video : on_audio, NULL,
		                           h, NULL};

		pad = gst_element_get_static_pad(q, "sink");
		h->ghost[k] = encoder_branch_pad(h->bin, kinds[k], pad, &hk);
		gst_object_unref(pad);
		gst_object_unref(q);
		if (!h->ghost[k]) {
			return err_fail(e, ERR_INTERNAL, NULL, "hls pads");
		}
	}
	return 0;
}

int hls_start(struct encoder *enc, const char *dir, unsigned segment_s,
              struct hls **out, struct err_detail *e)
{
	static const enum encoder_stream streams[2] = {ENCODER_H264_ES,
	                                               ENCODER_OPUS_ES};
	int fps = encoder_config(enc)->fps;
	struct hls *h;
	int rc;

	*out = NULL;
	if (!dir || !dir[0] || segment_s < 1 || segment_s > HLS_SEGMENT_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "bad HLS directory or segment length");
	}
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		return err_fail(e, ERR_IO, NULL, "cannot create %s: %s", dir,
		                strerror(errno));
	}
	clean_dir(dir);
	h = g_new0(struct hls, 1);
	h->enc = enc;
	h->dir = g_strdup(dir);
	snprintf(h->prefix, sizeof(h->prefix), "s%llx",
	         (unsigned long long)g_get_real_time());
	h->seg_ns = (GstClockTime)segment_s * GST_SECOND;
	h->target_s = segment_s;
	h->frame_ns = GST_SECOND / (GstClockTime)(fps > 0 ? fps : 30);
	rc = build(h, e);
	if (rc)
		goto out_stop;
	gst_bin_add(GST_BIN(encoder_pipeline(enc)), h->bin);
	encoder_bus_listen(enc, bus_listener, h);
	for (int k = 0; k < 2; k++) {
		h->teepad[k] =
		    encoder_branch_link(enc, streams[k], h->ghost[k]);
		if (!h->teepad[k]) {
			rc = err_fail(e, ERR_INTERNAL, NULL,
			              "hls does not link");
			goto out_stop;
		}
	}
	if (!gst_element_sync_state_with_parent(h->bin)) {
		rc = err_fail(e, ERR_INTERNAL, NULL, "hls does not start");
		goto out_stop;
	}
	encoder_request_keyframe(enc);
	log_info(TAG, "packaging HLS in %s (%u s segments)", dir, segment_s);
	*out = h;
	return 0;
out_stop:
	hls_stop(h);
	return rc;
}

void hls_stop(struct hls *h)
{
	if (!h)
		return;
	for (int k = 0; k < 2; k++) {
		encoder_branch_unlink(h->enc, h->teepad[k]);
		h->teepad[k] = NULL;
	}
	/* Flushing first: splitmuxsink (GStreamer 1.22) that is opening its
	 * first fragment as it is stopped may set its output state back
	 * after the stop, and its queue threads would wait for output for
	 * ever, holding the locks that the state change to NULL waits for.
	 * A flushing stream never waits. */
	for (int k = 0; k < 2; k++)
		if (h->ghost[k])
			gst_pad_send_event(h->ghost[k],
			                   gst_event_new_flush_start());
	encoder_branch_drop(h->enc, h->bin, bus_listener, h);
	clean_dir(h->dir);
	g_rmdir(h->dir);
	g_free(h->dir);
	g_free(h);
}

/* "<prefix>-<digits>.ts" of this run. */
static bool segment_name(const struct hls *h, const char *name)
{
	size_t pl = strlen(h->prefix), n = strlen(name), i;

	if (n > HLS_NAME_MAX || strncmp(name, h->prefix, pl) != 0 ||
	    name[pl] != '-' || !g_str_has_suffix(name, ".ts"))
		return false;
	for (i = pl + 1; i < n - 3; i++)
		if (!g_ascii_isdigit(name[i]))
			return false;
	return i > pl + 1;
}

int hls_file(const struct hls *h, const char *name, char *out, size_t outlen)
{
	int n;

	if (!name ||
	    (strcmp(name, HLS_PLAYLIST) != 0 && !segment_name(h, name)))
		return ERR_NOT_FOUND;
	n = snprintf(out, outlen, "%s/%s", h->dir, name);
	return n < 0 || (size_t)n >= outlen ? ERR_INVALID : 0;
}

unsigned hls_segments(const struct hls *h)
{
	return atomic_load(&((struct hls *)h)->segments);
}
