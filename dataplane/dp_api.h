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
#include "lib/config.h"

struct phx_dp;

/* What a frame passed from a worker to the control lcore is. */
enum phx_dp_ctl_kind {
	PHX_DP_CTL_ARP = 1,   /* an ARP frame, validated by lib/pkt_parse */
	PHX_DP_CTL_HOLD = 2,  /* a routed IPv4 packet, TTL and checksum already
			       * updated, waiting for its next hop's MAC */
};

/* Per-mbuf metadata in an mbuf dynamic field, written by the worker that
 * passes the frame to control. */
struct phx_dp_mbuf_meta {
	uint32_t nh_ip;      /* HOLD: next hop, network order */
	uint16_t port;       /* ARP: ingress port index; HOLD: egress port index */
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

#endif /* PHX_DP_API_H */
