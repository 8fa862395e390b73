/* ratelimit.h — token buckets by key ("w:127.0.0.1", "login:<hash>").
 *
 * The in-process backend keeps buckets in memory; a shared backend (Redis)
 * can replace it with ratelimit_set_backend so several nodes count
 * together. Main loop only.
 */
#ifndef SINIAN_RATELIMIT_H
#define SINIAN_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

struct ratelimit_backend {
	const char *name;
	/* Take one token from key's bucket of capacity burst refilled at
	 * per_sec tokens/s. True if allowed; else *retry_ms is set. A backend
	 * that cannot answer returns -1 and the in-process bucket decides. */
	int (*take)(void *impl, const char *key, double per_sec, double burst,
	            int64_t now_ms, int64_t *retry_ms);
	void (*free)(void *impl);
};

struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);
void ratelimit_set_backend(struct ratelimit *rl,
                           const struct ratelimit_backend *b, void *impl);

/* Take a token; now_ms is a monotonic clock in milliseconds (callers pass
 * g_get_monotonic_time()/1000; tests pass their own). Returns true when
 * allowed; when refused, *retry_after_s is the whole seconds to wait (≥1). */
bool ratelimit_take(struct ratelimit *rl, const char *key, double per_sec,
                    double burst, int64_t now_ms, int *retry_after_s);

/* Forget buckets idle for longer than they need to refill (bounded memory). */
void ratelimit_sweep(struct ratelimit *rl, int64_t now_ms);

/* Number of buckets held in memory. */
unsigned ratelimit_size(const struct ratelimit *rl);

#endif
