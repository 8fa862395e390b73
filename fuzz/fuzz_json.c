/* fuzz_json.c — request bodies: parse as a JSON object and read fields the
 * way handlers do. */
#include "jsonx.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {"flower", "incense", "candle",
	                                    "bow",    "message", NULL};
	static const char *const keys[] = {"kind", "text", "n", "on", NULL};
	struct err_detail err = {0};
	json_t *j = NULL;
	const char *s;
	int64_t n;
	bool b;
	int k;

	if (jsonx_parse_object((const char *)data, size, &j, &err))
		return 0;
	jsonx_only(j, keys, &err);
	jsonx_str(j, "text", false, 0, 500, "", &s, &err);
	jsonx_int(j, "n", false, -5, 5, 0, &n, &err);
	jsonx_bool(j, "on", false, false, &b, &err);
	jsonx_enum(j, "kind", false, kinds, 0, &k, &err);
	json_decref(j);
	return 0;
}
