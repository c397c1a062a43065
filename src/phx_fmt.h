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
 */
#ifndef PHX_SRC_PHX_FMT_H
#define PHX_SRC_PHX_FMT_H

#include <stdbool.h>
#include <stddef.h>
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
 * /phalanx/arp pages (the answers to /phalanx/arp,0 .. ,n_pages-1, or one
 * page) as one table and an "N entries" footer; when a single page of a
 * longer table is shown the footer says which page and how to see more.
 */
int phx_fmt_arp(FILE *out, json_t *const *pages, size_t n_pages,
		char *err, size_t errlen);

/* /phalanx/routes as a table and an "N routes" footer. */
int phx_fmt_routes(FILE *out, json_t *ans, char *err, size_t errlen);

/* /phalanx/policy as labelled lines; the last reload's time in local
 * time ("never" for 0). */
int phx_fmt_policy(FILE *out, json_t *ans, char *err, size_t errlen);

/* /phalanx/rules: a "Policy generation N" line, a table of the rules in
 * policy order and an "N rules" footer. */
int phx_fmt_rules(FILE *out, json_t *ans, char *err, size_t errlen);

#endif /* PHX_SRC_PHX_FMT_H */
