/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Critical devices ("pnotes", problem notifications; SPEC CCP-70..76,
 * CLI-30, CLI-40): the registry behind `phx list` / `cphaprob list` and
 * `cphaprob -d <dev> ... register|report|unregister`.
 *
 * What: a fixed-size table of devices, each with a status ok/init/problem,
 * an optional report timeout (CCP-72) and the time of its last report.
 * Two kinds:
 *  - built-in devices the daemon reports (CCP-70): "Interface Active
 *    Check", "Synchronization" (#0), "Filter" (#1) and "Workers" (#2, the
 *    phalanx stand-in for fwd/cphad: every worker lcore alive; the worker
 *    counts of the members are not compared yet, CCP-69). They cannot be
 *    unregistered and do not count against the operator limit.
 *  - up to PHX_PNOTE_MAX_REGISTERED (16) operator devices (CCP-71/75),
 *    numbered from PHX_PNOTE_FIRST_REGNO upward (lowest free number).
 * The aggregate status (phx_pnote_aggregate) is what the member FSM
 * consumes (lib/ccp_fsm PHX_CCP_EV_PNOTE): any device in init -> INIT
 * (the member must not forward at all, CCP-60), else any device in problem
 * -> PROBLEM (failover, CCP-73), else OK.
 *
 * Why these choices:
 *  - "Interface Active Check" is display-only: it is not part of the
 *    aggregate. Interface failures are arbitrated by lib/ccp_fsm against
 *    the peers' interface counts (CCP-35): a member that lost an interface
 *    stays up if its peers are worse off, which a plain pnote problem would
 *    not allow.
 *  - The built-ins sit outside the 16-device limit so an operator can
 *    register 16 devices of their own (SPEC 12 scenario 9); numbering them
 *    #0..#2 keeps the `cphaprob list` layout of CLI-30 (Synchronization #0,
 *    Filter #1).
 *  - Pure: no clock, no I/O, no logging. Every mutating call returns, in
 *    struct phx_pnote_out, the CCP-76 log lines to emit, the error text of
 *    CCP-75 on failure, and whether the aggregate changed; the caller logs
 *    and forwards the aggregate to the FSM. Alternative rejected: a
 *    callback per change (re-entrancy into the FSM from inside the
 *    registry, harder to test).
 *  - Time is injected (microseconds, any monotonic origin shared with the
 *    FSM). Timeouts are whole seconds as on the cphaprob command line.
 *
 * Threads: one owner (the control lcore); no locking. Telemetry readers
 * take a copy with phx_pnote_list under the owner's snapshot lock.
 */
#ifndef PHX_LIB_PNOTE_H
#define PHX_LIB_PNOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PHX_PNOTE_NAME_MAX       15  /* characters, no spaces (CCP-71) */
#define PHX_PNOTE_MAX_REGISTERED 16  /* operator devices (CCP-75) */
#define PHX_PNOTE_FIRST_REGNO    3   /* #0..#2 are the registered built-ins */
#define PHX_PNOTE_IP_LEN         46  /* INET6_ADDRSTRLEN */
#define PHX_PNOTE_LABEL_LEN      32  /* a device name, built-ins included */
#define PHX_PNOTE_TEXT_LEN       192 /* one log line or error message */
#define PHX_PNOTE_OUT_MAX        (PHX_PNOTE_MAX_REGISTERED + 4)

/* Device status (CCP-71). Values are stable: they travel in heartbeats. */
enum phx_pnote_status {
	PHX_PNOTE_OK = 0,       /* working */
	PHX_PNOTE_INIT = 1,     /* registered, not known yet: the member is
				 * down and must not forward (CCP-60) */
	PHX_PNOTE_PROBLEM = 2,  /* failed, or no report within the timeout */
	PHX_PNOTE_STATUS_MAX
};

/* `Current state` column of `cphaprob list` (CLI-30): "OK", "init",
 * "problem". */
extern const char *const phx_pnote_status_names[PHX_PNOTE_STATUS_MAX];

/* Built-in devices, in listing order. */
enum phx_pnote_builtin {
	PHX_PNOTE_BI_IFACE = 0, /* "Interface Active Check"; display only */
	PHX_PNOTE_BI_SYNC,      /* "Synchronization" #0: full sync done
				 * (CCP-62) */
	PHX_PNOTE_BI_FILTER,    /* "Filter" #1: a policy is loaded */
	PHX_PNOTE_BI_WORKERS,   /* "Workers" #2: worker lcores alive */
	PHX_PNOTE_BI_MAX
};

extern const char *const phx_pnote_builtin_names[PHX_PNOTE_BI_MAX];

struct phx_pnote_params {
	uint8_t member_id;              /* local member ID, for log lines */
	char ip[PHX_PNOTE_IP_LEN];      /* local unique address, for logs */
	uint32_t builtin_timeout_s[PHX_PNOTE_BI_MAX]; /* 0 = none */
};

/*
 * What a call did, for the caller to act on. Always fully rewritten by
 * a call that takes it (out may be NULL when the caller does not care).
 */
struct phx_pnote_out {
	unsigned n_logs;        /* lines in logs[] */
	char logs[PHX_PNOTE_OUT_MAX][PHX_PNOTE_TEXT_LEN]; /* CCP-76 lines */
	char err[PHX_PNOTE_TEXT_LEN]; /* on failure: the message to print
				       * (CCP-75 text where the SPEC has one) */
	bool agg_changed;       /* aggregate, or the device it comes from,
				 * differs from before the call */
	enum phx_pnote_status agg;  /* aggregate after the call */
	char culprit[PHX_PNOTE_LABEL_LEN]; /* device that set agg; "" if OK */
};

/* One row of `cphaprob list` (CLI-30). */
struct phx_pnote_info {
	char name[PHX_PNOTE_LABEL_LEN]; /* device name */
	int regno;              /* registration number; -1 for the
				 * Interface Active Check */
	bool builtin;           /* built-in (Built-in Devices section for
				 * regno -1, else listed first) */
	bool persistent;        /* registered with -p */
	uint32_t timeout_s;     /* 0 = none */
	enum phx_pnote_status status;
	uint64_t since_report_us; /* since the last report or registration */
};

struct phx_pnote;

/*
 * New registry at time now: the built-ins in PHX_PNOTE_INIT (reported
 * at now), no operator devices. NULL with errno = EINVAL if p is NULL,
 * ENOMEM on allocation failure. Any thread.
 */
struct phx_pnote *phx_pnote_create(const struct phx_pnote_params *p,
				   uint64_t now);

/* Free r; NULL is fine. */
void phx_pnote_free(struct phx_pnote *r);

/*
 * `cphaprob -d <name> -t <timeout_s> -s <status> [-p] register` (CCP-71).
 * name: 1..15 printable characters, no spaces. Returns 0, or
 *  -EINVAL  bad name or status (out->err says which),
 *  -EEXIST  name already in use, built-ins included:
 *           "FW-1: fwha_pnote_register: <NAME> already registered (# <N>)",
 *  -ENOSPC  16 operator devices already registered:
 *           "FW-1: fwha_pnote_register: too many registering members,
 *           cannot register".
 * On error nothing changes. On success logs the device's initial status
 * (CCP-76, reason "registered"). Owner thread only.
 */
int phx_pnote_register(struct phx_pnote *r, const char *name,
		       uint32_t timeout_s, enum phx_pnote_status st,
		       bool persistent, uint64_t now,
		       struct phx_pnote_out *out);

/*
 * `cphaprob -f <file> register` (CLI-40): text holds one device per line,
 * "<device> <timeout> <status>" separated by spaces or tabs; blank lines
 * and lines starting with '#' are skipped. Validate-then-commit: either
 * every line is registered or none is (duplicates inside the file count).
 * Returns the number registered, or the negative errno of the first
 * problem with out->err (parse errors are prefixed "line N: "; the CCP-75
 * messages are left exact). Owner thread only.
 */
int phx_pnote_register_file(struct phx_pnote *r, const char *text,
			    bool persistent, uint64_t now,
			    struct phx_pnote_out *out);

/*
 * The persistent (-p) operator devices as a `-f` file would register them
 * again: "<name> <timeout> <initial status>" a line, in registration-slot
 * order ("" when there are none), into buf. Returns its length, or
 * -ENOSPC when it does not fit (buf then holds whole lines only). The
 * daemon keeps this across restarts (SPEC CCP-71). Owner thread only.
 */
int phx_pnote_persistent_text(const struct phx_pnote *r, char *buf,
			      size_t size);

/*
 * `cphaprob -d <name> -s <status> report` for an operator or built-in
 * device: sets the status, restarts its timeout. reason (may be NULL:
 * "reported") goes into the CCP-76 line, logged only when the status
 * changes. -ENOENT for an unknown device, -EINVAL for a bad status.
 * Owner thread only.
 */
int phx_pnote_report(struct phx_pnote *r, const char *name,
		     enum phx_pnote_status st, const char *reason,
		     uint64_t now, struct phx_pnote_out *out);

/* Same for a built-in by id (the daemon's path); -EINVAL on a bad id. */
int phx_pnote_report_builtin(struct phx_pnote *r, enum phx_pnote_builtin id,
			     enum phx_pnote_status st, const char *reason,
			     uint64_t now, struct phx_pnote_out *out);

/*
 * `cphaprob -d <name> unregister` (CCP-74): the aggregate afterwards
 * depends only on the remaining devices. Returns 0, or -ENOENT with
 * "FW-1: fwha_pnote_unregister: attempting to unregister an
 * unregistered device <NAME>", or -EPERM for a built-in. Owner thread.
 */
int phx_pnote_unregister(struct phx_pnote *r, const char *name,
			 struct phx_pnote_out *out);

/*
 * Expire devices with a timeout T that have not reported for T seconds
 * (CCP-72): they turn problem (reason "no report within T sec") until the
 * next report. Call at least once a second (more often for sub-second
 * reaction); cheap. Owner thread only.
 */
void phx_pnote_tick(struct phx_pnote *r, uint64_t now,
		    struct phx_pnote_out *out);

/*
 * Aggregate status (see the file comment). culprit (may be NULL, else at
 * least PHX_PNOTE_LABEL_LEN bytes) gets the name of the first device, in
 * listing order, with that status; "" when OK. Any thread holding a
 * consistent view (owner, or under the snapshot lock).
 */
enum phx_pnote_status phx_pnote_aggregate(const struct phx_pnote *r,
					  char *culprit);

/* Operator devices registered now (0..16). */
unsigned phx_pnote_count(const struct phx_pnote *r);

/*
 * Rows for `cphaprob list`: the built-ins in enum order, then operator
 * devices by registration number. Writes at most max rows, returns how
 * many rows exist (so a return > max means out was too small).
 */
unsigned phx_pnote_list(const struct phx_pnote *r, uint64_t now,
			struct phx_pnote_info *out, unsigned max);

/* "ok" / "init" / "problem" (command-line spelling, case-insensitive) ->
 * status; -EINVAL otherwise. */
int phx_pnote_status_parse(const char *s, enum phx_pnote_status *st);

#endif /* PHX_LIB_PNOTE_H */
