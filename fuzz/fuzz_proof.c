/* fuzz_proof.c — uploaded proof videos: recognise MP4/WebM by their bytes
 * and blank everything but picture and sound in place (vidclean).
 * Cleaning never changes the length, and cleaning what was cleaned
 * changes nothing. */
#include "proof.h"
#include "vidclean.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void twice(int (*clean)(uint8_t *, size_t, struct err_detail *),
                  const uint8_t *data, size_t size)
{
	uint8_t *a = g_memdup2(data, size ? size : 1), *b;
	struct err_detail why = {0};

	if (clean(a, size, &why) == 0) {
		b = g_memdup2(a, size ? size : 1);
		if (clean(b, size, &why) != 0 || memcmp(a, b, size) != 0)
			__builtin_trap();
		g_free(b);
	}
	g_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proof_video_sniff(data, size);
	twice(vidclean_mp4, data, size);
	twice(vidclean_webm, data, size);
	return 0;
}
