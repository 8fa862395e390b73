/* rtcp.c — compound RTCP parsing and building.
 *
 * Owns: the wire format of SR, RR, SDES, BYE, generic NACK, PLI and FIR.
 * Must never: read past the given length, loop on a zero length, or keep
 * more feedback than its fixed lists hold. Called by the lite engine,
 * tests and benches.
 */
#include "rtcp.h"

#include "be.h"
#include "err.h"

#include <string.h>

#define PT_SR    200
#define PT_RR    201
#define PT_SDES  202
#define PT_BYE   203
#define PT_RTPFB 205
#define PT_PSFB  206

#define NTP_UNIX_OFFSET 2208988800ull /* 1900 → 1970, seconds */

static void read_blocks(const uint8_t *p, size_t n, unsigned count,
                        struct rtcp_info *out)
{
	for (unsigned i = 0; i < count && (i + 1) * 24 <= n; i++) {
		const uint8_t *b = p + 24 * i;
		struct rtcp_report_block *r;
		int32_t lost;

		if (out->n_reports == RTCP_MAX_REPORTS) {
			out->dropped++;
			continue;
		}
		r = &out->reports[out->n_reports++];
		r->ssrc = be_rd32(b);
		r->fraction_lost = b[4];
		lost = (int32_t)((uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 |
		                 b[7]);
		r->cumulative_lost = lost & 0x800000 ? lost - 0x1000000 : lost;
		r->highest_seq = be_rd32(b + 8);
		r->jitter = be_rd32(b + 12);
		r->lsr = be_rd32(b + 16);
		r->dlsr = be_rd32(b + 20);
	}
}

static void read_feedback(uint8_t pt, uint8_t fmt, const uint8_t *p, size_t n,
                          struct rtcp_info *out)
{
	uint32_t media = n >= 8 ? be_rd32(p + 4) : 0;

	if (n < 8)
		return;
	if (pt == PT_RTPFB && fmt == 1) {
		for (size_t off = 8; off + 4 <= n; off += 4) {
			struct rtcp_nack *k;

			if (out->n_nacks == RTCP_MAX_NACKS) {
				out->dropped++;
				continue;
			}
			k = &out->nacks[out->n_nacks++];
			k->media_ssrc = media;
			k->pid = be_rd16(p + off);
			k->blp = be_rd16(p + off + 2);
		}
	} else if (pt == PT_PSFB && fmt == 1) {
		out->pli = true;
		out->keyframe_ssrc = media;
	} else if (pt == PT_PSFB && fmt == 4 && n >= 16) {
		out->fir = true;
		out->keyframe_ssrc = be_rd32(p + 8); /* first FCI's SSRC */
	}
}

/* One packet: header at p, n bytes in all (header included). */
static void read_packet(const uint8_t *p, size_t n, struct rtcp_info *out)
{
	uint8_t count = p[0] & 0x1f, pt = p[1];

	switch (pt) {
	case PT_SR:
		if (n < 28)
			return;
		out->has_sr = true;
		out->sr_ntp = (uint64_t)be_rd32(p + 8) << 32 | be_rd32(p + 12);
		out->sr_rtp_ts = be_rd32(p + 16);
		read_blocks(p + 28, n - 28, count, out);
		break;
	case PT_RR:
		if (n >= 8)
			read_blocks(p + 8, n - 8, count, out);
		break;
	case PT_BYE: out->bye = true; break;
	case PT_RTPFB:
	case PT_PSFB: read_feedback(pt, count, p + 4, n - 4, out); break;
	default: break; /* SDES, APP, XR: nothing the sender needs */
	}
}

int rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_info *out)
{
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	if (len < 8 || buf[1] < 192 || buf[1] > 223)
		return ERR_INVALID;
	out->sender_ssrc = be_rd32(buf + 4);
	while (off < len) {
		size_t n;

		if (len - off < 4 || (buf[off] >> 6) != 2)
			return ERR_INVALID;
		n = 4 * ((size_t)be_rd16(buf + off + 2) + 1);
		if (n > len - off)
			return ERR_INVALID;
		read_packet(buf + off, n, out);
		off += n;
	}
	return 0;
}

unsigned rtcp_nack_seqs(const struct rtcp_nack *n, uint16_t seqs[17])
{
	unsigned k = 0;

	seqs[k++] = n->pid;
	for (int b = 0; b < 16; b++)
		if (n->blp >> b & 1)
			seqs[k++] = (uint16_t)(n->pid + b + 1);
	return k;
}

uint64_t rtcp_ntp_from_us(int64_t unix_us)
{
	uint64_t sec = (uint64_t)(unix_us / 1000000) + NTP_UNIX_OFFSET;
	uint64_t frac = ((uint64_t)(unix_us % 1000000) << 32) / 1000000;

	return sec << 32 | frac;
}

uint32_t rtcp_ntp_mid(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

/* Write a header for a packet of n bytes (a multiple of 4). */
static void header(uint8_t *p, uint8_t count, uint8_t pt, size_t n)
{
	p[0] = (uint8_t)(0x80 | count);
	p[1] = pt;
	be_wr16(p + 2, (uint16_t)(n / 4 - 1));
}

int rtcp_build_sr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t ntp,
                  uint32_t rtp_ts, uint32_t packets, uint32_t octets)
{
	if (cap < 28)
		return ERR_TOO_LARGE;
	header(buf, 0, PT_SR, 28);
	be_wr32(buf + 4, ssrc);
	be_wr32(buf + 8, (uint32_t)(ntp >> 32));
	be_wr32(buf + 12, (uint32_t)ntp);
	be_wr32(buf + 16, rtp_ts);
	be_wr32(buf + 20, packets);
	be_wr32(buf + 24, octets);
	return 28;
}

int rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc,
                  const struct rtcp_report_block *blocks, unsigned n)
{
	size_t len = 8 + 24 * (size_t)n;

	if (n > RTCP_MAX_REPORTS || cap < len)
		return ERR_TOO_LARGE;
	header(buf, (uint8_t)n, PT_RR, len);
	be_wr32(buf + 4, ssrc);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *b = buf + 8 + 24 * i;

		be_wr32(b, blocks[i].ssrc);
		be_wr32(b + 4, (uint32_t)blocks[i].cumulative_lost & 0xffffff);
		b[4] = blocks[i].fraction_lost;
		be_wr32(b + 8, blocks[i].highest_seq);
		be_wr32(b + 12, blocks[i].jitter);
		be_wr32(b + 16, blocks[i].lsr);
		be_wr32(b + 20, blocks[i].dlsr);
	}
	return (int)len;
}

int rtcp_build_sdes(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname)
{
	size_t cl = strlen(cname);
	/* header, SSRC, item type + length + text, one or more NUL ends */
	size_t len = (8 + 2 + cl + 1 + 3) / 4 * 4;

	if (cl > 255 || cap < len)
		return ERR_TOO_LARGE;
	memset(buf, 0, len);
	header(buf, 1, PT_SDES, len);
	be_wr32(buf + 4, ssrc);
	buf[8] = 1; /* CNAME */
	buf[9] = (uint8_t)cl;
	memcpy(buf + 10, cname, cl);
	return (int)len;
}

int rtcp_build_nack(uint8_t *buf, size_t cap, uint32_t ssrc,
                    const struct rtcp_nack *items, unsigned n)
{
	size_t len = 12 + 4 * (size_t)n;

	if (n == 0 || n > RTCP_MAX_NACKS || cap < len)
		return ERR_TOO_LARGE;
	header(buf, 1, PT_RTPFB, len);
	be_wr32(buf + 4, ssrc);
	be_wr32(buf + 8, items[0].media_ssrc);
	for (unsigned i = 0; i < n; i++) {
		be_wr16(buf + 12 + 4 * i, items[i].pid);
		be_wr16(buf + 14 + 4 * i, items[i].blp);
	}
	return (int)len;
}

int rtcp_build_pli(uint8_t *buf, size_t cap, uint32_t ssrc, uint32_t media_ssrc)
{
	if (cap < 12)
		return ERR_TOO_LARGE;
	header(buf, 1, PT_PSFB, 12);
	be_wr32(buf + 4, ssrc);
	be_wr32(buf + 8, media_ssrc);
	return 12;
}

int rtcp_build_bye(uint8_t *buf, size_t cap, uint32_t ssrc)
{
	if (cap < 8)
		return ERR_TOO_LARGE;
	header(buf, 1, PT_BYE, 8);
	be_wr32(buf + 4, ssrc);
	return 8;
}
