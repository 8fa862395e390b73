/* h264switch.h — the one H.264 stream a ceremony sends, chosen between
 * its own encoder and the live source's H.264 passed through untouched.
 *
 *   x264enc -> appsink(enc) \
 *                            > switch -> appsrc(out) -> tee[H264_ES] ...
 *   source's H.264 (push)  /
 *
 * A source that already sends H.264 a browser plays (constrained baseline
 * or baseline, at most 1920x1080) is passed through: no re-encode, no
 * second generation loss. Switches happen only on a key frame of the
 * stream switched to, so a viewer's decoder never sees a P-frame without
 * its reference; until it comes the old stream keeps flowing. Key frame
 * requests (the API, and viewers' PLI/FIR arriving as upstream events at
 * the out appsrc) go to whichever stream is flowing or awaited: the
 * encoder's gate, or the source (webrtcbin turns it into a PLI to the
 * publisher). A source that does not answer with a key frame within
 * a second (a publisher that ignores PLI, a camera that cannot be asked) is
 * covered by the encoder until its own key frame comes, so a joining
 * viewer never waits for a whole GOP. A source sending more than a set
 * ceiling is encoded too, so a publisher's bitrate never decides what a
 * viewer on a weak link must take. Output timestamps are the encode pipeline's
 * running time, strictly increasing across switches. Thread-safe unless noted.
 */
#ifndef SINIAN_H264SWITCH_H
#define SINIAN_H264SWITCH_H

#include "keyframe.h"

#include <gst/gst.h>
#include <stdbool.h>
#include <stdint.h>

#define H264SWITCH_MAX_W 1920
#define H264SWITCH_MAX_H 1080

struct h264switch_stats {
	uint64_t encoded; /* access units forwarded from the encoder */
	uint64_t passed;  /* access units forwarded from the source */
	uint64_t dropped; /* held back waiting for a key frame */
	unsigned switches;
	bool passthrough; /* the source's H.264 is what flows now */
};

struct h264switch;

/* Take the encoder's output from enc_sink (an appsink) and feed out (an
 * appsrc); both borrowed, they must outlive the switch. x264_gate
 * (borrowed) is asked for a key frame when switching back to the
 * encoder. Returns the switch; free with h264switch_free() before the
 * pipeline stops. */
struct h264switch *h264switch_new(GstElement *enc_sink, GstElement *out,
                                  struct keyframe_gate *x264_gate);
/* Remove the probes and callbacks and free. NULL is a no-op. */
void h264switch_free(struct h264switch *sw);

/* Pass through only while the source sends at most kbps (measured over
 * 2 s; back under 80 % of it to pass through again). 0: no ceiling. */
void h264switch_set_max_kbps(struct h264switch *sw, unsigned kbps);

/* True if a stream with these caps (parsed video/x-h264) can be passed
 * to browsers as it is. */
bool h264switch_playable(const GstCaps *caps);

/* One access unit of the source's H.264 (byte-stream, AU aligned;
 * ownership of buf taken; caps borrowed), stamped here with now (encode
 * pipeline running time). Returns true if it was forwarded: the
 * pass-through is flowing. */
bool h264switch_push_source(struct h264switch *sw, GstBuffer *buf,
                            const GstCaps *caps, GstClockTime now);
/* False while the source's H.264 flows and is meant to: raw pictures
 * need not be encoded then. */
bool h264switch_wants_raw(struct h264switch *sw);
/* The source's H.264 stopped (source lost or replaced): go back to the
 * encoder at its next key frame, which is requested. */
void h264switch_source_lost(struct h264switch *sw);
/* Never pass through (configuration). */
void h264switch_disable(struct h264switch *sw);
/* Hold the pass-through off while hold is true (a VP8 viewer needs raw
 * pictures encoded); released, it resumes at the source's next key frame,
 * which is asked for. */
void h264switch_hold(struct h264switch *sw, bool hold);
/* Where key frame requests for the source's H.264 go: a sink pad whose
 * peer leads upstream to the source (a ref is taken), or NULL. */
void h264switch_set_upstream(struct h264switch *sw, GstPad *pad);
/* Ask the source for a key frame if its stream flows or is awaited (the
 * encoder's own request is the caller's). */
void h264switch_request_source_keyframe(struct h264switch *sw);
/* Ask the source for a key frame while its stream flows, with no deadline:
 * nobody waits on it (HLS would like to cut a segment), so the encoder
 * does not fill in if it comes late, and the pass-through stays. */
void h264switch_nudge_source(struct h264switch *sw);
void h264switch_get_stats(struct h264switch *sw, struct h264switch_stats *out);

#endif
