/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateful inspection on the real worker loop (net_ring ports, one
 * process): sessions, the TCP state machine, UDP and ICMP pseudo-sessions,
 * ICMP errors matched to the session they quote, rules (accept, drop,
 * reject), source and destination NAT, idle timeout, policy reload, a
 * session installed from outside, a reload while the worker is stopped,
 * and every firewall drop reason. Port 0 (in0) is the client side, port 1 (out0) the server side.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "tests/dp/fixture.h"
#include "tests/dp/pkt_build.h"

#define RULES                                                                  \
	"  \"zones\": {\"inside\": [\"in0\"], \"outside\": [\"out0\"]},\n"    \
	"  \"rules\": [\n"                                                     \
	"    {\"name\": \"dnat_web\", \"in\": \"inside\", \"dst\": \"10.1.0.11\", \"proto\": \"tcp\",\n" \
	"     \"dport\": 8080, \"nat\": {\"destination\": \"10.2.0.100\", \"port\": 80}},\n" \
	"    {\"name\": \"snat_hide\", \"in\": \"inside\", \"src\": \"10.1.0.0/24\", \"dst\": \"10.2.0.0/24\",\n" \
	"     \"proto\": \"tcp\", \"dport\": \"9000-9099\", \"nat\": {\"source\": \"10.2.0.11\"}},\n" \
	"    {\"name\": \"snat_tight\", \"in\": \"inside\", \"proto\": \"udp\", \"dport\": 5500,\n" \
	"     \"nat\": {\"source\": \"10.2.0.11\", \"ports\": \"20000-20001\"}},\n" \
	"    {\"name\": \"short_idle\", \"in\": \"inside\", \"proto\": \"tcp\", \"dport\": 7000,\n" \
	"     \"timeouts\": {\"tcp_established\": 1}},\n"                       \
	"    {\"name\": \"rst_short\", \"in\": \"inside\", \"proto\": \"tcp\", \"dport\": \"7001-7002\",\n" \
	"     \"timeouts\": {\"tcp_close\": 1}},\n"                             \
	"    {\"name\": \"drop_udp\", \"in\": \"inside\", \"proto\": \"udp\", \"dport\": 6666, \"action\": \"drop\"},\n" \
	"    {\"name\": \"reject_tcp\", \"in\": \"inside\", \"proto\": \"tcp\", \"dport\": 6667, \"action\": \"reject\"},\n" \
	"    {\"name\": \"reject_udp\", \"in\": \"inside\", \"proto\": \"udp\", \"dport\": 6668, \"action\": \"reject\"},\n" \
	"    {\"name\": \"gre_hide\", \"in\": \"inside\", \"proto\": 47, \"nat\": {\"source\": \"10.2.0.11\"},\n" \
	"     \"timeouts\": {\"other\": 60}},\n"

static const char test_cfg[] =
	"{\n"
	"  \"name\": \"fwtest\",\n"
	"  \"dataplane\": {\"workers\": 1, \"mbufs\": 8192, \"icmp_rate\": 100000},\n"
	"  \"ports\": [\n"
	"    {\"name\": \"in0\", \"device\": \"net_ring_t0\", \"mac\": \"02:00:0a:01:00:0b\",\n"
	"     \"addresses\": [\"10.1.0.11/24\", \"10.1.0.1/24\"]},\n"
	"    {\"name\": \"out0\", \"device\": \"net_ring_t1\", \"mac\": \"02:00:0a:02:00:0b\",\n"
	"     \"addresses\": [\"10.2.0.11/24\"]}\n"
	"  ],\n"
	"  \"sessions\": {\"max\": 1024, \"tcp_trust_rst_ports\": [7002]},\n"
	"  \"timeouts\": {\"other\": 1},\n"
	RULES
	"    {\"name\": \"client_out\", \"in\": \"inside\", \"out\": \"outside\", \"src\": \"10.1.0.0/24\"}\n"
	"  ]\n"
	"}\n";

/* The same without client_out: what a reload takes away. */
static const char reload_cfg[] =
	"{\n"
	"  \"name\": \"fwtest\",\n"
	"  \"dataplane\": {\"workers\": 1, \"mbufs\": 8192, \"icmp_rate\": 100000},\n"
	"  \"ports\": [\n"
	"    {\"name\": \"in0\", \"device\": \"net_ring_t0\", \"mac\": \"02:00:0a:01:00:0b\",\n"
	"     \"addresses\": [\"10.1.0.11/24\", \"10.1.0.1/24\"]},\n"
	"    {\"name\": \"out0\", \"device\": \"net_ring_t1\", \"mac\": \"02:00:0a:02:00:0b\",\n"
	"     \"addresses\": [\"10.2.0.11/24\"]}\n"
	"  ],\n"
	"  \"sessions\": {\"max\": 1024, \"tcp_trust_rst_ports\": [7002]},\n"
	"  \"timeouts\": {\"other\": 1},\n"
	RULES
	"    {\"name\": \"last\", \"proto\": 47, \"action\": \"drop\"}\n"
	"  ]\n"
	"}\n";


#define CLIENT FX_CLIENT
#define SERVER FX_SERVER
#define F_SYN RTE_TCP_SYN_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_SYNACK (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)
#define F_PSHACK (RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG)

/* Send, and expect exactly one frame out of port out (or none: out < 0). */
static struct rte_mbuf *
through(int in, struct rte_mbuf *m, int out)
{
	struct rte_mbuf *o[2];
	unsigned n;

	fx_inject(in, m);
	if (out < 0) {
		fx_drain();
		return NULL;
	}
	n = fx_collect(out, o, 1, 1000);
	ck_assert_msg(n == 1, "expected a frame on port %d", out);
	return o[0];
}

static void
expect_dropped(int in, struct rte_mbuf *m, enum phx_drop_reason r)
{
	uint64_t before = fx_drops(r);

	through(in, m, -1);
	ck_assert_msg(fx_drops(r) == before + 1, "%s: %" PRIu64 " -> %" PRIu64,
		      phx_drop_name(r), before, fx_drops(r));
}

static uint16_t
l4_port(struct rte_mbuf *m, int dst)
{
	const uint16_t *p = (const uint16_t *)(fx_ip(m) + 1);

	return rte_be_to_cpu_16(p[dst]);
}

/* Handshake client:sport -> dst:dport through the member; returns the
 * server-side source port (after NAT) of the SYN. */
static uint16_t
handshake(uint32_t dst, uint16_t sport, uint16_t dport, uint32_t srv_src,
	  uint16_t srv_sport)
{
	struct rte_mbuf *o;
	uint16_t nat_sport;
	uint32_t nat_src;

	o = through(0, fx_pkt(0, CLIENT, dst, IPPROTO_TCP, sport, dport, F_SYN,
			   1000, 0), 1);
	ck_assert(tb_csum_ok(o));
	nat_sport = l4_port(o, 0);
	nat_src = rte_be_to_cpu_32(fx_ip(o)->src_addr);
	rte_pktmbuf_free(o);
	o = through(1, fx_pkt(1, srv_src, nat_src, IPPROTO_TCP, srv_sport,
			   nat_sport, F_SYNACK, 5000, 1001), 0);
	ck_assert(tb_csum_ok(o));
	ck_assert_uint_eq(l4_port(o, 1), sport);
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(CLIENT));
	rte_pktmbuf_free(o);
	o = through(0, fx_pkt(0, CLIENT, dst, IPPROTO_TCP, sport, dport, F_ACK,
			   1001, 5001), 1);
	rte_pktmbuf_free(o);
	return nat_sport;
}

START_TEST(tcp_session_through)
{
	uint64_t created = fx_counter(PHX_CNT_SESS_CREATED);
	struct rte_mbuf *o;

	handshake(SERVER, 40001, 80, SERVER, 80);
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40001, 80, F_PSHACK,
			   1001, 5001), 1);
	ck_assert_uint_eq(fx_ip(o)->time_to_live, 63);
	ck_assert(rte_is_same_ether_addr(&fx_eth(o)->dst_addr, &fx_mac_server));
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	o = through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 80, 40001, F_PSHACK,
			   5001, 1017), 0);
	rte_pktmbuf_free(o);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_CREATED), created + 1);
}
END_TEST

START_TEST(unsolicited_syn_from_server_side)
{
	/* SPEC SI-02: a rule allows client->server, not the other way. */
	expect_dropped(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 80, 22, F_SYN,
			      1, 0), PHX_DROP_NO_SESSION);
}
END_TEST

START_TEST(udp_request_response)
{
	struct rte_mbuf *o;

	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 5353, 53, 0, 0, 0), 1);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	o = through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_UDP, 53, 5353, 0, 0, 0), 0);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	/* SPEC SI-02: unsolicited UDP from the server side */
	expect_dropped(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_UDP, 53, 9999, 0, 0, 0),
		       PHX_DROP_NO_SESSION);
}
END_TEST

/* The worker's sample of its latest drop for r (what control logs once
 * a second, SPEC SI-03/SI-04) is this packet. */
static void
expect_sample(enum phx_drop_reason r, uint16_t sport, uint16_t dport,
	      uint8_t flags)
{
	struct phx_dp_drop_sample smp;

	ck_assert_int_eq(phx_dp_drop_sample(fx_dp, 0, r, &smp), 0);
	ck_assert_uint_eq(smp.src_ip, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(smp.dst_ip, rte_cpu_to_be_32(SERVER));
	ck_assert_uint_eq(rte_be_to_cpu_16(smp.sport), sport);
	ck_assert_uint_eq(rte_be_to_cpu_16(smp.dport), dport);
	ck_assert_uint_eq(smp.proto, IPPROTO_TCP);
	ck_assert_uint_eq(smp.tcp_flags, flags);
	ck_assert_uint_eq(smp.port, 0);
}

START_TEST(first_packet_not_syn)
{
	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40100, 81, F_ACK,
			      1, 1), PHX_DROP_TCP_NOT_SYN);
	expect_sample(PHX_DROP_TCP_NOT_SYN, 40100, 81, F_ACK);
}
END_TEST

START_TEST(syn_on_established)
{
	struct phx_dp_drop_sample smp;

	handshake(SERVER, 40002, 80, SERVER, 80);
	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40002, 80, F_SYN,
			      77, 0), PHX_DROP_TCP_SYN_ESTABLISHED);
	expect_sample(PHX_DROP_TCP_SYN_ESTABLISHED, 40002, 80, F_SYN);
	/* reasons nobody logs keep no sample */
	ck_assert_int_eq(phx_dp_drop_sample(fx_dp, 0, PHX_DROP_NO_SESSION,
					    &smp), -ENOENT);
}
END_TEST

/* SPEC SI-04 on an untrusted port, without sequence checking: a RST is
 * passed (the endpoint judges it, RFC 5961) but does not close the
 * session, which then lives only as long as a reset one (rst_short:
 * tcp_close 1 s) unless traffic follows; a SYN reusing the ports meanwhile
 * is "SYN packet for established connection". */
START_TEST(untrusted_rst_keeps_session_briefly)
{
	uint64_t unv = fx_counter(PHX_CNT_TCP_RST_UNVERIFIED);
	struct rte_mbuf *o[1];

	handshake(SERVER, 40005, 7001, SERVER, 7001);
	rte_pktmbuf_free(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP,
			 40005, 7001, RTE_TCP_RST_FLAG, 1001, 0), 1));
	ck_assert_uint_eq(fx_counter(PHX_CNT_TCP_RST_UNVERIFIED), unv + 1);
	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40005, 7001,
			      F_SYN, 9000, 0), PHX_DROP_TCP_SYN_ESTABLISHED);
	/* the server's challenge ACK (or any traffic) still passes, and
	 * gives the session its established lifetime back */
	rte_pktmbuf_free(through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP,
			 7001, 40005, F_ACK, 5001, 1001), 0));
	ck_assert_uint_eq(fx_collect(1, o, 1, 1300), 0);
	rte_pktmbuf_free(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP,
			 40005, 7001, F_PSHACK, 1001, 5001), 1));
	/* a RST nobody answers (then a second one, which must not give
	 * the lifetime back): the session is gone after tcp_close */
	rte_pktmbuf_free(through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP,
			 7001, 40005, RTE_TCP_RST_FLAG | F_ACK, 5001, 1017), 0));
	rte_pktmbuf_free(through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP,
			 7001, 40005, RTE_TCP_RST_FLAG | F_ACK, 5001, 1017), 0));
	ck_assert_uint_eq(fx_counter(PHX_CNT_TCP_RST_UNVERIFIED), unv + 3);
	ck_assert_uint_eq(fx_collect(1, o, 1, 1300), 0);
	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40005, 7001,
			      F_PSHACK, 1017, 5001), PHX_DROP_TCP_NOT_SYN);
}
END_TEST

/* The same on a trusted port (sessions.tcp_trust_rst_ports): a RST
 * closes at once and the ports can be reused; a SYN on ESTABLISHED
 * reopens the session. */
START_TEST(trusted_port_rst_and_reuse)
{
	uint64_t reuse = fx_counter(PHX_CNT_TCP_PORT_REUSE);
	uint64_t unv = fx_counter(PHX_CNT_TCP_RST_UNVERIFIED);
	uint64_t created = fx_counter(PHX_CNT_SESS_CREATED);

	handshake(SERVER, 40006, 7002, SERVER, 7002);
	rte_pktmbuf_free(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP,
			 40006, 7002, RTE_TCP_RST_FLAG, 1001, 0), 1));
	ck_assert_uint_eq(fx_counter(PHX_CNT_TCP_RST_UNVERIFIED), unv);
	handshake(SERVER, 40006, 7002, SERVER, 7002);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_CREATED), created + 2);
	/* the client lost its connection and reuses the port */
	rte_pktmbuf_free(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP,
			 40006, 7002, F_SYN, 9000, 0), 1));
	ck_assert_uint_eq(fx_counter(PHX_CNT_TCP_PORT_REUSE), reuse + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_CREATED), created + 3);
	/* the server still holds the old one: challenge ACK, client RST */
	rte_pktmbuf_free(through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP,
			 7002, 40006, F_ACK, 5001, 1001), 0));
	rte_pktmbuf_free(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP,
			 40006, 7002, RTE_TCP_RST_FLAG, 1001, 0), 1));
	/* and the retransmitted SYN opens the new connection */
	rte_pktmbuf_free(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP,
			 40006, 7002, F_SYN, 9000, 0), 1));
	rte_pktmbuf_free(through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP,
			 7002, 40006, F_SYNACK, 30000, 9001), 0));
	rte_pktmbuf_free(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP,
			 40006, 7002, F_ACK, 9001, 30001), 1));
}
END_TEST

/* phx conn --clear: the sessions a filter matches go (sess_cleared), the
 * others stay; a cleared TCP session's next packet is out of state. */
START_TEST(clear_removes_what_the_filter_matches)
{
	struct phx_conn_filter f = { .port = rte_cpu_to_be_16(7003) };
	uint64_t c0 = fx_counter(PHX_CNT_SESS_CLEARED), n = 0;

	handshake(SERVER, 40010, 7003, SERVER, 7003);
	handshake(SERVER, 40011, 7003, SERVER, 7003);
	handshake(SERVER, 40012, 7004, SERVER, 7004);
	ck_assert_int_eq(phx_dp_clear(fx_dp, &f, 2000, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_CLEARED), c0 + 2);
	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40010, 7003,
			      F_PSHACK, 1001, 5001), PHX_DROP_TCP_NOT_SYN);
	rte_pktmbuf_free(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP,
			 40012, 7004, F_PSHACK, 1001, 5001), 1));
	/* nothing left to match */
	ck_assert_int_eq(phx_dp_clear(fx_dp, &f, 2000, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(out_of_state)
{
	struct rte_mbuf *o;

	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40003, 80, F_SYN,
			   1, 0), 1);
	rte_pktmbuf_free(o);
	/* a FIN answering a SYN (lib/tcp_fsm.c: REPLY FIN in SYN_SENT) */
	expect_dropped(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 80, 40003,
			      RTE_TCP_FIN_FLAG | F_ACK, 9, 2),
		       PHX_DROP_TCP_OUT_OF_STATE);
}
END_TEST

START_TEST(bad_tcp_flags)
{
	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40004, 80,
			      RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG, 1, 0),
		       PHX_DROP_TCP_BAD_FLAGS);
}
END_TEST

START_TEST(rule_drop_and_reject)
{
	struct rte_mbuf *o;
	struct rte_tcp_hdr *th;
	struct rte_icmp_hdr *ic;
	uint64_t rej = fx_drops(PHX_DROP_RULE_REJECT);

	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 1000, 6666, 0, 0,
			      0), PHX_DROP_RULE_DROP);
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40005, 6667, F_SYN,
			   4242, 0), 0);
	th = (struct rte_tcp_hdr *)(fx_ip(o) + 1);
	ck_assert_uint_eq(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	/* RFC 793: ack = seq + payload (16 bytes) + 1 for the SYN */
	ck_assert_uint_eq(rte_be_to_cpu_32(th->recv_ack), 4242 + 16 + 1);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(SERVER));
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 1000, 6668, 0, 0, 0), 0);
	ic = (struct rte_icmp_hdr *)(fx_ip(o) + 1);
	ck_assert_uint_eq(ic->icmp_type, 3);
	ck_assert_uint_eq(ic->icmp_code, 3);
	rte_pktmbuf_free(o);
	ck_assert_uint_eq(fx_drops(PHX_DROP_RULE_REJECT), rej + 2);
}
END_TEST

START_TEST(source_nat_hides_client)
{
	struct rte_mbuf *o;
	uint16_t nat_port;

	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40010, 9000, F_SYN,
			   1, 0), 1);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(IP(10, 2, 0, 11)));
	nat_port = l4_port(o, 0);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	o = through(1, fx_pkt(1, SERVER, IP(10, 2, 0, 11), IPPROTO_TCP, 9000,
			   nat_port, F_SYNACK, 7, 2), 0);
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(l4_port(o, 1), 40010);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	/* The client is hidden: the server answering its real address is
	 * not part of the session; as a new flow it is no SYN. */
	expect_dropped(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 9000, 40010,
			      F_SYNACK, 7, 2), PHX_DROP_TCP_NOT_SYN);
}
END_TEST

START_TEST(snat_ports_exhausted)
{
	struct rte_mbuf *o;
	int i;

	for (i = 0; i < 2; i++) {
		o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP,
				   (uint16_t)(3000 + i), 5500, 0, 0, 0), 1);
		ck_assert_uint_ge(l4_port(o, 0), 20000);
		ck_assert_uint_le(l4_port(o, 0), 20001);
		rte_pktmbuf_free(o);
	}
	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 3002, 5500, 0, 0,
			      0), PHX_DROP_NAT_PORTS_EXHAUSTED);
}
END_TEST

START_TEST(destination_nat_forward)
{
	struct rte_mbuf *o;

	o = through(0, fx_pkt(0, CLIENT, IP(10, 1, 0, 11), IPPROTO_TCP, 40020,
			   8080, F_SYN, 1, 0), 1);
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(SERVER));
	ck_assert_uint_eq(l4_port(o, 1), 80);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	o = through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 80, 40020, F_SYNACK,
			   9, 2), 0);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(IP(10, 1, 0, 11)));
	ck_assert_uint_eq(l4_port(o, 0), 8080);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
}
END_TEST

START_TEST(idle_session_is_cut)
{
	uint64_t expired = fx_counter(PHX_CNT_SESS_EXPIRED);
	struct rte_mbuf *o[1];

	handshake(SERVER, 40030, 7000, SERVER, 7000);
	/* short_idle: tcp_established 1 s. SPEC SI-05: after it, even the
	 * legitimate peer's next packet is out of state. */
	ck_assert_uint_eq(fx_collect(1, o, 1, 1300), 0);
	expect_dropped(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40030, 7000,
			      F_PSHACK, 1001, 5001), PHX_DROP_TCP_NOT_SYN);
	ck_assert_uint_gt(fx_counter(PHX_CNT_SESS_EXPIRED), expired);
}
END_TEST

START_TEST(icmp_echo_session)
{
	struct tb_ip rep = { .src_mac = fx_mac_server, .dst_mac = fx_mac_out0,
		.src = SERVER, .dst = CLIENT, .proto = IPPROTO_ICMP,
		.icmp_type = RTE_IP_ICMP_ECHO_REPLY, .sport = 99, .payload = 8 };
	struct rte_mbuf *o;

	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_ICMP, 99, 99, 0, 0, 0), 1);
	rte_pktmbuf_free(o);
	o = through(1, tb_ipv4(fx_pool, &rep), 0);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	/* the pinged host may answer, not ask, with the session's id */
	rep.icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	expect_dropped(1, tb_ipv4(fx_pool, &rep), PHX_DROP_ICMP_OUT_OF_STATE);
	/* a reply nobody asked for opens nothing (as a lone SYN/ACK) */
	rep.sport = 98;
	rep.icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	expect_dropped(1, tb_ipv4(fx_pool, &rep), PHX_DROP_ICMP_OUT_OF_STATE);
	rep.src = CLIENT;
	rep.dst = SERVER;
	rep.src_mac = fx_mac_client;
	rep.dst_mac = fx_mac_in0;
	expect_dropped(0, tb_ipv4(fx_pool, &rep), PHX_DROP_ICMP_OUT_OF_STATE);
}
END_TEST

/* An ICMP error from the server side quoting q (an IPv4 packet). */
static struct rte_mbuf *
icmp_error_about(struct rte_mbuf *q, uint16_t quote_len)
{
	uint8_t body[8 + 64] = { 3, 3 };   /* port unreachable */
	struct tb_ip p = { .src_mac = fx_mac_server, .dst_mac = fx_mac_out0,
		.src = SERVER, .dst = CLIENT, .proto = IPPROTO_ICMP,
		.ttl = 64 };
	struct rte_mbuf *m;
	struct rte_icmp_hdr *ic;

	memcpy(body + 8, fx_ip(q), quote_len);
	p.payload = quote_len;
	p.icmp_type = 3;
	p.icmp_code = 3;
	p.data = body + 8;
	m = tb_ipv4(fx_pool, &p);
	ic = (struct rte_icmp_hdr *)(fx_ip(m) + 1);
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 8u + quote_len);
	return m;
}

START_TEST(icmp_errors_match_their_session)
{
	struct rte_mbuf *q, *o;

	/* about the client's UDP 5353 -> 53 (a session from an earlier
	 * test), as the server saw it */
	q = fx_pkt(1, CLIENT, SERVER, IPPROTO_UDP, 5353, 53, 0, 0, 0);
	o = through(1, icmp_error_about(q, 28), 0);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	rte_pktmbuf_free(q);
	q = fx_pkt(1, CLIENT, SERVER, IPPROTO_UDP, 5354, 53, 0, 0, 0);
	expect_dropped(1, icmp_error_about(q, 28), PHX_DROP_ICMP_NO_SESSION);
	expect_dropped(1, icmp_error_about(q, 12), PHX_DROP_ICMP_BAD_QUOTE);
	rte_pktmbuf_free(q);
	/* About the live session, but addressed to another inside host than
	 * the client that sent the quoted packet: not through the session
	 * (whoever knows its tuple must not reach other hosts by it). */
	q = fx_pkt(1, CLIENT, SERVER, IPPROTO_UDP, 5353, 53, 0, 0, 0);
	o = icmp_error_about(q, 28);
	fx_ip(o)->dst_addr = rte_cpu_to_be_32(IP(10, 1, 0, 200));
	fx_ip(o)->hdr_checksum = 0;
	fx_ip(o)->hdr_checksum = rte_ipv4_cksum(fx_ip(o));
	expect_dropped(1, o, PHX_DROP_ICMP_ERR_WRONG_HOST);
	rte_pktmbuf_free(q);
}
END_TEST

/* The quoted packet q of len bytes (a whole one) checks: its IPv4 header
 * and its TCP checksum over the pseudo-header. */
static bool
quote_csums_ok(const struct rte_ipv4_hdr *q, uint16_t len)
{
	uint32_t sum;

	if (rte_raw_cksum(q, sizeof(*q)) != 0xffff)
		return false;
	sum = rte_ipv4_phdr_cksum(q, 0) +
	      rte_raw_cksum(q + 1, len - (uint16_t)sizeof(*q));
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* m sent to dst instead (the IPv4 header checksum follows). */
static void
readdress(struct rte_mbuf *m, uint32_t dst)
{
	fx_ip(m)->dst_addr = rte_cpu_to_be_32(dst);
	fx_ip(m)->hdr_checksum = 0;
	fx_ip(m)->hdr_checksum = rte_ipv4_cksum(fx_ip(m));
}

/* The packet an ICMP error m (outer header without options) quotes. */
static struct rte_ipv4_hdr *
quoted(struct rte_mbuf *m)
{
	return (struct rte_ipv4_hdr *)((uint8_t *)(fx_ip(m) + 1) + 8);
}

/*
 * An ICMP error about a NATed flow reaches the host with the packet it
 * quotes as that host sent or saw it: addresses, port and the checksums
 * over them (the IPv4 header's, and TCP's when the quote reaches it), as
 * Linux's NAT does; traceroutes that tell probes apart by the L4
 * checksum depend on it.
 */
START_TEST(icmp_errors_about_nat_flows_quote_the_original)
{
	const uint32_t hide = IP(10, 2, 0, 11), vip = IP(10, 1, 0, 11);
	struct rte_mbuf *o, *e;
	uint16_t qlen;

	/* source NAT, the whole segment quoted, the error sent to the
	 * address the client hides behind */
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40077, 9001,
			   F_SYN, 1, 0), 1);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(hide));
	qlen = rte_be_to_cpu_16(fx_ip(o)->total_length);
	ck_assert_uint_le(qlen, 64);
	e = icmp_error_about(o, qlen);
	rte_pktmbuf_free(o);
	readdress(e, hide);
	o = through(1, e, 0);
	ck_assert(tb_csum_ok(o));
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(quoted(o)->src_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(rte_be_to_cpu_16(*(uint16_t *)(quoted(o) + 1)),
			  40077);
	ck_assert_msg(quote_csums_ok(quoted(o), qlen),
		      "source NAT: the quoted segment's checksums");
	rte_pktmbuf_free(o);

	/* the same with 8 bytes of TCP quoted (RFC 792's minimum): no
	 * checksum to fix, the rest translated */
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40079, 9002,
			   F_SYN, 1, 0), 1);
	e = icmp_error_about(o, 28);
	rte_pktmbuf_free(o);
	readdress(e, hide);
	o = through(1, e, 0);
	ck_assert(tb_csum_ok(o));
	ck_assert_uint_eq(quoted(o)->src_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(rte_be_to_cpu_16(*(uint16_t *)(quoted(o) + 1)),
			  40079);
	ck_assert_uint_eq(rte_raw_cksum(quoted(o), 20), 0xffff);
	rte_pktmbuf_free(o);

	/* destination NAT: an error from the server side about the
	 * forwarded segment quotes what the client sent, to the VIP */
	o = through(0, fx_pkt(0, CLIENT, vip, IPPROTO_TCP, 40078, 8080, F_SYN,
			   1, 0), 1);
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(SERVER));
	qlen = rte_be_to_cpu_16(fx_ip(o)->total_length);
	e = icmp_error_about(o, qlen);
	rte_pktmbuf_free(o);
	o = through(1, e, 0);
	ck_assert(tb_csum_ok(o));
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(vip));
	ck_assert_uint_eq(quoted(o)->dst_addr, rte_cpu_to_be_32(vip));
	ck_assert_uint_eq(rte_be_to_cpu_16(((uint16_t *)(quoted(o) + 1))[1]),
			  8080);
	ck_assert_msg(quote_csums_ok(quoted(o), qlen),
		      "destination NAT: the quoted segment's checksums");
	rte_pktmbuf_free(o);
}
END_TEST

/* An ICMP error is never answered with one (RFC 1122 3.2.2): one about
 * a live session arriving with TTL 1 is dropped, silently. */
START_TEST(no_icmp_error_about_an_icmp_error)
{
	uint64_t sent = fx_counter(PHX_CNT_ICMP_ERRORS_SENT);
	struct rte_mbuf *q, *e, *o[1];
	struct rte_ipv4_hdr *ip;

	q = fx_pkt(1, CLIENT, SERVER, IPPROTO_UDP, 5353, 53, 0, 0, 0);
	e = icmp_error_about(q, 28);
	rte_pktmbuf_free(q);
	ip = fx_ip(e);
	ip->time_to_live = 1;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	expect_dropped(1, e, PHX_DROP_TTL_EXCEEDED);
	ck_assert_uint_eq(fx_counter(PHX_CNT_ICMP_ERRORS_SENT), sent);
	ck_assert_uint_eq(fx_collect(1, o, 1, 50), 0);
}
END_TEST

/* GRE: a 4-byte header (IPv4 inside) and 4 bytes of key or payload,
 * where TCP and UDP would have their ports. */
static const uint8_t gre_hdr[8] = { 0x20, 0x00, 0x08, 0x00,
				    0xaa, 0xbb, 0xcc, 0xdd };

static struct rte_mbuf *
gre(int from_server, uint32_t src, uint32_t dst)
{
	struct tb_ip p = {
		.src_mac = from_server ? fx_mac_server : fx_mac_client,
		.dst_mac = from_server ? fx_mac_out0 : fx_mac_in0,
		.src = src, .dst = dst, .proto = 47, .ttl = 64,
	};
	struct rte_mbuf *m = tb_ipv4(fx_pool, &p);

	memcpy(fx_ip(m) + 1, gre_hdr, sizeof(gre_hdr));
	return m;
}

/*
 * Source NAT of a protocol without ports (GRE): the address alone is
 * translated, the payload left as it was, and the reply finds its way
 * back. A second inside host to the same peer would need the same reply
 * key: denied as a key conflict. After a reload, the session keeps its
 * rule's timeout (60 s), not the global one (1 s), while it waits for
 * its re-check.
 */
START_TEST(portless_source_nat_and_reload)
{
	uint64_t conflicts = fx_drops(PHX_DROP_SESSION_KEY_CONFLICT);
	uint64_t expired = fx_counter(PHX_CNT_SESS_EXPIRED);
	struct phx_policy *p2;
	struct rte_mbuf *o;
	char err[256];

	o = through(0, gre(0, CLIENT, SERVER), 1);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(IP(10, 2, 0, 11)));
	ck_assert(memcmp(fx_ip(o) + 1, gre_hdr, sizeof(gre_hdr)) == 0);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	o = through(1, gre(1, SERVER, IP(10, 2, 0, 11)), 0);
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert(memcmp(fx_ip(o) + 1, gre_hdr, sizeof(gre_hdr)) == 0);
	ck_assert(tb_csum_ok(o));
	rte_pktmbuf_free(o);
	expect_dropped(0, gre(0, IP(10, 1, 0, 101), SERVER),
		       PHX_DROP_SESSION_KEY_CONFLICT);
	ck_assert_uint_eq(fx_drops(PHX_DROP_SESSION_KEY_CONFLICT),
			  conflicts + 1);

	/* idle past the global timeout, not the rule's; then a reload */
	rte_delay_ms(1500);
	p2 = phx_dp_policy_build(fx_dp, fx_cfg, phx_dp_policy_gen(fx_dp) + 1,
				 err, sizeof(err));
	ck_assert_msg(p2 != NULL, "%s", err);
	phx_dp_policy_publish(fx_dp, p2);
	o = through(1, gre(1, SERVER, IP(10, 2, 0, 11)), 0);
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(CLIENT));
	rte_pktmbuf_free(o);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_EXPIRED), expired);
}
END_TEST

START_TEST(rule_hits_counted)
{
	uint64_t hits[PHX_CFG_MAX_RULES];
	char names[PHX_CFG_MAX_RULES][PHX_CFG_NAME_LEN];
	unsigned n = phx_dp_rule_hits(fx_dp, hits, names, PHX_CFG_MAX_RULES);

	ck_assert_uint_eq(n, 10);
	ck_assert_str_eq(names[9], "client_out");
	ck_assert_uint_ge(hits[9], 4);
	ck_assert_str_eq(names[4], "rst_short");
	ck_assert_uint_eq(hits[4], 5);  /* sessions: 7001 one, 7002 four */
	ck_assert_str_eq(names[5], "drop_udp");
	ck_assert_uint_eq(hits[5], 1);
}
END_TEST

START_TEST(install_from_outside)
{
	struct phx_dp_msg msg = { .type = PHX_MSG_INSTALL, .remaining_ms = 20000 };
	uint64_t inst = fx_counter(PHX_CNT_SESS_INSTALLED);
	struct rte_mbuf *o;

	msg.s.key = (struct phx_flow_key){
		.src_ip = rte_cpu_to_be_32(CLIENT),
		.dst_ip = rte_cpu_to_be_32(SERVER),
		.sport = rte_cpu_to_be_16(6000), .dport = rte_cpu_to_be_16(6001),
		.proto = IPPROTO_UDP };
	msg.s.state = 1;
	msg.s.tmo_class = PHX_TMO_UDP_FIRST;
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &msg), 0);
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_INSTALLED), inst + 1);
	/* the reply direction now passes, with no rule needed */
	o = through(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_UDP, 6001, 6000, 0, 0, 0), 0);
	rte_pktmbuf_free(o);

	/* The same key with another source-NAT port (a new session whose
	 * predecessor's removal never came): the peer's translation wins,
	 * the old one and its port go. */
	msg.s.key.sport = rte_cpu_to_be_16(6100);
	msg.s.flags = PHX_SESS_F_SNAT;
	msg.s.nat_ip = rte_cpu_to_be_32(IP(10, 2, 0, 11));
	msg.s.nat_port = rte_cpu_to_be_16(30001);
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &msg), 0);
	msg.s.nat_port = rte_cpu_to_be_16(30002);
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &msg), 0);
	fx_drain();
	o = through(1, fx_pkt(1, SERVER, IP(10, 2, 0, 11), IPPROTO_UDP, 6001,
			   30002, 0, 0, 0), 0);
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(l4_port(o, 1), 6100);
	rte_pktmbuf_free(o);
	ck_assert_ptr_null(through(1, fx_pkt(1, SERVER, IP(10, 2, 0, 11),
				     IPPROTO_UDP, 6001, 30001, 0, 0, 0), -1));
	ck_assert_uint_eq(fx_collect(0, &o, 1, 50), 0);
}
END_TEST

/* sessions.tcp_trust_rst_ports is applied by a reload (SPEC §8:
 * fw_trust_rst_on_port is a runtime parameter): with 7001 trusted
 * instead of 7002, a RST on a 7001 session closes it at once, one on a
 * 7002 session is passed unverified. Then the first list again. */
START_TEST(reload_changes_trusted_rst_ports)
{
	struct phx_cfg_errors errs = { 0 };
	uint64_t unv, gen = phx_dp_policy_gen(fx_dp);
	struct phx_policy *p2, *p3;
	struct phx_config *c2;
	char err[256], *text, *at;

	text = strdup(test_cfg);
	ck_assert_ptr_nonnull(text);
	at = strstr(text, "\"tcp_trust_rst_ports\": [7002]");
	ck_assert_ptr_nonnull(at);
	memcpy(strchr(at, '[') + 1, "7001", 4);
	c2 = phx_config_load_buf("trust.json", text, strlen(text), &errs);
	free(text);
	ck_assert_ptr_nonnull(c2);
	p2 = phx_dp_policy_build(fx_dp, c2, gen + 1, err, sizeof(err));
	ck_assert_msg(p2 != NULL, "%s", err);
	phx_dp_policy_publish(fx_dp, p2);

	unv = fx_counter(PHX_CNT_TCP_RST_UNVERIFIED);
	handshake(SERVER, 40090, 7001, SERVER, 7001);
	rte_pktmbuf_free(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP,
			 40090, 7001, RTE_TCP_RST_FLAG, 1001, 0), 1));
	ck_assert_uint_eq(fx_counter(PHX_CNT_TCP_RST_UNVERIFIED), unv);
	handshake(SERVER, 40091, 7002, SERVER, 7002);
	rte_pktmbuf_free(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP,
			 40091, 7002, RTE_TCP_RST_FLAG, 1001, 0), 1));
	ck_assert_uint_eq(fx_counter(PHX_CNT_TCP_RST_UNVERIFIED), unv + 1);

	p3 = phx_dp_policy_build(fx_dp, fx_cfg, gen + 2, err, sizeof(err));
	ck_assert_msg(p3 != NULL, "%s", err);
	phx_dp_policy_publish(fx_dp, p3);
	phx_config_free(c2);
}
END_TEST

START_TEST(reload_revokes_and_keeps)
{
	struct phx_cfg_errors errs = {0};
	struct phx_config *c2;
	struct phx_policy *p2, *p3;
	struct rte_mbuf *o, *o_none[1];
	char err[256];
	uint64_t gen, revoked = fx_counter(PHX_CNT_SESS_REVOKED);

	/* a client_out session (UDP) and a snat_hide one (TCP) */
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 5400, 53, 0, 0, 0), 1);
	rte_pktmbuf_free(o);
	c2 = phx_config_load_buf("reload.json", reload_cfg, strlen(reload_cfg),
				 &errs);
	ck_assert_ptr_nonnull(c2);
	gen = phx_dp_policy_gen(fx_dp);
	p2 = phx_dp_policy_build(fx_dp, c2, gen + 1, err, sizeof(err));
	ck_assert_msg(p2 != NULL, "%s", err);
	phx_dp_policy_publish(fx_dp, p2);
	ck_assert_uint_eq(phx_dp_policy_gen(fx_dp), gen + 1);
	/* No rule admits the UDP flow any more: the session is revoked, by
	 * the sweep or by its next packet (policy_revoked), whichever comes
	 * first; either way that packet does not pass. */
	ck_assert_ptr_null(through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 5400,
					  53, 0, 0, 0), -1));
	ck_assert_uint_ge(fx_counter(PHX_CNT_SESS_REVOKED), revoked + 1);
	ck_assert_uint_eq(fx_collect(1, o_none, 1, 50), 0);
	/* the SNAT session of an earlier test is still admitted */
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 40010, 9000, F_ACK,
			   2, 8), 1);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(IP(10, 2, 0, 11)));
	rte_pktmbuf_free(o);
	/* back to the first policy for what follows */
	p3 = phx_dp_policy_build(fx_dp, fx_cfg, gen + 2, err, sizeof(err));
	ck_assert_ptr_nonnull(p3);
	phx_dp_policy_publish(fx_dp, p3);
	phx_config_free(c2);
}
END_TEST

/* A worker stopped in the middle of its loop (here in a signal handler,
 * as a bug or a debugger stops one) passes no quiescent state. A reload
 * still publishes at once: the old policy waits for the worker, the
 * caller (the control lcore) does not (dataplane/grace.c). */
static volatile sig_atomic_t stall_in, stall_release;

static void
stall_here(int sig)
{
	const struct timespec ms = { 0, 1000000 };

	(void)sig;
	stall_in = 1;
	while (!stall_release)
		nanosleep(&ms, NULL);
}

/* The TID of this process's thread called name (EAL names its worker
 * lcores "rte-worker-N"), or -1. */
static pid_t
thread_named(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	const struct dirent *e;
	size_t n = strlen(name);
	pid_t tid = -1;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[300], comm[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		f = e->d_name[0] != '.' ? fopen(path, "r") : NULL;
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, name, n) == 0 &&
		    (comm[n] == '\n' || comm[n] == '\0'))
			tid = atoi(e->d_name);
		fclose(f);
	}
	if (d != NULL)
		closedir(d);
	return tid;
}

static void *
publish_thread(void *pol)
{
	phx_dp_policy_publish(fx_dp, pol);
	return NULL;
}

START_TEST(reload_does_not_wait_for_a_stalled_worker)
{
	struct sigaction sa = { .sa_handler = stall_here };
	pid_t tid = thread_named("rte-worker-1");
	struct phx_policy *p2;
	struct timespec until;
	struct rte_mbuf *o;
	uint64_t gen, hb;
	pthread_t thr;
	char err[256];
	int rc, i;

	ck_assert_int_gt(tid, 0);
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR2, &sa, NULL), 0);
	stall_in = 0;
	stall_release = 0;
	ck_assert_int_eq(syscall(SYS_tgkill, getpid(), tid, SIGUSR2), 0);
	for (i = 0; i < 2000 && !stall_in; i++)
		rte_delay_ms(1);
	ck_assert_msg(stall_in, "the worker did not stop");
	hb = phx_dp_worker_heartbeat(fx_dp, 0);
	gen = phx_dp_policy_gen(fx_dp);
	p2 = phx_dp_policy_build(fx_dp, fx_cfg, gen + 1, err, sizeof(err));
	ck_assert_msg(p2 != NULL, "%s", err);
	ck_assert_int_eq(pthread_create(&thr, NULL, publish_thread, p2), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	rc = pthread_timedjoin_np(thr, NULL, &until);
	if (rc != 0) {
		stall_release = 1;
		pthread_join(thr, NULL);
		ck_abort_msg("the publish waited for the stopped worker");
	}
	ck_assert_uint_eq(phx_dp_policy_gen(fx_dp), gen + 1);
	ck_assert_uint_eq(phx_dp_worker_heartbeat(fx_dp, 0), hb); /* stopped */
	stall_release = 1;
	for (i = 0; i < 2000 && phx_dp_worker_heartbeat(fx_dp, 0) == hb; i++)
		rte_delay_ms(1);
	ck_assert_uint_ne(phx_dp_worker_heartbeat(fx_dp, 0), hb);
	/* and the worker goes on with the new policy */
	o = through(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 5500, 53, 0, 0, 0),
		    1);
	rte_pktmbuf_free(o);
}
END_TEST

START_TEST(table_full_denies_new_flows)
{
	uint64_t full = fx_drops(PHX_DROP_SESSION_TABLE_FULL);
	struct rte_mbuf *o[64];
	int i, k;

	for (i = 0; i < 1100; i += 50) {
		for (k = 0; k < 50; k++)
			fx_inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP,
					 (uint16_t)(10000 + i + k), 4000, 0, 0, 0));
		while (fx_collect(1, o, 64, 20) > 0)
			;
		fx_drain();
	}
	ck_assert_msg(fx_drops(PHX_DROP_SESSION_TABLE_FULL) > full,
		      "sessions %u, created %" PRIu64 ", no_session %" PRIu64
		      ", ctl_ring_full %" PRIu64, phx_dp_sessions(fx_dp, 0),
		      fx_counter(PHX_CNT_SESS_CREATED),
		      fx_drops(PHX_DROP_NO_SESSION),
		      fx_drops(PHX_DROP_CTL_RING_FULL));
	ck_assert_uint_le(phx_dp_sessions(fx_dp, 0), 1024);
	(void)o;
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dp_firewall");
	TCase *tc = tcase_create("firewall");

	fx_setup("phx_dp_firewall", test_cfg, 2);
	fx_learn_hosts(IP(10, 1, 0, 1), IP(10, 2, 0, 11));

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tcp_session_through);
	tcase_add_test(tc, unsolicited_syn_from_server_side);
	tcase_add_test(tc, udp_request_response);
	tcase_add_test(tc, first_packet_not_syn);
	tcase_add_test(tc, syn_on_established);
	tcase_add_test(tc, untrusted_rst_keeps_session_briefly);
	tcase_add_test(tc, trusted_port_rst_and_reuse);
	tcase_add_test(tc, clear_removes_what_the_filter_matches);
	tcase_add_test(tc, out_of_state);
	tcase_add_test(tc, bad_tcp_flags);
	tcase_add_test(tc, rule_drop_and_reject);
	tcase_add_test(tc, source_nat_hides_client);
	tcase_add_test(tc, snat_ports_exhausted);
	tcase_add_test(tc, destination_nat_forward);
	tcase_add_test(tc, idle_session_is_cut);
	tcase_add_test(tc, icmp_echo_session);
	tcase_add_test(tc, icmp_errors_match_their_session);
	tcase_add_test(tc, no_icmp_error_about_an_icmp_error);
	tcase_add_test(tc, icmp_errors_about_nat_flows_quote_the_original);
	tcase_add_test(tc, rule_hits_counted);
	tcase_add_test(tc, portless_source_nat_and_reload);
	tcase_add_test(tc, reload_changes_trusted_rst_ports);
	tcase_add_test(tc, install_from_outside);
	tcase_add_test(tc, reload_revokes_and_keeps);
	tcase_add_test(tc, reload_does_not_wait_for_a_stalled_worker);
	tcase_add_test(tc, table_full_denies_new_flows);
	suite_add_tcase(s, tc);
	return fx_run(s);
}
