/* qm_parse.h — what bench/qmload and bench/wswatch read from the daemon:
 * an HTTP/1.1 answer's head and length, a WebSocket frame, and a tribute's
 * marker in a live event. Pure functions on bytes, so that fuzz/fuzz_qmparse.c
 * can give them anything. */
#ifndef QM_PARSE_H
#define QM_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define QM_MAX_BODY (64u << 20) /* a longer body or frame is a bench error */

/* The Sec-WebSocket-Key of wswatch's upgrades, which wsfloor answers
 * without reading them. */
#define QM_WS_KEY "d3N3YXRjaCBiZW5jaCBrZXk="

struct qm_answer {
	int status;      /* 0 when the status line is not one */
	size_t head_len; /* with the blank line */
	size_t body_len;
	bool close;       /* Connection: close */
	const char *etag; /* in the buffer, or NULL */
	size_t etag_len;
};

/* The answer at the start of buf[0, len): its whole length (head and
 * body), 0 while it is not all there, -1 for one qmload does not read (a
 * chunked body, a body over QM_MAX_BODY, a status line that is not
 * HTTP/1.x's). A 304's body is empty whatever its Content-Length says. */
long qm_answer(const char *buf, size_t len, struct qm_answer *a);

struct qm_frame {
	int opcode;
	bool fin;
	const char *payload; /* in the buffer */
	size_t len;
};

/* The server's frame at the start of buf[0, len): its whole length, 0
 * while it is not all there, -1 for a masked one or one over
 * QM_MAX_BODY. */
long qm_frame(const char *buf, size_t len, struct qm_frame *f);

/* A client's frame (masked, as RFC 6455 asks of clients) of payload
 * p[0, n) with opcode at out[0, room): its length, or 0 when n is 126 or
 * more (the short length form only) or it does not fit. */
size_t qm_client_frame(char *out, size_t room, int opcode, const char *p,
                       size_t n);

/* The number N of the next "from_name":"qmN" in [*p, end), *p moved past
 * it; -1 when there is none; -2 (and *p moved past the key) when what
 * follows the key is not a number. */
long qm_marker(const char **p, const char *end);

#endif
