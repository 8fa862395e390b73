/* redis_conn.c — connection manager for one Redis server.
 *
 * Owns two hiredis async contexts (cmd, sub), their GLib sources (through
 * redis_glib.c), the set of wanted channels and the reconnect/watchdog
 * timer. It knows nothing of what the commands mean: the bus, counters,
 * presence and rate limits build on it. It must never block the main loop
 * and never abort on a Redis failure: every failure becomes "down" and a
 * retry. Created by cluster.c (and tests); main loop only.
 *
 * Liveness: the command connection PUBLISHes a heartbeat on a channel of
 * its own ("sinian:conn:<random>") that the subscription connection
 * listens to, so a stalled server or a dead subscription is noticed
 * within timeout + 2 heartbeats even with no traffic. The same channel
 * keeps the subscription connection in subscribed mode for its whole life,
 * so hiredis never switches modes under pipelined (un)subscribes.
 */
#include "redis_conn.h"
#include "err.h"
#include "log.h"
#include "redis_glib.h"

#include <glib.h>
#include <hiredis/async.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RC_TICK_MS      100
#define RC_MAX_WATCHERS 8

enum rc_state { RC_DOWN, RC_CONNECTING, RC_UP };

/* Upstream state of a wanted or unwanted channel on the current sub
 * connection. A channel being unsubscribed is not subscribed again until
 * Redis confirms, so the replies always match the requests. */
enum sub_state { SUB_PENDING = 1, SUB_ACTIVE, SUB_LEAVING };

struct watcher {
	redis_conn_state_fn fn;
	void *ud;
	int id;
};

struct redis_conn {
	struct redis_url url;
	long timeout_us, backoff_min_ms, backoff_max_ms, heartbeat_us;
	enum rc_state state;
	redisAsyncContext *cmd, *sub;
	bool cmd_ready, sub_ready;
	char hb_channel[48];

	int64_t since_us;      /* start of the connect attempt */
	int64_t retry_at_us;   /* next attempt when down */
	long backoff_ms;       /* next delay */
	int64_t down_since_us; /* start of the outage, 0 when none */
	bool ever_up;
	uint64_t reconnects;
	GRand *rand;
	guint tick_id;

	unsigned pending;        /* commands without a reply yet */
	int64_t progress_us;     /* last reply, or first pending command */
	int64_t last_hb_us;      /* last heartbeat sent */
	int64_t sub_progress_us; /* last message on the sub connection */
	int64_t last_tick_us;    /* when the watchdog last ran */

	GHashTable *loaded;   /* script SHAs loaded on this connection */
	GHashTable *want;     /* channel → itself: wanted */
	GHashTable *upstream; /* channel → enum sub_state */
	redis_message_fn on_msg;
	void *on_msg_ud;

	struct watcher watchers[RC_MAX_WATCHERS];
	int next_watch_id;
};

struct pending {
	struct redis_conn *rc;
	redis_reply_fn fn;
	void *ud;
};

static void attempt(struct redis_conn *rc);
static void fail(struct redis_conn *rc, const char *why);
static void sub_sync(struct redis_conn *rc, const char *channel);

/* ---------- scripts ---------- */

void redis_script_init(struct redis_script *s, const char *src)
{
	gchar *sha = g_compute_checksum_for_string(G_CHECKSUM_SHA1, src, -1);

	s->src = src;
	snprintf(s->sha, sizeof(s->sha), "%s", sha);
	g_free(sha);
}

/* ---------- state ---------- */

static void notify(struct redis_conn *rc, bool up)
{
	for (int i = 0; i < RC_MAX_WATCHERS; i++) {
		struct watcher w = rc->watchers[i];

		if (w.fn)
			w.fn(w.ud, up);
	}
}

static void resubscribe(struct redis_conn *rc)
{
	GHashTableIter it;
	gpointer k;
	GPtrArray *chans = g_ptr_array_new();

	g_hash_table_iter_init(&it, rc->want);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(chans, k);
	for (guint i = 0; i < chans->len && rc->state == RC_UP; i++)
		sub_sync(rc, g_ptr_array_index(chans, i));
	g_ptr_array_free(chans, TRUE);
}

static void maybe_up(struct redis_conn *rc)
{
	int64_t now = g_get_monotonic_time();

	if (rc->state != RC_CONNECTING || !rc->cmd_ready || !rc->sub_ready)
		return;
	rc->state = RC_UP;
	rc->backoff_ms = rc->backoff_min_ms;
	rc->progress_us = rc->sub_progress_us = rc->last_hb_us = now;
	if (rc->down_since_us) {
		log_info("redis", "redis back after %.1f s",
		         (double)(now - rc->down_since_us) / 1e6);
		rc->reconnects++;
	} else if (!rc->ever_up) {
		log_info("redis", "redis up at %s:%d (db %d)", rc->url.host,
		         rc->url.port, rc->url.db);
	}
	rc->down_since_us = 0;
	rc->ever_up = true;
	resubscribe(rc);
	if (rc->state == RC_UP)
		notify(rc, true);
}

static void free_ctx(redisAsyncContext *ac)
{
	if (!ac)
		return;
	ac->onDisconnect = NULL; /* we are the ones leaving */
	ac->data = NULL;
	redisAsyncFree(ac); /* deferred by hiredis inside its callbacks */
}

/* Drop both connections, note the outage, schedule a retry. Commands in
 * flight get NULL replies while the state is already down. */
static void fail(struct redis_conn *rc, const char *why)
{
	bool was_up = rc->state == RC_UP;
	int64_t now = g_get_monotonic_time();
	redisAsyncContext *cmd = rc->cmd, *sub = rc->sub;
	double jitter = 0.75 + 0.5 * g_rand_double(rc->rand);

	if (rc->state == RC_DOWN && !cmd && !sub)
		return;
	rc->state = RC_DOWN;
	rc->cmd = rc->sub = NULL;
	rc->cmd_ready = rc->sub_ready = false;
	g_hash_table_remove_all(rc->upstream);
	g_hash_table_remove_all(rc->loaded);
	if (!rc->down_since_us) {
		rc->down_since_us = now;
		log_warn("redis",
		         "redis down: %s (%s:%d); retrying with "
		         "backoff",
		         why, rc->url.host, rc->url.port);
	} else {
		log_debug("redis", "redis still down: %s", why);
	}
	rc->retry_at_us =
	    now + (int64_t)((double)rc->backoff_ms * jitter) * 1000;
	rc->backoff_ms = MIN(rc->backoff_ms * 2, rc->backoff_max_ms);
	free_ctx(cmd);
	free_ctx(sub);
	if (was_up)
		notify(rc, false);
}

/* hiredis forgets a context after these two; drop our pointer first. */
static bool forget(struct redis_conn *rc, const redisAsyncContext *ac)
{
	if (!rc)
		return false;
	if (ac == rc->cmd)
		rc->cmd = NULL;
	else if (ac == rc->sub)
		rc->sub = NULL;
	else
		return false;
	return true;
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct redis_conn *rc = ac->data;
	char why[160];

	snprintf(why, sizeof(why), "%s",
	         ac->errstr && ac->err ? ac->errstr : "connection closed");
	if (forget(rc, ac))
		fail(rc, why);
}

/* ---------- handshake ---------- */

static bool reply_ok(const redisReply *r, struct err_detail *e)
{
	if (!r) {
		err_fail(e, ERR_UNAVAILABLE, NULL, "no reply during handshake");
		return false;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		/* the first word only: never echo anything about a secret */
		err_fail(e, ERR_UNAVAILABLE, NULL, "server said %.*s",
		         (int)strcspn(r->str, " "), r->str);
		return false;
	}
	return true;
}

static void on_cmd_hello(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_conn *rc = ac->data;
	struct err_detail why = {0};

	if (!rc || ac != rc->cmd)
		return;
	if (!reply_ok(r, &why)) {
		fail(rc, why.msg);
		return;
	}
	if (priv) { /* the last one (PING) */
		rc->cmd_ready = true;
		maybe_up(rc);
	}
}

static void on_sub(redisAsyncContext *ac, void *r, void *priv);

static int send_auth(struct redis_conn *rc, redisAsyncContext *ac,
                     redisCallbackFn *fn)
{
	const char *argv[3] = {"AUTH", rc->url.user, rc->url.password};

	if (!rc->url.password[0])
		return REDIS_OK;
	if (rc->url.user[0])
		return redisAsyncCommandArgv(ac, fn, NULL, 3, argv, NULL);
	argv[1] = rc->url.password;
	return redisAsyncCommandArgv(ac, fn, NULL, 2, argv, NULL);
}

static void on_connect(const redisAsyncContext *cac, int status)
{
	struct redis_conn *rc = cac->data;
	redisAsyncContext *ac;
	int r;

	if (!rc || (cac != rc->cmd && cac != rc->sub))
		return;
	ac = cac == rc->cmd ? rc->cmd : rc->sub;
	if (status != REDIS_OK) {
		char why[160];

		snprintf(why, sizeof(why), "%s",
		         cac->errstr ? cac->errstr : "cannot connect");
		forget(rc, cac); /* hiredis frees it after we return */
		fail(rc, why);
		return;
	}
	if (ac == rc->cmd) {
		r = send_auth(rc, ac, on_cmd_hello);
		if (r == REDIS_OK && rc->url.db)
			r = redisAsyncCommand(ac, on_cmd_hello, NULL,
			                      "SELECT %d", rc->url.db);
		if (r == REDIS_OK)
			r = redisAsyncCommand(ac, on_cmd_hello, rc, "PING");
	} else {
		r = send_auth(rc, ac, on_sub);
		if (r == REDIS_OK)
			r = redisAsyncCommand(ac, on_sub, rc, "SUBSCRIBE %s",
			                      rc->hb_channel);
	}
	if (r != REDIS_OK)
		fail(rc, "cannot send the handshake");
}

static redisAsyncContext *open_ctx(struct redis_conn *rc, struct err_detail *e)
{
	redisAsyncContext *ac = redisAsyncConnect(rc->url.host, rc->url.port);

	if (!ac) {
		err_fail(e, ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	if (ac->err) {
		err_fail(e, ERR_UNAVAILABLE, NULL, "%s", ac->errstr);
		redisAsyncFree(ac);
		return NULL;
	}
	ac->data = rc;
	if (redis_glib_attach(ac, NULL)) {
		err_fail(e, ERR_INTERNAL, NULL, "cannot watch the socket");
		ac->data = NULL;
		redisAsyncFree(ac);
		return NULL;
	}
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	return ac;
}

static void attempt(struct redis_conn *rc)
{
	struct err_detail why = {0};

	rc->state = RC_CONNECTING;
	rc->since_us = g_get_monotonic_time();
	rc->cmd = open_ctx(rc, &why);
	if (rc->cmd)
		rc->sub = open_ctx(rc, &why);
	if (!rc->cmd || !rc->sub)
		fail(rc, why.msg);
}

/* ---------- watchdog ---------- */

static void heartbeat(struct redis_conn *rc, int64_t now)
{
	const char *argv[3] = {"PUBLISH", rc->hb_channel, "hb"};

	rc->last_hb_us = now;
	redis_conn_command(rc, NULL, NULL, 3, argv, NULL);
}

static gboolean tick(gpointer ud)
{
	struct redis_conn *rc = ud;
	int64_t now = g_get_monotonic_time();
	char why[96];

	/* A main loop that did not run for a while (a long handler, a store
	 * waiting for a lock) is not a slow Redis: its replies may be sitting
	 * unread. Restart the clocks rather than blame it. */
	if (rc->last_tick_us && now - rc->last_tick_us > 4 * RC_TICK_MS * 1000)
		rc->progress_us = rc->sub_progress_us = rc->since_us = now;
	rc->last_tick_us = now;
	switch (rc->state) {
	case RC_DOWN:
		if (now >= rc->retry_at_us)
			attempt(rc);
		break;
	case RC_CONNECTING:
		if (now - rc->since_us > rc->timeout_us)
			fail(rc, "connect timeout");
		break;
	case RC_UP:
		if (rc->pending && now - rc->progress_us > rc->timeout_us) {
			snprintf(why, sizeof(why), "no reply within %lld ms",
			         (long long)(rc->timeout_us / 1000));
			fail(rc, why);
		} else if (now - rc->sub_progress_us >
		           rc->timeout_us + 2 * rc->heartbeat_us) {
			fail(rc, "subscription connection stalled");
		} else if (now - rc->last_hb_us >= rc->heartbeat_us) {
			heartbeat(rc, now);
		}
		break;
	}
	return G_SOURCE_CONTINUE;
}

/* ---------- life cycle ---------- */

int redis_conn_new(const char *url, const struct redis_conn_opts *opts,
                   struct redis_conn **out, struct err_detail *e)
{
	struct redis_conn_opts o = opts ? *opts : (struct redis_conn_opts){0};
	struct redis_conn *rc;
	int rc_url;

	*out = NULL;
	rc = calloc(1, sizeof(*rc));
	if (!rc) {
		return err_fail(e, ERR_NOMEM, NULL, "out of memory");
	}
	if ((rc_url = redis_url_parse(url, &rc->url, e))) {
		free(rc);
		return rc_url;
	}
	rc->timeout_us = (o.timeout_ms > 0 ? o.timeout_ms : 2000) * 1000;
	rc->backoff_min_ms = o.backoff_min_ms > 0 ? o.backoff_min_ms : 100;
	rc->backoff_max_ms = o.backoff_max_ms > 0 ? o.backoff_max_ms : 5000;
	rc->backoff_max_ms = MAX(rc->backoff_max_ms, rc->backoff_min_ms);
	rc->heartbeat_us = (o.heartbeat_ms > 0 ? o.heartbeat_ms : 1000) * 1000;
	rc->backoff_ms = rc->backoff_min_ms;
	rc->rand = g_rand_new();
	snprintf(rc->hb_channel, sizeof(rc->hb_channel), "sinian:conn:%08x%08x",
	         g_rand_int(rc->rand), g_rand_int(rc->rand));
	rc->loaded =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	rc->want = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	rc->upstream =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	rc->tick_id = g_timeout_add(RC_TICK_MS, tick, rc);
	attempt(rc);
	*out = rc;
	return 0;
}

void redis_conn_free(struct redis_conn *rc)
{
	redisAsyncContext *cmd, *sub;

	if (!rc)
		return;
	g_source_remove(rc->tick_id);
	memset(rc->watchers, 0, sizeof(rc->watchers));
	rc->on_msg = NULL;
	rc->state = RC_DOWN;
	cmd = rc->cmd;
	sub = rc->sub;
	rc->cmd = rc->sub = NULL;
	free_ctx(cmd);
	free_ctx(sub);
	g_hash_table_destroy(rc->loaded);
	g_hash_table_destroy(rc->want);
	g_hash_table_destroy(rc->upstream);
	g_rand_free(rc->rand);
	free(rc);
}

bool redis_conn_is_up(const struct redis_conn *rc)
{
	return rc && rc->state == RC_UP;
}

const struct redis_url *redis_conn_url(const struct redis_conn *rc)
{
	return &rc->url;
}

uint64_t redis_conn_reconnects(const struct redis_conn *rc)
{
	return rc ? rc->reconnects : 0;
}

int redis_conn_watch(struct redis_conn *rc, redis_conn_state_fn fn, void *ud)
{
	for (int i = 0; i < RC_MAX_WATCHERS; i++) {
		if (rc->watchers[i].fn)
			continue;
		rc->watchers[i].fn = fn;
		rc->watchers[i].ud = ud;
		rc->watchers[i].id = ++rc->next_watch_id;
		return rc->watchers[i].id;
	}
	return ERR_FULL;
}

void redis_conn_unwatch(struct redis_conn *rc, int id)
{
	if (!rc || id <= 0)
		return;
	for (int i = 0; i < RC_MAX_WATCHERS; i++)
		if (rc->watchers[i].id == id)
			memset(&rc->watchers[i], 0, sizeof(rc->watchers[i]));
}

/* ---------- commands ---------- */

static void on_reply(redisAsyncContext *ac, void *r, void *priv)
{
	struct pending *p = priv;
	struct redis_conn *rc = p->rc;

	if (rc->pending)
		rc->pending--;
	rc->progress_us = g_get_monotonic_time();
	if (p->fn)
		p->fn(rc, r, p->ud);
	free(p);
}

static struct pending *pending_new(struct redis_conn *rc, redis_reply_fn fn,
                                   void *ud)
{
	struct pending *p;

	if (rc->state != RC_UP || !rc->cmd)
		return NULL;
	p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	*p = (struct pending){rc, fn, ud};
	return p;
}

static void pending_sent(struct redis_conn *rc)
{
	if (rc->pending++ == 0)
		rc->progress_us = g_get_monotonic_time();
}

int redis_conn_command(struct redis_conn *rc, redis_reply_fn fn, void *ud,
                       int argc, const char **argv, const size_t *lens)
{
	struct pending *p = pending_new(rc, fn, ud);

	if (!p)
		return ERR_UNAVAILABLE;
	if (redisAsyncCommandArgv(rc->cmd, on_reply, p, argc, argv, lens) !=
	    REDIS_OK) {
		free(p);
		return ERR_UNAVAILABLE;
	}
	pending_sent(rc);
	return 0;
}

int redis_conn_commandf(struct redis_conn *rc, redis_reply_fn fn, void *ud,
                        const char *fmt, ...)
{
	struct pending *p = pending_new(rc, fn, ud);
	va_list ap;
	int r;

	if (!p)
		return ERR_UNAVAILABLE;
	va_start(ap, fmt);
	r = redisvAsyncCommand(rc->cmd, on_reply, p, fmt, ap);
	va_end(ap);
	if (r != REDIS_OK) {
		free(p);
		return ERR_UNAVAILABLE;
	}
	pending_sent(rc);
	return 0;
}

/* An EVALSHA in flight, with what it takes to send it again as EVAL. */
struct eval {
	redis_reply_fn fn;
	void *ud;
	int argc;
	char **argv; /* "EVAL", src, nkeys, args... */
	size_t *lens;
};

static void eval_free(struct eval *e)
{
	for (int i = 0; i < e->argc; i++)
		g_free(e->argv[i]);
	g_free(e->argv);
	g_free(e->lens);
	g_free(e);
}

static void on_eval_retry(struct redis_conn *rc, const redisReply *r, void *ud)
{
	struct eval *e = ud;

	if (e->fn)
		e->fn(rc, r, e->ud);
	eval_free(e);
}

static void on_evalsha(struct redis_conn *rc, const redisReply *r, void *ud)
{
	struct eval *e = ud;

	if (r && r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0 &&
	    redis_conn_command(rc, on_eval_retry, e, e->argc,
	                       (const char **)e->argv, e->lens) == 0)
		return;
	on_eval_retry(rc, r, e);
}

int redis_conn_eval(struct redis_conn *rc, const struct redis_script *s,
                    int nkeys, int n, const char **args, const size_t *lens,
                    redis_reply_fn fn, void *ud)
{
	struct eval *e;
	char nk[16];
	int r;

	if (!redis_conn_is_up(rc))
		return ERR_UNAVAILABLE;
	/* First use on this connection: SCRIPT LOAD ahead of the EVALSHA,
	 * in the same pipeline, so replies keep the order of the calls. */
	if (!g_hash_table_contains(rc->loaded, s->sha)) {
		if (redis_conn_commandf(rc, NULL, NULL, "SCRIPT LOAD %s",
		                        s->src))
			return ERR_UNAVAILABLE;
		g_hash_table_add(rc->loaded, g_strdup(s->sha));
	}
	e = g_new0(struct eval, 1);
	e->fn = fn;
	e->ud = ud;
	e->argc = n + 3;
	e->argv = g_new0(char *, e->argc);
	e->lens = g_new0(size_t, e->argc);
	snprintf(nk, sizeof(nk), "%d", nkeys);
	e->argv[0] = g_strdup("EVALSHA");
	e->argv[1] = g_strdup(s->sha);
	e->argv[2] = g_strdup(nk);
	for (int i = 0; i < 3; i++)
		e->lens[i] = strlen(e->argv[i]);
	for (int i = 0; i < n; i++) {
		e->lens[i + 3] = lens ? lens[i] : strlen(args[i]);
		e->argv[i + 3] = g_malloc(e->lens[i + 3] + 1);
		memcpy(e->argv[i + 3], args[i], e->lens[i + 3]);
		e->argv[i + 3][e->lens[i + 3]] = '\0';
	}
	r = redis_conn_command(rc, on_evalsha, e, e->argc,
	                       (const char **)e->argv, e->lens);
	if (r) {
		eval_free(e);
		return r;
	}
	/* The retry, if any, is EVAL with the source in place of the SHA. */
	g_free(e->argv[0]);
	g_free(e->argv[1]);
	e->argv[0] = g_strdup("EVAL");
	e->argv[1] = g_strdup(s->src);
	e->lens[0] = 4;
	e->lens[1] = strlen(s->src);
	return 0;
}

void redis_conn_flush(struct redis_conn *rc)
{
	if (redis_conn_is_up(rc) && rc->cmd)
		redisAsyncHandleWrite(rc->cmd);
}

/* ---------- subscriptions ---------- */

void redis_conn_on_message(struct redis_conn *rc, redis_message_fn fn, void *ud)
{
	rc->on_msg = fn;
	rc->on_msg_ud = ud;
}

static void sub_send(struct redis_conn *rc, const char *verb,
                     const char *channel)
{
	if (redisAsyncCommand(rc->sub, on_sub, rc, "%s %b", verb, channel,
	                      strlen(channel)) != REDIS_OK)
		fail(rc, "cannot send to the subscription connection");
}

/* Bring one channel's upstream state towards what is wanted. */
static void sub_sync(struct redis_conn *rc, const char *channel)
{
	bool want = g_hash_table_contains(rc->want, channel);
	int st = GPOINTER_TO_INT(g_hash_table_lookup(rc->upstream, channel));

	if (rc->state != RC_UP)
		return;
	if (want && st == 0) {
		g_hash_table_insert(rc->upstream, g_strdup(channel),
		                    GINT_TO_POINTER(SUB_PENDING));
		sub_send(rc, "SUBSCRIBE", channel);
	} else if (!want && (st == SUB_PENDING || st == SUB_ACTIVE)) {
		g_hash_table_insert(rc->upstream, g_strdup(channel),
		                    GINT_TO_POINTER(SUB_LEAVING));
		sub_send(rc, "UNSUBSCRIBE", channel);
	}
}

static void sub_event(struct redis_conn *rc, const char *kind,
                      const redisReply *ch, const redisReply *arg)
{
	int st;

	if (strcmp(kind, "message") == 0) {
		if (rc->on_msg && arg->type == REDIS_REPLY_STRING &&
		    strcmp(ch->str, rc->hb_channel) != 0)
			rc->on_msg(rc->on_msg_ud, ch->str, ch->len, arg->str,
			           arg->len);
		return;
	}
	if (strcmp(ch->str, rc->hb_channel) == 0) {
		if (strcmp(kind, "subscribe") == 0 && !rc->sub_ready) {
			rc->sub_ready = true;
			maybe_up(rc);
		}
		return;
	}
	st = GPOINTER_TO_INT(g_hash_table_lookup(rc->upstream, ch->str));
	if (strcmp(kind, "subscribe") == 0 && st == SUB_PENDING) {
		g_hash_table_insert(rc->upstream, g_strdup(ch->str),
		                    GINT_TO_POINTER(SUB_ACTIVE));
	} else if (strcmp(kind, "unsubscribe") == 0) {
		g_hash_table_remove(rc->upstream, ch->str);
		sub_sync(rc, ch->str); /* wanted again meanwhile? */
	}
}

static void on_sub(redisAsyncContext *ac, void *rv, void *priv)
{
	struct redis_conn *rc = ac->data;
	const redisReply *r = rv;
	struct err_detail why = {0};

	if (!rc || ac != rc->sub || !r) /* a reply from a dropped context */
		return;
	rc->sub_progress_us = g_get_monotonic_time();
	if (r->type != REDIS_REPLY_ARRAY) { /* AUTH's answer, or an error */
		if (!reply_ok(r, &why))
			fail(rc, why.msg);
		return;
	}
	if (r->elements < 3 || r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING)
		return;
	sub_event(rc, r->element[0]->str, r->element[1], r->element[2]);
}

int redis_conn_subscribe(struct redis_conn *rc, const char *channel)
{
	if (!channel || !*channel)
		return ERR_INVALID;
	if (!g_hash_table_contains(rc->want, channel))
		g_hash_table_add(rc->want, g_strdup(channel));
	sub_sync(rc, channel);
	return 0;
}

void redis_conn_unsubscribe(struct redis_conn *rc, const char *channel)
{
	if (!rc || !channel)
		return;
	g_hash_table_remove(rc->want, channel);
	sub_sync(rc, channel);
}

bool redis_conn_subscribed(const struct redis_conn *rc, const char *channel)
{
	return redis_conn_is_up(rc) &&
	       GPOINTER_TO_INT(g_hash_table_lookup(rc->upstream, channel)) ==
	           SUB_ACTIVE;
}
