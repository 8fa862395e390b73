/* test_netaddr.c — networks in both families, and the client address read
 * from X-Forwarded-For / Forwarded from the right, past trusted hops only:
 * a header from an untrusted peer is ignored, a spoofed left part never
 * wins, garbage ends the walk. */
#include "check_main.h"
#include "err.h"
#include "netaddr.h"

#include <check.h>
#include <string.h>

static struct netaddr_set *set_of(const char *list)
{
	struct netaddr_set *s = NULL;
	struct err_detail err = {0};

	ck_assert_int_eq(netaddr_set_parse(list, &s, &err), 0);
	return s;
}

static const char *client(const struct netaddr_set *t, const char *peer,
                          const char *hdr, bool fwd)
{
	static char out[NETADDR_TEXT];

	netaddr_client(t, peer, hdr, fwd, out);
	return out;
}

START_TEST(networks)
{
	struct netaddr_set *s =
	    set_of("10.0.0.0/8, 192.168.1.7 2001:db8::/32,fd00::1");
	struct netaddr_set *bad = NULL;
	struct err_detail err = {0};

	ck_assert(netaddr_set_has(s, "10.255.1.2"));
	ck_assert(netaddr_set_has(s, "::ffff:10.1.2.3")); /* mapped */
	ck_assert(netaddr_set_has(s, "192.168.1.7"));
	ck_assert(!netaddr_set_has(s, "192.168.1.8"));
	ck_assert(!netaddr_set_has(s, "11.0.0.1"));
	ck_assert(netaddr_set_has(s, "2001:db8:ffff::9"));
	ck_assert(!netaddr_set_has(s, "2001:db9::1"));
	ck_assert(netaddr_set_has(s, "fd00::1"));
	ck_assert(!netaddr_set_has(s, "fd00::2"));
	ck_assert(!netaddr_set_has(s, "not-an-address"));
	ck_assert(!netaddr_set_has(NULL, "10.0.0.1"));
	netaddr_set_free(s);
	s = set_of("");
	ck_assert(!netaddr_set_has(s, "127.0.0.1"));
	netaddr_set_free(s);
	s = set_of("10.1.2.3/12"); /* host bits are ignored */
	ck_assert(netaddr_set_has(s, "10.15.0.1"));
	ck_assert(!netaddr_set_has(s, "10.16.0.1"));
	netaddr_set_free(s);
	static const char *const wrong[] = {"10.0.0.0/33", "::/129",
	                                    "10.0.0.0/",   "nginx",
	                                    "10.0.0.0/8x", "1.2.3.4.5"};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		ck_assert_int_eq(netaddr_set_parse(wrong[i], &bad, &err),
		                 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "1.2.3.4.5"));
}
END_TEST

START_TEST(untrusted_peer_header_ignored)
{
	struct netaddr_set *t = set_of("127.0.0.1");

	ck_assert_str_eq(client(t, "203.0.113.9", "1.2.3.4", false),
	                 "203.0.113.9");
	ck_assert_str_eq(client(t, "203.0.113.9", "for=1.2.3.4", true),
	                 "203.0.113.9");
	ck_assert_str_eq(client(NULL, "127.0.0.1", "1.2.3.4", false),
	                 "127.0.0.1");
	netaddr_set_free(t);
}
END_TEST

START_TEST(xff_from_the_right)
{
	struct netaddr_set *t = set_of("127.0.0.1 10.0.0.0/8");

	ck_assert_str_eq(client(t, "127.0.0.1", "198.51.100.2", false),
	                 "198.51.100.2");
	/* the client wrote a left part: it never wins */
	ck_assert_str_eq(
	    client(t, "127.0.0.1", "6.6.6.6, 198.51.100.2, 10.0.0.5", false),
	    "198.51.100.2");
	ck_assert_str_eq(
	    client(t, "127.0.0.1", " 6.6.6.6 ,198.51.100.2", false),
	    "198.51.100.2");
	/* all hops trusted: the leftmost */
	ck_assert_str_eq(client(t, "127.0.0.1", "10.1.1.1, 10.2.2.2", false),
	                 "10.1.1.1");
	/* garbage ends the walk at the last good hop */
	ck_assert_str_eq(client(t, "127.0.0.1", "1.1.1.1, unknown", false),
	                 "127.0.0.1");
	ck_assert_str_eq(
	    client(t, "127.0.0.1", "6.6.6.6, junk, 10.0.0.9", false),
	    "10.0.0.9");
	ck_assert_str_eq(client(t, "127.0.0.1", "", false), "127.0.0.1");
	ck_assert_str_eq(client(t, "127.0.0.1", NULL, false), "127.0.0.1");
	/* a port and IPv6, canonical text out */
	ck_assert_str_eq(client(t, "127.0.0.1", "198.51.100.2:5555", false),
	                 "198.51.100.2");
	ck_assert_str_eq(
	    client(t, "::ffff:127.0.0.1", "2001:DB8:0:0::1", false),
	    "2001:db8::1");
	ck_assert_str_eq(client(t, "127.0.0.1", "[2001:db8::2]:443", false),
	                 "2001:db8::2");
	netaddr_set_free(t);
}
END_TEST

START_TEST(forwarded_rfc7239)
{
	struct netaddr_set *t = set_of("127.0.0.1 10.0.0.0/8");

	ck_assert_str_eq(
	    client(t, "127.0.0.1",
	           "for=6.6.6.6, for=192.0.2.60;proto=http;by=203.0.113.43",
	           true),
	    "192.0.2.60");
	ck_assert_str_eq(
	    client(t, "127.0.0.1",
	           "for=\"[2001:db8:cafe::17]:4711\", For=10.0.0.3", true),
	    "2001:db8:cafe::17");
	ck_assert_str_eq(client(t, "127.0.0.1",
	                        "for=\"198.51.100.17:8080\";proto=https", true),
	                 "198.51.100.17");
	/* an element without for=, or an obfuscated one, ends the walk */
	ck_assert_str_eq(
	    client(t, "127.0.0.1", "for=1.2.3.4, proto=https", true),
	    "127.0.0.1");
	ck_assert_str_eq(client(t, "127.0.0.1", "for=_hidden", true),
	                 "127.0.0.1");
	netaddr_set_free(t);
}
END_TEST

static Suite *netaddr_suite(void)
{
	Suite *s = suite_create("netaddr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, networks);
	tcase_add_test(tc, untrusted_peer_header_ignored);
	tcase_add_test(tc, xff_from_the_right);
	tcase_add_test(tc, forwarded_rfc7239);
	suite_add_tcase(s, tc);
	return s;
}

SINIAN_CHECK_MAIN(netaddr_suite)
