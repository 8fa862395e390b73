/* keyframe.c — coalescing of key frame requests in front of an encoder.
 *
 * Owns: two probes on one encoder's src pad (upstream GstForceKeyUnit
 * events, outgoing buffers) and the small state between them: is a key
 * frame pending, when did the last one leave. Must never: block a
 * streaming thread (a mutex held for a few instructions only) or drop an
 * application request while no key frame is on its way. Called by
 * encoder.c.
 */
#include "keyframe.h"

#include <gst/video/video.h>
#include <stdbool.h>

#define API_FIELD "sinian-api"

struct keyframe_gate {
	GstPad *pad;
	gulong event_probe, buffer_probe;
	GMutex lock;
	bool pending;
	gint64 pending_since_us, last_out_us;
	unsigned forced, produced;
};

static GstPadProbeReturn on_event(GstPad *pad, GstPadProbeInfo *info,
                                  gpointer data)
{
	struct keyframe_gate *g = data;
	GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
	const GstStructure *s;
	gboolean api = FALSE;
	gint64 now = g_get_monotonic_time();
	bool pass;

	if (!gst_video_event_is_force_key_unit(ev))
		return GST_PAD_PROBE_OK;
	s = gst_event_get_structure(ev);
	gst_structure_get_boolean(s, API_FIELD, &api);
	g_mutex_lock(&g->lock);
	if (g->pending &&
	    now - g->pending_since_us > KEYFRAME_PENDING_MS * 1000)
		g->pending = false; /* never served: let the next one try */
	pass = !g->pending &&
	       (api || g->produced == 0 ||
	        now - g->last_out_us >= KEYFRAME_PLI_FLOOR_MS * 1000);
	if (pass) {
		g->pending = true;
		g->pending_since_us = now;
		g->forced++;
	}
	g_mutex_unlock(&g->lock);
	return pass ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

static GstPadProbeReturn on_buffer(GstPad *pad, GstPadProbeInfo *info,
                                   gpointer data)
{
	struct keyframe_gate *g = data;
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);

	if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT))
		return GST_PAD_PROBE_OK;
	g_mutex_lock(&g->lock);
	g->pending = false;
	g->last_out_us = g_get_monotonic_time();
	g->produced++;
	g_mutex_unlock(&g->lock);
	return GST_PAD_PROBE_OK;
}

struct keyframe_gate *keyframe_gate_new(GstPad *encoder_src)
{
	struct keyframe_gate *g = g_new0(struct keyframe_gate, 1);

	g_mutex_init(&g->lock);
	g->pad = gst_object_ref(encoder_src);
	g->event_probe = gst_pad_add_probe(
	    g->pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_event, g, NULL);
	g->buffer_probe = gst_pad_add_probe(g->pad, GST_PAD_PROBE_TYPE_BUFFER,
	                                    on_buffer, g, NULL);
	return g;
}

void keyframe_gate_free(struct keyframe_gate *g)
{
	if (!g)
		return;
	gst_pad_remove_probe(g->pad, g->event_probe);
	gst_pad_remove_probe(g->pad, g->buffer_probe);
	gst_object_unref(g->pad);
	g_mutex_clear(&g->lock);
	g_free(g);
}

GstEvent *keyframe_event_new(gboolean api)
{
	GstEvent *ev = gst_video_event_new_upstream_force_key_unit(
	    GST_CLOCK_TIME_NONE, TRUE, 0);

	if (api)
		gst_structure_set(gst_event_writable_structure(ev), API_FIELD,
		                  G_TYPE_BOOLEAN, TRUE, NULL);
	return ev;
}

void keyframe_gate_request(struct keyframe_gate *g)
{
	GstEvent *ev = keyframe_event_new(TRUE);

	/* Sent to the encoder's src pad, as a PLI would arrive: the probe
	 * sees both the same way. */
	gst_pad_send_event(g->pad, ev);
}

unsigned keyframe_gate_forced(struct keyframe_gate *g)
{
	unsigned n;

	g_mutex_lock(&g->lock);
	n = g->forced;
	g_mutex_unlock(&g->lock);
	return n;
}

unsigned keyframe_gate_produced(struct keyframe_gate *g)
{
	unsigned n;

	g_mutex_lock(&g->lock);
	n = g->produced;
	g_mutex_unlock(&g->lock);
	return n;
}
