/* fuzz_dtls.c — datagrams that look like DTLS on the viewers' port: the
 * record framing check, then the handshake they would be fed to. */
#include "dtls.h"

#include <stddef.h>
#include <stdint.h>

static void drop(const uint8_t *buf, size_t len, void *ud)
{
	(void)buf;
	(void)len;
	(void)ud;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dtls_ctx *ctx;
	static const char fp[] =
	    "sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
	    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
	struct dtls_conn *d;
	char err[128];
	size_t n;

	if (!ctx && dtls_ctx_new(&ctx, err, sizeof(err)))
		return 0;
	if (!dtls_records(data, size, &n))
		return 0;
	d = dtls_conn_new(ctx, fp);
	if (d) {
		dtls_conn_feed(d, data, size, drop, NULL);
		dtls_conn_free(d);
	}
	return 0;
}
