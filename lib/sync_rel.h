/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Delta-sync reliability engine (SPEC 3.4, SYNC-30..39a; DESIGN 5): the
 * sender's bounded retransmission window and each peer's receive window,
 * as pure state machines over opaque sync bodies (lib/sync_codec.h) and a
 * millisecond clock the caller passes in. No I/O: frames to send and
 * frames to apply come back through callbacks, so unit tests drive loss,
 * reorder, duplicates, wrap-around and restarts directly.
 *
 * Units: one sequence number per sequenced sync frame (a batch of
 * records). SPEC's "updates" are these frames; records are counted
 * separately by the runtime (docs/sync.md).
 *
 * Sender (one per member, SPEC SYNC-32): frames are kept in a ring of cap
 * slots until every live peer has ACKed them. When the ring is full the
 * oldest frame is pushed out even if a live peer has not ACKed it yet
 * (counted: evicted_unacked); a NACK for it is then "illegal" (SYNC-38).
 * A NACK resends the frames still held (each at most once per
 * dup_window_ms: a repeated request inside it is a duplicate, counted and
 * dropped, SYNC-39a). A live peer whose ACK has not moved for rto_ms while
 * it has frames outstanding gets them resent from its ACK on (at most
 * max_burst per poll): that covers a lost tail, which no later frame
 * would reveal as a gap. When what it waits for was pushed out, the
 * newest frame goes too: the receiver learns how far the stream is and
 * gives up on the rest (SYNC-35) instead of waiting for frames nobody
 * holds. A peer pushed past that way counts as having settled them, so
 * its ACK never falls 2^31 behind (serial order).
 *
 * A live peer that ACKs nothing for ack_timeout_ms while it has frames
 * outstanding stops being waited for (SPEC CCP-42: "Timed out sync
 * connection"): it no longer counts in the queue length (blocking, the
 * pacing of a full sync), and timeout resends to it shrink to the newest
 * frame, a probe. Its frames are still held and NACKs answered: when its
 * ACK moves again it is back.
 *
 * Receiver (one per peer, SPEC SYNC-31, 33..37): frames are delivered in
 * sequence. The first frame after create or reset sets the base. A frame
 * ahead of the next expected one waits in a window of cap slots (counted:
 * queued) and the gap is NACKed in ranges of at most 32 (re-asked every
 * nack_ms while missing). A frame so far ahead that it does not fit in
 * the window makes the receiver give up on the oldest missing frames:
 * what is queued below the new window is delivered in order and the
 * missing ones counted as unsynced_missing (SYNC-35). A jump of more than
 * lost_jump frames is "sync lost and regained" (SYNC-37): everything
 * queued is delivered, the receiver restarts at the new frame, and the
 * caller logs the event. Frames at or before the last delivered one are
 * duplicates (counted, and they make an ACK due, since the sender would
 * not resend them had it seen our ACK); a frame more than 2^30 behind is
 * no old one but a stream that ran 2^31 ahead while we heard nothing
 * (a long sync-only outage): lost and regained too. A gap at the head
 * of the window that stays unfilled for giveup_ms (the sender no longer
 * holds it) is given up as well, counted like SYNC-35's (expire).
 * ACKs are cumulative, sent after
 * ack_every delivered frames or ack_ms after the first unacknowledged one.
 *
 * Sequence numbers are 32-bit serial numbers (lib/serial.h); windows are
 * far below 2^31, so wrap-around is transparent.
 *
 * Threads: one thread (the control lcore) owns each object.
 */
#ifndef PHX_LIB_SYNC_REL_H
#define PHX_LIB_SYNC_REL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PHX_SYNC_REL_MAX_PEERS 5      /* member ids 1..5 */
#define PHX_SYNC_REL_MAX_NACKS 8      /* ranges one poll may ask for */

/* Called with a frame to (re)send or to apply. */
typedef void (*phx_sync_frame_fn)(void *arg, uint32_t seq,
				  const uint8_t *body, size_t len);

/* ---- sender ---- */

struct phx_sync_tx_cfg {
	uint32_t cap;             /* frames held; rounded up to a power of 2,
				   * >= 16 */
	uint32_t max_frame;       /* largest body, bytes */
	uint32_t rto_ms;          /* resend to a peer whose ACK is this late */
	uint32_t dup_window_ms;   /* a frame is resent at most once in this */
	uint32_t max_burst;       /* frames one timeout resend may send */
	uint32_t ack_timeout_ms;  /* a peer silent this long is not waited
				   * for (CCP-42); 0: never */
};

struct phx_sync_tx_stats {
	uint64_t generated;       /* frames pushed (Total generated updates) */
	uint64_t retransmitted;   /* frames resent (NACK or timeout) */
	uint64_t nack_reqs;       /* NACK ranges received */
	uint64_t nack_dup;        /* ... answered recently: dropped */
	uint64_t nack_illegal;    /* ... for frames no longer held */
	uint64_t acks;            /* ACKs received */
	uint64_t acks_bad;        /* ACKs for frames never sent: ignored */
	uint64_t timeouts;        /* timeout resends (events) */
	uint64_t evicted_unacked; /* frames pushed out before every live peer
				   * ACKed them */
	uint64_t peer_timeouts;   /* peers no longer waited for (CCP-42) */
	uint32_t max_len;         /* largest queue length seen */
	uint64_t len_sum;         /* queue length summed at every push, for */
	uint64_t len_samples;     /* the average */
};

struct phx_sync_tx;

/* NULL on bad cfg or no memory. */
struct phx_sync_tx *phx_sync_tx_create(const struct phx_sync_tx_cfg *cfg);
void phx_sync_tx_free(struct phx_sync_tx *tx);
/* New timing from a configuration reload (SPEC SYNC-39a, CCP-22): from the
 * next poll, a peer's ACK is late after rto_ms (> 0) and a frame is
 * resent at most once per dup_window_ms. 0 or -EINVAL (nothing changes). */
int phx_sync_tx_set_timing(struct phx_sync_tx *tx, uint32_t rto_ms,
			   uint32_t dup_window_ms, uint32_t ack_timeout_ms);
/* Sequence number the next pushed frame must carry. Starts at a random
 * value (so a restarted sender does not look like its previous run). */
uint32_t phx_sync_tx_next_seq(const struct phx_sync_tx *tx);
/* Choose the next sequence number instead (tests: wrap-around, fixed
 * values). Only while nothing is held, i.e. before the first push;
 * ignored otherwise. Live peers are then expected to ACK from seq on. */
void phx_sync_tx_set_seq(struct phx_sync_tx *tx, uint32_t seq);
/* Keep a body built with seq = phx_sync_tx_next_seq() (len <= max_frame)
 * and advance the sequence. The caller sends it. 0 or -EINVAL. */
int phx_sync_tx_push(struct phx_sync_tx *tx, const uint8_t *body,
		     size_t len, uint64_t now_ms);
/* A peer (1..5) joins the ACK set: it is expected to ACK from the next
 * frame on (nothing older is kept for it). */
void phx_sync_tx_peer_up(struct phx_sync_tx *tx, unsigned peer,
			 uint64_t now_ms);
/* A peer leaves the ACK set (dead, or restarted: then peer_up again). */
void phx_sync_tx_peer_down(struct phx_sync_tx *tx, unsigned peer);
bool phx_sync_tx_peer_live(const struct phx_sync_tx *tx, unsigned peer);
/* Live, but not waited for: no ACK for ack_timeout_ms (CCP-42). */
bool phx_sync_tx_peer_timed_out(const struct phx_sync_tx *tx, unsigned peer);
/* Frames peer has not ACKed (0 when it is not live). */
uint32_t phx_sync_tx_peer_outstanding(const struct phx_sync_tx *tx,
				      unsigned peer);
/* Cumulative ACK from peer. */
void phx_sync_tx_ack(struct phx_sync_tx *tx, unsigned peer, uint32_t seq,
		     uint64_t now_ms);
/* NACK [from, to] from peer: resend what is held through send. Returns
 * the frames resent. */
unsigned phx_sync_tx_nack(struct phx_sync_tx *tx, unsigned peer,
			  uint32_t from, uint32_t to, uint64_t now_ms,
			  phx_sync_frame_fn send, void *arg);
/* Timeout resends; returns frames resent. Call every few ms. */
unsigned phx_sync_tx_poll(struct phx_sync_tx *tx, uint64_t now_ms,
			  phx_sync_frame_fn send, void *arg);
/* Frames held that some live peer waited for has not ACKed (the sending
 * queue length of SPEC 6.6). */
uint32_t phx_sync_tx_len(const struct phx_sync_tx *tx);
uint32_t phx_sync_tx_cap(const struct phx_sync_tx *tx);
/* Last seq peer ACKed, and the age in ms of the oldest frame it has not
 * ACKed (0 when none): the per-peer sync lag. */
uint32_t phx_sync_tx_peer_acked(const struct phx_sync_tx *tx, unsigned peer);
uint64_t phx_sync_tx_peer_lag_ms(const struct phx_sync_tx *tx, unsigned peer,
				 uint64_t now_ms);
const struct phx_sync_tx_stats *phx_sync_tx_stats(const struct phx_sync_tx *tx);
/* Zero the counters (the queue itself is kept). */
void phx_sync_tx_stats_reset(struct phx_sync_tx *tx);

/* ---- receiver (one per peer) ---- */

struct phx_sync_rx_cfg {
	uint32_t cap;             /* reorder window, frames; power of 2 >= 16 */
	uint32_t max_frame;       /* largest body, bytes */
	uint32_t ack_every;       /* ACK after this many delivered frames */
	uint32_t ack_ms;          /* ... or this long after the first
				   * unacknowledged one */
	uint32_t nack_ms;         /* ask again for a gap after this long */
	uint32_t lost_jump;       /* a jump beyond this: lost and regained
				   * (> cap) */
	uint32_t giveup_ms;       /* a head gap unfilled this long is given
				   * up (phx_sync_rx_expire); 0: never */
};

enum phx_sync_rx_verdict {
	PHX_SYNC_RX_DELIVERED = 0, /* applied (with any queued successors) */
	PHX_SYNC_RX_QUEUED,        /* waits for a gap to fill */
	PHX_SYNC_RX_DUPLICATE,     /* already delivered or queued */
	PHX_SYNC_RX_GAVE_UP,       /* delivered after giving up on missing
				    * frames (stats.unsynced_missing) */
	PHX_SYNC_RX_LOST,          /* delivered after "lost and regained"
				    * (stats.lost_events, lost_frames) */
};

struct phx_sync_rx_stats {
	uint64_t received;        /* sequenced frames input */
	uint64_t delivered;
	uint64_t queued;          /* were queued (out of order) */
	uint64_t duplicates;      /* old or repeated arrivals */
	uint64_t unsynced_missing; /* frames given up on */
	uint64_t lost_events;     /* lost and regained */
	uint64_t lost_frames;     /* frames skipped by those events */
	uint64_t nack_reqs;       /* NACK ranges asked for */
	uint64_t nack_seqs;       /* frames asked for in them (average =
				   * nack_seqs / nack_reqs) */
	uint64_t acks;            /* ACKs due (sent by the caller) */
};

/* What a poll asks the caller to send to the peer. */
struct phx_sync_rx_out {
	bool ack;                 /* send ACK ack_seq */
	uint32_t ack_seq;
	unsigned n_nack;
	struct { uint32_t from, to; } nack[PHX_SYNC_REL_MAX_NACKS];
};

struct phx_sync_rx;

struct phx_sync_rx *phx_sync_rx_create(const struct phx_sync_rx_cfg *cfg);
void phx_sync_rx_free(struct phx_sync_rx *rx);
/* New timing from a configuration reload: ACK after ack_every (> 0)
 * frames or ack_ms, ask again for a gap every nack_ms. From the next
 * input or poll. 0 or -EINVAL (nothing changes). */
int phx_sync_rx_set_timing(struct phx_sync_rx *rx, uint32_t ack_every,
			   uint32_t ack_ms, uint32_t nack_ms, uint32_t giveup_ms);
/* Forget the peer's stream (it restarted or died): the next frame sets a
 * new base. Queued frames are dropped. Counters are kept. */
void phx_sync_rx_reset(struct phx_sync_rx *rx);
/* A sequenced frame from the peer. deliver is called, in sequence, for
 * this frame and every queued one that follows it. frame is read, and
 * may be stored, after deliver has run for older frames: deliver must
 * not write where frame lies (control/sync.c receives into a buffer of
 * its own for that). For LOST, *skipped
 * (may be NULL) gets the number of frames lost, and *last the last seq
 * delivered before the jump, for the log line of SYNC-37. */
enum phx_sync_rx_verdict phx_sync_rx_input(struct phx_sync_rx *rx,
					   uint32_t seq, const uint8_t *body,
					   size_t len, uint64_t now_ms,
					   phx_sync_frame_fn deliver,
					   void *arg, uint32_t *skipped,
					   uint32_t *last);
/* Give up on the missing frames at the head of the window when the
 * oldest of them has been missing for giveup_ms while later frames wait:
 * the queued ones up to the next gap are delivered (through deliver),
 * the missing ones counted as unsynced_missing. Returns the frames given
 * up (0: nothing to do). Call before phx_sync_rx_poll. */
uint32_t phx_sync_rx_expire(struct phx_sync_rx *rx, uint64_t now_ms,
			    phx_sync_frame_fn deliver, void *arg);
/* ACK and NACKs due now (out is always fully written). */
void phx_sync_rx_poll(struct phx_sync_rx *rx, uint64_t now_ms,
		      struct phx_sync_rx_out *out);
/* Whether a base is set, and the next seq expected. */
bool phx_sync_rx_started(const struct phx_sync_rx *rx);
uint32_t phx_sync_rx_expected(const struct phx_sync_rx *rx);
/* Frames waiting in the window (memory held: "Delta Sync memory"). */
uint32_t phx_sync_rx_queued(const struct phx_sync_rx *rx);
const struct phx_sync_rx_stats *phx_sync_rx_stats(const struct phx_sync_rx *rx);
void phx_sync_rx_stats_reset(struct phx_sync_rx *rx);

#endif /* PHX_LIB_SYNC_REL_H */
