/* mainctx.h — hand work from any thread to the default GLib main context.
 *
 * GStreamer calls us on streaming threads; everything that touches media
 * state beyond the data path runs on the main loop. mainctx_post() always
 * defers (even when called on the main thread), so callers never re-enter.
 */
#ifndef SINIAN_MAINCTX_H
#define SINIAN_MAINCTX_H

#include <glib.h>

/* Run fn(data) once, soon, on the default main context; destroy(data) is
 * called afterwards (destroy may be NULL). Safe from any thread. */
void mainctx_post(GSourceFunc fn, void *data, GDestroyNotify destroy);

/* Monotonic time in microseconds (g_get_monotonic_time). */
gint64 mainctx_now_us(void);

#endif
