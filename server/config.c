/* config.c — the table of settings and the INI parser.
 *
 * Owns struct config: its defaults, validation and the mapping from names to
 * fields. It never opens anything a setting points at; main.c does that.
 * Called by main.c once at start-up and by tests.
 */
#include "config.h"
#include "err.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cfg_type { CFG_STR, CFG_LONG, CFG_BOOL, CFG_ENUM };

struct cfg_entry {
	const char *name;
	enum cfg_type type;
	size_t off;
	size_t size; /* for strings */
	const char *def;
	long min, max;
	const char *choices; /* CFG_ENUM: "a|b|c" */
	bool secret;
};

#define F(field)                                                               \
	offsetof(struct config, field), sizeof(((struct config *)0)->field)

static const struct cfg_entry cfg_table[] = {
    {"listen", CFG_STR, F(listen), "127.0.0.1:8080", 0, 0, NULL, false},
    {"http_threads", CFG_LONG, F(http_threads), "0", 0, 16, NULL, false},
    {"data_dir", CFG_STR, F(data_dir), "var", 0, 0, NULL, false},
    {"web_dir", CFG_STR, F(web_dir), "", 0, 0, NULL, false},
    {"log_level", CFG_ENUM, F(log_level), "info", 0, 0, "debug|info|warn|error",
     false},
    {"max_body_bytes", CFG_LONG, F(max_body_bytes), "1048576", 1024, 67108864,
     NULL, false},
    {"max_upload_bytes", CFG_LONG, F(max_upload_bytes), "10485760", 1024,
     1073741824, NULL, false},
    {"redis_url", CFG_STR, F(redis_url), "", 0, 0, NULL, true},
    {"key_file", CFG_STR, F(key_file), "", 0, 0, NULL, false},
    {"session_ttl_hours", CFG_LONG, F(session_ttl_hours), "720", 1, 87600, NULL,
     false},
    {"rate_limit_writes", CFG_LONG, F(rate_limit_writes), "120", 1, 1000000,
     NULL, false},
    {"rate_limit_logins", CFG_LONG, F(rate_limit_logins), "10", 1, 100000, NULL,
     false},
    {"rate_limit_complaints", CFG_LONG, F(rate_limit_complaints), "5", 1,
     100000, NULL, false},
    {"page_cache_mb", CFG_LONG, F(page_cache_mb), "64", 0, 65536, NULL, false},
    {"page_max_age", CFG_LONG, F(page_max_age), "5", 0, 86400, NULL, false},
    {"trusted_origins", CFG_STR, F(trusted_origins), "", 0, 0, NULL, false},
    {"max_viewers_per_ceremony", CFG_LONG, F(max_viewers_per_ceremony), "500",
     1, 100000, NULL, false},
    {"max_viewers_per_address", CFG_LONG, F(max_viewers_per_address), "20", 1,
     100000, NULL, false},
    {"max_connections_per_address", CFG_LONG, F(max_connections_per_address),
     "256", 0, 1000000, NULL, false},
    {"trusted_proxies", CFG_STR, F(trusted_proxies), "", 0, 0, NULL, false},
    {"metrics_allow", CFG_STR, F(metrics_allow), "127.0.0.0/8 ::1", 0, 0, NULL,
     false},
    {"disk_free_min_mb", CFG_LONG, F(disk_free_min_mb), "512", 0, 100000000,
     NULL, false},
    {"client_address_header", CFG_ENUM, F(client_address_header),
     "x-forwarded-for", 0, 0, "x-forwarded-for|forwarded", false},
    {"cookie_secure", CFG_BOOL, F(cookie_secure), "false", 0, 0, NULL, false},
    {"demo", CFG_BOOL, F(demo), "true", 0, 0, NULL, false},
    {"demo_ceremony", CFG_BOOL, F(demo_ceremony), "true", 0, 0, NULL, false},
    {"public_ip", CFG_STR, F(public_ip), "", 0, 0, NULL, false},
    {"stun_server", CFG_STR, F(stun_server), "", 0, 0, NULL, false},
    {"turn_urls", CFG_STR, F(turn_urls), "", 0, 0, NULL, false},
    {"turn_secret", CFG_STR, F(turn_secret), "", 0, 0, NULL, true},
    {"turn_credential_hours", CFG_LONG, F(turn_credential_hours), "6", 1, 48,
     NULL, false},
    {"media", CFG_BOOL, F(media), "true", 0, 0, NULL, false},
    {"media_loopback_only", CFG_BOOL, F(media_loopback_only), "false", 0, 0,
     NULL, false},
    {"media_passthrough", CFG_BOOL, F(media_passthrough), "true", 0, 0, NULL,
     false},
    {"media_passthrough_max_kbps", CFG_LONG, F(media_passthrough_max_kbps),
     "4000", 0, 100000, NULL, false},
    {"media_engine", CFG_ENUM, F(media_engine), "lite", 0, 0, "lite|webrtcbin",
     false},
    {"media_udp_port", CFG_LONG, F(media_udp_port), "0", 0, 65535, NULL, false},
    {"media_fanout_threads", CFG_LONG, F(media_fanout_threads), "0", 0, 256,
     NULL, false},
    {"media_udp_gso", CFG_BOOL, F(media_udp_gso), "true", 0, 0, NULL, false},
    {"video_bitrate_kbps", CFG_LONG, F(video_bitrate_kbps), "1500", 100, 20000,
     NULL, false},
    {"recordings_dir", CFG_STR, F(recordings_dir), "", 0, 0, NULL, false},
    {"hls", CFG_BOOL, F(hls), "true", 0, 0, NULL, false},
    {"hls_segment_seconds", CFG_LONG, F(hls_segment_seconds), "1", 1, 6, NULL,
     false},
    {"shutdown_grace_ms", CFG_LONG, F(shutdown_grace_ms), "5000", 0, 60000,
     NULL, false},
    {"site_url", CFG_STR, F(site_url), "", 0, 0, NULL, false},
    {"notify_email", CFG_ENUM, F(notify_email), "log", 0, 0, "off|log|smtp",
     false},
    {"notify_sms", CFG_ENUM, F(notify_sms), "log", 0, 0, "off|log|webhook",
     false},
    {"smtp_host", CFG_STR, F(smtp_host), "", 0, 0, NULL, false},
    {"smtp_port", CFG_LONG, F(smtp_port), "587", 1, 65535, NULL, false},
    {"smtp_tls", CFG_ENUM, F(smtp_tls), "starttls", 0, 0, "none|starttls|tls",
     false},
    {"smtp_user", CFG_STR, F(smtp_user), "", 0, 0, NULL, false},
    {"smtp_password", CFG_STR, F(smtp_password), "", 0, 0, NULL, true},
    {"smtp_from", CFG_STR, F(smtp_from), "", 0, 0, NULL, false},
    {"sms_webhook_url", CFG_STR, F(sms_webhook_url), "", 0, 0, NULL, false},
    {"sms_webhook_token", CFG_STR, F(sms_webhook_token), "", 0, 0, NULL, true},
    {"notify_queue_max", CFG_LONG, F(notify_queue_max), "1000", 1, 1000000,
     NULL, false},
    {"reminder_hour", CFG_LONG, F(reminder_hour), "9", 0, 23, NULL, false},
    {"code_ttl_minutes", CFG_LONG, F(code_ttl_minutes), "10", 1, 60, NULL,
     false},
    {"rate_limit_codes", CFG_LONG, F(rate_limit_codes), "5", 1, 1000, NULL,
     false},
    {"rate_limit_codes_per_address", CFG_LONG, F(rate_limit_codes_per_address),
     "20", 1, 100000, NULL, false},
};

#define CFG_COUNT (sizeof(cfg_table) / sizeof(cfg_table[0]))

static const struct cfg_entry *cfg_find(const char *name)
{
	for (size_t i = 0; i < CFG_COUNT; i++)
		if (strcmp(cfg_table[i].name, name) == 0)
			return &cfg_table[i];
	return NULL;
}

static bool enum_has(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, v, n) == 0)
			return true;
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

static int cfg_apply(struct config *cfg, const struct cfg_entry *e,
                     const char *v, struct err_detail *why)
{
	char *field = (char *)cfg + e->off;
	char *end;
	long n;

	switch (e->type) {
	case CFG_STR:
		if (strlen(v) >= e->size)
			return err_fail(why, ERR_INVALID, NULL,
			                "value longer than %zu bytes",
			                e->size - 1);
		snprintf(field, e->size, "%s", v);
		return 0;
	case CFG_ENUM:
		if (!enum_has(e->choices, v))
			return err_fail(why, ERR_INVALID, NULL,
			                "must be one of %s", e->choices);
		snprintf(field, e->size, "%s", v);
		return 0;
	case CFG_LONG:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || end == v || *end)
			return err_fail(why, ERR_INVALID, NULL,
			                "not an integer: \"%s\"", v);
		if (n < e->min || n > e->max)
			return err_fail(why, ERR_INVALID, NULL,
			                "%ld out of range [%ld, %ld]", n,
			                e->min, e->max);
		*(long *)field = n;
		return 0;
	case CFG_BOOL:
		if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
			*(bool *)field = true;
		else if (!strcmp(v, "false") || !strcmp(v, "no") ||
		         !strcmp(v, "0"))
			*(bool *)field = false;
		else
			return err_fail(why, ERR_INVALID, NULL,
			                "must be true or false");
		return 0;
	}
	return ERR_INTERNAL;
}

static int listen_check(const char *v)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long port;

	if (!colon || colon == v)
		return ERR_INVALID;
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end || port < 0 || port > 65535)
		return ERR_INVALID;
	return 0;
}

int config_set(struct config *cfg, const char *key, const char *value,
               const char *origin, int line, struct err_detail *e)
{
	const struct cfg_entry *ent = cfg_find(key);
	struct err_detail why = {0};
	int rc;

	if (!ent)
		return err_fail(e, ERR_INVALID, NULL,
		                "%s:%d: %s: unknown setting", origin, line,
		                key);
	rc = cfg_apply(cfg, ent, value, &why);
	if (rc == 0 && strcmp(key, "listen") == 0 && listen_check(value))
		rc = err_fail(&why, ERR_INVALID, NULL, "must be ADDR:PORT");
	if (rc)
		return err_fail(e, rc, NULL, "%s:%d: %s: %s", origin, line, key,
		                why.msg);
	return 0;
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < CFG_COUNT; i++)
		cfg_apply(cfg, &cfg_table[i], cfg_table[i].def, NULL);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Strip one pair of matching double quotes around a value. */
static char *unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

static int config_line(struct config *cfg, char *raw, const char *path,
                       int lineno, struct err_detail *e)
{
	char *s = trim(raw);
	char *eq, *key, *val;

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	eq = strchr(s, '=');
	if (!eq) {
		return err_fail(e, ERR_INVALID, NULL,
		                "%s:%d: %.60s: expected key = value", path,
		                lineno, s);
	}
	*eq = '\0';
	key = trim(s);
	val = unquote(trim(eq + 1));
	if (*key == '\0') {
		return err_fail(e, ERR_INVALID, NULL, "%s:%d: empty key", path,
		                lineno);
	}
	return config_set(cfg, key, val, path, lineno, e);
}

int config_load_file(struct config *cfg, const char *path, struct err_detail *e)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	int lineno = 0;
	int rc = 0;

	if (!f) {
		return err_fail(e, ERR_IO, NULL, "%s: cannot open: %s", path,
		                strerror(errno));
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = err_fail(e, ERR_INVALID, NULL,
			              "%s:%d: line too long", path, lineno);
			break;
		}
		rc = config_line(cfg, line, path, lineno, e);
		if (rc)
			break;
	}
	if (rc == 0 && ferror(f)) { /* a directory, an I/O error */
		rc = err_fail(e, ERR_IO, NULL, "%s: cannot read: %s", path,
		              strerror(errno));
	}
	fclose(f);
	return rc;
}

void config_log(const struct config *cfg)
{
	for (size_t i = 0; i < CFG_COUNT; i++) {
		const struct cfg_entry *e = &cfg_table[i];
		const char *field = (const char *)cfg + e->off;

		switch (e->type) {
		case CFG_STR:
		case CFG_ENUM:
			log_info("config", "%s = %s", e->name,
			         e->secret && *field ? "(set)" : field);
			break;
		case CFG_LONG:
			log_info("config", "%s = %ld", e->name,
			         *(const long *)field);
			break;
		case CFG_BOOL:
			log_info("config", "%s = %s", e->name,
			         *(const bool *)field ? "true" : "false");
			break;
		}
	}
}

int config_path(const struct config *cfg, const char *value,
                const char *default_name, char *out, size_t outlen)
{
	int n;

	if (value && *value)
		n = snprintf(out, outlen, "%s", value);
	else
		n = snprintf(out, outlen, "%s/%s", cfg->data_dir, default_name);
	return (n < 0 || (size_t)n >= outlen) ? ERR_INVALID : 0;
}
