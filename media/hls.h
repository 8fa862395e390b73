/* hls.h — the encoded stream of a live ceremony also as HLS, for browsers
 * without WebRTC and for crowds behind a cache.
 *
 * Taps the encoder's H.264 elementary stream (the very access units the
 * WebRTC viewers get: no second video encode) and its Opus (decoded and
 * encoded as AAC, which browsers' HLS players need), and writes MPEG-TS
 * segments of about segment_s seconds with a sliding-window playlist
 * (splitmuxsink + mpegtsmux) into a directory of their own.
 * Segment names carry a prefix new at every start, so a name never stands
 * for two contents (segments may be cached as immutable). Main thread only
 * unless marked.
 */
#ifndef SINIAN_HLS_H
#define SINIAN_HLS_H

#include "encoder.h"

#include <stddef.h>

#define HLS_PLAYLIST    "index.m3u8"
#define HLS_WINDOW      6 /* segments in the playlist */
#define HLS_NAME_MAX    48
#define HLS_SEGMENT_MAX 6 /* seconds */

struct err_detail;
struct hls;

/* Start packaging enc's streams into dir (created if needed; files left in
 * it by an earlier run are removed). segment_s: 1..HLS_SEGMENT_MAX.
 * Returns 0, ERR_INVALID, ERR_IO (directory), ERR_UNAVAILABLE (an element
 * is missing) or ERR_INTERNAL; e says why. */
int hls_start(struct encoder *enc, const char *dir, unsigned segment_s,
              struct hls **out, struct err_detail *e);

/* Stop, and remove the playlist, the segments and the directory. NULL is
 * a no-op. */
void hls_stop(struct hls *h);

/* The path of the file `name` (HLS_PLAYLIST, or a segment name of this
 * run) into out. 0, ERR_NOT_FOUND (not a name of ours: no path is made
 * from it) or ERR_INVALID (out too small). Thread-safe. */
int hls_file(const struct hls *h, const char *name, char *out, size_t outlen);

/* Segments written so far. Thread-safe. */
unsigned hls_segments(const struct hls *h);

#endif
