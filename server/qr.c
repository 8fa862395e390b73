/* qr.c — QR codes drawn as SVG and as PNG.
 *
 * Owns the call into libqrencode and the drawing: for SVG one <path> with a
 * square per dark module, so the document stays small and scales crisply on
 * a printed plaque; for PNG a one-bit-per-module picture scaled up with
 * cairo. Knows no HTTP; called by api_memorial.c, api_deceased.c and
 * api_share.c.
 */
#include "qr.h"
#include "draw.h"
#include "err.h"

#include <glib.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define QR_QUIET 4

char *qr_svg(const char *text, int module_px, size_t *len)
{
	QRcode *qr;
	GString *s;
	int size;
	char *out;

	if (!text || !*text || strlen(text) > 1000 || module_px < 1)
		return NULL;
	qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!qr)
		return NULL;
	size = qr->width + 2 * QR_QUIET;
	s = g_string_sized_new(4096);
	g_string_append_printf(
	    s,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "shape-rendering=\"crispEdges\">\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
	    "<path fill=\"#000\" d=\"",
	    size * module_px, size * module_px, size, size, size, size);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1)
				g_string_append_printf(s, "M%d %dh1v1h-1z",
				                       x + QR_QUIET,
				                       y + QR_QUIET);
	g_string_append(s, "\"/>\n</svg>\n");
	QRcode_free(qr);
	if (len)
		*len = s->len;
	out = strdup(s->str);
	g_string_free(s, TRUE);
	return out;
}

int qr_png(const char *text, int module_px, uint8_t **png, size_t *len)
{
	cairo_surface_t *s;
	QRcode *qr;
	cairo_t *cr;
	int size;

	if (!text || !*text || strlen(text) > 1000 || module_px < 1 ||
	    module_px > 64)
		return ERR_INVALID;
	qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!qr)
		return ERR_INVALID;
	size = (qr->width + 2 * QR_QUIET) * module_px;
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, size, size);
	cr = cairo_create(s);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1)
				cairo_rectangle(cr, (x + QR_QUIET) * module_px,
				                (y + QR_QUIET) * module_px,
				                module_px, module_px);
	cairo_fill(cr);
	QRcode_free(qr);
	return draw_png_finish(cr, s, png, len);
}
