/* api_system.c — /healthz and /metrics.
 *
 * Health says whether the store is open; metrics renders struct metrics plus
 * live figures gathered from the store, the bus and the HTTP server at the
 * time of the scrape.
 */
#include "api.h"
#include "app.h"
#include "bus.h"
#include "cluster.h"
#include "http.h"
#include "metrics.h"
#include "store.h"

#include <glib.h>

static void get_healthz(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	const char *redis = cluster_redis_state(app->cluster);

	if (!app->store) {
		http_resp_json(resp, 503,
		               json_pack("{s:s}", "status", "starting"));
		return;
	}
	if (redis) /* configured: down is "degraded", still 200 */
		http_resp_json(
		    resp, 200,
		    json_pack("{s:s,s:s}", "status",
		              strcmp(redis, "up") ? "degraded" : "ok", "redis",
		              redis));
	else
		http_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

static void get_metrics(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	char *text;

	metrics_counter_set(app->metrics, "sinian_store_queries_total",
	                    "SQLite statements executed since start.",
	                    app->store ? (double)store_queries(app->store) : 0);
	metrics_gauge_set(app->metrics, "sinian_bus_subscriptions",
	                  "Live event subscriptions on this node.",
	                  (double)bus_subscriptions(app->bus));
	metrics_counter_set(app->metrics, "sinian_bus_published_total",
	                    "Live events published by this node.",
	                    (double)bus_published(app->bus));
	metrics_gauge_set(app->metrics, "sinian_http_inflight",
	                  "HTTP requests in progress.",
	                  app->http ? http_server_inflight(app->http) : 0);
	metrics_gauge_set(app->metrics, "sinian_ws_connections",
	                  "Open WebSocket connections.",
	                  app->http ? http_server_ws_count(app->http) : 0);
	cluster_metrics(app->cluster, app->metrics);
	text = metrics_render(app->metrics);
	http_resp_data(resp, 200, "text/plain; version=0.0.4; charset=utf-8",
	               text, strlen(text));
	http_resp_header(resp, "Cache-Control", "no-store");
	g_free(text);
}

int api_system_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "GET", "/healthz", get_healthz, 0);
	rc |= router_add(r, "GET", "/metrics", get_metrics, 0);
	return rc ? -1 : 0;
}
