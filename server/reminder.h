/* reminder.h — the day-before reminders: followers of a memorial are told
 * of tomorrow's mourning dates (头七, 清明, the anniversary...) in their
 * inbox and by e-mail or text message to their login; visitors are told
 * of tomorrow's visit in their inbox.
 *
 * Once a day, at reminder_hour Beijing time, a timer on the main loop
 * starts the run for the next day. A run goes on in slices of 20 ms at low
 * priority, so requests are served meanwhile (on Qingming every followed
 * memorial has a date). Each (person, subject, day) is recorded before it
 * is sent, so a restart, a second node or a second run sends nothing
 * twice. Rights are re-checked for every person: a follower who may no
 * longer view a memorial is not reminded of it.
 */
#ifndef SINIAN_REMINDER_H
#define SINIAN_REMINDER_H

#include <stdbool.h>

struct app;

struct reminder_counts {
	int mourning;    /* followers reminded of a memorial's date */
	int sent;        /* of which an e-mail or text message was queued */
	int visits;      /* visitors reminded of a booking */
	bool incomplete; /* stopped to leave the notifier's queue room */
};

/* Start the daily timer (app->reminder). 0 or ERR_NOMEM. */
int reminder_start(struct app *app);
/* Stop it; nothing is sent after. Safe when never started. */
void reminder_stop(struct app *app);

/* Start a run for day ("YYYY-MM-DD", the day reminded of). Reminders
 * never fill more than half of the notifier's queue (sign-in codes need
 * room): past that the run stops with counts.incomplete, and a later run
 * goes on where it stopped (the daily timer tries every minute until a run
 * completes). 0; ERR_INVALID (a malformed day); ERR_CONFLICT (a run is
 * going on); the store's error. */
int reminder_run(struct app *app, const char *day);

/* The run going on or the last one. */
struct reminder_status {
	char day[11];
	bool running;
	struct reminder_counts counts;
};

/* NULL before the first run; borrowed until the next call. */
const struct reminder_status *reminder_last(struct app *app);

#endif
