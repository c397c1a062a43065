/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker loop and the L3 gateway pipeline.
 *
 *   rx_burst(port, my queue) -> for each frame:
 *     L2 filter (our MAC, broadcast or multicast)  -> l2_other_host
 *     lib/pkt_parse (one pass, bounds-checked)      -> parse reasons
 *     ARP                                           -> control ring
 *     rte_lpm(dst): LOCAL  -> ICMP echo reply in place, else local_unhandled
 *                   BCAST  -> ipv4_martian_dst
 *                   miss   -> ICMP net unreachable (rate-limited), no_route
 *                   FWD    -> TTL/MTU checks, TTL-1 with RFC 1624 checksum
 *                             update, neighbour MAC -> TX buffer of the port
 *                             no MAC yet -> control ring (hold), neigh_miss
 *   drain: control's TX ring (worker 0), TX buffers, RCU quiescent state,
 *   idle sleep when nothing arrived (shared machines; off by default).
 *
 * No locks, no allocation other than mbufs for ICMP replies, no system call
 * except the optional idle sleep, no logging (DESIGN invariant 2). Time is
 * the TSC read once per loop (invariant 5).
 */
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lpm.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>
#include <urcu-qsbr.h>

#include "dataplane/dp_priv.h"
#include "lib/inet.h"
#include "lib/pkt_parse.h"

#define ICMP_TTL 64
/* RFC 792 types DPDK 22.11 does not name. */
#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
/* RFC 792: the original IP header plus the first 8 bytes of its data. */
#define ICMP_QUOTE_L4 8
/* Idle loops (nothing received) before the worker sleeps. */
#define IDLE_LOOPS_BEFORE_SLEEP 64

static inline void
drop(struct phx_worker *w, struct rte_mbuf *m, enum phx_drop_reason r)
{
	w->stats.drop[r]++;
	rte_pktmbuf_free(m);
}

/* Buffer m for port pidx. tx_pkts counts what the NIC accepted, from
 * the buffer's own return values (per flush, not per packet); what it
 * refused goes to the error callback as tx_full. Bytes are the port's
 * obytes (/phalanx/ports). */
static inline void
tx(struct phx_worker *w, uint16_t pidx, struct rte_mbuf *m)
{
	w->stats.cnt[PHX_CNT_TX_PKTS] += rte_eth_tx_buffer(
		w->dp->ports[pidx].port_id, w->queue, w->txb[pidx], m);
}

void
phx_dp_tx_buffer_error(struct rte_mbuf **unsent, uint16_t count, void *userdata)
{
	struct phx_worker *w = userdata;
	uint16_t i;

	for (i = 0; i < count; i++) {
		w->stats.drop[PHX_DROP_TX_FULL]++;
		rte_pktmbuf_free(unsent[i]);
	}
}

/* Token bucket for ICMP errors (RFC 1812 4.3.2.8: rate-limit them). */
static inline bool
icmp_allowed(struct phx_worker *w, uint64_t now)
{
	struct phx_dp *dp = w->dp;

	if (dp->icmp_tsc_per_token == 0)
		return false;
	if (w->icmp_tokens < dp->icmp_burst) {
		uint64_t add = (now - w->icmp_last_tsc) / dp->icmp_tsc_per_token;

		if (add > 0) {
			w->icmp_tokens = RTE_MIN(dp->icmp_burst,
						 w->icmp_tokens + add);
			w->icmp_last_tsc = now;
		}
	} else {
		w->icmp_last_tsc = now;
	}
	if (w->icmp_tokens == 0) {
		w->stats.cnt[PHX_CNT_ICMP_ERRORS_RATELIMITED]++;
		return false;
	}
	w->icmp_tokens--;
	return true;
}

/* First address of a port: the source of ICMP errors sent from it. */
static inline uint32_t
port_src_ip(const struct phx_dp *dp, uint16_t pidx)
{
	const struct phx_cfg_port *pc = dp->ports[pidx].cfg;

	return pc->n_addrs ? rte_cpu_to_be_32(pc->addrs[0].ip) : 0;
}

/*
 * Send an ICMP error about packet m (type/code, RFC 792) back out of the
 * port it came in on, to the MAC it came from. m is not consumed.
 */
static void
icmp_error(struct phx_worker *w, struct rte_mbuf *m, uint16_t pidx,
	   const struct phx_pkt_meta *pm, uint8_t type, uint8_t code,
	   uint16_t mtu, uint64_t now)
{
	const struct rte_ether_hdr *oeth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *oip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						      pm->l3_off);
	uint32_t quote = RTE_MIN((uint32_t)pm->l3_len,
				 (uint32_t)(PHX_IPV4_HDR_LEN + ICMP_QUOTE_L4));
	uint32_t ilen = sizeof(struct rte_ipv4_hdr) +
			sizeof(struct rte_icmp_hdr) + quote;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *r;

	if (!icmp_allowed(w, now))
		return;
	r = rte_pktmbuf_alloc(w->dp->pool);
	if (r == NULL) {
		w->stats.drop[PHX_DROP_NO_MBUF]++;
		return;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(r,
			(uint16_t)(sizeof(*eth) + ilen));
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	icmp = (struct rte_icmp_hdr *)(ip + 1);

	rte_ether_addr_copy(&oeth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&w->dp->ports[pidx].mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = rte_cpu_to_be_16((uint16_t)ilen),
		.time_to_live = ICMP_TTL,
		.next_proto_id = IPPROTO_ICMP,
		.src_addr = port_src_ip(w->dp, pidx),
		.dst_addr = pm->src_ip,
	};
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_cksum = 0;
	icmp->icmp_ident = 0;
	/* RFC 1191: next-hop MTU in the low 16 bits of the unused word. */
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	memcpy(icmp + 1, oip, quote);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp,
			sizeof(*icmp) + quote);
	w->stats.cnt[PHX_CNT_ICMP_ERRORS_SENT]++;
	tx(w, pidx, r);
}

/* Answer an ICMP echo request in place (RFC 792): swap addresses, type 0,
 * incremental checksum update. Consumes m. */
static void
icmp_echo_reply(struct phx_worker *w, struct rte_mbuf *m, uint16_t pidx,
		const struct phx_pkt_meta *pm)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, pm->l3_off);
	struct rte_icmp_hdr *icmp = rte_pktmbuf_mtod_offset(m,
			struct rte_icmp_hdr *, pm->l4_off);
	uint16_t old_w, new_w;

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&w->dp->ports[pidx].mac, &eth->src_addr);
	ip->dst_addr = pm->src_ip;
	ip->src_addr = pm->dst_ip;
	ip->time_to_live = ICMP_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	/* Type/code is one 16-bit word of the checksummed data. */
	memcpy(&old_w, &icmp->icmp_type, 2);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	memcpy(&new_w, &icmp->icmp_type, 2);
	icmp->icmp_cksum = phx_csum_update16(icmp->icmp_cksum, old_w, new_w);
	/* Drop trailing Ethernet padding so the reply is exact. */
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) -
				       pm->l3_off - pm->l3_len));
	w->stats.cnt[PHX_CNT_ICMP_ECHO_REPLIES]++;
	tx(w, pidx, m);
}

static inline void
to_ctl(struct phx_worker *w, struct rte_mbuf *m, enum phx_dp_ctl_kind kind,
       uint16_t pidx, uint32_t nh_ip)
{
	struct phx_dp_mbuf_meta *mm = phx_dp_mbuf_meta(m);

	mm->kind = (uint8_t)kind;
	mm->port = pidx;
	mm->nh_ip = nh_ip;
	if (rte_ring_sp_enqueue(w->to_ctl, m) != 0) {
		drop(w, m, PHX_DROP_CTL_RING_FULL);
		return;
	}
	w->stats.cnt[kind == PHX_DP_CTL_ARP ? PHX_CNT_ARP_TO_CTL :
					      PHX_CNT_NEIGH_MISS]++;
}

/* Route one parsed IPv4 packet; lpm_res is its rte_lpm_lookup_bulk
 * result. Consumes m. */
static inline void
route(struct phx_worker *w, struct rte_mbuf *m, uint16_t in_pidx,
      const struct phx_pkt_meta *pm, uint32_t lpm_res, uint64_t now)
{
	struct phx_dp *dp = w->dp;
	const struct phx_nh *nh;
	struct rte_ipv4_hdr *ip;
	struct rte_ether_hdr *eth;
	uint32_t nh_ip;
	uint16_t old_w, new_w;
	uint64_t mac;
	int32_t pos;

	if (unlikely(!(lpm_res & RTE_LPM_LOOKUP_SUCCESS))) {
		icmp_error(w, m, in_pidx, pm, ICMP_DEST_UNREACH,
			   0 /* net unreachable */, 0, now);
		drop(w, m, PHX_DROP_NO_ROUTE);
		return;
	}
	nh = &dp->nh[lpm_res & 0x00ffffff];
	if (unlikely(nh->kind != PHX_NH_FWD)) {
		if (nh->kind == PHX_NH_BCAST) {
			drop(w, m, PHX_DROP_IPV4_MARTIAN_DST);
			return;
		}
		w->stats.cnt[PHX_CNT_LOCAL_PKTS]++;
		if (pm->proto == PHX_IPPROTO_ICMP &&
		    pm->icmp_type == RTE_IP_ICMP_ECHO_REQUEST &&
		    pm->icmp_code == 0)
			icmp_echo_reply(w, m, in_pidx, pm);
		else
			drop(w, m, PHX_DROP_LOCAL_PROTO);
		return;
	}
	if (pm->ttl <= 1) {
		icmp_error(w, m, in_pidx, pm, ICMP_TIME_EXCEEDED,
			   0 /* in transit */, 0, now);
		drop(w, m, PHX_DROP_TTL_EXCEEDED);
		return;
	}
	if (unlikely(pm->l3_len > dp->ports[nh->port].mtu)) {
		if (pm->flags & PHX_PKT_F_IPV4_DF)
			icmp_error(w, m, in_pidx, pm, ICMP_DEST_UNREACH,
				   4 /* fragmentation needed */,
				   dp->ports[nh->port].mtu, now);
		drop(w, m, PHX_DROP_MTU_EXCEEDED);
		return;
	}

	/* TTL - 1; RFC 1624 update of the 16-bit word {TTL, protocol}.
	 * Read and written as one word: a byte store followed by a word load
	 * of the same bytes stalls store forwarding (measured: the largest
	 * cost of this function before). TTL > 1 here, so no borrow. */
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pm->l3_off);
	memcpy(&old_w, &ip->time_to_live, 2);
	new_w = (uint16_t)(old_w - rte_cpu_to_be_16(0x0100));
	memcpy(&ip->time_to_live, &new_w, 2);
	ip->hdr_checksum = phx_csum_update16(ip->hdr_checksum, old_w, new_w);
	/* Padding beyond the IPv4 length stays behind. */
	if (rte_pktmbuf_pkt_len(m) > (uint32_t)pm->l3_off + pm->l3_len)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) -
					       pm->l3_off - pm->l3_len));

	nh_ip = nh->gw ? nh->gw : pm->dst_ip;
	/* Most packets of a burst share a next hop. The cached position is
	 * valid until our next quiescent state (a freed position is reused
	 * only after a grace period), so the cache lives for one burst. */
	if (nh_ip == w->nc_ip && w->nc_pos >= 0) {
		pos = w->nc_pos;
	} else {
		pos = rte_hash_lookup(dp->neigh, &nh_ip);
		w->nc_ip = nh_ip;
		w->nc_pos = pos;
	}
	mac = pos >= 0 ? __atomic_load_n(&dp->neigh_slots[pos].mac,
					 __ATOMIC_ACQUIRE) : 0;
	if (unlikely(!(mac & PHX_NEIGH_VALID))) {
		to_ctl(w, m, PHX_DP_CTL_HOLD, nh->port, nh_ip);
		return;
	}
	if (unlikely(!dp->neigh_slots[pos].used))
		__atomic_store_n(&dp->neigh_slots[pos].used, 1,
				 __ATOMIC_RELAXED);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memcpy(eth->dst_addr.addr_bytes, &mac, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&dp->ports[nh->port].mac, &eth->src_addr);
	w->stats.cnt[PHX_CNT_FWD_PKTS]++;
	tx(w, nh->port, m);
}

/*
 * Staged (STYLE 3.5 rule 2): 1. L2 filter and parse every frame into the
 * worker's meta[] scratch; 2. one rte_lpm_lookup_bulk for the IPv4 ones,
 * so their table walks overlap instead of forming one dependency chain
 * per packet (measured: the serial version spent ~40% of its cycles
 * waiting on tbl24 -> tbl8 -> next hop -> port loads); 3. act.
 */
void
phx_dp_process_burst(struct phx_worker *w, uint16_t pidx,
		     struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	const struct rte_ether_addr *mymac = &w->dp->ports[pidx].mac;
	struct rte_mbuf *ip4[PHX_BURST];
	uint32_t dst[PHX_BURST], res[PHX_BURST];
	uint64_t bytes = 0;
	unsigned nip = 0;
	uint16_t i;

	w->stats.cnt[PHX_CNT_RX_PKTS] += n;
	w->nc_pos = -1; /* neighbour cache: this burst only */
	for (i = 0; i < n && i < 4; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		struct phx_pkt_meta *pm = &w->meta[nip];
		unsigned flags = 0;
		enum phx_drop_reason r;

		if (i + 4 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		bytes += rte_pktmbuf_pkt_len(m);
		if (rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN &&
		    rte_is_unicast_ether_addr(&eth->dst_addr) &&
		    !rte_is_same_ether_addr(&eth->dst_addr, mymac)) {
			drop(w, m, PHX_DROP_L2_OTHER_HOST);
			continue;
		}
		if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
		    RTE_MBUF_F_RX_IP_CKSUM_GOOD)
			flags |= PHX_PARSE_F_L3_CSUM_OK;
		r = phx_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *),
				  rte_pktmbuf_data_len(m), flags, pm);
		if (r != PHX_DROP_NONE) {
			drop(w, m, r);
			continue;
		}
		if (pm->kind == PHX_PKT_ARP) {
			to_ctl(w, m, PHX_DP_CTL_ARP, pidx, 0);
			continue;
		}
		dst[nip] = rte_be_to_cpu_32(pm->dst_ip);
		ip4[nip++] = m;
	}
	w->stats.cnt[PHX_CNT_RX_BYTES] += bytes;
	if (nip == 0)
		return;
	rte_lpm_lookup_bulk(w->dp->lpm, dst, res, nip);
	for (i = 0; i < nip; i++)
		route(w, ip4[i], pidx, &w->meta[i], res[i], now);
}

/* Frames control asked us to send (ARP replies and requests, released
 * held packets). Only worker 0 has them. */
static void
drain_ctl_tx(struct phx_worker *w)
{
	struct rte_mbuf *pkts[PHX_BURST];
	unsigned n, i;

	n = rte_ring_sc_dequeue_burst(w->ctl_tx, (void **)pkts, PHX_BURST, NULL);
	for (i = 0; i < n; i++) {
		uint16_t pidx = phx_dp_mbuf_meta(pkts[i])->port;

		if (pidx >= w->dp->nb_ports) {
			drop(w, pkts[i], PHX_DROP_CTL_RING_FULL);
			continue;
		}
		w->stats.cnt[PHX_CNT_CTL_TX_PKTS]++;
		tx(w, pidx, pkts[i]);
	}
}

int
phx_dp_worker_loop(void *arg)
{
	struct phx_worker *w = arg;
	struct phx_dp *dp = w->dp;
	struct rte_mbuf *pkts[PHX_BURST];
	unsigned idle = 0, p;
	const unsigned sleep_us = dp->cfg->dataplane.idle_sleep_us;

	rcu_register_thread();
	w->icmp_last_tsc = rte_rdtsc();
	w->icmp_tokens = dp->icmp_burst;
	while (!__atomic_load_n(&dp->stop, __ATOMIC_RELAXED)) {
		uint64_t now = rte_rdtsc();
		unsigned got = 0;

		for (p = 0; p < dp->nb_ports; p++) {
			uint16_t n = rte_eth_rx_burst(dp->ports[p].port_id,
						      w->queue, pkts, PHX_BURST);

			if (n == 0)
				continue;
			got += n;
			phx_dp_process_burst(w, (uint16_t)p, pkts, n, now);
		}
		if (w->idx == 0)
			drain_ctl_tx(w);
		for (p = 0; p < dp->nb_ports; p++)
			w->stats.cnt[PHX_CNT_TX_PKTS] += rte_eth_tx_buffer_flush(
				dp->ports[p].port_id, w->queue, w->txb[p]);
		rcu_quiescent_state();
		if (got != 0)
			w->stats.cnt[PHX_CNT_BUSY_TSC] += rte_rdtsc() - now;

		if (got != 0 || sleep_us == 0) {
			idle = 0;
			continue;
		}
		if (++idle < IDLE_LOOPS_BEFORE_SLEEP)
			continue;
		/* Shared machines only (idle_sleep_us > 0): give the core
		 * back; offline so RCU writers need not wait for us. */
		w->stats.cnt[PHX_CNT_IDLE_SLEEPS]++;
		rcu_thread_offline();
		usleep(sleep_us);
		rcu_thread_online();
	}
	for (p = 0; p < dp->nb_ports; p++)
		w->stats.cnt[PHX_CNT_TX_PKTS] += rte_eth_tx_buffer_flush(
			dp->ports[p].port_id, w->queue, w->txb[p]);
	rcu_unregister_thread();
	return 0;
}
