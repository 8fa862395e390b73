/* answer.c — SDP answers of the lite engine, built without gathering.
 *
 * Owns: reading an offer's ICE credentials, fingerprint, BUNDLE group,
 * rtcp-mux and mids; writing the answer (one section per offered one, in
 * order; unused ones rejected with port 0). Must never: accept an offer
 * the single-port engine cannot serve (no BUNDLE, no rtcp-mux), or copy
 * an offer's value into the answer unchecked (lengths are bounded here
 * and sdp_offer_inspect() checked the syntax). Called by the lite
 * fan-out and tests.
 */
#include "answer.h"

#include "err.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* Copy the value v[0..n) into dst (cap bytes) if it fits and dst is
 * still empty (the first occurrence wins). */
static void take(char *dst, size_t cap, const char *v, size_t n)
{
	if (dst[0] || n == 0 || n >= cap)
		return;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static void parse_m(struct answer_offer *o, const char *v, size_t n)
{
	struct answer_media *m;
	char line[256];
	char port[16] = "";

	if (o->n_media == SDP_MAX_MEDIA)
		return;
	m = &o->media[o->n_media++];
	memset(m, 0, sizeof(*m));
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, v, n);
	line[n] = '\0';
	/* kind port proto fmt... */
	sscanf(line, "%15s %15s %47s %15s", m->kind, port, m->proto, m->fmt);
	m->port0 = strcmp(port, "0") == 0;
}

static void parse_a(struct answer_offer *o, const char *v, size_t n)
{
	struct answer_media *m = o->n_media ? &o->media[o->n_media - 1] : NULL;
	static const char UFRAG[] = "ice-ufrag:", PWD[] = "ice-pwd:",
	                  FP[] = "fingerprint:", MID[] = "mid:",
	                  GROUP[] = "group:BUNDLE";

#define IS(p) (n >= sizeof(p) - 1 && memcmp(v, p, sizeof(p) - 1) == 0)
	if (IS(UFRAG))
		take(o->ufrag, sizeof(o->ufrag), v + sizeof(UFRAG) - 1,
		     n - (sizeof(UFRAG) - 1));
	else if (IS(PWD))
		take(o->pwd, sizeof(o->pwd), v + sizeof(PWD) - 1,
		     n - (sizeof(PWD) - 1));
	else if (IS(FP))
		take(o->fingerprint, sizeof(o->fingerprint), v + sizeof(FP) - 1,
		     n - (sizeof(FP) - 1));
	else if (IS(GROUP))
		o->bundle = true;
	else if (m && IS(MID))
		take(m->mid, sizeof(m->mid), v + sizeof(MID) - 1,
		     n - (sizeof(MID) - 1));
	else if (m && n == 8 && memcmp(v, "rtcp-mux", 8) == 0)
		m->rtcp_mux = true;
#undef IS
}

int answer_offer_parse(const char *sdp, size_t len, struct answer_offer *out,
                       struct err_detail *e)
{
	const char *p = sdp, *end = sdp + len;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n && p[n - 1] == '\r')
			n--;
		if (n > 2 && p[0] == 'm' && p[1] == '=')
			parse_m(out, p + 2, n - 2);
		else if (n > 2 && p[0] == 'a' && p[1] == '=')
			parse_a(out, p + 2, n - 2);
		p = nl ? nl + 1 : end;
	}
	if (!out->ufrag[0] || !out->pwd[0] || !out->fingerprint[0]) {
		return err_fail(e, ERR_INVALID, NULL,
		                "offer has no ICE credentials or DTLS "
		                "fingerprint");
	}
	if (!out->bundle) {
		return err_fail(e, ERR_INVALID, NULL,
		                "offer must bundle its media "
		                "(a=group:BUNDLE)");
	}
	for (int i = 0; i < out->n_media; i++) {
		const struct answer_media *m = &out->media[i];

		if (!m->port0 && !m->rtcp_mux &&
		    (!strcmp(m->kind, "audio") || !strcmp(m->kind, "video"))) {
			return err_fail(e, ERR_INVALID, NULL,
			                "offer must multiplex RTCP "
			                "(a=rtcp-mux)");
		}
	}
	return 0;
}

static void put_codec(GString *s, const struct answer_stream *st, bool video)
{
	int pt = st->pt;

	if (!video) {
		g_string_append_printf(
		    s,
		    "a=rtpmap:%d OPUS/48000/2\r\n"
		    "a=fmtp:%d minptime=10;useinbandfec=1\r\n",
		    pt, pt);
		return;
	}
	if (st->vp8)
		g_string_append_printf(s, "a=rtpmap:%d VP8/90000\r\n", pt);
	else
		g_string_append_printf(
		    s,
		    "a=rtpmap:%d H264/90000\r\n"
		    "a=fmtp:%d level-asymmetry-allowed=1;packetization-mode=1;"
		    "profile-level-id=%.6s\r\n",
		    pt, pt, st->h264_plid ? st->h264_plid : "42e01f");
	g_string_append_printf(s,
	                       "a=rtcp-fb:%d nack\r\n"
	                       "a=rtcp-fb:%d nack pli\r\n"
	                       "a=rtcp-fb:%d ccm fir\r\n",
	                       pt, pt, pt);
}

static void put_section(GString *s, const struct answer_params *p,
                        const struct answer_media *m,
                        const struct answer_stream *st, bool video)
{
	g_string_append_printf(s, "m=%s 9 %s %d\r\nc=IN IP4 0.0.0.0\r\n",
	                       m->kind, m->proto, st->pt);
	g_string_append_printf(s,
	                       "a=mid:%s\r\na=sendonly\r\na=ice-ufrag:%s\r\n"
	                       "a=ice-pwd:%s\r\na=fingerprint:sha-256 %s\r\n"
	                       "a=setup:passive\r\na=rtcp-mux\r\n",
	                       m->mid, p->ufrag, p->pwd, p->fingerprint);
	put_codec(s, st, video);
	g_string_append_printf(s,
	                       "a=ssrc:%u cname:sinian\r\n"
	                       "a=ssrc:%u msid:sinian %s\r\n"
	                       "a=msid:sinian %s\r\n",
	                       st->ssrc, st->ssrc, video ? "video" : "audio",
	                       video ? "video" : "audio");
	for (unsigned i = 0; i < p->n_ips; i++)
		g_string_append_printf(s,
		                       "a=candidate:%u 1 udp %u %s %u typ host"
		                       "\r\n",
		                       i + 1, 2130706431u - i, p->ips[i],
		                       p->port);
	g_string_append(s, "a=end-of-candidates\r\n");
}

char *answer_build(const struct answer_params *p)
{
	const struct answer_offer *o = p->offer;
	GString *s = g_string_sized_new(2048);

	g_string_append_printf(s,
	                       "v=0\r\no=- %llu 2 IN IP4 127.0.0.1\r\ns=-\r\n"
	                       "t=0 0\r\na=group:BUNDLE",
	                       (unsigned long long)p->session_id);
	for (int i = 0; i < o->n_media; i++)
		if (i == p->video.mline || i == p->audio.mline)
			g_string_append_printf(s, " %s", o->media[i].mid);
	g_string_append(s, "\r\na=ice-lite\r\na=msid-semantic: WMS sinian\r\n");
	for (int i = 0; i < o->n_media; i++) {
		const struct answer_media *m = &o->media[i];

		if (i == p->video.mline)
			put_section(s, p, m, &p->video, true);
		else if (i == p->audio.mline)
			put_section(s, p, m, &p->audio, false);
		else
			g_string_append_printf(s,
			                       "m=%s 0 %s %s\r\nc=IN IP4 "
			                       "0.0.0.0\r\na=mid:%s\r\n"
			                       "a=inactive\r\n",
			                       m->kind, m->proto,
			                       m->fmt[0] ? m->fmt : "0",
			                       m->mid);
	}
	return g_string_free(s, FALSE);
}
