/* stun.c — STUN message parsing, checking and building for ICE-lite.
 *
 * Owns: the wire format of STUN (RFC 5389/8489) and the ICE attributes
 * (RFC 8445): USERNAME, MESSAGE-INTEGRITY (HMAC-SHA1), FINGERPRINT
 * (CRC-32), PRIORITY, ICE-CONTROLLING/CONTROLLED, USE-CANDIDATE,
 * XOR-MAPPED-ADDRESS, ERROR-CODE. Must never: read past the given length,
 * allocate, or trust a length field before checking it against the buffer.
 * Called by the lite engine's UDP mux, tests and benches.
 */
#include "stun.h"

#include "be.h"
#include "err.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <zlib.h>

#define ATTR_USERNAME        0x0006
#define ATTR_INTEGRITY       0x0008
#define ATTR_ERROR_CODE      0x0009
#define ATTR_XOR_MAPPED      0x0020
#define ATTR_PRIORITY        0x0024
#define ATTR_USE_CANDIDATE   0x0025
#define ATTR_FINGERPRINT     0x8028
#define ATTR_ICE_CONTROLLED  0x8029
#define ATTR_ICE_CONTROLLING 0x802A

#define INTEGRITY_LEN   20
#define FINGERPRINT_XOR 0x5354554eu

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)be_rd32(p) << 32 | be_rd32(p + 4);
}

bool stun_is(const uint8_t *buf, size_t len)
{
	return len >= STUN_HEADER_LEN && len <= STUN_MAX_LEN && buf[0] < 4 &&
	       be_rd32(buf + 4) == STUN_COOKIE &&
	       (size_t)be_rd16(buf + 2) + STUN_HEADER_LEN == len &&
	       (be_rd16(buf + 2) & 3) == 0;
}

static int parse_xor_addr(const uint8_t *v, size_t n, const uint8_t *hdr,
                          struct sockaddr_storage *out)
{
	uint16_t port;

	if (n < 8 || v[0] != 0)
		return ERR_INVALID;
	port = be_rd16(v + 2) ^ (uint16_t)(STUN_COOKIE >> 16);
	memset(out, 0, sizeof(*out));
	if (v[1] == 1 && n == 8) {
		struct sockaddr_in *sin = (struct sockaddr_in *)out;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(be_rd32(v + 4) ^ STUN_COOKIE);
		return 0;
	}
	if (v[1] == 2 && n == 20) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		/* XOR with cookie + transaction id: header bytes 4..19 */
		for (int i = 0; i < 16; i++)
			sin6->sin6_addr.s6_addr[i] = v[4 + i] ^ hdr[4 + i];
		return 0;
	}
	return ERR_INVALID;
}

static int parse_attr(struct stun_msg *m, uint16_t type, const uint8_t *v,
                      size_t n)
{
	switch (type) {
	case ATTR_USERNAME:
		if (n == 0 || n > 513)
			return ERR_INVALID;
		m->username = v;
		m->username_len = n;
		return 0;
	case ATTR_PRIORITY:
		if (n != 4)
			return ERR_INVALID;
		m->has_priority = true;
		m->priority = be_rd32(v);
		return 0;
	case ATTR_USE_CANDIDATE:
		m->use_candidate = true;
		return n == 0 ? 0 : ERR_INVALID;
	case ATTR_ICE_CONTROLLING:
	case ATTR_ICE_CONTROLLED:
		if (n != 8)
			return ERR_INVALID;
		m->controlling = type == ATTR_ICE_CONTROLLING;
		m->controlled = type == ATTR_ICE_CONTROLLED;
		m->tiebreaker = rd64(v);
		return 0;
	case ATTR_XOR_MAPPED:
		m->has_mapped = true;
		return parse_xor_addr(v, n, m->raw, &m->mapped);
	case ATTR_ERROR_CODE:
		if (n < 4 || v[2] < 3 || v[2] > 6 || v[3] > 99)
			return ERR_INVALID;
		m->error_code = v[2] * 100 + v[3];
		return 0;
	default: return 0;
	}
}

int stun_parse(const uint8_t *buf, size_t len, struct stun_msg *out)
{
	uint16_t type;
	size_t off = STUN_HEADER_LEN;

	memset(out, 0, sizeof(*out));
	if (!stun_is(buf, len))
		return ERR_INVALID;
	type = be_rd16(buf);
	out->raw = buf;
	out->len = len;
	out->method = (uint16_t)((type & 0x000f) | (type & 0x00e0) >> 1 |
	                         (type & 0x3e00) >> 2);
	out->cls = (enum stun_class)((type >> 4 & 1) | (type >> 7 & 2));
	memcpy(out->txid, buf + 8, STUN_TXID_LEN);
	while (off < len) {
		uint16_t at, n;

		if (len - off < 4 || out->fingerprint_at)
			return ERR_INVALID;
		at = be_rd16(buf + off);
		n = be_rd16(buf + off + 2);
		if ((size_t)n + 4 > len - off ||
		    ((size_t)n + 3) / 4 * 4 + 4 > len - off)
			return ERR_INVALID;
		if (out->integrity_at && at != ATTR_FINGERPRINT)
			return ERR_INVALID;
		if (at == ATTR_INTEGRITY) {
			if (n != INTEGRITY_LEN)
				return ERR_INVALID;
			out->integrity_at = off;
		} else if (at == ATTR_FINGERPRINT) {
			if (n != 4)
				return ERR_INVALID;
			out->fingerprint_at = off;
		} else if (parse_attr(out, at, buf + off + 4, n) != 0) {
			return ERR_INVALID;
		}
		off += 4 + ((size_t)n + 3) / 4 * 4;
	}
	return 0;
}

int stun_local_ufrag(const struct stun_msg *m, const uint8_t **ufrag,
                     size_t *len)
{
	const uint8_t *colon;

	if (!m->username)
		return ERR_INVALID;
	colon = memchr(m->username, ':', m->username_len);
	if (!colon || colon == m->username)
		return ERR_INVALID;
	*ufrag = m->username;
	*len = (size_t)(colon - m->username);
	return 0;
}

/* HMAC-SHA1 over buf[0..upto) with the header length patched to
 * cover a MESSAGE-INTEGRITY attribute that starts at upto. */
static void integrity_of(const uint8_t *buf, size_t upto, const void *key,
                         size_t keylen, uint8_t mac[INTEGRITY_LEN])
{
	uint8_t copy[STUN_MAX_LEN];
	unsigned int maclen = INTEGRITY_LEN;

	memcpy(copy, buf, upto);
	be_wr16(copy + 2,
	        (uint16_t)(upto + 4 + INTEGRITY_LEN - STUN_HEADER_LEN));
	HMAC(EVP_sha1(), key, (int)keylen, copy, upto, mac, &maclen);
}

int stun_check_integrity(const struct stun_msg *m, const void *key,
                         size_t keylen)
{
	uint8_t mac[INTEGRITY_LEN];
	uint8_t diff = 0;

	if (!m->integrity_at || keylen > 256)
		return ERR_UNAUTHORIZED;
	integrity_of(m->raw, m->integrity_at, key, keylen, mac);
	for (int i = 0; i < INTEGRITY_LEN; i++)
		diff |= mac[i] ^ m->raw[m->integrity_at + 4 + i];
	return diff ? ERR_UNAUTHORIZED : 0;
}

static uint32_t fingerprint_of(const uint8_t *buf, size_t upto)
{
	uint8_t hdr[4];
	uLong crc;

	/* the length as if FINGERPRINT (8 bytes) ended the message */
	memcpy(hdr, buf, 4);
	be_wr16(hdr + 2, (uint16_t)(upto + 8 - STUN_HEADER_LEN));
	crc = crc32(0L, hdr, 4);
	crc = crc32(crc, buf + 4, (uInt)(upto - 4));
	return (uint32_t)crc ^ FINGERPRINT_XOR;
}

int stun_check_fingerprint(const struct stun_msg *m)
{
	if (!m->fingerprint_at)
		return ERR_INVALID;
	return fingerprint_of(m->raw, m->fingerprint_at) ==
	               be_rd32(m->raw + m->fingerprint_at + 4)
	           ? 0
	           : ERR_INVALID;
}

void stun_begin(struct stun_builder *b, uint8_t *buf, size_t cap,
                uint16_t method, enum stun_class cls,
                const uint8_t txid[STUN_TXID_LEN])
{
	uint16_t type = (uint16_t)((method & 0x000f) | (method & 0x0070) << 1 |
	                           (method & 0x0f80) << 2 | (cls & 1) << 4 |
	                           (cls & 2) << 7);

	b->buf = buf;
	b->cap = cap < STUN_MAX_LEN ? cap : STUN_MAX_LEN;
	b->len = 0;
	b->overflow = b->cap < STUN_HEADER_LEN;
	if (b->overflow)
		return;
	be_wr16(buf, type);
	be_wr16(buf + 2, 0);
	be_wr32(buf + 4, STUN_COOKIE);
	memcpy(buf + 8, txid, STUN_TXID_LEN);
	b->len = STUN_HEADER_LEN;
}

/* Reserve an attribute of n value bytes (zero padded); NULL on overflow. */
static uint8_t *add_attr(struct stun_builder *b, uint16_t type, size_t n)
{
	size_t padded = (n + 3) / 4 * 4;
	uint8_t *v;

	if (b->overflow || n > 0xffff || b->cap - b->len < 4 + padded) {
		b->overflow = true;
		return NULL;
	}
	be_wr16(b->buf + b->len, type);
	be_wr16(b->buf + b->len + 2, (uint16_t)n);
	v = b->buf + b->len + 4;
	memset(v, 0, padded);
	b->len += 4 + padded;
	return v;
}

void stun_add_username(struct stun_builder *b, const char *username)
{
	size_t n = strlen(username);
	uint8_t *v = add_attr(b, ATTR_USERNAME, n);

	if (v)
		memcpy(v, username, n);
}

void stun_add_priority(struct stun_builder *b, uint32_t priority)
{
	uint8_t *v = add_attr(b, ATTR_PRIORITY, 4);

	if (v)
		be_wr32(v, priority);
}

void stun_add_role(struct stun_builder *b, bool controlling,
                   uint64_t tiebreaker)
{
	uint8_t *v = add_attr(
	    b, controlling ? ATTR_ICE_CONTROLLING : ATTR_ICE_CONTROLLED, 8);

	if (v) {
		be_wr32(v, (uint32_t)(tiebreaker >> 32));
		be_wr32(v + 4, (uint32_t)tiebreaker);
	}
}

void stun_add_use_candidate(struct stun_builder *b)
{
	add_attr(b, ATTR_USE_CANDIDATE, 0);
}

void stun_add_xor_mapped(struct stun_builder *b, const struct sockaddr *sa)
{
	uint8_t *v;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		v = add_attr(b, ATTR_XOR_MAPPED, 8);
		if (!v)
			return;
		v[1] = 1;
		be_wr16(v + 2,
		        ntohs(sin->sin_port) ^ (uint16_t)(STUN_COOKIE >> 16));
		be_wr32(v + 4, ntohl(sin->sin_addr.s_addr) ^ STUN_COOKIE);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		v = add_attr(b, ATTR_XOR_MAPPED, 20);
		if (!v)
			return;
		v[1] = 2;
		be_wr16(v + 2,
		        ntohs(sin6->sin6_port) ^ (uint16_t)(STUN_COOKIE >> 16));
		for (int i = 0; i < 16; i++)
			v[4 + i] = sin6->sin6_addr.s6_addr[i] ^ b->buf[4 + i];
	} else {
		b->overflow = true;
	}
}

void stun_add_error(struct stun_builder *b, int code, const char *reason)
{
	size_t n = strlen(reason);
	uint8_t *v = add_attr(b, ATTR_ERROR_CODE, 4 + n);

	if (!v)
		return;
	v[2] = (uint8_t)(code / 100);
	v[3] = (uint8_t)(code % 100);
	memcpy(v + 4, reason, n);
}

int stun_finish(struct stun_builder *b, const void *key, size_t keylen,
                bool fingerprint)
{
	if (key) {
		size_t at = b->len;
		uint8_t *v = add_attr(b, ATTR_INTEGRITY, INTEGRITY_LEN);

		if (v)
			integrity_of(b->buf, at, key, keylen, v);
	}
	if (fingerprint) {
		size_t at = b->len;
		uint8_t *v = add_attr(b, ATTR_FINGERPRINT, 4);

		if (v)
			be_wr32(v, fingerprint_of(b->buf, at));
	}
	if (b->overflow)
		return ERR_TOO_LARGE;
	be_wr16(b->buf + 2, (uint16_t)(b->len - STUN_HEADER_LEN));
	return (int)b->len;
}
