/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two workers (lcores 1 and 2 share the second CPU): flows whose replies
 * the RSS would bring to the other worker. Source NAT picks ports so that
 * replies come back to the owner by themselves; destination-NAT replies,
 * ICMP query replies to a source-NAT address and ICMP errors cannot, and
 * are handed to the owner through its ring; a flow the DNAT target opens
 * itself stays (or comes back) where RSS brings its replies. The ring ports
 * have no RSS, so the dataplane uses its default redirection table (round
 * robin over the workers) and the test injects each frame on the queue the
 * same symmetric Toeplitz hash picks.
 */
#include <stdlib.h>

#include <check.h>
#include <rte_arp.h>
#include <rte_icmp.h>
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
	"  {\"name\": \"dnat_alt\", \"in\": \"in0\", \"dst\": \"10.1.0.11\", \"proto\": \"tcp\",\n"
	"   \"dport\": 8081, \"nat\": {\"destination\": \"10.2.0.100\", \"port\": 80}},\n"
	"  {\"name\": \"dnat\", \"in\": \"in0\", \"dst\": \"10.1.0.11\", \"proto\": \"tcp\",\n"
	"   \"dport\": 8080, \"nat\": {\"destination\": \"10.2.0.100\", \"port\": 80}},\n"
	"  {\"name\": \"snat\", \"in\": \"in0\", \"proto\": \"tcp\", \"dport\": 9000,\n"
	"   \"nat\": {\"source\": \"10.2.0.11\"}},\n"
	"  {\"name\": \"dnat_ping\", \"in\": \"in0\", \"dst\": \"10.1.0.11\", \"proto\": \"icmp\",\n"
	"   \"nat\": {\"destination\": \"10.2.0.100\"}},\n"
	"  {\"name\": \"dnat_udp\", \"in\": \"in0\", \"dst\": \"10.1.0.11\", \"proto\": \"udp\",\n"
	"   \"dport\": 5353, \"nat\": {\"destination\": \"10.2.0.100\"}},\n"
	"  {\"name\": \"ping_hide\", \"in\": \"in0\", \"proto\": \"icmp\",\n"
	"   \"nat\": {\"source\": \"10.2.0.11\"}},\n"
	"  {\"name\": \"srv_out\", \"in\": \"out0\", \"src\": \"10.2.0.100\"}]}\n";


#define CLIENT FX_CLIENT
#define SERVER FX_SERVER
#define MEMBER_IN IP(10, 1, 0, 11)
#define MEMBER_OUT IP(10, 2, 0, 11)

/* The queue (= worker) RSS picks: default RETA of 128 entries, round
 * robin over 2 workers, the symmetric key, over n words of tuple. */
static unsigned
rss_queue(uint32_t *t, uint32_t n)
{
	static const uint8_t key[40] __rte_aligned(4) = {
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
		0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a };
	uint32_t kbe[10];

	rte_convert_rss_key((const uint32_t *)(const void *)key, kbe, 40);
	return (rte_softrss_be(t, n, (const uint8_t *)kbe) % 128) % 2;
}

/* TCP and UDP: addresses and ports. */
static unsigned
queue_of(uint32_t a, uint32_t b, uint16_t pa, uint16_t pb)
{
	uint32_t t[3] = { a, b, (uint32_t)pa << 16 | pb };

	return rss_queue(t, 3);
}

/* ICMP and fragments: the NIC hashes them on the addresses only. */
static unsigned
queue_of2(uint32_t a, uint32_t b)
{
	uint32_t t[2] = { a, b };

	return rss_queue(t, 2);
}

static struct rte_mbuf *
icmp_echo(int from_server, uint32_t src, uint32_t dst, uint8_t type,
	  uint16_t id)
{
	struct tb_ip p = {
		.src_mac = from_server ? fx_mac_server : fx_mac_client,
		.dst_mac = from_server ? fx_mac_out0 : fx_mac_in0,
		.src = src, .dst = dst, .proto = IPPROTO_ICMP, .ttl = 64,
		.sport = id, .icmp_type = type, .payload = 16,
	};

	return tb_ipv4(fx_pool, &p);
}

static uint16_t
icmp_id_of(struct rte_mbuf *m)
{
	const struct rte_icmp_hdr *ic =
		(const struct rte_icmp_hdr *)(fx_ip(m) + 1);

	return rte_be_to_cpu_16(ic->icmp_ident);
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

/* A client SYN to MEMBER_IN:8080 (rule dnat) on queue syn_q goes to the
 * server; the server's SYN-ACK, on queue reply_q, comes back to the
 * client translated. */
static void
dnat_8080_handshake(uint16_t cport, unsigned syn_q, unsigned reply_q)
{
	struct rte_mbuf *o[1];

	fx_inject_q(0, syn_q, tcp(0, CLIENT, MEMBER_IN, cport, 8080,
				  RTE_TCP_SYN_FLAG));
	ck_assert_uint_eq(fx_collect(1, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->dst_addr, rte_cpu_to_be_32(SERVER));
	rte_pktmbuf_free(o[0]);
	fx_inject_q(1, reply_q, tcp(1, SERVER, CLIENT, 80, cport,
				    RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG));
	ck_assert_uint_eq(fx_collect(0, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->src_addr, rte_cpu_to_be_32(MEMBER_IN));
	ck_assert_uint_eq(sport_of(o[0]), 8080);
	ck_assert(tb_csum_ok(o[0]));
	rte_pktmbuf_free(o[0]);
}

START_TEST(dnat_reply_is_handed_to_the_owner)
{
	uint64_t tx = fx_counter(PHX_CNT_HANDOFF_TX);
	uint64_t rx = fx_counter(PHX_CNT_HANDOFF_RX);
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
	dnat_8080_handshake(cport, owner, other);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_RX), rx + 1);
}
END_TEST

/* Two DNAT rules to one server port (dnat_alt 8081, listed first, and
 * dnat 8080, both to :80): a reply may answer either's sessions. A reply
 * to an 8080 session that lands where an 8081 session would live misses
 * there and must go on to the 8080 owner, not stop at the first rule. */
START_TEST(second_dnat_rule_replies_reach_their_owner)
{
	uint64_t tx = fx_counter(PHX_CNT_HANDOFF_TX);
	unsigned owner, landed;
	uint16_t cport;

	for (cport = 41000; cport < 41200; cport++)
		if (queue_of(CLIENT, MEMBER_IN, cport, 8080) !=
		    queue_of(SERVER, CLIENT, 80, cport) &&
		    queue_of(CLIENT, MEMBER_IN, cport, 8081) ==
		    queue_of(SERVER, CLIENT, 80, cport))
			break;
	owner = queue_of(CLIENT, MEMBER_IN, cport, 8080);
	landed = queue_of(SERVER, CLIENT, 80, cport);
	ck_assert_uint_ne(owner, landed);
	ck_assert_uint_eq(queue_of(CLIENT, MEMBER_IN, cport, 8081), landed);
	dnat_8080_handshake(cport, owner, landed);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 1);
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

START_TEST(snat_ping_reply_is_handed_to_the_owner)
{
	uint64_t tx = fx_counter(PHX_CNT_HANDOFF_TX);
	unsigned owner = queue_of2(CLIENT, SERVER);
	struct rte_mbuf *o[1];
	uint16_t nid;

	/* ICMP hashes on addresses: the reply cannot be steered home */
	ck_assert_uint_ne(owner, queue_of2(SERVER, MEMBER_OUT));
	fx_inject_q(0, owner, icmp_echo(0, CLIENT, SERVER,
					RTE_IP_ICMP_ECHO_REQUEST, 777));
	ck_assert_uint_eq(fx_collect(1, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->src_addr, rte_cpu_to_be_32(MEMBER_OUT));
	nid = icmp_id_of(o[0]);
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_eq(nid % 2, owner);   /* the identifier names it */
	fx_inject_q(1, queue_of2(SERVER, MEMBER_OUT),
		    icmp_echo(1, SERVER, MEMBER_OUT, RTE_IP_ICMP_ECHO_REPLY, nid));
	ck_assert_uint_eq(fx_collect(0, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->dst_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(icmp_id_of(o[0]), 777);
	ck_assert(tb_csum_ok(o[0]));
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 1);
}
END_TEST

START_TEST(dnat_ping_reply_is_handed_to_the_owner)
{
	uint64_t tx = fx_counter(PHX_CNT_HANDOFF_TX);
	unsigned owner = queue_of2(CLIENT, MEMBER_IN);
	uint32_t before = phx_dp_sessions(fx_dp, owner);
	struct rte_mbuf *o[1];

	ck_assert_uint_ne(owner, queue_of2(SERVER, CLIENT));
	/* an identifier that names the other worker: a request to one of
	 * our addresses is a new flow where it landed, whatever its id */
	ck_assert_uint_ne(555 % 2, owner);
	fx_inject_q(0, owner, icmp_echo(0, CLIENT, MEMBER_IN,
					RTE_IP_ICMP_ECHO_REQUEST, 555));
	ck_assert_uint_eq(fx_collect(1, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->dst_addr, rte_cpu_to_be_32(SERVER));
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_eq(phx_dp_sessions(fx_dp, owner), before + 1);
	fx_inject_q(1, queue_of2(SERVER, CLIENT),
		    icmp_echo(1, SERVER, CLIENT, RTE_IP_ICMP_ECHO_REPLY, 555));
	ck_assert_uint_eq(fx_collect(0, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->src_addr, rte_cpu_to_be_32(MEMBER_IN));
	ck_assert_uint_eq(icmp_id_of(o[0]), 555);
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 1);
}
END_TEST

/* A port-unreachable from the server about a hidden client's flow
 * hashes on (server, NAT address): handed to the flow's owner, which
 * translates it back to the client. */
START_TEST(icmp_error_is_handed_to_the_owner)
{
	uint64_t tx = fx_counter(PHX_CNT_HANDOFF_TX);
	uint8_t body[28];
	struct tb_ip p = { .src_mac = fx_mac_server, .dst_mac = fx_mac_out0,
		.src = SERVER, .dst = MEMBER_OUT, .proto = IPPROTO_ICMP,
		.ttl = 64, .icmp_type = 3, .icmp_code = 3, .payload = 28,
		.data = body };
	struct rte_icmp_hdr *ic;
	struct rte_mbuf *o[1], *e;
	uint16_t cport, nport;

	for (cport = 42000; cport < 42100; cport++)
		if (queue_of(CLIENT, SERVER, cport, 9000) !=
		    queue_of2(SERVER, MEMBER_OUT))
			break;
	fx_inject_q(0, queue_of(CLIENT, SERVER, cport, 9000),
		    tcp(0, CLIENT, SERVER, cport, 9000, RTE_TCP_SYN_FLAG));
	ck_assert_uint_eq(fx_collect(1, o, 1, 1000), 1);
	nport = sport_of(o[0]);
	memcpy(body, fx_ip(o[0]), sizeof(body));  /* the SYN as it left */
	rte_pktmbuf_free(o[0]);
	e = tb_ipv4(fx_pool, &p);
	ic = (struct rte_icmp_hdr *)(fx_ip(e) + 1);
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 8u + sizeof(body));
	fx_inject_q(1, queue_of2(SERVER, MEMBER_OUT), e);
	ck_assert_uint_eq(fx_collect(0, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->dst_addr, rte_cpu_to_be_32(CLIENT));
	/* the quoted source is the client again, port and all */
	ck_assert_uint_eq(((struct rte_ipv4_hdr *)((uint8_t *)(fx_ip(o[0]) + 1) +
			   8))->src_addr, rte_cpu_to_be_32(CLIENT));
	ck_assert_uint_eq(rte_be_to_cpu_16(*(uint16_t *)((uint8_t *)(fx_ip(o[0]) +
			   1) + 8 + 20)), cport);
	ck_assert(tb_csum_ok(o[0]));
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_ne(nport, 0);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 1);
}
END_TEST

/*
 * The DNAT target opening flows of its own: a TCP SYN is no reply and is
 * not handed over; a UDP packet might be one, goes to the would-be owner,
 * which has no such session and hands it back. Either way the session
 * lives where RSS brings the replies, and they pass.
 */
START_TEST(dnat_target_opens_its_own_flows)
{
	uint64_t tx = fx_counter(PHX_CNT_HANDOFF_TX);
	struct rte_mbuf *o[1];
	uint16_t p;
	unsigned q;

	for (p = 7000; p < 7100; p++)
		if (queue_of(SERVER, CLIENT, 6000, p) !=
		    queue_of(CLIENT, MEMBER_IN, p, 6000))
			break;
	q = queue_of(SERVER, CLIENT, 6000, p);
	fx_inject_q(1, q, fx_pkt(1, SERVER, CLIENT, IPPROTO_UDP, 6000, p,
				 0, 0, 0));
	ck_assert_uint_eq(fx_collect(0, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->src_addr, rte_cpu_to_be_32(SERVER));
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 2); /* there, back */
	fx_inject_q(0, q, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, p, 6000,
				 0, 0, 0));
	ck_assert_uint_eq(fx_collect(1, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->dst_addr, rte_cpu_to_be_32(SERVER));
	rte_pktmbuf_free(o[0]);

	/* TCP from the DNAT rule's target port: its SYN stays */
	q = queue_of(SERVER, CLIENT, 80, 7200);
	fx_inject_q(1, q, tcp(1, SERVER, CLIENT, 80, 7200, RTE_TCP_SYN_FLAG));
	ck_assert_uint_eq(fx_collect(0, o, 1, 1000), 1);
	rte_pktmbuf_free(o[0]);
	fx_inject_q(0, q, tcp(0, CLIENT, SERVER, 7200, 80,
			      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG));
	ck_assert_uint_eq(fx_collect(1, o, 1, 1000), 1);
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 2);
}
END_TEST

/* Fragments are spread by addresses: the datagram they make belongs to
 * the worker of its whole tuple, and is handed over (here: to the VIP's
 * UDP 5353 forward). */
/*
 * A device whose spreading phalanx cannot compute (af_packet: soft
 * spreading): every session lives on its tuple's worker, as with RSS,
 * whichever worker the device brings its packets to. A source-NAT flow
 * and a DNAT'd one, each packet injected on the queue RSS would not pick.
 */
START_TEST(soft_spread_brings_packets_to_their_session)
{
	uint64_t tx = fx_counter(PHX_CNT_HANDOFF_TX);
	unsigned n0 = phx_dp_sessions(fx_dp, 0), n1 = phx_dp_sessions(fx_dp, 1);
	const uint16_t cport = 42001, dport = 42002;
	struct rte_mbuf *o[1];
	unsigned q, qd;
	uint16_t nport;

	phx_dp_set_soft_spread(fx_dp, true);
	q = queue_of(CLIENT, SERVER, cport, 9000);
	fx_inject_q(0, 1 - q, tcp(0, CLIENT, SERVER, cport, 9000,
				  RTE_TCP_SYN_FLAG));
	ck_assert_uint_eq(fx_collect(1, o, 1, 1000), 1);
	nport = sport_of(o[0]);
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 1);
	ck_assert_uint_eq(phx_dp_sessions(fx_dp, q), (q ? n1 : n0) + 1);
	ck_assert_uint_eq(phx_dp_sessions(fx_dp, 1 - q), q ? n0 : n1);
	fx_inject_q(1, 1 - q, tcp(1, SERVER, MEMBER_OUT, 9000, nport,
				  RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG));
	ck_assert_uint_eq(fx_collect(0, o, 1, 1000), 1);
	ck_assert_uint_eq(rte_be_to_cpu_16(((uint16_t *)(fx_ip(o[0]) + 1))[1]),
			  cport);
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 2);
	/* DNAT: the server's answer reaches the session's worker too */
	qd = queue_of(CLIENT, MEMBER_IN, dport, 8080);
	fx_inject_q(0, 1 - qd, tcp(0, CLIENT, MEMBER_IN, dport, 8080,
				   RTE_TCP_SYN_FLAG));
	ck_assert_uint_eq(fx_collect(1, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->dst_addr, rte_cpu_to_be_32(SERVER));
	rte_pktmbuf_free(o[0]);
	fx_inject_q(1, 1 - qd, tcp(1, SERVER, CLIENT, 80, dport,
				   RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG));
	ck_assert_uint_eq(fx_collect(0, o, 1, 1000), 1);
	ck_assert_uint_eq(fx_ip(o[0])->src_addr, rte_cpu_to_be_32(MEMBER_IN));
	rte_pktmbuf_free(o[0]);
	ck_assert_uint_eq(fx_drops(PHX_DROP_TCP_NOT_SYN), 0);
	phx_dp_set_soft_spread(fx_dp, false);
}
END_TEST

START_TEST(reassembled_datagram_is_handed_to_the_owner)
{
	uint64_t tx = fx_counter(PHX_CNT_HANDOFF_TX);
	uint64_t done = fx_counter(PHX_CNT_FRAG_REASSEMBLED);
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = CLIENT, .dst = MEMBER_IN, .proto = IPPROTO_UDP };
	unsigned q = queue_of2(CLIENT, MEMBER_IN), k;
	struct rte_mbuf *o[2];
	static uint8_t l4[1008];
	uint16_t cport;

	for (cport = 43000; cport < 43100; cport++)
		if (queue_of(CLIENT, MEMBER_IN, cport, 5353) != q)
			break;
	tb_udp_bytes(l4, sizeof(l4), cport, 5353);
	fx_inject_q(0, q, tb_frag(fx_pool, &p, l4, 504, 504, 0, 77));
	fx_inject_q(0, q, tb_frag(fx_pool, &p, l4, 0, 504, 1, 77));
	ck_assert_uint_eq(fx_collect(1, o, 2, 2000), 2);
	for (k = 0; k < 2; k++) {
		ck_assert_uint_eq(fx_ip(o[k])->dst_addr, rte_cpu_to_be_32(SERVER));
		rte_pktmbuf_free(o[k]);
	}
	ck_assert_uint_eq(fx_counter(PHX_CNT_FRAG_REASSEMBLED), done + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_HANDOFF_TX), tx + 1);
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
	tcase_add_test(tc, second_dnat_rule_replies_reach_their_owner);
	tcase_add_test(tc, snat_ports_bring_replies_home);
	tcase_add_test(tc, snat_ping_reply_is_handed_to_the_owner);
	tcase_add_test(tc, dnat_ping_reply_is_handed_to_the_owner);
	tcase_add_test(tc, icmp_error_is_handed_to_the_owner);
	tcase_add_test(tc, dnat_target_opens_its_own_flows);
	tcase_add_test(tc, reassembled_datagram_is_handed_to_the_owner);
	tcase_add_test(tc, soft_spread_brings_packets_to_their_session);
	suite_add_tcase(s, tc);
	return fx_run(s);
}
