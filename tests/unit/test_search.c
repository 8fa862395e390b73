/* test_search.c — memorial search: building FTS5 and LIKE queries from
 * what a visitor typed (quoting, escaping, the short-word fallback, limits)
 * and searching a real store by Chinese substrings, only public memorials,
 * with cursor pages; pinyin keys (polyphonic surnames, joined, initials)
 * and searching by pinyin and by the family's other names, kept when the
 * title or the name changes. */
#include "deceased.h"
#include "mem_fixture.h"
#include "memorial.h"
#include "search.h"
#include "store_memorial.h"
#include "store_search.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(build_modes)
{
	struct search_query q;

	ck_assert_int_eq(search_build(NULL, &q), 0);
	ck_assert_int_eq(q.mode, SEARCH_ALL);
	ck_assert_int_eq(search_build(" \t　", &q), 0); /* ideographic space */
	ck_assert_int_eq(q.mode, SEARCH_ALL);
	ck_assert_int_eq(search_build("李秀英", &q), 0);
	ck_assert_int_eq(q.mode, SEARCH_FTS);
	ck_assert_str_eq(q.match, "\"李秀英\"");
	ck_assert_int_eq(search_build("  李秀英　纪念馆 ", &q), 0);
	ck_assert_str_eq(q.match, "\"李秀英\" \"纪念馆\"");
	/* under 3 characters trigrams cannot match: LIKE */
	ck_assert_int_eq(search_build("秀英", &q), 0);
	ck_assert_int_eq(q.mode, SEARCH_LIKE);
	ck_assert_int_eq(q.n_like, 1);
	ck_assert_str_eq(q.like[0], "%秀英%");
	ck_assert_int_eq(search_build("李 秀英老师", &q), 0);
	ck_assert_int_eq(q.mode, SEARCH_LIKE);
	ck_assert_int_eq(q.n_like, 2);
	ck_assert_str_eq(q.like[1], "%秀英老师%");
}
END_TEST

START_TEST(build_escapes)
{
	struct search_query q;

	/* FTS5 syntax in the text is quoted into plain text */
	ck_assert_int_eq(search_build("abc AND def", &q), 0);
	ck_assert_str_eq(q.match, "\"abc\" \"AND\" \"def\"");
	ck_assert_int_eq(search_build("say\"hi\"", &q), 0);
	ck_assert_str_eq(q.match, "\"say\"\"hi\"\"\"");
	ck_assert_int_eq(search_build("name:李秀英*", &q), 0);
	ck_assert_str_eq(q.match, "\"name:李秀英*\"");
	ck_assert_int_eq(search_build("NEAR(a,b)", &q), 0);
	ck_assert_str_eq(q.match, "\"NEAR(a,b)\"");
	/* LIKE wildcards are escaped */
	ck_assert_int_eq(search_build("%_", &q), 0);
	ck_assert_str_eq(q.like[0], "%\\%\\_%");
	ck_assert_int_eq(search_build("a\\", &q), 0);
	ck_assert_str_eq(q.like[0], "%a\\\\%");
}
END_TEST

START_TEST(build_limits)
{
	struct search_query q;
	char long_q[SEARCH_Q_MAX * 3 + 4] = "";

	for (int i = 0; i <= SEARCH_Q_MAX; i++)
		strcat(long_q, "李");
	ck_assert_int_eq(search_build(long_q, &q), ERR_INVALID);
	ck_assert_int_eq(search_build("a b c d e", &q), ERR_INVALID);
	ck_assert_int_eq(search_build("a b c d", &q), 0);
	ck_assert_int_eq(search_build("\xff\xfe", &q), ERR_INVALID);
	ck_assert_int_eq(search_build("a\x01", &q), ERR_INVALID);
}
END_TEST

static int64_t add_memorial(const char *name, const char *title,
                            enum obj_visibility vis)
{
	struct memorial *m = g_new0(struct memorial, 1);
	struct deceased d = {0};
	struct err_detail err = {0};
	int64_t id;

	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.death_date, sizeof(d.death_date), "2025-01-08");
	snprintf(m->title, sizeof(m->title), "%s", title);
	m->visibility = vis;
	ck_assert_msg(memorial_create(fx.st, fx.c, m, &d, 0, &err) == 0, "%s",
	              err.msg);
	id = m->id;
	g_free(m);
	return id;
}

/* Ids found for text, newest first, as "3,1". */
static char *find(const char *text, int64_t before, int limit)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct memorial_hit));
	GString *s = g_string_new(NULL);
	struct search_query q;

	ck_assert_int_eq(search_build(text, &q), 0);
	ck_assert_int_eq(search_memorials(fx.st, &q, before, limit, out), 0);
	for (guint i = 0; i < out->len; i++)
		g_string_append_printf(
		    s, "%s%lld", i ? "," : "",
		    (long long)g_array_index(out, struct memorial_hit, i).id);
	g_array_free(out, TRUE);
	return g_string_free(s, FALSE);
}

#define FIND_EQ(text, want)                                                    \
	do {                                                                   \
		char *got_ = find(text, 0, 50);                                \
		ck_assert_msg(strcmp(got_, want) == 0,                         \
		              "search \"%s\": got [%s], want [%s]", text,      \
		              got_, want);                                     \
		g_free(got_);                                                  \
	} while (0)

START_TEST(chinese_substrings)
{
	add_memorial("李秀英", "李秀英老师纪念馆", VIS_PUBLIC);        /* 1 */
	add_memorial("王秀英", "怀念外婆", VIS_PUBLIC);                /* 2 */
	add_memorial("张建国", "Zhang Jianguo 1940-2024", VIS_PUBLIC); /* 3 */
	add_memorial("李秀兰", "私人纪念", VIS_PRIVATE);               /* 4 */
	add_memorial("李秀珍", "仅凭链接", VIS_UNLISTED);              /* 5 */

	FIND_EQ("李秀英", "1");
	FIND_EQ("秀英", "2,1"); /* LIKE path */
	FIND_EQ("秀", "2,1");   /* private/unlisted never found */
	FIND_EQ("李秀", "1");
	FIND_EQ("外婆", "2"); /* title */
	FIND_EQ("纪念馆", "1");
	FIND_EQ("jianguo", "3"); /* trigram is case-insensitive */
	FIND_EQ("Zhang 1940", "3");
	FIND_EQ("李秀兰", "");
	FIND_EQ("李秀珍", "");
	FIND_EQ("OR", ""); /* operator words are text */
	FIND_EQ("\"", "");
	FIND_EQ("%", "");
	FIND_EQ("", "3,2,1");
}
END_TEST

START_TEST(index_follows_changes)
{
	struct memorial *m = g_new0(struct memorial, 1);
	int64_t a = add_memorial("陈美玲", "纪念", VIS_PUBLIC);

	FIND_EQ("陈美玲", "1");
	ck_assert_int_eq(store_memorial_get(fx.st, a, m), 0);
	m->visibility = VIS_PRIVATE;
	ck_assert_int_eq(store_memorial_update(fx.st, m), 0);
	FIND_EQ("陈美玲", "");
	m->visibility = VIS_PUBLIC;
	snprintf(m->title, sizeof(m->title), "永远的陈老师");
	ck_assert_int_eq(store_memorial_update(fx.st, m), 0);
	FIND_EQ("永远的", "1");
	FIND_EQ("陈美玲", "1");
	/* a renamed deceased is found by the new name */
	ck_assert_int_eq(store_exec(fx.st, "UPDATE deceased SET name = "
	                                   "'陈美琳' WHERE id = 1"),
	                 0);
	FIND_EQ("陈美琳", "1");
	FIND_EQ("陈美玲", "");
	g_free(m);
}
END_TEST

START_TEST(cursor_pages)
{
	char *page;

	for (int i = 0; i < 7; i++)
		add_memorial("刘德华", "纪念", VIS_PUBLIC);
	page = find("刘德华", 0, 3);
	ck_assert_str_eq(page, "7,6,5");
	g_free(page);
	page = find("刘德华", 5, 3);
	ck_assert_str_eq(page, "4,3,2");
	g_free(page);
	page = find("德华", 2, 3); /* the LIKE path pages the same way */
	ck_assert_str_eq(page, "1");
	g_free(page);
	page = find("", 3, 10);
	ck_assert_str_eq(page, "2,1");
	g_free(page);
}
END_TEST

START_TEST(latin_keys)
{
	char k[SEARCH_LATIN_BYTES];

	ck_assert_int_eq(
	    search_latin_key("李秀英", "李秀英老师纪念馆", k, sizeof(k)), 0);
	ck_assert_str_eq(k, "li xiu ying lixiuying lxy | li xiu ying lao shi "
	                    "ji nian guan");
	/* a polyphonic surname is read as a surname, the rest as usual */
	ck_assert_int_eq(search_latin_key("单田芳", "", k, sizeof(k)), 0);
	ck_assert_str_eq(k, "shan tian fang shantianfang stf");
	ck_assert_int_eq(search_latin_key("曾国藩", "", k, sizeof(k)), 0);
	ck_assert(strncmp(k, "zeng guo fan ", 13) == 0);
	ck_assert_int_eq(search_latin_key("尉迟恭", "", k, sizeof(k)), 0);
	ck_assert(strncmp(k, "yu chi gong yuchigong ycg", 25) == 0);
	/* a one-character name that is a surname in the table stays itself */
	ck_assert_int_eq(search_latin_key("单", "", k, sizeof(k)), 0);
	ck_assert(strncmp(k, "dan dan d", 9) == 0);
	/* latin names pass through, lower-cased */
	ck_assert_int_eq(search_latin_key("Grace Lee", "", k, sizeof(k)), 0);
	ck_assert(strncmp(k, "grace lee gracelee gl", 21) == 0);
	/* cut at a word when the buffer is short */
	ck_assert_int_eq(search_latin_key("李秀英", "李秀英老师纪念馆", k, 30),
	                 0);
	ck_assert_str_eq(k, "li xiu ying lixiuying lxy | ");
}
END_TEST

START_TEST(pinyin_and_alias)
{
	struct memorial *m = g_new0(struct memorial, 1);
	int64_t a = add_memorial("李秀英", "纪念馆", VIS_PUBLIC);

	add_memorial("王大明", "怀念", VIS_PUBLIC);
	ck_assert_int_eq(search_latin_refresh(fx.st, 10), 2);
	ck_assert_int_eq(search_latin_refresh(fx.st, 10), 0);
	FIND_EQ("lixiuying", "1");
	FIND_EQ("Li Xiuying", "1"); /* LIKE path, any case */
	FIND_EQ("xiu ying", "1");
	FIND_EQ("lxy", "1");
	FIND_EQ("wang", "2");
	FIND_EQ("huai nian", "2"); /* the title's pinyin */
	FIND_EQ("Grace", "");
	ck_assert_int_eq(store_search_alias_set(fx.st, a, "Grace Li"), 0);
	FIND_EQ("Grace", "1");
	FIND_EQ("grace li", "1");
	/* renamed: the key is cleared and written again */
	ck_assert_int_eq(store_exec(fx.st, "UPDATE deceased SET name = "
	                                   "'单秀英' WHERE id = 1"),
	                 0);
	FIND_EQ("lxy", "");
	ck_assert_int_eq(search_latin_refresh(fx.st, 10), 1);
	FIND_EQ("shanxiuying", "1");
	FIND_EQ("Grace", "1");
	/* private: never found, by any name */
	ck_assert_int_eq(store_memorial_get(fx.st, a, m), 0);
	m->visibility = VIS_PRIVATE;
	ck_assert_int_eq(store_memorial_update(fx.st, m), 0);
	FIND_EQ("Grace", "");
	FIND_EQ("shanxiuying", "");
	g_free(m);
}
END_TEST

static Suite *search_suite(void)
{
	Suite *s = suite_create("search");
	TCase *build = tcase_create("build");
	TCase *store = tcase_create("store");

	tcase_add_test(build, build_modes);
	tcase_add_test(build, build_escapes);
	tcase_add_test(build, build_limits);
	suite_add_tcase(s, build);
	tcase_add_checked_fixture(store, mem_setup, mem_teardown);
	tcase_add_test(store, chinese_substrings);
	tcase_add_test(store, index_follows_changes);
	tcase_add_test(store, cursor_pages);
	tcase_add_test(store, pinyin_and_alias);
	tcase_add_test(build, latin_keys);
	suite_add_tcase(s, store);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(search_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
