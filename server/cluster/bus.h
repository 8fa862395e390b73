/* bus.h — publish/subscribe of live events by topic ("memorial:42").
 *
 * Subscribers are local (WebSocket connections of this node). Publishing goes
 * through a backend: the in-process one delivers at once to local
 * subscribers; a Redis backend (bus_redis.c) sends to every node, each of
 * which delivers to its own subscribers. All calls on the main loop thread.
 */
#ifndef SINIAN_BUS_H
#define SINIAN_BUS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus;
struct bus_sub;

/* One message being delivered; borrowed for the duration of the call.
 * msg is NUL-terminated. */
struct bus_msg {
	const char *topic;
	const char *msg;
	size_t len;
	GBytes *envelope; /* see bus_msg_envelope() */
	char *alt_name;   /* ... and the one made under another name */
	GBytes *alt_envelope;
};

/* Called for each message on a subscribed topic. */
typedef void (*bus_cb)(void *ud, const struct bus_msg *m);

/* The message as clients get it, {"topic":name,"event":<msg>}, name being
 * the client's name of the topic (NULL: the bus topic; a memorial
 * followed by its slug keeps its slug). Made once per delivery and name,
 * shared by every subscriber using that name (the bus topic's and the
 * last other one are kept; borrowed; take a reference to keep it past
 * the call). NULL when out of memory. */
GBytes *bus_msg_envelope(const struct bus_msg *m, const char *name);

/* How a backend moves messages between nodes. publish must eventually call
 * bus_deliver() on every node (including this one) exactly once. */
struct bus_backend {
	const char *name;
	int (*publish)(void *impl, const char *topic, const char *msg,
	               size_t len);
	/* Told when the first local subscriber of a topic arrives / the last
	 * leaves, so a backend can (un)subscribe upstream. May be NULL. */
	void (*topic_added)(void *impl, const char *topic);
	void (*topic_removed)(void *impl, const char *topic);
	/* True when every message published on topic from now on, by any
	 * node, will be delivered here (the upstream subscription is
	 * confirmed and the link is up). NULL: always. A backend that may
	 * have lost messages calls bus_missed(). */
	bool (*topic_live)(void *impl, const char *topic);
	void (*free)(void *impl);
};

/* A bus with the in-process backend. NULL on allocation failure. */
struct bus *bus_new(void);

/* Replace the backend (the bus owns impl from then on and frees it through
 * backend->free). Existing topics are announced through topic_added. */
void bus_set_backend(struct bus *bus, const struct bus_backend *backend,
                     void *impl);

/* Free the bus, its subscriptions and its backend. NULL is a no-op. */
void bus_free(struct bus *bus);

/* Publish msg on topic. Returns 0 or a negative error from the backend
 * (the in-process backend cannot fail). */
int bus_publish(struct bus *bus, const char *topic, const char *msg,
                size_t len);

/* Subscribe; returns a handle to pass to bus_unsubscribe, NULL on bad topic
 * (empty or over 128 bytes) or allocation failure. */
struct bus_sub *bus_subscribe(struct bus *bus, const char *topic, bus_cb cb,
                              void *ud);
void bus_unsubscribe(struct bus *bus, struct bus_sub *sub);

/* Deliver a message to this node's subscribers (called by backends).
 * Safe against subscribers unsubscribing from within their callback. */
void bus_deliver(struct bus *bus, const char *topic, const char *msg,
                 size_t len);

/* Whether a subscriber of topic on this node hears everything published
 * on it from now on, by any node (backend->topic_live). */
bool bus_topic_live(const struct bus *bus, const char *topic);

/* Told when this node may have missed messages (the backend's link went
 * down, or it saw a gap): whatever was kept because a topic would say
 * when it changes can no longer be trusted. */
typedef void (*bus_missed_fn)(void *ud);
/* Add / remove a watcher (at most 4). 0 or ERR_FULL. */
int bus_on_missed(struct bus *bus, bus_missed_fn fn, void *ud);
void bus_off_missed(struct bus *bus, bus_missed_fn fn, void *ud);
/* Tell the watchers (called by backends, and when the backend changes). */
void bus_missed(struct bus *bus);

/* Number of local subscriptions, total and for one topic. */
size_t bus_subscriptions(const struct bus *bus);
size_t bus_topic_subscribers(const struct bus *bus, const char *topic);

/* Messages published / delivered since start (for /metrics). */
uint64_t bus_published(const struct bus *bus);
uint64_t bus_delivered(const struct bus *bus);

/* Name of the active backend ("local", "redis"). */
const char *bus_backend_name(const struct bus *bus);

#endif
