/* codecs.c — choosing and adapting what one viewer is sent.
 *
 * Owns: the mapping from an inspected offer to codec, payload types and
 * webrtcbin codec preferences; the per-packet payload type rewrite and
 * per-viewer caps a shared RTP stream needs. Must never: change a packet
 * other viewers also hold (copies are made), or accept a viewer offer
 * whose video we cannot send. Called by viewer.c.
 */
#include "codecs.h"

#include "err.h"

#include <gst/rtp/gstrtpbuffer.h>
#include <stdio.h>
#include <string.h>

int codecs_choose(struct encoder *enc, const struct sdp_offer_info *info,
                  struct codecs_choice *v, struct err_detail *e)
{
	memset(v, 0, sizeof(*v));
	v->mline[CODECS_VIDEO] = v->mline[CODECS_AUDIO] = -1;
	if (info->role != SDP_ROLE_VIEWER) {
		return err_fail(e, ERR_INVALID, NULL,
		                "offer is %s, a viewer must receive "
		                "(recvonly or sendrecv)",
		                sdp_role_name(info->role));
	}
	if (info->video_index < 0) {
		return err_fail(e, ERR_UNSUPPORTED, "unsupported_codec",
		                "offer has no video we can send "
		                "(H.264 constrained baseline with "
		                "packetization-mode=1, or VP8)");
	}
	v->mline[CODECS_VIDEO] = info->video_index;
	if (info->h264_pt >= 0) {
		v->pt[CODECS_VIDEO] = info->h264_pt;
		v->src_pt[CODECS_VIDEO] = ENCODER_H264_PT;
		v->stream[CODECS_VIDEO] = ENCODER_H264_RTP;
		v->caps[CODECS_VIDEO] = gst_caps_new_simple(
		    "application/x-rtp", "media", G_TYPE_STRING, "video",
		    "encoding-name", G_TYPE_STRING, "H264", "payload",
		    G_TYPE_INT, info->h264_pt, "clock-rate", G_TYPE_INT, 90000,
		    "packetization-mode", G_TYPE_STRING, "1",
		    "profile-level-id", G_TYPE_STRING,
		    info->h264_profile_level_id, NULL);
	} else {
		if (encoder_enable_vp8(enc) != 0) {
			return err_fail(e, ERR_UNSUPPORTED, "unsupported_codec",
			                "offer has only VP8 and VP8 "
			                "encoding is unavailable");
		}
		v->vp8 = true;
		v->pt[CODECS_VIDEO] = info->vp8_pt;
		v->src_pt[CODECS_VIDEO] = ENCODER_VP8_PT;
		v->stream[CODECS_VIDEO] = ENCODER_VP8_RTP;
		v->caps[CODECS_VIDEO] = gst_caps_new_simple(
		    "application/x-rtp", "media", G_TYPE_STRING, "video",
		    "encoding-name", G_TYPE_STRING, "VP8", "payload",
		    G_TYPE_INT, info->vp8_pt, "clock-rate", G_TYPE_INT, 90000,
		    NULL);
	}
	v->mline[CODECS_AUDIO] = info->audio_index;
	if (info->audio_index >= 0) {
		v->pt[CODECS_AUDIO] = info->opus_pt;
		v->src_pt[CODECS_AUDIO] = ENCODER_OPUS_PT;
		v->stream[CODECS_AUDIO] = ENCODER_OPUS_RTP;
		v->caps[CODECS_AUDIO] = gst_caps_new_simple(
		    "application/x-rtp", "media", G_TYPE_STRING, "audio",
		    "encoding-name", G_TYPE_STRING, "OPUS", "payload",
		    G_TYPE_INT, info->opus_pt, "clock-rate", G_TYPE_INT, 48000,
		    NULL);
	}
	return 0;
}

void codecs_clear(struct codecs_choice *c)
{
	for (int k = 0; k < 2; k++)
		if (c->caps[k])
			gst_caps_unref(c->caps[k]);
	memset(c, 0, sizeof(*c));
	c->mline[CODECS_VIDEO] = c->mline[CODECS_AUDIO] = -1;
}

GstCaps *codecs_adapt_caps(const GstCaps *in, const GstCaps *pref)
{
	GstCaps *out = gst_caps_copy(in);
	GstStructure *dst = gst_caps_get_structure(out, 0);
	const GstStructure *src = gst_caps_get_structure(pref, 0);

	for (int i = 0; i < gst_structure_n_fields(src); i++) {
		const char *name = gst_structure_nth_field_name(src, i);

		gst_structure_set_value(dst, name,
		                        gst_structure_get_value(src, name));
	}
	return out;
}

GstBuffer *codecs_set_pt(GstBuffer *buf, int pt)
{
	GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

	buf = gst_buffer_make_writable(buf);
	if (gst_rtp_buffer_map(buf, GST_MAP_WRITE, &rtp)) {
		gst_rtp_buffer_set_payload_type(&rtp, (guint8)pt);
		gst_rtp_buffer_unmap(&rtp);
	}
	return buf;
}
