/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/idle_sleep.h: the sleeps of an idle stretch grow
 * from the configured one by doubling to PHX_IDLE_SLEEP_GROWTH times it
 * and 1 ms at most (a longer configured one does not grow), never past
 * the cap given with each (a cluster's quarter hello), never below the
 * configured one; work brings them back; 0 never sleeps.
 */
#include <check.h>

#include <stdint.h>
#include <stdlib.h>

#include "lib/compiler.h"
#include "lib/idle_sleep.h"

START_TEST(test_grows_to_ten_times)
{
	static const uint32_t want[] = { 100, 200, 400, 800, 1000, 1000, 1000 };
	struct phx_idle_sleep s;
	unsigned i;

	phx_idle_sleep_init(&s, 100);
	for (i = 0; i < PHX_DIM(want); i++)
		ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), want[i]);
	phx_idle_sleep_reset(&s);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), 100);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), 200);
}
END_TEST

START_TEST(test_cap)
{
	struct phx_idle_sleep s;
	unsigned i;

	/* the lab: 100 us, hello 5 ms: at most 625 us */
	ck_assert_uint_eq(phx_idle_sleep_cap(1, 5), 625);
	ck_assert_uint_eq(phx_idle_sleep_cap(0, 5), 0);
	ck_assert_uint_eq(phx_idle_sleep_cap(1, 1), 125);
	ck_assert_uint_eq(phx_idle_sleep_cap(1, 100), 12500);
	phx_idle_sleep_init(&s, 100);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 625), 100);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 625), 200);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 625), 400);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(phx_idle_sleep_next(&s, 625), 625);
	/* a reload to hello 1 ms: the next sleep obeys the new cap */
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 125), 125);
	/* hello 100 ms (the default): up to 1 ms */
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 12500), 1000);
	/* a cap below the configured sleep does not shorten it (the
	 * validator keeps that below the quarter hello) */
	phx_idle_sleep_init(&s, 300);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 125), 300);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 125), 300);
}
END_TEST

START_TEST(test_zero_and_large)
{
	struct phx_idle_sleep s;
	unsigned i;

	phx_idle_sleep_init(&s, 0);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), 0);
	/* growth stops at 1 ms ... */
	phx_idle_sleep_init(&s, 300);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), 300);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), 600);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), 1000);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), 1000);
	/* ... and a longer configured sleep (100 ms, the schema's maximum)
	 * does not grow at all */
	phx_idle_sleep_init(&s, 100000);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), 100000);
	phx_idle_sleep_init(&s, UINT32_MAX);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), UINT32_MAX);
	ck_assert_uint_eq(phx_idle_sleep_next(&s, 0), UINT32_MAX);
}
END_TEST

static Suite *
idle_sleep_suite(void)
{
	Suite *s = suite_create("idle_sleep");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_grows_to_ten_times);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_zero_and_large);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(idle_sleep_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
