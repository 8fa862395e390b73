/* main.c — sinian's entry point: options, config, start-up, the main loop,
 * graceful shutdown. Subcommands (sinian user ...) go to cli.c.
 */
#include "api.h"
#include "app.h"
#include "pwhash.h"
#include "bus.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "router.h"
#include "store.h"
#include "wshub.h"

#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: sinian [--config FILE] [--listen ADDR:PORT] "
	        "[--data-dir DIR] [--redis URL]\n"
	        "       sinian user add|list|grant ... (see sinian user "
	        "--help)\n"
	        "       sinian --help | --version\n\n"
	        "Serves online memorials and live farewell ceremonies.\n"
	        "  --config FILE      read settings from FILE (INI, see "
	        "conf/sinian.conf)\n"
	        "  --listen ADDR:PORT address to serve HTTP and WebSocket "
	        "on\n"
	        "  --data-dir DIR     where the SQLite store and files live\n"
	        "  --redis URL        share live events through Redis "
	        "(redis://HOST:PORT)\n"
	        "  --help             show this text\n"
	        "  --version          show the version\n");
}

/* Parse global options into cfg. Returns -1 to go on, or an exit code.
 * *argi is left at the first non-option argument (a subcommand). */
int main_parse_options(int argc, char **argv, struct config *cfg, int *argi)
{
	const char *overrides[3][2] = {
	    {NULL, NULL}, {NULL, NULL}, {NULL, NULL}};
	const char *config_file = NULL;
	struct err_detail err = {0};
	int i;

	config_defaults(cfg);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		int slot = -1;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--version")) {
			printf("sinian %s\n", SINIAN_VERSION);
			return 0;
		}
		if (!strcmp(a, "--config"))
			slot = -2;
		else if (!strcmp(a, "--listen"))
			slot = 0;
		else if (!strcmp(a, "--data-dir"))
			slot = 1;
		else if (!strcmp(a, "--redis"))
			slot = 2;
		if (slot == -1) {
			fprintf(stderr, "sinian: unknown option %s\n", a);
			usage(stderr);
			return EXIT_USAGE;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "sinian: %s needs a value\n", a);
			return EXIT_USAGE;
		}
		if (slot == -2)
			config_file = argv[++i];
		else
			overrides[slot][1] = argv[++i];
	}
	*argi = i;
	if (config_file && config_load_file(cfg, config_file, &err)) {
		fprintf(stderr, "sinian: %s\n", err.msg);
		return EXIT_USAGE;
	}
	overrides[0][0] = "listen";
	overrides[1][0] = "data_dir";
	overrides[2][0] = "redis_url";
	for (int k = 0; k < 3; k++)
		if (overrides[k][1] &&
		    config_set(cfg, overrides[k][0], overrides[k][1],
		               "command line", 0, &err)) {
			fprintf(stderr, "sinian: %s\n", err.msg);
			return EXIT_USAGE;
		}
	return -1;
}

/* The data directory, 0700 even if an older version made it wider. */
static int ensure_dir(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return ERR_IO;
	if (chmod(path, 0700) != 0)
		log_warn("main", "cannot make %s private (0700): %s", path,
		         strerror(errno));
	return 0;
}

static void drained(void *ud)
{
	struct app *app = ud;

	g_main_loop_quit(app->loop);
}

static gboolean on_signal(gpointer ud)
{
	struct app *app = ud;

	if (app->stopping || !app->http) {
		log_warn("main", "%s: stopping now",
		         app->http ? "second signal" : "signal while opening");
		g_main_loop_quit(app->loop);
		return G_SOURCE_CONTINUE;
	}
	app->stopping = true;
	log_info("main", "shutting down: finishing requests");
	http_server_drain(app->http, app->cfg.shutdown_grace_ms, drained, app);
	return G_SOURCE_CONTINUE;
}

static void resolve_web_dir(struct app *app)
{
	if (app->cfg.web_dir[0])
		snprintf(app->web_dir, sizeof(app->web_dir), "%s",
		         app->cfg.web_dir);
	else
		snprintf(app->web_dir, sizeof(app->web_dir), "%s/web",
		         SINIAN_SOURCE_DIR);
}

/* Open everything in order; on failure print why and return non-zero. */
static int app_open(struct app *app)
{
	struct err_detail err = {0};
	char path[1200];
	struct http_config hc;
	struct http_hooks hooks = {
	    .app = app,
	    .ws_open = wshub_open,
	    .ws_text = wshub_text,
	    .ws_close = wshub_close,
	};

	if (ensure_dir(app->cfg.data_dir)) {
		log_error("main", "cannot create data dir %s: %s",
		          app->cfg.data_dir, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/sinian.db", app->cfg.data_dir);
	if (store_open(path, &app->store, &err)) {
		log_error("main", "%s", err.msg);
		return 1;
	}
	app->bus = bus_new();
	app->metrics = metrics_new();
	app->router = router_new();
	if (!app->bus || !app->metrics || !app->router ||
	    api_routes(app->router)) {
		log_error("main", "cannot set up routes");
		return 1;
	}
	if (api_start(app, &err)) {
		log_error("main", "start-up failed: %s", err.msg);
		return 1;
	}
	api_http_hooks(app, &hooks);
	hc = (struct http_config){app->cfg.listen,
	                          app->web_dir,
	                          app->cfg.max_body_bytes,
	                          app->cfg.max_upload_bytes,
	                          (int)app->cfg.max_connections_per_address,
	                          app->trusted_proxies,
	                          (int)app->cfg.http_threads};
	if (http_server_new(&hc, app->router, app->metrics, &hooks, app->loop,
	                    &app->http)) {
		log_error("main", "cannot listen on %s", app->cfg.listen);
		return 1;
	}
	return 0;
}

static void app_close(struct app *app)
{
	/* writes still queued answer their requests while those exist */
	if (app->store)
		store_write_flush(app->store);
	/* so do passwords being checked */
	pwhash_free(app->pwhash);
	app->pwhash = NULL;
	http_server_free(app->http);
	api_stop(app);
	router_free(app->router);
	metrics_free(app->metrics);
	bus_free(app->bus);
	store_close(app->store);
	if (app->loop)
		g_main_loop_unref(app->loop);
}

int main(int argc, char **argv)
{
	struct app app;
	int argi, rc;

	memset(&app, 0, sizeof(app));
	/* the database, keys, uploads and recordings are this account's
	 * alone: files 0600, directories 0700, whoever made them (SQLite,
	 * GStreamer, the CLI) */
	umask(077);
	rc = main_parse_options(argc, argv, &app.cfg, &argi);
	if (rc >= 0)
		return rc;
	log_set_level((enum log_level)log_level_parse(app.cfg.log_level));
	if (argi < argc)
		return cli_main(&app.cfg, argc - argi, argv + argi);
	resolve_web_dir(&app);
	config_log(&app.cfg);
	app.loop = g_main_loop_new(NULL, FALSE);
	/* before the listener answers anything: a signal that comes while
	 * opening waits for the loop instead of killing the process */
	g_unix_signal_add(SIGINT, on_signal, &app);
	g_unix_signal_add(SIGTERM, on_signal, &app);
	if (app_open(&app)) {
		app_close(&app);
		return 1;
	}
	log_info("main", "sinian %s listening on http://%s/", SINIAN_VERSION,
	         app.cfg.listen);
	g_main_loop_run(app.loop);
	app_close(&app);
	log_info("main", "stopped");
	return app.exit_code;
}
