/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow keys: the 5-tuple a session is found by. 16 bytes (a multiple of 4
 * for rte_hash's CRC), addresses and ports in network byte order exactly as
 * on the wire, so building a key from a packet is copies only.
 *
 * ICMP echo (types 0/8) and timestamp/info/mask request-reply pairs put the
 * identifier in both port fields, so that the reverse of a request's key is
 * the reply's key. Other protocols without ports use 0.
 */
#ifndef PHX_LIB_FLOW_KEY_H
#define PHX_LIB_FLOW_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/compiler.h"
#include "lib/pkt_meta.h"

struct phx_flow_key {
	uint32_t src_ip;   /* network order */
	uint32_t dst_ip;   /* network order */
	uint16_t sport;    /* network order; ICMP query: identifier */
	uint16_t dport;    /* network order; ICMP query: identifier */
	uint8_t proto;     /* IPv4 protocol number */
	uint8_t pad[3];    /* always zero: hashed and compared */
};

static_assert(sizeof(struct phx_flow_key) == 16, "flow key is 16 bytes");
static_assert(sizeof(struct phx_flow_key) % 4 == 0, "CRC hash wants 4n");

/*
 * ICMP types whose identifier (bytes 4-5 of the ICMP header) pairs a
 * request with its reply, so it stands in for the ports: echo reply 0 and
 * request 8 (RFC 792), timestamp 13/14 and information 15/16 (RFC 792),
 * address mask 17/18 (RFC 950). One definition for lib/pkt_parse (which
 * fills m->sport from it) and the key builders here.
 */
#define PHX_ICMP_QUERY_TYPES 0x7e101u /* bits 0, 8, 13..18 */

static inline bool
phx_icmp_is_query(uint8_t type)
{
	return type < 32 && ((PHX_ICMP_QUERY_TYPES >> type) & 1);
}

/* The requests among them (8, 13, 15, 17): only a request opens an ICMP
 * session, and its replies come back the other way. */
#define PHX_ICMP_REQUEST_TYPES 0x2a100u /* bits 8, 13, 15, 17 */

static inline bool
phx_icmp_is_request(uint8_t type)
{
	return type < 32 && ((PHX_ICMP_REQUEST_TYPES >> type) & 1);
}

/*
 * Key of a parsed IPv4 packet (m->kind == PHX_PKT_IPV4). For an ICMP error
 * (m->flags & PHX_PKT_F_ICMP_ERR) this is the key of the error packet
 * itself; use phx_flow_key_from_quote() for the session it refers to.
 */
void phx_flow_key_from_meta(const struct phx_pkt_meta *m,
			    struct phx_flow_key *k);

/*
 * Key of the packet an ICMP error quotes (m->flags & PHX_PKT_F_ICMP_ERR),
 * reversed, i.e. the key a packet of that flow travelling in the same
 * direction as the error would have. Looking it up finds the session the
 * error belongs to.
 */
void phx_flow_key_from_quote(const struct phx_pkt_meta *m,
			     struct phx_flow_key *k);

/* r = k with source and destination (addresses and ports) swapped. */
static inline void
phx_flow_key_reverse(const struct phx_flow_key *k, struct phx_flow_key *r)
{
	r->src_ip = k->dst_ip;
	r->dst_ip = k->src_ip;
	r->sport = k->dport;
	r->dport = k->sport;
	r->proto = k->proto;
	r->pad[0] = r->pad[1] = r->pad[2] = 0;
}

/* a == k reversed, compared field by field (no reversed copy to
 * write and read back whole). */
static inline bool
phx_flow_key_is_reverse(const struct phx_flow_key *a,
			const struct phx_flow_key *k)
{
	return a->src_ip == k->dst_ip && a->dst_ip == k->src_ip &&
	       a->sport == k->dport && a->dport == k->sport &&
	       a->proto == k->proto;
}

/* "tcp 10.1.0.100:40000 > 10.2.0.100:80" into buf; returns buf. */
const char *phx_flow_key_str(const struct phx_flow_key *k, char *buf,
			     unsigned len);

#endif /* PHX_LIB_FLOW_KEY_H */
