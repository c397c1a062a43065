/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP on the control lcore (RFC 826, RFC 5227 for announcements).
 *
 * Workers pass up every validated ARP frame and every routed packet whose
 * next hop has no MAC yet. Here we answer requests for our addresses, learn
 * senders (RFC 826 "merge": update an existing entry from any ARP, create a
 * new one only when the frame was addressed to us, so strangers' chatter
 * cannot fill the table), hold a bounded number of packets per unresolved
 * next hop and release them when the answer comes, retry and expire.
 *
 * The MAC the workers use is published into the dataplane's lock-free
 * neighbour table; everything else about an entry stays here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "control/arp.h"
#include "dataplane/dp_api.h"

const char *const phx_neigh_state_names[PHX_NEIGH_STATE_MAX] = {
	[PHX_NEIGH_FREE] = "free",
	[PHX_NEIGH_INCOMPLETE] = "incomplete",
	[PHX_NEIGH_REACHABLE] = "reachable",
	[PHX_NEIGH_STALE] = "stale",
	[PHX_NEIGH_PROBE] = "probe",
	[PHX_NEIGH_FAILED] = "failed",
	[PHX_NEIGH_DEAD] = "dead",
};

struct phx_arp *
phx_arp_create(struct phx_dp *dp)
{
	const struct phx_config *cfg = phx_dp_config(dp);
	struct phx_arp *arp;
	unsigned i;

	arp = rte_zmalloc("phx_arp", sizeof(*arp), 0);
	if (arp == NULL)
		return NULL;
	arp->dp = dp;
	arp->st = phx_dp_stats(dp, phx_dp_nb_workers(dp));
	arp->cap = phx_dp_neigh_capacity(dp);
	arp->hz = rte_get_tsc_hz();
	arp->reachable_tsc = arp->hz * cfg->neigh.reachable_s;
	arp->retry_tsc = arp->hz * cfg->neigh.retry_ms / 1000;
	arp->hold_max = cfg->neigh.hold_packets;
	arp->held_cap = RTE_MAX(cfg->dataplane.mbufs / 8, arp->hold_max);
	arp->unsol_max = arp->cap / 2;
	arp->retries = cfg->neigh.retries;
	arp->e = rte_zmalloc("phx_arp_e", sizeof(*arp->e) * arp->cap, 0);
	arp->hold_store = rte_zmalloc("phx_arp_hold", sizeof(struct rte_mbuf *) *
				      arp->cap * RTE_MAX(arp->hold_max, 1u), 0);
	if (arp->e == NULL || arp->hold_store == NULL) {
		phx_arp_free(arp);
		return NULL;
	}
	for (i = 0; i < arp->cap; i++)
		arp->e[i].held = &arp->hold_store[i * RTE_MAX(arp->hold_max, 1u)];
	pthread_mutex_init(&arp->lock, NULL);
	return arp;
}

void
phx_arp_free(struct phx_arp *arp)
{
	unsigned i, k;

	if (arp == NULL)
		return;
	if (arp->e)
		for (i = 0; i < arp->cap; i++)
			for (k = 0; k < arp->e[i].n_held; k++)
				rte_pktmbuf_free(arp->e[i].held[k]);
	rte_free(arp->e);
	rte_free(arp->hold_store);
	rte_free(arp);
}

/* Our address on port pidx that shares a subnet with ip (network order),
 * or 0. */
static uint32_t
port_addr_for(struct phx_arp *arp, uint16_t pidx, uint32_t ip, bool exact)
{
	const struct phx_cfg_port *pc = phx_dp_port(arp->dp, pidx)->cfg;
	uint32_t h = rte_be_to_cpu_32(ip);
	unsigned a;

	for (a = 0; a < pc->n_addrs; a++) {
		const struct phx_cfg_addr *ad = &pc->addrs[a];
		uint32_t mask = ad->plen ? ~0u << (32 - ad->plen) : 0;

		if (exact ? ad->ip == h : (ad->ip & mask) == (h & mask))
			return rte_cpu_to_be_32(ad->ip);
	}
	return 0;
}

/* ip (network order) is a cluster VIP on port pidx (any port: -1). */
static bool
is_vip(struct phx_arp *arp, int pidx, uint32_t ip)
{
	const struct phx_cfg_cluster *cc = &phx_dp_config(arp->dp)->cluster;
	uint32_t h = rte_be_to_cpu_32(ip);
	unsigned v;

	for (v = 0; v < cc->n_vips; v++)
		if (cc->vips[v].ip == h && (pidx < 0 || cc->vips[v].port == pidx))
			return true;
	return false;
}

static bool
is_our_address(struct phx_arp *arp, uint32_t ip)
{
	unsigned p;

	for (p = 0; p < phx_dp_nb_ports(arp->dp); p++)
		if (port_addr_for(arp, (uint16_t)p, ip, true) != 0)
			return true;
	return is_vip(arp, -1, ip);
}

/* The MAC we claim for sip on port pidx: the VMAC for a VIP in VMAC
 * mode, else the port's own. */
static const struct rte_ether_addr *
claim_mac(struct phx_arp *arp, uint16_t pidx, uint32_t sip)
{
	if (arp->vmac_set && pidx < PHX_CFG_MAX_PORTS && is_vip(arp, pidx, sip))
		return &arp->vmac[pidx];
	return &phx_dp_port(arp->dp, pidx)->mac;
}

static void
arp_send(struct phx_arp *arp, uint16_t pidx, uint16_t op,
	 const struct rte_ether_addr *eth_dst, uint32_t sip,
	 const struct rte_ether_addr *tha, uint32_t tip)
{
	const struct rte_ether_addr *mac = claim_mac(arp, pidx, sip);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *ah;
	struct rte_mbuf *m;

	m = rte_pktmbuf_alloc(phx_dp_pool(arp->dp));
	if (m == NULL) {
		arp->st->drop[PHX_DROP_NO_MBUF]++;
		return;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eth) + sizeof(*ah));
	ah = (struct rte_arp_hdr *)(eth + 1);
	rte_ether_addr_copy(eth_dst, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = sizeof(uint32_t);
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = sip;
	rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = tip;
	arp->st->cnt[op == RTE_ARP_OP_REPLY ? PHX_CNT_ARP_REPLIES_TX :
					      PHX_CNT_ARP_REQUESTS_TX]++;
	phx_dp_ctl_tx(arp->dp, m, pidx);
}

static void
send_request(struct phx_arp *arp, struct phx_neigh_entry *e)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;
	const struct phx_cfg_port *pc = phx_dp_port(arp->dp, e->port)->cfg;
	uint32_t sip = port_addr_for(arp, e->port, e->ip, false);

	/* An on-link destination outside the port's subnets (a route with
	 * a port and no via): ask from the port's first address, not from
	 * 0.0.0.0, which is a probe nobody would teach us an answer to. */
	if (sip == 0 && pc->n_addrs > 0)
		sip = rte_cpu_to_be_32(pc->addrs[0].ip);
	arp_send(arp, e->port, RTE_ARP_OP_REQUEST, &bcast, sip, &zero, e->ip);
}

static void
drop_held(struct phx_arp *arp, struct phx_neigh_entry *e,
	  enum phx_drop_reason r)
{
	unsigned k;

	for (k = 0; k < e->n_held; k++) {
		arp->st->drop[r]++;
		rte_pktmbuf_free(e->held[k]);
	}
	arp->held_total -= e->n_held;
	e->n_held = 0;
}

/* Send what waited for e's MAC: forwarded packets (from the VMAC, if
 * the port has one now). A member that stopped forwarding while they
 * waited drops them as a standby drops transit traffic (MODE-12): the
 * new active member carries these connections now. */
static void
release_held(struct phx_arp *arp, struct phx_neigh_entry *e)
{
	struct rte_ether_addr src;
	unsigned k;

	if (!phx_dp_cluster_forwarding(arp->dp)) {
		drop_held(arp, e, PHX_DROP_CLUSTER_NOT_ACTIVE);
		return;
	}
	phx_dp_fwd_src_mac(arp->dp, e->port, &src);
	for (k = 0; k < e->n_held; k++) {
		struct rte_mbuf *m = e->held[k];
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m,
						struct rte_ether_hdr *);

		rte_ether_addr_copy(&e->mac, &eth->dst_addr);
		rte_ether_addr_copy(&src, &eth->src_addr);
		arp->st->cnt[PHX_CNT_NEIGH_RELEASED]++;
		phx_dp_ctl_tx(arp->dp, m, phx_dp_mbuf_meta(m)->port);
	}
	arp->held_total -= e->n_held;
	e->n_held = 0;
}

static void
entry_remove(struct phx_arp *arp, int pos)
{
	struct phx_neigh_entry *e = &arp->e[pos];

	drop_held(arp, e, PHX_DROP_NEIGH_UNRESOLVED);
	phx_dp_neigh_del(arp->dp, pos);
	if (e->unsol) {
		e->unsol = false;
		arp->n_unsol--;
	}
	e->state = PHX_NEIGH_DEAD;
	arp->st->cnt[PHX_CNT_NEIGH_EXPIRED]++;
}

/* Record that ip is at mac on port; create the entry only if asked
 * (the frame was for us), and while such entries hold less than
 * unsol_max: the rest of the table is for next hops (phx_arp_hold). */
static void
learn(struct phx_arp *arp, uint32_t ip, const struct rte_ether_addr *mac,
      uint16_t pidx, bool create, uint64_t now)
{
	struct phx_neigh_entry *e;
	int pos = phx_dp_neigh_find(arp->dp, ip);

	if (pos < 0) {
		if (!create)
			return;
		if (arp->n_unsol >= arp->unsol_max) {
			/* we ask for it if we ever forward to it */
			arp->st->cnt[PHX_CNT_NEIGH_NOT_LEARNED]++;
			return;
		}
		pos = phx_dp_neigh_add(arp->dp, ip);
		if (pos < 0) {
			arp->st->drop[PHX_DROP_NEIGH_TABLE_FULL]++;
			return;
		}
		arp->e[pos] = (struct phx_neigh_entry){
			.ip = ip, .port = pidx, .unsol = true,
			.held = arp->e[pos].held };
		arp->n_unsol++;
		arp->st->cnt[PHX_CNT_NEIGH_LEARNED]++;
	}
	e = &arp->e[pos];
	if (e->state != PHX_NEIGH_INCOMPLETE && e->state != PHX_NEIGH_FREE &&
	    !rte_is_same_ether_addr(&e->mac, mac)) {
		arp->st->cnt[PHX_CNT_NEIGH_UPDATED]++;
		RTE_LOG(INFO, USER1, "phx.ctl.arp: %u.%u.%u.%u moved to "
			RTE_ETHER_ADDR_PRT_FMT "\n",
			ip & 0xff, (ip >> 8) & 0xff, (ip >> 16) & 0xff, ip >> 24,
			RTE_ETHER_ADDR_BYTES(mac));
	}
	rte_ether_addr_copy(mac, &e->mac);
	e->port = pidx;
	e->state = PHX_NEIGH_REACHABLE;
	e->tries = 0;
	e->confirmed_tsc = now;
	e->next_tsc = now + arp->reachable_tsc;
	phx_dp_neigh_set_mac(arp->dp, pos, mac);
	release_held(arp, e);
}

/* ip (network order) has an entry here, on port pidx (the table finds
 * live entries only). */
static bool
asked_on(struct phx_arp *arp, uint32_t ip, uint16_t pidx)
{
	int pos = phx_dp_neigh_find(arp->dp, ip);

	return pos >= 0 && arp->e[pos].port == pidx;
}

/* Remember sip as a host heard on port pidx (probe candidates). */
static void
seen_add(struct phx_arp *arp, uint16_t pidx, uint32_t sip)
{
	unsigned i;

	if (pidx >= PHX_CFG_MAX_PORTS)
		return;
	for (i = 0; i < PHX_ARP_SEEN; i++)
		if (arp->probe[pidx].seen[i] == sip)
			return;
	arp->probe[pidx].seen[arp->probe[pidx].seen_next++ % PHX_ARP_SEEN] =
		sip;
}

void
phx_arp_input(struct phx_arp *arp, struct rte_mbuf *m, uint64_t now)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_arp_hdr *ah = (const struct rte_arp_hdr *)(eth + 1);
	uint16_t pidx = phx_dp_mbuf_meta(m)->port;
	uint16_t op = rte_be_to_cpu_16(ah->arp_opcode);
	uint32_t sip = ah->arp_data.arp_sip, tip = ah->arp_data.arp_tip;
	bool for_us = port_addr_for(arp, pidx, tip, true) != 0 ||
		      (arp->vips_on && is_vip(arp, pidx, tip));
	bool sender_ok;

	pthread_mutex_lock(&arp->lock);
	arp->st->cnt[op == RTE_ARP_OP_REQUEST ? PHX_CNT_ARP_REQUESTS_RX :
						PHX_CNT_ARP_REPLIES_RX]++;
	if (pidx < PHX_CFG_MAX_PORTS) {
		arp->probe[pidx].rx_tsc = now;
		if (op == RTE_ARP_OP_REPLY &&
		    port_addr_for(arp, pidx, tip, true) != 0)
			arp->probe[pidx].reply_tsc = now;
	}
	/* Learn only senders on this port's subnets, or that we asked for
	 * on this port (an on-link route outside them: RFC 826's merge of
	 * an entry we hold), with a unicast MAC, that are not claiming one
	 * of our addresses, and not probes (sip 0). */
	sender_ok = sip != 0 && (port_addr_for(arp, pidx, sip, false) != 0 ||
				 asked_on(arp, sip, pidx)) &&
		    !is_our_address(arp, sip) &&
		    rte_is_unicast_ether_addr(&ah->arp_data.arp_sha) &&
		    !rte_is_zero_ether_addr(&ah->arp_data.arp_sha);
	if (sender_ok) {
		learn(arp, sip, &ah->arp_data.arp_sha, pidx, for_us, now);
		seen_add(arp, pidx, sip);
	}
	if (op == RTE_ARP_OP_REQUEST && for_us &&
	    (!rte_is_unicast_ether_addr(&ah->arp_data.arp_sha) ||
	     rte_is_zero_ether_addr(&ah->arp_data.arp_sha))) {
		/* nobody to answer: a reply would go to every host, or to
		 * 00:00:00:00:00:00 */
		arp->st->drop[PHX_DROP_ARP_MALFORMED]++;
	} else if (op == RTE_ARP_OP_REQUEST && for_us) {
		/* Reply to the requester's hardware address (RFC 826). */
		arp_send(arp, pidx, RTE_ARP_OP_REPLY, &ah->arp_data.arp_sha,
			 tip, &ah->arp_data.arp_sha, sip);
	} else if (!for_us) {
		arp->st->drop[PHX_DROP_ARP_NOT_MINE]++;
	}
	pthread_mutex_unlock(&arp->lock);
	rte_pktmbuf_free(m);
}

void
phx_arp_hold(struct phx_arp *arp, struct rte_mbuf *m, uint64_t now)
{
	struct phx_dp_mbuf_meta *mm = phx_dp_mbuf_meta(m);
	struct phx_neigh_entry *e;
	int pos;

	pthread_mutex_lock(&arp->lock);
	pos = phx_dp_neigh_find(arp->dp, mm->nh_ip);
	if (pos < 0) {
		pos = phx_dp_neigh_add(arp->dp, mm->nh_ip);
		if (pos < 0) {
			arp->st->drop[PHX_DROP_NEIGH_TABLE_FULL]++;
			rte_pktmbuf_free(m);
			goto out;
		}
		e = &arp->e[pos];
		*e = (struct phx_neigh_entry){ .ip = mm->nh_ip, .port = mm->port,
			.state = PHX_NEIGH_INCOMPLETE, .tries = 1,
			.next_tsc = now + arp->retry_tsc, .held = e->held };
		arp->st->cnt[PHX_CNT_NEIGH_LEARNED]++;
		send_request(arp, e);
	}
	e = &arp->e[pos];
	switch (e->state) {
	case PHX_NEIGH_REACHABLE:
	case PHX_NEIGH_STALE:
	case PHX_NEIGH_PROBE:
		/* Resolved while the packet was on its way to us. */
		e->held[0] = m;
		e->n_held = 1;
		arp->held_total++;
		release_held(arp, e);
		break;
	case PHX_NEIGH_INCOMPLETE:
		if (e->n_held < arp->hold_max &&
		    arp->held_total < arp->held_cap) {
			e->held[e->n_held++] = m;
			arp->held_total++;
			arp->st->cnt[PHX_CNT_NEIGH_HELD]++;
		} else {
			arp->st->drop[PHX_DROP_NEIGH_HOLD_FULL]++;
			rte_pktmbuf_free(m);
		}
		break;
	default: /* FAILED: hold-down until the entry is removed */
		arp->st->drop[PHX_DROP_NEIGH_UNRESOLVED]++;
		rte_pktmbuf_free(m);
		break;
	}
	/* full: the workers drop the next ones themselves */
	if (e->state == PHX_NEIGH_INCOMPLETE && e->n_held >= arp->hold_max)
		phx_dp_neigh_set_drop(arp->dp, pos, PHX_DROP_NEIGH_HOLD_FULL);
out:
	pthread_mutex_unlock(&arp->lock);
}

void
phx_arp_timer(struct phx_arp *arp, uint64_t now)
{
	unsigned i;

	pthread_mutex_lock(&arp->lock);
	for (i = 0; i < arp->cap; i++) {
		struct phx_neigh_entry *e = &arp->e[i];

		if (e->state == PHX_NEIGH_FREE || e->state == PHX_NEIGH_DEAD ||
		    now < e->next_tsc)
			continue;
		switch (e->state) {
		case PHX_NEIGH_INCOMPLETE:
			if (e->tries < arp->retries) {
				e->tries++;
				e->next_tsc = now + arp->retry_tsc;
				send_request(arp, e);
			} else {
				/* Give up; hold down for one retry cycle,
				 * during which the workers drop. */
				drop_held(arp, e, PHX_DROP_NEIGH_UNRESOLVED);
				e->state = PHX_NEIGH_FAILED;
				phx_dp_neigh_set_drop(arp->dp, (int)i,
						      PHX_DROP_NEIGH_UNRESOLVED);
				e->next_tsc = now + arp->retry_tsc * arp->retries;
			}
			break;
		case PHX_NEIGH_REACHABLE:
			/* Watch it for one more period: in use or not? */
			e->state = PHX_NEIGH_STALE;
			e->next_tsc = now + arp->reachable_tsc;
			phx_dp_neigh_test_clear_used(arp->dp, (int)i);
			break;
		case PHX_NEIGH_STALE:
			if (!phx_dp_neigh_test_clear_used(arp->dp, (int)i)) {
				entry_remove(arp, (int)i); /* unused: expire */
				break;
			}
			/* In use: re-confirm while workers keep using the
			 * MAC (Linux's PROBE state). */
			e->state = PHX_NEIGH_PROBE;
			e->tries = 1;
			e->next_tsc = now + arp->retry_tsc;
			send_request(arp, e);
			break;
		case PHX_NEIGH_PROBE:
			if (e->tries < arp->retries) {
				e->tries++;
				e->next_tsc = now + arp->retry_tsc;
				send_request(arp, e);
			} else {
				entry_remove(arp, (int)i);
			}
			break;
		case PHX_NEIGH_FAILED:
			entry_remove(arp, (int)i);
			break;
		default:
			break;
		}
	}
	pthread_mutex_unlock(&arp->lock);
	/* this pass's deletions, and earlier ones whose grace period
	 * has ended since */
	phx_dp_neigh_reclaim(arp->dp);
	pthread_mutex_lock(&arp->lock);
	for (i = 0; i < arp->cap; i++)
		if (arp->e[i].state == PHX_NEIGH_DEAD)
			arp->e[i].state = PHX_NEIGH_FREE;
	pthread_mutex_unlock(&arp->lock);
}

void
phx_arp_announce(struct phx_arp *arp)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;
	unsigned p, a;

	for (p = 0; p < phx_dp_nb_ports(arp->dp); p++) {
		const struct phx_cfg_port *pc = phx_dp_port(arp->dp, p)->cfg;

		for (a = 0; a < pc->n_addrs; a++) {
			uint32_t ip = rte_cpu_to_be_32(pc->addrs[a].ip);

			/* RFC 5227 2.3: ARP announcement, sip = tip = ours. */
			arp_send(arp, (uint16_t)p, RTE_ARP_OP_REQUEST, &bcast,
				 ip, &zero, ip);
		}
	}
}

void
phx_arp_set_vips(struct phx_arp *arp, bool on,
		 const struct rte_ether_addr *vmac)
{
	unsigned p;

	pthread_mutex_lock(&arp->lock);
	arp->vips_on = on;
	arp->vmac_set = on && vmac != NULL;
	if (arp->vmac_set)
		for (p = 0; p < PHX_CFG_MAX_PORTS; p++)
			arp->vmac[p] = vmac[p];
	pthread_mutex_unlock(&arp->lock);
}

void
phx_arp_garp(struct phx_arp *arp, uint16_t pidx, uint32_t ip)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;

	pthread_mutex_lock(&arp->lock);
	arp_send(arp, pidx, RTE_ARP_OP_REQUEST, &bcast, ip, &zero, ip);
	pthread_mutex_unlock(&arp->lock);
}

/* ip (network order) as the n-th target of this round, unless it is one
 * of ours or already taken. */
static void
probe_add(struct phx_arp *arp, uint32_t *t, unsigned *n, uint32_t ip)
{
	unsigned i;

	if (ip == 0 || is_our_address(arp, ip))
		return;
	for (i = 0; i < *n; i++)
		if (t[i] == ip)
			return;
	t[(*n)++] = ip;
}

unsigned
phx_arp_probe(struct phx_arp *arp, uint16_t pidx, unsigned max)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;
	const struct phx_cfg_port *pc;
	const struct phx_cfg_addr *ad;
	uint32_t t[PHX_ARP_PROBE_MAX], mask, net, hosts, sip;
	unsigned n = 0, q, i, k;

	if (pidx >= PHX_CFG_MAX_PORTS || pidx >= phx_dp_nb_ports(arp->dp))
		return 0;
	pc = phx_dp_port(arp->dp, pidx)->cfg;
	if (pc->n_addrs == 0)
		return 0;
	ad = &pc->addrs[0];
	if (ad->plen > 30)
		return 0;       /* /31, /32: nobody else to ask */
	mask = ~0u << (32 - ad->plen);
	net = ad->ip & mask;
	hosts = RTE_MIN(~mask - 1, (uint32_t)PHX_ARP_SWEEP);
	sip = rte_cpu_to_be_32(ad->ip);
	max = RTE_MIN(max, (unsigned)PHX_ARP_PROBE_MAX);
	q = RTE_MAX(max / 4, 1u);
	pthread_mutex_lock(&arp->lock);
	/* A quarter of the round for the neighbours learned there, in turn
	 * from where the last round stopped (one pass over the table at
	 * most), a quarter for the hosts heard ARPing there, the rest for
	 * the subnet's addresses in turn. */
	for (i = 0; i < arp->cap && n < q; i++) {
		const struct phx_neigh_entry *e =
			&arp->e[(arp->probe[pidx].ncur + i) % arp->cap];

		if (e->port == pidx && (e->state == PHX_NEIGH_REACHABLE ||
					e->state == PHX_NEIGH_STALE ||
					e->state == PHX_NEIGH_PROBE))
			probe_add(arp, t, &n, e->ip);
	}
	arp->probe[pidx].ncur = (arp->probe[pidx].ncur + i) % arp->cap;
	for (i = 0; i < PHX_ARP_SEEN && n < 2 * q && n < max; i++)
		probe_add(arp, t, &n, arp->probe[pidx].seen[
			(arp->probe[pidx].scur + i) % PHX_ARP_SEEN]);
	arp->probe[pidx].scur = (arp->probe[pidx].scur + i) % PHX_ARP_SEEN;
	for (k = 0; k < hosts && n < max; k++) {
		probe_add(arp, t, &n, rte_cpu_to_be_32(net + 1 +
						       arp->probe[pidx].sweep));
		arp->probe[pidx].sweep = (arp->probe[pidx].sweep + 1) % hosts;
	}
	for (i = 0; i < n; i++)
		arp_send(arp, pidx, RTE_ARP_OP_REQUEST, &bcast, sip, &zero,
			 t[i]);
	pthread_mutex_unlock(&arp->lock);
	return n;
}

uint64_t
phx_arp_reply_tsc(struct phx_arp *arp, uint16_t pidx)
{
	return pidx < PHX_CFG_MAX_PORTS ? arp->probe[pidx].reply_tsc : 0;
}

uint64_t
phx_arp_rx_tsc(struct phx_arp *arp, uint16_t pidx)
{
	return pidx < PHX_CFG_MAX_PORTS ? arp->probe[pidx].rx_tsc : 0;
}
