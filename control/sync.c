/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * State sync runtime (SPEC 3; DESIGN 2, 5; docs/sync.md) on the control
 * lcore: the I/O and clocks around lib/sync_codec and lib/sync_rel.
 *
 *   workers --(session events, one SPSC ring each)--> drain_events
 *        deltas: coalesced by forward key, flushed as sequenced frames
 *        when a frame's worth waits or the oldest waited flush_us
 *        full-sync dump records: frames addressed to the joiner
 *   frames --> lib/sync_rel sender window --> phx_ccp_sync_send (sync port)
 *   peers' frames --> phx_sync_input (from phx_ccp_input, authenticated,
 *        fresh) --> per-peer lib/sync_rel receiver --> deliver: records
 *        posted to the worker that owns each session on this member
 *        (phx_dp_sess_worker: the NIC's RSS), which installs or deletes
 *        it in its shard (DESIGN invariant 1). A standby's tables are
 *        live: a takeover needs no commit step (invariant 7).
 *
 * Ordering. A worker emits one ordered stream (deltas and dump records
 * interleaved as its shard changed); this runtime keeps that order on
 * the wire: a dump record never overtakes a pending delta and the other
 * way round (the other kind is flushed first), and the receiver applies
 * frames in sequence. So the deltas that happen while a full sync runs
 * are applied in their place in the stream, which is exactly the
 * server's order: SPEC SYNC-13's "save deltas, apply after the full
 * sync" is not needed, and "Delta Sync memory" is only the reorder
 * window's frames.
 *
 * Who sends. Workers emit only while the member forwards (in HA the
 * active owns every session), so a standby never echoes its synced
 * sessions or its local expiry back. Full sync (SPEC SYNC-10..26): a
 * member that starts waits hello x dead_count x 2 to hear its peers;
 * if one is Active (else Standby) it asks it (FS_REQ, unsequenced, repeated
 * until answered) and stays Initializing; the server answers in its
 * sequenced stream with FS_BEGIN, the dump (SESS_FULL records, paced by
 * its send window, one worker chunk at a time) and FS_DONE. The joiner
 * then reports the Synchronization device OK and the FSM moves on. No
 * peer with state, a lost server with no other, or full_sync_timeout_s:
 * done anyway, logged and counted (a member that never serves would be
 * worse than one missing some sessions).
 *
 * Stored frames. The sender window and the reorder windows keep each
 * body behind one byte of ours: the member it is addressed to (0 = all),
 * which lives in the CCP header on the wire, so a resend and a queued
 * frame keep their destination.
 *
 * Threads: the control lcore runs everything except the telemetry
 * handlers, which take rt->lock (held by the control lcore for one poll
 * pass or one frame).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_hash_crc.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_random.h>
#include <rte_telemetry.h>

#include "control/ctl_priv.h"
#include "dataplane/dp_api.h"
#include "lib/ccp_codec.h"
#include "lib/ccp_fsm.h"
#include "lib/compiler.h"
#include "lib/sync_codec.h"
#include "lib/sync_rel.h"

#define SYNC_LOG(level, fmt, ...) \
	RTE_LOG(level, USER1, "phx.sync: " fmt "\n", ##__VA_ARGS__)

#define SYNC_EV_BURST   256   /* session events drained per call */
#define SYNC_EV_BUDGET  4096  /* ... per poll pass */
#define SYNC_PEND_MAX   256   /* deltas coalesced before a flush */
#define SYNC_PEND_MAP   1024  /* coalescing table slots (2^n, > 2 x MAX) */
#define SYNC_FS_MAX     64    /* dump records waiting for a frame */
#define SYNC_DUMP_CHUNK 256   /* sessions a worker dumps per request */
#define SYNC_POST_SPIN_US 200 /* a full worker ring is retried this long */
#define SYNC_PEERS_MS   5     /* peer liveness sampled this often */
#define SYNC_LOG_GAP_MS 1000  /* overload lines at most once a second */
#define SYNC_ACK_TIMEOUT_MS 1000 /* SPEC CCP-42: a peer silent this long
				  * is not waited for */
#define SYNC_GIVEUP_MS  1000  /* a gap nobody fills this long: given up */
#define SYNC_FS_IDLE_MS 3000  /* a running full sync that brought
			       * nothing this long: asked again */

/* Counters of /phalanx/sync kept here (the rest come from lib/sync_rel's
 * stats and the dataplane's counters). X(ENUM, telemetry name). */
#define SYNC_COUNTERS(X)                                                      \
	X(TX_FRAMES, tx_frames)         /* every sync frame sent */            \
	X(TX_ACKS, tx_acks)             /* ACK records sent */                 \
	X(TX_ERRORS, tx_errors)         /* frames not sent (encode, port) */  \
	X(RX_FRAMES, rx_frames)         /* authenticated sync frames */        \
	X(RECORDS_SENT, records_sent)   /* session records in new frames */    \
	X(RECORDS_RECEIVED, records_received) /* session records delivered */ \
	X(RECORDS_APPLIED, records_applied)   /* ... posted to a worker */    \
	X(RECORDS_COALESCED, records_coalesced) /* deltas merged into one */  \
	X(APPLY_FAILED, apply_failed)   /* worker ring full: update dropped */ \
	X(RX_DISABLED, rx_while_disabled) /* frames while sync is disabled */ \
	X(RX_NOT_FOR_US, rx_not_for_us) /* records addressed to another */    \
	X(RX_STALE_CONTROL, rx_stale_control) /* full-sync/config records for \
					 * us of no request in progress */ \
	X(BLOCKING, blocking_scenarios) /* new-connection blocking started */ \
	X(FS_SERVED, full_syncs_served) /* full syncs this member sent */     \
	X(FS_RECEIVED, full_syncs_received) /* ... completed as a joiner */   \
	X(FS_TIMEOUTS, full_sync_timeouts) /* ... given up */                 \
	X(FS_REQUESTS, full_sync_requests) /* FS_REQ sent */                  \
	X(FS_REFUSED, full_sync_handshakes_failed) /* SYNC-20 */               \
	X(CFG_SERVED, configs_served)   /* configurations sent to joiners */  \
	X(REGAINED, peers_regained)     /* a lost peer heard again, same run */ \
	X(RESYNCS, resyncs)             /* full syncs asked after that */

enum sync_counter {
#define SYNC_CNT_ENUM_(e, n) SYNC_CNT_##e,
	SYNC_COUNTERS(SYNC_CNT_ENUM_)
#undef SYNC_CNT_ENUM_
	SYNC_CNT_MAX
};

static const char *const sync_counter_names[SYNC_CNT_MAX] = {
#define SYNC_CNT_NAME_(e, n) #n,
	SYNC_COUNTERS(SYNC_CNT_NAME_)
#undef SYNC_CNT_NAME_
};

/* The joiner's side of a full sync. */
enum fs_state {
	FS_NONE = 0,        /* not started (sync disabled: stays) */
	FS_WAIT_PEERS,      /* listening for peers after start */
	FS_REQUESTED,       /* FS_REQ sent, no FS_BEGIN yet */
	FS_RUNNING,         /* FS_BEGIN seen, records arriving */
	FS_DONE,
	FS_TIMED_OUT,
	FS_NOT_NEEDED,      /* no peer had state to give */
	FS_REFUSED,         /* handshake failed: the server speaks another
			     * sync version (SYNC-20) */
	FS_STATE_MAX
};

static const char *const fs_state_names[FS_STATE_MAX] = {
	[FS_NONE] = "none", [FS_WAIT_PEERS] = "waiting_for_peers",
	[FS_REQUESTED] = "requested", [FS_RUNNING] = "running",
	[FS_DONE] = "done", [FS_TIMED_OUT] = "timed_out",
	[FS_NOT_NEEDED] = "not_needed", [FS_REFUSED] = "handshake_failed",
};

/* join: auto (SPEC FAIL-50, FAIL-51): adopting the cluster's
 * configuration before the full sync. */
enum join_state {
	JOIN_OFF = 0,       /* join: manual */
	JOIN_WAIT,          /* listening for an active member */
	JOIN_REQUESTED,     /* CFG_REQ sent */
	JOIN_RECEIVING,     /* CFG_DATA arriving */
	JOIN_ADOPTED,       /* its configuration runs here now */
	JOIN_SAME,          /* it already was ours */
	JOIN_ALONE,         /* no active member: ours stands */
	JOIN_FAILED,        /* not adopted (join_detail says why) */
	JOIN_STATE_MAX
};

static const char *const join_state_names[JOIN_STATE_MAX] = {
	[JOIN_OFF] = "off", [JOIN_WAIT] = "waiting_for_active",
	[JOIN_REQUESTED] = "requested", [JOIN_RECEIVING] = "receiving",
	[JOIN_ADOPTED] = "adopted", [JOIN_SAME] = "same",
	[JOIN_ALONE] = "alone", [JOIN_FAILED] = "failed",
};

#define SYNC_ADOPTED_FILE "adopted-config.json" /* in the EAL runtime dir */

struct sync_peer {
	struct phx_sync_rx *rx;
	uint64_t boot_id;        /* its run, from its frames; 0 unknown */
	bool live;               /* heard by CCP: in the sender's ACK set */
	bool lost;               /* CCP lost it since its last frame */
};

/* Coalescing slot: the pending delta of one forward key. */
struct pend_slot {
	uint32_t gen;            /* valid when == rt->pend_gen */
	uint16_t idx;            /* in rt->pend */
};

struct phx_sync_rt {
	struct phx_ctl *ctl;                     /* [I] */
	const struct phx_cfg_cluster *cc;        /* [I] boot configuration */
	const struct phx_cfg_sync *sc;           /* [I] = &sc_live */
	pthread_mutex_t lock;                    /* guards what follows */
	/* the sync settings in force: a reload changes the timers and the
	 * blocking (phx_sync_config_changed), the rest is the boot's;
	 * written under lock on the control lcore */
	struct phx_cfg_sync sc_live;
	uint32_t cpha_ms;                        /* hello_ms in force */
	/* phx_sync_poll holds lock (control lcore only): a reload from
	 * inside it (join: auto adopts from join_step) must not take it
	 * again */
	bool in_poll;
	uint64_t hz;                             /* [I] */
	uint8_t self;                            /* [I] member id */
	size_t body_cap;                         /* [I] sync body bytes */
	struct phx_sync_tx *tx;
	struct sync_peer peer[PHX_CCP_MAX_MEMBERS + 1];
	uint8_t peer_state[PHX_CCP_MAX_MEMBERS + 1]; /* enum phx_ccp_state */
	uint8_t peer_same_cfg;                   /* bit id: our digest */
	uint64_t next_peers_ms;
	/* deltas waiting for a frame */
	struct phx_sync_rec pend[SYNC_PEND_MAX];
	unsigned n_pend;
	uint64_t pend_since_ms;
	struct pend_slot map[SYNC_PEND_MAP];
	uint32_t pend_gen;
	/* dump records waiting for a frame, addressed to fs_dst */
	struct phx_sync_rec fsr[SYNC_FS_MAX];
	unsigned n_fsr;
	uint8_t fs_dst;
	/* joiner */
	enum fs_state fs;
	uint8_t fs_peer;
	uint32_t fs_token;
	uint64_t fs_start_ms, fs_deadline_ms, fs_next_req_ms, fs_wait_ms;
	uint64_t fs_records, fs_last_ms;
	uint64_t fs_rx_ms;                       /* FS_BEGIN or a record of
						  * it last came in */
	bool fs_done_pending;                    /* tell CCP at poll's end */
	bool fs_resync;                          /* this one is a resync */
	uint8_t resync_peer;                     /* regained, or updates of
						  * it given up: resync */
	char fs_reason[192];
	/* server: one joiner at a time */
	bool srv_on;
	uint8_t srv_joiner;
	uint32_t srv_token;
	unsigned srv_worker;
	uint32_t srv_cursor;
	bool srv_chunk_out;                      /* a dump request is out */
	unsigned rx_cap;                         /* reorder window in use */
	/* DUMP_ENDs still to come of chunks of an abandoned serve, per
	 * worker (a worker's events arrive in order): not this serve's */
	uint16_t srv_stale[PHX_CFG_MAX_WORKERS];
	uint32_t srv_count;
	/* join: auto */
	enum join_state join;
	uint8_t join_peer;
	uint32_t join_token;
	uint64_t join_next_req_ms, join_deadline_ms;
	char *join_buf;                          /* text being received */
	uint32_t join_total, join_got;
	bool join_ready;                         /* complete: adopt it */
	char join_detail[128];                   /* telemetry strings are
						  * < 128 bytes in 22.11 */
	/* new-connection blocking (SPEC SYNC-60) */
	bool blocking;
	uint64_t blocked_base;                   /* sync_blocked at reset */
	/* overload reporting */
	uint64_t ev_lost_seen, ev_lost_log_ms, apply_log_ms, illegal_log_ms;
	uint64_t gaveup_log_ms;
	uint64_t post_slow;                      /* bit w: worker w's ring
						  * stayed full (post) */
	uint8_t peer_timed_out;                  /* bit id: not waited for,
						  * as last logged (CCP-42) */
	uint64_t cnt[SYNC_CNT_MAX];
	uint64_t drop[PHX_SYNC_ERR_MAX];
	/* scratch */
	struct phx_sync_frame frame;             /* decoded frame */
	uint32_t frame_seq;                      /* ... of this seq */
	bool frame_valid;
	uint8_t out[1 + PHX_SYNC_MAX_BODY];      /* a frame being built */
	uint8_t in[1 + PHX_SYNC_MAX_BODY];       /* a sequenced frame being
						  * received, as lib/sync_rel
						  * stores it: not .out, which
						  * what its delivery sends
						  * (an FS_REQ) rebuilds while
						  * lib/sync_rel still reads it */
	struct phx_sess_event ev[SYNC_EV_BURST];
};

/* ------------------------------------------------------------------ */
/* Clocks and helpers                                                   */

/* Split so that ticks * 1000 never overflows (it would after 2^64/1000
 * ticks: 71 days at 3 GHz). */
static uint64_t
now_ms(const struct phx_sync_rt *rt, uint64_t tsc)
{
	uint64_t d = tsc - rt->ctl->start_tsc;

	return d / rt->hz * 1000 + d % rt->hz * 1000 / rt->hz;
}

/* CCP-42's 1 s, or longer when the ACK timers need it: a healthy peer
 * ACKs within ack_ms, and a lost frame comes back within retransmit_ms. */
static uint32_t
ack_timeout_ms(const struct phx_cfg_sync *sc)
{
	return RTE_MAX((uint32_t)SYNC_ACK_TIMEOUT_MS,
		       2 * sc->ack_ms + 2 * sc->retransmit_ms);
}

/* A gap still open after this many NACK rounds is held by nobody. */
static uint32_t
giveup_ms(const struct phx_cfg_sync *sc)
{
	return RTE_MAX((uint32_t)SYNC_GIVEUP_MS, 10 * sc->retransmit_ms);
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

static void
send_body(struct phx_sync_rt *rt, const uint8_t *stored, size_t len)
{
	uint16_t dst = stored[0] == 0 ? PHX_CCP_DST_ALL : stored[0];

	if (phx_ccp_sync_send(rt->ctl, stored + 1, len - 1, dst) == 0)
		rt->cnt[SYNC_CNT_TX_FRAMES]++;
	else
		rt->cnt[SYNC_CNT_TX_ERRORS]++;
}

/* lib/sync_rel callback: a resend (NACK or timeout). */
static void
tx_resend(void *arg, uint32_t seq, const uint8_t *stored, size_t len)
{
	(void)seq;
	send_body(arg, stored, len);
}

/* Build and send sequenced frames from recs[0..n), addressed to dst
 * (0 = all). */
static void
send_records(struct phx_sync_rt *rt, const struct phx_sync_rec *recs,
	     unsigned n, uint8_t dst, uint64_t now)
{
	struct phx_sync_builder b;
	unsigned i = 0, sessions;
	size_t len;

	while (i < n) {
		phx_sync_build_init(&b, rt->out + 1, rt->body_cap, true,
				    phx_sync_tx_next_seq(rt->tx));
		sessions = 0;
		for (; i < n; i++) {
			int rc = phx_sync_build_rec(&b, &recs[i]);

			if (rc == -ENOSPC)
				break;
			if (rc != 0) { /* a record we made wrong: skip it */
				rt->cnt[SYNC_CNT_TX_ERRORS]++;
				continue;
			}
			sessions += recs[i].type <= PHX_SYNC_SESS_FULL;
		}
		len = phx_sync_build_finish(&b);
		if (len == 0)
			continue;
		rt->out[0] = dst;
		if (phx_sync_tx_push(rt->tx, rt->out, len + 1, now) != 0) {
			rt->cnt[SYNC_CNT_TX_ERRORS]++;
			continue;
		}
		rt->cnt[SYNC_CNT_RECORDS_SENT] += sessions;
		send_body(rt, rt->out, len + 1);
	}
}

static void
flush_deltas(struct phx_sync_rt *rt, uint64_t now)
{
	if (rt->n_pend == 0)
		return;
	send_records(rt, rt->pend, rt->n_pend, 0, now);
	rt->n_pend = 0;
	rt->pend_gen++;
}

static void
flush_dump(struct phx_sync_rt *rt, uint64_t now)
{
	if (rt->n_fsr == 0)
		return;
	send_records(rt, rt->fsr, rt->n_fsr, rt->fs_dst, now);
	rt->n_fsr = 0;
}

/* A delta: merged with the pending one of the same session (the last
 * state wins: the receiver treats NEW/UPD as "install or refresh"), but
 * never across a removal: a session created under the key of one just
 * removed (TCP port reuse, a UDP flow after its expiry) may have another
 * NAT translation, so the removal goes out first. */
static void
add_delta(struct phx_sync_rt *rt, const struct phx_sync_rec *r, uint64_t now)
{
	const struct phx_flow_key *k = r->type == PHX_SYNC_SESS_DEL ?
				       &r->u.key : &r->u.sess.key;
	uint32_t h = rte_hash_crc(k, sizeof(*k), 0), i;

	flush_dump(rt, now); /* keep the worker's order */
	for (i = 0; i < SYNC_PEND_MAP; i++) {
		struct pend_slot *sl = &rt->map[(h + i) & (SYNC_PEND_MAP - 1)];
		struct phx_sync_rec *p;

		if (sl->gen != rt->pend_gen) {
			if (rt->n_pend == 0)
				rt->pend_since_ms = now;
			sl->gen = rt->pend_gen;
			sl->idx = (uint16_t)rt->n_pend;
			rt->pend[rt->n_pend++] = *r;
			break;
		}
		p = &rt->pend[sl->idx];
		if (memcmp(p->type == PHX_SYNC_SESS_DEL ? &p->u.key :
			   &p->u.sess.key, k, sizeof(*k)) == 0) {
			if (p->type == PHX_SYNC_SESS_DEL &&
			    r->type != PHX_SYNC_SESS_DEL) {
				flush_deltas(rt, now);
				add_delta(rt, r, now);
				return;
			}
			/* a session first seen here stays NEW for the log */
			uint8_t t = p->type == PHX_SYNC_SESS_NEW &&
				    r->type == PHX_SYNC_SESS_UPD ?
				    PHX_SYNC_SESS_NEW : r->type;

			*p = *r;
			p->type = t;
			rt->cnt[SYNC_CNT_RECORDS_COALESCED]++;
			break;
		}
	}
	if (rt->n_pend == SYNC_PEND_MAX)
		flush_deltas(rt, now);
}

static void
add_dump(struct phx_sync_rt *rt, const struct phx_sync_rec *r, uint8_t dst,
	 uint64_t now)
{
	flush_deltas(rt, now); /* keep the worker's order */
	if (rt->n_fsr > 0 && rt->fs_dst != dst)
		flush_dump(rt, now);
	rt->fs_dst = dst;
	rt->fsr[rt->n_fsr++] = *r;
	if (rt->n_fsr == SYNC_FS_MAX)
		flush_dump(rt, now);
}

/* Request the next dump chunk, or finish the full sync we serve. */
static void
serve_step(struct phx_sync_rt *rt, uint64_t now)
{
	struct phx_dp *dp = rt->ctl->dp;
	struct phx_dp_msg m = { .type = PHX_MSG_DUMP };
	uint32_t cap = phx_sync_tx_cap(rt->tx);

	if (!rt->srv_on || rt->srv_chunk_out)
		return;
	if (rt->srv_worker >= phx_dp_nb_workers(dp)) {
		struct phx_sync_rec r = {
			.type = PHX_SYNC_FS_DONE, .peer = rt->srv_joiner,
			.u.fs = { rt->srv_token, rt->srv_count },
		};

		add_dump(rt, &r, rt->srv_joiner, now);
		flush_dump(rt, now);
		rt->srv_on = false;
		rt->cnt[SYNC_CNT_FS_SERVED]++;
		SYNC_LOG(NOTICE, "full sync to member %u done: %" PRIu32
			 " sessions", rt->srv_joiner, rt->srv_count);
		return;
	}
	/* Pace the dump by the send window: leave half of it to deltas
	 * and retransmissions; and by what the joiner has not ACKed, which
	 * the queue length leaves out once it is not waited for. */
	if (phx_sync_tx_len(rt->tx) > cap / 2 ||
	    phx_sync_tx_peer_outstanding(rt->tx, rt->srv_joiner) > cap / 2)
		return;
	m.from = rt->srv_cursor;
	m.count = SYNC_DUMP_CHUNK;
	if (phx_dp_post(dp, rt->srv_worker, &m) == 0)
		rt->srv_chunk_out = true;
}

/* The serve in progress ends or restarts: a chunk still out will end with
 * a DUMP_END that must not steer the next one. */
static void
serve_abandon(struct phx_sync_rt *rt)
{
	if (rt->srv_chunk_out && rt->srv_worker < PHX_CFG_MAX_WORKERS)
		rt->srv_stale[rt->srv_worker]++;
	rt->srv_chunk_out = false;
}

/* Stop serving the joiner (CCP lost it, or it stopped ACKing: CCP-42)
 * and tell it, with a FS_DONE of status 1, so that it asks again if it
 * still can rather than wait for its full_sync_timeout_s. */
static void
serve_drop(struct phx_sync_rt *rt, uint64_t now, const char *why)
{
	struct phx_sync_rec r = {
		.type = PHX_SYNC_FS_DONE, .peer = rt->srv_joiner, .status = 1,
		.u.fs = { rt->srv_token, rt->srv_count },
	};

	serve_abandon(rt);
	rt->srv_on = false;
	add_dump(rt, &r, rt->srv_joiner, now);
	flush_dump(rt, now);
	SYNC_LOG(WARNING, "full sync to member %u abandoned after %" PRIu32
		 " sessions: %s", rt->srv_joiner, rt->srv_count, why);
}

static void
serve_request(struct phx_sync_rt *rt, uint8_t joiner, uint32_t token,
	      uint64_t now)
{
	struct phx_sync_rec r = {
		.type = PHX_SYNC_FS_BEGIN, .peer = joiner,
		.u.fs = { token, 0 },
	};

	if (rt->srv_on && rt->srv_joiner == joiner && rt->srv_token == token)
		return; /* its repeat while we serve it */
	if (rt->srv_on && rt->srv_joiner != joiner)
		return; /* one at a time: it asks again */
	if (rt->srv_on)
		SYNC_LOG(NOTICE, "member %u asked again (token %" PRIu32
			 "): full sync restarts", joiner, token);
	else
		SYNC_LOG(NOTICE, "full sync requested by member %u", joiner);
	/* It holds our frames from FS_BEGIN on. (Whether CCP hears it is
	 * update_peers' business: marking it live here would make the next
	 * update_peers, if CCP has not heard it yet, drop it and the serve
	 * without a word to the joiner.) */
	if (!phx_sync_tx_peer_live(rt->tx, joiner))
		phx_sync_tx_peer_up(rt->tx, joiner, now);
	/* A chunk of an earlier run still in flight: its records are
	 * upserts the joiner may take, its DUMP_END is ignored. */
	serve_abandon(rt);
	rt->srv_on = true;
	rt->srv_joiner = joiner;
	rt->srv_token = token;
	rt->srv_worker = 0;
	rt->srv_cursor = 0;
	rt->srv_count = 0;
	add_dump(rt, &r, joiner, now);
	serve_step(rt, now);
}

/* ------------------------------------------------------------------ */
/* Session events from the workers                                      */

static unsigned
drain_events(struct phx_sync_rt *rt, uint64_t now)
{
	struct phx_dp *dp = rt->ctl->dp;
	unsigned total = 0, n, i;

	do {
		n = phx_dp_sess_events(dp, rt->ev, SYNC_EV_BURST);
		for (i = 0; i < n; i++) {
			const struct phx_sess_event *e = &rt->ev[i];
			struct phx_sync_rec r = { 0 };

			if (e->type == PHX_SEV_DUMP_END) {
				/* a chunk of the dump we serve ended */
				if (e->worker < PHX_CFG_MAX_WORKERS &&
				    rt->srv_stale[e->worker] != 0) {
					rt->srv_stale[e->worker]--;
					continue;
				}
				if (!rt->srv_on)
					continue;
				rt->srv_chunk_out = false;
				if (e->remaining_ms == UINT32_MAX) {
					rt->srv_worker++;
					rt->srv_cursor = 0;
				} else {
					rt->srv_cursor = e->remaining_ms;
				}
				continue;
			}
			if (!rt->sc->enabled)
				continue;
			if (e->type == PHX_SEV_DEL) {
				r.type = PHX_SYNC_SESS_DEL;
				r.u.key = e->s.key;
				add_delta(rt, &r, now);
				continue;
			}
			phx_sess_to_sync(&e->s, e->remaining_ms, rt->self,
					 &r.u.sess);
			if (e->type == PHX_SEV_FULL) {
				if (!rt->srv_on)
					continue; /* a dump nobody waits for */
				r.type = PHX_SYNC_SESS_FULL;
				rt->srv_count++;
				add_dump(rt, &r, rt->srv_joiner, now);
			} else {
				r.type = e->type == PHX_SEV_NEW ?
					 PHX_SYNC_SESS_NEW : PHX_SYNC_SESS_UPD;
				add_delta(rt, &r, now);
			}
		}
		total += n;
	} while (n == SYNC_EV_BURST && total < SYNC_EV_BUDGET);
	return total;
}

/* ------------------------------------------------------------------ */
/* Receiving                                                            */

/* Post m to worker w, retrying a full ring briefly (the worker drains
 * a burst per loop); then drop, count and say so (SPEC SYNC-39d). A
 * worker that did not make room once is not waited for again in the same
 * frame or poll (rt->post_slow, cleared at their start): the control
 * lcore, which also runs CCP, spins at most SYNC_POST_SPIN_US per worker
 * there. count: a session record (records_applied), not a resync mark. */
static void
post(struct phx_sync_rt *rt, unsigned w, const struct phx_dp_msg *m,
     uint64_t now, bool count)
{
	uint64_t until = 0;

	while (phx_dp_post(rt->ctl->dp, w, m) != 0) {
		uint64_t t = rte_rdtsc();

		if (until == 0)
			until = t + rt->hz * SYNC_POST_SPIN_US / 1000000;
		if (t > until || (rt->post_slow >> w) & 1) {
			rt->post_slow |= UINT64_C(1) << w;
			rt->cnt[SYNC_CNT_APPLY_FAILED]++;
			if (now >= rt->apply_log_ms + SYNC_LOG_GAP_MS) {
				rt->apply_log_ms = now;
				SYNC_LOG(WARNING, "dropped state update: worker "
					 "%u cannot keep up with sync (%" PRIu64
					 " dropped so far)", w,
					 rt->cnt[SYNC_CNT_APPLY_FAILED]);
			}
			return;
		}
		rte_pause();
	}
	if (count)
		rt->cnt[SYNC_CNT_RECORDS_APPLIED]++;
}

/* A resync's MARK or PURGE to every worker (dp_api.h). */
static void
resync_post(struct phx_sync_rt *rt, enum phx_dp_msg_type type, uint64_t now)
{
	struct phx_dp_msg m = { .type = (uint8_t)type };
	unsigned w;

	for (w = 0; w < phx_dp_nb_workers(rt->ctl->dp); w++)
		post(rt, w, &m, now, false);
}

static void
fs_finish(struct phx_sync_rt *rt, enum fs_state st, const char *why)
{
	rt->fs = st;
	snprintf(rt->fs_reason, sizeof(rt->fs_reason), "%s", why);
	/* Only the start's full sync gates the member state; a resync
	 * after a lost-and-regained peer happens while it serves. */
	if (!rt->fs_resync)
		rt->fs_done_pending = true;
	rt->fs_resync = false;
}

/* A piece of the configuration we asked for (in stream order). */
static void
join_data(struct phx_sync_rt *rt, const struct phx_sync_rec *r, uint64_t now)
{
	if (rt->join != JOIN_REQUESTED && rt->join != JOIN_RECEIVING)
		return;
	if (r->u.cfg.offset == 0 && rt->join == JOIN_REQUESTED) {
		free(rt->join_buf);
		rt->join_buf = malloc(r->u.cfg.total + 1);
		if (rt->join_buf == NULL) {
			rt->join = JOIN_FAILED;
			snprintf(rt->join_detail, sizeof(rt->join_detail),
				 "no memory for %" PRIu32 " bytes",
				 r->u.cfg.total);
			return;
		}
		rt->join_total = r->u.cfg.total;
		rt->join_got = 0;
		rt->join = JOIN_RECEIVING;
	}
	if (rt->join != JOIN_RECEIVING || r->u.cfg.total != rt->join_total ||
	    r->u.cfg.offset != rt->join_got) {
		/* a piece given up on by the receive window: ask again */
		rt->join = JOIN_REQUESTED;
		rt->join_token = (uint32_t)rte_rand();
		rt->join_next_req_ms = now;
		return;
	}
	memcpy(rt->join_buf + rt->join_got, r->u.cfg.data, r->u.cfg.n);
	rt->join_got += r->u.cfg.n;
	if (r->status & PHX_SYNC_CF_LAST) {
		rt->join_buf[rt->join_got] = '\0';
		rt->join_ready = true;
	}
}

/*
 * Send our configuration's shared part (phx_config_shared) to a joiner
 * (CFG_REQ), in CFG_DATA records of our sequenced stream, so it arrives
 * complete and in order like everything else.
 */
static void
serve_config(struct phx_sync_rt *rt, uint8_t joiner, uint32_t token,
	     uint64_t now)
{
	json_t *j = phx_config_shared(rt->ctl->cfg);
	char *text = NULL;
	size_t len = 0, off;

	if (j == NULL)
		goto out;
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	len = text != NULL ? strlen(text) : 0;
	/* It must fit what the send window keeps (about five records a
	 * frame) with room to spare. */
	if (len == 0 || len > PHX_SYNC_CFG_MAX ||
	    len / PHX_SYNC_CFG_CHUNK / 5 > phx_sync_tx_cap(rt->tx) / 2) {
		SYNC_LOG(ERR, "cannot send the configuration to member %u: %zu "
			 "bytes", joiner, len);
		goto out;
	}
	if (!phx_sync_tx_peer_live(rt->tx, joiner))
		phx_sync_tx_peer_up(rt->tx, joiner, now);
	for (off = 0; off < len; off += PHX_SYNC_CFG_CHUNK) {
		size_t n = RTE_MIN((size_t)PHX_SYNC_CFG_CHUNK, len - off);
		struct phx_sync_rec r = {
			.type = PHX_SYNC_CFG_DATA, .peer = joiner,
			.status = off + n == len ? PHX_SYNC_CF_LAST : 0,
			.u.cfg = { .token = token, .offset = (uint32_t)off,
				   .total = (uint32_t)len, .n = (uint16_t)n,
				   .data = (const uint8_t *)text + off },
		};

		add_dump(rt, &r, joiner, now);
	}
	flush_dump(rt, now); /* the records point into text */
	rt->cnt[SYNC_CNT_CFG_SERVED]++;
	SYNC_LOG(NOTICE, "configuration sent to member %u (join: auto): %zu "
		 "bytes", joiner, len);
out:
	free(text);
	json_decref(j);
}

/* Apply one delivered frame of member src (stored form: dst byte, body). */
static void send_fs_req(struct phx_sync_rt *rt, uint64_t now);

/* The full sync we run stalled or was abandoned by the server: request
 * it again under a new token (the server starts over; records of the
 * first run are upserts we keep). */
static void
fs_ask_again(struct phx_sync_rt *rt, uint64_t now)
{
	rt->fs = FS_REQUESTED;
	rt->fs_records = 0;
	rt->fs_token = (uint32_t)rte_rand();
	send_fs_req(rt, now);
}

static void
apply_frame(struct phx_sync_rt *rt, uint8_t src, uint32_t seq,
	    const uint8_t *stored, size_t len, uint64_t now)
{
	const struct phx_sync_frame *f = &rt->frame;
	struct phx_dp *dp = rt->ctl->dp;
	bool for_us = stored[0] == 0 || stored[0] == rt->self;
	unsigned i;

	if (!rt->frame_valid || rt->frame_seq != seq) {
		enum phx_sync_err e = phx_sync_decode(stored + 1, len - 1,
						      &rt->frame);

		if (e != PHX_SYNC_OK) { /* cannot happen: checked at input */
			rt->drop[e]++;
			return;
		}
	}
	rt->frame_valid = false;
	for (i = 0; i < f->n; i++) {
		const struct phx_sync_rec *r = &f->rec[i];
		struct phx_dp_msg m = { 0 };
		char why[128];

		switch (r->type) {
		case PHX_SYNC_SESS_NEW:
		case PHX_SYNC_SESS_UPD:
		case PHX_SYNC_SESS_FULL:
		case PHX_SYNC_SESS_DEL:
			rt->cnt[SYNC_CNT_RECORDS_RECEIVED]++;
			if (!for_us) {
				rt->cnt[SYNC_CNT_RX_NOT_FOR_US]++;
				break;
			}
			if (r->type == PHX_SYNC_SESS_DEL) {
				m.type = PHX_MSG_DELETE;
				m.s.key = r->u.key;
			} else {
				m.type = PHX_MSG_INSTALL;
				m.remaining_ms = r->u.sess.remaining_ms;
				phx_sess_from_sync(&r->u.sess, &m.s);
			}
			if (r->type == PHX_SYNC_SESS_FULL &&
			    rt->fs == FS_RUNNING && src == rt->fs_peer) {
				rt->fs_records++;
				rt->fs_rx_ms = now;
			}
			post(rt, phx_dp_sess_worker(dp, &m.s.key), &m, now,
			     true);
			break;
		case PHX_SYNC_CFG_DATA:
			if (r->peer != rt->self)
				break;   /* another joiner's */
			if (src == rt->join_peer &&
			    r->u.cfg.token == rt->join_token)
				join_data(rt, r, now);
			else
				rt->cnt[SYNC_CNT_RX_STALE_CONTROL]++;
			break;
		case PHX_SYNC_FS_BEGIN:
			if (r->peer != rt->self)
				break;
			if (src == rt->fs_peer && rt->fs == FS_REQUESTED &&
			    r->u.fs.token == rt->fs_token) {
				rt->fs = FS_RUNNING;
				rt->fs_rx_ms = now;
				if (rt->fs_resync)
					resync_post(rt, PHX_MSG_RESYNC_MARK,
						    now);
				SYNC_LOG(NOTICE, "full sync from member %u "
					 "started", src);
			} else {
				rt->cnt[SYNC_CNT_RX_STALE_CONTROL]++;
			}
			break;
		case PHX_SYNC_FS_DONE:
			if (r->peer != rt->self)
				break;
			if (src != rt->fs_peer || rt->fs != FS_RUNNING ||
			    r->u.fs.token != rt->fs_token) {
				rt->cnt[SYNC_CNT_RX_STALE_CONTROL]++;
				break;
			}
			if (r->status != 0) {
				/* the server gave up on us: ask again */
				SYNC_LOG(WARNING, "member %u abandoned the full "
					 "sync after %" PRIu64 " sessions; "
					 "asking again", src, rt->fs_records);
				fs_ask_again(rt, now);
				break;
			}
			rt->fs_last_ms = now - rt->fs_start_ms;
			rt->cnt[SYNC_CNT_FS_RECEIVED]++;
			/* what the resync did not bring was deleted on the
			 * peer while the link was down */
			if (rt->fs_resync)
				resync_post(rt, PHX_MSG_RESYNC_PURGE, now);
			snprintf(why, sizeof(why), "full sync from member %u "
				 "done: %" PRIu64 " sessions in %" PRIu64 " ms",
				 src, rt->fs_records, rt->fs_last_ms);
			SYNC_LOG(NOTICE, "%s", why);
			fs_finish(rt, FS_DONE, why);
			break;
		default:
			break;
		}
	}
}

/* Updates of src were given up (SYNC-35; counted by lib/sync_rel): what
 * they carried is gone for good, so a resync follows (full_sync_step
 * decides). Whether to log it now: once a second at most. */
static bool
gave_up(struct phx_sync_rt *rt, uint8_t src, uint64_t now)
{
	rt->resync_peer = src;
	if (now < rt->gaveup_log_ms + SYNC_LOG_GAP_MS)
		return false;
	rt->gaveup_log_ms = now;
	return true;
}

struct deliver_ctx {
	struct phx_sync_rt *rt;
	uint8_t src;
	uint64_t now;
};

static void
rx_deliver(void *arg, uint32_t seq, const uint8_t *stored, size_t len)
{
	struct deliver_ctx *d = arg;

	apply_frame(d->rt, d->src, seq, stored, len, d->now);
}

/* A peer's run changed (restart): its stream starts over, and it must
 * not hold our window back for frames it will never ACK. */
static void
peer_restarted(struct phx_sync_rt *rt, uint8_t src, uint64_t boot,
	       uint64_t now)
{
	struct sync_peer *p = &rt->peer[src];

	if (p->boot_id != 0)
		SYNC_LOG(NOTICE, "member %u restarted: its sync stream starts "
			 "over", src);
	p->boot_id = boot;
	phx_sync_rx_reset(p->rx);
	if (phx_sync_tx_peer_live(rt->tx, src)) {
		phx_sync_tx_peer_down(rt->tx, src);
		phx_sync_tx_peer_up(rt->tx, src, now);
	}
	if (rt->srv_on && rt->srv_joiner == src) {
		serve_abandon(rt);
		rt->srv_on = false; /* its new run asks again */
	}
}

void
phx_sync_input(struct phx_ctl *ctl, const struct phx_ccp_hdr_info *h,
	       const uint8_t *body, size_t len, uint64_t tsc)
{
	struct phx_sync_rt *rt = ctl->sync;
	struct deliver_ctx dc;
	enum phx_sync_err e;
	uint32_t skipped = 0, last = 0, seq;
	uint8_t src;
	uint64_t now;
	unsigned i;

	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	now = now_ms(rt, tsc);
	rt->post_slow = 0;
	rt->cnt[SYNC_CNT_RX_FRAMES]++;
	if (!rt->sc->enabled) {
		rt->cnt[SYNC_CNT_RX_DISABLED]++;
		goto out;
	}
	src = (uint8_t)h->src; /* a configured member other than us:
				* checked by phx_ccp_input and the codec */
	if (src == 0 || src > PHX_CCP_MAX_MEMBERS || src == rt->self)
		goto out;
	if (rt->peer[src].boot_id != h->boot_id) {
		peer_restarted(rt, src, h->boot_id, now);
	} else if (rt->peer[src].lost) {
		/* SPEC SYNC-37: the same run, heard again after CCP lost
		 * it. Its frames of the meantime are gone from its window
		 * (we left its ACK set): count it, say it, start over. */
		rt->cnt[SYNC_CNT_REGAINED]++;
		SYNC_LOG(WARNING, "FW-1: fwldbcast_recv: delta sync connection "
			 "with member %u was lost and regained. Updates sent "
			 "meanwhile were lost.", src);
		phx_sync_rx_reset(rt->peer[src].rx);
		rt->resync_peer = src; /* full_sync_step decides */
	}
	rt->peer[src].lost = false;
	e = phx_sync_decode(body, len, &rt->frame);
	if (e != PHX_SYNC_OK) {
		rt->drop[e]++;
		goto out;
	}
	if (rt->frame.flags & PHX_SYNC_FF_SEQ) {
		enum phx_sync_rx_verdict v;

		/* decoded: len <= PHX_SYNC_MAX_BODY, so it fits rt->in */
		rt->in[0] = h->dst == PHX_CCP_DST_ALL ? 0 : (uint8_t)h->dst;
		memcpy(rt->in + 1, body, len);
		seq = rt->frame.seq;
		rt->frame_seq = seq;
		rt->frame_valid = true;
		dc = (struct deliver_ctx){ rt, src, now };
		/* (delivering queued frames decodes them into rt->frame:
		 * below, this frame is seq, not rt->frame) */
		v = phx_sync_rx_input(rt->peer[src].rx, seq, rt->in, len + 1,
				      now, rx_deliver, &dc, &skipped, &last);
		rt->frame_valid = false;
		/* (a duplicate makes an ACK due in lib/sync_rel, at most one
		 * per ack_ms: a burst of resends draws one ACK, not one per
		 * poll) */
		if (v == PHX_SYNC_RX_LOST) {
			/* SPEC SYNC-37 */
			SYNC_LOG(WARNING, "FW-1: fwldbcast_recv: delta sync "
				 "connection with member %u was lost and "
				 "regained. %" PRIu32 " updates were lost.",
				 src, skipped);
			SYNC_LOG(WARNING, "FW-1: fwldbcast_recv: received "
				 "sequence %" PRIu32 " (fragm 0, index 0), "
				 "last processed seq %" PRIu32,
				 seq, last);
			/* what changed meanwhile is gone: as for a peer
			 * CCP lost and regained (full_sync_step decides) */
			rt->resync_peer = src;
		} else if (v == PHX_SYNC_RX_GAVE_UP && gave_up(rt, src, now)) {
			SYNC_LOG(WARNING, "gave up waiting for updates of "
				 "member %u before seq %" PRIu32 " (receive "
				 "queue %u frames)", src, seq, rt->rx_cap);
		}
		goto out;
	}
	for (i = 0; i < rt->frame.n; i++) {
		const struct phx_sync_rec *r = &rt->frame.rec[i];

		if (r->peer != rt->self)
			continue;
		switch (r->type) {
		case PHX_SYNC_ACK:
			phx_sync_tx_ack(rt->tx, src, r->u.seq, now);
			break;
		case PHX_SYNC_NACK: {
			uint64_t ill = phx_sync_tx_stats(rt->tx)->nack_illegal;

			phx_sync_tx_nack(rt->tx, src, r->u.nack.from,
					 r->u.nack.to, now, tx_resend, rt);
			if (phx_sync_tx_stats(rt->tx)->nack_illegal != ill &&
			    now >= rt->illegal_log_ms + SYNC_LOG_GAP_MS) {
				/* SPEC SYNC-38; once a second at most */
				rt->illegal_log_ms = now;
				SYNC_LOG(WARNING, "FW-1: fwldbcast_retreq: machine "
					 "%u sent a retrans request for seq %"
					 PRIu32 " which is no longer in my "
					 "possession (current seq %" PRIu32 ")",
					 src, r->u.nack.from,
					 phx_sync_tx_next_seq(rt->tx) - 1);
				SYNC_LOG(WARNING, "FW-1: State synchronization is "
					 "in risk. Please examine your "
					 "synchronization network to avoid "
					 "further problems!");
			}
			break;
		}
		case PHX_SYNC_FS_REQ:
			serve_request(rt, src, r->u.fs.token, now);
			break;
		case PHX_SYNC_CFG_REQ:
			serve_config(rt, src, r->u.fs.token, now);
			break;
		default:
			break;
		}
	}
out:
	pthread_mutex_unlock(&rt->lock);
}

/* ------------------------------------------------------------------ */
/* Periodic work                                                        */

/* ACKs and NACKs due to every peer, in one unsequenced frame. */
static void
send_acks(struct phx_sync_rt *rt, uint64_t now)
{
	struct phx_sync_builder b;
	struct deliver_ctx dc;
	unsigned id, k;
	uint32_t gone;
	size_t len;

	/* First what waited too long: delivering it may send (an FS_REQ
	 * rebuilds rt->out), so not while the ACK frame is built there. */
	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++) {
		struct sync_peer *p = &rt->peer[id];

		if (id == rt->self || p->rx == NULL)
			continue;
		dc = (struct deliver_ctx){ rt, (uint8_t)id, now };
		gone = phx_sync_rx_expire(p->rx, now, rx_deliver, &dc);
		if (gone != 0 && gave_up(rt, (uint8_t)id, now))
			SYNC_LOG(WARNING, "gave up waiting for %" PRIu32
				 " updates of member %u that were missing for "
				 "%u ms (not held by it any more)", gone, id,
				 giveup_ms(rt->sc));
	}
	phx_sync_build_init(&b, rt->out + 1, rt->body_cap, false, 0);
	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++) {
		struct sync_peer *p = &rt->peer[id];
		struct phx_sync_rx_out o;

		if (id == rt->self || p->rx == NULL)
			continue;
		phx_sync_rx_poll(p->rx, now, &o);
		if (o.ack) {
			struct phx_sync_rec r = { .type = PHX_SYNC_ACK,
				.peer = (uint8_t)id, .u.seq = o.ack_seq };

			if (phx_sync_build_rec(&b, &r) == 0)
				rt->cnt[SYNC_CNT_TX_ACKS]++;
		}
		for (k = 0; k < o.n_nack; k++) {
			struct phx_sync_rec r = { .type = PHX_SYNC_NACK,
				.peer = (uint8_t)id,
				.u.nack = { o.nack[k].from, o.nack[k].to } };

			(void)phx_sync_build_rec(&b, &r);
		}
	}
	len = phx_sync_build_finish(&b);
	if (len == 0)
		return;
	rt->out[0] = 0;
	send_body(rt, rt->out, len + 1);
}

/* Follow CCP's view of the peers: the sender's ACK set is the peers
 * heard now (SPEC SYNC-44's F&A peers). */
static void
update_peers(struct phx_sync_rt *rt, uint64_t now)
{
	uint8_t live = phx_ccp_peer_states(rt->ctl, rt->peer_state,
					   &rt->peer_same_cfg);
	unsigned id;

	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++) {
		struct sync_peer *p = &rt->peer[id];
		bool l = (live >> id) & 1;

		if (id == rt->self || p->rx == NULL || l == p->live)
			continue;
		p->live = l;
		if (l) {
			/* serve_request may have added it first: keep what
			 * it holds for it */
			if (!phx_sync_tx_peer_live(rt->tx, id))
				phx_sync_tx_peer_up(rt->tx, id, now);
		} else {
			phx_sync_tx_peer_down(rt->tx, id);
			/* What it sends next belongs to a new run (its boot
			 * id says so) or to a regained link: phx_sync_input
			 * tells them apart and starts its stream afresh. */
			p->lost = true;
			if (rt->srv_on && rt->srv_joiner == id)
				serve_drop(rt, now, "the cluster protocol "
					   "lost it");
		}
	}
}

static bool
state_has_sessions(uint8_t st)
{
	return st == PHX_CCP_STATE_ACTIVE ||
	       st == PHX_CCP_STATE_ACTIVE_ATTENTION ||
	       st == PHX_CCP_STATE_STANDBY || st == PHX_CCP_STATE_DOWN;
}

/* Whether member id speaks our sync version, as far as its heartbeats
 * say (one that announces none is given the benefit of the doubt). */
static bool
sync_compatible(const struct phx_sync_rt *rt, uint8_t id)
{
	uint8_t theirs = phx_ccp_peer_sync_version(rt->ctl, id, NULL, 0);

	return theirs == 0 || theirs == PHX_SYNC_VERSION;
}

/* The peer to ask: an active one first, else one that has been synced;
 * with compat, only one that speaks our sync version (SYNC-20). */
static uint8_t
pick_server(const struct phx_sync_rt *rt, bool compat)
{
	uint8_t best = 0;
	unsigned id;

	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++) {
		uint8_t st = rt->peer_state[id];

		if (id == rt->self || !state_has_sessions(st) ||
		    (compat && !sync_compatible(rt, (uint8_t)id)))
			continue;
		if (st == PHX_CCP_STATE_ACTIVE ||
		    st == PHX_CCP_STATE_ACTIVE_ATTENTION)
			return (uint8_t)id;
		if (best == 0)
			best = (uint8_t)id;
	}
	return best;
}

/*
 * The full sync handshake (SPEC SYNC-20): go on with member srv only if
 * it speaks our sync version (its heartbeats' platform TLV says so; its
 * sync frames would be bad_version to us and ours to it). A peer that
 * announces none (an older phalanx) is asked anyway: the frames' own
 * version field decides. Software versions that differ are CCP's
 * warning (control/ccp.c); the sync goes on. False: finished as
 * FS_REFUSED, logged.
 */
static bool
handshake(struct phx_sync_rt *rt, uint8_t srv)
{
	char ver[PHX_CCP_VERSION_LEN + 1], why[sizeof(rt->fs_reason)];
	uint8_t theirs = phx_ccp_peer_sync_version(rt->ctl, srv, ver,
						   sizeof(ver));

	if (theirs == 0 || theirs == PHX_SYNC_VERSION)
		return true;
	snprintf(why, sizeof(why), "full sync handshake with member %u "
		 "failed: it runs phalanx %s with sync version %u, this member "
		 "speaks %u; this member will not be fully synchronized", srv,
		 ver, theirs, PHX_SYNC_VERSION);
	SYNC_LOG(WARNING, "%s", why);
	rt->cnt[SYNC_CNT_FS_REFUSED]++;
	rt->fs_peer = srv;
	fs_finish(rt, FS_REFUSED, why);
	return false;
}

/* A request (FS_REQ, CFG_REQ) of ours to member peer, unsequenced: the
 * caller repeats it until answered. Returns when to repeat it. */
static uint64_t
send_request(struct phx_sync_rt *rt, uint8_t type, uint8_t peer,
	     uint32_t token, uint64_t now)
{
	struct phx_sync_builder b;
	struct phx_sync_rec r = { .type = type, .peer = peer,
				  .u.fs = { token, 0 } };
	size_t len;

	phx_sync_build_init(&b, rt->out + 1, rt->body_cap, false, 0);
	if (phx_sync_build_rec(&b, &r) == 0) {
		len = phx_sync_build_finish(&b);
		rt->out[0] = peer;
		send_body(rt, rt->out, len + 1);
	}
	return now + 4 * (uint64_t)rt->sc->retransmit_ms + 20;
}

static void
send_fs_req(struct phx_sync_rt *rt, uint64_t now)
{
	rt->fs_next_req_ms = send_request(rt, PHX_SYNC_FS_REQ, rt->fs_peer,
					  rt->fs_token, now);
	rt->cnt[SYNC_CNT_FS_REQUESTS]++;
}

static void
send_cfg_req(struct phx_sync_rt *rt, uint64_t now)
{
	rt->join_next_req_ms = send_request(rt, PHX_SYNC_CFG_REQ,
					    rt->join_peer, rt->join_token, now);
}

static uint8_t
active_peer(const struct phx_sync_rt *rt)
{
	unsigned id;

	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++)
		if (id != rt->self &&
		    (rt->peer_state[id] == PHX_CCP_STATE_ACTIVE ||
		     rt->peer_state[id] == PHX_CCP_STATE_ACTIVE_ATTENTION))
			return (uint8_t)id;
	return 0;
}

static void
join_finish(struct phx_sync_rt *rt, enum join_state st, const char *why)
{
	rt->join = st;
	snprintf(rt->join_detail, sizeof(rt->join_detail), "%s", why);
	if (st == JOIN_FAILED)
		SYNC_LOG(WARNING, "join: auto: %s", why);
	else
		SYNC_LOG(NOTICE, "join: auto: %s", why);
	free(rt->join_buf);
	rt->join_buf = NULL;
}

/*
 * join: auto, before the full sync: ask the active member for its
 * configuration and run it (phx_ctl_adopt). Returns true while the full
 * sync must wait for it.
 */
static bool
join_step(struct phx_sync_rt *rt, uint64_t now)
{
	char why[1024];
	uint8_t act;

	switch (rt->join) {
	case JOIN_WAIT:
		act = active_peer(rt);
		if (act == 0) {
			if (now < rt->fs_start_ms + rt->fs_wait_ms)
				return true;
			join_finish(rt, JOIN_ALONE, "no active member: this "
				    "member's own configuration stands");
			rt->fs_start_ms = now;
			return false;
		}
		if ((rt->peer_same_cfg >> act) & 1) {
			snprintf(why, sizeof(why), "member %u runs the same "
				 "configuration", act);
			join_finish(rt, JOIN_SAME, why);
			rt->fs_start_ms = now;
			return false;
		}
		rt->join_peer = act;
		rt->join_token = (uint32_t)rte_rand();
		rt->join_deadline_ms = now +
			(uint64_t)rt->sc->full_sync_timeout_s * 1000;
		rt->join = JOIN_REQUESTED;
		SYNC_LOG(NOTICE, "join: auto: asking member %u for the "
			 "cluster's configuration", act);
		send_cfg_req(rt, now);
		return true;
	case JOIN_REQUESTED:
	case JOIN_RECEIVING:
		if (rt->join_ready) {
			char path[512];

			rt->join_ready = false;
			snprintf(path, sizeof(path), "%s/%s",
				 rte_eal_get_runtime_dir(), SYNC_ADOPTED_FILE);
			if (phx_ctl_adopt(rt->ctl, rt->join_buf, rt->join_got,
					  path) == 0) {
				snprintf(why, sizeof(why), "adopted member "
					 "%u's configuration (%" PRIu32
					 " bytes), saved to %s", rt->join_peer,
					 rt->join_got, path);
				join_finish(rt, JOIN_ADOPTED, why);
			} else {
				snprintf(why, sizeof(why), "member %u's "
					 "configuration not adopted: %.400s "
					 "(saved to %s: restart with it)",
					 rt->join_peer,
					 rt->ctl->reload_status, path);
				join_finish(rt, JOIN_FAILED, why);
			}
			rt->fs_start_ms = now;
			return false;
		}
		if (now >= rt->join_deadline_ms ||
		    !state_has_sessions(rt->peer_state[rt->join_peer])) {
			snprintf(why, sizeof(why), "no configuration from "
				 "member %u: this member keeps its own",
				 rt->join_peer);
			join_finish(rt, JOIN_FAILED, why);
			rt->fs_start_ms = now;
			return false;
		}
		if (rt->join == JOIN_REQUESTED && now >= rt->join_next_req_ms)
			send_cfg_req(rt, now);
		return true;
	default:
		return false;
	}
}

/*
 * After a lost-and-regained peer: a member that does not forward asks the
 * active one for its whole table again (what changed meanwhile is gone
 * from the active's window), as at start but without holding the member
 * state. The active member does nothing: the peer asks it.
 */
static void
resync_step(struct phx_sync_rt *rt, uint64_t now)
{
	uint8_t x = rt->resync_peer;
	uint8_t st = rt->peer_state[x];

	if (rt->fs != FS_DONE && rt->fs != FS_NOT_NEEDED &&
	    rt->fs != FS_TIMED_OUT && rt->fs != FS_REFUSED)
		return; /* one in progress, or the start's still to come */
	rt->resync_peer = 0;
	if (phx_dp_cluster_forwarding(rt->ctl->dp) ||
	    (st != PHX_CCP_STATE_ACTIVE &&
	     st != PHX_CCP_STATE_ACTIVE_ATTENTION))
		return;
	rt->fs_resync = true;
	if (!handshake(rt, x))
		return;
	rt->fs_peer = x;
	rt->fs_token = (uint32_t)rte_rand();
	rt->fs_records = 0;
	rt->fs_start_ms = now;
	rt->fs_deadline_ms = now +
		(uint64_t)rt->sc->full_sync_timeout_s * 1000;
	rt->fs = FS_REQUESTED;
	rt->cnt[SYNC_CNT_RESYNCS]++;
	SYNC_LOG(NOTICE, "asking member %u for a full sync again (resync "
		 "after the lost sync connection)", x);
	send_fs_req(rt, now);
}

static void
full_sync_step(struct phx_sync_rt *rt, uint64_t now)
{
	if (rt->resync_peer != 0)
		resync_step(rt, now);
	if (rt->fs == FS_WAIT_PEERS && join_step(rt, now))
		return;
	switch (rt->fs) {
	case FS_WAIT_PEERS: {
		uint8_t srv = pick_server(rt, true);

		/* only peers of another sync version: the handshake
		 * with the best of them fails, and says so */
		if (srv == 0 && (srv = pick_server(rt, false)) != 0 &&
		    !handshake(rt, srv))
			return;
		if (srv == 0) {
			if (now >= rt->fs_start_ms + rt->fs_wait_ms)
				fs_finish(rt, FS_NOT_NEEDED, "no peer with "
					  "sessions: nothing to sync from");
			return;
		}
		rt->fs_peer = srv;
		rt->fs_token = (uint32_t)rte_rand();
		rt->fs_records = 0;
		rt->fs_deadline_ms = now +
			(uint64_t)rt->sc->full_sync_timeout_s * 1000;
		rt->fs = FS_REQUESTED;
		SYNC_LOG(NOTICE, "asking member %u for a full sync", srv);
		send_fs_req(rt, now);
		return;
	}
	case FS_REQUESTED:
	case FS_RUNNING:
		if (now >= rt->fs_deadline_ms) {
			char why[128];

			rt->cnt[SYNC_CNT_FS_TIMEOUTS]++;
			snprintf(why, sizeof(why), "full sync from member %u "
				 "timed out after %u s (%" PRIu64 " sessions): "
				 "this member will not be fully synchronized",
				 rt->fs_peer, rt->sc->full_sync_timeout_s,
				 rt->fs_records);
			SYNC_LOG(WARNING, "%s", why);
			fs_finish(rt, FS_TIMED_OUT, why);
			return;
		}
		if (!state_has_sessions(rt->peer_state[rt->fs_peer])) {
			SYNC_LOG(WARNING, "full sync server member %u is gone; "
				 "looking for another", rt->fs_peer);
			rt->fs = FS_WAIT_PEERS;
			rt->fs_wait_ms = 0; /* no other: done at once */
			return;
		}
		/* FS_BEGIN lost before our stream from it started (then it
		 * cannot be NACKed): ask again with a new token. */
		if (now >= rt->fs_next_req_ms && rt->fs == FS_REQUESTED) {
			rt->fs_token = (uint32_t)rte_rand();
			send_fs_req(rt, now);
		}
		/* Running, but nothing of it came for a while: the server
		 * dropped it (its FS_DONE saying so can be lost) or its
		 * stream to us is broken. */
		if (rt->fs == FS_RUNNING && now >= rt->fs_rx_ms + SYNC_FS_IDLE_MS) {
			SYNC_LOG(WARNING, "full sync from member %u brought "
				 "nothing for %u ms (%" PRIu64 " sessions so "
				 "far); asking again", rt->fs_peer,
				 SYNC_FS_IDLE_MS, rt->fs_records);
			fs_ask_again(rt, now);
		}
		return;
	default:
		return;
	}
}

/* SPEC SYNC-60..63: block new connections while the sending queue is
 * above the threshold; release below 3/4 of it (a little hysteresis). */
static void
check_blocking(struct phx_sync_rt *rt)
{
	uint64_t len, cap;

	if (!rt->sc->block_new_conns)
		return;
	len = phx_sync_tx_len(rt->tx);
	cap = phx_sync_tx_cap(rt->tx);
	if (!rt->blocking && len * 100 >= cap * rt->sc->block_threshold) {
		rt->blocking = true;
		rt->cnt[SYNC_CNT_BLOCKING]++;
		phx_dp_sync_block(rt->ctl->dp, true,
				  (uint8_t)rt->sc->allowed_protocols);
		SYNC_LOG(WARNING, "sync queue full (%" PRIu64 " of %" PRIu64
			 " frames unacknowledged): blocking new connections",
			 len, cap);
	} else if (rt->blocking &&
		   len * 400 < cap * rt->sc->block_threshold * 3) {
		rt->blocking = false;
		phx_dp_sync_block(rt->ctl->dp, false, 0);
		SYNC_LOG(NOTICE, "sync queue back to %" PRIu64 " frames: new "
			 "connections admitted again", len);
	}
}

/* SPEC CCP-42: say when a peer stops being waited for (no ACK for
 * ack_timeout_ms; lib/sync_rel decides) and when it is back. A joiner we
 * serve that stopped ACKing is served no longer: it asks again. */
static void
check_ack_timeouts(struct phx_sync_rt *rt, uint64_t now)
{
	unsigned id;

	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++) {
		bool t = phx_sync_tx_peer_timed_out(rt->tx, id);
		uint8_t bit = (uint8_t)(1u << id);

		if (t == ((rt->peer_timed_out & bit) != 0))
			continue;
		if (t) {
			rt->peer_timed_out |= bit;
			SYNC_LOG(WARNING, "FW-1: fwldbcast_timer: peer %u "
				 "probably stopped: no ACK for %u ms; not "
				 "waiting for it (%" PRIu32 " frames "
				 "unacknowledged)", id,
				 ack_timeout_ms(rt->sc),
				 phx_sync_tx_peer_outstanding(rt->tx, id));
			if (rt->srv_on && rt->srv_joiner == id)
				serve_drop(rt, now, "it stopped acknowledging");
		} else {
			rt->peer_timed_out &= (uint8_t)~bit;
			if (phx_sync_tx_peer_live(rt->tx, id))
				SYNC_LOG(NOTICE, "peer %u acknowledges sync "
					 "updates again", id);
		}
	}
}

/* Workers that found the event ring full (S0's "sync queue full"). */
static void
check_events_lost(struct phx_sync_rt *rt, uint64_t now)
{
	struct phx_dp_stats st;

	if (now < rt->ev_lost_log_ms + SYNC_LOG_GAP_MS)
		return;
	phx_dp_stats_sum(rt->ctl->dp, &st);
	if (st.cnt[PHX_CNT_SYNC_EVENTS_LOST] != rt->ev_lost_seen) {
		SYNC_LOG(WARNING, "sync queue full: %" PRIu64 " session "
			 "updates of workers were lost (dropped state update)",
			 st.cnt[PHX_CNT_SYNC_EVENTS_LOST] - rt->ev_lost_seen);
		rt->ev_lost_seen = st.cnt[PHX_CNT_SYNC_EVENTS_LOST];
	}
	rt->ev_lost_log_ms = now;
}

/* Settings from a reload (phx_sync_config_changed), under lock. */
static void
settings_apply(struct phx_sync_rt *rt, const struct phx_cfg_sync *nc,
	       uint32_t cpha_ms, uint32_t dead_count)
{
	struct phx_cfg_sync *sc = &rt->sc_live;
	unsigned id;

	rt->cpha_ms = cpha_ms;
	/* (phx_sync_start's wait for the peers, in case the reload is a
	 * join: auto adoption that is still to wait for them) */
	rt->fs_wait_ms = 2 * (uint64_t)cpha_ms * dead_count;
	if (nc->ack_every == sc->ack_every && nc->ack_ms == sc->ack_ms &&
	    nc->retransmit_ms == sc->retransmit_ms &&
	    nc->flush_us == sc->flush_us &&
	    nc->full_sync_timeout_s == sc->full_sync_timeout_s &&
	    nc->block_new_conns == sc->block_new_conns &&
	    nc->block_threshold == sc->block_threshold &&
	    nc->allowed_protocols == sc->allowed_protocols)
		return;
	/* (the configuration was validated: neither refuses) */
	if (phx_sync_tx_set_timing(rt->tx, nc->retransmit_ms,
				   nc->retransmit_ms / 2 + 1,
				   ack_timeout_ms(nc)) != 0)
		goto bug;
	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++)
		if (rt->peer[id].rx != NULL &&
		    phx_sync_rx_set_timing(rt->peer[id].rx, nc->ack_every,
					   nc->ack_ms, nc->retransmit_ms,
					   giveup_ms(nc)) != 0)
			goto bug;
	sc->ack_every = nc->ack_every;
	sc->ack_ms = nc->ack_ms;
	sc->retransmit_ms = nc->retransmit_ms;
	sc->flush_us = nc->flush_us;
	sc->full_sync_timeout_s = nc->full_sync_timeout_s;
	sc->block_threshold = nc->block_threshold;
	sc->allowed_protocols = nc->allowed_protocols;
	/* blocking switched off, or admitting other protocols, while it
	 * blocks: the workers learn at once; the threshold is checked at
	 * the next poll */
	if (rt->blocking && !nc->block_new_conns) {
		rt->blocking = false;
		phx_dp_sync_block(rt->ctl->dp, false, 0);
		SYNC_LOG(NOTICE, "new-connection blocking switched off: new "
			 "connections admitted again");
	} else if (rt->blocking) {
		phx_dp_sync_block(rt->ctl->dp, true,
				  (uint8_t)nc->allowed_protocols);
	}
	sc->block_new_conns = nc->block_new_conns;
	SYNC_LOG(NOTICE, "settings changed: ACK every %u frames or %u ms, "
		 "retransmit %u ms, flush %u us, full sync timeout %u s, "
		 "new-connection blocking %s (threshold %u%%, allowed "
		 "protocols %u)", sc->ack_every, sc->ack_ms,
		 sc->retransmit_ms, sc->flush_us, sc->full_sync_timeout_s,
		 sc->block_new_conns ? "on" : "off", sc->block_threshold,
		 sc->allowed_protocols);
	return;
bug:
	SYNC_LOG(ERR, "settings from the reload refused (bug): the old "
		 "ones stay in part");
}

void
phx_sync_config_changed(struct phx_ctl *ctl, const struct phx_config *cfg)
{
	struct phx_sync_rt *rt = ctl->sync;

	if (rt == NULL)
		return;
	if (!rt->in_poll)
		pthread_mutex_lock(&rt->lock);
	settings_apply(rt, &cfg->cluster.sync, cfg->cluster.hello_ms,
		       cfg->cluster.dead_count);
	if (!rt->in_poll)
		pthread_mutex_unlock(&rt->lock);
}

unsigned
phx_sync_poll(struct phx_ctl *ctl, uint64_t tsc)
{
	struct phx_sync_rt *rt = ctl->sync;
	bool done = false;
	char why[sizeof(rt->fs_reason)];
	unsigned work;
	uint64_t now;

	if (rt == NULL)
		return phx_dp_sess_events(ctl->dp, ctl->ev, PHX_DIM(ctl->ev));
	pthread_mutex_lock(&rt->lock);
	rt->in_poll = true;
	now = now_ms(rt, tsc);
	rt->post_slow = 0;
	work = drain_events(rt, now);
	if (rt->sc->enabled) {
		if (now >= rt->next_peers_ms) {
			update_peers(rt, now);
			full_sync_step(rt, now);
			check_events_lost(rt, now);
			rt->next_peers_ms = now + SYNC_PEERS_MS;
		}
		serve_step(rt, now);
		if (rt->n_pend > 0 &&
		    (now - rt->pend_since_ms) * 1000 >= rt->sc->flush_us)
			flush_deltas(rt, now);
		flush_dump(rt, now);
		work += phx_sync_tx_poll(rt->tx, now, tx_resend, rt);
		check_ack_timeouts(rt, now);
		send_acks(rt, now);
		check_blocking(rt);
	}
	if (rt->fs_done_pending) {
		rt->fs_done_pending = false;
		done = true;
		snprintf(why, sizeof(why), "%s", rt->fs_reason);
	}
	rt->in_poll = false;
	pthread_mutex_unlock(&rt->lock);
	if (done)
		phx_ccp_sync_done(ctl, why);
	return work;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

int
phx_sync_create(struct phx_ctl *ctl)
{
	const struct phx_config *cfg = phx_dp_config(ctl->dp);
	const struct phx_cfg_cluster *cc = &cfg->cluster;
	struct phx_sync_tx_cfg tc;
	struct phx_sync_rx_cfg rc;
	struct phx_sync_rt *rt;
	unsigned id, mtu;

	ctl->sync = NULL;
	if (!cc->enabled)
		return 0;
	rt = rte_zmalloc("phx_sync", sizeof(*rt), 0);
	if (rt == NULL)
		return -ENOMEM;
	pthread_mutex_init(&rt->lock, NULL);
	rt->ctl = ctl;
	rt->cc = cc;
	rt->sc_live = cc->sync;
	rt->sc = &rt->sc_live;
	rt->cpha_ms = cc->hello_ms;
	rt->hz = rte_get_tsc_hz();
	rt->self = cc->member;
	/* Frames fit the sync port's MTU (SPEC SYNC-74): IPv4, UDP, the
	 * CPHA header, the CCP extension and the tag around the body. */
	mtu = phx_dp_port(ctl->dp, (unsigned)cc->sync_port)->mtu;
	rt->body_cap = PHX_SYNC_MAX_BODY;
	if (mtu < 1500)
		rt->body_cap = mtu > 576 ? mtu - (1500 - PHX_SYNC_MAX_BODY) :
			       576 - (1500 - PHX_SYNC_MAX_BODY);
	tc = (struct phx_sync_tx_cfg){
		.cap = rt->sc->send_queue,
		.max_frame = (uint32_t)rt->body_cap + 1,
		.rto_ms = rt->sc->retransmit_ms,
		.dup_window_ms = rt->sc->retransmit_ms / 2 + 1,
		.max_burst = 64,
		.ack_timeout_ms = ack_timeout_ms(rt->sc),
	};
	/* A window larger than what the peers keep for retransmission (they
	 * run the same configuration) would wait for frames no peer holds
	 * any more: a frame past their send queue is given up instead. */
	rt->rx_cap = RTE_MIN(rt->sc->recv_queue, rt->sc->send_queue);
	if (rt->rx_cap < rt->sc->recv_queue)
		SYNC_LOG(NOTICE, "recv_queue %u is larger than send_queue %u: "
			 "the receive window is %u frames", rt->sc->recv_queue,
			 rt->sc->send_queue, rt->rx_cap);
	rc = (struct phx_sync_rx_cfg){
		.cap = rt->rx_cap,
		.max_frame = (uint32_t)rt->body_cap + 1,
		.ack_every = rt->sc->ack_every,
		.ack_ms = rt->sc->ack_ms,
		.nack_ms = rt->sc->retransmit_ms,
		.lost_jump = rt->rx_cap * 16,
		.giveup_ms = giveup_ms(rt->sc),
	};
	rt->tx = phx_sync_tx_create(&tc);
	if (rt->tx == NULL)
		goto fail;
	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++) {
		unsigned i;
		bool member = false;

		for (i = 0; i < cc->n_members; i++)
			member |= cc->members[i] == id;
		if (!member || id == rt->self)
			continue;
		rt->peer[id].rx = phx_sync_rx_create(&rc);
		if (rt->peer[id].rx == NULL)
			goto fail;
	}
	rt->pend_gen = 1;
	rt->fs = FS_NONE;
	ctl->sync = rt;
	if (!rt->sc->enabled)
		SYNC_LOG(WARNING, "state sync is DISABLED by configuration "
			 "(cluster.sync.enabled: false): connections will not "
			 "survive a failover");
	return 0;
fail:
	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++)
		phx_sync_rx_free(rt->peer[id].rx);
	phx_sync_tx_free(rt->tx);
	rte_free(rt);
	return -ENOMEM;
}

void
phx_sync_start(struct phx_ctl *ctl)
{
	struct phx_sync_rt *rt = ctl->sync;

	if (rt == NULL || !rt->sc->enabled)
		return;
	pthread_mutex_lock(&rt->lock);
	rt->join = rt->cc->join == PHX_JOIN_AUTO ? JOIN_WAIT : JOIN_OFF;
	rt->fs = FS_WAIT_PEERS;
	rt->fs_start_ms = now_ms(rt, rte_rdtsc());
	/* Long enough to hear every live peer's heartbeat twice over. */
	rt->fs_wait_ms = 2 * (uint64_t)rt->cc->hello_ms * rt->cc->dead_count;
	pthread_mutex_unlock(&rt->lock);
}

void
phx_sync_free(struct phx_ctl *ctl)
{
	struct phx_sync_rt *rt = ctl->sync;
	unsigned id;

	if (rt == NULL)
		return;
	ctl->sync = NULL;
	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++)
		phx_sync_rx_free(rt->peer[id].rx);
	phx_sync_tx_free(rt->tx);
	free(rt->join_buf);
	pthread_mutex_destroy(&rt->lock);
	rte_free(rt);
}

/* ------------------------------------------------------------------ */
/* Telemetry (telemetry thread, under rt->lock)                         */

static const char *
status_text(const struct phx_sync_rt *rt)
{
	if (!rt->sc->enabled)
		return "Sync disabled by configuration";
	if (rt->fs == FS_REQUESTED || rt->fs == FS_RUNNING)
		return "Receiving full sync";
	if (rt->fs == FS_WAIT_PEERS)
		return "Starting: listening for peers";
	if (rt->fs == FS_REFUSED)
		return "Not synchronized: a peer speaks another sync version";
	return "Able to Send/Receive sync packets";
}

int
phx_sync_tel(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	struct phx_sync_rt *rt = ctl->sync;
	const struct phx_sync_tx_stats *ts;
	struct rte_tel_data *peers;
	struct phx_dp_stats st;
	uint64_t sent_nack = 0, missing = 0, old = 0, unsynced = 0;
	uint64_t lost = 0, queued = 0, qframes = 0;
	unsigned id, i;
	char name[48];

	(void)params;
	if (rt == NULL)
		return -ENOTSUP; /* standalone: the CLI says so */
	peers = rte_tel_data_alloc();
	if (peers == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(peers, RTE_TEL_INT_VAL);
	phx_dp_stats_sum(ctl->dp, &st);
	pthread_mutex_lock(&rt->lock);
	ts = phx_sync_tx_stats(rt->tx);
	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++) {
		const struct phx_sync_rx_stats *rs;

		if (rt->peer[id].rx == NULL)
			continue;
		if (rt->peer[id].live)
			rte_tel_data_add_array_int(peers, (int)id);
		rs = phx_sync_rx_stats(rt->peer[id].rx);
		sent_nack += rs->nack_reqs;
		missing += rs->nack_seqs;
		old += rs->duplicates;
		unsynced += rs->unsynced_missing;
		lost += rs->lost_events;
		queued += rs->queued;
		qframes += phx_sync_rx_queued(rt->peer[id].rx);
	}
	rte_tel_data_start_dict(d);
#define U(k, v) rte_tel_data_add_dict_u64(d, k, v)
	U("enabled", rt->sc->enabled);
	rte_tel_data_add_dict_string(d, "version", "new");
	rte_tel_data_add_dict_string(d, "status", status_text(rt));
	U("member", rt->self);
	rte_tel_data_add_dict_container(d, "fa_peers", peers, 0);
	rte_tel_data_add_dict_string(d, "full_sync_state",
				     fs_state_names[rt->fs]);
	U("full_sync_peer", rt->fs == FS_NOT_NEEDED ? 0 : rt->fs_peer);
	U("full_sync_records", rt->fs_records);
	U("full_sync_ms", rt->fs_last_ms);
	rte_tel_data_add_dict_string(d, "join_state",
				     join_state_names[rt->join]);
	rte_tel_data_add_dict_string(d, "join_detail", rt->join_detail);
	/* Other Member Updates (SPEC 6.6) */
	U("sent_retrans_reqs", sent_nack);
	U("missing_requested", missing);
	U("old_or_too_new", old);
	U("unsynced_missing", unsynced);
	U("lost_sync_events", lost + rt->cnt[SYNC_CNT_REGAINED]);
	U("timed_out_sync", ts->peer_timeouts); /* CCP-42 */
	/* Local Updates */
	U("generated", ts->generated);
	U("recv_retrans_reqs", ts->nack_reqs);
	U("recv_dup_retrans_reqs", ts->nack_dup);
	U("blocking_scenarios", rt->cnt[SYNC_CNT_BLOCKING]);
	U("blocked_packets", st.drop[PHX_DROP_SYNC_BLOCKED] -
	  RTE_MIN(rt->blocked_base, st.drop[PHX_DROP_SYNC_BLOCKED]));
	U("send_queue_max", ts->max_len);
	U("send_queue_sum", ts->len_sum);
	U("send_queue_samples", ts->len_samples);
	U("hold_events", 0);
	U("unhold_events", 0);
	U("not_held_no_members", 0);
	U("held_max_ticks", 0);
	U("held_sum_ticks", 0);
	/* Timers and queues */
	U("sync_tick_ms", rt->sc->ack_ms);
	U("cpha_tick_ms", rt->cpha_ms);
	U("send_queue_size", phx_sync_tx_cap(rt->tx));
	U("recv_queue_size", rt->rx_cap);
	U("send_queue_len", phx_sync_tx_len(rt->tx));
	/* fw ctl pstat (SPEC 6.7) */
	U("tx_frames", rt->cnt[SYNC_CNT_TX_FRAMES]);
	U("tx_retransmitted", ts->retransmitted);
	U("tx_retrans_reqs", sent_nack);
	U("tx_acks", rt->cnt[SYNC_CNT_TX_ACKS]);
	U("rx_frames", rt->cnt[SYNC_CNT_RX_FRAMES]);
	U("rx_queued", queued);
	U("rx_dropped_by_net", missing);
	U("rx_retrans_reqs", ts->nack_reqs);
	U("rx_acks", ts->acks);
	U("retrans_reqs_illegal", ts->nack_illegal);
	U("cb_handled", 0);
	U("cb_delay_sum", 0);
	U("cb_max_delay", 0);
	U("dropped_overload", rt->cnt[SYNC_CNT_APPLY_FAILED]);
	U("delta_mem_kb", qframes * (rt->body_cap + 1) / 1024);
	U("pending_held", 0);
	U("released_timeout", 0);
	U("events_lost", st.cnt[PHX_CNT_SYNC_EVENTS_LOST]);
	for (i = 0; i < SYNC_CNT_MAX; i++)
		if (i != SYNC_CNT_TX_FRAMES && i != SYNC_CNT_TX_ACKS &&
		    i != SYNC_CNT_RX_FRAMES && i != SYNC_CNT_BLOCKING)
			U(sync_counter_names[i], rt->cnt[i]);
	U("evicted_unacked", ts->evicted_unacked);
	U("retransmit_timeouts", ts->timeouts);
	for (i = 1; i < PHX_SYNC_ERR_MAX; i++) {
		snprintf(name, sizeof(name), "drop_%s",
			 phx_sync_err_name((enum phx_sync_err)i));
		U(name, rt->drop[i]);
	}
#undef U
	/* -1 disabled, 0 watching, 1 blocking now (SPEC SYNC-60) */
	rte_tel_data_add_dict_int(d, "block_new_conns",
				  !rt->sc->block_new_conns ? -1 :
				  rt->blocking ? 1 : 0);
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

int
phx_sync_tel_peers(struct phx_ctl *ctl, const char *params,
		   struct rte_tel_data *d)
{
	struct phx_sync_rt *rt = ctl->sync;
	uint64_t now;
	unsigned id;

	(void)params;
	if (rt == NULL)
		return -ENOTSUP;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&rt->lock);
	now = now_ms(rt, rte_rdtsc());
	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++) {
		struct sync_peer *p = &rt->peer[id];
		struct rte_tel_data *v;
		char key[8];

		if (p->rx == NULL || (v = rte_tel_data_alloc()) == NULL)
			continue;
		rte_tel_data_start_dict(v);
		rte_tel_data_add_dict_u64(v, "live", p->live);
		rte_tel_data_add_dict_u64(v, "acking",
			!phx_sync_tx_peer_timed_out(rt->tx, id));
		rte_tel_data_add_dict_u64(v, "acked",
			phx_sync_tx_peer_acked(rt->tx, id));
		rte_tel_data_add_dict_u64(v, "lag_ms",
			phx_sync_tx_peer_live(rt->tx, id) ?
			phx_sync_tx_peer_lag_ms(rt->tx, id, now) : 0);
		rte_tel_data_add_dict_u64(v, "rx_started",
			phx_sync_rx_started(p->rx));
		rte_tel_data_add_dict_u64(v, "rx_expected",
			phx_sync_rx_expected(p->rx));
		rte_tel_data_add_dict_u64(v, "rx_queued",
			phx_sync_rx_queued(p->rx));
		snprintf(key, sizeof(key), "m%u", id);
		rte_tel_data_add_dict_container(d, key, v, 0);
	}
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

int
phx_sync_tel_reset(struct phx_ctl *ctl, const char *params,
		   struct rte_tel_data *d)
{
	struct phx_sync_rt *rt = ctl->sync;
	struct phx_dp_stats st;
	unsigned id;

	(void)params;
	if (rt == NULL)
		return -ENOTSUP;
	phx_dp_stats_sum(ctl->dp, &st);
	pthread_mutex_lock(&rt->lock);
	memset(rt->cnt, 0, sizeof(rt->cnt));
	memset(rt->drop, 0, sizeof(rt->drop));
	rt->blocked_base = st.drop[PHX_DROP_SYNC_BLOCKED];
	phx_sync_tx_stats_reset(rt->tx);
	for (id = 1; id <= PHX_CCP_MAX_MEMBERS; id++)
		if (rt->peer[id].rx != NULL)
			phx_sync_rx_stats_reset(rt->peer[id].rx);
	pthread_mutex_unlock(&rt->lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "ok", 1);
	rte_tel_data_add_dict_string(d, "message", "sync counters reset");
	return 0;
}

int
phx_sync_tel_digest(struct phx_ctl *ctl, const char *params,
		    struct rte_tel_data *d)
{
	uint64_t total = 0, dg;
	uint32_t sessions = 0, n;
	unsigned w, nw = phx_dp_nb_workers(ctl->dp);
	char key[32], hex[20];
	int rc;

	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "workers", nw);
	for (w = 0; w < nw; w++) {
		rc = phx_dp_shard_digest(ctl->dp, w, &dg, &n, 1000);
		if (rc == -ETIMEDOUT)
			return phx_ctl_tel_error(d, "worker %u did not respond "
						 "within 1000 ms", w);
		if (rc != 0)
			return rc;
		total += dg;
		sessions += n;
		snprintf(key, sizeof(key), "w%u_sessions", w);
		rte_tel_data_add_dict_u64(d, key, n);
		snprintf(key, sizeof(key), "w%u_digest", w);
		snprintf(hex, sizeof(hex), "%016" PRIx64, dg);
		rte_tel_data_add_dict_string(d, key, hex);
	}
	rte_tel_data_add_dict_u64(d, "sessions", sessions);
	snprintf(hex, sizeof(hex), "%016" PRIx64, total);
	rte_tel_data_add_dict_string(d, "digest", hex);
	return 0;
}
