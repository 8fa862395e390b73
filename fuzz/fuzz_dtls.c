/* fuzz_dtls.c — datagrams reaching a DTLS server conn before and during
 * the handshake: the record framing check, then OpenSSL. The first byte
 * splits the input into two datagrams. One certificate for the run (the
 * daemon has one per process too). */
#include "dtls.h"

#include <stddef.h>
#include <stdint.h>

static void drop(void *user, const uint8_t *buf, size_t len)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dtls_ctx *ctx;
	struct dtls_conn *c;
	size_t cut;

	if (size < 1)
		return 0;
	if (!ctx && dtls_ctx_new(4, &ctx) != 0)
		return 0;
	if (dtls_conn_new(
	        ctx, true,
	        "sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:"
	        "EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
	        drop, NULL, &c) != 0)
		return 0;
	cut = data[0] < size - 1 ? data[0] : size - 1;
	dtls_conn_input(c, data + 1, cut);
	dtls_conn_input(c, data + 1 + cut, size - 1 - cut);
	dtls_conn_free(c);
	return 0;
}
