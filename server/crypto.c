/* crypto.c — the daemon's secret key and every use of libsodium.
 *
 * Owns the data key loaded from the key file. Personal data (phones, ID
 * numbers, logins) is sealed with XSalsa20-Poly1305 under that key and
 * looked up by a keyed BLAKE2b hash, so the database alone reveals neither.
 * Never logs key material or clear personal data.
 */
#include "crypto.h"
#include "err.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct crypto {
	unsigned char key[CRYPTO_KEY_BYTES];
	unsigned char hash_key[crypto_generichash_KEYBYTES];
};

static int key_create(const char *path, unsigned char *key,
                      struct err_detail *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		return err_fail(e, ERR_IO, NULL,
		                "cannot create key file %s: %s", path,
		                strerror(errno));
	}
	randombytes_buf(key, CRYPTO_KEY_BYTES);
	if (write(fd, key, CRYPTO_KEY_BYTES) != CRYPTO_KEY_BYTES ||
	    fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return err_fail(e, ERR_IO, NULL, "cannot write key file %s",
		                path);
	}
	close(fd);
	log_info("crypto", "created key file %s", path);
	return 0;
}

static int key_load(const char *path, unsigned char *key, struct err_detail *e)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 && errno == ENOENT)
		return key_create(path, key, e);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		err_fail(e, ERR_IO, NULL, "cannot read key file %s: %s", path,
		         strerror(errno));
		if (fd >= 0)
			close(fd);
		return ERR_IO;
	}
	if (sb.st_mode & 0077) {
		close(fd);
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "key file %s is readable by others; chmod 600 it", path);
	}
	n = read(fd, key, CRYPTO_KEY_BYTES);
	close(fd);
	if (n != CRYPTO_KEY_BYTES || sb.st_size != CRYPTO_KEY_BYTES) {
		return err_fail(e, ERR_INVALID, NULL,
		                "key file %s must hold exactly %d bytes", path,
		                CRYPTO_KEY_BYTES);
	}
	return 0;
}

int crypto_open(const char *path, struct crypto **out, struct err_detail *e)
{
	struct crypto *c;
	int rc;

	if (sodium_init() < 0) {
		return err_fail(e, ERR_INTERNAL, NULL,
		                "libsodium failed to initialise");
	}
	c = sodium_malloc(sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	rc = key_load(path, c->key, e);
	if (rc) {
		sodium_free(c);
		return rc;
	}
	/* a separate sub-key for hashing, so the two uses never mix */
	crypto_generichash(c->hash_key, sizeof(c->hash_key),
	                   (const unsigned char *)"sinian lookup v1", 16,
	                   c->key, sizeof(c->key));
	*out = c;
	return 0;
}

void crypto_close(struct crypto *c)
{
	if (c)
		sodium_free(c);
}

char *crypto_seal(const struct crypto *c, const char *plain)
{
	size_t plen = strlen(plain);
	size_t blen =
	    crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plen;
	size_t b64len = sodium_base64_ENCODED_LEN(
	    blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	unsigned char *box = malloc(blen);
	char *out = malloc(b64len + 3);

	if (!box || !out) {
		free(box);
		free(out);
		return NULL;
	}
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
	                      (const unsigned char *)plain, plen, box, c->key);
	memcpy(out, "v1:", 3);
	sodium_bin2base64(out + 3, b64len, box, blen,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	free(box);
	return out;
}

char *crypto_open_sealed(const struct crypto *c, const char *sealed)
{
	size_t slen, blen = 0;
	unsigned char *box;
	char *plain = NULL;

	if (strncmp(sealed, "v1:", 3))
		return NULL;
	sealed += 3;
	slen = strlen(sealed);
	box = malloc(slen + 1);
	if (!box)
		return NULL;
	if (sodium_base642bin(box, slen, sealed, slen, NULL, &blen, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
	    blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		goto out;
	plain = malloc(blen - crypto_secretbox_NONCEBYTES -
	               crypto_secretbox_MACBYTES + 1);
	if (!plain)
		goto out;
	if (crypto_secretbox_open_easy(
	        (unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
	        blen - crypto_secretbox_NONCEBYTES, box, c->key)) {
		free(plain);
		plain = NULL;
		goto out;
	}
	plain[blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES] =
	    '\0';
out:
	free(box);
	return plain;
}

void crypto_keyed_hash(const struct crypto *c, const char *text, char *out)
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)text,
	                   strlen(text), c->hash_key, sizeof(c->hash_key));
	sodium_bin2hex(out, CRYPTO_HASH_CHARS, h, sizeof(h));
}

void crypto_sha256_hex(const char *text, char *out)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
	sodium_bin2hex(out, CRYPTO_HASH_CHARS, h, sizeof(h));
}

int crypto_password_hash(const char *password, char *out)
{
	if (crypto_pwhash_str(out, password, strlen(password),
	                      crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return ERR_NOMEM;
	return 0;
}

bool crypto_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void crypto_token(char *out)
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, CRYPTO_TOKEN_CHARS, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

/* Keep the first `head` and last `tail` characters, star the middle. */
static void mask_keep(const char *s, size_t head, size_t tail, char *out,
                      size_t outlen)
{
	size_t n = strlen(s), k;

	if (outlen == 0)
		return;
	if (n <= head + tail) {
		for (k = 0; k < n && k + 1 < outlen; k++)
			out[k] = '*';
		out[k] = '\0';
		return;
	}
	/* a short buffer gets a prefix of the mask, never unwritten bytes */
	for (k = 0; k < n && k + 1 < outlen; k++)
		out[k] = k < head || k >= n - tail ? s[k] : '*';
	out[k] = '\0';
}

void crypto_mask_phone(const char *s, char *out, size_t outlen)
{
	mask_keep(s, 3, 4, out, outlen);
}

void crypto_mask_id(const char *s, char *out, size_t outlen)
{
	mask_keep(s, 4, 4, out, outlen);
}

void crypto_mask_email(const char *s, char *out, size_t outlen)
{
	const char *at = strchr(s, '@');

	if (!at || at == s) {
		mask_keep(s, 1, 0, out, outlen);
		return;
	}
	snprintf(out, outlen, "%c***%s", s[0], at);
}
