/* http_file.c — files in responses: content types, ETag/Last-Modified,
 * conditional requests and byte ranges.
 *
 * Opens the file on the main loop; the lws thread streams it with pread().
 * Used by static pages, page routes, uploads and recordings. The daemon's
 * own web/ files, small and read on every page view, are kept in memory
 * (http_resp_web): a file is looked at again (one stat()) at most once a
 * second, and read again when its size, time or inode changed, so an
 * upgrade in place is served within a second.
 */
#include "err.h"
#include "http.h"
#include "http_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *http_mime(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".json", "application/json; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".jpg", "image/jpeg"},
	    {".jpeg", "image/jpeg"},
	    {".webp", "image/webp"},
	    {".ico", "image/x-icon"},
	    {".woff2", "font/woff2"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".mp4", "video/mp4"},
	    {".webm", "video/webm"},
	    {".webmanifest", "application/manifest+json"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < G_N_ELEMENTS(types); i++)
		if (g_ascii_strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

int http_range_parse(const char *h, off_t size, off_t *from, off_t *to)
{
	long long a, b = -1;
	char *end;

	if (!h || strncmp(h, "bytes=", 6) || strchr(h, ','))
		return 0;
	h += 6;
	if (*h == '-') { /* suffix: the last N bytes */
		b = strtoll(h + 1, &end, 10);
		if (end == h + 1 || *end || b <= 0)
			return 0;
		if (size == 0)
			return -1;
		*from = b >= size ? 0 : size - b;
		*to = size - 1;
		return 1;
	}
	a = strtoll(h, &end, 10);
	if (end == h || *end != '-' || a < 0)
		return 0;
	h = end + 1;
	if (*h) {
		b = strtoll(h, &end, 10);
		if (*end || b < a)
			return 0;
	}
	if (a >= size)
		return -1;
	*from = a;
	*to = (b < 0 || b >= size) ? size - 1 : b;
	return 1;
}

static void validators(struct http_resp *resp, const struct stat *sb,
                       char *etag, size_t etag_len)
{
	char lm[64];
	struct tm tm;

	snprintf(etag, etag_len, "\"%llx-%llx\"",
	         (unsigned long long)sb->st_mtime,
	         (unsigned long long)sb->st_size);
	gmtime_r(&sb->st_mtime, &tm);
	strftime(lm, sizeof(lm), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	http_resp_header(resp, "ETag", etag);
	http_resp_header(resp, "Last-Modified", lm);
}

int http_resp_file(struct http_resp *resp, struct http_req *req,
                   const char *path, const char *ctype, const char *cache)
{
	struct stat sb;
	char etag[64], buf[96];
	const char *inm, *ifr;
	off_t from = 0, to;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		http_resp_err(resp, ERR_NOT_FOUND, "no such file");
		return ERR_NOT_FOUND;
	}
	validators(resp, &sb, etag, sizeof(etag));
	http_resp_header(resp, "Cache-Control", cache);
	http_resp_header(resp, "Accept-Ranges", "bytes");
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", ctype);
	inm = http_header(req, "if-none-match");
	if (inm && http_etag_match(inm, etag)) {
		close(fd);
		resp->status = 304;
		return 0;
	}
	to = sb.st_size - 1;
	r = http_range_parse(http_header(req, "range"), sb.st_size, &from, &to);
	ifr = http_header(req, "if-range");
	if (r != 0 && ifr && strcmp(ifr, etag) != 0)
		r = 0; /* the file changed: send it whole */
	if (r < 0) {
		close(fd);
		snprintf(buf, sizeof(buf), "bytes */%lld",
		         (long long)sb.st_size);
		http_resp_header(resp, "Content-Range", buf);
		http_resp_err(resp, ERR_RANGE, "range not satisfiable");
		return ERR_RANGE;
	}
	resp->status = 200;
	if (r > 0) {
		resp->status = 206;
		snprintf(buf, sizeof(buf), "bytes %lld-%lld/%lld",
		         (long long)from, (long long)to, (long long)sb.st_size);
		http_resp_header(resp, "Content-Range", buf);
	} else {
		from = 0;
		to = sb.st_size - 1;
	}
	resp->file_fd = fd;
	resp->file_off = from;
	resp->file_len = sb.st_size ? to - from + 1 : 0;
	return 0;
}

void http_resp_tagged(struct http_resp *resp, struct http_req *req,
                      const char *ctype, const void *data, size_t len,
                      const char *etag, const char *cache)
{
	http_resp_header(resp, "ETag", etag);
	http_resp_header(resp, "Cache-Control", cache);
	http_resp_header(resp, "Vary", "Cookie, Authorization");
	if (http_etag_match(http_header(req, "if-none-match"), etag)) {
		snprintf(resp->content_type, sizeof(resp->content_type), "%s",
		         ctype);
		g_string_truncate(resp->body, 0);
		resp->status = 304;
		return;
	}
	http_resp_data(resp, 200, ctype, data, len);
}

bool http_path_safe(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *s = p; *s; s++) {
		if (s[0] == '/' && s[1] == '.')
			return false; /* no "..", no hidden files */
		if (s[0] == '\\' || (unsigned char)s[0] < 0x20)
			return false;
	}
	return true;
}

/* What is kept of a web/ file: its bytes as of its stat. */
struct web_file {
	GBytes *data;
	struct stat sb;
	gint64 checked_us; /* when sb was last compared with the disk */
};

enum {
	WEB_FILE_MAX = 512 * 1024,       /* bigger files are streamed */
	WEB_FILES_MAX = 32 * 1024 * 1024 /* what all may take together */
};

static void web_file_free(gpointer p)
{
	struct web_file *f = p;

	g_bytes_unref(f->data);
	g_free(f);
}

GHashTable *http_web_files_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                             web_file_free);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* path's bytes from memory, read (again) when it changed; NULL when it
 * is not a regular file, too big to keep, or the memory set aside is
 * full: then it is streamed from disk as any file. */
static const struct web_file *web_file(struct http_server *srv,
                                       const char *path)
{
	gint64 now = g_get_monotonic_time();
	struct web_file *f = g_hash_table_lookup(srv->web_files, path);
	struct stat sb;
	gchar *buf;
	gsize len;
	bool keep;

	if (f && now - f->checked_us < G_USEC_PER_SEC)
		return f;
	keep = stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	       sb.st_size <= WEB_FILE_MAX;
	if (f && keep && same_file(&f->sb, &sb)) {
		f->checked_us = now;
		return f;
	}
	if (f) { /* gone, grown too big, or changed */
		srv->web_bytes -= g_bytes_get_size(f->data);
		g_hash_table_remove(srv->web_files, path);
	}
	if (!keep)
		return NULL;
	if (srv->web_bytes + (size_t)sb.st_size > WEB_FILES_MAX ||
	    !g_file_get_contents(path, &buf, &len, NULL))
		return NULL;
	if ((off_t)len != sb.st_size) { /* changed while read: next time */
		g_free(buf);
		return NULL;
	}
	f = g_new(struct web_file, 1);
	f->data = g_bytes_new_take(buf, len);
	f->sb = sb;
	f->checked_us = now;
	srv->web_bytes += len;
	g_hash_table_insert(srv->web_files, g_strdup(path), f);
	return f;
}

/* Answer a web/ file kept in memory, as http_resp_file() would (the same
 * validators, so a client's cached copy stays valid). */
static void resp_web_file(struct http_resp *resp, struct http_req *req,
                          const struct web_file *f, const char *ctype,
                          const char *cache)
{
	char etag[64];
	gsize len;
	const void *p = g_bytes_get_data(f->data, &len);

	validators(resp, &f->sb, etag, sizeof(etag));
	http_resp_header(resp, "Cache-Control", cache);
	http_resp_header(resp, "Accept-Ranges", "bytes");
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", ctype);
	if (http_etag_match(http_header(req, "if-none-match"), etag)) {
		resp->status = 304;
		return;
	}
	resp->status = 200;
	g_string_truncate(resp->body, 0);
	g_string_append_len(resp->body, p, (gssize)len);
}

int http_resp_web(struct http_resp *resp, struct http_req *req, const char *rel)
{
	struct http_exchange *x = (struct http_exchange *)req->conn;
	const char *dir = http_exchange_web_dir(x);
	const struct web_file *f;
	char path[2048];
	const char *cache;
	int n;

	if (rel[0] != '/' || !http_path_safe(rel)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such page");
		return ERR_NOT_FOUND;
	}
	n = snprintf(path, sizeof(path), "%s%s", dir, rel);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		http_resp_err(resp, ERR_NOT_FOUND, "no such page");
		return ERR_NOT_FOUND;
	}
	/* Pages revalidate every time; assets carry an ETag and may be
	 * cached for an hour. */
	cache = g_str_has_suffix(path, ".html") ? "no-cache"
	                                        : "public, max-age=3600";
	/* a range (a media player's) is cut from the file on disk */
	if (!http_header(req, "range") && (f = web_file(x->srv, path))) {
		resp_web_file(resp, req, f, http_mime(path), cache);
		return 0;
	}
	return http_resp_file(resp, req, path, http_mime(path), cache);
}
