/* test_hls.c — HLS packaging for real: the encoder with the test source,
 * the segments hlssink2 writes read back with tsdemux. The video in them
 * is the encoder's own (the same SPS and the same key frame slices, byte
 * for byte: no second encode), the audio is AAC, the playlist slides,
 * names from outside are refused, and stopping removes the files. */
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

START_TEST(segments_carry_the_encoders_own_video)
{
	struct encoder_config ec = {640, 360, 30, 800, 0, 30, 0};
	struct source_format f = {640, 360, 30};
	char *dir = g_dir_make_tmp("sinian-hls-XXXXXX", NULL);
	char *sub = g_build_filename(dir, "7", NULL);
	struct encoder *enc = NULL;
	struct input *in = NULL;
	struct source *src = NULL;
	struct hls *h = NULL;
	struct tap es, ts;
	char err[256] = "", path[1200];
	GPtrArray *segs;
	GstPad *teesink;
	int aac = 0;

	tap_init(&es);
	tap_init(&ts);
	ck_assert_int_eq(encoder_new(&ec, &enc, err, sizeof(err)), 0);
	teesink = gst_element_get_static_pad(encoder_tee(enc, ENCODER_H264_ES),
	                                     "sink");
	gst_pad_add_probe(teesink, GST_PAD_PROBE_TYPE_BUFFER, es_probe, &es,
	                  NULL);
	ck_assert_int_eq(
	    input_new(enc, NULL, NULL, NULL, &in, err, sizeof(err)), 0);
	ck_assert_int_eq(source_new_test(&f, "HLS", &src, err, sizeof(err)), 0);
	ck_assert_int_eq(input_set_live(in, src), 0);
	ck_assert_int_eq(hls_start(enc, sub, 1, &h, err, sizeof(err)), 0);
	for (int i = 0; i < 100 && hls_segments(h) < HLS_WINDOW + 2; i++)
		run_for(100);
	ck_assert_uint_ge(hls_segments(h), HLS_WINDOW + 2);

	/* a sliding window of HLS_WINDOW segments of about a second */
	segs = playlist_segments(sub);
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

	hls_stop(h);
	ck_assert(!g_file_test(sub, G_FILE_TEST_EXISTS));
	input_free(in);
	encoder_free(enc);
	gst_object_unref(teesink);
	tap_clear(&es);
	tap_clear(&ts);
	g_rmdir(dir);
	g_free(sub);
	g_free(dir);
}
END_TEST

START_TEST(refusals)
{
	struct encoder_config ec = {320, 240, 30, 300, 0, 0, 0};
	struct encoder *enc = NULL;
	struct hls *h = NULL;
	char err[256];

	ck_assert_int_eq(encoder_new(&ec, &enc, err, sizeof(err)), 0);
	ck_assert_int_eq(hls_start(enc, "", 1, &h, err, sizeof(err)),
	                 ERR_INVALID);
	ck_assert_int_eq(hls_start(enc, "/tmp/x", 0, &h, err, sizeof(err)),
	                 ERR_INVALID);
	ck_assert_int_eq(
	    hls_start(enc, "/tmp/x", HLS_SEGMENT_MAX + 1, &h, err, sizeof(err)),
	    ERR_INVALID);
	ck_assert_int_eq(
	    hls_start(enc, "/proc/sinian-no/hls", 1, &h, err, sizeof(err)),
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
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(hls_suite)
