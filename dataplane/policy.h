/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy as workers use it: an immutable object built on the control
 * lcore from a validated configuration (rules compiled into an rte_acl
 * context, per-rule actions, NAT and timeouts in TSC ticks), published to
 * workers with liburcu QSBR (STYLE 3.2, 3.5 rule 12) and never edited.
 * A reload builds a new object with generation + 1 and swaps the pointer;
 * the old one is freed after a grace period, so no packet ever waits.
 */
#ifndef PHX_DP_POLICY_H
#define PHX_DP_POLICY_H

#include <stdint.h>

#include <rte_acl.h>

#include "lib/config.h"
#include "lib/timeouts.h"

/* rte_acl input: one per packet, fields in network byte order. */
struct phx_acl_in {
	uint8_t proto;       /* 0 */
	uint8_t pad[3];
	uint32_t src;        /* 4 */
	uint32_t dst;        /* 8 */
	uint16_t sport;      /* 12 */
	uint16_t dport;      /* 14 */
	uint16_t in_port;    /* 16 port index */
	uint16_t out_port;   /* 18 port index, PHX_ACL_PORT_LOCAL for us */
};

struct phx_rule_rt {
	uint8_t action;                /* enum phx_cfg_action */
	uint8_t nat_kind;              /* enum phx_cfg_nat_kind */
	uint8_t sync;                  /* sessions synced */
	uint8_t pool;                  /* SNAT: index of the worker NAT pool
					* for nat_ip */
	uint32_t nat_ip;               /* network order */
	uint16_t nat_port_lo;          /* host order */
	uint16_t nat_port_hi;          /* host order */
	uint32_t sync_delay_s;         /* sync sessions only once this old
					* (SPEC SYNC-55); 0 = at once */
	uint64_t tmo_tsc[PHX_TMO_MAX]; /* effective timeouts, TSC ticks */
};

/* A destination-NAT target, to find the worker that owns the session of a
 * reply coming from it (its RSS hashes another tuple than the request's). */
struct phx_dnat_rev {
	uint32_t target_ip;            /* network order: the inside server */
	uint16_t target_port;          /* network order; 0 = port kept */
	uint16_t vport;                /* network order: the port clients use
					* (0 = same as target_port: kept) */
	uint32_t vip;                  /* network order: member address */
	uint8_t proto;
};

#define PHX_DNAT_REV_MAX PHX_CFG_MAX_DNAT   /* the validator enforces it */

struct phx_policy {
	uint64_t gen;                  /* [I] configuration generation */
	struct rte_acl_ctx *acl;       /* [I] NULL when there are no rules */
	uint8_t default_action;        /* [I] drop or reject */
	uint32_t n_rules;              /* [I] */
	uint32_t n_specs;              /* [I] ACL rules after expansion */
	uint64_t tmo_tsc[PHX_TMO_MAX]; /* [I] global timeouts, TSC ticks */
	uint64_t short_tsc;            /* [I] two refresh epochs, if some
					* timeout (global or a rule's) is
					* shorter, else 0: sessions with such
					* a timeout refresh their synced copy
					* every half timeout (worker.c) */
	char (*names)[PHX_CFG_NAME_LEN]; /* [I] rule names, for telemetry */
	uint32_t n_dnat;               /* [I] */
	struct phx_dnat_rev dnat[PHX_DNAT_REV_MAX]; /* [I] */
	uint64_t trust_rst[65536 / 64]; /* [I] bit p: destination port p is
					 * trusted with RSTs (sessions.
					 * tcp_trust_rst_ports, SPEC SI-04;
					 * a reload changes it) */
	struct phx_policy *grace_next; /* [G] replaced, waiting to be freed */
	uint64_t grace_ticket;         /* [G] ... after this grace period */
	struct phx_rule_rt rules[];    /* [I] n_rules */
};

#endif /* PHX_DP_POLICY_H */
