/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration model and loader. One schema, two syntaxes: JSON (jansson)
 * and YAML (libyaml), chosen by file extension (.json / .yaml / .yml).
 * Both front-ends produce the same located node tree, and one schema walker
 * turns that tree into struct phx_config, so the two can never drift.
 *
 * Every error carries file:line:column and the key path
 * ("ports[1].addresses[0]"), and loading collects every error it can find
 * before failing (pfctl pfail*.ok; STYLE 3.4). The model is immutable after
 * a successful load; a failed load returns no model (validate-then-commit).
 *
 * Addresses are stored in host byte order in the model.
 */
#ifndef PHX_LIB_CONFIG_H
#define PHX_LIB_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/timeouts.h"

#define PHX_CFG_MAX_PORTS     16   /* = meson max_ports default */
#define PHX_CFG_MAX_ADDRS     8    /* addresses per port */
#define PHX_CFG_MAX_ROUTES    1024
#define PHX_CFG_MAX_EAL_ARGS  32
#define PHX_CFG_NAME_LEN      32
#define PHX_CFG_DEVICE_LEN    256
#define PHX_CFG_STR_LEN       128
#define PHX_CFG_MAX_WORKERS   16   /* = meson max_workers default */

/* Where a value came from in its file, for errors found after parsing
 * (e.g. a device that fails to probe at start-up). line/col 1-based;
 * line 0 = the key was absent (default applied). */
struct phx_cfg_loc {
	uint32_t line;
	uint32_t col;
};

struct phx_cfg_addr {
	uint32_t ip;    /* host order */
	uint8_t plen;   /* prefix length 0..32 */
	struct phx_cfg_loc loc;
};

struct phx_cfg_port {
	char name[PHX_CFG_NAME_LEN];       /* "in0": [A-Za-z0-9_]{1,31}, unique */
	char device[PHX_CFG_DEVICE_LEN];   /* PCI address or vdev string */
	bool is_pci;                       /* device is a PCI address */
	uint8_t mac[6];                    /* valid when has_mac */
	bool has_mac;                      /* "mac" given: set as port MAC */
	uint16_t mtu;                      /* 68..9000, default 1500 */
	uint16_t rx_desc;                  /* 64..4096, power of 2, default 1024 */
	uint16_t tx_desc;                  /* 64..4096, power of 2, default 1024 */
	bool promiscuous;                  /* default true */
	unsigned n_addrs;
	struct phx_cfg_addr addrs[PHX_CFG_MAX_ADDRS];
	struct phx_cfg_loc device_loc;     /* for probe errors at start-up */
	/* A VLAN sub-interface (SPEC MODE-08, ADDR-60) has no device of its
	 * own: it sends and receives the frames of its parent's device that
	 * carry its 802.1Q tag, with the parent's MAC, descriptors and
	 * promiscuity (device, mac, rx_desc, tx_desc, promiscuous copied from
	 * the parent by the validator). */
	int parent;                        /* index in ports[] of the physical
					    * port; -1 = a physical port */
	uint16_t vlan;                     /* 802.1Q VLAN id 1..4094 of a
					    * sub-interface; 0 = physical */
};

struct phx_cfg_route {
	uint32_t prefix;     /* host order, host bits zero */
	uint8_t plen;        /* 0..32 */
	uint32_t via;        /* host order next hop; 0 = directly connected */
	int port;            /* index in ports[]: given, or derived from the
			      * connected subnet that contains via */
	struct phx_cfg_loc loc;
};

struct phx_cfg_eal {
	char file_prefix[PHX_CFG_STR_LEN]; /* default: the member name; names
					    * the telemetry socket directory */
	char lcores[PHX_CFG_STR_LEN];      /* EAL -l list, default "0-<workers>" */
	int main_lcore;                    /* -1 = EAL default (first lcore) */
	unsigned memory_mb;                /* -m; 0 = EAL default */
	bool no_huge;                      /* --no-huge */
	bool in_memory;                    /* --in-memory (no dpdk-dumpcap then) */
	char log_level[PHX_CFG_STR_LEN];   /* --log-level value, "" = default */
	unsigned n_args;                   /* extra EAL arguments, verbatim */
	char args[PHX_CFG_MAX_EAL_ARGS][PHX_CFG_STR_LEN];
};

struct phx_cfg_dataplane {
	unsigned workers;        /* 1..PHX_CFG_MAX_WORKERS, default 1 */
	unsigned idle_sleep_us;  /* 0 = pure busy poll; default 0 */
	unsigned mbufs;          /* mbuf pool size, 1024..8388608, default 16384 */
	unsigned icmp_rate;      /* ICMP errors per second per worker, 0 = none
				  * sent; default 100 */
};

struct phx_cfg_neigh {
	unsigned max_entries;    /* 16..65536, default 1024 */
	unsigned reachable_s;    /* entry lifetime after last confirmation,
				  * 1..86400, default 300 */
	unsigned hold_packets;   /* packets held per unresolved next hop,
				  * 0..64, default 4 */
	unsigned retries;        /* ARP requests before giving up, 1..10, default 3 */
	unsigned retry_ms;       /* spacing of ARP requests, 10..10000, default 1000 */
};

/* ---- stateful inspection: sessions, timeouts, zones, rules, NAT ---- */

#define PHX_CFG_MAX_RULES       1024
#define PHX_CFG_MAX_DNAT        256  /* destination-NAT (rule, address)
				      * pairs: the workers' reply handoff
				      * table (dataplane/policy.h) */
#define PHX_CFG_MAX_ZONES       16
#define PHX_CFG_MAX_RULE_NETS   16   /* prefixes in one rule's src or dst */
#define PHX_CFG_MAX_RULE_PORTS  16   /* ranges in one rule's sport or dport */
#define PHX_CFG_MAX_RULE_IFS    16   /* names in one rule's in or out */

/* A rule's in_refs[]/out_refs[] entry: a port index, or this flag plus a
 * zone index. */
#define PHX_CFG_IFREF_ZONE      0x80

enum phx_cfg_action {
	PHX_ACT_ACCEPT = 0,  /* open a session */
	PHX_ACT_DROP = 1,    /* drop silently */
	PHX_ACT_REJECT = 2,  /* drop and answer: TCP RST, ICMP unreachable */
};

enum phx_cfg_nat_kind {
	PHX_NAT_NONE = 0,
	PHX_NAT_SOURCE = 1,  /* hide the source behind nat_ip, ports from
			      * nat_port_lo..nat_port_hi */
	PHX_NAT_DEST = 2,    /* forward to nat_ip:nat_port_lo (0 = keep the
			      * destination port) */
};

struct phx_cfg_prefix {
	uint32_t ip;         /* host order, host bits zero */
	uint8_t plen;        /* 0..32 */
};

struct phx_cfg_range {
	uint16_t lo, hi;     /* inclusive, lo <= hi */
};

struct phx_cfg_zone {
	char name[PHX_CFG_NAME_LEN];  /* [A-Za-z0-9_]{1,31}, not a port name */
	uint32_t ports;               /* bitmask of port indexes */
};

struct phx_cfg_rule {
	char name[PHX_CFG_NAME_LEN];  /* default "rule<N>" (N from 1) */
	uint32_t in_ports;            /* bitmask of ingress port indexes;
				       * 0 = any ("in": port or zone names) */
	uint32_t out_ports;           /* bitmask of egress port indexes, the
				       * egress of the packet as it arrives
				       * (before destination NAT); 0 = any */
	unsigned n_in, n_out;         /* names written in "in" / "out";
				       * 0 = any */
	uint8_t in_refs[PHX_CFG_MAX_RULE_IFS];  /* those names in the order
						 * written (for the dump):
						 * port index, or
						 * PHX_CFG_IFREF_ZONE | zone
						 * index; in_ports/out_ports
						 * are their union */
	uint8_t out_refs[PHX_CFG_MAX_RULE_IFS];
	uint8_t proto;                /* 0 = any, else 1..255 ("tcp", "udp",
				       * "icmp", "any" or a number) */
	uint8_t action;               /* enum phx_cfg_action */
	uint8_t nat_kind;             /* enum phx_cfg_nat_kind */
	bool sync;                    /* sessions are synced (default true) */
	unsigned n_src, n_dst;        /* 0 = any */
	struct phx_cfg_prefix src[PHX_CFG_MAX_RULE_NETS];
	struct phx_cfg_prefix dst[PHX_CFG_MAX_RULE_NETS];
	unsigned n_sport, n_dport;    /* 0 = any; only with tcp or udp */
	struct phx_cfg_range sport[PHX_CFG_MAX_RULE_PORTS];
	struct phx_cfg_range dport[PHX_CFG_MAX_RULE_PORTS];
	uint32_t nat_ip;              /* host order */
	uint16_t nat_port_lo;         /* SNAT: 1024 default; DNAT: target */
	uint16_t nat_port_hi;         /* SNAT: 65535 default; DNAT: = lo */
	uint32_t sync_delay_s;        /* sync only sessions older than this
				       * (0 = at once), 0..3600 */
	struct phx_timeouts timeouts; /* effective: global, then the rule's
				       * own "timeouts" keys on top */
	uint32_t timeouts_set;        /* bit c set: class c overridden here */
	struct phx_cfg_loc loc;       /* the rule object */
};

struct phx_cfg_sessions {
	unsigned max;            /* sessions per worker, 1024..16777216,
				  * default 65536 */
	bool tcp_window_check;   /* sequence-window checking, default false */
	unsigned pickup_grace_s; /* after start, established TCP sessions
				  * are picked up mid-stream for this long
				  * (0..3600, default 0) */
	/* "tcp_trust_rst_ports" (SPEC SI-04, fw_trust_rst_on_port):
	 * destination ports whose sessions any RST closes and a SYN on
	 * ESTABLISHED reopens; default none */
	bool trust_rst_all;      /* "any": every port */
	unsigned n_trust_rst;    /* entries in trust_rst */
	struct phx_cfg_range trust_rst[PHX_CFG_MAX_RULE_PORTS];
};

/* ---- cluster (SPEC 1.2, 2.1, 2.3, 4.4-4.6, 5.1-5.5; DESIGN 6) ---- */

#define PHX_CFG_MAX_MEMBERS     5    /* DESIGN: a cluster of 2-5 members */
#define PHX_CFG_MAX_VIPS        32   /* all ports together */
#define PHX_CFG_KEY_LEN         32   /* CCP/sync authentication key, bytes */

enum phx_cfg_cluster_mode {
	PHX_CLU_MODE_HA = 0,          /* one active member (SPEC MODE-10) */
};

enum phx_cfg_ccp_transport {
	PHX_CCP_MULTICAST = 0,        /* default (SPEC CCP-04) */
	PHX_CCP_BROADCAST = 1,        /* for switches that drop multicast */
};

enum phx_cfg_recovery {
	PHX_RECOVERY_ACTIVE_UP = 0,   /* no preemption (SPEC FAIL-30) */
	PHX_RECOVERY_PRIMARY_UP = 1,  /* the best member preempts */
};

enum phx_cfg_join {
	PHX_JOIN_MANUAL = 0,          /* config mismatch is reported only */
	PHX_JOIN_AUTO = 1,            /* adopt the running cluster's config
				       * (SPEC FAIL-50) */
};

/* A virtual IP: owned by the active member, answered for by ARP (SPEC
 * MODE-12, ADDR-01). */
struct phx_cfg_vip {
	uint32_t ip;                  /* host order */
	uint8_t plen;                 /* = its port's subnet */
	int port;                     /* index in ports[] (resolved by the
				       * validator) */
	struct phx_cfg_loc loc;       /* the VIP object */
};

struct phx_cfg_garp {
	unsigned count;               /* gratuitous ARPs per VIP on takeover,
				       * 1..100, default 3 */
	unsigned interval_ms;         /* spacing, 1..10000, default 10 */
};

/* State sync (SPEC 3; docs/sync.md). Every member must use the same values
 * (SPEC 8): they are part of the configuration digest. */
struct phx_cfg_sync {
	bool enabled;                 /* default true; false: no session is
				       * synced, and every status says so
				       * (SPEC SYNC-77) */
	unsigned send_queue;          /* frames kept for retransmission,
				       * 512..65536, default 512 (SYNC-32) */
	unsigned recv_queue;          /* per-peer reorder window, frames,
				       * 256..65536, default 256 (SYNC-33) */
	unsigned ack_every;           /* ACK after this many frames, 1..1024,
				       * default 16 (SYNC-39a) */
	unsigned ack_ms;              /* ... or this long after the first
				       * unacknowledged one, 1..1000, default
				       * 10 */
	unsigned retransmit_ms;       /* resend to a peer whose ACK is this
				       * late; re-ask a gap this often,
				       * 1..10000, default 50 */
	unsigned flush_us;            /* a frame leaves when full or when its
				       * oldest record waited this long,
				       * 0..100000, default 1000 */
	unsigned full_sync_timeout_s; /* give up a full sync after this,
				       * 1..3600, default 30 (SYNC-23) */
	bool block_new_conns;         /* new-connection blocking under sync
				       * load (SYNC-60), default false */
	unsigned block_threshold;     /* sending queue percent that starts
				       * blocking, 1..100, default 80 */
	unsigned allowed_protocols;   /* SYNC-62 bitmask still admitted while
				       * blocking, 0..31, default 24 */
};

struct phx_cfg_cluster {
	bool enabled;                 /* the "cluster" section is present;
				       * false = a standalone member: the
				       * other fields are zero, sync_port
				       * is -1 */
	uint8_t id;                   /* cluster number in CCP headers,
				       * 1..254, default 1 (SPEC CCP-10) */
	uint8_t member;               /* this member's id, 1..5; also its
				       * priority, 1 highest (SPEC MODE-11) */
	unsigned n_members;           /* 2..PHX_CFG_MAX_MEMBERS */
	uint8_t members[PHX_CFG_MAX_MEMBERS]; /* ids, ascending, unique,
					       * include member */
	uint8_t mode;                 /* enum phx_cfg_cluster_mode */
	uint8_t mac_magic;            /* 5th byte of the CCP source MAC,
				       * 1..254, default 0xfe (SPEC CCP-06) */
	uint8_t key[PHX_CFG_KEY_LEN]; /* authentication key (never dumped) */
	char key_file[PHX_CFG_STR_LEN * 2]; /* file the key was read from,
					     * as opened; "" = given inline
					     * as "hex:" */
	uint8_t transport;            /* enum phx_cfg_ccp_transport */
	unsigned hello_ms;            /* heartbeat interval, 1..1000 ms,
				       * default 100 (SPEC CCP-20) */
	unsigned dead_count;          /* heartbeats missed before a peer is
				       * dead, 2..100, default 3; hello_ms x
				       * dead_count is 10..30000 ms */
	uint8_t recovery;             /* enum phx_cfg_recovery */
	unsigned required_interfaces; /* 0 = the high-water mark of healthy
				       * interfaces (SPEC CCP-31), else this
				       * fixed count; <= n_ports */
	int sync_port;                /* index in ports[] of the dedicated
				       * sync port (CCP runs on it too) */
	unsigned n_vips;
	struct phx_cfg_vip vips[PHX_CFG_MAX_VIPS];
	struct phx_cfg_garp garp;
	struct phx_cfg_sync sync;     /* state sync settings */
	bool vmac;                    /* one virtual MAC per cluster port
				       * that moves with the active role
				       * (SPEC 5.5), default false */
	uint8_t join;                 /* enum phx_cfg_join */
	struct phx_cfg_loc loc;       /* the section object */
};

struct phx_config {
	char path[PHX_CFG_STR_LEN * 2];    /* file it was loaded from */
	char name[PHX_CFG_NAME_LEN];       /* member name, default "phalanx" */
	struct phx_cfg_eal eal;
	struct phx_cfg_dataplane dataplane;
	unsigned n_ports;                  /* 1..PHX_CFG_MAX_PORTS */
	struct phx_cfg_port ports[PHX_CFG_MAX_PORTS];
	unsigned n_routes;
	struct phx_cfg_route routes[PHX_CFG_MAX_ROUTES];
	struct phx_cfg_neigh neigh;
	struct phx_cfg_sessions sessions;
	struct phx_timeouts timeouts;      /* global defaults per class */
	uint8_t default_action;            /* for new flows no rule matches:
					    * drop (default) or reject */
	unsigned n_zones;
	struct phx_cfg_zone zones[PHX_CFG_MAX_ZONES];
	unsigned n_rules;                  /* 0 = no stateful inspection:
					    * every new flow hits
					    * default_action */
	struct phx_cfg_rule rules[PHX_CFG_MAX_RULES];
	struct phx_cfg_cluster cluster;    /* enabled = section present */
	uint64_t generation;               /* set by the loader of the running
					    * member: 1, +1 per reload */
};

struct phx_cfg_error {
	char file[PHX_CFG_STR_LEN * 2];
	uint32_t line;           /* 1-based; 0 when not tied to a place */
	uint32_t col;            /* 1-based */
	char path[PHX_CFG_STR_LEN];        /* "ports[0].mtu", "" for the root */
	char msg[PHX_CFG_STR_LEN * 2];
};

#define PHX_CFG_MAX_ERRORS 64

struct phx_cfg_errors {
	unsigned n;              /* errors recorded (<= PHX_CFG_MAX_ERRORS) */
	unsigned dropped;        /* errors found beyond the cap */
	struct phx_cfg_error e[PHX_CFG_MAX_ERRORS];
};

/*
 * Load and validate path. Returns a new model (free with phx_config_free)
 * or NULL with errs filled (errs->n > 0). Syntax chosen by extension:
 * .json, .yaml or .yml; anything else is an error. Any thread.
 * errs is reset first; errors come sorted by line and column. errs may be
 * NULL (then nothing is reported). Files larger than 1 MiB are refused.
 */
struct phx_config *phx_config_load(const char *path,
				   struct phx_cfg_errors *errs);

/* Same, from a buffer; name is used in error messages and picks the syntax
 * by its extension. For tests and fuzzers. */
struct phx_config *phx_config_load_buf(const char *name, const char *buf,
				       size_t len, struct phx_cfg_errors *errs);

/*
 * Checks that depend on the machine, not the file: PCI devices exist under
 * /sys/bus/pci/devices, af_packet/af_xdp "iface=" interfaces exist in this
 * network namespace, the vdev driver name is one DPDK ships. Appends to
 * errs with the device's location. Returns the number of errors added.
 * Any thread, before EAL probes the devices; cfg NULL returns 0.
 */
unsigned phx_config_check_env(const struct phx_config *cfg,
			      struct phx_cfg_errors *errs);

/* Free a model. NULL-safe. */
void phx_config_free(struct phx_config *cfg);

/* Print each error as "file:line:col: path: message\n" ("(root)" for an
 * empty path; "file: message" for errors with no place, such as an
 * unreadable file), then one line counting errors beyond the cap. */
void phx_cfg_errors_print(const struct phx_cfg_errors *errs, FILE *out);

/* Append one error (used by the daemon for start-up failures that belong
 * to a config location, e.g. a device that fails to probe). */
void phx_cfg_error_add(struct phx_cfg_errors *errs, const char *file,
		       struct phx_cfg_loc loc, const char *path,
		       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Canonical JSON dump of a model: every key, defaults included, sorted as
 * in docs/config.md; "cluster" only when the section is present. JSON and
 * YAML twins must dump identically. Returns a malloc'd, newline-terminated
 * string (free()) or NULL. The dump loads back to the same model (it is a
 * fixed point), except that it never carries the cluster key: an inline
 * key dumps as "hex:<redacted>" (which does not load), a key file as
 * "file:<path>".
 */
char *phx_config_dump(const struct phx_config *cfg);

/* Whether top-level key k of a configuration is the member's own (name,
 * eal, dataplane, ports, routes, neighbors): never shared with, compared
 * with or taken from the other members. */
bool phx_config_member_section(const char *k);

/*
 * The cluster-wide part of cfg as a JSON object (jansson json_t *; the
 * caller json_decref()s it), NULL on no memory: the canonical dump
 * without the member's own sections, cluster.member, cluster.join and
 * the cluster key. What a member started with `join: auto` adopts, and
 * what the digest covers.
 */
struct json_t *phx_config_shared(const struct phx_config *cfg);

/*
 * Configuration digest of SPEC 4.6 (SHA-256, 32 bytes into out): what
 * every member of a cluster must agree on, phx_config_shared() with the
 * cluster key in as a hash, so the members of one cluster with the same
 * policy have the same digest. 0, or -EINVAL / -ENOMEM.
 */
int phx_config_digest(const struct phx_config *cfg, uint8_t out[32]);

/* "10.1.0.1" from a host-order address into buf (>= 16 bytes). */
const char *phx_ip4_str(uint32_t ip, char *buf);

#endif /* PHX_LIB_CONFIG_H */
