/* test_hls.c — HLS packaging for real: the encoder with the test source,
 * the segments splitmuxsink writes read back with tsdemux. The video in them
 * is the encoder's own (the same SPS and the same key frame slices, byte
 * for byte: no second encode), the audio is AAC, the playlist slides,
 * names from outside are refused, stopping removes the files, and a key
 * frame others ask for between the GOPs does not cut a sliver. */
#include "encoder.h"
#include "err.h"
#include "gst_check_main.h"
#include "hls.h"
#include "input.h"
#include "source.h"

#include <check.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SPS and IDR slice NAL units (checksums, as hex strings) of an Annex B
 * byte stream, into sets. */
static void nal_units(const guint8 *d, gsize n, GHashTable *sps,
                      GHashTable *idr)
{
	gsize i = 0, start = 0;
	bool in = false;

	for (;; i++) {
		bool sc =
		    i + 3 <= n && d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1;
		if (sc || i >= n) {
			if (in) {
				gsize end = i;
				int type = d[start] & 0x1f;

				while (end > start && d[end - 1] == 0)
					end--; /* the zero of a 4-byte code */
				if (type == 7 || type == 5)
					g_hash_table_add(
					    type == 7 ? sps : idr,
					    g_compute_checksum_for_data(
					        G_CHECKSUM_SHA1, d + start,
					        end - start));
			}
			if (i >= n)
				break;
			start = i + 3;
			in = true;
			i += 2;
		}
	}
}

struct tap {
	GHashTable *sps, *idr;
};

static GstPadProbeReturn es_probe(GstPad *pad, GstPadProbeInfo *info,
                                  gpointer data)
{
	struct tap *t = data;
	GstMapInfo m;

	if (gst_buffer_map(GST_PAD_PROBE_INFO_BUFFER(info), &m, GST_MAP_READ)) {
		nal_units(m.data, m.size, t->sps, t->idr);
		gst_buffer_unmap(GST_PAD_PROBE_INFO_BUFFER(info), &m);
	}
	return GST_PAD_PROBE_OK;
}

/* What a segment holds: its H.264 NAL units and how many AAC frames. */
static int read_segment(const char *path, struct tap *t)
{
	char *desc = g_strdup_printf(
	    "filesrc location=\"%s\" ! tsdemux name=d "
	    "d. ! queue ! video/x-h264 ! appsink name=v sync=false "
	    "d. ! queue ! audio/mpeg,mpegversion=4 ! aacparse ! appsink name=a "
	    "sync=false",
	    path);
	GstElement *pipe = gst_parse_launch(desc, NULL);
	GstElement *v = gst_bin_get_by_name(GST_BIN(pipe), "v");
	GstElement *a = gst_bin_get_by_name(GST_BIN(pipe), "a");
	int aac = 0;
	GstSample *s;
	GstMapInfo m;

	g_free(desc);
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	for (int i = 0; i < 100 && !gst_app_sink_is_eos(GST_APP_SINK(v));) {
		if (!(s = gst_app_sink_try_pull_sample(GST_APP_SINK(v),
		                                       GST_SECOND / 10))) {
			i++;
			continue;
		}
		GstBuffer *b = gst_sample_get_buffer(s);

		gst_buffer_map(b, &m, GST_MAP_READ);
		nal_units(m.data, m.size, t->sps, t->idr);
		gst_buffer_unmap(b, &m);
		gst_sample_unref(s);
	}
	while ((s = gst_app_sink_try_pull_sample(GST_APP_SINK(a),
	                                         GST_SECOND / 2))) {
		aac++;
		gst_sample_unref(s);
	}
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(v);
	gst_object_unref(a);
	gst_object_unref(pipe);
	return aac;
}

static void tap_init(struct tap *t)
{
	t->sps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	t->idr = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static void tap_clear(struct tap *t)
{
	g_hash_table_unref(t->sps);
	g_hash_table_unref(t->idr);
}

/* Segment names in the playlist, in order. */
static GPtrArray *playlist_segments(const char *dir)
{
	char *path = g_build_filename(dir, HLS_PLAYLIST, NULL), *text = NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	char **lines;

	if (g_file_get_contents(path, &text, NULL, NULL)) {
		lines = g_strsplit(text, "\n", -1);
		for (char **l = lines; *l; l++)
			if (**l && **l != '#')
				g_ptr_array_add(out, g_strdup(*l));
		g_strfreev(lines);
	}
	g_free(text);
	g_free(path);
	return out;
}

/* The encoder with the test source at w x h, a probe on its H.264 tee,
 * and HLS packaging 1 s segments into a temporary directory, run until
 * the window is full and two segments have left it. */
struct rig {
	struct encoder *enc;
	struct input *in;
	struct hls *h;
	GstPad *teesink;
	char *dir, *sub;
};

static void rig_start(struct rig *r, int w, int h, GstPadProbeCallback probe,
                      void *data, struct encoder **enc_out)
{
	struct encoder_config ec = {w, h, 30, w > 320 ? 800 : 300, 0, 30, 0};
	struct source_format f = {w, h, 30};
	struct source *src = NULL;
	struct err_detail e = {0};

	r->dir = g_dir_make_tmp("sinian-hls-XXXXXX", NULL);
	r->sub = g_build_filename(r->dir, "7", NULL);
	ck_assert_int_eq(encoder_new(&ec, &r->enc, &e), 0);
	if (enc_out)
		*enc_out = r->enc;
	r->teesink = gst_element_get_static_pad(
	    encoder_tee(r->enc, ENCODER_H264_ES), "sink");
	gst_pad_add_probe(r->teesink, GST_PAD_PROBE_TYPE_BUFFER, probe, data,
	                  NULL);
	ck_assert_int_eq(input_new(r->enc, NULL, NULL, NULL, &r->in, &e), 0);
	ck_assert_int_eq(source_new_test(&f, "HLS", &src, &e), 0);
	ck_assert_int_eq(input_set_live(r->in, src), 0);
	ck_assert_int_eq(hls_start(r->enc, r->sub, 1, &r->h, &e), 0);
	for (int i = 0; i < 150 && hls_segments(r->h) < HLS_WINDOW + 2; i++)
		run_for(100);
	ck_assert_uint_ge(hls_segments(r->h), HLS_WINDOW + 2);
}

/* Stop packaging (its files go with it), then the encoder. */
static void rig_stop(struct rig *r)
{
	hls_stop(r->h);
	ck_assert(!g_file_test(r->sub, G_FILE_TEST_EXISTS));
	input_free(r->in);
	encoder_free(r->enc);
	gst_object_unref(r->teesink);
	g_rmdir(r->dir);
	g_free(r->sub);
	g_free(r->dir);
}

START_TEST(segments_carry_the_encoders_own_video)
{
	struct rig r;
	struct tap es, ts;
	char path[1200];
	GPtrArray *segs;
	struct hls *h;
	int aac = 0;

	tap_init(&es);
	tap_init(&ts);
	rig_start(&r, 640, 360, es_probe, &es, NULL);
	h = r.h;

	/* a sliding window of HLS_WINDOW segments of about a second */
	segs = playlist_segments(r.sub);
	ck_assert_uint_eq(segs->len, HLS_WINDOW);
	for (guint i = 0; i < segs->len; i++) {
		ck_assert_int_eq(
		    hls_file(h, g_ptr_array_index(segs, i), path, sizeof(path)),
		    0);
		ck_assert_msg(g_file_test(path, G_FILE_TEST_EXISTS), "%s",
		              path);
		aac += read_segment(path, &ts);
	}
	/* the encoder's SPS, its key frame slices byte for byte */
	ck_assert_uint_ge(g_hash_table_size(ts.sps), 1);
	ck_assert_uint_ge(g_hash_table_size(ts.idr), HLS_WINDOW - 1);
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, ts.sps);
	while (g_hash_table_iter_next(&it, &key, NULL))
		ck_assert_msg(g_hash_table_contains(es.sps, key),
		              "an SPS the encoder did not make");
	g_hash_table_iter_init(&it, ts.idr);
	while (g_hash_table_iter_next(&it, &key, NULL))
		ck_assert_msg(g_hash_table_contains(es.idr, key),
		              "a key frame the encoder did not make");
	/* AAC: about 47 frames a second at 48 kHz */
	ck_assert_int_gt(aac, 30 * HLS_WINDOW);

	/* only our names, never a path */
	ck_assert_int_eq(hls_file(h, HLS_PLAYLIST, path, sizeof(path)), 0);
	ck_assert_int_eq(hls_file(h, "../secret.key", path, sizeof(path)),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(hls_file(h, "s1-00001.ts", path, sizeof(path)),
	                 ERR_NOT_FOUND);
	ck_assert_int_eq(hls_file(h, g_ptr_array_index(segs, 0), path, 8),
	                 ERR_INVALID);
	g_ptr_array_unref(segs);

	rig_stop(&r);
	tap_clear(&es);
	tap_clear(&ts);
}
END_TEST

/* Key frames asked for by others (a joining viewer, the recorder) just
 * after each of the encoder's own: every other GOP is a sliver. */
struct asker {
	struct encoder *enc;
	GstClockTime key_pts;
	bool armed, pending;
	int asked;
};

static GstPadProbeReturn ask_probe(GstPad *pad, GstPadProbeInfo *info,
                                   gpointer data)
{
	struct asker *a = data;
	GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
	GstClockTime pts = GST_BUFFER_PTS(b);

	(void)pad;
	if (!GST_CLOCK_TIME_IS_VALID(pts))
		return GST_PAD_PROBE_OK;
	if (!GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT)) {
		a->armed = !a->pending; /* the encoder's own: ask after it */
		a->pending = false;
		a->key_pts = pts;
	} else if (a->armed && pts >= a->key_pts + GST_MSECOND * 150) {
		a->armed = false;
		a->pending = true;
		a->asked++;
		encoder_request_keyframe(a->enc);
	}
	return GST_PAD_PROBE_OK;
}

/* The EXTINF durations of the playlist, in order. */
static GArray *playlist_durations(const char *dir)
{
	char *path = g_build_filename(dir, HLS_PLAYLIST, NULL), *text = NULL;
	GArray *out = g_array_new(FALSE, FALSE, sizeof(double));

	if (g_file_get_contents(path, &text, NULL, NULL)) {
		for (const char *p = text; (p = strstr(p, "#EXTINF:")); p++) {
			double d = g_ascii_strtod(p + 8, NULL);
			g_array_append_val(out, d);
		}
	}
	g_free(text);
	g_free(path);
	return out;
}

START_TEST(a_key_frame_asked_for_between_gops_cuts_no_sliver)
{
	struct rig r;
	struct asker a = {0};
	GArray *d;

	a.pending = true; /* hls_start asks for the first */
	rig_start(&r, 320, 240, ask_probe, &a, &a.enc);
	ck_assert_int_ge(a.asked, 3);

	d = playlist_durations(r.sub);
	ck_assert_uint_eq(d->len, HLS_WINDOW);
	for (guint i = 0; i < d->len; i++) {
		double s = g_array_index(d, double, i);
		ck_assert_msg(s > 0.5 && s < 1.6, "segment %u of %.3f s", i, s);
	}
	g_array_unref(d);
	rig_stop(&r);
}
END_TEST

START_TEST(refusals)
{
	struct encoder_config ec = {320, 240, 30, 300, 0, 0, 0};
	struct encoder *enc = NULL;
	struct hls *h = NULL;
	struct err_detail e = {0};

	ck_assert_int_eq(encoder_new(&ec, &enc, &e), 0);
	ck_assert_int_eq(hls_start(enc, "", 1, &h, &e), ERR_INVALID);
	ck_assert_int_eq(hls_start(enc, "/tmp/x", 0, &h, &e), ERR_INVALID);
	ck_assert_int_eq(hls_start(enc, "/tmp/x", HLS_SEGMENT_MAX + 1, &h, &e),
	                 ERR_INVALID);
	ck_assert_int_eq(hls_start(enc, "/proc/sinian-no/hls", 1, &h, &e),
	                 ERR_IO);
	ck_assert_ptr_null(h);
	hls_stop(NULL);
	encoder_free(enc);
}
END_TEST

static Suite *hls_suite(void)
{
	Suite *s = suite_create("hls");
	TCase *tc = tcase_create("packaging");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, segments_carry_the_encoders_own_video);
	tcase_add_test(tc, a_key_frame_asked_for_between_gops_cuts_no_sliver);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(hls_suite)
