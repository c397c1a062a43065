/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP sequence-window checking and mid-stream pickup on the real worker
 * loop: sessions.tcp_window_check and sessions.pickup_grace_s on.
 */
#include <stdlib.h>

#include <check.h>
#include <rte_arp.h>
#include <rte_tcp.h>

#include "tests/dp/fixture.h"
#include "tests/dp/pkt_build.h"

static const char test_cfg[] =
	"{\"name\": \"wintest\",\n"
	" \"dataplane\": {\"workers\": 1, \"mbufs\": 4096},\n"
	" \"ports\": [\n"
	"  {\"name\": \"in0\", \"device\": \"net_ring_t0\", \"mac\": \"02:00:0a:01:00:0b\",\n"
	"   \"addresses\": [\"10.1.0.11/24\"]},\n"
	"  {\"name\": \"out0\", \"device\": \"net_ring_t1\", \"mac\": \"02:00:0a:02:00:0b\",\n"
	"   \"addresses\": [\"10.2.0.11/24\"]}],\n"
	" \"sessions\": {\"max\": 1024, \"tcp_window_check\": true, \"pickup_grace_s\": 3600,\n"
	"              \"tcp_trust_rst_ports\": [8080]},\n"
	" \"rules\": [{\"name\": \"out\", \"in\": \"in0\"}]}\n";


#define CLIENT FX_CLIENT
#define SERVER FX_SERVER
#define ACK RTE_TCP_ACK_FLAG

static uint16_t srv_port = 80;   /* the server's port of send_tcp() */

static int
send_tcp(int from_server, uint16_t cport, uint8_t flags, uint32_t seq,
	 uint32_t ack, uint16_t len)
{
	struct tb_ip p = {
		.src_mac = from_server ? fx_mac_server : fx_mac_client,
		.dst_mac = from_server ? fx_mac_out0 : fx_mac_in0,
		.src = from_server ? SERVER : CLIENT,
		.dst = from_server ? CLIENT : SERVER,
		.proto = IPPROTO_TCP, .ttl = 64,
		.sport = from_server ? srv_port : cport,
		.dport = from_server ? cport : srv_port,
		.tcp_flags = flags, .seq = seq, .ack = ack, .payload = len,
	};
	struct rte_mbuf *o[1];
	unsigned n;

	fx_inject(from_server, tb_ipv4(fx_pool, &p));
	n = fx_collect(from_server ? 0 : 1, o, 1, 300);
	if (n)
		rte_pktmbuf_free(o[0]);
	return (int)n;
}

START_TEST(in_window_passes_outside_dropped)
{
	uint64_t bad = fx_drops(PHX_DROP_TCP_BAD_WINDOW);

	ck_assert_int_eq(send_tcp(0, 41000, RTE_TCP_SYN_FLAG, 1000, 0, 0), 1);
	ck_assert_int_eq(send_tcp(1, 41000, RTE_TCP_SYN_FLAG | ACK, 5000, 1001, 0), 1);
	ck_assert_int_eq(send_tcp(0, 41000, ACK, 1001, 5001, 0), 1);
	ck_assert_int_eq(send_tcp(0, 41000, ACK, 1001, 5001, 100), 1);
	ck_assert_int_eq(send_tcp(1, 41000, ACK, 5001, 1101, 50), 1);
	/* a billion bytes ahead of anything the server allowed */
	ck_assert_int_eq(send_tcp(0, 41000, ACK, 1101 + 1000000000u, 5051, 10), 0);
	/* acknowledging data the server never sent */
	ck_assert_int_eq(send_tcp(0, 41000, ACK, 1101, 5051 + 1000000u, 0), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_TCP_BAD_WINDOW), bad + 2);
	/* and the session goes on */
	ck_assert_int_eq(send_tcp(0, 41000, ACK, 1101, 5051, 10), 1);
}
END_TEST

START_TEST(mid_stream_pickup)
{
	uint64_t created = fx_counter(PHX_CNT_SESS_CREATED);

	/* no SYN ever seen: within the grace period an ACK opens a session */
	ck_assert_int_eq(send_tcp(0, 41001, ACK, 777777, 888888, 20), 1);
	ck_assert_int_eq(send_tcp(1, 41001, ACK, 888888, 777797, 20), 1);
	ck_assert_int_eq(send_tcp(0, 41001, ACK, 777797, 888908, 20), 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_CREATED), created + 1);
	/* a FIN/RST-less but flagless-garbage packet still is not a pickup */
	ck_assert_int_eq(send_tcp(0, 41002, RTE_TCP_FIN_FLAG | ACK, 1, 1, 0), 0);
}
END_TEST

#define SYN RTE_TCP_SYN_FLAG
#define RST RTE_TCP_RST_FLAG

/* Client 1000 -> server 5000, 100 bytes each way: the client's next
 * sequence number is 1101, the server's 5101. */
static void
established_with_data(uint16_t cport)
{
	ck_assert_int_eq(send_tcp(0, cport, SYN, 1000, 0, 0), 1);
	ck_assert_int_eq(send_tcp(1, cport, SYN | ACK, 5000, 1001, 0), 1);
	ck_assert_int_eq(send_tcp(0, cport, ACK, 1001, 5001, 100), 1);
	ck_assert_int_eq(send_tcp(1, cport, ACK, 5001, 1101, 100), 1);
	ck_assert_int_eq(send_tcp(0, cport, ACK, 1101, 5101, 0), 1);
}

/* RFC 5961 §3 at the firewall: an exact RST (the sender's next sequence
 * number) closes the session; one merely inside the window is passed to
 * the endpoint, which answers with a challenge ACK, and leaves the
 * session established (SPEC SI-04: reusing the ports is still a SYN on
 * an established connection). Outside the window it is dropped. */
START_TEST(rst_exact_or_challenged)
{
	uint64_t unv = fx_counter(PHX_CNT_TCP_RST_UNVERIFIED);
	uint64_t bad = fx_drops(PHX_DROP_TCP_BAD_WINDOW);
	uint64_t synest = fx_drops(PHX_DROP_TCP_SYN_ESTABLISHED);

	srv_port = 80;
	established_with_data(41100);
	ck_assert_int_eq(send_tcp(0, 41100, RST, 1101 + 3000000000u, 0, 0), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_TCP_BAD_WINDOW), bad + 1);
	ck_assert_int_eq(send_tcp(0, 41100, RST, 1101 + 500, 0, 0), 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_TCP_RST_UNVERIFIED), unv + 1);
	ck_assert_int_eq(send_tcp(0, 41100, SYN, 70000, 0, 0), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_TCP_SYN_ESTABLISHED), synest + 1);
	/* the challenge ACK passes; the client's exact RST then closes */
	ck_assert_int_eq(send_tcp(1, 41100, ACK, 5101, 1101, 0), 1);
	ck_assert_int_eq(send_tcp(0, 41100, RST, 1101, 0, 0), 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_TCP_RST_UNVERIFIED), unv + 1);
	ck_assert_int_eq(send_tcp(0, 41100, SYN, 70000, 0, 0), 1);
	ck_assert_uint_eq(fx_drops(PHX_DROP_TCP_SYN_ESTABLISHED), synest + 1);
	/* the server's exact RST closes too */
	established_with_data(41101);
	ck_assert_int_eq(send_tcp(1, 41101, RST | ACK, 5101, 1101, 0), 1);
	ck_assert_int_eq(send_tcp(0, 41101, SYN, 70000, 0, 0), 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_TCP_RST_UNVERIFIED), unv + 1);
}
END_TEST

/* Port reuse on a trusted port with window checking: the client lost its
 * connection and sends a SYN with a new ISN; the server, still holding the
 * old connection, answers with a challenge ACK of it (RFC 5961 §4); the
 * client resets that with a RST carrying the challenge's ack; the server
 * then answers the (retransmitted) SYN. Every step must cross the member
 * although none fits the new SYN's sequence space. */
START_TEST(port_reuse_challenge_ack)
{
	uint64_t reuse = fx_counter(PHX_CNT_TCP_PORT_REUSE);

	srv_port = 8080;
	established_with_data(41102);
	ck_assert_int_eq(send_tcp(0, 41102, SYN, 900000, 0, 0), 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_TCP_PORT_REUSE), reuse + 1);
	ck_assert_int_eq(send_tcp(1, 41102, ACK, 5101, 1101, 0), 1);
	/* a RST with another number is no answer to it */
	ck_assert_int_eq(send_tcp(0, 41102, RST, 1100 + 2000000000u, 0, 0), 0);
	ck_assert_int_eq(send_tcp(0, 41102, RST, 1101, 0, 0), 1);
	/* that RST reset the server's old connection, not this attempt,
	 * which is still SYN_SENT here: the SYN/ACK answering it passes
	 * (a spoofed ACK cannot make the client close its attempt) */
	ck_assert_int_eq(send_tcp(1, 41102, SYN | ACK, 40000, 900001, 0), 1);
	ck_assert_int_eq(send_tcp(0, 41102, ACK, 900001, 40001, 10), 1);
	ck_assert_int_eq(send_tcp(1, 41102, ACK, 40001, 900011, 0), 1);
	srv_port = 80;
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dp_window");
	TCase *tc = tcase_create("window");

	fx_setup("phx_dp_window", test_cfg, 2);
	fx_learn_hosts(IP(10, 1, 0, 11), IP(10, 2, 0, 11));
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, in_window_passes_outside_dropped);
	tcase_add_test(tc, mid_stream_pickup);
	tcase_add_test(tc, rst_exact_or_challenged);
	tcase_add_test(tc, port_reuse_challenge_ack);
	suite_add_tcase(s, tc);
	return fx_run(s);
}
