/* draw.h — cairo pictures out as PNG bytes, for the share cards (share.c)
 * and the QR codes (qr.c). */
#ifndef SINIAN_DRAW_H
#define SINIAN_DRAW_H

#include <cairo.h>
#include <stddef.h>
#include <stdint.h>

/* Encode the surface as PNG into *png (g_free() it) and *len, after
 * checking that drawing with cr went well; destroys cr and s either way.
 * 0 or ERR_INTERNAL. */
int draw_png_finish(cairo_t *cr, cairo_surface_t *s, uint8_t **png,
                    size_t *len);

#endif
