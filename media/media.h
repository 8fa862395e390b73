/* media.h — the facade the HTTP layer calls for live ceremonies.
 *
 * One media_ctx per daemon; one media_ceremony per live ceremony, holding
 * its encoder (encode once), input switch (live source or slate), fan-out
 * to WHEP viewers and recorder. Everything runs on, and every callback is
 * delivered on, the default GLib main context; call these functions only
 * from the thread that runs it. From inside a callback, a viewer may be
 * removed, but a ceremony must not be closed (post that to the loop).
 */
#ifndef SINIAN_MEDIA_H
#define SINIAN_MEDIA_H

#include "fanout.h"
#include "h264switch.h"
#include "hls.h"

#include <gst/gst.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct media_events {
	/* Viewers of a ceremony went up or down (added, removed, gone). */
	void (*viewer_count_changed)(int64_t ceremony_id, unsigned viewers,
	                             void *user_data);
	/* The live source started delivering (live) or was lost (slate). */
	void (*source_state_changed)(int64_t ceremony_id, bool live,
	                             void *user_data);
	/* A viewer's connection failed or closed; already removed. */
	void (*viewer_gone)(int64_t ceremony_id, const char *viewer_id,
	                    const char *reason, void *user_data);
	/* Viewers started or stopped getting the source's own H.264. */
	void (*video_changed)(int64_t ceremony_id, bool passthrough,
	                      void *user_data);
};

struct media_config {
	const char *stun_server;         /* see fanout_config */
	const char *const *turn_servers; /* NULL-terminated, or NULL */
	const char *public_ip;           /* NULL: advertise gathered */
	bool loopback_only;              /* ICE on 127.0.0.1 only */
	const char *recordings_dir;      /* NULL: do not record */
	const char *hls_dir;    /* HLS of ceremony N in hls_dir/N; NULL: none */
	unsigned hls_segment_s; /* HLS segment length; 0: 1 s */
	int width, height, fps; /* 0: 1280x720 @ 30 */
	int video_kbps;         /* 0: 1500 */
	int audio_bps;          /* 0: 64000 */
	unsigned max_viewers;   /* per ceremony; 0: 500 */
	unsigned viewer_timeout_ms; /* silent viewer dropped; 0: 15 s */
	bool no_passthrough; /* always encode, even H.264 browsers play */
	unsigned passthrough_max_kbps; /* above it, encode; 0: no ceiling */
	bool lite;               /* the lite viewer engine, not webrtcbin */
	unsigned udp_port;       /* lite: the media UDP port; 0: any */
	unsigned fanout_threads; /* lite: send threads; 0: cores - 1 */
	unsigned consent_ms;     /* lite: no ICE check, viewer gone; 0: 30 s */
	bool no_gso;             /* lite: never UDP segmentation offload */
	struct media_events events; /* members may be NULL */
	void *user_data;            /* passed to every event */
};

struct media_ctx;
struct media_ceremony;

/* Initialise GStreamer and list the daemon's elements that are missing
 * (elements.h): names and the Debian packages that ship them, each
 * space-separated, or empty strings. 0 when everything is there,
 * ERR_UNAVAILABLE with a reason in e otherwise (also when GStreamer
 * itself cannot start; then names is empty). */
int media_missing(char *names, size_t names_len, char *packages,
                  size_t packages_len, struct err_detail *e);

/* Initialise GStreamer and check every element we need. cfg is copied.
 * Returns 0, ERR_UNAVAILABLE (GStreamer or an element missing; e lists
 * what) or ERR_INVALID (bad config). Free with media_free(). */
int media_new(const struct media_config *cfg, struct media_ctx **out,
              struct err_detail *e);
/* Close every open ceremony (recordings finalised, bounded) and free. */
void media_free(struct media_ctx *ctx);

/* Open ceremony `id`: start its encoder showing the slate, and the
 * recording if recordings_dir is set. title_text (the deceased's name,
 * shown by the test source) is copied. 0, ERR_CONFLICT (already open),
 * ERR_INVALID, ERR_IO (recording), ERR_UNAVAILABLE or ERR_INTERNAL. *out
 * is borrowed from ctx until media_ceremony_close(). */
int media_ceremony_open(struct media_ctx *ctx, int64_t ceremony_id,
                        const char *title_text, struct media_ceremony **out);
/* Open ceremony by id, or NULL. Borrowed. */
struct media_ceremony *media_ceremony_find(struct media_ctx *ctx,
                                           int64_t ceremony_id);
/* Stop everything, finalise the recording and free the ceremony. If a
 * recording was made, *recording_path (if not NULL) receives its path
 * (caller frees with g_free), else NULL. Returns 0 or the recorder's
 * ERR_IO / ERR_GONE (ceremony closed anyway). */
int media_ceremony_close(struct media_ceremony *c, char **recording_path);

/* Live sources. Starting one replaces the current one; stopping shows the
 * slate at once. A source that stops delivering on its own is replaced
 * by the slate after about 1 s and switched back when it resumes. */
int media_ceremony_source_test_start(struct media_ceremony *c);
/* Hook for any other source: bin (ownership taken) with raw video/audio
 * src pads, static or added later (see source.h). */
int media_ceremony_source_bin_start(struct media_ceremony *c, GstElement *bin);
/* Pull from a camera or encoder: rtsp://... , reconnects by itself. */
int media_ceremony_source_rtsp_start(struct media_ceremony *c, const char *url);
void media_ceremony_source_stop(struct media_ceremony *c);
/* Kept for symmetry with _test_start: same as media_ceremony_source_stop. */
void media_ceremony_source_test_stop(struct media_ceremony *c);
bool media_ceremony_source_live(struct media_ceremony *c);
/* The H.264 viewers get: the source's own passed through, or encoded
 * here, with counters (see h264switch.h). */
void media_ceremony_video_stats(struct media_ceremony *c,
                                struct h264switch_stats *out);

/* WHEP: see fanout_viewer_add / fanout_viewer_remove. */
int media_ceremony_viewer_add(struct media_ceremony *c, const char *offer,
                              size_t len, fanout_answer_fn cb, void *user_data,
                              char id_out[FANOUT_ID_LEN], struct err_detail *e);
int media_ceremony_viewer_remove(struct media_ceremony *c,
                                 const char *viewer_id);
unsigned media_ceremony_viewer_count(struct media_ceremony *c);
void media_ceremony_request_keyframe(struct media_ceremony *c);
/* Fan-out counters; release with fanout_stats_clear(). */
int media_ceremony_stats(struct media_ceremony *c, struct fanout_stats *out);
/* Path of the recording being written, or NULL. Borrowed. */
const char *media_ceremony_recording_path(struct media_ceremony *c);

/* HLS (see hls.h): whether the ceremony is packaged, and the path of its
 * file `name` (the playlist or a segment) into out: 0, ERR_NOT_FOUND (no
 * HLS, or not one of its names) or ERR_INVALID. */
bool media_ceremony_hls(struct media_ceremony *c);
int media_ceremony_hls_file(struct media_ceremony *c, const char *name,
                            char *out, size_t outlen);

/* Counters over every open ceremony and the lite engine, for /metrics. */
struct media_totals {
	unsigned ceremonies, viewers;
	uint64_t keyframes_forced, keyframes_produced;
	/* the lite engine's (0 on webrtcbin) */
	uint64_t packets_sent, packets_segmented, send_dropped, stun_refused,
	    unknown_dropped;
};
void media_get_totals(struct media_ctx *ctx, struct media_totals *out);

#endif
