/* netaddr.c — sets of networks and the client behind trusted proxies.
 *
 * See netaddr.h. Addresses are kept as 16 bytes; IPv4 as its IPv4-mapped
 * IPv6 form (::ffff:a.b.c.d), so one comparison serves both families and
 * a peer written either way matches the same network.
 */
#include "netaddr.h"
#include "err.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct net {
	uint8_t addr[16];
	int bits; /* of the 128 */
};

struct netaddr_set {
	struct net *nets;
	size_t n;
};

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Text (no brackets, no port) to 16 bytes; true if it is an address. */
static bool parse_addr(const char *s, uint8_t out[16], bool *v4)
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memcpy(out, v4_prefix, 12);
		memcpy(out + 12, &a4, 4);
		*v4 = true;
		return true;
	}
	if (inet_pton(AF_INET6, s, out) != 1)
		return false;
	*v4 = memcmp(out, v4_prefix, 12) == 0;
	return true;
}

static bool in_net(const struct net *n, const uint8_t a[16])
{
	int full = n->bits / 8, rest = n->bits % 8;

	if (memcmp(n->addr, a, (size_t)full) != 0)
		return false;
	return rest == 0 ||
	       ((n->addr[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static int parse_net(const char *item, struct net *n)
{
	char buf[NETADDR_TEXT + 8], *slash, *end;
	bool v4;
	long bits;

	if (strlen(item) >= sizeof(buf))
		return ERR_INVALID;
	strcpy(buf, item);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (!parse_addr(buf, n->addr, &v4))
		return ERR_INVALID;
	bits = v4 ? 32 : 128;
	if (slash) {
		bits = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || bits < 0 || bits > (v4 ? 32 : 128))
			return ERR_INVALID;
	}
	n->bits = (int)(v4 ? bits + 96 : bits);
	/* the network itself: host bits cleared */
	for (int i = 0; i < 16; i++) {
		int keep = n->bits - i * 8;

		if (keep <= 0)
			n->addr[i] = 0;
		else if (keep < 8)
			n->addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
	return 0;
}

int netaddr_set_parse(const char *list, struct netaddr_set **out,
                      struct err_detail *e)
{
	struct netaddr_set *set = calloc(1, sizeof(*set));
	char *copy = strdup(list ? list : ""), *save = NULL, *item;

	if (!set || !copy) {
		free(set);
		free(copy);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	for (item = strtok_r(copy, " ,\t", &save); item;
	     item = strtok_r(NULL, " ,\t", &save)) {
		struct net *more =
		    realloc(set->nets, (set->n + 1) * sizeof(*more));

		if (!more || parse_net(item, &more[set->n])) {
			if (more)
				set->nets = more;
			err_fail(e, ERR_INVALID, NULL,
			         "not an address or network: %.80s", item);
			free(copy);
			netaddr_set_free(set);
			return ERR_INVALID;
		}
		set->nets = more;
		set->n++;
	}
	free(copy);
	*out = set;
	return 0;
}

void netaddr_set_free(struct netaddr_set *set)
{
	if (!set)
		return;
	free(set->nets);
	free(set);
}

static bool has_bytes(const struct netaddr_set *set, const uint8_t a[16])
{
	for (size_t i = 0; set && i < set->n; i++)
		if (in_net(&set->nets[i], a))
			return true;
	return false;
}

bool netaddr_set_has(const struct netaddr_set *set, const char *addr)
{
	uint8_t a[16];
	bool v4;

	return set && addr && parse_addr(addr, a, &v4) && has_bytes(set, a);
}

static void to_text(const uint8_t a[16], char out[NETADDR_TEXT])
{
	if (memcmp(a, v4_prefix, 12) == 0)
		inet_ntop(AF_INET, a + 12, out, NETADDR_TEXT);
	else
		inet_ntop(AF_INET6, a, out, NETADDR_TEXT);
}

/* One hop's text, as a header writes it: [v6]:port, "v4:port" (quoted in
 * Forwarded), or the bare address. */
static bool hop_addr(const char *s, size_t len, uint8_t out[16])
{
	char buf[NETADDR_TEXT];
	const char *colon;
	bool v4;

	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"')
		s++, len -= 2;
	if (len && s[0] == '[') {
		const char *close = memchr(s, ']', len);

		if (!close)
			return false;
		s++;
		len = (size_t)(close - s);
	} else if ((colon = memchr(s, ':', len)) &&
	           !memchr(colon + 1, ':', len - (size_t)(colon + 1 - s))) {
		len = (size_t)(colon - s); /* IPv4 with a port */
	}
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return parse_addr(buf, out, &v4);
}

/* The for= value of one Forwarded element [s, s+len), or NULL. */
static const char *forwarded_for(const char *s, size_t len, size_t *vlen)
{
	const char *end = s + len;

	while (s < end) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *pe = semi ? semi : end;

		while (s < pe && isspace((unsigned char)*s))
			s++;
		if (pe - s > 4 && strncasecmp(s, "for=", 4) == 0) {
			*vlen = (size_t)(pe - s - 4);
			return s + 4;
		}
		s = semi ? semi + 1 : end;
	}
	return NULL;
}

void netaddr_client(const struct netaddr_set *trusted, const char *peer,
                    const char *header, bool forwarded, char out[NETADDR_TEXT])
{
	uint8_t client[16], hop[16];
	const char *end;
	bool v4;

	if (!peer || !parse_addr(peer, client, &v4)) {
		snprintf(out, NETADDR_TEXT, "%s", peer ? peer : "");
		return;
	}
	end = header ? header + strlen(header) : NULL;
	while (end && has_bytes(trusted, client) && end > header) {
		const char *start = end, *val = NULL;
		size_t vlen = 0;

		while (start > header && start[-1] != ',')
			start--;
		if (forwarded)
			val =
			    forwarded_for(start, (size_t)(end - start), &vlen);
		else
			val = start, vlen = (size_t)(end - start);
		if (!val || !hop_addr(val, vlen, hop))
			break;
		memcpy(client, hop, 16);
		end = start > header ? start - 1 : header;
	}
	to_text(client, out);
}
