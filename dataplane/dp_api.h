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
	uint8_t kind;        /* enum phx_dp_ctl_kind */
	uint8_t pad;
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

/* Ask workers to stop, wait for them, stop the ports. Idempotent.
 * Main lcore only. */
void phx_dp_stop(struct phx_dp *dp);

/* Release everything (ports closed). NULL-safe. Main lcore only. */
void phx_dp_free(struct phx_dp *dp);

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
/* Workers read the published MAC back (for telemetry and tests). Returns
 * false when the entry has no MAC. */
bool phx_dp_neigh_get_mac(struct phx_dp *dp, int pos,
			  struct rte_ether_addr *mac);
/* True if a worker used the entry since the last call (and clears it). */
bool phx_dp_neigh_test_clear_used(struct phx_dp *dp, int pos);
/* Remove the entry. Its position is reusable only after
 * phx_dp_neigh_reclaim(), which waits for an RCU grace period. */
void phx_dp_neigh_del(struct phx_dp *dp, int pos);
/* Wait for every worker to pass a quiescent state, then free the
 * positions of deleted entries. Blocks for at most one worker loop. */
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
/* Make pol current for every worker and free the previous one after an
 * RCU grace period. Never stops traffic. Control lcore. */
void phx_dp_policy_publish(struct phx_dp *dp, struct phx_policy *pol);
/* Generation of the current policy; any thread. */
uint64_t phx_dp_policy_gen(struct phx_dp *dp);

/* A session change, queued by the owning worker for the sync service. */
enum phx_sess_event_type {
	PHX_SEV_NEW = 1,     /* created by a rule */
	PHX_SEV_UPD = 2,     /* state changed (TCP state, replied) */
	PHX_SEV_DEL = 3,     /* removed (expired, closed, revoked, flushed) */
};

struct phx_sess_event {
	uint8_t type;            /* enum phx_sess_event_type */
	uint8_t worker;          /* owning worker */
	uint16_t pad;
	uint32_t remaining_ms;   /* lifetime left when queued (SPEC SI-09) */
	struct phx_sess s;       /* the record at that moment */
};

/* Drain up to n session events of every worker. Control lcore. */
unsigned phx_dp_sess_events(struct phx_dp *dp, struct phx_sess_event *ev,
			    unsigned n);

/* Requests to a worker's shard (DESIGN invariant 1: only its owner writes
 * it). */
enum phx_dp_msg_type {
	PHX_MSG_INSTALL = 1,     /* add or refresh a session (sync, pickup) */
	PHX_MSG_FLUSH = 2,       /* delete every session */
};

struct phx_dp_msg {
	uint8_t type;            /* enum phx_dp_msg_type */
	uint8_t pad[3];
	uint32_t remaining_ms;   /* INSTALL: lifetime left, rebased on the
				  * worker's clock */
	struct phx_sess s;       /* INSTALL: the session */
};

/* Post a message to worker w. 0, or -ENOBUFS when its ring is full.
 * Control lcore. */
int phx_dp_post(struct phx_dp *dp, unsigned w, const struct phx_dp_msg *m);

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
 * index from. Waits (at most timeout_ms) for the worker to answer between
 * two bursts. Returns 0 or -ETIMEDOUT/-EINVAL. Any thread (telemetry);
 * requests are serialised internally.
 */
int phx_dp_conn_page(struct phx_dp *dp, unsigned w, uint32_t from,
		     const struct phx_conn_filter *f, struct phx_conn_page *out,
		     unsigned timeout_ms);

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
 * routing (SPEC CCP-01, CCP-08; counted as ccp_to_ctl).
 */

/*
 * The forwarding gate (SPEC MODE-12). Standalone the member always
 * forwards and set_forwarding does nothing. A cluster member starts NOT
 * forwarding. While not forwarding, workers still pass ARP and CCP to
 * control and answer for the member's own unique addresses (ICMP echo),
 * and drop everything else, transit and VIP traffic, as
 * cluster_not_active; sessions stay in the shards untouched (sync keeps
 * them for the takeover). on = false returns only once no worker is in a
 * burst that still forwards (an RCU grace period: at most one worker
 * loop), so control can release the VIPs and then confirm a hand-over.
 * Control lcore.
 */
void phx_dp_cluster_set_forwarding(struct phx_dp *dp, bool on);
/* Whether the member forwards (workers read the flag once per burst).
 * Any thread. */
bool phx_dp_cluster_forwarding(const struct phx_dp *dp);

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

/* Loop count of worker w: the worker bumps it every loop iteration, idle
 * ones included (at most idle_sleep_us apart), so a value that stops
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
 * which is enough on a promiscuous port. Frames the member sends keep the
 * port's own MAC as source. Control lcore.
 */
int phx_dp_port_vmac(struct phx_dp *dp, unsigned idx,
		     const struct rte_ether_addr *vmac);

#endif /* PHX_DP_API_H */
