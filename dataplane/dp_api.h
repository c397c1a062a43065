/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane as the rest of the program sees it (STYLE 3.1): src/ and
 * control/ include this header and nothing else from dataplane/.
 *
 * Threads and ownership:
 *   - phx_dp_create/start/stop/free run on the main (control) lcore.
 *   - Each worker lcore runs phx_dp worker loop, owns its RX/TX queue on
 *     every port, its counter block and its rings' worker ends.
 *   - The control lcore owns the neighbour table (single writer; workers
 *     read it lock-free, DESIGN 2) and talks to workers only through
 *     rings: worker -> control for ARP frames and packets waiting for a
 *     neighbour, control -> worker 0 for frames control wants sent.
 *   - Telemetry threads may read counter blocks and port info.
 */
#ifndef PHX_DP_API_H
#define PHX_DP_API_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "dataplane/dp_stats.h"
#include "dataplane/session.h"
#include "lib/config.h"

struct phx_dp;
struct phx_policy;

/* What a frame passed from a worker to the control lcore is. */
enum phx_dp_ctl_kind {
	PHX_DP_CTL_ARP = 1,   /* an ARP frame, validated by lib/pkt_parse */
	PHX_DP_CTL_HOLD = 2,  /* a routed IPv4 packet, TTL and checksum already
			       * updated, waiting for its next hop's MAC */
	PHX_DP_CTL_CCP = 3,   /* a UDP datagram to port 8116 (CCP and sync,
			       * SPEC CCP-01/08) on a cluster member: the
			       * whole frame, IPv4 and UDP validated by
			       * lib/pkt_parse, no IP options */
};

/* Per-mbuf metadata in an mbuf dynamic field, written by the worker that
 * passes the frame to control. */
struct phx_dp_mbuf_meta {
	uint32_t nh_ip;      /* HOLD: next hop, network order */
	uint16_t port;       /* ARP, CCP: ingress port index; HOLD: egress
			      * port index */
	uint8_t kind;        /* enum phx_dp_ctl_kind; handoff between
			      * workers: enum phx_ho_kind (worker.c) */
	uint8_t from;        /* handoff: the worker that handed it over
			      * (PHX_HO_DNAT: the one it landed on) */
	uint16_t dnat_cand;  /* handoff PHX_HO_DNAT: the policy's reverse
			      * DNAT entry it was sent for */
	uint16_t frag_max;   /* reassembled datagram (phx_dp_reasm_flag set):
			      * the IPv4 length of its largest fragment */
};

/* Dynamic-field offset, valid after phx_dp_create(). */
extern int phx_dp_meta_offset;

static inline struct phx_dp_mbuf_meta *
phx_dp_mbuf_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, phx_dp_meta_offset,
				 struct phx_dp_mbuf_meta *);
}

/* A port as configured and started. */
struct phx_dp_port_info {
	const struct phx_cfg_port *cfg; /* [I] its configuration */
	uint16_t port_id;               /* [I] DPDK port id */
	uint16_t nb_queues;             /* [I] RX = TX queues (one per worker) */
	uint16_t mtu;                   /* [I] L3 MTU enforced on egress */
	struct rte_ether_addr mac;      /* [I] source MAC of our frames */
	uint16_t vlan;                  /* [I] 802.1Q id of a VLAN
					 * sub-interface (cfg->parent is its
					 * physical port), 0 = physical port */
};

/*
 * Create the dataplane from a validated configuration, after rte_eal_init():
 * find every port (PCI address or vdev name), configure one RX/TX queue per
 * worker with the symmetric RSS key, mempool, rings, routing table and
 * neighbour table. Errors that belong to a configuration key (a device that
 * did not probe, too few queues) are added to errs with that key's location.
 * Returns NULL on error (nothing left allocated). Main lcore only.
 */
struct phx_dp *phx_dp_create(const struct phx_config *cfg,
			     struct phx_cfg_errors *errs);

/* Start ports and launch the worker loop on every worker lcore.
 * Returns 0 or a negative errno. Main lcore only. */
int phx_dp_start(struct phx_dp *dp);
/* Whether a packet without a session goes to the worker its tuple hashes
 * to (phx_dp_create turns it on with several workers and a device without
 * an RSS table, af_packet; phx_dp_start when a device refuses the table
 * phalanx sets). For the tests, whose net_ring ports spread as
 * the test injects (an emulated RSS): set it before phx_dp_start, or
 * while no packet is in flight. */
void phx_dp_set_soft_spread(struct phx_dp *dp, bool on);

/* Ask workers to stop, wait for them, stop the ports. Idempotent.
 * Main lcore only. */
void phx_dp_stop(struct phx_dp *dp);

/* Release everything (ports closed). NULL-safe. Main lcore only. */
void phx_dp_free(struct phx_dp *dp);

/* A VLAN sub-interface's own traffic (its device's counters are the
 * parent's): frames received with its tag and their bytes, frames the
 * device accepted from it, and the bytes of the frames handed to the
 * device (tags included). */
struct phx_dp_vlan_stats {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
};

/* Sum over the workers for port idx (zeros for a port that is not a VLAN
 * sub-interface, or a bad idx). Any thread; each counter is monotonic. */
void phx_dp_vlan_stats(struct phx_dp *dp, unsigned idx,
		       struct phx_dp_vlan_stats *out);

const struct phx_config *phx_dp_config(const struct phx_dp *dp);
unsigned phx_dp_nb_workers(const struct phx_dp *dp);
unsigned phx_dp_nb_ports(const struct phx_dp *dp);
const struct phx_dp_port_info *phx_dp_port(const struct phx_dp *dp,
					   unsigned idx);
struct rte_mempool *phx_dp_pool(struct phx_dp *dp);

/*
 * Counter block idx: 0..nb_workers-1 are the workers, nb_workers is the
 * control lcore's (which the control lcore writes through this pointer).
 * Any thread may read.
 */
struct phx_dp_stats *phx_dp_stats(struct phx_dp *dp, unsigned idx);
/* Sum of all blocks into *out. Any thread. */
void phx_dp_stats_sum(struct phx_dp *dp, struct phx_dp_stats *out);

/* Drain up to n frames that workers passed to control. Control lcore. */
unsigned phx_dp_ctl_rx_burst(struct phx_dp *dp, struct rte_mbuf **pkts,
			     unsigned n);

/* Send a complete frame out of port idx through worker 0's queue. The mbuf
 * is consumed in all cases; when the ring is full it is freed and counted
 * as ctl_ring_full in the control block. Control lcore. */
void phx_dp_ctl_tx(struct phx_dp *dp, struct rte_mbuf *m, uint16_t port_idx);

/*
 * Neighbour table. Control lcore writes ([C]); workers read lock-free. An
 * entry lives at a stable position from add until the position is
 * reclaimed after an RCU grace period, so control can keep its own state
 * in an array indexed by position.
 */
/* Capacity: positions are 0..capacity-1. */
unsigned phx_dp_neigh_capacity(const struct phx_dp *dp);
/* Add ip (network order) as unresolved (no MAC yet). Returns the position
 * or -ENOSPC / -EEXIST. */
int phx_dp_neigh_add(struct phx_dp *dp, uint32_t ip);
/* Position of ip, or -ENOENT. */
int phx_dp_neigh_find(struct phx_dp *dp, uint32_t ip);
/* Publish mac for the entry: workers start using it. */
void phx_dp_neigh_set_mac(struct phx_dp *dp, int pos,
			  const struct rte_ether_addr *mac);
/* An entry without a MAC whose packets control drops for now (reason:
 * its hold queue is full, or it failed and is held down): workers drop
 * them themselves, counted under reason, instead of passing each one up
 * the ring that carries ARP, CCP and sync frames too. Until the next
 * set_mac, or the entry's removal. */
void phx_dp_neigh_set_drop(struct phx_dp *dp, int pos,
			   enum phx_drop_reason reason);
/* Workers read the published MAC back (for telemetry and tests). Returns
 * false when the entry has no MAC. */
bool phx_dp_neigh_get_mac(struct phx_dp *dp, int pos,
			  struct rte_ether_addr *mac);
/* True if a worker used the entry since the last call (and clears it). */
bool phx_dp_neigh_test_clear_used(struct phx_dp *dp, int pos);
/* Remove the entry. Its position is reusable only once
 * phx_dp_neigh_reclaim() has freed it, after an RCU grace period. */
void phx_dp_neigh_del(struct phx_dp *dp, int pos);
/* Free the positions of deleted entries whose grace period is over, and
 * ask for one for those deleted since. Never waits: call it again (the
 * control lcore's timer does, every pass). */
void phx_dp_neigh_reclaim(struct phx_dp *dp);

/* ---------------------------------------------------------------------
 * Stateful inspection: policy, session events, messages, dumps.
 */

/*
 * Build a policy object from a validated configuration (rules compiled into
 * an rte_acl context) with generation gen. NULL and a message in err on
 * failure. Control lcore.
 */
struct phx_policy *phx_dp_policy_build(struct phx_dp *dp,
				       const struct phx_config *cfg,
				       uint64_t gen, char *err, size_t errlen);
/* Make pol current for every worker; the previous one is freed after an
 * RCU grace period, on a thread of the dataplane (a stalled worker
 * delays only that). Never stops traffic, never waits. Control lcore. */
void phx_dp_policy_publish(struct phx_dp *dp, struct phx_policy *pol);
/* Free a policy that was built and never published (NULL: nothing). */
void phx_dp_policy_free(struct phx_policy *pol);
/* Generation of the current policy; any thread. */
uint64_t phx_dp_policy_gen(struct phx_dp *dp);

/*
 * A session change, queued by the owning worker for the sync service on
 * its SP/SC event ring (16384 events per worker; a full ring loses the
 * event and counts sync_events_lost, every queued one counts
 * sync_events).
 *
 * Emission rules (SPEC 3.6-3.7, DESIGN 6):
 *   - NEW, UPD and DEL only while the member forwards (the gate of
 *     phx_dp_cluster_set_forwarding, read once per burst; standalone
 *     members always forward). In HA the forwarding member owns every
 *     session: a standby's own expiries, flushes and re-checks of synced
 *     sessions are never shipped back.
 *   - Never for a PHX_SESS_F_NOSYNC session: its rule says sync: false,
 *     or its destination is multicast (224.0.0.0/4), the limited
 *     broadcast or a port subnet's directed broadcast (SYNC-51: never
 *     synced, cannot be enabled).
 *   - Never for a PHX_SESS_F_DELAYED session (rule sync_delay_s > 0,
 *     SYNC-55/56): when the delay has passed and the session still
 *     lives, the flag goes and one NEW with the current state follows;
 *     a session that ends before is never synced (no NEW, no DEL). A
 *     full delay queue (one per worker: sessions.max rounded up to a
 *     power of two entries, at most 2^20) syncs at once and counts
 *     sync_delay_overflow.
 *   - UPD when the TCP state, the replied flag or the window flag
 *     changes, when an unverified RST gives an ESTABLISHED session the
 *     tcp_close timeout class (if shorter than its own) and when its
 *     next packet that is not such a RST takes it back
 *     (docs/firewall.md), and, at most once per 4-second refresh
 *     epoch, on a packet
 *     of an otherwise unchanged session (sync_refresh): a standby
 *     expires synced sessions by the remaining lifetime they carry, so
 *     the owner refreshes the ones that carry traffic. Per-packet
 *     counters are never synced.
 *   - FULL and DUMP_END answer PHX_MSG_DUMP only, forwarding or not.
 * Sessions installed by PHX_MSG_INSTALL or removed by PHX_MSG_DELETE
 * emit nothing (they came from sync); their later changes on a member
 * that forwards do.
 */
enum phx_sess_event_type {
	PHX_SEV_NEW = 1,      /* created by a rule (or its sync delay ended) */
	PHX_SEV_UPD = 2,      /* state changed (TCP state, replied), or a
			       * lifetime refresh */
	PHX_SEV_DEL = 3,      /* removed (expired, closed, revoked, flushed) */
	PHX_SEV_FULL = 4,     /* a session sent by a full-sync dump
			       * (PHX_MSG_DUMP) */
	PHX_SEV_DUMP_END = 5, /* the end of one dump chunk: remaining_ms is
			       * the index to continue from, UINT32_MAX =
			       * the whole shard has been dumped; s is zero */
};

struct phx_sess_event {
	uint8_t type;            /* enum phx_sess_event_type */
	uint8_t worker;          /* owning worker */
	uint16_t pad;
	uint32_t remaining_ms;   /* lifetime left when queued (SPEC SI-09);
				  * DEL: 0; DUMP_END: the next cursor */
	struct phx_sess s;       /* the record at that moment */
};

/* Drain up to n session events of every worker. Control lcore. */
unsigned phx_dp_sess_events(struct phx_dp *dp, struct phx_sess_event *ev,
			    unsigned n);

/*
 * Requests to a worker's shard (DESIGN invariant 1: only its owner writes
 * it), on an SP/SC ring of 16384 messages per worker, drained in bursts
 * with a budget of 256 per worker loop (a standby applies a full sync of
 * millions of sessions at several million per second). Post a session's
 * messages to its owner, phx_dp_sess_worker().
 */
enum phx_dp_msg_type {
	PHX_MSG_INSTALL = 1,     /* add or refresh a session (state sync) */
	PHX_MSG_FLUSH = 2,       /* delete every session */
	PHX_MSG_DELETE = 3,      /* delete one session (sync) */
	PHX_MSG_DUMP = 4,        /* dump a chunk of the shard (full sync) */
	PHX_MSG_RESYNC_MARK = 5, /* a resync begins (see below) */
	PHX_MSG_RESYNC_PURGE = 6, /* it ended: drop what it did not bring */
};

/*
 * INSTALL: s is the session (phx_sess_from_sync()), remaining_ms its
 *   lifetime left, rebased on the worker's clock (never extended to a
 *   full timeout). Its rule belongs to the sender's policy: gen 0 makes
 *   the next packet or sweep re-check it. A new session is inserted with
 *   PHX_SESS_F_SYNCED (its SNAT port taken from the pool); an existing
 *   one (same forward key) takes the fields that may change (state,
 *   REPLIED and WINDOW flags, tmo_class, win, rule) and the lifetime; its
 *   NAT stays, unless the peer's differs: then it is another session
 *   under the same key and replaces it (the old one's port released; put
 *   back if the new one cannot go in). Counts sess_installed, or
 *   sess_install_failed (table full, a key owned by another session).
 *   No event.
 *   Either way the session remembers the refresh epoch of the install
 *   (win.sync_epoch, as an emitted event does on the sender).
 * RESYNC_MARK / RESYNC_PURGE: around a resync (a full sync after a lost
 *   and regained sync connection, which only adds and updates), MARK
 *   notes the epoch (on a standby, sessions installed earlier in it are
 *   moved one epoch back, so they cannot pass for the resync's) and
 *   PURGE removes, in a budgeted scan, every session
 *   no install has touched since (what the peer deleted while the link
 *   was down), counting sess_resync_purged. Nothing is purged when the
 *   resync took 250 epochs or more (the epoch is one byte). No event.
 * DELETE: the session whose forward key is s.key (matched in either
 *   direction) goes, its SNAT port back to the pool; sess_sync_deleted.
 *   No event; nothing when it is unknown.
 * DUMP: up to count sessions that sync (not F_NOSYNC, not F_DELAYED;
 *   synced ones included), scanning the shard from index from, each as a
 *   PHX_SEV_FULL event, then one PHX_SEV_DUMP_END carrying the index to
 *   continue from (UINT32_MAX: done). Served whether or not the member
 *   forwards. A chunk ends early, with its DUMP_END, when the event ring
 *   has no room for more or 65536 slots were scanned: the end marker
 *   always has room. If the ring cannot take even that, the dump waits
 *   (messages behind it too) until it can. Post the next chunk after its
 *   DUMP_END.
 * FLUSH: every session goes (sess_closed, DEL events while forwarding).
 */
struct phx_dp_msg {
	uint8_t type;            /* enum phx_dp_msg_type */
	uint8_t pad[3];
	uint32_t remaining_ms;   /* INSTALL: lifetime left */
	uint32_t from, count;    /* DUMP: first index, sessions at most */
	struct phx_sess s;       /* INSTALL: the session; DELETE: s.key */
};

/* Post a message to worker w. 0, or -ENOBUFS when its ring is full, or
 * -EINVAL for an unknown worker. Control lcore. */
int phx_dp_post(struct phx_dp *dp, unsigned w, const struct phx_dp_msg *m);

/*
 * The worker that owns the session with forward key fwd on this member
 * (DESIGN invariant 6): the one whose queue the NIC's RSS picks for the
 * flow, from the same symmetric Toeplitz key and redirection table the
 * workers use to pick SNAT ports (so the SNAT reply lands there too).
 * TCP and UDP hash the 4-tuple, other protocols the address pair (RSS
 * "IPv4 other"). With one worker, 0. Any thread.
 */
unsigned phx_dp_sess_worker(const struct phx_dp *dp,
			    const struct phx_flow_key *fwd);

/* fw_sync_allowed_protocols (SPEC SYNC-62): kinds of new connection let
 * through while blocking. Data connections (8, 16) do not exist here. */
#define PHX_SYNC_ALLOW_ICMP 0x01
#define PHX_SYNC_ALLOW_TCP  0x02
#define PHX_SYNC_ALLOW_UDP  0x04

/*
 * New-connection blocking under sync overload (SPEC SYNC-60..63), set by
 * the sync runtime when its send queue passes its threshold. While on,
 * workers drop the first packet of a new flow (after the rule accepted
 * it) whose protocol is not in allowed (PHX_SYNC_ALLOW_*) as
 * sync_blocked; packets of existing sessions, and traffic to the
 * member's own addresses, are unaffected. Workers read it once per
 * burst. Control lcore.
 */
void phx_dp_sync_block(struct phx_dp *dp, bool on, uint8_t allowed);

/*
 * Digest of worker w's shard for `phx diff`: the sum, mod 2^64, of
 * phx_sess_digest_hash() over the sessions that sync (no F_NOSYNC or
 * F_DELAYED), and their count. An active member and its standby holding
 * the same sessions compare equal: lifetimes, windows and the SYNCED
 * flag are not in it. The worker computes it itself between bursts,
 * 65536 slots per loop, so with traffic it is a near-snapshot (a session
 * that moves in the meantime may be missed, as with conn pages).
 * Returns 0, -ETIMEDOUT or -EINVAL. Any thread; serialised with
 * phx_dp_conn_page().
 */
int phx_dp_shard_digest(struct phx_dp *dp, unsigned w, uint64_t *digest,
			uint32_t *count, unsigned timeout_ms);

/* A page of one worker's sessions, copied by the worker itself. */
struct phx_conn_filter {
	uint32_t ip;             /* network order; 0 = any; either address of
				  * either key */
	uint16_t port;           /* network order; 0 = any */
	uint8_t proto;           /* 0 = any */
	uint8_t state;           /* 0 = any, else enum phx_tcp_state + 1 */
};

#define PHX_CONN_PAGE 48

struct phx_conn_page {
	uint32_t n;                       /* rows filled */
	uint32_t next;                    /* index to continue from;
					   * UINT32_MAX = end of shard */
	uint32_t used;                    /* live sessions in the shard */
	uint64_t now_tsc;                 /* worker's clock at the copy */
	uint32_t idx[PHX_CONN_PAGE];
	struct phx_sess s[PHX_CONN_PAGE];
};

/*
 * Ask worker w for up to PHX_CONN_PAGE sessions matching f, scanning from
 * index from. Rows carry the session flags: a diff skips F_UNSYNCED ones
 * (session.h) as the digest does. Waits (at most timeout_ms) for the worker to answer between
 * two bursts. Returns 0 or -ETIMEDOUT/-EINVAL. Any thread (telemetry);
 * requests are serialised internally.
 */
int phx_dp_conn_page(struct phx_dp *dp, unsigned w, uint32_t from,
		     const struct phx_conn_filter *f, struct phx_conn_page *out,
		     unsigned timeout_ms);

/*
 * Remove every session f matches (phx_conn_filter; all zero: every
 * session) on every worker at once, each in scans of PHX_CLEAR_BUDGET
 * slots between its bursts, so forwarding goes on. Counted sess_cleared;
 * while the member forwards each removal is a DEL event, so the peers'
 * copies go too (a scan waits for room in the event ring). *cleared:
 * sessions removed by the workers that finished. 0, or -ETIMEDOUT when
 * some worker had not finished within timeout_ms: it stops where it was
 * (what it removed is counted in sess_cleared, not in *cleared); asking
 * again finishes the job. Not on a worker lcore.
 */
int phx_dp_clear(struct phx_dp *dp, const struct phx_conn_filter *f,
		 unsigned timeout_ms, uint64_t *cleared);

/* Live sessions of worker w (gauge). Any thread. */
uint32_t phx_dp_sessions(struct phx_dp *dp, unsigned w);

/* Rule hit counts summed over workers for the current policy, into
 * hits[0..n_rules). Returns n_rules; names[] (may be NULL) gets each
 * rule's name. Any thread. */
unsigned phx_dp_rule_hits(struct phx_dp *dp, uint64_t *hits,
			  char (*names)[PHX_CFG_NAME_LEN], unsigned max);

/* Remaining lifetime of s in ms under the current policy at TSC now. */
uint32_t phx_dp_sess_remaining_ms(struct phx_dp *dp, const struct phx_sess *s,
				  uint64_t now);
/* Name of the rule index r in the current policy ("" if none). */
void phx_dp_rule_name(struct phx_dp *dp, unsigned r, char *buf, size_t len);

/* ---------------------------------------------------------------------
 * Cluster membership: what the CCP runtime on the control lcore needs from
 * the dataplane (SPEC 1.2, 2.4, 5.5). In a cluster, workers pass every
 * IPv4 UDP datagram to port 8116 (CCP and sync) to control as
 * PHX_DP_CTL_CCP, forwarding or not, before any session, policy or
 * routing (SPEC CCP-01, CCP-08; counted as ccp_to_ctl). Only datagrams
 * from port 8116 to port 8116 addressed to the member are CCP.
 */

/*
 * The forwarding gate (SPEC MODE-12). Standalone the member always
 * forwards and set_forwarding does nothing. A cluster member starts NOT
 * forwarding. While not forwarding, workers still pass ARP and CCP to
 * control and answer for the member's own unique addresses (ICMP echo),
 * and drop everything else, transit and VIP traffic, as
 * cluster_not_active; sessions stay in the shards untouched (sync keeps
 * them for the takeover). on = false returns once no worker is in a
 * burst that still forwards (each began a new loop or sleeps: at most one
 * worker loop), so control can release the VIPs and then confirm a
 * hand-over; a worker stuck for 250 ms is given up on (logged), so a
 * stalled worker never stops control. Control lcore.
 */
void phx_dp_cluster_set_forwarding(struct phx_dp *dp, bool on);
/* Whether the member forwards (workers read the flag once per burst).
 * Any thread. */
bool phx_dp_cluster_forwarding(const struct phx_dp *dp);

/* The longest idle sleep (lib/idle_sleep.h) of the workers and the
 * control loop, in us; 0 = no cap. The cluster's timers set it (a
 * quarter of hello_ms), at start and when a reload changes them. */
void phx_dp_idle_cap_set(struct phx_dp *dp, uint32_t us);
uint32_t phx_dp_idle_cap(const struct phx_dp *dp);

/*
 * Link state of port idx for interface monitoring (SPEC CCP-30..36): the
 * PMD's link status (rte_eth_link_get_nowait), and for net_af_packet and
 * net_af_xdp ports, whose PMD link never changes, also the kernel
 * interface of their iface= argument: up only if IFF_UP and IFF_RUNNING
 * (so `ip link set DEV down`, or a veth peer going down, reads as down at
 * the next call). One ioctl on a socket opened at start; cheap enough to
 * call every few milliseconds. false for an unknown idx. Control lcore.
 */
bool phx_dp_port_link_up(struct phx_dp *dp, unsigned idx);

/*
 * The last packet a worker dropped for one of the reasons SPEC wants
 * logged (SI-03 tcp_not_syn, SI-04 tcp_syn_established): the workers
 * keep a sample per reason, never a log line (no system calls on their
 * path), and control logs the samples with the count once a second.
 */
struct phx_dp_drop_sample {
	uint32_t src_ip, dst_ip;    /* network order */
	uint16_t sport, dport;      /* network order */
	uint16_t port;              /* ingress port index */
	uint8_t proto;
	uint8_t tcp_flags;
};
/* Worker w's latest sample for reason r into *out: 0, or -ENOENT when it
 * has none (r not sampled, none dropped yet, or w unknown). Consistent
 * (seqcount) without stopping the worker. Control lcore. */
int phx_dp_drop_sample(struct phx_dp *dp, unsigned w,
		       enum phx_drop_reason r, struct phx_dp_drop_sample *out);

/* Loop count of worker w: the worker bumps it every loop iteration, idle
 * ones included (an idle sleep apart at most: lib/idle_sleep.h), so a
 * value that stops
 * moving means a stalled worker (the "Workers" critical device). 0 for
 * an unknown w. Any thread. */
uint64_t phx_dp_worker_heartbeat(struct phx_dp *dp, unsigned w);

/*
 * VMAC of port idx (SPEC 5.5, cluster.vmac): vmac != NULL makes workers
 * accept unicast frames to it besides the port's own MAC, and adds it to
 * the device (rte_eth_dev_mac_addr_add); NULL removes it from both. A port
 * has at most one VMAC: a new one replaces the old, the same one again
 * does nothing and returns 0. Returns 0, -EINVAL (bad idx, vmac not a
 * unicast address), or the device's error, logged, when it cannot add the
 * MAC (-ENOTSUP, -ENOSPC): the VMAC is then accepted in software only,
 * which is enough on a promiscuous port. Frames the member forwards out
 * of the port leave from the VMAC (phx_dp_fwd_src_mac); those it makes
 * itself keep the port's own MAC. Control lcore.
 */
int phx_dp_port_vmac(struct phx_dp *dp, unsigned idx,
		     const struct rte_ether_addr *vmac);
/*
 * The multicast group MAC port idx must receive (the CCP group of its
 * subnet, SPEC CCP-04, ADDR-22), or NULL for none (broadcast transport).
 * A promiscuous port receives every group: nothing is programmed. On any
 * other, the device's multicast filter gets the groups of every port on
 * it (a physical port and its VLAN sub-interfaces) with
 * rte_eth_dev_set_mc_addr_list; a device that has no such filter is put
 * in all-multicast mode instead. Returns 0, -EINVAL (bad idx, group not a
 * multicast address), or the device's error when it can do neither,
 * logged with what to do (CCP would never arrive there). Control lcore.
 */
int phx_dp_port_mcast(struct phx_dp *dp, unsigned idx,
		      const struct rte_ether_addr *group);
/* The source MAC of frames forwarded out of port idx (< nb_ports): its
 * VMAC while it has one, else its own MAC. Any thread. */
void phx_dp_fwd_src_mac(struct phx_dp *dp, unsigned idx,
			struct rte_ether_addr *mac);

#endif /* PHX_DP_API_H */
