/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT rewrite of one packet of a session, on the worker that owns it.
 * Checksums are updated incrementally (RFC 1624) for the IPv4 header and
 * the TCP/UDP pseudo-header and port; a UDP checksum of zero (none) stays
 * zero. ICMP errors about a NATed flow get their outer address and the
 * quoted packet translated (with its IPv4 and TCP/UDP checksums), and
 * their ICMP checksum recomputed (they are small).
 */
#ifndef PHX_DP_NAT_INLINE_H
#define PHX_DP_NAT_INLINE_H

#include <stddef.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/session.h"
#include "lib/inet.h"
#include "lib/pkt_meta.h"

static inline uint16_t
csum_update32(uint16_t csum, uint32_t old_v, uint32_t new_v)
{
	csum = phx_csum_update16(csum, (uint16_t)old_v, (uint16_t)new_v);
	return phx_csum_update16(csum, (uint16_t)(old_v >> 16),
				 (uint16_t)(new_v >> 16));
}

/* Pointer to the L4 checksum field that covers the pseudo-header, or NULL
 * (ICMP has none; a zero UDP checksum means "none"). */
static inline uint16_t *
l4_pseudo_csum(uint8_t *l4, uint8_t proto)
{
	if (proto == IPPROTO_TCP)
		return &((struct rte_tcp_hdr *)l4)->cksum;
	if (proto == IPPROTO_UDP) {
		uint16_t *c = &((struct rte_udp_hdr *)l4)->dgram_cksum;

		return *c != 0 ? c : NULL;
	}
	return NULL;
}

/* Rewrite the address at a (network order, in the frame: only 2-byte
 * aligned after a 14-byte Ethernet header, hence memcpy) to v, fixing the
 * IPv4 header and the L4 pseudo-header checksums. */
static inline void
nat_addr(struct rte_ipv4_hdr *ip, void *a, uint16_t *l4c, uint32_t v)
{
	uint32_t old;

	memcpy(&old, a, sizeof(old));
	ip->hdr_checksum = csum_update32(ip->hdr_checksum, old, v);
	if (l4c != NULL)
		*l4c = csum_update32(*l4c, old, v);
	memcpy(a, &v, sizeof(v));
}

static inline void
nat_port(uint16_t *p, uint16_t *l4c, uint16_t v)
{
	if (l4c != NULL)
		*l4c = phx_csum_update16(*l4c, *p, v);
	*p = v;
}

/* UDP: a checksum that becomes 0 must be sent as 0xffff (RFC 768). */
static inline void
nat_fix_udp_zero(uint8_t proto, uint16_t *l4c)
{
	if (proto == IPPROTO_UDP && l4c != NULL && *l4c == 0)
		*l4c = 0xffff;
}

/* ICMP query: the identifier is the "port"; the ICMP checksum has no
 * pseudo-header, so only the identifier word changes it. */
static inline void
nat_icmp_id(struct rte_icmp_hdr *ic, uint16_t v)
{
	ic->icmp_cksum = phx_csum_update16(ic->icmp_cksum, ic->icmp_ident, v);
	ic->icmp_ident = v;
}

/*
 * Translate packet m (parsed into pm) of session s travelling in dir.
 * Ports for TCP/UDP, the identifier for ICMP queries; other protocols
 * (and a source-NAT session without a port: nat_port 0) only the
 * address.
 */
static inline void
phx_nat_rewrite(struct rte_mbuf *m, const struct phx_pkt_meta *pm,
		const struct phx_sess *s, enum phx_dir dir)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, pm->l3_off);
	uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, pm->l4_off);
	uint16_t *l4c = l4_pseudo_csum(l4, pm->proto);
	bool icmp = pm->proto == IPPROTO_ICMP && s->nat_port != 0;
	uint16_t *sp = (uint16_t *)l4, *dp_ = (uint16_t *)l4 + 1;

	if (s->flags & PHX_SESS_F_SNAT) {
		if (dir == PHX_DIR_ORIG) {
			nat_addr(ip, &ip->src_addr, l4c, s->nat_ip);
			if (icmp)
				nat_icmp_id((struct rte_icmp_hdr *)l4, s->nat_port);
			else if (pm->proto == IPPROTO_TCP || pm->proto == IPPROTO_UDP)
				nat_port(sp, l4c, s->nat_port);
		} else {
			nat_addr(ip, &ip->dst_addr, l4c, s->key.src_ip);
			if (icmp)
				nat_icmp_id((struct rte_icmp_hdr *)l4, s->key.sport);
			else if (pm->proto == IPPROTO_TCP || pm->proto == IPPROTO_UDP)
				nat_port(dp_, l4c, s->key.sport);
		}
	} else if (s->flags & PHX_SESS_F_DNAT) {
		if (dir == PHX_DIR_ORIG) {
			nat_addr(ip, &ip->dst_addr, l4c, s->nat_ip);
			if (pm->proto == IPPROTO_TCP || pm->proto == IPPROTO_UDP)
				nat_port(dp_, l4c, s->nat_port);
		} else {
			nat_addr(ip, &ip->src_addr, l4c, s->key.dst_ip);
			if (pm->proto == IPPROTO_TCP || pm->proto == IPPROTO_UDP)
				nat_port(sp, l4c, s->key.dport);
		}
	}
	nat_fix_udp_zero(pm->proto, l4c);
}

/*
 * An ICMP error travelling in dir about session s: translate the outer
 * addresses as for a packet in dir, and the quoted packet (which travelled
 * the other way) back to how the receiver sent or saw it: its addresses,
 * port or echo identifier, and the checksums over them (the quoted IPv4
 * header's, and the quoted TCP/UDP checksum when the quote reaches it,
 * as Linux's nf_nat_icmp_reply_translation does: a traceroute may tell
 * its probes apart by it, a stack may check it). The ICMP checksum is
 * then recomputed over the whole message (errors are small).
 */
static inline void
phx_nat_rewrite_icmp_err(struct rte_mbuf *m, const struct phx_pkt_meta *pm,
			 const struct phx_sess *s, enum phx_dir dir)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, pm->l3_off);
	struct rte_icmp_hdr *ic = rte_pktmbuf_mtod_offset(m,
			struct rte_icmp_hdr *, pm->l4_off);
	struct rte_ipv4_hdr *q = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, pm->q_off);
	uint8_t *ql4 = (uint8_t *)q + rte_ipv4_hdr_len(q);
	/* quoted L4 bytes present (the parser checked there are 8) */
	size_t qn = (size_t)(pm->l4_off + pm->l4_len) -
		    (size_t)(pm->q_off + rte_ipv4_hdr_len(q));
	uint16_t *qports = (uint16_t *)ql4;
	bool qicmp = pm->q_proto == IPPROTO_ICMP && s->nat_port != 0;
	bool qports_ok = pm->q_proto == IPPROTO_TCP ||
			 pm->q_proto == IPPROTO_UDP;
	bool snat = s->flags & PHX_SESS_F_SNAT;
	uint16_t *qc = NULL;

	if (!(s->flags & (PHX_SESS_F_SNAT | PHX_SESS_F_DNAT)))
		return;
	if (pm->q_proto == IPPROTO_UDP ||
	    (pm->q_proto == IPPROTO_TCP &&
	     qn >= offsetof(struct rte_tcp_hdr, cksum) + sizeof(uint16_t)))
		qc = l4_pseudo_csum(ql4, pm->q_proto);
	if (snat && dir == PHX_DIR_REPLY) {
		/* to the inside host: outer dst and quoted src back */
		nat_addr(ip, &ip->dst_addr, NULL, s->key.src_ip);
		nat_addr(q, &q->src_addr, qc, s->key.src_ip);
		if (qicmp)    /* echo identifier */
			nat_icmp_id((struct rte_icmp_hdr *)ql4, s->key.sport);
		else if (qports_ok)
			nat_port(&qports[0], qc, s->key.sport);
	} else if (snat) {
		/* from the inside host: outer src and quoted dst translated */
		nat_addr(ip, &ip->src_addr, NULL, s->nat_ip);
		nat_addr(q, &q->dst_addr, qc, s->nat_ip);
		if (qicmp)
			nat_icmp_id((struct rte_icmp_hdr *)ql4, s->nat_port);
		else if (qports_ok)
			nat_port(&qports[1], qc, s->nat_port);
	} else if (dir == PHX_DIR_REPLY) {
		/* DNAT, from the server side: quoted dst back to the VIP */
		nat_addr(ip, &ip->src_addr, NULL, s->key.dst_ip);
		nat_addr(q, &q->dst_addr, qc, s->key.dst_ip);
		if (qports_ok)
			nat_port(&qports[1], qc, s->key.dport);
	} else {
		/* DNAT, from the client side: quoted src is the server */
		nat_addr(ip, &ip->dst_addr, NULL, s->nat_ip);
		nat_addr(q, &q->src_addr, qc, s->nat_ip);
		if (qports_ok)
			nat_port(&qports[0], qc, s->nat_port);
	}
	nat_fix_udp_zero(pm->q_proto, qc);
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, pm->l4_len);
}

#endif /* PHX_DP_NAT_INLINE_H */
