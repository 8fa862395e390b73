/* ndjson.c — validating and writing lines of the deceased-record exchange.
 *
 * Owns the exchange field names, codes (GB/T 2261.1 for gender) and the
 * line-level checks, including the event order rules applied to the
 * line's own events. Stateless and free of SQL and HTTP: the import and
 * export handlers (api_exchange.c) do the reading, writing and the single
 * transaction.
 */
#include "ndjson.h"
#include "err.h"
#include "jsonx.h"

#include <stdio.h>
#include <string.h>

static int str_field(json_t *j, const char *key, bool required, size_t max,
                     char *dst, size_t dstlen, struct err_detail *e)
{
	return jsonx_str_copy(j, key, required, required ? 1 : 0, max, "", dst,
	                      dstlen, e);
}

static int parse_event(json_t *ev, int i, struct deceased_event *out,
                       struct err_detail *e)
{
	static const char *const keys[] = {"kind", "at",    "place",
	                                   "note", "until", NULL};
	struct err_detail inner = {0};
	char kind[32];
	int k, rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(ev))
		return err_fail(e, ERR_INVALID, NULL,
		                "events[%d]: must be an object", i);
	if ((rc = jsonx_only(ev, keys, &inner)) ||
	    (rc =
	         str_field(ev, "kind", true, 20, kind, sizeof(kind), &inner)) ||
	    (rc = str_field(ev, "at", true, 35, out->at, sizeof(out->at),
	                    &inner)) ||
	    (rc = jsonx_text_copy(ev, TEXT_EVENT_PLACE, false, out->place,
	                          sizeof(out->place), &inner)) ||
	    (rc = jsonx_text_copy(ev, TEXT_EVENT_NOTE, false, out->note,
	                          sizeof(out->note), &inner)) ||
	    (rc = str_field(ev, "until", false, 10, out->until,
	                    sizeof(out->until), &inner)))
		return err_fail(e, rc, NULL, "events[%d].%s", i, inner.msg);
	if ((k = deceased_event_kind_parse(kind)) < 0)
		return err_fail(e, ERR_INVALID, NULL,
		                "events[%d].kind: unknown event kind", i);
	out->kind = (enum event_kind)k;
	return 0;
}

/* Events in order, each checked against those before it. */
static int parse_events(json_t *arr, const char *death_date, GArray *out,
                        struct err_detail *e)
{
	struct err_detail why = {0};
	size_t i;
	json_t *ev;

	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > NDJSON_EVENTS_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "events: must be an array of at most %d",
		                NDJSON_EVENTS_MAX);
	}
	json_array_foreach(arr, i, ev)
	{
		struct deceased_event one;
		int rc;

		if ((rc = parse_event(ev, (int)i, &one, e)))
			return rc;
		if (deceased_event_check((struct deceased_event *)out->data,
		                         out->len, &one, death_date, &why))
			return err_fail(e, ERR_INVALID, NULL, "events[%d]: %s",
			                (int)i, why.msg);
		deceased_time_norm(one.at, one.at, sizeof(one.at), NULL);
		g_array_append_val(out, one);
	}
	return 0;
}

static int person_fields(json_t *j, struct ndjson_record *rec,
                         struct err_detail *e)
{
	struct deceased *d = &rec->d;
	const char *ext;
	char gender[4];
	int64_t agency;
	int g, rc;

	if ((rc = jsonx_int(j, "agency_id", true, 1, INT64_MAX, 0, &agency,
	                    e)) ||
	    (rc = jsonx_text(j, TEXT_DECEASED_EXT_ID, false, "", &ext, e)) ||
	    (rc = jsonx_text_copy(j, TEXT_DECEASED_NAME, true, d->name,
	                          sizeof(d->name), e)) ||
	    (rc =
	         str_field(j, "gender", false, 1, gender, sizeof(gender), e)) ||
	    (rc = str_field(j, "birth_date", false, 10, d->birth_date,
	                    sizeof(d->birth_date), e)) ||
	    (rc = str_field(j, "death_date", true, 10, d->death_date,
	                    sizeof(d->death_date), e)) ||
	    (rc =
	         jsonx_text_copy(j, TEXT_DECEASED_PLACE, false, d->native_place,
	                         sizeof(d->native_place), e)) ||
	    (rc = str_field(j, "id_number", false, 18, rec->id_number,
	                    sizeof(rec->id_number), e)))
		return rc;
	d->agency_id = agency;
	snprintf(d->ext_id, sizeof(d->ext_id), "%s", ext);
	g = gender[0] ? deceased_gender_from_code(gender) : GENDER_UNKNOWN;
	if (g < 0) {
		return err_fail(e, ERR_INVALID, NULL,
		                "gender: a GB/T 2261.1 code: 0, 1, 2 or 9");
	}
	d->gender = (enum deceased_gender)g;
	if (rec->id_number[0] && deceased_id_number_check(rec->id_number)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "id_number: not a valid resident ID number");
	}
	return 0;
}

int ndjson_parse_line(const char *line, size_t len, const char *today,
                      struct ndjson_record *rec, struct err_detail *e)
{
	static const char *const keys[] = {"type",
	                                   "id",
	                                   "ext_id",
	                                   "agency_id",
	                                   "name",
	                                   "gender",
	                                   "birth_date",
	                                   "death_date",
	                                   "native_place",
	                                   "id_number",
	                                   "id_number_masked",
	                                   "events",
	                                   "created_at",
	                                   "updated_at",
	                                   NULL};
	const char *type;
	json_t *j = NULL;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rec->events = g_array_new(FALSE, FALSE, sizeof(struct deceased_event));
	if (len > NDJSON_LINE_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "line longer than %d bytes", NDJSON_LINE_MAX);
	}
	if ((rc = jsonx_parse_object(line, len, &j, e)) ||
	    (rc = jsonx_only(j, keys, e)) ||
	    (rc = jsonx_str(j, "type", true, 1, 20, NULL, &type, e)))
		goto out;
	if (strcmp(type, "deceased") != 0) {
		rc = err_fail(e, ERR_INVALID, NULL,
		              "type: must be \"deceased\"");
		goto out;
	}
	if ((rc = person_fields(j, rec, e)) ||
	    (rc = deceased_validate(&rec->d, today, e)))
		goto out;
	rc = parse_events(json_object_get(j, "events"), rec->d.death_date,
	                  rec->events, e);
out:
	json_decref(j);
	return rc;
}

void ndjson_record_clear(struct ndjson_record *rec)
{
	if (rec->events)
		g_array_free(rec->events, TRUE);
	rec->events = NULL;
}

static void set_opt(json_t **j, const char *key, const char *v)
{
	if (v && *v)
		jsonx_put(j, key, json_string(v));
}

json_t *ndjson_record_json(const struct deceased *d, const GArray *events,
                           const char *id_number)
{
	json_t *j = json_pack(
	    "{s:s,s:I,s:s,s:s,s:s,s:s,s:s}", "type", "deceased", "id",
	    (json_int_t)d->id, "name", d->name, "gender",
	    deceased_gender_code(d->gender), "death_date", d->death_date,
	    "native_place", d->native_place, "updated_at", d->updated_at);
	json_t *arr = json_array();

	if (d->agency_id)
		jsonx_put(&j, "agency_id", json_integer(d->agency_id));
	set_opt(&j, "ext_id", d->ext_id);
	set_opt(&j, "birth_date", d->birth_date);
	if (id_number && *id_number)
		jsonx_put(&j, "id_number", json_string(id_number));
	else if (!id_number)
		set_opt(&j, "id_number_masked", d->id_masked);
	for (guint i = 0; events && i < events->len; i++) {
		const struct deceased_event *e =
		    &g_array_index(events, struct deceased_event, i);
		json_t *ev =
		    json_pack("{s:s,s:s,s:s,s:s}", "kind",
		              deceased_event_kind_name(e->kind), "at", e->at,
		              "place", e->place, "note", e->note);

		if (e->until[0])
			jsonx_put(&ev, "until", json_string(e->until));
		jsonx_push(&arr, ev);
	}
	jsonx_put(&j, "events", arr);
	return j;
}
