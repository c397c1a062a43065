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
 *         flags (FIN SYN RST PSH ACK URG; ECE/CWR ignored)
 *         with two of SYN/FIN/RST, none at all, URG with SYN
 *         or RST, or without ACK anything but a bare SYN or
 *         a bare RST ........................................ TCP_BAD_FLAGS
 *         SYN only: an option other than EOL/NOP without its
 *         length byte, length < 2, or running past doff*4 ... TCP_BAD_OPTIONS
 *   UDP:  l4_len < 8 ........................................ L4_TRUNCATED
 *         UDP length != l4_len .............................. UDP_BAD_LEN
 *   ICMP: l4_len < 8 ........................................ L4_TRUNCATED
 *         error types 3, 4, 5, 11, 12: fewer than 20 bytes
 *         after the ICMP header, quoted version != 4, quoted
 *         IHL < 5, or fewer than IHL*4 + 8 quoted bytes
 *         (all within l4_len) ............................... ICMP_BAD_QUOTE
 *   anything else: accepted as PHX_PKT_IPV4 (L3 fields only)
 *
 * l4_len is the IPv4 total length minus 20, never the frame length, so
 * Ethernet padding (frames padded to 60 bytes) is not mistaken for payload.
 * Consequence of the order: a frame cut short inside its TCP/UDP/ICMP
 * header with its IPv4 header intact reports IPV4_BAD_LEN (the IPv4 header
 * claims bytes that are missing); L4_TRUNCATED means the IPv4 packet
 * itself, by its own total length, is too short for its L4 header.
 *
 * TCP flags: a combination no stack sends is a scan or an attack on the
 * tracker (nmap NULL/FIN/XMAS probes, SYN+FIN OS fingerprinting), and
 * every later stage then sees one flag class per packet. The accepted set
 * is nf's tcp_valid_flags[] made stricter on segments without ACK: nf
 * allows SYN+URG and ignores PSH (so SYN+PSH and RST+PSH pass there);
 * here only a bare SYN and a bare RST go without ACK (RFC 9293 §3.10.7.1:
 * a RST answering a segment that carried an ACK has none itself). With
 * ACK, as in nf: at most one of SYN/FIN/RST, PSH anywhere, URG not on
 * SYN or RST. ECE and CWR take part in ECN negotiation on SYNs (RFC 3168
 * §6.1.1) and are ignored, as nf does.
 *
 * TCP options are walked on SYN and SYN/ACK only: the window scale is
 * the one option the tracker needs, and it is only valid there (RFC 7323
 * §2.2). A malformed option list on a SYN is dropped: no real stack sends
 * one, and receivers differ in how much of it they use (Linux keeps the
 * options before the fault), so the tracker could not know which window
 * scale the receiver took.
 * Known options with a wrong length are skipped, not dropped (Linux
 * tcp_parse_options() alike); a window scale above 14 is reported as 14
 * (RFC 7323 §2.3). On other segments the option bytes are not read.
 *
 * ICMP errors carry the start of the packet that caused them (RFC 792,
 * RFC 1812 §4.3.2.3): the tracker finds the session by that quote, so a
 * quote too short to name the flow is dropped rather than guessed at. The
 * quoted header is not checksummed or length-checked (routers quote
 * what they received, and RFC 1812 allows more than 8 bytes); a quoted
 * non-first fragment has no ports, so q_sport/q_dport are left 0. ICMP
 * query types (echo, timestamp, information, address mask; see
 * phx_icmp_is_query() in lib/flow_key.h) report their identifier in
 * sport, and for a quoted query in both q_sport and q_dport.
 *
 * Not checked here, by design: TCP/UDP/ICMP checksums (a forwarder leaves
 * them to the endpoints; NAT updates them incrementally), TCP options on
 * non-SYN segments, and subnet-directed broadcast destinations (only the
 * dataplane knows the connected subnets).
 *
 * Speed: straight-line code without tables on the common path. Options
 * are a drop, so the only IPv4 header length that reaches L4 is 20 and
 * the common checksum is five 32-bit loads; the rare IHL > 5 checksum
 * calls phx_csum_raw(). The TCP flag rule is one shift of a 64-bit
 * constant. The only loop is the TCP option walk, on SYNs only, bounded
 * by the 40 option bytes (each step consumes at least one). All
 * multi-byte loads are byte loads or memcpy: the IP header in an mbuf is
 * only 2-byte aligned and fuzzers pass arbitrary addresses.
 *
 * Meta for an accepted ARP frame: kind, flags, l3_off = 14, l3_len = 28,
 * src_ip/dst_ip = sender/target protocol address, arp_op. Fields that do
 * not apply to what was parsed are zero, except tcp_wscale, which is -1
 * on every TCP segment without the option (so on every non-SYN) and 0 on
 * everything that is not TCP.
 */
#include "lib/pkt_parse.h"

#include <string.h>

#include "lib/compiler.h"
#include "lib/flow_key.h"
#include "lib/inet.h"

static_assert(offsetof(struct phx_pkt_meta, dst_ip) ==
	      offsetof(struct phx_pkt_meta, src_ip) + 4,
	      "the addresses are copied as one 8-byte word, as on the wire");
static_assert(offsetof(struct phx_pkt_meta, dport) ==
	      offsetof(struct phx_pkt_meta, sport) + 2,
	      "the ports are copied as one 4-byte word, as on the wire");

/* Pre-802.1ad vendor QinQ outer tag (Cisco/Juniper "9100"); not in
 * lib/inet.h because only the parser needs to recognise it. */
#define ETHER_TYPE_QINQ_9100 0x9100

#define ARP_HTYPE_ETHER   1      /* RFC 826 ar$hrd, IANA hardware type 1 */
#define ARP_OP_REQUEST    1
#define ARP_OP_REPLY      2

#define IPV4_F_DF         0x4000 /* RFC 791: Don't Fragment */
#define IPV4_F_MF         0x2000 /* RFC 791: More Fragments */
#define IPV4_OFF_MASK     0x1fff /* RFC 791: fragment offset, 8-byte units */

/* ICMP error types that quote the offending packet: destination
 * unreachable 3, source quench 4, redirect 5 (RFC 792), time exceeded 11,
 * parameter problem 12 (RFC 792, RFC 1812 §4.3.2.3). */
#define ICMP_ERROR_TYPES  (1u << 3 | 1u << 4 | 1u << 5 | 1u << 11 | 1u << 12)
#define ICMP_QUOTE_MIN_L4 8      /* RFC 792: at least 64 bits of the data */

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

/*
 * Valid values of flags & 0x3f, as a 64-bit set (one shift and a test per
 * segment): a bare SYN, a bare RST, and with ACK at most one of
 * SYN/FIN/RST, with or without PSH, URG only on plain and FIN segments.
 */
#define TCPF_BIT(f)       (1ull << (f))
#define TCPF_ACK_P(x)     (TCPF_BIT(TH_ACK | (x)) |                       \
			   TCPF_BIT(TH_ACK | TH_PSH | (x)))
#define TCPF_ACK_PU(x)    (TCPF_ACK_P(x) | TCPF_ACK_P(TH_URG | (x)))
#define TCPF_VALID        (TCPF_BIT(TH_SYN) | TCPF_BIT(TH_RST) |          \
			   TCPF_ACK_PU(0) | TCPF_ACK_PU(TH_FIN) |         \
			   TCPF_ACK_P(TH_SYN) | TCPF_ACK_P(TH_RST))

#define TCPOPT_EOL        0      /* RFC 9293 §3.2 */
#define TCPOPT_NOP        1
#define TCPOPT_WSCALE     3      /* RFC 7323 §2.2: kind 3, length 3 */
#define TCPOLEN_WSCALE    3
#define TCP_WSCALE_MAX    14     /* RFC 7323 §2.3 */

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

/* Big-endian 32-bit field as a host value. */
static inline uint32_t
ld_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
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

/*
 * Options of a SYN: opt[0..n), n <= 40 (data offset 15 at most). Fills
 * m->tcp_wscale when a well-formed window scale option is present.
 */
static enum phx_drop_reason
tcp_syn_options(const uint8_t *opt, uint32_t n, struct phx_pkt_meta *m)
{
	uint32_t i = 0, olen;

	while (i < n) {
		if (opt[i] == TCPOPT_EOL)
			break;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (PHX_UNLIKELY(n - i < 2))
			return PHX_DROP_TCP_BAD_OPTIONS;
		olen = opt[i + 1];
		if (PHX_UNLIKELY(olen < 2 || olen > n - i))
			return PHX_DROP_TCP_BAD_OPTIONS;
		if (opt[i] == TCPOPT_WSCALE && olen == TCPOLEN_WSCALE)
			m->tcp_wscale = (int8_t)(opt[i + 2] > TCP_WSCALE_MAX ?
						 TCP_WSCALE_MAX : opt[i + 2]);
		i += olen;
	}
	return PHX_DROP_NONE;
}

/*
 * The packet an ICMP error quotes: l4[8..l4_len) holds its IPv4 header
 * and at least 8 bytes after it. Rare (errors only), so not inlined.
 */
static enum phx_drop_reason
parse_icmp_quote(const uint8_t *l4, uint32_t l4_len, struct phx_pkt_meta *m)
{
	const uint8_t *q = l4 + PHX_ICMP_HDR_LEN, *ql4;
	uint32_t qlen = l4_len - PHX_ICMP_HDR_LEN, qhlen;

	if (qlen < PHX_IPV4_HDR_LEN || (q[0] >> 4) != 4)
		return PHX_DROP_ICMP_BAD_QUOTE;
	qhlen = (uint32_t)(q[0] & 0x0f) * 4;
	if (qhlen < PHX_IPV4_HDR_LEN || qlen < qhlen + ICMP_QUOTE_MIN_L4)
		return PHX_DROP_ICMP_BAD_QUOTE;

	m->flags |= PHX_PKT_F_ICMP_ERR;
	m->q_off = (uint16_t)(m->l4_off + PHX_ICMP_HDR_LEN);
	m->q_proto = q[9];
	m->q_src_ip = ld_n32(q + 12);
	m->q_dst_ip = ld_n32(q + 16);
	if (ld_be16(q + 6) & IPV4_OFF_MASK)
		return PHX_DROP_NONE;           /* no L4 header quoted */
	ql4 = q + qhlen;
	switch (q[9]) {
	case PHX_IPPROTO_TCP:
	case PHX_IPPROTO_UDP:
		m->q_sport = ld_n16(ql4);
		m->q_dport = ld_n16(ql4 + 2);
		break;
	case PHX_IPPROTO_ICMP:
		if (phx_icmp_is_query(ql4[0])) {
			m->q_sport = ld_n16(ql4 + 4);
			m->q_dport = m->q_sport;
		}
		break;
	default:
		break;
	}
	return PHX_DROP_NONE;
}

/* L4 of an option-less, unfragmented IPv4 packet; l4_len from the IPv4
 * total length, already known to lie within the frame. */
static inline enum phx_drop_reason
parse_l4(const uint8_t *l4, uint32_t l4_len, struct phx_pkt_meta *m)
{
	uint32_t doff;
	uint8_t th;

	switch (m->proto) {
	case PHX_IPPROTO_TCP:
		if (PHX_UNLIKELY(l4_len < PHX_TCP_HDR_LEN))
			return PHX_DROP_L4_TRUNCATED;
		doff = (uint32_t)(l4[12] >> 4) * 4;
		if (PHX_UNLIKELY(doff < PHX_TCP_HDR_LEN || doff > l4_len))
			return PHX_DROP_TCP_BAD_DOFF;
		th = l4[13];
		if (PHX_UNLIKELY(!((TCPF_VALID >> (th & 0x3f)) & 1)))
			return PHX_DROP_TCP_BAD_FLAGS;
		memcpy(&m->sport, l4, 4); /* both ports; see the addresses */
		m->tcp_flags = th;
		m->tcp_seq = ld_be32(l4 + 4);
		m->tcp_ack = ld_be32(l4 + 8);
		m->tcp_win = ld_be16(l4 + 14);
		m->l4_hlen = (uint8_t)doff;
		m->tcp_wscale = -1;
		if ((th & TH_SYN) && doff > PHX_TCP_HDR_LEN)
			return tcp_syn_options(l4 + PHX_TCP_HDR_LEN,
					       doff - PHX_TCP_HDR_LEN, m);
		break;
	case PHX_IPPROTO_UDP:
		if (PHX_UNLIKELY(l4_len < PHX_UDP_HDR_LEN))
			return PHX_DROP_L4_TRUNCATED;
		/* Equal to l4_len (>= 8) also rules out a length below 8. */
		if (PHX_UNLIKELY(ld_be16(l4 + 4) != l4_len))
			return PHX_DROP_UDP_BAD_LEN;
		memcpy(&m->sport, l4, 4);
		m->l4_hlen = PHX_UDP_HDR_LEN;
		break;
	case PHX_IPPROTO_ICMP:
		if (PHX_UNLIKELY(l4_len < PHX_ICMP_HDR_LEN))
			return PHX_DROP_L4_TRUNCATED;
		m->icmp_type = l4[0];
		m->icmp_code = l4[1];
		m->l4_hlen = PHX_ICMP_HDR_LEN;
		/* The query identifier plays the port's role for tracking
		 * and NAT (RFC 792, RFC 950: bytes 4-5 of every query and
		 * reply). */
		if (phx_icmp_is_query(l4[0]))
			m->sport = ld_n16(l4 + 4);
		else if (l4[0] < 32 && ((ICMP_ERROR_TYPES >> l4[0]) & 1))
			return parse_icmp_quote(l4, l4_len, m);
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
	/* Both addresses in one store: the worker reads them back as one
	 * 8-byte word, which two 4-byte stores could not forward to it (a
	 * stall on every packet: measured, docs/performance.md). */
	memcpy(&m->src_ip, ip + 12, 8);
	return parse_l4(ip + PHX_IPV4_HDR_LEN, tot - PHX_IPV4_HDR_LEN, m);
}
