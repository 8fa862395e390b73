/* fuzz_lvrtp.c — RTP and RTCP as the load client reads them
 * (bench/lv_rtp.c): headers, delivery counted over sequence wraps and
 * SSRC changes, the first-key-frame check, sender reports, and the
 * receiver report written from what was read. The first byte picks RTCP
 * (odd) or a run of RTP packets, each after its one-byte length. */
#include "lv_rtp.h"

#include <stddef.h>
#include <stdint.h>

static void on_sr(void *user, uint32_t ssrc, uint64_t ntp)
{
	struct lv_stream *s = user;

	lv_stream_sr(s, ssrc, ntp, 1000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_stream v, a;
	struct lv_stream *const st[2] = {&v, &a};
	struct lv_keyframe k = {0};
	struct lv_rtp_hdr h;
	uint8_t rr[256];

	if (size < 1)
		return 0;
	lv_stream_init(&v, 90000);
	lv_stream_init(&a, 48000);
	if (data[0] & 1) {
		lv_rtcp_each_sr(data + 1, size - 1, on_sr, &v);
	} else {
		for (size_t off = 1; off < size;) {
			size_t n = data[off++];

			if (n > size - off)
				n = size - off;
			if (lv_rtp_parse(data + off, n, &h) == 0) {
				lv_stream_count(h.pt & 1 ? &a : &v, &h,
				                (int64_t)off * 1000);
				lv_keyframe_feed(&k, &h,
				                 data + off + h.payload_off);
			}
			off += n;
		}
	}
	lv_rtcp_rr(rr, sizeof(rr), 1, "cname", st, 2, 2000000);
	return 0;
}
