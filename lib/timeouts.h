/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session idle timeouts (SPEC SI-05, SI-07, SI-09). A session's class
 * follows its protocol state; each class has a timeout in seconds,
 * configurable globally ("timeouts") and per rule. Expiry is computed from
 * the last packet's time, so a session's *remaining* lifetime is always
 * known (what sync ships, SPEC SI-09): remaining = timeout - idle.
 */
#ifndef PHX_LIB_TIMEOUTS_H
#define PHX_LIB_TIMEOUTS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/tcp_fsm.h"

/* X(ENUM, config key, default seconds, description) */
#define PHX_TMO_CLASSES(X)                                                     \
	X(TCP_SYN, tcp_syn, 30, "TCP handshake in progress (SYN_SENT, SYN_RECV)") \
	X(TCP_ESTABLISHED, tcp_established, 3600, "TCP established")           \
	X(TCP_END, tcp_end, 20, "TCP closing: FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT (SPEC SI-07)") \
	X(TCP_CLOSE, tcp_close, 10, "TCP after RST")                           \
	X(UDP_FIRST, udp_first, 30, "UDP, no reply seen yet")                  \
	X(UDP, udp, 60, "UDP, replied")                                        \
	X(ICMP, icmp, 30, "ICMP echo and other queries")                       \
	X(OTHER, other, 60, "other IP protocols")

enum phx_tmo_class {
#define PHX_TMO_ENUM_(e, k, d, s) PHX_TMO_##e,
	PHX_TMO_CLASSES(PHX_TMO_ENUM_)
#undef PHX_TMO_ENUM_
	PHX_TMO_MAX
};

#define PHX_TMO_MAX_S 604800u /* one week: the largest timeout accepted */

struct phx_timeouts {
	uint32_t s[PHX_TMO_MAX];  /* seconds, 1..PHX_TMO_MAX_S */
};

/* The documented defaults (docs/config.md). */
extern const struct phx_timeouts phx_timeouts_default;
/* Config key of a class ("tcp_established"). */
const char *phx_tmo_name(enum phx_tmo_class c);

/*
 * Class of a session: proto is the IPv4 protocol number, tcp_state its TCP
 * state (ignored for other protocols), replied whether a packet has been
 * seen in the reply direction.
 */
enum phx_tmo_class phx_tmo_class_of(uint8_t proto, enum phx_tcp_state st,
				    bool replied);

/*
 * Remaining lifetime in the same unit as now/last/timeout (the caller's
 * clock, e.g. TSC ticks): 0 when expired. Correct across wrap of the clock
 * (unsigned arithmetic on now - last).
 */
static inline uint64_t
phx_tmo_remaining(uint64_t now, uint64_t last, uint64_t timeout)
{
	uint64_t idle = now - last;

	return idle >= timeout ? 0 : timeout - idle;
}

#endif /* PHX_LIB_TIMEOUTS_H */
