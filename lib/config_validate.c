/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Semantic validation of a walked configuration: the checks that need more
 * than one value. Ports that are physical or VLAN sub-interfaces of a
 * physical port, unique port names and devices, addresses that are unique
 * and on disjoint subnets per port, routes that point somewhere reachable,
 * an lcore list that fits the workers, and the policy: zones and rules
 * that name existing ports and zones, NAT that the member can carry out,
 * and a rule set small enough for the classifier. With a cluster: members,
 * the sync port, VIPs that sit in a member subnet of their port, and
 * failure-detection timers a real host can keep. A cluster VIP counts as
 * one of "our" addresses for NAT (the active member owns it), never as a
 * next hop or a NAT target.
 *
 * Runs after the schema walker on the same error list, so a file with a
 * typo and a duplicate address reports both. Values the walker already
 * rejected have no location in the source map (line 0) and are skipped
 * here, so one mistake is never reported twice.
 *
 * Everything is O(n^2) over ports x addresses (<= 16 x 8), routes and
 * rules (<= 1024 each, so <= ~0.5 M comparisons for the duplicate checks):
 * a hash would be faster, but this runs once per load and is obviously
 * right.
 */
#include <stdio.h>
#include <string.h>

#include "lib/config_node.h"
#include "lib/policy.h"

#define PATH_LEN PHX_CFG_STR_LEN

static bool
has(struct phx_cfg_loc loc)
{
	return loc.line != 0;
}

/* "in0" for messages, or "ports[1]" if the port's name was rejected. */
static const char *
port_label(const struct phx_config *cfg, const struct phx_cfg_srcmap *src,
	   unsigned i, char *buf, size_t size)
{
	if (has(src->ports[i].name))
		snprintf(buf, size, "\"%s\"", cfg->ports[i].name);
	else
		snprintf(buf, size, "ports[%u]", i);
	return buf;
}

static int
find_port(const struct phx_config *cfg, const struct phx_cfg_srcmap *src,
	  const char *name)
{
	unsigned i;

	for (i = 0; i < cfg->n_ports; i++)
		if (has(src->ports[i].name) &&
		    strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Append "sep s" to buf at *o, or ", ..." once it no longer fits. */
static void
list_add(char *buf, size_t size, size_t *o, const char *s)
{
	int r;

	if (*o >= size)
		return;
	r = snprintf(buf + *o, size - *o, "%s%s", *o ? ", " : "", s);
	if (r < 0 || (size_t)r >= size - *o) {
		/* cut at the last complete entry */
		buf[*o] = '\0';
		if (*o + 5 < size)
			snprintf(buf + *o, size - *o, ", ...");
		*o = size;
		return;
	}
	*o += (size_t)r;
}

/* "in0, out0" */
static const char *
port_names(const struct phx_config *cfg, const struct phx_cfg_srcmap *src,
	   char *buf, size_t size)
{
	size_t o = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < cfg->n_ports; i++)
		if (has(src->ports[i].name))
			list_add(buf, size, &o, cfg->ports[i].name);
	if (buf[0] == '\0')
		snprintf(buf, size, "none");
	return buf;
}

/* The port a "port"-like value at loc (path) names: its index, or -1
 * after saying which ports there are. */
static int
port_ref(struct phx_cfg_ctx *ctx, const struct phx_config *cfg,
	 const struct phx_cfg_srcmap *src, struct phx_cfg_loc loc,
	 const char *path, const char *name)
{
	int p = find_port(cfg, src, name);
	char list[160];

	if (p < 0)
		phx_cfg_err(ctx, loc, path, "no port named \"%s\" (ports: %s)",
			    name, port_names(cfg, src, list, sizeof(list)));
	return p;
}

/* Is ip a cluster VIP (one whose address the walker accepted)? Which. */
static bool
vip_addr(const struct phx_config *cfg, const struct phx_cfg_srcmap *src,
	 uint32_t ip, unsigned *vi)
{
	unsigned i;

	if (!cfg->cluster.enabled)
		return false;
	for (i = 0; i < cfg->cluster.n_vips; i++) {
		if (has(src->cluster.vips[i].address) &&
		    cfg->cluster.vips[i].ip == ip) {
			*vi = i;
			return true;
		}
	}
	return false;
}

static void
check_ports(struct phx_cfg_ctx *ctx, const struct phx_config *cfg,
	    const struct phx_cfg_srcmap *src)
{
	char path[PATH_LEN], ki[PHX_CFG_DEVICE_LEN], kj[PHX_CFG_DEVICE_LEN];
	unsigned i, j;

	for (i = 0; i < cfg->n_ports; i++) {
		const struct phx_cfg_port_src *si = &src->ports[i];

		if (has(si->name)) {
			for (j = 0; j < i; j++) {
				if (!has(src->ports[j].name) ||
				    strcmp(cfg->ports[i].name,
					   cfg->ports[j].name) != 0)
					continue;
				snprintf(path, sizeof(path), "ports[%u].name", i);
				phx_cfg_err(ctx, si->name, path,
					    "duplicate port name \"%s\" "
					    "(already at ports[%u].name, line "
					    "%u)", cfg->ports[i].name, j,
					    (unsigned)src->ports[j].name.line);
				break;
			}
		}
		if (has(si->device)) {
			phx_cfg_device_key(cfg->ports[i].device,
					   cfg->ports[i].is_pci, ki, sizeof(ki));
			for (j = 0; j < i; j++) {
				if (!has(src->ports[j].device))
					continue;
				phx_cfg_device_key(cfg->ports[j].device,
						   cfg->ports[j].is_pci, kj,
						   sizeof(kj));
				if (strcmp(ki, kj) != 0)
					continue;
				snprintf(path, sizeof(path), "ports[%u].device",
					 i);
				phx_cfg_err(ctx, si->device, path,
					    "duplicate device %s (already at "
					    "ports[%u].device, line %u)", ki, j,
					    (unsigned)src->ports[j].device.line);
				break;
			}
		}
	}
}

/*
 * Every address unique, and subnets of different ports disjoint (a packet
 * to a connected subnet must have exactly one egress port). Addresses of
 * one port may share a subnet: the lab puts a member address and a VIP in
 * the same /24.
 */
/* First earlier valid address (in file order) equal to ip, or, with
 * overlap, on another port's subnet that overlaps ip/plen. */
static bool
find_earlier(const struct phx_config *cfg, const struct phx_cfg_srcmap *src,
	     unsigned pi, unsigned ai, bool overlap, unsigned *pj_out,
	     unsigned *aj_out)
{
	const struct phx_cfg_addr *x = &cfg->ports[pi].addrs[ai];
	unsigned pj, aj;

	for (pj = 0; pj <= pi; pj++) {
		unsigned na = pj == pi ? ai : cfg->ports[pj].n_addrs;

		if (overlap && pj == pi)
			break;
		for (aj = 0; aj < na; aj++) {
			const struct phx_cfg_addr *y = &cfg->ports[pj].addrs[aj];
			uint32_t m = phx_cfg_mask(x->plen < y->plen ? x->plen
								    : y->plen);

			if (!has(src->ports[pj].addr[aj]))
				continue;
			if (overlap ? (x->ip & m) != (y->ip & m)
				    : x->ip != y->ip)
				continue;
			*pj_out = pj;
			*aj_out = aj;
			return true;
		}
	}
	return false;
}

/*
 * Every address unique, and subnets of different ports disjoint (a packet
 * to a connected subnet must have exactly one egress port). Addresses of
 * one port may share a subnet: the lab puts a member address and a VIP in
 * the same /24. One error per address: a duplicate, else an overlap.
 */
static void
check_addresses(struct phx_cfg_ctx *ctx, const struct phx_config *cfg,
		const struct phx_cfg_srcmap *src)
{
	char path[PATH_LEN], a[16], b[16], lbl[48];
	unsigned pi, ai, pj, aj;

	for (pi = 0; pi < cfg->n_ports; pi++) {
		for (ai = 0; ai < cfg->ports[pi].n_addrs; ai++) {
			const struct phx_cfg_addr *x = &cfg->ports[pi].addrs[ai];
			const struct phx_cfg_addr *y;

			if (!has(src->ports[pi].addr[ai]))
				continue;
			snprintf(path, sizeof(path), "ports[%u].addresses[%u]",
				 pi, ai);
			if (find_earlier(cfg, src, pi, ai, false, &pj, &aj)) {
				y = &cfg->ports[pj].addrs[aj];
				phx_cfg_err(ctx, x->loc, path, "duplicate address "
					    "%s (already at ports[%u].addresses"
					    "[%u], line %u)",
					    phx_ip4_str(x->ip, a), pj, aj,
					    (unsigned)y->loc.line);
				continue;
			}
			if (!find_earlier(cfg, src, pi, ai, true, &pj, &aj))
				continue;
			y = &cfg->ports[pj].addrs[aj];
			phx_cfg_err(ctx, x->loc, path, "subnet %s/%u overlaps "
				    "%s/%u of port %s (ports[%u].addresses[%u], "
				    "line %u); each port needs its own subnet",
				    phx_ip4_str(x->ip & phx_cfg_mask(x->plen), a),
				    x->plen,
				    phx_ip4_str(y->ip & phx_cfg_mask(y->plen), b),
				    y->plen,
				    port_label(cfg, src, pj, lbl, sizeof(lbl)),
				    pj, aj, (unsigned)y->loc.line);
		}
	}
}

/* Most specific connected subnet of port p (or of any port if p < 0) that
 * holds ip; returns the port, or -1. */
static int
connected_port(const struct phx_config *cfg, const struct phx_cfg_srcmap *src,
	       int p, uint32_t ip, const struct phx_cfg_addr **addr)
{
	int best = -1;
	unsigned i, k;

	*addr = NULL;
	for (i = 0; i < cfg->n_ports; i++) {
		if (p >= 0 && i != (unsigned)p)
			continue;
		for (k = 0; k < cfg->ports[i].n_addrs; k++) {
			const struct phx_cfg_addr *x = &cfg->ports[i].addrs[k];
			uint32_t m = phx_cfg_mask(x->plen);

			if (!has(src->ports[i].addr[k]) ||
			    (x->ip & m) != (ip & m))
				continue;
			if (*addr == NULL || x->plen > (*addr)->plen) {
				*addr = x;
				best = (int)i;
			}
		}
	}
	return best;
}

/* Is prefix/plen exactly the subnet of a port address? Which one. */
static bool
connected_subnet(const struct phx_config *cfg,
		 const struct phx_cfg_srcmap *src, uint32_t prefix,
		 unsigned plen, unsigned *pi, unsigned *ai)
{
	unsigned i, k;

	for (i = 0; i < cfg->n_ports; i++) {
		for (k = 0; k < cfg->ports[i].n_addrs; k++) {
			const struct phx_cfg_addr *x = &cfg->ports[i].addrs[k];

			if (has(src->ports[i].addr[k]) && x->plen == plen &&
			    (x->ip & phx_cfg_mask(plen)) == prefix) {
				*pi = i;
				*ai = k;
				return true;
			}
		}
	}
	return false;
}

/* "10.1.0.0/24 on in0, 10.2.0.0/24 on out0" (capped) for messages. */
static void
subnet_list(const struct phx_config *cfg, const struct phx_cfg_srcmap *src,
	    int p, char *buf, size_t size)
{
	char a[16], lbl[48];
	size_t o = 0;
	unsigned i, k;

	buf[0] = '\0';
	for (i = 0; i < cfg->n_ports; i++) {
		if (p >= 0 && i != (unsigned)p)
			continue;
		for (k = 0; k < cfg->ports[i].n_addrs; k++) {
			const struct phx_cfg_addr *x = &cfg->ports[i].addrs[k];
			int r;

			uint32_t net = x->ip & phx_cfg_mask(x->plen);
			unsigned e;

			if (!has(src->ports[i].addr[k]))
				continue;
			/* a port's addresses often share one subnet: once */
			for (e = 0; e < k; e++)
				if (has(src->ports[i].addr[e]) &&
				    cfg->ports[i].addrs[e].plen == x->plen &&
				    (cfg->ports[i].addrs[e].ip &
				     phx_cfg_mask(x->plen)) == net)
					break;
			if (e < k)
				continue;
			phx_ip4_str(net, a);
			r = snprintf(buf + o, size - o, "%s%s/%u on %s",
				     o ? ", " : "", a, x->plen,
				     port_label(cfg, src, i, lbl, sizeof(lbl)));
			if (r < 0 || (size_t)r >= size - o) {
				/* cut at the last complete entry */
				if (o + 5 <= size)
					snprintf(buf + o, size - o, ", ...");
				return;
			}
			o += (size_t)r;
		}
	}
}

static void
check_route(struct phx_cfg_ctx *ctx, struct phx_config *cfg,
	    const struct phx_cfg_srcmap *src, unsigned ri)
{
	struct phx_cfg_route *r = &cfg->routes[ri];
	const struct phx_cfg_route_src *rs = &src->routes[ri];
	const struct phx_cfg_addr *on;
	char path[PATH_LEN], a[16], b[16], list[160];
	unsigned i, k;
	int p = -1;

	/* prefix: unique, and not a connected subnet (the dataplane derives
	 * those; a second entry for the same prefix would be ambiguous) */
	if (has(rs->prefix)) {
		snprintf(path, sizeof(path), "routes[%u].prefix", ri);
		for (i = 0; i < ri; i++) {
			const struct phx_cfg_route *o = &cfg->routes[i];

			if (has(src->routes[i].prefix) &&
			    o->prefix == r->prefix && o->plen == r->plen) {
				phx_cfg_err(ctx, rs->prefix, path,
					    "duplicate route %s/%u (already at "
					    "routes[%u], line %u)",
					    phx_ip4_str(r->prefix, a), r->plen,
					    i, (unsigned)src->routes[i].prefix.line);
				break;
			}
		}
		if (connected_subnet(cfg, src, r->prefix, r->plen, &i, &k))
			phx_cfg_err(ctx, rs->prefix, path,
				    "route %s/%u is the connected subnet of "
				    "port %s (ports[%u].addresses[%u]); "
				    "connected routes are implied",
				    phx_ip4_str(r->prefix, a), r->plen,
				    port_label(cfg, src, i, list, sizeof(list)),
				    i, k);
	}

	if (!rs->via_given && !rs->port_given) {
		phx_cfg_path_index(path, sizeof(path), "routes", ri);
		phx_cfg_err(ctx, rs->self, path, "a route needs \"via\" (next "
			    "hop), \"port\" (directly connected), or both");
		return;
	}

	/* port: must name a port */
	if (has(rs->port)) {
		snprintf(path, sizeof(path), "routes[%u].port", ri);
		p = port_ref(ctx, cfg, src, rs->port, path, rs->port_name);
		if (p < 0)
			return;
		r->port = p;
	}
	if (rs->port_given && p < 0)
		return; /* port value rejected by the walker */

	/* via: on a connected subnet (of the port, if one was given) */
	if (!has(rs->via))
		return;
	snprintf(path, sizeof(path), "routes[%u].via", ri);
	for (i = 0; i < cfg->n_ports; i++) {
		for (k = 0; k < cfg->ports[i].n_addrs; k++) {
			if (has(src->ports[i].addr[k]) &&
			    cfg->ports[i].addrs[k].ip == r->via) {
				phx_cfg_err(ctx, rs->via, path, "next hop %s is "
					    "this firewall's own address "
					    "(ports[%u].addresses[%u])",
					    phx_ip4_str(r->via, a), i, k);
				return;
			}
		}
	}
	if (vip_addr(cfg, src, r->via, &i)) {
		phx_cfg_err(ctx, rs->via, path, "next hop %s is a VIP of this "
			    "firewall's cluster (cluster.vips[%u])",
			    phx_ip4_str(r->via, a), i);
		return;
	}
	if (connected_port(cfg, src, p, r->via, &on) < 0) {
		subnet_list(cfg, src, p, list, sizeof(list));
		if (p >= 0)
			phx_cfg_err(ctx, rs->via, path, "next hop %s is not in "
				    "a connected subnet of port \"%s\" (%s)",
				    phx_ip4_str(r->via, a), cfg->ports[p].name,
				    list[0] ? list : "it has no addresses");
		else
			phx_cfg_err(ctx, rs->via, path, "next hop %s is not in "
				    "any connected subnet (%s)",
				    phx_ip4_str(r->via, a),
				    list[0] ? list : "no port has an address");
		return;
	}
	if (on->plen <= 30) {
		uint32_t m = phx_cfg_mask(on->plen);

		if ((r->via & ~m) == 0 || (r->via & ~m) == ~m) {
			phx_cfg_err(ctx, rs->via, path, "next hop %s is the %s "
				    "address of %s/%u",
				    phx_ip4_str(r->via, a),
				    (r->via & ~m) == 0 ? "network" : "broadcast",
				    phx_ip4_str(on->ip & m, b), on->plen);
			return;
		}
	}
	if (p < 0)
		r->port = connected_port(cfg, src, -1, r->via, &on);
}

static void
check_eal(struct phx_cfg_ctx *ctx, const struct phx_config *cfg,
	  const struct phx_cfg_srcmap *src)
{
	uint8_t set[128];
	char why[200];
	unsigned need = cfg->dataplane.workers + 1;
	int n;

	n = phx_cfg_lcores_parse(cfg->eal.lcores, set, sizeof(set), why,
				 sizeof(why));
	if (n < 0)
		return; /* reported by the walker */
	/* a defaulted list ("0-<workers>") always fits */
	if (has(src->eal.lcores) && (unsigned)n < need)
		phx_cfg_err(ctx, src->eal.lcores, "eal.lcores", "\"%s\" names "
			    "%d lcore%s; %u worker%s need%s %u (one main lcore "
			    "plus one per worker)", cfg->eal.lcores, n,
			    n == 1 ? "" : "s", cfg->dataplane.workers,
			    cfg->dataplane.workers == 1 ? "" : "s",
			    cfg->dataplane.workers == 1 ? "s" : "", need);
	if (has(src->eal.main_lcore) && cfg->eal.main_lcore >= 0 &&
	    !(set[cfg->eal.main_lcore / 8] & (1u << (cfg->eal.main_lcore % 8))))
		phx_cfg_err(ctx, src->eal.main_lcore, "eal.main_lcore",
			    "lcore %d is not in lcores \"%s\"",
			    cfg->eal.main_lcore, cfg->eal.lcores);
	/* DPDK 22.11 EAL: "--legacy-mem is not compatible with --in-memory",
	 * and --no-huge implies legacy memory. */
	if (cfg->eal.in_memory && cfg->eal.no_huge)
		phx_cfg_err(ctx, src->eal.in_memory, "eal.in_memory",
			    "in_memory cannot be combined with no_huge (DPDK "
			    "22.11 refuses --in-memory with --no-huge); drop "
			    "one of them");
}

/* ------------------------------------------------------------- policy */

static int
find_zone(const struct phx_config *cfg, const struct phx_cfg_srcmap *src,
	  const char *name)
{
	unsigned i;

	for (i = 0; i < cfg->n_zones; i++)
		if (has(src->zones[i].name) &&
		    strcmp(cfg->zones[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* "10.1.0.11, 10.2.0.11, 10.1.0.1 (VIP), ...": this member's addresses,
 * then its cluster's VIPs. */
static const char *
own_addrs(const struct phx_config *cfg, const struct phx_cfg_srcmap *src,
	  char *buf, size_t size)
{
	size_t o = 0;
	unsigned i, k;
	char a[16], v[24];

	buf[0] = '\0';
	for (i = 0; i < cfg->n_ports; i++)
		for (k = 0; k < cfg->ports[i].n_addrs; k++)
			if (has(src->ports[i].addr[k]))
				list_add(buf, size, &o,
					 phx_ip4_str(cfg->ports[i].addrs[k].ip,
						     a));
	for (i = 0; cfg->cluster.enabled && i < cfg->cluster.n_vips; i++) {
		if (!has(src->cluster.vips[i].address))
			continue;
		snprintf(v, sizeof(v), "%s (VIP)",
			 phx_ip4_str(cfg->cluster.vips[i].ip, a));
		list_add(buf, size, &o, v);
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "none: no port has an address");
	return buf;
}

/* Is ip one of this member's addresses? Which port/address. */
static bool
own_addr(const struct phx_config *cfg, const struct phx_cfg_srcmap *src,
	 uint32_t ip, unsigned *pi, unsigned *ai)
{
	unsigned i, k;

	for (i = 0; i < cfg->n_ports; i++)
		for (k = 0; k < cfg->ports[i].n_addrs; k++)
			if (has(src->ports[i].addr[k]) &&
			    cfg->ports[i].addrs[k].ip == ip) {
				*pi = i;
				*ai = k;
				return true;
			}
	return false;
}

/* ------------------------------------------------ VLAN sub-interfaces */

/* Does entry i mean to be a VLAN sub-interface? What the operator wrote
 * decides, even where the walker rejected a value: an entry with "device"
 * is physical (if it also has "parent" or "vlan", that is reported once,
 * as such), an entry with neither kind of key counts as a physical port
 * without its device. */
static bool
is_sub(const struct phx_cfg_srcmap *src, unsigned i)
{
	const struct phx_cfg_port_src *ps = &src->ports[i];

	return !has(ps->device_key) && (has(ps->parent_key) ||
					has(ps->vlan_key));
}

/*
 * Sub-interface i's "parent": an existing physical port other than i. No
 * QinQ: a sub-interface of a sub-interface would need a second tag that
 * the dataplane does not parse. Returns the parent's index, or -1 (after
 * reporting, or when the value was rejected by the walker).
 */
static int
resolve_parent(struct phx_cfg_ctx *ctx, const struct phx_config *cfg,
	       const struct phx_cfg_srcmap *src, unsigned i)
{
	const struct phx_cfg_port_src *ps = &src->ports[i];
	char path[PATH_LEN];
	int p;

	if (!has(ps->parent))
		return -1;
	snprintf(path, sizeof(path), "ports[%u].parent", i);
	p = port_ref(ctx, cfg, src, ps->parent, path, ps->parent_name);
	if (p < 0)
		return -1;
	if ((unsigned)p == i) {
		phx_cfg_err(ctx, ps->parent, path, "port \"%s\" names itself "
			    "as its parent; the parent is the physical port "
			    "that carries the VLAN", ps->parent_name);
		return -1;
	}
	if (is_sub(src, (unsigned)p)) {
		phx_cfg_err(ctx, ps->parent, path, "port \"%s\" is itself a "
			    "VLAN sub-interface; the parent must be a physical "
			    "port (VLANs are not stacked: no QinQ)",
			    ps->parent_name);
		return -1;
	}
	return p;
}

/*
 * Each port entry is either physical ("device") or a VLAN sub-interface
 * ("parent" and "vlan"; SPEC MODE-08). A sub-interface has its parent's
 * device, MAC, rings and promiscuity, so it may not set them; it has its
 * own name, addresses and MTU (at most the parent's, the parent's if not
 * given); and no two sub-interfaces of one parent share a VLAN id. On
 * success the sub-interface gets parent, and a copy of the parent's
 * device settings, so that code reading a port's device, MAC or rings
 * sees the values the frames really use. Runs before every other check:
 * those treat sub-interfaces as ordinary ports.
 */
static void
check_port_kinds(struct phx_cfg_ctx *ctx, struct phx_config *cfg,
		 const struct phx_cfg_srcmap *src)
{
	char path[PATH_LEN], lbl[48], plbl[48];
	unsigned i, j, k;

	for (i = 0; i < cfg->n_ports; i++) {
		const struct phx_cfg_port_src *ps = &src->ports[i];
		struct phx_cfg_port *sub = &cfg->ports[i];
		const struct phx_cfg_port *par;
		bool par_mtu;
		int p;

		if (!ps->object)
			continue; /* "expected object" said it all */
		port_label(cfg, src, i, lbl, sizeof(lbl));
		if (has(ps->device_key)) {
			const bool pk = has(ps->parent_key);

			if (!pk && !has(ps->vlan_key))
				continue; /* a physical port */
			snprintf(path, sizeof(path), "ports[%u].%s", i,
				 pk ? "parent" : "vlan");
			phx_cfg_err(ctx, pk ? ps->parent_key : ps->vlan_key,
				    path, "port %s has \"device\" and \"%s\": "
				    "a port is either physical (\"device\") or "
				    "a VLAN sub-interface (\"parent\" and "
				    "\"vlan\"), not both", lbl,
				    pk ? "parent" : "vlan");
			continue;
		}
		phx_cfg_path_index(path, sizeof(path), "ports", i);
		if (!is_sub(src, i)) {
			phx_cfg_err(ctx, ps->self, path, "port %s needs "
				    "\"device\" (a physical port) or "
				    "\"parent\" and \"vlan\" (a VLAN "
				    "sub-interface)", lbl);
			continue;
		}
		if (!has(ps->vlan_key))
			phx_cfg_err(ctx, ps->self, path, "VLAN sub-interface "
				    "%s has \"parent\" but no \"vlan\" (its "
				    "802.1Q VLAN id, 1..4094)", lbl);
		else if (!has(ps->parent_key))
			phx_cfg_err(ctx, ps->self, path, "VLAN sub-interface "
				    "%s has \"vlan\" but no \"parent\" (the "
				    "physical port whose frames carry the tag)",
				    lbl);

		p = resolve_parent(ctx, cfg, src, i);
		if (p >= 0)
			snprintf(plbl, sizeof(plbl), "its parent \"%s\"",
				 cfg->ports[p].name);
		else
			snprintf(plbl, sizeof(plbl), "its parent port");
		for (k = 0; k < PHX_CFG_OWN_MAX; k++) {
			const char *key = phx_cfg_port_own_keys[k];

			if (!has(ps->own_key[k]))
				continue;
			snprintf(path, sizeof(path), "ports[%u].%s", i, key);
			phx_cfg_err(ctx, ps->own_key[k], path, "a VLAN "
				    "sub-interface takes \"%s\" from %s (they "
				    "share one device); set it there", key,
				    plbl);
		}
		if (p < 0 || !has(ps->vlan))
			continue;
		par = &cfg->ports[p];

		/* one sub-interface per (parent, VLAN id): the tag is what
		 * picks the port of a received frame */
		for (j = 0; j < i; j++) {
			if (cfg->ports[j].parent != p ||
			    !has(src->ports[j].vlan) ||
			    cfg->ports[j].vlan != sub->vlan)
				continue;
			snprintf(path, sizeof(path), "ports[%u].vlan", i);
			phx_cfg_err(ctx, ps->vlan, path, "duplicate VLAN %u on "
				    "port \"%s\" (already at ports[%u].vlan, "
				    "line %u)", sub->vlan, par->name, j,
				    (unsigned)src->ports[j].vlan.line);
			break;
		}
		if (j < i)
			continue;

		/* A tagged frame is its parent's frame plus 4 bytes of tag,
		 * which the parent's buffers leave room for; an IP MTU above
		 * the parent's would not fit the device. A parent MTU that
		 * the walker rejected is neither taken nor compared with. */
		par_mtu = !has(src->ports[p].mtu_key) || has(src->ports[p].mtu);
		if (par_mtu && !has(ps->mtu_key)) {
			sub->mtu = par->mtu;
		} else if (par_mtu && has(ps->mtu) && sub->mtu > par->mtu) {
			snprintf(path, sizeof(path), "ports[%u].mtu", i);
			phx_cfg_err(ctx, ps->mtu, path, "MTU %u is larger than "
				    "the MTU %u of its parent \"%s\"", sub->mtu,
				    par->mtu, par->name);
		}

		sub->parent = p;
		snprintf(sub->device, sizeof(sub->device), "%s", par->device);
		sub->is_pci = par->is_pci;
		memcpy(sub->mac, par->mac, sizeof(sub->mac));
		sub->has_mac = par->has_mac;
		sub->rx_desc = par->rx_desc;
		sub->tx_desc = par->tx_desc;
		sub->promiscuous = par->promiscuous;
		sub->device_loc = par->device_loc;
	}
}

/* Does physical port p carry VLAN sub-interfaces (a trunk)? */
static bool
has_subs(const struct phx_config *cfg, int p)
{
	unsigned j;

	for (j = 0; j < cfg->n_ports; j++)
		if (cfg->ports[j].parent == p)
			return true;
	return false;
}

/*
 * Zones and ports share one namespace (a rule's "in"/"out" names either),
 * a zone lists existing ports, and "any" names no port (it means every
 * port in rules). Resolves each zone's port mask.
 */
static void
check_zones(struct phx_cfg_ctx *ctx, struct phx_config *cfg,
	    const struct phx_cfg_srcmap *src)
{
	char path[PATH_LEN], zpath[PATH_LEN];
	unsigned i, k;
	int p;

	for (i = 0; i < cfg->n_ports; i++) {
		if (!has(src->ports[i].name) ||
		    strcmp(cfg->ports[i].name, "any") != 0)
			continue;
		snprintf(path, sizeof(path), "ports[%u].name", i);
		phx_cfg_err(ctx, src->ports[i].name, path, "port name \"any\" "
			    "is reserved: in rules \"any\" means every port");
	}
	for (i = 0; i < cfg->n_zones; i++) {
		const struct phx_cfg_zone_src *zs = &src->zones[i];

		if (zs->key == NULL)
			continue;
		phx_cfg_path_key(zpath, sizeof(zpath), "zones", zs->key);
		if (has(zs->name) &&
		    (p = find_port(cfg, src, cfg->zones[i].name)) >= 0)
			phx_cfg_err(ctx, zs->name, zpath, "zone \"%s\" has the "
				    "name of port ports[%d]; zones and ports "
				    "share one namespace (rules name either)",
				    cfg->zones[i].name, p);
		for (k = 0; k < zs->n_ports; k++) {
			const struct phx_cfg_name_src *ns = &zs->ports[k];

			if (!has(ns->loc))
				continue;
			phx_cfg_path_index(path, sizeof(path), zpath, k);
			p = port_ref(ctx, cfg, src, ns->loc, path, ns->name);
			if (p >= 0)
				cfg->zones[i].ports |= 1u << p;
		}
	}
}

/* Resolve a rule's "in" or "out" names into refs[] and the port mask. */
static void
resolve_ifs(struct phx_cfg_ctx *ctx, const struct phx_config *cfg,
	    const struct phx_cfg_srcmap *src, unsigned ri, bool out,
	    unsigned n, const struct phx_cfg_name_src *names, bool is_list,
	    uint8_t *refs, uint32_t *mask)
{
	char path[PATH_LEN], list[160];
	const char *best = NULL;
	unsigned k, i, d, bestd;
	size_t o;
	int p;

	for (k = 0; k < n; k++) {
		const struct phx_cfg_name_src *ns = &names[k];

		if (!has(ns->loc))
			continue;
		if ((p = find_port(cfg, src, ns->name)) >= 0) {
			refs[k] = (uint8_t)p;
			*mask |= 1u << p;
			continue;
		}
		if ((p = find_zone(cfg, src, ns->name)) >= 0) {
			refs[k] = (uint8_t)(PHX_CFG_IFREF_ZONE | p);
			*mask |= cfg->zones[p].ports;
			continue;
		}
		if (is_list)
			snprintf(path, sizeof(path), "rules[%u].%s[%u]", ri,
				 out ? "out" : "in", k);
		else
			snprintf(path, sizeof(path), "rules[%u].%s", ri,
				 out ? "out" : "in");
		bestd = 99;
		for (i = 0; i < cfg->n_ports + cfg->n_zones; i++) {
			bool z = i >= cfg->n_ports;
			unsigned x = z ? i - cfg->n_ports : i;
			const char *cand = z ? cfg->zones[x].name
					     : cfg->ports[x].name;

			if (!has(z ? src->zones[x].name : src->ports[x].name))
				continue;
			d = phx_cfg_edit_distance(ns->name, cand);
			if (d < bestd) {
				bestd = d;
				best = cand;
			}
		}
		if (best != NULL && bestd <= (strlen(best) > 4 ? 2u : 1u)) {
			phx_cfg_err(ctx, ns->loc, path, "no port or zone named "
				    "\"%s\" (did you mean \"%s\"?)", ns->name,
				    best);
			continue;
		}
		o = 0;
		list[0] = '\0';
		for (i = 0; i < cfg->n_ports; i++)
			if (has(src->ports[i].name))
				list_add(list, sizeof(list), &o,
					 cfg->ports[i].name);
		for (i = 0; i < cfg->n_zones; i++)
			if (has(src->zones[i].name))
				list_add(list, sizeof(list), &o,
					 cfg->zones[i].name);
		phx_cfg_err(ctx, ns->loc, path, "no port or zone named \"%s\" "
			    "(ports and zones: %s)", ns->name,
			    list[0] ? list : "none");
	}
}

/* Rule names are unique; a rule without "name" is "rule<N>". */
static void
check_rule_name(struct phx_cfg_ctx *ctx, const struct phx_config *cfg,
		const struct phx_cfg_srcmap *src, unsigned ri)
{
	const struct phx_cfg_rule_src *rs = &src->rules[ri];
	char path[PATH_LEN];
	unsigned j;

	if (rs->name_given && !has(rs->name))
		return; /* rejected by the walker */
	for (j = 0; j < ri; j++) {
		const struct phx_cfg_rule_src *js = &src->rules[j];

		if ((js->name_given && !has(js->name)) ||
		    strcmp(cfg->rules[j].name, cfg->rules[ri].name) != 0)
			continue;
		if (!rs->name_given) {
			phx_cfg_path_index(path, sizeof(path), "rules", ri);
			phx_cfg_err(ctx, rs->self, path, "the default name "
				    "\"%s\" of this rule is taken by rules[%u] "
				    "(line %u); give this rule a \"name\"",
				    cfg->rules[ri].name, j,
				    (unsigned)js->self.line);
		} else {
			snprintf(path, sizeof(path), "rules[%u].name", ri);
			phx_cfg_err(ctx, rs->name, path, "duplicate rule name "
				    "\"%s\" (%s rules[%u], line %u)",
				    cfg->rules[ri].name, js->name_given
				    ? "already at" : "the default name of",
				    j, (unsigned)js->self.line);
		}
		return;
	}
}

static const char *
proto_str(uint8_t proto, char *buf, size_t size)
{
	switch (proto) {
	case 0:
		return "any";
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	default:
		snprintf(buf, size, "%u", proto);
		return buf;
	}
}

/*
 * NAT: only on accepted sessions; a source NAT address is one of ours
 * (replies must come back to this member); a destination NAT rule
 * forwards from our own addresses ("dst") to a target we can reach.
 * "Ours" includes the cluster's VIPs: the active member owns them, and
 * hiding behind a VIP is what keeps translated sessions alive across a
 * failover (SPEC ADDR-05); a VIP is never a destination NAT target.
 */
static void
check_rule_nat(struct phx_cfg_ctx *ctx, const struct phx_config *cfg,
	       const struct phx_cfg_srcmap *src, unsigned ri)
{
	const struct phx_cfg_rule *r = &cfg->rules[ri];
	const struct phx_cfg_rule_src *rs = &src->rules[ri];
	const struct phx_cfg_addr *on;
	const char *ours = cfg->cluster.enabled
			   ? "an address of this member or a VIP of its "
			     "cluster"
			   : "an address of this member";
	char path[PATH_LEN], list[160], a[16], b[16], pb[8];
	unsigned pi, ai, k, i;

	if (!has(rs->nat))
		return;
	snprintf(path, sizeof(path), "rules[%u].nat", ri);
	if (r->action != PHX_ACT_ACCEPT) {
		phx_cfg_err(ctx, rs->nat, path, "NAT applies to the sessions a "
			    "rule accepts; this rule's action is \"%s\"",
			    r->action == PHX_ACT_DROP ? "drop" : "reject");
		return;
	}
	if (r->nat_kind == PHX_NAT_SOURCE) {
		if (!has(rs->nat_addr) ||
		    own_addr(cfg, src, r->nat_ip, &pi, &ai) ||
		    vip_addr(cfg, src, r->nat_ip, &i))
			return;
		snprintf(path, sizeof(path), "rules[%u].nat.source", ri);
		phx_cfg_err(ctx, rs->nat_addr, path, "source NAT address %s is "
			    "not %s, so replies would not come back to it "
			    "(addresses: %s)", phx_ip4_str(r->nat_ip, a), ours,
			    own_addrs(cfg, src, list, sizeof(list)));
		return;
	}

	/* destination NAT */
	if (r->n_out != 0) {
		/* it matches packets to one of our addresses (below), which
		 * have no egress port: only "out" any matches them */
		snprintf(path, sizeof(path), "rules[%u].out", ri);
		phx_cfg_err(ctx, has(rs->out[0].loc) ? rs->out[0].loc : rs->self,
			    path,
			    "a destination NAT rule matches packets addressed "
			    "to this member, which have no egress port before "
			    "the translation: leave \"out\" out (any), or it "
			    "never matches");
	}
	if (has(rs->nat_port) && r->proto != 6 && r->proto != 17) {
		snprintf(path, sizeof(path), "rules[%u].nat.port", ri);
		phx_cfg_err(ctx, rs->nat_port, path, "a destination NAT port "
			    "needs \"proto\": \"tcp\" or \"udp\" (this rule's "
			    "proto is %s)", proto_str(r->proto, pb, sizeof(pb)));
	}
	if (r->n_dst == 0) {
		phx_cfg_path_index(path, sizeof(path), "rules", ri);
		phx_cfg_err(ctx, rs->self, path, "destination NAT needs "
			    "\"dst\": the address(es) of this member it "
			    "forwards from (%s)",
			    own_addrs(cfg, src, list, sizeof(list)));
	}
	for (k = 0; k < r->n_dst; k++) {
		const struct phx_cfg_prefix *d = &r->dst[k];

		if (!has(rs->dst[k]) ||
		    (d->plen == 32 && (own_addr(cfg, src, d->ip, &pi, &ai) ||
				       vip_addr(cfg, src, d->ip, &i))))
			continue;
		if (rs->dst_list)
			snprintf(path, sizeof(path), "rules[%u].dst[%u]", ri, k);
		else
			snprintf(path, sizeof(path), "rules[%u].dst", ri);
		phx_cfg_err(ctx, rs->dst[k], path, "destination NAT forwards "
			    "from addresses of this member%s; %s/%u is not one "
			    "(addresses: %s)", cfg->cluster.enabled
			    ? " or its cluster's VIPs" : "",
			    phx_ip4_str(d->ip, a), d->plen,
			    own_addrs(cfg, src, list, sizeof(list)));
	}
	if (!has(rs->nat_addr))
		return;
	snprintf(path, sizeof(path), "rules[%u].nat.destination", ri);
	if (own_addr(cfg, src, r->nat_ip, &pi, &ai)) {
		phx_cfg_err(ctx, rs->nat_addr, path, "destination NAT target "
			    "%s is this member's own address "
			    "(ports[%u].addresses[%u]); forward to a server",
			    phx_ip4_str(r->nat_ip, a), pi, ai);
		return;
	}
	if (vip_addr(cfg, src, r->nat_ip, &i)) {
		phx_cfg_err(ctx, rs->nat_addr, path, "destination NAT target "
			    "%s is a VIP of this member's cluster "
			    "(cluster.vips[%u]); forward to a server",
			    phx_ip4_str(r->nat_ip, a), i);
		return;
	}
	if (connected_port(cfg, src, -1, r->nat_ip, &on) >= 0) {
		uint32_t m = phx_cfg_mask(on->plen);

		if (on->plen <= 30 && ((r->nat_ip & ~m) == 0 ||
				       (r->nat_ip & ~m) == ~m))
			phx_cfg_err(ctx, rs->nat_addr, path, "destination NAT "
				    "target %s is the %s address of %s/%u",
				    phx_ip4_str(r->nat_ip, a),
				    (r->nat_ip & ~m) == 0 ? "network"
							  : "broadcast",
				    phx_ip4_str(r->nat_ip & m, b), on->plen);
		return;
	}
	for (i = 0; i < cfg->n_routes; i++)
		if (has(src->routes[i].prefix) &&
		    (r->nat_ip & phx_cfg_mask(cfg->routes[i].plen)) ==
		    cfg->routes[i].prefix)
			return;
	subnet_list(cfg, src, -1, list, sizeof(list));
	phx_cfg_err(ctx, rs->nat_addr, path, "destination NAT target %s is "
		    "not reachable: no connected subnet (%s) or route holds "
		    "it", phx_ip4_str(r->nat_ip, a),
		    list[0] ? list : "none");
}

static unsigned
count_or_any(unsigned n)
{
	return n == 0 ? 1 : n;
}

static void
check_rules(struct phx_cfg_ctx *ctx, struct phx_config *cfg,
	    const struct phx_cfg_srcmap *src)
{
	char path[PATH_LEN], pb[8];
	uint64_t total = 0;
	bool over = false;
	unsigned ri, dnat = 0;

	for (ri = 0; ri < cfg->n_rules; ri++) {
		struct phx_cfg_rule *r = &cfg->rules[ri];
		const struct phx_cfg_rule_src *rs = &src->rules[ri];
		uint64_t width;

		check_rule_name(ctx, cfg, src, ri);
		resolve_ifs(ctx, cfg, src, ri, false, r->n_in, rs->in,
			    rs->in_list, r->in_refs, &r->in_ports);
		resolve_ifs(ctx, cfg, src, ri, true, r->n_out, rs->out,
			    rs->out_list, r->out_refs, &r->out_ports);
		if (r->proto != 6 && r->proto != 17) {
			if (has(rs->sport)) {
				snprintf(path, sizeof(path), "rules[%u].sport",
					 ri);
				phx_cfg_err(ctx, rs->sport, path, "a port match "
					    "needs \"proto\": \"tcp\" or "
					    "\"udp\" (this rule's proto is %s)",
					    proto_str(r->proto, pb, sizeof(pb)));
			}
			if (has(rs->dport)) {
				snprintf(path, sizeof(path), "rules[%u].dport",
					 ri);
				phx_cfg_err(ctx, rs->dport, path, "a port match "
					    "needs \"proto\": \"tcp\" or "
					    "\"udp\" (this rule's proto is %s)",
					    proto_str(r->proto, pb, sizeof(pb)));
			}
		}
		check_rule_nat(ctx, cfg, src, ri);
		if (r->nat_kind == PHX_NAT_DEST && dnat <= PHX_CFG_MAX_DNAT) {
			dnat += r->n_dst;
			if (dnat > PHX_CFG_MAX_DNAT) {
				phx_cfg_path_index(path, sizeof(path), "rules",
						   ri);
				phx_cfg_err(ctx, rs->self, path, "more than %u "
					    "destination NAT addresses (one per "
					    "\"dst\" of each destination NAT "
					    "rule) up to this rule",
					    PHX_CFG_MAX_DNAT);
			}
		}

		/* the classifier's size: report the rule that crosses */
		width = phx_policy_rule_width(r);
		total += width;
		if (over || total <= PHX_ACL_MAX_SPECS)
			continue;
		over = true;
		phx_cfg_path_index(path, sizeof(path), "rules", ri);
		phx_cfg_err(ctx, rs->self, path, "the rules up to here expand "
			    "to %llu classifier entries, more than %u; this "
			    "rule adds %llu (in %u x out %u x src %u x dst %u "
			    "x sport %u x dport %u): list fewer ports, "
			    "prefixes and ranges per rule",
			    (unsigned long long)total, PHX_ACL_MAX_SPECS,
			    (unsigned long long)width,
			    count_or_any((unsigned)__builtin_popcount(r->in_ports)),
			    count_or_any((unsigned)__builtin_popcount(r->out_ports)),
			    count_or_any(r->n_src), count_or_any(r->n_dst),
			    count_or_any(r->n_sport), count_or_any(r->n_dport));
	}
}

/* ------------------------------------------------------------ cluster */

/*
 * A VIP (SPEC ADDR-01..03): on an existing port other than the sync port
 * and other than a trunk (a physical port with VLAN sub-interfaces, SPEC
 * ADDR-60), not a member address, unique, and inside the subnet of a
 * member address of its own port with that address's prefix length.
 * The member address
 * is what the port's ARP and CCP use, and the prefix length is what the
 * VIP is announced with; a VIP off every member subnet would be
 * unreachable from the members' own neighbours. Resolves the VIP's port.
 */
static void
check_vip(struct phx_cfg_ctx *ctx, struct phx_config *cfg,
	  const struct phx_cfg_srcmap *src, unsigned vi)
{
	struct phx_cfg_cluster *c = &cfg->cluster;
	struct phx_cfg_vip *v = &c->vips[vi];
	const struct phx_cfg_vip_src *vs = &src->cluster.vips[vi];
	const struct phx_cfg_addr *near = NULL, *on;
	char path[PATH_LEN], list[160], a[16], b[16], d[16], lbl[48];
	unsigned pi, ai, j, k;
	int p = -1, q;

	if (has(vs->port)) {
		snprintf(path, sizeof(path), "cluster.vips[%u].port", vi);
		p = port_ref(ctx, cfg, src, vs->port, path, vs->port_name);
		if (p >= 0 && p == c->sync_port) {
			phx_cfg_err(ctx, vs->port, path, "\"%s\" is the sync "
				    "port (cluster.sync_port); the sync network "
				    "carries no VIP (SPEC ADDR-03)",
				    vs->port_name);
			p = -1;
		} else if (p >= 0 && has_subs(cfg, p)) {
			/* SPEC ADDR-60: the VIP belongs to one VLAN; on the
			 * trunk it would be announced untagged, to none */
			if (has(vs->address))
				phx_cfg_err(ctx, vs->port, path, "VIP %s is on "
					    "port \"%s\", which carries VLAN "
					    "sub-interfaces; put it on one of "
					    "them (a VIP never sits on a "
					    "trunk)", phx_ip4_str(v->ip, a),
					    vs->port_name);
			else
				phx_cfg_err(ctx, vs->port, path, "port \"%s\" "
					    "carries VLAN sub-interfaces; put "
					    "the VIP on one of them (a VIP "
					    "never sits on a trunk)",
					    vs->port_name);
			p = -1;
		} else if (p >= 0) {
			v->port = p;
		}
	}
	if (!has(vs->address))
		return;
	snprintf(path, sizeof(path), "cluster.vips[%u].address", vi);
	phx_ip4_str(v->ip, a);
	if (own_addr(cfg, src, v->ip, &pi, &ai)) {
		phx_cfg_err(ctx, vs->address, path, "VIP %s is the address of "
			    "port %s (ports[%u].addresses[%u]); a VIP is shared "
			    "by the members and must not be a member's own "
			    "address", a, port_label(cfg, src, pi, lbl,
						      sizeof(lbl)), pi, ai);
		return;
	}
	for (j = 0; j < vi; j++) {
		if (!has(src->cluster.vips[j].address) ||
		    c->vips[j].ip != v->ip)
			continue;
		phx_cfg_err(ctx, vs->address, path, "duplicate VIP %s (already "
			    "at cluster.vips[%u], line %u)", a, j,
			    (unsigned)src->cluster.vips[j].address.line);
		return;
	}
	if (p < 0)
		return;
	for (k = 0; k < cfg->ports[p].n_addrs; k++) {
		const struct phx_cfg_addr *x = &cfg->ports[p].addrs[k];
		uint32_t m = phx_cfg_mask(x->plen);

		if (!has(src->ports[p].addr[k]) || (x->ip & m) != (v->ip & m))
			continue;
		if (x->plen == v->plen)
			return; /* in a member subnet of its port */
		near = x;
	}
	if (near != NULL) {
		phx_cfg_err(ctx, vs->address, path, "VIP %s/%u has another "
			    "prefix length than its subnet %s/%u (port %s "
			    "address %s/%u); write %s/%u", a, v->plen,
			    phx_ip4_str(near->ip & phx_cfg_mask(near->plen), b),
			    near->plen, port_label(cfg, src, (unsigned)p, lbl,
						   sizeof(lbl)),
			    phx_ip4_str(near->ip, d), near->plen, a,
			    near->plen);
		return;
	}
	q = connected_port(cfg, src, -1, v->ip, &on);
	if (q >= 0) {
		phx_cfg_err(ctx, vs->address, path, "VIP %s is not in a "
			    "connected subnet of port \"%s\"; it is in %s/%u of "
			    "port %s (give it that port)", a,
			    cfg->ports[p].name,
			    phx_ip4_str(on->ip & phx_cfg_mask(on->plen), b),
			    on->plen, port_label(cfg, src, (unsigned)q, lbl,
						 sizeof(lbl)));
		return;
	}
	subnet_list(cfg, src, p, list, sizeof(list));
	phx_cfg_err(ctx, vs->address, path, "VIP %s/%u is not in a connected "
		    "subnet of port \"%s\" (%s); a VIP needs a member address "
		    "of its port in the same subnet", a, v->plen,
		    cfg->ports[p].name, list[0] ? list : "it has no addresses");
}

/*
 * The failure detector's budget: a peer is declared dead after hello_ms x
 * dead_count. Under 10 ms a member that the host merely deschedules (a
 * timer tick, a busy hypervisor, an SMI) is failed over while healthy and
 * the cluster flaps; over 30 s a dead member black-holes traffic for
 * longer than any client waits. docs/config.md has the reasoning.
 */
#define DETECT_MIN_MS 10
#define DETECT_MAX_MS 30000

static void
check_cluster_timers(struct phx_cfg_ctx *ctx, const struct phx_config *cfg,
		     const struct phx_cfg_srcmap *src)
{
	const struct phx_cfg_cluster *c = &cfg->cluster;
	const struct phx_cfg_cluster_src *cs = &src->cluster;
	unsigned total = c->hello_ms * c->dead_count;
	struct phx_cfg_loc at = cs->self;
	const char *path = "cluster";

	/* a value the walker rejected was reported already */
	if ((cs->hello_given && !has(cs->hello_ms)) ||
	    (cs->dead_given && !has(cs->dead_count)))
		return;
	if (has(cs->dead_count)) {
		at = cs->dead_count;
		path = "cluster.dead_count";
	} else if (has(cs->hello_ms)) {
		at = cs->hello_ms;
		path = "cluster.hello_ms";
	}
	if (total < DETECT_MIN_MS)
		phx_cfg_err(ctx, at, path, "hello_ms x dead_count is %u ms, under "
			    "the %d ms floor: a member descheduled that long by "
			    "its host would be declared dead while healthy",
			    total, DETECT_MIN_MS);
	else if (total > DETECT_MAX_MS)
		phx_cfg_err(ctx, at, path, "hello_ms x dead_count is %u ms, over "
			    "%d ms: a dead member would hold its traffic that "
			    "long before a failover", total, DETECT_MAX_MS);
}


/* The interfaces CCP monitors (control/ccp.c): ports with an address and
 * a VIP, and the sync port (if it has an address). */
static unsigned
monitored_ports(const struct phx_config *cfg)
{
	const struct phx_cfg_cluster *c = &cfg->cluster;
	unsigned p, v, n = 0;

	for (p = 0; p < cfg->n_ports; p++) {
		bool mon = (int)p == c->sync_port;

		for (v = 0; v < c->n_vips && !mon; v++)
			mon = (unsigned)c->vips[v].port == p;
		n += mon && cfg->ports[p].n_addrs > 0;
	}
	return n;
}

static void
check_cluster(struct phx_cfg_ctx *ctx, struct phx_config *cfg,
	      const struct phx_cfg_srcmap *src)
{
	struct phx_cfg_cluster *c = &cfg->cluster;
	const struct phx_cfg_cluster_src *cs = &src->cluster;
	char list[160], m[8];
	size_t o = 0;
	unsigned i, k;
	int p;

	if (!c->enabled)
		return;
	if (has(cs->member) && has(cs->members)) {
		for (i = 0; i < c->n_members && c->members[i] != c->member; i++)
			;
		if (i == c->n_members) {
			list[0] = '\0';
			for (k = 0; k < c->n_members; k++) {
				snprintf(m, sizeof(m), "%u", c->members[k]);
				list_add(list, sizeof(list), &o, m);
			}
			phx_cfg_err(ctx, cs->member, "cluster.member", "member "
				    "%u is not in members [%s]; list every "
				    "member, this one included", c->member,
				    list);
		}
	}
	if (has(cs->sync_port)) {
		p = port_ref(ctx, cfg, src, cs->sync_port, "cluster.sync_port",
			     cs->sync_port_name);
		if (p >= 0) {
			c->sync_port = p;
			/* (rejected addresses were reported already) */
			if (cfg->ports[p].n_addrs == 0)
				phx_cfg_err(ctx, cs->sync_port,
					    "cluster.sync_port", "sync port "
					    "\"%s\" has no address; CCP and "
					    "state sync run over UDP between "
					    "the members' addresses on it",
					    cs->sync_port_name);
		}
	}
	for (i = 0; i < c->n_vips; i++)
		check_vip(ctx, cfg, src, i);
	check_cluster_timers(ctx, cfg, src);
	/* The control lcore and the workers sleep this long when idle; the
	 * heartbeat timers run at a quarter of hello_ms. */
	if (has(src->dataplane.idle_sleep_us) &&
	    (uint64_t)cfg->dataplane.idle_sleep_us * 4 >=
	    (uint64_t)c->hello_ms * 1000)
		phx_cfg_err(ctx, src->dataplane.idle_sleep_us,
			    "dataplane.idle_sleep_us", "%u us is not below a "
			    "quarter of cluster.hello_ms (%u ms): idle sleeps "
			    "would starve the heartbeat timers, and a dead "
			    "member would never be declared lost",
			    cfg->dataplane.idle_sleep_us, c->hello_ms);
	if (has(cs->required_interfaces) &&
	    c->required_interfaces > monitored_ports(cfg))
		phx_cfg_err(ctx, cs->required_interfaces,
			    "cluster.required_interfaces", "%u interfaces "
			    "required, but this member monitors %u (the ports "
			    "with an address and a VIP, and the sync port): "
			    "it would never be healthy",
			    c->required_interfaces, monitored_ports(cfg));
}

void
phx_cfg_validate(struct phx_cfg_ctx *ctx, struct phx_config *cfg,
		 const struct phx_cfg_srcmap *src)
{
	unsigned i;

	check_port_kinds(ctx, cfg, src);
	check_ports(ctx, cfg, src);
	check_addresses(ctx, cfg, src);
	for (i = 0; i < cfg->n_routes; i++)
		check_route(ctx, cfg, src, i);
	check_eal(ctx, cfg, src);
	check_zones(ctx, cfg, src);
	check_rules(ctx, cfg, src);
	check_cluster(ctx, cfg, src);
}
