/* codecs.h — what one viewer is sent: codec, payload types and RTP caps,
 * chosen from its inspected offer and what the encoder can produce; and
 * the two small adaptations each packet and caps event need on the way
 * from the shared encoder to that viewer. Used by viewer.c.
 */
#ifndef SINIAN_CODECS_H
#define SINIAN_CODECS_H

#include "encoder.h"
#include "sdp.h"

#include <gst/gst.h>
#include <stdbool.h>
#include <stddef.h>

enum { CODECS_VIDEO = 0, CODECS_AUDIO = 1 };

struct codecs_choice {
	bool vp8;                      /* video is VP8 (else H.264) */
	int mline[2];                  /* m-line index per kind, -1: none */
	int pt[2];                     /* payload type the viewer expects */
	int src_pt[2];                 /* payload type the encoder produces */
	enum encoder_stream stream[2]; /* the encoder tee to take it from */
	GstCaps *caps[2];              /* codec preference (owned) */
};

/* Fill *out from info (role viewer; H.264 constrained-baseline family,
 * else VP8 (the encoder's VP8 branch is started), plus Opus if offered).
 * 0, ERR_INVALID (not a viewer offer) or ERR_UNSUPPORTED (no video we
 * can send, code "unsupported_codec"), with e filled. Release with
 * codecs_clear(). */
int codecs_choose(struct encoder *enc, const struct sdp_offer_info *info,
                  struct codecs_choice *out, struct err_detail *e);
void codecs_clear(struct codecs_choice *c);

/* The encoder's RTP caps with the viewer's codec fields (payload,
 * profile-level-id, ...) from pref. Caller owns the result. */
GstCaps *codecs_adapt_caps(const GstCaps *in, const GstCaps *pref);
/* Give an RTP packet another payload type; buf is shared with other
 * viewers, so the header is rewritten in a copy (transfer full). */
GstBuffer *codecs_set_pt(GstBuffer *buf, int pt);

#endif
