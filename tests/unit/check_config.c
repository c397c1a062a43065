/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for the configuration loader (lib/config.h).
 *
 * Most of the coverage is golden files, so that a reviewer reads the
 * operator's view (pfctl regress pfN.in/.ok, pfailN.in/.ok):
 *   tests/conf/good/NAME.{json,yaml} + NAME.expected: both twins load and
 *     dump exactly NAME.expected, and the dump reloads to itself;
 *   tests/conf/bad/NAME.{json,yaml} + NAME.{json,yaml}.err: the exact error
 *     output (phx_config_load, then phx_config_check_env if the file itself
 *     was valid), every line "file:line:col: path: message".
 * The directories are listed at start-up, so a new case is a new file.
 * The shipped configs (conf/lab/gateway.*, conf/lab/member[1-3].*,
 * conf/phalanx.example.*) must load and dump identically as JSON and YAML.
 * API edges, the cluster key's sources and YAML/JSON specifics that have
 * no twin are table-driven tests below.
 *
 * Paths in messages are relative to the source tree: main() chdirs to
 * PHX_SOURCE_DIR. PHX_CONF_REGEN=1 rewrites the .expected/.err files from
 * the current output instead of comparing (review the diff before
 * committing it).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/config_node.h"
#include "phx_config.h"

#ifndef PHX_SOURCE_DIR
#error "PHX_SOURCE_DIR must name the source tree (tests/unit/meson.build)"
#endif

#define GOOD_DIR "tests/conf/good"
#define BAD_DIR  "tests/conf/bad"
#define MAX_CASES 256

/* Case names found at start-up (inherited by the forked tests). */
static char *good_names[MAX_CASES];   /* NAME (twins NAME.json/.yaml) */
static unsigned n_good;
static char *bad_files[MAX_CASES];    /* NAME.json or NAME.yaml */
static unsigned n_bad;

/* Large: keep them off the stack. Each test runs in its own process. */
static struct phx_cfg_errors errs;

/* ------------------------------------------------------------- helpers */

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static bool
regen(void)
{
	const char *r = getenv("PHX_CONF_REGEN");

	return r != NULL && strcmp(r, "1") == 0;
}

/* What phx_cfg_errors_print() writes, as a malloc'd string. */
static char *
errors_text(const struct phx_cfg_errors *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert(f != NULL);
	phx_cfg_errors_print(e, f);
	fclose(f);
	return text;
}

/* Compare got with the golden file (or rewrite it under regen). */
static void
golden(const char *path, const char *got)
{
	char *want;

	if (regen()) {
		spit(path, got);
		return;
	}
	want = slurp(path);
	ck_assert_msg(want != NULL, "missing golden file %s (run with "
		      "PHX_CONF_REGEN=1 to create it)", path);
	ck_assert_msg(strcmp(want, got) == 0,
		      "%s differs.\n--- expected\n%s--- got\n%s", path, want, got);
	free(want);
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of dir's entries ending in one of suffixes (suffix kept or not). */
static unsigned
list_dir(const char *dir, const char *const *suffixes, bool strip,
	 char **out)
{
	struct dirent *de;
	unsigned n = 0, i;
	DIR *d = opendir(dir);

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < MAX_CASES) {
		for (i = 0; suffixes[i] != NULL; i++) {
			if (!has_suffix(de->d_name, suffixes[i]))
				continue;
			out[n] = strdup(de->d_name);
			if (strip)
				out[n][strlen(out[n]) - strlen(suffixes[i])] = 0;
			n++;
			break;
		}
	}
	closedir(d);
	qsort(out, n, sizeof(out[0]), str_cmp);
	return n;
}

/* Load path; on success also run the environment checks. Returns the
 * model (caller frees) or NULL; errs holds what the daemon would print. */
static struct phx_config *
load_like_daemon(const char *path)
{
	struct phx_config *cfg = phx_config_load(path, &errs);

	if (cfg != NULL && phx_config_check_env(cfg, &errs) != 0) {
		phx_config_free(cfg);
		cfg = NULL;
	}
	return cfg;
}

/* The key file path is kept absolute: take the working directory out of
 * "file:<cwd>/..." so that golden dumps hold where the tree is. */
static void
strip_cwd(char *dump)
{
	char cwd[4096], needle[4096 + 8], *p;

	ck_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(needle, sizeof(needle), "\"file:%s/", cwd);
	while ((p = strstr(dump, needle)) != NULL)
		memmove(p + strlen("\"file:"), p + strlen(needle),
			strlen(p + strlen(needle)) + 1);
}

static char *
load_and_dump(const char *path)
{
	struct phx_config *cfg = phx_config_load(path, &errs);
	char *dump, *text;

	text = errors_text(&errs);
	ck_assert_msg(cfg != NULL, "%s does not load:\n%s", path, text);
	ck_assert_uint_eq(errs.n, 0);
	free(text);
	dump = phx_config_dump(cfg);
	ck_assert(dump != NULL);
	phx_config_free(cfg);
	strip_cwd(dump);
	return dump;
}

/* The dump is the canonical form: loading it gives the same dump. A dump
 * never carries an inline cluster key ("hex:<redacted>" does not load), so
 * any key stands in for it: the reloaded model's dump redacts it again. */
static void
assert_dump_fixed_point(const char *dump)
{
	static const char redacted[] = "\"hex:<redacted>\"";
	const char *at = strstr(dump, redacted);
	char *text = NULL;
	struct phx_config *cfg;
	char *again;

	if (at != NULL)
		ck_assert(asprintf(&text, "%.*s\"hex:%s\"%s", (int)(at - dump),
				   dump, "1111111111111111111111111111111111111111"
				   "111111111111111111111111",
				   at + strlen(redacted)) > 0);
	cfg = phx_config_load_buf("dump.json", text ? text : dump,
				  strlen(text ? text : dump), &errs);
	ck_assert_msg(cfg != NULL, "the dump does not reload:\n%s", dump);
	again = phx_config_dump(cfg);
	strip_cwd(again);
	ck_assert_str_eq(again, dump);
	free(again);
	free(text);
	phx_config_free(cfg);
}

/* -------------------------------------------------------- golden files */

START_TEST(test_good)
{
	const char *name = good_names[_i];
	char pj[512], py[512], pe[512];
	char *dj, *dy;

	snprintf(pj, sizeof(pj), "%s/%s.json", GOOD_DIR, name);
	snprintf(py, sizeof(py), "%s/%s.yaml", GOOD_DIR, name);
	snprintf(pe, sizeof(pe), "%s/%s.expected", GOOD_DIR, name);

	dj = load_and_dump(pj);
	golden(pe, dj);
	assert_dump_fixed_point(dj);
#if PHX_HAS_YAML
	dy = load_and_dump(py);
	ck_assert_msg(strcmp(dj, dy) == 0, "%s and %s dump differently:\n"
		      "--- JSON\n%s--- YAML\n%s", pj, py, dj, dy);
	free(dy);
#else
	(void)dy;
	(void)py;
#endif
	free(dj);
}
END_TEST

START_TEST(test_bad)
{
	const char *file = bad_files[_i];
	char path[512], errpath[600];
	struct phx_config *cfg;
	char *text, *line, *save = NULL;

#if !PHX_HAS_YAML
	if (has_suffix(file, ".yaml"))
		return;
#endif
	snprintf(path, sizeof(path), "%s/%s", BAD_DIR, file);
	snprintf(errpath, sizeof(errpath), "%s.err", path);

	cfg = load_like_daemon(path);
	ck_assert_msg(cfg == NULL, "%s was accepted", path);
	ck_assert_uint_gt(errs.n, 0);
	text = errors_text(&errs);
	golden(errpath, text);

	/* every line is "FILE:LINE:COL: PATH: MESSAGE" for this file */
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned l = 0, c = 0;
		int off = 0;

		ck_assert_msg(strncmp(line, path, strlen(path)) == 0 &&
			      sscanf(line + strlen(path), ":%u:%u: %n", &l, &c,
				     &off) == 2 && off > 0 && l > 0 && c > 0,
			      "not file:line:col: %s", line);
		ck_assert_msg(strstr(line + strlen(path) + off, ": ") != NULL,
			      "no path: %s", line);
	}
	free(text);
}
END_TEST

/* Every case has both twins and its golden files. */
START_TEST(test_catalogue_complete)
{
	static const char *const required[] = {
		/* the brief's catalogue: each for JSON and YAML */
		"syntax", "wrong_type", "unknown_key", "out_of_range",
		"dup_address", "dup_key", "missing_key", "bad_address",
		"bad_prefix", "route_unconnected", "route_host_bits",
		"many_errors", "env_iface", "env_pci", "env_driver",
		/* the policy */
		"policy_refs", "zone_names", "zone_empty", "rule_dup_name",
		"rule_ports_proto", "rule_bad_range", "rule_bad_nets",
		"rule_bad_action", "rule_bad_proto", "nat_drop", "nat_shape",
		"nat_errors_together",
		"snat_not_ours", "dnat_unreachable", "dnat_no_dst", "dnat_out",
		"timeouts_range", "rule_too_many_specs",
		/* the cluster section */
		"cluster_range", "cluster_required_ifs",
		"cluster_member_absent", "cluster_members_few",
		"cluster_members_many", "cluster_mode", "cluster_mode_later",
		"cluster_keywords", "cluster_key_short", "cluster_key_nothex",
		"cluster_key_file", "cluster_key_missing", "cluster_vip_subnet",
		"cluster_vip_own", "cluster_vip_dup", "cluster_vip_sync",
		"cluster_sync_unknown", "cluster_sync_noaddr", "cluster_timers",
		"cluster_timers_large", "cluster_nat", "cluster_null",
		/* VLAN sub-interfaces */
		"vlan_kind", "vlan_parent", "vlan_vip", "vlan_env",
		NULL,
	};
	char p[600];
	struct stat st;
	unsigned i, k;

	for (i = 0; i < n_good; i++) {
		static const char *const ext[] = { "json", "yaml", "expected" };

		for (k = 0; k < 3; k++) {
			snprintf(p, sizeof(p), "%s/%s.%s", GOOD_DIR,
				 good_names[i], ext[k]);
			ck_assert_msg(stat(p, &st) == 0, "missing %s", p);
		}
	}
	for (i = 0; i < n_bad; i++) {
		char twin[512];
		size_t l = strlen(bad_files[i]);

		snprintf(twin, sizeof(twin), "%.*s.%s", (int)(l - 5),
			 bad_files[i],
			 has_suffix(bad_files[i], ".json") ? "yaml" : "json");
		snprintf(p, sizeof(p), "%s/%s", BAD_DIR, twin);
		ck_assert_msg(stat(p, &st) == 0, "%s has no twin %s",
			      bad_files[i], p);
	}
	for (i = 0; required[i] != NULL; i++) {
		snprintf(p, sizeof(p), "%s/%s.json", BAD_DIR, required[i]);
		ck_assert_msg(stat(p, &st) == 0, "catalogue lacks %s", p);
	}
	ck_assert_uint_ge(n_good, 1);
}
END_TEST

/* ----------------------------------------------------- shipped configs */

static const char *const shipped[] = {
	"conf/lab/gateway",
	"conf/lab/member1",
	"conf/lab/member2",
	"conf/lab/member3",
	"conf/phalanx.example",
};

START_TEST(test_shipped_twins)
{
	char pj[256], py[256];
	char *dj;

	snprintf(pj, sizeof(pj), "%s.json", shipped[_i]);
	snprintf(py, sizeof(py), "%s.yaml", shipped[_i]);
	dj = load_and_dump(pj);
	assert_dump_fixed_point(dj);
#if PHX_HAS_YAML
	{
		char *dy = load_and_dump(py);

		ck_assert_msg(strcmp(dj, dy) == 0, "%s and %s differ:\n"
			      "--- JSON\n%s--- YAML\n%s", pj, py, dj, dy);
		free(dy);
	}
#endif
	free(dj);
}
END_TEST

/* gateway is what the single-member lab tests start: pin the values they rely on. */
START_TEST(test_lab_gateway)
{
	struct phx_config *cfg = phx_config_load("conf/lab/gateway.json",
						 &errs);
	char a[16];

	ck_assert(cfg != NULL);
	ck_assert_str_eq(cfg->name, "lab-fw1");
	ck_assert_str_eq(cfg->eal.file_prefix, "lab-fw1");
	ck_assert_str_eq(cfg->eal.lcores, "0-1");
	ck_assert_uint_eq(cfg->eal.memory_mb, 256);
	ck_assert(!cfg->eal.no_huge);
	ck_assert(!cfg->eal.in_memory);
	ck_assert_uint_eq(cfg->dataplane.workers, 1);
	ck_assert_uint_eq(cfg->dataplane.idle_sleep_us, 100);
	ck_assert_uint_eq(cfg->n_ports, 2);
	ck_assert_str_eq(cfg->ports[0].name, "in0");
	ck_assert_str_eq(cfg->ports[0].device, "net_af_packet0,iface=in0,framesz=4096");
	ck_assert(!cfg->ports[0].is_pci);
	ck_assert(cfg->ports[0].has_mac);
	ck_assert_uint_eq(cfg->ports[0].mac[5], 0x0b);
	ck_assert_uint_eq(cfg->ports[0].n_addrs, 2);
	ck_assert_str_eq(phx_ip4_str(cfg->ports[0].addrs[0].ip, a),
			 "10.1.0.11");
	ck_assert_str_eq(phx_ip4_str(cfg->ports[0].addrs[1].ip, a), "10.1.0.1");
	ck_assert_str_eq(cfg->ports[1].name, "out0");
	ck_assert_str_eq(cfg->ports[1].device, "net_af_packet1,iface=out0,framesz=4096");
	ck_assert_uint_eq(cfg->ports[1].mac[3], 0x02);
	ck_assert_str_eq(phx_ip4_str(cfg->ports[1].addrs[0].ip, a),
			 "10.2.0.11");
	ck_assert_uint_eq(cfg->ports[1].addrs[0].plen, 24);
	ck_assert_uint_eq(cfg->n_routes, 0);
	phx_config_free(cfg);
}
END_TEST

/* The lab policy (docs/config.md, "The lab file"): what the lab tests
 * send traffic against. */
START_TEST(test_lab_gateway_policy)
{
	struct phx_config *cfg = phx_config_load("conf/lab/gateway.json",
						 &errs);
	const struct phx_cfg_rule *r;
	char a[16];

	ck_assert(cfg != NULL);
	ck_assert_uint_eq(cfg->default_action, PHX_ACT_DROP);
	ck_assert_uint_eq(cfg->n_zones, 2);
	ck_assert_str_eq(cfg->zones[0].name, "inside");
	ck_assert_uint_eq(cfg->zones[0].ports, 1u << 0);
	ck_assert_str_eq(cfg->zones[1].name, "outside");
	ck_assert_uint_eq(cfg->zones[1].ports, 1u << 1);
	ck_assert_uint_eq(cfg->n_rules, 4);

	r = &cfg->rules[0];
	ck_assert_str_eq(r->name, "dnat-web");
	ck_assert_uint_eq(r->in_ports, 1u << 0);
	ck_assert_uint_eq(r->out_ports, 0);
	ck_assert_uint_eq(r->n_dst, 1);
	ck_assert_str_eq(phx_ip4_str(r->dst[0].ip, a), "10.1.0.11");
	ck_assert_uint_eq(r->dst[0].plen, 32);
	ck_assert_uint_eq(r->proto, 6);
	ck_assert_uint_eq(r->n_dport, 1);
	ck_assert_uint_eq(r->dport[0].lo, 8080);
	ck_assert_uint_eq(r->dport[0].hi, 8080);
	ck_assert_uint_eq(r->action, PHX_ACT_ACCEPT);
	ck_assert_uint_eq(r->nat_kind, PHX_NAT_DEST);
	ck_assert_str_eq(phx_ip4_str(r->nat_ip, a), "10.2.0.100");
	ck_assert_uint_eq(r->nat_port_lo, 80);

	r = &cfg->rules[1];
	ck_assert_str_eq(r->name, "snat-hide");
	ck_assert_str_eq(phx_ip4_str(r->src[0].ip, a), "10.1.0.0");
	ck_assert_uint_eq(r->src[0].plen, 24);
	ck_assert_str_eq(phx_ip4_str(r->dst[0].ip, a), "10.2.0.0");
	ck_assert_uint_eq(r->dport[0].lo, 9000);
	ck_assert_uint_eq(r->dport[0].hi, 9099);
	ck_assert_uint_eq(r->nat_kind, PHX_NAT_SOURCE);
	ck_assert_str_eq(phx_ip4_str(r->nat_ip, a), "10.2.0.11");
	ck_assert_uint_eq(r->nat_port_lo, 1024);
	ck_assert_uint_eq(r->nat_port_hi, 65535);

	r = &cfg->rules[2];
	ck_assert_str_eq(r->name, "short-idle");
	ck_assert_uint_eq(r->dport[0].lo, 7000);
	ck_assert_uint_eq(r->dport[0].hi, 7099);
	ck_assert_uint_eq(r->nat_kind, PHX_NAT_NONE);
	ck_assert_uint_eq(r->timeouts.s[PHX_TMO_TCP_ESTABLISHED], 3);
	ck_assert_uint_eq(r->timeouts_set, 1u << PHX_TMO_TCP_ESTABLISHED);
	ck_assert_uint_eq(r->timeouts.s[PHX_TMO_TCP_END],
			  cfg->timeouts.s[PHX_TMO_TCP_END]);

	r = &cfg->rules[3];
	ck_assert_str_eq(r->name, "client-out");
	ck_assert_uint_eq(r->in_ports, 1u << 0);
	ck_assert_uint_eq(r->out_ports, 1u << 1);
	ck_assert_uint_eq(r->n_src, 1);
	ck_assert_uint_eq(r->n_dst, 0);
	ck_assert_uint_eq(r->proto, 0);
	ck_assert_uint_eq(r->n_dport, 0);
	ck_assert_uint_eq(r->action, PHX_ACT_ACCEPT);
	ck_assert_uint_eq(r->nat_kind, PHX_NAT_NONE);
	phx_config_free(cfg);
}
END_TEST

/* The lab's fixed cluster key: this ASCII text (docs/config.md). */
#define LAB_KEY "phalanx lab key: not a secret!!!"

/* Each lab MAC is 02:00 followed by the port's (first) address. */
static void
assert_lab_mac(const struct phx_cfg_port *p)
{
	uint32_t ip = p->addrs[0].ip;

	ck_assert(p->has_mac);
	ck_assert_uint_eq(p->mac[0], 0x02);
	ck_assert_uint_eq(p->mac[1], 0x00);
	ck_assert_uint_eq(p->mac[2], (ip >> 24) & 0xff);
	ck_assert_uint_eq(p->mac[3], (ip >> 16) & 0xff);
	ck_assert_uint_eq(p->mac[4], (ip >> 8) & 0xff);
	ck_assert_uint_eq(p->mac[5], ip & 0xff);
}

/*
 * The cluster lab files (docs/config.md, "The cluster lab files"): all six
 * load (phx_config_load only: the environment check needs the lab's
 * interfaces), each twin dumps like its JSON file, and member K is member
 * 1 with exactly these changed: name and EAL file prefix, the member
 * address and MAC of each port, and cluster.member. The dump covers every
 * other value except the key, which is compared byte for byte.
 */
START_TEST(test_lab_cluster)
{
	struct phx_config *ref = phx_config_load("conf/lab/member1.json",
						 &errs);
	const struct phx_cfg_cluster *c;
	char a[16];
	unsigned k, p;

	ck_assert_msg(ref != NULL, "conf/lab/member1.json: %s",
		      errs.e[0].msg);
	/* what the cluster lab relies on (LAB.md) */
	c = &ref->cluster;
	ck_assert(c->enabled);
	ck_assert_uint_eq(c->id, 1);
	ck_assert_uint_eq(c->member, 1);
	ck_assert_uint_eq(c->n_members, 3);
	ck_assert_uint_eq(c->members[0], 1);
	ck_assert_uint_eq(c->members[2], 3);
	ck_assert_uint_eq(c->mode, PHX_CLU_MODE_HA);
	ck_assert_uint_eq(c->mac_magic, 0xfe);
	ck_assert_mem_eq(c->key, LAB_KEY, PHX_CFG_KEY_LEN);
	ck_assert_str_eq(c->key_file, "");
	ck_assert_uint_eq(c->transport, PHX_CCP_MULTICAST);
	ck_assert_uint_eq(c->hello_ms, 5);
	ck_assert_uint_eq(c->dead_count, 4);
	ck_assert_uint_eq(c->recovery, PHX_RECOVERY_ACTIVE_UP);
	ck_assert_uint_eq(c->required_interfaces, 0);
	ck_assert_int_eq(c->sync_port, 2);
	ck_assert_str_eq(ref->ports[2].name, "sync0");
	ck_assert_uint_eq(c->n_vips, 2);
	ck_assert_str_eq(phx_ip4_str(c->vips[0].ip, a), "10.1.0.1");
	ck_assert_uint_eq(c->vips[0].plen, 24);
	ck_assert_int_eq(c->vips[0].port, 0);
	ck_assert_str_eq(phx_ip4_str(c->vips[1].ip, a), "10.2.0.1");
	ck_assert_uint_eq(c->vips[1].plen, 24);
	ck_assert_int_eq(c->vips[1].port, 1);
	ck_assert(!c->vmac);
	ck_assert_uint_eq(c->join, PHX_JOIN_MANUAL);
	/* the lab policy, with the VIPs as NAT addresses */
	ck_assert_uint_eq(ref->n_rules, 4);
	ck_assert_str_eq(ref->rules[0].name, "dnat-web");
	ck_assert_str_eq(phx_ip4_str(ref->rules[0].dst[0].ip, a), "10.1.0.1");
	ck_assert_uint_eq(ref->rules[0].dst[0].plen, 32);
	ck_assert_uint_eq(ref->rules[0].dport[0].lo, 8080);
	ck_assert_str_eq(phx_ip4_str(ref->rules[0].nat_ip, a), "10.2.0.100");
	ck_assert_uint_eq(ref->rules[0].nat_port_lo, 80);
	ck_assert_str_eq(ref->rules[1].name, "snat-hide");
	ck_assert_uint_eq(ref->rules[1].nat_kind, PHX_NAT_SOURCE);
	ck_assert_str_eq(phx_ip4_str(ref->rules[1].nat_ip, a), "10.2.0.1");

	for (k = 1; k <= 3; k++) {
		static const uint32_t net[3] = {
			0x0a010000, 0x0a020000, 0x0a000000 /* in0, out0, sync0 */
		};
		struct phx_config *cfg, *want;
		char pj[64], py[64], name[16], *dw, *dc;

		snprintf(pj, sizeof(pj), "conf/lab/member%u.json", k);
		snprintf(py, sizeof(py), "conf/lab/member%u.yaml", k);
		dc = load_and_dump(pj);
#if PHX_HAS_YAML
		{
			char *dy = load_and_dump(py);

			ck_assert_msg(strcmp(dc, dy) == 0, "%s and %s differ", pj,
				      py);
			free(dy);
		}
#endif
		cfg = phx_config_load(pj, &errs);
		ck_assert(cfg != NULL);
		snprintf(name, sizeof(name), "lab-fw%u", k);
		ck_assert_str_eq(cfg->name, name);
		ck_assert_str_eq(cfg->eal.file_prefix, name);
		ck_assert_uint_eq(cfg->cluster.member, k);
		ck_assert_uint_eq(cfg->n_ports, 3);
		for (p = 0; p < 3; p++) {
			/* member K: 10.1.0.1K, 10.2.0.1K, 10.0.0.K (LAB.md) */
			ck_assert_uint_eq(cfg->ports[p].n_addrs, 1);
			ck_assert_uint_eq(cfg->ports[p].addrs[0].ip,
					  net[p] | (p < 2 ? 10 + k : k));
			ck_assert_uint_eq(cfg->ports[p].addrs[0].plen, 24);
			assert_lab_mac(&cfg->ports[p]);
		}
		ck_assert_mem_eq(cfg->cluster.key, ref->cluster.key,
				 PHX_CFG_KEY_LEN);

		/* member 1 with only those values changed dumps the same */
		want = malloc(sizeof(*want));
		ck_assert(want != NULL);
		memcpy(want, ref, sizeof(*want));
		snprintf(want->name, sizeof(want->name), "%s", name);
		snprintf(want->eal.file_prefix, sizeof(want->eal.file_prefix),
			 "%s", name);
		for (p = 0; p < 3; p++) {
			want->ports[p].addrs[0].ip = cfg->ports[p].addrs[0].ip;
			memcpy(want->ports[p].mac, cfg->ports[p].mac, 6);
		}
		want->cluster.member = (uint8_t)k;
		dw = phx_config_dump(want);
		ck_assert_msg(strcmp(dw, dc) == 0, "%s differs from member1.json "
			      "beyond name, prefix, addresses, MACs and member:\n"
			      "--- member 1, adjusted\n%s--- %s\n%s", pj, dw,
			      pj, dc);
		free(dw);
		free(dc);
		free(want);
		/* SPEC 4.6: the members agree on the configuration digest;
		 * a policy or key change shows in it */
		{
			uint8_t d1[32], dk[32];
			struct phx_config *mod = malloc(sizeof(*mod));

			ck_assert(mod != NULL);
			ck_assert_int_eq(phx_config_digest(ref, d1), 0);
			ck_assert_int_eq(phx_config_digest(cfg, dk), 0);
			ck_assert_mem_eq(d1, dk, 32);
			memcpy(mod, cfg, sizeof(*mod));
			mod->rules[3].action = PHX_ACT_DROP;
			ck_assert_int_eq(phx_config_digest(mod, dk), 0);
			ck_assert_msg(memcmp(d1, dk, 32) != 0, "rule action");
			memcpy(mod, cfg, sizeof(*mod));
			mod->cluster.key[0] ^= 1;
			ck_assert_int_eq(phx_config_digest(mod, dk), 0);
			ck_assert_msg(memcmp(d1, dk, 32) != 0, "key");
			/* how a member joins is its own (FAIL-50) */
			memcpy(mod, cfg, sizeof(*mod));
			mod->cluster.join = PHX_JOIN_AUTO;
			ck_assert_int_eq(phx_config_digest(mod, dk), 0);
			ck_assert_mem_eq(d1, dk, 32);
			free(mod);
		}
		phx_config_free(cfg);
	}
	phx_config_free(ref);
}
END_TEST

/* ------------------------------------------------------ model contents */

START_TEST(test_defaults)
{
	static const char text[] =
		"{\"ports\": [{\"name\": \"p0\", \"device\": \"net_null0\"}]}";
	struct phx_config *cfg;

	cfg = phx_config_load_buf("d.json", text, strlen(text), &errs);
	ck_assert(cfg != NULL);
	ck_assert_str_eq(cfg->path, "d.json");
	ck_assert_str_eq(cfg->name, "phalanx");
	ck_assert_str_eq(cfg->eal.file_prefix, "phalanx");
	ck_assert_str_eq(cfg->eal.lcores, "0-1");
	ck_assert_int_eq(cfg->eal.main_lcore, -1);
	ck_assert_uint_eq(cfg->eal.memory_mb, 0);
	ck_assert_uint_eq(cfg->eal.n_args, 0);
	ck_assert_str_eq(cfg->eal.log_level, "");
	ck_assert_uint_eq(cfg->dataplane.workers, 1);
	ck_assert_uint_eq(cfg->dataplane.idle_sleep_us, 0);
	ck_assert_uint_eq(cfg->dataplane.mbufs, 16384);
	ck_assert_uint_eq(cfg->dataplane.icmp_rate, 100);
	ck_assert_uint_eq(cfg->ports[0].mtu, 1500);
	ck_assert_uint_eq(cfg->ports[0].rx_desc, 1024);
	ck_assert_uint_eq(cfg->ports[0].tx_desc, 1024);
	ck_assert(cfg->ports[0].promiscuous);
	ck_assert(!cfg->ports[0].has_mac);
	ck_assert_uint_eq(cfg->ports[0].device_loc.line, 1);
	ck_assert_uint_eq(cfg->ports[0].device_loc.col, 37);
	ck_assert_int_eq(cfg->ports[0].parent, -1);  /* physical */
	ck_assert_uint_eq(cfg->ports[0].vlan, 0);
	ck_assert_uint_eq(cfg->neigh.max_entries, 1024);
	ck_assert_uint_eq(cfg->neigh.reachable_s, 300);
	ck_assert_uint_eq(cfg->neigh.hold_packets, 4);
	ck_assert_uint_eq(cfg->neigh.retries, 3);
	ck_assert_uint_eq(cfg->neigh.retry_ms, 1000);
	ck_assert_uint_eq(cfg->sessions.max, 65536);
	ck_assert(!cfg->sessions.tcp_window_check);
	ck_assert_uint_eq(cfg->sessions.pickup_grace_s, 0);
	/* the timeout defaults are lib/timeouts.h's table */
#define CHECK_TMO_DEFAULT_(e, k, d, desc) \
	ck_assert_uint_eq(cfg->timeouts.s[PHX_TMO_##e], d);
	PHX_TMO_CLASSES(CHECK_TMO_DEFAULT_)
#undef CHECK_TMO_DEFAULT_
	ck_assert_uint_eq(cfg->default_action, PHX_ACT_DROP);
	ck_assert_uint_eq(cfg->n_zones, 0);
	ck_assert_uint_eq(cfg->n_rules, 0);
	/* no section: a standalone member */
	ck_assert(!cfg->cluster.enabled);
	ck_assert_int_eq(cfg->cluster.sync_port, -1);
	ck_assert_uint_eq(cfg->cluster.n_members, 0);
	ck_assert_uint_eq(cfg->cluster.n_vips, 0);
	ck_assert_uint_eq(cfg->generation, 0);
	phx_config_free(cfg);
}
END_TEST

START_TEST(test_workers_default_lcores)
{
	static const char text[] =
		"{\"dataplane\": {\"workers\": 4}, \"name\": \"x_1\",\n"
		" \"ports\": [{\"name\": \"p0\", \"device\": \"net_null0\"}]}";
	struct phx_config *cfg;

	cfg = phx_config_load_buf("w.json", text, strlen(text), &errs);
	ck_assert(cfg != NULL);
	ck_assert_str_eq(cfg->eal.lcores, "0-4");
	ck_assert_str_eq(cfg->eal.file_prefix, "x_1");
	phx_config_free(cfg);
}
END_TEST

/* eal.lcores: lists and ranges as -l takes them, lcore@cpu as --lcores
 * does (a member with more lcores than the machine has CPUs). */
START_TEST(test_lcores_forms)
{
	static const struct {
		const char *s;
		int n;          /* lcores, or -EINVAL */
	} cases[] = {
		{ "0-3,8", 5 }, { "0@0,1@1,2@1", 3 }, { "0-1,2@1", 3 },
		{ "0@0,0@1", 1 }, { "1-2@1", -EINVAL }, { "0@", -EINVAL },
		{ "0@a", -EINVAL }, { "@1", -EINVAL }, { "0@1@1", -EINVAL },
		{ "0@2000", -EINVAL },
	};
	uint8_t set[128];
	char why[200];
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(phx_cfg_lcores_parse(cases[i].s, set, sizeof(set),
						   why, sizeof(why)) ==
			      cases[i].n, "%s", cases[i].s);
	ck_assert_int_eq(phx_cfg_lcores_parse("0@0,1@1,2@1", set, sizeof(set),
					      why, sizeof(why)), 3);
	ck_assert_uint_eq(set[0], 0x07);
}
END_TEST

START_TEST(test_routes_model)
{
	struct phx_config *cfg = phx_config_load(GOOD_DIR "/routes.json",
						 &errs);
	char a[16];

	ck_assert(cfg != NULL);
	ck_assert_uint_eq(cfg->n_routes, 6);
	/* default route: port derived from the next hop */
	ck_assert_uint_eq(cfg->routes[0].prefix, 0);
	ck_assert_uint_eq(cfg->routes[0].plen, 0);
	ck_assert_str_eq(phx_ip4_str(cfg->routes[0].via, a), "10.2.0.254");
	ck_assert_int_eq(cfg->routes[0].port, 1);
	/* port given, no next hop: connected */
	ck_assert_uint_eq(cfg->routes[3].via, 0);
	ck_assert_int_eq(cfg->routes[3].port, 1);
	ck_assert_uint_eq(cfg->routes[3].plen, 32);
	/* /31 peer */
	ck_assert_int_eq(cfg->routes[5].port, 2);
	ck_assert_uint_eq(cfg->routes[5].loc.line, 17);
	phx_config_free(cfg);
}
END_TEST

/* The policy golden's model: resolved names, masks, NAT defaults and the
 * effective per-rule timeouts. */
START_TEST(test_policy_model)
{
	struct phx_config *cfg = phx_config_load(GOOD_DIR "/policy.json",
						 &errs);
	const struct phx_cfg_rule *r;
	unsigned c;

	ck_assert(cfg != NULL);
	ck_assert_uint_eq(cfg->default_action, PHX_ACT_REJECT);
	ck_assert_uint_eq(cfg->sessions.max, 1048576);
	ck_assert(cfg->sessions.tcp_window_check);
	ck_assert_uint_eq(cfg->timeouts.s[PHX_TMO_OTHER], PHX_TMO_MAX_S);
	ck_assert_uint_eq(cfg->n_zones, 3);
	ck_assert_uint_eq(cfg->zones[0].ports, 0x3);   /* lan, dmz */
	ck_assert_uint_eq(cfg->zones[1].ports, 0x4);   /* wan */
	ck_assert_uint_eq(cfg->zones[2].ports, 0x2);   /* dmz, in two zones */
	ck_assert_uint_eq(cfg->n_rules, 9);

	r = &cfg->rules[0];                            /* in: outside */
	ck_assert_uint_eq(r->n_in, 1);
	ck_assert_uint_eq(r->in_refs[0], PHX_CFG_IFREF_ZONE | 1);
	ck_assert_uint_eq(r->in_ports, 0x4);
	ck_assert_uint_eq(r->nat_kind, PHX_NAT_DEST);
	ck_assert_uint_eq(r->nat_port_lo, 0);          /* keep the port */
	ck_assert_uint_eq(r->dst[0].plen, 32);         /* bare address */

	r = &cfg->rules[1];                            /* in: [wan] */
	ck_assert_uint_eq(r->in_refs[0], 2);
	ck_assert_uint_eq(r->in_ports, 0x4);
	ck_assert_uint_eq(r->nat_port_lo, 22);
	ck_assert_uint_eq(r->nat_port_hi, 22);

	ck_assert_uint_eq(cfg->rules[2].action, PHX_ACT_REJECT);
	ck_assert_uint_eq(cfg->rules[2].dport[0].lo, 137);
	ck_assert_uint_eq(cfg->rules[2].dport[0].hi, 139);
	ck_assert_uint_eq(cfg->rules[3].action, PHX_ACT_DROP);
	ck_assert_uint_eq(cfg->rules[3].sport[0].lo, 0);

	r = &cfg->rules[4];                            /* dns */
	ck_assert(!r->sync);
	ck_assert_uint_eq(r->timeouts_set, (1u << PHX_TMO_UDP_FIRST) |
			  (1u << PHX_TMO_UDP));
	ck_assert_uint_eq(r->timeouts.s[PHX_TMO_UDP_FIRST], 5);
	ck_assert_uint_eq(r->timeouts.s[PHX_TMO_UDP], 10);
	ck_assert_uint_eq(r->timeouts.s[PHX_TMO_TCP_ESTABLISHED], 7200);

	r = &cfg->rules[5];                            /* [lan, servers] */
	ck_assert_uint_eq(r->n_in, 2);
	ck_assert_uint_eq(r->in_refs[0], 0);
	ck_assert_uint_eq(r->in_refs[1], PHX_CFG_IFREF_ZONE | 2);
	ck_assert_uint_eq(r->in_ports, 0x3);
	ck_assert_uint_eq(r->nat_kind, PHX_NAT_SOURCE);
	ck_assert_uint_eq(r->nat_port_lo, 20000);
	ck_assert_uint_eq(r->nat_port_hi, 29999);

	r = &cfg->rules[6];                            /* gre-out */
	ck_assert_uint_eq(r->proto, 47);
	ck_assert_uint_eq(r->sync_delay_s, 10);
	ck_assert_uint_eq(r->nat_port_lo, 1024);       /* SNAT default */
	ck_assert_uint_eq(r->nat_port_hi, 65535);

	r = &cfg->rules[8];                            /* every default */
	ck_assert_str_eq(r->name, "rule9");
	ck_assert_uint_eq(r->n_in + r->n_out + r->n_src + r->n_dst +
			  r->n_sport + r->n_dport, 0);
	ck_assert_uint_eq(r->in_ports | r->out_ports, 0);
	ck_assert_uint_eq(r->proto, 0);
	ck_assert_uint_eq(r->action, PHX_ACT_ACCEPT);
	ck_assert(r->sync);
	ck_assert_uint_eq(r->timeouts_set, 0);
	for (c = 0; c < PHX_TMO_MAX; c++)
		ck_assert_uint_eq(r->timeouts.s[c], cfg->timeouts.s[c]);
	ck_assert_uint_eq(cfg->generation, 0);
	phx_config_free(cfg);
}
END_TEST

/* A rule's timeouts sit on the global ones even when "timeouts" comes
 * after "rules" in the file. */
START_TEST(test_rule_timeouts_order)
{
	static const char text[] =
		"{\"ports\": [{\"name\": \"p0\", \"device\": \"net_null0\"}],\n"
		" \"rules\": [{\"timeouts\": {\"tcp_syn\": 7}}],\n"
		" \"timeouts\": {\"tcp_syn\": 8, \"tcp_end\": 99}}";
	struct phx_config *cfg;

	cfg = phx_config_load_buf("t.json", text, strlen(text), &errs);
	ck_assert(cfg != NULL);
	ck_assert_uint_eq(cfg->timeouts.s[PHX_TMO_TCP_SYN], 8);
	ck_assert_uint_eq(cfg->rules[0].timeouts.s[PHX_TMO_TCP_SYN], 7);
	ck_assert_uint_eq(cfg->rules[0].timeouts.s[PHX_TMO_TCP_END], 99);
	ck_assert_uint_eq(cfg->rules[0].timeouts_set, 1u << PHX_TMO_TCP_SYN);
	phx_config_free(cfg);
}
END_TEST

/* The cluster golden's model: every key away from its default, members
 * sorted, ports resolved, the key read from the file beside it. */
START_TEST(test_cluster_model)
{
	static const uint8_t key0[4] = { 0x7a, 0x5c, 0xbe, 0x0a };
	struct phx_config *cfg = phx_config_load(GOOD_DIR "/cluster.json",
						 &errs);
	const struct phx_cfg_cluster *c;
	char a[16];

	ck_assert(cfg != NULL);
	c = &cfg->cluster;
	ck_assert(c->enabled);
	ck_assert_uint_eq(c->loc.line, 12);
	ck_assert_uint_eq(c->id, 7);
	ck_assert_uint_eq(c->member, 2);
	ck_assert_uint_eq(c->n_members, 3);
	ck_assert_uint_eq(c->members[0], 1);
	ck_assert_uint_eq(c->members[1], 2);
	ck_assert_uint_eq(c->members[2], 3);
	ck_assert_uint_eq(c->mode, PHX_CLU_MODE_HA);
	ck_assert_uint_eq(c->mac_magic, 0x10);
	ck_assert_mem_eq(c->key, key0, sizeof(key0));
	ck_assert_uint_eq(c->key[31], 0xf1);
	/* made absolute (a dump is read from elsewhere) */
	ck_assert_int_eq(c->key_file[0], '/');
	ck_assert_uint_ge(strlen(c->key_file), strlen(GOOD_DIR "/cluster.key"));
	ck_assert_str_eq(c->key_file + strlen(c->key_file) -
			 strlen(GOOD_DIR "/cluster.key"), GOOD_DIR "/cluster.key");
	{
		/* so its dump loads from another directory (an adopted
		 * configuration, a dump kept elsewhere) */
		char *d = phx_config_dump(cfg);
		struct phx_config *again;

		ck_assert(d != NULL);
		again = phx_config_load_buf("/nonexistent/elsewhere/dump.json",
					    d, strlen(d), &errs);
		ck_assert_msg(again != NULL, "the dump does not load elsewhere");
		phx_config_free(again);
		free(d);
	}
	ck_assert_uint_eq(c->transport, PHX_CCP_BROADCAST);
	ck_assert_uint_eq(c->hello_ms, 20);
	ck_assert_uint_eq(c->dead_count, 5);
	ck_assert_uint_eq(c->recovery, PHX_RECOVERY_PRIMARY_UP);
	ck_assert_uint_eq(c->required_interfaces, 3);
	ck_assert_int_eq(c->sync_port, 2);
	ck_assert_uint_eq(c->n_vips, 3);
	ck_assert_int_eq(c->vips[0].port, 0);
	ck_assert_int_eq(c->vips[1].port, 1);
	ck_assert_int_eq(c->vips[2].port, 1);
	ck_assert_str_eq(phx_ip4_str(c->vips[2].ip, a), "198.51.100.1");
	ck_assert_uint_eq(c->vips[2].plen, 25);
	ck_assert_uint_eq(c->vips[2].loc.line, 28);
	ck_assert_uint_eq(c->garp.count, 5);
	ck_assert_uint_eq(c->garp.interval_ms, 200);
	ck_assert(c->sync.enabled);
	ck_assert_uint_eq(c->sync.send_queue, 1024);
	ck_assert_uint_eq(c->sync.ack_ms, 20);
	ck_assert(c->sync.block_new_conns);
	ck_assert_uint_eq(c->sync.allowed_protocols, 1);
	ck_assert(c->vmac);
	ck_assert_uint_eq(c->join, PHX_JOIN_AUTO);
	/* a VIP as NAT address */
	ck_assert_str_eq(phx_ip4_str(cfg->rules[1].nat_ip, a), "198.51.100.1");
	phx_config_free(cfg);
}
END_TEST

/*
 * The VLAN golden's model: each sub-interface knows its parent and VLAN
 * id and carries a copy of the parent's device settings (what the code
 * that opens devices and sends frames reads), takes the parent's MTU when
 * it gives none, and is an ordinary port everywhere else (sync port, VIPs,
 * routes, zones, rules). Physical ports have parent -1 and vlan 0.
 */
START_TEST(test_vlan_model)
{
	struct phx_config *cfg = phx_config_load(GOOD_DIR "/vlan.json",
						 &errs);
	const struct phx_cfg_port *in100, *trunk, *sync, *out, *out1;

	ck_assert(cfg != NULL);
	ck_assert_uint_eq(cfg->n_ports, 5);
	in100 = &cfg->ports[0];
	trunk = &cfg->ports[1];
	sync = &cfg->ports[2];
	out = &cfg->ports[3];
	out1 = &cfg->ports[4];

	ck_assert_int_eq(trunk->parent, -1);
	ck_assert_uint_eq(trunk->vlan, 0);
	ck_assert_int_eq(out->parent, -1);
	ck_assert_uint_eq(out->vlan, 0);

	/* listed before its parent */
	ck_assert_int_eq(in100->parent, 1);
	ck_assert_uint_eq(in100->vlan, 100);
	ck_assert_str_eq(in100->device, "net_null0");
	ck_assert(!in100->is_pci);
	ck_assert(in100->has_mac);
	ck_assert_mem_eq(in100->mac, trunk->mac, sizeof(trunk->mac));
	ck_assert_uint_eq(in100->rx_desc, 2048);
	ck_assert_uint_eq(in100->tx_desc, 512);
	ck_assert(!in100->promiscuous);
	ck_assert_uint_eq(in100->device_loc.line, trunk->device_loc.line);
	ck_assert_uint_eq(in100->device_loc.col, trunk->device_loc.col);
	ck_assert_uint_eq(in100->mtu, 9000);        /* the parent's */

	ck_assert_int_eq(sync->parent, 1);
	ck_assert_uint_eq(sync->vlan, 4094);
	ck_assert_uint_eq(sync->mtu, 1500);         /* its own */

	ck_assert_int_eq(out1->parent, 3);
	ck_assert_uint_eq(out1->vlan, 1);
	ck_assert_str_eq(out1->device, "net_null1");
	ck_assert(!out1->has_mac);
	ck_assert_uint_eq(out1->rx_desc, 1024);
	ck_assert(out1->promiscuous);
	ck_assert_uint_eq(out1->mtu, 1400);

	/* ordinary ports for everything else */
	ck_assert_int_eq(cfg->cluster.sync_port, 2);
	ck_assert_int_eq(cfg->cluster.vips[0].port, 0);
	ck_assert_int_eq(cfg->cluster.vips[1].port, 4);
	ck_assert_int_eq(cfg->routes[1].port, 4);   /* derived from via */
	ck_assert_int_eq(cfg->routes[2].port, 0);
	ck_assert_uint_eq(cfg->zones[0].ports, 1u << 0);
	ck_assert_uint_eq(cfg->zones[1].ports, 1u << 3 | 1u << 4);
	ck_assert_uint_eq(cfg->rules[0].in_ports, 1u << 0);
	ck_assert_uint_eq(cfg->rules[0].out_ports, 1u << 4);

	/* the shared device is checked once, as the parent's */
	errs.n = 0;
	ck_assert_uint_eq(phx_config_check_env(cfg, &errs), 0);
	phx_config_free(cfg);
}
END_TEST

/* Only member, members, key and sync_port are required; the rest has
 * the defaults of docs/config.md. */
START_TEST(test_cluster_defaults)
{
	static const char text[] =
		"{\"ports\": [{\"name\": \"s\", \"device\": \"net_null0\",\n"
		"  \"addresses\": [\"10.0.0.1/24\"]}],\n"
		" \"cluster\": {\"member\": 2, \"members\": [2, 1],\n"
		"  \"key\": \"hex:00112233445566778899aabbccddeeff"
		"00112233445566778899aabbccddeeff\", \"sync_port\": \"s\"}}";
	struct phx_config *cfg;
	const struct phx_cfg_cluster *c;

	cfg = phx_config_load_buf("c.json", text, strlen(text), &errs);
	ck_assert_msg(cfg != NULL, "%s", errs.e[0].msg);
	c = &cfg->cluster;
	ck_assert(c->enabled);
	ck_assert_uint_eq(c->id, 1);
	ck_assert_uint_eq(c->members[0], 1);
	ck_assert_uint_eq(c->members[1], 2);
	ck_assert_uint_eq(c->mode, PHX_CLU_MODE_HA);
	ck_assert_uint_eq(c->mac_magic, 0xfe);
	ck_assert_uint_eq(c->key[0], 0x00);
	ck_assert_uint_eq(c->key[1], 0x11);
	ck_assert_uint_eq(c->key[31], 0xff);
	ck_assert_str_eq(c->key_file, "");
	ck_assert_uint_eq(c->transport, PHX_CCP_MULTICAST);
	ck_assert_uint_eq(c->hello_ms, 100);
	ck_assert_uint_eq(c->dead_count, 3);
	ck_assert_uint_eq(c->recovery, PHX_RECOVERY_ACTIVE_UP);
	ck_assert_uint_eq(c->required_interfaces, 0);
	ck_assert_int_eq(c->sync_port, 0);
	ck_assert_uint_eq(c->n_vips, 0);
	ck_assert_uint_eq(c->garp.count, 3);
	ck_assert_uint_eq(c->garp.interval_ms, 500);
	ck_assert(c->sync.enabled);
	ck_assert_uint_eq(c->sync.send_queue, 512);
	ck_assert_uint_eq(c->sync.recv_queue, 256);
	ck_assert_uint_eq(c->sync.retransmit_ms, 50);
	ck_assert(!c->sync.block_new_conns);
	ck_assert_uint_eq(c->sync.allowed_protocols, 24);
	ck_assert(!c->vmac);
	ck_assert_uint_eq(c->join, PHX_JOIN_MANUAL);
	phx_config_free(cfg);
}
END_TEST

/* ------------------------------------------------ the cluster key */

/*
 * Where the cluster key comes from, and that no message shows it. Each
 * case writes its key file (if any) into a fresh directory D and loads
 * D/c.json, so "file:k" is D/k; "@" in the key value stands for D.
 */
struct key_case {
	const char *key;       /* JSON value of "key"; "@" = the directory */
	const char *file;      /* content of D/k, or NULL for none */
	size_t file_len;       /* 0 = strlen(file) */
	const char *want;      /* part of the one error; NULL = must load */
	const char *secret;    /* must not appear in the error text */
	const char *bytes;     /* must load: first 4 key bytes, else NULL */
};

#define HEX64 "00112233445566778899aabbccddeeff" \
	      "00112233445566778899aabbccddeeff"

static const struct key_case key_cases[] = {
	{ "\"hex:" HEX64 "\"", NULL, 0, NULL, NULL, "\x00\x11\x22\x33" },
	{ "\"hex:<redacted>\"", NULL, 0, "stands for a key left out of a "
	  "configuration dump", NULL, NULL },
	{ "\"" HEX64 "\"", NULL, 0, "the key must be \"hex:\"", "0011223344",
	  NULL },
	{ "\"hex:abcdef0123\"", NULL, 0, "the hex key has 10 digits; it needs "
	  "64", "abcdef", NULL },
	{ "1234567890123", NULL, 0, "got integer", "1234567890123", NULL },
	{ "{\"secret\": \"s3cr3t\"}", NULL, 0, "got object", "s3cr3t", NULL },
	{ "\"hex:" "0000000000000000000000000000000000000000000000000000000000"
	  "000000\"", NULL, 0, "the key is all zeros", NULL, NULL },
	{ "\"file:\"", NULL, 0, "\"file:\" needs the path", NULL, NULL },
	/* 32 raw bytes, relative to the configuration's directory */
	{ "\"file:k\"", "\xde\xad\xbe\xef" "0123456789abcdef0123456789ab", 0,
	  NULL, NULL, "\xde\xad\xbe\xef" },
	/* 64 hex digits and a CRLF, absolute path */
	{ "\"file:@/k\"", "fedcba9876543210" "00112233445566778899aabbccddeeff"
	  "0011223344556677\r\n", 0, NULL, NULL, "\xfe\xdc\xba\x98" },
	{ "\"file:k\"", "0123456789abcdef0123456789abcdef!", 0, "holds 33 "
	  "bytes; it needs exactly 32 bytes", "0123456789", NULL },
	{ "\"file:k\"", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
	  "zzzzzzzzzz\n", 0, "holds 64 characters that are not all hex",
	  "zzzz", NULL },
	{ "\"file:k\"", HEX64 HEX64, 0, "holds more than 66 bytes", "0011",
	  NULL },
	{ "\"file:k\"", "", 0, "holds 0 bytes", NULL, NULL },
	{ "\"file:@\"", NULL, 0, "is not a regular file", NULL, NULL },
	{ "\"file:nonexistent\"", NULL, 0, "cannot open key file", NULL,
	  NULL },
};

START_TEST(test_cluster_key)
{
	static const char head[] =
		"{\"ports\": [{\"name\": \"s\", \"device\": \"net_null0\", "
		"\"addresses\": [\"10.0.0.1/24\"]}],\n \"cluster\": {\"member\": "
		"1, \"members\": [1, 2], \"sync_port\": \"s\", \"key\": ";
	const struct key_case *c = &key_cases[_i];
	char dir[] = "/tmp/check_config.XXXXXX";
	char path[64], kpath[64], text[1024], *etext;
	struct phx_config *cfg;
	size_t o, i;

	ck_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/c.json", dir);
	snprintf(kpath, sizeof(kpath), "%s/k", dir);
	if (c->file != NULL) {
		FILE *f = fopen(kpath, "wb");
		size_t n = c->file_len ? c->file_len : strlen(c->file);

		ck_assert(f != NULL);
		ck_assert_uint_eq(fwrite(c->file, 1, n, f), n);
		fclose(f);
	}
	o = (size_t)snprintf(text, sizeof(text), "%s", head);
	for (i = 0; c->key[i] != '\0' && o < sizeof(text) - 64; i++) {
		if (c->key[i] == '@')
			o += (size_t)snprintf(text + o, sizeof(text) - o, "%s",
					      dir);
		else
			text[o++] = c->key[i];
	}
	snprintf(text + o, sizeof(text) - o, "}}\n");

	cfg = phx_config_load_buf(path, text, strlen(text), &errs);
	etext = errors_text(&errs);
	if (c->want == NULL) {
		ck_assert_msg(cfg != NULL, "%s rejected: %s", c->key, etext);
		ck_assert_mem_eq(cfg->cluster.key, c->bytes, 4);
		if (c->file != NULL)
			ck_assert_str_eq(cfg->cluster.key_file, kpath);
		else
			ck_assert_str_eq(cfg->cluster.key_file, "");
	} else {
		ck_assert_msg(cfg == NULL, "%s accepted", c->key);
		ck_assert_uint_eq(errs.n, 1);
		ck_assert_msg(strstr(etext, c->want) != NULL, "%s: got %s",
			      c->key, etext);
		ck_assert_str_eq(errs.e[0].path, "cluster.key");
	}
	if (c->secret != NULL)
		ck_assert_msg(strstr(etext, c->secret) == NULL, "the error "
			      "shows the key: %s", etext);
	free(etext);
	phx_config_free(cfg);
	unlink(kpath);
	rmdir(dir);
}
END_TEST

/* -------------------------------------------------------------- API edges */

START_TEST(test_extension)
{
	struct phx_config *cfg;
	char *text;

	cfg = phx_config_load_buf("x.conf", "{}", 2, &errs);
	ck_assert(cfg == NULL);
	text = errors_text(&errs);
	ck_assert_str_eq(text, "x.conf: cannot tell the syntax from the file "
			 "name: use a .json, .yaml or .yml extension\n");
	free(text);
	/* checked before the file is opened */
	ck_assert(phx_config_load("no/such/file", &errs) == NULL);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert(strstr(errs.e[0].msg, "extension") != NULL);
}
END_TEST

START_TEST(test_unreadable)
{
	char dir[] = "/tmp/check_config.XXXXXX";
	char sub[64];
	char *text;

	ck_assert(phx_config_load("tests/conf/no-such-file.json", &errs) ==
		  NULL);
	text = errors_text(&errs);
	ck_assert_str_eq(text, "tests/conf/no-such-file.json: cannot open: No "
			 "such file or directory\n");
	free(text);

	ck_assert(mkdtemp(dir) != NULL);
	snprintf(sub, sizeof(sub), "%s/d.yaml", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert(phx_config_load(sub, &errs) == NULL);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.e[0].msg, "not a regular file");
	rmdir(sub);
	/* a FIFO with no writer: refused, not waited on (the load would
	 * block here for good, or the control lcore at a reload) */
	snprintf(sub, sizeof(sub), "%s/f.json", dir);
	ck_assert_int_eq(mkfifo(sub, 0600), 0);
	ck_assert(phx_config_load(sub, &errs) == NULL);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.e[0].msg, "not a regular file");
	unlink(sub);
	rmdir(dir);
}
END_TEST

/* A path the model cannot keep whole (a reload opens it again) is
 * refused at once rather than loaded and failing at every reload. */
START_TEST(test_long_path)
{
	char path[700];

	memset(path, 'a', sizeof(path) - 6);
	memcpy(path + sizeof(path) - 6, ".json", 6);
	ck_assert(phx_config_load(path, &errs) == NULL);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert(strstr(errs.e[0].msg, "the path is longer than") != NULL);
}
END_TEST

/* A YAML nest past the depth limit ends the load at once, with that one
 * error: parsing a deep flow collection to its end takes libyaml time
 * quadratic in its depth. */
#if PHX_HAS_YAML
START_TEST(test_yaml_too_deep)
{
	size_t n = 20000, i;
	char *text = malloc(n + 64);
	struct phx_config *cfg;

	ck_assert(text != NULL);
	memcpy(text, "name: ", 6);
	for (i = 0; i < n; i++)
		text[6 + i] = '[';
	memcpy(text + 6 + n, "\nports: 7\n", 11);
	cfg = phx_config_load_buf("deep.yaml", text, 6 + n + 10, &errs);
	ck_assert(cfg == NULL);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert(strstr(errs.e[0].msg, "nested deeper than") != NULL);
	free(text);
}
END_TEST
#endif

#if PHX_HAS_YAML
/* The same content in JSON and in YAML, nested too deep somewhere and
 * wrong elsewhere: both end the load at the depth, with that one error
 * (docs/config.md; one schema, the same result in either syntax). */
START_TEST(test_too_deep_same_in_both)
{
	char json[512], yaml[512], nest[128], close[128];
	struct phx_cfg_errors e2 = { 0 };
	struct phx_config *cfg;
	unsigned i;

	for (i = 0; i < 40; i++) {
		nest[i] = '[';
		close[i] = ']';
	}
	nest[i] = close[i] = '\0';
	snprintf(json, sizeof(json), "{\"ports\": [{\"name\": \"p\", "
		 "\"device\": \"net_null0\", \"mtux\": 1}], "
		 "\"eal\": {\"args\": %s%s}}", nest, close);
	snprintf(yaml, sizeof(yaml), "ports: [{name: p, device: net_null0, "
		 "mtux: 1}]\neal: {args: %s%s}\n", nest, close);
	cfg = phx_config_load_buf("deep.json", json, strlen(json), &errs);
	ck_assert(cfg == NULL);
	cfg = phx_config_load_buf("deep.yaml", yaml, strlen(yaml), &e2);
	ck_assert(cfg == NULL);
	ck_assert_msg(errs.n == 1 && e2.n == 1, "JSON %u errors, YAML %u",
		      errs.n, e2.n);
	ck_assert(strstr(errs.e[0].msg, "nested deeper than") != NULL);
	ck_assert(strstr(e2.e[0].msg, "nested deeper than") != NULL);
}
END_TEST
#endif

START_TEST(test_yml_extension)
{
	static const char text[] = "ports: [{name: p0, device: net_null0}]\n";
	struct phx_config *cfg;

	cfg = phx_config_load_buf("x.yml", text, strlen(text), &errs);
#if PHX_HAS_YAML
	ck_assert(cfg != NULL);
	phx_config_free(cfg);
#else
	ck_assert(cfg == NULL);
	ck_assert(strstr(errs.e[0].msg, "YAML support was not built") != NULL);
#endif
}
END_TEST

/* More errors than the cap: the first PHX_CFG_MAX_ERRORS are kept (sorted
 * by position), the rest counted and mentioned once. */
START_TEST(test_error_cap)
{
	char buf[8192], *text;
	size_t o = 0;
	unsigned i;

	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "{\n");
	for (i = 0; i < 100; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
				      "  \"bogus%u\": %u,\n", i, i);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			      "  \"ports\": [{\"name\": \"p\", \"device\": "
			      "\"net_null0\"}]\n}\n");
	ck_assert(phx_config_load_buf("cap.json", buf, o, &errs) == NULL);
	ck_assert_uint_eq(errs.n, PHX_CFG_MAX_ERRORS);
	ck_assert_uint_eq(errs.dropped, 100 - PHX_CFG_MAX_ERRORS);
	ck_assert_uint_eq(errs.e[0].line, 2);
	ck_assert_uint_eq(errs.e[PHX_CFG_MAX_ERRORS - 1].line,
			  PHX_CFG_MAX_ERRORS + 1);
	text = errors_text(&errs);
	ck_assert(strstr(text, "cap.json: 36 more errors not shown (at most 64 "
			 "are reported)\n") != NULL);
	free(text);

	/* found late but placed early (a validator error on line 1 after
	 * the schema walk's errors further down): kept, the last goes */
	errs.n = 0;
	errs.dropped = 0;
	for (i = 0; i < 70; i++)
		phx_cfg_error_add(&errs, "late.json",
				  (struct phx_cfg_loc){ 100 + i, 3 }, "x",
				  "schema %u", i);
	phx_cfg_error_add(&errs, "late.json", (struct phx_cfg_loc){ 1, 5 },
			  "y", "validator");
	phx_cfg_errors_sort(&errs);
	ck_assert_uint_eq(errs.n, PHX_CFG_MAX_ERRORS);
	ck_assert_uint_eq(errs.dropped, 7);
	ck_assert_uint_eq(errs.e[0].line, 1);
	ck_assert_str_eq(errs.e[0].msg, "validator");
	ck_assert_uint_eq(errs.e[PHX_CFG_MAX_ERRORS - 1].line, 100 + 62);
}
END_TEST

START_TEST(test_error_add_print)
{
	struct phx_cfg_loc at = { 7, 15 }, none = { 0, 0 };
	char *text;

	errs.n = 0;
	errs.dropped = 0;
	phx_cfg_error_add(&errs, "conf/x.json", at, "ports[0].mtu",
			  "%d is out of range %d..%d", 70000, 68, 9000);
	phx_cfg_error_add(&errs, "conf/x.json", at, "", "root problem");
	phx_cfg_error_add(&errs, "conf/x.json", none, "ports[1].device",
			  "probe failed");
	phx_cfg_error_add(&errs, "conf/x.json", none, "", "no place");
	phx_cfg_error_add(NULL, "x", at, "", "ignored");
	text = errors_text(&errs);
	ck_assert_str_eq(text,
		"conf/x.json:7:15: ports[0].mtu: 70000 is out of range 68..9000\n"
		"conf/x.json:7:15: (root): root problem\n"
		"conf/x.json: ports[1].device: probe failed\n"
		"conf/x.json: no place\n");
	free(text);
}
END_TEST

START_TEST(test_null_safety)
{
	static const char text[] =
		"{\"ports\": [{\"name\": \"p0\", \"device\": \"net_null0\"}]}";
	struct phx_config *cfg;

	phx_config_free(NULL);
	ck_assert(phx_config_dump(NULL) == NULL);
	ck_assert_uint_eq(phx_config_check_env(NULL, &errs), 0);
	phx_cfg_errors_print(NULL, stderr);
	/* errs is optional */
	cfg = phx_config_load_buf("n.json", text, strlen(text), NULL);
	ck_assert(cfg != NULL);
	phx_config_free(cfg);
	ck_assert(phx_config_load_buf("n.json", "{", 1, NULL) == NULL);
	ck_assert(phx_config_load_buf("n.json", NULL, 0, &errs) == NULL);
	ck_assert_uint_eq(errs.n, 1);
	/* the buffer need not be NUL-terminated: len is honoured */
	cfg = phx_config_load_buf("n.json", text, strlen(text) - 1, &errs);
	ck_assert(cfg == NULL);
}
END_TEST

START_TEST(test_ip4_str)
{
	char buf[16];

	ck_assert_str_eq(phx_ip4_str(0, buf), "0.0.0.0");
	ck_assert_str_eq(phx_ip4_str(0x0a01000bu, buf), "10.1.0.11");
	ck_assert_str_eq(phx_ip4_str(0xffffffffu, buf), "255.255.255.255");
}
END_TEST

/* Two af_packet/af_xdp ports on one kernel interface would both see
 * every frame of it: the second is refused where its device is. */
START_TEST(test_env_one_port_per_interface)
{
	static const char text[] =
		"{\"ports\": [\n"
		"  {\"name\": \"a\", \"device\": \"net_af_packet0,iface=lo\"},\n"
		"  {\"name\": \"b\", \"device\": \"net_af_xdp1,iface=lo\"}]}";
	struct phx_config *cfg;

	cfg = phx_config_load_buf("i.json", text, strlen(text), &errs);
	ck_assert(cfg != NULL);
	ck_assert_uint_eq(phx_config_check_env(cfg, &errs), 1);
	ck_assert_uint_eq(errs.e[0].line, 3);
	ck_assert_str_eq(errs.e[0].path, "ports[1].device");
	ck_assert(strstr(errs.e[0].msg, "already the interface of ports[0] "
			 "(a)") != NULL);
	phx_config_free(cfg);
}
END_TEST

/* errs is reset by each load; phx_config_check_env appends. */
START_TEST(test_env_ok_and_append)
{
	static const char text[] =
		"{\"ports\": [\n"
		"  {\"name\": \"a\", \"device\": \"net_af_packet0,iface=lo\"},\n"
		"  {\"name\": \"b\", \"device\": \"net_null0\"},\n"
		"  {\"name\": \"c\", \"device\": \"net_af_xdp0\"}]}";
	struct phx_config *cfg;

	errs.n = 5;
	cfg = phx_config_load_buf("e.json", text, strlen(text), &errs);
	ck_assert(cfg != NULL);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_uint_eq(phx_config_check_env(cfg, &errs), 1);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_uint_eq(errs.e[0].line, 4);
	ck_assert_uint_eq(errs.e[0].col, 27);
	ck_assert_str_eq(errs.e[0].path, "ports[2].device");
	ck_assert_str_eq(errs.e[0].msg, "net_af_xdp0 needs iface=<interface>, "
			 "e.g. \"net_af_xdp0,iface=eth0\"");
	phx_config_free(cfg);
}
END_TEST

/* ------------------------------------------ syntax-specific, table-driven */

struct inline_case {
	const char *name;      /* file name given to the loader */
	const char *text;
	const char *want;      /* exact first error line ("" = must load) */
};

static const struct inline_case inline_cases[] = {
	/* JSON: jansson's errors, made to point at the token */
	{ "nul.json", "{\"name\": \"a\\u0000b\"}",
	  "nul.json:1:10: name: syntax error: \\u0000 is not allowed without "
	  "JSON_ALLOW_NUL near '\"a\\u0000b\"'" },
	/* past 64 bits: out of range like any other, not a syntax error
	 * that hides the rest */
	{ "big.json", "{\"ports\": [{\"name\": \"p\", \"device\": "
	  "\"net_null0\", \"mtu\": 123456789012345678901}]}",
	  "big.json:1:56: ports[0].mtu: 123456789012345678901 is out of range "
	  "68..9000" },
	{ "bigneg.json", "{\"ports\": [{\"name\": \"p\", \"device\": "
	  "\"net_null0\", \"mtu\": -123456789012345678901, \"x\": 1.5}]}",
	  "bigneg.json:1:56: ports[0].mtu: -123456789012345678901 is out of "
	  "range 68..9000" },
	{ "trail.json", "{\"ports\": []} x",
	  "trail.json:1:15: (root): syntax error: end of file expected near "
	  "'x'" },
	{ "root.json", "[]", "root.json:1:1: (root): expected object, got "
	  "array" },
	{ "empty.json", " \n", "empty.json:1:1: (root): the file has no "
	  "settings (empty); expected a JSON object" },
	/* 40 levels: the depth error ends the load, alone (as in YAML) */
	{ "deep.json",
	  "{\"ports\": [" "[[[[[[[[[[" "[[[[[[[[[[" "[[[[[[[[[[" "[[[[[[[[["
	  "]]]]]]]]]]" "]]]]]]]]]]" "]]]]]]]]]]" "]]]]]]]]]" "]}",
	  "deep.json:1:43: ports[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
	  "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested deeper "
	  "than 32 levels" },
	{ "key.json", "{\"a\\nb\": 1, \"ports\": []}",
	  "key.json:1:2: [\"a\\nb\"]: unknown key \"a\\nb\" (valid keys: name, "
	  "eal, dataplane, ports, routes, neighbors, sessions, timeouts, "
	  "default_action, zones, rules, cluster)" },
	{ "float.json", "{\"ports\": [{\"name\": \"p\", \"device\": \"net_null0\","
	  " \"mtu\": 1500.0}]}",
	  "float.json:1:56: ports[0].mtu: expected integer, got number 1500.0" },
	{ "utf8.json", "{\"name\": \"\xc3\xa9\xc3\xa9\", \"x\": 1 2}",
	  "utf8.json:1:23: x: syntax error: expected ',' or '}' (missing "
	  "comma?) near '2'" },
#if PHX_HAS_YAML
	/* YAML features a config does not need are refused, with a reason */
	{ "anchor.yaml", "name: &n fw\nports: []\n",
	  "anchor.yaml:1:7: name: YAML anchors are not supported (&n); write "
	  "the value out in full" },
	{ "alias.yaml", "name: *n\nports: [{name: p, device: net_null0}]\n",
	  "alias.yaml:1:7: name: YAML aliases are not supported (*n); write the "
	  "value out in full" },
	{ "tag.yaml", "name: !!str 123\nports: []\n",
	  "tag.yaml:1:7: name: YAML tags are not supported "
	  "(\"tag:yaml.org,2002:str\"); quote the value if it must be a "
	  "string" },
	/* a tag's %XX escapes are decoded: quoted, nothing raw reaches a
	 * terminal */
	{ "tagesc.yaml", "name: !%1B%5B31m 123\nports: []\n",
	  "tagesc.yaml:1:7: name: YAML tags are not supported "
	  "(\"!\\x1b[31m\"); quote the value if it must be a string" },
	/* a byte order mark, as some editors write: nothing, in both */
	{ "bom.json", "\xef\xbb\xbf{\"ports\": [{\"name\": \"p0\", "
	  "\"device\": \"net_null0\"}], \"mtu\": 1}",
	  "bom.json:1:52: mtu: unknown key \"mtu\" (valid keys: name, eal, "
	  "dataplane, ports, routes, neighbors, sessions, timeouts, "
	  "default_action, zones, rules, cluster)" },
	{ "docs.yaml", "name: a\n---\nname: b\n",
	  "docs.yaml:2:1: (root): a second YAML document ('---') is not "
	  "supported; one file holds one configuration" },
	{ "tab.yaml", "ports:\n\t- name: x\n",
	  "tab.yaml:2:1: ports: syntax error: found character that cannot "
	  "start any token; YAML indentation must use spaces, not tabs (while "
	  "scanning for the next token that started at line 2)" },
	{ "nulchar.yaml", "name: \"a\\0b\"\nports: []\n",
	  "nulchar.yaml:1:7: name: value contains a NUL character" },
	{ "complex.yaml", "? [a]\n: 1\nports: []\n",
	  "complex.yaml:1:3: (root): keys must be plain strings, not a YAML "
	  "collection" },
	{ "empty.yaml", "# nothing\n",
	  "empty.yaml:1:1: (root): the file has no settings (empty, or only "
	  "comments); expected a mapping of settings" },
	{ "norway.yaml", "ports: [{name: no, device: net_null0}]\n",
	  "norway.yaml:1:16: ports[0].name: expected string, got boolean no "
	  "(quote it in YAML to make it a string)" },
	{ "sexa.yaml", "ports: [{name: p, device: net_null0, mtu: 1:30}]\n",
	  "sexa.yaml:1:43: ports[0].mtu: expected integer, got string \"1:30\"" },
	{ "hexbig.yaml", "ports: [{name: p, device: net_null0, "
	  "mtu: 0xffffffffffffffffff}]\n",
	  "hexbig.yaml:1:43: ports[0].mtu: 0xffffffffffffffffff is out of "
	  "range 68..9000" },
	{ "nullroutes.yaml", "ports: [{name: p, device: net_null0}]\n"
	  "routes:\n# - prefix: 0.0.0.0/0\n", "" },
	{ "nullports.yaml", "ports:\n",
	  "nullports.yaml:1:7: ports: expected array, got null" },
	{ "dupdup.yaml", "name: a\nname: b\nname: c\nports: []\n",
	  "dupdup.yaml:2:1: name: duplicate key \"name\" (first at line 1, "
	  "column 1)" },
	{ "bom.yaml", "\xef\xbb\xbfports: [{name: p, device: net_null0}]\n",
	  "" },
#endif
};

START_TEST(test_inline)
{
	const struct inline_case *c = &inline_cases[_i];
	struct phx_config *cfg;
	char *text;

	cfg = phx_config_load_buf(c->name, c->text, strlen(c->text), &errs);
	text = errors_text(&errs);
	if (c->want[0] == '\0') {
		ck_assert_msg(cfg != NULL, "%s rejected:\n%s", c->name, text);
	} else {
		ck_assert_msg(cfg == NULL, "%s accepted", c->name);
		text[strcspn(text, "\n")] = '\0'; /* first line */
		ck_assert_str_eq(text, c->want);
	}
	free(text);
	phx_config_free(cfg);
}
END_TEST

/* YAML scalars resolve as documented (core schema + 1.1 booleans). */
#if PHX_HAS_YAML
struct scalar_case {
	const char *yaml;      /* value of "promiscuous" or "mtu" */
	const char *key;
	long long want;        /* expected value; -1 = rejected */
};

static const struct scalar_case scalar_cases[] = {
	{ "true", "promiscuous", 1 }, { "True", "promiscuous", 1 },
	{ "TRUE", "promiscuous", 1 }, { "yes", "promiscuous", 1 },
	{ "On", "promiscuous", 1 },   { "false", "promiscuous", 0 },
	{ "no", "promiscuous", 0 },   { "OFF", "promiscuous", 0 },
	{ "y", "promiscuous", -1 },   { "\"true\"", "promiscuous", -1 },
	{ "1", "promiscuous", -1 },   { "tRUE", "promiscuous", -1 },
	{ "1500", "mtu", 1500 },      { "+1500", "mtu", 1500 },
	{ "0x5dc", "mtu", 1500 },     { "0o2734", "mtu", 1500 },
	{ "01500", "mtu", 1500 },     { "1_500", "mtu", -1 },
	{ "1500.0", "mtu", -1 },      { "1.5e3", "mtu", -1 },
	{ "'1500'", "mtu", -1 },      { "~", "mtu", -1 },
	{ "-0x5dc", "mtu", -1 },      { "0b101", "mtu", -1 },
};

START_TEST(test_yaml_scalars)
{
	const struct scalar_case *c = &scalar_cases[_i];
	struct phx_config *cfg;
	char text[256];
	long long got;

	snprintf(text, sizeof(text), "ports:\n  - name: p\n    device: "
		 "net_null0\n    %s: %s\n", c->key, c->yaml);
	cfg = phx_config_load_buf("s.yaml", text, strlen(text), &errs);
	if (c->want < 0) {
		ck_assert_msg(cfg == NULL, "%s: %s accepted", c->key, c->yaml);
		ck_assert_uint_eq(errs.n, 1);
		ck_assert_uint_eq(errs.e[0].line, 4);
		return;
	}
	ck_assert_msg(cfg != NULL, "%s: %s rejected: %s", c->key, c->yaml,
		      errs.e[0].msg);
	got = strcmp(c->key, "mtu") == 0 ? cfg->ports[0].mtu
					 : cfg->ports[0].promiscuous;
	ck_assert_int_eq(got, c->want);
	phx_config_free(cfg);
}
END_TEST
#endif

/*
 * Robustness: every prefix of the example file, in both syntaxes, either
 * loads or fails with located errors; never crashes or leaks (the valgrind
 * run covers the latter). A poor man's fuzz run with realistic input.
 */
START_TEST(test_truncations)
{
	static const char *const files[] = { "conf/phalanx.example.json",
					     "conf/phalanx.example.yaml" };
	const char *path = files[_i];
	char *text = slurp(path);
	size_t len, cut;

#if !PHX_HAS_YAML
	if (_i == 1) {
		free(text);
		return;
	}
#endif
	ck_assert(text != NULL);
	len = strlen(text);
	for (cut = 0; cut <= len; cut++) {
		struct phx_config *cfg;
		unsigned i;

		cfg = phx_config_load_buf(path, text, cut, &errs);
		if (cfg != NULL) {
			ck_assert_uint_eq(errs.n, 0);
			phx_config_free(cfg);
			continue;
		}
		ck_assert_msg(errs.n > 0, "%s cut at %zu: no error", path, cut);
		for (i = 0; i < errs.n; i++)
			ck_assert_msg(errs.e[i].line >= 1 && errs.e[i].col >= 1,
				      "%s cut at %zu: unlocated error: %s",
				      path, cut, errs.e[i].msg);
	}
	free(text);
}
END_TEST

/* ----------------------------------------------------------------- main */

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("golden");
	tcase_add_loop_test(tc, test_good, 0, (int)n_good);
	tcase_add_loop_test(tc, test_bad, 0, (int)n_bad);
	tcase_add_test(tc, test_catalogue_complete);
	suite_add_tcase(s, tc);

	tc = tcase_create("shipped");
	tcase_add_loop_test(tc, test_shipped_twins, 0,
			    (int)(sizeof(shipped) / sizeof(shipped[0])));
	tcase_add_test(tc, test_lab_gateway);
	tcase_add_test(tc, test_lab_gateway_policy);
	tcase_add_test(tc, test_lab_cluster);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_workers_default_lcores);
	tcase_add_test(tc, test_lcores_forms);
	tcase_add_test(tc, test_routes_model);
	tcase_add_test(tc, test_policy_model);
	tcase_add_test(tc, test_rule_timeouts_order);
	tcase_add_test(tc, test_cluster_model);
	tcase_add_test(tc, test_cluster_defaults);
	tcase_add_test(tc, test_vlan_model);
	suite_add_tcase(s, tc);

	tc = tcase_create("cluster_key");
	tcase_add_loop_test(tc, test_cluster_key, 0,
			    (int)(sizeof(key_cases) / sizeof(key_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_add_test(tc, test_extension);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_long_path);
#if PHX_HAS_YAML
	tcase_add_test(tc, test_yaml_too_deep);
	tcase_add_test(tc, test_too_deep_same_in_both);
#endif
	tcase_add_test(tc, test_yml_extension);
	tcase_add_test(tc, test_error_cap);
	tcase_add_test(tc, test_error_add_print);
	tcase_add_test(tc, test_null_safety);
	tcase_add_test(tc, test_ip4_str);
	tcase_add_test(tc, test_env_ok_and_append);
	tcase_add_test(tc, test_env_one_port_per_interface);
	suite_add_tcase(s, tc);

	tc = tcase_create("syntax");
	tcase_add_loop_test(tc, test_inline, 0,
			    (int)(sizeof(inline_cases) / sizeof(inline_cases[0])));
#if PHX_HAS_YAML
	tcase_add_loop_test(tc, test_yaml_scalars, 0,
			    (int)(sizeof(scalar_cases) / sizeof(scalar_cases[0])));
#endif
	suite_add_tcase(s, tc);

	tc = tcase_create("robustness");
	tcase_set_timeout(tc, 50);
	tcase_add_loop_test(tc, test_truncations, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	static const char *const twin_ext[] = { ".json", NULL };
	static const char *const bad_ext[] = { ".json", ".yaml", NULL };
	SRunner *sr;
	unsigned i;
	int failed;

	if (chdir(PHX_SOURCE_DIR) != 0) {
		fprintf(stderr, "cannot chdir to %s: %s\n", PHX_SOURCE_DIR,
			strerror(errno));
		return 1;
	}
	n_good = list_dir(GOOD_DIR, twin_ext, true, good_names);
	n_bad = list_dir(BAD_DIR, bad_ext, false, bad_files);

	sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (i = 0; i < n_good; i++)
		free(good_names[i]);
	for (i = 0; i < n_bad; i++)
		free(bad_files[i]);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
