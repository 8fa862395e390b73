/* redis_conn.h — one Redis server seen from the main loop: two async
 * connections (one for commands, one for SUBSCRIBE), a shared up/down
 * state, reconnection with exponential backoff, bounded command time.
 *
 * The connection is "up" when both connections are open, authenticated and
 * answering. Any failure (connect refused, I/O error, a command or the
 * subscription heartbeat taking longer than the timeout) drops both and
 * retries after 100 ms, 200 ms, ... up to 5 s (with ±25 % jitter). An
 * outage is logged once when it starts ("redis down: ...") and once when it
 * ends ("redis back after N s"). Channels asked for with
 * redis_conn_subscribe are subscribed again after every reconnection.
 *
 * hiredis 0.14 (Debian 12) has no redisAsyncSetTimeout: the timeout is a
 * watchdog here that drops the connection when a command has been waiting
 * longer than timeout_ms with no reply arriving meanwhile. All calls on the
 * main loop thread (the GLib default main context).
 */
#ifndef SINIAN_REDIS_CONN_H
#define SINIAN_REDIS_CONN_H

#include <hiredis/hiredis.h>
#include "redis_url.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

struct redis_conn;

struct redis_conn_opts {
	long timeout_ms;     /* connect and command timeout; 0: 2000 */
	long backoff_min_ms; /* first retry delay; 0: 100 */
	long backoff_max_ms; /* longest retry delay; 0: 5000 */
	long heartbeat_ms;   /* liveness probe period; 0: 1000 */
};

/* Told when the connection comes up (after channels are resubscribed) and
 * when it goes down. */
typedef void (*redis_conn_state_fn)(void *ud, bool up);

/* The reply to one command: NULL when the connection failed, timed out or
 * was freed before an answer (the command may or may not have run); else
 * borrowed for the duration of the call (errors are REDIS_REPLY_ERROR). */
typedef void (*redis_reply_fn)(struct redis_conn *rc, const redisReply *reply,
                               void *ud);

/* A message published on a subscribed channel; borrowed for the call. */
typedef void (*redis_message_fn)(void *ud, const char *channel, size_t chlen,
                                 const char *msg, size_t len);

/* A Lua script run with EVALSHA, after a SCRIPT LOAD in the same pipeline
 * on each new connection; on NOSCRIPT (a SCRIPT FLUSH meanwhile) it is sent
 * again as EVAL, and that one call may then run after commands sent later.
 * src must outlive every call that uses it (a string literal). */
struct redis_script {
	const char *src;
	char sha[41];
};
void redis_script_init(struct redis_script *s, const char *src);

/* Start connecting to url (opts may be NULL). Returns at once: the server
 * need not be reachable yet. 0, ERR_INVALID (bad URL, reason in err) or
 * ERR_NOMEM. The caller frees *out with redis_conn_free. */
int redis_conn_new(const char *url, const struct redis_conn_opts *opts,
                   struct redis_conn **out, struct err_detail *e);

/* Close both connections; pending commands get their callback with a NULL
 * reply (they must not call into rc). Not from inside a reply callback.
 * NULL is a no-op. */
void redis_conn_free(struct redis_conn *rc);

bool redis_conn_is_up(const struct redis_conn *rc);
/* The parsed URL (borrowed). */
const struct redis_url *redis_conn_url(const struct redis_conn *rc);
/* Times the connection came back after an outage. */
uint64_t redis_conn_reconnects(const struct redis_conn *rc);

/* Watch up/down changes. Returns an id > 0 for redis_conn_unwatch, or
 * ERR_FULL (at most 8 watchers). */
int redis_conn_watch(struct redis_conn *rc, redis_conn_state_fn fn, void *ud);
void redis_conn_unwatch(struct redis_conn *rc, int id);

/* Send one command on the command connection. 0: fn (may be NULL) will be
 * called exactly once; ERR_UNAVAILABLE when down: fn is not called. */
int redis_conn_command(struct redis_conn *rc, redis_reply_fn fn, void *ud,
                       int argc, const char **argv, const size_t *lens);
/* The same with a hiredis format ("INCRBY %s %lld", "SET %b %s"). */
int redis_conn_commandf(struct redis_conn *rc, redis_reply_fn fn, void *ud,
                        const char *fmt, ...);

/* Run script s with nkeys keys followed by the other arguments (args[0..n),
 * lens may be NULL for NUL-terminated strings). Same contract as
 * redis_conn_command. */
int redis_conn_eval(struct redis_conn *rc, const struct redis_script *s,
                    int nkeys, int n, const char **args, const size_t *lens,
                    redis_reply_fn fn, void *ud);

/* Write what is still buffered for the command connection to its socket
 * now, without waiting for replies (last commands before a shutdown). */
void redis_conn_flush(struct redis_conn *rc);

/* Where messages of subscribed channels go (one handler per connection). */
void redis_conn_on_message(struct redis_conn *rc, redis_message_fn fn,
                           void *ud);
/* Want channel subscribed, now if up and after every reconnection. 0 or
 * ERR_NOMEM / ERR_INVALID (empty). */
int redis_conn_subscribe(struct redis_conn *rc, const char *channel);
/* No longer want channel. */
void redis_conn_unsubscribe(struct redis_conn *rc, const char *channel);
/* True once Redis has confirmed the subscription on the current
 * connection (messages published from then on will arrive). */
bool redis_conn_subscribed(const struct redis_conn *rc, const char *channel);

#endif
