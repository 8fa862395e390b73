/* qr.h — QR codes as SVG (libqrencode), for plot plaques and records, and
 * as PNG, which a phone saves to its album and scans with a long press. */
#ifndef SINIAN_QR_H
#define SINIAN_QR_H

#include <stddef.h>
#include <stdint.h>

/* An SVG document encoding text (error correction level M, 4-module quiet
 * zone, module_px pixels per module). Caller frees with free(). NULL when
 * text is empty or too long for a QR code, or on allocation failure. */
char *qr_svg(const char *text, int module_px, size_t *len);

/* The same code as a PNG (black on white, module_px pixels a module) into
 * *png (g_free() it). 0, ERR_INVALID (empty, too long, module_px < 1 or
 * over 64), ERR_INTERNAL. */
int qr_png(const char *text, int module_px, uint8_t **png, size_t *len);

#endif
