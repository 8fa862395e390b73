/* presence.h — who is in a room ("ceremony:12"), counted across nodes,
 * with expiry so that a node that dies leaves no ghosts.
 *
 * Each room is a Redis sorted set "sinian:presence:<room>" of member →
 * expiry time (Redis's clock, in ms). A node re-adds its own members every
 * refresh period (default 10 s) with an expiry of now + ttl (default 30
 * s); counting first removes the expired members (ZREMRANGEBYSCORE, then
 * ZCARD, in one script). A node that stops refreshing drops out of the
 * count within ttl. After a Redis outage the next refresh (run at once
 * when Redis is back) puts every live member back.
 *
 * Member ids are the caller's (a viewer session id, a WebSocket id): a
 * member present on two nodes counts once. With rc NULL or Redis down,
 * counts cover this node only. Main loop only.
 */
#ifndef SINIAN_PRESENCE_H
#define SINIAN_PRESENCE_H

#include <stddef.h>

struct presence;
struct redis_conn;

#define PRESENCE_PREFIX "sinian:presence:"
#define PRESENCE_ID_MAX 128 /* bytes, for rooms and members */

/* The answer of presence_count: rc 0 and the count of all nodes, or
 * ERR_UNAVAILABLE and this node's count (Redis down). */
typedef void (*presence_count_fn)(void *ud, const char *room, int rc,
                                  unsigned count);

/* rc may be NULL (local only) and is borrowed: free the presence first.
 * ttl_ms / refresh_ms <= 0 take the defaults (30 000 / 10 000); refresh
 * is kept below ttl / 2. NULL on allocation failure. */
struct presence *presence_new(struct redis_conn *rc, long ttl_ms,
                              long refresh_ms);

/* Stop refreshing and forget. Members stay in Redis until they expire,
 * as after a crash; call presence_leave_all first to leave at once.
 * Pending counts are dropped (callbacks never run). NULL: no-op. */
void presence_free(struct presence *p);

/* member is in room / is not any more. 0, or ERR_INVALID (empty or too
 * long). p NULL: no-op returning 0, so hooks can call it unconditionally. */
int presence_join(struct presence *p, const char *room, const char *member);
int presence_leave(struct presence *p, const char *room, const char *member);

/* Remove this node's members from every room now (graceful shutdown). */
void presence_leave_all(struct presence *p);

/* Count room's members on all nodes; done is called exactly once, maybe
 * before this returns. 0, or ERR_INVALID (done not called). */
int presence_count(struct presence *p, const char *room, presence_count_fn done,
                   void *ud);

/* Members of room on this node. */
unsigned presence_local_count(const struct presence *p, const char *room);

#endif
