/* lv_sdp.c — the load client's offers and answers, and what it reads from
 * the server's description.
 *
 * Owns: the SDP text the client sends and the reading of the few
 * attributes it needs. Must never: read past a line or write past the
 * caller's buffer. Called by lviewers.c (WHEP offer, Janus answer) and
 * lv_peer.c (remote descriptions).
 */
#include "lv_sdp.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PTS 64

/* Payload types of the m= section being read. */
struct section_pts {
	int n;
	struct {
		int pt;
		bool h264, opus, mode1;
		char fmtp[128];
	} e[MAX_PTS];
};

struct parser {
	struct lv_sdp_remote *out;
	struct section_pts pts;
	struct lv_sdp_media *cur;
};

static int pt_slot(struct section_pts *s, int pt)
{
	for (int i = 0; i < s->n; i++)
		if (s->e[i].pt == pt)
			return i;
	if (s->n == MAX_PTS || pt < 0 || pt > 127)
		return -1;
	memset(&s->e[s->n], 0, sizeof(s->e[0]));
	s->e[s->n].pt = pt;
	return s->n++;
}

/* Close the current section: choose its H.264 (packetization-mode 1
 * first) or Opus payload type. */
static void end_section(struct parser *p)
{
	struct lv_sdp_media *m = p->cur;
	int best = -1;

	if (!m)
		return;
	for (int i = 0; i < p->pts.n; i++) {
		if (m->kind == LV_VIDEO && p->pts.e[i].h264 &&
		    (best < 0 || (p->pts.e[i].mode1 && !p->pts.e[best].mode1)))
			best = i;
		if (m->kind == LV_AUDIO && p->pts.e[i].opus && best < 0)
			best = i;
	}
	if (best >= 0) {
		m->pt = p->pts.e[best].pt;
		snprintf(m->h264_fmtp, sizeof(m->h264_fmtp), "%s",
		         m->kind == LV_VIDEO ? p->pts.e[best].fmtp : "");
	}
	if (m->kind == LV_VIDEO && p->out->video_pt < 0)
		p->out->video_pt = m->pt;
	if (m->kind == LV_AUDIO && p->out->audio_pt < 0)
		p->out->audio_pt = m->pt;
	p->pts.n = 0;
	p->cur = NULL;
}

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "sha-256 AB:CD:..." → 32 bytes; other hashes are ignored. */
static void parse_fingerprint(struct lv_sdp_remote *r, const char *v, size_t n)
{
	size_t i = 8;

	if (r->has_fp || n < 8 + 3 * LV_SDP_FP_LEN - 1 ||
	    strncasecmp(v, "sha-256 ", 8))
		return;
	for (int k = 0; k < LV_SDP_FP_LEN; k++, i += 3) {
		int hi = hexval(v[i]), lo = hexval(v[i + 1]);

		if (hi < 0 || lo < 0 ||
		    (k < LV_SDP_FP_LEN - 1 && v[i + 2] != ':'))
			return;
		r->fp[k] = (uint8_t)(hi << 4 | lo);
	}
	r->has_fp = true;
}

/* "foundation comp udp prio addr port typ host ..." (IPv4 UDP only). */
static void parse_candidate(struct lv_sdp_remote *r, const char *v, size_t n)
{
	char line[256], proto[16], addr[64];
	unsigned comp, port;
	unsigned long prio;
	struct sockaddr_in *sa;

	if (r->ncand == LV_SDP_MAX_CANDS)
		return;
	copy_value(line, sizeof(line), v, n);
	if (sscanf(line, "%*s %u %15s %lu %63s %u", &comp, proto, &prio, addr,
	           &port) != 5 ||
	    comp != 1 || strcasecmp(proto, "udp") || port == 0 || port > 65535)
		return;
	sa = &r->cand[r->ncand];
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
		return;
	r->cand_prio[r->ncand++] = (uint32_t)prio;
}

static void parse_rtpmap(struct parser *p, const char *v, size_t n)
{
	char line[128], codec[32];
	int pt, i;

	copy_value(line, sizeof(line), v, n);
	if (sscanf(line, "%d %31[^/]", &pt, codec) != 2 ||
	    (i = pt_slot(&p->pts, pt)) < 0)
		return;
	p->pts.e[i].h264 = !strcasecmp(codec, "H264");
	p->pts.e[i].opus = !strcasecmp(codec, "opus");
}

static void parse_fmtp(struct parser *p, const char *v, size_t n)
{
	char line[160];
	const char *sp;
	int pt, i;

	copy_value(line, sizeof(line), v, n);
	if (sscanf(line, "%d", &pt) != 1 || (i = pt_slot(&p->pts, pt)) < 0 ||
	    !(sp = strchr(line, ' ')))
		return;
	snprintf(p->pts.e[i].fmtp, sizeof(p->pts.e[i].fmtp), "%s", sp + 1);
	p->pts.e[i].mode1 = strstr(sp, "packetization-mode=1") != NULL;
}

static void start_section(struct parser *p, const char *v, size_t n)
{
	struct lv_sdp_media *m;

	end_section(p);
	if (p->out->nmedia == LV_SDP_MAX_MEDIA)
		return;
	m = &p->out->media[p->out->nmedia++];
	memset(m, 0, sizeof(*m));
	m->pt = -1;
	m->kind = !strncmp(v, "video ", 6)   ? LV_VIDEO
	          : !strncmp(v, "audio ", 6) ? LV_AUDIO
	                                     : LV_OTHER;
	p->cur = m;
}

#define ATTR(name)                                                             \
	(vl > sizeof(name) - 1 && !strncmp(v, name, sizeof(name) - 1))

static void parse_attr(struct parser *p, const char *v, size_t vl)
{
	struct lv_sdp_remote *r = p->out;

	if (ATTR("ice-ufrag:") && !r->ufrag[0])
		copy_value(r->ufrag, sizeof(r->ufrag), v + 10, vl - 10);
	else if (ATTR("ice-pwd:") && !r->pwd[0])
		copy_value(r->pwd, sizeof(r->pwd), v + 8, vl - 8);
	else if (ATTR("fingerprint:"))
		parse_fingerprint(r, v + 12, vl - 12);
	else if (ATTR("setup:") && !r->setup[0])
		copy_value(r->setup, sizeof(r->setup), v + 6, vl - 6);
	else if (ATTR("candidate:"))
		parse_candidate(r, v + 10, vl - 10);
	else if (vl == 8 && !strncmp(v, "ice-lite", 8))
		r->ice_lite = true;
	else if (ATTR("mid:") && p->cur)
		copy_value(p->cur->mid, sizeof(p->cur->mid), v + 4, vl - 4);
	else if (ATTR("rtpmap:") && p->cur)
		parse_rtpmap(p, v + 7, vl - 7);
	else if (ATTR("fmtp:") && p->cur)
		parse_fmtp(p, v + 5, vl - 5);
}

int lv_sdp_parse(const char *sdp, struct lv_sdp_remote *out, char *err,
                 size_t errlen)
{
	struct parser p = {.out = out};
	const char *line = sdp;

	memset(out, 0, sizeof(*out));
	out->video_pt = out->audio_pt = -1;
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t n = eol ? (size_t)(eol - line) : strlen(line);

		if (n && line[n - 1] == '\r')
			n--;
		if (n > 2 && line[1] == '=') {
			if (line[0] == 'm')
				start_section(&p, line + 2, n - 2);
			else if (line[0] == 'a')
				parse_attr(&p, line + 2, n - 2);
		}
		line = eol ? eol + 1 : NULL;
	}
	end_section(&p);
	if (!out->ufrag[0] || !out->pwd[0])
		snprintf(err, errlen, "no ice-ufrag or ice-pwd");
	else if (!out->has_fp)
		snprintf(err, errlen, "no sha-256 fingerprint");
	else if (!out->ncand)
		snprintf(err, errlen, "no IPv4 UDP candidate");
	else if (out->video_pt < 0 && out->audio_pt < 0)
		snprintf(err, errlen, "neither H.264 nor Opus");
	else
		return 0;
	return -1;
}

/* Appending text to a bounded buffer; overflow is sticky. */
struct out {
	char *buf;
	size_t cap, len;
	bool overflow;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->overflow = true;
	else
		o->len += (size_t)n;
}

static size_t finish(struct out *o)
{
	return o->overflow ? 0 : o->len;
}

/* The transport lines every section carries: credentials, fingerprint,
 * role, and (first section) the one host candidate. */
static void put_transport(struct out *o, const struct lv_sdp_local *l,
                          const char *setup, bool candidate)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &l->addr.sin_addr, ip, sizeof(ip));
	put(o, "c=IN IP4 %s\r\na=rtcp:9 IN IP4 0.0.0.0\r\n", ip);
	if (candidate)
		put(o,
		    "a=candidate:1 1 udp 2130706431 %s %u typ host\r\n"
		    "a=end-of-candidates\r\n",
		    ip, ntohs(l->addr.sin_port));
	put(o,
	    "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
	    "a=fingerprint:sha-256 %s\r\na=setup:%s\r\n",
	    l->ufrag, l->pwd, l->fingerprint, setup);
}

static void put_video(struct out *o, int pt, const char *fmtp)
{
	put(o,
	    "a=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n"
	    "a=rtpmap:%d H264/90000\r\na=rtcp-fb:%d nack\r\n"
	    "a=rtcp-fb:%d nack pli\r\na=rtcp-fb:%d ccm fir\r\n"
	    "a=fmtp:%d %s\r\n",
	    pt, pt, pt, pt, pt, fmtp);
}

static void put_audio(struct out *o, int pt)
{
	put(o,
	    "a=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n"
	    "a=rtpmap:%d opus/48000/2\r\n"
	    "a=fmtp:%d minptime=10;useinbandfec=1\r\n",
	    pt, pt);
}

size_t lv_sdp_offer(char *buf, size_t cap, const struct lv_sdp_local *l)
{
	struct out o = {buf, cap, 0, false};

	put(&o,
	    "v=0\r\no=- %llu 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	    "a=group:BUNDLE 0 1\r\na=msid-semantic: WMS\r\n"
	    "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n",
	    (unsigned long long)l->session_id);
	put_transport(&o, l, "actpass", true);
	put(&o, "a=mid:0\r\n");
	put_video(&o, 102,
	          "level-asymmetry-allowed=1;packetization-mode=1;"
	          "profile-level-id=42e01f");
	put(&o, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
	put_transport(&o, l, "actpass", false);
	put(&o, "a=mid:1\r\n");
	put_audio(&o, 111);
	return finish(&o);
}

size_t lv_sdp_answer(char *buf, size_t cap, const struct lv_sdp_remote *offer,
                     const struct lv_sdp_local *l)
{
	struct out o = {buf, cap, 0, false};
	bool first = true;

	if (offer->video_pt < 0 && offer->audio_pt < 0)
		return 0;
	put(&o, "v=0\r\no=- %llu 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
	    (unsigned long long)l->session_id);
	put(&o, "a=group:BUNDLE");
	for (int i = 0; i < offer->nmedia; i++)
		if (offer->media[i].pt >= 0)
			put(&o, " %s", offer->media[i].mid);
	put(&o, "\r\na=msid-semantic: WMS\r\n");
	for (int i = 0; i < offer->nmedia; i++) {
		const struct lv_sdp_media *m = &offer->media[i];
		const char *kind = m->kind == LV_VIDEO   ? "video"
		                   : m->kind == LV_AUDIO ? "audio"
		                                         : "application";

		if (m->pt < 0) {
			put(&o,
			    "m=%s 0 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 "
			    "0.0.0.0\r\na=mid:%s\r\na=inactive\r\n",
			    kind, m->mid);
			continue;
		}
		put(&o, "m=%s 9 UDP/TLS/RTP/SAVPF %d\r\n", kind, m->pt);
		put_transport(&o, l, "active", first);
		first = false;
		put(&o, "a=mid:%s\r\n", m->mid);
		if (m->kind == LV_VIDEO)
			put_video(&o, m->pt,
			          m->h264_fmtp[0] ? m->h264_fmtp
			                          : "packetization-mode=1");
		else
			put_audio(&o, m->pt);
	}
	return finish(&o);
}
