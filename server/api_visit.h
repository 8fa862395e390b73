/* api_visit.h — what api_visit.c (slots, bookings, check-in) and
 * api_sweeping.c (proxy sweeping orders, proofs, ratings) share: the
 * reading of dates, date ranges and ids from the query string.
 */
#ifndef SINIAN_API_VISIT_H
#define SINIAN_API_VISIT_H

#include <stdbool.h>
#include <stdint.h>

struct http_req;
struct http_resp;

/* Read a date query parameter (YYYY-MM-DD) into out (11 bytes); absent:
 * dflt. Fills a 400 and returns false when malformed. */
bool api_visit_date_query(struct http_req *req, struct http_resp *resp,
                          const char *name, const char *dflt, char *out);
/* Read the from/to (or date) query range, defaults today..today+days,
 * at most 400 days; fills a 400 and returns false. */
bool api_visit_range(struct http_req *req, struct http_resp *resp, int days,
                     char *from, char *to);
/* Read a positive id query parameter; 0 when absent; -1 (400 filled) when
 * malformed. */
int64_t api_visit_query_id(struct http_req *req, struct http_resp *resp,
                           const char *name);

#endif
