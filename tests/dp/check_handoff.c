/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two workers (lcores 1 and 2 share the second CPU): flows whose replies
 * the RSS would bring to the other worker. Source NAT picks ports so that
 * replies come back to the owner by themselves; destination-NAT replies
 * cannot, and are handed to the owner through its ring. The ring ports
 * have no RSS, so the dataplane uses its default redirection table (round
 * robin over the workers) and the test injects each frame on the queue the
 * same symmetric Toeplitz hash picks.
 */
#include <stdlib.h>

#include <check.h>
#include <rte_arp.h>
#include <rte_tcp.h>
#include <rte_thash.h>

#include "tests/dp/fixture.h"
#include "tests/dp/pkt_build.h"

static const char test_cfg[] =
	"{\"name\": \"hotest\",\n"
	" \"dataplane\": {\"workers\": 2, \"mbufs\": 4096},\n"
	" \"ports\": [\n"
	"  {\"name\": \"in0\", \"device\": \"net_ring_t0\", \"mac\": \"02:00:0a:01:00:0b\",\n"
	"   \"addresses\": [\"10.1.0.11/24\"]},\n"
	"  {\"name\": \"out0\", \"device\": \"net_ring_t1\", \"mac\": \"02:00:0a:02:00:0b\",\n"
	"   \"addresses\": [\"10.2.0.11/24\"]}],\n"
	" \"sessions\": {\"max\": 1024},\n"
	" \"rules\": [\n"
	"  {\"name\": \"dnat\", \"in\": \"in0\", \"dst\": \"10.1.0.11\", \"proto\": \"tcp\",\n"
	"   \"dport\": 8080, \"nat\": {\"destination\": \"10.2.0.100\", \"port\": 80}},\n"
	"  {\"name\": \"snat\", \"in\": \"in0\", \"proto\": \"tcp\", \"dport\": 9000,\n"
	"   \"nat\": {\"source\": \"10.2.0.11\"}}]}\n";


#define CLIENT FX_CLIENT
#define SERVER FX_SERVER
#define MEMBER_IN IP(10, 1, 0, 11)
#define MEMBER_OUT IP(10, 2, 0, 11)

/* The queue (= worker) RSS picks: default RETA of 128 entries, round
 * robin over 2 workers. */
static unsigned
queue_of(uint32_t a, uint32_t b, uint16_t pa, uint16_t pb)
{
	static const uint8_t key[40] __rte_aligned(4) = {
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a };
	uint32_t kbe[10];
	uint32_t t[3] = { a, b, (uint32_t)pa << 16 | pb };

	rte_convert_rss_key((const uint32_t *)(const void *)key, kbe, 40);
	return (rte_softrss_be(t, 3, (const uint8_t *)kbe) % 128) % 2;
}

static struct rte_mbuf *
tcp(int from_server, uint32_t src, uint32_t dst, uint16_t sport,
    uint16_t dport, uint8_t flags)
{
	struct tb_ip p = {
		.src_mac = from_server ? fx_mac_server : fx_mac_client,
		.dst_mac = from_server ? fx_mac_out0 : fx_mac_in0,
		.src = src, .dst = dst, .proto = IPPROTO_TCP, .ttl = 64,
		.sport = sport, .dport = dport, .tcp_flags = flags,
		.seq = 1, .ack = 2,
	};

	return tb_ipv4(fx_pool, &p);
}

static uint16_t
sport_of(struct rte_mbuf *m)
{
	return rte_be_to_cpu_16(*(uint16_t *)(fx_ip(m) + 1));
}

START_TEST(dnat_reply_is_handed_to_the_owner)
{
	uint64_t tx = fx_counter(PHX_CNT_HANDOFF_TX);
	uint64_t rx = fx_counter(PHX_CNT_HANDOFF_RX);
	struct rte_mbuf *o[1];
	unsigned owner, other;
	uint16_t cport;

	/* a client port whose reply from the server hashes elsewhere */
	for (cport = 40000; cport < 40100; cport++)
		if (queue_of(CLIENT, MEMBER_IN, cport, 8080) !=
		    queue_of(SERVER, CLIENT, 80, cport))
			break;
	owner = queue_of(CLIENT, MEMBER_IN, cport, 8080);
	other = queue_of(SERVER, CLIENT, 80, cport);
	ck_assert_uint_ne(owner, other);
	fx_inject_q(0, owner, tcp(0, CLIENT, MEMBER_IN, cport, 8080,
				  RTE_TCP_SYN_FLAG));
	ck_assert_uint_eq(fx_collect(1, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->dst_addr, rte_cpu_to_be_32(SERVER));
	rte_pktmbuf_free(o[0]);
	fx_inject_q(1, other, tcp(1, SERVER, CLIENT, 80, cport,
				  RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG));
	ck_assert_uint_eq(fx_collect(0, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->src_addr, rte_cpu_to_be_32(MEMBER_IN));
	ck_assert_uint_eq(sport_of(o[0]), 8080);
	ck_assert(tb_csum_ok(o[0]));
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_RX), rx + 1);
}
END_TEST

START_TEST(snat_ports_bring_replies_home)
{
	uint64_t tx = fx_counter(PHX_CNT_HANDOFF_TX);
	struct rte_mbuf *o[1];
	uint16_t cport, nport;
	unsigned q;

	for (cport = 41000; cport < 41016; cport++) {
		q = queue_of(CLIENT, SERVER, cport, 9000);
		fx_inject_q(0, q, tcp(0, CLIENT, SERVER, cport, 9000,
				      RTE_TCP_SYN_FLAG));
		ck_assert_uint_eq(fx_collect(1, o, 1, 1000), 1);
		nport = sport_of(o[0]);
		rte_pktmbuf_free(o[0]);
		/* the reply's own hash picks the worker that owns it */
		ck_assert_uint_eq(queue_of(SERVER, MEMBER_OUT, 9000, nport), q);
		fx_inject_q(1, q, tcp(1, SERVER, MEMBER_OUT, 9000, nport,
				      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG));
		ck_assert_uint_eq(fx_collect(0, o, 1, 1000), 1);
		ck_assert_uint_eq(rte_be_to_cpu_16(((uint16_t *)(fx_ip(o[0]) + 1))[1]),
				  cport);
		rte_pktmbuf_free(o[0]);
	}
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx);
	ck_assert_uint_gt(phx_dp_sessions(fx_dp, 0), 0);
	ck_assert_uint_gt(phx_dp_sessions(fx_dp, 1), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dp_handoff");
	TCase *tc = tcase_create("handoff");

	fx_setup_q("phx_dp_handoff", test_cfg, 2, 2, "0@0,1@1,2@1");
	fx_learn_hosts(MEMBER_IN, MEMBER_OUT);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, dnat_reply_is_handed_to_the_owner);
	tcase_add_test(tc, snat_ports_bring_replies_home);
	suite_add_tcase(s, tc);
	return fx_run(s);
}
