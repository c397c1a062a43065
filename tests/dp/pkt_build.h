/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame builders for dataplane tests: Ethernet + ARP / IPv4 + ICMP/UDP/TCP
 * with correct checksums, written into mbufs from a test pool.
 */
#ifndef PHX_TEST_PKT_BUILD_H
#define PHX_TEST_PKT_BUILD_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

struct tb_ip {
	struct rte_ether_addr src_mac, dst_mac;
	uint32_t src, dst;        /* host order */
	uint8_t proto;            /* IPPROTO_ICMP/UDP/TCP */
	uint8_t ttl;
	uint16_t payload;         /* L4 payload bytes */
	uint16_t frag;            /* host-order fragment field (DF = 0x4000) */
	uint16_t sport, dport;    /* host order; ICMP: id in sport */
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t tcp_flags;        /* 0 = SYN */
	uint32_t seq, ack;        /* host order */
	const void *data;         /* payload bytes (NULL: a counting pattern) */
};

/* IPv4 frame; returns NULL when the pool is empty. */
struct rte_mbuf *tb_ipv4(struct rte_mempool *mp, const struct tb_ip *p);
/* ARP frame: op 1 request / 2 reply; eth_dst broadcast for requests. */
struct rte_mbuf *tb_arp(struct rte_mempool *mp, uint16_t op,
			const struct rte_ether_addr *sha, uint32_t sip,
			const struct rte_ether_addr *tha, uint32_t tip,
			const struct rte_ether_addr *eth_dst);
/* The L4 bytes of a UDP datagram of len bytes (header and a pattern;
 * checksum 0: none), to be sent in fragments. */
void tb_udp_bytes(uint8_t *l4, uint16_t len, uint16_t sport, uint16_t dport);
/* One IPv4 fragment of a datagram with p's addresses, MACs and protocol:
 * bytes [off, off + len) of l4 (off a multiple of 8, len <= 1480), more
 * fragments follow when mf, identification id. */
struct rte_mbuf *tb_frag(struct rte_mempool *mp, const struct tb_ip *p,
			 const uint8_t *l4, uint16_t off, uint16_t len,
			 int mf, uint16_t id);
/* Raw bytes as a frame. */
struct rte_mbuf *tb_raw(struct rte_mempool *mp, const void *buf, uint16_t len);
/* True if the IPv4 header checksum and the L4 checksum of m verify. */
int tb_csum_ok(struct rte_mbuf *m);

#endif
