/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RSS redirection table phalanx gives a device (dataplane/dp_init.c,
 * rss_program): on DPDK's net_null, which keeps a 128-entry table it can
 * be asked for, with two workers. net_null starts with every entry on
 * queue 0, as a NIC may start with a table of its own: after phx_dp_start
 * the device must send entry i to worker i % 2, the table the workers
 * predict owners with (source NAT ports, replies).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include "dataplane/dp_api.h"
#include "lib/config.h"

static const char cfg_fmt[] =
	"{\n"
	"  \"name\": \"rsstest\",\n"
	"  \"dataplane\": {\"workers\": %u, \"mbufs\": 4096},\n"
	"  \"ports\": [\n"
	"    {\"name\": \"in0\", \"device\": \"net_null0\",\n"
	"     \"addresses\": [\"10.1.0.11/24\"]},\n"
	"    {\"name\": \"out0\", \"device\": \"net_null1\",\n"
	"     \"addresses\": [\"10.2.0.11/24\"]}\n"
	"  ],\n"
	"  \"rules\": [{\"name\": \"any\", \"action\": \"accept\"}]\n"
	"}\n";

/* Entry i of port's table (-1 if it cannot be read). */
static int
reta_entry(uint16_t port, unsigned i)
{
	struct rte_eth_rss_reta_entry64 conf[128 / RTE_ETH_RETA_GROUP_SIZE];
	unsigned k;

	memset(conf, 0, sizeof(conf));
	for (k = 0; k < RTE_DIM(conf); k++)
		conf[k].mask = UINT64_MAX;
	if (rte_eth_dev_rss_reta_query(port, conf, 128) != 0)
		return -1;
	return conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
}

static struct phx_config *rss_cfg;
static struct phx_dp *rss_dp;

/* Checked fixture: runs after a failed assertion too (no fork), so the
 * workers stop and EAL can clean up. */
static void
teardown(void)
{
	phx_dp_free(rss_dp);
	phx_config_free(rss_cfg);
	rss_dp = NULL;
	rss_cfg = NULL;
}

static void
start(unsigned workers)
{
	struct phx_cfg_errors errs = {0};
	char text[sizeof(cfg_fmt) + 8];

	snprintf(text, sizeof(text), cfg_fmt, workers);
	rss_cfg = phx_config_load_buf("rss.json", text, strlen(text), &errs);
	if (rss_cfg == NULL)
		phx_cfg_errors_print(&errs, stderr);
	ck_assert_ptr_nonnull(rss_cfg);
	rss_dp = phx_dp_create(rss_cfg, &errs);
	if (rss_dp == NULL)
		phx_cfg_errors_print(&errs, stderr);
	ck_assert_ptr_nonnull(rss_dp);
	ck_assert_int_eq(phx_dp_start(rss_dp), 0);
}

START_TEST(two_workers_own_alternate_entries)
{
	unsigned p, i;

	start(2);
	for (p = 0; p < 2; p++) {
		uint16_t port = phx_dp_port(rss_dp, p)->port_id;

		for (i = 0; i < 128; i++)
			ck_assert_msg(reta_entry(port, i) == (int)(i % 2),
				      "port %u entry %u: queue %d, want %u", p,
				      i, reta_entry(port, i), i % 2);
	}
}
END_TEST

int
main(void)
{
	static char a[][40] = { "dprss", "--lcores", "0@0,1@1,2@1",
		"--no-huge", "--no-pci", "-m", "256", "--log-level",
		"*:warning", "--file-prefix", "phx_dp_rss", "--vdev",
		"net_null0,no-rx=1", "--vdev", "net_null1,no-rx=1" };
	char *eal[RTE_DIM(a) + 1];
	Suite *s = suite_create("rss");
	TCase *tc = tcase_create("reta");
	SRunner *sr;
	unsigned k;
	int failed;

	for (k = 0; k < RTE_DIM(a); k++)
		eal[k] = a[k];
	eal[k] = NULL;
	if (rte_eal_init((int)RTE_DIM(a), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return EXIT_FAILURE;
	}
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, two_workers_own_alternate_entries);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rte_eal_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
