/* dtls.c — DTLS-SRTP handshakes on OpenSSL 3 without sockets.
 *
 * Owns: the process certificate (ECDSA P-256, self-signed) and its
 * fingerprint, the SSL_CTX, a BIO method that hands each datagram OpenSSL
 * writes to the conn's send callback (a memory BIO would merge a flight
 * into one datagram past the MTU), the handshake cap, and per conn the
 * SSL, its retransmission timer, the peer fingerprint check and the SRTP
 * key export. Must never: block, open a socket, accept a peer whose
 * certificate does not match the offer, or hold a handshake slot after
 * the handshake ended. Called by the lite engine's UDP mux, tests and
 * benches.
 */
#include "dtls.h"

#include "be.h"
#include "err.h"
#include "srtpx.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SRTP_PROFILES "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"
#define CIPHERS                                                                \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"         \
	"ECDHE-ECDSA-CHACHA20-POLY1305"
#define EXPORTER_LABEL "EXTRACTOR-dtls_srtp"
#define TIMER_FIRST_US 200000u
#define TIMER_MAX_US   4000000u

struct dtls_ctx {
	SSL_CTX *ssl_ctx;
	BIO_METHOD *out_method;
	char fp[DTLS_FP_LEN];
	unsigned max_handshakes;
	atomic_uint handshakes;
};

struct dtls_conn {
	struct dtls_ctx *ctx;
	SSL *ssl;
	bool server, holds_slot;
	enum dtls_state state;
	const EVP_MD *fp_md;
	uint8_t fp[EVP_MAX_MD_SIZE];
	unsigned fp_len;
	dtls_send_fn send;
	void *user;
	int64_t due_us;
	struct dtls_srtp_keys keys;
};

static int out_write(BIO *b, const char *data, int len)
{
	struct dtls_conn *c = BIO_get_data(b);

	if (len > 0 && c)
		c->send(c->user, (const uint8_t *)data, (size_t)len);
	return len;
}

static long out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_CTRL_FLUSH: return 1;
	case BIO_CTRL_DGRAM_QUERY_MTU: return DTLS_MTU;
	default: return 0; /* pending counts, peer address: none */
	}
}

static int out_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int accept_any(int ok, X509_STORE_CTX *store)
{
	return 1; /* the fingerprint is checked when the handshake ends */
}

static int make_cert(SSL_CTX *sc, char fp[DTLS_FP_LEN])
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	uint32_t serial = 0;
	int rc = ERR_INTERNAL;

	if (!pk || !x)
		goto out_free;
	RAND_bytes((unsigned char *)&serial, sizeof(serial));
	name = X509_get_subject_name(x);
	if (!X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), serial >> 1) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -86400) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400) ||
	    !X509_set_pubkey(x, pk) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                (const unsigned char *)"sinian", -1, -1,
	                                0) ||
	    !X509_set_issuer_name(x, name) || !X509_sign(x, pk, EVP_sha256()) ||
	    !X509_digest(x, EVP_sha256(), md, &mdlen) ||
	    SSL_CTX_use_certificate(sc, x) != 1 ||
	    SSL_CTX_use_PrivateKey(sc, pk) != 1)
		goto out_free;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(fp + 3 * i, DTLS_FP_LEN - 3 * i, "%02X%s", md[i],
		         i + 1 < mdlen ? ":" : "");
	rc = 0;
out_free:
	X509_free(x);
	EVP_PKEY_free(pk);
	return rc;
}

static int setup_ssl_ctx(struct dtls_ctx *ctx)
{
	SSL_CTX *sc = SSL_CTX_new(DTLS_method());

	if (!sc)
		return ERR_NOMEM;
	ctx->ssl_ctx = sc;
	if (!SSL_CTX_set_min_proto_version(sc, DTLS1_2_VERSION) ||
	    make_cert(sc, ctx->fp) != 0 ||
	    SSL_CTX_set_cipher_list(sc, CIPHERS) != 1 ||
	    SSL_CTX_set_tlsext_use_srtp(sc, SRTP_PROFILES) != 0)
		return ERR_INTERNAL;
	SSL_CTX_set_verify(
	    sc, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
	SSL_CTX_set_options(sc, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_read_ahead(sc, 1);
	return 0;
}

int dtls_ctx_new(unsigned max_handshakes, struct dtls_ctx **out)
{
	struct dtls_ctx *ctx = calloc(1, sizeof(*ctx));
	int rc;

	*out = NULL;
	if (!ctx)
		return ERR_NOMEM;
	ctx->max_handshakes = max_handshakes ? max_handshakes : 64;
	atomic_init(&ctx->handshakes, 0);
	rc = setup_ssl_ctx(ctx);
	if (!rc) {
		ctx->out_method = BIO_meth_new(
		    BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sinian-dtls");
		if (!ctx->out_method ||
		    !BIO_meth_set_write(ctx->out_method, out_write) ||
		    !BIO_meth_set_ctrl(ctx->out_method, out_ctrl) ||
		    !BIO_meth_set_create(ctx->out_method, out_create))
			rc = ERR_NOMEM;
	}
	if (rc) {
		ERR_clear_error();
		dtls_ctx_free(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

void dtls_ctx_free(struct dtls_ctx *ctx)
{
	if (!ctx)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	BIO_meth_free(ctx->out_method);
	free(ctx);
}

const char *dtls_ctx_fingerprint(const struct dtls_ctx *ctx)
{
	return ctx->fp;
}

unsigned dtls_ctx_handshakes(const struct dtls_ctx *ctx)
{
	return atomic_load(&((struct dtls_ctx *)ctx)->handshakes);
}

bool dtls_is_record(const uint8_t *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return false;
	while (off < len) {
		size_t n;

		if (len - off < 13 || buf[off] < 20 || buf[off] > 63 ||
		    buf[off + 1] != 0xfe)
			return false;
		n = be_rd16(buf + off + 11);
		if (n > len - off - 13)
			return false;
		off += 13 + n;
	}
	return true;
}

static const EVP_MD *fp_digest(const char *name, size_t n)
{
	static const struct {
		const char *name;
		const EVP_MD *(*md)(void);
	} mds[] = {{"sha-1", EVP_sha1},
	           {"sha-224", EVP_sha224},
	           {"sha-256", EVP_sha256},
	           {"sha-384", EVP_sha384},
	           {"sha-512", EVP_sha512}};

	for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++)
		if (strlen(mds[i].name) == n &&
		    strncasecmp(mds[i].name, name, n) == 0)
			return mds[i].md();
	return NULL;
}

/* "sha-256 AB:CD:..." into c->fp_md / fp / fp_len. */
static int parse_fp(struct dtls_conn *c, const char *s)
{
	const char *sp = strchr(s, ' ');
	size_t want;

	if (!sp)
		return ERR_INVALID;
	c->fp_md = fp_digest(s, (size_t)(sp - s));
	if (!c->fp_md)
		return ERR_INVALID;
	want = (size_t)EVP_MD_get_size(c->fp_md);
	for (s = sp + 1; c->fp_len < want; s += 3) {
		unsigned v;

		if (sscanf(s, "%2x", &v) != 1 || !s[0] || !s[1] ||
		    (c->fp_len + 1 < want && s[2] != ':'))
			return ERR_INVALID;
		c->fp[c->fp_len++] = (uint8_t)v;
	}
	return s[-1] == '\0' ? 0 : ERR_INVALID;
}

int dtls_conn_new(struct dtls_ctx *ctx, bool server, const char *peer_fp,
                  dtls_send_fn send, void *user, struct dtls_conn **out)
{
	struct dtls_conn *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return ERR_NOMEM;
	c->ctx = ctx;
	c->server = server;
	c->send = send;
	c->user = user;
	c->due_us = server ? -1 : 0;
	if (parse_fp(c, peer_fp) != 0) {
		free(c);
		return ERR_INVALID;
	}
	*out = c;
	return 0;
}

static void drop_slot(struct dtls_conn *c)
{
	if (c->holds_slot) {
		atomic_fetch_sub(&c->ctx->handshakes, 1);
		c->holds_slot = false;
	}
}

void dtls_conn_release(struct dtls_conn *c)
{
	if (c->ssl) {
		BIO *wb = SSL_get_wbio(c->ssl);

		if (wb)
			BIO_set_data(wb, NULL);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	drop_slot(c);
}

void dtls_conn_free(struct dtls_conn *c)
{
	if (!c)
		return;
	dtls_conn_release(c);
	OPENSSL_cleanse(&c->keys, sizeof(c->keys));
	free(c);
}

static unsigned timer_cb(SSL *ssl, unsigned timer_us)
{
	if (timer_us == 0)
		return TIMER_FIRST_US;
	return timer_us >= TIMER_MAX_US / 2 ? TIMER_MAX_US : 2 * timer_us;
}

/* Take a handshake slot and create the SSL. 0 or ERR_FULL/ERR_NOMEM. */
static int start_ssl(struct dtls_conn *c)
{
	unsigned n = atomic_fetch_add(&c->ctx->handshakes, 1);
	BIO *rb, *wb;

	c->holds_slot = true;
	if (n >= c->ctx->max_handshakes) {
		drop_slot(c);
		return ERR_FULL;
	}
	c->ssl = SSL_new(c->ctx->ssl_ctx);
	rb = BIO_new(BIO_s_mem());
	wb = BIO_new(c->ctx->out_method);
	if (!c->ssl || !rb || !wb) {
		BIO_free(rb);
		BIO_free(wb);
		dtls_conn_release(c);
		return ERR_NOMEM;
	}
	BIO_set_mem_eof_return(rb, -1);
	BIO_set_data(wb, c);
	SSL_set_bio(c->ssl, rb, wb);
	SSL_set_mtu(c->ssl, DTLS_MTU);
	DTLS_set_link_mtu(c->ssl, DTLS_MTU);
	DTLS_set_timer_cb(c->ssl, timer_cb);
	if (c->server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	c->state = DTLS_HANDSHAKING;
	return 0;
}

static void fail(struct dtls_conn *c)
{
	c->state = DTLS_FAILED;
	c->due_us = -1;
	ERR_clear_error();
	dtls_conn_release(c);
}

/* Check the peer's certificate and export the SRTP keys. */
static int finish(struct dtls_conn *c)
{
	X509 *peer = SSL_get1_peer_certificate(c->ssl);
	const SRTP_PROTECTION_PROFILE *prof =
	    SSL_get_selected_srtp_profile(c->ssl);
	uint8_t md[EVP_MAX_MD_SIZE], m[2 * (16 + 14)];
	unsigned mdlen = 0;
	size_t sl;
	int ok;

	ok = peer && X509_digest(peer, c->fp_md, md, &mdlen) &&
	     mdlen == c->fp_len && CRYPTO_memcmp(md, c->fp, mdlen) == 0;
	X509_free(peer);
	sl = prof ? srtpx_salt_len((int)prof->id) : 0;
	if (!ok || !sl ||
	    SSL_export_keying_material(c->ssl, m, 2 * (16 + sl), EXPORTER_LABEL,
	                               strlen(EXPORTER_LABEL), NULL, 0, 0) != 1)
		return ERR_UNAUTHORIZED;
	/* client key, server key, client salt, server salt */
	c->keys.profile = (int)prof->id;
	memcpy(c->server ? c->keys.remote_key : c->keys.local_key, m, 16);
	memcpy(c->server ? c->keys.local_key : c->keys.remote_key, m + 16, 16);
	memcpy(c->server ? c->keys.remote_salt : c->keys.local_salt, m + 32,
	       sl);
	memcpy(c->server ? c->keys.local_salt : c->keys.remote_salt,
	       m + 32 + sl, sl);
	OPENSSL_cleanse(m, sizeof(m));
	return 0;
}

static void set_due(struct dtls_conn *c, int64_t now_us)
{
	struct timeval tv;

	if (c->state == DTLS_HANDSHAKING && DTLSv1_get_timeout(c->ssl, &tv))
		c->due_us = now_us + (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	else
		c->due_us = -1;
}

static enum dtls_state drive(struct dtls_conn *c, int64_t now_us)
{
	int r = SSL_do_handshake(c->ssl);

	if (r == 1) {
		drop_slot(c);
		if (finish(c) != 0) {
			fail(c);
			return c->state;
		}
		c->state = DTLS_CONNECTED;
	} else {
		int e = SSL_get_error(c->ssl, r);

		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			fail(c);
			return c->state;
		}
	}
	set_due(c, now_us);
	return c->state;
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* After the handshake: alerts (close_notify) end the conn; data is not
 * expected and dropped. */
static enum dtls_state read_after(struct dtls_conn *c)
{
	uint8_t buf[256];
	int r = SSL_read(c->ssl, buf, sizeof(buf));

	if (r <= 0) {
		int e = SSL_get_error(c->ssl, r);

		if (e == SSL_ERROR_ZERO_RETURN ||
		    (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE))
			fail(c);
	}
	return c->state;
}

enum dtls_state dtls_conn_input(struct dtls_conn *c, const uint8_t *buf,
                                size_t len)
{
	if (c->state == DTLS_FAILED || !dtls_is_record(buf, len))
		return c->state;
	if (c->state == DTLS_NEW) {
		if (!c->server || start_ssl(c) != 0)
			return c->state;
	}
	if (!c->ssl)
		return c->state; /* released after the keys */
	if (BIO_write(SSL_get_rbio(c->ssl), buf, (int)len) != (int)len) {
		fail(c);
		return c->state;
	}
	if (c->state == DTLS_CONNECTED)
		return read_after(c);
	return drive(c, mono_us());
}

enum dtls_state dtls_conn_tick(struct dtls_conn *c, int64_t now_us)
{
	if (c->due_us < 0 || now_us < c->due_us)
		return c->state;
	if (c->state == DTLS_NEW) {
		if (start_ssl(c) != 0) {
			c->due_us = now_us + TIMER_FIRST_US; /* cap: later */
			return c->state;
		}
		return drive(c, now_us);
	}
	if (c->state != DTLS_HANDSHAKING)
		return c->state;
	if (DTLSv1_handle_timeout(c->ssl) < 0) {
		fail(c);
		return c->state;
	}
	set_due(c, now_us);
	return c->state;
}

int64_t dtls_conn_timeout_us(const struct dtls_conn *c)
{
	return c->due_us;
}

enum dtls_state dtls_conn_state(const struct dtls_conn *c)
{
	return c->state;
}

int dtls_conn_keys(const struct dtls_conn *c, struct dtls_srtp_keys *out)
{
	if (c->state != DTLS_CONNECTED)
		return ERR_CONFLICT;
	*out = c->keys;
	return 0;
}
