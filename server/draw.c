/* draw.c — turns a finished cairo drawing into PNG bytes in memory.
 *
 * Owns nothing beyond one call; knows no HTTP. Called by share.c and qr.c.
 */
#include "draw.h"
#include "err.h"

#include <glib.h>

static cairo_status_t png_append(void *closure, const unsigned char *data,
                                 unsigned int len)
{
	g_byte_array_append(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

int draw_png_finish(cairo_t *cr, cairo_surface_t *s, uint8_t **png, size_t *len)
{
	GByteArray *buf = g_byte_array_new();
	int rc = ERR_INTERNAL;

	cairo_surface_flush(s);
	if (cairo_status(cr) == CAIRO_STATUS_SUCCESS &&
	    cairo_surface_write_to_png_stream(s, png_append, buf) ==
	        CAIRO_STATUS_SUCCESS)
		rc = 0;
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	*len = rc ? 0 : buf->len;
	*png = rc ? NULL : g_byte_array_free(buf, FALSE);
	if (rc)
		g_byte_array_free(buf, TRUE);
	return rc;
}
