/* http_ws.c — WebSocket connections on /ws: the lws-thread side (upgrade
 * filter, frames in and out, close) and the main-loop side (queueing
 * messages, hooks). Messages cross threads through a locked queue per
 * socket; a socket with something to send is put once on its lws thread's
 * ready list, and that thread is woken (http_kick) once for all that
 * arrive before it looks: one event sent to 10 000 sockets costs one
 * wake-up a thread, not 10 000. A message sent to many sockets is shared, never
 * copied per socket.
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
	g_mutex_clear(&ws->lock);
	g_free(ws->auth);
	for (size_t i = 0; i < G_N_ELEMENTS(ws->hdr); i++)
		g_free(ws->hdr[i]);
	g_free(ws);
}

/* Put ws on the ready list if it is not there yet, and wake lws if
 * nobody has since it last looked (http_kick). */
static void ws_wake(struct http_ws *ws)
{
	if (g_atomic_int_compare_and_exchange(&ws->wake_pending, 0, 1))
		g_async_queue_push(ws->sh->ready_ws, ws_ref(ws));
	http_kick(ws->sh);
}

int http_ws_send_bytes(struct http_ws *ws, GBytes *msg)
{
	guint n;

	if (g_atomic_int_get(&ws->close_code) || g_atomic_int_get(&ws->dead))
		return ERR_GONE;
	g_mutex_lock(&ws->lock);
	n = g_queue_get_length(&ws->out);
	if (n < WS_QUEUE_MAX)
		g_queue_push_tail(&ws->out, g_bytes_ref(msg));
	g_mutex_unlock(&ws->lock);
	if (n >= WS_QUEUE_MAX) {
		log_warn("ws", "peer %s too slow, closing", ws->peer);
		http_ws_close(ws, 1008);
		return ERR_FULL;
	}
	ws_wake(ws);
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
	ws_wake(ws);
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

/* Write the next queued message: 1 if one went out, 0 if none was
 * queued, -1 if the write failed. *more says whether others wait. */
static int ws_write_next(struct http_ws *ws, bool *more)
{
	unsigned char stack[LWS_PRE + 4096];
	GBytes *b;
	gsize n;
	const unsigned char *data;
	unsigned char *frame;
	int w;

	g_mutex_lock(&ws->lock);
	b = g_queue_pop_head(&ws->out);
	*more = !g_queue_is_empty(&ws->out);
	g_mutex_unlock(&ws->lock);
	if (!b)
		return 0;
	data = g_bytes_get_data(b, &n);
	frame = n <= sizeof(stack) - LWS_PRE ? stack : g_malloc(LWS_PRE + n);
	memcpy(frame + LWS_PRE, data, n);
	w = lws_write(ws->wsi, frame + LWS_PRE, n, LWS_WRITE_TEXT);
	if (frame != stack)
		g_free(frame);
	g_bytes_unref(b);
	return w < (int)n ? -1 : 1;
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

/* A socket with news (lws thread). While lws holds nothing unsent of an
 * earlier message, the kernel takes the new ones now: asking the event
 * loop for POLLOUT and back costs two epoll_ctl() and a callback per
 * socket, a third of the daemon's CPU for an event 10 000 watch
 * (bench/ws_fanout.mjs). A close, a socket
 * not yet upgraded, or a send that lws had to buffer waits for the
 * writable callback, as lws asks. */
static void ws_flush(struct http_ws *ws)
{
	bool more = true;
	int rc = 1;

	while (ws->established && rc > 0 && more &&
	       !g_atomic_int_get(&ws->close_code) &&
	       !lws_partial_buffered(ws->wsi))
		rc = ws_write_next(ws, &more);
	if (rc < 0)
		lws_set_timeout(ws->wsi, PENDING_TIMEOUT_USER_OK,
		                LWS_TO_KILL_ASYNC);
	else if (more || g_atomic_int_get(&ws->close_code))
		lws_callback_on_writable(ws->wsi);
}

void http_ws_take_ready(struct http_shard *sh)
{
	struct http_ws *ws;

	while ((ws = g_async_queue_try_pop(sh->ready_ws))) {
		g_atomic_int_set(&ws->wake_pending, 0);
		if (!g_atomic_int_get(&ws->dead))
			ws_flush(ws);
		http_ws_release(ws);
	}
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
	g_mutex_init(&ws->lock);
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
