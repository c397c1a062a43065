/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP connection tracking (lib/tcp_fsm.h): a state table and an optional
 * sequence-window tracker, both pure, called per TCP packet by the
 * session glue on the workers.
 *
 * State: one table indexed [direction][flag class][state], written out in
 * full with a comment per row, as Linux nf_conntrack_proto_tcp.c
 * tcp_conntracks is. A table rather than a switch per state because the
 * whole policy is then visible on one screen, reviewable against nf's
 * table cell by cell, and tested cell by cell (tests/unit/check_tcp_fsm.c
 * holds an independently written copy). Differences from nf, on purpose:
 *
 *   - No session + anything but SYN is PHX_TCPV_NOT_SYN (SPEC SI-03); nf
 *     picks up an ACK as ESTABLISHED ("loose" mode). Picking up is the
 *     sync path's job, never a packet's.
 *   - A SYN (from either side) on ESTABLISHED is PHX_TCPV_SYN_EST, dropped
 *     and counted (SPEC SI-04); nf passes it ("ignore") hoping to resync.
 *     On SYN_RECV it is the initiator retransmitting a SYN whose SYN/ACK
 *     was lost, passed as nf does: not "established", so not SI-04.
 *   - A SYN from the initiator on FIN_WAIT..CLOSE, or from the responder on
 *     TIME_WAIT/CLOSE, is PHX_TCPV_REOPEN: the caller deletes the session
 *     and handles the SYN as a new flow, so a reopened connection is
 *     checked against the policy again in its own direction. nf reuses
 *     the entry (and for the responder's SYN keeps the old orientation,
 *     which would admit a reverse connection no rule allowed).
 *   - No SYN_SENT2 state: simultaneous open (RFC 9293 §3.5 figure 8) is
 *     handled without it. The responder's SYN on SYN_SENT passes without
 *     a state change; the responder's SYN/ACK then moves to SYN_RECV,
 *     where the initiator's SYN/ACK passes; ACKs establish. An initiator
 *     SYN/ACK that overtakes the responder's is dropped once and
 *     retransmitted by its sender. Keeping enum phx_tcp_state free of a
 *     state that only TCP hole punching reaches was preferred.
 *   - A RST on ESTABLISHED that is neither exact nor on a trusted port
 *     passes without closing (the caller's decision, see the RST rows);
 *     nf does the same for an inexact in-window RST. The table says sCL
 *     so that it stays one policy for every state.
 *   - nf's "ignore" (pass, state unchanged) is PHX_TCPV_OK with the state
 *     unchanged; where nf ignores only so that a later packet can resync
 *     its entry (SYN/ACK on closing states), we say INVALID.
 *
 * FIN_WAIT/CLOSE_WAIT/LAST_ACK/TIME_WAIT do not record which side sent
 * the first FIN (nf neither): a retransmitted FIN looks like the second
 * one. All four share the tcp_end timeout (lib/timeouts.h), so the
 * imprecision only shows in the state name.
 *
 * Windows: Rooney/van Rooij "Real stateful TCP packet filtering in IP
 * Filter" as Linux tcp_in_window() and pf pf_tcp_track_full() implement
 * it; see phx_tcp_window_check() below for the four conditions.
 */
#include "lib/tcp_fsm.h"

#include "lib/compiler.h"
#include "lib/serial.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

const char *const phx_tcp_state_names[PHX_TCP_STATE_MAX] = {
	/* conntrack -L spelling, which operators already read */
	[PHX_TCP_NONE] = "NONE",
	[PHX_TCP_SYN_SENT] = "SYN_SENT",
	[PHX_TCP_SYN_RECV] = "SYN_RECV",
	[PHX_TCP_ESTABLISHED] = "ESTABLISHED",
	[PHX_TCP_FIN_WAIT] = "FIN_WAIT",
	[PHX_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[PHX_TCP_LAST_ACK] = "LAST_ACK",
	[PHX_TCP_TIME_WAIT] = "TIME_WAIT",
	[PHX_TCP_CLOSE] = "CLOSE",
};

const char *const phx_tcp_verdict_names[PHX_TCPV_MAX] = {
	[PHX_TCPV_OK] = "ok",
	[PHX_TCPV_INVALID] = "invalid",
	[PHX_TCPV_NOT_SYN] = "not_syn",
	[PHX_TCPV_SYN_EST] = "syn_established",
	[PHX_TCPV_REOPEN] = "reopen",
};

const char *const phx_tcp_flag_class_names[PHX_TCPF_MAX] = {
	[PHX_TCPF_SYN] = "syn",
	[PHX_TCPF_SYNACK] = "synack",
	[PHX_TCPF_FIN] = "fin",
	[PHX_TCPF_ACK] = "ack",
	[PHX_TCPF_RST] = "rst",
	[PHX_TCPF_NONE] = "none",
};

enum phx_tcp_flag_class
phx_tcp_flag_class(uint8_t flags)
{
	unsigned sfr = flags & (TH_SYN | TH_FIN | TH_RST);

	/* More than one of SYN/FIN/RST is no class at all (lib/pkt_parse
	 * drops those as tcp_bad_flags before they get here). */
	if (sfr & (sfr - 1))
		return PHX_TCPF_NONE;
	if (flags & TH_RST)
		return PHX_TCPF_RST;
	if (flags & TH_SYN)
		return (flags & TH_ACK) ? PHX_TCPF_SYNACK : PHX_TCPF_SYN;
	if (flags & TH_FIN)
		return PHX_TCPF_FIN;
	if (flags & TH_ACK)
		return PHX_TCPF_ACK;
	return PHX_TCPF_NONE;
}

/*
 * Table cells: a next state (pass, PHX_TCPV_OK), or one of the pseudo
 * states after sCL, which leave the state unchanged and say what to do.
 */
enum {
	sNO = PHX_TCP_NONE,
	sSS = PHX_TCP_SYN_SENT,
	sSR = PHX_TCP_SYN_RECV,
	sES = PHX_TCP_ESTABLISHED,
	sFW = PHX_TCP_FIN_WAIT,
	sCW = PHX_TCP_CLOSE_WAIT,
	sLA = PHX_TCP_LAST_ACK,
	sTW = PHX_TCP_TIME_WAIT,
	sCL = PHX_TCP_CLOSE,
	sIG = PHX_TCP_STATE_MAX, /* pass, state unchanged (nf "ignore") */
	sIV,                     /* drop: out of state */
	sNS,                     /* no session and not a SYN (SI-03) */
	sSE,                     /* SYN on an established session (SI-04) */
	sRO,                     /* reopen: delete the session, start over */
};

static const uint8_t pseudo_verdict[] = {
	[sIG - sIG] = PHX_TCPV_OK,
	[sIV - sIG] = PHX_TCPV_INVALID,
	[sNS - sIG] = PHX_TCPV_NOT_SYN,
	[sSE - sIG] = PHX_TCPV_SYN_EST,
	[sRO - sIG] = PHX_TCPV_REOPEN,
};

static const uint8_t tcp_trans[2][PHX_TCPF_MAX][PHX_TCP_STATE_MAX] = {
[PHX_DIR_ORIG] = {
/*                 sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL */
[PHX_TCPF_SYN] = { sSS, sSS, sIG, sSE, sRO, sRO, sRO, sRO, sRO },
/*
 * sNO -> sSS  the only way a session starts
 * sSS -> sSS  retransmitted SYN
 * sSR -> sIG  SYN retransmitted because our SYN/ACK was lost: pass
 * sES -> sSE  SYN packet for established connection (SI-04): drop
 * sFW..sCL -> sRO  port reused after (or during) the close: new flow
 */
[PHX_TCPF_SYNACK] = { sNS, sIV, sIG, sIV, sIV, sIV, sIV, sIV, sIV },
/*
 * sNO -> sNS  first packet isn't SYN
 * sSS -> sIV  the initiator cannot answer its own SYN (but see sSR)
 * sSR -> sIG  simultaneous open: its SYN/ACK after the responder's
 * sES..sCL -> sIV
 */
[PHX_TCPF_FIN] = { sNS, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL },
/*
 * sNO -> sNS
 * sSS -> sIV  no FIN before the responder has answered
 * sSR -> sFW  close started (the final handshake ACK may be on it)
 * sES -> sFW  close started
 * sFW -> sLA  FIN seen both ways (or a retransmitted FIN, see above)
 * sCW -> sLA  the second FIN
 * sLA -> sLA  retransmitted FIN
 * sTW -> sTW  retransmitted FIN
 * sCL -> sCL  after a RST: passed, nf alike (the RST may be spoofed)
 */
[PHX_TCPF_ACK] = { sNS, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL },
/*
 * sNO -> sNS  first packet isn't SYN (SI-03; nf would pick it up)
 * sSS -> sIV  nothing to acknowledge yet
 * sSR -> sES  third packet of the handshake
 * sES -> sES
 * sFW -> sCW  FIN acknowledged
 * sCW -> sCW
 * sLA -> sTW  the last ACK
 * sTW -> sTW  retransmitted last ACK
 * sCL -> sCL  after a RST, as for FIN
 */
[PHX_TCPF_RST] = { sNS, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*
 * sNO -> sNS  a RST creates nothing
 * other -> sCL  RST closes in every state; on sES only if the caller
 *             trusts it (exact, or a trusted port: SPEC SI-04, RFC 5961
 *             §3, dataplane/worker.c established()), else it passes and
 *             the state stays
 */
[PHX_TCPF_NONE] = { sNS, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
/*
 * sNO -> sNS  not a SYN
 * other -> sIV  no flags / impossible combination
 */
},
[PHX_DIR_REPLY] = {
/*                 sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL */
[PHX_TCPF_SYN] = { sIV, sIG, sIV, sSE, sIV, sIV, sIV, sRO, sRO },
/*
 * sNO -> sIV  no session has a reply direction (trapped)
 * sSS -> sIG  simultaneous open: both sent SYN; state kept
 * sSR -> sIV  the responder has already answered
 * sES -> sSE  SYN packet for established connection (SI-04), whichever
 *             side sends it: drop
 * sFW..sLA -> sIV  closing
 * sTW -> sRO  the old responder reuses the port pair: new flow, checked
 * sCL -> sRO  against the policy in its own direction
 */
[PHX_TCPF_SYNACK] = { sIV, sSR, sIG, sIG, sIV, sIV, sIV, sIV, sIV },
/*
 * sNO -> sIV
 * sSS -> sSR  second packet of the handshake (or of a simultaneous open)
 * sSR -> sIG  retransmitted SYN/ACK
 * sES -> sIG  late SYN/ACK retransmission (the third ACK was lost)
 * sFW..sCL -> sIV  nothing left to open
 */
[PHX_TCPF_FIN] = { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL },
/*
 * sNO -> sIV
 * sSS -> sIV  a FIN without a SYN/ACK first
 * sSR -> sFW  close started
 * sES -> sFW  close started
 * sFW -> sLA  FIN seen both ways
 * sCW -> sLA  the second FIN
 * sLA -> sLA  retransmitted FIN
 * sTW -> sTW  retransmitted FIN
 * sCL -> sCL  after a RST
 */
[PHX_TCPF_ACK] = { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL },
/*
 * sNO -> sIV
 * sSS -> sIG  challenge ACK from a half-open old connection (RFC 5961
 *             §4): the initiator must see it to reset that connection
 * sSR -> sSR  ACK answering a retransmitted SYN
 * sES -> sES
 * sFW -> sCW  FIN acknowledged
 * sCW -> sCW
 * sLA -> sTW  the last ACK
 * sTW -> sTW  retransmitted last ACK
 * sCL -> sCL  after a RST
 */
[PHX_TCPF_RST] = { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*
 * sNO -> sIV
 * sSS -> sCL  connection refused
 * other -> sCL  RST closes in every state (sES: as above)
 */
[PHX_TCPF_NONE] = { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
/*
 * every state -> sIV  no flags / impossible combination
 */
},
};

static_assert(PHX_DIM(pseudo_verdict) == sRO - sIG + 1, "one verdict each");

enum phx_tcp_state
phx_tcp_fsm_next(enum phx_tcp_state st, enum phx_dir dir,
		 enum phx_tcp_flag_class fc, enum phx_tcp_verdict *v)
{
	unsigned cell;

	/* Impossible arguments (a corrupted session record): drop the
	 * packet and keep whatever the caller had. */
	if (PHX_UNLIKELY((unsigned)st >= PHX_TCP_STATE_MAX ||
			 (unsigned)dir > PHX_DIR_REPLY ||
			 (unsigned)fc >= PHX_TCPF_MAX)) {
		*v = PHX_TCPV_INVALID;
		return st;
	}
	cell = tcp_trans[dir][fc][st];
	if (cell < PHX_TCP_STATE_MAX) {
		*v = PHX_TCPV_OK;
		return (enum phx_tcp_state)cell;
	}
	*v = (enum phx_tcp_verdict)pseudo_verdict[cell - sIG];
	return st;
}

/* ---- window tracking ---------------------------------------------------- */

#define WSCALE_UNKNOWN 0xf    /* struct phx_tcp_win.wscale: not known yet */
#define WSCALE_MAX     14     /* RFC 7323 §2.3: larger shifts mean 14 */
/* Least distance an ACK may lag behind the data it acknowledges: the
 * largest unscaled window plus a segment (pf MAXACKWINDOW, nf's fallback
 * of 66000). Duplicate ACKs reordered behind newer ones lag that much
 * even when the acking side advertises a small window. */
#define MAXACKWINDOW_MIN 66000u

/*
 * Shift for direction d's windows. Unknown (a pickup that missed the
 * handshake, or the responder before its SYN/ACK) counts as the largest
 * legal shift: the tracker then errs towards passing, never drops a
 * scaled peer it cannot judge.
 */
static inline unsigned
wshift(const struct phx_tcp_win *w, unsigned d)
{
	return w->wscale[d] <= WSCALE_MAX ? w->wscale[d] : WSCALE_MAX;
}

static inline uint16_t
win_at_least_1(uint16_t win)
{
	return win ? win : 1;
}

/*
 * A SYN from d carried option wscale (-1: none). Scaling applies only if
 * both SYNs carried the option (RFC 7323 §2.2): an absent option turns
 * it off both ways; a present one fills d's shift if still unknown.
 */
static void
learn_wscale(struct phx_tcp_win *w, unsigned d, int8_t wscale)
{
	if (wscale < 0) {
		w->wscale[0] = 0;
		w->wscale[1] = 0;
	} else if (w->wscale[d] == WSCALE_UNKNOWN) {
		w->wscale[d] = (uint8_t)(wscale > WSCALE_MAX ? WSCALE_MAX :
					 wscale);
	}
}

void
phx_tcp_window_init(struct phx_tcp_win *w, const struct phx_tcp_seg *s)
{
	uint32_t end = s->seq + s->len;

	*w = (struct phx_tcp_win){ 0 };
	w->end[PHX_DIR_ORIG] = end;
	/* Nothing may be sent beyond the SYN until the SYN/ACK says how
	 * much the responder accepts. */
	w->maxend[PHX_DIR_ORIG] = end;
	w->maxwin[PHX_DIR_ORIG] = win_at_least_1(s->win);
	w->wscale[PHX_DIR_ORIG] = WSCALE_UNKNOWN;
	w->wscale[PHX_DIR_REPLY] = WSCALE_UNKNOWN;
	learn_wscale(w, PHX_DIR_ORIG, s->wscale);
	w->flags = PHX_TCPW_F_END_KNOWN(PHX_DIR_ORIG);
}

void
phx_tcp_window_init_pickup(struct phx_tcp_win *w)
{
	*w = (struct phx_tcp_win){ 0 };
	w->wscale[PHX_DIR_ORIG] = WSCALE_UNKNOWN;
	w->wscale[PHX_DIR_REPLY] = WSCALE_UNKNOWN;
	w->flags = PHX_TCPW_F_PICKUP;
}

/* Raise v to x if x is later (or v had no value). */
static inline void
raise_to(uint32_t *v, uint32_t x, bool known)
{
	if (!known || phx_seq_after(x, *v))
		*v = x;
}

/*
 * PHX_TCPW_F_PICKUP: take the segment as truth. Each direction's end is
 * the furthest it has been seen to send, or to have been acknowledged;
 * each maxend the furthest the peer has allowed. Ends once both
 * directions have sent something; from then on segments are checked.
 */
static void
pickup_learn(struct phx_tcp_win *w, unsigned d, const struct phx_tcp_seg *s,
	     uint32_t end)
{
	unsigned o = !d;
	uint32_t swin, top;

	if (s->flags & TH_SYN)
		learn_wscale(w, d, s->wscale);
	raise_to(&w->end[d], end, w->flags & PHX_TCPW_F_END_KNOWN(d));
	raise_to(&w->maxend[d], end, w->flags & PHX_TCPW_F_END_KNOWN(d));
	w->flags |= PHX_TCPW_F_END_KNOWN(d);
	if (win_at_least_1(s->win) > w->maxwin[d])
		w->maxwin[d] = win_at_least_1(s->win);
	if ((s->flags & TH_ACK) && !((s->flags & TH_RST) && s->ack == 0)) {
		swin = (s->flags & TH_SYN) ? s->win :
			(uint32_t)s->win << wshift(w, d);
		top = s->ack + (swin ? swin : 1);
		/* d acknowledged up to ack: o has sent at least that much */
		raise_to(&w->end[o], s->ack,
			 w->flags & PHX_TCPW_F_END_KNOWN(o));
		raise_to(&w->maxend[o], top,
			 w->flags & PHX_TCPW_F_END_KNOWN(o));
		w->flags |= PHX_TCPW_F_END_KNOWN(o);
	}
	if (w->maxwin[0] && w->maxwin[1])
		w->flags &= (uint8_t)~PHX_TCPW_F_PICKUP;
}

/*
 * Conditions, with "end" = seq + len of this segment, d its direction, o
 * the other one (Rooney's numbering; nf tcp_in_window() alike):
 *
 *   I    end <= maxend[d]                 no data beyond what o allowed
 *   II   seq >= end[d] - rwin(o)          not older than o's window:
 *                                         a retransmission inside it is
 *                                         fine (skipped until o is known)
 *   III  ack <= end[o] + 1                no ACK for data o never sent
 *   IV   ack >= end[o] - maxackwin(d)     no ACK older than d's window
 *
 * rwin(o) is o's largest window, scaled; maxackwin(d) likewise for d but
 * at least MAXACKWINDOW_MIN.
 * III allows one past end[o]: end[o] may come from a keepalive, sent with
 * SEQ.NXT - 1 (RFC 9293 §3.8.4), whose ACK is one past it. III and IV are
 * skipped while end[o] is unknown (the initiator before any reply), and
 * a segment without ACK, or a RST+ACK with ack 0 (broken stacks, nf),
 * counts as acknowledging end[o].
 *
 * First segment of the responder (normally the SYN/ACK): learnt, then
 * checked, so its ACK must match the initiator's SYN. An initiator SYN
 * with a new ISN before any reply re-initialises (the client restarted
 * the connect, RFC 9293 §3.4 "it need only be sure to use sequence
 * numbers larger"; nf does the same in SYN_SENT).
 */
bool
phx_tcp_window_check(struct phx_tcp_win *w, enum phx_dir dir,
		     const struct phx_tcp_seg *s)
{
	unsigned d = dir == PHX_DIR_REPLY, o = !d;
	uint32_t end = s->seq + s->len;
	uint32_t ack = s->ack, swin, top, rwin, maxack;
	bool real_ack = (s->flags & TH_ACK) &&
		!((s->flags & TH_RST) && s->ack == 0);
	struct phx_tcp_win t;

	if (w->flags & PHX_TCPW_F_PICKUP) {
		/* a RST teaches nothing (below), even while picking up */
		if (!(s->flags & TH_RST))
			pickup_learn(w, d, s, end);
		return true;
	}

	if (w->maxwin[PHX_DIR_REPLY] == 0) {
		/* RFC 5961 §4: the responder still has an older connection
		 * on these ports open and answers the new SYN with an ACK
		 * of that connection (the table passes it on SYN_SENT).
		 * Neither it nor the initiator's RST answering it (sequence
		 * number = that ACK's acknowledgement) belong to the new
		 * connection's sequence space: pass both, learn nothing
		 * from them but the number the RST must carry. */
		if (d == PHX_DIR_REPLY &&
		    (s->flags & (TH_SYN | TH_FIN | TH_RST | TH_ACK)) == TH_ACK) {
			w->end[PHX_DIR_REPLY] = s->ack;
			w->flags |= PHX_TCPW_F_CHALLENGE;
			return true;
		}
		if ((s->flags & TH_RST) &&
		    phx_tcp_rst_answers_challenge(w, dir, s->seq))
			return true;
	}

	/* Validate on a copy, commit at the end: a rejected segment must
	 * leave no trace, or a forged first SYN/ACK would teach the
	 * tracker a sequence space the real one then fails against. */
	t = *w;
	if (t.maxwin[d] == 0) {
		/* first segment from d */
		if (d == PHX_DIR_REPLY)
			t.flags &= (uint8_t)~PHX_TCPW_F_CHALLENGE;
		t.end[d] = end;
		t.maxend[d] = end;
		t.maxwin[d] = win_at_least_1(s->win);
		t.flags |= PHX_TCPW_F_END_KNOWN(d);
		if (s->flags & TH_SYN)
			learn_wscale(&t, d, s->wscale);
	} else if (d == PHX_DIR_ORIG && t.maxwin[o] == 0 &&
		   (s->flags & (TH_SYN | TH_ACK)) == TH_SYN &&
		   end != t.end[d]) {
		phx_tcp_window_init(w, s);
		return true;
	}

	if (!real_ack)
		ack = t.end[o];

	if (phx_seq_after(end, t.maxend[d]))
		return false;                                   /* I */
	if (t.maxwin[o]) {
		rwin = (uint32_t)t.maxwin[o] << wshift(&t, o);
		if (phx_seq_before(s->seq, t.end[d] - rwin))
			return false;                           /* II */
	}
	if (t.flags & PHX_TCPW_F_END_KNOWN(o)) {
		maxack = (uint32_t)t.maxwin[d] << wshift(&t, d);
		if (maxack < MAXACKWINDOW_MIN)
			maxack = MAXACKWINDOW_MIN;
		if (phx_seq_after(ack, t.end[o] + 1))
			return false;                           /* III */
		if (phx_seq_before(ack, t.end[o] - maxack))
			return false;                           /* IV */
	}

	/* A RST is judged, never learnt from: it ends the connection, or
	 * (not exact: dataplane) it may be a blind guess, which must not
	 * move the tracker either. */
	if (s->flags & TH_RST)
		return true;

	/* slide the windows */
	if (win_at_least_1(s->win) > t.maxwin[d])
		t.maxwin[d] = win_at_least_1(s->win);
	if (phx_seq_after(end, t.end[d]))
		t.end[d] = end;
	if (real_ack) {
		/* RFC 7323 §2.2: the window of a SYN is never scaled. */
		swin = (s->flags & TH_SYN) ? s->win :
			(uint32_t)s->win << wshift(&t, d);
		/* a zero window still admits a one-byte probe */
		top = ack + (swin ? swin : 1);
		if (phx_seq_after(top, t.maxend[o]))
			t.maxend[o] = top;
	}
	*w = t;         /* commit */
	return true;
}

bool
phx_tcp_rst_exact(const struct phx_tcp_win *w, enum phx_dir dir, uint32_t seq)
{
	unsigned d = dir == PHX_DIR_REPLY;

	return !(w->flags & PHX_TCPW_F_PICKUP) &&
	       (w->flags & PHX_TCPW_F_END_KNOWN(d)) && w->maxwin[d] != 0 &&
	       seq == w->end[d];
}

bool
phx_tcp_rst_answers_challenge(const struct phx_tcp_win *w, enum phx_dir dir,
			      uint32_t seq)
{
	return dir == PHX_DIR_ORIG && w->maxwin[PHX_DIR_REPLY] == 0 &&
	       (w->flags & PHX_TCPW_F_CHALLENGE) &&
	       seq == w->end[PHX_DIR_REPLY];
}
