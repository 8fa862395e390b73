/* qr.h — QR codes as SVG (libqrencode), for plot plaques and records. */
#ifndef SINIAN_QR_H
#define SINIAN_QR_H

#include <stddef.h>

/* An SVG document encoding text (error correction level M, 4-module quiet
 * zone, module_px pixels per module). Caller frees with free(). NULL when
 * text is empty or too long for a QR code, or on allocation failure. */
char *qr_svg(const char *text, int module_px, size_t *len);

#endif
