/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane half of state sync on the real worker loop (net_ring
 * ports, one process): which session changes become events (only while
 * forwarding, never for sync: false rules, broadcast or multicast, not
 * before a rule's sync_delay_s, a lifetime refresh once per epoch),
 * sessions installed and deleted by messages (SNAT port taken and
 * released), full-sync dumps in chunks, new-connection blocking, the
 * owner worker and the shard digest.
 *
 * Ports: 0 in0 (client side), 1 out0 (server side), 2 sync0; the
 * cluster member of conf/lab/member1.json with extra rules. Two modes
 * (tests/dp/meson.build): no argument, one worker; "multi", two workers
 * on RX queues 0 and 1, for phx_dp_sess_worker and the digest of two
 * shards.
 *
 * Events are read here with phx_dp_sess_events() between the fixture's
 * calls: fx_collect/fx_drain run control's poll, which drains them too.
 * Counters (sync_events, ...) count either way.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "tests/dp/fixture.h"
#include "tests/dp/pkt_build.h"

static const char cfg_fmt[] =
	"{\n"
	"  \"name\": \"synctest\",\n"
	"  \"dataplane\": {\"workers\": %u, \"mbufs\": 8192, \"icmp_rate\": 100000},\n"
	"  \"ports\": [\n"
	"    {\"name\": \"in0\", \"device\": \"net_ring_t0\", \"mac\": \"02:00:0a:01:00:0b\",\n"
	"     \"addresses\": [\"10.1.0.11/24\"]},\n"
	"    {\"name\": \"out0\", \"device\": \"net_ring_t1\", \"mac\": \"02:00:0a:02:00:0b\",\n"
	"     \"addresses\": [\"10.2.0.11/24\"]},\n"
	"    {\"name\": \"sync0\", \"device\": \"net_ring_t2\", \"mac\": \"02:00:0a:00:00:01\",\n"
	"     \"addresses\": [\"10.0.0.1/24\"]}\n"
	"  ],\n"
	"  \"sessions\": {\"max\": 1024, \"pickup_grace_s\": 0},\n"
	"  \"zones\": {\"inside\": [\"in0\"], \"outside\": [\"out0\"]},\n"
	"  \"rules\": [\n"
	"    {\"name\": \"snat_hide\", \"in\": \"inside\", \"src\": \"10.1.0.0/24\", \"dst\": \"10.2.0.0/24\",\n"
	"     \"proto\": \"tcp\", \"dport\": \"9000-9099\", \"nat\": {\"source\": \"10.2.0.1\"}},\n"
	"    {\"name\": \"snat_one\", \"in\": \"inside\", \"proto\": \"udp\", \"dport\": 5600,\n"
	"     \"nat\": {\"source\": \"10.2.0.1\", \"ports\": \"20000-20000\"}},\n"
	"    {\"name\": \"nosync\", \"in\": \"inside\", \"proto\": \"udp\", \"dport\": 5353, \"sync\": false},\n"
	"    {\"name\": \"delayed\", \"in\": \"inside\", \"proto\": \"udp\", \"dport\": 7100, \"sync_delay_s\": 1},\n"
	"    {\"name\": \"delayed_short\", \"in\": \"inside\", \"proto\": \"udp\", \"dport\": 7101,\n"
	"     \"sync_delay_s\": 2, \"timeouts\": {\"udp_first\": 1}},\n"
	"    {\"name\": \"short\", \"in\": \"inside\", \"proto\": \"udp\", \"dport\": 7300,\n"
	"     \"timeouts\": {\"udp_first\": 2, \"udp\": 2}},\n"
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

#define CLIENT FX_CLIENT
#define SERVER FX_SERVER
#define VIP_IN IP(10, 1, 0, 1)
#define VIP_OUT IP(10, 2, 0, 1)
#define F_SYN RTE_TCP_SYN_FLAG
#define F_ACK RTE_TCP_ACK_FLAG

static unsigned nworkers = 1;

static struct phx_flow_key
key(uint32_t src, uint32_t dst, uint8_t proto, uint16_t sport,
    uint16_t dport)
{
	return (struct phx_flow_key){
		.src_ip = rte_cpu_to_be_32(src), .dst_ip = rte_cpu_to_be_32(dst),
		.sport = rte_cpu_to_be_16(sport), .dport = rte_cpu_to_be_16(dport),
		.proto = proto };
}

/* Inject on the RX queue RSS would pick for the packet's flow. */
static void
inject(int port, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = fx_ip(m);
	const uint16_t *l4 = (const uint16_t *)(ip + 1);
	struct phx_flow_key k = {
		.src_ip = ip->src_addr, .dst_ip = ip->dst_addr,
		.sport = l4[0], .dport = l4[1], .proto = ip->next_proto_id };

	fx_inject_q(port, phx_dp_sess_worker(fx_dp, &k), m);
}

/* Events queued within ms (the worker runs on its own lcore). */
static unsigned
events(struct phx_sess_event *ev, unsigned max, unsigned ms)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * ms / 1000;
	unsigned n = 0;

	while (rte_rdtsc() < end && n < max)
		n += phx_dp_sess_events(fx_dp, ev + n, max - n);
	return n;
}

static void
settle(void)
{
	struct phx_sess_event ev[64];

	fx_drain();
	while (events(ev, 64, 20) != 0)
		;
}

/* One frame out of port out within 1 s (NULL if none). */
static struct rte_mbuf *
out_of(int out)
{
	struct rte_mbuf *o = NULL;

	return fx_collect(out, &o, 1, 1000) == 1 ? o : NULL;
}

START_TEST(events_only_while_forwarding)
{
	struct phx_dp_msg msg = { .type = PHX_MSG_INSTALL, .remaining_ms = 50 };
	uint64_t ev0 = fx_counter(PHX_CNT_SYNC_EVENTS);
	uint64_t exp0 = fx_counter(PHX_CNT_SESS_EXPIRED);
	struct phx_sess_event ev[8];
	unsigned n, i;

	ck_assert(!phx_dp_cluster_forwarding(fx_dp));
	/* A standby: traffic is not its own, a synced session that
	 * expires here is not news for the active member. */
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4000, 53, 0, 0, 0));
	msg.s.key = key(CLIENT, SERVER, IPPROTO_UDP, 4001, 53);
	msg.s.state = PHX_SESS_ST_NEW;
	msg.s.tmo_class = PHX_TMO_UDP_FIRST;
	ck_assert_int_eq(phx_dp_post(fx_dp, phx_dp_sess_worker(fx_dp,
				     &msg.s.key), &msg), 0);
	rte_delay_ms(300);
	fx_drain();
	ck_assert_uint_ge(fx_counter(PHX_CNT_SESS_EXPIRED), exp0 + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SYNC_EVENTS), ev0);

	phx_dp_cluster_set_forwarding(fx_dp, true);
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4002, 53, 0, 0, 0));
	n = events(ev, 8, 200);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ev[0].type, PHX_SEV_NEW);
	ck_assert(ev[0].s.key.sport == rte_cpu_to_be_16(4002));
	ck_assert_uint_gt(ev[0].remaining_ms, 25000);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(ev[i].s.flags & PHX_SESS_F_UNSYNCED, 0);
	settle();
}
END_TEST

START_TEST(nosync_and_broadcast_never)
{
	uint64_t ev0, cr0;

	settle();
	ev0 = fx_counter(PHX_CNT_SYNC_EVENTS);
	cr0 = fx_counter(PHX_CNT_SESS_CREATED);
	/* sync: false */
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4100, 5353, 0, 0, 0));
	rte_pktmbuf_free(out_of(1));
	inject(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_UDP, 5353, 4100, 0, 0, 0));
	rte_pktmbuf_free(out_of(0));
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_CREATED), cr0 + 1);
	/* SPEC SYNC-51: limited and directed broadcast, multicast */
	inject(0, fx_pkt(0, CLIENT, IP(255, 255, 255, 255), IPPROTO_UDP, 4101,
		      53, 0, 0, 0));
	inject(0, fx_pkt(0, CLIENT, IP(10, 2, 0, 255), IPPROTO_UDP, 4102, 53, 0,
		      0, 0));
	inject(0, fx_pkt(0, CLIENT, IP(224, 0, 0, 5), IPPROTO_UDP, 4103, 53, 0,
		      0, 0));
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_CREATED), cr0 + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SYNC_EVENTS), ev0);
}
END_TEST

START_TEST(delayed_sync)
{
	struct phx_sess_event ev[8];
	uint64_t ev0, d0 = fx_counter(PHX_CNT_SYNC_DELAYED);
	unsigned n;

	settle();
	ev0 = fx_counter(PHX_CNT_SYNC_EVENTS);
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4200, 7100, 0, 0, 0));
	/* its reply changes its state: still nothing */
	n = events(ev, 8, 200);
	ck_assert_uint_eq(n, 0);
	inject(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_UDP, 7100, 4200, 0, 0, 0));
	n = events(ev, 8, 400);
	ck_assert_msg(n == 0, "event %u for port %u", ev[0].type,
		      rte_be_to_cpu_16(ev[0].s.key.sport));
	ck_assert_uint_eq(fx_counter(PHX_CNT_SYNC_DELAYED), d0 + 1);
	/* one NEW, with the state of now, once a second has passed */
	n = events(ev, 8, 1000);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ev[0].type, PHX_SEV_NEW);
	ck_assert_uint_eq(ev[0].s.state, PHX_SESS_ST_REPLIED);
	ck_assert_uint_eq(ev[0].s.flags & PHX_SESS_F_DELAYED, 0);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SYNC_EVENTS), ev0 + 1);
	settle();
}
END_TEST

/* A delayed session removed and opened again at once takes the same
 * slot with the same key: the first one's turn in the delay queue must
 * not sync the second one early. */
START_TEST(delayed_session_reopened_waits_its_own_delay)
{
	struct phx_dp_msg del = { .type = PHX_MSG_DELETE };
	struct phx_sess_event ev[8];
	unsigned n;

	settle();
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4210, 7100, 0, 0, 0));
	rte_pktmbuf_free(out_of(1));
	del.s.key = key(CLIENT, SERVER, IPPROTO_UDP, 4210, 7100);
	ck_assert_int_eq(phx_dp_post(fx_dp, phx_dp_sess_worker(fx_dp,
				     &del.s.key), &del), 0);
	ck_assert_uint_eq(events(ev, 8, 500), 0);
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4210, 7100, 0, 0, 0));
	rte_pktmbuf_free(out_of(1));
	/* the first one was due 1 s after its start: nothing then */
	n = events(ev, 8, 750);
	ck_assert_msg(n == 0, "the reopened session synced when the first was due");
	/* the second one's own second */
	n = events(ev, 8, 800);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ev[0].type, PHX_SEV_NEW);
	ck_assert(ev[0].s.key.sport == rte_cpu_to_be_16(4210));
	settle();
}
END_TEST

START_TEST(delayed_session_that_ends_first_never_syncs)
{
	struct phx_sess_event ev[8];
	uint64_t ev0, exp0;

	settle();
	ev0 = fx_counter(PHX_CNT_SYNC_EVENTS);
	exp0 = fx_counter(PHX_CNT_SESS_EXPIRED);
	/* delay 2 s, idle timeout 1 s: it expires first (no DEL either) */
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4300, 7101, 0, 0, 0));
	ck_assert_uint_eq(events(ev, 8, 2500), 0);
	ck_assert_uint_ge(fx_counter(PHX_CNT_SESS_EXPIRED), exp0 + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SYNC_EVENTS), ev0);
}
END_TEST

START_TEST(refresh_once_per_epoch)
{
	uint64_t hz = rte_get_tsc_hz(), epoch = 4 * hz, r0, ev0;
	int k;

	settle();
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4400, 53, 0, 0, 0));
	rte_pktmbuf_free(out_of(1));
	inject(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_UDP, 53, 4400, 0, 0, 0));
	rte_pktmbuf_free(out_of(0));
	/* just after the next epoch begins */
	rte_delay_us_sleep((unsigned)((epoch - rte_rdtsc() % epoch) * 1000000 /
				      hz) + 50000);
	r0 = fx_counter(PHX_CNT_SYNC_REFRESH);
	ev0 = fx_counter(PHX_CNT_SYNC_EVENTS);
	for (k = 0; k < 3; k++) {
		inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4400, 53, 0, 0, 0));
		rte_pktmbuf_free(out_of(1));
	}
	ck_assert_uint_eq(fx_counter(PHX_CNT_SYNC_REFRESH), r0 + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SYNC_EVENTS), ev0 + 1);
}
END_TEST

/* An unverified RST (no window checking here) cuts the session to the
 * tcp_close class, and the next packet gives the class back: both reach
 * the peer as updates, so its copy lives exactly as long. */
START_TEST(unverified_rst_cut_and_restore_are_synced)
{
	struct phx_sess_event ev[8];
	unsigned n;

	settle();
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 4500, 80, F_SYN, 100, 0));
	rte_pktmbuf_free(out_of(1));
	inject(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 80, 4500,
		      F_SYN | F_ACK, 900, 101));
	rte_pktmbuf_free(out_of(0));
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 4500, 80, F_ACK, 101, 901));
	rte_pktmbuf_free(out_of(1));
	settle();
	/* events read before collecting the frame: collecting runs
	 * control's poll, which would drain them */
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 4500, 80,
		      RTE_TCP_RST_FLAG, 101, 0));
	n = events(ev, 8, 300);
	rte_pktmbuf_free(out_of(1));
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ev[0].type, PHX_SEV_UPD);
	ck_assert_uint_eq(ev[0].s.state, PHX_TCP_ESTABLISHED);
	ck_assert_uint_eq(ev[0].s.tmo_class, PHX_TMO_TCP_CLOSE);
	ck_assert_uint_le(ev[0].remaining_ms, 10000);
	/* the server's challenge ACK: the connection lives */
	inject(1, fx_pkt(1, SERVER, CLIENT, IPPROTO_TCP, 80, 4500, F_ACK, 901, 101));
	n = events(ev, 8, 300);
	rte_pktmbuf_free(out_of(0));
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ev[0].type, PHX_SEV_UPD);
	ck_assert_uint_eq(ev[0].s.tmo_class, PHX_TMO_TCP_ESTABLISHED);
	ck_assert_uint_gt(ev[0].remaining_ms, 3000000);
	settle();
}
END_TEST

/* A source-NAT port whose reply from server:sport comes back to worker
 * w (as the peer's worker picked it). */
static uint16_t
nat_port_for(unsigned w, uint16_t sport)
{
	uint16_t p;

	for (p = 30000; p < 40000; p++) {
		struct phx_flow_key r = key(SERVER, VIP_OUT, IPPROTO_TCP, sport, p);

		if (phx_dp_sess_worker(fx_dp, &r) == w)
			return p;
	}
	return 0;
}

START_TEST(install_forward_delete)
{
	struct phx_dp_msg msg = { .type = PHX_MSG_INSTALL, .remaining_ms = 20000 };
	struct phx_sync_sess ss;
	struct phx_sess s = {0};
	uint64_t inst = fx_counter(PHX_CNT_SESS_INSTALLED);
	uint64_t ev0, del0, nosess;
	struct rte_mbuf *o;
	unsigned w;
	uint16_t np;

	settle();
	/* what a peer ships: ESTABLISHED, source NAT to the VIP */
	s.key = key(CLIENT, SERVER, IPPROTO_TCP, 41000, 9000);
	w = phx_dp_sess_worker(fx_dp, &s.key);
	np = nat_port_for(w, 9000);
	ck_assert_uint_ne(np, 0);
	s.flags = PHX_SESS_F_USED | PHX_SESS_F_SNAT | PHX_SESS_F_REPLIED;
	s.nat_ip = rte_cpu_to_be_32(VIP_OUT);
	s.nat_port = rte_cpu_to_be_16(np);
	s.state = PHX_TCP_ESTABLISHED;
	s.tmo_class = PHX_TMO_TCP_ESTABLISHED;
	s.rule = 0;
	s.gen = 7;
	phx_sess_to_sync(&s, 20000, 2, &ss);
	ck_assert_uint_eq(ss.sflags, PHX_SYNC_SF_SNAT | PHX_SYNC_SF_REPLIED);
	phx_sess_from_sync(&ss, &msg.s);
	ck_assert_uint_eq(msg.s.flags, PHX_SESS_F_SNAT | PHX_SESS_F_REPLIED);
	ck_assert_int_eq(phx_dp_post(fx_dp, w, &msg), 0);
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_INSTALLED), inst + 1);
	ev0 = fx_counter(PHX_CNT_SYNC_EVENTS);

	/* forwarded, translated; and the reply to the NAT port */
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 41000, 9000, F_ACK, 5, 9));
	o = out_of(1);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(VIP_OUT));
	rte_pktmbuf_free(o);
	inject(1, fx_pkt(1, SERVER, VIP_OUT, IPPROTO_TCP, 9000, np, F_ACK, 9, 21));
	o = out_of(0);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(fx_ip(o)->dst_addr, rte_cpu_to_be_32(CLIENT));
	rte_pktmbuf_free(o);
	/* installing emitted nothing (the packets may refresh it) */
	ck_assert_uint_le(fx_counter(PHX_CNT_SYNC_EVENTS), ev0 + 1);

	/* DELETE: gone, no event, the next packet has no session */
	del0 = fx_counter(PHX_CNT_SESS_SYNC_DELETED);
	nosess = fx_drops(PHX_DROP_TCP_NOT_SYN);
	ev0 = fx_counter(PHX_CNT_SYNC_EVENTS);
	msg.type = PHX_MSG_DELETE;
	ck_assert_int_eq(phx_dp_post(fx_dp, w, &msg), 0);
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_SYNC_DELETED), del0 + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SYNC_EVENTS), ev0);
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 41000, 9000, F_ACK, 21, 9));
	fx_drain();
	ck_assert_uint_eq(fx_drops(PHX_DROP_TCP_NOT_SYN), nosess + 1);
}
END_TEST

/* *m: the install of a session CLIENT:sport -> SERVER:5600 hidden behind
 * VIP_OUT:20000 (snat_one's only port). */
static void
snat_one_install(struct phx_dp_msg *m, uint16_t sport)
{
	*m = (struct phx_dp_msg){ .type = PHX_MSG_INSTALL,
				  .remaining_ms = 20000 };
	m->s.key = key(CLIENT, SERVER, IPPROTO_UDP, sport, 5600);
	m->s.flags = PHX_SESS_F_SNAT;
	m->s.nat_ip = rte_cpu_to_be_32(VIP_OUT);
	m->s.nat_port = rte_cpu_to_be_16(20000);
	m->s.state = PHX_SESS_ST_NEW;
	m->s.tmo_class = PHX_TMO_UDP_FIRST;
}

/* A sync delete of CLIENT:sport -> SERVER:5600 (worker 0), applied. */
static void
snat_one_delete(uint16_t sport)
{
	struct phx_dp_msg m = { .type = PHX_MSG_DELETE };

	m.s.key = key(CLIENT, SERVER, IPPROTO_UDP, sport, 5600);
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &m), 0);
	fx_drain();
}

/* The only port of snat_one (20000): taken by an installed session,
 * free again once a DELETE removed it. One worker only (the port must
 * also bring the reply home). */
START_TEST(delete_releases_the_snat_port)
{
	struct phx_dp_msg msg;
	uint64_t exh = fx_drops(PHX_DROP_NAT_PORTS_EXHAUSTED);
	uint64_t fail = fx_counter(PHX_CNT_SESS_INSTALL_FAILED);
	struct rte_mbuf *o;

	if (nworkers != 1)
		return;
	settle();
	snat_one_install(&msg, 4500);
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &msg), 0);
	/* the same again refreshes, a conflicting key fails */
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &msg), 0);
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_INSTALL_FAILED), fail);
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4501, 5600, 0, 0, 0));
	fx_drain();
	ck_assert_uint_eq(fx_drops(PHX_DROP_NAT_PORTS_EXHAUSTED), exh + 1);
	msg.type = PHX_MSG_DELETE;
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &msg), 0);
	fx_drain();
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4501, 5600, 0, 0, 0));
	o = out_of(1);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(VIP_OUT));
	rte_pktmbuf_free(o);
	/* a session whose reply key is another's forward key: refused */
	msg.type = PHX_MSG_INSTALL;
	msg.s.key = key(SERVER, VIP_OUT, IPPROTO_UDP, 5600, 20000);
	msg.s.flags = 0;
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &msg), 0);
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_INSTALL_FAILED), fail + 1);
}
END_TEST

/* Two synced sessions translated to the same port towards two peers (the
 * peer allocated it twice, or a stale one was never deleted): the port
 * is free only when both are gone. */

START_TEST(shared_snat_port_outlives_one_owner)
{
	struct phx_dp_msg a, b;
	uint64_t exh = fx_drops(PHX_DROP_NAT_PORTS_EXHAUSTED);
	uint64_t inst = fx_counter(PHX_CNT_SESS_INSTALLED);
	struct rte_mbuf *o;

	if (nworkers != 1)
		return;
	settle();
	/* the flow delete_releases_the_snat_port left on the port */
	snat_one_delete(4501);
	snat_one_install(&a, 4600);
	b = a;
	b.s.key = key(CLIENT, IP(10, 2, 0, 101), IPPROTO_UDP, 4601, 5600);
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &a), 0);
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &b), 0);
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_INSTALLED), inst + 2);
	a.type = PHX_MSG_DELETE;
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &a), 0);
	fx_drain();
	/* b still translates to 20000: snat_one has nothing to give */
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4602, 5600, 0, 0, 0));
	fx_drain();
	ck_assert_uint_eq(fx_drops(PHX_DROP_NAT_PORTS_EXHAUSTED), exh + 1);
	b.type = PHX_MSG_DELETE;
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &b), 0);
	fx_drain();
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4602, 5600, 0, 0, 0));
	o = out_of(1);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(VIP_OUT));
	rte_pktmbuf_free(o);
}
END_TEST

/* An install under a known key with another translation: the peer's
 * session replaces ours (whose removal we missed), which is counted as
 * removed by sync and gives its source-NAT port back. */
START_TEST(install_with_another_translation_replaces)
{
	struct phx_dp_msg msg;
	uint64_t del, inst, fail, exh;
	struct rte_mbuf *o;

	if (nworkers != 1)
		return;
	settle();
	/* the flow shared_snat_port_outlives_one_owner left on the port */
	snat_one_delete(4602);
	del = fx_counter(PHX_CNT_SESS_SYNC_DELETED);
	inst = fx_counter(PHX_CNT_SESS_INSTALLED);
	fail = fx_counter(PHX_CNT_SESS_INSTALL_FAILED);
	exh = fx_drops(PHX_DROP_NAT_PORTS_EXHAUSTED);
	snat_one_install(&msg, 4510);
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &msg), 0);
	fx_drain();
	/* 20000, snat_one's only port, is taken */
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4511, 5600, 0, 0, 0));
	fx_drain();
	ck_assert_uint_eq(fx_drops(PHX_DROP_NAT_PORTS_EXHAUSTED), exh + 1);
	/* the same key, untranslated now */
	msg.s.flags = 0;
	msg.s.nat_ip = 0;
	msg.s.nat_port = 0;
	ck_assert_int_eq(phx_dp_post(fx_dp, 0, &msg), 0);
	fx_drain();
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_SYNC_DELETED), del + 1);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_INSTALLED), inst + 2);
	ck_assert_uint_eq(fx_counter(PHX_CNT_SESS_INSTALL_FAILED), fail);
	/* its port is free again */
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4511, 5600, 0, 0, 0));
	o = out_of(1);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(fx_ip(o)->src_addr, rte_cpu_to_be_32(VIP_OUT));
	ck_assert_uint_eq(((const struct rte_udp_hdr *)(fx_ip(o) + 1))->src_port,
			  rte_cpu_to_be_16(20000));
	rte_pktmbuf_free(o);
	/* (both go: the port is free for what follows) */
	snat_one_delete(4510);
	snat_one_delete(4511);
}
END_TEST

START_TEST(dump_in_chunks)
{
	static struct phx_sess_event ev[4096];
	struct phx_dp_msg msg = { .type = PHX_MSG_INSTALL, .remaining_ms = 30000 };
	uint32_t live = 0, full = 0, cur, nosync = 0;
	unsigned w, i, k;

	settle();
	/* 200 more synced sessions, spread over the workers */
	for (i = 0; i < 200; i++) {
		msg.s.key = key(CLIENT, SERVER, IPPROTO_UDP,
				(uint16_t)(20000 + i), 7777);
		msg.s.state = PHX_SESS_ST_NEW;
		msg.s.tmo_class = PHX_TMO_UDP_FIRST;
		ck_assert_int_eq(phx_dp_post(fx_dp, phx_dp_sess_worker(fx_dp,
					     &msg.s.key), &msg), 0);
	}
	/* and a sync: false one, which a dump skips */
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4600, 5353, 0, 0, 0));
	fx_drain();
	settle();
	for (w = 0; w < nworkers; w++) {
		struct phx_conn_page pg;
		struct phx_conn_filter f = {0};
		uint32_t from = 0;

		do {
			ck_assert_int_eq(phx_dp_conn_page(fx_dp, w, from, &f,
							  &pg, 1000), 0);
			for (k = 0; k < pg.n; k++) {
				if (pg.s[k].flags & PHX_SESS_F_UNSYNCED)
					nosync++;
				else
					live++;
			}
			from = pg.next;
		} while (from != UINT32_MAX);
	}
	ck_assert_uint_ge(live, 200);
	ck_assert_uint_ge(nosync, 1);
	/* chunks of 37: every session that syncs exactly once, cursors
	 * ending at UINT32_MAX */
	for (w = 0; w < nworkers; w++) {
		cur = 0;
		do {
			struct phx_dp_msg d = { .type = PHX_MSG_DUMP, .from = cur,
						.count = 37 };
			uint32_t got = 0;
			bool end = false;

			ck_assert_int_eq(phx_dp_post(fx_dp, w, &d), 0);
			while (!end) {
				unsigned n = events(ev, 64, 200);

				ck_assert_uint_gt(n, 0);
				for (k = 0; k < n; k++) {
					ck_assert(!end);
					ck_assert_uint_eq(ev[k].worker, w);
					if (ev[k].type == PHX_SEV_DUMP_END) {
						end = true;
						ck_assert(ev[k].remaining_ms > cur);
						cur = ev[k].remaining_ms;
						continue;
					}
					ck_assert_uint_eq(ev[k].type, PHX_SEV_FULL);
					ck_assert_uint_eq(ev[k].s.flags &
						PHX_SESS_F_UNSYNCED, 0);
					got++;
				}
			}
			ck_assert_uint_le(got, 37);
			full += got;
		} while (cur != UINT32_MAX);
	}
	ck_assert_uint_eq(full, live);
}
END_TEST

/* A synced session keeps its rule's timeout when it is dumped for a full
 * sync (and in every remaining lifetime it reports) before a packet or
 * the sweep re-checked it: a 1 s rule with 500 ms left is not shipped
 * with the global 30 s (SPEC SI-09: never extended to a full timeout). */
START_TEST(dump_keeps_the_rule_timeout)
{
	static struct phx_sess_event ev[64];
	struct phx_dp_msg msg = { .type = PHX_MSG_INSTALL, .remaining_ms = 500 };
	unsigned w, i, k, seen = 0;

	settle();
	for (i = 0; i < 40; i++) {
		msg.s.key = key(CLIENT, SERVER, IPPROTO_UDP,
				(uint16_t)(31000 + i), 7101);
		msg.s.state = PHX_SESS_ST_NEW;
		msg.s.tmo_class = PHX_TMO_UDP_FIRST;
		msg.s.rule = 4;         /* delayed_short: udp_first 1 s */
		ck_assert_int_eq(phx_dp_post(fx_dp, phx_dp_sess_worker(fx_dp,
					     &msg.s.key), &msg), 0);
	}
	for (w = 0; w < nworkers; w++) {
		struct phx_dp_msg d = { .type = PHX_MSG_DUMP, .from = 0,
					.count = 4096 };
		uint32_t cur = 0;

		do {
			bool end = false;

			d.from = cur;
			ck_assert_int_eq(phx_dp_post(fx_dp, w, &d), 0);
			while (!end) {
				unsigned n = events(ev, 64, 200);

				ck_assert_uint_gt(n, 0);
				for (k = 0; k < n; k++) {
					if (ev[k].type == PHX_SEV_DUMP_END) {
						end = true;
						cur = ev[k].remaining_ms;
						continue;
					}
					if (ev[k].type != PHX_SEV_FULL ||
					    ev[k].s.key.dport !=
					    rte_cpu_to_be_16(7101))
						continue;
					seen++;
					ck_assert_msg(ev[k].remaining_ms <= 500,
						      "dumped with %u ms left",
						      ev[k].remaining_ms);
				}
			}
		} while (cur != UINT32_MAX);
	}
	ck_assert_uint_eq(seen, 40);
}
END_TEST

START_TEST(sync_block_drops_new_flows)
{
	uint64_t blk = fx_drops(PHX_DROP_SYNC_BLOCKED);
	struct rte_mbuf *o;
	struct tb_ip echo = {
		.src_mac = fx_mac_client, .dst_mac = fx_mac_in0,
		.src = CLIENT, .dst = SERVER, .proto = IPPROTO_ICMP, .ttl = 64,
		.sport = 77, .icmp_type = 8, .payload = 16,
	};

	settle();
	/* an existing session first */
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4700, 53, 0, 0, 0));
	rte_pktmbuf_free(out_of(1));
	phx_dp_sync_block(fx_dp, true, PHX_SYNC_ALLOW_ICMP);
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4701, 53, 0, 0, 0));
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 4702, 80, F_SYN, 1, 0));
	fx_drain();
	ck_assert_uint_eq(fx_drops(PHX_DROP_SYNC_BLOCKED), blk + 2);
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4700, 53, 0, 0, 0));
	o = out_of(1);
	ck_assert_ptr_nonnull(o);
	rte_pktmbuf_free(o);
	inject(0, tb_ipv4(fx_pool, &echo));
	o = out_of(1);
	ck_assert_ptr_nonnull(o);
	rte_pktmbuf_free(o);
	phx_dp_sync_block(fx_dp, false, 0);
	inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4701, 53, 0, 0, 0));
	o = out_of(1);
	ck_assert_ptr_nonnull(o);
	rte_pktmbuf_free(o);
	ck_assert_uint_eq(fx_drops(PHX_DROP_SYNC_BLOCKED), blk + 2);
}
END_TEST

/* The worker that opened a source-NAT session chose its port so that
 * the reply hashes to it: phx_dp_sess_worker() says so for both keys. */
START_TEST(owner_worker)
{
	struct phx_conn_filter f = { .proto = IPPROTO_TCP };
	struct phx_flow_key fk = key(CLIENT, SERVER, IPPROTO_TCP, 42000, 9001);
	struct phx_conn_page pg;
	struct rte_mbuf *o;
	unsigned w = phx_dp_sess_worker(fx_dp, &fk), k;
	bool found = false;
	uint16_t np;

	if (nworkers < 2)
		return;
	settle();
	fx_inject_q(0, w, fx_pkt(0, CLIENT, SERVER, IPPROTO_TCP, 42000, 9001,
			      F_SYN, 1, 0));
	o = out_of(1);
	ck_assert_ptr_nonnull(o);
	np = rte_be_to_cpu_16(((const uint16_t *)(fx_ip(o) + 1))[0]);
	rte_pktmbuf_free(o);
	fk = key(SERVER, VIP_OUT, IPPROTO_TCP, 9001, np);
	ck_assert_uint_eq(phx_dp_sess_worker(fx_dp, &fk), w);
	ck_assert_int_eq(phx_dp_conn_page(fx_dp, w, 0, &f, &pg, 1000), 0);
	for (k = 0; k < pg.n; k++)
		if (pg.s[k].key.sport == rte_cpu_to_be_16(42000))
			found = true;
	ck_assert(found);
}
END_TEST

/* Two shards holding the same synced sessions digest equal; one more
 * session, or a state that differs, and they do not. */
START_TEST(digest_of_two_shards)
{
	struct phx_dp_msg msg = { .type = PHX_MSG_INSTALL, .remaining_ms = 30000 };
	struct phx_dp_msg fl = { .type = PHX_MSG_FLUSH };
	uint64_t d0, d1, d1b;
	uint32_t n0, n1;
	unsigned i, w;

	if (nworkers < 2)
		return;
	settle();
	phx_dp_cluster_set_forwarding(fx_dp, false);
	for (w = 0; w < 2; w++)
		ck_assert_int_eq(phx_dp_post(fx_dp, w, &fl), 0);
	for (i = 0; i < 50; i++) {
		msg.s.key = key(CLIENT, SERVER, IPPROTO_TCP,
				(uint16_t)(50000 + i), 443);
		msg.s.state = PHX_TCP_ESTABLISHED;
		msg.s.tmo_class = PHX_TMO_TCP_ESTABLISHED;
		/* worker 1's copies carry other lifetimes */
		msg.remaining_ms = 30000;
		ck_assert_int_eq(phx_dp_post(fx_dp, 0, &msg), 0);
		msg.remaining_ms = 1000000 + i;
		ck_assert_int_eq(phx_dp_post(fx_dp, 1, &msg), 0);
	}
	rte_delay_ms(50);
	ck_assert_int_eq(phx_dp_shard_digest(fx_dp, 0, &d0, &n0, 1000), 0);
	ck_assert_int_eq(phx_dp_shard_digest(fx_dp, 1, &d1, &n1, 1000), 0);
	ck_assert_uint_eq(n0, 50);
	ck_assert_uint_eq(n1, 50);
	ck_assert(d0 == d1);
	/* one session's state differs */
	msg.s.state = PHX_TCP_FIN_WAIT;
	ck_assert_int_eq(phx_dp_post(fx_dp, 1, &msg), 0);
	rte_delay_ms(50);
	ck_assert_int_eq(phx_dp_shard_digest(fx_dp, 1, &d1b, &n1, 1000), 0);
	ck_assert_uint_eq(n1, 50);
	ck_assert(d1b != d0);
	/* one more session */
	msg.s.state = PHX_TCP_ESTABLISHED;
	ck_assert_int_eq(phx_dp_post(fx_dp, 1, &msg), 0);
	msg.s.key.sport = rte_cpu_to_be_16(60000);
	ck_assert_int_eq(phx_dp_post(fx_dp, 1, &msg), 0);
	rte_delay_ms(50);
	ck_assert_int_eq(phx_dp_shard_digest(fx_dp, 1, &d1b, &n1, 1000), 0);
	ck_assert_uint_eq(n1, 51);
	ck_assert(d1b != d0);
	ck_assert_int_eq(phx_dp_shard_digest(fx_dp, 2, &d1b, &n1, 10), -EINVAL);
	phx_dp_cluster_set_forwarding(fx_dp, true);
}
END_TEST

/* Sessions of worker w with TCP port (host order) in either key. */
static unsigned
live_with_port(unsigned w, uint16_t port)
{
	struct phx_conn_filter f = { .port = rte_cpu_to_be_16(port) };
	static struct phx_conn_page pg;
	unsigned n = 0;
	uint32_t from = 0;

	do {
		ck_assert_int_eq(phx_dp_conn_page(fx_dp, w, from, &f, &pg, 1000),
				 0);
		n += pg.n;
		from = pg.next;
	} while (from != UINT32_MAX);
	return n;
}

/*
 * A resync after a lost sync link only adds and updates: MARK before it,
 * PURGE after it, and what no install touched in between (deleted on
 * the peer while the link was down) goes.
 */
START_TEST(resync_purges_what_it_did_not_bring)
{
	struct phx_dp_msg msg = { .type = PHX_MSG_INSTALL,
				  .remaining_ms = 60000 };
	struct phx_dp_msg mark = { .type = PHX_MSG_RESYNC_MARK };
	struct phx_dp_msg purge = { .type = PHX_MSG_RESYNC_PURGE };
	uint64_t purged = fx_counter(PHX_CNT_SESS_RESYNC_PURGED);
	struct phx_flow_key ka, kb;
	unsigned w;

	phx_dp_cluster_set_forwarding(fx_dp, false);   /* a standby */
	ka = key(CLIENT, SERVER, IPPROTO_TCP, 47100, 80);
	kb = key(CLIENT, SERVER, IPPROTO_TCP, 47101, 80);
	msg.s.state = PHX_TCP_ESTABLISHED;
	msg.s.tmo_class = PHX_TMO_TCP_ESTABLISHED;
	msg.s.key = ka;
	ck_assert_int_eq(phx_dp_post(fx_dp, phx_dp_sess_worker(fx_dp, &ka),
				     &msg), 0);
	msg.s.key = kb;
	ck_assert_int_eq(phx_dp_post(fx_dp, phx_dp_sess_worker(fx_dp, &kb),
				     &msg), 0);
	fx_drain();
	ck_assert_uint_eq(live_with_port(phx_dp_sess_worker(fx_dp, &kb),
					 47101), 1);
	/* the link is lost for longer than a refresh epoch (4 s) */
	rte_delay_ms(4200);
	for (w = 0; w < nworkers; w++)
		ck_assert_int_eq(phx_dp_post(fx_dp, w, &mark), 0);
	msg.s.key = ka;      /* the resync brings A only */
	ck_assert_int_eq(phx_dp_post(fx_dp, phx_dp_sess_worker(fx_dp, &ka),
				     &msg), 0);
	for (w = 0; w < nworkers; w++)
		ck_assert_int_eq(phx_dp_post(fx_dp, w, &purge), 0);
	rte_delay_ms(100);
	fx_drain();
	ck_assert_uint_eq(live_with_port(phx_dp_sess_worker(fx_dp, &ka),
					 47100), 1);
	ck_assert_uint_eq(live_with_port(phx_dp_sess_worker(fx_dp, &kb),
					 47101), 0);
	ck_assert_uint_ge(fx_counter(PHX_CNT_SESS_RESYNC_PURGED), purged + 1);
	phx_dp_cluster_set_forwarding(fx_dp, true);
}
END_TEST

/*
 * A live session with a 2 s timeout, a packet every 1.5 s: the standby's
 * copy lives 2 s after each sync event, so events must come less than
 * 2 s apart. Once an epoch (4 s) is not enough: such a session refreshes
 * every half of its timeout (docs/sync.md: a standby never drops a live
 * session).
 */
START_TEST(short_timeout_refreshes_in_time)
{
	uint64_t hz = rte_get_tsc_hz(), alive_until = 0, t, ev0, spent;
	unsigned k, late = 0;

	if (nworkers != 1)
		return;
	settle();
	for (k = 0; k < 7; k++) {
		ev0 = fx_counter(PHX_CNT_SYNC_EVENTS);
		t = rte_rdtsc();
		if (k > 0 && t > alive_until) {
			late++;
			printf("# packet %u: the standby's copy ran out %" PRIu64
			       " ms before\n", k, (t - alive_until) * 1000 / hz);
		}
		inject(0, fx_pkt(0, CLIENT, SERVER, IPPROTO_UDP, 4700, 7300, 0,
				 0, 0));
		rte_pktmbuf_free(out_of(1));
		if (fx_counter(PHX_CNT_SYNC_EVENTS) != ev0)
			alive_until = t + 2 * hz;   /* remaining: 2000 ms */
		spent = (rte_rdtsc() - t) * 1000000 / hz;
		if (spent < 1500000)
			rte_delay_us_sleep((unsigned)(1500000 - spent));
	}
	ck_assert_msg(late == 0, "%u packets of a live session found the "
		      "standby's copy expired", late);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("dp_sync");
	TCase *tc = tcase_create("sync");
	static char cfg[sizeof(cfg_fmt) + 16];
	bool multi = argc > 1 && strcmp(argv[1], "multi") == 0;

	nworkers = multi ? 2 : 1;
	snprintf(cfg, sizeof(cfg), cfg_fmt, nworkers);
	if (multi)
		fx_setup_q("phx_dp_sync_multi", cfg, 3, 2, "0@0,1@1,2@1");
	else
		fx_setup("phx_dp_sync", cfg, 3);
	/* the member's own addresses: a standby does not answer for VIPs */
	fx_learn_hosts(IP(10, 1, 0, 11), IP(10, 2, 0, 11));

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, events_only_while_forwarding);
	tcase_add_test(tc, nosync_and_broadcast_never);
	tcase_add_test(tc, delayed_sync);
	tcase_add_test(tc, delayed_session_reopened_waits_its_own_delay);
	tcase_add_test(tc, unverified_rst_cut_and_restore_are_synced);
	tcase_add_test(tc, delayed_session_that_ends_first_never_syncs);
	tcase_add_test(tc, refresh_once_per_epoch);
	tcase_add_test(tc, short_timeout_refreshes_in_time);
	tcase_add_test(tc, install_forward_delete);
	tcase_add_test(tc, delete_releases_the_snat_port);
	tcase_add_test(tc, shared_snat_port_outlives_one_owner);
	tcase_add_test(tc, install_with_another_translation_replaces);
	tcase_add_test(tc, dump_in_chunks);
	tcase_add_test(tc, dump_keeps_the_rule_timeout);
	tcase_add_test(tc, sync_block_drops_new_flows);
	tcase_add_test(tc, owner_worker);
	tcase_add_test(tc, digest_of_two_shards);
	tcase_add_test(tc, resync_purges_what_it_did_not_bring);
	suite_add_tcase(s, tc);
	return fx_run(s);
}
