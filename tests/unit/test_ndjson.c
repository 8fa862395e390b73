/* test_ndjson.c — the deceased-record exchange line: a good line in full
 * and minimal, every bad field with its message, event order inside a
 * line, and writing a line that reads back. */
#include "err.h"
#include "jsonx.h"
#include "ndjson.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define TODAY "2026-06-01"

static const char good[] =
    "{\"type\":\"deceased\",\"ext_id\":\"A-2025-001\",\"agency_id\":3,"
    "\"name\":\"李秀英\",\"gender\":\"2\",\"birth_date\":\"1936-03-12\","
    "\"death_date\":\"2025-01-08\",\"native_place\":\"山东济南\","
    "\"id_number\":\"11010519491231002X\",\"events\":["
    "{\"kind\":\"registered\",\"at\":\"2025-01-08T10:00:00+08:00\","
    "\"place\":\"殡仪馆\"},"
    "{\"kind\":\"cremated\",\"at\":\"2025-01-11T11:30:00+08:00\"},"
    "{\"kind\":\"ashes_stored\",\"at\":\"2025-01-11T12:00:00+08:00\","
    "\"until\":\"2026-01-11\",\"note\":\"寄存\"}]}";

static int parse(const char *line, struct ndjson_record *r, char *err)
{
	struct err_detail e = {0};
	int rc = ndjson_parse_line(line, strlen(line), TODAY, r, &e);

	g_strlcpy(err, e.msg, 256);
	return rc;
}

START_TEST(good_line)
{
	struct ndjson_record r;
	char err[256];
	struct deceased_event *e;

	ck_assert_msg(parse(good, &r, err) == 0, "%s", err);
	ck_assert_str_eq(r.d.name, "李秀英");
	ck_assert_int_eq(r.d.agency_id, 3);
	ck_assert_str_eq(r.d.ext_id, "A-2025-001");
	ck_assert_int_eq(r.d.gender, GENDER_FEMALE);
	ck_assert_str_eq(r.d.birth_date, "1936-03-12");
	ck_assert_str_eq(r.d.native_place, "山东济南");
	ck_assert_str_eq(r.id_number, "11010519491231002X");
	ck_assert_uint_eq(r.events->len, 3);
	e = &g_array_index(r.events, struct deceased_event, 0);
	ck_assert_int_eq(e->kind, EV_REGISTERED);
	ck_assert_str_eq(e->at, "2025-01-08T02:00:00Z"); /* normalised */
	ck_assert_str_eq(e->place, "殡仪馆");
	e = &g_array_index(r.events, struct deceased_event, 2);
	ck_assert_str_eq(e->until, "2026-01-11");
	ck_assert_str_eq(e->note, "寄存");
	ndjson_record_clear(&r);
	ndjson_record_clear(&r); /* twice is harmless */
}
END_TEST

START_TEST(minimal_line)
{
	struct ndjson_record r;
	char err[256];

	ck_assert_int_eq(parse("{\"type\":\"deceased\",\"agency_id\":1,"
	                       "\"name\":\"王\",\"death_date\":\"2025-01-08\"}",
	                       &r, err),
	                 0);
	ck_assert_int_eq(r.d.gender, GENDER_UNKNOWN);
	ck_assert_str_eq(r.d.birth_date, "");
	ck_assert_str_eq(r.id_number, "");
	ck_assert_uint_eq(r.events->len, 0);
	ndjson_record_clear(&r);
	/* what export writes back is accepted: ids, masks and stamps are
	 * ignored, nulls are absent */
	ck_assert_int_eq(
	    parse(
	        "{\"type\":\"deceased\",\"id\":7,\"agency_id\":1,"
	        "\"name\":\"王\",\"death_date\":\"2025-01-08\","
	        "\"id_number_masked\":\"1101**********002X\","
	        "\"updated_at\":\"2025-01-09T00:00:00Z\",\"birth_date\":null}",
	        &r, err),
	    0);
	ndjson_record_clear(&r);
}
END_TEST

/* Each bad line and a fragment its message must contain. */
static const struct {
	const char *line;
	const char *why;
} bad[] = {
    {"", "JSON object"},
    {"not json", "invalid JSON"},
    {"[1,2]", "JSON object"},
    {"{\"type\":\"deceased\",\"type\":\"deceased\"}", "invalid JSON"},
    {"{\"agency_id\":1,\"name\":\"王\",\"death_date\":\"2025-01-08\"}",
     "type: required"},
    {"{\"type\":\"staff\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\"}",
     "type: must be \"deceased\""},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"colour\":\"red\"}",
     "colour"},
    {"{\"type\":\"deceased\",\"name\":\"王\",\"death_date\":\"2025-01-08\"}",
     "agency_id: required"},
    {"{\"type\":\"deceased\",\"agency_id\":\"1\",\"name\":\"王\","
     "\"death_date\":\"2025-01-08\"}",
     "agency_id: must be an integer"},
    {"{\"type\":\"deceased\",\"agency_id\":0,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\"}",
     "agency_id: must be between"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"death_date\":\"2025-01-08\"}",
     "name: required"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"\","
     "\"death_date\":\"2025-01-08\"}",
     "name: must be"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\\u0001\","
     "\"death_date\":\"2025-01-08\"}",
     "control characters"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\"}",
     "death_date: required"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-02-30\"}",
     "death_date"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2099-01-01\"}",
     "future"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"birth_date\":\"2025-01-09\",\"death_date\":\"2025-01-08\"}",
     "birth_date"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"gender\":\"3\",\"death_date\":\"2025-01-08\"}",
     "gender"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"gender\":\"female\",\"death_date\":\"2025-01-08\"}",
     "gender"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"id_number\":\"110105194912310021\"}",
     "id_number"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"ext_id\":\"\"}",
     "ext_id"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"events\":{}}",
     "events: must be an array"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"events\":[1]}",
     "events[0]: must be an object"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"events\":[{\"kind\":\"exhumed\","
     "\"at\":\"2025-01-08T10:00:00Z\"}]}",
     "events[0].kind: unknown"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"events\":[{\"kind\":\"registered\"}]}",
     "events[0].at: required"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"events\":[{\"kind\":\"registered\","
     "\"at\":\"soon\"}]}",
     "events[0]: at:"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"events\":[{\"kind\":\"registered\","
     "\"at\":\"2025-01-08T10:00:00Z\",\"who\":1}]}",
     "events[0].who"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"events\":[{\"kind\":\"registered\","
     "\"at\":\"2025-01-08T10:00:00Z\"},{\"kind\":\"eco_sea\","
     "\"at\":\"2025-01-09T10:00:00Z\"}]}",
     "events[1]: eco_sea: needs cremated"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"events\":[{\"kind\":\"registered\","
     "\"at\":\"2025-01-09T10:00:00Z\"},{\"kind\":\"farewell\","
     "\"at\":\"2025-01-08T10:00:00Z\"}]}",
     "events[1]: at: farewell must not be earlier"},
    {"{\"type\":\"deceased\",\"agency_id\":1,\"name\":\"王\","
     "\"death_date\":\"2025-01-08\",\"events\":[{\"kind\":\"registered\","
     "\"at\":\"2025-01-08T10:00:00Z\",\"until\":\"2026-01-01\"}]}",
     "until: only for ashes_stored"},
};

START_TEST(bad_fields)
{
	struct ndjson_record r;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i].line, &r, err);

		ck_assert_msg(rc == ERR_INVALID, "line %zu accepted: %s", i,
		              bad[i].line);
		ck_assert_msg(strstr(err, bad[i].why),
		              "line %zu: \"%s\" lacks "
		              "\"%s\"",
		              i, err, bad[i].why);
		ck_assert_ptr_nonnull(r.events); /* always clearable */
		ndjson_record_clear(&r);
	}
}
END_TEST

START_TEST(too_many_events_and_long_lines)
{
	GString *s = g_string_new("{\"type\":\"deceased\",\"agency_id\":1,"
	                          "\"name\":\"王\",\"death_date\":"
	                          "\"2025-01-08\",\"events\":[");
	struct ndjson_record r;
	struct err_detail err = {0};
	char *big;

	for (int i = 0; i <= NDJSON_EVENTS_MAX; i++)
		g_string_append_printf(s, "%s{\"kind\":\"ashes_stored\"}",
		                       i ? "," : "");
	g_string_append(s, "]}");
	ck_assert_int_eq(parse(s->str, &r, err.msg), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "at most"));
	ndjson_record_clear(&r);
	g_string_free(s, TRUE);
	big = g_malloc(NDJSON_LINE_MAX + 2);
	memset(big, ' ', NDJSON_LINE_MAX + 1);
	big[NDJSON_LINE_MAX + 1] = '\0';
	ck_assert_int_eq(
	    ndjson_parse_line(big, NDJSON_LINE_MAX + 1, TODAY, &r, &err),
	    ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "longer"));
	ndjson_record_clear(&r);
	g_free(big);
}
END_TEST

START_TEST(write_then_read)
{
	struct ndjson_record r, back;
	char err[256], *line;
	json_t *j;

	ck_assert_int_eq(parse(good, &r, err), 0);
	r.d.id = 42;
	snprintf(r.d.id_masked, sizeof(r.d.id_masked), "1101**********002X");
	/* masked form */
	j = ndjson_record_json(&r.d, r.events, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(j, "gender")), "2");
	ck_assert_str_eq(
	    json_string_value(json_object_get(j, "id_number_masked")),
	    "1101**********002X");
	ck_assert_ptr_null(json_object_get(j, "id_number"));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "events")), 3);
	line = jsonx_dump(j, NULL);
	json_decref(j);
	ck_assert_ptr_null(strstr(line, "11010519491231002X"));
	ck_assert_int_eq(parse(line, &back, err), 0);
	ck_assert_str_eq(back.d.name, "李秀英");
	ck_assert_str_eq(back.id_number, "");
	ck_assert_uint_eq(back.events->len, 3);
	ck_assert_str_eq(
	    g_array_index(back.events, struct deceased_event, 2).until,
	    "2026-01-11");
	ndjson_record_clear(&back);
	free(line);
	/* revealed form carries the number */
	j = ndjson_record_json(&r.d, r.events, r.id_number);
	ck_assert_str_eq(json_string_value(json_object_get(j, "id_number")),
	                 "11010519491231002X");
	ck_assert_ptr_null(json_object_get(j, "id_number_masked"));
	json_decref(j);
	ndjson_record_clear(&r);
}
END_TEST

static Suite *ndjson_suite(void)
{
	Suite *s = suite_create("ndjson");
	TCase *tc = tcase_create("lines");

	tcase_add_test(tc, good_line);
	tcase_add_test(tc, minimal_line);
	tcase_add_test(tc, bad_fields);
	tcase_add_test(tc, too_many_events_and_long_lines);
	tcase_add_test(tc, write_then_read);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ndjson_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
