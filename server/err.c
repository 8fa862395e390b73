/* err.c — names and HTTP statuses of the shared error codes.
 *
 * One table, so the mapping from domain failure to HTTP answer lives in one
 * place. Called by the HTTP layer and by logs; never by domain logic.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
	int code;
	int status;
	const char *name;
} err_table[] = {
    {ERR_OK, 200, "ok"},
    {ERR_INTERNAL, 500, "internal"},
    {ERR_NOMEM, 500, "out_of_memory"},
    {ERR_INVALID, 400, "invalid"},
    {ERR_NOT_FOUND, 404, "not_found"},
    {ERR_CONFLICT, 409, "conflict"},
    {ERR_UNAUTHORIZED, 401, "unauthorized"},
    {ERR_FORBIDDEN, 403, "forbidden"},
    {ERR_TOO_LARGE, 413, "too_large"},
    {ERR_UNSUPPORTED, 415, "unsupported_media_type"},
    {ERR_RATE_LIMITED, 429, "rate_limited"},
    {ERR_METHOD, 405, "method_not_allowed"},
    {ERR_IO, 500, "io_error"},
    {ERR_UNAVAILABLE, 503, "unavailable"},
    {ERR_FULL, 409, "full"},
    {ERR_GONE, 410, "gone"},
    {ERR_RANGE, 416, "range_not_satisfiable"},
    {ERR_DB, 500, "database_error"},
};

#define ERR_TABLE_LEN (sizeof(err_table) / sizeof(err_table[0]))

const char *err_name(int code)
{
	for (unsigned i = 0; i < ERR_TABLE_LEN; i++)
		if (err_table[i].code == code)
			return err_table[i].name;
	return "internal";
}

int err_http_status(int code)
{
	for (unsigned i = 0; i < ERR_TABLE_LEN; i++)
		if (err_table[i].code == code)
			return err_table[i].status;
	return 500;
}

int err_fail(struct err_detail *e, int rc, const char *code, const char *fmt,
             ...)
{
	va_list ap;

	if (!e)
		return rc;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return rc;
}
