/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dataplane tests: the real worker loop on a worker lcore and the real
 * control code, in one process, over two net_ring ports
 * (rte_eth_from_rings). The test plays the wire: it enqueues frames on a
 * port's RX ring and reads what the member transmits from its TX ring,
 * and it drives the control lcore's poll from the main lcore.
 *
 * EAL: --no-huge --no-pci (22.11 refuses --in-memory with --no-huge),
 * one init per binary, no fork.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "control/ctl.h"
#include "dataplane/dp_api.h"
#include "lib/config.h"
#include "tests/dp/fixture.h"
#include "tests/dp/pkt_build.h"

static const char test_cfg[] =
	"{\n"
	"  \"name\": \"dptest\",\n"
	"  \"eal\": {\"file_prefix\": \"phx_dptest\"},\n"
	"  \"dataplane\": {\"workers\": 1, \"mbufs\": 4096, \"icmp_rate\": 100000},\n"
	"  \"ports\": [\n"
	"    {\"name\": \"in0\", \"device\": \"net_ring_t0\", \"mac\": \"02:00:0a:01:00:0b\",\n"
	"     \"addresses\": [\"10.1.0.11/24\", \"10.1.0.1/24\"]},\n"
	"    {\"name\": \"out0\", \"device\": \"net_ring_t1\", \"mac\": \"02:00:0a:02:00:0b\",\n"
	"     \"mtu\": 1400, \"addresses\": [\"10.2.0.11/24\", \"10.2.0.1/24\"]}\n"
	"  ],\n"
	"  \"routes\": [{\"prefix\": \"198.51.100.0/24\", \"via\": \"10.2.0.254\"},\n"
	"             {\"prefix\": \"203.0.113.0/24\", \"port\": \"out0\"}],\n"
	"  \"rules\": [{\"name\": \"any\", \"action\": \"accept\"}],\n"
	"  \"neighbors\": {\"hold_packets\": 4, \"retries\": 2, \"retry_ms\": 50}\n"
	"}\n";


static const struct rte_ether_addr mac_gw = {{ 0x02, 0, 0x0a, 2, 0, 0xfe }};

/* The server (10.2.0.100) answers ARP so that forwarding can proceed. */
static void
resolve_server(void)
{
	fx_inject(1, tb_arp(fx_pool, RTE_ARP_OP_REPLY, &fx_mac_server, IP(10, 2, 0, 100),
			 &fx_mac_out0, IP(10, 2, 0, 11), &fx_mac_out0));
	fx_drain();
}

START_TEST(arp_request_for_us_is_answered)
{
	struct rte_mbuf *out[4];
	struct rte_arp_hdr *a;

	fx_inject(0, tb_arp(fx_pool, RTE_ARP_OP_REQUEST, &fx_mac_client,
			 IP(10, 1, 0, 100), &fx_zero, IP(10, 1, 0, 1), &fx_bcast));
	ck_assert_uint_eq(fx_collect(0, out, 1, 2000), 1);
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->dst_addr,
					 &fx_mac_client));
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->src_addr, &fx_mac_in0));
	a = (struct rte_arp_hdr *)(fx_eth(out[0]) + 1);
	ck_assert_uint_eq(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REPLY);
	ck_assert(rte_is_same_ether_addr(&a->arp_data.arp_sha, &fx_mac_in0));
	ck_assert_uint_eq(a->arp_data.arp_sip, rte_cpu_to_be_32(IP(10, 1, 0, 1)));
	ck_assert_uint_eq(a->arp_data.arp_tip,
			  rte_cpu_to_be_32(IP(10, 1, 0, 100)));
	rte_pktmbuf_free(out[0]);
}
END_TEST

START_TEST(arp_request_for_other_is_dropped)
{
	struct rte_mbuf *out[1];
	uint64_t before = fx_drops(PHX_DROP_ARP_NOT_MINE);

	fx_inject(0, tb_arp(fx_pool, RTE_ARP_OP_REQUEST, &fx_mac_client,
			 IP(10, 1, 0, 100), &fx_zero, IP(10, 1, 0, 99), &fx_bcast));
	ck_assert_uint_eq(fx_collect(0, out, 1, 200), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_ARP_NOT_MINE), before + 1);
}
END_TEST

START_TEST(echo_to_member_is_answered)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 1, 0, 1),
		.proto = IPPROTO_ICMP, .icmp_type = RTE_IP_ICMP_ECHO_REQUEST,
		.sport = 77, .payload = 56 };
	struct rte_mbuf *out[1];
	struct rte_icmp_hdr *ic;

	fx_inject(0, tb_ipv4(fx_pool, &p));
	ck_assert_uint_eq(fx_collect(0, out, 1, 2000), 1);
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->dst_addr,
					 &fx_mac_client));
	ck_assert_uint_eq(fx_ip(out[0])->src_addr,
			  rte_cpu_to_be_32(IP(10, 1, 0, 1)));
	ck_assert_uint_eq(fx_ip(out[0])->dst_addr,
			  rte_cpu_to_be_32(IP(10, 1, 0, 100)));
	ic = (struct rte_icmp_hdr *)(fx_ip(out[0]) + 1);
	ck_assert_uint_eq(ic->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	ck_assert_uint_eq(rte_be_to_cpu_16(ic->icmp_ident), 77);
	ck_assert(tb_csum_ok(out[0]));
	rte_pktmbuf_free(out[0]);
}
END_TEST

START_TEST(forward_resolves_holds_and_releases)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 77),
		.proto = IPPROTO_UDP, .sport = 1000, .dport = 53,
		.payload = 100, .ttl = 64 };
	uint64_t learned = fx_counter(PHX_CNT_NEIGH_LEARNED);
	struct rte_mbuf *out[8];
	struct rte_arp_hdr *a;
	unsigned n, i;

	/* Two packets to an unknown neighbour: one ARP request goes out of
	 * out0 and both packets wait (a neighbour entry is created). */
	fx_inject(0, tb_ipv4(fx_pool, &p));
	fx_inject(0, tb_ipv4(fx_pool, &p));
	ck_assert_uint_eq(fx_collect(1, out, 1, 2000), 1);
	a = (struct rte_arp_hdr *)(fx_eth(out[0]) + 1);
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->dst_addr, &fx_bcast));
	ck_assert_uint_eq(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REQUEST);
	ck_assert_uint_eq(a->arp_data.arp_tip, rte_cpu_to_be_32(IP(10, 2, 0, 77)));
	ck_assert_uint_eq(a->arp_data.arp_sip, rte_cpu_to_be_32(IP(10, 2, 0, 11)));
	rte_pktmbuf_free(out[0]);
	ck_assert_uint_eq(fx_counter(PHX_CNT_NEIGH_LEARNED), learned + 1);

	/* The answer releases both, rewritten and TTL-1. */
	fx_inject(1, tb_arp(fx_pool, RTE_ARP_OP_REPLY, &mac_gw, IP(10, 2, 0, 77),
			 &fx_mac_out0, IP(10, 2, 0, 11), &fx_mac_out0));
	n = fx_collect(1, out, 2, 2000);
	ck_assert_uint_eq(n, 2);
	for (i = 0; i < n; i++) {
		ck_assert(rte_is_same_ether_addr(&fx_eth(out[i])->dst_addr,
						 &mac_gw));
		ck_assert(rte_is_same_ether_addr(&fx_eth(out[i])->src_addr,
						 &fx_mac_out0));
		ck_assert_uint_eq(fx_ip(out[i])->time_to_live, 63);
		ck_assert(tb_csum_ok(out[i]));
		rte_pktmbuf_free(out[i]);
	}
	/* Now resolved: the worker forwards directly. */
	uint64_t fwd = fx_counter(PHX_CNT_FWD_PKTS);
	fx_inject(0, tb_ipv4(fx_pool, &p));
	ck_assert_uint_eq(fx_collect(1, out, 1, 2000), 1);
	ck_assert_uint_eq(fx_ip(out[0])->time_to_live, 63);
	ck_assert(tb_csum_ok(out[0]));
	rte_pktmbuf_free(out[0]);
	ck_assert_uint_eq(fx_counter(PHX_CNT_FWD_PKTS), fwd + 1);
}
END_TEST

START_TEST(static_route_uses_gateway)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(198, 51, 100, 9),
		.proto = IPPROTO_TCP, .sport = 40000, .dport = 80, .ttl = 10 };
	struct rte_mbuf *out[2];
	struct rte_arp_hdr *a;

	fx_inject(0, tb_ipv4(fx_pool, &p));
	ck_assert_uint_eq(fx_collect(1, out, 1, 2000), 1);
	a = (struct rte_arp_hdr *)(fx_eth(out[0]) + 1);
	ck_assert_uint_eq(a->arp_data.arp_tip,
			  rte_cpu_to_be_32(IP(10, 2, 0, 254)));
	rte_pktmbuf_free(out[0]);
	fx_inject(1, tb_arp(fx_pool, RTE_ARP_OP_REPLY, &mac_gw, IP(10, 2, 0, 254),
			 &fx_mac_out0, IP(10, 2, 0, 11), &fx_mac_out0));
	ck_assert_uint_eq(fx_collect(1, out, 1, 2000), 1);
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->dst_addr, &mac_gw));
	ck_assert_uint_eq(fx_ip(out[0])->dst_addr,
			  rte_cpu_to_be_32(IP(198, 51, 100, 9)));
	ck_assert_uint_eq(fx_ip(out[0])->time_to_live, 9);
	ck_assert(tb_csum_ok(out[0]));
	rte_pktmbuf_free(out[0]);
}
END_TEST

/* A route with a port and no via (docs/config.md): each destination is
 * on-link there. It is asked for from the port's first address (not
 * 0.0.0.0, which no host answers usefully), and the answer is learned
 * although the sender is outside the port's subnets: we asked for it. */
START_TEST(port_only_route_resolves)
{
	static const struct rte_ether_addr mac_x = {{ 0x02, 0, 0xcb, 0, 0x71, 5 }};
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(203, 0, 113, 5),
		.proto = IPPROTO_UDP, .sport = 1000, .dport = 53,
		.payload = 100, .ttl = 64 };
	struct rte_mbuf *out[2];
	struct rte_arp_hdr *a;

	fx_inject(0, tb_ipv4(fx_pool, &p));
	ck_assert_uint_eq(fx_collect(1, out, 1, 2000), 1);
	a = (struct rte_arp_hdr *)(fx_eth(out[0]) + 1);
	ck_assert_uint_eq(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REQUEST);
	ck_assert_uint_eq(a->arp_data.arp_tip, rte_cpu_to_be_32(IP(203, 0, 113, 5)));
	ck_assert_uint_eq(a->arp_data.arp_sip, rte_cpu_to_be_32(IP(10, 2, 0, 11)));
	rte_pktmbuf_free(out[0]);
	fx_inject(1, tb_arp(fx_pool, RTE_ARP_OP_REPLY, &mac_x, IP(203, 0, 113, 5),
			 &fx_mac_out0, IP(10, 2, 0, 11), &fx_mac_out0));
	ck_assert_uint_eq(fx_collect(1, out, 1, 2000), 1);
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->dst_addr, &mac_x));
	ck_assert_uint_eq(fx_ip(out[0])->dst_addr,
			  rte_cpu_to_be_32(IP(203, 0, 113, 5)));
	ck_assert(tb_csum_ok(out[0]));
	rte_pktmbuf_free(out[0]);
}
END_TEST

/* RFC 1812 4.3.2.7 and 5.3.7: a connected subnet's broadcast address is
 * no host: a packet from it is not forwarded (so no time exceeded goes
 * back), and an echo request from it is not answered; both are dropped
 * and counted. */
START_TEST(no_answer_to_a_broadcast_source)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 255), .dst = IP(10, 2, 0, 100),
		.proto = IPPROTO_UDP, .sport = 33434, .dport = 33434, .ttl = 1 };
	struct tb_ip e = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 255), .dst = IP(10, 1, 0, 11),
		.proto = IPPROTO_ICMP, .icmp_type = RTE_IP_ICMP_ECHO_REQUEST,
		.sport = 7, .payload = 8 };
	uint64_t mart = fx_drops(PHX_DROP_IPV4_MARTIAN_SRC);
	uint64_t sent = fx_counter(PHX_CNT_ICMP_ERRORS_SENT);
	struct rte_mbuf *out[1];

	fx_inject(0, tb_ipv4(fx_pool, &p));
	fx_inject(0, tb_ipv4(fx_pool, &e));
	ck_assert_uint_eq(fx_collect(0, out, 1, 300), 0);
	fx_drain();
	ck_assert_uint_eq(fx_drops(PHX_DROP_IPV4_MARTIAN_SRC), mart + 2);
	ck_assert_uint_eq(fx_counter(PHX_CNT_ICMP_ERRORS_SENT), sent);
}
END_TEST

START_TEST(ttl_one_gets_time_exceeded)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 100),
		.proto = IPPROTO_UDP, .sport = 33434, .dport = 33434, .ttl = 1 };
	uint64_t before = fx_drops(PHX_DROP_TTL_EXCEEDED);
	struct rte_mbuf *out[1];
	struct rte_icmp_hdr *ic;
	struct rte_ipv4_hdr *quoted;

	fx_inject(0, tb_ipv4(fx_pool, &p));
	ck_assert_uint_eq(fx_collect(0, out, 1, 2000), 1);
	ic = (struct rte_icmp_hdr *)(fx_ip(out[0]) + 1);
	ck_assert_uint_eq(ic->icmp_type, 11);
	ck_assert_uint_eq(ic->icmp_code, 0);
	ck_assert_uint_eq(fx_ip(out[0])->dst_addr,
			  rte_cpu_to_be_32(IP(10, 1, 0, 100)));
	ck_assert_uint_eq(fx_ip(out[0])->src_addr,
			  rte_cpu_to_be_32(IP(10, 1, 0, 11)));
	quoted = (struct rte_ipv4_hdr *)(ic + 1);
	ck_assert_uint_eq(quoted->dst_addr, rte_cpu_to_be_32(IP(10, 2, 0, 100)));
	ck_assert(tb_csum_ok(out[0]));
	rte_pktmbuf_free(out[0]);
	ck_assert_uint_eq(fx_drops(PHX_DROP_TTL_EXCEEDED), before + 1);
}
END_TEST

START_TEST(no_route_is_counted_and_reported)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(192, 0, 2, 1),
		.proto = IPPROTO_ICMP, .icmp_type = 8, .payload = 8 };
	uint64_t before = fx_drops(PHX_DROP_NO_ROUTE);
	struct rte_mbuf *out[4];
	struct rte_icmp_hdr *ic;
	int i;

	for (i = 0; i < 3; i++)
		fx_inject(0, tb_ipv4(fx_pool, &p));
	ck_assert_uint_eq(fx_collect(0, out, 3, 2000), 3);
	for (i = 0; i < 3; i++) {
		ic = (struct rte_icmp_hdr *)(fx_ip(out[i]) + 1);
		ck_assert_uint_eq(ic->icmp_type, 3);
		ck_assert_uint_eq(ic->icmp_code, 0);
		rte_pktmbuf_free(out[i]);
	}
	ck_assert_uint_eq(fx_collect(1, out, 1, 100), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_NO_ROUTE), before + 3);
}
END_TEST

START_TEST(mtu_exceeded_with_df_gets_frag_needed)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 100),
		.proto = IPPROTO_UDP, .sport = 1, .dport = 2, .payload = 1400,
		.frag = 0x4000 };
	uint64_t before = fx_drops(PHX_DROP_MTU_EXCEEDED);
	struct rte_mbuf *out[1];
	struct rte_icmp_hdr *ic;

	fx_inject(0, tb_ipv4(fx_pool, &p));
	ck_assert_uint_eq(fx_collect(0, out, 1, 2000), 1);
	ic = (struct rte_icmp_hdr *)(fx_ip(out[0]) + 1);
	ck_assert_uint_eq(ic->icmp_type, 3);
	ck_assert_uint_eq(ic->icmp_code, 4);
	ck_assert_uint_eq(rte_be_to_cpu_16(ic->icmp_seq_nb), 1400);
	rte_pktmbuf_free(out[0]);
	ck_assert_uint_eq(fx_drops(PHX_DROP_MTU_EXCEEDED), before + 1);
}
END_TEST

/* ---- fragments (docs/firewall.md, "Fragments") ---- */

/* A fragment of a UDP datagram 10.1.0.100 -> 10.2.0.100 from the client:
 * bytes [off, off + len) of l4. */
static struct rte_mbuf *
frag_of(const uint8_t *l4, uint16_t off, uint16_t len, bool mf, uint16_t id)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 100),
		.proto = IPPROTO_UDP };

	return tb_frag(fx_pool, &p, l4, off, len, mf, id);
}

/* Collect n fragments from the server side and check them: valid IPv4
 * header, at most max bytes each, together exactly l4 (len bytes). */
static void
expect_fragments(unsigned n, uint16_t max, const uint8_t *l4, uint16_t len)
{
	struct rte_mbuf *out[16];
	static uint8_t got[16384];
	unsigned k, total = 0;

	ck_assert_uint_le(n, 16);
	ck_assert_uint_eq(fx_collect(1, out, n, 2000), n);
	memset(got, 0, sizeof(got));
	for (k = 0; k < n; k++) {
		struct rte_ipv4_hdr *ip = fx_ip(out[k]);
		uint16_t csum = ip->hdr_checksum, fo, l;

		ck_assert_uint_eq(out[k]->nb_segs, 1);
		ip->hdr_checksum = 0;
		ck_assert_uint_eq(rte_ipv4_cksum(ip), csum);
		ck_assert_uint_eq(ip->time_to_live, 63);
		l = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - 20);
		ck_assert_uint_le(l + 20u, max);
		fo = rte_be_to_cpu_16(ip->fragment_offset);
		ck_assert_uint_eq(!!(fo & 0x2000), k + 1 < n);  /* MF */
		ck_assert_uint_le((fo & 0x1fff) * 8u + l, sizeof(got));
		memcpy(got + (fo & 0x1fff) * 8, ip + 1, l);
		total += l;
		rte_pktmbuf_free(out[k]);
	}
	ck_assert_uint_eq(total, len);
	ck_assert(memcmp(got, l4, len) == 0);
}

/* No DF, larger than out0's MTU (1400): fragmented (RFC 791). */
START_TEST(too_big_without_df_is_fragmented)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 100),
		.proto = IPPROTO_UDP, .sport = 5, .dport = 6, .payload = 1400 };
	struct rte_mbuf *m = tb_ipv4(fx_pool, &p);
	uint64_t ftx = fx_counter(PHX_CNT_FRAG_TX);
	static uint8_t l4[1408];

	memcpy(l4, fx_ip(m) + 1, sizeof(l4));
	fx_inject(0, m);
	expect_fragments(2, 1400, l4, sizeof(l4));
	ck_assert_uint_eq(fx_counter(PHX_CNT_FRAG_TX), ftx + 2);
}
END_TEST

/* Fragments out of order are reassembled, pass as one datagram, and
 * leave cut as they came (524 bytes each, below the MTU). */
START_TEST(fragments_are_reassembled_and_cut_as_they_came)
{
	static uint8_t l4[1008];
	uint64_t done = fx_counter(PHX_CNT_FRAG_REASSEMBLED);

	tb_udp_bytes(l4, sizeof(l4), 7, 9);
	fx_inject(0, frag_of(l4, 504, 504, false, 0x1234));
	fx_inject(0, frag_of(l4, 0, 504, true, 0x1234));
	expect_fragments(2, 524, l4, sizeof(l4));
	ck_assert_uint_eq(fx_counter(PHX_CNT_FRAG_REASSEMBLED), done + 1);
}
END_TEST

/* The same with an 802.1p priority tag (VLAN 0) on each fragment, on a
 * port without sub-interfaces: untagged frames, reassembled. */
START_TEST(priority_tagged_fragments_are_reassembled)
{
	static uint8_t l4[1008];
	uint64_t done = fx_counter(PHX_CNT_FRAG_REASSEMBLED);
	struct rte_mbuf *m[2];
	unsigned k;

	tb_udp_bytes(l4, sizeof(l4), 7, 9);
	m[0] = frag_of(l4, 0, 504, true, 0x1235);
	m[1] = frag_of(l4, 504, 504, false, 0x1235);
	for (k = 0; k < 2; k++) {
		ck_assert_ptr_nonnull(m[k]);
		m[k]->vlan_tci = 0;
		ck_assert_int_eq(rte_vlan_insert(&m[k]), 0);
		m[k]->ol_flags = 0;
		fx_inject(0, m[k]);
	}
	expect_fragments(2, 524, l4, sizeof(l4));
	ck_assert_uint_eq(fx_counter(PHX_CNT_FRAG_REASSEMBLED), done + 1);
}
END_TEST

/* Fragments with the same addresses, protocol and identifier that come
 * in on different ports are not one datagram: dropped, whole. */
START_TEST(fragments_from_two_ports_are_dropped)
{
	static uint8_t l4[1008];
	uint64_t mixed = fx_drops(PHX_DROP_IPV4_FRAG_PORTS);
	uint64_t done = fx_counter(PHX_CNT_FRAG_REASSEMBLED);
	struct tb_ip p = { .src_mac = fx_mac_server, .dst_mac = fx_mac_out0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 100),
		.proto = IPPROTO_UDP };
	struct rte_mbuf *o[2];

	tb_udp_bytes(l4, sizeof(l4), 7, 9);
	fx_inject(0, frag_of(l4, 0, 504, true, 0x2345));
	fx_inject(1, tb_frag(fx_pool, &p, l4, 504, 504, false, 0x2345));
	ck_assert_uint_eq(fx_collect(1, o, 2, 500), 0);
	ck_assert_uint_eq(fx_collect(0, o, 2, 100), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_IPV4_FRAG_PORTS), mixed + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_FRAG_REASSEMBLED), done);
	/* the same datagram from one port passes */
	fx_inject(0, frag_of(l4, 0, 504, true, 0x2346));
	fx_inject(0, frag_of(l4, 504, 504, false, 0x2346));
	expect_fragments(2, 524, l4, sizeof(l4));
}
END_TEST

/* A datagram larger than an mbuf (4128 bytes of UDP in three fragments)
 * stays a chain through the session code and leaves in fragments of at
 * most the egress MTU. */
START_TEST(large_datagram_leaves_in_fragments)
{
	static uint8_t l4[3 * 1376];

	tb_udp_bytes(l4, sizeof(l4), 7, 9);
	fx_inject(0, frag_of(l4, 0, 1376, true, 0x2345));
	fx_inject(0, frag_of(l4, 2752, 1376, false, 0x2345));
	fx_inject(0, frag_of(l4, 1376, 1376, true, 0x2345));
	expect_fragments(3, 1400, l4, sizeof(l4));
}
END_TEST

/* An "ICMP error" of 4 KB in fragments: real ones are at most 576 bytes,
 * and NAT could not checksum one larger than a buffer. */
START_TEST(huge_reassembled_icmp_error_is_dropped)
{
	static uint8_t l4[3 * 1376];
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 100),
		.proto = IPPROTO_ICMP };
	uint64_t before = fx_drops(PHX_DROP_ICMP_BAD_QUOTE);
	struct rte_ipv4_hdr *q = (struct rte_ipv4_hdr *)(l4 + 8);
	struct rte_mbuf *out[1];

	memset(l4, 0, sizeof(l4));
	l4[0] = 3;   /* destination unreachable, port */
	l4[1] = 3;
	q->version_ihl = RTE_IPV4_VHL_DEF;
	q->total_length = rte_cpu_to_be_16(100);
	q->time_to_live = 64;
	q->next_proto_id = IPPROTO_UDP;
	q->src_addr = rte_cpu_to_be_32(IP(10, 2, 0, 100));
	q->dst_addr = rte_cpu_to_be_32(IP(10, 1, 0, 100));
	fx_inject(0, tb_frag(fx_pool, &p, l4, 0, 1376, 1, 0x4567));
	fx_inject(0, tb_frag(fx_pool, &p, l4, 1376, 1376, 1, 0x4567));
	fx_inject(0, tb_frag(fx_pool, &p, l4, 2752, 1376, 0, 0x4567));
	fx_drain();
	ck_assert_uint_eq(fx_drops(PHX_DROP_ICMP_BAD_QUOTE), before + 1);
	ck_assert_uint_eq(fx_collect(1, out, 1, 50), 0);
}
END_TEST

/* A fragment whose datagram never completes is dropped after the
 * reassembly timeout (5 s), counted. */
START_TEST(incomplete_datagram_times_out)
{
	uint64_t before = fx_drops(PHX_DROP_IPV4_FRAG_DROPPED);
	static uint8_t l4[200];
	struct rte_mbuf *out[1];
	unsigned t;

	tb_udp_bytes(l4, sizeof(l4), 7, 9);
	fx_inject(0, frag_of(l4, 0, 96, true, 0x3456));
	for (t = 0; t < 80 && fx_drops(PHX_DROP_IPV4_FRAG_DROPPED) == before;
	     t++)
		rte_delay_ms(100);
	ck_assert_uint_eq(fx_drops(PHX_DROP_IPV4_FRAG_DROPPED), before + 1);
	ck_assert_uint_eq(fx_collect(1, out, 1, 50), 0);
}
END_TEST

/* Everything that crossed, freed; true once nothing came for 100 ms. */
static void
drain_all(void)
{
	struct rte_mbuf *o[64];
	unsigned p, n, quiet = 0;

	while (quiet < 2) {
		n = 0;
		for (p = 0; p < 2; p++) {
			unsigned k = fx_collect((int)p, o, 64, 50);

			rte_pktmbuf_free_bulk(o, k);
			n += k;
		}
		quiet = n == 0 ? quiet + 1 : 0;
	}
}

/*
 * Hostile fragments: random offsets, lengths, MF bits and identifiers
 * (overlaps, duplicates, holes, datagrams past 64 KiB, empty fragments).
 * Nothing crashes, and once the reassembly timeout has passed every mbuf
 * is back in its pool: held fragments are freed and counted, never lost.
 */
START_TEST(hostile_fragments_leak_nothing)
{
	static uint8_t l4[65536];
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 100),
		.proto = IPPROTO_UDP };
	uint64_t dropped = fx_drops(PHX_DROP_IPV4_FRAG_DROPPED);
	unsigned before, i, t;
	uint32_t x = 12345;

	tb_udp_bytes(l4, 1480, 7, 9);
	drain_all();
	before = rte_mempool_avail_count(fx_pool);
	for (i = 0; i < 3000; i++) {
		uint16_t off, len;

		x ^= x << 13; x ^= x >> 17; x ^= x << 5;   /* xorshift32 */
		off = (uint16_t)((x % 8192) * 8);
		len = (uint16_t)((x >> 13) % 1481);
		if (off > 65536 - 1480)
			off = 65536 - 1480;
		p.src = IP(10, 1, 0, 100 + (x >> 29));
		fx_inject(0, tb_frag(fx_pool, &p, l4, off, len,
				     (int)((x >> 24) & 1), (uint16_t)(x >> 26)));
		if (i % 64 == 63)
			drain_all();
	}
	for (t = 0; t < 80 && rte_mempool_avail_count(fx_pool) < before; t++) {
		drain_all();
		rte_delay_ms(100);
	}
	ck_assert_uint_eq(rte_mempool_avail_count(fx_pool), before);
	ck_assert_uint_gt(fx_drops(PHX_DROP_IPV4_FRAG_DROPPED), dropped);
}
END_TEST

START_TEST(hold_queue_is_bounded_then_unresolved)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 200),
		.proto = IPPROTO_UDP, .sport = 5, .dport = 6 };
	uint64_t full = fx_drops(PHX_DROP_NEIGH_HOLD_FULL);
	uint64_t unres = fx_drops(PHX_DROP_NEIGH_UNRESOLVED);
	struct rte_mbuf *out[8];
	unsigned n;
	int i;

	for (i = 0; i < 6; i++)
		fx_inject(0, tb_ipv4(fx_pool, &p));
	/* retries = 2 at 50 ms: two requests, then the held four die. */
	n = fx_collect(1, out, 2, 2000);
	ck_assert_uint_eq(n, 2);
	rte_pktmbuf_free_bulk(out, n);
	fx_drain();
	rte_delay_ms(150);
	fx_drain();
	ck_assert_uint_eq(fx_drops(PHX_DROP_NEIGH_HOLD_FULL), full + 2);
	ck_assert_uint_eq(fx_drops(PHX_DROP_NEIGH_UNRESOLVED), unres + 4);
}
END_TEST

/* All next hops together hold at most an eighth of the mbuf pool (4096
 * here: 512): a scan of 150 on-link hosts, 4 packets each, holds 512 and
 * drops the other 88 as arp_hold_full; the held ones die unresolved. */
START_TEST(held_packets_are_bounded_in_all)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .proto = IPPROTO_UDP,
		.sport = 5, .dport = 6 };
	uint64_t full = fx_drops(PHX_DROP_NEIGH_HOLD_FULL);
	uint64_t held = fx_counter(PHX_CNT_NEIGH_HELD);
	uint64_t unres = fx_drops(PHX_DROP_NEIGH_UNRESOLVED);
	unsigned h, k;

	for (h = 0; h < 150; h++) {
		p.dst = IP(203, 0, 113, 10 + h);
		for (k = 0; k < 4; k++)
			fx_inject(0, tb_ipv4(fx_pool, &p));
	}
	/* (all within the first retry: nothing is released meanwhile);
	 * retries 2 x 50 ms: all fail, bounded wait */
	for (k = 0; k < 100 && fx_drops(PHX_DROP_NEIGH_UNRESOLVED) <
	     unres + 512; k++)
		fx_drain();
	/* the entries that held nothing retry a little longer: their last
	 * requests must not reach the next test */
	rte_delay_ms(300);
	fx_drain();
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_NEIGH_HELD), held + 512);
	ck_assert_uint_eq(fx_drops(PHX_DROP_NEIGH_HOLD_FULL), full + 88);
	ck_assert_uint_eq(fx_drops(PHX_DROP_NEIGH_UNRESOLVED), unres + 512);
}
END_TEST

START_TEST(frames_for_other_hosts_are_dropped)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_server,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 100),
		.proto = IPPROTO_UDP };
	uint64_t before = fx_drops(PHX_DROP_L2_OTHER_HOST);
	struct rte_mbuf *out[1];

	fx_inject(0, tb_ipv4(fx_pool, &p));
	ck_assert_uint_eq(fx_collect(1, out, 1, 100), 0);
	fx_drain();
	ck_assert_uint_eq(fx_drops(PHX_DROP_L2_OTHER_HOST), before + 1);
}
END_TEST

/* Malformed and unsupported frames: each lands in its own counter and
 * nothing leaves the member. */
struct bad_case {
	const char *name;
	enum phx_drop_reason reason;
	void (*mangle)(uint8_t *f, uint16_t *len);
};

static void m_trunc_l2(uint8_t *f, uint16_t *len) { (void)f; *len = 10; }
static void m_trunc_ip(uint8_t *f, uint16_t *len) { (void)f; *len = 14 + 12; }
static void m_vlan(uint8_t *f, uint16_t *len) { (void)len; f[12] = 0x81; f[13] = 0; }
static void m_ipv6(uint8_t *f, uint16_t *len) { (void)len; f[12] = 0x86; f[13] = 0xdd; }
static void m_ethertype(uint8_t *f, uint16_t *len) { (void)len; f[12] = 0x88; f[13] = 0xcc; }
static void m_version(uint8_t *f, uint16_t *len) { (void)len; f[14] = 0x65; }
static void m_ihl(uint8_t *f, uint16_t *len) { (void)len; f[14] = 0x44; }
static void m_len(uint8_t *f, uint16_t *len) { (void)len; f[16] = 0x7f; }
static void m_csum(uint8_t *f, uint16_t *len) { (void)len; f[24] ^= 0x55; }
static void m_trunc_l4(uint8_t *f, uint16_t *len)
{
	/* UDP with total length 24: 4 bytes of L4. */
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);

	ip->total_length = rte_cpu_to_be_16(24);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	*len = 14 + 24;
}
static void m_options(uint8_t *f, uint16_t *len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);

	(void)len;
	ip->version_ihl = 0x46;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}
static void m_martian(uint8_t *f, uint16_t *len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);

	(void)len;
	ip->src_addr = rte_cpu_to_be_32(IP(127, 0, 0, 1));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}
static void m_dbcast(uint8_t *f, uint16_t *len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);

	(void)len;
	ip->dst_addr = rte_cpu_to_be_32(IP(10, 2, 0, 255));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}
/* A transit packet in a broadcast, then a multicast, Ethernet frame. */
static void m_l2bcast(uint8_t *f, uint16_t *len)
{
	(void)len;
	memset(f, 0xff, 6);
}
static void m_l2mcast(uint8_t *f, uint16_t *len)
{
	static const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

	(void)len;
	memcpy(f, mc, 6);
}
static void m_local(uint8_t *f, uint16_t *len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);

	(void)len;
	ip->dst_addr = rte_cpu_to_be_32(IP(10, 1, 0, 1));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void m_udp_len(uint8_t *f, uint16_t *len)
{
	(void)len;
	f[14 + 20 + 4] = 0;         /* UDP length 200, IPv4 says 28 */
	f[14 + 20 + 5] = 200;
}
static void m_arp(uint8_t *f, uint16_t *len)
{
	static const uint8_t arp[8] = { 0, 1, 0x08, 0x00, 8 /* hlen */, 4, 0, 1 };

	(void)len;
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, arp, sizeof(arp));
}
/* Turn the UDP template into TCP with the given flags and data offset
 * (words) and options; fix the IPv4 header checksum. */
static void
to_tcp(uint8_t *f, uint8_t flags, uint8_t doff, const uint8_t *opt,
       unsigned optlen)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	uint8_t *t = f + 14 + 20;

	ip->next_proto_id = IPPROTO_TCP;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(t + 4, 0, 16);
	t[12] = (uint8_t)(doff << 4);
	t[13] = flags;
	if (optlen != 0)
		memcpy(t + 20, opt, optlen);
}
static void m_tcp_doff(uint8_t *f, uint16_t *len)
{
	(void)len;
	to_tcp(f, RTE_TCP_ACK_FLAG, 15 /* 60 bytes, the segment has 28 */,
	       NULL, 0);
}
static void m_tcp_options(uint8_t *f, uint16_t *len)
{
	/* window scale whose length runs past the 24-byte header */
	static const uint8_t opt[4] = { 3, 9, 7, 0 };

	(void)len;
	to_tcp(f, RTE_TCP_SYN_FLAG, 6, opt, sizeof(opt));
}

static const struct bad_case bad_cases[] = {
	{ "truncated ethernet", PHX_DROP_L2_TRUNCATED, m_trunc_l2 },
	{ "vlan tagged", PHX_DROP_VLAN_TAGGED, m_vlan },
	{ "ipv6", PHX_DROP_IPV6, m_ipv6 },
	{ "lldp ethertype", PHX_DROP_ETHERTYPE, m_ethertype },
	{ "truncated ipv4", PHX_DROP_IPV4_TRUNCATED, m_trunc_ip },
	{ "version 6 in ipv4", PHX_DROP_IPV4_BAD_VERSION, m_version },
	{ "ihl 4", PHX_DROP_IPV4_BAD_IHL, m_ihl },
	{ "total length beyond frame", PHX_DROP_IPV4_BAD_LEN, m_len },
	{ "bad header checksum", PHX_DROP_IPV4_BAD_CSUM, m_csum },
	{ "ip options", PHX_DROP_IPV4_OPTIONS, m_options },
	{ "loopback source", PHX_DROP_IPV4_MARTIAN_SRC, m_martian },
	{ "truncated udp", PHX_DROP_L4_TRUNCATED, m_trunc_l4 },
	{ "directed broadcast", PHX_DROP_IPV4_MARTIAN_DST, m_dbcast },
	{ "transit in a broadcast frame", PHX_DROP_L2_NOT_UNICAST, m_l2bcast },
	{ "transit in a multicast frame", PHX_DROP_L2_NOT_UNICAST, m_l2mcast },
	{ "udp to the member", PHX_DROP_LOCAL_PROTO, m_local },
	{ "udp length beyond the packet", PHX_DROP_UDP_BAD_LEN, m_udp_len },
	{ "arp with 8-byte addresses", PHX_DROP_ARP_MALFORMED, m_arp },
	{ "tcp data offset beyond the packet", PHX_DROP_TCP_BAD_DOFF, m_tcp_doff },
	{ "tcp option past the header", PHX_DROP_TCP_BAD_OPTIONS, m_tcp_options },
};

START_TEST(malformed_frames_are_counted)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = IP(10, 2, 0, 100),
		.proto = IPPROTO_UDP, .sport = 9, .dport = 9, .payload = 20 };
	struct rte_mbuf *tmpl = tb_ipv4(fx_pool, &p), *out[1];
	uint8_t frame[128];
	uint16_t len = rte_pktmbuf_data_len(tmpl);
	uint64_t before = fx_drops(bc->reason);

	memcpy(frame, rte_pktmbuf_mtod(tmpl, void *), len);
	rte_pktmbuf_free(tmpl);
	bc->mangle(frame, &len);
	fx_inject(0, tb_raw(fx_pool, frame, len));
	fx_drain();
	ck_assert_msg(fx_drops(bc->reason) == before + 1, "%s: %s not counted",
		      bc->name, phx_drop_name(bc->reason));
	ck_assert_uint_eq(fx_collect(1, out, 1, 50), 0);
}
END_TEST

START_TEST(every_drop_reason_has_a_name)
{
	unsigned r;

	for (r = 1; r < PHX_DROP_MAX; r++) {
		ck_assert_str_ne(phx_drop_name(r), "");
		ck_assert_str_ne(phx_drop_name(r), "invalid");
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dp_gateway");
	TCase *tc = tcase_create("gateway");

	fx_setup("phx_dp_gateway", test_cfg, 2);
	resolve_server();
	tcase_set_timeout(tc, 60);   /* two reassembly timeouts of 5 s */
	tcase_add_test(tc, every_drop_reason_has_a_name);
	tcase_add_test(tc, arp_request_for_us_is_answered);
	tcase_add_test(tc, arp_request_for_other_is_dropped);
	tcase_add_test(tc, echo_to_member_is_answered);
	tcase_add_test(tc, forward_resolves_holds_and_releases);
	tcase_add_test(tc, static_route_uses_gateway);
	tcase_add_test(tc, port_only_route_resolves);
	tcase_add_test(tc, no_answer_to_a_broadcast_source);
	tcase_add_test(tc, ttl_one_gets_time_exceeded);
	tcase_add_test(tc, no_route_is_counted_and_reported);
	tcase_add_test(tc, mtu_exceeded_with_df_gets_frag_needed);
	tcase_add_test(tc, too_big_without_df_is_fragmented);
	tcase_add_test(tc, fragments_are_reassembled_and_cut_as_they_came);
	tcase_add_test(tc, priority_tagged_fragments_are_reassembled);
	tcase_add_test(tc, fragments_from_two_ports_are_dropped);
	tcase_add_test(tc, large_datagram_leaves_in_fragments);
	tcase_add_test(tc, huge_reassembled_icmp_error_is_dropped);
	tcase_add_test(tc, incomplete_datagram_times_out);
	tcase_add_test(tc, hostile_fragments_leak_nothing);
	tcase_add_test(tc, hold_queue_is_bounded_then_unresolved);
	tcase_add_test(tc, held_packets_are_bounded_in_all);
	tcase_add_test(tc, frames_for_other_hosts_are_dropped);
	tcase_add_loop_test(tc, malformed_frames_are_counted, 0,
			    (int)RTE_DIM(bad_cases));
	suite_add_tcase(s, tc);
	return fx_run(s);
}
