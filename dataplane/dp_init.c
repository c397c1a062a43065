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
#include <urcu-qsbr.h>

#include "dataplane/dp_priv.h"

RTE_LOG_REGISTER(phx_logtype_dp, phx.dp, INFO);

int phx_dp_meta_offset = -1;

#define RING_SIZE 1024

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
 * scatter, so a frame is always contiguous for the parser. */
static uint16_t
mbuf_data_room(const struct phx_config *cfg)
{
	unsigned i, mtu = RTE_ETHER_MTU;

	for (i = 0; i < cfg->n_ports; i++)
		mtu = RTE_MAX(mtu, (unsigned)cfg->ports[i].mtu);
	return (uint16_t)RTE_MAX((unsigned)RTE_MBUF_DEFAULT_BUF_SIZE,
		RTE_PKTMBUF_HEADROOM + mtu + RTE_ETHER_HDR_LEN +
		RTE_ETHER_CRC_LEN + 2 * RTE_VLAN_HLEN);
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
	return dp->neigh_slots && dp->neigh_dead ? 0 : -ENOMEM;
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
	if (phx_dp_ports_init(dp, errs) != 0)
		goto fail;
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

		rc = rte_eth_dev_start(pi->port_id);
		if (rc != 0) {
			PHX_LOG_DP(ERR, "port %s: start failed: %s\n",
				   pi->cfg->name, rte_strerror(-rc));
			return rc;
		}
		if (pi->cfg->promiscuous)
			rte_eth_promiscuous_enable(pi->port_id);
	}
	dp->stop = false;
	for (i = 0; i < dp->nb_workers; i++) {
		rc = rte_eal_remote_launch(phx_dp_worker_loop, &dp->workers[i],
					   dp->workers[i].lcore);
		if (rc != 0) {
			PHX_LOG_DP(ERR, "cannot launch worker %u on lcore %u\n",
				   i, dp->workers[i].lcore);
			phx_dp_stop(dp);
			return rc;
		}
	}
	dp->started = true;
	return 0;
}

void
phx_dp_stop(struct phx_dp *dp)
{
	unsigned i;

	if (dp == NULL)
		return;
	__atomic_store_n(&dp->stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < dp->nb_workers; i++)
		if (dp->workers && dp->workers[i].lcore != 0)
			rte_eal_wait_lcore(dp->workers[i].lcore);
	if (dp->started)
		for (i = 0; i < dp->nb_ports; i++)
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
			rte_ring_free(w->to_ctl);
			rte_ring_free(w->ctl_tx);
			for (p = 0; p < PHX_CFG_MAX_PORTS; p++)
				rte_free(w->txb[p]);
		}
		rte_free(dp->workers);
	}
	rte_hash_free(dp->neigh);
	rte_free(dp->neigh_slots);
	rte_free(dp->neigh_dead);
	rte_lpm_free(dp->lpm);
	rte_mempool_free(dp->pool);
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

unsigned
phx_dp_ctl_rx_burst(struct phx_dp *dp, struct rte_mbuf **pkts, unsigned n)
{
	unsigned i, got = 0;

	for (i = 0; i < dp->nb_workers && got < n; i++)
		got += rte_ring_sc_dequeue_burst(dp->workers[i].to_ctl,
			(void **)(pkts + got), n - got, NULL);
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

	if (dp->neigh_nb_dead == 0)
		return;
	/* Workers that looked the key up before the delete may still read
	 * the slot: wait until each has passed a quiescent state. */
	synchronize_rcu();
	for (i = 0; i < dp->neigh_nb_dead; i++) {
		__atomic_store_n(&dp->neigh_slots[dp->neigh_dead[i]].mac, 0,
				 __ATOMIC_RELEASE);
		rte_hash_free_key_with_position(dp->neigh, dp->neigh_dead[i]);
	}
	dp->neigh_nb_dead = 0;
}
