/* hlstoken.c — the signed, expiring tokens of invite-only ceremonies' HLS.
 *
 * Owns: the token format, its signature and its parsing (tokens come in
 * URLs: outside input). Must never: accept a token for another ceremony,
 * one past its expiry, or compare signatures in time that depends on
 * where they differ. Called by api_hls.c.
 */
#include "hlstoken.h"

#include "crypto.h"
#include "err.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SIG_CHARS 32 /* 16 bytes of the keyed hash, as hex */

static bool ref_ok(const char *ref, size_t n)
{
	if (n < 2 || n >= HLSTOKEN_REF_MAX || (ref[0] != 'i' && ref[0] != 'u'))
		return false;
	if (ref[1] == '0')
		return false; /* ids have no leading zero: one spelling each */
	for (size_t i = 1; i < n; i++)
		if (ref[i] < '0' || ref[i] > '9')
			return false;
	return true;
}

static void sign(const struct crypto *c, int64_t ceremony_id, int64_t expires,
                 const char *ref, size_t ref_len, char sig[SIG_CHARS + 1])
{
	char text[128], hash[CRYPTO_HASH_CHARS];

	snprintf(text, sizeof(text), "hls\n%" PRId64 "\n%" PRId64 "\n%.*s",
	         ceremony_id, expires, (int)ref_len, ref);
	crypto_keyed_hash(c, text, hash);
	memcpy(sig, hash, SIG_CHARS);
	sig[SIG_CHARS] = '\0';
}

int hlstoken_make(const struct crypto *c, int64_t ceremony_id, int64_t expires,
                  const char *ref, char out[HLSTOKEN_MAX])
{
	char sig[SIG_CHARS + 1];
	size_t n = strlen(ref);

	out[0] = '\0';
	if (!ref_ok(ref, n) || expires <= 0)
		return ERR_INVALID;
	sign(c, ceremony_id, expires, ref, n, sig);
	snprintf(out, HLSTOKEN_MAX, "%" PRId64 ".%s.%s", expires, ref, sig);
	return 0;
}

int hlstoken_check(const struct crypto *c, int64_t ceremony_id,
                   const char *token, int64_t now,
                   char ref_out[HLSTOKEN_REF_MAX])
{
	const char *dot1, *dot2, *ref;
	char sig[SIG_CHARS + 1];
	int64_t expires = 0;
	unsigned diff = 0;
	size_t ref_len;

	ref_out[0] = '\0';
	if (!token || strlen(token) >= HLSTOKEN_MAX ||
	    !(dot1 = strchr(token, '.')) || !(dot2 = strchr(dot1 + 1, '.')))
		return ERR_UNAUTHORIZED;
	if (dot1 == token || dot1 - token > 12 || token[0] == '0')
		return ERR_UNAUTHORIZED;
	for (const char *p = token; p < dot1; p++) {
		if (*p < '0' || *p > '9')
			return ERR_UNAUTHORIZED;
		expires = expires * 10 + (*p - '0');
	}
	ref = dot1 + 1;
	ref_len = (size_t)(dot2 - ref);
	if (!ref_ok(ref, ref_len) || strlen(dot2 + 1) != SIG_CHARS)
		return ERR_UNAUTHORIZED;
	sign(c, ceremony_id, expires, ref, ref_len, sig);
	for (size_t i = 0; i < SIG_CHARS; i++)
		diff |= (unsigned)(sig[i] ^ dot2[1 + i]);
	if (diff)
		return ERR_UNAUTHORIZED;
	if (expires <= now)
		return ERR_GONE;
	memcpy(ref_out, ref, ref_len);
	ref_out[ref_len] = '\0';
	return 0;
}
