/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow keys from parsed packets (lib/flow_key.h). Runs once per packet on
 * the workers, between lib/pkt_parse and the session lookup, so it only
 * copies fields the parser already validated: no header bytes are read
 * here, and the key of a packet is a function of its struct phx_pkt_meta.
 *
 * Design: one key shape for every protocol, with the "ports" of port-less
 * protocols chosen so that reversing a key (swap source and destination)
 * gives the key of the other direction. ICMP queries put the identifier
 * in both port fields (VPP nat44-ed and Linux nf_conntrack_proto_icmp do
 * the same: the identifier is the only thing that pairs a reply with its
 * request); other protocols use 0/0. Alternatives rejected: a per-protocol
 * key union (a second hash key size and compare path for ICMP), and
 * keying ICMP on (type, code) as pf's old "icmp id" mode does, which makes
 * request and reply keys differ in more than their direction.
 *
 * ICMP errors are looked up by what they quote (phx_flow_key_from_quote):
 * the quoted packet travelled from its source to its destination, the
 * error travels back towards that source, so the session key the error
 * matches is the quoted key reversed, exactly the key of a packet of the
 * quoted flow going the other way (RFC 792; nf_conntrack
 * icmp_error_message() inverts the quoted tuple the same way).
 */
#include "lib/flow_key.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lib/inet.h"

void
phx_flow_key_from_meta(const struct phx_pkt_meta *m, struct phx_flow_key *k)
{
	k->src_ip = m->src_ip;
	k->dst_ip = m->dst_ip;
	k->proto = m->proto;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	switch (m->proto) {
	case PHX_IPPROTO_TCP:
	case PHX_IPPROTO_UDP:
		k->sport = m->sport;
		k->dport = m->dport;
		break;
	case PHX_IPPROTO_ICMP:
		/* lib/pkt_parse leaves sport 0 for non-query types, but the
		 * key must not depend on that: errors and unknown types are
		 * keyed 0/0 whatever the parser put there. */
		if (phx_icmp_is_query(m->icmp_type)) {
			k->sport = m->sport;
			k->dport = m->sport;
		} else {
			k->sport = 0;
			k->dport = 0;
		}
		break;
	default:
		k->sport = 0;
		k->dport = 0;
		break;
	}
}

void
phx_flow_key_from_quote(const struct phx_pkt_meta *m, struct phx_flow_key *k)
{
	/* Reversed on the way in: the quoted packet's destination is the
	 * source of a packet travelling the way the error does. The parser
	 * already put the identifier in both q_sport and q_dport for quoted
	 * ICMP queries and 0/0 for everything without ports. */
	k->src_ip = m->q_dst_ip;
	k->dst_ip = m->q_src_ip;
	k->sport = m->q_dport;
	k->dport = m->q_sport;
	k->proto = m->q_proto;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
}

static const char *
proto_name(uint8_t proto)
{
	switch (proto) {
	case PHX_IPPROTO_TCP:
		return "tcp";
	case PHX_IPPROTO_UDP:
		return "udp";
	case PHX_IPPROTO_ICMP:
		return "icmp";
	default:
		return NULL;
	}
}

/*
 * Formats, by protocol:
 *   tcp 10.1.0.100:40000 > 10.2.0.100:80        (udp alike)
 *   icmp 10.1.0.100 > 10.2.0.100 id 16962       (identifier, host order)
 *   proto 47 10.1.0.100 > 10.2.0.100            (port-less protocols)
 * ICMP keys with sport != dport cannot come from the builders above; they
 * print both values ("id 1/2") rather than hide the inconsistency.
 */
const char *
phx_flow_key_str(const struct phx_flow_key *k, char *buf, unsigned len)
{
	const char *name = proto_name(k->proto);
	uint8_t s[4], d[4];
	unsigned sp = ntohs(k->sport), dp = ntohs(k->dport);

	memcpy(s, &k->src_ip, 4);
	memcpy(d, &k->dst_ip, 4);
	if (len == 0)
		return buf;
	if (k->proto == PHX_IPPROTO_TCP || k->proto == PHX_IPPROTO_UDP)
		snprintf(buf, len, "%s %u.%u.%u.%u:%u > %u.%u.%u.%u:%u", name,
			 s[0], s[1], s[2], s[3], sp, d[0], d[1], d[2], d[3],
			 dp);
	else if (k->proto == PHX_IPPROTO_ICMP && sp == dp)
		snprintf(buf, len, "icmp %u.%u.%u.%u > %u.%u.%u.%u id %u",
			 s[0], s[1], s[2], s[3], d[0], d[1], d[2], d[3], sp);
	else if (k->proto == PHX_IPPROTO_ICMP)
		snprintf(buf, len, "icmp %u.%u.%u.%u > %u.%u.%u.%u id %u/%u",
			 s[0], s[1], s[2], s[3], d[0], d[1], d[2], d[3], sp,
			 dp);
	else
		snprintf(buf, len, "proto %u %u.%u.%u.%u > %u.%u.%u.%u",
			 k->proto, s[0], s[1], s[2], s[3], d[0], d[1], d[2],
			 d[3]);
	return buf;
}
