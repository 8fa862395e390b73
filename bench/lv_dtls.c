/* lv_dtls.c — DTLS-SRTP handshakes of the load client, with OpenSSL 3 over
 * memory BIOs.
 *
 * Owns: the process's certificate and SSL_CTX, and each viewer's SSL
 * until its keys are exported. Must never: accept a certificate whose
 * fingerprint differs from the SDP's, or block. Called by lv_peer.c (one
 * handshake per viewer, on its worker thread) and lviewers.c (the
 * context).
 *
 * Everything OpenSSL writes for one flight is sent as one datagram:
 * DTLS records carry their own length, so a receiver reads several from a
 * datagram; with an ECDSA certificate a flight stays well under 1200 bytes.
 */
#include "lv_dtls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DTLS_MTU   1200
#define SRTP_LABEL "EXTRACTOR-dtls_srtp"

struct lv_dtls_ctx {
	SSL_CTX *ssl;
	char fingerprint[3 * 32];
};

struct lv_dtls {
	SSL *ssl;
	BIO *rbio, *wbio; /* owned by ssl */
	uint8_t fp[32];
	char error[96];
};

/* The peer's certificate is checked against the SDP fingerprint once the
 * handshake is over; any chain is accepted here. */
static int accept_any(int ok, X509_STORE_CTX *store)
{
	return 1;
}

static X509 *self_signed(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name;
	BIGNUM *bn;
	uint8_t serial[8];

	if (!x || RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	X509_set_version(x, 2);
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x))) {
		BN_free(bn);
		goto fail;
	}
	BN_free(bn);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                           (const unsigned char *)"lviewers", -1, -1,
	                           0);
	X509_set_issuer_name(x, name);
	if (!X509_sign(x, key, EVP_sha256()))
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

static void hex_fingerprint(const uint8_t *md, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 3 * i, "%02X%s", md[i], i < 31 ? ":" : "");
}

struct lv_dtls_ctx *lv_dtls_ctx_new(char *err, size_t errlen)
{
	struct lv_dtls_ctx *c = calloc(1, sizeof(*c));
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = key ? self_signed(key) : NULL;
	uint8_t md[32];
	unsigned mdlen = 0;

	if (!c || !cert || !X509_digest(cert, EVP_sha256(), md, &mdlen) ||
	    mdlen != 32 || !(c->ssl = SSL_CTX_new(DTLS_method())))
		goto fail;
	hex_fingerprint(md, c->fingerprint);
	if (SSL_CTX_use_certificate(c->ssl, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(c->ssl, key) != 1 ||
	    SSL_CTX_set_min_proto_version(c->ssl, DTLS1_2_VERSION) != 1 ||
	    /* 0 is success here */
	    SSL_CTX_set_tlsext_use_srtp(
	        c->ssl, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"))
		goto fail;
	SSL_CTX_set_verify(c->ssl,
	                   SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	                   accept_any);
	SSL_CTX_set_options(c->ssl, SSL_OP_NO_QUERY_MTU);
	X509_free(cert);
	EVP_PKEY_free(key);
	return c;
fail:
	snprintf(err, errlen, "DTLS context: %s",
	         ERR_reason_error_string(ERR_get_error())
	             ? ERR_reason_error_string(ERR_get_error())
	             : "OpenSSL failed");
	X509_free(cert);
	EVP_PKEY_free(key);
	lv_dtls_ctx_free(c);
	return NULL;
}

void lv_dtls_ctx_free(struct lv_dtls_ctx *c)
{
	if (!c)
		return;
	SSL_CTX_free(c->ssl);
	free(c);
}

const char *lv_dtls_ctx_fingerprint(const struct lv_dtls_ctx *c)
{
	return c->fingerprint;
}

struct lv_dtls *lv_dtls_new(struct lv_dtls_ctx *c, bool client,
                            const uint8_t fp[32])
{
	struct lv_dtls *d = calloc(1, sizeof(*d));

	if (!d || !(d->ssl = SSL_new(c->ssl)))
		goto fail;
	d->rbio = BIO_new(BIO_s_mem());
	d->wbio = BIO_new(BIO_s_mem());
	if (!d->rbio || !d->wbio) {
		BIO_free(d->rbio);
		BIO_free(d->wbio);
		goto fail;
	}
	BIO_set_mem_eof_return(d->rbio, -1);
	BIO_set_mem_eof_return(d->wbio, -1);
	SSL_set_bio(d->ssl, d->rbio, d->wbio);
	SSL_set_mtu(d->ssl, DTLS_MTU);
	DTLS_set_link_mtu(d->ssl, DTLS_MTU);
	if (client)
		SSL_set_connect_state(d->ssl);
	else
		SSL_set_accept_state(d->ssl);
	memcpy(d->fp, fp, sizeof(d->fp));
	return d;
fail:
	lv_dtls_free(d);
	return NULL;
}

void lv_dtls_free(struct lv_dtls *d)
{
	if (!d)
		return;
	SSL_free(d->ssl);
	free(d);
}

/* Send what OpenSSL wrote as one datagram. */
static void flush(struct lv_dtls *d, lv_dtls_send_fn send, void *user)
{
	char *data;
	long n = BIO_get_mem_data(d->wbio, &data);

	if (n > 0)
		send(user, (const uint8_t *)data, (size_t)n);
	(void)BIO_reset(d->wbio);
}

static bool peer_matches(struct lv_dtls *d)
{
	X509 *peer = SSL_get1_peer_certificate(d->ssl);
	uint8_t md[32];
	unsigned n = 0;
	bool ok = peer && X509_digest(peer, EVP_sha256(), md, &n) && n == 32 &&
	          !memcmp(md, d->fp, 32);

	X509_free(peer);
	return ok;
}

static enum lv_dtls_result step(struct lv_dtls *d, lv_dtls_send_fn send,
                                void *user)
{
	int rc = SSL_do_handshake(d->ssl);

	flush(d, send, user);
	if (rc == 1) {
		if (!SSL_get_selected_srtp_profile(d->ssl)) {
			snprintf(d->error, sizeof(d->error),
			         "no SRTP profile agreed");
			return LV_DTLS_FAILED;
		}
		if (!peer_matches(d)) {
			snprintf(d->error, sizeof(d->error),
			         "certificate does not match the fingerprint");
			return LV_DTLS_FAILED;
		}
		return LV_DTLS_DONE;
	}
	switch (SSL_get_error(d->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE: return LV_DTLS_AGAIN;
	default:
		snprintf(d->error, sizeof(d->error), "handshake: %s",
		         ERR_reason_error_string(ERR_peek_last_error())
		             ? ERR_reason_error_string(ERR_peek_last_error())
		             : "failed");
		ERR_clear_error();
		return LV_DTLS_FAILED;
	}
}

enum lv_dtls_result lv_dtls_start(struct lv_dtls *d, lv_dtls_send_fn send,
                                  void *user)
{
	return step(d, send, user);
}

enum lv_dtls_result lv_dtls_input(struct lv_dtls *d, const uint8_t *buf,
                                  size_t len, lv_dtls_send_fn send, void *user)
{
	if (SSL_is_init_finished(d->ssl))
		return LV_DTLS_AGAIN; /* a late retransmission */
	if (BIO_write(d->rbio, buf, (int)len) != (int)len)
		return LV_DTLS_FAILED;
	return step(d, send, user);
}

void lv_dtls_tick(struct lv_dtls *d, lv_dtls_send_fn send, void *user)
{
	if (!SSL_is_init_finished(d->ssl) && DTLSv1_handle_timeout(d->ssl) > 0)
		flush(d, send, user);
}

const char *lv_dtls_error(const struct lv_dtls *d)
{
	return d->error;
}

int lv_dtls_srtp(struct lv_dtls *d, struct lv_srtp_keys *out)
{
	const SRTP_PROTECTION_PROFILE *p =
	    SSL_get_selected_srtp_profile(d->ssl);
	uint8_t km[2 * (LV_SRTP_KEY + LV_SRTP_SALT)];
	const uint8_t *ck, *sk, *cs, *ss;
	size_t salt;
	int rc = -1;

	if (!p || (p->id != LV_SRTP_GCM && p->id != LV_SRTP_CM80))
		return -1;
	salt = p->id == LV_SRTP_GCM ? 12 : 14;
	if (SSL_export_keying_material(d->ssl, km, 2 * (LV_SRTP_KEY + salt),
	                               SRTP_LABEL, strlen(SRTP_LABEL), NULL, 0,
	                               0) != 1)
		goto out;
	/* client key, server key, client salt, server salt */
	ck = km;
	sk = km + LV_SRTP_KEY;
	cs = km + 2 * LV_SRTP_KEY;
	ss = cs + salt;
	out->profile = (int)p->id;
	out->salt_len = salt;
	if (SSL_is_server(d->ssl)) {
		const uint8_t *t = ck;

		ck = sk, sk = t, t = cs, cs = ss, ss = t;
	}
	/* now ck/cs are this side's, sk/ss the peer's */
	memcpy(out->local, ck, LV_SRTP_KEY);
	memcpy(out->local + LV_SRTP_KEY, cs, salt);
	memcpy(out->remote, sk, LV_SRTP_KEY);
	memcpy(out->remote + LV_SRTP_KEY, ss, salt);
	rc = 0;
out:
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}
