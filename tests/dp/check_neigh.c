/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table under pressure, and routes around the default:
 * - a /1 route is not replaced by the /1 halves rte_lpm stores a /0 as,
 *   whichever comes first in the configuration;
 * - packets to a next hop whose hold queue is full, or that failed and is
 *   held down, are dropped by the worker, not passed one by one up the
 *   ring that carries ARP, CCP and sync frames too;
 * - hosts asking for our address (or one host posing as many) are learned
 *   into half of the table at most: a next hop still gets an entry;
 * - a request from a broadcast sender MAC is not answered.
 * One worker, neighbors.max_entries 16, hold_packets 4, 2 tries of 500 ms
 * (then 1 s held down): room for a busy machine between the steps.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "tests/dp/fixture.h"
#include "tests/dp/pkt_build.h"

static const char cfg[] =
	"{\n"
	"  \"name\": \"neigh\",\n"
	"  \"eal\": {\"file_prefix\": \"phx_neigh\"},\n"
	"  \"dataplane\": {\"workers\": 1, \"mbufs\": 4096, \"icmp_rate\": 100000},\n"
	"  \"ports\": [\n"
	"    {\"name\": \"in0\", \"device\": \"net_ring_t0\", \"mac\": \"02:00:0a:01:00:0b\",\n"
	"     \"addresses\": [\"10.1.0.11/16\"]},\n"
	"    {\"name\": \"out0\", \"device\": \"net_ring_t1\", \"mac\": \"02:00:0a:02:00:0b\",\n"
	"     \"addresses\": [\"10.2.0.11/24\"]}\n"
	"  ],\n"
	"  \"routes\": [{\"prefix\": \"0.0.0.0/1\", \"via\": \"10.2.0.254\"},\n"
	"             {\"prefix\": \"0.0.0.0/0\", \"via\": \"10.2.0.253\"}],\n"
	"  \"rules\": [{\"name\": \"any\", \"action\": \"accept\"}],\n"
	"  \"neighbors\": {\"max_entries\": 16, \"hold_packets\": 4, \"retries\": 2,\n"
	"                \"retry_ms\": 500}\n"
	"}\n";

/* A UDP packet from the client side to dst. */
static struct rte_mbuf *
to(uint32_t dst, uint16_t sport)
{
	struct tb_ip p = { .src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = IP(10, 1, 0, 100), .dst = dst, .proto = IPPROTO_UDP,
		.sport = sport, .dport = 53, .payload = 10, .ttl = 64 };

	return tb_ipv4(fx_pool, &p);
}

/* The address the next ARP request on out0 asks for (0: none within
 * ms). */
static uint32_t
asked(unsigned ms)
{
	struct rte_mbuf *out[1];
	uint32_t tip = 0;

	if (fx_collect(1, out, 1, ms) == 1) {
		const struct rte_arp_hdr *a =
			(const struct rte_arp_hdr *)(fx_eth(out[0]) + 1);

		if (fx_eth(out[0])->ether_type ==
		    rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
			tip = rte_be_to_cpu_32(a->arp_data.arp_tip);
		rte_pktmbuf_free(out[0]);
	}
	return tip;
}

/* Let control fail the next hops asked for and forget them (2 tries of
 * 500 ms, then a hold-down of as long). */
static void
settle(void)
{
	unsigned i;

	for (i = 0; i < 25; i++) {
		rte_delay_ms(100);
		fx_drain();
	}
}

START_TEST(a_slash1_beats_the_default)
{
	fx_inject(0, to(IP(200, 1, 1, 1), 1000));      /* only in the /0 */
	ck_assert_uint_eq(asked(1000), IP(10, 2, 0, 253));
	settle();
	fx_inject(0, to(IP(8, 8, 8, 8), 1001));        /* in 0.0.0.0/1 */
	ck_assert_uint_eq(asked(1000), IP(10, 2, 0, 254));
	settle();
}
END_TEST

START_TEST(workers_drop_for_a_full_or_failed_next_hop)
{
	uint64_t miss0, full0, unres0;
	unsigned i;

	/* 10.2.0.77 never answers: 10 packets, 4 held, 6 over */
	for (i = 0; i < 10; i++)
		fx_inject(0, to(IP(10, 2, 0, 77), (uint16_t)(2000 + i)));
	ck_assert_uint_eq(asked(1000), IP(10, 2, 0, 77));
	fx_drain();
	miss0 = fx_counter(PHX_CNT_NEIGH_MISS);
	full0 = fx_drops(PHX_DROP_NEIGH_HOLD_FULL);
	/* the queue is full: the worker drops, control sees none */
	for (i = 0; i < 20; i++)
		fx_inject(0, to(IP(10, 2, 0, 77), (uint16_t)(2100 + i)));
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_NEIGH_MISS), miss0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_NEIGH_HOLD_FULL), full0 + 20);
	/* no answer to 2 tries: failed (its 4 held packets dropped), held
	 * down; the worker drops */
	unres0 = fx_drops(PHX_DROP_NEIGH_UNRESOLVED);
	for (i = 0; i < 300 && fx_drops(PHX_DROP_NEIGH_UNRESOLVED) == unres0;
	     i++) {
		rte_delay_ms(10);
		fx_drain();
	}
	ck_assert_uint_eq(fx_drops(PHX_DROP_NEIGH_UNRESOLVED), unres0 + 4);
	unres0 += 4;
	for (i = 0; i < 20; i++)
		fx_inject(0, to(IP(10, 2, 0, 77), (uint16_t)(2200 + i)));
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_NEIGH_MISS), miss0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_NEIGH_UNRESOLVED), unres0 + 20);
	/* once the hold-down is over the next packet asks again */
	settle();
	fx_inject(0, to(IP(10, 2, 0, 77), 2300));
	ck_assert_uint_eq(asked(1000), IP(10, 2, 0, 77));
	ck_assert_uint_eq(fx_counter(PHX_CNT_NEIGH_MISS), miss0 + 1);
	settle();
}
END_TEST

START_TEST(requesters_fill_half_the_table_at_most)
{
	uint64_t learned0 = fx_counter(PHX_CNT_NEIGH_LEARNED);
	uint64_t skipped0 = fx_counter(PHX_CNT_NEIGH_NOT_LEARNED);
	uint64_t full0 = fx_drops(PHX_DROP_NEIGH_TABLE_FULL);
	struct rte_mbuf *out[1];
	unsigned i;

	/* one host on the /16 asks for our address from 40 made-up
	 * sender addresses (one MAC each), all answered */
	for (i = 0; i < 40; i++) {
		struct rte_ether_addr mac = {{ 0x02, 0x66, 0, 0, 1,
					       (uint8_t)i }};

		fx_inject(0, tb_arp(fx_pool, RTE_ARP_OP_REQUEST, &mac,
				    IP(10, 1, 7, 1 + i), &fx_zero,
				    IP(10, 1, 0, 11), &fx_bcast));
	}
	ck_assert_uint_eq(fx_collect(0, out, 1, 500), 1);
	rte_pktmbuf_free(out[0]);
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_NEIGH_LEARNED) - learned0, 8);
	ck_assert_uint_eq(fx_counter(PHX_CNT_NEIGH_NOT_LEARNED) - skipped0,
			  32);
	/* a next hop still gets an entry, and is asked for */
	fx_inject(0, to(IP(10, 2, 0, 100), 3000));
	ck_assert_uint_eq(asked(1000), IP(10, 2, 0, 100));
	ck_assert_uint_eq(fx_drops(PHX_DROP_NEIGH_TABLE_FULL), full0);
	settle();
}
END_TEST

START_TEST(no_answer_to_a_broadcast_sender)
{
	uint64_t bad0 = fx_drops(PHX_DROP_ARP_MALFORMED);
	struct rte_mbuf *out[1];

	fx_inject(0, tb_arp(fx_pool, RTE_ARP_OP_REQUEST, &fx_bcast,
			    IP(10, 1, 0, 99), &fx_zero, IP(10, 1, 0, 11),
			    &fx_bcast));
	ck_assert_uint_eq(fx_collect(0, out, 1, 300), 0);
	ck_assert_uint_eq(fx_drops(PHX_DROP_ARP_MALFORMED), bad0 + 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("neigh");
	TCase *tc = tcase_create("neigh");

	fx_setup("phx_dp_neigh", cfg, 2);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_slash1_beats_the_default);
	tcase_add_test(tc, workers_drop_for_a_full_or_failed_next_hop);
	tcase_add_test(tc, requesters_fill_half_the_table_at_most);
	tcase_add_test(tc, no_answer_to_a_broadcast_sender);
	suite_add_tcase(s, tc);
	return fx_run(s);
}
