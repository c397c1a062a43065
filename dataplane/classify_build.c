/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [C] Policy construction and publication, on the control lcore.
 *
 * lib/policy expands the configured rules into flat specs; here they become
 * rte_acl rules (field layout: first field one byte, the others in 4-byte
 * input groups, rules in host order, lookups in network order; DPDK
 * packet_classif_access_ctrl.rst), and the per-rule actions, NAT and
 * timeouts are converted to what workers need. The new object replaces
 * the old one by an RCU pointer swap; the old one is freed once every
 * worker has finished the loop that might still hold it (grace.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <urcu-qsbr.h>

#include "dataplane/dp_priv.h"
#include "lib/policy.h"

enum { F_PROTO, F_SRC, F_DST, F_SPORT, F_DPORT, F_IN, F_OUT, F_NUM };

RTE_ACL_RULE_DEF(phx_acl_rule, F_NUM);

/* Contexts built so far: a unique name for each. */
static unsigned acl_builds;

static const struct rte_acl_field_def acl_fields[F_NUM] = {
	[F_PROTO] = { .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F_PROTO, .input_index = 0,
		.offset = offsetof(struct phx_acl_in, proto) },
	[F_SRC] = { .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
		.field_index = F_SRC, .input_index = 1,
		.offset = offsetof(struct phx_acl_in, src) },
	[F_DST] = { .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
		.field_index = F_DST, .input_index = 2,
		.offset = offsetof(struct phx_acl_in, dst) },
	[F_SPORT] = { .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F_SPORT, .input_index = 3,
		.offset = offsetof(struct phx_acl_in, sport) },
	[F_DPORT] = { .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F_DPORT, .input_index = 3,
		.offset = offsetof(struct phx_acl_in, dport) },
	[F_IN] = { .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F_IN, .input_index = 4,
		.offset = offsetof(struct phx_acl_in, in_port) },
	[F_OUT] = { .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F_OUT, .input_index = 4,
		.offset = offsetof(struct phx_acl_in, out_port) },
};

static int
acl_build(struct phx_policy *pol, const struct phx_config *cfg, char *err,
	  size_t errlen)
{
	struct phx_acl_spec *specs;
	struct phx_acl_rule *rules = NULL;
	struct rte_acl_config ac = { .num_categories = 1, .num_fields = F_NUM };
	char name[RTE_ACL_NAMESIZE];
	int n, i, rc;

	specs = malloc(sizeof(*specs) * PHX_ACL_MAX_SPECS);
	if (specs == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = phx_policy_expand(cfg, specs, PHX_ACL_MAX_SPECS);
	if (n < 0) {
		snprintf(err, errlen, "rules expand to more than %u "
			 "classifier entries", PHX_ACL_MAX_SPECS);
		free(specs);
		return n;
	}
	pol->n_specs = (uint32_t)n;
	if (n == 0) {
		free(specs);
		return 0;
	}
	/* rte_acl_create() hands back an existing context of the same name:
	 * every build gets a name of its own, whatever its generation. */
	snprintf(name, sizeof(name), "phx_acl_%u",
		 __atomic_fetch_add(&acl_builds, 1, __ATOMIC_RELAXED));
	pol->acl = rte_acl_create(&(struct rte_acl_param){
		.name = name, .socket_id = SOCKET_ID_ANY,
		.rule_size = RTE_ACL_RULE_SZ(F_NUM), .max_rule_num = (uint32_t)n });
	rules = calloc((size_t)n, sizeof(*rules));
	if (pol->acl == NULL || rules == NULL) {
		snprintf(err, errlen, "cannot create the classifier: %s",
			 rte_strerror(rte_errno));
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct phx_acl_spec *sp = &specs[i];
		struct phx_acl_rule *r = &rules[i];

		r->data.category_mask = 1;
		r->data.priority = sp->priority;
		r->data.userdata = sp->rule + 1; /* 0 means "no match" */
		r->field[F_PROTO].value.u8 = sp->proto;
		r->field[F_PROTO].mask_range.u8 = sp->proto_mask;
		r->field[F_SRC].value.u32 = sp->src;
		r->field[F_SRC].mask_range.u32 = sp->src_len;
		r->field[F_DST].value.u32 = sp->dst;
		r->field[F_DST].mask_range.u32 = sp->dst_len;
		r->field[F_SPORT].value.u16 = sp->sport_lo;
		r->field[F_SPORT].mask_range.u16 = sp->sport_hi;
		r->field[F_DPORT].value.u16 = sp->dport_lo;
		r->field[F_DPORT].mask_range.u16 = sp->dport_hi;
		r->field[F_IN].value.u16 = sp->in_lo;
		r->field[F_IN].mask_range.u16 = sp->in_hi;
		r->field[F_OUT].value.u16 = sp->out_lo;
		r->field[F_OUT].mask_range.u16 = sp->out_hi;
	}
	rc = rte_acl_add_rules(pol->acl, (const struct rte_acl_rule *)rules,
			       (uint32_t)n);
	if (rc == 0) {
		memcpy(ac.defs, acl_fields, sizeof(acl_fields));
		rc = rte_acl_build(pol->acl, &ac);
	}
	if (rc != 0)
		snprintf(err, errlen, "classifier build failed: %s",
			 rte_strerror(-rc));
out:
	free(rules);
	free(specs);
	return rc;
}

static void
tmo_to_tsc(uint64_t *out, const struct phx_timeouts *t)
{
	uint64_t hz = rte_get_tsc_hz();
	unsigned c;

	for (c = 0; c < PHX_TMO_MAX; c++)
		out[c] = hz * t->s[c];
}

/* sessions.tcp_trust_rst_ports as a bitmap the workers test per RST and
 * per SYN on an established session (pol is zeroed). */
static void
trust_rst_init(struct phx_policy *pol, const struct phx_cfg_sessions *ss)
{
	unsigned i, p;

	for (i = 0; i < ss->n_trust_rst || (ss->trust_rst_all && i == 0); i++) {
		unsigned lo = ss->trust_rst_all ? 0 : ss->trust_rst[i].lo;
		unsigned hi = ss->trust_rst_all ? 65535 : ss->trust_rst[i].hi;

		for (p = lo; p <= hi; p++)
			pol->trust_rst[p / 64] |= UINT64_C(1) << (p % 64);
	}
}

/* A live session's synced copy lives its timeout after the last event,
 * and events come once a refresh epoch (worker.c): up to two epochs
 * apart. So a timeout under two epochs needs refreshes of its own:
 * returns two epochs if one in t[] is shorter, else was. */
static uint64_t
short_tsc(const uint64_t *t, uint64_t was)
{
	uint64_t two = 2 * rte_get_tsc_hz() * PHX_SYNC_REFRESH_S;
	unsigned c;

	for (c = 0; c < PHX_TMO_MAX; c++)
		if (t[c] < two)
			return two;
	return was;
}

/*
 * Reverse entries of a DNAT rule for the handoff of replies: one per
 * destination address. When the target port is translated, the client's
 * port must be known too, so rules with one destination port only (any
 * other has its replies handled wherever they land, documented).
 */
static void
dnat_rev_add(struct phx_policy *pol, const struct phx_cfg_rule *cr)
{
	unsigned d;

	for (d = 0; d < cr->n_dst && pol->n_dnat < PHX_DNAT_REV_MAX; d++) {
		struct phx_dnat_rev *e = &pol->dnat[pol->n_dnat];

		if (cr->dst[d].plen != 32)
			continue;
		e->proto = cr->proto;
		e->target_ip = rte_cpu_to_be_32(cr->nat_ip);
		e->vip = rte_cpu_to_be_32(cr->dst[d].ip);
		e->target_port = rte_cpu_to_be_16(cr->nat_port_lo);
		e->vport = 0;
		if (cr->nat_port_lo != 0) {
			if (cr->n_dport != 1 ||
			    cr->dport[0].lo != cr->dport[0].hi)
				continue;
			e->vport = rte_cpu_to_be_16(cr->dport[0].lo);
		}
		pol->n_dnat++;
	}
}

struct phx_policy *
phx_dp_policy_build(struct phx_dp *dp, const struct phx_config *cfg,
		    uint64_t gen, char *err, size_t errlen)
{
	struct phx_policy *pol;
	unsigned r, a;

	pol = rte_zmalloc("phx_policy", sizeof(*pol) +
			  sizeof(pol->rules[0]) * cfg->n_rules, 0);
	if (pol == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pol->names = rte_zmalloc("phx_policy_names",
			sizeof(*pol->names) * (cfg->n_rules + 1), 0);
	if (pol->names == NULL) {
		snprintf(err, errlen, "out of memory");
		phx_dp_policy_free(pol);
		return NULL;
	}
	pol->gen = gen;
	pol->n_rules = cfg->n_rules;
	pol->default_action = cfg->default_action;
	tmo_to_tsc(pol->tmo_tsc, &cfg->timeouts);
	pol->short_tsc = short_tsc(pol->tmo_tsc, 0);
	trust_rst_init(pol, &cfg->sessions);
	for (r = 0; r < cfg->n_rules; r++) {
		const struct phx_cfg_rule *cr = &cfg->rules[r];
		struct phx_rule_rt *rt = &pol->rules[r];

		snprintf(pol->names[r], sizeof(pol->names[r]), "%s", cr->name);
		rt->action = cr->action;
		rt->nat_kind = cr->nat_kind;
		rt->sync = cr->sync;
		rt->sync_delay_s = cr->sync ? cr->sync_delay_s : 0;
		rt->nat_ip = rte_cpu_to_be_32(cr->nat_ip);
		rt->nat_port_lo = cr->nat_port_lo;
		rt->nat_port_hi = cr->nat_port_hi;
		tmo_to_tsc(rt->tmo_tsc, &cr->timeouts);
		pol->short_tsc = short_tsc(rt->tmo_tsc, pol->short_tsc);
		if (cr->nat_kind == PHX_NAT_DEST)
			dnat_rev_add(pol, cr);
		if (cr->nat_kind != PHX_NAT_SOURCE)
			continue;
		/* Source NAT hides behind one of our addresses or a VIP
		 * (validated): use the worker pool of that address. */
		for (a = 0; a < dp->nb_nat_addr; a++)
			if (dp->nat_addr[a] == rt->nat_ip)
				break;
		if (a == dp->nb_nat_addr) {
			snprintf(err, errlen, "rule %s: source NAT address is "
				 "neither a member address nor a VIP", cr->name);
			phx_dp_policy_free(pol);
			return NULL;
		}
		rt->pool = (uint8_t)a;
	}
	if (acl_build(pol, cfg, err, errlen) != 0) {
		phx_dp_policy_free(pol);
		return NULL;
	}
	return pol;
}

void
phx_dp_policy_free(struct phx_policy *pol)
{
	if (pol == NULL)
		return;
	rte_acl_free(pol->acl);
	rte_free(pol->names);
	rte_free(pol);
}

void
phx_dp_policy_publish(struct phx_dp *dp, struct phx_policy *pol)
{
	struct phx_policy *old;

	pthread_mutex_lock(&dp->policy_lock); /* telemetry readers */
	old = rcu_xchg_pointer(&dp->policy, pol);
	pthread_mutex_unlock(&dp->policy_lock);
	/* Every worker passes a quiescent state between loops (or is
	 * offline, asleep): after that no loop can still use old. Waited
	 * for off the control lcore (grace.c); telemetry, under the lock,
	 * only ever reads the current one. */
	phx_dp_grace_free_policy(dp, old);
}
