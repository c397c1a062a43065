/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /phalanx/... telemetry commands (contract: docs/telemetry.md).
 *
 * Callbacks run on DPDK's telemetry pthreads, not on lcores (STYLE 3.2):
 * they read per-lcore counter blocks (single writer, aligned 64-bit loads),
 * immutable configuration and port data, the control lcore's neighbour
 * state under its mutex, and the reloadable configuration and reload
 * result under ctl->cfg_lock (ctl_priv.h); they never touch worker-owned
 * state otherwise.
 * A read-write lock keeps a callback from running while the control
 * structure is being freed at shutdown.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>
#include <rte_version.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>

#include "control/ctl_priv.h"
#include "dataplane/dp_api.h"
#include "lib/tcp_fsm.h"
#include "phx_config.h"

/*
 * /phalanx/arp rows a page; a row at its largest (quoted and comma'd: an
 * address, a MAC, a port name, the longest state name, three 20-digit
 * numbers) times the page, plus well under 256 bytes of the rest, must
 * fit DPDK 22.11's 16 KiB answer (see RULES_PAGE).
 */
#define ARP_PAGE 64
#define ARP_ROW_MAX ((15 + 3) + (17 + 3) + (PHX_CFG_NAME_LEN - 1 + 3) + \
		     (sizeof("incomplete") - 1 + 3) + 3 * (20 + 1))

/*
 * /phalanx/rules rows a page. DPDK 22.11 writes an answer into a 16 KiB
 * buffer and silently leaves out a column that does not fit, so a page
 * must fit at its largest: a row is at most a name ("..." and a comma;
 * names are [A-Za-z0-9_-], nothing to escape), "accept" or "reject",
 * "destination" and a 20-digit hits count with their quotes and commas;
 * the rest (command, scalars, column keys) is well under 256 bytes.
 */
#define RULES_PAGE 128
#define PHX_CONN_TIMEOUT_MS 1000 /* a /phalanx/conn page, the wait behind
				  * another request included: under phx's 2 s */
#define PHX_CLEAR_TIMEOUT_MS 1500 /* all workers together, under phx's
				   * 2 s; a million sessions take ms */
#define TEL_OUTPUT_MAX (16 * 1024) /* MAX_OUTPUT_LEN, lib/telemetry */
#define RULES_ROW_MAX ((PHX_CFG_NAME_LEN - 1 + 3) + \
		       (sizeof("reject") - 1 + 3) + \
		       (sizeof("destination") - 1 + 3) + (20 + 1))
static_assert(RULES_PAGE * RULES_ROW_MAX + 256 <= TEL_OUTPUT_MAX,
	      "a /phalanx/rules page fits DPDK's telemetry buffer");
static_assert(RULES_PAGE <= RTE_TEL_MAX_ARRAY_ENTRIES, "one page an array");
/*
 * /phalanx/routes rows a page (prefix "255.255.255.255/32", a next hop
 * and a port name, quoted and comma'd), and the most rows there can be:
 * a connected route per address, and the static ones.
 */
#define ROUTES_PAGE 128
#define ROUTE_ROW_MAX ((18 + 3) + (15 + 3) + (PHX_CFG_NAME_LEN - 1 + 3))
#define ROUTES_MAX (PHX_CFG_MAX_PORTS * PHX_CFG_MAX_ADDRS + PHX_CFG_MAX_ROUTES)
static_assert(ROUTES_PAGE * ROUTE_ROW_MAX + 256 <= TEL_OUTPUT_MAX,
	      "a /phalanx/routes page fits DPDK's telemetry buffer");
static_assert(ROUTES_PAGE <= RTE_TEL_MAX_ARRAY_ENTRIES, "one page an array");
static_assert(ARP_PAGE * ARP_ROW_MAX + 256 <= TEL_OUTPUT_MAX,
	      "a /phalanx/arp page fits DPDK's telemetry buffer");
static_assert(ARP_PAGE <= RTE_TEL_MAX_ARRAY_ENTRIES, "one page an array");

static pthread_rwlock_t tel_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct phx_ctl *tel_ctl; /* guarded by tel_lock */

static void
ip_str(uint32_t ip_be, char *buf, size_t len)
{
	uint32_t h = rte_be_to_cpu_32(ip_be);

	snprintf(buf, len, "%u.%u.%u.%u", h >> 24, (h >> 16) & 0xff,
		 (h >> 8) & 0xff, h & 0xff);
}

/*
 * A parameter's decimal number of at most max: digits only, no blank,
 * sign or base prefix (strtoul takes " +1", and wraps "-1" round), no
 * overflow. Returns 0 or -EINVAL.
 */
int
phx_ctl_parse_dec(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/*
 * s as an array of strings of at most RTE_TEL_MAX_STRING_LEN - 1 bytes,
 * for the reader to join: DPDK 22.11 cuts a longer string (and says so
 * only in a return value). Bytes that are not printable ASCII become
 * '?': DPDK's JSON writer drops control characters and misreads bytes
 * above 0x7f. NULL when out of memory.
 */
static struct rte_tel_data *
text_chunks(const char *s)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	char chunk[RTE_TEL_MAX_STRING_LEN];
	size_t len = strlen(s), off = 0, n, i;

	if (a == NULL)
		return NULL;
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	do {
		n = RTE_MIN(len - off, sizeof(chunk) - 1);
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[off + i];

			chunk[i] = c < 0x20 || c > 0x7e ? '?' : (char)c;
		}
		chunk[n] = '\0';
		/* cannot be cut; fails only past the 512 entries an array
		 * holds, which no text of ours reaches (64 KiB) */
		if (rte_tel_data_add_array_string(a, chunk) != 0) {
			rte_tel_data_free(a);
			return NULL;
		}
		off += n;
	} while (off < len);
	return a;
}

/* Add s under key as text_chunks(). Returns 0 or -ENOMEM. */
static int
add_text(struct rte_tel_data *d, const char *key, const char *s)
{
	struct rte_tel_data *a = text_chunks(s);

	if (a == NULL)
		return -ENOMEM;
	if (rte_tel_data_add_dict_container(d, key, a, 0) != 0) {
		rte_tel_data_free(a);
		return -ENOMEM;
	}
	return 0;
}

/* Strings sent whole as plain strings: their buffers fit one. */
static_assert(sizeof(((struct phx_config *)NULL)->name) <=
	      RTE_TEL_MAX_STRING_LEN, "a member name fits a string");
static_assert(sizeof(((struct phx_config *)NULL)->eal.file_prefix) <=
	      RTE_TEL_MAX_STRING_LEN, "a file prefix fits a string");
static_assert(sizeof(((struct phx_cfg_port *)NULL)->name) <=
	      RTE_TEL_MAX_STRING_LEN, "a port name fits a string");

int
phx_ctl_tel_error(struct rte_tel_data *d, const char *fmt, ...)
{
	char msg[RTE_TEL_MAX_STRING_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rte_tel_data_start_dict(d);   /* whatever was added goes */
	rte_tel_data_add_dict_string(d, "error", msg);
	return 0;
}

/*
 * The columns of a table answer: n arrays, of u64 where bit k of u64_cols
 * is set, of strings elsewhere. 0, or -ENOMEM with none left allocated.
 */
static int
cols_new(struct rte_tel_data **col, unsigned n, uint32_t u64_cols)
{
	unsigned k;

	for (k = 0; k < n; k++) {
		col[k] = rte_tel_data_alloc();
		if (col[k] == NULL) {
			while (k-- > 0)
				rte_tel_data_free(col[k]);
			return -ENOMEM;
		}
		rte_tel_data_start_array(col[k], (u64_cols >> k) & 1 ?
					 RTE_TEL_U64_VAL : RTE_TEL_STRING_VAL);
	}
	return 0;
}

static void
cols_free(struct rte_tel_data **col, unsigned n)
{
	while (n-- > 0)
		rte_tel_data_free(col[n]);
}

/* The columns into d under names (d owns them then). */
static void
cols_put(struct rte_tel_data *d, const char *const *names,
	 struct rte_tel_data **col, unsigned n)
{
	unsigned k;

	for (k = 0; k < n; k++)
		rte_tel_data_add_dict_container(d, names[k], col[k], 0);
}

static int
tel_version(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	const struct phx_config *cfg = phx_dp_config(ctl->dp);

	if (params != NULL && *params != '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", PHX_VERSION);
	rte_tel_data_add_dict_string(d, "name", cfg->name);
	rte_tel_data_add_dict_string(d, "dpdk", rte_version());
	rte_tel_data_add_dict_u64(d, "pid", (uint64_t)getpid());
	rte_tel_data_add_dict_u64(d, "uptime_s",
		(rte_rdtsc() - ctl->start_tsc) / ctl->hz);
	return add_text(d, "config", cfg->path);
}

static int
tel_config(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	const struct phx_config *cfg = phx_dp_config(ctl->dp);

	if (params != NULL && *params != '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", cfg->name);
	if (add_text(d, "path", cfg->path) != 0)
		return -ENOMEM;
	rte_tel_data_add_dict_string(d, "file_prefix", cfg->eal.file_prefix);
	rte_tel_data_add_dict_u64(d, "workers", cfg->dataplane.workers);
	rte_tel_data_add_dict_u64(d, "idle_sleep_us",
				  cfg->dataplane.idle_sleep_us);
	rte_tel_data_add_dict_u64(d, "mbufs", cfg->dataplane.mbufs);
	rte_tel_data_add_dict_u64(d, "icmp_rate", cfg->dataplane.icmp_rate);
	rte_tel_data_add_dict_u64(d, "ports", cfg->n_ports);
	rte_tel_data_add_dict_u64(d, "routes", cfg->n_routes);
	rte_tel_data_add_dict_u64(d, "neigh_max", cfg->neigh.max_entries);
	rte_tel_data_add_dict_u64(d, "neigh_reachable_s", cfg->neigh.reachable_s);
	rte_tel_data_add_dict_u64(d, "neigh_hold", cfg->neigh.hold_packets);
	return 0;
}

static int
tel_ports(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	unsigned p;

	if (params != NULL && *params != '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	for (p = 0; p < phx_dp_nb_ports(ctl->dp); p++) {
		const struct phx_dp_port_info *pi = phx_dp_port(ctl->dp, p);
		struct rte_tel_data *c = rte_tel_data_alloc();
		struct rte_eth_stats st = {0};
		struct rte_eth_link link = {0};
		struct rte_tel_data *addrs = rte_tel_data_alloc();
		char buf[RTE_TEL_MAX_STRING_LEN], ip[16];
		unsigned a;

		if (c == NULL || addrs == NULL) {
			rte_tel_data_free(c);
			rte_tel_data_free(addrs);
			return -ENOMEM;
		}
		rte_eth_stats_get(pi->port_id, &st);
		rte_eth_link_get_nowait(pi->port_id, &link);
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "port_id", pi->port_id);
		if (add_text(c, "device", pi->cfg->device) != 0) {
			rte_tel_data_free(c);
			rte_tel_data_free(addrs);
			return -ENOMEM;
		}
		if (pi->vlan != 0) {
			rte_tel_data_add_dict_string(c, "parent",
				phx_dp_config(ctl->dp)->ports[pi->cfg->parent]
				.name);
			rte_tel_data_add_dict_u64(c, "vlan", pi->vlan);
		}
		snprintf(buf, sizeof(buf), RTE_ETHER_ADDR_PRT_FMT,
			 RTE_ETHER_ADDR_BYTES(&pi->mac));
		rte_tel_data_add_dict_string(c, "mac", buf);
		rte_tel_data_add_dict_u64(c, "mtu", pi->mtu);
		rte_tel_data_add_dict_string(c, "link",
			link.link_status ? "up" : "down");
		rte_tel_data_add_dict_u64(c, "speed_mbps", link.link_speed);
		rte_tel_data_add_dict_string(c, "duplex",
			link.link_duplex ? "full" : "half");
		rte_tel_data_add_dict_u64(c, "rx_queues", pi->nb_queues);
		rte_tel_data_add_dict_u64(c, "tx_queues", pi->nb_queues);
		/* one string an address: together they may be longer
		 * than one string holds */
		rte_tel_data_start_array(addrs, RTE_TEL_STRING_VAL);
		for (a = 0; a < pi->cfg->n_addrs; a++) {
			ip_str(rte_cpu_to_be_32(pi->cfg->addrs[a].ip), ip,
			       sizeof(ip));
			snprintf(buf, sizeof(buf), "%s/%u", ip,
				 pi->cfg->addrs[a].plen);
			rte_tel_data_add_array_string(addrs, buf);
		}
		rte_tel_data_add_dict_container(c, "addresses", addrs, 0);
		if (pi->vlan != 0) {
			struct phx_dp_vlan_stats v;

			/* its own traffic; the device's error counters are
			 * the parent's and stay there */
			phx_dp_vlan_stats(ctl->dp, p, &v);
			st = (struct rte_eth_stats){ .ipackets = v.rx_pkts,
				.ibytes = v.rx_bytes, .opackets = v.tx_pkts,
				.obytes = v.tx_bytes };
		}
		rte_tel_data_add_dict_u64(c, "rx_pkts", st.ipackets);
		rte_tel_data_add_dict_u64(c, "rx_bytes", st.ibytes);
		rte_tel_data_add_dict_u64(c, "tx_pkts", st.opackets);
		rte_tel_data_add_dict_u64(c, "tx_bytes", st.obytes);
		rte_tel_data_add_dict_u64(c, "rx_missed", st.imissed);
		rte_tel_data_add_dict_u64(c, "rx_errors", st.ierrors);
		rte_tel_data_add_dict_u64(c, "tx_errors", st.oerrors);
		rte_tel_data_add_dict_u64(c, "rx_nombuf", st.rx_nombuf);
		rte_tel_data_add_dict_container(d, pi->cfg->name, c, 0);
	}
	return 0;
}

static int
tel_pstat(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	unsigned nw = phx_dp_nb_workers(ctl->dp), k;
	struct phx_dp_stats sum;
	const struct phx_dp_stats *s = &sum;
	struct rte_tel_data *cnt, *drops;
	char scope[32] = "all";

	if (params != NULL && *params != '\0') {
		uint64_t w;

		if (strcmp(params, "ctl") == 0) {
			s = phx_dp_stats(ctl->dp, nw);
			snprintf(scope, sizeof(scope), "ctl");
		} else {
			if (nw == 0 ||
			    phx_ctl_parse_dec(params, nw - 1, &w) != 0)
				return -EINVAL;
			s = phx_dp_stats(ctl->dp, (unsigned)w);
			snprintf(scope, sizeof(scope), "worker%" PRIu64, w);
		}
	} else {
		phx_dp_stats_sum(ctl->dp, &sum);
	}
	cnt = rte_tel_data_alloc();
	drops = rte_tel_data_alloc();
	if (cnt == NULL || drops == NULL) {
		rte_tel_data_free(cnt);
		rte_tel_data_free(drops);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "scope", scope);
	rte_tel_data_add_dict_u64(d, "workers", nw);
	{
		/* gauges: live sessions in scope, and the capacity */
		uint64_t live = 0;
		unsigned w;

		for (w = 0; w < nw; w++)
			if (strcmp(scope, "all") == 0 ||
			    (strncmp(scope, "worker", 6) == 0 &&
			     (unsigned)atoi(scope + 6) == w))
				live += phx_dp_sessions(ctl->dp, w);
		rte_tel_data_add_dict_u64(d, "sessions", live);
		/* the control lcore holds no sessions */
		rte_tel_data_add_dict_u64(d, "sessions_max",
			strcmp(scope, "ctl") == 0 ? 0 :
			(uint64_t)phx_dp_config(ctl->dp)->sessions.max *
			(strcmp(scope, "all") == 0 ? nw : 1));
		rte_tel_data_add_dict_u64(d, "policy_generation",
					  phx_dp_policy_gen(ctl->dp));
	}
	rte_tel_data_start_dict(cnt);
	for (k = 0; k < PHX_CNT_MAX; k++)
		rte_tel_data_add_dict_u64(cnt, phx_dp_counter_name(k),
			__atomic_load_n(&s->cnt[k], __ATOMIC_RELAXED));
	rte_tel_data_start_dict(drops);
	for (k = 1; k < PHX_DROP_MAX; k++)
		rte_tel_data_add_dict_u64(drops, phx_drop_name(k),
			__atomic_load_n(&s->drop[k], __ATOMIC_RELAXED));
	rte_tel_data_add_dict_container(d, "counters", cnt, 0);
	rte_tel_data_add_dict_container(d, "drops", drops, 0);
	return 0;
}

/*
 * One page of the neighbour table: the parameter is the slot to start
 * from (default 0, at most the table's capacity), a page the first
 * ARP_PAGE live entries from there, "next" the slot of the first live
 * entry after them or -1. Entries never move between slots, so a walk
 * from 0 along "next" lists every entry that lives through it exactly
 * once, whatever else is added or removed meanwhile.
 */
static int
tel_arp(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	struct phx_arp *arp = ctl->arp;
	struct rte_tel_data *col[7];
	static const char *const names[7] = {
		"ip", "mac", "port", "state", "age_s", "expires_s", "held" };
	uint64_t from = 0, now;
	unsigned i, total = 0, rows = 0;
	int64_t next = -1;

	if (params != NULL && *params != '\0' &&
	    phx_ctl_parse_dec(params, arp->cap, &from) != 0)
		return -EINVAL;
	if (cols_new(col, 7, 0x70) != 0)       /* age, expires, held */
		return -ENOMEM;
	pthread_mutex_lock(&arp->lock);
	/* After the lock: control may have confirmed an entry while we
	 * waited, and now - confirmed_tsc must not wrap round. */
	now = rte_rdtsc();
	for (i = 0; i < arp->cap; i++) {
		const struct phx_neigh_entry *e = &arp->e[i];
		char buf[32];
		uint64_t exp = 0;

		if (e->state == PHX_NEIGH_FREE || e->state == PHX_NEIGH_DEAD)
			continue;
		total++;
		if (i < from || next >= 0)
			continue;
		if (rows == ARP_PAGE) {
			next = i;
			continue;
		}
		rows++;
		ip_str(e->ip, buf, sizeof(buf));
		rte_tel_data_add_array_string(col[0], buf);
		if (e->state == PHX_NEIGH_INCOMPLETE ||
		    e->state == PHX_NEIGH_FAILED)
			buf[0] = '\0';
		else
			snprintf(buf, sizeof(buf), RTE_ETHER_ADDR_PRT_FMT,
				 RTE_ETHER_ADDR_BYTES(&e->mac));
		rte_tel_data_add_array_string(col[1], buf);
		rte_tel_data_add_array_string(col[2],
			phx_dp_port(ctl->dp, e->port)->cfg->name);
		rte_tel_data_add_array_string(col[3],
			phx_neigh_state_names[e->state]);
		/* 0 also for a TSC a little behind control's lcore's */
		rte_tel_data_add_array_u64(col[4],
			e->confirmed_tsc != 0 && now > e->confirmed_tsc ?
			(now - e->confirmed_tsc) / ctl->hz : 0);
		if (e->state == PHX_NEIGH_REACHABLE &&
		    e->confirmed_tsc + arp->reachable_tsc > now)
			exp = (e->confirmed_tsc + arp->reachable_tsc - now) /
			      ctl->hz;
		rte_tel_data_add_array_u64(col[5], exp);
		rte_tel_data_add_array_u64(col[6], e->n_held);
	}
	pthread_mutex_unlock(&arp->lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "pages",
				  total ? (total + ARP_PAGE - 1) / ARP_PAGE : 1);
	rte_tel_data_add_dict_u64(d, "from", from);
	rte_tel_data_add_dict_int(d, "next", (int)next);
	cols_put(d, names, col, 7);
	return 0;
}

/* One /phalanx/routes row: prefix/plen, via (0: connected), port name. */
static void
route_row(struct rte_tel_data *col[3], uint32_t prefix, uint8_t plen,
	  uint32_t via, const char *port)
{
	char buf[32], ip[16];

	ip_str(rte_cpu_to_be_32(prefix), ip, sizeof(ip));
	snprintf(buf, sizeof(buf), "%s/%u", ip, plen);
	rte_tel_data_add_array_string(col[0], buf);
	ip_str(rte_cpu_to_be_32(via), ip, sizeof(ip));
	rte_tel_data_add_array_string(col[1], via ? ip : "");
	rte_tel_data_add_array_string(col[2], port);
}

/*
 * One page of the routing table, connected routes first (one per subnet
 * of a port's addresses), then the static ones in configuration order:
 * parameter the index of the first row (default 0; up to the row count,
 * which gives an empty page), ROUTES_PAGE rows, "next" the index to ask
 * for next or -1. Routes change only with a restart, so the pages of a
 * walk always fit together.
 */
static int
tel_routes(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	const struct phx_config *cfg = phx_dp_config(ctl->dp);
	struct rte_tel_data *col[3];
	static const char *const names[3] = { "prefix", "via", "port" };
	unsigned p, a, r, rows = 0;
	uint64_t from = 0;

	if (params != NULL && *params != '\0' &&
	    phx_ctl_parse_dec(params, ROUTES_MAX, &from) != 0)
		return -EINVAL;
	if (cols_new(col, 3, 0) != 0)
		return -ENOMEM;
	for (p = 0; p < cfg->n_ports; p++)
		for (a = 0; a < cfg->ports[p].n_addrs; a++) {
			const struct phx_cfg_addr *ad = &cfg->ports[p].addrs[a];
			uint32_t mask = ad->plen ? ~0u << (32 - ad->plen) : 0;
			unsigned b;

			/* Two addresses in one subnet make one route. */
			for (b = 0; b < a; b++) {
				const struct phx_cfg_addr *o =
					&cfg->ports[p].addrs[b];

				if (o->plen == ad->plen &&
				    (o->ip & mask) == (ad->ip & mask))
					break;
			}
			if (b < a)
				continue;
			if (rows >= from && rows < from + ROUTES_PAGE)
				route_row(col, ad->ip & mask, ad->plen, 0,
					  cfg->ports[p].name);
			rows++;
		}
	for (r = 0; r < cfg->n_routes; r++) {
		const struct phx_cfg_route *rt = &cfg->routes[r];

		if (rows >= from && rows < from + ROUTES_PAGE)
			route_row(col, rt->prefix, rt->plen, rt->via,
				  cfg->ports[rt->port].name);
		rows++;
	}
	if (from > rows) {
		cols_free(col, 3);
		return -EINVAL;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", rows);
	rte_tel_data_add_dict_u64(d, "from", from);
	rte_tel_data_add_dict_int(d, "next", from + ROUTES_PAGE < rows ?
				  (int)(from + ROUTES_PAGE) : -1);
	cols_put(d, names, col, 3);
	return 0;
}

static int
tel_policy(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	char path[sizeof(ctl->cfg->path)];
	char status[sizeof(ctl->reload_status)];
	uint64_t gen, ok, failed, when;
	struct rte_tel_data *last;
	unsigned n_rules;
	uint8_t def;

	if (params != NULL && *params != '\0')
		return -EINVAL;
	/* One generation: the configuration, its policy and the result
	 * that made them current. */
	pthread_mutex_lock(&ctl->cfg_lock);
	gen = phx_dp_policy_gen(ctl->dp);
	snprintf(path, sizeof(path), "%s", ctl->cfg->path);
	n_rules = ctl->cfg->n_rules;
	def = ctl->cfg->default_action;
	ok = ctl->reloads_ok;
	failed = ctl->reloads_failed;
	when = (uint64_t)ctl->reload_time;
	snprintf(status, sizeof(status), "%s", ctl->reload_status);
	pthread_mutex_unlock(&ctl->cfg_lock);

	last = text_chunks(status);
	if (last == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "generation", gen);
	if (add_text(d, "path", path) != 0) {
		rte_tel_data_free(last);
		return -ENOMEM;
	}
	rte_tel_data_add_dict_u64(d, "rules", n_rules);
	rte_tel_data_add_dict_string(d, "default_action",
		def == PHX_ACT_REJECT ? "reject" : "drop");
	rte_tel_data_add_dict_u64(d, "reloads_ok", ok);
	rte_tel_data_add_dict_u64(d, "reloads_failed", failed);
	rte_tel_data_add_dict_u64(d, "last_reload_unix", when);
	rte_tel_data_add_dict_container(d, "last_reload", last, 0);
	return 0;
}

static const char *
action_name(uint8_t a)
{
	return a == PHX_ACT_DROP ? "drop" : a == PHX_ACT_REJECT ? "reject" :
	       "accept";
}

static const char *
nat_name(uint8_t k)
{
	return k == PHX_NAT_SOURCE ? "source" :
	       k == PHX_NAT_DEST ? "destination" : "";
}

/*
 * One page of the rules: parameter the index of the first rule (default
 * 0; up to the rule count, which gives an empty page), RULES_PAGE rows,
 * "next" the index to ask for next or -1. Names, actions, NAT and hits
 * are all of the generation the answer names.
 */
static int
tel_rules(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	/* The whole policy is read at once (phx_dp_rule_hits); the arrays
	 * are too big for a telemetry thread's stack and shared by the
	 * clients' threads, hence the lock. */
	static uint64_t hits[PHX_CFG_MAX_RULES];
	static char names[PHX_CFG_MAX_RULES][PHX_CFG_NAME_LEN];
	static uint8_t act[PHX_CFG_MAX_RULES], nat[PHX_CFG_MAX_RULES];
	static pthread_mutex_t rules_lock = PTHREAD_MUTEX_INITIALIZER;
	static const char *const cn[4] = { "name", "action", "nat", "hits" };
	struct rte_tel_data *col[4];
	uint64_t from = 0;
	unsigned n, r, end;
	uint64_t gen;

	if (params != NULL && *params != '\0' &&
	    phx_ctl_parse_dec(params, PHX_CFG_MAX_RULES, &from) != 0)
		return -EINVAL;
	if (cols_new(col, 4, 0x8) != 0)        /* hits */
		return -ENOMEM;
	pthread_mutex_lock(&rules_lock);
	pthread_mutex_lock(&ctl->cfg_lock);
	gen = phx_dp_policy_gen(ctl->dp);
	n = phx_dp_rule_hits(ctl->dp, hits, names, PHX_CFG_MAX_RULES);
	end = from < n ? (unsigned)RTE_MIN(from + RULES_PAGE, n) : n;
	for (r = (unsigned)from; r < end; r++) {
		const struct phx_cfg_rule *cr = r < ctl->cfg->n_rules ?
						&ctl->cfg->rules[r] : NULL;

		act[r] = cr != NULL ? cr->action : UINT8_MAX;
		nat[r] = cr != NULL ? cr->nat_kind : PHX_NAT_NONE;
	}
	pthread_mutex_unlock(&ctl->cfg_lock);
	if (from > n) {
		pthread_mutex_unlock(&rules_lock);
		cols_free(col, 4);
		return -EINVAL;
	}
	for (r = (unsigned)from; r < end; r++) {
		rte_tel_data_add_array_string(col[0], names[r]);
		rte_tel_data_add_array_string(col[1], act[r] == UINT8_MAX ?
					      "" : action_name(act[r]));
		rte_tel_data_add_array_string(col[2], nat_name(nat[r]));
		rte_tel_data_add_array_u64(col[3], hits[r]);
	}
	pthread_mutex_unlock(&rules_lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "generation", gen);
	rte_tel_data_add_dict_u64(d, "total", n);
	rte_tel_data_add_dict_u64(d, "from", from);
	rte_tel_data_add_dict_int(d, "next", end < n ? (int)end : -1);
	cols_put(d, cn, col, 4);
	return 0;
}

static const char *
sess_state_name(const struct phx_sess *s)
{
	if (s->key.proto == IPPROTO_TCP)
		return s->state < PHX_TCP_STATE_MAX ?
		       phx_tcp_state_names[s->state] : "?";
	return s->state == PHX_SESS_ST_REPLIED ? "replied" : "new";
}

static void
ep_str(uint32_t ip, uint16_t port, uint8_t proto, char *buf, size_t len)
{
	char a[16];

	ip_str(ip, a, sizeof(a));
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
		snprintf(buf, len, "%s:%u", a, rte_be_to_cpu_16(port));
	else if (proto == IPPROTO_ICMP)
		snprintf(buf, len, "%s#%u", a, rte_be_to_cpu_16(port));
	else
		snprintf(buf, len, "%s", a);
}

/* What a /phalanx/conn or /phalanx/conn/clear parameter says. */
struct conn_req {
	unsigned w;
	uint32_t from;
	bool has_w, has_from;    /* given: clear takes neither */
	struct phx_conn_filter f;
};

/*
 * Parse "w=0,from=12,ip=10.1.0.100,port=80,proto=tcp,state=established"
 * into *r (zeroed first). Each key at most once; numbers strictly
 * decimal (phx_ctl_parse_dec), the address a dotted quad (inet_pton:
 * nothing before or after it). Returns 0 or -EINVAL.
 */
static int
conn_params(const char *params, struct conn_req *r)
{
	static const char *const keys[] = { "w", "from", "port", "proto",
					    "state", "ip" };
	char buf[256], *save = NULL, *tok;
	unsigned seen = 0;

	*r = (struct conn_req){ 0 };
	if (params == NULL || *params == '\0')
		return 0;
	if (strlen(params) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", params);
	for (tok = strtok_r(buf, ",&", &save); tok != NULL;
	     tok = strtok_r(NULL, ",&", &save)) {
		char *v = strchr(tok, '=');
		struct in_addr ia;
		uint64_t n;
		unsigned k, st;

		if (v == NULL)
			return -EINVAL;
		*v++ = '\0';
		for (k = 0; k < PHX_DIM(keys); k++)
			if (strcmp(tok, keys[k]) == 0)
				break;
		if (k == PHX_DIM(keys) || (seen & 1u << k) != 0)
			return -EINVAL;
		seen |= 1u << k;
		switch (k) {
		case 0: /* w */
			if (phx_ctl_parse_dec(v, 255, &n) != 0)
				return -EINVAL;
			r->w = (unsigned)n;
			r->has_w = true;
			break;
		case 1: /* from */
			if (phx_ctl_parse_dec(v, UINT32_MAX, &n) != 0)
				return -EINVAL;
			r->from = (uint32_t)n;
			r->has_from = true;
			break;
		case 2: /* port */
			if (phx_ctl_parse_dec(v, 65535, &n) != 0 || n == 0)
				return -EINVAL;
			r->f.port = rte_cpu_to_be_16((uint16_t)n);
			break;
		case 3: /* proto */
			if (strcmp(v, "tcp") == 0)
				r->f.proto = IPPROTO_TCP;
			else if (strcmp(v, "udp") == 0)
				r->f.proto = IPPROTO_UDP;
			else if (strcmp(v, "icmp") == 0)
				r->f.proto = IPPROTO_ICMP;
			else
				return -EINVAL;
			break;
		case 4: /* state */
			for (st = 0; st < PHX_TCP_STATE_MAX; st++)
				if (strcasecmp(v, phx_tcp_state_names[st]) == 0)
					break;
			if (st == PHX_TCP_STATE_MAX)
				return -EINVAL;
			r->f.state = (uint8_t)(st + 1);
			break;
		default: /* ip; 0.0.0.0 would read as "any"
			  * (phx_conn_filter) */
			if (inet_pton(AF_INET, v, &ia) != 1 ||
			    ia.s_addr == 0)
				return -EINVAL;
			r->f.ip = ia.s_addr;
			break;
		}
	}
	return 0;
}

static int
tel_conn(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	static struct phx_conn_page pg; /* telemetry requests are serialised
					 * by phx_dp_conn_page's lock, and the
					 * callback finishes with it */
	static pthread_mutex_t pg_lock = PTHREAD_MUTEX_INITIALIZER;
	struct conn_req req;
	struct rte_tel_data *col[9];
	/* flags: PHX_SESS_F_* (phx diff skips sessions that never sync) */
	static const char *const cn[9] = { "idx", "proto", "orig", "reply",
		"nat", "state", "remaining_s", "rule", "flags" };
	uint64_t gen, t0, budget, spent;
	unsigned w, i;
	uint32_t from;
	int rc;

	if (conn_params(params, &req) != 0 ||
	    req.w >= phx_dp_nb_workers(ctl->dp))
		return -EINVAL;
	w = req.w;
	from = req.from;
	if (cols_new(col, PHX_DIM(cn), 1u << 0 | 1u << 6 | 1u << 8) != 0)
		return -ENOMEM;
	/* One budget for the whole request, the wait behind another one
	 * included, so that phx (2 s) gets this answer, not its own
	 * timeout: the lock as the page request takes its own. */
	t0 = rte_rdtsc();
	budget = rte_get_tsc_hz() * PHX_CONN_TIMEOUT_MS / 1000;
	while (pthread_mutex_trylock(&pg_lock) != 0) {
		if (rte_rdtsc() - t0 >= budget) {
			cols_free(col, PHX_DIM(cn));
			return phx_ctl_tel_error(d, "worker %u did not respond "
						 "within %u ms", w,
						 PHX_CONN_TIMEOUT_MS);
		}
		rte_delay_us_sleep(100);
	}
	spent = (rte_rdtsc() - t0) * 1000 / rte_get_tsc_hz();
	rc = phx_dp_conn_page(ctl->dp, w, from, &req.f, &pg,
			      spent < PHX_CONN_TIMEOUT_MS ?
			      PHX_CONN_TIMEOUT_MS - (unsigned)spent : 0);
	if (rc != 0) {
		pthread_mutex_unlock(&pg_lock);
		cols_free(col, PHX_DIM(cn));
		if (rc == -ETIMEDOUT)
			return phx_ctl_tel_error(d, "worker %u did not respond "
						 "within %u ms", w,
						 PHX_CONN_TIMEOUT_MS);
		return rc;
	}
	/* A session's rule index belongs to the policy of its generation:
	 * under cfg_lock the current one cannot change while rows are
	 * named (not across the page request above, which waits for the
	 * worker). */
	pthread_mutex_lock(&ctl->cfg_lock);
	gen = phx_dp_policy_gen(ctl->dp);
	for (i = 0; i < pg.n; i++) {
		const struct phx_sess *s = &pg.s[i];
		struct phx_flow_key rk;
		char a[32], b[32], line[80];
		uint8_t pr = s->key.proto;

		phx_sess_reply_key(s, &rk);
		rte_tel_data_add_array_u64(col[0], pg.idx[i]);
		snprintf(line, sizeof(line), "%s", pr == IPPROTO_TCP ? "tcp" :
			 pr == IPPROTO_UDP ? "udp" : pr == IPPROTO_ICMP ?
			 "icmp" : "ip");
		if (pr != IPPROTO_TCP && pr != IPPROTO_UDP &&
		    pr != IPPROTO_ICMP)
			snprintf(line, sizeof(line), "%u", pr);
		rte_tel_data_add_array_string(col[1], line);
		ep_str(s->key.src_ip, s->key.sport, pr, a, sizeof(a));
		ep_str(s->key.dst_ip, s->key.dport, pr, b, sizeof(b));
		snprintf(line, sizeof(line), "%s > %s", a, b);
		rte_tel_data_add_array_string(col[2], line);
		ep_str(rk.src_ip, rk.sport, pr, a, sizeof(a));
		ep_str(rk.dst_ip, rk.dport, pr, b, sizeof(b));
		snprintf(line, sizeof(line), "%s > %s", a, b);
		rte_tel_data_add_array_string(col[3], line);
		line[0] = '\0';
		if (s->flags & (PHX_SESS_F_SNAT | PHX_SESS_F_DNAT)) {
			ep_str(s->nat_ip, s->nat_port, pr, a, sizeof(a));
			snprintf(line, sizeof(line), "%s %s",
				 s->flags & PHX_SESS_F_SNAT ? "snat" : "dnat", a);
		}
		rte_tel_data_add_array_string(col[4], line);
		rte_tel_data_add_array_string(col[5], sess_state_name(s));
		rte_tel_data_add_array_u64(col[6], phx_dp_sess_remaining_ms(
			ctl->dp, s, pg.now_tsc) / 1000);
		if (s->flags & PHX_SESS_F_SYNCED)
			snprintf(line, sizeof(line), "(synced)");
		else if (s->gen != (uint32_t)gen)
			/* admitted by an older policy, not re-checked yet:
			 * its index means nothing in the current one */
			snprintf(line, sizeof(line), "(gen %" PRIu32 ")",
				 s->gen);
		else
			phx_dp_rule_name(ctl->dp, s->rule, line,
					 sizeof(line));
		rte_tel_data_add_array_string(col[7], line);
		rte_tel_data_add_array_u64(col[8], s->flags);
	}
	pthread_mutex_unlock(&ctl->cfg_lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "worker", w);
	rte_tel_data_add_dict_u64(d, "workers", phx_dp_nb_workers(ctl->dp));
	rte_tel_data_add_dict_u64(d, "from", from);
	rte_tel_data_add_dict_int(d, "next", pg.next == UINT32_MAX ? -1 :
				  (int)pg.next);
	rte_tel_data_add_dict_u64(d, "sessions", pg.used);
	rte_tel_data_add_dict_u64(d, "rows", pg.n);
	pthread_mutex_unlock(&pg_lock);
	cols_put(d, cn, col, PHX_DIM(cn));
	return 0;
}

/* "all", or the filter of /phalanx/conn without w= and from= (at least
 * one key: clearing everything must be asked for by name). */
static int
tel_conn_clear(struct phx_ctl *ctl, const char *params, struct rte_tel_data *d)
{
	struct conn_req req = { 0 };
	const struct phx_conn_filter *f = &req.f;
	uint64_t n = 0;
	char msg[120];
	int rc;

	if (params == NULL || *params == '\0')
		return -EINVAL;
	if (strcmp(params, "all") != 0 &&
	    (conn_params(params, &req) != 0 || req.has_w || req.has_from ||
	     /* "," parses as no key at all: not a way to say all */
	     (f->ip == 0 && f->port == 0 && f->proto == 0 && f->state == 0)))
		return -EINVAL;
	rc = phx_dp_clear(ctl->dp, f, PHX_CLEAR_TIMEOUT_MS, &n);
	if (rc != 0 && rc != -ETIMEDOUT)
		return rc;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", rc == 0);
	if (rc == 0)
		snprintf(msg, sizeof(msg), "%" PRIu64 " sessions cleared", n);
	else
		snprintf(msg, sizeof(msg), "%" PRIu64 " sessions cleared; a "
			 "worker did not finish in time (sess_cleared counts "
			 "what it removed): ask again", n);
	rte_tel_data_add_dict_string(d, "message", msg);
	rte_tel_data_add_dict_u64(d, "cleared", n);
	return 0;
}

typedef int (*phx_tel_fn)(struct phx_ctl *ctl, const char *params,
			  struct rte_tel_data *d);

/* One trampoline per command: rte_telemetry 22.11 passes no user data. */
#define PHX_TEL_CMDS(X)                                                        \
	X(version, "/phalanx/version",                                         \
	  "Member version, name, DPDK version, pid, uptime. No parameters")   \
	X(config, "/phalanx/config",                                           \
	  "Summary of the running configuration. No parameters")              \
	X(ports, "/phalanx/ports",                                             \
	  "Ports: link, MTU, MAC, addresses, NIC counters. No parameters")    \
	X(pstat, "/phalanx/pstat",                                             \
	  "Counters and drop reasons, summed; parameter: worker index or ctl") \
	X(arp, "/phalanx/arp",                                                 \
	  "Neighbour table, 64 rows a page; parameter: first slot (from/next)") \
	X(routes, "/phalanx/routes",                                           \
	  "Routing table (connected, static); 128 a page; parameter: first index") \
	X(policy, "/phalanx/policy",                                           \
	  "Policy generation, rule count, last reload result. No parameters") \
	X(rules, "/phalanx/rules",                                             \
	  "Rules, action, NAT, hits; 128 a page; parameter: first index")     \
	X(conn, "/phalanx/conn",                                               \
	  "Sessions of one worker, paged: w=,from=,ip=,port=,proto=,state=")  \
	X(conn_clear, "/phalanx/conn/clear",                                   \
	  "Remove sessions: all, or ip=,port=,proto=,state= (phx conn --clear)") \
	X(cluster, "/phalanx/cluster",                                         \
	  "Cluster member: state, reason, interfaces, config. No parameters") \
	X(cluster_members, "/phalanx/cluster/members",                         \
	  "Every member as this one sees it (cphaprob state). No parameters") \
	X(cluster_if, "/phalanx/cluster/if",                                   \
	  "Monitored cluster interfaces and VIPs. No parameters")             \
	X(cluster_pnotes, "/phalanx/cluster/pnotes",                           \
	  "Critical devices (cphaprob list). No parameters")                  \
	X(cluster_ccp, "/phalanx/cluster/ccp",                                 \
	  "CCP frame counters and drops per reason. No parameters")           \
	X(cluster_admin, "/phalanx/cluster/admin",                             \
	  "Operator request: failover, stop, start, down or up")             \
	X(cluster_pnote, "/phalanx/cluster/pnote",                             \
	  "register NAME T STATUS [persistent] | report NAME STATUS | "        \
	  "unregister NAME | regfile[p] TEXT")                                 \
	X(cluster_forget, "/phalanx/cluster/forget",                           \
	  "Take member ID's next frame whatever its run (its clock went "     \
	  "back): ID")                                                         \
	X(sync, "/phalanx/sync",                                               \
	  "State sync counters (syncstat, pstat Synchronization). No params")  \
	X(sync_peers, "/phalanx/sync/peers",                                   \
	  "Per-peer sync windows: ACKed seq, lag, receive queue. No params")   \
	X(sync_reset, "/phalanx/sync/reset",                                   \
	  "Zero the sync counters (phx syncstat --reset). No parameters")      \
	X(sync_digest, "/phalanx/sync/digest",                                 \
	  "Per-worker digests of the synced sessions (phx diff). No params")

#define tel_cluster phx_ccp_tel_cluster
#define tel_cluster_members phx_ccp_tel_members
#define tel_cluster_if phx_ccp_tel_if
#define tel_cluster_pnotes phx_ccp_tel_pnotes
#define tel_cluster_ccp phx_ccp_tel_ccp
#define tel_cluster_admin phx_ccp_tel_admin
#define tel_cluster_pnote phx_ccp_tel_pnote
#define tel_cluster_forget phx_ccp_tel_forget
#define tel_sync phx_sync_tel
#define tel_sync_peers phx_sync_tel_peers
#define tel_sync_reset phx_sync_tel_reset
#define tel_sync_digest phx_sync_tel_digest

/*
 * A failure of the member's own (not a bad parameter: -EINVAL, or a
 * command a member without a cluster does not serve: -ENOTSUP, which
 * answer null) answers {"error": ...}, so that the reader can tell
 * which it was.
 */
static int
tel_failed(struct rte_tel_data *d, int rc)
{
	switch (rc) {
	case -ENOMEM:
		return phx_ctl_tel_error(d, "out of memory");
	case -ENODEV:
		return phx_ctl_tel_error(d, "the member is shutting down");
	case -ETIMEDOUT:
		return phx_ctl_tel_error(d, "a worker did not respond in "
					 "time");
	default:
		return rc;
	}
}

#define PHX_TEL_TRAMPOLINE_(fn, path, help)                                   \
	static int tel_cb_##fn(const char *cmd, const char *params,           \
			       struct rte_tel_data *d)                        \
	{                                                                     \
		int rc = -ENODEV;                                             \
		RTE_SET_USED(cmd);                                            \
		pthread_rwlock_rdlock(&tel_lock);                             \
		if (tel_ctl != NULL)                                          \
			rc = tel_##fn(tel_ctl, params, d);                    \
		pthread_rwlock_unlock(&tel_lock);                             \
		return tel_failed(d, rc);                                     \
	}
PHX_TEL_CMDS(PHX_TEL_TRAMPOLINE_)
#undef PHX_TEL_TRAMPOLINE_

/* DPDK 22.11 refuses (-EINVAL) a name of 56 bytes or more and a help
 * text of RTE_TEL_MAX_STRING_LEN or more: catch both at build time. */
#define PHX_TEL_CHECK_(fn, path, help)                                        \
	static_assert(sizeof(path) <= 56, path ": name too long");            \
	static_assert(sizeof(help) <= RTE_TEL_MAX_STRING_LEN,                 \
		      path ": help too long");
PHX_TEL_CMDS(PHX_TEL_CHECK_)
#undef PHX_TEL_CHECK_

/*
 * Register every command once per process; a later attach (a second
 * control structure in the same process, e.g. tests) only repoints the
 * trampolines, since DPDK 22.11 would list a command registered twice
 * twice. A command that fails to register does not keep the others from
 * registering: the first error is returned, and the next attach tries
 * the ones still missing.
 */
int
phx_ctl_telemetry_attach(struct phx_ctl *ctl)
{
	static const struct {
		const char *path;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
#define PHX_TEL_ROW_(fn, path, help) { path, tel_cb_##fn, help },
		PHX_TEL_CMDS(PHX_TEL_ROW_)
#undef PHX_TEL_ROW_
	};
	static bool registered[PHX_DIM(cmds)]; /* under tel_lock */
	int first = 0;
	size_t i;

	pthread_rwlock_wrlock(&tel_lock);
	tel_ctl = ctl;
	for (i = 0; i < PHX_DIM(cmds); i++) {
		int rc;

		if (registered[i])
			continue;
		rc = rte_telemetry_register_cmd(cmds[i].path, cmds[i].fn,
						cmds[i].help);
		if (rc == 0)
			registered[i] = true;
		else if (first == 0)
			first = rc;
	}
	pthread_rwlock_unlock(&tel_lock);
	return first;
}

void
phx_ctl_telemetry_detach(void)
{
	pthread_rwlock_wrlock(&tel_lock);
	tel_ctl = NULL;
	pthread_rwlock_unlock(&tel_lock);
}
