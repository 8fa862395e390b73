/* api_visit.h — what api_visit.c (slots, bookings, check-in) and
 * api_sweeping.c (proxy sweeping orders, proofs, ratings) share, and the
 * WebSocket rule for their live topics.
 */
#ifndef SINIAN_API_VISIT_H
#define SINIAN_API_VISIT_H

#include <stdbool.h>
#include <stdint.h>

struct app;
struct http_req;
struct http_resp;
struct http_ws;

/* Who may follow "order:{id}" (the family that placed it, staff of its
 * cemetery, admins) and "user:{id}" (that user, admins). 0, ERR_NOT_FOUND,
 * ERR_UNAUTHORIZED, ERR_FORBIDDEN, ERR_INVALID (another kind). Matches
 * app_topic_check, for wshub_register(). */
int booking_topic_check(void *app, struct http_ws *ws, const char *topic);

/* Register the "order" and "user" topic rules with the WebSocket hub
 * (kinds another module registered first are left to it). */
int api_visit_start(struct app *app);

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
