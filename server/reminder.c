/* reminder.c — the day-before reminders of mourning dates and visits.
 *
 * Owns the daily timer, the choice of whom to remind (followers who may
 * still view the memorial; visitors with a booking still to be used), the
 * wording of the e-mails and text messages in the follower's language,
 * and the record that makes each reminder go out once. The calendar is
 * mourning.c's, the inbox inbox.c's, the sending notify.c's. Main loop
 * only; called by api.c (start, stop), api_calendar.c (an admin's run)
 * and the tests through the API.
 */
#include "reminder.h"
#include "access.h"
#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "deceased.h"
#include "err.h"
#include "inbox.h"
#include "log.h"
#include "memorial.h"
#include "mourning.h"
#include "notify.h"
#include "store.h"
#include "store_deceased.h"
#include "store_memorial.h"
#include "store_mourning.h"
#include "store_user.h"
#include "store_booking.h"
#include "visit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TICK_S   60
#define SLICE_US 20000 /* of the main loop at a time */

/* A run going on: the followed memorials and bookings, where it is. */
struct reminder_job {
	char day[11];   /* the day reminded of */
	char today[11]; /* the daily run's own day; "" for an admin's run */
	bool daily;
	GArray *followed; /* struct store_followed */
	GArray *bookings; /* int64_t */
	guint i, k;       /* next memorial, next booking */
	struct reminder_counts c;
	GPtrArray *outbox; /* struct notify_msg *, sent once committed */
	guint source;
};

struct reminder {
	guint timer;
	char last_day[11]; /* the Beijing day whose daily run completed */
	struct reminder_job *job; /* NULL when none runs */
	struct reminder_status last;
};

/* What one memorial has tomorrow. */
struct occasion {
	const struct memorial *m;
	char name[DECEASED_NAME_MAX * 4 + 1];
	const char *day;
	GArray *dates; /* struct mourning_date */
};

/* "七七、清明节" or "Qingming Festival (清明) and ..." */
static void titles_of(const struct occasion *o, const char *lang, char *out,
                      size_t outlen)
{
	bool en = strcmp(lang, "en") == 0;
	size_t n = 0;

	out[0] = '\0';
	for (guint i = 0; i < o->dates->len && n < outlen; i++) {
		char t[160];

		mourning_title(
		    &g_array_index(o->dates, struct mourning_date, i), lang, t,
		    sizeof(t));
		n += (size_t)snprintf(
		    out + n, outlen - n, "%s%s",
		    i == 0 ? ""
		    : en   ? (i + 1 == o->dates->len ? " and " : ", ")
		           : "、",
		    t);
	}
}

static void day_words(const char *day, const char *lang, char *out,
                      size_t outlen)
{
	static const char *const months[] = {"January", "February", "March",
	                                     "April",   "May",      "June",
	                                     "July",    "August",   "September",
	                                     "October", "November", "December"};
	int y, m, d;

	if (sscanf(day, "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12) {
		snprintf(out, outlen, "%s", day);
		return;
	}
	if (strcmp(lang, "en") == 0)
		snprintf(out, outlen, "%d %s", d, months[m - 1]);
	else
		snprintf(out, outlen, "%d月%d日", m, d);
}

/* The e-mail or text message of an occasion in lang. */
static void compose(struct app *app, const struct occasion *o, const char *lang,
                    struct notify_msg *msg)
{
	char titles[600], when[32], link[700] = "";
	bool en = strcmp(lang, "en") == 0;

	titles_of(o, lang, titles, sizeof(titles));
	day_words(o->day, lang, when, sizeof(when));
	if (app->cfg.site_url[0])
		snprintf(link, sizeof(link), "%s/m/%s", app->cfg.site_url,
		         o->m->slug);
	if (en) {
		snprintf(msg->subject, sizeof(msg->subject),
		         "Tomorrow: %s — %s", titles, o->name);
		snprintf(msg->text, sizeof(msg->text),
		         "Tomorrow, %s, is the %s for %s.\n%s%s%s"
		         "To stop these reminders, unfollow the memorial.\n",
		         when, titles, o->name, link[0] ? "The memorial: " : "",
		         link, link[0] ? "\n" : "");
	} else {
		snprintf(msg->subject, sizeof(msg->subject), "明天是%s的%s",
		         o->name, titles);
		snprintf(msg->text, sizeof(msg->text),
		         "明天（%s）是%s的%s。\n%s%s%s"
		         "不想再收到提醒，可在纪念馆页面取消关注。\n",
		         when, o->name, titles, link[0] ? "纪念馆：" : "", link,
		         link[0] ? "\n" : "");
	}
	snprintf(msg->purpose, sizeof(msg->purpose), "reminder");
}

/* Address m to the person's login (e-mail or text message); false when
 * the account is gone or disabled, or that channel is off. */
static bool address_to_login(struct app *app, int64_t uid, struct notify_msg *m)
{
	struct store_user u;
	char *login;

	if (store_user_get(app->store, uid, &u) || u.disabled)
		return false;
	m->channel =
	    strcmp(u.login_kind, "email") == 0 ? NOTIFY_EMAIL : NOTIFY_SMS;
	if (!notify_can(app->notify, m->channel) ||
	    !(login = crypto_open_sealed(app->crypto, u.login_enc)))
		return false;
	snprintf(m->to, sizeof(m->to), "%s", login);
	free(login);
	return true;
}

/* The inbox item's data: both languages, the page picks its own. */
static json_t *occasion_json(const struct occasion *o)
{
	static const char *const langs[] = {"zh-CN", "en"};
	json_t *dates = json_array();

	for (guint i = 0; i < o->dates->len; i++) {
		const struct mourning_date *d =
		    &g_array_index(o->dates, struct mourning_date, i);
		json_t *titles = json_object(), *lunar = json_object();
		char t[160];

		for (int l = 0; l < 2; l++) {
			mourning_title(d, langs[l], t, sizeof(t));
			json_object_set_new(titles, langs[l], json_string(t));
			mourning_lunar_label(d, langs[l], t, sizeof(t));
			json_object_set_new(lunar, langs[l], json_string(t));
		}
		json_array_append_new(
		    dates, json_pack("{s:s,s:i,s:o,s:o}", "kind",
		                     mourning_kind_name(d->kind), "n", d->n,
		                     "titles", titles, "lunar", lunar));
	}
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "memorial_id",
	                 (json_int_t)o->m->id, "title", o->m->title, "slug",
	                 o->m->slug, "name", o->name, "date", o->day, "dates",
	                 dates);
}

/* True while the notifier's queue, with what this slice will send, is at
 * most half full. */
static bool room_to_send(struct app *app, struct reminder_job *j)
{
	if ((notify_waiting(app->notify) + (long)j->outbox->len) * 2 <
	    app->cfg.notify_queue_max)
		return true;
	j->c.incomplete = true;
	return false;
}

/* Remind one follower, if they may still view the memorial and were not
 * reminded of this day before. */
static void remind_follower(struct app *app, const struct occasion *o,
                            const struct access_obj *obj,
                            const struct store_follower *f, json_t *data,
                            struct reminder_job *j)
{
	struct actor *a = g_new0(struct actor, 1);
	struct notify_msg *msg = g_new0(struct notify_msg, 1);
	char subject[48], key[64], link[96];
	bool fresh = false;

	snprintf(subject, sizeof(subject), "memorial:%lld",
	         (long long)o->m->id);
	if (auth_load_actor(app, f->user_id, a) ||
	    access_check(a, ACT_MEMORIAL_VIEW, obj) ||
	    store_mourning_reminder_mark(app->store, f->user_id, subject,
	                                 o->day, "mourning", &fresh) ||
	    !fresh)
		goto out;
	if (!room_to_send(app, j)) { /* a later run reminds them */
		if (!store_ok(store_mourning_reminder_unmark(
		                  app->store, f->user_id, subject, o->day,
		                  "mourning"),
		              "keeping a reminder for a later run"))
			log_warn("reminder", "user %lld misses one reminder",
			         (long long)f->user_id);
		goto out;
	}
	snprintf(key, sizeof(key), "%s:%s", subject, o->day);
	snprintf(link, sizeof(link), "/m/%s", o->m->slug);
	inbox_put(app->store, app->bus, f->user_id, INBOX_MOURNING_TOMORROW,
	          key, data, link);
	j->c.mourning++;
	compose(app, o, f->lang, msg);
	if (address_to_login(app, f->user_id, msg)) {
		g_ptr_array_add(j->outbox, msg);
		msg = NULL;
	}
out:
	g_free(msg);
	g_free(a);
}

/* Remind the followers of a memorial that has a date on day. Most
 * followed memorials have none: only the dates are computed for them
 * (from the one query of store_mourning_followed_memorials), nothing is read.
 */
static void remind_memorial(struct app *app, const struct store_followed *fm,
                            struct reminder_job *j)
{
	const char *day = j->day;
	struct mourning_person p = {.lunar = fm->lunar};
	GArray *dates = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));
	struct memorial *m = NULL;
	struct deceased *d = NULL;
	GArray *fol = NULL;
	struct occasion o = {.day = day, .dates = dates};
	struct access_obj obj;
	json_t *data = NULL;

	snprintf(p.death_date, sizeof(p.death_date), "%s", fm->death_date);
	snprintf(p.birth_date, sizeof(p.birth_date), "%s", fm->birth_date);
	if (mourning_dates(app->mourning, &p, day, day, dates) ||
	    dates->len == 0)
		goto out;
	m = g_new(struct memorial, 1);
	d = g_new(struct deceased, 1);
	fol = g_array_new(FALSE, FALSE, sizeof(struct store_follower));
	o.m = m;
	if (store_memorial_get(app->store, fm->memorial_id, m) ||
	    memorial_access_obj(app->store, m, &obj) ||
	    store_deceased_get(app->store, m->deceased_id, d) ||
	    store_mourning_followers(app->store, m->id, fol))
		goto out;
	snprintf(o.name, sizeof(o.name), "%s", d->name);
	data = occasion_json(&o);
	for (guint i = 0; data && i < fol->len && !j->c.incomplete; i++)
		remind_follower(app, &o, &obj,
		                &g_array_index(fol, struct store_follower, i),
		                data, j);
out:
	json_decref(data);
	g_array_free(dates, TRUE);
	if (fol)
		g_array_free(fol, TRUE);
	g_free(d);
	g_free(m);
}

static void remind_visit(struct app *app, int64_t booking_id,
                         struct reminder_job *j)
{
	const char *day = j->day;
	struct visit_booking *b = g_new(struct visit_booking, 1);
	char subject[48], key[48], link[64];
	bool fresh = false;
	json_t *data;

	snprintf(subject, sizeof(subject), "booking:%lld",
	         (long long)booking_id);
	if (store_booking_get(app->store, booking_id, b) ||
	    b->state != VISIT_BOOKED ||
	    store_mourning_reminder_mark(app->store, b->user_id, subject, day,
	                                 "visit", &fresh) ||
	    !fresh) {
		g_free(b);
		return;
	}
	snprintf(key, sizeof(key), "%s", subject);
	snprintf(link, sizeof(link), "/visit.html?booking=%lld",
	         (long long)b->id);
	data = json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s}", "booking_id",
	                 (json_int_t)b->id, "date", b->date, "start", b->start,
	                 "end", b->end, "cemetery", b->cemetery_name, "persons",
	                 b->persons, "code", b->code);
	if (data && inbox_put(app->store, app->bus, b->user_id,
	                      INBOX_VISIT_TOMORROW, key, data, link) == 0)
		j->c.visits++;
	json_decref(data);
	g_free(b);
}

/* ---------- the run, in slices on the main loop ---------- */

static void job_free(struct reminder_job *j)
{
	if (!j)
		return;
	if (j->source)
		g_source_remove(j->source);
	g_array_free(j->followed, TRUE);
	g_array_free(j->bookings, TRUE);
	g_ptr_array_free(j->outbox, TRUE);
	g_free(j);
}

static void job_end(struct app *app, struct reminder_job *j)
{
	struct reminder *r = app->reminder;

	log_info("reminder",
	         "%s: %d mourning reminders (%d sent out), %d "
	         "visits%s",
	         j->day, j->c.mourning, j->c.sent, j->c.visits,
	         j->c.incomplete ? "; more when the queue has room" : "");
	snprintf(r->last.day, sizeof(r->last.day), "%s", j->day);
	r->last.counts = j->c;
	r->last.running = false;
	/* the daily run is done for the day once it went to the end */
	if (j->daily && !j->c.incomplete)
		snprintf(r->last_day, sizeof(r->last_day), "%s", j->today);
	j->source = 0; /* removed by returning G_SOURCE_REMOVE */
	job_free(j);
	r->job = NULL;
}

/* Send what a committed slice prepared. */
static void send_outbox(struct app *app, struct reminder_job *j)
{
	for (guint i = 0; i < j->outbox->len; i++)
		j->c.sent += notify_send(app->notify,
		                         g_ptr_array_index(j->outbox, i)) == 0;
	g_ptr_array_set_size(j->outbox, 0);
}

/* Remind for SLICE_US at most in one transaction (one fsync), send the
 * messages once it is committed, then let the loop serve requests. */
static gboolean job_step(gpointer ud)
{
	struct app *app = ud;
	struct reminder_job *j = app->reminder->job;
	gint64 until = g_get_monotonic_time() + SLICE_US;

	if (store_begin(app->store)) {
		j->c.incomplete = true; /* a later run goes on */
		job_end(app, j);
		return G_SOURCE_REMOVE;
	}
	while (j->i < j->followed->len && !j->c.incomplete &&
	       g_get_monotonic_time() < until)
		remind_memorial(
		    app,
		    &g_array_index(j->followed, struct store_followed, j->i++),
		    j);
	while (j->i == j->followed->len && j->k < j->bookings->len &&
	       g_get_monotonic_time() < until)
		remind_visit(app, g_array_index(j->bookings, int64_t, j->k++),
		             j);
	if (store_commit(app->store)) {
		/* nothing of this slice was kept: no message goes out (its
		 * live inbox events did) and a later run reminds them */
		store_rollback(app->store);
		log_error("reminder", "%s: cannot keep the reminders", j->day);
		g_ptr_array_set_size(j->outbox, 0);
		j->c.incomplete = true;
	}
	send_outbox(app, j);
	if (j->c.incomplete ||
	    (j->i == j->followed->len && j->k == j->bookings->len)) {
		job_end(app, j);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static int job_start(struct app *app, const char *day, const char *today)
{
	struct reminder *r = app->reminder;
	struct reminder_job *j;
	int rc;

	if (!visit_date_valid(day))
		return ERR_INVALID;
	if (r->job)
		return ERR_CONFLICT;
	j = g_new0(struct reminder_job, 1);
	snprintf(j->day, sizeof(j->day), "%s", day);
	snprintf(j->today, sizeof(j->today), "%s", today ? today : "");
	j->daily = today != NULL;
	j->followed = g_array_new(FALSE, FALSE, sizeof(struct store_followed));
	j->bookings = g_array_new(FALSE, FALSE, sizeof(int64_t));
	j->outbox = g_ptr_array_new_with_free_func(g_free);
	if ((rc = store_mourning_followed_memorials(app->store, j->followed)) ||
	    (rc = store_mourning_reminder_bookings(app->store, day,
	                                           j->bookings))) {
		log_error("reminder", "cannot list what to remind of (%d)", rc);
		job_free(j);
		return rc;
	}
	r->job = j;
	r->last = (struct reminder_status){.running = true};
	snprintf(r->last.day, sizeof(r->last.day), "%s", day);
	/* below the HTTP and WebSocket sources: requests go first */
	j->source = g_idle_add_full(G_PRIORITY_LOW, job_step, app, NULL);
	return 0;
}

int reminder_run(struct app *app, const char *day)
{
	return job_start(app, day, NULL);
}

const struct reminder_status *reminder_last(struct app *app)
{
	return app->reminder && app->reminder->last.day[0]
	           ? &app->reminder->last
	           : NULL;
}

static gboolean tick(gpointer ud)
{
	struct app *app = ud;
	struct reminder *r = app->reminder;
	time_t now = time(NULL) + 8 * 3600; /* Beijing time */
	char today[11], tomorrow[11];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if (tm.tm_hour < app->cfg.reminder_hour ||
	    strcmp(r->last_day, today) == 0 || r->job ||
	    visit_date_add(today, 1, tomorrow))
		return G_SOURCE_CONTINUE;
	job_start(app, tomorrow, today);
	return G_SOURCE_CONTINUE;
}

int reminder_start(struct app *app)
{
	app->reminder = g_new0(struct reminder, 1);
	app->reminder->timer = g_timeout_add_seconds(TICK_S, tick, app);
	return 0;
}

void reminder_stop(struct app *app)
{
	if (!app->reminder)
		return;
	if (app->reminder->timer)
		g_source_remove(app->reminder->timer);
	job_free(app->reminder->job);
	g_free(app->reminder);
	app->reminder = NULL;
}
