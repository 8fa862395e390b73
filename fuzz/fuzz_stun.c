/* fuzz_stun.c — STUN datagrams as the UDP mux receives them: parse, find
 * the local ufrag, check integrity and fingerprint, and answer. */
#include "stun.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stun_msg m;
	struct stun_builder b;
	const uint8_t *ufrag;
	uint8_t out[STUN_MAX_LEN];
	size_t n;

	if (stun_parse(data, size, &m) != 0)
		return 0;
	if (stun_local_ufrag(&m, &ufrag, &n) == 0 && n > 0)
		(void)stun_check_integrity(&m, ufrag, n);
	(void)stun_check_fingerprint(&m);
	stun_begin(&b, out, sizeof(out), m.method, STUN_SUCCESS, m.txid);
	if (m.has_mapped)
		stun_add_xor_mapped(&b, (const struct sockaddr *)&m.mapped);
	(void)stun_finish(&b, "pwd", 3, true);
	return 0;
}
