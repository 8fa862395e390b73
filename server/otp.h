/* otp.h — one-time codes sent to a login's phone or e-mail, for signing in
 * without a password and for recovering an account.
 *
 * A code is OTP_DIGITS random digits, kept only as a keyed hash. It works
 * once, for OTP_TTL minutes at most (config code_ttl_minutes), until a
 * newer code of the same purpose is sent, and for at most OTP_ATTEMPTS
 * wrong tries. Sending is limited per login and per client address
 * (otp_budget), so neither a login nor a phone bill can be flooded.
 */
#ifndef SINIAN_OTP_H
#define SINIAN_OTP_H

#include <stdbool.h>
#include <stdint.h>

struct store;
struct crypto;
struct ratelimit;
struct notify_msg;

#define OTP_DIGITS   6
#define OTP_ATTEMPTS 5 /* wrong tries before a code dies */

enum otp_purpose { OTP_SIGNIN = 0, OTP_RESET };

/* "signin", "reset"; parse returns -1 for anything else. */
const char *otp_purpose_name(enum otp_purpose p);
int otp_purpose_parse(const char *s);

/* Make a new code for a login (its keyed hash) and purpose, valid for
 * ttl_s seconds from now (seconds since the epoch); older live codes of
 * that login and purpose die. code_out gets the digits (OTP_DIGITS + 1
 * bytes). 0 or the store's error. */
int otp_issue(struct store *st, const struct crypto *c, const char *login_hash,
              enum otp_purpose p, int64_t now, long ttl_s, char *code_out);

/* Use a code: 0 when it is the live code (it is used up now);
 * ERR_UNAUTHORIZED when it is wrong (the try is counted); ERR_GONE when
 * there is no live code (never sent, used, expired, too many tries);
 * ERR_INVALID when it is not OTP_DIGITS digits (nothing counted). */
int otp_use(struct store *st, const struct crypto *c, const char *login_hash,
            enum otp_purpose p, const char *code, int64_t now);

/* Limits on sending codes, per hour. */
struct otp_limits {
	long per_login;   /* config rate_limit_codes */
	long per_address; /* config rate_limit_codes_per_address */
};

/* May a code be sent now to login_hash at the request of address? Takes
 * one from each budget: true, or false with *retry_after_s. now_ms is
 * monotonic milliseconds. */
bool otp_budget(struct ratelimit *rl, const struct otp_limits *lim,
                const char *login_hash, const char *address, int64_t now_ms,
                int *retry_after_s);

/* The message that carries a code, in lang ("en", else Chinese); the
 * caller sets channel and recipient. */
void otp_message(enum otp_purpose p, const char *lang, const char *code,
                 long ttl_min, struct notify_msg *m);

/* Forget codes that expired a day or more ago. */
int otp_sweep(struct store *st, int64_t now);

#endif
