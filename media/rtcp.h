/* rtcp.h — the RTCP a viewer sends (RFC 3550 receiver reports and BYE,
 * RFC 4585 generic NACK and PLI, RFC 5104 FIR) and the sender reports the
 * viewer engine sends it.
 *
 * Pure functions over caller buffers: no allocation, no state. Every
 * length comes from the packet and is checked before use.
 */
#ifndef SINIAN_RTCP_H
#define SINIAN_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTCP_MAX_REPORTS 8
#define RTCP_MAX_NACKS   128 /* lost packets asked for in one compound */

enum rtcp_type {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_RTPFB = 205,
	RTCP_PSFB = 206,
};

struct rtcp_report {
	uint32_t ssrc;         /* the source reported on (ours) */
	uint8_t fraction_lost; /* /256, since the last report */
	int32_t cumulative_lost;
	uint32_t highest_seq; /* extended */
	uint32_t jitter;      /* in timestamp units */
	uint32_t lsr, dlsr;   /* last SR (middle 32 bits of NTP), delay */
};

struct rtcp_nack {
	uint32_t ssrc; /* media source */
	uint16_t seq;
};

/* What one compound packet says. */
struct rtcp_info {
	uint32_t sender_ssrc;
	int n_reports;
	struct rtcp_report reports[RTCP_MAX_REPORTS];
	int n_nacks;
	struct rtcp_nack nacks[RTCP_MAX_NACKS]; /* more are dropped */
	bool pli, fir, bye;
	uint32_t keyframe_ssrc; /* media source of the PLI/FIR */
};

/* Read a compound RTCP packet buf[0..len) (already unprotected). Every
 * packet in it must be well framed; unknown types are skipped. 0 or
 * ERR_INVALID. */
int rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_info *out);

/* Write a sender report for ssrc (no report blocks) followed by an SDES
 * with its CNAME into buf; ntp is the 64-bit NTP time of rtp_ts. Returns
 * the length, or 0 when cap is too small. */
size_t rtcp_build_sr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t ntp,
                     uint32_t rtp_ts, uint32_t packets, uint32_t octets,
                     const char *cname);

/* 64-bit NTP time (seconds since 1900 << 32 | fraction) of a wall-clock
 * time in microseconds since 1970 (g_get_real_time()). */
uint64_t rtcp_ntp(int64_t unix_us);

#endif
