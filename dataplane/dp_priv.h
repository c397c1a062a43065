/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dataplane internals shared by the files of dataplane/ only.
 *
 * Ordering rules (one place, pf pfvar_priv.h style):
 *   [I] immutable after phx_dp_create();
 *   [W] written by the owning worker only;
 *   [C] written by the control lcore only;
 *   [A] written with atomics, read by others without locks.
 * The neighbour table is a single-writer (control) lock-free rte_hash
 * (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF); a deleted key's position is
 * freed only after a liburcu QSBR grace period, and workers announce a
 * quiescent state once per loop (go offline while they sleep).
 */
#ifndef PHX_DP_PRIV_H
#define PHX_DP_PRIV_H

#include <assert.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_ip_frag.h>
#include <rte_log.h>
#include <rte_lpm.h>
#include <rte_ring.h>
#include <rte_seqcount.h>

#include "dataplane/dp_api.h"
#include "dataplane/policy.h"
#include "dataplane/session.h"
#include "lib/flow_key.h"
#include "lib/nat_pool.h"
#include "lib/pkt_meta.h"
#include "phx_config.h"

#define PHX_BURST 32
/*
 * Session lookups per rte_hash_lookup_bulk_data() call: a burst is looked
 * up in halves, and each half's records are prefetched before the next
 * half's lookup, so those record misses are served while rte_hash waits
 * for the next buckets, instead of after (docs/performance.md: 418 -> 358
 * cycles/packet at 1 M sessions; chunks of 8 gave 437, of 4 worse than 32).
 */
#define PHX_LOOKUP_CHUNK 16

extern int phx_logtype_dp;
/* Copy the value of key=... from a vdev argument string ("net_af_packet0,
 * iface=in0,qpairs=2") into out; false when absent or too long. */
bool phx_dp_devarg(const char *device, const char *key, char *out,
		   size_t len);

#define PHX_LOG_DP(level, ...) \
	rte_log(RTE_LOG_##level, phx_logtype_dp, "phx.dp: " __VA_ARGS__)

/* Next hop as the routing table returns it (rte_lpm next hop = index). */
enum phx_nh_kind {
	PHX_NH_FWD = 0,     /* route out of port; gw or the destination itself */
	PHX_NH_LOCAL = 1,   /* one of our addresses */
	PHX_NH_BCAST = 2,   /* directed broadcast of a connected subnet */
	PHX_NH_VIP = 3,     /* a cluster VIP: ours like LOCAL while the member
			     * forwards, not ours while it does not */
};

struct phx_nh {
	uint32_t gw;        /* [I] network order; 0 = destination is on-link */
	uint16_t port;      /* [I] port index */
	uint8_t kind;       /* [I] enum phx_nh_kind */
};

#define PHX_NH_MAX (PHX_CFG_MAX_ROUTES + PHX_CFG_MAX_PORTS * PHX_CFG_MAX_ADDRS * 3 + \
		    PHX_CFG_MAX_VIPS)

/* Neighbour entry as workers see it: the MAC published by control. */
struct phx_neigh_slot {
	uint64_t mac;       /* [A] MAC in the low 48 bits (wire order bytes),
			     * bit 63 set when valid; 0 = unresolved: ask
			     * control; PHX_NEIGH_DROP | reason: unresolved
			     * and control would drop the packet anyway */
	uint8_t used;       /* [A] set by workers on use, cleared by control */
};

#define PHX_NEIGH_VALID (1ULL << 63)
#define PHX_NEIGH_DROP  (1ULL << 62) /* low byte: enum phx_drop_reason */
#define PHX_IFNAMSIZ 16 /* IFNAMSIZ of <net/if.h>, which we keep out of here */
#define PHX_VMAC_VALID (1ULL << 63)
#define PHX_SYNC_BLOCK_ON 0x100

/* Source NAT addresses: every member address and every VIP. */
#define PHX_NAT_ADDR_MAX (PHX_CFG_MAX_PORTS * PHX_CFG_MAX_ADDRS + PHX_CFG_MAX_VIPS)
static_assert(PHX_NAT_ADDR_MAX <= 256, "phx_rule_rt.pool is a uint8_t");

enum phx_conn_req_kind {
	PHX_REQ_PAGE = 0,                 /* phx_dp_conn_page */
	PHX_REQ_DIGEST = 1,               /* phx_dp_shard_digest */
	PHX_REQ_CLEAR = 2,                /* phx_dp_clear */
};

/* What a digest request gets back. */
struct phx_digest_out {
	uint64_t sum;
	uint32_t n;
};

/* One outstanding session-dump request per worker (telemetry -> worker).
 * The requester fills kind/from/f/out (or dig), then bumps seq; the
 * worker answers between two bursts (a page at once, a digest over
 * several loops) and sets done = seq. */
struct phx_conn_req {
	uint32_t seq;                     /* [A] requester */
	uint32_t done;                    /* [A] worker */
	uint32_t kind;                    /* enum phx_conn_req_kind, before
					   * seq */
	uint32_t from;                    /* requester, before seq */
	struct phx_conn_filter f;         /* requester, before seq */
	/* The answers live here, not in the requester's memory: one that
	 * comes after the requester gave up lands in a buffer that still
	 * exists. The requester copies them out once done == its seq. */
	struct phx_conn_page page;        /* worker (PAGE) */
	struct phx_digest_out dig;        /* worker (DIGEST; CLEAR: n is
					   * the sessions removed) */
};

/* A session waiting for its sync delay (SPEC SYNC-55/56). */
struct phx_sync_delay {
	uint64_t due_tsc;                 /* sync at or after this TSC */
	uint32_t idx;                     /* its slot in the shard */
	uint32_t gen;                     /* delay_gen[idx] when pushed: the
					   * slot may hold another session by
					   * then, even one with the same key
					   * (closed and reopened) */
};
static_assert(sizeof(struct phx_sync_delay) == 16, "delay queue entry");

/* Refresh epoch (worker.c): a session carrying traffic is refreshed on
 * the standby at most once per this many seconds. */
#define PHX_SYNC_REFRESH_S 4
/* Messages a worker applies per loop (dp_api.h, drain in bursts). */
#define PHX_MSG_BUDGET 256
/* Shard slots a dump chunk or a digest loop scans at most. */
#define PHX_SCAN_BUDGET 65536
/* Slots an operator's clear scans per loop (phx_dp_clear): fewer than a
 * scan, since every match is a hash delete and a DEL event. */
#define PHX_CLEAR_BUDGET 4096

/* A worker's loop counter, bumped every loop iteration (idle sleeps
 * included) and read by control to find a stalled worker. Alone in its
 * cache line, so that control's reads never pull a line the worker writes
 * per packet. */
struct phx_worker_hb {
	uint64_t n;                       /* [A] worker writes, control reads:
					   * +1 at the start of every loop */
	uint32_t idle;                    /* [A] 1 while it sleeps (between
					   * loops, no burst in progress) */
} __rte_cache_aligned;

/* VIPs per port the dataplane picks a source address from (ADDR-52). */
#define PHX_DP_PORT_VIPS 4

/* Drop reasons the workers sample for control's log (phx_dp_drop_sample):
 * index 0 tcp_not_syn (SPEC SI-03), 1 tcp_syn_established (SI-04). */
#define PHX_DP_SAMPLED_DROPS 2
static inline int
phx_dp_sampled_drop(enum phx_drop_reason r)
{
	return r == PHX_DROP_TCP_NOT_SYN ? 0 :
	       r == PHX_DROP_TCP_SYN_ESTABLISHED ? 1 : -1;
}

/* A worker's latest packet of one sampled drop reason. */
struct phx_dp_sample_slot {
	rte_seqcount_t sc;                /* [A] 0: no sample yet */
	struct phx_dp_drop_sample s;      /* [W] written under sc */
};

struct phx_worker {
	unsigned idx;                     /* [I] worker index */
	unsigned lcore;                   /* [I] lcore it runs on */
	bool launched;                    /* [C] running on lcore: phx_dp_stop
					   * waits for it (lcore 0 may be a
					   * worker's) */
	uint16_t queue;                   /* [I] RX/TX queue on every port */
	struct phx_dp *dp;                /* [I] */
	struct rte_ring *to_ctl;          /* [I] SP (this worker) / SC (control) */
	struct rte_ring *ctl_tx;          /* [I] SP (control) / SC (this worker) */
	uint64_t icmp_tokens;             /* [W] ICMP error budget, tokens */
	uint64_t icmp_last_tsc;           /* [W] last refill */
	uint32_t nc_ip;                   /* [W] neighbour cache: next hop */
	int32_t nc_pos;                   /* [W] its position, -1 = empty;
					   * valid within one burst */
	struct rte_eth_dev_tx_buffer *txb[PHX_CFG_MAX_PORTS]; /* [W] per port */
	struct phx_dp_vlan_stats vstats[PHX_CFG_MAX_PORTS]; /* [W] each VLAN
					   * sub-interface's own traffic (the
					   * device's counters are its
					   * parent's) */
	struct phx_pkt_meta meta[PHX_BURST]; /* [W] burst scratch: parsed
					      * IPv4 packets in order */
	struct phx_flow_key keys[PHX_BURST]; /* [W] burst scratch: their keys */
	struct phx_flow_key ckeys[PHX_BURST]; /* [W] the same, canonical form */
	const struct phx_policy *pol;     /* [W] policy for the current loop
					   * (rcu_dereference once per loop) */
	struct phx_shard *shard;          /* [W] this worker's sessions */
	struct rte_ring *handoff;         /* [I] MP (other workers) / SC (us):
					   * packets of our sessions that
					   * landed elsewhere */
	struct rte_ip_frag_tbl *frag_tbl; /* [W] datagrams being reassembled
					   * (NULL: fragments are dropped) */
	struct rte_ip_frag_death_row frag_dr; /* [W] their mbufs to free */
	uint8_t ho_kind;                  /* [W] enum phx_ho_kind of the
					   * packet being processed */
	uint8_t ho_from;                  /* [W] worker that handed it over */
	uint16_t ho_cand;                 /* [W] its reverse DNAT entry */
	struct rte_ring *sync_ev;         /* [I] SP (us) / SC (control):
					   * session events for sync */
	struct rte_ring *msg;             /* [I] SP (control) / SC (us):
					   * install/flush requests */
	struct phx_nat_pool *nat_pool[PHX_NAT_ADDR_MAX]; /* [W] SNAT ports per
					   * member address */
	uint64_t hits_gen;                /* [W] policy generation of hits[] */
	uint64_t hits[PHX_CFG_MAX_RULES]; /* [W] rule hits since that policy */
	struct phx_conn_req dump;         /* [A] session dump request slot */
	struct phx_digest_out dig_acc;    /* [W] digest being computed, or
					   * sessions cleared so far */
	uint32_t dig_pos;                 /* [W] its cursor (DIGEST, CLEAR) */
	struct phx_conn_filter clear_f;   /* [W] the CLEAR request's filter,
					   * copied when it begins */
	uint32_t purge_pos;               /* [W] resync purge cursor */
	bool purge_on;                    /* [W] a purge scan runs */
	bool purge_marked;                /* [W] a MARK since the last PURGE */
	uint8_t purge_from, purge_to;     /* [W] epochs of the resync */
	bool emit;                        /* [W] sync events allowed: the
					   * member forwards (read once per
					   * burst and once per loop) */
	uint8_t epoch;                    /* [W] refresh epoch of this loop:
					   * now / PHX_SYNC_REFRESH_S, low
					   * byte */
	uint32_t dig_seq;                 /* [W] request it belongs to */
	uint32_t dig_kind;                /* [W] and its kind (a withdrawn
					   * request's seq may come back with
					   * another kind) */
	uint16_t msg_n, msg_i;            /* [W] msgs[] dequeued / applied;
					   * msgs[msg_i] may be a dump that
					   * waits for room in sync_ev */
	struct phx_dp_msg msgs[PHX_BURST]; /* [W] */
	/* session events staged for sync_ev, enqueued a burst at a time:
	 * one ring tail update (a cache line control also reads) per
	 * burst instead of per event */
	uint16_t n_evq;                   /* [W] */
	struct phx_sess_event evq[PHX_BURST]; /* [W] */
	struct phx_sync_delay *delay_q;   /* [W] FIFO of delayed sessions */
	uint32_t delay_mask;              /* [I] its size - 1 (power of 2) */
	uint32_t *delay_gen;              /* [W] per shard slot: delayed
					   * sessions it has held */
	uint32_t delay_head, delay_tail;  /* [W] free-running indexes */
	struct phx_dp_sample_slot drop_sample[PHX_DP_SAMPLED_DROPS];
	struct phx_worker_hb hb;          /* [A] liveness, own cache line */
	struct phx_dp_stats stats;        /* [W] */
} __rte_cache_aligned;

/* The symmetric Toeplitz key, 0x6D5A repeated (DESIGN invariant 6), long
 * enough for every NIC's key (40 bytes for most, 52 for i40e and ice);
 * port.c. */
#define PHX_DP_RSS_KEY_MAX 64
extern const uint8_t phx_dp_rss_key[PHX_DP_RSS_KEY_MAX];

/* Largest RSS redirection table read from a device (ice: 2048). */
#define PHX_DP_RETA_MAX 2048

/*
 * RCU grace periods waited for off the control lcore (grace.c). [G]: under
 * lock. A worker stopped by a bug or a debugger never passes a quiescent
 * state; synchronize_rcu() on the control lcore would wait for it for
 * ever, and with it the heartbeats, ARP and telemetry that let the
 * cluster fail this member over.
 */
struct phx_grace {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thr;
	bool running;                   /* the thread exists (joined at
					 * phx_dp_free) */
	bool stop;                      /* [G] end once nothing is pending */
	uint64_t req;                   /* [G] tickets handed out */
	uint64_t done;                  /* [A] last ticket whose grace period
					 * ended (the thread stores) */
	struct phx_policy *pols;        /* [G] to free after their ticket */
};

struct phx_dp {
	const struct phx_config *cfg;           /* [I] */
	unsigned nb_workers;                    /* [I] */
	unsigned nb_ports;                      /* [I] */
	struct phx_dp_port_info ports[PHX_CFG_MAX_PORTS]; /* [I] */
	struct {
		uint32_t ip, mask;              /* network order */
	} port_vip[PHX_CFG_MAX_PORTS][PHX_DP_PORT_VIPS]; /* [I] a port's
						 * VIPs, in list order: source
						 * of what the active member
						 * sends (ADDR-52) */
	uint8_t nb_port_vips[PHX_CFG_MAX_PORTS]; /* [I] */
	int16_t port_idx[RTE_MAX_ETHPORTS];     /* [I] DPDK port id -> index of
						 * its physical port, -1 */
	uint8_t *vlan_map[PHX_CFG_MAX_PORTS];   /* [I] of a physical port with
						 * VLAN sub-interfaces: VLAN id
						 * -> sub-interface index + 1,
						 * 0 = none; NULL: no
						 * sub-interfaces */
	struct rte_mempool *pool;               /* [I] */
	unsigned ev_next;                       /* [C] first worker whose
						 * events the next drain
						 * takes */
	unsigned ctl_next;                      /* [C] first worker whose
						 * to_ctl ring the next
						 * phx_dp_ctl_rx_burst reads */
	struct rte_mempool *pool_ind;           /* [I] indirect mbufs for
						 * fragmentation */
	uint64_t reasm_flag;                    /* [I] ol_flags bit: a
						 * reassembled datagram */
	struct rte_lpm *lpm;                    /* [I] routes, connected and local */
	unsigned nb_nh;                         /* [I] */
	struct phx_nh nh[PHX_NH_MAX];           /* [I] */
	struct rte_hash *neigh;                 /* [C] writer, [W] readers */
	struct phx_neigh_slot *neigh_slots;     /* [A] indexed by position */
	unsigned neigh_cap;                     /* [I] */
	int32_t *neigh_dead;                    /* [C] positions deleted ... */
	unsigned neigh_nb_dead;                 /* [C] */
	int32_t *neigh_wait;                    /* [C] ... and those waiting
						 * for neigh_ticket's grace
						 * period to be freed */
	unsigned neigh_nb_wait;                 /* [C] */
	uint64_t neigh_ticket;                  /* [C] */
	struct phx_grace grace;
	uint64_t icmp_burst;                    /* [I] ICMP token bucket depth */
	uint64_t icmp_tsc_per_token;            /* [I] 0 = ICMP errors disabled */
	volatile bool stop;                     /* [C] set to end worker loops */
	uint32_t idle_cap_us;                   /* [A] control sets, workers
						 * read before an idle sleep:
						 * the longest one (0 = no cap;
						 * lib/idle_sleep.h) */
	uint32_t fwd;                           /* [A] control release-stores,
						 * workers acquire-load once per
						 * burst: 0 = the member is not
						 * forwarding (cluster standby,
						 * SPEC MODE-12); always 1
						 * standalone */
	bool cluster;                           /* [I] cfg->cluster.enabled:
						 * UDP 8116 goes to control */
	uint64_t vmac[PHX_CFG_MAX_PORTS];       /* [A] control writes, workers
						 * read: a second unicast MAC a
						 * port accepts (SPEC 5.5), in
						 * the low 48 bits (wire order)
						 * with PHX_VMAC_VALID; 0 =
						 * none */
	bool started;                           /* [C] */
	struct phx_worker *workers;             /* [I] array of nb_workers */
	struct phx_policy *policy;              /* [R] current policy; control
						 * swaps it, workers read it
						 * once per loop */
	pthread_mutex_t policy_lock;            /* [C] held while publishing;
						 * telemetry reads under it */
	unsigned nb_nat_addr;                   /* [I] */
	uint32_t nat_addr[PHX_NAT_ADDR_MAX];    /* [I] member addresses, then
						 * VIPs: usable for source NAT,
						 * net order */
	uint16_t reta[PHX_DP_RETA_MAX];         /* [I] RSS redirection table of
						 * the ports (queue per entry) */
	uint16_t reta_size;                     /* [I] 0 = one queue, no RSS */
	bool soft_spread;                       /* [I] several workers, and a
						 * port spreads its packets in
						 * a way phalanx cannot
						 * reproduce (no RSS table:
						 * af_packet's kernel fanout):
						 * a packet without a session
						 * goes to its tuple's worker
						 * (worker.c, reply_owner) */
	uint32_t rss_key_be[10];                /* [I] rte_convert_rss_key() */
	uint64_t pickup_until_tsc;              /* [I] TCP mid-stream pickup
						 * allowed before this TSC
						 * (sessions.pickup_grace_s) */
	pthread_mutex_t dump_lock;              /* serialises dump requests */
	uint32_t sync_block;                    /* [A] control stores, workers
						 * load once per burst: 0 = new
						 * connections allowed, else
						 * PHX_SYNC_BLOCK_ON | the
						 * allowed protocols */
	uint64_t refresh_tsc;                   /* [I] PHX_SYNC_REFRESH_S in
						 * TSC ticks */
	unsigned nb_bcast;                      /* [I] */
	uint32_t bcast[PHX_CFG_MAX_PORTS * PHX_CFG_MAX_ADDRS]; /* [I]
						 * directed broadcasts of the
						 * ports' subnets, net order */
	struct rte_ether_addr vmac_addr[PHX_CFG_MAX_PORTS]; /* [C] the VMAC
						 * of each port (vmac[] != 0) */
	bool vmac_hw[PHX_CFG_MAX_PORTS];        /* [C] it was added to the
						 * device too */
	struct rte_ether_addr mcast_addr[PHX_CFG_MAX_PORTS]; /* [C] group
						 * MAC each port must receive
						 * (phx_dp_port_mcast) ... */
	bool mcast_on[PHX_CFG_MAX_PORTS];       /* [C] ... when set */
	char ifname[PHX_CFG_MAX_PORTS][PHX_IFNAMSIZ]; /* [I] kernel
						 * interface of an af_packet or
						 * af_xdp port (its iface=
						 * argument); "" otherwise */
	int link_sock;                          /* [C] socket for
						 * SIOCGIFFLAGS; -1 = none */
	struct phx_dp_stats ctl_stats;          /* [C] control lcore's block */
};

int phx_dp_worker_loop(void *arg);
/* rte_eth_tx_buffer error callback: count tx_full and free. */
void phx_dp_tx_buffer_error(struct rte_mbuf **unsent, uint16_t count,
			    void *userdata);

/* Parse-and-route one burst received on port index pidx by worker w.
 * Exposed for the benchmark and tests that drive the pipeline without a
 * queue. Consumes every mbuf. */
void phx_dp_process_burst(struct phx_worker *w, uint16_t pidx,
			  struct rte_mbuf **pkts, uint16_t n, uint64_t now);

/* Port bring-up (dataplane/port.c). */
int phx_dp_ports_init(struct phx_dp *dp, struct phx_cfg_errors *errs);
void phx_dp_ports_close(struct phx_dp *dp);

/* Policy (dataplane/classify_build.c), [C]. */
struct phx_policy *phx_dp_policy_build(struct phx_dp *dp,
				       const struct phx_config *cfg,
				       uint64_t gen, char *err, size_t errlen);
void phx_dp_policy_free(struct phx_policy *pol);

/* Routing table (dataplane/fib.c). */
int phx_dp_fib_init(struct phx_dp *dp);

/* Cluster membership state (dataplane/cluster.c), [C]: the forwarding
 * gate's initial value (standby in a cluster), kernel interface names
 * and the socket for link flags; fini closes the socket. */
void phx_dp_cluster_init(struct phx_dp *dp);
void phx_dp_cluster_fini(struct phx_dp *dp);

static inline uint64_t
phx_mac_to_u64(const struct rte_ether_addr *a)
{
	uint64_t v = 0;

	memcpy(&v, a->addr_bytes, RTE_ETHER_ADDR_LEN);
	return v;
}

/* The source MAC of frames forwarded out of port idx: its VMAC while
 * it has one (SPEC ADDR-40), else its own (phx_dp_fwd_src_mac). */
static inline void
phx_fwd_src_mac(const struct phx_dp *dp, unsigned idx,
		struct rte_ether_addr *mac)
{
	uint64_t vm = __atomic_load_n(&dp->vmac[idx], __ATOMIC_RELAXED);

	if (likely(vm == 0))
		rte_ether_addr_copy(&dp->ports[idx].mac, mac);
	else    /* the MAC is vm's first six bytes (phx_mac_to_u64) */
		memcpy(mac->addr_bytes, &vm, RTE_ETHER_ADDR_LEN);
}

/* grace.c: RCU grace periods off the control lcore. */
int phx_dp_grace_init(struct phx_dp *dp);
void phx_dp_grace_fini(struct phx_dp *dp);
/* A ticket: phx_dp_grace_done(dp, t) once every worker has passed a
 * quiescent state (or slept) after this call. Never blocks. */
uint64_t phx_dp_grace_start(struct phx_dp *dp);
bool phx_dp_grace_done(struct phx_dp *dp, uint64_t ticket);
/* pol, no longer current, is freed after a grace period. */
void phx_dp_grace_free_policy(struct phx_dp *dp, struct phx_policy *pol);

#endif /* PHX_DP_PRIV_H */
