/* http_int.h — private to the HTTP front: the request exchange shared
 * between an lws service thread and the main loop, and what the front's
 * files call of each other. Its users are the front's eight files (http.c,
 * http_conns.c, http_file.c, http_log.c, http_loop.c, http_msg.c,
 * http_ws.c, http_zip.c) and fuzz/fuzz_encoding.c, which feeds
 * http_zip_coding() directly. Everything else includes http.h.
 */
#ifndef SINIAN_HTTP_INT_H
#define SINIAN_HTTP_INT_H

#include "http.h"

#include <ev.h>
#include <glib.h>

struct http_shard;
struct lws;
struct lws_context;
struct lws_protocols;
struct lws_vhost;

/* One request and its response. Refcounted: the lws thread holds a
 * reference while the connection is open, the main loop while it works on
 * the request (and a deferred handle while it waits). */
struct http_exchange {
	gint ref;
	gint dead; /* the connection closed (set by the lws thread) */
	struct http_server *srv;
	struct http_shard *sh; /* the lws thread that owns the connection */
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

/* The server, its WebSockets and each connection's lws user data. */
struct http_ws {
	gint ref;
	gint dead;       /* lws connection closed */
	gint close_code; /* set by main loop, acted on by lws thread */
	struct http_server *srv;
	struct http_shard *sh; /* the lws thread that owns the connection */
	struct lws *wsi;       /* lws thread only */
	gboolean established;  /* lws thread only: the upgrade is done */
	GQueue out;            /* lws thread only: GBytes * not written yet */
	GByteArray *in;        /* lws thread only */
	void *data;            /* main loop only */
	char peer[64];
	char *auth;
	char *hdr[3];    /* origin, host, x-forwarded-proto (ws_hdr_names) */
	gboolean opened; /* main loop saw ws_open */
};

struct http_deferred {
	struct http_exchange *x;
	struct http_resp resp;
};

/* A message for a WebSocket, main loop → its lws thread (http_ws.c). A
 * run of sends of one message on one thread's list holds one reference to
 * it, in the run's first entry. */
struct ws_send {
	struct http_ws *ws; /* with a ref */
	GBytes *msg;        /* NULL: look at ws's close_code */
	gboolean owns_msg;
};

/* One lws service thread: its own lws context on its own libev loop
 * (epoll), the connections handed to it, and the queues the main loop
 * fills for it (http_loop.c). */
struct http_shard {
	struct http_server *srv;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct ev_loop *loop;
	void *foreign[1];
	GThread *thread;
	ev_prepare prepare;
	ev_check check;
	ev_async wake; /* http_kick() and the stop */
	/* main loop → this thread: answers and WebSocket sends, one
	 * wake-up a burst */
	GAsyncQueue *ready_x; /* struct http_exchange * with a ref */
	GMutex ws_lock;       /* guards ws_sends */
	GArray *ws_sends;     /* struct ws_send, in the order sent */
	GArray *ws_taking;    /* this thread: the sends being written */
	gint kicked;          /* woken for the ready queues, or busy */
	/* the accepting thread → this one: sockets to adopt */
	GAsyncQueue *adopt; /* GINT_TO_POINTER(fd + 1) */
	gint pending;       /* sockets on adopt */
	gint conns;         /* connections open on this thread */
	/* this thread only (http_conns.c): struct lws * → struct conn_peer */
	GHashTable *conn_peer;
};

struct http_server {
	struct http_zip *zip;  /* compressed variants (main loop) */
	GHashTable *web_files; /* path → struct web_file (main loop) */
	size_t web_bytes;      /* their sizes, summed */
	struct http_shard *shards;
	int n_shards;
	int listen_fd;
	ev_io accept_w; /* on shards[0]'s loop */
	ev_timer accept_pause;
	gint stop;
	gint draining;
	GMainContext *main_ctx;
	struct router *router;
	struct metrics *metrics;
	struct http_hooks hooks;
	struct http_config cfg;
	char web_dir[1024];
	/* lws threads → main loop: requests to run, one wake-up a burst */
	GAsyncQueue *inbox; /* struct http_exchange * with a ref */
	gint main_kicked;   /* main loop woken for inbox, or draining it */
	GHashTable *ws_set; /* main loop: open struct http_ws * */
	unsigned inflight;  /* main loop: requests being handled */
	gint writing;       /* responses queued or being written */
	guint drain_timer, drain_deadline;
	void (*drain_done)(void *);
	void *drain_ud;
	GString *log_buf; /* main loop: access log lines not yet written */
	guint log_timer;  /* main loop: writes log_buf */
	/* lws threads (http_conns.c): open connections per peer address */
	GMutex conns_lock;  /* guards conns */
	GHashTable *conns;  /* char *peer → count (GUINT_TO_POINTER) */
	gint conns_refused; /* read by the main loop for /metrics */
};

struct conn_pss {
	struct http_exchange *x;
	struct http_ws *ws;
};

/* http_zip.c: compress a finished response for the client, on the main
 * loop, before it is handed to the lws thread. */
struct http_zip;
struct http_zip *http_zip_new(void);
void http_zip_free(struct http_zip *z);
void http_zip_apply(struct http_zip *z, struct http_req *req,
                    struct http_resp *resp);
/* The coding chosen for an Accept-Encoding value: "br", "gzip" or NULL. */
const char *http_zip_coding(const char *accept_encoding);

/* http_file.c: web/'s files kept in memory (main loop). */
GHashTable *http_web_files_new(void);

/* http_msg.c */
void http_resp_init(struct http_resp *r);
void http_resp_clear(struct http_resp *r);

/* http_conns.c (lws thread): count a new connection, false if its
 * address is at the cap (close it); uncount it when lws destroys it. */
bool http_conns_admit(struct http_server *srv, struct lws *wsi);
void http_conns_leave(struct http_server *srv, struct lws *wsi);
/* The peer address of an admitted connection (asked once, when it was
 * admitted), or NULL. */
const char *http_conns_peer(struct lws *wsi);

/* http.c */
char *http_hdr_token(struct lws *wsi, int tok); /* g_free() the result */
char *http_hdr_custom(struct lws *wsi, const char *key); /* "name:" */
void http_conn_closed(struct http_server *srv, struct conn_pss *pss);
/* lws thread, before it waits: write the answers the main loop
 * finished. */
void http_take_answers(struct http_shard *sh);

/* http_write.c (lws thread): write the next piece of x's response; 1
 * once all of it is out, 0 while more waits (a writable callback is asked
 * for), -1 to close. */
int http_write_next(struct http_exchange *x);

/* http_loop.c: the lws service threads. Start them (threads <= 0: one a
 * CPU, at most 4), listening on srv->cfg.listen with the given protocols; stop
 * them (the threads joined, every connection closed). */
int http_loop_start(struct http_server *srv,
                    const struct lws_protocols *protocols, int threads);
void http_loop_stop(struct http_server *srv);
/* After http_loop_stop(), once the ready queues are empty. */
void http_loop_free(struct http_server *srv);
/* The thread that owns wsi (its lws context's). */
struct http_shard *http_shard_of(struct lws *wsi);
/* Wake sh for its ready queues, unless it was woken and has not looked
 * yet. Any thread. */
void http_kick(struct http_shard *sh);

/* http_log.c: the access log (main loop). A request's line, written
 * within 100 ms; and the last lines written, the buffer freed. */
void http_access_log(struct http_server *srv, struct http_exchange *x,
                     size_t len, double secs);
void http_access_log_close(struct http_server *srv);

/* http_ws.c: lws-thread side of a WebSocket, and its release */
void http_ws_release(struct http_ws *ws);
int http_ws_filter(struct http_server *srv, struct lws *wsi,
                   struct conn_pss *pss);
void http_ws_post(struct http_ws *ws, int kind, const void *msg, size_t len);
int http_ws_receive(struct http_ws *ws, const void *in, size_t len);
int http_ws_writeable(struct http_ws *ws);
/* lws thread, before it sleeps: the sends queued since it last looked,
 * written or left waiting on their sockets. */
void http_ws_take_ready(struct http_shard *sh);
/* Release what is still on sh's list (the server stopping). */
void http_ws_drop_ready(struct http_shard *sh);
void http_ws_closed(struct conn_pss *pss);

#endif
