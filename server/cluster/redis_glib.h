/* redis_glib.h — drive a hiredis async context from a GLib main context.
 *
 * hiredis ships adapters/glib.h, but the version in Debian 12 (0.14.1) has
 * no redisGlibAttach and its dispatch calls redisAsyncHandleRead on a
 * context that redisAsyncHandleWrite may just have freed (a write error
 * with input pending, as when redis-server is killed under load). This is
 * the same adapter with that hole closed: the source forgets the context
 * when hiredis cleans it up, and is then destroyed. Main loop only.
 */
#ifndef SINIAN_REDIS_GLIB_H
#define SINIAN_REDIS_GLIB_H

#include <glib.h>
#include <hiredis/async.h>

/* Hook ac's events into ctx (NULL: the default main context). The source
 * lives until hiredis frees ac (redisAsyncFree, or a disconnect); nothing
 * to undo. Returns 0, or ERR_INVALID if ac already has an event library. */
int redis_glib_attach(redisAsyncContext *ac, GMainContext *ctx);

#endif
