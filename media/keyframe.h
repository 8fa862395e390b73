/* keyframe.h — the gate key frame requests pass on their way to a video
 * encoder.
 *
 * Requests come from the API (a viewer joins or connects, the source comes
 * back) and from viewers' PLI/FIR, which webrtcbin turns into upstream
 * GstForceKeyUnit events. The gate lets one through and holds back the
 * rest while that key frame is pending (all of them are answered by it,
 * since it is produced after they asked); PLI/FIR are also held back for
 * KEYFRAME_PLI_FLOOR_MS after a key frame went out, so a storm of them
 * cannot turn the stream into all key frames. Thread-safe.
 */
#ifndef SINIAN_KEYFRAME_H
#define SINIAN_KEYFRAME_H

#include <gst/gst.h>

#define KEYFRAME_PLI_FLOOR_MS 200  /* PLI/FIR after a key frame: ignored */
#define KEYFRAME_PENDING_MS   1000 /* a request not served by then expires */

struct keyframe_gate;

/* Watch the encoder's src pad (a ref is taken) and gate the key frame
 * requests that reach it. Free with keyframe_gate_free(). */
struct keyframe_gate *keyframe_gate_new(GstPad *encoder_src);
/* Remove the probes and free. NULL is a no-op. */
void keyframe_gate_free(struct keyframe_gate *g);

/* Ask for a key frame now, as the application (not subject to the PLI
 * floor; coalesced with a pending one). */
void keyframe_gate_request(struct keyframe_gate *g);

/* A new upstream force-key-unit event, marked as the application's (not
 * subject to the PLI floor) when api is true. Caller owns it. */
GstEvent *keyframe_event_new(gboolean api);

/* Requests let through, and key frames seen leaving the encoder. */
unsigned keyframe_gate_forced(struct keyframe_gate *g);
unsigned keyframe_gate_produced(struct keyframe_gate *g);

#endif
