/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * phalanx-bench: testpmd-style benchmark of the real dataplane.
 *
 * It builds a two-port member whose input port replays a pcap forever
 * (net_pcap infinite_rx=1) and whose output port is net_null, with a
 * policy that accepts every flow, pre-resolves the next hop, and runs the
 * real worker loop. The pcap holds one frame per flow, so the first pass
 * over it opens every session (the setup rate: new sessions per second on
 * one worker, rule lookup included) and every later pass is established
 * traffic spread over all of them (Rx/Tx pps and TSC cycles per packet,
 * busy cycles as testpmd --record-core-cycles counts them). It also
 * measures the memory of a session table of that size (hash with both
 * keys, records, free list) from DPDK's heap statistics.
 * tests/bench/forwarding.sh and tests/bench/sessions.sh run dpdk-testpmd
 * --forward-mode=io on the same devices and pcap in the same run.
 *
 * Without --pcap it writes one: UDP frames to 10.2.0.100:5001 addressed to
 * the input port's MAC, flow i from 10.1.0.(100 + i / 64000), source port
 * 1024 + i % 64000.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "control/ctl.h"
#include "dataplane/dp_api.h"
#include "lib/config.h"

static volatile sig_atomic_t stop_requested;

/* EAL wants char *argv[]; keep our own copies of the words. */
static char eal_store[16][PHX_CFG_DEVICE_LEN];
static char *eal[17];
static int eal_n;

static void
eal_push(const char *w)
{
	snprintf(eal_store[eal_n], sizeof(eal_store[0]), "%s", w);
	eal[eal_n] = eal_store[eal_n];
	eal[++eal_n] = NULL;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: phalanx-bench [--pcap FILE] [--flows N] [--seconds S]\n"
		"                     [--size BYTES] [--file-prefix P] [--no-huge]\n"
		"       phalanx-bench --write-pcap FILE [--flows N] [--size BYTES]\n"
		"\n"
		"Runs the phalanx worker loop on net_pcap (infinite_rx) -> net_null\n"
		"for S seconds (default 10) on one worker lcore and prints\n"
		"testpmd-style statistics. Without --pcap, writes a pcap of N\n"
		"(default 1024) UDP flows of SIZE-byte frames (default 64) to\n"
		"/tmp/phalanx-bench-<pid>.pcap. --write-pcap only writes that\n"
		"pcap (for running dpdk-testpmd on the same input).\n");
}

static uint64_t
drops_total(const struct phx_dp_stats *s)
{
	uint64_t t = 0;
	unsigned k;

	for (k = 1; k < PHX_DROP_MAX; k++)
		t += s->drop[k];
	return t;
}

/* Heap bytes a session table for n sessions takes, per session. */
static double
shard_bytes_per_session(unsigned n)
{
	struct rte_malloc_socket_stats a, b;
	struct phx_shard *sh;

	rte_malloc_get_socket_stats((int)rte_socket_id(), &a);
	sh = phx_shard_create("phx_bench_mem", n, (int)rte_socket_id());
	if (sh == NULL)
		return 0;
	rte_malloc_get_socket_stats((int)rte_socket_id(), &b);
	phx_shard_free(sh);
	return (double)(b.heap_allocsz_bytes - a.heap_allocsz_bytes) / n;
}

/* 64-byte (by default) UDP frames 10.1.0.100:port -> 10.2.0.100:5001. */
static int
write_pcap(const char *path, unsigned flows, unsigned size)
{
	static const uint8_t dmac[6] = { 0x02, 0, 0x0a, 1, 0, 0x0b };
	static const uint8_t smac[6] = { 0x02, 0, 0x0a, 1, 0, 0x64 };
	uint8_t frame[1514] = {0};
	unsigned len = size < 60 ? 60 : size - 4; /* size includes FCS */
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	unsigned f;

	if (p == NULL)
		return -1;
	d = pcap_dump_open(p, path);
	if (d == NULL) {
		fprintf(stderr, "phalanx-bench: %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	if (len > sizeof(frame))
		len = sizeof(frame);
	for (f = 0; f < flows; f++) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + 14);
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);
		struct pcap_pkthdr h = { .caplen = len, .len = len };

		memcpy(frame, dmac, 6);
		memcpy(frame + 6, smac, 6);
		frame[12] = 0x08;
		frame[13] = 0x00;
		*ip = (struct rte_ipv4_hdr){
			.version_ihl = RTE_IPV4_VHL_DEF,
			.total_length = rte_cpu_to_be_16((uint16_t)(len - 14)),
			.time_to_live = 64,
			.next_proto_id = IPPROTO_UDP,
			.src_addr = rte_cpu_to_be_32(0x0a010064 + f / 64000),
			.dst_addr = rte_cpu_to_be_32(0x0a020064),
		};
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		u->src_port = rte_cpu_to_be_16((uint16_t)(1024 + f % 64000));
		u->dst_port = rte_cpu_to_be_16(5001);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(len - 14 - 20));
		u->dgram_cksum = 0;
		pcap_dump((u_char *)d, &h, frame);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcap", required_argument, NULL, 'p' },
		{ "flows", required_argument, NULL, 'f' },
		{ "seconds", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ "file-prefix", required_argument, NULL, 'P' },
		{ "no-huge", no_argument, NULL, 'H' },
		{ "write-pcap", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char pcap_path[256], cfgbuf[4096];
	const char *prefix = "phx_bench";
	unsigned flows = 1024, seconds = 10, size = 64;
	bool no_huge = false, own_pcap = true, write_only = false;
	struct phx_cfg_errors errs = {0};
	struct phx_config *cfg;
	struct phx_dp *dp;
	struct phx_ctl *ctl;
	struct phx_dp_stats s0, s1;
	struct rte_eth_stats in0, out0;
	int c, n;
	unsigned nb_mbufs, max_sess, mem_mb;
	char mem_arg[16];
	uint64_t t0, t1, hz, rx, tx, busy, ts0, ts1, created;
	double secs, bytes_per_sess;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			snprintf(pcap_path, sizeof(pcap_path), "%s", optarg);
			own_pcap = false;
			break;
		case 'f':
			flows = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 's':
			seconds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'z':
			size = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'P':
			prefix = optarg;
			break;
		case 'H':
			no_huge = true;
			break;
		case 'W':
			snprintf(pcap_path, sizeof(pcap_path), "%s", optarg);
			write_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (flows == 0 || flows > 4000000 || seconds == 0 || seconds > 3600 ||
	    size < 64 || size > 1518) {
		fprintf(stderr, "phalanx-bench: --flows 1..4000000, --seconds "
			"1..3600, --size 64..1518\n");
		return 2;
	}
	if (write_only)
		return write_pcap(pcap_path, flows, size) == 0 ? 0 : 1;
	if (own_pcap) {
		snprintf(pcap_path, sizeof(pcap_path),
			 "/tmp/phalanx-bench-%d.pcap", (int)getpid());
		if (write_pcap(pcap_path, flows, size) != 0)
			return 1;
	}
	/* The pcap PMD copies every frame into its own mbufs: one per flow,
	 * plus RX rings and frames in flight. Sessions: room for every flow
	 * with cuckoo headroom. Memory: mbufs, the table, and the rest. */
	nb_mbufs = flows + 32768;
	max_sess = RTE_MAX(1024u, flows + flows / 4);
	mem_mb = 384 + (unsigned)(((uint64_t)nb_mbufs * 2560 +
				   (uint64_t)max_sess * 200) >> 20);
	n = snprintf(cfgbuf, sizeof(cfgbuf),
		"{\"name\": \"bench\",\n"
		" \"eal\": {\"file_prefix\": \"%s\", \"lcores\": \"0-1\", "
		"\"memory_mb\": %u, \"no_huge\": %s},\n"
		" \"dataplane\": {\"workers\": 1, \"mbufs\": %u},\n"
		" \"sessions\": {\"max\": %u},\n"
		" \"rules\": [{\"name\": \"all\", \"action\": \"accept\"}],\n"
		" \"ports\": [\n"
		"  {\"name\": \"in0\", \"device\": "
		"\"net_pcap0,rx_pcap=%s,infinite_rx=1\", "
		"\"mac\": \"02:00:0a:01:00:0b\", \"addresses\": [\"10.1.0.11/24\"]},\n"
		"  {\"name\": \"out0\", \"device\": \"net_null0,no-rx=1\", "
		"\"mac\": \"02:00:0a:02:00:0b\", \"addresses\": [\"10.2.0.11/24\"]}\n"
		" ]}\n", prefix, mem_mb, no_huge ? "true" : "false", nb_mbufs,
		max_sess, pcap_path);
	if (n < 0 || (size_t)n >= sizeof(cfgbuf)) {
		fprintf(stderr, "phalanx-bench: pcap path too long\n");
		return 2;
	}
	cfg = phx_config_load_buf("bench.json", cfgbuf, (size_t)n, &errs);
	if (cfg == NULL) {
		phx_cfg_errors_print(&errs, stderr);
		return 1;
	}
	eal_push(argv[0]);
	eal_push("-l");
	eal_push("0-1");
	eal_push("--file-prefix");
	eal_push(prefix);
	eal_push(no_huge ? "--no-huge" : "--huge-unlink");
	snprintf(mem_arg, sizeof(mem_arg), "%u", mem_mb);
	eal_push("-m");
	eal_push(mem_arg);
	eal_push("--no-pci");
	eal_push("--log-level");
	eal_push("*:warning");
	eal_push("--vdev");
	eal_push(cfg->ports[0].device);
	eal_push("--vdev");
	eal_push(cfg->ports[1].device);
	if (rte_eal_init(eal_n, eal) < 0) {
		fprintf(stderr, "phalanx-bench: EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	bytes_per_sess = shard_bytes_per_session(flows);
	dp = phx_dp_create(cfg, &errs);
	if (dp == NULL) {
		phx_cfg_errors_print(&errs, stderr);
		return 1;
	}
	ctl = phx_ctl_create(dp);
	if (ctl == NULL)
		return 1;
	/* Pre-resolve the server so every packet takes the fast path. */
	{
		static const struct rte_ether_addr smac = {
			{ 0x02, 0, 0x0a, 2, 0, 0x64 } };
		int np = phx_dp_neigh_add(dp, rte_cpu_to_be_32(0x0a020064));

		if (np < 0)
			return 1;
		phx_dp_neigh_set_mac(dp, np, &smac);
	}
	if (phx_dp_start(dp) != 0)
		return 1;
	hz = rte_get_tsc_hz();
	/* Setup: the first pass over the pcap opens one session per flow.
	 * Timed from the first session to the last (bounded: 120 s). */
	ts0 = ts1 = 0;
	t0 = rte_rdtsc();
	for (;;) {
		uint64_t now = rte_rdtsc();

		phx_dp_stats_sum(dp, &s0);
		created = s0.cnt[PHX_CNT_SESS_CREATED];
		if (created > 0 && ts0 == 0)
			ts0 = now;
		if (created >= flows) {
			ts1 = now;
			break;
		}
		if (stop_requested || now - t0 > 120 * hz)
			break;
		rte_delay_us_block(100);
	}
	/* One second of established warm-up, then measure. */
	rte_delay_ms(1000);
	phx_dp_stats_sum(dp, &s0);
	rte_eth_stats_reset(phx_dp_port(dp, 0)->port_id);
	rte_eth_stats_reset(phx_dp_port(dp, 1)->port_id);
	t0 = rte_rdtsc();
	while (!stop_requested && rte_rdtsc() - t0 < hz * seconds)
		rte_delay_ms(10);
	t1 = rte_rdtsc();
	phx_dp_stats_sum(dp, &s1);
	rte_eth_stats_get(phx_dp_port(dp, 0)->port_id, &in0);
	rte_eth_stats_get(phx_dp_port(dp, 1)->port_id, &out0);
	secs = (double)(t1 - t0) / (double)hz;
	rx = s1.cnt[PHX_CNT_RX_PKTS] - s0.cnt[PHX_CNT_RX_PKTS];
	tx = s1.cnt[PHX_CNT_FWD_PKTS] - s0.cnt[PHX_CNT_FWD_PKTS];
	busy = s1.cnt[PHX_CNT_BUSY_TSC] - s0.cnt[PHX_CNT_BUSY_TSC];
	printf("\n  ---------------------- Forward statistics for port 0 "
	       " ----------------------\n");
	printf("  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64
	       " RX-total: %" PRIu64 "\n", in0.ipackets, in0.imissed,
	       in0.ipackets + in0.imissed);
	printf("  ---------------------- Forward statistics for port 1 "
	       " ----------------------\n");
	printf("  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64
	       " TX-total: %" PRIu64 "\n", out0.opackets, out0.oerrors,
	       out0.opackets + out0.oerrors);
	printf("  +++++++++++++++ Accumulated forward statistics for all "
	       "ports +++++++++++++++\n");
	printf("  RX-packets: %-14" PRIu64 " TX-packets: %-14" PRIu64
	       " seconds: %.2f\n", rx, tx, secs);
	printf("  Rx-pps: %12.0f   Tx-pps: %12.0f\n", rx / secs, tx / secs);
	printf("  CPU cycles/packet=%.2f (busy cycles=%" PRIu64 " / total "
	       "packets=%" PRIu64 ") at %" PRIu64 " MHz Clock\n",
	       rx ? (double)busy / (double)rx : 0.0, busy, rx, hz / 1000000);
	printf("  frame size %u bytes, %u flows, 1 worker\n", size, flows);
	printf("  sessions: %u live, %" PRIu64 " created during the measured "
	       "phase, %" PRIu64 " drops\n", phx_dp_sessions(dp, 0),
	       s1.cnt[PHX_CNT_SESS_CREATED] - s0.cnt[PHX_CNT_SESS_CREATED],
	       drops_total(&s1) - drops_total(&s0));
	if (ts1 > ts0 && flows >= 1000)
		printf("  setup: %" PRIu64 " sessions in %.3f s: %.0f new "
		       "sessions/s (policy lookup included)\n", created,
		       (double)(ts1 - ts0) / (double)hz,
		       (double)created * (double)hz / (double)(ts1 - ts0));
	else if (ts1 == 0)
		printf("  setup: only %" PRIu64 " of %u sessions were created\n",
		       created, flows);
	printf("  memory: %.1f bytes per session (table of %u: hash with both "
	       "keys, records, free list)\n", bytes_per_sess, flows);
	phx_dp_stop(dp);
	phx_ctl_free(ctl);
	phx_dp_free(dp);
	rte_eal_cleanup();
	phx_config_free(cfg);
	if (own_pcap)
		unlink(pcap_path);
	return tx > 0 && ts1 != 0 ? 0 : 1;
}
