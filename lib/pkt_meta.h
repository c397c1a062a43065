/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet descriptor filled once by lib/pkt_parse and read by everything
 * downstream (pf struct pf_pdesc; STYLE 2 "parse once"). Offsets are from
 * the start of the frame; addresses and ports stay in network byte order
 * so the forwarding path never swaps them, except where noted.
 */
#ifndef PHX_LIB_PKT_META_H
#define PHX_LIB_PKT_META_H

#include <stdint.h>

enum phx_pkt_kind {
	PHX_PKT_IPV4 = 0, /* validated IPv4 header; l4 fields valid when
			   * proto is TCP/UDP/ICMP */
	PHX_PKT_ARP = 1,  /* validated Ethernet/IPv4 ARP */
};

/* flags */
#define PHX_PKT_F_L2_BCAST  0x01 /* destination MAC ff:ff:ff:ff:ff:ff */
#define PHX_PKT_F_L2_MCAST  0x02 /* destination MAC group bit set (not bcast) */
#define PHX_PKT_F_IPV4_DF   0x04 /* Don't Fragment set */
#define PHX_PKT_F_ICMP_ERR  0x08 /* ICMP error (types 3, 4, 5, 11, 12) whose
				  * quote was parsed into the q_* fields */

struct phx_pkt_meta {
	uint8_t kind;        /* enum phx_pkt_kind */
	uint8_t flags;       /* PHX_PKT_F_* */
	uint8_t proto;       /* IPv4 protocol number */
	uint8_t ttl;         /* IPv4 TTL */
	uint16_t l3_off;     /* bytes: offset of the IPv4 / ARP header (14) */
	uint16_t l4_off;     /* bytes: offset of the L4 header (IPv4 only) */
	uint16_t l3_len;     /* bytes: IPv4 total length (trailing L2 padding excluded) */
	uint16_t l4_len;     /* bytes: l3_len - IHL*4 */
	uint32_t src_ip;     /* network order: IPv4 source / ARP sender IP */
	uint32_t dst_ip;     /* network order: IPv4 destination / ARP target IP */
	uint16_t sport;      /* network order: TCP/UDP source port, ICMP echo id */
	uint16_t dport;      /* network order: TCP/UDP destination port */
	uint8_t tcp_flags;   /* TCP flags byte (FIN 0x01 ... CWR 0x80) */
	uint8_t icmp_type;   /* ICMP type (proto 1 only) */
	uint8_t icmp_code;   /* ICMP code (proto 1 only) */
	uint8_t arp_op;      /* ARP operation, host order: 1 request, 2 reply */
	/* TCP (proto 6) */
	uint32_t tcp_seq;    /* host order */
	uint32_t tcp_ack;    /* host order */
	uint16_t tcp_win;    /* host order, unscaled */
	int8_t tcp_wscale;   /* window scale option (SYN only), -1 if absent */
	uint8_t l4_hlen;     /* bytes: TCP data offset * 4, UDP 8, ICMP 8 */
	/* ICMP error quote (PHX_PKT_F_ICMP_ERR): the packet that caused it */
	uint16_t q_off;      /* bytes: offset of the quoted IPv4 header */
	uint8_t q_proto;     /* its protocol */
	uint8_t q_pad;
	uint32_t q_src_ip;   /* network order */
	uint32_t q_dst_ip;   /* network order */
	uint16_t q_sport;    /* network order; ICMP query: identifier */
	uint16_t q_dport;    /* network order; ICMP query: identifier */
};

#endif /* PHX_LIB_PKT_META_H */
