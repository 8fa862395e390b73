/* notify_curl.h — the notifier's real transports over libcurl: SMTP for
 * e-mail and an HTTP webhook for text messages. Blocking calls, made only
 * from the notifier's worker thread (notify.c).
 */
#ifndef SINIAN_NOTIFY_CURL_H
#define SINIAN_NOTIFY_CURL_H

#include "err.h"
#include <stdbool.h>
#include <stddef.h>

struct notify_msg;

struct notify_curl_smtp {
	char url[300];  /* "smtp://host:587" or "smtps://host:465" */
	bool starttls;  /* require STARTTLS on a smtp:// URL */
	char user[256]; /* "" = no login */
	char password[256];
	char from[512];      /* header form, "Name <a@b>" or "a@b" */
	char from_addr[256]; /* the envelope address inside from */
};

struct notify_curl_webhook {
	char url[512];
	char token[256]; /* "" = no Authorization header */
};

/* The outcome of one attempt. */
enum notify_curl_result {
	NOTIFY_CURL_OK = 0,
	NOTIFY_CURL_RETRY, /* may work later: network, 4xx SMTP, 5xx HTTP */
	NOTIFY_CURL_FAIL,  /* will not: refused address, 4xx HTTP */
};

/* Fill an SMTP setting from host, port, tls ("none", "starttls", "tls"),
 * user, password and from. ERR_INVALID (with e) when from holds no
 * address or the host is empty. */
int notify_curl_smtp_init(struct notify_curl_smtp *s, const char *host,
                          long port, const char *tls, const char *user,
                          const char *password, const char *from,
                          struct err_detail *e);

/* The RFC 5322 message sent for m (UTF-8 subject in RFC 2047 form, text
 * in base64), NUL-terminated; the caller frees with g_free(). */
char *notify_curl_mail_text(const struct notify_curl_smtp *s,
                            const struct notify_msg *m);

/* Send m. e gets a reason without the recipient or the text. */
enum notify_curl_result notify_curl_smtp_send(const struct notify_curl_smtp *s,
                                              const struct notify_msg *m,
                                              struct err_detail *e);
enum notify_curl_result
notify_curl_webhook_send(const struct notify_curl_webhook *w,
                         const struct notify_msg *m, struct err_detail *e);

#endif
