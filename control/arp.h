/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) and the neighbour table's life cycle, on the control lcore.
 *
 * State per neighbour, kept here in an array indexed by the dataplane's
 * neighbour position (the MAC the workers use lives in the dataplane):
 *
 *   INCOMPLETE --reply--> REACHABLE --reachable_s--> STALE --used--> PROBE
 *       |                     ^   ^                    |                |
 *       | retries exhausted   |   +------- reply ------+----------------+
 *       v                     |                 unused for reachable_s, |
 *    FAILED --hold-down--> (removed) <--------- or no answer to retries-+
 *
 * Workers keep using the MAC in STALE and PROBE; held packets exist only
 * in INCOMPLETE.
 */
#ifndef PHX_CTL_ARP_H
#define PHX_CTL_ARP_H

#include <pthread.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "lib/config.h"

struct phx_dp;
struct phx_dp_stats;

enum phx_neigh_state {
	PHX_NEIGH_FREE = 0,
	PHX_NEIGH_INCOMPLETE,
	PHX_NEIGH_REACHABLE,
	PHX_NEIGH_STALE,
	PHX_NEIGH_PROBE,
	PHX_NEIGH_FAILED,
	PHX_NEIGH_DEAD,      /* deleted, position awaiting RCU reclaim */
	PHX_NEIGH_STATE_MAX
};

extern const char *const phx_neigh_state_names[PHX_NEIGH_STATE_MAX];

#define PHX_ARP_SEEN 8        /* recent ARP senders kept per port */
#define PHX_ARP_SWEEP 254     /* subnet addresses probed at most */
#define PHX_ARP_PROBE_MAX 64  /* requests per probe round at most */

struct phx_neigh_entry {
	uint32_t ip;                 /* [C] network order */
	uint16_t port;               /* [C] port index it was learned on */
	uint8_t state;               /* [C] enum phx_neigh_state */
	uint8_t tries;               /* [C] requests sent in this round */
	uint16_t n_held;             /* [C] packets in held[] */
	struct rte_ether_addr mac;   /* [C] last MAC heard */
	bool unsol;                  /* [C] created from an ARP frame, not
				      * for a next hop (arp->n_unsol) */
	uint64_t confirmed_tsc;      /* [C] last reply/request from it */
	uint64_t next_tsc;           /* [C] next timer action */
	struct rte_mbuf **held;      /* [C] hold_packets slots */
};

struct phx_arp {
	struct phx_dp *dp;
	struct phx_dp_stats *st;     /* control's counter block */
	unsigned cap;                /* entries (= neighbour positions) */
	struct phx_neigh_entry *e;
	struct rte_mbuf **hold_store;
	uint64_t hz;                 /* TSC ticks per second */
	uint64_t reachable_tsc, retry_tsc;
	unsigned hold_max, retries;
	unsigned held_total;         /* packets held, all entries */
	unsigned n_unsol;            /* entries with .unsol set ... */
	unsigned unsol_max;          /* ... at most: half the table, so that
				      * hosts asking for our addresses (or
				      * one host claiming to be many) cannot
				      * take the room next hops need */
	unsigned held_cap;           /* ... at most: an eighth of the mbuf
				      * pool (a scan of a /16 must not hold
				      * the pool empty) */
	pthread_mutex_t lock;        /* held by control while it changes
				      * entries; by telemetry while reading */
	/* Cluster VIPs (SPEC MODE-12, FAIL-20): answered only while this
	 * member owns them; never learned as neighbours. */
	bool vips_on;                /* [C] */
	bool vmac_set;               /* [C] answer with vmac[] */
	struct rte_ether_addr vmac[PHX_CFG_MAX_PORTS]; /* [C] per port */
	/* Interface probing (SPEC CCP-30, phx_arp_probe()), per port. */
	struct {
		uint64_t rx_tsc;     /* [C] last ARP frame received */
		uint64_t reply_tsc;  /* [C] last ARP reply to one of our
				      * addresses: our requests go out and
				      * the answers come back */
		uint32_t seen[PHX_ARP_SEEN];  /* [C] recent senders, net
					       * order (not necessarily
					       * neighbours: a standby
					       * learns few) */
		unsigned seen_next;  /* [C] next slot of seen[] */
		unsigned ncur;       /* [C] neighbour entry to look at next */
		unsigned scur;       /* [C] seen[] slot to ask next */
		uint32_t sweep;      /* [C] subnet host to ask next */
	} probe[PHX_CFG_MAX_PORTS];
};

struct phx_arp *phx_arp_create(struct phx_dp *dp);
void phx_arp_free(struct phx_arp *arp);
/* An ARP frame from a worker. Consumes m. */
void phx_arp_input(struct phx_arp *arp, struct rte_mbuf *m, uint64_t now);
/* A routed packet waiting for its next hop. Consumes m. */
void phx_arp_hold(struct phx_arp *arp, struct rte_mbuf *m, uint64_t now);
/* Retries, ageing, expiry. Call every few milliseconds. */
void phx_arp_timer(struct phx_arp *arp, uint64_t now);
/* Gratuitous ARP for every address of every port (RFC 5227 announce). */
void phx_arp_announce(struct phx_arp *arp);
/* Own (on) or release the cluster VIPs: answer ARP for them with the
 * port's MAC, or with vmac[port] when vmac is not NULL (VMAC mode). */
void phx_arp_set_vips(struct phx_arp *arp, bool on,
		      const struct rte_ether_addr *vmac);
/* One gratuitous ARP (announcement, sip = tip = ip, network order) for a
 * VIP on port pidx, from the MAC ARP answers it with (FAIL-20). */
void phx_arp_garp(struct phx_arp *arp, uint16_t pidx, uint32_t ip);
/*
 * Interface probe (SPEC CCP-30): ARP requests from our address on port
 * pidx to up to max (at most PHX_ARP_PROBE_MAX) hosts of its first
 * subnet: at most a quarter from the neighbours learned there, then
 * recent ARP senders heard there up to half of max, the rest (at least
 * half) from the subnet's addresses (the first PHX_ARP_SWEEP), each in
 * turn from round to round;
 * never our own addresses or VIPs. An answer shows that the port can
 * send and receive: phx_arp_reply_tsc(). Returns the number of requests
 * sent.
 */
unsigned phx_arp_probe(struct phx_arp *arp, uint16_t pidx, unsigned max);
/* TSC of the last ARP reply to one of our addresses on port pidx, and of
 * the last ARP frame of any kind received there (0: none yet). */
uint64_t phx_arp_reply_tsc(struct phx_arp *arp, uint16_t pidx);
uint64_t phx_arp_rx_tsc(struct phx_arp *arp, uint16_t pidx);

#endif /* PHX_CTL_ARP_H */
