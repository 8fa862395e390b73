/* srtpx.c — SRTP/SRTCP with OpenSSL: key derivation (the AES-CM PRF of RFC
 * 3711 4.3, kdr 0), AES-128 counter mode with HMAC-SHA1-80, and AES-128-GCM
 * (RFC 7714).
 *
 * Owns: session keys and their cipher contexts. Must never: allocate or log
 * per packet, read past a packet, or leave keys in freed memory. Called by
 * the viewer engine's workers (protect) and its UDP mux (unprotect RTCP),
 * and by tests and the bench client.
 *
 * HMAC-SHA1 runs on SHA_CTX states with the key's inner and outer pads
 * absorbed once: copying such a state is a struct copy, where copying an
 * EVP digest context allocates in OpenSSL 3. That needs the low-level SHA1
 * calls, which OpenSSL 3 marks deprecated but keeps.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "srtpx.h"

#include "err.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define CM_TAG    10
#define GCM_TAG   16
#define AUTH_KEY  20
#define RTCP_WORD 4 /* E flag + SRTCP index */

/* The keys of one of the two streams (RTP or RTCP). */
struct dir_keys {
	EVP_CIPHER_CTX *enc;
	EVP_CIPHER_CTX *dec; /* GCM decryption; counter mode uses enc */
	uint8_t key[SRTPX_KEY_LEN];
	uint8_t salt[SRTPX_SALT_CM];
	SHA_CTX ipad, opad; /* AES-CM only */
};

struct srtpx_keys {
	struct dir_keys rtp, rtcp;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

size_t srtpx_salt_len(enum srtpx_suite suite)
{
	switch (suite) {
	case SRTPX_AES_CM_128_HMAC_SHA1_80: return SRTPX_SALT_CM;
	case SRTPX_AEAD_AES_128_GCM: return SRTPX_SALT_GCM;
	}
	return 0;
}

size_t srtpx_rtp_overhead(enum srtpx_suite suite)
{
	return suite == SRTPX_AEAD_AES_128_GCM ? GCM_TAG : CM_TAG;
}

/* The AES-CM PRF: n bytes of key stream for label (RFC 3711 4.3.1). */
static int derive(const uint8_t key[SRTPX_KEY_LEN],
                  const uint8_t salt[SRTPX_SALT_CM], uint8_t label,
                  uint8_t *out, size_t n)
{
	static const uint8_t zero[AUTH_KEY];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t iv[16] = {0};
	int len = 0, ok;

	if (!c)
		return ERR_NOMEM;
	memcpy(iv, salt, SRTPX_SALT_CM);
	iv[7] ^= label;
	ok = EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) &&
	     EVP_EncryptUpdate(c, out, &len, zero, (int)n) && (size_t)len == n;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : ERR_INTERNAL;
}

static void pads(struct dir_keys *d, const uint8_t auth[AUTH_KEY])
{
	uint8_t k[SHA_CBLOCK] = {0};

	memcpy(k, auth, AUTH_KEY);
	for (size_t i = 0; i < sizeof(k); i++)
		k[i] ^= 0x36;
	SHA1_Init(&d->ipad);
	SHA1_Update(&d->ipad, k, sizeof(k));
	for (size_t i = 0; i < sizeof(k); i++)
		k[i] ^= 0x36 ^ 0x5c;
	SHA1_Init(&d->opad);
	SHA1_Update(&d->opad, k, sizeof(k));
	OPENSSL_cleanse(k, sizeof(k));
}

/* Keys of one stream from its session key, salt and (AES-CM) auth key. */
static int dir_setup(struct dir_keys *d, enum srtpx_suite suite,
                     const uint8_t key[SRTPX_KEY_LEN], const uint8_t *salt,
                     const uint8_t auth[AUTH_KEY])
{
	bool gcm = suite == SRTPX_AEAD_AES_128_GCM;

	memcpy(d->key, key, SRTPX_KEY_LEN);
	memcpy(d->salt, salt, srtpx_salt_len(suite));
	if (!gcm)
		pads(d, auth);
	d->enc = EVP_CIPHER_CTX_new();
	if (!d->enc)
		return ERR_NOMEM;
	if (!EVP_EncryptInit_ex(d->enc,
	                        gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(),
	                        NULL, d->key, NULL))
		return ERR_INTERNAL;
	return 0;
}

/* Session keys of one stream from the master (labels base .. base+2). */
static int dir_init(struct dir_keys *d, enum srtpx_suite suite,
                    const uint8_t key[SRTPX_KEY_LEN],
                    const uint8_t salt[SRTPX_SALT_CM], uint8_t base)
{
	uint8_t k[SRTPX_KEY_LEN], s[SRTPX_SALT_CM] = {0}, auth[AUTH_KEY] = {0};
	int rc;

	if (!(rc = derive(key, salt, base, k, sizeof(k))) &&
	    !(rc = derive(key, salt, base + 2, s, srtpx_salt_len(suite))) &&
	    (suite == SRTPX_AEAD_AES_128_GCM ||
	     !(rc = derive(key, salt, base + 1, auth, AUTH_KEY))))
		rc = dir_setup(d, suite, k, s, auth);
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(auth, sizeof(auth));
	return rc;
}

static void dir_clear(struct dir_keys *d)
{
	EVP_CIPHER_CTX_free(d->enc);
	EVP_CIPHER_CTX_free(d->dec);
	OPENSSL_cleanse(d, sizeof(*d));
}

int srtpx_init(struct srtpx *s, enum srtpx_suite suite,
               const uint8_t key[SRTPX_KEY_LEN], const uint8_t *salt)
{
	uint8_t master_salt[SRTPX_SALT_CM] = {0}; /* GCM's 12 padded */
	size_t sl = srtpx_salt_len(suite);
	int rc;

	memset(s, 0, sizeof(*s));
	if (!sl)
		return ERR_INVALID;
	s->k = calloc(1, sizeof(*s->k));
	if (!s->k)
		return ERR_NOMEM;
	s->suite = suite;
	memcpy(master_salt, salt, sl);
	rc = dir_init(&s->k->rtp, suite, key, master_salt, 0);
	if (!rc)
		rc = dir_init(&s->k->rtcp, suite, key, master_salt, 3);
	OPENSSL_cleanse(master_salt, sizeof(master_salt));
	if (rc)
		srtpx_clear(s);
	return rc;
}

int srtpx_init_session(struct srtpx *s, enum srtpx_suite suite,
                       const uint8_t key[SRTPX_KEY_LEN], const uint8_t *salt,
                       const uint8_t *auth)
{
	static const uint8_t none[AUTH_KEY];
	int rc;

	memset(s, 0, sizeof(*s));
	if (!srtpx_salt_len(suite))
		return ERR_INVALID;
	s->k = calloc(1, sizeof(*s->k));
	if (!s->k)
		return ERR_NOMEM;
	s->suite = suite;
	if (!auth)
		auth = none;
	rc = dir_setup(&s->k->rtp, suite, key, salt, auth);
	if (!rc)
		rc = dir_setup(&s->k->rtcp, suite, key, salt, auth);
	if (rc)
		srtpx_clear(s);
	return rc;
}

void srtpx_clear(struct srtpx *s)
{
	if (!s || !s->k)
		return;
	dir_clear(&s->k->rtp);
	dir_clear(&s->k->rtcp);
	free(s->k);
	s->k = NULL;
}

/* ---- pieces ----------------------------------------------------------- */

/* Length of the RTP header of buf[0..len) (CSRCs and extension), or 0. */
static size_t rtp_header_len(const uint8_t *buf, size_t len)
{
	size_t hl;

	if (len < 12 || (buf[0] >> 6) != 2)
		return 0;
	hl = 12 + 4 * (size_t)(buf[0] & 0x0f);
	if (buf[0] & 0x10) {
		if (len < hl + 4)
			return 0;
		hl += 4 + 4 * (size_t)(buf[hl + 2] << 8 | buf[hl + 3]);
	}
	return hl <= len ? hl : 0;
}

static void hmac(const struct dir_keys *d, const uint8_t *a, size_t na,
                 const uint8_t *b, size_t nb, uint8_t out[SHA_DIGEST_LENGTH])
{
	uint8_t inner[SHA_DIGEST_LENGTH];
	SHA_CTX c = d->ipad;

	SHA1_Update(&c, a, na);
	if (nb)
		SHA1_Update(&c, b, nb);
	SHA1_Final(inner, &c);
	c = d->opad;
	SHA1_Update(&c, inner, sizeof(inner));
	SHA1_Final(out, &c);
}

/* Counter-mode IV: salt, SSRC at bytes 4..7, the index at 8..13. */
static void cm_iv(const struct dir_keys *d, uint32_t ssrc, uint32_t hi,
                  uint16_t lo, uint8_t iv[16])
{
	memset(iv, 0, 16);
	memcpy(iv, d->salt, SRTPX_SALT_CM);
	for (int i = 0; i < 4; i++) {
		iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
		iv[8 + i] ^= (uint8_t)(hi >> (24 - 8 * i));
	}
	iv[12] ^= (uint8_t)(lo >> 8);
	iv[13] ^= (uint8_t)lo;
}

/* GCM IV (RFC 7714): 00 00 SSRC a(4) b(2), XOR the session salt. */
static void gcm_iv(const struct dir_keys *d, uint32_t ssrc, uint32_t a,
                   uint16_t b, uint8_t iv[12])
{
	memset(iv, 0, 12);
	wr32(iv + 2, ssrc);
	wr32(iv + 6, a);
	iv[10] = (uint8_t)(b >> 8);
	iv[11] = (uint8_t)b;
	for (int i = 0; i < 12; i++)
		iv[i] ^= d->salt[i];
}

static int ctr(EVP_CIPHER_CTX *c, const uint8_t iv[16], uint8_t *p, size_t n)
{
	int len = 0;

	return EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) &&
	               EVP_EncryptUpdate(c, p, &len, p, (int)n) &&
	               (size_t)len == n
	           ? 0
	           : ERR_INTERNAL;
}

/* AES-GCM over p[0..n) in place with additional data a1 || a2. */
static int gcm_seal(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *a1,
                    size_t n1, const uint8_t *a2, size_t n2, uint8_t *p,
                    size_t n, uint8_t tag[GCM_TAG])
{
	int len = 0;

	if (!EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) ||
	    !EVP_EncryptUpdate(c, NULL, &len, a1, (int)n1) ||
	    (n2 && !EVP_EncryptUpdate(c, NULL, &len, a2, (int)n2)) ||
	    (n && !EVP_EncryptUpdate(c, p, &len, p, (int)n)) ||
	    !EVP_EncryptFinal_ex(c, p + n, &len) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG, tag))
		return ERR_INTERNAL;
	return 0;
}

static int gcm_open(struct dir_keys *d, const uint8_t iv[12], const uint8_t *a1,
                    size_t n1, const uint8_t *a2, size_t n2, uint8_t *p,
                    size_t n, const uint8_t tag[GCM_TAG])
{
	uint8_t t[GCM_TAG];
	int len = 0;

	if (!d->dec) {
		d->dec = EVP_CIPHER_CTX_new();
		if (!d->dec || !EVP_DecryptInit_ex(d->dec, EVP_aes_128_gcm(),
		                                   NULL, d->key, NULL))
			return ERR_NOMEM;
	}
	memcpy(t, tag, sizeof(t));
	if (!EVP_DecryptInit_ex(d->dec, NULL, NULL, NULL, iv) ||
	    !EVP_DecryptUpdate(d->dec, NULL, &len, a1, (int)n1) ||
	    (n2 && !EVP_DecryptUpdate(d->dec, NULL, &len, a2, (int)n2)) ||
	    (n && !EVP_DecryptUpdate(d->dec, p, &len, p, (int)n)) ||
	    !EVP_CIPHER_CTX_ctrl(d->dec, EVP_CTRL_GCM_SET_TAG, GCM_TAG, t) ||
	    EVP_DecryptFinal_ex(d->dec, p + n, &len) <= 0)
		return ERR_INVALID;
	return 0;
}

/* ---- RTP ---------------------------------------------------------------- */

int srtpx_protect_rtp(struct srtpx *s, uint8_t *buf, size_t *len, size_t cap,
                      uint32_t roc)
{
	struct dir_keys *d = &s->k->rtp;
	size_t hl = rtp_header_len(buf, *len);
	uint16_t seq = (uint16_t)(buf[2] << 8 | buf[3]);
	uint32_t ssrc = rd32(buf + 8);
	uint8_t iv[16], mac[SHA_DIGEST_LENGTH], rocb[4];

	if (!hl || cap < *len + srtpx_rtp_overhead(s->suite))
		return ERR_INVALID;
	if (s->suite == SRTPX_AEAD_AES_128_GCM) {
		gcm_iv(d, ssrc, roc, seq, iv);
		if (gcm_seal(d->enc, iv, buf, hl, NULL, 0, buf + hl, *len - hl,
		             buf + *len))
			return ERR_INTERNAL;
		*len += GCM_TAG;
		return 0;
	}
	cm_iv(d, ssrc, roc, seq, iv);
	if (ctr(d->enc, iv, buf + hl, *len - hl))
		return ERR_INTERNAL;
	wr32(rocb, roc);
	hmac(d, buf, *len, rocb, sizeof(rocb), mac);
	memcpy(buf + *len, mac, CM_TAG);
	*len += CM_TAG;
	return 0;
}

int srtpx_unprotect_rtp(struct srtpx *s, uint8_t *buf, size_t *len,
                        uint32_t roc)
{
	struct dir_keys *d = &s->k->rtp;
	size_t tag = srtpx_rtp_overhead(s->suite), hl, n;
	uint8_t iv[16], mac[SHA_DIGEST_LENGTH], rocb[4];

	if (*len < 12 + tag)
		return ERR_INVALID;
	n = *len - tag;
	hl = rtp_header_len(buf, n);
	if (!hl)
		return ERR_INVALID;
	if (s->suite == SRTPX_AEAD_AES_128_GCM) {
		gcm_iv(d, rd32(buf + 8), roc, (uint16_t)(buf[2] << 8 | buf[3]),
		       iv);
		if (gcm_open(d, iv, buf, hl, NULL, 0, buf + hl, n - hl,
		             buf + n))
			return ERR_INVALID;
		*len = n;
		return 0;
	}
	wr32(rocb, roc);
	hmac(d, buf, n, rocb, sizeof(rocb), mac);
	if (CRYPTO_memcmp(mac, buf + n, CM_TAG))
		return ERR_INVALID;
	cm_iv(d, rd32(buf + 8), roc, (uint16_t)(buf[2] << 8 | buf[3]), iv);
	if (ctr(d->enc, iv, buf + hl, n - hl))
		return ERR_INTERNAL;
	*len = n;
	return 0;
}

/* ---- RTCP --------------------------------------------------------------- */

static bool rtcp_ok(const uint8_t *buf, size_t len)
{
	return len >= 8 && (buf[0] >> 6) == 2;
}

int srtpx_protect_rtcp(struct srtpx *s, uint8_t *buf, size_t *len, size_t cap,
                       uint32_t index)
{
	struct dir_keys *d = &s->k->rtcp;
	uint32_t ssrc = rd32(buf + 4),
	         word = 0x80000000u | (index & 0x7fffffff);
	uint8_t iv[16], mac[SHA_DIGEST_LENGTH], w[RTCP_WORD];
	size_t n = *len;

	if (!rtcp_ok(buf, n) || cap < n + SRTPX_MAX_OVERHEAD)
		return ERR_INVALID;
	wr32(w, word);
	if (s->suite == SRTPX_AEAD_AES_128_GCM) {
		gcm_iv(d, ssrc, 0, 0, iv);
		for (int i = 0; i < 4; i++) /* 00 00 SSRC 00 00 index */
			iv[8 + i] ^=
			    (uint8_t)((index & 0x7fffffff) >> (24 - 8 * i));
		if (gcm_seal(d->enc, iv, buf, 8, w, RTCP_WORD, buf + 8, n - 8,
		             buf + n))
			return ERR_INTERNAL;
		memcpy(buf + n + GCM_TAG, w, RTCP_WORD);
		*len = n + GCM_TAG + RTCP_WORD;
		return 0;
	}
	cm_iv(d, ssrc, 0, 0, iv);
	for (int i = 0; i < 4; i++)
		iv[10 + i] ^= (uint8_t)((index & 0x7fffffff) >> (24 - 8 * i));
	if (ctr(d->enc, iv, buf + 8, n - 8))
		return ERR_INTERNAL;
	memcpy(buf + n, w, RTCP_WORD);
	n += RTCP_WORD;
	hmac(d, buf, n, NULL, 0, mac);
	memcpy(buf + n, mac, CM_TAG);
	*len = n + CM_TAG;
	return 0;
}

int srtpx_unprotect_rtcp(struct srtpx *s, uint8_t *buf, size_t *len,
                         uint32_t *index)
{
	struct dir_keys *d = &s->k->rtcp;
	bool gcm = s->suite == SRTPX_AEAD_AES_128_GCM;
	size_t tag = gcm ? GCM_TAG : CM_TAG, n;
	uint8_t iv[16], mac[SHA_DIGEST_LENGTH];
	const uint8_t *w;
	uint32_t word, idx;

	if (*len < 8 + tag + RTCP_WORD || !rtcp_ok(buf, *len))
		return ERR_INVALID;
	if (gcm) {
		n = *len - GCM_TAG - RTCP_WORD;
		w = buf + *len - RTCP_WORD;
	} else {
		n = *len - CM_TAG - RTCP_WORD;
		w = buf + n;
	}
	word = rd32(w);
	idx = word & 0x7fffffff;
	if (gcm) {
		gcm_iv(d, rd32(buf + 4), 0, 0, iv);
		for (int i = 0; i < 4; i++)
			iv[8 + i] ^= (uint8_t)(idx >> (24 - 8 * i));
		/* unencrypted (E = 0): everything is additional data */
		if (gcm_open(d, iv, buf, (word >> 31) ? 8 : n, w, RTCP_WORD,
		             buf + 8, (word >> 31) ? n - 8 : 0, buf + n))
			return ERR_INVALID;
	} else {
		hmac(d, buf, n + RTCP_WORD, NULL, 0, mac);
		if (CRYPTO_memcmp(mac, buf + n + RTCP_WORD, CM_TAG))
			return ERR_INVALID;
		if (word >> 31) {
			cm_iv(d, rd32(buf + 4), 0, 0, iv);
			for (int i = 0; i < 4; i++)
				iv[10 + i] ^= (uint8_t)(idx >> (24 - 8 * i));
			if (ctr(d->enc, iv, buf + 8, n - 8))
				return ERR_INTERNAL;
		}
	}
	*len = n;
	*index = idx;
	return 0;
}

/* ---- counters ------------------------------------------------------------ */

uint32_t srtpx_roc(struct srtpx_seq *st, uint16_t seq)
{
	uint32_t v = st->roc;

	if (!st->started) {
		st->started = true;
		st->s_l = seq;
		st->roc = 0;
		return 0;
	}
	if (st->s_l < 32768) {
		if ((int)seq - (int)st->s_l > 32768 && st->roc > 0)
			v = st->roc - 1;
	} else if ((int)st->s_l - 32768 > (int)seq) {
		v = st->roc + 1;
	}
	if (v == st->roc + 1 || (v == st->roc && seq > st->s_l)) {
		st->roc = v;
		st->s_l = seq;
	}
	return v;
}

bool srtpx_replay_check(struct srtpx_replay *w, uint32_t index)
{
	uint32_t delta;

	if (!w->started) {
		w->started = true;
		w->top = index;
		w->bits = 1;
		return true;
	}
	if (index > w->top) {
		delta = index - w->top;
		w->bits = delta >= 64 ? 1 : (w->bits << delta) | 1;
		w->top = index;
		return true;
	}
	delta = w->top - index;
	if (delta >= 64 || (w->bits >> delta) & 1)
		return false;
	w->bits |= 1ull << delta;
	return true;
}
