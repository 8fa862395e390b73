/* fuzz_proof.c — uploaded proof videos: recognise MP4/WebM by their bytes,
 * blank MP4 location and time metadata in place. Scrubbing never changes
 * the length, and scrubbing what was scrubbed changes nothing. */
#include "proof.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *a, *b;

	proof_video_sniff(data, size);
	a = g_memdup2(data, size ? size : 1);
	if (proof_mp4_scrub(a, size) == 0) {
		b = g_memdup2(a, size ? size : 1);
		if (proof_mp4_scrub(b, size) != 0 || memcmp(a, b, size) != 0)
			__builtin_trap();
		g_free(b);
	}
	g_free(a);
	return 0;
}
