/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/pnote: every limit and message of SPEC CCP-71..76,
 * CLI-30 and CLI-40, written from the SPEC text (the three FW-1 error
 * strings are compared byte for byte), plus timeouts with injected time,
 * the aggregate the member FSM consumes, and the registration file.
 */
#include <check.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pnote.h"

#define S(x) ((uint64_t)(x) * 1000000u)  /* seconds -> us */
#define T0   S(100)

static struct phx_pnote *
mk(void)
{
	struct phx_pnote_params p = { .member_id = 1 };
	struct phx_pnote *r;

	snprintf(p.ip, sizeof(p.ip), "10.0.10.1");
	r = phx_pnote_create(&p, T0);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* The daemon's normal start: every built-in reports OK. */
static struct phx_pnote *
mk_ok(void)
{
	struct phx_pnote *r = mk();
	unsigned i;

	for (i = 0; i < PHX_PNOTE_BI_MAX; i++)
		ck_assert_int_eq(phx_pnote_report_builtin(r, i, PHX_PNOTE_OK,
				 "started", T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_aggregate(r, NULL), PHX_PNOTE_OK);
	return r;
}

/* ---- built-ins and listing (CCP-70, CLI-30) ---------------------------- */

START_TEST(test_builtins)
{
	struct phx_pnote *r = mk();
	struct phx_pnote_info li[8];
	char culprit[PHX_PNOTE_LABEL_LEN];
	unsigned n;

	n = phx_pnote_list(r, T0 + S(3), li, 8);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(li[0].name, "Interface Active Check");
	ck_assert_int_eq(li[0].regno, -1);
	ck_assert_str_eq(li[1].name, "Synchronization");
	ck_assert_int_eq(li[1].regno, 0);
	ck_assert_str_eq(li[2].name, "Filter");
	ck_assert_int_eq(li[2].regno, 1);
	ck_assert_str_eq(li[3].name, "Workers");
	ck_assert_int_eq(li[3].regno, 2);
	for (n = 0; n < 4; n++) {
		ck_assert(li[n].builtin);
		ck_assert_int_eq(li[n].status, PHX_PNOTE_INIT);
		ck_assert_uint_eq(li[n].timeout_s, 0);
		ck_assert_uint_eq(li[n].since_report_us, S(3));
	}
	/* Synchronization not OK until full sync: the member is down */
	ck_assert_int_eq(phx_pnote_aggregate(r, culprit), PHX_PNOTE_INIT);
	ck_assert_str_eq(culprit, "Synchronization");
	ck_assert_uint_eq(phx_pnote_count(r), 0);
	phx_pnote_free(r);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(phx_pnote_status_names[PHX_PNOTE_OK], "OK");
	ck_assert_str_eq(phx_pnote_status_names[PHX_PNOTE_INIT], "init");
	ck_assert_str_eq(phx_pnote_status_names[PHX_PNOTE_PROBLEM], "problem");
}
END_TEST

START_TEST(test_status_parse)
{
	enum phx_pnote_status st;

	ck_assert_int_eq(phx_pnote_status_parse("ok", &st), 0);
	ck_assert_int_eq(st, PHX_PNOTE_OK);
	ck_assert_int_eq(phx_pnote_status_parse("init", &st), 0);
	ck_assert_int_eq(st, PHX_PNOTE_INIT);
	ck_assert_int_eq(phx_pnote_status_parse("problem", &st), 0);
	ck_assert_int_eq(st, PHX_PNOTE_PROBLEM);
	ck_assert_int_eq(phx_pnote_status_parse("PROBLEM", &st), 0);
	ck_assert_int_eq(phx_pnote_status_parse("down", &st), -EINVAL);
	ck_assert_int_eq(phx_pnote_status_parse("", &st), -EINVAL);
	ck_assert_int_eq(phx_pnote_status_parse(NULL, &st), -EINVAL);
}
END_TEST

/* The Interface Active Check is shown, never aggregated (the FSM
 * arbitrates interfaces, CCP-35). */
START_TEST(test_iface_not_aggregated)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_out o;
	struct phx_pnote_info li[4];

	ck_assert_int_eq(phx_pnote_report_builtin(r, PHX_PNOTE_BI_IFACE,
			 PHX_PNOTE_PROBLEM, "eth1 down", T0, &o), 0);
	ck_assert_uint_eq(o.n_logs, 1);
	ck_assert_str_eq(o.logs[0], "Interface Active Check on member 1 "
			 "(10.0.10.1) detected a problem (eth1 down).");
	ck_assert(!o.agg_changed);
	ck_assert_int_eq(o.agg, PHX_PNOTE_OK);
	phx_pnote_list(r, T0, li, 4);
	ck_assert_int_eq(li[0].status, PHX_PNOTE_PROBLEM);
	ck_assert_int_eq(phx_pnote_report_builtin(r, PHX_PNOTE_BI_MAX,
			 PHX_PNOTE_OK, NULL, T0, &o), -EINVAL);
	phx_pnote_free(r);
}
END_TEST

/* ---- registration (CCP-71, CCP-75) ------------------------------------- */

START_TEST(test_register_ok)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_out o;
	struct phx_pnote_info li[8];

	ck_assert_int_eq(phx_pnote_register(r, "faildevice", 0, PHX_PNOTE_OK,
			 true, T0, &o), 0);
	ck_assert_str_eq(o.err, "");
	ck_assert_uint_eq(o.n_logs, 1);
	ck_assert_str_eq(o.logs[0], "faildevice on member 1 (10.0.10.1) "
			 "status OK (registered).");
	ck_assert(!o.agg_changed);
	ck_assert_uint_eq(phx_pnote_list(r, T0 + S(1), li, 8), 5);
	ck_assert_str_eq(li[4].name, "faildevice");
	ck_assert_int_eq(li[4].regno, PHX_PNOTE_FIRST_REGNO);
	ck_assert(!li[4].builtin);
	ck_assert(li[4].persistent);
	ck_assert_uint_eq(li[4].timeout_s, 0);
	ck_assert_uint_eq(li[4].since_report_us, S(1));

	/* registered straight into init or problem */
	ck_assert_int_eq(phx_pnote_register(r, "mydev", 2, PHX_PNOTE_INIT,
			 false, T0, &o), 0);
	ck_assert_str_eq(o.logs[0], "mydev on member 1 (10.0.10.1) is "
			 "initializing (registered).");
	ck_assert(o.agg_changed);
	ck_assert_int_eq(o.agg, PHX_PNOTE_INIT);
	ck_assert_str_eq(o.culprit, "mydev");
	ck_assert_int_eq(phx_pnote_register(r, "bad", 0, PHX_PNOTE_PROBLEM,
			 false, T0, &o), 0);
	ck_assert_str_eq(o.logs[0], "bad on member 1 (10.0.10.1) detected a "
			 "problem (registered).");
	ck_assert(!o.agg_changed);   /* init still dominates */
	ck_assert_uint_eq(phx_pnote_count(r), 3);
	phx_pnote_free(r);
}
END_TEST

/* Name: at most 15 characters, no spaces (CCP-71). */
START_TEST(test_register_names)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_out o;

	ck_assert_int_eq(phx_pnote_register(r, "abcdefghijklmno", 0,
			 PHX_PNOTE_OK, false, T0, &o), 0);   /* 15 */
	ck_assert_int_eq(phx_pnote_register(r, "abcdefghijklmnop", 0,
			 PHX_PNOTE_OK, false, T0, &o), -EINVAL); /* 16 */
	ck_assert_ptr_nonnull(strstr(o.err, "abcdefghijklmnop"));
	ck_assert_uint_eq(o.n_logs, 0);
	ck_assert_int_eq(phx_pnote_register(r, "my dev", 0, PHX_PNOTE_OK,
			 false, T0, &o), -EINVAL);
	ck_assert_int_eq(phx_pnote_register(r, "tab\tdev", 0, PHX_PNOTE_OK,
			 false, T0, &o), -EINVAL);
	ck_assert_int_eq(phx_pnote_register(r, "", 0, PHX_PNOTE_OK,
			 false, T0, &o), -EINVAL);
	ck_assert_int_eq(phx_pnote_register(r, NULL, 0, PHX_PNOTE_OK,
			 false, T0, &o), -EINVAL);
	ck_assert_int_eq(phx_pnote_register(r, "bell\a", 0, PHX_PNOTE_OK,
			 false, T0, &o), -EINVAL);
	ck_assert_int_eq(phx_pnote_register(r, "okname", 0,
			 (enum phx_pnote_status)7, false, T0, &o), -EINVAL);
	ck_assert_uint_eq(phx_pnote_count(r), 1);
	phx_pnote_free(r);
}
END_TEST

/* 16 devices fit, the 17th fails with the exact text and changes
 * nothing (CCP-75, SPEC 12 scenario 9). */
START_TEST(test_register_limit)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_info li[32];
	struct phx_pnote_out o;
	char name[16];
	unsigned i, n;

	for (i = 0; i < PHX_PNOTE_MAX_REGISTERED; i++) {
		snprintf(name, sizeof(name), "dev%u", i);
		ck_assert_int_eq(phx_pnote_register(r, name, 0, PHX_PNOTE_OK,
				 false, T0, &o), 0);
	}
	ck_assert_uint_eq(phx_pnote_count(r), 16);
	ck_assert_int_eq(phx_pnote_register(r, "dev16", 0, PHX_PNOTE_PROBLEM,
			 false, T0, &o), -ENOSPC);
	ck_assert_str_eq(o.err, "FW-1: fwha_pnote_register: too many "
			 "registering members, cannot register");
	ck_assert_uint_eq(o.n_logs, 0);
	ck_assert(!o.agg_changed);
	ck_assert_uint_eq(phx_pnote_count(r), 16);
	n = phx_pnote_list(r, T0, li, 32);
	ck_assert_uint_eq(n, 20);
	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "dev%u", i);
		ck_assert_str_eq(li[4 + i].name, name);
		ck_assert_int_eq(li[4 + i].regno, PHX_PNOTE_FIRST_REGNO + i);
		ck_assert_int_eq(li[4 + i].status, PHX_PNOTE_OK);
	}
	ck_assert_int_eq(phx_pnote_aggregate(r, NULL), PHX_PNOTE_OK);
	/* a list buffer too small still reports the total */
	ck_assert_uint_eq(phx_pnote_list(r, T0, li, 3), 20);
	phx_pnote_free(r);
}
END_TEST

START_TEST(test_register_duplicate)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_out o;

	ck_assert_int_eq(phx_pnote_register(r, "a", 0, PHX_PNOTE_OK, false,
			 T0, &o), 0);
	ck_assert_int_eq(phx_pnote_register(r, "mydev", 5, PHX_PNOTE_OK,
			 false, T0, &o), 0);
	ck_assert_int_eq(phx_pnote_register(r, "mydev", 0, PHX_PNOTE_PROBLEM,
			 false, T0, &o), -EEXIST);
	ck_assert_str_eq(o.err, "FW-1: fwha_pnote_register: mydev already "
			 "registered (# 4)");
	ck_assert_int_eq(phx_pnote_aggregate(r, NULL), PHX_PNOTE_OK);
	/* the registered built-ins keep their numbers */
	ck_assert_int_eq(phx_pnote_register(r, "Filter", 0, PHX_PNOTE_OK,
			 false, T0, &o), -EEXIST);
	ck_assert_str_eq(o.err, "FW-1: fwha_pnote_register: Filter already "
			 "registered (# 1)");
	ck_assert_int_eq(phx_pnote_register(r, "Synchronization", 0,
			 PHX_PNOTE_OK, false, T0, &o), -EEXIST);
	ck_assert_str_eq(o.err, "FW-1: fwha_pnote_register: Synchronization "
			 "already registered (# 0)");
	/* names are case-sensitive */
	ck_assert_int_eq(phx_pnote_register(r, "MYDEV", 0, PHX_PNOTE_OK,
			 false, T0, &o), 0);
	phx_pnote_free(r);
}
END_TEST

/* ---- unregistration (CCP-74, CCP-75) ----------------------------------- */

START_TEST(test_unregister)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_info li[8];
	struct phx_pnote_out o;

	ck_assert_int_eq(phx_pnote_unregister(r, "nosuch", &o), -ENOENT);
	ck_assert_str_eq(o.err, "FW-1: fwha_pnote_unregister: attempting to "
			 "unregister an unregistered device nosuch");
	ck_assert_int_eq(phx_pnote_unregister(r, "Filter", &o), -EPERM);
	ck_assert_int_eq(phx_pnote_unregister(r, "Interface Active Check",
			 &o), -EPERM);
	ck_assert_int_eq(phx_pnote_unregister(r, NULL, &o), -ENOENT);

	/* FAIL-60: faildevice forces the member down; unregistering it
	 * leaves the state to the remaining devices */
	ck_assert_int_eq(phx_pnote_register(r, "faildevice", 0, PHX_PNOTE_OK,
			 false, T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_register(r, "other", 0, PHX_PNOTE_OK,
			 false, T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_report(r, "faildevice", PHX_PNOTE_PROBLEM,
			 NULL, T0, &o), 0);
	ck_assert(o.agg_changed);
	ck_assert_int_eq(o.agg, PHX_PNOTE_PROBLEM);
	ck_assert_str_eq(o.culprit, "faildevice");
	ck_assert_int_eq(phx_pnote_unregister(r, "faildevice", &o), 0);
	ck_assert_str_eq(o.err, "");
	ck_assert(o.agg_changed);
	ck_assert_int_eq(o.agg, PHX_PNOTE_OK);
	ck_assert_str_eq(o.culprit, "");
	ck_assert_int_eq(phx_pnote_unregister(r, "faildevice", &o), -ENOENT);

	/* the freed number (3) is the lowest free one again */
	ck_assert_int_eq(phx_pnote_register(r, "again", 0, PHX_PNOTE_OK,
			 false, T0, NULL), 0);
	ck_assert_uint_eq(phx_pnote_list(r, T0, li, 8), 6);
	ck_assert_str_eq(li[4].name, "again");
	ck_assert_int_eq(li[4].regno, 3);
	ck_assert_str_eq(li[5].name, "other");
	ck_assert_int_eq(li[5].regno, 4);
	phx_pnote_free(r);
}
END_TEST

/* ---- reports and CCP-76 lines ------------------------------------------ */

START_TEST(test_report)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_out o;

	ck_assert_int_eq(phx_pnote_register(r, "fwd", 0, PHX_PNOTE_OK, false,
			 T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_report(r, "fwd", PHX_PNOTE_PROBLEM,
			 "process missing", T0 + 1, &o), 0);
	ck_assert_uint_eq(o.n_logs, 1);
	ck_assert_str_eq(o.logs[0], "fwd on member 1 (10.0.10.1) detected a "
			 "problem (process missing).");
	ck_assert(o.agg_changed);
	ck_assert_int_eq(o.agg, PHX_PNOTE_PROBLEM);
	/* same status again: no line, no change */
	ck_assert_int_eq(phx_pnote_report(r, "fwd", PHX_PNOTE_PROBLEM, NULL,
			 T0 + 2, &o), 0);
	ck_assert_uint_eq(o.n_logs, 0);
	ck_assert(!o.agg_changed);
	ck_assert_int_eq(phx_pnote_report(r, "fwd", PHX_PNOTE_INIT, NULL,
			 T0 + 3, &o), 0);
	ck_assert_str_eq(o.logs[0], "fwd on member 1 (10.0.10.1) is "
			 "initializing (reported).");
	ck_assert_int_eq(o.agg, PHX_PNOTE_INIT);
	ck_assert_int_eq(phx_pnote_report(r, "fwd", PHX_PNOTE_OK, NULL,
			 T0 + 4, &o), 0);
	ck_assert_str_eq(o.logs[0], "fwd on member 1 (10.0.10.1) status OK "
			 "(reported).");
	ck_assert(o.agg_changed);
	ck_assert_int_eq(o.agg, PHX_PNOTE_OK);

	ck_assert_int_eq(phx_pnote_report(r, "ghost", PHX_PNOTE_OK, NULL,
			 T0, &o), -ENOENT);
	ck_assert_ptr_nonnull(strstr(o.err, "ghost"));
	ck_assert_int_eq(phx_pnote_report(r, "fwd", (enum phx_pnote_status)3,
			 NULL, T0, &o), -EINVAL);
	/* built-ins can be reported by name too */
	ck_assert_int_eq(phx_pnote_report(r, "Filter", PHX_PNOTE_PROBLEM,
			 "policy unloaded", T0, &o), 0);
	ck_assert_str_eq(o.logs[0], "Filter on member 1 (10.0.10.1) detected "
			 "a problem (policy unloaded).");
	phx_pnote_free(r);
}
END_TEST

/* init dominates problem in the aggregate (CCP-60 vs CCP-65); the culprit
 * is the first device in listing order. */
START_TEST(test_aggregate)
{
	struct phx_pnote *r = mk_ok();
	char c[PHX_PNOTE_LABEL_LEN];

	ck_assert_int_eq(phx_pnote_register(r, "p1", 0, PHX_PNOTE_PROBLEM,
			 false, T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_register(r, "p2", 0, PHX_PNOTE_PROBLEM,
			 false, T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_aggregate(r, c), PHX_PNOTE_PROBLEM);
	ck_assert_str_eq(c, "p1");
	ck_assert_int_eq(phx_pnote_register(r, "i1", 0, PHX_PNOTE_INIT,
			 false, T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_aggregate(r, c), PHX_PNOTE_INIT);
	ck_assert_str_eq(c, "i1");
	ck_assert_int_eq(phx_pnote_report_builtin(r, PHX_PNOTE_BI_WORKERS,
			 PHX_PNOTE_INIT, NULL, T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_aggregate(r, c), PHX_PNOTE_INIT);
	ck_assert_str_eq(c, "Workers");
	ck_assert_int_eq(phx_pnote_unregister(r, "i1", NULL), 0);
	ck_assert_int_eq(phx_pnote_report_builtin(r, PHX_PNOTE_BI_WORKERS,
			 PHX_PNOTE_OK, NULL, T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_unregister(r, "p1", NULL), 0);
	ck_assert_int_eq(phx_pnote_aggregate(r, c), PHX_PNOTE_PROBLEM);
	ck_assert_str_eq(c, "p2");
	ck_assert_int_eq(phx_pnote_unregister(r, "p2", NULL), 0);
	ck_assert_int_eq(phx_pnote_aggregate(r, c), PHX_PNOTE_OK);
	ck_assert_str_eq(c, "");
	phx_pnote_free(r);
}
END_TEST

/* The device to blame changes while the aggregate stays problem: that is
 * a change too (the member's reason names the device, CCP-67/76). */
START_TEST(test_culprit_change)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_out o;

	ck_assert_int_eq(phx_pnote_register(r, "x", 0, PHX_PNOTE_OK, false, T0,
			 NULL), 0);
	ck_assert_int_eq(phx_pnote_register(r, "y", 0, PHX_PNOTE_OK, false, T0,
			 NULL), 0);
	ck_assert_int_eq(phx_pnote_report(r, "x", PHX_PNOTE_PROBLEM, NULL, T0,
			 &o), 0);
	ck_assert(o.agg_changed);
	ck_assert_str_eq(o.culprit, "x");
	ck_assert_int_eq(phx_pnote_report(r, "y", PHX_PNOTE_PROBLEM, NULL, T0,
			 &o), 0);
	ck_assert(!o.agg_changed);          /* still x's problem first */
	ck_assert_int_eq(phx_pnote_report(r, "x", PHX_PNOTE_OK, NULL, T0, &o),
			 0);
	ck_assert_int_eq(o.agg, PHX_PNOTE_PROBLEM);
	ck_assert_str_eq(o.culprit, "y");
	ck_assert_msg(o.agg_changed, "the culprit went from x to y");
	phx_pnote_free(r);
}
END_TEST

/* ---- timeouts (CCP-72, SPEC 12 scenario 7) ----------------------------- */

START_TEST(test_timeout)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_info li[8];
	struct phx_pnote_out o;

	ck_assert_int_eq(phx_pnote_register(r, "mydev", 2, PHX_PNOTE_OK,
			 false, T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_register(r, "forever", 0, PHX_PNOTE_OK,
			 false, T0, NULL), 0);
	phx_pnote_tick(r, T0 + S(2) - 1, &o);
	ck_assert_uint_eq(o.n_logs, 0);
	ck_assert_int_eq(o.agg, PHX_PNOTE_OK);
	phx_pnote_tick(r, T0 + S(2), &o);
	ck_assert_uint_eq(o.n_logs, 1);
	ck_assert_str_eq(o.logs[0], "mydev on member 1 (10.0.10.1) detected "
			 "a problem (no report within 2 sec).");
	ck_assert(o.agg_changed);
	ck_assert_int_eq(o.agg, PHX_PNOTE_PROBLEM);
	ck_assert_str_eq(o.culprit, "mydev");
	/* once: the next ticks say nothing */
	phx_pnote_tick(r, T0 + S(3), &o);
	ck_assert_uint_eq(o.n_logs, 0);
	ck_assert(!o.agg_changed);
	ck_assert_uint_eq(phx_pnote_list(r, T0 + S(3), li, 8), 6);
	ck_assert_str_eq(li[4].name, "mydev");
	ck_assert_int_eq(li[4].status, PHX_PNOTE_PROBLEM);
	ck_assert_uint_gt(li[4].since_report_us, S(2));
	ck_assert_uint_eq(li[4].timeout_s, 2);
	ck_assert_int_eq(li[5].status, PHX_PNOTE_OK);    /* -t 0 */
	/* a report restores it and restarts the timeout */
	ck_assert_int_eq(phx_pnote_report(r, "mydev", PHX_PNOTE_OK, NULL,
			 T0 + S(4), &o), 0);
	ck_assert_str_eq(o.logs[0], "mydev on member 1 (10.0.10.1) status OK "
			 "(reported).");
	ck_assert_int_eq(o.agg, PHX_PNOTE_OK);
	phx_pnote_tick(r, T0 + S(5), &o);
	ck_assert_int_eq(o.agg, PHX_PNOTE_OK);
	phx_pnote_tick(r, T0 + S(6), &o);
	ck_assert_int_eq(o.agg, PHX_PNOTE_PROBLEM);
	/* -t 0 never expires */
	phx_pnote_tick(r, T0 + S(1000000), &o);
	ck_assert_uint_eq(phx_pnote_list(r, T0, li, 8), 6);
	ck_assert_int_eq(li[5].status, PHX_PNOTE_OK);
	phx_pnote_free(r);
}
END_TEST

/* A device reporting problem that also times out logs only once. */
START_TEST(test_timeout_already_problem)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_out o;

	ck_assert_int_eq(phx_pnote_register(r, "x", 1, PHX_PNOTE_PROBLEM,
			 false, T0, NULL), 0);
	phx_pnote_tick(r, T0 + S(5), &o);
	ck_assert_uint_eq(o.n_logs, 0);
	ck_assert_int_eq(o.agg, PHX_PNOTE_PROBLEM);
	phx_pnote_free(r);
}
END_TEST

START_TEST(test_builtin_timeout)
{
	struct phx_pnote_params p = { .member_id = 2 };
	struct phx_pnote_out o;
	struct phx_pnote *r;

	snprintf(p.ip, sizeof(p.ip), "10.0.10.2");
	p.builtin_timeout_s[PHX_PNOTE_BI_WORKERS] = 1;
	r = phx_pnote_create(&p, T0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(phx_pnote_report_builtin(r, PHX_PNOTE_BI_SYNC,
			 PHX_PNOTE_OK, "full sync done", T0, &o), 0);
	ck_assert_str_eq(o.logs[0], "Synchronization on member 2 (10.0.10.2) "
			 "status OK (full sync done).");
	ck_assert_int_eq(phx_pnote_report_builtin(r, PHX_PNOTE_BI_FILTER,
			 PHX_PNOTE_OK, NULL, T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_report_builtin(r, PHX_PNOTE_BI_WORKERS,
			 PHX_PNOTE_OK, NULL, T0 + S(1) / 2, NULL), 0);
	phx_pnote_tick(r, T0 + S(1), &o);
	ck_assert_int_eq(o.agg, PHX_PNOTE_OK);
	phx_pnote_tick(r, T0 + S(3) / 2, &o);
	ck_assert_uint_eq(o.n_logs, 1);
	ck_assert_str_eq(o.logs[0], "Workers on member 2 (10.0.10.2) detected "
			 "a problem (no report within 1 sec).");
	ck_assert_int_eq(o.agg, PHX_PNOTE_PROBLEM);
	phx_pnote_free(r);
	ck_assert_ptr_null(phx_pnote_create(NULL, T0));
	ck_assert_int_eq(errno, EINVAL);
	phx_pnote_free(NULL);
}
END_TEST

/* ---- registration file (CLI-40) ---------------------------------------- */

START_TEST(test_file_ok)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_info li[8];
	struct phx_pnote_out o;

	ck_assert_int_eq(phx_pnote_register_file(r,
			 "# process monitor\n"
			 "fwd\t0\tok\n"
			 "\n"
			 "   routed 5   init\r\n"
			 "probe 0 problem", true, T0, &o), 3);
	ck_assert_uint_eq(o.n_logs, 3);
	ck_assert_str_eq(o.logs[1], "routed on member 1 (10.0.10.1) is "
			 "initializing (registered).");
	ck_assert(o.agg_changed);
	ck_assert_int_eq(o.agg, PHX_PNOTE_INIT);
	ck_assert_uint_eq(phx_pnote_list(r, T0, li, 8), 7);
	ck_assert_str_eq(li[5].name, "routed");
	ck_assert_uint_eq(li[5].timeout_s, 5);
	ck_assert(li[5].persistent);
	ck_assert_int_eq(phx_pnote_register_file(r, "", false, T0, &o), 0);
	phx_pnote_free(r);
}
END_TEST

/* Validate-then-commit: one bad line, nothing registered. */
START_TEST(test_file_bad)
{
	static const struct {
		const char *text;
		int rc;
		const char *err;
	} cases[] = {
		{ "a 0 ok\nb 0\n", -EINVAL, "line 2: expected <device> "
		  "<timeout> <status>" },
		{ "a 0 ok\nb 0 ok extra\n", -EINVAL, "line 2: expected "
		  "<device> <timeout> <status>" },
		{ "a x ok\n", -EINVAL, "line 1: invalid timeout 'x' "
		  "(seconds, 0 = none)" },
		{ "a -1 ok\n", -EINVAL, "line 1: invalid timeout '-1' "
		  "(seconds, 0 = none)" },
		{ "a 4294967296 ok\n", -EINVAL, "line 1: invalid timeout "
		  "'4294967296' (seconds, 0 = none)" },
		{ "a 0 fine\n", -EINVAL, "line 1: invalid status 'fine' "
		  "(ok|init|problem)" },
		{ "abcdefghijklmnop 0 ok\n", -EINVAL, "line 1: invalid device "
		  "name 'abcdefghijklmnop': 1 to 15 printable characters, no "
		  "spaces" },
		{ "a 0 ok\nexisting 0 ok\n", -EEXIST, "FW-1: "
		  "fwha_pnote_register: existing already registered (# 3)" },
		{ "a 0 ok\nb 0 ok\na 1 init\n", -EEXIST, "FW-1: "
		  "fwha_pnote_register: a already registered (# 4)" },
	};
	struct phx_pnote_out o;
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct phx_pnote *r = mk_ok();

		ck_assert_int_eq(phx_pnote_register(r, "existing", 0,
				 PHX_PNOTE_OK, false, T0, NULL), 0);
		ck_assert_int_eq(phx_pnote_register_file(r, cases[i].text,
				 false, T0, &o), cases[i].rc);
		ck_assert_str_eq(o.err, cases[i].err);
		ck_assert_uint_eq(o.n_logs, 0);
		ck_assert_uint_eq(phx_pnote_count(r), 1);
		phx_pnote_free(r);
	}
}
END_TEST

START_TEST(test_file_too_many)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_out o;
	char text[1024];
	size_t len = 0;
	unsigned i;

	for (i = 0; i < 14; i++)
		ck_assert_int_eq(phx_pnote_register(r, (char[]){ (char)('a' + i),
				 0 }, 0, PHX_PNOTE_OK, false, T0, NULL), 0);
	for (i = 0; i < 3; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"f%u 0 ok\n", i);
	ck_assert_int_eq(phx_pnote_register_file(r, text, false, T0, &o),
			 -ENOSPC);
	ck_assert_str_eq(o.err, "FW-1: fwha_pnote_register: too many "
			 "registering members, cannot register");
	ck_assert_uint_eq(phx_pnote_count(r), 14);
	/* two fit exactly */
	ck_assert_int_eq(phx_pnote_register_file(r, "f0 0 ok\nf1 0 ok\n",
			 false, T0, &o), 2);
	ck_assert_uint_eq(phx_pnote_count(r), 16);
	ck_assert_int_eq(phx_pnote_register_file(r, NULL, false, T0, &o),
			 -EINVAL);
	phx_pnote_free(r);
}
END_TEST

START_TEST(test_file_long_line)
{
	struct phx_pnote *r = mk_ok();
	struct phx_pnote_out o;
	char text[400];

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	ck_assert_int_eq(phx_pnote_register_file(r, text, false, T0, &o),
			 -EINVAL);
	ck_assert_str_eq(o.err, "line 1: longer than 255 characters");
	phx_pnote_free(r);
}
END_TEST

/* CCP-71: the persistent devices, as a -f file that registers them again
 * with their initial status, whatever they reported since. */
START_TEST(test_persistent_text)
{
	struct phx_pnote *r = mk_ok(), *r2;
	struct phx_pnote_info info[PHX_PNOTE_BI_MAX + 4];
	char buf[256], small[12];
	unsigned n, i;

	ck_assert_int_eq(phx_pnote_persistent_text(r, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(phx_pnote_register(r, "temp", 5, PHX_PNOTE_OK, false,
					    T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_register(r, "mon_a", 30, PHX_PNOTE_INIT,
					    true, T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_register_file(r, "mon_b 0 ok\n", true, T0,
						 NULL), 1);
	ck_assert_int_eq(phx_pnote_report(r, "mon_a", PHX_PNOTE_PROBLEM, NULL,
					  T0, NULL), 0);
	ck_assert_int_eq(phx_pnote_persistent_text(r, buf, sizeof(buf)), 25);
	ck_assert_str_eq(buf, "mon_a 30 init\nmon_b 0 ok\n");
	/* what does not fit is left out whole */
	ck_assert_int_eq(phx_pnote_persistent_text(r, small, sizeof(small)),
			 -ENOSPC);
	ck_assert_str_eq(small, "");
	/* it registers them again on a fresh registry */
	r2 = mk_ok();
	ck_assert_int_eq(phx_pnote_register_file(r2, buf, true, T0, NULL), 2);
	n = phx_pnote_list(r2, T0, info, sizeof(info) / sizeof(info[0]));
	for (i = 0; i < n; i++)
		if (strcmp(info[i].name, "mon_a") == 0)
			break;
	ck_assert_uint_lt(i, n);
	ck_assert(info[i].persistent);
	ck_assert_uint_eq(info[i].timeout_s, 30);
	ck_assert_int_eq(info[i].status, PHX_PNOTE_INIT);
	/* unregistered: gone from the text */
	ck_assert_int_eq(phx_pnote_unregister(r, "mon_a", NULL), 0);
	ck_assert_int_eq(phx_pnote_persistent_text(r, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "mon_b 0 ok\n");
	phx_pnote_free(r2);
	phx_pnote_free(r);
}
END_TEST

static Suite *
pnote_suite(void)
{
	Suite *s = suite_create("pnote");
	TCase *tc;

	tc = tcase_create("registry");
	tcase_add_test(tc, test_builtins);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_status_parse);
	tcase_add_test(tc, test_iface_not_aggregated);
	tcase_add_test(tc, test_register_ok);
	tcase_add_test(tc, test_register_names);
	tcase_add_test(tc, test_register_limit);
	tcase_add_test(tc, test_register_duplicate);
	tcase_add_test(tc, test_unregister);
	tcase_add_test(tc, test_report);
	tcase_add_test(tc, test_aggregate);
	tcase_add_test(tc, test_culprit_change);
	suite_add_tcase(s, tc);

	tc = tcase_create("timeouts");
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_timeout_already_problem);
	tcase_add_test(tc, test_builtin_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_test(tc, test_file_ok);
	tcase_add_test(tc, test_file_bad);
	tcase_add_test(tc, test_file_too_many);
	tcase_add_test(tc, test_file_long_line);
	tcase_add_test(tc, test_persistent_text);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pnote_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
