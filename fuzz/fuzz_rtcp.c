/* fuzz_rtcp.c — compound RTCP from viewers, after SRTCP unprotect: parse
 * and expand every NACK item. */
#include "rtcp.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtcp_info in;
	uint16_t seqs[17];

	if (rtcp_parse(data, size, &in) != 0)
		return 0;
	for (unsigned i = 0; i < in.n_nacks; i++)
		(void)rtcp_nack_seqs(&in.nacks[i], seqs);
	return 0;
}
