/* http_int.h — private to http.c and http_file.c: the request exchange
 * shared between the lws service thread and the main loop.
 */
#ifndef SINIAN_HTTP_INT_H
#define SINIAN_HTTP_INT_H

#include "http.h"

#include <glib.h>

/* One request and its response. Refcounted: the lws thread holds a
 * reference while the connection is open, the main loop while it works on
 * the request (and a deferred handle while it waits). */
struct http_exchange {
	gint ref;
	gint dead; /* the connection closed (set by the lws thread) */
	struct http_server *srv;
	struct http_req req;
	struct http_resp resp;
	char *path;
	GHashTable *hdrs; /* lower-case name → value (snapshot) */
	GPtrArray *query; /* "k=v", decoded */
	GByteArray *body;
	size_t body_limit;
	size_t body_seen;
	gboolean too_large;
	gboolean head_only;
	gboolean preset; /* response filled before routing to a handler */
	gboolean queued; /* lws thread: response being written */
	gint64 t0;
	/* lws thread only */
	struct lws *wsi;
	gboolean headers_sent;
	size_t out_off;
	struct http_deferred *def;
};

const char *http_exchange_web_dir(const struct http_exchange *x);

#endif
