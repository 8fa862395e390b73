/* test_jsonx.c — request bodies and validated fields: parsing, string
 * lengths counted in UTF-8 characters (Chinese names), refused control
 * characters and NUL, integer ranges, booleans, enums, unknown fields, the
 * uniform error body. */
#include "err.h"
#include "jsonx.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static json_t *obj(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	ck_assert_msg(j != NULL, "test JSON: %s", je.text);
	return j;
}

START_TEST(parse_object)
{
	const char *body = "{\"name\":\"思念\",\"n\":1}";
	struct err_detail err = {0};
	json_t *j = NULL;

	ck_assert_int_eq(jsonx_parse_object(body, strlen(body), &j, &err), 0);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_object(j));
	ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "思念");
	json_decref(j);

	/* only len bytes are read; the body need not be NUL-terminated */
	j = NULL;
	ck_assert_int_eq(jsonx_parse_object("{}garbage", 2, &j, &err), 0);
	ck_assert_uint_eq(json_object_size(j), 0);
	json_decref(j);
}
END_TEST

START_TEST(parse_not_object)
{
	static const char *const bodies[] = {
	    "[1,2]", "\"text\"", "42", "null", "true",
	};
	struct err_detail err = {0};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *j = NULL;

		err.msg[0] = '\0';
		ck_assert_int_eq(
		    jsonx_parse_object(bodies[i], strlen(bodies[i]), &j, &err),
		    ERR_INVALID);
		ck_assert_ptr_null(j);
		/* jansson itself refuses a scalar at the top level */
		ck_assert_msg(strstr(err.msg, "JSON object") != NULL ||
		                  strstr(err.msg, "'[' or '{' expected") !=
		                      NULL,
		              "%s: '%s'", bodies[i], err.msg);
	}
	{
		json_t *j = NULL;

		ck_assert_int_eq(jsonx_parse_object("[1]", 3, &j, &err),
		                 ERR_INVALID);
		ck_assert_str_eq(err.msg, "request body must be a JSON object");
	}
}
END_TEST

START_TEST(parse_invalid)
{
	static const char *const bodies[] = {
	    "{",
	    "{\"a\":}",
	    "{'a':1}",
	    "{\"a\":1,}",
	    "{\"a\":1}{\"b\":2}",
	    "{\"a\":1,\"a\":2}",     /* duplicate keys */
	    "{\"a\":\"\xff\"}",      /* not UTF-8 */
	    "\xef\xbb\xbf{}",        /* byte-order mark */
	    "{\"a\":\"x\\u0000y\"}", /* NUL inside a string */
	};
	struct err_detail err = {0};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *j = NULL;

		err.msg[0] = '\0';
		ck_assert_msg(jsonx_parse_object(bodies[i], strlen(bodies[i]),
		                                 &j, &err) == ERR_INVALID,
		              "accepted: %s", bodies[i]);
		ck_assert_ptr_null(j);
		ck_assert_msg(strstr(err.msg, "invalid JSON") != NULL,
		              "%s: '%s'", bodies[i], err.msg);
	}
	/* the position is reported */
	{
		json_t *j = NULL;

		ck_assert_int_eq(
		    jsonx_parse_object("{\n\"a\": x}", 9, &j, &err),
		    ERR_INVALID);
		ck_assert_msg(strstr(err.msg, "line 2") != NULL, "%s", err.msg);
	}
}
END_TEST

START_TEST(parse_empty)
{
	struct err_detail err = {0};
	json_t *j = NULL;

	ck_assert_int_eq(jsonx_parse_object(NULL, 0, &j, &err), ERR_INVALID);
	ck_assert_ptr_null(j);
	ck_assert_msg(strstr(err.msg, "JSON object") != NULL, "%s", err.msg);
	ck_assert_int_eq(jsonx_parse_object("", 0, &j, &err), ERR_INVALID);
	ck_assert_int_eq(jsonx_parse_object("{}", 0, &j, &err), ERR_INVALID);
	ck_assert_int_eq(jsonx_parse_object("   ", 3, &j, &err), ERR_INVALID);
	ck_assert_ptr_null(j);
}
END_TEST

START_TEST(str_lengths_in_characters)
{
	/* 思念 is 2 characters in 6 bytes; 永远怀念您 is 5 in 15 */
	json_t *j = obj("{\"a\":\"思念\",\"b\":\"永远怀念您\",\"e\":\"\","
	                "\"mix\":\"Li 思念 é 🕯\"}");
	const char *s = NULL;
	struct err_detail err = {0};

	ck_assert_int_eq(jsonx_str(j, "a", true, 2, 2, NULL, &s, &err), 0);
	ck_assert_str_eq(s, "思念");
	ck_assert_int_eq(jsonx_str(j, "a", true, 1, 1, NULL, &s, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg, "a: must be 1 to 1 characters");
	ck_assert_int_eq(jsonx_str(j, "a", true, 3, 64, NULL, &s, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg, "a: must be 3 to 64 characters");
	/* 15 bytes but 5 characters: a 5-character limit allows it */
	ck_assert_int_eq(jsonx_str(j, "b", true, 1, 5, NULL, &s, &err), 0);
	ck_assert_int_eq(jsonx_str(j, "b", true, 1, 4, NULL, &s, &err),
	                 ERR_INVALID);
	/* "Li 思念 é 🕯" is 9 characters */
	ck_assert_int_eq(jsonx_str(j, "mix", true, 9, 9, NULL, &s, &err), 0);
	ck_assert_int_eq(jsonx_str(j, "mix", true, 10, 20, NULL, &s, &err),
	                 ERR_INVALID);
	/* empty string: min 0 allows it, min 1 does not */
	ck_assert_int_eq(jsonx_str(j, "e", true, 0, 5, NULL, &s, &err), 0);
	ck_assert_str_eq(s, "");
	ck_assert_int_eq(jsonx_str(j, "e", true, 1, 5, NULL, &s, &err),
	                 ERR_INVALID);
	json_decref(j);
}
END_TEST

START_TEST(str_control_chars)
{
	json_t *j = obj("{\"nl\":\"line1\\nline2\\tx\",\"cr\":\"a\\rb\","
	                "\"bel\":\"\\u0007\",\"esc\":\"\\u001b[31m\","
	                "\"del\":\"a\\u007f\"}");
	const char *s;
	struct err_detail err = {0};

	/* the parser refuses \u0000, so build such a string by hand */
	json_object_set_new(j, "nul", json_stringn("a\0b", 3));

	ck_assert_int_eq(jsonx_str(j, "nl", true, 0, 100, NULL, &s, &err), 0);
	ck_assert_str_eq(s, "line1\nline2\tx");
	static const char *const bad[] = {"cr", "bel", "esc", "del"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = "unchanged";
		ck_assert_int_eq(
		    jsonx_str(j, bad[i], true, 0, 100, NULL, &s, &err),
		    ERR_INVALID);
		ck_assert_msg(strstr(err.msg, "control characters") != NULL,
		              "%s: %s", bad[i], err.msg);
		ck_assert_msg(strncmp(err.msg, bad[i], strlen(bad[i])) == 0,
		              "%s", err.msg);
		ck_assert_str_eq(s, "unchanged");
	}
	ck_assert_int_eq(jsonx_str(j, "nul", true, 0, 100, NULL, &s, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg, "nul: must not contain NUL");
	json_decref(j);
}
END_TEST

START_TEST(str_defaults_and_types)
{
	json_t *j = obj("{\"n\":null,\"i\":5,\"o\":{},\"a\":[\"x\"]}");
	const char *s = "unset";
	struct err_detail err = {0};

	ck_assert_int_eq(jsonx_str(j, "absent", false, 1, 5, "dflt", &s, &err),
	                 0);
	ck_assert_str_eq(s, "dflt");
	ck_assert_int_eq(jsonx_str(j, "absent", false, 1, 5, NULL, &s, &err),
	                 0);
	ck_assert_ptr_null(s);
	/* null counts as absent */
	ck_assert_int_eq(jsonx_str(j, "n", false, 1, 5, "d2", &s, &err), 0);
	ck_assert_str_eq(s, "d2");
	ck_assert_int_eq(jsonx_str(j, "n", true, 1, 5, NULL, &s, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg, "n: required");
	ck_assert_int_eq(jsonx_str(j, "absent", true, 1, 5, NULL, &s, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg, "absent: required");
	static const char *const wrong[] = {"i", "o", "a"};
	for (size_t k = 0; k < 3; k++) {
		ck_assert_int_eq(
		    jsonx_str(j, wrong[k], false, 0, 5, "d", &s, &err),
		    ERR_INVALID);
		ck_assert_msg(strstr(err.msg, "must be a string") != NULL, "%s",
		              err.msg);
	}
	json_decref(j);
}
END_TEST

START_TEST(ints)
{
	json_t *j = obj("{\"n\":42,\"neg\":-7,\"big\":9007199254740993,"
	                "\"f\":1.5,\"whole\":2.0,\"s\":\"5\",\"b\":true,"
	                "\"z\":null}");
	int64_t v = 0;
	struct err_detail err = {0};

	ck_assert_int_eq(jsonx_int(j, "n", true, 0, 100, 0, &v, &err), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(jsonx_int(j, "n", true, 42, 42, 0, &v, &err), 0);
	ck_assert_int_eq(jsonx_int(j, "n", true, 43, 100, 0, &v, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg, "n: must be between 43 and 100");
	ck_assert_int_eq(jsonx_int(j, "n", true, 0, 41, 0, &v, &err),
	                 ERR_INVALID);
	ck_assert_int_eq(jsonx_int(j, "neg", true, -10, -1, 0, &v, &err), 0);
	ck_assert_int_eq(v, -7);
	ck_assert_int_eq(jsonx_int(j, "neg", true, 0, 10, 0, &v, &err),
	                 ERR_INVALID);
	ck_assert_int_eq(
	    jsonx_int(j, "big", true, INT64_MIN, INT64_MAX, 0, &v, &err), 0);
	ck_assert(v == 9007199254740993LL);
	static const char *const wrong[] = {"f", "whole", "s", "b"};
	for (size_t k = 0; k < 4; k++) {
		v = 99;
		ck_assert_int_eq(
		    jsonx_int(j, wrong[k], true, -100, 100, 0, &v, &err),
		    ERR_INVALID);
		ck_assert_msg(strstr(err.msg, "must be an integer") != NULL,
		              "%s: %s", wrong[k], err.msg);
		ck_assert_int_eq(v, 99);
	}
	ck_assert_int_eq(jsonx_int(j, "z", false, 0, 10, 3, &v, &err), 0);
	ck_assert_int_eq(v, 3);
	ck_assert_int_eq(jsonx_int(j, "absent", false, 0, 10, 4, &v, &err), 0);
	ck_assert_int_eq(v, 4);
	ck_assert_int_eq(jsonx_int(j, "absent", true, 0, 10, 4, &v, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg, "absent: required");
	json_decref(j);
}
END_TEST

START_TEST(bools)
{
	json_t *j = obj("{\"t\":true,\"f\":false,\"one\":1,\"s\":\"true\","
	                "\"z\":null}");
	bool b;
	struct err_detail err = {0};

	ck_assert_int_eq(jsonx_bool(j, "t", true, false, &b, &err), 0);
	ck_assert(b);
	ck_assert_int_eq(jsonx_bool(j, "f", true, true, &b, &err), 0);
	ck_assert(!b);
	ck_assert_int_eq(jsonx_bool(j, "one", true, false, &b, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg, "one: must be true or false");
	ck_assert_int_eq(jsonx_bool(j, "s", true, false, &b, &err),
	                 ERR_INVALID);
	ck_assert_int_eq(jsonx_bool(j, "z", false, true, &b, &err), 0);
	ck_assert(b);
	ck_assert_int_eq(jsonx_bool(j, "absent", false, false, &b, &err), 0);
	ck_assert(!b);
	ck_assert_int_eq(jsonx_bool(j, "absent", true, false, &b, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg, "absent: required");
	json_decref(j);
}
END_TEST

START_TEST(enums)
{
	static const char *const kinds[] = {"flower", "incense", "candle",
	                                    NULL};
	json_t *j = obj("{\"k\":\"candle\",\"bad\":\"Flower\",\"n\":3,"
	                "\"e\":\"\"}");
	int v = -1;
	struct err_detail err = {0};

	ck_assert_int_eq(jsonx_enum(j, "k", true, kinds, 0, &v, &err), 0);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(jsonx_enum(j, "bad", true, kinds, 0, &v, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg,
	                 "bad: must be one of flower, incense, candle");
	ck_assert_int_eq(jsonx_enum(j, "n", true, kinds, 0, &v, &err),
	                 ERR_INVALID);
	ck_assert_msg(strstr(err.msg, "must be a string") != NULL, "%s",
	              err.msg);
	ck_assert_int_eq(jsonx_enum(j, "e", true, kinds, 0, &v, &err),
	                 ERR_INVALID);
	ck_assert_int_eq(jsonx_enum(j, "absent", false, kinds, 1, &v, &err), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(jsonx_enum(j, "absent", true, kinds, 1, &v, &err),
	                 ERR_INVALID);
	ck_assert_str_eq(err.msg, "absent: required");
	json_decref(j);
}
END_TEST

START_TEST(only)
{
	static const char *const allowed[] = {"name", "kind", NULL};
	static const char *const none[] = {NULL};
	json_t *ok = obj("{\"name\":\"x\",\"kind\":\"y\"}");
	json_t *some = obj("{\"name\":\"x\"}");
	json_t *empty = obj("{}");
	json_t *extra = obj("{\"name\":\"x\",\"admin\":true}");
	struct err_detail err = {0};

	ck_assert_int_eq(jsonx_only(ok, allowed, &err), 0);
	ck_assert_int_eq(jsonx_only(some, allowed, &err), 0);
	ck_assert_int_eq(jsonx_only(empty, allowed, &err), 0);
	ck_assert_int_eq(jsonx_only(empty, none, &err), 0);
	ck_assert_int_eq(jsonx_only(extra, allowed, &err), ERR_INVALID);
	ck_assert_str_eq(err.msg, "admin: unknown field");
	ck_assert_int_eq(jsonx_only(some, none, &err), ERR_INVALID);
	ck_assert_str_eq(err.msg, "name: unknown field");
	json_decref(ok);
	json_decref(some);
	json_decref(empty);
	json_decref(extra);
}
END_TEST

START_TEST(error_shape)
{
	json_t *e = jsonx_error("not_found", "no such memorial");
	json_t *inner;
	size_t len = 0;
	char *s;

	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(json_object_size(e), 1);
	inner = json_object_get(e, "error");
	ck_assert(json_is_object(inner));
	ck_assert_uint_eq(json_object_size(inner), 2);
	ck_assert_str_eq(json_string_value(json_object_get(inner, "code")),
	                 "not_found");
	ck_assert_str_eq(json_string_value(json_object_get(inner, "message")),
	                 "no such memorial");
	s = jsonx_dump(e, &len);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(len, strlen(s));
	ck_assert_str_eq(s, "{\"error\":{\"code\":\"not_found\","
	                    "\"message\":\"no such memorial\"}}");
	free(s);
	json_decref(e);

	e = jsonx_error("invalid", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(e, "error"), "message")),
	                 "");
	json_decref(e);
}
END_TEST

START_TEST(dump_keeps_utf8)
{
	json_t *j = json_pack("{s:s}", "name", "思念");
	char *s = jsonx_dump(j, NULL);

	ck_assert_str_eq(s, "{\"name\":\"思念\"}");
	free(s);
	json_decref(j);
}
END_TEST

START_TEST(utf8_len)
{
	ck_assert_uint_eq(jsonx_utf8_len(""), 0);
	ck_assert_uint_eq(jsonx_utf8_len("abc"), 3);
	ck_assert_uint_eq(jsonx_utf8_len("思念"), 2);
	ck_assert_uint_eq(jsonx_utf8_len("é"), 1);
	ck_assert_uint_eq(jsonx_utf8_len("🕯️"), 2); /* candle + VS16 */
	ck_assert_uint_eq(jsonx_utf8_len("\xf0\x9f\x8c\xb8"), 1);
	ck_assert_uint_eq(jsonx_utf8_len("a思b念c"), 5);
}
END_TEST

static Suite *jsonx_suite(void)
{
	Suite *s = suite_create("jsonx");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_object);
	tcase_add_test(tc, parse_not_object);
	tcase_add_test(tc, parse_invalid);
	tcase_add_test(tc, parse_empty);
	tcase_add_test(tc, str_lengths_in_characters);
	tcase_add_test(tc, str_control_chars);
	tcase_add_test(tc, str_defaults_and_types);
	tcase_add_test(tc, ints);
	tcase_add_test(tc, bools);
	tcase_add_test(tc, enums);
	tcase_add_test(tc, only);
	tcase_add_test(tc, error_shape);
	tcase_add_test(tc, dump_keeps_utf8);
	tcase_add_test(tc, utf8_len);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jsonx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
