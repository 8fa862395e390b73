/* depay.c — the receive chains: depayloader, parser, decoder.
 *
 * Owns: the choice of chain per codec, the ghost pads that give callers a
 * fixed shape ("sink", "src", "h264"), and the joining of split pictures
 * on the H.264 depayloader's output. Must never: interpolate caller text
 * into a pipeline description (only fixed chains are parsed), block
 * (queues bound each branch to 0.5 s), or hand on half pictures. Called by
 * whip.c from webrtcbin's pad-added.
 */
#include "depay.h"

#include "h264au.h"

#define INQ                                                                    \
	"queue name=in max-size-buffers=0 max-size-bytes=0 "                   \
	"max-size-time=500000000 ! "

/* Ghost pad `name` on bin for pad `pad` of element `el` inside it; false
 * if there is no such element or pad. */
static bool ghost_of(GstElement *bin, const char *el, const char *pad,
                     const char *name)
{
	GstElement *e = gst_bin_get_by_name(GST_BIN(bin), el);
	GstPad *target, *ghost;
	bool ok = false;

	if (!e)
		return false;
	target = gst_element_get_static_pad(e, pad);
	if (target) {
		ghost = gst_ghost_pad_new(name, target);
		gst_pad_set_active(ghost, TRUE);
		ok = gst_element_add_pad(bin, ghost);
		gst_object_unref(target);
	}
	gst_object_unref(e);
	return ok;
}

/* Whole pictures out of the depayloader (see h264au.h). */
static GstPadProbeReturn au_probe(GstPad *pad, GstPadProbeInfo *info,
                                  gpointer data)
{
	GstBuffer *au = h264au_push(data, GST_PAD_PROBE_INFO_BUFFER(info));

	if (!au)
		return GST_PAD_PROBE_HANDLED; /* kept, or consumed */
	GST_PAD_PROBE_INFO_DATA(info) = au;
	return GST_PAD_PROBE_OK;
}

static void join_pictures(GstElement *bin)
{
	GstElement *depay = gst_bin_get_by_name(GST_BIN(bin), "depay");
	GstPad *pad;

	if (!depay)
		return;
	pad = gst_element_get_static_pad(depay, "src");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, au_probe,
	                  h264au_new(), (GDestroyNotify)h264au_free);
	gst_object_unref(pad);
	gst_object_unref(depay);
}

#define H264_SPLIT                                                             \
	"video/x-h264,stream-format=byte-stream,alignment=au ! h264parse ! "   \
	"tee name=t ! queue max-size-buffers=0 max-size-bytes=0 "              \
	"max-size-time=500000000 ! avdec_h264 name=dec t. ! queue name=hq "    \
	"max-size-buffers=0 max-size-bytes=0 max-size-time=500000000"

/* The chain for one codec, or NULL. The element "in" takes the RTP, "dec"
 * gives raw media and, for H.264, "hq" gives the access units. */
static const char *chain_for(bool video, const char *enc)
{
	if (video && !g_ascii_strcasecmp(enc, "H264"))
		return INQ "rtph264depay name=depay request-keyframe=true "
		           "wait-for-keyframe=true ! " H264_SPLIT;
	if (video && !g_ascii_strcasecmp(enc, "VP8"))
		return INQ "rtpvp8depay request-keyframe=true "
		           "wait-for-keyframe=true ! vp8dec name=dec";
	if (!video && !g_ascii_strcasecmp(enc, "OPUS"))
		return INQ "rtpopusdepay ! opusdec plc=true name=dec";
	return NULL;
}

/* Parse desc and give it the fixed pads; NULL if that fails. */
static GstElement *chain_new(const char *desc)
{
	GstElement *bin = gst_parse_bin_from_description(desc, FALSE, NULL);

	if (!bin)
		return NULL;
	if (!ghost_of(bin, "in", "sink", "sink") ||
	    !ghost_of(bin, "dec", "src", "src")) {
		gst_object_unref(gst_object_ref_sink(bin));
		return NULL;
	}
	(void)ghost_of(bin, "hq", "src", "h264"); /* H.264 only */
	join_pictures(bin);
	return bin;
}

GstElement *depay_bin_new(bool video, const char *enc)
{
	const char *desc = enc ? chain_for(video, enc) : NULL;

	return desc ? chain_new(desc) : NULL;
}

void depay_discard(GstElement *bin, GstPad *pad)
{
	GstElement *fake = gst_element_factory_make("fakesink", NULL);
	GstPad *sink;

	if (!fake)
		return;
	g_object_set(fake, "sync", FALSE, "async", FALSE, NULL);
	gst_bin_add(GST_BIN(bin), fake);
	sink = gst_element_get_static_pad(fake, "sink");
	gst_pad_link(pad, sink);
	gst_object_unref(sink);
	gst_element_sync_state_with_parent(fake);
}

GstElement *depay_h264_split_new(void)
{
	return chain_new("queue name=in max-size-buffers=0 max-size-bytes=0 "
	                 "max-size-time=500000000 ! h264parse ! " H264_SPLIT);
}
