/* ratelimit_redis.c — token buckets in Redis behind struct
 * ratelimit_backend (see ratelimit_redis.h for why the call is
 * synchronous and how long it may block).
 *
 * Owns one blocking hiredis context (opened lazily, dropped on any error
 * and whenever redis_conn reports Redis down) and a one-second breaker.
 * Never answers from a guess: anything but a clean script reply is -1,
 * so the in-process bucket decides. Installed by cluster.c; main loop only.
 */
#include "ratelimit_redis.h"
#include "err.h"
#include "log.h"
#include "ratelimit.h"
#include "redis_conn.h"

#include <glib.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RR_BREAKER_US (1 * G_USEC_PER_SEC)

/* KEYS[1] bucket; ARGV[1] tokens per second; ARGV[2] capacity.
 * Returns {1, 0} when a token was taken, {0, ms until one is there}. */
static const char rr_script_src[] =
    "local rate = tonumber(ARGV[1])\n"
    "local burst = tonumber(ARGV[2])\n"
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')\n"
    "local tokens = tonumber(b[1])\n"
    "local at = tonumber(b[2])\n"
    "if tokens == nil or at == nil then\n"
    "  tokens = burst\n"
    "  at = now\n"
    "end\n"
    "if now > at then\n"
    "  tokens = math.min(burst, tokens + (now - at) * rate / 1000)\n"
    "  at = now\n"
    "end\n"
    "local allowed = 0\n"
    "local retry = 0\n"
    "if tokens >= 1 then\n"
    "  tokens = tokens - 1\n"
    "  allowed = 1\n"
    "else\n"
    "  retry = math.ceil((1 - tokens) * 1000 / rate)\n"
    "end\n"
    "redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', "
    "tostring(at))\n"
    "redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)\n"
    "return {allowed, retry}\n";

struct ratelimit_redis {
	struct redis_conn *rc; /* borrowed */
	struct redis_script script;
	struct timeval tv;
	redisContext *sync;
	int64_t open_until_us; /* breaker */
	int watch_id;
	struct ratelimit_redis_stats st;
};

static void drop_sync(struct ratelimit_redis *rr)
{
	if (rr->sync)
		redisFree(rr->sync);
	rr->sync = NULL;
}

static void trip(struct ratelimit_redis *rr, const char *why)
{
	if (rr->open_until_us == 0 || rr->st.failures % 100 == 0)
		log_debug("ratelimit", "redis bucket unavailable: %s", why);
	rr->st.failures++;
	rr->open_until_us = g_get_monotonic_time() + RR_BREAKER_US;
	drop_sync(rr);
}

static bool reply_fine(redisReply *r)
{
	bool ok = r && r->type != REDIS_REPLY_ERROR;

	if (r)
		freeReplyObject(r);
	return ok;
}

static int open_sync(struct ratelimit_redis *rr)
{
	const struct redis_url *u = redis_conn_url(rr->rc);
	redisContext *c = redisConnectWithTimeout(u->host, u->port, rr->tv);

	if (!c || c->err || redisSetTimeout(c, rr->tv) != REDIS_OK) {
		if (c)
			redisFree(c);
		return ERR_UNAVAILABLE;
	}
	if ((u->password[0] &&
	     !reply_fine(
	         u->user[0]
	             ? redisCommand(c, "AUTH %s %s", u->user, u->password)
	             : redisCommand(c, "AUTH %s", u->password))) ||
	    (u->db && !reply_fine(redisCommand(c, "SELECT %d", u->db)))) {
		redisFree(c);
		return ERR_UNAVAILABLE;
	}
	rr->sync = c;
	return 0;
}

static redisReply *run(struct ratelimit_redis *rr, const char *key,
                       double per_sec, double burst)
{
	char rate[40], cap[40],
	    *k = g_strconcat(RATELIMIT_REDIS_PREFIX, key, NULL);
	const char *argv[6] = {"EVALSHA", rr->script.sha, "1", k, rate, cap};
	redisReply *r;

	snprintf(rate, sizeof(rate), "%.17g", per_sec);
	snprintf(cap, sizeof(cap), "%.17g", burst);
	r = redisCommandArgv(rr->sync, 6, argv, NULL);
	if (r && r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(r);
		argv[0] = "EVAL";
		argv[1] = rr->script.src;
		r = redisCommandArgv(rr->sync, 6, argv, NULL);
	}
	g_free(k);
	return r;
}

static int rr_take(void *impl, const char *key, double per_sec, double burst,
                   int64_t now_ms, int64_t *retry_ms)
{
	struct ratelimit_redis *rr = impl;
	redisReply *r;
	int ans = -1;

	if (!redis_conn_is_up(rr->rc) ||
	    g_get_monotonic_time() < rr->open_until_us || per_sec <= 0 ||
	    burst < 1) {
		rr->st.fallbacks++;
		return -1;
	}
	if (!rr->sync && open_sync(rr)) {
		trip(rr, "cannot connect");
		rr->st.fallbacks++;
		return -1;
	}
	r = run(rr, key, per_sec, burst);
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_INTEGER &&
	    r->element[1]->type == REDIS_REPLY_INTEGER) {
		ans = r->element[0]->integer == 1;
		if (!ans)
			*retry_ms = r->element[1]->integer;
		rr->open_until_us = 0;
		rr->st.answered++;
	} else {
		trip(rr,
		     !r ? (rr->sync && rr->sync->errstr[0] ? rr->sync->errstr
		                                           : "no reply")
		     : r->type == REDIS_REPLY_ERROR ? r->str
		                                    : "odd reply");
		rr->st.fallbacks++;
	}
	if (r)
		freeReplyObject(r);
	return ans;
}

static void on_state(void *ud, bool up)
{
	struct ratelimit_redis *rr = ud;

	if (!up) /* a fresh connection once Redis is back */
		drop_sync(rr);
	else
		rr->open_until_us = 0;
}

static void rr_free(void *impl)
{
	struct ratelimit_redis *rr = impl;

	if (!rr)
		return;
	redis_conn_unwatch(rr->rc, rr->watch_id);
	drop_sync(rr);
	free(rr);
}

static const struct ratelimit_backend ratelimit_redis_backend = {
    .name = "redis",
    .take = rr_take,
    .free = rr_free,
};

int ratelimit_redis_install(struct ratelimit *rl, struct redis_conn *rc,
                            long timeout_ms, struct ratelimit_redis **out)
{
	struct ratelimit_redis *rr;
	int id;

	if (out)
		*out = NULL;
	if (!rl || !rc)
		return ERR_INVALID;
	rr = calloc(1, sizeof(*rr));
	if (!rr)
		return ERR_NOMEM;
	if (timeout_ms <= 0)
		timeout_ms = 50;
	rr->tv.tv_sec = timeout_ms / 1000;
	rr->tv.tv_usec = (timeout_ms % 1000) * 1000;
	rr->rc = rc;
	redis_script_init(&rr->script, rr_script_src);
	if ((id = redis_conn_watch(rc, on_state, rr)) < 0) {
		free(rr);
		return id;
	}
	rr->watch_id = id;
	ratelimit_set_backend(rl, &ratelimit_redis_backend, rr);
	if (out)
		*out = rr;
	return 0;
}

void ratelimit_redis_stats(const struct ratelimit_redis *rr,
                           struct ratelimit_redis_stats *out)
{
	if (rr)
		*out = rr->st;
	else
		memset(out, 0, sizeof(*out));
}
