/* h264au.h — whole H.264 access units out of what an RTP depayloader
 * gives.
 *
 * rtph264depay starts a new output buffer at every SPS or PPS, and some
 * senders (GStreamer's own rtph264pay with config-interval=-1, for one)
 * repeat the parameter sets before every slice of a key frame. A picture
 * of two slices then comes out as two "access units" with one slice each,
 * and anything downstream that trusts the boundaries (a parser, our
 * restamping pass-through, a viewer's decoder) shows half pictures. This
 * joins the pieces of one picture back (same timestamp, up to the buffer
 * carrying the RTP marker) and drops the parameter sets and delimiters
 * repeated after its first slice, which the standard does not allow
 * there. Not thread-safe: one assembler per stream, fed from its
 * streaming thread.
 */
#ifndef SINIAN_H264AU_H
#define SINIAN_H264AU_H

#include <gst/gst.h>

struct h264au;

struct h264au *h264au_new(void);
/* Free, dropping a picture still being assembled. NULL is a no-op. */
void h264au_free(struct h264au *a);

/* Feed one depayloaded buffer (byte-stream, ownership taken). Returns a
 * complete, tidied access unit (caller owns it) once the piece carrying
 * the RTP marker is in, else NULL. A picture whose marker never came is
 * returned as it is when a piece with another timestamp arrives (that
 * piece then waits for its own marker or the next timestamp). */
GstBuffer *h264au_push(struct h264au *a, GstBuffer *buf);

/* Remove SPS, PPS and access unit delimiters that follow the first slice
 * of buf (a byte-stream access unit). Returns buf itself if there are
 * none (transfer full in and out). */
GstBuffer *h264au_tidy(GstBuffer *buf);

#endif
