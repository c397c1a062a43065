/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Semantic validation of a walked configuration: the checks that need more
 * than one value. Unique port names and devices, addresses that are unique
 * and on disjoint subnets per port, routes that point somewhere reachable,
 * and an lcore list that fits the workers.
 *
 * Runs after the schema walker on the same error list, so a file with a
 * typo and a duplicate address reports both. Values the walker already
 * rejected have no location in the source map (line 0) and are skipped
 * here, so one mistake is never reported twice.
 *
 * Everything is O(n^2) over ports x addresses (<= 16 x 8) and routes
 * (<= 1024, so <= ~0.5 M comparisons for the duplicate-prefix check): a
 * hash would be faster, but this runs once per load and is obviously right.
 */
#include <stdio.h>
#include <string.h>

#include "lib/config_node.h"

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
		for (i = 0; i < cfg->n_ports; i++)
			if (has(src->ports[i].name) &&
			    strcmp(cfg->ports[i].name, rs->port_name) == 0)
				break;
		if (i == cfg->n_ports) {
			snprintf(path, sizeof(path), "routes[%u].port", ri);
			list[0] = '\0';
			for (k = 0; k < cfg->n_ports; k++)
				if (has(src->ports[k].name))
					snprintf(list + strlen(list),
						 sizeof(list) - strlen(list),
						 "%s%s", list[0] ? ", " : "",
						 cfg->ports[k].name);
			phx_cfg_err(ctx, rs->port, path, "no port named \"%s\" "
				    "(ports: %s)", rs->port_name,
				    list[0] ? list : "none");
			return;
		}
		p = (int)i;
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

void
phx_cfg_validate(struct phx_cfg_ctx *ctx, struct phx_config *cfg,
		 const struct phx_cfg_srcmap *src)
{
	unsigned i;

	check_ports(ctx, cfg, src);
	check_addresses(ctx, cfg, src);
	for (i = 0; i < cfg->n_routes; i++)
		check_route(ctx, cfg, src, i);
	check_eal(ctx, cfg, src);
}
