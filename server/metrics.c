/* metrics.c — the numbers /metrics shows.
 *
 * Owns request counters by route/method/status, a latency histogram per
 * route, and named gauges and counters that other modules set. Renders the
 * Prometheus text format; knows nothing of HTTP connections.
 */
#include "metrics.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct hist {
	uint64_t counts[N_BUCKETS];
	uint64_t count;
	double sum;
};

struct named {
	const char *help;
	double value;
	int is_counter;
};

struct metrics {
	GHashTable *requests; /* "method\troute\tstatus" → uint64_t* */
	GHashTable *latency;  /* route → struct hist* */
	GHashTable *named;    /* name → struct named* */
};

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->requests =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	m->latency =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	m->named =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	g_hash_table_destroy(m->requests);
	g_hash_table_destroy(m->latency);
	g_hash_table_destroy(m->named);
	free(m);
}

void metrics_request(struct metrics *m, const char *method, const char *route,
                     int status, double seconds)
{
	char key[256]; /* allocated only the first time it is seen */
	uint64_t *n;
	struct hist *h;

	snprintf(key, sizeof(key), "%s\t%s\t%d", method, route, status);
	n = g_hash_table_lookup(m->requests, key);
	if (!n) {
		n = g_new0(uint64_t, 1);
		g_hash_table_insert(m->requests, g_strdup(key), n);
	}
	(*n)++;
	h = g_hash_table_lookup(m->latency, route);
	if (!h) {
		h = g_new0(struct hist, 1);
		g_hash_table_insert(m->latency, g_strdup(route), h);
	}
	for (size_t i = 0; i < N_BUCKETS; i++)
		if (seconds <= buckets[i])
			h->counts[i]++;
	h->count++;
	h->sum += seconds;
}

static struct named *named_get(struct metrics *m, const char *name,
                               const char *help, int is_counter)
{
	struct named *v = g_hash_table_lookup(m->named, name);

	if (!v) {
		v = g_new0(struct named, 1);
		v->help = help;
		v->is_counter = is_counter;
		g_hash_table_insert(m->named, g_strdup(name), v);
	}
	return v;
}

void metrics_gauge_set(struct metrics *m, const char *name, const char *help,
                       double value)
{
	named_get(m, name, help, 0)->value = value;
}

void metrics_gauge_add(struct metrics *m, const char *name, const char *help,
                       double delta)
{
	named_get(m, name, help, 0)->value += delta;
}

void metrics_counter_set(struct metrics *m, const char *name, const char *help,
                         double value)
{
	named_get(m, name, help, 1)->value = value;
}

void metrics_counter_add(struct metrics *m, const char *name, const char *help,
                         double delta)
{
	named_get(m, name, help, 1)->value += delta;
}

/* Escape a label value: backslash, quote and newline. */
static void label(GString *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			g_string_append_c(out, '\\');
		if (*v == '\n') {
			g_string_append(out, "\\n");
			continue;
		}
		g_string_append_c(out, *v);
	}
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static GPtrArray *sorted_keys(GHashTable *h)
{
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(keys, k);
	g_ptr_array_sort(keys, cmp_str);
	return keys;
}

static void render_requests(const struct metrics *m, GString *out)
{
	GPtrArray *keys = sorted_keys(m->requests);

	g_string_append(out, "# HELP sinian_http_requests_total HTTP requests "
	                     "by route, method and status.\n"
	                     "# TYPE sinian_http_requests_total counter\n");
	for (guint i = 0; i < keys->len; i++) {
		const char *k = g_ptr_array_index(keys, i);
		char **f = g_strsplit(k, "\t", 3);
		uint64_t *n = g_hash_table_lookup(m->requests, k);

		g_string_append(out, "sinian_http_requests_total{method=\"");
		label(out, f[0]);
		g_string_append(out, "\",route=\"");
		label(out, f[1]);
		g_string_append_printf(out, "\",status=\"%s\"} %llu\n", f[2],
		                       (unsigned long long)*n);
		g_strfreev(f);
	}
	g_ptr_array_free(keys, TRUE);
}

static void render_latency(const struct metrics *m, GString *out)
{
	GPtrArray *keys = sorted_keys(m->latency);

	g_string_append(out, "# HELP sinian_http_request_duration_seconds Time "
	                     "from request to response, by route.\n"
	                     "# TYPE sinian_http_request_duration_seconds "
	                     "histogram\n");
	for (guint i = 0; i < keys->len; i++) {
		const char *route = g_ptr_array_index(keys, i);
		struct hist *h = g_hash_table_lookup(m->latency, route);

		for (size_t b = 0; b < N_BUCKETS; b++) {
			g_string_append(out, "sinian_http_request_duration_"
			                     "seconds_bucket{route=\"");
			label(out, route);
			g_string_append_printf(
			    out, "\",le=\"%g\"} %llu\n", buckets[b],
			    (unsigned long long)h->counts[b]);
		}
		g_string_append(out, "sinian_http_request_duration_seconds_"
		                     "bucket{route=\"");
		label(out, route);
		g_string_append_printf(out, "\",le=\"+Inf\"} %llu\n",
		                       (unsigned long long)h->count);
		g_string_append(out, "sinian_http_request_duration_seconds_sum{"
		                     "route=\"");
		label(out, route);
		g_string_append_printf(out, "\"} %.6f\n", h->sum);
		g_string_append(out, "sinian_http_request_duration_seconds_"
		                     "count{route=\"");
		label(out, route);
		g_string_append_printf(out, "\"} %llu\n",
		                       (unsigned long long)h->count);
	}
	g_ptr_array_free(keys, TRUE);
}

char *metrics_render(const struct metrics *m)
{
	GString *out = g_string_new(NULL);
	GPtrArray *keys;

	render_requests(m, out);
	render_latency(m, out);
	keys = sorted_keys(m->named);
	for (guint i = 0; i < keys->len; i++) {
		const char *name = g_ptr_array_index(keys, i);
		struct named *v = g_hash_table_lookup(m->named, name);
		int base = (int)strcspn(name, "{");

		/* one HELP and TYPE for a name and its labelled values, which
		 * sort next to each other */
		if (i == 0 || strncmp(name, g_ptr_array_index(keys, i - 1),
		                      (size_t)base + 1) != 0)
			g_string_append_printf(
			    out, "# HELP %.*s %s\n# TYPE %.*s %s\n", base, name,
			    v->help, base, name,
			    v->is_counter ? "counter" : "gauge");
		g_string_append_printf(out, "%s %.17g\n", name, v->value);
	}
	g_ptr_array_free(keys, TRUE);
	return g_string_free(out, FALSE);
}
