/* depay.h — from one received RTP stream to what a ceremony's source
 * takes: raw pictures or sound and, for H.264, the access units as sent.
 *
 * Used for a WHIP publisher's streams (and any other RTP ingest): a bin
 * with a "sink" pad for the RTP, a "src" pad with decoded raw media and,
 * for H.264, an "h264" pad with parsed access units for pass-through,
 * whole pictures only (see h264au.h). Depayloaders ask upstream for a key
 * frame when they start or lose packets. Call from any thread.
 */
#ifndef SINIAN_DEPAY_H
#define SINIAN_DEPAY_H

#include <gst/gst.h>
#include <stdbool.h>

/* A floating bin for RTP of encoding enc ("H264" or "VP8" for video,
 * "OPUS" for audio; case does not matter), or NULL if we take no such
 * stream or an element is missing. */
GstElement *depay_bin_new(bool video, const char *enc);

/* A floating bin taking H.264 already depayloaded (any stream format, as
 * a demuxer or decodebin gives it) on "sink", with decoded pictures on
 * "src" and access units on "h264", as depay_bin_new's; NULL if an
 * element is missing. */
GstElement *depay_h264_split_new(void);

/* Swallow pad's stream we do not use in a fakesink added to bin, so its
 * sender never sees not-linked. */
void depay_discard(GstElement *bin, GstPad *pad);

#endif
