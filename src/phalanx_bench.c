/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * phalanx-bench: testpmd-style benchmark of the real dataplane.
 *
 * It builds a two-port member whose input port replays a pcap forever
 * (net_pcap infinite_rx=1) and whose output port is net_null, with a
 * policy that accepts every flow, pre-resolves the next hop, and runs the
 * real worker loop. The pcap holds one frame per flow, so the first pass
 * over it opens every session (the setup rate: new sessions per second on
 * one worker, rule lookup included); the table is then aged (age_table)
 * and every later pass is established traffic spread over all of them
 * (Rx/Tx pps and TSC cycles per packet, busy cycles as testpmd
 * --record-core-cycles counts them). It also
 * measures the memory of a session table of that size (hash with both
 * keys, records, free list) from DPDK's heap statistics.
 * tests/bench/forwarding.sh and tests/bench/sessions.sh run dpdk-testpmd
 * --forward-mode=io on the same devices and pcap in the same run.
 *
 * Without --pcap it writes one: UDP frames to 10.2.0.100:5001 addressed to
 * the input port's MAC, flow i from 10.1.0.(100 + i / 64000), source port
 * 1024 + i % 64000.
 *
 * Sync costs (issue 5): the setup pass runs twice, with the rule's sync
 * on (every new session queues a NEW event, drained here as control's
 * poll does) and, after a flush, with sync off; both rates and their
 * ratio are printed. --sync-apply measures the standby side instead:
 * the same flows as sessions encoded into sync bodies (lib/sync_codec),
 * then decoded, converted and posted as PHX_MSG_INSTALL to their owner
 * worker until it has installed them all (no packets: the input port is
 * a net_null that receives nothing).
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
#include "lib/sync_codec.h"
#include "src/cli_num.h"

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
		"                     [--fresh-table]\n"
		"       phalanx-bench --sync-apply [--flows N] [--file-prefix P] [--no-huge]\n"
		"       phalanx-bench --write-pcap FILE [--flows N] [--size BYTES]\n"
		"\n"
		"Runs the phalanx worker loop on net_pcap (infinite_rx) -> net_null\n"
		"for S seconds (default 10) on one worker lcore and prints\n"
		"testpmd-style statistics. Without --pcap, writes a pcap of N\n"
		"(default 1024) UDP flows of SIZE-byte frames (default 64) to\n"
		"/tmp/phalanx-bench-<pid>.pcap. --write-pcap only writes that\n"
		"pcap (for running dpdk-testpmd on the same input).\n"
		"Before measuring established traffic the table is aged: every\n"
		"session deleted in a random order and re-created by its next\n"
		"packet, twice, so records and hash key slots are in no order\n"
		"(--fresh-table: measure the table as the first pass left it).\n"
		"--sync-apply times a standby applying N synced sessions\n"
		"(decode, convert, post to the owner worker, install).\n");
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

/* Drain session events as control's poll does; returns how many. */
static uint64_t
drain_events(struct phx_dp *dp)
{
	static struct phx_sess_event ev[256];
	uint64_t total = 0;
	unsigned n;

	while ((n = phx_dp_sess_events(dp, ev, RTE_DIM(ev))) != 0)
		total += n;
	return total;
}

/*
 * The first setup pass, from the first new session to the flows-th
 * (bounded: 120 s; the worker may have started before us), draining
 * session events meanwhile. Returns the TSC ticks it took, 0 if it did
 * not complete; *created gets the sessions created.
 */
static uint64_t
setup_pass(struct phx_dp *dp, unsigned flows, uint64_t *created,
	   uint64_t *evs)
{
	struct phx_dp_stats st;
	uint64_t hz = rte_get_tsc_hz(), base = 0, ts0 = 0, t0 = rte_rdtsc();

	*evs = 0;
	for (;;) {
		uint64_t now = rte_rdtsc();

		*evs += drain_events(dp);
		phx_dp_stats_sum(dp, &st);
		*created = st.cnt[PHX_CNT_SESS_CREATED] - base;
		if (*created > 0 && ts0 == 0)
			ts0 = now;
		if (*created >= flows)
			return now > ts0 ? now - ts0 : 1;
		if (stop_requested || now - t0 > 120 * hz)
			return 0;
		rte_delay_us_block(20);
	}
}

/*
 * The pass after a flush: the pcap keeps replaying, so sessions come
 * back from the moment the flush ends (sess_closed has counted them all)
 * until the table holds every flow again.
 */
static uint64_t
flush_and_setup(struct phx_dp *dp, const struct phx_dp_msg *fl,
		unsigned flows, uint64_t *created, uint64_t *evs)
{
	struct phx_dp_stats st;
	uint64_t hz = rte_get_tsc_hz(), closed, c0, t0, t1;

	phx_dp_stats_sum(dp, &st);
	closed = st.cnt[PHX_CNT_SESS_CLOSED];
	while (phx_dp_post(dp, 0, fl) != 0)
		;
	do {
		drain_events(dp);
		phx_dp_stats_sum(dp, &st);
	} while (st.cnt[PHX_CNT_SESS_CLOSED] - closed < flows);
	t0 = rte_rdtsc();
	c0 = st.cnt[PHX_CNT_SESS_CREATED];
	*evs = 0;
	while (phx_dp_sessions(dp, 0) < flows) {
		*evs += drain_events(dp);
		if (stop_requested || rte_rdtsc() - t0 > 120 * hz)
			return 0;
		rte_delay_us_block(20);
	}
	t1 = rte_rdtsc();
	phx_dp_stats_sum(dp, &st);
	*created = st.cnt[PHX_CNT_SESS_CREATED] - c0;
	return t1 - t0;
}

/* Flow i of the bench pcap as the session a peer would sync. */
static void
bench_flow_sess(unsigned i, struct phx_sess *s)
{
	memset(s, 0, sizeof(*s));
	s->key.src_ip = rte_cpu_to_be_32(0x0a010064 + i / 64000);
	s->key.dst_ip = rte_cpu_to_be_32(0x0a020064);
	s->key.sport = rte_cpu_to_be_16((uint16_t)(1024 + i % 64000));
	s->key.dport = rte_cpu_to_be_16(5001);
	s->key.proto = IPPROTO_UDP;
	s->state = 2;      /* replied */
	s->flags = 0x01 | 0x08;
	s->tmo_class = PHX_TMO_UDP;
}

/*
 * Age the table before measuring established traffic (--fresh-table
 * skips it). A fresh table hands out session records and rte_hash key
 * slots in order, so the sessions of flows 0, 1, 2... would sit side by
 * side and every pass over the pcap would walk them sequentially: a gift
 * to the hardware prefetcher that a table which has run for a while, and
 * real traffic, never give. So every session is deleted
 * (PHX_MSG_DELETE) in a random order and the pcap, still replaying,
 * re-creates each with its next packet in whatever was freed. Twice:
 * rte_hash's free key slots are a FIFO that first hands out the slots
 * never used (the table has room for two keys per session), in order;
 * the second round gets the slots the first freed, in random order.
 * Returns 0 once the table holds every flow again.
 */
static int
age_table(struct phx_dp *dp, unsigned flows)
{
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc(), base;
	uint32_t *perm, x = 2463534242u;
	struct phx_dp_stats st;
	unsigned round, i;

	perm = malloc((size_t)flows * sizeof(*perm));
	if (perm == NULL)
		return -1;
	for (i = 0; i < flows; i++)
		perm[i] = i;
	for (round = 0; round < 2; round++) {
		for (i = flows - 1; i > 0; i--) { /* Fisher-Yates, xorshift32 */
			uint32_t j, t;

			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			j = x % (i + 1);
			t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		phx_dp_stats_sum(dp, &st);
		base = st.cnt[PHX_CNT_SESS_SYNC_DELETED];
		for (i = 0; i < flows && !stop_requested; i++) {
			struct phx_dp_msg m = { .type = PHX_MSG_DELETE };

			bench_flow_sess(perm[i], &m.s);
			while (phx_dp_post(dp, 0, &m) != 0)
				drain_events(dp);
		}
		do {
			drain_events(dp);
			phx_dp_stats_sum(dp, &st);
			if (stop_requested || rte_rdtsc() - t0 > 120 * hz) {
				free(perm);
				return -1;
			}
		} while (st.cnt[PHX_CNT_SESS_SYNC_DELETED] - base < flows ||
			 phx_dp_sessions(dp, 0) < flows);
	}
	free(perm);
	return 0;
}

/*
 * --sync-apply: encode the flows into sync bodies (as the active's sync
 * sender would, SESS_FULL records in sequenced frames), then time the
 * standby's work: decode every body, convert each record and post it to
 * its owner worker, until the workers have installed them all.
 */
static int
sync_apply(struct phx_dp *dp, unsigned flows)
{
	static struct phx_sync_frame fr;
	uint8_t *bodies;
	size_t *lens, total_bytes = 0;
	unsigned nb = 0, cap_b = flows / 8 + 2, i = 0, b, r;
	struct phx_sync_builder bld;
	struct phx_dp_stats st;
	uint64_t hz = rte_get_tsc_hz(), t0, t1, base, spins = 0;

	bodies = malloc((size_t)cap_b * PHX_SYNC_MAX_BODY);
	lens = calloc(cap_b, sizeof(*lens));
	if (bodies == NULL || lens == NULL)
		return 1;
	while (i < flows) {
		if (nb == cap_b)
			return 1;
		phx_sync_build_init(&bld, bodies + (size_t)nb * PHX_SYNC_MAX_BODY,
				    PHX_SYNC_MAX_BODY, true, nb + 1);
		for (; i < flows; i++) {
			struct phx_sync_rec rec = { .type = PHX_SYNC_SESS_FULL };
			struct phx_sess s;

			bench_flow_sess(i, &s);
			phx_sess_to_sync(&s, 50000, 2, &rec.u.sess);
			if (phx_sync_build_rec(&bld, &rec) != 0)
				break;
		}
		lens[nb] = phx_sync_build_finish(&bld);
		total_bytes += lens[nb++];
	}
	phx_dp_stats_sum(dp, &st);
	base = st.cnt[PHX_CNT_SESS_INSTALLED];
	t0 = rte_rdtsc();
	for (b = 0; b < nb && !stop_requested; b++) {
		if (phx_sync_decode(bodies + (size_t)b * PHX_SYNC_MAX_BODY,
				    lens[b], &fr) != PHX_SYNC_OK) {
			fprintf(stderr, "phalanx-bench: body %u does not "
				"decode\n", b);
			return 1;
		}
		for (r = 0; r < fr.n; r++) {
			struct phx_dp_msg m = { .type = PHX_MSG_INSTALL };

			phx_sess_from_sync(&fr.rec[r].u.sess, &m.s);
			m.remaining_ms = fr.rec[r].u.sess.remaining_ms;
			while (phx_dp_post(dp, phx_dp_sess_worker(dp, &m.s.key),
					   &m) != 0)
				spins++;
		}
	}
	for (;;) {
		phx_dp_stats_sum(dp, &st);
		if (st.cnt[PHX_CNT_SESS_INSTALLED] - base >= flows ||
		    stop_requested || rte_rdtsc() - t0 > 120 * hz)
			break;
	}
	t1 = rte_rdtsc();
	printf("\n  sync apply: %u sessions in %u sync bodies: %.1f records "
	       "per frame, %.1f bytes per record (body header included)\n",
	       flows, nb, (double)flows / nb, (double)total_bytes / flows);
	printf("  applied: %" PRIu64 " installed, %" PRIu64 " failed in "
	       "%.3f s: %.0f records/s on %u worker(s) (decode + convert + "
	       "post + install; %" PRIu64 " posts retried on a full ring)\n",
	       st.cnt[PHX_CNT_SESS_INSTALLED] - base,
	       st.cnt[PHX_CNT_SESS_INSTALL_FAILED],
	       (double)(t1 - t0) / (double)hz,
	       (double)(st.cnt[PHX_CNT_SESS_INSTALLED] - base) * (double)hz /
	       (double)(t1 - t0), phx_dp_nb_workers(dp), spins);
	free(bodies);
	free(lens);
	return st.cnt[PHX_CNT_SESS_INSTALLED] - base >= flows ? 0 : 1;
}

/* A decimal option value in lo..hi, all of it; 0, or -1 with a message. */
static int
arg_uint(const char *opt, const char *s, unsigned lo, unsigned hi,
	 unsigned *out)
{
	unsigned long v;

	if (phx_parse_uint(s, hi, &v) != 0 || v < lo) {
		fprintf(stderr, "phalanx-bench: %s: \"%s\" is not a number in "
			"%u..%u\n", opt, s, lo, hi);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* A path option that fits buf; 0, or -1 with a message. */
static int
arg_path(const char *opt, const char *s, char *buf, size_t len)
{
	if (s[0] == '\0' || strlen(s) >= len) {
		fprintf(stderr, "phalanx-bench: %s: a path of 1..%zu "
			"characters\n", opt, len - 1);
		return -1;
	}
	memcpy(buf, s, strlen(s) + 1);
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
		{ "sync-apply", no_argument, NULL, 'S' },
		{ "fresh-table", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char pcap_path[256], cfgbuf[4096], in_dev[320];
	const char *prefix = "phx_bench";
	unsigned flows = 1024, seconds = 10, size = 64;
	bool no_huge = false, own_pcap = true, write_only = false;
	bool apply_only = false, fresh = false;
	struct phx_cfg_errors errs = {0};
	struct phx_config *cfg;
	struct phx_dp *dp;
	struct phx_ctl *ctl;
	struct phx_dp_stats s0, s1;
	struct rte_eth_stats in0, out0;
	int c, n;
	unsigned nb_mbufs, max_sess, mem_mb;
	char mem_arg[16];
	uint64_t t0, t1, hz, rx, tx, busy, created, created_off = 0, ev_on, ev_off;
	uint64_t setup_on, setup_off = 0;
	double secs, bytes_per_sess;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (arg_path("--pcap", optarg, pcap_path,
				     sizeof(pcap_path)) != 0)
				return 2;
			own_pcap = false;
			break;
		case 'f':
			if (arg_uint("--flows", optarg, 1, 4000000, &flows) != 0)
				return 2;
			break;
		case 's':
			if (arg_uint("--seconds", optarg, 1, 3600, &seconds) != 0)
				return 2;
			break;
		case 'z':
			if (arg_uint("--size", optarg, 64, 1518, &size) != 0)
				return 2;
			break;
		case 'P':
			prefix = optarg;
			break;
		case 'H':
			no_huge = true;
			break;
		case 'W':
			if (arg_path("--write-pcap", optarg, pcap_path,
				     sizeof(pcap_path)) != 0)
				return 2;
			write_only = true;
			break;
		case 'S':
			apply_only = true;
			break;
		case 'F':
			fresh = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "phalanx-bench: unexpected argument \"%s\"\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (write_only)
		return write_pcap(pcap_path, flows, size) == 0 ? 0 : 1;
	if (own_pcap && !apply_only) {
		snprintf(pcap_path, sizeof(pcap_path),
			 "/tmp/phalanx-bench-%d.pcap", (int)getpid());
		if (write_pcap(pcap_path, flows, size) != 0)
			return 1;
	}
	/* The pcap PMD copies every frame into its own mbufs: one per flow,
	 * plus RX rings and frames in flight. Sessions: room for every flow
	 * with cuckoo headroom. Memory: mbufs, the table, and the rest. */
	nb_mbufs = apply_only ? 8192 : flows + 32768;
	max_sess = RTE_MAX(1024u, flows + flows / 4);
	mem_mb = 384 + (unsigned)(((uint64_t)nb_mbufs * 2560 +
				   (uint64_t)max_sess * 200) >> 20);
	if (apply_only)
		snprintf(in_dev, sizeof(in_dev), "net_null1,no-rx=1");
	else
		snprintf(in_dev, sizeof(in_dev),
			 "net_pcap0,rx_pcap=%s,infinite_rx=1", pcap_path);
	n = snprintf(cfgbuf, sizeof(cfgbuf),
		"{\"name\": \"bench\",\n"
		" \"eal\": {\"file_prefix\": \"%s\", \"lcores\": \"0-1\", "
		"\"memory_mb\": %u, \"no_huge\": %s},\n"
		" \"dataplane\": {\"workers\": 1, \"mbufs\": %u},\n"
		" \"sessions\": {\"max\": %u},\n"
		" \"rules\": [{\"name\": \"all\", \"action\": \"accept\"}],\n"
		" \"ports\": [\n"
		"  {\"name\": \"in0\", \"device\": \"%s\", "
		"\"mac\": \"02:00:0a:01:00:0b\", \"addresses\": [\"10.1.0.11/24\"]},\n"
		"  {\"name\": \"out0\", \"device\": \"net_null0,no-rx=1\", "
		"\"mac\": \"02:00:0a:02:00:0b\", \"addresses\": [\"10.2.0.11/24\"]}\n"
		" ]}\n", prefix, mem_mb, no_huge ? "true" : "false", nb_mbufs,
		max_sess, in_dev);
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
	if (apply_only) {
		c = sync_apply(dp, flows);
		phx_dp_stop(dp);
		phx_ctl_free(ctl);
		phx_dp_free(dp);
		rte_eal_cleanup();
		phx_config_free(cfg);
		return c;
	}
	/* Setup: the first pass over the pcap opens one session per flow,
	 * each queueing a NEW sync event (the rule syncs), drained as
	 * control would. */
	setup_on = setup_pass(dp, flows, &created, &ev_on);
	if (setup_on != 0 && !fresh && age_table(dp, flows) != 0) {
		fprintf(stderr, "phalanx-bench: the table did not fill again "
			"after aging\n");
		setup_on = 0;
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
	if (setup_on != 0 && flows >= 1000)
		printf("  setup: %" PRIu64 " sessions in %.3f s: %.0f new "
		       "sessions/s (policy lookup included; sync on, %" PRIu64
		       " events drained)\n", created,
		       (double)setup_on / (double)hz,
		       (double)created * (double)hz / (double)setup_on, ev_on);
	else if (setup_on == 0)
		printf("  setup: only %" PRIu64 " of %u sessions were created\n",
		       created, flows);
	/* Sync's cost on setup: the pass again after a flush (warm table,
	 * like-for-like), with the rule's sync on, then with a policy whose
	 * rule has sync off. The pcap's next pass opens every session. */
	if (setup_on != 0 && flows >= 1000 && !stop_requested) {
		struct phx_dp_msg fl = { .type = PHX_MSG_FLUSH };
		struct phx_policy *pol;
		uint64_t setup_on2, created_on2 = 0, ev_on2;
		char err[256];

		setup_on2 = flush_and_setup(dp, &fl, flows, &created_on2,
					    &ev_on2);
		cfg->rules[0].sync = false;
		pol = phx_dp_policy_build(dp, cfg, phx_dp_policy_gen(dp) + 1,
					  err, sizeof(err));
		if (pol != NULL) {
			phx_dp_policy_publish(dp, pol);
			setup_off = flush_and_setup(dp, &fl, flows,
						    &created_off, &ev_off);
		} else {
			fprintf(stderr, "phalanx-bench: policy: %s\n", err);
		}
		/* On a loaded machine this thread may look only after the
		 * pass is done: then nothing was measured. */
		if (created_on2 < flows / 2 || created_off < flows / 2)
			setup_on2 = setup_off = 0;
		if (setup_on2 != 0 && setup_off != 0)
			printf("  setup after a flush: sync on %.0f new "
			       "sessions/s (%" PRIu64 " events), sync off %.0f "
			       "(%" PRIu64 " events); on/off = %.3f\n",
			       (double)created_on2 * (double)hz /
			       (double)setup_on2, ev_on2,
			       (double)created_off * (double)hz /
			       (double)setup_off, ev_off,
			       (double)setup_off / (double)setup_on2);
		else
			printf("  setup after a flush: not measured (this "
			       "thread was late or the pass did not complete)\n");
	}
	printf("  memory: %.1f bytes per session (table of %u: hash with both "
	       "keys, records, free list)\n", bytes_per_sess, flows);
	phx_dp_stop(dp);
	phx_ctl_free(ctl);
	phx_dp_free(dp);
	rte_eal_cleanup();
	phx_config_free(cfg);
	if (own_pcap)
		unlink(pcap_path);
	return tx > 0 && setup_on != 0 ? 0 : 1;
}
