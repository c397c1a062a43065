/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP connection tracking state machine (SPEC SI-01..SI-04, SI-07),
 * as a transition table indexed [dir][flag class][state] with a comment per
 * row (Linux nf_conntrack_proto_tcp.c tcp_conntracks is the model).
 * Pure: no time, no I/O. Sequence-window checking is a separate, optional
 * step (phx_tcp_window_check) so the table stays readable.
 */
#ifndef PHX_LIB_TCP_FSM_H
#define PHX_LIB_TCP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/pkt_meta.h"

enum phx_tcp_state {
	PHX_TCP_NONE = 0,     /* no session yet */
	PHX_TCP_SYN_SENT,     /* SYN seen from the initiator */
	PHX_TCP_SYN_RECV,     /* SYN/ACK seen from the responder */
	PHX_TCP_ESTABLISHED,  /* ACK of the SYN/ACK seen */
	PHX_TCP_FIN_WAIT,     /* FIN seen from one side */
	PHX_TCP_CLOSE_WAIT,   /* FIN acknowledged, other side still open */
	PHX_TCP_LAST_ACK,     /* FIN seen from both sides */
	PHX_TCP_TIME_WAIT,    /* last ACK seen */
	PHX_TCP_CLOSE,        /* RST seen */
	PHX_TCP_STATE_MAX
};

enum phx_dir {
	PHX_DIR_ORIG = 0,     /* initiator -> responder */
	PHX_DIR_REPLY = 1,    /* responder -> initiator */
};

enum phx_tcp_flag_class {
	PHX_TCPF_SYN = 0,     /* SYN without ACK */
	PHX_TCPF_SYNACK,      /* SYN + ACK */
	PHX_TCPF_FIN,         /* FIN (with or without ACK) */
	PHX_TCPF_ACK,         /* ACK, no SYN/FIN/RST */
	PHX_TCPF_RST,         /* RST (with or without ACK) */
	PHX_TCPF_NONE,        /* none of the above (bad combination) */
	PHX_TCPF_MAX
};

/* What the caller does with the packet besides moving to the new state. */
enum phx_tcp_verdict {
	PHX_TCPV_OK = 0,       /* pass */
	PHX_TCPV_INVALID,      /* out of state: drop (tcp_out_of_state) */
	PHX_TCPV_NOT_SYN,      /* first packet isn't SYN (SPEC SI-03 message) */
	PHX_TCPV_SYN_EST,      /* SYN on an established session (SPEC SI-04):
				* drop and count, the session stays */
	PHX_TCPV_REOPEN,       /* SYN on a closing or closed session (port
				* reuse; from the responder too once in
				* TIME_WAIT/CLOSE): delete, start over */
	PHX_TCPV_MAX
};

extern const char *const phx_tcp_state_names[PHX_TCP_STATE_MAX];
extern const char *const phx_tcp_verdict_names[PHX_TCPV_MAX];
extern const char *const phx_tcp_flag_class_names[PHX_TCPF_MAX];

/* Flag class of a TCP flags byte (FIN 0x01 SYN 0x02 RST 0x04 ACK 0x10). */
enum phx_tcp_flag_class phx_tcp_flag_class(uint8_t flags);

/*
 * Next state for a packet of flag class fc travelling in dir on a session
 * in state st; *v says what to do with the packet. For a packet with no
 * session, st = PHX_TCP_NONE and dir = PHX_DIR_ORIG: only SYN creates
 * (-> SYN_SENT), anything else is PHX_TCPV_NOT_SYN. When *v is not
 * PHX_TCPV_OK the returned state is st (unchanged).
 */
enum phx_tcp_state phx_tcp_fsm_next(enum phx_tcp_state st, enum phx_dir dir,
				    enum phx_tcp_flag_class fc,
				    enum phx_tcp_verdict *v);

/*
 * Optional sequence-window tracking (Rooney/van Rooij "Real stateful TCP
 * packet filtering", as pf and Linux do it), 24 bytes per session.
 */
struct phx_tcp_win {
	uint32_t end[2];     /* highest seq + len sent, per direction */
	uint32_t maxend[2];  /* highest ack + window seen from the peer */
	uint16_t maxwin[2];  /* largest window advertised (unscaled) */
	uint8_t wscale[2];   /* window scale per direction, 0xf = unknown */
	uint8_t flags;       /* PHX_TCPW_F_* */
	uint8_t sync_epoch;  /* not window state: the dataplane keeps a
			      * session's last sync refresh epoch here
			      * (dataplane/session.h); window_init and
			      * window_init_pickup zero it, window_check
			      * keeps it, sync never ships it */
};

#define PHX_TCPW_F_PICKUP 0x01 /* picked up mid-stream (synced, or a grace
				* period after start): learn before checking */
/* end[d] holds a value (set by window_init, by d's first segment, or
 * while picking up by the peer's ACKs); internal to lib/tcp_fsm.c but
 * part of the state sync ships. */
#define PHX_TCPW_F_END_KNOWN(d) (0x02u << (d))
/* The responder has sent nothing but an RFC 5961 §4 challenge ACK (from
 * an older connection on the same ports, still open on its side): while
 * this is set and maxwin[PHX_DIR_REPLY] is 0, end[PHX_DIR_REPLY] holds
 * that ACK's acknowledgement number, the sequence number of the RST the
 * initiator answers it with. Internal to lib/tcp_fsm.c. */
#define PHX_TCPW_F_CHALLENGE 0x08

/* Packet fields the window check needs (host byte order). */
struct phx_tcp_seg {
	uint32_t seq, ack;
	uint16_t win;        /* raw window field */
	uint16_t len;        /* payload length, + 1 for SYN and for FIN */
	uint8_t flags;
	int8_t wscale;       /* window scale option on SYN, -1 if absent */
};

/*
 * The segment fields of a parsed TCP packet (m->proto == 6, accepted by
 * lib/pkt_parse): len counts the payload plus one for SYN and for FIN.
 */
static inline void
phx_tcp_seg_from_meta(const struct phx_pkt_meta *m, struct phx_tcp_seg *s)
{
	s->seq = m->tcp_seq;
	s->ack = m->tcp_ack;
	s->win = m->tcp_win;
	s->len = (uint16_t)(m->l4_len - m->l4_hlen + !!(m->tcp_flags & 0x02) +
			    !!(m->tcp_flags & 0x01));
	s->flags = m->tcp_flags;
	s->wscale = m->tcp_wscale;
}

/* Initialise tracking from the first (SYN) segment of the initiator. */
void phx_tcp_window_init(struct phx_tcp_win *w, const struct phx_tcp_seg *s);

/*
 * Initialise tracking for a session picked up without its handshake:
 * nothing known, window scales unknown, PHX_TCPW_F_PICKUP set.
 */
void phx_tcp_window_init_pickup(struct phx_tcp_win *w);

/*
 * Check seg travelling in dir against w and update w. Returns true if the
 * segment is within the windows; false = drop (tcp_bad_window). With
 * PHX_TCPW_F_PICKUP set the first segment seen in each direction is learnt
 * instead of checked; learning lasts until both directions have been
 * seen, so a one-way (asymmetric, SPEC SI-10) flow is never checked.
 * Pure; the caller owns w (the session's worker).
 */
bool phx_tcp_window_check(struct phx_tcp_win *w, enum phx_dir dir,
			  const struct phx_tcp_seg *s);

/*
 * Whether a RST travelling in dir with sequence number seq is exact: the
 * tracker knows dir's sequence space (no pickup in progress) and seq is
 * the next sequence number dir would send, which is what a stack that
 * aborts its connection, or answers a segment it has no connection for,
 * puts in its RST. A RST that is only inside the window may be a blind
 * guess (RFC 5961 §3): the endpoint answers it with a challenge ACK
 * instead of closing, and so does the caller. Call before
 * phx_tcp_window_check() on the same segment.
 */
bool phx_tcp_rst_exact(const struct phx_tcp_win *w, enum phx_dir dir,
		       uint32_t seq);

/*
 * Whether a RST travelling in dir with sequence number seq is the
 * initiator's answer to a challenge ACK (PHX_TCPW_F_CHALLENGE): it resets
 * the responder's older connection, not this one, which stays SYN_SENT
 * (a spoofed ACK must not make the initiator close its own attempt at
 * the firewall). Call before phx_tcp_window_check().
 */
bool phx_tcp_rst_answers_challenge(const struct phx_tcp_win *w,
				   enum phx_dir dir, uint32_t seq);

#endif /* PHX_LIB_TCP_FSM_H */
