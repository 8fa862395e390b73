/* store_fault.c — fault injection for the store's tests: see
 * store_fault.h. Holds no state of its own; each connection of store.c
 * keeps the struct store_fault it parsed when it opened.
 */
#include "store_fault.h"
#include "log.h"
#include "store.h"

#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fault_rule {
	char *name;      /* as the test wrote it, for the log */
	const char *sql; /* the statement's text; NULL for "*" */
	uint64_t seen;   /* executions counted so far */
	uint64_t nth;    /* the first that fails, from 1 */
	uint64_t count;  /* how many in a row fail */
};

struct store_fault {
	GArray *rules; /* struct fault_rule */
};

/* The text of the statement called name, or NULL. */
static const char *sql_named(const char *name)
{
	for (size_t t = 0; store_sql_tables[t]; t++)
		for (const struct store_sql *s = store_sql_tables[t]; s->name;
		     s++)
			if (strcmp(s->name, name) == 0)
				return s->sql;
	return NULL;
}

/* A positive decimal number filling all of s. */
static bool parse_count(const char *s, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (!s || !g_ascii_isdigit(*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return false;
	*out = v;
	return true;
}

/* One "name:nth[:count]" into r; false when malformed. */
static bool parse_rule(const char *text, struct fault_rule *r)
{
	char **part = g_strsplit(text, ":", 0);
	guint n = g_strv_length(part);
	bool ok = n >= 2 && n <= 3 && parse_count(part[1], &r->nth);

	r->count = 1;
	if (ok && n == 3)
		ok = parse_count(part[2], &r->count);
	if (ok && strcmp(part[0], "*") != 0) {
		r->sql = sql_named(part[0]);
		ok = r->sql != NULL;
	}
	if (ok)
		r->name = g_strdup(part[0]);
	g_strfreev(part);
	return ok;
}

struct store_fault *store_fault_parse(const char *spec)
{
	struct store_fault *f = g_new0(struct store_fault, 1);
	char **item = g_strsplit(spec, ",", 0);

	f->rules = g_array_new(FALSE, TRUE, sizeof(struct fault_rule));
	for (guint i = 0; item[i]; i++) {
		struct fault_rule r = {0};

		if (!parse_rule(g_strstrip(item[i]), &r)) {
			log_error("store",
			          "%s: \"%s\" is not name:nth[:count] "
			          "with a known statement name; no "
			          "fault armed",
			          STORE_FAULT_ENV, item[i]);
			g_strfreev(item);
			store_fault_free(f);
			return NULL;
		}
		g_array_append_val(f->rules, r);
	}
	g_strfreev(item);
	if (f->rules->len == 0) {
		log_error("store", "%s: empty; no fault armed",
		          STORE_FAULT_ENV);
		store_fault_free(f);
		return NULL;
	}
	return f;
}

struct store_fault *store_fault_from_env(void)
{
	const char *spec = g_getenv(STORE_FAULT_ENV);
	struct store_fault *f;

	if (!spec || !*spec)
		return NULL;
	f = store_fault_parse(spec);
	if (f)
		log_warn("store", "%s=%s: statements will fail on purpose",
		         STORE_FAULT_ENV, spec);
	return f;
}

void store_fault_free(struct store_fault *f)
{
	if (!f)
		return;
	for (guint i = 0; i < f->rules->len; i++)
		g_free(g_array_index(f->rules, struct fault_rule, i).name);
	g_array_free(f->rules, TRUE);
	g_free(f);
}

bool store_fault_hit(struct store_fault *f, const char *sql)
{
	bool hit = false;

	for (guint i = 0; i < f->rules->len; i++) {
		struct fault_rule *r =
		    &g_array_index(f->rules, struct fault_rule, i);

		if (r->sql && strcmp(r->sql, sql) != 0)
			continue;
		r->seen++;
		if (r->seen >= r->nth && r->seen - r->nth < r->count) {
			log_error("store", "injected fault: %s execution %llu",
			          r->name, (unsigned long long)r->seen);
			hit = true;
		}
	}
	return hit;
}
