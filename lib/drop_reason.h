/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every packet phalanx does not forward or consume is counted under exactly
 * one reason from this list (DESIGN invariant 4; pf PFRES_* / VPP
 * foreach_acl_fa_error). One X-macro generates the enum and the name table,
 * so adding a reason is one line here plus one line in docs/counters.md.
 *
 *   X(ENUM_SUFFIX, counter_name, "one-line description for operators")
 *
 * Counter names are stable: they are the telemetry keys and what the
 * `phx pstat` table prints; never rename one, only add.
 */
#ifndef PHX_LIB_DROP_REASON_H
#define PHX_LIB_DROP_REASON_H

#define PHX_DROP_REASONS(X)                                                    \
	/* --- frame / header validation (lib/pkt_parse) --- */                 \
	X(L2_TRUNCATED, l2_truncated, "frame shorter than an Ethernet header")  \
	X(VLAN_TAGGED, vlan_tagged, "802.1Q/802.1ad tagged frame on a port without VLAN sub-interfaces, or tagged twice") \
	X(ETHERTYPE, ethertype_unsupported, "EtherType is neither IPv4 nor ARP") \
	X(IPV6, ipv6_unsupported, "IPv6 frame (IPv6 is not forwarded yet)")     \
	X(ARP_MALFORMED, arp_malformed, "ARP that is truncated or not Ethernet/IPv4, or a request for us from a broadcast, multicast or zero MAC") \
	X(IPV4_TRUNCATED, ipv4_truncated, "frame ends inside the IPv4 header")  \
	X(IPV4_BAD_VERSION, ipv4_bad_version, "IPv4 EtherType but version != 4") \
	X(IPV4_BAD_IHL, ipv4_bad_ihl, "IPv4 header length below 20 bytes")     \
	X(IPV4_BAD_LEN, ipv4_bad_len, "IPv4 total length below the header or beyond the frame") \
	X(IPV4_BAD_CSUM, ipv4_bad_csum, "IPv4 header checksum is wrong")        \
	X(IPV4_OPTIONS, ipv4_options, "IPv4 header carries options (not forwarded)") \
	X(IPV4_FRAGMENT, ipv4_fragment, "IPv4 fragment, and no reassembly table (out of memory at start)") \
	X(IPV4_MARTIAN_SRC, ipv4_martian_src, "source is 0/8, 127/8, multicast or broadcast (a connected subnet's too: new flows, packets to us)") \
	X(IPV4_MARTIAN_DST, ipv4_martian_dst, "destination is 0/8, 127/8, multicast or broadcast") \
	X(L4_TRUNCATED, l4_truncated, "packet ends inside the TCP/UDP/ICMP header") \
	X(TCP_BAD_DOFF, tcp_bad_doff, "TCP data offset below 20 bytes or beyond the packet") \
	X(UDP_BAD_LEN, udp_bad_len, "UDP length disagrees with the IPv4 length") \
	X(TCP_BAD_FLAGS, tcp_bad_flags, "impossible TCP flag combination (SYN+FIN, SYN+RST, none, FIN without ACK)") \
	X(TCP_BAD_OPTIONS, tcp_bad_options, "TCP options run past the header") \
	X(ICMP_BAD_QUOTE, icmp_bad_quote, "ICMP error quoting no complete IPv4 header + 8 bytes, or reassembled larger than a buffer") \
	/* --- L2 / L3 gateway (dataplane) --- */                                \
	X(VLAN_UNKNOWN, vlan_unknown, "802.1Q frame whose VLAN id none of the port's sub-interfaces has") \
	X(VLAN_NO_ROOM, vlan_no_room, "no buffer to add the 802.1Q tag of a sub-interface on the way out") \
	X(L2_OTHER_HOST, l2_other_host, "unicast frame for another MAC (flooded by a switch)") \
	X(L2_NOT_UNICAST, l2_not_unicast, "IPv4 packet in a link-layer broadcast or multicast frame (never routed, RFC 1812 5.3.4)") \
	X(IPV4_FRAG_DROPPED, ipv4_frag_dropped, "fragment dropped by reassembly: timed out, table full, overlapping, more than 8 per datagram, or a datagram past 65535 bytes") \
	X(IPV4_FRAG_TINY, ipv4_frag_tiny, "reassembled datagram whose first fragment does not hold its headers (RFC 1858)") \
	X(IPV4_FRAG_PORTS, ipv4_frag_ports, "reassembled datagram whose fragments arrived on different ports") \
	X(NO_ROUTE, no_route, "no route to the destination")                   \
	X(TTL_EXCEEDED, ttl_exceeded, "TTL would reach zero (ICMP time exceeded sent)") \
	X(MTU_EXCEEDED, mtu_exceeded, "packet larger than the egress MTU")     \
	X(LOCAL_PROTO, local_unhandled, "addressed to the member but no local service handles it") \
	X(ARP_NOT_MINE, arp_not_mine, "ARP request for an address this member does not own") \
	X(NEIGH_HOLD_FULL, arp_hold_full, "next hop unresolved and its hold queue full, or an eighth of the mbuf pool held already") \
	X(NEIGH_UNRESOLVED, arp_unresolved, "next hop never answered ARP; held packets dropped") \
	X(NEIGH_TABLE_FULL, neigh_table_full, "neighbour table full; next hop cannot be resolved") \
	X(CTL_RING_FULL, ctl_ring_full, "worker-to-control ring full")           \
	X(TX_FULL, tx_full, "TX queue full; packets freed after retries")     \
	X(NO_MBUF, no_mbuf, "mbuf pool empty while building a reply")           \
	/* --- stateful inspection (dataplane/conntrack, policy, NAT) --- */     \
	X(NO_SESSION, no_session, "not part of any session and no rule opens one: default action (SPEC SI-02)") \
	X(TCP_NOT_SYN, tcp_not_syn, "TCP packet out of state - first packet isn't SYN (SPEC SI-03)") \
	X(TCP_OUT_OF_STATE, tcp_out_of_state, "TCP packet the session's state does not allow") \
	X(TCP_SYN_ESTABLISHED, tcp_syn_established, "SYN packet for established connection (SPEC SI-04)") \
	X(ICMP_OUT_OF_STATE, icmp_out_of_state, "ICMP query reply without a session, or a request going the way of its session's replies") \
	X(TCP_BAD_WINDOW, tcp_bad_window, "TCP sequence or ack outside the tracked windows") \
	X(ICMP_NO_SESSION, icmp_no_session, "ICMP error about a flow with no session") \
	X(ICMP_ERR_WRONG_HOST, icmp_err_wrong_host, "ICMP error addressed to another host than the sender of the packet it quotes") \
	X(RULE_DROP, rule_drop, "a rule with action drop matched")            \
	X(RULE_REJECT, rule_reject, "a rule with action reject matched (RST or ICMP unreachable sent)") \
	X(SESSION_TABLE_FULL, session_table_full, "session table full: new flow denied") \
	X(SESSION_KEY_CONFLICT, session_key_conflict, "a key of the new session belongs to another session: new flow denied") \
	X(NAT_PORTS_EXHAUSTED, nat_ports_exhausted, "no free source-NAT port for a new flow") \
	X(POLICY_REVOKED, policy_revoked, "session no longer allowed by the reloaded policy") \
	X(HANDOFF_FULL, handoff_full, "handoff ring to the owning worker full") \
	/* --- cluster (dataplane, SPEC 1.2) --- */                              \
	X(CLUSTER_NOT_ACTIVE, cluster_not_active, "member is not active: transit or VIP traffic dropped (SPEC MODE-12)") \
	/* --- state sync (dataplane, SPEC 3.8) --- */                            \
	X(SYNC_BLOCKED, sync_blocked, "new connection blocked while sync is overloaded (SPEC SYNC-62)")

enum phx_drop_reason {
	PHX_DROP_NONE = 0, /* not a drop: the packet goes on */
#define PHX_DROP_ENUM_(e, n, d) PHX_DROP_##e,
	PHX_DROP_REASONS(PHX_DROP_ENUM_)
#undef PHX_DROP_ENUM_
	PHX_DROP_MAX
};

/* Counter name of a reason ("no_route"); "none" for PHX_DROP_NONE. */
const char *phx_drop_name(enum phx_drop_reason r);
/* One-line operator description of a reason. */
const char *phx_drop_desc(enum phx_drop_reason r);

#endif /* PHX_LIB_DROP_REASON_H */
