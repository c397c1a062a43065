/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/inet: RFC 1071 sum against published vectors and a
 * byte-wise reference (frame_build.c), odd lengths and every alignment,
 * the IPv4 header checksum, and RFC 1624 incremental updates against a
 * full recompute.
 *
 * lib/inet.c works on words as stored in memory, so results are compared
 * as the two bytes they would be stored as (store16()), which makes the
 * tests independent of host byte order.
 */
#include <check.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "frame_build.h"
#include "lib/compiler.h"
#include "lib/inet.h"

/* Big-endian value of the two bytes a native 16-bit word is stored as. */
static uint16_t
store16(uint16_t native)
{
	uint8_t b[2];

	memcpy(b, &native, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Native word for a big-endian value (inverse of store16). */
static uint16_t
load16(uint16_t be)
{
	uint8_t b[2] = { (uint8_t)(be >> 8), (uint8_t)be };
	uint16_t v;

	memcpy(&v, b, 2);
	return v;
}

/* xorshift32: fixed seed, so every run and every platform tests the same
 * inputs and a failure reproduces. */
static uint32_t rng_state = 0x9e3779b9;

static uint32_t
rng(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

/* RFC 1071 §3 numerical example: bytes 00 01 f2 03 f4 f5 f6 f7 sum to
 * ddf2 (big-endian words 0001+f203+f4f5+f6f7 = 2ddf0, folded). */
START_TEST(test_rfc1071_example)
{
	static const uint8_t v[8] = { 0x00, 0x01, 0xf2, 0x03,
				      0xf4, 0xf5, 0xf6, 0xf7 };

	ck_assert_uint_eq(store16(phx_csum_raw(v, 8)), 0xddf2);
	ck_assert_uint_eq(phx_fb_ref_csum(v, 8), 0xddf2);
}
END_TEST

START_TEST(test_small_vectors)
{
	static const uint8_t b3[3] = { 0x01, 0x02, 0x03 };
	static const uint8_t ff[4] = { 0xff, 0xff, 0xff, 0xff };
	static const uint8_t carry[4] = { 0x80, 0x00, 0x80, 0x01 };
	static const uint8_t one[1] = { 0xab };

	ck_assert_uint_eq(phx_csum_raw(b3, 0), 0);
	ck_assert_uint_eq(store16(phx_csum_raw(one, 1)), 0xab00);
	/* 0102 + 0300 */
	ck_assert_uint_eq(store16(phx_csum_raw(b3, 3)), 0x0402);
	ck_assert_uint_eq(store16(phx_csum_raw(ff, 4)), 0xffff);
	/* 8000 + 8001 = 10001 -> end-around carry -> 0002 */
	ck_assert_uint_eq(store16(phx_csum_raw(carry, 4)), 0x0002);
}
END_TEST

/* Carries out of every accumulator width: 64 KiB of 0xff sums to ffff,
 * and one extra 0x01 after it wraps through the fold. */
START_TEST(test_large_carries)
{
	uint32_t n = 65536 + 1;
	uint8_t *b = malloc(n);

	ck_assert_ptr_nonnull(b);
	memset(b, 0xff, n - 1);
	ck_assert_uint_eq(store16(phx_csum_raw(b, n - 1)), 0xffff);
	b[n - 1] = 0x01;
	ck_assert_uint_eq(store16(phx_csum_raw(b, n)),
			  phx_fb_ref_csum(b, n));
	free(b);
}
END_TEST

/* Random buffers of every length 0..300 at every offset 0..7 against the
 * byte-wise reference; each from an exact-size heap block so overreads
 * show under valgrind/ASan. */
START_TEST(test_random_vs_reference)
{
	uint8_t src[300];
	uint32_t len, off, i;

	for (len = 0; len < sizeof(src); len++) {
		for (i = 0; i < len; i++)
			src[i] = (uint8_t)rng();
		for (off = 0; off < 8; off++) {
			uint8_t *blk = malloc(off + len + 1);

			ck_assert_ptr_nonnull(blk);
			memcpy(blk + off, src, len);
			ck_assert_msg(store16(phx_csum_raw(blk + off, len)) ==
				      phx_fb_ref_csum(src, len),
				      "len %u off %u", len, off);
			free(blk);
		}
	}
}
END_TEST

/* An odd-length buffer sums as if padded with one zero byte (RFC 1071
 * §4.1), and not as if the last byte were the low-order byte. */
START_TEST(test_odd_length_padding)
{
	uint8_t b[64];
	uint32_t len, i;

	for (len = 1; len < sizeof(b); len += 2) {
		for (i = 0; i < sizeof(b); i++)
			b[i] = (uint8_t)rng();
		b[len] = 0;
		ck_assert_uint_eq(phx_csum_raw(b, len),
				  phx_csum_raw(b, len + 1));
	}
}
END_TEST

/* Header from the IPv4 checksum example in common use (Wikipedia
 * "Internet checksum"/"IPv4 header checksum"): checksum b861. */
static const uint8_t ip_example[20] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

START_TEST(test_ipv4_hdr_vector)
{
	uint8_t h[20];

	memcpy(h, ip_example, 20);
	/* The field's own value is ignored... */
	ck_assert_uint_eq(store16(phx_csum_ipv4_hdr(h, 20)), 0xb861);
	h[10] = 0x12;
	h[11] = 0x34;
	ck_assert_uint_eq(store16(phx_csum_ipv4_hdr(h, 20)), 0xb861);
	/* ...and the caller's header is left as it was. */
	ck_assert_uint_eq(h[10], 0x12);
	ck_assert_uint_eq(h[11], 0x34);
	/* A correct header sums to ffff (RFC 1071 §1 verification). */
	ck_assert_uint_eq(phx_csum_raw(ip_example, 20), 0xffff);
}
END_TEST

/* With options (IHL 6, 15) and at odd addresses. */
START_TEST(test_ipv4_hdr_options)
{
	uint8_t blk[64 + 8];
	uint32_t hlen, off, i;

	for (hlen = 20; hlen <= 60; hlen += 4) {
		for (off = 0; off < 8; off++) {
			uint8_t *h = blk + off;
			uint16_t c;

			for (i = 0; i < hlen; i++)
				h[i] = (uint8_t)rng();
			h[0] = (uint8_t)(0x40 | hlen / 4);
			c = phx_csum_ipv4_hdr(h, hlen);
			memcpy(h + 10, &c, 2);
			ck_assert_uint_eq(phx_csum_raw(h, hlen), 0xffff);
			h[10] = h[11] = 0;
			ck_assert_uint_eq(store16(c),
					  (uint16_t)~phx_fb_ref_csum(h, hlen));
		}
	}
}
END_TEST

/* RFC 1624 §4 example: HC = dd2f, m = 5555 -> m' = 3285 gives 0000 by
 * eqn. 3 (eqn. 2 would give the wrong ffff). */
START_TEST(test_rfc1624_example)
{
	ck_assert_uint_eq(phx_csum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
	/* Byte order independent: the same in swapped representation. */
	ck_assert_uint_eq(phx_csum_update16(0x2fdd, 0x5555, 0x8532), 0x0000);
	/* No change is the identity. */
	ck_assert_uint_eq(phx_csum_update16(0x1234, 0xabcd, 0xabcd), 0x1234);
}
END_TEST

/* TTL decrement, the routine case: update equals recompute. */
START_TEST(test_update_ttl)
{
	uint8_t h[20];
	uint16_t c, old_w, new_w, want;

	memcpy(h, ip_example, 20);
	memcpy(&old_w, h + 8, 2);
	memcpy(&c, h + 10, 2);
	h[8]--;
	memcpy(&new_w, h + 8, 2);
	want = phx_csum_ipv4_hdr(h, 20);
	ck_assert_uint_eq(phx_csum_update16(c, old_w, new_w), want);
}
END_TEST

/*
 * Random headers, random word (not the checksum) changed to a random
 * value, several times in a row (as NAT rewrites address halves and
 * ports): the incrementally updated checksum always equals a full
 * recompute, in stored form and in host-order form.
 */
START_TEST(test_update_random)
{
	uint8_t h[20];
	unsigned iter, step, i;

	for (iter = 0; iter < 20000; iter++) {
		uint16_t c, c_host;

		for (i = 0; i < 20; i++)
			h[i] = (uint8_t)rng();
		h[0] = 0x45;            /* never an all-zero header */
		c = phx_csum_ipv4_hdr(h, 20);
		memcpy(h + 10, &c, 2);
		c_host = ntohs(c);
		for (step = 0; step < 4; step++) {
			unsigned w = rng() % 9;
			uint16_t old_w, new_w, full;

			if (w >= 5)
				w++;            /* skip word 5, the checksum */
			memcpy(&old_w, h + 2 * w, 2);
			new_w = (uint16_t)rng();
			if (step == 3)
				new_w = (uint16_t)~old_w;  /* worst case */
			memcpy(h + 2 * w, &new_w, 2);
			c = phx_csum_update16(c, old_w, new_w);
			c_host = phx_csum_update16(c_host, ntohs(old_w),
						   ntohs(new_w));
			full = phx_csum_ipv4_hdr(h, 20);
			ck_assert_msg(c == full, "iter %u step %u: %04x != %04x",
				      iter, step, c, full);
			ck_assert_uint_eq(c_host, ntohs(full));
			memcpy(h + 10, &c, 2);
			ck_assert_uint_eq(phx_csum_raw(h, 20), 0xffff);
		}
	}
}
END_TEST

/* The load16 helper and the RFC example in native form, so a future
 * change of the "stored order" convention is caught here. */
START_TEST(test_native_convention)
{
	static const uint8_t v[2] = { 0x12, 0x34 };

	ck_assert_uint_eq(phx_csum_raw(v, 2), load16(0x1234));
}
END_TEST

static Suite *
inet_suite(void)
{
	Suite *s = suite_create("inet");
	TCase *tc;

	tc = tcase_create("raw");
	tcase_add_test(tc, test_rfc1071_example);
	tcase_add_test(tc, test_small_vectors);
	tcase_add_test(tc, test_large_carries);
	tcase_add_test(tc, test_random_vs_reference);
	tcase_add_test(tc, test_odd_length_padding);
	tcase_add_test(tc, test_native_convention);
	suite_add_tcase(s, tc);

	tc = tcase_create("ipv4_hdr");
	tcase_add_test(tc, test_ipv4_hdr_vector);
	tcase_add_test(tc, test_ipv4_hdr_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("update");
	tcase_add_test(tc, test_rfc1624_example);
	tcase_add_test(tc, test_update_ttl);
	tcase_add_test(tc, test_update_random);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(inet_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
