/* turn.c — TURN REST credentials (coturn's use-auth-secret) and the check
 * of the configured TURN URLs.
 *
 * Owns: the username/credential format the TURN server verifies. Must
 * never: log or return the shared secret, or accept a URL it would hand a
 * browser that the browser cannot use. Called by api_ice.c (credentials
 * for viewers and publishers) and at start-up to check the settings.
 */
#include "turn.h"

#include "err.h"

#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool tag_ok(const char *tag)
{
	size_t n = strlen(tag);

	if (n > TURN_TAG_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(tag[i]) && !strchr("_.-", tag[i]))
			return false;
	return true;
}

int turn_mint(const char *secret, int64_t now, unsigned ttl_s, const char *tag,
              struct turn_cred *out)
{
	guint8 digest[20];
	gsize len = sizeof(digest);
	GHmac *h;
	gchar *b64;

	memset(out, 0, sizeof(*out));
	if (!secret || !secret[0] || !tag || !tag_ok(tag) || ttl_s == 0)
		return ERR_INVALID;
	out->expires = now + (int64_t)ttl_s;
	snprintf(out->username, sizeof(out->username), "%" PRId64 "%s%s",
	         out->expires, tag[0] ? ":" : "", tag);
	h = g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)secret, strlen(secret));
	g_hmac_update(h, (const guchar *)out->username,
	              (gssize)strlen(out->username));
	g_hmac_get_digest(h, digest, &len);
	g_hmac_unref(h);
	b64 = g_base64_encode(digest, len);
	snprintf(out->credential, sizeof(out->credential), "%s", b64);
	g_free(b64);
	return 0;
}

/* turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT][?transport=tcp],
 * as RFC 7065 writes them. */
static bool url_ok(const char *u, struct err_detail *e)
{
	bool tls = g_str_has_prefix(u, "turns:");
	const char *host = u + (tls ? 6 : 5);
	const char *q = strchr(host, '?');
	size_t hlen = q ? (size_t)(q - host) : strlen(host);

	if (!tls && !g_str_has_prefix(u, "turn:")) {
		err_fail(e, ERR_INVALID, NULL, "%s: not a turn: or turns: URL",
		         u);
		return false;
	}
	if (hlen == 0 || host[0] == '/' || memchr(host, '@', hlen)) {
		err_fail(e, ERR_INVALID, NULL,
		         "%s: write turn:HOST:PORT (credentials come from "
		         "turn_secret)",
		         u);
		return false;
	}
	for (size_t i = 0; i < hlen; i++)
		if (!g_ascii_isalnum(host[i]) && !strchr(".-:[]", host[i])) {
			err_fail(e, ERR_INVALID, NULL, "%s: bad host", u);
			return false;
		}
	if (q && strcmp(q, "?transport=tcp") != 0 &&
	    (tls || strcmp(q, "?transport=udp") != 0)) {
		err_fail(e, ERR_INVALID, NULL, "%s: transport must be %s", u,
		         tls ? "tcp" : "udp or tcp");
		return false;
	}
	return true;
}

int turn_urls_split(const char *list, char *buf, size_t buflen,
                    const char *urls[TURN_URLS_MAX], struct err_detail *e)
{
	char *save = NULL, *tok;
	int n = 0;

	if (strlen(list) >= buflen) {
		return err_fail(e, ERR_INVALID, NULL, "TURN URL list too long");
	}
	snprintf(buf, buflen, "%s", list);
	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (n == TURN_URLS_MAX) {
			return err_fail(e, ERR_INVALID, NULL,
			                "more than %d TURN URLs",
			                TURN_URLS_MAX);
		}
		if (!url_ok(tok, e))
			return ERR_INVALID;
		urls[n++] = tok;
	}
	return n;
}
