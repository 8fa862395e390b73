/* fuzz_qmparse.c — what the Qingming load reads from the daemon
 * (bench/qm_parse.c): HTTP/1.1 answers one after another as a keep-alive
 * connection brings them, WebSocket frames, and the tribute markers in a
 * message. The first byte picks which; the rest is the bytes read. */
#include "qm_parse.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data + 1, *end;
	size_t len, off = 0;
	volatile size_t sink = 0;
	long n;

	if (size < 1)
		return 0;
	len = size - 1;
	end = buf + len;
	switch (data[0] % 3) {
	case 0: {
		struct qm_answer a;

		while (off < len && (n = qm_answer(buf + off, len - off, &a)) > 0) {
			sink += (size_t)a.status + a.body_len + a.etag_len;
			if (a.etag)
				sink += (size_t)a.etag[0]; /* within the buffer */
			off += (size_t)n;
		}
		break;
	}
	case 1: {
		struct qm_frame f;

		while (off < len && (n = qm_frame(buf + off, len - off, &f)) > 0) {
			if (f.len)
				sink += (size_t)f.payload[f.len - 1];
			off += (size_t)n;
		}
		break;
	}
	default: {
		const char *p = buf;

		while ((n = qm_marker(&p, end)) != -1)
			sink += (size_t)n;
		break;
	}
	}
	(void)sink;
	return 0;
}
