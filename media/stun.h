/* stun.h — STUN messages (RFC 5389/8489) with the ICE attributes
 * (RFC 8445): parse and check what a browser sends, build requests and
 * responses.
 *
 * Pure functions over caller buffers: no allocation, no state, any thread.
 * Used by the lite engine's UDP mux (binding requests from viewers) and by
 * tests and benches acting as ICE clients.
 */
#ifndef SINIAN_STUN_H
#define SINIAN_STUN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define STUN_HEADER_LEN 20
#define STUN_TXID_LEN   12
#define STUN_MAX_LEN    1500 /* larger datagrams are not ours */
#define STUN_COOKIE     0x2112A442u

#define STUN_BINDING 0x0001

enum stun_class {
	STUN_REQUEST = 0,
	STUN_INDICATION = 1,
	STUN_SUCCESS = 2,
	STUN_ERROR = 3,
};

/* What stun_parse() found. Pointers borrow the parsed buffer. */
struct stun_msg {
	uint16_t method;
	enum stun_class cls;
	uint8_t txid[STUN_TXID_LEN];
	const uint8_t *username; /* NULL when absent; not NUL-terminated */
	size_t username_len;
	bool has_priority, use_candidate, controlling, controlled;
	uint32_t priority;
	uint64_t tiebreaker; /* of ICE-CONTROLLING or ICE-CONTROLLED */
	bool has_mapped;     /* XOR-MAPPED-ADDRESS */
	struct sockaddr_storage mapped;
	int error_code; /* 0, or 300..699 from ERROR-CODE */
	/* offsets of MESSAGE-INTEGRITY and FINGERPRINT, 0 when absent */
	size_t integrity_at, fingerprint_at;
	const uint8_t *raw;
	size_t len;
};

/* Quick test for the mux: could buf be a STUN message (first byte 0..3,
 * magic cookie, length fits)? */
bool stun_is(const uint8_t *buf, size_t len);

/* Parse buf[0..len). 0 or ERR_INVALID (bad header, truncated or
 * misaligned attribute, attributes after FINGERPRINT, anything other than
 * FINGERPRINT after MESSAGE-INTEGRITY). Unknown attributes are skipped. */
int stun_parse(const uint8_t *buf, size_t len, struct stun_msg *out);

/* The local ufrag of a request's USERNAME ("local:remote"): its bytes and
 * length through the out-parameters. 0 or ERR_INVALID (no USERNAME or no
 * colon). */
int stun_local_ufrag(const struct stun_msg *m, const uint8_t **ufrag,
                     size_t *len);

/* Check MESSAGE-INTEGRITY (HMAC-SHA1, short-term key = the ICE pwd).
 * 0 or ERR_UNAUTHORIZED (absent or wrong). */
int stun_check_integrity(const struct stun_msg *m, const void *key,
                         size_t keylen);
/* Check FINGERPRINT (CRC-32 ^ 0x5354554e). 0 or ERR_INVALID. */
int stun_check_fingerprint(const struct stun_msg *m);

/* Building: begin, add attributes, finish. A write past cap marks the
 * builder failed; stun_finish() then returns ERR_TOO_LARGE. */
struct stun_builder {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

void stun_begin(struct stun_builder *b, uint8_t *buf, size_t cap,
                uint16_t method, enum stun_class cls,
                const uint8_t txid[STUN_TXID_LEN]);
void stun_add_username(struct stun_builder *b, const char *username);
void stun_add_priority(struct stun_builder *b, uint32_t priority);
/* ICE-CONTROLLING when controlling, else ICE-CONTROLLED. */
void stun_add_role(struct stun_builder *b, bool controlling,
                   uint64_t tiebreaker);
void stun_add_use_candidate(struct stun_builder *b);
/* XOR-MAPPED-ADDRESS of an AF_INET or AF_INET6 address. */
void stun_add_xor_mapped(struct stun_builder *b, const struct sockaddr *sa);
void stun_add_error(struct stun_builder *b, int code, const char *reason);
/* Append MESSAGE-INTEGRITY (when key is not NULL) and FINGERPRINT (when
 * fingerprint), fix the length. Returns the message length, or
 * ERR_TOO_LARGE. */
int stun_finish(struct stun_builder *b, const void *key, size_t keylen,
                bool fingerprint);

#endif
