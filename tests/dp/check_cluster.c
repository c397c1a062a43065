/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane half of cluster membership on the real worker loop
 * (net_ring ports, one process): CCP frames (UDP 8116) go to control
 * forwarding or not (SPEC CCP-01, CCP-08), the forwarding gate of a
 * standby (SPEC MODE-12: its own addresses answer, transit and VIP
 * traffic is cluster_not_active, sessions are kept), VIPs as local
 * addresses with source and destination NAT, the VMAC in the L2 filter
 * (SPEC 5.5), port link state and worker heartbeats.
 *
 * Ports: 0 in0 (client side), 1 out0 (server side), 2 sync0. The same
 * binary runs three ways (tests/dp/meson.build):
 *   (no argument)  the cluster member (conf/lab/member1.json's
 *                  policy on ring ports);
 *   standalone     the same ports without a cluster section: UDP 8116 is
 *                  ordinary traffic;
 *   link           the link state of a net_af_packet port on a veth pair
 *                  in a private network namespace (root only, else
 *                  skipped).
 *
 * Control's poll runs during fx_collect and hands CCP frames to
 * phx_ccp_input (control/ccp.c); what control makes of them is not
 * checked here, only what the workers did (ccp_to_ctl) and what crossed
 * the wire.
 */
#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include <check.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "lib/ccp_wire.h"
#include "tests/dp/fixture.h"
#include "tests/dp/pkt_build.h"

#define PORTS                                                                  \
	"  \"ports\": [\n"                                                     \
	"    {\"name\": \"in0\", \"device\": \"net_ring_t0\", \"mac\": \"02:00:0a:01:00:0b\",\n" \
	"     \"addresses\": [\"10.1.0.11/24\"]},\n"                             \
	"    {\"name\": \"out0\", \"device\": \"net_ring_t1\", \"mac\": \"02:00:0a:02:00:0b\",\n" \
	"     \"addresses\": [\"10.2.0.11/24\"]},\n"                             \
	"    {\"name\": \"sync0\", \"device\": \"net_ring_t2\", \"mac\": \"02:00:0a:00:00:01\",\n" \
	"     \"addresses\": [\"10.0.0.1/24\"], \"promiscuous\": false}\n"       \
	"  ],\n"

/* conf/lab/member1.json's policy. */
static const char cluster_cfg[] =
	"{\n"
	"  \"name\": \"clutest\",\n"
	"  \"dataplane\": {\"workers\": 1, \"mbufs\": 8192, \"icmp_rate\": 100000},\n"
	PORTS
	"  \"sessions\": {\"max\": 1024},\n"
	"  \"zones\": {\"inside\": [\"in0\"], \"outside\": [\"out0\"]},\n"
	"  \"rules\": [\n"
	"    {\"name\": \"dnat_web\", \"in\": \"inside\", \"dst\": \"10.1.0.1/32\", \"proto\": \"tcp\",\n"
	"     \"dport\": 8080, \"nat\": {\"destination\": \"10.2.0.100\", \"port\": 80}},\n"
	"    {\"name\": \"snat_hide\", \"in\": \"inside\", \"src\": \"10.1.0.0/24\", \"dst\": \"10.2.0.0/24\",\n"
	"     \"proto\": \"tcp\", \"dport\": \"9000-9099\", \"nat\": {\"source\": \"10.2.0.1\"}},\n"
	"    {\"name\": \"client_out\", \"in\": \"inside\", \"out\": \"outside\", \"src\": \"10.1.0.0/24\"}\n"
	"  ],\n"
	"  \"cluster\": {\n"
	"    \"member\": 1, \"members\": [1, 2],\n"
	"    \"key\": \"hex:7068616c616e78206c6162206b65793a206e6f74206120736563726574212121\",\n"
	"    \"sync_port\": \"sync0\",\n"
	"    \"vips\": [{\"port\": \"in0\", \"address\": \"10.1.0.1/24\"},\n"
	"             {\"port\": \"out0\", \"address\": \"10.2.0.1/24\"}]\n"
	"  }\n"
	"}\n";

static const char standalone_cfg[] =
	"{\n"
	"  \"name\": \"clutest\",\n"
	"  \"dataplane\": {\"workers\": 1, \"mbufs\": 8192, \"icmp_rate\": 100000},\n"
	PORTS
	"  \"sessions\": {\"max\": 1024},\n"
	"  \"zones\": {\"inside\": [\"in0\"], \"outside\": [\"out0\"]},\n"
	"  \"rules\": [\n"
	"    {\"name\": \"client_out\", \"in\": \"inside\", \"out\": \"outside\", \"src\": \"10.1.0.0/24\"}\n"
	"  ]\n"
	"}\n";

#define CLIENT FX_CLIENT
#define SERVER FX_SERVER
#define MEMBER_IN IP(10, 1, 0, 11)
#define MEMBER_OUT IP(10, 2, 0, 11)
#define VIP_IN IP(10, 1, 0, 1)
#define VIP_OUT IP(10, 2, 0, 1)
#define F_SYN RTE_TCP_SYN_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_SYNACK (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)
#define F_PSHACK (RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG)

/* CCP's group MAC of 10.1.0.0/24 (SPEC ADDR-22) and member 2's CCP
 * source MAC (SPEC CCP-06). */
static const struct rte_ether_addr ccp_group = {{ 0x01, 0, 0x5e, 1, 0, 0xfa }};
static const struct rte_ether_addr ccp_src = {{ 0, 0, 0, 0, 0xfe, 2 }};
static const struct rte_ether_addr vmac = {{ 0x00, 0x1c, 0x7f, 0, 0x01, 0x01 }};

static bool standalone;

/* A CCP frame of member 2 as it arrives on a port: UDP 8116 -> 8116 to
 * the subnet's directed broadcast, to a multicast or broadcast MAC. */
static struct rte_mbuf *
ccp_frame(uint32_t src, uint32_t dst, const struct rte_ether_addr *dmac)
{
	struct tb_ip p = {
		.src_mac = ccp_src, .dst_mac = *dmac,
		.src = src, .dst = dst, .proto = IPPROTO_UDP, .ttl = 255,
		.sport = PHX_CCP_UDP_PORT, .dport = PHX_CCP_UDP_PORT,
		.payload = 64,
	};

	return tb_ipv4(fx_pool, &p);
}

/* Frames the member itself may emit at any time are not data: ARP, and
 * CCP from control (source MAC 00:00:00:00:<mac_magic>:<member>, SPEC
 * CCP-06). Skip them when counting what crossed the wire. */
static bool
from_control(struct rte_mbuf *m)
{
	static const uint8_t ccp_mac[5] = { 0, 0, 0, 0, 0xfe };
	const struct rte_ether_hdr *eth = fx_eth(m);

	return eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) ||
	       memcmp(eth->src_addr.addr_bytes, ccp_mac, 5) == 0;
}

/* One data frame from port out within 1 s (control's own skipped). */
static struct rte_mbuf *
collect_one(int out)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz();
	struct rte_mbuf *o[1];

	while (rte_rdtsc() < end) {
		if (fx_collect(out, o, 1, 50) == 0)
			continue;
		if (!from_control(o[0]))
			return o[0];
		rte_pktmbuf_free(o[0]);
	}
	ck_abort_msg("expected a frame on port %d", out);
	return NULL;
}

/* Data frames on any port within ms (all freed). */
static unsigned
data_frames(unsigned ms)
{
	struct rte_mbuf *o[32];
	unsigned p, n, i, data = 0;

	for (p = 0; p < 3; p++) {
		n = fx_collect((int)p, o, RTE_DIM(o), ms);
		for (i = 0; i < n; i++) {
			data += !from_control(o[i]);
			rte_pktmbuf_free(o[i]);
		}
	}
	return data;
}

static uint64_t
all_drops(void)
{
	struct phx_dp_stats s;
	uint64_t sum = 0;
	unsigned r;

	phx_dp_stats_sum(fx_dp, &s);
	for (r = 1; r < PHX_DROP_MAX; r++)
		sum += s.drop[r];
	return sum;
}

static struct rte_mbuf *
through(int in, struct rte_mbuf *m, int out)
{
	fx_inject(in, m);
	return collect_one(out);
}

/* m is dropped for reason r, and nothing but control's frames leaves. */
static void
expect_dropped(int in, struct rte_mbuf *m, enum phx_drop_reason r)
{
	uint64_t before = fx_drops(r);

	fx_inject(in, m);
	ck_assert_uint_eq(data_frames(30), 0);
	ck_assert_msg(fx_drops(r) == before + 1, "%s: %" PRIu64 " -> %" PRIu64,
		      phx_drop_name(r), before, fx_drops(r));
}

static uint16_t
l4_port(struct rte_mbuf *m, int dst)
{
	const uint16_t *p = (const uint16_t *)(fx_ip(m) + 1);

	return rte_be_to_cpu_16(p[dst]);
}

/* An echo to dst from the client side is answered from dst. */
static void
expect_echo_answered(uint32_t dst)
{
	uint64_t replies = fx_counter(PHX_CNT_ICMP_ECHO_REPLIES);
	struct rte_mbuf *o;

	o = through(0, fx_pkt(0, CLIENT, dst, IPPROTO_ICMP, 7, 0, 0, 0, 0), 0);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(dst));
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(((struct rte_icmp_hdr *)(fx_ip(o) + 1))->icmp_type,
			  RTE_IP_ICMP_ECHO_REPLY);
	ck_assert(rte_is_same_ether_addr(&fx_eth(o)->src_addr, &fx_mac_in0));
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	ck_assert_uint_eq(fx_counter(PHX_CNT_ICMP_ECHO_REPLIES), replies + 1);
}

/* A CCP frame on in0 (multicast MAC) and one on sync0 (broadcast MAC)
 * reach control and nothing else happens to them. */
static void
expect_ccp_punted(void)
{
	uint64_t ccp = fx_counter(PHX_CNT_CCP_TO_CTL);
	uint64_t drops = all_drops();

	fx_inject(0, ccp_frame(IP(10, 1, 0, 12), IP(10, 1, 0, 255), &ccp_group));
	fx_inject(2, ccp_frame(IP(10, 0, 0, 2), IP(10, 0, 0, 255), &fx_bcast));
	ck_assert_uint_eq(data_frames(30), 0);
	ck_assert_uint_eq(fx_counter(PHX_CNT_CCP_TO_CTL), ccp + 2);
	ck_assert_uint_eq(all_drops(), drops);
}

/* ------------------------------------------------------------------ */
/* Cluster member                                                       */

START_TEST(starts_not_forwarding)
{
	ck_assert(!phx_dp_cluster_forwarding(fx_dp));
}
END_TEST

START_TEST(ccp_punted_while_not_forwarding)
{
	ck_assert(!phx_dp_cluster_forwarding(fx_dp));
	expect_ccp_punted();
}
END_TEST

START_TEST(standby_drops_transit)
{
	/* client_out admits it; a standby is not the gateway */
	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 41000, 80, F_SYN,
			      1, 0), PHX_DROP_CLUSTER_NOT_ACTIVE);
	expect_dropped(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_UDP, 53, 5353, 0, 0,
			      0), PHX_DROP_CLUSTER_NOT_ACTIVE);
	ck_assert_uint_eq(phx_dp_sessions(fx_dp, 0), 0);
}
END_TEST

START_TEST(standby_answers_own_address)
{
	expect_echo_answered(MEMBER_IN);
}
END_TEST

START_TEST(standby_drops_vip)
{
	expect_dropped(0, fx_pkt(0, CLIENT, VIP_IN, IPPROTO_ICMP, 7, 0, 0, 0, 0),
		       PHX_DROP_CLUSTER_NOT_ACTIVE);
	/* destination NAT from the VIP is the active member's too */
	expect_dropped(0, fx_pkt(0, CLIENT, VIP_IN, IPPROTO_TCP, 41001, 8080,
			      F_SYN, 1, 0), PHX_DROP_CLUSTER_NOT_ACTIVE);
}
END_TEST

START_TEST(forwarding_after_set)
{
	struct rte_mbuf *o;

	phx_dp_cluster_set_forwarding(fx_dp, true);
	ck_assert(phx_dp_cluster_forwarding(fx_dp));
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 41002, 80, F_SYN,
			   1000, 0), 1);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(fx_ip(o)->time_to_live, 63);
	ck_assert(rte_is_same_ether_addr(&fx_eth(o)->dst_addr, &fx_mac_server));
	rte_pktmbuf_free(o);
	o = through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 80, 41002, F_SYNACK,
			   5000, 1001), 0);
	rte_pktmbuf_free(o);
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 41002, 80, F_ACK,
			   1001, 5001), 1);
	rte_pktmbuf_free(o);
	ck_assert_uint_eq(phx_dp_sessions(fx_dp, 0), 1);
}
END_TEST

START_TEST(ccp_punted_while_forwarding)
{
	ck_assert(phx_dp_cluster_forwarding(fx_dp));
	expect_ccp_punted();
}
END_TEST

/* Only frames sent as control sends them (8116 both ways, to a directed
 * broadcast or an address of ours) are CCP: transit UDP to port 8116
 * is forwarded like any other. */
START_TEST(transit_udp_8116_is_forwarded)
{
	uint64_t ccp = fx_counter(PHX_CNT_CCP_TO_CTL);
	struct rte_mbuf *o;

	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 40116,
			   PHX_CCP_UDP_PORT, 0, 0, 0), 1);
	ck_assert_uint_eq(l4_port(o, 1), PHX_CCP_UDP_PORT);
	rte_pktmbuf_free(o);
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, PHX_CCP_UDP_PORT,
			   PHX_CCP_UDP_PORT, 0, 0, 0), 1);
	ck_assert_uint_eq(l4_port(o, 1), PHX_CCP_UDP_PORT);
	rte_pktmbuf_free(o);
	ck_assert_uint_eq(fx_counter(PHX_CNT_CCP_TO_CTL), ccp);
}
END_TEST

/* SPEC ADDR-52: an ICMP error the active member sends comes from the
 * VIP of the port it leaves, not from the member's own address. */
START_TEST(icmp_error_from_vip)
{
	struct rte_mbuf *m, *out[1];
	struct rte_icmp_hdr *ic;

	ck_assert(phx_dp_cluster_forwarding(fx_dp));
	m = fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 40999, 53, 0, 0, 0);
	fx_ip(m)->time_to_live = 1;
	fx_ip(m)->hdr_checksum = 0;
	fx_ip(m)->hdr_checksum = rte_ipv4_cksum(fx_ip(m));
	fx_inject(0, m);
	ck_assert_uint_eq(fx_collect(0, out, 1, 2000), 1);
	ck_assert_uint_eq(fx_ip(out[0])->next_proto_id, IPPROTO_ICMP);
	ic = (struct rte_icmp_hdr *)(fx_ip(out[0]) + 1);
	ck_assert_uint_eq(ic->icmp_type, 11); /* time exceeded */
	ck_assert_uint_eq(fx_ip(out[0])->src_addr, rte_cpu_to_be_32(VIP_IN));
	ck_assert_uint_eq(fx_ip(out[0])->dst_addr, rte_cpu_to_be_32(CLIENT));
	rte_pktmbuf_free(out[0]);
}
END_TEST

START_TEST(echo_to_vip_answered_from_vip)
{
	expect_echo_answered(VIP_IN);
	expect_echo_answered(MEMBER_IN);
}
END_TEST

START_TEST(snat_hides_behind_vip)
{
	struct rte_mbuf *o;
	uint16_t nat_port;

	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 41010, 9000, F_SYN,
			   1, 0), 1);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(VIP_OUT));
	nat_port = l4_port(o, 0);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	o = through(1, fx_pkt(1, SERVER, VIP_OUT, IPPROTO_TCP, 9000, nat_port,
			   F_SYNACK, 7, 2), 0);
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(l4_port(o, 1), 41010);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
}
END_TEST

START_TEST(dnat_from_vip)
{
	struct rte_mbuf *o;

	o = through(0, fx_pkt(0, CLIENT, VIP_IN, IPPROTO_TCP, 41020, 8080, F_SYN,
			   1, 0), 1);
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(SERVER));
	ck_assert_uint_eq(l4_port(o, 1), 80);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	o = through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 80, 41020, F_SYNACK,
			   9, 2), 0);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(VIP_IN));
	ck_assert_uint_eq(l4_port(o, 0), 8080);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
}
END_TEST

START_TEST(standby_keeps_sessions)
{
	uint32_t live = phx_dp_sessions(fx_dp, 0);
	uint64_t closed = fx_counter(PHX_CNT_SESS_CLOSED);
	struct rte_mbuf *o;

	ck_assert_uint_ge(live, 1);
	phx_dp_cluster_set_forwarding(fx_dp, false);
	ck_assert(!phx_dp_cluster_forwarding(fx_dp));
	/* a packet of forwarding_after_set's session */
	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 41002, 80,
			      F_PSHACK, 1001, 5001),
		       PHX_DROP_CLUSTER_NOT_ACTIVE);
	ck_assert_uint_eq(phx_dp_sessions(fx_dp, 0), live);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_CLOSED), closed);
	/* active again: the session carries on where it was */
	phx_dp_cluster_set_forwarding(fx_dp, true);
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 41002, 80, F_PSHACK,
			   1001, 5001), 1);
	rte_pktmbuf_free(o);
	ck_assert_uint_eq(phx_dp_sessions(fx_dp, 0), live);
}
END_TEST

/* A packet held for its next hop's MAC while this member forwarded is
 * dropped, not sent, when the answer comes after it turned standby
 * (MODE-12): the active member carries that traffic now. */
START_TEST(standby_drops_held_packets)
{
	static const struct rte_ether_addr mac_77 = {{ 2, 0, 0x0a, 2, 0, 77 }};
	uint64_t not_active = fx_drops(PHX_DROP_CLUSTER_NOT_ACTIVE);
	uint64_t released = fx_counter(PHX_CNT_NEIGH_RELEASED);
	uint64_t learned = fx_counter(PHX_CNT_NEIGH_LEARNED);

	phx_dp_cluster_set_forwarding(fx_dp, true);
	fx_inject(0, fx_pkt(0, CLIENT, IP(10, 2, 0, 77), IPPROTO_UDP, 5000, 53,
			    0, 0, 0));
	/* held: control asks for 10.2.0.77, nothing else leaves */
	ck_assert_uint_eq(data_frames(100), 0);
	ck_assert_uint_eq(fx_counter(PHX_CNT_NEIGH_LEARNED), learned + 1);
	phx_dp_cluster_set_forwarding(fx_dp, false);
	fx_inject(1, tb_arp(fx_pool, RTE_ARP_OP_REPLY, &mac_77,
			    IP(10, 2, 0, 77), &fx_mac_out0, IP(10, 2, 0, 11),
			    &fx_mac_out0));
	ck_assert_uint_eq(data_frames(100), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_CLUSTER_NOT_ACTIVE), not_active + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_NEIGH_RELEASED), released);
	phx_dp_cluster_set_forwarding(fx_dp, true);
}
END_TEST

/* CCP's group MAC (CCP-04, ADDR-22) on a port that is not promiscuous
 * (sync0 here): the arguments are checked, and net_ring, which has no
 * multicast list, takes all-multicast mode instead without an error; no
 * group (broadcast transport) is no error either. (net_ring is always
 * all-multicast, so what reaches a real NIC's filter cannot be seen
 * here.) */
START_TEST(mcast_groups)
{
	const struct rte_ether_addr grp = {{ 0x01, 0x00, 0x5e, 0, 0, 0xfa }};

	ck_assert_int_eq(phx_dp_port_mcast(fx_dp, 7, &grp), -EINVAL);
	ck_assert_int_eq(phx_dp_port_mcast(fx_dp, 0, &fx_mac_in0), -EINVAL);
	ck_assert_int_eq(phx_dp_port_mcast(fx_dp, 0, &grp), 0);
	ck_assert_int_eq(phx_dp_port_mcast(fx_dp, 2, &grp), 0);
	ck_assert_int_eq(phx_dp_port_mcast(fx_dp, 2, NULL), 0);
}
END_TEST

START_TEST(vmac_accepted_then_removed)
{
	struct tb_ip p = {
		.src_mac = fx_mac_client, .dst_mac = vmac,
		.src = CLIENT, .dst = MEMBER_IN, .proto = IPPROTO_ICMP,
		.icmp_type = RTE_IP_ICMP_ECHO_REQUEST, .sport = 11,
		.payload = 8,
	};
	const struct rte_ether_addr mcast = {{ 0x01, 0, 0x5e, 0, 0, 1 }};
	struct rte_mbuf *m, *o;
	int rc;

	expect_dropped(0, tb_ipv4(fx_pool, &p), PHX_DROP_L2_OTHER_HOST);
	ck_assert_int_eq(phx_dp_port_vmac(fx_dp, 0, &mcast), -EINVAL);
	ck_assert_int_eq(phx_dp_port_vmac(fx_dp, 7, &vmac), -EINVAL);
	/* net_ring has room for one MAC only: the device refuses, the
	 * workers accept it anyway */
	rc = phx_dp_port_vmac(fx_dp, 0, &vmac);
	ck_assert_msg(rc == 0 || rc == -ENOSPC || rc == -ENOTSUP, "rc %d", rc);
	o = through(0, tb_ipv4(fx_pool, &p), 0);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(MEMBER_IN));
	ck_assert(rte_is_same_ether_addr(&fx_eth(o)->dst_addr, &fx_mac_client));
	/* the member's own answer: from the port's MAC (ADDR-40) */
	ck_assert(rte_is_same_ether_addr(&fx_eth(o)->src_addr, &fx_mac_in0));
	rte_pktmbuf_free(o);
	/* in the cluster's name, from the VMAC: the VIP's echo reply, an
	 * ICMP error (from the VIP too) */
	o = through(0, fx_pkt(0, CLIENT, VIP_IN, IPPROTO_ICMP, 7, 0, 0, 0, 0),
		    0);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(VIP_IN));
	ck_assert(rte_is_same_ether_addr(&fx_eth(o)->src_addr, &vmac));
	rte_pktmbuf_free(o);
	m = fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 40998, 53, 0, 0, 0);
	fx_ip(m)->time_to_live = 1;
	fx_ip(m)->hdr_checksum = 0;
	fx_ip(m)->hdr_checksum = rte_ipv4_cksum(fx_ip(m));
	o = through(0, m, 0);
	ck_assert_uint_eq(fx_ip(o)->next_proto_id, IPPROTO_ICMP);
	ck_assert(rte_is_same_ether_addr(&fx_eth(o)->src_addr, &vmac));
	rte_pktmbuf_free(o);
	/* forwarded frames: out of port 1, which has no VMAC, from that
	 * port's MAC; out of port 0 from the VMAC */
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 41030, 80, F_SYN,
			   1, 0), 1);
	ck_assert(rte_is_same_ether_addr(&fx_eth(o)->src_addr, &fx_mac_out0));
	rte_pktmbuf_free(o);
	o = through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 80, 41030,
			   F_SYNACK, 7, 2), 0);
	ck_assert(rte_is_same_ether_addr(&fx_eth(o)->src_addr, &vmac));
	rte_pktmbuf_free(o);
	/* only port 0 has it */
	p.dst_mac = vmac;
	p.src_mac = fx_mac_server;
	p.src = SERVER;
	p.dst = MEMBER_OUT;
	expect_dropped(1, tb_ipv4(fx_pool, &p), PHX_DROP_L2_OTHER_HOST);
	/* removed */
	ck_assert_int_eq(phx_dp_port_vmac(fx_dp, 0, NULL), 0);
	p.src_mac = fx_mac_client;
	p.src = CLIENT;
	p.dst = MEMBER_IN;
	expect_dropped(0, tb_ipv4(fx_pool, &p), PHX_DROP_L2_OTHER_HOST);
	/* the port's own MAC was never affected; forwarded frames leave
	 * from it again */
	expect_echo_answered(MEMBER_IN);
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 41030, 80,
			   F_ACK, 2, 8), 1);
	rte_pktmbuf_free(o);
	o = through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 80, 41030,
			   F_PSHACK, 8, 2), 0);
	ck_assert(rte_is_same_ether_addr(&fx_eth(o)->src_addr, &fx_mac_in0));
	rte_pktmbuf_free(o);
}
END_TEST

START_TEST(ring_link_state)
{
	uint16_t pid = phx_dp_port(fx_dp, 2)->port_id;

	ck_assert(phx_dp_port_link_up(fx_dp, 2));
	ck_assert(!phx_dp_port_link_up(fx_dp, 9));
	ck_assert_int_eq(rte_eth_dev_set_link_down(pid), 0);
	ck_assert(!phx_dp_port_link_up(fx_dp, 2));
	ck_assert(phx_dp_port_link_up(fx_dp, 0));
	ck_assert_int_eq(rte_eth_dev_set_link_up(pid), 0);
	ck_assert(phx_dp_port_link_up(fx_dp, 2));
}
END_TEST

START_TEST(worker_heartbeat_moves)
{
	uint64_t a = phx_dp_worker_heartbeat(fx_dp, 0), b;

	rte_delay_us_sleep(20000);
	b = phx_dp_worker_heartbeat(fx_dp, 0);
	ck_assert_uint_gt(b, a);
	ck_assert_uint_eq(phx_dp_worker_heartbeat(fx_dp, 1), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Standalone member                                                    */

START_TEST(standalone_always_forwards)
{
	ck_assert(phx_dp_cluster_forwarding(fx_dp));
	phx_dp_cluster_set_forwarding(fx_dp, false);
	ck_assert(phx_dp_cluster_forwarding(fx_dp));
}
END_TEST

START_TEST(standalone_udp_8116_is_ordinary)
{
	uint64_t ccp = fx_counter(PHX_CNT_CCP_TO_CTL);
	struct rte_mbuf *o;

	/* transit: forwarded by client_out like any UDP */
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, PHX_CCP_UDP_PORT,
			   PHX_CCP_UDP_PORT, 0, 0, 0), 1);
	ck_assert_uint_eq(l4_port(o, 1), PHX_CCP_UDP_PORT);
	ck_assert_uint_eq(fx_ip(o)->time_to_live, 63);
	rte_pktmbuf_free(o);
	/* a CCP frame is a packet in a multicast (or broadcast) frame to a
	 * directed broadcast: neither is routed */
	expect_dropped(0, ccp_frame(IP(10, 1, 0, 12), IP(10, 1, 0, 255),
				    &ccp_group), PHX_DROP_L2_NOT_UNICAST);
	expect_dropped(0, ccp_frame(IP(10, 1, 0, 12), IP(10, 1, 0, 255),
				    &fx_mac_in0), PHX_DROP_IPV4_MARTIAN_DST);
	ck_assert_uint_eq(fx_counter(PHX_CNT_CCP_TO_CTL), ccp);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Link state of an af_packet port (root, private network namespace)   */

#define LK_IF "phxlk0"
#define LK_PEER "phxlk1"

static int
sh(const char *cmd)
{
	int rc = system(cmd);

	return rc == 0 ? 0 : -1;
}

/* Poll the link of port 0 until it reads want (the kernel updates a
 * veth's operational state from a work queue, promptly for veth). */
static bool
link_becomes(bool want)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * 2;

	while (rte_rdtsc() < end) {
		if (phx_dp_port_link_up(fx_dp, 0) == want)
			return true;
		rte_delay_us_sleep(1000);
	}
	return false;
}

START_TEST(af_packet_link_follows_kernel)
{
	ck_assert(link_becomes(true));
	/* administratively down in the member's namespace */
	ck_assert_int_eq(sh("ip link set " LK_IF " down"), 0);
	ck_assert(!phx_dp_port_link_up(fx_dp, 0)); /* IFF_UP: at once */
	ck_assert_int_eq(sh("ip link set " LK_IF " up"), 0);
	ck_assert(link_becomes(true));
	/* carrier lost: the other end of the cable went down */
	ck_assert_int_eq(sh("ip link set " LK_PEER " down"), 0);
	ck_assert(link_becomes(false));
	ck_assert_int_eq(sh("ip link set " LK_PEER " up"), 0);
	ck_assert(link_becomes(true));
	/* the interface gone */
	ck_assert_int_eq(sh("ip link del " LK_IF), 0);
	ck_assert(link_becomes(false));
}
END_TEST

static const char link_cfg[] =
	"{\n"
	"  \"name\": \"clutest\",\n"
	"  \"dataplane\": {\"workers\": 1, \"mbufs\": 4096},\n"
	"  \"ports\": [\n"
	"    {\"name\": \"lk0\", \"device\": \"net_af_packet9,iface=" LK_IF "\",\n"
	"     \"addresses\": [\"10.9.0.1/24\"]}\n"
	"  ]\n"
	"}\n";

/* EAL with the af_packet port on a fresh veth pair in a network namespace
 * of our own; returns false (skip) when that cannot be had. */
static bool
link_setup(char *prefix)
{
	char *eal[12], lc[] = "0-1";
	char a0[] = "dptest", a1[] = "--lcores", a3[] = "--no-huge",
	     a4[] = "--no-pci", a5[] = "-m", a6[] = "256", a7[] = "--vdev",
	     a8[] = "net_af_packet9,iface=" LK_IF, a9[] = "--file-prefix",
	     a10[] = "--log-level=*:warning";
	struct phx_cfg_errors errs = {0};

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0 ||
	    sh("ip link add " LK_IF " type veth peer name " LK_PEER
	       " && ip link set " LK_IF " up && ip link set " LK_PEER
	       " up") != 0)
		return false;
	eal[0] = a0; eal[1] = a1; eal[2] = lc; eal[3] = a3; eal[4] = a4;
	eal[5] = a5; eal[6] = a6; eal[7] = a7; eal[8] = a8; eal[9] = a9;
	eal[10] = prefix; eal[11] = a10;
	if (rte_eal_init(12, eal) < 0)
		fx_die("EAL init");
	fx_cfg = phx_config_load_buf("link.json", link_cfg, strlen(link_cfg),
				     &errs);
	if (fx_cfg == NULL) {
		phx_cfg_errors_print(&errs, stderr);
		fx_die("link configuration rejected");
	}
	fx_dp = phx_dp_create(fx_cfg, &errs);
	if (fx_dp == NULL) {
		phx_cfg_errors_print(&errs, stderr);
		fx_die("dataplane on af_packet not created");
	}
	if (phx_dp_start(fx_dp) != 0)
		fx_die("dataplane not started");
	return true;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	remove(path);
	return 0;
}

/* EAL leaves its runtime directory behind, and ours is named after the
 * pid (several builds may run this test at once): remove it. */
static void
rm_runtime_dir(const char *dir)
{
	if (dir[0] != '\0')
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int
run_link(void)
{
	char prefix[32], rundir[PATH_MAX];
	Suite *s = suite_create("dp_cluster_link");
	TCase *tc = tcase_create("link");
	SRunner *sr;
	int failed;

	snprintf(prefix, sizeof(prefix), "phx_dp_clulk_%d", (int)getpid());
	if (!link_setup(prefix)) {
		printf("dp_cluster_link: skipped (needs root, a network "
		       "namespace of its own and veth)\n");
		return 77;
	}
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, af_packet_link_follows_kernel);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	phx_dp_free(fx_dp);
	phx_config_free(fx_cfg);
	rte_eal_cleanup();
	rm_runtime_dir(rundir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	Suite *s = suite_create("dp_cluster");
	TCase *tc = tcase_create("cluster");
	char prefix[32], rundir[PATH_MAX];
	int rc;

	if (argc > 1 && strcmp(argv[1], "link") == 0)
		return run_link();
	standalone = argc > 1 && strcmp(argv[1], "standalone") == 0;
	if (argc > 1 && !standalone) {
		fprintf(stderr, "usage: %s [standalone|link]\n", argv[0]);
		return EXIT_FAILURE;
	}
	/* The pid: several builds may run this test at once. */
	snprintf(prefix, sizeof(prefix), "phx_dp_clu%s_%d",
		 standalone ? "sa" : "", (int)getpid());
	fx_setup(prefix, standalone ? standalone_cfg : cluster_cfg, 3);
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	fx_learn_hosts(MEMBER_IN, MEMBER_OUT);
	tcase_set_timeout(tc, 60);
	if (standalone) {
		tcase_add_test(tc, standalone_always_forwards);
		tcase_add_test(tc, standalone_udp_8116_is_ordinary);
	} else {
		/* in this order: the member starts as a standby */
		tcase_add_test(tc, starts_not_forwarding);
		tcase_add_test(tc, ccp_punted_while_not_forwarding);
		tcase_add_test(tc, standby_drops_transit);
		tcase_add_test(tc, standby_answers_own_address);
		tcase_add_test(tc, standby_drops_vip);
		tcase_add_test(tc, forwarding_after_set);
		tcase_add_test(tc, ccp_punted_while_forwarding);
		tcase_add_test(tc, transit_udp_8116_is_forwarded);
		tcase_add_test(tc, icmp_error_from_vip);
		tcase_add_test(tc, echo_to_vip_answered_from_vip);
		tcase_add_test(tc, snat_hides_behind_vip);
		tcase_add_test(tc, dnat_from_vip);
		tcase_add_test(tc, standby_keeps_sessions);
		tcase_add_test(tc, standby_drops_held_packets);
		tcase_add_test(tc, vmac_accepted_then_removed);
		tcase_add_test(tc, mcast_groups);
		tcase_add_test(tc, ring_link_state);
		tcase_add_test(tc, worker_heartbeat_moves);
	}
	suite_add_tcase(s, tc);
	rc = fx_run(s);
	rm_runtime_dir(rundir);
	return rc;
}
