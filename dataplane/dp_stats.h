/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore counter block (STYLE 3.8). One X-macro list generates the enum
 * and the name table; every worker and the control lcore own one block
 * each ([W] / [C]: single writer, naturally aligned uint64_t, plain
 * increments), and readers (telemetry threads) sum them. Drop reasons are a
 * second array in the same block, indexed by enum phx_drop_reason.
 *
 * Counters are monotonic and never reset; `phx` computes deltas.
 * docs/counters.md describes each one; keep it in step with this list.
 */
#ifndef PHX_DP_STATS_H
#define PHX_DP_STATS_H

#include <stdint.h>

#include <rte_common.h>

#include "lib/drop_reason.h"

#define PHX_DP_COUNTERS(X)                                                     \
	X(RX_PKTS, rx_pkts)             /* [W] frames received */               \
	X(RX_BYTES, rx_bytes)           /* [W] bytes received (L2) */           \
	X(TX_PKTS, tx_pkts)             /* [W] frames the NIC accepted */       \
	X(FWD_PKTS, fwd_pkts)           /* [W] IPv4 packets routed to a port */ \
	X(LOCAL_PKTS, local_pkts)       /* [W] IPv4 packets for a member address */ \
	X(ICMP_ECHO_REPLIES, icmp_echo_replies) /* [W] echo replies sent */     \
	X(ICMP_ERRORS_SENT, icmp_errors_sent)   /* [W] time-exceeded/unreachable sent */ \
	X(ICMP_ERRORS_RATELIMITED, icmp_errors_ratelimited) /* [W] not sent: rate limit */ \
	X(ARP_TO_CTL, arp_to_ctl)       /* [W] ARP frames passed to control */  \
	X(CCP_TO_CTL, ccp_to_ctl)       /* [W] CCP/sync frames (UDP 8116) passed to control */ \
	X(NEIGH_MISS, neigh_miss)       /* [W] packets passed to control to wait for ARP */ \
	X(CTL_TX_PKTS, ctl_tx_pkts)     /* [W] frames sent on control's behalf */ \
	X(IDLE_SLEEPS, idle_sleeps)     /* [W] idle sleeps taken */              \
	X(BUSY_TSC, busy_tsc)           /* [W] TSC cycles in loops that had packets */ \
	X(SESS_CREATED, sess_created)   /* [W] sessions created by a rule */    \
	X(SESS_INSTALLED, sess_installed) /* [W] sessions installed from outside */ \
	X(SESS_EXPIRED, sess_expired)   /* [W] removed: idle past their timeout */ \
	X(SESS_CLOSED, sess_closed)     /* [W] removed: TCP reopened, flushed */ \
	X(SESS_REVOKED, sess_revoked)   /* [W] removed: reloaded policy denies them */ \
	X(SESS_RECHECKED, sess_rechecked) /* [W] re-checked against a new policy */ \
	X(SYNC_EVENTS, sync_events)     /* [W] session events queued for sync */ \
	X(SYNC_EVENTS_LOST, sync_events_lost) /* [W] events lost: ring full */ \
	X(SYNC_REFRESH, sync_refresh)   /* [W] lifetime refresh UPD events queued */ \
	X(SYNC_DELAYED, sync_delayed)   /* [W] new sessions put on the sync delay queue */ \
	X(SYNC_DELAY_OVERFLOW, sync_delay_overflow) /* [W] delay queue full: synced at once */ \
	X(SESS_SYNC_DELETED, sess_sync_deleted) /* [W] removed by a sync delete, or replaced by an install */ \
	X(SESS_INSTALL_FAILED, sess_install_failed) /* [W] installs refused: table full, key conflict, SNAT port unsharable */ \
	X(SESS_RESYNC_PURGED, sess_resync_purged) /* [W] removed after a resync that did not bring them */ \
	X(SESS_CLEARED, sess_cleared)   /* [W] removed by the operator (phx conn --clear) */ \
	X(HANDOFF_TX, handoff_tx)       /* [W] packets handed to the owning worker */ \
	X(HANDOFF_RX, handoff_rx)       /* [W] packets received by handoff */    \
	X(TCP_RST_SENT, tcp_rst_sent)   /* [W] RSTs sent by reject */            \
	X(TCP_RST_UNVERIFIED, tcp_rst_unverified) /* [W] RSTs passed without closing (SPEC SI-04) */ \
	X(TCP_PORT_REUSE, tcp_port_reuse) /* [W] SYNs on ESTABLISHED that reopened a trusted port's session */ \
	X(FRAG_REASSEMBLED, frag_reassembled) /* [W] datagrams reassembled from fragments */ \
	X(FRAG_TX, frag_tx)             /* [W] fragments sent (datagrams above the egress MTU or a reassembled datagram's fragment size) */ \
	X(ARP_REQUESTS_RX, arp_requests_rx)   /* [C] ARP requests received */   \
	X(ARP_REPLIES_RX, arp_replies_rx)     /* [C] ARP replies received */    \
	X(ARP_REPLIES_TX, arp_replies_tx)     /* [C] ARP replies sent */        \
	X(ARP_REQUESTS_TX, arp_requests_tx)   /* [C] ARP requests sent */       \
	X(NEIGH_LEARNED, neigh_learned)       /* [C] neighbour entries created */ \
	X(NEIGH_NOT_LEARNED, neigh_not_learned) /* [C] requesters not learned:  \
						 * their share is full */      \
	X(NEIGH_UPDATED, neigh_updated)       /* [C] neighbour MAC changes */    \
	X(NEIGH_EXPIRED, neigh_expired)       /* [C] entries removed (no answer/unused) */ \
	X(NEIGH_HELD, neigh_held)             /* [C] packets queued for resolution */ \
	X(NEIGH_RELEASED, neigh_released)     /* [C] held packets sent after resolution */

enum phx_dp_counter {
#define PHX_DP_CNT_ENUM_(e, n) PHX_CNT_##e,
	PHX_DP_COUNTERS(PHX_DP_CNT_ENUM_)
#undef PHX_DP_CNT_ENUM_
	PHX_CNT_MAX
};

struct phx_dp_stats {
	uint64_t cnt[PHX_CNT_MAX];    /* [W]/[C] by owner; monotonic */
	uint64_t drop[PHX_DROP_MAX];  /* [W]/[C] by owner; monotonic */
} __rte_cache_aligned;

/* Counter name ("rx_pkts"). */
const char *phx_dp_counter_name(enum phx_dp_counter c);

#endif /* PHX_DP_STATS_H */
