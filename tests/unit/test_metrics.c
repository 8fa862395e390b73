/* test_metrics.c — Prometheus text rendering: request counters by label,
 * cumulative latency buckets ending in +Inf == count, escaped label values,
 * gauges and counters (labelled ones under one HELP and TYPE), and a
 * line-by-line format check of the output. */
#include "metrics.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* Every line is a HELP/TYPE comment or "name{labels} value". */
static void check_format(const char *text)
{
	GRegex *sample = g_regex_new(
	    "^[a-zA-Z_:][a-zA-Z0-9_:]*"
	    "(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\"\\\\n])*\""
	    "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\"\\\\n])*\")*\\})?"
	    " (-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|\\+Inf|-Inf|NaN)$",
	    0, 0, NULL);
	GRegex *help =
	    g_regex_new("^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* \\S.*$", 0, 0, NULL);
	GRegex *type = g_regex_new("^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* "
	                           "(counter|gauge|histogram|summary|untyped)$",
	                           0, 0, NULL);
	char **lines = g_strsplit(text, "\n", -1);
	guint n = g_strv_length(lines);

	ck_assert(g_str_has_suffix(text, "\n"));
	for (guint i = 0; i + 1 < n; i++) {
		const char *l = lines[i];

		if (g_str_has_prefix(l, "# HELP "))
			ck_assert_msg(g_regex_match(help, l, 0, NULL),
			              "bad HELP line: %s", l);
		else if (g_str_has_prefix(l, "# TYPE "))
			ck_assert_msg(g_regex_match(type, l, 0, NULL),
			              "bad TYPE line: %s", l);
		else
			ck_assert_msg(g_regex_match(sample, l, 0, NULL),
			              "bad sample line: '%s'", l);
	}
	ck_assert_str_eq(lines[n - 1], "");
	g_strfreev(lines);
	g_regex_unref(sample);
	g_regex_unref(help);
	g_regex_unref(type);
}

/* The value on the line starting with prefix, or -1 if absent. */
static double value_of(const char *text, const char *prefix)
{
	char **lines = g_strsplit(text, "\n", -1);
	double v = -1;
	int found = 0;

	for (char **l = lines; *l; l++)
		if (g_str_has_prefix(*l, prefix) &&
		    (*l)[strlen(prefix)] == ' ') {
			v = g_ascii_strtod(*l + strlen(prefix) + 1, NULL);
			found++;
		}
	g_strfreev(lines);
	ck_assert_msg(found <= 1, "%d lines for %s", found, prefix);
	return v;
}

START_TEST(empty)
{
	struct metrics *m = metrics_new();
	char *t = metrics_render(m);

	check_format(t);
	ck_assert_ptr_nonnull(
	    strstr(t, "# TYPE sinian_http_requests_total counter\n"));
	ck_assert_ptr_nonnull(strstr(
	    t, "# TYPE sinian_http_request_duration_seconds histogram\n"));
	g_free(t);
	metrics_free(m);
	metrics_free(NULL);
}
END_TEST

START_TEST(request_counters)
{
	struct metrics *m = metrics_new();
	char *t;

	metrics_request(m, "GET", "/healthz", 200, 0.0001);
	metrics_request(m, "GET", "/healthz", 200, 0.0002);
	metrics_request(m, "GET", "/healthz", 503, 0.0001);
	metrics_request(m, "POST", "/api/memorials/{id}/tributes", 201, 0.01);
	metrics_request(m, "GET", "static", 404, 0.001);
	t = metrics_render(m);
	check_format(t);
	ck_assert_double_eq(value_of(t, "sinian_http_requests_total{method="
	                                "\"GET\",route=\"/healthz\",status="
	                                "\"200\"}"),
	                    2);
	ck_assert_double_eq(value_of(t, "sinian_http_requests_total{method="
	                                "\"GET\",route=\"/healthz\",status="
	                                "\"503\"}"),
	                    1);
	ck_assert_double_eq(
	    value_of(t, "sinian_http_requests_total{method=\"POST\",route="
	                "\"/api/memorials/{id}/tributes\",status=\"201\"}"),
	    1);
	ck_assert_double_eq(value_of(t, "sinian_http_requests_total{method="
	                                "\"GET\",route=\"static\",status="
	                                "\"404\"}"),
	                    1);
	/* the histogram is per route, across methods and statuses */
	ck_assert_double_eq(value_of(t, "sinian_http_request_duration_seconds_"
	                                "count{route=\"/healthz\"}"),
	                    3);
	g_free(t);
	metrics_free(m);
}
END_TEST

START_TEST(histogram_cumulative)
{
	static const double lat[] = {0.0005, 0.001, 0.003, 0.2, 0.2, 4.0, 10.0};
	struct metrics *m = metrics_new();
	const char *pre = "sinian_http_request_duration_seconds_bucket{route="
	                  "\"/x\",le=\"";
	static const struct {
		const char *le;
		double want;
	} b[] = {
	    {"0.001", 2}, {"0.0025", 2}, {"0.005", 3}, {"0.01", 3},
	    {"0.025", 3}, {"0.05", 3},   {"0.1", 3},   {"0.25", 5},
	    {"0.5", 5},   {"1", 5},      {"2.5", 5},   {"5", 6},
	    {"+Inf", 7},
	};
	double prev = 0, sum = 0;
	char *t;

	for (size_t i = 0; i < G_N_ELEMENTS(lat); i++) {
		metrics_request(m, "GET", "/x", 200, lat[i]);
		sum += lat[i];
	}
	t = metrics_render(m);
	check_format(t);
	for (size_t i = 0; i < G_N_ELEMENTS(b); i++) {
		char *p = g_strdup_printf("%s%s\"}", pre, b[i].le);
		double v = value_of(t, p);

		ck_assert_msg(v == b[i].want, "%s: %g, want %g", p, v,
		              b[i].want);
		ck_assert(v >= prev);
		prev = v;
		g_free(p);
	}
	ck_assert_double_eq(value_of(t, "sinian_http_request_duration_seconds_"
	                                "count{route=\"/x\"}"),
	                    7);
	ck_assert_double_eq_tol(value_of(t, "sinian_http_request_duration_"
	                                    "seconds_sum{route=\"/x\"}"),
	                        sum, 1e-5);
	/* the buckets come in increasing le order, +Inf last */
	{
		const char *p1 = strstr(t, "le=\"0.001\"");
		const char *p2 = strstr(t, "le=\"0.5\"");
		const char *p3 = strstr(t, "le=\"+Inf\"");

		ck_assert(p1 && p2 && p3 && p1 < p2 && p2 < p3);
	}
	g_free(t);
	metrics_free(m);
}
END_TEST

START_TEST(label_escaping)
{
	struct metrics *m = metrics_new();
	char *t;

	metrics_request(m, "GET", "/a\"b\\c\nd", 200, 0.1);
	t = metrics_render(m);
	check_format(t);
	ck_assert_ptr_nonnull(
	    strstr(t, "sinian_http_requests_total{method=\"GET\",route="
	              "\"/a\\\"b\\\\c\\nd\",status=\"200\"} 1\n"));
	ck_assert_ptr_nonnull(
	    strstr(t, "sinian_http_request_duration_seconds_count{route="
	              "\"/a\\\"b\\\\c\\nd\"} 1\n"));
	g_free(t);
	metrics_free(m);
}
END_TEST

START_TEST(gauges_and_counters)
{
	struct metrics *m = metrics_new();
	char *t;

	metrics_gauge_set(m, "sinian_ws_connections", "Open WebSocket.", 3);
	metrics_gauge_add(m, "sinian_ws_connections", "Open WebSocket.", -1);
	metrics_gauge_add(m, "sinian_viewers", "Viewers.", 2.5);
	metrics_counter_add(m, "sinian_tributes_total", "Tributes left.", 1);
	metrics_counter_add(m, "sinian_tributes_total", "Tributes left.", 4);
	metrics_gauge_set(m, "sinian_zero", "Zero.", 0);
	t = metrics_render(m);
	check_format(t);
	ck_assert_double_eq(value_of(t, "sinian_ws_connections"), 2);
	ck_assert_double_eq(value_of(t, "sinian_viewers"), 2.5);
	ck_assert_double_eq(value_of(t, "sinian_tributes_total"), 5);
	ck_assert_double_eq(value_of(t, "sinian_zero"), 0);
	ck_assert_ptr_nonnull(strstr(t, "# HELP sinian_ws_connections Open "
	                                "WebSocket.\n# TYPE "
	                                "sinian_ws_connections gauge\n"));
	ck_assert_ptr_nonnull(
	    strstr(t, "# TYPE sinian_tributes_total counter\n"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE sinian_viewers gauge\n"));
	/* one HELP and TYPE per name */
	{
		const char *p = strstr(t, "# TYPE sinian_ws_connections");

		ck_assert_ptr_null(
		    strstr(p + 1, "# TYPE sinian_ws_connections"));
	}
	/* set replaces */
	metrics_gauge_set(m, "sinian_ws_connections", "Open WebSocket.", 0);
	g_free(t);
	t = metrics_render(m);
	ck_assert_double_eq(value_of(t, "sinian_ws_connections"), 0);
	g_free(t);
	metrics_free(m);
}
END_TEST

/* Values of one name with labels share one HELP and TYPE; a name that
 * only starts like another keeps its own. */
START_TEST(labelled_gauges)
{
	struct metrics *m = metrics_new();
	const char *block = "# HELP sinian_conns Conns.\n"
	                    "# TYPE sinian_conns gauge\n"
	                    "sinian_conns{thread=\"0\"} 5\n"
	                    "sinian_conns{thread=\"1\"} 4\n";
	const char *p;
	char *t;

	metrics_gauge_set(m, "sinian_conns{thread=\"1\"}", "Conns.", 4);
	metrics_gauge_set(m, "sinian_conns{thread=\"0\"}", "Conns.", 5);
	metrics_counter_set(m, "sinian_conns_refused_total", "Refused.", 2);
	metrics_gauge_set(m, "sinian_connsx{thread=\"0\"}", "Other.", 1);
	t = metrics_render(m);
	check_format(t);
	ck_assert_double_eq(value_of(t, "sinian_conns{thread=\"0\"}"), 5);
	ck_assert_double_eq(value_of(t, "sinian_conns{thread=\"1\"}"), 4);
	ck_assert_double_eq(value_of(t, "sinian_conns_refused_total"), 2);
	ck_assert_double_eq(value_of(t, "sinian_connsx{thread=\"0\"}"), 1);
	p = strstr(t, block);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_null(
	    strstr(p + strlen(block), "# TYPE sinian_conns gauge"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE sinian_connsx gauge\n"));
	ck_assert_ptr_nonnull(
	    strstr(t, "# TYPE sinian_conns_refused_total counter\n"));
	g_free(t);
	metrics_free(m);
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, empty);
	tcase_add_test(tc, request_counters);
	tcase_add_test(tc, histogram_cumulative);
	tcase_add_test(tc, label_escaping);
	tcase_add_test(tc, gauges_and_counters);
	tcase_add_test(tc, labelled_gauges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
