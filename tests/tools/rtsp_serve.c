/* rtsp_serve.c — a camera for tests: serves rtsp://127.0.0.1:PORT/cam.
 *
 *   rtsp_serve PORT [--video-only]
 *
 * A moving ball (640x360@30, H.264) and a tone (Opus), or the picture
 * alone with --video-only, from one shared media (gst-rtsp-server), on
 * loopback only. PORT 0 picks a free port. Once listening it prints one
 * line "PORT n" on stdout; it runs until SIGTERM or SIGINT, then closes
 * its clients and exits 0. Exits 1 when it cannot listen, 2 on bad usage.
 * Built with the tests when media is on; tests/integration/rtsp.test.mjs
 * finds it through $SINIAN_RTSP_SERVE.
 */
#include "rtsp_testsrv.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static gboolean on_signal(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_CONTINUE;
}

static int usage(void)
{
	fprintf(stderr, "usage: rtsp_serve PORT [--video-only]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct rtsp_testsrv srv = {0};
	const char *launch = RTSP_TESTSRV_AV;
	GMainLoop *loop;
	guint sigterm, sigint;
	char err[256], *end;
	long port;
	int rc = 0;

	if (argc < 2 || argc > 3)
		return usage();
	port = strtol(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || port < 0 || port > 65535)
		return usage();
	if (argc == 3) {
		if (strcmp(argv[2], "--video-only") != 0)
			return usage();
		launch = RTSP_TESTSRV_VIDEO;
	}
	gst_init(NULL, NULL);
	loop = g_main_loop_new(NULL, FALSE);
	sigterm = g_unix_signal_add(SIGTERM, on_signal, loop);
	sigint = g_unix_signal_add(SIGINT, on_signal, loop);
	if (rtsp_testsrv_start(&srv, (int)port, launch, err, sizeof(err))) {
		fprintf(stderr, "rtsp_serve: %s\n", err);
		rc = 1;
		goto out_free_loop;
	}
	printf("PORT %d\n", srv.port);
	fflush(stdout);
	g_main_loop_run(loop);
	rtsp_testsrv_stop(&srv);
out_free_loop:
	g_source_remove(sigint);
	g_source_remove(sigterm);
	g_main_loop_unref(loop);
	return rc;
}
