/* cluster.c — wires the Redis-backed pieces into the daemon.
 *
 * Owns app->cluster: the Redis connection and presence; the bus and
 * rate-limit backends it installs are owned by app->bus and app->ratelimit.
 * Knows nothing of the domain. Never fails the daemon because Redis is
 * down: that is "degraded".
 * Called from api_start / api_stop, /healthz and /metrics; main loop only.
 */
#include "cluster.h"
#include "app.h"
#include "bus.h"
#include "bus_redis.h"
#include "err.h"
#include "log.h"
#include "metrics.h"
#include "presence.h"
#include "ratelimit.h"
#include "ratelimit_redis.h"
#include "redis_conn.h"

#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cluster {
	struct app *app;
	struct redis_conn *rc;      /* NULL: in-process only */
	struct bus_redis *br;       /* owned by app->bus */
	struct ratelimit_redis *rr; /* owned by app->ratelimit */
	struct presence *presence;
};

static int connect_redis(struct cluster *c, struct err_detail *e)
{
	struct app *app = c->app;
	const struct redis_url *u;
	int rc;

	/* hiredis writes with write(2): a peer that vanished must be an
	 * error to handle, not a signal that ends the daemon. */
	signal(SIGPIPE, SIG_IGN);
	if ((rc = redis_conn_new(app->cfg.redis_url, NULL, &c->rc, e)))
		return rc;
	if ((rc = bus_redis_install(app->bus, c->rc, NULL, &c->br)) ||
	    (rc = ratelimit_redis_install(app->ratelimit, c->rc, 50, &c->rr))) {
		return err_fail(e, rc, NULL,
		                "cannot set up the redis backends");
	}
	u = redis_conn_url(c->rc);
	log_info("cluster",
	         "sharing live events, presence and rate limits "
	         "through redis at %s:%d/%d as node %s",
	         u->host, u->port, u->db, bus_redis_node(c->br));
	return 0;
}

int cluster_start(struct app *app, struct err_detail *e)
{
	struct cluster *c = calloc(1, sizeof(*c));
	int rc;

	if (!c) {
		return err_fail(e, ERR_NOMEM, NULL, "out of memory");
	}
	c->app = app;
	app->cluster = c;
	if (app->cfg.redis_url[0] && (rc = connect_redis(c, e))) {
		cluster_stop(app);
		return rc;
	}
	c->presence = presence_new(c->rc, 0, 0);
	if (!c->presence) {
		err_fail(e, ERR_NOMEM, NULL, "out of memory");
		cluster_stop(app);
		return ERR_NOMEM;
	}
	return 0;
}

void cluster_stop(struct app *app)
{
	struct cluster *c = app->cluster;

	if (!c)
		return;
	presence_leave_all(c->presence);
	redis_conn_flush(c->rc); /* the leaves, before the socket closes */
	presence_free(c->presence);
	if (c->rr)
		ratelimit_set_backend(app->ratelimit, NULL, NULL);
	if (c->br)
		bus_set_backend(app->bus, NULL, NULL);
	redis_conn_free(c->rc);
	free(c);
	app->cluster = NULL;
}

const char *cluster_redis_state(const struct cluster *c)
{
	if (!c || !c->rc)
		return NULL;
	return redis_conn_is_up(c->rc) ? "up" : "down";
}

struct presence *cluster_presence(struct cluster *c)
{
	return c ? c->presence : NULL;
}

static void ceremony_room(char *room, size_t n, int64_t ceremony_id)
{
	snprintf(room, n, "ceremony:%lld", (long long)ceremony_id);
}

void cluster_viewer_joined(struct cluster *c, int64_t ceremony_id,
                           const char *viewer_id)
{
	char room[48];

	if (!c || !viewer_id)
		return;
	ceremony_room(room, sizeof(room), ceremony_id);
	presence_join(c->presence, room, viewer_id);
}

void cluster_viewer_left(struct cluster *c, int64_t ceremony_id,
                         const char *viewer_id)
{
	char room[48];

	if (!c || !viewer_id)
		return;
	ceremony_room(room, sizeof(room), ceremony_id);
	presence_leave(c->presence, room, viewer_id);
}

static void redis_metrics(const struct cluster *c, struct metrics *m)
{
	struct bus_redis_stats b;
	struct ratelimit_redis_stats r;

	metrics_gauge_set(m, "sinian_redis_up",
	                  "1 when Redis answers, 0 while it is down.",
	                  redis_conn_is_up(c->rc) ? 1 : 0);
	metrics_counter_set(m, "sinian_redis_reconnects_total",
	                    "Times Redis came back after an outage.",
	                    (double)redis_conn_reconnects(c->rc));
	bus_redis_stats(c->br, &b);
	metrics_counter_set(m, "sinian_bus_redis_sent_total",
	                    "Live events published to Redis.", (double)b.sent);
	metrics_counter_set(m, "sinian_bus_redis_received_total",
	                    "Live events delivered from Redis.",
	                    (double)b.received);
	metrics_counter_set(m, "sinian_bus_redis_local_total",
	                    "Live events delivered on this node only "
	                    "(Redis down or not yet subscribed).",
	                    (double)b.local);
	metrics_counter_set(m, "sinian_bus_redis_duplicates_total",
	                    "Live events dropped as already delivered.",
	                    (double)b.duplicates);
	metrics_counter_set(m, "sinian_bus_redis_gaps_total",
	                    "Live events of other nodes never received.",
	                    (double)b.gaps);
	ratelimit_redis_stats(c->rr, &r);
	metrics_counter_set(m, "sinian_ratelimit_redis_answered_total",
	                    "Rate-limit decisions made by Redis.",
	                    (double)r.answered);
	metrics_counter_set(m, "sinian_ratelimit_redis_fallbacks_total",
	                    "Rate-limit decisions left to this node.",
	                    (double)r.fallbacks);
}

void cluster_metrics(const struct cluster *c, struct metrics *m)
{
	if (!c || !m)
		return;
	metrics_gauge_set(m, "sinian_bus_backend_redis",
	                  "1 when live events go through Redis, 0 when they "
	                  "stay in this process.",
	                  c->br ? 1 : 0);
	if (c->rc)
		redis_metrics(c, m);
}
