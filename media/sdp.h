/* sdp.h — inspect an SDP offer from the network before webrtcbin sees it.
 *
 * sdp_offer_inspect() validates an offer (WHEP viewer or WHIP publisher)
 * and reports which of the codecs we can send or receive it carries; the
 * fan-out uses the payload types it reports to build the answer.
 * sdp_rewrite_host_ip() rewrites host candidates of an answer to a public
 * address (1:1 NAT). Pure functions: no GStreamer, no state, no logging.
 */
#ifndef SINIAN_SDP_H
#define SINIAN_SDP_H

#include <stdbool.h>
#include <stddef.h>

struct err_detail;

#define SDP_MAX_BYTES (64 * 1024) /* larger offers are refused */
#define SDP_MAX_MEDIA 16          /* more m= sections are refused */

enum sdp_dir {
	SDP_DIR_SENDRECV = 0, /* the default when no attribute is given */
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
};

/* What the offerer wants to do, judged from its audio/video sections. */
enum sdp_role {
	SDP_ROLE_NONE = 0,  /* no usable audio/video section */
	SDP_ROLE_VIEWER,    /* WHEP: every A/V section recvonly or sendrecv */
	SDP_ROLE_PUBLISHER, /* WHIP: every A/V section sendonly */
	SDP_ROLE_MIXED,     /* some sections send only, others receive */
};

/* One m= section of the offer. Codec fields are -1 when absent. */
struct sdp_media {
	char kind[16]; /* "audio", "video", "application", ... */
	char mid[32];  /* a=mid value or "" */
	enum sdp_dir dir;
	bool rejected; /* port 0 without a=bundle-only */
	int h264_pt;   /* best H.264 packetization-mode=1 baseline-family pt */
	char h264_profile_level_id[7]; /* its profile-level-id, lower case */
	int vp8_pt;
	int opus_pt;
};

struct sdp_offer_info {
	int n_media;
	struct sdp_media media[SDP_MAX_MEDIA];
	int video_index; /* first video section with H.264 or VP8, else -1 */
	int audio_index; /* first audio section with Opus, else -1 */
	int h264_pt;     /* copied from media[video_index], -1 if none */
	int vp8_pt;      /* copied from media[video_index], -1 if none */
	int opus_pt;     /* copied from media[audio_index], -1 if none */
	char h264_profile_level_id[7];
	enum sdp_role role;
	bool bundle;      /* a=group:BUNDLE present */
	int n_candidates; /* a=candidate lines, all sections */
};

/* Validate the offer in sdp[0..len) and describe it in *out.
 * Returns 0, ERR_INVALID (malformed: no m= line, no ice-ufrag/ice-pwd,
 * no fingerprint or setup attribute for a section, bad syntax) or
 * ERR_TOO_LARGE (over SDP_MAX_BYTES). On error a one-line English reason
 * is written to e (if e is not NULL). The offer need not be
 * NUL-terminated. */
int sdp_offer_inspect(const char *sdp, size_t len, struct sdp_offer_info *out,
                      struct err_detail *e);

/* Short lower-case name of a direction ("recvonly"); never NULL. */
const char *sdp_dir_name(enum sdp_dir dir);
/* Short lower-case name of a role ("viewer"); never NULL. */
const char *sdp_role_name(enum sdp_role role);

/* Copy the NUL-terminated SDP text with the address of every IPv4 host
 * candidate replaced by public_ip (a dotted IPv4 address), for a server
 * behind 1:1 NAT. On success *out is a new string the caller frees with
 * free(). Returns 0, ERR_INVALID (public_ip not IPv4) or ERR_NOMEM. */
int sdp_rewrite_host_ip(const char *sdp, const char *public_ip, char **out);

/* Copy sdp[0..len) without the a=candidate lines whose address is an mDNS
 * name (".local", as browsers hide host addresses): a server cannot
 * resolve them, and trying delays the answer by hundreds of ms; the
 * browser is reached through peer-reflexive candidates instead. On
 * success *out is NUL-terminated (caller frees with free()) and *removed
 * (if not NULL) counts the lines dropped. 0 or ERR_NOMEM. */
int sdp_drop_mdns_candidates(const char *sdp, size_t len, char **out,
                             int *removed);

#endif
