/* api_exchange.c — deceased records in and out as NDJSON
 * (docs/data-exchange.md).
 *
 * Export writes one line per record with its events, ID numbers masked
 * unless the caller asks with ?reveal=1 and holds pii.view (audited).
 * Import validates every line first and answers with a per-line report;
 * only a fully valid file is written, in one transaction.
 */
#include "access.h"
#include "api.h"
#include "log.h"
#include "api_memorial.h"
#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "ndjson.h"
#include "store.h"
#include "store_deceased.h"
#include "store_org.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_PAGE      500
#define IMPORT_LINES_MAX 10000 /* records per import */
#define REPORT_LINES_MAX 100   /* line errors listed in a report */
#define NDJSON_CTYPE     "application/x-ndjson"

/* ?since= as a date or an RFC 3339 time, into updated_at's form. */
static int since_param(const char *s, char *out, size_t outlen)
{
	char buf[40];

	if (!s || !*s) {
		snprintf(out, outlen, "%s", "");
		return 0;
	}
	if (deceased_date_valid(s)) {
		snprintf(buf, sizeof(buf), "%sT00:00:00+08:00", s);
		s = buf;
	}
	return deceased_time_norm(s, out, outlen, NULL);
}

/* A page of records as lines of out; false (logged) if one could not be
 * read or written: the export fails rather than leave a record out. */
static bool export_page(struct app *app, GArray *recs, bool clear, GString *out)
{
	GArray *evs = g_array_new(FALSE, FALSE, sizeof(struct deceased_event));
	bool ok = true;

	for (guint i = 0; ok && i < recs->len; i++) {
		struct deceased *d = &g_array_index(recs, struct deceased, i);
		char *id =
		    clear ? deceased_id_reveal(app->store, app->crypto, d->id)
		          : NULL;
		json_t *j;
		char *s;

		g_array_set_size(evs, 0);
		ok = store_ok(store_deceased_event_list(app->store, d->id, evs),
		              "listing a record's events for an export");
		j = ok ? ndjson_record_json(d, evs,
		                            clear ? (id ? id : "") : NULL)
		       : NULL;
		s = j ? jsonx_dump(j, NULL) : NULL;
		if (s) {
			g_string_append(out, s);
			g_string_append_c(out, '\n');
		} else if (ok) {
			log_error("exchange",
			          "cannot write record %lld as JSON",
			          (long long)d->id);
			ok = false;
		}
		free(s);
		free(id);
		json_decref(j);
	}
	g_array_free(evs, TRUE);
	return ok;
}

static void get_export(void *appv, struct http_req *req, struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	const char *ag = http_query(req, "agency_id"),
	           *rv = http_query(req, "reveal");
	struct access_obj obj = {0};
	bool clear = rv && strcmp(rv, "1") == 0;
	GArray *recs;
	GString *out;
	char since[32];
	int64_t after = 0;

	obj.agency_id = ag ? atoll(ag) : 0;
	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if (since_param(http_query(req, "since"), since, sizeof(since)) ||
	    (ag && obj.agency_id <= 0) || (!ag && !actor_is_admin(a))) {
		http_resp_err(resp, ERR_INVALID,
		              "since: a date or RFC 3339 time; agency_id: "
		              "required unless you are a platform admin");
		return;
	}
	if (access_deny(resp, access_check(a, ACT_DECEASED_EXCHANGE, &obj)) ||
	    (clear && access_deny(resp, access_check(a, ACT_PII_VIEW, &obj))))
		return;
	recs = g_array_new(FALSE, FALSE, sizeof(struct deceased));
	out = g_string_new(NULL);
	do {
		g_array_set_size(recs, 0);
		if (!store_ok(store_deceased_since(app->store, since,
		                                   obj.agency_id, after,
		                                   EXPORT_PAGE, recs),
		              "listing records for an export") ||
		    !export_page(app, recs, clear, out)) {
			http_resp_err(resp, ERR_DB,
			              "cannot export the records");
			goto out;
		}
		if (recs->len)
			after =
			    g_array_index(recs, struct deceased, recs->len - 1)
			        .id;
	} while (recs->len == EXPORT_PAGE);
	if (clear)
		access_audit(app, a, "pii.view", "deceased_export",
		             obj.agency_id, "id_number");
	http_resp_data(resp, 200, NDJSON_CTYPE "; charset=utf-8", out->str,
	               out->len);
	http_resp_header(resp, "Content-Disposition",
	                 "attachment; filename=\"deceased.ndjson\"");
	http_resp_header(resp, "Cache-Control", "no-store");
out:
	g_array_free(recs, TRUE);
	g_string_free(out, TRUE);
}

static bool ndjson_ctype(const char *ct)
{
	static const char *const ok[] = {NDJSON_CTYPE, "application/ndjson",
	                                 "application/jsonl", "text/plain",
	                                 NULL};

	for (int i = 0; ok[i]; i++)
		if (http_ctype_is(ct, ok[i]))
			return true;
	return false;
}

static void line_error(json_t **lines, int *n_bad, int line, const char *msg)
{
	if ((*n_bad)++ < REPORT_LINES_MAX)
		jsonx_push(lines,
		           json_pack("{s:i,s:s}", "line", line, "error", msg));
}

/* Parse every line of body into recs (with its line number in lineno). */
static void parse_all(struct app *app, const char *body, size_t len,
                      GArray *recs, GArray *lineno, json_t **lines, int *n_bad)
{
	const char *p = body, *end = body + len;
	struct err_detail err = {0};
	char today[11];
	int line = 0;

	deceased_today(today);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct ndjson_record rec;
		struct org o;

		line++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0 || strspn(p, " \t") >= n) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (recs->len + (guint)*n_bad >= IMPORT_LINES_MAX) {
			line_error(lines, n_bad, line, "too many lines");
			break;
		}
		if (ndjson_parse_line(p, n, today, &rec, &err)) {
			line_error(lines, n_bad, line, err.msg);
			ndjson_record_clear(&rec);
		} else if (store_org_get(app->store, ORG_AGENCY,
		                         rec.d.agency_id, &o)) {
			line_error(lines, n_bad, line,
			           "agency_id: no such agency");
			ndjson_record_clear(&rec);
		} else {
			g_array_append_val(recs, rec);
			g_array_append_val(lineno, line);
		}
		p = nl ? nl + 1 : end;
	}
}

static void records_free(GArray *recs)
{
	for (guint i = 0; i < recs->len; i++)
		ndjson_record_clear(
		    &g_array_index(recs, struct ndjson_record, i));
	g_array_free(recs, TRUE);
}

/* Every agency named in the file must be the caller's to exchange. */
static int import_rights(const struct actor *a, GArray *recs)
{
	for (guint i = 0; i < recs->len; i++) {
		struct access_obj obj = {0};
		int rc;

		obj.agency_id =
		    g_array_index(recs, struct ndjson_record, i).d.agency_id;
		if ((rc = access_check(a, ACT_DECEASED_EXCHANGE, &obj)))
			return rc;
	}
	return 0;
}

/* Write every record and its events in one transaction. On a conflict the
 * failing line goes into lines and nothing is kept. */
static int import_write(struct app *app, const struct actor *a, GArray *recs,
                        GArray *lineno, json_t **lines, int *n_bad)
{
	struct err_detail err = {0};
	int rc;

	if ((rc = store_begin(app->store)))
		return rc;
	for (guint i = 0; i < recs->len; i++) {
		struct ndjson_record *r =
		    &g_array_index(recs, struct ndjson_record, i);

		r->d.created_by = a->user_id;
		if ((rc = deceased_create(app->store, app->crypto, &r->d,
		                          r->id_number, &err))) {
			line_error(lines, n_bad, g_array_index(lineno, int, i),
			           err.msg);
			goto out_rollback;
		}
		for (guint k = 0; k < r->events->len; k++) {
			struct deceased_event *e =
			    &g_array_index(r->events, struct deceased_event, k);
			int64_t id;

			e->deceased_id = r->d.id;
			if ((rc = store_deceased_event_insert(app->store, e,
			                                      a->user_id, &id)))
				goto out_rollback;
		}
	}
	if ((rc = store_commit(app->store)))
		goto out_rollback;
	return 0;
out_rollback:
	store_rollback(app->store);
	return rc;
}

static void post_import(void *appv, struct http_req *req,
                        struct http_resp *resp)
{
	struct app *app = appv;
	const struct actor *a = auth_actor(req);
	GArray *recs, *lineno;
	json_t *lines, *j;
	int n_bad = 0, rc;

	if (access_deny(resp, a->user_id ? 0 : ERR_UNAUTHORIZED))
		return;
	if (!ndjson_ctype(http_header(req, "content-type"))) {
		http_resp_err(resp, ERR_UNSUPPORTED,
		              "Content-Type: send " NDJSON_CTYPE);
		return;
	}
	recs = g_array_new(FALSE, FALSE, sizeof(struct ndjson_record));
	lineno = g_array_new(FALSE, FALSE, sizeof(int));
	lines = json_array();
	parse_all(app, req->body ? req->body : "", req->body_len, recs, lineno,
	          &lines, &n_bad);
	if (!n_bad && recs->len == 0) {
		http_resp_err(resp, ERR_INVALID, "no records in the body");
		goto out;
	}
	if (!n_bad && access_deny(resp, import_rights(a, recs)))
		goto out;
	rc = n_bad ? ERR_INVALID
	           : import_write(app, a, recs, lineno, &lines, &n_bad);
	if (rc) {
		j = jsonx_error(err_name(rc),
		                n_bad ? "some lines are not valid; nothing was "
		                        "imported"
		                      : "cannot import; nothing was imported");
		json_object_set(j, "lines", lines);
		http_resp_json(resp, err_http_status(rc), j);
		goto out;
	}
	http_resp_json(resp, 200,
	               json_pack("{s:i}", "imported", (int)recs->len));
out:
	json_decref(lines);
	g_array_free(lineno, TRUE);
	records_free(recs);
}

int api_exchange_routes(struct router *r)
{
	int rc = 0;

	rc |= router_add(r, "GET", "/api/export/deceased", get_export, 0);
	rc |= router_add(r, "POST", "/api/import/deceased", post_import,
	                 ROUTE_UPLOAD | ROUTE_RAW);
	return rc ? -1 : 0;
}
