/* netaddr.h — client addresses: sets of networks, and the real client
 * behind trusted proxies.
 *
 * Owns: parsing lists of "ADDR" or "ADDR/BITS" (IPv4 and IPv6, IPv4-mapped
 * IPv6 read as IPv4), membership, and reading X-Forwarded-For or Forwarded
 * (RFC 7239) from the right, past trusted hops only.
 * Must never: believe a forwarding header sent by a peer outside the
 * trusted set, resolve names, or keep state between calls.
 * Called by: auth.c for every routed request (the address every rate
 * limit and per-address cap is keyed on), api.c for the /metrics
 * allow-list and the connection caps.
 */
#ifndef SINIAN_NETADDR_H
#define SINIAN_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include "err.h"

/* Long enough for any IPv6 text form. */
#define NETADDR_TEXT 64

struct netaddr_set;

/* Parse a list of networks separated by spaces or commas ("" is the empty
 * set). 0, or ERR_INVALID with the offending item in err. */
int netaddr_set_parse(const char *list, struct netaddr_set **out,
                      struct err_detail *e);
void netaddr_set_free(struct netaddr_set *set);
/* Is the address (text, as a socket peer gives it) in the set? False for
 * an empty set, NULL, or text that is no address. */
bool netaddr_set_has(const struct netaddr_set *set, const char *addr);

/* The client's address: peer itself unless it is a trusted proxy; then the
 * hops of the header value (X-Forwarded-For, or Forwarded when forwarded
 * is true) read from the right, skipping trusted ones: the first hop not
 * trusted is the client. A hop that is no address (garbage, "unknown", an
 * obfuscated name) ends the walk at the last good one. Written in
 * canonical text into out. */
void netaddr_client(const struct netaddr_set *trusted, const char *peer,
                    const char *header, bool forwarded, char out[NETADDR_TEXT]);

#endif
