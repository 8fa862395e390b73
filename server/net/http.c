/* http.c — the HTTP and WebSocket front: libwebsockets in service
 * threads of its own (http_loop.c), requests handled on the GLib main loop.
 *
 * An lws thread reads requests (headers snapshot, bounded body), routes
 * them, and queues each for the main loop, waking it (one
 * g_main_context_invoke()) only when it is not already awake for the queue;
 * the main loop runs the policy hook and the handler and queues the
 * response back to the thread that owns the connection, waking it
 * (http_kick()) likewise once a burst. Neither side is woken while it is
 * still busy: it takes what was queued meanwhile before it sleeps again.
 * WebSocket messages travel the same two ways. The access log is written
 * in batches (http_log.c).
 *
 * Owns connections and buffers; knows nothing of the domain.
 */
#include "http.h"
#include "err.h"
#include "http_int.h"
#include "jsonx.h"
#include "log.h"
#include "metrics.h"

#include <libwebsockets.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INBOX_BATCH 256

/* ---------- exchanges ---------- */

static struct http_exchange *x_new(struct http_server *srv, struct lws *wsi)
{
	struct http_exchange *x = g_new0(struct http_exchange, 1);

	x->ref = 1;
	x->srv = srv;
	x->sh = http_shard_of(wsi);
	x->wsi = wsi;
	x->t0 = g_get_monotonic_time();
	http_resp_init(&x->resp);
	x->hdrs =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	x->query = g_ptr_array_new_with_free_func(g_free);
	x->req.conn = (struct http_conn *)x;
	return x;
}

static struct http_exchange *x_ref(struct http_exchange *x)
{
	g_atomic_int_inc(&x->ref);
	return x;
}

static void x_unref(struct http_exchange *x)
{
	if (!x || !g_atomic_int_dec_and_test(&x->ref))
		return;
	if (x->req.actor && x->req.actor_free)
		x->req.actor_free(x->req.actor);
	http_resp_clear(&x->resp);
	g_free(x->path);
	if (x->body)
		g_byte_array_free(x->body, TRUE);
	g_hash_table_destroy(x->hdrs);
	g_ptr_array_free(x->query, TRUE);
	g_free(x);
}

static struct http_exchange *X(struct http_req *req)
{
	return (struct http_exchange *)req->conn;
}

const char *http_exchange_web_dir(const struct http_exchange *x)
{
	return x->srv->web_dir;
}

/* ---------- reading a request (lws thread) ---------- */

static const struct {
	const char *name;
	enum lws_token_indexes tok;
} known_hdrs[] = {
    {"content-type", WSI_TOKEN_HTTP_CONTENT_TYPE},
    {"authorization", WSI_TOKEN_HTTP_AUTHORIZATION},
    {"cookie", WSI_TOKEN_HTTP_COOKIE},
    {"origin", WSI_TOKEN_ORIGIN},
    {"range", WSI_TOKEN_HTTP_RANGE},
    {"if-none-match", WSI_TOKEN_HTTP_IF_NONE_MATCH},
    {"if-range", WSI_TOKEN_HTTP_IF_RANGE},
    {"user-agent", WSI_TOKEN_HTTP_USER_AGENT},
    {"x-forwarded-for", WSI_TOKEN_X_FORWARDED_FOR},
    {"host", WSI_TOKEN_HOST},
    {"referer", WSI_TOKEN_HTTP_REFERER},
    {"accept", WSI_TOKEN_HTTP_ACCEPT},
    {"accept-language", WSI_TOKEN_HTTP_ACCEPT_LANGUAGE},
    {"accept-encoding", WSI_TOKEN_HTTP_ACCEPT_ENCODING},
    {"content-length", WSI_TOKEN_HTTP_CONTENT_LENGTH},
};

/* Custom (non-token) headers handlers may read. */
static const char *const custom_hdrs[] = {
    "x-csrf-token:",   "x-forwarded-proto:", "if-match:",
    "sec-fetch-site:", "forwarded:",
};

char *http_hdr_token(struct lws *wsi, int token)
{
	enum lws_token_indexes tok = (enum lws_token_indexes)token;
	int n = lws_hdr_total_length(wsi, tok);
	char *buf;

	if (n <= 0)
		return NULL;
	buf = g_malloc((size_t)n + 1);
	if (lws_hdr_copy(wsi, buf, n + 1, tok) < 0) {
		g_free(buf);
		return NULL;
	}
	return buf;
}

char *http_hdr_custom(struct lws *wsi, const char *key)
{
	int klen = (int)strlen(key);
	int n = lws_hdr_custom_length(wsi, key, klen);
	char *buf;

	if (n <= 0)
		return NULL;
	buf = g_malloc((size_t)n + 1);
	if (lws_hdr_custom_copy(wsi, buf, n + 1, key, klen) < 0) {
		g_free(buf);
		return NULL;
	}
	return buf;
}

static void snapshot_headers(struct http_exchange *x, struct lws *wsi)
{
	char buf[2048];
	int i = 0, n;

	for (size_t k = 0; k < G_N_ELEMENTS(known_hdrs); k++) {
		char *v = http_hdr_token(wsi, known_hdrs[k].tok);

		if (v)
			g_hash_table_insert(x->hdrs,
			                    g_strdup(known_hdrs[k].name), v);
	}
	for (size_t k = 0; k < G_N_ELEMENTS(custom_hdrs); k++) {
		char *v = http_hdr_custom(wsi, custom_hdrs[k]);

		if (v)
			g_hash_table_insert(
			    x->hdrs,
			    g_strndup(custom_hdrs[k],
			              strlen(custom_hdrs[k]) - 1),
			    v);
	}
	while ((n = lws_hdr_copy_fragment(wsi, buf, sizeof(buf),
	                                  WSI_TOKEN_HTTP_URI_ARGS, i)) > 0) {
		g_ptr_array_add(x->query, g_strndup(buf, (gsize)n));
		i++;
	}
}

/* ---------- handing over between threads ---------- */

/* Queue a finished response for the lws thread (takes a reference). */
static void x_respond(struct http_exchange *x)
{
	struct http_server *srv = x->srv;
	double secs;
	const char *route = x->req.route ? x->req.route->pattern : "static";
	size_t len;

	http_zip_apply(srv->zip, &x->req, &x->resp);
	secs = (double)(g_get_monotonic_time() - x->t0) / 1e6;
	len =
	    x->resp.file_fd >= 0 ? (size_t)x->resp.file_len : x->resp.body->len;

	if (srv->metrics)
		metrics_request(srv->metrics, x->req.method, route,
		                x->resp.status, secs);
	http_access_log(srv, x, len, secs);
	g_atomic_int_inc(&srv->writing);
	g_async_queue_push(x->sh->ready_x, x_ref(x));
	http_kick(x->sh);
}

static void serve_static(struct http_req *req, struct http_resp *resp)
{
	const char *p = strcmp(req->path, "/") == 0 ? "/index.html" : req->path;

	const char *accept = http_header(req, "accept");

	if (http_resp_web(resp, req, p) != ERR_NOT_FOUND)
		return;
	/* a person following a dead link gets the page, a client JSON */
	if (accept && strstr(accept, "text/html") &&
	    http_resp_web(resp, req, "/404.html") == 0) {
		resp->status = 404;
		return;
	}
	http_resp_err(resp, ERR_NOT_FOUND, "no such page: %.200s", req->path);
}

/* Main loop: run policy and handler for one request. */
static gboolean x_run(gpointer ud)
{
	struct http_exchange *x = ud;
	struct http_server *srv = x->srv;
	struct http_req *req = &x->req;
	const struct route *rt = req->route;

	if (g_atomic_int_get(&x->dead) || g_atomic_int_get(&srv->stop))
		goto out;
	srv->inflight++;
	if (x->too_large) {
		http_resp_err(&x->resp, ERR_TOO_LARGE,
		              "request body larger than %zu bytes",
		              x->body_limit);
		x->resp.close = true;
	} else if (x->preset) {
		/* the lws thread already filled the answer */
	} else if (!rt) {
		serve_static(req, &x->resp);
	} else if (!srv->hooks.before ||
	           srv->hooks.before(srv->hooks.app, req, &x->resp)) {
		((http_handler)rt->handler)(srv->hooks.app, req, &x->resp);
		if (x->def)
			goto out; /* answered later by http_deferred_finish */
	}
	srv->inflight--;
	x_respond(x);
out:
	x_unref(x);
	return G_SOURCE_REMOVE;
}

/* Main loop: run every request the lws thread handed over, and those it
 * hands over meanwhile, without being woken again; after INBOX_BATCH
 * requests the main loop's other sources get their turn first. */
static gboolean inbox_drain(gpointer ud)
{
	struct http_server *srv = ud;
	struct http_exchange *x;
	int n = 0;

	for (;;) {
		while (n < INBOX_BATCH &&
		       (x = g_async_queue_try_pop(srv->inbox))) {
			x_run(x);
			n++;
		}
		if (n >= INBOX_BATCH)
			return G_SOURCE_CONTINUE;
		/* from here on, a new request wakes the main loop again;
		 * one queued just before is taken now */
		g_atomic_int_set(&srv->main_kicked, 0);
		if (g_async_queue_length(srv->inbox) <= 0 ||
		    !g_atomic_int_compare_and_exchange(&srv->main_kicked, 0, 1))
			return G_SOURCE_REMOVE;
	}
}

/* lws thread: hand x to the main loop, waking it once a burst. */
static void x_dispatch(struct http_exchange *x)
{
	struct http_server *srv = x->srv;

	if (x->body) {
		g_byte_array_append(x->body, (const guint8 *)"", 1);
		x->req.body = (const char *)x->body->data;
		x->req.body_len = x->body->len - 1;
	}
	g_async_queue_push(srv->inbox, x_ref(x));
	if (g_atomic_int_compare_and_exchange(&srv->main_kicked, 0, 1))
		g_main_context_invoke(srv->main_ctx, inbox_drain, srv);
}

/* ---------- deferred answers (main loop) ---------- */

struct http_deferred *http_defer(struct http_req *req)
{
	struct http_deferred *d = g_new0(struct http_deferred, 1);
	struct http_exchange *x = X(req);

	d->x = x_ref(x);
	http_resp_init(&d->resp);
	x->def = d;
	return d;
}

struct http_resp *http_deferred_resp(struct http_deferred *d)
{
	return &d->resp;
}

bool http_deferred_alive(const struct http_deferred *d)
{
	return !g_atomic_int_get(&d->x->dead);
}

void http_deferred_finish(struct http_deferred *d)
{
	struct http_exchange *x = d->x;

	http_resp_clear(&x->resp);
	x->resp = d->resp;
	x->def = NULL;
	x->srv->inflight--;
	if (!g_atomic_int_get(&x->dead) && !g_atomic_int_get(&x->srv->stop))
		x_respond(x);
	x_unref(x);
	g_free(d);
}

/* ---------- writing a response (lws thread) ---------- */

/* Write the next piece of the response (http_write.c); once all of it is
 * out, let the exchange go and keep the connection for the next request,
 * or close it. Returns -1 to close. */
static int x_writeable(struct conn_pss *pss)
{
	struct http_exchange *x = pss->x;
	struct lws *wsi = x->wsi;
	bool close_after;
	int rc = http_write_next(x);

	if (rc <= 0)
		return rc;
	close_after = x->resp.close || g_atomic_int_get(&x->srv->draining);
	g_atomic_int_dec_and_test(&x->srv->writing);
	pss->x = NULL;
	x_unref(x);
	if (close_after)
		return -1;
	if (lws_http_transaction_completed(wsi))
		return -1;
	return 0;
}

/* ---------- the lws thread: requests ---------- */

static const char *const method_names[] = {
    "GET", "POST", "OPTIONS", "PUT", "PATCH", "DELETE", "CONNECT", "HEAD",
};

static void x_route(struct http_server *srv, struct http_exchange *x)
{
	char allow[128];
	int rc;

	rc = router_match(srv->router, x->req.method, x->path, &x->req.route,
	                  &x->req.params, allow, sizeof(allow));
	if (rc == ERR_METHOD) {
		http_resp_err(&x->resp, ERR_METHOD, "%s not allowed here",
		              x->req.method);
		http_resp_header(&x->resp, "Allow", allow);
	} else if (rc == ERR_NOT_FOUND &&
	           (strncmp(x->path, "/api/", 5) == 0 ||
	            (strcmp(x->req.method, "GET") && !x->head_only))) {
		http_resp_err(&x->resp, ERR_NOT_FOUND,
		              "no such endpoint: %s %.200s", x->req.method,
		              x->path);
	} else {
		if (rc)
			x->req.route = NULL; /* a static file */
		return;
	}
	x->req.route = NULL;
	x->preset = TRUE; /* answered already; no handler */
}

/* The request's Content-Length: absent (0), or one decimal number. lws
 * joins repeated headers with commas, so a duplicate (even of the same
 * value) is refused: two lengths are how bodies are smuggled past a
 * proxy. False when malformed. */
static bool read_content_length(struct lws *wsi, long long *out)
{
	char v[32];
	int n = lws_hdr_copy(wsi, v, sizeof(v), WSI_TOKEN_HTTP_CONTENT_LENGTH);

	*out = 0;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return true;
	if (n <= 0 || n > 18 || v[strspn(v, "0123456789")] != '\0')
		return false;
	*out = strtoll(v, NULL, 10);
	return true;
}

/* Answer x now with the response already set, and close: its body, if
 * any, is not read. */
static void answer_now(struct http_exchange *x)
{
	x->resp.close = true;
	x->preset = TRUE;
	x_dispatch(x);
	x->body_seen = (size_t)-1;
}

static int on_http(struct http_server *srv, struct lws *wsi,
                   struct conn_pss *pss, const char *uri)
{
	struct http_exchange *x = x_new(srv, wsi);
	const char *peer;
	char *uri_ptr = NULL;
	int uri_len = 0, m;
	long long content_length = 0;

	if (pss->x)
		x_unref(pss->x);
	pss->x = x;
	m = lws_http_get_uri_and_method(wsi, &uri_ptr, &uri_len);
	x->req.method = (m >= 0 && m < (int)G_N_ELEMENTS(method_names))
	                    ? method_names[m]
	                    : "GET";
	x->head_only = strcmp(x->req.method, "HEAD") == 0;
	x->path = g_strdup(uri);
	x->req.path = x->path;
	peer = http_conns_peer(wsi);
	if (peer)
		g_strlcpy(x->req.peer, peer, sizeof(x->req.peer));
	else
		lws_get_peer_simple(wsi, x->req.peer, sizeof(x->req.peer));
	snapshot_headers(x, wsi);
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0 &&
	    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0) {
		/* chunked request bodies are not read: ask for a length */
		http_resp_errc(&x->resp, 411, "length_required",
		               "send the body with a Content-Length");
		answer_now(x);
		return 0;
	}
	if (!read_content_length(wsi, &content_length)) {
		http_resp_errc(
		    &x->resp, 400, "invalid",
		    "Content-Length must be given once, as a number");
		answer_now(x);
		return 0;
	}
	if (!g_utf8_validate(uri, -1, NULL)) {
		/* no name of ours is anything but UTF-8 */
		http_resp_errc(&x->resp, 404, "not_found", "no such page");
		answer_now(x);
		return 0;
	}
	if (g_atomic_int_get(&srv->draining)) {
		http_resp_errc(&x->resp, 503, "shutting_down",
		               "sinian is shutting down");
		x->resp.close = true;
		x->preset = TRUE;
	} else {
		x_route(srv, x);
	}
	x->body_limit =
	    (size_t)((x->req.route && (x->req.route->flags & ROUTE_UPLOAD))
	                 ? srv->cfg.max_upload_bytes
	                 : srv->cfg.max_body_bytes);
	if (content_length > 0) {
		if ((unsigned long long)content_length > x->body_limit) {
			x->too_large = TRUE;
			if ((unsigned long long)content_length >
			    8ull * x->body_limit) {
				x->resp.close = true;
				x_dispatch(x); /* answer now, then close */
				x->body_seen = (size_t)-1;
			}
		} else if (!x->preset) {
			x->body =
			    g_byte_array_sized_new((guint)content_length + 1);
		}
		return 0; /* wait for LWS_CALLBACK_HTTP_BODY_COMPLETION */
	}
	x_dispatch(x);
	/* lws may still report the completion of an empty body
	 * ("Content-Length: 0"): the request must not run twice */
	x->body_seen = (size_t)-1;
	return 0;
}

static void on_body(struct http_exchange *x, const void *in, size_t len)
{
	if (!x || x->body_seen == (size_t)-1)
		return;
	x->body_seen += len;
	if (x->body_seen > x->body_limit) {
		x->too_large = TRUE;
		if (x->body) {
			g_byte_array_free(x->body, TRUE);
			x->body = NULL;
		}
		return;
	}
	if (x->body)
		g_byte_array_append(x->body, in, (guint)len);
}

static void on_body_done(struct http_exchange *x)
{
	if (!x || x->body_seen == (size_t)-1)
		return;
	x_dispatch(x);
}

void http_take_answers(struct http_shard *sh)
{
	struct http_server *srv = sh->srv;
	struct http_exchange *x;

	while ((x = g_async_queue_try_pop(sh->ready_x))) {
		if (g_atomic_int_get(&x->dead)) {
			g_atomic_int_dec_and_test(&srv->writing);
		} else {
			x->queued = TRUE;
			lws_callback_on_writable(x->wsi);
		}
		x_unref(x);
	}
}

void http_conn_closed(struct http_server *srv, struct conn_pss *pss)
{
	struct http_exchange *x = pss->x;

	if (!x)
		return;
	g_atomic_int_set(&x->dead, 1);
	if (x->queued)
		g_atomic_int_dec_and_test(&srv->writing);
	pss->x = NULL;
	x_unref(x);
}

/* ---------- the lws callback and thread ---------- */

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason,
                         void *user, void *in, size_t len)
{
	struct http_server *srv = http_shard_of(wsi)->srv;
	struct conn_pss *pss = user;

	switch (reason) {
	case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
		return http_conns_admit(srv, wsi) ? 0 : -1;
	case LWS_CALLBACK_HTTP: return on_http(srv, wsi, pss, in);
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		/* WebSocket only: an h2c upgrade is refused (400), never
		 * taken, so nothing behind a proxy speaks HTTP/2 unseen */
		if (in && !g_ascii_strcasecmp(in, "websocket"))
			return 0;
		return lws_return_http_status(wsi, HTTP_STATUS_BAD_REQUEST,
		                              "upgrade refused") ||
		               lws_http_transaction_completed(wsi)
		           ? -1
		           : 1;
	case LWS_CALLBACK_HTTP_BODY: on_body(pss->x, in, len); return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION: on_body_done(pss->x); return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return (pss && pss->x && pss->x->queued) ? x_writeable(pss) : 0;
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss)
			http_conn_closed(srv, pss);
		return 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return http_ws_filter(srv, wsi, pss);
	case LWS_CALLBACK_ESTABLISHED:
		if (pss->ws) {
			pss->ws->established = TRUE;
			http_ws_post(pss->ws, 0, NULL, 0);
		}
		return 0;
	case LWS_CALLBACK_RECEIVE:
		return pss->ws ? http_ws_receive(pss->ws, in, len) : 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return pss->ws ? http_ws_writeable(pss->ws) : 0;
	case LWS_CALLBACK_CLOSED: http_ws_closed(pss); return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		http_conns_leave(srv, wsi);
		if (pss) {
			http_conn_closed(srv, pss);
			http_ws_closed(pss);
		}
		return 0;
	default: break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
    {"http", http_callback, sizeof(struct conn_pss), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void lws_log_emit(int level, const char *line)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (level & LLL_ERR)
		log_error("lws", "%.*s", (int)n, line);
	else
		log_warn("lws", "%.*s", (int)n, line);
}

int http_server_new(const struct http_config *cfg, struct router *router,
                    struct metrics *metrics, const struct http_hooks *hooks,
                    GMainLoop *loop, struct http_server **out)
{
	struct http_server *srv = g_new0(struct http_server, 1);

	srv->router = router;
	srv->metrics = metrics;
	srv->hooks = *hooks;
	srv->cfg = *cfg;
	srv->listen_fd = -1;
	srv->main_ctx = g_main_loop_get_context(loop);
	snprintf(srv->web_dir, sizeof(srv->web_dir), "%s", cfg->web_dir);
	srv->ws_set = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_mutex_init(&srv->conns_lock);
	srv->conns =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	srv->zip = http_zip_new();
	srv->web_files = http_web_files_new();
	srv->inbox = g_async_queue_new();

	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_emit);
	if (http_loop_start(srv, protocols, cfg->threads)) {
		http_server_free(srv);
		return ERR_IO;
	}
	*out = srv;
	return 0;
}

static void drop_ready(struct http_server *srv)
{
	gpointer p;

	while ((p = g_async_queue_try_pop(srv->inbox)))
		x_unref(p);
	for (int i = 0; i < srv->n_shards; i++) {
		while ((p = g_async_queue_try_pop(srv->shards[i].ready_x)))
			x_unref(p);
		http_ws_drop_ready(&srv->shards[i]);
	}
}

void http_server_free(struct http_server *srv)
{
	GHashTableIter it;
	gpointer ws;

	if (!srv)
		return;
	if (srv->drain_timer)
		g_source_remove(srv->drain_timer);
	if (srv->drain_deadline)
		g_source_remove(srv->drain_deadline);
	http_loop_stop(srv);
	/* run what the lws threads posted before they stopped */
	while (g_main_context_iteration(srv->main_ctx, FALSE))
		;
	g_hash_table_iter_init(&it, srv->ws_set);
	while (g_hash_table_iter_next(&it, &ws, NULL)) {
		if (srv->hooks.ws_close)
			srv->hooks.ws_close(srv->hooks.app, ws);
		http_ws_release(ws);
	}
	drop_ready(srv);
	http_loop_free(srv);
	http_access_log_close(srv);
	g_async_queue_unref(srv->inbox);
	g_hash_table_destroy(srv->ws_set);
	g_hash_table_destroy(srv->conns);
	g_mutex_clear(&srv->conns_lock);
	http_zip_free(srv->zip);
	g_hash_table_destroy(srv->web_files);
	g_free(srv);
}

void http_server_ws_foreach(struct http_server *srv,
                            void (*fn)(struct http_ws *ws, void *ud), void *ud)
{
	GList *all = g_hash_table_get_keys(srv->ws_set);

	for (GList *l = all; l; l = l->next)
		fn(l->data, ud);
	g_list_free(all);
}

unsigned http_server_ws_count(const struct http_server *srv)
{
	return g_hash_table_size(srv->ws_set);
}

unsigned http_server_inflight(const struct http_server *srv)
{
	return srv->inflight;
}

static void drain_finish(struct http_server *srv)
{
	void (*done)(void *) = srv->drain_done;

	srv->drain_done = NULL;
	if (srv->drain_timer)
		g_source_remove(srv->drain_timer);
	if (srv->drain_deadline)
		g_source_remove(srv->drain_deadline);
	srv->drain_timer = srv->drain_deadline = 0;
	if (done)
		done(srv->drain_ud);
}

static gboolean drain_poll(gpointer ud)
{
	struct http_server *srv = ud;

	if (srv->inflight == 0 && g_atomic_int_get(&srv->writing) <= 0 &&
	    g_hash_table_size(srv->ws_set) == 0) {
		srv->drain_timer = 0;
		drain_finish(srv);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean drain_timeout(gpointer ud)
{
	struct http_server *srv = ud;

	log_warn("http", "shutdown grace over: %u requests, %u websockets",
	         srv->inflight, g_hash_table_size(srv->ws_set));
	srv->drain_deadline = 0;
	drain_finish(srv);
	return G_SOURCE_REMOVE;
}

void http_server_drain(struct http_server *srv, long grace_ms,
                       void (*done)(void *ud), void *ud)
{
	GHashTableIter it;
	gpointer ws;

	g_atomic_int_set(&srv->draining, 1);
	srv->drain_done = done;
	srv->drain_ud = ud;
	g_hash_table_iter_init(&it, srv->ws_set);
	while (g_hash_table_iter_next(&it, &ws, NULL))
		http_ws_close(ws, 1001);
	srv->drain_timer = g_timeout_add(20, drain_poll, srv);
	srv->drain_deadline = g_timeout_add(
	    (guint)(grace_ms > 0 ? grace_ms : 1), drain_timeout, srv);
}
