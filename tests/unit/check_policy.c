/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for the rule compiler's pure half (lib/policy.h): how rules
 * expand into classifier specs. Models are built by hand where a test is
 * about one field, and loaded through the config loader where it is about
 * what an operator writes (zones, the lab file).
 *
 * The expansion order is part of the contract (lib/policy.c): rules in
 * order; within a rule the product in, out, src, dst, sport, dport with
 * dport changing fastest.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/policy.h"

#ifndef PHX_SOURCE_DIR
#error "PHX_SOURCE_DIR must name the source tree (tests/unit/meson.build)"
#endif

/* struct phx_config holds PHX_CFG_MAX_RULES rules: keep it off the stack */
static struct phx_config *
new_cfg(unsigned n_rules)
{
	struct phx_config *cfg = calloc(1, sizeof(*cfg));
	unsigned i;

	ck_assert(cfg != NULL);
	cfg->n_rules = n_rules;
	for (i = 0; i < n_rules; i++)
		snprintf(cfg->rules[i].name, sizeof(cfg->rules[i].name),
			 "rule%u", i + 1);
	return cfg;
}

static struct phx_config *
load_text(const char *text)
{
	static struct phx_cfg_errors errs;
	struct phx_config *cfg;

	cfg = phx_config_load_buf("t.json", text, strlen(text), &errs);
	ck_assert_msg(cfg != NULL, "does not load: %s",
		      errs.n ? errs.e[0].msg : "?");
	return cfg;
}

static struct phx_acl_spec *
new_specs(unsigned n)
{
	struct phx_acl_spec *s = calloc(n ? n : 1, sizeof(*s));

	ck_assert(s != NULL);
	return s;
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))

/* ------------------------------------------------------------- widths */

START_TEST(test_width_any)
{
	struct phx_cfg_rule r = { .proto = 0 };

	ck_assert_uint_eq(phx_policy_rule_width(&r), 1);
}
END_TEST

START_TEST(test_width_product)
{
	struct phx_cfg_rule r = {
		.in_ports = 0x5, .out_ports = 0x7, .n_src = 2, .n_dst = 3,
		.n_sport = 4, .n_dport = 5,
	};

	ck_assert_uint_eq(phx_policy_rule_width(&r), 2 * 3 * 2 * 3 * 4 * 5);
	r.n_sport = 0;  /* any counts as one */
	ck_assert_uint_eq(phx_policy_rule_width(&r), 2 * 3 * 2 * 3 * 5);
}
END_TEST

/* The widest rule the model allows, in 64 bits: 32 x 32 x 16^4 = 2^26
 * for one rule; 1024 of them sum to 2^36, which wraps 32-bit arithmetic
 * (to 0 here) and must still be refused. */
START_TEST(test_width_no_overflow)
{
	struct phx_config *cfg = new_cfg(PHX_CFG_MAX_RULES);
	struct phx_acl_spec spec;
	unsigned i;

	for (i = 0; i < cfg->n_rules; i++) {
		struct phx_cfg_rule *r = &cfg->rules[i];

		r->in_ports = 0xffffffffu;
		r->out_ports = 0xffffffffu;
		r->n_src = r->n_dst = PHX_CFG_MAX_RULE_NETS;
		r->n_sport = r->n_dport = PHX_CFG_MAX_RULE_PORTS;
	}
	ck_assert_uint_eq(phx_policy_rule_width(&cfg->rules[0]),
			  (uint64_t)1 << 26);
	ck_assert_int_eq(phx_policy_expand(cfg, &spec, UINT_MAX), -E2BIG);
	free(cfg);
}
END_TEST

/* ---------------------------------------------------------- expansion */

START_TEST(test_expand_any)
{
	struct phx_config *cfg = new_cfg(1);
	struct phx_acl_spec *s = new_specs(4);

	ck_assert_int_eq(phx_policy_expand(cfg, s, 4), 1);
	ck_assert_uint_eq(s[0].proto, 0);
	ck_assert_uint_eq(s[0].proto_mask, 0);
	ck_assert_uint_eq(s[0].src, 0);
	ck_assert_uint_eq(s[0].src_len, 0);
	ck_assert_uint_eq(s[0].dst, 0);
	ck_assert_uint_eq(s[0].dst_len, 0);
	ck_assert_uint_eq(s[0].sport_lo, 0);
	ck_assert_uint_eq(s[0].sport_hi, 65535);
	ck_assert_uint_eq(s[0].dport_lo, 0);
	ck_assert_uint_eq(s[0].dport_hi, 65535);
	ck_assert_uint_eq(s[0].in_lo, 0);
	ck_assert_uint_eq(s[0].in_hi, 0xffff);
	ck_assert_uint_eq(s[0].out_lo, 0);
	ck_assert_uint_eq(s[0].out_hi, 0xffff);
	/* "out" any also covers packets to the member itself */
	ck_assert(s[0].out_lo <= PHX_ACL_PORT_LOCAL &&
		  PHX_ACL_PORT_LOCAL <= s[0].out_hi);
	ck_assert_uint_eq(s[0].rule, 0);
	ck_assert_int_eq(s[0].priority, PHX_CFG_MAX_RULES);
	free(s);
	free(cfg);
}
END_TEST

/* Every combination once, in the documented order. */
START_TEST(test_expand_contents)
{
	struct phx_config *cfg = new_cfg(1);
	struct phx_cfg_rule *r = &cfg->rules[0];
	struct phx_acl_spec *s = new_specs(64);
	static const uint16_t in_idx[] = { 0, 2 };
	unsigned a, b, c, k = 0;

	r->proto = 6;
	r->in_ports = 0x5;                     /* ports 0 and 2 */
	r->out_ports = 0x8;                    /* port 3 */
	r->n_src = 2;
	r->src[0] = (struct phx_cfg_prefix){ IP4(10, 1, 0, 0), 24 };
	r->src[1] = (struct phx_cfg_prefix){ IP4(10, 9, 0, 7), 32 };
	r->n_dst = 1;
	r->dst[0] = (struct phx_cfg_prefix){ IP4(192, 168, 0, 0), 16 };
	r->n_dport = 3;
	r->dport[0] = (struct phx_cfg_range){ 80, 80 };
	r->dport[1] = (struct phx_cfg_range){ 443, 443 };
	r->dport[2] = (struct phx_cfg_range){ 8000, 8080 };

	ck_assert_uint_eq(phx_policy_rule_width(r), 12);
	ck_assert_int_eq(phx_policy_expand(cfg, s, 64), 12);
	for (a = 0; a < 2; a++) {
		for (b = 0; b < 2; b++) {
			for (c = 0; c < 3; c++, k++) {
				ck_assert_uint_eq(s[k].proto, 6);
				ck_assert_uint_eq(s[k].proto_mask, 0xff);
				ck_assert_uint_eq(s[k].in_lo, in_idx[a]);
				ck_assert_uint_eq(s[k].in_hi, in_idx[a]);
				ck_assert_uint_eq(s[k].out_lo, 3);
				ck_assert_uint_eq(s[k].out_hi, 3);
				ck_assert_uint_eq(s[k].src, r->src[b].ip);
				ck_assert_uint_eq(s[k].src_len, r->src[b].plen);
				ck_assert_uint_eq(s[k].dst, IP4(192, 168, 0, 0));
				ck_assert_uint_eq(s[k].dst_len, 16);
				ck_assert_uint_eq(s[k].sport_lo, 0);
				ck_assert_uint_eq(s[k].sport_hi, 65535);
				ck_assert_uint_eq(s[k].dport_lo, r->dport[c].lo);
				ck_assert_uint_eq(s[k].dport_hi, r->dport[c].hi);
				ck_assert_uint_eq(s[k].rule, 0);
			}
		}
	}
	free(s);
	free(cfg);
}
END_TEST

/* Specs come in rule order; priority falls with the rule index, so the
 * first matching rule wins, and is shared by one rule's specs. */
START_TEST(test_priority_order)
{
	struct phx_config *cfg = new_cfg(3);
	struct phx_acl_spec *s = new_specs(16);
	static const unsigned want_rule[] = { 0, 0, 1, 2, 2, 2, 2 };
	unsigned k;

	cfg->rules[0].n_sport = 2;             /* 2 specs */
	cfg->rules[2].n_src = 2;               /* 4 specs */
	cfg->rules[2].n_dst = 2;
	cfg->rules[2].src[1].ip = IP4(10, 0, 0, 1);
	cfg->rules[2].src[1].plen = 32;
	ck_assert_int_eq(phx_policy_expand(cfg, s, 16), 7);
	for (k = 0; k < 7; k++) {
		ck_assert_uint_eq(s[k].rule, want_rule[k]);
		ck_assert_int_eq(s[k].priority,
				 PHX_CFG_MAX_RULES - (int)want_rule[k]);
		if (k > 0)
			ck_assert_int_le(s[k].priority, s[k - 1].priority);
	}
	ck_assert_int_gt(s[0].priority, s[2].priority);
	ck_assert_int_gt(s[2].priority, s[3].priority);
	free(s);
	free(cfg);
}
END_TEST

START_TEST(test_proto_mask)
{
	struct phx_config *cfg = new_cfg(3);
	struct phx_acl_spec *s = new_specs(3);

	cfg->rules[0].proto = 17;
	cfg->rules[1].proto = 255;
	ck_assert_int_eq(phx_policy_expand(cfg, s, 3), 3);
	ck_assert_uint_eq(s[0].proto, 17);
	ck_assert_uint_eq(s[0].proto_mask, 0xff);
	ck_assert_uint_eq(s[1].proto, 255);
	ck_assert_uint_eq(s[1].proto_mask, 0xff);
	ck_assert_uint_eq(s[2].proto, 0);
	ck_assert_uint_eq(s[2].proto_mask, 0);
	free(s);
	free(cfg);
}
END_TEST

/* A zone of several ports is one spec per port (ports need not be
 * contiguous), and a zone plus a port of it is their union. */
START_TEST(test_zone_ports)
{
	static const char text[] =
		"{\"ports\": [{\"name\": \"a\", \"device\": \"net_null0\"},\n"
		"            {\"name\": \"b\", \"device\": \"net_null1\"},\n"
		"            {\"name\": \"c\", \"device\": \"net_null2\"},\n"
		"            {\"name\": \"d\", \"device\": \"net_null3\"}],\n"
		" \"zones\": {\"odd\": [\"a\", \"c\"], \"all\": [\"d\", \"c\", "
		"\"b\", \"a\"]},\n"
		" \"rules\": [{\"in\": \"odd\", \"out\": [\"d\", \"odd\"]},\n"
		"           {\"in\": \"all\", \"proto\": \"udp\", "
		"\"dport\": [53, 123]}]}";
	struct phx_config *cfg = load_text(text);
	struct phx_acl_spec *s = new_specs(32);
	static const uint16_t want_in[] = { 0, 0, 0, 2, 2, 2 };
	static const uint16_t want_out[] = { 0, 2, 3, 0, 2, 3 };
	unsigned k;

	ck_assert_uint_eq(cfg->rules[0].in_ports, 0x5);
	ck_assert_uint_eq(cfg->rules[0].out_ports, 0xd);
	ck_assert_uint_eq(phx_policy_rule_width(&cfg->rules[0]), 6);
	ck_assert_uint_eq(phx_policy_rule_width(&cfg->rules[1]), 8);
	ck_assert_int_eq(phx_policy_expand(cfg, s, 32), 14);
	for (k = 0; k < 6; k++) {
		ck_assert_uint_eq(s[k].in_lo, want_in[k]);
		ck_assert_uint_eq(s[k].in_hi, want_in[k]);
		ck_assert_uint_eq(s[k].out_lo, want_out[k]);
		ck_assert_uint_eq(s[k].out_hi, want_out[k]);
	}
	for (k = 6; k < 14; k++) {
		ck_assert_uint_eq(s[k].rule, 1);
		ck_assert_uint_eq(s[k].in_lo, (k - 6) / 2);
		ck_assert_uint_eq(s[k].dport_lo, (k - 6) % 2 ? 123 : 53);
		ck_assert_uint_eq(s[k].out_hi, 0xffff);
	}
	free(s);
	phx_config_free(cfg);
}
END_TEST

/* -E2BIG when the specs do not fit; out is then left untouched. Exactly
 * max specs fit. */
START_TEST(test_e2big)
{
	struct phx_config *cfg = new_cfg(2);
	struct phx_acl_spec *s = new_specs(8);
	struct phx_acl_spec *zero = new_specs(8);
	unsigned k;

	cfg->rules[0].n_dport = 3;
	cfg->rules[1].n_sport = 2;             /* 3 + 2 = 5 specs */
	memset(s, 0xa5, 8 * sizeof(*s));
	ck_assert_int_eq(phx_policy_expand(cfg, s, 4), -E2BIG);
	for (k = 0; k < 8; k++) {
		const uint8_t *p = (const uint8_t *)&s[k];
		size_t i;

		for (i = 0; i < sizeof(*s); i++)
			ck_assert_uint_eq(p[i], 0xa5);
	}
	ck_assert_int_eq(phx_policy_expand(cfg, s, 5), 5);
	ck_assert_int_eq(phx_policy_expand(cfg, zero, 0), -E2BIG);
	cfg->n_rules = 0;
	ck_assert_int_eq(phx_policy_expand(cfg, zero, 0), 0);
	free(zero);
	free(s);
	free(cfg);
}
END_TEST

/* The validator and the compiler agree on the limit: a config it accepts
 * always expands within PHX_ACL_MAX_SPECS. */
START_TEST(test_limit_edge)
{
	struct phx_config *cfg = new_cfg(2);
	struct phx_acl_spec *s = new_specs(PHX_ACL_MAX_SPECS);
	struct phx_cfg_rule *r = &cfg->rules[0];

	r->n_src = r->n_dst = 16;
	r->n_sport = r->n_dport = 16;          /* 16^4 = 65536 */
	r->dport[15] = (struct phx_cfg_range){ 15, 15 };
	cfg->n_rules = 1;
	ck_assert_int_eq(phx_policy_expand(cfg, s, PHX_ACL_MAX_SPECS),
			 PHX_ACL_MAX_SPECS);
	ck_assert_uint_eq(s[PHX_ACL_MAX_SPECS - 1].dport_lo, 15);
	cfg->n_rules = 2;
	ck_assert_int_eq(phx_policy_expand(cfg, s, PHX_ACL_MAX_SPECS), -E2BIG);
	free(s);
	free(cfg);
}
END_TEST

/* The lab policy: one spec per rule, in file order. */
START_TEST(test_lab_policy)
{
	static struct phx_cfg_errors errs;
	struct phx_config *cfg;
	struct phx_acl_spec *s = new_specs(16);

	cfg = phx_config_load("conf/lab/gateway.json", &errs);
	ck_assert(cfg != NULL);
	ck_assert_int_eq(phx_policy_expand(cfg, s, 16), 4);
	/* dnat-web: in0, any egress (the member's own address is "local"),
	 * 10.1.0.11/32, tcp 8080 */
	ck_assert_uint_eq(s[0].in_lo, 0);
	ck_assert_uint_eq(s[0].out_hi, 0xffff);
	ck_assert_uint_eq(s[0].dst, IP4(10, 1, 0, 11));
	ck_assert_uint_eq(s[0].dst_len, 32);
	ck_assert_uint_eq(s[0].dport_lo, 8080);
	ck_assert_uint_eq(s[0].dport_hi, 8080);
	/* snat-hide and short-idle: tcp port ranges */
	ck_assert_uint_eq(s[1].dport_lo, 9000);
	ck_assert_uint_eq(s[1].dport_hi, 9099);
	ck_assert_uint_eq(s[2].dport_lo, 7000);
	ck_assert_uint_eq(s[2].dport_hi, 7099);
	/* client-out: in0 -> out0, any protocol from the client subnet */
	ck_assert_uint_eq(s[3].in_lo, 0);
	ck_assert_uint_eq(s[3].out_lo, 1);
	ck_assert_uint_eq(s[3].out_hi, 1);
	ck_assert_uint_eq(s[3].src, IP4(10, 1, 0, 0));
	ck_assert_uint_eq(s[3].src_len, 24);
	ck_assert_uint_eq(s[3].proto_mask, 0);
	ck_assert_int_gt(s[0].priority, s[1].priority);
	ck_assert_int_gt(s[2].priority, s[3].priority);
	free(s);
	phx_config_free(cfg);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc;

	tc = tcase_create("width");
	tcase_add_test(tc, test_width_any);
	tcase_add_test(tc, test_width_product);
	tcase_add_test(tc, test_width_no_overflow);
	suite_add_tcase(s, tc);

	tc = tcase_create("expand");
	tcase_add_test(tc, test_expand_any);
	tcase_add_test(tc, test_expand_contents);
	tcase_add_test(tc, test_priority_order);
	tcase_add_test(tc, test_proto_mask);
	tcase_add_test(tc, test_zone_ports);
	tcase_add_test(tc, test_e2big);
	tcase_add_test(tc, test_limit_edge);
	tcase_add_test(tc, test_lab_policy);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	/* test_lab_policy reads conf/ relative to the source tree */
	if (chdir(PHX_SOURCE_DIR) != 0)
		return 1;
	sr = srunner_create(policy_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
