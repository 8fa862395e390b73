/* test_stun.c — STUN as ICE uses it: the RFC 5769 test vectors read and
 * checked (integrity under the right password only, fingerprint, the XOR
 * addresses of both families), messages built here read back the same,
 * and malformed datagrams refused without reading past their end. */
#include "err.h"
#include "stun.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

static const char PWD[] = "VOkJxbRl1RmTxUk/WvJxBt";

/* RFC 5769 2.1: a request with SOFTWARE, PRIORITY, ICE-CONTROLLED,
 * USERNAME "evtj:h6vY", MESSAGE-INTEGRITY and FINGERPRINT. */
static const uint8_t sample_request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10,
    0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
    0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
    0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
    0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
    0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 2.2: a response mapping 192.0.2.1:32853. */
static const uint8_t sample_ipv4_response[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
    0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
    0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 2.3: a response mapping
 * [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const uint8_t sample_ipv6_response[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
    0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
    0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
    0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

START_TEST(rfc5769_request)
{
	struct stun_msg m;

	ck_assert(stun_is(sample_request, sizeof(sample_request)));
	ck_assert_int_eq(stun_parse(sample_request, sizeof(sample_request), &m),
	                 0);
	ck_assert_uint_eq(m.type, STUN_BINDING_REQUEST);
	ck_assert_uint_eq(m.username_len, 9);
	ck_assert(memcmp(m.username, "evtj:h6vY", 9) == 0);
	ck_assert(m.has_priority);
	ck_assert_uint_eq(m.priority, 0x6e0001ff);
	ck_assert(m.controlled && !m.controlling && !m.use_candidate);
	ck_assert(m.tiebreaker == 0x932ff9b151263b36ull);
	ck_assert(stun_fingerprint_ok(sample_request, &m));
	ck_assert(stun_integrity_ok(sample_request, &m, PWD, strlen(PWD)));
	ck_assert(!stun_integrity_ok(sample_request, &m,
	                             "VOkJxbRl1RmTxUk/WvJxBT", strlen(PWD)));
}
END_TEST

START_TEST(rfc5769_request_tampered)
{
	uint8_t buf[sizeof(sample_request)];
	struct stun_msg m;

	memcpy(buf, sample_request, sizeof(buf));
	buf[47] ^= 1; /* the priority */
	ck_assert_int_eq(stun_parse(buf, sizeof(buf), &m), 0);
	ck_assert(!stun_integrity_ok(buf, &m, PWD, strlen(PWD)));
	ck_assert(!stun_fingerprint_ok(buf, &m));
}
END_TEST

START_TEST(rfc5769_ipv4_response)
{
	const struct sockaddr_in *in;
	struct stun_msg m;
	char ip[INET_ADDRSTRLEN];

	ck_assert_int_eq(
	    stun_parse(sample_ipv4_response, sizeof(sample_ipv4_response), &m),
	    0);
	ck_assert_uint_eq(m.type, STUN_BINDING_SUCCESS);
	ck_assert(m.has_mapped);
	in = (const struct sockaddr_in *)&m.mapped;
	ck_assert_int_eq(in->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(in->sin_port), 32853);
	inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
	ck_assert_str_eq(ip, "192.0.2.1");
	ck_assert(stun_fingerprint_ok(sample_ipv4_response, &m));
	ck_assert(
	    stun_integrity_ok(sample_ipv4_response, &m, PWD, strlen(PWD)));
}
END_TEST

START_TEST(rfc5769_ipv6_response)
{
	const struct sockaddr_in6 *in6;
	struct stun_msg m;
	char ip[INET6_ADDRSTRLEN];

	ck_assert_int_eq(
	    stun_parse(sample_ipv6_response, sizeof(sample_ipv6_response), &m),
	    0);
	ck_assert(m.has_mapped);
	in6 = (const struct sockaddr_in6 *)&m.mapped;
	ck_assert_int_eq(in6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(in6->sin6_port), 32853);
	inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
	ck_assert_str_eq(ip, "2001:db8:1234:5678:11:2233:4455:6677");
	ck_assert(stun_fingerprint_ok(sample_ipv6_response, &m));
	ck_assert(
	    stun_integrity_ok(sample_ipv6_response, &m, PWD, strlen(PWD)));
}
END_TEST

/* A check as a browser sends it, and the answer a server gives, both read
 * back as written. */
START_TEST(build_request_and_response)
{
	static const uint8_t tid[STUN_TID_LEN] = {1, 2, 3, 4,  5,  6,
	                                          7, 8, 9, 10, 11, 12};
	uint8_t buf[256], out[256];
	struct stun_builder b;
	struct stun_msg m;
	struct sockaddr_in a = {0};
	size_t n;

	stun_start(&b, buf, sizeof(buf), STUN_BINDING_REQUEST, tid);
	stun_put_bytes(&b, STUN_ATTR_USERNAME, "srv1:cli2", 9);
	stun_put_u32(&b, STUN_ATTR_PRIORITY, 1845501695u);
	stun_put_u64(&b, STUN_ATTR_ICE_CONTROLLING, 0x0102030405060708ull);
	stun_put_bytes(&b, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	n = stun_finish(&b, "serverpassword", 14);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(stun_parse(buf, n, &m), 0);
	ck_assert(m.use_candidate && m.controlling);
	ck_assert(m.tiebreaker == 0x0102030405060708ull);
	ck_assert(memcmp(m.username, "srv1:cli2", 9) == 0);
	ck_assert(stun_integrity_ok(buf, &m, "serverpassword", 14));
	ck_assert(stun_fingerprint_ok(buf, &m));

	a.sin_family = AF_INET;
	a.sin_port = htons(32853);
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	stun_start(&b, out, sizeof(out), STUN_BINDING_SUCCESS, m.tid);
	stun_put_xor_address(&b, (struct sockaddr *)&a);
	n = stun_finish(&b, "serverpassword", 14);
	ck_assert_int_eq(stun_parse(out, n, &m), 0);
	ck_assert(((struct sockaddr_in *)&m.mapped)->sin_addr.s_addr ==
	          a.sin_addr.s_addr);
	ck_assert(stun_integrity_ok(out, &m, "serverpassword", 14));
}
END_TEST

START_TEST(xor_address_matches_rfc_bytes)
{
	uint8_t out[64];
	struct stun_builder b;
	struct sockaddr_in a = {0};

	a.sin_family = AF_INET;
	a.sin_port = htons(32853);
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	stun_start(&b, out, sizeof(out), STUN_BINDING_SUCCESS,
	           sample_ipv4_response + 8);
	stun_put_xor_address(&b, (struct sockaddr *)&a);
	ck_assert(!b.overflow);
	ck_assert(memcmp(out + 20, sample_ipv4_response + 36, 12) == 0);
}
END_TEST

START_TEST(overflow_is_reported)
{
	static const uint8_t tid[STUN_TID_LEN] = {0};
	uint8_t buf[40];
	struct stun_builder b;

	stun_start(&b, buf, sizeof(buf), STUN_BINDING_REQUEST, tid);
	stun_put_bytes(&b, STUN_ATTR_USERNAME, "a-long-username-here", 20);
	ck_assert(b.overflow);
	ck_assert_uint_eq(stun_finish(&b, "k", 1), 0);
}
END_TEST

START_TEST(malformed_refused)
{
	uint8_t buf[sizeof(sample_request) + 8];
	struct stun_msg m;

	/* truncated */
	ck_assert_int_eq(stun_parse(sample_request, 60, &m), ERR_INVALID);
	/* not STUN: an RTP packet, a DTLS record */
	memcpy(buf, sample_request, sizeof(sample_request));
	buf[0] = 0x80;
	ck_assert(!stun_is(buf, sizeof(sample_request)));
	buf[0] = 22;
	ck_assert(!stun_is(buf, sizeof(sample_request)));
	/* an attribute running past the end */
	memcpy(buf, sample_request, sizeof(sample_request));
	buf[22] = 0x00;
	buf[23] = 0xf0;
	ck_assert_int_eq(stun_parse(buf, sizeof(sample_request), &m),
	                 ERR_INVALID);
	/* something after FINGERPRINT */
	memcpy(buf, sample_request, sizeof(sample_request));
	memcpy(buf + sizeof(sample_request), "\x00\x24\x00\x04\x00\x00\x00\x01",
	       8);
	buf[3] = 0x60;
	ck_assert_int_eq(stun_parse(buf, sizeof(buf), &m), ERR_INVALID);
	/* a length that is not a multiple of 4 */
	memcpy(buf, sample_request, sizeof(sample_request));
	buf[3] = 0x57;
	ck_assert_int_eq(stun_parse(buf, sizeof(sample_request) - 1, &m),
	                 ERR_INVALID);
	/* MESSAGE-INTEGRITY of the wrong size */
	memcpy(buf, sample_request, sizeof(sample_request));
	buf[79] = 0x10;
	ck_assert_int_eq(stun_parse(buf, sizeof(sample_request), &m),
	                 ERR_INVALID);
}
END_TEST

static Suite *stun_suite(void)
{
	Suite *s = suite_create("stun");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rfc5769_request);
	tcase_add_test(tc, rfc5769_request_tampered);
	tcase_add_test(tc, rfc5769_ipv4_response);
	tcase_add_test(tc, rfc5769_ipv6_response);
	tcase_add_test(tc, build_request_and_response);
	tcase_add_test(tc, xor_address_matches_rfc_bytes);
	tcase_add_test(tc, overflow_is_reported);
	tcase_add_test(tc, malformed_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stun_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
