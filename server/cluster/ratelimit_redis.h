/* ratelimit_redis.h — the rate-limit backend shared by every node: one
 * token bucket per key in Redis, taken in one Lua script call.
 *
 * The trade-off. struct ratelimit_backend's take() must answer now, and the
 * answer must be exact across nodes (5 writes a minute means 5, whichever
 * nodes they land on), so this backend asks Redis synchronously, on a small
 * blocking hiredis connection of its own, bounded by a tight timeout
 * (default 50 ms for connect and for each call; a loopback or LAN round
 * trip is well under 1 ms). The cost is that a slow Redis can stall the
 * main loop for up to that timeout per write request; three guards keep
 * that rare: no call at all while the async connection (redis_conn) says
 * Redis is down, a failed or slow call opens a breaker for one second, and
 * reads are never limited. The alternative — decide locally at once and
 * reconcile with Redis asynchronously — never blocks but lets a client
 * spread its burst over N nodes and get N times the limit, which is what a
 * shared limit is for. When Redis cannot answer, take() returns -1 and the
 * in-process bucket decides, as with one node.
 *
 * The bucket refills on Redis's clock (TIME inside the script), not the
 * callers' monotonic clocks, which differ between machines. Keys are
 * "sinian:rl:<key>" hashes {tokens, at} with a PEXPIRE of the time to
 * refill plus one second. Main loop only.
 */
#ifndef SINIAN_RATELIMIT_REDIS_H
#define SINIAN_RATELIMIT_REDIS_H

#include <stdint.h>

struct ratelimit;
struct ratelimit_redis;
struct redis_conn;

#define RATELIMIT_REDIS_PREFIX "sinian:rl:"

struct ratelimit_redis_stats {
	uint64_t answered;  /* decided by Redis */
	uint64_t fallbacks; /* left to the in-process bucket */
	uint64_t failures;  /* calls that failed or timed out */
};

/* Make rl ask Redis (the server of rc; rc is borrowed for its state and
 * URL and must outlive the backend: ratelimit_set_backend(rl, NULL, NULL)
 * before redis_conn_free). timeout_ms <= 0: 50. rl owns the backend;
 * *out (may be NULL) is borrowed for stats. 0, ERR_INVALID or ERR_NOMEM. */
int ratelimit_redis_install(struct ratelimit *rl, struct redis_conn *rc,
                            long timeout_ms, struct ratelimit_redis **out);

void ratelimit_redis_stats(const struct ratelimit_redis *rr,
                           struct ratelimit_redis_stats *out);

#endif
