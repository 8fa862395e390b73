/* imgclean.h — an uploaded JPEG, PNG or WebP rewritten with only what a
 * browser needs to show it: the picture and its colour, never where, when
 * or with what it was taken.
 *
 * Each format is rebuilt from a whitelist of its parts, copied as they
 * are (the picture is not decoded or re-encoded, so it stays bit-exact):
 *   JPEG  SOI, SOF, DHT, DAC, DQT, DRI, DNL, every SOS with its entropy
 *         data, EOI; a plain 16-byte JFIF APP0, an ICC profile (APP2
 *         ICC_PROFILE), the 12-byte Adobe APP14 (colour transform). EXIF,
 *         XMP, IPTC, MPF, COM and every other APPn go, and so does
 *         anything after EOI (a second image, a motion photo's video).
 *         The EXIF orientation alone is kept, in a new minimal EXIF
 *         segment holding nothing else, so photos stay upright.
 *   PNG   IHDR, PLTE, IDAT, IEND and the colour and layout chunks (tRNS,
 *         gAMA, cHRM, sRGB, iCCP, sBIT, bKGD, pHYs) and APNG's (acTL,
 *         fcTL, fdAT), each with a correct CRC; tEXt, zTXt, iTXt, eXIf,
 *         tIME and unknown chunks go, and anything after IEND.
 *   WebP  VP8, VP8L, VP8X, ALPH, ANIM, ANMF and ICCP; EXIF, XMP and
 *         unknown chunks go and VP8X's flags are set to what remains.
 * A file whose structure does not parse, that has no picture, or whose
 * declared size is absurd (a side above IMAGE_SIDE_MAX pixels or more than
 * IMAGE_PIXELS_MAX pixels) is refused: what cannot be cleaned is not
 * stored. Pure functions; callers: image.c, proof.c.
 */
#ifndef SINIAN_IMGCLEAN_H
#define SINIAN_IMGCLEAN_H

#include "err.h"
#include <stddef.h>
#include <stdint.h>

#include "image.h"

#define IMAGE_SIDE_MAX   16384    /* pixels, width or height */
#define IMAGE_PIXELS_MAX 64000000 /* width × height (a 48 MP phone fits) */

/* Clean an image of type t (IMAGE_JPEG, IMAGE_PNG, IMAGE_WEBP): *out gets
 * the rewritten bytes (g_malloc'ed; the caller g_free()s them), w and h
 * the picture's size. 0, or ERR_INVALID with the reason in e (broken,
 * no picture, absurd size, or not one of the three types). */
int imgclean(enum image_type t, const uint8_t *in, size_t len, uint8_t **out,
             size_t *outlen, int *w, int *h, struct err_detail *e);

#endif
