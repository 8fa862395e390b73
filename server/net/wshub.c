/* wshub.c — WebSocket subscriptions to the bus.
 *
 * Owns each connection's list of bus subscriptions, with the credential
 * (an invite) each was made with. Access to a topic is decided by the
 * registered checks (access.c behind them), when a client subscribes and
 * again whenever rights change (wshub_recheck, from rights.c): a
 * subscription no longer allowed is dropped and the client told. This file
 * only enforces the topic syntax and a per-connection limit. Main loop
 * only.
 */
#include "wshub.h"
#include "app.h"
#include "bus.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WSHUB_MAX_SUBS  32
#define WSHUB_TOPIC_MAX 128

/* One subscription: what the bus calls back with. */
struct wshub_sub {
	struct wshub_conn *wc;
	struct bus_sub *bus;
	char *name;  /* the client's name of the topic */
	char *topic; /* the bus topic followed: may differ from name */
	char *cred;  /* invite shown when subscribing, or NULL */
};

struct wshub_conn {
	struct http_ws *ws;
	int64_t user_id;  /* the account its credentials named at open */
	const char *cred; /* during a check: the subscription's invite */
	char bus_topic[WSHUB_TOPIC_MAX + 1]; /* during a check: see below */
	struct wshub_sub *subs[WSHUB_MAX_SUBS];
	int n;
};

bool wshub_topic_valid(const char *t)
{
	const char *colon = strchr(t, ':');
	size_t n = strlen(t);

	if (!colon || colon == t || n > WSHUB_TOPIC_MAX || colon[1] == '\0')
		return false;
	for (const char *p = t; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return false;
	for (const char *p = colon + 1; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

static void send_json(struct http_ws *ws, json_t *j)
{
	size_t len;
	char *s = jsonx_dump(j, &len);

	if (s)
		http_ws_send(ws, s, len);
	free(s);
	json_decref(j);
}

static void send_error(struct http_ws *ws, int err, const char *msg)
{
	send_json(ws, jsonx_error(err_name(err), msg));
}

/* An error about one topic names it, so clients know which one failed. */
static void send_topic_error(struct http_ws *ws, int err, const char *topic,
                             const char *msg)
{
	json_t *j = jsonx_error(err_name(err), msg);

	json_object_set_new(json_object_get(j, "error"), "topic",
	                    json_string(topic));
	send_json(ws, j);
}

/* The envelope is made once per event and shared by every subscriber. */
static void on_event(void *ud, const struct bus_msg *m)
{
	struct wshub_sub *sub = ud;
	GBytes *env = bus_msg_envelope(m, sub->name);

	if (env)
		http_ws_send_bytes(sub->wc->ws, env);
}

void wshub_open(void *appv, struct http_ws *ws)
{
	struct app *app = appv;
	struct wshub_conn *wc = calloc(1, sizeof(*wc));

	if (!wc) {
		http_ws_close(ws, 1011);
		return;
	}
	wc->ws = ws;
	/* whose sockets to check again when that account's rights change */
	wc->user_id = app->ws_owner ? app->ws_owner(app, ws) : 0;
	http_ws_set_data(ws, wc);
}

static int find(struct wshub_conn *wc, const char *topic)
{
	for (int i = 0; i < wc->n; i++)
		if (strcmp(wc->subs[i]->name, topic) == 0)
			return i;
	return -1;
}

int wshub_register(struct app *app, const char *kind,
                   int (*check)(void *app, struct http_ws *ws,
                                const char *topic))
{
	if (app->n_topics == (int)G_N_ELEMENTS(app->topics))
		return ERR_FULL;
	app->topics[app->n_topics].kind = kind;
	app->topics[app->n_topics].check = check;
	app->n_topics++;
	return 0;
}

static int topic_allowed(struct app *app, struct http_ws *ws,
                         const char *topic);

const char *wshub_credential(struct http_ws *ws)
{
	struct wshub_conn *wc = http_ws_get_data(ws);

	return wc && wc->cred && wc->cred[0] ? wc->cred : NULL;
}

void wshub_set_bus_topic(struct http_ws *ws, const char *bus_topic)
{
	struct wshub_conn *wc = http_ws_get_data(ws);

	if (wc && wshub_topic_valid(bus_topic))
		g_strlcpy(wc->bus_topic, bus_topic, sizeof(wc->bus_topic));
}

/* Runs the topic's check with the subscription's credential; on success
 * wc->bus_topic is what to follow on the bus. */
static int check_topic(struct app *app, struct wshub_conn *wc,
                       const char *topic, const char *cred)
{
	int rc;

	wc->cred = cred;
	g_strlcpy(wc->bus_topic, topic, sizeof(wc->bus_topic));
	rc = topic_allowed(app, wc->ws, topic);
	wc->cred = NULL;
	return rc;
}

static int topic_allowed(struct app *app, struct http_ws *ws, const char *topic)
{
	size_t n = strcspn(topic, ":");

	if (app->topic_check)
		return app->topic_check(app, ws, topic);
	for (int i = 0; i < app->n_topics; i++)
		if (strlen(app->topics[i].kind) == n &&
		    strncmp(app->topics[i].kind, topic, n) == 0)
			return app->topics[i].check(app, ws, topic);
	return ERR_FORBIDDEN;
}

static void drop(struct app *app, struct wshub_conn *wc, int i)
{
	struct wshub_sub *sub = wc->subs[i];

	bus_unsubscribe(app->bus, sub->bus);
	free(sub->name);
	free(sub->topic);
	free(sub->cred);
	free(sub);
	wc->subs[i] = wc->subs[--wc->n];
}

static void subscribe(struct app *app, struct wshub_conn *wc, const char *topic,
                      const char *cred)
{
	struct wshub_sub *sub;
	int rc;

	if (!wshub_topic_valid(topic)) {
		send_topic_error(wc->ws, ERR_INVALID, topic, "malformed topic");
		return;
	}
	if (find(wc, topic) >= 0) {
		send_json(wc->ws, json_pack("{s:s}", "subscribed", topic));
		return;
	}
	if (wc->n == WSHUB_MAX_SUBS) {
		send_topic_error(wc->ws, ERR_FULL, topic,
		                 "too many subscriptions");
		return;
	}
	rc = check_topic(app, wc, topic, cred);
	if (rc) {
		send_topic_error(wc->ws, rc, topic,
		                 "you may not follow this topic");
		return;
	}
	sub = calloc(1, sizeof(*sub));
	if (sub) {
		sub->wc = wc;
		sub->name = strdup(topic);
		sub->topic = strdup(wc->bus_topic);
		sub->cred = cred && *cred ? strdup(cred) : NULL;
		sub->bus =
		    bus_subscribe(app->bus, wc->bus_topic, on_event, sub);
	}
	if (!sub || !sub->bus || !sub->name || !sub->topic) {
		if (sub) {
			if (sub->bus)
				bus_unsubscribe(app->bus, sub->bus);
			free(sub->name);
			free(sub->topic);
			free(sub->cred);
			free(sub);
		}
		send_topic_error(wc->ws, ERR_INTERNAL, topic,
		                 "cannot subscribe");
		return;
	}
	wc->subs[wc->n++] = sub;
	send_json(wc->ws, json_pack("{s:s}", "subscribed", topic));
}

static void unsubscribe(struct app *app, struct wshub_conn *wc,
                        const char *topic)
{
	int i = find(wc, topic);

	if (i < 0)
		return;
	drop(app, wc, i);
	send_json(wc->ws, json_pack("{s:s}", "unsubscribed", topic));
}

void wshub_text(void *appv, struct http_ws *ws, const char *msg, size_t len)
{
	struct app *app = appv;
	struct wshub_conn *wc = http_ws_get_data(ws);
	struct err_detail err = {0};
	json_t *j = NULL;
	const char *topic;

	if (!wc)
		return;
	if (jsonx_parse_object(msg, len, &j, &err)) {
		send_error(ws, ERR_INVALID, err.msg);
		return;
	}
	if ((topic = json_string_value(json_object_get(j, "subscribe")))) {
		const char *cred =
		    json_string_value(json_object_get(j, "invite"));

		subscribe(app, wc, topic,
		          cred && strlen(cred) < 128 ? cred : NULL);
	} else if ((topic =
	                json_string_value(json_object_get(j, "unsubscribe"))))
		unsubscribe(app, wc, topic);
	else if (json_object_get(j, "ping"))
		send_json(ws, json_pack("{s:i}", "pong", 1));
	else
		send_error(ws, ERR_INVALID,
		           "expected subscribe, unsubscribe or ping");
	json_decref(j);
}

void wshub_close(void *appv, struct http_ws *ws)
{
	struct app *app = appv;
	struct wshub_conn *wc = http_ws_get_data(ws);

	if (!wc)
		return;
	while (wc->n)
		drop(app, wc, wc->n - 1);
	free(wc);
	http_ws_set_data(ws, NULL);
}

/* A recheck's question, for each socket of the node. */
struct recheck {
	struct app *app;
	wshub_touched_fn touched;
	void *ud;
};

static void recheck_conn(struct http_ws *ws, void *ud)
{
	const struct recheck *r = ud;
	struct app *app = r->app;
	struct wshub_conn *wc = http_ws_get_data(ws);

	for (int i = wc ? wc->n - 1 : -1; i >= 0; i--) {
		struct wshub_sub *sub = wc->subs[i];
		char *topic;
		int rc;

		if (!r->touched(r->ud, wc->user_id, sub->topic))
			continue;
		rc = check_topic(app, wc, sub->name, sub->cred);
		if (rc == 0 && strcmp(wc->bus_topic, sub->topic) == 0)
			continue;
		topic = strdup(sub->name);
		drop(app, wc, i);
		if (rc == 0)
			rc = ERR_NOT_FOUND; /* now names something else */
		if (topic)
			send_topic_error(ws, rc, topic,
			                 "you may no longer follow this topic");
		free(topic);
	}
}

void wshub_recheck(struct app *app, wshub_touched_fn touched, void *ud)
{
	struct recheck r = {app, touched, ud};

	if (app->http)
		http_server_ws_foreach(app->http, recheck_conn, &r);
}
