/* test_pagecache.c — memorial pages kept until their memorial changes: a
 * page is rendered once and then answered from memory; a tribute event on
 * memorial:{id} drops only its live part, any other event the whole page;
 * "pagecache:all" and bus_missed() drop every page; a page rendered while
 * its topics are not live is not kept; memory stays under its bound; the
 * renderer's errors come back; another thread reads kept pages; a
 * memorial's facts are kept with its page or alone, dropped with its own
 * part. */
#include "bus.h"
#include "err.h"
#include "pagecache.h"

#include <check.h>
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A renderer that counts its calls; memorial 404 does not exist. */
struct fake_store {
	int heads, lives, facts;
	int fail; /* ERR_* to return from the next head or facts read */
	char title[64];
	bool hold;
};

static int read_facts(struct fake_store *s, int64_t id,
                      struct pagecache_facts *f)
{
	if (id == 404)
		return ERR_NOT_FOUND;
	if (s->fail) {
		int rc = s->fail;

		s->fail = 0;
		return rc;
	}
	f->obj.id = id;
	f->obj.visibility = id % 2 ? VIS_PUBLIC : VIS_PRIVATE;
	f->hold = s->hold;
	snprintf(f->slug, sizeof(f->slug), "m-%lld", (long long)id);
	snprintf(f->title, sizeof(f->title), "%s", s->title);
	return 0;
}

static int facts(void *ud, int64_t id, struct pagecache_facts *f)
{
	struct fake_store *s = ud;

	s->facts++;
	return read_facts(s, id, f);
}

static int head(void *ud, int64_t id, struct pagecache_facts *f, GString *out)
{
	struct fake_store *s = ud;
	int rc;

	s->heads++;
	if ((rc = read_facts(s, id, f)))
		return rc;
	g_string_append_printf(out,
	                       "\"memorial\":{\"id\":%lld,\"title\":\"%s\"}",
	                       (long long)id, s->title);
	return 0;
}

static int live(void *ud, int64_t id, GString *out)
{
	struct fake_store *s = ud;

	s->lives++;
	g_string_append_printf(out, "\"counts\":{\"total\":%d}", s->lives);
	return 0;
}

/* A bus backend that delivers at once, like the local one, but whose
 * link may be down: then no topic is live. */
struct link {
	struct bus *bus;
	bool up;
};

static int link_publish(void *impl, const char *topic, const char *msg,
                        size_t len)
{
	struct link *l = impl;

	bus_deliver(l->bus, topic, msg, len);
	return 0;
}

static bool link_live(void *impl, const char *topic)
{
	(void)topic;
	return ((struct link *)impl)->up;
}

static const struct bus_backend link_backend = {
    .name = "link", .publish = link_publish, .topic_live = link_live};

static struct bus *bus;
static struct link lk;
static struct fake_store fs;
static struct pagecache *pc;

static void setup_cache(size_t max_bytes)
{
	const struct pagecache_render r = {&fs, head, live, "{\"anon\":true}",
	                                   facts};

	memset(&fs, 0, sizeof(fs));
	snprintf(fs.title, sizeof(fs.title), "first");
	bus = bus_new();
	lk = (struct link){bus, true};
	bus_set_backend(bus, &link_backend, &lk);
	pc = pagecache_new(bus, max_bytes, &r);
}

static void setup(void)
{
	setup_cache(1 << 20);
}

static void teardown(void)
{
	pagecache_free(pc);
	bus_set_backend(bus, NULL, NULL);
	bus_free(bus);
}

static char *body(struct pagecache_page *p)
{
	gsize n;
	const char *b = g_bytes_get_data(p->body, &n);

	return g_strndup(b, n);
}

/* Get memorial id's page and check it parses as what the renderer made. */
static struct pagecache_page *get(int64_t id)
{
	struct pagecache_page *p = NULL;

	ck_assert_int_eq(pagecache_get(pc, id, &p), 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->id, id);
	return p;
}

static void pub(const char *topic, const char *msg)
{
	ck_assert_int_eq(bus_publish(bus, topic, msg, strlen(msg)), 0);
}

START_TEST(renders_once_then_from_memory)
{
	struct pagecache_page *p = get(1), *q;
	char *b = body(p);
	struct pagecache_stats st;

	ck_assert_str_eq(b, "{\"memorial\":{\"id\":1,\"title\":\"first\"},"
	                    "\"counts\":{\"total\":1},\"viewer\":{\"anon\":"
	                    "true}}");
	ck_assert_uint_eq(p->shared_len, strstr(b, ",\"viewer\"") - b);
	ck_assert_uint_eq(p->hash, pagecache_hash(0, b, p->shared_len));
	ck_assert_str_eq(p->f.slug, "m-1");
	q = get(1);
	ck_assert_ptr_eq(p, q);
	ck_assert_int_eq(fs.heads, 1);
	ck_assert_int_eq(fs.lives, 1);
	ck_assert_int_eq(pagecache_slug_id(pc, "m-1"), 1);
	ck_assert_int_eq(pagecache_slug_id(pc, "m-2"), 0);
	pagecache_stats(pc, &st);
	ck_assert_uint_eq(st.hits, 1);
	ck_assert_uint_eq(st.misses, 1);
	ck_assert_uint_eq(st.pages, 1);
	ck_assert_uint_gt(st.bytes, 0);
	g_free(b);
	pagecache_page_unref(p);
	pagecache_page_unref(q);
}
END_TEST

START_TEST(tribute_drops_live_part_other_events_all)
{
	/* the type read wherever it is, escaped or not */
	static const char *const events[] = {
	    "{\"counts\":{},\"type\":\"tribute\"}",
	    "{\"type\":\"trib\\u0075te\"}",
	    /* the rest drop the whole page */
	    "{\"id\":1,\"type\":\"memorial_changed\"}",
	    "{\"type\":\"tribute_\"}", "not json"};
	struct pagecache_page *p = get(1), *q;
	uint64_t h = p->hash;

	/* a tribute: only the live part is rendered again */
	pub("memorial:1", "{\"type\":\"tribute\",\"counts\":{}}");
	q = get(1);
	ck_assert_ptr_ne(p, q);
	ck_assert_uint_ne(q->hash, h);
	ck_assert_int_eq(fs.heads, 1);
	ck_assert_int_eq(fs.lives, 2);
	/* the old page stays valid for whoever still holds it */
	ck_assert_ptr_nonnull(
	    strstr(g_bytes_get_data(p->body, NULL), "\"total\":1"));
	pagecache_page_unref(p);
	pagecache_page_unref(q);
	pub("memorial:1", "{\"type\":\"message_hidden\",\"id\":3}");
	pagecache_page_unref(get(1));
	ck_assert_int_eq(fs.heads, 1);
	ck_assert_int_eq(fs.lives, 3);
	for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
		int heads = fs.heads;

		pub("memorial:1", events[i]);
		pagecache_page_unref(get(1));
		ck_assert_int_eq(fs.heads, heads + (i >= 2));
	}
	ck_assert_int_eq(fs.heads, 4);
	ck_assert_int_eq(fs.lives, 8);
	/* anything else: the whole page */
	snprintf(fs.title, sizeof(fs.title), "second");
	pub("memorial:1", "{\"type\":\"memorial_changed\"}");
	p = get(1);
	ck_assert_int_eq(fs.heads, 5);
	ck_assert_int_eq(fs.lives, 9);
	ck_assert_ptr_nonnull(
	    strstr(g_bytes_get_data(p->body, NULL), "second"));
	pagecache_page_unref(p);
	/* other memorials are left alone */
	pagecache_page_unref(get(3));
	pub("memorial:1", "{\"type\":\"memorial_changed\"}");
	pagecache_page_unref(get(3));
	ck_assert_int_eq(fs.heads, 6);
}
END_TEST

START_TEST(all_topic_missed_and_local_drop)
{
	pagecache_page_unref(get(1));
	pagecache_page_unref(get(3));
	pub(PAGECACHE_ALL_TOPIC, "{}");
	ck_assert_ptr_null(pagecache_peek(pc, 1));
	ck_assert_ptr_null(pagecache_peek(pc, 3));
	pagecache_page_unref(get(1));
	pagecache_page_unref(get(3));
	ck_assert_int_eq(fs.heads, 4);
	bus_missed(bus);
	ck_assert_ptr_null(pagecache_peek(pc, 1));
	ck_assert_int_eq(pagecache_slug_id(pc, "m-1"), 0);
	pagecache_page_unref(get(1));
	/* this node's own change, before the bus brings it back */
	pagecache_drop(pc, 1, false);
	pagecache_page_unref(get(1));
	ck_assert_int_eq(fs.heads, 5);
	ck_assert_int_eq(fs.lives, 6);
	pagecache_drop(pc, 1, true);
	pagecache_page_unref(get(1));
	ck_assert_int_eq(fs.heads, 6);
	pagecache_drop(pc, 0, true);
	ck_assert_ptr_null(pagecache_peek(pc, 1));
	pagecache_drop(NULL, 1, true);
}
END_TEST

START_TEST(not_live_not_kept)
{
	struct pagecache_page *p;

	lk.up = false; /* as Redis down, or a subscription not confirmed */
	p = get(1);
	pagecache_page_unref(p);
	pagecache_page_unref(get(1));
	ck_assert_int_eq(fs.heads, 2);
	ck_assert_ptr_null(pagecache_peek(pc, 1));
	lk.up = true;
	pagecache_page_unref(get(1));
	pagecache_page_unref(get(1));
	ck_assert_int_eq(fs.heads, 3);
	ck_assert_ptr_nonnull(p = pagecache_peek(pc, 1));
	pagecache_page_unref(p);
}
END_TEST

START_TEST(errors_come_back)
{
	struct pagecache_page *p = NULL;

	ck_assert_int_eq(pagecache_get(pc, 404, &p), ERR_NOT_FOUND);
	ck_assert_ptr_null(p);
	fs.fail = ERR_DB;
	ck_assert_int_eq(pagecache_get(pc, 1, &p), ERR_DB);
	ck_assert_ptr_null(p);
	/* and nothing half-rendered was kept */
	pagecache_page_unref(get(1));
	ck_assert_int_eq(fs.heads, 3);
	ck_assert_int_eq(fs.lives, 1);
}
END_TEST

/* The facts of memorial id, which must be there. */
static struct pagecache_facts facts_of(int64_t id)
{
	struct pagecache_facts f;

	ck_assert_int_eq(pagecache_facts(pc, id, &f), 0);
	ck_assert_int_eq(f.obj.id, id);
	return f;
}

START_TEST(facts_kept_alone_or_with_page)
{
	struct pagecache_facts f = facts_of(1);
	struct pagecache_page *p;

	ck_assert_str_eq(f.title, "first");
	ck_assert(!f.hold);
	f = facts_of(1);
	ck_assert_int_eq(fs.facts, 1);
	ck_assert_int_eq(fs.heads, 0);
	/* facts alone are no page */
	ck_assert_ptr_null(pagecache_peek(pc, 1));
	/* a tribute leaves them; any other change drops them */
	pub("memorial:1", "{\"type\":\"tribute\",\"counts\":{}}");
	facts_of(1);
	ck_assert_int_eq(fs.facts, 1);
	fs.hold = true;
	snprintf(fs.title, sizeof(fs.title), "second");
	pub("memorial:1", "{\"type\":\"memorial_changed\"}");
	f = facts_of(1);
	ck_assert_int_eq(fs.facts, 2);
	ck_assert(f.hold);
	ck_assert_str_eq(f.title, "second");
	/* this node's own change, every page's, and a gap drop them too */
	pagecache_drop(pc, 1, true);
	facts_of(1);
	pub(PAGECACHE_ALL_TOPIC, "{}");
	facts_of(1);
	bus_missed(bus);
	facts_of(1);
	ck_assert_int_eq(fs.facts, 5);
	/* a page's own part brings them, and its tribute events leave them */
	pagecache_page_unref(get(3));
	pub("memorial:3", "{\"type\":\"tribute\",\"counts\":{}}");
	ck_assert_ptr_null(pagecache_peek(pc, 3));
	f = facts_of(3);
	ck_assert_int_eq(f.obj.visibility, VIS_PUBLIC);
	ck_assert_int_eq(fs.facts, 5);
	ck_assert_int_eq(fs.heads, 1);
	/* facts alone, then the page: its own part is rendered */
	facts_of(5);
	p = get(5);
	ck_assert_int_eq(fs.heads, 2);
	pagecache_page_unref(p);
	pub("memorial:5", "{\"type\":\"memorial_changed\"}");
	facts_of(5);
	ck_assert_int_eq(fs.facts, 7);
}
END_TEST

START_TEST(facts_not_live_errors_off)
{
	struct pagecache_facts f;

	lk.up = false;
	facts_of(1);
	facts_of(1);
	ck_assert_int_eq(fs.facts, 2);
	lk.up = true;
	facts_of(1);
	facts_of(1);
	ck_assert_int_eq(fs.facts, 3);
	ck_assert_int_eq(pagecache_facts(pc, 404, &f), ERR_NOT_FOUND);
	fs.fail = ERR_DB;
	ck_assert_int_eq(pagecache_facts(pc, 7, &f), ERR_DB);
	facts_of(7);
	facts_of(7);
	ck_assert_int_eq(fs.facts, 6);
	/* a cache of no bytes reads them every time */
	teardown();
	setup_cache(0);
	facts_of(1);
	facts_of(1);
	ck_assert_int_eq(fs.facts, 2);
}
END_TEST

START_TEST(memory_is_bounded)
{
	struct pagecache_stats st;
	struct pagecache_page *p;

	teardown();
	setup_cache(8 * 1024);
	for (int i = 1; i <= 200; i++) {
		pagecache_page_unref(get(i));
		pagecache_stats(pc, &st);
		ck_assert_uint_le(st.bytes, 8 * 1024);
	}
	ck_assert_uint_lt(st.pages, 20);
	ck_assert_uint_gt(st.pages, 0);
	/* a page in use while the sweep passes is kept */
	pagecache_page_unref(get(300));
	for (int i = 1; i <= 200; i++) {
		pagecache_page_unref(get(i));
		pagecache_page_unref(get(300));
	}
	ck_assert_ptr_nonnull(p = pagecache_peek(pc, 300));
	pagecache_page_unref(p);
	/* facts kept alone are charged at least what they take */
	teardown();
	setup_cache(1024 * 1024);
	facts_of(1);
	pagecache_stats(pc, &st);
	ck_assert_uint_ge(st.bytes, sizeof(struct pagecache_facts));
	/* no memory: render every time, keep nothing */
	teardown();
	setup_cache(0);
	pagecache_page_unref(get(1));
	pagecache_page_unref(get(1));
	ck_assert_int_eq(fs.heads, 2);
	pagecache_stats(pc, &st);
	ck_assert_uint_eq(st.pages, 0);
	ck_assert_uint_eq(bus_subscriptions(bus), 1);
}
END_TEST

struct reader {
	gint stop;
	gint seen;
};

static gpointer reader(gpointer ud)
{
	struct reader *r = ud;

	while (!g_atomic_int_get(&r->stop)) {
		struct pagecache_page *p = pagecache_peek(pc, 1);

		if (p) {
			ck_assert_ptr_nonnull(strstr(
			    g_bytes_get_data(p->body, NULL), "\"memorial\""));
			g_atomic_int_inc(&r->seen);
		}
		pagecache_page_unref(pagecache_peek_slug(pc, "m-1"));
		pagecache_page_unref(p);
	}
	return NULL;
}

START_TEST(other_threads_read_kept_pages)
{
	struct reader r = {0, 0};
	GThread *t;
	int i;

	pagecache_page_unref(get(1));
	t = g_thread_new("reader", reader, &r);
	/* pages come and go under the reader until it has read a few */
	for (i = 0; i < 2000000 && g_atomic_int_get(&r.seen) < 100; i++) {
		pub("memorial:1", i % 2 ? "{\"type\":\"tribute\"}"
		                        : "{\"type\":\"memorial_changed\"}");
		pagecache_page_unref(get(1));
	}
	g_atomic_int_set(&r.stop, 1);
	g_thread_join(t);
	ck_assert_int_ge(r.seen, 100);
}
END_TEST

static Suite *pagecache_suite(void)
{
	Suite *s = suite_create("pagecache");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, renders_once_then_from_memory);
	tcase_add_test(tc, tribute_drops_live_part_other_events_all);
	tcase_add_test(tc, all_topic_missed_and_local_drop);
	tcase_add_test(tc, not_live_not_kept);
	tcase_add_test(tc, errors_come_back);
	tcase_add_test(tc, memory_is_bounded);
	tcase_add_test(tc, other_threads_read_kept_pages);
	tcase_add_test(tc, facts_kept_alone_or_with_page);
	tcase_add_test(tc, facts_not_live_errors_off);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pagecache_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
