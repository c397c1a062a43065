/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for src/phx_fmt.c, the CLI's renderers: fixed telemetry
 * answers (shaped as docs/telemetry.md and control/telemetry.c send them)
 * must print exactly the expected text, and null or malformed answers must
 * fail with the expected message and print nothing at all.
 *
 * Output is captured with open_memstream(). Fixtures are written with
 * single quotes for readability and turned into JSON by load(), so no
 * fixture may contain a literal apostrophe.
 */
#include <check.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "lib/compiler.h"
#include "src/phx_fmt.h"

/* ---- helpers ---- */

static json_t *
load(const char *fixture)
{
	char *text = strdup(fixture);
	json_error_t jerr;
	json_t *j;
	char *p;

	ck_assert_ptr_nonnull(text);
	for (p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = json_loads(text, JSON_DECODE_ANY, &jerr);
	ck_assert_msg(j != NULL, "fixture: %s: %s", jerr.text, text);
	free(text);
	return j;
}

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *
cap_open(struct capture *c)
{
	*c = (struct capture){ 0 };
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
	return c->f;
}

/* Close and return the text; the caller frees it. */
static char *
cap_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

enum which {
	PSTAT, PSTAT_ALL, PORTS, ARP, ARP_PAGE1, ROUTES, VERSION, CONFIG,
	POLICY, RULES,
};

/* Render one answer with the chosen renderer; returns its rc and sets
 * *out (malloc'd) and err. */
static int
render(enum which w, json_t *ans, char **out, char *err, size_t errlen)
{
	struct capture c;
	FILE *f = cap_open(&c);
	int rc = -1;

	err[0] = '\0';
	switch (w) {
	case PSTAT:
		rc = phx_fmt_pstat(f, ans, "lab-fw1", false, err, errlen);
		break;
	case PSTAT_ALL:
		rc = phx_fmt_pstat(f, ans, "lab-fw1", true, err, errlen);
		break;
	case PORTS:
		rc = phx_fmt_ports(f, ans, err, errlen);
		break;
	case ARP:
		rc = phx_fmt_arp(f, &ans, 1, 0, err, errlen);
		break;
	case ARP_PAGE1:   /* phx arp --page 1 */
		rc = phx_fmt_arp(f, &ans, 1, 1, err, errlen);
		break;
	case ROUTES:
		rc = phx_fmt_routes(f, ans, err, errlen);
		break;
	case VERSION:
		rc = phx_fmt_version(f, ans, err, errlen);
		break;
	case CONFIG:
		rc = phx_fmt_config(f, ans, err, errlen);
		break;
	case POLICY:
		rc = phx_fmt_policy(f, ans, err, errlen);
		break;
	case RULES:
		rc = phx_fmt_rules(f, ans, err, errlen);
		break;
	}
	*out = cap_close(&c);
	return rc;
}

/* Render a fixture and compare the whole text. */
static void
expect_text(enum which w, const char *fixture, const char *want)
{
	json_t *ans = load(fixture);
	char err[256], *out;
	int rc = render(w, ans, &out, err, sizeof(err));

	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	ck_assert_str_eq(out, want);
	free(out);
	json_decref(ans);
}

/* Render a fixture that must fail with err_want and print nothing. */
static void
expect_error(enum which w, const char *fixture, const char *err_want)
{
	json_t *ans = load(fixture);
	char err[256], *out;
	int rc = render(w, ans, &out, err, sizeof(err));

	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_str_eq(err, err_want);
	ck_assert_str_eq(out, "");
	free(out);
	json_decref(ans);
}

/* ---- fixtures ---- */

/* The daemon's counter list (dataplane/dp_stats.h) and some drops. */
static const char pstat_fixture[] =
	"{'scope':'all','workers':2,'sessions':3,'sessions_max':131072,"
	"'policy_generation':2,'counters':{"
	"'rx_pkts':1500000,'rx_bytes':96000000,'tx_pkts':1499000,"
	"'tx_bytes':95936000,'fwd_pkts':1498000,'local_pkts':1200,"
	"'icmp_echo_replies':1000,'icmp_errors_sent':150,"
	"'icmp_errors_ratelimited':3,'arp_to_ctl':42,'neigh_miss':7,"
	"'ctl_tx_pkts':58,'idle_sleeps':0,'arp_requests_rx':30,"
	"'arp_replies_rx':12,'arp_replies_tx':30,'arp_requests_tx':12,"
	"'neigh_learned':5,'neigh_updated':1,'neigh_expired':0,"
	"'neigh_held':7,'neigh_released':7},"
	"'drops':{'l2_truncated':0,'ipv4_bad_csum':2,'no_route':120,"
	"'ttl_exceeded':150,'arp_unresolved':0}}";

static const char pstat_packets[] =
	"Member: lab-fw1  Scope: all  Workers: 2\n"
	"Sessions: 3 / 131072  Policy generation: 2\n"
	"\n"
	"Packets:\n"
	"  rx_pkts                   1500000\n"
	"  rx_bytes                 96000000\n"
	"  tx_pkts                   1499000\n"
	"  tx_bytes                 95936000\n"
	"  fwd_pkts                  1498000\n"
	"  local_pkts                   1200\n"
	"  ctl_tx_pkts                    58\n"
	"\n"
	"  icmp_echo_replies            1000\n"
	"  icmp_errors_sent              150\n"
	"  icmp_errors_ratelimited         3\n"
	"\n"
	"  arp_to_ctl                     42\n"
	"  neigh_miss                      7\n"
	"  arp_requests_rx                30\n"
	"  arp_replies_rx                 12\n"
	"  arp_replies_tx                 30\n"
	"  arp_requests_tx                12\n"
	"  neigh_learned                   5\n"
	"  neigh_updated                   1\n"
	"  neigh_expired                   0\n"
	"  neigh_held                      7\n"
	"  neigh_released                  7\n"
	"\n"
	"  idle_sleeps                     0\n"
	"\n";

/* in0 as members send it now (device a text in pieces, addresses one
 * string each), out0 as older daemons did (strings). */
static const char ports_fixture[] =
	"{'in0':{'port_id':0,'device':['net_tap0,','iface=fw1in'],"
	"'mac':'02:00:00:00:01:01','mtu':1500,'link':'up',"
	"'speed_mbps':10000,'duplex':'full','rx_queues':2,'tx_queues':2,"
	"'addresses':['10.1.0.11/24','10.1.0.1/24'],'rx_pkts':1500000,"
	"'rx_bytes':96000000,'tx_pkts':12,'tx_bytes':720,'rx_missed':0,"
	"'rx_errors':0,'tx_errors':0,'rx_nombuf':0},"
	"'out0':{'port_id':1,'device':'net_tap1,iface=fw1out',"
	"'mac':'02:00:00:00:02:01','mtu':9000,'link':'down',"
	"'speed_mbps':0,'duplex':'half','rx_queues':2,'tx_queues':2,"
	"'addresses':'','rx_pkts':3,'rx_bytes':180,'tx_pkts':1499000,"
	"'tx_bytes':95936000,'rx_missed':17,'rx_errors':2,'tx_errors':1,"
	"'rx_nombuf':0}}";

static const char arp_fixture[] =
	"{'total':3,'pages':1,'from':0,'next':-1,"
	"'ip':['10.1.0.2','10.2.0.9','10.2.0.254'],"
	"'mac':['02:00:00:00:01:02','','0a:1b:2c:3d:4e:5f'],"
	"'port':['in0','out0','out0'],"
	"'state':['reachable','incomplete','stale'],"
	"'age_s':[12,1,420],'expires_s':[288,0,0],'held':[0,3,0]}";

static const char arp_table[] =
	"IP          MAC                Port  State        Age  Expires  Held\n"
	"10.1.0.2    02:00:00:00:01:02  in0   reachable    12s     288s     0\n"
	"10.2.0.9    -                  out0  incomplete    1s       0s     3\n"
	"10.2.0.254  0a:1b:2c:3d:4e:5f  out0  stale       420s       0s     0\n";

static const char arp_page0[] =
	"{'total':66,'pages':2,'from':0,'next':70,'ip':['10.1.0.2'],"
	"'mac':['02:00:00:00:01:02'],'port':['in0'],'state':['reachable'],"
	"'age_s':[12],'expires_s':[288],'held':[0]}";

static const char arp_page1[] =
	"{'total':66,'pages':2,'from':70,'next':-1,"
	"'ip':['10.2.0.9','10.2.0.254'],"
	"'mac':['','0a:1b:2c:3d:4e:5f'],'port':['out0','out0'],"
	"'state':['incomplete','stale'],'age_s':[1,420],"
	"'expires_s':[0,0],'held':[3,0]}";

/* ---- table helper ---- */

START_TEST(test_table_align)
{
	static const struct phx_fmt_col cols[] = {
		{ "Name", PHX_FMT_LEFT },
		{ "Count", PHX_FMT_RIGHT },
		{ "Note", PHX_FMT_LEFT },
	};
	const char *r1[] = { "a", "1", "x" };
	const char *r2[] = { "longer", "12345678", "" };
	struct phx_fmt_table t;
	struct capture c;
	char *out;

	phx_fmt_table_init(&t, cols, PHX_DIM(cols));
	ck_assert_int_eq(phx_fmt_table_add(&t, r1), 0);
	ck_assert_int_eq(phx_fmt_table_add(&t, r2), 0);
	phx_fmt_table_print(&t, cap_open(&c));
	out = cap_close(&c);
	/* Right-aligned numbers, two blanks between columns, and the last
	 * (left-aligned) column not padded. */
	ck_assert_str_eq(out,
			 "Name       Count  Note\n"
			 "a              1  x\n"
			 "longer  12345678  \n");
	free(out);
	phx_fmt_table_fini(&t);
}
END_TEST

START_TEST(test_table_many_rows)
{
	static const struct phx_fmt_col cols[] = { { "N", PHX_FMT_RIGHT } };
	struct phx_fmt_table t;
	struct capture c;
	char cell[16], *out;
	const char *row[] = { cell };
	int i;

	/* Past the initial allocation, so the table has to grow. */
	phx_fmt_table_init(&t, cols, 1);
	for (i = 0; i < 1000; i++) {
		snprintf(cell, sizeof(cell), "%d", i);
		ck_assert_int_eq(phx_fmt_table_add(&t, row), 0);
	}
	ck_assert_uint_eq(t.n_rows, 1000);
	phx_fmt_table_print(&t, cap_open(&c));
	out = cap_close(&c);
	ck_assert_uint_eq(strlen(out), 1001 * 4);
	ck_assert(strncmp(out, "  N\n  0\n  1\n", 12) == 0);
	ck_assert_str_eq(out + strlen(out) - 4, "999\n");
	free(out);
	phx_fmt_table_fini(&t);
}
END_TEST

START_TEST(test_table_control_chars)
{
	static const struct phx_fmt_col cols[] = { { "Port", PHX_FMT_LEFT } };
	const char *row[] = { "in\x1b[2J0\n" };
	struct phx_fmt_table t;
	struct capture c;
	char *out;

	/* A member cannot send escape sequences to the terminal. */
	phx_fmt_table_init(&t, cols, 1);
	ck_assert_int_eq(phx_fmt_table_add(&t, row), 0);
	phx_fmt_table_print(&t, cap_open(&c));
	out = cap_close(&c);
	ck_assert_str_eq(out, "Port\nin?[2J0?\n");
	free(out);
	phx_fmt_table_fini(&t);
}
END_TEST

/* ---- pstat ---- */

START_TEST(test_pstat_nonzero_drops)
{
	char want[4096];

	snprintf(want, sizeof(want), "%s%s", pstat_packets,
		 "Drops:\n"
		 "  ipv4_bad_csum                   2  IPv4 header checksum "
		 "is wrong\n"
		 "  no_route                      120  no route to the "
		 "destination\n"
		 "  ttl_exceeded                  150  TTL would reach zero "
		 "(ICMP time exceeded sent)\n"
		 "  total                         272\n");
	expect_text(PSTAT, pstat_fixture, want);
}
END_TEST

START_TEST(test_pstat_all_drops)
{
	char want[4096];

	snprintf(want, sizeof(want), "%s%s", pstat_packets,
		 "Drops:\n"
		 "  l2_truncated                    0  frame shorter than an "
		 "Ethernet header\n"
		 "  ipv4_bad_csum                   2  IPv4 header checksum "
		 "is wrong\n"
		 "  no_route                      120  no route to the "
		 "destination\n"
		 "  ttl_exceeded                  150  TTL would reach zero "
		 "(ICMP time exceeded sent)\n"
		 "  arp_unresolved                  0  next hop never "
		 "answered ARP; held packets dropped\n"
		 "  total                         272\n");
	expect_text(PSTAT_ALL, pstat_fixture, want);
}
END_TEST

START_TEST(test_pstat_groups_and_unknown_names)
{
	/* Counters phx has never heard of are printed too, grouped by
	 * first word in order of first appearance; an unknown drop reason
	 * has no description. No gauges (an older member): no gauge line. */
	expect_text(PSTAT,
		    "{'scope':'worker1','workers':4,'counters':{"
		    "'sess_new':5,'rx_pkts':10,'sess_closed':4,'widgets':1,"
		    "'tx_pkts':9},'drops':{'no_route':0,'frobnicated':3}}",
		    "Member: lab-fw1  Scope: worker1  Workers: 4\n"
		    "\n"
		    "Packets:\n"
		    "  sess_new      5\n"
		    "  sess_closed   4\n"
		    "\n"
		    "  rx_pkts      10\n"
		    "  tx_pkts       9\n"
		    "\n"
		    "  widgets       1\n"
		    "\n"
		    "Drops:\n"
		    "  frobnicated   3\n"
		    "  total         3\n");
}
END_TEST

START_TEST(test_pstat_empty)
{
	struct capture c;
	json_t *ans = load("{'scope':'ctl','workers':1,'counters':{},"
			   "'drops':{'no_route':0}}");
	char err[128], *out;

	/* No member name known: "?". No drops: just the zero total. */
	ck_assert_int_eq(phx_fmt_pstat(cap_open(&c), ans, NULL, false, err,
				       sizeof(err)), 0);
	out = cap_close(&c);
	ck_assert_str_eq(out,
			 "Member: ?  Scope: ctl  Workers: 1\n"
			 "\n"
			 "Packets:\n"
			 "  none\n"
			 "\n"
			 "Drops:\n"
			 "  total  0\n");
	free(out);
	json_decref(ans);
}
END_TEST

static const struct {
	const char *fixture;
	const char *err;
} pstat_bad[] = {
	{ "null", "the answer is null" },
	{ "[1,2]", "the answer is not an object" },
	{ "{'workers':2,'counters':{},'drops':{}}", "\"scope\" is missing" },
	{ "{'scope':7,'workers':2,'counters':{},'drops':{}}",
	  "\"scope\" is not a string" },
	{ "{'scope':'all','workers':-2,'counters':{},'drops':{}}",
	  "\"workers\" is not a non-negative integer" },
	{ "{'scope':'all','workers':2,'drops':{}}",
	  "\"counters\" is missing" },
	{ "{'scope':'all','workers':2,'counters':[1],'drops':{}}",
	  "\"counters\" is not an object" },
	{ "{'scope':'all','workers':2,'counters':{}}", "\"drops\" is missing" },
	{ "{'scope':'all','workers':2,'counters':{'rx_pkts':'9'},'drops':{}}",
	  "\"counters.rx_pkts\" is not a non-negative integer" },
	{ "{'scope':'all','workers':2,'counters':{'rx_pkts':1.5},"
	  "'drops':{}}",
	  "\"counters.rx_pkts\" is not a non-negative integer" },
	{ "{'scope':'all','workers':2,'counters':{},'drops':{'no_route':-1}}",
	  "\"drops.no_route\" is not a non-negative integer" },
	{ "{'scope':'all','workers':2,'counters':{},'drops':{'x':null}}",
	  "\"drops.x\" is not a non-negative integer" },
	/* The gauges come all three or not at all. */
	{ "{'scope':'all','workers':2,'sessions':1,'counters':{},"
	  "'drops':{}}", "\"sessions_max\" is missing" },
	{ "{'scope':'all','workers':2,'sessions':1,'sessions_max':-1,"
	  "'policy_generation':1,'counters':{},'drops':{}}",
	  "\"sessions_max\" is not a non-negative integer" },
	{ "{'scope':'all','workers':2,'policy_generation':'1',"
	  "'counters':{},'drops':{}}", "\"sessions\" is missing" },
};

START_TEST(test_pstat_malformed)
{
	expect_error(PSTAT, pstat_bad[_i].fixture, pstat_bad[_i].err);
}
END_TEST

/* ---- ports ---- */

START_TEST(test_ports_table)
{
	expect_text(PORTS, ports_fixture,
		    "Port  Link          MTU  MAC                Addresses     "
		    "            RX pkts  TX pkts  RX missed  RX errors  "
		    "TX errors\n"
		    "in0   up 10G full  1500  02:00:00:00:01:01  10.1.0.11/24 "
		    "10.1.0.1/24  1500000       12          0          0     "
		    "     0\n"
		    "out0  down         9000  02:00:00:00:02:01  -             "
		    "                  3  1499000         17          2     "
		    "     1\n"
		    "2 ports, 1 up\n");
}
END_TEST

static const struct {
	unsigned long long mbps;
	const char *duplex;
	const char *link;
} speeds[] = {
	{ 100, "full", "up 100M full" },
	{ 1000, "full", "up 1G full" },
	{ 2500, "full", "up 2.5G full" },
	{ 25000, "full", "up 25G full" },
	{ 10, "half", "up 10M half" },
	{ 0, "full", "up full" },                /* unknown speed */
	{ 4294967295ULL, "full", "up full" },    /* RTE_ETH_SPEED_NUM_UNKNOWN */
};

START_TEST(test_ports_link_speed)
{
	char fixture[512], want[256];

	snprintf(fixture, sizeof(fixture),
		 "{'p':{'port_id':0,'mac':'m','mtu':1500,'link':'up',"
		 "'speed_mbps':%llu,'duplex':'%s','addresses':'',"
		 "'rx_pkts':0,'tx_pkts':0,'rx_missed':0,'rx_errors':0,"
		 "'tx_errors':0}}", speeds[_i].mbps, speeds[_i].duplex);
	snprintf(want, sizeof(want),
		 "Port  Link%*s   MTU  MAC  Addresses  RX pkts  TX pkts  "
		 "RX missed  RX errors  TX errors\n"
		 "p     %s  1500  m    -                0        0          "
		 "0          0          0\n"
		 "1 port, 1 up\n",
		 (int)strlen(speeds[_i].link) - 4, "", speeds[_i].link);
	expect_text(PORTS, fixture, want);
}
END_TEST

START_TEST(test_ports_empty)
{
	expect_text(PORTS, "{}",
		    "Port  Link  MTU  MAC  Addresses  RX pkts  TX pkts  "
		    "RX missed  RX errors  TX errors\n"
		    "0 ports, 0 up\n");
}
END_TEST

START_TEST(test_ports_many_addresses)
{
	char want[1024];

	/* Eight addresses: more than one telemetry string (127 bytes)
	 * holds, all of them shown (the column 151 wide). */
	snprintf(want, sizeof(want),
		 "Port  Link      MTU  MAC                %-151s  RX pkts  "
		 "TX pkts  RX missed  RX errors  TX errors\n"
		 "in0   up full  1500  02:00:00:00:01:01  192.168.100.254/24 "
		 "192.168.101.254/24 192.168.102.254/24 192.168.103.254/24 "
		 "192.168.104.254/24 192.168.105.254/24 192.168.106.254/24 "
		 "192.168.107.254/24        0        0          0          0"
		 "          0\n"
		 "1 port, 1 up\n", "Addresses");
	expect_text(PORTS,
		    "{'in0':{'port_id':0,'device':['net_null0'],"
		    "'mac':'02:00:00:00:01:01','mtu':1500,'link':'up',"
		    "'speed_mbps':0,'duplex':'full','addresses':"
		    "['192.168.100.254/24','192.168.101.254/24',"
		    "'192.168.102.254/24','192.168.103.254/24',"
		    "'192.168.104.254/24','192.168.105.254/24',"
		    "'192.168.106.254/24','192.168.107.254/24'],"
		    "'rx_pkts':0,'tx_pkts':0,'rx_missed':0,'rx_errors':0,"
		    "'tx_errors':0}}", want);
	expect_error(PORTS, "{'in0':{'port_id':0,'mac':'m','mtu':1500,"
		     "'link':'up','speed_mbps':0,'duplex':'',"
		     "'addresses':['10.1.0.1/24',7],"
		     "'rx_pkts':0,'tx_pkts':0,'rx_missed':0,'rx_errors':0,"
		     "'tx_errors':0}}", "\"in0.addresses\" is not a string or "
		     "an array of strings");
}
END_TEST

START_TEST(test_ports_malformed)
{
	json_t *ans = load(ports_fixture);
	char err[256], *out;

	/* Damage the second port only: nothing of the first may print. */
	json_object_del(json_object_get(ans, "out0"), "mtu");
	ck_assert_int_eq(render(PORTS, ans, &out, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "\"out0.mtu\" is missing");
	ck_assert_str_eq(out, "");
	free(out);
	json_decref(ans);

	expect_error(PORTS, "null", "the answer is null");
	expect_error(PORTS, "{'in0':3}", "\"in0\" is not an object");
	expect_error(PORTS, "{'in0':{'port_id':0,'mac':'m','mtu':1500,"
		     "'link':1,'speed_mbps':0,'duplex':'','addresses':'',"
		     "'rx_pkts':0,'tx_pkts':0,'rx_missed':0,'rx_errors':0,"
		     "'tx_errors':0}}", "\"in0.link\" is not a string");
}
END_TEST

/* ---- arp ---- */

START_TEST(test_arp_one_page)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s3 entries\n", arp_table);
	expect_text(ARP, arp_fixture, want);
}
END_TEST

START_TEST(test_arp_partial)
{
	/* One page of a longer table says so and how to see the rest. */
	expect_text(ARP, arp_page0,
		    "IP        MAC                Port  State      Age  Expires"
		    "  Held\n"
		    "10.1.0.2  02:00:00:00:01:02  in0   reachable  12s     288s"
		    "     0\n"
		    "1 of 66 entries (page 0 of pages 0-1; --page N or --all "
		    "for the rest)\n");
}
END_TEST

START_TEST(test_arp_all_pages)
{
	json_t *pages[2] = { load(arp_page0), load(arp_page1) };
	struct capture c;
	char err[128], want[1024], *out;

	/* --all: the pages form one table whose widths fit every row. */
	ck_assert_int_eq(phx_fmt_arp(cap_open(&c), pages, 2, 0, err,
				     sizeof(err)), 0);
	out = cap_close(&c);
	snprintf(want, sizeof(want), "%s3 entries\n", arp_table);
	ck_assert_str_eq(out, want);
	free(out);

	/* A bad second page fails the whole listing. */
	json_object_set_new(pages[1], "held", json_string("x"));
	ck_assert_int_eq(phx_fmt_arp(cap_open(&c), pages, 2, 0, err,
				     sizeof(err)), -EINVAL);
	out = cap_close(&c);
	ck_assert_str_eq(err, "\"held\" is not an array");
	ck_assert_str_eq(out, "");
	free(out);
	json_decref(pages[0]);
	json_decref(pages[1]);
}
END_TEST

START_TEST(test_arp_empty)
{
	expect_text(ARP, "{'total':0,'pages':1,'from':0,'next':-1,'ip':[],'mac':[],"
		    "'port':[],'state':[],'age_s':[],'expires_s':[],"
		    "'held':[]}",
		    "IP  MAC  Port  State  Age  Expires  Held\n"
		    "0 entries\n");
	expect_text(ARP, "{'total':1,'pages':1,'from':0,'next':-1,'ip':['10.0.0.1'],"
		    "'mac':['00:00:00:00:00:01'],'port':['p'],'state':"
		    "['static'],'age_s':[0],'expires_s':[0],'held':[0]}",
		    "IP        MAC                Port  State   Age  Expires  "
		    "Held\n"
		    "10.0.0.1  00:00:00:00:00:01  p     static   0s       0s  "
		    "   0\n"
		    "1 entry\n");
}
END_TEST

START_TEST(test_arp_page_n)
{
	/* --page 1 of a two-page table: the footer names page 1, also on
	 * the table's last page. */
	expect_text(ARP_PAGE1, arp_page1,
		    "IP          MAC                Port  State        Age  "
		    "Expires  Held\n"
		    "10.2.0.9    -                  out0  incomplete    1s  "
		    "     0s     3\n"
		    "10.2.0.254  0a:1b:2c:3d:4e:5f  out0  stale       420s  "
		    "     0s     0\n"
		    "2 of 66 entries (page 1 of pages 0-1; --page N or --all "
		    "for the rest)\n");
}
END_TEST

START_TEST(test_arp_walk)
{
	/* The walk follows "next" by slot; a page must be the one asked
	 * for and go on beyond it. */
	json_t *p0 = load(arp_page0), *p1 = load(arp_page1);
	char err[160];
	int64_t next = 7;

	ck_assert_int_eq(phx_fmt_arp_next(p0, 0, &next, err, sizeof(err)),
			 0);
	ck_assert_int_eq(next, 70);
	ck_assert_int_eq(phx_fmt_arp_next(p1, 70, &next, err, sizeof(err)),
			 0);
	ck_assert_int_eq(next, -1);
	ck_assert_int_eq(phx_fmt_arp_next(p1, 64, &next, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "the page is from slot 70, not 64 as asked");
	ck_assert_int_eq(next, -1);
	json_object_set_new(p0, "next", json_integer(0));
	ck_assert_int_eq(phx_fmt_arp_next(p0, 0, &next, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "the page from slot 0 goes on at slot 0, not "
			 "after it");
	json_object_del(p0, "next");
	ck_assert_int_eq(phx_fmt_arp_next(p0, 0, &next, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "\"next\" is missing");

	/* --page N past the last page says how many there are. */
	phx_fmt_arp_beyond(p1, 5, 2, err, sizeof(err));
	ck_assert_str_eq(err, "page 5 is beyond the last: the table has 2 "
			 "pages (0-1), 66 entries");
	json_decref(p1);
	p1 = load("{'total':1,'pages':1,'from':0,'next':-1,'ip':['a'],"
		  "'mac':[''],'port':['p'],'state':['stale'],'age_s':[1],"
		  "'expires_s':[4],'held':[0]}");
	phx_fmt_arp_beyond(p1, 1, 1, err, sizeof(err));
	ck_assert_str_eq(err, "page 1 is beyond the last: the table has 1 "
			 "page (0-0), 1 entry");
	json_decref(p0);
	json_decref(p1);
}
END_TEST

static const struct {
	const char *fixture;
	const char *err;
} arp_bad[] = {
	{ "null", "the answer is null" },
	{ "'arp'", "the answer is not an object" },
	{ "{'pages':1,'from':0,'next':-1,'ip':[],'mac':[],'port':[],"
	  "'state':[],'age_s':[],'expires_s':[],'held':[]}",
	  "\"total\" is missing" },
	{ "{'total':0,'pages':1,'from':0,'ip':[],'mac':[],'port':[],"
	  "'state':[],'age_s':[],'expires_s':[],'held':[]}",
	  "\"next\" is missing" },
	{ "{'total':0,'pages':1,'from':0,'next':-2,'ip':[],'mac':[],"
	  "'port':[],'state':[],'age_s':[],'expires_s':[],'held':[]}",
	  "\"next\" is not -1 or a slot index" },
	{ "{'total':3,'pages':1,'from':0,'next':-1,'ip':['a','b','c'],'mac':['',''],"
	  "'port':[],'state':[],'age_s':[],'expires_s':[],'held':[]}",
	  "\"mac\" has 2 entries, \"ip\" has 3" },
	{ "{'total':1,'pages':1,'from':0,'next':-1,'ip':['a'],'mac':[''],"
	  "'port':['p'],'state':['stale'],'age_s':[1],'expires_s':[-4],"
	  "'held':[0]}", "\"expires_s[0]\" is not a non-negative integer" },
	{ "{'total':1,'pages':1,'from':0,'next':-1,'ip':[7],'mac':[''],"
	  "'port':['p'],'state':['stale'],'age_s':[1],'expires_s':[4],"
	  "'held':[0]}", "\"ip[0]\" is not a string" },
	{ "{'total':1,'pages':1,'from':0,'next':-1,'ip':['a'],'mac':[''],"
	  "'state':['stale'],'age_s':[1],'expires_s':[4],'held':[0]}",
	  "\"port\" is missing" },
};

START_TEST(test_arp_malformed)
{
	expect_error(ARP, arp_bad[_i].fixture, arp_bad[_i].err);
}
END_TEST

/* ---- routes, version, config, json ---- */

START_TEST(test_routes)
{
	expect_text(ROUTES,
		    "{'prefix':['10.1.0.0/24','10.2.0.0/24','0.0.0.0/0'],"
		    "'via':['','','10.2.0.254'],'port':['in0','out0','out0']}",
		    "Prefix       Via         Port\n"
		    "10.1.0.0/24  connected   in0\n"
		    "10.2.0.0/24  connected   out0\n"
		    "0.0.0.0/0    10.2.0.254  out0\n"
		    "3 routes\n");
	expect_error(ROUTES, "{'prefix':['10.1.0.0/24'],'port':['in0']}",
		     "\"via\" is missing");
	expect_error(ROUTES, "null", "the answer is null");
}
END_TEST

/* An older daemon's answer of a paged table, without "next", is the
 * whole table: col has rows entries. */
static void
expect_unpaged(int (*add)(json_t *all, json_t *page, uint64_t from,
			  int64_t *next, char *err, size_t errlen),
	       const char *fixture, const char *col, size_t rows)
{
	json_t *all = json_object(), *p = load(fixture);
	char err[256] = "";
	int64_t next = 5;

	ck_assert_int_eq(add(all, p, 0, &next, err, sizeof(err)), 0);
	ck_assert_int_eq(next, -1);
	ck_assert_uint_eq(json_array_size(json_object_get(all, col)), rows);
	json_decref(p);
	json_decref(all);
}

/* A /phalanx/routes page as control/telemetry.c sends it: rows from ..
 * from+page-1 of total, "10.<i/256>.<i%256>.0/24" via 10.2.0.254. */
static json_t *
routes_page(unsigned total, unsigned from, unsigned page)
{
	unsigned r, end = from + page < total ? from + page : total;
	json_t *p = json_pack("{s:I,s:I,s:I,s:[],s:[],s:[]}",
			      "total", (json_int_t)total,
			      "from", (json_int_t)from,
			      "next", end < total ? (json_int_t)end : -1,
			      "prefix", "via", "port");
	char pfx[32];

	ck_assert_ptr_nonnull(p);
	for (r = from; r < end; r++) {
		snprintf(pfx, sizeof(pfx), "10.%u.%u.0/24", r / 256, r % 256);
		json_array_append_new(json_object_get(p, "prefix"),
				      json_string(pfx));
		json_array_append_new(json_object_get(p, "via"),
				      json_string("10.2.0.254"));
		json_array_append_new(json_object_get(p, "port"),
				      json_string("out0"));
	}
	return p;
}

START_TEST(test_routes_pages)
{
	json_t *all = json_object(), *p;
	char err[256] = "", *out;
	int64_t next = 0;
	int pages = 0, rc;

	/* 1152 routes (16 ports of 8 addresses, and 1024 static: the most a
	 * configuration has), more than an array holds, in pages of 128. */
	do {
		uint64_t from = (uint64_t)next;

		p = routes_page(1152, (unsigned)from, 128);
		rc = phx_fmt_routes_add(all, p, from, &next, err,
					sizeof(err));
		json_decref(p);
		ck_assert_int_lt(++pages, 100);
	} while (rc == 0 && next >= 0);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_int_eq(pages, 9);
	ck_assert_int_eq(render(ROUTES, all, &out, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\n10.0.0.0/24    10.2.0.254  "
				     "out0\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n10.4.127.0/24  10.2.0.254  "
				     "out0\n1152 routes\n"));
	free(out);
	json_decref(all);

	/* A page that is not the one asked for, or rows lost. */
	all = json_object();
	p = routes_page(300, 128, 128);
	ck_assert_int_eq(phx_fmt_routes_add(all, p, 0, &next, err,
					    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "the page is from route 128, not 0 as asked");
	json_array_remove(json_object_get(p, "prefix"), 0);
	json_array_remove(json_object_get(p, "via"), 0);
	json_array_remove(json_object_get(p, "port"), 0);
	json_object_set_new(p, "from", json_integer(0));
	ck_assert_int_eq(phx_fmt_routes_add(all, p, 0, &next, err,
					    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "a page from route 0 with 127 routes, next 256 "
			 "and 300 in all does not add up");
	json_decref(p);

	json_decref(all);
	expect_unpaged(phx_fmt_routes_add, "{'prefix':['10.1.0.0/24'],"
		       "'via':[''],'port':['in0']}", "port", 1);
}
END_TEST

START_TEST(test_version)
{
	expect_text(VERSION,
		    "{'version':'0.1.0','name':'lab-fw1','dpdk':'DPDK 22.11.11',"
		    "'pid':4242,'uptime_s':93784,"
		    "'config':['conf/lab','/fw1.json']}",
		    "Member:   lab-fw1\n"
		    "Version:  0.1.0\n"
		    "DPDK:     DPDK 22.11.11\n"
		    "PID:      4242\n"
		    "Uptime:   1d 02:03:04\n"
		    "Config:   conf/lab/fw1.json\n");
	expect_text(VERSION,
		    "{'version':'0.1.0','name':'a','dpdk':'d','pid':1,"
		    "'uptime_s':3599,'config':''}",
		    "Member:   a\n"
		    "Version:  0.1.0\n"
		    "DPDK:     d\n"
		    "PID:      1\n"
		    "Uptime:   00:59:59\n"
		    "Config:   \n");
	expect_error(VERSION, "{'version':'0.1.0','name':'a','dpdk':'d',"
		     "'uptime_s':1,'config':''}", "\"pid\" is missing");
}
END_TEST

START_TEST(test_config)
{
	expect_text(CONFIG,
		    "{'name':'lab-fw1','path':['conf/lab/','fw1.json'],"
		    "'file_prefix':'lab-fw1','workers':2,'idle_sleep_us':0,"
		    "'neigh_reachable_s':300,'future':[1,2]}",
		    "name               lab-fw1\n"
		    "path               conf/lab/fw1.json\n"
		    "file_prefix        lab-fw1\n"
		    "workers            2\n"
		    "idle_sleep_us      0\n"
		    "neigh_reachable_s  300\n"
		    "future             [1,2]\n");
	expect_error(CONFIG, "{'name':'a','file_prefix':'b'}",
		     "\"workers\" is missing");
	expect_error(CONFIG, "[]", "the answer is not an object");
}
END_TEST

START_TEST(test_error_answer)
{
	json_t *a = load("{'error':'worker 1 did not respond within 1000 ms'}");

	ck_assert_str_eq(phx_fmt_error_answer(a),
			 "worker 1 did not respond within 1000 ms");
	json_decref(a);
	/* anything else is an answer for its renderer */
	a = load("{'error':3,'total':0}");
	ck_assert_ptr_null(phx_fmt_error_answer(a));
	json_decref(a);
	a = load("['error']");
	ck_assert_ptr_null(phx_fmt_error_answer(a));
	json_decref(a);
	ck_assert_ptr_null(phx_fmt_error_answer(json_null()));
	ck_assert_ptr_null(phx_fmt_error_answer(NULL));
}
END_TEST

START_TEST(test_opt_error)
{
	char msg[128];

	/* GNU getopt: "--all=1" on a flag gives optopt 'a', the flag's
	 * value; "--json=1" its long-only value (above 0xff). */
	phx_fmt_opt_error("--all=1", 'a', msg, sizeof(msg));
	ck_assert_str_eq(msg, "option '--all' takes no value");
	phx_fmt_opt_error("--json=yes", 0x100, msg, sizeof(msg));
	ck_assert_str_eq(msg, "option '--json' takes no value");
	/* an unknown long option has optopt 0, with a value or not */
	phx_fmt_opt_error("--frob=1", 0, msg, sizeof(msg));
	ck_assert_str_eq(msg, "unknown option '--frob=1'");
	phx_fmt_opt_error("--frob", 0, msg, sizeof(msg));
	ck_assert_str_eq(msg, "unknown option '--frob'");
	/* an unknown short option, alone or in a cluster */
	phx_fmt_opt_error("-x", 'x', msg, sizeof(msg));
	ck_assert_str_eq(msg, "unknown option '-x'");
	phx_fmt_opt_error("-ax", 'x', msg, sizeof(msg));
	ck_assert_str_eq(msg, "unknown option '-x'");
}
END_TEST

START_TEST(test_json)
{
	json_t *ans = load("{'b':1,'a':[1,'x'],'c':null}");
	struct capture c;
	char *out;

	/* Key order is the member's, not sorted. */
	ck_assert_int_eq(phx_fmt_json(cap_open(&c), ans), 0);
	out = cap_close(&c);
	ck_assert_str_eq(out, "{\n  \"b\": 1,\n  \"a\": [\n    1,\n"
			 "    \"x\"\n  ],\n  \"c\": null\n}\n");
	free(out);
	json_decref(ans);

	ck_assert_int_eq(phx_fmt_json(cap_open(&c), json_null()), 0);
	out = cap_close(&c);
	ck_assert_str_eq(out, "null\n");
	free(out);
}
END_TEST

/* ---- policy and rules ---- */

static const char policy_fixture[] =
	"{'generation':3,'path':['conf/lab/','gateway.json'],'rules':4,"
	"'default_action':'drop','reloads_ok':2,'reloads_failed':1,"
	"'last_reload_unix':1735732800,"
	"'last_reload':'ok: generation 3, 4 rules'}";

START_TEST(test_policy)
{
	/* Local time: fixed to UTC for the test. */
	setenv("TZ", "UTC", 1);
	tzset();
	expect_text(POLICY, policy_fixture,
		    "Generation:      3\n"
		    "File:            conf/lab/gateway.json\n"
		    "Rules:           4\n"
		    "Default action:  drop\n"
		    "Reloads:         2 ok, 1 failed\n"
		    "Last reload:     2025-01-01 12:00:00 UTC\n"
		    "Result:          ok: generation 3, 4 rules\n");
	expect_text(POLICY,
		    "{'generation':1,'path':'/etc/phalanx/fw1.yaml','rules':0,"
		    "'default_action':'reject','reloads_ok':0,"
		    "'reloads_failed':0,'last_reload_unix':0,"
		    "'last_reload':'boot: generation 1'}",
		    "Generation:      1\n"
		    "File:            /etc/phalanx/fw1.yaml\n"
		    "Rules:           0\n"
		    "Default action:  reject\n"
		    "Reloads:         0 ok, 0 failed\n"
		    "Last reload:     never\n"
		    "Result:          boot: generation 1\n");
	expect_error(POLICY, "null", "the answer is null");
	expect_error(POLICY, "{'generation':1,'path':'p','rules':0,"
		     "'default_action':'drop','reloads_ok':0,"
		     "'reloads_failed':0,'last_reload':'x'}",
		     "\"last_reload_unix\" is missing");
	expect_error(POLICY, "{'generation':1,'path':'p','rules':0,"
		     "'default_action':'drop','reloads_ok':0,"
		     "'reloads_failed':0,'last_reload_unix':0,"
		     "'last_reload':['a',1]}",
		     "\"last_reload\" is not a string or an array of strings");
	expect_error(POLICY, "{'generation':1,'path':'p','rules':0,"
		     "'default_action':'drop','reloads_ok':0,"
		     "'reloads_failed':0,'last_reload_unix':0,"
		     "'last_reload':{}}",
		     "\"last_reload\" is not a string or an array of strings");
}
END_TEST

/* A reload result longer than DPDK 22.11 sends in one string (127
 * bytes), as the member's text_chunks() (control/telemetry.c) sends it:
 * pieces of 127 bytes. */
static const char long_result[] =
	"refused: 1 error(s); 41:17 rules[4].name: \"a name that is far "
	"too long for any rule, and has blanks in it\" is not a valid name: "
	"use letters, digits, '_' and '-' (this text is longer than two "
	"pieces of 127 bytes, so it comes in three, the last one shorter "
	"than the others)";

static json_t *
long_result_pieces(void)
{
	json_t *a = json_array();
	size_t off, len = strlen(long_result);
	char piece[128];

	ck_assert_uint_gt(len, 2 * 127);
	for (off = 0; off < len; off += 127) {
		snprintf(piece, sizeof(piece), "%.127s", long_result + off);
		json_array_append_new(a, json_string(piece));
	}
	ck_assert_uint_eq(json_array_size(a), 3);
	return a;
}

START_TEST(test_policy_long_result)
{
	json_t *ans = json_pack("{s:i,s:s,s:i,s:s,s:i,s:i,s:i,s:o}",
				"generation", 2, "path", "p.json", "rules", 1,
				"default_action", "drop", "reloads_ok", 1,
				"reloads_failed", 1, "last_reload_unix", 0,
				"last_reload", long_result_pieces());
	char err[256], want[1024], *out;

	ck_assert_ptr_nonnull(ans);
	ck_assert_int_eq(render(POLICY, ans, &out, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "Generation:      2\n"
		 "File:            p.json\n"
		 "Rules:           1\n"
		 "Default action:  drop\n"
		 "Reloads:         1 ok, 1 failed\n"
		 "Last reload:     never\n"
		 "Result:          %s\n", long_result);
	ck_assert_str_eq(out, want);
	free(out);
	json_decref(ans);
	/* an empty text is one empty piece */
	expect_text(POLICY, "{'generation':1,'path':'p','rules':0,"
		    "'default_action':'drop','reloads_ok':0,"
		    "'reloads_failed':0,'last_reload_unix':0,"
		    "'last_reload':['']}",
		    "Generation:      1\n"
		    "File:            p\n"
		    "Rules:           0\n"
		    "Default action:  drop\n"
		    "Reloads:         0 ok, 0 failed\n"
		    "Last reload:     never\n"
		    "Result:          \n");
}
END_TEST

static const char rules_fixture[] =
	"{'generation':3,"
	"'name':['client-out','web-in','ping','deny-rest'],"
	"'action':['accept','accept','accept','reject'],"
	"'nat':['source','destination','',''],"
	"'hits':[1234,56,7,0]}";

START_TEST(test_rules)
{
	expect_text(RULES, rules_fixture,
		    "Policy generation 3\n"
		    "\n"
		    "Name        Action  NAT          Hits\n"
		    "client-out  accept  source       1234\n"
		    "web-in      accept  destination    56\n"
		    "ping        accept  -               7\n"
		    "deny-rest   reject  -               0\n"
		    "4 rules\n");
	expect_text(RULES, "{'generation':1,'name':[],'action':[],'nat':[],"
		    "'hits':[]}",
		    "Policy generation 1\n"
		    "\n"
		    "Name  Action  NAT  Hits\n"
		    "0 rules\n");
	expect_error(RULES, "{'name':[],'action':[],'nat':[],'hits':[]}",
		     "\"generation\" is missing");
	expect_error(RULES, "{'generation':1,'name':['a'],'action':['drop'],"
		     "'nat':[''],'hits':['many']}",
		     "\"hits[0]\" is not a non-negative integer");
	expect_error(RULES, "{'generation':1,'name':['a','b'],"
		     "'action':['drop'],'nat':[''],'hits':[1]}",
		     "\"action\" has 1 entries, \"name\" has 2");
}
END_TEST

/*
 * A /phalanx/rules page as control/telemetry.c sends it: rules from..
 * from+page-1 of a policy of total rules named "r<N>" padded to the
 * longest name (31 bytes), every third one NAT'd.
 */
static json_t *
rules_page(uint64_t gen, unsigned total, unsigned from, unsigned page)
{
	json_t *p = json_pack("{s:I,s:I,s:I,s:[],s:[],s:[],s:[]}",
			      "generation", (json_int_t)gen,
			      "total", (json_int_t)total,
			      "from", (json_int_t)from,
			      "name", "action", "nat", "hits");
	unsigned r, end = from + page < total ? from + page : total;
	char name[32];

	ck_assert_ptr_nonnull(p);
	for (r = from; r < end; r++) {
		snprintf(name, sizeof(name), "r%030u", r);
		json_array_append_new(json_object_get(p, "name"),
				      json_string(name));
		json_array_append_new(json_object_get(p, "action"),
				      json_string(r % 2 ? "drop" : "accept"));
		json_array_append_new(json_object_get(p, "nat"),
				      json_string(r % 3 ? "" : "source"));
		json_array_append_new(json_object_get(p, "hits"),
				      json_integer(r));
	}
	json_object_set_new(p, "next", json_integer(end < total ?
						    (json_int_t)end : -1));
	return p;
}

/* Walk the pages as phx does (ask_rules): 0 or the first error. */
static int
walk_rules(json_t *all, uint64_t gen, unsigned total, unsigned page,
	   char *err, size_t errlen)
{
	int64_t next = 0;
	int rc, pages = 0;

	do {
		json_t *p = rules_page(gen, total, (unsigned)next, page);
		uint64_t from = (uint64_t)next;

		rc = phx_fmt_rules_add(all, p, from, &next, err, errlen);
		json_decref(p);
		ck_assert_int_lt(++pages, 100);
	} while (rc == 0 && next >= 0);
	return rc;
}

START_TEST(test_rules_pages)
{
	json_t *all = json_object(), *p;
	char err[256] = "", *out, line[64];
	int64_t next;
	size_t i;

	/* 600 rules, more than a telemetry array holds (512), in pages of
	 * 128: all of them, in order, in one table. */
	ck_assert_int_eq(walk_rules(all, 7, 600, 128, err, sizeof(err)), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(all, "name")), 600);
	ck_assert_int_eq(json_integer_value(json_object_get(all, "next")), -1);
	ck_assert_int_eq(render(RULES, all, &out, err, sizeof(err)), 0);
	ck_assert(strncmp(out, "Policy generation 7\n\n", 21) == 0);
	for (i = 0; i < 600; i++) {
		snprintf(line, sizeof(line), "\nr%030zu  %s ", i,
			 i % 2 ? "drop  " : "accept");
		ck_assert_msg(strstr(out, line) != NULL, "no row %zu", i);
	}
	ck_assert_ptr_nonnull(strstr(out, "\n600 rules\n"));
	free(out);
	json_decref(all);

	/* An exact multiple of the page, and an empty policy. */
	all = json_object();
	ck_assert_int_eq(walk_rules(all, 1, 256, 128, err, sizeof(err)), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(all, "hits")), 256);
	json_decref(all);
	all = json_object();
	ck_assert_int_eq(walk_rules(all, 1, 0, 128, err, sizeof(err)), 0);
	ck_assert_int_eq(render(RULES, all, &out, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\n0 rules\n"));
	free(out);
	json_decref(all);

	/* A reload between two pages: start over. */
	all = json_object();
	p = rules_page(3, 300, 0, 128);
	ck_assert_int_eq(phx_fmt_rules_add(all, p, 0, &next, err,
					   sizeof(err)), 0);
	ck_assert_int_eq(next, 128);
	json_decref(p);
	p = rules_page(4, 300, 128, 128);
	ck_assert_int_eq(phx_fmt_rules_add(all, p, 128, &next, err,
					   sizeof(err)), -EAGAIN);
	json_decref(p);
	json_decref(all);
	expect_unpaged(phx_fmt_rules_add, rules_fixture, "name", 4);
}
END_TEST

static const struct {
	const char *page;
	uint64_t from;
	const char *err;
} rules_bad[] = {
	{ "null", 0, "the answer is null" },
	{ "{'generation':1,'total':1,'from':0,'next':-1,'name':['a'],"
	  "'action':['drop'],'nat':[''],'hits':['x']}", 0,
	  "\"hits[0]\" is not a non-negative integer" },
	{ "{'generation':1,'from':0,'next':-1,'name':[],'action':[],"
	  "'nat':[],'hits':[]}", 0, "\"total\" is missing" },
	{ "{'generation':1,'total':0,'from':0,'next':'x','name':[],"
	  "'action':[],'nat':[],'hits':[]}", 0,
	  "\"next\" is not an integer -1 or above" },
	/* not the page asked for */
	{ "{'generation':1,'total':3,'from':1,'next':-1,'name':['b','c'],"
	  "'action':['drop','drop'],'nat':['',''],'hits':[0,0]}", 0,
	  "the page is from rule 1, not 0 as asked" },
	/* a next that does not move on: the walk would never end */
	{ "{'generation':1,'total':3,'from':0,'next':0,'name':[],"
	  "'action':[],'nat':[],'hits':[]}", 0,
	  "a page from rule 0 with 0 rules, next 0 and 3 in all does not "
	  "add up" },
	/* rules lost between "next" and the rows */
	{ "{'generation':1,'total':3,'from':0,'next':2,'name':['a'],"
	  "'action':['drop'],'nat':[''],'hits':[0]}", 0,
	  "a page from rule 0 with 1 rules, next 2 and 3 in all does not "
	  "add up" },
	{ "{'generation':1,'total':3,'from':0,'next':-1,'name':['a'],"
	  "'action':['drop'],'nat':[''],'hits':[0]}", 0,
	  "a page from rule 0 with 1 rules, next -1 and 3 in all does not "
	  "add up" },
	/* the first page asked must be from 0 */
	{ "{'generation':1,'total':3,'from':2,'next':-1,'name':['c'],"
	  "'action':['drop'],'nat':[''],'hits':[0]}", 2,
	  "the first page must be from rule 0, not 2" },
	{ "{'generation':1,'name':['c'],'action':['drop'],'nat':[''],"
	  "'hits':[0]}", 2, "a page without \"next\" from rule 2" },
};

START_TEST(test_rules_pages_malformed)
{
	json_t *all = json_object(), *p = load(rules_bad[_i].page);
	char err[256] = "";
	int64_t next = 5;

	ck_assert_int_eq(phx_fmt_rules_add(all, p, rules_bad[_i].from, &next,
					   err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, rules_bad[_i].err);
	ck_assert_int_eq(next, -1);
	json_decref(p);
	json_decref(all);
}
END_TEST

/* ---- conn ---- */

/* Worker 0 in two pages (the first scan stopped at slot 65536 with rows
 * left), worker 1 in one: TCP with source NAT, UDP with destination
 * NAT, a synced session, ICMP with its #id. */
static const char conn_w0p0[] =
	"{'worker':0,'workers':2,'from':0,'next':65536,'sessions':3,"
	"'rows':2,'idx':[12,40000],'proto':['tcp','udp'],"
	"'orig':['10.1.0.100:40000 > 10.2.0.9:8080',"
	"'10.2.0.100:5353 > 10.2.0.11:53'],"
	"'reply':['10.2.0.9:8080 > 10.2.0.11:1025',"
	"'10.1.0.53:53 > 10.2.0.100:5353'],"
	"'nat':['snat 10.2.0.11:1025','dnat 10.1.0.53:53'],"
	"'state':['ESTABLISHED','replied'],'remaining_s':[3723,45],"
	"'rule':['client-out','dns-in']}";

static const char conn_w0p1[] =
	"{'worker':0,'workers':2,'from':65536,'next':-1,'sessions':3,"
	"'rows':1,'idx':[70001],'proto':['tcp'],"
	"'orig':['10.1.0.101:40001 > 10.2.0.9:22'],"
	"'reply':['10.2.0.9:22 > 10.1.0.101:40001'],'nat':[''],"
	"'state':['SYN_SENT'],'remaining_s':[123],'rule':['(synced)']}";

static const char conn_w1p0[] =
	"{'worker':1,'workers':2,'from':0,'next':-1,'sessions':2,"
	"'rows':1,'idx':[5],'proto':['icmp'],"
	"'orig':['10.1.0.100#4660 > 10.2.0.9#4660'],"
	"'reply':['10.2.0.9#1025 > 10.2.0.11#1025'],"
	"'nat':['snat 10.2.0.11#1025'],'state':['new'],"
	"'remaining_s':[9],'rule':['ping']}";

static const char conn_table[] =
	"Proto  Original                          "
	"Reply                           NAT                  "
	"State         Expires  Rule        Worker\n"
	"tcp    10.1.0.100:40000 > 10.2.0.9:8080  "
	"10.2.0.9:8080 > 10.2.0.11:1025  snat 10.2.0.11:1025  "
	"ESTABLISHED  1h02m03s  client-out       0\n"
	"udp    10.2.0.100:5353 > 10.2.0.11:53    "
	"10.1.0.53:53 > 10.2.0.100:5353  dnat 10.1.0.53:53    "
	"replied           45s  dns-in           0\n"
	"tcp    10.1.0.101:40001 > 10.2.0.9:22    "
	"10.2.0.9:22 > 10.1.0.101:40001  -                    "
	"SYN_SENT        2m03s  (synced)         0\n"
	"icmp   10.1.0.100#4660 > 10.2.0.9#4660   "
	"10.2.0.9#1025 > 10.2.0.11#1025  snat 10.2.0.11#1025  "
	"new                9s  ping             1\n";

/* Feed the three pages as phx conn walks them; returns the output. */
static char *
conn_walk(size_t limit, bool json, struct phx_fmt_conn *c)
{
	static const struct {
		const char *fixture;
		uint64_t worker, from;
		int64_t next;
	} pages[] = {
		{ conn_w0p0, 0, 0, 65536 },
		{ conn_w0p1, 0, 65536, -1 },
		{ conn_w1p0, 1, 0, -1 },
	};
	struct capture cap;
	char err[256], *out;
	uint64_t workers;
	int64_t next;
	size_t i;

	phx_fmt_conn_init(c, limit, json);
	for (i = 0; i < PHX_DIM(pages) && !phx_fmt_conn_full(c); i++) {
		json_t *page = load(pages[i].fixture);

		ck_assert_msg(phx_fmt_conn_add(c, page, pages[i].worker,
					       pages[i].from, &next, &workers,
					       err, sizeof(err)) == 0,
			      "page %zu: %s", i, err);
		ck_assert_int_eq(next, pages[i].next);
		ck_assert_uint_eq(workers, 2);
		json_decref(page);
	}
	ck_assert_int_eq(phx_fmt_conn_print(cap_open(&cap), c), 0);
	out = cap_close(&cap);
	return out;
}

START_TEST(test_conn_pages_merged)
{
	struct phx_fmt_conn c;
	char want[2048], *out;

	out = conn_walk(1000, false, &c);
	/* Live: the last "sessions" of each worker, 3 + 2. */
	snprintf(want, sizeof(want), "%s4 sessions shown (5 live)\n",
		 conn_table);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(c.n_rows, 4);
	ck_assert(!c.stopped);
	free(out);
	phx_fmt_conn_fini(&c);

	/* 0: no limit, same listing. */
	out = conn_walk(0, false, &c);
	ck_assert_str_eq(out, want);
	free(out);
	phx_fmt_conn_fini(&c);
}
END_TEST

START_TEST(test_conn_limit)
{
	struct phx_fmt_conn c;
	char *out;

	/* Two rows: the first page fills the limit and the walk stops. */
	out = conn_walk(2, false, &c);
	ck_assert(phx_fmt_conn_full(&c));
	ck_assert_str_eq(out,
			 "Proto  Original                          "
			 "Reply                           NAT                  "
			 "State         Expires  Rule        Worker\n"
			 "tcp    10.1.0.100:40000 > 10.2.0.9:8080  "
			 "10.2.0.9:8080 > 10.2.0.11:1025  snat 10.2.0.11:1025  "
			 "ESTABLISHED  1h02m03s  client-out       0\n"
			 "udp    10.2.0.100:5353 > 10.2.0.11:53    "
			 "10.1.0.53:53 > 10.2.0.100:5353  dnat 10.1.0.53:53    "
			 "replied           45s  dns-in           0\n"
			 "2 sessions shown (3 live)\n");
	free(out);
	phx_fmt_conn_fini(&c);

	/* One row: the page had more, so the footer says the limit cut
	 * it; the caller found the member's total elsewhere. */
	out = conn_walk(1, false, &c);
	ck_assert(c.stopped);
	free(out);
	c.live = 5;
	c.live_set = true;
	{
		struct capture cap;

		ck_assert_int_eq(phx_fmt_conn_print(cap_open(&cap), &c), 0);
		out = cap_close(&cap);
	}
	ck_assert_str_eq(out + strlen(out) - strlen("1 session shown (5 live; "
						    "--limit 1 reached)\n"),
			 "1 session shown (5 live; --limit 1 reached)\n");
	free(out);
	c.live_set = false;
	c.live_partial = true;
	{
		struct capture cap;

		ck_assert_int_eq(phx_fmt_conn_print(cap_open(&cap), &c), 0);
		out = cap_close(&cap);
	}
	ck_assert_ptr_nonnull(strstr(out, "\n1 session shown (at least 3 live; "
				     "--limit 1 reached)\n"));
	free(out);
	phx_fmt_conn_fini(&c);
}
END_TEST

START_TEST(test_conn_json)
{
	struct phx_fmt_conn c;
	json_t *rows, *want;
	char *out;

	/* --json: one array of row objects over every page, raw values
	 * (the empty NAT stays ""). */
	out = conn_walk(1000, true, &c);
	rows = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(rows);
	want = load("[{'worker':0,'idx':12,'proto':'tcp',"
		    "'orig':'10.1.0.100:40000 > 10.2.0.9:8080',"
		    "'reply':'10.2.0.9:8080 > 10.2.0.11:1025',"
		    "'nat':'snat 10.2.0.11:1025','state':'ESTABLISHED',"
		    "'remaining_s':3723,'rule':'client-out'},"
		    "{'worker':0,'idx':40000,'proto':'udp',"
		    "'orig':'10.2.0.100:5353 > 10.2.0.11:53',"
		    "'reply':'10.1.0.53:53 > 10.2.0.100:5353',"
		    "'nat':'dnat 10.1.0.53:53','state':'replied',"
		    "'remaining_s':45,'rule':'dns-in'},"
		    "{'worker':0,'idx':70001,'proto':'tcp',"
		    "'orig':'10.1.0.101:40001 > 10.2.0.9:22',"
		    "'reply':'10.2.0.9:22 > 10.1.0.101:40001','nat':'',"
		    "'state':'SYN_SENT','remaining_s':123,'rule':'(synced)'},"
		    "{'worker':1,'idx':5,'proto':'icmp',"
		    "'orig':'10.1.0.100#4660 > 10.2.0.9#4660',"
		    "'reply':'10.2.0.9#1025 > 10.2.0.11#1025',"
		    "'nat':'snat 10.2.0.11#1025','state':'new',"
		    "'remaining_s':9,'rule':'ping'}]");
	ck_assert_msg(json_equal(rows, want), "got %s", out);
	/* Key order as documented, indented like every --json. */
	ck_assert(strncmp(out, "[\n  {\n    \"worker\": 0,\n    \"idx\": 12,\n"
			  "    \"proto\": \"tcp\",\n", 52) == 0);
	json_decref(rows);
	json_decref(want);
	free(out);
	phx_fmt_conn_fini(&c);
}
END_TEST

START_TEST(test_conn_empty)
{
	struct phx_fmt_conn c;
	struct capture cap;
	json_t *page = load("{'worker':0,'workers':1,'from':0,'next':-1,"
			    "'sessions':0,'rows':0,'idx':[],'proto':[],"
			    "'orig':[],'reply':[],'nat':[],'state':[],"
			    "'remaining_s':[],'rule':[]}");
	char err[128], *out;
	uint64_t workers;
	int64_t next;

	phx_fmt_conn_init(&c, 1000, false);
	ck_assert_int_eq(phx_fmt_conn_add(&c, page, 0, 0, &next, &workers,
					  err, sizeof(err)), 0);
	ck_assert_int_eq(next, -1);
	ck_assert_uint_eq(workers, 1);
	ck_assert_int_eq(phx_fmt_conn_print(cap_open(&cap), &c), 0);
	out = cap_close(&cap);
	ck_assert_str_eq(out, "Proto  Original  Reply  NAT  State  Expires  "
			 "Rule  Worker\n"
			 "0 sessions shown (0 live)\n");
	free(out);
	phx_fmt_conn_fini(&c);

	phx_fmt_conn_init(&c, 1000, true);
	ck_assert_int_eq(phx_fmt_conn_add(&c, page, 0, 0, &next, &workers,
					  err, sizeof(err)), 0);
	ck_assert_int_eq(phx_fmt_conn_print(cap_open(&cap), &c), 0);
	out = cap_close(&cap);
	ck_assert_str_eq(out, "[]\n");
	free(out);
	phx_fmt_conn_fini(&c);
	json_decref(page);
}
END_TEST

static const struct {
	const char *fixture;
	uint64_t worker, from;
	const char *err;
} conn_bad[] = {
	{ "null", 0, 0, "the answer is null" },
	{ "{'worker':0,'workers':2,'from':0,'sessions':0,'rows':0}", 0, 0,
	  "\"next\" is missing" },
	{ "{'worker':0,'workers':2,'from':0,'next':-2,'sessions':0,"
	  "'rows':0}", 0, 0, "\"next\" is not -1 or a slot index" },
	{ "{'worker':0,'workers':2,'from':0,'next':'x','sessions':0,"
	  "'rows':0}", 0, 0, "\"next\" is not -1 or a slot index" },
	{ "{'worker':1,'workers':2,'from':0,'next':-1,'sessions':0,"
	  "'rows':0}", 0, 0,
	  "answer for worker 1 from 0 to a request for worker 0 from 0" },
	{ "{'worker':0,'workers':2,'from':0,'next':-1,'sessions':0,"
	  "'rows':0}", 0, 48,
	  "answer for worker 0 from 0 to a request for worker 0 from 48" },
	{ "{'worker':2,'workers':2,'from':0,'next':-1,'sessions':0,"
	  "'rows':0}", 2, 0, "\"worker\" 2 is not below \"workers\" 2" },
	/* A page that does not move on would make phx ask forever. */
	{ "{'worker':0,'workers':2,'from':100,'next':100,'sessions':0,"
	  "'rows':0}", 0, 100, "\"next\" 100 does not advance past "
	  "\"from\" 100" },
	{ "{'worker':0,'workers':2,'from':0,'next':-1,'sessions':0,"
	  "'rows':1,'idx':[1],'proto':['tcp'],'orig':['a'],'reply':['b'],"
	  "'nat':[''],'state':['CLOSE'],'remaining_s':[1]}", 0, 0,
	  "\"rule\" is missing" },
	{ "{'worker':0,'workers':2,'from':0,'next':-1,'sessions':0,"
	  "'rows':2,'idx':[1],'proto':['tcp'],'orig':['a'],'reply':['b'],"
	  "'nat':[''],'state':['CLOSE'],'remaining_s':[1],'rule':['r']}",
	  0, 0, "\"rows\" says 2, the columns hold 1" },
	{ "{'worker':0,'workers':2,'from':0,'next':-1,'sessions':0,"
	  "'rows':1,'idx':[1],'proto':['tcp'],'orig':['a'],'reply':['b'],"
	  "'nat':[''],'state':['CLOSE'],'remaining_s':[-1],'rule':['r']}",
	  0, 0, "\"remaining_s[0]\" is not a non-negative integer" },
};

START_TEST(test_conn_malformed)
{
	json_t *page = load(conn_bad[_i].fixture);
	struct phx_fmt_conn c;
	char err[256];
	uint64_t workers;
	int64_t next;

	phx_fmt_conn_init(&c, 1000, false);
	ck_assert_int_eq(phx_fmt_conn_add(&c, page, conn_bad[_i].worker,
					  conn_bad[_i].from, &next, &workers,
					  err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, conn_bad[_i].err);
	ck_assert_uint_eq(c.n_rows, 0);
	phx_fmt_conn_fini(&c);
	json_decref(page);
}
END_TEST

START_TEST(test_conn_workers_changed)
{
	json_t *p0 = load(conn_w0p0);
	json_t *p1 = load("{'worker':1,'workers':3,'from':0,'next':-1,"
			  "'sessions':0,'rows':0,'idx':[],'proto':[],"
			  "'orig':[],'reply':[],'nat':[],'state':[],"
			  "'remaining_s':[],'rule':[]}");
	struct phx_fmt_conn c;
	char err[256];
	uint64_t workers;
	int64_t next;

	phx_fmt_conn_init(&c, 0, false);
	ck_assert_int_eq(phx_fmt_conn_add(&c, p0, 0, 0, &next, &workers, err,
					  sizeof(err)), 0);
	ck_assert_int_eq(phx_fmt_conn_add(&c, p1, 1, 0, &next, &workers, err,
					  sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "\"workers\" changed from 2 to 3");
	phx_fmt_conn_fini(&c);
	json_decref(p0);
	json_decref(p1);
}
END_TEST

static const struct {
	uint64_t s;
	const char *text;
} durations[] = {
	{ 0, "0s" }, { 45, "45s" }, { 59, "59s" }, { 60, "1m00s" },
	{ 123, "2m03s" }, { 3599, "59m59s" }, { 3600, "1h00m00s" },
	{ 3723, "1h02m03s" }, { 432000, "120h00m00s" },
};

START_TEST(test_duration)
{
	char buf[32];

	phx_fmt_duration(buf, sizeof(buf), durations[_i].s);
	ck_assert_str_eq(buf, durations[_i].text);
}
END_TEST

/* ---- conn and reload arguments ---- */

static const struct {
	struct phx_fmt_conn_filter f;
	const char *param;   /* NULL: rejected with err */
	const char *err;
} conn_args[] = {
	{ { NULL, NULL, NULL, NULL }, "", NULL },
	{ { "10.1.0.100", "8080", "tcp", "established" },
	  ",ip=10.1.0.100,port=8080,proto=tcp,state=ESTABLISHED", NULL },
	{ { "0.0.0.1", "1", "UDP", NULL }, ",ip=0.0.0.1,port=1,proto=udp",
	  NULL },
	/* the member would read it as no filter: every session */
	{ { "0.0.0.0", NULL, NULL, NULL }, NULL,
	  "--ip: 0.0.0.0 is not an address a session can have (leave --ip "
	  "out for every session)" },
	{ { "0.0.0.0", "1", "UDP", NULL }, NULL,
	  "--ip: 0.0.0.0 is not an address a session can have (leave --ip "
	  "out for every session)" },
	{ { "255.255.255.255", "65535", "Icmp", NULL },
	  ",ip=255.255.255.255,port=65535,proto=icmp", NULL },
	{ { NULL, NULL, NULL, "Time_Wait" }, ",state=TIME_WAIT", NULL },
	{ { NULL, NULL, "tcp", "close" }, ",proto=tcp,state=CLOSE", NULL },
	{ { "10.1.0", NULL, NULL, NULL }, NULL,
	  "--ip: '10.1.0' is not an IPv4 address (A.B.C.D)" },
	{ { "10.1.0.256", NULL, NULL, NULL }, NULL,
	  "--ip: '10.1.0.256' is not an IPv4 address (A.B.C.D)" },
	{ { "10.1.0.1.", NULL, NULL, NULL }, NULL,
	  "--ip: '10.1.0.1.' is not an IPv4 address (A.B.C.D)" },
	{ { "10.01.0.1", NULL, NULL, NULL }, NULL,
	  "--ip: '10.01.0.1' is not an IPv4 address (A.B.C.D)" },
	{ { " 10.1.0.1", NULL, NULL, NULL }, NULL,
	  "--ip: ' 10.1.0.1' is not an IPv4 address (A.B.C.D)" },
	{ { "10.1.0.1/24", NULL, NULL, NULL }, NULL,
	  "--ip: '10.1.0.1/24' is not an IPv4 address (A.B.C.D)" },
	{ { "host.example", NULL, NULL, NULL }, NULL,
	  "--ip: 'host.example' is not an IPv4 address (A.B.C.D)" },
	{ { "", NULL, NULL, NULL }, NULL,
	  "--ip: '' is not an IPv4 address (A.B.C.D)" },
	{ { NULL, "0", NULL, NULL }, NULL,
	  "--port: '0' is not a port number (1..65535)" },
	{ { NULL, "65536", NULL, NULL }, NULL,
	  "--port: '65536' is not a port number (1..65535)" },
	{ { NULL, "-1", NULL, NULL }, NULL,
	  "--port: '-1' is not a port number (1..65535)" },
	{ { NULL, "80x", NULL, NULL }, NULL,
	  "--port: '80x' is not a port number (1..65535)" },
	{ { NULL, "http", NULL, NULL }, NULL,
	  "--port: 'http' is not a port number (1..65535)" },
	{ { NULL, NULL, "sctp", NULL }, NULL,
	  "--proto: 'sctp' is not tcp, udp or icmp" },
	{ { NULL, NULL, "6", NULL }, NULL,
	  "--proto: '6' is not tcp, udp or icmp" },
	{ { NULL, NULL, NULL, "replied" }, NULL,
	  "--state: 'replied' is not a TCP state (SYN_SENT, SYN_RECV, "
	  "ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE)" },
	{ { NULL, NULL, NULL, "NONE" }, NULL,
	  "--state: 'NONE' is not a TCP state (SYN_SENT, SYN_RECV, "
	  "ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE)" },
	{ { NULL, NULL, "udp", "ESTABLISHED" }, NULL,
	  "--state: TCP states do not apply to --proto udp" },
	/* The operator's value is quoted without its control characters. */
	{ { "\x1b[2J", NULL, NULL, NULL }, NULL,
	  "--ip: '?[2J' is not an IPv4 address (A.B.C.D)" },
};

START_TEST(test_conn_args)
{
	char buf[128], err[256] = "";
	int rc = phx_fmt_conn_filter(&conn_args[_i].f, buf, sizeof(buf), err,
				     sizeof(err));

	if (conn_args[_i].param != NULL) {
		ck_assert_msg(rc == 0, "rejected: %s", err);
		ck_assert_str_eq(buf, conn_args[_i].param);
	} else {
		ck_assert_int_eq(rc, -EINVAL);
		ck_assert_str_eq(err, conn_args[_i].err);
	}
}
END_TEST

static const struct {
	const char *s;
	int ms;      /* -1: rejected */
} seconds[] = {
	{ "10", 10000 }, { "1", 1000 }, { "2.5", 2500 }, { "0.1", 100 },
	{ "0.001", 1 }, { "3600", 3600000 }, { "3600.000", 3600000 },
	{ "0", -1 }, { "0.0", -1 }, { "3600.001", -1 }, { "3601", -1 },
	{ "", -1 }, { "-1", -1 }, { "+1", -1 }, { "1.", -1 }, { ".5", -1 },
	{ "1.2345", -1 }, { "10s", -1 }, { " 1", -1 }, { "010", -1 },
	{ "99999999999999999999", -1 }, { "1e3", -1 },
};

START_TEST(test_reload_timeout_arg)
{
	unsigned ms = 7;
	int rc = phx_fmt_seconds(seconds[_i].s, 3600, &ms);

	if (seconds[_i].ms < 0) {
		ck_assert_msg(rc == -EINVAL, "'%s' accepted as %u ms",
			      seconds[_i].s, ms);
	} else {
		ck_assert_msg(rc == 0, "'%s' rejected", seconds[_i].s);
		ck_assert_uint_eq(ms, (unsigned)seconds[_i].ms);
	}
}
END_TEST

/* ---- reload outcome ---- */

static int
reload_result(const char *fixture, uint64_t ok0, uint64_t failed0,
	      char *msg, size_t len, char *err, size_t errlen)
{
	json_t *p = load(fixture);
	int rc;

	err[0] = '\0';
	rc = phx_fmt_reload_result(p, ok0, failed0, msg, len, err, errlen);
	json_decref(p);
	return rc;
}

START_TEST(test_reload_result)
{
	char msg[256], err[256];
	uint64_t ok, failed;
	json_t *p;

	p = load(policy_fixture);
	ck_assert_int_eq(phx_fmt_reload_counts(p, &ok, &failed, err,
					       sizeof(err)), 0);
	ck_assert_uint_eq(ok, 2);
	ck_assert_uint_eq(failed, 1);
	json_decref(p);

	/* Nothing yet: keep polling. */
	ck_assert_int_eq(reload_result(policy_fixture, 2, 1, msg, sizeof(msg),
				       err, sizeof(err)), 0);
	ck_assert_str_eq(msg, "");
	/* reloads_ok grew. */
	ck_assert_int_eq(reload_result(policy_fixture, 1, 1, msg, sizeof(msg),
				       err, sizeof(err)), 1);
	ck_assert_str_eq(msg, "reload ok: generation 3");
	/* reloads_failed grew: the member's reason, without its
	 * "refused: " (the line says so already). */
	ck_assert_int_eq(reload_result(
		"{'generation':3,'reloads_ok':2,'reloads_failed':2,"
		"'last_reload':'refused: section \\\"eal\\\" changed; it "
		"needs a restart'}", 2, 1, msg, sizeof(msg), err,
		sizeof(err)), 2);
	ck_assert_str_eq(msg, "reload refused: section \"eal\" changed; it "
			 "needs a restart");
	/* Both grew (a second reload raced ours): the last text decides. */
	ck_assert_int_eq(reload_result(
		"{'generation':4,'reloads_ok':3,'reloads_failed':2,"
		"'last_reload':'refused: 1 error(s); 3:5 rules[0].action: "
		"bad'}", 2, 1, msg, sizeof(msg), err, sizeof(err)), 2);
	ck_assert_str_eq(msg, "reload refused: 1 error(s); 3:5 "
			 "rules[0].action: bad");
	ck_assert_int_eq(reload_result(
		"{'generation':4,'reloads_ok':3,'reloads_failed':2,"
		"'last_reload':'ok: generation 4, 2 rules'}", 2, 1, msg,
		sizeof(msg), err, sizeof(err)), 1);
	ck_assert_str_eq(msg, "reload ok: generation 4");
	/* Counters that went back: the member restarted meanwhile. */
	ck_assert_int_eq(reload_result(
		"{'generation':1,'reloads_ok':0,'reloads_failed':0,"
		"'last_reload':'boot: generation 1'}", 2, 1, msg, sizeof(msg),
		err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "the reload counters went down (ok 2 -> 0, "
			 "failed 1 -> 0): the member restarted");
	ck_assert_int_eq(reload_result("{'generation':1,'reloads_ok':0,"
				       "'last_reload':''}", 0, 0, msg,
				       sizeof(msg), err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "\"reloads_failed\" is missing");
	ck_assert_int_eq(reload_result("null", 0, 0, msg, sizeof(msg), err,
				       sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "the answer is null");
	/* A text in pieces: phx reload prints it whole. */
	ck_assert_int_eq(reload_result(
		"{'generation':1,'reloads_ok':0,'reloads_failed':1,"
		"'last_reload':['refused: section \\\"na','me\\\" changed; "
		"it needs a restart']}", 0, 0, msg, sizeof(msg), err,
		sizeof(err)), 2);
	ck_assert_str_eq(msg, "reload refused: section \"name\" changed; it "
			 "needs a restart");
}
END_TEST

START_TEST(test_reload_result_long)
{
	json_t *p = json_pack("{s:i,s:i,s:i,s:o}", "generation", 1,
			      "reloads_ok", 0, "reloads_failed", 1,
			      "last_reload", long_result_pieces());
	char msg[1024], err[256] = "", want[1024];

	ck_assert_int_eq(phx_fmt_reload_result(p, 0, 0, msg, sizeof(msg), err,
					       sizeof(err)), 2);
	snprintf(want, sizeof(want), "reload refused: %s",
		 long_result + strlen("refused: "));
	ck_assert_str_eq(msg, want);
	json_decref(p);
}
END_TEST

/* ---- metrics ---- */

/*
 * A checker for the Prometheus text format 0.0.4, as strict as phx's
 * output should be: every line ends in \n; comments are "# HELP name
 * text" or "# TYPE name type", at most one of each per name, TYPE before
 * the name's first sample; samples are name{label="value",...} value with
 * names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*,
 * values escaped (\\ \" \n only) and a number; a metric's samples are
 * one group; no series twice; every series has a member label. Returns
 * NULL or why not (static).
 */
struct prom_names {
	char **v;
	size_t n;
};

static bool
prom_has(const struct prom_names *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return true;
	return false;
}

static void
prom_add(struct prom_names *s, const char *name)
{
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	ck_assert_ptr_nonnull(s->v);
	s->v[s->n++] = strdup(name);
}

static void
prom_free(struct prom_names *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static size_t
prom_name(const char *p, bool label)
{
	size_t n = 0;

	if (!((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z') ||
	      p[0] == '_' || (!label && p[0] == ':')))
		return 0;
	for (n = 1; (p[n] >= 'a' && p[n] <= 'z') ||
	     (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9') ||
	     p[n] == '_' || (!label && p[n] == ':'); n++)
		;
	return n;
}

static const char *
prom_check(const char *text)
{
	static char why[512];
	struct prom_names typed = { 0 }, helped = { 0 }, done = { 0 };
	struct prom_names series = { 0 };
	char cur[256] = "", line[1024];
	const char *p = text, *nl;
	size_t lineno = 0;

	why[0] = '\0';
	for (; *p != '\0'; p = nl + 1) {
		char name[256], *q, *end;
		size_t n;

		lineno++;
		nl = strchr(p, '\n');
		if (nl == NULL) {
			snprintf(why, sizeof(why), "line %zu: no newline",
				 lineno);
			break;
		}
		if ((size_t)(nl - p) >= sizeof(line)) {
			snprintf(why, sizeof(why), "line %zu: too long", lineno);
			break;
		}
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		if (strncmp(line, "# HELP ", 7) == 0 ||
		    strncmp(line, "# TYPE ", 7) == 0) {
			bool type = line[2] == 'T';

			n = prom_name(line + 7, false);
			if (n == 0 || line[7 + n] != ' ') {
				snprintf(why, sizeof(why), "line %zu: bad "
					 "name: %.300s", lineno, line);
				break;
			}
			snprintf(name, sizeof(name), "%.*s", (int)n, line + 7);
			if (prom_has(type ? &typed : &helped, name) ||
			    prom_has(&done, name) || strcmp(cur, name) == 0) {
				snprintf(why, sizeof(why), "line %zu: %s of %s "
					 "again or after its samples", lineno,
					 type ? "TYPE" : "HELP", name);
				break;
			}
			if (type) {
				const char *t = line + 8 + n;

				if (strcmp(t, "counter") != 0 &&
				    strcmp(t, "gauge") != 0 &&
				    strcmp(t, "untyped") != 0 &&
				    strcmp(t, "summary") != 0 &&
				    strcmp(t, "histogram") != 0) {
					snprintf(why, sizeof(why), "line %zu: "
						 "bad type '%s'", lineno, t);
					break;
				}
				prom_add(&typed, name);
			} else {
				for (q = line + 8 + n; *q; q++)
					if (*q == '\\' && q[1] != '\\' &&
					    q[1] != 'n')
						break;
				if (*q != '\0') {
					snprintf(why, sizeof(why), "line %zu: "
						 "bad escape in HELP", lineno);
					break;
				}
				prom_add(&helped, name);
			}
			continue;
		}
		if (line[0] == '#') {
			snprintf(why, sizeof(why), "line %zu: unexpected "
				 "comment", lineno);
			break;
		}
		/* A sample. */
		n = prom_name(line, false);
		if (n == 0) {
			snprintf(why, sizeof(why), "line %zu: bad metric name: "
				 "%.300s", lineno, line);
			break;
		}
		snprintf(name, sizeof(name), "%.*s", (int)n, line);
		if (!prom_has(&typed, name)) {
			snprintf(why, sizeof(why), "line %zu: %s has no TYPE "
				 "before it", lineno, name);
			break;
		}
		if (strcmp(cur, name) != 0) {
			if (prom_has(&done, name)) {
				snprintf(why, sizeof(why), "line %zu: samples "
					 "of %s are not one group", lineno,
					 name);
				break;
			}
			if (cur[0] != '\0')
				prom_add(&done, cur);
			snprintf(cur, sizeof(cur), "%s", name);
		}
		q = line + n;
		if (*q == '{') {
			struct prom_names labels = { 0 };
			bool ok = true;

			q++;
			while (ok && *q != '}') {
				char lname[128];
				size_t ln = prom_name(q, true);

				if (ln == 0 || q[ln] != '=' ||
				    q[ln + 1] != '"') {
					ok = false;
					break;
				}
				snprintf(lname, sizeof(lname), "%.*s",
					 (int)ln, q);
				if (prom_has(&labels, lname)) {
					ok = false;
					break;
				}
				prom_add(&labels, lname);
				for (q += ln + 2; *q != '"' && *q != '\0';
				     q++)
					if (*q == '\\' &&
					    !strchr("\\\"n", *++q)) {
						ok = false;
						break;
					}
				if (!ok || *q != '"') {
					ok = false;
					break;
				}
				q++;
				if (*q == ',')
					q++;
				else if (*q != '}')
					ok = false;
			}
			if (ok && !prom_has(&labels, "member"))
				ok = false;
			prom_free(&labels);
			if (!ok) {
				snprintf(why, sizeof(why), "line %zu: bad or "
					 "no member label: %.300s", lineno, line);
				break;
			}
			q++;
		} else {
			snprintf(why, sizeof(why), "line %zu: no member label: "
				 "%.300s", lineno, line);
			break;
		}
		{
			char key[1024];

			snprintf(key, sizeof(key), "%.*s", (int)(q - line),
				 line);
			if (prom_has(&series, key)) {
				snprintf(why, sizeof(why), "line %zu: series "
					 "%.300s twice", lineno, key);
				break;
			}
			prom_add(&series, key);
		}
		if (*q != ' ') {
			snprintf(why, sizeof(why), "line %zu: no value",
				 lineno);
			break;
		}
		q++;
		(void)strtod(q, &end);
		if (end == q || *end != '\0') {
			snprintf(why, sizeof(why), "line %zu: bad value '%s'",
				 lineno, q);
			break;
		}
	}
	prom_free(&typed);
	prom_free(&helped);
	prom_free(&done);
	prom_free(&series);
	return why[0] ? why : NULL;
}

START_TEST(test_prom_check_itself)
{
	/* The checker must catch what it is there to catch. */
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
		{ "# TYPE a counter\na{member=\"m\"} 1\n", NULL },
		{ "a{member=\"m\"} 1\n", "line 1: a has no TYPE before it" },
		{ "# TYPE a counter\na{member=\"m\"} 1\na{member=\"m\"} 2\n",
		  "line 3: series a{member=\"m\"} twice" },
		{ "# TYPE a counter\n# TYPE b counter\na{member=\"m\"} 1\n"
		  "b{member=\"m\"} 1\na{member=\"m\",x=\"1\"} 1\n",
		  "line 5: samples of a are not one group" },
		{ "# TYPE 1a counter\n", "line 1: bad name: # TYPE 1a counter" },
		{ "# TYPE a counter\na{member=\"m\"} x\n",
		  "line 2: bad value 'x'" },
		{ "# TYPE a counter\na{member=\"m\\t\"} 1\n",
		  "line 2: bad or no member label: a{member=\"m\\t\"} 1" },
		{ "# TYPE a counter\na 1\n", "line 2: no member label: a 1" },
		{ "# TYPE a counter\na{member=\"m\"} 1", "line 2: no newline" },
		{ "# TYPE a counter\n# TYPE a gauge\n",
		  "line 2: TYPE of a again or after its samples" },
	};
	size_t i;

	for (i = 0; i < PHX_DIM(cases); i++) {
		const char *why = prom_check(cases[i].text);

		if (cases[i].why == NULL)
			ck_assert_msg(why == NULL, "case %zu: %s", i, why);
		else
			ck_assert_msg(why != NULL &&
				      strcmp(why, cases[i].why) == 0,
				      "case %zu: %s", i, why ? why : "passed");
	}
}
END_TEST

static const char version_fixture[] =
	"{'version':'0.1.0','name':'lab-fw1','dpdk':'DPDK 22.11.11',"
	"'pid':4242,'uptime_s':93784,'config':'conf/lab/fw1.json'}";

/* Render metrics from fixtures; returns the rc, *out the text. */
static int
metrics(const char *version, const char *const *pstat, size_t n_pstat,
	bool per_worker, const char *ports, const char *rules, char **out,
	char *err, size_t errlen)
{
	json_t *ps[8];
	struct phx_fmt_metrics m = {
		.version = load(version),
		.pstat = ps,
		.n_pstat = n_pstat,
		.per_worker = per_worker,
		.ports = load(ports),
		.rules = load(rules),
	};
	struct capture c;
	size_t i;
	int rc;

	ck_assert_uint_le(n_pstat, PHX_DIM(ps));
	for (i = 0; i < n_pstat; i++)
		ps[i] = load(pstat[i]);
	err[0] = '\0';
	rc = phx_fmt_metrics(cap_open(&c), &m, err, errlen);
	*out = cap_close(&c);
	for (i = 0; i < n_pstat; i++)
		json_decref(ps[i]);
	json_decref(m.version);
	json_decref(m.ports);
	json_decref(m.rules);
	return rc;
}

/* line (without its newline) is a whole line of text. */
static void
expect_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	ck_abort_msg("no line '%s' in:\n%s", line, text);
}

START_TEST(test_metrics_sums)
{
	const char *ps[] = { pstat_fixture };
	char err[256], *out;
	const char *why;

	ck_assert_msg(metrics(version_fixture, ps, 1, false, ports_fixture,
			      rules_fixture, &out, err, sizeof(err)) == 0,
		      "%s", err);
	why = prom_check(out);
	ck_assert_msg(why == NULL, "%s in:\n%s", why, out);
	/* The head: gauges, then the counters in the member's order. */
	ck_assert(strncmp(out,
		"# HELP phalanx_policy_generation Generation of the running "
		"policy (1 at start, +1 per successful reload)\n"
		"# TYPE phalanx_policy_generation gauge\n"
		"phalanx_policy_generation{member=\"lab-fw1\"} 2\n"
		"# HELP phalanx_sessions Live sessions\n"
		"# TYPE phalanx_sessions gauge\n"
		"phalanx_sessions{member=\"lab-fw1\"} 3\n"
		"# HELP phalanx_sessions_max Session table capacity\n"
		"# TYPE phalanx_sessions_max gauge\n"
		"phalanx_sessions_max{member=\"lab-fw1\"} 131072\n"
		"# HELP phalanx_rx_pkts_total Frames received from the ports\n"
		"# TYPE phalanx_rx_pkts_total counter\n"
		"phalanx_rx_pkts_total{member=\"lab-fw1\"} 1500000\n",
		strlen("# HELP phalanx_policy_generation")) == 0);
	expect_line(out, "# HELP phalanx_policy_generation Generation of the "
		    "running policy (1 at start, +1 per successful reload)");
	expect_line(out, "phalanx_policy_generation{member=\"lab-fw1\"} 2");
	expect_line(out, "phalanx_sessions{member=\"lab-fw1\"} 3");
	expect_line(out, "phalanx_sessions_max{member=\"lab-fw1\"} 131072");
	expect_line(out, "# HELP phalanx_rx_pkts_total Frames received from "
		    "the ports");
	expect_line(out, "# TYPE phalanx_rx_pkts_total counter");
	expect_line(out, "phalanx_rx_pkts_total{member=\"lab-fw1\"} 1500000");
	expect_line(out, "phalanx_neigh_released_total{member=\"lab-fw1\"} 7");
	expect_line(out, "# TYPE phalanx_drops_total counter");
	expect_line(out, "phalanx_drops_total{member=\"lab-fw1\","
		    "reason=\"no_route\"} 120");
	expect_line(out, "phalanx_drops_total{member=\"lab-fw1\","
		    "reason=\"l2_truncated\"} 0");
	expect_line(out, "phalanx_port_rx_packets_total{member=\"lab-fw1\","
		    "port=\"in0\"} 1500000");
	expect_line(out, "phalanx_port_tx_bytes_total{member=\"lab-fw1\","
		    "port=\"out0\"} 95936000");
	expect_line(out, "phalanx_port_rx_missed_total{member=\"lab-fw1\","
		    "port=\"out0\"} 17");
	expect_line(out, "# TYPE phalanx_port_up gauge");
	expect_line(out, "phalanx_port_up{member=\"lab-fw1\",port=\"in0\"} 1");
	expect_line(out, "phalanx_port_up{member=\"lab-fw1\",port=\"out0\"} 0");
	expect_line(out, "phalanx_rule_hits_total{member=\"lab-fw1\","
		    "rule=\"client-out\"} 1234");
	expect_line(out, "phalanx_rule_hits_total{member=\"lab-fw1\","
		    "rule=\"deny-rest\"} 0");
	/* Not the rejected style: one metric per counter. */
	ck_assert_ptr_null(strstr(out, "counter=\""));
	free(out);
}
END_TEST

/*
 * Every counter the daemon has (the X-macro list in dataplane/dp_stats.h,
 * read as text: this test links no DPDK) gets a HELP text of its own in
 * phx metrics, not its bare name.
 */
START_TEST(test_metrics_help_every_counter)
{
	const char *path = PHX_SOURCE_DIR "/dataplane/dp_stats.h";
	char line[512], name[128], want[256], err[256], *out, *pst;
	json_t *cnt = json_object(), *ps;
	const char *pss[1];
	FILE *f = fopen(path, "r");
	size_t n = 0, i;
	const char *k;
	json_t *v;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *x = strstr(line, "X(");

		if (x == NULL || sscanf(x, "X(%*[A-Z0-9_], %127[a-z0-9_])",
					name) != 1)
			continue;
		json_object_set_new(cnt, name, json_integer(1));
		n++;
	}
	fclose(f);
	ck_assert_uint_ge(n, 30); /* the list was found */
	ps = json_pack("{s:s,s:i,s:o,s:{}}", "scope", "all", "workers", 1,
		       "counters", cnt, "drops");
	pst = json_dumps(ps, JSON_COMPACT);
	for (i = 0; pst[i] != '\0'; i++)
		if (pst[i] == '"')
			pst[i] = '\'';
	pss[0] = pst;
	ck_assert_msg(metrics(version_fixture, pss, 1, false, "{}",
			      "{'generation':1,'name':[],'hits':[]}", &out,
			      err, sizeof(err)) == 0, "%s", err);
	json_object_foreach(json_object_get(ps, "counters"), k, v) {
		const char *h;

		snprintf(want, sizeof(want), "# HELP phalanx_%s_total ", k);
		h = strstr(out, want);
		ck_assert_msg(h != NULL, "no HELP for %s", k);
		h += strlen(want);
		ck_assert_msg(strncmp(h, k, strlen(k)) != 0 ||
			      h[strlen(k)] != '\n',
			      "counter %s has no HELP text of its own "
			      "(src/phx_fmt.c counter_help[])", k);
	}
	free(out);
	free(pst);
	json_decref(ps);
}
END_TEST

START_TEST(test_metrics_exact)
{
	/* Label values escaped: backslash, double quote, newline; an
	 * unknown counter is described by its name; '/' (allowed in
	 * telemetry keys) becomes '_' in a metric name. */
	const char *ps[] = {
		"{'scope':'all','workers':1,'sessions':0,'sessions_max':1024,"
		"'policy_generation':1,'counters':{'rx_pkts':5,'x/y':1},"
		"'drops':{'no_route':2}}",
	};
	char err[256], *out;

	ck_assert_msg(metrics("{'name':'fw \\\"a\\\"\\\\b\\nc'}", ps, 1,
			      false,
			      "{'p\\\"1':{'rx_pkts':1,'rx_bytes':2,'tx_pkts':3,"
			      "'tx_bytes':4,'rx_missed':5,'rx_errors':6,"
			      "'tx_errors':7,'rx_nombuf':8,'link':'up'}}",
			      "{'generation':1,'name':['r\\\\1'],'hits':[9]}",
			      &out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(prom_check(out) == NULL, "%s", prom_check(out));
#define M "member=\"fw \\\"a\\\"\\\\b\\nc\""
	ck_assert_str_eq(out,
		"# HELP phalanx_policy_generation Generation of the running "
		"policy (1 at start, +1 per successful reload)\n"
		"# TYPE phalanx_policy_generation gauge\n"
		"phalanx_policy_generation{" M "} 1\n"
		"# HELP phalanx_sessions Live sessions\n"
		"# TYPE phalanx_sessions gauge\n"
		"phalanx_sessions{" M "} 0\n"
		"# HELP phalanx_sessions_max Session table capacity\n"
		"# TYPE phalanx_sessions_max gauge\n"
		"phalanx_sessions_max{" M "} 1024\n"
		"# HELP phalanx_rx_pkts_total Frames received from the ports\n"
		"# TYPE phalanx_rx_pkts_total counter\n"
		"phalanx_rx_pkts_total{" M "} 5\n"
		"# HELP phalanx_x_y_total x/y\n"
		"# TYPE phalanx_x_y_total counter\n"
		"phalanx_x_y_total{" M "} 1\n"
		"# HELP phalanx_drops_total Packets dropped, by reason "
		"(docs/counters.md)\n"
		"# TYPE phalanx_drops_total counter\n"
		"phalanx_drops_total{" M ",reason=\"no_route\"} 2\n"
		"# HELP phalanx_port_rx_packets_total Packets the port received "
		"(NIC counter; a VLAN sub-interface: its own, also in its "
		"parent's)\n"
		"# TYPE phalanx_port_rx_packets_total counter\n"
		"phalanx_port_rx_packets_total{" M ",port=\"p\\\"1\"} 1\n"
		"# HELP phalanx_port_rx_bytes_total Bytes the port received "
		"(NIC counter; a VLAN sub-interface: its own, also in its "
		"parent's)\n"
		"# TYPE phalanx_port_rx_bytes_total counter\n"
		"phalanx_port_rx_bytes_total{" M ",port=\"p\\\"1\"} 2\n"
		"# HELP phalanx_port_tx_packets_total Packets the port sent "
		"(NIC counter; a VLAN sub-interface: its own, also in its "
		"parent's)\n"
		"# TYPE phalanx_port_tx_packets_total counter\n"
		"phalanx_port_tx_packets_total{" M ",port=\"p\\\"1\"} 3\n"
		"# HELP phalanx_port_tx_bytes_total Bytes the port sent "
		"(NIC counter; a VLAN sub-interface: its own, also in its "
		"parent's)\n"
		"# TYPE phalanx_port_tx_bytes_total counter\n"
		"phalanx_port_tx_bytes_total{" M ",port=\"p\\\"1\"} 4\n"
		"# HELP phalanx_port_rx_missed_total Packets the NIC dropped "
		"because the RX queues were full\n"
		"# TYPE phalanx_port_rx_missed_total counter\n"
		"phalanx_port_rx_missed_total{" M ",port=\"p\\\"1\"} 5\n"
		"# HELP phalanx_port_rx_errors_total Erroneous packets the port "
		"received\n"
		"# TYPE phalanx_port_rx_errors_total counter\n"
		"phalanx_port_rx_errors_total{" M ",port=\"p\\\"1\"} 6\n"
		"# HELP phalanx_port_tx_errors_total Packets the port failed "
		"to send\n"
		"# TYPE phalanx_port_tx_errors_total counter\n"
		"phalanx_port_tx_errors_total{" M ",port=\"p\\\"1\"} 7\n"
		"# HELP phalanx_port_rx_nombuf_total RX mbuf allocation "
		"failures\n"
		"# TYPE phalanx_port_rx_nombuf_total counter\n"
		"phalanx_port_rx_nombuf_total{" M ",port=\"p\\\"1\"} 8\n"
		"# HELP phalanx_port_up 1 when the port's link is up\n"
		"# TYPE phalanx_port_up gauge\n"
		"phalanx_port_up{" M ",port=\"p\\\"1\"} 1\n"
		"# HELP phalanx_rule_hits_total New flows whose first packet "
		"matched the rule; starts over when a policy is loaded\n"
		"# TYPE phalanx_rule_hits_total counter\n"
		"phalanx_rule_hits_total{" M ",rule=\"r\\\\1\"} 9\n");
#undef M
	free(out);
}
END_TEST

START_TEST(test_metrics_per_worker)
{
	const char *ps[] = {
		"{'scope':'worker0','workers':2,'sessions':2,"
		"'sessions_max':1024,'policy_generation':5,"
		"'counters':{'rx_pkts':10,'sess_created':2},"
		"'drops':{'no_route':1}}",
		"{'scope':'worker1','workers':2,'sessions':1,"
		"'sessions_max':1024,'policy_generation':5,"
		"'counters':{'rx_pkts':20,'sess_created':1},"
		"'drops':{'no_route':0}}",
		"{'scope':'ctl','workers':2,'sessions':0,"
		"'sessions_max':1024,'policy_generation':5,"
		"'counters':{'rx_pkts':0,'arp_requests_rx':4},"
		"'drops':{'no_route':0}}",
	};
	char err[256], *out;
	const char *why;

	ck_assert_msg(metrics(version_fixture, ps, 3, true, "{}",
			      "{'generation':5,'name':[],'hits':[]}", &out,
			      err, sizeof(err)) == 0, "%s", err);
	why = prom_check(out);
	ck_assert_msg(why == NULL, "%s in:\n%s", why, out);
	/* One generation for the member; sessions for workers only; every
	 * counter once, its samples together, ctl's own counters too. No
	 * ports or rules: no families for them. */
	ck_assert_str_eq(out,
		"# HELP phalanx_policy_generation Generation of the running "
		"policy (1 at start, +1 per successful reload)\n"
		"# TYPE phalanx_policy_generation gauge\n"
		"phalanx_policy_generation{member=\"lab-fw1\"} 5\n"
		"# HELP phalanx_sessions Live sessions\n"
		"# TYPE phalanx_sessions gauge\n"
		"phalanx_sessions{member=\"lab-fw1\",worker=\"0\"} 2\n"
		"phalanx_sessions{member=\"lab-fw1\",worker=\"1\"} 1\n"
		"# HELP phalanx_sessions_max Session table capacity\n"
		"# TYPE phalanx_sessions_max gauge\n"
		"phalanx_sessions_max{member=\"lab-fw1\",worker=\"0\"} 1024\n"
		"phalanx_sessions_max{member=\"lab-fw1\",worker=\"1\"} 1024\n"
		"# HELP phalanx_rx_pkts_total Frames received from the ports\n"
		"# TYPE phalanx_rx_pkts_total counter\n"
		"phalanx_rx_pkts_total{member=\"lab-fw1\",worker=\"0\"} 10\n"
		"phalanx_rx_pkts_total{member=\"lab-fw1\",worker=\"1\"} 20\n"
		"phalanx_rx_pkts_total{member=\"lab-fw1\",worker=\"ctl\"} 0\n"
		"# HELP phalanx_sess_created_total Sessions created by a rule\n"
		"# TYPE phalanx_sess_created_total counter\n"
		"phalanx_sess_created_total{member=\"lab-fw1\",worker=\"0\"} 2\n"
		"phalanx_sess_created_total{member=\"lab-fw1\",worker=\"1\"} 1\n"
		"# HELP phalanx_arp_requests_rx_total ARP requests received\n"
		"# TYPE phalanx_arp_requests_rx_total counter\n"
		"phalanx_arp_requests_rx_total{member=\"lab-fw1\","
		"worker=\"ctl\"} 4\n"
		"# HELP phalanx_drops_total Packets dropped, by reason "
		"(docs/counters.md)\n"
		"# TYPE phalanx_drops_total counter\n"
		"phalanx_drops_total{member=\"lab-fw1\",worker=\"0\","
		"reason=\"no_route\"} 1\n"
		"phalanx_drops_total{member=\"lab-fw1\",worker=\"1\","
		"reason=\"no_route\"} 0\n"
		"phalanx_drops_total{member=\"lab-fw1\",worker=\"ctl\","
		"reason=\"no_route\"} 0\n");
	free(out);
}
END_TEST

START_TEST(test_metrics_no_gauges)
{
	/* An older member: no gauge families at all, still valid. */
	const char *ps[] = {
		"{'scope':'all','workers':1,'counters':{'rx_pkts':1},"
		"'drops':{}}",
	};
	char err[256], *out;

	ck_assert_int_eq(metrics(version_fixture, ps, 1, false, "{}",
				 "{'generation':1,'name':[],'hits':[]}", &out,
				 err, sizeof(err)), 0);
	ck_assert_str_eq(out,
		"# HELP phalanx_rx_pkts_total Frames received from the ports\n"
		"# TYPE phalanx_rx_pkts_total counter\n"
		"phalanx_rx_pkts_total{member=\"lab-fw1\"} 1\n");
	free(out);
}
END_TEST

static const struct {
	const char *version;
	const char *pstat[2];
	size_t n_pstat;
	bool per_worker;
	const char *ports;
	const char *rules;
	const char *err;
} metrics_bad[] = {
	{ "{'pid':1}", { "{'scope':'all','workers':1,'counters':{},"
	  "'drops':{}}" }, 1, false, "{}", "{'generation':1,'name':[],"
	  "'hits':[]}", "\"name\" is missing" },
	/* A counter cannot take a name phx uses, nor share one. */
	{ "{'name':'m'}", { "{'scope':'all','workers':1,"
	  "'counters':{'drops':1},'drops':{}}" }, 1, false, "{}",
	  "{'generation':1,'name':[],'hits':[]}",
	  "counter \"drops\" would be phalanx_drops_total, which phx uses "
	  "already" },
	{ "{'name':'m'}", { "{'scope':'all','workers':1,"
	  "'counters':{'a_b':1,'a/b':2},'drops':{}}" }, 1, false, "{}",
	  "{'generation':1,'name':[],'hits':[]}",
	  "counters \"a_b\" and \"a/b\" would both be phalanx_a_b_total" },
	{ "{'name':'m'}", { "{'scope':'all','workers':1,"
	  "'counters':{'rx_pkts':-1},'drops':{}}" }, 1, false, "{}",
	  "{'generation':1,'name':[],'hits':[]}",
	  "\"counters.rx_pkts\" is not a non-negative integer" },
	{ "{'name':'m'}", { "{'scope':'all','workers':1,'counters':{},"
	  "'drops':{}}" }, 1, true, "{}",
	  "{'generation':1,'name':[],'hits':[]}",
	  "scope \"all\" is neither a worker nor ctl" },
	{ "{'name':'m'}", { "{'scope':'worker0','workers':1,'counters':{},"
	  "'drops':{}}", "{'scope':'worker0','workers':1,'counters':{},"
	  "'drops':{}}" }, 2, true, "{}",
	  "{'generation':1,'name':[],'hits':[]}",
	  "two answers for worker \"0\"" },
	{ "{'name':'m'}", { "{'scope':'all','workers':1,'counters':{},"
	  "'drops':{}}" }, 1, false, "{'in0':{'rx_pkts':1}}",
	  "{'generation':1,'name':[],'hits':[]}", "\"in0.rx_bytes\" is missing" },
	{ "{'name':'m'}", { "{'scope':'all','workers':1,'counters':{},"
	  "'drops':{}}" }, 1, false, "{}",
	  "{'generation':1,'name':['a','a'],'hits':[1,2]}",
	  "rule \"a\" is listed twice" },
	{ "{'name':'m'}", { "{'scope':'all','workers':1,'counters':{},"
	  "'drops':{}}" }, 1, false, "null",
	  "{'generation':1,'name':[],'hits':[]}", "the answer is null" },
};

START_TEST(test_metrics_malformed)
{
	char err[256], *out;

	ck_assert_int_eq(metrics(metrics_bad[_i].version, metrics_bad[_i].pstat,
				 metrics_bad[_i].n_pstat,
				 metrics_bad[_i].per_worker,
				 metrics_bad[_i].ports, metrics_bad[_i].rules,
				 &out, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, metrics_bad[_i].err);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

/* ---- cluster ---- */

/* A clustered member's /phalanx/cluster; %s spots take overrides. */
#define CLUSTER_FIXTURE(extra)						\
	"{'enabled':1,'cluster_id':1,'member':1,'mode':'ha',"		\
	"'recovery':'active-up','transport':'multicast','hello_ms':5,"	\
	"'dead_count':4,'state':'ACTIVE','state_display':'Active',"	\
	"'forwarding':1,'admin':'up',"					\
	"'reason':'member 1 (10.0.0.1) is active (confirmed by all)',"	\
	"'transitions':3,'since_change_s':'12.5','ifs_up':3,"		\
	"'ifs_required':3,'sec_up':1,'sec_required':1,'pnote':'OK',"	\
	"'pnote_culprit':'','cfg_gen':4,"				\
	"'cfg_digest':'0123456789abcdef0123456789abcdef0123456789abcdef"	\
	"0123456789abcdef','joining':0" extra "}"

#define MEMBER_FIXTURE(id, prio, ip, local, st, disp, heard, stale, ghost) \
	"{'id':" #id ",'prio':" #prio ",'ip':'" ip "','local':" #local	\
	",'state':'" st "','state_display':'" disp "','heard_ms':"	\
	#heard ",'ifs_up':3,'ifs_required':3,'pnote':'OK','cfg_gen':4,"	\
	"'cfg_digest':'0123456789abcdef','cfg_stale':" #stale		\
	",'ghost':" #ghost "}"

/* Render phx state from two fixtures; returns rc, *out the text. */
static int
state(const char *cluster, const char *members, char **out, char *err,
      size_t errlen)
{
	json_t *cl = load(cluster), *mb = load(members);
	struct capture c;
	int rc;

	err[0] = '\0';
	rc = phx_fmt_state(cap_open(&c), cl, mb, err, errlen);
	*out = cap_close(&c);
	json_decref(cl);
	json_decref(mb);
	return rc;
}

START_TEST(test_cluster_enabled)
{
	char err[256];
	json_t *j;

	j = load("{'enabled':0}");
	ck_assert_int_eq(phx_fmt_cluster_enabled(j, err, sizeof(err)), 0);
	json_decref(j);
	j = load(CLUSTER_FIXTURE(""));
	ck_assert_int_eq(phx_fmt_cluster_enabled(j, err, sizeof(err)), 1);
	json_decref(j);
	j = load("{'enabled':2}");
	ck_assert_int_eq(phx_fmt_cluster_enabled(j, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "\"enabled\" is not 0 or 1");
	json_decref(j);
	ck_assert_int_eq(phx_fmt_cluster_enabled(NULL, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "the answer is null");
}
END_TEST

START_TEST(test_state_two_members)
{
	char err[256], *out;

	ck_assert_msg(state(CLUSTER_FIXTURE(""), "["
		MEMBER_FIXTURE(1, 1, "10.0.0.1", 1, "ACTIVE", "Active", 0, 0, 0)
		"," MEMBER_FIXTURE(2, 2, "10.0.0.2", 0, "STANDBY", "Standby",
				   3, 0, 0) "]", &out, err, sizeof(err)) == 0,
		"%s", err);
	ck_assert_str_eq(out,
		"Cluster mode:   High Availability New Mode (Active Up)\n"
		"\n"
		"Number     Unique Address  Assigned Load  State    Last heard\n"
		"1 (local)  10.0.0.1        100%           Active   -\n"
		"2          10.0.0.2        0%             Standby  3 ms ago\n"
		"\n"
		"Local member:      member 1 (10.0.0.1) is active (confirmed "
		"by all)\n"
		"Last change:       12.5 sec ago, 3 transitions\n"
		"Critical devices:  OK\n"
		"Interfaces:        3 of 3 up, secured 1 of 1 up\n"
		"Configuration:     generation 4 digest 0123456789abcdef\n");
	free(out);
}
END_TEST

/* A member with its platform (optional keys): the local one's values
 * next to each peer's differences. */
#define MEMBER_PLAT(id, prio, local, st, disp, wk, ver, sv, mtu, differs) \
	"{'id':" #id ",'prio':" #prio ",'ip':'10.0.0." #id "','local':"	\
	#local ",'state':'" st "','state_display':'" disp "','heard_ms':" \
	"5,'ifs_up':3,'ifs_required':3,'pnote':'OK','cfg_gen':4,"	\
	"'cfg_digest':'0123456789abcdef','cfg_stale':0,'ghost':0,"	\
	"'workers':" #wk ",'version':'" ver "','sync_version':" #sv	\
	",'sync_mtu':" #mtu ",'differs':'" differs "'}"

START_TEST(test_state_platform)
{
	char err[256], *out;

	ck_assert_msg(state(CLUSTER_FIXTURE(""), "["
		MEMBER_PLAT(1, 1, 1, "ACTIVE", "Active", 1, "0.1.0", 1, 1500,
			    "") ","
		MEMBER_PLAT(2, 2, 0, "DOWN", "Down", 2, "0.2.0", 2, 1400,
			    "version,sync_version,sync_mtu,more_workers") ","
		MEMBER_PLAT(3, 3, 0, "STANDBY", "Standby", -1, "", -1, -1,
			    "") "]", &out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(strstr(out,
		"Configuration:     generation 4 digest 0123456789abcdef\n"
		"Warning: member 2 runs phalanx 0.2.0, this member 0.1.0\n"
		"Warning: member 2 speaks sync version 2, this member 1: no "
		"state sync between them\n"
		"Warning: member 2's sync port MTU is 1400, this member's 1500: "
		"it must be the same on every member\n"
		"Warning: member 2 runs 2 workers, this member 1: member 2 is "
		"Down while this member is up\n") != NULL, "%s", out);
	ck_assert_ptr_null(strstr(out, "member 3 runs"));
	free(out);

	/* a peer lost or stopped: no longer compared with */
	ck_assert_msg(state(CLUSTER_FIXTURE(""), "["
		MEMBER_PLAT(1, 1, 1, "ACTIVE", "Active", 1, "0.1.0", 1, 1500,
			    "") ","
		MEMBER_PLAT(2, 2, 0, "LOST", "Lost", 2, "0.2.0", 1, 1500,
			    "version,more_workers") ","
		MEMBER_PLAT(3, 3, 0, "STOPPED", "Stopped", 2, "0.2.0", 1, 1500,
			    "version,more_workers") "]", &out, err,
		sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_null(strstr(out, "Warning"));
	free(out);

	/* The other way round, from member 2: one worker fewer. */
	ck_assert_msg(state(CLUSTER_FIXTURE(""), "["
		MEMBER_PLAT(1, 1, 0, "ACTIVE", "Active", 1, "0.1.0", 1, 1500,
			    "fewer_workers") ","
		MEMBER_PLAT(2, 2, 1, "DOWN", "Down", 2, "0.1.0", 1, 1500, "")
		"]", &out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(strstr(out, "\nWarning: member 1 runs 1 worker, this "
		"member 2: this member is Down while member 1 is up\n") != NULL,
		"%s", out);
	ck_assert_ptr_null(strstr(out, "phalanx 0.1.0"));
	free(out);

	/* A platform key of the wrong type is an error, as any other. */
	ck_assert_int_eq(state(CLUSTER_FIXTURE(""), "["
		MEMBER_PLAT(1, 1, 1, "ACTIVE", "Active", 'x', "0.1.0", 1, 1500,
			    "") "]", &out, err, sizeof(err)), -EINVAL);
	free(out);
}
END_TEST

START_TEST(test_state_problems)
{
	/* The standby's view: the active peer's load; a peer never heard;
	 * IDs that differ from the numbers get a column; every optional
	 * line and warning. Integers and reals for the seconds too. */
	char err[256], *out;

	ck_assert_msg(state(
		"{'enabled':1,'cluster_id':7,'member':5,'mode':'ha',"
		"'recovery':'primary-up','transport':'broadcast','hello_ms':100,"
		"'dead_count':3,'state':'DOWN','state_display':'Down',"
		"'forwarding':0,'admin':'down','reason':'',"
		"'transitions':1,'since_change_s':2.25,'ifs_up':2,"
		"'ifs_required':3,'sec_up':0,'sec_required':1,"
		"'pnote':'problem','pnote_culprit':'faildevice','cfg_gen':2,"
		"'cfg_digest':'abc','joining':1}", "["
		MEMBER_FIXTURE(9, 1, "10.0.0.9", 0, "ACTIVE_ATTENTION",
			       "Active Attention", 1234, 0, 0) ","
		MEMBER_FIXTURE(5, 2, "10.0.0.5", 1, "DOWN", "Down", 0, 1, 0)
		"," MEMBER_FIXTURE(6, 3, "", 0, "LOST", "Lost", -1, 0, 1) "]",
		&out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(out,
		"Cluster mode:   High Availability New Mode (Primary Up)\n"
		"\n"
		"Number     ID  Unique Address  Assigned Load  State           "
		"  Last heard\n"
		"1          9   10.0.0.9        100%           Active Attention"
		"  1.2 sec ago\n"
		"2 (local)  5   10.0.0.5        0%             Down            "
		"  -\n"
		"3          6   -               0%             Lost            "
		"  never\n"
		"\n"
		"Local member:      -\n"
		"Last change:       2.2 sec ago, 1 transition\n"
		"Critical devices:  problem (faildevice)\n"
		"Interfaces:        2 of 3 up, secured 0 of 1 up\n"
		"Configuration:     generation 2 digest abc\n"
		"Administrative:    down\n"
		"Joining:           yes\n"
		"Warning: member 5 runs a different configuration: it will not "
		"become active\n"
		"Warning: member 6 is not heard and may still be active\n");
	free(out);
}
END_TEST

START_TEST(test_state_dict_rows)
{
	/* As DPDK 22.11 sends a table: a dict of rows, durations in ms. */
	char err[256], *out;

	ck_assert_msg(state(CLUSTER_FIXTURE(",'since_change_ms':61250"),
		"{'m2':" MEMBER_FIXTURE(2, 1, "10.0.0.2", 0, "STANDBY",
					"Standby", 20, 0, 0)
		",'m1':" MEMBER_FIXTURE(1, 2, "10.0.0.1", 1, "ACTIVE",
					"Active", 0, 0, 0) "}",
		&out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(out,
		"Cluster mode:   High Availability New Mode (Active Up)\n"
		"\n"
		"Number     ID  Unique Address  Assigned Load  State    "
		"Last heard\n"
		"1          2   10.0.0.2        0%             Standby  "
		"20 ms ago\n"
		"2 (local)  1   10.0.0.1        100%           Active   -\n"
		"\n"
		"Local member:      member 1 (10.0.0.1) is active (confirmed "
		"by all)\n"
		"Last change:       61.2 sec ago, 3 transitions\n"
		"Critical devices:  OK\n"
		"Interfaces:        3 of 3 up, secured 1 of 1 up\n"
		"Configuration:     generation 4 digest 0123456789abcdef\n");
	free(out);
}
END_TEST

static const struct {
	const char *cluster;
	const char *members;
	const char *err;
} state_bad[] = {
	{ "{'enabled':0}", "[]", "the member is not in a cluster" },
	{ "null", "[]", "the answer is null" },
	{ "{'enabled':1}", "[]", "\"mode\" is missing" },
	{ CLUSTER_FIXTURE(",'since_change_s':'x'"), "[]",
	  "\"since_change_s\" is not a number of seconds" },
	{ CLUSTER_FIXTURE(",'since_change_s':'-1'"), "[]",
	  "\"since_change_s\" is not a number of seconds" },
	{ CLUSTER_FIXTURE(",'forwarding':2"), "[]",
	  "\"forwarding\" is not 0 or 1" },
	{ CLUSTER_FIXTURE(",'transitions':-1"), "[]",
	  "\"transitions\" is not an integer of at least 0" },
	{ CLUSTER_FIXTURE(",'since_change_ms':'5'"), "[]",
	  "\"since_change_ms\" is not a non-negative integer" },
	{ "{'enabled':1,'mode':'ha','recovery':'active-up',"
	  "'transport':'multicast','state':'ACTIVE','state_display':'Active',"
	  "'admin':'up','reason':'','pnote':'OK','pnote_culprit':'',"
	  "'cfg_digest':'','cluster_id':1,'member':1,'hello_ms':5,"
	  "'dead_count':4,'transitions':0,'ifs_up':1,'ifs_required':1,"
	  "'sec_up':1,'sec_required':1,'cfg_gen':1,'forwarding':1,"
	  "'joining':0}", "[]", "\"since_change_s\" is missing" },
	{ CLUSTER_FIXTURE(""), "3",
	  "the answer is neither an array nor an object" },
	{ CLUSTER_FIXTURE(""), "[1]", "\"[0]\" is not an object" },
	{ CLUSTER_FIXTURE(""), "{'m1':{'id':1},'m2':[]}",
	  "\"m1.prio\" is missing" },
	{ CLUSTER_FIXTURE(""), "{'m1':" MEMBER_FIXTURE(1, 1, "a", 1, "ACTIVE",
		"Active", 0, 0, 0) ",'m2':[]}", "\"m2\" is not an object" },
	{ CLUSTER_FIXTURE(""), "[" MEMBER_FIXTURE(1, 1, "a", 1, "ACTIVE",
		"Active", -2, 0, 0) "]",
	  "\"[0].heard_ms\" is not an integer of at least -1" },
	{ CLUSTER_FIXTURE(""), "[{'id':1}]", "\"[0].prio\" is missing" },
};

START_TEST(test_state_malformed)
{
	char err[256], *out;

	ck_assert_int_eq(state(state_bad[_i].cluster, state_bad[_i].members,
			       &out, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, state_bad[_i].err);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

static const char cif_fixture[] =
	"[{'port':'in0','ip':'10.1.0.11','secured':0,'up':1,"
	"'since_s':'100.0','cast':'multicast','vips':'10.1.0.1/24'},"
	"{'port':'out0','ip':'10.2.0.11','secured':0,'up':1,'since_s':100,"
	"'cast':'multicast','vips':'10.2.0.1/24,10.2.0.2/24'},"
	"{'port':'sync0','ip':'','secured':1,'up':0,'since_s':'4810.25',"
	"'cast':'broadcast','vips':''}]";

static int
cluster_if(const char *cluster, const char *ifs, bool vips, char **out,
	   char *err, size_t errlen)
{
	json_t *cl = load(cluster), *j = load(ifs);
	struct capture c;
	int rc;

	err[0] = '\0';
	rc = phx_fmt_cluster_if(cap_open(&c), cl, j, vips, err, errlen);
	*out = cap_close(&c);
	json_decref(cl);
	json_decref(j);
	return rc;
}

START_TEST(test_cluster_if)
{
#define CIF_LINES							\
		"Required interfaces: 3\n"				\
		"Required secured interfaces: 1\n"			\
		"in0    UP                  (non secured, unique, multicast)\n" \
		"out0   UP                  (non secured, unique, multicast)\n" \
		"sync0  DOWN (4810.2 secs)  (secured, non unique, broadcast)\n"
	char err[256], *out;

	ck_assert_msg(cluster_if(CLUSTER_FIXTURE(""), cif_fixture, false,
				 &out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(out, CIF_LINES);
	free(out);
	ck_assert_msg(cluster_if(CLUSTER_FIXTURE(""), cif_fixture, true,
				 &out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(out, CIF_LINES
		"Virtual cluster interfaces: 3\n"
		"in0    10.1.0.1\n"
		"out0   10.2.0.1\n"
		"out0   10.2.0.2\n");
#undef CIF_LINES
	free(out);
	ck_assert_msg(cluster_if(CLUSTER_FIXTURE(""), "[]", true, &out, err,
				 sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(out, "Required interfaces: 3\n"
			 "Required secured interfaces: 1\n"
			 "Virtual cluster interfaces: 0\n");
	free(out);
	ck_assert_msg(cluster_if(CLUSTER_FIXTURE(""),
		"{'if0':{'port':'sync0','ip':'10.0.0.1','secured':1,'up':0,"
		"'since_ms':4810250,'cast':'broadcast','vips':''}}", false,
		&out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(out, "Required interfaces: 3\n"
			 "Required secured interfaces: 1\n"
			 "sync0  DOWN (4810.2 secs)  (secured, unique, "
			 "broadcast)\n");
	free(out);
	ck_assert_int_eq(cluster_if(CLUSTER_FIXTURE(""), "[{'port':'in0'}]",
				    true, &out, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "\"[0].ip\" is missing");
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(cluster_if("{'enabled':0}", "[]", true, &out, err,
				    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "the member is not in a cluster");
	free(out);
}
END_TEST

START_TEST(test_pnotes)
{
	char err[256], *out;
	json_t *j = load(
		"[{'name':'Interface Active Check','regno':-1,'builtin':1,"
		"'persistent':0,'timeout_s':0,'state':'OK','since_report_s':0},"
		"{'name':'Synchronization','regno':0,'builtin':1,"
		"'persistent':0,'timeout_s':0,'state':'OK',"
		"'since_report_s':'15998.4'},"
		"{'name':'fwd','regno':3,'builtin':0,'persistent':1,"
		"'timeout_s':2,'state':'problem','since_report_s':4.5}]");
	struct capture c;

	ck_assert_msg(phx_fmt_pnotes(cap_open(&c), j, err, sizeof(err)) == 0,
		      "%s", err);
	out = cap_close(&c);
	ck_assert_str_eq(out,
		"Built-in Devices:\n"
		"\n"
		"Device Name: Interface Active Check\n"
		"Current state: OK\n"
		"\n"
		"Registered Devices:\n"
		"\n"
		"Device Name: Synchronization\n"
		"Registration number: 0\n"
		"Timeout: none\n"
		"Current state: OK\n"
		"Time since last report: 15998.4 sec\n"
		"\n"
		"Device Name: fwd\n"
		"Registration number: 3\n"
		"Timeout: 2 sec\n"
		"Persistent: yes\n"
		"Current state: problem\n"
		"Time since last report: 4.5 sec\n");
	free(out);
	json_decref(j);

	j = load("{'d0':{'name':'Interface Active Check','regno':-1,"
		 "'builtin':1,'persistent':0,'timeout_s':0,'state':'OK',"
		 "'since_report_ms':0},'d1':{'name':'Filter','regno':1,"
		 "'builtin':1,'persistent':0,'timeout_s':0,'state':'init',"
		 "'since_report_ms':1500}}");
	ck_assert_int_eq(phx_fmt_pnotes(cap_open(&c), j, err, sizeof(err)),
			 0);
	out = cap_close(&c);
	ck_assert_str_eq(out,
		"Built-in Devices:\n"
		"\n"
		"Device Name: Interface Active Check\n"
		"Current state: OK\n"
		"\n"
		"Registered Devices:\n"
		"\n"
		"Device Name: Filter\n"
		"Registration number: 1\n"
		"Timeout: none\n"
		"Current state: init\n"
		"Time since last report: 1.5 sec\n");
	free(out);
	json_decref(j);

	j = load("[]");
	ck_assert_int_eq(phx_fmt_pnotes(cap_open(&c), j, err, sizeof(err)),
			 0);
	out = cap_close(&c);
	ck_assert_str_eq(out, "Built-in Devices:\n\n(none)\n\n"
			 "Registered Devices:\n\n(none)\n");
	free(out);
	json_decref(j);

	j = load("[{'name':'x','regno':-2}]");
	ck_assert_int_eq(phx_fmt_pnotes(cap_open(&c), j, err, sizeof(err)),
			 -EINVAL);
	out = cap_close(&c);
	ck_assert_str_eq(err, "\"[0].regno\" is not an integer of at least "
			 "-1");
	ck_assert_str_eq(out, "");
	free(out);
	json_decref(j);
}
END_TEST

START_TEST(test_ccpstat)
{
	char err[256], *out;
	json_t *j = load("{'tx_frames':2400,'tx_heartbeats':2398,"
			 "'rx_frames':4800,'rx_heartbeats':4795,"
			 "'drop_too_short':0,'drop_from_self':12,"
			 "'new_counter':1}");
	struct capture c;

	ck_assert_msg(phx_fmt_ccpstat(cap_open(&c), j, err, sizeof(err)) == 0,
		      "%s", err);
	out = cap_close(&c);
	ck_assert_str_eq(out,
		"tx_frames       2400\n"
		"tx_heartbeats   2398\n"
		"\n"
		"rx_frames       4800\n"
		"rx_heartbeats   4795\n"
		"\n"
		"drop_too_short     0\n"
		"drop_from_self    12\n"
		"\n"
		"new_counter        1\n");
	free(out);
	json_decref(j);

	j = load("{'tx_frames':-1}");
	ck_assert_int_eq(phx_fmt_ccpstat(cap_open(&c), j, err, sizeof(err)),
			 -EINVAL);
	out = cap_close(&c);
	ck_assert_str_eq(err, "\"tx_frames\" is not a non-negative integer");
	ck_assert_str_eq(out, "");
	free(out);
	json_decref(j);
}
END_TEST

START_TEST(test_action_result)
{
	const char *msg;
	char err[256];
	bool ok;
	json_t *j = load("{'ok':0,'message':'cluster is not configured'}");

	ck_assert_int_eq(phx_fmt_action_result(j, &ok, &msg, err,
					       sizeof(err)), 0);
	ck_assert(!ok);
	ck_assert_str_eq(msg, "cluster is not configured");
	json_decref(j);
	j = load("{'ok':1,'message':''}");
	ck_assert_int_eq(phx_fmt_action_result(j, &ok, &msg, err,
					       sizeof(err)), 0);
	ck_assert(ok);
	json_decref(j);
	j = load("{'ok':1}");
	ck_assert_int_eq(phx_fmt_action_result(j, &ok, &msg, err,
					       sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "\"message\" is missing");
	json_decref(j);
}
END_TEST

START_TEST(test_pnote_args)
{
	const char *word;
	uint32_t t;
	char err[256];

	ck_assert_int_eq(phx_fmt_pnote_name("a", err, sizeof(err)), 0);
	ck_assert_int_eq(phx_fmt_pnote_name("123456789012345", err,
					    sizeof(err)), 0);
	ck_assert_int_eq(phx_fmt_pnote_name("a,b;c!~", err, sizeof(err)), 0);
	ck_assert_int_eq(phx_fmt_pnote_name("1234567890123456", err,
					    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'1234567890123456' is not a device name (1 to "
			 "15 printable characters, no spaces)");
	ck_assert_int_eq(phx_fmt_pnote_name("", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(phx_fmt_pnote_name("a b", err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(phx_fmt_pnote_name("a\tb", err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "'a?b' is not a device name (1 to 15 printable "
			 "characters, no spaces)");
	ck_assert_int_eq(phx_fmt_pnote_name("\xc3\xa9", err, sizeof(err)),
			 -EINVAL);

	ck_assert_int_eq(phx_fmt_pnote_timeout("0", &t, err, sizeof(err)), 0);
	ck_assert_uint_eq(t, 0);
	ck_assert_int_eq(phx_fmt_pnote_timeout("4294967295", &t, err,
					       sizeof(err)), 0);
	ck_assert_uint_eq(t, UINT32_MAX);
	ck_assert_int_eq(phx_fmt_pnote_timeout("4294967296", &t, err,
					       sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'4294967296' is not a timeout (whole seconds, "
			 "0 .. 4294967295; 0: none)");
	ck_assert_int_eq(phx_fmt_pnote_timeout("-1", &t, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(phx_fmt_pnote_timeout("1.5", &t, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(phx_fmt_pnote_timeout("", &t, err, sizeof(err)),
			 -EINVAL);

	ck_assert_int_eq(phx_fmt_pnote_status("PROBLEM", &word, err,
					      sizeof(err)), 0);
	ck_assert_str_eq(word, "problem");
	ck_assert_int_eq(phx_fmt_pnote_status("Init", &word, err,
					      sizeof(err)), 0);
	ck_assert_str_eq(word, "init");
	ck_assert_int_eq(phx_fmt_pnote_status("down", &word, err,
					      sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'down' is not a status (ok, init or problem)");
}
END_TEST

/* phx_fmt_pnote_file with a request buffer of reqlen bytes. */
static int
pnote_file(const char *text, bool persistent, size_t reqlen, char *req,
	   char *err, size_t errlen)
{
	err[0] = '\0';
	return phx_fmt_pnote_file(text, strlen(text), persistent, req, reqlen,
				  err, errlen);
}

START_TEST(test_pnote_file)
{
	char req[1024], err[256], big[2048];
	size_t pos = 0;
	int i;

	/* Device lines only, words joined by one space. */
	ck_assert_int_eq(pnote_file("# header\ndev1 5 ok\n  # a comment; "
				    "with ';'\n\n\tdev2\t0  INIT \r\n",
				    false, sizeof(req), req, err, sizeof(err)),
			 2);
	ck_assert_str_eq(req, "/phalanx/cluster/pnote,regfile dev1 5 ok;"
			 "dev2 0 INIT");
	ck_assert_int_eq(pnote_file("dev1 0 problem", true, sizeof(req), req,
				    err, sizeof(err)), 1);
	ck_assert_str_eq(req, "/phalanx/cluster/pnote,regfilep dev1 0 "
			 "problem");

	/* lib/pnote's own messages. */
	ck_assert_int_eq(pnote_file("# x\ndev1 5\n", false, sizeof(req), req,
				    err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "line 2: expected <device> <timeout> <status>");
	ck_assert_str_eq(req, "");
	ck_assert_int_eq(pnote_file("a 0 ok\nb 0 ok\na 1 init\n", false,
				    sizeof(req), req, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "FW-1: fwha_pnote_register: a already "
			 "registered (# 3)");
	ck_assert_int_eq(pnote_file("Filter 0 ok\n", false, sizeof(req), req,
				    err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "FW-1: fwha_pnote_register: Filter already "
			 "registered (# 1)");
	for (i = 0; i < 17; i++)
		pos += (size_t)snprintf(big + pos, sizeof(big) - pos,
					"d%d 0 ok\n", i);
	ck_assert_int_eq(pnote_file(big, false, sizeof(req), req, err,
				    sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "FW-1: fwha_pnote_register: too many "
			 "registering members, cannot register");

	/* What phx refuses itself. */
	ck_assert_int_eq(pnote_file("a 0 ok\n\na;b 0 ok\n", false,
				    sizeof(req), req, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "line 3: ';' cannot be sent to the member (it "
			 "separates the lines)");
	ck_assert_int_eq(pnote_file("\n# nothing\n", false, sizeof(req), req,
				    err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "no device in the file (one \"<device> "
			 "<timeout> <status>\" a line)");
	ck_assert_int_eq(phx_fmt_pnote_file("a 0 ok\0", 7, false, req,
					    sizeof(req), err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "not a text file (it holds a NUL byte)");
	/* 16 devices fit a request; a small limit does not. */
	for (pos = 0, i = 0; i < 16; i++)
		pos += (size_t)snprintf(big + pos, sizeof(big) - pos,
					"device_%02d\t4294967295\tproblem\n",
					i);
	ck_assert_int_eq(pnote_file(big, true, sizeof(req), req, err,
				    sizeof(err)), 16);
	ck_assert_int_eq(pnote_file(big, true, 100, req, err, sizeof(err)),
			 -E2BIG);
	ck_assert_str_eq(err, "too large to send: the member takes requests "
			 "of at most 99 bytes (register fewer devices per "
			 "file)");
	ck_assert_str_eq(req, "");
}
END_TEST

/* metrics() with a cluster and its CCP counters. */
static int
metrics_cluster(const char *pstat, const char *cluster, const char *ccp,
		char **out, char *err, size_t errlen)
{
	json_t *ps = load(pstat);
	struct phx_fmt_metrics m = {
		.version = load("{'name':'fw1'}"),
		.pstat = &ps,
		.n_pstat = 1,
		.ports = load("{}"),
		.rules = load("{'generation':1,'name':[],'hits':[]}"),
		.cluster = load(cluster),
		.ccp = load(ccp),
	};
	struct capture c;
	int rc;

	err[0] = '\0';
	rc = phx_fmt_metrics(cap_open(&c), &m, err, errlen);
	*out = cap_close(&c);
	json_decref(ps);
	json_decref(m.version);
	json_decref(m.ports);
	json_decref(m.rules);
	json_decref(m.cluster);
	json_decref(m.ccp);
	return rc;
}

START_TEST(test_metrics_cluster)
{
	static const char ps[] = "{'scope':'all','workers':1,'counters':"
		"{'rx_pkts':1},'drops':{}}";
	static const char ccp[] = "{'tx_frames':10,'tx_heartbeats':9,"
		"'tx_errors':0,'rx_frames':20,'rx_heartbeats':19,'rx_ok':19,"
		"'drop_bad_magic':1,'drop_from_self':0,'rx_brand_new':4}";
	char err[256], *out;

	ck_assert_msg(metrics_cluster(ps, CLUSTER_FIXTURE(""), ccp, &out, err,
				      sizeof(err)) == 0, "%s", err);
	ck_assert_msg(prom_check(out) == NULL, "%s", prom_check(out));
	expect_line(out, "# TYPE phalanx_cluster_state gauge");
	expect_line(out, "phalanx_cluster_state{member=\"fw1\",state=\"INIT\"} "
		    "0");
	expect_line(out, "phalanx_cluster_state{member=\"fw1\","
		    "state=\"ACTIVE\"} 1");
	expect_line(out, "phalanx_cluster_state{member=\"fw1\","
		    "state=\"STOPPED\"} 0");
	expect_line(out, "phalanx_cluster_forwarding{member=\"fw1\"} 1");
	expect_line(out, "phalanx_cluster_transitions_total{member=\"fw1\"} 3");
	expect_line(out, "phalanx_cluster_interfaces_required{member=\"fw1\"} "
		    "3");
	expect_line(out, "phalanx_ccp_frames_total{member=\"fw1\",dir=\"tx\"} "
		    "10");
	expect_line(out, "phalanx_ccp_frames_total{member=\"fw1\",dir=\"rx\"} "
		    "20");
	expect_line(out, "phalanx_ccp_messages_total{member=\"fw1\","
		    "dir=\"rx\",type=\"heartbeat\"} 19");
	expect_line(out, "phalanx_ccp_drops_total{member=\"fw1\","
		    "reason=\"bad_magic\"} 1");
	expect_line(out, "phalanx_ccp_rx_ok_total{member=\"fw1\"} 19");
	expect_line(out, "# HELP phalanx_ccp_rx_brand_new_total CCP counter "
		    "rx_brand_new (phx ccpstat)");
	expect_line(out, "phalanx_ccp_rx_brand_new_total{member=\"fw1\"} 4");
	free(out);

	/* A state phx does not know is still sampled. */
	ck_assert_msg(metrics_cluster(ps, CLUSTER_FIXTURE(",'state':'NEW'"),
				      "{}", &out, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_msg(prom_check(out) == NULL, "%s", prom_check(out));
	expect_line(out, "phalanx_cluster_state{member=\"fw1\",state=\"NEW\"} "
		    "1");
	free(out);

	/* Names another metric has. */
	ck_assert_int_eq(metrics_cluster("{'scope':'all','workers':1,"
		"'counters':{'ccp_rx_ok':1},'drops':{}}", CLUSTER_FIXTURE(""),
		ccp, &out, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "CCP counter \"rx_ok\" would be "
			 "phalanx_ccp_rx_ok_total, which another metric uses "
			 "already");
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(metrics_cluster(ps, CLUSTER_FIXTURE(""),
		"{'frames':1}", &out, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "CCP counter \"frames\" would be "
			 "phalanx_ccp_frames_total, which another metric uses "
			 "already");
	free(out);
	ck_assert_int_eq(metrics_cluster(ps, CLUSTER_FIXTURE(""),
		"{'a_b':1,'a/b':2}", &out, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "CCP counter \"a/b\" would be "
			 "phalanx_ccp_a_b_total, which another metric uses "
			 "already");
	free(out);
	ck_assert_int_eq(metrics_cluster(ps, CLUSTER_FIXTURE(""),
		"{'tx_frames':-1}", &out, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "\"ccp.tx_frames\" is not a non-negative "
			 "integer");
	free(out);
}
END_TEST

/* ---- sync (SPEC 6.6, 6.7) and diff ---- */

/* /phalanx/sync of a member syncing with members 2 and 3; every key of
 * the contract, two drop reasons (one zero). */
#define SYNC_FIXTURE(enabled) \
	"{'enabled':" enabled ",'status':'Able to Send/Receive sync packets'," \
	"'member':1,'fa_peers':[2,3],'full_sync_state':'done'," \
	"'full_sync_peer':2,'full_sync_records':1234,'full_sync_ms':850," \
	"'sent_retrans_reqs':4,'missing_requested':10,'old_or_too_new':1," \
	"'unsynced_missing':0,'lost_sync_events':2,'timed_out_sync':0," \
	"'generated':5000,'recv_retrans_reqs':7,'recv_dup_retrans_reqs':1," \
	"'blocking_scenarios':0,'blocked_packets':0,'send_queue_max':40," \
	"'send_queue_sum':300,'send_queue_samples':100,'hold_events':9," \
	"'unhold_events':8,'not_held_no_members':3,'held_max_ticks':6," \
	"'held_sum_ticks':12,'sync_tick_ms':100,'cpha_tick_ms':100," \
	"'send_queue_size':512,'recv_queue_size':256,'send_queue_len':3," \
	"'tx_frames':3976,'tx_retransmitted':0,'tx_retrans_reqs':58," \
	"'tx_acks':97,'rx_frames':4290,'rx_queued':58," \
	"'rx_dropped_by_net':47,'rx_retrans_reqs':0,'rx_acks':0," \
	"'retrans_reqs_illegal':0,'cb_handled':3,'cb_delay_sum':4," \
	"'cb_max_delay':2,'dropped_overload':0,'delta_mem_kb':12," \
	"'pending_held':1,'released_timeout':18,'records_sent':4900," \
	"'records_received':4100,'records_applied':4090," \
	"'records_coalesced':55,'apply_failed':1,'events_lost':0," \
	"'block_new_conns':0,'drop_bad_magic':3,'drop_too_short':0}"

static const char sync_peers[] =
	"{'m2':{'live':1,'acking':1,'acked':4120,'lag_ms':3,'rx_started':1,"
	"'rx_expected':4121,'rx_queued':0},"
	"'m3':{'live':0,'acked':17,'lag_ms':12000,'rx_started':0,"
	"'rx_expected':0,'rx_queued':5},"
	"'m4':{'live':1,'acking':0,'acked':900,'lag_ms':1500,'rx_started':1,"
	"'rx_expected':77,'rx_queued':0}}";

static const char syncstat_text[] =
	"Sync Statistics (IDs of F&A Peers - 1):\n"
	"  2 3\n"
	"\n"
	"Other Member Updates:\n"
	"Sent retransmission requests................... 4\n"
	"Avg missing updates per request................ 2.5\n"
	"Old or too-new arriving updates................ 1\n"
	"Unsynced missing updates....................... 0\n"
	"Lost sync connection (num of events)........... 2\n"
	"Timed out sync connection...................... 0\n"
	"\n"
	"Local Updates:\n"
	"Total generated updates........................ 5000\n"
	"Recv Retransmission requests................... 7\n"
	"Recv Duplicate Retrans request................. 1\n"
	"Blocking Scenarios............................. 0\n"
	"Blocked packets................................ 0\n"
	"Max length of sending queue.................... 40\n"
	"Avg length of sending queue.................... 3.0\n"
	"Hold Pkts events............................... 9\n"
	"Unhold Pkt events.............................. 8\n"
	"Not held due to no members..................... 3\n"
	"Max held duration (ticks)...................... 6\n"
	"Avg held duration (ticks)...................... 1.5\n"
	"\n"
	"Timers:\n"
	"Sync tick (ms)................................. 100\n"
	"CPHA tick (ms)................................. 100\n"
	"\n"
	"Queues:\n"
	"Sending queue size............................. 512\n"
	"Receiving queue size........................... 256\n"
	"\n"
	"Phalanx:\n"
	"Member ID...................................... 1\n"
	"Status......................................... Able to "
	"Send/Receive sync packets\n"
	"Full sync...................................... done (member 2, "
	"1234 records, 850 ms)\n"
	"Sending queue length now....................... 3\n"
	"Records sent................................... 4900\n"
	"Records received............................... 4100\n"
	"Records applied................................ 4090\n"
	"Records coalesced.............................. 55\n"
	"Records that failed to apply................... 1\n"
	"Sync events lost............................... 0\n"
	"New connection blocking........................ not blocking "
	"(detection on)\n"
	"\n"
	"Peers:\n"
	"Member  Live    Acked seq  Lag (ms)  Expected seq  Queued\n"
	"2       yes          4120         3          4121       0\n"
	"3       no             17     12000             -       5\n"
	"4       no ACK        900      1500            77       0\n"
	"\n"
	"Dropped sync frames:\n"
	"drop_bad_magic................................. 3\n";

static char *
syncstat(const char *sync, const char *peers, bool all, int *rc, char *err,
	 size_t errlen)
{
	json_t *s = load(sync), *p = load(peers);
	struct capture c;

	err[0] = '\0';
	*rc = phx_fmt_syncstat(cap_open(&c), s, p, all, err, errlen);
	json_decref(s);
	json_decref(p);
	return cap_close(&c);
}

/* ---- phx doctor ---- */

static const char doc_cluster[] =
	"{'enabled':1,'state':'ACTIVE','hello_ms':100,'dead_count':3,"
	"'late_pass_max_ms':12}";
static const char doc_members[] =
	"{'m1':{'id':1,'local':1,'state':'ACTIVE','cfg_stale':0,'differs':''},"
	"'m2':{'id':2,'local':0,'state':'STANDBY','cfg_stale':0,"
	"'differs':''}}";
static const char doc_peers[] =
	"{'m2':{'live':1,'acking':1,'acked':10,'lag_ms':3,'rx_started':1,"
	"'rx_expected':11,'rx_queued':0}}";

/* phx doctor's text for these answers; sets = key:value pairs changed in
 * the sync answer (NULL-terminated), *w and *p the counts. */
static char *
doctor(const char *cluster, const char *members, const char *sync,
       const char *peers, const char *const *sets, unsigned *w, unsigned *p)
{
	json_t *cl = load(cluster), *m = load(members), *s = load(sync);
	json_t *pe = load(peers), *checks = NULL;
	struct capture c;
	char err[256];
	int rc;

	for (; sets != NULL && *sets != NULL; sets += 2)
		json_object_set_new(s, sets[0],
				    json_integer(strtoll(sets[1], NULL, 10)));
	rc = phx_fmt_doctor(cl, m, s, pe, &checks, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_int_eq(phx_fmt_doctor_print(cap_open(&c), checks, w, p), 0);
	json_decref(checks);
	json_decref(cl);
	json_decref(m);
	json_decref(s);
	json_decref(pe);
	return cap_close(&c);
}

/* The fixture's counters that SPEC 6.6 calls unhealthy, made healthy. */
static const char *const doc_healthy[] = {
	"lost_sync_events", "0", "not_held_no_members", "0",
	"apply_failed", "0", "drop_bad_magic", "0", "hold_events", "8", NULL,
};

START_TEST(test_doctor_healthy)
{
	unsigned w, p;
	char *out = doctor(doc_cluster, doc_members, SYNC_FIXTURE("1"),
			   doc_peers, doc_healthy, &w, &p);

	ck_assert_str_eq(out,
		"ok       member state ACTIVE\n"
		"ok       full sync done\n"
		"ok       member 2 is in sync (acknowledges within 3 ms)\n"
		"ok       no counter outside SPEC 6.6's healthy ranges\n"
		"\n"
		"Verdict: healthy\n");
	ck_assert_uint_eq(w + p, 0);
	free(out);
}
END_TEST

/* Every SPEC 6.6 threshold and OPS-05 cause that the answers show. */
START_TEST(test_doctor_problems)
{
	static const char *const sets[] = {
		"lost_sync_events", "0", "not_held_no_members", "0",
		"apply_failed", "0", "drop_bad_magic", "0",
		"hold_events", "8",
		"sent_retrans_reqs", "100", "missing_requested", "2100",
		"old_or_too_new", "500", "unsynced_missing", "10",
		"recv_retrans_reqs", "1600", "recv_dup_retrans_reqs", "600",
		"send_queue_max", "512", "held_max_ticks", "50", NULL,
	};
	static const char members[] =
		"{'m1':{'id':1,'local':1,'state':'ACTIVE','cfg_stale':0,"
		"'differs':''},'m2':{'id':2,'local':0,'state':'STANDBY',"
		"'cfg_stale':1,'differs':'sync_mtu'},'m3':{'id':3,'local':0,"
		"'state':'LOST','cfg_stale':0,'differs':''}}";
	static const char peers[] =
		"{'m2':{'live':1,'acking':0,'lag_ms':1500},'m3':{'live':0}}";
	static const char *const want[] = {
		"warning  member 3 is not heard (Lost)",
		"PROBLEM  member 2 runs a different configuration",
		"PROBLEM  member 2's sync port MTU differs",
		"PROBLEM  member 2 does not acknowledge",
		"PROBLEM  21 updates missing per retransmission request",
		"PROBLEM  500 updates arrived too old or too new (over 10% of "
		"the 4290 sync frames received)",
		"warning  10 missing updates were given up",
		"PROBLEM  peers asked again for 1600 of 5000 updates",
		"PROBLEM  600 of 1600 requests received were duplicates",
		"PROBLEM  the sending queue filled (512 of 512)",
		"PROBLEM  a packet was held 50 ticks",
		"Verdict: 9 problems, 2 warnings",
	};
	unsigned w, p, i;
	char *out = doctor(doc_cluster, members, SYNC_FIXTURE("1"), peers,
			   sets, &w, &p);

	for (i = 0; i < PHX_DIM(want); i++)
		ck_assert_msg(strstr(out, want[i]) != NULL, "no \"%s\" in:\n%s",
			      want[i], out);
	ck_assert_uint_eq(p, 9);
	ck_assert_uint_eq(w, 2);
	free(out);
}
END_TEST

/* SYNC-77 / OPS-05 root cause 1, and the fixture's own unhealthy
 * counters (lost sync, not held, not applied, dropped frames). */
START_TEST(test_doctor_disabled_and_losses)
{
	unsigned w, p;
	char *out = doctor(doc_cluster, doc_members, SYNC_FIXTURE("0"),
			   doc_peers, NULL, &w, &p);

	ck_assert(strstr(out, "PROBLEM  state sync is disabled "
			 "(cluster.sync.enabled: false)") != NULL);
	ck_assert_uint_eq(p, 1);
	free(out);
	out = doctor(doc_cluster, doc_members, SYNC_FIXTURE("1"), doc_peers,
		     NULL, &w, &p);
	ck_assert(strstr(out, "PROBLEM  sync with a peer was lost and "
			 "regained 2 times") != NULL);
	ck_assert(strstr(out, "warning  3 packets were not held") != NULL);
	ck_assert(strstr(out, "PROBLEM  1 received updates were not "
			 "applied") != NULL);
	ck_assert(strstr(out, "warning  sync frames dropped: bad_magic 3")
		  != NULL);
	ck_assert(strstr(out, "warning  9 holds for acknowledgement but 8")
		  == NULL);   /* one in flight is no sign of trouble */
	ck_assert_uint_eq(p, 2);
	free(out);
}
END_TEST

START_TEST(test_syncstat_layout)
{
	char err[256], *out;
	int rc;

	out = syncstat(SYNC_FIXTURE("1"), sync_peers, false, &rc, err,
		       sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_str_eq(out, syncstat_text);
	free(out);
}
END_TEST

/* join: auto's outcome shows in the Phalanx section; "off" shows nothing. */
START_TEST(test_syncstat_join)
{
	json_t *s = load(SYNC_FIXTURE("1")), *p = load(sync_peers);
	char err[256], *out;
	struct capture c;
	int rc;

	json_object_set_new(s, "join_state", json_string("adopted"));
	json_object_set_new(s, "join_detail", json_string(
		"adopted member 1's configuration (1729 bytes)"));
	rc = phx_fmt_syncstat(cap_open(&c), s, p, false, err, sizeof(err));
	out = cap_close(&c);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "Configuration (join: auto)..................... "
		"adopted: adopted member 1's configuration (1729 bytes)\n"));
	free(out);
	json_object_set_new(s, "join_state", json_string("off"));
	rc = phx_fmt_syncstat(cap_open(&c), s, p, false, err, sizeof(err));
	out = cap_close(&c);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_null(strstr(out, "join: auto"));
	free(out);
	json_decref(s);
	json_decref(p);
}
END_TEST

/* Every counter name of SPEC 6.6, in its section. */
START_TEST(test_syncstat_spec_names)
{
	static const char *const names[] = {
		"Sync Statistics (IDs of F&A Peers - 1):",
		"\nOther Member Updates:\n",
		"\nSent retransmission requests.",
		"\nAvg missing updates per request.",
		"\nOld or too-new arriving updates.",
		"\nUnsynced missing updates.",
		"\nLost sync connection (num of events).",
		"\nTimed out sync connection.",
		"\nLocal Updates:\n",
		"\nTotal generated updates.",
		"\nRecv Retransmission requests.",
		"\nRecv Duplicate Retrans request.",
		"\nBlocking Scenarios.",
		"\nBlocked packets.",
		"\nMax length of sending queue.",
		"\nAvg length of sending queue.",
		"\nHold Pkts events.",
		"\nUnhold Pkt events.",
		"\nNot held due to no members.",
		"\nMax held duration (ticks).",
		"\nAvg held duration (ticks).",
		"\nTimers:\n",
		"\nSync tick (ms).",
		"\nCPHA tick (ms).",
		"\nQueues:\n",
		"\nSending queue size.",
		"\nReceiving queue size.",
	};
	const char *prev;
	char err[256], *out;
	size_t i;
	int rc;

	out = syncstat(SYNC_FIXTURE("1"), sync_peers, false, &rc, err,
		       sizeof(err));
	ck_assert_int_eq(rc, 0);
	/* Present, and in SPEC's order. */
	prev = out;
	for (i = 0; i < PHX_DIM(names); i++) {
		const char *p = strstr(prev, names[i]);

		ck_assert_msg(p != NULL, "\"%s\" missing or out of order",
			      names[i]);
		prev = p;
	}
	ck_assert_ptr_null(strstr(out, "DISABLED"));
	free(out);
}
END_TEST

/* Sync off by configuration: said first (SYNC-77); no peers; -a lists
 * zero drops too; averages over nothing are 0. */
START_TEST(test_syncstat_disabled)
{
	static const char banner[] =
		"Sync is DISABLED by configuration (cluster.sync.enabled: "
		"false): connections will not survive a failover\n"
		"\n"
		"Sync Statistics (IDs of F&A Peers - 1):\n"
		"  2 3\n";
	char err[256], *out, *fixture = strdup(SYNC_FIXTURE("0"));
	char *p;
	int rc;

	ck_assert_ptr_nonnull(fixture);
	/* No retransmission requests, no queue samples: averages 0. */
	p = strstr(fixture, "'sent_retrans_reqs':4");
	p[strlen("'sent_retrans_reqs':")] = '0';
	p = strstr(fixture, "'send_queue_samples':100");
	memcpy(p + strlen("'send_queue_samples':"), "  0", 3);
	out = syncstat(fixture, "{}", true, &rc, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_msg(strncmp(out, banner, strlen(banner)) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\nAvg missing updates per "
				     "request................ 0\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nAvg length of sending "
				     "queue.................... 0\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nPeers:\nnone\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"\nDropped sync frames:\n"
		"drop_bad_magic................................. 3\n"
		"drop_too_short................................. 0\n"));
	free(out);
	free(fixture);

	/* No drop counted, none listed. */
	out = syncstat("{'drop_x':0}", "{}", false, &rc, err, sizeof(err));
	ck_assert_int_eq(rc, -EINVAL);
	free(out);
}
END_TEST

START_TEST(test_syncstat_malformed)
{
	static const struct {
		const char *sync, *peers, *err;
	} cases[] = {
		{ "null", "{}", "the answer is null" },
		{ "{'enabled':2}", "{}", "\"enabled\" is not 0 or 1" },
		{ "{'enabled':1,'status':'ok','member':1,"
		  "'full_sync_state':'none','full_sync_peer':0,"
		  "'full_sync_records':0,'full_sync_ms':0,"
		  "'block_new_conns':0}", "{}",
		  "\"send_queue_len\" is missing" },
		/* A bad peer row, a bad key, no peers answer. */
		{ SYNC_FIXTURE("1"), "{'m2':{'live':1}}",
		  "\"m2.acked\" is missing" },
		{ SYNC_FIXTURE("1"), "{'peer2':{}}",
		  "\"peer2\" is not a peer (m<id>)" },
		{ SYNC_FIXTURE("1"), "null", "the answer is null" },
	};
	char err[256], *out;
	size_t i;
	int rc;

	for (i = 0; i < PHX_DIM(cases); i++) {
		out = syncstat(cases[i].sync, cases[i].peers, false, &rc, err,
			       sizeof(err));
		ck_assert_int_eq(rc, -EINVAL);
		ck_assert_str_eq(err, cases[i].err);
		ck_assert_str_eq(out, "");
		free(out);
	}
}
END_TEST

static char *
pstat_sync(const char *fixture, int *rc, char *err, size_t errlen)
{
	json_t *s = load(fixture);
	struct capture c;

	*rc = phx_fmt_pstat_sync(cap_open(&c), s, err, errlen);
	json_decref(s);
	return cap_close(&c);
}

/* SPEC 6.7's reference output, line for line (the average delay is
 * 4 / 3 rounded). */
START_TEST(test_pstat_sync)
{
	static const char zeros[] =
		"{'enabled':0,'status':'Sync is disabled','tx_frames':0,"
		"'tx_retransmitted':0,'tx_retrans_reqs':0,'tx_acks':0,"
		"'rx_frames':0,'rx_queued':0,'rx_dropped_by_net':0,"
		"'rx_retrans_reqs':0,'rx_acks':0,'retrans_reqs_illegal':0,"
		"'cb_handled':0,'cb_delay_sum':0,'cb_max_delay':0,"
		"'dropped_overload':0,'delta_mem_kb':0,'pending_held':0,"
		"'released_timeout':0}";
	char err[256], *out;
	int rc;

	out = pstat_sync(SYNC_FIXTURE("1"), &rc, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_str_eq(out,
		"Synchronization:\n"
		"Version: new\n"
		"Status: Able to Send/Receive sync packets\n"
		"Sync packets sent:\n"
		" total : 3976, retransmitted : 0, retrans reqs : 58, "
		"acks : 97\n"
		"Sync packets received:\n"
		" total : 4290, were queued : 58, dropped by net : 47\n"
		" retrans reqs : 0, received 0 acks\n"
		" retrans reqs for illegal seq : 0\n"
		"Callback statistics: handled 3 cb, average delay : 1, "
		"max delay : 2\n"
		"dropped updates as a result of sync overload: 0\n"
		"Delta Sync memory usage: currently using 12 KB mem\n"
		"Number of Pending packets currently held: 1\n"
		"Packets released due to timeout: 18\n");
	free(out);

	/* The zero-suppressed lines go; the others stay. */
	out = pstat_sync(zeros, &rc, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_str_eq(out,
		"Synchronization:\n"
		"Sync is DISABLED by configuration (cluster.sync.enabled: "
		"false): connections will not survive a failover\n"
		"Version: new\n"
		"Status: Sync is disabled\n"
		"Sync packets sent:\n"
		" total : 0, retransmitted : 0, retrans reqs : 0, acks : 0\n"
		"Sync packets received:\n"
		" total : 0, were queued : 0, dropped by net : 0\n"
		" retrans reqs : 0, received 0 acks\n"
		" retrans reqs for illegal seq : 0\n"
		"dropped updates as a result of sync overload: 0\n");
	free(out);

	out = pstat_sync("{'enabled':1,'status':'x','tx_frames':1}", &rc, err,
			 sizeof(err));
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_str_eq(err, "\"tx_retransmitted\" is missing");
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

/* One /phalanx/conn page of worker w (from 0, last page) with the given
 * columns; flags NULL: no flags column. */
static json_t *
diff_page(uint64_t w, size_t n, const char *const *proto,
	  const char *const *orig, const char *const *nat,
	  const char *const *state, const int *flags)
{
	json_t *j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "worker",
			      (json_int_t)w, "workers", (json_int_t)2, "from",
			      (json_int_t)0, "next", (json_int_t)-1,
			      "sessions", (json_int_t)n, "rows",
			      (json_int_t)n);
	static const char *const keys[] = {
		"idx", "proto", "orig", "reply", "nat", "state",
		"remaining_s", "rule", "flags",
	};
	json_t *cols[PHX_DIM(keys)];
	size_t i, k;

	ck_assert_ptr_nonnull(j);
	for (k = 0; k < PHX_DIM(keys); k++)
		cols[k] = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(cols[0], json_integer((json_int_t)i));
		json_array_append_new(cols[1], json_string(proto[i]));
		json_array_append_new(cols[2], json_string(orig[i]));
		json_array_append_new(cols[3], json_string("r"));
		json_array_append_new(cols[4], json_string(nat[i]));
		json_array_append_new(cols[5], json_string(state[i]));
		json_array_append_new(cols[6], json_integer(30));
		json_array_append_new(cols[7], json_string("(synced)"));
		if (flags != NULL)
			json_array_append_new(cols[8],
					      json_integer(flags[i]));
	}
	for (k = 0; k < PHX_DIM(keys); k++)
		if (k < 8 || flags != NULL)
			json_object_set(j, keys[k], cols[k]);
	for (k = 0; k < PHX_DIM(keys); k++)
		json_decref(cols[k]);
	return j;
}

static void
diff_add(struct phx_fmt_diff_set *s, json_t *page, uint64_t w)
{
	char err[256];
	uint64_t workers;
	int64_t next;

	ck_assert_msg(phx_fmt_diff_set_add(s, page, w, 0, &next, &workers,
					   err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(next, -1);
	ck_assert_uint_eq(workers, 2);
	json_decref(page);
}

static const char *const d_proto[] = { "tcp", "tcp", "udp", "tcp", "tcp" };
static const char *const d_orig[] = {
	"10.1.0.100:40000 > 10.2.0.9:8080",
	"10.1.0.100:40001 > 10.2.0.9:8080",
	"10.1.0.100:5353 > 10.2.0.9:53",
	"10.1.0.100:40002 > 10.2.0.9:22",
	"10.1.0.100:40003 > 10.2.0.9:22",
};
static const char *const d_nat[] = {
	"snat 10.2.0.11:1025", "snat 10.2.0.11:1026", "", "", "",
};
static const char *const d_state[] = {
	"ESTABLISHED", "ESTABLISHED", "replied", "SYN_SENT", "TIME_WAIT",
};

/* The same sessions on both members, over other workers: equal. */
START_TEST(test_diff_equal)
{
	struct phx_fmt_diff_set a, b;
	static const int flags[] = { 0x46, 0x02, 0x08, 0x01, 0x01 };
	struct phx_fmt_diff d;
	struct capture c;
	char *out;

	phx_fmt_diff_set_init(&a);
	phx_fmt_diff_set_init(&b);
	diff_add(&a, diff_page(0, 5, d_proto, d_orig, d_nat, d_state, flags),
		 0);
	/* B: the same five, in another order, over two workers. */
	diff_add(&b, diff_page(0, 2, d_proto + 3, d_orig + 3, d_nat + 3,
			       d_state + 3, flags + 3), 0);
	diff_add(&b, diff_page(1, 3, d_proto, d_orig, d_nat, d_state, flags),
		 1);
	ck_assert_int_eq(phx_fmt_diff_compare(&a, &b, &d), 0);
	ck_assert_uint_eq(d.same, 5);
	ck_assert_uint_eq(d.n_items, 0);
	phx_fmt_diff_print(cap_open(&c), &d, 0);
	out = cap_close(&c);
	ck_assert_str_eq(out, "differ: 0 only on A, 0 only on B, 0 NAT "
			 "mismatches, 0 state mismatches\n");
	free(out);
	phx_fmt_diff_fini(&d);
	phx_fmt_diff_set_fini(&a);
	phx_fmt_diff_set_fini(&b);
}
END_TEST

/* Missing both ways, a NAT and a state mismatch (one session has both);
 * sessions that do not sync (0x20) or not yet (0x80) on either side are
 * no difference: A's 40003 (sync: false, not on B), B's 10.1.0.7 (sync:
 * false, not on A) and the UDP session (delayed on B). */
START_TEST(test_diff_mismatches)
{
	static const char *const b_nat[] = {
		"snat 10.2.0.11:1025", "snat 10.2.0.11:2000", "",
	};
	static const char *const b_state[] = {
		"ESTABLISHED", "SYN_SENT", "new",
	};
	static const int a_flags[] = { 0x02, 0x02, 0x08, 0x01, 0x21 };
	static const int b_flags[] = { 0x02, 0x42, 0x88 };
	static const char *const x_proto[] = { "tcp", "icmp" };
	static const char *const x_orig[] = {
		"10.1.0.7:1000 > 10.2.0.9:80", "10.1.0.100#7 > 10.2.0.9#7",
	};
	static const char *const x_nat[] = { "", "snat 10.2.0.11#1025" };
	static const char *const x_state[] = { "CLOSE", "new" };
	static const int x_flags[] = { 0x20, 0x00 };
	struct phx_fmt_diff_set a, b;
	struct phx_fmt_diff d;
	struct capture c;
	char *out;
	json_t *j;

	phx_fmt_diff_set_init(&a);
	phx_fmt_diff_set_init(&b);
	diff_add(&a, diff_page(0, 5, d_proto, d_orig, d_nat, d_state,
			       a_flags), 0);
	diff_add(&b, diff_page(0, 3, d_proto, d_orig, b_nat, b_state,
			       b_flags), 0);
	diff_add(&b, diff_page(1, 2, x_proto, x_orig, x_nat, x_state,
			       x_flags), 1);
	ck_assert_uint_eq(a.skipped, 1);  /* 40003, sync: false */
	ck_assert_uint_eq(b.skipped, 2);  /* the UDP one delayed, 10.1.0.7 */
	ck_assert(!a.no_flags && !b.no_flags);
	ck_assert_int_eq(phx_fmt_diff_compare(&a, &b, &d), 0);
	ck_assert_uint_eq(d.count[PHX_FMT_DIFF_ONLY_A], 1);
	ck_assert_uint_eq(d.count[PHX_FMT_DIFF_ONLY_B], 1);
	ck_assert_uint_eq(d.count[PHX_FMT_DIFF_NAT], 1);
	ck_assert_uint_eq(d.count[PHX_FMT_DIFF_STATE], 1);
	ck_assert_uint_eq(d.same, 1);

	phx_fmt_diff_print(cap_open(&c), &d, 0);
	out = cap_close(&c);
	ck_assert_str_eq(out,
		"only on A: tcp 10.1.0.100:40002 > 10.2.0.9:22  SYN_SENT  "
		"worker 0\n"
		"only on B: icmp 10.1.0.100#7 > 10.2.0.9#7  new  "
		"snat 10.2.0.11#1025  worker 1\n"
		"NAT differs: A=[snat 10.2.0.11:1026] B=[snat 10.2.0.11:2000]"
		"  tcp 10.1.0.100:40001 > 10.2.0.9:8080\n"
		"state differs: A=ESTABLISHED B=SYN_SENT  "
		"tcp 10.1.0.100:40001 > 10.2.0.9:8080\n"
		"differ: 1 only on A, 1 only on B, 1 NAT mismatches, "
		"1 state mismatches\n");
	free(out);

	j = phx_fmt_diff_json(&d, 1);
	ck_assert_ptr_nonnull(j);
	out = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(out,
		"{\"count\":{\"nat\":1,\"only_a\":1,\"only_b\":1,\"state\":1},"
		"\"nat\":[{\"a\":\"snat 10.2.0.11:1026\",\"b\":"
		"\"snat 10.2.0.11:2000\",\"key\":"
		"\"tcp 10.1.0.100:40001 > 10.2.0.9:8080\"}],"
		"\"only_a\":[{\"key\":\"tcp 10.1.0.100:40002 > 10.2.0.9:22\","
		"\"nat\":\"\",\"state\":\"SYN_SENT\",\"worker\":0}],"
		"\"only_b\":[{\"key\":\"icmp 10.1.0.100#7 > 10.2.0.9#7\","
		"\"nat\":\"snat 10.2.0.11#1025\",\"state\":\"new\","
		"\"worker\":1}],\"same\":1,"
		"\"state\":[{\"a\":\"ESTABLISHED\",\"b\":\"SYN_SENT\",\"key\":"
		"\"tcp 10.1.0.100:40001 > 10.2.0.9:8080\"}]}");
	free(out);
	json_decref(j);
	phx_fmt_diff_fini(&d);
	phx_fmt_diff_set_fini(&a);
	phx_fmt_diff_set_fini(&b);
}
END_TEST

/* A member that sends no flags: every row kept, and said; a flags column
 * of the wrong length is refused. */
START_TEST(test_diff_no_flags)
{
	static const int short_flags[] = { 0 };
	struct phx_fmt_diff_set s, empty;
	struct phx_fmt_diff d;
	struct capture c;
	uint64_t workers;
	int64_t next;
	char err[256], *out;
	json_t *page;

	phx_fmt_diff_set_init(&s);
	phx_fmt_diff_set_init(&empty);
	diff_add(&s, diff_page(0, 5, d_proto, d_orig, d_nat, d_state, NULL),
		 0);
	ck_assert(s.no_flags);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_uint_eq(s.skipped, 0);
	/* Against an empty table, --limit 2: two lines and a note. */
	ck_assert_int_eq(phx_fmt_diff_compare(&s, &empty, &d), 0);
	phx_fmt_diff_print(cap_open(&c), &d, 2);
	out = cap_close(&c);
	ck_assert_str_eq(out,
		"only on A: tcp 10.1.0.100:40000 > 10.2.0.9:8080  ESTABLISHED"
		"  snat 10.2.0.11:1025  worker 0\n"
		"only on A: tcp 10.1.0.100:40001 > 10.2.0.9:8080  ESTABLISHED"
		"  snat 10.2.0.11:1026  worker 0\n"
		"(3 more not shown: --limit 2 per kind)\n"
		"differ: 5 only on A, 0 only on B, 0 NAT mismatches, "
		"0 state mismatches\n");
	free(out);
	phx_fmt_diff_fini(&d);
	phx_fmt_diff_set_fini(&s);

	phx_fmt_diff_set_init(&s);
	page = diff_page(0, 1, d_proto, d_orig, d_nat, d_state, short_flags);
	json_array_append_new(json_object_get(page, "flags"),
			      json_integer(0));
	ck_assert_int_eq(phx_fmt_diff_set_add(&s, page, 0, 0, &next, &workers,
					      err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "\"flags\" has 2 entries, \"rows\" says 1");
	json_decref(page);
	/* The page checks of phx conn apply. */
	page = load("{'worker':1,'workers':2,'from':0,'next':-1,"
		    "'sessions':0,'rows':0}");
	ck_assert_int_eq(phx_fmt_diff_set_add(&s, page, 0, 0, &next, &workers,
					      err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "answer for worker 1 from 0 to a request for "
			 "worker 0 from 0");
	json_decref(page);
	phx_fmt_diff_set_fini(&s);
}
END_TEST

START_TEST(test_digest)
{
	struct phx_fmt_digest a, b;
	char err[256];
	json_t *j;

	j = load("{'workers':2,'sessions':5,'digest':'00000000000000FF',"
		 "'w0_sessions':2,'w0_digest':'000000000000007f',"
		 "'w1_sessions':3,'w1_digest':'0000000000000080'}");
	ck_assert_msg(phx_fmt_digest_read(j, &a, err, sizeof(err)) == 0,
		      "%s", err);
	json_decref(j);
	ck_assert_str_eq(a.digest, "00000000000000ff");
	ck_assert_uint_eq(a.w_sessions[1], 3);
	/* B: the same total over one worker: equal; worker 0 must be read
	 * (the worker counts differ). */
	j = load("{'workers':1,'sessions':5,'digest':'00000000000000ff',"
		 "'w0_sessions':5,'w0_digest':'00000000000000ff'}");
	ck_assert_int_eq(phx_fmt_digest_read(j, &b, err, sizeof(err)), 0);
	json_decref(j);
	ck_assert(phx_fmt_digest_equal(&a, &b));
	ck_assert(phx_fmt_digest_worker_differs(&a, &b, 0));
	/* Same workers, worker 1 differs. */
	b = a;
	b.w_digest[1][15] = '1';
	b.digest[15] = '0';
	ck_assert(!phx_fmt_digest_equal(&a, &b));
	ck_assert(!phx_fmt_digest_worker_differs(&a, &b, 0));
	ck_assert(phx_fmt_digest_worker_differs(&a, &b, 1));
	b = a;
	b.sessions = 6;
	ck_assert(!phx_fmt_digest_equal(&a, &b));

	j = load("{'workers':1,'sessions':5,'digest':'xyz'}");
	ck_assert_int_eq(phx_fmt_digest_read(j, &b, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "\"digest\" is not 16 hex digits");
	json_decref(j);
	j = load("{'workers':1,'sessions':5,'digest':'00000000000000ff'}");
	ck_assert_int_eq(phx_fmt_digest_read(j, &b, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "\"w0_sessions\" is missing");
	json_decref(j);
	j = load("{'workers':0,'sessions':0,'digest':'0000000000000000'}");
	ck_assert_int_eq(phx_fmt_digest_read(j, &b, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "\"workers\" is not a number of workers "
			 "(1..256)");
	json_decref(j);
}
END_TEST

static Suite *
phx_fmt_suite(void)
{
	Suite *s = suite_create("phx_fmt");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_test(tc, test_table_align);
	tcase_add_test(tc, test_table_many_rows);
	tcase_add_test(tc, test_table_control_chars);
	suite_add_tcase(s, tc);

	tc = tcase_create("pstat");
	tcase_add_test(tc, test_pstat_nonzero_drops);
	tcase_add_test(tc, test_pstat_all_drops);
	tcase_add_test(tc, test_pstat_groups_and_unknown_names);
	tcase_add_test(tc, test_pstat_empty);
	tcase_add_loop_test(tc, test_pstat_malformed, 0, PHX_DIM(pstat_bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("ports");
	tcase_add_test(tc, test_ports_table);
	tcase_add_loop_test(tc, test_ports_link_speed, 0, PHX_DIM(speeds));
	tcase_add_test(tc, test_ports_empty);
	tcase_add_test(tc, test_ports_many_addresses);
	tcase_add_test(tc, test_ports_malformed);
	suite_add_tcase(s, tc);

	tc = tcase_create("arp");
	tcase_add_test(tc, test_arp_one_page);
	tcase_add_test(tc, test_arp_partial);
	tcase_add_test(tc, test_arp_all_pages);
	tcase_add_test(tc, test_arp_empty);
	tcase_add_test(tc, test_arp_page_n);
	tcase_add_test(tc, test_arp_walk);
	tcase_add_loop_test(tc, test_arp_malformed, 0, PHX_DIM(arp_bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("other");
	tcase_add_test(tc, test_routes);
	tcase_add_test(tc, test_routes_pages);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_error_answer);
	tcase_add_test(tc, test_opt_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("policy");
	tcase_add_test(tc, test_policy);
	tcase_add_test(tc, test_policy_long_result);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_rules_pages);
	tcase_add_loop_test(tc, test_rules_pages_malformed, 0,
			    PHX_DIM(rules_bad));
	tcase_add_test(tc, test_reload_result);
	tcase_add_test(tc, test_reload_result_long);
	tcase_add_loop_test(tc, test_reload_timeout_arg, 0,
			    PHX_DIM(seconds));
	suite_add_tcase(s, tc);

	tc = tcase_create("conn");
	tcase_add_test(tc, test_conn_pages_merged);
	tcase_add_test(tc, test_conn_limit);
	tcase_add_test(tc, test_conn_json);
	tcase_add_test(tc, test_conn_empty);
	tcase_add_loop_test(tc, test_conn_malformed, 0, PHX_DIM(conn_bad));
	tcase_add_test(tc, test_conn_workers_changed);
	tcase_add_loop_test(tc, test_duration, 0, PHX_DIM(durations));
	tcase_add_loop_test(tc, test_conn_args, 0, PHX_DIM(conn_args));
	suite_add_tcase(s, tc);

	tc = tcase_create("metrics");
	tcase_add_test(tc, test_prom_check_itself);
	tcase_add_test(tc, test_metrics_sums);
	tcase_add_test(tc, test_metrics_exact);
	tcase_add_test(tc, test_metrics_help_every_counter);
	tcase_add_test(tc, test_metrics_per_worker);
	tcase_add_test(tc, test_metrics_no_gauges);
	tcase_add_loop_test(tc, test_metrics_malformed, 0,
			    PHX_DIM(metrics_bad));
	tcase_add_test(tc, test_metrics_cluster);
	suite_add_tcase(s, tc);

	tc = tcase_create("cluster");
	tcase_add_test(tc, test_cluster_enabled);
	tcase_add_test(tc, test_state_two_members);
	tcase_add_test(tc, test_state_problems);
	tcase_add_test(tc, test_state_platform);
	tcase_add_test(tc, test_state_dict_rows);
	tcase_add_loop_test(tc, test_state_malformed, 0, PHX_DIM(state_bad));
	tcase_add_test(tc, test_cluster_if);
	tcase_add_test(tc, test_pnotes);
	tcase_add_test(tc, test_ccpstat);
	tcase_add_test(tc, test_action_result);
	tcase_add_test(tc, test_pnote_args);
	tcase_add_test(tc, test_pnote_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("sync");
	tcase_add_test(tc, test_syncstat_layout);
	tcase_add_test(tc, test_doctor_healthy);
	tcase_add_test(tc, test_doctor_problems);
	tcase_add_test(tc, test_doctor_disabled_and_losses);
	tcase_add_test(tc, test_syncstat_join);
	tcase_add_test(tc, test_syncstat_spec_names);
	tcase_add_test(tc, test_syncstat_disabled);
	tcase_add_test(tc, test_syncstat_malformed);
	tcase_add_test(tc, test_pstat_sync);
	tcase_add_test(tc, test_diff_equal);
	tcase_add_test(tc, test_diff_mismatches);
	tcase_add_test(tc, test_diff_no_flags);
	tcase_add_test(tc, test_digest);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(phx_fmt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
