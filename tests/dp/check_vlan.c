/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VLAN sub-interfaces (SPEC MODE-08): the real worker loop and control
 * code over two net_ring ports, in0 a trunk that also carries VLANs 100
 * and 200 as ports of their own, out0 untagged. The test plays the wire
 * with tagged frames and reads the tags of what the member sends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "control/ctl.h"
#include "dataplane/dp_api.h"
#include "lib/config.h"
#include "tests/dp/fixture.h"
#include "tests/dp/pkt_build.h"

static const char test_cfg[] =
	"{\n"
	"  \"name\": \"dptest\",\n"
	"  \"eal\": {\"file_prefix\": \"phx_dpvlan\"},\n"
	"  \"dataplane\": {\"workers\": 1, \"mbufs\": 4096},\n"
	"  \"ports\": [\n"
	"    {\"name\": \"in0_100\", \"parent\": \"in0\", \"vlan\": 100,\n"
	"     \"addresses\": [\"10.3.0.11/24\"]},\n"
	"    {\"name\": \"in0\", \"device\": \"net_ring_t0\", \"mac\": \"02:00:0a:01:00:0b\",\n"
	"     \"addresses\": [\"10.1.0.11/24\"]},\n"
	"    {\"name\": \"out0\", \"device\": \"net_ring_t1\", \"mac\": \"02:00:0a:02:00:0b\",\n"
	"     \"addresses\": [\"10.2.0.11/24\"]},\n"
	"    {\"name\": \"in0_200\", \"parent\": \"in0\", \"vlan\": 200,\n"
	"     \"mtu\": 1400, \"addresses\": [\"10.4.0.11/24\"]}\n"
	"  ],\n"
	"  \"rules\": [\n"
	"    {\"name\": \"no-200-out\", \"in\": \"in0_200\", \"out\": \"out0\",\n"
	"     \"action\": \"drop\"},\n"
	"    {\"name\": \"any\", \"action\": \"accept\"}\n"
	"  ]\n"
	"}\n";

#define RING_IN0 0
#define RING_OUT0 1

static const struct rte_ether_addr mac_h100 = {{ 0x02, 0, 0x0a, 3, 0, 0x32 }};
static const struct rte_ether_addr mac_h200 = {{ 0x02, 0, 0x0a, 4, 0, 0x3c }};

/* m with an 802.1Q tag of vid in front of its EtherType. */
static struct rte_mbuf *
tag(struct rte_mbuf *m, uint16_t vid)
{
	ck_assert_ptr_nonnull(m);
	m->vlan_tci = vid;
	ck_assert_int_eq(rte_vlan_insert(&m), 0);
	m->ol_flags = 0;
	return m;
}

/* The VLAN id m carries (taken off, so fx_ip() reads it), -1 if none. */
static int
untag(struct rte_mbuf *m)
{
	if (fx_eth(m)->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN))
		return -1;
	ck_assert_int_eq(rte_vlan_strip(m), 0);
	return m->vlan_tci & 0xfff;
}

static struct rte_mbuf *
udp(const struct rte_ether_addr *smac, uint32_t src, uint32_t dst,
    uint16_t sport)
{
	struct tb_ip p = { .src_mac = *smac, .dst_mac = fx_mac_in0,
		.src = src, .dst = dst, .proto = IPPROTO_UDP,
		.sport = sport, .dport = 53, .payload = 32, .ttl = 64 };

	return tb_ipv4(fx_pool, &p);
}

/* Answer the member's ARP request for ip that leaves in0 with tag vid
 * (-1: untagged) or out0 (ring RING_OUT0, untagged). */
static void
answer_arp(int ring, int vid, uint32_t ip, uint32_t our_ip,
	   const struct rte_ether_addr *mac, const struct rte_ether_addr *ours)
{
	struct rte_mbuf *out[1], *r;
	struct rte_arp_hdr *a;

	ck_assert_uint_eq(fx_collect(ring, out, 1, 2000), 1);
	ck_assert_int_eq(untag(out[0]), vid);
	ck_assert_uint_eq(rte_be_to_cpu_16(fx_eth(out[0])->ether_type),
			  RTE_ETHER_TYPE_ARP);
	a = (struct rte_arp_hdr *)(fx_eth(out[0]) + 1);
	ck_assert_uint_eq(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REQUEST);
	ck_assert_uint_eq(a->arp_data.arp_tip, rte_cpu_to_be_32(ip));
	ck_assert_uint_eq(a->arp_data.arp_sip, rte_cpu_to_be_32(our_ip));
	rte_pktmbuf_free(out[0]);
	r = tb_arp(fx_pool, RTE_ARP_OP_REPLY, mac, ip, ours, our_ip, ours);
	fx_inject(ring, vid > 0 ? tag(r, (uint16_t)vid) : r);
}

START_TEST(arp_is_answered_on_its_vlan_only)
{
	struct rte_mbuf *out[2];
	struct rte_arp_hdr *a;
	uint64_t not_mine = fx_drops(PHX_DROP_ARP_NOT_MINE);

	/* VLAN 100 asks for VLAN 100's address: the answer is tagged 100 */
	fx_inject(RING_IN0, tag(tb_arp(fx_pool, RTE_ARP_OP_REQUEST, &mac_h100,
		IP(10, 3, 0, 50), &fx_zero, IP(10, 3, 0, 11), &fx_bcast), 100));
	ck_assert_uint_eq(fx_collect(RING_IN0, out, 1, 2000), 1);
	ck_assert_int_eq(untag(out[0]), 100);
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->dst_addr, &mac_h100));
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->src_addr, &fx_mac_in0));
	a = (struct rte_arp_hdr *)(fx_eth(out[0]) + 1);
	ck_assert_uint_eq(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REPLY);
	ck_assert_uint_eq(a->arp_data.arp_sip, rte_cpu_to_be_32(IP(10, 3, 0, 11)));
	rte_pktmbuf_free(out[0]);

	/* untagged asks for the trunk's own address: untagged answer */
	fx_inject(RING_IN0, tb_arp(fx_pool, RTE_ARP_OP_REQUEST, &fx_mac_client,
		FX_CLIENT, &fx_zero, IP(10, 1, 0, 11), &fx_bcast));
	ck_assert_uint_eq(fx_collect(RING_IN0, out, 1, 2000), 1);
	ck_assert_int_eq(untag(out[0]), -1);
	rte_pktmbuf_free(out[0]);

	/* VLAN 100 asking for VLAN 200's or the trunk's address: no */
	fx_inject(RING_IN0, tag(tb_arp(fx_pool, RTE_ARP_OP_REQUEST, &mac_h100,
		IP(10, 3, 0, 50), &fx_zero, IP(10, 4, 0, 11), &fx_bcast), 100));
	fx_inject(RING_IN0, tag(tb_arp(fx_pool, RTE_ARP_OP_REQUEST, &mac_h100,
		IP(10, 3, 0, 50), &fx_zero, IP(10, 1, 0, 11), &fx_bcast), 100));
	ck_assert_uint_eq(fx_collect(RING_IN0, out, 2, 300), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_ARP_NOT_MINE), not_mine + 2);
}
END_TEST

START_TEST(vlan_to_untagged_and_back)
{
	struct rte_mbuf *out[2];

	/* VLAN 100 host -> server on out0: leaves untagged */
	fx_inject(RING_IN0, tag(udp(&mac_h100, IP(10, 3, 0, 50), FX_SERVER,
				    4000), 100));
	answer_arp(RING_OUT0, -1, FX_SERVER, IP(10, 2, 0, 11), &fx_mac_server,
		   &fx_mac_out0);
	ck_assert_uint_eq(fx_collect(RING_OUT0, out, 1, 2000), 1);
	ck_assert_int_eq(untag(out[0]), -1);
	ck_assert_uint_eq(fx_ip(out[0])->src_addr,
			  rte_cpu_to_be_32(IP(10, 3, 0, 50)));
	ck_assert_uint_eq(fx_ip(out[0])->time_to_live, 63);
	ck_assert(tb_csum_ok(out[0]));
	rte_pktmbuf_free(out[0]);

	/* the reply goes back on VLAN 100 (10.3.0.50 was learnt there from
	 * its ARP request in the previous test) */
	struct tb_ip r = { .src_mac = fx_mac_server, .dst_mac = fx_mac_out0,
		.src = FX_SERVER, .dst = IP(10, 3, 0, 50), .proto = IPPROTO_UDP,
		.sport = 53, .dport = 4000, .payload = 32, .ttl = 64 };
	fx_inject(RING_OUT0, tb_ipv4(fx_pool, &r));
	ck_assert_uint_eq(fx_collect(RING_IN0, out, 1, 2000), 1);
	ck_assert_int_eq(untag(out[0]), 100);
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->dst_addr, &mac_h100));
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->src_addr, &fx_mac_in0));
	ck_assert_uint_eq(fx_ip(out[0])->dst_addr,
			  rte_cpu_to_be_32(IP(10, 3, 0, 50)));
	ck_assert(tb_csum_ok(out[0]));
	rte_pktmbuf_free(out[0]);
}
END_TEST

START_TEST(vlan_to_vlan_on_one_trunk)
{
	struct rte_mbuf *out[1];

	/* router on a stick: in on 100, out on 200, tag rewritten */
	fx_inject(RING_IN0, tag(udp(&mac_h100, IP(10, 3, 0, 50),
				    IP(10, 4, 0, 60), 4001), 100));
	answer_arp(RING_IN0, 200, IP(10, 4, 0, 60), IP(10, 4, 0, 11),
		   &mac_h200, &fx_mac_in0);
	ck_assert_uint_eq(fx_collect(RING_IN0, out, 1, 2000), 1);
	ck_assert_int_eq(untag(out[0]), 200);
	ck_assert(rte_is_same_ether_addr(&fx_eth(out[0])->dst_addr, &mac_h200));
	ck_assert_uint_eq(fx_ip(out[0])->dst_addr,
			  rte_cpu_to_be_32(IP(10, 4, 0, 60)));
	rte_pktmbuf_free(out[0]);
}
END_TEST

START_TEST(policy_sees_the_subinterface)
{
	struct rte_mbuf *out[1];
	uint64_t pol = fx_drops(PHX_DROP_RULE_DROP);

	/* rule no-200-out names in0_200: its traffic to out0 is dropped,
	 * VLAN 100's (previous test) was not */
	fx_inject(RING_IN0, tag(udp(&mac_h200, IP(10, 4, 0, 60), FX_SERVER,
				    4002), 200));
	ck_assert_uint_eq(fx_collect(RING_OUT0, out, 1, 300), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_RULE_DROP), pol + 1);
}
END_TEST

START_TEST(subinterface_mtu_is_its_own)
{
	struct tb_ip p = { .src_mac = fx_mac_server, .dst_mac = fx_mac_out0,
		.src = FX_SERVER, .dst = IP(10, 4, 0, 60), .proto = IPPROTO_UDP,
		.sport = 53, .dport = 4003, .payload = 1400, .ttl = 64,
		.frag = 0x4000 /* DF */ };
	struct rte_mbuf *out[1];
	uint64_t mtu = fx_drops(PHX_DROP_MTU_EXCEEDED);

	/* 1428 bytes of IPv4 with DF towards in0_200 (MTU 1400): refused,
	 * though in0 itself takes 1500 */
	fx_inject(RING_OUT0, tb_ipv4(fx_pool, &p));
	ck_assert_uint_eq(fx_collect(RING_OUT0, out, 1, 2000), 1);
	ck_assert_uint_eq(fx_ip(out[0])->next_proto_id, IPPROTO_ICMP);
	rte_pktmbuf_free(out[0]);
	ck_assert_uint_eq(fx_drops(PHX_DROP_MTU_EXCEEDED), mtu + 1);
}
END_TEST

START_TEST(unknown_and_double_tags_are_counted)
{
	struct rte_mbuf *out[1];
	uint64_t unk = fx_drops(PHX_DROP_VLAN_UNKNOWN);
	uint64_t dbl = fx_drops(PHX_DROP_VLAN_TAGGED);

	fx_inject(RING_IN0, tag(udp(&mac_h100, IP(10, 3, 0, 50), FX_SERVER,
				    4004), 300));
	fx_inject(RING_IN0, tag(tag(udp(&mac_h100, IP(10, 3, 0, 50), FX_SERVER,
					4005), 7), 100));
	ck_assert_uint_eq(fx_collect(RING_OUT0, out, 1, 300), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_VLAN_UNKNOWN), unk + 1);
	ck_assert_uint_eq(fx_drops(PHX_DROP_VLAN_TAGGED), dbl + 1);
}
END_TEST

/* m as a device with RX VLAN strip hands it over: the tag in vlan_tci. */
static struct rte_mbuf *
stripped(struct rte_mbuf *m, uint16_t vid)
{
	ck_assert_ptr_nonnull(m);
	m->vlan_tci = vid;
	m->ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	return m;
}

START_TEST(tags_the_device_took_off_count)
{
	struct rte_mbuf *out[1];
	uint64_t unk = fx_drops(PHX_DROP_VLAN_UNKNOWN);
	uint64_t tagged = fx_drops(PHX_DROP_VLAN_TAGGED);

	/* on the trunk: VLAN 100 answered tagged, VLAN 300 unknown */
	fx_inject(RING_IN0, stripped(tb_arp(fx_pool, RTE_ARP_OP_REQUEST,
		&mac_h100, IP(10, 3, 0, 50), &fx_zero, IP(10, 3, 0, 11),
		&fx_bcast), 100));
	ck_assert_uint_eq(fx_collect(RING_IN0, out, 1, 2000), 1);
	ck_assert_int_eq(untag(out[0]), 100);
	rte_pktmbuf_free(out[0]);
	fx_inject(RING_IN0, stripped(udp(&mac_h100, IP(10, 3, 0, 50),
					 FX_SERVER, 4006), 300));
	/* on out0, which has no sub-interfaces: not taken for untagged */
	fx_inject(RING_OUT0, stripped(tb_arp(fx_pool, RTE_ARP_OP_REQUEST,
		&fx_mac_server, FX_SERVER, &fx_zero, IP(10, 2, 0, 11),
		&fx_bcast), 5));
	ck_assert_uint_eq(fx_collect(RING_OUT0, out, 1, 300), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_VLAN_UNKNOWN), unk + 1);
	ck_assert_uint_eq(fx_drops(PHX_DROP_VLAN_TAGGED), tagged + 1);
}
END_TEST

START_TEST(priority_tag_is_untagged)
{
	struct rte_mbuf *out[1];

	/* VLAN 0 (802.1p) from the native network: handled as in0's */
	fx_inject(RING_IN0, tag(tb_arp(fx_pool, RTE_ARP_OP_REQUEST,
		&fx_mac_client, FX_CLIENT, &fx_zero, IP(10, 1, 0, 11),
		&fx_bcast), 0));
	ck_assert_uint_eq(fx_collect(RING_IN0, out, 1, 2000), 1);
	ck_assert_int_eq(untag(out[0]), -1);
	rte_pktmbuf_free(out[0]);
}
END_TEST

/* The same on out0, which has no sub-interfaces: a priority-tagged
 * frame is untagged there too (it was counted vlan_tagged when the tag
 * came inline, and handled when the device had taken it off). */
START_TEST(priority_tag_without_subinterfaces)
{
	uint64_t tagged = fx_drops(PHX_DROP_VLAN_TAGGED);
	struct rte_mbuf *out[1];

	fx_inject(RING_OUT0, tag(tb_arp(fx_pool, RTE_ARP_OP_REQUEST,
		&fx_mac_server, FX_SERVER, &fx_zero, IP(10, 2, 0, 11),
		&fx_bcast), 0));
	ck_assert_uint_eq(fx_collect(RING_OUT0, out, 1, 2000), 1);
	ck_assert_int_eq(untag(out[0]), -1);
	rte_pktmbuf_free(out[0]);
	ck_assert_uint_eq(fx_drops(PHX_DROP_VLAN_TAGGED), tagged);
}
END_TEST

START_TEST(short_tagged_frame_is_counted)
{
	static const uint8_t f[16] = { 0x02, 0, 0x0a, 1, 0, 0x0b,
		0x02, 0, 0x0a, 3, 0, 0x32, 0x81, 0x00, 0x00, 0x64 };
	uint64_t tagged = fx_drops(PHX_DROP_VLAN_TAGGED);

	/* a tag cut short: the parser's vlan_tagged, nothing read past it */
	fx_inject(RING_IN0, tb_raw(fx_pool, f, sizeof(f)));
	fx_drain();
	ck_assert_uint_eq(fx_drops(PHX_DROP_VLAN_TAGGED), tagged + 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dp_vlan");
	TCase *tc = tcase_create("vlan");

	fx_setup("phx_dp_vlan", test_cfg, 2);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, arp_is_answered_on_its_vlan_only);
	tcase_add_test(tc, vlan_to_untagged_and_back);
	tcase_add_test(tc, vlan_to_vlan_on_one_trunk);
	tcase_add_test(tc, policy_sees_the_subinterface);
	tcase_add_test(tc, subinterface_mtu_is_its_own);
	tcase_add_test(tc, unknown_and_double_tags_are_counted);
	tcase_add_test(tc, tags_the_device_took_off_count);
	tcase_add_test(tc, priority_tag_is_untagged);
	tcase_add_test(tc, priority_tag_without_subinterfaces);
	tcase_add_test(tc, short_tagged_frame_is_counted);
	suite_add_tcase(s, tc);
	return fx_run(s);
}
