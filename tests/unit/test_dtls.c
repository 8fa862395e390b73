/* test_dtls.c — DTLS-SRTP between the server the lite engine runs and an
 * OpenSSL client: the handshake, GCM chosen, keys that agree and carry
 * SRTP, a certificate that does not match the offer's fingerprint, a lost
 * flight retransmitted, the handshake cap, releasing the SSL, and the
 * record framing check. */
#include "dtls.h"
#include "err.h"
#include "srtpx.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QMAX 32

/* Datagrams one side sent and the other has not read yet. */
struct queue {
	uint8_t buf[QMAX][1500];
	size_t len[QMAX];
	unsigned n, dropped;
	unsigned drop_next; /* lose this many datagrams */
};

static void enqueue(void *user, const uint8_t *buf, size_t len)
{
	struct queue *q = user;

	ck_assert_uint_le(len, DTLS_MTU);
	if (q->drop_next) {
		q->drop_next--;
		q->dropped++;
		return;
	}
	ck_assert_uint_lt(q->n, QMAX);
	memcpy(q->buf[q->n], buf, len);
	q->len[q->n++] = len;
}

static void deliver(struct queue *q, struct dtls_conn *to)
{
	unsigned n = q->n;

	q->n = 0;
	for (unsigned i = 0; i < n; i++)
		dtls_conn_input(to, q->buf[i], q->len[i]);
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct side {
	struct dtls_ctx *ctx;
	struct dtls_conn *conn;
	struct queue out;
};

static char *fp_of(struct dtls_ctx *ctx)
{
	static char s[DTLS_FP_LEN + 16];

	snprintf(s, sizeof(s), "sha-256 %s", dtls_ctx_fingerprint(ctx));
	return s;
}

static void pair(struct side *srv, struct side *cli, unsigned cap)
{
	memset(srv, 0, sizeof(*srv));
	memset(cli, 0, sizeof(*cli));
	ck_assert_int_eq(dtls_ctx_new(cap, &srv->ctx), 0);
	ck_assert_int_eq(dtls_ctx_new(0, &cli->ctx), 0);
	ck_assert_int_eq(dtls_conn_new(srv->ctx, true, fp_of(cli->ctx), enqueue,
	                               &srv->out, &srv->conn),
	                 0);
	ck_assert_int_eq(dtls_conn_new(cli->ctx, false, fp_of(srv->ctx),
	                               enqueue, &cli->out, &cli->conn),
	                 0);
}

static void unpair(struct side *srv, struct side *cli)
{
	dtls_conn_free(srv->conn);
	dtls_conn_free(cli->conn);
	dtls_ctx_free(srv->ctx);
	dtls_ctx_free(cli->ctx);
}

/* Exchange datagrams (ticking both) until both sides settle or the
 * deadline passes. */
static void run(struct side *srv, struct side *cli, int64_t max_us)
{
	int64_t end = now_us() + max_us;

	while (now_us() < end) {
		dtls_conn_tick(cli->conn, now_us());
		dtls_conn_tick(srv->conn, now_us());
		deliver(&cli->out, srv->conn);
		deliver(&srv->out, cli->conn);
		if (dtls_conn_state(srv->conn) >= DTLS_CONNECTED &&
		    dtls_conn_state(cli->conn) >= DTLS_CONNECTED &&
		    !cli->out.n && !srv->out.n)
			return;
		nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
}

START_TEST(handshake_exports_matching_keys)
{
	struct side srv, cli;
	struct dtls_srtp_keys sk, ck;
	struct srtpx *tx, *rx;
	uint8_t pkt[64] = {0x80, 102, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4, 'h', 'i'};
	int n;

	pair(&srv, &cli, 0);
	ck_assert_int_eq(dtls_conn_keys(srv.conn, &sk), ERR_CONFLICT);
	ck_assert_int_eq(strlen(dtls_ctx_fingerprint(srv.ctx)), 95);
	run(&srv, &cli, 5000000);
	ck_assert_int_eq(dtls_conn_state(srv.conn), DTLS_CONNECTED);
	ck_assert_int_eq(dtls_conn_state(cli.conn), DTLS_CONNECTED);
	ck_assert_uint_eq(dtls_ctx_handshakes(srv.ctx), 0);
	ck_assert_int_eq(dtls_conn_keys(srv.conn, &sk), 0);
	ck_assert_int_eq(dtls_conn_keys(cli.conn, &ck), 0);
	ck_assert_int_eq(sk.profile, SRTPX_AEAD_AES_128_GCM);
	ck_assert(memcmp(sk.local_key, ck.remote_key, 16) == 0);
	ck_assert(memcmp(sk.remote_key, ck.local_key, 16) == 0);
	ck_assert(memcmp(sk.local_salt, ck.remote_salt, 12) == 0);
	ck_assert(memcmp(sk.local_key, sk.remote_key, 16) != 0);
	/* the server's keys carry SRTP the client reads */
	ck_assert_int_eq(srtpx_new_master(sk.profile, SRTPX_OUT, sk.local_key,
	                                  sk.local_salt, &tx),
	                 0);
	ck_assert_int_eq(srtpx_new_master(ck.profile, SRTPX_IN, ck.remote_key,
	                                  ck.remote_salt, &rx),
	                 0);
	n = srtpx_protect_rtp(tx, pkt, 14, sizeof(pkt), 0);
	ck_assert_int_eq(srtpx_unprotect_rtp(rx, pkt, (size_t)n, 0), 14);
	ck_assert(memcmp(pkt + 12, "hi", 2) == 0);
	srtpx_free(tx);
	srtpx_free(rx);
	/* released: keys stay, datagrams are ignored */
	dtls_conn_release(srv.conn);
	ck_assert_int_eq(dtls_conn_keys(srv.conn, &sk), 0);
	ck_assert_int_eq(dtls_conn_input(srv.conn, srv.out.buf[0], 13),
	                 DTLS_CONNECTED);
	unpair(&srv, &cli);
}
END_TEST

START_TEST(wrong_fingerprint_fails)
{
	struct side srv, cli;
	struct dtls_ctx *other;

	pair(&srv, &cli, 0);
	ck_assert_int_eq(dtls_ctx_new(0, &other), 0);
	dtls_conn_free(srv.conn);
	/* the server expects some other certificate */
	ck_assert_int_eq(dtls_conn_new(srv.ctx, true, fp_of(other), enqueue,
	                               &srv.out, &srv.conn),
	                 0);
	run(&srv, &cli, 2000000);
	ck_assert_int_eq(dtls_conn_state(srv.conn), DTLS_FAILED);
	ck_assert_int_eq(dtls_conn_keys(srv.conn, &(struct dtls_srtp_keys){0}),
	                 ERR_CONFLICT);
	ck_assert_uint_eq(dtls_ctx_handshakes(srv.ctx), 0);
	dtls_ctx_free(other);
	unpair(&srv, &cli);
}
END_TEST

START_TEST(lost_flight_is_sent_again)
{
	struct side srv, cli;

	pair(&srv, &cli, 0);
	srv.out.drop_next = 1; /* the first datagram of the server's flight */
	run(&srv, &cli, 10000000);
	ck_assert_uint_eq(srv.out.dropped, 1);
	ck_assert_int_eq(dtls_conn_state(srv.conn), DTLS_CONNECTED);
	ck_assert_int_eq(dtls_conn_state(cli.conn), DTLS_CONNECTED);
	unpair(&srv, &cli);
}
END_TEST

START_TEST(handshake_cap_defers_the_next)
{
	struct side srv, cli, srv2, cli2;

	pair(&srv, &cli, 1);
	pair(&srv2, &cli2, 0);
	/* the second server conn shares the first one's ctx (cap 1) */
	dtls_conn_free(srv2.conn);
	ck_assert_int_eq(dtls_conn_new(srv.ctx, true, fp_of(cli2.ctx), enqueue,
	                               &srv2.out, &srv2.conn),
	                 0);
	dtls_conn_tick(cli.conn, now_us());
	dtls_conn_tick(cli2.conn, now_us());
	deliver(&cli.out, srv.conn);
	deliver(&cli2.out, srv2.conn);
	ck_assert_int_eq(dtls_conn_state(srv.conn), DTLS_HANDSHAKING);
	ck_assert_int_eq(dtls_conn_state(srv2.conn), DTLS_NEW);
	ck_assert_uint_eq(dtls_ctx_handshakes(srv.ctx), 1);
	run(&srv, &cli, 5000000);
	ck_assert_int_eq(dtls_conn_state(srv.conn), DTLS_CONNECTED);
	/* the deferred client retransmits its hello and gets through */
	run(&srv2, &cli2, 10000000);
	ck_assert_int_eq(dtls_conn_state(srv2.conn), DTLS_CONNECTED);
	dtls_ctx_free(srv2.ctx);
	srv2.ctx = NULL;
	unpair(&srv2, &cli2);
	unpair(&srv, &cli);
}
END_TEST

START_TEST(record_framing_and_fingerprints)
{
	uint8_t rec[40] = {22, 0xfe, 0xfd};
	struct dtls_ctx *ctx;
	struct dtls_conn *c;
	struct queue q = {0};

	rec[12] = 14; /* one record of 14 bytes + 13 header */
	ck_assert(dtls_is_record(rec, 27));
	ck_assert(!dtls_is_record(rec, 26));
	ck_assert(!dtls_is_record(rec, 28)); /* trailing garbage */
	rec[0] = 0x80;                       /* RTP */
	ck_assert(!dtls_is_record(rec, 27));
	ck_assert(!dtls_is_record(rec, 0));
	ck_assert_int_eq(dtls_ctx_new(0, &ctx), 0);
	ck_assert_int_eq(
	    dtls_conn_new(ctx, true, "sha-256 AB:CD", enqueue, &q, &c),
	    ERR_INVALID);
	ck_assert_int_eq(dtls_conn_new(ctx, true, "md5 AB:CD", enqueue, &q, &c),
	                 ERR_INVALID);
	ck_assert_int_eq(dtls_conn_new(ctx, true,
	                               "sha-1 00:11:22:33:44:55:66:"
	                               "77:88:99:AA:BB:CC:DD:EE:FF:"
	                               "00:11:22:33",
	                               enqueue, &q, &c),
	                 0);
	dtls_conn_free(c);
	dtls_ctx_free(ctx);
}
END_TEST

static Suite *dtls_suite(void)
{
	Suite *s = suite_create("dtls");
	TCase *tc = tcase_create("handshake");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, handshake_exports_matching_keys);
	tcase_add_test(tc, wrong_fingerprint_fails);
	tcase_add_test(tc, lost_flight_is_sent_again);
	tcase_add_test(tc, handshake_cap_defers_the_next);
	tcase_add_test(tc, record_framing_and_fingerprints);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dtls_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
