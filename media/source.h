/* source.h — where raw pictures and sound of a ceremony come from.
 *
 * A source is its own small pipeline that ends in two appsinks delivering
 * raw video (I420, the encoder's size and rate) and raw audio (S16LE,
 * 48 kHz, stereo) to a callback, paced by the clock (appsink sync=true),
 * so the receiver may stamp buffers on arrival. Kinds:
 *   - test:  moving test pattern with the title and a clock, sine tone;
 *   - slate: dark card "画面即将呈现 · The picture will appear shortly"
 *            (or given text) with silence, shown
 *            when the live source is absent: true before the first
 *            picture as after a pause or a lost source;
 *   - bin:   the HOOK for any other source (WHIP publish, capture card,
 *            file): the caller builds a GstBin whose src pads carry raw
 *            video/x-raw and/or audio/x-raw (static or added later, named
 *            "video"/"audio" or recognised by their caps); any size, rate
 *            or format is converted. A pad "h264" (video/x-h264) may carry
 *            the same pictures still encoded, for pass-through: its access
 *            units go to the h264 callback (source_set_h264);
 *   - rtsp:  rtspsrc ! decodebin (one a stream), rebuilt with back-off
 *            (1 s doubling to 30 s) after an error, end of stream or 6 s
 *            without a picture (sound alone does not count); a
 *            camera's H.264 is decoded here and also given, as it came,
 *            to the h264 callback (pass-through).
 * Life cycle and state changes run on the main thread; the sample callback
 * runs on streaming threads.
 */
#ifndef SINIAN_SOURCE_H
#define SINIAN_SOURCE_H

#include <gst/gst.h>
#include <stdbool.h>
#include <stddef.h>

struct source_format {
	int width, height, fps; /* must match the encoder's input */
};

/* Called on a streaming thread for every raw buffer; the callee takes
 * ownership of buf. Timestamps are the source's own: ignore or restamp. */
typedef void (*source_sample_fn)(void *user_data, bool video, GstBuffer *buf);

/* Called on a streaming thread for every H.264 access unit (byte-stream,
 * AU aligned, parameter sets before key frames) of a bin source with an
 * "h264" pad or an RTSP camera sending H.264; the callee takes buf, caps
 * are borrowed. Paced like fn. */
typedef void (*source_h264_fn)(void *user_data, GstBuffer *buf,
                               const GstCaps *caps);

struct err_detail;
struct source;

/* Constructors return 0, ERR_INVALID (bad argument), ERR_UNAVAILABLE (a
 * GStreamer element is missing; e says which) or ERR_INTERNAL. The
 * source is built but not started. Free with source_free(). */
int source_new_test(const struct source_format *f, const char *title,
                    struct source **out, struct err_detail *e);
int source_new_slate(const struct source_format *f, const char *text,
                     struct source **out, struct err_detail *e);
/* Like gst_bin_add(): a floating bin (as gst_bin_new() returns) becomes
 * the source's, also on error; if the caller holds a reference it keeps
 * it (and drops it when done). */
int source_new_bin(const struct source_format *f, GstElement *bin,
                   struct source **out, struct err_detail *e);
/* url must start with rtsp:// or rtsps:// . */
int source_new_rtsp(const struct source_format *f, const char *url,
                    struct source **out, struct err_detail *e);

/* Start delivering buffers to fn (set PLAYING). 0 or ERR_INTERNAL. */
int source_start(struct source *s, source_sample_fn fn, void *user_data);
/* Set before source_start(); user_data is source_start()'s. */
void source_set_h264(struct source *s, source_h264_fn fn);
/* A sink pad whose peer leads upstream to the source's H.264 (push key
 * frame requests on it), with a ref; NULL for sources without. */
GstPad *source_h264_upstream(struct source *s);
/* Pause (no buffers, no CPU) or resume a started source. */
void source_set_paused(struct source *s, bool paused);
/* Short kind name ("test", "slate", "bin", "rtsp"). Borrowed. */
const char *source_kind(const struct source *s);
/* Stop and free; after it returns fn is never called again. NULL ok. */
void source_free(struct source *s);

#endif
