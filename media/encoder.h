/* encoder.h — encode once per ceremony: raw video/audio in, RTP and
 * elementary streams out through tees that viewers and the recorder tap.
 *
 *   appsrc(raw video) -> tee -> queue -> x264enc (constrained baseline,
 *        zerolatency) -> appsink -> h264switch -> appsrc -> tee[H264_ES]
 *        -> rtph264pay pt=102 -> tee[H264_RTP]
 *             \-> (lazily) queue -> vp8enc -> rtpvp8pay pt=96 -> tee[VP8_RTP]
 *   source's H.264 (encoder_push_h264) -> h264switch (pass-through)
 *   appsrc(raw audio) -> opusenc -> tee[OPUS_ES] -> rtpopuspay pt=111
 *                                                  -> tee[OPUS_RTP]
 *
 * Every tee has allow-not-linked=true, so the pipeline runs with nobody
 * watching. All functions run on the main thread unless marked thread-safe.
 */
#ifndef SINIAN_ENCODER_H
#define SINIAN_ENCODER_H

#include "h264switch.h"

#include <gst/gst.h>
#include <stdbool.h>
#include <stddef.h>

#define ENCODER_H264_PT 102
#define ENCODER_OPUS_PT 111
#define ENCODER_VP8_PT  96

struct encoder_config {
	int width, height, fps;   /* raw input geometry; 0 = 1280x720 @ 30 */
	int video_kbps;           /* H.264/VP8 target bitrate; 0 = 1500 */
	int audio_bps;            /* Opus bitrate; 0 = 64000 */
	int keyframe_frames;      /* GOP length in frames; 0 = 2 s */
	int passthrough_max_kbps; /* pass-through ceiling; 0 = none */
};

enum encoder_stream {
	ENCODER_H264_ES = 0, /* video/x-h264 byte-stream, AU aligned */
	ENCODER_OPUS_ES,     /* audio/x-opus */
	ENCODER_H264_RTP,    /* application/x-rtp H264, pt 102 */
	ENCODER_OPUS_RTP,    /* application/x-rtp OPUS, pt 111 */
	ENCODER_VP8_RTP, /* application/x-rtp VP8, pt 96, after enable_vp8 */
	ENCODER_N_STREAMS
};

struct err_detail;
struct encoder;

/* A bus listener returns true when it consumed the message. */
typedef bool (*encoder_bus_fn)(GstMessage *msg, void *user_data);

/* Build and start (PLAYING) the encode pipeline. Returns 0,
 * ERR_UNAVAILABLE (a GStreamer element is missing; e names it) or
 * ERR_INTERNAL. *out is owned by the caller: encoder_free(). */
int encoder_new(const struct encoder_config *cfg, struct encoder **out,
                struct err_detail *ed);
/* Stop the pipeline and free. NULL is a no-op. */
void encoder_free(struct encoder *e);

/* The effective configuration (defaults filled in). Borrowed. */
const struct encoder_config *encoder_config(const struct encoder *e);
/* The pipeline that branches must be added to. Borrowed. */
GstElement *encoder_pipeline(struct encoder *e);
/* The tee of one output stream, or NULL (VP8 before enable_vp8). Borrowed. */
GstElement *encoder_tee(struct encoder *e, enum encoder_stream s);
/* Caps an input buffer must have (raw video or audio). Caller unrefs. */
GstCaps *encoder_input_caps(const struct encoder *e, bool video);

/* Create the VP8 branch if it does not exist yet, and hold the H.264
 * pass-through off (VP8 is encoded from raw pictures). 0, ERR_UNAVAILABLE
 * or ERR_INTERNAL. */
int encoder_enable_vp8(struct encoder *e);
/* No VP8 viewer left: the pass-through may resume (the VP8 branch stays,
 * idle while nothing is encoded). */
void encoder_release_vp8(struct encoder *e);

/* Ask every video encoder for a key frame now; coalesced with one already
 * pending (see keyframe.h). Thread-safe. */
void encoder_request_keyframe(struct encoder *e);
/* A key frame is wanted soon but nobody waits on it (HLS cutting a
 * segment): the encoder is asked as above, a passed-through source without
 * the deadline after which the encoder covers for it. Thread-safe. */
void encoder_request_keyframe_soon(struct encoder *e);
/* Key frame requests let through so far (API and viewers' PLI/FIR, after
 * coalescing). Thread-safe. */
unsigned encoder_keyframes_forced(struct encoder *e);
/* Key frames the encoders made, GOP and forced ones. Thread-safe. */
unsigned encoder_keyframes_produced(struct encoder *e);

/* Running time of the encode pipeline now, in ns. Thread-safe. */
GstClockTime encoder_running_time(struct encoder *e);
/* Push one raw buffer (ownership taken) with PTS/duration already in
 * encoder running time. Never blocks: the input queue leaks the oldest.
 * Thread-safe. Returns 0 or ERR_UNAVAILABLE when stopping. */
int encoder_push(struct encoder *e, bool video, GstBuffer *buf);

/* Offer one access unit of the live source's own H.264 (ownership taken;
 * caps borrowed): passed through instead of encoding when browsers play
 * it (see h264switch.h). True if it was forwarded. Thread-safe. */
bool encoder_push_h264(struct encoder *e, GstBuffer *buf, const GstCaps *caps);
/* False while the source's H.264 is passed through: raw video need not be
 * pushed then. Thread-safe. */
bool encoder_wants_raw(struct encoder *e);
/* Never pass the source's H.264 through (configuration). */
void encoder_disable_passthrough(struct encoder *e);
/* The source's H.264 stopped: encode again from the next key frame. */
void encoder_h264_source_lost(struct encoder *e);
/* Where key frame requests for the source's H.264 go (see
 * h264switch_set_upstream), or NULL. */
void encoder_set_h264_upstream(struct encoder *e, GstPad *pad);
void encoder_get_h264_stats(struct encoder *e, struct h264switch_stats *out);

/* Register a listener for the pipeline's bus messages (on the default
 * main context). At most 8 listeners. 0 or ERR_FULL. */
int encoder_bus_listen(struct encoder *e, encoder_bus_fn fn, void *user_data);
void encoder_bus_unlisten(struct encoder *e, encoder_bus_fn fn,
                          void *user_data);

/* Helpers for branches (fanout, recorder). A branch is a GstBin added to
 * encoder_pipeline() whose ghost sink pads are linked to tees. The ghost
 * pad's chain functions are replaced so that whatever the branch returns
 * (error, EOS, flushing) the tee sees GST_FLOW_OK: one failing viewer or a
 * full disk can never stop the encoder for everyone else. */

/* Hooks a branch pad runs on the streaming thread before data enters the
 * branch. buffer: may replace the buffer (transfer full in and out; NULL
 * drops it). caps: returns the caps to forward instead of in (transfer
 * full; in is borrowed). destroy(user_data) runs when the pad is
 * finalised, after the last hook call. Any member may be NULL. */
struct encoder_hooks {
	GstBuffer *(*buffer)(GstBuffer *buf, void *user_data);
	GstCaps *(*caps)(const GstCaps *in, void *user_data);
	void *user_data;
	GDestroyNotify destroy;
};

/* Create ghost sink pad `name` on bin targeting `target` (a sink pad
 * inside bin) with error-swallowing chain functions and the given hooks
 * (may be NULL). Returns the ghost pad (borrowed, owned by bin) or NULL;
 * on NULL, hooks->destroy has already been called. */
GstPad *encoder_branch_pad(GstElement *bin, const char *name, GstPad *target,
                           const struct encoder_hooks *hooks);
/* Request a pad on the tee of stream s and link it to sinkpad. Returns
 * the tee pad (caller holds a ref; pass to encoder_branch_unlink) or
 * NULL. */
GstPad *encoder_branch_link(struct encoder *e, enum encoder_stream s,
                            GstPad *sinkpad);
/* Unlink and release a tee pad from encoder_branch_link; consumes the
 * ref. After it returns, no more data flows into the branch. */
void encoder_branch_unlink(struct encoder *e, GstPad *teepad);
/* Take a branch out once its tee pads are unlinked: stop its bus listener
 * fn (may be NULL), set it to NULL, remove it from the pipeline if it was
 * added, and drop the caller's reference. bin may be NULL. */
void encoder_branch_drop(struct encoder *e, GstElement *bin, encoder_bus_fn fn,
                         void *user_data);

#endif
