/* crypto.h — secrets with libsodium: the data key, encryption of personal
 * data at rest, keyed hashes for lookups, password hashes, tokens, masks.
 */
#ifndef SINIAN_CRYPTO_H
#define SINIAN_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include "err.h"

#define CRYPTO_KEY_BYTES   32
#define CRYPTO_TOKEN_CHARS 64 /* buffer size for a token string */
#define CRYPTO_HASH_CHARS  65 /* hex of a 32-byte hash + NUL */
#define CRYPTO_PWHASH_MAX  128

struct crypto;

/* Initialise libsodium and load the key file at path, creating it (mode
 * 0600, 32 random bytes) when missing. A key file readable by others or of
 * the wrong size is refused with ERR_INVALID and a message in err. */
int crypto_open(const char *path, struct crypto **out, struct err_detail *e);
void crypto_close(struct crypto *c);

/* Encrypt plain text to "v1:" + base64(nonce || secretbox). Caller frees
 * the result with free(). NULL on allocation failure. */
char *crypto_seal(const struct crypto *c, const char *plain);
/* Decrypt what crypto_seal made. Caller frees. NULL if tampered. */
char *crypto_open_sealed(const struct crypto *c, const char *sealed);

/* Keyed hash (BLAKE2b) of text as hex into out (CRYPTO_HASH_CHARS). */
void crypto_keyed_hash(const struct crypto *c, const char *text, char *out);

/* Plain SHA-256 hex of text (for session token lookup). */
void crypto_sha256_hex(const char *text, char *out);

/* Argon2id password hash string into out (CRYPTO_PWHASH_MAX). 0 or
 * ERR_NOMEM (the memory limit could not be met). */
int crypto_password_hash(const char *password, char *out);
/* True when password matches the stored hash. */
bool crypto_password_verify(const char *hash, const char *password);

/* A new random token (32 bytes, base64url without padding) into out. */
void crypto_token(char *out);

/* Masks for display. out needs as much room as s + 1. */
void crypto_mask_phone(const char *s, char *out,
                       size_t outlen); /* 138****5678 */
void crypto_mask_id(const char *s, char *out,
                    size_t outlen); /* 3701**********1234 */
void crypto_mask_email(const char *s, char *out, size_t outlen); /* a***@x.cn */

#endif
