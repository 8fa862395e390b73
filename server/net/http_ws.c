/* http_ws.c — WebSocket connections on /ws: the lws-thread side (upgrade
 * filter, frames in and out, close) and the main-loop side (queueing
 * messages, hooks). A message crosses threads on its socket's lws thread's
 * list of sends (struct ws_send), in the order sent, and that thread is
 * woken (http_kick) by the first send after it last took the list: one
 * event sent to 10 000 sockets costs one wake-up a thread and one lock a
 * send, not 10 000 wake-ups. A message sent to many sockets is shared,
 * never copied per socket, and the sends of one message in a row hold one
 * reference to it between them. Only the lws thread touches a socket's
 * queue of what it could not write yet.
 */
#include "err.h"
#include "http.h"
#include "http_int.h"
#include "log.h"
#include "metrics.h"

#include <libwebsockets.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WS_MSG_MAX   65536
#define WS_QUEUE_MAX 1024

/* ---------- WebSockets ---------- */

static struct http_ws *ws_ref(struct http_ws *ws)
{
	g_atomic_int_inc(&ws->ref);
	return ws;
}

void http_ws_release(struct http_ws *ws)
{
	GBytes *b;

	if (!ws || !g_atomic_int_dec_and_test(&ws->ref))
		return;
	while ((b = g_queue_pop_head(&ws->out)))
		g_bytes_unref(b);
	if (ws->in)
		g_byte_array_free(ws->in, TRUE);
	g_free(ws->auth);
	for (size_t i = 0; i < G_N_ELEMENTS(ws->hdr); i++)
		g_free(ws->hdr[i]);
	g_free(ws);
}

/* msg (or, NULL, a close) onto ws's thread's list of sends. The thread is
 * woken when the list was empty: it takes the whole list before it sleeps
 * (http_loop.c), so a send onto a list not yet taken is seen then. */
static void ws_post(struct http_ws *ws, GBytes *msg)
{
	struct http_shard *sh = ws->sh;
	struct ws_send s = {ws_ref(ws), msg, FALSE};
	GArray *a;
	bool was_empty;

	g_mutex_lock(&sh->ws_lock);
	a = sh->ws_sends;
	was_empty = a->len == 0;
	if (msg && (was_empty ||
	            g_array_index(a, struct ws_send, a->len - 1).msg != msg)) {
		g_bytes_ref(msg);
		s.owns_msg = TRUE;
	}
	g_array_append_val(a, s);
	g_mutex_unlock(&sh->ws_lock);
	if (was_empty)
		http_kick(sh);
}

int http_ws_send_bytes(struct http_ws *ws, GBytes *msg)
{
	if (g_atomic_int_get(&ws->close_code) || g_atomic_int_get(&ws->dead))
		return ERR_GONE;
	ws_post(ws, msg);
	return 0;
}

int http_ws_send(struct http_ws *ws, const char *msg, size_t len)
{
	GBytes *b = g_bytes_new(msg, len);
	int rc = http_ws_send_bytes(ws, b);

	g_bytes_unref(b);
	return rc;
}

void http_ws_close(struct http_ws *ws, int code)
{
	g_atomic_int_compare_and_exchange(&ws->close_code, 0, code);
	ws_post(ws, NULL);
}

void http_ws_set_data(struct http_ws *ws, void *data)
{
	ws->data = data;
}

void *http_ws_get_data(struct http_ws *ws)
{
	return ws->data;
}

const char *http_ws_peer(struct http_ws *ws)
{
	return ws->peer;
}

const char *http_ws_auth(struct http_ws *ws)
{
	return ws->auth;
}

/* The upgrade's headers a site check needs, in ws->hdr's order. */
static const char *const ws_hdr_names[] = {"origin", "host",
                                           "x-forwarded-proto"};

const char *http_ws_header(struct http_ws *ws, const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(ws_hdr_names); i++)
		if (!strcmp(name, ws_hdr_names[i]))
			return ws->hdr[i];
	return NULL;
}

/* One message to lws: 0, or -1 if the write failed. */
static int ws_write(struct http_ws *ws, GBytes *b)
{
	unsigned char stack[LWS_PRE + 4096];
	gsize n;
	const unsigned char *data = g_bytes_get_data(b, &n);
	unsigned char *frame =
	    n <= sizeof(stack) - LWS_PRE ? stack : g_malloc(LWS_PRE + n);
	int w;

	memcpy(frame + LWS_PRE, data, n);
	w = lws_write(ws->wsi, frame + LWS_PRE, n, LWS_WRITE_TEXT);
	if (frame != stack)
		g_free(frame);
	return w < (int)n ? -1 : 0;
}

/* Write the next queued message: 1 if one went out, 0 if none was
 * queued, -1 if the write failed. *more says whether others wait. */
static int ws_write_next(struct http_ws *ws, bool *more)
{
	GBytes *b = g_queue_pop_head(&ws->out);
	int rc;

	*more = !g_queue_is_empty(&ws->out);
	if (!b)
		return 0;
	rc = ws_write(ws, b);
	g_bytes_unref(b);
	return rc < 0 ? -1 : 1;
}

/* The writable callback: one message (one lws_write per callback, as lws
 * asks); another callback only when more is queued or a close waits. */
int http_ws_writeable(struct http_ws *ws)
{
	unsigned char why[LWS_PRE + 16];
	bool more;
	int code;
	int rc = ws_write_next(ws, &more);

	if (rc < 0)
		return -1;
	code = g_atomic_int_get(&ws->close_code);
	if (rc > 0) {
		if (more || code)
			lws_callback_on_writable(ws->wsi);
		return 0;
	}
	if (code) {
		const char *text = code == 1001 ? "going away" : "closing";
		size_t n = strlen(text);

		memcpy(why + LWS_PRE, text, n);
		lws_close_reason(ws->wsi, (enum lws_close_status)code,
		                 why + LWS_PRE, n);
		return -1;
	}
	return 0;
}

/* A send taken from the list (lws thread). While nothing of ws waits
 * before it, the kernel takes the message now: asking the event loop for
 * POLLOUT and back costs two epoll_ctl() and a callback per socket, a
 * third of the daemon's CPU for an event 10 000 watch
 * (bench/ws_fanout.mjs). With a close asked for, a socket not yet
 * upgraded, or a send that lws had to buffer, it waits in ws->out for the
 * writable callback, as lws asks; a peer with WS_QUEUE_MAX waiting is
 * closed. A message on the list was sent before any close the main loop
 * asked for (http_ws_send_bytes refuses after), so it is still written. */
static void ws_take(struct http_ws *ws, GBytes *msg)
{
	bool closing = g_atomic_int_get(&ws->close_code) != 0;

	if (msg && !closing && ws->established && g_queue_is_empty(&ws->out) &&
	    !lws_partial_buffered(ws->wsi)) {
		if (ws_write(ws, msg) < 0)
			lws_set_timeout(ws->wsi, PENDING_TIMEOUT_USER_OK,
			                LWS_TO_KILL_ASYNC);
		return;
	}
	/* sent before any close: the writable callback writes it first */
	if (msg && g_queue_get_length(&ws->out) < WS_QUEUE_MAX)
		g_queue_push_tail(&ws->out, g_bytes_ref(msg));
	else if (msg &&
	         g_atomic_int_compare_and_exchange(&ws->close_code, 0, 1008))
		log_warn("ws", "peer %s too slow, closing", ws->peer);
	lws_callback_on_writable(ws->wsi);
}

/* Swap sh's list for the empty one, then the releases after the writes:
 * a run's reference to its message lasts until the run is written. */
static GArray *take_list(struct http_shard *sh)
{
	GArray *a;

	g_mutex_lock(&sh->ws_lock);
	a = sh->ws_sends;
	sh->ws_sends = sh->ws_taking;
	sh->ws_taking = a;
	g_mutex_unlock(&sh->ws_lock);
	return a;
}

static void release_list(GArray *a)
{
	for (guint i = 0; i < a->len; i++) {
		struct ws_send *s = &g_array_index(a, struct ws_send, i);

		if (s->owns_msg)
			g_bytes_unref(s->msg);
		http_ws_release(s->ws);
	}
	g_array_set_size(a, 0);
}

void http_ws_take_ready(struct http_shard *sh)
{
	GArray *a = take_list(sh);

	for (guint i = 0; i < a->len; i++) {
		struct ws_send *s = &g_array_index(a, struct ws_send, i);

		if (!g_atomic_int_get(&s->ws->dead))
			ws_take(s->ws, s->msg);
	}
	release_list(a);
}

void http_ws_drop_ready(struct http_shard *sh)
{
	if (sh->ws_sends)
		release_list(take_list(sh));
}

struct ws_event {
	struct http_ws *ws;
	int kind; /* 0 open, 1 text, 2 close */
	char *msg;
	size_t len;
};

static gboolean ws_event_run(gpointer ud)
{
	struct ws_event *ev = ud;
	struct http_ws *ws = ev->ws;
	struct http_server *srv = ws->srv;
	const struct http_hooks *h = &srv->hooks;

	switch (ev->kind) {
	case 0:
		ws->opened = TRUE;
		g_hash_table_add(srv->ws_set, ws_ref(ws));
		if (h->ws_open)
			h->ws_open(h->app, ws);
		break;
	case 1:
		if (ws->opened && h->ws_text)
			h->ws_text(h->app, ws, ev->msg, ev->len);
		break;
	case 2:
		if (ws->opened) {
			if (h->ws_close)
				h->ws_close(h->app, ws);
			ws->opened = FALSE;
			g_hash_table_remove(srv->ws_set, ws);
			http_ws_release(ws);
		}
		break;
	}
	if (srv->metrics)
		metrics_gauge_set(srv->metrics, "sinian_ws_connections",
		                  "Open WebSocket connections.",
		                  g_hash_table_size(srv->ws_set));
	http_ws_release(ws);
	g_free(ev->msg);
	g_free(ev);
	return G_SOURCE_REMOVE;
}

void http_ws_post(struct http_ws *ws, int kind, const void *msg, size_t len)
{
	struct ws_event *ev = g_new0(struct ws_event, 1);

	ev->ws = ws_ref(ws);
	ev->kind = kind;
	if (msg) {
		ev->msg = g_malloc(len + 1);
		memcpy(ev->msg, msg, len);
		ev->msg[len] = '\0';
		ev->len = len;
	}
	g_main_context_invoke(ws->srv->main_ctx, ws_event_run, ev);
}

int http_ws_receive(struct http_ws *ws, const void *in, size_t len)
{
	if (!ws->in)
		ws->in = g_byte_array_new();
	if (ws->in->len + len > WS_MSG_MAX) {
		g_atomic_int_compare_and_exchange(&ws->close_code, 0, 1009);
		lws_callback_on_writable(ws->wsi);
		return 0;
	}
	g_byte_array_append(ws->in, in, (guint)len);
	if (!lws_is_final_fragment(ws->wsi))
		return 0;
	http_ws_post(ws, 1, ws->in->data, ws->in->len);
	g_byte_array_set_size(ws->in, 0);
	return 0;
}

/* Accept the upgrade only on /ws; remember credentials for the hooks. */
int http_ws_filter(struct http_server *srv, struct lws *wsi,
                   struct conn_pss *pss)
{
	char uri[64];
	struct http_ws *ws;
	char *cookie;

	if (g_atomic_int_get(&srv->draining))
		return 1;
	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
	    strcmp(uri, "/ws") != 0)
		return 1;
	ws = g_new0(struct http_ws, 1);
	ws->ref = 1;
	ws->srv = srv;
	ws->sh = http_shard_of(wsi);
	ws->wsi = wsi;
	g_queue_init(&ws->out);
	lws_get_peer_simple(wsi, ws->peer, sizeof(ws->peer));
	ws->auth = http_hdr_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (!ws->auth &&
	    (cookie = http_hdr_token(wsi, WSI_TOKEN_HTTP_COOKIE))) {
		ws->auth = g_strdup_printf("cookie: %s", cookie);
		g_free(cookie);
	}
	ws->hdr[0] = http_hdr_token(wsi, WSI_TOKEN_ORIGIN);
	ws->hdr[1] = http_hdr_token(wsi, WSI_TOKEN_HOST);
	ws->hdr[2] = http_hdr_custom(wsi, "x-forwarded-proto:");
	http_conn_closed(srv, pss);
	pss->ws = ws;
	return 0;
}

void http_ws_closed(struct conn_pss *pss)
{
	struct http_ws *ws = pss->ws;

	if (!ws)
		return;
	g_atomic_int_set(&ws->dead, 1);
	http_ws_post(ws, 2, NULL, 0);
	pss->ws = NULL;
	http_ws_release(ws);
}
