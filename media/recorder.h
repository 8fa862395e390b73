/* recorder.h — record a live ceremony for replay, without re-encoding.
 *
 * Taps the encoder's H.264 and Opus elementary-stream tees into one
 * fragmented MP4 file (a fragment per second, so a crash or power cut
 * loses at most the last second and what was written stays playable).
 * recorder_stop() ends the streams (EOS), waits (bounded) for the muxer
 * to finalise the file and hands back its path: one file, fit for HTTP
 * range requests and Chromium's <video>. Main thread only.
 */
#ifndef SINIAN_RECORDER_H
#define SINIAN_RECORDER_H

#include "encoder.h"

#include <stddef.h>

struct err_detail;
struct recorder;

/* Start recording enc's streams to <dir>/<name>.mp4 (dir is created if
 * needed; name may hold [A-Za-z0-9_.-] only). Returns 0, ERR_INVALID (bad
 * name), ERR_IO (directory or file cannot be created), ERR_UNAVAILABLE
 * (mp4mux/h264parse missing) or ERR_INTERNAL; e says why. */
int recorder_start(struct encoder *enc, const char *dir, const char *name,
                   struct recorder **out, struct err_detail *e);

/* Path of the file being written. Borrowed, valid until stop/abort. */
const char *recorder_path(const struct recorder *r);

/* Finalise and free. Waits at most timeout_ms (0: 5000) for the muxer.
 * On 0 *path is the finished file (caller frees with g_free). ERR_IO if
 * the muxer failed or timed out (the file may still be playable up to
 * its last fragment; *path is set then too), ERR_GONE if nothing was
 * recorded (no key frame arrived; the empty file is deleted, *path NULL). */
int recorder_stop(struct recorder *r, unsigned timeout_ms, char **path);

/* Drop the recorder without finalising, as a crash would (tests, and
 * shutdown paths that cannot wait). NULL is a no-op. */
void recorder_abort(struct recorder *r);

#endif
