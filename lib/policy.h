/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule compiler, pure half: expands the configured rules into flat
 * classifier specs (one per combination of ingress port, egress port,
 * source prefix, destination prefix, source range and destination range),
 * in rule order, with the priority that makes the first matching rule win.
 * dataplane/classify_build.c turns specs into an rte_acl context; keeping
 * the expansion here makes it unit-testable without EAL.
 */
#ifndef PHX_LIB_POLICY_H
#define PHX_LIB_POLICY_H

#include <stdint.h>

#include "lib/config.h"

/* Egress "port" value for packets addressed to the member itself. */
#define PHX_ACL_PORT_LOCAL 0xfffe

struct phx_acl_spec {
	uint8_t proto;           /* protocol value */
	uint8_t proto_mask;      /* 0xff exact, 0 any */
	uint8_t src_len;         /* prefix length */
	uint8_t dst_len;
	uint32_t src;            /* host order */
	uint32_t dst;            /* host order */
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
	uint16_t in_lo, in_hi;   /* ingress port index range */
	uint16_t out_lo, out_hi; /* egress port index range (0..0xffff any) */
	uint32_t rule;           /* index in cfg->rules */
	int32_t priority;        /* PHX_CFG_MAX_RULES - rule: first rule wins */
};

/* Largest expansion accepted (rte_acl builds stay well under a second). */
#define PHX_ACL_MAX_SPECS 65536

/*
 * Expand cfg's rules into out[0..max). Returns the number of specs, or
 * -E2BIG if more than max would be needed (the config validator rejects
 * such configurations with a location, so the daemon never sees it).
 */
int phx_policy_expand(const struct phx_config *cfg, struct phx_acl_spec *out,
		      unsigned max);

/* Number of specs rule r expands to (for the validator's error). */
uint64_t phx_policy_rule_width(const struct phx_cfg_rule *r);

#endif /* PHX_LIB_POLICY_H */
