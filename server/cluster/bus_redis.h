/* bus_redis.h — the bus backend that carries live events between nodes
 * through Redis pub/sub.
 *
 * A topic "memorial:42" is the channel "sinian:bus:memorial:42". Each
 * message is sent as "S1 <node> <seq>\n<event>": the origin node's id
 * (random per process) and a sequence number per topic and origin. Every
 * node, the origin included, delivers a message to its own subscribers
 * when Redis echoes it, and drops any (origin, topic) sequence number it
 * has already delivered: so each message reaches each subscriber once, in
 * the order Redis published it (one order per channel for all nodes).
 *
 * When Redis is down, or this node's subscription to the topic is not
 * confirmed yet, publishing delivers to local subscribers at once (and
 * still publishes when it can): writes keep working and local watchers
 * keep seeing them; other nodes miss what was published during an outage.
 * A PUBLISH that fails in flight is delivered locally if its echo never
 * came. Main loop only.
 */
#ifndef SINIAN_BUS_REDIS_H
#define SINIAN_BUS_REDIS_H

#include <stdint.h>

struct bus;
struct bus_redis;
struct redis_conn;

#define BUS_REDIS_PREFIX "sinian:bus:"

struct bus_redis_stats {
	uint64_t sent;       /* PUBLISHed to Redis */
	uint64_t received;   /* delivered from Redis */
	uint64_t local;      /* delivered locally without Redis */
	uint64_t duplicates; /* dropped: already delivered */
	uint64_t gaps;       /* sequence numbers never seen (lost) */
	uint64_t malformed;  /* messages not in the format above */
};

/* Make bus publish through rc (borrowed: it must outlive the backend,
 * i.e. call bus_set_backend(bus, NULL, NULL) before redis_conn_free).
 * node_id names this node in messages (NULL: a random one; at most 40
 * bytes, no spaces). Existing topics are subscribed. The bus owns the
 * backend; *out (may be NULL) is borrowed for stats. 0 or ERR_NOMEM /
 * ERR_INVALID. */
int bus_redis_install(struct bus *bus, struct redis_conn *rc,
                      const char *node_id, struct bus_redis **out);

void bus_redis_stats(const struct bus_redis *br, struct bus_redis_stats *out);

/* This node's id (borrowed). */
const char *bus_redis_node(const struct bus_redis *br);

#endif
