/* bus_redis.c — bus backend over Redis pub/sub (see bus_redis.h for the
 * wire format and the delivery promise).
 *
 * Owns the per-topic sequence numbers this node publishes with, the last
 * sequence number delivered per (origin, topic), and the PUBLISHes still
 * waiting for Redis's answer. Subscriptions themselves live in
 * redis_conn.c, which renews them after a reconnection. Never calls
 * bus_deliver twice for one (origin, topic, seq). Installed by cluster.c;
 * main loop only.
 */
#include "bus_redis.h"
#include "bus.h"
#include "err.h"
#include "log.h"
#include "redis_conn.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BR_NODE_MAX    40
#define BR_SWEEP_S     60
#define BR_IN_IDLE_US  (600 * G_USEC_PER_SEC)  /* forget an origin */
#define BR_OUT_IDLE_US (1800 * G_USEC_PER_SEC) /* restart a sequence */
#define BR_PREFIX_LEN  (sizeof(BUS_REDIS_PREFIX) - 1)

struct seq {
	uint64_t seq;
	int64_t at_us;
};

struct bus_redis {
	struct bus *bus;       /* borrowed; it owns us */
	struct redis_conn *rc; /* borrowed */
	char node[BR_NODE_MAX + 1];
	GHashTable *out;    /* topic → struct seq: last sent */
	GHashTable *in;     /* "node topic" → struct seq: last delivered */
	GHashTable *topics; /* topics we asked Redis for */
	GQueue inflight;    /* struct flight, in send order */
	struct bus_redis_stats st;
	int watch_id;
	guint sweep_id;
};

/* One PUBLISH waiting for its answer; msg is kept when local subscribers
 * would need it should the PUBLISH fail. */
struct flight {
	struct bus_redis *br; /* NULL once the backend is gone */
	char *topic;
	char *msg;
	size_t len;
	uint64_t seq;
};

static char *channel_of(const char *topic)
{
	return g_strconcat(BUS_REDIS_PREFIX, topic, NULL);
}

static uint64_t next_seq(struct bus_redis *br, const char *topic)
{
	struct seq *s = g_hash_table_lookup(br->out, topic);

	if (!s) {
		s = g_new0(struct seq, 1);
		g_hash_table_insert(br->out, g_strdup(topic), s);
	}
	s->at_us = g_get_monotonic_time();
	return ++s->seq;
}

/* Record seq as delivered for (node, topic); false if it already was.
 * *gap gets how many numbers were skipped. */
static bool mark(struct bus_redis *br, const char *node, const char *topic,
                 uint64_t seq, uint64_t *gap)
{
	char *key = g_strconcat(node, " ", topic, NULL);
	struct seq *s = g_hash_table_lookup(br->in, key);

	*gap = 0;
	if (!s) {
		s = g_new0(struct seq, 1);
		g_hash_table_insert(br->in, key, s);
	} else {
		g_free(key);
		if (seq <= s->seq)
			return false;
		*gap = seq - s->seq - 1;
	}
	s->seq = seq;
	s->at_us = g_get_monotonic_time();
	return true;
}

static void deliver_local(struct bus_redis *br, const char *topic, uint64_t seq,
                          const char *msg, size_t len)
{
	uint64_t gap;

	if (!mark(br, br->node, topic, seq, &gap))
		return;
	br->st.local++;
	bus_deliver(br->bus, topic, msg, len);
}

static void flight_free(struct flight *f)
{
	g_free(f->topic);
	g_free(f->msg);
	g_free(f);
}

static void on_published(struct redis_conn *rc, const redisReply *r, void *ud)
{
	struct flight *f = ud;
	struct bus_redis *br = f->br;

	if (br) {
		g_queue_remove(&br->inflight, f);
		if ((!r || r->type == REDIS_REPLY_ERROR) && f->msg)
			deliver_local(br, f->topic, f->seq, f->msg, f->len);
	}
	flight_free(f);
}

static int br_publish(void *impl, const char *topic, const char *msg,
                      size_t len)
{
	struct bus_redis *br = impl;
	uint64_t seq = next_seq(br, topic);
	bool local = bus_topic_subscribers(br->bus, topic) > 0;
	char *chan, head[96];
	GString *payload;
	struct flight *f;
	const char *argv[3];
	size_t lens[3];
	int hlen;

	if (!redis_conn_is_up(br->rc)) {
		deliver_local(br, topic, seq, msg, len);
		return 0;
	}
	chan = channel_of(topic);
	if (local && !redis_conn_subscribed(br->rc, chan))
		deliver_local(br, topic, seq, msg,
		              len); /* no echo to wait for */
	hlen = snprintf(head, sizeof(head), "S1 %s %llu\n", br->node,
	                (unsigned long long)seq);
	payload = g_string_sized_new((gsize)hlen + len);
	g_string_append_len(payload, head, hlen);
	g_string_append_len(payload, msg, (gssize)len);
	f = g_new0(struct flight, 1);
	f->br = br;
	f->topic = g_strdup(topic);
	f->seq = seq;
	f->len = len;
	if (local) {
		f->msg = g_malloc(len + 1);
		memcpy(f->msg, msg, len);
		f->msg[len] = '\0';
	}
	argv[0] = "PUBLISH";
	argv[1] = chan;
	argv[2] = payload->str;
	lens[0] = 7;
	lens[1] = strlen(chan);
	lens[2] = payload->len;
	if (redis_conn_command(br->rc, on_published, f, 3, argv, lens)) {
		if (local)
			deliver_local(br, topic, seq, msg, len);
		flight_free(f);
	} else {
		g_queue_push_tail(&br->inflight, f);
		br->st.sent++;
	}
	g_string_free(payload, TRUE);
	g_free(chan);
	return 0;
}

/* "S1 <node> <seq>\n<body>" → node (copied into node), seq, body. */
static bool parse(const char *msg, size_t len, char *node, uint64_t *seq,
                  const char **body, size_t *blen)
{
	const char *p = msg, *end = msg + len, *sp, *nl;
	uint64_t v = 0;

	if (len < 3 || memcmp(p, "S1 ", 3) != 0)
		return false;
	p += 3;
	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp || sp == p || sp - p > BR_NODE_MAX)
		return false;
	memcpy(node, p, (size_t)(sp - p));
	node[sp - p] = '\0';
	nl = memchr(sp + 1, '\n', (size_t)(end - sp - 1));
	if (!nl || nl == sp + 1 || nl - sp - 1 > 20)
		return false;
	for (p = sp + 1; p < nl; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*seq = v;
	*body = nl + 1;
	*blen = (size_t)(end - nl - 1);
	return v > 0;
}

static void on_message(void *ud, const char *channel, size_t chlen,
                       const char *msg, size_t len)
{
	struct bus_redis *br = ud;
	char node[BR_NODE_MAX + 1];
	const char *topic, *body;
	uint64_t seq, gap;
	size_t blen;

	if (chlen <= BR_PREFIX_LEN ||
	    strncmp(channel, BUS_REDIS_PREFIX, BR_PREFIX_LEN) != 0)
		return;
	topic = channel + BR_PREFIX_LEN;
	if (!parse(msg, len, node, &seq, &body, &blen)) {
		br->st.malformed++;
		return;
	}
	if (!mark(br, node, topic, seq, &gap)) {
		br->st.duplicates++;
		return;
	}
	br->st.gaps += gap;
	br->st.received++;
	if (gap)
		bus_missed(br->bus);
	bus_deliver(br->bus, topic, body, blen);
}

static void br_topic_added(void *impl, const char *topic)
{
	struct bus_redis *br = impl;
	char *chan = channel_of(topic);

	if (redis_conn_subscribe(br->rc, chan) == 0)
		g_hash_table_add(br->topics, g_strdup(topic));
	g_free(chan);
}

static void br_topic_removed(void *impl, const char *topic)
{
	struct bus_redis *br = impl;
	char *chan = channel_of(topic);

	redis_conn_unsubscribe(br->rc, chan);
	g_hash_table_remove(br->topics, topic);
	g_free(chan);
}

static bool br_topic_live(void *impl, const char *topic)
{
	struct bus_redis *br = impl;
	char chan[BR_PREFIX_LEN + 160];

	if (strlen(topic) >= sizeof(chan) - BR_PREFIX_LEN)
		return false;
	snprintf(chan, sizeof(chan), "%s%s", BUS_REDIS_PREFIX, topic);
	return redis_conn_is_up(br->rc) && redis_conn_subscribed(br->rc, chan);
}

/* Whatever other nodes publish while the link is down never comes. */
static void on_state(void *ud, bool up)
{
	struct bus_redis *br = ud;

	if (!up)
		bus_missed(br->bus);
}

static void br_free(void *impl)
{
	struct bus_redis *br = impl;
	GHashTableIter it;
	gpointer k;

	if (!br)
		return;
	g_source_remove(br->sweep_id);
	if (br->watch_id > 0)
		redis_conn_unwatch(br->rc, br->watch_id);
	for (GList *l = br->inflight.head; l; l = l->next)
		((struct flight *)l->data)->br = NULL;
	g_queue_clear(&br->inflight);
	redis_conn_on_message(br->rc, NULL, NULL);
	g_hash_table_iter_init(&it, br->topics);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		char *chan = channel_of(k);

		redis_conn_unsubscribe(br->rc, chan);
		g_free(chan);
	}
	g_hash_table_destroy(br->topics);
	g_hash_table_destroy(br->in);
	g_hash_table_destroy(br->out);
	free(br);
}

static const struct bus_backend bus_redis_backend = {
    .name = "redis",
    .publish = br_publish,
    .topic_added = br_topic_added,
    .topic_removed = br_topic_removed,
    .topic_live = br_topic_live,
    .free = br_free,
};

static gboolean sweep(gpointer ud)
{
	struct bus_redis *br = ud;
	int64_t now = g_get_monotonic_time();
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, br->in);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (now - ((struct seq *)v)->at_us > BR_IN_IDLE_US)
			g_hash_table_iter_remove(&it);
	g_hash_table_iter_init(&it, br->out);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (now - ((struct seq *)v)->at_us > BR_OUT_IDLE_US)
			g_hash_table_iter_remove(&it);
	return G_SOURCE_CONTINUE;
}

int bus_redis_install(struct bus *bus, struct redis_conn *rc,
                      const char *node_id, struct bus_redis **out)
{
	struct bus_redis *br;

	if (out)
		*out = NULL;
	if (!bus || !rc)
		return ERR_INVALID;
	if (node_id && (!*node_id || strlen(node_id) > BR_NODE_MAX ||
	                strpbrk(node_id, " \n\r\t")))
		return ERR_INVALID;
	br = calloc(1, sizeof(*br));
	if (!br)
		return ERR_NOMEM;
	br->bus = bus;
	br->rc = rc;
	if (node_id) {
		snprintf(br->node, sizeof(br->node), "%s", node_id);
	} else {
		gchar *u = g_uuid_string_random();

		snprintf(br->node, sizeof(br->node), "%s", u);
		g_free(u);
	}
	br->out =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	br->in = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	br->topics =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_queue_init(&br->inflight);
	br->sweep_id = g_timeout_add_seconds(BR_SWEEP_S, sweep, br);
	br->watch_id = redis_conn_watch(rc, on_state, br);
	redis_conn_on_message(rc, on_message, br);
	bus_set_backend(bus, &bus_redis_backend, br);
	if (out)
		*out = br;
	return 0;
}

void bus_redis_stats(const struct bus_redis *br, struct bus_redis_stats *out)
{
	if (br)
		*out = br->st;
	else
		memset(out, 0, sizeof(*out));
}

const char *bus_redis_node(const struct bus_redis *br)
{
	return br->node;
}
