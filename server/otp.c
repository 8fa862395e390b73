/* otp.c — one-time codes: making them, checking them once, and the
 * budgets that limit how often they are sent.
 *
 * Owns the rules in otp.h: digits from libsodium's generator, only a keyed
 * hash stored (bound to the login and the purpose), one live code per
 * login and purpose, single use inside one transaction, a count of wrong
 * tries. Never logs a code. Called by api_code.c and the unit tests.
 */
#include "otp.h"
#include "crypto.h"
#include "err.h"
#include "notify.h"
#include "ratelimit.h"
#include "store.h"
#include "store_otp.h"

#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SWEEP_AFTER_S (24 * 3600)

static const char *const purpose_names[] = {"signin", "reset"};

const char *otp_purpose_name(enum otp_purpose p)
{
	return (unsigned)p < G_N_ELEMENTS(purpose_names) ? purpose_names[p]
	                                                 : "?";
}

int otp_purpose_parse(const char *s)
{
	for (unsigned i = 0; s && i < G_N_ELEMENTS(purpose_names); i++)
		if (strcmp(s, purpose_names[i]) == 0)
			return (int)i;
	return -1;
}

/* The stored form of a code: bound to its login and purpose. */
static void code_hash(const struct crypto *c, const char *login_hash,
                      enum otp_purpose p, const char *code, char *out)
{
	char text[160];

	snprintf(text, sizeof(text), "otp:%s:%s:%s", login_hash,
	         otp_purpose_name(p), code);
	crypto_keyed_hash(c, text, out);
	sodium_memzero(text, sizeof(text));
}

int otp_issue(struct store *st, const struct crypto *c, const char *login_hash,
              enum otp_purpose p, int64_t now, long ttl_s, char *code_out)
{
	char hash[CRYPTO_HASH_CHARS];
	int rc;

	for (int i = 0; i < OTP_DIGITS; i++)
		code_out[i] = (char)('0' + randombytes_uniform(10));
	code_out[OTP_DIGITS] = '\0';
	code_hash(c, login_hash, p, code_out, hash);
	if ((rc = store_begin(st)))
		return rc;
	if ((rc = store_otp_end(st, login_hash, otp_purpose_name(p), now)) ||
	    (rc = store_otp_insert(st, login_hash, otp_purpose_name(p), hash,
	                           now, now + ttl_s)) ||
	    (rc = store_commit(st)))
		store_rollback(st);
	return rc;
}

static bool well_formed(const char *code)
{
	return code && strlen(code) == OTP_DIGITS &&
	       strspn(code, "0123456789") == OTP_DIGITS;
}

int otp_use(struct store *st, const struct crypto *c, const char *login_hash,
            enum otp_purpose p, const char *code, int64_t now)
{
	char hash[CRYPTO_HASH_CHARS];
	struct store_otp live;
	int rc;

	if (!well_formed(code))
		return ERR_INVALID;
	code_hash(c, login_hash, p, code, hash);
	if ((rc = store_begin(st)))
		return rc;
	rc = store_otp_live(st, login_hash, otp_purpose_name(p), now,
	                    OTP_ATTEMPTS, &live);
	if (rc == ERR_NOT_FOUND)
		rc = ERR_GONE;
	else if (rc == 0 && sodium_memcmp(hash, live.code_hash,
	                                  CRYPTO_HASH_CHARS - 1) != 0)
		rc = store_otp_attempt(st, live.id) ? ERR_DB : ERR_UNAUTHORIZED;
	else if (rc == 0 &&
	         (rc = store_otp_use(st, live.id, now)) == ERR_CONFLICT)
		rc = ERR_GONE; /* used meanwhile */
	/* a wrong try is kept, like a use: both commit */
	if (rc == 0 || rc == ERR_UNAUTHORIZED || rc == ERR_GONE) {
		if (store_commit(st))
			rc = ERR_DB;
	} else {
		store_rollback(st);
	}
	return rc;
}

bool otp_budget(struct ratelimit *rl, const struct otp_limits *lim,
                const char *login_hash, const char *address, int64_t now_ms,
                int *retry_after_s)
{
	char key[160];

	snprintf(key, sizeof(key), "otp:a:%s", address);
	if (!ratelimit_take(rl, key, (double)lim->per_address / 3600.0,
	                    (double)lim->per_address, now_ms, retry_after_s))
		return false;
	snprintf(key, sizeof(key), "otp:l:%.32s", login_hash);
	return ratelimit_take(rl, key, (double)lim->per_login / 3600.0,
	                      (double)lim->per_login, now_ms, retry_after_s);
}

void otp_message(enum otp_purpose p, const char *lang, const char *code,
                 long ttl_min, struct notify_msg *m)
{
	bool en = lang && strcmp(lang, "en") == 0;
	bool reset = p == OTP_RESET;

	if (en) {
		snprintf(m->subject, sizeof(m->subject), "sinian: your %s code",
		         reset ? "password reset" : "sign-in");
		snprintf(m->text, sizeof(m->text),
		         "Your %s code for sinian is %s. It works once, within "
		         "%ld minutes. If you did not ask for it, ignore this "
		         "message; nobody can use it without your phone or "
		         "mailbox.\n",
		         reset ? "password reset" : "sign-in", code, ttl_min);
	} else {
		snprintf(m->subject, sizeof(m->subject), "思念：您的%s验证码",
		         reset ? "重设密码" : "登录");
		snprintf(
		    m->text, sizeof(m->text),
		    "【思念】您的%s验证码是 %s，%ld "
		    "分钟内有效，只能使用一次。如非本人操作，请忽略本消息。\n",
		    reset ? "重设密码" : "登录", code, ttl_min);
	}
	snprintf(m->purpose, sizeof(m->purpose), "code");
}

int otp_sweep(struct store *st, int64_t now)
{
	return store_otp_purge(st, now - SWEEP_AFTER_S);
}
