/* cluster.h — what several sinian nodes share: with redis_url set, live
 * events (bus), rate limits and presence go through Redis;
 * without it the same objects run in-process. The store stays per node
 * (docs/scaling.md).
 *
 * api_start calls cluster_start after the rate limits exist and api_stop
 * calls cluster_stop before they go. Handlers and domain hooks reach the
 * presence through app->cluster; every function here accepts
 * NULL (a CLI run, a unit test without the daemon) and then does nothing.
 * Main loop only.
 */
#ifndef SINIAN_CLUSTER_H
#define SINIAN_CLUSTER_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

struct app;
struct cluster;
struct metrics;
struct presence;

/* Create app->cluster. With cfg.redis_url set: connect (the daemon starts
 * even if Redis is down, degraded), and put the Redis backends under
 * app->bus and app->ratelimit. 0, or ERR_INVALID (bad URL, reason in
 * err) / ERR_NOMEM. */
int cluster_start(struct app *app, struct err_detail *e);

/* Leave presence rooms, restore the in-process backends, disconnect,
 * free app->cluster. No-op when there is none. */
void cluster_stop(struct app *app);

/* "up" or "down" when Redis is configured, NULL when it is not. */
const char *cluster_redis_state(const struct cluster *c);

/* Set the cluster's figures in m (sinian_redis_up, ..._reconnects_total,
 * sinian_bus_backend_redis, bus and ratelimit figures). */
void cluster_metrics(const struct cluster *c, struct metrics *m);

/* Borrowed; NULL when c is NULL. */
struct presence *cluster_presence(struct cluster *c);

/* A viewer (WHEP session viewer_id) of ceremony_id joined / left on this
 * node: presence room "ceremony:{id}", counted across nodes with
 * presence_count(cluster_presence(c), "ceremony:{id}", ...). */
void cluster_viewer_joined(struct cluster *c, int64_t ceremony_id,
                           const char *viewer_id);
void cluster_viewer_left(struct cluster *c, int64_t ceremony_id,
                         const char *viewer_id);

#endif
