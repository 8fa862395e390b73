/* fuzz_router.c — request paths against a route table shaped like
 * sinian's. */
#include "router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void h(void)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const pats[] = {
	    "/api/memorials",        "/api/memorials/{id}",
	    "/api/memorials/search", "/api/memorials/{id}/tributes",
	    "/whep/{id}/{vid}",      "/files/{rest*}",
	};
	struct router *r = router_new();
	struct router_params p;
	const struct route *rt;
	char allow[64];
	char *path = malloc(size + 1);

	if (!r || !path)
		goto out;
	memcpy(path, data, size);
	path[size] = '\0';
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		router_add(r, "GET", pats[i], (void *)h, 0);
	router_match(r, "GET", path, &rt, &p, allow, sizeof(allow));
	router_match(r, "POST", path, &rt, &p, allow, sizeof(allow));
out:
	free(path);
	router_free(r);
	return 0;
}
