/* srtpx.h — SRTP and SRTCP transforms (RFC 3711, RFC 7714) for the two
 * DTLS-SRTP profiles browsers offer: AES_CM_128_HMAC_SHA1_80 and
 * AEAD_AES_128_GCM, with OpenSSL's EVP ciphers.
 *
 * The viewer engine protects every packet once per viewer, so this is its
 * hot path: no allocation per packet, packets transformed in place in the
 * caller's buffer. libsrtp stays the reference the tests check every
 * transform against (Debian's libsrtp2 is built on NSS and costs 10-20 µs a
 * packet with AES-CM, docs/performance.md). The name is not libsrtp's
 * `srtp_` prefix, to keep the two apart.
 *
 * A struct srtpx holds the session keys of one sender (or of one receiver
 * of that sender's packets): its RTP and RTCP keys. Not thread-safe: one
 * thread uses a context at a time.
 */
#ifndef SINIAN_SRTPX_H
#define SINIAN_SRTPX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DTLS-SRTP protection profile ids (RFC 5764, RFC 7714). */
enum srtpx_suite {
	SRTPX_AES_CM_128_HMAC_SHA1_80 = 0x0001,
	SRTPX_AEAD_AES_128_GCM = 0x0007,
};

#define SRTPX_KEY_LEN      16
#define SRTPX_SALT_CM      14 /* master salt, AES-CM */
#define SRTPX_SALT_GCM     12 /* master salt, AES-GCM */
#define SRTPX_MAX_OVERHEAD 20 /* bytes a protect may add (tag + index) */

struct srtpx_keys; /* session keys and cipher contexts, OpenSSL's */

struct srtpx {
	enum srtpx_suite suite;
	struct srtpx_keys *k;
};

/* Derive the session keys from a master key (16 bytes) and salt (14 for
 * AES-CM, 12 for GCM). 0, ERR_INVALID (unknown suite) or ERR_NOMEM. Clear
 * with srtpx_clear(). */
int srtpx_init(struct srtpx *s, enum srtpx_suite suite,
               const uint8_t key[SRTPX_KEY_LEN], const uint8_t *salt);
/* Use the given session key, salt (14 or 12 bytes) and, for AES-CM, 20-byte
 * authentication key for both RTP and RTCP, without derivation: the known
 * answers of RFC 3711 B.2 and RFC 7714 16-17 are given that way. */
int srtpx_init_session(struct srtpx *s, enum srtpx_suite suite,
                       const uint8_t key[SRTPX_KEY_LEN], const uint8_t *salt,
                       const uint8_t *auth);
/* Free the keys (wiped). A cleared or zeroed struct is a no-op. */
void srtpx_clear(struct srtpx *s);
/* Master salt length of a suite (14 or 12), 0 if unknown. */
size_t srtpx_salt_len(enum srtpx_suite suite);
/* Bytes a protected RTP packet grows by (10 or 16). */
size_t srtpx_rtp_overhead(enum srtpx_suite suite);

/* Protect the RTP packet buf[0..*len) in place with rollover counter roc;
 * cap is the room in buf (*len + srtpx_rtp_overhead() at least). 0 or
 * ERR_INVALID (not RTP, no room). */
int srtpx_protect_rtp(struct srtpx *s, uint8_t *buf, size_t *len, size_t cap,
                      uint32_t roc);
/* Check and decrypt an SRTP packet in place; *len shrinks. 0 or
 * ERR_INVALID (malformed, or authentication failed). */
int srtpx_unprotect_rtp(struct srtpx *s, uint8_t *buf, size_t *len,
                        uint32_t roc);

/* Protect an RTCP (compound) packet in place with SRTCP index (31 bits);
 * the sender counts the index up by one per packet. */
int srtpx_protect_rtcp(struct srtpx *s, uint8_t *buf, size_t *len, size_t cap,
                       uint32_t index);
/* Check and decrypt an SRTCP packet in place; its index goes to *index. */
int srtpx_unprotect_rtcp(struct srtpx *s, uint8_t *buf, size_t *len,
                         uint32_t *index);

/* The rollover counter of one SSRC's sequence numbers (RFC 3711 3.3.1),
 * for a sender or a receiver: srtpx_roc() returns the ROC that goes with
 * seq and moves the highest sequence number seen forward. */
struct srtpx_seq {
	bool started;
	uint16_t s_l; /* highest sequence number seen */
	uint32_t roc; /* its rollover counter */
};

uint32_t srtpx_roc(struct srtpx_seq *st, uint16_t seq);

/* SRTCP replay window of one receiver (64 indexes): true if index is new
 * (and records it), false if seen or too old. */
struct srtpx_replay {
	bool started;
	uint32_t top;
	uint64_t bits;
};

bool srtpx_replay_check(struct srtpx_replay *w, uint32_t index);

#endif
