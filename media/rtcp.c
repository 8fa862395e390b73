/* rtcp.c — reading viewers' RTCP and writing sender reports.
 *
 * Owns: the wire format of compound RTCP (RFC 3550 6, RFC 4585 6, RFC 5104
 * 4.3.1). Must never: read past a packet or trust a length field, allocate,
 * or keep state. Called by the viewer engine (the UDP mux reads, the
 * workers write SRs), its tests and the bench client.
 */
#include "rtcp.h"

#include "err.h"

#include <string.h>

#define NTP_UNIX_OFFSET 2208988800ull /* 1900 → 1970, seconds */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Report blocks of an SR or RR: n blocks of 24 bytes at p. */
static void read_reports(const uint8_t *p, int n, struct rtcp_info *out)
{
	for (int i = 0; i < n && out->n_reports < RTCP_MAX_REPORTS; i++) {
		const uint8_t *b = p + 24 * i;
		struct rtcp_report *r = &out->reports[out->n_reports++];
		uint32_t lost = rd32(b + 4) & 0xffffff;

		r->ssrc = rd32(b);
		r->fraction_lost = b[4];
		/* 24-bit two's complement */
		r->cumulative_lost = (int32_t)(lost << 8) >> 8;
		r->highest_seq = rd32(b + 8);
		r->jitter = rd32(b + 12);
		r->lsr = rd32(b + 16);
		r->dlsr = rd32(b + 20);
	}
}

/* Generic NACKs (RFC 4585 6.2.1): FCI entries of PID + BLP. */
static void read_nacks(const uint8_t *fci, size_t n, uint32_t media,
                       struct rtcp_info *out)
{
	for (size_t off = 0; off + 4 <= n; off += 4) {
		uint16_t pid = rd16(fci + off), blp = rd16(fci + off + 2);

		for (int b = -1; b < 16; b++) {
			if (b >= 0 && !(blp & (1u << b)))
				continue;
			if (out->n_nacks >= RTCP_MAX_NACKS)
				return;
			out->nacks[out->n_nacks].ssrc = media;
			out->nacks[out->n_nacks++].seq =
			    (uint16_t)(pid + (b < 0 ? 0 : b + 1));
		}
	}
}

/* One packet of the compound: type pt, count rc, body p[0..n) after the
 * 4-byte header. */
static int read_packet(int pt, int rc, const uint8_t *p, size_t n,
                       struct rtcp_info *out)
{
	switch (pt) {
	case RTCP_SR:
		if (n < 24 + 24 * (size_t)rc)
			return ERR_INVALID;
		out->sender_ssrc = rd32(p);
		read_reports(p + 24, rc, out);
		break;
	case RTCP_RR:
		if (n < 4 + 24 * (size_t)rc)
			return ERR_INVALID;
		out->sender_ssrc = rd32(p);
		read_reports(p + 4, rc, out);
		break;
	case RTCP_BYE: out->bye = true; break;
	case RTCP_RTPFB:
	case RTCP_PSFB:
		if (n < 8)
			return ERR_INVALID;
		out->sender_ssrc = rd32(p);
		if (pt == RTCP_RTPFB && rc == 1) {
			read_nacks(p + 8, n - 8, rd32(p + 4), out);
		} else if (pt == RTCP_PSFB && rc == 1) {
			out->pli = true;
			out->keyframe_ssrc = rd32(p + 4);
		} else if (pt == RTCP_PSFB && rc == 4 && n >= 16) {
			out->fir = true; /* FCI: the SSRC asked, seq nr */
			out->keyframe_ssrc = rd32(p + 8);
		}
		break;
	default: break; /* SDES, APP, XR, REMB, transport-cc: not used */
	}
	return 0;
}

int rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_info *out)
{
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	if (len < 4)
		return ERR_INVALID;
	while (off < len) {
		size_t plen;
		int rc;

		if (len - off < 4 || (buf[off] >> 6) != 2)
			return ERR_INVALID;
		plen = 4 * ((size_t)rd16(buf + off + 2) + 1);
		if (plen > len - off)
			return ERR_INVALID;
		rc = read_packet(buf[off + 1], buf[off] & 0x1f, buf + off + 4,
		                 plen - 4, out);
		if (rc)
			return rc;
		off += plen;
	}
	return 0;
}

size_t rtcp_build_sr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t ntp,
                     uint32_t rtp_ts, uint32_t packets, uint32_t octets,
                     const char *cname)
{
	size_t cl = strnlen(cname, 255);
	/* SDES: header, SSRC, CNAME item (type, length, text), end, padding */
	size_t sdes = (4 + 4 + 2 + cl + 1 + 3) & ~(size_t)3;
	uint8_t *s = buf + 28;

	if (cap < 28 + sdes)
		return 0;
	buf[0] = 0x80;
	buf[1] = RTCP_SR;
	buf[2] = 0;
	buf[3] = 6;
	wr32(buf + 4, ssrc);
	wr32(buf + 8, (uint32_t)(ntp >> 32));
	wr32(buf + 12, (uint32_t)ntp);
	wr32(buf + 16, rtp_ts);
	wr32(buf + 20, packets);
	wr32(buf + 24, octets);
	memset(s, 0, sdes);
	s[0] = 0x81;
	s[1] = RTCP_SDES;
	s[2] = (uint8_t)((sdes / 4 - 1) >> 8);
	s[3] = (uint8_t)(sdes / 4 - 1);
	wr32(s + 4, ssrc);
	s[8] = 1; /* CNAME */
	s[9] = (uint8_t)cl;
	memcpy(s + 10, cname, cl);
	return 28 + sdes;
}

uint64_t rtcp_ntp(int64_t unix_us)
{
	uint64_t secs = (uint64_t)(unix_us / 1000000) + NTP_UNIX_OFFSET;
	uint64_t frac = ((uint64_t)(unix_us % 1000000) << 32) / 1000000;

	return secs << 32 | frac;
}
