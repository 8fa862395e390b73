/* rtc.c — helpers around one webrtcbin: ICE settings, promise replies,
 * random session ids, offer parsing and answer text.
 *
 * Owns nothing beyond a call. Must never: block longer than a promise
 * already answered, post to the main loop, or keep pointers it was given.
 * Called by whip.c (and by any other webrtcbin engine in media/).
 */
#include "rtc.h"

#include "err.h"
#include "log.h"
#include "mainctx.h"
#include "sdp.h"

#include <gst/sdp/sdp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define TAG "rtc"

/* A deferred call of fn(obj, p); holds refs on both. */
struct call {
	const struct rtc_owner *o;
	void *obj;
	GstPromise *p;
	rtc_call_fn fn;
};

static void call_free(gpointer data)
{
	struct call *c = data;

	if (c->p)
		gst_promise_unref(c->p);
	c->o->unref(c->obj);
	g_free(c);
}

static gboolean call_idle(gpointer data)
{
	struct call *c = data;

	if (!c->o->closed(c->obj))
		c->fn(c->obj, c->p);
	return G_SOURCE_REMOVE;
}

void rtc_post(const struct rtc_owner *o, void *obj, rtc_call_fn fn,
              GstPromise *p)
{
	struct call *c = g_new0(struct call, 1);

	c->o = o;
	c->obj = o->ref(obj);
	c->p = p ? gst_promise_ref(p) : NULL;
	c->fn = fn;
	mainctx_post(call_idle, c, call_free);
}

/* Runs on webrtcbin's thread: post and return; the creator reference of
 * the promise is released here, after the posted call took its own. */
static void promise_cb(GstPromise *p, gpointer data)
{
	struct call *tmpl = data;

	rtc_post(tmpl->o, tmpl->obj, tmpl->fn, p);
	gst_promise_unref(p);
}

GstPromise *rtc_promise_to(const struct rtc_owner *o, void *obj, rtc_call_fn fn)
{
	struct call *tmpl = g_new0(struct call, 1);

	tmpl->o = o;
	tmpl->obj = o->ref(obj);
	tmpl->fn = fn;
	return gst_promise_new_with_change_func(promise_cb, tmpl, call_free);
}

/* libnice tries UPnP by default: one discovery per agent, and warnings
 * from its UPnP context when sessions come and go quickly. */
static void no_upnp(GstWebRTCICE *ice)
{
	GObject *nice = NULL;

	if (!g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent"))
		return;
	g_object_get(ice, "agent", &nice, NULL);
	if (nice &&
	    g_object_class_find_property(G_OBJECT_GET_CLASS(nice), "upnp"))
		g_object_set(nice, "upnp", FALSE, NULL);
	if (nice)
		g_object_unref(nice);
}

void rtc_configure_ice(GstElement *webrtc, const struct rtc_ice *ice)
{
	GstWebRTCICE *agent = NULL;
	gboolean ok = FALSE;

	g_object_set(webrtc, "bundle-policy",
	             GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
	if (ice->stun)
		g_object_set(webrtc, "stun-server", ice->stun, NULL);
	for (char *const *t = ice->turns; t && *t; t++)
		g_signal_emit_by_name(webrtc, "add-turn-server", *t, &ok);
	ok = FALSE;
	g_object_get(webrtc, "ice-agent", &agent, NULL);
	if (!agent) {
		log_warn(TAG, "webrtcbin has no ICE agent to configure");
		return;
	}
	no_upnp(agent);
	if (ice->loopback_only)
		g_signal_emit_by_name(agent, "add-local-ip-address",
		                      "127.0.0.1", &ok);
	gst_object_unref(agent);
	if (ice->loopback_only && !ok)
		log_warn(TAG, "cannot restrict ICE to 127.0.0.1");
}

bool rtc_reply_ok(GstPromise *p, const GstStructure **reply, const char **why)
{
	const GstStructure *r;

	*reply = NULL;
	if (gst_promise_wait(p) != GST_PROMISE_RESULT_REPLIED) {
		*why = "webrtcbin did not reply";
		return false;
	}
	r = gst_promise_get_reply(p);
	if (r && gst_structure_has_field(r, "error")) {
		GError *gerr = NULL;

		gst_structure_get(r, "error", G_TYPE_ERROR, &gerr, NULL);
		log_warn(TAG, "webrtcbin: %s", gerr ? gerr->message : "?");
		g_clear_error(&gerr);
		*why = "webrtcbin refused the description";
		return false;
	}
	*reply = r;
	*why = NULL;
	return true;
}

void rtc_random_id(char out[RTC_ID_LEN])
{
	guint8 raw[16];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		for (size_t i = 0; i < sizeof(raw); i++)
			raw[i] = (guint8)g_random_int();
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

int rtc_parse_offer(const char *offer, size_t len,
                    GstWebRTCSessionDescription **out, int *mdns_dropped)
{
	GstSDPMessage *sdp = NULL;
	char *text = NULL;
	int dropped = 0;

	*out = NULL;
	if (sdp_drop_mdns_candidates(offer, len, &text, &dropped) != 0)
		return ERR_NOMEM;
	if (mdns_dropped)
		*mdns_dropped = dropped;
	if (gst_sdp_message_new_from_text(text, &sdp) != GST_SDP_OK) {
		free(text);
		if (sdp)
			gst_sdp_message_free(sdp);
		return ERR_INVALID;
	}
	free(text);
	*out =
	    gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);
	return 0;
}

char *rtc_local_sdp(GstElement *webrtc, const struct rtc_ice *ice)
{
	GstWebRTCSessionDescription *desc = NULL;
	char *text, *rewritten = NULL;

	g_object_get(webrtc, "local-description", &desc, NULL);
	if (!desc)
		return NULL;
	text = gst_sdp_message_as_text(desc->sdp);
	gst_webrtc_session_description_free(desc);
	if (ice->public_ip &&
	    sdp_rewrite_host_ip(text, ice->public_ip, &rewritten) == 0) {
		g_free(text);
		text = g_strdup(rewritten);
		free(rewritten);
	}
	return text;
}

/* The first payload type of section m whose rtpmap names enc, preferring
 * (for H.264) packetization-mode=1; -1 if none. Any H.264 profile will do:
 * we decode it, whatever browsers could play. */
int rtc_media_find_pt(const GstSDPMedia *m, const char *enc)
{
	int best = -1;

	for (guint i = 0; i < gst_sdp_media_formats_len(m); i++) {
		int pt = atoi(gst_sdp_media_get_format(m, i));
		GstCaps *caps = gst_sdp_media_get_caps_from_media(m, pt);
		const GstStructure *st;
		const char *name, *mode;

		if (!caps)
			continue;
		st = gst_caps_get_structure(caps, 0);
		name = gst_structure_get_string(st, "encoding-name");
		mode = gst_structure_get_string(st, "packetization-mode");
		if (name && !g_ascii_strcasecmp(name, enc)) {
			if (best < 0)
				best = pt;
			if (mode && !strcmp(mode, "1")) {
				best = pt;
				gst_caps_unref(caps);
				break;
			}
		}
		gst_caps_unref(caps);
	}
	return best;
}

/* webrtcbin 1.22 wants setup, fingerprint and ICE credentials in every
 * section; some WHIP clients (OBS's test data, libdatachannel) give them
 * once at session level. Copy them down. */
void rtc_offer_attrs_down(GstSDPMessage *sdp)
{
	static const char *const keys[] = {"setup", "fingerprint", "ice-ufrag",
	                                   "ice-pwd"};

	for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
		const char *v = gst_sdp_message_get_attribute_val(sdp, keys[k]);

		if (!v)
			continue;
		for (guint i = 0; i < gst_sdp_message_medias_len(sdp); i++) {
			GstSDPMedia *m =
			    (GstSDPMedia *)gst_sdp_message_get_media(sdp, i);

			if (!gst_sdp_media_get_attribute_val(m, keys[k]))
				gst_sdp_media_add_attribute(m, keys[k], v);
		}
	}
}
