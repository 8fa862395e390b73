/* bus.c — topic → subscriber lists and the in-process backend.
 *
 * Owns subscriptions; does not know about WebSockets or Redis. A message
 * is wrapped for clients ({"topic","event"}) at most once per delivery,
 * whatever the number of subscribers. Delivery walks
 * a topic's list with a "deleted" mark so a callback may unsubscribe itself
 * or others; marked entries are reaped after the walk. Outside a walk an
 * unsubscribe takes its entry out at once, the last one moving into its
 * place. Main loop only.
 */
#include "bus.h"
#include "err.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BUS_TOPIC_MAX  128
#define BUS_MISSED_MAX 4

struct bus_sub {
	char *topic;
	bus_cb cb;
	void *ud;
	guint idx; /* its place in its topic's list */
	bool dead;
};

struct topic_list {
	GPtrArray *subs; /* struct bus_sub * */
	int walking;
	bool dirty;
};

struct bus {
	GHashTable *topics; /* char * → struct topic_list * */
	size_t n_subs;
	uint64_t published, delivered;
	const struct bus_backend *backend;
	void *impl;
	struct {
		bus_missed_fn fn;
		void *ud;
	} missed[BUS_MISSED_MAX];
};

static int local_publish(void *impl, const char *topic, const char *msg,
                         size_t len)
{
	bus_deliver(impl, topic, msg, len);
	return 0;
}

static const struct bus_backend local_backend = {
    .name = "local",
    .publish = local_publish,
};

static void sub_free(struct bus_sub *s)
{
	free(s->topic);
	free(s);
}

static void topic_list_free(gpointer p)
{
	struct topic_list *tl = p;

	for (guint i = 0; i < tl->subs->len; i++)
		sub_free(g_ptr_array_index(tl->subs, i));
	g_ptr_array_free(tl->subs, TRUE);
	free(tl);
}

struct bus *bus_new(void)
{
	struct bus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return NULL;
	bus->topics = g_hash_table_new_full(g_str_hash, g_str_equal, free,
	                                    topic_list_free);
	bus->backend = &local_backend;
	bus->impl = bus;
	return bus;
}

static void announce(gpointer key, gpointer value, gpointer ud)
{
	struct bus *bus = ud;

	if (bus->backend->topic_added)
		bus->backend->topic_added(bus->impl, key);
}

void bus_set_backend(struct bus *bus, const struct bus_backend *backend,
                     void *impl)
{
	if (bus->backend->free && bus->impl != bus)
		bus->backend->free(bus->impl);
	bus->backend = backend ? backend : &local_backend;
	bus->impl = backend ? impl : bus;
	g_hash_table_foreach(bus->topics, announce, bus);
	bus_missed(bus);
}

void bus_free(struct bus *bus)
{
	if (!bus)
		return;
	if (bus->backend->free && bus->impl != bus)
		bus->backend->free(bus->impl);
	g_hash_table_destroy(bus->topics);
	free(bus);
}

int bus_publish(struct bus *bus, const char *topic, const char *msg, size_t len)
{
	bus->published++;
	return bus->backend->publish(bus->impl, topic, msg, len);
}

struct bus_sub *bus_subscribe(struct bus *bus, const char *topic, bus_cb cb,
                              void *ud)
{
	struct topic_list *tl;
	struct bus_sub *s;
	size_t n = strlen(topic);

	if (n == 0 || n > BUS_TOPIC_MAX)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->topic = strdup(topic))) {
		free(s);
		return NULL;
	}
	s->cb = cb;
	s->ud = ud;
	tl = g_hash_table_lookup(bus->topics, topic);
	if (!tl) {
		tl = calloc(1, sizeof(*tl));
		if (!tl) {
			free(s->topic);
			free(s);
			return NULL;
		}
		tl->subs = g_ptr_array_new();
		g_hash_table_insert(bus->topics, strdup(topic), tl);
		if (bus->backend->topic_added)
			bus->backend->topic_added(bus->impl, topic);
	}
	s->idx = tl->subs->len;
	g_ptr_array_add(tl->subs, s);
	bus->n_subs++;
	return s;
}

/* Forget the topic of key (a copy) once nobody follows it. */
static void forget_if_empty(struct bus *bus, const char *key,
                            struct topic_list *tl)
{
	if (tl->subs->len)
		return;
	g_hash_table_remove(bus->topics, key);
	if (bus->backend->topic_removed)
		bus->backend->topic_removed(bus->impl, key);
}

/* After a walk: drop the subscriptions it marked dead, the others kept in
 * their order. One pass, however many died. */
static void reap(struct bus *bus, const char *topic, struct topic_list *tl)
{
	char *key = g_strdup(topic); /* may be a dead sub's, freed below */
	guint n = 0;

	for (guint i = 0; i < tl->subs->len; i++) {
		struct bus_sub *s = g_ptr_array_index(tl->subs, i);

		if (s->dead) {
			sub_free(s);
			continue;
		}
		s->idx = n;
		g_ptr_array_index(tl->subs, n++) = s;
	}
	g_ptr_array_set_size(tl->subs, n);
	tl->dirty = false;
	forget_if_empty(bus, key, tl);
	g_free(key);
}

/* Out of its list at once, the last one taking its place: when 10 000
 * watchers of one memorial leave together, each leaves in O(1), not by a
 * walk of those still there. During a delivery on its topic, marked dead
 * and reaped after the walk instead. */
void bus_unsubscribe(struct bus *bus, struct bus_sub *sub)
{
	struct topic_list *tl;
	char *key;

	if (!sub || sub->dead)
		return;
	tl = g_hash_table_lookup(bus->topics, sub->topic);
	sub->dead = true;
	bus->n_subs--;
	if (!tl)
		return;
	if (tl->walking) {
		tl->dirty = true;
		return;
	}
	key = g_strdup(sub->topic);
	g_ptr_array_remove_index_fast(tl->subs, sub->idx);
	if (sub->idx < tl->subs->len)
		((struct bus_sub *)g_ptr_array_index(tl->subs, sub->idx))->idx =
		    sub->idx;
	sub_free(sub);
	forget_if_empty(bus, key, tl);
	g_free(key);
}

static GBytes *make_envelope(const char *name, const struct bus_msg *m)
{
	json_t *t = json_string(name);
	char *ts = t ? json_dumps(t, JSON_ENCODE_ANY) : NULL;
	GString *s;

	json_decref(t);
	if (!ts)
		return NULL;
	s = g_string_sized_new(strlen(ts) + m->len + 24);
	g_string_append(s, "{\"topic\":");
	g_string_append(s, ts);
	g_string_append(s, ",\"event\":");
	g_string_append_len(s, m->msg, (gssize)m->len);
	g_string_append_c(s, '}');
	free(ts);
	return g_string_free_to_bytes(s);
}

GBytes *bus_msg_envelope(const struct bus_msg *m, const char *name)
{
	struct bus_msg *mm = (struct bus_msg *)m; /* made on first use */

	if (!name || strcmp(name, m->topic) == 0) {
		if (!mm->envelope)
			mm->envelope = make_envelope(m->topic, m);
		return mm->envelope;
	}
	if (mm->alt_envelope && strcmp(mm->alt_name, name) == 0)
		return mm->alt_envelope;
	if (mm->alt_envelope)
		g_bytes_unref(mm->alt_envelope);
	g_free(mm->alt_name);
	mm->alt_name = g_strdup(name);
	mm->alt_envelope = make_envelope(name, m);
	return mm->alt_envelope;
}

void bus_deliver(struct bus *bus, const char *topic, const char *msg,
                 size_t len)
{
	struct topic_list *tl = g_hash_table_lookup(bus->topics, topic);
	struct bus_msg m;
	char *key, *copy;

	if (!tl)
		return;
	key = g_strdup(topic);    /* reap may free the hash key */
	copy = g_malloc(len + 1); /* callbacks get a NUL-terminated msg */
	if (len)
		memcpy(copy, msg, len);
	copy[len] = '\0';
	m = (struct bus_msg){key, copy, len, NULL, NULL, NULL};
	tl->walking++;
	for (guint i = 0; i < tl->subs->len; i++) {
		struct bus_sub *s = g_ptr_array_index(tl->subs, i);

		if (s->dead)
			continue;
		s->cb(s->ud, &m);
		bus->delivered++;
	}
	tl->walking--;
	if (tl->walking == 0 && tl->dirty)
		reap(bus, key, tl);
	if (m.envelope)
		g_bytes_unref(m.envelope);
	if (m.alt_envelope)
		g_bytes_unref(m.alt_envelope);
	g_free(m.alt_name);
	g_free(copy);
	g_free(key);
}

bool bus_topic_live(const struct bus *bus, const char *topic)
{
	return !bus->backend->topic_live ||
	       bus->backend->topic_live(bus->impl, topic);
}

int bus_on_missed(struct bus *bus, bus_missed_fn fn, void *ud)
{
	for (int i = 0; i < BUS_MISSED_MAX; i++)
		if (!bus->missed[i].fn) {
			bus->missed[i].fn = fn;
			bus->missed[i].ud = ud;
			return 0;
		}
	return ERR_FULL;
}

void bus_off_missed(struct bus *bus, bus_missed_fn fn, void *ud)
{
	for (int i = 0; i < BUS_MISSED_MAX; i++)
		if (bus->missed[i].fn == fn && bus->missed[i].ud == ud)
			bus->missed[i].fn = NULL;
}

void bus_missed(struct bus *bus)
{
	for (int i = 0; i < BUS_MISSED_MAX; i++)
		if (bus->missed[i].fn)
			bus->missed[i].fn(bus->missed[i].ud);
}

size_t bus_subscriptions(const struct bus *bus)
{
	return bus->n_subs;
}

size_t bus_topic_subscribers(const struct bus *bus, const char *topic)
{
	struct topic_list *tl = g_hash_table_lookup(bus->topics, topic);
	size_t n = 0;

	if (!tl)
		return 0;
	for (guint i = 0; i < tl->subs->len; i++)
		if (!((struct bus_sub *)g_ptr_array_index(tl->subs, i))->dead)
			n++;
	return n;
}

uint64_t bus_published(const struct bus *bus)
{
	return bus->published;
}

uint64_t bus_delivered(const struct bus *bus)
{
	return bus->delivered;
}

const char *bus_backend_name(const struct bus *bus)
{
	return bus->backend->name;
}
