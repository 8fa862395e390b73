/* lv_report.h — measuring a step of the load client and printing the
 * figures: a table on stdout, optionally CSV (--csv) and a JSON summary
 * (--json) for scripts and tests.
 */
#ifndef LV_REPORT_H
#define LV_REPORT_H

#include "lviewers.h"

/* Measure one window of hold s; viewers from `first` on are the step's
 * new ones (their join times). false if interrupted. */
bool lv_report_measure(struct lv_run *r, struct lv_step *s, int first,
                       double hold);
/* The heading: machine, date, target, load; the table's header. */
void lv_report_start(struct lv_run *r);
/* One row (and a CSV line). */
void lv_report_step(struct lv_run *r, const struct lv_step *s);
/* Why it stopped, the highest sustained count, per-viewer slopes, the
 * JSON summary. */
void lv_report_end(struct lv_run *r);

#endif
