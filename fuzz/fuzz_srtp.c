/* fuzz_srtp.c — SRTP and SRTCP from the network: unprotect whatever
 * arrives, and check that what we protect unprotects to itself. The first
 * byte picks the profile and RTP or RTCP. */
#include "srtpx.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t MASTER[30] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                   11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                   21, 22, 23, 24, 25, 26, 27, 28, 29, 30};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int profile;
	bool rtcp;
	struct srtpx *in, *out;
	uint8_t buf[2048], plain[2048];
	size_t n;
	int pn, un;

	if (size < 1 || size - 1 > sizeof(buf) - SRTPX_RTCP_OVERHEAD)
		return 0;
	profile =
	    data[0] & 1 ? SRTPX_AEAD_AES_128_GCM : SRTPX_AES128_CM_SHA1_80;
	rtcp = data[0] & 2;
	n = size - 1;
	if (srtpx_new_master(profile, SRTPX_IN, MASTER, MASTER + 16, &in))
		return 0;
	if (srtpx_new_master(profile, SRTPX_OUT, MASTER, MASTER + 16, &out)) {
		srtpx_free(in);
		return 0;
	}
	memcpy(buf, data + 1, n);
	if (rtcp)
		(void)srtpx_unprotect_rtcp(in, buf, n);
	else
		(void)srtpx_unprotect_rtp(in, buf, n, data[0] >> 2);
	memcpy(buf, data + 1, n);
	memcpy(plain, data + 1, n);
	pn = rtcp ? srtpx_protect_rtcp(out, buf, n, sizeof(buf))
	          : srtpx_protect_rtp(out, buf, n, sizeof(buf), 0);
	if (pn > 0) {
		un = rtcp ? srtpx_unprotect_rtcp(in, buf, (size_t)pn)
		          : srtpx_unprotect_rtp(in, buf, (size_t)pn, 0);
		if (un != (int)n || memcmp(buf, plain, n) != 0)
			abort();
	}
	srtpx_free(in);
	srtpx_free(out);
	return 0;
}
