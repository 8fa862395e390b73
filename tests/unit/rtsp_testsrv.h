/* rtsp_testsrv.h — a real RTSP server (gst-rtsp-server) on 127.0.0.1 for
 * the tests of the RTSP source: one shared mount /cam fed by a launch line,
 * listening on the default GLib main context, so whoever runs that context
 * (a test's loop, tests/tools/rtsp_serve.c) serves it.
 *
 * Header-only, for the test programs that include it (each is one file).
 * gst-rtsp-server comes from scripts/deps.sh (libgstrtspserver-1.0-dev).
 */
#ifndef SINIAN_RTSP_TESTSRV_H
#define SINIAN_RTSP_TESTSRV_H

#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <stdio.h>

/* A camera: a moving ball (640x360@30, H.264) and a tone (Opus). */
#define RTSP_TESTSRV_AV                                                        \
	"( videotestsrc is-live=true pattern=ball ! "                          \
	"video/x-raw,width=640,height=360,framerate=30/1 ! "                   \
	"x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! "    \
	"rtph264pay name=pay0 pt=96 "                                          \
	"audiotestsrc is-live=true ! opusenc ! rtpopuspay name=pay1 pt=97 )"
/* A camera without a microphone: the same picture, no audio stream. */
#define RTSP_TESTSRV_VIDEO                                                     \
	"( videotestsrc is-live=true pattern=ball ! "                          \
	"video/x-raw,width=640,height=360,framerate=30/1 ! "                   \
	"x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! "    \
	"rtph264pay name=pay0 pt=96 )"

#define RTSP_TESTSRV_PATH "/cam"

struct rtsp_testsrv {
	GstRTSPServer *server;
	guint watch; /* the listening socket, on the default main context */
	int port;
	char url[64]; /* rtsp://127.0.0.1:PORT/cam */
};

/* Mount launch at /cam of a running server (the camera's stream appears):
 * one shared media for every client. */
static inline void rtsp_testsrv_mount(struct rtsp_testsrv *t,
                                      const char *launch)
{
	GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
	GstRTSPMountPoints *mounts =
	    gst_rtsp_server_get_mount_points(t->server);

	gst_rtsp_media_factory_set_launch(factory, launch);
	gst_rtsp_media_factory_set_shared(factory, TRUE);
	gst_rtsp_mount_points_add_factory(mounts, RTSP_TESTSRV_PATH, factory);
	g_object_unref(mounts);
}

/* Serve launch at rtsp://127.0.0.1:port/cam (port 0: a free one, then in
 * t->port); launch NULL mounts nothing (a server that answers 404). 0, or
 * -1 with err filled (the port is taken). */
static inline int rtsp_testsrv_start(struct rtsp_testsrv *t, int port,
                                     const char *launch, char *err,
                                     size_t errlen)
{
	GError *gerr = NULL;
	GSource *src;
	char service[16];

	t->server = gst_rtsp_server_new();
	snprintf(service, sizeof(service), "%d", port);
	gst_rtsp_server_set_address(t->server, "127.0.0.1");
	gst_rtsp_server_set_service(t->server, service);
	if (launch)
		rtsp_testsrv_mount(t, launch);
	src = gst_rtsp_server_create_source(t->server, NULL, &gerr);
	if (!src) {
		snprintf(err, errlen, "RTSP server on 127.0.0.1:%d: %s", port,
		         gerr ? gerr->message : "cannot listen");
		g_clear_error(&gerr);
		g_clear_object(&t->server);
		return -1;
	}
	t->watch = g_source_attach(src, NULL);
	g_source_unref(src);
	t->port = gst_rtsp_server_get_bound_port(t->server);
	snprintf(t->url, sizeof(t->url), "rtsp://127.0.0.1:%d%s", t->port,
	         RTSP_TESTSRV_PATH);
	return 0;
}

static GstRTSPFilterResult
rtsp_testsrv_drop(GstRTSPServer *server, GstRTSPClient *client, gpointer data)
{
	return GST_RTSP_FILTER_REMOVE;
}

/* As a camera that goes away: no more listening, every client's connection
 * closed and its sessions' media torn down. The port is free afterwards.
 * A no-op on a stopped server. */
static inline void rtsp_testsrv_stop(struct rtsp_testsrv *t)
{
	GstRTSPMountPoints *mounts;

	if (!t->server)
		return;
	mounts = gst_rtsp_server_get_mount_points(t->server);
	gst_rtsp_mount_points_remove_factory(mounts, RTSP_TESTSRV_PATH);
	g_object_unref(mounts);
	g_source_remove(t->watch);
	t->watch = 0;
	gst_rtsp_server_client_filter(t->server, rtsp_testsrv_drop, NULL);
	g_clear_object(&t->server);
}

#endif
