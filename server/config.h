/* config.h — every sinian setting, parsed once at start-up, read-only after.
 *
 * The table in config.c is the single source of names, types, defaults and
 * ranges; conf/sinian.conf documents the same settings for people.
 */
#ifndef SINIAN_CONFIG_H
#define SINIAN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "err.h"

#define CONFIG_STR_MAX 512

struct config {
	char listen[CONFIG_STR_MAX]; /* "ADDR:PORT" */
	long http_threads;           /* lws threads; 0: one a CPU, at most 4 */
	char data_dir[CONFIG_STR_MAX]; /* SQLite file, keys, uploads */
	char web_dir[CONFIG_STR_MAX];  /* static pages; "" = built-in path */
	char log_level[16];
	long max_body_bytes;   /* JSON/SDP request bodies */
	long max_upload_bytes; /* image and video uploads */
	char redis_url[CONFIG_STR_MAX];
	char key_file[CONFIG_STR_MAX]; /* "" = DATA_DIR/secret.key */
	long session_ttl_hours;
	/* complaints per client address, and per account, an hour */
	long rate_limit_complaints;
	long rate_limit_writes; /* writes per client per minute */
	long rate_limit_logins; /* login attempts per login per 15 min */
	long page_cache_mb;     /* memorial pages kept in memory; 0: none */
	long page_max_age;      /* public Cache-Control of public pages, s */
	char trusted_origins[CONFIG_STR_MAX]; /* extra allowed Origins */
	char trusted_proxies[CONFIG_STR_MAX]; /* proxies whose header we read */
	char metrics_allow[CONFIG_STR_MAX];   /* who may read /metrics */
	long disk_free_min_mb;          /* /healthz: less free is "degraded" */
	char client_address_header[32]; /* "x-forwarded-for" or "forwarded" */
	bool cookie_secure;             /* set Secure on cookies (behind TLS) */
	bool demo;                      /* create demo memorial and ceremony */
	bool demo_ceremony; /* with demo: keep a test-source ceremony live */
	char public_ip[64]; /* address advertised in ICE candidates */
	char stun_server[CONFIG_STR_MAX];
	char turn_urls[CONFIG_STR_MAX];   /* TURN URLs, space separated */
	char turn_secret[CONFIG_STR_MAX]; /* coturn static-auth-secret */
	long turn_credential_hours;       /* how long a minted one lasts */
	bool media;               /* run live ceremony media on this node */
	bool media_loopback_only; /* gather ICE candidates on 127.0.0.1 only */
	bool media_passthrough;   /* send browser-playable H.264 as it came */
	long media_passthrough_max_kbps; /* ... unless faster; 0: no ceiling */
	char media_engine[16];           /* "lite" or "webrtcbin" (viewers) */
	long media_udp_port;             /* lite: the one media port; 0: any */
	long media_fanout_threads;       /* lite: send threads; 0: cores - 1 */
	bool media_udp_gso; /* lite: UDP segmentation offload where taken */
	long video_bitrate_kbps;
	char recordings_dir[CONFIG_STR_MAX]; /* "" = DATA_DIR/recordings */
	bool hls;                 /* package live ceremonies as HLS too */
	long hls_segment_seconds; /* HLS segment length (and the GOP) */
	long shutdown_grace_ms;
	/* notifications (notify.c, reminder.c) */
	char site_url[CONFIG_STR_MAX]; /* "https://host" for links sent out */
	char notify_email[16];         /* off | log | smtp */
	char notify_sms[16];           /* off | log | webhook */
	char smtp_host[256];
	long smtp_port;
	char smtp_tls[16]; /* none | starttls | tls */
	char smtp_user[256];
	char smtp_password[256];
	char smtp_from[CONFIG_STR_MAX]; /* "sinian <noreply@example.org>" */
	char sms_webhook_url[CONFIG_STR_MAX];
	char sms_webhook_token[256];
	long notify_queue_max;
	long reminder_hour;                /* Beijing time, the day before */
	long code_ttl_minutes;             /* one-time sign-in codes */
	long rate_limit_codes;             /* codes per login per hour */
	long rate_limit_codes_per_address; /* codes per address per hour */
	long max_viewers_per_ceremony;     /* more answer 503 full */
	long max_viewers_per_address; /* WHEP sessions, joined or negotiating */
	long max_connections_per_address; /* open HTTP/WS connections, 0 none */
};

/* Fill cfg with every default. */
void config_defaults(struct config *cfg);

/* Parse an INI file ("key = value", '#' or ';' comments) over cfg.
 * On error returns ERR_INVALID or ERR_IO and writes "FILE:LINE: key: why"
 * into errbuf. */
int config_load_file(struct config *cfg, const char *path,
                     struct err_detail *e);

/* Set one key from text (also used by command-line overrides). origin and
 * line name where it came from, for the message in errbuf. */
int config_set(struct config *cfg, const char *key, const char *value,
               const char *origin, int line, struct err_detail *e);

/* Log every effective value once (secrets are not printed). */
void config_log(const struct config *cfg);

/* Resolve a path setting that may be "" (default under data_dir) into out.
 * Returns 0, or ERR_INVALID if it does not fit. */
int config_path(const struct config *cfg, const char *value,
                const char *default_name, char *out, size_t outlen);

#endif
