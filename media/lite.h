/* lite.h — the lite viewer engine's process-wide half: one UDP socket for
 * every viewer of every ceremony, ICE-lite, DTLS and SRTCP on one mux
 * thread, and a fixed pool of worker threads that protect and send.
 *
 * The daemon makes one (media.c, when media_engine = lite) and hands it to
 * each ceremony's fan-out (litefan.c), which attaches and detaches its
 * viewers. Thread count: 1 mux + media_fanout_threads workers, whatever
 * the number of viewers. Functions are for the main thread unless marked.
 */
#ifndef SINIAN_LITE_H
#define SINIAN_LITE_H

#include "litev.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lite_config {
	uint16_t port;           /* UDP port; 0: any (tests) */
	unsigned threads;        /* workers; 0: cores - 1, at least 1 */
	bool loopback_only;      /* bind and advertise 127.0.0.1 */
	const char *public_ip;   /* advertise this IPv4 address instead */
	unsigned max_handshakes; /* concurrent DTLS handshakes; 0: 64 */
	unsigned alive_ms;       /* no SRTCP from a viewer: gone; 0: 15000 */
	unsigned consent_ms;     /* no ICE check: consent lost; 0: 30000 */
	bool no_gso;             /* never UDP segmentation offload */
};

struct lite_stats {
	unsigned viewers, workers;
	uint64_t sent, segmented, send_dropped, stun_refused, unknown_dropped;
};

struct err_detail;
struct lite;

/* Bind the socket, make the certificate, start the threads. 0,
 * ERR_IO (bind; e says why), ERR_INVALID (public_ip) or ERR_NOMEM. */
int lite_new(const struct lite_config *cfg, struct lite **out,
             struct err_detail *e);
/* Stop the threads and free. Every viewer must be detached. NULL ok. */
void lite_free(struct lite *l);

/* The bound port, the DTLS fingerprint (sha-256, "AB:..."), and the
 * addresses to advertise (borrowed). */
uint16_t lite_port(const struct lite *l);
const char *lite_fingerprint(const struct lite *l);
const char *const *lite_addresses(const struct lite *l, unsigned *n);

/* Register a viewer: its ufrag is routed to it, a worker is chosen and
 * starts sending once DTLS is up. Takes a reference. peer_fp is the
 * offer's "sha-256 AB:..." fingerprint. 0, ERR_INVALID (fingerprint) or
 * ERR_NOMEM. */
int lite_attach(struct lite *l, struct litev *v);
/* Unregister: when it returns no worker touches v or its feed any more
 * and no event for it will be delivered. Drops the reference. */
void lite_detach(struct lite *l, struct litev *v);
/* New packets are in a ring: wake the workers. Any thread. */
void lite_wake(struct lite *l);
void lite_get_stats(struct lite *l, struct lite_stats *out);

#endif
