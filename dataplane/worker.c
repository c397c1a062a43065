/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker loop: the stateful firewall and L3 gateway pipeline.
 *
 *   rx_burst(port, my queue), staged (STYLE 3.5):
 *   1. L2 filter (port MAC, VMAC), lib/pkt_parse, flow key -> l2/parse
 *      drop reasons; ARP and, in a cluster, UDP 8116 (CCP and sync)
 *      -> control ring
 *   not forwarding (cluster standby, read once per burst): the member's
 *      own addresses get local services, the rest is cluster_not_active;
 *      sessions are not touched
 *   2. rte_hash_lookup_bulk_data on the shard (canonical keys), prefetch
 *      the records of the hits
 *   3. hit:  expiry, policy re-check, TCP FSM (+ window), NAT, forward
 *      miss: route the original destination: member address or VIP -> local
 *            services (ICMP echo) unless a DNAT rule applies; no route ->
 *            ICMP unreachable; TCP must start with SYN (SPEC SI-03)
 *   4. one rte_acl_classify for the burst's new flows -> rule: accept
 *      (session created, SNAT port, NAT, forward), drop, reject (RST /
 *      ICMP), no rule: default action (no_session, SPEC SI-02)
 *   forward: rte_lpm on the translated destination, TTL/MTU, RFC 1624
 *      updates, neighbour MAC -> TX buffer; no MAC yet -> control (hold)
 *   housekeeping each loop: heartbeat, control's TX ring (worker 0),
 *   handoff ring, messages (install/flush), conn dump requests, budgeted
 *   expiry sweep, TX flush, RCU quiescent state, idle sleep when nothing
 *   arrived.
 *
 * No locks, no allocation other than mbufs for ICMP replies, no system call
 * except the optional idle sleep, no logging (DESIGN invariant 2). Time is
 * the TSC read once per loop (invariant 5).
 */
/* rte_ip_frag_table_del_expired_entries() is still experimental in 22.11
 * (stable in later releases, same signature). */
#define ALLOW_EXPERIMENTAL_API 1

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
#include <rte_tcp.h>
#include <rte_thash.h>
#include <urcu-qsbr.h>

#include "dataplane/dp_priv.h"
#include "dataplane/nat_inline.h"
#include "lib/ccp_wire.h"
#include "lib/idle_sleep.h"
#include "lib/inet.h"
#include "lib/pkt_parse.h"
#include "lib/policy.h"
#include "lib/timeouts.h"

#define ICMP_TTL 64
/* RFC 792 types DPDK 22.11 does not name. */
#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
/* RFC 792: the original IP header plus the first 8 bytes of its data. */
#define ICMP_QUOTE_L4 8
/* Idle loops (nothing received) before the worker sleeps. */
#define IDLE_LOOPS_BEFORE_SLEEP 64
/* Free ports a source-NAT allocation may try, per worker (the RSS
 * predicate accepts about one in nb_workers). */
#define SNAT_TRIES_PER_WORKER 64
/* Session records the expiry sweep examines per loop. */
#define SWEEP_BUSY 4
#define SWEEP_IDLE 64
/* Delayed-sync sessions examined per loop (more than a loop creates). */
#define DELAY_BUDGET 64

static inline void
drop(struct phx_worker *w, struct rte_mbuf *m, enum phx_drop_reason r)
{
	w->stats.drop[r]++;
	rte_pktmbuf_free(m);
}

/*
 * m with the 802.1Q tag of VLAN vid in front of its EtherType, for a
 * sub-interface's frames. In place when m is ours alone and has the
 * headroom (always, for what we received and forward); a shared or
 * indirect first segment is copied first. NULL when no buffer was left
 * (m freed, counted vlan_no_room).
 */
static struct rte_mbuf *
vlan_push(struct phx_worker *w, struct rte_mbuf *m, uint16_t vid)
{
	struct rte_mbuf *c;

	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) > 1 ||
	    rte_pktmbuf_headroom(m) < RTE_VLAN_HLEN) {
		c = rte_pktmbuf_copy(m, w->dp->pool, 0, UINT32_MAX);
		rte_pktmbuf_free(m);
		if (c == NULL) {
			w->stats.drop[PHX_DROP_VLAN_NO_ROOM]++;
			return NULL;
		}
		m = c;
	}
	m->vlan_tci = vid; /* priority 0 */
	if (rte_vlan_insert(&m) != 0) {
		drop(w, m, PHX_DROP_VLAN_NO_ROOM);
		return NULL;
	}
	return m;
}

/* drop() for a reason SPEC wants logged (phx_dp_sampled_drop): also keep
 * the packet as the worker's latest sample of it, for control. Counted
 * inside the write: control, seeing the count move (acquire), finds this
 * sample or a later one. */
static void
drop_sampled(struct phx_worker *w, struct rte_mbuf *m, uint16_t pidx,
	     const struct phx_pkt_meta *pm, enum phx_drop_reason r)
{
	struct phx_dp_sample_slot *ds =
		&w->drop_sample[phx_dp_sampled_drop(r)];

	rte_seqcount_write_begin(&ds->sc);
	ds->s = (struct phx_dp_drop_sample){
		.src_ip = pm->src_ip, .dst_ip = pm->dst_ip,
		.sport = pm->sport, .dport = pm->dport,
		.port = pidx, .proto = pm->proto, .tcp_flags = pm->tcp_flags };
	w->stats.drop[r]++;
	rte_seqcount_write_end(&ds->sc);
	rte_pktmbuf_free(m);
}

/* Buffer m for port pidx. tx_pkts counts what the NIC accepted, from
 * the buffer's own return values (per flush, not per packet); what it
 * refused goes to the error callback as tx_full. Bytes are the port's
 * obytes (/phalanx/ports). */
static inline void
tx(struct phx_worker *w, uint16_t pidx, struct rte_mbuf *m)
{
	const uint16_t vid = w->dp->ports[pidx].vlan;
	uint16_t sent;

	if (unlikely(vid != 0)) {
		m = vlan_push(w, m, vid);
		if (m == NULL)
			return;
		w->vstats[pidx].tx_bytes += rte_pktmbuf_pkt_len(m);
	}
	sent = rte_eth_tx_buffer(w->dp->ports[pidx].port_id, w->queue,
				 w->txb[pidx], m);
	w->stats.cnt[PHX_CNT_TX_PKTS] += sent;
	if (unlikely(vid != 0))
		w->vstats[pidx].tx_pkts += sent;
}

/* Send what port pidx's buffer holds. (The count goes to the port's VLAN
 * counters too: only a sub-interface's are ever read.) */
static inline void
tx_flush(struct phx_worker *w, uint16_t pidx)
{
	uint16_t sent = rte_eth_tx_buffer_flush(w->dp->ports[pidx].port_id,
						w->queue, w->txb[pidx]);

	w->stats.cnt[PHX_CNT_TX_PKTS] += sent;
	w->vstats[pidx].tx_pkts += sent;
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

/* ------------------------------------------------------------------ */
/* Fragments                                                            */

/*
 * Reassembly (docs/firewall.md, "Fragments"). The NIC spreads fragments
 * by addresses, so every fragment of a datagram reaches the same worker,
 * which keeps them in its rte_ip_frag table until the datagram is whole
 * (at most 8 fragments, REASM_TIMEOUT_S in dp_init.c). The whole datagram
 * then goes through sessions, rules and NAT like any packet, marked with
 * the reassembled flag and the size of its largest fragment: it leaves
 * refragmented to that size (or the egress MTU, if smaller), as pf and
 * Linux conntrack do, so the sender's choice of fragment size stands.
 * Fragments that never complete, overflow the table or overlap are
 * dropped and counted (ipv4_frag_dropped).
 */

/* Headers the parser reads of the first segment at most: Ethernet, IPv4
 * (options are refused), then a TCP header with options or an ICMP error
 * with its quote. */
#define PARSE_REACH (RTE_ETHER_HDR_LEN + PHX_IPV4_HDR_LEN + 8 + 60 + 8)
#define FRAG_OUT_MAX 128   /* 65535 bytes in fragments of >= 576 */

static inline void
frag_drops(struct phx_worker *w)
{
	if (w->frag_dr.cnt != 0) {
		w->stats.drop[PHX_DROP_IPV4_FRAG_DROPPED] += w->frag_dr.cnt;
		rte_ip_frag_free_death_row(&w->frag_dr, 0);
	}
}

/* Fragment m (parsed as far as its IPv4 header: a fragment), received on
 * port pidx. Returns the whole datagram when m completes one, else NULL
 * (m is held or dropped, counted). */
static __rte_noinline struct rte_mbuf *
reassemble(struct phx_worker *w, struct rte_mbuf *m, uint16_t pidx,
	   uint64_t now)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	uint32_t tot = rte_be_to_cpu_16(ip->total_length), fmax;
	struct rte_mbuf *r, *seg;

	/* Ethernet padding of a short fragment is not payload. */
	if (rte_pktmbuf_data_len(m) > RTE_ETHER_HDR_LEN + tot)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) -
					       RTE_ETHER_HDR_LEN - tot));
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = PHX_IPV4_HDR_LEN;
	/* rte_ip_frag keys on addresses, protocol and identifier only:
	 * each fragment remembers its port, the datagram is checked below */
	phx_dp_mbuf_meta(m)->port = pidx;
	r = rte_ipv4_frag_reassemble_packet(w->frag_tbl, &w->frag_dr, m, now,
					    ip);
	frag_drops(w);
	if (r == NULL)
		return NULL;
	/* rte_ip_frag does not bound the total: a datagram past 65535
	 * bytes (a last fragment at offset 65528) gets a wrapped length */
	ip = rte_pktmbuf_mtod_offset(r, struct rte_ipv4_hdr *,
				     RTE_ETHER_HDR_LEN);
	if (rte_pktmbuf_pkt_len(r) - RTE_ETHER_HDR_LEN !=
	    rte_be_to_cpu_16(ip->total_length)) {
		drop(w, r, PHX_DROP_IPV4_FRAG_DROPPED);
		return NULL;
	}
	/* The first segment is the first fragment; the others hold the
	 * payload of the rest, their IPv4 headers (20 bytes) taken off. */
	fmax = rte_pktmbuf_data_len(r) - RTE_ETHER_HDR_LEN;
	for (seg = r->next; seg != NULL; seg = seg->next)
		fmax = RTE_MAX(fmax, (uint32_t)seg->data_len + PHX_IPV4_HDR_LEN);
	/* One datagram, one way in: pieces from another port (a spoofed
	 * source completing someone else's datagram) are not part of it. */
	for (seg = r; seg != NULL; seg = seg->next)
		if (phx_dp_mbuf_meta(seg)->port != pidx) {
			drop(w, r, PHX_DROP_IPV4_FRAG_PORTS);
			return NULL;
		}
	/* One buffer when it fits (all our code then sees a flat packet);
	 * a datagram larger than a buffer stays a chain. */
	if (r->nb_segs > 1)
		(void)rte_pktmbuf_linearize(r);
	/* Tiny fragments (RFC 1858): the headers must be in the first. */
	if (rte_pktmbuf_data_len(r) < RTE_MIN(rte_pktmbuf_pkt_len(r),
					      (uint32_t)PARSE_REACH)) {
		drop(w, r, PHX_DROP_IPV4_FRAG_TINY);
		return NULL;
	}
	/* (linearizing keeps the first segment where it is: ip holds) */
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	r->ol_flags = w->dp->reasm_flag;
	phx_dp_mbuf_meta(r)->frag_max = (uint16_t)RTE_MIN(fmax, 65535u);
	w->stats.cnt[PHX_CNT_FRAG_REASSEMBLED]++;
	return r;
}

/*
 * Send m (Ethernet + IPv4, final headers) out of port in fragments of at
 * most size bytes of IPv4 (RFC 791; rte_ipv4_fragment_packet). Every
 * fragment is made flat: the driver gets single-segment mbufs of our own
 * pool, whatever the device supports. Consumes m.
 */
static __rte_noinline void
frag_send(struct phx_worker *w, struct rte_mbuf *m, uint16_t port,
	  uint16_t size)
{
	const struct rte_ether_hdr eh =
		*rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct rte_mbuf *f[FRAG_OUT_MAX];
	int n, k;

	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	if (m->ol_flags & w->dp->reasm_flag) {
		/* It came in fragments: cutting it again is no news to its
		 * sender, whatever DF its first fragment carried (the
		 * checksum is redone for every fragment). */
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m,
						struct rte_ipv4_hdr *);

		ip->fragment_offset &= rte_cpu_to_be_16(
			(uint16_t)~RTE_IPV4_HDR_DF_FLAG);
	}
	/* RFC 791: 68 bytes pass anywhere without fragmentation */
	size = RTE_MAX(size, (uint16_t)RTE_ETHER_MIN_MTU);
	n = rte_ipv4_fragment_packet(m, f, FRAG_OUT_MAX, size, w->dp->pool,
				     w->dp->pool_ind);
	rte_pktmbuf_free(m);   /* the fragments hold their own references */
	if (n < 0) {
		w->stats.drop[n == -ENOMEM ? PHX_DROP_NO_MBUF :
					     PHX_DROP_MTU_EXCEEDED]++;
		return;
	}
	for (k = 0; k < n; k++) {
		struct rte_mbuf *x = f[k];
		struct rte_ether_hdr *e;
		struct rte_ipv4_hdr *ip;

		e = rte_pktmbuf_linearize(x) == 0 ?
		    (struct rte_ether_hdr *)rte_pktmbuf_prepend(x,
				RTE_ETHER_HDR_LEN) : NULL;
		if (e == NULL) {
			drop(w, x, PHX_DROP_NO_MBUF);
			continue;
		}
		*e = eh;
		ip = (struct rte_ipv4_hdr *)(e + 1);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		x->ol_flags = 0;
		w->stats.cnt[PHX_CNT_FRAG_TX]++;
		tx(w, port, x);
	}
}

/* How m must leave a port of this MTU: 0 as it is, else in fragments of
 * that many bytes (a reassembled datagram: its largest fragment's size;
 * anything else: the MTU). */
static inline uint16_t
frag_size(const struct phx_worker *w, struct rte_mbuf *m, uint32_t l3_len,
	  uint16_t mtu)
{
	uint16_t size = mtu;

	if (m->ol_flags & w->dp->reasm_flag)
		size = RTE_MIN(size, phx_dp_mbuf_meta(m)->frag_max);
	return l3_len > size || m->nb_segs > 1 ? size : 0;
}

/* Send an IPv4 frame (l3_len bytes of IPv4) out of port: as it is, or in
 * fragments when it is too big there or came in fragments. */
static inline void
tx_ipv4(struct phx_worker *w, uint16_t port, struct rte_mbuf *m,
	uint32_t l3_len)
{
	uint16_t size = frag_size(w, m, l3_len, w->dp->ports[port].mtu);

	if (unlikely(size != 0))
		frag_send(w, m, port, size);
	else
		tx(w, port, m);
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

/* Source of the ICMP errors sent from a port to dst: on the active
 * member the port's VIP on dst's subnet, else its first VIP (SPEC ADDR-52:
 * what members send themselves hides behind the cluster's address, so
 * hosts see one router whichever member answers), else the port's first
 * address. */
static inline uint32_t
port_src_ip(const struct phx_dp *dp, uint16_t pidx, uint32_t dst)
{
	const struct phx_cfg_port *pc = dp->ports[pidx].cfg;
	unsigned k, n = dp->nb_port_vips[pidx];

	if (n != 0 && __atomic_load_n(&dp->fwd, __ATOMIC_RELAXED) != 0) {
		for (k = 0; k < n; k++)
			if (((dp->port_vip[pidx][k].ip ^ dst) &
			     dp->port_vip[pidx][k].mask) == 0)
				return dp->port_vip[pidx][k].ip;
		return dp->port_vip[pidx][0].ip;
	}
	return pc->n_addrs ? rte_cpu_to_be_32(pc->addrs[0].ip) : 0;
}

/* Ethernet source of a frame the member makes on port pidx from src_ip
 * (network order): the port's MAC for one of the port's own addresses;
 * in the cluster's name (a VIP, or the host a RST stands in for) as a
 * forwarded frame, from the VMAC while the port has one (SPEC ADDR-40). */
static void
reply_src_mac(const struct phx_dp *dp, uint16_t pidx, uint32_t src_ip,
	      struct rte_ether_addr *mac)
{
	const struct phx_cfg_port *pc = dp->ports[pidx].cfg;
	unsigned i;

	for (i = 0; i < pc->n_addrs; i++)
		if (rte_cpu_to_be_32(pc->addrs[i].ip) == src_ip) {
			rte_ether_addr_copy(&dp->ports[pidx].mac, mac);
			return;
		}
	phx_fwd_src_mac(dp, pidx, mac);
}

/* ip (network order) is the directed broadcast address of a connected
 * subnet. No single host sends from one (RFC 1812 5.3.7; the parser
 * already refuses limited broadcast and multicast sources). */
static inline bool
is_subnet_bcast(const struct phx_dp *dp, uint32_t ip)
{
	unsigned i;

	for (i = 0; i < dp->nb_bcast; i++)
		if (dp->bcast[i] == ip)
			return true;
	return false;
}

/*
 * Start a locally made answer to packet m (an ICMP error, a TCP RST):
 * never to a broadcast source, rate limited (icmp_allowed), one mbuf
 * holding Ethernet back to the MAC m came from out of pidx, then IPv4
 * from src_ip to m's source carrying proto, then l4_len bytes for the
 * caller to fill. Returns the IPv4 header (the L4 header follows it) and
 * *out, or NULL (counted, except a broadcast source: the caller drops m
 * under its own reason).
 */
static struct rte_ipv4_hdr *
reply_start(struct phx_worker *w, const struct rte_mbuf *m, uint16_t pidx,
	    const struct phx_pkt_meta *pm, uint8_t proto, uint32_t src_ip,
	    uint32_t l4_len, uint64_t now, struct rte_mbuf **out)
{
	const struct rte_ether_hdr *oeth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint32_t ilen = sizeof(struct rte_ipv4_hdr) + l4_len;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *r;

	/* RFC 1812 4.3.2.7: no error (nor RST) to a source that is not one
	 * host; checked before the rate bucket, which it must not drain */
	if (is_subnet_bcast(w->dp, pm->src_ip))
		return NULL;
	if (!icmp_allowed(w, now))
		return NULL;
	r = rte_pktmbuf_alloc(w->dp->pool);
	if (r == NULL) {
		w->stats.drop[PHX_DROP_NO_MBUF]++;
		return NULL;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(r,
			(uint16_t)(sizeof(*eth) + ilen));
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	rte_ether_addr_copy(&oeth->src_addr, &eth->dst_addr);
	reply_src_mac(w->dp, pidx, src_ip, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = rte_cpu_to_be_16((uint16_t)ilen),
		.time_to_live = ICMP_TTL,
		.next_proto_id = proto,
		.src_addr = src_ip,
		.dst_addr = pm->src_ip,
	};
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	*out = r;
	return ip;
}

/*
 * Send an ICMP error about packet m (type/code, RFC 792) back out of the
 * port it came in on, to the MAC it came from. m is not consumed. Never
 * about an ICMP error (RFC 1122 3.2.2, RFC 1812 4.3.2.7): two boxes could
 * otherwise answer each other's errors forever.
 */
static void
icmp_error(struct phx_worker *w, struct rte_mbuf *m, uint16_t pidx,
	   const struct phx_pkt_meta *pm, uint8_t type, uint8_t code,
	   uint16_t mtu, uint64_t now)
{
	const uint8_t *oip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						      pm->l3_off);
	uint32_t quote = RTE_MIN((uint32_t)pm->l3_len,
				 (uint32_t)(PHX_IPV4_HDR_LEN + ICMP_QUOTE_L4));
	struct rte_icmp_hdr *icmp;
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *r;

	if (pm->flags & PHX_PKT_F_ICMP_ERR)
		return;
	ip = reply_start(w, m, pidx, pm, IPPROTO_ICMP,
			 port_src_ip(w->dp, pidx, pm->src_ip),
			 sizeof(*icmp) + quote, now,
			 &r);
	if (ip == NULL)
		return;
	icmp = (struct rte_icmp_hdr *)(ip + 1);
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
	reply_src_mac(w->dp, pidx, pm->dst_ip, &eth->src_addr);
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
	tx_ipv4(w, pidx, m, pm->l3_len);
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
	/* kind is a constant at every call site: this folds. */
	w->stats.cnt[kind == PHX_DP_CTL_ARP ? PHX_CNT_ARP_TO_CTL :
		     kind == PHX_DP_CTL_CCP ? PHX_CNT_CCP_TO_CTL :
					      PHX_CNT_NEIGH_MISS]++;
}

/* ------------------------------------------------------------------ */
/* Sessions                                                             */

/* Timeout of class c for s: its rule's while the policy that admitted
 * it is current, or for a session installed by sync (gen 0: the sender's
 * rule index, which msg_install rebased its lifetime on; members run the
 * same rules), else the global one. */
static inline uint64_t
sess_tmo_class(const struct phx_policy *pol, const struct phx_sess *s,
	       enum phx_tmo_class c)
{
	if ((s->gen == pol->gen || s->gen == 0) && s->rule < pol->n_rules)
		return pol->rules[s->rule].tmo_tsc[c];
	return pol->tmo_tsc[c];
}

static inline uint64_t
sess_tmo(const struct phx_policy *pol, const struct phx_sess *s)
{
	return sess_tmo_class(pol, s, (enum phx_tmo_class)s->tmo_class);
}

/* SPEC SI-04 trust RST: the session's destination port as the initiator
 * sent it (before destination NAT: the port rules match) is listed in
 * sessions.tcp_trust_rst_ports. */
static inline bool
trust_rst(const struct phx_policy *pol, const struct phx_sess *s)
{
	uint16_t p = rte_be_to_cpu_16(s->key.dport);

	return (pol->trust_rst[p / 64] >> (p % 64)) & 1;
}

static inline uint32_t
sess_remaining_ms(const struct phx_policy *pol, const struct phx_sess *s,
		  uint64_t now)
{
	return (uint32_t)(phx_tmo_remaining(now, s->last_tsc,
		sess_tmo(pol, s)) * 1000 / rte_get_tsc_hz());
}

/* Hand the staged events to control; what the ring cannot take is lost
 * and counted. Called when the stage is full and once per loop. */
static void
ev_flush(struct phx_worker *w)
{
	unsigned n;

	if (w->n_evq == 0)
		return;
	n = rte_ring_sp_enqueue_burst_elem(w->sync_ev, w->evq,
					   sizeof(w->evq[0]), w->n_evq, NULL);
	w->stats.cnt[PHX_CNT_SYNC_EVENTS] += n;
	w->stats.cnt[PHX_CNT_SYNC_EVENTS_LOST] += w->n_evq - n;
	w->n_evq = 0;
}

/* Queue an event for the sync service (staged; ev_flush counts it).
 * false when it cannot be queued: the ring is full. */
static inline bool
ev_push(struct phx_worker *w, enum phx_sess_event_type type,
	const struct phx_sess *s, uint32_t remaining_ms)
{
	struct phx_sess_event *ev;

	if (w->n_evq == PHX_BURST) {
		ev_flush(w);
		if (rte_ring_free_count(w->sync_ev) == 0) {
			w->stats.cnt[PHX_CNT_SYNC_EVENTS_LOST]++;
			return false;
		}
	}
	ev = &w->evq[w->n_evq++];
	ev->type = (uint8_t)type;
	ev->worker = (uint8_t)w->idx;
	ev->pad = 0;
	ev->remaining_ms = remaining_ms;
	if (s != NULL)
		ev->s = *s;
	else
		memset(&ev->s, 0, sizeof(ev->s));
	return true;
}

/*
 * A NEW, UPD or DEL of s, under the emission rules of dp_api.h: only
 * while the member forwards (w->emit, read once per burst: a standby's
 * own expiries are not the owner's word), never for sessions that do
 * not sync (yet). Returns true when queued. An event carries the state
 * of now, so the session's refresh epoch starts again.
 */
static inline bool
sess_event(struct phx_worker *w, const struct phx_policy *pol,
	   struct phx_sess *s, enum phx_sess_event_type type, uint64_t now)
{
	if (!w->emit || (s->flags & PHX_SESS_F_UNSYNCED))
		return false;
	if (type == PHX_SEV_DEL)
		return ev_push(w, type, s, 0);
	s->win.sync_epoch = w->epoch;
	return ev_push(w, type, s, sess_remaining_ms(pol, s, now));
}

/*
 * A session with a timeout under two refresh epochs (pol->short_tsc): its
 * synced copy would run out between two epoch refreshes, so it also
 * refreshes whenever a packet starts a new half of its timeout (this
 * packet at now, the one before idle earlier). Packets at least half a
 * timeout apart are each an event; closer ones give one a half timeout.
 * So the copy can run out only after the session has been idle for more
 * than half its timeout (at 0 and 0.99 of a 2 s timeout, the next packet
 * at 2.5 s finds the copy gone since 2 s): an event on every packet
 * would close that too, at a cost per packet.
 */
static inline bool
short_refresh_due(const struct phx_policy *pol, const struct phx_sess *s,
		  uint64_t now, uint64_t idle)
{
	uint64_t half = sess_tmo(pol, s) / 2;

	if (half * 2 >= pol->short_tsc || half == 0)
		return false;
	return now / half != (now - idle) / half;
}

/*
 * Lifetime refresh (dp_api.h): a packet of a session whose last event is
 * from an earlier epoch (or half its timeout ago: short_refresh_due). The epoch moves on whether or not the event
 * goes out, so this costs one compare per packet and at most one event
 * per session per PHX_SYNC_REFRESH_S.
 */
static __rte_noinline void
sess_refresh(struct phx_worker *w, const struct phx_policy *pol,
	     struct phx_sess *s, uint64_t now)
{
	if (sess_event(w, pol, s, PHX_SEV_UPD, now))
		w->stats.cnt[PHX_CNT_SYNC_REFRESH]++;
	s->win.sync_epoch = w->epoch;
}

/* SPEC SYNC-51: broadcast and multicast are never synced. dst in
 * network order. */
static inline bool
dst_never_synced(const struct phx_dp *dp, uint32_t dst)
{
	uint32_t h = rte_be_to_cpu_32(dst);

	return (h & 0xf0000000u) == 0xe0000000u || h == 0xffffffffu ||
	       is_subnet_bcast(dp, dst);
}

static struct phx_nat_pool *
snat_pool_of(struct phx_worker *w, uint32_t nat_ip)
{
	unsigned a;

	for (a = 0; a < w->dp->nb_nat_addr; a++)
		if (w->dp->nat_addr[a] == nat_ip)
			return w->nat_pool[a];
	return NULL;
}

/* Give s's source-NAT port back to its pool. */
static inline void
sess_release_nat(struct phx_worker *w, const struct phx_sess *s)
{
	if ((s->flags & PHX_SESS_F_SNAT) && s->nat_port != 0) {
		struct phx_nat_pool *np = snat_pool_of(w, s->nat_ip);

		if (np != NULL)
			phx_nat_pool_release(np, rte_be_to_cpu_16(s->nat_port));
	}
}

/* Remove s: keys, NAT port, event; cnt says why. */
static void
sess_destroy(struct phx_worker *w, const struct phx_policy *pol,
	     struct phx_sess *s, enum phx_dp_counter cnt, uint64_t now)
{
	sess_release_nat(w, s);
	sess_event(w, pol, s, PHX_SEV_DEL, now);
	phx_shard_delete(w->shard, s);
	w->stats.cnt[cnt]++;
}

/* The destination is ours: a member address or a VIP. */
static inline bool
nh_is_local(uint8_t kind)
{
	return kind == PHX_NH_LOCAL || kind == PHX_NH_VIP;
}

/* Egress port index of a destination as routing sees it before NAT, or
 * PHX_ACL_PORT_LOCAL; false when unroutable. */
static inline bool
acl_out_port(struct phx_dp *dp, uint32_t dst_be, uint16_t *out)
{
	uint32_t nh;

	if (rte_lpm_lookup(dp->lpm, rte_be_to_cpu_32(dst_be), &nh) != 0)
		return false;
	*out = dp->nh[nh].kind == PHX_NH_FWD ? dp->nh[nh].port :
					       PHX_ACL_PORT_LOCAL;
	return true;
}

static inline void
acl_input(struct phx_acl_in *in, const struct phx_flow_key *k,
	  uint16_t in_port, uint16_t out_port)
{
	in->proto = k->proto;
	in->pad[0] = in->pad[1] = in->pad[2] = 0;
	in->src = k->src_ip;
	in->dst = k->dst_ip;
	in->sport = k->sport;
	in->dport = k->dport;
	in->in_port = rte_cpu_to_be_16(in_port);
	in->out_port = rte_cpu_to_be_16(out_port);
}

/*
 * s was admitted by an older policy: classify its forward key again.
 * Documented behaviour (docs/firewall.md): still accepted by some rule ->
 * it continues under that rule (its NAT is kept as it was); otherwise it
 * is removed. Returns false when removed.
 */
static bool
sess_recheck(struct phx_worker *w, const struct phx_policy *pol,
	     struct phx_sess *s, uint64_t now)
{
	struct phx_acl_in in;
	const uint8_t *data[1] = { (const uint8_t *)&in };
	uint32_t res = 0;
	uint16_t out;

	w->stats.cnt[PHX_CNT_SESS_RECHECKED]++;
	if (pol->acl != NULL && acl_out_port(w->dp, s->key.dst_ip, &out)) {
		acl_input(&in, &s->key, s->in_port, out);
		rte_acl_classify(pol->acl, data, &res, 1, 1);
	}
	if (res == 0 || pol->rules[res - 1].action != PHX_ACT_ACCEPT) {
		sess_destroy(w, pol, s, PHX_CNT_SESS_REVOKED, now);
		return false;
	}
	s->rule = (uint16_t)(res - 1);
	s->gen = (uint32_t)pol->gen;
	return true;
}

/*
 * Budgeted expiry sweep (STYLE 3.5 rule 7) and lazy re-check: budget
 * records per loop. Packets find expired sessions themselves, so while
 * traffic flows a small budget suffices (measured: 64 records per busy
 * loop cost ~20 cycles per packet at 1M sessions); idle loops sweep more.
 */
static void
sweep(struct phx_worker *w, const struct phx_policy *pol, uint64_t now,
      unsigned budget)
{
	struct phx_shard *sh = w->shard;
	unsigned k;

	if (sh->used == 0)
		return;
	for (k = 0; k < budget; k++) {
		struct phx_sess *s = &sh->sess[sh->sweep];

		if (++sh->sweep == sh->max)
			sh->sweep = 0;
		if (!(s->flags & PHX_SESS_F_USED))
			continue;
		/* re-check before judging its lifetime (established()) */
		if (s->gen != pol->gen && !sess_recheck(w, pol, s, now))
			continue;
		if (phx_tmo_remaining(now, s->last_tsc, sess_tmo(pol, s)) == 0)
			sess_destroy(w, pol, s, PHX_CNT_SESS_EXPIRED, now);
	}
}

/* ------------------------------------------------------------------ */
/* Forwarding                                                           */

/* Reject a new flow (SPEC: RST for TCP, ICMP unreachable otherwise). */
static void
send_reject(struct phx_worker *w, struct rte_mbuf *m, uint16_t pidx,
	    const struct phx_pkt_meta *pm, uint64_t now)
{
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *r;
	uint32_t plen;

	if (pm->proto != IPPROTO_TCP) {
		icmp_error(w, m, pidx, pm, ICMP_DEST_UNREACH,
			   pm->proto == IPPROTO_UDP ? 3 /* port unreachable */ :
			   13 /* administratively prohibited */, 0, now);
		return;
	}
	if (pm->tcp_flags & RTE_TCP_RST_FLAG)
		return; /* never answer a RST */
	ip = reply_start(w, m, pidx, pm, IPPROTO_TCP, pm->dst_ip, sizeof(*th),
			 now, &r);
	if (ip == NULL)
		return;
	th = (struct rte_tcp_hdr *)(ip + 1);
	memset(th, 0, sizeof(*th));
	th->src_port = pm->dport;
	th->dst_port = pm->sport;
	th->data_off = 5 << 4;
	/* RFC 793 "Reset Generation" */
	if (pm->tcp_flags & RTE_TCP_ACK_FLAG) {
		th->sent_seq = rte_cpu_to_be_32(pm->tcp_ack);
		th->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		plen = pm->l4_len - pm->l4_hlen +
		       !!(pm->tcp_flags & RTE_TCP_SYN_FLAG) +
		       !!(pm->tcp_flags & RTE_TCP_FIN_FLAG);
		th->recv_ack = rte_cpu_to_be_32(pm->tcp_seq + plen);
		th->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	w->stats.cnt[PHX_CNT_TCP_RST_SENT]++;
	tx(w, pidx, r);
}

/* Traffic for one of our addresses that no session or DNAT rule takes. */
static inline void
local_deliver(struct phx_worker *w, struct rte_mbuf *m, uint16_t pidx,
	      const struct phx_pkt_meta *pm)
{
	w->stats.cnt[PHX_CNT_LOCAL_PKTS]++;
	if (unlikely(is_subnet_bcast(w->dp, pm->src_ip))) {
		drop(w, m, PHX_DROP_IPV4_MARTIAN_SRC); /* never answered */
		return;
	}
	if (pm->proto == PHX_IPPROTO_ICMP &&
	    pm->icmp_type == RTE_IP_ICMP_ECHO_REQUEST && pm->icmp_code == 0)
		icmp_echo_reply(w, m, pidx, pm);
	else
		drop(w, m, PHX_DROP_LOCAL_PROTO);
}

/*
 * Route m towards dst_be (the destination after NAT), translate it for
 * session s in dir (s may be NULL), decrement TTL and send it. Consumes m.
 */
static inline void
forward(struct phx_worker *w, struct rte_mbuf *m, uint16_t in_pidx,
	const struct phx_pkt_meta *pm, uint32_t dst_be,
	const struct phx_sess *s, enum phx_dir dir, uint64_t now)
{
	struct phx_dp *dp = w->dp;
	const struct phx_nh *nh;
	struct rte_ipv4_hdr *ip;
	struct rte_ether_hdr *eth;
	uint32_t nh_idx, nh_ip;
	uint16_t old_w, new_w, fsize;
	uint64_t mac;
	int32_t pos;

	if (unlikely(rte_lpm_lookup(dp->lpm, rte_be_to_cpu_32(dst_be),
				    &nh_idx) != 0)) {
		icmp_error(w, m, in_pidx, pm, ICMP_DEST_UNREACH,
			   0 /* net unreachable */, 0, now);
		drop(w, m, PHX_DROP_NO_ROUTE);
		return;
	}
	nh = &dp->nh[nh_idx];
	if (unlikely(nh->kind != PHX_NH_FWD)) {
		drop(w, m, nh->kind == PHX_NH_BCAST ? PHX_DROP_IPV4_MARTIAN_DST :
			   PHX_DROP_LOCAL_PROTO);
		return;
	}
	if (unlikely(pm->ttl <= 1)) {
		icmp_error(w, m, in_pidx, pm, ICMP_TIME_EXCEEDED,
			   0 /* in transit */, 0, now);
		drop(w, m, PHX_DROP_TTL_EXCEEDED);
		return;
	}
	/* Too big: DF says tell the sender (RFC 1191), else fragment; a
	 * reassembled datagram leaves in fragments of its own size. */
	fsize = frag_size(w, m, pm->l3_len, dp->ports[nh->port].mtu);
	if (unlikely(fsize != 0) && (pm->flags & PHX_PKT_F_IPV4_DF) &&
	    !(m->ol_flags & dp->reasm_flag)) {
		icmp_error(w, m, in_pidx, pm, ICMP_DEST_UNREACH,
			   4 /* fragmentation needed */,
			   dp->ports[nh->port].mtu, now);
		drop(w, m, PHX_DROP_MTU_EXCEEDED);
		return;
	}
	if (s != NULL && (s->flags & (PHX_SESS_F_SNAT | PHX_SESS_F_DNAT))) {
		if (pm->flags & PHX_PKT_F_ICMP_ERR)
			phx_nat_rewrite_icmp_err(m, pm, s, dir);
		else
			phx_nat_rewrite(m, pm, s, dir);
	}

	/* TTL - 1; RFC 1624 update of the 16-bit word {TTL, protocol}.
	 * Read and written as one word: a byte store followed by a word load
	 * of the same bytes stalls store forwarding (measured). TTL > 1
	 * here, so no borrow. */
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pm->l3_off);
	memcpy(&old_w, &ip->time_to_live, 2);
	new_w = (uint16_t)(old_w - rte_cpu_to_be_16(0x0100));
	memcpy(&ip->time_to_live, &new_w, 2);
	ip->hdr_checksum = phx_csum_update16(ip->hdr_checksum, old_w, new_w);
	/* Padding beyond the IPv4 length stays behind. */
	if (rte_pktmbuf_pkt_len(m) > (uint32_t)pm->l3_off + pm->l3_len)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) -
					       pm->l3_off - pm->l3_len));

	nh_ip = nh->gw ? nh->gw : dst_be;
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
		if (mac & PHX_NEIGH_DROP) /* as control would (arp.c) */
			drop(w, m, (enum phx_drop_reason)(mac & 0xff));
		else
			to_ctl(w, m, PHX_DP_CTL_HOLD, nh->port, nh_ip);
		return;
	}
	if (unlikely(!dp->neigh_slots[pos].used))
		__atomic_store_n(&dp->neigh_slots[pos].used, 1,
				 __ATOMIC_RELAXED);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memcpy(eth->dst_addr.addr_bytes, &mac, RTE_ETHER_ADDR_LEN);
	/* With a VMAC (SPEC ADDR-40: the active member's ports with VIPs)
	 * forwarded frames leave from it, so switches keep it where the
	 * VIPs are; the member's own traffic keeps the port's MAC. */
	phx_fwd_src_mac(dp, nh->port, &eth->src_addr);
	w->stats.cnt[PHX_CNT_FWD_PKTS]++;
	if (unlikely(fsize != 0))
		frag_send(w, m, nh->port, fsize);
	else
		tx(w, nh->port, m);
}

/* Destination of a packet of s in dir once translated. */
static inline uint32_t
sess_dst_after_nat(const struct phx_sess *s, enum phx_dir dir,
		   const struct phx_pkt_meta *pm)
{
	if ((s->flags & PHX_SESS_F_DNAT) && dir == PHX_DIR_ORIG)
		return s->nat_ip;
	if ((s->flags & PHX_SESS_F_SNAT) && dir == PHX_DIR_REPLY)
		return s->key.src_ip;
	return pm->dst_ip;
}

/*
 * A packet of an existing session. Returns false when the session turned
 * out to be gone (expired, reopened) and the packet must be treated as
 * the first of a new flow; otherwise m is consumed.
 */
static bool
established(struct phx_worker *w, const struct phx_policy *pol,
	    struct rte_mbuf *m, uint16_t pidx, const struct phx_pkt_meta *pm,
	    struct phx_sess *s, enum phx_dir dir, uint64_t now)
{
	uint8_t old_state = s->state, old_flags = s->flags;
	uint64_t idle;
	bool rst_cut = false;

	/* Re-check first: until then the session's rule (and so its
	 * timeouts) is unknown, and judging it on the global ones would cut
	 * a flow of a rule with longer timeouts at every reload. */
	if (unlikely(s->gen != pol->gen) && !sess_recheck(w, pol, s, now)) {
		drop(w, m, PHX_DROP_POLICY_REVOKED);
		return true;
	}
	if (unlikely(phx_tmo_remaining(now, s->last_tsc,
				       sess_tmo(pol, s)) == 0)) {
		/* Lazy expiry: SPEC SI-05, the session is gone. */
		sess_destroy(w, pol, s, PHX_CNT_SESS_EXPIRED, now);
		return false;
	}
	if (pm->flags & PHX_PKT_F_ICMP_ERR) {
		/* Related: forwarded and translated, the session untouched.
		 * Only to the host that sent the quoted packet (both
		 * addresses as they arrive here, before any translation):
		 * whoever knows a session's tuple must not reach other
		 * inside hosts through it (Linux conntrack: "outer daddr
		 * mismatch"). */
		if (unlikely(pm->dst_ip != pm->q_src_ip)) {
			drop(w, m, PHX_DROP_ICMP_ERR_WRONG_HOST);
			return true;
		}
		forward(w, m, pidx, pm, sess_dst_after_nat(s, dir, pm), s,
			dir, now);
		return true;
	}
	if (pm->proto == IPPROTO_TCP) {
		enum phx_tcp_flag_class fc = phx_tcp_flag_class(pm->tcp_flags);
		enum phx_tcp_verdict v;
		enum phx_tcp_state ns = phx_tcp_fsm_next(s->state, dir, fc, &v);
		bool unverified = false;

		switch (v) {
		case PHX_TCPV_OK:
			break;
		case PHX_TCPV_REOPEN:
			/* port reuse: the old session ends here */
			sess_destroy(w, pol, s, PHX_CNT_SESS_CLOSED, now);
			return false;
		case PHX_TCPV_SYN_EST:
			if (dir == PHX_DIR_ORIG && trust_rst(pol, s)) {
				/* trusted port reuse (SI-04): a new
				 * connection; an endpoint still holding the
				 * old one answers it with a challenge ACK,
				 * which lib/tcp_fsm passes with the
				 * initiator's RST */
				w->stats.cnt[PHX_CNT_TCP_PORT_REUSE]++;
				sess_destroy(w, pol, s, PHX_CNT_SESS_CLOSED,
					     now);
				return false;
			}
			drop_sampled(w, m, pidx, pm,
				     PHX_DROP_TCP_SYN_ESTABLISHED);
			return true;
		default:
			drop(w, m, PHX_DROP_TCP_OUT_OF_STATE);
			return true;
		}
		/* A RST closes an established session only on a trusted
		 * port, or when exact; any other is passed for the endpoint
		 * to judge (RFC 5961 §3: a challenge ACK, not a close) and
		 * the session stays, but lives no longer than a reset one
		 * unless traffic follows. Judged before the window check,
		 * which moves end[] past the RST. */
		if (unlikely(fc == PHX_TCPF_RST) &&
		    s->state == PHX_TCP_ESTABLISHED && !trust_rst(pol, s))
			unverified = !(s->flags & PHX_SESS_F_WINDOW) ||
				     !phx_tcp_rst_exact(&s->win, dir,
							pm->tcp_seq);
		/* the initiator resetting the responder's older connection
		 * (RFC 5961 §4): passed, this attempt stays SYN_SENT */
		else if (unlikely(fc == PHX_TCPF_RST) &&
			 (s->flags & PHX_SESS_F_WINDOW) &&
			 phx_tcp_rst_answers_challenge(&s->win, dir,
						       pm->tcp_seq))
			ns = (enum phx_tcp_state)s->state;
		if (s->flags & PHX_SESS_F_WINDOW) {
			struct phx_tcp_seg seg;

			phx_tcp_seg_from_meta(pm, &seg);
			if (!phx_tcp_window_check(&s->win, dir, &seg)) {
				drop(w, m, PHX_DROP_TCP_BAD_WINDOW);
				return true;
			}
		}
		if (unlikely(unverified)) {
			/* below: the tcp_close class until traffic follows,
			 * if that is shorter (a rule may say otherwise) */
			w->stats.cnt[PHX_CNT_TCP_RST_UNVERIFIED]++;
			rst_cut = s->tmo_class == PHX_TMO_TCP_CLOSE ||
				  sess_tmo_class(pol, s, PHX_TMO_TCP_CLOSE) <
				  sess_tmo(pol, s);
		} else {
			s->state = (uint8_t)ns;
		}
	} else if (pm->proto == IPPROTO_ICMP &&
		   phx_icmp_is_query(pm->icmp_type) && unlikely(
		   phx_icmp_is_request(pm->icmp_type) != (dir == PHX_DIR_ORIG))) {
		/* the key has the identifier, not the type: requests go
		 * one way, replies the other */
		drop(w, m, PHX_DROP_ICMP_OUT_OF_STATE);
		return true;
	} else if (dir == PHX_DIR_REPLY) {
		s->state = PHX_SESS_ST_REPLIED;
	}
	if (dir == PHX_DIR_REPLY)
		s->flags |= PHX_SESS_F_REPLIED;
	/* The epoch is one byte: after exactly 256 epochs of silence it
	 * would look current, so a silence that long refreshes too. */
	idle = now - s->last_tsc;
	s->last_tsc = now;
	/* An unverified RST leaves the state but gives the session the
	 * lifetime of a reset one (class tcp_close); the next other packet
	 * gives its class back. Both are events, so the peer's copy lives
	 * exactly as long. */
	if (s->state != old_state || s->flags != old_flags ||
	    unlikely(rst_cut != (s->tmo_class == PHX_TMO_TCP_CLOSE &&
				 s->state != PHX_TCP_CLOSE))) {
		s->tmo_class = rst_cut ? (uint8_t)PHX_TMO_TCP_CLOSE :
			(uint8_t)phx_tmo_class_of(s->key.proto,
				(enum phx_tcp_state)s->state,
				s->flags & PHX_SESS_F_REPLIED);
		sess_event(w, pol, s, PHX_SEV_UPD, now);
	} else if (unlikely(s->win.sync_epoch != w->epoch) ||
		   unlikely(idle >= 255 * w->dp->refresh_tsc) ||
		   unlikely(pol->short_tsc != 0 &&
			    short_refresh_due(pol, s, now, idle))) {
		sess_refresh(w, pol, s, now);
	}
	forward(w, m, pidx, pm, sess_dst_after_nat(s, dir, pm), s, dir, now);
	return true;
}

/*
 * Mid-stream pickup (sessions.pickup_grace_s): for a while after start, an
 * established-looking TCP packet (ACK, no SYN/FIN/RST) may open a session
 * in ESTABLISHED, e.g. flows that were running through another box when
 * this member took over. Its window tracking learns before it checks.
 */
static inline bool
tcp_pickup(const struct phx_dp *dp, const struct phx_pkt_meta *pm,
	   uint64_t now)
{
	return now < dp->pickup_until_tsc &&
	       phx_tcp_flag_class(pm->tcp_flags) == PHX_TCPF_ACK;
}

/* Worker whose queue the NIC's RSS picks for a tuple (host order). The
 * key is symmetric, so either direction gives the same answer. */
static inline unsigned
rss_worker(const struct phx_dp *dp, uint32_t a, uint32_t b, uint16_t pa,
	   uint16_t pb)
{
	uint32_t t[3] = { a, b, (uint32_t)pa << 16 | pb };

	return dp->reta[rte_softrss_be(t, 3, (const uint8_t *)dp->rss_key_be) % dp->reta_size];
}

struct snat_ctx {
	const struct phx_dp *dp;
	unsigned worker;
	uint16_t lo, hi;      /* the rule's port range */
	uint32_t peer;        /* host order: the translated flow's far end */
	uint32_t nat;         /* host order */
	uint16_t peer_port;   /* host order */
	uint8_t proto;
};

/*
 * A port for the rule: inside its range, never the CCP/sync port of a
 * cluster member (its replies would go to control), and with several
 * workers one whose reply (peer -> nat:port) comes back to this worker:
 * for TCP and UDP the NIC's RSS brings it (the tuple includes the port);
 * ICMP is hashed on addresses only, so the identifier names the owner
 * instead (id % workers, reply_owner() hands the reply over).
 */
static bool
snat_port_ok(uint16_t port, void *arg)
{
	const struct snat_ctx *c = arg;
	const struct phx_dp *dp = c->dp;

	if (port < c->lo || port > c->hi)
		return false;
	if (port == PHX_CCP_UDP_PORT && dp->cluster)
		return false;
	if (dp->reta_size < 2)
		return true;
	if (c->proto == IPPROTO_ICMP)
		return port % dp->nb_workers == c->worker;
	return rss_worker(dp, c->peer, c->nat, c->peer_port, port) == c->worker;
}

/*
 * Delayed sync (SPEC SYNC-55/56): a FIFO of the sessions whose rule
 * delays their sync, in creation order, checked every loop. A full FIFO
 * syncs the session at once (the delay is an optimisation; losing the
 * session at a failover is not). With one delay value in the policy the
 * FIFO is in due order; with several, a session may wait behind an older
 * one with a longer delay, so it is synced late, never early.
 */
static void
delay_push(struct phx_worker *w, struct phx_sess *s, uint64_t due)
{
	struct phx_sync_delay *d;

	if (w->delay_tail - w->delay_head > w->delay_mask) {
		s->flags &= (uint8_t)~PHX_SESS_F_DELAYED;
		w->stats.cnt[PHX_CNT_SYNC_DELAY_OVERFLOW]++;
		return;
	}
	d = &w->delay_q[w->delay_tail++ & w->delay_mask];
	d->due_tsc = due;
	d->idx = phx_shard_index(w->shard, s);
	d->gen = ++w->delay_gen[d->idx];
	w->stats.cnt[PHX_CNT_SYNC_DELAYED]++;
}

/* Sessions whose delay has passed, at most budget of them: if the slot
 * still holds that session (not a later delayed one: the generation), it
 * syncs now (NEW with its current state). An expired one is left to the
 * sweep, DELAYED: it is never synced. */
static void
delay_run(struct phx_worker *w, const struct phx_policy *pol, uint64_t now,
	  unsigned budget)
{
	while (budget-- != 0 && w->delay_head != w->delay_tail) {
		const struct phx_sync_delay *d =
			&w->delay_q[w->delay_head & w->delay_mask];
		struct phx_sess *s;

		if ((int64_t)(now - d->due_tsc) < 0)
			return;
		w->delay_head++;
		s = &w->shard->sess[d->idx];
		if ((s->flags & (PHX_SESS_F_USED | PHX_SESS_F_DELAYED)) !=
		    (PHX_SESS_F_USED | PHX_SESS_F_DELAYED) ||
		    w->delay_gen[d->idx] != d->gen)
			continue;
		/* re-check before judging its lifetime (a reload since): a
		 * session still alive under its rule's longer timeout must
		 * not stay unsynced for good */
		if ((s->gen != pol->gen && !sess_recheck(w, pol, s, now)) ||
		    phx_tmo_remaining(now, s->last_tsc, sess_tmo(pol, s)) == 0)
			continue;
		s->flags &= (uint8_t)~PHX_SESS_F_DELAYED;
		sess_event(w, pol, s, PHX_SEV_NEW, now);
	}
}

/* Whether a flow has ports (or an ICMP query identifier) that source NAT
 * can allocate and translate. */
static inline bool
phx_key_has_ports(const struct phx_flow_key *k, const struct phx_pkt_meta *pm)
{
	return k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP ||
	       (k->proto == IPPROTO_ICMP && phx_icmp_is_query(pm->icmp_type));
}

/* Create the session for a new flow accepted by rule r. Consumes m on
 * failure (counted). */
static struct phx_sess *
sess_create(struct phx_worker *w, const struct phx_policy *pol,
	    struct rte_mbuf *m, uint16_t pidx, const struct phx_pkt_meta *pm,
	    const struct phx_flow_key *k, unsigned r, uint64_t now)
{
	const struct phx_rule_rt *rt = &pol->rules[r];
	struct phx_nat_pool *np = NULL;
	struct phx_sess t = {0}, *s;
	int err = 0;

	t.key = *k;
	t.last_tsc = now;
	t.rule = (uint16_t)r;
	t.gen = (uint32_t)pol->gen;
	t.in_port = (uint8_t)pidx;
	if (!rt->sync || unlikely(dst_never_synced(w->dp, k->dst_ip)))
		t.flags |= PHX_SESS_F_NOSYNC;
	else if (rt->sync_delay_s != 0)
		t.flags |= PHX_SESS_F_DELAYED;
	if (k->proto == IPPROTO_TCP) {
		enum phx_tcp_verdict v;

		bool syn = phx_tcp_flag_class(pm->tcp_flags) == PHX_TCPF_SYN;

		t.state = syn ? (uint8_t)phx_tcp_fsm_next(PHX_TCP_NONE,
				PHX_DIR_ORIG, PHX_TCPF_SYN, &v) :
			  PHX_TCP_ESTABLISHED; /* picked up mid-stream */
		if (w->dp->cfg->sessions.tcp_window_check) {
			struct phx_tcp_seg seg;

			if (syn) {
				phx_tcp_seg_from_meta(pm, &seg);
				phx_tcp_window_init(&t.win, &seg);
			} else {
				phx_tcp_window_init_pickup(&t.win);
			}
			t.flags |= PHX_SESS_F_WINDOW;
		}
	} else {
		t.state = PHX_SESS_ST_NEW;
	}
	t.tmo_class = (uint8_t)phx_tmo_class_of(k->proto,
			(enum phx_tcp_state)t.state, false);
	if (rt->nat_kind == PHX_NAT_SOURCE && !phx_key_has_ports(k, pm)) {
		/* GRE, ESP, ICMP other than queries: nothing to tell two
		 * inside hosts apart by, so the address alone (one such flow
		 * per outside peer and protocol: a second one is a key
		 * conflict). */
		t.flags |= PHX_SESS_F_SNAT;
		t.nat_ip = rt->nat_ip;
		t.nat_port = 0;
	} else if (rt->nat_kind == PHX_NAT_SOURCE) {
		struct snat_ctx c = {
			.dp = w->dp, .worker = w->idx,
			.peer = rte_be_to_cpu_32(k->dst_ip),
			.nat = rte_be_to_cpu_32(rt->nat_ip),
			.peer_port = rte_be_to_cpu_16(k->dport),
			.lo = rt->nat_port_lo, .hi = rt->nat_port_hi,
			.proto = k->proto,
		};
		uint16_t port;

		np = w->nat_pool[rt->pool];
		/* Bounded on the packet path: only the rule's range is
		 * read, and at most SNAT_TRIES_PER_WORKER free ports per
		 * worker are put to the RSS predicate (it accepts about one
		 * in nb_workers; the search goes on from there next time). */
		port = phx_nat_pool_alloc_range(np, c.lo, c.hi, snat_port_ok,
				&c, SNAT_TRIES_PER_WORKER * w->dp->nb_workers);
		if (port == 0) {
			drop(w, m, PHX_DROP_NAT_PORTS_EXHAUSTED);
			return NULL;
		}
		t.flags |= PHX_SESS_F_SNAT;
		t.nat_ip = rt->nat_ip;
		t.nat_port = rte_cpu_to_be_16(port);
	} else if (rt->nat_kind == PHX_NAT_DEST) {
		t.flags |= PHX_SESS_F_DNAT;
		t.nat_ip = rt->nat_ip;
		t.nat_port = rt->nat_port_lo && k->proto != IPPROTO_ICMP ?
			     rte_cpu_to_be_16(rt->nat_port_lo) : k->dport;
	}
	s = phx_shard_insert(w->shard, &t, &err);
	if (s == NULL) {
		if (np != NULL)
			phx_nat_pool_release(np, rte_be_to_cpu_16(t.nat_port));
		drop(w, m, err == -ENOSPC ? PHX_DROP_SESSION_TABLE_FULL :
					    PHX_DROP_SESSION_KEY_CONFLICT);
		return NULL;
	}
	w->stats.cnt[PHX_CNT_SESS_CREATED]++;
	s->win.sync_epoch = w->epoch;
	if (unlikely(s->flags & PHX_SESS_F_DELAYED))
		delay_push(w, s, now + rt->sync_delay_s * rte_get_tsc_hz());
	sess_event(w, pol, s, PHX_SEV_NEW, now);
	return s;
}

/* The fw_sync_allowed_protocols bit of a protocol (SPEC SYNC-62). */
static inline uint32_t
sync_allow_bit(uint8_t proto)
{
	return proto == IPPROTO_TCP ? PHX_SYNC_ALLOW_TCP :
	       proto == IPPROTO_UDP ? PHX_SYNC_ALLOW_UDP :
	       proto == IPPROTO_ICMP ? PHX_SYNC_ALLOW_ICMP : 0;
}

/* New flows of a burst, classified in one rte_acl call. */
struct newflow {
	struct phx_acl_in in[PHX_BURST];
	const uint8_t *data[PHX_BURST];
	uint32_t res[PHX_BURST];
	uint16_t pkt[PHX_BURST];     /* index in the burst's IPv4 arrays */
	uint8_t local[PHX_BURST];    /* destination is a member address */
	unsigned n;
};

static void
new_flows(struct phx_worker *w, const struct phx_policy *pol, uint16_t pidx,
	  struct rte_mbuf **pk, struct newflow *nf, uint64_t now)
{
	unsigned c, created = 0;
	uint32_t block;

	if (nf->n == 0)
		return;
	/* Sync overload (SPEC SYNC-60..62): read once per burst. */
	block = __atomic_load_n(&w->dp->sync_block, __ATOMIC_RELAXED);
	if (pol->acl != NULL)
		rte_acl_classify(pol->acl, nf->data, nf->res, nf->n, 1);
	else
		memset(nf->res, 0, sizeof(nf->res[0]) * nf->n);
	for (c = 0; c < nf->n; c++) {
		unsigned i = nf->pkt[c];
		struct rte_mbuf *m = pk[i];
		const struct phx_pkt_meta *pm = &w->meta[i];
		uint32_t res = nf->res[c];
		const struct phx_rule_rt *rt;
		struct phx_sess *s;
		enum phx_dir dir;

		/* A packet earlier in this burst may have created the
		 * session (several packets of a new UDP flow, say). */
		if (created != 0 &&
		    (s = phx_shard_find(w->shard, &w->keys[i], &dir)) != NULL &&
		    established(w, pol, m, pidx, pm, s, dir, now))
			continue;
		if (res == 0) {
			if (nf->local[c]) {
				local_deliver(w, m, pidx, pm);
			} else {
				if (pol->default_action == PHX_ACT_REJECT)
					send_reject(w, m, pidx, pm, now);
				drop(w, m, PHX_DROP_NO_SESSION);
			}
			continue;
		}
		rt = &pol->rules[res - 1];
		w->hits[res - 1]++;
		if (nf->local[c] && rt->nat_kind != PHX_NAT_DEST) {
			/* rules govern forwarding; our own services answer */
			local_deliver(w, m, pidx, pm);
			continue;
		}
		if (rt->action == PHX_ACT_DROP) {
			drop(w, m, PHX_DROP_RULE_DROP);
			continue;
		}
		if (rt->action == PHX_ACT_REJECT) {
			send_reject(w, m, pidx, pm, now);
			drop(w, m, PHX_DROP_RULE_REJECT);
			continue;
		}
		if (pm->proto == IPPROTO_TCP &&
		    phx_tcp_flag_class(pm->tcp_flags) != PHX_TCPF_SYN &&
		    !tcp_pickup(w->dp, pm, now)) {
			drop_sampled(w, m, pidx, pm, PHX_DROP_TCP_NOT_SYN);
			continue;
		}
		if (unlikely(block != 0) &&
		    !(block & sync_allow_bit(pm->proto))) {
			drop(w, m, PHX_DROP_SYNC_BLOCKED);
			continue;
		}
		s = sess_create(w, pol, m, pidx, pm, &w->keys[i], res - 1, now);
		created += s != NULL;
		if (s != NULL)
			forward(w, m, pidx, pm, sess_dst_after_nat(s,
				PHX_DIR_ORIG, pm), s, PHX_DIR_ORIG, now);
	}
}

unsigned
phx_dp_sess_worker(const struct phx_dp *dp, const struct phx_flow_key *fwd)
{
	uint32_t t[2];

	if (dp->reta_size < 2)
		return 0;
	if (fwd->proto == IPPROTO_TCP || fwd->proto == IPPROTO_UDP)
		return rss_worker(dp, rte_be_to_cpu_32(fwd->src_ip),
				  rte_be_to_cpu_32(fwd->dst_ip),
				  rte_be_to_cpu_16(fwd->sport),
				  rte_be_to_cpu_16(fwd->dport));
	t[0] = rte_be_to_cpu_32(fwd->src_ip);
	t[1] = rte_be_to_cpu_32(fwd->dst_ip);
	return dp->reta[rte_softrss_be(t, 2, (const uint8_t *)dp->rss_key_be) %
			dp->reta_size];
}

/*
 * Handoff (DESIGN invariant 6). The NIC's RSS gives a worker every packet
 * whose tuple hashes to its queue; a few packets belong to a session
 * another worker owns, and are handed to it through its ring:
 *   - replies from a destination-NAT target: they hash on the target's
 *     tuple, the session on the client's (address and port the client
 *     used, from the DNAT rule);
 *   - ICMP query replies to a source-NAT address: ICMP is hashed on the
 *     addresses alone, so the identifier cannot steer them as ports steer
 *     TCP and UDP (snat_port_ok): it names the owner instead;
 *   - ICMP errors: they hash on the reporter's address, the session they
 *     quote on its own tuple.
 *   - reassembled datagrams: the NIC spread their fragments by addresses,
 *     the session by the whole tuple.
 * Several DNAT rules may translate to one target (public ports 80 and
 * 8080 to the same server:80): its reply may answer a session of any of
 * them, on as many owners. A worker that misses hands it to the owner
 * for the next such rule (PHX_HO_DNAT, dnat_cand: the rule tried), never
 * to itself nor to the worker it landed on (both missed already).
 * A packet from a DNAT target may also be the first of a flow of its own
 * (the server connecting out): the last owner misses too, and hands it
 * back (PHX_HO_BACK) to be a new flow where RSS will bring its replies.
 * One hop per candidate rule, then one back; nothing is handed on
 * after that. On a device whose spreading we cannot compute
 * (soft_spread) every packet without a session goes to the worker its
 * tuple hashes to, where RSS would have brought it: the sessions are
 * where every computation above expects.
 */
enum phx_ho_kind {
	PHX_HO_NONE = 0,   /* from the NIC */
	PHX_HO_OWNER,      /* to the owner of its session */
	PHX_HO_DNAT,       /* from a DNAT target to the owner of the session
			    * it may answer; back if that has none (on a
			    * soft_spread device: to its tuple's worker) */
	PHX_HO_BACK,       /* no reply after all: a new flow here */
};

/* dp->soft_spread (a test may change it while the workers run) */
static inline bool
soft_spread(const struct phx_dp *dp)
{
	return __atomic_load_n(&dp->soft_spread, __ATOMIC_RELAXED);
}

/*
 * A packet from a DNAT target (key k): the owner of the session it would
 * answer for the first reverse entry from *cand on that matches it and
 * whose owner is neither this worker nor landed (they missed it), or -1.
 * *cand: the entry chosen.
 */
static int
dnat_owner(const struct phx_worker *w, const struct phx_policy *pol,
	   const struct phx_flow_key *k, unsigned landed, unsigned *cand)
{
	struct phx_flow_key fwd;
	unsigned i;
	int o;

	for (i = *cand; i < pol->n_dnat; i++) {
		const struct phx_dnat_rev *e = &pol->dnat[i];

		if (e->target_ip != k->src_ip ||
		    (e->proto != 0 && e->proto != k->proto) ||
		    (e->target_port != 0 && e->target_port != k->sport))
			continue;
		fwd = (struct phx_flow_key){
			.src_ip = k->dst_ip, .dst_ip = e->vip,
			.sport = k->dport,
			.dport = e->vport != 0 ? e->vport : k->sport,
			.proto = k->proto,
		};
		o = (int)phx_dp_sess_worker(w->dp, &fwd);
		if ((unsigned)o == w->idx || (unsigned)o == landed)
			continue;
		*cand = i;
		return o;
	}
	*cand = pol->n_dnat;
	return -1;
}

/*
 * The worker that owns the session packet i (key k) may belong to, or -1
 * when it is this one or nobody knows (*kind: how to hand it over;
 * *cand: the reverse DNAT entry it goes for, PHX_HO_DNAT).
 * reasm: a reassembled datagram.
 */
static int
reply_owner(const struct phx_worker *w, const struct phx_policy *pol,
	    const struct phx_pkt_meta *pm, const struct phx_flow_key *k,
	    bool reasm, uint8_t *kind, unsigned *cand)
{
	const struct phx_dp *dp = w->dp;
	const bool err = pm->flags & PHX_PKT_F_ICMP_ERR;
	/* the NIC did not hash these on the flow's tuple: the tuple's
	 * worker owns the flow (RSS is symmetric) */
	const int by_tuple = err || reasm ? (int)phx_dp_sess_worker(dp, k) : -1;
	unsigned i;
	int o;

	*kind = PHX_HO_OWNER;
	*cand = 0;
	/* Replies to a hide-NAT address go where their identifier says
	 * (snat_port_ok); a request to one of our addresses is a new flow
	 * (a ping to us, a DNAT forward) and stays where it landed, which
	 * is where the DNAT loop below sends its replies. */
	if (k->proto == IPPROTO_ICMP &&
	    (err || !phx_icmp_is_request(pm->icmp_type)))
		for (i = 0; i < dp->nb_nat_addr; i++)
			if (dp->nat_addr[i] == k->dst_ip)
				return rte_be_to_cpu_16(k->dport) %
				       dp->nb_workers;
	/* A bare SYN answers nothing: the target opens a flow itself, where
	 * the NIC's RSS brought it, or on a soft_spread device where its
	 * tuple hashes (below). */
	if (!err && k->proto == IPPROTO_TCP &&
	    phx_tcp_flag_class(pm->tcp_flags) == PHX_TCPF_SYN)
		return soft_spread(dp) ? (int)phx_dp_sess_worker(dp, k) :
					 by_tuple;
	o = dnat_owner(w, pol, k, w->idx, cand);
	if (o >= 0) {
		if (!err)
			*kind = PHX_HO_DNAT;
		return o;
	}
	/* A device that spreads by a hash we cannot compute (soft_spread):
	 * every session lives on the worker its tuple hashes to, as with
	 * RSS (new, synced, source-NAT, DNAT: the computations above and
	 * the sync installs all assume it), and a packet the device brought
	 * elsewhere goes there. */
	if (soft_spread(dp) && by_tuple < 0)
		return (int)phx_dp_sess_worker(dp, k);
	return by_tuple;
}

/* Hand packet i (m) over to the worker that owns its session, if that is
 * another; true when m was handed over (or dropped: handoff_full). */
static bool
handoff(struct phx_worker *w, const struct phx_policy *pol,
	struct rte_mbuf *m, uint16_t pidx, unsigned i)
{
	const struct phx_dp *dp = w->dp;
	struct phx_dp_mbuf_meta *mm;
	unsigned cand = 0, landed = w->idx;
	uint8_t kind;
	int owner;

	switch (w->ho_kind) {
	case PHX_HO_NONE:
		owner = reply_owner(w, pol, &w->meta[i], &w->keys[i],
				    (m->ol_flags & dp->reasm_flag) != 0, &kind,
				    &cand);
		break;
	case PHX_HO_DNAT:
		/* no session here: the owner for the next DNAT rule to this
		 * target, if another worker; it keeps where it landed */
		landed = w->ho_from;
		cand = w->ho_cand + 1u;
		owner = dnat_owner(w, pol, &w->keys[i], landed, &cand);
		if (owner >= 0) {
			kind = PHX_HO_DNAT;
			break;
		}
		/* none: a new flow, where the NIC's RSS brings its replies
		 * (where it landed), or on a soft_spread device where its
		 * tuple hashes */
		if (soft_spread(dp)) {
			owner = (int)phx_dp_sess_worker(dp, &w->keys[i]);
			kind = PHX_HO_OWNER;
		} else {
			owner = w->ho_from;
			kind = PHX_HO_BACK;
		}
		break;
	default:
		return false;
	}
	if (owner < 0 || (unsigned)owner == w->idx ||
	    (unsigned)owner >= dp->nb_workers)
		return false;
	mm = phx_dp_mbuf_meta(m);
	mm->port = pidx;
	mm->kind = kind;
	/* a DNAT hop keeps where the packet landed (the way back) */
	mm->from = (uint8_t)(kind == PHX_HO_DNAT ? landed : w->idx);
	mm->dnat_cand = (uint16_t)cand;
	if (rte_ring_mp_enqueue(dp->workers[owner].handoff, m) != 0)
		drop(w, m, PHX_DROP_HANDOFF_FULL);
	else
		w->stats.cnt[PHX_CNT_HANDOFF_TX]++;
	return true;
}

/* First packet of a possible new flow: route it and queue it for
 * classification, or settle it here. */
static inline void
miss(struct phx_worker *w, const struct phx_policy *pol, struct rte_mbuf *m,
     uint16_t pidx, unsigned i, struct newflow *nf, uint64_t now)
{
	const struct phx_pkt_meta *pm = &w->meta[i];
	struct phx_dp *dp = w->dp;
	uint32_t nh;
	unsigned c;

	if (dp->reta_size > 1 && handoff(w, pol, m, pidx, i))
		return;
	if (pm->flags & PHX_PKT_F_ICMP_ERR) {
		drop(w, m, PHX_DROP_ICMP_NO_SESSION);
		return;
	}
	/* no session is opened from a broadcast source (RFC 1812 5.3.7) */
	if (unlikely(is_subnet_bcast(dp, pm->src_ip))) {
		drop(w, m, PHX_DROP_IPV4_MARTIAN_SRC);
		return;
	}
	/* Only a request opens an ICMP query session (as only a SYN opens
	 * a TCP one): a reply without one answers nothing. */
	if (pm->proto == IPPROTO_ICMP && phx_icmp_is_query(pm->icmp_type) &&
	    !phx_icmp_is_request(pm->icmp_type)) {
		drop(w, m, PHX_DROP_ICMP_OUT_OF_STATE);
		return;
	}
	if (rte_lpm_lookup(dp->lpm, rte_be_to_cpu_32(pm->dst_ip), &nh) != 0) {
		icmp_error(w, m, pidx, pm, ICMP_DEST_UNREACH,
			   0 /* net unreachable */, 0, now);
		drop(w, m, PHX_DROP_NO_ROUTE);
		return;
	}
	if (dp->nh[nh].kind == PHX_NH_BCAST) {
		drop(w, m, PHX_DROP_IPV4_MARTIAN_DST);
		return;
	}
	if (nh_is_local(dp->nh[nh].kind) && pol->acl == NULL) {
		local_deliver(w, m, pidx, pm);
		return;
	}
	if (dp->nh[nh].kind == PHX_NH_FWD && pm->proto == IPPROTO_TCP &&
	    phx_tcp_flag_class(pm->tcp_flags) != PHX_TCPF_SYN &&
	    !tcp_pickup(dp, pm, now)) {
		/* SPEC SI-03: "TCP packet out of state - first packet
		 * isn't SYN" */
		drop_sampled(w, m, pidx, pm, PHX_DROP_TCP_NOT_SYN);
		return;
	}
	c = nf->n++;
	nf->pkt[c] = (uint16_t)i;
	nf->local[c] = nh_is_local(dp->nh[nh].kind);
	acl_input(&nf->in[c], &w->keys[i], pidx,
		  nf->local[c] ? PHX_ACL_PORT_LOCAL : dp->nh[nh].port);
	nf->data[c] = (const uint8_t *)&nf->in[c];
}

/*
 * The burst of a member that is not forwarding (a cluster standby, SPEC
 * MODE-12 and 1.2): it serves its own unique addresses (local services:
 * ICMP echo), and nothing else is its to take: transit traffic and
 * traffic to a VIP belong to the active member, and reach this one only
 * through a switch that still floods or a neighbour with an old ARP
 * entry. Sessions are neither looked up nor touched: a standby keeps
 * the synced sessions as they are for the takeover (DESIGN invariant 7),
 * and lets them expire on their own.
 */
/* m starts with an inline 802.1Q tag of VLAN 0 (a priority tag): take it
 * off (one segment: the parser read it so) and say so. */
static bool
priority_tag(struct rte_mbuf *m)
{
	const struct rte_vlan_hdr *vh;

	if (m->nb_segs != 1 ||
	    rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN ||
	    rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type !=
	    RTE_BE16(RTE_ETHER_TYPE_VLAN))
		return false;
	vh = rte_pktmbuf_mtod_offset(m, const struct rte_vlan_hdr *,
				     RTE_ETHER_HDR_LEN);
	if ((rte_be_to_cpu_16(vh->vlan_tci) & 0xfff) != 0)
		return false;
	return rte_vlan_strip(m) == 0;
}

/* A CCP or sync frame (control/ccp.c sends them): UDP 8116 both ways, to
 * a directed broadcast of ours or one of our addresses. Transit traffic
 * to port 8116 is ordinary traffic. */
static inline bool
ccp_frame(const struct phx_dp *dp, const struct phx_pkt_meta *pm)
{
	uint32_t nh;

	return pm->sport == RTE_BE16(PHX_CCP_UDP_PORT) &&
	       rte_lpm_lookup(dp->lpm, rte_be_to_cpu_32(pm->dst_ip), &nh) == 0 &&
	       dp->nh[nh].kind != PHX_NH_FWD;
}

static __rte_noinline void
not_forwarding(struct phx_worker *w, uint16_t pidx, struct rte_mbuf **pk,
	       unsigned n)
{
	const struct phx_dp *dp = w->dp;
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct phx_pkt_meta *pm = &w->meta[i];
		uint32_t nh;

		if (rte_lpm_lookup(dp->lpm, rte_be_to_cpu_32(pm->dst_ip),
				   &nh) != 0) {
			drop(w, pk[i], PHX_DROP_CLUSTER_NOT_ACTIVE);
			continue;
		}
		switch (dp->nh[nh].kind) {
		case PHX_NH_LOCAL:
			/* An ICMP error to us is about a flow through us. */
			if (!(pm->flags & PHX_PKT_F_ICMP_ERR)) {
				local_deliver(w, pk[i], pidx, pm);
				break;
			}
			drop(w, pk[i], PHX_DROP_CLUSTER_NOT_ACTIVE);
			break;
		case PHX_NH_BCAST:
			drop(w, pk[i], PHX_DROP_IPV4_MARTIAN_DST);
			break;
		default: /* routed, or a VIP */
			drop(w, pk[i], PHX_DROP_CLUSTER_NOT_ACTIVE);
			break;
		}
	}
}

static void
process(struct phx_worker *w, uint16_t pidx, struct rte_mbuf **pkts,
	uint16_t n, uint64_t now)
{
	const struct rte_ether_addr *mymac = &w->dp->ports[pidx].mac;
	const bool cluster = w->dp->cluster;
	const struct phx_policy *pol = w->pol;
	struct rte_mbuf *ip4[PHX_BURST];
	const void *kp[PHX_BURST];
	void *data[PHX_BURST];
	uint64_t hit_mask = 0;
	struct newflow nf;
	unsigned nip = 0, i;

	w->nc_pos = -1; /* neighbour cache: this burst only */
	nf.n = 0;
	for (i = 0; i < n && i < 4; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	/* Stage 1: filter, parse, key. */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		struct phx_pkt_meta *pm = &w->meta[nip];
		unsigned flags = 0;
		enum phx_drop_reason r;

		if (i + 4 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		/* The VMAC (SPEC 5.5, off by default) is looked at only
		 * when the port's own MAC does not match. */
		if (rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN &&
		    rte_is_unicast_ether_addr(&eth->dst_addr) &&
		    !rte_is_same_ether_addr(&eth->dst_addr, mymac) &&
		    (phx_mac_to_u64(&eth->dst_addr) | PHX_VMAC_VALID) !=
		    __atomic_load_n(&w->dp->vmac[pidx], __ATOMIC_RELAXED)) {
			drop(w, m, PHX_DROP_L2_OTHER_HOST);
			continue;
		}
		if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
		    RTE_MBUF_F_RX_IP_CKSUM_GOOD)
			flags |= PHX_PARSE_F_L3_CSUM_OK;
		/* Only a reassembled datagram is a chain (no RX scatter),
		 * its headers in the first segment (reassemble()). */
		r = phx_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *),
				  likely(m->nb_segs == 1) ?
				  rte_pktmbuf_data_len(m) :
				  rte_pktmbuf_pkt_len(m), flags, pm);
		if (unlikely(r == PHX_DROP_VLAN_TAGGED) && priority_tag(m)) {
			/* 802.1p priority tag (VID 0) on a port without
			 * sub-interfaces: an untagged frame (802.1Q), as when
			 * the device takes the tag off (vlan_demux); a
			 * fragment goes on to reassembly */
			r = phx_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *),
					  rte_pktmbuf_data_len(m), flags, pm);
		}
		if (unlikely(r == PHX_DROP_IPV4_FRAGMENT) &&
		    w->frag_tbl != NULL) {
			m = reassemble(w, m, pidx, now);
			if (m == NULL)
				continue;
			r = phx_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *),
					  rte_pktmbuf_pkt_len(m), 0, pm);
			/* NAT recomputes an error's checksum over one
			 * buffer: no error needs more (RFC 1812: 576) */
			if (r == PHX_DROP_NONE && m->nb_segs > 1 &&
			    (pm->flags & PHX_PKT_F_ICMP_ERR))
				r = PHX_DROP_ICMP_BAD_QUOTE;
		}
		if (r != PHX_DROP_NONE) {
			drop(w, m, r);
			continue;
		}
		if (pm->kind == PHX_PKT_ARP) {
			to_ctl(w, m, PHX_DP_CTL_ARP, pidx, 0);
			continue;
		}
		/* CCP and sync (SPEC CCP-01, CCP-08): accepted implicitly,
		 * before any session, policy or routing (they go to a
		 * directed broadcast, a martian to the FIB), forwarding or
		 * not. Standalone, port 8116 is nothing special. The first
		 * compare (an immediate) fails for nearly every packet. */
		if (unlikely(pm->dport == RTE_BE16(PHX_CCP_UDP_PORT)) &&
		    pm->proto == IPPROTO_UDP && cluster &&
		    ccp_frame(w->dp, pm)) {
			to_ctl(w, m, PHX_DP_CTL_CCP, pidx, 0);
			continue;
		}
		/* RFC 1812 5.3.4: what came as a link-layer broadcast or
		 * multicast is not routed (nor does it open a session) */
		if (unlikely(pm->flags & (PHX_PKT_F_L2_BCAST |
					  PHX_PKT_F_L2_MCAST))) {
			drop(w, m, PHX_DROP_L2_NOT_UNICAST);
			continue;
		}
		if (likely(pm->proto == IPPROTO_TCP || pm->proto == IPPROTO_UDP)) {
			/* the common case inline: copies only */
			struct phx_flow_key *k = &w->keys[nip];

			k->src_ip = pm->src_ip;
			k->dst_ip = pm->dst_ip;
			k->sport = pm->sport;
			k->dport = pm->dport;
			k->proto = pm->proto;
			k->pad[0] = k->pad[1] = k->pad[2] = 0;
		} else if (pm->flags & PHX_PKT_F_ICMP_ERR) {
			phx_flow_key_from_quote(pm, &w->keys[nip]);
		} else {
			phx_flow_key_from_meta(pm, &w->keys[nip]);
		}
		phx_flow_key_canon(&w->keys[nip], &w->ckeys[nip]);
		kp[nip] = &w->ckeys[nip];
		ip4[nip++] = m;
	}
	if (nip == 0)
		return;
	/* A cluster standby: one predictable branch per burst for the
	 * active member (control release-stores the flag). The same read
	 * says whether this burst's session changes are synced. */
	w->emit = __atomic_load_n(&w->dp->fwd, __ATOMIC_ACQUIRE) != 0;
	if (unlikely(!w->emit)) {
		not_forwarding(w, pidx, ip4, nip);
		return;
	}
	/* Stage 2: both keys of every session live in one hash; the records
	 * of each chunk's hits are prefetched before the next chunk's lookup
	 * (with a large table each is a cache miss: overlap them with the
	 * next buckets' misses; PHX_LOOKUP_CHUNK). */
	if (w->shard->used != 0) {
		unsigned c, cn;

		for (c = 0; c < nip; c += cn) {
			uint64_t hm = 0;

			cn = RTE_MIN(nip - c, (unsigned)PHX_LOOKUP_CHUNK);
			rte_hash_lookup_bulk_data(w->shard->h, &kp[c], cn, &hm,
						  &data[c]);
			for (i = c; i < c + cn; i++)
				if (hm & (1ULL << (i - c)))
					rte_prefetch0(&w->shard->sess[
						(uintptr_t)data[i] >> 1]);
			hit_mask |= hm << c;
		}
	}
	/* Stage 3: sessions; collect new flows. */
	for (i = 0; i < nip; i++) {
		if (hit_mask & (1ULL << i)) {
			enum phx_dir dir;
			struct phx_sess *s = phx_shard_resolve(w->shard,
				(uintptr_t)data[i], &w->keys[i], &dir);

			if (s != NULL && established(w, pol, ip4[i], pidx,
						     &w->meta[i], s, dir, now))
				continue;
		}
		miss(w, pol, ip4[i], pidx, i, &nf, now);
	}
	/* Stage 4: classify and settle the new flows together. */
	new_flows(w, pol, pidx, ip4, &nf, now);
}

/*
 * A burst from a physical port that has VLAN sub-interfaces (a trunk):
 * each frame goes, untagged, to the port its tag names (SPEC MODE-08).
 * Untagged and priority-tagged (VLAN 0) frames stay on the physical port;
 * a VLAN id no sub-interface has is dropped as vlan_unknown. A tag the
 * device or kernel already took off (RX VLAN strip) counts as one still
 * there, also on a port without sub-interfaces (map NULL), where such a
 * frame must not pass for untagged: vlan_tagged, as the parser counts
 * the tags it sees. Order is kept within each port.
 */
static void
vlan_demux(struct phx_worker *w, uint16_t pidx, struct rte_mbuf **pkts,
	   uint16_t n, uint64_t now)
{
	const uint8_t *map = w->dp->vlan_map[pidx];
	struct rte_mbuf *grp[PHX_BURST];
	uint8_t to[PHX_BURST];
	uint16_t i, j, k, vid;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		to[i] = (uint8_t)(pidx + 1);
		/* an inline tag is taken off here (rte_vlan_strip checks the
		 * EtherType, not the length); without sub-interfaces it is
		 * left for the parser to count */
		if (!(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) &&
		    (map == NULL || rte_pktmbuf_data_len(m) <
				    RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN ||
		     rte_vlan_strip(m) != 0))
			continue;
		vid = m->vlan_tci & 0xfff;
		if (vid == 0)
			continue; /* 802.1p priority tag: untagged */
		to[i] = map != NULL ? map[vid] : 0;
		if (to[i] == 0) {
			drop(w, m, map != NULL ? PHX_DROP_VLAN_UNKNOWN :
						 PHX_DROP_VLAN_TAGGED);
			pkts[i] = NULL;
		}
	}
	/* one process() call per port present in the burst, in order of
	 * first appearance */
	for (i = 0; i < n; i++) {
		uint8_t t = to[i];
		uint64_t bytes = 0;

		if (pkts[i] == NULL)
			continue;
		for (j = i, k = 0; j < n; j++) {
			if (pkts[j] == NULL || to[j] != t)
				continue;
			/* as on the wire: the tag (stripped by now) counts */
			bytes += rte_pktmbuf_pkt_len(pkts[j]) + RTE_VLAN_HLEN;
			grp[k++] = pkts[j];
			pkts[j] = NULL;
		}
		if (t - 1 != pidx) {
			w->vstats[t - 1].rx_pkts += k;
			w->vstats[t - 1].rx_bytes += bytes;
		}
		process(w, (uint16_t)(t - 1), grp, k, now);
	}
}

void
phx_dp_process_burst(struct phx_worker *w, uint16_t pidx,
		     struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	uint64_t bytes = 0, flags = 0;
	uint16_t i;

	w->stats.cnt[PHX_CNT_RX_PKTS] += n;
	for (i = 0; i < n; i++) {
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
		flags |= pkts[i]->ol_flags;
	}
	w->stats.cnt[PHX_CNT_RX_BYTES] += bytes;
	if (unlikely(w->dp->vlan_map[pidx] != NULL ||
		     (flags & RTE_MBUF_F_RX_VLAN_STRIPPED)))
		vlan_demux(w, pidx, pkts, n, now);
	else
		process(w, pidx, pkts, n, now);
}

/* ------------------------------------------------------------------ */
/* Housekeeping                                                         */

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
		/* a packet held for ARP that forward() would have cut */
		tx_ipv4(w, pidx, pkts[i], rte_pktmbuf_pkt_len(pkts[i]) -
			RTE_ETHER_HDR_LEN);
	}
}

/* Put back a session msg_install took out for a replacement that could
 * not go in: the same record, keys and source-NAT port as before. */
static bool
restore_sess(struct phx_worker *w, const struct phx_sess *old)
{
	struct phx_nat_pool *np = NULL;
	struct phx_sess t = *old;
	int err;

	t.flags &= (uint8_t)~PHX_SESS_F_USED;
	if ((t.flags & PHX_SESS_F_SNAT) && t.nat_port != 0) {
		np = snat_pool_of(w, t.nat_ip);
		/* (its port was just released: shared only if another
		 * session took it since, and refused only with the shared
		 * table full; then it stays out, as msg_install refuses) */
		if (np != NULL &&
		    !phx_nat_pool_share(np, rte_be_to_cpu_16(t.nat_port)))
			return false;
	}
	if (phx_shard_insert(w->shard, &t, &err) != NULL)
		return true;
	if (np != NULL)
		phx_nat_pool_release(np, rte_be_to_cpu_16(t.nat_port));
	return false;
}

/* An install that did not go in: counted; the session it was to replace
 * (old, if any) is put back, or counted as removed by sync. */
static void
install_failed(struct phx_worker *w, const struct phx_sess *old)
{
	if (old != NULL && !restore_sess(w, old))
		w->stats.cnt[PHX_CNT_SESS_SYNC_DELETED]++;
	w->stats.cnt[PHX_CNT_SESS_INSTALL_FAILED]++;
}

/*
 * Install or refresh a session sent from outside (state sync; dp_api.h
 * PHX_MSG_INSTALL). Its rule index belongs to another policy: gen 0 makes
 * the next packet or sweep re-check it. No event: it came from sync.
 */
static void
msg_install(struct phx_worker *w, const struct phx_policy *pol,
	    const struct phx_dp_msg *msg, uint64_t now)
{
	const uint8_t mut = PHX_SESS_F_REPLIED | PHX_SESS_F_WINDOW;
	struct phx_sess t = msg->s, *s, old;
	bool replaced = false;
	/* never more than the longest timeout (a week): no overflow below */
	uint64_t tmo, left = (uint64_t)RTE_MIN(msg->remaining_ms,
					       PHX_TMO_MAX_S * 1000u) *
			     rte_get_tsc_hz() / 1000;
	struct phx_nat_pool *np = NULL;
	enum phx_dir dir;
	int err;

	/* Only what the wire can say; local flags are ours to set. */
	t.flags &= PHX_SESS_F_SNAT | PHX_SESS_F_DNAT | mut;
	t.flags |= PHX_SESS_F_SYNCED;
	/* Its window history is the peer's: learn again before checking. */
	if (t.flags & PHX_SESS_F_WINDOW)
		phx_tcp_window_init_pickup(&t.win);
	else
		memset(&t.win, 0, sizeof(t.win));
	t.gen = 0;
	if (t.tmo_class >= PHX_TMO_MAX)
		t.tmo_class = 0;
	/* Members run the same rules (the configuration guard), so the
	 * sender's rule index names the timeout the re-check will apply:
	 * rebasing on the global one would turn a short per-rule timeout
	 * into an expired session at that re-check. */
	tmo = t.rule < pol->n_rules ? pol->rules[t.rule].tmo_tsc[t.tmo_class] :
	      pol->tmo_tsc[t.tmo_class];
	/* Rebase the remaining lifetime on our clock (SPEC SI-09): never
	 * extend it to a full timeout. */
	t.last_tsc = now - (tmo > left ? tmo - left : 0);
	s = phx_shard_find(w->shard, &t.key, &dir);
	if (s != NULL && dir == PHX_DIR_ORIG &&
	    (((s->flags ^ t.flags) & (PHX_SESS_F_SNAT | PHX_SESS_F_DNAT)) ||
	     s->nat_ip != t.nat_ip || s->nat_port != t.nat_port)) {
		/* Another translation under this key: a new session whose
		 * predecessor's removal we missed (a full sync). The peer's
		 * is the truth: the old one goes, with its port (and comes
		 * back below if the new one cannot be installed). */
		old = *s;
		replaced = true;
		sess_release_nat(w, s);
		phx_shard_delete(w->shard, s);
		s = NULL;
	}
	if (s != NULL && dir == PHX_DIR_ORIG) {
		/* known: what may change since (a session keeps its NAT) */
		s->state = t.state;
		s->flags = (uint8_t)((s->flags & ~mut) | (t.flags & mut));
		s->tmo_class = t.tmo_class;
		t.win.sync_epoch = w->epoch;
		s->win = t.win;
		s->rule = t.rule;
		s->gen = 0;
		s->last_tsc = t.last_tsc;
		w->stats.cnt[PHX_CNT_SESS_INSTALLED]++;
		return;
	}
	if (s != NULL) {
		/* its key is the reply of another session */
		w->stats.cnt[PHX_CNT_SESS_INSTALL_FAILED]++;
		return;
	}
	if ((t.flags & PHX_SESS_F_SNAT) && t.nat_port != 0) {
		np = snat_pool_of(w, t.nat_ip);
		/* The port may already be held here, by a session towards
		 * another peer: shared, so that it stays in use until both
		 * are gone. Refused when too many are shared (a split brain
		 * mended): a session that does not own its port would free
		 * it under its other owner when it ends. */
		if (np != NULL &&
		    !phx_nat_pool_share(np, rte_be_to_cpu_16(t.nat_port))) {
			install_failed(w, replaced ? &old : NULL);
			return;
		}
	}
	t.win.sync_epoch = w->epoch;
	/* Checked insert: the find above also misses when the canonical key
	 * exists but belongs to a NAT session the other way round, and an
	 * unchecked add would take that session's entry over. */
	s = phx_shard_insert(w->shard, &t, &err);
	if (s == NULL) {
		if (np != NULL)
			phx_nat_pool_release(np, rte_be_to_cpu_16(t.nat_port));
		install_failed(w, replaced ? &old : NULL);
		return;
	}
	/* the one it replaced is gone: removed by sync, in effect */
	if (replaced)
		w->stats.cnt[PHX_CNT_SESS_SYNC_DELETED]++;
	w->stats.cnt[PHX_CNT_SESS_INSTALLED]++;
}

/* PHX_MSG_DELETE: the peer removed the session (dp_api.h). No event. */
static void
msg_delete(struct phx_worker *w, const struct phx_dp_msg *msg)
{
	struct phx_sess *s;
	enum phx_dir dir;

	s = phx_shard_find(w->shard, &msg->s.key, &dir);
	if (s == NULL)
		return;
	sess_release_nat(w, s);
	phx_shard_delete(w->shard, s);
	w->stats.cnt[PHX_CNT_SESS_SYNC_DELETED]++;
}

/*
 * PHX_MSG_DUMP: one chunk of a full sync (dp_api.h). The event ring is
 * ours to fill (single producer), so its free count only grows while we
 * look: one read, then count down, always keeping the end marker's
 * place. Returns false, having done nothing, when not even the end
 * marker fits: the caller keeps the message for the next loop.
 */
static bool
msg_dump(struct phx_worker *w, const struct phx_policy *pol,
	 const struct phx_dp_msg *msg, uint64_t now)
{
	const struct phx_shard *sh = w->shard;
	uint32_t i = msg->from, sent = 0, scanned = 0;
	unsigned room;

	ev_flush(w); /* the room below is the ring's */
	room = rte_ring_free_count(w->sync_ev);

	if (room == 0)
		return false;
	room--; /* DUMP_END */
	for (; i < sh->max && sent < msg->count && scanned < PHX_SCAN_BUDGET;
	     i++, scanned++) {
		struct phx_sess *s = &sh->sess[i];

		if (!(s->flags & PHX_SESS_F_USED) ||
		    (s->flags & PHX_SESS_F_UNSYNCED))
			continue;
		if (room < 2)   /* (a removal below is an event too) */
			break;
		/* admitted by an older policy and not re-checked yet (the
		 * sweep gets there in its time): re-check it first, as the
		 * sweep would, or its lifetime would be judged by the
		 * global timeouts instead of its rule's (sess_tmo_class) */
		if (s->gen != pol->gen && !sess_recheck(w, pol, s, now)) {
			room--;
			continue;
		}
		if (!ev_push(w, PHX_SEV_FULL, s, sess_remaining_ms(pol, s, now)))
			break;
		room--;
		sent++;
	}
	ev_push(w, PHX_SEV_DUMP_END, NULL, i >= sh->max ? UINT32_MAX : i);
	return true;
}

static inline bool
msg_apply(struct phx_worker *w, const struct phx_policy *pol,
	  const struct phx_dp_msg *msg, uint64_t now)
{
	unsigned i;

	switch (msg->type) {
	case PHX_MSG_INSTALL:
		msg_install(w, pol, msg, now);
		break;
	case PHX_MSG_DELETE:
		msg_delete(w, msg);
		break;
	case PHX_MSG_DUMP:
		return msg_dump(w, pol, msg, now);
	case PHX_MSG_RESYNC_MARK:
		w->purge_from = w->epoch;
		w->purge_marked = true;
		w->purge_on = false;
		/* What was installed earlier in this epoch predates the
		 * resync: one epoch back, or the purge would take it for
		 * something the resync brought (seen in the lab: a session
		 * refreshed just before the link went down survived it). A
		 * standby only (the purge never runs elsewhere), once per
		 * resync: a scan of the table here is affordable. */
		if (!w->emit)
			for (i = 0; i < w->shard->max; i++) {
				struct phx_sess *s = &w->shard->sess[i];

				if ((s->flags & PHX_SESS_F_USED) &&
				    s->win.sync_epoch == w->purge_from)
					s->win.sync_epoch =
						(uint8_t)(w->purge_from - 1);
			}
		break;
	case PHX_MSG_RESYNC_PURGE:
		/* without its MARK (a full ring lost it) the window is
		 * unknown: purge nothing; one of 250 epochs or more may have
		 * wrapped */
		w->purge_to = w->epoch;
		w->purge_pos = 0;
		w->purge_on = w->purge_marked && !w->emit &&
			      (uint8_t)(w->purge_to - w->purge_from) < 250;
		w->purge_marked = false;
		break;
	case PHX_MSG_FLUSH:
		for (i = 0; i < w->shard->max; i++)
			if (w->shard->sess[i].flags & PHX_SESS_F_USED)
				sess_destroy(w, pol, &w->shard->sess[i],
					     PHX_CNT_SESS_CLOSED, now);
		break;
	default:
		break;
	}
	return true;
}

/* The resync purge (PHX_MSG_RESYNC_PURGE): PHX_SCAN_BUDGET slots per
 * loop; a session whose last install is older than the resync goes.
 * Installed since the resync began means any epoch from purge_from to
 * the current one: the delta stream goes on while the scan runs, and an
 * install in an epoch after purge_to is no less fresh. */
static void
purge_run(struct phx_worker *w, const struct phx_policy *pol, uint64_t now)
{
	struct phx_shard *sh = w->shard;
	const uint8_t span = (uint8_t)(w->epoch - w->purge_from);
	uint32_t i, end = RTE_MIN(sh->max, w->purge_pos + PHX_SCAN_BUDGET);

	/* Only a standby's table is a copy to mend: a member that forwards
	 * (it took over meanwhile) owns its sessions, idle ones included. */
	if (w->emit) {
		w->purge_on = false;
		return;
	}
	for (i = w->purge_pos; i < end; i++) {
		struct phx_sess *s = &sh->sess[i];

		if ((s->flags & PHX_SESS_F_USED) &&
		    (uint8_t)(s->win.sync_epoch - w->purge_from) > span)
			sess_destroy(w, pol, s, PHX_CNT_SESS_RESYNC_PURGED, now);
	}
	w->purge_pos = end;
	if (end == sh->max)
		w->purge_on = false;
}

/*
 * Bring the hash buckets of a burst of installs and deletes into the
 * cache with one bulk lookup (rte_hash prefetches across the burst, as
 * the packet path does); each message then finds its key hot. Only a
 * warm-up: the answers are not used, because an earlier message of the
 * same burst may add or remove a later one's key. Measured with
 * `phalanx-bench --sync-apply` (docs/performance.md).
 */
static void
msgs_warm(struct phx_worker *w)
{
	struct phx_flow_key keys[PHX_BURST];
	const void *kp[PHX_BURST];
	int32_t pos[PHX_BURST];
	unsigned i, n = 0;

	for (i = 0; i < w->msg_n; i++) {
		const struct phx_dp_msg *m = &w->msgs[i];

		if (m->type != PHX_MSG_INSTALL && m->type != PHX_MSG_DELETE)
			continue;
		phx_flow_key_canon(&m->s.key, &keys[n]);
		kp[n] = &keys[n];
		n++;
	}
	if (n > 1)
		rte_hash_lookup_bulk(w->shard->h, kp, n, pos);
}

/*
 * Messages from control, in bursts, at most PHX_MSG_BUDGET per loop: a
 * standby applying a full sync gets millions of installs a second, and a
 * loop with packets must still come round quickly. A dump that cannot
 * start (event ring full) stays first in line, the messages behind it
 * wait: order is kept. Returns the messages applied.
 */
static unsigned
drain_msgs(struct phx_worker *w, const struct phx_policy *pol, uint64_t now)
{
	unsigned done = 0;

	for (;;) {
		if (w->msg_i == w->msg_n) {
			if (done >= PHX_MSG_BUDGET)
				break;
			w->msg_i = 0;
			w->msg_n = rte_ring_sc_dequeue_burst_elem(w->msg,
				w->msgs, sizeof(w->msgs[0]),
				RTE_MIN((unsigned)PHX_BURST,
					PHX_MSG_BUDGET - done), NULL);
			if (w->msg_n == 0)
				break;
			msgs_warm(w);
		}
		if (!msg_apply(w, pol, &w->msgs[w->msg_i], now))
			break;
		w->msg_i++;
		done++;
	}
	return done;
}

static bool
conn_match(const struct phx_sess *s, const struct phx_conn_filter *f)
{
	struct phx_flow_key rk;

	if (f->proto && s->key.proto != f->proto)
		return false;
	if (f->state && s->key.proto == IPPROTO_TCP && s->state + 1 != f->state)
		return false;
	if (f->state && s->key.proto != IPPROTO_TCP)
		return false;
	phx_sess_reply_key(s, &rk);
	if (f->ip && s->key.src_ip != f->ip && s->key.dst_ip != f->ip &&
	    rk.src_ip != f->ip && rk.dst_ip != f->ip)
		return false;
	/* ports: TCP and UDP (ICMP keys carry an identifier there) */
	if (f->port && ((s->key.proto != IPPROTO_TCP &&
			 s->key.proto != IPPROTO_UDP) ||
			(s->key.sport != f->port && s->key.dport != f->port &&
			 rk.sport != f->port && rk.dport != f->port)))
		return false;
	return true;
}

/* Answer a telemetry dump request between bursts: copy, never share.
 * done gets the seq this answer is for: a request posted meanwhile is
 * served next loop. */
static void
serve_dump(struct phx_worker *w, uint32_t seq)
{
	struct phx_conn_req *rq = &w->dump;
	struct phx_conn_page *pg = &rq->page;
	struct phx_shard *sh = w->shard;
	uint32_t i, scanned = 0;

	pg->n = 0;
	pg->used = sh->used;
	pg->now_tsc = rte_rdtsc();
	for (i = rq->from; i < sh->max && pg->n < PHX_CONN_PAGE &&
	     scanned < 65536; i++, scanned++) {
		const struct phx_sess *s = &sh->sess[i];

		if ((s->flags & PHX_SESS_F_USED) && conn_match(s, &rq->f)) {
			pg->idx[pg->n] = i;
			pg->s[pg->n++] = *s;
		}
	}
	pg->next = i >= sh->max ? UINT32_MAX : i;
	__atomic_store_n(&rq->done, seq, __ATOMIC_RELEASE);
}

/*
 * A shard digest (phx_dp_shard_digest), PHX_SCAN_BUDGET slots per loop
 * so a large shard never holds a burst back for long. A new request (a
 * withdrawn one leaves its partial sum behind) starts from slot 0.
 */
static void
serve_digest(struct phx_worker *w, uint32_t seq)
{
	struct phx_conn_req *rq = &w->dump;
	const struct phx_shard *sh = w->shard;
	uint32_t i, end;

	if (w->dig_seq != seq || w->dig_kind != PHX_REQ_DIGEST) {
		w->dig_seq = seq;
		w->dig_kind = PHX_REQ_DIGEST;
		w->dig_pos = 0;
		w->dig_acc.sum = 0;
		w->dig_acc.n = 0;
	}
	end = RTE_MIN(sh->max, w->dig_pos + PHX_SCAN_BUDGET);
	for (i = w->dig_pos; i < end; i++) {
		const struct phx_sess *s = &sh->sess[i];

		if ((s->flags & PHX_SESS_F_USED) &&
		    !(s->flags & PHX_SESS_F_UNSYNCED)) {
			w->dig_acc.sum += phx_sess_digest_hash(s);
			w->dig_acc.n++;
		}
	}
	w->dig_pos = end;
	if (end < sh->max)
		return;
	rq->dig = w->dig_acc;
	__atomic_store_n(&rq->done, seq, __ATOMIC_RELEASE);
}

/* An operator's clear (phx_dp_clear): the sessions the filter matches
 * go, PHX_CLEAR_BUDGET slots per loop, as a flush does (sess_cleared; DEL
 * events while forwarding, so the peers' copies go too). */
static void
serve_clear(struct phx_worker *w, const struct phx_policy *pol, uint32_t seq,
	    uint64_t now)
{
	struct phx_conn_req *rq = &w->dump;
	struct phx_shard *sh = w->shard;
	uint32_t i, end, room = UINT32_MAX, n = 0;

	if (w->dig_seq != seq || w->dig_kind != PHX_REQ_CLEAR) {
		/* Ours from now on: a request withdrawn mid-scan must not go
		 * on with the next requester's filter. The requester
		 * withdraws (done = seq) before it writes another request,
		 * so a filter read here that belongs to the next one shows
		 * as this one withdrawn, and nothing is done with it. */
		struct phx_conn_filter f = rq->f;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&rq->done, __ATOMIC_ACQUIRE) == seq)
			return;
		w->clear_f = f;
		w->dig_seq = seq;
		w->dig_kind = PHX_REQ_CLEAR;
		w->dig_pos = 0;
		w->dig_acc.n = 0;
	}
	/* Every removal is a DEL event while forwarding: no more this loop
	 * than the event ring has room for (a clear must reach the peers
	 * whole); the rest waits for control to drain it. */
	if (w->emit) {
		unsigned free = rte_ring_free_count(w->sync_ev);

		room = free > 2 * PHX_BURST ? free - 2 * PHX_BURST : 0;
	}
	end = RTE_MIN(sh->max, w->dig_pos + PHX_CLEAR_BUDGET);
	for (i = w->dig_pos; i < end && n < room; i++) {
		struct phx_sess *s = &sh->sess[i];

		if ((s->flags & PHX_SESS_F_USED) &&
		    conn_match(s, &w->clear_f)) {
			sess_destroy(w, pol, s, PHX_CNT_SESS_CLEARED, now);
			w->dig_acc.n++;
			n++;
		}
	}
	w->dig_pos = i;
	if (i < sh->max)
		return;
	rq->dig.n = w->dig_acc.n;
	__atomic_store_n(&rq->done, seq, __ATOMIC_RELEASE);
}

static inline void
serve_req(struct phx_worker *w, const struct phx_policy *pol, uint64_t now)
{
	uint32_t seq = __atomic_load_n(&w->dump.seq, __ATOMIC_ACQUIRE);

	if (likely(seq == w->dump.done))
		return;
	if (w->dump.kind == PHX_REQ_DIGEST)
		serve_digest(w, seq);
	else if (w->dump.kind == PHX_REQ_CLEAR)
		serve_clear(w, pol, seq, now);
	else
		serve_dump(w, seq);
}

int
phx_dp_worker_loop(void *arg)
{
	struct phx_worker *w = arg;
	struct phx_dp *dp = w->dp;
	struct rte_mbuf *pkts[PHX_BURST];
	unsigned idle = 0, p;
	struct phx_idle_sleep isl;

	phx_idle_sleep_init(&isl, dp->cfg->dataplane.idle_sleep_us);
	rcu_register_thread();
	w->icmp_last_tsc = rte_rdtsc();
	w->icmp_tokens = dp->icmp_burst;
	while (!__atomic_load_n(&dp->stop, __ATOMIC_RELAXED)) {
		uint64_t now = rte_rdtsc();
		unsigned got = 0, msgs, n;

		/* Liveness for control (the Workers critical device), and
		 * the sign that the last loop's bursts are over: ordered
		 * before this loop reads the forwarding gate (a store then a
		 * load of another variable needs a full fence; cluster.c
		 * pairs it with one after clearing the gate). One per loop,
		 * not per packet. */
		__atomic_store_n(&w->hb.n, w->hb.n + 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);

		/* Once per loop (bursts read the gate again themselves):
		 * may housekeeping's session changes be synced, and the
		 * lifetime refresh epoch (dp_api.h). */
		w->emit = __atomic_load_n(&dp->fwd, __ATOMIC_ACQUIRE) != 0;
		w->epoch = (uint8_t)(now / dp->refresh_tsc);

		/* One policy for the whole loop iteration (QSBR: valid until
		 * our quiescent state below). */
		w->pol = rcu_dereference(dp->policy);
		if (unlikely(w->pol->gen != w->hits_gen)) {
			memset(w->hits, 0, sizeof(w->hits));
			w->hits_gen = w->pol->gen;
		}
		for (p = 0; p < dp->nb_ports; p++) {
			if (dp->ports[p].vlan != 0)
				continue; /* arrives on its parent */
			n = rte_eth_rx_burst(dp->ports[p].port_id, w->queue,
					     pkts, PHX_BURST);
			if (n == 0)
				continue;
			got += n;
			phx_dp_process_burst(w, (uint16_t)p, pkts,
					     (uint16_t)n, now);
		}
		/* Packets of our sessions that arrived on other workers
		 * (already counted as received there). */
		n = rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts,
					      PHX_BURST, NULL);
		for (p = 0; p < n; p++) {
			const struct phx_dp_mbuf_meta *mm =
				phx_dp_mbuf_meta(pkts[p]);

			w->stats.cnt[PHX_CNT_HANDOFF_RX]++;
			w->ho_kind = mm->kind;
			w->ho_from = mm->from;
			w->ho_cand = mm->dnat_cand;
			process(w, mm->port, &pkts[p], 1, now);
		}
		w->ho_kind = PHX_HO_NONE;
		got += n;
		if (w->idx == 0)
			drain_ctl_tx(w);
		/* Messages keep the worker awake (below) as packets do. */
		msgs = drain_msgs(w, w->pol, now);
		serve_req(w, w->pol, now);
		if (w->delay_head != w->delay_tail)
			delay_run(w, w->pol, now, DELAY_BUDGET);
		if (unlikely(w->purge_on))
			purge_run(w, w->pol, now);
		sweep(w, w->pol, now, got != 0 ? SWEEP_BUSY : SWEEP_IDLE);
		if (w->frag_tbl != NULL) {
			/* datagrams whose fragments stopped coming */
			rte_ip_frag_table_del_expired_entries(w->frag_tbl,
							      &w->frag_dr, now);
			frag_drops(w);
		}
		ev_flush(w);
		for (p = 0; p < dp->nb_ports; p++)
			tx_flush(w, p);
		rcu_quiescent_state();
		if (got != 0)
			w->stats.cnt[PHX_CNT_BUSY_TSC] += rte_rdtsc() - now;

		if (got != 0 || msgs != 0 || isl.base_us == 0) {
			idle = 0;
			phx_idle_sleep_reset(&isl);
			continue;
		}
		if (++idle < IDLE_LOOPS_BEFORE_SLEEP)
			continue;
		/* Shared machines only (idle_sleep_us > 0): give the core
		 * back, longer while nothing comes (lib/idle_sleep.h);
		 * offline so RCU writers need not wait for us. */
		w->stats.cnt[PHX_CNT_IDLE_SLEEPS]++;
		__atomic_store_n(&w->hb.idle, 1, __ATOMIC_RELEASE);
		rcu_thread_offline();
		usleep(phx_idle_sleep_next(&isl, phx_dp_idle_cap(dp)));
		rcu_thread_online();
		__atomic_store_n(&w->hb.idle, 0, __ATOMIC_RELEASE);
	}
	for (p = 0; p < dp->nb_ports; p++)
		tx_flush(w, p);
	rcu_unregister_thread();
	return 0;
}
