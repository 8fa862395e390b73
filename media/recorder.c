/* recorder.c — one fragmented MP4 per ceremony from the encoded streams.
 *
 * Owns: a bin in the encode pipeline (two queues, h264parse, mp4mux with
 * one-second fragments, filesink), the gate that starts the file on a key
 * frame (audio waits for it too, so both tracks start together), and the
 * end-of-stream handshake that finalises the file. Must never: re-encode,
 * block the encoder (branch pads swallow errors; queues leak after 3 s of
 * backlog), or wait unboundedly. Called by media.c.
 */
#include "recorder.h"

#include "err.h"
#include "log.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define TAG "recorder"

struct recorder {
	struct encoder *enc;
	char *path;
	GstElement *bin;
	GstPad *ghost[2];      /* video, audio */
	GstPad *teepad[2];     /* video, audio */
	atomic_bool started;   /* first key frame passed */
	atomic_bool caps_seen; /* video caps sent to the muxer */
	GMutex lock;
	GCond cond;
	bool eos, failed; /* under lock */
};

static bool valid_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 200 || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

/* Video: nothing before the first key frame. */
static GstBuffer *gate_video(GstBuffer *buf, void *data)
{
	struct recorder *r = data;

	if (atomic_load(&r->started))
		return buf;
	if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT)) {
		gst_buffer_unref(buf);
		return NULL;
	}
	atomic_store(&r->started, true);
	return buf;
}

/* Audio: nothing before the video has started. */
static GstBuffer *gate_audio(GstBuffer *buf, void *data)
{
	struct recorder *r = data;

	if (atomic_load(&r->started))
		return buf;
	gst_buffer_unref(buf);
	return NULL;
}

static GstPadProbeReturn eos_probe(GstPad *pad, GstPadProbeInfo *info,
                                   gpointer data)
{
	struct recorder *r = data;

	if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_EOS)
		return GST_PAD_PROBE_OK;
	g_mutex_lock(&r->lock);
	r->eos = true;
	g_cond_signal(&r->cond);
	g_mutex_unlock(&r->lock);
	return GST_PAD_PROBE_OK;
}

/* The video may change size or profile mid-file (the encoder and a
 * passed-through source take turns). With avc3 every key frame carries its
 * parameter sets, so the first sample description serves the whole file;
 * mp4mux must not see later caps (a second description grows the moov
 * it rewrites over the first fragment when the file is finalised). */
static GstPadProbeReturn caps_once(GstPad *pad, GstPadProbeInfo *info,
                                   gpointer data)
{
	atomic_bool *seen = data;

	if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_CAPS)
		return GST_PAD_PROBE_OK;
	return atomic_exchange(seen, true) ? GST_PAD_PROBE_DROP
	                                   : GST_PAD_PROBE_OK;
}

static bool bus_listener(GstMessage *msg, void *data)
{
	struct recorder *r = data;
	GError *gerr = NULL;

	if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ERROR ||
	    !gst_object_has_as_ancestor(GST_MESSAGE_SRC(msg),
	                                GST_OBJECT(r->bin)))
		return false;
	gst_message_parse_error(msg, &gerr, NULL);
	log_error(TAG, "%s: %s", r->path, gerr->message);
	g_clear_error(&gerr);
	g_mutex_lock(&r->lock);
	r->failed = true;
	g_cond_signal(&r->cond);
	g_mutex_unlock(&r->lock);
	return true;
}

static int build(struct recorder *r, struct err_detail *e)
{
	static const char *const kinds[2] = {"video", "audio"};
	GError *gerr = NULL;
	GstElement *sink;
	GstPad *pad;

	r->bin = gst_parse_bin_from_description_full(
	    "queue name=video max-size-buffers=0 max-size-bytes=0 "
	    "max-size-time=3000000000 leaky=downstream ! h264parse ! "
	    "capsfilter name=vcaps caps=video/x-h264,stream-format=avc3,"
	    "alignment=au ! mp4mux name=mux fragment-duration=1000 ! filesink "
	    "name=file "
	    "buffer-mode=unbuffered "
	    "async=false "
	    "queue name=audio max-size-buffers=0 max-size-bytes=0 "
	    "max-size-time=3000000000 leaky=downstream ! mux.audio_0",
	    FALSE, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &gerr);
	if (!r->bin) {
		err_fail(e, ERR_UNAVAILABLE, NULL, "recorder: %s",
		         gerr ? gerr->message : "unknown error");
		g_clear_error(&gerr);
		return ERR_UNAVAILABLE;
	}
	gst_object_ref_sink(r->bin);
	sink = gst_bin_get_by_name(GST_BIN(r->bin), "file");
	g_object_set(sink, "location", r->path, NULL);
	pad = gst_element_get_static_pad(sink, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, eos_probe,
	                  r, NULL);
	gst_object_unref(pad);
	gst_object_unref(sink);
	sink = gst_bin_get_by_name(GST_BIN(r->bin), "vcaps");
	pad = gst_element_get_static_pad(sink, "src");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, caps_once,
	                  &r->caps_seen, NULL);
	gst_object_unref(pad);
	gst_object_unref(sink);
	for (int k = 0; k < 2; k++) {
		GstElement *q = gst_bin_get_by_name(GST_BIN(r->bin), kinds[k]);
		struct encoder_hooks h = {k == 0 ? gate_video : gate_audio,
		                          NULL, r, NULL};

		pad = gst_element_get_static_pad(q, "sink");
		r->ghost[k] = encoder_branch_pad(r->bin, kinds[k], pad, &h);
		gst_object_unref(pad);
		gst_object_unref(q);
		if (!r->ghost[k]) {
			return err_fail(e, ERR_INTERNAL, NULL, "recorder pads");
		}
	}
	return 0;
}

int recorder_start(struct encoder *enc, const char *dir, const char *name,
                   struct recorder **out, struct err_detail *e)
{
	static const enum encoder_stream streams[2] = {ENCODER_H264_ES,
	                                               ENCODER_OPUS_ES};
	struct recorder *r;
	char *file;
	FILE *probe;
	int rc;

	*out = NULL;
	if (!dir || !valid_name(name)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "bad recording directory or name");
	}
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		return err_fail(e, ERR_IO, NULL, "cannot create %s: %s", dir,
		                strerror(errno));
	}
	file = g_strdup_printf("%s.mp4", name);
	r = g_new0(struct recorder, 1);
	r->path = g_build_filename(dir, file, NULL);
	g_free(file);
	r->enc = enc;
	g_mutex_init(&r->lock);
	g_cond_init(&r->cond);
	/* Fail here, with a reason, rather than as a bus error later. */
	probe = fopen(r->path, "wb");
	if (!probe) {
		rc = err_fail(e, ERR_IO, NULL, "cannot write %s: %s", r->path,
		              strerror(errno));
		goto out_free;
	}
	fclose(probe);
	rc = build(r, e);
	if (rc)
		goto out_free;
	gst_bin_add(GST_BIN(encoder_pipeline(enc)), r->bin);
	encoder_bus_listen(enc, bus_listener, r);
	for (int k = 0; k < 2; k++) {
		r->teepad[k] =
		    encoder_branch_link(enc, streams[k], r->ghost[k]);
		if (!r->teepad[k]) {
			rc = err_fail(e, ERR_INTERNAL, NULL,
			              "recorder does not link");
			goto out_free;
		}
	}
	if (!gst_element_sync_state_with_parent(r->bin)) {
		rc = err_fail(e, ERR_INTERNAL, NULL, "recorder does not start");
		goto out_free;
	}
	encoder_request_keyframe(enc);
	log_info(TAG, "recording to %s", r->path);
	*out = r;
	return 0;
out_free:
	recorder_abort(r);
	return rc;
}

const char *recorder_path(const struct recorder *r)
{
	return r->path;
}

/* Detach from the encoder and free everything but the file. */
static void teardown(struct recorder *r)
{
	for (int k = 0; k < 2; k++) {
		encoder_branch_unlink(r->enc, r->teepad[k]);
		r->teepad[k] = NULL;
	}
	encoder_branch_drop(r->enc, r->bin, bus_listener, r);
	g_mutex_clear(&r->lock);
	g_cond_clear(&r->cond);
	g_free(r->path);
	g_free(r);
}

void recorder_abort(struct recorder *r)
{
	if (!r)
		return;
	log_warn(TAG, "%s abandoned without finalising", r->path);
	teardown(r);
}

int recorder_stop(struct recorder *r, unsigned timeout_ms, char **path)
{
	gint64 deadline;
	bool done, failed;
	int rc = 0;

	*path = NULL;
	if (!r)
		return ERR_INVALID;
	/* No more data from the tees, then end both streams. */
	for (int k = 0; k < 2; k++) {
		encoder_branch_unlink(r->enc, r->teepad[k]);
		r->teepad[k] = NULL;
	}
	if (!atomic_load(&r->started)) {
		log_warn(TAG, "%s: nothing recorded", r->path);
		g_unlink(r->path);
		teardown(r);
		return ERR_GONE;
	}
	for (int k = 0; k < 2; k++)
		gst_pad_send_event(r->ghost[k], gst_event_new_eos());
	deadline = g_get_monotonic_time() +
	           (gint64)(timeout_ms ? timeout_ms : 5000) * 1000;
	g_mutex_lock(&r->lock);
	while (!r->eos && !r->failed)
		if (!g_cond_wait_until(&r->cond, &r->lock, deadline))
			break;
	done = r->eos;
	failed = r->failed;
	g_mutex_unlock(&r->lock);
	if (!done || failed) {
		log_error(TAG, "%s not finalised (%s)", r->path,
		          failed ? "muxer error" : "timeout");
		rc = ERR_IO;
	}
	*path = g_strdup(r->path);
	teardown(r); /* NULL state closes (and flushes) the file */
	log_info(TAG, "recording finished: %s", *path);
	return rc;
}
