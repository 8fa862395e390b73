/* fuzz_hlstoken.c — HLS access tokens from URLs (hlstoken_check). A token
 * this target did not make must never pass; one it made must. */
#include "crypto.h"
#include "err.h"
#include "hlstoken.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct crypto *key(void)
{
	static struct crypto *c;
	struct err_detail err = {0};
	char *dir, *path;

	if (c)
		return c;
	dir = g_dir_make_tmp("sinian-fuzz-hlstoken-XXXXXX", NULL);
	path = g_build_filename(dir, "secret.key", NULL);
	if (!dir || crypto_open(path, &c, &err) != 0)
		abort();
	g_unlink(path); /* the key stays in memory */
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), ref[HLSTOKEN_REF_MAX], tok[HLSTOKEN_MAX];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	/* a random key: nothing from the input can carry its signature */
	if (hlstoken_check(key(), 1, s, 0, ref) == 0)
		abort();
	if (hlstoken_make(key(), 1, 4000000000, s, tok) == 0 &&
	    (hlstoken_check(key(), 1, tok, 1, ref) != 0 || strcmp(ref, s) != 0))
		abort();
	free(s);
	return 0;
}
