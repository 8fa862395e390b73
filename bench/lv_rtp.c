/* lv_rtp.c — RTP counting, key frame detection and receiver reports for
 * the load client.
 *
 * Owns: per-stream delivery counters and report state. Must never: read
 * past a packet or decode media. Called by lv_peer.c on the viewer's
 * worker thread; lviewers.c reads the published counters.
 */
#include "lv_rtp.h"

#include "be.h"

#include <string.h>

#define NAL_IDR    5
#define NAL_SPS    7
#define NAL_STAP_A 24
#define NAL_FU_A   28

int lv_rtp_parse(const uint8_t *buf, size_t len, struct lv_rtp_hdr *h)
{
	size_t off = 12;
	size_t end = len;

	if (len < 12 || (buf[0] >> 6) != 2)
		return -1;
	off += 4u * (buf[0] & 0x0f);
	if (buf[0] & 0x10) { /* header extension */
		if (off + 4 > len)
			return -1;
		off += 4 + 4u * be_rd16(buf + off + 2);
	}
	if ((buf[0] & 0x20) && len > off) { /* padding */
		if (buf[len - 1] > len - off)
			return -1;
		end -= buf[len - 1];
	}
	if (off > end)
		return -1;
	h->marker = buf[1] & 0x80;
	h->pt = buf[1] & 0x7f;
	h->seq = be_rd16(buf + 2);
	h->ts = be_rd32(buf + 4);
	h->ssrc = be_rd32(buf + 8);
	h->payload_off = off;
	h->payload_len = end - off;
	return 0;
}

void lv_stream_init(struct lv_stream *s, uint32_t clock_rate)
{
	memset(s, 0, sizeof(*s));
	s->clock_rate = clock_rate;
}

static uint64_t expected_now(const struct lv_stream *s)
{
	return s->expected_before +
	       (s->have ? (uint64_t)(s->highest - s->base + 1) : 0);
}

void lv_stream_count(struct lv_stream *s, const struct lv_rtp_hdr *h,
                     int64_t now)
{
	double arrival = (double)now * s->clock_rate / 1e6, transit, d;

	if (!s->have || h->ssrc != s->ssrc) {
		s->expected_before = expected_now(s);
		s->have = true;
		s->ssrc = h->ssrc;
		s->base = s->highest = h->seq;
		s->received_base = s->received;
		s->expected_prior = s->received_prior = 0;
		s->jitter = 0;
		s->transit = arrival - h->ts;
		s->lsr_at_us = 0;
	} else {
		int64_t ext =
		    s->highest + (int16_t)(h->seq - (uint16_t)s->highest);

		if (ext > s->highest)
			s->highest = ext;
		if (ext < s->base)
			s->base = ext;
	}
	transit = arrival - h->ts;
	d = transit - s->transit;
	s->transit = transit;
	/* timestamps wrap: a jump of more than a minute is not jitter */
	if (d < 0)
		d = -d;
	if (d < 60.0 * s->clock_rate)
		s->jitter += (d - s->jitter) / 16;
	s->received++;
	if (h->marker)
		s->markers++;
	atomic_store_explicit(&s->pub_received, s->received,
	                      memory_order_relaxed);
	atomic_store_explicit(&s->pub_expected, expected_now(s),
	                      memory_order_relaxed);
	atomic_store_explicit(&s->pub_markers, s->markers,
	                      memory_order_relaxed);
	atomic_store_explicit(&s->pub_last_us, now, memory_order_relaxed);
}

void lv_stream_sr(struct lv_stream *s, uint32_t ssrc, uint64_t ntp, int64_t now)
{
	if (!s->have || ssrc != s->ssrc)
		return;
	s->lsr = (uint32_t)(ntp >> 16);
	s->lsr_at_us = now;
}

bool lv_stream_report(struct lv_stream *s, int64_t now, uint8_t out[24])
{
	uint64_t expected, received, exp_int, rec_int, lost_int;
	int64_t lost;
	uint32_t fraction = 0, dlsr = 0;

	if (!s->have)
		return false;
	expected = (uint64_t)(s->highest - s->base + 1);
	received = s->received - s->received_base;
	lost = (int64_t)expected - (int64_t)received;
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	exp_int = expected - s->expected_prior;
	rec_int = received - s->received_prior;
	s->expected_prior = expected;
	s->received_prior = received;
	lost_int = exp_int > rec_int ? exp_int - rec_int : 0;
	if (exp_int)
		fraction = (uint32_t)((lost_int << 8) / exp_int);
	if (s->lsr_at_us)
		dlsr = (uint32_t)((now - s->lsr_at_us) * 65536 / 1000000);
	be_wr32(out, s->ssrc);
	be_wr32(out + 4, fraction << 24 | ((uint32_t)lost & 0xffffff));
	be_wr32(out + 8, (uint32_t)s->highest);
	be_wr32(out + 12, (uint32_t)s->jitter);
	be_wr32(out + 16, s->lsr_at_us ? s->lsr : 0);
	be_wr32(out + 20, dlsr);
	return true;
}

size_t lv_rtcp_rr(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname,
                  struct lv_stream *const *st, int nst, int64_t now)
{
	size_t cl = strlen(cname), sdes, off = 8;
	int blocks = 0;

	if (cl > 255 || cap < 8 + 24u * (unsigned)nst + 12 + cl + 4)
		return 0;
	for (int i = 0; i < nst && blocks < 31; i++)
		if (lv_stream_report(st[i], now, buf + off)) {
			off += 24;
			blocks++;
		}
	buf[0] = (uint8_t)(0x80 | blocks);
	buf[1] = 201;
	buf[2] = (uint8_t)((off / 4 - 1) >> 8);
	buf[3] = (uint8_t)(off / 4 - 1);
	be_wr32(buf + 4, ssrc);
	/* SDES: one chunk, CNAME, END, padded to 32 bits */
	sdes = 4 + 4 + 2 + cl + 1;
	sdes = (sdes + 3) & ~(size_t)3;
	memset(buf + off, 0, sdes);
	buf[off] = 0x81;
	buf[off + 1] = 202;
	buf[off + 2] = (uint8_t)((sdes / 4 - 1) >> 8);
	buf[off + 3] = (uint8_t)(sdes / 4 - 1);
	be_wr32(buf + off + 4, ssrc);
	buf[off + 8] = 1; /* CNAME */
	buf[off + 9] = (uint8_t)cl;
	memcpy(buf + off + 10, cname, cl);
	return off + sdes;
}

void lv_rtcp_each_sr(const uint8_t *buf, size_t len,
                     void (*fn)(void *user, uint32_t ssrc, uint64_t ntp),
                     void *user)
{
	size_t off = 0;

	while (off + 4 <= len) {
		size_t plen = 4 * ((size_t)be_rd16(buf + off + 2) + 1);

		if ((buf[off] >> 6) != 2 || off + plen > len)
			return;
		if (buf[off + 1] == 200 && plen >= 28)
			fn(user, be_rd32(buf + off + 4),
			   (uint64_t)be_rd32(buf + off + 8) << 32 |
			       be_rd32(buf + off + 12));
		off += plen;
	}
}

/* Does this payload start a NAL unit, and does it carry an IDR slice? */
static void nal_scan(const uint8_t *p, size_t n, bool *starts, bool *idr)
{
	uint8_t type;

	*starts = *idr = false;
	if (!n)
		return;
	type = p[0] & 0x1f;
	if (type >= 1 && type <= 23) {
		*starts = true;
		*idr = type == NAL_IDR;
	} else if (type == NAL_STAP_A) {
		*starts = true;
		for (size_t off = 1; off + 2 < n;) {
			size_t sz = be_rd16(p + off);

			if (off + 2 + sz > n || !sz)
				break;
			if ((p[off + 2] & 0x1f) == NAL_IDR)
				*idr = true;
			off += 2 + sz;
		}
	} else if (type == NAL_FU_A && n >= 2) {
		*starts = p[1] & 0x80;
		*idr = (p[1] & 0x1f) == NAL_IDR;
	}
}

bool lv_keyframe_feed(struct lv_keyframe *k, const struct lv_rtp_hdr *h,
                      const uint8_t *payload)
{
	bool starts, idr, follows;

	if (k->done)
		return false;
	nal_scan(payload, h->payload_len, &starts, &idr);
	follows = k->seen_any && h->seq == (uint16_t)(k->prev_seq + 1);
	if (!k->seen_any || h->ts != k->au_ts) {
		/* a new access unit: clean if it follows the previous one's
		 * last packet, or if it is the first packet and starts a NAL */
		k->au_ts = h->ts;
		k->au_clean = k->seen_any ? follows && k->prev_marker : starts;
		k->au_idr = false;
	} else if (!follows) {
		k->au_clean = false; /* a packet of this unit is missing */
	}
	k->au_idr |= idr;
	k->seen_any = true;
	k->prev_seq = h->seq;
	k->prev_marker = h->marker;
	if (h->marker && k->au_clean && k->au_idr)
		k->done = true;
	return k->done;
}
