/* test_bus.c — publish/subscribe by topic: delivery, isolation between
 * topics, several subscribers, unsubscribing from inside a callback (itself
 * or another), a thousand leaving in any order, counters, and a custom backend
 * that must see every publish and every first/last subscriber of a topic. */
#include "bus.h"
#include "err.h"

#include <check.h>
#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A subscriber that records what it got. */
struct rec {
	GPtrArray *got; /* "topic|msg" strings */
	struct bus *bus;
	struct bus_sub *self;  /* unsubscribe self after first message */
	struct bus_sub *other; /* unsubscribe this after first message */
	bool unsub_self, unsub_other;
	size_t last_len;
};

static void rec_init(struct rec *r, struct bus *bus)
{
	memset(r, 0, sizeof(*r));
	r->got = g_ptr_array_new_with_free_func(g_free);
	r->bus = bus;
}

static void rec_clear(struct rec *r)
{
	g_ptr_array_free(r->got, TRUE);
}

static void on_msg(void *ud, const struct bus_msg *m)
{
	struct rec *r = ud;

	ck_assert_uint_eq(strlen(m->msg), m->len); /* NUL-terminated */
	r->last_len = m->len;
	g_ptr_array_add(r->got, g_strdup_printf("%s|%s", m->topic, m->msg));
	if (r->unsub_self) {
		r->unsub_self = false;
		bus_unsubscribe(r->bus, r->self);
	}
	if (r->unsub_other) {
		r->unsub_other = false;
		bus_unsubscribe(r->bus, r->other);
	}
}

static const char *got(const struct rec *r, guint i)
{
	ck_assert_uint_lt(i, r->got->len);
	return g_ptr_array_index(r->got, i);
}

static void pub(struct bus *bus, const char *topic, const char *msg)
{
	ck_assert_int_eq(bus_publish(bus, topic, msg, strlen(msg)), 0);
}

START_TEST(subscribe_publish_deliver)
{
	struct bus *bus = bus_new();
	struct rec a;
	struct bus_sub *s;

	ck_assert_ptr_nonnull(bus);
	ck_assert_str_eq(bus_backend_name(bus), "local");
	rec_init(&a, bus);
	s = bus_subscribe(bus, "memorial:42", on_msg, &a);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(bus_subscriptions(bus), 1);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "memorial:42"), 1);

	pub(bus, "memorial:42", "{\"kind\":\"flower\"}");
	ck_assert_uint_eq(a.got->len, 1);
	ck_assert_str_eq(got(&a, 0), "memorial:42|{\"kind\":\"flower\"}");
	ck_assert_uint_eq(bus_published(bus), 1);
	ck_assert_uint_eq(bus_delivered(bus), 1);

	/* publishing with no subscriber counts but delivers nothing */
	pub(bus, "memorial:43", "x");
	ck_assert_uint_eq(a.got->len, 1);
	ck_assert_uint_eq(bus_published(bus), 2);
	ck_assert_uint_eq(bus_delivered(bus), 1);

	/* the length given is what is delivered, NUL-terminated */
	ck_assert_int_eq(bus_publish(bus, "memorial:42", "abcdef", 3), 0);
	ck_assert_str_eq(got(&a, 1), "memorial:42|abc");
	ck_assert_uint_eq(a.last_len, 3);

	bus_unsubscribe(bus, s);
	ck_assert_uint_eq(bus_subscriptions(bus), 0);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "memorial:42"), 0);
	pub(bus, "memorial:42", "after");
	ck_assert_uint_eq(a.got->len, 2);
	bus_unsubscribe(bus, NULL);
	bus_free(bus);
	bus_free(NULL);
	rec_clear(&a);
}
END_TEST

START_TEST(topic_isolation_and_many_subscribers)
{
	struct bus *bus = bus_new();
	struct rec a, b, c;
	struct bus_sub *sa, *sb, *sc, *sa2;

	rec_init(&a, bus);
	rec_init(&b, bus);
	rec_init(&c, bus);
	sa = bus_subscribe(bus, "memorial:1", on_msg, &a);
	sb = bus_subscribe(bus, "memorial:1", on_msg, &b);
	sc = bus_subscribe(bus, "ceremony:1", on_msg, &c);
	/* one receiver may hold two subscriptions */
	sa2 = bus_subscribe(bus, "memorial:10", on_msg, &a);
	ck_assert(sa && sb && sc && sa2);
	ck_assert_uint_eq(bus_subscriptions(bus), 4);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "memorial:1"), 2);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "ceremony:1"), 1);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "memorial:"), 0);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "nothing"), 0);

	pub(bus, "memorial:1", "m1");
	pub(bus, "ceremony:1", "c1");
	pub(bus, "memorial:10", "m10");
	ck_assert_uint_eq(a.got->len, 2);
	ck_assert_str_eq(got(&a, 0), "memorial:1|m1");
	ck_assert_str_eq(got(&a, 1), "memorial:10|m10");
	ck_assert_uint_eq(b.got->len, 1);
	ck_assert_str_eq(got(&b, 0), "memorial:1|m1");
	ck_assert_uint_eq(c.got->len, 1);
	ck_assert_str_eq(got(&c, 0), "ceremony:1|c1");
	ck_assert_uint_eq(bus_delivered(bus), 4);

	bus_unsubscribe(bus, sa);
	pub(bus, "memorial:1", "m1b");
	ck_assert_uint_eq(a.got->len, 2);
	ck_assert_uint_eq(b.got->len, 2);
	ck_assert_uint_eq(bus_subscriptions(bus), 3);
	/* bus_free frees the remaining subscriptions (ASan checks) */
	bus_free(bus);
	rec_clear(&a);
	rec_clear(&b);
	rec_clear(&c);
}
END_TEST

START_TEST(unsubscribe_self_in_callback)
{
	struct bus *bus = bus_new();
	struct rec a, b;

	rec_init(&a, bus);
	rec_init(&b, bus);
	a.self = bus_subscribe(bus, "t:1", on_msg, &a);
	b.self = bus_subscribe(bus, "t:1", on_msg, &b);
	a.unsub_self = true;
	pub(bus, "t:1", "one");
	/* a got it and left; b, after a in the list, still got it */
	ck_assert_uint_eq(a.got->len, 1);
	ck_assert_uint_eq(b.got->len, 1);
	ck_assert_uint_eq(bus_subscriptions(bus), 1);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "t:1"), 1);
	pub(bus, "t:1", "two");
	ck_assert_uint_eq(a.got->len, 1);
	ck_assert_uint_eq(b.got->len, 2);

	/* the last subscriber leaving in its callback removes the topic */
	b.unsub_self = true;
	pub(bus, "t:1", "three");
	ck_assert_uint_eq(b.got->len, 3);
	ck_assert_uint_eq(bus_subscriptions(bus), 0);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "t:1"), 0);
	pub(bus, "t:1", "four");
	ck_assert_uint_eq(b.got->len, 3);
	/* and the topic can be subscribed again */
	a.self = bus_subscribe(bus, "t:1", on_msg, &a);
	pub(bus, "t:1", "five");
	ck_assert_uint_eq(a.got->len, 2);
	ck_assert_str_eq(got(&a, 1), "t:1|five");
	bus_free(bus);
	rec_clear(&a);
	rec_clear(&b);
}
END_TEST

START_TEST(unsubscribe_other_in_callback)
{
	struct bus *bus = bus_new();
	struct rec a, b, c;

	rec_init(&a, bus);
	rec_init(&b, bus);
	rec_init(&c, bus);
	a.self = bus_subscribe(bus, "t:1", on_msg, &a);
	b.self = bus_subscribe(bus, "t:1", on_msg, &b);
	c.self = bus_subscribe(bus, "t:2", on_msg, &c);
	/* a removes b, which comes later in the same walk: b gets nothing */
	a.other = b.self;
	a.unsub_other = true;
	pub(bus, "t:1", "x");
	ck_assert_uint_eq(a.got->len, 1);
	ck_assert_uint_eq(b.got->len, 0);
	ck_assert_uint_eq(bus_subscriptions(bus), 2);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "t:1"), 1);
	ck_assert_uint_eq(bus_delivered(bus), 1);

	/* a removes a subscription of another topic */
	a.other = c.self;
	a.unsub_other = true;
	pub(bus, "t:1", "y");
	ck_assert_uint_eq(bus_topic_subscribers(bus, "t:2"), 0);
	pub(bus, "t:2", "z");
	ck_assert_uint_eq(c.got->len, 0);

	/* a removes itself and, in the same call, the whole topic empties */
	b.self = bus_subscribe(bus, "t:1", on_msg, &b);
	b.other = a.self;
	b.unsub_other = true;
	b.unsub_self = true;
	pub(bus, "t:1", "w");
	ck_assert_uint_eq(a.got->len, 3);
	ck_assert_uint_eq(b.got->len, 1);
	ck_assert_uint_eq(bus_subscriptions(bus), 0);
	/* a second unsubscribe of a dead handle is ignored until reaped */
	bus_free(bus);
	rec_clear(&a);
	rec_clear(&b);
	rec_clear(&c);
}
END_TEST

/* Counts its deliveries; one int per subscriber. */
static void count_msg(void *ud, const struct bus_msg *m)
{
	(void)m;
	(*(int *)ud)++;
}

START_TEST(many_leave_in_any_order)
{
	enum { N = 1000 };
	struct bus *bus = bus_new();
	struct bus_sub *subs[N];
	int count[N] = {0};
	bool left[N] = {false};
	uint64_t delivered;

	for (int i = 0; i < N; i++) {
		subs[i] =
		    bus_subscribe(bus, "memorial:7", count_msg, &count[i]);
		ck_assert_ptr_nonnull(subs[i]);
	}
	/* half of them leave, scattered over the list and out of order, each
	 * moving the last one into its place */
	for (int k = 0; k < N; k++) {
		int i = (k * 7919) % N;

		if (i % 2 == 0) {
			bus_unsubscribe(bus, subs[i]);
			left[i] = true;
		}
	}
	ck_assert_uint_eq(bus_subscriptions(bus), N / 2);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "memorial:7"), N / 2);
	pub(bus, "memorial:7", "flower");
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(count[i], left[i] ? 0 : 1);
	ck_assert_uint_eq(bus_delivered(bus), N / 2);
	/* the rest leave, last first; the topic goes with the last */
	for (int i = N - 1; i >= 0; i--)
		if (!left[i])
			bus_unsubscribe(bus, subs[i]);
	ck_assert_uint_eq(bus_subscriptions(bus), 0);
	ck_assert_uint_eq(bus_topic_subscribers(bus, "memorial:7"), 0);
	delivered = bus_delivered(bus);
	pub(bus, "memorial:7", "candle");
	ck_assert_uint_eq(bus_delivered(bus), delivered);
	/* and the topic can be followed again */
	subs[0] = bus_subscribe(bus, "memorial:7", count_msg, &count[0]);
	pub(bus, "memorial:7", "incense");
	ck_assert_int_eq(count[0], 1);
	bus_free(bus);
}
END_TEST

START_TEST(invalid_topics)
{
	struct bus *bus = bus_new();
	struct rec a;
	char topic[200];
	struct bus_sub *s;

	rec_init(&a, bus);
	ck_assert_ptr_null(bus_subscribe(bus, "", on_msg, &a));
	memset(topic, 'a', 129);
	topic[129] = '\0';
	ck_assert_ptr_null(bus_subscribe(bus, topic, on_msg, &a));
	ck_assert_uint_eq(bus_subscriptions(bus), 0);
	/* 128 bytes is the limit */
	topic[128] = '\0';
	s = bus_subscribe(bus, topic, on_msg, &a);
	ck_assert_ptr_nonnull(s);
	pub(bus, topic, "edge");
	ck_assert_uint_eq(a.got->len, 1);
	bus_unsubscribe(bus, s);
	bus_free(bus);
	rec_clear(&a);
}
END_TEST

/* A backend that records calls and loops publishes back to the bus, as a
 * Redis backend does through the server. */
struct fake {
	struct bus *bus;
	GPtrArray *log; /* "pub topic msg", "add topic", "del topic" */
	int fail_publish;
	int *freed;
};

static int fake_publish(void *impl, const char *topic, const char *msg,
                        size_t len)
{
	struct fake *f = impl;

	g_ptr_array_add(f->log,
	                g_strdup_printf("pub %s %.*s", topic, (int)len, msg));
	if (f->fail_publish)
		return ERR_UNAVAILABLE;
	bus_deliver(f->bus, topic, msg, len);
	return 0;
}

static void fake_added(void *impl, const char *topic)
{
	struct fake *f = impl;

	g_ptr_array_add(f->log, g_strdup_printf("add %s", topic));
}

static void fake_removed(void *impl, const char *topic)
{
	struct fake *f = impl;

	g_ptr_array_add(f->log, g_strdup_printf("del %s", topic));
}

static void fake_free(void *impl)
{
	struct fake *f = impl;

	(*f->freed)++;
	g_ptr_array_free(f->log, TRUE);
	g_free(f);
}

static const struct bus_backend fake_backend = {
    .name = "fake",
    .publish = fake_publish,
    .topic_added = fake_added,
    .topic_removed = fake_removed,
    .free = fake_free,
};

static struct fake *fake_new(struct bus *bus, int *freed)
{
	struct fake *f = g_new0(struct fake, 1);

	f->bus = bus;
	f->log = g_ptr_array_new_with_free_func(g_free);
	f->freed = freed;
	return f;
}

static const char *logged(struct fake *f, guint i)
{
	ck_assert_msg(i < f->log->len, "only %u calls", f->log->len);
	return g_ptr_array_index(f->log, i);
}

START_TEST(custom_backend)
{
	struct bus *bus = bus_new();
	struct rec a, b;
	struct bus_sub *s1, *s2, *s3;
	int freed = 0;
	struct fake *f = fake_new(bus, &freed);

	rec_init(&a, bus);
	rec_init(&b, bus);
	/* a topic that exists before the backend is announced to it */
	s1 = bus_subscribe(bus, "memorial:1", on_msg, &a);
	bus_set_backend(bus, &fake_backend, f);
	ck_assert_str_eq(bus_backend_name(bus), "fake");
	ck_assert_uint_eq(f->log->len, 1);
	ck_assert_str_eq(logged(f, 0), "add memorial:1");

	/* only the first subscriber of a topic is announced */
	s2 = bus_subscribe(bus, "memorial:1", on_msg, &b);
	ck_assert_uint_eq(f->log->len, 1);
	s3 = bus_subscribe(bus, "ceremony:9", on_msg, &b);
	ck_assert_uint_eq(f->log->len, 2);
	ck_assert_str_eq(logged(f, 1), "add ceremony:9");

	/* publish goes through the backend, which delivers */
	pub(bus, "memorial:1", "hello");
	ck_assert_str_eq(logged(f, 2), "pub memorial:1 hello");
	ck_assert_uint_eq(a.got->len, 1);
	ck_assert_uint_eq(b.got->len, 1);
	ck_assert_uint_eq(bus_published(bus), 1);
	ck_assert_uint_eq(bus_delivered(bus), 2);

	/* a backend error is returned */
	f->fail_publish = 1;
	ck_assert_int_eq(bus_publish(bus, "memorial:1", "x", 1),
	                 ERR_UNAVAILABLE);
	ck_assert_uint_eq(a.got->len, 1);
	f->fail_publish = 0;

	/* only the last subscriber leaving is announced */
	bus_unsubscribe(bus, s1);
	ck_assert_uint_eq(f->log->len, 4);
	bus_unsubscribe(bus, s2);
	ck_assert_uint_eq(f->log->len, 5);
	ck_assert_str_eq(logged(f, 4), "del memorial:1");
	bus_unsubscribe(bus, s3);
	ck_assert_str_eq(logged(f, 5), "del ceremony:9");

	/* removal from inside a delivery is announced once, after the walk */
	a.self = bus_subscribe(bus, "t:1", on_msg, &a);
	a.unsub_self = true;
	pub(bus, "t:1", "bye");
	ck_assert_str_eq(logged(f, 6), "add t:1");
	ck_assert_str_eq(logged(f, 7), "pub t:1 bye");
	ck_assert_str_eq(logged(f, 8), "del t:1");
	ck_assert_uint_eq(f->log->len, 9);
	ck_assert_uint_eq(bus_subscriptions(bus), 0);

	/* replacing the backend frees the old one; bus_free the new one */
	{
		int freed2 = 0;
		struct fake *g = fake_new(bus, &freed2);

		bus_set_backend(bus, &fake_backend, g);
		ck_assert_int_eq(freed, 1);
		bus_free(bus);
		ck_assert_int_eq(freed2, 1);
	}
	rec_clear(&a);
	rec_clear(&b);
}
END_TEST

START_TEST(back_to_local)
{
	struct bus *bus = bus_new();
	int freed = 0;
	struct rec a;

	rec_init(&a, bus);
	bus_set_backend(bus, &fake_backend, fake_new(bus, &freed));
	bus_set_backend(bus, NULL, NULL);
	ck_assert_int_eq(freed, 1);
	ck_assert_str_eq(bus_backend_name(bus), "local");
	ck_assert_ptr_nonnull(bus_subscribe(bus, "t:1", on_msg, &a));
	pub(bus, "t:1", "local again");
	ck_assert_uint_eq(a.got->len, 1);
	bus_free(bus);
	ck_assert_int_eq(freed, 1);
	rec_clear(&a);
}
END_TEST

/* Whether a topic is live is the backend's answer (always, locally);
 * watchers hear of missed messages, and of a new backend. */
static bool live_answer;

static bool half_live(void *impl, const char *topic)
{
	(void)impl;
	return live_answer && strcmp(topic, "t:dead") != 0;
}

static void count_missed(void *ud)
{
	(*(int *)ud)++;
}

START_TEST(live_topics_and_missed)
{
	static const struct bus_backend b = {
	    .name = "half", .publish = NULL, .topic_live = half_live};
	struct bus *bus = bus_new();
	int n1 = 0, n2 = 0, n3 = 0;

	ck_assert(bus_topic_live(bus, "t:1"));
	ck_assert_int_eq(bus_on_missed(bus, count_missed, &n1), 0);
	ck_assert_int_eq(bus_on_missed(bus, count_missed, &n2), 0);
	ck_assert_int_eq(bus_on_missed(bus, count_missed, &n3), 0);
	ck_assert_int_eq(bus_on_missed(bus, count_missed, &n3), 0);
	ck_assert_int_eq(bus_on_missed(bus, count_missed, &n3), ERR_FULL);
	bus_missed(bus);
	ck_assert_int_eq(n1, 1);
	ck_assert_int_eq(n3, 2);
	bus_off_missed(bus, count_missed, &n2);
	bus_set_backend(bus, &b, NULL); /* a new backend: missed too */
	ck_assert_int_eq(n1, 2);
	ck_assert_int_eq(n2, 1);
	live_answer = true;
	ck_assert(bus_topic_live(bus, "t:1"));
	ck_assert(!bus_topic_live(bus, "t:dead"));
	live_answer = false;
	ck_assert(!bus_topic_live(bus, "t:1"));
	bus_set_backend(bus, NULL, NULL);
	ck_assert(bus_topic_live(bus, "t:dead"));
	ck_assert_int_eq(n1, 3);
	bus_free(bus);
}
END_TEST

/* Every subscriber of one delivery gets the same envelope, made once. */
static void keep_envelope(void *ud, const struct bus_msg *m)
{
	GPtrArray *seen = ud;
	GBytes *env = bus_msg_envelope(m, NULL);

	ck_assert_ptr_nonnull(env);
	ck_assert_ptr_eq(env, bus_msg_envelope(m, m->topic));
	g_ptr_array_add(seen, g_bytes_ref(env));
}

START_TEST(one_envelope_per_event)
{
	struct bus *bus = bus_new();
	GPtrArray *seen =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	gsize n;
	const char *s;

	for (int i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(
		    bus_subscribe(bus, "memorial:1", keep_envelope, seen));
	ck_assert_ptr_nonnull(
	    bus_subscribe(bus, "t:\"q\"", keep_envelope, seen));
	pub(bus, "memorial:1", "{\"type\":\"tribute\"}");
	ck_assert_uint_eq(seen->len, 3);
	ck_assert_ptr_eq(g_ptr_array_index(seen, 0),
	                 g_ptr_array_index(seen, 1));
	ck_assert_ptr_eq(g_ptr_array_index(seen, 1),
	                 g_ptr_array_index(seen, 2));
	s = g_bytes_get_data(g_ptr_array_index(seen, 0), &n);
	ck_assert_int_eq((int)n, 49);
	ck_assert(memcmp(s,
	                 "{\"topic\":\"memorial:1\",\"event\":{\"type\":"
	                 "\"tribute\"}}",
	                 n) == 0);
	/* a second event gets its own; the topic is JSON-escaped */
	pub(bus, "t:\"q\"", "1");
	ck_assert_uint_eq(seen->len, 4);
	ck_assert_ptr_ne(g_ptr_array_index(seen, 3),
	                 g_ptr_array_index(seen, 0));
	s = g_bytes_get_data(g_ptr_array_index(seen, 3), &n);
	ck_assert_int_eq(
	    (int)n, (int)strlen("{\"topic\":\"t:\\\"q\\\"\",\"event\":1}"));
	ck_assert(memcmp(s, "{\"topic\":\"t:\\\"q\\\"\",\"event\":1}", n) == 0);
	g_ptr_array_free(seen, TRUE);
	bus_free(bus);
}
END_TEST

/* Subscribers that follow a topic under another name (a memorial by its
 * slug) get it under that name, made once for all of them. */
static void keep_slug_envelope(void *ud, const struct bus_msg *m)
{
	GPtrArray *seen = ud;
	GBytes *env = bus_msg_envelope(m, "memorial:grandma-li");

	ck_assert_ptr_nonnull(env);
	g_ptr_array_add(seen, g_bytes_ref(env));
}

START_TEST(one_envelope_per_event_and_name)
{
	struct bus *bus = bus_new();
	GPtrArray *seen =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	static const char want[] = "{\"topic\":\"memorial:grandma-li\","
	                           "\"event\":{\"type\":\"tribute\"}}";
	gsize n;
	const char *s;

	ck_assert_ptr_nonnull(
	    bus_subscribe(bus, "memorial:1", keep_slug_envelope, seen));
	ck_assert_ptr_nonnull(
	    bus_subscribe(bus, "memorial:1", keep_envelope, seen));
	ck_assert_ptr_nonnull(
	    bus_subscribe(bus, "memorial:1", keep_slug_envelope, seen));
	pub(bus, "memorial:1", "{\"type\":\"tribute\"}");
	ck_assert_uint_eq(seen->len, 3);
	ck_assert_ptr_eq(g_ptr_array_index(seen, 0),
	                 g_ptr_array_index(seen, 2));
	ck_assert_ptr_ne(g_ptr_array_index(seen, 0),
	                 g_ptr_array_index(seen, 1));
	s = g_bytes_get_data(g_ptr_array_index(seen, 0), &n);
	ck_assert_int_eq((int)n, (int)strlen(want));
	ck_assert(memcmp(s, want, n) == 0);
	g_ptr_array_free(seen, TRUE);
	bus_free(bus);
}
END_TEST

static Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, subscribe_publish_deliver);
	tcase_add_test(tc, topic_isolation_and_many_subscribers);
	tcase_add_test(tc, unsubscribe_self_in_callback);
	tcase_add_test(tc, unsubscribe_other_in_callback);
	tcase_add_test(tc, many_leave_in_any_order);
	tcase_add_test(tc, invalid_topics);
	tcase_add_test(tc, custom_backend);
	tcase_add_test(tc, back_to_local);
	tcase_add_test(tc, live_topics_and_missed);
	tcase_add_test(tc, one_envelope_per_event);
	tcase_add_test(tc, one_envelope_per_event_and_name);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bus_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
