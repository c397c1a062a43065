/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bounds-checked parser for one Ethernet frame. DPDK-free, so it is unit
 * tested under Check and fuzzed with libFuzzer (tests/fuzz/fuzz_pkt_parse.c).
 *
 * Accepted: untagged Ethernet II carrying
 *   - ARP for Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4, op 1|2);
 *   - IPv4 without options, not fragmented, with a valid header checksum,
 *     total length within the frame (trailing padding allowed), and for
 *     TCP/UDP/ICMP a complete L4 header (TCP: data offset >= 5 and within the
 *     packet; UDP: length == l4_len; ICMP: at least 8 bytes). Other IPv4
 *     protocols are accepted with only the L3 fields filled.
 *   - TCP additionally: a possible flag combination (no two of SYN/FIN/RST,
 *     not none, no URG with SYN or RST, without ACK only a bare SYN or a
 *     bare RST; ECE/CWR ignored), and on SYN segments a well-formed option
 *     list. Fills tcp_seq/tcp_ack/tcp_win (host order), l4_hlen, and
 *     tcp_wscale (the window scale option of a SYN, at most 14; -1 when
 *     absent or not a SYN).
 *   - ICMP errors (types 3, 4, 5, 11, 12) additionally: a quote holding a
 *     complete IPv4 header (version 4, IHL >= 5) and 8 bytes after it,
 *     within l4_len. Sets PHX_PKT_F_ICMP_ERR and fills q_off, q_proto,
 *     q_src_ip, q_dst_ip and q_sport/q_dport (TCP/UDP ports; a quoted ICMP
 *     query's identifier in both; otherwise, and for a quoted non-first
 *     fragment, 0). ICMP queries (lib/flow_key.h phx_icmp_is_query()) have
 *     their identifier in sport; l4_hlen is 8 for UDP and ICMP.
 * Everything else returns the drop reason that names why (lib/drop_reason.h);
 * exactly one reason per frame, checked in header order: a frame cut inside
 * the Ethernet or IPv4 header reports l2_truncated / ipv4_truncated; a frame
 * cut anywhere after the IPv4 header has a total length beyond the frame and
 * reports ipv4_bad_len; l4_truncated, tcp_bad_doff and udp_bad_len are for
 * packets whose IPv4 total length itself is too short for their L4 header;
 * then tcp_bad_flags, tcp_bad_options (SYN only) and icmp_bad_quote (errors
 * only), for complete headers with impossible contents.
 *
 * The parser's reasons are the contiguous range PHX_DROP_L2_TRUNCATED ..
 * PHX_PKT_PARSE_DROP_LAST.
 */
#ifndef PHX_LIB_PKT_PARSE_H
#define PHX_LIB_PKT_PARSE_H

#include <stdint.h>

#include "lib/drop_reason.h"
#include "lib/pkt_meta.h"

/* Last drop reason phx_pkt_parse() can return (see above). */
#define PHX_PKT_PARSE_DROP_LAST PHX_DROP_ICMP_BAD_QUOTE

/* parse flags */
#define PHX_PARSE_F_L3_CSUM_OK 0x01 /* the NIC verified the IPv4 checksum */

/*
 * Parse frame[0..len) into *m.
 * Returns PHX_DROP_NONE and a filled *m, or the drop reason (and *m is
 * partially filled: do not use it). Never reads outside frame[0..len).
 * Any thread; no state.
 */
enum phx_drop_reason phx_pkt_parse(const uint8_t *frame, uint32_t len,
				   unsigned flags, struct phx_pkt_meta *m);

#endif /* PHX_LIB_PKT_PARSE_H */
