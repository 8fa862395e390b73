/* ring.h — the packet ring of one stream of one ceremony: the encoder's
 * RTP packets go in once, every viewer's worker copies them out.
 *
 * Single producer (the GStreamer streaming thread of the stream's tee),
 * any number of readers on other threads, no lock: each slot carries the
 * index of the packet it holds, set after the bytes (a sequence lock), so
 * a reader that fell a whole ring behind sees a miss instead of torn
 * bytes. The ring also answers NACKs (a packet by RTP sequence number)
 * and fast joins (where the last key frame starts).
 */
#ifndef SINIAN_RING_H
#define SINIAN_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RING_PACKET_MAX 1500 /* larger RTP packets are dropped */

enum ring_codec { RING_OTHER = 0, RING_H264, RING_VP8 };

struct ring;

/* A ring of n slots (rounded up to a power of two, at least 16) for
 * packets of codec. 0 or ERR_NOMEM. */
int ring_new(unsigned n, enum ring_codec codec, struct ring **out);
void ring_free(struct ring *r);

/* Producer: append one RTP packet received at now_us (monotonic). Packets
 * over RING_PACKET_MAX or not RTP are dropped and counted. */
void ring_push(struct ring *r, const uint8_t *pkt, size_t len, int64_t now_us);
/* Index the next packet will get; packets head - slots .. head - 1 may be
 * read. */
uint64_t ring_head(const struct ring *r);
unsigned ring_slots(const struct ring *r);
/* Copy packet idx into buf (cap bytes). Returns its length, or 0 when it
 * is not (or no longer) in the ring or does not fit. *key (if not NULL)
 * tells whether a key frame starts with it. */
size_t ring_copy(const struct ring *r, uint64_t idx, uint8_t *buf, size_t cap,
                 bool *key);
/* The index of the packet with RTP sequence number seq if it is still in
 * the ring. 0 or ERR_NOT_FOUND. */
int ring_find_seq(const struct ring *r, uint16_t seq, uint64_t *idx);
/* Where the last key frame starts and when it arrived (monotonic µs), if
 * it is still in the ring. 0 or ERR_NOT_FOUND. */
int ring_last_key(const struct ring *r, uint64_t *idx, int64_t *at_us);
/* Packets dropped by ring_push (too large, not RTP). */
uint64_t ring_dropped(const struct ring *r);

#endif
