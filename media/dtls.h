/* dtls.h — the DTLS 1.2 server side of DTLS-SRTP (RFC 5764) for viewers,
 * with OpenSSL 3 over memory BIOs, so every datagram goes through the one
 * UDP socket the caller owns.
 *
 * One dtls_ctx per process holds the ECDSA P-256 certificate whose
 * fingerprint every answer carries. One dtls_conn per viewer runs the
 * handshake: datagrams in, datagrams out through a callback, the peer's
 * certificate checked against the fingerprint of its offer, then the SRTP
 * keys exported; the connection is freed right after, which is most of a
 * viewer's memory. Not thread-safe per connection: one thread drives it.
 */
#ifndef SINIAN_DTLS_H
#define SINIAN_DTLS_H

#include "srtpx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DTLS_MTU             1200 /* largest datagram we send */
#define DTLS_FINGERPRINT_LEN 128  /* "sha-256 " + 32 hex pairs, NUL */

struct dtls_ctx;
struct dtls_conn;

/* The SRTP keys of a finished handshake: ours to send with, the peer's to
 * check what it sends. */
struct dtls_keys {
	enum srtpx_suite suite;
	uint8_t local_key[SRTPX_KEY_LEN], local_salt[SRTPX_SALT_CM];
	uint8_t remote_key[SRTPX_KEY_LEN], remote_salt[SRTPX_SALT_CM];
};

enum dtls_state {
	DTLS_HANDSHAKING = 0,
	DTLS_DONE,   /* keys ready (dtls_conn_keys) */
	DTLS_FAILED, /* handshake failed or the fingerprint did not match */
};

/* Called for each datagram to send; buf is valid for the call only. */
typedef void (*dtls_send_fn)(const uint8_t *buf, size_t len, void *user_data);

/* Make the certificate and the SSL context. 0, or ERR_INTERNAL with err. */
int dtls_ctx_new(struct dtls_ctx **out, char *err, size_t errlen);
void dtls_ctx_free(struct dtls_ctx *c);
/* "sha-256 AB:CD:..." of our certificate, for a=fingerprint. Borrowed. */
const char *dtls_ctx_fingerprint(const struct dtls_ctx *c);

/* A server-side handshake with the peer whose offer said remote_fp
 * ("sha-256 AB:CD:..."; sha-1 to sha-512 are known). NULL when out of
 * memory or the fingerprint cannot be read. */
struct dtls_conn *dtls_conn_new(struct dtls_ctx *c, const char *remote_fp);
void dtls_conn_free(struct dtls_conn *d);

/* Feed one datagram from the peer; what the handshake answers goes out
 * through send. Returns the state after it. */
enum dtls_state dtls_conn_feed(struct dtls_conn *d, const uint8_t *buf,
                               size_t len, dtls_send_fn send, void *ud);
/* Retransmit what is due (call every few tens of ms while handshaking).
 * Returns the state. */
enum dtls_state dtls_conn_tick(struct dtls_conn *d, dtls_send_fn send,
                               void *ud);
/* The exported keys once DTLS_DONE; 0 or ERR_INVALID before. */
int dtls_conn_keys(struct dtls_conn *d, struct dtls_keys *out);
/* Why a connection failed (for the log); never NULL. */
const char *dtls_conn_error(const struct dtls_conn *d);

/* RFC 7983: the first byte of a DTLS record is 20..63. True when
 * buf[0..len) is whole DTLS records (13-byte headers, lengths inside the
 * datagram), and *n gets their number. */
bool dtls_records(const uint8_t *buf, size_t len, size_t *n);

#endif
