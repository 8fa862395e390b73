/* stun.h — STUN messages (RFC 8489) as ICE uses them (RFC 8445, RFC
 * 7675): read one from a datagram, check its MESSAGE-INTEGRITY and
 * FINGERPRINT, and build requests and responses.
 *
 * Pure functions over caller buffers: no allocation, no state, no logging.
 * Every length comes from the datagram and is checked before use.
 */
#ifndef SINIAN_STUN_H
#define SINIAN_STUN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define STUN_HEADER_LEN 20
#define STUN_MAGIC      0x2112A442u
#define STUN_TID_LEN    12
#define STUN_MAX_LEN    1500 /* larger datagrams are not STUN to us */

enum stun_type {
	STUN_BINDING_REQUEST = 0x0001,
	STUN_BINDING_INDICATION = 0x0011,
	STUN_BINDING_SUCCESS = 0x0101,
	STUN_BINDING_ERROR = 0x0111,
};

enum stun_attr {
	STUN_ATTR_MAPPED_ADDRESS = 0x0001,
	STUN_ATTR_USERNAME = 0x0006,
	STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,
	STUN_ATTR_ERROR_CODE = 0x0009,
	STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,
	STUN_ATTR_PRIORITY = 0x0024,
	STUN_ATTR_USE_CANDIDATE = 0x0025,
	STUN_ATTR_FINGERPRINT = 0x8028,
	STUN_ATTR_ICE_CONTROLLED = 0x8029,
	STUN_ATTR_ICE_CONTROLLING = 0x802A,
};

/* What stun_parse() found; pointers borrow the datagram. */
struct stun_msg {
	uint16_t type;
	uint8_t tid[STUN_TID_LEN];
	size_t len; /* header + attributes */
	const char *username;
	size_t username_len;
	size_t integrity_off;   /* offset of MESSAGE-INTEGRITY, 0: none */
	size_t fingerprint_off; /* offset of FINGERPRINT, 0: none */
	bool has_priority, use_candidate, controlling, controlled;
	uint32_t priority;
	uint64_t tiebreaker;
	int error_code; /* ERROR-CODE (responses), 0: none */
	bool has_mapped;
	struct sockaddr_storage mapped; /* XOR-MAPPED-ADDRESS, decoded */
};

/* RFC 7983: a datagram whose first byte is 0..3 may be STUN. True if it
 * has the size, the zero top bits and the magic cookie of one. */
bool stun_is(const uint8_t *buf, size_t len);

/* Read the message in buf[0..len): header, attribute framing, and the
 * attributes above. Attributes after MESSAGE-INTEGRITY other than
 * FINGERPRINT are ignored, as RFC 8489 says. 0 or ERR_INVALID. */
int stun_parse(const uint8_t *buf, size_t len, struct stun_msg *out);

/* True if m has a FINGERPRINT and it matches buf. */
bool stun_fingerprint_ok(const uint8_t *buf, const struct stun_msg *m);
/* True if m has a MESSAGE-INTEGRITY and it matches buf under key (ICE:
 * the short-term password, the receiving agent's ice-pwd). */
bool stun_integrity_ok(const uint8_t *buf, const struct stun_msg *m,
                       const char *key, size_t keylen);

/* Building a message into a caller buffer. Any write that does not fit
 * sets overflow; stun_finish() then returns 0. */
struct stun_builder {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

void stun_start(struct stun_builder *b, uint8_t *buf, size_t cap, uint16_t type,
                const uint8_t tid[STUN_TID_LEN]);
void stun_put_bytes(struct stun_builder *b, uint16_t attr, const void *v,
                    size_t n);
void stun_put_u32(struct stun_builder *b, uint16_t attr, uint32_t v);
void stun_put_u64(struct stun_builder *b, uint16_t attr, uint64_t v);
/* XOR-MAPPED-ADDRESS of an IPv4 or IPv6 socket address. */
void stun_put_xor_address(struct stun_builder *b, const struct sockaddr *addr);
/* ERROR-CODE: code (300..699) and a reason phrase. */
void stun_put_error(struct stun_builder *b, int code, const char *reason);
/* Append MESSAGE-INTEGRITY under key (when key is not NULL) and
 * FINGERPRINT; returns the message length, or 0 on overflow. */
size_t stun_finish(struct stun_builder *b, const char *key, size_t keylen);

#endif
