/* api_system.c — /healthz and /metrics.
 *
 * Health says whether the store is open, whether Redis (when configured) is
 * up, whether live video can run (missing GStreamer elements are named,
 * with the package to install) and whether the data directory's disk has
 * room (disk_free_min_mb); metrics renders struct metrics plus live
 * figures gathered from the store, the bus and the HTTP server at the
 * time of the scrape, for the addresses of metrics_allow only.
 */
#include "api.h"
#include "app.h"
#include "bus.h"
#include "cluster.h"
#include "err.h"
#include "http.h"
#include "live.h"
#include "metrics.h"
#include "netaddr.h"
#include "notify.h"
#include "pagecache.h"
#include "store.h"

#include <glib.h>
#include <sys/statvfs.h>

/* Free space on the data directory's file system: {free_mb, min_mb,
 * status: ok|low|unknown}; *low when under disk_free_min_mb. */
static json_t *disk_json(struct app *app, bool *low)
{
	struct statvfs v;
	unsigned long long free_mb;

	if (statvfs(app->cfg.data_dir, &v) != 0)
		return json_pack("{s:s}", "status", "unknown");
	free_mb = (unsigned long long)v.f_bavail * v.f_frsize / (1024 * 1024);
	*low = free_mb < (unsigned long long)app->cfg.disk_free_min_mb;
	return json_pack("{s:I,s:I,s:s}", "free_mb", (json_int_t)free_mb,
	                 "min_mb", (json_int_t)app->cfg.disk_free_min_mb,
	                 "status", *low ? "low" : "ok");
}

static void get_healthz(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	const char *redis = cluster_redis_state(app->cluster);
	bool degraded = app->media_health.state == APP_MEDIA_UNAVAILABLE;
	bool low = false;
	json_t *j, *media, *disk;

	if (!app->store) {
		http_resp_json(resp, 503,
		               json_pack("{s:s}", "status", "starting"));
		return;
	}
	/* Redis configured but down, no live video, or a disk nearly full:
	 * "degraded", still 200, since memorials can still be read. */
	if (redis && strcmp(redis, "up"))
		degraded = true;
	media = live_health_json(app, true);
	disk = disk_json(app, &low);
	j = json_pack("{s:s,s:o*,s:o*}", "status",
	              degraded || low ? "degraded" : "ok", "media", media,
	              "disk", disk);
	if (j && redis && json_object_set_new(j, "redis", json_string(redis))) {
		json_decref(j);
		j = NULL;
	}
	if (!j) {
		http_resp_err(resp, ERR_NOMEM, "out of memory");
		return;
	}
	http_resp_json(resp, 200, j);
}

static void get_metrics(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	uint64_t writes = 0, commits = 0;
	char *text;

	/* req->peer is the client behind trusted proxies: a proxy on this
	 * host does not open /metrics to the world */
	if (!netaddr_set_has(app->metrics_allow, req->peer)) {
		http_resp_err(resp, ERR_NOT_FOUND, "not found");
		return;
	}
	metrics_counter_set(app->metrics, "sinian_store_queries_total",
	                    "SQLite statements executed since start.",
	                    app->store ? (double)store_queries(app->store) : 0);
	if (app->store)
		store_write_stats(app->store, &writes, &commits);
	metrics_counter_set(app->metrics, "sinian_store_writes_total",
	                    "Writes grouped into shared commits (tributes).",
	                    (double)writes);
	metrics_counter_set(app->metrics, "sinian_store_write_commits_total",
	                    "Commits (fsyncs) those grouped writes took.",
	                    (double)commits);
	pagecache_metrics(app->pagecache, app->metrics);
	/* the clients' subscriptions: not the node's own to rights changes */
	metrics_gauge_set(
	    app->metrics, "sinian_bus_subscriptions",
	    "Live event subscriptions on this node.",
	    (double)(bus_subscriptions(app->bus) - (app->rights_sub ? 1 : 0)));
	metrics_counter_set(app->metrics, "sinian_bus_published_total",
	                    "Live events published by this node.",
	                    (double)bus_published(app->bus));
	metrics_gauge_set(app->metrics, "sinian_http_inflight",
	                  "HTTP requests in progress.",
	                  app->http ? http_server_inflight(app->http) : 0);
	metrics_counter_set(
	    app->metrics, "sinian_http_connections_refused_total",
	    "Connections closed at once: their address held "
	    "max_connections_per_address.",
	    app->http ? http_server_conns_refused(app->http) : 0);
	metrics_gauge_set(app->metrics, "sinian_ws_connections",
	                  "Open WebSocket connections.",
	                  app->http ? http_server_ws_count(app->http) : 0);
	for (unsigned i = 0; app->http && i < http_server_threads(app->http);
	     i++) {
		char name[64];

		snprintf(name, sizeof(name),
		         "sinian_http_connections{thread=\"%u\"}", i);
		metrics_gauge_set(app->metrics, name,
		                  "Open HTTP and WebSocket connections, by the "
		                  "lws thread that serves them.",
		                  http_server_thread_conns(app->http, i));
	}
	metrics_gauge_set(
	    app->metrics, "sinian_media_available",
	    "1 when live ceremonies can run on this node, 0 when GStreamer or "
	    "an element is missing (see /healthz), -1 when media is off.",
	    app->media_health.state == APP_MEDIA_OK    ? 1
	    : app->media_health.state == APP_MEDIA_OFF ? -1
	                                               : 0);
	cluster_metrics(app->cluster, app->metrics);
	notify_metrics(app->notify, app->metrics);
	live_metrics(app, app->metrics);
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
