/* srtpx.h — SRTP and SRTCP (RFC 3711, RFC 7714) on OpenSSL EVP for the
 * fan-out hot path: AES_CM_128_HMAC_SHA1_80 and AEAD_AES_128_GCM.
 *
 * One srtpx is one direction of one DTLS-SRTP association (the keys one
 * side writes with). Protect and unprotect work in place in the caller's
 * buffer and never allocate. A session is used by one thread at a time.
 * libsrtp stays the oracle in the unit tests; it is not used here because
 * Debian's build (NSS) costs 10-20 us a packet (docs/performance.md).
 */
#ifndef SINIAN_SRTPX_H
#define SINIAN_SRTPX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DTLS-SRTP protection profile ids (RFC 5764, RFC 7714). */
enum srtpx_profile {
	SRTPX_AES128_CM_SHA1_80 = 0x0001,
	SRTPX_AEAD_AES_128_GCM = 0x0007,
};

#define SRTPX_KEY_LEN      16
#define SRTPX_MAX_SALT_LEN 14
#define SRTPX_AUTH_KEY_LEN 20
/* room to leave after a packet: RTP tag, or SRTCP index + tag */
#define SRTPX_RTP_OVERHEAD  16
#define SRTPX_RTCP_OVERHEAD 20

enum srtpx_dir { SRTPX_OUT, SRTPX_IN };

/* The session keys of one of RTP or RTCP. */
struct srtpx_keys {
	uint8_t key[SRTPX_KEY_LEN];
	uint8_t salt[SRTPX_MAX_SALT_LEN];
	uint8_t auth[SRTPX_AUTH_KEY_LEN]; /* unused with GCM */
};

/* Rollover counter tracking of one SSRC (RFC 3711 3.3.1, appendix A). */
struct srtpx_seq {
	uint32_t roc;
	uint16_t s_l;
	bool started;
};

struct srtpx;

/* Master salt length of a profile (14 or 12); 0 for an unknown one. */
size_t srtpx_salt_len(int profile);

/* Derive the RTP and RTCP session keys from a master key and salt
 * (AES-CM PRF, key derivation rate 0). 0 or ERR_INVALID (profile). */
int srtpx_derive(int profile, const uint8_t *master_key,
                 const uint8_t *master_salt, struct srtpx_keys *rtp,
                 struct srtpx_keys *rtcp);

/* A session over session keys. Caller owns *out (srtpx_free). 0,
 * ERR_INVALID (profile) or ERR_NOMEM. */
int srtpx_new(int profile, enum srtpx_dir dir, const struct srtpx_keys *rtp,
              const struct srtpx_keys *rtcp, struct srtpx **out);
/* srtpx_derive() then srtpx_new(). */
int srtpx_new_master(int profile, enum srtpx_dir dir, const uint8_t *master_key,
                     const uint8_t *master_salt, struct srtpx **out);
void srtpx_free(struct srtpx *s);
int srtpx_profile(const struct srtpx *s);

/* The rollover counter to use with seq (an estimate for a receiver, the
 * value for a sender), then srtpx_seq_update() once the packet counts. */
uint32_t srtpx_roc_for(const struct srtpx_seq *st, uint16_t seq);
void srtpx_seq_update(struct srtpx_seq *st, uint16_t seq, uint32_t roc);

/* Protect the RTP packet pkt[0..len) in place with rollover counter roc;
 * cap is the buffer's size (len + SRTPX_RTP_OVERHEAD is always enough).
 * Returns the new length, or ERR_INVALID (not RTP, or an inbound
 * session), ERR_TOO_LARGE (cap). */
int srtpx_protect_rtp(struct srtpx *s, uint8_t *pkt, size_t len, size_t cap,
                      uint32_t roc);
/* Check and decrypt in place. Returns the RTP length, ERR_INVALID or
 * ERR_UNAUTHORIZED. No replay check (the caller counts sequence
 * numbers). */
int srtpx_unprotect_rtp(struct srtpx *s, uint8_t *pkt, size_t len,
                        uint32_t roc);
/* Protect a compound RTCP packet in place with the next SRTCP index.
 * Returns the new length, ERR_INVALID or ERR_TOO_LARGE. */
int srtpx_protect_rtcp(struct srtpx *s, uint8_t *pkt, size_t len, size_t cap);
/* Check, refuse replays (64-packet window), decrypt in place. Returns the
 * RTCP length, ERR_INVALID (short, unencrypted) or ERR_UNAUTHORIZED (bad
 * tag, replayed). */
int srtpx_unprotect_rtcp(struct srtpx *s, uint8_t *pkt, size_t len);

#endif
