/* test_dtls.c — the viewer engine's DTLS-SRTP server against a DTLS client
 * written here with OpenSSL, as a browser would act: the handshake
 * completes in datagrams of at most DTLS_MTU, AEAD_AES_128_GCM is chosen
 * when offered (AES-CM otherwise), both sides export the same keys and
 * SRTP protected with ours opens with theirs; a certificate that does not
 * match the offer, or none, fails; a lost flight is sent again. */
#include "dtls.h"
#include "err.h"
#include "srtpx.h"

#include <check.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct client {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio, *wbio;
	char fp[DTLS_FINGERPRINT_LEN];
	int dropped;    /* server datagrams to drop */
	size_t biggest; /* largest server datagram */
	int datagrams;
};

static void client_init(struct client *c, const char *profiles, bool cert)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	size_t off;

	memset(c, 0, sizeof(*c));
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	                           (const unsigned char *)"browser", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	ck_assert(X509_sign(x, key, EVP_sha256()));
	X509_digest(x, EVP_sha256(), md, &n);
	off = (size_t)snprintf(c->fp, sizeof(c->fp), "sha-256 ");
	for (unsigned i = 0; i < n; i++)
		off += (size_t)snprintf(c->fp + off, sizeof(c->fp) - off,
		                        "%s%02x", i ? ":" : "", md[i]);
	c->ctx = SSL_CTX_new(DTLS_client_method());
	if (cert) {
		SSL_CTX_use_certificate(c->ctx, x);
		SSL_CTX_use_PrivateKey(c->ctx, key);
	}
	ck_assert_int_eq(SSL_CTX_set_tlsext_use_srtp(c->ctx, profiles), 0);
	c->ssl = SSL_new(c->ctx);
	c->rbio = BIO_new(BIO_s_mem());
	c->wbio = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(c->rbio, -1);
	SSL_set_bio(c->ssl, c->rbio, c->wbio);
	SSL_set_connect_state(c->ssl);
	X509_free(x);
	EVP_PKEY_free(key);
}

static void client_free(struct client *c)
{
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
}

/* The server's datagrams land in the client's read BIO (or are lost). */
static void to_client(const uint8_t *buf, size_t len, void *ud)
{
	struct client *c = ud;

	c->datagrams++;
	if (len > c->biggest)
		c->biggest = len;
	if (c->dropped > 0) {
		c->dropped--;
		return;
	}
	BIO_write(c->rbio, buf, (int)len);
}

/* Run the handshake until both sides stop, at most rounds times. */
static enum dtls_state run(struct client *c, struct dtls_conn *d, int rounds)
{
	enum dtls_state st = DTLS_HANDSHAKING;
	uint8_t buf[16384];

	for (int i = 0; i < rounds && st == DTLS_HANDSHAKING; i++) {
		int n;

		SSL_do_handshake(c->ssl);
		while ((n = BIO_read(c->wbio, buf, sizeof(buf))) > 0)
			st = dtls_conn_feed(d, buf, (size_t)n, to_client, c);
		if (st == DTLS_HANDSHAKING) {
			usleep(20000);
			st = dtls_conn_tick(d, to_client, c);
		}
	}
	SSL_do_handshake(c->ssl); /* reads the server's last flight */
	return st;
}

static void handshake(const char *profiles, enum srtpx_suite want)
{
	struct dtls_ctx *ctx;
	struct dtls_conn *d;
	struct dtls_keys k;
	struct client c;
	uint8_t km[60], pkt[128] = {0x80, 0x60, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4};
	size_t sl, len = 40;
	struct srtpx tx, rx;
	char err[128];

	ck_assert_int_eq(dtls_ctx_new(&ctx, err, sizeof(err)), 0);
	ck_assert(strncmp(dtls_ctx_fingerprint(ctx), "sha-256 ", 8) == 0);
	ck_assert_uint_eq(strlen(dtls_ctx_fingerprint(ctx)), 8 + 32 * 3 - 1);
	client_init(&c, profiles, true);
	d = dtls_conn_new(ctx, c.fp);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(dtls_conn_keys(d, &k), ERR_INVALID);
	ck_assert_int_eq(run(&c, d, 50), DTLS_DONE);
	ck_assert_int_eq(SSL_is_init_finished(c.ssl), 1);
	ck_assert_uint_le(c.biggest, DTLS_MTU);
	ck_assert_int_eq(dtls_conn_keys(d, &k), 0);
	ck_assert_int_eq(k.suite, want);
	/* the client's view: client key, server key, client salt, server
	 * salt */
	sl = srtpx_salt_len(want);
	ck_assert(SSL_export_keying_material(
	    c.ssl, km, 2 * (16 + sl), "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0));
	ck_assert(memcmp(k.remote_key, km, 16) == 0);
	ck_assert(memcmp(k.local_key, km + 16, 16) == 0);
	ck_assert(memcmp(k.remote_salt, km + 32, sl) == 0);
	ck_assert(memcmp(k.local_salt, km + 32 + sl, sl) == 0);
	/* what we protect, the browser opens with the server's keys */
	ck_assert_int_eq(srtpx_init(&tx, k.suite, k.local_key, k.local_salt),
	                 0);
	ck_assert_int_eq(srtpx_init(&rx, k.suite, km + 16, km + 32 + sl), 0);
	ck_assert_int_eq(srtpx_protect_rtp(&tx, pkt, &len, sizeof(pkt), 0), 0);
	ck_assert_int_eq(srtpx_unprotect_rtp(&rx, pkt, &len, 0), 0);
	ck_assert_uint_eq(len, 40);
	srtpx_clear(&tx);
	srtpx_clear(&rx);
	dtls_conn_free(d);
	client_free(&c);
	dtls_ctx_free(ctx);
}

START_TEST(gcm_when_offered)
{
	handshake("SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM",
	          SRTPX_AEAD_AES_128_GCM);
}
END_TEST

START_TEST(aes_cm_otherwise)
{
	handshake("SRTP_AES128_CM_SHA1_80", SRTPX_AES_CM_128_HMAC_SHA1_80);
}
END_TEST

START_TEST(wrong_fingerprint_fails)
{
	struct dtls_ctx *ctx;
	struct dtls_conn *d;
	struct client c;
	char err[128], fp[DTLS_FINGERPRINT_LEN];

	ck_assert_int_eq(dtls_ctx_new(&ctx, err, sizeof(err)), 0);
	client_init(&c, "SRTP_AEAD_AES_128_GCM", true);
	memcpy(fp, c.fp, sizeof(fp));
	fp[9] = fp[9] == '0' ? '1' : '0'; /* a hex digit changed */
	d = dtls_conn_new(ctx, fp);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(run(&c, d, 50), DTLS_FAILED);
	ck_assert_ptr_nonnull(strstr(dtls_conn_error(d), "fingerprint"));
	dtls_conn_free(d);
	client_free(&c);
	/* fingerprints that cannot be read */
	ck_assert_ptr_null(dtls_conn_new(ctx, "md5 AB:CD"));
	ck_assert_ptr_null(dtls_conn_new(ctx, "sha-256 AB:CD"));
	ck_assert_ptr_null(dtls_conn_new(ctx, NULL));
	dtls_ctx_free(ctx);
}
END_TEST

START_TEST(client_without_certificate_fails)
{
	struct dtls_ctx *ctx;
	struct dtls_conn *d;
	struct client c;
	char err[128];

	ck_assert_int_eq(dtls_ctx_new(&ctx, err, sizeof(err)), 0);
	client_init(&c, "SRTP_AEAD_AES_128_GCM", false);
	d = dtls_conn_new(ctx, c.fp);
	ck_assert_int_eq(run(&c, d, 50), DTLS_FAILED);
	dtls_conn_free(d);
	client_free(&c);
	dtls_ctx_free(ctx);
}
END_TEST

START_TEST(lost_flight_is_sent_again)
{
	struct dtls_ctx *ctx;
	struct dtls_conn *d;
	struct client c;
	char err[128];
	int sent;

	ck_assert_int_eq(dtls_ctx_new(&ctx, err, sizeof(err)), 0);
	client_init(&c, "SRTP_AEAD_AES_128_GCM", true);
	c.dropped = 1; /* the server's first flight is lost */
	d = dtls_conn_new(ctx, c.fp);
	ck_assert_int_eq(run(&c, d, 100), DTLS_DONE);
	sent = c.datagrams;
	ck_assert_int_ge(sent, 3); /* the first flight twice, then the last */
	dtls_conn_free(d);
	client_free(&c);
	dtls_ctx_free(ctx);
}
END_TEST

START_TEST(record_framing)
{
	uint8_t rec[40] = {22, 0xfe, 0xfd};
	size_t n = 0;

	rec[12] = 10; /* 13 + 10 */
	ck_assert(dtls_records(rec, 23, &n));
	ck_assert_uint_eq(n, 1);
	memcpy(rec + 23, rec, 13); /* a second, empty-bodied record */
	rec[23 + 12] = 0;
	ck_assert(dtls_records(rec, 36, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert(!dtls_records(rec, 22, &n)); /* cut short */
	ck_assert(!dtls_records(rec, 30, &n)); /* partial header */
	rec[0] = 0x80;                         /* RTP, not DTLS */
	ck_assert(!dtls_records(rec, 23, &n));
	ck_assert(!dtls_records(rec, 0, &n));
}
END_TEST

static Suite *dtls_suite(void)
{
	Suite *s = suite_create("dtls");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, gcm_when_offered);
	tcase_add_test(tc, aes_cm_otherwise);
	tcase_add_test(tc, wrong_fingerprint_fails);
	tcase_add_test(tc, client_without_certificate_fails);
	tcase_add_test(tc, lost_flight_is_sent_again);
	tcase_add_test(tc, record_framing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dtls_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
