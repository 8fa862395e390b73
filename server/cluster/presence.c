/* presence.c — rooms and members with expiry in Redis sorted sets (see
 * presence.h).
 *
 * Owns this node's members per room (the truth it refreshes into Redis),
 * the refresh timer, and the counts in flight, orphaned by presence_free
 * so their late replies are dropped. Never blocks; a Redis failure only
 * makes counts local. Created by cluster.c; main loop only.
 */
#include "presence.h"
#include "err.h"
#include "log.h"
#include "redis_conn.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PR_BATCH 256 /* members per ZADD script call */

/* KEYS[1] room; ARGV[1] ttl ms; ARGV[2..] members. */
static const char pr_join_src[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local ttl = tonumber(ARGV[1])\n"
    "for i = 2, #ARGV do\n"
    "  redis.call('ZADD', KEYS[1], now + ttl, ARGV[i])\n"
    "end\n"
    "redis.call('PEXPIRE', KEYS[1], 2 * ttl)\n"
    "return #ARGV - 1\n";

/* KEYS[1] room. Drops the expired, returns how many are left. */
static const char pr_count_src[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
    "return redis.call('ZCARD', KEYS[1])\n";

struct presence {
	struct redis_conn *rc; /* borrowed, may be NULL */
	struct redis_script join, count;
	long ttl_ms;
	GHashTable *rooms;  /* room → GHashTable set of members */
	GHashTable *counts; /* struct count_op set, in flight */
	guint refresh_id;
	int watch_id;
};

struct count_op {
	struct presence *p; /* NULL once presence_free ran */
	char *room;
	presence_count_fn fn;
	void *ud;
};

static bool id_ok(const char *s)
{
	return s && *s && strlen(s) <= PRESENCE_ID_MAX;
}

static char *room_key(const char *room)
{
	return g_strconcat(PRESENCE_PREFIX, room, NULL);
}

/* ZADD members[0..n) of room with a fresh expiry (fire and forget: a
 * failure is healed by the next refresh). */
static void send_join(struct presence *p, const char *room,
                      const char **members, int n)
{
	const char **args = g_new(const char *, n + 2);
	char *k = room_key(room), ttl[24];

	snprintf(ttl, sizeof(ttl), "%ld", p->ttl_ms);
	args[0] = k;
	args[1] = ttl;
	memcpy(args + 2, members, sizeof(*members) * (size_t)n);
	redis_conn_eval(p->rc, &p->join, 1, n + 2, args, NULL, NULL, NULL);
	g_free(k);
	g_free(args);
}

static void refresh_room(struct presence *p, const char *room, GHashTable *m)
{
	const char *batch[PR_BATCH];
	GHashTableIter it;
	gpointer k;
	int n = 0;

	g_hash_table_iter_init(&it, m);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		batch[n++] = k;
		if (n == PR_BATCH) {
			send_join(p, room, batch, n);
			n = 0;
		}
	}
	if (n)
		send_join(p, room, batch, n);
}

static gboolean refresh(gpointer ud)
{
	struct presence *p = ud;
	GHashTableIter it;
	gpointer room, members;

	if (!redis_conn_is_up(p->rc))
		return G_SOURCE_CONTINUE;
	g_hash_table_iter_init(&it, p->rooms);
	while (g_hash_table_iter_next(&it, &room, &members))
		refresh_room(p, room, members);
	return G_SOURCE_CONTINUE;
}

static void on_state(void *ud, bool up)
{
	if (up) /* Redis may have lost everything: put ours back now */
		refresh(ud);
}

struct presence *presence_new(struct redis_conn *rc, long ttl_ms,
                              long refresh_ms)
{
	struct presence *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->rc = rc;
	p->ttl_ms = ttl_ms > 0 ? ttl_ms : 30000;
	if (refresh_ms <= 0)
		refresh_ms = 10000;
	refresh_ms = MIN(refresh_ms, p->ttl_ms / 2);
	redis_script_init(&p->join, pr_join_src);
	redis_script_init(&p->count, pr_count_src);
	p->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                 (GDestroyNotify)g_hash_table_unref);
	p->counts = g_hash_table_new(g_direct_hash, g_direct_equal);
	if (rc) {
		p->refresh_id =
		    g_timeout_add((guint)MAX(refresh_ms, 1), refresh, p);
		if ((p->watch_id = redis_conn_watch(rc, on_state, p)) < 0) {
			presence_free(p);
			return NULL;
		}
	}
	return p;
}

void presence_free(struct presence *p)
{
	GHashTableIter it;
	gpointer op;

	if (!p)
		return;
	if (p->refresh_id)
		g_source_remove(p->refresh_id);
	redis_conn_unwatch(p->rc, p->watch_id);
	g_hash_table_iter_init(&it, p->counts);
	while (g_hash_table_iter_next(&it, &op, NULL))
		((struct count_op *)op)->p = NULL;
	g_hash_table_destroy(p->counts);
	g_hash_table_destroy(p->rooms);
	free(p);
}

int presence_join(struct presence *p, const char *room, const char *member)
{
	GHashTable *m;

	if (!p)
		return 0;
	if (!id_ok(room) || !id_ok(member))
		return ERR_INVALID;
	m = g_hash_table_lookup(p->rooms, room);
	if (!m) {
		m = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		                          NULL);
		g_hash_table_insert(p->rooms, g_strdup(room), m);
	}
	g_hash_table_add(m, g_strdup(member));
	if (redis_conn_is_up(p->rc))
		send_join(p, room, &member, 1);
	return 0;
}

int presence_leave(struct presence *p, const char *room, const char *member)
{
	GHashTable *m;
	char *k;

	if (!p)
		return 0;
	if (!id_ok(room) || !id_ok(member))
		return ERR_INVALID;
	m = g_hash_table_lookup(p->rooms, room);
	if (m) {
		g_hash_table_remove(m, member);
		if (g_hash_table_size(m) == 0)
			g_hash_table_remove(p->rooms, room);
	}
	if (redis_conn_is_up(p->rc)) {
		k = room_key(room);
		redis_conn_commandf(p->rc, NULL, NULL, "ZREM %b %b", k,
		                    strlen(k), member, strlen(member));
		g_free(k);
	}
	return 0;
}

void presence_leave_all(struct presence *p)
{
	GHashTableIter it, mit;
	gpointer room, members, member;

	if (!p)
		return;
	g_hash_table_iter_init(&it, p->rooms);
	while (g_hash_table_iter_next(&it, &room, &members)) {
		char *k = room_key(room);

		g_hash_table_iter_init(&mit, members);
		while (redis_conn_is_up(p->rc) &&
		       g_hash_table_iter_next(&mit, &member, NULL))
			redis_conn_commandf(p->rc, NULL, NULL, "ZREM %b %b", k,
			                    strlen(k), (char *)member,
			                    strlen(member));
		g_free(k);
	}
	g_hash_table_remove_all(p->rooms);
}

unsigned presence_local_count(const struct presence *p, const char *room)
{
	GHashTable *m = p ? g_hash_table_lookup(p->rooms, room) : NULL;

	return m ? g_hash_table_size(m) : 0;
}

static void count_free(struct count_op *op)
{
	if (op->p)
		g_hash_table_remove(op->p->counts, op);
	g_free(op->room);
	g_free(op);
}

static void on_count(struct redis_conn *rc, const redisReply *r, void *ud)
{
	struct count_op *op = ud;

	if (!op->p)
		goto out;
	if (r && r->type == REDIS_REPLY_INTEGER && r->integer >= 0)
		op->fn(op->ud, op->room, 0, (unsigned)r->integer);
	else
		op->fn(op->ud, op->room, ERR_UNAVAILABLE,
		       presence_local_count(op->p, op->room));
out:
	count_free(op);
}

int presence_count(struct presence *p, const char *room, presence_count_fn done,
                   void *ud)
{
	struct count_op *op;
	const char *args[1];
	char *k;
	int rc;

	if (!p || !id_ok(room) || !done)
		return ERR_INVALID;
	if (!redis_conn_is_up(p->rc)) {
		done(ud, room, ERR_UNAVAILABLE, presence_local_count(p, room));
		return 0;
	}
	op = g_new0(struct count_op, 1);
	op->p = p;
	op->room = g_strdup(room);
	op->fn = done;
	op->ud = ud;
	g_hash_table_add(p->counts, op);
	k = room_key(room);
	args[0] = k;
	rc = redis_conn_eval(p->rc, &p->count, 1, 1, args, NULL, on_count, op);
	g_free(k);
	if (rc) {
		count_free(op);
		done(ud, room, ERR_UNAVAILABLE, presence_local_count(p, room));
	}
	return 0;
}
