/* fuzz_image.c — uploaded image bytes: sniff the type and rewrite the
 * image without metadata (imgclean). Cleaning what was cleaned gives the
 * same bytes, and a cleaned image keeps its size. */
#include "imgclean.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum image_type t = image_sniff(data, size);
	uint8_t *out = NULL, *again = NULL;
	size_t outlen = 0, againlen = 0;
	int w = 0, h = 0, w2 = 0, h2 = 0;
	struct err_detail why = {0};

	if (t == IMAGE_NONE && size > 1 && data[0] == 0xFF)
		t = IMAGE_JPEG; /* reach the segment walker with any bytes */
	if (imgclean(t, data, size, &out, &outlen, &w, &h, &why))
		return 0;
	if (w <= 0 || h <= 0 || w > IMAGE_SIDE_MAX || h > IMAGE_SIDE_MAX)
		__builtin_trap();
	if (imgclean(t, out, outlen, &again, &againlen, &w2, &h2, &why) != 0 ||
	    againlen != outlen || memcmp(again, out, outlen) != 0 || w2 != w ||
	    h2 != h)
		__builtin_trap();
	g_free(again);
	g_free(out);
	return 0;
}
