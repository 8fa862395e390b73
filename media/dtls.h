/* dtls.h — DTLS 1.2 for DTLS-SRTP (RFC 5763/5764) on OpenSSL 3, over
 * datagrams the caller carries: no socket, no thread, no timer of its own.
 *
 * One dtls_ctx per process holds the ECDSA P-256 certificate whose sha-256
 * fingerprint goes into every answer, and caps concurrent handshakes. One
 * dtls_conn per viewer: feed it the datagrams that arrive, call
 * dtls_conn_tick() when dtls_conn_timeout_us() says, and it hands the
 * datagrams to send to the send callback. Once connected, the SRTP keys are
 * exported and the SSL may be released to save its ~60 KB.
 *
 * A dtls_ctx may be shared by threads (its counters are atomic); a
 * dtls_conn is used by one thread at a time.
 */
#ifndef SINIAN_DTLS_H
#define SINIAN_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DTLS_FP_LEN 96 /* "XX:" * 32, NUL: sha-256 in colon hex */
#define DTLS_MTU    1200

enum dtls_state {
	DTLS_NEW,         /* no datagram yet */
	DTLS_HANDSHAKING, /* SSL running */
	DTLS_CONNECTED,   /* keys available */
	DTLS_FAILED,      /* handshake failed, fingerprint mismatch, alert */
};

/* The SRTP keying material of a connected conn: local = what this side
 * writes with, remote = what the peer writes with. */
struct dtls_srtp_keys {
	int profile; /* SRTPX_* (DTLS-SRTP profile id) */
	uint8_t local_key[16], local_salt[14];
	uint8_t remote_key[16], remote_salt[14];
};

typedef void (*dtls_send_fn)(void *user, const uint8_t *buf, size_t len);

struct dtls_ctx;
struct dtls_conn;

/* A context with a fresh certificate; max_handshakes (0: 64) caps conns
 * in DTLS_HANDSHAKING at once. 0, ERR_NOMEM or ERR_INTERNAL. */
int dtls_ctx_new(unsigned max_handshakes, struct dtls_ctx **out);
void dtls_ctx_free(struct dtls_ctx *ctx);
/* "AB:CD:..." (sha-256, upper case), borrowed for the ctx's life. */
const char *dtls_ctx_fingerprint(const struct dtls_ctx *ctx);
/* Conns handshaking now. */
unsigned dtls_ctx_handshakes(const struct dtls_ctx *ctx);

/* Could buf be DTLS (RFC 7983: first byte 20..63) with whole records?
 * The UDP mux's check before anything reaches OpenSSL. */
bool dtls_is_record(const uint8_t *buf, size_t len);

/* A conn expecting the peer certificate's fingerprint peer_fp ("sha-256
 * AB:..." as in a=fingerprint; sha-1, sha-224/256/384/512 accepted).
 * server: wait for the ClientHello (setup:passive); else start as a client
 * on the first dtls_conn_tick(). 0, ERR_INVALID (fingerprint) or
 * ERR_NOMEM. The ctx must outlive the conn. */
int dtls_conn_new(struct dtls_ctx *ctx, bool server, const char *peer_fp,
                  dtls_send_fn send, void *user, struct dtls_conn **out);
void dtls_conn_free(struct dtls_conn *c);

/* One datagram from the peer. Returns the state after it. A datagram that
 * arrives while the ctx is at its handshake cap is dropped (the peer
 * retransmits); one arriving after dtls_conn_release() is ignored. */
enum dtls_state dtls_conn_input(struct dtls_conn *c, const uint8_t *buf,
                                size_t len);
/* Retransmit or start as due at now_us (monotonic µs). */
enum dtls_state dtls_conn_tick(struct dtls_conn *c, int64_t now_us);
/* When dtls_conn_tick() is next due (monotonic µs), or -1 for never. */
int64_t dtls_conn_timeout_us(const struct dtls_conn *c);
enum dtls_state dtls_conn_state(const struct dtls_conn *c);
/* Keys of a connected conn. 0 or ERR_CONFLICT (not connected). */
int dtls_conn_keys(const struct dtls_conn *c, struct dtls_srtp_keys *out);
/* Free the SSL of a connected conn; keys and state stay. */
void dtls_conn_release(struct dtls_conn *c);

#endif
