/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HA member state machine (lib/ccp_fsm.h; SPEC 2.6/2.7, 4.1-4.7).
 *
 * Shape (STYLE 3.6, after pfsync_bulk_req_evt and bfdd's bs_*_handler):
 * phx_ccp_fsm_event validates the event, then one dispatcher switches on
 * the local state into a handler per state, which switches on the event.
 * Handlers record what the event says (rec_*), then call settle(), which
 * runs the election (elect()) over the view and moves the member to the
 * state its role asks for, through nstate(), the one place that changes
 * state, emits the entry actions (VIPs, GARP, heartbeat, CCP-67 log) and
 * arms the state's timer. Events a state has no use for go to
 * unexpected(), which logs both names.
 *
 * Why an election over records instead of a transition table: who is
 * active depends on every member's health, interfaces and priority, not on
 * the local state and one event. Computing the winner from the same records
 * on every member is what keeps exactly one member forwarding without a
 * voting round (FAIL-52); the Ready handshake (CCP-61) then orders the
 * hand-over so the VIPs are released before they are taken.
 *
 * Every decision is a pure function of the view and `now`; nothing here
 * reads a clock, allocates after create, or does I/O.
 */
#include "lib/ccp_fsm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/compiler.h"

const char *const phx_ccp_state_names[PHX_CCP_STATE_MAX] = {
	[PHX_CCP_STATE_INIT] = "INIT",
	[PHX_CCP_STATE_READY] = "READY",
	[PHX_CCP_STATE_ACTIVE] = "ACTIVE",
	[PHX_CCP_STATE_STANDBY] = "STANDBY",
	[PHX_CCP_STATE_ACTIVE_ATTENTION] = "ACTIVE_ATTENTION",
	[PHX_CCP_STATE_DOWN] = "DOWN",
	[PHX_CCP_STATE_LOST] = "LOST",
	[PHX_CCP_STATE_STOPPED] = "STOPPED",
};

const char *const phx_ccp_state_display[PHX_CCP_STATE_MAX] = {
	[PHX_CCP_STATE_INIT] = "Initializing",
	[PHX_CCP_STATE_READY] = "Ready",
	[PHX_CCP_STATE_ACTIVE] = "Active",
	[PHX_CCP_STATE_STANDBY] = "Standby",
	[PHX_CCP_STATE_ACTIVE_ATTENTION] = "Active Attention",
	[PHX_CCP_STATE_DOWN] = "Down",
	[PHX_CCP_STATE_LOST] = "Lost",
	[PHX_CCP_STATE_STOPPED] = "Stopped",
};

const char *const phx_ccp_event_names[PHX_CCP_EV_MAX] = {
	[PHX_CCP_EV_SYNC_DONE] = "SYNC_DONE",
	[PHX_CCP_EV_HEARTBEAT] = "HEARTBEAT",
	[PHX_CCP_EV_PEER_LOST] = "PEER_LOST",
	[PHX_CCP_EV_REQUEST] = "REQUEST",
	[PHX_CCP_EV_CONFIRM] = "CONFIRM",
	[PHX_CCP_EV_IFS] = "IFS",
	[PHX_CCP_EV_PNOTE] = "PNOTE",
	[PHX_CCP_EV_CONFIG] = "CONFIG",
	[PHX_CCP_EV_ADMIN_DOWN] = "ADMIN_DOWN",
	[PHX_CCP_EV_ADMIN_UP] = "ADMIN_UP",
	[PHX_CCP_EV_ADMIN_STOP] = "ADMIN_STOP",
	[PHX_CCP_EV_ADMIN_START] = "ADMIN_START",
	[PHX_CCP_EV_TIMER] = "TIMER",
};

const char *const phx_ccp_action_names[PHX_CCP_ACT_MAX] = {
	[PHX_CCP_ACT_SET_STATE] = "SET_STATE",
	[PHX_CCP_ACT_VIPS_ON] = "VIPS_ON",
	[PHX_CCP_ACT_VIPS_OFF] = "VIPS_OFF",
	[PHX_CCP_ACT_GARP] = "GARP",
	[PHX_CCP_ACT_SEND_STATE] = "SEND_STATE",
	[PHX_CCP_ACT_SEND_REQUEST] = "SEND_REQUEST",
	[PHX_CCP_ACT_SEND_CONFIRM] = "SEND_CONFIRM",
	[PHX_CCP_ACT_LOG] = "LOG",
};

/* Health tiers of the election, best last. */
#define TIER_DEVICE 0   /* critical-device problem or admin down */
#define TIER_IFACE  1   /* interfaces below the required count */
#define TIER_OK     2   /* healthy */

/* One member as the FSM knows it. For the local member only cfg is used;
 * its live record is built from the FSM's own fields (own_hb). */
struct member {
	struct phx_ccp_member_cfg cfg;  /* id, prio, ip (configuration) */
	struct phx_ccp_hb hb;           /* last heartbeat/request record */
	uint64_t heard_at;              /* us, last heartbeat or request */
	uint64_t lost_at;               /* us, when declared lost */
	bool snap_fwd;                  /* we forwarded when hb arrived */
	bool heard;                     /* a record ever arrived */
	bool alive;                     /* heard within the dead time */
	bool ghost;                     /* lost in an ambiguous split:
					 * still a contender (file comment
					 * of lib/ccp_fsm.h) */
	bool confirmed;                 /* answered request req_seq (with a
					 * yes, for ACTIVATE) */
	bool stay;                      /* ... a GIVE_WAY with "stay": it
					 * cannot take over yet (CCP-65) */
	bool warned_ifs;                /* CCP-36 line logged */
};

struct phx_ccp_fsm {
	uint8_t n;                      /* members */
	uint8_t self;                   /* index of the local member in m[] */
	struct member m[PHX_CCP_FSM_MAX_MEMBERS];
	uint64_t hello_us;
	uint32_t dead_count;
	uint64_t dead_us;               /* hello_us x dead_count */
	enum phx_ccp_recovery recovery;

	enum phx_ccp_state state;
	bool synced;                    /* SYNC_DONE since the last start */
	bool admin_down;                /* status UI "Down" */
	bool req_open;                  /* our request req_seq is pending:
					 * ACTIVATE in Ready, GIVE_WAY while
					 * forwarding */
	enum phx_ccp_intent req_intent; /* what it asks */
	bool listening;                 /* Ready, waiting for listen_until
					 * before asking anyone */
	bool cancel_logged;             /* CCP-65 line logged for the
					 * current problem */
	char logged_down[PHX_CCP_FSM_LOG_LEN]; /* reason of the last Down
					 * line, to log a changed one */
	uint32_t req_seq;               /* number of the latest request */
	uint64_t listen_until;          /* us: do not claim the VIPs alone
					 * before hearing peers this long */
	uint64_t deadline;              /* us, state timer; 0 = none */
	uint64_t ghost_until;           /* us, ghosts expire; 0 = none */

	uint16_t ifs_up, ifs_req;       /* monitored interfaces, CCP-31 */
	uint16_t sec_up, sec_req;       /* secured (sync) interfaces */
	uint16_t ifs_fixed;             /* fixed required count, 0 = the
					 * high-water mark */
	uint64_t drop_at;               /* us, last interface count drop;
					 * 0 once no interface is short */
	enum phx_pnote_status pnote;    /* aggregate critical devices */
	char device[PHX_PNOTE_LABEL_LEN]; /* culprit of pnote */
	uint64_t cfg_gen;
	uint8_t cfg_digest[PHX_CCP_FSM_DIGEST_LEN];
	bool joining;                   /* join mode (FAIL-50) */

	char reason[PHX_CCP_FSM_LOG_LEN];   /* why the last state change */
	uint64_t transitions;
	uint64_t unexpected;
};

/*
 * A peer is lost after dead_count of its own heartbeat periods (the time
 * unit its heartbeats announce, CCP-20), or of ours when it announces a
 * shorter one. So while an operator changes hello_ms one member at a time
 * (CCP-22), the member still on the shorter period does not lose the one
 * already on the longer. The announced unit counts up to the longest a
 * configuration allows, and the product up to the longest dead time one
 * allows (our dead_count with the peer's unit can be more: 100 x 1 s).
 */
static uint64_t
peer_dead_us(const struct phx_ccp_fsm *f, const struct member *p)
{
	uint64_t unit = p->hb.time_unit_ms, dead, cap;

	if (unit > PHX_CCP_FSM_MAX_HELLO_MS)
		unit = PHX_CCP_FSM_MAX_HELLO_MS;
	unit *= 1000;
	dead = (unit > f->hello_us ? unit : f->hello_us) * f->dead_count;
	cap = (uint64_t)PHX_CCP_FSM_MAX_DEAD_MS * 1000;
	if (cap < f->dead_us)
		cap = f->dead_us;
	return dead < cap ? dead : cap;
}

/* The longest of the peers' dead times: how long a peer may take to be
 * heard again. */
static uint64_t
peers_dead_us(const struct phx_ccp_fsm *f)
{
	uint64_t d = f->dead_us, x;
	unsigned i;

	for (i = 0; i < f->n; i++)
		if (i != f->self && (x = peer_dead_us(f, &f->m[i])) > d)
			d = x;
	return d;
}

static bool
timers_ok(uint32_t hello_us, uint32_t dead_count,
	  enum phx_ccp_recovery recovery)
{
	return hello_us >= 1000 &&
	       hello_us <= PHX_CCP_FSM_MAX_HELLO_MS * 1000u &&
	       dead_count >= 2 && dead_count <= 100 &&
	       (unsigned)recovery < PHX_CCP_RECOVERY_MAX;
}

/* Election input: one member's record, local or heard. */
struct rec {
	bool present;       /* takes part: local, heard alive, or a ghost */
	bool started;       /* past Initializing, not stopped */
	bool fwd;           /* Active or Active Attention */
	bool joining;       /* join mode: never the configuration reference */
	uint8_t tier;       /* TIER_* */
	uint8_t pnote;      /* enum phx_pnote_status */
	uint16_t ifs;
	uint8_t prio, id;
	uint64_t gen;
	const uint8_t *digest;  /* PHX_CCP_FSM_DIGEST_LEN bytes */
};

/* ---- small helpers ----------------------------------------------------- */

static bool
fwd_state(unsigned s)
{
	return s == PHX_CCP_STATE_ACTIVE || s == PHX_CCP_STATE_ACTIVE_ATTENTION;
}

static bool
started_state(unsigned s)
{
	return s == PHX_CCP_STATE_READY || s == PHX_CCP_STATE_STANDBY ||
	       s == PHX_CCP_STATE_DOWN || fwd_state(s);
}

static int
index_of(const struct phx_ccp_fsm *f, uint8_t id)
{
	unsigned i;

	for (i = 0; i < f->n; i++)
		if (f->m[i].cfg.id == id)
			return (int)i;
	return -1;
}

/*
 * Health tier of a record. For a peer (infer true) a Down state with
 * intact interfaces and no reported cause is taken as a device problem:
 * Down always means a problem (SPEC 2.6), and a wire that does not carry
 * the pnote status must not make a Down peer look healthy. The local
 * record never infers: its causes are known, and its state lags them
 * inside settle().
 */
static uint8_t
hb_tier(const struct phx_ccp_hb *hb, bool infer)
{
	if (hb->pnote == PHX_PNOTE_PROBLEM ||
	    (hb->flags & PHX_CCP_HB_F_ADMIN_DOWN))
		return TIER_DEVICE;
	if (hb->ifs_up < hb->ifs_required || hb->sec_up < hb->sec_required)
		return TIER_IFACE;
	if (infer && hb->state == PHX_CCP_STATE_DOWN)
		return TIER_DEVICE;
	return TIER_OK;
}

static void
own_hb(const struct phx_ccp_fsm *f, struct phx_ccp_hb *hb)
{
	*hb = (struct phx_ccp_hb){
		.state = (uint8_t)f->state,
		.prio = f->m[f->self].cfg.prio,
		.pnote = (uint8_t)f->pnote,
		.flags = (uint8_t)((f->admin_down ? PHX_CCP_HB_F_ADMIN_DOWN : 0) |
				   (f->joining ? PHX_CCP_HB_F_JOINING : 0)),
		.ifs_up = f->ifs_up,
		.ifs_required = f->ifs_req,
		.sec_up = f->sec_up,
		.sec_required = f->sec_req,
		.cfg_gen = f->cfg_gen,
	};
	memcpy(hb->cfg_digest, f->cfg_digest, sizeof(hb->cfg_digest));
}

/* A heard peer that is in the cluster (a Stopped goodbye does not count). */
static bool
peer_in(const struct member *p)
{
	return p->alive && p->hb.state != PHX_CCP_STATE_STOPPED;
}

static unsigned
peers_in(const struct phx_ccp_fsm *f)
{
	unsigned i, n = 0;

	for (i = 0; i < f->n; i++)
		n += i != f->self && peer_in(&f->m[i]);
	return n;
}

/* The ghost heard last (its snapshot of us is the most recent), or
 * NULL when there is none. */
static const struct member *
last_ghost(const struct phx_ccp_fsm *f)
{
	const struct member *g = NULL;
	unsigned i;

	for (i = 0; i < f->n; i++)
		if (f->m[i].ghost &&
		    (g == NULL || f->m[i].heard_at > g->heard_at))
			g = &f->m[i];
	return g;
}

static bool
any_ghost(const struct phx_ccp_fsm *f)
{
	return last_ghost(f) != NULL;
}

/* Some monitored or secured interface is below its required count. */
static bool
ifs_short(const struct phx_ccp_fsm *f)
{
	return f->ifs_up < f->ifs_req || f->sec_up < f->sec_req;
}

/* Our own health tier, from what we know (never inferred). */
static uint8_t
own_tier(const struct phx_ccp_fsm *f)
{
	struct phx_ccp_hb hb;

	own_hb(f, &hb);
	return hb_tier(&hb, false);
}

/* ---- actions ----------------------------------------------------------- */

static struct phx_ccp_action *
emit(struct phx_ccp_actions *a, enum phx_ccp_action_type t)
{
	struct phx_ccp_action *x;

	if (a->n >= PHX_CCP_FSM_MAX_ACTIONS) {
		a->dropped++;
		return NULL;
	}
	x = &a->a[a->n++];
	*x = (struct phx_ccp_action){ .type = t };
	return x;
}

static void __attribute__((format(printf, 3, 4)))
emit_log(struct phx_ccp_actions *a, enum phx_ccp_log_level lvl,
	 const char *fmt, ...)
{
	struct phx_ccp_action *x = emit(a, PHX_CCP_ACT_LOG);
	va_list ap;

	if (x == NULL)
		return;
	x->level = lvl;
	va_start(ap, fmt);
	vsnprintf(x->text, sizeof(x->text), fmt, ap);
	va_end(ap);
}

static void
emit_send_state(const struct phx_ccp_fsm *f, struct phx_ccp_actions *a)
{
	struct phx_ccp_action *x = emit(a, PHX_CCP_ACT_SEND_STATE);

	if (x != NULL)
		own_hb(f, &x->hb);
}

static void __attribute__((format(printf, 2, 3)))
set_reason(struct phx_ccp_fsm *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
}

/* ---- the election ------------------------------------------------------ */

/*
 * Records of every member: ours from what we know, peers' from their last
 * heartbeat. In a split (ghosts present) our forwarding flag is the one
 * the lost peers last saw, so both sides of the cut rank the same
 * records (see better_split()).
 */
static void
build_recs(const struct phx_ccp_fsm *f, struct rec *r)
{
	const struct member *g;
	unsigned i;

	for (i = 0; i < f->n; i++) {
		const struct member *m = &f->m[i];
		struct phx_ccp_hb hb;

		r[i] = (struct rec){ .prio = m->cfg.prio, .id = m->cfg.id };
		if (i == f->self) {
			own_hb(f, &hb);
			r[i].present = f->state != PHX_CCP_STATE_STOPPED;
			r[i].started = r[i].present && f->synced;
			r[i].fwd = fwd_state(hb.state);
			g = last_ghost(f);
			if (g != NULL)
				r[i].fwd = g->snap_fwd;  /* as it saw us */
			r[i].tier = hb_tier(&hb, false);
			r[i].digest = f->cfg_digest;
		} else {
			hb = m->hb;
			r[i].present = peer_in(m) || m->ghost;
			r[i].started = r[i].present && started_state(hb.state);
			/* the claimed priority: what every member sees */
			r[i].prio = hb.prio;
			r[i].tier = hb_tier(&hb, true);
			r[i].digest = m->hb.cfg_digest;
			r[i].fwd = fwd_state(hb.state);
		}
		r[i].joining = (hb.flags & PHX_CCP_HB_F_JOINING) != 0;
		r[i].pnote = hb.pnote;
		r[i].ifs = hb.ifs_up;
		r[i].gen = hb.cfg_gen;
	}
}

/* Configuration reference (FAIL-50/51): highest (not joining,
 * forwarding, not in init, generation, priority, ID) among started
 * members; -1 if none. Forwarding before generation: the generation is
 * each member's reload count, which says nothing about whose
 * configuration the cluster runs (a fresh member reloaded twice would
 * outrank the member carrying traffic, and under primary-up take the
 * traffic over). Not in init before it too: a reference that cannot
 * become active would leave every member with another digest stale and
 * nobody forwarding. */
static int
cfg_ref(const struct phx_ccp_fsm *f, const struct rec *r)
{
	int best = -1;
	unsigned i;

	for (i = 0; i < f->n; i++) {
		const struct rec *a = &r[i], *b;

		if (!a->started)
			continue;
		if (best < 0) {
			best = (int)i;
			continue;
		}
		b = &r[best];
		bool ai = a->pnote == PHX_PNOTE_INIT;
		bool bi = b->pnote == PHX_PNOTE_INIT;

		if (a->joining != b->joining ? !a->joining :
		    a->fwd != b->fwd ? a->fwd :
		    ai != bi ? !ai :
		    a->gen != b->gen ? a->gen > b->gen :
		    a->prio != b->prio ? a->prio < b->prio : a->id < b->id)
			best = (int)i;
	}
	return best;
}

static bool
is_stale(const struct rec *r, int ref, unsigned i)
{
	return ref >= 0 && r[i].started && !r[i].fwd &&
	       memcmp(r[i].digest, r[ref].digest, PHX_CCP_FSM_DIGEST_LEN) != 0;
}

static bool
contender(const struct rec *r, int ref, unsigned i)
{
	return r[i].present && r[i].started &&
	       r[i].pnote != PHX_PNOTE_INIT && !is_stale(r, ref, i);
}

/* a ranks above b (lib/ccp_fsm.h, "How the active member is chosen"). */
static bool
better(const struct phx_ccp_fsm *f, const struct rec *a, const struct rec *b)
{
	if (a->tier != b->tier)
		return a->tier > b->tier;
	if (a->tier < TIER_OK && a->ifs != b->ifs)
		return a->ifs > b->ifs;
	if ((a->tier < TIER_OK || f->recovery == PHX_CCP_RECOVERY_ACTIVE_UP) &&
	    a->fwd != b->fwd)
		return a->fwd;
	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->id < b->id;
}

/*
 * In a split (ghosts present) only what both sides knew before the
 * incident is compared: who was forwarding, then device health, then
 * priority. Interface counts are left out: the loss that made the split
 * ambiguous is presumed to be the same link seen from both ends, and each
 * side would otherwise see itself short and the other intact.
 */
static bool
better_split(const struct rec *a, const struct rec *b)
{
	bool da = a->tier != TIER_DEVICE, db = b->tier != TIER_DEVICE;

	if (a->fwd != b->fwd)
		return a->fwd;
	if (da != db)
		return da;
	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->id < b->id;
}

/* Index of the member that should forward, -1 if nobody can. */
static int
elect(const struct phx_ccp_fsm *f, struct rec *r, int *ref_out)
{
	bool split = any_ghost(f);
	int w = -1, ref;
	unsigned i;

	build_recs(f, r);
	ref = cfg_ref(f, r);
	for (i = 0; i < f->n; i++) {
		if (!contender(r, ref, i))
			continue;
		if (w < 0 || (split ? better_split(&r[i], &r[w]) :
			      better(f, &r[i], &r[w])))
			w = (int)i;
	}
	if (ref_out != NULL)
		*ref_out = ref;
	return w;
}

/* ---- state changes ----------------------------------------------------- */

/* CCP-67 verb of a state. */
static const char *
verb(enum phx_ccp_state s)
{
	switch (s) {
	case PHX_CCP_STATE_ACTIVE:
	case PHX_CCP_STATE_ACTIVE_ATTENTION:
		return "is active";
	case PHX_CCP_STATE_STANDBY:
		return "is stand-by";
	case PHX_CCP_STATE_INIT:
		return "is initializing";
	case PHX_CCP_STATE_READY:
		return "is ready";
	default:
		return "is down";
	}
}

/*
 * The one place the local state changes: entry actions in the order the
 * caller must run them (state, VIPs, GARP, heartbeat, log), and the state's
 * timer (timeout_us from now; 0 = none). Uses f->reason for the log line.
 * Staying Down for a new reason logs the new reason (CCP-35: the member
 * that now reports more interfaces up is named).
 */
static void
nstate(struct phx_ccp_fsm *f, enum phx_ccp_state to, uint64_t timeout_us,
       uint64_t now, struct phx_ccp_actions *a)
{
	enum phx_ccp_state from = f->state;
	struct phx_ccp_action *x;
	const struct member *me = &f->m[f->self];

	f->deadline = timeout_us != 0 ? now + timeout_us : 0;
	if (to == from) {
		if (to == PHX_CCP_STATE_DOWN &&
		    strcmp(f->reason, f->logged_down) != 0) {
			snprintf(f->logged_down, sizeof(f->logged_down), "%s",
				 f->reason);
			emit_log(a, PHX_CCP_LOG_INFO, "member %u (%s) %s (%s).",
				 me->cfg.id, me->cfg.ip, verb(to), f->reason);
		}
		return;
	}
	f->state = to;
	f->transitions++;
	f->req_open = false;        /* a request belongs to its state */
	f->listening = false;
	if (!fwd_state(to))
		f->cancel_logged = false;
	if (to == PHX_CCP_STATE_DOWN)
		snprintf(f->logged_down, sizeof(f->logged_down), "%s",
			 f->reason);
	x = emit(a, PHX_CCP_ACT_SET_STATE);
	if (x != NULL) {
		x->state = to;
		x->prev = from;
	}
	if (!fwd_state(from) && fwd_state(to)) {
		emit(a, PHX_CCP_ACT_VIPS_ON);
		emit(a, PHX_CCP_ACT_GARP);
	} else if (fwd_state(from) && !fwd_state(to)) {
		emit(a, PHX_CCP_ACT_VIPS_OFF);
	}
	emit_send_state(f, a);
	emit_log(a, PHX_CCP_LOG_INFO, "member %u (%s) %s (%s).", me->cfg.id,
		 me->cfg.ip, verb(to), f->reason);
}

/* Why a member that does not forward is Down (CCP-35, CCP-64). w is the
 * winner or -1. */
static void
down_reason(struct phx_ccp_fsm *f, const struct rec *r, int w)
{
	if (f->admin_down)
		set_reason(f, "administratively down");
	else if (f->pnote == PHX_PNOTE_INIT)
		set_reason(f, "%s is initializing",
			   f->device[0] != '\0' ? f->device : "a device");
	else if (f->pnote == PHX_PNOTE_PROBLEM)
		set_reason(f, "%s detected a problem",
			   f->device[0] != '\0' ? f->device : "a device");
	else if (w >= 0 && f->m[w].ghost)
		set_reason(f, "member %u (%s) is not heard and may still be "
			   "active", f->m[w].cfg.id, f->m[w].cfg.ip);
	else if (w >= 0 && r[w].ifs > f->ifs_up)
		set_reason(f, "member %u (%s) reports more interfaces up",
			   f->m[w].cfg.id, f->m[w].cfg.ip);
	else if (f->ifs_up < f->ifs_req)
		set_reason(f, "%u interfaces required, only %u up",
			   f->ifs_req, f->ifs_up);
	else
		set_reason(f, "%u secured interfaces required, only %u up",
			   f->sec_req, f->sec_up);
}

/*
 * Just started and some member has never been heard, or was last heard
 * saying it stopped: it may be active already, or starting at this very
 * moment, so ask nobody to give way and claim nothing before the dead
 * time has passed (a cold start or a restart of the process; after
 * cphastart the view kept while stopped is complete, but members all
 * started together would otherwise each see only Stopped peers and all
 * claim the VIPs until their first heartbeats crossed).
 */
static bool
must_listen(const struct phx_ccp_fsm *f, uint64_t now)
{
	unsigned i;

	if (now >= f->listen_until)
		return false;
	for (i = 0; i < f->n; i++)
		if (i != f->self && (!f->m[i].heard ||
				     f->m[i].hb.state == PHX_CCP_STATE_STOPPED))
			return true;
	return false;
}

/* Every peer we hear has answered the open request. */
static bool
request_complete(const struct phx_ccp_fsm *f)
{
	unsigned i;

	for (i = 0; i < f->n; i++)
		if (i != f->self && peer_in(&f->m[i]) && !f->m[i].confirmed)
			return false;
	return true;
}

/* Send a new request to every peer we hear; resent every hello until
 * answered (the state timer). */
static void
send_request(struct phx_ccp_fsm *f, enum phx_ccp_intent intent,
	     uint64_t now, struct phx_ccp_actions *a)
{
	struct phx_ccp_action *x;
	unsigned i;

	f->req_open = true;
	f->req_intent = intent;
	f->req_seq++;
	for (i = 0; i < f->n; i++)
		f->m[i].confirmed = f->m[i].stay = false;
	f->deadline = now + f->hello_us;
	if (peers_in(f) == 0)
		return;
	x = emit(a, PHX_CCP_ACT_SEND_REQUEST);
	if (x != NULL) {
		x->seq = f->req_seq;
		x->intent = intent;
		own_hb(f, &x->hb);
	}
}

/* Enter the forwarding state the election gave us: Active, or Active
 * Attention with a problem of our own or with no peer heard. */
static void
lead(struct phx_ccp_fsm *f, uint64_t now, struct phx_ccp_actions *a)
{
	const struct member *me = &f->m[f->self];
	bool alone = peers_in(f) == 0;
	bool problem = own_tier(f) < TIER_OK;
	enum phx_ccp_state to = problem || alone ?
		PHX_CCP_STATE_ACTIVE_ATTENTION : PHX_CCP_STATE_ACTIVE;

	f->req_open = false;
	f->deadline = 0;
	if (problem && fwd_state(f->state) && !f->cancel_logged) {
		/* CCP-65: the change to Down is cancelled */
		emit_log(a, PHX_CCP_LOG_NOTICE,
			 "State change of member %u (%s) from %s to %s was "
			 "cancelled, since all other members are down. "
			 "Member remains %s.", me->cfg.id, me->cfg.ip,
			 phx_ccp_state_display[f->state],
			 phx_ccp_state_display[PHX_CCP_STATE_DOWN],
			 phx_ccp_state_display[PHX_CCP_STATE_ACTIVE_ATTENTION]);
	}
	if (problem) {
		size_t l;

		down_reason(f, NULL, -1);
		l = strlen(f->reason);
		snprintf(f->reason + l, sizeof(f->reason) - l,
			 "; all other members are down");
	} else if (alone) {
		set_reason(f, "no other member is heard");
	} else if (fwd_state(f->state)) {
		set_reason(f, "attention cleared");
	} else {
		set_reason(f, "confirmed by every member");
	}
	nstate(f, to, 0, now, a);
	f->cancel_logged = problem;
}

/* A forwarding member with a problem that member w, which the election
 * prefers, cannot relieve yet: Active Attention until w asks. */
static void
stay_attention(struct phx_ccp_fsm *f, int w, uint64_t now,
	       struct phx_ccp_actions *a)
{
	size_t l;

	if (f->state == PHX_CCP_STATE_ACTIVE_ATTENTION)
		return;
	down_reason(f, NULL, -1);
	l = strlen(f->reason);
	snprintf(f->reason + l, sizeof(f->reason) - l,
		 "; member %u (%s) cannot take over yet", f->m[w].cfg.id,
		 f->m[w].cfg.ip);
	nstate(f, PHX_CCP_STATE_ACTIVE_ATTENTION, 0, now, a);
}

/*
 * CCP-64: a forwarding member with a problem asks the others for their
 * states before it gives way: a GIVE_WAY request, which every peer
 * answers with its current record and a confirmation. A heartbeat that
 * happens to arrive meanwhile is no answer (it may have left before the
 * peer knew of our problem). A peer that never answers is eventually
 * declared lost, which ends the wait the same way. True when the answers
 * are in (or there is nobody to ask).
 */
static bool
asked(struct phx_ccp_fsm *f, uint64_t now, struct phx_ccp_actions *a)
{
	if (!f->req_open || f->req_intent != PHX_CCP_INTENT_GIVE_WAY) {
		send_request(f, PHX_CCP_INTENT_GIVE_WAY, now, a);
		return peers_in(f) == 0;
	}
	return request_complete(f);
}

/*
 * Move to where the election puts us. Called after anything the election
 * reads has changed; yield_to is the index of a peer whose request is
 * being answered (-1 otherwise). Nothing is decided before start-up is
 * done (INIT without sync) or while stopped.
 *
 * A forwarding member that is no longer elected gives way at once only
 * if the elected member already forwards (two actives: the loser yields)
 * or is the one asking; otherwise a healthy one holds the VIPs until the
 * elected member's request arrives (CCP-61), and one with a problem asks
 * first (CCP-64), so a hand-over never leaves a gap on a stale view.
 */
static void
settle(struct phx_ccp_fsm *f, int yield_to, uint64_t now,
       struct phx_ccp_actions *a)
{
	struct rec r[PHX_CCP_FSM_MAX_MEMBERS];
	int w, ref;
	bool problem, was_waiting;

	if (f->state == PHX_CCP_STATE_STOPPED ||
	    (f->state == PHX_CCP_STATE_INIT && !f->synced))
		return;
	w = elect(f, r, &ref);
	problem = f->pnote != PHX_PNOTE_OK || own_tier(f) < TIER_OK;

	if (w == (int)f->self) {
		if (fwd_state(f->state)) {
			lead(f, now, a);
		} else if (f->state == PHX_CCP_STATE_READY && f->req_open) {
			if (request_complete(f))
				lead(f, now, a);
		} else if (peers_in(f) == 0 && !must_listen(f, now)) {
			lead(f, now, a);   /* nobody to ask (CCP-61) */
		} else if (f->state == PHX_CCP_STATE_READY && f->listening &&
			   must_listen(f, now)) {
			;                  /* the timer ends the listening */
		} else {
			set_reason(f, "requesting to become active");
			nstate(f, PHX_CCP_STATE_READY, 0, now, a);
			f->listening = must_listen(f, now);
			if (f->listening)
				f->deadline = f->listen_until;
			else
				send_request(f, PHX_CCP_INTENT_ACTIVATE, now,
					     a);
		}
		return;
	}

	if (fwd_state(f->state) && !(w >= 0 && (r[w].fwd || w == yield_to))) {
		if (!problem) {
			/* hold until the winner asks */
			if (f->req_open) {
				f->req_open = false;
				f->deadline = 0;
			}
			return;
		}
		if (!asked(f, now, a))
			return;         /* wait for the answers */
		if (w >= 0 && f->m[w].stay) {
			/* CCP-65: the member elected cannot take over yet
			 * (it still listens after its start): keep the
			 * VIPs, with the problem, until it asks for the
			 * role (w == yield_to above) */
			stay_attention(f, w, now, a);
			return;
		}
	}

	/* not the winner: give way */
	was_waiting = f->state == PHX_CCP_STATE_READY &&
		      (f->req_open || f->listening);
	f->req_open = false;
	f->listening = false;
	if (problem) {
		down_reason(f, r, w);
		nstate(f, PHX_CCP_STATE_DOWN, 0, now, a);
	} else if (is_stale(r, ref, f->self)) {
		set_reason(f, "configuration generation %llu differs from "
			   "member %u (%s) generation %llu",
			   (unsigned long long)f->cfg_gen, f->m[ref].cfg.id,
			   f->m[ref].cfg.ip,
			   (unsigned long long)r[ref].gen);
		if (f->state != PHX_CCP_STATE_READY || was_waiting)
			emit_log(a, PHX_CCP_LOG_NOTICE, "member %u (%s) "
				 "refuses to become active: %s",
				 f->m[f->self].cfg.id, f->m[f->self].cfg.ip,
				 f->reason);
		nstate(f, PHX_CCP_STATE_READY, 0, now, a);
	} else {
		if (w >= 0 && f->m[w].ghost)
			set_reason(f, "member %u (%s) is not heard and may "
				   "still be active", f->m[w].cfg.id,
				   f->m[w].cfg.ip);
		else if (w >= 0)
			set_reason(f, "member %u (%s) is %s",
				   f->m[w].cfg.id, f->m[w].cfg.ip,
				   r[w].fwd ? "active" : "preferred");
		else
			set_reason(f, "no member can be active");
		nstate(f, PHX_CCP_STATE_STANDBY, 0, now, a);
	}
}

/* ---- recording what events say ----------------------------------------- */

/*
 * When we hear nobody, peers lost within the last `window` us whose
 * silence came with a drop of our own interfaces become ghosts (see
 * lib/ccp_fsm.h): the drop happened no earlier than one hello before we
 * last heard the peer (frames in flight when a link is cut still arrive
 * after the carrier went), and our interfaces are still short.
 */
static void
check_split(struct phx_ccp_fsm *f, uint64_t now, uint64_t window)
{
	unsigned i;

	if (peers_in(f) != 0 || f->drop_at == 0 || !ifs_short(f))
		return;
	for (i = 0; i < f->n; i++) {
		struct member *p = &f->m[i];

		if (i == f->self || p->alive || !p->heard || p->ghost ||
		    p->hb.state == PHX_CCP_STATE_STOPPED ||
		    now - p->lost_at >= window)
			continue;
		if (f->drop_at + f->hello_us >= p->heard_at) {
			p->ghost = true;
			f->ghost_until = 0;
		}
	}
}

static void
clear_ghosts(struct phx_ccp_fsm *f)
{
	unsigned i;

	for (i = 0; i < f->n; i++)
		f->m[i].ghost = false;
	f->ghost_until = 0;
}

#define HB_GARP  0x01   /* the peer stopped forwarding: re-announce */

/* Store a peer's record; returns HB_* flags. */
static unsigned
rec_hb(struct phx_ccp_fsm *f, unsigned i, const struct phx_ccp_hb *hb,
       uint64_t now, struct phx_ccp_actions *a)
{
	struct member *p = &f->m[i];
	bool was_fwd = peer_in(p) && fwd_state(p->hb.state);
	uint16_t unit = p->hb.time_unit_ms;
	unsigned flags = 0;

	if (was_fwd && !fwd_state(hb->state))
		flags |= HB_GARP;
	p->hb = *hb;
	if (hb->time_unit_ms == 0)
		p->hb.time_unit_ms = unit;
	p->heard = true;
	p->alive = true;
	p->heard_at = now;
	p->snap_fwd = fwd_state(f->state);
	if (any_ghost(f))
		clear_ghosts(f);   /* a live reference again */
	if (hb->ifs_required > f->ifs_req && f->ifs_req != 0 &&
	    !p->warned_ifs) {
		p->warned_ifs = true;   /* CCP-36, once per peer and start */
		emit_log(a, PHX_CCP_LOG_NOTICE, "member %u (%s) has more "
			 "interfaces - check your disconnected interfaces "
			 "configuration in the discntd.if file.",
			 p->cfg.id, p->cfg.ip);
	}
	return flags;
}

static void
rec_lost(struct phx_ccp_fsm *f, unsigned i, uint64_t now)
{
	struct member *p = &f->m[i];

	if (!p->alive)
		return;
	p->alive = false;
	p->confirmed = p->stay = false;
	p->lost_at = now;
	check_split(f, now, f->dead_us);
}

static void
rec_ifs(struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev, uint64_t now,
	struct phx_ccp_actions *a)
{
	bool dropped = ev->ifs_up < f->ifs_up || ev->sec_up < f->sec_up;
	uint16_t before_up = f->ifs_up, before_req = f->ifs_req;

	f->ifs_up = ev->ifs_up;
	f->sec_up = ev->sec_up;
	if (ev->ifs_reset) {
		f->ifs_req = f->ifs_up;
		f->sec_req = f->sec_up;
	}
	/* CCP-31: the high-water mark since the last start, unless the
	 * configuration fixes the count */
	if (f->ifs_up > f->ifs_req)
		f->ifs_req = f->ifs_up;
	if (f->ifs_fixed != 0)
		f->ifs_req = f->ifs_fixed;
	if (f->sec_up > f->sec_req)
		f->sec_req = f->sec_up;
	if (f->ifs_up < f->ifs_req &&
	    (f->ifs_up != before_up || f->ifs_req != before_req))
		emit_log(a, PHX_CCP_LOG_NOTICE,
			 "%u interfaces required, only %u up.", f->ifs_req,
			 f->ifs_up);
	if (!ifs_short(f))
		f->drop_at = 0;
	if (dropped) {
		f->drop_at = now;
		f->ghost_until = 0;
		/* a late report: only a loss within the last hello can be
		 * the same incident (a peer dead longer ago stays dead) */
		check_split(f, now, f->hello_us);
	} else if (any_ghost(f) && f->ghost_until == 0 && !ifs_short(f)) {
		/* our side of the cut is back and we still hear nobody:
		 * the peers get dead_count hellos to show up */
		f->ghost_until = now + peers_dead_us(f);
	}
}

static void
rec_pnote(struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev)
{
	f->pnote = ev->pnote;
	snprintf(f->device, sizeof(f->device), "%s",
		 ev->device != NULL ? ev->device : "");
}

static void
rec_cfg(struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev)
{
	f->cfg_gen = ev->cfg_gen;
	memcpy(f->cfg_digest, ev->cfg_digest, sizeof(f->cfg_digest));
	f->joining = ev->joining;
}

/* Data events every state records; returns HB_* flags for heartbeats. */
static unsigned
rec_common(struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev, int pi,
	   uint64_t now, struct phx_ccp_actions *a)
{
	switch (ev->type) {
	case PHX_CCP_EV_HEARTBEAT:
	case PHX_CCP_EV_REQUEST:
		return rec_hb(f, (unsigned)pi, &ev->hb, now, a);
	case PHX_CCP_EV_PEER_LOST:
		rec_lost(f, (unsigned)pi, now);
		break;
	case PHX_CCP_EV_IFS:
		rec_ifs(f, ev, now, a);
		break;
	case PHX_CCP_EV_PNOTE:
		rec_pnote(f, ev);
		break;
	case PHX_CCP_EV_CONFIG:
		rec_cfg(f, ev);
		break;
	case PHX_CCP_EV_ADMIN_DOWN:
		f->admin_down = true;
		break;
	case PHX_CCP_EV_ADMIN_UP:
		f->admin_down = false;
		break;
	default:
		break;
	}
	return 0;
}

/* Answer a peer's request: confirm only if we elect it too. Called after
 * settle(), so a member that gives way has already released the VIPs. */
static void
answer(struct phx_ccp_fsm *f, int pi, const struct phx_ccp_evt *ev,
       struct phx_ccp_actions *a)
{
	struct rec r[PHX_CCP_FSM_MAX_MEMBERS];
	struct phx_ccp_action *x;
	int ref, w = elect(f, r, &ref);

	x = emit(a, PHX_CCP_ACT_SEND_CONFIRM);
	if (x == NULL)
		return;
	x->peer = f->m[pi].cfg.id;
	x->seq = ev->seq;
	if (ev->intent == PHX_CCP_INTENT_GIVE_WAY) {
		/* yes: someone else should forward; no: stay (CCP-65).
		 * While we listen we cannot take over yet: stay, and
		 * say why (the asker then waits for our request) */
		bool starting = w == (int)f->self && f->listening;

		x->ok = w != pi && !starting;
		x->deny = x->ok ? PHX_CCP_DENY_NONE :
			  starting ? PHX_CCP_DENY_STARTING :
				     PHX_CCP_DENY_ROLE_HELD;
		return;
	}
	x->ok = w == pi;
	if (x->ok)
		x->deny = PHX_CCP_DENY_NONE;
	else if (is_stale(r, ref, (unsigned)pi))
		x->deny = PHX_CCP_DENY_CONFIG;
	else if (w >= 0 && r[w].ifs > r[pi].ifs)
		x->deny = PHX_CCP_DENY_MORE_IFS;
	else
		x->deny = PHX_CCP_DENY_ROLE_HELD;
}

static void
unexpected(struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev,
	   struct phx_ccp_actions *a)
{
	f->unexpected++;
	emit_log(a, PHX_CCP_LOG_WARNING, "ccp: unexpected event %s in state %s",
		 phx_ccp_event_names[ev->type],
		 (unsigned)f->state < PHX_CCP_STATE_MAX ?
		 phx_ccp_state_names[f->state] : "?");
}

static void
do_stop(struct phx_ccp_fsm *f, uint64_t now, struct phx_ccp_actions *a)
{
	emit_log(a, PHX_CCP_LOG_INFO, "Stopping ClusterXL.");
	f->synced = false;
	f->req_open = false;
	clear_ghosts(f);
	set_reason(f, "cphastop");
	nstate(f, PHX_CCP_STATE_STOPPED, 0, now, a);
}

static void
do_start(struct phx_ccp_fsm *f, uint64_t now, struct phx_ccp_actions *a)
{
	unsigned i;

	emit_log(a, PHX_CCP_LOG_INFO, "Starting ClusterXL.");
	/* a restart: required counts start again from what is up now */
	f->ifs_req = f->ifs_fixed != 0 ? f->ifs_fixed : f->ifs_up;
	f->sec_req = f->sec_up;
	f->synced = false;
	f->listen_until = now + f->dead_us;
	for (i = 0; i < f->n; i++)
		f->m[i].warned_ifs = false;
	set_reason(f, "cphastart");
	nstate(f, PHX_CCP_STATE_INIT, 0, now, a);
}

/* ---- per-state handlers ------------------------------------------------ */

/* Initializing: record everything, decide nothing until sync is done;
 * answer requests so a starting member never blocks a takeover. */
static void
st_init(struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev, int pi,
	uint64_t now, struct phx_ccp_actions *a)
{
	switch (ev->type) {
	case PHX_CCP_EV_SYNC_DONE:
		f->synced = true;
		settle(f, -1, now, a);
		break;
	case PHX_CCP_EV_REQUEST:
		rec_common(f, ev, pi, now, a);
		if (ev->intent == PHX_CCP_INTENT_GIVE_WAY)
			emit_send_state(f, a);
		answer(f, pi, ev, a);
		break;
	case PHX_CCP_EV_CONFIRM:
		break;   /* we asked nothing: a late answer */
	case PHX_CCP_EV_ADMIN_STOP:
		do_stop(f, now, a);
		break;
	case PHX_CCP_EV_ADMIN_START:
	case PHX_CCP_EV_TIMER:
		unexpected(f, ev, a);
		break;
	default:
		rec_common(f, ev, pi, now, a);
		break;
	}
}

/* Emit our state unless this call already did: the record that goes
 * with an answer to a GIVE_WAY request (CCP-64). */
static void
reply_state(const struct phx_ccp_fsm *f, unsigned first,
	    struct phx_ccp_actions *a)
{
	unsigned i;

	for (i = first; i < a->n; i++)
		if (a->a[i].type == PHX_CCP_ACT_SEND_STATE)
			return;
	emit_send_state(f, a);
}

/* Ready, Standby, Active, Active Attention, Down: every data event goes
 * through the election; they differ in settle() only. */
static void
st_running(struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev, int pi,
	   uint64_t now, struct phx_ccp_actions *a)
{
	unsigned first = a->n, hbf;

	switch (ev->type) {
	case PHX_CCP_EV_REQUEST:
		rec_common(f, ev, pi, now, a);
		if (ev->intent == PHX_CCP_INTENT_ACTIVATE) {
			settle(f, pi, now, a);
		} else {
			settle(f, -1, now, a);
			reply_state(f, first, a);
		}
		answer(f, pi, ev, a);
		break;
	case PHX_CCP_EV_CONFIRM:
		/* a late answer to an earlier request is ignored */
		if (f->req_open && ev->seq == f->req_seq &&
		    (ev->ok || f->req_intent == PHX_CCP_INTENT_GIVE_WAY)) {
			f->m[pi].confirmed = true;
			f->m[pi].stay = !ev->ok &&
					ev->deny == PHX_CCP_DENY_STARTING;
		}
		settle(f, -1, now, a);
		break;
	case PHX_CCP_EV_ADMIN_STOP:
		do_stop(f, now, a);
		break;
	case PHX_CCP_EV_SYNC_DONE:
	case PHX_CCP_EV_ADMIN_START:
		unexpected(f, ev, a);
		break;
	case PHX_CCP_EV_TIMER:
		if (f->listening) {
			/* listened long enough: ask, or take over alone */
			f->listening = false;
			settle(f, -1, now, a);
			break;
		}
		if (!f->req_open) {
			unexpected(f, ev, a);
			break;
		}
		/* finish if we may, else ask again */
		settle(f, -1, now, a);
		if (f->req_open)
			send_request(f, f->req_intent, now, a);
		break;
	default:
		hbf = rec_common(f, ev, pi, now, a);
		settle(f, -1, now, a);
		if ((hbf & HB_GARP) && fwd_state(f->state))
			emit(a, PHX_CCP_ACT_GARP);
		break;
	}
}

/*
 * Stopped: out of the cluster (FAIL-61). Keep the view current for
 * `phx state` and wait for cphastart. Requests are still answered, by the
 * election in which we are no contender, so a peer that does not know we
 * stopped (the wire shows Stopped as Down) never waits for us.
 */
static void
st_stopped(struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev, int pi,
	   uint64_t now, struct phx_ccp_actions *a)
{
	switch (ev->type) {
	case PHX_CCP_EV_ADMIN_START:
		do_start(f, now, a);
		break;
	case PHX_CCP_EV_REQUEST:
		rec_common(f, ev, pi, now, a);
		if (ev->intent == PHX_CCP_INTENT_GIVE_WAY)
			emit_send_state(f, a);
		answer(f, pi, ev, a);
		break;
	case PHX_CCP_EV_CONFIRM:
		break;
	case PHX_CCP_EV_SYNC_DONE:
	case PHX_CCP_EV_ADMIN_STOP:
	case PHX_CCP_EV_TIMER:
		unexpected(f, ev, a);
		break;
	default:
		rec_common(f, ev, pi, now, a);
		break;
	}
}

static void
dispatch(struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev, int pi,
	 uint64_t now, struct phx_ccp_actions *a)
{
	switch (f->state) {
	case PHX_CCP_STATE_INIT:
		st_init(f, ev, pi, now, a);
		break;
	case PHX_CCP_STATE_READY:
	case PHX_CCP_STATE_STANDBY:
	case PHX_CCP_STATE_ACTIVE:
	case PHX_CCP_STATE_ACTIVE_ATTENTION:
	case PHX_CCP_STATE_DOWN:
		st_running(f, ev, pi, now, a);
		break;
	case PHX_CCP_STATE_STOPPED:
		st_stopped(f, ev, pi, now, a);
		break;
	case PHX_CCP_STATE_LOST:
	case PHX_CCP_STATE_MAX:
		/* never a local state: a bug. Degrade safely (STYLE 3.4):
		 * name the pair, then start over as a stopped member */
		assert(!"impossible local state");
		unexpected(f, ev, a);
		f->state = PHX_CCP_STATE_STOPPED;
		break;
	}
}

/* ---- public API -------------------------------------------------------- */

struct phx_ccp_fsm *
phx_ccp_fsm_create(const struct phx_ccp_fsm_params *p, uint64_t now)
{
	struct phx_ccp_fsm *f;
	unsigned i, j;
	int self = -1;

	if (p == NULL || p->n_members < 2 ||
	    p->n_members > PHX_CCP_FSM_MAX_MEMBERS ||
	    !timers_ok(p->hello_us, p->dead_count, p->recovery))
		goto inval;
	for (i = 0; i < p->n_members; i++) {
		const struct phx_ccp_member_cfg *m = &p->members[i];

		if (m->id == 0 || m->prio == 0 || m->prio > p->n_members)
			goto inval;
		for (j = 0; j < i; j++)
			if (p->members[j].id == m->id ||
			    p->members[j].prio == m->prio)
				goto inval;
		if (m->id == p->local_id)
			self = (int)i;
	}
	if (self < 0)
		goto inval;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->n = p->n_members;
	f->self = (uint8_t)self;
	for (i = 0; i < f->n; i++) {
		f->m[i].cfg = p->members[i];
		f->m[i].cfg.ip[sizeof(f->m[i].cfg.ip) - 1] = '\0';
		f->m[i].hb.prio = p->members[i].prio;
		f->m[i].hb.state = PHX_CCP_STATE_INIT;
	}
	f->hello_us = p->hello_us;
	f->dead_count = p->dead_count;
	f->dead_us = (uint64_t)p->hello_us * p->dead_count;
	f->recovery = p->recovery;
	f->state = PHX_CCP_STATE_INIT;
	f->listen_until = now + f->dead_us;
	f->pnote = PHX_PNOTE_OK;
	f->ifs_fixed = p->ifs_required;
	f->ifs_req = p->ifs_required;
	f->cfg_gen = p->cfg_gen;
	memcpy(f->cfg_digest, p->cfg_digest, sizeof(f->cfg_digest));
	f->joining = p->joining;
	set_reason(f, "starting");
	return f;
inval:
	errno = EINVAL;
	return NULL;
}

void
phx_ccp_fsm_free(struct phx_ccp_fsm *fsm)
{
	free(fsm);
}

/* Untrusted input checks (STYLE 3.4); the peer index or -1. */
static int
check_event(const struct phx_ccp_fsm *f, const struct phx_ccp_evt *ev,
	    int *pi)
{
	*pi = -1;
	if ((unsigned)ev->type >= PHX_CCP_EV_MAX)
		return -EINVAL;
	switch (ev->type) {
	case PHX_CCP_EV_HEARTBEAT:
	case PHX_CCP_EV_REQUEST:
		if (ev->type == PHX_CCP_EV_REQUEST &&
		    (unsigned)ev->intent >= PHX_CCP_INTENT_MAX)
			return -EINVAL;
		if (ev->hb.state >= PHX_CCP_STATE_MAX ||
		    ev->hb.state == PHX_CCP_STATE_LOST ||
		    ev->hb.pnote >= PHX_PNOTE_STATUS_MAX || ev->hb.prio == 0)
			return -EINVAL;
		/* fall through */
	case PHX_CCP_EV_CONFIRM:
		if ((unsigned)ev->deny >= PHX_CCP_DENY_MAX)
			return -EINVAL;
		/* fall through */
	case PHX_CCP_EV_PEER_LOST:
		*pi = index_of(f, ev->peer);
		if (*pi < 0 || *pi == (int)f->self)
			return -EINVAL;
		break;
	case PHX_CCP_EV_PNOTE:
		if ((unsigned)ev->pnote >= PHX_PNOTE_STATUS_MAX)
			return -EINVAL;
		break;
	default:
		break;
	}
	return 0;
}

int
phx_ccp_fsm_event(struct phx_ccp_fsm *fsm, const struct phx_ccp_evt *ev,
		  uint64_t now, struct phx_ccp_actions *acts)
{
	int pi, rc;

	if (acts != NULL) {
		acts->n = 0;
		acts->dropped = 0;
	}
	if (fsm == NULL || ev == NULL || acts == NULL)
		return -EINVAL;
	rc = check_event(fsm, ev, &pi);
	if (rc != 0)
		return rc;
	dispatch(fsm, ev, pi, now, acts);
	return 0;
}

int
phx_ccp_fsm_set_timers(struct phx_ccp_fsm *fsm, uint32_t hello_us,
		       uint32_t dead_count, enum phx_ccp_recovery recovery)
{
	if (fsm == NULL || !timers_ok(hello_us, dead_count, recovery))
		return -EINVAL;
	fsm->hello_us = hello_us;
	fsm->dead_count = dead_count;
	fsm->dead_us = (uint64_t)hello_us * dead_count;
	fsm->recovery = recovery;
	return 0;
}

void
phx_ccp_fsm_listen_from(struct phx_ccp_fsm *f, uint64_t now)
{
	f->listen_until = now + f->dead_us;
}

void
phx_ccp_fsm_tick(struct phx_ccp_fsm *fsm, uint64_t now,
		 struct phx_ccp_actions *acts)
{
	unsigned i;

	acts->n = 0;
	acts->dropped = 0;
	for (i = 0; i < fsm->n; i++) {
		struct member *p = &fsm->m[i];

		if (i != fsm->self && p->alive &&
		    now - p->heard_at >= peer_dead_us(fsm, p)) {
			struct phx_ccp_evt ev = {
				.type = PHX_CCP_EV_PEER_LOST,
				.peer = p->cfg.id,
			};

			dispatch(fsm, &ev, (int)i, now, acts);
		}
	}
	if (fsm->ghost_until != 0 && now >= fsm->ghost_until) {
		clear_ghosts(fsm);
		settle(fsm, -1, now, acts);
	}
	if (fsm->deadline != 0 && now >= fsm->deadline) {
		struct phx_ccp_evt ev = { .type = PHX_CCP_EV_TIMER };

		fsm->deadline = 0;
		dispatch(fsm, &ev, -1, now, acts);
	}
}

uint64_t
phx_ccp_fsm_peer_dead_us(const struct phx_ccp_fsm *fsm, uint8_t id)
{
	int i = index_of(fsm, id);

	return i < 0 || (unsigned)i == fsm->self ? fsm->dead_us :
	       peer_dead_us(fsm, &fsm->m[i]);
}

uint64_t
phx_ccp_fsm_next_deadline(const struct phx_ccp_fsm *fsm)
{
	uint64_t t = UINT64_MAX;
	unsigned i;

	for (i = 0; i < fsm->n; i++)
		if (i != fsm->self && fsm->m[i].alive &&
		    fsm->m[i].heard_at + peer_dead_us(fsm, &fsm->m[i]) < t)
			t = fsm->m[i].heard_at +
			    peer_dead_us(fsm, &fsm->m[i]);
	if (fsm->deadline != 0 && fsm->deadline < t)
		t = fsm->deadline;
	if (fsm->ghost_until != 0 && fsm->ghost_until < t)
		t = fsm->ghost_until;
	return t;
}

void
phx_ccp_fsm_heartbeat(const struct phx_ccp_fsm *fsm, struct phx_ccp_hb *hb)
{
	own_hb(fsm, hb);
}

enum phx_ccp_state
phx_ccp_fsm_state(const struct phx_ccp_fsm *fsm)
{
	return fsm->state;
}

bool
phx_ccp_fsm_forwarding(const struct phx_ccp_fsm *fsm)
{
	return fwd_state(fsm->state);
}

int
phx_ccp_fsm_set_ip(struct phx_ccp_fsm *fsm, uint8_t id, const char *ip)
{
	int i;

	if (fsm == NULL || ip == NULL)
		return -EINVAL;
	i = index_of(fsm, id);
	if (i < 0)
		return -EINVAL;
	snprintf(fsm->m[i].cfg.ip, sizeof(fsm->m[i].cfg.ip), "%s", ip);
	return 0;
}

unsigned
phx_ccp_fsm_view(const struct phx_ccp_fsm *fsm, uint64_t now,
		 struct phx_ccp_member_view *out, unsigned max)
{
	struct rec r[PHX_CCP_FSM_MAX_MEMBERS];
	unsigned prio, i, n = 0;
	int ref;

	build_recs(fsm, r);
	ref = cfg_ref(fsm, r);
	for (prio = 1; prio <= fsm->n; prio++) {
		for (i = 0; i < fsm->n; i++) {
			const struct member *m = &fsm->m[i];
			struct phx_ccp_member_view *v;

			if (m->cfg.prio != prio)
				continue;
			if (n++ >= max || out == NULL)
				continue;
			v = &out[n - 1];
			*v = (struct phx_ccp_member_view){
				.id = m->cfg.id,
				.prio = m->cfg.prio,
				.local = i == fsm->self,
				.cfg_stale = is_stale(r, ref, i),
				.ghost = m->ghost,
			};
			snprintf(v->ip, sizeof(v->ip), "%s", m->cfg.ip);
			if (i == fsm->self) {
				v->state = fsm->state;
				v->heard_age_us = 0;
				v->ifs_up = fsm->ifs_up;
				v->ifs_required = fsm->ifs_req;
				v->pnote = fsm->pnote;
				v->cfg_gen = fsm->cfg_gen;
				memcpy(v->cfg_digest, fsm->cfg_digest,
				       sizeof(v->cfg_digest));
				continue;
			}
			v->state = m->alive ? (enum phx_ccp_state)m->hb.state
					    : PHX_CCP_STATE_LOST;
			v->heard_age_us = !m->heard ? UINT64_MAX :
					  now > m->heard_at ?
					  now - m->heard_at : 0;
			v->ifs_up = m->hb.ifs_up;
			v->ifs_required = m->hb.ifs_required;
			v->pnote = (enum phx_pnote_status)m->hb.pnote;
			v->cfg_gen = m->hb.cfg_gen;
			memcpy(v->cfg_digest, m->hb.cfg_digest,
			       sizeof(v->cfg_digest));
		}
	}
	return n;
}

void
phx_ccp_fsm_local(const struct phx_ccp_fsm *fsm,
		  struct phx_ccp_local_info *out)
{
	*out = (struct phx_ccp_local_info){
		.state = fsm->state,
		.forwarding = fwd_state(fsm->state),
		.ifs_up = fsm->ifs_up,
		.ifs_required = fsm->ifs_req,
		.sec_up = fsm->sec_up,
		.sec_required = fsm->sec_req,
		.pnote = fsm->pnote,
		.admin_down = fsm->admin_down,
		.recovery = fsm->recovery,
		.transitions = fsm->transitions,
		.unexpected = fsm->unexpected,
	};
	snprintf(out->reason, sizeof(out->reason), "%s", fsm->reason);
}
