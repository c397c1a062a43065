/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cluster Control Protocol runtime (SPEC 2, 4, 5; DESIGN 5) on the
 * control lcore: the I/O and the clocks around the pure pieces in lib/.
 *
 *   workers --(UDP 8116, PHX_DP_CTL_CCP)--> phx_ccp_input
 *        lib/ccp_codec decode + lib/ccp_auth replay -> lib/ccp_fsm events
 *   phx_ccp_poll (every control loop pass)
 *        hello timer -> heartbeat on every cluster interface
 *        FSM tick (peers lost after hello x dead_count), interface link
 *        check, worker liveness, critical-device timeouts, GARP bursts,
 *        operator requests queued by telemetry
 *   FSM actions -> dataplane forwarding gate, ARP ownership of the VIPs,
 *        gratuitous ARP, VMAC, frames (heartbeat, request, confirmation)
 *
 * Frames: Ethernet source 00:00:00:00:<mac_magic>:<member> (CCP-06),
 * destination the network's group MAC 01:00:5e:<y&0x7f>:<z>:fa (CCP-05,
 * ADDR-22) or broadcast; IPv4 from the member's unique address on that
 * port to the subnet's directed broadcast, TTL 255; UDP 8116 both ways.
 * Every cluster interface (ports with a VIP, and the sync port) carries
 * the heartbeat, so a member that loses one network still hears its
 * peers on the others, and the FSM arbitrates by interfaces up (CCP-35).
 *
 * Threads: everything here runs on the control lcore, except the
 * telemetry handlers at the end, which run on the telemetry thread. Both
 * take rt->lock; it is held for one frame or one poll pass (a few
 * microseconds). Telemetry never sends frames: operator requests are
 * queued and carried out by the next poll.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_telemetry.h>
#include <rte_udp.h>

#include "control/ctl_priv.h"
#include "dataplane/dp_api.h"
#include "lib/ccp_auth.h"
#include "lib/ccp_codec.h"
#include "lib/ccp_fsm.h"
#include "lib/ccp_wire.h"
#include "lib/idle_sleep.h"
#include "lib/pnote.h"
#include "lib/sync_codec.h"
#include "phx_config.h"

static_assert(sizeof(PHX_VERSION) > 1 &&
	      sizeof(PHX_VERSION) - 1 <= PHX_CCP_VERSION_LEN,
	      "the version fits the platform TLV");

#define CCP_LOG(level, fmt, ...) \
	RTE_LOG(level, USER1, "phx.ccp: " fmt "\n", ##__VA_ARGS__)

#define CCP_HDRS (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + \
		  sizeof(struct rte_udp_hdr))
#define CCP_VIPS_NOTIFIED 3       /* VIPs per port announced (ADDR-04) */
#define CCP_WORKER_CHECK_MS 20    /* worker liveness sampling */
#define CCP_WORKER_STALL_MS 250   /* a worker loop this late is stalled */
#define CCP_ADMIN_WAIT_MS   1000  /* telemetry waits this long for control */

/* Counters of /phalanx/cluster/ccp, besides one per decoder reason. */
#define CCP_COUNTERS(X)                                                       \
	X(TX_FRAMES, tx_frames)           /* frames handed to the dataplane */ \
	X(TX_HEARTBEATS, tx_heartbeats)   /* MY_STATE sent (per interface) */  \
	X(TX_REQUESTS, tx_requests)       /* STATE_REQ sent */                 \
	X(TX_CONFIRMS, tx_confirms)       /* STATE_CONFIRM sent */             \
	X(TX_PROBES, tx_probes)           /* IF_PROBE_REQ/RPLY sent */         \
	X(TX_GARPS, tx_garps)             /* gratuitous ARPs for VIPs */       \
	X(TX_ERRORS, tx_errors)           /* not sent: no mbuf, encode error */ \
	X(RX_FRAMES, rx_frames)           /* UDP 8116 frames from workers */   \
	X(RX_OK, rx_ok)                   /* authenticated and fresh */        \
	X(RX_HEARTBEATS, rx_heartbeats)   /* MY_STATE authenticated, fresh  \
					   * (rx_refused: of which the     \
					   * content was refused) */       \
	X(RX_REQUESTS, rx_requests)       /* STATE_REQ, the same */            \
	X(RX_CONFIRMS, rx_confirms)       /* STATE_CONFIRM, the same */        \
	X(RX_PROBES, rx_probes)           /* IF_PROBE_REQ/RPLY accepted */     \
	X(RX_SYNC, rx_sync)               /* opcode 10: state sync frames */   \
	X(RX_IGNORED, rx_ignored)         /* addressed to another member */    \
	X(RX_UNKNOWN_MEMBER, rx_unknown_member) /* sender not in the config */ \
	X(RX_REFUSED, rx_refused)         /* the FSM refused the content */    \
	X(STATE_CHANGES, state_changes)   /* local member state changes */ \
	X(LATE_PASSES, late_passes)       /* control passes more than a hello \
					   * apart (descheduled, blocked) */

enum ccp_counter {
#define CCP_CNT_ENUM_(e, n) CCP_CNT_##e,
	CCP_COUNTERS(CCP_CNT_ENUM_)
#undef CCP_CNT_ENUM_
	CCP_CNT_MAX
};

static const char *const ccp_counter_names[CCP_CNT_MAX] = {
#define CCP_CNT_NAME_(e, n) #n,
	CCP_COUNTERS(CCP_CNT_NAME_)
#undef CCP_CNT_NAME_
};

/* A monitored cluster interface. */
struct ccp_if {
	uint16_t port;                 /* port index */
	bool secured;                  /* the sync port */
	bool up;
	bool link;                     /* the link is up: CCP is sent */
	bool rx_ok, tx_ok;             /* as last judged (CCP-30) */
	uint64_t since_tsc;            /* last up/down change */
	uint64_t rx_tsc;               /* last valid CCP from a member */
	uint64_t rx_from[PHX_CCP_MAX_MEMBERS + 1]; /* ... from each */
	uint64_t asked_tsc;            /* last IF_PROBE_REQ from a member:
					* it does not hear us there */
	uint64_t answered_tsc;         /* last IF_PROBE_RPLY from a member:
					* our request went out, its answer
					* came in */
	uint64_t probe_from;           /* probing since (0: not probing) */
	uint64_t suspect_from;         /* first probe of this episode */
	uint64_t probe_next;           /* next ARP probe round */
	uint64_t rx_drops;             /* port receive drops, last seen */
	uint32_t ip;                   /* member address there, net order */
	uint32_t bcast;                /* its directed broadcast, net order */
	uint32_t mask;                 /* its netmask, host order */
	struct rte_ether_addr dst;     /* group MAC or broadcast (if_dst) */
	char vips[96];                 /* "10.1.0.1/24,..." for the view */
};

enum ccp_admin {
	CCP_ADMIN_NONE = 0,
	CCP_ADMIN_FAILOVER,
	CCP_ADMIN_STOP,
	CCP_ADMIN_START,
	CCP_ADMIN_DOWN,
	CCP_ADMIN_UP,
};

struct phx_ccp_rt {
	struct phx_ctl *ctl;                     /* [I] */
	const struct phx_cfg_cluster *cc;        /* [I] boot configuration */
	/* -p devices' file (CCP-71): written by telemetry threads outside
	 * lock, so that no file system call ever holds up the control lcore;
	 * save_gen orders the texts, saved_gen says which one is on disk */
	pthread_mutex_t save_lock;
	uint64_t save_gen;                       /* under lock */
	uint64_t saved_gen;                      /* under save_lock */
	pthread_mutex_t lock;                    /* guards what follows */
	struct phx_ccp_fsm *fsm;
	struct phx_pnote *pn;
	struct phx_ccp_key key;                  /* [I] */
	struct phx_ccp_replay replay;
	struct phx_ccp_replay sync_replay;       /* sync frames apart: a burst
						  * of them must not push a
						  * heartbeat of another port
						  * out of the 64-frame
						  * window */
	struct phx_ccp_ctx ctx;                  /* [I] */
	uint64_t boot_id;                        /* [I] */
	uint64_t counter;                        /* CCP frames sent this run */
	uint64_t sync_counter;                   /* sync frames sent: their
						  * own space, as receivers
						  * keep their own window */
	uint8_t n_wire;                          /* highest member id */
	char self_ip[48];                        /* [I] our unique address
						  * (the sync network's), for
						  * log lines */
	uint64_t hz;                             /* [I] */
	/* what a reload may change (SPEC CCP-22; timers_set) */
	uint32_t hello_ms, dead_count;
	uint64_t hello_us, hello_tsc;
	uint8_t transport;                       /* enum phx_cfg_ccp_transport */
	uint8_t recovery;                        /* enum phx_cfg_recovery */
	unsigned garp_count;
	uint64_t next_hello, next_ifs, next_workers; /* TSC */
	struct phx_ccp_ticker tick;              /* TSC: phx_ccp_fsm_tick */
	unsigned n_ifs;
	struct ccp_if ifs[PHX_CFG_MAX_PORTS];
	uint16_t ifs_up, sec_up;
	uint64_t incomplete_next;      /* next CCP-09 log line allowed (TSC) */
	uint64_t earlier_run_next[PHX_CCP_MAX_MEMBERS + 1]; /* next "earlier
					 * run" warning about a member (TSC) */
	char pn_dir[PHX_CFG_STR_LEN + 32];  /* where -p devices are kept */
	char pn_path[PHX_CFG_STR_LEN + 48]; /* pn_dir/pnotes (CCP-71) */
	/* gratuitous ARP burst in progress */
	unsigned garp_left;
	uint64_t garp_next, garp_gap_tsc;        /* gap: see hello_ms */
	/* VMAC per port (SPEC 5.5), when cluster.vmac */
	struct rte_ether_addr vmac[PHX_CFG_MAX_PORTS];
	bool vmac_on;
	/* worker liveness */
	uint64_t wk_beat[RTE_MAX_LCORE];
	uint64_t wk_seen[RTE_MAX_LCORE];
	uint64_t tick_beat[RTE_MAX_LCORE];       /* at the last FSM tick */
	bool workers_ok;                         /* none stalled */
	char wk_why[96];                         /* Workers device's last
						  * report ("": none yet) */
	/* what members must have alike (CCP-69, SYNC-20, SYNC-74): ours,
	 * and each peer's from its heartbeats */
	struct phx_ccp_platform plat;            /* [I] */
	struct phx_ccp_platform peer_plat[PHX_CCP_MAX_MEMBERS + 1];
	bool peer_has_plat[PHX_CCP_MAX_MEMBERS + 1];
	/* peers: unique address (from their sync-port frames) and the
	 * counter of their last request, echoed in our confirmation */
	uint32_t peer_ip[PHX_CCP_MAX_MEMBERS + 1];
	uint16_t peer_ifs[PHX_CCP_MAX_MEMBERS + 1]; /* interfaces up it
						  * last reported */
	uint64_t peer_problem[PHX_CCP_MAX_MEMBERS + 1]; /* TSC its heartbeat
						  * first reported fewer
						  * interfaces up than it
						  * requires (0: none) */
	uint64_t req_echo[PHX_CCP_MAX_MEMBERS + 1];
	/* configuration identity (SPEC 4.5/4.6) */
	uint64_t cfg_gen;
	uint8_t digest[32];
	/* state as last published */
	uint64_t change_tsc;
	bool forwarding;
	bool started;                            /* phx_ccp_start ran */
	uint64_t late_max_tsc;                   /* longest gap between two
						  * passes since start */
	bool pn_dirty;                           /* pnote aggregate changed */
	bool auto_up;                            /* failover: come back up
						  * once a peer forwards */
	bool sync_done;                          /* the boot full sync ended
						  * (or sync is off) */
	uint64_t auto_up_until;                  /* TSC: give up waiting */
	/* operator request queued by telemetry */
	enum ccp_admin admin_req;
	uint64_t admin_seq, admin_done;
	int admin_ok;
	char admin_msg[160];
	uint64_t cnt[CCP_CNT_MAX];
	uint64_t drop[PHX_CCP_ERR_MAX];
	uint64_t unknown_logged;
};

static const char *const admin_names[] = {
	[CCP_ADMIN_FAILOVER] = "failover", [CCP_ADMIN_STOP] = "stop",
	[CCP_ADMIN_START] = "start", [CCP_ADMIN_DOWN] = "down",
	[CCP_ADMIN_UP] = "up",
};

/* ------------------------------------------------------------------ */
/* Clocks and small helpers                                             */

static uint64_t
tsc_to_us(const struct phx_ccp_rt *rt, uint64_t tsc)
{
	uint64_t d = tsc - rt->ctl->start_tsc;

	return d / rt->hz * 1000000 + d % rt->hz * 1000000 / rt->hz;
}

static uint64_t msecs(const struct phx_ccp_rt *rt, uint64_t from_tsc,
		      uint64_t now_tsc);

static uint8_t
wire_state(enum phx_ccp_state s)
{
	switch (s) {
	case PHX_CCP_STATE_INIT:
		return PHX_CCP_MSTATE_INIT;
	case PHX_CCP_STATE_READY:
		return PHX_CCP_MSTATE_READY;
	case PHX_CCP_STATE_ACTIVE:
	case PHX_CCP_STATE_ACTIVE_ATTENTION:
		return PHX_CCP_MSTATE_ACTIVE;
	case PHX_CCP_STATE_STANDBY:
		return PHX_CCP_MSTATE_STANDBY;
	default: /* DOWN, LOST, STOPPED */
		return PHX_CCP_MSTATE_DOWN;
	}
}

static enum phx_ccp_state
fsm_state(uint8_t wire, uint8_t flags)
{
	switch (wire) {
	case PHX_CCP_MSTATE_INIT:
		return PHX_CCP_STATE_INIT;
	case PHX_CCP_MSTATE_READY:
		return PHX_CCP_STATE_READY;
	case PHX_CCP_MSTATE_STANDBY:
		return PHX_CCP_STATE_STANDBY;
	case PHX_CCP_MSTATE_ACTIVE:
		return (flags & PHX_CCP_MF_ATTENTION) ?
			PHX_CCP_STATE_ACTIVE_ATTENTION : PHX_CCP_STATE_ACTIVE;
	default:
		/* a Stopped member is no contender: it must say so */
		return (flags & PHX_CCP_MF_STOPPED) ? PHX_CCP_STATE_STOPPED :
			PHX_CCP_STATE_DOWN;
	}
}

static uint8_t
clamp_count(uint16_t v)
{
	return v > PHX_CCP_COUNT_MAX ? PHX_CCP_COUNT_MAX : (uint8_t)v;
}

static bool
is_member(const struct phx_ccp_rt *rt, uint16_t id)
{
	unsigned i;

	for (i = 0; i < rt->cc->n_members; i++)
		if (rt->cc->members[i] == id)
			return true;
	return false;
}

/* The FSM record <-> the wire's member TLV and config TLV. */
static void
member_info_from_hb(const struct phx_ccp_hb *hb, struct phx_ccp_member_info *mi)
{
	*mi = (struct phx_ccp_member_info){
		.priority = hb->prio,
		.ifs_required = clamp_count(hb->ifs_required),
		.ifs_up = clamp_count(hb->ifs_up),
		.secured_required = clamp_count(hb->sec_required),
		.secured_up = clamp_count(hb->sec_up),
		.mode = PHX_CCP_CMODE_HA,
		.flags = (uint8_t)(
			(hb->state == PHX_CCP_STATE_ACTIVE_ATTENTION ?
			 PHX_CCP_MF_ATTENTION : 0) |
			((hb->flags & PHX_CCP_HB_F_JOINING) ?
			 PHX_CCP_MF_JOINING : 0) |
			((hb->flags & PHX_CCP_HB_F_ADMIN_DOWN) ?
			 PHX_CCP_MF_ADMIN_DOWN : 0) |
			(hb->state == PHX_CCP_STATE_STOPPED ?
			 PHX_CCP_MF_STOPPED : 0) |
			(hb->state != PHX_CCP_STATE_INIT ? PHX_CCP_MF_SYNCED : 0)),
		.pnote = hb->pnote,
	};
}

/* Returns false when a field does not fit the FSM record (counted as
 * refused by the caller). */
static bool
hb_from_wire(uint8_t wire_st, const struct phx_ccp_member_info *mi,
	     const struct phx_ccp_config_id *cf, struct phx_ccp_hb *hb)
{
	if (mi->priority == 0 || mi->priority > UINT8_MAX)
		return false;
	*hb = (struct phx_ccp_hb){
		.state = (uint8_t)fsm_state(wire_st, mi->flags),
		.prio = (uint8_t)mi->priority,
		.pnote = mi->pnote,
		.flags = (uint8_t)(((mi->flags & PHX_CCP_MF_ADMIN_DOWN) ?
				    PHX_CCP_HB_F_ADMIN_DOWN : 0) |
				   ((mi->flags & PHX_CCP_MF_JOINING) ?
				    PHX_CCP_HB_F_JOINING : 0)),
		.ifs_up = mi->ifs_up,
		.ifs_required = mi->ifs_required,
		.sec_up = mi->secured_up,
		.sec_required = mi->secured_required,
		.cfg_gen = cf->generation,
	};
	memcpy(hb->cfg_digest, cf->digest, sizeof(hb->cfg_digest));
	return true;
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

static void
hdr_init(struct phx_ccp_rt *rt, struct phx_ccp_hdr_info *h, uint16_t src_if,
	 uint16_t dst, uint64_t *counter)
{
	*h = (struct phx_ccp_hdr_info){
		.cluster = rt->cc->id,
		.src_if = src_if,
		.src = rt->cc->member,
		.dst = dst,
		.policy_id = (uint16_t)rt->cfg_gen,
		.mac_magic = rt->cc->mac_magic,
		.boot_id = rt->boot_id,
		.counter = ++*counter,
	};
}

/* Wrap payload[0..len) in Ethernet/IPv4/UDP for interface i and hand it
 * to the dataplane. */
static void
send_on(struct phx_ccp_rt *rt, const struct ccp_if *ci, const uint8_t *payload,
	size_t len)
{
	struct phx_dp *dp = rt->ctl->dp;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	struct rte_mbuf *m;

	m = rte_pktmbuf_alloc(phx_dp_pool(dp));
	if (m == NULL || rte_pktmbuf_append(m, (uint16_t)(CCP_HDRS + len)) ==
			 NULL) {
		rte_pktmbuf_free(m);
		rt->cnt[CCP_CNT_TX_ERRORS]++;
		return;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	udp = (struct rte_udp_hdr *)(ip + 1);
	rte_ether_addr_copy(&ci->dst, &eth->dst_addr);
	eth->src_addr = (struct rte_ether_addr){ .addr_bytes = {
		0, 0, 0, 0, rt->cc->mac_magic, rt->cc->member } };
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) +
					sizeof(*udp) + len)),
		.fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG),
		.time_to_live = 255,      /* L2 only (CCP-07) */
		.next_proto_id = IPPROTO_UDP,
		.src_addr = ci->ip,
		.dst_addr = ci->bcast,
	};
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(PHX_CCP_UDP_PORT);
	udp->dst_port = rte_cpu_to_be_16(PHX_CCP_UDP_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, payload, len);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	rt->cnt[CCP_CNT_TX_FRAMES]++;
	phx_dp_ctl_tx(dp, m, ci->port);
}

/* Encode m for interface ci (its header filled here) and send it. */
static void
send_msg(struct phx_ccp_rt *rt, const struct ccp_if *ci,
	 struct phx_ccp_msg *m, uint16_t dst, enum ccp_counter c)
{
	uint8_t buf[PHX_CCP_MAX_ENCODED];
	int len;

	hdr_init(rt, &m->hdr, ci->port, dst, &rt->counter);
	len = phx_ccp_encode(buf, sizeof(buf), m, &rt->key);
	if (len < 0) {
		rt->cnt[CCP_CNT_TX_ERRORS]++;
		return;
	}
	send_on(rt, ci, buf, (size_t)len);
	rt->cnt[c]++;
}

/* The same message on every cluster interface whose link is up: one
 * that CCP-30 found silent too, or the peers would never hear it again
 * once the fault is gone. */
static void
send_all(struct phx_ccp_rt *rt, struct phx_ccp_msg *m, uint16_t dst,
	 enum ccp_counter c)
{
	unsigned i;

	for (i = 0; i < rt->n_ifs; i++)
		if (rt->ifs[i].link)
			send_msg(rt, &rt->ifs[i], m, dst, c);
}

static void
send_heartbeats(struct phx_ccp_rt *rt, uint64_t now_tsc)
{
	struct phx_ccp_member_view v[PHX_CCP_FSM_MAX_MEMBERS];
	struct phx_ccp_msg m = { .opcode = PHX_CCP_OP_MY_STATE };
	struct phx_ccp_heartbeat *hb = &m.u.hb;
	struct phx_ccp_hb me;
	uint64_t now = tsc_to_us(rt, now_tsc);
	unsigned n, i;

	phx_ccp_fsm_heartbeat(rt->fsm, &me);
	n = phx_ccp_fsm_view(rt->fsm, now, v, PHX_CCP_FSM_MAX_MEMBERS);
	hb->n_members = rt->n_wire;
	hb->ha_mode = rt->recovery == PHX_RECOVERY_PRIMARY_UP ?
		      PHX_CCP_HA_PRIMARY_UP : PHX_CCP_HA_ONE_UP;
	hb->time_unit_ms = (uint16_t)rt->hello_ms;
	for (i = 0; i < rt->n_wire; i++)
		hb->last_heard[i] = PHX_CCP_COUNT_MAX;
	for (i = 0; i < n && i < PHX_CCP_FSM_MAX_MEMBERS; i++) {
		uint64_t units;

		if (v[i].id == 0 || v[i].id > rt->n_wire)
			continue;
		hb->state[v[i].id - 1] = wire_state(v[i].state);
		units = v[i].heard_age_us == UINT64_MAX ? PHX_CCP_COUNT_MAX :
			v[i].heard_age_us / rt->hello_us;
		hb->last_heard[v[i].id - 1] = v[i].local ? 0 :
			(uint8_t)RTE_MIN(units, (uint64_t)PHX_CCP_COUNT_MAX);
	}
	hb->ifs.in_up = clamp_count(me.ifs_up);
	hb->ifs.out_up = clamp_count(me.ifs_up);
	hb->config.generation = rt->cfg_gen;
	memcpy(hb->config.digest, rt->digest, sizeof(hb->config.digest));
	member_info_from_hb(&me, &hb->member);
	hb->has_platform = true;
	hb->platform = rt->plat;
	send_all(rt, &m, PHX_CCP_DST_ALL, CCP_CNT_TX_HEARTBEATS);
	/* next one in 75-100 % of hello, so members do not lock step */
	rt->next_hello = now_tsc + rt->hello_tsc * 3 / 4 +
			 rte_rand_max(rt->hello_tsc / 4 + 1);
}

static void
send_request(struct phx_ccp_rt *rt, const struct phx_ccp_action *a)
{
	struct phx_ccp_msg m = {
		.opcode = PHX_CCP_OP_STATE_REQ,
		.u.sreq = {
			.cur_state = wire_state(a->hb.state),
			.new_state = a->intent == PHX_CCP_INTENT_ACTIVATE ?
				     PHX_CCP_MSTATE_ACTIVE : PHX_CCP_MSTATE_DOWN,
			.reason = a->intent == PHX_CCP_INTENT_ACTIVATE ?
				  PHX_CCP_SCR_ACTIVATE : PHX_CCP_SCR_PROBLEM,
			.seq = a->seq,
			.config.generation = rt->cfg_gen,
		},
	};

	memcpy(m.u.sreq.config.digest, rt->digest,
	       sizeof(m.u.sreq.config.digest));
	member_info_from_hb(&a->hb, &m.u.sreq.member);
	send_all(rt, &m, PHX_CCP_DST_ALL, CCP_CNT_TX_REQUESTS);
}

static uint16_t
refusal_of(enum phx_ccp_deny d)
{
	switch (d) {
	case PHX_CCP_DENY_CONFIG:
		return PHX_CCP_REFUSE_CONFIG;
	case PHX_CCP_DENY_ROLE_HELD:
		return PHX_CCP_REFUSE_ROLE_HELD;
	case PHX_CCP_DENY_MORE_IFS:
		return PHX_CCP_REFUSE_MORE_IFS;
	case PHX_CCP_DENY_STARTING:
		return PHX_CCP_REFUSE_STARTING;
	default:
		return PHX_CCP_REFUSE_NONE;
	}
}

/* The other way (the codec admits refusals below PHX_CCP_REFUSE_MAX). */
static enum phx_ccp_deny
deny_of(uint16_t refusal)
{
	switch (refusal) {
	case PHX_CCP_REFUSE_CONFIG:
		return PHX_CCP_DENY_CONFIG;
	case PHX_CCP_REFUSE_ROLE_HELD:
		return PHX_CCP_DENY_ROLE_HELD;
	case PHX_CCP_REFUSE_MORE_IFS:
		return PHX_CCP_DENY_MORE_IFS;
	case PHX_CCP_REFUSE_STARTING:
		return PHX_CCP_DENY_STARTING;
	default:
		return PHX_CCP_DENY_NONE;
	}
}

static void
send_confirm(struct phx_ccp_rt *rt, const struct phx_ccp_action *a)
{
	struct phx_ccp_msg m = {
		.opcode = PHX_CCP_OP_STATE_CONFIRM,
		.u.sconf = {
			.verdict = a->ok ? PHX_CCP_VERDICT_GRANT :
					   PHX_CCP_VERDICT_REFUSE,
			.state = wire_state(phx_ccp_fsm_state(rt->fsm)),
			.refusal = a->ok ? PHX_CCP_REFUSE_NONE :
					   refusal_of(a->deny),
			.seq = a->seq,
			.echo = a->peer <= PHX_CCP_MAX_MEMBERS ?
				rt->req_echo[a->peer] : 0,
		},
	};

	send_all(rt, &m, a->peer, CCP_CNT_TX_CONFIRMS);
}

/* One round of the gratuitous ARP burst: the first CCP_VIPS_NOTIFIED
 * VIPs of each port (SPEC ADDR-04: more is unsupported, and said so at
 * start); the others are still owned and answered. */
static void
garp_round(struct phx_ccp_rt *rt, uint64_t now_tsc)
{
	const struct phx_cfg_cluster *cc = rt->cc;
	uint8_t sent[PHX_CFG_MAX_PORTS] = { 0 };
	unsigned v, p;

	for (v = 0; v < cc->n_vips; v++) {
		p = (unsigned)cc->vips[v].port;
		if (p >= PHX_CFG_MAX_PORTS || sent[p] >= CCP_VIPS_NOTIFIED)
			continue;
		sent[p]++;
		phx_arp_garp(rt->ctl->arp, (uint16_t)p,
			     rte_cpu_to_be_32(cc->vips[v].ip));
		rt->cnt[CCP_CNT_TX_GARPS]++;
	}
	rt->garp_left--;
	rt->garp_next = now_tsc + rt->garp_gap_tsc;
}

/* ------------------------------------------------------------------ */
/* FSM actions                                                          */

static void
vips_set(struct phx_ccp_rt *rt, bool on)
{
	struct phx_dp *dp = rt->ctl->dp;
	unsigned i;

	rt->forwarding = on;
	if (rt->cc->vmac && on != rt->vmac_on) {
		for (i = 0; i < rt->n_ifs; i++) {
			int rc;

			if (rt->ifs[i].secured)
				continue;
			rc = phx_dp_port_vmac(dp, rt->ifs[i].port,
					      on ? &rt->vmac[rt->ifs[i].port] :
						   NULL);
			if (rc != 0 && rc != -ENOTSUP)
				CCP_LOG(WARNING, "VMAC on port %u: %s",
					rt->ifs[i].port, strerror(-rc));
		}
		rt->vmac_on = on;
	}
	/* Order: on takeover the workers forward before anybody learns the
	 * VIP's new MAC; on release ARP stops answering first. */
	if (on) {
		phx_dp_cluster_set_forwarding(dp, true);
		phx_arp_set_vips(rt->ctl->arp, true,
				 rt->cc->vmac ? rt->vmac : NULL);
	} else {
		phx_arp_set_vips(rt->ctl->arp, false, NULL);
		phx_dp_cluster_set_forwarding(dp, false);
	}
}

static void
apply(struct phx_ccp_rt *rt, const struct phx_ccp_actions *acts,
      uint64_t now_tsc)
{
	unsigned i;

	if (acts->dropped != 0)
		CCP_LOG(ERR, "%u FSM actions did not fit (bug)", acts->dropped);
	for (i = 0; i < acts->n; i++) {
		const struct phx_ccp_action *a = &acts->a[i];

		switch (a->type) {
		case PHX_CCP_ACT_SET_STATE:
			rt->change_tsc = now_tsc;
			rt->cnt[CCP_CNT_STATE_CHANGES]++;
			break;
		case PHX_CCP_ACT_VIPS_ON:
			vips_set(rt, true);
			break;
		case PHX_CCP_ACT_VIPS_OFF:
			vips_set(rt, false);
			/* no more announcing what we no longer own */
			rt->garp_left = 0;
			break;
		case PHX_CCP_ACT_GARP:
			rt->garp_left = rt->garp_count;
			garp_round(rt, now_tsc);
			break;
		case PHX_CCP_ACT_SEND_STATE:
			send_heartbeats(rt, now_tsc);
			break;
		case PHX_CCP_ACT_SEND_REQUEST:
			send_request(rt, a);
			break;
		case PHX_CCP_ACT_SEND_CONFIRM:
			send_confirm(rt, a);
			break;
		case PHX_CCP_ACT_LOG:
			if (a->level == PHX_CCP_LOG_INFO)
				CCP_LOG(INFO, "%s", a->text);
			else if (a->level == PHX_CCP_LOG_NOTICE)
				CCP_LOG(NOTICE, "%s", a->text);
			else
				CCP_LOG(WARNING, "%s", a->text);
			break;
		default:
			break;
		}
	}
}

static void
fsm_event(struct phx_ccp_rt *rt, const struct phx_ccp_evt *ev,
	  uint64_t now_tsc)
{
	struct phx_ccp_actions acts;

	if (phx_ccp_fsm_event(rt->fsm, ev, tsc_to_us(rt, now_tsc), &acts) != 0) {
		rt->cnt[CCP_CNT_RX_REFUSED]++;
		return;
	}
	apply(rt, &acts, now_tsc);
}

/* Critical-device log lines (CCP-76) and aggregate changes. */
static void
pnote_out(struct phx_ccp_rt *rt, const struct phx_pnote_out *out)
{
	unsigned i;

	for (i = 0; i < out->n_logs; i++)
		CCP_LOG(NOTICE, "%s", out->logs[i]);
	if (out->agg_changed)
		rt->pn_dirty = true;
}

static void
pnote_builtin(struct phx_ccp_rt *rt, enum phx_pnote_builtin id,
	      enum phx_pnote_status st, const char *reason, uint64_t now_tsc)
{
	struct phx_pnote_out out;

	if (phx_pnote_report_builtin(rt->pn, id, st, reason,
				     tsc_to_us(rt, now_tsc), &out) == 0)
		pnote_out(rt, &out);
}

/*
 * SPEC CCP-71: devices registered with -p survive a restart (and a
 * reboot): they are kept in PHX_STATE_DIR/<file prefix>/pnotes as the
 * -f file that registers them again, with their initial status. Written
 * whole after every change (temporary file, fsync, rename), read once at
 * start.
 */
#define PHX_STATE_DIR "/var/lib/phalanx"
#define PNOTE_FILE_MAX 4096 /* 16 devices of at most 40 bytes a line */

static void
pnote_restore(struct phx_ccp_rt *rt, uint64_t now_us)
{
	char text[PNOTE_FILE_MAX + 1], *line, *save = NULL;
	unsigned lineno = 0, ok = 0, bad = 0;
	size_t n;
	FILE *f;
	int rc;

	f = fopen(rt->pn_path, "r");
	if (f == NULL) {
		if (errno != ENOENT)
			CCP_LOG(WARNING, "persistent critical devices not "
				"restored: %s: %s", rt->pn_path,
				strerror(errno));
		return;
	}
	n = fread(text, 1, PNOTE_FILE_MAX + 1, f);
	rc = ferror(f);
	fclose(f);
	if (rc != 0 || n > PNOTE_FILE_MAX) {
		CCP_LOG(WARNING, "persistent critical devices not restored: "
			"%s: %s", rt->pn_path, rc != 0 ? "read error" :
			"larger than " RTE_STR(PNOTE_FILE_MAX) " bytes");
		return;
	}
	text[n] = '\0';
	/* Line by line, not all-or-nothing as -f is: one line this release
	 * refuses must not drop the devices that would hold the member
	 * down. What is refused is said, and left out of the next save. */
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		struct phx_pnote_out out = { 0 };

		lineno++;
		rc = phx_pnote_register_file(rt->pn, line, true, now_us, &out);
		pnote_out(rt, &out);
		if (rc < 0) {
			bad++;
			CCP_LOG(WARNING, "%s:%u: persistent critical device "
				"not registered again: %s", rt->pn_path,
				lineno, out.err);
		} else {
			ok += (unsigned)rc;
		}
	}
	if (ok != 0 || bad != 0)
		CCP_LOG(NOTICE, "%u persistent critical devices registered "
			"again from %s%s", ok, rt->pn_path,
			bad != 0 ? " (some lines refused, see above)" : "");
}

/* Write text (the -p devices; "" = none: remove the file) to pn_path,
 * durably (temporary file, fsync, rename, fsync of the directory).
 * 0 or -errno. */
static int
pnote_write(struct phx_ccp_rt *rt, const char *text)
{
	char tmp[sizeof(rt->pn_path) + 8];
	size_t n = strlen(text);
	ssize_t w;
	int fd, rc = 0;

	if (n == 0)
		return unlink(rt->pn_path) == 0 || errno == ENOENT ? 0 : -errno;
	if ((mkdir(PHX_STATE_DIR, 0755) != 0 && errno != EEXIST) ||
	    (mkdir(rt->pn_dir, 0755) != 0 && errno != EEXIST))
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.tmp", rt->pn_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	w = write(fd, text, n);
	if (w < 0 || (size_t)w != n)
		rc = w < 0 ? -errno : -EIO;
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, rt->pn_path) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	fd = open(rt->pn_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		if (fsync(fd) != 0)
			rc = -errno;
		close(fd);
	}
	return rc;
}

/* Telemetry thread, rt->lock not held: put the text of generation gen
 * on disk unless a later one got there first. 0 or -errno. */
static int
pnote_save(struct phx_ccp_rt *rt, const char *text, uint64_t gen)
{
	int rc = 0;

	pthread_mutex_lock(&rt->save_lock);
	if (gen > rt->saved_gen) {
		rc = pnote_write(rt, text);
		if (rc == 0)
			rt->saved_gen = gen;
	}
	pthread_mutex_unlock(&rt->save_lock);
	return rc;
}

static void
pnote_feed(struct phx_ccp_rt *rt, uint64_t now_tsc)
{
	char culprit[PHX_PNOTE_LABEL_LEN];
	struct phx_ccp_evt ev = { .type = PHX_CCP_EV_PNOTE };

	rt->pn_dirty = false;
	ev.pnote = phx_pnote_aggregate(rt->pn, culprit);
	ev.device = culprit[0] != '\0' ? culprit : NULL;
	fsm_event(rt, &ev, now_tsc);
}

/* ------------------------------------------------------------------ */
/* Receiving                                                            */

/* How peer platform p differs from ours (PHX_CCP_PLAT_*); with sync off
 * the sync port and version are nobody's business. */
static unsigned
platform_diff(const struct phx_ccp_rt *rt, const struct phx_ccp_platform *p)
{
	unsigned d = phx_ccp_platform_cmp(&rt->plat, p);

	if (!rt->cc->sync.enabled)
		d &= ~(PHX_CCP_PLAT_SYNC_VERSION | PHX_CCP_PLAT_SYNC_MTU);
	return d;
}

/*
 * What a peer's heartbeat says of its platform. Differences are logged
 * when first seen and whenever they change (SYNC-20: software and sync
 * versions; SYNC-74: sync port MTU; CCP-69: worker counts, which
 * check_workers acts on), and shown by /phalanx/cluster/members.
 */
static void
peer_platform(struct phx_ccp_rt *rt, uint16_t src,
	      const struct phx_ccp_platform *p)
{
	const struct phx_ccp_platform *me = &rt->plat;
	unsigned d;

	if (rt->peer_has_plat[src] &&
	    memcmp(&rt->peer_plat[src], p, sizeof(*p)) == 0)
		return;
	d = platform_diff(rt, p);
	if (rt->peer_has_plat[src] && d == 0)
		CCP_LOG(NOTICE, "member %u now runs as this member does "
			"(phalanx %s, %u workers, sync version %u, sync MTU "
			"%u)", src, p->version, p->workers, p->sync_version,
			p->sync_mtu);
	rt->peer_plat[src] = *p;
	rt->peer_has_plat[src] = true;
	if (d & PHX_CCP_PLAT_VERSION)
		CCP_LOG(WARNING, "member %u runs phalanx %s, this member %s: "
			"members should run the same version (SYNC-20)", src,
			p->version, me->version);
	if (d & PHX_CCP_PLAT_SYNC_VERSION)
		CCP_LOG(WARNING, "member %u speaks sync version %u, this "
			"member %u: no state sync between them, no full sync "
			"from it (SYNC-20)", src, p->sync_version,
			me->sync_version);
	if (d & PHX_CCP_PLAT_SYNC_MTU)
		CCP_LOG(WARNING, "member %u's sync port MTU is %u, this "
			"member's %u: it must be the same on every member "
			"(SYNC-74)", src, p->sync_mtu, me->sync_mtu);
	if (d & (PHX_CCP_PLAT_MORE_WORKERS | PHX_CCP_PLAT_FEWER_WORKERS))
		CCP_LOG(WARNING, "member %u runs %u worker%s, this member %u: "
			"the member with more is Down while both are up "
			"(CCP-69)", src, p->workers, p->workers == 1 ? "" : "s",
			me->workers);
}

static void
handle(struct phx_ccp_rt *rt, const struct phx_ccp_msg *msg,
       struct ccp_if *ci, uint32_t src_ip, uint64_t now_tsc)
{
	struct phx_ccp_evt ev = { .peer = (uint8_t)msg->hdr.src };
	uint16_t src = msg->hdr.src;

	if (msg->hdr.dst != PHX_CCP_DST_ALL && msg->hdr.dst != rt->cc->member) {
		rt->cnt[CCP_CNT_RX_IGNORED]++;
		return;
	}
	if (!is_member(rt, src)) {
		/* CCP-10: an identity clash shows as more members than
		 * the cluster has. Logged once a second at most. */
		rt->cnt[CCP_CNT_RX_UNKNOWN_MEMBER]++;
		if (now_tsc - rt->unknown_logged > rt->hz) {
			rt->unknown_logged = now_tsc;
			CCP_LOG(WARNING, "CPHA: Received confirmations from "
				"more machines than the cluster size "
				"(member %u is not configured)", src);
		}
		return;
	}
	if (src_ip != rt->peer_ip[src] &&
	    ((ci != NULL && ci->secured) || rt->peer_ip[src] == 0)) {
		char a[16];

		/* its unique address: the one on the sync network */
		rt->peer_ip[src] = src_ip;
		phx_ccp_fsm_set_ip(rt->fsm, (uint8_t)src,
				   phx_ip4_str(rte_be_to_cpu_32(src_ip), a));
	}
	switch (msg->opcode) {
	case PHX_CCP_OP_MY_STATE:
		rt->cnt[CCP_CNT_RX_HEARTBEATS]++;
		if (src > msg->u.hb.n_members ||
		    !hb_from_wire(msg->u.hb.state[src - 1], &msg->u.hb.member,
				  &msg->u.hb.config, &ev.hb)) {
			rt->cnt[CCP_CNT_RX_REFUSED]++;
			return;
		}
		ev.hb.time_unit_ms = msg->u.hb.time_unit_ms;
		if (msg->u.hb.has_platform)
			peer_platform(rt, src, &msg->u.hb.platform);
		else if (rt->peer_has_plat[src]) {
			/* restarted as a phalanx that does not send it */
			rt->peer_has_plat[src] = false;
			CCP_LOG(NOTICE, "member %u no longer announces its "
				"platform: nothing to compare", src);
		}
		ev.type = PHX_CCP_EV_HEARTBEAT;
		break;
	case PHX_CCP_OP_STATE_REQ:
		rt->cnt[CCP_CNT_RX_REQUESTS]++;
		if (msg->u.sreq.reason != PHX_CCP_SCR_ACTIVATE &&
		    msg->u.sreq.reason != PHX_CCP_SCR_PROBLEM) {
			rt->cnt[CCP_CNT_RX_REFUSED]++;
			return;
		}
		if (!hb_from_wire(msg->u.sreq.cur_state, &msg->u.sreq.member,
				  &msg->u.sreq.config, &ev.hb)) {
			rt->cnt[CCP_CNT_RX_REFUSED]++;
			return;
		}
		rt->req_echo[src] = msg->hdr.counter;
		ev.type = PHX_CCP_EV_REQUEST;
		ev.seq = msg->u.sreq.seq;
		ev.intent = msg->u.sreq.reason == PHX_CCP_SCR_ACTIVATE ?
			    PHX_CCP_INTENT_ACTIVATE : PHX_CCP_INTENT_GIVE_WAY;
		break;
	case PHX_CCP_OP_STATE_CONFIRM:
		rt->cnt[CCP_CNT_RX_CONFIRMS]++;
		ev.type = PHX_CCP_EV_CONFIRM;
		ev.seq = msg->u.sconf.seq;
		ev.ok = msg->u.sconf.verdict == PHX_CCP_VERDICT_GRANT;
		ev.deny = deny_of(msg->u.sconf.refusal);
		break;
	case PHX_CCP_OP_IF_PROBE_REQ:
		rt->cnt[CCP_CNT_RX_PROBES]++;
		if (ci != NULL) {
			/* the peer hears no CCP there: maybe because we
			 * cannot send; find out too (check_ifs) */
			ci->asked_tsc = now_tsc;
			struct phx_ccp_msg r = {
				.opcode = PHX_CCP_OP_IF_PROBE_RPLY,
				.u.probe = { .ifn = msg->u.probe.ifn,
					     .echo = msg->hdr.counter },
			};

			send_msg(rt, ci, &r, src, CCP_CNT_TX_PROBES);
		}
		return;
	case PHX_CCP_OP_IF_PROBE_RPLY:
		rt->cnt[CCP_CNT_RX_PROBES]++;
		if (ci != NULL)
			ci->answered_tsc = now_tsc;
		return;
	default:
		rt->cnt[CCP_CNT_RX_IGNORED]++;
		return;
	}
	fsm_event(rt, &ev, now_tsc);
}

static_assert(PHX_CFG_MAX_MEMBERS <= PHX_CCP_MAX_MEMBERS,
	      "member ids index rx_from[]");

/* CCP-30: an authenticated frame of src came in on ci (NULL: a port CCP
 * does not monitor). Only a configured member counts; our own frames
 * never get this far (the codec's from_self). */
static inline void
note_rx(const struct phx_ccp_rt *rt, struct ccp_if *ci, uint16_t src,
	uint64_t now_tsc)
{
	if (ci == NULL || !is_member(rt, src))
		return;
	ci->rx_tsc = now_tsc;
	ci->rx_from[src] = now_tsc;
}

/* SPEC CCP-09: a frame of another CCP version, or one cut short, is
 * ignored with ClusterXL's log line, at most once a second (the counters
 * have the exact numbers). */
static void
log_incomplete(struct phx_ccp_rt *rt, enum phx_ccp_err err, uint32_t bytes)
{
	uint64_t t = rte_rdtsc();

	if ((err != PHX_CCP_ERR_BAD_VERSION && err != PHX_CCP_ERR_TOO_SHORT &&
	     err != PHX_CCP_ERR_BAD_LEN) || t < rt->incomplete_next)
		return;
	rt->incomplete_next = t + rt->hz;
	CCP_LOG(NOTICE, "FW-1: fwha_receive_fwhap_msg: received incomplete "
		"HAP packet (read %u bytes)", bytes);
}

/*
 * A frame refused as replayed that comes from an earlier run of its
 * sender than the one we follow: the member restarted with its clock
 * further back than it was down (docs/PROTOCOL.md, replay). Each of its
 * frames is refused until an operator runs phx forget on this member:
 * say so, every 10 s at most for each member.
 */
static void
log_earlier_run(struct phx_ccp_rt *rt, const struct phx_ccp_replay *r,
		const struct phx_ccp_hdr_info *h)
{
	uint64_t t = rte_rdtsc();

	if (!is_member(rt, h->src) || !r->peer[h->src].seen ||
	    h->boot_id >= r->peer[h->src].boot_id ||
	    t < rt->earlier_run_next[h->src])
		return;
	rt->earlier_run_next[h->src] = t + 10 * rt->hz;
	CCP_LOG(WARNING, "member %u sends as an earlier run than the one "
		"heard before (boot id %016" PRIx64 " < %016" PRIx64 "): its "
		"clock went back across a restart? Its frames are refused as "
		"replayed until 'phx forget %u' on this member",
		h->src, h->boot_id, r->peer[h->src].boot_id, h->src);
}

void
phx_ccp_input(struct phx_ctl *ctl, struct rte_mbuf *m, uint64_t now)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	uint8_t buf[RTE_ETHER_MAX_LEN];
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	struct ccp_if *ci = NULL;
	struct phx_ccp_msg msg;
	enum phx_ccp_err err;
	const uint8_t *f;
	uint16_t port, op;
	uint32_t len, ulen;
	unsigned i;

	if (rt == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	port = phx_dp_mbuf_meta(m)->port;
	len = rte_pktmbuf_pkt_len(m);
	f = rte_pktmbuf_read(m, 0, RTE_MIN(len, (uint32_t)sizeof(buf)), buf);
	pthread_mutex_lock(&rt->lock);
	rt->cnt[CCP_CNT_RX_FRAMES]++;
	/* The worker validated IPv4 (no options) and UDP lengths. */
	if (f == NULL || len < CCP_HDRS) {
		rt->drop[PHX_CCP_ERR_TOO_SHORT]++;
		log_incomplete(rt, PHX_CCP_ERR_TOO_SHORT,
			       len > CCP_HDRS ? len - CCP_HDRS : 0);
		goto out;
	}
	ip = (const struct rte_ipv4_hdr *)(f + RTE_ETHER_HDR_LEN);
	udp = (const struct rte_udp_hdr *)(ip + 1);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < sizeof(*udp) || CCP_HDRS + ulen - sizeof(*udp) >
	    RTE_MIN(len, (uint32_t)sizeof(buf))) {
		rt->drop[PHX_CCP_ERR_BAD_LEN]++;
		log_incomplete(rt, PHX_CCP_ERR_BAD_LEN,
			       len > CCP_HDRS ? len - CCP_HDRS : 0);
		goto out;
	}
	ulen -= sizeof(*udp);
	for (i = 0; i < rt->n_ifs; i++)
		if (rt->ifs[i].port == port)
			ci = &rt->ifs[i];
	err = phx_ccp_peek(f + CCP_HDRS, ulen, &op);
	if (err == PHX_CCP_OK && op == PHX_CCP_OP_SYNC) {
		struct phx_ccp_hdr_info h;
		const uint8_t *body;
		size_t blen;

		rt->cnt[CCP_CNT_RX_SYNC]++;
		err = phx_ccp_decode_sync(f + CCP_HDRS, ulen, &rt->ctx, &h,
					  &body, &blen);
		if (err == PHX_CCP_OK) {
			err = phx_ccp_accept_hdr(&rt->sync_replay, &h);
			if (err == PHX_CCP_ERR_REPLAYED)
				log_earlier_run(rt, &rt->sync_replay, &h);
		}
		if (err != PHX_CCP_OK) {
			rt->drop[err < PHX_CCP_ERR_MAX ? err :
				 PHX_CCP_ERR_MALFORMED]++;
			log_incomplete(rt, err, ulen);
			goto out;
		}
		if (!is_member(rt, h.src)) {
			rt->cnt[CCP_CNT_RX_UNKNOWN_MEMBER]++;
			goto out;
		}
		note_rx(rt, ci, h.src, now);
		/* The sync runtime takes its own lock (and may ask us for
		 * peer states): never call it under ours. body points
		 * into buf or the mbuf, both alive until the free. */
		pthread_mutex_unlock(&rt->lock);
		phx_sync_input(rt->ctl, &h, body, blen, now);
		rte_pktmbuf_free(m);
		return;
	}
	if (err == PHX_CCP_OK)
		err = phx_ccp_decode(f + CCP_HDRS, ulen, &rt->ctx, &msg);
	if (err == PHX_CCP_OK) {
		err = phx_ccp_accept(&rt->replay, &msg);
		if (err == PHX_CCP_ERR_REPLAYED)
			log_earlier_run(rt, &rt->replay, &msg.hdr);
	}
	if (err != PHX_CCP_OK) {
		rt->drop[err < PHX_CCP_ERR_MAX ? err : PHX_CCP_ERR_MALFORMED]++;
		log_incomplete(rt, err, ulen);
		goto out;
	}
	rt->cnt[CCP_CNT_RX_OK]++;
	note_rx(rt, ci, msg.hdr.src, now);
	handle(rt, &msg, ci, ip->src_addr, now);
out:
	pthread_mutex_unlock(&rt->lock);
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------------------ */
/* Periodic work                                                        */

/*
 * Interface Active Check (SPEC CCP-30): an interface is UP only if it
 * can send and receive on its subnet. The link must be up; and every
 * peer heard on some interface must be heard on this one too. A silence
 * of CCP_IF_SILENT_MS (or three dead times, if longer) of such a peer
 * starts probing: every CCP_IF_PROBE_MS an IF_PROBE_REQ and ARP requests
 * to hosts of the subnet (phx_arp_probe); a peer's IF_PROBE_REQ (it does
 * not hear us: perhaps we cannot send) starts ARP probing only. An ARP
 * answer or another member's IF_PROBE_RPLY within the silence window
 * proves both ways and keeps the interface UP (the fault is on the
 * peer's side, whose own probes then fail, or CCP alone is filtered);
 * with none for one more silence window it is DOWN, receive up if CCP or
 * other ARP frames still arrive there. A peer that reported losing an
 * interface when it went silent is excused: still asked, not judged.
 * With no peer heard anywhere nothing can be judged: the link decides.
 * While the port's NIC is dropping received frames (a flood, whose CCP
 * and ARP losses say nothing about the link) the verdict waits, three
 * windows at most. Slow on purpose: this is for a link that is up but
 * carries nothing, and must never fire because the members are
 * descheduled (all interfaces would be silent together then, and a peer
 * heard on none).
 */
#define CCP_IF_SILENT_MS 1000
#define CCP_IF_PROBE_MS  100   /* probe rounds while undecided */
#define CCP_IF_REPROBE_MS 1000 /* ... and once found DOWN */
/* ARP requests per round. At least half of them go to the subnet's
 * addresses in turn (phx_arp_probe), so the whole sweep is asked within
 * one silence window: the verdict must not depend on where the previous
 * episode left the sweep (a host at .100 reached only after 1.5 s made a
 * working interface DOWN). 640 broadcasts/s, only while a peer is missed
 * there. Rounds keep a fixed schedule (judge_if), so on check_ifs'
 * ticks (every hello / 2) round k goes out by k x CCP_IF_PROBE_MS +
 * hello / 2: within the window for every hello (under 200 ms the window
 * is 1 s; from 200 ms on it is three dead times, over 6 hellos). */
#define CCP_IF_PROBES    64
static_assert(CCP_IF_PROBES <= PHX_ARP_PROBE_MAX, "one probe round");
static_assert((PHX_ARP_SWEEP + CCP_IF_PROBES / 2 - 1) / (CCP_IF_PROBES / 2) *
	      CCP_IF_PROBE_MS < CCP_IF_SILENT_MS,
	      "the sweep covers its addresses within a silence window");

#define CCP_IF_PATIENCE  3     /* windows a flood may put a verdict off */

/* Frames the port (its NIC queues) dropped on receive so far. */
static uint64_t
rx_drops(struct phx_ccp_rt *rt, const struct ccp_if *ci)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(phx_dp_port(rt->ctl->dp, ci->port)->port_id,
			      &st) != 0)
		return 0;
	return st.imissed + st.rx_nombuf;
}

/* IF_PROBE_REQ on ci: a peer that hears it answers, which counts as CCP
 * heard there, and probes that interface itself. */
static void
ask_peers(struct phx_ccp_rt *rt, const struct ccp_if *ci)
{
	struct phx_ccp_msg q = {
		.opcode = PHX_CCP_OP_IF_PROBE_REQ,
		.u.probe = { .ifn = ci->port },
	};

	send_msg(rt, ci, &q, PHX_CCP_DST_ALL, CCP_CNT_TX_PROBES);
}

static void
judge_if(struct phx_ccp_rt *rt, struct ccp_if *ci, const bool *alive,
	 uint64_t silent, uint64_t now_tsc, bool *rx_ok, bool *tx_ok)
{
	struct phx_arp *arp = rt->ctl->arp;
	bool heard = now_tsc - ci->rx_tsc < silent;
	/* a peer's request stays a reason for one of its slow rounds more */
	bool asked = ci->asked_tsc != 0 && now_tsc - ci->asked_tsc <
		     silent + 2 * rt->hz * CCP_IF_REPROBE_MS / 1000;
	bool missing = false, ask = false;
	uint64_t reply, rx, drops, period;
	unsigned m;

	/* A member heard on another interface but not on this one (with
	 * three members, the other two hearing each other here must not
	 * hide the third's silence). Not one that reported an interface
	 * problem of its own when it went silent here (its link went
	 * down: that explains the silence, and with no host to answer our
	 * probes we would take ours down with it and lose the arbitration
	 * to the member at fault); one whose problem came after (its own
	 * probes failed, as ours may) still counts, so that two members
	 * that each miss the other do not race to excuse each other. */
	for (m = 1; m <= PHX_CCP_MAX_MEMBERS; m++) {
		if (!alive[m] || now_tsc - ci->rx_from[m] < silent)
			continue;
		ask = true;
		/* (window: half a silence; its own check fails two
		 * silences after its silence at the earliest, a link loss
		 * is reported in its next heartbeat) */
		if (!(rt->peer_problem[m] != 0 &&
		      (uint64_t)llabs((long long)(rt->peer_problem[m] -
						 ci->rx_from[m])) < silent / 2))
			missing = true;
	}

	ci->link = phx_dp_port_link_up(rt->ctl->dp, ci->port);
	if (!ci->link) {
		ci->probe_from = 0;
		ci->suspect_from = 0;
		*rx_ok = *tx_ok = false;
		return;
	}
	*rx_ok = *tx_ok = true;
	if (!missing && !asked) {
		ci->probe_from = 0;
		ci->suspect_from = 0;
		/* an excused peer is still asked: if it cannot send here,
		 * it learns it from our requests */
		if (ask && (int64_t)(now_tsc - ci->probe_next) >= 0) {
			ask_peers(rt, ci);
			ci->probe_next = now_tsc +
				rt->hz * CCP_IF_PROBE_MS / 1000;
		}
		return;
	}
	if (ci->probe_from == 0) {
		ci->probe_from = now_tsc;
		ci->probe_next = now_tsc;
		ci->rx_drops = rx_drops(rt, ci);
		if (ci->suspect_from == 0) {
			ci->suspect_from = now_tsc;
			CCP_LOG(NOTICE, "interface %s: %s: probing its subnet",
				phx_dp_port(rt->ctl->dp, ci->port)->cfg->name,
				missing ? "no CCP from a peer heard elsewhere" :
					  "a peer hears no CCP from us there");
		}
	}
	if ((int64_t)(now_tsc - ci->probe_next) >= 0) {
		/* Only for a peer we miss: one that was only asked answers
		 * with ARP probes, else two members would keep asking each
		 * other for ever. */
		if (ask)
			ask_peers(rt, ci);
		(void)phx_arp_probe(arp, ci->port, CCP_IF_PROBES);
		/* a fixed schedule, not "now + period": a round that comes
		 * a tick late must not delay the next (CCP_IF_PROBES) */
		period = rt->hz *
			(ci->up ? CCP_IF_PROBE_MS : CCP_IF_REPROBE_MS) / 1000;
		ci->probe_next += period;
		if ((int64_t)(now_tsc - ci->probe_next) >= (int64_t)period)
			ci->probe_next = now_tsc + period; /* descheduled */
		drops = rx_drops(rt, ci);
		if (drops != ci->rx_drops &&
		    now_tsc - ci->suspect_from < CCP_IF_PATIENCE * silent) {
			/* overloaded: start the window again (a few times) */
			ci->rx_drops = drops;
			ci->probe_from = now_tsc;
		}
	}
	reply = phx_arp_reply_tsc(arp, ci->port);
	rx = phx_arp_rx_tsc(arp, ci->port);
	if ((reply != 0 && now_tsc - reply < silent) ||
	    (ci->answered_tsc != 0 && now_tsc - ci->answered_tsc < silent))
		return;                 /* answered: both ways work */
	if (now_tsc - ci->probe_from < silent) {
		*rx_ok = ci->rx_ok;     /* no verdict yet */
		*tx_ok = ci->tx_ok;
		return;
	}
	*rx_ok = heard || (rx != 0 && now_tsc - rx < silent);
	*tx_ok = false;
}

static void
check_ifs(struct phx_ccp_rt *rt, uint64_t now_tsc)
{
	struct phx_dp *dp = rt->ctl->dp;
	uint64_t dead = rt->hello_tsc * rt->dead_count, silent;
	uint16_t up = 0, sec = 0;
	bool changed = false, alive[PHX_CCP_MAX_MEMBERS + 1] = { false };
	unsigned i, m;

	/* members heard lately, on any interface: within their dead time as
	 * the FSM judges it (phx_ccp_fsm_tick); the silences are judged on
	 * the longest of those */
	for (m = 1; m <= PHX_CCP_MAX_MEMBERS; m++) {
		uint64_t d = rt->hz / 1000 *
			     phx_ccp_fsm_peer_dead_us(rt->fsm, (uint8_t)m) / 1000;

		for (i = 0; i < rt->n_ifs; i++)
			if (rt->ifs[i].rx_from[m] != 0 &&
			    now_tsc - rt->ifs[i].rx_from[m] < d)
				alive[m] = true;
		if (alive[m])
			dead = RTE_MAX(dead, d);
	}
	silent = RTE_MAX(3 * dead, rt->hz * CCP_IF_SILENT_MS / 1000);
	/* When each peer began to report an interface problem of its own
	 * (judge_if: a problem it had before it went silent explains the
	 * silence). */
	{
		struct phx_ccp_member_view v[PHX_CCP_MAX_MEMBERS];
		unsigned k, n = phx_ccp_fsm_view(rt->fsm,
				tsc_to_us(rt, now_tsc), v, PHX_DIM(v));

		for (k = 0; k < n; k++) {
			uint8_t id = v[k].id;

			if (v[k].local || id > PHX_CCP_MAX_MEMBERS)
				continue;
			/* the members run the same configuration: fewer up
			 * than we monitor is a problem, whatever it has
			 * learnt to require since its start; every new loss
			 * stamps again */
			if (v[k].ifs_up >= RTE_MAX(v[k].ifs_required,
						   (uint16_t)rt->n_ifs))
				rt->peer_problem[id] = 0;
			else if (rt->peer_problem[id] == 0 ||
				 v[k].ifs_up < rt->peer_ifs[id])
				rt->peer_problem[id] = now_tsc;
			rt->peer_ifs[id] = v[k].ifs_up;
		}
	}
	for (i = 0; i < rt->n_ifs; i++) {
		struct ccp_if *ci = &rt->ifs[i];
		bool rx_ok, tx_ok, u;

		judge_if(rt, ci, alive, silent, now_tsc, &rx_ok, &tx_ok);
		u = rx_ok && tx_ok;
		if (u != ci->up) {
			ci->up = u;
			ci->since_tsc = now_tsc;
			changed = true;
			if (u)
				CCP_LOG(NOTICE, "interface %s of member %u (%s) "
					"is up.",
					phx_dp_port(dp, ci->port)->cfg->name,
					rt->cc->member, rt->self_ip);
			else
				CCP_LOG(NOTICE, "interface %s of member %u (%s) "
					"is down (receive %s, transmit %s).",
					phx_dp_port(dp, ci->port)->cfg->name,
					rt->cc->member, rt->self_ip,
					rx_ok ? "up" : "down",
					tx_ok ? "up" : "down");
		}
		ci->rx_ok = rx_ok;
		ci->tx_ok = tx_ok;
		up += u;
		sec += u && ci->secured;
	}
	if (changed || up != rt->ifs_up || sec != rt->sec_up) {
		struct phx_ccp_evt ev = {
			.type = PHX_CCP_EV_IFS, .ifs_up = up, .sec_up = sec,
		};
		struct phx_ccp_local_info li;

		rt->ifs_up = up;
		rt->sec_up = sec;
		fsm_event(rt, &ev, now_tsc);
		phx_ccp_fsm_local(rt->fsm, &li);
		pnote_builtin(rt, PHX_PNOTE_BI_IFACE,
			      li.ifs_up < li.ifs_required ? PHX_PNOTE_PROBLEM :
							    PHX_PNOTE_OK,
			      "interfaces", now_tsc);
	}
	/* the link check is an ioctl per port: every half hello is enough
	 * for the FSM's "within one hello" */
	rt->next_ifs = now_tsc + RTE_MAX(rt->hello_tsc / 2, rt->hz / 2000u);
}

/* Whether every worker looped since the previous call (resamples). */
static bool
workers_moved(struct phx_ccp_rt *rt)
{
	struct phx_dp *dp = rt->ctl->dp;
	unsigned w, n = phx_dp_nb_workers(dp);
	bool moved = true;

	for (w = 0; w < n && w < RTE_MAX_LCORE; w++) {
		uint64_t b = phx_dp_worker_heartbeat(dp, w);

		if (b == rt->tick_beat[w])
			moved = false;
		rt->tick_beat[w] = b;
	}
	return moved;
}

/* CCP-69: a peer in the cluster (heard, not stopped) with fewer workers
 * than this member, whose count goes in *fewer (0: none; the one with
 * the fewest). */
static uint8_t
fewer_workers_peer(struct phx_ccp_rt *rt, uint64_t now_tsc, unsigned *fewer)
{
	struct phx_ccp_member_view v[PHX_CCP_FSM_MAX_MEMBERS];
	unsigned n, i;
	uint8_t id = 0;

	*fewer = rt->plat.workers;
	n = phx_ccp_fsm_view(rt->fsm, tsc_to_us(rt, now_tsc), v,
			     PHX_CCP_FSM_MAX_MEMBERS);
	for (i = 0; i < n && i < PHX_CCP_FSM_MAX_MEMBERS; i++) {
		uint8_t m = v[i].id;

		/* a stopped member (cphastop) is out of the cluster, as
		 * the election has it */
		if (v[i].local || m == 0 || m > PHX_CCP_MAX_MEMBERS ||
		    v[i].state == PHX_CCP_STATE_LOST ||
		    v[i].state == PHX_CCP_STATE_STOPPED || !rt->peer_has_plat[m])
			continue;
		if (rt->peer_plat[m].workers < *fewer) {
			*fewer = rt->peer_plat[m].workers;
			id = m;
		}
	}
	return id;
}

/*
 * The Workers device: a problem while a worker loop is stalled, or while
 * a live peer runs fewer workers than this member (SPEC CCP-69: the
 * member with more goes Down, whatever its state; it comes back when
 * that peer is gone or the counts agree).
 */
static void
check_workers(struct phx_ccp_rt *rt, uint64_t now_tsc)
{
	struct phx_dp *dp = rt->ctl->dp;
	uint64_t stall = rt->hz * CCP_WORKER_STALL_MS / 1000;
	unsigned w, n = phx_dp_nb_workers(dp), fewer;
	enum phx_pnote_status st = PHX_PNOTE_OK;
	char why[sizeof(rt->wk_why)];
	int late = -1;
	uint8_t peer;

	for (w = 0; w < n && w < RTE_MAX_LCORE; w++) {
		uint64_t b = phx_dp_worker_heartbeat(dp, w);

		if (b != rt->wk_beat[w]) {
			rt->wk_beat[w] = b;
			rt->wk_seen[w] = now_tsc;
		} else if (now_tsc - rt->wk_seen[w] > stall && late < 0) {
			late = (int)w;
		}
	}
	rt->workers_ok = late < 0;
	peer = fewer_workers_peer(rt, now_tsc, &fewer);
	if (late >= 0) {
		st = PHX_PNOTE_PROBLEM;
		snprintf(why, sizeof(why), "worker %d stalled for %u ms", late,
			 CCP_WORKER_STALL_MS);
	} else if (peer != 0) {
		st = PHX_PNOTE_PROBLEM;
		snprintf(why, sizeof(why), "%u workers, more than member %u's "
			 "%u (CCP-69)", n, peer, fewer);
	} else {
		snprintf(why, sizeof(why), "all %u workers running", n);
	}
	if (strcmp(why, rt->wk_why) != 0) {
		snprintf(rt->wk_why, sizeof(rt->wk_why), "%s", why);
		pnote_builtin(rt, PHX_PNOTE_BI_WORKERS, st, why, now_tsc);
	}
	rt->next_workers = now_tsc + rt->hz * CCP_WORKER_CHECK_MS / 1000;
}

static bool
peer_forwarding(struct phx_ccp_rt *rt, uint64_t now)
{
	struct phx_ccp_member_view v[PHX_CCP_FSM_MAX_MEMBERS];
	unsigned n, i;

	n = phx_ccp_fsm_view(rt->fsm, now, v, PHX_CCP_FSM_MAX_MEMBERS);
	for (i = 0; i < n && i < PHX_CCP_FSM_MAX_MEMBERS; i++)
		if (!v[i].local && (v[i].state == PHX_CCP_STATE_ACTIVE ||
				    v[i].state == PHX_CCP_STATE_ACTIVE_ATTENTION))
			return true;
	return false;
}

/* An operator request queued by telemetry (control lcore, rt->lock). */
static void
admin_apply(struct phx_ccp_rt *rt, uint64_t now_tsc)
{
	struct phx_ccp_evt ev = { 0 };
	struct phx_ccp_local_info li;
	enum phx_ccp_state before = phx_ccp_fsm_state(rt->fsm);
	enum ccp_admin req = rt->admin_req;

	rt->admin_req = CCP_ADMIN_NONE;
	phx_ccp_fsm_local(rt->fsm, &li);
	rt->admin_ok = 1;
	switch (req) {
	case CCP_ADMIN_FAILOVER:
		if (!phx_ccp_fsm_forwarding(rt->fsm)) {
			rt->admin_ok = 0;
			snprintf(rt->admin_msg, sizeof(rt->admin_msg),
				 "this member is %s, not active: nothing to "
				 "fail over",
				 phx_ccp_state_display[before]);
			goto done;
		}
		if (rt->recovery == PHX_RECOVERY_PRIMARY_UP) {
			rt->admin_ok = 0;
			snprintf(rt->admin_msg, sizeof(rt->admin_msg),
				 "recovery is primary-up: this member would "
				 "take the role back at once; use `phx admin "
				 "down` (and `phx admin up` later)");
			goto done;
		}
		/* down now, up again as soon as a peer forwards: with
		 * active-up it then stays standby (FAIL-30) */
		ev.type = PHX_CCP_EV_ADMIN_DOWN;
		rt->auto_up = true;
		rt->auto_up_until = now_tsc + rt->hz +
			rt->hello_tsc * rt->dead_count * 2;
		break;
	case CCP_ADMIN_STOP:
		ev.type = PHX_CCP_EV_ADMIN_STOP;
		break;
	case CCP_ADMIN_START:
		ev.type = PHX_CCP_EV_ADMIN_START;
		break;
	case CCP_ADMIN_DOWN:
		ev.type = PHX_CCP_EV_ADMIN_DOWN;
		rt->auto_up = false;
		break;
	case CCP_ADMIN_UP:
		ev.type = PHX_CCP_EV_ADMIN_UP;
		rt->auto_up = false;
		break;
	default:
		goto done;
	}
	CCP_LOG(NOTICE, "operator: %s", admin_names[req]);
	fsm_event(rt, &ev, now_tsc);
	if (req == CCP_ADMIN_START && rt->sync_done) {
		/* cphastart does no full sync (SPEC FAIL-62): the table was
		 * kept up to date meanwhile */
		ev.type = PHX_CCP_EV_SYNC_DONE;
		fsm_event(rt, &ev, now_tsc);
	}
	snprintf(rt->admin_msg, sizeof(rt->admin_msg), "%s: %s -> %s",
		 admin_names[req], phx_ccp_state_display[before],
		 phx_ccp_state_display[phx_ccp_fsm_state(rt->fsm)]);
done:
	rt->admin_done = rt->admin_seq;
}

unsigned
phx_ccp_poll(struct phx_ctl *ctl, uint64_t now_tsc)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	struct phx_ccp_actions acts;
	unsigned work = 0;

	if (rt == NULL || !rt->started)
		return 0;
	pthread_mutex_lock(&rt->lock);
	if (rt->admin_req != CCP_ADMIN_NONE) {
		admin_apply(rt, now_tsc);
		work++;
	}
	if (now_tsc >= rt->next_ifs)
		check_ifs(rt, now_tsc);
	if (now_tsc >= rt->next_workers)
		check_workers(rt, now_tsc);
	if (rt->pn_dirty)
		pnote_feed(rt, now_tsc);
	/* A pass that comes late (this process was descheduled) drains the
	 * frames that queued meanwhile before any peer is declared lost:
	 * a busy machine must not look like a dead peer (once: see
	 * phx_ccp_ticker). */
	if (now_tsc - rt->tick.last > rt->late_max_tsc)
		rt->late_max_tsc = now_tsc - rt->tick.last;
	if (phx_ccp_ticker_pass(&rt->tick, now_tsc, rt->hello_tsc))
		rt->cnt[CCP_CNT_LATE_PASSES]++;
	/* The same for our workers: one that has not looped since the last
	 * tick was descheduled and may hold a peer's heartbeats in its RX
	 * queue. A worker that stays stalled is the Workers device's
	 * business (CCP_WORKER_STALL_MS), which takes this member down:
	 * from then on the ticks run whatever the workers do. */
	if (now_tsc >= rt->tick.next && rt->workers_ok && !workers_moved(rt))
		rt->tick.next = now_tsc + rt->hello_tsc / 4;
	if (now_tsc >= rt->tick.next) {
		struct phx_pnote_out out;
		uint64_t now = tsc_to_us(rt, now_tsc);

		phx_pnote_tick(rt->pn, now, &out);
		pnote_out(rt, &out);
		if (rt->pn_dirty)
			pnote_feed(rt, now_tsc);
		phx_ccp_fsm_tick(rt->fsm, now, &acts);
		apply(rt, &acts, now_tsc);
		if (rt->auto_up && (peer_forwarding(rt, now) ||
				    now_tsc > rt->auto_up_until)) {
			struct phx_ccp_evt ev = { .type = PHX_CCP_EV_ADMIN_UP };

			/* the failover is over: either another member took
			 * the role, or none could (stale configuration, all
			 * down) and this one keeps it */
			if (!peer_forwarding(rt, now))
				CCP_LOG(WARNING, "failover: no other member took "
					"over; this member stays active");
			rt->auto_up = false;
			fsm_event(rt, &ev, now_tsc);
		}
		phx_ccp_ticker_ran(&rt->tick, now_tsc, rt->hello_tsc);
	}
	if (now_tsc >= rt->next_hello) {
		send_heartbeats(rt, now_tsc);
		work++;
	}
	if (rt->garp_left != 0 && now_tsc >= rt->garp_next) {
		garp_round(rt, now_tsc);
		work++;
	}
	pthread_mutex_unlock(&rt->lock);
	return work;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

/* Where CCP goes on ci (SPEC CCP-04): broadcast, or the group MAC of its
 * subnet (ADDR-22: network x.y.z.0 -> 01:00:5e:y&7f:z:fa). */
static void
if_dst(struct ccp_if *ci, uint8_t transport)
{
	uint32_t net = rte_be_to_cpu_32(ci->ip) & ci->mask;

	if (transport == PHX_CCP_BROADCAST)
		memset(ci->dst.addr_bytes, 0xff, RTE_ETHER_ADDR_LEN);
	else
		ci->dst = (struct rte_ether_addr){ .addr_bytes = {
			0x01, 0x00, 0x5e, (uint8_t)((net >> 16) & 0x7f),
			(uint8_t)(net >> 8), 0xfa } };
}

static void
ifs_init(struct phx_ccp_rt *rt, const struct phx_config *cfg)
{
	const struct phx_cfg_cluster *cc = &cfg->cluster;
	unsigned p, v;

	for (p = 0; p < cfg->n_ports; p++) {
		const struct phx_cfg_port *pc = &cfg->ports[p];
		struct ccp_if *ci = &rt->ifs[rt->n_ifs];
		bool has_vip = false;
		uint32_t ip, mask;
		unsigned n_vips = 0;
		size_t o = 0;

		for (v = 0; v < cc->n_vips; v++) {
			char a[16];

			if (cc->vips[v].port != (int)p)
				continue;
			has_vip = true;
			/* SPEC ADDR-04, its words: 3 VIPs and the member's
			 * own address are the 4 IPs an interface notifies */
			if (++n_vips == CCP_VIPS_NOTIFIED + 1)
				CCP_LOG(WARNING, "FW-1: fwha_notify_interface: "
					"there are more than 4 IPs on interface "
					"%s notifying only the first ones",
					pc->name);
			o += (size_t)snprintf(ci->vips + o,
				o < sizeof(ci->vips) ? sizeof(ci->vips) - o : 0,
				"%s%s/%u", o ? "," : "",
				phx_ip4_str(cc->vips[v].ip, a), cc->vips[v].plen);
		}
		if ((!has_vip && (int)p != cc->sync_port) || pc->n_addrs == 0) {
			ci->vips[0] = '\0';
			continue;
		}
		ci->port = (uint16_t)p;
		ci->secured = (int)p == cc->sync_port;
		ip = pc->addrs[0].ip;
		mask = pc->addrs[0].plen ? ~0u << (32 - pc->addrs[0].plen) : 0;
		ci->ip = rte_cpu_to_be_32(ip);
		ci->bcast = rte_cpu_to_be_32(ip | ~mask);
		ci->mask = mask;
		if_dst(ci, rt->transport);
		/* VMAC (SPEC 5.5): locally administered, one per port,
		 * the same on every member of this cluster */
		rt->vmac[p] = (struct rte_ether_addr){ .addr_bytes = {
			0x02, 0x1c, 0x7f, cc->id, cc->mac_magic, (uint8_t)p } };
		rt->n_ifs++;
	}
}

/* Each cluster interface's device receives its CCP group MAC, or no group
 * with broadcast transport (phx_dp_port_mcast: only a port that is not
 * promiscuous needs it). */
static void
if_groups(struct phx_ccp_rt *rt)
{
	unsigned i;

	for (i = 0; i < rt->n_ifs; i++)
		(void)phx_dp_port_mcast(rt->ctl->dp, rt->ifs[i].port,
					rt->transport == PHX_CCP_BROADCAST ?
					NULL : &rt->ifs[i].dst);
}

/* Timers and the other settings a reload may change (SPEC CCP-22). Under
 * lock once running. */
static void
timers_set(struct phx_ccp_rt *rt, const struct phx_cfg_cluster *cc)
{
	rt->hello_ms = cc->hello_ms;
	rt->dead_count = cc->dead_count;
	rt->hello_us = (uint64_t)cc->hello_ms * 1000;
	rt->hello_tsc = rt->hz * cc->hello_ms / 1000;
	rt->transport = cc->transport;
	rt->recovery = cc->recovery;
	rt->garp_count = cc->garp.count;
	rt->garp_gap_tsc = rt->hz * cc->garp.interval_ms / 1000;
	/* idle sleeps stay within half the timers' quarter hello */
	phx_dp_idle_cap_set(rt->ctl->dp, phx_idle_sleep_cap(1, cc->hello_ms));
}

int
phx_ccp_create(struct phx_ctl *ctl)
{
	const struct phx_config *cfg = ctl->boot_cfg;
	const struct phx_cfg_cluster *cc = &cfg->cluster;
	struct phx_ccp_fsm_params fp = { 0 };
	struct phx_pnote_params pp = { 0 };
	struct phx_ccp_rt *rt;
	struct timespec ts;
	uint64_t now_tsc, now;
	unsigned i;

	if (!cc->enabled)
		return 0;
	rt = rte_zmalloc("phx_ccp", sizeof(*rt), 0);
	if (rt == NULL)
		return -ENOMEM;
	rt->ctl = ctl;
	rt->cc = cc;
	rt->hz = ctl->hz;
	timers_set(rt, cc);
	pthread_mutex_init(&rt->lock, NULL);
	pthread_mutex_init(&rt->save_lock, NULL);
	if (phx_ccp_key_init(&rt->key, cc->key) != 0 ||
	    phx_config_digest(cfg, rt->digest) != 0)
		goto fail;
	phx_ccp_replay_init(&rt->replay);
	phx_ccp_replay_init(&rt->sync_replay);
	rt->ctx = (struct phx_ccp_ctx){ .cluster = cc->id, .self = cc->member,
					.mac_magic = cc->mac_magic,
					.key = &rt->key };
	clock_gettime(CLOCK_REALTIME, &ts);
	rt->boot_id = phx_ccp_boot_id_new((uint64_t)ts.tv_sec * 1000 +
					  (uint64_t)ts.tv_nsec / 1000000);
	rt->cfg_gen = cfg->generation;
	ifs_init(rt, cfg);
	rt->plat.workers = (uint8_t)RTE_MIN(phx_dp_nb_workers(ctl->dp),
					    (unsigned)UINT8_MAX);
	rt->plat.sync_version = PHX_SYNC_VERSION;
	rt->plat.sync_mtu = cc->sync_port >= 0 ?
			    cfg->ports[cc->sync_port].mtu : 0;
	snprintf(rt->plat.version, sizeof(rt->plat.version), "%s",
		 PHX_VERSION);
	/* the TLV takes 0x21..0x7e only: a version with a space would make
	 * every heartbeat unencodable */
	for (i = 0; rt->plat.version[i] != '\0'; i++)
		if (rt->plat.version[i] < 0x21 || rt->plat.version[i] > 0x7e)
			rt->plat.version[i] = '_';

	now_tsc = rte_rdtsc();
	now = tsc_to_us(rt, now_tsc);
	/* our unique address: the one on the sync network */
	for (i = 0; i < rt->n_ifs; i++)
		if (rt->ifs[i].secured)
			phx_ip4_str(rte_be_to_cpu_32(rt->ifs[i].ip), pp.ip);
	snprintf(rt->self_ip, sizeof(rt->self_ip), "%s", pp.ip);
	fp.n_members = (uint8_t)cc->n_members;
	fp.local_id = cc->member;
	for (i = 0; i < cc->n_members; i++) {
		/* MODE-11: priority follows the member number */
		fp.members[i].id = cc->members[i];
		fp.members[i].prio = (uint8_t)(i + 1);
		if (cc->members[i] == cc->member)
			snprintf(fp.members[i].ip, sizeof(fp.members[i].ip),
				 "%s", pp.ip);
		rt->n_wire = RTE_MAX(rt->n_wire, cc->members[i]);
	}
	fp.hello_us = (uint32_t)rt->hello_us;
	fp.dead_count = cc->dead_count;
	fp.recovery = cc->recovery == PHX_RECOVERY_PRIMARY_UP ?
		      PHX_CCP_RECOVERY_PRIMARY_UP : PHX_CCP_RECOVERY_ACTIVE_UP;
	fp.ifs_required = (uint16_t)cc->required_interfaces;
	fp.cfg_gen = rt->cfg_gen;
	memcpy(fp.cfg_digest, rt->digest, sizeof(fp.cfg_digest));
	fp.joining = cc->join == PHX_JOIN_AUTO;
	rt->fsm = phx_ccp_fsm_create(&fp, now);
	pp.member_id = cc->member;
	rt->pn = phx_pnote_create(&pp, now);
	if (rt->fsm == NULL || rt->pn == NULL) {
		CCP_LOG(ERR, "cannot create the member state machine: %s",
			strerror(errno));
		goto fail;
	}
	snprintf(rt->pn_dir, sizeof(rt->pn_dir), PHX_STATE_DIR "/%s",
		 cfg->eal.file_prefix[0] != '\0' ? cfg->eal.file_prefix :
						    cfg->name);
	snprintf(rt->pn_path, sizeof(rt->pn_path), "%s/pnotes", rt->pn_dir);
	pnote_restore(rt, now);
	ctl->ccp = rt;
	CCP_LOG(INFO, "cluster %u member %u of %u, %s, hello %u ms x %u, "
		"%u cluster interfaces, config digest %02x%02x%02x%02x...",
		cc->id, cc->member, cc->n_members,
		cc->recovery == PHX_RECOVERY_PRIMARY_UP ? "primary-up" :
							  "active-up",
		cc->hello_ms, cc->dead_count, rt->n_ifs, rt->digest[0],
		rt->digest[1], rt->digest[2], rt->digest[3]);
	return 0;
fail:
	phx_ccp_fsm_free(rt->fsm);
	phx_pnote_free(rt->pn);
	phx_ccp_key_wipe(&rt->key);
	rte_free(rt);
	return -EINVAL;
}

void
phx_ccp_start(struct phx_ctl *ctl)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	struct phx_ccp_evt ev = { .type = PHX_CCP_EV_SYNC_DONE };
	uint64_t now_tsc = rte_rdtsc();
	unsigned w;

	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	for (w = 0; w < phx_dp_nb_workers(ctl->dp) && w < RTE_MAX_LCORE; w++) {
		rt->wk_beat[w] = phx_dp_worker_heartbeat(ctl->dp, w);
		rt->wk_seen[w] = now_tsc;
	}
	rt->wk_why[0] = '\0';
	check_workers(rt, now_tsc);
	if_groups(rt);
	/* the policy was compiled and published before the workers ran */
	pnote_builtin(rt, PHX_PNOTE_BI_FILTER, PHX_PNOTE_OK, "policy installed",
		      now_tsc);
	/* With sync the member stays Initializing until its full sync is
	 * done or given up (SPEC SYNC-12, CCP-60): control/sync.c calls
	 * phx_ccp_sync_done. Without, there is nothing to wait for. */
	if (rt->cc->sync.enabled)
		pnote_builtin(rt, PHX_PNOTE_BI_SYNC, PHX_PNOTE_INIT,
			      "full sync not done yet", now_tsc);
	else
		pnote_builtin(rt, PHX_PNOTE_BI_SYNC, PHX_PNOTE_OK,
			      "sync disabled by configuration", now_tsc);
	/* CCP-30 measures silences from now, not from before the ports ran */
	for (w = 0; w < rt->n_ifs; w++) {
		unsigned m;

		rt->ifs[w].rx_tsc = now_tsc;
		for (m = 1; m <= PHX_CCP_MAX_MEMBERS; m++)
			rt->ifs[w].rx_from[m] = now_tsc;
	}
	check_ifs(rt, now_tsc);
	pnote_feed(rt, now_tsc);
	rt->change_tsc = now_tsc;
	/* ports and workers took their time since phx_ccp_create: the
	 * listening before claiming the VIPs starts now (FAIL-30) */
	phx_ccp_fsm_listen_from(rt->fsm, tsc_to_us(rt, now_tsc));
	if (!rt->cc->sync.enabled) {
		rt->sync_done = true;
		fsm_event(rt, &ev, now_tsc);
	}
	send_heartbeats(rt, now_tsc);
	rt->tick = (struct phx_ccp_ticker){ .next = now_tsc, .last = now_tsc };
	rt->started = true;
	pthread_mutex_unlock(&rt->lock);
}

void
phx_ccp_sync_done(struct phx_ctl *ctl, const char *reason)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	struct phx_ccp_evt ev = { .type = PHX_CCP_EV_SYNC_DONE };
	uint64_t now_tsc;

	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	now_tsc = rte_rdtsc();
	rt->sync_done = true;
	pnote_builtin(rt, PHX_PNOTE_BI_SYNC, PHX_PNOTE_OK, reason, now_tsc);
	pnote_feed(rt, now_tsc);
	fsm_event(rt, &ev, now_tsc);
	pthread_mutex_unlock(&rt->lock);
}

/*
 * A reload changed what CCP-22 lets change at run time (control/reload.c
 * lets nothing else of the cluster section through): the heartbeat
 * interval, the missed heartbeats before a peer is lost, the recovery
 * mode, the CCP transport and the gratuitous ARPs. A heartbeat goes out
 * at once so that the peers learn the new interval before they would
 * miss us at the old one. Under lock.
 */
static void
timers_changed(struct phx_ccp_rt *rt, const struct phx_cfg_cluster *nc)
{
	enum phx_ccp_recovery rec = nc->recovery == PHX_RECOVERY_PRIMARY_UP ?
		PHX_CCP_RECOVERY_PRIMARY_UP : PHX_CCP_RECOVERY_ACTIVE_UP;
	uint32_t was_ms = rt->hello_ms, was_n = rt->dead_count;
	uint64_t now_tsc = rte_rdtsc();
	unsigned i;

	if (nc->hello_ms == rt->hello_ms && nc->dead_count == rt->dead_count &&
	    nc->recovery == rt->recovery && nc->transport == rt->transport &&
	    nc->garp.count == rt->garp_count &&
	    rt->hz * nc->garp.interval_ms / 1000 == rt->garp_gap_tsc)
		return;
	if (phx_ccp_fsm_set_timers(rt->fsm, nc->hello_ms * 1000,
				   nc->dead_count, rec) != 0) {
		CCP_LOG(ERR, "timers hello %u ms x %u refused by the member "
			"state machine (bug): the old ones stay",
			nc->hello_ms, nc->dead_count);
		return;
	}
	timers_set(rt, nc);
	for (i = 0; i < rt->n_ifs; i++)
		if_dst(&rt->ifs[i], rt->transport);
	if_groups(rt);
	CCP_LOG(NOTICE, "timers changed: hello %u ms x %u (was %u ms x %u), "
		"recovery %s, transport %s, %u gratuitous ARPs %u ms apart",
		rt->hello_ms, rt->dead_count, was_ms, was_n,
		rt->recovery == PHX_RECOVERY_PRIMARY_UP ? "primary-up" :
							  "active-up",
		rt->transport == PHX_CCP_BROADCAST ? "broadcast" : "multicast",
		rt->garp_count, nc->garp.interval_ms);
	if (rt->started) {
		send_heartbeats(rt, now_tsc);
		rt->tick.next = now_tsc;
		rt->next_ifs = now_tsc;
	}
}

void
phx_ccp_config_changed(struct phx_ctl *ctl, const struct phx_config *cfg,
		       const uint8_t *digest)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	struct phx_ccp_evt ev = { .type = PHX_CCP_EV_CONFIG };
	int rc = 0;

	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	if (digest != NULL)
		memcpy(rt->digest, digest, sizeof(rt->digest));
	else
		rc = phx_config_digest(cfg, rt->digest);
	if (rc != 0) {
		pthread_mutex_unlock(&rt->lock);
		CCP_LOG(ERR, "configuration generation %" PRIu64 ": no digest "
			"(%s): heartbeats keep the previous one, timers "
			"unchanged", cfg->generation, strerror(-rc));
		return;
	}
	rt->cfg_gen = cfg->generation;
	ev.cfg_gen = rt->cfg_gen;
	memcpy(ev.cfg_digest, rt->digest, sizeof(ev.cfg_digest));
	ev.joining = rt->cc->join == PHX_JOIN_AUTO;
	fsm_event(rt, &ev, rte_rdtsc());
	timers_changed(rt, &cfg->cluster);
	CCP_LOG(NOTICE, "configuration generation %" PRIu64 ", digest "
		"%02x%02x%02x%02x...", rt->cfg_gen, rt->digest[0],
		rt->digest[1], rt->digest[2], rt->digest[3]);
	pthread_mutex_unlock(&rt->lock);
}

/* The sync port's interface: sync frames leave only there (SPEC
 * SYNC-70). */
static const struct ccp_if *
sync_if(const struct phx_ccp_rt *rt)
{
	unsigned i;

	for (i = 0; i < rt->n_ifs; i++)
		if (rt->ifs[i].secured)
			return &rt->ifs[i];
	return NULL;
}

int
phx_ccp_sync_send(struct phx_ctl *ctl, const uint8_t *body, size_t len,
		  uint16_t dst)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	uint8_t buf[PHX_CCP_MAX_FRAME];
	const struct ccp_if *ci;
	struct phx_ccp_hdr_info h;
	int n;

	if (rt == NULL || (ci = sync_if(rt)) == NULL)
		return -ENODEV;
	/* Control lcore only, like every other send: rt->counter and the
	 * counters are written by this thread alone (telemetry reads
	 * them under the lock; a 64-bit store is not torn). */
	hdr_init(rt, &h, ci->port, dst, &rt->sync_counter);
	n = phx_ccp_encode_sync(buf, sizeof(buf), &h, body, len, &rt->key);
	if (n < 0) {
		rt->cnt[CCP_CNT_TX_ERRORS]++;
		return n;
	}
	send_on(rt, ci, buf, (size_t)n);
	return 0;
}

uint8_t
phx_ccp_peer_states(struct phx_ctl *ctl, uint8_t st[PHX_CCP_MAX_MEMBERS + 1],
		    uint8_t *same_cfg)
{
	struct phx_ccp_member_view v[PHX_CCP_FSM_MAX_MEMBERS];
	struct phx_ccp_rt *rt = ctl->ccp;
	uint8_t live = 0;
	unsigned n, i;

	memset(st, PHX_CCP_STATE_LOST, PHX_CCP_MAX_MEMBERS + 1);
	*same_cfg = 0;
	if (rt == NULL)
		return 0;
	pthread_mutex_lock(&rt->lock);
	n = phx_ccp_fsm_view(rt->fsm, tsc_to_us(rt, rte_rdtsc()), v,
			     PHX_CCP_FSM_MAX_MEMBERS);
	for (i = 0; i < n; i++) {
		if (v[i].local || v[i].id == 0 ||
		    v[i].id > PHX_CCP_MAX_MEMBERS)
			continue;
		st[v[i].id] = (uint8_t)v[i].state;
		if (v[i].state != PHX_CCP_STATE_LOST)
			live |= (uint8_t)(1u << v[i].id);
		if (memcmp(v[i].cfg_digest, rt->digest, sizeof(rt->digest)) == 0)
			*same_cfg |= (uint8_t)(1u << v[i].id);
	}
	pthread_mutex_unlock(&rt->lock);
	return live;
}

uint8_t
phx_ccp_peer_sync_version(struct phx_ctl *ctl, uint8_t id, char *version,
			  size_t vlen)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	uint8_t v = 0;

	if (vlen > 0)
		version[0] = '\0';
	if (rt == NULL || id == 0 || id > PHX_CCP_MAX_MEMBERS)
		return 0;
	pthread_mutex_lock(&rt->lock);
	if (rt->peer_has_plat[id]) {
		v = rt->peer_plat[id].sync_version;
		snprintf(version, vlen, "%s", rt->peer_plat[id].version);
	}
	pthread_mutex_unlock(&rt->lock);
	return v;
}

void
phx_ccp_free(struct phx_ctl *ctl)
{
	struct phx_ccp_rt *rt = ctl->ccp;

	if (rt == NULL)
		return;
	ctl->ccp = NULL;
	phx_ccp_fsm_free(rt->fsm);
	phx_pnote_free(rt->pn);
	phx_ccp_key_wipe(&rt->key);
	pthread_mutex_destroy(&rt->lock);
	pthread_mutex_destroy(&rt->save_lock);
	rte_free(rt);
}

/* ------------------------------------------------------------------ */
/* Telemetry (telemetry thread; under the telemetry read lock)          */

/* DPDK 22.11 cuts a string of RTE_TEL_MAX_STRING_LEN bytes or more
 * without a trace; a longer one (a reason, many VIPs) is cut here and
 * ends in "..." so that the reader sees it was (docs/telemetry.md). */
static void
add_str(struct rte_tel_data *d, const char *k, const char *v)
{
	char s[RTE_TEL_MAX_STRING_LEN];
	size_t n = strlen(v);

	if (n < sizeof(s))
		snprintf(s, sizeof(s), "%s", v);
	else
		snprintf(s, sizeof(s), "%.*s...", (int)(sizeof(s) - 4), v);
	rte_tel_data_add_dict_string(d, k, s);
}

static void
hex_str(const uint8_t *b, unsigned n, char *out)
{
	unsigned i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/* DPDK 22.11 telemetry has no floating point: durations are ms. */
static uint64_t
msecs(const struct phx_ccp_rt *rt, uint64_t from_tsc, uint64_t now_tsc)
{
	uint64_t d = now_tsc - from_tsc;   /* split: no overflow, as above */

	if ((int64_t)d < 0)
		return 0;       /* from a TSC read after now's */
	return d / rt->hz * 1000 + d % rt->hz * 1000 / rt->hz;
}

static int
not_clustered(struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "enabled", 0);
	return 0;
}

int
phx_ccp_tel_cluster(struct phx_ctl *ctl, const char *params,
		    struct rte_tel_data *d)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	struct phx_ccp_local_info li;
	char culprit[PHX_PNOTE_LABEL_LEN], dg[65];
	const struct phx_cfg_cluster *cc;
	uint64_t now_tsc;

	if (params != NULL && *params != '\0')
		return -EINVAL;
	if (rt == NULL)
		return not_clustered(d);
	cc = rt->cc;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&rt->lock);
	now_tsc = rte_rdtsc();  /* after the lock: no stamp is later */
	phx_ccp_fsm_local(rt->fsm, &li);
	rte_tel_data_add_dict_int(d, "enabled", 1);
	rte_tel_data_add_dict_int(d, "cluster_id", cc->id);
	rte_tel_data_add_dict_int(d, "member", cc->member);
	add_str(d, "mode", "ha");
	add_str(d, "recovery", rt->recovery == PHX_RECOVERY_PRIMARY_UP ?
		"primary-up" : "active-up");
	add_str(d, "transport", rt->transport == PHX_CCP_BROADCAST ?
		"broadcast" : "multicast");
	rte_tel_data_add_dict_int(d, "hello_ms", (int)rt->hello_ms);
	rte_tel_data_add_dict_int(d, "dead_count", (int)rt->dead_count);
	add_str(d, "state", phx_ccp_state_names[li.state]);
	add_str(d, "state_display", phx_ccp_state_display[li.state]);
	rte_tel_data_add_dict_int(d, "forwarding", li.forwarding);
	add_str(d, "admin", li.state == PHX_CCP_STATE_STOPPED ? "stopped" :
		li.admin_down ? "down" : "up");
	add_str(d, "reason", li.reason);
	rte_tel_data_add_dict_u64(d, "transitions", li.transitions);
	rte_tel_data_add_dict_u64(d, "since_change_ms",
				  msecs(rt, rt->change_tsc, now_tsc));
	rte_tel_data_add_dict_u64(d, "late_pass_max_ms",
				  msecs(rt, 0, rt->late_max_tsc));
	rte_tel_data_add_dict_int(d, "ifs_up", li.ifs_up);
	rte_tel_data_add_dict_int(d, "ifs_required", li.ifs_required);
	rte_tel_data_add_dict_int(d, "sec_up", li.sec_up);
	rte_tel_data_add_dict_int(d, "sec_required", li.sec_required);
	add_str(d, "pnote", phx_pnote_status_names[
		phx_pnote_aggregate(rt->pn, culprit)]);
	add_str(d, "pnote_culprit", culprit);
	rte_tel_data_add_dict_u64(d, "cfg_gen", rt->cfg_gen);
	hex_str(rt->digest, 32, dg);
	add_str(d, "cfg_digest", dg);
	rte_tel_data_add_dict_int(d, "joining", cc->join == PHX_JOIN_AUTO);
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

/* A member's platform (CCP-69, SYNC-20, SYNC-74), and how it differs
 * from ours: -1 and "" while a peer's is not known. */
static void
tel_platform(const struct phx_ccp_rt *rt, struct rte_tel_data *m,
	     const struct phx_ccp_member_view *v)
{
	static const struct {
		unsigned bit;
		const char *name;
	} diffs[] = {
		{ PHX_CCP_PLAT_VERSION, "version" },
		{ PHX_CCP_PLAT_SYNC_VERSION, "sync_version" },
		{ PHX_CCP_PLAT_SYNC_MTU, "sync_mtu" },
		{ PHX_CCP_PLAT_MORE_WORKERS, "fewer_workers" },
		{ PHX_CCP_PLAT_FEWER_WORKERS, "more_workers" },
	};
	const struct phx_ccp_platform *p = NULL;
	char differs[64] = "";
	unsigned d = 0, k;

	if (v->local)
		p = &rt->plat;
	else if (v->id <= PHX_CCP_MAX_MEMBERS && rt->peer_has_plat[v->id])
		p = &rt->peer_plat[v->id];
	rte_tel_data_add_dict_int(m, "workers", p != NULL ? p->workers : -1);
	add_str(m, "version", p != NULL ? p->version : "");
	rte_tel_data_add_dict_int(m, "sync_version",
				  p != NULL ? p->sync_version : -1);
	rte_tel_data_add_dict_int(m, "sync_mtu", p != NULL ? p->sync_mtu : -1);
	if (p != NULL && !v->local)
		d = platform_diff(rt, p);
	/* named from the peer's side: "fewer_workers" = it has fewer */
	for (k = 0; k < PHX_DIM(diffs); k++)
		if (d & diffs[k].bit)
			snprintf(differs + strlen(differs),
				 sizeof(differs) - strlen(differs), "%s%s",
				 differs[0] != '\0' ? "," : "", diffs[k].name);
	add_str(m, "differs", differs);
}

int
phx_ccp_tel_members(struct phx_ctl *ctl, const char *params,
		    struct rte_tel_data *d)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	struct phx_ccp_member_view v[PHX_CCP_FSM_MAX_MEMBERS];
	char key[16];
	unsigned n, i;

	if (params != NULL && *params != '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	if (rt == NULL)
		return 0;
	pthread_mutex_lock(&rt->lock);
	n = phx_ccp_fsm_view(rt->fsm, tsc_to_us(rt, rte_rdtsc()), v,
			     PHX_CCP_FSM_MAX_MEMBERS);
	for (i = 0; i < n && i < PHX_CCP_FSM_MAX_MEMBERS; i++) {
		struct rte_tel_data *m = rte_tel_data_alloc();
		char a[16], dg[17];

		if (m == NULL)
			break;
		rte_tel_data_start_dict(m);
		rte_tel_data_add_dict_int(m, "id", v[i].id);
		rte_tel_data_add_dict_int(m, "prio", v[i].prio);
		if (!v[i].local && v[i].id <= PHX_CCP_MAX_MEMBERS &&
		    rt->peer_ip[v[i].id] != 0)
			add_str(m, "ip", phx_ip4_str(rte_be_to_cpu_32(
				rt->peer_ip[v[i].id]), a));
		else
			add_str(m, "ip", v[i].ip);
		rte_tel_data_add_dict_int(m, "local", v[i].local);
		add_str(m, "state", phx_ccp_state_names[v[i].state]);
		add_str(m, "state_display", phx_ccp_state_display[v[i].state]);
		rte_tel_data_add_dict_int(m, "heard_ms",
			v[i].heard_age_us == UINT64_MAX ? -1 :
			v[i].heard_age_us / 1000 > INT32_MAX ? INT32_MAX :
			(int)(v[i].heard_age_us / 1000));
		rte_tel_data_add_dict_int(m, "ifs_up", v[i].ifs_up);
		rte_tel_data_add_dict_int(m, "ifs_required", v[i].ifs_required);
		add_str(m, "pnote", phx_pnote_status_names[v[i].pnote]);
		rte_tel_data_add_dict_u64(m, "cfg_gen", v[i].cfg_gen);
		hex_str(v[i].cfg_digest, 8, dg);
		add_str(m, "cfg_digest", dg);
		rte_tel_data_add_dict_int(m, "cfg_stale", v[i].cfg_stale);
		rte_tel_data_add_dict_int(m, "ghost", v[i].ghost);
		tel_platform(rt, m, &v[i]);
		snprintf(key, sizeof(key), "m%u", v[i].id);
		rte_tel_data_add_dict_container(d, key, m, 0);
	}
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

int
phx_ccp_tel_if(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	uint64_t now_tsc;
	char key[16];
	unsigned i;

	if (params != NULL && *params != '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	if (rt == NULL)
		return 0;
	pthread_mutex_lock(&rt->lock);
	now_tsc = rte_rdtsc();  /* after the lock: no stamp is later */
	for (i = 0; i < rt->n_ifs; i++) {
		const struct ccp_if *ci = &rt->ifs[i];
		struct rte_tel_data *m = rte_tel_data_alloc();
		char a[16];

		if (m == NULL)
			break;
		rte_tel_data_start_dict(m);
		add_str(m, "port", phx_dp_port(ctl->dp, ci->port)->cfg->name);
		add_str(m, "ip", phx_ip4_str(rte_be_to_cpu_32(ci->ip), a));
		rte_tel_data_add_dict_int(m, "secured", ci->secured);
		rte_tel_data_add_dict_int(m, "up", ci->up);
		rte_tel_data_add_dict_u64(m, "since_ms",
					  msecs(rt, ci->since_tsc, now_tsc));
		add_str(m, "receive", ci->rx_ok ? "up" : "down");
		add_str(m, "transmit", ci->tx_ok ? "up" : "down");
		rte_tel_data_add_dict_u64(m, "ccp_rx_ms",
					  msecs(rt, ci->rx_tsc, now_tsc));
		rte_tel_data_add_dict_int(m, "probing", ci->probe_from != 0);
		add_str(m, "cast", rt->transport == PHX_CCP_BROADCAST ?
			"broadcast" : "multicast");
		add_str(m, "vips", ci->vips);
		snprintf(key, sizeof(key), "if%u", i);
		rte_tel_data_add_dict_container(d, key, m, 0);
	}
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

int
phx_ccp_tel_pnotes(struct phx_ctl *ctl, const char *params,
		   struct rte_tel_data *d)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	struct phx_pnote_info info[PHX_PNOTE_MAX_REGISTERED + PHX_PNOTE_BI_MAX];
	char key[16];
	unsigned n, i;

	if (params != NULL && *params != '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	if (rt == NULL)
		return 0;
	pthread_mutex_lock(&rt->lock);
	n = phx_pnote_list(rt->pn, tsc_to_us(rt, rte_rdtsc()), info,
			   RTE_DIM(info));
	pthread_mutex_unlock(&rt->lock);
	for (i = 0; i < n && i < RTE_DIM(info); i++) {
		struct rte_tel_data *m = rte_tel_data_alloc();

		if (m == NULL)
			break;
		rte_tel_data_start_dict(m);
		add_str(m, "name", info[i].name);
		rte_tel_data_add_dict_int(m, "regno", info[i].regno);
		rte_tel_data_add_dict_int(m, "builtin", info[i].builtin);
		rte_tel_data_add_dict_int(m, "persistent", info[i].persistent);
		rte_tel_data_add_dict_int(m, "timeout_s", (int)info[i].timeout_s);
		add_str(m, "state", phx_pnote_status_names[info[i].status]);
		rte_tel_data_add_dict_u64(m, "since_report_ms",
					  info[i].since_report_us / 1000);
		snprintf(key, sizeof(key), "d%u", i);
		rte_tel_data_add_dict_container(d, key, m, 0);
	}
	return 0;
}

int
phx_ccp_tel_ccp(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	char k[64];
	unsigned i;

	if (params != NULL && *params != '\0')
		return -EINVAL;
	if (rt == NULL)
		return not_clustered(d);
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&rt->lock);
	for (i = 0; i < CCP_CNT_MAX; i++)
		rte_tel_data_add_dict_u64(d, ccp_counter_names[i], rt->cnt[i]);
	for (i = 1; i < PHX_CCP_ERR_MAX; i++) {
		snprintf(k, sizeof(k), "drop_%s", phx_ccp_err_name(i));
		rte_tel_data_add_dict_u64(d, k, rt->drop[i]);
	}
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

static int
reply(struct rte_tel_data *d, int ok, const char *msg)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", ok);
	add_str(d, "message", msg);
	return 0;
}

int
phx_ccp_tel_admin(struct phx_ctl *ctl, const char *params,
		  struct rte_tel_data *d)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	enum ccp_admin req = CCP_ADMIN_NONE;
	char msg[160];
	uint64_t seq;
	unsigned i, waited;
	int ok;

	if (rt == NULL)
		return reply(d, 0, "cluster is not configured");
	for (i = 1; i < RTE_DIM(admin_names); i++)
		if (params != NULL && strcmp(params, admin_names[i]) == 0)
			req = (enum ccp_admin)i;
	if (req == CCP_ADMIN_NONE)
		return reply(d, 0, "unknown request: expected failover, stop, "
			     "start, down or up");
	pthread_mutex_lock(&rt->lock);
	if (rt->admin_req != CCP_ADMIN_NONE) {
		pthread_mutex_unlock(&rt->lock);
		return reply(d, 0, "another request is being carried out");
	}
	rt->admin_req = req;
	seq = ++rt->admin_seq;
	pthread_mutex_unlock(&rt->lock);
	for (waited = 0; waited < CCP_ADMIN_WAIT_MS; waited++) {
		usleep(1000);
		pthread_mutex_lock(&rt->lock);
		if (rt->admin_done == seq) {
			ok = rt->admin_ok;
			snprintf(msg, sizeof(msg), "%s", rt->admin_msg);
			pthread_mutex_unlock(&rt->lock);
			return reply(d, ok, msg);
		}
		pthread_mutex_unlock(&rt->lock);
	}
	return reply(d, 0, "the control loop did not answer within 1 s");
}

/*
 * "ID": forget what the replay check knows of member ID's run, for CCP
 * and sync frames alike, so that its next authenticated frame is taken
 * whatever its boot id (a member whose clock went back across a restart:
 * log_earlier_run). Under rt->lock, as phx_ccp_input checks.
 */
int
phx_ccp_tel_forget(struct phx_ctl *ctl, const char *params,
		   struct rte_tel_data *d)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	uint64_t id;
	char msg[160];

	if (rt == NULL)
		return reply(d, 0, "cluster is not configured");
	if (phx_ctl_parse_dec(params, PHX_CCP_MAX_MEMBERS, &id) != 0 ||
	    !is_member(rt, (uint16_t)id))
		return reply(d, 0, "usage: a member id of the cluster");
	if (id == rt->cc->member)
		return reply(d, 0, "that is this member");
	pthread_mutex_lock(&rt->lock);
	phx_ccp_replay_forget(&rt->replay, (uint16_t)id);
	phx_ccp_replay_forget(&rt->sync_replay, (uint16_t)id);
	rt->earlier_run_next[id] = 0;
	pthread_mutex_unlock(&rt->lock);
	CCP_LOG(NOTICE, "replay check: member %" PRIu64 " forgotten by the "
		"operator; its next authenticated frame sets the run followed",
		id);
	snprintf(msg, sizeof(msg), "member %" PRIu64 " forgotten: its next "
		 "authenticated frame sets the run followed", id);
	return reply(d, 1, msg);
}

/*
 * Critical devices: "register NAME TIMEOUT STATUS [persistent]",
 * "report NAME STATUS", "unregister NAME", "regfile TEXT", "regfilep
 * TEXT" (TEXT with ';' for newlines). The registry is pure; it runs here
 * under rt->lock and the control loop feeds the aggregate to the FSM.
 */
int
phx_ccp_tel_pnote(struct phx_ctl *ctl, const char *params,
		  struct rte_tel_data *d)
{
	struct phx_ccp_rt *rt = ctl->ccp;
	char buf[1024], *op, *save = NULL, *name, *a1, *a2, *a3;
	char before[PNOTE_FILE_MAX], after[PNOTE_FILE_MAX];
	struct phx_pnote_out out = { 0 };
	enum phx_pnote_status st;
	uint64_t now, gen = 0;
	uint64_t t;
	int rc, err;

	if (rt == NULL)
		return reply(d, 0, "cluster is not configured");
	if (params == NULL || strlen(params) >= sizeof(buf))
		return reply(d, 0, "usage: register|report|unregister|regfile "
			     "ARGS");
	snprintf(buf, sizeof(buf), "%s", params);
	op = strtok_r(buf, " ", &save);
	if (op == NULL)
		return reply(d, 0, "usage: register|report|unregister|regfile "
			     "ARGS");
	pthread_mutex_lock(&rt->lock);
	now = tsc_to_us(rt, rte_rdtsc());
	phx_pnote_persistent_text(rt->pn, before, sizeof(before));
	if (strcmp(op, "regfile") == 0 || strcmp(op, "regfilep") == 0) {
		static char empty[1];
		char *text = save != NULL ? save : empty, *p;

		for (p = text; *p != '\0'; p++)
			if (*p == ';')
				*p = '\n';
		rc = phx_pnote_register_file(rt->pn, text,
					     strcmp(op, "regfilep") == 0, now,
					     &out);
		if (rc >= 0)
			snprintf(out.err, sizeof(out.err),
				 "%d devices registered", rc);
	} else {
		name = strtok_r(NULL, " ", &save);
		a1 = strtok_r(NULL, " ", &save);
		a2 = strtok_r(NULL, " ", &save);
		a3 = strtok_r(NULL, " ", &save);
		rc = -EINVAL;
		snprintf(out.err, sizeof(out.err), "bad arguments for %s", op);
		if (strcmp(op, "register") == 0 && name && a1 && a2 &&
		    (a3 == NULL || strcmp(a3, "persistent") == 0)) {
			if (phx_ctl_parse_dec(a1, UINT32_MAX, &t) == 0 &&
			    phx_pnote_status_parse(a2, &st) == 0)
				rc = phx_pnote_register(rt->pn, name,
							(uint32_t)t, st,
							a3 != NULL, now, &out);
		} else if (strcmp(op, "report") == 0 && name && a1 && !a2) {
			if (phx_pnote_status_parse(a1, &st) == 0)
				rc = phx_pnote_report(rt->pn, name, st, NULL,
						      now, &out);
		} else if (strcmp(op, "unregister") == 0 && name && !a1) {
			rc = phx_pnote_unregister(rt->pn, name, &out);
		}
		if (rc == 0)
			snprintf(out.err, sizeof(out.err), "%s %s: done", op,
				 name);
	}
	pnote_out(rt, &out);
	snprintf(buf, sizeof(buf), "%s", out.err);
	/* the -p devices changed: their file, once out of the lock */
	if (rc >= 0 && phx_pnote_persistent_text(rt->pn, after,
						 sizeof(after)) >= 0 &&
	    strcmp(before, after) != 0)
		gen = ++rt->save_gen;
	pthread_mutex_unlock(&rt->lock);
	if (gen != 0 && (err = pnote_save(rt, after, gen)) != 0) {
		CCP_LOG(WARNING, "persistent critical devices not saved to "
			"%s: %s", rt->pn_path, strerror(-err));
		snprintf(buf, sizeof(buf), "%s (not kept across a restart: "
			 "%s: %s)", out.err, rt->pn_path, strerror(-err));
	}
	return reply(d, rc >= 0, buf);
}
