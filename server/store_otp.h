/* store_otp.h — SQL for one-time login codes (otp.c decides). */
#ifndef SINIAN_STORE_OTP_H
#define SINIAN_STORE_OTP_H

#include <glib.h>
#include <stdint.h>

struct store;

struct store_otp {
	int64_t id;
	char code_hash[65];
	int64_t expires_at;
	int attempts;
};

/* End the live codes of a login and purpose (used_at = now). */
G_GNUC_WARN_UNUSED_RESULT int store_otp_end(struct store *st,
                                            const char *login_hash,
                                            const char *purpose, int64_t now);
G_GNUC_WARN_UNUSED_RESULT int
store_otp_insert(struct store *st, const char *login_hash, const char *purpose,
                 const char *code_hash, int64_t now, int64_t expires_at);
/* The newest code of a login and purpose not used, not expired at now and
 * with fewer than max_attempts wrong tries; ERR_NOT_FOUND. */
G_GNUC_WARN_UNUSED_RESULT int
store_otp_live(struct store *st, const char *login_hash, const char *purpose,
               int64_t now, int max_attempts, struct store_otp *out);
/* Count a wrong try. */
G_GNUC_WARN_UNUSED_RESULT int store_otp_attempt(struct store *st, int64_t id);
/* Use a code once: ERR_CONFLICT when it was used meanwhile. */
G_GNUC_WARN_UNUSED_RESULT int store_otp_use(struct store *st, int64_t id,
                                            int64_t now);
/* Delete codes that expired before `before`. */
G_GNUC_WARN_UNUSED_RESULT int store_otp_purge(struct store *st, int64_t before);

#endif
