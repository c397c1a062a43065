/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 routing table on rte_lpm. One lookup per packet answers four
 * questions at once: is the destination one of our addresses (/32 LOCAL
 * entries), a cluster VIP (/32 VIP), a directed broadcast of a connected
 * subnet (/32 BCAST), or routed — out of which port and through which
 * gateway (connected routes from the port addresses, then the configured
 * static routes). The LPM next-hop value is an index into dp->nh[].
 *
 * VIPs get a kind of their own rather than LOCAL: while the member
 * forwards, the worker treats both alike (ICMP echo, local in the policy,
 * destination NAT from a VIP); while it does not (a cluster standby), its
 * unique addresses still answer and the VIPs are not its own (SPEC
 * MODE-12).
 *
 * Built once at start on the main lcore and read-only afterwards; the
 * policy/route reload of a later layer will build a new table and publish
 * it under RCU instead of editing this one.
 */
#include <errno.h>

#include <rte_lpm.h>

#include "dataplane/dp_priv.h"

static int
fib_add(struct phx_dp *dp, uint32_t prefix, uint8_t plen, uint32_t gw,
	uint16_t port, enum phx_nh_kind kind)
{
	unsigned i;
	int rc;

	/* Reuse an identical next hop: connected subnets share one. */
	for (i = 0; i < dp->nb_nh; i++)
		if (dp->nh[i].gw == gw && dp->nh[i].port == port &&
		    dp->nh[i].kind == kind)
			break;
	if (i == dp->nb_nh) {
		if (dp->nb_nh == PHX_NH_MAX)
			return -ENOSPC;
		dp->nh[i] = (struct phx_nh){ .gw = gw, .port = port,
					     .kind = (uint8_t)kind };
		dp->nb_nh++;
	}
	/* rte_lpm takes depths 1..32: a default route is two /1 halves. */
	if (plen == 0) {
		rc = rte_lpm_add(dp->lpm, 0, 1, i);
		if (rc == 0)
			rc = rte_lpm_add(dp->lpm, 0x80000000u, 1, i);
	} else {
		rc = rte_lpm_add(dp->lpm, prefix, plen, i);
	}
	if (rc != 0)
		PHX_LOG_DP(ERR, "route %u.%u.%u.%u/%u: rte_lpm_add: %s\n",
			   prefix >> 24, (prefix >> 16) & 0xff,
			   (prefix >> 8) & 0xff, prefix & 0xff, plen,
			   rte_strerror(-rc));
	return rc;
}

int
phx_dp_fib_init(struct phx_dp *dp)
{
	const struct phx_config *cfg = dp->cfg;
	/* Each prefix longer than /24 in a /24 of its own takes a tbl8
	 * group (1 KiB): as many groups as rules, so that no valid
	 * configuration runs out (256 did past ~250 such routes). */
	const uint32_t rules = PHX_CFG_MAX_ROUTES +
			       PHX_CFG_MAX_PORTS * PHX_CFG_MAX_ADDRS * 3 +
			       PHX_CFG_MAX_VIPS;
	struct rte_lpm_config lc = {
		.max_rules = rules,
		.number_tbl8s = rules,
	};
	unsigned p, a, r, v, pass;
	int rc = 0;

	dp->lpm = rte_lpm_create("phx_fib", (int)rte_socket_id(), &lc);
	if (dp->lpm == NULL)
		return -rte_errno;

	/* Static routes first: a connected subnet must win over a static
	 * route of the same length, and rte_lpm_add replaces. A default
	 * route before the others: its /1 halves must not replace a /1
	 * route (pass 0: /0 only, pass 1: the rest). */
	for (pass = 0; pass < 2; pass++)
		for (r = 0; r < cfg->n_routes && rc == 0; r++) {
			const struct phx_cfg_route *rt = &cfg->routes[r];

			if ((rt->plen == 0) != (pass == 0))
				continue;
			rc = fib_add(dp, rt->prefix, rt->plen,
				     rte_cpu_to_be_32(rt->via),
				     (uint16_t)rt->port, PHX_NH_FWD);
		}
	for (p = 0; p < cfg->n_ports && rc == 0; p++) {
		const struct phx_cfg_port *pc = &cfg->ports[p];

		for (a = 0; a < pc->n_addrs && rc == 0; a++) {
			const struct phx_cfg_addr *ad = &pc->addrs[a];
			uint32_t mask = ad->plen ? ~0u << (32 - ad->plen) : 0;
			uint32_t net = ad->ip & mask;

			rc = fib_add(dp, net, ad->plen, 0, (uint16_t)p,
				     PHX_NH_FWD);
			if (rc == 0 && ad->plen <= 30)
				rc = fib_add(dp, net | ~mask, 32, 0,
					     (uint16_t)p, PHX_NH_BCAST);
		}
	}
	/* Local addresses last so that /32 LOCAL beats everything. */
	for (p = 0; p < cfg->n_ports && rc == 0; p++)
		for (a = 0; a < cfg->ports[p].n_addrs && rc == 0; a++)
			rc = fib_add(dp, cfg->ports[p].addrs[a].ip, 32, 0,
				     (uint16_t)p, PHX_NH_LOCAL);
	/* VIPs (none standalone); the validator keeps them apart from the
	 * member addresses. */
	for (v = 0; v < cfg->cluster.n_vips && rc == 0; v++)
		rc = fib_add(dp, cfg->cluster.vips[v].ip, 32, 0,
			     (uint16_t)cfg->cluster.vips[v].port, PHX_NH_VIP);
	return rc;
}
