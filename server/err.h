/* err.h — the one error enum every module returns, and its HTTP mapping.
 *
 * Functions that can fail return 0 or a negative ERR_* code. The HTTP layer
 * maps a code to a status and a stable machine-readable name with
 * err_http_status() and err_name(); nothing else invents statuses.
 */
#ifndef SINIAN_ERR_H
#define SINIAN_ERR_H

enum err {
	ERR_OK = 0,
	ERR_INTERNAL = -1,  /* bug or unexpected failure: 500 */
	ERR_NOMEM = -2,     /* allocation failed: 500 */
	ERR_INVALID = -3,   /* malformed or out-of-range input: 400 */
	ERR_NOT_FOUND = -4, /* no such object: 404 */
	ERR_CONFLICT = -5,  /* state forbids it (already exists, order): 409 */
	ERR_UNAUTHORIZED = -6,  /* no or bad credentials: 401 */
	ERR_FORBIDDEN = -7,     /* credentials fine, right missing: 403 */
	ERR_TOO_LARGE = -8,     /* body or upload too large: 413 */
	ERR_UNSUPPORTED = -9,   /* unsupported media type: 415 */
	ERR_RATE_LIMITED = -10, /* too many requests: 429 */
	ERR_METHOD = -11,       /* method not allowed: 405 */
	ERR_IO = -12,           /* disk or system call failed: 500 */
	ERR_UNAVAILABLE = -13,  /* dependency down, try later: 503 */
	ERR_FULL = -14,         /* capacity reached (slot full): 409 */
	ERR_GONE = -15,         /* existed, now revoked or expired: 410 */
	ERR_RANGE = -16,        /* unsatisfiable byte range: 416 */
	ERR_DB = -17,           /* SQLite failed: 500 */
};

/* Why a call failed, for whoever answers it: a stable code for clients
 * ("slot_full"; NULL means err_name() of the returned ERR_*) and a sentence
 * a person can act on. The one error-detail type of every module: a
 * function that can fail for a reason worth telling takes a
 * struct err_detail * (NULL when the caller does not want the reason) and
 * fills it with err_fail(). code is a static string. */
/* room for the longest sentence: live video unavailable names up to 512
 * bytes of missing elements and the apt-get line that installs them */
#define ERR_MSG_LEN 1024
struct err_detail {
	const char *code;
	char msg[ERR_MSG_LEN];
};

/* Fill e (when not NULL) with code and the formatted sentence; returns rc,
 * so that "return err_fail(e, ERR_INVALID, "bad_date", ...);" reads as
 * one step. */
int err_fail(struct err_detail *e, int rc, const char *code, const char *fmt,
             ...) __attribute__((format(printf, 4, 5)));

/* Stable snake_case name of an error ("not_found"); never NULL. */
const char *err_name(int code);

/* HTTP status for an error code (404 for ERR_NOT_FOUND, 500 for unknown). */
int err_http_status(int code);

#endif
