/* dtls.c — DTLS-SRTP handshakes with OpenSSL 3 over memory BIOs.
 *
 * Owns: the process certificate (ECDSA P-256, made at start-up, 30 days),
 * the SSL_CTX (DTLS 1.2, use_srtp AEAD_AES_128_GCM then AES128_CM_SHA1_80,
 * the peer's certificate required), and per connection the SSL, its BIOs,
 * the cutting of what OpenSSL writes into datagrams of at most DTLS_MTU,
 * the fingerprint check and the key export. Must never: send a datagram
 * itself, accept a peer whose certificate does not match its offer, or
 * block. Called by the viewer engine's UDP mux thread.
 */
#include "dtls.h"

#include "err.h"

#include <ctype.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RECORD_HEADER 13
#define OUT_BUF       16384
#define CERT_DAYS     30

struct dtls_ctx {
	SSL_CTX *ssl;
	char fingerprint[DTLS_FINGERPRINT_LEN];
};

struct dtls_conn {
	SSL *ssl;
	BIO *rbio, *wbio; /* owned by ssl */
	enum dtls_state state;
	const EVP_MD *peer_md;
	uint8_t peer_fp[EVP_MAX_MD_SIZE];
	unsigned peer_fp_len;
	char error[96];
};

/* "sha-256" → the digest, or NULL. */
static const EVP_MD *fp_md(const char *name, size_t n)
{
	static const struct {
		const char *name;
		const EVP_MD *(*md)(void);
	} mds[] = {
	    {"sha-1", EVP_sha1},     {"sha-224", EVP_sha224},
	    {"sha-256", EVP_sha256}, {"sha-384", EVP_sha384},
	    {"sha-512", EVP_sha512},
	};

	for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++)
		if (strlen(mds[i].name) == n &&
		    !strncasecmp(mds[i].name, name, n))
			return mds[i].md();
	return NULL;
}

static void fp_text(const uint8_t *md, unsigned n, char *out, size_t cap)
{
	size_t off = (size_t)snprintf(out, cap, "sha-256 ");

	for (unsigned i = 0; i < n && off + 3 < cap; i++)
		off += (size_t)snprintf(out + off, cap - off, "%s%02X",
		                        i ? ":" : "", md[i]);
}

static X509 *self_signed(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name;
	uint64_t serial;

	if (!x)
		return NULL;
	RAND_bytes((unsigned char *)&serial, sizeof(serial));
	name = X509_get_subject_name(x);
	if (!X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial >> 1) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -86400) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), (long)CERT_DAYS * 86400) ||
	    !X509_set_pubkey(x, key) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                (const unsigned char *)"sinian", -1, -1,
	                                0) ||
	    !X509_set_issuer_name(x, name) ||
	    !X509_sign(x, key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Self-signed certificates are the rule in WebRTC: the fingerprint in
 * the offer is what is checked, after the handshake. */
static int accept_any(int ok, X509_STORE_CTX *store)
{
	return 1;
}

/* Retransmission: 100 ms, doubling, at most 4 s (OpenSSL's default
 * starts at 1 s, long for a viewer waiting for a picture). */
static unsigned int timer_cb(SSL *s, unsigned int prev_us)
{
	return prev_us == 0         ? 100000
	       : prev_us >= 2000000 ? 4000000
	                            : 2 * prev_us;
}

int dtls_ctx_new(struct dtls_ctx **out, char *err, size_t errlen)
{
	struct dtls_ctx *c = calloc(1, sizeof(*c));
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	*out = NULL;
	if (!c || !(key = EVP_EC_gen("P-256")) || !(cert = self_signed(key)) ||
	    !X509_digest(cert, EVP_sha256(), md, &mdlen) ||
	    !(c->ssl = SSL_CTX_new(DTLS_server_method())) ||
	    !SSL_CTX_use_certificate(c->ssl, cert) ||
	    !SSL_CTX_use_PrivateKey(c->ssl, key) ||
	    !SSL_CTX_check_private_key(c->ssl) ||
	    !SSL_CTX_set_min_proto_version(c->ssl, DTLS1_2_VERSION) ||
	    SSL_CTX_set_tlsext_use_srtp(
	        c->ssl, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80") != 0) {
		snprintf(err, errlen, "cannot set up DTLS: %s",
		         ERR_reason_error_string(ERR_get_error()));
		X509_free(cert);
		EVP_PKEY_free(key);
		dtls_ctx_free(c);
		return ERR_INTERNAL;
	}
	SSL_CTX_set_verify(c->ssl,
	                   SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	                   accept_any);
	SSL_CTX_set_read_ahead(c->ssl, 1);
	fp_text(md, mdlen, c->fingerprint, sizeof(c->fingerprint));
	X509_free(cert);
	EVP_PKEY_free(key);
	*out = c;
	return 0;
}

void dtls_ctx_free(struct dtls_ctx *c)
{
	if (!c)
		return;
	SSL_CTX_free(c->ssl);
	free(c);
}

const char *dtls_ctx_fingerprint(const struct dtls_ctx *c)
{
	return c->fingerprint;
}

/* "sha-256 AB:CD:..." → digest and bytes. */
static bool read_fingerprint(const char *fp, struct dtls_conn *d)
{
	const char *sp = strchr(fp, ' '), *p;

	if (!sp || !(d->peer_md = fp_md(fp, (size_t)(sp - fp))))
		return false;
	for (p = sp + 1; *p && d->peer_fp_len < sizeof(d->peer_fp);) {
		unsigned v;

		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]) || sscanf(p, "%2x", &v) != 1)
			return false;
		d->peer_fp[d->peer_fp_len++] = (uint8_t)v;
		p += 2;
		if (*p == ':')
			p++;
		else if (*p)
			return false;
	}
	return !*p && d->peer_fp_len == (unsigned)EVP_MD_get_size(d->peer_md);
}

struct dtls_conn *dtls_conn_new(struct dtls_ctx *c, const char *remote_fp)
{
	struct dtls_conn *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (!remote_fp || !read_fingerprint(remote_fp, d) ||
	    !(d->ssl = SSL_new(c->ssl)) || !(d->rbio = BIO_new(BIO_s_mem())) ||
	    !(d->wbio = BIO_new(BIO_s_mem()))) {
		if (d->ssl) {
			BIO_free(d->rbio);
			BIO_free(d->wbio);
			SSL_free(d->ssl);
		}
		free(d);
		return NULL;
	}
	BIO_set_mem_eof_return(d->rbio, -1);
	SSL_set_bio(d->ssl, d->rbio, d->wbio);
	SSL_set_options(d->ssl, SSL_OP_NO_QUERY_MTU);
	DTLS_set_link_mtu(d->ssl, DTLS_MTU);
	DTLS_set_timer_cb(d->ssl, timer_cb);
	SSL_set_accept_state(d->ssl);
	return d;
}

void dtls_conn_free(struct dtls_conn *d)
{
	if (!d)
		return;
	SSL_free(d->ssl); /* frees the BIOs */
	free(d);
}

bool dtls_records(const uint8_t *buf, size_t len, size_t *n)
{
	size_t off = 0, count = 0;

	while (off < len) {
		size_t rl;

		if (len - off < RECORD_HEADER || buf[off] < 20 || buf[off] > 63)
			return false;
		rl = (size_t)(buf[off + 11] << 8 | buf[off + 12]);
		if (rl > len - off - RECORD_HEADER)
			return false;
		off += RECORD_HEADER + rl;
		count++;
	}
	*n = count;
	return count > 0;
}

/* Send what OpenSSL wrote, whole records packed into datagrams. */
static void flush(struct dtls_conn *d, dtls_send_fn send, void *ud)
{
	uint8_t buf[OUT_BUF];
	int n;

	while ((n = BIO_read(d->wbio, buf, sizeof(buf))) > 0) {
		size_t off = 0, start = 0;

		while (off < (size_t)n) {
			size_t rl;

			if ((size_t)n - off < RECORD_HEADER)
				break;
			rl = RECORD_HEADER +
			     (size_t)(buf[off + 11] << 8 | buf[off + 12]);
			if (rl > (size_t)n - off)
				break;
			if (off + rl - start > DTLS_MTU && off > start) {
				send(buf + start, off - start, ud);
				start = off;
			}
			off += rl;
		}
		if (off > start)
			send(buf + start, off - start, ud);
	}
}

static void fail(struct dtls_conn *d, const char *why)
{
	unsigned long e = ERR_get_error();

	d->state = DTLS_FAILED;
	snprintf(d->error, sizeof(d->error), "%s%s%s", why, e ? ": " : "",
	         e ? ERR_reason_error_string(e) : "");
	ERR_clear_error();
}

/* The handshake is over: is the peer who its offer said? */
static void finish(struct dtls_conn *d)
{
	X509 *peer = SSL_get1_peer_certificate(d->ssl);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (!peer || !X509_digest(peer, d->peer_md, md, &n) ||
	    n != d->peer_fp_len || memcmp(md, d->peer_fp, n) != 0)
		fail(d,
		     "the certificate does not match the offer's fingerprint");
	else if (!SSL_get_selected_srtp_profile(d->ssl))
		fail(d, "no SRTP profile agreed");
	else
		d->state = DTLS_DONE;
	X509_free(peer);
}

enum dtls_state dtls_conn_feed(struct dtls_conn *d, const uint8_t *buf,
                               size_t len, dtls_send_fn send, void *ud)
{
	int r;

	if (d->state != DTLS_HANDSHAKING)
		return d->state;
	if (BIO_write(d->rbio, buf, (int)len) != (int)len) {
		fail(d, "cannot buffer the datagram");
		return d->state;
	}
	r = SSL_do_handshake(d->ssl);
	flush(d, send, ud);
	if (r == 1)
		finish(d);
	else if (SSL_get_error(d->ssl, r) != SSL_ERROR_WANT_READ)
		fail(d, "handshake failed");
	return d->state;
}

enum dtls_state dtls_conn_tick(struct dtls_conn *d, dtls_send_fn send, void *ud)
{
	struct timeval tv;

	if (d->state == DTLS_HANDSHAKING &&
	    DTLSv1_get_timeout(d->ssl, &tv) == 1 && tv.tv_sec == 0 &&
	    tv.tv_usec == 0) {
		if (DTLSv1_handle_timeout(d->ssl) < 0)
			fail(d, "retransmission limit reached");
		flush(d, send, ud);
	}
	return d->state;
}

int dtls_conn_keys(struct dtls_conn *d, struct dtls_keys *out)
{
	const SRTP_PROTECTION_PROFILE *p;
	uint8_t km[2 * (SRTPX_KEY_LEN + SRTPX_SALT_CM)];
	size_t sl;

	if (d->state != DTLS_DONE ||
	    !(p = SSL_get_selected_srtp_profile(d->ssl)))
		return ERR_INVALID;
	memset(out, 0, sizeof(*out));
	out->suite = (enum srtpx_suite)p->id;
	sl = srtpx_salt_len(out->suite);
	if (!sl ||
	    !SSL_export_keying_material(d->ssl, km, 2 * (SRTPX_KEY_LEN + sl),
	                                "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0))
		return ERR_INVALID;
	/* client key, server key, client salt, server salt; we serve */
	memcpy(out->remote_key, km, SRTPX_KEY_LEN);
	memcpy(out->local_key, km + SRTPX_KEY_LEN, SRTPX_KEY_LEN);
	memcpy(out->remote_salt, km + 2 * SRTPX_KEY_LEN, sl);
	memcpy(out->local_salt, km + 2 * SRTPX_KEY_LEN + sl, sl);
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}

const char *dtls_conn_error(const struct dtls_conn *d)
{
	return d->error[0] ? d->error : "no error";
}
