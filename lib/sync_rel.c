/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Delta-sync reliability engine (contract: lib/sync_rel.h; SPEC 3.4).
 *
 * Both sides are rings of power-of-two size indexed by seq & mask, with
 * the bodies in one block allocated at create (cap * max_frame bytes):
 * nothing is allocated afterwards, and every loop is bounded by the ring
 * size.
 *
 * Sender: the frames held are [head, next). A live peer has ACKed up to
 * acked; what it still waits for is (acked, next). head moves on when
 * every live peer has ACKed (the frame is released) or when the ring is
 * full (the frame is evicted, counted if a live peer still wanted it,
 * and that peer's acked follows: it is never before head - 1, so serial
 * comparisons with it stay within the ring).
 *
 * Receiver: frames in [expected, expected + cap) have a slot; a slot
 * records which seq it speaks for (slot.seq), so a slot left behind by a
 * window that moved on is recognised as stale by its tag instead of
 * having to be cleared.
 *
 * All sequence comparisons are serial (lib/serial.h) or unsigned
 * distances from a base, so wrap-around at 2^32 needs no special case.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/serial.h"
#include "lib/sync_rel.h"

#define CAP_MIN         16u
#define CAP_MAX         (1u << 20)  /* far below 2^31: serial order holds */
#define FRAME_MAX       65535u      /* a body length is a u16 */
#define NACK_SPAN       32u         /* PHX_SYNC_NACK_SPAN, SPEC SYNC-34 */
#define FAR_BEHIND      (1u << 30)  /* farther back: not a resend (which
				     * is at most CAP_MAX back) but a
				     * stream 2^31 ahead */

/* Round up to a power of two, at least CAP_MIN; 0 when above CAP_MAX. */
static uint32_t
ring_size(uint32_t cap)
{
	uint32_t n = CAP_MIN;

	if (cap > CAP_MAX)
		return 0;
	while (n < cap)
		n <<= 1;
	return n;
}

/* The two blocks of a ring of cap slots: the slot array (returned) and
 * the bodies (*body, cap * max_frame bytes). NULL, with nothing held,
 * when memory is short. */
static void *
ring_alloc(size_t slot_size, uint8_t **body, uint32_t cap, uint32_t max_frame)
{
	void *slot = calloc(cap, slot_size);

	*body = calloc(cap, max_frame);
	if (slot == NULL || *body == NULL) {
		free(slot);
		free(*body);
		return NULL;
	}
	return slot;
}

static bool
peer_ok(unsigned peer)
{
	return peer >= 1 && peer <= PHX_SYNC_REL_MAX_PEERS;
}

/* ================= sender ================= */

struct tx_slot {
	uint64_t push_ms;     /* when pushed: the peers' lag */
	uint64_t sent_ms;     /* last sent, first time or again: RTO base */
	uint64_t rtx_ms;      /* last resent: the duplicate window */
	uint32_t len;
	bool resent;          /* rtx_ms is valid */
};

struct tx_peer {
	bool live;
	bool timed_out;       /* no ACK for ack_timeout_ms: not waited for */
	bool pushed_past;     /* frames it wanted were evicted, since its
			       * ACK last moved */
	uint32_t acked;       /* last seq ACKed (or next - 1 at peer_up) */
	uint64_t progress_ms; /* last time acked moved (or peer_up) */
};

struct phx_sync_tx {
	struct phx_sync_tx_cfg cfg;   /* cap rounded */
	uint32_t mask;
	uint32_t head;                /* oldest frame held */
	uint32_t next;                /* seq of the next push */
	struct tx_peer peer[PHX_SYNC_REL_MAX_PEERS + 1]; /* [0] unused */
	struct phx_sync_tx_stats stats;
	struct tx_slot *slot;
	uint8_t *body;                /* cap * max_frame */
};

static uint32_t
tx_held(const struct phx_sync_tx *tx)
{
	return tx->next - tx->head;
}

static bool
tx_holds(const struct phx_sync_tx *tx, uint32_t seq)
{
	return seq - tx->head < tx_held(tx);
}

/* *out = frames the most lagging live peer has not ACKed, held or not;
 * with waited, among the peers still waited for only. False (and
 * *out = 0) when there is no such peer. */
static bool
tx_max_outstanding(const struct phx_sync_tx *tx, uint32_t *out, bool waited)
{
	uint32_t d, max = 0;
	bool any = false;
	unsigned p;

	for (p = 1; p <= PHX_SYNC_REL_MAX_PEERS; p++) {
		if (!tx->peer[p].live || (waited && tx->peer[p].timed_out))
			continue;
		d = tx->next - 1 - tx->peer[p].acked;
		if (!any || d > max)
			max = d;
		any = true;
	}
	*out = max;
	return any;
}

/* Release what every live peer has ACKed (SPEC SYNC-39a: ACKed updates
 * leave the queue). With no live peer nothing is released: the frames
 * stay until the ring pushes them out. A peer not waited for still keeps
 * its frames here while there is room: it may come back for them. */
static void
tx_release(struct phx_sync_tx *tx)
{
	uint32_t d;

	if (tx_max_outstanding(tx, &d, false) && d < tx_held(tx))
		tx->head = tx->next - d;
}

int
phx_sync_tx_set_timing(struct phx_sync_tx *tx, uint32_t rto_ms,
		       uint32_t dup_window_ms, uint32_t ack_timeout_ms)
{
	if (tx == NULL || rto_ms == 0)
		return -EINVAL;
	tx->cfg.rto_ms = rto_ms;
	tx->cfg.dup_window_ms = dup_window_ms;
	tx->cfg.ack_timeout_ms = ack_timeout_ms;
	return 0;
}

struct phx_sync_tx *
phx_sync_tx_create(const struct phx_sync_tx_cfg *cfg)
{
	struct phx_sync_tx *tx;
	uint32_t cap = ring_size(cfg->cap);

	if (cap == 0 || cfg->max_frame == 0 || cfg->max_frame > FRAME_MAX ||
	    cfg->rto_ms == 0 || cfg->max_burst == 0)
		return NULL;
	/* The initial seq comes from libsodium's CSPRNG. */
	if (sodium_init() < 0)
		return NULL;
	tx = calloc(1, sizeof(*tx));
	if (tx == NULL)
		return NULL;
	tx->slot = ring_alloc(sizeof(*tx->slot), &tx->body, cap,
			      cfg->max_frame);
	if (tx->slot == NULL) {
		free(tx);
		return NULL;
	}
	tx->cfg = *cfg;
	tx->cfg.cap = cap;
	tx->mask = cap - 1;
	/* A random start: a restarted sender must not look like the rest
	 * of its previous run to receivers that still expect it. */
	randombytes_buf(&tx->next, sizeof(tx->next));
	tx->head = tx->next;
	return tx;
}

void
phx_sync_tx_free(struct phx_sync_tx *tx)
{
	if (tx == NULL)
		return;
	free(tx->body);
	free(tx->slot);
	free(tx);
}

uint32_t
phx_sync_tx_next_seq(const struct phx_sync_tx *tx)
{
	return tx->next;
}

void
phx_sync_tx_set_seq(struct phx_sync_tx *tx, uint32_t seq)
{
	unsigned p;

	if (tx_held(tx) != 0)
		return;
	tx->next = tx->head = seq;
	for (p = 1; p <= PHX_SYNC_REL_MAX_PEERS; p++)
		tx->peer[p].acked = seq - 1;
}

uint32_t
phx_sync_tx_len(const struct phx_sync_tx *tx)
{
	uint32_t d;

	if (!tx_max_outstanding(tx, &d, true))
		return 0;
	return d < tx_held(tx) ? d : tx_held(tx);
}

uint32_t
phx_sync_tx_cap(const struct phx_sync_tx *tx)
{
	return tx->cfg.cap;
}

int
phx_sync_tx_push(struct phx_sync_tx *tx, const uint8_t *body, size_t len,
		 uint64_t now_ms)
{
	struct tx_slot *sl;
	uint32_t qlen;
	unsigned p;

	if (len == 0 || len > tx->cfg.max_frame)
		return -EINVAL;
	if (tx_held(tx) == tx->cfg.cap) {
		/* Full: the oldest goes (SPEC SYNC-32), noted if a live peer
		 * has not ACKed it, since a NACK for it is now illegal. The
		 * peer's acked follows the head: what it ACKs later can only
		 * be newer, and serial order holds however long it stays
		 * silent. */
		bool counted = false;

		for (p = 1; p <= PHX_SYNC_REL_MAX_PEERS; p++) {
			struct tx_peer *pp = &tx->peer[p];

			if (!pp->live || !phx_seq_before(pp->acked, tx->head))
				continue;
			if (!counted)
				tx->stats.evicted_unacked++;
			counted = true;
			pp->acked = tx->head;
			pp->pushed_past = true;
		}
		tx->head++;
	}
	sl = &tx->slot[tx->next & tx->mask];
	*sl = (struct tx_slot){
		.push_ms = now_ms,
		.sent_ms = now_ms,
		.len = (uint32_t)len,
	};
	memcpy(tx->body + (size_t)(tx->next & tx->mask) * tx->cfg.max_frame,
	       body, len);
	tx->next++;
	tx->stats.generated++;

	qlen = phx_sync_tx_len(tx);
	tx->stats.len_sum += qlen;
	tx->stats.len_samples++;
	if (qlen > tx->stats.max_len)
		tx->stats.max_len = qlen;
	return 0;
}

void
phx_sync_tx_peer_up(struct phx_sync_tx *tx, unsigned peer, uint64_t now_ms)
{
	if (!peer_ok(peer))
		return;
	tx->peer[peer] = (struct tx_peer){
		.live = true,
		.acked = tx->next - 1,
		.progress_ms = now_ms,
	};
	tx_release(tx);
}

void
phx_sync_tx_peer_down(struct phx_sync_tx *tx, unsigned peer)
{
	if (!peer_ok(peer))
		return;
	tx->peer[peer].live = false;
	tx_release(tx);
}

bool
phx_sync_tx_peer_live(const struct phx_sync_tx *tx, unsigned peer)
{
	return peer_ok(peer) && tx->peer[peer].live;
}

bool
phx_sync_tx_peer_timed_out(const struct phx_sync_tx *tx, unsigned peer)
{
	return phx_sync_tx_peer_live(tx, peer) && tx->peer[peer].timed_out;
}

uint32_t
phx_sync_tx_peer_outstanding(const struct phx_sync_tx *tx, unsigned peer)
{
	if (!phx_sync_tx_peer_live(tx, peer))
		return 0;
	return tx->next - 1 - tx->peer[peer].acked;
}

void
phx_sync_tx_ack(struct phx_sync_tx *tx, unsigned peer, uint32_t seq,
		uint64_t now_ms)
{
	struct tx_peer *pp;

	tx->stats.acks++;
	if (!peer_ok(peer) || !tx->peer[peer].live)
		return;
	pp = &tx->peer[peer];
	if (phx_seq_after(seq, tx->next - 1)) {
		tx->stats.acks_bad++;
		return;
	}
	if (!phx_seq_after(seq, pp->acked))
		return;         /* old or repeated: no news */
	pp->acked = seq;
	pp->progress_ms = now_ms;
	pp->timed_out = false;  /* back (CCP-42) */
	pp->pushed_past = false;
	tx_release(tx);
}

/* Resend seq (held) unless it was resent within dup_window_ms. */
static bool
tx_resend(struct phx_sync_tx *tx, uint32_t seq, uint64_t now_ms,
	  phx_sync_frame_fn send, void *arg)
{
	struct tx_slot *sl = &tx->slot[seq & tx->mask];

	if (sl->resent && now_ms - sl->rtx_ms < tx->cfg.dup_window_ms)
		return false;
	send(arg, seq, tx->body + (size_t)(seq & tx->mask) * tx->cfg.max_frame,
	     sl->len);
	sl->resent = true;
	sl->rtx_ms = now_ms;
	sl->sent_ms = now_ms;
	tx->stats.retransmitted++;
	return true;
}

unsigned
phx_sync_tx_nack(struct phx_sync_tx *tx, unsigned peer, uint32_t from,
		 uint32_t to, uint64_t now_ms, phx_sync_frame_fn send,
		 void *arg)
{
	uint32_t i, span = to - from + 1;
	unsigned sent = 0, dropped = 0;
	bool illegal = false;

	(void)peer;     /* served whoever asks: frames go to every peer */
	tx->stats.nack_reqs++;
	if (span == 0 || span > NACK_SPAN) {
		/* The codec refuses these; a caller bypassing it gets
		 * nothing rather than a 4-billion-frame loop. */
		tx->stats.nack_illegal++;
		return 0;
	}
	for (i = 0; i < span; i++) {
		uint32_t seq = from + i;

		if (!tx_holds(tx, seq))
			illegal = true; /* evicted, released or never sent */
		else if (tx_resend(tx, seq, now_ms, send, arg))
			sent++;
		else
			dropped++;
	}
	if (illegal)
		tx->stats.nack_illegal++;
	if (sent == 0 && dropped > 0)
		tx->stats.nack_dup++;   /* SYNC-39a: dropped, counted */
	return sent;
}

unsigned
phx_sync_tx_poll(struct phx_sync_tx *tx, uint64_t now_ms,
		 phx_sync_frame_fn send, void *arg)
{
	unsigned p, total = 0;

	for (p = 1; p <= PHX_SYNC_REL_MAX_PEERS; p++) {
		struct tx_peer *pp = &tx->peer[p];
		uint32_t seq, tail = tx->next - 1, burst = 0;
		uint64_t base, since;

		if (!pp->live || pp->acked == tail || tx_held(tx) == 0)
			continue;
		seq = pp->acked + 1;
		if (!tx_holds(tx, seq))
			seq = tx->head; /* (only while not live: peer_up) */
		/* CCP-42: no ACK since its oldest outstanding frame was
		 * pushed (or since it last ACKed) for ack_timeout_ms. */
		since = tx->slot[seq & tx->mask].push_ms;
		if (pp->progress_ms > since)
			since = pp->progress_ms;
		if (!pp->timed_out && tx->cfg.ack_timeout_ms != 0 &&
		    now_ms >= since && now_ms - since >= tx->cfg.ack_timeout_ms) {
			pp->timed_out = true;
			tx->stats.peer_timeouts++;
		}
		if (pp->timed_out) {
			/* A probe: the newest frame, once per rto_ms. If the
			 * peer hears again, the gap makes it NACK. */
			base = tx->slot[tail & tx->mask].sent_ms;
			if (now_ms >= base && now_ms - base >= tx->cfg.rto_ms &&
			    tx_resend(tx, tail, now_ms, send, arg)) {
				tx->stats.timeouts++;
				total++;
			}
			continue;
		}
		/* Late when neither an ACK nor a (re)send of the oldest
		 * outstanding frame happened for rto_ms: a frame pushed a
		 * moment ago to an idle peer is not late. */
		base = tx->slot[seq & tx->mask].sent_ms;
		if (pp->progress_ms > base)
			base = pp->progress_ms;
		if (now_ms < base || now_ms - base < tx->cfg.rto_ms)
			continue;
		/* Frames it wanted were pushed out: the newest first, so it
		 * sees how far the stream went and gives up on those
		 * (SYNC-35) rather than wait for them. */
		if (pp->pushed_past && seq != tail &&
		    tx_resend(tx, tail, now_ms, send, arg))
			burst++;
		for (; seq != tx->next && burst < tx->cfg.max_burst; seq++)
			if (tx_resend(tx, seq, now_ms, send, arg))
				burst++;
		if (burst > 0)
			tx->stats.timeouts++;
		total += burst;
	}
	return total;
}

uint32_t
phx_sync_tx_peer_acked(const struct phx_sync_tx *tx, unsigned peer)
{
	return peer_ok(peer) ? tx->peer[peer].acked : 0;
}

uint64_t
phx_sync_tx_peer_lag_ms(const struct phx_sync_tx *tx, unsigned peer,
			uint64_t now_ms)
{
	const struct tx_peer *pp;
	uint32_t seq;
	uint64_t t;

	if (!peer_ok(peer) || !tx->peer[peer].live)
		return 0;
	pp = &tx->peer[peer];
	if (pp->acked == tx->next - 1 || tx_held(tx) == 0)
		return 0;
	seq = pp->acked + 1;
	/* An evicted frame's push time is gone: the oldest held one is the
	 * best lower bound left. */
	if (!tx_holds(tx, seq))
		seq = tx->head;
	t = tx->slot[seq & tx->mask].push_ms;
	return now_ms > t ? now_ms - t : 0;
}

const struct phx_sync_tx_stats *
phx_sync_tx_stats(const struct phx_sync_tx *tx)
{
	return &tx->stats;
}

void
phx_sync_tx_stats_reset(struct phx_sync_tx *tx)
{
	tx->stats = (struct phx_sync_tx_stats){0};
}

/* ================= receiver ================= */

struct rx_slot {
	uint64_t asked_ms;    /* last NACKed (asked) */
	uint32_t seq;         /* the seq this slot speaks for */
	uint32_t len;
	bool used;            /* holds frame seq */
	bool asked;           /* seq missing, NACKed at asked_ms */
};

struct phx_sync_rx {
	struct phx_sync_rx_cfg cfg;   /* cap rounded */
	uint32_t mask;
	bool started;
	uint32_t expected;            /* next seq to deliver */
	uint32_t top;                 /* highest seq queued, if n_queued */
	uint32_t n_queued;
	uint32_t unacked;             /* delivered since the last ACK */
	uint64_t first_unacked_ms;
	bool dup_due;                 /* a duplicate asks for an ACK ... */
	uint64_t dup_due_ms;          /* ... at this time */
	bool acked_once;
	uint64_t last_ack_ms;
	bool gap_on;                  /* expected is missing since gap_ms */
	uint32_t gap_seq;
	uint64_t gap_ms;
	struct phx_sync_rx_stats stats;
	struct rx_slot *slot;
	uint8_t *body;                /* cap * max_frame */
};

int
phx_sync_rx_set_timing(struct phx_sync_rx *rx, uint32_t ack_every,
		       uint32_t ack_ms, uint32_t nack_ms, uint32_t giveup_ms)
{
	if (rx == NULL || ack_every == 0)
		return -EINVAL;
	rx->cfg.ack_every = ack_every;
	rx->cfg.ack_ms = ack_ms;
	rx->cfg.nack_ms = nack_ms;
	rx->cfg.giveup_ms = giveup_ms;
	return 0;
}

struct phx_sync_rx *
phx_sync_rx_create(const struct phx_sync_rx_cfg *cfg)
{
	struct phx_sync_rx *rx;
	uint32_t cap = ring_size(cfg->cap);

	if (cap == 0 || cfg->max_frame == 0 || cfg->max_frame > FRAME_MAX ||
	    cfg->ack_every == 0 || cfg->lost_jump <= cap ||
	    cfg->lost_jump >= (1u << 30))
		return NULL;
	rx = calloc(1, sizeof(*rx));
	if (rx == NULL)
		return NULL;
	rx->slot = ring_alloc(sizeof(*rx->slot), &rx->body, cap,
			      cfg->max_frame);
	if (rx->slot == NULL) {
		free(rx);
		return NULL;
	}
	rx->cfg = *cfg;
	rx->cfg.cap = cap;
	rx->mask = cap - 1;
	return rx;
}

void
phx_sync_rx_free(struct phx_sync_rx *rx)
{
	if (rx == NULL)
		return;
	free(rx->body);
	free(rx->slot);
	free(rx);
}

void
phx_sync_rx_reset(struct phx_sync_rx *rx)
{
	memset(rx->slot, 0, (size_t)rx->cfg.cap * sizeof(*rx->slot));
	rx->started = false;
	rx->n_queued = 0;
	rx->unacked = 0;
	rx->dup_due = false;
	rx->acked_once = false;
	rx->gap_on = false;
}

static uint8_t *
rx_body(struct phx_sync_rx *rx, uint32_t seq)
{
	return rx->body + (size_t)(seq & rx->mask) * rx->cfg.max_frame;
}

static void
rx_deliver(struct phx_sync_rx *rx, uint32_t seq, const uint8_t *body,
	   size_t len, uint64_t now_ms, phx_sync_frame_fn deliver, void *arg)
{
	deliver(arg, seq, body, len);
	rx->stats.delivered++;
	if (rx->unacked++ == 0)
		rx->first_unacked_ms = now_ms;
}

/* Deliver the queued frame expected, if it is there, and move on.
 * Clears the slot either way. Returns whether it was there. */
static bool
rx_pass(struct phx_sync_rx *rx, uint64_t now_ms, phx_sync_frame_fn deliver,
	void *arg)
{
	struct rx_slot *sl = &rx->slot[rx->expected & rx->mask];
	bool had = sl->used && sl->seq == rx->expected;

	if (had) {
		rx_deliver(rx, rx->expected, rx_body(rx, rx->expected), sl->len,
			   now_ms, deliver, arg);
		rx->n_queued--;
	}
	*sl = (struct rx_slot){0};
	rx->expected++;
	return had;
}

/* Deliver queued frames from expected on while there is no gap. */
static void
rx_drain(struct phx_sync_rx *rx, uint64_t now_ms, phx_sync_frame_fn deliver,
	 void *arg)
{
	while (rx->n_queued > 0) {
		const struct rx_slot *sl = &rx->slot[rx->expected & rx->mask];

		if (!sl->used || sl->seq != rx->expected)
			break;
		rx_pass(rx, now_ms, deliver, arg);
	}
}

/* SYNC-35: stop waiting for what is missing below new_exp; deliver what
 * is queued there, in order. */
static void
rx_give_up(struct phx_sync_rx *rx, uint32_t new_exp, uint64_t now_ms,
	   phx_sync_frame_fn deliver, void *arg)
{
	while (rx->expected != new_exp) {
		if (rx->n_queued == 0) {
			/* Nothing queued: the rest is missing. Stale slots
			 * are told apart by their seq tag. */
			rx->stats.unsynced_missing += new_exp - rx->expected;
			rx->expected = new_exp;
			break;
		}
		if (!rx_pass(rx, now_ms, deliver, arg))
			rx->stats.unsynced_missing++;
	}
	rx_drain(rx, now_ms, deliver, arg);
}

/* A duplicate makes an ACK due: at once, but at most one per ack_ms, so
 * a burst of resends does not draw a burst of ACKs. */
static void
rx_dup(struct phx_sync_rx *rx, uint64_t now_ms)
{
	rx->stats.duplicates++;
	if (rx->dup_due)
		return;
	rx->dup_due = true;
	rx->dup_due_ms = now_ms;
	if (rx->acked_once && rx->last_ack_ms + rx->cfg.ack_ms > now_ms)
		rx->dup_due_ms = rx->last_ack_ms + rx->cfg.ack_ms;
}

/* SYNC-37: deliver everything queued, restart at seq. */
static void
rx_lost(struct phx_sync_rx *rx, uint32_t seq, uint64_t now_ms,
	phx_sync_frame_fn deliver, void *arg, uint32_t *skipped,
	uint32_t *last)
{
	uint32_t gap = seq - rx->expected, flushed = 0;
	uint32_t prev = rx->expected - 1;

	while (rx->n_queued > 0) {
		uint32_t s = rx->expected;

		if (rx_pass(rx, now_ms, deliver, arg)) {
			flushed++;
			prev = s;
		}
	}
	rx->stats.lost_events++;
	rx->stats.lost_frames += gap - flushed;
	if (skipped != NULL)
		*skipped = gap - flushed;
	if (last != NULL)
		*last = prev;
	rx->expected = seq;
}

enum phx_sync_rx_verdict
phx_sync_rx_input(struct phx_sync_rx *rx, uint32_t seq, const uint8_t *body,
		  size_t len, uint64_t now_ms, phx_sync_frame_fn deliver,
		  void *arg, uint32_t *skipped, uint32_t *last)
{
	enum phx_sync_rx_verdict v = PHX_SYNC_RX_DELIVERED;
	struct rx_slot *sl;
	uint32_t d;

	rx->stats.received++;
	if (!rx->started) {
		rx->started = true;
		rx->expected = seq;
	}
	d = seq - rx->expected;
	if ((int32_t)d < 0 && rx->expected - seq <= FAR_BEHIND) {
		rx_dup(rx, now_ms);
		return PHX_SYNC_RX_DUPLICATE;
	}
	if (d > rx->cfg.lost_jump) {     /* (and FAR_BEHIND) */
		rx_lost(rx, seq, now_ms, deliver, arg, skipped, last);
		v = PHX_SYNC_RX_LOST;
	} else if (d >= rx->cfg.cap) {
		rx_give_up(rx, seq - rx->cfg.cap + 1, now_ms, deliver, arg);
		v = PHX_SYNC_RX_GAVE_UP;
	}

	sl = &rx->slot[seq & rx->mask];
	if (seq == rx->expected) {
		*sl = (struct rx_slot){0};      /* NACK state of it */
		rx_deliver(rx, seq, body, len, now_ms, deliver, arg);
		rx->expected++;
		rx_drain(rx, now_ms, deliver, arg);
		return v;
	}
	if (sl->used && sl->seq == seq) {
		rx->stats.duplicates++; /* already queued: the gap is what
					 * matters, not an ACK */
		return PHX_SYNC_RX_DUPLICATE;
	}
	if (len > rx->cfg.max_frame) {
		/* Cannot wait here (a caller bug: max_frame is the largest
		 * body the codec accepts). Treated as lost on the way:
		 * the gap NACK asks for it again. */
		return v == PHX_SYNC_RX_DELIVERED ? PHX_SYNC_RX_QUEUED : v;
	}
	*sl = (struct rx_slot){ .seq = seq, .len = (uint32_t)len, .used = true };
	memcpy(rx_body(rx, seq), body, len);
	if (rx->n_queued++ == 0 || phx_seq_after(seq, rx->top))
		rx->top = seq;
	rx->stats.queued++;
	return v == PHX_SYNC_RX_DELIVERED ? PHX_SYNC_RX_QUEUED : v;
}

uint32_t
phx_sync_rx_expire(struct phx_sync_rx *rx, uint64_t now_ms,
		   phx_sync_frame_fn deliver, void *arg)
{
	uint64_t before = rx->stats.unsynced_missing;
	uint32_t s;

	if (!rx->started || rx->n_queued == 0) {
		rx->gap_on = false;
		return 0;
	}
	if (!rx->gap_on || rx->gap_seq != rx->expected) {
		rx->gap_on = true;
		rx->gap_seq = rx->expected;
		rx->gap_ms = now_ms;
		return 0;
	}
	if (rx->cfg.giveup_ms == 0 || now_ms < rx->gap_ms ||
	    now_ms - rx->gap_ms < rx->cfg.giveup_ms)
		return 0;
	/* The first queued frame: less than cap ahead (top is). */
	for (s = rx->expected; s != rx->top; s++) {
		const struct rx_slot *sl = &rx->slot[s & rx->mask];

		if (sl->used && sl->seq == s)
			break;
	}
	rx_give_up(rx, s, now_ms, deliver, arg);
	rx->gap_on = false;
	return (uint32_t)(rx->stats.unsynced_missing - before);
}

/* Missing seq not asked for within nack_ms? Marks it asked when so. */
static bool
rx_nack_due(struct phx_sync_rx *rx, uint32_t seq, uint64_t now_ms)
{
	struct rx_slot *sl = &rx->slot[seq & rx->mask];

	if (sl->seq == seq && sl->used)
		return false;
	if (sl->seq == seq && sl->asked &&
	    now_ms - sl->asked_ms < rx->cfg.nack_ms)
		return false;
	*sl = (struct rx_slot){ .seq = seq, .asked = true, .asked_ms = now_ms };
	return true;
}

static void
rx_nack_add(struct phx_sync_rx *rx, struct phx_sync_rx_out *out,
	    uint32_t from, uint32_t to)
{
	out->nack[out->n_nack].from = from;
	out->nack[out->n_nack].to = to;
	out->n_nack++;
	rx->stats.nack_reqs++;
	rx->stats.nack_seqs += to - from + 1;
}

void
phx_sync_rx_poll(struct phx_sync_rx *rx, uint64_t now_ms,
		 struct phx_sync_rx_out *out)
{
	uint32_t seq, from = 0, to = 0;
	bool open = false;

	*out = (struct phx_sync_rx_out){0};
	if (!rx->started)
		return;

	/* Gaps below the highest queued frame, oldest first, in ranges of
	 * at most NACK_SPAN seqs that are due (SYNC-34). Bounded: top is
	 * less than cap ahead of expected. */
	for (seq = rx->expected; rx->n_queued > 0 && seq != rx->top; seq++) {
		if (!rx_nack_due(rx, seq, now_ms)) {
			if (open) {
				rx_nack_add(rx, out, from, to);
				open = false;
				if (out->n_nack == PHX_SYNC_REL_MAX_NACKS)
					break;
			}
			continue;
		}
		if (open && seq - from < NACK_SPAN) {
			to = seq;
			continue;
		}
		if (open) {
			rx_nack_add(rx, out, from, to);
			if (out->n_nack == PHX_SYNC_REL_MAX_NACKS) {
				/* Not asked after all: next poll. */
				rx->slot[seq & rx->mask].asked = false;
				open = false;
				break;
			}
		}
		from = to = seq;
		open = true;
	}
	if (open)
		rx_nack_add(rx, out, from, to);

	if ((rx->unacked > 0 && (rx->unacked >= rx->cfg.ack_every ||
				 now_ms - rx->first_unacked_ms >=
				 rx->cfg.ack_ms)) ||
	    (rx->dup_due && now_ms >= rx->dup_due_ms)) {
		out->ack = true;
		out->ack_seq = rx->expected - 1;
		rx->unacked = 0;
		rx->dup_due = false;
		rx->acked_once = true;
		rx->last_ack_ms = now_ms;
		rx->stats.acks++;
	}
}

bool
phx_sync_rx_started(const struct phx_sync_rx *rx)
{
	return rx->started;
}

uint32_t
phx_sync_rx_expected(const struct phx_sync_rx *rx)
{
	return rx->expected;
}

uint32_t
phx_sync_rx_queued(const struct phx_sync_rx *rx)
{
	return rx->n_queued;
}

const struct phx_sync_rx_stats *
phx_sync_rx_stats(const struct phx_sync_rx *rx)
{
	return &rx->stats;
}

void
phx_sync_rx_stats_reset(struct phx_sync_rx *rx)
{
	rx->stats = (struct phx_sync_rx_stats){0};
}
