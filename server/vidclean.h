/* vidclean.h — a proof video with everything but the picture and sound
 * blanked: no place, time, device or title is left in it.
 *
 * Both containers are cleaned in place, keeping every offset (so the file
 * stays playable and seekable as it was):
 *   MP4   every box that is not on the list of those a player needs (ftyp,
 *         moov, mvhd, trak, tkhd, edts, elst, mdia, mdhd, hdlr, minf,
 *         vmhd, smhd, dinf, dref, stbl and its tables, mvex, moof, traf,
 *         mdat, free, ...) becomes a free box of the same size with its
 *         bytes zeroed — udta, meta, uuid (XMP), ©xyz, loci and whatever
 *         else, at any depth — and the creation and modification times of
 *         mvhd, tkhd and mdhd are zeroed;
 *   WebM  every element of the Segment but SeekHead, Info, Tracks,
 *         Cluster and Cues becomes a Void element of the same size (Tags,
 *         Chapters, Attachments, unknown ones); in Info only the timestamp
 *         scale, duration and segment UID stay, and track names go.
 * A file whose structure does not parse, or that cannot be blanked in
 * place, is refused. Pure functions; caller: proof.c.
 */
#ifndef SINIAN_VIDCLEAN_H
#define SINIAN_VIDCLEAN_H

#include "err.h"
#include <stddef.h>
#include <stdint.h>

/* Clean an MP4 / a WebM file in place. 0, or ERR_INVALID with the reason
 * in e. */
int vidclean_mp4(uint8_t *data, size_t len, struct err_detail *e);
int vidclean_webm(uint8_t *data, size_t len, struct err_detail *e);

#endif
