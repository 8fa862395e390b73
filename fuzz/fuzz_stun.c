/* fuzz_stun.c — STUN datagrams arriving on the viewers' UDP port: parse,
 * check FINGERPRINT and MESSAGE-INTEGRITY, and answer as the mux would. */
#include "stun.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char key[] = "VOkJxbRl1RmTxUk/WvJxBt";
	struct sockaddr_in6 from = {.sin6_family = AF_INET6};
	uint8_t out[STUN_MAX_LEN];
	struct stun_builder b;
	struct stun_msg m;

	if (!stun_is(data, size) || stun_parse(data, size, &m))
		return 0;
	if (!stun_fingerprint_ok(data, &m) ||
	    !stun_integrity_ok(data, &m, key, sizeof(key) - 1))
		return 0;
	stun_start(&b, out, sizeof(out), STUN_BINDING_SUCCESS, m.tid);
	stun_put_xor_address(&b, (const struct sockaddr *)&from);
	if (m.username)
		stun_put_bytes(&b, STUN_ATTR_USERNAME, m.username,
		               m.username_len);
	stun_finish(&b, key, sizeof(key) - 1);
	return 0;
}
