/* fuzz_image.c — uploaded image bytes: sniff the type, strip JPEG
 * metadata segments, read sizes from PNG and WebP headers. */
#include "image.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum image_type t = image_sniff(data, size);
	uint8_t *out = NULL;
	size_t outlen = 0;
	int w = 0, h = 0;

	if (t == IMAGE_JPEG || (size > 1 && data[0] == 0xFF)) {
		if (image_jpeg_strip(data, size, &out, &outlen, &w, &h) == 0) {
			uint8_t *again = NULL;
			size_t againlen = 0;

			/* stripping what was stripped is stable */
			if (image_jpeg_strip(out, outlen, &again, &againlen,
			                     NULL, NULL) != 0 ||
			    againlen != outlen)
				__builtin_trap();
			g_free(again);
		}
		g_free(out);
	} else {
		image_dimensions(t, data, size, &w, &h);
	}
	return 0;
}
