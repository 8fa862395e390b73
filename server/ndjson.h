/* ndjson.h — one line of the deceased-record exchange format (NDJSON):
 * a deceased record with its events, grouped as MZ/T 141-2019 groups
 * deceased records. Field names and codes: docs/data-exchange.md.
 */
#ifndef SINIAN_NDJSON_H
#define SINIAN_NDJSON_H

#include <glib.h>
#include <jansson.h>
#include <stddef.h>

#include "deceased.h"
#include "err.h"

#define NDJSON_EVENTS_MAX 32
#define NDJSON_LINE_MAX   65536 /* bytes per line */

struct ndjson_record {
	struct deceased d;  /* agency_id, ext_id and the person */
	char id_number[24]; /* "" when absent */
	GArray *events;     /* struct deceased_event, times normalised */
};

/* Parse and validate one line (no newline) into rec, whose events array
 * is created here: free it with ndjson_record_clear() whatever the result.
 * today ("YYYY-MM-DD") bounds the death date. 0, or ERR_INVALID with the
 * first problem in err ("events[2].kind: unknown event kind"). */
int ndjson_parse_line(const char *line, size_t len, const char *today,
                      struct ndjson_record *rec, struct err_detail *e);
void ndjson_record_clear(struct ndjson_record *rec);

/* The exchange line for a stored record and its events (a GArray of
 * struct deceased_event). id_number is the ID in clear (revealed; "" when
 * the record has none) or NULL for the masked form. Absent optional fields
 * are left out. New reference. */
json_t *ndjson_record_json(const struct deceased *d, const GArray *events,
                           const char *id_number);

#endif
