/* ratelimit.c — in-process token buckets behind a replaceable backend.
 *
 * Owns a hash of buckets. Buckets refill continuously; a refused take does
 * not consume. Callers decide the key and the policy; this file only counts.
 */
#include "ratelimit.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>

struct bucket {
	double tokens;
	double per_sec, burst;
	int64_t at_ms;
};

struct ratelimit {
	GHashTable *buckets;
	const struct ratelimit_backend *backend;
	void *impl;
};

struct ratelimit *ratelimit_new(void)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (!rl)
		return NULL;
	rl->buckets =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return rl;
}

void ratelimit_set_backend(struct ratelimit *rl,
                           const struct ratelimit_backend *b, void *impl)
{
	if (rl->backend && rl->backend->free)
		rl->backend->free(rl->impl);
	rl->backend = b;
	rl->impl = impl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	ratelimit_set_backend(rl, NULL, NULL);
	g_hash_table_destroy(rl->buckets);
	free(rl);
}

static bool local_take(struct ratelimit *rl, const char *key, double per_sec,
                       double burst, int64_t now_ms, int64_t *retry_ms)
{
	struct bucket *b = g_hash_table_lookup(rl->buckets, key);

	if (!b) {
		b = g_new0(struct bucket, 1);
		b->tokens = burst;
		b->at_ms = now_ms;
		g_hash_table_insert(rl->buckets, g_strdup(key), b);
	}
	b->per_sec = per_sec;
	b->burst = burst;
	if (now_ms > b->at_ms) {
		b->tokens =
		    fmin(burst, b->tokens + (double)(now_ms - b->at_ms) *
		                                per_sec / 1000.0);
		b->at_ms = now_ms;
	}
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return true;
	}
	*retry_ms = (int64_t)ceil((1.0 - b->tokens) * 1000.0 / per_sec);
	return false;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, double per_sec,
                    double burst, int64_t now_ms, int *retry_after_s)
{
	int64_t retry_ms = 0;
	bool ok;
	int r = -1;

	if (rl->backend)
		r = rl->backend->take(rl->impl, key, per_sec, burst, now_ms,
		                      &retry_ms);
	ok = r >= 0 ? r == 1
	            : local_take(rl, key, per_sec, burst, now_ms, &retry_ms);
	if (!ok && retry_after_s)
		*retry_after_s =
		    retry_ms <= 1000 ? 1 : (int)((retry_ms + 999) / 1000);
	return ok;
}

void ratelimit_sweep(struct ratelimit *rl, int64_t now_ms)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, rl->buckets);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct bucket *b = v;
		double full_ms = b->burst * 1000.0 / b->per_sec;

		if ((double)(now_ms - b->at_ms) > full_ms)
			g_hash_table_iter_remove(&it);
	}
}

unsigned ratelimit_size(const struct ratelimit *rl)
{
	return g_hash_table_size(rl->buckets);
}
