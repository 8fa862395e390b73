/* test_tribute.c — tributes on a real store: validation, exact counts per
 * kind, moderation states and how they move the counts, and the events a
 * bus subscriber of memorial:{id} receives (and does not receive). */
#include "bus.h"
#include "deceased.h"
#include "mem_fixture.h"
#include "memorial.h"
#include "store_tribute.h"
#include "tribute.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static struct bus *bus;
static int64_t mid;
static GPtrArray *got; /* messages received on memorial:{mid} */
static char topic[48];

static void on_msg(void *ud, const struct bus_msg *m)
{
	ck_assert_str_eq(m->topic, topic);
	g_ptr_array_add(got, g_strndup(m->msg, m->len));
}

static int64_t new_memorial(bool hold)
{
	struct memorial *m = g_new0(struct memorial, 1);
	struct deceased d = {0};
	struct err_detail err = {0};
	int64_t id;

	snprintf(d.name, sizeof(d.name), "李秀英");
	snprintf(d.death_date, sizeof(d.death_date), "2025-01-08");
	snprintf(m->title, sizeof(m->title), "纪念");
	m->hold = hold;
	ck_assert_msg(memorial_create(fx.st, fx.c, m, &d, 0, &err) == 0, "%s",
	              err.msg);
	id = m->id;
	g_free(m);
	return id;
}

static void setup(void)
{
	mem_setup();
	bus = bus_new();
	got = g_ptr_array_new_with_free_func(g_free);
	mid = new_memorial(true);
	snprintf(topic, sizeof(topic), "memorial:%lld", (long long)mid);
	ck_assert_ptr_nonnull(bus_subscribe(bus, topic, on_msg, NULL));
}

static void teardown(void)
{
	bus_free(bus);
	g_ptr_array_free(got, TRUE);
	mem_teardown();
}

static struct tribute make(enum tribute_kind k, const char *from,
                           const char *text)
{
	struct tribute t;

	memset(&t, 0, sizeof(t));
	t.memorial_id = mid;
	t.kind = k;
	snprintf(t.from_name, sizeof(t.from_name), "%s", from);
	snprintf(t.text, sizeof(t.text), "%s", text);
	return t;
}

static int add(struct tribute *t, bool hold, struct tribute_counts *c)
{
	struct err_detail err = {0};

	return tribute_add(fx.st, bus, hold, t, c, &err);
}

/* The i-th received event, parsed; its "type" must be type. */
static json_t *event(guint i, const char *type)
{
	json_t *j;

	ck_assert_uint_gt(got->len, i);
	j = json_loads(g_ptr_array_index(got, i), 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")), type);
	return j;
}

static long long count_in(json_t *ev, const char *kind)
{
	return json_integer_value(
	    json_object_get(json_object_get(ev, "counts"), kind));
}

START_TEST(validation)
{
	struct tribute t = make(TRIB_FLOWER, "王", "");
	struct err_detail err = {0};
	char long_text[600];

	ck_assert_int_eq(tribute_validate(&t, &err), 0);
	t = make(TRIB_FLOWER, "", "");
	ck_assert_int_eq(tribute_validate(&t, &err), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "from_name"));
	t = make(TRIB_FLOWER, "王", "words");
	ck_assert_int_eq(tribute_validate(&t, &err), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "only a message"));
	t = make(TRIB_MESSAGE, "王", "");
	ck_assert_int_eq(tribute_validate(&t, &err), ERR_INVALID);
	memset(long_text, 'a', 501);
	long_text[501] = '\0';
	t = make(TRIB_MESSAGE, "王", long_text);
	ck_assert_int_eq(tribute_validate(&t, &err), ERR_INVALID);
	long_text[500] = '\0';
	t = make(TRIB_MESSAGE, "王", long_text);
	ck_assert_int_eq(tribute_validate(&t, &err), 0);
	/* a sender of 64 four-byte characters fits whole; 65 (of three
	 * bytes) are too many */
	long_text[0] = '\0';
	for (int i = 0; i < SENDER_NAME_MAX; i++)
		strcat(long_text, "\xF0\x9F\x8C\xB8"); /* U+1F338 */
	t = make(TRIB_MESSAGE, long_text, "安息");
	ck_assert_int_eq(tribute_validate(&t, &err), 0);
	ck_assert_str_eq(t.from_name, long_text);
	long_text[0] = '\0';
	for (int i = 0; i <= SENDER_NAME_MAX; i++)
		strcat(long_text, "安");
	t = make(TRIB_MESSAGE, long_text, "安息");
	ck_assert_int_eq(tribute_validate(&t, &err), ERR_INVALID);
	t = make(TRIB_KIND_COUNT, "王", "");
	ck_assert_int_eq(tribute_validate(&t, &err), ERR_INVALID);
	/* nothing stored, nothing published on refusal */
	ck_assert_int_eq(add(&t, false, &(struct tribute_counts){0}),
	                 ERR_INVALID);
	ck_assert_int_eq(mem_int("SELECT count(*) FROM tributes"), 0);
	ck_assert_uint_eq(got->len, 0);
	for (int k = 0; k < TRIB_KIND_COUNT; k++)
		ck_assert_int_eq(tribute_kind_parse(tribute_kind_name(k)), k);
	ck_assert_int_eq(tribute_state_parse("pending"), TRIB_PENDING);
	ck_assert_int_eq(tribute_state_parse("deleted"), -1);
}
END_TEST

START_TEST(counts_are_exact)
{
	static const int n[TRIB_KIND_COUNT - 1] = {250, 120, 77, 53};
	struct tribute_counts c = {0}, again;
	int total = 0;

	/* interleaved kinds, as concurrent visitors would send them */
	for (int i = 0; i < 250; i++)
		for (int k = 0; k < TRIB_KIND_COUNT - 1; k++) {
			struct tribute t;

			if (i >= n[k])
				continue;
			t = make((enum tribute_kind)k, "访客", "");
			ck_assert_int_eq(add(&t, true, &c), 0);
			ck_assert_int_eq(t.state, TRIB_PUBLISHED);
			total++;
			ck_assert_int_eq(c.total, total);
		}
	for (int k = 0; k < TRIB_KIND_COUNT - 1; k++)
		ck_assert_int_eq(c.n[k], n[k]);
	ck_assert_int_eq(c.n[TRIB_MESSAGE], 0);
	ck_assert_int_eq(tribute_counts_get(fx.st, mid, &again), 0);
	ck_assert_mem_eq(&again, &c, sizeof(c));
	ck_assert_int_eq(mem_int("SELECT count(*) FROM tributes"), total);
	ck_assert_uint_eq(got->len, (guint)total);
	/* another memorial's counts stay apart */
	ck_assert_int_eq(tribute_counts_get(fx.st, mid + 1, &again), 0);
	ck_assert_int_eq(again.total, 0);
}
END_TEST

START_TEST(published_tribute_goes_live)
{
	struct tribute t = make(TRIB_CANDLE, "小明", "");
	struct tribute_counts c;
	json_t *ev, *tr;

	ck_assert_int_eq(add(&t, true, &c), 0);
	ck_assert_int_gt(t.id, 0);
	ck_assert_int_ne(t.created_at[0], '\0');
	ck_assert_uint_eq(got->len, 1);
	ev = event(0, "tribute");
	tr = json_object_get(ev, "tribute");
	ck_assert_int_eq(json_integer_value(json_object_get(tr, "id")), t.id);
	ck_assert_str_eq(json_string_value(json_object_get(tr, "kind")),
	                 "candle");
	ck_assert_str_eq(json_string_value(json_object_get(tr, "from_name")),
	                 "小明");
	ck_assert_int_eq(count_in(ev, "candle"), 1);
	ck_assert_int_eq(count_in(ev, "total"), 1);
	json_decref(ev);
}
END_TEST

START_TEST(moderation)
{
	struct tribute m1 = make(TRIB_MESSAGE, "学生", "老师，想您"),
	               m2 = make(TRIB_MESSAGE, "邻居", "一路走好"), out;
	struct memorial mine = {.id = mid, .hold = true};
	struct tribute_counts c;
	json_t *ev;

	/* hold: messages wait, are not counted and not published */
	ck_assert_int_eq(add(&m1, true, &c), 0);
	ck_assert_int_eq(m1.state, TRIB_PENDING);
	ck_assert_int_eq(c.n[TRIB_MESSAGE], 0);
	ck_assert_uint_eq(got->len, 0);
	/* publish mode: shown at once */
	ck_assert_int_eq(add(&m2, false, &c), 0);
	ck_assert_int_eq(m2.state, TRIB_PUBLISHED);
	ck_assert_int_eq(c.n[TRIB_MESSAGE], 1);
	ck_assert_uint_eq(got->len, 1);
	/* approve the pending one */
	ck_assert_int_eq(tribute_moderate(fx.st, bus, &mine, m1.id,
	                                  TRIB_PUBLISHED, &out, &c),
	                 0);
	ck_assert_int_eq(out.state, TRIB_PUBLISHED);
	ck_assert_int_eq(c.n[TRIB_MESSAGE], 2);
	ev = event(1, "message_approved");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(ev, "tribute"), "text")),
	                 "老师，想您");
	json_decref(ev);
	/* approving again changes nothing and says nothing */
	ck_assert_int_eq(tribute_moderate(fx.st, bus, &mine, m1.id,
	                                  TRIB_PUBLISHED, &out, &c),
	                 0);
	ck_assert_int_eq(c.n[TRIB_MESSAGE], 2);
	ck_assert_uint_eq(got->len, 2);
	/* hide a published one: counted down, pages told to remove it */
	ck_assert_int_eq(
	    tribute_moderate(fx.st, bus, &mine, m2.id, TRIB_HIDDEN, &out, &c),
	    0);
	ck_assert_int_eq(c.n[TRIB_MESSAGE], 1);
	ev = event(2, "message_hidden");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "id")), m2.id);
	ck_assert_ptr_null(json_object_get(ev, "tribute"));
	ck_assert_int_eq(count_in(ev, "message"), 1);
	json_decref(ev);
	/* and back */
	ck_assert_int_eq(tribute_moderate(fx.st, bus, &mine, m2.id,
	                                  TRIB_PUBLISHED, &out, &c),
	                 0);
	ck_assert_int_eq(c.n[TRIB_MESSAGE], 2);
	ck_assert_int_eq(mem_int("SELECT n FROM tribute_counts WHERE kind = "
	                         "'message'"),
	                 2);
}
END_TEST

/* What a laid tribute's callback saw: its rc and how many events had
 * been published by then. */
struct laid {
	int calls, rc;
	guint events;
};

static void on_laid(void *ud, int rc, const char *json, size_t len)
{
	struct laid *l = ud;

	/* the answer's JSON, the same the event carries */
	ck_assert(rc ? json == NULL : json && strlen(json) == len);
	ck_assert(rc || g_str_has_prefix(json, "{\"tribute\":{"));

	l->calls++;
	l->rc = rc;
	l->events = got->len;
}

START_TEST(laid_through_the_group_commit)
{
	struct tribute_memorial m = {mid, true, "", ""};
	struct tribute f = make(TRIB_FLOWER, "王", ""),
	               msg = make(TRIB_MESSAGE, "学生", "想您");
	struct tribute_counts cf, cm;
	struct laid lf = {0}, lm = {0};

	tribute_lay(fx.st, bus, &m, &f, &cf, on_laid, &lf);
	tribute_lay(fx.st, bus, &m, &msg, &cm, on_laid, &lm);
	/* answered on the main loop, never from within tribute_lay() */
	ck_assert_int_eq(lf.calls + lm.calls, 0);
	store_write_flush(fx.st);
	ck_assert_int_eq(lf.calls, 1);
	ck_assert_int_eq(lf.rc, 0);
	ck_assert_int_eq(lm.calls, 1);
	ck_assert_int_eq(lm.rc, 0);
	/* the flower was published before its giver was answered; the
	 * held message waits, unpublished and uncounted */
	ck_assert_uint_ge(lf.events, 1);
	ck_assert_int_eq(f.state, TRIB_PUBLISHED);
	ck_assert_int_eq(msg.state, TRIB_PENDING);
	ck_assert_int_gt(msg.id, f.id);
	ck_assert_int_eq(cm.n[TRIB_FLOWER], 1);
	ck_assert_int_eq(cm.n[TRIB_MESSAGE], 0);
	ck_assert_uint_eq(got->len, 1);
	json_decref(event(0, "tribute"));
}
END_TEST

START_TEST(moderation_refusals)
{
	struct tribute m = make(TRIB_MESSAGE, "学生", "想您"),
	               f = make(TRIB_FLOWER, "学生", ""), out;
	struct tribute_counts c;
	struct memorial mine = {.id = mid, .hold = true};
	struct memorial theirs = {.id = new_memorial(false)};

	ck_assert_int_eq(add(&m, true, &c), 0);
	ck_assert_int_eq(add(&f, true, &c), 0);
	/* hiding a pending message: no count change, nothing published */
	ck_assert_int_eq(
	    tribute_moderate(fx.st, bus, &mine, m.id, TRIB_HIDDEN, &out, &c),
	    0);
	ck_assert_int_eq(c.n[TRIB_MESSAGE], 0);
	ck_assert_uint_eq(got->len, 1); /* only the flower */
	/* flowers are not messages; other memorials' messages are not ours */
	ck_assert_int_eq(
	    tribute_moderate(fx.st, bus, &mine, f.id, TRIB_HIDDEN, &out, &c),
	    ERR_NOT_FOUND);
	ck_assert_int_eq(tribute_moderate(fx.st, bus, &theirs, m.id,
	                                  TRIB_PUBLISHED, &out, &c),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(
	    tribute_moderate(fx.st, bus, &mine, 9999, TRIB_PUBLISHED, &out, &c),
	    ERR_NOT_FOUND);
	ck_assert_int_eq(
	    tribute_moderate(fx.st, bus, &mine, m.id, TRIB_PENDING, &out, &c),
	    ERR_INVALID);
	ck_assert_int_eq(tribute_counts_get(fx.st, mid, &c), 0);
	ck_assert_int_eq(c.total, 1);
	/* the store has no transaction left open */
	ck_assert_int_eq(store_begin(fx.st), 0);
	ck_assert_int_eq(store_commit(fx.st), 0);
}
END_TEST

START_TEST(listing_by_state)
{
	struct tribute t;
	struct tribute_counts c;
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct tribute));

	for (int i = 0; i < 5; i++) {
		t = make(TRIB_MESSAGE, "甲", "留言");
		ck_assert_int_eq(add(&t, i % 2 == 0, &c), 0);
	}
	ck_assert_int_eq(
	    store_tribute_list(fx.st, mid, TRIB_PENDING, -1, 0, 50, out), 0);
	ck_assert_uint_eq(out->len, 3);
	ck_assert_int_gt(g_array_index(out, struct tribute, 0).id,
	                 g_array_index(out, struct tribute, 1).id);
	g_array_set_size(out, 0);
	ck_assert_int_eq(store_tribute_list(fx.st, mid, TRIB_PUBLISHED,
	                                    TRIB_MESSAGE, 0, 1, out),
	                 0);
	ck_assert_uint_eq(out->len, 1);
	t = g_array_index(out, struct tribute, 0);
	g_array_set_size(out, 0);
	ck_assert_int_eq(store_tribute_list(fx.st, mid, TRIB_PUBLISHED,
	                                    TRIB_MESSAGE, t.id, 10, out),
	                 0);
	ck_assert_uint_eq(out->len, 1); /* the page after the cursor */
	ck_assert_int_lt(g_array_index(out, struct tribute, 0).id, t.id);
	g_array_free(out, TRUE);
}
END_TEST

static Suite *tribute_suite(void)
{
	Suite *s = suite_create("tribute");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, validation);
	tcase_add_test(tc, counts_are_exact);
	tcase_add_test(tc, published_tribute_goes_live);
	tcase_add_test(tc, moderation);
	tcase_add_test(tc, moderation_refusals);
	tcase_add_test(tc, laid_through_the_group_commit);
	tcase_add_test(tc, listing_by_state);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tribute_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
