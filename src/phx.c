/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * phx: the operator CLI of a phalanx member (DESIGN 1). It asks the
 * member's DPDK telemetry socket (docs/telemetry.md) and prints what
 * cluster operators know from cphaprob and fw ctl pstat (SPEC 6), or the
 * raw answer with --json.
 *
 * Commands live in one table of {name, handler, synopsis, help}; adding
 * one is a handler and a row. Global options (which member, --json) come
 * before the command; each handler parses its own options with
 * getopt_long, and every command also takes -h/--help and --json.
 *
 * The telemetry client is spoken directly (src/phx_sock.c) instead of
 * linking DPDK, so phx starts without EAL, hugepages or privileges beyond
 * the socket's, and cannot disturb the member it inspects. The connection
 * is opened on the first request and reused for the rest of the command.
 * The commands that act (failover, stop, start, admin, register,
 * report, unregister, syncstat --reset, conn --clear) are the member's
 * acting telemetry commands, /phalanx/cluster/admin,
 * /phalanx/cluster/pnote, /phalanx/sync/reset and /phalanx/conn/clear,
 * which answer {"ok", "message"}; every other command only reads. phx reload acts with
 * SIGHUP and only watches the telemetry for the result. phx diff is the
 * one command that asks two members.
 *
 * Exit status: 0 success, 1 runtime error (member unreachable, timeout,
 * bad, null or error answer, unloadable config, the member refused, no cluster
 * for a cluster command, standard output not written) or, for phx diff,
 * tables that differ, 2 usage error (checked before anything is asked).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "phx_config.h"
#include "lib/compiler.h"
#include "lib/ccp_wire.h"
#include "lib/config.h"
#include "src/cli_num.h"
#include "src/phx_fmt.h"
#include "src/phx_sock.h"

#define PHX_EXIT_OK      0
#define PHX_EXIT_FAIL    1
#define PHX_EXIT_USAGE   2
#define PHX_DEFAULT_PREFIX "phalanx"
#define PHX_ARP_MAX_PAGES  4096  /* 64 rows each: above neighbors.max */
#define PHX_CMD_LEN        256
#define PHX_CONN_LIMIT     1000    /* phx conn's default --limit */
#define PHX_CONN_LIMIT_MAX 100000000
#define PHX_DIFF_LIMIT     100     /* phx diff's default --limit a kind */
#define PHX_WORKER_MAX     255     /* highest worker index (conn's w=) */
#define PHX_RELOAD_TIMEOUT_S 10    /* phx reload's default --timeout */
#define PHX_RELOAD_TIMEOUT_MAX_S 3600
#define PHX_RELOAD_POLL_MS 100

/* Long-only option values, above any short option character. */
enum {
	OPT_JSON = 0x100,
	OPT_CTL,
	OPT_PAGE,
	OPT_IP,
	OPT_PORT,
	OPT_PROTO,
	OPT_STATE,
	OPT_LIMIT,
	OPT_PER_WORKER,
	OPT_RESET,
	OPT_CLEAR,
	OPT_ALL,
};

#define COMMON_LONGOPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "json", no_argument, NULL, OPT_JSON }

struct phx_cmd;

struct phx_ctx {
	const char *sock_path;       /* -s: socket path, wins over the rest */
	const char *prefix;          /* -p: EAL file prefix */
	const char *cfg_path;        /* -c: member configuration */
	bool json;                   /* --json: raw answers */
	const struct phx_cmd *cmd;   /* command being run, for messages */
	struct phx_sock sock;        /* opened on the first request */
};

typedef int (*phx_cmd_fn)(struct phx_ctx *ctx, int argc, char **argv);

typedef int (*phx_render_fn)(FILE *out, json_t *ans, char *err,
			     size_t errlen);

struct phx_cmd {
	const char *name;
	phx_cmd_fn fn;          /* NULL: no options, ask tel, show with render */
	const char *synopsis;   /* arguments after the name */
	const char *summary;    /* one line for phx --help */
	const char *help;       /* description and options for phx CMD -h */
	const char *tel;        /* with fn NULL: the telemetry command */
	phx_render_fn render;   /* with fn NULL: its table renderer */
};

static const struct phx_cmd *find_cmd(const char *name);

/* ---- messages ---- */

static void
cmd_usage(const struct phx_cmd *cmd, FILE *out)
{
	fprintf(out, "Usage: phx [OPTIONS] %s%s%s\n", cmd->name,
		cmd->synopsis[0] ? " " : "", cmd->synopsis);
}

static void
cmd_help(const struct phx_cmd *cmd, FILE *out)
{
	cmd_usage(cmd, out);
	fprintf(out, "%c%s.\n%s"
		"  -h, --help         this help\n"
		"      --json         print the member's answer as JSON\n",
		toupper((unsigned char)cmd->summary[0]), cmd->summary + 1,
		cmd->help);
}

/*
 * "phx: MESSAGE" on stderr. Messages quote the member's replies (keys,
 * parser errors near a bad token), so control characters are replaced:
 * a broken member must not drive the operator's terminal.
 */
static const char *err_who; /* phx diff: the member being asked */

static void __attribute__((format(printf, 1, 2)))
phx_err(const char *fmt, ...)
{
	char msg[1024];
	size_t n = 0;
	va_list ap;
	char *p;

	if (err_who != NULL) {
		snprintf(msg, sizeof(msg), "%s: ", err_who);
		n = strlen(msg);
	}
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "phx: %s\n", msg);
}

static void
usage(FILE *out);

/* Print "phx[ CMD]: MESSAGE", the usage line and a pointer to --help;
 * returns PHX_EXIT_USAGE. */
static int __attribute__((format(printf, 2, 3)))
usage_err(const struct phx_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "phx%s%s: ", ctx->cmd ? " " : "",
		ctx->cmd ? ctx->cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (ctx->cmd != NULL) {
		cmd_usage(ctx->cmd, stderr);
		fprintf(stderr, "Try 'phx %s --help'.\n", ctx->cmd->name);
	} else {
		fprintf(stderr, "Try 'phx --help'.\n");
	}
	return PHX_EXIT_USAGE;
}

/* getopt_long's error returns, ':' and '?', as a usage error (exit 2). */
static int
opt_error(const struct phx_ctx *ctx, int c, char **argv)
{
	char msg[256];

	if (c == ':')
		return usage_err(ctx, "option '%s' needs a value",
				 argv[optind - 1]);
	phx_fmt_opt_error(argv[optind - 1], optopt, msg, sizeof(msg));
	return usage_err(ctx, "%s", msg);
}

/*
 * Options every command takes, and getopt's error returns. Returns -1
 * when parsing goes on, else the exit status to return.
 */
static int
common_opt(struct phx_ctx *ctx, int c, char **argv)
{
	switch (c) {
	case 'h':
		cmd_help(ctx->cmd, stdout);
		return PHX_EXIT_OK;
	case OPT_JSON:
		ctx->json = true;
		return -1;
	default:
		return opt_error(ctx, c, argv);
	}
}

/* For commands without options or arguments of their own. */
static int
parse_no_args(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONGOPTS, { 0 } };
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if ((rc = common_opt(ctx, c, argv)) >= 0)
			return rc;
	if (optind < argc)
		return usage_err(ctx, "unexpected argument '%s'", argv[optind]);
	return -1;
}

/* ---- talking to the member ---- */

/* Fills prefix (for messages) with where the socket path came from. */
static int
resolve_path(struct phx_ctx *ctx, char *path, size_t len, char *prefix,
	     size_t plen, const char **origin)
{
	const char *env = getenv("PHX_FILE_PREFIX");
	int rc;

	*origin = "";
	if (ctx->sock_path != NULL) {
		snprintf(path, len, "%s", ctx->sock_path);
		prefix[0] = '\0';
		return 0;
	}
	if (ctx->prefix != NULL) {
		snprintf(prefix, plen, "%s", ctx->prefix);
	} else if (ctx->cfg_path != NULL) {
		struct phx_cfg_errors *errs = calloc(1, sizeof(*errs));
		struct phx_config *cfg;

		if (errs == NULL) {
			phx_err("out of memory");
			return -ENOMEM;
		}
		cfg = phx_config_load(ctx->cfg_path, errs);
		if (cfg == NULL) {
			if (errs->n > 0)
				phx_cfg_errors_print(errs, stderr);
			phx_err("cannot load %s", ctx->cfg_path);
			free(errs);
			return -EINVAL;
		}
		snprintf(prefix, plen, "%s", cfg->eal.file_prefix);
		phx_config_free(cfg);
		free(errs);
		*origin = ctx->cfg_path;
	} else if (env != NULL && env[0] != '\0') {
		snprintf(prefix, plen, "%s", env);
		*origin = "$PHX_FILE_PREFIX";
	} else {
		snprintf(prefix, plen, "%s", PHX_DEFAULT_PREFIX);
	}
	rc = phx_sock_path(path, len, prefix);
	if (rc == -EINVAL)
		phx_err("bad file prefix \"%s\"%s%s: it must be non-empty "
			"and have no '/'", prefix, (*origin)[0] ? " from " : "",
			*origin);
	else if (rc < 0)
		phx_err("socket path for file prefix \"%s\" is too long",
			prefix);
	return rc;
}

static int
connect_member(struct phx_ctx *ctx)
{
	char path[sizeof(ctx->sock.path)], prefix[PHX_CFG_STR_LEN];
	char err[512], hint[PHX_CFG_STR_LEN + 160];
	const char *origin;
	int rc;

	if (resolve_path(ctx, path, sizeof(path), prefix, sizeof(prefix),
			 &origin) < 0)
		return -1;
	rc = phx_sock_open(&ctx->sock, path, PHX_SOCK_TIMEOUT_MS, err,
			   sizeof(err));
	if (rc == 0)
		return 0;

	switch (rc) {
	case -ENOENT:
	case -ECONNREFUSED:
	case -ENOTDIR:
		snprintf(hint, sizeof(hint), "is the member running?");
		break;
	case -EACCES:
	case -EPERM:
		snprintf(hint, sizeof(hint), "run phx as the member's user");
		break;
	case -EPROTOTYPE:
		snprintf(hint, sizeof(hint), "not a telemetry socket?");
		break;
	default:
		hint[0] = '\0';
	}
	if (prefix[0] != '\0') {
		size_t n = strlen(hint);

		snprintf(hint + n, sizeof(hint) - n, "%sfile prefix \"%s\"%s%s",
			 n ? " " : "", prefix, origin[0] ? " from " : "",
			 origin);
	}
	if (hint[0] != '\0')
		phx_err("%s (%s)", err, hint);
	else
		phx_err("%s", err);
	return -1;
}

/* "phx: the member could not answer CMD: WHY" when ans says so
 * (phx_fmt_error_answer); true then. */
static bool
member_failed(const char *cmd, json_t *ans)
{
	const char *why = phx_fmt_error_answer(ans);

	if (why != NULL)
		phx_err("the member could not answer %s: %s", cmd, why);
	return why != NULL;
}

/* Send cmd; returns the answer as it came (json null and the member's
 * error answer included) or NULL after printing why. */
static json_t *
request_any(struct phx_ctx *ctx, const char *cmd)
{
	char err[512];
	json_t *ans;

	if (ctx->sock.fd < 0 && connect_member(ctx) < 0)
		return NULL;
	ans = phx_sock_request(&ctx->sock, cmd, err, sizeof(err));
	if (ans == NULL)
		phx_err("%s", err);
	return ans;
}

/* request_any() that also treats the member's error answer as a
 * failure (said). */
static json_t *
request(struct phx_ctx *ctx, const char *cmd)
{
	json_t *ans = request_any(ctx, cmd);

	if (ans != NULL && member_failed(cmd, ans)) {
		json_decref(ans);
		ans = NULL;
	}
	return ans;
}

/*
 * A null answer means an unknown command or a rejected parameter; the
 * command list ("/") tells which, so the operator is told the right one.
 */
static void
explain_null(struct phx_ctx *ctx, const char *cmd, const char *hint)
{
	size_t name_len = strcspn(cmd, ",");
	char err[512];
	json_t *list = phx_sock_request(&ctx->sock, "/", err, sizeof(err));
	bool known = !json_is_array(list);  /* unsure: assume known */
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && strlen(json_string_value(v)) ==
		    name_len && strncmp(json_string_value(v), cmd,
					name_len) == 0)
			known = true;
	json_decref(list);

	if (!known)
		phx_err("the member does not know %.*s (not a phalanx "
			"daemon, or an older one?)", (int)name_len, cmd);
	else if (cmd[name_len] == ',')
		phx_err("the member rejected parameter \"%s\" of %.*s%s%s",
			cmd + name_len + 1, (int)name_len, cmd,
			hint ? ": " : "", hint ? hint : "");
	else
		phx_err("the member answered null to %s", cmd);
}

/* request() that also treats a null answer as a failure. */
static json_t *
ask(struct phx_ctx *ctx, const char *cmd, const char *hint)
{
	json_t *ans = request(ctx, cmd);

	if (ans != NULL && json_is_null(ans)) {
		explain_null(ctx, cmd, hint);
		json_decref(ans);
		return NULL;
	}
	return ans;
}


/* Print an answer with render, or as JSON with --json. */
static int
show(struct phx_ctx *ctx, const char *cmd, json_t *ans, phx_render_fn render)
{
	char err[512];
	int rc;

	if (ctx->json)
		rc = phx_fmt_json(stdout, ans);
	else
		rc = render(stdout, ans, err, sizeof(err));
	if (rc < 0 && !ctx->json)
		phx_err("bad answer to %s: %s", cmd, err);
	return rc < 0 ? PHX_EXIT_FAIL : PHX_EXIT_OK;
}

/* The common case: no options, one command, one renderer. */
static int
simple_cmd(struct phx_ctx *ctx, int argc, char **argv, const char *cmd,
	   phx_render_fn render)
{
	json_t *ans;
	int rc = parse_no_args(ctx, argc, argv);

	if (rc >= 0)
		return rc;
	ans = ask(ctx, cmd, NULL);
	if (ans == NULL)
		return PHX_EXIT_FAIL;
	rc = show(ctx, cmd, ans, render);
	json_decref(ans);
	return rc;
}

/* ---- commands ---- */

#define PHX_PAGED_TRIES 5  /* walks a reload (or restart) may spoil */

typedef int (*phx_pages_add_fn)(json_t *all, json_t *page, uint64_t from,
				int64_t *next, char *err, size_t errlen);

/*
 * Every page of a table paged by row index (/phalanx/rules,
 * /phalanx/routes) in one answer (phx_fmt_rules_add,
 * phx_fmt_routes_add). A change between two pages (a reload: another
 * generation, or a page asked for past the new table's end, a null
 * answer after the first page) starts the walk over. Returns the answer,
 * or NULL after saying why.
 */
static json_t *
ask_paged(struct phx_ctx *ctx, const char *tel, phx_pages_add_fn add)
{
	char cmd[PHX_CMD_LEN], err[512];
	unsigned tries;

	for (tries = 0; tries < PHX_PAGED_TRIES; tries++) {
		json_t *all = json_object();
		int64_t next = 0;
		int rc = 0;

		if (all == NULL) {
			phx_err("out of memory");
			return NULL;
		}
		do {
			uint64_t from = (uint64_t)next;
			json_t *page;

			/* The first without a parameter: an older daemon
			 * (one answer, no pages) takes none. */
			if (from == 0)
				snprintf(cmd, sizeof(cmd), "%s", tel);
			else
				snprintf(cmd, sizeof(cmd), "%s,%" PRIu64, tel,
					 from);
			page = from == 0 ? ask(ctx, cmd, NULL) :
					   request(ctx, cmd);
			if (page == NULL) {
				json_decref(all);
				return NULL;
			}
			if (json_is_null(page))
				rc = -EAGAIN;
			else
				rc = add(all, page, from, &next, err,
					 sizeof(err));
			json_decref(page);
		} while (rc == 0 && next >= 0);
		if (rc == 0)
			return all;
		json_decref(all);
		if (rc != -EAGAIN) {
			phx_err("bad answer to %s: %s", cmd,
				rc == -ENOMEM ? "out of memory" : err);
			return NULL;
		}
	}
	phx_err("%s changed during each of %u reads; try again", tel,
		PHX_PAGED_TRIES);
	return NULL;
}

static json_t *
ask_rules(struct phx_ctx *ctx)
{
	return ask_paged(ctx, "/phalanx/rules", phx_fmt_rules_add);
}

/* A table paged by row index, all pages, as one table (or with --json
 * one answer). */
static int
paged_cmd(struct phx_ctx *ctx, int argc, char **argv, const char *tel,
	  phx_pages_add_fn add, phx_render_fn render)
{
	json_t *ans;
	int rc = parse_no_args(ctx, argc, argv);

	if (rc >= 0)
		return rc;
	ans = ask_paged(ctx, tel, add);
	if (ans == NULL)
		return PHX_EXIT_FAIL;
	rc = show(ctx, tel, ans, render);
	json_decref(ans);
	return rc;
}

static int
cmd_rules(struct phx_ctx *ctx, int argc, char **argv)
{
	return paged_cmd(ctx, argc, argv, "/phalanx/rules",
			 phx_fmt_rules_add, phx_fmt_rules);
}

static int
cmd_routes(struct phx_ctx *ctx, int argc, char **argv)
{
	return paged_cmd(ctx, argc, argv, "/phalanx/routes",
			 phx_fmt_routes_add, phx_fmt_routes);
}

/*
 * /phalanx/sync for the sections that show it when there is one (pstat):
 * *sync is the dict, or NULL when the member answers null (no cluster,
 * or a daemon without sync). Returns -1 after an error it printed.
 */
static int
ask_sync_optional(struct phx_ctx *ctx, json_t **sync)
{
	json_t *ans = request(ctx, "/phalanx/sync");

	*sync = NULL;
	if (ans == NULL)
		return -1;
	if (json_is_null(ans)) {
		json_decref(ans);
		return 0;
	}
	if (!json_is_object(ans)) {
		phx_err("bad answer to /phalanx/sync: the answer is not an "
			"object");
		json_decref(ans);
		return -1;
	}
	*sync = ans;
	return 0;
}

static int
cmd_pstat(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "worker", required_argument, NULL, 'w' },
		{ "ctl", no_argument, NULL, OPT_CTL },
		{ "all", no_argument, NULL, 'a' },
		COMMON_LONGOPTS,
		{ 0 },
	};
	char cmd[PHX_CMD_LEN], err[512];
	json_t *ans, *ver = NULL, *sync = NULL;
	unsigned long worker = 0;
	bool has_worker = false, ctl = false, all = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":w:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (phx_parse_uint(optarg, 65535, &worker) < 0)
				return usage_err(ctx, "worker must be a number "
						 "0..65535, not '%s'", optarg);
			has_worker = true;
			break;
		case OPT_CTL:
			ctl = true;
			break;
		case 'a':
			all = true;
			break;
		default:
			if ((rc = common_opt(ctx, c, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return usage_err(ctx, "unexpected argument '%s'", argv[optind]);
	if (has_worker && ctl)
		return usage_err(ctx, "--worker and --ctl exclude each other");

	if (has_worker)
		snprintf(cmd, sizeof(cmd), "/phalanx/pstat,%lu", worker);
	else if (ctl)
		snprintf(cmd, sizeof(cmd), "/phalanx/pstat,ctl");
	else
		snprintf(cmd, sizeof(cmd), "/phalanx/pstat");

	ans = ask(ctx, cmd, "workers are numbered from 0 ('phx config' "
		  "shows how many)");
	if (ans == NULL)
		return PHX_EXIT_FAIL;
	/* Rule hits and sync belong to the whole member, not to one
	 * worker. */
	if (!has_worker && !ctl && ask_sync_optional(ctx, &sync) < 0) {
		json_decref(ans);
		return PHX_EXIT_FAIL;
	}
	if (ctx->json) {
		rc = sync != NULL && json_object_set(ans, "sync", sync) < 0 ?
			PHX_EXIT_FAIL : show(ctx, cmd, ans, NULL);
		goto out;
	}
	/* The header names the member; pstat's answer does not carry it. */
	ver = ask(ctx, "/phalanx/version", NULL);
	if (ver == NULL) {
		rc = PHX_EXIT_FAIL;
		goto out;
	}
	rc = phx_fmt_pstat(stdout, ans, json_string_value(
				   json_object_get(ver, "name")),
			   all, err, sizeof(err));
	if (rc < 0)
		phx_err("bad answer to %s: %s", cmd, err);
	if (rc == 0 && !has_worker && !ctl) {
		json_t *rules = ask_rules(ctx);

		if (rules == NULL) {
			rc = -1;
		} else {
			fputs("\n", stdout);
			rc = phx_fmt_rules(stdout, rules, err, sizeof(err));
			if (rc < 0)
				phx_err("bad answer to /phalanx/rules: %s",
					err);
			json_decref(rules);
		}
	}
	if (rc == 0 && sync != NULL) {
		fputs("\n", stdout);
		rc = phx_fmt_pstat_sync(stdout, sync, err, sizeof(err));
		if (rc < 0)
			phx_err("bad answer to /phalanx/sync: %s", err);
	}
	rc = rc < 0 ? PHX_EXIT_FAIL : PHX_EXIT_OK;
out:
	json_decref(sync);
	json_decref(ver);
	json_decref(ans);
	return rc;
}

/*
 * Pages of the neighbour table: one, or all of them (--all). The member
 * pages by slot (docs/telemetry.md), so page N is reached by walking
 * from the first along "next"; a walk that ends before it is an error
 * (exit 1) that says how many pages there are.
 */
static int
cmd_arp(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "page", required_argument, NULL, OPT_PAGE },
		{ "all", no_argument, NULL, 'a' },
		COMMON_LONGOPTS,
		{ 0 },
	};
	json_t *pages[PHX_ARP_MAX_PAGES], *last = NULL;
	char cmd[PHX_CMD_LEN], err[512];
	unsigned long page = 0;
	bool has_page = false, all = false;
	size_t n = 0, i;
	uint64_t idx, from = 0;
	int64_t next = -1;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":ah", opts, NULL)) != -1) {
		switch (c) {
		case OPT_PAGE:
			if (phx_parse_uint(optarg, PHX_ARP_MAX_PAGES - 1,
				       &page) < 0)
				return usage_err(ctx, "page must be a number "
						 "0..%u, not '%s'",
						 PHX_ARP_MAX_PAGES - 1, optarg);
			has_page = true;
			break;
		case 'a':
			all = true;
			break;
		default:
			if ((rc = common_opt(ctx, c, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return usage_err(ctx, "unexpected argument '%s'", argv[optind]);
	if (has_page && all)
		return usage_err(ctx, "--page and --all exclude each other");

	rc = PHX_EXIT_FAIL;
	for (idx = 0;; idx++) {
		json_t *ans;

		/* The first without a parameter, as a plain "phx arp". */
		if (idx == 0)
			snprintf(cmd, sizeof(cmd), "/phalanx/arp");
		else
			snprintf(cmd, sizeof(cmd), "/phalanx/arp,%" PRIu64,
				 from);
		if ((ans = ask(ctx, cmd, NULL)) == NULL)
			goto out;
		json_decref(last);
		last = ans;
		if (phx_fmt_arp_next(ans, from, &next, err, sizeof(err)) < 0) {
			phx_err("bad answer to %s: %s", cmd, err);
			goto out;
		}
		if (all || idx == page)
			pages[n++] = json_incref(ans);
		if (next < 0 || (!all && idx == page))
			break;
		if (n == PHX_ARP_MAX_PAGES) {
			phx_err("/phalanx/arp has more than %u pages",
				PHX_ARP_MAX_PAGES);
			goto out;
		}
		from = (uint64_t)next;
	}
	if (n == 0) {
		phx_fmt_arp_beyond(last, page, idx + 1, err, sizeof(err));
		phx_err("%s", err);
		goto out;
	}

	if (ctx->json && all) {
		/* The raw answers, one per page. */
		json_t *arr = json_array();

		for (i = 0; arr != NULL && i < n; i++)
			json_array_append(arr, pages[i]);
		rc = arr != NULL && phx_fmt_json(stdout, arr) == 0 ?
			PHX_EXIT_OK : PHX_EXIT_FAIL;
		json_decref(arr);
	} else if (ctx->json) {
		rc = phx_fmt_json(stdout, pages[0]) == 0 ?
			PHX_EXIT_OK : PHX_EXIT_FAIL;
	} else if (phx_fmt_arp(stdout, pages, n, all ? 0 : page, err,
			       sizeof(err)) < 0) {
		phx_err("bad answer to /phalanx/arp: %s", err);
	} else {
		rc = PHX_EXIT_OK;
	}
out:
	for (i = 0; i < n; i++)
		json_decref(pages[i]);
	json_decref(last);
	return rc;
}

/* Keeps one /phalanx/conn page (phx_fmt_conn_add, phx_fmt_diff_set_add);
 * full (may be NULL) says to stop asking. */
struct conn_sink {
	int (*add)(void *arg, json_t *page, uint64_t worker, uint64_t from,
		   int64_t *next, uint64_t *workers, char *err,
		   size_t errlen);
	bool (*full)(const void *arg);
	void *arg;
};

/*
 * Ask worker w's session pages, from the first on, with filt (phx conn's
 * filter parameters, "" for none) and hand each to the sink, until the
 * worker's table is done (*next -1) or the sink is full. Sets *workers
 * from the answers. Returns 0, or -1 after saying why.
 */
static int
conn_pages(struct phx_ctx *ctx, uint64_t w, const char *filt,
	   const char *hint, const struct conn_sink *sink, int64_t *next,
	   uint64_t *workers)
{
	char cmd[PHX_CMD_LEN], err[512];
	int64_t from = 0;

	do {
		json_t *page;
		int rc;

		snprintf(cmd, sizeof(cmd), "/phalanx/conn,w=%" PRIu64
			 ",from=%" PRId64 "%s", w, from, filt);
		page = ask(ctx, cmd, hint);
		if (page == NULL)
			return -1;
		rc = sink->add(sink->arg, page, w, (uint64_t)from, next,
			       workers, err, sizeof(err));
		json_decref(page);
		if (rc < 0) {
			phx_err("bad answer to %s: %s", cmd,
				rc == -ENOMEM ? "out of memory" : err);
			return -1;
		}
		from = *next;
	} while (*next >= 0 && (sink->full == NULL || !sink->full(sink->arg)));
	return 0;
}

static int
conn_sink_add(void *arg, json_t *page, uint64_t worker, uint64_t from,
	      int64_t *next, uint64_t *workers, char *err, size_t errlen)
{
	return phx_fmt_conn_add(arg, page, worker, from, next, workers, err,
				errlen);
}

static bool
conn_sink_full(const void *arg)
{
	return phx_fmt_conn_full(arg);
}

/*
 * The session table: every page of every worker (or of one), filtered by
 * the member, merged into one table. Arguments are checked here first,
 * since the member answers a bad one with a bare null.
 */
static int act(struct phx_ctx *ctx, const char *cmd);

static int
cmd_conn(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ip", required_argument, NULL, OPT_IP },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "proto", required_argument, NULL, OPT_PROTO },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "worker", required_argument, NULL, 'w' },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "clear", no_argument, NULL, OPT_CLEAR },
		{ "all", no_argument, NULL, OPT_ALL },
		COMMON_LONGOPTS,
		{ 0 },
	};
	struct phx_fmt_conn_filter f = { 0 };
	bool clear = false, all = false, has_limit = false;
	struct phx_fmt_conn c;
	const struct conn_sink sink = { conn_sink_add, conn_sink_full, &c };
	char filt[128], err[512];
	unsigned long worker = 0, limit = PHX_CONN_LIMIT;
	bool has_worker = false;
	uint64_t w, workers = 0;
	int64_t next = -1;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, ":w:h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_IP:
			f.ip = optarg;
			break;
		case OPT_PORT:
			f.port = optarg;
			break;
		case OPT_PROTO:
			f.proto = optarg;
			break;
		case OPT_STATE:
			f.state = optarg;
			break;
		case 'w':
			if (phx_parse_uint(optarg, PHX_WORKER_MAX, &worker) < 0)
				return usage_err(ctx, "--worker: '%s' is not a "
						 "worker number (0..%u)", optarg,
						 PHX_WORKER_MAX);
			has_worker = true;
			break;
		case OPT_LIMIT:
			if (phx_parse_uint(optarg, PHX_CONN_LIMIT_MAX, &limit) < 0)
				return usage_err(ctx, "--limit: '%s' is not a "
						 "number of rows (0..%u; 0: no "
						 "limit)", optarg,
						 PHX_CONN_LIMIT_MAX);
			has_limit = true;
			break;
		case OPT_CLEAR:
			clear = true;
			break;
		case OPT_ALL:
			all = true;
			break;
		default:
			if ((rc = common_opt(ctx, ch, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return usage_err(ctx, "unexpected argument '%s'", argv[optind]);
	if (phx_fmt_conn_filter(&f, filt, sizeof(filt), err, sizeof(err)) < 0)
		return usage_err(ctx, "%s", err);
	if (all && !clear)
		return usage_err(ctx, "--all goes with --clear");
	if (clear) {
		char cmd[PHX_CMD_LEN];

		if (has_worker || has_limit)
			return usage_err(ctx, "--clear acts on every worker "
					 "and prints no table: no -w, no "
					 "--limit");
		if (all == (filt[0] != '\0'))
			return usage_err(ctx, "--clear needs a filter (--ip, "
					 "--port, --proto, --state) or --all, "
					 "not both");
		snprintf(cmd, sizeof(cmd), "/phalanx/conn/clear,%s",
			 all ? "all" : filt + (filt[0] == ','));
		return act(ctx, cmd);
	}

	phx_fmt_conn_init(&c, limit, ctx->json);
	/* Worker by worker, page by page: "next" is where the worker's
	 * table goes on, -1 when it is done. */
	for (w = has_worker ? worker : 0;; w++) {
		if (conn_pages(ctx, w, filt, has_worker ? "workers are "
			       "numbered from 0 ('phx config' shows how "
			       "many)" : NULL, &sink, &next, &workers) < 0) {
			rc = PHX_EXIT_FAIL;
			goto out;
		}
		if (has_worker || w + 1 >= workers || phx_fmt_conn_full(&c))
			break;
	}
	if (phx_fmt_conn_full(&c) &&
	    (next >= 0 || (!has_worker && w + 1 < workers)))
		c.stopped = true;
	if (!ctx->json && !has_worker && w + 1 < workers) {
		/* Workers never visited: pstat has the member's total. */
		json_t *ps = request(ctx, "/phalanx/pstat");
		json_t *live = json_object_get(ps, "sessions");

		if (ps == NULL) {
			rc = PHX_EXIT_FAIL;
			goto out;
		}
		if (json_is_integer(live) && json_integer_value(live) >= 0) {
			c.live = (uint64_t)json_integer_value(live);
			c.live_set = true;
		} else {
			c.live_partial = true;
		}
		json_decref(ps);
	}
	rc = phx_fmt_conn_print(stdout, &c) < 0 ? PHX_EXIT_FAIL : PHX_EXIT_OK;
out:
	phx_fmt_conn_fini(&c);
	return rc;
}

/* Last (innermost) pid of pid's NSpid line: its own PID namespace's
 * number for it; -1 if unknown (no /proc, kernel before 4.1). */
static long
innermost_pid(pid_t pid)
{
	char path[64], line[256];
	long last = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line + strlen("NSpid:"), *end;

		if (strncmp(line, "NSpid:", strlen("NSpid:")) != 0)
			continue;
		for (;;) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			last = v;
			p = end;
		}
		break;
	}
	fclose(f);
	return last;
}

/*
 * The process to send SIGHUP to: the one serving the telemetry socket
 * (SO_PEERCRED, which the kernel gives as this PID namespace numbers it;
 * 0 when the peer is not visible here), provided it is the member that
 * claims claimed as its pid in its own namespace. Never a bare number
 * from the answer: in another PID namespace it may be any process.
 */
static int
member_pid(struct phx_ctx *ctx, uint64_t claimed, pid_t *pid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	long inner;

	if (getsockopt(ctx->sock.fd, SOL_SOCKET, SO_PEERCRED, &cr,
		       &len) < 0) {
		phx_err("cannot tell which process serves %s: %s",
			ctx->sock.path, strerror(errno));
		return -1;
	}
	if (cr.pid <= 0) {
		phx_err("the member (pid %" PRIu64 " in its own PID namespace) "
			"is not visible from this PID namespace: run phx "
			"reload in the member's namespace", claimed);
		return -1;
	}
	if ((uint64_t)cr.pid == claimed) {
		*pid = cr.pid;
		return 0;
	}
	inner = innermost_pid(cr.pid);
	if (inner > 0 && (uint64_t)inner == claimed) {
		*pid = cr.pid;  /* the member, from an outer namespace */
		return 0;
	}
	phx_err("%s is served by pid %d, not by the member's pid %" PRIu64
		": not sending SIGHUP", ctx->sock.path, (int)cr.pid, claimed);
	return -1;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Policy reload: SIGHUP to the member, then /phalanx/policy every 100 ms
 * until reloads_ok or reloads_failed grows. The signal rather than a
 * telemetry command because the policy's telemetry commands only read
 * (docs/telemetry.md).
 */
static int
cmd_reload(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		COMMON_LONGOPTS,
		{ 0 },
	};
	unsigned timeout_ms = PHX_RELOAD_TIMEOUT_S * 1000;
	uint64_t ok0, failed0, deadline;
	json_t *ver, *pol, *jpid;
	char err[512], msg[4200];
	pid_t pid;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (phx_fmt_seconds(optarg, PHX_RELOAD_TIMEOUT_MAX_S,
					    &timeout_ms) < 0)
				return usage_err(ctx, "--timeout: '%s' is not a "
						 "number of seconds above 0 "
						 "and up to %u (e.g. 10 or "
						 "2.5)", optarg,
						 PHX_RELOAD_TIMEOUT_MAX_S);
			break;
		default:
			if ((rc = common_opt(ctx, c, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return usage_err(ctx, "unexpected argument '%s'", argv[optind]);

	ver = ask(ctx, "/phalanx/version", NULL);
	if (ver == NULL)
		return PHX_EXIT_FAIL;
	jpid = json_object_get(ver, "pid");
	if (!json_is_integer(jpid) || json_integer_value(jpid) <= 0 ||
	    json_integer_value(jpid) > INT32_MAX) {
		phx_err("bad answer to /phalanx/version: \"pid\" is not a "
			"process id");
		json_decref(ver);
		return PHX_EXIT_FAIL;
	}
	rc = member_pid(ctx, (uint64_t)json_integer_value(jpid), &pid);
	json_decref(ver);
	if (rc < 0)
		return PHX_EXIT_FAIL;

	pol = ask(ctx, "/phalanx/policy", NULL);
	if (pol == NULL)
		return PHX_EXIT_FAIL;
	rc = phx_fmt_reload_counts(pol, &ok0, &failed0, err, sizeof(err));
	json_decref(pol);
	if (rc < 0) {
		phx_err("bad answer to /phalanx/policy: %s", err);
		return PHX_EXIT_FAIL;
	}

	if (kill(pid, SIGHUP) < 0) {
		if (errno == EPERM)
			phx_err("not permitted to send SIGHUP to the member "
				"(pid %d): run phx reload as the member's "
				"user or as root", (int)pid);
		else if (errno == ESRCH)
			phx_err("cannot send SIGHUP to the member: pid %d is "
				"not in this PID namespace (it has exited, or "
				"runs in another one)", (int)pid);
		else
			phx_err("cannot send SIGHUP to pid %d: %s", (int)pid,
				strerror(errno));
		return PHX_EXIT_FAIL;
	}

	deadline = now_ms() + timeout_ms;
	for (;;) {
		struct timespec ts = { 0, PHX_RELOAD_POLL_MS * 1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		pol = ask(ctx, "/phalanx/policy", NULL);
		if (pol == NULL)
			return PHX_EXIT_FAIL;
		rc = phx_fmt_reload_result(pol, ok0, failed0, msg, sizeof(msg),
					   err, sizeof(err));
		if (rc < 0) {
			phx_err("bad answer to /phalanx/policy: %s", err);
			json_decref(pol);
			return PHX_EXIT_FAIL;
		}
		if (rc > 0) {
			if (ctx->json)
				phx_fmt_json(stdout, pol);
			else
				printf("%s\n", msg);
			json_decref(pol);
			return rc == 1 ? PHX_EXIT_OK : PHX_EXIT_FAIL;
		}
		json_decref(pol);
		if (now_ms() >= deadline) {
			phx_err("no reload result within %u.%u s: reloads_ok "
				"(%" PRIu64 ") and reloads_failed (%" PRIu64
				") did not change after SIGHUP to pid %d",
				timeout_ms / 1000, timeout_ms % 1000 / 100,
				ok0, failed0, (int)pid);
			return PHX_EXIT_FAIL;
		}
	}
}

/* ---- cluster (SPEC 6.1-6.5, 4.7) ---- */

/*
 * The member's /phalanx/cluster answer when it is in a cluster; else
 * (no cluster section, or a malformed answer) NULL after saying why.
 */
static json_t *
ask_cluster(struct phx_ctx *ctx)
{
	char err[512];
	json_t *cl = ask(ctx, "/phalanx/cluster", NULL);
	int rc;

	if (cl == NULL)
		return NULL;
	rc = phx_fmt_cluster_enabled(cl, err, sizeof(err));
	if (rc < 0)
		phx_err("bad answer to /phalanx/cluster: %s", err);
	else if (rc == 0)
		phx_err("the member is not in a cluster (its configuration "
			"has no cluster section)");
	if (rc <= 0) {
		json_decref(cl);
		return NULL;
	}
	return cl;
}

/*
 * For commands that show cluster facts only when there are any (if,
 * metrics): *cl is the /phalanx/cluster answer of a clustered member, or
 * NULL for a member without a cluster section or a daemon that does not
 * know the command. Returns -1 after an error it printed.
 */
static int
ask_cluster_optional(struct phx_ctx *ctx, json_t **cl)
{
	char err[512];
	json_t *ans = request(ctx, "/phalanx/cluster");
	int rc;

	*cl = NULL;
	if (ans == NULL)
		return -1;
	if (json_is_null(ans)) {
		json_decref(ans);
		return 0;
	}
	rc = phx_fmt_cluster_enabled(ans, err, sizeof(err));
	if (rc < 0) {
		phx_err("bad answer to /phalanx/cluster: %s", err);
		json_decref(ans);
		return -1;
	}
	if (rc == 0)
		json_decref(ans);
	else
		*cl = ans;
	return 0;
}

/* Print s with control characters replaced, and a newline. */
static void
print_clean(FILE *out, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
	fputc('\n', out);
}

static int
cmd_state(struct phx_ctx *ctx, int argc, char **argv)
{
	json_t *cl, *members;
	char err[512];
	int rc = parse_no_args(ctx, argc, argv);

	if (rc >= 0)
		return rc;
	if ((cl = ask_cluster(ctx)) == NULL)
		return PHX_EXIT_FAIL;
	members = ask(ctx, "/phalanx/cluster/members", NULL);
	if (members == NULL) {
		json_decref(cl);
		return PHX_EXIT_FAIL;
	}
	if (ctx->json) {
		json_t *all = json_pack("{s:O,s:O}", "/phalanx/cluster", cl,
					"/phalanx/cluster/members", members);

		rc = all != NULL && phx_fmt_json(stdout, all) == 0 ?
			PHX_EXIT_OK : PHX_EXIT_FAIL;
		json_decref(all);
	} else if ((rc = phx_fmt_state(stdout, cl, members, err,
				       sizeof(err))) < 0) {
		phx_err("bad answer to /phalanx/cluster or "
			"/phalanx/cluster/members: %s",
			rc == -ENOMEM ? "out of memory" : err);
		rc = PHX_EXIT_FAIL;
	} else {
		rc = PHX_EXIT_OK;
	}
	json_decref(members);
	json_decref(cl);
	return rc;
}

/* Render into a string (the caller frees it), so that nothing is printed
 * before every part of a command's answer has been checked. */
static char *
render_cluster_if(json_t *cl, json_t *ifs, bool vips, char *err,
		  size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = phx_fmt_cluster_if(f, cl, ifs, vips, err, errlen);
	if (fclose(f) != 0 && rc == 0) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * The ports, and on a clustered member the monitored cluster interfaces
 * (cphaprob [-a] if, CLI-20). A member without a cluster prints only the
 * ports table, and with --json only /phalanx/ports, as before clustering.
 */
static int
cmd_if(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		COMMON_LONGOPTS,
		{ 0 },
	};
	json_t *ports = NULL, *cl = NULL, *ifs = NULL;
	char err[512], *text = NULL;
	bool all = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":ah", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if ((rc = common_opt(ctx, c, argv)) >= 0)
			return rc;
	}
	if (optind < argc)
		return usage_err(ctx, "unexpected argument '%s'", argv[optind]);

	rc = PHX_EXIT_FAIL;
	if ((ports = ask(ctx, "/phalanx/ports", NULL)) == NULL ||
	    ask_cluster_optional(ctx, &cl) < 0)
		goto out;
	if (cl != NULL &&
	    (ifs = ask(ctx, "/phalanx/cluster/if", NULL)) == NULL)
		goto out;
	if (ctx->json) {
		json_t *j = cl == NULL ? json_incref(ports) :
			json_pack("{s:O,s:O,s:O}", "/phalanx/ports", ports,
				  "/phalanx/cluster", cl,
				  "/phalanx/cluster/if", ifs);

		if (j != NULL && phx_fmt_json(stdout, j) == 0)
			rc = PHX_EXIT_OK;
		json_decref(j);
		goto out;
	}
	if (cl != NULL &&
	    (text = render_cluster_if(cl, ifs, all, err, sizeof(err))) == NULL) {
		phx_err("bad answer to /phalanx/cluster or /phalanx/cluster/if: "
			"%s", err);
		goto out;
	}
	if (phx_fmt_ports(stdout, ports, err, sizeof(err)) < 0) {
		phx_err("bad answer to /phalanx/ports: %s", err);
		goto out;
	}
	if (text != NULL)
		printf("\n%s", text);
	rc = PHX_EXIT_OK;
out:
	free(text);
	json_decref(ifs);
	json_decref(cl);
	json_decref(ports);
	return rc;
}

/* A cluster command with one answer and one renderer (list, ccpstat):
 * the member must be in a cluster. */
static int
cluster_cmd(struct phx_ctx *ctx, int argc, char **argv, const char *cmd,
	    phx_render_fn render)
{
	json_t *cl, *ans;
	int rc = parse_no_args(ctx, argc, argv);

	if (rc >= 0)
		return rc;
	if ((cl = ask_cluster(ctx)) == NULL)
		return PHX_EXIT_FAIL;
	json_decref(cl);
	if ((ans = ask(ctx, cmd, NULL)) == NULL)
		return PHX_EXIT_FAIL;
	rc = show(ctx, cmd, ans, render);
	json_decref(ans);
	return rc;
}

static int
cmd_list(struct phx_ctx *ctx, int argc, char **argv)
{
	return cluster_cmd(ctx, argc, argv, "/phalanx/cluster/pnotes",
			   phx_fmt_pnotes);
}

static int
cmd_ccpstat(struct phx_ctx *ctx, int argc, char **argv)
{
	return cluster_cmd(ctx, argc, argv, "/phalanx/cluster/ccp",
			   phx_fmt_ccpstat);
}

/*
 * Ask a command that acts (admin, pnote) and report its {"ok", "message"}
 * answer: the message on stdout and exit 0, or on stderr and exit 1 when
 * the member refused. --json prints the answer instead.
 */
static int
act(struct phx_ctx *ctx, const char *cmd)
{
	const char *msg;
	char err[512];
	json_t *ans = ask(ctx, cmd, NULL);
	bool ok;
	int rc;

	if (ans == NULL)
		return PHX_EXIT_FAIL;
	if (phx_fmt_action_result(ans, &ok, &msg, err, sizeof(err)) < 0) {
		phx_err("bad answer to %.*s: %s", (int)strcspn(cmd, ","), cmd,
			err);
		json_decref(ans);
		return PHX_EXIT_FAIL;
	}
	if (ctx->json) {
		rc = phx_fmt_json(stdout, ans) == 0 && ok ?
			PHX_EXIT_OK : PHX_EXIT_FAIL;
	} else if (ok) {
		if (msg[0] != '\0')
			print_clean(stdout, msg);
		rc = PHX_EXIT_OK;
	} else {
		phx_err("%s", msg[0] ? msg : "refused (no reason given)");
		rc = PHX_EXIT_FAIL;
	}
	json_decref(ans);
	return rc;
}

/* failover, stop, start: the command's name is the verb. */
static int
cmd_admin_verb(struct phx_ctx *ctx, int argc, char **argv)
{
	char cmd[PHX_CMD_LEN];
	int rc = parse_no_args(ctx, argc, argv);

	if (rc >= 0)
		return rc;
	snprintf(cmd, sizeof(cmd), "/phalanx/cluster/admin,%s",
		 ctx->cmd->name);
	return act(ctx, cmd);
}

static int
cmd_admin(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONGOPTS, { 0 } };
	char cmd[PHX_CMD_LEN];
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if ((rc = common_opt(ctx, c, argv)) >= 0)
			return rc;
	if (optind >= argc)
		return usage_err(ctx, "down or up?");
	if (strcmp(argv[optind], "down") != 0 &&
	    strcmp(argv[optind], "up") != 0)
		return usage_err(ctx, "'%s' is neither down nor up",
				 argv[optind]);
	if (optind + 1 < argc)
		return usage_err(ctx, "unexpected argument '%s'",
				 argv[optind + 1]);
	snprintf(cmd, sizeof(cmd), "/phalanx/cluster/admin,%s", argv[optind]);
	return act(ctx, cmd);
}

/*
 * forget ID: the member takes member ID's next authenticated frame
 * whatever the run it comes from (ID restarted with its clock further
 * back than it was down: docs/cluster.md, "A member refused as
 * replayed").
 */
static int
cmd_forget(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONGOPTS, { 0 } };
	char cmd[PHX_CMD_LEN];
	unsigned long id;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if ((rc = common_opt(ctx, c, argv)) >= 0)
			return rc;
	if (optind >= argc)
		return usage_err(ctx, "which member?");
	if (phx_parse_uint(argv[optind], PHX_CCP_MAX_MEMBERS, &id) < 0 ||
	    id == 0)
		return usage_err(ctx, "'%s' is not a member id (1-%u)",
				 argv[optind], PHX_CCP_MAX_MEMBERS);
	if (optind + 1 < argc)
		return usage_err(ctx, "unexpected argument '%s'",
				 argv[optind + 1]);
	snprintf(cmd, sizeof(cmd), "/phalanx/cluster/forget,%lu", id);
	return act(ctx, cmd);
}

/* ---- state synchronisation (SPEC 3, 6.6) ---- */

/*
 * cphaprob [-reset] syncstat (CLI-50): the sync counters, the peers'
 * lag and the dropped frames; --reset zeroes the counters instead (the
 * member's one acting sync command) and prints its message.
 */
static int
cmd_syncstat(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reset", no_argument, NULL, OPT_RESET },
		{ "all", no_argument, NULL, 'a' },
		COMMON_LONGOPTS,
		{ 0 },
	};
	json_t *cl, *sync = NULL, *peers = NULL;
	bool reset = false, all = false;
	char err[512];
	int c, rc;

	while ((c = getopt_long(argc, argv, ":ah", opts, NULL)) != -1) {
		if (c == OPT_RESET)
			reset = true;
		else if (c == 'a')
			all = true;
		else if ((rc = common_opt(ctx, c, argv)) >= 0)
			return rc;
	}
	if (optind < argc)
		return usage_err(ctx, "unexpected argument '%s'", argv[optind]);
	if (reset && all)
		return usage_err(ctx, "--reset and -a exclude each other");

	if ((cl = ask_cluster(ctx)) == NULL)
		return PHX_EXIT_FAIL;
	json_decref(cl);
	if (reset)
		return act(ctx, "/phalanx/sync/reset");

	rc = PHX_EXIT_FAIL;
	if ((sync = ask(ctx, "/phalanx/sync", NULL)) == NULL ||
	    (peers = ask(ctx, "/phalanx/sync/peers", NULL)) == NULL)
		goto out;
	if (ctx->json) {
		json_t *j = json_pack("{s:O,s:O}", "/phalanx/sync", sync,
				      "/phalanx/sync/peers", peers);

		if (j != NULL && phx_fmt_json(stdout, j) == 0)
			rc = PHX_EXIT_OK;
		json_decref(j);
	} else if ((rc = phx_fmt_syncstat(stdout, sync, peers, all, err,
					  sizeof(err))) < 0) {
		phx_err("bad answer to /phalanx/sync or /phalanx/sync/peers: "
			"%s", rc == -ENOMEM ? "out of memory" : err);
		rc = PHX_EXIT_FAIL;
	} else {
		rc = PHX_EXIT_OK;
	}
out:
	json_decref(peers);
	json_decref(sync);
	return rc;
}

/*
 * phx doctor: automated sync health diagnosis (DESIGN's programs): the
 * cluster, its members, the sync counters and peers, judged against SPEC
 * 6.6's healthy ranges and OPS-05's root causes. Exit 0 when no problem
 * was found (warnings allowed), 1 otherwise.
 */
static int
cmd_doctor(struct phx_ctx *ctx, int argc, char **argv)
{
	json_t *cl, *members = NULL, *sync = NULL, *peers = NULL;
	json_t *checks = NULL;
	unsigned warnings, problems;
	char err[512];
	int rc = parse_no_args(ctx, argc, argv);

	if (rc >= 0)
		return rc;
	if ((cl = ask_cluster(ctx)) == NULL)
		return PHX_EXIT_FAIL;
	rc = PHX_EXIT_FAIL;
	if ((members = ask(ctx, "/phalanx/cluster/members", NULL)) == NULL ||
	    (sync = ask(ctx, "/phalanx/sync", NULL)) == NULL ||
	    (peers = ask(ctx, "/phalanx/sync/peers", NULL)) == NULL)
		goto out;
	if (phx_fmt_doctor(cl, members, sync, peers, &checks, err,
			   sizeof(err)) < 0) {
		phx_err("bad answer from the member: %s", err);
		goto out;
	}
	if (phx_fmt_doctor_print(ctx->json ? NULL : stdout, checks, &warnings,
				 &problems) < 0) {
		phx_err("internal error: a check without a level or text");
		goto out;
	}
	if (ctx->json) {
		json_t *j = json_pack("{s:O,s:I,s:I}", "checks", checks,
				      "warnings", (json_int_t)warnings,
				      "problems", (json_int_t)problems);

		if (j == NULL || phx_fmt_json(stdout, j) != 0) {
			json_decref(j);
			goto out;
		}
		json_decref(j);
	}
	rc = problems == 0 ? PHX_EXIT_OK : PHX_EXIT_FAIL;
out:
	json_decref(checks);
	json_decref(peers);
	json_decref(sync);
	json_decref(members);
	json_decref(cl);
	return rc;
}

/*
 * A member named on phx diff's command line, in the forms of the global
 * options: a configuration file (a name ending in .json, .yaml or .yml;
 * its eal.file_prefix), a socket path (any other name with a '/'), else
 * a file prefix. Returns -1 to go on, else the exit status.
 */
static int
diff_member(struct phx_ctx *ctx, struct phx_ctx *m, const char *arg)
{
	static const char *const cfg_ext[] = { ".json", ".yaml", ".yml" };
	size_t n = strlen(arg), i;

	*m = (struct phx_ctx){ .sock = PHX_SOCK_INITIALIZER,
			       .cmd = ctx->cmd, .json = ctx->json };
	if (n == 0)
		return usage_err(ctx, "a member's name is empty");
	for (i = 0; i < PHX_DIM(cfg_ext); i++)
		if (n > strlen(cfg_ext[i]) &&
		    strcmp(arg + n - strlen(cfg_ext[i]), cfg_ext[i]) == 0) {
			m->cfg_path = arg;
			return -1;
		}
	if (strchr(arg, '/') == NULL) {
		m->prefix = arg;
		return -1;
	}
	if (n >= sizeof(m->sock.path))
		return usage_err(ctx, "socket path '%s' is longer than %zu "
				 "bytes", arg, sizeof(m->sock.path) - 1);
	m->sock_path = arg;
	return -1;
}

static int
diff_sink_add(void *arg, json_t *page, uint64_t worker, uint64_t from,
	      int64_t *next, uint64_t *workers, char *err, size_t errlen)
{
	return phx_fmt_diff_set_add(arg, page, worker, from, next, workers,
				    err, errlen);
}

/* A member's /phalanx/sync/digest into *dg. Returns 0, or -1 after
 * saying why. */
static int
diff_digest(struct phx_ctx *m, struct phx_fmt_digest *dg)
{
	char err[512];
	json_t *ans;
	int rc;

	if ((ans = ask(m, "/phalanx/sync/digest", NULL)) == NULL)
		return -1;
	rc = phx_fmt_digest_read(ans, dg, err, sizeof(err));
	json_decref(ans);
	if (rc < 0)
		phx_err("bad answer to /phalanx/sync/digest: %s", err);
	return rc < 0 ? -1 : 0;
}

/* The sessions of each of m's workers whose digest differs from
 * other's, into set. Returns 0, or -1 after saying why. */
static int
diff_sessions(struct phx_ctx *m, const struct phx_fmt_digest *dg,
	      const struct phx_fmt_digest *other,
	      struct phx_fmt_diff_set *set)
{
	const struct conn_sink sink = { diff_sink_add, NULL, set };
	uint64_t w, workers;
	int64_t next;

	for (w = 0; w < dg->workers; w++)
		if (phx_fmt_digest_worker_differs(dg, other, w) &&
		    conn_pages(m, w, "", NULL, &sink, &next, &workers) < 0)
			return -1;
	if (set->no_flags)
		phx_err("its sessions come without flags: sessions that do "
			"not sync (sync: false, sync_delay) are compared too");
	return 0;
}

/*
 * Compare two members' session tables (SPEC 12, seeding: "compare two
 * members' tables"): the digests of /phalanx/sync/digest first, which
 * settle the common case in two requests; otherwise the sessions of the
 * workers whose digests differ (all of them when the worker counts
 * differ), keyed by forward key. Exit 0 only when equal, 1 when they
 * differ or a member cannot be asked, 2 on a usage error.
 *
 * The tables are read one after the other while traffic goes on, so a
 * busy cluster shows sessions that were born or died in between: run it
 * twice, and trust what both runs show.
 */
static int
cmd_diff(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, OPT_LIMIT },
		COMMON_LONGOPTS,
		{ 0 },
	};
	static const char *const side[2] = { "A", "B" };
	static struct phx_fmt_digest dg[2];  /* 13 KiB: not on the stack */
	struct phx_fmt_diff_set set[2];
	struct phx_fmt_diff d = { 0 };
	char who[2][PHX_CFG_STR_LEN + 8];
	unsigned long limit = PHX_DIFF_LIMIT;
	struct phx_ctx m[2];
	int c, i, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == OPT_LIMIT) {
			if (phx_parse_uint(optarg, PHX_CONN_LIMIT_MAX, &limit) < 0)
				return usage_err(ctx, "--limit: '%s' is not a "
						 "number of lines (0..%u; 0: "
						 "no limit)", optarg,
						 PHX_CONN_LIMIT_MAX);
		} else if ((rc = common_opt(ctx, c, argv)) >= 0) {
			return rc;
		}
	}
	if (argc - optind < 2)
		return usage_err(ctx, "which two members?");
	if (argc - optind > 2)
		return usage_err(ctx, "unexpected argument '%s'",
				 argv[optind + 2]);
	if (ctx->sock_path != NULL || ctx->prefix != NULL ||
	    ctx->cfg_path != NULL)
		return usage_err(ctx, "diff names both members itself: no -s, "
				 "-p or -c before it");
	for (i = 0; i < 2; i++) {
		if ((rc = diff_member(ctx, &m[i], argv[optind + i])) >= 0)
			return rc;
		snprintf(who[i], sizeof(who[i]), "%s (%s)", side[i],
			 argv[optind + i]);
		phx_fmt_diff_set_init(&set[i]);
	}

	rc = PHX_EXIT_FAIL;
	for (i = 0; i < 2; i++) {
		err_who = who[i];
		if (diff_digest(&m[i], &dg[i]) < 0)
			goto out;
	}
	if (phx_fmt_digest_equal(&dg[0], &dg[1])) {
		if (ctx->json) {
			json_t *j = json_pack("{s:b,s:I,s:s}", "equal", 1,
					      "sessions",
					      (json_int_t)dg[0].sessions,
					      "digest", dg[0].digest);

			if (j != NULL && phx_fmt_json(stdout, j) == 0)
				rc = PHX_EXIT_OK;
			json_decref(j);
		} else {
			printf("equal: %" PRIu64 " sessions (digest %s)\n",
			       dg[0].sessions, dg[0].digest);
			rc = PHX_EXIT_OK;
		}
		goto out;
	}
	for (i = 0; i < 2; i++) {
		err_who = who[i];
		if (diff_sessions(&m[i], &dg[i], &dg[1 - i], &set[i]) < 0)
			goto out;
	}
	err_who = NULL;
	if (phx_fmt_diff_compare(&set[0], &set[1], &d) < 0) {
		phx_err("out of memory");
		goto out;
	}
	if (ctx->json) {
		json_t *j = phx_fmt_diff_json(&d, limit);

		if (j != NULL)
			for (i = 0; i < 2; i++)
				json_object_set_new(j, i == 0 ? "a" : "b",
					json_pack("{s:s,s:I,s:s}", "member",
						  argv[optind + i], "sessions",
						  (json_int_t)dg[i].sessions,
						  "digest", dg[i].digest));
		if (j != NULL && json_object_set_new(j, "equal",
						     json_false()) == 0)
			phx_fmt_json(stdout, j);
		json_decref(j);
		goto out;
	}
	for (i = 0; i < 2; i++)
		printf("%s: %s: %" PRIu64 " sessions (digest %s)\n", side[i],
		       argv[optind + i], dg[i].sessions, dg[i].digest);
	phx_fmt_diff_print(stdout, &d, limit);
	if (d.n_items == 0)
		printf("The digests differ but the sessions read agree: the "
		       "tables changed while\nthey were read; run phx diff "
		       "again.\n");
out:
	err_who = NULL;
	phx_fmt_diff_fini(&d);
	for (i = 0; i < 2; i++) {
		phx_fmt_diff_set_fini(&set[i]);
		phx_sock_close(&m[i].sock);
	}
	return rc;
}

#define PHX_PNOTE_FILE_MAX 65536  /* bytes of a register -f file we read */

/* The options of register, report and unregister. */
struct pnote_args {
	const char *name;        /* -d */
	const char *timeout;     /* -t */
	const char *status;      /* -s */
	const char *file;        /* -f */
	bool persistent;         /* -p */
};

/*
 * Parse the pnote options; allowed holds the option letters the command
 * takes ("dtspf", "ds", "d"). Values are checked here, before anything
 * is asked. Returns -1 to go on, else the exit status.
 */
static int
pnote_opts(struct phx_ctx *ctx, int argc, char **argv, const char *allowed,
	   struct pnote_args *a, uint32_t *timeout_s, const char **status)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "status", required_argument, NULL, 's' },
		{ "persistent", no_argument, NULL, 'p' },
		{ "file", required_argument, NULL, 'f' },
		COMMON_LONGOPTS,
		{ 0 },
	};
	char err[256];
	int c, rc;

	*a = (struct pnote_args){ 0 };
	while ((c = getopt_long(argc, argv, ":d:t:s:pf:h", opts,
				NULL)) != -1) {
		if (c < 0x100 && strchr("dtspf", c) != NULL &&
		    strchr(allowed, c) == NULL)
			return usage_err(ctx, "-%c does not apply to %s", c,
					 ctx->cmd->name);
		switch (c) {
		case 'd':
			a->name = optarg;
			break;
		case 't':
			a->timeout = optarg;
			break;
		case 's':
			a->status = optarg;
			break;
		case 'f':
			a->file = optarg;
			break;
		case 'p':
			a->persistent = true;
			break;
		default:
			if ((rc = common_opt(ctx, c, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return usage_err(ctx, "unexpected argument '%s'", argv[optind]);
	if (a->name != NULL &&
	    phx_fmt_pnote_name(a->name, err, sizeof(err)) < 0)
		return usage_err(ctx, "-d: %s", err);
	if (a->timeout != NULL &&
	    phx_fmt_pnote_timeout(a->timeout, timeout_s, err, sizeof(err)) < 0)
		return usage_err(ctx, "-t: %s", err);
	if (a->status != NULL &&
	    phx_fmt_pnote_status(a->status, status, err, sizeof(err)) < 0)
		return usage_err(ctx, "-s: %s", err);
	return -1;
}

/* Read a register -f file whole: a NUL-terminated copy (caller frees)
 * or NULL after saying why. */
static char *
read_pnote_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (f == NULL) {
		phx_err("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(PHX_PNOTE_FILE_MAX + 1);
	if (buf == NULL) {
		phx_err("out of memory");
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, PHX_PNOTE_FILE_MAX + 1, f);
	if (ferror(f)) {
		phx_err("cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	if (n > PHX_PNOTE_FILE_MAX) {
		phx_err("%s: larger than %u bytes, not a device list", path,
			PHX_PNOTE_FILE_MAX);
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* cphaprob -d NAME -t T -s STATUS [-p] register, cphaprob -f FILE [-p]
 * register (SPEC CCP-71, CLI-40). */
static int
cmd_register(struct phx_ctx *ctx, int argc, char **argv)
{
	char cmd[PHX_SOCK_CMD_MAX + 1], err[512];
	const char *status = NULL;
	struct pnote_args a;
	uint32_t timeout_s = 0;
	char *text;
	size_t len;
	int rc;

	if ((rc = pnote_opts(ctx, argc, argv, "dtspf", &a, &timeout_s,
			     &status)) >= 0)
		return rc;
	if (a.file != NULL) {
		if (a.name != NULL || a.timeout != NULL || a.status != NULL)
			return usage_err(ctx, "-f excludes -d, -t and -s");
		if ((text = read_pnote_file(a.file, &len)) == NULL)
			return PHX_EXIT_FAIL;
		rc = phx_fmt_pnote_file(text, len, a.persistent, cmd,
					sizeof(cmd), err, sizeof(err));
		free(text);
		if (rc < 0) {
			phx_err("%s: %s", a.file, err);
			return PHX_EXIT_FAIL;
		}
		return act(ctx, cmd);
	}
	if (a.name == NULL || a.timeout == NULL || a.status == NULL)
		return usage_err(ctx, "register needs -d NAME, -t TIMEOUT and "
				 "-s STATUS, or -f FILE");
	snprintf(cmd, sizeof(cmd), "/phalanx/cluster/pnote,register %s %"
		 PRIu32 " %s%s", a.name, timeout_s, status,
		 a.persistent ? " persistent" : "");
	return act(ctx, cmd);
}

/* cphaprob -d NAME -s STATUS report */
static int
cmd_report(struct phx_ctx *ctx, int argc, char **argv)
{
	char cmd[PHX_CMD_LEN];
	const char *status = NULL;
	struct pnote_args a;
	uint32_t timeout_s;
	int rc;

	if ((rc = pnote_opts(ctx, argc, argv, "ds", &a, &timeout_s,
			     &status)) >= 0)
		return rc;
	if (a.name == NULL || a.status == NULL)
		return usage_err(ctx, "report needs -d NAME and -s STATUS");
	snprintf(cmd, sizeof(cmd), "/phalanx/cluster/pnote,report %s %s",
		 a.name, status);
	return act(ctx, cmd);
}

/* cphaprob -d NAME unregister */
static int
cmd_unregister(struct phx_ctx *ctx, int argc, char **argv)
{
	char cmd[PHX_CMD_LEN];
	const char *status = NULL;
	struct pnote_args a;
	uint32_t timeout_s;
	int rc;

	/* -p as cphaprob -d NAME -p unregister takes it (SPEC 6.1): the
	 * persistent registration goes whether or not it is given */
	if ((rc = pnote_opts(ctx, argc, argv, "dp", &a, &timeout_s,
			     &status)) >= 0)
		return rc;
	if (a.name == NULL)
		return usage_err(ctx, "unregister needs -d NAME");
	snprintf(cmd, sizeof(cmd), "/phalanx/cluster/pnote,unregister %s",
		 a.name);
	return act(ctx, cmd);
}

/*
 * Prometheus text exposition of the member's counters: pstat (the sums,
 * or each worker and ctl), ports and rules, and on a clustered member its
 * cluster state and CCP counters, asked one after the other
 * (not one consistent snapshot; counters are monotonic, so a scrape that
 * is a few milliseconds wide is harmless).
 */
static int
cmd_metrics(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "per-worker", no_argument, NULL, OPT_PER_WORKER },
		COMMON_LONGOPTS,
		{ 0 },
	};
	json_t *pstat[PHX_WORKER_MAX + 2] = { 0 };
	struct phx_fmt_metrics m = { 0 };
	char cmd[PHX_CMD_LEN], err[512];
	bool per_worker = false;
	size_t n = 0, i;
	int c, rc = PHX_EXIT_FAIL;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_PER_WORKER:
			per_worker = true;
			break;
		default:
			if ((rc = common_opt(ctx, c, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return usage_err(ctx, "unexpected argument '%s'", argv[optind]);

	if ((m.version = ask(ctx, "/phalanx/version", NULL)) == NULL)
		goto out;
	if (per_worker) {
		json_t *jw;
		json_int_t workers;

		if ((pstat[n++] = ask(ctx, "/phalanx/pstat,0", NULL)) == NULL)
			goto out;
		jw = json_object_get(pstat[0], "workers");
		workers = json_is_integer(jw) ? json_integer_value(jw) : -1;
		if (workers < 1 || workers > PHX_WORKER_MAX + 1) {
			phx_err("bad answer to /phalanx/pstat,0: \"workers\" "
				"is not a number 1..%u", PHX_WORKER_MAX + 1);
			goto out;
		}
		for (i = 1; i < (size_t)workers; i++) {
			snprintf(cmd, sizeof(cmd), "/phalanx/pstat,%zu", i);
			if ((pstat[n++] = ask(ctx, cmd, NULL)) == NULL)
				goto out;
		}
		if ((pstat[n++] = ask(ctx, "/phalanx/pstat,ctl", NULL)) == NULL)
			goto out;
	} else if ((pstat[n++] = ask(ctx, "/phalanx/pstat", NULL)) == NULL) {
		goto out;
	}
	if ((m.ports = ask(ctx, "/phalanx/ports", NULL)) == NULL ||
	    (m.rules = ask_rules(ctx)) == NULL ||
	    ask_cluster_optional(ctx, &m.cluster) < 0)
		goto out;
	if (m.cluster != NULL &&
	    (m.ccp = ask(ctx, "/phalanx/cluster/ccp", NULL)) == NULL)
		goto out;
	m.pstat = pstat;
	m.n_pstat = n;
	m.per_worker = per_worker;

	if (ctx->json) {
		/* The answers it would be made of. */
		json_t *ps = per_worker ? json_array() : json_incref(pstat[0]);
		json_t *all;

		for (i = 0; per_worker && ps != NULL && i < n; i++)
			json_array_append(ps, pstat[i]);
		all = json_pack("{s:O,s:o,s:O,s:O}", "/phalanx/version",
				m.version, "/phalanx/pstat", ps,
				"/phalanx/ports", m.ports, "/phalanx/rules",
				m.rules);
		if (all != NULL && m.cluster != NULL &&
		    (json_object_set(all, "/phalanx/cluster", m.cluster) < 0 ||
		     json_object_set(all, "/phalanx/cluster/ccp",
				     m.ccp) < 0)) {
			json_decref(all);
			all = NULL;
		}
		rc = all != NULL && phx_fmt_json(stdout, all) == 0 ?
			PHX_EXIT_OK : PHX_EXIT_FAIL;
		json_decref(all);
		goto out;
	}
	rc = phx_fmt_metrics(stdout, &m, err, sizeof(err));
	if (rc < 0)
		phx_err("bad answer for metrics: %s",
			rc == -ENOMEM ? "out of memory" : err);
	rc = rc < 0 ? PHX_EXIT_FAIL : PHX_EXIT_OK;
out:
	for (i = 0; i < n; i++)
		json_decref(pstat[i]);
	json_decref(m.version);
	json_decref(m.ports);
	json_decref(m.rules);
	json_decref(m.cluster);
	json_decref(m.ccp);
	return rc;
}

/* Any command, verbatim: the reply as the member sent it, or with --json
 * its answer indented. A null answer is printed and fails. */
static int
cmd_raw(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONGOPTS, { 0 } };
	const char *cmd;
	json_t *ans;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if ((rc = common_opt(ctx, c, argv)) >= 0)
			return rc;
	if (optind >= argc)
		return usage_err(ctx, "which command? (e.g. /info, or / for "
				 "the list)");
	if (optind + 1 < argc)
		return usage_err(ctx, "unexpected argument '%s'",
				 argv[optind + 1]);
	cmd = argv[optind];
	if (cmd[0] == '\0' || strlen(cmd) > PHX_SOCK_CMD_MAX)
		return usage_err(ctx, "the command must be 1..%u bytes",
				 PHX_SOCK_CMD_MAX);

	ans = request_any(ctx, cmd);
	if (ans == NULL)
		return PHX_EXIT_FAIL;
	if (ctx->json)
		rc = phx_fmt_json(stdout, ans) == 0 ?
			PHX_EXIT_OK : PHX_EXIT_FAIL;
	else
		rc = printf("%s\n", ctx->sock.buf) < 0 ?
			PHX_EXIT_FAIL : PHX_EXIT_OK;
	if (json_is_null(ans)) {
		explain_null(ctx, cmd, NULL);
		rc = PHX_EXIT_FAIL;
	} else if (member_failed(cmd, ans)) {
		rc = PHX_EXIT_FAIL;
	}
	json_decref(ans);
	return rc;
}

static int
cmd_help_cmd(struct phx_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONGOPTS, { 0 } };
	const struct phx_cmd *cmd;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if ((rc = common_opt(ctx, c, argv)) >= 0)
			return rc;
	if (optind + 1 < argc)
		return usage_err(ctx, "unexpected argument '%s'",
				 argv[optind + 1]);
	if (optind == argc) {
		usage(stdout);
		return PHX_EXIT_OK;
	}
	cmd = find_cmd(argv[optind]);
	if (cmd == NULL)
		return usage_err(ctx, "unknown command '%s'", argv[optind]);
	cmd_help(cmd, stdout);
	return PHX_EXIT_OK;
}

static const struct phx_cmd phx_cmds[] = {
	{ "version", NULL, "",
	  "member name, phalanx and DPDK versions, pid, uptime", "",
	  "/phalanx/version", phx_fmt_version },
	{ "config", NULL, "",
	  "the member's running configuration in brief", "",
	  "/phalanx/config", phx_fmt_config },
	{ "pstat", cmd_pstat, "[-w N | --worker N | --ctl] [-a]",
	  "packet counters and drop reasons (fw ctl pstat)",
	  "Sums over every worker and the control lcore unless narrowed; "
	  "then the rule\n"
	  "hits and, on a cluster member, the Synchronization section.\n"
	  "  -w, --worker N     one worker's counters (0 .. workers-1)\n"
	  "      --ctl          the control lcore's counters\n"
	  "  -a, --all          list every drop reason, zeros too\n"
	  "With --json: the /phalanx/pstat answer, with /phalanx/sync under "
	  "\"sync\" on a\n"
	  "cluster member.\n" },
	{ "state", cmd_state, "",
	  "cluster members and their states (cphaprob state)",
	  "One row per member: its number (priority), unique address, "
	  "assigned load\n"
	  "(100% on the member that forwards), state and when it was last "
	  "heard; then\n"
	  "why the local member is in its state, its critical devices, "
	  "interfaces and\n"
	  "configuration, and a warning for each member that will not "
	  "become active\n"
	  "because its configuration differs. Exit 1 on a member without a "
	  "cluster.\n"
	  "With --json: {\"/phalanx/cluster\": ..., "
	  "\"/phalanx/cluster/members\": ...}.\n" },
	{ "if", cmd_if, "[-a]",
	  "ports, and cluster interfaces (cphaprob [-a] if)",
	  "The ports: link, MTU, addresses, counters. On a clustered member "
	  "also the\n"
	  "required interface counts and each monitored interface, UP or "
	  "DOWN (for how\n"
	  "long), secured (the sync port) or not.\n"
	  "  -a, --all          also the virtual cluster interfaces (VIPs)\n"
	  "With --json: /phalanx/ports; on a clustered member "
	  "{\"/phalanx/ports\": ...,\n"
	  "\"/phalanx/cluster\": ..., \"/phalanx/cluster/if\": ...}.\n" },
	{ "list", cmd_list, "",
	  "critical devices and their states (cphaprob list)",
	  "Built-in devices (Interface Active Check), then the registered "
	  "ones: the\n"
	  "built-ins Synchronization, Filter, Workers (#0..#2) and the "
	  "operator's\n"
	  "(#3 up), each with its timeout, state and time since its last "
	  "report.\n" },
	{ "ccpstat", cmd_ccpstat, "",
	  "CCP frame counters: sent, received, dropped by reason",
	  "Every counter the member sends, in its order (tx, rx, then "
	  "drop_<reason>\n"
	  "for each reason the CCP decoder rejects a frame), zeros "
	  "included.\n" },
	{ "doctor", cmd_doctor, "",
	  "diagnose state synchronisation (automated syncstat reading)",
	  "Reads the member's cluster state, member table, sync counters and "
	  "peers, and\n"
	  "says what is wrong: peers not heard or not acknowledging, a sync MTU "
	  "or\n"
	  "configuration that differs, sync disabled, a full sync that failed, "
	  "and every\n"
	  "syncstat counter outside SPEC 6.6's healthy range, with what to "
	  "do.\n"
	  "Exit 0 when there is no problem (warnings allowed), 1 when there "
	  "is.\n"
	  "With --json: {\"checks\": [{\"level\", \"text\"}...], "
	  "\"warnings\", \"problems\"}.\n" },
	{ "syncstat", cmd_syncstat, "[--reset] [-a]",
	  "state synchronisation statistics (cphaprob syncstat)",
	  "SPEC 6.6's counters (Other Member Updates, Local Updates, Timers, "
	  "Queues),\n"
	  "then the full sync, record counters, each peer's acked sequence "
	  "and lag, and\n"
	  "the dropped sync frames by reason. Says first when sync is "
	  "disabled by\n"
	  "configuration. Exit 1 on a member without a cluster.\n"
	  "      --reset        zero the sync counters (cphaprob -reset "
	  "syncstat)\n"
	  "  -a, --all          list every drop reason, zeros too\n"
	  "With --json: {\"/phalanx/sync\": ..., \"/phalanx/sync/peers\": "
	  "...}.\n" },
	{ "diff", cmd_diff, "[--limit N] MEMBER_A MEMBER_B",
	  "compare two members' synced session tables",
	  "Asks both members for their session digests; equal digests print "
	  "\"equal: N\n"
	  "sessions (digest D)\" and exit 0. Otherwise the sessions of the "
	  "workers whose\n"
	  "digests differ are read from both and compared by forward key: "
	  "\"only on A\",\n"
	  "\"only on B\", \"NAT differs\", \"state differs\" lines and a "
	  "\"differ:\" summary;\n"
	  "exit 1. Sessions that do not sync (sync: false, waiting for "
	  "sync_delay) are\n"
	  "left out. A member is a configuration file (*.json, *.yaml, "
	  "*.yml), a socket\n"
	  "path (has a '/'), or a file prefix; -s, -p and -c do not "
	  "apply.\n"
	  "      --limit N      lines of each kind at most (default 100; 0: "
	  "no limit)\n"
	  "With --json: one object: equal, and the differences and "
	  "counts.\n" },
	{ "arp", cmd_arp, "[--page N | --all]",
	  "the neighbour (ARP) table, 64 entries a page",
	  "      --page N       page N, from 0 (default: the first); past "
	  "the last page\n"
	  "                     an error (exit 1) that says how many there "
	  "are\n"
	  "  -a, --all          every page (with --json: an array of the "
	  "pages)\n" },
	{ "routes", cmd_routes, "",
	  "the routing table: connected and static routes",
	  "Every page of /phalanx/routes (128 routes a page) in one table: "
	  "the connected\n"
	  "routes of the ports' addresses, then the static ones.\n"
	  "With --json: the pages joined into one answer (from 0, next "
	  "-1).\n" },
	{ "conn", cmd_conn,
	  "[--ip A.B.C.D] [--port N] [--proto P] [--state S] [-w N] "
	  "[--limit N] | --clear FILTER... | --clear --all",
	  "the session (connection) table of every worker",
	  "Walks every page of every worker and prints one table: original "
	  "and reply\n"
	  "direction, NAT, state, lifetime left, admitting rule, worker. The "
	  "rule is\n"
	  "(synced) for a session from state sync, (gen N) for one of an "
	  "older policy\n"
	  "generation N not re-checked since a reload. The member applies "
	  "the filters;\n"
	  "a session must match all of them.\n"
	  "      --ip A.B.C.D   either address of either direction (not "
	  "0.0.0.0)\n"
	  "      --port N       either port of either direction, TCP and UDP\n"
	  "                     (1..65535)\n"
	  "      --proto P      tcp, udp or icmp\n"
	  "      --state S      a TCP state: SYN_SENT, SYN_RECV, "
	  "ESTABLISHED, FIN_WAIT,\n"
	  "                     CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE "
	  "(any case)\n"
	  "  -w, --worker N     one worker's sessions (0 .. workers-1)\n"
	  "      --limit N      stop after N rows (default 1000; 0: no "
	  "limit)\n"
	  "      --clear        remove the sessions the filters match, on "
	  "every worker,\n"
	  "                     instead of listing them (with --all: every "
	  "session); an\n"
	  "                     active member's peers remove their copies "
	  "too\n"
	  "With --json: one JSON array of row objects over all pages.\n" },
	{ "rules", cmd_rules, "",
	  "the policy's rules and their hits",
	  "Hits count the first packets of new flows that matched a rule "
	  "since its\n"
	  "policy generation was loaded. Every page of /phalanx/rules, of "
	  "one generation.\n"
	  "With --json: the pages joined into one answer (from 0, next "
	  "-1).\n" },
	{ "policy", NULL, "",
	  "policy generation, file, rule count and last reload", "",
	  "/phalanx/policy", phx_fmt_policy },
	{ "reload", cmd_reload, "[-t S | --timeout S]",
	  "reload the policy (SIGHUP) and wait for the result",
	  "Sends SIGHUP to the member and waits until /phalanx/policy counts "
	  "the reload;\n"
	  "prints \"reload ok: generation N\" (exit 0) or \"reload refused: "
	  "REASON\" (exit 1,\n"
	  "the running policy stays). Needs the right to signal the member, "
	  "from its PID\n"
	  "namespace or an outer one.\n"
	  "  -t, --timeout S    seconds to wait, e.g. 10 or 2.5 (default "
	  "10)\n"
	  "With --json: the /phalanx/policy answer that showed the result.\n" },
	{ "register", cmd_register, "-d NAME -t TIMEOUT -s STATUS [-p] | -f FILE [-p]",
	  "register a critical device (cphaprob register)",
	  "A device the member cannot work without (SPEC CCP-71): while it "
	  "is problem,\n"
	  "or silent for longer than its timeout, the member fails over.\n"
	  "  -d, --device NAME  1 to 15 printable characters, no spaces\n"
	  "  -t, --timeout T    seconds it may stay silent (0: no "
	  "timeout)\n"
	  "  -s, --status S     initial status: ok, init or problem\n"
	  "  -p, --persistent   keep the registration across restarts\n"
	  "  -f, --file FILE    one \"<device> <timeout> <status>\" a line "
	  "(blank and #\n"
	  "                     lines skipped): all of them or none\n" },
	{ "report", cmd_report, "-d NAME -s STATUS",
	  "report a critical device's status (cphaprob report)",
	  "  -d, --device NAME  a registered device\n"
	  "  -s, --status S     ok, init or problem (problem: the member "
	  "fails over)\n" },
	{ "unregister", cmd_unregister, "-d NAME [-p]",
	  "unregister a critical device (cphaprob unregister)",
	  "The member's state then depends on the remaining devices only.\n"
	  "A persistent device is removed from the persistent list too.\n"
	  "  -d, --device NAME  a registered device\n"
	  "  -p, --persistent   accepted as cphaprob takes it (changes "
	  "nothing)\n" },
	{ "failover", cmd_admin_verb, "",
	  "hand the traffic to another member (forced failover)", "" },
	{ "stop", cmd_admin_verb, "",
	  "leave the cluster until phx start (cphastop)",
	  "The member releases the VIPs and stops forwarding; connections "
	  "to the member\n"
	  "itself still work.\n" },
	{ "start", cmd_admin_verb, "",
	  "rejoin the cluster after phx stop (cphastart)", "" },
	{ "admin", cmd_admin, "down|up",
	  "put the member down, or back up (status UI Down/Up)",
	  "down counts as a device problem: the member fails over, or stays "
	  "Active\n"
	  "Attention if no other member can take over; up clears it.\n" },
	{ "forget", cmd_forget, "MEMBER",
	  "take MEMBER's frames again after its clock went back",
	  "A member that restarts with its clock further back than it was "
	  "down sends as an\n"
	  "earlier run, and this member refuses its frames as replayed "
	  "(its log says so).\n"
	  "forget makes this member take MEMBER's next authenticated frame "
	  "and follow\n"
	  "its run from there. Run it on every member that logs the "
	  "warning.\n" },
	{ "metrics", cmd_metrics, "[--per-worker]",
	  "counters in Prometheus text format 0.0.4",
	  "pstat counters (phalanx_<counter>_total), drops by reason, "
	  "session and policy\n"
	  "gauges, port counters and link state, rule hits, and on a "
	  "clustered member\n"
	  "the cluster state and CCP counters; every series labelled "
	  "member=\"<name>\".\n"
	  "      --per-worker   each worker's and ctl's counters, labelled "
	  "worker=\"N\" or\n"
	  "                     \"ctl\", instead of the sums\n"
	  "With --json: the telemetry answers the metrics are made of.\n" },
	{ "raw", cmd_raw, "CMD",
	  "send any telemetry command, print its JSON reply",
	  "CMD is a command and its parameter, e.g. /ethdev/stats,0; / lists "
	  "them.\n" },
	{ "help", cmd_help_cmd, "[COMMAND]",
	  "this help, or a command's", "" },
};

static const struct phx_cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < PHX_DIM(phx_cmds); i++)
		if (strcmp(phx_cmds[i].name, name) == 0)
			return &phx_cmds[i];
	return NULL;
}

static void
usage(FILE *out)
{
	char rundir[sizeof(((struct phx_sock *)NULL)->path)];
	size_t i;

	if (phx_sock_runtime_dir(rundir, sizeof(rundir)) < 0)
		snprintf(rundir, sizeof(rundir), "<runtime dir>/dpdk");
	fprintf(out,
		"Usage: phx [-s PATH | -p PREFIX | -c FILE] [--json] COMMAND "
		"[ARGS]\n"
		"\n"
		"Operator CLI of a phalanx member (phalanx %s): asks the "
		"member over its\n"
		"DPDK telemetry socket and prints tables.\n"
		"\n"
		"Commands:\n", PHX_VERSION);
	for (i = 0; i < PHX_DIM(phx_cmds); i++) {
		char left[128];

		snprintf(left, sizeof(left), "%s%s%s", phx_cmds[i].name,
			 phx_cmds[i].synopsis[0] ? " " : "",
			 phx_cmds[i].synopsis);
		if (strlen(left) >= 24) /* summary on a line of its own */
			fprintf(out, "  %s\n  %-24s %s\n", left, "",
				phx_cmds[i].summary);
		else
			fprintf(out, "  %-24s %s\n", left,
				phx_cmds[i].summary);
	}
	fprintf(out,
		"\n"
		"Member (the first of these that is given):\n"
		"  -s, --socket PATH         telemetry socket path\n"
		"  -p, --file-prefix PREFIX  the member's EAL file prefix; "
		"socket\n"
		"                            %s/PREFIX/%s\n"
		"  -c, --config FILE         the member's configuration (its "
		"eal.file_prefix)\n"
		"  $PHX_FILE_PREFIX, else \"%s\"\n"
		"\n"
		"Options:\n"
		"      --json                print the member's answer as "
		"JSON, not a table\n"
		"  -h, --help                this help; 'phx COMMAND --help' "
		"for a command\n"
		"\n"
		"Exit status: 0 success, 1 runtime error (member unreachable, "
		"error answer,\n"
		"the member refused, no cluster for a cluster command, output "
		"not written;\n"
		"diff: the tables differ), 2 usage error.\n", rundir, PHX_SOCK_NAME,
		PHX_DEFAULT_PREFIX);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "file-prefix", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct phx_ctx ctx = { .sock = PHX_SOCK_INITIALIZER };
	const struct phx_cmd *cmd;
	int c, rc;

	opterr = 0; /* our messages, not getopt's */
	while ((c = getopt_long(argc, argv, "+:s:p:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (optarg[0] == '\0' ||
			    strlen(optarg) >= sizeof(ctx.sock.path))
				return usage_err(&ctx, "socket path must be "
						 "1..%zu bytes",
						 sizeof(ctx.sock.path) - 1);
			ctx.sock_path = optarg;
			break;
		case 'p':
			if (optarg[0] == '\0' || strchr(optarg, '/') != NULL)
				return usage_err(&ctx, "bad file prefix '%s': "
						 "it must be non-empty and "
						 "have no '/'", optarg);
			ctx.prefix = optarg;
			break;
		case 'c':
			ctx.cfg_path = optarg;
			break;
		case OPT_JSON:
			ctx.json = true;
			break;
		case 'h':
			usage(stdout);
			return PHX_EXIT_OK;
		default:
			return opt_error(&ctx, c, argv);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return PHX_EXIT_USAGE;
	}
	cmd = find_cmd(argv[optind]);
	if (cmd == NULL)
		return usage_err(&ctx, "unknown command '%s'", argv[optind]);

	ctx.cmd = cmd;
	argc -= optind;
	argv += optind;
	optind = 0; /* GNU getopt: start over for the command's options */
	rc = cmd->fn != NULL ? cmd->fn(&ctx, argc, argv) :
		simple_cmd(&ctx, argc, argv, cmd->tel, cmd->render);
	phx_sock_close(&ctx.sock);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = run(argc, argv);

	/* Output that could not be written (a full disk, /dev/full) shows
	 * only here, in stdio's flush and error flag: a command whose
	 * answer did not reach the operator has failed. */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;

		phx_err("cannot write to standard output%s%s", e ? ": " : "",
			e ? strerror(e) : "");
		if (rc == PHX_EXIT_OK)
			rc = PHX_EXIT_FAIL;
	}
	return rc;
}
