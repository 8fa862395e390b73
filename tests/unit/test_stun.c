/* test_stun.c — STUN for ICE-lite: the RFC 5769 test vectors (request,
 * IPv4 and IPv6 responses), integrity and fingerprint failures, malformed
 * messages, and requests and responses built here read back. */
#include "err.h"
#include "stun.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

static const char PWD[] = "VOkJxbRl1RmTxUk/WvJxBt";

/* RFC 5769 2.1: sample request */
static const uint8_t REQ[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10,
    0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
    0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
    0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
    0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
    0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};

/* RFC 5769 2.2: sample IPv4 response (192.0.2.1:32853) */
static const uint8_t RESP4[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
    0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
    0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};

/* RFC 5769 2.3: sample IPv6 response
 * ([2001:db8:1234:5678:11:2233:4455:6677]:32853) */
static const uint8_t RESP6[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
    0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
    0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
    0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c};

START_TEST(rfc5769_request)
{
	struct stun_msg m;
	const uint8_t *ufrag;
	size_t n;

	ck_assert(stun_is(REQ, sizeof(REQ)));
	ck_assert_int_eq(stun_parse(REQ, sizeof(REQ), &m), 0);
	ck_assert_uint_eq(m.method, STUN_BINDING);
	ck_assert_int_eq(m.cls, STUN_REQUEST);
	ck_assert(m.has_priority);
	ck_assert_uint_eq(m.priority, 0x6e0001ff);
	ck_assert(m.controlled && !m.controlling && !m.use_candidate);
	ck_assert(m.tiebreaker == 0x932ff9b151263b36ull);
	ck_assert_uint_eq(m.username_len, 9);
	ck_assert(memcmp(m.username, "evtj:h6vY", 9) == 0);
	ck_assert_int_eq(stun_local_ufrag(&m, &ufrag, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert(memcmp(ufrag, "evtj", 4) == 0);
	ck_assert_int_eq(stun_check_integrity(&m, PWD, strlen(PWD)), 0);
	ck_assert_int_eq(stun_check_fingerprint(&m), 0);
	ck_assert_int_eq(stun_check_integrity(&m, "wrong", 5),
	                 ERR_UNAUTHORIZED);
}
END_TEST

START_TEST(rfc5769_responses)
{
	struct stun_msg m;
	const struct sockaddr_in *sin = (const void *)&m.mapped;
	const struct sockaddr_in6 *sin6 = (const void *)&m.mapped;
	struct in6_addr want6;

	ck_assert_int_eq(stun_parse(RESP4, sizeof(RESP4), &m), 0);
	ck_assert_int_eq(m.cls, STUN_SUCCESS);
	ck_assert(m.has_mapped);
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 32853);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0xc0000201);
	ck_assert_int_eq(stun_check_integrity(&m, PWD, strlen(PWD)), 0);
	ck_assert_int_eq(stun_check_fingerprint(&m), 0);

	ck_assert_int_eq(stun_parse(RESP6, sizeof(RESP6), &m), 0);
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 32853);
	inet_pton(AF_INET6, "2001:db8:1234:5678:11:2233:4455:6677", &want6);
	ck_assert(memcmp(&sin6->sin6_addr, &want6, 16) == 0);
	ck_assert_int_eq(stun_check_integrity(&m, PWD, strlen(PWD)), 0);
	ck_assert_int_eq(stun_check_fingerprint(&m), 0);
}
END_TEST

START_TEST(any_flipped_bit_fails_a_check)
{
	uint8_t buf[sizeof(REQ)];
	struct stun_msg m;

	for (size_t i = 0; i < sizeof(REQ); i++) {
		memcpy(buf, REQ, sizeof(REQ));
		buf[i] ^= 0x10;
		if (stun_parse(buf, sizeof(buf), &m) != 0)
			continue;
		ck_assert_msg(stun_check_integrity(&m, PWD, strlen(PWD)) != 0 ||
		                  stun_check_fingerprint(&m) != 0,
		              "byte %zu", i);
	}
}
END_TEST

START_TEST(malformed_messages_are_refused)
{
	uint8_t buf[sizeof(REQ) + 8];
	struct stun_msg m;

	/* truncated at every length */
	for (size_t n = 0; n < sizeof(REQ); n++)
		ck_assert_int_eq(stun_parse(REQ, n, &m), ERR_INVALID);
	/* an attribute after FINGERPRINT */
	memcpy(buf, REQ, sizeof(REQ));
	memcpy(buf + sizeof(REQ), "\x00\x25\x00\x00\x00\x25\x00\x00", 8);
	buf[3] += 8;
	ck_assert_int_eq(stun_parse(buf, sizeof(buf), &m), ERR_INVALID);
	/* an attribute length running past the end */
	memcpy(buf, REQ, sizeof(REQ));
	buf[22] = 0x7f;
	ck_assert_int_eq(stun_parse(buf, sizeof(REQ), &m), ERR_INVALID);
	/* not STUN: RTP-looking first byte, bad cookie */
	memcpy(buf, REQ, sizeof(REQ));
	buf[0] = 0x80;
	ck_assert(!stun_is(buf, sizeof(REQ)));
	memcpy(buf, REQ, sizeof(REQ));
	buf[5] = 0;
	ck_assert_int_eq(stun_parse(buf, sizeof(REQ), &m), ERR_INVALID);
	/* a header whose length runs past the datagram */
	ck_assert_int_eq(stun_parse(REQ, 20, &m), ERR_INVALID);
}
END_TEST

START_TEST(request_built_reads_back)
{
	uint8_t buf[256],
	    txid[STUN_TXID_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	struct stun_builder b;
	struct stun_msg m;
	int n;

	stun_begin(&b, buf, sizeof(buf), STUN_BINDING, STUN_REQUEST, txid);
	stun_add_username(&b, "srvufrag:cli");
	stun_add_priority(&b, 1853817087);
	stun_add_role(&b, true, 0x0102030405060708ull);
	stun_add_use_candidate(&b);
	n = stun_finish(&b, "serverpassword", 14, true);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(stun_parse(buf, (size_t)n, &m), 0);
	ck_assert_int_eq(m.cls, STUN_REQUEST);
	ck_assert(m.controlling && m.use_candidate && m.has_priority);
	ck_assert(m.tiebreaker == 0x0102030405060708ull);
	ck_assert(memcmp(m.txid, txid, STUN_TXID_LEN) == 0);
	ck_assert_uint_eq(m.username_len, 12);
	ck_assert_int_eq(stun_check_integrity(&m, "serverpassword", 14), 0);
	ck_assert_int_eq(stun_check_fingerprint(&m), 0);
	/* a message without integrity never authenticates */
	stun_begin(&b, buf, sizeof(buf), STUN_BINDING, STUN_REQUEST, txid);
	n = stun_finish(&b, NULL, 0, true);
	ck_assert_int_eq(stun_parse(buf, (size_t)n, &m), 0);
	ck_assert_int_eq(stun_check_integrity(&m, "x", 1), ERR_UNAUTHORIZED);
	ck_assert_int_eq(
	    stun_local_ufrag(&m, &(const uint8_t *){0}, &(size_t){0}),
	    ERR_INVALID);
}
END_TEST

START_TEST(responses_built_read_back)
{
	uint8_t buf[256], txid[STUN_TXID_LEN] = {0};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6,
	                          .sin6_port = htons(5000)};
	struct sockaddr_in a4 = {.sin_family = AF_INET,
	                         .sin_port = htons(40000)};
	struct stun_builder b;
	struct stun_msg m;
	int n;

	inet_pton(AF_INET6, "2001:db8::9", &a6.sin6_addr);
	stun_begin(&b, buf, sizeof(buf), STUN_BINDING, STUN_SUCCESS, txid);
	stun_add_xor_mapped(&b, (const struct sockaddr *)&a6);
	n = stun_finish(&b, "k", 1, true);
	ck_assert_int_eq(stun_parse(buf, (size_t)n, &m), 0);
	ck_assert_int_eq(m.cls, STUN_SUCCESS);
	ck_assert(memcmp(&m.mapped, &a6, sizeof(a6)) == 0);

	inet_pton(AF_INET, "198.51.100.4", &a4.sin_addr);
	stun_begin(&b, buf, sizeof(buf), STUN_BINDING, STUN_ERROR, txid);
	stun_add_xor_mapped(&b, (const struct sockaddr *)&a4);
	stun_add_error(&b, 487, "Role Conflict");
	n = stun_finish(&b, "k", 1, true);
	ck_assert_int_eq(stun_parse(buf, (size_t)n, &m), 0);
	ck_assert_int_eq(m.cls, STUN_ERROR);
	ck_assert_int_eq(m.error_code, 487);
	ck_assert(memcmp(&m.mapped, &a4, sizeof(a4)) == 0);
	ck_assert_int_eq(stun_check_integrity(&m, "k", 1), 0);
}
END_TEST

START_TEST(builder_never_writes_past_its_buffer)
{
	uint8_t buf[64], txid[STUN_TXID_LEN] = {0};
	struct stun_builder b;

	memset(buf, 0xaa, sizeof(buf));
	stun_begin(&b, buf, 40, STUN_BINDING, STUN_REQUEST, txid);
	stun_add_username(&b, "a-username-far-longer-than-the-room-left");
	ck_assert_int_eq(stun_finish(&b, "k", 1, true), ERR_TOO_LARGE);
	for (size_t i = 40; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0xaa);
	stun_begin(&b, buf, 10, STUN_BINDING, STUN_REQUEST, txid);
	ck_assert_int_eq(stun_finish(&b, NULL, 0, false), ERR_TOO_LARGE);
}
END_TEST

static Suite *stun_suite(void)
{
	Suite *s = suite_create("stun");
	TCase *tc = tcase_create("messages");

	tcase_add_test(tc, rfc5769_request);
	tcase_add_test(tc, rfc5769_responses);
	tcase_add_test(tc, any_flipped_bit_fails_a_check);
	tcase_add_test(tc, malformed_messages_are_refused);
	tcase_add_test(tc, request_built_reads_back);
	tcase_add_test(tc, responses_built_read_back);
	tcase_add_test(tc, builder_never_writes_past_its_buffer);
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
