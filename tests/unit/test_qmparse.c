/* test_qmparse.c — what the Qingming load reads (bench/qm_parse.c): keep-
 * alive answers one after another with their lengths, status, ETag and
 * Connection: close; a 304's body empty whatever its Content-Length;
 * answers not all there yet; chunked and absurd lengths refused; the three
 * WebSocket length forms, fragments, masked and oversized frames; tribute
 * markers, several in one message, and malformed ones; the masked frames
 * the load's watchers send. If the load misread any of these, the bench's
 * figures would be wrong without an error. */
#include "check_main.h"
#include "qm_parse.h"

#include <check.h>
#include <string.h>

#define S(lit) lit, sizeof lit - 1

START_TEST(answers_in_a_row)
{
	static const char in[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "ETag: \"m1-7\"\r\n\r\nhello"
	    "HTTP/1.1 304 Not Modified\r\ncontent-length: 4492\r\n"
	    "etag: \"m1-7\"\r\n\r\n"
	    "HTTP/1.1 404 Not Found\r\nConnection: close\r\n"
	    "Content-Length: 2\r\n\r\n{}";
	struct qm_answer a;
	size_t off = 0;
	long n = qm_answer(in, sizeof in - 1, &a);

	ck_assert_int_eq(a.status, 200);
	ck_assert_uint_eq(a.body_len, 5);
	ck_assert_int_eq(n, (long)a.head_len + 5);
	ck_assert(!memcmp(in + a.head_len, "hello", 5));
	ck_assert_uint_eq(a.etag_len, 6);
	ck_assert(!memcmp(a.etag, "\"m1-7\"", 6));
	ck_assert(!a.close);
	off += (size_t)n;
	n = qm_answer(in + off, sizeof in - 1 - off, &a);
	ck_assert_int_eq(a.status, 304);
	ck_assert_uint_eq(a.body_len, 0); /* not 4492 */
	ck_assert_int_eq(n, (long)a.head_len);
	off += (size_t)n;
	n = qm_answer(in + off, sizeof in - 1 - off, &a);
	ck_assert_int_eq(a.status, 404);
	ck_assert(a.close);
	ck_assert_ptr_null(a.etag);
	ck_assert_uint_eq(off + (size_t)n, sizeof in - 1);
}
END_TEST

START_TEST(answers_not_all_there)
{
	static const char in[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcdefghij";
	struct qm_answer a;

	for (size_t len = 0; len < sizeof in - 1; len++)
		ck_assert_int_eq(qm_answer(in, len, &a), 0);
	ck_assert_int_eq(qm_answer(in, sizeof in - 1, &a), (long)sizeof in - 1);
}
END_TEST

START_TEST(answers_refused)
{
	struct qm_answer a;

	ck_assert_int_eq(
	    qm_answer(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	                "\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
	              &a),
	    -1);
	ck_assert_int_eq(qm_answer(S("HTTP/1.1 200 OK\r\nContent-Length: "
	                             "99999999999999999999999\r\n\r\n"),
	                           &a),
	                 -1);
	ck_assert_int_eq(
	    qm_answer(S("HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n"), &a),
	    -1);
	ck_assert_int_eq(qm_answer(S("SSH-2.0-x\r\n\r\n"), &a), -1);
	ck_assert_int_eq(qm_answer(S("HTTP/1.1 2x0 OK\r\n\r\n"), &a), -1);
}
END_TEST

START_TEST(frames)
{
	char in[16 + 300 + 20];
	struct qm_frame f;
	size_t len = 0;

	/* 5 bytes, then 300 (16-bit length), then a fragment pair */
	memcpy(in, "\x81\x05hello", 7);
	len = 7;
	in[len++] = (char)0x81;
	in[len++] = 126;
	in[len++] = 0x01;
	in[len++] = 0x2c;
	memset(in + len, 'x', 300);
	len += 300;
	memcpy(in + len,
	       "\x01\x02"
	       "ab"
	       "\x80\x01"
	       "c",
	       7);
	len += 7;

	long n = qm_frame(in, len, &f);
	ck_assert_int_eq(n, 7);
	ck_assert_int_eq(f.opcode, 1);
	ck_assert(f.fin);
	ck_assert(!memcmp(f.payload, "hello", 5));
	for (size_t k = 0; k < 304; k++)
		ck_assert_int_eq(qm_frame(in + 7, k, &f), 0);
	n = qm_frame(in + 7, len - 7, &f);
	ck_assert_int_eq(n, 304);
	ck_assert_uint_eq(f.len, 300);
	n = qm_frame(in + 311, len - 311, &f);
	ck_assert_int_eq(n, 4);
	ck_assert(!f.fin);
	ck_assert_int_eq(f.opcode, 1);
	n = qm_frame(in + 315, len - 315, &f);
	ck_assert_int_eq(n, 3);
	ck_assert(f.fin);
	ck_assert_int_eq(f.opcode, 0);
	ck_assert_int_eq(*f.payload, 'c');
}
END_TEST

START_TEST(frames_refused)
{
	struct qm_frame f;

	/* masked: a server does not mask */
	ck_assert_int_eq(qm_frame(S("\x81\x85\x01\x02\x03\x04hello"), &f), -1);
	/* a 64-bit length far past anything */
	ck_assert_int_eq(
	    qm_frame(S("\x81\x7f\xff\xff\xff\xff\xff\xff\xff\xff"), &f), -1);
	/* the 64-bit form of a small length is read */
	ck_assert_int_eq(
	    qm_frame(S("\x81\x7f\x00\x00\x00\x00\x00\x00\x00\x02ok"), &f), 12);
	ck_assert_uint_eq(f.len, 2);
}
END_TEST

START_TEST(client_frames)
{
	char out[64];
	struct qm_frame f;
	size_t n = qm_client_frame(out, sizeof(out), 1, S("{\"subscribe\":1}"));

	ck_assert_uint_eq(n, 6 + 15);
	ck_assert_int_eq((unsigned char)out[0], 0x81);
	ck_assert_int_eq((unsigned char)out[1], 0x80 | 15); /* masked */
	for (size_t i = 0; i < 15; i++)
		out[6 + i] ^= out[2 + i % 4];
	ck_assert(!memcmp(out + 6, "{\"subscribe\":1}", 15));
	/* the server's reader refuses it: a server does not mask */
	ck_assert_int_eq(qm_frame(out, n, &f), -1);
	/* the short length form only, and only what fits */
	ck_assert_uint_eq(qm_client_frame(out, sizeof(out), 1, out, 126), 0);
	ck_assert_uint_eq(qm_client_frame(out, 20, 1, S("{\"subscribe\":1}")),
	                  0);
	ck_assert_uint_eq(qm_client_frame(out, 3, 10, "", 0), 0);
	ck_assert_uint_eq(qm_client_frame(out, 6, 10, "", 0), 6);
}
END_TEST

START_TEST(markers)
{
	static const char in[] =
	    "{\"topic\":\"memorial:3\",\"event\":{\"tribute\":{\"from_name\":"
	    "\"qm123\"}}}"
	    "{\"from_name\":\"qm\"}{\"from_name\":\"qm7\"}"
	    "{\"from_name\":\"qm99999999999999999999999\"}";
	const char *p = in, *end = in + sizeof in - 1;

	ck_assert_int_eq(qm_marker(&p, end), 123);
	ck_assert_int_eq(qm_marker(&p, end), -2);
	ck_assert_int_eq(qm_marker(&p, end), 7);
	ck_assert_int_eq(qm_marker(&p, end), -2); /* too long a number */
	ck_assert_int_eq(qm_marker(&p, end), -1);
	ck_assert_ptr_eq(p, end);
}
END_TEST

static Suite *qmparse_suite(void)
{
	Suite *s = suite_create("qmparse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, answers_in_a_row);
	tcase_add_test(tc, answers_not_all_there);
	tcase_add_test(tc, answers_refused);
	tcase_add_test(tc, frames);
	tcase_add_test(tc, frames_refused);
	tcase_add_test(tc, client_frames);
	tcase_add_test(tc, markers);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_CHECK_MAIN(qmparse_suite)
