/* http_log.c — the access log: one line a request, written in batches.
 *
 * Lines are formatted on the main loop when a response is queued and kept
 * in the server's buffer, which is written to the log in one call when it
 * holds ACCESS_LOG_FLUSH_BYTES or ACCESS_LOG_FLUSH_MS after its first
 * line, and when the server is freed. A kill -9 loses at most the lines
 * of the last ACCESS_LOG_FLUSH_MS. Owns nothing but that buffer and its
 * timer; called by http.c only.
 */
#include "http.h"
#include "http_int.h"
#include "log.h"

#include <glib.h>

#define ACCESS_LOG_FLUSH_MS    100
#define ACCESS_LOG_FLUSH_BYTES 16384

static void flush(struct http_server *srv)
{
	if (srv->log_buf && srv->log_buf->len) {
		log_write(srv->log_buf->str, srv->log_buf->len);
		g_string_truncate(srv->log_buf, 0);
	}
}

static gboolean flush_timer(gpointer ud)
{
	struct http_server *srv = ud;

	srv->log_timer = 0;
	flush(srv);
	return G_SOURCE_REMOVE;
}

void http_access_log(struct http_server *srv, struct http_exchange *x,
                     size_t len, double secs)
{
	char prefix[96];

	if (!log_enabled(LOG_INFO))
		return;
	if (!srv->log_buf)
		srv->log_buf =
		    g_string_sized_new(ACCESS_LOG_FLUSH_BYTES + 1024);
	log_prefix(prefix, sizeof(prefix), LOG_INFO, "http");
	g_string_append_printf(srv->log_buf, "%s%s %s %d %zuB %.1fms %s\n",
	                       prefix, x->req.method, x->req.path,
	                       x->resp.status, len, secs * 1000, x->req.peer);
	if (srv->log_buf->len >= ACCESS_LOG_FLUSH_BYTES)
		flush(srv);
	else if (!srv->log_timer)
		srv->log_timer =
		    g_timeout_add(ACCESS_LOG_FLUSH_MS, flush_timer, srv);
}

void http_access_log_close(struct http_server *srv)
{
	if (srv->log_timer)
		g_source_remove(srv->log_timer);
	srv->log_timer = 0;
	flush(srv);
	if (srv->log_buf)
		g_string_free(srv->log_buf, TRUE);
	srv->log_buf = NULL;
}
