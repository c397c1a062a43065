/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port bring-up: find each configured device among the probed ethdevs,
 * configure one RX and one TX queue per worker, spread flows with RSS using
 * a symmetric Toeplitz key (DESIGN invariant 6), set MTU, MAC and
 * promiscuous mode.
 *
 * The key is 0x6D5A repeated: with it the Toeplitz hash of (src, dst) equals
 * that of (dst, src), so both directions of a flow land on one queue and one
 * worker. DPDK 22.11 has no port-level "symmetric" switch, hence the key.
 * Devices without RSS (net_af_packet spreads with PACKET_FANOUT_HASH, which
 * the kernel computes symmetrically) get no RSS configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "dataplane/dp_priv.h"

const uint8_t phx_dp_rss_key[PHX_DP_RSS_KEY_MAX] __rte_aligned(4) = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a,
};

/* The ethdev name of a configured device: the PCI address in its full
 * form, or the vdev name (text before the first comma). */
static void
device_ethdev_name(const struct phx_cfg_port *pc, char *buf, size_t len)
{
	size_t n = strcspn(pc->device, ",");

	if (pc->is_pci && strchr(pc->device, ':') == strrchr(pc->device, ':'))
		snprintf(buf, len, "0000:%.*s", (int)n, pc->device);
	else
		snprintf(buf, len, "%.*s", (int)n, pc->device);
}

static int
port_setup(struct phx_dp *dp, unsigned idx, struct phx_cfg_errors *errs)
{
	const struct phx_cfg_port *pc = &dp->cfg->ports[idx];
	struct phx_dp_port_info *pi = &dp->ports[idx];
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN], path[64];
	uint16_t pid, q, nq = dp->nb_workers;
	int rc;

	snprintf(path, sizeof(path), "ports[%u].device", idx);
	device_ethdev_name(pc, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		phx_cfg_error_add(errs, dp->cfg->path, pc->device_loc, path,
			"device \"%s\" did not probe (no such device, or its "
			"driver failed; see the EAL messages above)", name);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0) {
		phx_cfg_error_add(errs, dp->cfg->path, pc->device_loc, path,
			"cannot read device info of \"%s\": %s", name,
			rte_strerror(-rc));
		return rc;
	}
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		phx_cfg_error_add(errs, dp->cfg->path, pc->device_loc, path,
			"device \"%s\" has %u RX / %u TX queues, %u workers need "
			"%u of each (af_packet: add qpairs=%u)", name,
			info.max_rx_queues, info.max_tx_queues, nq, nq, nq);
		return -EINVAL;
	}
	if (nq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		/* at the driver's own key length: given another, a driver
		 * may fall back to its default, asymmetric key */
		conf.rx_adv_conf.rss_conf.rss_key =
			(uint8_t *)(uintptr_t)phx_dp_rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = info.hash_key_size ?
			RTE_MIN(info.hash_key_size, PHX_DP_RSS_KEY_MAX) : 40;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;

	rc = rte_eth_dev_configure(pid, nq, nq, &conf);
	if (rc != 0) {
		phx_cfg_error_add(errs, dp->cfg->path, pc->device_loc, path,
			"cannot configure \"%s\": %s", name, rte_strerror(-rc));
		return rc;
	}
	uint16_t nrx = pc->rx_desc, ntx = pc->tx_desc;
	rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrx, &ntx);
	for (q = 0; q < nq; q++) {
		unsigned socket = rte_lcore_to_socket_id(dp->workers[q].lcore);

		rc = rte_eth_rx_queue_setup(pid, q, nrx, socket, NULL, dp->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(pid, q, ntx, socket, NULL);
		if (rc != 0) {
			phx_cfg_error_add(errs, dp->cfg->path, pc->device_loc,
				path, "queue %u setup failed on \"%s\": %s", q,
				name, rte_strerror(-rc));
			return rc;
		}
	}
	/* MTU and MAC are best effort on virtual devices: phalanx enforces
	 * the configured MTU and sources frames from the configured MAC in
	 * software either way. */
	rc = rte_eth_dev_set_mtu(pid, pc->mtu);
	if (rc != 0 && rc != -ENOTSUP)
		PHX_LOG_DP(WARNING, "port %s: MTU %u not set on device: %s\n",
			   pc->name, pc->mtu, rte_strerror(-rc));
	if (pc->has_mac) {
		memcpy(pi->mac.addr_bytes, pc->mac, RTE_ETHER_ADDR_LEN);
		rc = rte_eth_dev_default_mac_addr_set(pid, &pi->mac);
		if (rc != 0 && rc != -ENOTSUP)
			PHX_LOG_DP(WARNING, "port %s: MAC not set on device "
				   "(%s); using it in software\n", pc->name,
				   rte_strerror(-rc));
	} else {
		rte_eth_macaddr_get(pid, &pi->mac);
	}
	pi->cfg = pc;
	pi->port_id = pid;
	pi->nb_queues = nq;
	pi->mtu = pc->mtu;
	dp->port_idx[pid] = (int16_t)idx;
	return 0;
}

/*
 * A VLAN sub-interface (SPEC MODE-08): its parent's device, queues and MAC,
 * its own tag, MTU, addresses and TX buffers. Workers find it from the
 * parent's table of VLAN ids (vlan_map) when a tagged frame arrives there.
 */
static int
vlan_setup(struct phx_dp *dp, unsigned idx, struct phx_cfg_errors *errs)
{
	const struct phx_cfg_port *pc = &dp->cfg->ports[idx];
	const struct phx_dp_port_info *par = &dp->ports[pc->parent];
	struct phx_dp_port_info *pi = &dp->ports[idx];
	uint8_t *map = dp->vlan_map[pc->parent];

	if (par->cfg == NULL)
		return -ENODEV; /* its parent's error is reported */
	if (map == NULL) {
		map = rte_zmalloc("phx_vlan_map", RTE_ETHER_MAX_VLAN_ID + 1, 0);
		if (map == NULL) {
			phx_cfg_error_add(errs, dp->cfg->path, pc->device_loc,
				"ports", "port %s: no memory for its VLAN "
				"table", pc->name);
			return -ENOMEM;
		}
		dp->vlan_map[pc->parent] = map;
	}
	map[pc->vlan] = (uint8_t)(idx + 1);
	pi->cfg = pc;
	pi->port_id = par->port_id;
	pi->nb_queues = par->nb_queues;
	pi->mtu = pc->mtu;
	pi->mac = par->mac;
	pi->vlan = pc->vlan;
	return 0;
}

int
phx_dp_ports_init(struct phx_dp *dp, struct phx_cfg_errors *errs)
{
	unsigned i;
	int rc = 0;

	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		dp->port_idx[i] = -1;
	/* Keep going after a failure so every bad port is reported.
	 * Physical ports first: a sub-interface may precede its parent. */
	for (i = 0; i < dp->cfg->n_ports; i++) {
		int r;

		if (dp->cfg->ports[i].parent >= 0)
			continue;
		r = port_setup(dp, i, errs);
		if (r != 0 && rc == 0)
			rc = r;
	}
	for (i = 0; i < dp->cfg->n_ports; i++) {
		int r;

		if (dp->cfg->ports[i].parent < 0)
			continue;
		r = vlan_setup(dp, i, errs);
		if (r != 0 && rc == 0)
			rc = r;
	}
	dp->nb_ports = dp->cfg->n_ports;
	return rc;
}

void
phx_dp_ports_close(struct phx_dp *dp)
{
	unsigned i;

	for (i = 0; i < dp->nb_ports; i++) {
		if (dp->ports[i].cfg == NULL || dp->ports[i].vlan != 0)
			continue;
		/* phx_dp_stop() stopped what was started. */
		rte_eth_dev_close(dp->ports[i].port_id);
	}
	for (i = 0; i < PHX_CFG_MAX_PORTS; i++) {
		rte_free(dp->vlan_map[i]);
		dp->vlan_map[i] = NULL;
	}
}
