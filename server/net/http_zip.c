/* http_zip.c — text responses compressed: brotli where the client takes it,
 * else gzip, chosen from Accept-Encoding (q-values honoured).
 *
 * Runs on the main loop as a response is handed to the lws thread. Only a
 * 200 of a text type (HTML, CSS, JavaScript, JSON, SVG, plain text) of at
 * least ZIP_MIN bytes is compressed; a range (206) never is, so byte
 * offsets keep their meaning. Every such response says
 * "Vary: Accept-Encoding". A compressed variant gets its own ETag (the
 * identity ETag with "-br" or "-gz" inside the quotes), and
 * http_etag_match() takes any variant of an ETag in If-None-Match, so a
 * validator cache built on ETags (static files, generated pages) keeps
 * answering 304. A response with an ETag is compressed once per encoding
 * and kept in a bounded cache by path, ETag and encoding; one without is
 * compressed quickly each time.
 *
 * Owns the cache (struct http_zip); knows nothing of the domain.
 */
#include "http.h"
#include "http_int.h"
#include "log.h"

#include <brotli/encode.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define ZIP_MIN       1024 /* smaller bodies are sent as they are */
#define ZIP_FILE_MAX  (8 * 1024 * 1024)  /* larger files are not read in */
#define ZIP_CACHE_MAX (24 * 1024 * 1024) /* bytes of compressed variants */

enum zip_enc { ZIP_NONE = 0, ZIP_GZIP, ZIP_BR };

struct zip_entry {
	char *key; /* path \n etag \n encoding */
	GBytes *data;
};

struct http_zip {
	GHashTable *by_key; /* key → struct zip_entry (owned) */
	GQueue order;       /* entries, oldest first */
	size_t bytes;
};

struct http_zip *http_zip_new(void)
{
	struct http_zip *z = g_new0(struct http_zip, 1);

	z->by_key = g_hash_table_new(g_str_hash, g_str_equal);
	g_queue_init(&z->order);
	return z;
}

static void entry_free(struct zip_entry *e)
{
	g_bytes_unref(e->data);
	g_free(e->key);
	g_free(e);
}

void http_zip_free(struct http_zip *z)
{
	struct zip_entry *e;

	if (!z)
		return;
	while ((e = g_queue_pop_head(&z->order)))
		entry_free(e);
	g_hash_table_destroy(z->by_key);
	g_free(z);
}

static void cache_put(struct http_zip *z, const char *key, GBytes *data)
{
	struct zip_entry *e;

	if (g_bytes_get_size(data) > ZIP_CACHE_MAX / 4 ||
	    g_hash_table_contains(z->by_key, key))
		return;
	while (z->bytes + g_bytes_get_size(data) > ZIP_CACHE_MAX &&
	       (e = g_queue_pop_head(&z->order))) {
		g_hash_table_remove(z->by_key, e->key);
		z->bytes -= g_bytes_get_size(e->data);
		entry_free(e);
	}
	e = g_new0(struct zip_entry, 1);
	e->key = g_strdup(key);
	e->data = g_bytes_ref(data);
	g_hash_table_insert(z->by_key, e->key, e);
	g_queue_push_tail(&z->order, e);
	z->bytes += g_bytes_get_size(data);
}

/* ---------- what to do ---------- */

static bool compressible(const char *ctype)
{
	static const char *const types[] = {
	    "text/",
	    "application/json",
	    "application/javascript",
	    "application/manifest+json",
	    "image/svg+xml",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
		if (g_ascii_strncasecmp(ctype, types[i], strlen(types[i])) == 0)
			return true;
	return false;
}

/* q-value of one coding in an Accept-Encoding value (0 when absent). */
static double accepts(const char *ae, const char *coding)
{
	double star = 0, q = -1;
	char **parts = g_strsplit(ae, ",", -1);

	for (char **p = parts; *p; p++) {
		char *item = g_strstrip(*p), *semi = strchr(item, ';');
		double v = 1;

		if (semi) {
			const char *qs = strstr(semi, "q=");

			*semi = '\0';
			v = qs ? g_ascii_strtod(qs + 2, NULL) : 1;
			g_strstrip(item);
		}
		if (!g_ascii_strcasecmp(item, coding))
			q = v;
		else if (!strcmp(item, "*"))
			star = v;
	}
	g_strfreev(parts);
	return q >= 0 ? q : star;
}

static enum zip_enc choose(const char *ae)
{
	double br, gz;

	if (!ae || !*ae)
		return ZIP_NONE;
	br = accepts(ae, "br");
	gz = accepts(ae, "gzip");
	if (br > 0 && br >= gz)
		return ZIP_BR;
	return gz > 0 ? ZIP_GZIP : ZIP_NONE;
}

const char *http_zip_coding(const char *accept_encoding)
{
	switch (choose(accept_encoding)) {
	case ZIP_BR: return "br";
	case ZIP_GZIP: return "gzip";
	default: return NULL;
	}
}

/* ---------- compressing ---------- */

static GBytes *gzip(const void *in, size_t len, int level)
{
	z_stream s;
	uLong cap;
	guint8 *out;

	memset(&s, 0, sizeof(s));
	if (deflateInit2(&s, level, Z_DEFLATED, 15 + 16, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&s, (uLong)len) + 32;
	out = g_malloc(cap);
	s.next_in = (Bytef *)in;
	s.avail_in = (uInt)len;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	if (deflate(&s, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&s);
		g_free(out);
		return NULL;
	}
	deflateEnd(&s);
	return g_bytes_new_take(out, s.total_out);
}

/* The smallest window that holds the whole input (brotli keeps 16 bytes
 * of it for itself): the same output, but the encoder's tables are sized
 * to it. The default window (4 MiB) made a 3 KB page cost 14 ms at
 * quality 9, a 32 KB script 88 ms; sized to the input, 0.05 and 1.1 ms. */
static int window_bits(size_t len)
{
	int lg = BROTLI_MIN_WINDOW_BITS;

	while (lg < BROTLI_DEFAULT_WINDOW && ((size_t)1 << lg) - 16 < len)
		lg++;
	return lg;
}

static GBytes *brotli(const void *in, size_t len, int quality)
{
	size_t n = BrotliEncoderMaxCompressedSize(len);
	guint8 *out;

	if (n == 0)
		return NULL;
	out = g_malloc(n);
	if (!BrotliEncoderCompress(quality, window_bits(len), BROTLI_MODE_TEXT,
	                           len, in, &n, out)) {
		g_free(out);
		return NULL;
	}
	return g_bytes_new_take(out, n);
}

/* Kept variants are compressed harder: they are made once. */
static GBytes *zip_bytes(enum zip_enc enc, const void *in, size_t len,
                         bool kept)
{
	if (enc == ZIP_BR)
		return brotli(in, len, kept ? 9 : 4);
	return gzip(in, len, kept ? 9 : 6);
}

/* ---------- headers ---------- */

/* The value of a header the handler set, or NULL (g_free() it). */
static char *resp_header(const struct http_resp *resp, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = resp->headers->str; p && *p;) {
		const char *eol = strstr(p, "\r\n");

		if (!eol)
			break;
		if (!g_ascii_strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ')
				v++;
			return g_strndup(v, (gsize)(eol - v));
		}
		p = eol + 2;
	}
	return NULL;
}

/* Replace a header's value (or add it). */
static void resp_header_set(struct http_resp *resp, const char *name,
                            const char *value)
{
	GString *out = g_string_new(NULL);
	size_t n = strlen(name);

	for (const char *p = resp->headers->str; p && *p;) {
		const char *eol = strstr(p, "\r\n");

		if (!eol)
			break;
		if (g_ascii_strncasecmp(p, name, n) || p[n] != ':')
			g_string_append_len(out, p, eol + 2 - p);
		p = eol + 2;
	}
	g_string_append_printf(out, "%s: %s\r\n", name, value);
	g_string_assign(resp->headers, out->str);
	g_string_free(out, TRUE);
}

/* Add Accept-Encoding to the response's Vary. */
static void vary_encoding(struct http_resp *resp)
{
	char *v = resp_header(resp, "Vary"), *both;

	if (v && strstr(v, "Accept-Encoding")) {
		g_free(v);
		return;
	}
	both = v ? g_strdup_printf("%s, Accept-Encoding", v) : NULL;
	resp_header_set(resp, "Vary", both ? both : "Accept-Encoding");
	g_free(both);
	g_free(v);
}

static const char *suffix(enum zip_enc enc)
{
	return enc == ZIP_BR ? "-br" : "-gz";
}

bool http_etag_match(const char *inm, const char *etag)
{
	size_t n = etag ? strlen(etag) : 0;
	char **tags;
	bool hit = false;

	if (!inm || n < 2 || etag[n - 1] != '"')
		return false;
	n--; /* compare up to the closing quote */
	tags = g_strsplit(inm, ",", -1);
	for (char **t = tags; *t && !hit; t++) {
		const char *v = g_strstrip(*t);

		if (!strncmp(v, "W/", 2))
			v += 2;
		hit = !strcmp(v, "*") || !strcmp(v, etag) ||
		      (strlen(v) == n + 4 && !strncmp(v, etag, n) &&
		       (!strcmp(v + n, "-br\"") || !strcmp(v + n, "-gz\"")));
	}
	g_strfreev(tags);
	return hit;
}

/* The response's bytes: its body, or its file read in (closed). */
static bool take_bytes(struct http_resp *resp, GBytes **out)
{
	guint8 *buf;
	ssize_t got;

	if (resp->file_fd < 0) {
		*out = g_bytes_new(resp->body->str, resp->body->len);
		return true;
	}
	if (resp->file_len > ZIP_FILE_MAX)
		return false;
	buf = g_malloc((gsize)resp->file_len + 1);
	got = pread(resp->file_fd, buf, (size_t)resp->file_len, resp->file_off);
	if (got != (ssize_t)resp->file_len) {
		g_free(buf);
		return false;
	}
	*out = g_bytes_new_take(buf, (gsize)got);
	return true;
}

static void use_bytes(struct http_resp *resp, GBytes *data)
{
	gsize len;
	const void *p = g_bytes_get_data(data, &len);

	if (resp->file_fd >= 0) {
		close(resp->file_fd);
		resp->file_fd = -1;
		resp->file_off = resp->file_len = 0;
	}
	g_string_truncate(resp->body, 0);
	g_string_append_len(resp->body, p, (gssize)len);
}

/* A 304 names the variant the client holds: the ETag it sent back. */
static void echo_variant(struct http_req *req, struct http_resp *resp)
{
	const char *inm = http_header(req, "if-none-match");
	char *etag = resp_header(resp, "ETag"), *v;
	size_t n = etag ? strlen(etag) : 0;

	for (int i = 0; inm && n > 2 && i < 2; i++) {
		v = g_strdup_printf("%.*s%s\"", (int)n - 1, etag,
		                    suffix(i ? ZIP_GZIP : ZIP_BR));
		if (strstr(inm, v)) {
			resp_header_set(resp, "ETag", v);
			vary_encoding(resp);
			i = 2;
		}
		g_free(v);
	}
	g_free(etag);
}

void http_zip_apply(struct http_zip *z, struct http_req *req,
                    struct http_resp *resp)
{
	size_t len =
	    resp->file_fd >= 0 ? (size_t)resp->file_len : resp->body->len;
	char *etag, *key = NULL, *tagged = NULL;
	GBytes *plain = NULL, *packed = NULL;
	enum zip_enc enc;

	if (resp->status == 304) {
		echo_variant(req, resp);
		return;
	}
	if (resp->status != 200 || !compressible(resp->content_type))
		return;
	vary_encoding(resp);
	enc = choose(http_header(req, "accept-encoding"));
	if (enc == ZIP_NONE || len < ZIP_MIN)
		return;
	etag = resp_header(resp, "ETag");
	if (etag && strlen(etag) > 2 && etag[strlen(etag) - 1] == '"') {
		key = g_strdup_printf("%s\n%s\n%d", req->path, etag, enc);
		tagged = g_strdup_printf("%.*s%s\"", (int)strlen(etag) - 1,
		                         etag, suffix(enc));
	}
	if (key && (packed = g_hash_table_lookup(z->by_key, key)))
		packed = g_bytes_ref(((struct zip_entry *)packed)->data);
	else if (take_bytes(resp, &plain) &&
	         (packed = zip_bytes(enc, g_bytes_get_data(plain, NULL),
	                             g_bytes_get_size(plain), key != NULL)) &&
	         key)
		cache_put(z, key, packed);
	if (packed && g_bytes_get_size(packed) < len) {
		use_bytes(resp, packed);
		http_resp_header(resp, "Content-Encoding",
		                 enc == ZIP_BR ? "br" : "gzip");
		if (tagged)
			resp_header_set(resp, "ETag", tagged);
	}
	if (packed)
		g_bytes_unref(packed);
	if (plain)
		g_bytes_unref(plain);
	g_free(tagged);
	g_free(key);
	g_free(etag);
}
