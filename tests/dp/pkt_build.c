/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "tests/dp/pkt_build.h"

struct rte_mbuf *
tb_ipv4(struct rte_mempool *mp, const struct tb_ip *p)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t l4h = p->proto == IPPROTO_TCP ? 20 : 8;
	uint16_t iplen = (uint16_t)(20 + l4h + p->payload);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			(uint16_t)(sizeof(*eth) + iplen));
	memset(eth, 0, sizeof(*eth) + iplen);
	eth->dst_addr = p->dst_mac;
	eth->src_addr = p->src_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(iplen);
	ip->fragment_offset = rte_cpu_to_be_16(p->frag);
	ip->time_to_live = p->ttl ? p->ttl : 64;
	ip->next_proto_id = p->proto;
	ip->src_addr = rte_cpu_to_be_32(p->src);
	ip->dst_addr = rte_cpu_to_be_32(p->dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	l4 = (uint8_t *)(ip + 1);
	for (uint16_t i = 0; i < p->payload; i++)
		l4[l4h + i] = p->data ? ((const uint8_t *)p->data)[i] :
					(uint8_t)i;
	if (p->proto == IPPROTO_ICMP) {
		struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)l4;

		ic->icmp_type = p->icmp_type;
		ic->icmp_code = p->icmp_code;
		ic->icmp_ident = rte_cpu_to_be_16(p->sport);
		ic->icmp_seq_nb = rte_cpu_to_be_16(1);
		ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 8u + p->payload);
	} else if (p->proto == IPPROTO_UDP) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

		u->src_port = rte_cpu_to_be_16(p->sport);
		u->dst_port = rte_cpu_to_be_16(p->dport);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + p->payload));
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	} else if (p->proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4;

		t->src_port = rte_cpu_to_be_16(p->sport);
		t->dst_port = rte_cpu_to_be_16(p->dport);
		t->data_off = 5 << 4;
		t->tcp_flags = p->tcp_flags ? p->tcp_flags : RTE_TCP_SYN_FLAG;
		t->sent_seq = rte_cpu_to_be_32(p->seq);
		t->recv_ack = rte_cpu_to_be_32(p->ack);
		t->rx_win = rte_cpu_to_be_16(65535);
		t->cksum = rte_ipv4_udptcp_cksum(ip, t);
	}
	return m;
}

struct rte_mbuf *
tb_arp(struct rte_mempool *mp, uint16_t op, const struct rte_ether_addr *sha,
       uint32_t sip, const struct rte_ether_addr *tha, uint32_t tip,
       const struct rte_ether_addr *eth_dst)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *a;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 60);
	memset(eth, 0, 60);
	eth->dst_addr = *eth_dst;
	eth->src_addr = *sha;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	a = (struct rte_arp_hdr *)(eth + 1);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = *sha;
	a->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	a->arp_data.arp_tha = *tha;
	a->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return m;
}

void
tb_udp_bytes(uint8_t *l4, uint16_t len, uint16_t sport, uint16_t dport)
{
	uint16_t i;

	for (i = 8; i < len; i++)
		l4[i] = (uint8_t)(i * 7 + 3);
	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	l4[4] = (uint8_t)(len >> 8);
	l4[5] = (uint8_t)len;
	l4[6] = 0;
	l4[7] = 0;
}

struct rte_mbuf *
tb_frag(struct rte_mempool *mp, const struct tb_ip *p, const uint8_t *l4,
	uint16_t off, uint16_t len, int mf, uint16_t id)
{
	uint8_t f[14 + 20 + 1480];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

	if (len > 1480)
		return NULL;
	memset(f, 0, 34);
	eth->dst_addr = p->dst_mac;
	eth->src_addr = p->src_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + len));
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->fragment_offset = rte_cpu_to_be_16((uint16_t)((mf ? 0x2000 : 0) |
							   off / 8));
	ip->time_to_live = p->ttl ? p->ttl : 64;
	ip->next_proto_id = p->proto;
	ip->src_addr = rte_cpu_to_be_32(p->src);
	ip->dst_addr = rte_cpu_to_be_32(p->dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memcpy(ip + 1, l4 + off, len);
	return tb_raw(mp, f, (uint16_t)(14 + 20 + len));
}

struct rte_mbuf *
tb_raw(struct rte_mempool *mp, const void *buf, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m == NULL)
		return NULL;
	if (len)
		memcpy(rte_pktmbuf_append(m, len), buf, len);
	return m;
}

int
tb_csum_ok(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	uint16_t iplen = rte_be_to_cpu_16(ip->total_length);

	if (rte_ipv4_cksum(ip) != ip->hdr_checksum &&
	    rte_raw_cksum(ip, 20) != 0xffff)
		return 0;
	if (ip->next_proto_id == IPPROTO_ICMP)
		return rte_raw_cksum(ip + 1, iplen - 20u) == 0xffff;
	if (ip->next_proto_id == IPPROTO_UDP &&
	    ((struct rte_udp_hdr *)(ip + 1))->dgram_cksum == 0)
		return 1; /* no checksum */
	if (ip->next_proto_id == IPPROTO_UDP || ip->next_proto_id == IPPROTO_TCP) {
		/* pseudo-header + segment, folded: 0xffff when right */
		uint32_t sum = rte_ipv4_phdr_cksum(ip, 0) +
			       rte_raw_cksum(ip + 1, iplen - 20u);

		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		return sum == 0xffff;
	}
	return 1;
}
