/* srtpx.c — SRTP/SRTCP transforms on OpenSSL for the fan-out hot path.
 *
 * Owns: key derivation (RFC 3711 4.3), AES-128-CM + HMAC-SHA1-80 (RFC 3711)
 * and AEAD_AES_128_GCM (RFC 7714) for RTP and RTCP, the SRTCP index and
 * replay window of one session. Must never: allocate or lock per packet,
 * write past the caller's capacity, or hand back plaintext whose tag did
 * not check. Called by the lite engine's workers (protect), its UDP mux
 * (SRTCP from viewers), tests and benches.
 *
 * HMAC-SHA1 runs on precomputed inner/outer SHA_CTX states copied per
 * packet: OpenSSL 3.0's EVP_MD_CTX_copy_ex and EVP_MAC re-init both
 * allocate per call, the plain SHA_CTX copy does not. Those SHA1_*
 * functions are deprecated in OpenSSL 3 but kept; hence the define below.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "srtpx.h"

#include "be.h"
#include "err.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define CM_TAG_LEN   10
#define GCM_TAG_LEN  16
#define CM_SALT_LEN  14
#define GCM_SALT_LEN 12
#define E_FLAG       0x80000000u

struct dir_keys {
	EVP_CIPHER_CTX *c;
	uint8_t salt[SRTPX_MAX_SALT_LEN];
	SHA_CTX inner, outer; /* HMAC pads applied (CM only) */
};

struct srtpx {
	int profile;
	enum srtpx_dir dir;
	struct dir_keys rtp, rtcp;
	uint32_t rtcp_index; /* last sent (out) */
	/* replay window (in): highest index seen, bit i = top - i seen */
	uint32_t rtcp_top;
	uint64_t rtcp_bits;
	bool rtcp_started;
};

size_t srtpx_salt_len(int profile)
{
	switch (profile) {
	case SRTPX_AES128_CM_SHA1_80: return CM_SALT_LEN;
	case SRTPX_AEAD_AES_128_GCM: return GCM_SALT_LEN;
	default: return 0;
	}
}

/* RFC 3711 4.3.1 with kdr 0: AES-CM keystream under the master key,
 * IV = (master salt, zero padded to 14 bytes, label at byte 7) || 0000. */
static int kdf(EVP_CIPHER_CTX *c, const uint8_t *salt, size_t salt_len,
               uint8_t label, uint8_t *out, size_t n)
{
	uint8_t iv[16] = {0};
	int ol;

	memcpy(iv, salt, salt_len);
	iv[7] ^= label;
	memset(out, 0, n);
	if (EVP_EncryptInit_ex2(c, NULL, NULL, iv, NULL) != 1 ||
	    EVP_EncryptUpdate(c, out, &ol, out, (int)n) != 1)
		return ERR_INTERNAL;
	return 0;
}

int srtpx_derive(int profile, const uint8_t *master_key,
                 const uint8_t *master_salt, struct srtpx_keys *rtp,
                 struct srtpx_keys *rtcp)
{
	size_t sl = srtpx_salt_len(profile);
	EVP_CIPHER_CTX *c;
	int rc = 0;

	if (!sl)
		return ERR_INVALID;
	c = EVP_CIPHER_CTX_new();
	if (!c)
		return ERR_NOMEM;
	memset(rtp, 0, sizeof(*rtp));
	memset(rtcp, 0, sizeof(*rtcp));
	if (EVP_EncryptInit_ex2(c, EVP_aes_128_ctr(), master_key, NULL, NULL) !=
	    1)
		rc = ERR_INTERNAL;
	for (uint8_t label = 0; label < 6 && !rc; label++) {
		struct srtpx_keys *k = label < 3 ? rtp : rtcp;
		uint8_t *dst[3] = {k->key, k->auth, k->salt};
		size_t len[3] = {SRTPX_KEY_LEN, SRTPX_AUTH_KEY_LEN, sl};

		rc = kdf(c, master_salt, sl, label, dst[label % 3],
		         len[label % 3]);
	}
	EVP_CIPHER_CTX_free(c);
	return rc;
}

static int dir_keys_init(struct dir_keys *d, int profile, enum srtpx_dir dir,
                         const struct srtpx_keys *k)
{
	bool gcm = profile == SRTPX_AEAD_AES_128_GCM;
	const EVP_CIPHER *ciph = gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr();
	uint8_t ipad[SHA_CBLOCK] = {0}, opad[SHA_CBLOCK] = {0};

	d->c = EVP_CIPHER_CTX_new();
	if (!d->c)
		return ERR_NOMEM;
	if ((gcm && dir == SRTPX_IN
	         ? EVP_DecryptInit_ex2(d->c, ciph, k->key, NULL, NULL)
	         : EVP_EncryptInit_ex2(d->c, ciph, k->key, NULL, NULL)) != 1)
		return ERR_INTERNAL;
	memcpy(d->salt, k->salt, srtpx_salt_len(profile));
	for (int i = 0; i < SHA_CBLOCK; i++) {
		uint8_t b = i < SRTPX_AUTH_KEY_LEN ? k->auth[i] : 0;

		ipad[i] = b ^ 0x36;
		opad[i] = b ^ 0x5c;
	}
	SHA1_Init(&d->inner);
	SHA1_Update(&d->inner, ipad, sizeof(ipad));
	SHA1_Init(&d->outer);
	SHA1_Update(&d->outer, opad, sizeof(opad));
	OPENSSL_cleanse(ipad, sizeof(ipad));
	OPENSSL_cleanse(opad, sizeof(opad));
	return 0;
}

int srtpx_new(int profile, enum srtpx_dir dir, const struct srtpx_keys *rtp,
              const struct srtpx_keys *rtcp, struct srtpx **out)
{
	struct srtpx *s;
	int rc;

	*out = NULL;
	if (!srtpx_salt_len(profile))
		return ERR_INVALID;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->profile = profile;
	s->dir = dir;
	rc = dir_keys_init(&s->rtp, profile, dir, rtp);
	if (!rc)
		rc = dir_keys_init(&s->rtcp, profile, dir, rtcp);
	if (rc) {
		srtpx_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int srtpx_new_master(int profile, enum srtpx_dir dir, const uint8_t *master_key,
                     const uint8_t *master_salt, struct srtpx **out)
{
	struct srtpx_keys rtp, rtcp;
	int rc = srtpx_derive(profile, master_key, master_salt, &rtp, &rtcp);

	*out = NULL;
	if (!rc)
		rc = srtpx_new(profile, dir, &rtp, &rtcp, out);
	OPENSSL_cleanse(&rtp, sizeof(rtp));
	OPENSSL_cleanse(&rtcp, sizeof(rtcp));
	return rc;
}

void srtpx_free(struct srtpx *s)
{
	if (!s)
		return;
	EVP_CIPHER_CTX_free(s->rtp.c);
	EVP_CIPHER_CTX_free(s->rtcp.c);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

int srtpx_profile(const struct srtpx *s)
{
	return s->profile;
}

uint32_t srtpx_roc_for(const struct srtpx_seq *st, uint16_t seq)
{
	if (!st->started)
		return 0;
	if (st->s_l < 32768) {
		if (seq > st->s_l && seq - st->s_l > 32768)
			return st->roc ? st->roc - 1 : 0;
		return st->roc;
	}
	if (seq < st->s_l - 32768)
		return st->roc + 1;
	return st->roc;
}

void srtpx_seq_update(struct srtpx_seq *st, uint16_t seq, uint32_t roc)
{
	if (!st->started || roc > st->roc ||
	    (roc == st->roc && seq > st->s_l)) {
		st->roc = roc;
		st->s_l = seq;
		st->started = true;
	}
}

/* RTP header length (fixed part, CSRCs, extension) or -1. */
static int rtp_header_len(const uint8_t *p, size_t len)
{
	size_t h;

	if (len < 12 || (p[0] >> 6) != 2)
		return -1;
	h = 12 + 4 * (size_t)(p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (h + 4 > len)
			return -1;
		h += 4 + 4 * (size_t)(p[h + 2] << 8 | p[h + 3]);
	}
	return h <= len ? (int)h : -1;
}

/* HMAC-SHA1 of a || b, the first CM_TAG_LEN bytes into tag. */
static void hmac80(const struct dir_keys *d, const uint8_t *a, size_t an,
                   const uint8_t *b, size_t bn, uint8_t *tag)
{
	uint8_t ih[SHA_DIGEST_LENGTH], oh[SHA_DIGEST_LENGTH];
	SHA_CTX c = d->inner;

	SHA1_Update(&c, a, an);
	if (bn)
		SHA1_Update(&c, b, bn);
	SHA1_Final(ih, &c);
	c = d->outer;
	SHA1_Update(&c, ih, sizeof(ih));
	SHA1_Final(oh, &c);
	memcpy(tag, oh, CM_TAG_LEN);
}

/* AES-CM counter block: salt ^ (ssrc << 64) ^ (index << 16). */
static int ctr_crypt(struct dir_keys *d, const uint8_t *ssrc, uint64_t index,
                     uint8_t *p, size_t n)
{
	uint8_t iv[16] = {0};
	int ol;

	memcpy(iv, d->salt, CM_SALT_LEN);
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= ssrc[i];
	for (int i = 0; i < 6; i++)
		iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
	if (EVP_EncryptInit_ex2(d->c, NULL, NULL, iv, NULL) != 1 ||
	    EVP_EncryptUpdate(d->c, p, &ol, p, (int)n) != 1)
		return ERR_INTERNAL;
	return 0;
}

/* GCM IV: salt ^ (0000 || ssrc || hi || lo), hi/lo the index halves. */
static void gcm_iv(const struct dir_keys *d, const uint8_t *ssrc, uint32_t hi,
                   uint16_t lo, uint8_t iv[GCM_SALT_LEN])
{
	memcpy(iv, d->salt, GCM_SALT_LEN);
	for (int i = 0; i < 4; i++)
		iv[2 + i] ^= ssrc[i];
	iv[6] ^= (uint8_t)(hi >> 24);
	iv[7] ^= (uint8_t)(hi >> 16);
	iv[8] ^= (uint8_t)(hi >> 8);
	iv[9] ^= (uint8_t)hi;
	iv[10] ^= (uint8_t)(lo >> 8);
	iv[11] ^= (uint8_t)lo;
}

/* GCM seal: aad a || b, encrypt p[0..n) in place, tag to p + n. */
static int gcm_seal(struct dir_keys *d, const uint8_t *iv, const uint8_t *a,
                    size_t an, const uint8_t *b, size_t bn, uint8_t *p,
                    size_t n)
{
	int ol;

	if (EVP_EncryptInit_ex2(d->c, NULL, NULL, iv, NULL) != 1 ||
	    EVP_EncryptUpdate(d->c, NULL, &ol, a, (int)an) != 1 ||
	    (bn && EVP_EncryptUpdate(d->c, NULL, &ol, b, (int)bn) != 1) ||
	    EVP_EncryptUpdate(d->c, p, &ol, p, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(d->c, p + n, &ol) != 1 ||
	    EVP_CIPHER_CTX_ctrl(d->c, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN,
	                        p + n) != 1)
		return ERR_INTERNAL;
	return 0;
}

/* GCM open: aad a || b, decrypt p[0..n) in place, tag at p + n. */
static int gcm_open(struct dir_keys *d, const uint8_t *iv, const uint8_t *a,
                    size_t an, const uint8_t *b, size_t bn, uint8_t *p,
                    size_t n)
{
	uint8_t tag[GCM_TAG_LEN];
	int ol;

	memcpy(tag, p + n, GCM_TAG_LEN);
	if (EVP_DecryptInit_ex2(d->c, NULL, NULL, iv, NULL) != 1 ||
	    EVP_DecryptUpdate(d->c, NULL, &ol, a, (int)an) != 1 ||
	    (bn && EVP_DecryptUpdate(d->c, NULL, &ol, b, (int)bn) != 1) ||
	    EVP_DecryptUpdate(d->c, p, &ol, p, (int)n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(d->c, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LEN, tag) !=
	        1)
		return ERR_INTERNAL;
	return EVP_DecryptFinal_ex(d->c, p + n, &ol) == 1 ? 0
	                                                  : ERR_UNAUTHORIZED;
}

int srtpx_protect_rtp(struct srtpx *s, uint8_t *pkt, size_t len, size_t cap,
                      uint32_t roc)
{
	int h = rtp_header_len(pkt, len);
	uint16_t seq;
	uint8_t rocb[4];

	if (h < 0 || s->dir != SRTPX_OUT)
		return ERR_INVALID;
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (s->profile == SRTPX_AEAD_AES_128_GCM) {
		uint8_t iv[GCM_SALT_LEN];

		if (cap < len + GCM_TAG_LEN)
			return ERR_TOO_LARGE;
		gcm_iv(&s->rtp, pkt + 8, roc, seq, iv);
		if (gcm_seal(&s->rtp, iv, pkt, (size_t)h, NULL, 0, pkt + h,
		             len - (size_t)h))
			return ERR_INTERNAL;
		return (int)(len + GCM_TAG_LEN);
	}
	if (cap < len + CM_TAG_LEN)
		return ERR_TOO_LARGE;
	if (ctr_crypt(&s->rtp, pkt + 8, (uint64_t)roc << 16 | seq, pkt + h,
	              len - (size_t)h))
		return ERR_INTERNAL;
	be_wr32(rocb, roc);
	hmac80(&s->rtp, pkt, len, rocb, 4, pkt + len);
	return (int)(len + CM_TAG_LEN);
}

int srtpx_unprotect_rtp(struct srtpx *s, uint8_t *pkt, size_t len, uint32_t roc)
{
	bool gcm = s->profile == SRTPX_AEAD_AES_128_GCM;
	size_t tl = gcm ? GCM_TAG_LEN : CM_TAG_LEN;
	int h = len > tl ? rtp_header_len(pkt, len - tl) : -1;
	uint16_t seq;
	uint8_t rocb[4], tag[CM_TAG_LEN];

	if (h < 0 || s->dir != SRTPX_IN)
		return ERR_INVALID;
	len -= tl;
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (gcm) {
		uint8_t iv[GCM_SALT_LEN];

		gcm_iv(&s->rtp, pkt + 8, roc, seq, iv);
		if (gcm_open(&s->rtp, iv, pkt, (size_t)h, NULL, 0, pkt + h,
		             len - (size_t)h))
			return ERR_UNAUTHORIZED;
		return (int)len;
	}
	be_wr32(rocb, roc);
	hmac80(&s->rtp, pkt, len, rocb, 4, tag);
	if (CRYPTO_memcmp(tag, pkt + len, CM_TAG_LEN) != 0)
		return ERR_UNAUTHORIZED;
	if (ctr_crypt(&s->rtp, pkt + 8, (uint64_t)roc << 16 | seq, pkt + h,
	              len - (size_t)h))
		return ERR_INTERNAL;
	return (int)len;
}

int srtpx_protect_rtcp(struct srtpx *s, uint8_t *pkt, size_t len, size_t cap)
{
	bool gcm = s->profile == SRTPX_AEAD_AES_128_GCM;
	uint32_t index;
	uint8_t trailer[4];

	if (len < 8 || (pkt[0] >> 6) != 2 || s->dir != SRTPX_OUT)
		return ERR_INVALID;
	if (cap < len + 4 + (gcm ? GCM_TAG_LEN : CM_TAG_LEN))
		return ERR_TOO_LARGE;
	index = s->rtcp_index = (s->rtcp_index + 1) & 0x7fffffff;
	be_wr32(trailer, index | E_FLAG);
	if (gcm) {
		uint8_t iv[GCM_SALT_LEN];

		gcm_iv(&s->rtcp, pkt + 4, 0, 0, iv);
		for (int i = 0; i < 4; i++)
			iv[8 + i] ^= (uint8_t)(index >> (24 - 8 * i));
		if (gcm_seal(&s->rtcp, iv, pkt, 8, trailer, 4, pkt + 8,
		             len - 8))
			return ERR_INTERNAL;
		memcpy(pkt + len + GCM_TAG_LEN, trailer, 4);
		return (int)(len + GCM_TAG_LEN + 4);
	}
	if (ctr_crypt(&s->rtcp, pkt + 4, index, pkt + 8, len - 8))
		return ERR_INTERNAL;
	memcpy(pkt + len, trailer, 4);
	hmac80(&s->rtcp, pkt, len + 4, NULL, 0, pkt + len + 4);
	return (int)(len + 4 + CM_TAG_LEN);
}

/* 0 when index is new to the replay window. */
static int replay_check(const struct srtpx *s, uint32_t index)
{
	uint32_t delta;

	if (!s->rtcp_started || index > s->rtcp_top)
		return 0;
	delta = s->rtcp_top - index;
	if (delta >= 64 || (s->rtcp_bits >> delta & 1))
		return ERR_UNAUTHORIZED;
	return 0;
}

static void replay_add(struct srtpx *s, uint32_t index)
{
	if (!s->rtcp_started) {
		s->rtcp_started = true;
		s->rtcp_top = index;
		s->rtcp_bits = 1;
	} else if (index > s->rtcp_top) {
		uint32_t shift = index - s->rtcp_top;

		s->rtcp_bits = shift >= 64 ? 1 : s->rtcp_bits << shift | 1;
		s->rtcp_top = index;
	} else {
		s->rtcp_bits |= 1ull << (s->rtcp_top - index);
	}
}

int srtpx_unprotect_rtcp(struct srtpx *s, uint8_t *pkt, size_t len)
{
	bool gcm = s->profile == SRTPX_AEAD_AES_128_GCM;
	size_t tl = gcm ? GCM_TAG_LEN : CM_TAG_LEN;
	uint8_t tag[CM_TAG_LEN], *trailer;
	uint32_t word, index;
	size_t n;

	if (len < 8 + 4 + tl || (pkt[0] >> 6) != 2 || s->dir != SRTPX_IN)
		return ERR_INVALID;
	n = len - 4 - tl; /* the RTCP length */
	trailer = gcm ? pkt + len - 4 : pkt + n;
	word = be_rd32(trailer);
	index = word & 0x7fffffff;
	if (!(word & E_FLAG))
		return ERR_INVALID;
	if (replay_check(s, index))
		return ERR_UNAUTHORIZED;
	if (gcm) {
		uint8_t iv[GCM_SALT_LEN], tr[4];

		memcpy(tr, trailer, 4);
		gcm_iv(&s->rtcp, pkt + 4, 0, 0, iv);
		for (int i = 0; i < 4; i++)
			iv[8 + i] ^= (uint8_t)(index >> (24 - 8 * i));
		if (gcm_open(&s->rtcp, iv, pkt, 8, tr, 4, pkt + 8, n - 8))
			return ERR_UNAUTHORIZED;
	} else {
		hmac80(&s->rtcp, pkt, n + 4, NULL, 0, tag);
		if (CRYPTO_memcmp(tag, pkt + n + 4, CM_TAG_LEN) != 0)
			return ERR_UNAUTHORIZED;
		if (ctr_crypt(&s->rtcp, pkt + 4, index, pkt + 8, n - 8))
			return ERR_INTERNAL;
	}
	replay_add(s, index);
	return (int)n;
}
