/* lv_sdp.h — the load client's SDP: the offer a viewer POSTs over WHEP
 * (H.264 constrained baseline pt 102 + Opus pt 111, BUNDLE, rtcp-mux, as
 * Chromium offers them), the answer it gives to Janus's offer, and what it
 * reads from the other side's description (ICE credentials and candidates,
 * the DTLS fingerprint and role, the payload types).
 *
 * Pure functions over caller buffers; no allocation, no state.
 */
#ifndef LV_SDP_H
#define LV_SDP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LV_SDP_MAX_CANDS 8
#define LV_SDP_MAX_MEDIA 4
#define LV_SDP_CRED_MAX  256 /* ice-ufrag / ice-pwd, bytes */
#define LV_SDP_FP_LEN    32  /* sha-256 */

enum lv_kind { LV_VIDEO, LV_AUDIO, LV_OTHER };

/* One m= section of a remote description. */
struct lv_sdp_media {
	enum lv_kind kind;
	char mid[32];
	int pt; /* the H.264 (packetization-mode 1) or Opus payload type; -1 */
	char h264_fmtp[128]; /* the fmtp line of that H.264 payload type */
};

/* What the load client needs from the other side's description. */
struct lv_sdp_remote {
	char ufrag[LV_SDP_CRED_MAX + 1], pwd[LV_SDP_CRED_MAX + 1];
	uint8_t fp[LV_SDP_FP_LEN];
	bool has_fp;
	bool ice_lite;
	char setup[16]; /* actpass, active or passive */
	int ncand;
	struct sockaddr_in cand[LV_SDP_MAX_CANDS]; /* UDP IPv4 only */
	uint32_t cand_prio[LV_SDP_MAX_CANDS];
	int nmedia;
	struct lv_sdp_media media[LV_SDP_MAX_MEDIA];
	int video_pt, audio_pt; /* of the first video / audio section; -1 */
};

/* This viewer's side: its credentials, certificate fingerprint (text, as
 * in a=fingerprint:sha-256) and its one host candidate. */
struct lv_sdp_local {
	const char *ufrag, *pwd, *fingerprint;
	struct sockaddr_in addr;
	uint64_t session_id;
};

/* Read a remote description. 0, or -1 with a reason in err. */
int lv_sdp_parse(const char *sdp, struct lv_sdp_remote *out, char *err,
                 size_t errlen);

/* Write the WHEP offer into buf; its length, or 0 if it does not fit. */
size_t lv_sdp_offer(char *buf, size_t cap, const struct lv_sdp_local *l);

/* Write the answer to an offer (Janus): recvonly, the offer's mids and
 * payload types, setup:active; sections the client cannot take are
 * rejected with port 0. Its length, or 0 if it does not fit or the offer
 * has neither H.264 nor Opus. */
size_t lv_sdp_answer(char *buf, size_t cap, const struct lv_sdp_remote *offer,
                     const struct lv_sdp_local *l);

#endif
