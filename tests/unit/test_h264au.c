/* test_h264au.c — pieces of one picture joined back, parameter sets
 * repeated inside a picture dropped, nothing read out of bounds, and
 * everything else left byte for byte as it was. Plain buffers: the
 * module sees nothing but what a depayloader hands it. */
#include "h264au.h"
#include "gst_check_main.h"

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* NAL units as (type, payload byte) pairs make a byte-stream buffer. */
static GstBuffer *au(const int *types, size_t n, GstClockTime pts, bool marker,
                     bool delta)
{
	GByteArray *a = g_byte_array_new();
	GstBuffer *b;
	gsize len;

	for (size_t i = 0; i < n; i++) {
		guint8 nal[7] = {
		    0,   0, 0, 1, (guint8)(0x60 | types[i]), (guint8)(0x80 + i),
		    0x42};

		g_byte_array_append(a, nal, sizeof(nal));
	}
	len = a->len;
	b = gst_buffer_new_wrapped(g_byte_array_free(a, FALSE), len);
	GST_BUFFER_PTS(b) = pts;
	if (marker)
		GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_MARKER);
	if (delta)
		GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_DELTA_UNIT);
	return b;
}

/* The NAL types in b, in order, written to out; returns the count. */
static size_t types_of(GstBuffer *b, int *out, size_t max)
{
	GstMapInfo m;
	size_t n = 0;

	ck_assert(gst_buffer_map(b, &m, GST_MAP_READ));
	for (size_t i = 0; i + 3 < m.size && n < max; i++)
		if (m.data[i] == 0 && m.data[i + 1] == 0 && m.data[i + 2] == 1)
			out[n++] = m.data[i + 3] & 0x1f;
	gst_buffer_unmap(b, &m);
	return n;
}

static void assert_types(GstBuffer *b, const int *want, size_t n)
{
	int got[32];
	size_t k = types_of(b, got, 32);

	ck_assert_uint_eq(k, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "NAL %zu: type %d, want %d", i,
		              got[i], want[i]);
}

START_TEST(tidy_drops_parameter_sets_after_the_first_slice)
{
	static const int in[] = {9, 7, 8, 6, 5, 9, 7, 8, 5};
	static const int want[] = {9, 7, 8, 6, 5, 5};
	GstBuffer *b = au(in, G_N_ELEMENTS(in), 40 * GST_MSECOND, true, false);
	GstBuffer *t = h264au_tidy(gst_buffer_ref(b));

	ck_assert_ptr_ne(t, b);
	assert_types(t, want, G_N_ELEMENTS(want));
	/* metadata kept */
	ck_assert_uint_eq(GST_BUFFER_PTS(t), 40 * GST_MSECOND);
	ck_assert(GST_BUFFER_FLAG_IS_SET(t, GST_BUFFER_FLAG_MARKER));
	ck_assert(!GST_BUFFER_FLAG_IS_SET(t, GST_BUFFER_FLAG_DELTA_UNIT));
	gst_buffer_unref(t);
	gst_buffer_unref(b);
}
END_TEST

START_TEST(tidy_leaves_a_clean_unit_untouched)
{
	static const int in[] = {7, 8, 5, 5};
	GstBuffer *b = au(in, G_N_ELEMENTS(in), 0, true, false);
	GstBuffer *t;

	gst_buffer_ref(b);
	t = h264au_tidy(b);
	ck_assert_ptr_eq(t, b); /* not even copied */
	assert_types(t, in, G_N_ELEMENTS(in));
	gst_buffer_unref(t);
	gst_buffer_unref(b);
}
END_TEST

/* Payload bytes survive, 3-byte start codes are understood, trailing
 * zeros of a 4-byte start code are not taken for payload. */
START_TEST(tidy_keeps_bytes_and_handles_short_start_codes)
{
	static const guint8 in[] = {0, 0, 1, 0x67, 0xAA, 0xBB,       /* SPS */
	                            0, 0, 0, 1,    0x65, 0x11, 0x22, /* IDR */
	                            0, 0, 1, 0x68, 0xCC,             /* PPS */
	                            0, 0, 0, 1,    0x65, 0x33, 0x44, 0x55};
	static const guint8 want[] = {0, 0, 0,    1,    0x67, 0xAA, 0xBB, 0,
	                              0, 0, 1,    0x65, 0x11, 0x22, 0,    0,
	                              0, 1, 0x65, 0x33, 0x44, 0x55};
	GstBuffer *b = gst_buffer_new_memdup(in, sizeof(in));
	GstMapInfo m;

	b = h264au_tidy(b);
	ck_assert(gst_buffer_map(b, &m, GST_MAP_READ));
	ck_assert_uint_eq(m.size, sizeof(want));
	ck_assert_mem_eq(m.data, want, sizeof(want));
	gst_buffer_unmap(b, &m);
	gst_buffer_unref(b);
}
END_TEST

/* Nothing that is not a well-formed stream makes it read out of bounds
 * (ASan watches) or lose bytes it cannot parse. */
START_TEST(tidy_survives_garbage)
{
	static const guint8 cases[][6] = {
	    {0, 0, 1, 0, 0, 0},    {0, 0, 0, 0, 0, 1},       {1, 2, 3, 4, 5, 6},
	    {0, 0, 1, 0x65, 0, 0}, {0x65, 0, 0, 1, 0x67, 0},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		for (size_t len = 0; len <= 6; len++) {
			GstBuffer *b =
			    len ? gst_buffer_new_memdup(cases[i], len)
			        : gst_buffer_new();

			b = h264au_tidy(b);
			ck_assert_ptr_nonnull(b);
			gst_buffer_unref(b);
		}
	}
}
END_TEST

/* The IDR of two slices, split by the depayloader at the repeated SPS,
 * comes out as one picture once its marker piece is in. */
START_TEST(push_joins_the_pieces_of_one_picture)
{
	static const int p1[] = {9, 7, 8, 5}, p2[] = {7, 8, 5};
	static const int want[] = {9, 7, 8, 5, 5};
	static const int pf[] = {9, 1, 1};
	struct h264au *a = h264au_new();
	GstBuffer *out;

	out = h264au_push(a, au(p1, 4, 1000, false, false));
	ck_assert_ptr_null(out);
	out = h264au_push(a, au(p2, 3, 1000, true, false));
	ck_assert_ptr_nonnull(out);
	assert_types(out, want, G_N_ELEMENTS(want));
	ck_assert_uint_eq(GST_BUFFER_PTS(out), 1000);
	ck_assert(!GST_BUFFER_FLAG_IS_SET(out, GST_BUFFER_FLAG_DELTA_UNIT));
	gst_buffer_unref(out);
	/* a whole P picture passes at once, still a delta unit */
	out = h264au_push(a, au(pf, 3, 2000, true, true));
	ck_assert_ptr_nonnull(out);
	assert_types(out, pf, 3);
	ck_assert(GST_BUFFER_FLAG_IS_SET(out, GST_BUFFER_FLAG_DELTA_UNIT));
	gst_buffer_unref(out);
	h264au_free(a);
}
END_TEST

/* A piece whose marker was lost is let go when the next picture starts;
 * the next picture then waits for its own end. */
START_TEST(push_lets_a_markerless_picture_go_on_the_next_timestamp)
{
	static const int p[] = {1, 1};
	struct h264au *a = h264au_new();
	GstBuffer *out;

	ck_assert_ptr_null(h264au_push(a, au(p, 2, 1000, false, true)));
	out = h264au_push(a, au(p, 2, 2000, true, true));
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(GST_BUFFER_PTS(out), 1000);
	gst_buffer_unref(out);
	out = h264au_push(a, au(p, 2, 3000, false, true));
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(GST_BUFFER_PTS(out), 2000);
	gst_buffer_unref(out);
	h264au_free(a); /* drops the 3000 piece */
	h264au_free(NULL);
}
END_TEST

static Suite *h264au_suite(void)
{
	Suite *s = suite_create("h264au");
	TCase *tc = tcase_create("units");

	tcase_add_test(tc, tidy_drops_parameter_sets_after_the_first_slice);
	tcase_add_test(tc, tidy_leaves_a_clean_unit_untouched);
	tcase_add_test(tc, tidy_keeps_bytes_and_handles_short_start_codes);
	tcase_add_test(tc, tidy_survives_garbage);
	tcase_add_test(tc, push_joins_the_pieces_of_one_picture);
	tcase_add_test(tc,
	               push_lets_a_markerless_picture_go_on_the_next_timestamp);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_GST_CHECK_MAIN(h264au_suite)
