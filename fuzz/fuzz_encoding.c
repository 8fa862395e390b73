/* fuzz_encoding.c — the headers that pick a response's encoding and its
 * validators: Accept-Encoding (with q-values) and If-None-Match (lists,
 * weak tags, compressed variants). The input is split at its first newline
 * into the header value and an ETag. */
#include "http.h"
#include "http_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *nl, etag[80], tag[80];
	const char *c;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	c = http_zip_coding(s);
	if (c && strcmp(c, "br") && strcmp(c, "gzip"))
		abort();
	nl = strchr(s, '\n');
	if (nl)
		*nl++ = '\0';
	http_etag_match(s, nl ? nl : "\"x\"");
	/* a tag always matches itself, and its compressed variants */
	if (nl && strlen(nl) < 60 && !strchr(nl, ',') && !strchr(nl, ' ')) {
		snprintf(etag, sizeof(etag), "\"%s\"", nl);
		if (!http_etag_match(etag, etag))
			abort();
		snprintf(etag, sizeof(etag), "\"%s-br\"", nl);
		snprintf(tag, sizeof(tag), "\"%s\"", nl);
		if (!http_etag_match(etag, tag))
			abort();
	}
	free(s);
	return 0;
}
