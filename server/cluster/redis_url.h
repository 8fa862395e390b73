/* redis_url.h — where a Redis server is and how to log in: the parsed
 * form of a redis_url setting. Pure parsing, no I/O; used by redis_conn.c
 * and ratelimit_redis.c.
 */
#ifndef SINIAN_REDIS_URL_H
#define SINIAN_REDIS_URL_H

#include <stddef.h>
#include "err.h"

/* redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]; HOST may be [IPv6]. */
struct redis_url {
	char host[256];
	int port; /* default 6379 */
	int db;   /* default 0 */
	char user[128];
	char password[256];
};

/* Parse url into out. 0, or ERR_INVALID with a reason in err (which never
 * contains the password). */
int redis_url_parse(const char *url, struct redis_url *out,
                    struct err_detail *e);

#endif
