/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HA member state machine (SPEC MODE-10..14, CCP-30..69, FAIL-01..63):
 * one instance per member, run by control/ccp.c on the control lcore.
 *
 * What: the local member's state (Initializing, Ready, Active, Standby,
 * Active Attention, Down, plus Stopped after cphastop) and a view of every
 * peer built from its heartbeats (state, priority, interfaces up, pnote
 * status, configuration generation and digest, time last heard). Events in,
 * actions out: phx_ccp_fsm_event(fsm, evt, now, &acts) returns what to do
 * (publish the new state, own or release the VIPs, send a gratuitous ARP
 * burst, send a heartbeat, a state-change request or a confirmation, log a
 * line) and never does I/O itself. phx_ccp_fsm_tick(fsm, now, &acts)
 * declares peers lost after dead_count missed hellos and fires the state
 * timer. Time is injected (microseconds, monotonic).
 *
 * Lost (CCP-41's "cannot hear" row) is a state of peers' entries only: the
 * local member can always hear itself, so its own FSM never enters it. A
 * peer is Lost when nothing has been heard from it for hello x dead_count
 * (and before it was first heard).
 *
 * How the active member is chosen. Every member runs the same election
 * over the same records (its own heartbeat and the last heartbeat of every
 * peer it hears), so members that hear each other agree without a vote:
 *  1. contenders: members past start-up (Ready, Standby, Active, Active
 *     Attention, Down), with no critical device in init (CCP-60), and not
 *     holding a stale configuration (below);
 *  2. health tier: healthy > interface problem only (interfaces up below
 *     the high-water mark, CCP-31) > critical-device problem or
 *     administratively down (CCP-64, FAIL-01);
 *  3. below the healthy tier, more interfaces up wins (CCP-35);
 *  4. the member already forwarding wins: always below the healthy tier
 *     (fewest changes while things are broken), among healthy members
 *     only under Active Up (FAIL-30: no preemption);
 *  5. priority (1 = highest, MODE-11), then member ID.
 * The winner forwards: Active when healthy and at least one peer is heard,
 * Active Attention when it has a problem (CCP-65: the change to Down is
 * cancelled because no better member exists) or hears no peer at all
 * (CCP-41 counts a peer it cannot hear as a problem). Others are Standby
 * when healthy and Down otherwise.
 *
 * Hand-over, make-before-break. A member that is not forwarding and wins
 * asks every peer it hears (ACTIVATE request) and waits in Ready until
 * all confirm (CCP-61); a peer confirms only if it also elects the
 * requester, and a forwarding peer that loses withdraws its VIPs, then
 * confirms, so two members never own the VIPs at once while they hear
 * each other. A forwarding member that stops being the winner gives way at
 * once only when the winner already forwards or is the one asking; a
 * healthy one otherwise keeps the VIPs until the winner asks (preemption,
 * FAIL-30), and one with a problem first asks the others for their
 * states (GIVE_WAY request, CCP-64) and decides on their fresh records:
 * if nobody is better, the change to Down is cancelled (CCP-65). Just
 * after start, while some member has never been heard, a member waits
 * hello x dead_count before it asks anyone or claims the VIPs alone.
 *
 * Configuration guard (FAIL-50/51, SPEC 4.5/4.6): the reference
 * configuration is that of the member with the highest (not in join mode,
 * is forwarding, has no critical device in init, generation, priority,
 * ID) among members past start-up; a member whose digest differs from it
 * is stale and refuses to become active (it stays Ready) while that
 * member is heard. A member already forwarding is never demoted by this
 * rule alone, and nobody with another digest takes over from it, not
 * even under primary-up: a configuration difference never moves
 * traffic, it only blocks takeovers. cfg_gen (the member's reload count)
 * only decides among members of which none forwards.
 *
 * Split brain when the members stop hearing each other (FAIL-52): a member
 * that loses its last peer while its own interfaces dropped around the
 * time it last heard that peer (no earlier than one hello before) cannot
 * tell a dead peer from a cut link. It then keeps the lost peers as
 * contenders ("ghosts") with their last heartbeats and elects over what
 * both sides knew before the cut: the member that was forwarding keeps
 * forwarding; if none was, device health, then priority decide. Both
 * sides compute the same winner from the same records, so exactly one
 * forwards. Ghosts go away when heard again, or dead_count hellos after
 * the member's own interfaces recover (then the peer really is dead). A
 * member whose interfaces are intact when a peer goes silent takes over at
 * once. The interface monitor must therefore report a link loss within
 * one hello, and must not call an interface down only because no peer is
 * heard on it; docs/cluster.md gives the limits of this rule.
 *
 * Alternatives rejected: an explicit vote/lease protocol (a round trip per
 * decision and a quorum that two members do not have); timers inside the
 * FSM per peer (a tick with injected time is testable and needs no timer
 * wheel); a transition table (the next state depends on the election over
 * the view, not only on state x event; the table lives in the tests).
 *
 * Threads: every function taking a non-const fsm runs on the owner (the
 * control lcore). No locks; telemetry copies phx_ccp_fsm_view() output
 * under the owner's snapshot lock.
 */
#ifndef PHX_LIB_CCP_FSM_H
#define PHX_LIB_CCP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/pnote.h"

#define PHX_CCP_FSM_MAX_MEMBERS 5   /* HA (SPEC 10: R80.40 limit) */
#define PHX_CCP_FSM_MAX_HELLO_MS 1000 /* longest heartbeat interval, the
				       * configuration's hello_ms maximum */
#define PHX_CCP_FSM_MAX_DEAD_MS 30000 /* longest dead time, the
				       * configuration's hello_ms x
				       * dead_count maximum */
#define PHX_CCP_FSM_IP_LEN      46  /* INET6_ADDRSTRLEN */
#define PHX_CCP_FSM_LOG_LEN     224 /* one log line */
#define PHX_CCP_FSM_MAX_ACTIONS 32  /* per event or tick */
#define PHX_CCP_FSM_DIGEST_LEN  32  /* configuration digest (SHA-256 size,
				     * as lib/ccp_wire's config TLV) */

/*
 * Member states (SPEC 2.6). LOST is only ever a peer entry's state.
 * On the wire (lib/ccp_wire enum phx_ccp_mstate, CPHA numbering) control
 * maps INIT, READY, STANDBY, DOWN one to one, ACTIVE and ACTIVE_ATTENTION
 * to PHX_CCP_MSTATE_ACTIVE (the latter with PHX_CCP_MF_ATTENTION), and
 * STOPPED to DOWN.
 */
enum phx_ccp_state {
	PHX_CCP_STATE_INIT = 0,             /* Initializing: started, sync
					     * not done yet (CCP-60) */
	PHX_CCP_STATE_READY = 1,            /* asked to become active, waits
					     * for confirmations (CCP-61), or
					     * refused by the config guard */
	PHX_CCP_STATE_ACTIVE = 2,           /* forwarding, healthy */
	PHX_CCP_STATE_STANDBY = 3,          /* healthy, not forwarding */
	PHX_CCP_STATE_ACTIVE_ATTENTION = 4, /* forwarding with a problem, no
					     * better member (CCP-65) */
	PHX_CCP_STATE_DOWN = 5,             /* problem, not forwarding */
	PHX_CCP_STATE_LOST = 6,             /* peer not heard (CCP-41) */
	PHX_CCP_STATE_STOPPED = 7,          /* cphastop: out of the cluster
					     * until cphastart (FAIL-61) */
	PHX_CCP_STATE_MAX
};

/* "INIT", "READY", ... (enum spelling, for logs and JSON). */
extern const char *const phx_ccp_state_names[PHX_CCP_STATE_MAX];
/* "Initializing", "Ready", "Active", "Standby", "Active Attention",
 * "Down", "Lost", "Stopped" (SPEC 2.6 display, for `phx state`). */
extern const char *const phx_ccp_state_display[PHX_CCP_STATE_MAX];

enum phx_ccp_event {
	PHX_CCP_EV_SYNC_DONE = 0, /* full sync done or given up (start) */
	PHX_CCP_EV_HEARTBEAT,     /* peer's heartbeat: peer, hb */
	PHX_CCP_EV_PEER_LOST,     /* peer missed dead_count hellos (the
				   * tick raises it; peer) */
	PHX_CCP_EV_REQUEST,       /* peer's state-change request: peer, seq,
				   * intent, hb (its current record) */
	PHX_CCP_EV_CONFIRM,       /* answer to our request: peer, seq, ok */
	PHX_CCP_EV_IFS,           /* local monitored interfaces: ifs_up,
				   * sec_up, ifs_reset */
	PHX_CCP_EV_PNOTE,         /* aggregate critical-device status:
				   * pnote, device */
	PHX_CCP_EV_CONFIG,        /* local configuration: cfg_gen, digest */
	PHX_CCP_EV_ADMIN_DOWN,    /* status UI "Down" (FAIL-01, FAIL-60) */
	PHX_CCP_EV_ADMIN_UP,      /* status UI "Up" */
	PHX_CCP_EV_ADMIN_STOP,    /* cphastop (FAIL-61) */
	PHX_CCP_EV_ADMIN_START,   /* cphastart (FAIL-62) */
	PHX_CCP_EV_TIMER,         /* the state's timer ran out (the tick) */
	PHX_CCP_EV_MAX
};

extern const char *const phx_ccp_event_names[PHX_CCP_EV_MAX];

enum phx_ccp_action_type {
	PHX_CCP_ACT_SET_STATE = 0, /* publish the new local state (state,
				    * prev) */
	PHX_CCP_ACT_VIPS_ON,       /* own the VIPs: answer ARP for them
				    * (MODE-12) */
	PHX_CCP_ACT_VIPS_OFF,      /* stop answering ARP for the VIPs */
	PHX_CCP_ACT_GARP,          /* gratuitous ARP burst on every cluster
				    * network (FAIL-20, FAIL-23) */
	PHX_CCP_ACT_SEND_STATE,    /* send hb to every peer now */
	PHX_CCP_ACT_SEND_REQUEST,  /* state-change request to every peer
				    * (seq, intent, hb) */
	PHX_CCP_ACT_SEND_CONFIRM,  /* answer peer's request (peer, seq, ok) */
	PHX_CCP_ACT_LOG,           /* log text at level */
	PHX_CCP_ACT_MAX
};

extern const char *const phx_ccp_action_names[PHX_CCP_ACT_MAX];

enum phx_ccp_log_level {
	PHX_CCP_LOG_INFO = 0,     /* state changes, starts and stops */
	PHX_CCP_LOG_NOTICE,       /* interface problems, config mismatch */
	PHX_CCP_LOG_WARNING,      /* unexpected event in state */
	PHX_CCP_LOG_MAX
};

/* Recovery policy, `Upon Gateway Recovery` (FAIL-30). */
enum phx_ccp_recovery {
	PHX_CCP_RECOVERY_ACTIVE_UP = 0, /* Maintain Current Active Gateway */
	PHX_CCP_RECOVERY_PRIMARY_UP,    /* Switch to Higher Priority Gateway */
	PHX_CCP_RECOVERY_MAX
};

/*
 * What a state-change request asks. ACTIVATE: "may I forward?" (CCP-61;
 * lib/ccp_wire PHX_CCP_SCR_ACTIVATE); ok = yes. GIVE_WAY: a forwarding
 * member with a problem asks before it goes Down (CCP-64; PHX_CCP_SCR_
 * PROBLEM); the answer carries the responder's state (it sends SEND_STATE
 * right before SEND_CONFIRM), ok = yes, someone else should forward; a
 * refusal means "stay" (CCP-65).
 */
enum phx_ccp_intent {
	PHX_CCP_INTENT_ACTIVATE = 0,
	PHX_CCP_INTENT_GIVE_WAY,
	PHX_CCP_INTENT_MAX
};

/* Why a request is refused (SEND_CONFIRM with ok false); the same
 * meanings as lib/ccp_wire enum phx_ccp_refusal. */
enum phx_ccp_deny {
	PHX_CCP_DENY_NONE = 0,      /* granted */
	PHX_CCP_DENY_CONFIG,        /* requester's configuration is stale */
	PHX_CCP_DENY_ROLE_HELD,     /* another member keeps or gets the role
				     * (us, or a better third member) */
	PHX_CCP_DENY_MORE_IFS,      /* the elected member has more
				     * interfaces up (CCP-35) */
	PHX_CCP_DENY_STARTING,      /* GIVE_WAY: we would take over but
				     * cannot yet (listening after start):
				     * the asker stays until we ask */
	PHX_CCP_DENY_MAX
};

/* hb.flags */
#define PHX_CCP_HB_F_ADMIN_DOWN 0x01 /* administratively down (status UI
				      * "Down", FAIL-01) */
#define PHX_CCP_HB_F_JOINING    0x02 /* join mode: adopts the cluster's
				      * configuration, never becomes the
				      * configuration reference (FAIL-50) */

/*
 * A member's record as its heartbeats and requests carry it (host order).
 * Field by field it is lib/ccp_codec's struct phx_ccp_member_info
 * (priority, ifs_*, secured_*, pnote = enum phx_ccp_pnote with the same
 * values as enum phx_pnote_status, PHX_CCP_MF_JOINING and
 * PHX_CCP_MF_ADMIN_DOWN) plus struct phx_ccp_config_id and the state byte
 * (see enum phx_ccp_state). Should a peer's pnote status or admin flag be
 * missing, a peer in Down with its interfaces intact is still ranked as
 * having a device problem; only a peer whose devices are in init would be
 * taken for one that could forward. Untrusted when received:
 * phx_ccp_fsm_event checks it.
 */
struct phx_ccp_hb {
	uint8_t state;          /* enum phx_ccp_state, never LOST */
	uint8_t prio;           /* priority rank, 1 = highest */
	uint8_t pnote;          /* enum phx_pnote_status aggregate */
	uint8_t flags;          /* PHX_CCP_HB_F_* */
	uint16_t ifs_up;        /* monitored interfaces up (CCP-35) */
	uint16_t ifs_required;  /* required interfaces (CCP-31) */
	uint16_t sec_up;        /* secured (sync) interfaces up */
	uint16_t sec_required;  /* required secured interfaces */
	uint64_t cfg_gen;       /* cluster configuration generation */
	uint8_t cfg_digest[PHX_CCP_FSM_DIGEST_LEN]; /* configuration digest */
	uint16_t time_unit_ms;  /* heartbeat interval the peer announces
				 * (CCP-20); 0: none in this record (a
				 * request), the last one stands */
};

/* One event. Only the fields the type names are read. */
struct phx_ccp_evt {
	enum phx_ccp_event type;
	uint8_t peer;           /* HEARTBEAT, PEER_LOST, REQUEST, CONFIRM:
				 * the peer's member ID */
	bool ok;                /* CONFIRM: confirmed (true) or refused */
	enum phx_ccp_deny deny; /* CONFIRM: why refused (NONE: not said) */
	uint32_t seq;           /* REQUEST, CONFIRM: request number */
	enum phx_ccp_intent intent; /* REQUEST */
	struct phx_ccp_hb hb;   /* HEARTBEAT, REQUEST */
	uint16_t ifs_up;        /* IFS: monitored interfaces up, secured
				 * (sync) ones included */
	uint16_t sec_up;        /* IFS: secured interfaces up */
	bool ifs_reset;         /* IFS: the monitored set shrank (interface
				 * removed, CCP-34/36): restart the
				 * high-water marks from these counts */
	enum phx_pnote_status pnote; /* PNOTE: aggregate status */
	const char *device;     /* PNOTE: culprit device name (may be NULL;
				 * copied) */
	uint64_t cfg_gen;       /* CONFIG: new configuration generation */
	uint8_t cfg_digest[PHX_CCP_FSM_DIGEST_LEN]; /* CONFIG */
	bool joining;           /* CONFIG: still in join mode (FAIL-50) */
};

struct phx_ccp_action {
	enum phx_ccp_action_type type;
	enum phx_ccp_state state;   /* SET_STATE: new state */
	enum phx_ccp_state prev;    /* SET_STATE: old state */
	uint8_t peer;               /* SEND_CONFIRM: requester's member ID */
	bool ok;                    /* SEND_CONFIRM: granted */
	enum phx_ccp_deny deny;     /* SEND_CONFIRM: why not (NONE if ok) */
	uint32_t seq;               /* SEND_REQUEST, SEND_CONFIRM */
	enum phx_ccp_intent intent; /* SEND_REQUEST */
	struct phx_ccp_hb hb;       /* SEND_STATE, SEND_REQUEST: our record */
	enum phx_ccp_log_level level; /* LOG */
	char text[PHX_CCP_FSM_LOG_LEN]; /* LOG: one line, no newline */
};

/*
 * Actions of one call, to be carried out in order: the order matters
 * (a member that gives way withdraws its VIPs before it confirms the
 * requester). n never exceeds PHX_CCP_FSM_MAX_ACTIONS; dropped counts
 * actions that did not fit (a bug; the FSM state itself stays
 * consistent).
 */
struct phx_ccp_actions {
	unsigned n;
	unsigned dropped;
	struct phx_ccp_action a[PHX_CCP_FSM_MAX_ACTIONS];
};

struct phx_ccp_member_cfg {
	uint8_t id;                 /* member ID, 1..255, unique (CCP-51) */
	uint8_t prio;               /* priority rank 1..n, unique, 1 =
				     * highest (MODE-11: config order) */
	char ip[PHX_CCP_FSM_IP_LEN]; /* unique address, for logs and view */
};

struct phx_ccp_fsm_params {
	uint8_t n_members;          /* 2..PHX_CCP_FSM_MAX_MEMBERS */
	uint8_t local_id;           /* one of members[].id */
	struct phx_ccp_member_cfg members[PHX_CCP_FSM_MAX_MEMBERS];
	uint32_t hello_us;          /* heartbeat interval, 1 ms ..
				     * PHX_CCP_FSM_MAX_HELLO_MS (config
				     * hello_ms x 1000) */
	uint32_t dead_count;        /* missed hellos before a peer is Lost,
				     * 2..100 */
	enum phx_ccp_recovery recovery;
	uint16_t ifs_required;      /* 0: required interfaces = the
				     * high-water mark since start (CCP-31);
				     * else this fixed count (config
				     * required_interfaces) */
	uint64_t cfg_gen;           /* local configuration identity */
	uint8_t cfg_digest[PHX_CCP_FSM_DIGEST_LEN];
	bool joining;               /* started in join mode (FAIL-50) */
};

/* One row of `phx state` / `cphaprob state` (CLI-10). */
struct phx_ccp_member_view {
	uint8_t id;                 /* member ID */
	uint8_t prio;               /* "Number" column in HA (CLI-10) */
	bool local;                 /* "(local)" */
	enum phx_ccp_state state;   /* LOST for a peer not heard */
	char ip[PHX_CCP_FSM_IP_LEN]; /* "Unique Address" */
	uint64_t heard_age_us;      /* since its last heartbeat; 0 for the
				     * local member; UINT64_MAX never heard */
	uint16_t ifs_up;            /* as last reported */
	uint16_t ifs_required;
	enum phx_pnote_status pnote;
	uint64_t cfg_gen;
	uint8_t cfg_digest[PHX_CCP_FSM_DIGEST_LEN];
	bool cfg_stale;             /* refused by the configuration guard */
	bool ghost;                 /* lost in an ambiguous split: still
				     * assumed to be able to forward */
};

/* Local details for `phx state` and `phx if` (CLI-20's required counts). */
struct phx_ccp_local_info {
	enum phx_ccp_state state;
	bool forwarding;            /* owns the VIPs */
	uint16_t ifs_up, ifs_required;   /* CLI-20 "Required interfaces" */
	uint16_t sec_up, sec_required;   /* "Required secured interfaces" */
	enum phx_pnote_status pnote;
	bool admin_down;
	enum phx_ccp_recovery recovery;
	char reason[PHX_CCP_FSM_LOG_LEN]; /* why the last state change */
	uint64_t transitions;       /* state changes since create */
	uint64_t unexpected;        /* unexpected events (logged) */
};

struct phx_ccp_fsm;

/*
 * New FSM in PHX_CCP_STATE_INIT at time now, every peer Lost. NULL with
 * errno = EINVAL for bad params (member count, duplicate IDs or
 * priorities, local_id not listed, timers out of range, unknown recovery
 * policy), ENOMEM on allocation failure. Any thread.
 */
struct phx_ccp_fsm *phx_ccp_fsm_create(const struct phx_ccp_fsm_params *p,
				       uint64_t now);

/* Free fsm; NULL is fine. */
void phx_ccp_fsm_free(struct phx_ccp_fsm *fsm);

/*
 * Feed one event at time now (us, monotonic, never going back). acts is
 * reset, then filled with the actions to carry out in order. Returns 0, or
 * -EINVAL for a malformed event (NULL pointers, unknown type or intent, a
 * peer ID not in the configuration or our own, a record claiming LOST, an
 * unknown state or pnote status, priority 0): nothing changes and acts
 * stays empty, so the caller counts it as a bad CCP message (an unknown
 * member ID in a confirmation is CCP-10's "confirmations from more
 * machines than the cluster size"). An event that makes no sense in the
 * current state (sync done while running, cphastart while running,
 * cphastop while stopped, a timer nothing armed) returns 0 with a warning
 * LOG action naming both; a late confirmation of an older request is
 * ignored silently. Owner thread only.
 */
int phx_ccp_fsm_event(struct phx_ccp_fsm *fsm, const struct phx_ccp_evt *ev,
		      uint64_t now, struct phx_ccp_actions *acts);

/*
 * Timers: declares Lost every peer not heard for dead_count heartbeat
 * intervals (the longer of ours and the peer's, phx_ccp_fsm_set_timers),
 * expires ghosts, and fires the state timer (an open request is resent
 * every hello; Ready ends its listening). acts is reset and filled as for
 * phx_ccp_fsm_event. Call it at least every hello_us / 4 (detection time
 * = dead time + tick period), or sleep until phx_ccp_fsm_next_deadline.
 * Owner thread only.
 */
void phx_ccp_fsm_tick(struct phx_ccp_fsm *fsm, uint64_t now,
		      struct phx_ccp_actions *acts);

/*
 * New timers from a configuration reload (SPEC CCP-22): the heartbeat
 * interval, the missed heartbeats before a peer is Lost, and the recovery
 * mode, with the ranges of phx_ccp_fsm_create. They count from the next
 * tick; a listening period or ghost expiry already running keeps its end.
 * A peer is always given dead_count of the longer of our interval and the
 * one its heartbeats announce. 0, or -EINVAL (nothing changes). Owner
 * thread only.
 */
int phx_ccp_fsm_set_timers(struct phx_ccp_fsm *fsm, uint32_t hello_us,
			   uint32_t dead_count, enum phx_ccp_recovery recovery);

/*
 * The member starts talking now (its ports are up): the start-up listening
 * (no claiming the VIPs alone before a dead time of hearing the others)
 * counts from here, not from phx_ccp_fsm_create. Owner thread only.
 */
void phx_ccp_fsm_listen_from(struct phx_ccp_fsm *fsm, uint64_t now);

/* Earliest time the tick has something to do (UINT64_MAX: nothing), so the
 * caller can sleep until then. */
uint64_t phx_ccp_fsm_next_deadline(const struct phx_ccp_fsm *fsm);
/* How long member id may stay silent before it is lost, in microseconds:
 * dead_count of the longer of our heartbeat period and the one it
 * announces, capped (as the tick judges it); ours for an unknown id. */
uint64_t phx_ccp_fsm_peer_dead_us(const struct phx_ccp_fsm *fsm, uint8_t id);

/* Our record for the periodic heartbeat (control sends it every hello,
 * jittered to 75-100 %, and whenever an action says SEND_STATE). */
void phx_ccp_fsm_heartbeat(const struct phx_ccp_fsm *fsm,
			   struct phx_ccp_hb *hb);

enum phx_ccp_state phx_ccp_fsm_state(const struct phx_ccp_fsm *fsm);

/* True in Active and Active Attention: the member owns the VIPs. */
bool phx_ccp_fsm_forwarding(const struct phx_ccp_fsm *fsm);

/* Set member id's unique address (logs and view) once it is known, e.g.
 * from the source of its frames on the sync network. 0 or -EINVAL.
 * Owner thread only. */
int phx_ccp_fsm_set_ip(struct phx_ccp_fsm *fsm, uint8_t id, const char *ip);

/*
 * Rows for `phx state`, ordered by priority (the local member included).
 * Writes at most max rows, returns the number of members. The read-only
 * functions may run on any thread that holds the owner's snapshot lock.
 */
unsigned phx_ccp_fsm_view(const struct phx_ccp_fsm *fsm, uint64_t now,
			  struct phx_ccp_member_view *out, unsigned max);

/* Local member details (required interface counts, reason, counters). */
void phx_ccp_fsm_local(const struct phx_ccp_fsm *fsm,
		       struct phx_ccp_local_info *out);

/*
 * When the control loop runs phx_ccp_fsm_tick: every quarter hello, but a
 * pass that comes more than a hello after the previous one (the process
 * was descheduled) puts a due tick off by a quarter hello, so that the
 * frames queued meanwhile are read before any peer is judged silent (a
 * busy machine must not look like a dead peer). Once: the next late pass
 * runs it, or on a host where every pass comes late the tick, and with it
 * lost peers (CCP-40), device timeouts (CCP-72) and the state timers,
 * would never run. Times in any unit (control: TSC).
 */
struct phx_ccp_ticker {
	uint64_t next;      /* the tick is due from then */
	uint64_t last;      /* the previous pass */
	bool put_off;       /* a late pass put the due tick off */
};

/* A pass of the loop at now: true if it came late (more than period
 * after the previous one), in which case a due tick may be put off. */
static inline bool
phx_ccp_ticker_pass(struct phx_ccp_ticker *t, uint64_t now, uint64_t period)
{
	bool late = now - t->last > period;

	t->last = now;
	if (late && now >= t->next && !t->put_off) {
		t->next = now + period / 4;
		t->put_off = true;
	}
	return late;
}

/* The tick ran at now: the next one a quarter period later. */
static inline void
phx_ccp_ticker_ran(struct phx_ccp_ticker *t, uint64_t now, uint64_t period)
{
	t->next = now + (period / 4 != 0 ? period / 4 : 1);
	t->put_off = false;
}

#endif /* PHX_LIB_CCP_FSM_H */
