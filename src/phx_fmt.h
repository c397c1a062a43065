/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text rendering of the member's telemetry answers for phx: one function
 * per command (docs/telemetry.md gives each answer's shape) plus a small
 * column-table helper.
 *
 * Every renderer validates the whole answer before it writes a byte, so a
 * malformed answer (a missing key, a wrong type, columns of different
 * lengths) gives one clear error and no half-printed table; it never
 * crashes or reads past what the answer holds. Strings from the member are
 * printed with control characters replaced, so a hostile or broken member
 * cannot drive the operator's terminal. Renderers take a json_t and a FILE
 * and keep no state, so the unit tests feed them fixed answers and compare
 * the exact text.
 *
 * Renderers return 0, or -EINVAL with a message in err (an answer that
 * does not have the documented shape; "null" is one) or -ENOMEM. Any
 * thread; phx is single-threaded.
 *
 * The checks of command arguments that phx makes before asking (conn's
 * filters, reload's timeout) and the decision of a reload's outcome live
 * here too, so that the same unit tests cover them.
 */
#ifndef PHX_SRC_PHX_FMT_H
#define PHX_SRC_PHX_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

enum phx_fmt_align {
	PHX_FMT_LEFT,
	PHX_FMT_RIGHT,   /* numbers */
};

struct phx_fmt_col {
	const char *title;          /* header text */
	enum phx_fmt_align align;
};

/* Rows of strings printed under a header, each column as wide as its
 * widest cell, two spaces between columns, no trailing blanks. */
struct phx_fmt_table {
	const struct phx_fmt_col *cols;  /* borrowed; n_cols entries */
	unsigned n_cols;
	size_t n_rows;
	size_t cap_rows;                 /* rows allocated in cells */
	char **cells;                    /* n_rows * n_cols, owned copies */
};

void phx_fmt_table_init(struct phx_fmt_table *t,
			const struct phx_fmt_col *cols, unsigned n_cols);
/* Append a row of n_cols strings (copied, control characters replaced).
 * Returns 0 or -ENOMEM. */
int phx_fmt_table_add(struct phx_fmt_table *t, const char *const *cells);
void phx_fmt_table_print(const struct phx_fmt_table *t, FILE *out);
void phx_fmt_table_fini(struct phx_fmt_table *t);

/*
 * A member that could not serve a command for a reason of its own (a
 * worker did not respond, out of memory; not a bad parameter, which
 * answers null) answers {"error": "<why>"} (docs/telemetry.md): the why,
 * borrowed from ans, or NULL for any other answer.
 */
const char *phx_fmt_error_answer(json_t *ans);

/* Any answer as indented JSON and a newline (--json, phx raw). */
int phx_fmt_json(FILE *out, const json_t *answer);

/* /phalanx/version: labelled lines, uptime as "1d 02:03:04". */
int phx_fmt_version(FILE *out, json_t *ans, char *err, size_t errlen);

/* /phalanx/config: one "key  value" line per key, in the order sent. */
int phx_fmt_config(FILE *out, json_t *ans, char *err, size_t errlen);

/*
 * /phalanx/pstat in the manner of `fw ctl pstat`: a header naming member
 * (NULL prints "?"), scope and worker count, and the gauges (live and
 * maximum sessions, policy generation; a daemon that sends none of them
 * gets no gauge line); "Packets:" with every
 * counter in the order sent, related counters (rx/tx/fwd/..., icmp_*,
 * arp_ and neigh_*, ...) grouped by blank lines; "Drops:" with the
 * non-zero reasons (all of them when all_drops), their descriptions from
 * lib/drop_reason.h, and a total.
 */
int phx_fmt_pstat(FILE *out, json_t *ans, const char *member,
		  bool all_drops, char *err, size_t errlen);

/* /phalanx/ports as a table like `cphaprob -a if`, one row per port in
 * the order sent, and a "N ports, M up" footer. */
int phx_fmt_ports(FILE *out, json_t *ans, char *err, size_t errlen);

/*
 * /phalanx/arp comes in pages by slot (docs/telemetry.md): the first
 * asked without a parameter, then "/phalanx/arp,<*next>" until *next is
 * -1. phx_fmt_arp_next() checks one answer completely, and that it is
 * the page from slot from (0 for the first) and goes on beyond it; sets
 * *next. Returns 0 or -EINVAL with err.
 */
int phx_fmt_arp_next(json_t *page, uint64_t from, int64_t *next, char *err,
		     size_t errlen);

/*
 * Consecutive pages of one walk, the first of them page number first (0
 * for the first page, or for --all), as one table and an "N entries"
 * footer; when a single page of a longer table is shown the footer says
 * which page and how to see more.
 */
int phx_fmt_arp(FILE *out, json_t *const *pages, size_t n_pages,
		uint64_t first, char *err, size_t errlen);

/*
 * A walk of n_pages pages (last: the last of them) ended before page:
 * the operator's message in msg ("page 5 is beyond the last: the table
 * has 3 pages (0-2), 150 entries").
 */
void phx_fmt_arp_beyond(json_t *last, uint64_t page, uint64_t n_pages,
			char *msg, size_t len);

/* /phalanx/routes (all pages, phx_fmt_routes_add) as a table and an "N
 * routes" footer. */
int phx_fmt_routes(FILE *out, json_t *ans, char *err, size_t errlen);

/*
 * /phalanx/routes comes in pages as /phalanx/rules does (below), without
 * a generation: routes change only with a restart. Returns as
 * phx_fmt_rules_add(), -EAGAIN when the route count changed (the member
 * restarted between two pages).
 */
int phx_fmt_routes_add(json_t *all, json_t *page, uint64_t from,
		       int64_t *next, char *err, size_t errlen);

/* /phalanx/policy as labelled lines; the last reload's time in local
 * time ("never" for 0). "last_reload" is an array of strings to join
 * (a daemon's text may be longer than DPDK 22.11 sends in one string)
 * or, from an older daemon, one string. */
int phx_fmt_policy(FILE *out, json_t *ans, char *err, size_t errlen);

/* /phalanx/rules (all pages, phx_fmt_rules_add): a "Policy generation N"
 * line, a table of the rules in policy order and an "N rules" footer. */
int phx_fmt_rules(FILE *out, json_t *ans, char *err, size_t errlen);

/*
 * /phalanx/rules comes in pages (docs/telemetry.md): the caller asks the
 * first without a parameter, then each "/phalanx/rules,<*next>" until
 * *next is -1, and hands every answer, with the index it asked from, to
 * phx_fmt_rules_add(), which checks it and appends its rows to all (an
 * empty object at first). all then has the shape of one page holding
 * every rule (from 0, next -1), as phx_fmt_rules() and the metrics take
 * it. An older daemon's answer, without "next", is the whole table.
 * Returns 0; -EAGAIN when the page belongs to another policy generation
 * (or rule count) than the pages before it: a reload came in between,
 * start over with an empty all; -ENOMEM; -EINVAL with err for a
 * malformed page.
 */
int phx_fmt_rules_add(json_t *all, json_t *page, uint64_t from,
		      int64_t *next, char *err, size_t errlen);

/*
 * /phalanx/conn: the pages of every worker merged into one listing. The
 * caller walks the workers and their pages and hands each answer to
 * phx_fmt_conn_add(), which checks it completely and keeps its rows (up
 * to limit); phx_fmt_conn_print() then prints the table and its footer,
 * "N sessions shown (M live)", or with json the rows as one JSON array
 * of objects {worker, idx, proto, orig, reply, nat, state, remaining_s,
 * rule}. M is the sum of the last "sessions" seen for each worker, unless
 * the caller sets live (it stopped before the last worker).
 */
struct phx_fmt_conn {
	size_t limit;          /* rows kept at most; 0 = every row */
	bool json;             /* keep rows as JSON objects, not cells */
	size_t n_rows;         /* rows kept */
	bool stopped;          /* stopped at limit with rows left (set by
				* phx_fmt_conn_add, or by the caller) */
	bool live_set;         /* caller: live below is the member's total */
	bool live_partial;     /* caller: live counts only visited workers */
	uint64_t live;         /* see live_set */
	/* private */
	uint64_t workers;      /* from the answers; 0 before the first */
	uint64_t live_done;    /* "sessions" of the workers before cur_worker */
	uint64_t cur_live;     /* last "sessions" of cur_worker */
	int64_t cur_worker;    /* worker of the last page; -1 before it */
	struct phx_fmt_table t;
	json_t *rows;
};

void phx_fmt_conn_init(struct phx_fmt_conn *c, size_t limit, bool json);
/*
 * Check one answer to "/phalanx/conn,w=<worker>,from=<from>..." (it must
 * say that worker and from, and a next of -1 or beyond from) and keep its
 * rows while fewer than limit are kept. Sets *next (-1: the worker's table
 * is done) and *workers. Returns 0, -EINVAL (message in err) or -ENOMEM.
 */
int phx_fmt_conn_add(struct phx_fmt_conn *c, json_t *page, uint64_t worker,
		     uint64_t from, int64_t *next, uint64_t *workers,
		     char *err, size_t errlen);
/* limit rows are kept: stop asking. */
bool phx_fmt_conn_full(const struct phx_fmt_conn *c);
int phx_fmt_conn_print(FILE *out, const struct phx_fmt_conn *c);
void phx_fmt_conn_fini(struct phx_fmt_conn *c);

/* "45s", "2m03s", "1h02m03s", "120h00m00s": a lifetime left. */
void phx_fmt_duration(char *buf, size_t len, uint64_t s);

/*
 * phx conn's filters, checked before anything is asked: ip a dotted quad,
 * port 1..65535, proto tcp/udp/icmp, state a TCP state name (any case;
 * not with --proto udp or icmp). NULL members are not given. On success
 * buf holds the parameter text to append after "w=N,from=N": "" or e.g.
 * ",ip=10.1.0.100,port=80,proto=tcp,state=ESTABLISHED". Returns 0, or
 * -EINVAL with a message naming the option and value in err.
 */
struct phx_fmt_conn_filter {
	const char *ip;
	const char *port;
	const char *proto;
	const char *state;
};

int phx_fmt_conn_filter(const struct phx_fmt_conn_filter *f, char *buf,
			size_t len, char *err, size_t errlen);

/* The TCP state names --state takes (lib/tcp_fsm.c's, NONE excepted),
 * NULL-terminated. */
extern const char *const phx_fmt_tcp_states[];

/*
 * The message for an option getopt_long refused with '?': arg is the
 * argument it was in (argv[optind - 1]), opt getopt's optopt. GNU getopt
 * gives a long option that takes no value but got one ("--all=1") as
 * optopt = the option's value, which must not read as an unknown "-a":
 * "option '--all' takes no value"; otherwise "unknown option '-x'" or
 * "unknown option '--frob'".
 */
void phx_fmt_opt_error(const char *arg, int opt, char *msg, size_t len);

/*
 * A number of seconds, "10" or "2.5" (at most three decimals), above 0
 * and at most max_s: *ms in milliseconds. Returns 0 or -EINVAL.
 */
int phx_fmt_seconds(const char *s, unsigned max_s, unsigned *ms);

/*
 * phx reload. phx_fmt_reload_counts() reads reloads_ok and
 * reloads_failed from a /phalanx/policy answer. phx_fmt_reload_result()
 * compares a later answer with them: 0 while neither grew, 1 when the
 * reload succeeded ("reload ok: generation N" in msg), 2 when it was
 * refused ("reload refused: <why>", the member's whole text as far as
 * msglen allows); -EINVAL for a malformed answer or counters that went
 * down (the member restarted).
 */
int phx_fmt_reload_counts(json_t *policy, uint64_t *ok, uint64_t *failed,
			  char *err, size_t errlen);
int phx_fmt_reload_result(json_t *policy, uint64_t ok0, uint64_t failed0,
			  char *msg, size_t msglen, char *err, size_t errlen);

/*
 * Prometheus text exposition (format 0.0.4) of one member: every pstat
 * counter as phalanx_<name>_total, drops as phalanx_drops_total{reason=},
 * the gauges phalanx_sessions, phalanx_sessions_max and
 * phalanx_policy_generation, per-port counters and phalanx_port_up from
 * /phalanx/ports, phalanx_rule_hits_total{rule=} from /phalanx/rules; every
 * series labelled member="<name>". With per_worker, pstat holds one answer
 * per worker and one for ctl, each labelled worker="<N>" (or "ctl");
 * else one answer, the sums. With cluster (a clustered member) also the
 * state set phalanx_cluster_state{state=} (1 for the current state, 0 for
 * the others), phalanx_cluster_forwarding, _transitions_total, the
 * interface gauges, and every /phalanx/cluster/ccp counter:
 * phalanx_ccp_frames_total{dir=} ({tx,rx}_frames),
 * phalanx_ccp_messages_total{dir=,type=} ({tx,rx}_heartbeats, _requests,
 * _confirms, _garps), phalanx_ccp_drops_total{reason=} (drop_<reason>),
 * and phalanx_ccp_<key>_total for any other key.
 */
struct phx_fmt_metrics {
	json_t *version;        /* /phalanx/version: the member's name */
	json_t *const *pstat;   /* answers to /phalanx/pstat[,N|,ctl] */
	size_t n_pstat;
	bool per_worker;
	json_t *ports;          /* /phalanx/ports */
	json_t *rules;          /* /phalanx/rules */
	json_t *cluster;        /* /phalanx/cluster of a clustered member,
				 * or NULL: no cluster metrics */
	json_t *ccp;            /* /phalanx/cluster/ccp, with cluster */
};

int phx_fmt_metrics(FILE *out, const struct phx_fmt_metrics *m, char *err,
		    size_t errlen);

/*
 * The cluster commands (SPEC 6.2-6.5; answers in docs/telemetry.md).
 *
 * phx_fmt_cluster_enabled() reads /phalanx/cluster's "enabled": 1, 0 (the
 * member has no cluster section), or -EINVAL. Every renderer that takes
 * the /phalanx/cluster answer wants a clustered member's.
 */
int phx_fmt_cluster_enabled(json_t *cluster, char *err, size_t errlen);

/*
 * phx state (CLI-10): "Cluster mode:" (mode and recovery), a table of the
 * members (/phalanx/cluster/members, in the order sent): Number (the
 * priority; "(local)" after the local member's), an ID column only when
 * some member's ID differs from its number, Unique Address, Assigned
 * Load (100% for a forwarding member), State, Last heard; then the local
 * member's reason, last change, critical devices, interfaces and
 * configuration, and a warning per member with cfg_stale or ghost set.
 */
int phx_fmt_state(FILE *out, json_t *cluster, json_t *members, char *err,
		  size_t errlen);

/*
 * phx if's cluster part (CLI-20): the required interface counts and one
 * line per monitored interface (/phalanx/cluster/if): "in0  UP  (non
 * secured, unique, multicast)", "DOWN (12.3 secs)"; with vips the
 * "Virtual cluster interfaces: N" section, one "port  address" line per
 * VIP (its prefix length left out).
 */
int phx_fmt_cluster_if(FILE *out, json_t *cluster, json_t *ifs, bool vips,
		       char *err, size_t errlen);

/* phx list (CLI-30): /phalanx/cluster/pnotes as "Built-in Devices:" (the
 * display-only checks, regno -1) and "Registered Devices:" blocks. */
int phx_fmt_pnotes(FILE *out, json_t *ans, char *err, size_t errlen);

/* phx ccpstat: /phalanx/cluster/ccp, "name  value" per counter in the
 * order sent, a blank line where the name's first word changes. */
int phx_fmt_ccpstat(FILE *out, json_t *ans, char *err, size_t errlen);

/* The {"ok": 0|1, "message": "..."} answer of /phalanx/cluster/admin and
 * /phalanx/cluster/pnote: *ok and *msg (borrowed from ans), or -EINVAL. */
int phx_fmt_action_result(json_t *ans, bool *ok, const char **msg,
			  char *err, size_t errlen);

/*
 * phx register/report/unregister arguments (SPEC CCP-71, lib/pnote.h),
 * checked before asking: a device name of 1..15 printable characters
 * without spaces; a timeout in whole seconds 0..UINT32_MAX (0 = none);
 * a status ok|init|problem in any case (*word: its lower-case spelling).
 * Each returns 0 or -EINVAL with a message quoting the value in err.
 */
int phx_fmt_pnote_name(const char *name, char *err, size_t errlen);
int phx_fmt_pnote_timeout(const char *s, uint32_t *timeout_s, char *err,
			  size_t errlen);
int phx_fmt_pnote_status(const char *s, const char **word, char *err,
			 size_t errlen);

/*
 * phx register -f: the request "/phalanx/cluster/pnote,regfile[p] TEXT"
 * for the file's text (len bytes, NUL-terminated at len). The file is
 * first checked as the member will check it (lib/pnote on an empty
 * registry), so a bad line fails here with the member's message and the
 * file's line number ("line 3: invalid timeout ..."). TEXT is then the
 * device lines only (blank and comment lines left out), each one's words
 * joined by one space, with ';' between lines; the member turns ';' back
 * into line ends. Returns the number of devices, or -EINVAL (a NUL byte,
 * a ';' in a device line, a line lib/pnote refuses, no device at all),
 * -E2BIG (the request does not fit reqlen, the most the member reads
 * plus one) or -ENOMEM, with the message in err.
 */
int phx_fmt_pnote_file(const char *text, size_t len, bool persistent,
		       char *req, size_t reqlen, char *err, size_t errlen);

/*
 * phx doctor: sync health from /phalanx/cluster, /phalanx/cluster/members,
 * /phalanx/sync and /phalanx/sync/peers, judged against SPEC 6.6's
 * healthy ranges and OPS-05's root causes. *checks gets an array of
 * {"level": "ok"|"warning"|"problem", "text"}. 0, -EINVAL (err says
 * what is wrong with an answer) or -ENOMEM.
 */
int phx_fmt_doctor(json_t *cluster, json_t *members, json_t *sync,
		   json_t *peers, json_t **checks, char *err, size_t errlen);
/* The checks a line each and the verdict (out NULL: only count); counts
 * warnings and problems. 0, or -EINVAL for a malformed check. */
int phx_fmt_doctor_print(FILE *out, json_t *checks, unsigned *warnings,
			 unsigned *problems);

/*
 * State synchronisation (SPEC 3, 6.6, 6.7; answers in docs/cli.md).
 * /phalanx/sync is a dict of counters and gauges, null on a member
 * without a cluster; averages are sent as sums and counts (telemetry has
 * no floats) and computed here, "0" when the count is 0.
 *
 * phx syncstat (CLI-50): SPEC 6.6's sections "Sync Statistics (IDs of F&A
 * Peers - 1):" (the peer IDs on the next line), "Other Member Updates:",
 * "Local Updates:", "Timers:", "Queues:" with SPEC's counter names, then
 * phalanx's own: "Phalanx:" (status, full sync, records, new-connection
 * blocking), "Peers:" (/phalanx/sync/peers, a dict of "m<id>" rows) and
 * "Dropped sync frames:" (every drop_<reason> key, the non-zero ones
 * unless all_drops). With "enabled" 0 the first line says loudly that
 * sync is disabled (SYNC-77).
 */
int phx_fmt_syncstat(FILE *out, json_t *sync, json_t *peers, bool all_drops,
		     char *err, size_t errlen);

/*
 * phx pstat's "Synchronization:" section (SPEC 6.7), in the reference
 * output's words; the callback, delta-sync memory, pending and timeout
 * lines only when non-zero.
 */
int phx_fmt_pstat_sync(FILE *out, json_t *sync, char *err, size_t errlen);

/*
 * phx diff (compare two members' session tables).
 *
 * /phalanx/sync/digest: "workers", "sessions", "digest" (16 hex digits)
 * and per worker w<i>_sessions, w<i>_digest; the digest covers the
 * sessions that sync. phx_fmt_digest_read() checks and copies it.
 */
#define PHX_FMT_DIGEST_WORKERS 256   /* phx's worker indexes 0..255 */

struct phx_fmt_digest {
	uint64_t workers;
	uint64_t sessions;
	char digest[17];
	uint64_t w_sessions[PHX_FMT_DIGEST_WORKERS];
	char w_digest[PHX_FMT_DIGEST_WORKERS][17];
};

int phx_fmt_digest_read(json_t *ans, struct phx_fmt_digest *d, char *err,
			size_t errlen);
/* Same totals and digest: the tables hold the same synced sessions. */
bool phx_fmt_digest_equal(const struct phx_fmt_digest *a,
			  const struct phx_fmt_digest *b);
/* Worker w's tables must be read: its digests differ, or the members
 * have different worker counts (sessions then sit on other workers). */
bool phx_fmt_digest_worker_differs(const struct phx_fmt_digest *a,
				   const struct phx_fmt_digest *b, uint64_t w);

/*
 * The sessions of one member, from its /phalanx/conn pages. Sessions
 * whose flags (the "flags" column, dataplane/session.h) say they do not
 * sync (PHX_FMT_SESS_F_NOSYNC: the rule says sync: false) or not yet
 * (PHX_FMT_SESS_F_DELAYED: waiting for sync_delay) are kept with skip set
 * and counted in skipped: the comparison leaves their key out on both
 * sides, so the other member's copy (or its absence) is no difference
 * either. A page without a "flags" column sets no_flags and skips none.
 */
#define PHX_FMT_SESS_F_NOSYNC  0x20   /* PHX_SESS_F_NOSYNC */
#define PHX_FMT_SESS_F_DELAYED 0x80   /* not synced before sync_delay */

struct phx_fmt_diff_row {
	char *key;             /* "tcp 10.1.0.100:40000 > 10.2.0.9:8080";
				* owns the row's strings */
	const char *nat;       /* "" or "snat 10.2.0.11:1025" */
	const char *state;
	uint64_t worker;
	bool skip;             /* does not sync, or not yet */
};

struct phx_fmt_diff_set {
	struct phx_fmt_diff_row *rows;  /* each row one allocation */
	size_t n, cap;
	uint64_t workers;      /* from the pages; 0 before the first */
	uint64_t skipped;      /* rows left out by their flags */
	bool no_flags;         /* a page had no "flags" column */
};

void phx_fmt_diff_set_init(struct phx_fmt_diff_set *s);
/* As phx_fmt_conn_add(), keeping every row that syncs. */
int phx_fmt_diff_set_add(struct phx_fmt_diff_set *s, json_t *page,
			 uint64_t worker, uint64_t from, int64_t *next,
			 uint64_t *workers, char *err, size_t errlen);
void phx_fmt_diff_set_fini(struct phx_fmt_diff_set *s);

enum phx_fmt_diff_kind {
	PHX_FMT_DIFF_ONLY_A,
	PHX_FMT_DIFF_ONLY_B,
	PHX_FMT_DIFF_NAT,      /* same forward key, other NAT */
	PHX_FMT_DIFF_STATE,    /* same forward key, other state */
	PHX_FMT_DIFF_MAX
};

struct phx_fmt_diff_item {
	enum phx_fmt_diff_kind kind;
	const struct phx_fmt_diff_row *a;   /* NULL for ONLY_B */
	const struct phx_fmt_diff_row *b;   /* NULL for ONLY_A */
};

struct phx_fmt_diff {
	uint64_t count[PHX_FMT_DIFF_MAX];
	uint64_t same;         /* sessions on both that agree */
	struct phx_fmt_diff_item *items;  /* in key order */
	size_t n_items, cap_items;
};

/*
 * Compare two sets by forward key (sorting both): sessions on one only,
 * and NAT and state mismatches of the sessions on both (a session may
 * count under both); keys skipped on either side are left out. Pure: no
 * I/O. Returns 0 or -ENOMEM; *d is then
 * released with phx_fmt_diff_fini() (while a and b live: items point
 * into them).
 */
int phx_fmt_diff_compare(struct phx_fmt_diff_set *a,
			 struct phx_fmt_diff_set *b, struct phx_fmt_diff *d);
void phx_fmt_diff_fini(struct phx_fmt_diff *d);

/*
 * The differences, at most limit lines of each kind (0: all): "only on
 * A: <session>", "only on B: ...", "NAT differs: A=[snat ...] B=[none]
 * <key>", "state differs: A=ESTABLISHED B=SYN_SENT <key>", then "differ:
 * N only on A, N only on B, N NAT mismatches, N state mismatches".
 */
void phx_fmt_diff_print(FILE *out, const struct phx_fmt_diff *d,
			size_t limit);
/* The same as JSON: {"only_a": [rows], "only_b": [...], "nat": [{key, a,
 * b}], "state": [...], "count": {...}, "same": N}; NULL: out of memory. */
json_t *phx_fmt_diff_json(const struct phx_fmt_diff *d, size_t limit);

#endif /* PHX_SRC_PHX_FMT_H */
