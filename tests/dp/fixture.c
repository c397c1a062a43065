/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_icmp.h>
#include <rte_ring.h>

#include <rte_arp.h>

#include "tests/dp/fixture.h"
#include "tests/dp/pkt_build.h"

#define FX_MAX_PORTS 4
#define FX_MAX_QUEUES 2

const struct rte_ether_addr fx_mac_in0 = {{ 0x02, 0, 0x0a, 1, 0, 0x0b }};
const struct rte_ether_addr fx_mac_out0 = {{ 0x02, 0, 0x0a, 2, 0, 0x0b }};
const struct rte_ether_addr fx_mac_client = {{ 0x02, 0, 0x0a, 1, 0, 0x64 }};
const struct rte_ether_addr fx_mac_server = {{ 0x02, 0, 0x0a, 2, 0, 0x64 }};
const struct rte_ether_addr fx_bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
const struct rte_ether_addr fx_zero;

struct rte_mempool *fx_pool;
struct phx_config *fx_cfg;
struct phx_dp *fx_dp;
struct phx_ctl *fx_ctl;
static struct rte_ring *rxr[FX_MAX_PORTS][FX_MAX_QUEUES];
static struct rte_ring *txr[FX_MAX_PORTS][FX_MAX_QUEUES];
static unsigned fx_nports, fx_nq;

void
fx_die(const char *what)
{
	fprintf(stderr, "dp fixture: set-up failed: %s\n", what);
	exit(EXIT_FAILURE);
}

void
fx_setup(const char *prefix, const char *cfg_json, unsigned nports)
{
	fx_setup_q(prefix, cfg_json, nports, 1, "0-1");
}

void
fx_setup_q(const char *prefix, const char *cfg_json, unsigned nports,
	   unsigned nq, const char *lcores)
{
	static char a[12][32] = { "dptest", "--lcores", "", "--no-huge",
		"--no-pci", "-m", "256", "--log-level", "*:warning",
		"--file-prefix" };
	char *eal[13];
	struct phx_cfg_errors errs = {0};
	char name[32];
	unsigned p, q, k;

	snprintf(a[2], sizeof(a[2]), "%s", lcores);
	snprintf(a[10], sizeof(a[10]), "%s", prefix);
	for (k = 0; k < 11; k++)
		eal[k] = a[k];
	eal[k] = NULL;
	if (rte_eal_init(11, eal) < 0)
		fx_die("EAL init");
	fx_pool = rte_pktmbuf_pool_create("tb_pool", 4096, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (fx_pool == NULL || nports > FX_MAX_PORTS || nq > FX_MAX_QUEUES)
		fx_die("test mempool");
	for (p = 0; p < nports; p++) {
		for (q = 0; q < nq; q++) {
			snprintf(name, sizeof(name), "tb_rx%u_%u", p, q);
			rxr[p][q] = rte_ring_create(name, 1024, 0,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
			snprintf(name, sizeof(name), "tb_tx%u_%u", p, q);
			txr[p][q] = rte_ring_create(name, 1024, 0,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
		}
		/* rte_eth_from_rings("tN") names the ethdev "net_ring_tN". */
		snprintf(name, sizeof(name), "t%u", p);
		if (rte_eth_from_rings(name, rxr[p], nq, txr[p], nq, 0) < 0)
			fx_die("rte_eth_from_rings");
	}
	fx_nq = nq;
	fx_nports = nports;
	fx_cfg = phx_config_load_buf("dptest.json", cfg_json,
				     strlen(cfg_json), &errs);
	if (fx_cfg == NULL) {
		phx_cfg_errors_print(&errs, stderr);
		fx_die("test configuration rejected");
	}
	fx_cfg->generation = 1;
	fx_dp = phx_dp_create(fx_cfg, &errs);
	if (fx_dp == NULL) {
		phx_cfg_errors_print(&errs, stderr);
		fx_die("dataplane not created");
	}
	/* net_ring spreads as the tests inject: an RSS they emulate */
	phx_dp_set_soft_spread(fx_dp, false);
	fx_ctl = phx_ctl_create(fx_dp);
	if (fx_ctl == NULL)
		fx_die("control not created");
	if (phx_dp_start(fx_dp) != 0)
		fx_die("dataplane not started");
}

void
fx_teardown(void)
{
	phx_dp_stop(fx_dp);
	phx_ctl_free(fx_ctl);
	phx_dp_free(fx_dp);
	phx_config_free(fx_cfg);
	rte_eal_cleanup();
}

void
fx_inject(int port, struct rte_mbuf *m)
{
	fx_inject_q(port, 0, m);
}

void
fx_inject_q(int port, unsigned q, struct rte_mbuf *m)
{
	if (m == NULL || q >= fx_nq || rte_ring_enqueue(rxr[port][q], m) != 0)
		fx_die("cannot inject a frame");
}

unsigned
fx_collect(int port, struct rte_mbuf **out, unsigned want, unsigned ms)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * ms / 1000;
	unsigned got = 0, q;

	while (rte_rdtsc() < end) {
		phx_ctl_poll(fx_ctl, rte_rdtsc());
		for (q = 0; q < fx_nq && got < want; q++)
			got += rte_ring_dequeue_burst(txr[port][q],
				(void **)(out + got), want - got, NULL);
		if (got >= want)
			break;
		rte_delay_us_sleep(200);
	}
	return got;
}

void
fx_drain(void)
{
	struct rte_mbuf *m[64];
	unsigned p;

	for (p = 0; p < fx_nports; p++) {
		unsigned n = fx_collect((int)p, m, 64, 30);

		rte_pktmbuf_free_bulk(m, n);
	}
}

uint64_t
fx_drops(enum phx_drop_reason r)
{
	struct phx_dp_stats s;

	phx_dp_stats_sum(fx_dp, &s);
	return s.drop[r];
}

uint64_t
fx_counter(enum phx_dp_counter c)
{
	struct phx_dp_stats s;

	phx_dp_stats_sum(fx_dp, &s);
	return s.cnt[c];
}

void
fx_learn_hosts(uint32_t member_in, uint32_t member_out)
{
	fx_inject(1, tb_arp(fx_pool, RTE_ARP_OP_REPLY, &fx_mac_server,
			    FX_SERVER, &fx_mac_out0, member_out, &fx_mac_out0));
	fx_inject(0, tb_arp(fx_pool, RTE_ARP_OP_REQUEST, &fx_mac_client,
			    FX_CLIENT, &fx_zero, member_in, &fx_bcast));
	fx_drain();
}

int
fx_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	fx_teardown();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

struct rte_mbuf *
fx_pkt(int from_server, uint32_t src, uint32_t dst, uint8_t proto,
       uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
       uint32_t ack)
{
	struct tb_ip p = {
		.src_mac = from_server ? fx_mac_server : fx_mac_client,
		.dst_mac = from_server ? fx_mac_out0 : fx_mac_in0,
		.src = src, .dst = dst, .proto = proto, .ttl = 64,
		.sport = sport, .dport = dport, .tcp_flags = flags,
		.seq = seq, .ack = ack, .payload = 16,
		.icmp_type = RTE_IP_ICMP_ECHO_REQUEST,
	};

	return tb_ipv4(fx_pool, &p);
}
