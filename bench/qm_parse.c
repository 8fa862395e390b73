/* qm_parse.c — see qm_parse.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "qm_parse.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

/* The value of header name in head[0, hlen), or NULL; *vlen its length. */
static const char *header(const char *head, size_t hlen, const char *name,
                          size_t *vlen)
{
	size_t nl = strlen(name);
	const char *p = head, *end = head + hlen;
	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		const char *le = eol ? eol : end;
		if ((size_t)(le - p) > nl && p[nl] == ':' &&
		    !strncasecmp(p, name, nl)) {
			p += nl + 1;
			while (p < le && (*p == ' ' || *p == '\t'))
				p++;
			*vlen = (size_t)(le - p);
			return p;
		}
		if (!eol)
			break;
		p = eol + 2;
	}
	return NULL;
}

long qm_answer(const char *buf, size_t len, struct qm_answer *a)
{
	const char *end = len ? memmem(buf, len, "\r\n\r\n", 4) : NULL, *v;
	size_t hlen, vl, body = 0;
	memset(a, 0, sizeof *a);
	if (!end)
		return 0;
	hlen = (size_t)(end - buf);
	if (hlen < 12 || memcmp(buf, "HTTP/1.", 7) || buf[8] != ' ')
		return -1;
	for (int i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		a->status = a->status * 10 + (buf[i] - '0');
	}
	if (header(buf, hlen, "transfer-encoding", &vl))
		return -1;
	if ((v = header(buf, hlen, "content-length", &vl)) &&
	    a->status != 304) {
		for (size_t i = 0; i < vl; i++) {
			if (v[i] < '0' || v[i] > '9' || body > QM_MAX_BODY)
				return -1;
			body = body * 10 + (size_t)(v[i] - '0');
		}
		if (!vl || body > QM_MAX_BODY)
			return -1;
	}
	a->close = (v = header(buf, hlen, "connection", &vl)) && vl >= 5 &&
	           !strncasecmp(v, "close", 5);
	a->etag = header(buf, hlen, "etag", &a->etag_len);
	a->head_len = hlen + 4;
	a->body_len = body;
	if (len - a->head_len < body)
		return 0;
	return (long)(a->head_len + body);
}

long qm_frame(const char *buf, size_t len, struct qm_frame *f)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t hdr = 2, n;
	memset(f, 0, sizeof *f);
	if (len < 2)
		return 0;
	if (b[1] & 0x80)
		return -1; /* a server does not mask */
	n = b[1] & 0x7f;
	if (n == 126) {
		hdr = 4;
		if (len < hdr)
			return 0;
		n = (size_t)b[2] << 8 | b[3];
	} else if (n == 127) {
		hdr = 10;
		if (len < hdr)
			return 0;
		if (b[2] || b[3] || b[4] || b[5])
			return -1;
		n = (size_t)b[6] << 24 | (size_t)b[7] << 16 |
		    (size_t)b[8] << 8 | b[9];
	}
	if (n > QM_MAX_BODY)
		return -1;
	if (len - hdr < n)
		return 0;
	f->opcode = b[0] & 0x0f;
	f->fin = b[0] & 0x80;
	f->payload = buf + hdr;
	f->len = n;
	return (long)(hdr + n);
}

size_t qm_client_frame(char *out, size_t room, int opcode, const char *p,
                       size_t n)
{
	static const unsigned char mask[4] = {0x3c, 0xa5, 0x71, 0x0e};
	unsigned char *o = (unsigned char *)out;

	if (n >= 126 || room < 6 || n > room - 6)
		return 0;
	o[0] = (unsigned char)(0x80 | opcode);
	o[1] = (unsigned char)(0x80 | n);
	memcpy(o + 2, mask, 4);
	for (size_t i = 0; i < n; i++)
		o[6 + i] = (unsigned char)p[i] ^ mask[i % 4];
	return 6 + n;
}

long qm_marker(const char **p, const char *end)
{
	static const char key[] = "\"from_name\":\"qm";
	const char *m =
	    *p < end ? memmem(*p, (size_t)(end - *p), key, sizeof key - 1)
	             : NULL;
	long n = 0;
	if (!m) {
		*p = end;
		return -1;
	}
	m += sizeof key - 1;
	*p = m;
	if (m == end || *m < '0' || *m > '9')
		return -2;
	while (m < end && *m >= '0' && *m <= '9') {
		if (n > (LONG_MAX - 9) / 10)
			return -2;
		n = n * 10 + (*m++ - '0');
	}
	*p = m;
	return n;
}
