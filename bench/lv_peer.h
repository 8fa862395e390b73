/* lv_peer.h — one viewer of the load client: its UDP socket, ICE agent,
 * DTLS handshake, SRTP keys, RTP counters and receiver reports.
 *
 * Life: the main thread makes it (lv_peer_new), writes the offer or answer
 * with lv_peer_local(), gives it the server's description
 * (lv_peer_set_remote) and hands it to a worker (lv_loop_add). From then
 * on only that worker calls lv_peer_begin/input/tick; the main thread
 * reads lv_peer_snap() and frees the peer after the workers have stopped.
 */
#ifndef LV_PEER_H
#define LV_PEER_H

#include "lv_dtls.h"
#include "lv_ice.h"
#include "lv_rtp.h"
#include "lv_sdp.h"
#include "lv_srtp.h"

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum lv_peer_state {
	LV_PEER_NEW,    /* no remote description yet */
	LV_PEER_ICE,    /* checking */
	LV_PEER_DTLS,   /* handshaking */
	LV_PEER_MEDIA,  /* keys in place, receiving */
	LV_PEER_FAILED, /* see why */
};

struct lv_peer_opts {
	struct lv_dtls_ctx *dtls;
	struct in_addr ip;     /* the socket's address (and host candidate) */
	unsigned verify_every; /* unprotect 1 packet in N (after the join) */
};

struct lv_peer;

/* A viewer with a UDP socket on o->ip; NULL with a reason in err. */
struct lv_peer *lv_peer_new(const struct lv_peer_opts *o, char *err,
                            size_t errlen);
void lv_peer_free(struct lv_peer *p);
int lv_peer_fd(const struct lv_peer *p);

/* This viewer's side, for lv_sdp_offer() / lv_sdp_answer(); borrowed. */
void lv_peer_local(const struct lv_peer *p, struct lv_sdp_local *out);
/* The server's description. offerer: this viewer made the offer (WHEP)
 * rather than answered (Janus). Sets the ICE and DTLS roles. */
void lv_peer_set_remote(struct lv_peer *p, const struct lv_sdp_remote *r,
                        bool offerer);
/* When the join began (the WHEP POST or Janus watch), µs monotonic. */
void lv_peer_set_join_start(struct lv_peer *p, int64_t us);

/* Worker side. */
void lv_peer_begin(struct lv_peer *p, int64_t now);
void lv_peer_input(struct lv_peer *p, uint8_t *buf, size_t len,
                   const struct sockaddr_in *from, int64_t now);
void lv_peer_tick(struct lv_peer *p, int64_t now);

/* What any thread may read. */
struct lv_peer_snap {
	enum lv_peer_state state;
	const char *why; /* of FAILED, static or the peer's, "" otherwise */
	uint64_t received[2], expected[2], markers[2]; /* LV_VIDEO, LV_AUDIO */
	int64_t last_us[2];                            /* 0: nothing yet */
	int64_t join_us; /* join start → first complete key frame; 0: not yet */
	uint64_t verified, auth_failed;
};

void lv_peer_snap(struct lv_peer *p, struct lv_peer_snap *out);

#endif
