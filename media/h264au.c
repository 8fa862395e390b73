/* h264au.c — joins the pieces of one H.264 picture and tidies it.
 *
 * Owns: the picture being assembled (a buffer list of pieces with one
 * timestamp) and the byte-stream scanning that finds NAL units. Must
 * never: read past a buffer (every start code and NAL header is bounds
 * checked), reorder NAL units, or hold more than one picture. Called by
 * whip.c on the depayloader's src pad.
 */
#include "h264au.h"

#include <stdbool.h>
#include <string.h>

enum {
	NAL_SLICE = 1,
	NAL_IDR = 5,
	NAL_SPS = 7,
	NAL_PPS = 8,
	NAL_AUD = 9,
};

struct h264au {
	GstBuffer *pending; /* pieces joined so far, or NULL */
};

struct h264au *h264au_new(void)
{
	return g_new0(struct h264au, 1);
}

void h264au_free(struct h264au *a)
{
	if (!a)
		return;
	if (a->pending)
		gst_buffer_unref(a->pending);
	g_free(a);
}

/* Offset of the next start code (00 00 01) at or after off, or n. */
static size_t next_start(const guint8 *d, size_t n, size_t off)
{
	for (size_t i = off; i + 3 <= n; i++)
		if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1)
			return i;
	return n;
}

/* Walk the NAL units of d[0..n): calls keep(type) for each and copies
 * the kept ones (with a 4-byte start code) to out when out is not NULL.
 * Returns how many were dropped. */
static unsigned filter(const guint8 *d, size_t n, GByteArray *out)
{
	static const guint8 sc[4] = {0, 0, 0, 1};
	size_t s = next_start(d, n, 0);
	bool seen_slice = false;
	unsigned dropped = 0;

	while (s < n) {
		size_t body = s + 3, end = next_start(d, n, body), e = end;
		int type;

		/* the zero before a 4-byte start code belongs to it */
		while (e > body && d[e - 1] == 0 && e < n)
			e--;
		if (body >= n)
			break;
		type = d[body] & 0x1f;
		if (seen_slice &&
		    (type == NAL_SPS || type == NAL_PPS || type == NAL_AUD)) {
			dropped++;
		} else if (out) {
			g_byte_array_append(out, sc, sizeof(sc));
			g_byte_array_append(out, d + body, (guint)(e - body));
		}
		if (type >= NAL_SLICE && type <= NAL_IDR)
			seen_slice = true;
		s = end;
	}
	return dropped;
}

GstBuffer *h264au_tidy(GstBuffer *buf)
{
	GstMapInfo m;
	GByteArray *out;
	GstBuffer *copy;
	gsize len;

	if (!gst_buffer_map(buf, &m, GST_MAP_READ))
		return buf;
	if (filter(m.data, m.size, NULL) == 0) {
		gst_buffer_unmap(buf, &m);
		return buf;
	}
	out = g_byte_array_sized_new((guint)m.size);
	filter(m.data, m.size, out);
	gst_buffer_unmap(buf, &m);
	len = out->len;
	copy = gst_buffer_new_wrapped(g_byte_array_free(out, FALSE), len);
	gst_buffer_copy_into(copy, buf, GST_BUFFER_COPY_METADATA, 0, -1);
	gst_buffer_unref(buf);
	return copy;
}

GstBuffer *h264au_push(struct h264au *a, GstBuffer *buf)
{
	GstBuffer *done = NULL;

	if (a->pending && GST_BUFFER_PTS(a->pending) != GST_BUFFER_PTS(buf)) {
		done = a->pending; /* its marker never came: as it is */
		a->pending = NULL;
	}
	if (a->pending) {
		bool delta =
		    GST_BUFFER_FLAG_IS_SET(a->pending,
		                           GST_BUFFER_FLAG_DELTA_UNIT) &&
		    GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
		bool marker =
		    GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_MARKER);

		a->pending = gst_buffer_append(a->pending, buf);
		if (delta)
			GST_BUFFER_FLAG_SET(a->pending,
			                    GST_BUFFER_FLAG_DELTA_UNIT);
		else
			GST_BUFFER_FLAG_UNSET(a->pending,
			                      GST_BUFFER_FLAG_DELTA_UNIT);
		if (marker)
			GST_BUFFER_FLAG_SET(a->pending, GST_BUFFER_FLAG_MARKER);
	} else {
		a->pending = buf;
	}
	if (!done &&
	    GST_BUFFER_FLAG_IS_SET(a->pending, GST_BUFFER_FLAG_MARKER)) {
		done = a->pending;
		a->pending = NULL;
	}
	return done ? h264au_tidy(done) : NULL;
}
