/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet protocol constants and checksum arithmetic without DPDK, for the
 * parser and for unit tests. The dataplane uses DPDK's rte_ip.h helpers;
 * these give the same results (RFC 1071, RFC 1624).
 */
#ifndef PHX_LIB_INET_H
#define PHX_LIB_INET_H

#include <stdint.h>

#define PHX_ETHER_HDR_LEN   14
#define PHX_ETHER_TYPE_IPV4 0x0800
#define PHX_ETHER_TYPE_ARP  0x0806
#define PHX_ETHER_TYPE_VLAN 0x8100
#define PHX_ETHER_TYPE_QINQ 0x88A8
#define PHX_ETHER_TYPE_IPV6 0x86DD
#define PHX_ARP_LEN         28
#define PHX_IPV4_HDR_LEN    20
#define PHX_TCP_HDR_LEN     20
#define PHX_UDP_HDR_LEN     8
#define PHX_ICMP_HDR_LEN    8
#define PHX_IPPROTO_ICMP    1
#define PHX_IPPROTO_TCP     6
#define PHX_IPPROTO_UDP     17

/* One's-complement sum of buf[0..len) folded to 16 bits, not inverted. */
uint16_t phx_csum_raw(const void *buf, uint32_t len);
/* IPv4 header checksum field value for hdr[0..hlen) whose checksum field
 * is treated as zero. */
uint16_t phx_csum_ipv4_hdr(const void *hdr, uint32_t hlen);
/*
 * RFC 1624 eqn. 3: new checksum when one 16-bit word changes from old_w to
 * new_w. All three values in the same byte order (either).
 */
static inline uint16_t
phx_csum_update16(uint16_t csum, uint16_t old_w, uint16_t new_w)
{
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Where eqn. 2 gives
	 * 0xffff ("negative zero") this gives 0x0000, as a full recompute
	 * does (RFC 1624 section 4 example, tested in check_inet.c).
	 * Inline: it runs once per forwarded packet. */
	uint32_t sum = (uint32_t)(uint16_t)~csum + (uint16_t)~old_w + new_w;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif /* PHX_LIB_INET_H */
