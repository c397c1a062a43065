/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the configuration loader (lib/config*.c only; not installed,
 * not included outside lib/).
 *
 * The loader is "one located node tree, two front-ends, one schema walker":
 *
 *   text --(config_json.c | config_yaml.c)--> struct phx_cfg_node tree
 *        --(config_schema.c)--> struct phx_config + struct phx_cfg_srcmap
 *        --(config_validate.c)--> cross-field checks
 *
 * The front-ends only know syntax: they report syntax errors and YAML
 * features we refuse, and give every node its line:column. Everything about
 * meaning (types, ranges, defaults, references) lives once, in the schema
 * walker and the validator, so a JSON file and its YAML twin cannot be
 * judged differently. Converting each syntax straight into struct
 * phx_config (one converter per syntax) was rejected: every type check and
 * error message would exist twice and drift.
 */
#ifndef PHX_LIB_CONFIG_NODE_H
#define PHX_LIB_CONFIG_NODE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/config.h"

#define PHX_CFG_MAX_FILE   (1024 * 1024) /* bytes; a full config is < 100 KiB */
#define PHX_CFG_MAX_DEPTH  32            /* nesting levels; the schema uses 4 */
#define PHX_CFG_MAX_KIDS   2048          /* members of one object / items of one
					  * array; > PHX_CFG_MAX_ROUTES so the
					  * schema, not the parser, reports
					  * "too many routes" */

enum phx_cfg_node_type {
	PHX_CFG_NODE_OBJECT,   /* JSON object / YAML mapping */
	PHX_CFG_NODE_ARRAY,    /* JSON array / YAML sequence */
	PHX_CFG_NODE_SCALAR,
	PHX_CFG_NODE_INVALID,  /* already reported by the front-end (alias,
				* tag, too deep): the walker skips it silently */
	PHX_CFG_NODE_TYPE_MAX
};

enum phx_cfg_scalar_kind {
	PHX_CFG_SCALAR_STRING,
	PHX_CFG_SCALAR_INT,
	PHX_CFG_SCALAR_BOOL,
	PHX_CFG_SCALAR_NULL,
	PHX_CFG_SCALAR_FLOAT,
	PHX_CFG_SCALAR_KIND_MAX
};

/* One value of the document. Owned by its parent; the root by the caller
 * of the front-end, freed with phx_cfg_node_free(). */
struct phx_cfg_node {
	enum phx_cfg_node_type type;
	enum phx_cfg_scalar_kind kind;  /* SCALAR only */
	struct phx_cfg_loc loc;         /* first character of the value */
	struct phx_cfg_loc key_loc;     /* object members: first char of the key */
	char *key;                      /* object members: key text, NUL-free */
	char *text;                     /* SCALAR: the value as written (strings
					 * unescaped, numbers verbatim); NUL-free */
	long long ival;                 /* INT: value, clamped when overflow */
	bool bval;                      /* BOOL: value */
	bool overflow;                  /* INT: does not fit in long long */
	bool yaml_plain;                /* unquoted YAML scalar: messages suggest
					 * quoting when a string was expected */
	unsigned n_kids;                /* OBJECT members / ARRAY items */
	unsigned cap_kids;              /* allocated slots in kids */
	struct phx_cfg_node **kids;     /* in document order */
};

/* Error sink shared by all stages of one load. */
struct phx_cfg_ctx {
	const char *file;               /* name used in messages */
	struct phx_cfg_errors *errs;    /* where errors go */
};

/*
 * A front-end turns the text of one file into a node tree. On success it
 * returns the root (which may still carry INVALID nodes if errors were
 * recorded); on a syntax error it records it and returns NULL.
 * buf[0..len) need not be NUL-terminated. Any thread, no state.
 */
struct phx_cfg_frontend_ops {
	const char *name;                                    /* "JSON", "YAML" */
	struct phx_cfg_node *(*parse)(struct phx_cfg_ctx *ctx,
				      const char *buf, size_t len);
};

extern const struct phx_cfg_frontend_ops phx_cfg_json_ops;
extern const struct phx_cfg_frontend_ops phx_cfg_yaml_ops;

/* The settings of a physical port that a VLAN sub-interface takes from
 * its parent rather than from its own keys (besides the device): indexes
 * of struct phx_cfg_port_src's own_value[] and own_key[]. */
enum phx_cfg_port_own {
	PHX_CFG_OWN_MAC,
	PHX_CFG_OWN_RX_DESC,
	PHX_CFG_OWN_TX_DESC,
	PHX_CFG_OWN_PROMISC,
	PHX_CFG_OWN_MAX
};

/* Their keys, "mac" ... (config_schema.c). */
extern const char *const phx_cfg_port_own_keys[PHX_CFG_OWN_MAX];

/*
 * Where each value that the validator needs to point at came from. Filled
 * by the schema walker; a location with line 0 means "absent or already
 * rejected", so later checks skip it instead of reporting twice.
 */
struct phx_cfg_port_src {
	struct phx_cfg_loc self;                    /* the port object */
	bool object;                                /* it is an object (else
						     * the walker said so) */
	struct phx_cfg_loc name;                    /* valid "name" value */
	struct phx_cfg_loc device;                  /* valid "device" value */
	struct phx_cfg_loc mtu;                     /* valid "mtu" value */
	struct phx_cfg_loc parent;                  /* valid "parent" value */
	char parent_name[PHX_CFG_NAME_LEN];         /* "parent" as written */
	struct phx_cfg_loc vlan;                    /* valid "vlan" value */
	/* The keys "device", "parent", "vlan" and "mtu" as written, valid
	 * value or not: whether an entry is a physical port or a VLAN
	 * sub-interface is what the operator wrote, even where the walker
	 * rejected the value (its error stands; the kind of port must not
	 * change under it and raise a second one). */
	struct phx_cfg_loc device_key, parent_key, vlan_key, mtu_key;
	/* The physical port's own settings (enum phx_cfg_port_own): where
	 * the walker accepted a value, and where the key of that value is,
	 * for "a sub-interface takes this from its parent" (a rejected
	 * value was reported already and has neither). */
	struct phx_cfg_loc own_value[PHX_CFG_OWN_MAX];
	struct phx_cfg_loc own_key[PHX_CFG_OWN_MAX];
	struct phx_cfg_loc addr[PHX_CFG_MAX_ADDRS]; /* valid addresses */
};

struct phx_cfg_route_src {
	struct phx_cfg_loc self;                    /* the route object */
	struct phx_cfg_loc prefix;                  /* valid "prefix" value */
	struct phx_cfg_loc via;                     /* valid non-null "via" */
	struct phx_cfg_loc port;                    /* valid "port" value */
	bool via_given;                             /* "via" key present */
	bool port_given;                            /* "port" key present */
	char port_name[PHX_CFG_NAME_LEN];           /* "port" as written */
};

struct phx_cfg_eal_src {
	struct phx_cfg_loc file_prefix;
	struct phx_cfg_loc lcores;
	struct phx_cfg_loc main_lcore;
	struct phx_cfg_loc in_memory;
};

struct phx_cfg_dataplane_src {
	struct phx_cfg_loc workers;
	struct phx_cfg_loc idle_sleep_us;
};

/* A port or zone name as written in a list ("in", "out", a zone's ports).
 * name points into the node tree, which outlives phx_cfg_validate() (the
 * loader frees the tree after it); NULL with loc.line 0 if rejected. */
struct phx_cfg_name_src {
	const char *name;
	struct phx_cfg_loc loc;
};

struct phx_cfg_zone_src {
	const char *key;                            /* as written (tree) */
	struct phx_cfg_loc name;                    /* the key, if valid */
	struct phx_cfg_loc self;                    /* its list of ports */
	unsigned n_ports;
	struct phx_cfg_name_src ports[PHX_CFG_MAX_PORTS];
};

/* Which timeout keys a "timeouts" object set (line 0 = not set). */
struct phx_cfg_tmo_src {
	struct phx_cfg_loc s[PHX_TMO_MAX];
};

struct phx_cfg_rule_src {
	struct phx_cfg_loc self;                    /* the rule object */
	struct phx_cfg_loc name;                    /* valid "name" value */
	bool name_given;                            /* "name" key present */
	struct phx_cfg_loc sport;                   /* given, not "any" */
	struct phx_cfg_loc dport;                   /* given, not "any" */
	struct phx_cfg_loc nat;                     /* non-null "nat" object */
	bool nat_source_given;                      /* "nat.source" present */
	bool nat_dest_given;                        /* "nat.destination" */
	struct phx_cfg_loc nat_addr;                /* valid nat address */
	struct phx_cfg_loc nat_port;                /* valid "nat.port" */
	struct phx_cfg_loc dst[PHX_CFG_MAX_RULE_NETS]; /* valid dst prefixes */
	struct phx_cfg_tmo_src timeouts;            /* overridden keys */
	bool in_list, out_list, dst_list;           /* written as lists:
						     * paths get an index */
	struct phx_cfg_name_src in[PHX_CFG_MAX_RULE_IFS];
	struct phx_cfg_name_src out[PHX_CFG_MAX_RULE_IFS];
};

struct phx_cfg_vip_src {
	struct phx_cfg_loc self;                    /* the VIP object */
	struct phx_cfg_loc port;                    /* valid "port" value */
	struct phx_cfg_loc address;                 /* valid "address" */
	char port_name[PHX_CFG_NAME_LEN];           /* "port" as written */
};

struct phx_cfg_cluster_src {
	struct phx_cfg_loc self;                    /* the section object */
	struct phx_cfg_loc member;                  /* valid "member" */
	struct phx_cfg_loc members;                 /* valid "members" list */
	struct phx_cfg_loc hello_ms;                /* valid values; the */
	struct phx_cfg_loc dead_count;              /* keys given at all: */
	bool hello_given, dead_given;               /* (product check) */
	struct phx_cfg_loc required_interfaces;
	struct phx_cfg_loc sync_port;               /* valid "sync_port" */
	char sync_port_name[PHX_CFG_NAME_LEN];      /* as written */
	struct phx_cfg_vip_src vips[PHX_CFG_MAX_VIPS];
};

struct phx_cfg_srcmap {
	struct phx_cfg_loc root;                    /* the root object */
	struct phx_cfg_loc name;
	struct phx_cfg_eal_src eal;
	struct phx_cfg_dataplane_src dataplane;
	struct phx_cfg_port_src ports[PHX_CFG_MAX_PORTS];
	struct phx_cfg_route_src routes[PHX_CFG_MAX_ROUTES];
	struct phx_cfg_zone_src zones[PHX_CFG_MAX_ZONES];
	struct phx_cfg_rule_src rules[PHX_CFG_MAX_RULES];
	struct phx_cfg_cluster_src cluster;
};

/* --- nodes (config.c) --- */

/* New node of the given type at loc, or NULL on allocation failure. */
struct phx_cfg_node *phx_cfg_node_new(enum phx_cfg_node_type type,
				      struct phx_cfg_loc loc);
/* Append kid to an OBJECT/ARRAY. 0, -ENOSPC beyond PHX_CFG_MAX_KIDS, or
 * -ENOMEM; on failure kid is not taken (the caller still owns it). */
int phx_cfg_node_add(struct phx_cfg_node *parent, struct phx_cfg_node *kid);
/* Free a tree. NULL-safe. */
void phx_cfg_node_free(struct phx_cfg_node *n);
/* Member of an OBJECT by key, or NULL. */
const struct phx_cfg_node *phx_cfg_node_get(const struct phx_cfg_node *obj,
					    const char *key);

/* --- errors and message helpers (config.c) --- */

/* Record an error at loc for path ("" = root). */
void phx_cfg_err(struct phx_cfg_ctx *ctx, struct phx_cfg_loc loc,
		 const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Child path "parent.key" into buf (parent "" gives "key"). */
void phx_cfg_path_key(char *buf, size_t size, const char *parent,
		      const char *key);
/* Child path "parent[i]" into buf. */
void phx_cfg_path_index(char *buf, size_t size, const char *parent,
			unsigned i);
/* s as a double-quoted, escaped, length-capped string for messages:
 * untrusted text never reaches the terminal raw. Returns buf. */
const char *phx_cfg_quote(char *buf, size_t size, const char *s);
/* "string \"1500\"", "integer 70000", "boolean true", "object", ... */
const char *phx_cfg_describe(const struct phx_cfg_node *n, char *buf,
			     size_t size);
/* Stable sort of errs->e[] by line, then column. */
void phx_cfg_errors_sort(struct phx_cfg_errors *errs);
/* Line/column (1-based, columns count UTF-8 characters) of byte offset off
 * in buf[0..len). */
struct phx_cfg_loc phx_cfg_loc_of(const char *buf, size_t len, size_t off);

/* --- schema (config_schema.c) --- */

/* Walk root into cfg (already zeroed), applying defaults and recording an
 * error for every problem; fills src for the validator. */
void phx_cfg_schema_walk(struct phx_cfg_ctx *ctx,
			 const struct phx_cfg_node *root,
			 struct phx_config *cfg, struct phx_cfg_srcmap *src);
/* Canonical dump, keys in schema order; new reference or NULL. */
struct json_t *phx_cfg_schema_dump(const struct phx_config *cfg);

/* --- value syntax shared by the walker, validator and env check
 *     (config_schema.c) --- */

/* Optimal string alignment distance (Levenshtein plus transpositions;
 * a's upper case and '-' compare as lower case and '_'), for "did you
 * mean". Strings of 64 characters or more give 99. */
unsigned phx_cfg_edit_distance(const char *a, const char *b);

/* Parse a dotted quad "a.b.c.d" (no leading zeros, no shorthand) into a
 * host-order address. 0 or -EINVAL. */
int phx_cfg_parse_ip4(const char *s, uint32_t *ip);
/* Host-order netmask for a prefix length 0..32. */
uint32_t phx_cfg_mask(unsigned plen);
/* Parse an EAL lcore list ("0-3,8", or with single lcores mapped to CPUs
 * as EAL --lcores takes them: "0@0,1@1,2@1") into the bitmap of lcore
 * ids set[0..set_size). Returns the number of distinct lcores, or -EINVAL
 * with the complaint (completing "<value> ...") in why. */
int phx_cfg_lcores_parse(const char *s, uint8_t *set, size_t set_size,
			 char *why, size_t size);
/* Device name (text before the first comma) of a port device string,
 * PCI addresses normalised to DDDD:BB:DD.F lower case. */
void phx_cfg_device_key(const char *device, bool is_pci, char *buf,
			size_t size);

/* --- semantic validation (config_validate.c) --- */

/* Cross-field checks over a walked model; resolves route ports. */
void phx_cfg_validate(struct phx_cfg_ctx *ctx, struct phx_config *cfg,
		      const struct phx_cfg_srcmap *src);

#endif /* PHX_LIB_CONFIG_NODE_H */
