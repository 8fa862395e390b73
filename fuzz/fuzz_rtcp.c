/* fuzz_rtcp.c — compound RTCP from viewers, after SRTCP. */
#include "rtcp.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtcp_info info;

	rtcp_parse(data, size, &info);
	return 0;
}
