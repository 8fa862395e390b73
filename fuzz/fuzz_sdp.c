/* fuzz_sdp.c — SDP offers from WHEP viewers and WHIP publishers. */
#include "sdp.h"

#include <glib.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_offer_info info;
	char *out = NULL;

	if (sdp_offer_inspect((const char *)data, size, &info, NULL) == 0) {
		char *copy = g_strndup((const char *)data, size);

		if (sdp_rewrite_host_ip(copy, "203.0.113.7", &out) == 0)
			free(out);
		g_free(copy);
	}
	return 0;
}
