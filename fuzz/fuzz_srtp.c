/* fuzz_srtp.c — SRTP and SRTCP packets arriving from viewers: unprotect
 * with both suites (authentication fails on almost every input; what
 * matters is that nothing is read or written out of bounds). */
#include "srtpx.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8,
	                                9, 10, 11, 12, 13, 14, 15, 16};
	static const uint8_t salt[14] = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4,
	                                 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
	                                 0xfa, 0xfb, 0xfc, 0xfd};
	static const enum srtpx_suite suites[] = {
	    SRTPX_AES_CM_128_HMAC_SHA1_80, SRTPX_AEAD_AES_128_GCM};
	uint8_t buf[2048];
	uint32_t index;

	if (size > sizeof(buf))
		return 0;
	for (size_t i = 0; i < 2; i++) {
		struct srtpx s;
		size_t len = size;

		if (srtpx_init(&s, suites[i], key, salt))
			return 0;
		memcpy(buf, data, size);
		srtpx_unprotect_rtp(&s, buf, &len, size ? data[0] : 0);
		memcpy(buf, data, size);
		len = size;
		srtpx_unprotect_rtcp(&s, buf, &len, &index);
		memcpy(buf, data, size);
		len = size;
		srtpx_protect_rtcp(&s, buf, &len, sizeof(buf), 7);
		srtpx_clear(&s);
	}
	return 0;
}
