/* redis_url.c — parse redis://[[USER]:PASSWORD@]HOST[:PORT][/DB].
 *
 * Owns nothing; bounded copies into struct redis_url, percent-decoding of
 * the user and password. Never puts the password into an error message.
 * Called by redis_conn_new() and tests.
 */
#include "redis_url.h"
#include "err.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pct_decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n)
				return ERR_INVALID;
			if (!g_ascii_isxdigit(s[i + 1]) ||
			    !g_ascii_isxdigit(s[i + 2]))
				return ERR_INVALID;
			c = g_ascii_xdigit_value(s[i + 1]) * 16 +
			    g_ascii_xdigit_value(s[i + 2]);
			i += 2;
		}
		if (o + 1 >= outlen)
			return ERR_INVALID;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static int parse_port_db(const char *s, const char *end, long min, long max,
                         int *out)
{
	char buf[16], *e;
	long v;

	if (end <= s || (size_t)(end - s) >= sizeof(buf))
		return ERR_INVALID;
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = '\0';
	v = strtol(buf, &e, 10);
	if (*e || !g_ascii_isdigit(buf[0]) || v < min || v > max)
		return ERR_INVALID;
	*out = (int)v;
	return 0;
}

static int parse_auth(const char *p, const char *at, struct redis_url *out)
{
	const char *colon = memchr(p, ':', (size_t)(at - p));

	if (!colon) /* redis://PASSWORD@host, as redis-cli reads it */
		return pct_decode(p, (size_t)(at - p), out->password,
		                  sizeof(out->password));
	if (pct_decode(p, (size_t)(colon - p), out->user, sizeof(out->user)))
		return ERR_INVALID;
	return pct_decode(colon + 1, (size_t)(at - colon - 1), out->password,
	                  sizeof(out->password));
}

int redis_url_parse(const char *url, struct redis_url *out,
                    struct err_detail *e)
{
	const char *p, *end, *at, *slash, *host_end, *port = NULL;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	out->port = 6379;
	if (!url || strncmp(url, "redis://", 8) != 0) {
		return err_fail(e, ERR_INVALID, NULL,
		                "redis_url must start with redis:// "
		                "(rediss:// and unix sockets are not "
		                "supported)");
	}
	p = url + 8;
	end = p + strlen(p);
	slash = strchr(p, '/');
	if (!slash)
		slash = end;
	at = memchr(p, '@', (size_t)(slash - p));
	if (at && parse_auth(p, at, out)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "redis_url: bad user or password");
	}
	if (at)
		p = at + 1;
	if (*p == '[') { /* [IPv6] */
		host_end = memchr(p, ']', (size_t)(slash - p));
		if (!host_end) {
			return err_fail(e, ERR_INVALID, NULL,
			                "redis_url: unclosed [");
		}
		p++;
		if (host_end[1] == ':')
			port = host_end + 2;
		else if (host_end + 1 != slash)
			host_end = NULL;
	} else {
		host_end = memchr(p, ':', (size_t)(slash - p));
		if (host_end)
			port = host_end + 1;
		else
			host_end = slash;
	}
	hlen = host_end ? (size_t)(host_end - p) : 0;
	if (!host_end || hlen == 0 || hlen >= sizeof(out->host)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "redis_url: missing or bad host");
	}
	memcpy(out->host, p, hlen);
	out->host[hlen] = '\0';
	if (port && parse_port_db(port, slash, 1, 65535, &out->port)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "redis_url: port must be 1 to 65535");
	}
	if (slash < end && slash + 1 < end &&
	    parse_port_db(slash + 1, end, 0, 100000, &out->db)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "redis_url: database must be a number");
	}
	return 0;
}
