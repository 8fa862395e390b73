/* lv_bytes.h — network byte order reads and writes for the load client's
 * parsers and writers (lv_stun.c, lv_rtp.c). The caller has checked the
 * bounds.
 */
#ifndef LV_BYTES_H
#define LV_BYTES_H

#include <stdint.h>

static inline uint16_t lv_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t lv_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void lv_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void lv_wr32(uint8_t *p, uint32_t v)
{
	lv_wr16(p, (uint16_t)(v >> 16));
	lv_wr16(p + 2, (uint16_t)v);
}

#endif
