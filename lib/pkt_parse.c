/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet frame parser: validates one frame and fills struct phx_pkt_meta
 * so nothing downstream touches raw header bytes again (pf pf_setup_pdesc;
 * STYLE 2 "parse once"). Runs once per received packet on the workers.
 *
 * Checks, in header order; the first failure is the frame's only reason:
 *
 *   len < 14 ................................................ L2_TRUNCATED
 *   EtherType 8100 | 88a8 | 9100 ............................ VLAN_TAGGED
 *   EtherType 86dd .......................................... IPV6
 *   EtherType 0806: len < 14+28, htype != 1, ptype != 0800,
 *                   hlen != 6, plen != 4, op not 1|2 ........ ARP_MALFORMED
 *                   else accepted as PHX_PKT_ARP
 *   EtherType != 0800 ....................................... ETHERTYPE
 *   len - 14 < 20 ........................................... IPV4_TRUNCATED
 *   version != 4 ............................................ IPV4_BAD_VERSION
 *   IHL < 5 ................................................. IPV4_BAD_IHL
 *   len - 14 < IHL*4 ........................................ IPV4_TRUNCATED
 *   total length < IHL*4 or > len - 14 ...................... IPV4_BAD_LEN
 *   header checksum (skipped with PHX_PARSE_F_L3_CSUM_OK) ... IPV4_BAD_CSUM
 *   IHL > 5 ................................................. IPV4_OPTIONS
 *   MF set or fragment offset != 0 .......................... IPV4_FRAGMENT
 *   source 0/8, 127/8, 224/4, 240/4 (255.255.255.255) ....... IPV4_MARTIAN_SRC
 *   destination 0/8, 127/8, 224/4, 240/4 .................... IPV4_MARTIAN_DST
 *   TCP:  l4_len < 20 ....................................... L4_TRUNCATED
 *         data offset < 5 or doff*4 > l4_len ................ TCP_BAD_DOFF
 *   UDP:  l4_len < 8 ........................................ L4_TRUNCATED
 *         UDP length != l4_len .............................. UDP_BAD_LEN
 *   ICMP: l4_len < 8 ........................................ L4_TRUNCATED
 *   anything else: accepted as PHX_PKT_IPV4 (L3 fields only)
 *
 * l4_len is the IPv4 total length minus 20, never the frame length, so
 * Ethernet padding (frames padded to 60 bytes) is not mistaken for payload.
 * Consequence of the order: a frame cut short inside its TCP/UDP/ICMP
 * header with its IPv4 header intact reports IPV4_BAD_LEN (the IPv4 header
 * claims bytes that are missing); L4_TRUNCATED means the IPv4 packet
 * itself, by its own total length, is too short for its L4 header.
 *
 * Not checked here, by design: TCP/UDP/ICMP checksums (a forwarder leaves
 * them to the endpoints; NAT updates them incrementally), TCP flag
 * combinations (the tracker's job), and subnet-directed broadcast
 * destinations (only the dataplane knows the connected subnets).
 *
 * Speed: straight-line code, no loops, no tables. Options are a drop, so
 * the only header length that reaches L4 is 20 and the common checksum is
 * five 32-bit loads; the rare IHL > 5 checksum calls phx_csum_raw(). All
 * multi-byte loads are byte loads or memcpy: the IP header in an mbuf is
 * only 2-byte aligned and fuzzers pass arbitrary addresses.
 *
 * Meta for an accepted ARP frame: kind, flags, l3_off = 14, l3_len = 28,
 * src_ip/dst_ip = sender/target protocol address, arp_op. Fields that do
 * not apply to what was parsed are zero.
 */
#include "lib/pkt_parse.h"

#include <string.h>

#include "lib/compiler.h"
#include "lib/inet.h"

/* Pre-802.1ad vendor QinQ outer tag (Cisco/Juniper "9100"); not in
 * lib/inet.h because only the parser needs to recognise it. */
#define ETHER_TYPE_QINQ_9100 0x9100

#define ARP_HTYPE_ETHER   1      /* RFC 826 ar$hrd, IANA hardware type 1 */
#define ARP_OP_REQUEST    1
#define ARP_OP_REPLY      2

#define IPV4_F_DF         0x4000 /* RFC 791: Don't Fragment */
#define IPV4_F_MF         0x2000 /* RFC 791: More Fragments */
#define IPV4_OFF_MASK     0x1fff /* RFC 791: fragment offset, 8-byte units */

#define ICMP_ECHO_REPLY   0      /* RFC 792 */
#define ICMP_ECHO_REQUEST 8

/* Big-endian 16-bit field as a host value. */
static inline uint16_t
ld_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

/* 16- and 32-bit fields kept in network order, any alignment. */
static inline uint16_t
ld_n16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t
ld_n32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* 0/8 ("this network", RFC 1122 §3.2.1.3 may only be a source while
 * booting, never forwarded), 127/8 (loopback), 224/4 (multicast, not
 * routed by us) and 240/4 (reserved, including the limited broadcast). */
static inline int
ipv4_martian(uint8_t first_octet)
{
	return first_octet == 0 || first_octet == 127 || first_octet >= 224;
}

/* RFC 1071 sum of a 20-byte header including its checksum field: 0xffff
 * when the checksum is right. Same arithmetic as lib/inet.c, unrolled. */
static inline uint16_t
ipv4_sum20(const uint8_t *ip)
{
	uint32_t w0, w1, w2, w3, w4;
	uint64_t s;

	/* Five scalar loads straight from the frame: one 20-byte memcpy into
	 * an array becomes a vector store plus scalar reloads from the stack,
	 * which stall store forwarding (measured: a quarter of this
	 * function's cycles). */
	memcpy(&w0, ip, 4);
	memcpy(&w1, ip + 4, 4);
	memcpy(&w2, ip + 8, 4);
	memcpy(&w3, ip + 12, 4);
	memcpy(&w4, ip + 16, 4);
	s = (uint64_t)w0 + w1 + w2 + w3 + w4; /* < 2^35 */
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline enum phx_drop_reason
parse_arp(const uint8_t *f, uint32_t len, struct phx_pkt_meta *m)
{
	const uint8_t *a = f + PHX_ETHER_HDR_LEN;
	uint16_t op;

	if (len < PHX_ETHER_HDR_LEN + PHX_ARP_LEN)
		return PHX_DROP_ARP_MALFORMED;
	/* RFC 826 layout: hrd(2) pro(2) hln(1) pln(1) op(2) sha(6) spa(4)
	 * tha(6) tpa(4). RFC 5227 probes and announcements are requests. */
	op = ld_be16(a + 6);
	if (ld_be16(a) != ARP_HTYPE_ETHER ||
	    ld_be16(a + 2) != PHX_ETHER_TYPE_IPV4 ||
	    a[4] != 6 || a[5] != 4 ||
	    (op != ARP_OP_REQUEST && op != ARP_OP_REPLY))
		return PHX_DROP_ARP_MALFORMED;

	m->kind = PHX_PKT_ARP;
	m->l3_len = PHX_ARP_LEN;
	m->src_ip = ld_n32(a + 14);
	m->dst_ip = ld_n32(a + 24);
	m->arp_op = (uint8_t)op;
	return PHX_DROP_NONE;
}

/* L4 of an option-less, unfragmented IPv4 packet; l4_len from the IPv4
 * total length, already known to lie within the frame. */
static inline enum phx_drop_reason
parse_l4(const uint8_t *l4, uint32_t l4_len, struct phx_pkt_meta *m)
{
	uint32_t doff;

	switch (m->proto) {
	case PHX_IPPROTO_TCP:
		if (PHX_UNLIKELY(l4_len < PHX_TCP_HDR_LEN))
			return PHX_DROP_L4_TRUNCATED;
		doff = (uint32_t)(l4[12] >> 4) * 4;
		if (PHX_UNLIKELY(doff < PHX_TCP_HDR_LEN || doff > l4_len))
			return PHX_DROP_TCP_BAD_DOFF;
		m->sport = ld_n16(l4);
		m->dport = ld_n16(l4 + 2);
		m->tcp_flags = l4[13];
		break;
	case PHX_IPPROTO_UDP:
		if (PHX_UNLIKELY(l4_len < PHX_UDP_HDR_LEN))
			return PHX_DROP_L4_TRUNCATED;
		/* Equal to l4_len (>= 8) also rules out a length below 8. */
		if (PHX_UNLIKELY(ld_be16(l4 + 4) != l4_len))
			return PHX_DROP_UDP_BAD_LEN;
		m->sport = ld_n16(l4);
		m->dport = ld_n16(l4 + 2);
		break;
	case PHX_IPPROTO_ICMP:
		if (PHX_UNLIKELY(l4_len < PHX_ICMP_HDR_LEN))
			return PHX_DROP_L4_TRUNCATED;
		m->icmp_type = l4[0];
		m->icmp_code = l4[1];
		/* The echo identifier plays the port's role for tracking and
		 * NAT (RFC 792: id at bytes 4-5 of echo and echo reply). */
		if (l4[0] == ICMP_ECHO_REQUEST || l4[0] == ICMP_ECHO_REPLY)
			m->sport = ld_n16(l4 + 4);
		break;
	default:
		break;
	}
	return PHX_DROP_NONE;
}

enum phx_drop_reason
phx_pkt_parse(const uint8_t *f, uint32_t len, unsigned flags,
	      struct phx_pkt_meta *m)
{
	const uint8_t *ip;
	uint32_t avail, hlen, tot;
	uint32_t dst_hi;
	uint16_t type, dst_lo, frag;

	*m = (struct phx_pkt_meta){ 0 };
	if (PHX_UNLIKELY(len < PHX_ETHER_HDR_LEN))
		return PHX_DROP_L2_TRUNCATED;

	/* I/G bit: least significant bit of the first octet (IEEE 802). */
	if (f[0] & 0x01) {
		memcpy(&dst_hi, f, sizeof(dst_hi));
		memcpy(&dst_lo, f + 4, sizeof(dst_lo));
		m->flags = (dst_hi == 0xffffffffu && dst_lo == 0xffff) ?
			PHX_PKT_F_L2_BCAST : PHX_PKT_F_L2_MCAST;
	}
	m->l3_off = PHX_ETHER_HDR_LEN;

	type = ld_be16(f + 12);
	if (PHX_UNLIKELY(type != PHX_ETHER_TYPE_IPV4)) {
		switch (type) {
		case PHX_ETHER_TYPE_VLAN:
		case PHX_ETHER_TYPE_QINQ:
		case ETHER_TYPE_QINQ_9100:
			return PHX_DROP_VLAN_TAGGED;
		case PHX_ETHER_TYPE_IPV6:
			return PHX_DROP_IPV6;
		case PHX_ETHER_TYPE_ARP:
			return parse_arp(f, len, m);
		default:
			return PHX_DROP_ETHERTYPE;
		}
	}

	ip = f + PHX_ETHER_HDR_LEN;
	avail = len - PHX_ETHER_HDR_LEN;
	if (PHX_UNLIKELY(avail < PHX_IPV4_HDR_LEN))
		return PHX_DROP_IPV4_TRUNCATED;
	if (PHX_UNLIKELY((ip[0] >> 4) != 4))
		return PHX_DROP_IPV4_BAD_VERSION;
	hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	if (PHX_UNLIKELY(hlen < PHX_IPV4_HDR_LEN))
		return PHX_DROP_IPV4_BAD_IHL;
	if (PHX_UNLIKELY(avail < hlen))
		return PHX_DROP_IPV4_TRUNCATED;
	tot = ld_be16(ip + 2);
	if (PHX_UNLIKELY(tot < hlen || tot > avail))
		return PHX_DROP_IPV4_BAD_LEN;
	if (!(flags & PHX_PARSE_F_L3_CSUM_OK)) {
		uint16_t sum = hlen == PHX_IPV4_HDR_LEN ?
			ipv4_sum20(ip) : phx_csum_raw(ip, hlen);

		/* Both encodings of zero (0x0000 / 0xffff) in the field
		 * verify, as with every RFC 1071 receiver. */
		if (PHX_UNLIKELY(sum != 0xffff))
			return PHX_DROP_IPV4_BAD_CSUM;
	}
	if (PHX_UNLIKELY(hlen != PHX_IPV4_HDR_LEN))
		return PHX_DROP_IPV4_OPTIONS;
	/* The reserved ("evil", RFC 3514) bit is ignored, as routers do. */
	frag = ld_be16(ip + 6);
	if (PHX_UNLIKELY(frag & (IPV4_F_MF | IPV4_OFF_MASK)))
		return PHX_DROP_IPV4_FRAGMENT;
	if (PHX_UNLIKELY(ipv4_martian(ip[12])))
		return PHX_DROP_IPV4_MARTIAN_SRC;
	if (PHX_UNLIKELY(ipv4_martian(ip[16])))
		return PHX_DROP_IPV4_MARTIAN_DST;

	m->kind = PHX_PKT_IPV4;
	if (frag & IPV4_F_DF)
		m->flags |= PHX_PKT_F_IPV4_DF;
	m->proto = ip[9];
	m->ttl = ip[8];
	m->l4_off = PHX_ETHER_HDR_LEN + PHX_IPV4_HDR_LEN;
	m->l3_len = (uint16_t)tot;
	m->l4_len = (uint16_t)(tot - PHX_IPV4_HDR_LEN);
	m->src_ip = ld_n32(ip + 12);
	m->dst_ip = ld_n32(ip + 16);
	return parse_l4(ip + PHX_IPV4_HDR_LEN, tot - PHX_IPV4_HDR_LEN, m);
}
