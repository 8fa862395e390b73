/* fuzz_login.c — logins (phone or e-mail) and ceremony times. */
#include "auth.h"
#include "ceremony.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char out[64];
	const char *kind;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (auth_login_normalize(s, out, sizeof(out), &kind) == 0 &&
	    strlen(out) >= sizeof(out))
		abort();
	ceremony_time_valid(s);
	ceremony_rtsp_url_valid(s);
	free(s);
	return 0;
}
