/* fuzz_lvsdp.c — a server's SDP as the load client reads it
 * (bench/lv_sdp.c): parsed, then answered as lviewers answers Janus's
 * offer, and the client's own offer written beside it. */
#include "lv_sdp.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_sdp_local l = {.ufrag = "abcd",
	                         .pwd = "0123456789abcdefghijkl",
	                         .fingerprint = "AB:CD",
	                         .session_id = 42};
	struct lv_sdp_remote *r = malloc(sizeof(*r));
	char *text = malloc(size + 1), err[160], out[8192];

	if (!text || !r)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	l.addr.sin_family = AF_INET;
	l.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l.addr.sin_port = htons(9);
	if (lv_sdp_parse(text, r, err, sizeof(err)) == 0)
		lv_sdp_answer(out, sizeof(out), r, &l);
	lv_sdp_offer(out, sizeof(out), &l);
out:
	free(text);
	free(r);
	return 0;
}
