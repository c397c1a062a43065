/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/tcp_fsm.
 *
 * Transitions: every cell of the table, one loop iteration each, against
 * an expected table written out here independently, indexed the other
 * way round ([state][dir][class]) and read from the contract in
 * lib/tcp_fsm.h and the design notes in lib/tcp_fsm.c, not copied from
 * the implementation. Then whole conversations: handshakes, both close
 * orders, simultaneous open and close, RSTs, port reuse.
 *
 * Windows: a handshake with and without window scaling, in-window data,
 * retransmissions, segments beyond the window, ACKs for unsent data,
 * zero windows, SYN/FIN sequence space, wrap at 2^32, and pickup
 * learning.
 */
#include <check.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/compiler.h"
#include "lib/serial.h"
#include "lib/tcp_fsm.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10
#define URG 0x20
#define ECE 0x40
#define CWR 0x80

#define O PHX_DIR_ORIG
#define R PHX_DIR_REPLY

/* ---- the expected table ------------------------------------------------ */

struct cell {
	uint8_t next;           /* enum phx_tcp_state */
	uint8_t verdict;        /* enum phx_tcp_verdict */
	uint8_t keep;           /* next = the state itself (pass, no move) */
};

/* pass to state s; pass and stay; the four non-OK verdicts */
#define GO(s) { PHX_TCP_##s, PHX_TCPV_OK, 0 }
#define STAY  { 0, PHX_TCPV_OK, 1 }
#define BAD   { 0, PHX_TCPV_INVALID, 1 }
#define NSYN  { 0, PHX_TCPV_NOT_SYN, 1 }
#define SEST  { 0, PHX_TCPV_SYN_EST, 1 }
#define REOP  { 0, PHX_TCPV_REOPEN, 1 }

/*   classes in order:  SYN       SYNACK    FIN        ACK            RST        NONE */
static const struct cell expect[PHX_TCP_STATE_MAX][2][PHX_TCPF_MAX] = {
	[PHX_TCP_NONE] = {
		[O] = { GO(SYN_SENT), NSYN, NSYN, NSYN, NSYN, NSYN },
		[R] = { BAD, BAD, BAD, BAD, BAD, BAD },
	},
	[PHX_TCP_SYN_SENT] = {
		[O] = { GO(SYN_SENT), BAD, BAD, BAD, GO(CLOSE), BAD },
		[R] = { STAY, GO(SYN_RECV), BAD, STAY, GO(CLOSE), BAD },
	},
	[PHX_TCP_SYN_RECV] = {
		[O] = { STAY, STAY, GO(FIN_WAIT), GO(ESTABLISHED), GO(CLOSE), BAD },
		[R] = { BAD, STAY, GO(FIN_WAIT), GO(SYN_RECV), GO(CLOSE), BAD },
	},
	[PHX_TCP_ESTABLISHED] = {
		[O] = { SEST, BAD, GO(FIN_WAIT), GO(ESTABLISHED), GO(CLOSE), BAD },
		[R] = { SEST, STAY, GO(FIN_WAIT), GO(ESTABLISHED), GO(CLOSE), BAD },
	},
	[PHX_TCP_FIN_WAIT] = {
		[O] = { REOP, BAD, GO(LAST_ACK), GO(CLOSE_WAIT), GO(CLOSE), BAD },
		[R] = { BAD, BAD, GO(LAST_ACK), GO(CLOSE_WAIT), GO(CLOSE), BAD },
	},
	[PHX_TCP_CLOSE_WAIT] = {
		[O] = { REOP, BAD, GO(LAST_ACK), GO(CLOSE_WAIT), GO(CLOSE), BAD },
		[R] = { BAD, BAD, GO(LAST_ACK), GO(CLOSE_WAIT), GO(CLOSE), BAD },
	},
	[PHX_TCP_LAST_ACK] = {
		[O] = { REOP, BAD, GO(LAST_ACK), GO(TIME_WAIT), GO(CLOSE), BAD },
		[R] = { BAD, BAD, GO(LAST_ACK), GO(TIME_WAIT), GO(CLOSE), BAD },
	},
	[PHX_TCP_TIME_WAIT] = {
		[O] = { REOP, BAD, GO(TIME_WAIT), GO(TIME_WAIT), GO(CLOSE), BAD },
		[R] = { REOP, BAD, GO(TIME_WAIT), GO(TIME_WAIT), GO(CLOSE), BAD },
	},
	[PHX_TCP_CLOSE] = {
		[O] = { REOP, BAD, GO(CLOSE), GO(CLOSE), GO(CLOSE), BAD },
		[R] = { REOP, BAD, GO(CLOSE), GO(CLOSE), GO(CLOSE), BAD },
	},
};

/* Loop index -> (state, dir, class): one iteration per table cell. */
#define N_CELLS (PHX_TCP_STATE_MAX * 2 * PHX_TCPF_MAX)

START_TEST(test_cell)
{
	unsigned st = (unsigned)_i / (2 * PHX_TCPF_MAX);
	unsigned dir = (unsigned)_i / PHX_TCPF_MAX % 2;
	unsigned fc = (unsigned)_i % PHX_TCPF_MAX;
	const struct cell *c = &expect[st][dir][fc];
	unsigned want_next = c->keep ? st : c->next;
	enum phx_tcp_verdict v = PHX_TCPV_MAX;
	enum phx_tcp_state got;

	got = phx_tcp_fsm_next((enum phx_tcp_state)st, (enum phx_dir)dir,
			       (enum phx_tcp_flag_class)fc, &v);
	ck_assert_msg(got == want_next && v == c->verdict,
		      "%s %s %s: got %s/%s, want %s/%s",
		      phx_tcp_state_names[st], dir ? "reply" : "orig",
		      phx_tcp_flag_class_names[fc], phx_tcp_state_names[got],
		      phx_tcp_verdict_names[v], phx_tcp_state_names[want_next],
		      phx_tcp_verdict_names[c->verdict]);
	/* the contract's invariant: not OK => state unchanged */
	if (v != PHX_TCPV_OK)
		ck_assert_uint_eq(got, st);
}
END_TEST

/* Rules stated in the header, checked across the table. */
START_TEST(test_table_rules)
{
	enum phx_tcp_verdict v;
	unsigned st, fc, d;

	for (st = 0; st < PHX_TCP_STATE_MAX; st++) {
		for (d = 0; d < 2; d++) {
			/* RST closes every session, either way */
			if (st != PHX_TCP_NONE)
				ck_assert_uint_eq(phx_tcp_fsm_next(st, d,
						  PHX_TCPF_RST, &v),
						  PHX_TCP_CLOSE);
			/* no class without flags opens or moves anything */
			ck_assert_uint_eq(phx_tcp_fsm_next(st, d,
					  PHX_TCPF_NONE, &v), st);
			ck_assert_uint_ne(v, PHX_TCPV_OK);
		}
	}
	/* No session: only SYN creates, the rest is "not SYN" */
	for (fc = 0; fc < PHX_TCPF_MAX; fc++) {
		phx_tcp_fsm_next(PHX_TCP_NONE, O, fc, &v);
		ck_assert_uint_eq(v, fc == PHX_TCPF_SYN ? PHX_TCPV_OK :
				  PHX_TCPV_NOT_SYN);
	}
}
END_TEST

START_TEST(test_bad_args)
{
	enum phx_tcp_verdict v = PHX_TCPV_OK;

	ck_assert_uint_eq(phx_tcp_fsm_next(PHX_TCP_STATE_MAX, O, PHX_TCPF_ACK,
					   &v), PHX_TCP_STATE_MAX);
	ck_assert_uint_eq(v, PHX_TCPV_INVALID);
	v = PHX_TCPV_OK;
	ck_assert_uint_eq(phx_tcp_fsm_next(PHX_TCP_ESTABLISHED, 2,
					   PHX_TCPF_ACK, &v),
			  PHX_TCP_ESTABLISHED);
	ck_assert_uint_eq(v, PHX_TCPV_INVALID);
	v = PHX_TCPV_OK;
	ck_assert_uint_eq(phx_tcp_fsm_next(PHX_TCP_ESTABLISHED, O,
					   PHX_TCPF_MAX, &v),
			  PHX_TCP_ESTABLISHED);
	ck_assert_uint_eq(v, PHX_TCPV_INVALID);
}
END_TEST

START_TEST(test_names)
{
	static const char *const states[] = {
		"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
	};
	unsigned i;

	ck_assert_uint_eq(PHX_DIM(states), PHX_TCP_STATE_MAX);
	for (i = 0; i < PHX_TCP_STATE_MAX; i++)
		ck_assert_str_eq(phx_tcp_state_names[i], states[i]);
	for (i = 0; i < PHX_TCPV_MAX; i++)
		ck_assert_ptr_nonnull(phx_tcp_verdict_names[i]);
	ck_assert_str_eq(phx_tcp_verdict_names[PHX_TCPV_SYN_EST],
			 "syn_established");
	for (i = 0; i < PHX_TCPF_MAX; i++)
		ck_assert_ptr_nonnull(phx_tcp_flag_class_names[i]);
}
END_TEST

/* ---- flag classes ------------------------------------------------------ */

/* Independent rule: more than one of SYN/FIN/RST is NONE; then RST wins,
 * then SYN (with or without ACK), FIN, ACK; PSH/URG/ECE/CWR don't count. */
static enum phx_tcp_flag_class
ref_class(unsigned b)
{
	int n = !!(b & SYN) + !!(b & FIN) + !!(b & RST);

	if (n > 1)
		return PHX_TCPF_NONE;
	if (b & RST)
		return PHX_TCPF_RST;
	if ((b & (SYN | ACK)) == (SYN | ACK))
		return PHX_TCPF_SYNACK;
	if (b & SYN)
		return PHX_TCPF_SYN;
	if (b & FIN)
		return PHX_TCPF_FIN;
	if (b & ACK)
		return PHX_TCPF_ACK;
	return PHX_TCPF_NONE;
}

START_TEST(test_flag_class_all)
{
	ck_assert_uint_eq(phx_tcp_flag_class((uint8_t)_i), ref_class(_i));
}
END_TEST

START_TEST(test_flag_class_named)
{
	ck_assert_uint_eq(phx_tcp_flag_class(SYN), PHX_TCPF_SYN);
	ck_assert_uint_eq(phx_tcp_flag_class(SYN | ECE | CWR), PHX_TCPF_SYN);
	ck_assert_uint_eq(phx_tcp_flag_class(SYN | ACK), PHX_TCPF_SYNACK);
	ck_assert_uint_eq(phx_tcp_flag_class(FIN), PHX_TCPF_FIN);
	ck_assert_uint_eq(phx_tcp_flag_class(FIN | ACK | PSH), PHX_TCPF_FIN);
	ck_assert_uint_eq(phx_tcp_flag_class(ACK), PHX_TCPF_ACK);
	ck_assert_uint_eq(phx_tcp_flag_class(ACK | PSH | URG), PHX_TCPF_ACK);
	ck_assert_uint_eq(phx_tcp_flag_class(RST), PHX_TCPF_RST);
	ck_assert_uint_eq(phx_tcp_flag_class(RST | ACK), PHX_TCPF_RST);
	ck_assert_uint_eq(phx_tcp_flag_class(0), PHX_TCPF_NONE);
	ck_assert_uint_eq(phx_tcp_flag_class(PSH), PHX_TCPF_NONE);
	ck_assert_uint_eq(phx_tcp_flag_class(SYN | FIN), PHX_TCPF_NONE);
	ck_assert_uint_eq(phx_tcp_flag_class(SYN | RST | ACK), PHX_TCPF_NONE);
	ck_assert_uint_eq(phx_tcp_flag_class(FIN | RST), PHX_TCPF_NONE);
}
END_TEST

/* ---- conversations ----------------------------------------------------- */

struct step {
	uint8_t dir;
	uint8_t flags;                  /* TCP flags byte */
	uint8_t next;                   /* expected state after */
	uint8_t verdict;                /* expected verdict */
};

#define S_OK(d, f, s) { d, f, PHX_TCP_##s, PHX_TCPV_OK }
#define S_V(d, f, s, v) { d, f, PHX_TCP_##s, PHX_TCPV_##v }

static void
run(const char *name, const struct step *steps, unsigned n)
{
	enum phx_tcp_state st = PHX_TCP_NONE, next;
	enum phx_tcp_verdict v;
	unsigned i;

	for (i = 0; i < n; i++) {
		next = phx_tcp_fsm_next(st, steps[i].dir,
					phx_tcp_flag_class(steps[i].flags), &v);
		ck_assert_msg(next == steps[i].next && v == steps[i].verdict,
			      "%s step %u (%s %#04x in %s): %s/%s, want %s/%s",
			      name, i, steps[i].dir ? "reply" : "orig",
			      steps[i].flags, phx_tcp_state_names[st],
			      phx_tcp_state_names[next], phx_tcp_verdict_names[v],
			      phx_tcp_state_names[steps[i].next],
			      phx_tcp_verdict_names[steps[i].verdict]);
		st = next;
	}
}

#define RUN(name, ...)                                                  \
	do {                                                            \
		static const struct step s_[] = { __VA_ARGS__ };        \
		run(name, s_, PHX_DIM(s_));                             \
	} while (0)

START_TEST(test_conv_client_close)
{
	RUN("client close",
	    S_OK(O, SYN, SYN_SENT),
	    S_OK(R, SYN | ACK, SYN_RECV),
	    S_OK(O, ACK, ESTABLISHED),
	    S_OK(O, ACK | PSH, ESTABLISHED),
	    S_OK(R, ACK | PSH, ESTABLISHED),
	    S_OK(O, FIN | ACK, FIN_WAIT),
	    S_OK(R, ACK, CLOSE_WAIT),
	    S_OK(R, ACK | PSH, CLOSE_WAIT),     /* half-closed: data back */
	    S_OK(R, FIN | ACK, LAST_ACK),
	    S_OK(O, ACK, TIME_WAIT),
	    S_OK(O, ACK, TIME_WAIT));           /* retransmitted last ACK */
}
END_TEST

START_TEST(test_conv_server_close)
{
	RUN("server close",
	    S_OK(O, SYN | ECE | CWR, SYN_SENT),
	    S_OK(R, SYN | ACK | ECE, SYN_RECV),
	    S_OK(O, ACK, ESTABLISHED),
	    S_OK(R, FIN | ACK, FIN_WAIT),
	    S_OK(O, ACK, CLOSE_WAIT),
	    S_OK(O, FIN | ACK, LAST_ACK),
	    S_OK(O, FIN | ACK, LAST_ACK),       /* retransmitted FIN */
	    S_OK(R, ACK, TIME_WAIT));
}
END_TEST

START_TEST(test_conv_simultaneous_close)
{
	RUN("simultaneous close",
	    S_OK(O, SYN, SYN_SENT),
	    S_OK(R, SYN | ACK, SYN_RECV),
	    S_OK(O, ACK, ESTABLISHED),
	    S_OK(O, FIN | ACK, FIN_WAIT),
	    S_OK(R, FIN | ACK, LAST_ACK),       /* FINs cross */
	    S_OK(O, ACK, TIME_WAIT),
	    S_OK(R, ACK, TIME_WAIT));
}
END_TEST

/* Simultaneous open (RFC 9293 figure 8) without a SYN_SENT2 state: an
 * initiator SYN/ACK ahead of the responder's is dropped once. */
START_TEST(test_conv_simultaneous_open)
{
	RUN("simultaneous open",
	    S_OK(O, SYN, SYN_SENT),
	    S_OK(R, SYN, SYN_SENT),
	    S_V(O, SYN | ACK, SYN_SENT, INVALID),
	    S_OK(R, SYN | ACK, SYN_RECV),
	    S_OK(O, SYN | ACK, SYN_RECV),       /* the retransmission */
	    S_OK(O, ACK, ESTABLISHED),
	    S_OK(R, ACK, ESTABLISHED));
}
END_TEST

START_TEST(test_conv_handshake_retransmits)
{
	RUN("retransmits",
	    S_OK(O, SYN, SYN_SENT),
	    S_OK(O, SYN, SYN_SENT),             /* no answer yet */
	    S_OK(R, SYN | ACK, SYN_RECV),
	    S_OK(O, SYN, SYN_RECV),             /* SYN/ACK was lost */
	    S_OK(R, SYN | ACK, SYN_RECV),
	    S_OK(O, ACK, ESTABLISHED),
	    S_OK(R, SYN | ACK, ESTABLISHED));   /* our ACK was lost */
}
END_TEST

START_TEST(test_conv_refused)
{
	RUN("refused",
	    S_OK(O, SYN, SYN_SENT),
	    S_OK(R, RST | ACK, CLOSE),
	    S_V(R, ACK, CLOSE, OK),
	    S_V(O, SYN, CLOSE, REOPEN));        /* the client retries */
}
END_TEST

START_TEST(test_conv_rst_established)
{
	RUN("rst",
	    S_OK(O, SYN, SYN_SENT),
	    S_OK(R, SYN | ACK, SYN_RECV),
	    S_OK(O, ACK, ESTABLISHED),
	    S_OK(O, RST, CLOSE),                /* bare RST */
	    S_OK(R, ACK, CLOSE),                /* in flight: passed */
	    S_OK(O, RST | ACK, CLOSE),
	    S_V(R, SYN | ACK, CLOSE, INVALID),
	    S_V(R, SYN, CLOSE, REOPEN));        /* reverse reuse */
}
END_TEST

START_TEST(test_conv_out_of_state)
{
	RUN("not syn: ack", S_V(O, ACK, NONE, NOT_SYN));
	RUN("not syn: fin", S_V(O, FIN | ACK, NONE, NOT_SYN));
	RUN("not syn: rst", S_V(O, RST, NONE, NOT_SYN));
	RUN("not syn: synack", S_V(O, SYN | ACK, NONE, NOT_SYN));
	RUN("syn on established",
	    S_OK(O, SYN, SYN_SENT),
	    S_OK(R, SYN | ACK, SYN_RECV),
	    S_OK(O, ACK, ESTABLISHED),
	    S_V(O, SYN, ESTABLISHED, SYN_EST),
	    S_V(R, SYN, ESTABLISHED, SYN_EST),
	    S_OK(O, ACK, ESTABLISHED));         /* session unharmed */
	RUN("data before answer",
	    S_OK(O, SYN, SYN_SENT),
	    S_V(O, ACK | PSH, SYN_SENT, INVALID),
	    S_V(O, FIN | ACK, SYN_SENT, INVALID),
	    S_V(R, FIN | ACK, SYN_SENT, INVALID),
	    S_OK(R, ACK, SYN_SENT));            /* challenge ACK passes */
}
END_TEST

START_TEST(test_conv_reopen)
{
	enum phx_tcp_state st;
	enum phx_tcp_verdict v;

	RUN("reuse in time_wait",
	    S_OK(O, SYN, SYN_SENT),
	    S_OK(R, SYN | ACK, SYN_RECV),
	    S_OK(O, ACK, ESTABLISHED),
	    S_OK(O, FIN | ACK, FIN_WAIT),
	    S_OK(R, FIN | ACK, LAST_ACK),
	    S_OK(O, ACK, TIME_WAIT),
	    S_V(O, SYN, TIME_WAIT, REOPEN));
	/* the caller deletes and starts over with the same SYN */
	st = phx_tcp_fsm_next(PHX_TCP_NONE, O, PHX_TCPF_SYN, &v);
	ck_assert_uint_eq(st, PHX_TCP_SYN_SENT);
	ck_assert_uint_eq(v, PHX_TCPV_OK);
}
END_TEST

/* ---- window tracking --------------------------------------------------- */

static struct phx_tcp_seg
seg(uint32_t seq, uint32_t ack, uint16_t win, uint16_t data, uint8_t flags,
    int8_t wscale)
{
	return (struct phx_tcp_seg){
		.seq = seq, .ack = ack, .win = win,
		.len = (uint16_t)(data + !!(flags & SYN) + !!(flags & FIN)),
		.flags = flags, .wscale = wscale,
	};
}

#define CK(w, d, s)  ck_assert_msg(phx_tcp_window_check((w), (d), &(s)), \
				   "line %d: rejected", __LINE__)
#define NCK(w, d, s) ck_assert_msg(!phx_tcp_window_check((w), (d), &(s)), \
				   "line %d: accepted", __LINE__)

/*
 * Client ISN ci, server ISN si; SYN windows cwin/swin with options cws/sws
 * (-1 none). Leaves the session after the third ACK, which advertises
 * win3 from the client.
 */
static void
handshake(struct phx_tcp_win *w, uint32_t ci, uint32_t si, uint16_t cwin,
	  int8_t cws, uint16_t swin, int8_t sws, uint16_t win3)
{
	struct phx_tcp_seg s;

	s = seg(ci, 0, cwin, 0, SYN, cws);
	phx_tcp_window_init(w, &s);
	s = seg(si, ci + 1, swin, 0, SYN | ACK, sws);
	CK(w, R, s);
	s = seg(ci + 1, si + 1, win3, 0, ACK, -1);
	CK(w, O, s);
}

START_TEST(test_win_init)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s = seg(1000, 0, 0, 0, SYN, 7);

	memset(&w, 0xff, sizeof(w));
	phx_tcp_window_init(&w, &s);
	ck_assert_uint_eq(w.end[O], 1001);          /* SYN counts one */
	ck_assert_uint_eq(w.maxend[O], 1001);
	ck_assert_uint_eq(w.maxwin[O], 1);          /* zero window: 1 */
	ck_assert_uint_eq(w.maxwin[R], 0);
	ck_assert_uint_eq(w.wscale[O], 7);
	ck_assert_uint_eq(w.wscale[R], 0xf);        /* until the SYN/ACK */
	ck_assert_uint_eq(w.flags & PHX_TCPW_F_PICKUP, 0);
	ck_assert_uint_eq(w.sync_epoch, 0);
}
END_TEST

/* Scaling needs the option on both SYNs; values above 14 mean 14. */
START_TEST(test_win_scale_negotiation)
{
	static const struct { int8_t c, s; uint8_t wc, ws; } rows[] = {
		{ 7, 7, 7, 7 },
		{ 2, 9, 2, 9 },
		{ 0, 0, 0, 0 },
		{ 7, -1, 0, 0 },        /* server declined */
		{ -1, 7, 0, 0 },        /* server sent it anyway: ignored */
		{ -1, -1, 0, 0 },
		{ 15, 14, 14, 14 },
		{ 14, 100, 14, 14 },
	};
	struct phx_tcp_win w;
	unsigned i;

	for (i = 0; i < PHX_DIM(rows); i++) {
		handshake(&w, 100, 200, 1000, rows[i].c, 1000, rows[i].s, 1000);
		ck_assert_msg(w.wscale[O] == rows[i].wc &&
			      w.wscale[R] == rows[i].ws,
			      "row %u: %u/%u", i, w.wscale[O], w.wscale[R]);
	}
}
END_TEST

START_TEST(test_win_in_window)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;
	uint32_t c = 1000, sv = 50000;

	handshake(&w, c, sv, 65535, -1, 65535, -1, 65535);
	/* client sends 3 x 1460, server acks each */
	s = seg(c + 1, sv + 1, 65535, 1460, ACK | PSH, -1);
	CK(&w, O, s);
	s = seg(c + 1461, sv + 1, 65535, 1460, ACK | PSH, -1);
	CK(&w, O, s);
	s = seg(sv + 1, c + 1461, 65535, 0, ACK, -1);
	CK(&w, R, s);
	s = seg(c + 2921, sv + 1, 65535, 1460, ACK | PSH, -1);
	CK(&w, O, s);
	s = seg(sv + 1, c + 4381, 65535, 100, ACK | PSH, -1);
	CK(&w, R, s);
	ck_assert_uint_eq(w.end[O], c + 4381);
	ck_assert_uint_eq(w.end[R], sv + 101);
	/* old data inside the window again: a retransmission, fine */
	s = seg(c + 1, sv + 101, 65535, 1460, ACK, -1);
	CK(&w, O, s);
	ck_assert_uint_eq(w.end[O], c + 4381);      /* did not move back */
	/* duplicate ACK, older than the newest: fine */
	s = seg(sv + 1, c + 1461, 65535, 0, ACK, -1);
	CK(&w, R, s);
	/* keepalive: one byte before the edge, no data */
	s = seg(c + 4380, sv + 101, 65535, 0, ACK, -1);
	CK(&w, O, s);
}
END_TEST

/* I: nothing beyond what the receiver allowed (ack + window). */
START_TEST(test_win_beyond_window)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;
	uint32_t c = 1000, sv = 50000;

	handshake(&w, c, sv, 65535, -1, 8000, -1, 65535);
	/* server's SYN/ACK: ack c+1, window 8000: up to c+8001 */
	s = seg(c + 1, sv + 1, 65535, 8000, ACK, -1);
	CK(&w, O, s);
	s = seg(c + 8001, sv + 1, 65535, 1, ACK, -1);
	NCK(&w, O, s);
	ck_assert_uint_eq(w.end[O], c + 8001);      /* no update on reject */
	/* the server opens the window by acking */
	s = seg(sv + 1, c + 4001, 8000, 0, ACK, -1);
	CK(&w, R, s);
	s = seg(c + 8001, sv + 1, 65535, 4000, ACK, -1);
	CK(&w, O, s);
	s = seg(c + 12001, sv + 1, 65535, 1, ACK, -1);
	NCK(&w, O, s);
	/* a FIN takes a sequence number: no room for it at the edge */
	s = seg(c + 12001, sv + 1, 65535, 0, FIN | ACK, -1);
	NCK(&w, O, s);
	s = seg(sv + 1, c + 12001, 8000, 0, ACK, -1);
	CK(&w, R, s);
	s = seg(c + 12001, sv + 1, 65535, 0, FIN | ACK, -1);
	CK(&w, O, s);
	ck_assert_uint_eq(w.end[O], c + 12002);
	/* the FIN's ACK is end + 0, fine */
	s = seg(sv + 1, c + 12002, 8000, 0, ACK, -1);
	CK(&w, R, s);
}
END_TEST

/* II: not older than the receiver's window. */
START_TEST(test_win_too_old)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;
	uint32_t c = 1000, sv = 50000, i;

	handshake(&w, c, sv, 65535, -1, 65535, -1, 65535);
	for (i = 0; i < 100; i++) {
		s = seg(c + 1 + i * 1000, sv + 1, 65535, 1000, ACK, -1);
		CK(&w, O, s);
		s = seg(sv + 1, c + 1001 + i * 1000, 65535, 0, ACK, -1);
		CK(&w, R, s);
	}
	/* end[O] = c + 100001; the server's window is 65535 */
	s = seg(c + 100001 - 65535, sv + 1, 65535, 10, ACK, -1);
	CK(&w, O, s);
	s = seg(c + 100001 - 65536, sv + 1, 65535, 10, ACK, -1);
	NCK(&w, O, s);
}
END_TEST

/* III: no ACK for data never sent (one past tolerated, keepalives);
 * IV: no ACK older than the acking side's window (at least 66000). */
START_TEST(test_win_ack_checks)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;
	uint32_t c = 1000, sv = 50000;

	handshake(&w, c, sv, 65535, -1, 65535, -1, 65535);
	s = seg(c + 1, sv + 1, 65535, 500, ACK, -1);
	CK(&w, O, s);
	s = seg(sv + 1, c + 502, 65535, 0, ACK, -1);
	CK(&w, R, s);                               /* end + 1 */
	s = seg(sv + 1, c + 503, 65535, 0, ACK, -1);
	NCK(&w, R, s);                              /* end + 2 */
	s = seg(sv + 1, c + 100000, 65535, 0, ACK, -1);
	NCK(&w, R, s);
	s = seg(sv + 1, c + 501 - 66000, 65535, 0, ACK, -1);
	CK(&w, R, s);
	s = seg(sv + 1, c + 501 - 66001, 65535, 0, ACK, -1);
	NCK(&w, R, s);
	/* a segment without ACK is not judged by its ack field */
	s = seg(sv + 1, 0xdeadbeef, 65535, 0, RST, -1);
	CK(&w, R, s);
	/* RST+ACK with ack 0 (broken stacks): the same */
	s = seg(sv + 1, 0, 65535, 0, RST | ACK, -1);
	CK(&w, R, s);
}
END_TEST

/* The SYN/ACK must acknowledge the SYN; a RST answering the SYN too. */
START_TEST(test_win_synack_ack)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;

	s = seg(1000, 0, 65535, 0, SYN, -1);
	phx_tcp_window_init(&w, &s);
	s = seg(7000, 1000 + 3, 65535, 0, SYN | ACK, -1);
	NCK(&w, R, s);
	s = seg(7000, 1000 - 70000, 65535, 0, SYN | ACK, -1);
	NCK(&w, R, s);

	phx_tcp_window_init(&w, &(struct phx_tcp_seg){ .seq = 1000, .len = 1,
			    .win = 65535, .flags = SYN, .wscale = -1 });
	s = seg(0, 1001, 0, 0, RST | ACK, -1);      /* RFC 9293 reset */
	CK(&w, R, s);

	phx_tcp_window_init(&w, &(struct phx_tcp_seg){ .seq = 1000, .len = 1,
			    .win = 65535, .flags = SYN, .wscale = -1 });
	s = seg(0, 5555555, 0, 0, RST | ACK, -1);   /* blind RST */
	NCK(&w, R, s);
}
END_TEST

/* A rejected segment leaves no trace: a forged first SYN/ACK must not
 * teach the tracker the responder's sequence space. */
START_TEST(test_win_reject_no_trace)
{
	struct phx_tcp_win w, before;
	struct phx_tcp_seg s = seg(1000, 0, 65535, 0, SYN, 7);

	phx_tcp_window_init(&w, &s);
	before = w;
	s = seg(0x40000000u, 1001 + 100000, 512, 0, SYN | ACK, 2);
	NCK(&w, R, s);
	ck_assert_int_eq(memcmp(&w, &before, sizeof(w)), 0);
	s = seg(7000, 1001, 65535, 0, SYN | ACK, 7);
	CK(&w, R, s);
	ck_assert_uint_eq(w.end[R], 7001);
	ck_assert_uint_eq(w.maxend[R], 7001);
	ck_assert_uint_eq(w.wscale[R], 7);
	ck_assert_uint_eq(w.maxend[O], 1001 + 65535);
	/* and later rejections do not move anything either */
	before = w;
	s = seg(11001, 7001, 100, 60000, ACK, -1);
	NCK(&w, O, s);
	ck_assert_int_eq(memcmp(&w, &before, sizeof(w)), 0);
}
END_TEST

/* No data before the SYN/ACK; a retransmitted SYN is fine; a SYN with a
 * new ISN before any reply restarts tracking. */
START_TEST(test_win_syn_sent)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s = seg(1000, 0, 65535, 0, SYN, 7);

	phx_tcp_window_init(&w, &s);
	CK(&w, O, s);                               /* retransmission */
	s = seg(1001, 0, 65535, 10, ACK, -1);
	NCK(&w, O, s);
	s = seg(900000, 0, 512, 0, SYN, 3);         /* connect() again */
	CK(&w, O, s);
	ck_assert_uint_eq(w.end[O], 900001);
	ck_assert_uint_eq(w.maxwin[O], 512);
	ck_assert_uint_eq(w.wscale[O], 3);
	s = seg(77, 900001, 1000, 0, SYN | ACK, 3);
	CK(&w, R, s);
}
END_TEST

/* A zero window admits a one-byte probe and no more. */
START_TEST(test_win_zero_window)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;
	uint32_t c = 1000, sv = 50000;

	handshake(&w, c, sv, 65535, -1, 4000, -1, 65535);
	s = seg(c + 1, sv + 1, 65535, 4000, ACK, -1);
	CK(&w, O, s);
	s = seg(sv + 1, c + 4001, 0, 0, ACK, -1);   /* window full */
	CK(&w, R, s);
	s = seg(c + 4001, sv + 1, 65535, 1, ACK, -1);
	CK(&w, O, s);
	s = seg(c + 4001, sv + 1, 65535, 2, ACK, -1);
	NCK(&w, O, s);
}
END_TEST

/* With both options the window field is shifted; with one missing it is
 * not, and the same traffic is out of window. */
START_TEST(test_win_scaling)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;
	uint32_t c = 1000, sv = 50000, i;

	/* server window 1000 << 7 = 128000 after the handshake */
	handshake(&w, c, sv, 65535, 7, 1000, 7, 1000);
	s = seg(sv + 1, c + 1, 1000, 0, ACK, -1);
	CK(&w, R, s);
	for (i = 0; i < 80; i++) {
		s = seg(c + 1 + i * 1500, sv + 1, 1000, 1500, ACK, -1);
		CK(&w, O, s);                       /* 120000 in flight */
	}
	s = seg(c + 1 + 120000, sv + 1, 1000, 8000, ACK, -1);
	CK(&w, O, s);                               /* up to 128000 */
	s = seg(c + 1 + 128000, sv + 1, 1000, 1, ACK, -1);
	NCK(&w, O, s);

	/* server did not send the option: window means 1000 bytes */
	handshake(&w, c, sv, 65535, 7, 1000, -1, 1000);
	s = seg(sv + 1, c + 1, 1000, 0, ACK, -1);
	CK(&w, R, s);
	s = seg(c + 1, sv + 1, 1000, 1000, ACK, -1);
	CK(&w, O, s);
	s = seg(c + 1001, sv + 1, 1000, 1500, ACK, -1);
	NCK(&w, O, s);
}
END_TEST

/* Sequence numbers and acks wrapping through 2^32. */
START_TEST(test_win_wrap)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;
	uint32_t c = 0xffffff00u, sv = 0xfffffff0u, seq = c + 1, i;

	handshake(&w, c, sv, 65535, -1, 65535, -1, 65535);
	for (i = 0; i < 20; i++) {
		s = seg(seq, sv + 1, 65535, 1000, ACK, -1);
		CK(&w, O, s);
		seq += 1000;
		s = seg(sv + 1, seq, 65535, 100, ACK | PSH, -1);
		CK(&w, R, s);
		sv += 100;
	}
	ck_assert(phx_seq_before(c, seq));          /* wrapped past 0 */
	ck_assert_uint_lt(seq, c);
	ck_assert_uint_eq(w.end[O], seq);
	ck_assert_uint_eq(w.end[R], sv + 1);
	/* retransmission from before the wrap: still inside the window */
	s = seg(c + 1, sv + 1, 65535, 1000, ACK, -1);
	CK(&w, O, s);
	/* beyond the window after the wrap: rejected */
	s = seg(seq + 65535, sv + 1, 65535, 1, ACK, -1);
	NCK(&w, O, s);
	/* ack beyond what was sent, across the wrap */
	s = seg(sv + 1, seq + 2, 65535, 0, ACK, -1);
	NCK(&w, R, s);
}
END_TEST

/* Picked up mid-stream: each direction's segments are learnt until both
 * have been seen, then checked. */
/* RFC 5961 §4 port reuse: the server still holds the old connection and
 * answers the new SYN with a challenge ACK of the old one; the client's
 * RST (seq = that ACK's ack) resets it; the retransmitted SYN then gets
 * its SYN/ACK. Nothing of the old connection's numbers is learnt. */
START_TEST(test_win_challenge_ack)
{
	struct phx_tcp_win w, before;
	struct phx_tcp_seg s = seg(1000, 0, 65535, 0, SYN, -1);

	phx_tcp_window_init(&w, &s);
	before = w;
	s = seg(0x70000000u, 0x50000000u, 65535, 0, ACK, -1); /* challenge */
	CK(&w, R, s);
	ck_assert_uint_eq(w.maxwin[R], 0);
	ck_assert_uint_eq(w.maxend[O], before.maxend[O]);
	ck_assert(!(w.flags & PHX_TCPW_F_END_KNOWN(R)));
	/* a RST with any other number is still judged (and fails) */
	s = seg(0x50000001u, 0, 0, 0, RST, -1);
	NCK(&w, O, s);
	s = seg(0x50000000u, 0, 0, 0, RST, -1);      /* the answer */
	CK(&w, O, s);
	/* the SYN again, then the real SYN/ACK: checked as usual */
	s = seg(1000, 0, 65535, 0, SYN, -1);
	CK(&w, O, s);
	s = seg(9000, 1001 + 5, 65535, 0, SYN | ACK, -1);
	NCK(&w, R, s);
	s = seg(9000, 1001, 65535, 0, SYN | ACK, -1);
	CK(&w, R, s);
	ck_assert(!(w.flags & PHX_TCPW_F_CHALLENGE));
	ck_assert_uint_eq(w.end[R], 9001);
	/* once the responder is known, a RST carrying the old number is
	 * judged like any other */
	s = seg(0x50000000u, 0, 0, 0, RST, -1);
	NCK(&w, O, s);
}
END_TEST

/* A RST is exact when it carries the sender's next sequence number. */
START_TEST(test_rst_exact)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;
	uint32_t c = 1000, sv = 50000;

	handshake(&w, c, sv, 65535, -1, 65535, -1, 65535);
	s = seg(c + 1, sv + 1, 65535, 300, ACK, -1);
	CK(&w, O, s);
	ck_assert(phx_tcp_rst_exact(&w, O, c + 301));
	ck_assert(!phx_tcp_rst_exact(&w, O, c + 300));
	ck_assert(!phx_tcp_rst_exact(&w, O, c + 1));
	ck_assert(phx_tcp_rst_exact(&w, R, sv + 1));
	ck_assert(!phx_tcp_rst_exact(&w, R, sv + 2));
	/* a RST inside the window passes but teaches nothing: the exact
	 * number stays the same */
	s = seg(c + 801, 0, 0, 0, RST, -1);
	CK(&w, O, s);
	ck_assert(phx_tcp_rst_exact(&w, O, c + 301));
	ck_assert(!phx_tcp_rst_exact(&w, O, c + 801));
	/* picking up: nothing is known, so nothing is exact */
	phx_tcp_window_init_pickup(&w);
	ck_assert(!phx_tcp_rst_exact(&w, O, 0));
	s = seg(c, sv, 65535, 10, ACK, -1);
	CK(&w, O, s);
	ck_assert(!phx_tcp_rst_exact(&w, O, c + 10));
	/* the initiator before any reply: its own number is known */
	s = seg(c, 0, 65535, 0, SYN, -1);
	phx_tcp_window_init(&w, &s);
	ck_assert(phx_tcp_rst_exact(&w, O, c + 1));
	ck_assert(!phx_tcp_rst_exact(&w, R, 0));
}
END_TEST

START_TEST(test_win_pickup)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;
	uint32_t a = 0x70000000u, b = 0x10000000u;

	memset(&w, 0xee, sizeof(w));
	phx_tcp_window_init_pickup(&w);
	ck_assert_uint_eq(w.flags, PHX_TCPW_F_PICKUP);
	ck_assert_uint_eq(w.maxwin[O] | w.maxwin[R], 0);
	ck_assert_uint_eq(w.wscale[O], 0xf);
	ck_assert_uint_eq(w.wscale[R], 0xf);

	/* anything goes for the first segments of one direction */
	s = seg(a, b, 1000, 500, ACK, -1);
	CK(&w, O, s);
	s = seg(a + 900000, b + 5, 1000, 500, ACK, -1);
	CK(&w, O, s);
	ck_assert(w.flags & PHX_TCPW_F_PICKUP);
	ck_assert_uint_eq(w.end[O], a + 900500);
	ck_assert_uint_eq(w.end[R], b + 5);         /* learnt from acks */

	/* first of the other direction: learnt, pickup ends */
	s = seg(b + 5, a + 900500, 2000, 100, ACK, -1);
	CK(&w, R, s);
	ck_assert_uint_eq(w.flags & PHX_TCPW_F_PICKUP, 0);
	ck_assert_uint_eq(w.end[R], b + 105);

	/* from now on checked; scales unknown count as 14 (loose) */
	s = seg(a + 900500, b + 105, 1000, 1000, ACK, -1);
	CK(&w, O, s);
	s = seg(b + 105, a + 901501, 2000, 0, ACK, -1);
	CK(&w, R, s);                               /* end + 1 */
	s = seg(b + 105, a + 901502, 2000, 0, ACK, -1);
	NCK(&w, R, s);                              /* acks unsent data */
	s = seg(a + 901500, b + 10000, 1000, 0, ACK, -1);
	NCK(&w, O, s);                              /* acks unsent data */
}
END_TEST

/* One-way flows (asymmetric routing, SPEC SI-10) are never checked. */
START_TEST(test_win_pickup_one_way)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;
	uint32_t i;

	phx_tcp_window_init_pickup(&w);
	for (i = 0; i < 1000; i++) {
		s = seg(i * 0x01000000u, i * 7919u, 100, 1400, ACK, -1);
		CK(&w, R, s);
	}
	ck_assert(w.flags & PHX_TCPW_F_PICKUP);
}
END_TEST

/* Picked up on the SYN/ACK: its option fixes the responder's scale;
 * without the option scaling is off both ways (RFC 7323 §2.2). */
START_TEST(test_win_pickup_synack)
{
	struct phx_tcp_win w;
	struct phx_tcp_seg s;

	phx_tcp_window_init_pickup(&w);
	s = seg(5000, 1001, 1000, 0, SYN | ACK, 5);
	CK(&w, R, s);
	ck_assert_uint_eq(w.wscale[R], 5);
	ck_assert_uint_eq(w.wscale[O], 0xf);
	ck_assert_uint_eq(w.end[R], 5001);
	ck_assert_uint_eq(w.end[O], 1001);

	phx_tcp_window_init_pickup(&w);
	s = seg(5000, 1001, 1000, 0, SYN | ACK, -1);
	CK(&w, R, s);
	ck_assert_uint_eq(w.wscale[R], 0);
	ck_assert_uint_eq(w.wscale[O], 0);
	s = seg(1001, 5001, 1000, 0, ACK, -1);
	CK(&w, O, s);
	ck_assert_uint_eq(w.flags & PHX_TCPW_F_PICKUP, 0);
	s = seg(1001, 5001, 1000, 1001, ACK, -1);   /* 1000-byte window */
	NCK(&w, O, s);
}
END_TEST

/* Segment fields from parsed packet meta: SYN and FIN take one each. */
START_TEST(test_seg_from_meta)
{
	struct phx_pkt_meta m = {
		.proto = 6, .l4_len = 20 + 12 + 100, .l4_hlen = 32,
		.tcp_seq = 11, .tcp_ack = 22, .tcp_win = 33,
		.tcp_flags = ACK, .tcp_wscale = -1,
	};
	struct phx_tcp_seg s;

	phx_tcp_seg_from_meta(&m, &s);
	ck_assert_uint_eq(s.seq, 11);
	ck_assert_uint_eq(s.ack, 22);
	ck_assert_uint_eq(s.win, 33);
	ck_assert_uint_eq(s.len, 100);
	ck_assert_uint_eq(s.flags, ACK);
	ck_assert_int_eq(s.wscale, -1);
	m.tcp_flags = FIN | ACK;
	phx_tcp_seg_from_meta(&m, &s);
	ck_assert_uint_eq(s.len, 101);
	m.tcp_flags = SYN;
	m.l4_len = 32;
	m.tcp_wscale = 7;
	phx_tcp_seg_from_meta(&m, &s);
	ck_assert_uint_eq(s.len, 1);
	ck_assert_int_eq(s.wscale, 7);
}
END_TEST

/* ---- serial arithmetic ------------------------------------------------- */

START_TEST(test_serial)
{
	ck_assert(phx_seq_before(1, 2));
	ck_assert(!phx_seq_before(2, 1));
	ck_assert(!phx_seq_before(5, 5));
	ck_assert(phx_seq_before(0xffffffffu, 0));
	ck_assert(phx_seq_after(0, 0xffffffffu));
	ck_assert(phx_seq_after(0x7fffffffu, 0));
	ck_assert(phx_seq_before(0x80000001u, 0));
	ck_assert(phx_seq_between(5, 0xfffffff0u, 10));
	ck_assert(phx_seq_between(0xfffffff0u, 0xfffffff0u, 10));
	ck_assert(phx_seq_between(10, 0xfffffff0u, 10));
	ck_assert(!phx_seq_between(11, 0xfffffff0u, 10));
	ck_assert(!phx_seq_between(0xffffffefu, 0xfffffff0u, 10));
	ck_assert_uint_eq(phx_seq_max(0xfffffff0u, 3), 3);
	ck_assert_uint_eq(phx_seq_max(3, 0xfffffff0u), 3);
	ck_assert_uint_eq(phx_seq_max(7, 7), 7);
}
END_TEST

static Suite *
tcp_fsm_suite(void)
{
	Suite *s = suite_create("tcp_fsm");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_loop_test(tc, test_cell, 0, N_CELLS);
	tcase_add_test(tc, test_table_rules);
	tcase_add_test(tc, test_bad_args);
	tcase_add_test(tc, test_names);
	tcase_add_loop_test(tc, test_flag_class_all, 0, 256);
	tcase_add_test(tc, test_flag_class_named);
	suite_add_tcase(s, tc);

	tc = tcase_create("conversations");
	tcase_add_test(tc, test_conv_client_close);
	tcase_add_test(tc, test_conv_server_close);
	tcase_add_test(tc, test_conv_simultaneous_close);
	tcase_add_test(tc, test_conv_simultaneous_open);
	tcase_add_test(tc, test_conv_handshake_retransmits);
	tcase_add_test(tc, test_conv_refused);
	tcase_add_test(tc, test_conv_rst_established);
	tcase_add_test(tc, test_conv_out_of_state);
	tcase_add_test(tc, test_conv_reopen);
	suite_add_tcase(s, tc);

	tc = tcase_create("window");
	tcase_add_test(tc, test_win_init);
	tcase_add_test(tc, test_win_scale_negotiation);
	tcase_add_test(tc, test_win_in_window);
	tcase_add_test(tc, test_win_beyond_window);
	tcase_add_test(tc, test_win_too_old);
	tcase_add_test(tc, test_win_ack_checks);
	tcase_add_test(tc, test_win_synack_ack);
	tcase_add_test(tc, test_win_reject_no_trace);
	tcase_add_test(tc, test_win_syn_sent);
	tcase_add_test(tc, test_win_zero_window);
	tcase_add_test(tc, test_win_scaling);
	tcase_add_test(tc, test_win_wrap);
	tcase_add_test(tc, test_win_challenge_ack);
	tcase_add_test(tc, test_rst_exact);
	tcase_add_test(tc, test_win_pickup);
	tcase_add_test(tc, test_win_pickup_one_way);
	tcase_add_test(tc, test_win_pickup_synack);
	tcase_add_test(tc, test_seg_from_meta);
	tcase_add_test(tc, test_serial);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tcp_fsm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
