/* fanout.h — send one ceremony's encoded stream to many WebRTC viewers.
 *
 * The interface the HTTP (WHEP) layer uses; the engine behind it is
 * replaceable. First engine: one webrtcbin per viewer (max-bundle) fed
 * from the encoder's RTP tees through leaky queues, in the encode
 * pipeline.
 *
 * Second engine (media_engine = lite): one UDP port and a few worker
 * threads for every viewer (litefan.c, lite.c), chosen by cfg->lite.
 *
 * Threads: every function here must be called on the thread running the
 * default GLib main context, and every callback is delivered there.
 * Objects shared with GStreamer threads are reference counted inside.
 */
#ifndef SINIAN_FANOUT_H
#define SINIAN_FANOUT_H

#include "encoder.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FANOUT_ID_LEN 33 /* 32 hex digits + NUL */

struct err_detail;
struct lite;

struct fanout_config {
	/* "stun://host:port" or "stun:host:port"; NULL for none. */
	const char *stun_server;
	/* NULL-terminated "turn(s)://user:pass@host:port" list, or NULL. */
	const char *const *turn_servers;
	/* IPv4 address put in the answer instead of host candidate addresses
	 * (server behind 1:1 NAT); NULL to advertise what was gathered. */
	const char *public_ip;
	/* Gather candidates on 127.0.0.1 only (tests, same-host clients). */
	bool loopback_only;
	unsigned max_viewers;        /* 0: 500 */
	unsigned gather_timeout_ms;  /* wait for ICE gathering; 0: 2000 */
	unsigned connect_timeout_ms; /* answer to connected; 0: 20000 */
	unsigned viewer_timeout_ms;  /* no RTCP from a viewer: gone; 0: 15000 */
	/* The lite engine (lite.h) to serve viewers with, borrowed; NULL for
	 * one webrtcbin per viewer. */
	struct lite *lite;
};

/* Result of fanout_viewer_add, exactly once per accepted offer: status 0
 * with the complete answer (ICE candidates included), or a negative ERR_*
 * with answer NULL (ERR_GONE if removed or freed before answering).
 * answer and viewer_id are borrowed for the call. */
typedef void (*fanout_answer_fn)(int status, const char *answer,
                                 const char *viewer_id, void *user_data);

struct fanout_events {
	/* A viewer's connection is up (ICE connected). May be NULL. */
	void (*viewer_connected)(const char *viewer_id, void *user_data);
	/* A viewer failed or closed (ICE failed, RTCP BYE, no RTCP for
	 * viewer_timeout_ms, error, connect timeout). The fan-out has already
	 * removed it; a later fanout_viewer_remove() returns ERR_NOT_FOUND. May
	 * be NULL. */
	void (*viewer_gone)(const char *viewer_id, const char *reason,
	                    void *user_data);
};

struct fanout_viewer_stats {
	char id[FANOUT_ID_LEN];
	bool connected;
	char video_codec[8]; /* "H264" or "VP8" */
	int video_pt, audio_pt;
	uint64_t video_packets, video_bytes; /* handed to webrtcbin */
	uint64_t audio_packets, audio_bytes;
	/* From the viewer's receiver reports on video (lite engine; 0 and
	 * rtt_ms -1 until one came, and on the webrtcbin engine). */
	unsigned fraction_lost; /* of 256, since its previous report */
	int64_t lost;           /* cumulative */
	unsigned jitter_ms;
	int rtt_ms; /* from our sender report's echo; -1: none yet */
};

struct fanout_stats {
	unsigned viewers;   /* answered or negotiating */
	unsigned connected; /* ICE connected */
	unsigned keyframes_forced;
	size_t n;                      /* entries in v */
	struct fanout_viewer_stats *v; /* owned; fanout_stats_clear() */
};

struct fanout;

/* Check the STUN/TURN URLs and public_ip of cfg without creating
 * anything. 0 or ERR_INVALID with a reason in e. */
int fanout_config_check(const struct fanout_config *cfg, struct err_detail *e);

/* Create a fan-out over enc (borrowed; must outlive it). cfg is copied;
 * ev may be NULL. Returns 0, ERR_INVALID (bad STUN/TURN URL or public_ip)
 * or ERR_UNAVAILABLE (webrtcbin missing). */
int fanout_new(struct encoder *enc, const struct fanout_config *cfg,
               const struct fanout_events *ev, void *user_data,
               struct fanout **out);
/* Remove every viewer (pending answers get ERR_GONE) and free. NULL ok. */
void fanout_free(struct fanout *f);

/* Start answering offer[0..len). On 0 the viewer's id is in id_out and cb
 * will be called later (never from inside this call). On error cb is never
 * called and e holds a reason: ERR_INVALID (malformed offer, or not a
 * viewer offer), ERR_TOO_LARGE, ERR_UNSUPPORTED (no H.264 baseline, VP8
 * or Opus we can send), ERR_FULL (max_viewers reached). */
int fanout_viewer_add(struct fanout *f, const char *offer, size_t len,
                      fanout_answer_fn cb, void *user_data,
                      char id_out[FANOUT_ID_LEN], struct err_detail *e);
/* Disconnect and free a viewer (also one still negotiating). 0 or
 * ERR_NOT_FOUND. No viewer_gone event for an explicit removal. */
int fanout_viewer_remove(struct fanout *f, const char *viewer_id);
/* Number of viewers (negotiating, answered or connected). */
unsigned fanout_viewer_count(struct fanout *f);
/* Force a key frame now (coalesced with other requests). */
void fanout_request_keyframe(struct fanout *f);

/* Snapshot of counters. 0 or ERR_NOMEM. */
int fanout_stats(struct fanout *f, struct fanout_stats *out);
void fanout_stats_clear(struct fanout_stats *s);

#endif
