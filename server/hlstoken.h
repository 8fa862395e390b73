/* hlstoken.h — signed, expiring tokens that open the HLS of an invite-only
 * ceremony: "<expiry unix time>.<ref>.<signature>".
 *
 * ref says whose right the token carries, to be checked again while it is
 * used: "i<invite id>" (an invite link) or "u<user id>" (a signed-in
 * account). The signature is a keyed hash (the data key) of the ceremony
 * id, the expiry and ref, so a token opens one ceremony only.
 */
#ifndef SINIAN_HLSTOKEN_H
#define SINIAN_HLSTOKEN_H

#include <stddef.h>
#include <stdint.h>

#define HLSTOKEN_MAX     80 /* buffer for a token */
#define HLSTOKEN_REF_MAX 24

struct crypto;

/* The token for ceremony_id, valid until expires, carrying ref (as above)
 * into out (HLSTOKEN_MAX). 0 or ERR_INVALID (bad ref). */
int hlstoken_make(const struct crypto *c, int64_t ceremony_id, int64_t expires,
                  const char *ref, char out[HLSTOKEN_MAX]);

/* Check token for ceremony_id at time now. 0 with its ref in ref_out;
 * ERR_UNAUTHORIZED (malformed, or not signed by us for this ceremony);
 * ERR_GONE (expired). */
int hlstoken_check(const struct crypto *c, int64_t ceremony_id,
                   const char *token, int64_t now,
                   char ref_out[HLSTOKEN_REF_MAX]);

#endif
