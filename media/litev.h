/* litev.h — one viewer of the lite engine, as its three users share it:
 * the ceremony's fan-out (main thread: creates, answers, removes), the
 * UDP mux thread (ICE, DTLS, SRTCP in) and its worker thread (RTP and RTCP
 * out). The struct is open to those three modules only (litefan.c,
 * lite.c, liteworker.c); which thread may touch a member is said beside
 * it. Reference counted: the fan-out holds one while the viewer is in its
 * table, the mux takes one while it works on a datagram and per event
 * posted to the main loop.
 */
#ifndef SINIAN_LITEV_H
#define SINIAN_LITEV_H

#include "dtls.h"
#include "encoder.h"
#include "fanout.h"
#include "ring.h"
#include "srtpx.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

enum { LITEV_VIDEO = 0, LITEV_AUDIO = 1, LITEV_STREAMS = 2 };

#define LITEV_UFRAG_LEN 8
#define LITEV_PWD_LEN   24
#define LITEV_NACKS     64 /* sequence numbers queued per stream */

struct litev;

/* What the mux tells the fan-out, on the main loop. */
enum litev_event { LITEV_CONNECTED, LITEV_GONE };
typedef void (*litev_event_fn)(struct litev *v, enum litev_event ev,
                               const char *reason);

/* The ceremony's shared feed: its rings and encoder. Owned by the
 * fan-out; valid for as long as any viewer using it is in a worker. */
struct lite_feed {
	struct ring *ring[3]; /* H.264, Opus, VP8 (NULL until needed) */
	struct encoder *enc;
	_Atomic int64_t key_request_us; /* last key frame asked for */
};

struct litev_stream {
	struct ring *ring; /* NULL: this kind is not sent */
	uint8_t pt;
	uint32_t ssrc, clock_rate;
	/* worker only */
	uint64_t cursor;
	bool wait_key;
	struct srtpx_seq seq;
	uint32_t last_ts, sr_packets, sr_octets;
	int64_t last_us;
	/* any thread */
	_Atomic uint64_t packets, bytes;
};

struct litev {
	atomic_int ref;
	char id[FANOUT_ID_LEN];
	char ufrag[LITEV_UFRAG_LEN + 1], pwd[LITEV_PWD_LEN + 1];
	char peer_fp[160];
	bool vp8;
	int worker, fd;          /* set by lite_attach */
	bool attached;           /* under the engine's lock */
	litev_event_fn on_event; /* main thread */
	void *owner;             /* main thread: the fan-out's entry */
	struct lite_feed *feed;  /* worker */
	struct litev_stream st[LITEV_STREAMS];
	int64_t next_sr_us; /* worker */
	bool started;       /* worker: cursors placed */
	/* mux thread only */
	struct dtls_conn *dtls;
	struct srtpx *rx;
	int64_t pli_us;
	bool gone_posted, dtls_released;
	/* lock: address and feedback queued for the worker */
	pthread_mutex_t lock;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint16_t nacks[LITEV_STREAMS][LITEV_NACKS];
	unsigned n_nacks[LITEV_STREAMS];
	/* written by the mux before ready is set, then the worker's */
	struct srtpx *tx;
	_Atomic bool ready, want_key, has_addr;
	_Atomic int64_t consent_us; /* last authenticated STUN check */
	_Atomic int64_t rtcp_us;    /* last SRTCP, or the connection */
	/* the last receiver report on video; rtt -1 until one echoes an SR */
	_Atomic int32_t rr_lost, rr_rtt_ms;
	_Atomic uint32_t rr_jitter_ms, rr_fraction;
};

/* A viewer with fresh ICE credentials and id, one reference. NULL on
 * allocation failure. */
struct litev *litev_new(void);
struct litev *litev_ref(struct litev *v);
/* Drop a reference; the last frees DTLS and SRTP state. Any thread. */
void litev_unref(struct litev *v);

#endif
