/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule compiler, pure half (lib/policy.h): the configured rules as flat
 * classifier specs.
 *
 * A rule is a product of sets: ingress ports x egress ports x source
 * prefixes x destination prefixes x source ranges x destination ranges
 * (an absent condition is one "match anything" element). rte_acl matches
 * one range or prefix per field, so each element of the product becomes
 * its own spec; they all carry the rule's index and priority, so whichever
 * one matches, the verdict is the rule's (VPP acl plugin's "one rule, many
 * entries"; DPDK packet_classif_access_ctrl.rst). Ports are single values
 * (lo = hi = index) rather than a range over a zone's mask because a
 * zone's ports need not be contiguous.
 *
 * Order of the product, outermost first: in, out, src, dst, sport, dport.
 * Specs come out in rule order; priority PHX_CFG_MAX_RULES - index makes
 * the first matching rule win (higher priority wins in rte_acl).
 *
 * Widths are computed in uint64_t: one rule can reach 16^6 (~1.7e7) specs
 * and the sum over PHX_CFG_MAX_RULES rules ~1.7e10, beyond 32 bits.
 */
#include <errno.h>
#include <stddef.h>

#include "lib/policy.h"

static unsigned
mask_count(uint32_t mask)
{
	return mask == 0 ? 1 : (unsigned)__builtin_popcount(mask);
}

static unsigned
count_or_any(unsigned n)
{
	return n == 0 ? 1 : n;
}

uint64_t
phx_policy_rule_width(const struct phx_cfg_rule *r)
{
	return (uint64_t)mask_count(r->in_ports) * mask_count(r->out_ports) *
	       count_or_any(r->n_src) * count_or_any(r->n_dst) *
	       count_or_any(r->n_sport) * count_or_any(r->n_dport);
}

/* Value range of element i of a port mask: the i-th set bit as lo = hi,
 * or everything (0..0xffff, which includes PHX_ACL_PORT_LOCAL) for 0. */
static void
port_at(uint32_t mask, unsigned i, uint16_t *lo, uint16_t *hi)
{
	unsigned b;

	if (mask == 0) {
		*lo = 0;
		*hi = 0xffff;
		return;
	}
	for (b = 0; b < 32; b++) {
		if (!(mask & (1u << b)))
			continue;
		if (i-- == 0)
			break;
	}
	*lo = *hi = (uint16_t)b;
}

static void
net_at(unsigned n, const struct phx_cfg_prefix *nets, unsigned i,
       uint32_t *ip, uint8_t *len)
{
	if (n == 0) {
		*ip = 0;        /* 0.0.0.0/0 */
		*len = 0;
		return;
	}
	*ip = nets[i].ip;
	*len = nets[i].plen;
}

static void
range_at(unsigned n, const struct phx_cfg_range *ranges, unsigned i,
	 uint16_t *lo, uint16_t *hi)
{
	if (n == 0) {
		*lo = 0;
		*hi = 0xffff;
		return;
	}
	*lo = ranges[i].lo;
	*hi = ranges[i].hi;
}

/*
 * Write rule ri's specs at out[0..width). The caller has checked that the
 * width fits. Spec k is the k-th element of the product, read as a mixed-
 * radix number whose last digit (fastest changing) is the dport index.
 */
static unsigned
expand_rule(const struct phx_cfg_rule *r, unsigned ri,
	    struct phx_acl_spec *out)
{
	const unsigned n_out = mask_count(r->out_ports);
	const unsigned n_src = count_or_any(r->n_src);
	const unsigned n_dst = count_or_any(r->n_dst);
	const unsigned n_sp = count_or_any(r->n_sport);
	const unsigned n_dp = count_or_any(r->n_dport);
	const unsigned width = (unsigned)phx_policy_rule_width(r);
	unsigned k;

	for (k = 0; k < width; k++) {
		struct phx_acl_spec *s = &out[k];
		unsigned x = k;

		s->proto = r->proto;
		s->proto_mask = r->proto == 0 ? 0 : 0xff;
		s->rule = ri;
		s->priority = (int32_t)(PHX_CFG_MAX_RULES - ri);
		range_at(r->n_dport, r->dport, x % n_dp, &s->dport_lo,
			 &s->dport_hi);
		x /= n_dp;
		range_at(r->n_sport, r->sport, x % n_sp, &s->sport_lo,
			 &s->sport_hi);
		x /= n_sp;
		net_at(r->n_dst, r->dst, x % n_dst, &s->dst, &s->dst_len);
		x /= n_dst;
		net_at(r->n_src, r->src, x % n_src, &s->src, &s->src_len);
		x /= n_src;
		port_at(r->out_ports, x % n_out, &s->out_lo, &s->out_hi);
		x /= n_out;
		port_at(r->in_ports, x, &s->in_lo, &s->in_hi);
	}
	return width;
}

int
phx_policy_expand(const struct phx_config *cfg, struct phx_acl_spec *out,
		  unsigned max)
{
	uint64_t total = 0;
	unsigned ri, n = 0;

	/* size first: out is never written past max, and a config that does
	 * not fit leaves no half-expanded rule behind it */
	for (ri = 0; ri < cfg->n_rules; ri++)
		total += phx_policy_rule_width(&cfg->rules[ri]);
	if (total > max || total > INT32_MAX)
		return -E2BIG;
	for (ri = 0; ri < cfg->n_rules; ri++)
		n += expand_rule(&cfg->rules[ri], ri, out + n);
	return (int)n;
}
