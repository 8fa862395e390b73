/* counters.h — live counters shared by every node ("memorial:42:flower",
 * "memorial:42:total"), kept in Redis for the hot path, never the record.
 *
 * The record is the store (SQLite): a module that owns counts registers a
 * source for a key prefix, a function that reads the true value of one key
 * from the store. Redis keys ("sinian:cnt:<key>", 7-day expiry renewed on
 * every change) are rebuilt from that source whenever they are missing —
 * expired, or lost in a Redis restart — so callers only ever add deltas
 * after their own transaction has committed.
 *
 *   counters_incr     INCRBY when Redis is up and the key exists; a
 *                     missing key is rebuilt from the source (which
 *                     already holds this change). While Redis is down the
 *                     key is marked, and when Redis is back every marked
 *                     key is rebuilt from its source (or, with no source,
 *                     the local delta is added).
 *   counters_get      Redis's value; the source's when Redis is down.
 *   counters_reconcile compares Redis with the sources, logs and counts the
 *                     keys that disagree, and repairs them if asked.
 *
 * Promise: with every write followed by counters_incr, Redis agrees with
 * the store once writes pause; during a rebuild or a repair that races a
 * concurrent write on another node a key can be off by that write until
 * the next reconcile (cluster.c runs one periodically). Keys without a
 * source are best-effort. With rc NULL everything is local to this process.
 * Main loop only.
 */
#ifndef SINIAN_COUNTERS_H
#define SINIAN_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct counters;
struct redis_conn;

#define COUNTERS_PREFIX  "sinian:cnt:"
#define COUNTERS_KEY_MAX 200

/* Read the authoritative value of key from the store: 0, or an ERR_*
 * (ERR_NOT_FOUND: no such object, the key is skipped). */
typedef int (*counters_source_fn)(void *ud, const char *key, int64_t *out);

/* The answer of counters_get: rc 0 and value, or an ERR_*. */
typedef void (*counters_value_fn)(void *ud, const char *key, int rc,
                                  int64_t value);

struct counters_report {
	unsigned checked;    /* keys compared */
	unsigned mismatched; /* Redis held another value than the store */
	unsigned missing;    /* Redis held nothing (rebuilt on next use) */
	unsigned repaired;   /* set to the store's value */
	unsigned busy;       /* written meanwhile: left for the next pass */
	unsigned failed;     /* no answer from Redis or the source */
};

/* The end of counters_reconcile: rc 0 or ERR_UNAVAILABLE (Redis went
 * down meanwhile; the report covers what was checked). */
typedef void (*counters_done_fn)(void *ud, int rc,
                                 const struct counters_report *report);

struct counters_stats {
	uint64_t incr_redis; /* increments sent to Redis */
	uint64_t incr_local; /* increments kept while Redis was down */
	uint64_t rebuilt;    /* keys set from a source */
	uint64_t mismatches; /* found by reconcile */
	uint64_t repaired;   /* fixed by reconcile */
	uint64_t marked;     /* keys waiting for Redis to come back */
};

/* rc may be NULL (local only) and is borrowed: free the counters first.
 * NULL on allocation failure. */
struct counters *counters_new(struct redis_conn *rc);
/* Pending answers are dropped (their callbacks never run). NULL: no-op. */
void counters_free(struct counters *c);

/* Keys starting with prefix are read from fn (at most 8 prefixes; the
 * longest match wins). 0, ERR_FULL or ERR_INVALID. */
int counters_add_source(struct counters *c, const char *prefix,
                        counters_source_fn fn, void *ud);

/* Add delta to key, after the change is committed in the store. Never
 * fails for a valid key: 0, or ERR_INVALID (empty or over 200 bytes).
 * c NULL: no-op returning 0, so hooks can call it unconditionally. */
int counters_incr(struct counters *c, const char *key, int64_t delta);

/* Read key; done is called exactly once, maybe before this returns.
 * 0, or ERR_INVALID (done not called). */
int counters_get(struct counters *c, const char *key, counters_value_fn done,
                 void *ud);

/* Set key to an authoritative value the caller read from the store. */
int counters_rebuild(struct counters *c, const char *key, int64_t value);
/* The same, reading the value from key's source. 0, ERR_NOT_FOUND (no
 * source), or the source's error. */
int counters_rebuild_from_source(struct counters *c, const char *key);

/* Compare Redis with the sources for keys[0..n) (keys NULL: every key this
 * node has changed since it started, up to 100 000), log each difference,
 * then call done (may be NULL) once. With repair, a key that differs is
 * looked at again half a second later and set to the store's value only
 * if neither the store nor Redis changed meanwhile (else it counts as
 * busy). 0, or ERR_UNAVAILABLE when Redis is down (done not called). */
int counters_reconcile(struct counters *c, const char *const *keys, size_t n,
                       bool repair, counters_done_fn done, void *ud);

void counters_stats(const struct counters *c, struct counters_stats *out);

#endif
