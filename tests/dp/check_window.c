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
	" \"sessions\": {\"max\": 1024, \"tcp_window_check\": true, \"pickup_grace_s\": 3600},\n"
	" \"rules\": [{\"name\": \"out\", \"in\": \"in0\"}]}\n";


#define CLIENT FX_CLIENT
#define SERVER FX_SERVER
#define ACK RTE_TCP_ACK_FLAG

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
		.sport = from_server ? 80 : cport, .dport = from_server ? cport : 80,
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
	suite_add_tcase(s, tc);
	return fx_run(s);
}
