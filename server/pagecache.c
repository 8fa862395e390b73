/* pagecache.c — memorial pages kept ready, dropped when the bus says their
 * memorial changed (see pagecache.h).
 *
 * Owns, per memorial it has seen, an entry (main loop): its bus
 * subscription, its facts, the two rendered parts and the page composed
 * from them.
 * Kept pages are also published in a table under a lock, which is all
 * another thread may read. Memory is bounded by max_bytes; when over, the
 * "clock" sweep evicts entries whose page was not used since its last
 * pass (each entry is charged a fixed overhead besides its bytes, so the
 * number of subscriptions is bounded too). Never renders by itself and
 * never checks rights.
 */
#include "pagecache.h"
#include "bus.h"
#include "err.h"
#include "log.h"
#include "metrics.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	struct pagecache *pc;
	int64_t id;
	struct bus_sub *sub;
	GString *head; /* NULL: to render */
	struct pagecache_facts f;
	bool facts;                  /* f is read (with head, or alone) */
	GString *live;               /* NULL: to render */
	struct pagecache_page *page; /* composed and published, or NULL */
	GList link;                  /* in pc->ring */
	size_t bytes;
};

/* Bytes charged per memorial besides its parts: the entry itself (its
 * facts hold a title of up to 100 characters) and about what its bus
 * subscription and table slots take. */
#define ENTRY_COST (sizeof(struct entry) + 256)

struct pagecache {
	struct bus *bus;
	struct pagecache_render r;
	size_t max_bytes, bytes;
	GHashTable *entries; /* &entry->id → struct entry * (main loop) */
	GQueue ring;         /* entries, oldest first, for the sweep */
	struct bus_sub *all;
	GMutex lock;       /* guards pages and slugs */
	GHashTable *pages; /* &page->id → page (a reference) */
	GHashTable *slugs; /* page->f.slug → page (borrowed from pages) */
	atomic_uint_fast64_t hits, misses;
	uint64_t renders, drops;
};

uint64_t pagecache_hash(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (h == 0)
		h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void pagecache_page_unref(struct pagecache_page *p)
{
	if (!p || !g_atomic_int_dec_and_test(&p->ref))
		return;
	g_bytes_unref(p->body);
	g_free(p);
}

static struct pagecache_page *page_ref(struct pagecache_page *p)
{
	g_atomic_int_inc(&p->ref);
	return p;
}

/* ---------- entries (main loop) ---------- */

static void account(struct entry *e)
{
	struct pagecache *pc = e->pc;
	size_t b = ENTRY_COST + (e->head ? e->head->len : 0) +
	           (e->live ? e->live->len : 0) +
	           (e->page ? g_bytes_get_size(e->page->body) : 0);

	pc->bytes = pc->bytes - e->bytes + b;
	e->bytes = b;
}

static void unpublish(struct entry *e)
{
	struct pagecache *pc = e->pc;

	if (!e->page)
		return;
	g_mutex_lock(&pc->lock);
	if (g_hash_table_lookup(pc->slugs, e->page->f.slug) == e->page)
		g_hash_table_remove(pc->slugs, e->page->f.slug);
	g_hash_table_remove(pc->pages, &e->id);
	g_mutex_unlock(&pc->lock);
	pagecache_page_unref(e->page);
	e->page = NULL;
}

static void clear_parts(struct entry *e, bool whole)
{
	unpublish(e);
	if (whole)
		e->facts = false;
	if (whole && e->head) {
		g_string_free(e->head, TRUE);
		e->head = NULL;
	}
	if (e->live) {
		g_string_free(e->live, TRUE);
		e->live = NULL;
	}
	account(e);
}

static void drop_parts(struct entry *e, bool whole)
{
	if (!e->head && !e->live && !e->facts)
		return;
	clear_parts(e, whole);
	e->pc->drops++;
}

/* The type of an event that begins {"type":"...", as every event sinian
 * publishes does (a string without escapes, read in place), into out;
 * false for any other message. */
static bool type_first(const char *msg, size_t len, char *out, size_t outlen)
{
	static const char head[] = "{\"type\":\"";
	const size_t n = sizeof(head) - 1;
	const char *end;

	if (len <= n || memcmp(msg, head, n) != 0)
		return false;
	end = memchr(msg + n, '"', len - n);
	if (!end || (size_t)(end - msg - n) >= outlen ||
	    memchr(msg + n, '\\', (size_t)(end - msg - n)))
		return false;
	memcpy(out, msg + n, (size_t)(end - msg - n));
	out[end - msg - n] = '\0';
	return true;
}

/* A tribute event changes only the live part; anything else may change
 * what the memorial shows. */
static bool only_live(const char *msg, size_t len)
{
	static const char *const live_types[] = {"tribute", "message_approved",
	                                         "message_hidden"};
	json_t *j = NULL;
	char buf[32];
	const char *t = buf;
	bool live = false;

	/* a tribute storm: no parse per event */
	if (!type_first(msg, len, buf, sizeof(buf))) {
		j = json_loadb(msg, len, 0, NULL);
		t = json_string_value(json_object_get(j, "type"));
	}
	for (size_t i = 0; t && i < G_N_ELEMENTS(live_types); i++)
		live = live || strcmp(t, live_types[i]) == 0;
	json_decref(j);
	return live;
}

static void on_event(void *ud, const struct bus_msg *m)
{
	struct entry *e = ud;

	if (e->head || e->live || e->facts)
		drop_parts(e, !only_live(m->msg, m->len));
}

static void drop_all(struct pagecache *pc)
{
	for (GList *l = pc->ring.head; l; l = l->next)
		drop_parts(l->data, true);
}

static void on_all(void *ud, const struct bus_msg *m)
{
	(void)m;
	drop_all(ud);
}

static void on_missed(void *ud)
{
	drop_all(ud);
}

static void entry_free(struct entry *e)
{
	struct pagecache *pc = e->pc;

	clear_parts(e, true);
	pc->bytes -= e->bytes;
	bus_unsubscribe(pc->bus, e->sub);
	g_queue_unlink(&pc->ring, &e->link);
	g_hash_table_remove(pc->entries, &e->id);
	g_free(e);
}

static struct entry *entry_new(struct pagecache *pc, int64_t id)
{
	struct entry *e = g_new0(struct entry, 1);
	char topic[48];

	e->pc = pc;
	e->id = id;
	e->link.data = e;
	snprintf(topic, sizeof(topic), "memorial:%lld", (long long)id);
	e->sub = bus_subscribe(pc->bus, topic, on_event, e);
	g_hash_table_insert(pc->entries, &e->id, e);
	g_queue_push_tail_link(&pc->ring, &e->link);
	account(e);
	return e;
}

/* The clock sweep: evict what was not used since the last pass. */
static void evict(struct pagecache *pc, struct entry *keep)
{
	guint n = pc->ring.length * 2;

	while (pc->bytes > pc->max_bytes && n-- > 0 && pc->ring.head) {
		struct entry *e = pc->ring.head->data;

		g_queue_unlink(&pc->ring, &e->link);
		g_queue_push_tail_link(&pc->ring, &e->link);
		if (e == keep || (e->page && g_atomic_int_compare_and_exchange(
		                                 &e->page->hot, 1, 0)))
			continue;
		entry_free(e);
	}
}

/* ---------- rendering and composing (main loop) ---------- */

static struct pagecache_page *compose(struct pagecache *pc, struct entry *e)
{
	struct pagecache_page *p = g_new0(struct pagecache_page, 1);
	GString *b = g_string_sized_new(e->head->len + e->live->len + 128);

	p->ref = 1;
	p->id = e->id;
	p->f = e->f;
	g_string_append_c(b, '{');
	g_string_append_len(b, e->head->str, (gssize)e->head->len);
	g_string_append_c(b, ',');
	g_string_append_len(b, e->live->str, (gssize)e->live->len);
	p->shared_len = b->len;
	p->hash = pagecache_hash(0, b->str, b->len);
	g_string_append(b, ",\"viewer\":");
	g_string_append(b, pc->r.anon_viewer);
	g_string_append_c(b, '}');
	p->body = g_string_free_to_bytes(b);
	return p;
}

static int render(struct pagecache *pc, struct entry *e)
{
	int rc;

	if (!e->head) {
		e->head = g_string_new(NULL);
		memset(&e->f, 0, sizeof(e->f));
		e->facts = false;
		if ((rc = pc->r.head(pc->r.ud, e->id, &e->f, e->head)))
			return rc;
		e->facts = true;
	}
	if (!e->live) {
		e->live = g_string_new(NULL);
		if ((rc = pc->r.live(pc->r.ud, e->id, e->live)))
			return rc;
	}
	pc->renders++;
	return 0;
}

/* Put e->page in the tables other threads read (they take a reference). */
static void publish(struct pagecache *pc, struct entry *e)
{
	page_ref(e->page);
	g_mutex_lock(&pc->lock);
	g_hash_table_replace(pc->pages, &e->page->id, e->page);
	if (e->page->f.slug[0])
		g_hash_table_replace(pc->slugs, e->page->f.slug, e->page);
	g_mutex_unlock(&pc->lock);
}

static bool topics_live(struct pagecache *pc, int64_t id)
{
	char topic[48];

	snprintf(topic, sizeof(topic), "memorial:%lld", (long long)id);
	return bus_topic_live(pc->bus, PAGECACHE_ALL_TOPIC) &&
	       bus_topic_live(pc->bus, topic);
}

/* Render and compose without keeping anything (the cache is off). */
static int render_once(struct pagecache *pc, int64_t id,
                       struct pagecache_page **out)
{
	struct entry e = {.pc = pc, .id = id};
	int rc = render(pc, &e);

	if (rc == 0)
		*out = compose(pc, &e);
	if (e.head)
		g_string_free(e.head, TRUE);
	if (e.live)
		g_string_free(e.live, TRUE);
	return rc;
}

int pagecache_get(struct pagecache *pc, int64_t id, struct pagecache_page **out)
{
	struct entry *e = g_hash_table_lookup(pc->entries, &id);
	bool keep;
	int rc;

	if (e && e->page) {
		atomic_fetch_add(&pc->hits, 1);
		g_atomic_int_set(&e->page->hot, 1);
		*out = page_ref(e->page);
		return 0;
	}
	atomic_fetch_add(&pc->misses, 1);
	if (pc->max_bytes == 0)
		return render_once(pc, id, out);
	if (!e)
		e = entry_new(pc, id);
	/* live before the reads: whatever changes after them is heard */
	keep = topics_live(pc, id);
	if ((rc = render(pc, e))) {
		entry_free(e);
		return rc;
	}
	*out = compose(pc, e);
	if (!keep) {
		clear_parts(e, true);
		return 0;
	}
	e->page = page_ref(*out);
	publish(pc, e);
	account(e);
	evict(pc, e);
	return 0;
}

int pagecache_facts(struct pagecache *pc, int64_t id,
                    struct pagecache_facts *out)
{
	struct entry *e = g_hash_table_lookup(pc->entries, &id);
	bool keep;
	int rc;

	if (e && e->facts) {
		*out = e->f;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	if (pc->max_bytes == 0)
		return pc->r.facts(pc->r.ud, id, out);
	if (!e)
		e = entry_new(pc, id);
	/* live before the reads, as for a page */
	keep = topics_live(pc, id);
	if ((rc = pc->r.facts(pc->r.ud, id, out))) {
		entry_free(e);
		return rc;
	}
	if (keep) {
		e->f = *out;
		e->facts = true;
	}
	evict(pc, e);
	return 0;
}

int64_t pagecache_slug_id(struct pagecache *pc, const char *slug)
{
	struct pagecache_page *p = g_hash_table_lookup(pc->slugs, slug);

	/* the main loop is the only writer: no lock needed to read here */
	return p ? p->id : 0;
}

void pagecache_drop(struct pagecache *pc, int64_t id, bool whole)
{
	struct entry *e;

	if (!pc)
		return;
	if (id == 0) {
		drop_all(pc);
		return;
	}
	e = g_hash_table_lookup(pc->entries, &id);
	if (e)
		drop_parts(e, whole);
}

/* ---------- any thread ---------- */

static struct pagecache_page *peek(struct pagecache *pc, GHashTable *t,
                                   const void *key)
{
	struct pagecache_page *p;

	g_mutex_lock(&pc->lock);
	p = g_hash_table_lookup(t, key);
	if (p)
		page_ref(p);
	g_mutex_unlock(&pc->lock);
	if (p) {
		atomic_fetch_add(&pc->hits, 1);
		g_atomic_int_set(&p->hot, 1);
	}
	return p;
}

struct pagecache_page *pagecache_peek(struct pagecache *pc, int64_t id)
{
	return peek(pc, pc->pages, &id);
}

struct pagecache_page *pagecache_peek_slug(struct pagecache *pc,
                                           const char *slug)
{
	return peek(pc, pc->slugs, slug);
}

void pagecache_stats(struct pagecache *pc, struct pagecache_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->hits = atomic_load(&pc->hits);
	out->misses = atomic_load(&pc->misses);
	out->renders = pc->renders;
	out->drops = pc->drops;
	g_mutex_lock(&pc->lock);
	out->pages = g_hash_table_size(pc->pages);
	g_mutex_unlock(&pc->lock);
	out->bytes = pc->bytes;
}

void pagecache_metrics(struct pagecache *pc, struct metrics *m)
{
	struct pagecache_stats st;

	if (!pc)
		return;
	pagecache_stats(pc, &st);
	metrics_counter_set(m, "sinian_pagecache_hits_total",
	                    "Memorial pages answered from memory.",
	                    (double)st.hits);
	metrics_counter_set(m, "sinian_pagecache_misses_total",
	                    "Memorial pages that had to be rendered.",
	                    (double)st.misses);
	metrics_counter_set(m, "sinian_pagecache_drops_total",
	                    "Kept memorial pages dropped by a change.",
	                    (double)st.drops);
	metrics_gauge_set(m, "sinian_pagecache_pages",
	                  "Memorial pages kept ready.", (double)st.pages);
	metrics_gauge_set(m, "sinian_pagecache_bytes",
	                  "Memory the kept pages take.", (double)st.bytes);
}

/* ---------- life ---------- */

static void page_unref_cb(gpointer p)
{
	pagecache_page_unref(p);
}

struct pagecache *pagecache_new(struct bus *bus, size_t max_bytes,
                                const struct pagecache_render *r)
{
	struct pagecache *pc = g_new0(struct pagecache, 1);

	pc->bus = bus;
	pc->r = *r;
	pc->max_bytes = max_bytes;
	pc->entries = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_queue_init(&pc->ring);
	g_mutex_init(&pc->lock);
	pc->pages = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
	                                  page_unref_cb);
	pc->slugs = g_hash_table_new(g_str_hash, g_str_equal);
	atomic_init(&pc->hits, 0);
	atomic_init(&pc->misses, 0);
	pc->all = bus_subscribe(bus, PAGECACHE_ALL_TOPIC, on_all, pc);
	if (!pc->all || bus_on_missed(bus, on_missed, pc)) {
		log_error("pagecache",
		          "cannot follow changes: keeping no page");
		pc->max_bytes = 0;
	}
	return pc;
}

void pagecache_free(struct pagecache *pc)
{
	if (!pc)
		return;
	while (pc->ring.head)
		entry_free(pc->ring.head->data);
	bus_off_missed(pc->bus, on_missed, pc);
	bus_unsubscribe(pc->bus, pc->all);
	g_hash_table_destroy(pc->slugs);
	g_hash_table_destroy(pc->pages);
	g_hash_table_destroy(pc->entries);
	g_mutex_clear(&pc->lock);
	g_free(pc);
}
