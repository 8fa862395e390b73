/* lv_rtp.h — what the load client counts in the RTP it receives, and the
 * RTCP it sends back.
 *
 * Per stream (the video or the audio of one viewer): packets received and
 * expected, from the sequence numbers extended over their wrap, per SSRC
 * (a new SSRC keeps what the old one owed, as bench/viewers.c does);
 * marker bits; the interarrival jitter and the last sender report, for
 * the receiver reports (RFC 3550 6.4.2, A.3, A.8). And the first complete
 * H.264 key frame (an access unit with an IDR slice whose packets all
 * arrived, from the one after a marker bit to its own marker bit).
 *
 * The worker that owns a stream writes it; the published counters (pub_*)
 * may be read by any thread with relaxed atomics.
 */
#ifndef LV_RTP_H
#define LV_RTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fields of an RTP header the client reads. */
struct lv_rtp_hdr {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts, ssrc;
	size_t payload_off; /* after CSRCs and the header extension */
	size_t payload_len; /* without padding */
};

/* Read an RTP header (not RTCP: the caller demultiplexes). 0 or -1. */
int lv_rtp_parse(const uint8_t *buf, size_t len, struct lv_rtp_hdr *h);

struct lv_stream {
	uint32_t clock_rate;
	bool have;
	uint32_t ssrc;
	int64_t base, highest; /* extended sequence numbers of this SSRC */
	uint64_t received, expected_before, markers;
	/* receiver report state */
	uint64_t received_base; /* received before this SSRC */
	uint64_t expected_prior, received_prior;
	double transit, jitter;
	uint32_t lsr;      /* middle 32 bits of the last SR's NTP time */
	int64_t lsr_at_us; /* when it came; 0: none */
	/* for other threads */
	_Atomic uint64_t pub_received, pub_expected, pub_markers;
	_Atomic int64_t pub_last_us;
};

void lv_stream_init(struct lv_stream *s, uint32_t clock_rate);
/* Count one packet that arrived at now (µs, monotonic). */
void lv_stream_count(struct lv_stream *s, const struct lv_rtp_hdr *h,
                     int64_t now);
/* Note a sender report (its NTP timestamp) for this stream's SSRC. */
void lv_stream_sr(struct lv_stream *s, uint32_t ssrc, uint64_t ntp,
                  int64_t now);
/* Write a 24-byte report block for this stream; false if it has no SSRC
 * yet. */
bool lv_stream_report(struct lv_stream *s, int64_t now, uint8_t out[24]);

/* Write a compound RTCP packet: an RR from ssrc with a block per stream
 * that has one, and an SDES CNAME. Its length, 0 if cap is too small. */
size_t lv_rtcp_rr(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname,
                  struct lv_stream *const *st, int nst, int64_t now);
/* Read the sender reports of a compound RTCP packet; fn is called with
 * each one's SSRC and NTP time. */
void lv_rtcp_each_sr(const uint8_t *buf, size_t len,
                     void (*fn)(void *user, uint32_t ssrc, uint64_t ntp),
                     void *user);

/* The first complete H.264 key frame of a stream. */
struct lv_keyframe {
	bool seen_any, prev_marker, au_clean, au_idr, done;
	uint16_t prev_seq;
	uint32_t au_ts;
};

/* Feed one video packet (payload decrypted); true when it completes the
 * first whole key frame. */
bool lv_keyframe_feed(struct lv_keyframe *k, const struct lv_rtp_hdr *h,
                      const uint8_t *payload);

#endif
