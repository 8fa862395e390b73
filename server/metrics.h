/* metrics.h — counters and histograms rendered as Prometheus text.
 *
 * Owned by the HTTP layer's caller (struct app). Main loop only.
 */
#ifndef SINIAN_METRICS_H
#define SINIAN_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* Count one finished request: route is the matched pattern (or "static",
 * "none"), seconds its latency. */
void metrics_request(struct metrics *m, const char *method, const char *route,
                     int status, double seconds);

/* Set or add to a named gauge ("sinian_ws_connections"); help is a
 * literal shown once in the output. A name may carry labels
 * ("sinian_http_connections{thread=\"0\"}"): values of one name share
 * its HELP and TYPE lines. */
void metrics_gauge_set(struct metrics *m, const char *name, const char *help,
                       double value);
void metrics_gauge_add(struct metrics *m, const char *name, const char *help,
                       double delta);

/* Add to a named counter (name should end in _total). */
void metrics_counter_add(struct metrics *m, const char *name, const char *help,
                         double delta);

/* Set a named counter to an absolute total kept elsewhere (store queries). */
void metrics_counter_set(struct metrics *m, const char *name, const char *help,
                         double value);

/* Render everything as Prometheus text exposition format 0.0.4.
 * Caller frees the returned string with g_free(). */
char *metrics_render(const struct metrics *m);

#endif
