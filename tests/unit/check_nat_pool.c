/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/nat_pool: ranges (including 1 and 65535 and sizes
 * that are not a multiple of 64), allocation to exhaustion, release and
 * reuse, the rotating cursor, the predicate (asked about free ports only,
 * never more than max_tries times per call), take/release edge cases,
 * two pools with complementary predicates sharing a range without ever
 * handing out the same port, and allocation within a sub-range (a rule's
 * ports).
 */
#include <check.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/compiler.h"
#include "lib/nat_pool.h"

#define ALL (~0u)               /* max_tries: no practical limit */

static uint8_t seen[65536];

struct count_ctx {
	unsigned calls;
	unsigned accept_mod;    /* accept port % accept_mod == accept_rem */
	unsigned accept_rem;
};

static bool
counting_ok(uint16_t port, void *ctx)
{
	struct count_ctx *c = ctx;

	c->calls++;
	return c->accept_mod && port % c->accept_mod == c->accept_rem;
}

static bool
even_ok(uint16_t port, void *ctx)
{
	(void)ctx;
	return port % 2 == 0;
}

static bool
odd_ok(uint16_t port, void *ctx)
{
	(void)ctx;
	return port % 2 == 1;
}

static struct phx_nat_pool *
mk(uint16_t lo, uint16_t hi)
{
	struct phx_nat_pool *p = phx_nat_pool_create(lo, hi);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* Allocate until 0; every port new and in range. Returns the count. */
static unsigned
drain(struct phx_nat_pool *p, uint16_t lo, uint16_t hi,
      phx_nat_port_ok_fn ok, void *ctx)
{
	unsigned n = 0;
	uint16_t port;

	memset(seen, 0, sizeof(seen));
	while ((port = phx_nat_pool_alloc(p, ok, ctx, ALL)) != 0) {
		ck_assert_uint_ge(port, lo);
		ck_assert_uint_le(port, hi);
		ck_assert_msg(!seen[port], "port %u twice", port);
		seen[port] = 1;
		n++;
		ck_assert_uint_le(n, (unsigned)hi - lo + 1);
	}
	return n;
}

START_TEST(test_create_bad)
{
	errno = 0;
	ck_assert_ptr_null(phx_nat_pool_create(0, 100));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(phx_nat_pool_create(0, 0));
	ck_assert_ptr_null(phx_nat_pool_create(2000, 1999));
	ck_assert_ptr_null(phx_nat_pool_create(65535, 1));
	phx_nat_pool_free(NULL);
}
END_TEST

/* Sizes around word boundaries: loop over rows. */
static const struct { uint16_t lo, hi; } ranges[] = {
	{ 1, 1 }, { 65535, 65535 }, { 1, 63 }, { 1, 64 }, { 1, 65 },
	{ 1024, 1087 }, { 1000, 1100 }, { 40000, 40127 }, { 60000, 65535 },
	{ 1, 65535 },
};

START_TEST(test_exhaust)
{
	uint16_t lo = ranges[_i].lo, hi = ranges[_i].hi;
	unsigned size = (unsigned)hi - lo + 1, n;
	struct phx_nat_pool *p = mk(lo, hi);

	ck_assert_uint_eq(phx_nat_pool_size(p), size);
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 0);
	n = drain(p, lo, hi, NULL, NULL);
	ck_assert_uint_eq(n, size);
	ck_assert_uint_eq(phx_nat_pool_in_use(p), size);
	ck_assert(seen[lo] && seen[hi]);
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), 0);
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, 1), 0);
	phx_nat_pool_free(p);
}
END_TEST

START_TEST(test_release_reuse)
{
	struct phx_nat_pool *p = mk(2000, 2099);
	uint16_t port;

	ck_assert_uint_eq(drain(p, 2000, 2099, NULL, NULL), 100);
	ck_assert(phx_nat_pool_release(p, 2042));
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 99);
	ck_assert(!phx_nat_pool_release(p, 2042));      /* already free */
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 99);
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), 2042);
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), 0);
	/* release everything: all of it comes back */
	for (port = 2000; port <= 2099; port++)
		ck_assert(phx_nat_pool_release(p, port));
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 0);
	ck_assert_uint_eq(drain(p, 2000, 2099, NULL, NULL), 100);
	phx_nat_pool_free(p);
}
END_TEST

/* A released port is the last to be reused while others are free. */
START_TEST(test_rotation)
{
	struct phx_nat_pool *p = mk(5000, 5199);
	uint16_t first, port;
	unsigned i;

	first = phx_nat_pool_alloc(p, NULL, NULL, ALL);
	ck_assert_uint_ne(first, 0);
	ck_assert(phx_nat_pool_release(p, first));
	for (i = 1; i < 200; i++) {
		port = phx_nat_pool_alloc(p, NULL, NULL, ALL);
		ck_assert_uint_ne(port, first);
		ck_assert_uint_ne(port, 0);
	}
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), first);
	/* the cursor wraps from the end of the range to its start */
	ck_assert(phx_nat_pool_release(p, 5000));
	ck_assert(phx_nat_pool_release(p, 5199));
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), 5199);
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), 5000);
	phx_nat_pool_free(p);
}
END_TEST

START_TEST(test_predicate)
{
	struct phx_nat_pool *p = mk(1001, 2000);
	unsigned n, port;

	n = drain(p, 1001, 2000, even_ok, NULL);
	ck_assert_uint_eq(n, 500);
	for (port = 1001; port <= 2000; port++)
		ck_assert_uint_eq(seen[port], port % 2 == 0);
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 500);
	/* the odd half is still there for a caller without a predicate */
	ck_assert_uint_eq(drain(p, 1001, 2000, NULL, NULL), 500);
	phx_nat_pool_free(p);
}
END_TEST

/* max_tries counts predicate calls on free ports; used ports cost none. */
START_TEST(test_max_tries)
{
	struct phx_nat_pool *p = mk(1, 65535);
	struct count_ctx c = { 0 };
	uint16_t port;
	unsigned i;

	ck_assert_uint_eq(phx_nat_pool_alloc(p, counting_ok, &c, 10), 0);
	ck_assert_uint_eq(c.calls, 10);
	c.calls = 0;
	ck_assert_uint_eq(phx_nat_pool_alloc(p, counting_ok, &c, 0), 0);
	ck_assert_uint_eq(c.calls, 0);
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, 0), 0);
	/* no limit, nothing acceptable: each free port asked once */
	c.calls = 0;
	ck_assert_uint_eq(phx_nat_pool_alloc(p, counting_ok, &c, ALL), 0);
	ck_assert_uint_eq(c.calls, 65535);
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 0);

	/* all but one taken: found at the first try, wherever it is */
	for (port = 1; port != 0; port++)
		if (port != 33333)
			ck_assert(phx_nat_pool_take(p, port));
	c = (struct count_ctx){ .accept_mod = 1 };
	ck_assert_uint_eq(phx_nat_pool_alloc(p, counting_ok, &c, 1), 33333);
	ck_assert_uint_eq(c.calls, 1);
	c.calls = 0;
	ck_assert_uint_eq(phx_nat_pool_alloc(p, counting_ok, &c, ALL), 0);
	ck_assert_uint_eq(c.calls, 0);                  /* full: no scan */
	phx_nat_pool_free(p);

	/* 1 port in 100 acceptable, 40 tries per call: the cursor keeps
	 * its place, so every third call at most succeeds */
	p = mk(1, 65535);
	c = (struct count_ctx){ .accept_mod = 100, .accept_rem = 7 };
	for (i = 0; i < 30; i++) {
		unsigned calls = 0;

		do {
			port = phx_nat_pool_alloc(p, counting_ok, &c, 40);
			calls++;
		} while (port == 0 && calls < 3);
		ck_assert_uint_ne(port, 0);
		ck_assert_uint_eq(port % 100, 7);
	}
	phx_nat_pool_free(p);
}
END_TEST

START_TEST(test_take_release_edges)
{
	struct phx_nat_pool *p = mk(100, 199);
	unsigned n;

	ck_assert(!phx_nat_pool_take(p, 0));
	ck_assert(!phx_nat_pool_take(p, 99));
	ck_assert(!phx_nat_pool_take(p, 200));
	ck_assert(!phx_nat_pool_take(p, 65535));
	ck_assert(!phx_nat_pool_release(p, 99));
	ck_assert(!phx_nat_pool_release(p, 200));
	ck_assert(!phx_nat_pool_release(p, 0));
	ck_assert(!phx_nat_pool_release(p, 150));       /* free already */
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 0);

	ck_assert(phx_nat_pool_take(p, 100));
	ck_assert(phx_nat_pool_take(p, 199));
	ck_assert(phx_nat_pool_take(p, 150));
	ck_assert(!phx_nat_pool_take(p, 150));
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 3);
	/* taken ports are never allocated */
	n = drain(p, 100, 199, NULL, NULL);
	ck_assert_uint_eq(n, 97);
	ck_assert(!seen[100] && !seen[150] && !seen[199]);
	ck_assert(phx_nat_pool_release(p, 150));
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), 150);
	/* an allocated port cannot be taken again */
	ck_assert(!phx_nat_pool_take(p, 150));
	phx_nat_pool_free(p);
}
END_TEST

/* A shared port stays in use until its last owner releases it. */
START_TEST(test_share)
{
	struct phx_nat_pool *p = mk(100, 101);

	ck_assert(!phx_nat_pool_share(p, 99));
	ck_assert(!phx_nat_pool_share(p, 102));
	ck_assert(phx_nat_pool_share(p, 100));          /* free: taken */
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 1);
	ck_assert(phx_nat_pool_share(p, 100));          /* second owner */
	ck_assert(phx_nat_pool_share(p, 100));          /* third */
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 1);
	ck_assert(phx_nat_pool_release(p, 100));
	ck_assert(phx_nat_pool_release(p, 100));
	/* one owner left: never handed out */
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), 101);
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), 0);
	ck_assert(phx_nat_pool_release(p, 100));
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 1);
	ck_assert(!phx_nat_pool_release(p, 100));       /* free already */
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), 100);
	/* an allocated port shared, then released twice */
	ck_assert(phx_nat_pool_share(p, 101));
	ck_assert(phx_nat_pool_release(p, 101));
	ck_assert(phx_nat_pool_release(p, 101));
	ck_assert_uint_eq(phx_nat_pool_alloc(p, NULL, NULL, ALL), 101);
	phx_nat_pool_free(p);

	/* at most PHX_NAT_SHARED_MAX ports shared at a time */
	p = mk(1000, 1999);
	for (unsigned i = 0; i < PHX_NAT_SHARED_MAX + 1; i++)
		ck_assert(phx_nat_pool_take(p, (uint16_t)(1000 + i)));
	for (unsigned i = 0; i < PHX_NAT_SHARED_MAX; i++)
		ck_assert(phx_nat_pool_share(p, (uint16_t)(1000 + i)));
	ck_assert(!phx_nat_pool_share(p, 1000 + PHX_NAT_SHARED_MAX));
	ck_assert(phx_nat_pool_share(p, 1000));         /* a third owner */
	ck_assert(phx_nat_pool_release(p, 1001));
	ck_assert(phx_nat_pool_share(p, 1000 + PHX_NAT_SHARED_MAX));
	phx_nat_pool_free(p);
}
END_TEST

/* Ports 1 and 65535, on a full-range pool and on single-port pools. */
START_TEST(test_range_edges)
{
	struct phx_nat_pool *p = mk(1, 65535);
	struct phx_nat_pool *lo = mk(1, 1), *hi = mk(65535, 65535);

	ck_assert_uint_eq(phx_nat_pool_size(p), 65535);
	ck_assert(phx_nat_pool_take(p, 1));
	ck_assert(phx_nat_pool_take(p, 65535));
	ck_assert(!phx_nat_pool_take(p, 0));
	ck_assert(phx_nat_pool_release(p, 65535));
	ck_assert(phx_nat_pool_release(p, 1));

	ck_assert_uint_eq(phx_nat_pool_alloc(lo, NULL, NULL, 1), 1);
	ck_assert_uint_eq(phx_nat_pool_alloc(lo, NULL, NULL, 1), 0);
	ck_assert_uint_eq(phx_nat_pool_alloc(hi, NULL, NULL, 1), 65535);
	ck_assert_uint_eq(phx_nat_pool_alloc(hi, NULL, NULL, ALL), 0);
	ck_assert(phx_nat_pool_release(hi, 65535));
	ck_assert_uint_eq(phx_nat_pool_alloc(hi, odd_ok, NULL, ALL), 65535);
	ck_assert(phx_nat_pool_release(lo, 1));
	ck_assert_uint_eq(phx_nat_pool_alloc(lo, even_ok, NULL, ALL), 0);
	phx_nat_pool_free(p);
	phx_nat_pool_free(lo);
	phx_nat_pool_free(hi);
}
END_TEST

/* Two workers' pools over one address and range, split by predicate
 * (as RSS would split them): together they cover the range exactly
 * once. */
/* A rule's range inside a pool shared by rules: only its ports come out,
 * in rotation; a used-up narrow range fails without asking the
 * predicate about any port outside it. */
START_TEST(test_alloc_range)
{
	struct phx_nat_pool *p = phx_nat_pool_create(1, 65535);
	struct count_ctx c = { .accept_mod = 1, .accept_rem = 0 };
	unsigned i;
	uint16_t port;

	ck_assert(p != NULL);
	ck_assert_uint_eq(phx_nat_pool_alloc_range(p, 20000, 20001,
						   counting_ok, &c, ALL), 20000);
	ck_assert_uint_eq(phx_nat_pool_alloc_range(p, 20000, 20001,
						   counting_ok, &c, ALL), 20001);
	c.calls = 0;
	ck_assert_uint_eq(phx_nat_pool_alloc_range(p, 20000, 20001,
						   counting_ok, &c, ALL), 0);
	ck_assert_uint_eq(c.calls, 0);
	/* a wider range goes on from the cursor, then wraps to its start */
	ck_assert_uint_eq(phx_nat_pool_alloc_range(p, 19990, 20003,
						   counting_ok, &c, ALL), 20002);
	ck_assert_uint_eq(phx_nat_pool_alloc_range(p, 19990, 20003,
						   counting_ok, &c, ALL), 20003);
	ck_assert_uint_eq(phx_nat_pool_alloc_range(p, 19990, 20003,
						   counting_ok, &c, ALL), 19990);
	/* a range across word boundaries (indexes 62..129), used up */
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 68; i++) {
		port = phx_nat_pool_alloc_range(p, 63, 130, NULL, NULL, ALL);
		ck_assert(port >= 63 && port <= 130);
		ck_assert(!seen[port]);
		seen[port] = 1;
	}
	ck_assert_uint_eq(phx_nat_pool_alloc_range(p, 63, 130, NULL, NULL,
						   ALL), 0);
	/* the predicate still decides, within max_tries free ports */
	c = (struct count_ctx){ .accept_mod = 7, .accept_rem = 3 };
	port = phx_nat_pool_alloc_range(p, 40000, 40100, counting_ok, &c, ALL);
	ck_assert_uint_eq(port % 7, 3);
	ck_assert(port >= 40000 && port <= 40100);
	c.calls = 0;
	ck_assert_uint_eq(phx_nat_pool_alloc_range(p, 50000, 50100,
						   counting_ok, &c, 3), 0);
	ck_assert_uint_eq(c.calls, 3);
	/* clamped to the pool; an empty range gives nothing */
	ck_assert_uint_eq(phx_nat_pool_alloc_range(p, 0, 1, NULL, NULL, ALL), 1);
	ck_assert_uint_eq(phx_nat_pool_alloc_range(p, 9, 8, NULL, NULL, ALL), 0);
	ck_assert_uint_eq(phx_nat_pool_in_use(p), 2 + 3 + 68 + 1 + 1);
	phx_nat_pool_free(p);
}
END_TEST

START_TEST(test_disjoint_pools)
{
	static uint8_t owner[65536];
	struct phx_nat_pool *a = mk(1024, 65535), *b = mk(1024, 65535);
	unsigned na = 0, nb = 0, port;
	uint16_t pa, pb;

	memset(owner, 0, sizeof(owner));
	do {
		pa = phx_nat_pool_alloc(a, even_ok, NULL, 64);
		pb = phx_nat_pool_alloc(b, odd_ok, NULL, 64);
		if (pa) {
			ck_assert_uint_eq(owner[pa], 0);
			owner[pa] = 1;
			na++;
		}
		if (pb) {
			ck_assert_uint_eq(owner[pb], 0);
			owner[pb] = 2;
			nb++;
		}
	} while (pa || pb);
	ck_assert_uint_eq(na, (65535 - 1024 + 1) / 2);
	ck_assert_uint_eq(nb, (65535 - 1024 + 1) / 2);
	for (port = 1024; port <= 65535; port++)
		ck_assert_uint_eq(owner[port], port % 2 ? 2 : 1);
	phx_nat_pool_free(a);
	phx_nat_pool_free(b);
}
END_TEST

static Suite *
nat_pool_suite(void)
{
	Suite *s = suite_create("nat_pool");
	TCase *tc;

	tc = tcase_create("alloc");
	tcase_add_test(tc, test_create_bad);
	tcase_add_loop_test(tc, test_exhaust, 0, PHX_DIM(ranges));
	tcase_add_test(tc, test_release_reuse);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_predicate);
	tcase_add_test(tc, test_max_tries);
	tcase_add_test(tc, test_take_release_edges);
	tcase_add_test(tc, test_share);
	tcase_add_test(tc, test_range_edges);
	tcase_add_test(tc, test_disjoint_pools);
	tcase_add_test(tc, test_alloc_range);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(nat_pool_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
