/* test_textlimit.c — the table of free-text fields (textlimit.c) and the
 * helpers that keep text whole: every field's buffer holds its limit in
 * 4-byte characters; handlers read free text only through the table (a
 * jsonx_str of a key that is not a known format field fails here);
 * jsonx_utf8_copy never cuts inside a character; jsonx_push/jsonx_put turn
 * a failed json_pack into a failed whole; an error message with a cut
 * character still renders.
 */
#include "err.h"
#include "jsonx.h"
#include "textlimit.h"

#include "check_main.h"

#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(every_row_is_complete_and_fits)
{
	for (int i = 0; i < TEXT_FIELD_COUNT; i++) {
		const struct text_limit *t = textlimit_get((enum text_field)i);

		ck_assert_msg(t && t->entity && t->key, "row %d is missing", i);
		ck_assert_msg(t->max >= 1 && t->min <= t->max, "%s.%s: limits",
		              t->entity, t->key);
		ck_assert_msg(t->bytes >= TEXT_BUF(t->max),
		              "%s.%s: %zu bytes hold fewer than %u characters "
		              "of 4 bytes",
		              t->entity, t->key, t->bytes, t->max);
		for (int k = 0; k < i; k++) {
			const struct text_limit *o =
			    textlimit_get((enum text_field)k);

			ck_assert_msg(strcmp(o->entity, t->entity) ||
			                  strcmp(o->key, t->key),
			              "%s.%s twice", t->entity, t->key);
		}
	}
	ck_assert_ptr_null(textlimit_get(TEXT_FIELD_COUNT));
}
END_TEST

/* Keys read with jsonx_str / jsonx_str_copy that are formats (dates,
 * codes, logins), not free text: those have rows in the table instead. */
static const char *const format_keys[] = {"login",
                                          "password",
                                          "old_password",
                                          "new_password",
                                          "scheduled_start",
                                          "scheduled_end",
                                          "url",
                                          "birth_date",
                                          "death_date",
                                          "id_number",
                                          "at",
                                          "until",
                                          "slug",
                                          "time_zone",
                                          "region_code",
                                          "date",
                                          "day",
                                          "start",
                                          "end",
                                          "to",
                                          "contact_phone",
                                          "code",
                                          "type",
                                          "kind",
                                          "gender",
                                          NULL};

static bool is_format(const char *key)
{
	for (int i = 0; format_keys[i]; i++)
		if (strcmp(format_keys[i], key) == 0)
			return true;
	return false;
}

/* Every jsonx_str("key") in dir reads a format field; the calls seen are
 * added to *calls. */
static void check_dir(const char *dir, int *calls)
{
	GRegex *re =
	    g_regex_new("jsonx_str(?:_copy)?\\(\\s*\\*?\\w+\\s*,\\s*\"(\\w+)\"",
	                0, 0, NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	ck_assert_msg(d, "cannot open %s", dir);
	while ((name = g_dir_read_name(d))) {
		char *path, *text = NULL;
		GMatchInfo *mi;

		if (!g_str_has_suffix(name, ".c"))
			continue;
		path = g_build_filename(dir, name, NULL);
		ck_assert(g_file_get_contents(path, &text, NULL, NULL));
		g_regex_match(re, text, 0, &mi);
		while (g_match_info_matches(mi)) {
			char *key = g_match_info_fetch(mi, 1);

			ck_assert_msg(
			    is_format(key),
			    "%s reads \"%s\" with jsonx_str: free text "
			    "belongs in server/textlimit.c, read with "
			    "jsonx_text",
			    name, key);
			(*calls)++;
			g_free(key);
			g_match_info_next(mi, NULL);
		}
		g_match_info_free(mi);
		g_free(text);
		g_free(path);
	}
	g_dir_close(d);
	g_regex_unref(re);
}

/* Every jsonx_str("key") in server/ (and its folders) reads a format
 * field. */
START_TEST(free_text_goes_through_the_table)
{
	static const char *const dirs[] = {"server", "server/net",
	                                   "server/cluster"};
	const char *src = g_getenv("SINIAN_SOURCE_DIR");
	int calls = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
		char *dir = g_build_filename(src ? src : ".", dirs[i], NULL);

		check_dir(dir, &calls);
		g_free(dir);
	}
	ck_assert_int_gt(calls, 10); /* the scan saw the handlers */
}
END_TEST

START_TEST(utf8_copy_cuts_at_a_character)
{
	char out[8];

	/* "a" + U+1F338 (4 bytes) + "b": 6 bytes fit in 8 */
	ck_assert(jsonx_utf8_copy(out, sizeof(out),
	                          "a\xF0\x9F\x8C\xB8"
	                          "b"));
	ck_assert_str_eq(out, "a\xF0\x9F\x8C\xB8"
	                      "b");
	/* "ab" + U+1F338 + U+1F338: the second flower does not fit */
	ck_assert(!jsonx_utf8_copy(out, sizeof(out),
	                           "ab\xF0\x9F\x8C\xB8\xF0\x9F\x8C\xB8"));
	ck_assert_str_eq(out, "ab\xF0\x9F\x8C\xB8");
	/* three CJK characters (9 bytes) into 8: two stay */
	ck_assert(!jsonx_utf8_copy(out, sizeof(out), "念念念"));
	ck_assert_str_eq(out, "念念");
	ck_assert(g_utf8_validate(out, -1, NULL));
}
END_TEST

START_TEST(text_field_limits_count_characters)
{
	GString *v = g_string_new(NULL);
	struct err_detail err = {0};
	const char *out;
	json_t *j;

	for (int i = 0; i < DISPLAY_NAME_MAX; i++)
		g_string_append(v, "\xF0\x9F\x8C\xB8");
	j = json_pack("{s:s}", "display_name", v->str);
	ck_assert_int_eq(jsonx_text(j, TEXT_USER_NAME, true, NULL, &out, &err),
	                 0);
	ck_assert_str_eq(out, v->str);
	json_decref(j);
	g_string_append(v, "x");
	j = json_pack("{s:s}", "display_name", v->str);
	ck_assert_int_eq(jsonx_text(j, TEXT_USER_NAME, true, NULL, &out, &err),
	                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "display_name"));
	json_decref(j);
	g_string_free(v, TRUE);
}
END_TEST

START_TEST(str_copy_refuses_what_does_not_fit)
{
	json_t *j = json_pack("{s:s}", "date", "念念念念念念念念念念");
	struct err_detail err = {0};
	char date[11];

	/* ten characters, but thirty bytes: refused, never cut */
	ck_assert_int_eq(jsonx_str_copy(j, "date", true, 10, 10, NULL, date,
	                                sizeof(date), &err),
	                 ERR_INVALID);
	json_decref(j);
	j = json_pack("{s:s}", "date", "2026-04-04");
	ck_assert_int_eq(jsonx_str_copy(j, "date", true, 10, 10, NULL, date,
	                                sizeof(date), &err),
	                 0);
	ck_assert_str_eq(date, "2026-04-04");
	json_decref(j);
}
END_TEST

START_TEST(a_failed_pack_fails_the_whole)
{
	json_t *arr = json_array(), *obj = json_object();

	jsonx_push(&arr, json_string("one"));
	ck_assert_ptr_nonnull(arr);
	/* what a json_pack of text cut inside a character returns */
	jsonx_push(&arr, json_pack("{s:s}", "name", "\xE5\xBF"));
	ck_assert_ptr_null(arr);
	jsonx_push(&arr, json_string("later")); /* released, no crash */
	ck_assert_ptr_null(arr);
	jsonx_put(&obj, "ok", json_true());
	jsonx_put(&obj, "broken", NULL);
	ck_assert_ptr_null(obj);
	/* and a response built from it is a 500, not a list short of one */
	ck_assert_ptr_null(json_pack("{s:o}", "items", arr));
}
END_TEST

START_TEST(an_error_with_a_cut_character_renders)
{
	/* "no 念" and the first two bytes of another 念, as a buffer cut */
	const char msg[] = "no \xE5\xBF\xB5\xE5\xBF";
	json_t *e;
	char *s;

	e = jsonx_error("invalid", msg);
	ck_assert_ptr_nonnull(e);
	s = jsonx_dump(e, NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(strstr(s, "\"code\":\"invalid\""));
	free(s);
	json_decref(e);
	ck_assert_ptr_null(jsonx_dump(NULL, NULL));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("textlimit");
	TCase *tc = tcase_create("textlimit");

	tcase_add_test(tc, every_row_is_complete_and_fits);
	tcase_add_test(tc, free_text_goes_through_the_table);
	tcase_add_test(tc, utf8_copy_cuts_at_a_character);
	tcase_add_test(tc, text_field_limits_count_characters);
	tcase_add_test(tc, str_copy_refuses_what_does_not_fit);
	tcase_add_test(tc, a_failed_pack_fails_the_whole);
	tcase_add_test(tc, an_error_with_a_cut_character_renders);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_CHECK_MAIN(suite)
