/* counters.c — live counters in Redis, rebuilt from the store (see
 * counters.h for the promise).
 *
 * Owns the table of keys this node has changed (with the ones marked for
 * repair while Redis was down), the registered sources, and the Redis
 * commands in flight (struct op), which outlive nothing: counters_free
 * orphans them so their late replies are dropped. Never writes the store,
 * never blocks on Redis. Created by cluster.c; main loop only.
 */
#include "counters.h"
#include "err.h"
#include "log.h"
#include "redis_conn.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CNT_MAX_SOURCES    8
#define CNT_MAX_ENTRIES    100000
#define CNT_TTL_S          "604800" /* 7 days, renewed on every change */
#define CNT_SETTLE_MS      500      /* between the two looks of a repair */
#define CNT_SUSPECT_MS     2000     /* how soon a rebuilt key is checked */
#define CNT_REPAIR_BATCH   256      /* keys per turn after an outage */
#define CNT_REPAIR_TICK_MS 5

/* KEYS[1] counter; ARGV[1] delta; ARGV[2] ttl (s); ARGV[3] "1": create
 * when missing. Returns the new value, or nil when missing and not
 * created (the caller rebuilds it from the store). */
static const char cnt_incr_src[] =
    "if ARGV[3] ~= '1' and redis.call('EXISTS', KEYS[1]) == 0 then\n"
    "  return false\n"
    "end\n"
    "local v = redis.call('INCRBY', KEYS[1], ARGV[1])\n"
    "redis.call('EXPIRE', KEYS[1], ARGV[2])\n"
    "return v\n";

/* KEYS[1] counter; ARGV[1] the value seen before ("" for none); ARGV[2]
 * the store's value; ARGV[3] ttl (s). Sets it only if still as seen. */
static const char cnt_cas_src[] =
    "local cur = redis.call('GET', KEYS[1])\n"
    "if (cur or '') ~= ARGV[1] then\n"
    "  return 0\n"
    "end\n"
    "redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])\n"
    "return 1\n";

struct entry {
	int64_t local; /* changes not in Redis (no source), or the value */
	bool marked;   /* to repair when Redis is back */
};

struct source {
	char prefix[COUNTERS_KEY_MAX + 1];
	counters_source_fn fn;
	void *ud;
};

/* A key that differed in phase 1 of a reconcile. */
struct settle {
	char *key;
	char *have; /* Redis's value then, "" for none */
	int64_t want;
};

struct recon {
	struct counters *c; /* NULL once counters_free ran */
	unsigned left;      /* answers still expected, +1 while sending */
	bool repair, down, phase2;
	guint timer;
	GPtrArray *settle; /* struct settle */
	struct counters_report rep;
	counters_done_fn done;
	void *ud;
};

enum op_kind { OP_INCR, OP_GET, OP_SET, OP_RECON, OP_CAS };

struct op {
	struct counters *c; /* NULL once counters_free ran */
	enum op_kind kind;
	char *key;
	int64_t n; /* OP_INCR: delta */
	counters_value_fn fn;
	void *ud;
	struct recon *recon;
};

struct counters {
	struct redis_conn *rc; /* borrowed, may be NULL */
	struct redis_script incr, cas;
	GHashTable *entries;  /* key → struct entry */
	GHashTable *ops;      /* struct op set */
	GHashTable *recons;   /* struct recon set */
	GHashTable *suspects; /* keys to check soon */
	guint suspect_id;
	GPtrArray *repair; /* keys to put right after an outage */
	guint repair_i, repair_changed, repair_id;
	struct source sources[CNT_MAX_SOURCES];
	int n_sources;
	int watch_id;
	struct counters_stats st;
};

static void send_incr(struct counters *c, const char *key, int64_t delta);
static void suspect(struct counters *c, const char *key);

static bool key_ok(const char *key)
{
	return key && *key && strlen(key) <= COUNTERS_KEY_MAX;
}

static const struct source *find_source(const struct counters *c,
                                        const char *key)
{
	const struct source *best = NULL;

	for (int i = 0; i < c->n_sources; i++) {
		size_t n = strlen(c->sources[i].prefix);

		if (strncmp(key, c->sources[i].prefix, n) == 0 &&
		    (!best || n > strlen(best->prefix)))
			best = &c->sources[i];
	}
	return best;
}

static struct entry *entry_get(struct counters *c, const char *key)
{
	struct entry *e = g_hash_table_lookup(c->entries, key);
	GHashTableIter it;
	gpointer v;

	if (e)
		return e;
	if (g_hash_table_size(c->entries) >= CNT_MAX_ENTRIES) {
		g_hash_table_iter_init(&it, c->entries);
		while (g_hash_table_iter_next(&it, NULL, &v))
			if (!((struct entry *)v)->marked)
				g_hash_table_iter_remove(&it);
	}
	e = g_new0(struct entry, 1);
	g_hash_table_insert(c->entries, g_strdup(key), e);
	return e;
}

static void mark(struct counters *c, const char *key)
{
	struct entry *e = entry_get(c, key);

	if (c->rc && !e->marked) {
		e->marked = true;
		c->st.marked++;
	}
}

static char *redis_key(const char *key)
{
	return g_strconcat(COUNTERS_PREFIX, key, NULL);
}

/* ---------- ops ---------- */

static struct op *op_new(struct counters *c, enum op_kind kind, const char *key)
{
	struct op *op = g_new0(struct op, 1);

	op->c = c;
	op->kind = kind;
	op->key = g_strdup(key);
	g_hash_table_add(c->ops, op);
	return op;
}

static void op_free(struct op *op)
{
	if (op->c)
		g_hash_table_remove(op->c->ops, op);
	g_free(op->key);
	g_free(op);
}

static bool reply_bad(const redisReply *r)
{
	return !r || r->type == REDIS_REPLY_ERROR;
}

static bool reply_int(const redisReply *r, int64_t *out)
{
	char *end;

	if (r->type == REDIS_REPLY_INTEGER) {
		*out = r->integer;
		return true;
	}
	if (r->type != REDIS_REPLY_STRING)
		return false;
	*out = g_ascii_strtoll(r->str, &end, 10);
	return end != r->str && *end == '\0';
}

/* ---------- set / rebuild ---------- */

static void on_set(struct redis_conn *rc, const redisReply *r, void *ud)
{
	struct op *op = ud;

	if (op->c && reply_bad(r))
		mark(op->c, op->key); /* try again when Redis is back */
	else if (op->c && r->type == REDIS_REPLY_STATUS &&
	         find_source(op->c, op->key))
		suspect(op->c, op->key); /* set, not NX-refused: look again */
	op_free(op);
}

static void send_set(struct counters *c, const char *key, int64_t value,
                     bool only_if_missing)
{
	char *k = redis_key(key), v[24];
	const char *argv[6] = {"SET", k, v, "EX", CNT_TTL_S, "NX"};
	struct op *op = op_new(c, OP_SET, key);

	snprintf(v, sizeof(v), "%lld", (long long)value);
	if (redis_conn_command(c->rc, on_set, op, only_if_missing ? 6 : 5, argv,
	                       NULL)) {
		op_free(op);
		mark(c, key);
	}
	g_free(k);
}

int counters_rebuild(struct counters *c, const char *key, int64_t value)
{
	if (!c || !key_ok(key))
		return ERR_INVALID;
	if (!redis_conn_is_up(c->rc)) {
		mark(c, key);
		return 0;
	}
	c->st.rebuilt++;
	send_set(c, key, value, false);
	return 0;
}

static int from_source(struct counters *c, const char *key,
                       bool only_if_missing, int64_t *value)
{
	const struct source *s = find_source(c, key);
	int rc;

	if (!s)
		return ERR_NOT_FOUND;
	if ((rc = s->fn(s->ud, key, value)))
		return rc;
	if (!redis_conn_is_up(c->rc)) {
		mark(c, key);
		return 0;
	}
	c->st.rebuilt++;
	send_set(c, key, *value, only_if_missing);
	return 0;
}

int counters_rebuild_from_source(struct counters *c, const char *key)
{
	int64_t v;

	if (!c || !key_ok(key))
		return ERR_INVALID;
	return from_source(c, key, false, &v);
}

/* ---------- incr ---------- */

static void keep_local(struct counters *c, const char *key, int64_t delta)
{
	entry_get(c, key)->local += delta;
	mark(c, key);
	c->st.incr_local++;
}

static void on_incr(struct redis_conn *rc, const redisReply *r, void *ud)
{
	struct op *op = ud;
	struct counters *c = op->c;
	int64_t v;

	if (!c)
		goto out;
	if (reply_bad(r))
		keep_local(c, op->key, op->n); /* it may or may not have run:
		                                   the repair reads the store */
	else if (r->type == REDIS_REPLY_NIL)
		from_source(c, op->key, true, &v); /* the store has it */
out:
	op_free(op);
}

static void send_incr(struct counters *c, const char *key, int64_t delta)
{
	char *k = redis_key(key), d[24];
	const char *args[4] = {k, d, CNT_TTL_S,
	                       find_source(c, key) ? "0" : "1"};
	struct op *op = op_new(c, OP_INCR, key);

	snprintf(d, sizeof(d), "%lld", (long long)delta);
	op->n = delta;
	if (redis_conn_eval(c->rc, &c->incr, 1, 4, args, NULL, on_incr, op)) {
		op_free(op);
		keep_local(c, key, delta);
	} else {
		c->st.incr_redis++;
	}
	g_free(k);
}

int counters_incr(struct counters *c, const char *key, int64_t delta)
{
	if (!c)
		return 0;
	if (!key_ok(key))
		return ERR_INVALID;
	if (!redis_conn_is_up(c->rc)) {
		keep_local(c, key, delta);
		return 0;
	}
	entry_get(c, key); /* remembered for reconcile */
	send_incr(c, key, delta);
	return 0;
}

/* ---------- get ---------- */

static void answer_local(struct counters *c, const char *key,
                         counters_value_fn fn, void *ud)
{
	const struct source *s = find_source(c, key);
	struct entry *e = g_hash_table_lookup(c->entries, key);
	int64_t v = 0;
	int rc = 0;

	if (s)
		rc = s->fn(s->ud, key, &v);
	else if (e)
		v = e->local;
	fn(ud, key, rc, v);
}

static void on_get(struct redis_conn *rc, const redisReply *r, void *ud)
{
	struct op *op = ud;
	struct counters *c = op->c;
	int64_t v = 0;
	int err;

	if (!c)
		goto out;
	if (reply_bad(r)) {
		answer_local(c, op->key, op->fn, op->ud);
	} else if (r->type == REDIS_REPLY_NIL) {
		err = from_source(c, op->key, true, &v);
		if (err == ERR_NOT_FOUND && !find_source(c, op->key))
			err = 0; /* no source: nothing counted yet */
		op->fn(op->ud, op->key, err, err ? 0 : v);
	} else if (reply_int(r, &v)) {
		op->fn(op->ud, op->key, 0, v);
	} else {
		op->fn(op->ud, op->key, ERR_INTERNAL, 0);
	}
out:
	op_free(op);
}

int counters_get(struct counters *c, const char *key, counters_value_fn done,
                 void *ud)
{
	struct op *op;
	char *k;
	int rc;

	if (!c || !key_ok(key) || !done)
		return ERR_INVALID;
	if (!redis_conn_is_up(c->rc)) {
		answer_local(c, key, done, ud);
		return 0;
	}
	op = op_new(c, OP_GET, key);
	op->fn = done;
	op->ud = ud;
	k = redis_key(key);
	rc = redis_conn_commandf(c->rc, on_get, op, "GET %b", k, strlen(k));
	g_free(k);
	if (rc) {
		op_free(op);
		answer_local(c, key, done, ud);
	}
	return 0;
}

/* ---------- repair after an outage ----------
 *
 * When Redis is back every key this node knows is put right, a batch per
 * main-loop turn so requests keep being served: a key changed while Redis
 * was down is set from the store (or, with no source, gets the local
 * delta); any other key is set from the store only if Redis lost it (SET
 * NX: a restart without persistence loses everything).
 */

static void repair_one(struct counters *c, const char *key)
{
	struct entry *e = g_hash_table_lookup(c->entries, key);
	bool marked;
	int64_t delta, val;

	if (!e)
		return;
	marked = e->marked;
	delta = e->local;
	if (marked) {
		e->marked = false;
		e->local = 0;
		c->st.marked--;
		c->repair_changed++;
	}
	if (find_source(c, key)) {
		if (from_source(c, key, !marked, &val) && marked)
			log_warn("counters", "cannot rebuild %s from the store",
			         key);
	} else if (marked && delta) {
		send_incr(c, key, delta);
	}
}

static void repair_stop(struct counters *c)
{
	if (c->repair_id)
		g_source_remove(c->repair_id);
	c->repair_id = 0;
	if (c->repair)
		g_ptr_array_free(c->repair, TRUE);
	c->repair = NULL;
}

static gboolean repair_step(gpointer ud)
{
	struct counters *c = ud;
	guint end = MIN(c->repair_i + CNT_REPAIR_BATCH, c->repair->len);

	if (!redis_conn_is_up(c->rc)) { /* down again: next "up" restarts */
		c->repair_id = 0;
		repair_stop(c);
		return G_SOURCE_REMOVE;
	}
	for (; c->repair_i < end; c->repair_i++)
		repair_one(c, g_ptr_array_index(c->repair, c->repair_i));
	if (c->repair_i < c->repair->len)
		return G_SOURCE_CONTINUE;
	log_info("counters",
	         "checked %u counters after the outage (%u changed meanwhile)",
	         c->repair->len, c->repair_changed);
	c->repair_id = 0;
	repair_stop(c);
	return G_SOURCE_REMOVE;
}

static void repair_start(struct counters *c)
{
	GHashTableIter it;
	gpointer k;

	repair_stop(c);
	if (!g_hash_table_size(c->entries))
		return;
	c->repair = g_ptr_array_new_with_free_func(g_free);
	g_hash_table_iter_init(&it, c->entries);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(c->repair, g_strdup(k));
	c->repair_i = 0;
	c->repair_changed = 0;
	c->repair_id = g_timeout_add(CNT_REPAIR_TICK_MS, repair_step, c);
}

static void on_state(void *ud, bool up)
{
	if (up)
		repair_start(ud);
}

/* ---------- reconcile ----------
 *
 * Phase 1 reads each key from Redis and its source. A key that differs is
 * not set at once: an increment of another node may be in flight (in the
 * store, not yet in Redis). With repair, phase 2 looks again after
 * CNT_SETTLE_MS and sets the store's value only if the store has not
 * changed meanwhile and Redis still holds what phase 1 saw (one
 * compare-and-set script); otherwise the key is "busy" and left to the
 * next pass.
 */

static void recon_finish(struct recon *r)
{
	if (r->c)
		g_hash_table_remove(r->c->recons, r);
	if (r->done)
		r->done(r->ud, r->down ? ERR_UNAVAILABLE : 0, &r->rep);
	g_ptr_array_free(r->settle, TRUE);
	g_free(r);
}

static gboolean recon_phase2(gpointer ud);

static void recon_step(struct recon *r)
{
	if (--r->left)
		return;
	if (r->c && !r->phase2 && r->settle->len && !r->down) {
		r->phase2 = true;
		r->timer = g_timeout_add(CNT_SETTLE_MS, recon_phase2, r);
		return;
	}
	recon_finish(r);
}

static void settle_free(gpointer p)
{
	struct settle *s = p;

	g_free(s->key);
	g_free(s->have);
	g_free(s);
}

static void recon_compare(struct counters *c, struct recon *rec,
                          const char *key, const redisReply *r)
{
	const struct source *s = find_source(c, key);
	struct settle *st;
	int64_t want, have = 0;
	bool is_int;

	if (!s || s->fn(s->ud, key, &want)) {
		rec->rep.failed++;
		return;
	}
	rec->rep.checked++;
	is_int = reply_int(r, &have);
	if (r->type == REDIS_REPLY_NIL) {
		rec->rep.missing++;
	} else if (is_int && have == want) {
		return;
	} else {
		rec->rep.mismatched++;
		c->st.mismatches++;
		log_warn("counters", "counter %s: redis %lld, store %lld", key,
		         (long long)(is_int ? have : -1), (long long)want);
	}
	if (!rec->repair)
		return;
	st = g_new0(struct settle, 1);
	st->key = g_strdup(key);
	st->have =
	    r->type == REDIS_REPLY_STRING ? g_strdup(r->str) : g_strdup("");
	st->want = want;
	g_ptr_array_add(rec->settle, st);
}

static void on_recon(struct redis_conn *rc, const redisReply *r, void *ud)
{
	struct op *op = ud;
	struct recon *rec = op->recon;

	if (!op->c) {
		rec->done = NULL; /* nobody to tell any more */
	} else if (reply_bad(r)) {
		rec->rep.failed++;
		rec->down = true;
	} else if (op->kind == OP_RECON) {
		recon_compare(op->c, rec, op->key, r);
	} else if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
		rec->rep.repaired++;
		op->c->st.repaired++;
		log_info("counters", "counter %s set to the store's value",
		         op->key);
	} else {
		rec->rep.busy++;
	}
	op_free(op);
	recon_step(rec);
}

static void recon_send(struct counters *c, struct recon *rec, const char *key)
{
	struct op *op;
	char *k;

	if (!key_ok(key) || !find_source(c, key))
		return;
	op = op_new(c, OP_RECON, key);
	op->recon = rec;
	k = redis_key(key);
	rec->left++;
	if (redis_conn_commandf(c->rc, on_recon, op, "GET %b", k, strlen(k))) {
		rec->left--;
		rec->rep.failed++;
		rec->down = true;
		op_free(op);
	}
	g_free(k);
}

static void settle_send(struct counters *c, struct recon *rec,
                        const struct settle *st)
{
	const struct source *s = find_source(c, st->key);
	char *k = redis_key(st->key), v[24];
	const char *args[4] = {k, st->have, v, CNT_TTL_S};
	struct op *op;
	int64_t now;

	if (!s || s->fn(s->ud, st->key, &now) || now != st->want) {
		rec->rep.busy++; /* written meanwhile: next time */
		g_free(k);
		return;
	}
	snprintf(v, sizeof(v), "%lld", (long long)now);
	op = op_new(c, OP_CAS, st->key);
	op->recon = rec;
	rec->left++;
	if (redis_conn_eval(c->rc, &c->cas, 1, 4, args, NULL, on_recon, op)) {
		rec->left--;
		rec->rep.failed++;
		rec->down = true;
		op_free(op);
	}
	g_free(k);
}

static gboolean recon_phase2(gpointer ud)
{
	struct recon *rec = ud;

	rec->timer = 0;
	rec->left = 1;
	for (guint i = 0; i < rec->settle->len; i++)
		settle_send(rec->c, rec, g_ptr_array_index(rec->settle, i));
	recon_step(rec);
	return G_SOURCE_REMOVE;
}

int counters_reconcile(struct counters *c, const char *const *keys, size_t n,
                       bool repair, counters_done_fn done, void *ud)
{
	struct recon *rec;
	GPtrArray *all = NULL;

	if (!c)
		return ERR_INVALID;
	if (!redis_conn_is_up(c->rc))
		return ERR_UNAVAILABLE;
	rec = g_new0(struct recon, 1);
	rec->c = c;
	rec->left = 1; /* held while sending */
	rec->repair = repair;
	rec->done = done;
	rec->ud = ud;
	rec->settle = g_ptr_array_new_with_free_func(settle_free);
	g_hash_table_add(c->recons, rec);
	if (!keys) {
		GHashTableIter it;
		gpointer k;

		all = g_ptr_array_new_with_free_func(g_free);
		g_hash_table_iter_init(&it, c->entries);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(all, g_strdup(k));
		keys = (const char *const *)all->pdata;
		n = all->len;
	}
	for (size_t i = 0; i < n; i++)
		recon_send(c, rec, keys[i]);
	if (all)
		g_ptr_array_free(all, TRUE);
	recon_step(rec);
	return 0;
}

/* Keys rebuilt from the store while increments may have been in flight
 * are checked (and repaired when quiet) a moment later. */
static void suspect(struct counters *c, const char *key)
{
	if (c->rc && !g_hash_table_contains(c->suspects, key))
		g_hash_table_add(c->suspects, g_strdup(key));
}

static gboolean check_suspects(gpointer ud)
{
	struct counters *c = ud;
	GPtrArray *keys;
	GHashTableIter it;
	gpointer k;

	if (!g_hash_table_size(c->suspects) || !redis_conn_is_up(c->rc))
		return G_SOURCE_CONTINUE;
	keys = g_ptr_array_new_with_free_func(g_free);
	g_hash_table_iter_init(&it, c->suspects);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		g_ptr_array_add(keys, k);
		g_hash_table_iter_steal(&it);
	}
	counters_reconcile(c, (const char *const *)keys->pdata, keys->len, true,
	                   NULL, NULL);
	g_ptr_array_free(keys, TRUE);
	return G_SOURCE_CONTINUE;
}

/* ---------- life cycle ---------- */

struct counters *counters_new(struct redis_conn *rc)
{
	struct counters *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->rc = rc;
	redis_script_init(&c->incr, cnt_incr_src);
	redis_script_init(&c->cas, cnt_cas_src);
	c->entries =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->ops = g_hash_table_new(g_direct_hash, g_direct_equal);
	c->recons = g_hash_table_new(g_direct_hash, g_direct_equal);
	c->suspects =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (!rc)
		return c;
	c->suspect_id = g_timeout_add(CNT_SUSPECT_MS, check_suspects, c);
	if ((c->watch_id = redis_conn_watch(rc, on_state, c)) < 0) {
		counters_free(c);
		return NULL;
	}
	return c;
}

void counters_free(struct counters *c)
{
	GHashTableIter it;
	gpointer op;

	if (!c)
		return;
	if (c->suspect_id)
		g_source_remove(c->suspect_id);
	repair_stop(c);
	redis_conn_unwatch(c->rc, c->watch_id);
	g_hash_table_iter_init(&it, c->ops);
	while (g_hash_table_iter_next(&it, &op, NULL))
		((struct op *)op)->c = NULL;
	g_hash_table_iter_init(&it, c->recons);
	while (g_hash_table_iter_next(&it, &op, NULL)) {
		struct recon *r = op;

		r->c = NULL;
		r->done = NULL;
		if (r->timer) { /* waiting for phase 2: nothing in flight */
			g_source_remove(r->timer);
			g_ptr_array_free(r->settle, TRUE);
			g_free(r);
		}
	}
	g_hash_table_destroy(c->recons);
	g_hash_table_destroy(c->suspects);
	g_hash_table_destroy(c->ops);
	g_hash_table_destroy(c->entries);
	free(c);
}

int counters_add_source(struct counters *c, const char *prefix,
                        counters_source_fn fn, void *ud)
{
	struct source *s;

	if (!c || !fn || !key_ok(prefix))
		return ERR_INVALID;
	if (c->n_sources == CNT_MAX_SOURCES)
		return ERR_FULL;
	s = &c->sources[c->n_sources++];
	snprintf(s->prefix, sizeof(s->prefix), "%s", prefix);
	s->fn = fn;
	s->ud = ud;
	return 0;
}

void counters_stats(const struct counters *c, struct counters_stats *out)
{
	if (c)
		*out = c->st;
	else
		memset(out, 0, sizeof(*out));
}
