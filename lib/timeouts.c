/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session timeout policy (lib/timeouts.h): the default table, class
 * names, and which class a session is in. The values live in one X-macro
 * in the header, so the enum, the config keys, the defaults and the docs
 * cannot disagree (STYLE 3.6: a designated-initialiser table per state,
 * nf tcp_timeouts[] and pf PFTM_* are the models).
 *
 * Classes rather than one timeout per TCP state: operators configure
 * four TCP numbers (SPEC SI-07 names the end timeout; nf has one sysctl
 * per state), and a session records one class (dataplane/session.h). A timeout is attached to the class, not the state, so the
 * closing states that the FSM cannot tell apart reliably (see
 * lib/tcp_fsm.c) share one value.
 *
 * Defaults the sources leave open (SPEC SI-07 [interp]) are chosen in the
 * header's X-macro, for these reasons: handshake 30 s (nf syn_sent 120 s is
 * generous for a firewall facing SYN floods), established 1 h (pf's
 * tcp.established is 24 h, nf's 5 days; an hour cuts idle leftovers while
 * SI-08 keepalives hold real ones), end 20 s (SPEC SI-07), close 10 s
 * (nf), UDP 30/60 s and ICMP 30 s (nf udp/udp_stream 30/120 s, icmp 30 s),
 * other 60 s.
 */
#include "lib/timeouts.h"

#include "lib/compiler.h"
#include "lib/inet.h"

const struct phx_timeouts phx_timeouts_default = {
	.s = {
#define PHX_TMO_DEFAULT_(e, k, d, s) [PHX_TMO_##e] = d,
		PHX_TMO_CLASSES(PHX_TMO_DEFAULT_)
#undef PHX_TMO_DEFAULT_
	},
};

static const char *const tmo_names[PHX_TMO_MAX] = {
#define PHX_TMO_NAME_(e, k, d, s) [PHX_TMO_##e] = #k,
	PHX_TMO_CLASSES(PHX_TMO_NAME_)
#undef PHX_TMO_NAME_
};

const char *
phx_tmo_name(enum phx_tmo_class c)
{
	return (unsigned)c < PHX_TMO_MAX ? tmo_names[c] : "invalid";
}

/* Class per TCP state; tests/unit/check_timeouts.c checks every row. */
static const uint8_t tcp_state_class[PHX_TCP_STATE_MAX] = {
	[PHX_TCP_NONE] = PHX_TMO_TCP_SYN,         /* never stored; as SYN */
	[PHX_TCP_SYN_SENT] = PHX_TMO_TCP_SYN,
	[PHX_TCP_SYN_RECV] = PHX_TMO_TCP_SYN,
	[PHX_TCP_ESTABLISHED] = PHX_TMO_TCP_ESTABLISHED,
	[PHX_TCP_FIN_WAIT] = PHX_TMO_TCP_END,
	[PHX_TCP_CLOSE_WAIT] = PHX_TMO_TCP_END,
	[PHX_TCP_LAST_ACK] = PHX_TMO_TCP_END,
	[PHX_TCP_TIME_WAIT] = PHX_TMO_TCP_END,
	[PHX_TCP_CLOSE] = PHX_TMO_TCP_CLOSE,
};

enum phx_tmo_class
phx_tmo_class_of(uint8_t proto, enum phx_tcp_state st, bool replied)
{
	switch (proto) {
	case PHX_IPPROTO_TCP:
		/* A corrupted state expires quickly rather than never. */
		if (PHX_UNLIKELY((unsigned)st >= PHX_TCP_STATE_MAX))
			return PHX_TMO_TCP_CLOSE;
		return (enum phx_tmo_class)tcp_state_class[st];
	case PHX_IPPROTO_UDP:
		/* A query nobody answers (scans, lost servers) should not
		 * hold a session as long as a live exchange. */
		return replied ? PHX_TMO_UDP : PHX_TMO_UDP_FIRST;
	case PHX_IPPROTO_ICMP:
		return PHX_TMO_ICMP;
	default:
		return PHX_TMO_OTHER;
	}
}
