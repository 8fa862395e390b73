/* reminder.h — the day-before reminders: followers of a memorial are told
 * of tomorrow's mourning dates (头七, 清明, the anniversary...) in their
 * inbox and by e-mail or text message to their login; visitors are told
 * of tomorrow's visit in their inbox.
 *
 * Once a day, at reminder_hour Beijing time, a timer on the main loop
 * sends the reminders for the next day. Each (person, subject, day) is
 * recorded before it is sent, so a restart, a second node or a second run
 * sends nothing twice. Rights are re-checked for every person: a follower
 * who may no longer view a memorial is not reminded of it.
 */
#ifndef SINIAN_REMINDER_H
#define SINIAN_REMINDER_H

struct app;

struct reminder_counts {
	int mourning; /* followers reminded of a memorial's date */
	int sent;     /* of which an e-mail or text message was queued */
	int visits;   /* visitors reminded of a booking */
};

/* Start the daily timer (app->reminder). 0 or ERR_NOMEM. */
int reminder_start(struct app *app);
/* Stop it; nothing is sent after. Safe when never started. */
void reminder_stop(struct app *app);

/* Send the reminders for day ("YYYY-MM-DD", the day reminded of) now.
 * 0 or ERR_INVALID (a malformed day); counts may be NULL. */
int reminder_run(struct app *app, const char *day,
                 struct reminder_counts *counts);

#endif
