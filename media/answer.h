/* answer.h — the lite engine's SDP: the transport parts of a viewer's
 * offer (ICE credentials, DTLS fingerprint, BUNDLE, rtcp-mux, mids) and
 * the answer built from them at once, without gathering: ice-lite,
 * BUNDLE, rtcp-mux, setup:passive, the process fingerprint, host
 * candidates on the one media port, end-of-candidates.
 *
 * Pure functions: no GStreamer, no state, any thread. Codecs are chosen
 * elsewhere (sdp.h, codecs.h); this module only writes them down.
 */
#ifndef SINIAN_ANSWER_H
#define SINIAN_ANSWER_H

#include "sdp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct answer_media {
	char kind[16];  /* "video", "audio", "application" */
	char mid[32];   /* "" when absent */
	char proto[48]; /* "UDP/TLS/RTP/SAVPF" */
	char fmt[16];   /* first format, for a rejected line */
	bool rtcp_mux, port0;
};

struct answer_offer {
	char ufrag[257], pwd[257];
	char fingerprint[160]; /* "sha-256 AB:CD:..." */
	bool bundle;
	int n_media;
	struct answer_media media[SDP_MAX_MEDIA];
};

/* Read the transport parts of an offer that sdp_offer_inspect() accepted.
 * 0, or ERR_INVALID with a reason in e: no BUNDLE group, an audio or
 * video section without rtcp-mux, no ICE credentials or fingerprint. */
int answer_offer_parse(const char *sdp, size_t len, struct answer_offer *out,
                       struct err_detail *e);

struct answer_stream {
	int mline;             /* index in the offer, -1: not sent */
	int pt;                /* the viewer's payload type */
	bool vp8;              /* video only: VP8, else H.264 */
	const char *h264_plid; /* H.264 profile-level-id, 6 hex digits */
	uint32_t ssrc;
};

struct answer_params {
	const struct answer_offer *offer;
	const char *ufrag, *pwd; /* ours */
	const char *fingerprint; /* ours: sha-256, "AB:CD:..." */
	struct answer_stream video, audio;
	const char *const *ips; /* candidate addresses */
	unsigned n_ips;
	uint16_t port;
	uint64_t session_id;
};

/* The answer for p, NUL-terminated; caller frees with g_free(). */
char *answer_build(const struct answer_params *p);

#endif
