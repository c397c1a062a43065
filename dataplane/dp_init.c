/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dataplane construction and the control-side API of dp_api.h: mempool,
 * per-worker state and rings, ports, routing table, neighbour table;
 * worker launch and ordered stop.
 *
 * Everything is sized from the configuration here, at start, so the packet
 * path never allocates (DESIGN invariant 2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_lpm.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_thash.h>
#include <urcu-qsbr.h>

#include "dataplane/dp_priv.h"
#include "dataplane/policy.h"
#include "lib/idle_sleep.h"
#include "lib/timeouts.h"

RTE_LOG_REGISTER(phx_logtype_dp, phx.dp, INFO);

/* Where a withdrawn (timed-out) dump request's late answer goes. */

int phx_dp_meta_offset = -1;

#define RING_SIZE 1024
#define SYNC_RING_SIZE 16384
/* Control -> worker messages. A standby applying a full sync or a burst
 * of delta updates posts installs far faster than a worker loop comes
 * round (PHX_MSG_BUDGET per loop, in bursts): 16384 x 80 bytes (1.3 MB
 * per worker) lets control post a whole received window of sync frames
 * (~40 records each) without waiting, while the worker applies them at
 * millions per second. */
#define MSG_RING_SIZE 16384
/* Delayed-sync FIFO (worker.c): sessions.max entries, at most this many
 * (32 bytes each); beyond it sessions are synced at once. */
#define DELAY_Q_MAX (1u << 20)

static const char *const counter_names[PHX_CNT_MAX] = {
#define PHX_DP_CNT_NAME_(e, n) [PHX_CNT_##e] = #n,
	PHX_DP_COUNTERS(PHX_DP_CNT_NAME_)
#undef PHX_DP_CNT_NAME_
};

const char *
phx_dp_counter_name(enum phx_dp_counter c)
{
	return (unsigned)c < PHX_CNT_MAX ? counter_names[c] : "invalid";
}

/*
 * Reassembly (docs/firewall.md, "Fragments"): per worker, a table of
 * datagrams waiting for their fragments, at most REASM_TIMEOUT_S each.
 * The table may hold at most a quarter of the mbuf pool across workers
 * (8 fragments a datagram), so fragments can never starve reception.
 */
#define REASM_TIMEOUT_S 5
#define REASM_MIN 16
#define REASM_MAX 4096

static int
frag_init(struct phx_dp *dp)
{
	static const struct rte_mbuf_dynflag desc = {
		.name = "phx_dp_reassembled",
	};
	unsigned i, n;
	int bit;

	bit = rte_mbuf_dynflag_register(&desc);
	if (bit < 0)
		return -rte_errno;
	dp->reasm_flag = 1ULL << bit;
	dp->pool_ind = rte_pktmbuf_pool_create("phx_frag_ind",
		RTE_MAX(1024u, dp->cfg->dataplane.mbufs / 4), 0, 0, 0,
		(int)rte_socket_id());
	if (dp->pool_ind == NULL)
		return -rte_errno;
	n = dp->cfg->dataplane.mbufs /
	    (4 * (RTE_LIBRTE_IP_FRAG_MAX_FRAG) * dp->nb_workers);
	if (n < REASM_MIN)
		n = REASM_MIN;
	if (n > REASM_MAX)
		n = REASM_MAX;
	for (i = 0; i < dp->nb_workers; i++) {
		struct phx_worker *w = &dp->workers[i];

		/* without one, that worker drops fragments (ipv4_fragment) */
		w->frag_tbl = rte_ip_frag_table_create(n, 16, n,
			rte_get_tsc_hz() * REASM_TIMEOUT_S,
			(int)rte_lcore_to_socket_id(w->lcore));
		if (w->frag_tbl == NULL)
			PHX_LOG_DP(WARNING, "worker %u: no reassembly table: "
				   "fragments will be dropped\n", i);
	}
	return 0;
}

static int
register_meta(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "phx_dp_mbuf_meta",
		.size = sizeof(struct phx_dp_mbuf_meta),
		.align = __alignof__(struct phx_dp_mbuf_meta),
	};

	if (phx_dp_meta_offset < 0)
		phx_dp_meta_offset = rte_mbuf_dynfield_register(&desc);
	return phx_dp_meta_offset < 0 ? -rte_errno : 0;
}

/* Data room for the largest configured MTU in one segment: we never enable
 * scatter, so a frame is always contiguous for the parser. net_af_packet
 * hands over datagrams the kernel reassembled (its fanout group defrags),
 * as large as its frames (framesz=, default 2048): mbufs that hold a
 * whole frame. */
static uint16_t
mbuf_data_room(const struct phx_config *cfg)
{
	unsigned i, room, mtu = RTE_ETHER_MTU;
	char v[16];

	for (i = 0; i < cfg->n_ports; i++)
		mtu = RTE_MAX(mtu, (unsigned)cfg->ports[i].mtu);
	room = RTE_MAX((unsigned)RTE_MBUF_DEFAULT_BUF_SIZE,
		RTE_PKTMBUF_HEADROOM + mtu + RTE_ETHER_HDR_LEN +
		RTE_ETHER_CRC_LEN + 2 * RTE_VLAN_HLEN);
	for (i = 0; i < cfg->n_ports; i++) {
		unsigned long fs;

		if (strstr(cfg->ports[i].device, "af_packet") == NULL ||
		    !phx_dp_devarg(cfg->ports[i].device, "framesz", v,
				   sizeof(v)))
			continue;
		fs = strtoul(v, NULL, 0);
		if (fs <= UINT16_MAX - RTE_PKTMBUF_HEADROOM)
			room = RTE_MAX(room, (unsigned)fs + RTE_PKTMBUF_HEADROOM);
	}
	return (uint16_t)room;
}

static int
workers_init(struct phx_dp *dp)
{
	unsigned lcore, i = 0;
	char name[RTE_RING_NAMESIZE];

	dp->workers = rte_zmalloc("phx_workers",
				  sizeof(*dp->workers) * dp->nb_workers,
				  RTE_CACHE_LINE_SIZE);
	if (dp->workers == NULL)
		return -ENOMEM;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct phx_worker *w;
		unsigned p;

		if (i == dp->nb_workers)
			break;
		w = &dp->workers[i];
		w->idx = i;
		w->lcore = lcore;
		w->queue = (uint16_t)i;
		w->dp = dp;
		snprintf(name, sizeof(name), "phx_toctl_%u", i);
		w->to_ctl = rte_ring_create(name, RING_SIZE,
			(int)rte_lcore_to_socket_id(lcore),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "phx_ctltx_%u", i);
		w->ctl_tx = rte_ring_create(name, RING_SIZE,
			(int)rte_lcore_to_socket_id(lcore),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->to_ctl == NULL || w->ctl_tx == NULL)
			return -rte_errno;
		snprintf(name, sizeof(name), "phx_handoff_%u", i);
		w->handoff = rte_ring_create(name, RING_SIZE,
			(int)rte_lcore_to_socket_id(lcore), RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "phx_syncev_%u", i);
		w->sync_ev = rte_ring_create_elem(name,
			sizeof(struct phx_sess_event), SYNC_RING_SIZE,
			(int)rte_lcore_to_socket_id(lcore),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "phx_msg_%u", i);
		w->msg = rte_ring_create_elem(name, sizeof(struct phx_dp_msg),
			MSG_RING_SIZE, (int)rte_lcore_to_socket_id(lcore),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "phx_sess_%u", i);
		w->shard = phx_shard_create(name, dp->cfg->sessions.max,
			(int)rte_lcore_to_socket_id(lcore));
		w->delay_mask = RTE_MIN(rte_align32pow2(dp->cfg->sessions.max),
					DELAY_Q_MAX) - 1;
		w->delay_q = rte_malloc_socket("phx_sync_delay",
			sizeof(*w->delay_q) * (w->delay_mask + 1),
			RTE_CACHE_LINE_SIZE,
			(int)rte_lcore_to_socket_id(lcore));
		w->delay_gen = rte_zmalloc_socket("phx_sync_delay_gen",
			sizeof(*w->delay_gen) * dp->cfg->sessions.max,
			RTE_CACHE_LINE_SIZE,
			(int)rte_lcore_to_socket_id(lcore));
		if (w->handoff == NULL || w->sync_ev == NULL || w->msg == NULL ||
		    w->shard == NULL || w->delay_q == NULL ||
		    w->delay_gen == NULL)
			return -ENOMEM;
		for (p = 0; p < dp->cfg->n_ports; p++) {
			w->txb[p] = rte_zmalloc_socket("phx_txb",
				RTE_ETH_TX_BUFFER_SIZE(PHX_BURST), 0,
				(int)rte_lcore_to_socket_id(lcore));
			if (w->txb[p] == NULL)
				return -ENOMEM;
			rte_eth_tx_buffer_init(w->txb[p], PHX_BURST);
		}
		i++;
	}
	if (i < dp->nb_workers) {
		PHX_LOG_DP(ERR, "%u workers configured but EAL has only %u "
			   "worker lcores (eal.lcores needs workers + 1)\n",
			   dp->nb_workers, i);
		return -EINVAL;
	}
	return 0;
}

/* Every member address and every VIP can hide sources (SNAT): a port
 * pool per address per worker. In a cluster rules hide behind a VIP, so
 * that the translated sessions survive a failover (docs/config.md, nat). */
static int
nat_init(struct phx_dp *dp)
{
	const struct phx_config *cfg = dp->cfg;
	unsigned p, a, i;

	for (p = 0; p < cfg->n_ports; p++)
		for (a = 0; a < cfg->ports[p].n_addrs; a++)
			dp->nat_addr[dp->nb_nat_addr++] =
				rte_cpu_to_be_32(cfg->ports[p].addrs[a].ip);
	for (a = 0; a < cfg->cluster.n_vips; a++) {
		const struct phx_cfg_vip *v = &cfg->cluster.vips[a];

		dp->nat_addr[dp->nb_nat_addr++] = rte_cpu_to_be_32(v->ip);
		if (v->port >= 0 && v->port < PHX_CFG_MAX_PORTS &&
		    dp->nb_port_vips[v->port] < PHX_DP_PORT_VIPS) {
			unsigned k = dp->nb_port_vips[v->port]++;

			dp->port_vip[v->port][k].ip = rte_cpu_to_be_32(v->ip);
			dp->port_vip[v->port][k].mask = rte_cpu_to_be_32(
				v->plen == 0 ? 0 : UINT32_MAX << (32 - v->plen));
		}
	}
	for (i = 0; i < dp->nb_workers; i++)
		for (a = 0; a < dp->nb_nat_addr; a++) {
			dp->workers[i].nat_pool[a] = phx_nat_pool_create(1, 65535);
			if (dp->workers[i].nat_pool[a] == NULL)
				return -ENOMEM;
		}
	return 0;
}

/* The RSS redirection table size of port p, if phalanx can program it
 * (RSS configured: several queues and hash offloads; a table that fits
 * dp->reta), else 0. */
static uint16_t
port_reta_size(const struct phx_dp *dp, unsigned p)
{
	struct rte_eth_dev_info info;

	if (dp->ports[p].vlan != 0 ||
	    rte_eth_dev_info_get(dp->ports[p].port_id, &info) != 0 ||
	    info.flow_type_rss_offloads == 0 || info.reta_size == 0 ||
	    info.reta_size > PHX_DP_RETA_MAX ||
	    info.reta_size % RTE_ETH_RETA_GROUP_SIZE != 0)
		return 0;
	return info.reta_size;
}

/*
 * The RSS redirection table the ports use, to pick source-NAT ports whose
 * replies come back to the worker that owns the session (DESIGN invariant
 * 6). phalanx sets it, entry i to worker i % workers, at the smallest
 * table size of the ports (rss_program(), once they have started: NICs
 * such as ixgbe and mlx5 write their own at start, so one read before
 * would be stale); a larger table repeats it, so every port sends a hash
 * to the same worker. Devices without one (one queue, or af_packet's
 * kernel fanout) make the spreading soft (dp_priv.h).
 */
static void
rss_init(struct phx_dp *dp)
{
	unsigned p, i;
	uint16_t n;

	/* (the key repeats every 2 bytes: its first 40 serve any tuple) */
	rte_convert_rss_key((const uint32_t *)(const void *)phx_dp_rss_key,
			    dp->rss_key_be, sizeof(dp->rss_key_be));
	if (dp->nb_workers < 2)
		return;
	dp->reta_size = 0;
	for (p = 0; p < dp->nb_ports; p++) {
		if (dp->ports[p].vlan != 0)
			continue; /* its parent's device */
		n = port_reta_size(dp, p);
		if (n == 0)
			dp->soft_spread = true;
		else if (dp->reta_size == 0 || n < dp->reta_size)
			dp->reta_size = n;
	}
	if (dp->reta_size == 0)
		dp->reta_size = 128;
	for (i = 0; i < dp->reta_size; i++)
		dp->reta[i] = (uint16_t)(i % dp->nb_workers);
}

/* Write dp->reta into every port that has a table, after the ports
 * started, and read it back; a port that refuses it makes the spreading
 * soft (correct, with a hand-off per packet a worker does not own). */
static void
rss_program(struct phx_dp *dp)
{
	struct rte_eth_rss_reta_entry64 conf[PHX_DP_RETA_MAX /
					     RTE_ETH_RETA_GROUP_SIZE];
	unsigned p, i;
	int rc;

	for (p = 0; p < dp->nb_ports && dp->nb_workers > 1; p++) {
		const struct phx_dp_port_info *pi = &dp->ports[p];
		uint16_t n = port_reta_size(dp, p);

		if (n == 0)
			continue;
		memset(conf, 0, sizeof(conf));
		for (i = 0; i < n; i++) {
			conf[i / RTE_ETH_RETA_GROUP_SIZE].mask |=
				1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
			conf[i / RTE_ETH_RETA_GROUP_SIZE]
				.reta[i % RTE_ETH_RETA_GROUP_SIZE] =
				dp->reta[i % dp->reta_size];
		}
		rc = rte_eth_dev_rss_reta_update(pi->port_id, conf, n);
		if (rc == 0) {
			for (i = 0; i < n; i++)
				conf[i / RTE_ETH_RETA_GROUP_SIZE]
					.reta[i % RTE_ETH_RETA_GROUP_SIZE] = 0;
			rc = rte_eth_dev_rss_reta_query(pi->port_id, conf, n);
		}
		for (i = 0; rc == 0 && i < n; i++)
			if (conf[i / RTE_ETH_RETA_GROUP_SIZE]
				    .reta[i % RTE_ETH_RETA_GROUP_SIZE] !=
			    dp->reta[i % dp->reta_size])
				rc = -EIO;
		if (rc != 0) {
			PHX_LOG_DP(WARNING, "port %s: RSS redirection table "
				   "not set (%s): packets a worker does not "
				   "own are handed to the one that does\n",
				   pi->cfg->name, rte_strerror(-rc));
			dp->soft_spread = true;
		}
	}
	if (dp->soft_spread)
		PHX_LOG_DP(NOTICE, "%u workers on a device without an RSS "
			   "table phalanx can set (af_packet's fanout): "
			   "sessions live on the worker their tuple hashes "
			   "to, and packets the device brings elsewhere are "
			   "handed to it\n", dp->nb_workers);
}

/* Directed broadcasts of the ports' subnets: never synced (SPEC
 * SYNC-51). /31 and /32 have none (RFC 3021). */
static void
bcast_init(struct phx_dp *dp)
{
	const struct phx_config *cfg = dp->cfg;
	unsigned p, a;

	for (p = 0; p < cfg->n_ports; p++)
		for (a = 0; a < cfg->ports[p].n_addrs; a++) {
			const struct phx_cfg_addr *ad = &cfg->ports[p].addrs[a];

			if (ad->plen >= 31 ||
			    dp->nb_bcast == RTE_DIM(dp->bcast))
				continue;
			dp->bcast[dp->nb_bcast++] = rte_cpu_to_be_32(ad->ip |
				(ad->plen == 0 ? UINT32_MAX :
				 UINT32_MAX >> ad->plen));
		}
}

static int
neigh_init(struct phx_dp *dp)
{
	struct rte_hash_parameters hp = {
		.name = "phx_neigh",
		.entries = dp->cfg->neigh.max_entries,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
		/* Lock-free readers (workers), one writer (control). Deleted
		 * positions are freed by us after an RCU grace period. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	dp->neigh = rte_hash_create(&hp);
	if (dp->neigh == NULL)
		return -rte_errno;
	dp->neigh_cap = (unsigned)rte_hash_max_key_id(dp->neigh) + 1;
	dp->neigh_slots = rte_zmalloc("phx_neigh_slots",
		sizeof(*dp->neigh_slots) * dp->neigh_cap, RTE_CACHE_LINE_SIZE);
	dp->neigh_dead = rte_zmalloc("phx_neigh_dead",
		sizeof(*dp->neigh_dead) * dp->neigh_cap, 0);
	dp->neigh_wait = rte_zmalloc("phx_neigh_wait",
		sizeof(*dp->neigh_wait) * dp->neigh_cap, 0);
	return dp->neigh_slots && dp->neigh_dead && dp->neigh_wait ? 0 :
	       -ENOMEM;
}

struct phx_dp *
phx_dp_create(const struct phx_config *cfg, struct phx_cfg_errors *errs)
{
	struct phx_dp *dp;
	unsigned nb_mbufs;
	int rc;

	dp = rte_zmalloc("phx_dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL) {
		phx_cfg_error_add(errs, cfg->path, (struct phx_cfg_loc){0}, "",
				  "out of memory for the dataplane");
		return NULL;
	}
	dp->cfg = cfg;
	dp->nb_workers = cfg->dataplane.workers;
	dp->link_sock = -1;

	rc = register_meta();
	if (rc == 0)
		rc = workers_init(dp);
	if (rc != 0) {
		phx_cfg_error_add(errs, cfg->path, (struct phx_cfg_loc){0},
			"dataplane.workers", "cannot set up %u workers: %s",
			dp->nb_workers, rte_strerror(-rc));
		goto fail;
	}
	/* At least enough for every RX ring to be full plus in-flight. */
	nb_mbufs = cfg->dataplane.mbufs;
	dp->pool = rte_pktmbuf_pool_create("phx_mbuf", nb_mbufs,
		RTE_MIN(256u, nb_mbufs / (2 * (dp->nb_workers + 1))), 0,
		mbuf_data_room(cfg), (int)rte_socket_id());
	if (dp->pool == NULL) {
		phx_cfg_error_add(errs, cfg->path, (struct phx_cfg_loc){0},
			"dataplane.mbufs", "cannot create a pool of %u mbufs: "
			"%s (more hugepage memory, eal.memory_mb, or fewer "
			"mbufs)", nb_mbufs, rte_strerror(rte_errno));
		goto fail;
	}
	rc = frag_init(dp);
	if (rc != 0) {
		phx_cfg_error_add(errs, cfg->path, (struct phx_cfg_loc){0},
			"dataplane.mbufs", "cannot set up IP fragmentation: %s",
			rte_strerror(-rc));
		goto fail;
	}
	if (phx_dp_ports_init(dp, errs) != 0)
		goto fail;
	phx_dp_cluster_init(dp);
	rc = phx_dp_fib_init(dp);
	if (rc != 0) {
		phx_cfg_error_add(errs, cfg->path, (struct phx_cfg_loc){0},
			"routes", "cannot build the routing table: %s",
			rte_strerror(-rc));
		goto fail;
	}
	rc = neigh_init(dp);
	if (rc != 0) {
		phx_cfg_error_add(errs, cfg->path, (struct phx_cfg_loc){0},
			"neighbors.max_entries",
			"cannot create the neighbour table: %s",
			rte_strerror(-rc));
		goto fail;
	}
	rc = nat_init(dp);
	if (rc == 0) {
		char err[256];

		dp->policy = phx_dp_policy_build(dp, cfg,
			cfg->generation ? cfg->generation : 1, err, sizeof(err));
		if (dp->policy == NULL) {
			phx_cfg_error_add(errs, cfg->path,
				(struct phx_cfg_loc){0}, "rules", "%s", err);
			goto fail;
		}
	} else {
		phx_cfg_error_add(errs, cfg->path, (struct phx_cfg_loc){0},
			"sessions", "cannot create NAT port pools: %s",
			rte_strerror(-rc));
		goto fail;
	}
	rss_init(dp);
	bcast_init(dp);
	dp->refresh_tsc = rte_get_tsc_hz() * PHX_SYNC_REFRESH_S;
	dp->pickup_until_tsc = rte_rdtsc() +
		rte_get_tsc_hz() * cfg->sessions.pickup_grace_s;
	pthread_mutex_init(&dp->policy_lock, NULL);
	pthread_mutex_init(&dp->dump_lock, NULL);
	rc = phx_dp_grace_init(dp);
	if (rc != 0) {
		phx_cfg_error_add(errs, cfg->path, (struct phx_cfg_loc){0},
			"dataplane", "cannot start the RCU grace thread: %s",
			strerror(-rc));
		goto fail;
	}
	dp->idle_cap_us = phx_idle_sleep_cap(cfg->cluster.enabled,
					     cfg->cluster.hello_ms);
	if (cfg->dataplane.icmp_rate > 0) {
		dp->icmp_tsc_per_token = rte_get_tsc_hz() /
					 cfg->dataplane.icmp_rate;
		dp->icmp_burst = RTE_MAX(1u, cfg->dataplane.icmp_rate / 10);
	}
	return dp;
fail:
	phx_dp_free(dp);
	return NULL;
}

int
phx_dp_start(struct phx_dp *dp)
{
	unsigned i;
	int rc;

	for (i = 0; i < dp->nb_workers; i++) {
		unsigned p;

		for (p = 0; p < dp->nb_ports; p++)
			rte_eth_tx_buffer_set_err_callback(dp->workers[i].txb[p],
				phx_dp_tx_buffer_error, &dp->workers[i]);
	}
	for (i = 0; i < dp->nb_ports; i++) {
		const struct phx_dp_port_info *pi = &dp->ports[i];

		if (pi->vlan != 0)
			continue; /* its parent's device */
		rc = rte_eth_dev_start(pi->port_id);
		if (rc != 0) {
			unsigned k;

			PHX_LOG_DP(ERR, "port %s: start failed: %s\n",
				   pi->cfg->name, rte_strerror(-rc));
			/* the ones started: stopped, so they can be closed
			 * before their mbuf pool goes */
			for (k = 0; k < i; k++)
				if (dp->ports[k].vlan == 0)
					rte_eth_dev_stop(dp->ports[k].port_id);
			return rc;
		}
		if (pi->cfg->promiscuous &&
		    (rc = rte_eth_promiscuous_enable(pi->port_id)) != 0)
			PHX_LOG_DP(WARNING, "port %s: promiscuous mode refused "
				   "(%s): frames to the VMAC or a cluster "
				   "group may not arrive\n", pi->cfg->name,
				   rte_strerror(-rc));
	}
	rss_program(dp);        /* before any worker reads dp->reta */
	dp->stop = false;
	dp->started = true;     /* ports: phx_dp_stop stops them */
	for (i = 0; i < dp->nb_workers; i++) {
		rc = rte_eal_remote_launch(phx_dp_worker_loop, &dp->workers[i],
					   dp->workers[i].lcore);
		dp->workers[i].launched = rc == 0;
		if (rc != 0) {
			PHX_LOG_DP(ERR, "cannot launch worker %u on lcore %u\n",
				   i, dp->workers[i].lcore);
			phx_dp_stop(dp);
			return rc;
		}
	}
	return 0;
}

void
phx_dp_stop(struct phx_dp *dp)
{
	unsigned i;

	if (dp == NULL)
		return;
	__atomic_store_n(&dp->stop, true, __ATOMIC_RELEASE);
	for (i = 0; dp->workers != NULL && i < dp->nb_workers; i++)
		if (dp->workers[i].launched) {
			rte_eal_wait_lcore(dp->workers[i].lcore);
			dp->workers[i].launched = false;
		}
	if (dp->started)
		for (i = 0; i < dp->nb_ports; i++)
			if (dp->ports[i].vlan == 0)
				rte_eth_dev_stop(dp->ports[i].port_id);
	dp->started = false;
}

void
phx_dp_free(struct phx_dp *dp)
{
	unsigned i, p;

	if (dp == NULL)
		return;
	phx_dp_stop(dp);
	phx_dp_grace_fini(dp);
	phx_dp_cluster_fini(dp);
	phx_dp_ports_close(dp);
	if (dp->workers) {
		for (i = 0; i < dp->nb_workers; i++) {
			struct phx_worker *w = &dp->workers[i];
			struct rte_mbuf *m;

			while (w->to_ctl && rte_ring_dequeue(w->to_ctl,
							     (void **)&m) == 0)
				rte_pktmbuf_free(m);
			while (w->ctl_tx && rte_ring_dequeue(w->ctl_tx,
							     (void **)&m) == 0)
				rte_pktmbuf_free(m);
			while (w->handoff && rte_ring_dequeue(w->handoff,
							      (void **)&m) == 0)
				rte_pktmbuf_free(m);
			if (w->frag_tbl != NULL) {
				rte_ip_frag_table_destroy(w->frag_tbl);
				rte_ip_frag_free_death_row(&w->frag_dr, 0);
			}
			rte_ring_free(w->to_ctl);
			rte_ring_free(w->ctl_tx);
			rte_ring_free(w->handoff);
			rte_ring_free(w->sync_ev);
			rte_ring_free(w->msg);
			phx_shard_free(w->shard);
			rte_free(w->delay_q);
			rte_free(w->delay_gen);
			for (p = 0; p < PHX_NAT_ADDR_MAX; p++)
				phx_nat_pool_free(w->nat_pool[p]);
			for (p = 0; p < PHX_CFG_MAX_PORTS; p++)
				rte_free(w->txb[p]);
		}
		rte_free(dp->workers);
	}
	phx_dp_policy_free(dp->policy);
	rte_hash_free(dp->neigh);
	rte_free(dp->neigh_slots);
	rte_free(dp->neigh_dead);
	rte_free(dp->neigh_wait);
	rte_lpm_free(dp->lpm);
	rte_mempool_free(dp->pool);
	rte_mempool_free(dp->pool_ind);
	rte_free(dp);
}

const struct phx_config *
phx_dp_config(const struct phx_dp *dp)
{
	return dp->cfg;
}

unsigned
phx_dp_nb_workers(const struct phx_dp *dp)
{
	return dp->nb_workers;
}

unsigned
phx_dp_nb_ports(const struct phx_dp *dp)
{
	return dp->nb_ports;
}

const struct phx_dp_port_info *
phx_dp_port(const struct phx_dp *dp, unsigned idx)
{
	return idx < dp->nb_ports ? &dp->ports[idx] : NULL;
}

struct rte_mempool *
phx_dp_pool(struct phx_dp *dp)
{
	return dp->pool;
}

struct phx_dp_stats *
phx_dp_stats(struct phx_dp *dp, unsigned idx)
{
	if (idx < dp->nb_workers)
		return &dp->workers[idx].stats;
	return idx == dp->nb_workers ? &dp->ctl_stats : NULL;
}

void
phx_dp_stats_sum(struct phx_dp *dp, struct phx_dp_stats *out)
{
	unsigned i, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i <= dp->nb_workers; i++) {
		const struct phx_dp_stats *s = phx_dp_stats(dp, i);

		for (k = 0; k < PHX_CNT_MAX; k++)
			out->cnt[k] += __atomic_load_n(&s->cnt[k],
						       __ATOMIC_RELAXED);
		for (k = 0; k < PHX_DROP_MAX; k++)
			out->drop[k] += __atomic_load_n(&s->drop[k],
							__ATOMIC_RELAXED);
	}
}

void
phx_dp_set_soft_spread(struct phx_dp *dp, bool on)
{
	__atomic_store_n(&dp->soft_spread, on && dp->nb_workers > 1,
			 __ATOMIC_RELEASE);
}

void
phx_dp_vlan_stats(struct phx_dp *dp, unsigned idx,
		  struct phx_dp_vlan_stats *out)
{
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (idx >= dp->nb_ports || dp->ports[idx].vlan == 0)
		return;
	for (i = 0; i < dp->nb_workers; i++) {
		const struct phx_dp_vlan_stats *v = &dp->workers[i].vstats[idx];

		out->rx_pkts += __atomic_load_n(&v->rx_pkts, __ATOMIC_RELAXED);
		out->rx_bytes += __atomic_load_n(&v->rx_bytes,
						 __ATOMIC_RELAXED);
		out->tx_pkts += __atomic_load_n(&v->tx_pkts, __ATOMIC_RELAXED);
		out->tx_bytes += __atomic_load_n(&v->tx_bytes,
						 __ATOMIC_RELAXED);
	}
}

unsigned
phx_dp_ctl_rx_burst(struct phx_dp *dp, struct rte_mbuf **pkts, unsigned n)
{
	unsigned i, w, got = 0;

	/* Round robin, as phx_dp_sess_events: a worker whose ring stays
	 * full (an ARP flood on its port) must not starve the others' ARP
	 * and CCP frames into ctl_ring_full. */
	for (i = 0; i < dp->nb_workers && got < n; i++) {
		w = (dp->ctl_next + i) % dp->nb_workers;
		got += rte_ring_sc_dequeue_burst(dp->workers[w].to_ctl,
			(void **)(pkts + got), n - got, NULL);
	}
	dp->ctl_next = (dp->ctl_next + 1) % dp->nb_workers;
	return got;
}

void
phx_dp_ctl_tx(struct phx_dp *dp, struct rte_mbuf *m, uint16_t port_idx)
{
	phx_dp_mbuf_meta(m)->port = port_idx;
	if (port_idx >= dp->nb_ports ||
	    rte_ring_sp_enqueue(dp->workers[0].ctl_tx, m) != 0) {
		dp->ctl_stats.drop[PHX_DROP_CTL_RING_FULL]++;
		rte_pktmbuf_free(m);
	}
}

unsigned
phx_dp_neigh_capacity(const struct phx_dp *dp)
{
	return dp->neigh_cap;
}

int
phx_dp_neigh_add(struct phx_dp *dp, uint32_t ip)
{
	int pos;

	if (rte_hash_lookup(dp->neigh, &ip) >= 0)
		return -EEXIST;
	pos = rte_hash_add_key(dp->neigh, &ip);
	if (pos < 0)
		return pos;
	__atomic_store_n(&dp->neigh_slots[pos].mac, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&dp->neigh_slots[pos].used, 0, __ATOMIC_RELAXED);
	return pos;
}

int
phx_dp_neigh_find(struct phx_dp *dp, uint32_t ip)
{
	return rte_hash_lookup(dp->neigh, &ip);
}

void
phx_dp_neigh_set_mac(struct phx_dp *dp, int pos,
		     const struct rte_ether_addr *mac)
{
	__atomic_store_n(&dp->neigh_slots[pos].mac,
			 phx_mac_to_u64(mac) | PHX_NEIGH_VALID,
			 __ATOMIC_RELEASE);
}

void
phx_dp_neigh_set_drop(struct phx_dp *dp, int pos, enum phx_drop_reason reason)
{
	__atomic_store_n(&dp->neigh_slots[pos].mac,
			 PHX_NEIGH_DROP | (uint64_t)reason, __ATOMIC_RELEASE);
}

bool
phx_dp_neigh_get_mac(struct phx_dp *dp, int pos, struct rte_ether_addr *mac)
{
	uint64_t v = __atomic_load_n(&dp->neigh_slots[pos].mac,
				     __ATOMIC_ACQUIRE);

	if (!(v & PHX_NEIGH_VALID))
		return false;
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	return true;
}

bool
phx_dp_neigh_test_clear_used(struct phx_dp *dp, int pos)
{
	return __atomic_exchange_n(&dp->neigh_slots[pos].used, 0,
				   __ATOMIC_RELAXED) != 0;
}

void
phx_dp_neigh_del(struct phx_dp *dp, int pos)
{
	void *key;
	uint32_t ip;

	if (rte_hash_get_key_with_position(dp->neigh, pos, &key) != 0)
		return;
	memcpy(&ip, key, sizeof(ip));
	if (rte_hash_del_key(dp->neigh, &ip) < 0)
		return;
	dp->neigh_dead[dp->neigh_nb_dead++] = pos;
}

void
phx_dp_neigh_reclaim(struct phx_dp *dp)
{
	unsigned i;
	int32_t *t;

	/* Workers that looked a key up before its delete may still read
	 * its slot: the positions are freed once each has passed a
	 * quiescent state since (grace.c), by a later call. */
	if (dp->neigh_nb_wait != 0) {
		if (!phx_dp_grace_done(dp, dp->neigh_ticket))
			return;
		for (i = 0; i < dp->neigh_nb_wait; i++) {
			__atomic_store_n(&dp->neigh_slots[dp->neigh_wait[i]].mac,
					 0, __ATOMIC_RELEASE);
			rte_hash_free_key_with_position(dp->neigh,
							dp->neigh_wait[i]);
		}
		dp->neigh_nb_wait = 0;
	}
	if (dp->neigh_nb_dead == 0)
		return;
	t = dp->neigh_wait;
	dp->neigh_wait = dp->neigh_dead;
	dp->neigh_dead = t;
	dp->neigh_nb_wait = dp->neigh_nb_dead;
	dp->neigh_nb_dead = 0;
	dp->neigh_ticket = phx_dp_grace_start(dp);
}

/* ------------------------------------------------------------------ */
/* Stateful inspection: control- and telemetry-side API (dp_api.h).     */

uint64_t
phx_dp_policy_gen(struct phx_dp *dp)
{
	uint64_t gen;

	pthread_mutex_lock(&dp->policy_lock);
	gen = dp->policy->gen;
	pthread_mutex_unlock(&dp->policy_lock);
	return gen;
}

unsigned
phx_dp_sess_events(struct phx_dp *dp, struct phx_sess_event *ev, unsigned n)
{
	unsigned i, w, got = 0;

	/* Round robin over the workers: one that keeps its ring full must
	 * not take every call's room while the others' rings overflow
	 * (each worker's events keep their order; across workers they are
	 * independent sessions). */
	for (i = 0; i < dp->nb_workers && got < n; i++) {
		w = (dp->ev_next + i) % dp->nb_workers;
		got += rte_ring_sc_dequeue_burst_elem(dp->workers[w].sync_ev,
			ev + got, sizeof(*ev), n - got, NULL);
	}
	dp->ev_next = (dp->ev_next + 1) % dp->nb_workers;
	return got;
}

void
phx_dp_sync_block(struct phx_dp *dp, bool on, uint8_t allowed)
{
	__atomic_store_n(&dp->sync_block, on ? PHX_SYNC_BLOCK_ON | allowed : 0u,
			 __ATOMIC_RELAXED);
}

int
phx_dp_post(struct phx_dp *dp, unsigned w, const struct phx_dp_msg *m)
{
	if (w >= dp->nb_workers)
		return -EINVAL;
	return rte_ring_sp_enqueue_elem(dp->workers[w].msg, (void *)(uintptr_t)m,
					sizeof(*m)) == 0 ? 0 : -ENOBUFS;
}

/* Post the request filled in rq (dump_lock held) and wait for the
 * worker's answer. */
static int
req_wait(struct phx_dp *dp, struct phx_conn_req *rq, uint64_t end)
{
	uint32_t seq;

	seq = rq->seq + 1;
	__atomic_store_n(&rq->seq, seq, __ATOMIC_RELEASE);
	while (__atomic_load_n(&rq->done, __ATOMIC_ACQUIRE) != seq) {
		if (rte_rdtsc() > end || !dp->started) {
			/* Withdraw: the worker skips it if it has not begun;
			 * a late answer lands in rq's own buffers. */
			__atomic_store_n(&rq->done, seq, __ATOMIC_RELEASE);
			return -ETIMEDOUT;
		}
		rte_delay_us_sleep(50);
	}
	return 0;
}

/* The end of a wait of timeout_ms from now, in TSC ticks. */
static uint64_t
deadline(unsigned timeout_ms)
{
	return rte_rdtsc() + rte_get_tsc_hz() * timeout_ms / 1000;
}

/* dp->dump_lock, waited for until end at most (another request holds it:
 * its own wait counts against ours): 0 or -ETIMEDOUT. */
static int
dump_lock_until(struct phx_dp *dp, uint64_t end)
{
	while (pthread_mutex_trylock(&dp->dump_lock) != 0) {
		if (rte_rdtsc() > end)
			return -ETIMEDOUT;
		rte_delay_us_sleep(100);
	}
	return 0;
}

int
phx_dp_conn_page(struct phx_dp *dp, unsigned w, uint32_t from,
		 const struct phx_conn_filter *f, struct phx_conn_page *out,
		 unsigned timeout_ms)
{
	uint64_t end = deadline(timeout_ms);
	struct phx_conn_req *rq;
	int rc;

	if (w >= dp->nb_workers)
		return -EINVAL;
	rq = &dp->workers[w].dump;
	if (dump_lock_until(dp, end) != 0)
		return -ETIMEDOUT;
	rq->kind = PHX_REQ_PAGE;
	rq->from = from;
	rq->f = *f;
	rc = req_wait(dp, rq, end);
	if (rc == 0)
		*out = rq->page;
	pthread_mutex_unlock(&dp->dump_lock);
	return rc;
}

int
phx_dp_shard_digest(struct phx_dp *dp, unsigned w, uint64_t *digest,
		    uint32_t *count, unsigned timeout_ms)
{
	uint64_t end = deadline(timeout_ms);
	struct phx_conn_req *rq;
	int rc;

	if (w >= dp->nb_workers)
		return -EINVAL;
	rq = &dp->workers[w].dump;
	if (dump_lock_until(dp, end) != 0)
		return -ETIMEDOUT;
	rq->kind = PHX_REQ_DIGEST;
	rc = req_wait(dp, rq, end);
	if (rc == 0) {
		*digest = rq->dig.sum;
		*count = rq->dig.n;
	}
	pthread_mutex_unlock(&dp->dump_lock);
	return rc;
}

int
phx_dp_clear(struct phx_dp *dp, const struct phx_conn_filter *f,
	     unsigned timeout_ms, uint64_t *cleared)
{
	/* one deadline for all, the wait for another request included */
	uint64_t end = deadline(timeout_ms);
	uint32_t seq[RTE_MAX_LCORE];
	unsigned w, left;
	int rc = 0;

	*cleared = 0;
	if (dump_lock_until(dp, end) != 0)
		return -ETIMEDOUT;
	/* every worker at once */
	for (w = 0; w < dp->nb_workers; w++) {
		struct phx_conn_req *rq = &dp->workers[w].dump;

		rq->kind = PHX_REQ_CLEAR;
		rq->f = *f;
		seq[w] = rq->seq + 1;
		__atomic_store_n(&rq->seq, seq[w], __ATOMIC_RELEASE);
	}
	do {
		left = 0;
		for (w = 0; w < dp->nb_workers; w++)
			if (__atomic_load_n(&dp->workers[w].dump.done,
					    __ATOMIC_ACQUIRE) != seq[w])
				left++;
		if (left == 0)
			break;
		rte_delay_us_sleep(50);
	} while (rte_rdtsc() < end && dp->started);
	for (w = 0; w < dp->nb_workers; w++) {
		struct phx_conn_req *rq = &dp->workers[w].dump;

		if (__atomic_load_n(&rq->done, __ATOMIC_ACQUIRE) == seq[w]) {
			*cleared += rq->dig.n;
		} else {
			/* withdraw: the worker stops at its next loop */
			__atomic_store_n(&rq->done, seq[w], __ATOMIC_RELEASE);
			rc = -ETIMEDOUT;
		}
	}
	pthread_mutex_unlock(&dp->dump_lock);
	return rc;
}

uint32_t
phx_dp_sessions(struct phx_dp *dp, unsigned w)
{
	return w < dp->nb_workers ?
		__atomic_load_n(&dp->workers[w].shard->used, __ATOMIC_RELAXED) : 0;
}

unsigned
phx_dp_rule_hits(struct phx_dp *dp, uint64_t *hits,
		 char (*names)[PHX_CFG_NAME_LEN], unsigned max)
{
	unsigned r, i, n;

	pthread_mutex_lock(&dp->policy_lock);
	n = RTE_MIN(dp->policy->n_rules, max);
	for (r = 0; r < n; r++) {
		hits[r] = 0;
		for (i = 0; i < dp->nb_workers; i++)
			if (__atomic_load_n(&dp->workers[i].hits_gen,
					    __ATOMIC_RELAXED) == dp->policy->gen)
				hits[r] += __atomic_load_n(&dp->workers[i].hits[r],
							   __ATOMIC_RELAXED);
		if (names != NULL)
			snprintf(names[r], PHX_CFG_NAME_LEN, "%s",
				 dp->policy->names[r]);
	}
	pthread_mutex_unlock(&dp->policy_lock);
	return n;
}

uint32_t
phx_dp_sess_remaining_ms(struct phx_dp *dp, const struct phx_sess *s,
			 uint64_t now)
{
	const struct phx_policy *pol;
	uint64_t tmo;
	unsigned c = s->tmo_class < PHX_TMO_MAX ? s->tmo_class : 0;

	pthread_mutex_lock(&dp->policy_lock);
	pol = dp->policy;
	/* as the worker's sess_tmo_class: gen 0 is a synced session */
	tmo = (s->gen == pol->gen || s->gen == 0) && s->rule < pol->n_rules ?
	      pol->rules[s->rule].tmo_tsc[c] : pol->tmo_tsc[c];
	pthread_mutex_unlock(&dp->policy_lock);
	return (uint32_t)(phx_tmo_remaining(now, s->last_tsc, tmo) * 1000 /
			  rte_get_tsc_hz());
}

void
phx_dp_rule_name(struct phx_dp *dp, unsigned r, char *buf, size_t len)
{
	pthread_mutex_lock(&dp->policy_lock);
	snprintf(buf, len, "%s", r < dp->policy->n_rules ?
		 dp->policy->names[r] : "");
	pthread_mutex_unlock(&dp->policy_lock);
}
