/* ring.c — a lock-free single-producer packet ring with key frame marks.
 *
 * Owns: the slots of one stream's recent RTP packets, the index of the
 * last key frame's first packet, and recognising key frames in H.264
 * (RFC 6184) and VP8 (RFC 7741) payloads. Must never: block or allocate
 * in ring_push (it runs on a GStreamer streaming thread), or hand a
 * reader bytes of a packet other than the one asked for. Called by the
 * lite engine: its tap (producer) and workers and UDP mux (readers).
 */
#include "ring.h"

#include "be.h"
#include "err.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define NO_INDEX UINT64_MAX

struct slot {
	_Atomic uint64_t idx; /* packet held, NO_INDEX while written */
	uint16_t len, seq;
	bool key;
	uint8_t data[RING_PACKET_MAX];
};

struct ring {
	unsigned n, mask;
	enum ring_codec codec;
	_Atomic uint64_t head;
	_Atomic uint64_t key_idx;
	_Atomic int64_t key_us;
	_Atomic uint64_t dropped;
	bool prev_marker; /* producer only */
	struct slot slots[];
};

int ring_new(unsigned n, enum ring_codec codec, struct ring **out)
{
	unsigned size = 16;
	struct ring *r;

	while (size < n && size < (1u << 20))
		size <<= 1;
	r = calloc(1, sizeof(*r) + size * sizeof(struct slot));
	*out = NULL;
	if (!r)
		return ERR_NOMEM;
	r->n = size;
	r->mask = size - 1;
	r->codec = codec;
	r->prev_marker = true;
	atomic_init(&r->head, 0);
	atomic_init(&r->key_idx, NO_INDEX);
	atomic_init(&r->key_us, 0);
	atomic_init(&r->dropped, 0);
	for (unsigned i = 0; i < size; i++)
		atomic_init(&r->slots[i].idx, NO_INDEX);
	*out = r;
	return 0;
}

void ring_free(struct ring *r)
{
	free(r);
}

/* Payload offset of an RTP packet, or 0 when it is not one. */
static size_t payload_at(const uint8_t *p, size_t len)
{
	size_t h;

	if (len < 12 || (p[0] >> 6) != 2)
		return 0;
	h = 12 + 4 * (size_t)(p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (h + 4 > len)
			return 0;
		h += 4 + 4 * (size_t)be_rd16(p + h + 2);
	}
	return h < len ? h : 0;
}

/* Does an H.264 payload carry an SPS, or begin an IDR picture? */
static void h264_kinds(const uint8_t *p, size_t n, bool *sps, bool *idr)
{
	uint8_t t = p[0] & 0x1f;

	*sps = *idr = false;
	if (t == 7 || t == 5) {
		*sps = t == 7;
		*idr = t == 5;
	} else if (t == 24) { /* STAP-A: 2-byte sizes, then NAL units */
		for (size_t off = 1; off + 3 <= n;) {
			size_t sz = be_rd16(p + off);
			uint8_t u = p[off + 2] & 0x1f;

			*sps |= u == 7;
			*idr |= u == 5;
			off += 2 + sz;
		}
	} else if (t == 28 && n >= 2) { /* FU-A: the start fragment */
		*idr = (p[1] & 0x80) && (p[1] & 0x1f) == 5;
	}
}

static bool vp8_key_start(const uint8_t *p, size_t n)
{
	size_t off = 1;

	if (!(p[0] & 0x10) || (p[0] & 0x07) != 0)
		return false; /* not the start of partition 0 */
	if (p[0] & 0x80) {
		uint8_t x = n > 1 ? p[1] : 0;

		off = 2;
		if (x & 0x80)
			off += n > 2 && (p[2] & 0x80) ? 2 : 1;
		off += (x & 0x40) ? 1 : 0;
		off += (x & 0x30) ? 1 : 0;
	}
	return off < n && !(p[off] & 0x01);
}

static bool key_start(struct ring *r, const uint8_t *pkt, size_t len, size_t pl)
{
	bool sps, idr;

	switch (r->codec) {
	case RING_H264:
		h264_kinds(pkt + pl, len - pl, &sps, &idr);
		/* the first packet of an access unit with SPS or IDR */
		return r->prev_marker && (sps || idr);
	case RING_VP8: return vp8_key_start(pkt + pl, len - pl);
	default: return false;
	}
}

void ring_push(struct ring *r, const uint8_t *pkt, size_t len, int64_t now_us)
{
	uint64_t k = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct slot *s = &r->slots[k & r->mask];
	size_t pl = payload_at(pkt, len);
	bool key;

	if (!pl || len > RING_PACKET_MAX) {
		atomic_fetch_add(&r->dropped, 1);
		return;
	}
	key = key_start(r, pkt, len, pl);
	atomic_store_explicit(&s->idx, NO_INDEX, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	memcpy(s->data, pkt, len);
	s->len = (uint16_t)len;
	s->seq = be_rd16(pkt + 2);
	s->key = key;
	atomic_store_explicit(&s->idx, k, memory_order_release);
	if (key) {
		atomic_store(&r->key_us, now_us);
		atomic_store(&r->key_idx, k);
	}
	r->prev_marker = pkt[1] & 0x80;
	atomic_store_explicit(&r->head, k + 1, memory_order_release);
}

uint64_t ring_head(const struct ring *r)
{
	return atomic_load_explicit(&((struct ring *)r)->head,
	                            memory_order_acquire);
}

unsigned ring_slots(const struct ring *r)
{
	return r->n;
}

size_t ring_copy(const struct ring *r, uint64_t idx, uint8_t *buf, size_t cap,
                 bool *key)
{
	struct slot *s = (struct slot *)&r->slots[idx & r->mask];
	size_t len;
	bool k;

	if (atomic_load_explicit(&s->idx, memory_order_acquire) != idx)
		return 0;
	len = s->len;
	k = s->key;
	if (len > cap)
		return 0;
	memcpy(buf, s->data, len);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&s->idx, memory_order_relaxed) != idx)
		return 0; /* overwritten while copied */
	if (key)
		*key = k;
	return len;
}

int ring_find_seq(const struct ring *r, uint16_t seq, uint64_t *idx)
{
	uint64_t head = ring_head(r), k;
	uint16_t last_seq;
	const struct slot *s;

	if (head == 0)
		return ERR_NOT_FOUND;
	s = &r->slots[(head - 1) & r->mask];
	if (atomic_load_explicit(&((struct slot *)s)->idx,
	                         memory_order_acquire) != head - 1)
		return ERR_NOT_FOUND;
	last_seq = s->seq;
	k = (uint16_t)(last_seq - seq);
	if (k >= r->n || k >= head)
		return ERR_NOT_FOUND;
	k = head - 1 - k;
	s = &r->slots[k & r->mask];
	if (atomic_load_explicit(&((struct slot *)s)->idx,
	                         memory_order_acquire) != k ||
	    s->seq != seq)
		return ERR_NOT_FOUND;
	*idx = k;
	return 0;
}

int ring_last_key(const struct ring *r, uint64_t *idx, int64_t *at_us)
{
	struct ring *w = (struct ring *)r;
	uint64_t k = atomic_load(&w->key_idx);
	uint64_t head = ring_head(r);

	if (k == NO_INDEX || head - k >= r->n)
		return ERR_NOT_FOUND;
	*idx = k;
	*at_us = atomic_load(&w->key_us);
	return 0;
}

uint64_t ring_dropped(const struct ring *r)
{
	return atomic_load(&((struct ring *)r)->dropped);
}
