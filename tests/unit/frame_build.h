/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tiny frame builder for tests and corpus generators: Ethernet II carrying
 * ARP, or IPv4 carrying TCP/UDP/ICMP/anything, with every length and
 * checksum (IPv4 header, TCP/UDP pseudo-header, ICMP) computed, so a test
 * starts from a frame that is valid in every respect and breaks exactly the
 * one thing it is about. Writes bytes one at a time, independently of
 * lib/inet.c, so it can check that code rather than repeat it.
 *
 * Not for the dataplane: no mbufs, no DPDK. Any thread.
 */
#ifndef PHX_TESTS_FRAME_BUILD_H
#define PHX_TESTS_FRAME_BUILD_H

#include <stdint.h>

#define PHX_FB_MAX_FRAME 9018 /* jumbo 9000 + Ethernet header + slack */

/* Description of an IPv4 frame. phx_fb_ipv4_init() gives a valid default
 * (unicast MACs, 10.0.0.1 -> 10.0.1.2, TTL 64, DF, no payload). */
struct phx_fb_ipv4 {
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	uint32_t src_ip;      /* host order */
	uint32_t dst_ip;      /* host order */
	uint8_t proto;        /* IPv4 protocol */
	uint8_t ttl;
	uint8_t tos;
	uint8_t ihl;          /* in 32-bit words; > 5 adds NOP options */
	uint16_t id;          /* host order */
	uint16_t frag;        /* flags + offset field, host order (0x4000 DF) */
	uint16_t sport;       /* host order; TCP/UDP */
	uint16_t dport;       /* host order; TCP/UDP */
	uint8_t tcp_flags;    /* TCP flags byte */
	uint8_t tcp_doff;     /* in 32-bit words; > 5 adds NOP/EOL options */
	uint32_t tcp_seq;
	uint32_t tcp_ack;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint16_t icmp_id;     /* host order; echo identifier */
	uint16_t icmp_seq;    /* host order */
	uint32_t payload_len; /* bytes after the L4 header (pattern i & 0xff) */
	uint32_t pad_to;      /* zero-pad the frame to this length (e.g. 60) */
};

/* Fill *p with the default frame for IPv4 protocol proto. */
void phx_fb_ipv4_init(struct phx_fb_ipv4 *p, uint8_t proto);

/*
 * Build the frame described by *p into buf[0..cap). Returns the frame
 * length, or 0 if it does not fit.
 */
uint32_t phx_fb_ipv4_build(const struct phx_fb_ipv4 *p, uint8_t *buf,
			   uint32_t cap);

/*
 * Build an Ethernet/IPv4 ARP frame (42 bytes, no padding) into buf, which
 * must hold 42 bytes. op 1 = request (broadcast destination, zero target
 * MAC), anything else is sent unicast to tha. IPs in host order.
 * Returns 42.
 */
uint32_t phx_fb_arp_build(uint8_t *buf, uint16_t op, const uint8_t sha[6],
			  uint32_t spa, const uint8_t tha[6], uint32_t tpa);

/* Recompute the IPv4 header checksum of an Ethernet/IPv4 frame in place
 * (header length taken from its IHL; frame must hold the header). */
void phx_fb_ipv4_fix_csum(uint8_t *frame);

/* Set the IPv4 total length field of an Ethernet/IPv4 frame and fix the
 * header checksum. */
void phx_fb_ipv4_set_tot_len(uint8_t *frame, uint16_t tot_len);

/* Store a 16/32-bit host value big-endian at p. */
void phx_fb_put16(uint8_t *p, uint16_t v);
void phx_fb_put32(uint8_t *p, uint32_t v);

/* Reference RFC 1071 sum of big-endian words, byte by byte, in host
 * order; the unit tests compare lib/inet.c against it. */
uint16_t phx_fb_ref_csum(const uint8_t *p, uint32_t len);

#endif /* PHX_TESTS_FRAME_BUILD_H */
