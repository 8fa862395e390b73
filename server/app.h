/* app.h — the daemon's one context: every long-lived object, created in
 * main.c and passed to handlers. No module keeps globals; they take what
 * they need from here.
 */
#ifndef SINIAN_APP_H
#define SINIAN_APP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct store;
struct bus;
struct metrics;
struct router;
struct http_server;
struct http_ws;
struct crypto;
struct ratelimit;
struct netaddr_set;
struct media_ctx;
struct whip_hub;
struct api_share;
struct pagecache;
struct mourning;
struct notify;
struct reminder;
struct viewers;
struct bus_sub;

/* Decides whether a WebSocket may subscribe to a topic (access control);
 * returns 0 or ERR_FORBIDDEN / ERR_INVALID. */
typedef int (*app_topic_check)(void *app, struct http_ws *ws,
                               const char *topic);

/* Whose a WebSocket is: the signed-in account's id, 0 for anonymous. */
typedef int64_t (*app_ws_owner)(void *app, struct http_ws *ws);

/* Whether live ceremonies can run on this node; live_start() fills it and
 * /healthz, /metrics and the ceremony pages report it. */
enum app_media_state {
	APP_MEDIA_OK = 0,
	APP_MEDIA_OFF,         /* media = false on this node */
	APP_MEDIA_UNAVAILABLE, /* GStreamer or an element is missing */
};

struct app_media_health {
	enum app_media_state state;
	char reason[1024]; /* why unavailable (an err_detail sentence) */
	char missing[512]; /* missing elements, space-separated */
	char install[320]; /* "apt-get install PKG..." or "" */
};

struct app {
	struct config cfg;
	struct app_media_health media_health;
	char web_dir[1024];
	char recordings_dir[1200];
	GMainLoop *loop;
	struct store *store;
	struct bus *bus;
	struct metrics *metrics;
	struct router *router;
	struct http_server *http;
	struct crypto *crypto;
	struct ratelimit *ratelimit;
	struct netaddr_set *trusted_proxies; /* trusted_proxies, parsed */
	struct netaddr_set *metrics_allow;   /* metrics_allow, parsed */
	struct cluster *cluster; /* shared live state (Redis), see cluster.h */
	struct pagecache *pagecache; /* memorial pages kept ready */
	struct media_ctx *media;     /* NULL until the media module starts */
	struct whip_hub *whip;       /* WHIP publishers (api_whip.c) */
	struct api_share *share; /* share cards drawn and kept (api_share.c) */
	struct mourning *mourning;   /* the mourning calendar (main loop) */
	struct notify *notify;       /* e-mail and text messages */
	struct reminder *reminder;   /* day-before reminders (reminder.c) */
	struct viewers *viewers;     /* WHEP viewers' credentials (viewers.h) */
	GHashTable *live_marks;      /* ceremony id → its phase (live.c) */
	uint64_t live_seq;           /* last phase change number (live.c) */
	struct bus_sub *rights_sub;  /* "sys:rights" on this node (rights.c) */
	app_topic_check topic_check; /* overrides the table below if set */
	struct {
		const char *kind; /* "memorial" for "memorial:42" */
		app_topic_check check;
	} topics[8]; /* who may follow which topics; see wshub_register */
	int n_topics;
	app_ws_owner ws_owner; /* whose a socket is (rights.c sets it) */
	guint sweep_id;
	char dummy_pw_hash[128]; /* for sign-in attempts on unknown logins */
	struct pwhash *pwhash;   /* Argon2 off the main loop (pwhash.c) */
	bool stopping;
	int exit_code;
};

#endif
