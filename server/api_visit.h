/* api_visit.h — what api_visit.c (slots, bookings, check-in) and
 * api_sweeping.c (proxy sweeping orders, proofs, ratings) share: the
 * reading of dates, date ranges and ids from the query string, and of
 * which list a GET of bookings or orders asks for.
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

/* Which list a GET of bookings or orders asks for: a cemetery's, for its
 * staff, over a range of days, or the caller's own (mine=1). */
struct api_visit_scope {
	int64_t cemetery_id;   /* 0: the caller's own */
	int64_t user_id;       /* the caller */
	char from[11], to[11]; /* a cemetery's list: its days */
	int state;             /* -1: any */
};

/* Read the scope of a list request, in this order: the cemetery_id
 * (400), a signed-in caller (401), the state parse() knows, "" for any
 * (400 with state_hint), mine=1 or a cemetery_id (400), and for a
 * cemetery the right (an access action, checked on the cemetery) and the
 * range of days (today..today+days by default). false with the answer
 * filled. */
bool api_visit_list_scope(struct http_req *req, struct http_resp *resp,
                          int (*parse)(const char *), const char *state_hint,
                          int right, int days, struct api_visit_scope *out);

#endif
