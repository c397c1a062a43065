/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [C] The dataplane half of cluster membership, as the control lcore's
 * CCP runtime uses it (dp_api.h): the forwarding gate of a standby (SPEC
 * MODE-12, 1.2), the VMAC of a port (SPEC 5.5), port link state for
 * interface monitoring (SPEC CCP-30..36) and worker liveness (the
 * "Workers" critical device). The packet-path side is in worker.c: the
 * CCP punt, the gate read once per burst, the VMAC compare in the L2
 * filter and the heartbeat bumped once per loop.
 *
 * Link state: rte_eth_link_get_nowait() answers for real NICs. The
 * net_af_packet and net_af_xdp PMDs report a link that never changes,
 * so for them the kernel interface behind the port (the iface= argument
 * of its device) is asked as well: up only with IFF_UP (administratively
 * up: `ip link set ... down` clears it) and IFF_RUNNING (operationally up:
 * a veth whose peer went down loses it). The process runs in the member's
 * network namespace, so one AF_INET datagram socket, opened at start,
 * serves every ioctl(SIOCGIFFLAGS).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_pause.h>

#include "dataplane/dp_priv.h"

static_assert(PHX_IFNAMSIZ == IFNAMSIZ, "PHX_IFNAMSIZ is IFNAMSIZ");

bool
phx_dp_devarg(const char *device, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = strchr(device, ',');

	while (p != NULL) {
		const char *v = p + 1, *end = strchr(v, ',');
		size_t vlen;

		p = end;
		if (strncmp(v, key, klen) != 0 || v[klen] != '=')
			continue;
		v += klen + 1;
		vlen = end ? (size_t)(end - v) : strlen(v);
		if (vlen == 0 || vlen >= len)
			return false;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return true;
	}
	return false;
}

void
phx_dp_cluster_init(struct phx_dp *dp)
{
	struct rte_eth_dev_info info;
	bool kernel = false;
	unsigned p;

	dp->cluster = dp->cfg->cluster.enabled;
	/* A cluster member starts as a standby: control lets it forward
	 * once the CCP state machine makes it active. */
	__atomic_store_n(&dp->fwd, dp->cluster ? 0u : 1u, __ATOMIC_RELEASE);
	for (p = 0; p < dp->nb_ports; p++) {
		const struct phx_dp_port_info *pi = &dp->ports[p];

		dp->ifname[p][0] = '\0';
		if (pi->cfg == NULL ||
		    rte_eth_dev_info_get(pi->port_id, &info) != 0 ||
		    info.driver_name == NULL ||
		    (strcmp(info.driver_name, "net_af_packet") != 0 &&
		     strcmp(info.driver_name, "net_af_xdp") != 0))
			continue;
		if (!phx_dp_devarg(pi->cfg->device, "iface", dp->ifname[p],
			    sizeof(dp->ifname[p]))) {
			PHX_LOG_DP(WARNING, "port %s: no iface= in \"%s\"; its "
				   "link state is the PMD's (static)\n",
				   pi->cfg->name, pi->cfg->device);
			continue;
		}
		kernel = true;
	}
	if (!kernel)
		return;
	dp->link_sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dp->link_sock < 0)
		PHX_LOG_DP(WARNING, "socket for interface flags: %s; link "
			   "state of kernel-backed ports is the PMD's\n",
			   strerror(errno));
}

void
phx_dp_cluster_fini(struct phx_dp *dp)
{
	if (dp->link_sock >= 0)
		close(dp->link_sock);
	dp->link_sock = -1;
}

#define FWD_STOP_WAIT_MS 250   /* = control's worker stall threshold */

static void
wait_workers_left_bursts(struct phx_dp *dp)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * FWD_STOP_WAIT_MS / 1000;
	unsigned w;

	for (w = 0; w < dp->nb_workers; w++) {
		struct phx_worker_hb *hb = &dp->workers[w].hb;
		uint64_t n = __atomic_load_n(&hb->n, __ATOMIC_ACQUIRE);

		while (__atomic_load_n(&hb->n, __ATOMIC_ACQUIRE) == n &&
		       !__atomic_load_n(&hb->idle, __ATOMIC_ACQUIRE)) {
			if (rte_rdtsc() > end) {
				PHX_LOG_DP(WARNING, "worker %u stalled: it may "
					   "still finish a burst it began as "
					   "the forwarding member\n", w);
				break;
			}
			rte_pause();
		}
	}
}

void
phx_dp_cluster_set_forwarding(struct phx_dp *dp, bool on)
{
	if (!dp->cluster)
		return;
	if (on == (__atomic_load_n(&dp->fwd, __ATOMIC_RELAXED) != 0))
		return;
	__atomic_store_n(&dp->fwd, on ? 1u : 0u, __ATOMIC_RELEASE);
	/* the gate's store before reading the workers' progress (the
	 * worker loop has the matching fence) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Stopping: a worker may be in a burst that read "forwarding";
	 * once each has begun a new loop (or sleeps between loops), none
	 * forwards any more, so control may confirm a hand-over. Bounded,
	 * unlike synchronize_rcu(): a worker stuck in a bug must not stop
	 * control (the Workers device is failing this member over, and
	 * its heartbeats and ARP must go on). */
	if (!on && dp->started)
		wait_workers_left_bursts(dp);
}

bool
phx_dp_cluster_forwarding(const struct phx_dp *dp)
{
	return __atomic_load_n(&dp->fwd, __ATOMIC_ACQUIRE) != 0;
}

void
phx_dp_idle_cap_set(struct phx_dp *dp, uint32_t us)
{
	__atomic_store_n(&dp->idle_cap_us, us, __ATOMIC_RELAXED);
}

uint32_t
phx_dp_idle_cap(const struct phx_dp *dp)
{
	return __atomic_load_n(&dp->idle_cap_us, __ATOMIC_RELAXED);
}

uint64_t
phx_dp_worker_heartbeat(struct phx_dp *dp, unsigned w)
{
	if (w >= dp->nb_workers)
		return 0;
	return __atomic_load_n(&dp->workers[w].hb.n, __ATOMIC_RELAXED);
}

int
phx_dp_drop_sample(struct phx_dp *dp, unsigned w, enum phx_drop_reason r,
		   struct phx_dp_drop_sample *out)
{
	const struct phx_dp_sample_slot *ds;
	int k = phx_dp_sampled_drop(r);
	uint32_t sn;

	if (w >= dp->nb_workers || k < 0)
		return -ENOENT;
	ds = &dp->workers[w].drop_sample[k];
	do {
		sn = rte_seqcount_read_begin(&ds->sc);
		*out = ds->s;
	} while (rte_seqcount_read_retry(&ds->sc, sn));
	return sn == 0 ? -ENOENT : 0;
}

bool
phx_dp_port_link_up(struct phx_dp *dp, unsigned idx)
{
	struct rte_eth_link link;
	struct ifreq ifr;

	if (idx >= dp->nb_ports)
		return false;
	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(dp->ports[idx].port_id, &link) != 0 ||
	    link.link_status != RTE_ETH_LINK_UP)
		return false;
	if (dp->ifname[idx][0] == '\0' || dp->link_sock < 0)
		return true;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, dp->ifname[idx], sizeof(ifr.ifr_name));
	/* The interface gone (ENODEV) is a link down too. */
	if (ioctl(dp->link_sock, SIOCGIFFLAGS, &ifr) != 0)
		return false;
	return (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) ==
	       (IFF_UP | IFF_RUNNING);
}

void
phx_dp_fwd_src_mac(struct phx_dp *dp, unsigned idx, struct rte_ether_addr *mac)
{
	phx_fwd_src_mac(dp, idx, mac);
}

int
phx_dp_port_mcast(struct phx_dp *dp, unsigned idx,
		  const struct rte_ether_addr *group)
{
	struct rte_ether_addr list[PHX_CFG_MAX_PORTS];
	const struct phx_dp_port_info *pi;
	uint32_t n = 0, j;
	unsigned i;
	int rc;

	if (idx >= dp->nb_ports ||
	    (group != NULL && !rte_is_multicast_ether_addr(group)))
		return -EINVAL;
	pi = &dp->ports[idx];
	dp->mcast_on[idx] = group != NULL;
	if (group != NULL)
		dp->mcast_addr[idx] = *group;
	/* what the device is, not what the configuration asked (a VF may
	 * refuse promiscuous mode) */
	if (rte_eth_promiscuous_get(pi->port_id) == 1)
		return 0;
	/* the device's whole list: every port on it, once each */
	for (i = 0; i < dp->nb_ports; i++) {
		if (!dp->mcast_on[i] || dp->ports[i].port_id != pi->port_id)
			continue;
		for (j = 0; j < n; j++)
			if (rte_is_same_ether_addr(&list[j],
						   &dp->mcast_addr[i]))
				break;
		if (j == n)
			list[n++] = dp->mcast_addr[i];
	}
	rc = rte_eth_dev_set_mc_addr_list(pi->port_id, n ? list : NULL, n);
	if (rc == -ENOTSUP && n == 0)
		rc = 0;         /* no list to empty */
	else if (rc == -ENOTSUP)
		rc = rte_eth_allmulticast_enable(pi->port_id);
	if (rc != 0)
		PHX_LOG_DP(WARNING, "port %s: the device takes neither a "
			   "multicast list nor all-multicast mode (%s): CCP to "
			   "its group MAC may never arrive; make the port "
			   "promiscuous or set cluster.transport to "
			   "\"broadcast\"\n", pi->cfg->name,
			   rte_strerror(-rc));
	return rc;
}

int
phx_dp_port_vmac(struct phx_dp *dp, unsigned idx,
		 const struct rte_ether_addr *vmac)
{
	struct phx_dp_port_info *pi;
	struct rte_ether_addr a;
	int rc;

	if (idx >= dp->nb_ports ||
	    (vmac != NULL && !rte_is_valid_assigned_ether_addr(vmac)))
		return -EINVAL;
	pi = &dp->ports[idx];
	if (vmac != NULL && dp->vmac[idx] != 0 &&
	    rte_is_same_ether_addr(vmac, &dp->vmac_addr[idx]))
		return 0;
	/* Workers stop accepting the old one before the device does. */
	__atomic_store_n(&dp->vmac[idx], 0, __ATOMIC_RELEASE);
	if (dp->vmac_hw[idx]) {
		rc = rte_eth_dev_mac_addr_remove(pi->port_id,
						 &dp->vmac_addr[idx]);
		if (rc != 0)
			PHX_LOG_DP(WARNING, "port %s: VMAC not removed from "
				   "the device: %s\n", pi->cfg->name,
				   rte_strerror(-rc));
		dp->vmac_hw[idx] = false;
	}
	if (vmac == NULL)
		return 0;
	rte_ether_addr_copy(vmac, &dp->vmac_addr[idx]);
	a = *vmac;
	rc = rte_eth_dev_mac_addr_add(pi->port_id, &a, 0);
	dp->vmac_hw[idx] = rc == 0;
	if (rc != 0)
		PHX_LOG_DP(WARNING, "port %s: VMAC " RTE_ETHER_ADDR_PRT_FMT
			   " not added to the device (%s); accepted in "
			   "software%s\n", pi->cfg->name,
			   RTE_ETHER_ADDR_BYTES(vmac), rte_strerror(-rc),
			   pi->cfg->promiscuous ? "" : ", but the port is not "
			   "promiscuous: frames to it may never arrive");
	__atomic_store_n(&dp->vmac[idx], phx_mac_to_u64(vmac) | PHX_VMAC_VALID,
			 __ATOMIC_RELEASE);
	return rc;
}
