/* fuzz_range.c — HTTP Range headers and request paths. */
#include "http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	off_t from = 0, to = 0;
	int r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (off_t len = 0; len < 3000; len += 997) {
		r = http_range_parse(s, len, &from, &to);
		if (r == 1 && (from < 0 || to < from || to >= len))
			abort(); /* a range outside the file */
	}
	http_path_safe(s[0] ? s : "/");
	free(s);
	return 0;
}
