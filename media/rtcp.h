/* rtcp.h — compound RTCP (RFC 3550, RFC 4585, RFC 5104): read what a
 * viewer sends (receiver reports, NACK, PLI, FIR, BYE) and build what a
 * sender sends (sender reports), plus the feedback a test client needs.
 *
 * Pure functions over caller buffers: no allocation, no state, any thread.
 * Used by the lite engine (after SRTCP unprotect), tests and benches.
 */
#ifndef SINIAN_RTCP_H
#define SINIAN_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTCP_MAX_REPORTS 8
#define RTCP_MAX_NACKS   32

struct rtcp_report_block {
	uint32_t ssrc;         /* the source reported on */
	uint8_t fraction_lost; /* /256 since the last report */
	int32_t cumulative_lost;
	uint32_t highest_seq; /* extended */
	uint32_t jitter;      /* in RTP timestamp units */
	uint32_t lsr, dlsr;   /* middle 32 bits of NTP; 1/65536 s */
};

struct rtcp_nack {
	uint32_t media_ssrc;
	uint16_t pid, blp;
};

/* What one compound packet said. Lists past their size are dropped and
 * counted in dropped. */
struct rtcp_info {
	uint32_t sender_ssrc; /* of the first packet */
	bool has_sr;
	uint64_t sr_ntp;
	uint32_t sr_rtp_ts;
	unsigned n_reports;
	struct rtcp_report_block reports[RTCP_MAX_REPORTS];
	unsigned n_nacks;
	struct rtcp_nack nacks[RTCP_MAX_NACKS];
	bool pli, fir, bye;
	uint32_t keyframe_ssrc; /* media SSRC of the last PLI or FIR */
	unsigned dropped;
};

/* Parse buf[0..len). 0, or ERR_INVALID (not RTCP, a length that does not
 * add up, a truncated packet). Unknown packet types and feedback formats
 * (REMB, TWCC, APP, XR) are skipped. */
int rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_info *out);

/* The sequence numbers one NACK item asks for (pid, then each set bit of
 * blp) into seqs; returns how many (1..17). */
unsigned rtcp_nack_seqs(const struct rtcp_nack *n, uint16_t seqs[17]);

/* NTP timestamp (64-bit fixed point) of a wall-clock time in µs since
 * 1970, and its middle 32 bits (as LSR/DLSR use). */
uint64_t rtcp_ntp_from_us(int64_t unix_us);
uint32_t rtcp_ntp_mid(uint64_t ntp);

/* Builders: each writes one packet at buf and returns its length, or
 * ERR_TOO_LARGE when cap is too small. Concatenate them for a compound
 * packet. */
/* Sender report with no report block. */
int rtcp_build_sr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t ntp,
                  uint32_t rtp_ts, uint32_t packets, uint32_t octets);
/* Receiver report with up to RTCP_MAX_REPORTS blocks. */
int rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc,
                  const struct rtcp_report_block *blocks, unsigned n);
/* SDES with one CNAME item. */
int rtcp_build_sdes(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname);
int rtcp_build_nack(uint8_t *buf, size_t cap, uint32_t ssrc,
                    const struct rtcp_nack *items, unsigned n);
int rtcp_build_pli(uint8_t *buf, size_t cap, uint32_t ssrc,
                   uint32_t media_ssrc);
int rtcp_build_bye(uint8_t *buf, size_t cap, uint32_t ssrc);

#endif
