/* lv_stun.c — STUN for the load client's ICE agent.
 *
 * Owns: the wire format of the messages lv_stun.h names, HMAC-SHA1
 * (OpenSSL) and CRC-32 (zlib). Must never: read past the datagram or trust
 * a length field. Called by lv_ice.c.
 */
#include "lv_stun.h"

#include "lv_bytes.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <zlib.h>

#define HDR           20
#define MSG_MAX       1500 /* larger datagrams are not STUN here */
#define MAGIC         0x2112A442u
#define FP_XOR        0x5354554eu
#define A_USERNAME    0x0006
#define A_INTEGRITY   0x0008
#define A_ERROR       0x0009
#define A_XOR_ADDR    0x0020
#define A_PRIORITY    0x0024
#define A_USE_CAND    0x0025
#define A_FP          0x8028
#define A_CONTROLLED  0x8029
#define A_CONTROLLING 0x802A

static void read_attr(struct lv_stun_msg *m, const uint8_t *buf, size_t off,
                      uint16_t t, uint16_t n)
{
	const uint8_t *v = buf + off + 4;

	switch (t) {
	case A_USERNAME:
		m->username = (const char *)v;
		m->username_len = n;
		break;
	case A_USE_CAND: m->use_candidate = true; break;
	case A_CONTROLLING:
	case A_CONTROLLED:
		if (n != 8)
			break;
		m->controlling = t == A_CONTROLLING;
		m->controlled = t == A_CONTROLLED;
		m->tiebreaker = (uint64_t)lv_rd32(v) << 32 | lv_rd32(v + 4);
		break;
	case A_ERROR:
		if (n >= 4)
			m->error_code = (v[2] & 7) * 100 + v[3];
		break;
	default: break;
	}
}

int lv_stun_parse(const uint8_t *buf, size_t len, struct lv_stun_msg *m)
{
	size_t off = HDR, end;

	memset(m, 0, sizeof(*m));
	if (len < HDR || (buf[0] & 0xc0) || lv_rd32(buf + 4) != MAGIC)
		return -1;
	end = HDR + lv_rd16(buf + 2);
	if (end > len || (end & 3))
		return -1;
	m->type = lv_rd16(buf);
	memcpy(m->tid, buf + 8, LV_STUN_TID);
	while (off + 4 <= end) {
		uint16_t t = lv_rd16(buf + off), n = lv_rd16(buf + off + 2);
		size_t next = off + 4 + ((n + 3u) & ~3u);

		if (next > end)
			return -1;
		if (t == A_FP) {
			if (n == 4)
				m->fp_off = off;
			break; /* the last attribute */
		}
		if (t == A_INTEGRITY && n == 20 && !m->integrity_off)
			m->integrity_off = off;
		else if (!m->integrity_off) /* the rest is not covered */
			read_attr(m, buf, off, t, n);
		off = next;
	}
	return 0;
}

/* HMAC-SHA1 of buf[0..off) with the length field covering off + 24. */
static void integrity(const uint8_t *buf, size_t off, const char *key,
                      uint8_t out[20])
{
	uint8_t copy[MSG_MAX];
	unsigned n = 20;

	memset(out, 0, 20);
	if (off > sizeof(copy))
		return;
	memcpy(copy, buf, off);
	lv_wr16(copy + 2, (uint16_t)(off + 24 - HDR));
	HMAC(EVP_sha1(), key, (int)strlen(key), copy, off, out, &n);
}

static uint32_t fingerprint(const uint8_t *buf, size_t off)
{
	uint8_t hdr[HDR];
	uLong crc = crc32(0L, Z_NULL, 0);

	memcpy(hdr, buf, HDR);
	lv_wr16(hdr + 2, (uint16_t)(off + 8 - HDR));
	crc = crc32(crc, hdr, HDR);
	crc = crc32(crc, buf + HDR, (uInt)(off - HDR));
	return (uint32_t)crc ^ FP_XOR;
}

bool lv_stun_valid(const uint8_t *buf, const struct lv_stun_msg *m,
                   const char *key)
{
	uint8_t mac[20];

	if (!m->fp_off || !m->integrity_off ||
	    lv_rd32(buf + m->fp_off + 4) != fingerprint(buf, m->fp_off))
		return false;
	integrity(buf, m->integrity_off, key, mac);
	return !CRYPTO_memcmp(mac, buf + m->integrity_off + 4, 20);
}

/* Writing: attributes appended at *off, padded; false if cap is short. */
static bool put(uint8_t *buf, size_t cap, size_t *off, uint16_t t,
                const void *v, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;

	if (*off + 4 + padded > cap)
		return false;
	lv_wr16(buf + *off, t);
	lv_wr16(buf + *off + 2, (uint16_t)n);
	memset(buf + *off + 4, 0, padded);
	if (n)
		memcpy(buf + *off + 4, v, n);
	*off += 4 + padded;
	return true;
}

static void header(uint8_t *buf, uint16_t type, const uint8_t *tid)
{
	lv_wr16(buf, type);
	lv_wr16(buf + 2, 0);
	lv_wr32(buf + 4, MAGIC);
	memcpy(buf + 8, tid, LV_STUN_TID);
}

/* MESSAGE-INTEGRITY and FINGERPRINT, and the final length. */
static size_t finish(uint8_t *buf, size_t cap, size_t off, const char *key)
{
	uint8_t mac[20], fp[4];
	size_t mi = off;

	if (off + 24 + 8 > cap)
		return 0;
	integrity(buf, mi, key, mac);
	put(buf, cap, &off, A_INTEGRITY, mac, 20);
	lv_wr32(fp, fingerprint(buf, off));
	put(buf, cap, &off, A_FP, fp, 4);
	lv_wr16(buf + 2, (uint16_t)(off - HDR));
	return off;
}

size_t lv_stun_request(uint8_t *buf, size_t cap, const uint8_t tid[LV_STUN_TID],
                       const char *user, uint32_t priority, bool controlling,
                       uint64_t tiebreaker, const char *key)
{
	uint8_t v[8];
	size_t off = HDR;

	if (cap < HDR)
		return 0;
	header(buf, LV_STUN_REQUEST, tid);
	lv_wr32(v, priority);
	if (!put(buf, cap, &off, A_USERNAME, user, strlen(user)) ||
	    !put(buf, cap, &off, A_PRIORITY, v, 4))
		return 0;
	lv_wr32(v, (uint32_t)(tiebreaker >> 32));
	lv_wr32(v + 4, (uint32_t)tiebreaker);
	if (!put(buf, cap, &off, controlling ? A_CONTROLLING : A_CONTROLLED, v,
	         8) ||
	    (controlling && !put(buf, cap, &off, A_USE_CAND, NULL, 0)))
		return 0;
	return finish(buf, cap, off, key);
}

size_t lv_stun_response(uint8_t *buf, size_t cap,
                        const uint8_t tid[LV_STUN_TID],
                        const struct sockaddr_in *mapped, int error,
                        const char *key)
{
	static const char reason[] = "Role Conflict";
	uint8_t v[4 + sizeof(reason)];
	size_t off = HDR;

	if (cap < HDR)
		return 0;
	header(buf, error ? LV_STUN_ERROR : LV_STUN_SUCCESS, tid);
	if (error) {
		memset(v, 0, 4);
		v[2] = (uint8_t)(error / 100);
		v[3] = (uint8_t)(error % 100);
		memcpy(v + 4, reason, sizeof(reason) - 1);
		if (!put(buf, cap, &off, A_ERROR, v, 4 + sizeof(reason) - 1))
			return 0;
	} else {
		v[0] = 0;
		v[1] = 1; /* IPv4 */
		lv_wr16(v + 2,
		        (uint16_t)(ntohs(mapped->sin_port) ^ (MAGIC >> 16)));
		lv_wr32(v + 4, ntohl(mapped->sin_addr.s_addr) ^ MAGIC);
		if (!put(buf, cap, &off, A_XOR_ADDR, v, 8))
			return 0;
	}
	return finish(buf, cap, off, key);
}
