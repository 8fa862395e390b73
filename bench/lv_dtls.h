/* lv_dtls.h — the load client's DTLS-SRTP (RFC 5764): one self-signed
 * ECDSA P-256 certificate per process, and one handshake per viewer over
 * memory BIOs, client or server as the SDP roles say, offering
 * AEAD_AES_128_GCM and AES_CM_128_HMAC_SHA1_80.
 *
 * A struct lv_dtls is used by one thread at a time (the viewer's worker);
 * the context is shared read-only once made.
 */
#ifndef LV_DTLS_H
#define LV_DTLS_H

#include "lv_srtp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lv_dtls_ctx;
struct lv_dtls;

/* Sends one datagram to the viewer's selected address. */
typedef void (*lv_dtls_send_fn)(void *user, const uint8_t *buf, size_t len);

/* The certificate and the OpenSSL context; NULL with a reason in err. */
struct lv_dtls_ctx *lv_dtls_ctx_new(char *err, size_t errlen);
void lv_dtls_ctx_free(struct lv_dtls_ctx *c);
/* "AB:CD:..." (sha-256), for a=fingerprint; borrowed from c. */
const char *lv_dtls_ctx_fingerprint(const struct lv_dtls_ctx *c);

/* A handshake as client (true) or server, which will accept only the
 * certificate whose sha-256 is fp. NULL if OpenSSL fails. */
struct lv_dtls *lv_dtls_new(struct lv_dtls_ctx *c, bool client,
                            const uint8_t fp[32]);
void lv_dtls_free(struct lv_dtls *d);

enum lv_dtls_result {
	LV_DTLS_FAILED = -1,
	LV_DTLS_AGAIN = 0,
	LV_DTLS_DONE = 1
};

/* Start (a client sends its ClientHello). */
enum lv_dtls_result lv_dtls_start(struct lv_dtls *d, lv_dtls_send_fn send,
                                  void *user);
/* One DTLS datagram from the peer. DONE once, when the handshake has
 * finished and the peer's certificate matched. */
enum lv_dtls_result lv_dtls_input(struct lv_dtls *d, const uint8_t *buf,
                                  size_t len, lv_dtls_send_fn send, void *user);
/* Retransmit the last flight if its timer ran out. */
void lv_dtls_tick(struct lv_dtls *d, lv_dtls_send_fn send, void *user);
/* Why the handshake failed (borrowed), "" if it did not. */
const char *lv_dtls_error(const struct lv_dtls *d);

/* After DONE: the agreed profile and the SRTP master keys of both sides.
 * 0, or -1 if the keys cannot be exported. */
int lv_dtls_srtp(struct lv_dtls *d, struct lv_srtp_keys *out);

#endif
