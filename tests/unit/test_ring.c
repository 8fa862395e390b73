/* test_ring.c — the packet ring: packets in and out, NACK lookups by
 * sequence number across a wrap, the key frame cache for H.264 and VP8
 * (and its ageing out), refusals, and a reader racing the producer never
 * seeing torn packets. */
#include "err.h"
#include "ring.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* An RTP packet: seq, marker, payload bytes pl[0..pn), then fill. */
static size_t rtp(uint8_t *p, uint16_t seq, bool marker, const uint8_t *pl,
                  size_t pn, size_t len)
{
	memset(p, (uint8_t)seq, len);
	p[0] = 0x80;
	p[1] = (uint8_t)((marker ? 0x80 : 0) | 102);
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	memcpy(p + 12, pl, pn);
	return len;
}

static const uint8_t P_SLICE[] = {0x41, 0x9a};
static const uint8_t STAP_SPS[] = {0x18, 0x00, 0x02, 0x67, 0x42,
                                   0x00, 0x02, 0x68, 0xce};
static const uint8_t FU_IDR_START[] = {0x7c, 0x85};
static const uint8_t FU_IDR_MID[] = {0x7c, 0x05};

START_TEST(packets_in_and_out)
{
	struct ring *r;
	uint8_t p[200], out[200];
	bool key = true;

	ck_assert_int_eq(ring_new(10, RING_H264, &r), 0);
	ck_assert_uint_eq(ring_slots(r), 16);
	for (uint16_t s = 0; s < 20; s++)
		ring_push(r, p, rtp(p, s, true, P_SLICE, 2, 100 + s), s);
	ck_assert_uint_eq(ring_head(r), 20);
	ck_assert_uint_eq(ring_copy(r, 19, out, sizeof(out), &key), 119);
	ck_assert(!key);
	ck_assert_uint_eq(out[3], 19);
	ck_assert_uint_eq(ring_copy(r, 3, out, sizeof(out), NULL), 0);
	ck_assert_uint_eq(ring_copy(r, 20, out, sizeof(out), NULL), 0);
	ck_assert_uint_eq(ring_copy(r, 19, out, 50, NULL), 0); /* too small */
	ring_push(r, p, 11, 0);                                /* not RTP */
	ring_push(r, p, RING_PACKET_MAX + 1, 0);
	ck_assert_uint_eq(ring_dropped(r), 2);
	ck_assert_uint_eq(ring_head(r), 20);
	ring_free(r);
}
END_TEST

START_TEST(nack_lookup_across_a_wrap)
{
	struct ring *r;
	uint8_t p[100];
	uint64_t idx;

	ck_assert_int_eq(ring_new(64, RING_OTHER, &r), 0);
	for (int i = 0; i < 100; i++)
		ring_push(r, p,
		          rtp(p, (uint16_t)(65500 + i), false, P_SLICE, 2, 60),
		          0);
	ck_assert_int_eq(ring_find_seq(r, 35, &idx), 0); /* 65500 + 71 */
	ck_assert_uint_eq(idx, 71);
	ck_assert_int_eq(ring_find_seq(r, 0, &idx), 0); /* the oldest */
	ck_assert_uint_eq(idx, 36);
	ck_assert_int_eq(ring_find_seq(r, 65535, &idx), ERR_NOT_FOUND);
	ck_assert_int_eq(ring_find_seq(r, 64, &idx), ERR_NOT_FOUND); /* next */
	ring_free(r);
	ck_assert_int_eq(ring_new(64, RING_OTHER, &r), 0);
	ck_assert_int_eq(ring_find_seq(r, 0, &idx), ERR_NOT_FOUND);
	ring_free(r);
}
END_TEST

START_TEST(h264_key_frame_cache)
{
	struct ring *r;
	uint8_t p[100];
	uint64_t idx;
	int64_t at;
	bool key;

	ck_assert_int_eq(ring_new(32, RING_H264, &r), 0);
	ck_assert_int_eq(ring_last_key(r, &idx, &at), ERR_NOT_FOUND);
	ring_push(r, p, rtp(p, 1, true, P_SLICE, 2, 50), 10);
	/* an access unit: SPS+PPS, then an IDR in fragments */
	ring_push(r, p, rtp(p, 2, false, STAP_SPS, 9, 50), 20);
	ring_push(r, p, rtp(p, 3, false, FU_IDR_START, 2, 50), 20);
	ring_push(r, p, rtp(p, 4, true, FU_IDR_MID, 2, 50), 20);
	ring_push(r, p, rtp(p, 5, true, P_SLICE, 2, 50), 30);
	ck_assert_int_eq(ring_last_key(r, &idx, &at), 0);
	ck_assert_uint_eq(idx, 1);
	ck_assert_int_eq(at, 20);
	ck_assert_uint_gt(ring_copy(r, 1, p, sizeof(p), &key), 0);
	ck_assert(key);
	ck_assert_uint_gt(ring_copy(r, 2, p, sizeof(p), &key), 0);
	ck_assert(!key);
	/* an IDR without parameter sets starts a key frame too */
	ring_push(r, p, rtp(p, 6, false, FU_IDR_START, 2, 50), 40);
	ck_assert_int_eq(ring_last_key(r, &idx, &at), 0);
	ck_assert_uint_eq(idx, 5);
	/* once the ring has moved past it, the key frame is gone */
	for (uint16_t s = 7; s < 40; s++)
		ring_push(r, p, rtp(p, s, true, P_SLICE, 2, 50), 50);
	ck_assert_int_eq(ring_last_key(r, &idx, &at), ERR_NOT_FOUND);
	ring_free(r);
}
END_TEST

START_TEST(vp8_key_frame_cache)
{
	/* descriptor X=1 S=1 PID=0, I=1 with a 15-bit picture id, then a key
	 * frame's payload header (P bit 0) */
	static const uint8_t key_start[] = {0x90, 0x80, 0x81, 0x23, 0x10};
	static const uint8_t delta[] = {0x90, 0x80, 0x81, 0x24, 0x11};
	static const uint8_t cont[] = {0x80, 0x80, 0x81, 0x24, 0x10};
	struct ring *r;
	uint8_t p[100];
	uint64_t idx;
	int64_t at;

	ck_assert_int_eq(ring_new(32, RING_VP8, &r), 0);
	ring_push(r, p, rtp(p, 1, true, delta, 5, 40), 1);
	ring_push(r, p, rtp(p, 2, false, cont, 5, 40), 1);
	ck_assert_int_eq(ring_last_key(r, &idx, &at), ERR_NOT_FOUND);
	ring_push(r, p, rtp(p, 3, false, key_start, 5, 40), 2);
	ck_assert_int_eq(ring_last_key(r, &idx, &at), 0);
	ck_assert_uint_eq(idx, 2);
	ring_free(r);
}
END_TEST

struct race {
	struct ring *r;
	_Atomic bool done;
	_Atomic bool enough; /* the reader has checked enough packets */
};

/* Pushes until the reader has checked enough, however the two threads
 * are scheduled (on a busy machine the reader may not run at all while a
 * fixed number of pushes goes by), or at most 50 million. */
static void *producer(void *data)
{
	struct race *x = data;
	uint8_t p[RING_PACKET_MAX];

	for (uint32_t i = 0; i < 50000000 && !atomic_load(&x->enough); i++)
		ring_push(x->r, p,
		          rtp(p, (uint16_t)i, true, P_SLICE, 2, 20 + i % 1000),
		          0);
	atomic_store(&x->done, true);
	return NULL;
}

START_TEST(readers_never_see_torn_packets)
{
	struct race x;
	pthread_t t;
	uint8_t out[RING_PACKET_MAX];
	unsigned checked = 0;

	ck_assert_int_eq(ring_new(16, RING_OTHER, &x.r), 0);
	atomic_init(&x.done, false);
	atomic_init(&x.enough, false);
	pthread_create(&t, NULL, producer, &x);
	while (!atomic_load(&x.done)) {
		uint64_t h = ring_head(x.r);
		size_t n;

		if (h == 0)
			continue;
		n = ring_copy(x.r, h - 1, out, sizeof(out), NULL);
		if (!n)
			continue;
		/* every byte after the header and payload is the seq's low
		 * byte, and the length matches the index */
		ck_assert_uint_eq(n, 20 + (h - 1) % 1000);
		ck_assert_uint_eq(out[3], (uint8_t)(h - 1));
		ck_assert_uint_eq(out[n - 1], (uint8_t)(h - 1));
		if (++checked == 2000)
			atomic_store(&x.enough, true);
	}
	pthread_join(t, NULL);
	ck_assert_uint_ge(checked, 2000);
	ring_free(x.r);
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("packets");

	tcase_add_test(tc, packets_in_and_out);
	tcase_add_test(tc, nack_lookup_across_a_wrap);
	tcase_add_test(tc, h264_key_frame_cache);
	tcase_add_test(tc, vp8_key_frame_cache);
	tcase_add_test(tc, readers_never_see_torn_packets);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ring_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
