/* turn.h — TURN credentials by coturn's REST scheme (use-auth-secret).
 *
 * sinian and the TURN server share one secret. For each viewer sinian mints
 * username = "<expiry unix time>:<tag>" and credential =
 * base64(HMAC-SHA1(secret, username)); the TURN server recomputes the
 * credential and refuses a username whose time has passed. Nothing here
 * talks to the TURN server.
 */
#ifndef SINIAN_TURN_H
#define SINIAN_TURN_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define TURN_USER_MAX 64 /* "<20 digits>:<tag of up to 32>" + NUL */
#define TURN_CRED_MAX 32 /* base64 of a 20-byte HMAC-SHA1 + NUL */
#define TURN_TAG_MAX  32
#define TURN_URLS_MAX 8

struct turn_cred {
	char username[TURN_USER_MAX];
	char credential[TURN_CRED_MAX];
	int64_t expires; /* unix time */
};

/* Mint a credential valid until now + ttl_s for tag ([A-Za-z0-9_.-], at
 * most TURN_TAG_MAX characters; "" for none). 0, or ERR_INVALID (empty
 * secret, bad tag, ttl_s 0). */
int turn_mint(const char *secret, int64_t now, unsigned ttl_s, const char *tag,
              struct turn_cred *out);

/* Split a space-separated list of TURN URLs (turn:HOST[:PORT][?transport=
 * udp|tcp], turns:HOST[:PORT][?transport=tcp]) into urls[] (pointers into
 * buf, a copy of list of buflen bytes). Returns how many (0 for an empty
 * list), or ERR_INVALID with the reason in err. */
int turn_urls_split(const char *list, char *buf, size_t buflen,
                    const char *urls[TURN_URLS_MAX], struct err_detail *e);

#endif
