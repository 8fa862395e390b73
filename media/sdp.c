/* sdp.c — a strict, bounded reader for SDP offers that come off the network.
 *
 * Owns: line-by-line validation of an offer (size, syntax, ICE credentials,
 * DTLS fingerprint and setup role per section), the choice of payload types
 * we can use (H.264 constrained-baseline family with packetization-mode=1,
 * VP8, Opus) and the role of the offerer (WHEP viewer or WHIP publisher).
 * Must never: allocate per line, trust a length, or log (callers decide what
 * to log). Called by the fan-out before an offer reaches webrtcbin, and by
 * the HTTP layer if it wants to refuse early.
 */
#include "sdp.h"

#include "err.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SDP_MAX_LINE 4096
#define SDP_MAX_FMTS 128

/* What we learnt about one payload type of the current m= section. */
struct pt_entry {
	bool listed;     /* appears in the m= line */
	bool has_rtpmap; /* a=rtpmap seen */
	char enc[16];    /* encoding name as written */
	unsigned clock;  /* clock rate */
	unsigned chans;  /* channels (audio), 0 if not given */
	int pmode;       /* packetization-mode, -1 if not given */
	char plid[7];    /* profile-level-id, "" if not given */
};

/* Security attributes seen at session level (index 0) or per section. */
struct sec_attrs {
	bool ufrag, pwd, fingerprint, setup;
};

struct parser {
	struct sdp_offer_info *info;
	struct err_detail *e;
	int cur; /* index of the current m= section, -1 at session level */
	bool session_dir_set;
	enum sdp_dir session_dir;
	bool dir_set[SDP_MAX_MEDIA];
	struct sec_attrs session_sec;
	struct sec_attrs sec[SDP_MAX_MEDIA];
	int fmts[SDP_MAX_FMTS]; /* pts of the current section, in order */
	int n_fmts;
	struct pt_entry pts[128];
};

static int fail(struct parser *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, int code, const char *fmt, ...)
{
	char msg[ERR_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_fail(p->e, code, NULL, "%s", msg);
}

const char *sdp_dir_name(enum sdp_dir dir)
{
	switch (dir) {
	case SDP_DIR_SENDRECV: return "sendrecv";
	case SDP_DIR_SENDONLY: return "sendonly";
	case SDP_DIR_RECVONLY: return "recvonly";
	case SDP_DIR_INACTIVE: return "inactive";
	}
	return "unknown";
}

const char *sdp_role_name(enum sdp_role role)
{
	switch (role) {
	case SDP_ROLE_NONE: return "none";
	case SDP_ROLE_VIEWER: return "viewer";
	case SDP_ROLE_PUBLISHER: return "publisher";
	case SDP_ROLE_MIXED: return "mixed";
	}
	return "unknown";
}

/* Parse a decimal number of at most 10 digits from s[0..n). */
static bool parse_uint(const char *s, size_t n, unsigned long max,
                       unsigned long *out)
{
	unsigned long v = 0;

	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* Length of the token at s (up to a space or the end of the value). */
static size_t tok_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] != ' ')
		i++;
	return i;
}

static bool ice_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '/')
			return false;
	return true;
}

/* "sha-256 AB:CD:..." with at least 16 hex bytes. */
static bool valid_fingerprint(const char *v, size_t n)
{
	size_t hl = tok_len(v, n), i, bytes = 0;

	if (hl == 0 || hl > 16 || hl + 1 >= n)
		return false;
	for (i = 0; i < hl; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-')
			return false;
	for (i = hl + 1; i < n; i += 3) {
		if (i + 2 > n || !isxdigit((unsigned char)v[i]) ||
		    !isxdigit((unsigned char)v[i + 1]))
			return false;
		if (i + 2 < n && v[i + 2] != ':')
			return false;
		bytes++;
	}
	return bytes >= 16;
}

static struct sec_attrs *cur_sec(struct parser *p)
{
	return p->cur < 0 ? &p->session_sec : &p->sec[p->cur];
}

/* Score an H.264 profile-level-id: 2 constrained baseline, 1 baseline,
 * 0 not something a constrained-baseline stream may be sent to. */
static int h264_score(const char *plid)
{
	unsigned long v;
	unsigned idc, iop;

	if (plid[0] == '\0')
		return 1; /* RFC 6184 default 420010: baseline */
	v = strtoul(plid, NULL, 16);
	idc = (unsigned)(v >> 16) & 0xff;
	iop = (unsigned)(v >> 8) & 0xff;
	if (idc == 0x42)
		return (iop & 0x40) ? 2 : 1;
	if (idc == 0x4d && (iop & 0x80))
		return 2;
	if (idc == 0x58 && (iop & 0xc0) == 0xc0)
		return 2;
	return 0;
}

/* Pick codecs of the section that just ended, in m= line order. */
static void finish_media(struct parser *p)
{
	struct sdp_media *m;
	int best_score = 0;

	if (p->cur < 0)
		return;
	m = &p->info->media[p->cur];
	if (!p->dir_set[p->cur])
		m->dir = p->session_dir_set ? p->session_dir : SDP_DIR_SENDRECV;
	for (int i = 0; i < p->n_fmts; i++) {
		const struct pt_entry *e = &p->pts[p->fmts[i]];
		int score;

		if (!e->has_rtpmap)
			continue;
		if (!strcasecmp(e->enc, "H264") && e->clock == 90000 &&
		    e->pmode == 1) {
			score = h264_score(e->plid);
			if (score > best_score) {
				best_score = score;
				m->h264_pt = p->fmts[i];
				snprintf(m->h264_profile_level_id,
				         sizeof(m->h264_profile_level_id), "%s",
				         e->plid[0] ? e->plid : "420010");
			}
		} else if (!strcasecmp(e->enc, "VP8") && e->clock == 90000) {
			if (m->vp8_pt < 0)
				m->vp8_pt = p->fmts[i];
		} else if (!strcasecmp(e->enc, "opus") && e->clock == 48000 &&
		           e->chans == 2) {
			if (m->opus_pt < 0)
				m->opus_pt = p->fmts[i];
		}
	}
	for (char *c = m->h264_profile_level_id; *c; c++)
		*c = (char)tolower((unsigned char)*c);
}

/* m=<kind> <port>[/<n>] <proto> <fmt> ... */
static int parse_m(struct parser *p, const char *v, size_t n)
{
	struct sdp_media *m;
	size_t l = tok_len(v, n), pos;
	unsigned long port, pt;

	finish_media(p);
	if (p->info->n_media >= SDP_MAX_MEDIA)
		return fail(p, ERR_INVALID, "more than %d m= sections",
		            SDP_MAX_MEDIA);
	p->cur = p->info->n_media++;
	m = &p->info->media[p->cur];
	memset(m, 0, sizeof(*m));
	m->h264_pt = m->vp8_pt = m->opus_pt = -1;
	memset(p->pts, 0, sizeof(p->pts));
	p->n_fmts = 0;
	if (l == 0 || l >= sizeof(m->kind))
		return fail(p, ERR_INVALID, "m= line %d: bad media kind",
		            p->cur);
	for (size_t i = 0; i < l; i++) {
		if (!islower((unsigned char)v[i]))
			return fail(p, ERR_INVALID,
			            "m= line %d: bad media kind", p->cur);
		m->kind[i] = v[i];
	}
	pos = l + 1;
	l = pos < n ? tok_len(v + pos, n - pos) : 0;
	{
		size_t pl = 0;

		while (pl < l && v[pos + pl] != '/')
			pl++;
		if (!parse_uint(v + pos, pl, 65535, &port))
			return fail(p, ERR_INVALID, "m= line %d: bad port",
			            p->cur);
	}
	m->rejected = port == 0;
	pos += l + 1;
	l = pos < n ? tok_len(v + pos, n - pos) : 0;
	if (l == 0)
		return fail(p, ERR_INVALID, "m= line %d: no protocol", p->cur);
	pos += l + 1;
	while (pos < n) {
		l = tok_len(v + pos, n - pos);
		if (l == 0) {
			pos++;
			continue;
		}
		if (strcmp(m->kind, "application") != 0) {
			if (!parse_uint(v + pos, l, 127, &pt))
				return fail(p, ERR_INVALID,
				            "m= line %d: bad payload type",
				            p->cur);
			if (p->n_fmts >= SDP_MAX_FMTS)
				return fail(p, ERR_INVALID,
				            "m= line %d: too many formats",
				            p->cur);
			p->fmts[p->n_fmts++] = (int)pt;
			p->pts[pt].listed = true;
			p->pts[pt].pmode = -1;
		}
		pos += l + 1;
	}
	if (p->n_fmts == 0 && strcmp(m->kind, "application") != 0)
		return fail(p, ERR_INVALID, "m= line %d: no formats", p->cur);
	return 0;
}

/* a=rtpmap:<pt> <enc>/<clock>[/<channels>] */
static int parse_rtpmap(struct parser *p, const char *v, size_t n)
{
	size_t l = tok_len(v, n), el, cl;
	unsigned long pt, clock, ch = 0;
	struct pt_entry *e;
	const char *s;

	if (p->cur < 0 || !parse_uint(v, l, 127, &pt) || l + 1 >= n)
		return fail(p, ERR_INVALID, "bad a=rtpmap");
	e = &p->pts[pt];
	s = v + l + 1;
	n -= l + 1;
	for (el = 0; el < n && s[el] != '/'; el++)
		;
	if (el == 0 || el >= sizeof(e->enc) || el >= n)
		return fail(p, ERR_INVALID, "bad a=rtpmap for pt %lu", pt);
	for (cl = el + 1; cl < n && s[cl] != '/'; cl++)
		;
	if (!parse_uint(s + el + 1, cl - el - 1, 10000000, &clock))
		return fail(p, ERR_INVALID, "bad clock rate for pt %lu", pt);
	if (cl < n && !parse_uint(s + cl + 1, n - cl - 1, 255, &ch))
		return fail(p, ERR_INVALID, "bad channels for pt %lu", pt);
	memcpy(e->enc, s, el);
	e->enc[el] = '\0';
	e->clock = (unsigned)clock;
	e->chans = cl < n ? (unsigned)ch : 1;
	e->has_rtpmap = true;
	return 0;
}

/* a=fmtp:<pt> key=value;key=value — keep what H.264 selection needs. */
static int parse_fmtp(struct parser *p, const char *v, size_t n)
{
	size_t l = tok_len(v, n), i;
	unsigned long pt;
	struct pt_entry *e;

	if (p->cur < 0 || !parse_uint(v, l, 127, &pt))
		return fail(p, ERR_INVALID, "bad a=fmtp");
	e = &p->pts[pt];
	for (i = l + 1; i < n;) {
		size_t s = i, eq = 0, end;

		while (i < n && v[i] != ';')
			i++;
		end = i++;
		while (s < end && v[s] == ' ')
			s++;
		for (size_t k = s; k < end; k++)
			if (v[k] == '=') {
				eq = k;
				break;
			}
		if (eq == 0)
			continue;
		if (eq - s == 18 &&
		    !strncasecmp(v + s, "packetization-mode", 18)) {
			unsigned long pm;

			if (!parse_uint(v + eq + 1, end - eq - 1, 2, &pm))
				return fail(p, ERR_INVALID,
				            "bad packetization-mode for pt %lu",
				            pt);
			e->pmode = (int)pm;
		} else if (eq - s == 16 &&
		           !strncasecmp(v + s, "profile-level-id", 16)) {
			if (end - eq - 1 != 6)
				return fail(p, ERR_INVALID,
				            "bad profile-level-id for pt %lu",
				            pt);
			for (size_t k = 0; k < 6; k++) {
				if (!isxdigit((unsigned char)v[eq + 1 + k]))
					return fail(p, ERR_INVALID,
					            "bad profile-level-id for "
					            "pt %lu",
					            pt);
				e->plid[k] = v[eq + 1 + k];
			}
			e->plid[6] = '\0';
		}
	}
	return 0;
}

static int set_dir(struct parser *p, enum sdp_dir dir)
{
	if (p->cur < 0) {
		p->session_dir = dir;
		p->session_dir_set = true;
	} else {
		p->info->media[p->cur].dir = dir;
		p->dir_set[p->cur] = true;
	}
	return 0;
}

static int parse_ice(struct parser *p, const char *v, size_t n, bool pwd)
{
	size_t min = pwd ? 22 : 4;

	if (n < min || n > 256 || !ice_chars(v, n))
		return fail(p, ERR_INVALID, "bad a=%s",
		            pwd ? "ice-pwd" : "ice-ufrag");
	if (pwd)
		cur_sec(p)->pwd = true;
	else
		cur_sec(p)->ufrag = true;
	return 0;
}

static int parse_setup(struct parser *p, const char *v, size_t n)
{
	if ((n == 7 && !memcmp(v, "actpass", 7)) ||
	    (n == 6 && !memcmp(v, "active", 6)) ||
	    (n == 7 && !memcmp(v, "passive", 7))) {
		cur_sec(p)->setup = true;
		return 0;
	}
	return fail(p, ERR_INVALID,
	            "bad a=setup (want actpass, active or "
	            "passive)");
}

static int parse_a(struct parser *p, const char *v, size_t n)
{
	size_t nl = 0;
	const char *val;
	size_t vl;

	while (nl < n && v[nl] != ':')
		nl++;
	val = nl < n ? v + nl + 1 : v + n;
	vl = nl < n ? n - nl - 1 : 0;
#define IS(s) (nl == sizeof(s) - 1 && !memcmp(v, s, nl))
	if (IS("rtpmap"))
		return parse_rtpmap(p, val, vl);
	if (IS("fmtp"))
		return parse_fmtp(p, val, vl);
	if (IS("ice-ufrag"))
		return parse_ice(p, val, vl, false);
	if (IS("ice-pwd"))
		return parse_ice(p, val, vl, true);
	if (IS("setup"))
		return parse_setup(p, val, vl);
	if (IS("sendrecv"))
		return set_dir(p, SDP_DIR_SENDRECV);
	if (IS("sendonly"))
		return set_dir(p, SDP_DIR_SENDONLY);
	if (IS("recvonly"))
		return set_dir(p, SDP_DIR_RECVONLY);
	if (IS("inactive"))
		return set_dir(p, SDP_DIR_INACTIVE);
	if (IS("fingerprint")) {
		if (!valid_fingerprint(val, vl))
			return fail(p, ERR_INVALID, "bad a=fingerprint");
		cur_sec(p)->fingerprint = true;
	} else if (IS("mid") && p->cur >= 0) {
		struct sdp_media *m = &p->info->media[p->cur];

		if (vl == 0 || vl >= sizeof(m->mid))
			return fail(p, ERR_INVALID, "bad a=mid");
		memcpy(m->mid, val, vl);
		m->mid[vl] = '\0';
	} else if (IS("bundle-only") && p->cur >= 0) {
		/* RFC 8843: port 0 plus bundle-only is not a rejection. */
		p->info->media[p->cur].rejected = false;
	} else if (IS("candidate")) {
		p->info->n_candidates++;
	} else if (IS("group")) {
		if (vl >= 6 && !memcmp(val, "BUNDLE", 6))
			p->info->bundle = true;
	}
#undef IS
	return 0;
}

/* One "x=value" line without its line ending. */
static int parse_line(struct parser *p, int lineno, const char *s, size_t n,
                      bool *seen_o, bool *seen_s)
{
	if (n < 2 || s[1] != '=' || !islower((unsigned char)s[0]))
		return fail(p, ERR_INVALID,
		            "line %d is not of the form x=value", lineno);
	if (lineno == 1)
		return (n == 3 && s[2] == '0')
		           ? 0
		           : fail(p, ERR_INVALID, "first line must be v=0");
	switch (s[0]) {
	case 'v': return fail(p, ERR_INVALID, "v= line repeated");
	case 'o': *seen_o = true; return 0;
	case 's': *seen_s = true; return 0;
	case 'm': return parse_m(p, s + 2, n - 2);
	case 'a': return parse_a(p, s + 2, n - 2);
	default: return 0;
	}
}

static int check_sections(struct parser *p)
{
	const struct sec_attrs *g = &p->session_sec;

	if (p->info->n_media == 0)
		return fail(p, ERR_INVALID, "offer has no m= line");
	for (int i = 0; i < p->info->n_media; i++) {
		const struct sec_attrs *s = &p->sec[i];
		const char *k = p->info->media[i].kind;

		if (p->info->media[i].rejected)
			continue;
		if (!s->ufrag && !g->ufrag)
			return fail(p, ERR_INVALID,
			            "m= section %d (%s) has no a=ice-ufrag", i,
			            k);
		if (!s->pwd && !g->pwd)
			return fail(p, ERR_INVALID,
			            "m= section %d (%s) has no a=ice-pwd", i,
			            k);
		if (!s->fingerprint && !g->fingerprint)
			return fail(p, ERR_INVALID,
			            "m= section %d (%s) has no a=fingerprint",
			            i, k);
		if (!s->setup && !g->setup)
			return fail(p, ERR_INVALID,
			            "m= section %d (%s) has no a=setup", i, k);
	}
	return 0;
}

/* Fill the summary fields from the per-section results. */
static void summarise(struct sdp_offer_info *info)
{
	int senders = 0, receivers = 0;

	for (int i = 0; i < info->n_media; i++) {
		const struct sdp_media *m = &info->media[i];
		bool av =
		    !strcmp(m->kind, "video") || !strcmp(m->kind, "audio");

		if (m->rejected || !av || m->dir == SDP_DIR_INACTIVE)
			continue;
		if (m->dir == SDP_DIR_SENDONLY)
			senders++;
		else
			receivers++;
		if (info->video_index < 0 && !strcmp(m->kind, "video") &&
		    (m->h264_pt >= 0 || m->vp8_pt >= 0)) {
			info->video_index = i;
			info->h264_pt = m->h264_pt;
			info->vp8_pt = m->vp8_pt;
			memcpy(info->h264_profile_level_id,
			       m->h264_profile_level_id,
			       sizeof(info->h264_profile_level_id));
		}
		if (info->audio_index < 0 && !strcmp(m->kind, "audio") &&
		    m->opus_pt >= 0) {
			info->audio_index = i;
			info->opus_pt = m->opus_pt;
		}
	}
	if (senders && receivers)
		info->role = SDP_ROLE_MIXED;
	else if (senders)
		info->role = SDP_ROLE_PUBLISHER;
	else if (receivers)
		info->role = SDP_ROLE_VIEWER;
	else
		info->role = SDP_ROLE_NONE;
}

int sdp_offer_inspect(const char *sdp, size_t len, struct sdp_offer_info *out,
                      struct err_detail *e)
{
	struct parser *p;
	bool seen_o = false, seen_s = false;
	int rc = 0, lineno = 0;
	size_t pos = 0;

	if (e)
		*e = (struct err_detail){0};
	memset(out, 0, sizeof(*out));
	out->video_index = out->audio_index = -1;
	out->h264_pt = out->vp8_pt = out->opus_pt = -1;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	p->info = out;
	p->e = e;
	p->cur = -1;
	if (!sdp || len == 0) {
		rc = fail(p, ERR_INVALID, "empty offer");
		goto out_free_parser;
	}
	if (len > SDP_MAX_BYTES) {
		rc = fail(p, ERR_TOO_LARGE, "offer larger than %d bytes",
		          SDP_MAX_BYTES);
		goto out_free_parser;
	}
	if (memchr(sdp, '\0', len)) {
		rc = fail(p, ERR_INVALID, "offer contains a NUL byte");
		goto out_free_parser;
	}
	while (pos < len && rc == 0) {
		const char *nl = memchr(sdp + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - sdp) : len, n = end - pos;

		if (n > 0 && sdp[pos + n - 1] == '\r')
			n--;
		lineno++;
		if (n > SDP_MAX_LINE)
			rc = fail(p, ERR_INVALID, "line %d too long", lineno);
		else if (n == 0 && lineno == 1)
			rc = fail(p, ERR_INVALID, "first line must be v=0");
		else if (n > 0)
			rc = parse_line(p, lineno, sdp + pos, n, &seen_o,
			                &seen_s);
		pos = end + 1;
	}
	if (rc)
		goto out_free_parser;
	finish_media(p);
	if (!seen_o || !seen_s) {
		rc = fail(p, ERR_INVALID, "offer lacks the o= or s= line");
		goto out_free_parser;
	}
	rc = check_sections(p);
	if (rc == 0)
		summarise(out);
out_free_parser:
	free(p);
	return rc;
}

/* Append n bytes to a growing buffer. */
static int buf_put(char **buf, size_t *len, size_t *cap, const char *s,
                   size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*cap ? *cap : 256) * 2;
		char *nb;

		while (ncap < *len + n + 1)
			ncap *= 2;
		nb = realloc(*buf, ncap);
		if (!nb)
			return ERR_NOMEM;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* Put one line, rewritten when it is an IPv4 host candidate. A candidate
 * is "a=candidate:<foundation> <component> <transport> <priority> <addr>
 * <port> typ <type> ...", so the address is the fifth token. */
static int put_line(char **buf, size_t *len, size_t *cap, const char *s,
                    size_t n, const char *ip)
{
	const char *tok[8];
	size_t tl[8], i = 0, k = 0;
	char addr[64];
	struct in_addr a4;
	int rc;

	if (n < 12 || memcmp(s, "a=candidate:", 12) != 0)
		return buf_put(buf, len, cap, s, n);
	while (k < 8 && i < n) {
		while (i < n && s[i] == ' ')
			i++;
		tok[k] = s + i;
		while (i < n && s[i] != ' ' && s[i] != '\r' && s[i] != '\n')
			i++;
		tl[k] = (size_t)(s + i - tok[k]);
		k++;
	}
	if (k < 8 || tl[4] >= sizeof(addr) || tl[7] != 4 ||
	    memcmp(tok[7], "host", 4) != 0)
		return buf_put(buf, len, cap, s, n);
	memcpy(addr, tok[4], tl[4]);
	addr[tl[4]] = '\0';
	if (inet_pton(AF_INET, addr, &a4) != 1)
		return buf_put(buf, len, cap, s, n);
	rc = buf_put(buf, len, cap, s, (size_t)(tok[4] - s));
	if (!rc)
		rc = buf_put(buf, len, cap, ip, strlen(ip));
	if (!rc)
		rc = buf_put(buf, len, cap, tok[4] + tl[4],
		             n - (size_t)(tok[4] + tl[4] - s));
	return rc;
}

int sdp_rewrite_host_ip(const char *sdp, const char *public_ip, char **out)
{
	struct in_addr a4;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	const char *s = sdp;
	int rc = 0;

	*out = NULL;
	if (!public_ip || inet_pton(AF_INET, public_ip, &a4) != 1)
		return ERR_INVALID;
	rc = buf_put(&buf, &len, &cap, "", 0);
	while (rc == 0 && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);

		rc = put_line(&buf, &len, &cap, s, n, public_ip);
		s += n;
	}
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

/* True for "a=candidate:... <addr>.local <port> ..." lines. */
static bool is_mdns_candidate(const char *s, size_t n)
{
	size_t i = 0, k = 0, start = 0;

	if (n < 12 || memcmp(s, "a=candidate:", 12) != 0)
		return false;
	while (i < n && k < 5) { /* the address is the fifth token */
		while (i < n && s[i] == ' ')
			i++;
		start = i;
		while (i < n && s[i] != ' ')
			i++;
		k++;
	}
	return k == 5 && i - start > 6 && !memcmp(s + i - 6, ".local", 6);
}

int sdp_drop_mdns_candidates(const char *sdp, size_t len, char **out,
                             int *removed)
{
	char *buf = NULL;
	size_t blen = 0, cap = 0, pos = 0;
	int rc, dropped = 0;

	*out = NULL;
	rc = buf_put(&buf, &blen, &cap, "", 0);
	while (rc == 0 && pos < len) {
		const char *nl = memchr(sdp + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - sdp) + 1 : len, n = end - pos;
		size_t text = n;

		while (text > 0 && (sdp[pos + text - 1] == '\n' ||
		                    sdp[pos + text - 1] == '\r'))
			text--;
		if (is_mdns_candidate(sdp + pos, text))
			dropped++;
		else
			rc = buf_put(&buf, &blen, &cap, sdp + pos, n);
		pos = end;
	}
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	if (removed)
		*removed = dropped;
	return 0;
}
