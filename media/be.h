/* be.h — big-endian (network order) reads and writes of 16 and 32 bits at
 * unaligned addresses, for the wire formats of the lite engine (STUN,
 * RTP, RTCP, SRTP). Header only; no state. */
#ifndef SINIAN_BE_H
#define SINIAN_BE_H

#include <stdint.h>

static inline uint16_t be_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void be_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void be_wr32(uint8_t *p, uint32_t v)
{
	be_wr16(p, (uint16_t)(v >> 16));
	be_wr16(p + 2, (uint16_t)v);
}

#endif
