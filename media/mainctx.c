/* mainctx.c — deferred calls onto the default GLib main context.
 *
 * Owns nothing but the idle sources it creates. Must never run the function
 * synchronously (g_main_context_invoke would, on the owning thread). Called
 * by every media module that receives GStreamer callbacks.
 */
#include "mainctx.h"

void mainctx_post(GSourceFunc fn, void *data, GDestroyNotify destroy)
{
	GSource *src = g_idle_source_new();

	g_source_set_priority(src, G_PRIORITY_DEFAULT);
	g_source_set_callback(src, fn, data, destroy);
	g_source_attach(src, g_main_context_default());
	g_source_unref(src);
}

gint64 mainctx_now_us(void)
{
	return g_get_monotonic_time();
}
