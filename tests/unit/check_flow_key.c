/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/flow_key: the key of each protocol from a parsed
 * frame, the symmetry the session table relies on (reversing a key twice
 * is the identity; a request's key reversed is its reply's key, for TCP,
 * UDP and every ICMP query pair), the ICMP error rule (the key built from
 * the quote equals the key of a reply-direction packet of the quoted
 * flow), zeroed padding, and the text form.
 *
 * Keys are built from frames that go through lib/pkt_parse, as in the
 * dataplane, so the parser and the key builder are checked together;
 * hand-made metas cover what the parser never produces.
 */
#include <check.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_build.h"
#include "lib/compiler.h"
#include "lib/flow_key.h"
#include "lib/inet.h"
#include "lib/pkt_parse.h"

#define CLIENT  0x0a000001u     /* 10.0.0.1 */
#define SERVER  0x0a000102u     /* 10.0.1.2 */
#define ROUTER  0x0a090909u     /* 10.9.9.9: sends ICMP errors */

static uint8_t fb[PHX_FB_MAX_FRAME];

static void
parse_ok(const uint8_t *f, uint32_t len, struct phx_pkt_meta *m)
{
	enum phx_drop_reason r = phx_pkt_parse(f, len, 0, m);

	ck_assert_msg(r == PHX_DROP_NONE, "parse: %s", phx_drop_name(r));
}

/* A packet of proto from src to dst: TCP/UDP ports sp -> dp, ICMP type
 * with identifier sp. */
static void
pkt(struct phx_fb_ipv4 *p, uint8_t proto, uint32_t src, uint32_t dst,
    uint16_t sp, uint16_t dp, uint8_t icmp_type)
{
	phx_fb_ipv4_init(p, proto);
	p->src_ip = src;
	p->dst_ip = dst;
	p->sport = sp;
	p->dport = dp;
	p->tcp_flags = 0x10;
	p->icmp_type = icmp_type;
	p->icmp_id = sp;
	p->payload_len = 32;
}

static void
key_of(const struct phx_fb_ipv4 *p, struct phx_flow_key *k)
{
	struct phx_pkt_meta m;
	uint32_t len = phx_fb_ipv4_build(p, fb, sizeof(fb));

	ck_assert_uint_ne(len, 0);
	parse_ok(fb, len, &m);
	memset(k, 0xa5, sizeof(*k));    /* padding must be written */
	phx_flow_key_from_meta(&m, k);
}

/*
 * Parse an ICMP error (type 11) from ROUTER to the quoted packet's source,
 * quoting *inner's first 28 bytes, and return the key from the quote.
 */
static void
quote_key_of(const struct phx_fb_ipv4 *inner, struct phx_flow_key *k,
	     struct phx_flow_key *outer)
{
	static uint8_t ib[PHX_FB_MAX_FRAME];
	struct phx_fb_ipv4 p;
	struct phx_pkt_meta m;
	uint32_t ilen, len;

	ilen = phx_fb_ipv4_build(inner, ib, sizeof(ib));
	ck_assert_uint_ge(ilen, 14 + 28);
	phx_fb_ipv4_init(&p, PHX_IPPROTO_ICMP);
	p.src_ip = ROUTER;
	p.dst_ip = inner->src_ip;
	p.icmp_type = 11;
	p.icmp_id = 0;
	p.icmp_seq = 0;
	p.payload_len = 28;
	len = phx_fb_ipv4_build(&p, fb, sizeof(fb));
	ck_assert_uint_ne(len, 0);
	memcpy(fb + 14 + 20 + 8, ib + 14, 28);
	parse_ok(fb, len, &m);
	ck_assert(m.flags & PHX_PKT_F_ICMP_ERR);
	memset(k, 0xa5, sizeof(*k));
	phx_flow_key_from_quote(&m, k);
	if (outer) {
		memset(outer, 0xa5, sizeof(*outer));
		phx_flow_key_from_meta(&m, outer);
	}
}

#define ck_assert_key_eq(a, b)                                            \
	do {                                                              \
		char sa_[64], sb_[64];                                    \
		ck_assert_msg(memcmp((a), (b), sizeof(*(a))) == 0,        \
			      "%s != %s",                                 \
			      phx_flow_key_str((a), sa_, sizeof(sa_)),    \
			      phx_flow_key_str((b), sb_, sizeof(sb_)));   \
	} while (0)

/* ---- keys per protocol ------------------------------------------------- */

START_TEST(test_key_tcp_udp)
{
	static const uint8_t protos[] = { PHX_IPPROTO_TCP, PHX_IPPROTO_UDP };
	struct phx_fb_ipv4 p;
	struct phx_flow_key k;
	unsigned i;

	for (i = 0; i < PHX_DIM(protos); i++) {
		const struct phx_flow_key want = {
			.src_ip = htonl(CLIENT), .dst_ip = htonl(SERVER),
			.sport = htons(40000), .dport = htons(443),
			.proto = protos[i],
		};

		pkt(&p, protos[i], CLIENT, SERVER, 40000, 443, 0);
		key_of(&p, &k);
		ck_assert_key_eq(&k, &want);
	}
}
END_TEST

/* ICMP: the identifier in both ports for each query type, 0/0 for the
 * rest; loop index = ICMP type. */
START_TEST(test_key_icmp_types)
{
	struct phx_fb_ipv4 p;
	struct phx_flow_key k;
	uint8_t type = (uint8_t)_i;
	int query = type == 0 || type == 8 || (type >= 13 && type <= 18);
	int error = type == 3 || type == 4 || type == 5 || type == 11 ||
		type == 12;
	const struct phx_flow_key want = {
		.src_ip = htonl(CLIENT), .dst_ip = htonl(SERVER),
		.sport = query ? htons(0x1234) : 0,
		.dport = query ? htons(0x1234) : 0,
		.proto = PHX_IPPROTO_ICMP,
	};

	if (error)
		return;         /* need a quote: test_key_icmp_error */
	ck_assert_int_eq(phx_icmp_is_query(type), query);
	pkt(&p, PHX_IPPROTO_ICMP, CLIENT, SERVER, 0x1234, 0, type);
	key_of(&p, &k);
	ck_assert_key_eq(&k, &want);
}
END_TEST

/* An ICMP error's own key: 0/0, its own addresses. */
START_TEST(test_key_icmp_error)
{
	struct phx_fb_ipv4 in;
	struct phx_flow_key q, outer;
	const struct phx_flow_key want = {
		.src_ip = htonl(ROUTER), .dst_ip = htonl(CLIENT),
		.proto = PHX_IPPROTO_ICMP,
	};

	pkt(&in, PHX_IPPROTO_UDP, CLIENT, SERVER, 5000, 53, 0);
	quote_key_of(&in, &q, &outer);
	ck_assert_key_eq(&outer, &want);
}
END_TEST

START_TEST(test_key_other_proto)
{
	static const uint8_t protos[] = { 2, 47, 50, 51, 132, 255 };
	struct phx_fb_ipv4 p;
	struct phx_flow_key k;
	unsigned i;

	for (i = 0; i < PHX_DIM(protos); i++) {
		const struct phx_flow_key want = {
			.src_ip = htonl(CLIENT), .dst_ip = htonl(SERVER),
			.proto = protos[i],
		};

		pkt(&p, protos[i], CLIENT, SERVER, 1, 2, 0);
		key_of(&p, &k);
		ck_assert_key_eq(&k, &want);
	}
}
END_TEST

/* Metas the parser never produces: ports on a non-query ICMP type, on a
 * port-less protocol. The key ignores them. */
START_TEST(test_key_ignores_stray_ports)
{
	struct phx_pkt_meta m = {
		.kind = PHX_PKT_IPV4, .proto = PHX_IPPROTO_ICMP,
		.src_ip = htonl(CLIENT), .dst_ip = htonl(SERVER),
		.sport = htons(7), .dport = htons(9), .icmp_type = 3,
	};
	struct phx_flow_key k;

	phx_flow_key_from_meta(&m, &k);
	ck_assert_uint_eq(k.sport | k.dport, 0);
	m.icmp_type = 8;
	phx_flow_key_from_meta(&m, &k);
	ck_assert_uint_eq(k.sport, htons(7));
	ck_assert_uint_eq(k.dport, htons(7));
	m.proto = 47;
	phx_flow_key_from_meta(&m, &k);
	ck_assert_uint_eq(k.sport | k.dport, 0);
}
END_TEST

/* ---- symmetry ---------------------------------------------------------- */

static const struct phx_flow_key sym_keys[] = {
	{ 0x0100000a, 0x0201000a, 0x409c, 0x5000, 6, { 0, 0, 0 } },
	{ 0x0100000a, 0x0100000a, 0x3500, 0x3500, 17, { 0, 0, 0 } },
	{ 0xffffffff, 0x00000000, 0xffff, 0x0000, 1, { 0, 0, 0 } },
	{ 0x12345678, 0x9abcdef0, 0x4242, 0x4242, 1, { 0, 0, 0 } },
	{ 0x01020304, 0x05060708, 0, 0, 47, { 0, 0, 0 } },
};

/* reverse(reverse(k)) == k, reverse(k) != k unless k is symmetric, and
 * the padding of the result is zero whatever the target held. */
START_TEST(test_reverse_involution)
{
	const struct phx_flow_key *k = &sym_keys[_i];
	struct phx_flow_key r, rr;
	int sym = k->src_ip == k->dst_ip && k->sport == k->dport;

	memset(&r, 0xff, sizeof(r));
	memset(&rr, 0xff, sizeof(rr));
	phx_flow_key_reverse(k, &r);
	phx_flow_key_reverse(&r, &rr);
	ck_assert_key_eq(&rr, k);
	ck_assert_int_eq(memcmp(&r, k, sizeof(r)) == 0, sym);
	ck_assert_uint_eq(r.pad[0] | r.pad[1] | r.pad[2], 0);
	ck_assert_uint_eq(r.src_ip, k->dst_ip);
	ck_assert_uint_eq(r.sport, k->dport);
	ck_assert_uint_eq(r.proto, k->proto);
}
END_TEST

/* Request and reply, parsed from frames: the reply's key is the
 * request's reversed. Rows: proto, request type, reply type. */
static const struct {
	uint8_t proto, req_type, rep_type;
} pair_rows[] = {
	{ PHX_IPPROTO_TCP, 0, 0 },
	{ PHX_IPPROTO_UDP, 0, 0 },
	{ PHX_IPPROTO_ICMP, 8, 0 },     /* echo */
	{ PHX_IPPROTO_ICMP, 13, 14 },   /* timestamp */
	{ PHX_IPPROTO_ICMP, 15, 16 },   /* information */
	{ PHX_IPPROTO_ICMP, 17, 18 },   /* address mask */
	{ 47, 0, 0 },                   /* GRE: addresses only */
};

START_TEST(test_request_reply_reverse)
{
	struct phx_fb_ipv4 p;
	struct phx_flow_key req, rep, rev;

	pkt(&p, pair_rows[_i].proto, CLIENT, SERVER, 40001, 8080,
	    pair_rows[_i].req_type);
	key_of(&p, &req);
	/* the reply: addresses and ports swapped; ICMP keeps the id */
	pkt(&p, pair_rows[_i].proto, SERVER, CLIENT, 8080, 40001,
	    pair_rows[_i].rep_type);
	if (pair_rows[_i].proto == PHX_IPPROTO_ICMP)
		p.icmp_id = 40001;
	key_of(&p, &rep);
	phx_flow_key_reverse(&req, &rev);
	ck_assert_key_eq(&rev, &rep);
}
END_TEST

/* ---- ICMP errors: the quote finds the session ------------------------- */

/*
 * A client -> server packet is quoted by an error travelling back to the
 * client; the quote's key must equal the key of the server's replies in
 * that flow, i.e. the forward key reversed. Rows: proto and ICMP type.
 */
static const struct {
	uint8_t proto, type;
} quote_rows[] = {
	{ PHX_IPPROTO_TCP, 0 },
	{ PHX_IPPROTO_UDP, 0 },
	{ PHX_IPPROTO_ICMP, 8 },        /* echo request quoted */
	{ PHX_IPPROTO_ICMP, 13 },       /* timestamp request quoted */
};

START_TEST(test_quote_is_reply_key)
{
	struct phx_fb_ipv4 fwd, rep;
	struct phx_flow_key kf, kr, kq, rev;

	pkt(&fwd, quote_rows[_i].proto, CLIENT, SERVER, 40002, 53,
	    quote_rows[_i].type);
	key_of(&fwd, &kf);
	quote_key_of(&fwd, &kq, NULL);

	phx_flow_key_reverse(&kf, &rev);
	ck_assert_key_eq(&kq, &rev);

	/* and the reply-direction packet itself has that key */
	pkt(&rep, quote_rows[_i].proto, SERVER, CLIENT, 53, 40002,
	    quote_rows[_i].type == 8 ? 0 : quote_rows[_i].type == 13 ? 14 :
	    0);
	if (quote_rows[_i].proto == PHX_IPPROTO_ICMP)
		rep.icmp_id = 40002;
	key_of(&rep, &kr);
	ck_assert_key_eq(&kq, &kr);
}
END_TEST

/* The other way round: a server -> client packet quoted by an error sent
 * to the server matches the forward key. */
START_TEST(test_quote_of_reply_is_forward_key)
{
	struct phx_fb_ipv4 fwd, rep;
	struct phx_flow_key kf, kq;

	pkt(&fwd, PHX_IPPROTO_TCP, CLIENT, SERVER, 40003, 22, 0);
	key_of(&fwd, &kf);
	pkt(&rep, PHX_IPPROTO_TCP, SERVER, CLIENT, 22, 40003, 0);
	quote_key_of(&rep, &kq, NULL);
	ck_assert_key_eq(&kq, &kf);
}
END_TEST

/* A hand-made meta: from_quote reads only the q_* fields. */
START_TEST(test_quote_meta_fields)
{
	const struct phx_pkt_meta m = {
		.kind = PHX_PKT_IPV4, .flags = PHX_PKT_F_ICMP_ERR,
		.proto = PHX_IPPROTO_ICMP, .icmp_type = 3,
		.src_ip = 1, .dst_ip = 2, .sport = 3, .dport = 4,
		.q_proto = PHX_IPPROTO_UDP,
		.q_src_ip = htonl(CLIENT), .q_dst_ip = htonl(SERVER),
		.q_sport = htons(1111), .q_dport = htons(2222),
	};
	const struct phx_flow_key want = {
		.src_ip = htonl(SERVER), .dst_ip = htonl(CLIENT),
		.sport = htons(2222), .dport = htons(1111),
		.proto = PHX_IPPROTO_UDP,
	};
	struct phx_flow_key k;

	memset(&k, 0xff, sizeof(k));
	phx_flow_key_from_quote(&m, &k);
	ck_assert_key_eq(&k, &want);
}
END_TEST

/* ---- text form --------------------------------------------------------- */

/* A key from host-order values (the struct holds network order). */
static struct phx_flow_key
hkey(uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, uint8_t proto)
{
	return (struct phx_flow_key){
		.src_ip = htonl(src), .dst_ip = htonl(dst),
		.sport = htons(sp), .dport = htons(dp), .proto = proto,
	};
}

START_TEST(test_key_str)
{
	static const struct {
		uint32_t src, dst;
		uint16_t sp, dp;
		uint8_t proto;
		const char *want;
	} rows[] = {
		{ 0x0a010064, 0x0a020064, 40000, 80, 6,
		  "tcp 10.1.0.100:40000 > 10.2.0.100:80" },
		{ 0x0a000001, 0x08080808, 65535, 53, 17,
		  "udp 10.0.0.1:65535 > 8.8.8.8:53" },
		{ 0x0a000001, 0x0a000102, 0x4242, 0x4242, 1,
		  "icmp 10.0.0.1 > 10.0.1.2 id 16962" },
		{ 0x0a000001, 0x0a000102, 0, 0, 1,
		  "icmp 10.0.0.1 > 10.0.1.2 id 0" },
		{ 0x0a000001, 0x0a000102, 1, 2, 1,
		  "icmp 10.0.0.1 > 10.0.1.2 id 1/2" },
		{ 0xffffffff, 0, 0, 0, 47,
		  "proto 47 255.255.255.255 > 0.0.0.0" },
	};
	struct phx_flow_key k;
	char buf[64];
	unsigned i;

	for (i = 0; i < PHX_DIM(rows); i++) {
		k = hkey(rows[i].src, rows[i].dst, rows[i].sp, rows[i].dp,
			 rows[i].proto);
		ck_assert_ptr_eq(phx_flow_key_str(&k, buf, sizeof(buf)), buf);
		ck_assert_str_eq(buf, rows[i].want);
	}
}
END_TEST

/* Short buffers: truncated and terminated; length 0 writes nothing. */
START_TEST(test_key_str_short)
{
	const struct phx_flow_key k = hkey(0x0a010064, 0x0a020064, 40000,
					   80, 6);
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	phx_flow_key_str(&k, buf, 8);
	ck_assert_str_eq(buf, "tcp 10.");
	ck_assert_int_eq(buf[8], 'x');
	memset(buf, 'x', sizeof(buf));
	phx_flow_key_str(&k, buf, 0);
	ck_assert_int_eq(buf[0], 'x');
	phx_flow_key_str(&k, buf, 1);
	ck_assert_str_eq(buf, "");
}
END_TEST

static Suite *
flow_key_suite(void)
{
	Suite *s = suite_create("flow_key");
	TCase *tc;

	tc = tcase_create("keys");
	tcase_add_test(tc, test_key_tcp_udp);
	tcase_add_loop_test(tc, test_key_icmp_types, 0, 256);
	tcase_add_test(tc, test_key_icmp_error);
	tcase_add_test(tc, test_key_other_proto);
	tcase_add_test(tc, test_key_ignores_stray_ports);
	suite_add_tcase(s, tc);

	tc = tcase_create("symmetry");
	tcase_add_loop_test(tc, test_reverse_involution, 0, PHX_DIM(sym_keys));
	tcase_add_loop_test(tc, test_request_reply_reverse, 0,
			    PHX_DIM(pair_rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("quote");
	tcase_add_loop_test(tc, test_quote_is_reply_key, 0,
			    PHX_DIM(quote_rows));
	tcase_add_test(tc, test_quote_of_reply_is_forward_key);
	tcase_add_test(tc, test_quote_meta_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, test_key_str);
	tcase_add_test(tc, test_key_str_short);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(flow_key_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
