/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/ccp_fsm (SPEC 2.6/2.7, 4.1-4.7).
 *
 * "table": one loop iteration per transition of an expected table written
 * here from the rules in lib/ccp_fsm.h and the SPEC, not from the code:
 * a recipe drives a 2-member FSM into a known state and view, one event is
 * applied, and the next state, the exact set of action types, the answer
 * to a request and a log fragment are checked. Recipes start from the
 * same view (both members 3/3 interfaces, 1/1 secured, same
 * configuration) so each row reads as "state x event -> next, actions".
 *
 * "unit": parameters, malformed events, name tables, view, heartbeat,
 * deadlines, the CCP-36 and CCP-65 lines.
 *
 * "cluster": two to five FSMs driven side by side with a simulated clock
 * and message bus written here: heartbeats every hello, requests and
 * confirmations delivered after a fixed latency, links that can be cut
 * one way or both, members that crash and restart. Every step checks
 * that no two members own the VIPs at once; the scenarios are those of
 * the brief and SPEC 12 (1, 2, 4-8, 10-12, 39). CCP_SIM_TRACE=1 in the
 * environment prints every member's log lines with the simulated time.
 */
#include <check.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ccp_fsm.h"

#define HELLO   5000u                 /* us: the lab's 5 ms */
#define DEADN   4u
#define DEAD_US ((uint64_t)HELLO * DEADN)
#define T0      1000000ull            /* us, creation time */
#define T1      (T0 + DEAD_US + 1000) /* recipes: past the listen time */
#define T2      (T1 + 1000)           /* the row's event */

static const uint8_t DIG_A[PHX_CCP_FSM_DIGEST_LEN] = { 0xaa, 1 };
static const uint8_t DIG_B[PHX_CCP_FSM_DIGEST_LEN] = { 0xbb, 2 };

#define AU PHX_CCP_RECOVERY_ACTIVE_UP
#define PU PHX_CCP_RECOVERY_PRIMARY_UP

/* ---- helpers ----------------------------------------------------------- */

static void
mk_params(struct phx_ccp_fsm_params *p, unsigned n, unsigned local,
	  enum phx_ccp_recovery rec)
{
	unsigned i;

	*p = (struct phx_ccp_fsm_params){
		.n_members = (uint8_t)n,
		.local_id = (uint8_t)local,
		.hello_us = HELLO,
		.dead_count = DEADN,
		.recovery = rec,
		.cfg_gen = 1,
	};
	memcpy(p->cfg_digest, DIG_A, sizeof(p->cfg_digest));
	for (i = 0; i < n; i++) {
		p->members[i].id = (uint8_t)(i + 1);
		p->members[i].prio = (uint8_t)(i + 1);
		snprintf(p->members[i].ip, sizeof(p->members[i].ip),
			 "10.0.10.%u", i + 1);
	}
}

/* A healthy peer record: 3/3 interfaces, 1/1 secured, config A gen 1. */
static struct phx_ccp_hb
hb_mk(enum phx_ccp_state st, unsigned prio)
{
	struct phx_ccp_hb hb = {
		.state = (uint8_t)st,
		.prio = (uint8_t)prio,
		.pnote = PHX_PNOTE_OK,
		.ifs_up = 3, .ifs_required = 3,
		.sec_up = 1, .sec_required = 1,
		.cfg_gen = 1,
	};

	memcpy(hb.cfg_digest, DIG_A, sizeof(hb.cfg_digest));
	return hb;
}

static unsigned
act_mask(const struct phx_ccp_actions *a)
{
	unsigned i, m = 0;

	for (i = 0; i < a->n; i++)
		m |= 1u << a->a[i].type;
	return m;
}

static const struct phx_ccp_action *
find_act(const struct phx_ccp_actions *a, enum phx_ccp_action_type t)
{
	unsigned i;

	for (i = 0; i < a->n; i++)
		if (a->a[i].type == t)
			return &a->a[i];
	return NULL;
}

static bool
has_log(const struct phx_ccp_actions *a, const char *frag)
{
	unsigned i;

	for (i = 0; i < a->n; i++)
		if (a->a[i].type == PHX_CCP_ACT_LOG &&
		    strstr(a->a[i].text, frag) != NULL)
			return true;
	return false;
}

static void
mask_str(unsigned m, char *buf, size_t len)
{
	size_t o = 0;
	unsigned t;

	buf[0] = '\0';
	for (t = 0; t < PHX_CCP_ACT_MAX; t++)
		if (m & (1u << t))
			o += (size_t)snprintf(buf + o, len - o, "%s ",
					      phx_ccp_action_names[t]);
}

static void
ev_do(struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev, uint64_t now,
      struct phx_ccp_actions *a)
{
	ck_assert_int_eq(phx_ccp_fsm_event(f, ev, now, a), 0);
	ck_assert_uint_eq(a->dropped, 0);
}

static void
ev_type(struct phx_ccp_fsm *f, enum phx_ccp_event t, uint64_t now)
{
	struct phx_ccp_evt ev = { .type = t };
	struct phx_ccp_actions a;

	ev_do(f, &ev, now, &a);
}

static void
ev_hb(struct phx_ccp_fsm *f, unsigned peer, struct phx_ccp_hb hb,
      uint64_t now)
{
	struct phx_ccp_evt ev = {
		.type = PHX_CCP_EV_HEARTBEAT, .peer = (uint8_t)peer, .hb = hb,
	};
	struct phx_ccp_actions a;

	ev_do(f, &ev, now, &a);
}

static void
ev_ifs(struct phx_ccp_fsm *f, unsigned up, unsigned sec, uint64_t now)
{
	struct phx_ccp_evt ev = {
		.type = PHX_CCP_EV_IFS, .ifs_up = (uint16_t)up,
		.sec_up = (uint16_t)sec,
	};
	struct phx_ccp_actions a;

	ev_do(f, &ev, now, &a);
}

static void
ev_pnote(struct phx_ccp_fsm *f, enum phx_pnote_status st, uint64_t now)
{
	struct phx_ccp_evt ev = {
		.type = PHX_CCP_EV_PNOTE, .pnote = st, .device = "faildevice",
	};
	struct phx_ccp_actions a;

	ev_do(f, &ev, now, &a);
}

/* ---- the expected transition table -------------------------------------- */

/* Recipes: a 2-member FSM in a known state. "peer" is the other member. */
enum recipe {
	R_INIT1,        /* local 1 (AU), peer 2 heard Standby, not synced */
	R_INIT1_ALONE,  /* local 1, nothing heard */
	R_INIT2,        /* local 2, peer 1 heard Active */
	R_INIT2_PROB,   /* R_INIT2 + pnote problem */
	R_INIT2_PINIT,  /* R_INIT2 + pnote init */
	R_READY,        /* local 1 asked peer 2, waiting (seq in cur_seq) */
	R_ACTIVE,       /* R_READY + confirmation */
	R_ACTIVE_2PU,   /* local 2 (PU) Active, peer 1 Down with a problem */
	R_STANDBY,      /* local 2, peer 1 Active */
	R_DOWN,         /* R_STANDBY + pnote problem */
	R_AA,           /* R_ACTIVE + peer Down(problem) + own problem */
	R_AA_ALONE,     /* R_ACTIVE + peer lost, interfaces intact */
	R_STOPPED,      /* R_STANDBY + cphastop */
	R_INIT_STALE,   /* local 1 (PU) config A gen 1; peer 2 Active with
			 * config B gen 2; not synced */
	R_STALE,        /* R_INIT_STALE + sync: Ready, refused */
	R_INIT_JOIN,    /* local 1 (PU) joining with config A gen 5; peer 2
			 * Active with config B gen 3 */
	R_ASKING,       /* R_ACTIVE + own problem: asking the peer first
			 * (GIVE_WAY request, seq in ask_seq) */
	R_MAX
};

static const char *const recipe_names[R_MAX] = {
	"INIT1", "INIT1_ALONE", "INIT2", "INIT2_PROB", "INIT2_PINIT", "READY",
	"ACTIVE", "ACTIVE_2PU", "STANDBY", "DOWN", "AA", "AA_ALONE", "STOPPED",
	"INIT_STALE", "STALE", "INIT_JOIN", "ASKING",
};

static uint32_t cur_seq;   /* the request R_READY sent */
static uint32_t ask_seq;   /* the GIVE_WAY request R_ASKING sent */

static struct phx_ccp_fsm *
recipe(enum recipe r, unsigned *peer)
{
	struct phx_ccp_fsm_params p;
	struct phx_ccp_fsm *f;
	struct phx_ccp_actions a;
	struct phx_ccp_evt ev;
	unsigned local = 1;
	struct phx_ccp_hb hb;

	switch (r) {
	case R_INIT2: case R_INIT2_PROB: case R_INIT2_PINIT:
	case R_STANDBY: case R_DOWN: case R_STOPPED: case R_ACTIVE_2PU:
		local = 2;
		break;
	default:
		break;
	}
	*peer = local == 1 ? 2 : 1;
	mk_params(&p, 2, local,
		  r == R_ACTIVE_2PU || r == R_INIT_STALE || r == R_STALE ||
		  r == R_INIT_JOIN ? PU : AU);
	if (r == R_INIT_JOIN) {
		p.joining = true;
		p.cfg_gen = 5;
	}
	f = phx_ccp_fsm_create(&p, T0);
	ck_assert_ptr_nonnull(f);
	ev_ifs(f, 3, 1, T0);

	switch (r) {
	case R_INIT1_ALONE:
		break;
	case R_INIT1: case R_READY: case R_ACTIVE: case R_AA:
	case R_AA_ALONE: case R_ASKING:
		ev_hb(f, 2, hb_mk(PHX_CCP_STATE_STANDBY, 2), T1);
		break;
	case R_INIT_STALE: case R_STALE:
		hb = hb_mk(PHX_CCP_STATE_ACTIVE, 2);
		hb.cfg_gen = 2;
		memcpy(hb.cfg_digest, DIG_B, sizeof(hb.cfg_digest));
		ev_hb(f, 2, hb, T1);
		break;
	case R_INIT_JOIN:
		hb = hb_mk(PHX_CCP_STATE_ACTIVE, 2);
		hb.cfg_gen = 3;
		memcpy(hb.cfg_digest, DIG_B, sizeof(hb.cfg_digest));
		ev_hb(f, 2, hb, T1);
		break;
	case R_ACTIVE_2PU:
		hb = hb_mk(PHX_CCP_STATE_DOWN, 1);
		hb.pnote = PHX_PNOTE_PROBLEM;
		ev_hb(f, 1, hb, T1);
		break;
	default:
		ev_hb(f, 1, hb_mk(PHX_CCP_STATE_ACTIVE, 1), T1);
		break;
	}

	switch (r) {
	case R_INIT2_PROB:
		ev_pnote(f, PHX_PNOTE_PROBLEM, T1);
		break;
	case R_INIT2_PINIT:
		ev_pnote(f, PHX_PNOTE_INIT, T1);
		break;
	case R_READY: case R_ACTIVE: case R_AA: case R_AA_ALONE:
	case R_ASKING:
		ev = (struct phx_ccp_evt){ .type = PHX_CCP_EV_SYNC_DONE };
		ev_do(f, &ev, T1, &a);
		ck_assert_int_eq(phx_ccp_fsm_state(f), PHX_CCP_STATE_READY);
		ck_assert_ptr_nonnull(find_act(&a, PHX_CCP_ACT_SEND_REQUEST));
		cur_seq = find_act(&a, PHX_CCP_ACT_SEND_REQUEST)->seq;
		if (r == R_READY)
			break;
		ev = (struct phx_ccp_evt){ .type = PHX_CCP_EV_CONFIRM,
			.peer = 2, .seq = cur_seq, .ok = true };
		ev_do(f, &ev, T1, &a);
		ck_assert_int_eq(phx_ccp_fsm_state(f), PHX_CCP_STATE_ACTIVE);
		if (r == R_AA) {
			hb = hb_mk(PHX_CCP_STATE_DOWN, 2);
			hb.pnote = PHX_PNOTE_PROBLEM;
			ev_hb(f, 2, hb, T1);
			ev_pnote(f, PHX_PNOTE_PROBLEM, T1);
			ck_assert_int_eq(phx_ccp_fsm_state(f),
					 PHX_CCP_STATE_ACTIVE_ATTENTION);
		} else if (r == R_AA_ALONE) {
			ev = (struct phx_ccp_evt){
				.type = PHX_CCP_EV_PEER_LOST, .peer = 2 };
			ev_do(f, &ev, T1, &a);
			ck_assert_int_eq(phx_ccp_fsm_state(f),
					 PHX_CCP_STATE_ACTIVE_ATTENTION);
		} else if (r == R_ASKING) {
			ev = (struct phx_ccp_evt){ .type = PHX_CCP_EV_PNOTE,
				.pnote = PHX_PNOTE_PROBLEM,
				.device = "faildevice" };
			ev_do(f, &ev, T1, &a);
			ck_assert_int_eq(phx_ccp_fsm_state(f),
					 PHX_CCP_STATE_ACTIVE);
			ck_assert_ptr_nonnull(find_act(&a,
					      PHX_CCP_ACT_SEND_REQUEST));
			ck_assert_int_eq(find_act(&a, PHX_CCP_ACT_SEND_REQUEST)
					 ->intent, PHX_CCP_INTENT_GIVE_WAY);
			ask_seq = find_act(&a, PHX_CCP_ACT_SEND_REQUEST)->seq;
		}
		break;
	case R_ACTIVE_2PU:
		ev = (struct phx_ccp_evt){ .type = PHX_CCP_EV_SYNC_DONE };
		ev_do(f, &ev, T1, &a);
		ck_assert_int_eq(phx_ccp_fsm_state(f), PHX_CCP_STATE_READY);
		ev = (struct phx_ccp_evt){ .type = PHX_CCP_EV_CONFIRM,
			.peer = 1, .ok = true,
			.seq = find_act(&a, PHX_CCP_ACT_SEND_REQUEST)->seq };
		ev_do(f, &ev, T1, &a);
		ck_assert_int_eq(phx_ccp_fsm_state(f), PHX_CCP_STATE_ACTIVE);
		break;
	case R_STANDBY: case R_DOWN: case R_STOPPED:
		ev_type(f, PHX_CCP_EV_SYNC_DONE, T1);
		ck_assert_int_eq(phx_ccp_fsm_state(f), PHX_CCP_STATE_STANDBY);
		if (r == R_DOWN) {
			ev_pnote(f, PHX_PNOTE_PROBLEM, T1);
			ck_assert_int_eq(phx_ccp_fsm_state(f),
					 PHX_CCP_STATE_DOWN);
		} else if (r == R_STOPPED) {
			ev_type(f, PHX_CCP_EV_ADMIN_STOP, T1);
			ck_assert_int_eq(phx_ccp_fsm_state(f),
					 PHX_CCP_STATE_STOPPED);
		}
		break;
	case R_STALE:
		ev_type(f, PHX_CCP_EV_SYNC_DONE, T1);
		ck_assert_int_eq(phx_ccp_fsm_state(f), PHX_CCP_STATE_READY);
		break;
	default:
		break;
	}
	return f;
}

/* Canned events; "peer" is the recipe's other member. */
enum evk {
	E_SYNC, E_HB_STANDBY, E_HB_ACTIVE, E_HB_READY, E_HB_DOWN, E_HB_AA,
	E_LOST, E_REQ, E_REQ_OLDCFG, E_REQ_FEWIFS, E_CONF_OK, E_CONF_OLD,
	E_CONF_NO, E_IFS_DOWN, E_IFS_UP, E_PN_PROBLEM, E_PN_INIT, E_PN_OK,
	E_CFG, E_ADOWN, E_AUP, E_STOP, E_START, E_TIMER, E_HB_DOWN_NEWCFG,
	E_REQ_NEWCFG, E_CFG_MATCH, E_ASK, E_CONF_ASK_OK, E_CONF_ASK_NO,
	E_CONF_ASK_WAIT, E_MAX
};

static const char *const evk_names[E_MAX] = {
	"SYNC", "HB_STANDBY", "HB_ACTIVE", "HB_READY", "HB_DOWN", "HB_AA",
	"LOST", "REQ", "REQ_OLDCFG", "REQ_FEWIFS", "CONF_OK", "CONF_OLD",
	"CONF_NO", "IFS_DOWN", "IFS_UP", "PN_PROBLEM", "PN_INIT", "PN_OK",
	"CFG", "ADOWN", "AUP", "STOP", "START", "TIMER", "HB_DOWN_NEWCFG",
	"REQ_NEWCFG", "CFG_MATCH", "ASK", "CONF_ASK_OK", "CONF_ASK_NO",
	"CONF_ASK_WAIT",
};

static struct phx_ccp_evt
mk_evk(enum evk k, unsigned peer)
{
	struct phx_ccp_evt ev = { .peer = (uint8_t)peer };
	unsigned prio = peer;   /* members' priority = ID here */

	switch (k) {
	case E_SYNC: ev.type = PHX_CCP_EV_SYNC_DONE; break;
	case E_HB_STANDBY:
		ev.type = PHX_CCP_EV_HEARTBEAT;
		ev.hb = hb_mk(PHX_CCP_STATE_STANDBY, prio);
		break;
	case E_HB_ACTIVE:
		ev.type = PHX_CCP_EV_HEARTBEAT;
		ev.hb = hb_mk(PHX_CCP_STATE_ACTIVE, prio);
		break;
	case E_HB_READY:
		ev.type = PHX_CCP_EV_HEARTBEAT;
		ev.hb = hb_mk(PHX_CCP_STATE_READY, prio);
		break;
	case E_HB_DOWN:
		ev.type = PHX_CCP_EV_HEARTBEAT;
		ev.hb = hb_mk(PHX_CCP_STATE_DOWN, prio);
		ev.hb.pnote = PHX_PNOTE_PROBLEM;
		break;
	case E_HB_AA:
		ev.type = PHX_CCP_EV_HEARTBEAT;
		ev.hb = hb_mk(PHX_CCP_STATE_ACTIVE_ATTENTION, prio);
		ev.hb.pnote = PHX_PNOTE_PROBLEM;
		break;
	case E_LOST: ev.type = PHX_CCP_EV_PEER_LOST; break;
	case E_REQ:
		ev.type = PHX_CCP_EV_REQUEST;
		ev.seq = 7;
		ev.hb = hb_mk(PHX_CCP_STATE_READY, prio);
		break;
	case E_REQ_OLDCFG:
		ev.type = PHX_CCP_EV_REQUEST;
		ev.seq = 7;
		ev.hb = hb_mk(PHX_CCP_STATE_READY, prio);
		ev.hb.cfg_gen = 0;
		memcpy(ev.hb.cfg_digest, DIG_B, sizeof(ev.hb.cfg_digest));
		break;
	case E_REQ_FEWIFS:
		ev.type = PHX_CCP_EV_REQUEST;
		ev.seq = 7;
		ev.hb = hb_mk(PHX_CCP_STATE_READY, prio);
		ev.hb.pnote = PHX_PNOTE_PROBLEM;
		ev.hb.ifs_up = 2;
		break;
	case E_CONF_OK:
		ev.type = PHX_CCP_EV_CONFIRM;
		ev.seq = cur_seq;
		ev.ok = true;
		break;
	case E_CONF_OLD:
		ev.type = PHX_CCP_EV_CONFIRM;
		ev.seq = cur_seq + 100;
		ev.ok = true;
		break;
	case E_CONF_NO:
		ev.type = PHX_CCP_EV_CONFIRM;
		ev.seq = cur_seq;
		ev.ok = false;
		break;
	case E_IFS_DOWN:
		ev.type = PHX_CCP_EV_IFS;
		ev.ifs_up = 2;
		ev.sec_up = 1;
		break;
	case E_IFS_UP:
		ev.type = PHX_CCP_EV_IFS;
		ev.ifs_up = 4;
		ev.sec_up = 1;
		break;
	case E_PN_PROBLEM:
		ev.type = PHX_CCP_EV_PNOTE;
		ev.pnote = PHX_PNOTE_PROBLEM;
		ev.device = "faildevice";
		break;
	case E_PN_INIT:
		ev.type = PHX_CCP_EV_PNOTE;
		ev.pnote = PHX_PNOTE_INIT;
		ev.device = "mydev";
		break;
	case E_PN_OK:
		ev.type = PHX_CCP_EV_PNOTE;
		ev.pnote = PHX_PNOTE_OK;
		break;
	case E_CFG:
		ev.type = PHX_CCP_EV_CONFIG;
		ev.cfg_gen = 2;
		memcpy(ev.cfg_digest, DIG_B, sizeof(ev.cfg_digest));
		break;
	case E_ADOWN: ev.type = PHX_CCP_EV_ADMIN_DOWN; break;
	case E_AUP: ev.type = PHX_CCP_EV_ADMIN_UP; break;
	case E_STOP: ev.type = PHX_CCP_EV_ADMIN_STOP; break;
	case E_START: ev.type = PHX_CCP_EV_ADMIN_START; break;
	case E_TIMER: ev.type = PHX_CCP_EV_TIMER; break;
	case E_HB_DOWN_NEWCFG:
		ev.type = PHX_CCP_EV_HEARTBEAT;
		ev.hb = hb_mk(PHX_CCP_STATE_DOWN, prio);
		ev.hb.pnote = PHX_PNOTE_PROBLEM;
		ev.hb.cfg_gen = 2;
		memcpy(ev.hb.cfg_digest, DIG_B, sizeof(ev.hb.cfg_digest));
		break;
	case E_REQ_NEWCFG:
		ev.type = PHX_CCP_EV_REQUEST;
		ev.seq = 7;
		ev.hb = hb_mk(PHX_CCP_STATE_READY, prio);
		ev.hb.cfg_gen = 2;
		memcpy(ev.hb.cfg_digest, DIG_B, sizeof(ev.hb.cfg_digest));
		break;
	case E_CFG_MATCH:
		ev.type = PHX_CCP_EV_CONFIG;
		ev.cfg_gen = 2;
		memcpy(ev.cfg_digest, DIG_B, sizeof(ev.cfg_digest));
		break;
	case E_ASK:     /* the peer forwards with a problem and asks */
		ev.type = PHX_CCP_EV_REQUEST;
		ev.intent = PHX_CCP_INTENT_GIVE_WAY;
		ev.seq = 9;
		ev.hb = hb_mk(PHX_CCP_STATE_ACTIVE, prio);
		ev.hb.pnote = PHX_PNOTE_PROBLEM;
		break;
	case E_CONF_ASK_OK:
		ev.type = PHX_CCP_EV_CONFIRM;
		ev.seq = ask_seq;
		ev.ok = true;
		break;
	case E_CONF_ASK_NO:
		ev.type = PHX_CCP_EV_CONFIRM;
		ev.seq = ask_seq;
		ev.ok = false;
		ev.deny = PHX_CCP_DENY_ROLE_HELD;
		break;
	case E_CONF_ASK_WAIT:   /* the peer would take over, not yet */
		ev.type = PHX_CCP_EV_CONFIRM;
		ev.seq = ask_seq;
		ev.ok = false;
		ev.deny = PHX_CCP_DENY_STARTING;
		break;
	default:
		ck_abort_msg("bad evk %d", (int)k);
	}
	return ev;
}

#define A(x) (1u << PHX_CCP_ACT_##x)
#define NONE 0u
#define L    A(LOG)
#define C    A(SEND_CONFIRM)
#define SS   A(SEND_STATE)
#define RS   A(SEND_REQUEST)
#define ST   (A(SET_STATE) | A(SEND_STATE) | A(LOG)) /* quiet change */
#define UP   (ST | A(VIPS_ON) | A(GARP))             /* start forwarding */
#define DN   (ST | A(VIPS_OFF))                      /* stop forwarding */
#define RQ   (ST | A(SEND_REQUEST))                  /* Ready, asking */

#define S_(x) PHX_CCP_STATE_##x
/* answer to a request: none, granted, or refused with a reason */
#define NOANS -1
#define OK     PHX_CCP_DENY_MAX
#define HELD   PHX_CCP_DENY_ROLE_HELD
#define CFG    PHX_CCP_DENY_CONFIG
#define MIFS   PHX_CCP_DENY_MORE_IFS

struct row {
	uint8_t recipe;     /* enum recipe */
	uint8_t ev;         /* enum evk */
	uint8_t next;       /* expected state */
	unsigned acts;      /* exact set of action types */
	int answer;         /* NOANS, OK, or a PHX_CCP_DENY_* */
	const char *log;    /* fragment of a LOG action, or NULL */
};

static const struct row rows[] = {
	/* Initializing: nothing is decided before sync; requests are
	 * answered by the election (we are no contender) */
	{ R_INIT1, E_SYNC, S_(READY), RQ, NOANS,
	  "member 1 (10.0.10.1) is ready (requesting to become active)." },
	{ R_INIT1, E_HB_STANDBY, S_(INIT), NONE, NOANS, NULL },
	{ R_INIT1, E_HB_ACTIVE, S_(INIT), NONE, NOANS, NULL },
	{ R_INIT1, E_LOST, S_(INIT), NONE, NOANS, NULL },
	{ R_INIT1, E_REQ, S_(INIT), C, OK, NULL },
	/* the asking peer stays: we cannot forward (CCP-65) */
	{ R_INIT1, E_ASK, S_(INIT), SS | C, HELD, NULL },
	{ R_INIT1, E_CONF_OK, S_(INIT), NONE, NOANS, NULL },
	{ R_INIT1, E_IFS_DOWN, S_(INIT), L, NOANS,
	  "3 interfaces required, only 2 up." },
	{ R_INIT1, E_PN_PROBLEM, S_(INIT), NONE, NOANS, NULL },
	{ R_INIT1, E_CFG, S_(INIT), NONE, NOANS, NULL },
	{ R_INIT1, E_ADOWN, S_(INIT), NONE, NOANS, NULL },
	{ R_INIT1, E_STOP, S_(STOPPED), ST, NOANS, "Stopping ClusterXL." },
	{ R_INIT1, E_START, S_(INIT), L, NOANS,
	  "unexpected event ADMIN_START in state INIT" },
	{ R_INIT1, E_TIMER, S_(INIT), L, NOANS,
	  "unexpected event TIMER in state INIT" },
	/* alone after the listen time: Active Attention directly */
	{ R_INIT1_ALONE, E_SYNC, S_(ACTIVE_ATTENTION), UP, NOANS,
	  "member 1 (10.0.10.1) is active (no other member is heard)." },
	{ R_INIT2, E_SYNC, S_(STANDBY), ST, NOANS,
	  "member 2 (10.0.10.2) is stand-by (member 1 (10.0.10.1) is "
	  "active)." },
	{ R_INIT2_PROB, E_SYNC, S_(DOWN), ST, NOANS,
	  "member 2 (10.0.10.2) is down (faildevice detected a problem)." },
	{ R_INIT2_PINIT, E_SYNC, S_(DOWN), ST, NOANS,
	  "is down (faildevice is initializing)." },

	/* Ready: waiting for the peer's confirmation (CCP-61) */
	{ R_READY, E_CONF_OK, S_(ACTIVE), UP, NOANS,
	  "member 1 (10.0.10.1) is active (confirmed by every member)." },
	{ R_READY, E_CONF_OLD, S_(READY), NONE, NOANS, NULL },
	{ R_READY, E_CONF_NO, S_(READY), NONE, NOANS, NULL },
	{ R_READY, E_HB_STANDBY, S_(READY), NONE, NOANS, NULL },
	/* Active Up: the peer already forwards, no preemption */
	{ R_READY, E_HB_ACTIVE, S_(STANDBY), ST, NOANS, NULL },
	{ R_READY, E_HB_DOWN, S_(READY), NONE, NOANS, NULL },
	{ R_READY, E_LOST, S_(ACTIVE_ATTENTION), UP, NOANS, NULL },
	/* both asking: priority decides, we refuse */
	{ R_READY, E_REQ, S_(READY), C, HELD, NULL },
	{ R_READY, E_IFS_DOWN, S_(DOWN), ST, NOANS,
	  "is down (member 2 (10.0.10.2) reports more interfaces up)." },
	{ R_READY, E_PN_PROBLEM, S_(DOWN), ST, NOANS, NULL },
	{ R_READY, E_PN_INIT, S_(DOWN), ST, NOANS, NULL },
	{ R_READY, E_ADOWN, S_(DOWN), ST, NOANS, "administratively down" },
	{ R_READY, E_STOP, S_(STOPPED), ST, NOANS, NULL },
	{ R_READY, E_TIMER, S_(READY), RS, NOANS, NULL },
	{ R_READY, E_SYNC, S_(READY), L, NOANS,
	  "unexpected event SYNC_DONE in state READY" },
	{ R_READY, E_START, S_(READY), L, NOANS, NULL },
	{ R_READY, E_CFG, S_(READY), NONE, NOANS, NULL },

	/* Active (member 1, Active Up, peer Standby) */
	{ R_ACTIVE, E_HB_STANDBY, S_(ACTIVE), NONE, NOANS, NULL },
	{ R_ACTIVE, E_HB_ACTIVE, S_(ACTIVE), NONE, NOANS, NULL },
	{ R_ACTIVE, E_HB_READY, S_(ACTIVE), NONE, NOANS, NULL },
	{ R_ACTIVE, E_HB_DOWN, S_(ACTIVE), NONE, NOANS, NULL },
	{ R_ACTIVE, E_LOST, S_(ACTIVE_ATTENTION), ST, NOANS, NULL },
	{ R_ACTIVE, E_REQ, S_(ACTIVE), C, HELD, NULL },
	{ R_ACTIVE, E_REQ_OLDCFG, S_(ACTIVE), C, CFG, NULL },
	{ R_ACTIVE, E_CONF_OK, S_(ACTIVE), NONE, NOANS, NULL },
	/* a problem: ask the peer first (CCP-64), keep forwarding */
	{ R_ACTIVE, E_IFS_DOWN, S_(ACTIVE), L | RS, NOANS,
	  "3 interfaces required, only 2 up." },
	{ R_ACTIVE, E_IFS_UP, S_(ACTIVE), NONE, NOANS, NULL },
	{ R_ACTIVE, E_PN_PROBLEM, S_(ACTIVE), RS, NOANS, NULL },
	{ R_ACTIVE, E_PN_INIT, S_(ACTIVE), RS, NOANS, NULL },
	{ R_ACTIVE, E_PN_OK, S_(ACTIVE), NONE, NOANS, NULL },
	{ R_ACTIVE, E_ADOWN, S_(ACTIVE), RS, NOANS, NULL },
	/* two actives, the other with a problem asks: yes, give way */
	{ R_ACTIVE, E_ASK, S_(ACTIVE), SS | C, OK, NULL },
	{ R_ACTIVE, E_AUP, S_(ACTIVE), NONE, NOANS, NULL },
	{ R_ACTIVE, E_STOP, S_(STOPPED), DN, NOANS, NULL },
	{ R_ACTIVE, E_TIMER, S_(ACTIVE), L, NOANS,
	  "unexpected event TIMER in state ACTIVE" },
	{ R_ACTIVE, E_SYNC, S_(ACTIVE), L, NOANS, NULL },
	{ R_ACTIVE, E_START, S_(ACTIVE), L, NOANS, NULL },
	{ R_ACTIVE, E_CFG, S_(ACTIVE), NONE, NOANS, NULL },

	/* Active under Primary Up with the better member 1 back */
	{ R_ACTIVE_2PU, E_HB_STANDBY, S_(ACTIVE), NONE, NOANS, NULL },
	{ R_ACTIVE_2PU, E_REQ, S_(STANDBY), DN | C, OK, NULL },
	{ R_ACTIVE_2PU, E_HB_ACTIVE, S_(STANDBY), DN, NOANS, NULL },

	/* Standby (member 2, peer 1 Active) */
	{ R_STANDBY, E_HB_ACTIVE, S_(STANDBY), NONE, NOANS, NULL },
	{ R_STANDBY, E_HB_STANDBY, S_(STANDBY), NONE, NOANS, NULL },
	{ R_STANDBY, E_HB_READY, S_(STANDBY), NONE, NOANS, NULL },
	{ R_STANDBY, E_HB_DOWN, S_(READY), RQ, NOANS, NULL },
	{ R_STANDBY, E_HB_AA, S_(READY), RQ, NOANS, NULL },
	{ R_STANDBY, E_LOST, S_(ACTIVE_ATTENTION), UP, NOANS, NULL },
	{ R_STANDBY, E_REQ, S_(STANDBY), C, OK, NULL },
	/* the active asks: we are better, say so and ask to take over */
	{ R_STANDBY, E_ASK, S_(READY), RQ | C, OK, NULL },
	{ R_STANDBY, E_CONF_OK, S_(STANDBY), NONE, NOANS, NULL },
	{ R_STANDBY, E_IFS_DOWN, S_(DOWN), ST, NOANS,
	  "member 2 (10.0.10.2) is down (member 1 (10.0.10.1) reports more "
	  "interfaces up)." },
	{ R_STANDBY, E_PN_PROBLEM, S_(DOWN), ST, NOANS, NULL },
	{ R_STANDBY, E_PN_INIT, S_(DOWN), ST, NOANS, NULL },
	{ R_STANDBY, E_ADOWN, S_(DOWN), ST, NOANS, NULL },
	{ R_STANDBY, E_STOP, S_(STOPPED), ST, NOANS, NULL },
	{ R_STANDBY, E_TIMER, S_(STANDBY), L, NOANS, NULL },
	{ R_STANDBY, E_SYNC, S_(STANDBY), L, NOANS, NULL },
	{ R_STANDBY, E_START, S_(STANDBY), L, NOANS, NULL },
	/* reloaded with another configuration than the active member's:
	 * stale, it refuses to take over (SPEC CCP-68: the newer stays
	 * Ready while the older is Active) */
	{ R_STANDBY, E_CFG, S_(READY), ST, NOANS, NULL },

	/* Down (member 2 with a problem, peer 1 Active) */
	{ R_DOWN, E_PN_OK, S_(STANDBY), ST, NOANS, NULL },
	{ R_DOWN, E_HB_ACTIVE, S_(DOWN), NONE, NOANS, NULL },
	{ R_DOWN, E_HB_DOWN, S_(DOWN), NONE, NOANS, NULL },
	{ R_DOWN, E_HB_AA, S_(DOWN), NONE, NOANS, NULL },
	/* the active asks (CCP-64): we are no better, it stays */
	{ R_DOWN, E_ASK, S_(DOWN), SS | C, HELD, NULL },
	/* last member left, even with a problem (CCP-65, FAIL-13) */
	{ R_DOWN, E_LOST, S_(ACTIVE_ATTENTION), UP, NOANS, NULL },
	{ R_DOWN, E_REQ, S_(DOWN), C, OK, NULL },
	{ R_DOWN, E_IFS_DOWN, S_(DOWN), L, NOANS, NULL },
	{ R_DOWN, E_AUP, S_(DOWN), NONE, NOANS, NULL },
	{ R_DOWN, E_STOP, S_(STOPPED), ST, NOANS, NULL },
	{ R_DOWN, E_TIMER, S_(DOWN), L, NOANS, NULL },
	{ R_DOWN, E_SYNC, S_(DOWN), L, NOANS, NULL },

	/* Active Attention (member 1 with a problem, peer 2 Down too) */
	{ R_AA, E_PN_OK, S_(ACTIVE), ST, NOANS,
	  "member 1 (10.0.10.1) is active (attention cleared)." },
	/* a healthy peer appears: ask it first (CCP-64) */
	{ R_AA, E_HB_STANDBY, S_(ACTIVE_ATTENTION), RS, NOANS, NULL },
	{ R_AA, E_HB_DOWN, S_(ACTIVE_ATTENTION), NONE, NOANS, NULL },
	{ R_AA, E_LOST, S_(ACTIVE_ATTENTION), NONE, NOANS, NULL },
	{ R_AA, E_REQ, S_(DOWN), DN | C, OK, NULL },
	{ R_AA, E_REQ_FEWIFS, S_(ACTIVE_ATTENTION), C, MIFS, NULL },
	{ R_AA, E_STOP, S_(STOPPED), DN, NOANS, NULL },
	{ R_AA, E_TIMER, S_(ACTIVE_ATTENTION), L, NOANS, NULL },

	/* Active Attention because nobody else is heard */
	{ R_AA_ALONE, E_HB_STANDBY, S_(ACTIVE), ST, NOANS, NULL },
	{ R_AA_ALONE, E_PN_PROBLEM, S_(ACTIVE_ATTENTION), L, NOANS,
	  "State change of member 1 (10.0.10.1) from Active Attention to "
	  "Down was cancelled, since all other members are down. Member "
	  "remains Active Attention." },
	{ R_AA_ALONE, E_IFS_DOWN, S_(ACTIVE_ATTENTION), L, NOANS,
	  "was cancelled, since all other members are down." },

	/* Stopped: out of the cluster until cphastart (FAIL-61/62) */
	{ R_STOPPED, E_START, S_(INIT), ST, NOANS, "Starting ClusterXL." },
	{ R_STOPPED, E_HB_ACTIVE, S_(STOPPED), NONE, NOANS, NULL },
	/* still answers, as a member that cannot forward */
	{ R_STOPPED, E_REQ, S_(STOPPED), C, OK, NULL },
	{ R_STOPPED, E_ASK, S_(STOPPED), SS | C, HELD, NULL },
	{ R_STOPPED, E_LOST, S_(STOPPED), NONE, NOANS, NULL },
	{ R_STOPPED, E_CONF_OK, S_(STOPPED), NONE, NOANS, NULL },
	{ R_STOPPED, E_PN_PROBLEM, S_(STOPPED), NONE, NOANS, NULL },
	{ R_STOPPED, E_SYNC, S_(STOPPED), L, NOANS, NULL },
	{ R_STOPPED, E_STOP, S_(STOPPED), L, NOANS,
	  "unexpected event ADMIN_STOP in state STOPPED" },
	{ R_STOPPED, E_TIMER, S_(STOPPED), L, NOANS, NULL },

	/* configuration guard (SPEC 4.5/4.6): a stale member refuses */
	{ R_INIT_STALE, E_SYNC, S_(READY), ST, NOANS,
	  "member 1 (10.0.10.1) refuses to become active: configuration "
	  "generation 1 differs from member 2 (10.0.10.2) generation 2" },
	{ R_STALE, E_HB_DOWN_NEWCFG, S_(READY), NONE, NOANS, NULL },
	{ R_STALE, E_REQ_NEWCFG, S_(READY), C, OK, NULL },
	{ R_STALE, E_CFG_MATCH, S_(READY), RS, NOANS, NULL },
	{ R_STALE, E_HB_ACTIVE, S_(READY), RS, NOANS, NULL },
	{ R_STALE, E_LOST, S_(ACTIVE_ATTENTION), UP, NOANS, NULL },
	{ R_STALE, E_TIMER, S_(READY), L, NOANS, NULL },
	/* join mode never wins the configuration, whatever its generation */
	{ R_INIT_JOIN, E_SYNC, S_(READY), ST, NOANS, "refuses to become "
	  "active" },

	/* Active with a problem, waiting for the answer (CCP-64) */
	{ R_ASKING, E_CONF_ASK_OK, S_(DOWN), DN, NOANS,
	  "member 1 (10.0.10.1) is down (faildevice detected a problem)." },
	/* a "stay" answer with a record that says otherwise: the records
	 * decide (the answer is sent after the responder's state) */
	{ R_ASKING, E_CONF_ASK_NO, S_(DOWN), DN, NOANS, NULL },
	/* the peer would take over but cannot yet (it listens after its
	 * start): keep the VIPs until it asks (CCP-65) */
	{ R_ASKING, E_CONF_ASK_WAIT, S_(ACTIVE_ATTENTION), ST, NOANS, NULL },
	{ R_ASKING, E_CONF_OK, S_(ACTIVE), NONE, NOANS, NULL },
	/* the peer turns out worse: the change is cancelled (CCP-65) */
	{ R_ASKING, E_HB_DOWN, S_(ACTIVE_ATTENTION), ST, NOANS,
	  "State change of member 1 (10.0.10.1) from Active to Down was "
	  "cancelled, since all other members are down. Member remains "
	  "Active Attention." },
	{ R_ASKING, E_TIMER, S_(ACTIVE), RS, NOANS, NULL },
	{ R_ASKING, E_LOST, S_(ACTIVE_ATTENTION), ST, NOANS, NULL },
	{ R_ASKING, E_PN_OK, S_(ACTIVE), NONE, NOANS, NULL },
	{ R_ASKING, E_REQ, S_(DOWN), DN | C, OK, NULL },
	{ R_ASKING, E_STOP, S_(STOPPED), DN, NOANS, NULL },
};

#define N_ROWS ((int)(sizeof(rows) / sizeof(rows[0])))

START_TEST(test_row)
{
	const struct row *r = &rows[_i];
	struct phx_ccp_actions a;
	const struct phx_ccp_action *x;
	struct phx_ccp_fsm *f;
	struct phx_ccp_evt ev;
	enum phx_ccp_state before;
	unsigned peer, m;
	char got[256], want[256];

	f = recipe(r->recipe, &peer);
	before = phx_ccp_fsm_state(f);
	ev = mk_evk(r->ev, peer);
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T2, &a), 0);
	m = act_mask(&a);
	mask_str(m, got, sizeof(got));
	mask_str(r->acts, want, sizeof(want));
	ck_assert_msg(phx_ccp_fsm_state(f) == r->next && m == r->acts,
		      "row %d %s + %s: got %s {%s}, want %s {%s}", _i,
		      recipe_names[r->recipe], evk_names[r->ev],
		      phx_ccp_state_names[phx_ccp_fsm_state(f)], got,
		      phx_ccp_state_names[r->next], want);
	/* SET_STATE names the change */
	x = find_act(&a, PHX_CCP_ACT_SET_STATE);
	if (x != NULL) {
		ck_assert_int_eq(x->state, r->next);
		ck_assert_int_eq(x->prev, before);
	} else {
		ck_assert_int_eq(before, r->next);
	}
	x = find_act(&a, PHX_CCP_ACT_SEND_CONFIRM);
	if (r->answer == NOANS) {
		ck_assert_ptr_null(x);
	} else {
		ck_assert_ptr_nonnull(x);
		ck_assert_uint_eq(x->peer, peer);
		ck_assert_uint_eq(x->seq, ev.seq);
		ck_assert_int_eq(x->ok, r->answer == OK);
		ck_assert_int_eq(x->deny, r->answer == OK ?
				 PHX_CCP_DENY_NONE : r->answer);
	}
	if (r->log != NULL)
		ck_assert_msg(has_log(&a, r->log), "row %d: no log \"%s\"",
			      _i, r->log);
	/* every heartbeat action carries the state we are in now */
	for (m = 0; m < a.n; m++)
		if (a.a[m].type == PHX_CCP_ACT_SEND_STATE ||
		    a.a[m].type == PHX_CCP_ACT_SEND_REQUEST)
			ck_assert_uint_eq(a.a[m].hb.state, phx_ccp_fsm_state(f));
	phx_ccp_fsm_free(f);
}
END_TEST

/* Rules across the table: forwarding starts with VIPS_ON then GARP and
 * stops with VIPS_OFF, in that order, and a confirmation comes last. */
START_TEST(test_table_order)
{
	int i;

	for (i = 0; i < N_ROWS; i++) {
		struct phx_ccp_actions a;
		struct phx_ccp_fsm *f;
		struct phx_ccp_evt ev;
		unsigned peer, k;
		int on = -1, garp = -1, off = -1, conf = -1;

		f = recipe(rows[i].recipe, &peer);
		ev = mk_evk(rows[i].ev, peer);
		ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T2, &a), 0);
		for (k = 0; k < a.n; k++) {
			if (a.a[k].type == PHX_CCP_ACT_VIPS_ON)
				on = (int)k;
			if (a.a[k].type == PHX_CCP_ACT_GARP)
				garp = (int)k;
			if (a.a[k].type == PHX_CCP_ACT_VIPS_OFF)
				off = (int)k;
			if (a.a[k].type == PHX_CCP_ACT_SEND_CONFIRM)
				conf = (int)k;
		}
		if (on >= 0)
			ck_assert_int_gt(garp, on);
		if (conf >= 0)
			ck_assert_int_eq(conf, (int)a.n - 1);
		if (off >= 0 && conf >= 0)
			ck_assert_int_lt(off, conf);
		phx_ccp_fsm_free(f);
	}
}
END_TEST

/* ---- unit tests ---------------------------------------------------------- */

START_TEST(test_names)
{
	unsigned i;

	for (i = 0; i < PHX_CCP_STATE_MAX; i++) {
		ck_assert_ptr_nonnull(phx_ccp_state_names[i]);
		ck_assert_ptr_nonnull(phx_ccp_state_display[i]);
	}
	for (i = 0; i < PHX_CCP_EV_MAX; i++)
		ck_assert_ptr_nonnull(phx_ccp_event_names[i]);
	for (i = 0; i < PHX_CCP_ACT_MAX; i++)
		ck_assert_ptr_nonnull(phx_ccp_action_names[i]);
	/* SPEC 2.6 display names */
	ck_assert_str_eq(phx_ccp_state_display[S_(ACTIVE)], "Active");
	ck_assert_str_eq(phx_ccp_state_display[S_(ACTIVE_ATTENTION)],
			 "Active Attention");
	ck_assert_str_eq(phx_ccp_state_display[S_(DOWN)], "Down");
	ck_assert_str_eq(phx_ccp_state_display[S_(READY)], "Ready");
	ck_assert_str_eq(phx_ccp_state_display[S_(STANDBY)], "Standby");
	ck_assert_str_eq(phx_ccp_state_display[S_(INIT)], "Initializing");
	ck_assert_str_eq(phx_ccp_state_display[S_(LOST)], "Lost");
}
END_TEST

START_TEST(test_create_params)
{
	struct phx_ccp_fsm_params p;
	struct phx_ccp_fsm *f;

	mk_params(&p, 2, 1, AU);
	f = phx_ccp_fsm_create(&p, T0);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(phx_ccp_fsm_state(f), S_(INIT));
	ck_assert(!phx_ccp_fsm_forwarding(f));
	phx_ccp_fsm_free(f);
	phx_ccp_fsm_free(NULL);

	ck_assert_ptr_null(phx_ccp_fsm_create(NULL, T0));
	ck_assert_int_eq(errno, EINVAL);
#define BAD(stmt) do { mk_params(&p, 3, 1, AU); stmt; \
	errno = 0; \
	ck_assert_ptr_null(phx_ccp_fsm_create(&p, T0)); \
	ck_assert_int_eq(errno, EINVAL); } while (0)
	BAD(p.n_members = 1);
	BAD(p.n_members = 6);
	BAD(p.local_id = 4);
	BAD(p.members[1].id = 1);
	BAD(p.members[1].id = 0);
	BAD(p.members[2].prio = 1);
	BAD(p.members[2].prio = 4);
	BAD(p.members[2].prio = 0);
	BAD(p.hello_us = 999);
	BAD(p.hello_us = PHX_CCP_FSM_MAX_HELLO_MS * 1000 + 1);
	BAD(p.dead_count = 1);
	BAD(p.dead_count = 101);
	BAD(p.recovery = PHX_CCP_RECOVERY_MAX);
#undef BAD
	/* five members, IDs need not be dense */
	mk_params(&p, 5, 9, PU);
	p.members[4].id = 9;
	f = phx_ccp_fsm_create(&p, T0);
	ck_assert_ptr_nonnull(f);
	phx_ccp_fsm_free(f);
}
END_TEST

/* Malformed events change nothing and leave no actions (STYLE 3.4). */
START_TEST(test_bad_events)
{
	struct phx_ccp_fsm_params p;
	struct phx_ccp_actions a;
	struct phx_ccp_evt ev;
	struct phx_ccp_fsm *f;

	mk_params(&p, 3, 1, AU);
	f = phx_ccp_fsm_create(&p, T0);
	ev = (struct phx_ccp_evt){ .type = PHX_CCP_EV_MAX };
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ck_assert_uint_eq(a.n, 0);
	ev = mk_evk(E_HB_ACTIVE, 4);                  /* not a member */
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ev = mk_evk(E_HB_ACTIVE, 1);                  /* ourselves */
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ev = mk_evk(E_CONF_OK, 0);
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ev = mk_evk(E_LOST, 7);
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ev = mk_evk(E_HB_ACTIVE, 2);
	ev.hb.state = S_(LOST);                      /* nobody claims Lost */
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ev.hb.state = PHX_CCP_STATE_MAX;
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ev = mk_evk(E_REQ, 2);
	ev.hb.pnote = PHX_PNOTE_STATUS_MAX;
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ev = mk_evk(E_REQ, 2);
	ev.hb.prio = 0;
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ev = mk_evk(E_REQ, 2);
	ev.intent = PHX_CCP_INTENT_MAX;
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ev = mk_evk(E_PN_OK, 2);
	ev.pnote = PHX_PNOTE_STATUS_MAX;
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, &a), -EINVAL);
	ck_assert_int_eq(phx_ccp_fsm_event(NULL, &ev, T1, &a), -EINVAL);
	ck_assert_int_eq(phx_ccp_fsm_event(f, NULL, T1, &a), -EINVAL);
	ck_assert_int_eq(phx_ccp_fsm_event(f, &ev, T1, NULL), -EINVAL);
	/* nothing was recorded: peer 2 is still Lost */
	{
		struct phx_ccp_member_view v[3];

		ck_assert_uint_eq(phx_ccp_fsm_view(f, T1, v, 3), 3);
		ck_assert_int_eq(v[1].state, S_(LOST));
		ck_assert_uint_eq(v[1].heard_age_us, UINT64_MAX);
	}
	phx_ccp_fsm_free(f);
}
END_TEST

/* Peer 2's state as member 1 sees it at now. */
static enum phx_ccp_state
peer2_state(struct phx_ccp_fsm *f, uint64_t now)
{
	struct phx_ccp_member_view v[2];
	struct phx_ccp_actions a;

	phx_ccp_fsm_tick(f, now, &a);
	ck_assert_uint_eq(phx_ccp_fsm_view(f, now, v, 2), 2);
	ck_assert_uint_eq(v[1].id, 2);
	return v[1].state;
}

/* CCP-22: timers change at run time; a peer gets dead_count of the longer
 * of our heartbeat interval and the one it announces (CCP-20's time unit),
 * so a member that is reloaded to a longer interval first is not lost by
 * the other; the announced unit is capped at the configuration maximum. */
START_TEST(test_timers_runtime)
{
	struct phx_ccp_fsm_params p;
	struct phx_ccp_fsm *f;
	struct phx_ccp_hb hb = hb_mk(S_(STANDBY), 2);

	mk_params(&p, 2, 1, AU);
	f = phx_ccp_fsm_create(&p, T0);
	ck_assert_ptr_nonnull(f);
	/* no unit announced: our own 4 x 5 ms */
	ev_hb(f, 2, hb, T1);
	ck_assert_uint_eq(phx_ccp_fsm_next_deadline(f) <= T1 + DEAD_US, 1);
	ck_assert_int_eq(peer2_state(f, T1 + DEAD_US - 1), S_(STANDBY));
	ck_assert_int_eq(peer2_state(f, T1 + DEAD_US), S_(LOST));
	/* the peer was reloaded to 50 ms: 4 x 50 ms */
	hb.time_unit_ms = 50;
	ev_hb(f, 2, hb, T2);
	ck_assert_uint_eq(phx_ccp_fsm_next_deadline(f), T2 + 200000);
	ck_assert_int_eq(peer2_state(f, T2 + DEAD_US), S_(STANDBY));
	ck_assert_int_eq(peer2_state(f, T2 + 199999), S_(STANDBY));
	ck_assert_int_eq(peer2_state(f, T2 + 200000), S_(LOST));
	/* a shorter announced unit than ours counts as ours: we were
	 * reloaded to 20 ms x 3 first */
	ck_assert_int_eq(phx_ccp_fsm_set_timers(f, 20000, 3, PU), 0);
	hb.time_unit_ms = 5;
	ev_hb(f, 2, hb, T2 + 300000);
	ck_assert_int_eq(peer2_state(f, T2 + 300000 + 59999), S_(STANDBY));
	ck_assert_int_eq(peer2_state(f, T2 + 300000 + 60000), S_(LOST));
	/* an absurd announcement is capped: 3 x 1 s, not 3 x 65.5 s */
	hb.time_unit_ms = UINT16_MAX;
	ev_hb(f, 2, hb, T2 + 400000);
	ck_assert_int_eq(peer2_state(f, T2 + 400000 + 2999999), S_(STANDBY));
	ck_assert_int_eq(peer2_state(f, T2 + 400000 + 3000000), S_(LOST));
	/* a record without a unit (a request) keeps the last one */
	hb.time_unit_ms = 0;
	ev_hb(f, 2, hb, T2 + 3500000);
	ck_assert_uint_eq(phx_ccp_fsm_next_deadline(f), T2 + 6500000);
	/* out of range: refused, nothing changes (still 20 ms x 3) */
	ck_assert_int_eq(phx_ccp_fsm_set_timers(f, 999, 3, AU), -EINVAL);
	ck_assert_int_eq(phx_ccp_fsm_set_timers(f,
			 PHX_CCP_FSM_MAX_HELLO_MS * 1000 + 1, 3, AU), -EINVAL);
	ck_assert_int_eq(phx_ccp_fsm_set_timers(f, 20000, 1, AU), -EINVAL);
	ck_assert_int_eq(phx_ccp_fsm_set_timers(f, 20000, 101, AU), -EINVAL);
	ck_assert_int_eq(phx_ccp_fsm_set_timers(f, 20000, 3,
			 PHX_CCP_RECOVERY_MAX), -EINVAL);
	ck_assert_int_eq(phx_ccp_fsm_set_timers(NULL, 20000, 3, AU), -EINVAL);
	hb.time_unit_ms = 20;
	ev_hb(f, 2, hb, T2 + 4000000);
	ck_assert_int_eq(peer2_state(f, T2 + 4000000 + 59999), S_(STANDBY));
	ck_assert_int_eq(peer2_state(f, T2 + 4000000 + 60000), S_(LOST));
	/* our dead_count with the peer's unit is capped at the longest dead
	 * time a configuration allows: 100 x 1 s would be 100 s */
	ck_assert_int_eq(phx_ccp_fsm_set_timers(f, 5000, 100, AU), 0);
	hb.time_unit_ms = 1000;
	ev_hb(f, 2, hb, T2 + 5000000);
	ck_assert_int_eq(peer2_state(f, T2 + 5000000 +
			 PHX_CCP_FSM_MAX_DEAD_MS * 1000ull - 1), S_(STANDBY));
	ck_assert_int_eq(peer2_state(f, T2 + 5000000 +
			 PHX_CCP_FSM_MAX_DEAD_MS * 1000ull), S_(LOST));
	phx_ccp_fsm_free(f);
}
END_TEST

/* `phx state` rows (CLI-10): by priority, (local) marked, Lost for a
 * peer not heard, last-heard age. */
START_TEST(test_view)
{
	struct phx_ccp_fsm_params p;
	struct phx_ccp_member_view v[3];
	struct phx_ccp_local_info li;
	struct phx_ccp_fsm *f;
	struct phx_ccp_hb hb;

	mk_params(&p, 3, 2, AU);
	/* priority is not the ID: member 3 ranks first */
	p.members[0].prio = 2;
	p.members[1].prio = 3;
	p.members[2].prio = 1;
	f = phx_ccp_fsm_create(&p, T0);
	ev_ifs(f, 3, 1, T0);
	hb = hb_mk(S_(ACTIVE), 1);
	hb.ifs_up = 2;
	ev_hb(f, 3, hb, T1);
	ck_assert_uint_eq(phx_ccp_fsm_view(f, T1 + 1500, v, 3), 3);
	ck_assert_uint_eq(v[0].id, 3);
	ck_assert_uint_eq(v[0].prio, 1);
	ck_assert_int_eq(v[0].state, S_(ACTIVE));
	ck_assert_uint_eq(v[0].heard_age_us, 1500);
	ck_assert_uint_eq(v[0].ifs_up, 2);
	ck_assert_str_eq(v[0].ip, "10.0.10.3");
	ck_assert(!v[0].local);
	ck_assert_uint_eq(v[1].id, 1);
	ck_assert_int_eq(v[1].state, S_(LOST));
	ck_assert_uint_eq(v[2].id, 2);
	ck_assert(v[2].local);
	ck_assert_int_eq(v[2].state, S_(INIT));
	ck_assert_uint_eq(v[2].ifs_up, 3);
	ck_assert_uint_eq(v[2].ifs_required, 3);
	ck_assert_uint_eq(v[2].heard_age_us, 0);
	ck_assert_int_eq(memcmp(v[2].cfg_digest, DIG_A, 32), 0);
	/* a short buffer still tells how many rows exist */
	ck_assert_uint_eq(phx_ccp_fsm_view(f, T1, v, 1), 3);
	/* an address learnt later (control: the peer's sync address) */
	ck_assert_int_eq(phx_ccp_fsm_set_ip(f, 3, "10.0.0.3"), 0);
	ck_assert_int_eq(phx_ccp_fsm_set_ip(f, 9, "10.0.0.9"), -EINVAL);
	ck_assert_uint_eq(phx_ccp_fsm_view(f, T1, v, 1), 3);
	ck_assert_str_eq(v[0].ip, "10.0.0.3");
	/* the peer is lost dead_count hellos after it was last heard */
	{
		struct phx_ccp_actions a;

		phx_ccp_fsm_tick(f, T1 + DEAD_US - 1, &a);
		ck_assert_uint_eq(phx_ccp_fsm_view(f, T1 + DEAD_US - 1, v, 3),
				  3);
		ck_assert_int_eq(v[0].state, S_(ACTIVE));
		phx_ccp_fsm_tick(f, T1 + DEAD_US, &a);
		phx_ccp_fsm_view(f, T1 + DEAD_US, v, 3);
		ck_assert_int_eq(v[0].state, S_(LOST));
	}
	phx_ccp_fsm_local(f, &li);
	ck_assert_int_eq(li.state, S_(INIT));
	ck_assert_uint_eq(li.ifs_required, 3);
	ck_assert_uint_eq(li.sec_required, 1);
	ck_assert_int_eq(li.recovery, AU);
	phx_ccp_fsm_free(f);
}
END_TEST

/* Our heartbeat record and the deadline the caller may sleep until. */
START_TEST(test_heartbeat_deadline)
{
	struct phx_ccp_fsm_params p;
	struct phx_ccp_actions a;
	struct phx_ccp_fsm *f;
	struct phx_ccp_hb hb;

	mk_params(&p, 2, 2, AU);
	p.cfg_gen = 42;
	f = phx_ccp_fsm_create(&p, T0);
	ck_assert_uint_eq(phx_ccp_fsm_next_deadline(f), UINT64_MAX);
	ev_ifs(f, 4, 1, T0);
	ev_ifs(f, 3, 1, T0);
	ev_type(f, PHX_CCP_EV_ADMIN_DOWN, T0);
	phx_ccp_fsm_heartbeat(f, &hb);
	ck_assert_uint_eq(hb.state, S_(INIT));
	ck_assert_uint_eq(hb.prio, 2);
	ck_assert_uint_eq(hb.ifs_up, 3);
	ck_assert_uint_eq(hb.ifs_required, 4);     /* high-water mark */
	ck_assert_uint_eq(hb.sec_up, 1);
	ck_assert_uint_eq(hb.sec_required, 1);
	ck_assert_uint_eq(hb.flags, PHX_CCP_HB_F_ADMIN_DOWN);
	ck_assert_uint_eq(hb.cfg_gen, 42);
	ck_assert_int_eq(memcmp(hb.cfg_digest, DIG_A, 32), 0);
	ev_hb(f, 1, hb_mk(S_(ACTIVE), 1), T1);
	ck_assert_uint_eq(phx_ccp_fsm_next_deadline(f), T1 + DEAD_US);
	phx_ccp_fsm_tick(f, T1 + DEAD_US, &a);
	ck_assert_uint_eq(phx_ccp_fsm_next_deadline(f), UINT64_MAX);
	phx_ccp_fsm_free(f);
}
END_TEST

/* Required interfaces: high-water mark, a fixed count, reset. */
START_TEST(test_required_ifs)
{
	struct phx_ccp_fsm_params p;
	struct phx_ccp_local_info li;
	struct phx_ccp_actions a;
	struct phx_ccp_evt ev;
	struct phx_ccp_fsm *f;

	mk_params(&p, 2, 1, AU);
	f = phx_ccp_fsm_create(&p, T0);
	ev_ifs(f, 2, 1, T0);
	ev_ifs(f, 4, 1, T0);
	ev = (struct phx_ccp_evt){ .type = PHX_CCP_EV_IFS, .ifs_up = 3,
				   .sec_up = 1 };
	ev_do(f, &ev, T0, &a);
	ck_assert(has_log(&a, "4 interfaces required, only 3 up."));
	/* the same count again is not news */
	ev_do(f, &ev, T0, &a);
	ck_assert_uint_eq(a.n, 0);
	/* an interface removed from monitoring (CCP-34/36) */
	ev.ifs_reset = true;
	ev_do(f, &ev, T0, &a);
	phx_ccp_fsm_local(f, &li);
	ck_assert_uint_eq(li.ifs_required, 3);
	phx_ccp_fsm_free(f);

	/* config required_interfaces = 2: a fixed count */
	p.ifs_required = 2;
	f = phx_ccp_fsm_create(&p, T0);
	ev_ifs(f, 4, 1, T0);
	phx_ccp_fsm_local(f, &li);
	ck_assert_uint_eq(li.ifs_required, 2);
	ev_ifs(f, 2, 1, T0);
	phx_ccp_fsm_local(f, &li);
	ck_assert_uint_eq(li.ifs_required, 2);
	ev = (struct phx_ccp_evt){ .type = PHX_CCP_EV_IFS, .ifs_up = 1,
				   .sec_up = 1 };
	ev_do(f, &ev, T0, &a);
	ck_assert(has_log(&a, "2 interfaces required, only 1 up."));
	phx_ccp_fsm_free(f);
}
END_TEST

/* CCP-36: the member with fewer interfaces says so, once. */
START_TEST(test_more_interfaces_line)
{
	struct phx_ccp_fsm_params p;
	struct phx_ccp_actions a;
	struct phx_ccp_evt ev;
	struct phx_ccp_fsm *f;

	mk_params(&p, 2, 2, AU);
	f = phx_ccp_fsm_create(&p, T0);
	ev_ifs(f, 3, 1, T0);
	ev = mk_evk(E_HB_ACTIVE, 1);
	ev.hb.ifs_up = ev.hb.ifs_required = 4;
	ev_do(f, &ev, T1, &a);
	ck_assert(has_log(&a, "member 1 (10.0.10.1) has more interfaces - "
			  "check your disconnected interfaces configuration "
			  "in the discntd.if file."));
	ev_do(f, &ev, T1 + 1, &a);
	ck_assert(!has_log(&a, "has more interfaces"));
	phx_ccp_fsm_free(f);
}
END_TEST

/* The Ready state resends its request every hello until confirmed. */
START_TEST(test_ready_resend)
{
	struct phx_ccp_actions a;
	struct phx_ccp_fsm *f;
	const struct phx_ccp_action *x;
	struct phx_ccp_evt ev;
	unsigned peer;
	uint32_t seq;

	f = recipe(R_READY, &peer);
	ck_assert_uint_eq(phx_ccp_fsm_next_deadline(f), T1 + HELLO);
	phx_ccp_fsm_tick(f, T1 + HELLO - 1, &a);
	ck_assert_uint_eq(a.n, 0);
	phx_ccp_fsm_tick(f, T1 + HELLO, &a);
	x = find_act(&a, PHX_CCP_ACT_SEND_REQUEST);
	ck_assert_ptr_nonnull(x);
	seq = x->seq;
	ck_assert_uint_ne(seq, cur_seq);
	/* the old request's confirmation no longer counts */
	ev = (struct phx_ccp_evt){ .type = PHX_CCP_EV_CONFIRM, .peer = 2,
				   .seq = cur_seq, .ok = true };
	ev_do(f, &ev, T1 + HELLO + 1, &a);
	ck_assert_int_eq(phx_ccp_fsm_state(f), S_(READY));
	ev.seq = seq;
	ev_do(f, &ev, T1 + HELLO + 2, &a);
	ck_assert_int_eq(phx_ccp_fsm_state(f), S_(ACTIVE));
	phx_ccp_fsm_free(f);
}
END_TEST

/* A member alone right after start waits dead_count hellos for peers
 * before it claims the VIPs (no dual active at a cluster cold start). */
START_TEST(test_listen_before_claiming)
{
	struct phx_ccp_fsm_params p;
	struct phx_ccp_actions a;
	struct phx_ccp_fsm *f;

	mk_params(&p, 2, 1, AU);
	f = phx_ccp_fsm_create(&p, T0);
	ev_ifs(f, 3, 1, T0);
	ev_type(f, PHX_CCP_EV_SYNC_DONE, T0 + 1000);
	ck_assert_int_eq(phx_ccp_fsm_state(f), S_(READY));
	ck_assert_uint_eq(phx_ccp_fsm_next_deadline(f), T0 + DEAD_US);
	phx_ccp_fsm_tick(f, T0 + DEAD_US - 1, &a);
	ck_assert_int_eq(phx_ccp_fsm_state(f), S_(READY));
	phx_ccp_fsm_tick(f, T0 + DEAD_US, &a);
	ck_assert_int_eq(phx_ccp_fsm_state(f), S_(ACTIVE_ATTENTION));
	ck_assert_ptr_nonnull(find_act(&a, PHX_CCP_ACT_VIPS_ON));
	phx_ccp_fsm_free(f);
}
END_TEST

/* ---- the simulated cluster --------------------------------------------- */

#define NMAX    PHX_CCP_FSM_MAX_MEMBERS
#define LAT     200u      /* us, one-way delivery */
#define STEP    250u      /* us, tick period (< HELLO / 4) */
#define QMAX    4096
#define LOGMAX  256

enum { M_HB, M_REQ, M_CONF };

struct msg {
	uint64_t at;
	uint8_t from, to, kind;
	uint8_t intent;         /* M_REQ */
	bool ok;
	uint8_t deny;           /* M_CONF: enum phx_ccp_deny */
	uint32_t seq;
	struct phx_ccp_hb hb;
};

struct node {
	struct phx_ccp_fsm *f;
	bool up;                /* process running */
	bool vips;              /* owns the VIPs (VIPS_ON/OFF) */
	unsigned garps;
	uint64_t next_hb;
	unsigned nlog;
	char log[LOGMAX][PHX_CCP_FSM_LOG_LEN];
};

struct sim {
	unsigned n;
	uint64_t now;
	enum phx_ccp_recovery rec;
	struct node nd[NMAX];
	bool cut[NMAX][NMAX];   /* cut[i][j]: i's frames do not reach j */
	struct msg q[QMAX];
	unsigned nq;
	unsigned max_owners;    /* most members owning the VIPs at once */
	uint64_t no_owner_us;   /* time with nobody owning them (after the
				 * first owner appeared) */
	bool had_owner;
	bool cpha_wire;         /* records squeezed through what lib/ccp_wire
				 * carries today: Stopped shows as Down, no
				 * pnote status, no admin-down flag */
};

static struct sim *
sim_new(unsigned n, enum phx_ccp_recovery rec)
{
	struct sim *s = calloc(1, sizeof(*s));

	ck_assert_ptr_nonnull(s);
	s->n = n;
	s->rec = rec;
	s->now = T0;
	return s;
}

static void
sim_free(struct sim *s)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		phx_ccp_fsm_free(s->nd[i].f);
	free(s);
}

static void
send_to(struct sim *s, unsigned from, unsigned to, struct msg m)
{
	if (from == to || s->cut[from][to])
		return;
	if (s->cpha_wire && m.kind != M_CONF) {
		if (m.hb.state == PHX_CCP_STATE_STOPPED)
			m.hb.state = PHX_CCP_STATE_DOWN;
		m.hb.pnote = PHX_PNOTE_OK;
		m.hb.flags &= PHX_CCP_HB_F_JOINING;
	}
	ck_assert_uint_lt(s->nq, QMAX);
	m.at = s->now + LAT;
	m.from = (uint8_t)from;
	m.to = (uint8_t)to;
	s->q[s->nq++] = m;
}

static void
broadcast(struct sim *s, unsigned from, struct msg m)
{
	unsigned j;

	for (j = 0; j < s->n; j++)
		send_to(s, from, j, m);
}

static void
count_owners(struct sim *s, uint64_t dt)
{
	unsigned i, o = 0;

	for (i = 0; i < s->n; i++)
		o += s->nd[i].up && s->nd[i].vips;
	if (o > s->max_owners)
		s->max_owners = o;
	if (o > 0)
		s->had_owner = true;
	else if (s->had_owner)
		s->no_owner_us += dt;
}

/* Carry out node i's actions, as control/ccp.c would. */
static void
exec(struct sim *s, unsigned i, const struct phx_ccp_actions *a)
{
	struct node *nd = &s->nd[i];
	unsigned k;

	ck_assert_uint_eq(a->dropped, 0);
	for (k = 0; k < a->n; k++) {
		const struct phx_ccp_action *x = &a->a[k];

		switch (x->type) {
		case PHX_CCP_ACT_VIPS_ON:
			nd->vips = true;
			break;
		case PHX_CCP_ACT_VIPS_OFF:
			nd->vips = false;
			break;
		case PHX_CCP_ACT_GARP:
			nd->garps++;
			break;
		case PHX_CCP_ACT_SEND_STATE:
			broadcast(s, i, (struct msg){ .kind = M_HB,
						      .hb = x->hb });
			break;
		case PHX_CCP_ACT_SEND_REQUEST:
			broadcast(s, i, (struct msg){ .kind = M_REQ,
				  .hb = x->hb, .seq = x->seq,
				  .intent = (uint8_t)x->intent });
			break;
		case PHX_CCP_ACT_SEND_CONFIRM:
			send_to(s, i, x->peer - 1u, (struct msg){
				.kind = M_CONF, .seq = x->seq, .ok = x->ok,
				.deny = (uint8_t)x->deny });
			break;
		case PHX_CCP_ACT_LOG:
			if (getenv("CCP_SIM_TRACE") != NULL)
				fprintf(stderr, "%8.3f ms  m%u  %s\n",
					(double)(s->now - T0) / 1000, i + 1,
					x->text);
			if (nd->nlog < LOGMAX)
				snprintf(nd->log[nd->nlog++],
					 sizeof(nd->log[0]), "%s", x->text);
			break;
		default:
			break;
		}
	}
	count_owners(s, 0);
}

static void
sim_event(struct sim *s, unsigned i, struct phx_ccp_evt ev)
{
	struct phx_ccp_actions a;

	if (!s->nd[i].up)
		return;
	ck_assert_int_eq(phx_ccp_fsm_event(s->nd[i].f, &ev, s->now, &a), 0);
	exec(s, i, &a);
}

static void
sim_ifs(struct sim *s, unsigned i, unsigned up, unsigned sec)
{
	sim_event(s, i, (struct phx_ccp_evt){ .type = PHX_CCP_EV_IFS,
		  .ifs_up = (uint16_t)up, .sec_up = (uint16_t)sec });
}

static void
sim_pnote(struct sim *s, unsigned i, enum phx_pnote_status st)
{
	sim_event(s, i, (struct phx_ccp_evt){ .type = PHX_CCP_EV_PNOTE,
		  .pnote = st, .device = "faildevice" });
}

static void
sim_type(struct sim *s, unsigned i, enum phx_ccp_event t)
{
	sim_event(s, i, (struct phx_ccp_evt){ .type = t });
}

/* (Re)start member i: a new process, Initializing, 3/3 + 1/1 ifs. */
static void
sim_boot_cfg(struct sim *s, unsigned i, uint64_t gen,
	     const uint8_t *digest, bool joining)
{
	struct phx_ccp_fsm_params p;
	struct node *nd = &s->nd[i];

	phx_ccp_fsm_free(nd->f);
	memset(nd, 0, sizeof(*nd));
	mk_params(&p, s->n, i + 1, s->rec);
	p.cfg_gen = gen;
	memcpy(p.cfg_digest, digest, sizeof(p.cfg_digest));
	p.joining = joining;
	nd->f = phx_ccp_fsm_create(&p, s->now);
	ck_assert_ptr_nonnull(nd->f);
	nd->up = true;
	nd->next_hb = s->now;
	sim_ifs(s, i, 3, 1);
}

static void
sim_boot(struct sim *s, unsigned i)
{
	sim_boot_cfg(s, i, 1, DIG_A, false);
}

static void
sim_crash(struct sim *s, unsigned i)
{
	s->nd[i].up = false;
	s->nd[i].vips = false;
}

static void
sim_cut(struct sim *s, unsigned i, unsigned j, bool cut)
{
	s->cut[i][j] = s->cut[j][i] = cut;
}

static void
deliver(struct sim *s, const struct msg *m)
{
	struct phx_ccp_evt ev = { .peer = (uint8_t)(m->from + 1) };

	switch (m->kind) {
	case M_HB:
		ev.type = PHX_CCP_EV_HEARTBEAT;
		ev.hb = m->hb;
		break;
	case M_REQ:
		ev.type = PHX_CCP_EV_REQUEST;
		ev.hb = m->hb;
		ev.seq = m->seq;
		ev.intent = (enum phx_ccp_intent)m->intent;
		break;
	default:
		ev.type = PHX_CCP_EV_CONFIRM;
		ev.seq = m->seq;
		ev.ok = m->ok;
		ev.deny = (enum phx_ccp_deny)m->deny;
		break;
	}
	sim_event(s, m->to, ev);
}

/* Advance time by us microseconds, one STEP at a time: deliver frames
 * due, send periodic heartbeats, tick every running member. */
static void
sim_run(struct sim *s, uint64_t us)
{
	uint64_t end = s->now + us;
	unsigned i, k;

	while (s->now < end) {
		s->now += STEP;
		/* deliver in send order; delivery may enqueue more */
		for (k = 0; k < s->nq;) {
			if (s->q[k].at > s->now) {
				k++;
				continue;
			}
			{
				struct msg m = s->q[k];

				memmove(&s->q[k], &s->q[k + 1],
					(s->nq - k - 1) * sizeof(s->q[0]));
				s->nq--;
				deliver(s, &m);
			}
		}
		for (i = 0; i < s->n; i++) {
			struct node *nd = &s->nd[i];
			struct phx_ccp_actions a;

			if (!nd->up)
				continue;
			if (s->now >= nd->next_hb) {
				struct msg m = { .kind = M_HB };

				phx_ccp_fsm_heartbeat(nd->f, &m.hb);
				broadcast(s, i, m);
				nd->next_hb += HELLO;
			}
			phx_ccp_fsm_tick(nd->f, s->now, &a);
			exec(s, i, &a);
		}
		count_owners(s, STEP);
	}
}

/* Run until member i forwards (or limit us pass); returns the time. */
static uint64_t
sim_until_forwarding(struct sim *s, unsigned i, uint64_t limit)
{
	uint64_t end = s->now + limit;

	while (s->now < end && !s->nd[i].vips)
		sim_run(s, STEP);
	return s->now;
}

static enum phx_ccp_state
st(const struct sim *s, unsigned i)
{
	return phx_ccp_fsm_state(s->nd[i].f);
}

static int
owner(const struct sim *s)
{
	int o = -1;
	unsigned i;

	for (i = 0; i < s->n; i++) {
		if (!s->nd[i].up || !s->nd[i].vips)
			continue;
		if (o >= 0)
			return -2;
		o = (int)i;
	}
	return o;
}

static bool
node_log(const struct sim *s, unsigned i, const char *frag)
{
	unsigned k;

	for (k = 0; k < s->nd[i].nlog; k++)
		if (strstr(s->nd[i].log[k], frag) != NULL)
			return true;
	return false;
}

/* Boot n members, sync them after 10 ms, let them settle. */
static struct sim *
sim_cluster(unsigned n, enum phx_ccp_recovery rec)
{
	struct sim *s = sim_new(n, rec);
	unsigned i;

	for (i = 0; i < n; i++)
		sim_boot(s, i);
	sim_run(s, 10000);
	for (i = 0; i < n; i++)
		sim_type(s, i, PHX_CCP_EV_SYNC_DONE);
	sim_run(s, 30000);
	return s;
}

/* ---- scenarios ----------------------------------------------------------- */

/* SPEC 12 scenario 1, MODE-10/11: exactly one Active, the first member,
 * whatever the member count and recovery policy. */
START_TEST(test_elect)
{
	unsigned n = 2 + (unsigned)_i / 2, i;
	struct sim *s = sim_cluster(n, _i % 2 ? PU : AU);

	ck_assert_int_eq(owner(s), 0);
	ck_assert_int_eq(st(s, 0), S_(ACTIVE));
	for (i = 1; i < n; i++)
		ck_assert_int_eq(st(s, i), S_(STANDBY));
	ck_assert_uint_eq(s->max_owners, 1);
	ck_assert_uint_ge(s->nd[0].garps, 1);
	ck_assert(node_log(s, 0, "member 1 (10.0.10.1) is active"));
	ck_assert(node_log(s, 1, "member 2 (10.0.10.2) is stand-by"));
	sim_free(s);
}
END_TEST

/* Members synced in reverse order still elect member 1 (Primary Up) or
 * keep the first one up (Active Up, no preemption). */
START_TEST(test_elect_staggered)
{
	struct sim *s = sim_new(3, _i ? PU : AU);
	unsigned i;

	for (i = 0; i < 3; i++)
		sim_boot(s, i);
	sim_run(s, 10000);
	sim_type(s, 2, PHX_CCP_EV_SYNC_DONE);
	sim_run(s, 10000);
	ck_assert_int_eq(owner(s), 2);
	sim_type(s, 1, PHX_CCP_EV_SYNC_DONE);
	sim_type(s, 0, PHX_CCP_EV_SYNC_DONE);
	sim_run(s, 30000);
	ck_assert_int_eq(owner(s), _i ? 0 : 2);
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* The active dies: the highest-priority standby takes over within
 * hello x dead_count of the crash (plus the tick period and one
 * request round trip), and nobody else moves. */
START_TEST(test_active_dies)
{
	unsigned n = 2 + (unsigned)_i;
	struct sim *s = sim_cluster(n, AU);
	uint64_t crash, took;
	unsigned i;

	ck_assert_int_eq(owner(s), 0);
	sim_run(s, 1234);          /* crash between two heartbeats */
	crash = s->now;
	sim_crash(s, 0);
	took = sim_until_forwarding(s, 1, 100000);
	ck_assert_msg(s->nd[1].vips, "member 2 never took over");
	ck_assert_msg(took - crash <= DEAD_US + 2 * (LAT + STEP),
		      "takeover after %llu us",
		      (unsigned long long)(took - crash));
	sim_run(s, 20000);
	ck_assert_int_eq(owner(s), 1);
	/* two members: the survivor hears nobody (CCP-41) */
	ck_assert_int_eq(st(s, 1), n == 2 ? S_(ACTIVE_ATTENTION) :
			 S_(ACTIVE));
	for (i = 2; i < n; i++)
		ck_assert_int_eq(st(s, i), S_(STANDBY));
	ck_assert_uint_ge(s->nd[1].garps, 1);
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* The failed member comes back (a new process, full sync): Active Up
 * leaves it Standby with no GARP from it; Primary Up gives it the role
 * back, with the old active releasing first (SPEC 12 scenarios 4, 5). */
START_TEST(test_return)
{
	enum phx_ccp_recovery rec = _i ? PU : AU;
	struct sim *s = sim_cluster(3, rec);

	sim_crash(s, 0);
	sim_run(s, 50000);
	ck_assert_int_eq(owner(s), 1);
	s->max_owners = 0;
	s->no_owner_us = 0;
	sim_boot(s, 0);
	sim_run(s, 20000);
	sim_type(s, 0, PHX_CCP_EV_SYNC_DONE);
	sim_run(s, 30000);
	if (rec == AU) {
		ck_assert_int_eq(owner(s), 1);
		ck_assert_int_eq(st(s, 0), S_(STANDBY));
		ck_assert_uint_eq(s->nd[0].garps, 0);
	} else {
		ck_assert_int_eq(owner(s), 0);
		ck_assert_int_eq(st(s, 0), S_(ACTIVE));
		ck_assert_int_eq(st(s, 1), S_(STANDBY));
		ck_assert_uint_ge(s->nd[0].garps, 1);
		/* hand-over gap: one request round trip */
		ck_assert_uint_le(s->no_owner_us, 4 * (LAT + STEP));
	}
	ck_assert_int_eq(st(s, 2), S_(STANDBY));
	ck_assert_uint_le(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* SPEC 12 scenario 12 (CCP-35): 3 members; the active loses one
 * interface and member 2 two: member 3 takes over, the others are Down
 * naming it. Then the interfaces return. */
START_TEST(test_interface_arbitration)
{
	struct sim *s = sim_cluster(3, _i ? PU : AU);

	sim_ifs(s, 0, 2, 1);
	sim_ifs(s, 1, 1, 1);
	sim_run(s, 20000);
	ck_assert_int_eq(owner(s), 2);
	ck_assert_int_eq(st(s, 2), S_(ACTIVE));
	ck_assert_int_eq(st(s, 0), S_(DOWN));
	ck_assert_int_eq(st(s, 1), S_(DOWN));
	ck_assert(node_log(s, 0, "3 interfaces required, only 2 up."));
	ck_assert(node_log(s, 1, "3 interfaces required, only 1 up."));
	ck_assert(node_log(s, 0, "member 1 (10.0.10.1) is down (member 3 "
			   "(10.0.10.3) reports more interfaces up)."));
	ck_assert(node_log(s, 1, "member 2 (10.0.10.2) is down (member 3 "
			   "(10.0.10.3) reports more interfaces up)."));
	ck_assert_uint_eq(s->max_owners, 1);
	/* member 3 also fails worse than member 1: member 1 wins back */
	sim_ifs(s, 2, 1, 0);
	sim_run(s, 20000);
	ck_assert_int_eq(owner(s), 0);
	ck_assert_int_eq(st(s, 0), S_(ACTIVE_ATTENTION));
	/* everything back */
	sim_ifs(s, 0, 3, 1);
	sim_ifs(s, 1, 3, 1);
	sim_ifs(s, 2, 3, 1);
	sim_run(s, 20000);
	ck_assert_int_eq(owner(s), 0);
	ck_assert_int_eq(st(s, 0), S_(ACTIVE));
	ck_assert_int_eq(st(s, 1), S_(STANDBY));
	ck_assert_int_eq(st(s, 2), S_(STANDBY));
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* A problem pnote on the active fails over at once (CCP-73, FAIL-60,
 * SPEC 12 scenario 6); when it clears the policy decides. */
START_TEST(test_pnote_failover)
{
	enum phx_ccp_recovery rec = _i ? PU : AU;
	struct sim *s = sim_cluster(2, rec);
	uint64_t t;

	t = s->now;
	sim_pnote(s, 0, PHX_PNOTE_PROBLEM);
	sim_until_forwarding(s, 1, 50000);
	ck_assert_int_eq(owner(s), 1);
	ck_assert_uint_le(s->now - t, 4 * (LAT + STEP));
	sim_run(s, 10000);
	ck_assert_int_eq(st(s, 0), S_(DOWN));
	ck_assert_int_eq(st(s, 1), S_(ACTIVE));
	ck_assert(node_log(s, 0, "member 1 (10.0.10.1) is down (faildevice "
			   "detected a problem)."));
	sim_pnote(s, 0, PHX_PNOTE_OK);
	sim_run(s, 20000);
	ck_assert_int_eq(owner(s), rec == PU ? 0 : 1);
	ck_assert_int_eq(st(s, 0), rec == PU ? S_(ACTIVE) : S_(STANDBY));
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* Every peer dead: the survivor keeps forwarding as Active Attention
 * (CCP-41, CCP-65), and is Active again once a peer returns. */
START_TEST(test_all_peers_dead)
{
	struct sim *s = sim_cluster(3, AU);

	sim_crash(s, 1);
	sim_crash(s, 2);
	sim_run(s, DEAD_US + 5000);
	ck_assert_int_eq(owner(s), 0);
	ck_assert_int_eq(st(s, 0), S_(ACTIVE_ATTENTION));
	ck_assert(node_log(s, 0, "is active (no other member is heard)."));
	sim_boot(s, 2);
	sim_run(s, 10000);
	sim_type(s, 2, PHX_CCP_EV_SYNC_DONE);
	sim_run(s, 10000);
	ck_assert_int_eq(st(s, 0), S_(ACTIVE));
	ck_assert_int_eq(st(s, 2), S_(STANDBY));
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* SPEC 12 scenario 11: member 2 stopped (cphastop), a problem on member
 * 1: the change is cancelled, it stays Active Attention; cphastart brings
 * member 2 back and it takes over from the member with the problem. */
START_TEST(test_cancelled_change)
{
	struct sim *s = sim_cluster(2, AU);

	sim_type(s, 1, PHX_CCP_EV_ADMIN_STOP);
	sim_run(s, 5000);
	ck_assert_int_eq(st(s, 1), S_(STOPPED));
	ck_assert(node_log(s, 1, "Stopping ClusterXL."));
	ck_assert_int_eq(st(s, 0), S_(ACTIVE_ATTENTION));
	sim_pnote(s, 0, PHX_PNOTE_PROBLEM);
	sim_run(s, 5000);
	ck_assert_int_eq(owner(s), 0);
	ck_assert(node_log(s, 0, "State change of member 1 (10.0.10.1) from "
			   "Active Attention to Down was cancelled, since all "
			   "other members are down. Member remains Active "
			   "Attention."));
	sim_type(s, 1, PHX_CCP_EV_ADMIN_START);
	ck_assert(node_log(s, 1, "Starting ClusterXL."));
	sim_run(s, 5000);
	ck_assert_int_eq(st(s, 1), S_(INIT));
	sim_type(s, 1, PHX_CCP_EV_SYNC_DONE);
	sim_run(s, 10000);
	ck_assert_int_eq(owner(s), 1);
	ck_assert_int_eq(st(s, 0), S_(DOWN));
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* cphastop on the active fails over without waiting for the dead time
 * (its last heartbeat says Stopped); status-UI Down/Up likewise. */
START_TEST(test_admin)
{
	struct sim *s = sim_cluster(2, PU);
	uint64_t t = s->now;

	sim_type(s, 0, PHX_CCP_EV_ADMIN_STOP);
	ck_assert(!s->nd[0].vips);
	sim_until_forwarding(s, 1, 50000);
	ck_assert_uint_le(s->now - t, 2 * (LAT + STEP));
	ck_assert_int_eq(st(s, 1), S_(ACTIVE_ATTENTION));
	/* a stopped member claims nothing */
	sim_run(s, 50000);
	ck_assert_int_eq(st(s, 0), S_(STOPPED));
	ck_assert_int_eq(owner(s), 1);
	/* cphastart: no full sync (FAIL-62), the daemon says so at once */
	sim_type(s, 0, PHX_CCP_EV_ADMIN_START);
	sim_type(s, 0, PHX_CCP_EV_SYNC_DONE);
	sim_run(s, 30000);
	ck_assert_int_eq(owner(s), 0);       /* Primary Up */
	/* status UI Down on the active, then Up */
	sim_type(s, 0, PHX_CCP_EV_ADMIN_DOWN);
	sim_run(s, 10000);
	ck_assert_int_eq(owner(s), 1);
	ck_assert(node_log(s, 0, "is down (administratively down)."));
	sim_type(s, 0, PHX_CCP_EV_ADMIN_UP);
	sim_run(s, 10000);
	ck_assert_int_eq(owner(s), 0);
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* SPEC 12 scenario 8 (CCP-60): a standby with a device in init cannot
 * take over: the failing active stays as Active Attention; once the
 * device reports ok the failover happens. */
START_TEST(test_pnote_init_blocks)
{
	struct sim *s = sim_cluster(2, AU);

	sim_event(s, 1, (struct phx_ccp_evt){ .type = PHX_CCP_EV_PNOTE,
		  .pnote = PHX_PNOTE_INIT, .device = "mydev" });
	sim_run(s, 5000);
	ck_assert_int_eq(st(s, 1), S_(DOWN));
	sim_pnote(s, 0, PHX_PNOTE_PROBLEM);
	sim_run(s, 10000);
	ck_assert_int_eq(owner(s), 0);
	ck_assert_int_eq(st(s, 0), S_(ACTIVE_ATTENTION));
	ck_assert_int_eq(st(s, 1), S_(DOWN));
	sim_pnote(s, 1, PHX_PNOTE_OK);
	sim_run(s, 10000);
	ck_assert_int_eq(owner(s), 1);
	ck_assert_int_eq(st(s, 0), S_(DOWN));
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* SPEC 12 scenario 10 (CCP-65 crossover cable): the sync link breaks but
 * CCP still flows on the data interfaces; both members see one interface
 * down with equal counts: exactly one Active Attention, no gap; back to
 * Active/Standby when the link returns. */
START_TEST(test_sync_link_heard)
{
	struct sim *s = sim_cluster(2, _i ? PU : AU);

	sim_ifs(s, 0, 2, 0);
	sim_ifs(s, 1, 2, 0);
	sim_run(s, 20000);
	ck_assert_int_eq(owner(s), 0);
	ck_assert_int_eq(st(s, 0), S_(ACTIVE_ATTENTION));
	ck_assert_int_eq(st(s, 1), S_(DOWN));
	ck_assert(node_log(s, 0, "was cancelled, since all other members are "
			   "down."));
	ck_assert_uint_eq(s->no_owner_us, 0);
	sim_ifs(s, 0, 3, 1);
	sim_ifs(s, 1, 3, 1);
	sim_run(s, 20000);
	ck_assert_int_eq(st(s, 0), S_(ACTIVE));
	ck_assert_int_eq(st(s, 1), S_(STANDBY));
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/*
 * Symmetric sync-link loss where the sync link is the only CCP path:
 * both members lose their secured interface and stop hearing each other.
 * Each decides alone from what it knows, and exactly one forwards at every
 * instant: the one that was forwarding. Loop: 0/1 member 1 was active
 * (AU/PU); 2 member 2 was active (AU, after a failover).
 */
START_TEST(test_split_brain)
{
	struct sim *s = sim_cluster(2, _i == 1 ? PU : AU);
	unsigned act = 0, sby = 1;

	if (_i == 2) {
		/* make member 2 the active one first */
		sim_pnote(s, 0, PHX_PNOTE_PROBLEM);
		sim_run(s, 10000);
		sim_pnote(s, 0, PHX_PNOTE_OK);
		sim_run(s, 10000);
		act = 1;
		sby = 0;
	}
	ck_assert_int_eq(owner(s), (int)act);
	s->max_owners = 0;
	s->no_owner_us = 0;

	sim_cut(s, 0, 1, true);
	sim_ifs(s, 0, 2, 0);    /* carrier loss: reported at once */
	sim_ifs(s, 1, 2, 0);
	sim_run(s, 5 * DEAD_US);
	ck_assert_int_eq(owner(s), (int)act);
	ck_assert_int_eq(st(s, act), S_(ACTIVE_ATTENTION));
	ck_assert_int_eq(st(s, sby), S_(DOWN));
	ck_assert_uint_eq(s->max_owners, 1);
	ck_assert_uint_eq(s->no_owner_us, 0);
	ck_assert(node_log(s, sby, act == 0 ?
			   "is down (member 1 (10.0.10.1) is not heard and "
			   "may still be active)." :
			   "is down (member 2 (10.0.10.2) is not heard and "
			   "may still be active)."));

	/* the link returns: heard again, back to Active/Standby */
	sim_cut(s, 0, 1, false);
	sim_ifs(s, 0, 3, 1);
	sim_ifs(s, 1, 3, 1);
	sim_run(s, 30000);
	ck_assert_int_eq(st(s, act), S_(ACTIVE));
	ck_assert_int_eq(st(s, sby), S_(STANDBY));
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/*
 * The same cut, but the interface monitor reports the loss only after
 * the peer was declared lost (slower than hello x dead_count): for that
 * moment the standby takes over, then the late report turns the loss into
 * a split and it gives way again. Exactly one forwards once the reports
 * are in; the overlap is bounded by the monitor's lateness.
 */
START_TEST(test_split_brain_late_report)
{
	struct sim *s = sim_cluster(2, _i ? PU : AU);

	sim_cut(s, 0, 1, true);
	sim_run(s, DEAD_US + 2000);
	ck_assert_int_eq(st(s, 1), S_(ACTIVE_ATTENTION));    /* overlap */
	sim_ifs(s, 0, 2, 0);
	sim_ifs(s, 1, 2, 0);
	sim_run(s, 1000);
	ck_assert_int_eq(owner(s), 0);
	ck_assert_int_eq(st(s, 1), S_(DOWN));
	sim_run(s, 3 * DEAD_US);
	ck_assert_int_eq(owner(s), 0);
	sim_free(s);
}
END_TEST

/*
 * The limit of the split rule, documented in docs/cluster.md: the active
 * dies and the standby's sync interface goes down with it (direct cable,
 * power loss). The standby cannot tell this from a cut and does not take
 * over; once its interface is back and the peer stays silent for the dead
 * time, it does.
 */
START_TEST(test_crash_with_link_loss)
{
	struct sim *s = sim_cluster(2, AU);

	sim_crash(s, 0);
	sim_ifs(s, 1, 2, 0);
	sim_run(s, 3 * DEAD_US);
	ck_assert_int_eq(owner(s), -1);
	ck_assert_int_eq(st(s, 1), S_(DOWN));
	sim_ifs(s, 1, 3, 1);
	sim_run(s, DEAD_US - 2 * STEP);
	ck_assert_int_eq(owner(s), -1);
	sim_run(s, 4 * STEP);
	ck_assert_int_eq(owner(s), 1);
	ck_assert_int_eq(st(s, 1), S_(ACTIVE_ATTENTION));
	sim_free(s);
}
END_TEST

/* A crash of the active with the survivor's interfaces intact is a
 * takeover even in a 3-member cluster where both survivors lose it. */
START_TEST(test_three_way_partition)
{
	struct sim *s = sim_cluster(3, AU);

	/* member 3 is cut off from both and its sync interface drops */
	sim_cut(s, 2, 0, true);
	sim_cut(s, 2, 1, true);
	sim_ifs(s, 2, 2, 0);
	sim_run(s, 4 * DEAD_US);
	ck_assert_int_eq(owner(s), 0);
	ck_assert_int_eq(st(s, 0), S_(ACTIVE));
	ck_assert_int_eq(st(s, 2), S_(DOWN));
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/*
 * Configuration guard (SPEC 4.5/4.6, FAIL-51, scenario 39). 0: member 2
 * holds an older configuration; member 1 fails: member 2 refuses to take
 * over, member 1 stays Active Attention. 1: a fresh member 1 (Primary Up,
 * default configuration, generation 0) joins a cluster whose member 2
 * forwards with generation 5: it never takes over.
 */
START_TEST(test_config_guard)
{
	struct sim *s;

	if (_i == 0) {
		s = sim_new(2, AU);
		sim_boot_cfg(s, 0, 2, DIG_B, false);
		sim_boot_cfg(s, 1, 1, DIG_A, false);
		sim_run(s, 10000);
		sim_type(s, 0, PHX_CCP_EV_SYNC_DONE);
		sim_type(s, 1, PHX_CCP_EV_SYNC_DONE);
		sim_run(s, 30000);
		ck_assert_int_eq(owner(s), 0);
		ck_assert_int_eq(st(s, 1), S_(READY));
		ck_assert(node_log(s, 1, "refuses to become active"));
		sim_pnote(s, 0, PHX_PNOTE_PROBLEM);
		sim_run(s, 20000);
		ck_assert_int_eq(owner(s), 0);
		ck_assert_int_eq(st(s, 0), S_(ACTIVE_ATTENTION));
		ck_assert_int_eq(st(s, 1), S_(READY));
		/* member 2 takes the configuration: now it may */
		sim_event(s, 1, (struct phx_ccp_evt){
			.type = PHX_CCP_EV_CONFIG, .cfg_gen = 2,
			.cfg_digest = { 0xbb, 2 } });
		sim_run(s, 20000);
		ck_assert_int_eq(owner(s), 1);
	} else {
		s = sim_new(2, PU);
		sim_boot_cfg(s, 1, 5, DIG_B, false);
		sim_crash(s, 0);
		sim_run(s, 10000);
		sim_type(s, 1, PHX_CCP_EV_SYNC_DONE);
		sim_run(s, 30000);
		ck_assert_int_eq(owner(s), 1);
		sim_boot_cfg(s, 0, 0, DIG_A, false);
		sim_run(s, 10000);
		sim_type(s, 0, PHX_CCP_EV_SYNC_DONE);
		sim_run(s, 50000);
		ck_assert_int_eq(owner(s), 1);
		ck_assert_int_eq(st(s, 0), S_(READY));
		/* the same in join mode with a higher generation */
		sim_boot_cfg(s, 0, 9, DIG_A, true);
		sim_run(s, 10000);
		sim_type(s, 0, PHX_CCP_EV_SYNC_DONE);
		sim_run(s, 50000);
		ck_assert_int_eq(owner(s), 1);
		ck_assert_int_eq(st(s, 0), S_(READY));
	}
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/*
 * The configuration reference is the member carrying traffic, not the one
 * reloaded most often (FAIL-51). 0: a fresh member 1 (other digest,
 * Primary Up, higher priority) is reloaded with the same file, which
 * raises its generation above the forwarding member 2's: it still never
 * takes over. 1: the member with the highest generation has a device in
 * init (it cannot become active); the forwarding member 2 is stopped and
 * started: it must become active again rather than wait, stale, for a
 * reference that never forwards.
 */
START_TEST(test_config_reference)
{
	struct sim *s = sim_new(2, _i == 0 ? PU : AU);

	sim_boot_cfg(s, 1, 1, DIG_B, false);
	sim_crash(s, 0);
	sim_run(s, 10000);
	sim_type(s, 1, PHX_CCP_EV_SYNC_DONE);
	sim_run(s, 30000);
	ck_assert_int_eq(owner(s), 1);
	if (_i == 0) {
		sim_boot_cfg(s, 0, 1, DIG_A, false);
		sim_run(s, 10000);
		sim_type(s, 0, PHX_CCP_EV_SYNC_DONE);
		sim_run(s, 50000);
		ck_assert_int_eq(owner(s), 1);
		ck_assert_int_eq(st(s, 0), S_(READY));
		sim_event(s, 0, (struct phx_ccp_evt){
			.type = PHX_CCP_EV_CONFIG, .cfg_gen = 2,
			.cfg_digest = { 0xaa, 1 } });
		sim_run(s, 50000);
		ck_assert_int_eq(owner(s), 1);
		ck_assert_int_eq(st(s, 0), S_(READY));
	} else {
		sim_boot_cfg(s, 0, 3, DIG_A, false);
		sim_run(s, 10000);
		sim_type(s, 0, PHX_CCP_EV_SYNC_DONE);
		sim_pnote(s, 0, PHX_PNOTE_INIT);
		sim_run(s, 50000);
		ck_assert_int_eq(owner(s), 1);
		sim_type(s, 1, PHX_CCP_EV_ADMIN_STOP);
		sim_run(s, 10000);
		sim_type(s, 1, PHX_CCP_EV_ADMIN_START);
		sim_type(s, 1, PHX_CCP_EV_SYNC_DONE);
		sim_run(s, 200000);
		ck_assert_int_eq(owner(s), 1);
	}
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* Every member stopped (cphastop), then all started in the same instant:
 * each last heard the others say Stopped, and must still listen for the
 * dead time before it claims the VIPs, or all would be active at once
 * until their first heartbeats crossed. */
START_TEST(test_start_all_together)
{
	struct sim *s = sim_cluster(2 + (unsigned)_i, AU);
	unsigned i, k;

	for (i = 0; i < s->n; i++)
		sim_type(s, i, PHX_CCP_EV_ADMIN_STOP);
	sim_run(s, 30000);
	ck_assert_int_eq(owner(s), -1);
	s->max_owners = 0;
	for (i = 0; i < s->n; i++) {
		sim_type(s, i, PHX_CCP_EV_ADMIN_START);
		sim_type(s, i, PHX_CCP_EV_SYNC_DONE);
	}
	for (k = 0; k < 400; k++)
		sim_run(s, STEP);
	ck_assert_int_ge(owner(s), 0);
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/*
 * The same failovers when the wire carries only what lib/ccp_wire carries
 * today (no pnote status, no admin-down flag, Stopped as Down): a peer in
 * Down with its interfaces intact is ranked as having a device problem.
 * 0/1: pnote problem on the active (AU/PU); 2: cphastop on the active;
 * 3: status-UI Down on the active; 4: crossover (sync interface down on
 * both, still heard).
 */
START_TEST(test_cpha_wire)
{
	struct sim *s = sim_new(3, _i == 1 ? PU : AU);
	unsigned i;
	uint64_t t;

	s->cpha_wire = true;
	for (i = 0; i < 3; i++)
		sim_boot(s, i);
	sim_run(s, 10000);
	for (i = 0; i < 3; i++)
		sim_type(s, i, PHX_CCP_EV_SYNC_DONE);
	sim_run(s, 30000);
	ck_assert_int_eq(owner(s), 0);
	t = s->now;
	switch (_i) {
	case 0: case 1:
		sim_pnote(s, 0, PHX_PNOTE_PROBLEM);
		break;
	case 2:
		sim_type(s, 0, PHX_CCP_EV_ADMIN_STOP);
		break;
	case 3:
		sim_type(s, 0, PHX_CCP_EV_ADMIN_DOWN);
		break;
	default:
		for (i = 0; i < 3; i++)
			sim_ifs(s, i, 2, 0);
		break;
	}
	if (_i < 4) {
		sim_until_forwarding(s, 1, 50000);
		ck_assert_uint_le(s->now - t, 4 * (LAT + STEP));
		sim_run(s, 30000);
		ck_assert_int_eq(owner(s), 1);
		ck_assert_int_eq(st(s, 2), S_(STANDBY));
	} else {
		sim_run(s, 30000);
		ck_assert_int_eq(owner(s), 0);
		ck_assert_int_eq(st(s, 0), S_(ACTIVE_ATTENTION));
		ck_assert_uint_eq(s->no_owner_us, 0);
	}
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* Five members: the active and the next two die one after another; each
 * time the best remaining member takes over. */
START_TEST(test_five_members_cascade)
{
	struct sim *s = sim_cluster(5, AU);
	unsigned k;

	for (k = 0; k < 3; k++) {
		ck_assert_int_eq(owner(s), (int)k);
		sim_crash(s, k);
		sim_run(s, DEAD_US + 5000);
	}
	ck_assert_int_eq(owner(s), 3);
	ck_assert_int_eq(st(s, 3), S_(ACTIVE));
	ck_assert_int_eq(st(s, 4), S_(STANDBY));
	ck_assert_uint_eq(s->max_owners, 1);
	sim_free(s);
}
END_TEST

/* Lossy control link (every third frame 0->1 lost for a while): no
 * false failover while heartbeats still get through within dead_count. */
START_TEST(test_no_false_failover)
{
	struct sim *s = sim_cluster(2, AU);
	unsigned k;

	for (k = 0; k < 60; k++) {
		sim_cut(s, 0, 1, k % 3 == 0);
		sim_run(s, HELLO);
	}
	sim_cut(s, 0, 1, false);
	sim_run(s, 10000);
	ck_assert_int_eq(owner(s), 0);
	ck_assert_int_eq(st(s, 1), S_(STANDBY));
	ck_assert_uint_eq(s->max_owners, 1);
	ck_assert_uint_eq(s->nd[1].garps, 0);
	sim_free(s);
}
END_TEST

/*
 * The control loop's tick schedule (phx_ccp_ticker): passes every step
 * (period 100) for n passes from time 0 and the tick run as control runs
 * it; returns how many ticks ran.
 */
static unsigned
ticks_run(uint64_t step, unsigned n)
{
	struct phx_ccp_ticker t = { 0 };
	uint64_t now = 0;
	unsigned i, ran = 0;

	for (i = 0; i < n; i++) {
		now += step;
		phx_ccp_ticker_pass(&t, now, 100);
		if (now >= t.next) {
			phx_ccp_ticker_ran(&t, now, 100);
			ran++;
		}
	}
	return ran;
}

START_TEST(test_ticker)
{
	struct phx_ccp_ticker t = { 0 };

	/* passes on time: a tick on each (they are more than a quarter
	 * period apart) */
	ck_assert_uint_eq(ticks_run(90, 100), 100);
	ck_assert_uint_eq(ticks_run(10, 100), 34); /* each third: 30 >= 25 */
	/* one late pass: the due tick waits a quarter period for the
	 * frames that queued meanwhile, then runs */
	ck_assert(!phx_ccp_ticker_pass(&t, 50, 100));
	ck_assert_uint_ge(50, t.next);
	phx_ccp_ticker_ran(&t, 50, 100);
	ck_assert(phx_ccp_ticker_pass(&t, 300, 100));   /* late */
	ck_assert_uint_eq(t.next, 325);                 /* put off */
	ck_assert(!phx_ccp_ticker_pass(&t, 310, 100));
	ck_assert_uint_lt(310, t.next);                 /* not yet */
	ck_assert(!phx_ccp_ticker_pass(&t, 330, 100));
	ck_assert_uint_ge(330, t.next);                 /* now */
	/* every pass late (an overloaded host): the tick still runs,
	 * every other pass, instead of never (CCP-40: lost peers, CCP-72:
	 * device timeouts) */
	ck_assert_uint_eq(ticks_run(120, 100), 50);
	ck_assert_uint_eq(ticks_run(1000, 100), 50);
}
END_TEST

/*
 * Three members, member 3 dead. Member 2 restarts and, having never heard
 * member 3, listens after its sync before it may take over. Member 1
 * (active) gets a problem meanwhile and asks to give way: member 2 says
 * it cannot take over yet, so member 1 stays Active Attention until
 * member 2 asks for the role, and somebody forwards all along (CCP-65;
 * before, member 1 went Down at once and nobody forwarded until member
 * 2's listening ended).
 */
START_TEST(test_give_way_to_a_starting_member)
{
	struct sim *s = sim_cluster(3, AU);

	sim_crash(s, 2);
	sim_run(s, 3 * DEAD_US);
	sim_crash(s, 1);
	sim_run(s, 2 * DEAD_US);
	ck_assert_int_eq(owner(s), 0);
	sim_boot(s, 1);
	sim_run(s, 2000);
	sim_type(s, 1, PHX_CCP_EV_SYNC_DONE);
	sim_run(s, 1000);
	s->no_owner_us = 0;
	sim_pnote(s, 0, PHX_PNOTE_PROBLEM);
	sim_run(s, 3 * DEAD_US);
	ck_assert_int_eq(owner(s), 1);
	ck_assert_int_eq(st(s, 0), S_(DOWN));
	ck_assert_msg(s->no_owner_us <= 4 * (LAT + STEP),
		      "nobody forwarded for %llu us",
		      (unsigned long long)s->no_owner_us);
	sim_free(s);
}
END_TEST

static Suite *
ccp_fsm_suite(void)
{
	Suite *s = suite_create("ccp_fsm");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_loop_test(tc, test_row, 0, N_ROWS);
	tcase_add_test(tc, test_table_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("unit");
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_create_params);
	tcase_add_test(tc, test_bad_events);
	tcase_add_test(tc, test_view);
	tcase_add_test(tc, test_heartbeat_deadline);
	tcase_add_test(tc, test_required_ifs);
	tcase_add_test(tc, test_more_interfaces_line);
	tcase_add_test(tc, test_ready_resend);
	tcase_add_test(tc, test_listen_before_claiming);
	tcase_add_test(tc, test_ticker);
	suite_add_tcase(s, tc);

	tc = tcase_create("cluster");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_elect, 0, 8);  /* 2..5 members x AU/PU */
	tcase_add_loop_test(tc, test_elect_staggered, 0, 2);
	tcase_add_loop_test(tc, test_active_dies, 0, 4);  /* 2..5 members */
	tcase_add_loop_test(tc, test_return, 0, 2);
	tcase_add_loop_test(tc, test_interface_arbitration, 0, 2);
	tcase_add_loop_test(tc, test_pnote_failover, 0, 2);
	tcase_add_test(tc, test_all_peers_dead);
	tcase_add_test(tc, test_cancelled_change);
	tcase_add_test(tc, test_admin);
	tcase_add_test(tc, test_pnote_init_blocks);
	tcase_add_loop_test(tc, test_sync_link_heard, 0, 2);
	tcase_add_loop_test(tc, test_split_brain, 0, 3);
	tcase_add_loop_test(tc, test_split_brain_late_report, 0, 2);
	tcase_add_test(tc, test_crash_with_link_loss);
	tcase_add_test(tc, test_three_way_partition);
	tcase_add_loop_test(tc, test_config_guard, 0, 2);
	tcase_add_test(tc, test_five_members_cascade);
	tcase_add_loop_test(tc, test_cpha_wire, 0, 5);
	tcase_add_test(tc, test_no_false_failover);
	tcase_add_test(tc, test_give_way_to_a_starting_member);
	tcase_add_test(tc, test_timers_runtime);
	tcase_add_loop_test(tc, test_config_reference, 0, 2);
	tcase_add_loop_test(tc, test_start_all_together, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ccp_fsm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
