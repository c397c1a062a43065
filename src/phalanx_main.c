/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * phalanx: one cluster member. Argument parsing and wiring only:
 * configuration -> EAL -> dataplane -> control loop -> ordered shutdown.
 *
 *   phalanx -c FILE [-- EAL-ARGS...]    run a member
 *   phalanx --check-config FILE         validate and exit (0 ok, 1 errors)
 *
 * EAL arguments come from the configuration's "eal" section (plus one
 * --vdev or -a per port); anything after "--" is appended verbatim.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_pdump.h>

#include "control/ctl.h"
#include "dataplane/dp_api.h"
#include "lib/config.h"
#include "phx_config.h"
#include "src/phx_sock.h"

#define MAX_EAL_ARGS (16 + 2 * PHX_CFG_MAX_PORTS + PHX_CFG_MAX_EAL_ARGS + 64)

RTE_LOG_REGISTER(phx_logtype_main, phx.main, INFO);
#define LOG(level, ...) rte_log(RTE_LOG_##level, phx_logtype_main, \
				"phalanx: " __VA_ARGS__)

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: phalanx -c FILE [-- EAL-ARGS...]\n"
		"       phalanx --check-config FILE\n"
		"\n"
		"Runs one phalanx member from one configuration file (JSON or\n"
		"YAML, chosen by extension). EAL options come from its \"eal\"\n"
		"section; arguments after \"--\" are passed to EAL as well.\n"
		"\n"
		"  -c, --config FILE        configuration to run\n"
		"      --check-config FILE  validate FILE (syntax, schema and\n"
		"                           devices on this machine) and exit:\n"
		"                           0 valid, 1 errors (all printed)\n"
		"  -V, --version            print the version and exit\n"
		"  -h, --help               this text\n");
}

struct eal_argv {
	int argc;
	char *argv[MAX_EAL_ARGS];
	char store[MAX_EAL_ARGS][PHX_CFG_DEVICE_LEN + 16];
};

static void
eal_push(struct eal_argv *ea, const char *arg)
{
	if (ea->argc >= MAX_EAL_ARGS - 1)
		return;
	snprintf(ea->store[ea->argc], sizeof(ea->store[0]), "%s", arg);
	ea->argv[ea->argc] = ea->store[ea->argc];
	ea->argc++;
}

static void
eal_args_build(const struct phx_config *cfg, char *prog, int extra_argc,
	       char **extra_argv, struct eal_argv *ea)
{
	char num[32];
	bool any_pci = false;
	unsigned i;
	int k;

	eal_push(ea, prog);
	/* "-l" takes lcore = CPU lists; lcore@cpu needs --lcores */
	eal_push(ea, strchr(cfg->eal.lcores, '@') != NULL ? "--lcores" : "-l");
	eal_push(ea, cfg->eal.lcores);
	eal_push(ea, "--file-prefix");
	eal_push(ea, cfg->eal.file_prefix);
	if (cfg->eal.main_lcore >= 0) {
		snprintf(num, sizeof(num), "%d", cfg->eal.main_lcore);
		eal_push(ea, "--main-lcore");
		eal_push(ea, num);
	}
	if (cfg->eal.memory_mb > 0) {
		snprintf(num, sizeof(num), "%u", cfg->eal.memory_mb);
		eal_push(ea, "-m");
		eal_push(ea, num);
	}
	if (cfg->eal.no_huge)
		eal_push(ea, "--no-huge");
	if (cfg->eal.in_memory)
		eal_push(ea, "--in-memory");
	if (cfg->eal.log_level[0] != '\0') {
		eal_push(ea, "--log-level");
		eal_push(ea, cfg->eal.log_level);
	}
	for (i = 0; i < cfg->n_ports; i++) {
		if (cfg->ports[i].parent >= 0)
			continue; /* a VLAN of another port's device */
		eal_push(ea, cfg->ports[i].is_pci ? "-a" : "--vdev");
		eal_push(ea, cfg->ports[i].device);
		any_pci |= cfg->ports[i].is_pci;
	}
	/* Without PCI ports, do not probe (and possibly grab) PCI NICs. */
	if (!any_pci)
		eal_push(ea, "--no-pci");
	for (i = 0; i < cfg->eal.n_args; i++)
		eal_push(ea, cfg->eal.args[i]);
	for (k = 0; k < extra_argc; k++)
		eal_push(ea, extra_argv[k]);
	ea->argv[ea->argc] = NULL;
}

static struct phx_config *
config_load_checked(const char *path)
{
	static struct phx_cfg_errors errs;
	struct phx_config *cfg;

	memset(&errs, 0, sizeof(errs));
	cfg = phx_config_load(path, &errs);
	if (cfg != NULL && phx_config_check_env(cfg, &errs) != 0) {
		phx_config_free(cfg);
		cfg = NULL;
	}
	if (cfg == NULL) {
		phx_cfg_errors_print(&errs, stderr);
		fprintf(stderr, "phalanx: %s: %u error%s, not started\n", path,
			errs.n + errs.dropped,
			errs.n + errs.dropped == 1 ? "" : "s");
	}
	return cfg;
}

static void
log_final_counters(struct phx_dp *dp)
{
	struct phx_dp_stats s;
	unsigned k;

	phx_dp_stats_sum(dp, &s);
	LOG(INFO, "final counters:\n");
	for (k = 0; k < PHX_CNT_MAX; k++)
		if (s.cnt[k] != 0)
			LOG(INFO, "  %-24s %" PRIu64 "\n",
			    phx_dp_counter_name(k), s.cnt[k]);
	for (k = 1; k < PHX_DROP_MAX; k++)
		if (s.drop[k] != 0)
			LOG(INFO, "  drop %-19s %" PRIu64 "\n",
			    phx_drop_name(k), s.drop[k]);
}

/*
 * Another process already serves this file prefix. Without eal.in_memory
 * EAL refuses it (the runtime directory's lock); with it both would
 * start, and phx, which finds a member by its prefix's telemetry socket,
 * would talk to the first one whatever configuration it was given:
 * `phx -c member2.json failover` would fail member 1 over. So a prefix
 * whose socket answers is refused here, for both kinds.
 */
static bool
prefix_in_use(const struct phx_config *cfg)
{
	struct phx_sock sock;
	char path[sizeof(sock.path)], err[256];
	bool used;
	int rc;

	if (phx_sock_path(path, sizeof(path), cfg->eal.file_prefix) != 0)
		return false;   /* EAL will say what is wrong with it */
	/* phx's own connect: bounded (a stopped process with a full
	 * backlog times out, and holds the prefix), and it reads the
	 * greeting, which the other process's telemetry thread would
	 * otherwise write to a closed socket */
	rc = phx_sock_open(&sock, path, 1000, err, sizeof(err));
	phx_sock_close(&sock);
	used = rc == 0 || rc == -ETIMEDOUT || rc == -EPROTO ||
	       rc == -ECONNRESET;
	if (used)
		fprintf(stderr, "phalanx: %s: eal.file_prefix \"%s\" is in use: "
			"another DPDK process answers on %s (give each member "
			"its own prefix)\n", cfg->path, cfg->eal.file_prefix,
			path);
	return used;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", required_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct eal_argv ea;
	static struct phx_cfg_errors errs;
	const char *path = NULL;
	bool check_only = false;
	struct phx_config *cfg;
	struct phx_dp *dp = NULL;
	struct phx_ctl *ctl = NULL;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "+c:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			path = optarg;
			check_only = true;
			break;
		case 'V':
			printf("phalanx %s\n", PHX_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (path == NULL) {
		fprintf(stderr, "phalanx: no configuration given (-c FILE)\n");
		usage(stderr);
		return 2;
	}
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0) {
		fprintf(stderr, "phalanx: unexpected argument \"%s\" (EAL "
			"arguments go after \"--\")\n", argv[optind]);
		return 2;
	}

	cfg = config_load_checked(path);
	if (cfg == NULL)
		return 1;
	cfg->generation = 1;
	if (check_only) {
		printf("%s: ok\n", path);
		phx_config_free(cfg);
		return 0;
	}

	/* before EAL: its telemetry thread writes to clients that may be
	 * gone (a probe like prefix_in_use of another member) */
	signal(SIGPIPE, SIG_IGN);
	if (prefix_in_use(cfg)) {
		phx_config_free(cfg);
		return 1;
	}
	eal_args_build(cfg, argv[0], argc - optind, argv + optind, &ea);
	if (rte_eal_init(ea.argc, ea.argv) < 0) {
		fprintf(stderr, "phalanx: EAL initialisation failed%s%s (see "
			"the EAL messages above)\n", rte_errno ? ": " : "",
			rte_errno ? rte_strerror(rte_errno) : "");
		phx_config_free(cfg);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	/* So dpdk-dumpcap can capture any port (needs the multi-process
	 * channel, i.e. not eal.in_memory). */
	if (rte_pdump_init() != 0)
		LOG(WARNING, "packet capture unavailable: rte_pdump_init: %s\n",
		    rte_strerror(rte_errno));

	dp = phx_dp_create(cfg, &errs);
	if (dp == NULL) {
		phx_cfg_errors_print(&errs, stderr);
		fprintf(stderr, "phalanx: %s: dataplane not created, not "
			"started\n", path);
		goto out;
	}
	ctl = phx_ctl_create(dp);
	if (ctl == NULL) {
		fprintf(stderr, "phalanx: control lcore set-up failed\n");
		goto out;
	}
	if (phx_dp_start(dp) != 0) {
		fprintf(stderr, "phalanx: could not start ports and workers\n");
		goto out;
	}
	LOG(INFO, "member %s running: %u worker(s), %u port(s), telemetry "
	    "prefix %s\n", cfg->name, phx_dp_nb_workers(dp),
	    phx_dp_nb_ports(dp), cfg->eal.file_prefix);

	phx_ctl_run(ctl, &stop_requested, &reload_requested);

	LOG(INFO, "stopping\n");
	phx_dp_stop(dp);
	log_final_counters(dp);
	rc = 0;
out:
	phx_ctl_free(ctl);
	phx_dp_free(dp);
	rte_pdump_uninit();
	rte_eal_cleanup();
	phx_config_free(cfg);
	return rc;
}
