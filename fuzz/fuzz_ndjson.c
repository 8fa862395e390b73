/* fuzz_ndjson.c — lines of a deceased-record import (and the search text a
 * visitor types): validate a line, render it back, build a search query. */
#include "jsonx.h"
#include "ndjson.h"
#include "search.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndjson_record rec;
	struct search_query *q;
	struct err_detail err = {0};
	char *text;
	json_t *j;

	if (ndjson_parse_line((const char *)data, size, "2026-01-01", &rec,
	                      &err) == 0) {
		j = ndjson_record_json(&rec.d, rec.events, rec.id_number);
		free(jsonx_dump(j, NULL));
		json_decref(j);
	}
	ndjson_record_clear(&rec);
	text = strndup((const char *)data, size);
	q = malloc(sizeof(*q));
	if (text && q)
		search_build(text, q);
	free(q);
	free(text);
	return 0;
}
