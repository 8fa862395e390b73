/* stun.c — reading and writing STUN messages for ICE.
 *
 * Owns: the wire format (header, attribute framing and padding, the XOR
 * address coding), MESSAGE-INTEGRITY (HMAC-SHA1, OpenSSL) and FINGERPRINT
 * (CRC-32, zlib). Must never: read past the datagram, trust a length field,
 * or allocate. Called by the viewer engine's UDP mux (udpmux.c), its tests
 * and the bench's load client.
 */
#include "stun.h"

#include "err.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <zlib.h>

#define FINGERPRINT_XOR 0x5354554eu
#define HMAC_LEN        20

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

bool stun_is(const uint8_t *buf, size_t len)
{
	return len >= STUN_HEADER_LEN && len <= STUN_MAX_LEN && buf[0] < 4 &&
	       rd32(buf + 4) == STUN_MAGIC &&
	       (size_t)rd16(buf + 2) + STUN_HEADER_LEN == len &&
	       (rd16(buf + 2) & 3) == 0;
}

/* XOR-MAPPED-ADDRESS value v[0..n) of the message with header hdr. */
static int read_xor_address(const uint8_t *hdr, const uint8_t *v, size_t n,
                            struct sockaddr_storage *out)
{
	uint16_t port;

	if (n < 8 || v[0] != 0)
		return ERR_INVALID;
	port = (uint16_t)(rd16(v + 2) ^ (STUN_MAGIC >> 16));
	memset(out, 0, sizeof(*out));
	if (v[1] == 0x01 && n == 8) {
		struct sockaddr_in *in = (struct sockaddr_in *)out;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(rd32(v + 4) ^ STUN_MAGIC);
		return 0;
	}
	if (v[1] == 0x02 && n == 20) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		for (int i = 0; i < 16; i++)
			in6->sin6_addr.s6_addr[i] =
			    (uint8_t)(v[4 + i] ^ hdr[4 + i]); /* cookie+tid */
		return 0;
	}
	return ERR_INVALID;
}

static int read_attr(const uint8_t *buf, size_t off, uint16_t type,
                     const uint8_t *v, size_t n, struct stun_msg *m)
{
	switch (type) {
	case STUN_ATTR_USERNAME:
		if (n == 0 || n > 513)
			return ERR_INVALID;
		m->username = (const char *)v;
		m->username_len = n;
		break;
	case STUN_ATTR_MESSAGE_INTEGRITY:
		if (n != HMAC_LEN)
			return ERR_INVALID;
		m->integrity_off = off;
		break;
	case STUN_ATTR_FINGERPRINT:
		if (n != 4)
			return ERR_INVALID;
		m->fingerprint_off = off;
		break;
	case STUN_ATTR_PRIORITY:
		if (n != 4)
			return ERR_INVALID;
		m->has_priority = true;
		m->priority = rd32(v);
		break;
	case STUN_ATTR_USE_CANDIDATE:
		if (n != 0)
			return ERR_INVALID;
		m->use_candidate = true;
		break;
	case STUN_ATTR_ICE_CONTROLLING:
	case STUN_ATTR_ICE_CONTROLLED:
		if (n != 8)
			return ERR_INVALID;
		m->tiebreaker = (uint64_t)rd32(v) << 32 | rd32(v + 4);
		if (type == STUN_ATTR_ICE_CONTROLLING)
			m->controlling = true;
		else
			m->controlled = true;
		break;
	case STUN_ATTR_ERROR_CODE:
		if (n < 4)
			return ERR_INVALID;
		m->error_code = (v[2] & 7) * 100 + v[3];
		break;
	case STUN_ATTR_XOR_MAPPED_ADDRESS:
		if (read_xor_address(buf, v, n, &m->mapped))
			return ERR_INVALID;
		m->has_mapped = true;
		break;
	default: break; /* comprehension-optional or unknown: skipped */
	}
	return 0;
}

int stun_parse(const uint8_t *buf, size_t len, struct stun_msg *m)
{
	size_t off = STUN_HEADER_LEN;

	memset(m, 0, sizeof(*m));
	if (!stun_is(buf, len))
		return ERR_INVALID;
	m->type = rd16(buf) & 0x3fff;
	memcpy(m->tid, buf + 8, STUN_TID_LEN);
	m->len = len;
	while (off < len) {
		uint16_t type, n;
		size_t padded;

		if (len - off < 4)
			return ERR_INVALID;
		type = rd16(buf + off);
		n = rd16(buf + off + 2);
		padded = ((size_t)n + 3) & ~(size_t)3;
		if (padded > len - off - 4)
			return ERR_INVALID;
		if (m->fingerprint_off)
			return ERR_INVALID; /* FINGERPRINT must be last */
		if (!m->integrity_off || type == STUN_ATTR_FINGERPRINT) {
			int rc = read_attr(buf, off, type, buf + off + 4, n, m);

			if (rc)
				return rc;
		}
		off += 4 + padded;
	}
	return 0;
}

bool stun_fingerprint_ok(const uint8_t *buf, const struct stun_msg *m)
{
	uint8_t hdr[STUN_HEADER_LEN];
	size_t off = m->fingerprint_off;
	uLong crc;

	if (!off || off < STUN_HEADER_LEN || off + 8 > m->len)
		return false;
	memcpy(hdr, buf, sizeof(hdr));
	wr16(hdr + 2, (uint16_t)(off + 8 - STUN_HEADER_LEN));
	crc = crc32(0L, hdr, sizeof(hdr));
	crc = crc32(crc, buf + STUN_HEADER_LEN, (uInt)(off - STUN_HEADER_LEN));
	return ((uint32_t)crc ^ FINGERPRINT_XOR) == rd32(buf + off + 4);
}

/* HMAC-SHA1 of buf[0..off) with the header's length field set as if the
 * message ended after a MESSAGE-INTEGRITY at off. */
static bool integrity_of(const uint8_t *buf, size_t off, const char *key,
                         size_t keylen, uint8_t out[HMAC_LEN])
{
	uint8_t msg[STUN_MAX_LEN];
	unsigned outlen = 0;

	if (off < STUN_HEADER_LEN || off > sizeof(msg))
		return false;
	memcpy(msg, buf, off);
	wr16(msg + 2, (uint16_t)(off + 4 + HMAC_LEN - STUN_HEADER_LEN));
	return HMAC(EVP_sha1(), key, (int)keylen, msg, off, out, &outlen) &&
	       outlen == HMAC_LEN;
}

bool stun_integrity_ok(const uint8_t *buf, const struct stun_msg *m,
                       const char *key, size_t keylen)
{
	uint8_t mac[HMAC_LEN];

	if (!m->integrity_off || m->integrity_off + 4 + HMAC_LEN > m->len ||
	    !integrity_of(buf, m->integrity_off, key, keylen, mac))
		return false;
	return CRYPTO_memcmp(mac, buf + m->integrity_off + 4, HMAC_LEN) == 0;
}

/* ---- building ------------------------------------------------------- */

void stun_start(struct stun_builder *b, uint8_t *buf, size_t cap, uint16_t type,
                const uint8_t tid[STUN_TID_LEN])
{
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->overflow = cap < STUN_HEADER_LEN;
	if (b->overflow)
		return;
	wr16(buf, type);
	wr16(buf + 2, 0);
	wr32(buf + 4, STUN_MAGIC);
	memcpy(buf + 8, tid, STUN_TID_LEN);
	b->len = STUN_HEADER_LEN;
}

void stun_put_bytes(struct stun_builder *b, uint16_t attr, const void *v,
                    size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;

	if (b->overflow || n > 0xffff || b->cap - b->len < 4 + padded) {
		b->overflow = true;
		return;
	}
	wr16(b->buf + b->len, attr);
	wr16(b->buf + b->len + 2, (uint16_t)n);
	if (n)
		memcpy(b->buf + b->len + 4, v, n);
	memset(b->buf + b->len + 4 + n, 0, padded - n);
	b->len += 4 + padded;
	wr16(b->buf + 2, (uint16_t)(b->len - STUN_HEADER_LEN));
}

void stun_put_u32(struct stun_builder *b, uint16_t attr, uint32_t v)
{
	uint8_t p[4];

	wr32(p, v);
	stun_put_bytes(b, attr, p, sizeof(p));
}

void stun_put_u64(struct stun_builder *b, uint16_t attr, uint64_t v)
{
	uint8_t p[8];

	wr32(p, (uint32_t)(v >> 32));
	wr32(p + 4, (uint32_t)v);
	stun_put_bytes(b, attr, p, sizeof(p));
}

void stun_put_xor_address(struct stun_builder *b, const struct sockaddr *addr)
{
	uint8_t v[20] = {0};

	if (b->overflow || b->len < STUN_HEADER_LEN) {
		b->overflow = true;
		return;
	}
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

		v[1] = 0x01;
		wr16(v + 2,
		     (uint16_t)(ntohs(in->sin_port) ^ (STUN_MAGIC >> 16)));
		wr32(v + 4, ntohl(in->sin_addr.s_addr) ^ STUN_MAGIC);
		stun_put_bytes(b, STUN_ATTR_XOR_MAPPED_ADDRESS, v, 8);
	} else if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)addr;

		v[1] = 0x02;
		wr16(v + 2,
		     (uint16_t)(ntohs(in6->sin6_port) ^ (STUN_MAGIC >> 16)));
		for (int i = 0; i < 16; i++)
			v[4 + i] = (uint8_t)(in6->sin6_addr.s6_addr[i] ^
			                     b->buf[4 + i]);
		stun_put_bytes(b, STUN_ATTR_XOR_MAPPED_ADDRESS, v, 20);
	} else {
		b->overflow = true;
	}
}

void stun_put_error(struct stun_builder *b, int code, const char *reason)
{
	uint8_t v[4 + 128] = {0};
	size_t n = strnlen(reason, 128);

	v[2] = (uint8_t)(code / 100);
	v[3] = (uint8_t)(code % 100);
	memcpy(v + 4, reason, n);
	stun_put_bytes(b, STUN_ATTR_ERROR_CODE, v, 4 + n);
}

size_t stun_finish(struct stun_builder *b, const char *key, size_t keylen)
{
	uint8_t mac[HMAC_LEN], crc[4];
	uLong c;

	if (key && !b->overflow) {
		if (!integrity_of(b->buf, b->len, key, keylen, mac))
			b->overflow = true;
		else
			stun_put_bytes(b, STUN_ATTR_MESSAGE_INTEGRITY, mac,
			               HMAC_LEN);
	}
	if (b->overflow || b->cap - b->len < 8)
		return 0;
	wr16(b->buf + 2, (uint16_t)(b->len + 8 - STUN_HEADER_LEN));
	c = crc32(0L, b->buf, (uInt)b->len);
	wr32(crc, (uint32_t)c ^ FINGERPRINT_XOR);
	stun_put_bytes(b, STUN_ATTR_FINGERPRINT, crc, 4);
	return b->overflow ? 0 : b->len;
}
