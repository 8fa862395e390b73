/* wshub.h — the /ws protocol: clients subscribe to bus topics and receive
 * the events published there.
 *
 * Client → server: {"subscribe":"memorial:42"}, {"unsubscribe":"..."},
 * {"ping":1}. Server → client: {"subscribed":"memorial:42"},
 * {"topic":"memorial:42","event":{...}}, {"error":{"code","message"}}.
 */
#ifndef SINIAN_WSHUB_H
#define SINIAN_WSHUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct http_ws;

/* Hooks for http_hooks.ws_open / ws_text / ws_close. */
void wshub_open(void *app, struct http_ws *ws);
void wshub_text(void *app, struct http_ws *ws, const char *msg, size_t len);
void wshub_close(void *app, struct http_ws *ws);

/* Decide who may follow topics of one kind ("ceremony" for
 * "ceremony:42"). Topics of a kind nobody registered are refused. Returns
 * ERR_FULL when the table is full. */
int wshub_register(struct app *app, const char *kind,
                   int (*check)(void *app, struct http_ws *ws,
                                const char *topic));

/* The credential (invite token) the client sent with its latest subscribe
 * message as {"subscribe":"...","invite":"..."}; NULL when none. */
const char *wshub_credential(struct http_ws *ws);

/* Whether a change of rights may touch a subscription to topic held by a
 * socket of account owner (0: anonymous). */
typedef bool (*wshub_touched_fn)(void *ud, int64_t owner, const char *topic);

/* Check again, after a change of rights, every subscription of this node
 * that touched() says the change may touch; drop those no longer allowed
 * and tell the client with {"error":{"code","message","topic"}}. The
 * owner of a socket is app->ws_owner's answer when it opened. */
void wshub_recheck(struct app *app, wshub_touched_fn touched, void *ud);

/* From inside a topic check: the bus topic to follow for the topic the
 * client named, when they differ ("memorial:{slug}" is "memorial:{id}"
 * on the bus). Events still reach the client under its own name. */
void wshub_set_bus_topic(struct http_ws *ws, const char *bus_topic);

/* A topic is "kind:id" with kind in [a-z_] and id in [0-9A-Za-z_-]. */
bool wshub_topic_valid(const char *topic);

#endif
