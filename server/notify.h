/* notify.h — messages to people outside the site: e-mail and text
 * messages (sign-in codes, reminders), through one interface whatever the
 * transport.
 *
 * Transports (config notify_email, notify_sms): "smtp" (libcurl, STARTTLS
 * or TLS, optional login), "webhook" (a JSON POST to an SMS provider, see
 * docs/notify.md), "log" (development: the message is printed, codes
 * included) and "off". notify_send() only queues a copy: one worker thread
 * does the sending, so the main loop never waits on a mail server. A
 * failure that may pass (network, a 4xx SMTP reply, a 5xx from the
 * webhook) is tried again twice, after 2 s and 10 s.
 *
 * Recipients are personal data: they are never logged by the real
 * transports, nor is a message's text (it may hold a code).
 */
#ifndef SINIAN_NOTIFY_H
#define SINIAN_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

struct config;

enum notify_channel { NOTIFY_EMAIL = 0, NOTIFY_SMS };

#define NOTIFY_TO_MAX      256
#define NOTIFY_SUBJECT_MAX 1024 /* bytes */
#define NOTIFY_TEXT_MAX    4000 /* bytes */

struct notify_msg {
	enum notify_channel channel;
	char to[NOTIFY_TO_MAX]; /* e-mail address, or mobile "1xxxxxxxxxx" */
	char subject[NOTIFY_SUBJECT_MAX]; /* e-mail only */
	char text[NOTIFY_TEXT_MAX];       /* UTF-8 */
	char purpose[24];                 /* "code", "reminder": logged */
};

/* What the worker has done since start (for /metrics and tests). */
struct notify_stats {
	uint64_t queued, sent, failed, dropped;
};

struct notify;

/* Start the notifier and its worker thread from the settings. ERR_INVALID
 * with a sentence in err when a chosen transport lacks a setting (smtp
 * without smtp_host or smtp_from, webhook without a URL). */
int notify_new(const struct config *cfg, struct notify **out,
               struct err_detail *e);
/* Stop: the message being sent finishes (bounded by its timeout), the
 * queued ones are dropped and counted. NULL is a no-op. */
void notify_free(struct notify *n);

/* Whether a channel has a transport (not "off"). */
bool notify_can(const struct notify *n, enum notify_channel ch);

/* Queue a copy of m. 0; ERR_UNAVAILABLE when the channel is off;
 * ERR_INVALID for an address that cannot be one (control characters,
 * no '@' for e-mail); ERR_FULL when notify_queue_max are waiting. */
int notify_send(struct notify *n, const struct notify_msg *m);

void notify_get_stats(struct notify *n, struct notify_stats *out);

/* Messages queued and not yet taken by the worker (0 for NULL). */
long notify_waiting(struct notify *n);

struct metrics;
/* Put the counts on /metrics: sinian_notify_{queued,sent,failed,dropped}_
 * total. n may be NULL (nothing is put). */
void notify_metrics(struct notify *n, struct metrics *m);

/* Block until the queue is empty and the worker idle, or timeout_ms has
 * passed (tests, shutdown). True when idle. */
bool notify_flush(struct notify *n, long timeout_ms);

/* "138****5678" / "a***@x.cn" of an address, for logs. */
void notify_mask(const struct notify_msg *m, char *out, size_t outlen);

#endif
