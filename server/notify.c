/* notify.c — the notifier: a queue of messages and the one worker thread
 * that sends them through the chosen transports.
 *
 * Owns the queue, the retries and the counts. The main loop only copies a
 * message into the queue (notify_send never blocks on the network); the
 * worker pops, sends through notify_curl.c or prints (the log transport),
 * and waits between retries on a condition that notify_free() signals.
 * Never logs a recipient or a message's text, except the log transport,
 * which exists to print them and is for development. Called by the account
 * code (sign-in codes), reminder.c and the unit tests.
 */
#include "notify.h"
#include "config.h"
#include "crypto.h"
#include "err.h"
#include "log.h"
#include "metrics.h"
#include "notify_curl.h"

#include <curl/curl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTEMPTS 3
static const int retry_wait_ms[ATTEMPTS - 1] = {2000, 10000};

enum transport { T_OFF = 0, T_LOG, T_SMTP, T_WEBHOOK };

struct notify {
	enum transport email, sms;
	struct notify_curl_smtp smtp;
	struct notify_curl_webhook webhook;
	long queue_max;
	GThread *worker;
	GMutex lock;
	GCond cond;   /* queue changed, stopping set, or worker went idle */
	GQueue queue; /* of struct notify_msg * */
	bool stopping;
	bool busy; /* the worker holds a message */
	struct notify_stats stats;
};

static enum transport transport_of(const char *name)
{
	if (strcmp(name, "log") == 0)
		return T_LOG;
	if (strcmp(name, "smtp") == 0)
		return T_SMTP;
	if (strcmp(name, "webhook") == 0)
		return T_WEBHOOK;
	return T_OFF;
}

void notify_mask(const struct notify_msg *m, char *out, size_t outlen)
{
	if (m->channel == NOTIFY_EMAIL)
		crypto_mask_email(m->to, out, outlen);
	else
		crypto_mask_phone(m->to, out, outlen);
}

static enum notify_curl_result
deliver(struct notify *n, const struct notify_msg *m, struct err_detail *e)
{
	enum transport t = m->channel == NOTIFY_EMAIL ? n->email : n->sms;
	char masked[NOTIFY_TO_MAX];

	switch (t) {
	case T_LOG:
		notify_mask(m, masked, sizeof(masked));
		log_info("notify",
		         "[log transport, development only] %s to %s "
		         "(%s): %s%s%s",
		         m->channel == NOTIFY_EMAIL ? "e-mail" : "text message",
		         masked, m->purpose, m->subject,
		         m->subject[0] ? " | " : "", m->text);
		return NOTIFY_CURL_OK;
	case T_SMTP: return notify_curl_smtp_send(&n->smtp, m, e);
	case T_WEBHOOK: return notify_curl_webhook_send(&n->webhook, m, e);
	default:
		err_fail(e, ERR_UNAVAILABLE, NULL, "channel off");
		return NOTIFY_CURL_FAIL;
	}
}

/* Wait ms unless stopping; with the lock held. True when stopping. */
static bool wait_or_stop(struct notify *n, int ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;

	while (!n->stopping && g_cond_wait_until(&n->cond, &n->lock, until))
		;
	return n->stopping;
}

/* Send one message with its retries; the lock is held on entry and exit
 * but not while sending. */
static void send_one(struct notify *n, struct notify_msg *m)
{
	enum notify_curl_result r = NOTIFY_CURL_RETRY;
	struct err_detail why = {0};

	for (int i = 0; i < ATTEMPTS; i++) {
		if (i > 0 && wait_or_stop(n, retry_wait_ms[i - 1]))
			break;
		g_mutex_unlock(&n->lock);
		r = deliver(n, m, &why);
		g_mutex_lock(&n->lock);
		if (r != NOTIFY_CURL_RETRY)
			break;
	}
	if (r == NOTIFY_CURL_OK) {
		n->stats.sent++;
		return;
	}
	n->stats.failed++;
	log_warn("notify", "%s (%s) not sent: %s",
	         m->channel == NOTIFY_EMAIL ? "e-mail" : "text message",
	         m->purpose, why.msg);
}

static gpointer worker(gpointer ud)
{
	struct notify *n = ud;
	struct notify_msg *m;

	g_mutex_lock(&n->lock);
	while (!n->stopping) {
		m = g_queue_pop_head(&n->queue);
		if (!m) {
			g_cond_wait(&n->cond, &n->lock);
			continue;
		}
		n->busy = true;
		send_one(n, m);
		n->busy = false;
		g_free(m);
		g_cond_broadcast(&n->cond);
	}
	g_mutex_unlock(&n->lock);
	return NULL;
}

static int configure(struct notify *n, const struct config *cfg,
                     struct err_detail *e)
{
	n->email = transport_of(cfg->notify_email);
	n->sms = transport_of(cfg->notify_sms);
	n->queue_max = cfg->notify_queue_max;
	if (n->email == T_SMTP &&
	    notify_curl_smtp_init(&n->smtp, cfg->smtp_host, cfg->smtp_port,
	                          cfg->smtp_tls, cfg->smtp_user,
	                          cfg->smtp_password, cfg->smtp_from, e))
		return ERR_INVALID;
	if (n->sms == T_WEBHOOK) {
		if (g_ascii_strncasecmp(cfg->sms_webhook_url, "http://", 7) &&
		    g_ascii_strncasecmp(cfg->sms_webhook_url, "https://", 8)) {
			return err_fail(e, ERR_INVALID, NULL,
			                "sms_webhook_url: an http(s) URL "
			                "is needed");
		}
		snprintf(n->webhook.url, sizeof(n->webhook.url), "%s",
		         cfg->sms_webhook_url);
		snprintf(n->webhook.token, sizeof(n->webhook.token), "%s",
		         cfg->sms_webhook_token);
	}
	if (n->email == T_LOG || n->sms == T_LOG)
		log_warn("notify", "the log transport prints e-mails and text "
		                   "messages, sign-in codes included: for "
		                   "development only");
	return 0;
}

int notify_new(const struct config *cfg, struct notify **out,
               struct err_detail *e)
{
	struct notify *n = g_new0(struct notify, 1);

	if (configure(n, cfg, e)) {
		g_free(n);
		return ERR_INVALID;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	g_mutex_init(&n->lock);
	g_cond_init(&n->cond);
	g_queue_init(&n->queue);
	n->worker = g_thread_new("notify", worker, n);
	*out = n;
	return 0;
}

void notify_free(struct notify *n)
{
	guint left;

	if (!n)
		return;
	g_mutex_lock(&n->lock);
	n->stopping = true;
	left = g_queue_get_length(&n->queue);
	n->stats.dropped += left;
	g_cond_broadcast(&n->cond);
	g_mutex_unlock(&n->lock);
	g_thread_join(n->worker);
	if (left)
		log_warn("notify", "%u messages not sent at shutdown", left);
	g_queue_clear_full(&n->queue, g_free);
	g_cond_clear(&n->cond);
	g_mutex_clear(&n->lock);
	curl_global_cleanup();
	g_free(n);
}

bool notify_can(const struct notify *n, enum notify_channel ch)
{
	return n && (ch == NOTIFY_EMAIL ? n->email : n->sms) != T_OFF;
}

static bool address_ok(const struct notify_msg *m)
{
	for (const char *p = m->to; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == '<' || *p == '>' ||
		    *p == 0x7f)
			return false;
	if (m->channel == NOTIFY_EMAIL)
		return strchr(m->to, '@') && m->to[0] != '@';
	return strlen(m->to) == 11 && strspn(m->to, "0123456789") == 11;
}

int notify_send(struct notify *n, const struct notify_msg *m)
{
	int rc = 0;

	if (!notify_can(n, m->channel))
		return ERR_UNAVAILABLE;
	if (!address_ok(m))
		return ERR_INVALID;
	g_mutex_lock(&n->lock);
	if ((long)g_queue_get_length(&n->queue) >= n->queue_max) {
		n->stats.dropped++;
		rc = ERR_FULL;
	} else {
		g_queue_push_tail(&n->queue, g_memdup2(m, sizeof(*m)));
		n->stats.queued++;
		g_cond_broadcast(&n->cond);
	}
	g_mutex_unlock(&n->lock);
	if (rc)
		log_warn("notify", "queue full (%ld): a %s message was refused",
		         n->queue_max, m->purpose);
	return rc;
}

void notify_get_stats(struct notify *n, struct notify_stats *out)
{
	g_mutex_lock(&n->lock);
	*out = n->stats;
	g_mutex_unlock(&n->lock);
}

long notify_waiting(struct notify *n)
{
	long w;

	if (!n)
		return 0;
	g_mutex_lock(&n->lock);
	w = (long)g_queue_get_length(&n->queue);
	g_mutex_unlock(&n->lock);
	return w;
}

bool notify_flush(struct notify *n, long timeout_ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	bool idle;

	g_mutex_lock(&n->lock);
	while (!(idle = g_queue_is_empty(&n->queue) && !n->busy) &&
	       g_cond_wait_until(&n->cond, &n->lock, until))
		;
	idle = g_queue_is_empty(&n->queue) && !n->busy;
	g_mutex_unlock(&n->lock);
	return idle;
}

void notify_metrics(struct notify *n, struct metrics *m)
{
	struct notify_stats st;

	if (!n)
		return;
	notify_get_stats(n, &st);
	metrics_counter_set(m, "sinian_notify_queued_total",
	                    "E-mails and text messages queued to be sent.",
	                    (double)st.queued);
	metrics_counter_set(m, "sinian_notify_sent_total",
	                    "E-mails and text messages sent.", (double)st.sent);
	metrics_counter_set(m, "sinian_notify_failed_total",
	                    "E-mails and text messages given up after their "
	                    "retries.",
	                    (double)st.failed);
	metrics_counter_set(m, "sinian_notify_dropped_total",
	                    "E-mails and text messages refused (queue full) or "
	                    "left at shutdown.",
	                    (double)st.dropped);
}
