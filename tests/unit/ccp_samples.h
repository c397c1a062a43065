/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sample CCP messages shared by the CCP unit tests (check_ccp_codec.c),
 * the pcap writer for the tshark test (ccp_pcap.c), the fuzz seed
 * generator and the fuzz target (tests/fuzz/), so that all of them agree
 * on one key, one cluster and one set of frames. Sample 0 is the
 * known-answer heartbeat whose bytes check_ccp_codec.c spells out.
 *
 * Header-only (static inline) so each user links nothing extra.
 */
#ifndef PHX_TESTS_CCP_SAMPLES_H
#define PHX_TESTS_CCP_SAMPLES_H

#include <stdint.h>
#include <string.h>

#include "lib/ccp_codec.h"

#define PHX_CCP_TEST_CLUSTER   7
#define PHX_CCP_TEST_SELF      2      /* receiving member in tests */
#define PHX_CCP_TEST_MAC_MAGIC 0xfe   /* fwha_mac_magic default */
#define PHX_CCP_N_SAMPLES      8

/* Test key: bytes 0x00..0x1f. */
static inline void
phx_ccp_test_key(struct phx_ccp_key *k)
{
	uint8_t raw[PHX_CCP_KEY_LEN];
	unsigned i;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)i;
	(void)phx_ccp_key_init(k, raw);
}

/* Receiver context of member PHX_CCP_TEST_SELF; k from phx_ccp_test_key. */
static inline struct phx_ccp_ctx
phx_ccp_test_ctx(const struct phx_ccp_key *k)
{
	return (struct phx_ccp_ctx){
		.cluster = PHX_CCP_TEST_CLUSTER,
		.self = PHX_CCP_TEST_SELF,
		.mac_magic = PHX_CCP_TEST_MAC_MAGIC,
		.key = k,
	};
}

static inline struct phx_ccp_hdr_info
phx_ccp_test_hdr(uint16_t src, uint16_t dst, uint64_t counter)
{
	return (struct phx_ccp_hdr_info){
		.cluster = PHX_CCP_TEST_CLUSTER,
		.src_if = 1,
		.src = src,
		.dst = dst,
		.mac_magic = PHX_CCP_TEST_MAC_MAGIC,
		.boot_id = UINT64_C(0x0123456789abcdef),
		.counter = counter,
	};
}

/* Short name of sample i, for file names and messages. */
static inline const char *
phx_ccp_sample_name(unsigned i)
{
	static const char *const names[PHX_CCP_N_SAMPLES] = {
		"heartbeat_kat", "heartbeat_5", "heartbeat_1", "probe_req",
		"probe_reply", "state_req", "state_grant", "state_refuse",
	};

	return i < PHX_CCP_N_SAMPLES ? names[i] : "?";
}

/* Sample message i (0 .. PHX_CCP_N_SAMPLES - 1); none is from
 * PHX_CCP_TEST_SELF. */
static inline void
phx_ccp_sample(unsigned i, struct phx_ccp_msg *m)
{
	struct phx_ccp_member_info mi = {
		.priority = 100, .ifs_required = 2, .ifs_up = 2,
		.secured_required = 1, .secured_up = 1,
		.mode = PHX_CCP_CMODE_HA, .flags = PHX_CCP_MF_SYNCED,
	};
	struct phx_ccp_config_id cfg = { .generation = 0x10002 };
	unsigned j;

	for (j = 0; j < sizeof(cfg.digest); j++)
		cfg.digest[j] = (uint8_t)(0xa0 + j);
	memset(m, 0, sizeof(*m));

	switch (i) {
	case 0: /* the known-answer heartbeat: 2 members, 1 active */
		m->opcode = PHX_CCP_OP_MY_STATE;
		m->hdr = phx_ccp_test_hdr(1, PHX_CCP_DST_ALL, 42);
		m->hdr.policy_id = 2;   /* = generation & 0xffff */
		m->u.hb = (struct phx_ccp_heartbeat){
			.n_members = 2, .ha_mode = PHX_CCP_HA_ONE_UP,
			.time_unit_ms = 100,
			.state = { PHX_CCP_MSTATE_ACTIVE, PHX_CCP_MSTATE_STANDBY },
			.last_heard = { 0, 1 },
			.ifs = { .in_up = 2, .out_up = 2 },
			.config = cfg, .member = mi,
		};
		break;
	case 1: /* 5 members, every state, load sharing */
		m->opcode = PHX_CCP_OP_MY_STATE;
		m->hdr = phx_ccp_test_hdr(5, PHX_CCP_DST_ALL, 1000);
		m->hdr.policy_id = 2;
		mi.mode = PHX_CCP_CMODE_LS_MULTICAST;
		mi.flags = PHX_CCP_MF_ALL;
		mi.ifs_up = 1;
		mi.pnote = PHX_CCP_PNOTE_PROBLEM;
		m->u.hb = (struct phx_ccp_heartbeat){
			.n_members = 5, .ha_mode = PHX_CCP_HA_BALANCE,
			.time_unit_ms = 200,
			.state = { PHX_CCP_MSTATE_DOWN, PHX_CCP_MSTATE_INIT,
				   PHX_CCP_MSTATE_STANDBY, PHX_CCP_MSTATE_READY,
				   PHX_CCP_MSTATE_ACTIVE },
			.last_heard = { 127, 3, 2, 1, 0 },
			.ifs = { 1, 2, 3, 4 },
			.config = cfg, .member = mi,
			.has_platform = true,
			.platform = { .workers = 4, .sync_version = 1,
				      .sync_mtu = 9000,
				      .version = "0.1.0+dev.0123ab" },
		};
		break;
	case 2: /* a lone member */
		m->opcode = PHX_CCP_OP_MY_STATE;
		m->hdr = phx_ccp_test_hdr(1, PHX_CCP_DST_ALL, 1);
		m->hdr.policy_id = 2;
		mi.flags = PHX_CCP_MF_ATTENTION | PHX_CCP_MF_JOINING;
		mi.pnote = PHX_CCP_PNOTE_INIT;
		m->u.hb = (struct phx_ccp_heartbeat){
			.n_members = 1, .ha_mode = PHX_CCP_HA_PRIMARY_UP,
			.time_unit_ms = 100,
			.state = { PHX_CCP_MSTATE_ACTIVE },
			.ifs = { 0, 0, 0, 0 },
			.config = cfg, .member = mi,
		};
		break;
	case 3:
		m->opcode = PHX_CCP_OP_IF_PROBE_REQ;
		m->hdr = phx_ccp_test_hdr(1, PHX_CCP_DST_ALL, 43);
		m->u.probe.ifn = 1;
		break;
	case 4:
		m->opcode = PHX_CCP_OP_IF_PROBE_RPLY;
		m->hdr = phx_ccp_test_hdr(3, 1, 7);
		m->u.probe = (struct phx_ccp_probe){ .ifn = 1, .echo = 43 };
		break;
	case 5:
		m->opcode = PHX_CCP_OP_STATE_REQ;
		m->hdr = phx_ccp_test_hdr(1, PHX_CCP_DST_ALL, 44);
		m->hdr.policy_id = 2;
		m->u.sreq = (struct phx_ccp_state_change){
			.cur_state = PHX_CCP_MSTATE_READY,
			.new_state = PHX_CCP_MSTATE_ACTIVE,
			.reason = PHX_CCP_SCR_ACTIVATE, .seq = 7,
			.config = cfg, .member = mi,
		};
		break;
	case 6:
		m->opcode = PHX_CCP_OP_STATE_CONFIRM;
		m->hdr = phx_ccp_test_hdr(3, 1, 8);
		m->u.sconf = (struct phx_ccp_state_verdict){
			.verdict = PHX_CCP_VERDICT_GRANT,
			.state = PHX_CCP_MSTATE_STANDBY, .seq = 7, .echo = 44,
		};
		break;
	default:
		m->opcode = PHX_CCP_OP_STATE_CONFIRM;
		m->hdr = phx_ccp_test_hdr(4, 1, UINT64_MAX);
		m->u.sconf = (struct phx_ccp_state_verdict){
			.verdict = PHX_CCP_VERDICT_REFUSE,
			.state = PHX_CCP_MSTATE_ACTIVE,
			.refusal = PHX_CCP_REFUSE_ROLE_HELD, .seq = 7,
			.echo = 44,
		};
		break;
	}
}

#endif /* PHX_TESTS_CCP_SAMPLES_H */
