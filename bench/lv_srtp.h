/* lv_srtp.h — the load client's SRTP, with libsrtp (the design's SRTP
 * library): a viewer's two sessions, one for what the server sends (RTP
 * and RTCP to check and decrypt) and one for the receiver reports it
 * sends back. The keys come from the DTLS-SRTP export (RFC 5764 4.2).
 *
 * A struct lv_srtp is used by one thread at a time.
 */
#ifndef LV_SRTP_H
#define LV_SRTP_H

#include <stddef.h>
#include <stdint.h>

#define LV_SRTP_GCM  0x0007 /* AEAD_AES_128_GCM */
#define LV_SRTP_CM80 0x0001 /* AES_CM_128_HMAC_SHA1_80 */
#define LV_SRTP_KEY  16
#define LV_SRTP_SALT 14  /* at most: 14 for AES-CM, 12 for GCM */
#define LV_SRTP_ROOM 144 /* bytes a protect may add (libsrtp's maximum) */

/* A profile's master key and salt for each direction. */
struct lv_srtp_keys {
	int profile;
	size_t salt_len;
	uint8_t remote[LV_SRTP_KEY + LV_SRTP_SALT]; /* the server's */
	uint8_t local[LV_SRTP_KEY + LV_SRTP_SALT];  /* this viewer's */
};

struct lv_srtp {
	void *rx, *tx; /* srtp_t */
};

/* Once per process, before any session. 0 or -1. */
int lv_srtp_global_init(void);
/* The sessions of one viewer. 0, or -1 (unknown profile, libsrtp error). */
int lv_srtp_start(struct lv_srtp *s, const struct lv_srtp_keys *k);
void lv_srtp_stop(struct lv_srtp *s);
/* Check and decrypt in place; *len shrinks. 0, or -1 if it fails. */
int lv_srtp_unprotect_rtp(struct lv_srtp *s, uint8_t *buf, size_t *len);
int lv_srtp_unprotect_rtcp(struct lv_srtp *s, uint8_t *buf, size_t *len);
/* Protect an RTCP packet in place; cap must leave LV_SRTP_ROOM. */
int lv_srtp_protect_rtcp(struct lv_srtp *s, uint8_t *buf, size_t *len,
                         size_t cap);

#endif
