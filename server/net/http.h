/* http.h — the HTTP and WebSocket front on libwebsockets, on the GLib loop.
 *
 * Requests are read whole (bounded by the route's body limit), routed, and
 * handed to a handler that fills a struct http_resp; the server writes it out
 * from the WRITEABLE callback. A handler may defer its answer (WHEP waits
 * for ICE gathering) and finish it later from the main loop. WebSocket
 * connections on /ws are handed to the hooks below.
 */
#ifndef SINIAN_HTTP_H
#define SINIAN_HTTP_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "router.h"

struct err_detail;

struct metrics;
struct netaddr_set;
struct http_server;
struct http_ws;
struct http_deferred;

struct http_req {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* decoded path, no query */
	const struct route *route;
	struct router_params params;
	const char *body; /* NUL-terminated copy, or NULL */
	size_t body_len;
	char peer[64]; /* client IP */
	void *actor;   /* set by the before hook (auth) */
	void (*actor_free)(void *);
	struct http_conn *conn; /* private */
};

struct http_resp {
	int status;
	char content_type[96];
	GString *body;
	GString *headers; /* extra "Name: value\r\n" lines */
	int file_fd;      /* >= 0: stream file_len bytes from file_off */
	off_t file_off;
	off_t file_len;
	bool close; /* close the connection after this response */
};

typedef void (*http_handler)(void *app, struct http_req *req,
                             struct http_resp *resp);

struct http_hooks {
	void *app;
	/* Runs before the handler of every routed request. Return true to go
	 * on; false if it filled resp (401, 403, 429...). May be NULL. */
	bool (*before)(void *app, struct http_req *req, struct http_resp *resp);
	/* WebSocket life cycle on /ws. Any may be NULL. */
	void (*ws_open)(void *app, struct http_ws *ws);
	void (*ws_text)(void *app, struct http_ws *ws, const char *msg,
	                size_t len);
	void (*ws_close)(void *app, struct http_ws *ws);
};

struct http_config {
	const char *listen; /* "ADDR:PORT" */
	const char *web_dir;
	long max_body_bytes;
	long max_upload_bytes;
	/* open connections one address may hold (0: no cap); peers in
	 * conns_exempt (may be NULL) have none */
	int max_conns_per_addr;
	const struct netaddr_set *conns_exempt;
	int threads; /* lws service threads; 0: one a CPU, at most 4 */
};

/* Create the server, bound and listening on the GLib default main loop.
 * The router, metrics and hooks are borrowed and must outlive the server.
 * Returns 0, ERR_INVALID (bad listen), ERR_IO (cannot bind). */
int http_server_new(const struct http_config *cfg, struct router *router,
                    struct metrics *metrics, const struct http_hooks *hooks,
                    GMainLoop *loop, struct http_server **out);

/* Destroy the server and every connection. NULL is a no-op. */
void http_server_free(struct http_server *srv);

/* Begin graceful shutdown: new requests get 503, WebSockets are closed with
 * 1001, and done(ud) is called once no request is in flight and no
 * WebSocket is open, or after grace_ms. */
void http_server_drain(struct http_server *srv, long grace_ms,
                       void (*done)(void *ud), void *ud);

/* Call fn for every open WebSocket (main loop). fn may send on it or
 * close it. */
void http_server_ws_foreach(struct http_server *srv,
                            void (*fn)(struct http_ws *ws, void *ud), void *ud);

/* Number of open WebSocket connections / HTTP requests in progress. */
unsigned http_server_ws_count(const struct http_server *srv);
unsigned http_server_inflight(const struct http_server *srv);
/* Connections closed at once because their address was at the cap. */
unsigned http_server_conns_refused(const struct http_server *srv);
/* The lws service threads, and the connections open on thread i. */
unsigned http_server_threads(const struct http_server *srv);
unsigned http_server_thread_conns(const struct http_server *srv, unsigned i);

/* Request accessors. Returned strings are borrowed from the request and
 * valid until the response is finished (deferred handlers must copy). */
const char *http_header(struct http_req *req, const char *name);
const char *http_query(struct http_req *req, const char *name);
const char *http_param(struct http_req *req, const char *name);
/* Whether a Content-Type value is the media type type (any parameters
 * after ';' are allowed; case-insensitive). */
bool http_ctype_is(const char *ctype, const char *type);
/* Value of cookie name, or NULL. */
const char *http_cookie(struct http_req *req, const char *name);
/* Parse the query as a positive int64 id; dflt if absent; ERR_INVALID. */
int http_param_id(struct http_req *req, const char *name, int64_t *out);

/* Response builders. */
void http_resp_header(struct http_resp *resp, const char *name,
                      const char *value);
void http_resp_data(struct http_resp *resp, int status, const char *ctype,
                    const void *data, size_t len);
/* Steals the reference to j. */
void http_resp_json(struct http_resp *resp, int status, json_t *j);
/* Uniform error body; status and code from an ERR_* value. */
void http_resp_err(struct http_resp *resp, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answer a lookup that failed with rc: 404 with the message when nothing
 * was found, else rc's own status (a store failure is a 500, never a 404)
 * with a generic message, the reason logged under "store". */
void http_resp_lookup(struct http_resp *resp, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answer a failure rc with the reason e gives: e's code and sentence,
 * except that 401 and 403 keep their uniform codes (the sentence says
 * why) and a failure without a code answers err_name(rc). */
void http_resp_fail(struct http_resp *resp, int rc, const struct err_detail *e);
/* Uniform error body with an explicit status and code. */
void http_resp_errc(struct http_resp *resp, int status, const char *code,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Serve a file with ETag, Last-Modified, Range (206/416) and the given
 * Cache-Control. Returns 0 or an ERR_* (404 filled in on ERR_NOT_FOUND). */
int http_resp_file(struct http_resp *resp, struct http_req *req,
                   const char *path, const char *ctype, const char *cache);
/* Answer data from memory with an ETag (a quoted string) and the given
 * Cache-Control, and Vary: Cookie, Authorization (a shared cache must
 * not hand one visitor's answer to another who signed in): 304 without a
 * body when If-None-Match names the ETag, else 200 with a copy of data. */
void http_resp_tagged(struct http_resp *resp, struct http_req *req,
                      const char *ctype, const void *data, size_t len,
                      const char *etag, const char *cache);
/* Serve web_dir/rel (used by page routes). */
int http_resp_web(struct http_resp *resp, struct http_req *req,
                  const char *rel);
/* True when an If-None-Match value names etag, or a compressed variant
 * of it (see http_zip.c), or is "*"; NULL is false. Weak validators (W/)
 * match their strong form. */
bool http_etag_match(const char *inm, const char *etag);
/* Content type for a file name by extension. */
const char *http_mime(const char *name);
/* Parse a "bytes=a-b" Range header for a file of size bytes: 1 and the
 * inclusive range, 0 when absent or not understood (send it whole), -1
 * when unsatisfiable (416). */
int http_range_parse(const char *h, off_t size, off_t *from, off_t *to);
/* True when a request path has only normal segments (no "..", no
 * hidden files, no backslashes or control characters). */
bool http_path_safe(const char *p);

/* Defer the answer: after the handler returns, nothing is sent until
 * http_deferred_finish(). The request is copied into the deferred handle;
 * fill http_deferred_resp(d) then finish. If the client went away, finish
 * only frees. */
struct http_deferred *http_defer(struct http_req *req);
struct http_resp *http_deferred_resp(struct http_deferred *d);
bool http_deferred_alive(const struct http_deferred *d);
void http_deferred_finish(struct http_deferred *d);

/* WebSocket side. Queue a text message (copied). ERR_GONE once the
 * connection is closing or closed. A peer too slow to take what is sent
 * (over 1024 messages waiting) is closed (1008). */
int http_ws_send(struct http_ws *ws, const char *msg, size_t len);
/* The same without a copy: takes a reference to msg, so one message
 * sent to many sockets is kept once. */
int http_ws_send_bytes(struct http_ws *ws, GBytes *msg);
/* Close with a status code (1000 normal, 1001 going away, 1008 policy). */
void http_ws_close(struct http_ws *ws, int code);
void http_ws_set_data(struct http_ws *ws, void *data);
void *http_ws_get_data(struct http_ws *ws);
const char *http_ws_peer(struct http_ws *ws);
/* Cookie/Authorization captured at upgrade time (borrowed, may be NULL). */
const char *http_ws_auth(struct http_ws *ws);
/* The upgrade request's Origin, Host or X-Forwarded-Proto (name in lower
 * case; borrowed, may be NULL). */
const char *http_ws_header(struct http_ws *ws, const char *name);

#endif
