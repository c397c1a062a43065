/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/timeouts: the documented default of every class
 * (SPEC SI-07: tcp_end 20 s), the config key names, the class of every
 * TCP state and of UDP/ICMP/other sessions, and the remaining lifetime,
 * including across a wrap of the 64-bit clock and a handover between
 * members whose clocks differ (SPEC SI-09).
 */
#include <check.h>

#include <stdint.h>
#include <stdlib.h>

#include "lib/compiler.h"
#include "lib/timeouts.h"

START_TEST(test_defaults)
{
	static const struct { enum phx_tmo_class c; uint32_t s; } rows[] = {
		{ PHX_TMO_TCP_SYN, 30 },
		{ PHX_TMO_TCP_ESTABLISHED, 3600 },
		{ PHX_TMO_TCP_END, 20 },
		{ PHX_TMO_TCP_CLOSE, 10 },
		{ PHX_TMO_UDP_FIRST, 30 },
		{ PHX_TMO_UDP, 60 },
		{ PHX_TMO_ICMP, 30 },
		{ PHX_TMO_OTHER, 60 },
	};
	unsigned i;

	ck_assert_uint_eq(PHX_DIM(rows), PHX_TMO_MAX);
	for (i = 0; i < PHX_DIM(rows); i++)
		ck_assert_msg(phx_timeouts_default.s[rows[i].c] == rows[i].s,
			      "%s: %u, want %u", phx_tmo_name(rows[i].c),
			      phx_timeouts_default.s[rows[i].c], rows[i].s);
	for (i = 0; i < PHX_TMO_MAX; i++) {
		ck_assert_uint_ge(phx_timeouts_default.s[i], 1);
		ck_assert_uint_le(phx_timeouts_default.s[i], PHX_TMO_MAX_S);
	}
}
END_TEST

START_TEST(test_names)
{
	static const char *const names[] = {
		"tcp_syn", "tcp_established", "tcp_end", "tcp_close",
		"udp_first", "udp", "icmp", "other",
	};
	unsigned i;

	ck_assert_uint_eq(PHX_DIM(names), PHX_TMO_MAX);
	for (i = 0; i < PHX_TMO_MAX; i++)
		ck_assert_str_eq(phx_tmo_name(i), names[i]);
	ck_assert_str_eq(phx_tmo_name(PHX_TMO_MAX), "invalid");
	ck_assert_str_eq(phx_tmo_name((enum phx_tmo_class)-1), "invalid");
}
END_TEST

/* Every TCP state, replied or not: loop index = state. */
static const enum phx_tmo_class tcp_class[PHX_TCP_STATE_MAX] = {
	[PHX_TCP_NONE] = PHX_TMO_TCP_SYN,
	[PHX_TCP_SYN_SENT] = PHX_TMO_TCP_SYN,
	[PHX_TCP_SYN_RECV] = PHX_TMO_TCP_SYN,
	[PHX_TCP_ESTABLISHED] = PHX_TMO_TCP_ESTABLISHED,
	[PHX_TCP_FIN_WAIT] = PHX_TMO_TCP_END,
	[PHX_TCP_CLOSE_WAIT] = PHX_TMO_TCP_END,
	[PHX_TCP_LAST_ACK] = PHX_TMO_TCP_END,
	[PHX_TCP_TIME_WAIT] = PHX_TMO_TCP_END,
	[PHX_TCP_CLOSE] = PHX_TMO_TCP_CLOSE,
};

START_TEST(test_class_tcp)
{
	enum phx_tcp_state st = (enum phx_tcp_state)_i;

	ck_assert_uint_eq(phx_tmo_class_of(6, st, false), tcp_class[st]);
	ck_assert_uint_eq(phx_tmo_class_of(6, st, true), tcp_class[st]);
}
END_TEST

START_TEST(test_class_other)
{
	static const uint8_t others[] = { 0, 2, 4, 41, 47, 50, 58, 132, 255 };
	unsigned i;

	ck_assert_uint_eq(phx_tmo_class_of(17, PHX_TCP_NONE, false),
			  PHX_TMO_UDP_FIRST);
	ck_assert_uint_eq(phx_tmo_class_of(17, PHX_TCP_NONE, true),
			  PHX_TMO_UDP);
	/* the TCP state argument means nothing for UDP and ICMP */
	ck_assert_uint_eq(phx_tmo_class_of(17, PHX_TCP_ESTABLISHED, false),
			  PHX_TMO_UDP_FIRST);
	ck_assert_uint_eq(phx_tmo_class_of(1, PHX_TCP_NONE, false),
			  PHX_TMO_ICMP);
	ck_assert_uint_eq(phx_tmo_class_of(1, PHX_TCP_CLOSE, true),
			  PHX_TMO_ICMP);
	for (i = 0; i < PHX_DIM(others); i++) {
		ck_assert_uint_eq(phx_tmo_class_of(others[i], PHX_TCP_NONE,
						   false), PHX_TMO_OTHER);
		ck_assert_uint_eq(phx_tmo_class_of(others[i],
						   PHX_TCP_ESTABLISHED, true),
				  PHX_TMO_OTHER);
	}
	/* a corrupted TCP state expires soon rather than never */
	ck_assert_uint_eq(phx_tmo_class_of(6, PHX_TCP_STATE_MAX, true),
			  PHX_TMO_TCP_CLOSE);
	ck_assert_uint_eq(phx_tmo_class_of(6, (enum phx_tcp_state)200, true),
			  PHX_TMO_TCP_CLOSE);
}
END_TEST

START_TEST(test_remaining)
{
	ck_assert_uint_eq(phx_tmo_remaining(100, 100, 60), 60);
	ck_assert_uint_eq(phx_tmo_remaining(159, 100, 60), 1);
	ck_assert_uint_eq(phx_tmo_remaining(160, 100, 60), 0);
	ck_assert_uint_eq(phx_tmo_remaining(1000000, 100, 60), 0);
	ck_assert_uint_eq(phx_tmo_remaining(0, 0, 0), 0);
	ck_assert_uint_eq(phx_tmo_remaining(5, 0, UINT64_MAX), UINT64_MAX - 5);
}
END_TEST

/* The clock wraps between the last packet and now: idle time is still
 * the forward distance. Loop index = how far past the wrap "now" is. */
START_TEST(test_remaining_wrap)
{
	uint64_t timeout = 3600ull * 2000000000ull;     /* 1 h at 2 GHz */
	uint64_t last = UINT64_MAX - 999;               /* 1000 before wrap */
	uint64_t now = (uint64_t)_i * 1000;             /* after the wrap */
	uint64_t idle = 1000 + now;

	ck_assert_uint_eq(phx_tmo_remaining(now, last, timeout),
			  timeout - idle);
	ck_assert_uint_eq(phx_tmo_remaining(timeout - 1000, last, timeout), 0);
	ck_assert_uint_eq(phx_tmo_remaining(timeout - 1001, last, timeout), 1);
}
END_TEST

/*
 * SPEC SI-09: a member hands a session over with its remaining lifetime;
 * the new owner, whose clock reads something else entirely (even about
 * to wrap), back-dates "last" so the session dies when it would have,
 * not a full timeout later.
 */
START_TEST(test_remaining_handover)
{
	static const uint64_t clocks_b[] = { 0, 12345, UINT64_MAX - 5,
					     UINT64_MAX / 2 };
	uint64_t timeout = 20, last_a = 1000, now_a = 1013, rem, last_b;
	unsigned i;

	rem = phx_tmo_remaining(now_a, last_a, timeout);
	ck_assert_uint_eq(rem, 7);
	for (i = 0; i < PHX_DIM(clocks_b); i++) {
		last_b = clocks_b[i] - (timeout - rem);
		ck_assert_uint_eq(phx_tmo_remaining(clocks_b[i], last_b,
						    timeout), 7);
		ck_assert_uint_eq(phx_tmo_remaining(clocks_b[i] + 6, last_b,
						    timeout), 1);
		ck_assert_uint_eq(phx_tmo_remaining(clocks_b[i] + 7, last_b,
						    timeout), 0);
	}
}
END_TEST

static Suite *
timeouts_suite(void)
{
	Suite *s = suite_create("timeouts");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("class");
	tcase_add_loop_test(tc, test_class_tcp, 0, PHX_TCP_STATE_MAX);
	tcase_add_test(tc, test_class_other);
	suite_add_tcase(s, tc);

	tc = tcase_create("remaining");
	tcase_add_test(tc, test_remaining);
	tcase_add_loop_test(tc, test_remaining_wrap, 0, 8);
	tcase_add_test(tc, test_remaining_handover);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(timeouts_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
