/* api.c — the list of route tables and the start/stop of the modules that
 * live beyond a request. Adding a module means a line here and its
 * prototype in api.h.
 */
#include "api.h"
#include "api_sweeping.h"
#include "api_ceremony.h"
#include "api_condolence.h"
#include "api_ice.h"
#include "api_memorial.h"
#include "api_share.h"
#include "app.h"
#include "pwhash.h"
#include "auth.h"
#include "cluster.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "live.h"
#include "log.h"
#include "mourning.h"
#include "notify.h"
#include "netaddr.h"
#include "otp.h"
#include "pagecache.h"
#include "ratelimit.h"
#include "reminder.h"
#include "rights.h"
#include "viewers.h"
#include "search.h"

#include <glib.h>
#include <stdio.h>
#include <time.h>

int api_routes(struct router *r)
{
	static int (*const tables[])(struct router *) = {
	    api_system_routes,   api_auth_routes,     api_org_routes,
	    api_ceremony_routes, api_ice_routes,
#ifndef SINIAN_NO_MEDIA
	    api_whep_routes,     api_whip_routes,     api_hls_routes,
#endif
	    api_memorial_routes, api_deceased_routes, api_plot_routes,
	    api_photo_routes,    api_tribute_routes,  api_exchange_routes,
	    api_transfer_routes, api_family_routes,   api_watch_routes,
	    api_visit_routes,    api_sweeping_routes, api_calendar_routes,
	    api_inbox_routes,    api_me_routes,       api_code_routes,
	    api_share_routes,    api_page_routes,     api_condolence_routes,
	    api_public_routes,   api_grave_routes,    api_complaint_routes,
	    api_staff_routes,
	};

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (tables[i](r))
			return ERR_INTERNAL;
	return 0;
}

static gboolean sweep(gpointer ud)
{
	struct app *app = ud;

	ratelimit_sweep(app->ratelimit, g_get_monotonic_time() / 1000);
	if (otp_sweep(app->store, (int64_t)time(NULL)))
		log_warn("api", "cannot forget expired sign-in codes");
	search_latin_refresh(app->store, 200); /* renamed deceased */
	return G_SOURCE_CONTINUE;
}

/* Open what both the daemon and the CLI need: the key and rate limits. */
int api_open_core(struct app *app, struct err_detail *e)
{
	struct err_detail why = {0};
	char key[1200];

	if (config_path(&app->cfg, app->cfg.key_file, "secret.key", key,
	                sizeof(key))) {
		return err_fail(e, ERR_INVALID, NULL, "key_file path too long");
	}
	if (crypto_open(key, &app->crypto, e))
		return ERR_IO;
	if (netaddr_set_parse(app->cfg.trusted_proxies, &app->trusted_proxies,
	                      &why)) {
		return err_fail(e, ERR_INVALID, NULL, "trusted_proxies: %s",
		                why.msg);
	}
	if (netaddr_set_parse(app->cfg.metrics_allow, &app->metrics_allow,
	                      &why)) {
		return err_fail(e, ERR_INVALID, NULL, "metrics_allow: %s",
		                why.msg);
	}
	app->ratelimit = ratelimit_new();
	return app->ratelimit ? 0 : ERR_NOMEM;
}

int api_start(struct app *app, struct err_detail *e)
{
	int rc = api_open_core(app, e);

	if (rc)
		return rc;
	app->sweep_id = g_timeout_add_seconds(60, sweep, app);
	/* a core for Argon2, one left for the main loop and media */
	app->pwhash = pwhash_new(g_main_loop_get_context(app->loop),
	                         CLAMP((int)g_get_num_processors() - 1, 1, 4),
	                         PWHASH_QUEUE_MAX);
	if (!app->pwhash)
		return ERR_NOMEM;
	if ((rc = cluster_start(app, e)))
		return rc;
	app->mourning = mourning_new();
	if (!app->mourning)
		return ERR_NOMEM;
	if ((rc = notify_new(&app->cfg, &app->notify, e)) ||
	    (rc = reminder_start(app)) || (rc = api_ice_start(app, e)))
		return rc;
	if ((rc = api_memorial_start(app, e)))
		return rc;
	if ((rc = api_share_start(app))) {
		return err_fail(e, rc, NULL,
		                "cannot start the share card worker");
	}
	if ((rc = api_sweeping_start(app)))
		return rc;
	app->viewers = viewers_new();
	if ((rc = rights_start(app)) || (rc = live_start(app, e)) ||
	    (rc = api_watch_start(app)) || (rc = api_condolence_start(app)))
		return rc;
	live_resume(app);
	if (app->cfg.demo && app->cfg.demo_ceremony &&
	    (rc = api_ceremony_demo(app, e)))
		return rc;
	return 0;
}

void api_stop(struct app *app)
{
	pwhash_free(app->pwhash); /* app_close did, unless start failed */
	app->pwhash = NULL;
	if (app->sweep_id)
		g_source_remove(app->sweep_id);
	app->sweep_id = 0;
#ifndef SINIAN_NO_MEDIA
	api_whip_stop(app);
#endif
	live_stop(app);
	api_share_stop(app);
	pagecache_free(app->pagecache);
	app->pagecache = NULL;
	reminder_stop(app);
	notify_free(app->notify);
	app->notify = NULL;
	mourning_free(app->mourning);
	app->mourning = NULL;
	viewers_free(app->viewers);
	app->viewers = NULL;
	rights_stop(app);
	cluster_stop(app);
	ratelimit_free(app->ratelimit);
	app->ratelimit = NULL;
	netaddr_set_free(app->trusted_proxies);
	app->trusted_proxies = NULL;
	netaddr_set_free(app->metrics_allow);
	app->metrics_allow = NULL;
	crypto_close(app->crypto);
	app->crypto = NULL;
}

void api_http_hooks(struct app *app, struct http_hooks *hooks)
{
	(void)app;
	hooks->before = auth_before;
}
