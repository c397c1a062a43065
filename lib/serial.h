/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 32-bit serial-number arithmetic (RFC 1982; RFC 9293 §3.4 for TCP
 * sequence numbers): a is "before" b when the forward distance from a to
 * b is below 2^31. Used by the TCP window tracker and by anything else
 * that compares sequence numbers which wrap (sync, CCP).
 *
 * The comparison is on the signed difference, as Linux before()/after()
 * and conntrack-tools network.h do. Two numbers exactly 2^31 apart are
 * each "before" the other (RFC 1982 leaves that pair undefined); callers
 * never compare that far apart (a TCP window is at most 2^30, RFC 7323
 * §2.3).
 *
 * Any thread; pure.
 */
#ifndef PHX_LIB_SERIAL_H
#define PHX_LIB_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

/* a < b in serial order. */
static inline bool
phx_seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* a > b in serial order. */
static inline bool
phx_seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(b - a) < 0;
}

/* lo <= a <= hi in serial order, for a range [lo, hi] shorter than
 * 2^31: the forward distance from lo to a is at most that to hi. */
static inline bool
phx_seq_between(uint32_t a, uint32_t lo, uint32_t hi)
{
	return a - lo <= hi - lo;
}

/* The later of a and b in serial order. */
static inline uint32_t
phx_seq_max(uint32_t a, uint32_t b)
{
	return phx_seq_after(b, a) ? b : a;
}

#endif /* PHX_LIB_SERIAL_H */
