/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/sync_rel: the receiver (in order, loss -> NACK
 * ranges -> resend, reorder, duplicates, give-up beyond the window, "lost
 * and regained" jumps, reset after a peer restart, ACK policy), the
 * sender (ACK set, eviction and illegal NACKs, duplicate NACKs, timeout
 * resend of a lost tail, queue length and lag, stats reset, peers that
 * stop ACKing (CCP-42), recovery after frames a peer wanted were pushed
 * out), a gap given up by time, a stream 2^31 ahead, wrap-around
 * of the sequence across 0xffffffff, and a simulated lossy link between
 * one sender and two receivers that must deliver every frame exactly
 * once and in order.
 */
#include <check.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/compiler.h"
#include "lib/sync_rel.h"

#define BODY_LEN 8
#define SINK_MAX 8192

/* Frames a callback saw, in order. Bodies carry their seq (big-endian)
 * so a frame delivered under the wrong seq is caught. */
struct sink {
	uint32_t seq[SINK_MAX];
	unsigned n;
	unsigned bad;         /* body does not match its seq */
};

static void
body_of(uint32_t seq, uint8_t *b)
{
	b[0] = (uint8_t)(seq >> 24);
	b[1] = (uint8_t)(seq >> 16);
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	memcpy(b + 4, "sync", 4);
}

static void
sink_fn(void *arg, uint32_t seq, const uint8_t *body, size_t len)
{
	struct sink *s = arg;
	uint8_t want[BODY_LEN];

	body_of(seq, want);
	if (len != BODY_LEN || memcmp(body, want, BODY_LEN) != 0)
		s->bad++;
	if (s->n < SINK_MAX)
		s->seq[s->n] = seq;
	s->n++;
}

/* The sink holds exactly first, first + 1, ..., n frames. */
static void
assert_run(const struct sink *s, uint32_t first, unsigned n)
{
	unsigned i;

	ck_assert_uint_eq(s->bad, 0);
	ck_assert_uint_eq(s->n, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(s->seq[i] == first + i, "frame %u: seq %u, want %u",
			      i, s->seq[i], first + i);
}

static const struct phx_sync_rx_cfg rx_cfg = {
	.cap = 16, .max_frame = 64, .ack_every = 4, .ack_ms = 50,
	.nack_ms = 30, .lost_jump = 100,
};

static const struct phx_sync_tx_cfg tx_cfg = {
	.cap = 16, .max_frame = 64, .rto_ms = 100, .dup_window_ms = 20,
	.max_burst = 4,
};

static struct sink *sk, *wire;
static struct phx_sync_rx *rx;
static struct phx_sync_tx *tx;

static void
setup(void)
{
	sk = calloc(1, sizeof(*sk));
	wire = calloc(1, sizeof(*wire));
	rx = phx_sync_rx_create(&rx_cfg);
	tx = phx_sync_tx_create(&tx_cfg);
	ck_assert(sk != NULL && wire != NULL && rx != NULL && tx != NULL);
}

static void
teardown(void)
{
	phx_sync_rx_free(rx);
	phx_sync_tx_free(tx);
	free(wire);
	free(sk);
}

static enum phx_sync_rx_verdict
in(uint32_t seq, uint64_t now)
{
	uint8_t b[BODY_LEN];

	body_of(seq, b);
	return phx_sync_rx_input(rx, seq, b, sizeof(b), now, sink_fn, sk,
				 NULL, NULL);
}

static void
push(uint32_t n, uint64_t now)
{
	uint8_t b[BODY_LEN];

	while (n--) {
		body_of(phx_sync_tx_next_seq(tx), b);
		ck_assert_int_eq(phx_sync_tx_push(tx, b, sizeof(b), now), 0);
	}
}

/* ---- create ---- */

START_TEST(test_create)
{
	struct phx_sync_rx_cfg rc = rx_cfg;
	struct phx_sync_tx_cfg tc = tx_cfg;
	struct phx_sync_tx *t;
	struct phx_sync_rx *r;

	tc.cap = 100;                   /* rounded up */
	t = phx_sync_tx_create(&tc);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(phx_sync_tx_cap(t), 128);
	phx_sync_tx_free(t);
	tc.cap = 1;
	t = phx_sync_tx_create(&tc);
	ck_assert_uint_eq(phx_sync_tx_cap(t), 16);
	phx_sync_tx_free(t);
	tc.max_frame = 0;
	ck_assert_ptr_null(phx_sync_tx_create(&tc));
	tc = tx_cfg;
	tc.cap = 1u << 30;
	ck_assert_ptr_null(phx_sync_tx_create(&tc));

	rc.lost_jump = 16;              /* must exceed the window */
	ck_assert_ptr_null(phx_sync_rx_create(&rc));
	rc = rx_cfg;
	rc.ack_every = 0;
	ck_assert_ptr_null(phx_sync_rx_create(&rc));
	rc = rx_cfg;
	r = phx_sync_rx_create(&rc);
	ck_assert(!phx_sync_rx_started(r));
	phx_sync_rx_free(r);
	phx_sync_rx_free(NULL);
	phx_sync_tx_free(NULL);

	/* Oversize frames are refused. */
	{
		uint8_t b[65] = {0};

		ck_assert_int_eq(phx_sync_tx_push(tx, b, 65, 0), -EINVAL);
		ck_assert_int_eq(phx_sync_tx_push(tx, b, 0, 0), -EINVAL);
	}
}
END_TEST

/* ---- receiver ---- */

START_TEST(test_in_order)
{
	struct phx_sync_rx_out o;
	uint32_t s;

	for (s = 1000; s < 1010; s++)
		ck_assert_int_eq(in(s, 0), PHX_SYNC_RX_DELIVERED);
	assert_run(sk, 1000, 10);
	ck_assert(phx_sync_rx_started(rx));
	ck_assert_uint_eq(phx_sync_rx_expected(rx), 1010);
	ck_assert_uint_eq(phx_sync_rx_queued(rx), 0);
	phx_sync_rx_poll(rx, 0, &o);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.ack_seq, 1009);
	ck_assert_uint_eq(o.n_nack, 0);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->received, 10);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->delivered, 10);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->acks, 1);
}
END_TEST

START_TEST(test_loss_nack_resend)
{
	struct phx_sync_rx_out o;
	unsigned i, n;

	phx_sync_tx_set_seq(tx, 1);
	phx_sync_tx_peer_up(tx, 2, 0);
	push(10, 0);
	/* Frames 3 and 4 are lost on the way. */
	for (i = 1; i <= 10; i++)
		if (i != 3 && i != 4)
			in(i, 1);
	assert_run(sk, 1, 2);
	ck_assert_uint_eq(phx_sync_rx_queued(rx), 6);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->queued, 6);

	phx_sync_rx_poll(rx, 2, &o);
	ck_assert_uint_eq(o.n_nack, 1);
	ck_assert_uint_eq(o.nack[0].from, 3);
	ck_assert_uint_eq(o.nack[0].to, 4);
	/* Not asked again before nack_ms. */
	phx_sync_rx_poll(rx, 2 + 29, &o);
	ck_assert_uint_eq(o.n_nack, 0);
	phx_sync_rx_poll(rx, 2 + 30, &o);
	ck_assert_uint_eq(o.n_nack, 1);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->nack_reqs, 2);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->nack_seqs, 4);

	n = phx_sync_tx_nack(tx, 2, o.nack[0].from, o.nack[0].to, 40,
			     sink_fn, wire);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(wire->seq[0], 3);
	ck_assert_uint_eq(wire->seq[1], 4);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->retransmitted, 2);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->nack_reqs, 1);
	for (i = 0; i < wire->n; i++)
		ck_assert_int_eq(in(wire->seq[i], 41), PHX_SYNC_RX_DELIVERED);
	assert_run(sk, 1, 10);
	ck_assert_uint_eq(phx_sync_rx_queued(rx), 0);

	phx_sync_rx_poll(rx, 42, &o);
	ck_assert_uint_eq(o.n_nack, 0);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.ack_seq, 10);
	phx_sync_tx_ack(tx, 2, o.ack_seq, 43);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 0);
	ck_assert_uint_eq(phx_sync_tx_peer_acked(tx, 2), 10);
}
END_TEST

/* Ranges: at most 32 seqs each, at most PHX_SYNC_REL_MAX_NACKS a poll,
 * oldest first. */
START_TEST(test_nack_ranges)
{
	struct phx_sync_rx_cfg c = rx_cfg;
	struct phx_sync_rx_out o;
	uint32_t s;

	phx_sync_rx_free(rx);
	c.cap = 1024;
	c.lost_jump = 2000;
	rx = phx_sync_rx_create(&c);
	in(0, 0);
	/* 0 delivered; 1..69 missing; 70 here; 71..72 missing; 73 here;
	 * then every other seq up to 120. */
	in(70, 0);
	in(73, 0);
	for (s = 75; s <= 121; s += 2)
		in(s, 0);
	phx_sync_rx_poll(rx, 1, &o);
	ck_assert_uint_eq(o.n_nack, PHX_SYNC_REL_MAX_NACKS);
	ck_assert_uint_eq(o.nack[0].from, 1);
	ck_assert_uint_eq(o.nack[0].to, 32);
	ck_assert_uint_eq(o.nack[1].from, 33);
	ck_assert_uint_eq(o.nack[1].to, 64);
	ck_assert_uint_eq(o.nack[2].from, 65);
	ck_assert_uint_eq(o.nack[2].to, 69);
	ck_assert_uint_eq(o.nack[3].from, 71);
	ck_assert_uint_eq(o.nack[3].to, 72);
	ck_assert_uint_eq(o.nack[4].from, 74);
	ck_assert_uint_eq(o.nack[4].to, 74);
	ck_assert_uint_eq(o.nack[7].from, 80);
	/* The rest comes at the next poll; the asked ones wait nack_ms. */
	phx_sync_rx_poll(rx, 2, &o);
	ck_assert_uint_eq(o.nack[0].from, 82);
	ck_assert_uint_eq(o.nack[0].to, 82);
	phx_sync_rx_poll(rx, 3, &o);
	ck_assert_uint_eq(o.nack[0].from, 98);
	phx_sync_rx_poll(rx, 4, &o);
	ck_assert_uint_eq(o.n_nack, 4);
	ck_assert_uint_eq(o.nack[3].from, 120);
	phx_sync_rx_poll(rx, 5, &o);
	ck_assert_uint_eq(o.n_nack, 0);
	phx_sync_rx_poll(rx, 1 + c.nack_ms, &o);
	ck_assert_uint_eq(o.n_nack, PHX_SYNC_REL_MAX_NACKS);
	ck_assert_uint_eq(o.nack[0].from, 1);
}
END_TEST

START_TEST(test_reorder)
{
	ck_assert_int_eq(in(1, 0), PHX_SYNC_RX_DELIVERED);
	ck_assert_int_eq(in(3, 0), PHX_SYNC_RX_QUEUED);
	ck_assert_int_eq(in(5, 0), PHX_SYNC_RX_QUEUED);
	ck_assert_int_eq(in(4, 0), PHX_SYNC_RX_QUEUED);
	ck_assert_uint_eq(phx_sync_rx_queued(rx), 3);
	ck_assert_int_eq(in(2, 0), PHX_SYNC_RX_DELIVERED);
	assert_run(sk, 1, 5);
	ck_assert_uint_eq(phx_sync_rx_queued(rx), 0);
	ck_assert_uint_eq(phx_sync_rx_expected(rx), 6);
}
END_TEST

START_TEST(test_duplicates)
{
	struct phx_sync_rx_out o;

	in(1, 0);
	in(2, 0);
	phx_sync_rx_poll(rx, 50, &o);           /* ack_ms: ACK 2 */
	ck_assert(o.ack);
	ck_assert_int_eq(in(2, 60), PHX_SYNC_RX_DUPLICATE);
	ck_assert_int_eq(in(1, 60), PHX_SYNC_RX_DUPLICATE);
	ck_assert_int_eq(in(4, 60), PHX_SYNC_RX_QUEUED);
	ck_assert_int_eq(in(4, 60), PHX_SYNC_RX_DUPLICATE);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->duplicates, 3);
	assert_run(sk, 1, 2);
	/* The old duplicates make an ACK due, ack_ms after the last one at
	 * the latest (not at once: a resend burst draws one ACK). */
	phx_sync_rx_poll(rx, 61, &o);
	ck_assert(!o.ack);
	phx_sync_rx_poll(rx, 100, &o);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.ack_seq, 2);
	phx_sync_rx_poll(rx, 101, &o);
	ck_assert(!o.ack);
	/* Long after the last ACK, a duplicate is answered at once. */
	ck_assert_int_eq(in(2, 500), PHX_SYNC_RX_DUPLICATE);
	phx_sync_rx_poll(rx, 500, &o);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.ack_seq, 2);
}
END_TEST

START_TEST(test_ack_policy)
{
	struct phx_sync_rx_out o;

	phx_sync_rx_poll(rx, 0, &o);            /* not started: nothing */
	ck_assert(!o.ack);
	in(1, 0);
	in(2, 0);
	in(3, 0);
	phx_sync_rx_poll(rx, 1, &o);
	ck_assert(!o.ack);
	in(4, 2);                               /* ack_every = 4 */
	phx_sync_rx_poll(rx, 2, &o);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.ack_seq, 4);
	phx_sync_rx_poll(rx, 3, &o);
	ck_assert(!o.ack);
	in(5, 100);                             /* ack_ms after this one */
	in(6, 120);
	phx_sync_rx_poll(rx, 149, &o);
	ck_assert(!o.ack);
	phx_sync_rx_poll(rx, 150, &o);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.ack_seq, 6);
	/* A queued frame is not ACKed. */
	in(8, 200);
	phx_sync_rx_poll(rx, 400, &o);
	ck_assert(!o.ack);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->acks, 2);
}
END_TEST

START_TEST(test_give_up)
{
	struct phx_sync_rx_out o;

	in(1, 0);
	in(3, 0);
	in(4, 0);
	in(10, 0);
	/* 22 is 21 past 1: beyond the 16-frame window, within lost_jump.
	 * The window moves to [7, 23): 2, 5, 6 are given up on, 3 and 4
	 * delivered, 10 and 22 wait. */
	ck_assert_int_eq(in(22, 1), PHX_SYNC_RX_GAVE_UP);
	ck_assert_uint_eq(sk->n, 3);
	ck_assert_uint_eq(sk->seq[1], 3);
	ck_assert_uint_eq(sk->seq[2], 4);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->unsynced_missing, 3);
	ck_assert_uint_eq(phx_sync_rx_expected(rx), 7);
	ck_assert_uint_eq(phx_sync_rx_queued(rx), 2);
	phx_sync_rx_poll(rx, 2, &o);
	ck_assert_uint_eq(o.n_nack, 2);
	ck_assert_uint_eq(o.nack[0].from, 7);
	ck_assert_uint_eq(o.nack[0].to, 9);
	ck_assert_uint_eq(o.nack[1].from, 11);
	ck_assert_uint_eq(o.nack[1].to, 21);

	/* Far ahead with nothing queued in the way: the window just
	 * moves, and everything delivered up to a point that arrived. */
	phx_sync_rx_reset(rx);
	sk->n = 0;
	in(100, 10);
	ck_assert_int_eq(in(150, 10), PHX_SYNC_RX_GAVE_UP);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->unsynced_missing, 3 + 34);
	ck_assert_uint_eq(phx_sync_rx_expected(rx), 135);
	/* Frames queued at the bottom of the new window are delivered
	 * too, and the window goes on from there. */
	phx_sync_rx_reset(rx);
	sk->n = 0;
	in(200, 20);
	in(203, 20);
	in(204, 20);
	ck_assert_int_eq(in(218, 20), PHX_SYNC_RX_GAVE_UP);
	ck_assert_uint_eq(sk->n, 3);
	ck_assert_uint_eq(phx_sync_rx_expected(rx), 205);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->unsynced_missing, 3 + 34 + 2);
	ck_assert_int_eq(in(205, 20), PHX_SYNC_RX_DELIVERED);
}
END_TEST

START_TEST(test_lost_jump)
{
	uint8_t b[BODY_LEN];
	uint32_t skipped = 0, last = 0;

	in(1, 0);
	in(2, 0);
	in(4, 0);
	in(6, 0);
	body_of(500, b);
	ck_assert_int_eq(phx_sync_rx_input(rx, 500, b, sizeof(b), 1, sink_fn,
					   sk, &skipped, &last),
			 PHX_SYNC_RX_LOST);
	/* 3..499 skipped, of which 4 and 6 were queued and delivered. */
	ck_assert_uint_eq(skipped, 497 - 2);
	ck_assert_uint_eq(last, 6);
	ck_assert_uint_eq(sk->n, 5);
	ck_assert_uint_eq(sk->seq[2], 4);
	ck_assert_uint_eq(sk->seq[3], 6);
	ck_assert_uint_eq(sk->seq[4], 500);
	ck_assert_uint_eq(phx_sync_rx_expected(rx), 501);
	ck_assert_uint_eq(phx_sync_rx_queued(rx), 0);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->lost_events, 1);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->lost_frames, 495);

	/* Nothing queued: last is the last delivered; NULLs are fine. */
	body_of(1000, b);
	ck_assert_int_eq(phx_sync_rx_input(rx, 1000, b, sizeof(b), 2, sink_fn,
					   sk, &skipped, &last),
			 PHX_SYNC_RX_LOST);
	ck_assert_uint_eq(skipped, 499);
	ck_assert_uint_eq(last, 500);
	body_of(2000, b);
	ck_assert_int_eq(phx_sync_rx_input(rx, 2000, b, sizeof(b), 2, sink_fn,
					   sk, NULL, NULL), PHX_SYNC_RX_LOST);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->lost_events, 3);
	/* Exactly lost_jump ahead is still a give-up, not a loss. */
	ck_assert_int_eq(in(2101, 3), PHX_SYNC_RX_GAVE_UP);
}
END_TEST

START_TEST(test_rx_reset)
{
	ck_assert_int_eq(in(100, 0), PHX_SYNC_RX_DELIVERED);
	in(101, 0);
	in(103, 0);
	/* The peer restarts with a new random seq, far behind. */
	phx_sync_rx_reset(rx);
	ck_assert(!phx_sync_rx_started(rx));
	ck_assert_uint_eq(phx_sync_rx_queued(rx), 0);
	ck_assert_int_eq(in(7, 1), PHX_SYNC_RX_DELIVERED);
	ck_assert_int_eq(in(8, 1), PHX_SYNC_RX_DELIVERED);
	ck_assert_uint_eq(phx_sync_rx_expected(rx), 9);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->received, 5);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->duplicates, 0);
	ck_assert_uint_eq(sk->seq[2], 7);
	/* Without the reset 7 would have been an old duplicate. */
	phx_sync_rx_stats_reset(rx);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->received, 0);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->delivered, 0);
	ck_assert_int_eq(in(5, 2), PHX_SYNC_RX_DUPLICATE);
}
END_TEST

/* ---- sender ---- */

/* A reload changes the timing (SPEC CCP-22, SYNC-39a): from the next input
 * or poll; a zero ACK count or retransmission time is refused. */
/* A gap the sender no longer holds is given up after giveup_ms of
 * waiting (NACKs unanswered), not after the next cap frames. */
START_TEST(test_expire)
{
	struct phx_sync_rx_cfg c = rx_cfg;
	struct phx_sync_rx *r2;

	c.giveup_ms = 500;
	r2 = phx_sync_rx_create(&c);
	ck_assert(r2 != NULL);
	/* rx (giveup_ms 0) never gives up by time */
	in(1, 0);
	in(3, 0);
	ck_assert_uint_eq(phx_sync_rx_expire(rx, 0, sink_fn, sk), 0);
	ck_assert_uint_eq(phx_sync_rx_expire(rx, 100000, sink_fn, sk), 0);
	ck_assert_uint_eq(sk->n, 1);

	sk->n = 0;
	ck_assert_int_eq(phx_sync_rx_input(r2, 1, (const uint8_t *)"\0\0\0\1sync",
					   BODY_LEN, 0, sink_fn, sk, NULL,
					   NULL), PHX_SYNC_RX_DELIVERED);
	/* nothing queued: nothing to give up */
	ck_assert_uint_eq(phx_sync_rx_expire(r2, 0, sink_fn, sk), 0);
	ck_assert_uint_eq(phx_sync_rx_expire(r2, 5000, sink_fn, sk), 0);
	/* 2, 3 missing; 4 and 6 wait */
	ck_assert_int_eq(phx_sync_rx_input(r2, 4, (const uint8_t *)"\0\0\0\4sync",
					   BODY_LEN, 6000, sink_fn, sk, NULL,
					   NULL), PHX_SYNC_RX_QUEUED);
	ck_assert_int_eq(phx_sync_rx_input(r2, 6, (const uint8_t *)"\0\0\0\6sync",
					   BODY_LEN, 6000, sink_fn, sk, NULL,
					   NULL), PHX_SYNC_RX_QUEUED);
	ck_assert_uint_eq(phx_sync_rx_expire(r2, 6010, sink_fn, sk), 0);
	ck_assert_uint_eq(phx_sync_rx_expire(r2, 6509, sink_fn, sk), 0);
	ck_assert_uint_eq(sk->n, 1);
	/* 500 ms on: 2 and 3 given up, 4 delivered; 5 is a new gap */
	ck_assert_uint_eq(phx_sync_rx_expire(r2, 6510, sink_fn, sk), 2);
	ck_assert_uint_eq(sk->n, 2);
	ck_assert_uint_eq(sk->seq[1], 4);
	ck_assert_uint_eq(phx_sync_rx_stats(r2)->unsynced_missing, 2);
	ck_assert_uint_eq(phx_sync_rx_expected(r2), 5);
	ck_assert_uint_eq(phx_sync_rx_expire(r2, 6600, sink_fn, sk), 0);
	ck_assert_uint_eq(phx_sync_rx_expire(r2, 7099, sink_fn, sk), 0);
	ck_assert_uint_eq(phx_sync_rx_expire(r2, 7100, sink_fn, sk), 1);
	ck_assert_uint_eq(sk->n, 3);
	ck_assert_uint_eq(sk->seq[2], 6);
	ck_assert_uint_eq(phx_sync_rx_queued(r2), 0);
	ck_assert_uint_eq(phx_sync_rx_stats(r2)->unsynced_missing, 3);
	ck_assert_uint_eq(sk->bad, 0);
	phx_sync_rx_free(r2);
}
END_TEST

/* A sender that ran 2^31 frames on while we heard nothing of it (a long
 * sync-only outage) is not an old duplicate: lost and regained. */
START_TEST(test_far_ahead)
{
	uint32_t far = 100u + 0x80000000u + 1000u;

	ck_assert_int_eq(in(100, 0), PHX_SYNC_RX_DELIVERED);
	ck_assert_int_eq(in(99, 0), PHX_SYNC_RX_DUPLICATE);
	ck_assert_int_eq(in(101u - (1u << 30), 0), PHX_SYNC_RX_DUPLICATE);
	ck_assert_int_eq(in(far, 0), PHX_SYNC_RX_LOST);
	ck_assert_uint_eq(phx_sync_rx_expected(rx), far + 1);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->lost_events, 1);
	ck_assert_uint_eq(sk->n, 2);
	ck_assert_int_eq(in(far + 1, 0), PHX_SYNC_RX_DELIVERED);
}
END_TEST

START_TEST(test_set_timing)
{
	struct phx_sync_rx_out o;

	ck_assert_int_eq(phx_sync_rx_set_timing(rx, 0, 10, 30, 0), -EINVAL);
	ck_assert_int_eq(phx_sync_rx_set_timing(NULL, 2, 10, 30, 0), -EINVAL);
	ck_assert_int_eq(phx_sync_tx_set_timing(tx, 0, 5, 0), -EINVAL);
	ck_assert_int_eq(phx_sync_tx_set_timing(NULL, 40, 5, 0), -EINVAL);
	ck_assert_int_eq(phx_sync_rx_set_timing(rx, 2, 10, 30, 0), 0);
	ck_assert_int_eq(phx_sync_tx_set_timing(tx, 40, 5, 0), 0);
	phx_sync_tx_set_seq(tx, 1);
	phx_sync_tx_peer_up(tx, 2, 0);
	push(4, 0);
	in(1, 0);
	phx_sync_rx_poll(rx, 0, &o);
	ck_assert(!o.ack);
	in(2, 0);                               /* ack_every now 2, not 4 */
	phx_sync_rx_poll(rx, 0, &o);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.ack_seq, 2);
	phx_sync_tx_ack(tx, 2, o.ack_seq, 0);
	in(3, 100);                             /* ack_ms now 10, not 50 */
	phx_sync_rx_poll(rx, 109, &o);
	ck_assert(!o.ack);
	phx_sync_rx_poll(rx, 110, &o);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.ack_seq, 3);
	phx_sync_tx_ack(tx, 2, o.ack_seq, 110);
	/* frame 4 lost: resent rto_ms (now 40, not 100) after the ACK */
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 149, sink_fn, wire), 0);
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 150, sink_fn, wire), 1);
	ck_assert_uint_eq(wire->seq[0], 4);
}
END_TEST

START_TEST(test_tail_timeout)
{
	struct phx_sync_rx_out o;
	unsigned i;

	phx_sync_tx_set_seq(tx, 50);
	phx_sync_tx_peer_up(tx, 2, 0);
	push(5, 0);
	for (i = 50; i < 53; i++)               /* 53, 54 lost: no gap */
		in(i, 0);
	phx_sync_rx_poll(rx, 50, &o);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.n_nack, 0);
	phx_sync_tx_ack(tx, 2, o.ack_seq, 50);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 2);
	/* rto_ms after the last ACK progress. */
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 149, sink_fn, wire), 0);
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 150, sink_fn, wire), 2);
	ck_assert_uint_eq(wire->seq[0], 53);
	ck_assert_uint_eq(wire->seq[1], 54);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->timeouts, 1);
	/* Not again before another rto_ms. */
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 151, sink_fn, wire), 0);
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 249, sink_fn, wire), 0);
	for (i = 0; i < wire->n; i++)
		in(wire->seq[i], 150);
	assert_run(sk, 50, 5);
	phx_sync_rx_poll(rx, 200, &o);
	phx_sync_tx_ack(tx, 2, o.ack_seq, 200);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 0);
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 1000, sink_fn, wire), 0);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->timeouts, 1);

	/* A frame pushed long after the last ACK is not late at once. */
	push(1, 5000);
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 5001, sink_fn, wire), 0);
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 5100, sink_fn, wire), 1);
}
END_TEST

START_TEST(test_timeout_burst)
{
	phx_sync_tx_set_seq(tx, 1);
	phx_sync_tx_peer_up(tx, 3, 0);
	push(10, 0);
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 100, sink_fn, wire),
			  tx_cfg.max_burst);
	assert_run(wire, 1, 4);
	/* The oldest was just resent: the next timeout is rto_ms later,
	 * and resends the same oldest ones (the ACK has not moved). */
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 150, sink_fn, wire), 0);
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 200, sink_fn, wire), 4);
	ck_assert_uint_eq(wire->seq[4], 1);
	phx_sync_tx_ack(tx, 3, 6, 210);
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 310, sink_fn, wire), 4);
	ck_assert_uint_eq(wire->seq[8], 7);
	ck_assert_uint_eq(wire->seq[11], 10);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->timeouts, 3);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->retransmitted, 12);
}
END_TEST

START_TEST(test_wrap)
{
	struct phx_sync_rx_out o;
	uint32_t s;
	unsigned i, n;

	phx_sync_tx_set_seq(tx, 0xfffffff8);
	ck_assert_uint_eq(phx_sync_tx_next_seq(tx), 0xfffffff8);
	phx_sync_tx_peer_up(tx, 2, 0);
	push(14, 0);
	ck_assert_uint_eq(phx_sync_tx_next_seq(tx), 6);
	/* Lose 0xffffffff and 0 and 1. */
	for (i = 0; i < 14; i++) {
		s = 0xfffffff8 + i;
		if (s != 0xffffffff && s != 0 && s != 1)
			in(s, 1);
	}
	ck_assert_uint_eq(sk->n, 7);
	phx_sync_rx_poll(rx, 2, &o);
	ck_assert_uint_eq(o.n_nack, 1);
	ck_assert_uint_eq(o.nack[0].from, 0xffffffff);
	ck_assert_uint_eq(o.nack[0].to, 1);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.ack_seq, 0xfffffffe);
	phx_sync_tx_ack(tx, 2, o.ack_seq, 2);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 7);
	n = phx_sync_tx_nack(tx, 2, o.nack[0].from, o.nack[0].to, 3, sink_fn,
			     wire);
	ck_assert_uint_eq(n, 3);
	for (i = 0; i < wire->n; i++)
		in(wire->seq[i], 4);
	assert_run(sk, 0xfffffff8, 14);
	phx_sync_rx_poll(rx, 5, &o);
	ck_assert(o.ack);
	ck_assert_uint_eq(o.ack_seq, 5);
	phx_sync_tx_ack(tx, 2, o.ack_seq, 5);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 0);
	ck_assert_uint_eq(phx_sync_tx_peer_acked(tx, 2), 5);
	/* An ACK from before the wrap is old news, one past next is bad. */
	phx_sync_tx_ack(tx, 2, 0xfffffffa, 6);
	ck_assert_uint_eq(phx_sync_tx_peer_acked(tx, 2), 5);
	phx_sync_tx_ack(tx, 2, 6, 6);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->acks_bad, 1);
	ck_assert_uint_eq(phx_sync_tx_peer_acked(tx, 2), 5);
}
END_TEST

START_TEST(test_peers)
{
	phx_sync_tx_set_seq(tx, 1);
	ck_assert(!phx_sync_tx_peer_live(tx, 2));
	push(3, 0);                     /* nobody listening */
	ck_assert_uint_eq(phx_sync_tx_len(tx), 0);
	phx_sync_tx_peer_up(tx, 2, 0);
	ck_assert(phx_sync_tx_peer_live(tx, 2));
	ck_assert_uint_eq(phx_sync_tx_peer_acked(tx, 2), 3);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 0);
	push(3, 10);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 3);
	phx_sync_tx_peer_up(tx, 3, 20);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 3);
	push(2, 30);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 5);
	/* 3 ACKs all; 2 still lags. */
	phx_sync_tx_ack(tx, 3, 8, 40);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 5);
	phx_sync_tx_ack(tx, 2, 5, 40);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 3);
	/* 2 dies: only 3 counts. */
	phx_sync_tx_peer_down(tx, 2);
	ck_assert(!phx_sync_tx_peer_live(tx, 2));
	ck_assert_uint_eq(phx_sync_tx_len(tx), 0);
	ck_assert_uint_eq(phx_sync_tx_peer_lag_ms(tx, 2, 50), 0);
	/* ACKs from a dead peer or a bad id are ignored. */
	phx_sync_tx_ack(tx, 2, 8, 50);
	phx_sync_tx_ack(tx, 9, 8, 50);
	ck_assert_uint_eq(phx_sync_tx_peer_acked(tx, 2), 5);
	/* 2 comes back (restarted): from the next frame on. */
	phx_sync_tx_peer_up(tx, 2, 60);
	ck_assert_uint_eq(phx_sync_tx_peer_acked(tx, 2), 8);
	push(1, 70);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 1);
	phx_sync_tx_peer_down(tx, 2);
	phx_sync_tx_peer_down(tx, 3);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 0);
	ck_assert_uint_eq(phx_sync_tx_poll(tx, 10000, sink_fn, wire), 0);
	ck_assert(!phx_sync_tx_peer_live(tx, 0));
	ck_assert(!phx_sync_tx_peer_live(tx, 6));
	/* set_seq is refused once something is held. */
	phx_sync_tx_set_seq(tx, 1000);
	ck_assert_uint_eq(phx_sync_tx_next_seq(tx), 10);
}
END_TEST

START_TEST(test_eviction)
{
	unsigned n;

	phx_sync_tx_set_seq(tx, 1);
	phx_sync_tx_peer_up(tx, 2, 0);
	push(20, 0);                    /* cap 16: 1..4 pushed out */
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->evicted_unacked, 4);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 16);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->max_len, 16);
	n = phx_sync_tx_nack(tx, 2, 1, 2, 10, sink_fn, wire);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->nack_illegal, 1);
	/* Partly held: the held part is served, the request is illegal. */
	n = phx_sync_tx_nack(tx, 2, 4, 6, 10, sink_fn, wire);
	ck_assert_uint_eq(n, 2);
	assert_run(wire, 5, 2);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->nack_illegal, 2);
	/* Never sent: illegal too. */
	n = phx_sync_tx_nack(tx, 2, 21, 21, 10, sink_fn, wire);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->nack_illegal, 3);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->nack_reqs, 3);
	/* Lag of an evicted oldest: from the oldest held frame. */
	ck_assert_uint_eq(phx_sync_tx_peer_lag_ms(tx, 2, 30), 30);
	/* After the peer ACKs what is held, nothing more is evicted. */
	phx_sync_tx_ack(tx, 2, 20, 40);
	push(16, 50);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->evicted_unacked, 4);
	push(1, 50);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->evicted_unacked, 5);
}
END_TEST

/* A peer that acks nothing for ack_timeout_ms is not waited for (SPEC
 * CCP-42): out of the queue length, resends to it shrink to a probe of
 * the newest frame, NACKs still answered; its next ACK brings it back. */
START_TEST(test_ack_timeout)
{
	struct phx_sync_tx_cfg c = tx_cfg;
	struct phx_sync_tx *t;
	uint64_t now;
	unsigned i, n;

	c.ack_timeout_ms = 1000;
	t = phx_sync_tx_create(&c);
	ck_assert(t != NULL);
	phx_sync_tx_set_seq(t, 1);
	phx_sync_tx_peer_up(t, 2, 0);
	phx_sync_tx_peer_up(t, 3, 0);
	for (i = 0; i < 5; i++) {
		uint8_t b[BODY_LEN];

		body_of(phx_sync_tx_next_seq(t), b);
		ck_assert_int_eq(phx_sync_tx_push(t, b, sizeof(b), 10), 0);
	}
	for (now = 11; now < 1010; now++) {
		phx_sync_tx_ack(t, 3, 5, now);  /* 3 is fine */
		phx_sync_tx_poll(t, now, sink_fn, wire);
	}
	ck_assert(!phx_sync_tx_peer_timed_out(t, 2));
	ck_assert_uint_eq(phx_sync_tx_len(t), 5);
	ck_assert_uint_eq(phx_sync_tx_peer_outstanding(t, 2), 5);
	phx_sync_tx_poll(t, 1010, sink_fn, wire);
	ck_assert(phx_sync_tx_peer_timed_out(t, 2));
	ck_assert(phx_sync_tx_peer_live(t, 2));
	ck_assert(!phx_sync_tx_peer_timed_out(t, 3));
	ck_assert_uint_eq(phx_sync_tx_stats(t)->peer_timeouts, 1);
	ck_assert_uint_eq(phx_sync_tx_len(t), 0);
	ck_assert_uint_eq(phx_sync_tx_peer_outstanding(t, 2), 5);
	/* probes only: the newest frame, at most once per rto_ms */
	wire->n = 0;
	for (now = 1011; now < 2011; now++)
		phx_sync_tx_poll(t, now, sink_fn, wire);
	ck_assert_uint_ge(wire->n, 9);
	ck_assert_uint_le(wire->n, 11);
	for (i = 0; i < wire->n; i++)
		ck_assert_uint_eq(wire->seq[i], 5);
	ck_assert_uint_eq(phx_sync_tx_stats(t)->peer_timeouts, 1);
	/* still held for it */
	n = phx_sync_tx_nack(t, 2, 1, 4, 2020, sink_fn, wire);
	ck_assert_uint_eq(n, 4);
	/* a repeated old ACK is no news; a newer one brings it back */
	phx_sync_tx_ack(t, 2, 0, 2030);
	ck_assert(phx_sync_tx_peer_timed_out(t, 2));
	phx_sync_tx_ack(t, 2, 3, 2030);
	ck_assert(!phx_sync_tx_peer_timed_out(t, 2));
	ck_assert_uint_eq(phx_sync_tx_len(t), 2);
	phx_sync_tx_free(t);
}
END_TEST

/* The sender pushed out frames a live peer still wanted, then went
 * quiet: the timeout resend leads with the newest frame, so the receiver
 * gives up on what nobody holds and NACKs the rest; everything held
 * arrives and the queue drains (it used to resend the same oldest held
 * frames for ever while the receiver waited below them). */
START_TEST(test_pushed_past)
{
	struct phx_sync_rx_out o;
	uint64_t now;
	unsigned i, k;

	phx_sync_tx_set_seq(tx, 1);
	phx_sync_tx_peer_up(tx, 2, 0);
	push(5, 0);
	for (i = 1; i <= 5; i++)
		in(i, 0);
	phx_sync_rx_poll(rx, 0, &o);
	phx_sync_tx_ack(tx, 2, o.ack_seq, 0);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 0);
	push(35, 1);                    /* 6..40 never arrive; 25..40 held */
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->evicted_unacked, 19);
	ck_assert_uint_eq(phx_sync_tx_peer_acked(tx, 2), 24);
	for (now = 2; now < 5000 && phx_sync_tx_len(tx) != 0; now++) {
		unsigned from = wire->n;

		phx_sync_tx_poll(tx, now, sink_fn, wire);
		for (i = from; i < wire->n; i++)
			in(wire->seq[i], now);
		phx_sync_rx_poll(rx, now, &o);
		for (k = 0; k < o.n_nack; k++) {
			from = wire->n;
			phx_sync_tx_nack(tx, 2, o.nack[k].from, o.nack[k].to,
					 now, sink_fn, wire);
			for (i = from; i < wire->n; i++)
				in(wire->seq[i], now);
		}
		if (o.ack)
			phx_sync_tx_ack(tx, 2, o.ack_seq, now);
	}
	ck_assert_msg(phx_sync_tx_len(tx) == 0, "not drained after %llu ms",
		      (unsigned long long)now);
	ck_assert_uint_eq(wire->seq[0], 40);    /* the newest leads */
	ck_assert_uint_eq(phx_sync_rx_expected(rx), 41);
	ck_assert_uint_eq(phx_sync_rx_stats(rx)->unsynced_missing, 19);
	ck_assert_uint_eq(sk->n, 5 + 16);
	for (i = 0; i < 16; i++)
		ck_assert_uint_eq(sk->seq[5 + i], 25 + i);
	ck_assert_uint_eq(sk->bad, 0);
}
END_TEST

START_TEST(test_dup_nack)
{
	unsigned n;

	phx_sync_tx_set_seq(tx, 1);
	phx_sync_tx_peer_up(tx, 2, 0);
	phx_sync_tx_peer_up(tx, 3, 0);
	push(8, 0);
	n = phx_sync_tx_nack(tx, 2, 5, 6, 100, sink_fn, wire);
	ck_assert_uint_eq(n, 2);
	/* The other peer asks for the same inside dup_window_ms. */
	n = phx_sync_tx_nack(tx, 3, 5, 6, 119, sink_fn, wire);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->nack_dup, 1);
	/* Overlapping: only the new one goes. */
	n = phx_sync_tx_nack(tx, 3, 6, 7, 119, sink_fn, wire);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(wire->seq[2], 7);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->nack_dup, 1);
	/* After the window, served again. */
	n = phx_sync_tx_nack(tx, 3, 5, 6, 120, sink_fn, wire);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->nack_reqs, 4);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->retransmitted, 5);
	/* A range wider than 32 is refused whole. */
	n = phx_sync_tx_nack(tx, 3, 1, 40, 500, sink_fn, wire);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(phx_sync_tx_stats(tx)->nack_illegal, 1);
}
END_TEST

START_TEST(test_len_lag_stats)
{
	const struct phx_sync_tx_stats *st = phx_sync_tx_stats(tx);

	phx_sync_tx_set_seq(tx, 100);
	phx_sync_tx_peer_up(tx, 4, 0);
	ck_assert_uint_eq(phx_sync_tx_peer_lag_ms(tx, 4, 5), 0);
	push(1, 0);
	push(1, 10);
	push(1, 20);
	ck_assert_uint_eq(st->generated, 3);
	ck_assert_uint_eq(st->len_samples, 3);
	ck_assert_uint_eq(st->len_sum, 1 + 2 + 3);
	ck_assert_uint_eq(st->max_len, 3);
	ck_assert_uint_eq(phx_sync_tx_peer_lag_ms(tx, 4, 50), 50);
	phx_sync_tx_ack(tx, 4, 100, 30);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 2);
	ck_assert_uint_eq(phx_sync_tx_peer_lag_ms(tx, 4, 50), 40);
	phx_sync_tx_ack(tx, 4, 102, 60);
	ck_assert_uint_eq(phx_sync_tx_peer_lag_ms(tx, 4, 70), 0);
	ck_assert_uint_eq(st->acks, 2);

	phx_sync_tx_stats_reset(tx);
	ck_assert_uint_eq(st->generated, 0);
	ck_assert_uint_eq(st->acks, 0);
	ck_assert_uint_eq(st->max_len, 0);
	/* The queue is kept. */
	push(2, 80);
	ck_assert_uint_eq(phx_sync_tx_next_seq(tx), 105);
	ck_assert_uint_eq(phx_sync_tx_len(tx), 2);
	ck_assert_uint_eq(st->generated, 2);
}
END_TEST

START_TEST(test_random_start)
{
	struct phx_sync_tx *a = phx_sync_tx_create(&tx_cfg);
	struct phx_sync_tx *b = phx_sync_tx_create(&tx_cfg);
	struct phx_sync_tx *c = phx_sync_tx_create(&tx_cfg);

	/* Three equal 32-bit draws: once in 2^64 runs. */
	ck_assert(phx_sync_tx_next_seq(a) != phx_sync_tx_next_seq(b) ||
		  phx_sync_tx_next_seq(a) != phx_sync_tx_next_seq(c));
	phx_sync_tx_free(a);
	phx_sync_tx_free(b);
	phx_sync_tx_free(c);
}
END_TEST

/* ---- a lossy link ---- */

static uint32_t rng;

/* xorshift32: deterministic, so a failure reproduces. */
static bool
lose(unsigned pct)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng % 100 < pct;
}

#define N_RX 2
struct link {
	struct phx_sync_rx *rx[N_RX];
	struct sink *got[N_RX];
	unsigned pct;
	uint64_t now;
};

/* A frame the sender (re)sends reaches each receiver, or not. */
static void
link_send(void *arg, uint32_t seq, const uint8_t *body, size_t len)
{
	struct link *l = arg;
	unsigned i;

	for (i = 0; i < N_RX; i++)
		if (!lose(l->pct))
			phx_sync_rx_input(l->rx[i], seq, body, len, l->now,
					  sink_fn, l->got[i], NULL, NULL);
}

START_TEST(test_lossy_link)
{
	const struct phx_sync_tx_cfg tc = {
		.cap = 512, .max_frame = 64, .rto_ms = 40,
		.dup_window_ms = 5, .max_burst = 16,
	};
	const struct phx_sync_rx_cfg rc = {
		.cap = 256, .max_frame = 64, .ack_every = 8, .ack_ms = 10,
		.nack_ms = 10, .lost_jump = 4096,
	};
	const unsigned total = 3000;
	struct phx_sync_tx *t = phx_sync_tx_create(&tc);
	struct link l = { .pct = (unsigned)_i };
	struct phx_sync_rx_out o;
	uint32_t first = 0xffffff00;    /* wraps on the way */
	uint8_t b[BODY_LEN];
	unsigned pushed = 0, i, k;
	uint64_t now;

	rng = 0x9e3779b9u + (uint32_t)_i;
	phx_sync_tx_set_seq(t, first);
	for (i = 0; i < N_RX; i++) {
		l.rx[i] = phx_sync_rx_create(&rc);
		l.got[i] = calloc(1, sizeof(struct sink));
		phx_sync_tx_peer_up(t, 2 + i, 0);
	}
	for (now = 0; now < 200000; now++) {
		l.now = now;
		/* Bursty: 3 frames every other ms. */
		for (k = 0; k < 3 && pushed < total && (now & 1); k++) {
			uint32_t s = phx_sync_tx_next_seq(t);

			body_of(s, b);
			ck_assert_int_eq(phx_sync_tx_push(t, b, sizeof(b), now),
					 0);
			link_send(&l, s, b, sizeof(b));
			pushed++;
		}
		for (i = 0; i < N_RX; i++) {
			phx_sync_rx_poll(l.rx[i], now, &o);
			for (k = 0; k < o.n_nack; k++)
				if (!lose(l.pct))
					phx_sync_tx_nack(t, 2 + i,
							 o.nack[k].from,
							 o.nack[k].to, now,
							 link_send, &l);
			if (o.ack && !lose(l.pct))
				phx_sync_tx_ack(t, 2 + i, o.ack_seq, now);
		}
		phx_sync_tx_poll(t, now, link_send, &l);
		if (pushed == total && phx_sync_tx_len(t) == 0)
			break;
	}
	ck_assert_msg(pushed == total && phx_sync_tx_len(t) == 0,
		      "not quiescent after %llu ms", (unsigned long long)now);
	for (i = 0; i < N_RX; i++) {
		const struct phx_sync_rx_stats *st = phx_sync_rx_stats(l.rx[i]);

		assert_run(l.got[i], first, total);
		ck_assert_uint_eq(st->unsynced_missing, 0);
		ck_assert_uint_eq(st->lost_events, 0);
		ck_assert_uint_eq(st->delivered, total);
		ck_assert_uint_eq(phx_sync_rx_queued(l.rx[i]), 0);
		if (l.pct > 0) {
			ck_assert_uint_gt(st->nack_reqs, 0);
			ck_assert_uint_gt(st->queued, 0);
		}
		phx_sync_rx_free(l.rx[i]);
		free(l.got[i]);
	}
	ck_assert_uint_eq(phx_sync_tx_stats(t)->evicted_unacked, 0);
	if (l.pct > 0)
		ck_assert_uint_gt(phx_sync_tx_stats(t)->retransmitted, 0);
	phx_sync_tx_free(t);
}
END_TEST

static Suite *
sync_rel_suite(void)
{
	Suite *s = suite_create("sync_rel");
	TCase *tc;

	tc = tcase_create("rx");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_set_timing);
	tcase_add_test(tc, test_in_order);
	tcase_add_test(tc, test_loss_nack_resend);
	tcase_add_test(tc, test_nack_ranges);
	tcase_add_test(tc, test_reorder);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_ack_policy);
	tcase_add_test(tc, test_give_up);
	tcase_add_test(tc, test_lost_jump);
	tcase_add_test(tc, test_rx_reset);
	tcase_add_test(tc, test_expire);
	tcase_add_test(tc, test_far_ahead);
	suite_add_tcase(s, tc);

	tc = tcase_create("tx");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tail_timeout);
	tcase_add_test(tc, test_timeout_burst);
	tcase_add_test(tc, test_wrap);
	tcase_add_test(tc, test_peers);
	tcase_add_test(tc, test_eviction);
	tcase_add_test(tc, test_ack_timeout);
	tcase_add_test(tc, test_pushed_past);
	tcase_add_test(tc, test_dup_nack);
	tcase_add_test(tc, test_len_lag_stats);
	tcase_add_test(tc, test_random_start);
	suite_add_tcase(s, tc);

	tc = tcase_create("link");
	/* loss in percent: none, 10 %, 25 % */
	tcase_add_loop_test(tc, test_lossy_link, 0, 1);
	tcase_add_loop_test(tc, test_lossy_link, 10, 11);
	tcase_add_loop_test(tc, test_lossy_link, 25, 26);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sync_rel_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
