/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The schema: one table per section of the configuration, and one walker
 * that applies a table to a located node tree (lib/config_node.h) to fill
 * struct phx_config. The same tables drive the defaults and the canonical
 * dump, so a key's name, type, range, default and place in the dump are
 * written exactly once and JSON and YAML files are judged by the same code.
 *
 * The walker never stops at the first problem: a wrong value is reported
 * and left at its default, an unknown key is reported and skipped, and the
 * walk goes on, so the operator sees every mistake of the file in one run
 * (STYLE 3.4). Checks that need more than one value (duplicates, subnets,
 * routes, lcores vs. workers) are the validator's (config_validate.c); the
 * walker records in struct phx_cfg_srcmap where each value came from.
 *
 * Rejected alternative: hand-written per-section parse functions. They are
 * shorter at first, but each one re-implements type checks, messages,
 * defaults and the dump order, and they drift apart.
 *
 * One value reaches outside the document: the cluster key may be
 * "file:PATH", read here (bounded, regular files only) so that the model
 * holds the key itself. The key is a secret: no message and no dump shows
 * it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* the GNU strerror_r, which returns the text */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/compiler.h"
#include "lib/config_node.h"

/* ------------------------------------------------------------ the table */

enum ftype {
	FT_STR,      /* char[size]; length min..max bytes; optional check */
	FT_UINT,     /* unsigned integer of width size; range min..max */
	FT_INT,      /* int; range min..max */
	FT_BOOL,     /* bool */
	FT_SECTION,  /* nested object described by sub */
	FT_ENUM,     /* keyword: uint8_t index into words; def an index */
	FT_CUSTOM,   /* conv/dump do everything (lists, addresses, MACs) */
};

#define F_REQUIRED 0x1 /* missing key is an error */
#define F_POW2     0x2 /* FT_UINT: must be a power of two */

struct walk {
	struct phx_cfg_ctx *ctx;
	struct phx_config *cfg;
	struct phx_cfg_srcmap *src;
};

struct field;

/* Convert node n (the value of f) into the section struct obj; src is the
 * section's part of the source map (may be NULL). */
typedef void (*phx_cfg_conv_fn)(struct walk *w, const struct field *f,
				const struct phx_cfg_node *n, const char *path,
				void *obj, void *src);
/* The value of f in obj, as JSON, for the canonical dump. */
typedef json_t *(*phx_cfg_dump_fn)(const struct phx_config *cfg,
				   const void *obj);
/* Syntax of a string value beyond its length. On failure writes the reason
 * (completing "<value> ...") into why. */
typedef bool (*phx_cfg_check_fn)(const char *s, char *why, size_t size);

struct section {
	const struct field *fields;
	unsigned n_fields;
};

struct field {
	const char *key;            /* JSON/YAML key */
	enum ftype type;
	unsigned flags;             /* F_* */
	size_t off;                 /* member in the section struct */
	size_t size;                /* sizeof that member */
	long long min, max;         /* FT_UINT/FT_INT range, FT_STR length */
	long long def;              /* FT_UINT/FT_INT/FT_BOOL default */
	const char *def_str;        /* FT_STR default; NULL = derived later */
	size_t src_off;             /* 1 + offset of the value's location (or
				     * of the subsection's map) in the
				     * section's source map; 0 = not kept */
	phx_cfg_check_fn check;     /* FT_STR */
	const struct section *sub;  /* FT_SECTION */
	phx_cfg_conv_fn conv;       /* FT_CUSTOM */
	phx_cfg_dump_fn dump;       /* FT_CUSTOM */
	const char *const *words;   /* FT_ENUM: the keywords, NULL-ended */
	const char *const *later;   /* FT_ENUM: keywords known but not
				     * supported yet, NULL-ended (or NULL) */
	const char *what;           /* FT_ENUM: "a transport", for messages */
	/* dump the key only if this says so (NULL = always): an optional
	 * section that is absent stays out of the dump */
	bool (*present)(const struct phx_config *cfg, const void *obj);
};

#define MEMBER(st, m) .off = offsetof(st, m), .size = sizeof(((st *)0)->m)
#define SRC(st, m)    .src_off = offsetof(st, m) + 1

#define MAX_FIELDS 32 /* per section, for the "seen" bitmap */
#define MAX_LCORE  1023 /* highest lcore id accepted (RTE_MAX_LCORE - 1 of
			 * the largest DPDK build we know of) */

/* --------------------------------------------------------- value syntax */

static bool
charset_ok(const char *s, const char *extra)
{
	for (; *s != '\0'; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr(extra, c) != NULL))
			return false;
	}
	return true;
}

static bool
check_name(const char *s, char *why, size_t size)
{
	if (charset_ok(s, "_-"))
		return true;
	snprintf(why, size, "is not a valid name: use letters, digits, '_' "
		 "and '-'");
	return false;
}

static bool
check_port_name(const char *s, char *why, size_t size)
{
	if (charset_ok(s, "_"))
		return true;
	snprintf(why, size, "is not a valid port name: use letters, digits "
		 "and '_' (port names are telemetry keys)");
	return false;
}

static bool
check_printable(const char *s, char *why, size_t size)
{
	for (; *s != '\0'; s++) {
		if (*s < 0x20 || *s > 0x7e) {
			snprintf(why, size, "contains a character that is not "
				 "printable ASCII");
			return false;
		}
	}
	return true;
}

static bool
check_token(const char *s, char *why, size_t size)
{
	if (!check_printable(s, why, size))
		return false;
	if (strchr(s, ' ') != NULL) {
		snprintf(why, size, "must not contain spaces");
		return false;
	}
	return true;
}

int
phx_cfg_lcores_parse(const char *s, uint8_t *set, size_t set_size,
		     char *why, size_t size)
{
	const char *p = s;
	int count = 0;

	memset(set, 0, set_size);
	while (*p != '\0') {
		unsigned long lo, hi;
		char *end;

		if (!(*p >= '0' && *p <= '9'))
			goto syntax;
		lo = strtoul(p, &end, 10);
		hi = lo;
		p = end;
		if (*p == '-') {
			p++;
			if (!(*p >= '0' && *p <= '9'))
				goto syntax;
			hi = strtoul(p, &end, 10);
			p = end;
		}
		if (hi > MAX_LCORE || lo > MAX_LCORE) {
			snprintf(why, size, "names lcore %lu; the highest lcore "
				 "id is %d", hi > lo ? hi : lo, MAX_LCORE);
			return -EINVAL;
		}
		if (lo > hi) {
			snprintf(why, size, "has a reversed range %lu-%lu", lo,
				 hi);
			return -EINVAL;
		}
		if (*p == '@') {
			/* lcore@cpu: EAL --lcores, a single lcore run on a
			 * given CPU (more lcores than CPUs, e.g. a lab VM) */
			unsigned long cpu;

			if (hi != lo || !(p[1] >= '0' && p[1] <= '9'))
				goto syntax;
			cpu = strtoul(p + 1, &end, 10);
			p = end;
			if (cpu > MAX_LCORE) {
				snprintf(why, size, "names CPU %lu; the highest "
					 "is %d", cpu, MAX_LCORE);
				return -EINVAL;
			}
		}
		for (; lo <= hi; lo++) {
			if (lo / 8 < set_size && !(set[lo / 8] & (1u << (lo % 8)))) {
				set[lo / 8] |= (uint8_t)(1u << (lo % 8));
				count++;
			}
		}
		if (*p == ',') {
			p++;
			if (*p == '\0')
				goto syntax;
		} else if (*p != '\0') {
			goto syntax;
		}
	}
	return count;
syntax:
	snprintf(why, size, "is not an lcore list: use numbers, ranges and "
		 "lcore@cpu like \"0-3,8\" or \"0@0,1@1,2@1\"");
	return -EINVAL;
}

static bool
check_lcores(const char *s, char *why, size_t size)
{
	uint8_t set[(MAX_LCORE + 8) / 8];

	return phx_cfg_lcores_parse(s, set, sizeof(set), why, size) >= 0;
}

uint32_t
phx_cfg_mask(unsigned plen)
{
	return plen == 0 ? 0 : plen >= 32 ? 0xffffffffu
					  : ~((1u << (32 - plen)) - 1);
}

int
phx_cfg_parse_ip4(const char *s, uint32_t *ip)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < 4; i++) {
		const char *start = s;
		unsigned o = 0, nd = 0;

		while (*s >= '0' && *s <= '9' && nd < 4) {
			o = o * 10 + (unsigned)(*s - '0');
			s++;
			nd++;
		}
		/* no empty octets, no leading zeros (octal in inet_aton) */
		if (nd == 0 || nd > 3 || o > 255 || (nd > 1 && *start == '0'))
			return -EINVAL;
		v = v << 8 | o;
		if (i < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s != '\0')
		return -EINVAL;
	*ip = v;
	return 0;
}

/*
 * "a.b.c.d/len" with len in min_len..32. Returns 0, or -EINVAL with the
 * complaint about the quoted value q in why.
 */
static int
parse_prefix(const char *s, const char *q, unsigned min_len, uint32_t *ip,
	     uint8_t *plen, char *why, size_t size)
{
	char addr[20];
	const char *slash = strchr(s, '/');
	unsigned long l;
	char *end;

	if (slash == NULL) {
		if (phx_cfg_parse_ip4(s, ip) == 0)
			snprintf(why, size, "%s has no prefix length (write "
				 "e.g. %s/24)", q, s);
		else
			snprintf(why, size, "%s is not an IPv4 prefix "
				 "(a.b.c.d/len)", q);
		return -EINVAL;
	}
	if ((size_t)(slash - s) >= sizeof(addr) ||
	    (snprintf(addr, sizeof(addr), "%.*s", (int)(slash - s), s),
	     phx_cfg_parse_ip4(addr, ip) != 0) ||
	    !(slash[1] >= '0' && slash[1] <= '9') || strlen(slash + 1) > 2 ||
	    (slash[1] == '0' && slash[2] != '\0')) {
		snprintf(why, size, "%s is not an IPv4 prefix (a.b.c.d/len)",
			 q);
		return -EINVAL;
	}
	l = strtoul(slash + 1, &end, 10);
	if (*end != '\0') {
		snprintf(why, size, "%s is not an IPv4 prefix (a.b.c.d/len)",
			 q);
		return -EINVAL;
	}
	if (l < min_len || l > 32) {
		snprintf(why, size, "prefix length %lu is out of range %u..32",
			 l, min_len);
		return -EINVAL;
	}
	*plen = (uint8_t)l;
	return 0;
}

/* Is ip usable as a unicast host address? */
static bool
host_ok(uint32_t ip, char *why, size_t size)
{
	char a[16];

	phx_ip4_str(ip, a);
	if ((ip >> 24) == 0)
		snprintf(why, size, "%s is in 0.0.0.0/8 (\"this network\"), not "
			 "a host address", a);
	else if ((ip >> 24) == 127)
		snprintf(why, size, "%s is a loopback address", a);
	else if ((ip >> 28) == 0xe)
		snprintf(why, size, "%s is a multicast address", a);
	else if (ip == 0xffffffffu)
		snprintf(why, size, "%s is the limited broadcast address", a);
	else if ((ip >> 28) == 0xf)
		snprintf(why, size, "%s is in the reserved range 240.0.0.0/4", a);
	else
		return true;
	return false;
}

/* PCI address DDDD:BB:DD.F or BB:DD.F (hex), up to len bytes of s. */
static bool
is_pci(const char *s, size_t len)
{
	/* pattern per character: x = hex digit, d = device, f = function */
	static const char long_form[] = "xxxx:xx:dx.f";
	const char *pat = len == sizeof(long_form) - 1 ? long_form
			  : len == sizeof(long_form) - 6 ? long_form + 5 : NULL;
	size_t i;

	if (pat == NULL)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			   (c >= 'A' && c <= 'F');

		switch (pat[i]) {
		case 'x':
			if (!hex)
				return false;
			break;
		case 'd':       /* device 00..1f */
			if (c != '0' && c != '1')
				return false;
			break;
		case 'f':       /* function 0..7 */
			if (!(c >= '0' && c <= '7'))
				return false;
			break;
		default:
			if (c != pat[i])
				return false;
			break;
		}
	}
	return true;
}

void
phx_cfg_device_key(const char *device, bool pci, char *buf, size_t size)
{
	size_t n = strcspn(device, ",");
	size_t i;

	if (pci && n == 7)
		snprintf(buf, size, "0000:%.*s", (int)n, device);
	else
		snprintf(buf, size, "%.*s", (int)n, device);
	if (pci)
		for (i = 0; buf[i] != '\0'; i++)
			if (buf[i] >= 'A' && buf[i] <= 'F')
				buf[i] = (char)(buf[i] - 'A' + 'a');
}

/* ------------------------------------------------------ message helpers */

static const char *
node_kind_expected_hint(const struct phx_cfg_node *n, const char *expected)
{
	if (n->type != PHX_CFG_NODE_SCALAR)
		return "";
	if (n->kind == PHX_CFG_SCALAR_STRING) {
		char *end;

		if (strcmp(expected, "integer") == 0 && n->text[0] != '\0' &&
		    (strtoll(n->text, &end, 10), *end == '\0'))
			return " (write the number without quotes)";
		if (strcmp(expected, "boolean") == 0 &&
		    (strcmp(n->text, "true") == 0 ||
		     strcmp(n->text, "false") == 0))
			return " (write true or false without quotes)";
		return "";
	}
	if (n->yaml_plain && strstr(expected, "string") != NULL)
		return " (quote it in YAML to make it a string)";
	return "";
}

static void
type_error(struct walk *w, const struct phx_cfg_node *n, const char *path,
	   const char *expected)
{
	char got[200];

	phx_cfg_err(w->ctx, n->loc, path, "expected %s, got %s%s", expected,
		    phx_cfg_describe(n, got, sizeof(got)),
		    node_kind_expected_hint(n, expected));
}

/* Text of a string value of 1..max bytes (min 0 allows ""), or NULL after
 * reporting. INVALID nodes were reported by the front-end: NULL, silently. */
static const char *
want_string_or(struct walk *w, const struct phx_cfg_node *n, const char *path,
	       size_t min, size_t max, const char *expected)
{
	char q[200];
	size_t l;

	if (n->type == PHX_CFG_NODE_INVALID)
		return NULL;
	if (n->type != PHX_CFG_NODE_SCALAR ||
	    n->kind != PHX_CFG_SCALAR_STRING) {
		type_error(w, n, path, expected);
		return NULL;
	}
	l = strlen(n->text);
	if (l < min) {
		phx_cfg_err(w->ctx, n->loc, path, "must not be empty");
		return NULL;
	}
	if (l > max) {
		phx_cfg_err(w->ctx, n->loc, path, "%s is too long (%zu "
			    "characters; at most %zu)",
			    phx_cfg_quote(q, sizeof(q), n->text), l, max);
		return NULL;
	}
	return n->text;
}

static const char *
want_string(struct walk *w, const struct phx_cfg_node *n, const char *path,
	    size_t min, size_t max)
{
	return want_string_or(w, n, path, min, max, "string");
}

static bool
want_int(struct walk *w, const struct phx_cfg_node *n, const char *path,
	 long long min, long long max, long long *v)
{
	if (n->type == PHX_CFG_NODE_INVALID)
		return false;
	if (n->type != PHX_CFG_NODE_SCALAR || n->kind != PHX_CFG_SCALAR_INT) {
		type_error(w, n, path, "integer");
		return false;
	}
	if (n->overflow || n->ival < min || n->ival > max) {
		phx_cfg_err(w->ctx, n->loc, path, "%.40s is out of range "
			    "%lld..%lld", n->text, min, max);
		return false;
	}
	*v = n->ival;
	return true;
}

static bool
want_bool(struct walk *w, const struct phx_cfg_node *n, const char *path,
	  bool *v)
{
	if (n->type == PHX_CFG_NODE_INVALID)
		return false;
	if (n->type != PHX_CFG_NODE_SCALAR || n->kind != PHX_CFG_SCALAR_BOOL) {
		type_error(w, n, path, "boolean");
		return false;
	}
	*v = n->bval;
	return true;
}

static bool
is_null(const struct phx_cfg_node *n)
{
	return n->type == PHX_CFG_NODE_SCALAR && n->kind == PHX_CFG_SCALAR_NULL;
}

/*
 * An array, or for an optional list null meaning empty: a YAML "routes:"
 * whose entries are all commented out is null, and the operator meant
 * "no routes". Returns false (nothing to walk) for null and after errors.
 */
static bool
want_array(struct walk *w, const struct phx_cfg_node *n, const char *path,
	   bool null_is_empty)
{
	if (n->type == PHX_CFG_NODE_INVALID)
		return false;
	if (null_is_empty && is_null(n))
		return false;
	if (n->type != PHX_CFG_NODE_ARRAY) {
		type_error(w, n, path, null_is_empty ? "array or null"
						     : "array");
		return false;
	}
	return true;
}

static void
set_loc(void *src, size_t src_off, struct phx_cfg_loc loc)
{
	if (src != NULL && src_off != 0)
		memcpy((char *)src + src_off - 1, &loc, sizeof(loc));
}

unsigned
phx_cfg_edit_distance(const char *a, const char *b)
{
	unsigned d[64][64];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la >= 64 || lb >= 64)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			char ca = a[i - 1], cb = b[j - 1];
			unsigned cost, best;

			if (ca >= 'A' && ca <= 'Z')
				ca = (char)(ca - 'A' + 'a');
			if (ca == '-')
				ca = '_';
			cost = ca == cb ? 0 : 1;
			best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

static void
unknown_key(struct walk *w, const struct section *sec,
	    const struct phx_cfg_node *m, const char *path)
{
	const char *best = NULL;
	unsigned bestd = 99, i;
	char q[200], list[200];
	size_t o = 0;

	for (i = 0; i < sec->n_fields; i++) {
		unsigned d = phx_cfg_edit_distance(m->key,
						   sec->fields[i].key);

		if (d < bestd) {
			bestd = d;
			best = sec->fields[i].key;
		}
	}
	phx_cfg_quote(q, sizeof(q), m->key);
	/* close enough to be a typo: 1 edit for short keys, 2 for longer */
	if (best != NULL && bestd <= (strlen(best) > 4 ? 2u : 1u)) {
		phx_cfg_err(w->ctx, m->key_loc, path, "unknown key %s (did you "
			    "mean \"%s\"?)", q, best);
		return;
	}
	list[0] = '\0';
	for (i = 0; i < sec->n_fields && o < sizeof(list); i++) {
		int r = snprintf(list + o, sizeof(list) - o, "%s%s",
				 i ? ", " : "", sec->fields[i].key);

		if (r < 0)
			break;
		o += (size_t)r;
	}
	phx_cfg_err(w->ctx, m->key_loc, path, "unknown key %s (valid keys: %s)",
		    q, list);
}

/* --------------------------------------------------------- numbers in C */

static void
put_num(void *p, size_t size, long long v)
{
	switch (size) {
	case 1:
		*(uint8_t *)p = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)p = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)p = (uint32_t)v;
		break;
	default:
		*(uint64_t *)p = (uint64_t)v;
		break;
	}
}

static long long
get_num(const void *p, size_t size, bool is_signed)
{
	switch (size) {
	case 1:
		return is_signed ? (long long)*(const int8_t *)p
				 : (long long)*(const uint8_t *)p;
	case 2:
		return is_signed ? (long long)*(const int16_t *)p
				 : (long long)*(const uint16_t *)p;
	case 4:
		return is_signed ? (long long)*(const int32_t *)p
				 : (long long)*(const uint32_t *)p;
	default:
		return (long long)*(const uint64_t *)p;
	}
}

/* ------------------------------------------------------------ the walker */

static void walk_object(struct walk *w, const struct section *sec,
			const struct phx_cfg_node *n, const char *path,
			void *obj, void *src);
static int want_enum(struct walk *w, const struct field *f,
		     const struct phx_cfg_node *n, const char *path);

static void
apply_defaults(const struct section *sec, void *obj)
{
	unsigned i;

	for (i = 0; i < sec->n_fields; i++) {
		const struct field *f = &sec->fields[i];
		char *p = (char *)obj + f->off;

		switch (f->type) {
		case FT_STR:
			if (f->def_str != NULL)
				snprintf(p, f->size, "%s", f->def_str);
			break;
		case FT_UINT:
		case FT_INT:
		case FT_ENUM:
			put_num(p, f->size, f->def);
			break;
		case FT_BOOL:
			*(bool *)p = f->def != 0;
			break;
		case FT_SECTION:
			apply_defaults(f->sub, p);
			break;
		case FT_CUSTOM:
			break;
		}
	}
}

static void
convert(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	const char *path, void *obj, void *src)
{
	char *p = (char *)obj + f->off;
	char why[200], q[200];
	const char *s;
	long long v;
	bool b;

	switch (f->type) {
	case FT_STR:
		s = want_string(w, n, path, (size_t)f->min, (size_t)f->max);
		if (s == NULL)
			return;
		if (f->check != NULL && !f->check(s, why, sizeof(why))) {
			phx_cfg_err(w->ctx, n->loc, path, "%s %s",
				    phx_cfg_quote(q, sizeof(q), s), why);
			return;
		}
		snprintf(p, f->size, "%s", s);
		break;
	case FT_UINT:
	case FT_INT:
		if (!want_int(w, n, path, f->min, f->max, &v))
			return;
		if ((f->flags & F_POW2) && (v & (v - 1)) != 0) {
			long long up = 1;

			while (up < v)
				up <<= 1;
			phx_cfg_err(w->ctx, n->loc, path, "%lld is not a power "
				    "of two (try %lld)", v,
				    up > f->max ? up >> 1 : up);
			return;
		}
		put_num(p, f->size, v);
		break;
	case FT_BOOL:
		if (!want_bool(w, n, path, &b))
			return;
		*(bool *)p = b;
		break;
	case FT_ENUM:
		v = want_enum(w, f, n, path);
		if (v < 0)
			return;
		put_num(p, f->size, v);
		break;
	case FT_SECTION:
		walk_object(w, f->sub, n, path, p,
			    src && f->src_off ? (char *)src + f->src_off - 1
					      : NULL);
		return; /* its own fields record their locations */
	case FT_CUSTOM:
		f->conv(w, f, n, path, obj, src);
		return;
	}
	set_loc(src, f->src_off, n->loc);
}

static void
walk_object(struct walk *w, const struct section *sec,
	    const struct phx_cfg_node *n, const char *path, void *obj,
	    void *src)
{
	bool seen[MAX_FIELDS] = { false };
	char kpath[PHX_CFG_STR_LEN];
	unsigned i, j;

	if (n->type == PHX_CFG_NODE_INVALID)
		return;
	if (n->type != PHX_CFG_NODE_OBJECT) {
		type_error(w, n, path, "object");
		return;
	}
	for (i = 0; i < n->n_kids; i++) {
		const struct phx_cfg_node *m = n->kids[i];

		phx_cfg_path_key(kpath, sizeof(kpath), path, m->key);
		for (j = 0; j < sec->n_fields; j++)
			if (strcmp(m->key, sec->fields[j].key) == 0)
				break;
		if (j == sec->n_fields) {
			unknown_key(w, sec, m, kpath);
			continue;
		}
		seen[j] = true;
		convert(w, &sec->fields[j], m, kpath, obj, src);
	}
	for (j = 0; j < sec->n_fields; j++)
		if ((sec->fields[j].flags & F_REQUIRED) && !seen[j])
			phx_cfg_err(w->ctx, n->loc, path,
				    "missing required key \"%s\"",
				    sec->fields[j].key);
}

/* ------------------------------------------------ custom field: devices */

static bool
vdev_name_ok(const char *s, size_t n)
{
	size_t i = 4, digits = 0;

	if (n < 6 || (strncmp(s, "net_", 4) != 0 && strncmp(s, "eth_", 4) != 0))
		return false;
	for (; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			digits++;
		else if ((c >= 'a' && c <= 'z') || c == '_')
			digits = 0;
		else
			return false;
	}
	/* some driver letters, then the instance number */
	return digits > 0 && digits < n - 4;
}

static void
conv_device(struct walk *w, const struct field *f,
	    const struct phx_cfg_node *n, const char *path, void *obj,
	    void *src)
{
	struct phx_cfg_port *port = obj;
	struct phx_cfg_port_src *psrc = src;
	size_t nl, i;
	char q[200];
	const char *s;
	bool pci;

	(void)f;
	s = want_string(w, n, path, 1, PHX_CFG_DEVICE_LEN - 1);
	if (s == NULL)
		return;
	phx_cfg_quote(q, sizeof(q), s);
	nl = strcspn(s, ",");
	pci = is_pci(s, nl);
	if (!pci && !vdev_name_ok(s, nl)) {
		size_t k = 4;

		/* "net_tap" without its number is a common slip */
		while (k < nl && ((s[k] >= 'a' && s[k] <= 'z') || s[k] == '_'))
			k++;
		if (nl > 4 && k == nl && (strncmp(s, "net_", 4) == 0 ||
					  strncmp(s, "eth_", 4) == 0))
			phx_cfg_err(w->ctx, n->loc, path, "vdev %.*s needs an "
				    "instance number, e.g. %.*s0", (int)nl, s,
				    (int)nl, s);
		else if (nl == strlen(s) && nl < 16 && charset_ok(s, "_.-"))
			/* "eth0": the operator meant a kernel interface */
			phx_cfg_err(w->ctx, n->loc, path, "%s is neither a PCI "
				    "address (0000:03:00.0) nor a DPDK vdev; for "
				    "the kernel interface %s write "
				    "\"net_af_packet0,iface=%s\"", q, s, s);
		else
			phx_cfg_err(w->ctx, n->loc, path, "%s is neither a PCI "
				    "address (0000:03:00.0) nor a DPDK vdev "
				    "(net_<driver><N>[,key=value...])", q);
		return;
	}
	for (i = nl; s[i] != '\0'; i++) {
		if (s[i] <= ' ' || s[i] > '~') {
			phx_cfg_err(w->ctx, n->loc, path, "%s: device arguments "
				    "must not contain spaces or control "
				    "characters", q);
			return;
		}
		if (s[i] == ',' && (s[i + 1] == ',' || s[i + 1] == '\0')) {
			phx_cfg_err(w->ctx, n->loc, path, "%s has an empty "
				    "device argument", q);
			return;
		}
	}
	snprintf(port->device, sizeof(port->device), "%s", s);
	port->is_pci = pci;
	port->device_loc = n->loc;
	psrc->device = n->loc;
}

static json_t *
dump_device(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_port *port = obj;

	(void)cfg;
	return json_string(port->device);
}

/* ---------------------------------------------------- custom field: MAC */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
conv_mac(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	 const char *path, void *obj, void *src)
{
	struct phx_cfg_port *port = obj;
	struct phx_cfg_port_src *psrc = src;
	uint8_t mac[6];
	const char *s, *p;
	char q[200];
	unsigned i;

	(void)f;
	if (is_null(n)) {
		port->has_mac = false;  /* explicit "use the device's MAC" */
		psrc->own_value[PHX_CFG_OWN_MAC] = n->loc;
		return;
	}
	s = want_string_or(w, n, path, 1, 32, "string or null");
	if (s == NULL)
		return;
	phx_cfg_quote(q, sizeof(q), s);
	for (i = 0, p = s; i < 6; i++, p += 3) {
		int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);

		if (hi < 0 || lo < 0 || p[2] != (i < 5 ? ':' : '\0')) {
			phx_cfg_err(w->ctx, n->loc, path, "%s is not a MAC "
				    "address (six hex bytes like "
				    "02:00:0a:01:00:0b)", q);
			return;
		}
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 1) {
		phx_cfg_err(w->ctx, n->loc, path, "%s is a multicast MAC "
			    "address; a port needs a unicast one", q);
		return;
	}
	if ((mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0) {
		phx_cfg_err(w->ctx, n->loc, path, "the MAC address must not be "
			    "all zeros");
		return;
	}
	memcpy(port->mac, mac, sizeof(mac));
	port->has_mac = true;
	psrc->own_value[PHX_CFG_OWN_MAC] = n->loc;
}

static json_t *
dump_mac(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_port *port = obj;
	char s[18];

	(void)cfg;
	if (!port->has_mac)
		return json_null();
	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", port->mac[0],
		 port->mac[1], port->mac[2], port->mac[3], port->mac[4],
		 port->mac[5]);
	return json_string(s);
}

/* ---------------------------------------------- custom field: addresses */

/*
 * A host address with its prefix length, "10.1.0.11/24" (len 1..32): a
 * unicast address, and not the network or broadcast address of its
 * subnet. Port addresses and cluster VIPs. false after reporting.
 */
static bool
want_host_prefix(struct walk *w, const struct phx_cfg_node *k,
		 const char *path, uint32_t *ipp, uint8_t *plenp)
{
	char why[256], q[200], a[16], net[16];
	const char *s;
	uint32_t ip, mask;
	uint8_t plen;

	s = want_string(w, k, path, 1, 18);
	if (s == NULL)
		return false;
	phx_cfg_quote(q, sizeof(q), s);
	if (parse_prefix(s, q, 1, &ip, &plen, why, sizeof(why)) != 0 ||
	    !host_ok(ip, why, sizeof(why))) {
		phx_cfg_err(w->ctx, k->loc, path, "%s", why);
		return false;
	}
	mask = phx_cfg_mask(plen);
	phx_ip4_str(ip, a);
	phx_ip4_str(ip & mask, net);
	/* /31 (RFC 3021) and /32 have no network/broadcast address */
	if (plen <= 30 && (ip & ~mask) == 0) {
		phx_cfg_err(w->ctx, k->loc, path, "%s is the network address "
			    "of %s/%u; use a host address", a, net, plen);
		return false;
	}
	if (plen <= 30 && (ip & ~mask) == ~mask) {
		phx_cfg_err(w->ctx, k->loc, path, "%s is the broadcast address "
			    "of %s/%u; use a host address", a, net, plen);
		return false;
	}
	*ipp = ip;
	*plenp = plen;
	return true;
}

static void
conv_addresses(struct walk *w, const struct field *f,
	       const struct phx_cfg_node *n, const char *path, void *obj,
	       void *src)
{
	struct phx_cfg_port *port = obj;
	struct phx_cfg_port_src *psrc = src;
	char ipath[PHX_CFG_STR_LEN];
	unsigned i;

	(void)f;
	if (!want_array(w, n, path, true))
		return;
	for (i = 0; i < n->n_kids; i++) {
		const struct phx_cfg_node *k = n->kids[i];
		struct phx_cfg_addr *ad;

		phx_cfg_path_index(ipath, sizeof(ipath), path, i);
		if (i == PHX_CFG_MAX_ADDRS) {
			phx_cfg_err(w->ctx, k->loc, ipath, "too many addresses "
				    "(at most %d per port)", PHX_CFG_MAX_ADDRS);
			break;
		}
		ad = &port->addrs[i];
		port->n_addrs = i + 1;
		if (!want_host_prefix(w, k, ipath, &ad->ip, &ad->plen))
			continue;
		ad->loc = k->loc;
		psrc->addr[i] = k->loc;
	}
}

static json_t *
dump_addresses(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_port *port = obj;
	json_t *a = json_array();
	char ip[16], s[24];
	unsigned i;

	(void)cfg;
	for (i = 0; a != NULL && i < port->n_addrs; i++) {
		snprintf(s, sizeof(s), "%s/%u",
			 phx_ip4_str(port->addrs[i].ip, ip), port->addrs[i].plen);
		json_array_append_new(a, json_string(s));
	}
	return a;
}

/* ----------------------------------------------- custom field: EAL args */

static void
conv_args(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	  const char *path, void *obj, void *src)
{
	struct phx_cfg_eal *eal = obj;
	char ipath[PHX_CFG_STR_LEN], why[200], q[200];
	unsigned i;

	(void)f;
	(void)src;
	if (!want_array(w, n, path, true))
		return;
	for (i = 0; i < n->n_kids; i++) {
		const char *s;

		phx_cfg_path_index(ipath, sizeof(ipath), path, i);
		if (i == PHX_CFG_MAX_EAL_ARGS) {
			phx_cfg_err(w->ctx, n->kids[i]->loc, ipath, "too many "
				    "EAL arguments (at most %d)",
				    PHX_CFG_MAX_EAL_ARGS);
			break;
		}
		s = want_string(w, n->kids[i], ipath, 1, PHX_CFG_STR_LEN - 1);
		if (s == NULL)
			continue;
		if (!check_printable(s, why, sizeof(why))) {
			phx_cfg_err(w->ctx, n->kids[i]->loc, ipath, "%s %s",
				    phx_cfg_quote(q, sizeof(q), s), why);
			continue;
		}
		snprintf(eal->args[i], sizeof(eal->args[i]), "%s", s);
		eal->n_args = i + 1;
	}
}

static json_t *
dump_args(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_eal *eal = obj;
	json_t *a = json_array();
	unsigned i;

	(void)cfg;
	for (i = 0; a != NULL && i < eal->n_args; i++)
		json_array_append_new(a, json_string(eal->args[i]));
	return a;
}

/* -------------------------------------------- custom fields: route parts */

static void
conv_prefix(struct walk *w, const struct field *f,
	    const struct phx_cfg_node *n, const char *path, void *obj,
	    void *src)
{
	struct phx_cfg_route *r = obj;
	struct phx_cfg_route_src *rsrc = src;
	char why[256], q[200], net[16];
	const char *s;
	uint32_t ip;
	uint8_t plen;

	(void)f;
	s = want_string(w, n, path, 1, 18);
	if (s == NULL)
		return;
	phx_cfg_quote(q, sizeof(q), s);
	if (parse_prefix(s, q, 0, &ip, &plen, why, sizeof(why)) != 0) {
		phx_cfg_err(w->ctx, n->loc, path, "%s", why);
		return;
	}
	if ((ip & ~phx_cfg_mask(plen)) != 0) {
		phx_cfg_err(w->ctx, n->loc, path, "%s has host bits set; did "
			    "you mean %s/%u?", q,
			    phx_ip4_str(ip & phx_cfg_mask(plen), net), plen);
		return;
	}
	r->prefix = ip;
	r->plen = plen;
	rsrc->prefix = n->loc;
}

static json_t *
dump_prefix(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_route *r = obj;
	char ip[16], s[24];

	(void)cfg;
	snprintf(s, sizeof(s), "%s/%u", phx_ip4_str(r->prefix, ip), r->plen);
	return json_string(s);
}

static void
conv_via(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	 const char *path, void *obj, void *src)
{
	struct phx_cfg_route *r = obj;
	struct phx_cfg_route_src *rsrc = src;
	char why[256], q[200];
	const char *s;
	uint32_t ip;

	(void)f;
	if (is_null(n))
		return; /* explicit "no next hop": a connected route */
	rsrc->via_given = true;
	s = want_string_or(w, n, path, 1, 15, "string or null");
	if (s == NULL)
		return;
	phx_cfg_quote(q, sizeof(q), s);
	if (phx_cfg_parse_ip4(s, &ip) != 0) {
		phx_cfg_err(w->ctx, n->loc, path, "%s is not an IPv4 address "
			    "(a.b.c.d)%s", q, strchr(s, '/') ?
			    "; a next hop has no prefix length" : "");
		return;
	}
	if (!host_ok(ip, why, sizeof(why))) {
		phx_cfg_err(w->ctx, n->loc, path, "next hop %s", why);
		return;
	}
	r->via = ip;
	rsrc->via = n->loc;
}

static json_t *
dump_via(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_route *r = obj;
	char ip[16];

	(void)cfg;
	if (r->via == 0)
		return json_null();
	return json_string(phx_ip4_str(r->via, ip));
}

static void
conv_route_port(struct walk *w, const struct field *f,
		const struct phx_cfg_node *n, const char *path, void *obj,
		void *src)
{
	struct phx_cfg_route_src *rsrc = src;
	char why[200], q[200];
	const char *s;

	(void)f;
	(void)obj;
	rsrc->port_given = true;
	s = want_string(w, n, path, 1, PHX_CFG_NAME_LEN - 1);
	if (s == NULL)
		return;
	if (!check_port_name(s, why, sizeof(why))) {
		phx_cfg_err(w->ctx, n->loc, path, "%s %s",
			    phx_cfg_quote(q, sizeof(q), s), why);
		return;
	}
	snprintf(rsrc->port_name, sizeof(rsrc->port_name), "%s", s);
	rsrc->port = n->loc;
}

static json_t *
dump_route_port(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_route *r = obj;

	if (r->port < 0 || (unsigned)r->port >= cfg->n_ports)
		return json_null();
	return json_string(cfg->ports[r->port].name);
}

/* ------------------------------------------- custom fields: the policy */

/*
 * Rule values take a single item or a list, and the word "any" for "no
 * condition" (the default). "any" is spelled out rather than taken from an
 * empty list or null: a YAML list whose entries are all commented out is
 * null, and silently widening a rule to every address is the one mistake
 * a firewall must not make. An empty list is refused for the same reason.
 */
static bool
is_any(const struct phx_cfg_node *n)
{
	return n->type == PHX_CFG_NODE_SCALAR &&
	       n->kind == PHX_CFG_SCALAR_STRING && strcmp(n->text, "any") == 0;
}

/* "a, b or c" into buf. */
static const char *
word_list(const char *const *words, unsigned n, char *buf, size_t size)
{
	size_t o = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int r = snprintf(buf + o, size - o, "%s%s",
				 i == 0 ? "" : i + 1 == n ? " or " : ", ",
				 words[i]);

		if (r < 0 || (size_t)r >= size - o)
			break;
		o += (size_t)r;
	}
	return buf;
}

/*
 * A keyword value ("tcp", "drop"): its index in words[0..n), or -1 after
 * reporting, with "did you mean" for a near miss. what names the kind of
 * value in the message ("an action"); expected is the type error's
 * wording; use, if not NULL, replaces the list of words in the message.
 */
static int
want_keyword(struct walk *w, const struct phx_cfg_node *n, const char *path,
	     const char *const *words, unsigned n_words, const char *what,
	     const char *expected, const char *use)
{
	unsigned i, best = 0, bestd = 99;
	char q[200], list[200];
	const char *s;

	s = want_string_or(w, n, path, 1, 64, expected);
	if (s == NULL)
		return -1;
	for (i = 0; i < n_words; i++) {
		unsigned d;

		if (strcmp(s, words[i]) == 0)
			return (int)i;
		d = phx_cfg_edit_distance(s, words[i]);
		if (d < bestd) {
			bestd = d;
			best = i;
		}
	}
	phx_cfg_quote(q, sizeof(q), s);
	if (bestd <= (strlen(words[best]) > 4 ? 2u : 1u))
		phx_cfg_err(w->ctx, n->loc, path, "%s is not %s (did you mean "
			    "\"%s\"?)", q, what, words[best]);
	else
		phx_cfg_err(w->ctx, n->loc, path, "%s is not %s: use %s", q,
			    what, use != NULL ? use
			    : word_list(words, n_words, list, sizeof(list)));
	return -1;
}

static long long
n_words(const char *const *words)
{
	long long n = 0;

	while (words[n] != NULL)
		n++;
	return n;
}

/* An FT_ENUM value: its index in f->words, or -1 after reporting. A word
 * of f->later (named in the design, not built yet) gets its own message
 * rather than "did you mean". */
static int
want_enum(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	  const char *path)
{
	char q[200], list[200];
	unsigned i;

	if (f->later != NULL && n->type == PHX_CFG_NODE_SCALAR &&
	    n->kind == PHX_CFG_SCALAR_STRING) {
		for (i = 0; f->later[i] != NULL; i++) {
			if (strcmp(n->text, f->later[i]) != 0)
				continue;
			phx_cfg_err(w->ctx, n->loc, path, "%s is %s that is not "
				    "supported yet: use %s",
				    phx_cfg_quote(q, sizeof(q), n->text),
				    f->what, word_list(f->words,
						       (unsigned)n_words(f->words),
						       list, sizeof(list)));
			return -1;
		}
	}
	return want_keyword(w, n, path, f->words, (unsigned)n_words(f->words),
			    f->what, "string", NULL);
}

/*
 * The number of items of a rule value: 1 for a single string or integer,
 * the length of a list, 0 for "any" and after reporting (wrong type, an
 * empty list, "any" inside a list). Lists longer than max are reported
 * and cut to max. Item i is item_at(n, i).
 */
static unsigned
rule_items(struct walk *w, const struct phx_cfg_node *n, const char *path,
	   unsigned max, const char *expected, const char *any_meaning)
{
	char ipath[PHX_CFG_STR_LEN];
	unsigned i;

	if (n->type == PHX_CFG_NODE_INVALID || is_any(n))
		return 0;
	if (n->type == PHX_CFG_NODE_SCALAR &&
	    (n->kind == PHX_CFG_SCALAR_STRING || n->kind == PHX_CFG_SCALAR_INT))
		return 1;
	if (is_null(n)) {
		phx_cfg_err(w->ctx, n->loc, path, "null matches nothing; write "
			    "\"any\" or leave the key out to match %s (in YAML, "
			    "a list whose entries are all commented out is "
			    "null)", any_meaning);
		return 0;
	}
	if (n->type != PHX_CFG_NODE_ARRAY) {
		type_error(w, n, path, expected);
		return 0;
	}
	if (n->n_kids == 0) {
		phx_cfg_err(w->ctx, n->loc, path, "an empty list matches "
			    "nothing; write \"any\" or leave the key out to "
			    "match %s", any_meaning);
		return 0;
	}
	for (i = 0; i < n->n_kids; i++) {
		phx_cfg_path_index(ipath, sizeof(ipath), path, i);
		if (i == max) {
			phx_cfg_err(w->ctx, n->kids[i]->loc, ipath, "too many "
				    "entries (at most %u)", max);
			break;
		}
		if (is_any(n->kids[i])) {
			phx_cfg_err(w->ctx, n->kids[i]->loc, ipath, "\"any\" "
				    "cannot be listed with other values; write "
				    "it alone");
			return 0;
		}
	}
	return i;
}

static const struct phx_cfg_node *
item_at(const struct phx_cfg_node *n, unsigned i)
{
	return n->type == PHX_CFG_NODE_ARRAY ? n->kids[i] : n;
}

/* Path of item i: path itself for a single value, else path[i]. */
static void
item_path(char *buf, size_t size, const struct phx_cfg_node *n,
	  const char *path, unsigned i)
{
	if (n->type == PHX_CFG_NODE_ARRAY)
		phx_cfg_path_index(buf, size, path, i);
	else
		snprintf(buf, size, "%s", path);
}

/* Port and zone names share one namespace and one syntax (both are
 * telemetry keys); "any" is the rules' word for every port. */
static bool
check_ifname(const char *s, char *why, size_t size)
{
	if (strcmp(s, "any") == 0) {
		snprintf(why, size, "is reserved: in rules \"any\" means every "
			 "port");
		return false;
	}
	if (charset_ok(s, "_"))
		return true;
	snprintf(why, size, "is not a valid port or zone name: use letters, "
		 "digits and '_'");
	return false;
}

/* One port or zone name of a list into *out; false after reporting. */
static bool
want_ifname(struct walk *w, const struct phx_cfg_node *n, const char *path,
	    struct phx_cfg_name_src *out)
{
	char why[200], q[200];
	const char *s;

	s = want_string(w, n, path, 1, PHX_CFG_NAME_LEN - 1);
	if (s == NULL)
		return false;
	if (!check_ifname(s, why, sizeof(why))) {
		phx_cfg_err(w->ctx, n->loc, path, "%s %s",
			    phx_cfg_quote(q, sizeof(q), s), why);
		return false;
	}
	out->name = s;
	out->loc = n->loc;
	return true;
}

/* names[i] repeats an earlier valid name: report and forget it. */
static void
name_repeat(struct walk *w, const char *path, struct phx_cfg_name_src *names,
	    unsigned i)
{
	char q[200];
	unsigned j;

	for (j = 0; j < i; j++) {
		if (names[j].name == NULL ||
		    strcmp(names[j].name, names[i].name) != 0)
			continue;
		phx_cfg_err(w->ctx, names[i].loc, path, "%s is listed twice "
			    "(also at [%u])", phx_cfg_quote(q, sizeof(q),
							    names[i].name), j);
		names[i].name = NULL;
		names[i].loc.line = 0;
		return;
	}
}

/* "in" / "out": a port or zone name, a list of them, or "any". Resolved
 * to port indexes by the validator (ports and zones may come later). */
static void
conv_ifs(struct walk *w, const struct phx_cfg_node *n, const char *path,
	 unsigned *count, struct phx_cfg_name_src *names)
{
	char ipath[PHX_CFG_STR_LEN];
	unsigned k, i;

	k = rule_items(w, n, path, PHX_CFG_MAX_RULE_IFS, "port or zone name "
		       "(string), a list of them, or \"any\"", "every port");
	for (i = 0; i < k; i++) {
		item_path(ipath, sizeof(ipath), n, path, i);
		if (want_ifname(w, item_at(n, i), ipath, &names[i]))
			name_repeat(w, ipath, names, i);
	}
	*count = k;
}

static void
conv_rule_in(struct walk *w, const struct field *f,
	     const struct phx_cfg_node *n, const char *path, void *obj,
	     void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_rule_src *rs = src;

	(void)f;
	rs->in_list = n->type == PHX_CFG_NODE_ARRAY;
	conv_ifs(w, n, path, &r->n_in, rs->in);
}

static void
conv_rule_out(struct walk *w, const struct field *f,
	      const struct phx_cfg_node *n, const char *path, void *obj,
	      void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_rule_src *rs = src;

	(void)f;
	rs->out_list = n->type == PHX_CFG_NODE_ARRAY;
	conv_ifs(w, n, path, &r->n_out, rs->out);
}

static json_t *
dump_ifrefs(const struct phx_config *cfg, unsigned n, const uint8_t *refs)
{
	json_t *a;
	unsigned i;

	if (n == 0)
		return json_string("any");
	a = json_array();
	for (i = 0; a != NULL && i < n; i++) {
		unsigned x = refs[i] & ~PHX_CFG_IFREF_ZONE;
		const char *name = (refs[i] & PHX_CFG_IFREF_ZONE)
				   ? cfg->zones[x].name : cfg->ports[x].name;

		json_array_append_new(a, json_string(name));
	}
	return a;
}

static json_t *
dump_rule_in(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_rule *r = obj;

	return dump_ifrefs(cfg, r->n_in, r->in_refs);
}

static json_t *
dump_rule_out(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_rule *r = obj;

	return dump_ifrefs(cfg, r->n_out, r->out_refs);
}

/*
 * "src" / "dst": a prefix "a.b.c.d/len" (len 0..32, host bits zero) or a
 * bare address (= /32), a list of them, or "any". Entries keep their list
 * position (rejected ones stay zero with no location) so the validator's
 * paths match the file.
 */
static void
conv_nets(struct walk *w, const struct phx_cfg_node *n, const char *path,
	  unsigned *count, struct phx_cfg_prefix *nets,
	  struct phx_cfg_loc *locs)
{
	char ipath[PHX_CFG_STR_LEN], why[256], q[200], net[16];
	bool ok[PHX_CFG_MAX_RULE_NETS] = { false };
	unsigned k, i, j;

	k = rule_items(w, n, path, PHX_CFG_MAX_RULE_NETS, "address or prefix "
		       "(string), a list of them, or \"any\"", "every address");
	for (i = 0; i < k; i++) {
		const struct phx_cfg_node *it = item_at(n, i);
		uint32_t ip;
		uint8_t plen = 32;
		const char *s;

		item_path(ipath, sizeof(ipath), n, path, i);
		s = want_string_or(w, it, ipath, 1, 18, "string");
		if (s == NULL)
			continue;
		phx_cfg_quote(q, sizeof(q), s);
		if (strchr(s, '/') == NULL) {
			if (phx_cfg_parse_ip4(s, &ip) != 0) {
				phx_cfg_err(w->ctx, it->loc, ipath, "%s is not an "
					    "IPv4 address or prefix (a.b.c.d or "
					    "a.b.c.d/len)", q);
				continue;
			}
		} else if (parse_prefix(s, q, 0, &ip, &plen, why,
					sizeof(why)) != 0) {
			phx_cfg_err(w->ctx, it->loc, ipath, "%s", why);
			continue;
		}
		if ((ip & ~phx_cfg_mask(plen)) != 0) {
			phx_cfg_err(w->ctx, it->loc, ipath, "%s has host bits "
				    "set; did you mean %s/%u?", q,
				    phx_ip4_str(ip & phx_cfg_mask(plen), net),
				    plen);
			continue;
		}
		for (j = 0; j < i; j++)
			if (ok[j] && nets[j].ip == ip && nets[j].plen == plen)
				break;
		if (j < i) {
			phx_cfg_err(w->ctx, it->loc, ipath, "%s/%u is listed "
				    "twice (also at [%u])", phx_ip4_str(ip, net),
				    plen, j);
			continue;
		}
		nets[i].ip = ip;
		nets[i].plen = plen;
		ok[i] = true;
		if (locs != NULL)
			locs[i] = it->loc;
	}
	*count = k;
}

static void
conv_rule_src(struct walk *w, const struct field *f,
	      const struct phx_cfg_node *n, const char *path, void *obj,
	      void *src)
{
	struct phx_cfg_rule *r = obj;

	(void)f;
	(void)src;
	conv_nets(w, n, path, &r->n_src, r->src, NULL);
}

static void
conv_rule_dst(struct walk *w, const struct field *f,
	      const struct phx_cfg_node *n, const char *path, void *obj,
	      void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_rule_src *rs = src;

	(void)f;
	rs->dst_list = n->type == PHX_CFG_NODE_ARRAY;
	conv_nets(w, n, path, &r->n_dst, r->dst, rs->dst);
}

static json_t *
dump_nets(unsigned n, const struct phx_cfg_prefix *nets)
{
	char ip[16], s[24];
	json_t *a;
	unsigned i;

	if (n == 0)
		return json_string("any");
	a = json_array();
	for (i = 0; a != NULL && i < n; i++) {
		snprintf(s, sizeof(s), "%s/%u", phx_ip4_str(nets[i].ip, ip),
			 nets[i].plen);
		json_array_append_new(a, json_string(s));
	}
	return a;
}

static json_t *
dump_rule_src(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_rule *r = obj;

	(void)cfg;
	return dump_nets(r->n_src, r->src);
}

static json_t *
dump_rule_dst(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_rule *r = obj;

	(void)cfg;
	return dump_nets(r->n_dst, r->dst);
}

/* Protocol names accepted besides numbers; the dump writes these names. */
static const char *const proto_words[] = { "tcp", "udp", "icmp", "any" };
static const uint8_t proto_values[] = { 6, 17, 1, 0 };

static void
conv_proto(struct walk *w, const struct field *f,
	   const struct phx_cfg_node *n, const char *path, void *obj,
	   void *src)
{
	struct phx_cfg_rule *r = obj;
	long long v;
	int k;

	(void)f;
	(void)src;
	if (n->type == PHX_CFG_NODE_SCALAR && n->kind == PHX_CFG_SCALAR_INT) {
		/* 0 is "any": IPv4 has no protocol 0 (HOPOPT is IPv6's) */
		if (!want_int(w, n, path, 0, 255, &v))
			return;
		r->proto = (uint8_t)v;
	} else {
		k = want_keyword(w, n, path, proto_words, PHX_DIM(proto_words),
				 "a protocol", "protocol name (string) or "
				 "number", "tcp, udp, icmp, any or a protocol "
				 "number 0..255");
		if (k < 0)
			return;
		r->proto = proto_values[k];
	}
}

static json_t *
dump_proto(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_rule *r = obj;
	unsigned i;

	(void)cfg;
	for (i = 0; i < PHX_DIM(proto_values); i++)
		if (proto_values[i] == r->proto)
			return json_string(proto_words[i]);
	return json_integer(r->proto);
}

/*
 * One port range: a number, or a string "lo-hi" (decimal, no spaces),
 * each end in min..65535, lo <= hi. Match ranges allow 0 (a packet can
 * carry port 0, and "0-65535" is every port); NAT ranges start at 1.
 */
static bool
want_range(struct walk *w, const struct phx_cfg_node *n, const char *path,
	   unsigned min, struct phx_cfg_range *out)
{
	unsigned long lo, hi;
	const char *s, *p;
	char q[200], *end;
	long long v;

	if (n->type == PHX_CFG_NODE_SCALAR && n->kind == PHX_CFG_SCALAR_INT) {
		if (!want_int(w, n, path, min, 65535, &v))
			return false;
		out->lo = out->hi = (uint16_t)v;
		return true;
	}
	s = want_string_or(w, n, path, 1, 32, "port number or \"lo-hi\" "
			   "string");
	if (s == NULL)
		return false;
	phx_cfg_quote(q, sizeof(q), s);
	p = s;
	if (!(*p >= '0' && *p <= '9'))
		goto syntax;
	lo = strtoul(p, &end, 10);
	if (*end == '\0') {
		phx_cfg_err(w->ctx, n->loc, path, "%s is a string; write a "
			    "single port as a number (%s) or a range as "
			    "\"lo-hi\"", q, s);
		return false;
	}
	if (*end != '-' || !(end[1] >= '0' && end[1] <= '9'))
		goto syntax;
	p = end + 1;
	hi = strtoul(p, &end, 10);
	if (*end != '\0' || end - s > 11)
		goto syntax;
	if (lo < min || lo > 65535 || hi < min || hi > 65535) {
		phx_cfg_err(w->ctx, n->loc, path, "%s: %lu is out of range "
			    "%u..65535", q, lo < min || lo > 65535 ? lo : hi,
			    min);
		return false;
	}
	if (lo > hi) {
		phx_cfg_err(w->ctx, n->loc, path, "%s is reversed; write "
			    "\"%lu-%lu\"", q, hi, lo);
		return false;
	}
	out->lo = (uint16_t)lo;
	out->hi = (uint16_t)hi;
	return true;
syntax:
	phx_cfg_err(w->ctx, n->loc, path, "%s is not a port range: write a "
		    "number or \"lo-hi\", e.g. \"8000-8080\"", q);
	return false;
}

static json_t *
dump_range(const struct phx_cfg_range *r)
{
	char s[16];

	if (r->lo == r->hi)
		return json_integer(r->lo);
	snprintf(s, sizeof(s), "%u-%u", (unsigned)r->lo, (unsigned)r->hi);
	return json_string(s);
}

/* "sport" / "dport": a range, a list of ranges, or "any". */
static void
conv_ports_match(struct walk *w, const struct phx_cfg_node *n,
		 const char *path, unsigned *count,
		 struct phx_cfg_range *ranges, struct phx_cfg_loc *loc)
{
	bool ok[PHX_CFG_MAX_RULE_PORTS] = { false };
	char ipath[PHX_CFG_STR_LEN];
	unsigned k, i, j;

	k = rule_items(w, n, path, PHX_CFG_MAX_RULE_PORTS, "port number, "
		       "\"lo-hi\" string, a list of them, or \"any\"",
		       "every port");
	for (i = 0; i < k; i++) {
		const struct phx_cfg_node *it = item_at(n, i);
		struct phx_cfg_range rg;

		item_path(ipath, sizeof(ipath), n, path, i);
		if (!want_range(w, it, ipath, 0, &rg))
			continue;
		for (j = 0; j < i; j++)
			if (ok[j] && ranges[j].lo == rg.lo &&
			    ranges[j].hi == rg.hi)
				break;
		if (j < i) {
			char txt[24];

			if (rg.lo == rg.hi)
				snprintf(txt, sizeof(txt), "port %u", rg.lo);
			else
				snprintf(txt, sizeof(txt), "ports %u-%u", rg.lo,
					 rg.hi);
			phx_cfg_err(w->ctx, it->loc, ipath, "%s listed twice "
				    "(also at [%u])", txt, j);
			continue;
		}
		ranges[i] = rg;
		ok[i] = true;
	}
	*count = k;
	if (k > 0)
		*loc = n->loc; /* for "only with tcp or udp" */
}

static void
conv_sport(struct walk *w, const struct field *f,
	   const struct phx_cfg_node *n, const char *path, void *obj,
	   void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_rule_src *rs = src;

	(void)f;
	conv_ports_match(w, n, path, &r->n_sport, r->sport, &rs->sport);
}

static void
conv_dport(struct walk *w, const struct field *f,
	   const struct phx_cfg_node *n, const char *path, void *obj,
	   void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_rule_src *rs = src;

	(void)f;
	conv_ports_match(w, n, path, &r->n_dport, r->dport, &rs->dport);
}

static json_t *
dump_ranges(unsigned n, const struct phx_cfg_range *ranges)
{
	json_t *a;
	unsigned i;

	if (n == 0)
		return json_string("any");
	a = json_array();
	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, dump_range(&ranges[i]));
	return a;
}

static json_t *
dump_sport(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_rule *r = obj;

	(void)cfg;
	return dump_ranges(r->n_sport, r->sport);
}

static json_t *
dump_dport(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_rule *r = obj;

	(void)cfg;
	return dump_ranges(r->n_dport, r->dport);
}

/* Action names, indexed by enum phx_cfg_action. */
static const char *const action_names[] = {
	[PHX_ACT_ACCEPT] = "accept",
	[PHX_ACT_DROP] = "drop",
	[PHX_ACT_REJECT] = "reject",
};

static void
conv_action(struct walk *w, const struct field *f,
	    const struct phx_cfg_node *n, const char *path, void *obj,
	    void *src)
{
	struct phx_cfg_rule *r = obj;
	int k;

	(void)f;
	(void)src;
	k = want_keyword(w, n, path, action_names, PHX_DIM(action_names),
			 "an action", "string", NULL);
	if (k < 0)
		return;
	r->action = (uint8_t)k;
}

static json_t *
dump_action(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_rule *r = obj;

	(void)cfg;
	return json_string(r->action < PHX_DIM(action_names)
			   ? action_names[r->action] : "?");
}

/* default_action: drop or reject. Accept is refused: a policy whose
 * default admits everything is written as a last rule, where it shows. */
static void
conv_default_action(struct walk *w, const struct field *f,
		    const struct phx_cfg_node *n, const char *path, void *obj,
		    void *src)
{
	static const char *const words[] = { "drop", "reject" };
	struct phx_config *cfg = obj;
	int k;

	(void)f;
	(void)src;
	if (n->type == PHX_CFG_NODE_SCALAR &&
	    n->kind == PHX_CFG_SCALAR_STRING && strcmp(n->text, "accept") == 0) {
		phx_cfg_err(w->ctx, n->loc, path, "\"accept\" is not allowed "
			    "here: use \"drop\" or \"reject\", and to admit "
			    "everything else write a last rule with "
			    "\"action\": \"accept\"");
		return;
	}
	k = want_keyword(w, n, path, words, PHX_DIM(words),
			 "a default action", "string", NULL);
	if (k < 0)
		return;
	cfg->default_action = k == 0 ? PHX_ACT_DROP : PHX_ACT_REJECT;
}

static json_t *
dump_default_action(const struct phx_config *cfg, const void *obj)
{
	(void)obj;
	return json_string(cfg->default_action < PHX_DIM(action_names)
			   ? action_names[cfg->default_action] : "?");
}

/*
 * Timeouts: one key per class of lib/timeouts.h's PHX_TMO_CLASSES, so the
 * keys, their order and their defaults are written once, there. The same
 * table reads the global "timeouts" (defaults applied) and a rule's own
 * (only the keys given; the rest are the global values, filled in after
 * the walk).
 */
static const struct field tmo_fields[] = {
#define PHX_TMO_FIELD_(e, k, d, desc)                                          \
	{ .key = #k, .type = FT_UINT,                                          \
	  MEMBER(struct phx_timeouts, s[PHX_TMO_##e]),                         \
	  .min = 1, .max = PHX_TMO_MAX_S, .def = d,                            \
	  SRC(struct phx_cfg_tmo_src, s[PHX_TMO_##e]) },
	PHX_TMO_CLASSES(PHX_TMO_FIELD_)
#undef PHX_TMO_FIELD_
};

static const struct section tmo_section = {
	.fields = tmo_fields, .n_fields = PHX_DIM(tmo_fields)
};

static void
conv_rule_timeouts(struct walk *w, const struct field *f,
		   const struct phx_cfg_node *n, const char *path, void *obj,
		   void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_rule_src *rs = src;
	unsigned c;

	(void)f;
	walk_object(w, &tmo_section, n, path, &r->timeouts, &rs->timeouts);
	for (c = 0; c < PHX_TMO_MAX; c++)
		if (rs->timeouts.s[c].line != 0)
			r->timeouts_set |= 1u << c;
}

/* Only the keys the rule overrides: the rest follow the global ones. */
static json_t *
dump_rule_timeouts(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_rule *r = obj;
	json_t *o = json_object();
	unsigned c;

	(void)cfg;
	for (c = 0; o != NULL && c < PHX_TMO_MAX; c++)
		if (r->timeouts_set & (1u << c))
			json_object_set_new(o, tmo_fields[c].key,
					    json_integer(r->timeouts.s[c]));
	return o;
}

/* nat.source / nat.destination: a host address, no prefix length. */
static bool
want_nat_addr(struct walk *w, const struct phx_cfg_node *n, const char *path,
	      uint32_t *ip)
{
	char why[256], q[200];
	const char *s;

	s = want_string(w, n, path, 1, 18);
	if (s == NULL)
		return false;
	phx_cfg_quote(q, sizeof(q), s);
	if (phx_cfg_parse_ip4(s, ip) != 0) {
		phx_cfg_err(w->ctx, n->loc, path, "%s is not an IPv4 address "
			    "(a.b.c.d)%s", q, strchr(s, '/') ?
			    "; a NAT address has no prefix length" : "");
		return false;
	}
	if (!host_ok(*ip, why, sizeof(why))) {
		phx_cfg_err(w->ctx, n->loc, path, "NAT address %s", why);
		return false;
	}
	return true;
}

static void
conv_nat_source(struct walk *w, const struct field *f,
		const struct phx_cfg_node *n, const char *path, void *obj,
		void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_rule_src *rs = src;

	(void)f;
	rs->nat_source_given = true;
	if (want_nat_addr(w, n, path, &r->nat_ip))
		rs->nat_addr = n->loc;
}

static void
conv_nat_dest(struct walk *w, const struct field *f,
	      const struct phx_cfg_node *n, const char *path, void *obj,
	      void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_rule_src *rs = src;

	(void)f;
	rs->nat_dest_given = true;
	if (want_nat_addr(w, n, path, &r->nat_ip))
		rs->nat_addr = n->loc;
}

static void
conv_nat_ports(struct walk *w, const struct field *f,
	       const struct phx_cfg_node *n, const char *path, void *obj,
	       void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_range rg;

	(void)f;
	(void)src;
	if (!want_range(w, n, path, 1, &rg))
		return;
	r->nat_port_lo = rg.lo;
	r->nat_port_hi = rg.hi;
}

static void
conv_nat_port(struct walk *w, const struct field *f,
	      const struct phx_cfg_node *n, const char *path, void *obj,
	      void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_rule_src *rs = src;
	long long v;

	(void)f;
	if (is_null(n))
		return; /* explicit "keep the destination port" */
	if (n->type != PHX_CFG_NODE_SCALAR || n->kind != PHX_CFG_SCALAR_INT) {
		if (n->type != PHX_CFG_NODE_INVALID)
			type_error(w, n, path, "integer or null");
		return;
	}
	if (!want_int(w, n, path, 1, 65535, &v))
		return;
	r->nat_port_lo = r->nat_port_hi = (uint16_t)v;
	rs->nat_port = n->loc;
}

/* Keys of a "nat" object; which ones go together is checked in conv_nat. */
static const struct field nat_fields[] = {
	/* source NAT: hide behind this address of the member */
	{ .key = "source", .type = FT_CUSTOM, .conv = conv_nat_source },
	/* source NAT: ports to allocate from, default 1024-65535 */
	{ .key = "ports", .type = FT_CUSTOM, .conv = conv_nat_ports },
	/* destination NAT: forward to this address */
	{ .key = "destination", .type = FT_CUSTOM, .conv = conv_nat_dest },
	/* destination NAT: and this port; null = keep the port */
	{ .key = "port", .type = FT_CUSTOM, .conv = conv_nat_port },
};

static const struct section nat_section = {
	.fields = nat_fields, .n_fields = PHX_DIM(nat_fields)
};

/* The location of key in object n, for errors about a key's presence. */
static struct phx_cfg_loc
key_loc(const struct phx_cfg_node *n, const char *key)
{
	const struct phx_cfg_node *m = phx_cfg_node_get(n, key);
	struct phx_cfg_loc none = { 0, 0 };

	return m != NULL ? m->key_loc : none;
}

/* "nat": null (none), {"source", "ports"?} or {"destination", "port"?}. */
static void
conv_nat(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	 const char *path, void *obj, void *src)
{
	struct phx_cfg_rule *r = obj;
	struct phx_cfg_rule_src *rs = src;
	char kpath[PHX_CFG_STR_LEN];

	(void)f;
	if (is_null(n) || n->type == PHX_CFG_NODE_INVALID)
		return;
	if (n->type != PHX_CFG_NODE_OBJECT) {
		type_error(w, n, path, "object or null");
		return;
	}
	walk_object(w, &nat_section, n, path, r, rs);
	if (rs->nat_source_given && rs->nat_dest_given) {
		phx_cfg_path_key(kpath, sizeof(kpath), path, "destination");
		phx_cfg_err(w->ctx, key_loc(n, "destination"), kpath, "a rule "
			    "translates either the source (\"source\") or the "
			    "destination (\"destination\"), not both");
		return;
	}
	if (!rs->nat_source_given && !rs->nat_dest_given) {
		phx_cfg_err(w->ctx, n->loc, path, "missing \"source\" (source "
			    "NAT: hide behind an address of this member) or "
			    "\"destination\" (destination NAT: forward to a "
			    "server)");
		return;
	}
	/* a key of the other kind: said, and the kind is clear, so the
	 * rule's other NAT errors are checked too (validator), with the
	 * kind's default ports (the file is refused anyway: what the two
	 * keys wrote, in the file's order, must not add errors of its own) */
	if (rs->nat_source_given && phx_cfg_node_get(n, "port") != NULL) {
		phx_cfg_path_key(kpath, sizeof(kpath), path, "port");
		phx_cfg_err(w->ctx, key_loc(n, "port"), kpath, "\"port\" "
			    "belongs to destination NAT; source NAT takes "
			    "\"ports\" (the range to allocate from)");
		r->nat_port_lo = 1024;
		r->nat_port_hi = 65535;
		rs->nat_port = (struct phx_cfg_loc){ 0, 0 };
	}
	if (rs->nat_dest_given && phx_cfg_node_get(n, "ports") != NULL) {
		phx_cfg_path_key(kpath, sizeof(kpath), path, "ports");
		phx_cfg_err(w->ctx, key_loc(n, "ports"), kpath, "\"ports\" "
			    "belongs to source NAT; destination NAT takes "
			    "\"port\" (the server's port)");
		if (rs->nat_port.line == 0)
			r->nat_port_lo = r->nat_port_hi = 0;
	}
	rs->nat = n->loc;
	if (rs->nat_source_given) {
		r->nat_kind = PHX_NAT_SOURCE;
		if (phx_cfg_node_get(n, "ports") == NULL) {
			r->nat_port_lo = 1024;
			r->nat_port_hi = 65535;
		}
	} else {
		r->nat_kind = PHX_NAT_DEST;
	}
}

static json_t *
dump_nat(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_rule *r = obj;
	struct phx_cfg_range rg = { r->nat_port_lo, r->nat_port_hi };
	char ip[16];
	json_t *o;

	(void)cfg;
	if (r->nat_kind == PHX_NAT_NONE)
		return json_null();
	o = json_object();
	if (o == NULL)
		return NULL;
	if (r->nat_kind == PHX_NAT_SOURCE) {
		json_object_set_new(o, "source",
				    json_string(phx_ip4_str(r->nat_ip, ip)));
		json_object_set_new(o, "ports", dump_range(&rg));
	} else {
		json_object_set_new(o, "destination",
				    json_string(phx_ip4_str(r->nat_ip, ip)));
		json_object_set_new(o, "port", r->nat_port_lo == 0
				    ? json_null() : json_integer(r->nat_port_lo));
	}
	return o;
}

/* ------------------------------------------------------- the cluster */

static json_t *dump_section(const struct phx_config *cfg,
			    const struct section *sec, const void *obj);

/* Dump n section objects laid out stride bytes apart from first as a JSON
 * array (ports, routes, rules, VIPs). */
static json_t *
dump_array(const struct phx_config *cfg, const struct section *sec,
	   const void *first, unsigned n, size_t stride)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; a != NULL && i < n; i++) {
		json_t *e = dump_section(cfg, sec,
					 (const char *)first + i * stride);

		if (e == NULL || json_array_append_new(a, e) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static int
u8_cmp(const void *a, const void *b)
{
	return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}

/*
 * "members": the ids of every member, this one included, 2..5 of them,
 * each 1..5 and listed once. A set: kept (and dumped) in ascending order,
 * since the id is also the priority (SPEC MODE-11: 1 highest).
 */
static void
conv_members(struct walk *w, const struct field *f,
	     const struct phx_cfg_node *n, const char *path, void *obj,
	     void *src)
{
	struct phx_cfg_cluster *c = obj;
	struct phx_cfg_cluster_src *cs = src;
	char ipath[PHX_CFG_STR_LEN];
	long long seen_at[PHX_CFG_MAX_MEMBERS + 1];
	bool ok = true;
	unsigned i;
	long long v;

	(void)f;
	if (!want_array(w, n, path, false))
		return;
	if (n->n_kids < 2) {
		phx_cfg_err(w->ctx, n->loc, path, "a cluster needs at least 2 "
			    "members (this list has %u); list the ids of every "
			    "member, this one included", n->n_kids);
		return;
	}
	for (i = 0; i <= PHX_CFG_MAX_MEMBERS; i++)
		seen_at[i] = -1;
	for (i = 0; i < n->n_kids; i++) {
		const struct phx_cfg_node *k = n->kids[i];

		phx_cfg_path_index(ipath, sizeof(ipath), path, i);
		if (i == PHX_CFG_MAX_MEMBERS) {
			phx_cfg_err(w->ctx, k->loc, ipath, "too many members (a "
				    "cluster has at most %d)",
				    PHX_CFG_MAX_MEMBERS);
			ok = false;
			break;
		}
		if (!want_int(w, k, ipath, 1, PHX_CFG_MAX_MEMBERS, &v)) {
			ok = false;
			continue;
		}
		if (seen_at[v] >= 0) {
			phx_cfg_err(w->ctx, k->loc, ipath, "member %lld is listed "
				    "twice (also at [%lld])", v, seen_at[v]);
			ok = false;
			continue;
		}
		seen_at[v] = i;
		c->members[c->n_members++] = (uint8_t)v;
	}
	qsort(c->members, c->n_members, sizeof(c->members[0]), u8_cmp);
	if (ok)
		cs->members = n->loc;
}

static json_t *
dump_members(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_cluster *c = obj;
	json_t *a = json_array();
	unsigned i;

	(void)cfg;
	for (i = 0; a != NULL && i < c->n_members; i++)
		json_array_append_new(a, json_integer(c->members[i]));
	return a;
}

/*
 * The key. Its value is a secret, so no message and no dump ever shows
 * it: errors describe what is wrong (length, a bad character's position)
 * and the dump writes "hex:<redacted>" or the key file's path.
 */
#define KEY_HEX      "hex:"
#define KEY_FILE     "file:"
#define KEY_REDACTED "hex:<redacted>"

/* 64 hex digits at s into key; false if s[0..len) is anything else. */
static bool
key_from_hex(const char *s, size_t len, uint8_t *key)
{
	size_t i;

	if (len != 2 * PHX_CFG_KEY_LEN)
		return false;
	for (i = 0; i < PHX_CFG_KEY_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/*
 * "file:PATH": exactly 32 bytes (raw), or 64 hex digits with at most one
 * trailing newline (what `openssl rand -hex 32 > FILE` writes). A relative
 * PATH is relative to the directory of the configuration file, so a
 * configuration and its key can move together. Opened non-blocking and
 * refused unless it is a regular file, so a FIFO or a device cannot stall
 * the load. Fills c->key_file with the path as opened, made absolute.
 */
static bool
key_from_file(struct walk *w, const struct phx_cfg_node *n, const char *path,
	      const char *file, struct phx_cfg_cluster *c, uint8_t *key)
{
	const char *cfg_file = w->ctx->file, *slash = strrchr(cfg_file, '/');
	char full[sizeof(c->key_file)], q[200], why[200], ebuf[128];
	unsigned char buf[2 * PHX_CFG_KEY_LEN + 3]; /* > any valid file */
	size_t len = 0;
	struct stat st;
	bool ok = false;
	int fd, r;

	if (file[0] == '\0') {
		phx_cfg_err(w->ctx, n->loc, path, "\"file:\" needs the path of "
			    "the key file");
		return false;
	}
	if (!check_printable(file, why, sizeof(why))) {
		phx_cfg_err(w->ctx, n->loc, path, "the key file path %s", why);
		return false;
	}
	if (file[0] != '/' && slash != NULL)
		r = snprintf(full, sizeof(full), "%.*s/%s",
			     (int)(slash - cfg_file), cfg_file, file);
	else
		r = snprintf(full, sizeof(full), "%s", file);
	if (r < 0 || (size_t)r >= sizeof(full)) {
		phx_cfg_err(w->ctx, n->loc, path, "the key file path is too "
			    "long (at most %zu characters)", sizeof(full) - 1);
		return false;
	}
	phx_cfg_quote(q, sizeof(q), full);
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		phx_cfg_err(w->ctx, n->loc, path, "cannot open key file %s: %s",
			    q, strerror_r(errno, ebuf, sizeof(ebuf)));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		phx_cfg_err(w->ctx, n->loc, path, "key file %s is not a regular "
			    "file", q);
		goto out;
	}
	while (len < sizeof(buf)) {
		ssize_t got = read(fd, buf + len, sizeof(buf) - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			phx_cfg_err(w->ctx, n->loc, path, "cannot read key file "
				    "%s: %s", q,
				    strerror_r(errno, ebuf, sizeof(ebuf)));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	if (len == PHX_CFG_KEY_LEN) {
		memcpy(key, buf, PHX_CFG_KEY_LEN);
		ok = true;
	} else {
		size_t l = len;

		if (l > 0 && buf[l - 1] == '\n')
			l--;
		if (l > 0 && buf[l - 1] == '\r')
			l--;
		ok = l == 2 * PHX_CFG_KEY_LEN &&
		     key_from_hex((const char *)buf, l, key);
		if (!ok && l == 2 * PHX_CFG_KEY_LEN)
			phx_cfg_err(w->ctx, n->loc, path, "key file %s holds 64 "
				    "characters that are not all hex digits",
				    q);
		else if (!ok)
			phx_cfg_err(w->ctx, n->loc, path, "key file %s holds %s"
				    "%zu bytes; it needs exactly %d bytes, or %d "
				    "hex digits and a newline", q,
				    len == sizeof(buf) ? "more than " : "",
				    len == sizeof(buf) ? len - 1 : len,
				    PHX_CFG_KEY_LEN, 2 * PHX_CFG_KEY_LEN);
	}
	/* Kept absolute: dumps and adopted configurations name it, and they
	 * are read from elsewhere than the working directory's view of a
	 * relative -c path. */
	if (ok && full[0] != '/') {
		char cwd[sizeof(c->key_file)];

		r = getcwd(cwd, sizeof(cwd)) == NULL ? -1 :
		    snprintf(c->key_file, sizeof(c->key_file), "%s/%s", cwd,
			     full);
		if (r < 0 || (size_t)r >= sizeof(c->key_file)) {
			phx_cfg_err(w->ctx, n->loc, path, "the key file path "
				    "is too long once made absolute (at most "
				    "%zu characters)", sizeof(c->key_file) - 1);
			ok = false;
		}
	} else if (ok) {
		snprintf(c->key_file, sizeof(c->key_file), "%s", full);
	}
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return ok;
}

static const char *
kind_name(const struct phx_cfg_node *n)
{
	if (n->type == PHX_CFG_NODE_OBJECT)
		return "object";
	if (n->type == PHX_CFG_NODE_ARRAY)
		return "array";
	switch (n->kind) {
	case PHX_CFG_SCALAR_INT:
		return "integer";
	case PHX_CFG_SCALAR_BOOL:
		return "boolean";
	case PHX_CFG_SCALAR_NULL:
		return "null";
	case PHX_CFG_SCALAR_FLOAT:
		return "number";
	default:
		return "value";
	}
}

static void
conv_key(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	 const char *path, void *obj, void *src)
{
	static const uint8_t zero[PHX_CFG_KEY_LEN];
	struct phx_cfg_cluster *c = obj;
	uint8_t key[PHX_CFG_KEY_LEN];
	const char *s;
	size_t i, l;

	(void)f;
	(void)src;
	if (n->type == PHX_CFG_NODE_INVALID)
		return;
	/* not phx_cfg_describe(): it would print the value */
	if (n->type != PHX_CFG_NODE_SCALAR ||
	    n->kind != PHX_CFG_SCALAR_STRING) {
		phx_cfg_err(w->ctx, n->loc, path, "expected string "
			    "\"hex:<64 hex digits>\" or \"file:<path>\", got %s",
			    kind_name(n));
		return;
	}
	s = n->text;
	if (strcmp(s, KEY_REDACTED) == 0) {
		phx_cfg_err(w->ctx, n->loc, path, "\"%s\" stands for a key left "
			    "out of a configuration dump; write the key itself",
			    KEY_REDACTED);
		return;
	}
	if (strncmp(s, KEY_HEX, strlen(KEY_HEX)) == 0) {
		s += strlen(KEY_HEX);
		l = strlen(s);
		for (i = 0; i < l && hexval(s[i]) >= 0; i++)
			;
		if (i < l) {
			phx_cfg_err(w->ctx, n->loc, path, "the hex key has a "
				    "character that is not a hex digit (character "
				    "%zu after \"hex:\")", i + 1);
			return;
		}
		if (!key_from_hex(s, l, key)) {
			phx_cfg_err(w->ctx, n->loc, path, "the hex key has %zu "
				    "digit%s; it needs %d (%d bytes)", l,
				    l == 1 ? "" : "s", 2 * PHX_CFG_KEY_LEN,
				    PHX_CFG_KEY_LEN);
			return;
		}
	} else if (strncmp(s, KEY_FILE, strlen(KEY_FILE)) == 0) {
		if (!key_from_file(w, n, path, s + strlen(KEY_FILE), c, key))
			return;
	} else {
		phx_cfg_err(w->ctx, n->loc, path, "the key must be \"hex:\" "
			    "followed by %d hex digits, or \"file:\" followed by "
			    "a path (the value is not shown: it may be a "
			    "secret)", 2 * PHX_CFG_KEY_LEN);
		return;
	}
	if (memcmp(key, zero, sizeof(key)) == 0) {
		phx_cfg_err(w->ctx, n->loc, path, "the key is all zeros; use a "
			    "random one (openssl rand -hex 32)");
		c->key_file[0] = '\0';
		return;
	}
	memcpy(c->key, key, sizeof(key));
	explicit_bzero(key, sizeof(key));
}

static json_t *
dump_key(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_cluster *c = obj;
	char s[sizeof(c->key_file) + sizeof(KEY_FILE)];

	(void)cfg;
	if (c->key_file[0] == '\0')
		return json_string(KEY_REDACTED);
	snprintf(s, sizeof(s), "%s%s", KEY_FILE, c->key_file);
	return json_string(s);
}

/* A port name, resolved by the validator (ports may come later). */
static bool
want_port_name(struct walk *w, const struct phx_cfg_node *n, const char *path,
	       char *name, size_t size)
{
	char why[200], q[200];
	const char *s;

	s = want_string(w, n, path, 1, PHX_CFG_NAME_LEN - 1);
	if (s == NULL)
		return false;
	if (!check_port_name(s, why, sizeof(why))) {
		phx_cfg_err(w->ctx, n->loc, path, "%s %s",
			    phx_cfg_quote(q, sizeof(q), s), why);
		return false;
	}
	snprintf(name, size, "%s", s);
	return true;
}

static void
conv_sync_port(struct walk *w, const struct field *f,
	       const struct phx_cfg_node *n, const char *path, void *obj,
	       void *src)
{
	struct phx_cfg_cluster_src *cs = src;

	(void)f;
	(void)obj;
	if (want_port_name(w, n, path, cs->sync_port_name,
			   sizeof(cs->sync_port_name)))
		cs->sync_port = n->loc;
}

static json_t *
dump_port_index(const struct phx_config *cfg, int port)
{
	if (port < 0 || (unsigned)port >= cfg->n_ports)
		return json_null();
	return json_string(cfg->ports[port].name);
}

static json_t *
dump_sync_port(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_cluster *c = obj;

	return dump_port_index(cfg, c->sync_port);
}

static void
conv_vip_port(struct walk *w, const struct field *f,
	      const struct phx_cfg_node *n, const char *path, void *obj,
	      void *src)
{
	struct phx_cfg_vip_src *vs = src;

	(void)f;
	(void)obj;
	if (want_port_name(w, n, path, vs->port_name, sizeof(vs->port_name)))
		vs->port = n->loc;
}

static json_t *
dump_vip_port(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_vip *v = obj;

	return dump_port_index(cfg, v->port);
}

/* Written like a port address, with the prefix length of its subnet:
 * the validator holds it to the subnet of a member address of its port. */
static void
conv_vip_address(struct walk *w, const struct field *f,
		 const struct phx_cfg_node *n, const char *path, void *obj,
		 void *src)
{
	struct phx_cfg_vip *v = obj;
	struct phx_cfg_vip_src *vs = src;

	(void)f;
	if (want_host_prefix(w, n, path, &v->ip, &v->plen))
		vs->address = n->loc;
}

static json_t *
dump_vip_address(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_vip *v = obj;
	char ip[16], s[24];

	(void)cfg;
	snprintf(s, sizeof(s), "%s/%u", phx_ip4_str(v->ip, ip), v->plen);
	return json_string(s);
}

static const struct field vip_fields[] = {
	/* the port that answers ARP for it */
	{ .key = "port", .type = FT_CUSTOM, .flags = F_REQUIRED,
	  .conv = conv_vip_port, .dump = dump_vip_port },
	/* "a.b.c.d/len": the port's subnet */
	{ .key = "address", .type = FT_CUSTOM, .flags = F_REQUIRED,
	  .conv = conv_vip_address, .dump = dump_vip_address },
};

static const struct section vip_section = {
	.fields = vip_fields, .n_fields = PHX_DIM(vip_fields)
};

static void
conv_vips(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	  const char *path, void *obj, void *src)
{
	struct phx_cfg_cluster *c = obj;
	struct phx_cfg_cluster_src *cs = src;
	char ipath[PHX_CFG_STR_LEN];
	unsigned i;

	(void)f;
	if (!want_array(w, n, path, true))
		return;
	for (i = 0; i < n->n_kids; i++) {
		phx_cfg_path_index(ipath, sizeof(ipath), path, i);
		if (i == PHX_CFG_MAX_VIPS) {
			phx_cfg_err(w->ctx, n->kids[i]->loc, ipath, "too many "
				    "VIPs (at most %d)", PHX_CFG_MAX_VIPS);
			break;
		}
		c->vips[i].port = -1;
		c->vips[i].loc = n->kids[i]->loc;
		cs->vips[i].self = n->kids[i]->loc;
		walk_object(w, &vip_section, n->kids[i], ipath, &c->vips[i],
			    &cs->vips[i]);
		c->n_vips = i + 1;
	}
}

static json_t *
dump_vips(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_cluster *c = obj;

	return dump_array(cfg, &vip_section, c->vips, c->n_vips, sizeof(c->vips[0]));
}

static const struct field garp_fields[] = {
	/* gratuitous ARPs per VIP when this member takes over */
	{ .key = "count", .type = FT_UINT, MEMBER(struct phx_cfg_garp, count),
	  .min = 1, .max = 100, .def = 3 },
	/* spacing of the repeats, milliseconds */
	{ .key = "interval_ms", .type = FT_UINT,
	  MEMBER(struct phx_cfg_garp, interval_ms),
	  .min = 1, .max = 10000, .def = 500 },
};

static const struct section garp_section = {
	.fields = garp_fields, .n_fields = PHX_DIM(garp_fields)
};

static const struct field sync_fields[] = {
	/* false: no session is synced (SPEC SYNC-77 makes it visible) */
	{ .key = "enabled", .type = FT_BOOL,
	  MEMBER(struct phx_cfg_sync, enabled), .def = 1 },
	/* frames kept until every peer ACKs them (SPEC SYNC-32) */
	{ .key = "send_queue", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sync, send_queue),
	  .min = 512, .max = 65536, .def = 512 },
	/* per-peer reorder window (SPEC SYNC-33) */
	{ .key = "recv_queue", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sync, recv_queue),
	  .min = 256, .max = 65536, .def = 256 },
	{ .key = "ack_every", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sync, ack_every),
	  .min = 1, .max = 1024, .def = 16 },
	{ .key = "ack_ms", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sync, ack_ms),
	  .min = 1, .max = 1000, .def = 10 },
	{ .key = "retransmit_ms", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sync, retransmit_ms),
	  .min = 1, .max = 10000, .def = 50 },
	/* batching delay of a frame that is not full, microseconds */
	{ .key = "flush_us", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sync, flush_us),
	  .min = 0, .max = 100000, .def = 1000 },
	{ .key = "full_sync_timeout_s", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sync, full_sync_timeout_s),
	  .min = 1, .max = 3600, .def = 30 },
	/* SPEC SYNC-60..63 */
	{ .key = "block_new_conns", .type = FT_BOOL,
	  MEMBER(struct phx_cfg_sync, block_new_conns), .def = 0 },
	{ .key = "block_threshold", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sync, block_threshold),
	  .min = 1, .max = 100, .def = 80 },
	{ .key = "allowed_protocols", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sync, allowed_protocols),
	  .min = 0, .max = 31, .def = 24 },
};

static const struct section sync_section = {
	.fields = sync_fields, .n_fields = PHX_DIM(sync_fields)
};

/* Keywords, indexed by the model's enums. */
static const char *const mode_words[] = {
	[PHX_CLU_MODE_HA] = "ha", NULL
};
/* the other modes of DESIGN 6: named, refused as not built yet */
static const char *const mode_later[] = {
	"ls-multicast", "ls-unicast", "active-active", NULL
};
static const char *const transport_words[] = {
	[PHX_CCP_MULTICAST] = "multicast", [PHX_CCP_BROADCAST] = "broadcast",
	NULL
};
static const char *const recovery_words[] = {
	[PHX_RECOVERY_ACTIVE_UP] = "active-up",
	[PHX_RECOVERY_PRIMARY_UP] = "primary-up", NULL
};
static const char *const join_words[] = {
	[PHX_JOIN_MANUAL] = "manual", [PHX_JOIN_AUTO] = "auto", NULL
};

static const struct field cluster_fields[] = {
	/* cluster number in every CCP header (SPEC CCP-10) */
	{ .key = "id", .type = FT_UINT, MEMBER(struct phx_cfg_cluster, id),
	  .min = 1, .max = 254, .def = 1 },
	/* this member's id = its priority, 1 highest (SPEC MODE-11) */
	{ .key = "member", .type = FT_UINT, .flags = F_REQUIRED,
	  MEMBER(struct phx_cfg_cluster, member),
	  .min = 1, .max = PHX_CFG_MAX_MEMBERS,
	  SRC(struct phx_cfg_cluster_src, member) },
	/* ids of all members, this one included */
	{ .key = "members", .type = FT_CUSTOM, .flags = F_REQUIRED,
	  .conv = conv_members, .dump = dump_members },
	{ .key = "mode", .type = FT_ENUM, MEMBER(struct phx_cfg_cluster, mode),
	  .def = PHX_CLU_MODE_HA, .words = mode_words, .later = mode_later,
	  .what = "a cluster mode" },
	/* 5th byte of the CCP source MAC (SPEC CCP-06, ADDR-31) */
	{ .key = "mac_magic", .type = FT_UINT,
	  MEMBER(struct phx_cfg_cluster, mac_magic),
	  .min = 1, .max = 254, .def = 0xfe },
	/* "hex:<64 hex digits>" or "file:<path>" */
	{ .key = "key", .type = FT_CUSTOM, .flags = F_REQUIRED,
	  .conv = conv_key, .dump = dump_key },
	/* CCP frames to a multicast or the broadcast MAC (SPEC CCP-04) */
	{ .key = "transport", .type = FT_ENUM,
	  MEMBER(struct phx_cfg_cluster, transport),
	  .def = PHX_CCP_MULTICAST, .words = transport_words,
	  .what = "a CCP transport" },
	/* heartbeat interval, milliseconds */
	{ .key = "hello_ms", .type = FT_UINT,
	  MEMBER(struct phx_cfg_cluster, hello_ms),
	  .min = 1, .max = 1000, .def = 100,
	  SRC(struct phx_cfg_cluster_src, hello_ms) },
	/* heartbeats missed before a peer is dead */
	{ .key = "dead_count", .type = FT_UINT,
	  MEMBER(struct phx_cfg_cluster, dead_count),
	  .min = 2, .max = 100, .def = 3,
	  SRC(struct phx_cfg_cluster_src, dead_count) },
	/* after a failover, does the best member take over again? */
	{ .key = "recovery", .type = FT_ENUM,
	  MEMBER(struct phx_cfg_cluster, recovery),
	  .def = PHX_RECOVERY_ACTIVE_UP, .words = recovery_words,
	  .what = "a recovery policy" },
	/* 0 = learnt high-water mark (SPEC CCP-31) */
	{ .key = "required_interfaces", .type = FT_UINT,
	  MEMBER(struct phx_cfg_cluster, required_interfaces),
	  .min = 0, .max = PHX_CFG_MAX_PORTS, .def = 0,
	  SRC(struct phx_cfg_cluster_src, required_interfaces) },
	/* the dedicated sync port; CCP runs on it too */
	{ .key = "sync_port", .type = FT_CUSTOM, .flags = F_REQUIRED,
	  .conv = conv_sync_port, .dump = dump_sync_port },
	{ .key = "vips", .type = FT_CUSTOM, .conv = conv_vips,
	  .dump = dump_vips },
	{ .key = "garp", .type = FT_SECTION,
	  MEMBER(struct phx_cfg_cluster, garp), .sub = &garp_section },
	/* state sync (SPEC 3) */
	{ .key = "sync", .type = FT_SECTION,
	  MEMBER(struct phx_cfg_cluster, sync), .sub = &sync_section },
	/* virtual MAC per cluster port (SPEC ADDR-40/41): off by default */
	{ .key = "vmac", .type = FT_BOOL, MEMBER(struct phx_cfg_cluster, vmac),
	  .def = 0 },
	/* "auto": adopt the running cluster's configuration (FAIL-50) */
	{ .key = "join", .type = FT_ENUM, MEMBER(struct phx_cfg_cluster, join),
	  .def = PHX_JOIN_MANUAL, .words = join_words, .what = "a join mode" },
};

static const struct section cluster_section = {
	.fields = cluster_fields, .n_fields = PHX_DIM(cluster_fields)
};

_Static_assert(PHX_DIM(cluster_fields) <= MAX_FIELDS,
	       "raise MAX_FIELDS for the cluster section");

/*
 * "cluster": present = this member is part of a cluster. null is refused
 * rather than read as "no cluster": a YAML section whose keys are all
 * commented out is null, and a member that silently came up standalone
 * would answer for nothing the cluster expects of it.
 */
static void
conv_cluster(struct walk *w, const struct field *f,
	     const struct phx_cfg_node *n, const char *path, void *obj,
	     void *src)
{
	struct phx_config *cfg = obj;
	struct phx_cfg_srcmap *map = src;

	(void)f;
	if (n->type == PHX_CFG_NODE_INVALID)
		return;
	if (is_null(n)) {
		phx_cfg_err(w->ctx, n->loc, path, "expected object, got null; "
			    "leave the key out for a member without a cluster "
			    "(in YAML, a section whose keys are all commented "
			    "out is null)");
		return;
	}
	if (n->type != PHX_CFG_NODE_OBJECT) {
		type_error(w, n, path, "object");
		return;
	}
	apply_defaults(&cluster_section, &cfg->cluster);
	cfg->cluster.enabled = true;
	cfg->cluster.loc = n->loc;
	map->cluster.self = n->loc;
	walk_object(w, &cluster_section, n, path, &cfg->cluster,
		    &map->cluster);
	map->cluster.hello_given = phx_cfg_node_get(n, "hello_ms") != NULL;
	map->cluster.dead_given = phx_cfg_node_get(n, "dead_count") != NULL;
}

static json_t *
dump_cluster(const struct phx_config *cfg, const void *obj)
{
	(void)obj;
	return dump_section(cfg, &cluster_section, &cfg->cluster);
}

static bool
cluster_present(const struct phx_config *cfg, const void *obj)
{
	(void)obj;
	return cfg->cluster.enabled;
}

/* ------------------------------- custom fields: VLAN sub-interfaces */

/*
 * A port entry is a physical port ("device") or a VLAN sub-interface of
 * one ("parent" and "vlan"; SPEC MODE-08). The sub-interface has no
 * device, MAC, rings or promiscuity of its own: it is the parent's device
 * seen through one 802.1Q tag, so the dump leaves those keys out of it
 * (a dump that wrote them would not load again), and leaves "parent" and
 * "vlan" out of a physical port. vlan is the discriminator rather than
 * parent: a zeroed struct phx_cfg_port is then a physical port.
 */
static bool
port_physical(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_port *port = obj;

	(void)cfg;
	return port->vlan == 0;
}

static bool
port_vlan(const struct phx_config *cfg, const void *obj)
{
	return !port_physical(cfg, obj);
}

/* "parent": a port name, resolved (and held to a physical port) by the
 * validator, since the parent may come later in the list. */
static void
conv_parent(struct walk *w, const struct field *f,
	    const struct phx_cfg_node *n, const char *path, void *obj,
	    void *src)
{
	struct phx_cfg_port_src *psrc = src;

	(void)f;
	(void)obj;
	if (want_port_name(w, n, path, psrc->parent_name,
			   sizeof(psrc->parent_name)))
		psrc->parent = n->loc;
}

static json_t *
dump_parent(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_port *port = obj;

	return dump_port_index(cfg, port->parent);
}

/* -------------------------------------------------------------- tables */

static const struct field neigh_fields[] = {
	/* ARP/neighbour table size */
	{ .key = "max_entries", .type = FT_UINT,
	  MEMBER(struct phx_cfg_neigh, max_entries),
	  .min = 16, .max = 65536, .def = 1024 },
	/* lifetime of an entry after its last confirmation, seconds */
	{ .key = "reachable_s", .type = FT_UINT,
	  MEMBER(struct phx_cfg_neigh, reachable_s),
	  .min = 1, .max = 86400, .def = 300 },
	/* packets queued per unresolved next hop */
	{ .key = "hold_packets", .type = FT_UINT,
	  MEMBER(struct phx_cfg_neigh, hold_packets),
	  .min = 0, .max = 64, .def = 4 },
	/* ARP requests before the next hop is declared unreachable */
	{ .key = "retries", .type = FT_UINT,
	  MEMBER(struct phx_cfg_neigh, retries),
	  .min = 1, .max = 10, .def = 3 },
	/* spacing of ARP requests, milliseconds */
	{ .key = "retry_ms", .type = FT_UINT,
	  MEMBER(struct phx_cfg_neigh, retry_ms),
	  .min = 10, .max = 10000, .def = 1000 },
};

static const struct field dataplane_fields[] = {
	/* worker lcores (each polls one RX queue of every port) */
	{ .key = "workers", .type = FT_UINT,
	  MEMBER(struct phx_cfg_dataplane, workers),
	  .min = 1, .max = PHX_CFG_MAX_WORKERS, .def = 1,
	  SRC(struct phx_cfg_dataplane_src, workers) },
	/* sleep after an empty poll, microseconds; 0 = busy poll */
	{ .key = "idle_sleep_us", .type = FT_UINT,
	  MEMBER(struct phx_cfg_dataplane, idle_sleep_us),
	  .min = 0, .max = 100000, .def = 0,
	  SRC(struct phx_cfg_dataplane_src, idle_sleep_us) },
	/* mbuf pool size */
	{ .key = "mbufs", .type = FT_UINT,
	  MEMBER(struct phx_cfg_dataplane, mbufs),
	  .min = 1024, .max = 8388608, .def = 16384 },
	/* ICMP errors per second per worker; 0 = never send */
	{ .key = "icmp_rate", .type = FT_UINT,
	  MEMBER(struct phx_cfg_dataplane, icmp_rate),
	  .min = 0, .max = 1000000, .def = 100 },
};

static const struct field eal_fields[] = {
	/* --file-prefix; default: the member name */
	{ .key = "file_prefix", .type = FT_STR,
	  MEMBER(struct phx_cfg_eal, file_prefix),
	  .min = 1, .max = 63, .check = check_name,
	  SRC(struct phx_cfg_eal_src, file_prefix) },
	/* -l list; default "0-<workers>" */
	{ .key = "lcores", .type = FT_STR,
	  MEMBER(struct phx_cfg_eal, lcores),
	  .min = 1, .max = PHX_CFG_STR_LEN - 1, .check = check_lcores,
	  SRC(struct phx_cfg_eal_src, lcores) },
	/* --main-lcore; -1 = EAL's choice (the first of lcores) */
	{ .key = "main_lcore", .type = FT_INT,
	  MEMBER(struct phx_cfg_eal, main_lcore),
	  .min = -1, .max = MAX_LCORE, .def = -1,
	  SRC(struct phx_cfg_eal_src, main_lcore) },
	/* -m, MiB; 0 = EAL default */
	{ .key = "memory_mb", .type = FT_UINT,
	  MEMBER(struct phx_cfg_eal, memory_mb),
	  .min = 0, .max = 1048576, .def = 0 },
	{ .key = "no_huge", .type = FT_BOOL,
	  MEMBER(struct phx_cfg_eal, no_huge), .def = 0 },
	{ .key = "in_memory", .type = FT_BOOL,
	  MEMBER(struct phx_cfg_eal, in_memory), .def = 0,
	  SRC(struct phx_cfg_eal_src, in_memory) },
	/* --log-level value; "" = EAL default */
	{ .key = "log_level", .type = FT_STR,
	  MEMBER(struct phx_cfg_eal, log_level),
	  .min = 0, .max = PHX_CFG_STR_LEN - 1, .def_str = "",
	  .check = check_token },
	/* extra EAL arguments, verbatim */
	{ .key = "args", .type = FT_CUSTOM, .conv = conv_args,
	  .dump = dump_args },
};

static const struct field port_fields[] = {
	{ .key = "name", .type = FT_STR, .flags = F_REQUIRED,
	  MEMBER(struct phx_cfg_port, name),
	  .min = 1, .max = PHX_CFG_NAME_LEN - 1, .check = check_port_name,
	  SRC(struct phx_cfg_port_src, name) },
	/* a physical port: "device"; a VLAN sub-interface: "parent" and
	 * "vlan" instead (exactly one of the two is the validator's check,
	 * so that the message can say which) */
	{ .key = "device", .type = FT_CUSTOM, .conv = conv_device,
	  .dump = dump_device, .present = port_physical },
	{ .key = "parent", .type = FT_CUSTOM, .conv = conv_parent,
	  .dump = dump_parent, .present = port_vlan },
	/* 0 (the default) marks a physical port, and is not accepted */
	{ .key = "vlan", .type = FT_UINT, MEMBER(struct phx_cfg_port, vlan),
	  .min = 1, .max = 4094, .def = 0,
	  SRC(struct phx_cfg_port_src, vlan), .present = port_vlan },
	/* mac, rx_desc, tx_desc, promiscuous: a sub-interface's come from
	 * its parent */
	{ .key = "mac", .type = FT_CUSTOM, .conv = conv_mac,
	  .dump = dump_mac, .present = port_physical },
	/* a sub-interface without one takes its parent's (validator) */
	{ .key = "mtu", .type = FT_UINT, MEMBER(struct phx_cfg_port, mtu),
	  .min = 68, .max = 9000, .def = 1500,
	  SRC(struct phx_cfg_port_src, mtu) },
	{ .key = "rx_desc", .type = FT_UINT, .flags = F_POW2,
	  MEMBER(struct phx_cfg_port, rx_desc),
	  .min = 64, .max = 4096, .def = 1024,
	  SRC(struct phx_cfg_port_src, own_value[PHX_CFG_OWN_RX_DESC]),
	  .present = port_physical },
	{ .key = "tx_desc", .type = FT_UINT, .flags = F_POW2,
	  MEMBER(struct phx_cfg_port, tx_desc),
	  .min = 64, .max = 4096, .def = 1024,
	  SRC(struct phx_cfg_port_src, own_value[PHX_CFG_OWN_TX_DESC]),
	  .present = port_physical },
	{ .key = "promiscuous", .type = FT_BOOL,
	  MEMBER(struct phx_cfg_port, promiscuous), .def = 1,
	  SRC(struct phx_cfg_port_src, own_value[PHX_CFG_OWN_PROMISC]),
	  .present = port_physical },
	{ .key = "addresses", .type = FT_CUSTOM, .conv = conv_addresses,
	  .dump = dump_addresses },
};

static const struct field route_fields[] = {
	{ .key = "prefix", .type = FT_CUSTOM, .flags = F_REQUIRED,
	  .conv = conv_prefix, .dump = dump_prefix },
	{ .key = "via", .type = FT_CUSTOM, .conv = conv_via,
	  .dump = dump_via },
	{ .key = "port", .type = FT_CUSTOM, .conv = conv_route_port,
	  .dump = dump_route_port },
};

/* sessions.tcp_trust_rst_ports: ports as a rule's "dport" takes them;
 * "any" trusts every port, an empty list (the default) none. */
static void
conv_trust_rst(struct walk *w, const struct field *f,
	       const struct phx_cfg_node *n, const char *path, void *obj,
	       void *src)
{
	struct phx_cfg_sessions *ss = obj;
	struct phx_cfg_loc loc;

	(void)f;
	(void)src;
	if (is_any(n)) {
		ss->trust_rst_all = true;
		return;
	}
	if (is_null(n) || (n->type == PHX_CFG_NODE_ARRAY && n->n_kids == 0))
		return; /* none, as if left out (YAML: all commented out) */
	conv_ports_match(w, n, path, &ss->n_trust_rst, ss->trust_rst, &loc);
}

static json_t *
dump_trust_rst(const struct phx_config *cfg, const void *obj)
{
	const struct phx_cfg_sessions *ss = obj;
	json_t *a;
	unsigned i;

	(void)cfg;
	if (ss->trust_rst_all)
		return json_string("any");
	a = json_array();
	for (i = 0; a != NULL && i < ss->n_trust_rst; i++)
		json_array_append_new(a, dump_range(&ss->trust_rst[i]));
	return a;
}

static const struct field sessions_fields[] = {
	/* session table size, per worker */
	{ .key = "max", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sessions, max),
	  .min = 1024, .max = 16777216, .def = 65536 },
	/* TCP sequence-window checking (SPEC SI-10) */
	{ .key = "tcp_window_check", .type = FT_BOOL,
	  MEMBER(struct phx_cfg_sessions, tcp_window_check), .def = 0 },
	/* after start, pick up established TCP sessions mid-stream for this
	 * long, seconds */
	{ .key = "pickup_grace_s", .type = FT_UINT,
	  MEMBER(struct phx_cfg_sessions, pickup_grace_s),
	  .min = 0, .max = 3600, .def = 0 },
	/* SPEC SI-04 trust RST: RSTs close, SYNs reuse these ports */
	{ .key = "tcp_trust_rst_ports", .type = FT_CUSTOM,
	  .conv = conv_trust_rst, .dump = dump_trust_rst },
};

static const struct field rule_fields[] = {
	/* unique; default "rule<N>", N counting from 1 */
	{ .key = "name", .type = FT_STR, MEMBER(struct phx_cfg_rule, name),
	  .min = 1, .max = PHX_CFG_NAME_LEN - 1, .check = check_name,
	  SRC(struct phx_cfg_rule_src, name) },
	/* ingress: port or zone names, or "any" */
	{ .key = "in", .type = FT_CUSTOM, .conv = conv_rule_in,
	  .dump = dump_rule_in },
	/* egress before destination NAT: port or zone names, or "any" */
	{ .key = "out", .type = FT_CUSTOM, .conv = conv_rule_out,
	  .dump = dump_rule_out },
	{ .key = "src", .type = FT_CUSTOM, .conv = conv_rule_src,
	  .dump = dump_rule_src },
	{ .key = "dst", .type = FT_CUSTOM, .conv = conv_rule_dst,
	  .dump = dump_rule_dst },
	{ .key = "proto", .type = FT_CUSTOM, .conv = conv_proto,
	  .dump = dump_proto },
	/* only with tcp or udp */
	{ .key = "sport", .type = FT_CUSTOM, .conv = conv_sport,
	  .dump = dump_sport },
	{ .key = "dport", .type = FT_CUSTOM, .conv = conv_dport,
	  .dump = dump_dport },
	{ .key = "action", .type = FT_CUSTOM, .conv = conv_action,
	  .dump = dump_action },
	/* per-rule overrides of the global timeouts */
	{ .key = "timeouts", .type = FT_CUSTOM, .conv = conv_rule_timeouts,
	  .dump = dump_rule_timeouts },
	/* sync the sessions this rule admits */
	{ .key = "sync", .type = FT_BOOL, MEMBER(struct phx_cfg_rule, sync),
	  .def = 1 },
	/* sync only sessions older than this, seconds (SPEC 3.7) */
	{ .key = "sync_delay_s", .type = FT_UINT,
	  MEMBER(struct phx_cfg_rule, sync_delay_s),
	  .min = 0, .max = 3600, .def = 0 },
	{ .key = "nat", .type = FT_CUSTOM, .conv = conv_nat,
	  .dump = dump_nat },
};

#define SECTION(tbl) { .fields = tbl, .n_fields = PHX_DIM(tbl) }

static const struct section neigh_section = SECTION(neigh_fields);
static const struct section dataplane_section = SECTION(dataplane_fields);
static const struct section eal_section = SECTION(eal_fields);
static const struct section port_section = SECTION(port_fields);
static const struct section route_section = SECTION(route_fields);
static const struct section sessions_section = SECTION(sessions_fields);
static const struct section rule_section = SECTION(rule_fields);

static void conv_ports(struct walk *w, const struct field *f,
		       const struct phx_cfg_node *n, const char *path,
		       void *obj, void *src);
static void conv_routes(struct walk *w, const struct field *f,
			const struct phx_cfg_node *n, const char *path,
			void *obj, void *src);
static json_t *dump_ports(const struct phx_config *cfg, const void *obj);
static json_t *dump_routes(const struct phx_config *cfg, const void *obj);
static void conv_zones(struct walk *w, const struct field *f,
		       const struct phx_cfg_node *n, const char *path,
		       void *obj, void *src);
static void conv_rules(struct walk *w, const struct field *f,
		       const struct phx_cfg_node *n, const char *path,
		       void *obj, void *src);
static json_t *dump_zones(const struct phx_config *cfg, const void *obj);
static json_t *dump_rules(const struct phx_config *cfg, const void *obj);

static const struct field root_fields[] = {
	/* member name; also the default EAL file prefix */
	{ .key = "name", .type = FT_STR, MEMBER(struct phx_config, name),
	  .min = 1, .max = PHX_CFG_NAME_LEN - 1, .def_str = "phalanx",
	  .check = check_name, SRC(struct phx_cfg_srcmap, name) },
	{ .key = "eal", .type = FT_SECTION, MEMBER(struct phx_config, eal),
	  .sub = &eal_section, SRC(struct phx_cfg_srcmap, eal) },
	{ .key = "dataplane", .type = FT_SECTION,
	  MEMBER(struct phx_config, dataplane), .sub = &dataplane_section,
	  SRC(struct phx_cfg_srcmap, dataplane) },
	{ .key = "ports", .type = FT_CUSTOM, .flags = F_REQUIRED,
	  .conv = conv_ports, .dump = dump_ports },
	{ .key = "routes", .type = FT_CUSTOM, .conv = conv_routes,
	  .dump = dump_routes },
	{ .key = "neighbors", .type = FT_SECTION,
	  MEMBER(struct phx_config, neigh), .sub = &neigh_section },
	{ .key = "sessions", .type = FT_SECTION,
	  MEMBER(struct phx_config, sessions), .sub = &sessions_section },
	/* idle timeouts per class, seconds */
	{ .key = "timeouts", .type = FT_SECTION,
	  MEMBER(struct phx_config, timeouts), .sub = &tmo_section },
	/* new flows that no rule matches: drop (default) or reject */
	{ .key = "default_action", .type = FT_CUSTOM,
	  .conv = conv_default_action, .dump = dump_default_action },
	/* zone name -> port names */
	{ .key = "zones", .type = FT_CUSTOM, .conv = conv_zones,
	  .dump = dump_zones },
	/* first match wins */
	{ .key = "rules", .type = FT_CUSTOM, .conv = conv_rules,
	  .dump = dump_rules },
	/* this member's cluster; absent = a standalone member */
	{ .key = "cluster", .type = FT_CUSTOM, .conv = conv_cluster,
	  .dump = dump_cluster, .present = cluster_present },
};

static const struct section root_section = SECTION(root_fields);

/* ------------------------------------------------ custom: ports, routes */

const char *const phx_cfg_port_own_keys[PHX_CFG_OWN_MAX] = {
	[PHX_CFG_OWN_MAC] = "mac",
	[PHX_CFG_OWN_RX_DESC] = "rx_desc",
	[PHX_CFG_OWN_TX_DESC] = "tx_desc",
	[PHX_CFG_OWN_PROMISC] = "promiscuous",
};

/* Where the keys that decide a port's kind are, and the keys of the
 * physical settings whose value the walker accepted (struct
 * phx_cfg_port_src). A key given twice (YAML) counts where it is first. */
static void
port_keys(const struct phx_cfg_node *n, struct phx_cfg_port_src *psrc)
{
	const struct phx_cfg_node *k;
	unsigned i;

	psrc->object = n->type == PHX_CFG_NODE_OBJECT;
	if ((k = phx_cfg_node_get(n, "device")) != NULL)
		psrc->device_key = k->key_loc;
	if ((k = phx_cfg_node_get(n, "parent")) != NULL)
		psrc->parent_key = k->key_loc;
	if ((k = phx_cfg_node_get(n, "vlan")) != NULL)
		psrc->vlan_key = k->key_loc;
	if ((k = phx_cfg_node_get(n, "mtu")) != NULL)
		psrc->mtu_key = k->key_loc;
	for (i = 0; i < PHX_CFG_OWN_MAX; i++) {
		k = phx_cfg_node_get(n, phx_cfg_port_own_keys[i]);
		if (k != NULL && psrc->own_value[i].line != 0)
			psrc->own_key[i] = k->key_loc;
	}
}

static void
conv_ports(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	   const char *path, void *obj, void *src)
{
	struct phx_config *cfg = obj;
	struct phx_cfg_srcmap *map = src;
	char ipath[PHX_CFG_STR_LEN];
	unsigned i;

	(void)f;
	if (!want_array(w, n, path, false))
		return;
	if (n->n_kids == 0) {
		phx_cfg_err(w->ctx, n->loc, path, "at least one port is needed");
		return;
	}
	for (i = 0; i < n->n_kids; i++) {
		phx_cfg_path_index(ipath, sizeof(ipath), path, i);
		if (i == PHX_CFG_MAX_PORTS) {
			phx_cfg_err(w->ctx, n->kids[i]->loc, ipath, "too many "
				    "ports (at most %d)", PHX_CFG_MAX_PORTS);
			break;
		}
		apply_defaults(&port_section, &cfg->ports[i]);
		map->ports[i].self = n->kids[i]->loc;
		walk_object(w, &port_section, n->kids[i], ipath, &cfg->ports[i],
			    &map->ports[i]);
		port_keys(n->kids[i], &map->ports[i]);
		cfg->n_ports = i + 1;
	}
}

static json_t *
dump_section(const struct phx_config *cfg, const struct section *sec,
	     const void *obj)
{
	json_t *o = json_object();
	unsigned i;

	for (i = 0; o != NULL && i < sec->n_fields; i++) {
		const struct field *f = &sec->fields[i];
		const char *p = (const char *)obj + f->off;
		json_t *v = NULL;
		long long k;

		if (f->present != NULL && !f->present(cfg, obj))
			continue;
		switch (f->type) {
		case FT_STR:
			v = json_string(p);
			break;
		case FT_UINT:
			v = json_integer(get_num(p, f->size, false));
			break;
		case FT_INT:
			v = json_integer(get_num(p, f->size, true));
			break;
		case FT_BOOL:
			v = json_boolean(*(const bool *)p);
			break;
		case FT_ENUM:
			k = get_num(p, f->size, false);
			v = json_string(k < n_words(f->words) ? f->words[k]
							       : "?");
			break;
		case FT_SECTION:
			v = dump_section(cfg, f->sub, p);
			break;
		case FT_CUSTOM:
			v = f->dump(cfg, obj);
			break;
		}
		if (v == NULL || json_object_set_new(o, f->key, v) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *
dump_ports(const struct phx_config *cfg, const void *obj)
{
	(void)obj;
	return dump_array(cfg, &port_section, cfg->ports, cfg->n_ports, sizeof(cfg->ports[0]));
}

static void
conv_routes(struct walk *w, const struct field *f,
	    const struct phx_cfg_node *n, const char *path, void *obj,
	    void *src)
{
	struct phx_config *cfg = obj;
	struct phx_cfg_srcmap *map = src;
	char ipath[PHX_CFG_STR_LEN];
	unsigned i;

	(void)f;
	if (!want_array(w, n, path, true))
		return;
	for (i = 0; i < n->n_kids; i++) {
		phx_cfg_path_index(ipath, sizeof(ipath), path, i);
		if (i == PHX_CFG_MAX_ROUTES) {
			phx_cfg_err(w->ctx, n->kids[i]->loc, ipath, "too many "
				    "routes (at most %d)", PHX_CFG_MAX_ROUTES);
			break;
		}
		cfg->routes[i].port = -1;
		cfg->routes[i].loc = n->kids[i]->loc;
		map->routes[i].self = n->kids[i]->loc;
		walk_object(w, &route_section, n->kids[i], ipath,
			    &cfg->routes[i], &map->routes[i]);
		cfg->n_routes = i + 1;
	}
}

static json_t *
dump_routes(const struct phx_config *cfg, const void *obj)
{
	(void)obj;
	return dump_array(cfg, &route_section, cfg->routes, cfg->n_routes, sizeof(cfg->routes[0]));
}

/* ------------------------------------------------- custom: zones, rules */

static void
conv_zones(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	   const char *path, void *obj, void *src)
{
	struct phx_config *cfg = obj;
	struct phx_cfg_srcmap *map = src;
	char zpath[PHX_CFG_STR_LEN], ipath[PHX_CFG_STR_LEN], why[200], q[200];
	unsigned i, k;

	(void)f;
	if (n->type == PHX_CFG_NODE_INVALID || is_null(n))
		return;
	if (n->type != PHX_CFG_NODE_OBJECT) {
		type_error(w, n, path, "object or null");
		return;
	}
	for (i = 0; i < n->n_kids; i++) {
		const struct phx_cfg_node *m = n->kids[i];
		struct phx_cfg_zone_src *zs = &map->zones[i];
		size_t l = strlen(m->key);

		phx_cfg_path_key(zpath, sizeof(zpath), path, m->key);
		if (i == PHX_CFG_MAX_ZONES) {
			phx_cfg_err(w->ctx, m->key_loc, zpath, "too many zones "
				    "(at most %d)", PHX_CFG_MAX_ZONES);
			break;
		}
		cfg->n_zones = i + 1;
		zs->key = m->key;
		zs->self = m->loc;
		phx_cfg_quote(q, sizeof(q), m->key);
		if (l == 0)
			phx_cfg_err(w->ctx, m->key_loc, zpath, "a zone name must "
				    "not be empty");
		else if (l > PHX_CFG_NAME_LEN - 1)
			phx_cfg_err(w->ctx, m->key_loc, zpath, "zone name %s is "
				    "too long (%zu characters; at most %d)", q,
				    l, PHX_CFG_NAME_LEN - 1);
		else if (!check_ifname(m->key, why, sizeof(why)))
			phx_cfg_err(w->ctx, m->key_loc, zpath, "zone name %s %s",
				    q, why);
		else {
			snprintf(cfg->zones[i].name, sizeof(cfg->zones[i].name),
				 "%s", m->key);
			zs->name = m->key_loc;
		}
		if (m->type == PHX_CFG_NODE_INVALID)
			continue;
		if (m->type != PHX_CFG_NODE_ARRAY) {
			type_error(w, m, zpath, "array of port names");
			continue;
		}
		if (m->n_kids == 0) {
			phx_cfg_err(w->ctx, m->loc, zpath, "a zone needs at least "
				    "one port");
			continue;
		}
		for (k = 0; k < m->n_kids; k++) {
			phx_cfg_path_index(ipath, sizeof(ipath), zpath, k);
			if (k == PHX_CFG_MAX_PORTS) {
				phx_cfg_err(w->ctx, m->kids[k]->loc, ipath,
					    "too many ports (at most %d)",
					    PHX_CFG_MAX_PORTS);
				break;
			}
			if (want_ifname(w, m->kids[k], ipath, &zs->ports[k]))
				name_repeat(w, ipath, zs->ports, k);
		}
		zs->n_ports = k;
	}
}

/* Zones with their ports in port order (a zone is a set). */
static json_t *
dump_zones(const struct phx_config *cfg, const void *obj)
{
	json_t *o = json_object();
	unsigned i, p;

	(void)obj;
	for (i = 0; o != NULL && i < cfg->n_zones; i++) {
		json_t *a = json_array();

		for (p = 0; a != NULL && p < cfg->n_ports; p++)
			if (cfg->zones[i].ports & (1u << p))
				json_array_append_new(a,
					json_string(cfg->ports[p].name));
		if (a == NULL ||
		    json_object_set_new(o, cfg->zones[i].name, a) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static void
conv_rules(struct walk *w, const struct field *f, const struct phx_cfg_node *n,
	   const char *path, void *obj, void *src)
{
	struct phx_config *cfg = obj;
	struct phx_cfg_srcmap *map = src;
	char ipath[PHX_CFG_STR_LEN];
	unsigned i;

	(void)f;
	if (!want_array(w, n, path, true))
		return;
	for (i = 0; i < n->n_kids; i++) {
		const struct phx_cfg_node *k = n->kids[i];
		struct phx_cfg_rule *r = &cfg->rules[i];
		struct phx_cfg_rule_src *rs = &map->rules[i];

		phx_cfg_path_index(ipath, sizeof(ipath), path, i);
		if (i == PHX_CFG_MAX_RULES) {
			phx_cfg_err(w->ctx, k->loc, ipath, "too many rules (at "
				    "most %d)", PHX_CFG_MAX_RULES);
			break;
		}
		apply_defaults(&rule_section, r);
		r->loc = k->loc;
		rs->self = k->loc;
		rs->name_given = phx_cfg_node_get(k, "name") != NULL;
		walk_object(w, &rule_section, k, ipath, r, rs);
		if (!rs->name_given)
			snprintf(r->name, sizeof(r->name), "rule%u", i + 1);
		cfg->n_rules = i + 1;
	}
}

static json_t *
dump_rules(const struct phx_config *cfg, const void *obj)
{
	(void)obj;
	return dump_array(cfg, &rule_section, cfg->rules, cfg->n_rules, sizeof(cfg->rules[0]));
}

/* ------------------------------------------------------------- exported */

void
phx_cfg_schema_walk(struct phx_cfg_ctx *ctx, const struct phx_cfg_node *root,
		    struct phx_config *cfg, struct phx_cfg_srcmap *src)
{
	struct walk w = { .ctx = ctx, .cfg = cfg, .src = src };

	unsigned i, c;

	apply_defaults(&root_section, cfg);
	cfg->default_action = PHX_ACT_DROP; /* a custom field: no .def */
	cfg->cluster.sync_port = -1;        /* resolved by the validator */
	for (i = 0; i < PHX_CFG_MAX_PORTS; i++)
		cfg->ports[i].parent = -1;  /* physical until resolved */
	src->root = root->loc;
	walk_object(&w, &root_section, root, "", cfg, src);

	/* defaults that depend on other values */
	if (src->eal.file_prefix.line == 0)
		snprintf(cfg->eal.file_prefix, sizeof(cfg->eal.file_prefix),
			 "%s", cfg->name);
	if (src->eal.lcores.line == 0)
		snprintf(cfg->eal.lcores, sizeof(cfg->eal.lcores), "0-%u",
			 cfg->dataplane.workers);
	/* a rule's timeouts: the global ones, its own keys on top (the
	 * global "timeouts" may come after "rules" in the file) */
	for (i = 0; i < cfg->n_rules; i++)
		for (c = 0; c < PHX_TMO_MAX; c++)
			if (!(cfg->rules[i].timeouts_set & (1u << c)))
				cfg->rules[i].timeouts.s[c] =
					cfg->timeouts.s[c];
}

json_t *
phx_cfg_schema_dump(const struct phx_config *cfg)
{
	return dump_section(cfg, &root_section, cfg);
}
