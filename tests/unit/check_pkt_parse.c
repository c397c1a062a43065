/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/pkt_parse: every accepted kind with every meta field,
 * every parser drop reason from a frame that triggers exactly it, the
 * first-fault-wins order, truncation at every length, Ethernet padding,
 * and the checksum-offload flag; for TCP every one of the 256 flag bytes
 * against an independently written rule, and the SYN option walk; for
 * ICMP errors the quote, valid and broken.
 *
 * Every parse goes through parse_exact(), which copies the frame into a
 * heap block of exactly len bytes, so any read past len lands outside the
 * block and valgrind (CK_FORK=no valgrind ...) or ASan reports it.
 * Frames come from frame_build.c, which computes lengths and checksums
 * independently of lib/inet.c.
 */
#include <check.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_build.h"
#include "lib/compiler.h"
#include "lib/inet.h"
#include "lib/pkt_parse.h"

#define IP(n) (PHX_ETHER_HDR_LEN + (n))        /* IPv4 header byte n */
#define L4(n) (PHX_ETHER_HDR_LEN + 20 + (n))   /* L4 byte n (IHL 5) */

struct frame {
	uint8_t b[PHX_FB_MAX_FRAME];
	uint32_t len;
};

/* Parse f[0..len) from a heap block of exactly len bytes starting at
 * offset off, so overreads and alignment assumptions both show. */
static enum phx_drop_reason
parse_at(const uint8_t *f, uint32_t len, uint32_t off, unsigned flags,
	 struct phx_pkt_meta *m)
{
	uint8_t *blk = len + off ? malloc(len + off) : NULL;
	enum phx_drop_reason r;

	ck_assert(blk != NULL || len + off == 0);
	if (len)
		memcpy(blk + off, f, len);
	r = phx_pkt_parse(blk ? blk + off : NULL, len, flags, m);
	free(blk);
	return r;
}

static enum phx_drop_reason
parse_exact(const uint8_t *f, uint32_t len, unsigned flags,
	    struct phx_pkt_meta *m)
{
	return parse_at(f, len, 0, flags, m);
}

static enum phx_drop_reason
parse_frame(const struct frame *fr, unsigned flags, struct phx_pkt_meta *m)
{
	return parse_exact(fr->b, fr->len, flags, m);
}

#define ck_assert_reason(got, want) \
	ck_assert_msg((got) == (want), "reason %s, expected %s", \
		      phx_drop_name(got), phx_drop_name(want))

/* Compare every field, naming the one that differs. */
static void
expect_meta(const struct phx_pkt_meta *g, const struct phx_pkt_meta *w)
{
#define F(x) ck_assert_msg(g->x == w->x, #x ": got %#x, want %#x", \
			   (unsigned)g->x, (unsigned)w->x)
	F(kind);
	F(flags);
	F(proto);
	F(ttl);
	F(l3_off);
	F(l4_off);
	F(l3_len);
	F(l4_len);
	F(src_ip);
	F(dst_ip);
	F(sport);
	F(dport);
	F(tcp_flags);
	F(icmp_type);
	F(icmp_code);
	F(arp_op);
	F(tcp_seq);
	F(tcp_ack);
	F(tcp_win);
	F(tcp_wscale);
	F(l4_hlen);
	F(q_off);
	F(q_proto);
	F(q_src_ip);
	F(q_dst_ip);
	F(q_sport);
	F(q_dport);
#undef F
}

/* ---- base frames ------------------------------------------------------ */

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

static void
build(struct frame *fr, const struct phx_fb_ipv4 *p)
{
	fr->len = phx_fb_ipv4_build(p, fr->b, sizeof(fr->b));
	ck_assert_uint_ne(fr->len, 0);
}

static void
mk_proto(struct frame *fr, uint8_t proto, uint32_t payload)
{
	struct phx_fb_ipv4 p;

	phx_fb_ipv4_init(&p, proto);
	p.payload_len = payload;
	build(fr, &p);
}

/* 54-byte TCP SYN, 42-byte UDP, 42-byte ICMP echo, 42-byte ARP. */
static void mk_tcp(struct frame *fr)  { mk_proto(fr, PHX_IPPROTO_TCP, 0); }
static void mk_udp(struct frame *fr)  { mk_proto(fr, PHX_IPPROTO_UDP, 0); }
static void mk_icmp(struct frame *fr) { mk_proto(fr, PHX_IPPROTO_ICMP, 0); }

static void
mk_arp(struct frame *fr)
{
	fr->len = phx_fb_arp_build(fr->b, 1, mac_a, 0x0a000001, mac_b,
				   0x0a000002);
}

/* TCP with IHL 6 (one word of NOP options), valid checksum. */
static void
mk_ipopt(struct frame *fr)
{
	struct phx_fb_ipv4 p;

	phx_fb_ipv4_init(&p, PHX_IPPROTO_TCP);
	p.ihl = 6;
	build(fr, &p);
}

static void
set_ip_addr(struct frame *fr, unsigned off, uint32_t ip)
{
	phx_fb_put32(fr->b + IP(off), ip);
	phx_fb_ipv4_fix_csum(fr->b);
}

/* TCP segment with flags and the given option bytes (n a multiple of 4,
 * at most 40) in its header. The TCP checksum is left stale: the parser
 * does not verify it. */
static void
mk_tcp_opts(struct frame *fr, uint8_t flags, const uint8_t *opt, uint32_t n)
{
	struct phx_fb_ipv4 p;

	ck_assert_uint_eq(n % 4, 0);
	ck_assert_uint_le(n, 40);
	phx_fb_ipv4_init(&p, PHX_IPPROTO_TCP);
	p.tcp_flags = flags;
	p.tcp_doff = (uint8_t)(5 + n / 4);
	build(fr, &p);
	if (n)
		memcpy(fr->b + L4(20), opt, n);
}

/* Inner packets for ICMP error quotes (10.0.1.2 -> 10.0.0.1, as if the
 * default frame's peer had sent them). */
static void
inner_init(struct phx_fb_ipv4 *p, uint8_t proto)
{
	phx_fb_ipv4_init(p, proto);
	p->src_ip = 0x0a000102;
	p->dst_ip = 0x0a000001;
	p->sport = 80;
	p->dport = 40000;
	p->tcp_flags = 0x12;            /* SYN/ACK */
	p->icmp_id = 0x1717;
	p->payload_len = 64;
}

/*
 * ICMP error type/code from 10.9.9.9 to 10.0.1.2 whose payload is the
 * first qlen bytes of the IPv4 packet *inner describes (zero-filled past
 * its end). ICMP checksum recomputed.
 */
static void
mk_icmp_err(struct frame *fr, uint8_t type, uint8_t code,
	    const struct phx_fb_ipv4 *inner, uint32_t qlen)
{
	uint8_t ib[PHX_FB_MAX_FRAME];
	struct phx_fb_ipv4 p;
	uint32_t ilen, n;
	uint8_t *l4;

	ilen = phx_fb_ipv4_build(inner, ib, sizeof(ib));
	ck_assert_uint_gt(ilen, 14);
	phx_fb_ipv4_init(&p, PHX_IPPROTO_ICMP);
	p.src_ip = 0x0a090909;
	p.dst_ip = 0x0a000102;
	p.icmp_type = type;
	p.icmp_code = code;
	p.icmp_id = 0;                  /* "unused" (or next-hop MTU) */
	p.icmp_seq = 0;
	p.payload_len = qlen;
	build(fr, &p);
	l4 = fr->b + L4(0);
	n = ilen - 14 < qlen ? ilen - 14 : qlen;
	memset(l4 + 8, 0, qlen);
	memcpy(l4 + 8, ib + 14, n);
	phx_fb_put16(l4 + 2, 0);
	phx_fb_put16(l4 + 2, (uint16_t)~phx_fb_ref_csum(l4, 8 + qlen));
}

/* ---- valid frames: every meta field ----------------------------------- */

START_TEST(test_tcp_syn)
{
	struct frame fr;
	struct phx_pkt_meta m;
	const struct phx_pkt_meta want = {
		.kind = PHX_PKT_IPV4, .flags = PHX_PKT_F_IPV4_DF,
		.proto = PHX_IPPROTO_TCP, .ttl = 64,
		.l3_off = 14, .l4_off = 34, .l3_len = 40, .l4_len = 20,
		.src_ip = htonl(0x0a000001), .dst_ip = htonl(0x0a000102),
		.sport = htons(40000), .dport = htons(80), .tcp_flags = 0x02,
		.tcp_seq = 0x01020304, .tcp_ack = 0, .tcp_win = 65535,
		.tcp_wscale = -1, .l4_hlen = 20,
	};

	mk_tcp(&fr);
	ck_assert_uint_eq(fr.len, 54);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	expect_meta(&m, &want);
}
END_TEST

START_TEST(test_tcp_options_payload)
{
	struct phx_fb_ipv4 p;
	struct frame fr;
	struct phx_pkt_meta m;
	const struct phx_pkt_meta want = {
		.kind = PHX_PKT_IPV4, .flags = 0, .proto = PHX_IPPROTO_TCP,
		.ttl = 1, .l3_off = 14, .l4_off = 34,
		.l3_len = 20 + 60 + 100, .l4_len = 60 + 100,
		.src_ip = htonl(0xc0a80101), .dst_ip = htonl(0xdfffffff),
		.sport = htons(443), .dport = htons(1), .tcp_flags = 0x18,
		.tcp_seq = 0xfffffff0, .tcp_ack = 0x80000001, .tcp_win = 65535,
		.tcp_wscale = -1, .l4_hlen = 60,
	};

	phx_fb_ipv4_init(&p, PHX_IPPROTO_TCP);
	p.tcp_doff = 15;                /* maximal header: 40 option bytes */
	p.payload_len = 100;
	p.frag = 0;
	p.ttl = 1;
	p.src_ip = 0xc0a80101;
	p.dst_ip = 0xdfffffff;          /* highest unicast address */
	p.sport = 443;
	p.dport = 1;
	p.tcp_flags = 0x18;             /* PSH|ACK: options not walked */
	p.tcp_seq = 0xfffffff0;
	p.tcp_ack = 0x80000001;
	build(&fr, &p);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	expect_meta(&m, &want);
}
END_TEST

START_TEST(test_udp)
{
	struct phx_fb_ipv4 p;
	struct frame fr;
	struct phx_pkt_meta m;
	const struct phx_pkt_meta want = {
		.kind = PHX_PKT_IPV4, .flags = PHX_PKT_F_IPV4_DF,
		.proto = PHX_IPPROTO_UDP, .ttl = 64,
		.l3_off = 14, .l4_off = 34, .l3_len = 20 + 8 + 37,
		.l4_len = 8 + 37,
		.src_ip = htonl(0x0a000001), .dst_ip = htonl(0x0a000102),
		.sport = htons(5353), .dport = htons(53), .l4_hlen = 8,
	};

	phx_fb_ipv4_init(&p, PHX_IPPROTO_UDP);
	p.sport = 5353;
	p.dport = 53;
	p.payload_len = 37;
	build(&fr, &p);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	expect_meta(&m, &want);
}
END_TEST

/* ICMP other than errors: type/code always; the identifier in sport for
 * the query types (echo, timestamp, information, address mask) only;
 * loop index picks the row. Errors have their own tests below. */
static const struct {
	uint8_t type, code;
	uint16_t sport;                 /* expected, host order */
} icmp_rows[] = {
	{ 8, 0, 0x4242 },               /* echo request: id */
	{ 0, 0, 0x4242 },               /* echo reply: id */
	{ 13, 0, 0x4242 },              /* timestamp request */
	{ 14, 0, 0x4242 },              /* timestamp reply */
	{ 15, 0, 0x4242 },              /* information request */
	{ 16, 0, 0x4242 },              /* information reply */
	{ 17, 0, 0x4242 },              /* address mask request (RFC 950) */
	{ 18, 0, 0x4242 },              /* address mask reply */
	{ 8, 7, 0x4242 },               /* odd code on echo: still echo */
	{ 9, 0, 0 },                    /* router advertisement: no id */
	{ 10, 0, 0 },                   /* router solicitation */
	{ 1, 0, 0 },                    /* unassigned */
	{ 19, 0, 0 },                   /* reserved, just past the queries */
	{ 42, 0, 0 },                   /* extended echo (RFC 8335): untracked */
	{ 255, 0, 0 },
};

START_TEST(test_icmp)
{
	struct phx_fb_ipv4 p;
	struct frame fr;
	struct phx_pkt_meta m;
	struct phx_pkt_meta want = {
		.kind = PHX_PKT_IPV4, .flags = PHX_PKT_F_IPV4_DF,
		.proto = PHX_IPPROTO_ICMP, .ttl = 64,
		.l3_off = 14, .l4_off = 34, .l3_len = 20 + 8 + 28,
		.l4_len = 8 + 28, .l4_hlen = 8,
		.src_ip = htonl(0x0a000001), .dst_ip = htonl(0x0a000102),
	};

	phx_fb_ipv4_init(&p, PHX_IPPROTO_ICMP);
	p.icmp_type = icmp_rows[_i].type;
	p.icmp_code = icmp_rows[_i].code;
	p.payload_len = 28;
	build(&fr, &p);
	want.icmp_type = icmp_rows[_i].type;
	want.icmp_code = icmp_rows[_i].code;
	want.sport = htons(icmp_rows[_i].sport);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	expect_meta(&m, &want);
}
END_TEST

/* Protocols other than TCP/UDP/ICMP: L3 fields only, even when empty. */
START_TEST(test_other_proto)
{
	static const struct { uint8_t proto; uint32_t payload; } rows[] = {
		{ 47, 4 },   /* GRE */
		{ 50, 0 },   /* ESP, empty */
		{ 2, 8 },    /* IGMP (unicast dst here) */
		{ 255, 3 },
	};
	struct frame fr;
	struct phx_pkt_meta m;
	unsigned i;

	for (i = 0; i < PHX_DIM(rows); i++) {
		const struct phx_pkt_meta want = {
			.kind = PHX_PKT_IPV4, .flags = PHX_PKT_F_IPV4_DF,
			.proto = rows[i].proto, .ttl = 64,
			.l3_off = 14, .l4_off = 34,
			.l3_len = (uint16_t)(20 + rows[i].payload),
			.l4_len = (uint16_t)rows[i].payload,
			.src_ip = htonl(0x0a000001),
			.dst_ip = htonl(0x0a000102),
		};

		mk_proto(&fr, rows[i].proto, rows[i].payload);
		ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
		expect_meta(&m, &want);
	}
}
END_TEST

START_TEST(test_arp_request)
{
	struct frame fr;
	struct phx_pkt_meta m;
	const struct phx_pkt_meta want = {
		.kind = PHX_PKT_ARP, .flags = PHX_PKT_F_L2_BCAST,
		.l3_off = 14, .l3_len = 28,
		.src_ip = htonl(0x0a000001), .dst_ip = htonl(0x0a000002),
		.arp_op = 1,
	};

	mk_arp(&fr);
	ck_assert_uint_eq(fr.len, 42);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	expect_meta(&m, &want);
}
END_TEST

START_TEST(test_arp_reply)
{
	struct frame fr;
	struct phx_pkt_meta m;
	const struct phx_pkt_meta want = {
		.kind = PHX_PKT_ARP, .flags = 0,
		.l3_off = 14, .l3_len = 28,
		.src_ip = htonl(0xc0a80001), .dst_ip = htonl(0xc0a800fe),
		.arp_op = 2,
	};

	fr.len = phx_fb_arp_build(fr.b, 2, mac_a, 0xc0a80001, mac_b,
				  0xc0a800fe);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	expect_meta(&m, &want);
}
END_TEST

/* Destination MAC classes: the I/G bit decides, all-ones is broadcast. */
static const struct {
	uint8_t mac[6];
	uint8_t flags;
} mac_rows[] = {
	{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, PHX_PKT_F_L2_BCAST },
	{ { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }, PHX_PKT_F_L2_MCAST },
	{ { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }, PHX_PKT_F_L2_MCAST },
	{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe }, PHX_PKT_F_L2_MCAST },
	{ { 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff }, PHX_PKT_F_L2_MCAST },
	{ { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }, 0 },
	{ { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }, 0 },
	{ { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }, 0 },
};

START_TEST(test_l2_flags)
{
	struct frame fr;
	struct phx_pkt_meta m;

	mk_udp(&fr);
	memcpy(fr.b, mac_rows[_i].mac, 6);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	ck_assert_uint_eq(m.flags, mac_rows[_i].flags | PHX_PKT_F_IPV4_DF);

	mk_arp(&fr);
	memcpy(fr.b, mac_rows[_i].mac, 6);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	ck_assert_uint_eq(m.flags, mac_rows[_i].flags);
}
END_TEST

/* DF is reported; the reserved bit is ignored. */
START_TEST(test_frag_field_flags)
{
	static const struct { uint16_t frag; uint8_t flags; } rows[] = {
		{ 0x0000, 0 },
		{ 0x4000, PHX_PKT_F_IPV4_DF },
		{ 0x8000, 0 },
		{ 0xc000, PHX_PKT_F_IPV4_DF },
	};
	struct phx_fb_ipv4 p;
	struct frame fr;
	struct phx_pkt_meta m;
	unsigned i;

	for (i = 0; i < PHX_DIM(rows); i++) {
		phx_fb_ipv4_init(&p, PHX_IPPROTO_TCP);
		p.frag = rows[i].frag;
		build(&fr, &p);
		ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
		ck_assert_uint_eq(m.flags, rows[i].flags);
	}
}
END_TEST

/* Addresses just outside each martian range are accepted. */
static const uint32_t edge_ok[] = {
	0x01000000,     /* 1.0.0.0 */
	0x7effffff,     /* 126.255.255.255 */
	0x80000000,     /* 128.0.0.0 */
	0xdfffffff,     /* 223.255.255.255 */
	0x0a0000ff,     /* 10.0.0.255: maybe a directed broadcast, not ours */
};

START_TEST(test_addr_edges_ok)
{
	struct frame fr;
	struct phx_pkt_meta m;

	mk_udp(&fr);
	set_ip_addr(&fr, 12, edge_ok[_i]);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	ck_assert_uint_eq(m.src_ip, htonl(edge_ok[_i]));

	mk_udp(&fr);
	set_ip_addr(&fr, 16, edge_ok[_i]);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	ck_assert_uint_eq(m.dst_ip, htonl(edge_ok[_i]));
}
END_TEST

/* Frames padded to the 60-byte Ethernet minimum (zeros or junk) parse
 * with l3_len/l4_len from the IPv4 header, not the frame. */
START_TEST(test_padding)
{
	static const uint8_t protos[] = { PHX_IPPROTO_TCP, PHX_IPPROTO_UDP,
					  PHX_IPPROTO_ICMP, 47 };
	struct phx_fb_ipv4 p;
	struct frame fr;
	struct phx_pkt_meta m, ref;
	unsigned i;
	uint32_t j, unpadded;

	for (i = 0; i < PHX_DIM(protos); i++) {
		phx_fb_ipv4_init(&p, protos[i]);
		p.payload_len = 2;
		build(&fr, &p);
		unpadded = fr.len;
		ck_assert_reason(parse_frame(&fr, 0, &ref), PHX_DROP_NONE);
		p.pad_to = 60;
		build(&fr, &p);
		ck_assert_uint_eq(fr.len, 60);
		ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
		expect_meta(&m, &ref);
		ck_assert_uint_eq(m.l3_len, unpadded - 14);
		for (j = unpadded; j < fr.len; j++)
			fr.b[j] = 0xa5;
		ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
		expect_meta(&m, &ref);
	}

	mk_arp(&fr);
	ck_assert_reason(parse_frame(&fr, 0, &ref), PHX_DROP_NONE);
	memset(fr.b + 42, 0x5a, 18);
	fr.len = 60;
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	expect_meta(&m, &ref);
}
END_TEST

/* Largest IPv4 packet: l3_len 65535 must not wrap the 16-bit fields. */
START_TEST(test_max_len)
{
	struct phx_fb_ipv4 p;
	struct phx_pkt_meta m;
	uint32_t cap = 14 + 65535;
	uint8_t *buf = malloc(cap);
	uint32_t len;

	ck_assert_ptr_nonnull(buf);
	phx_fb_ipv4_init(&p, PHX_IPPROTO_UDP);
	p.payload_len = 65535 - 28;
	len = phx_fb_ipv4_build(&p, buf, cap);
	ck_assert_uint_eq(len, cap);
	ck_assert_reason(parse_exact(buf, len, 0, &m), PHX_DROP_NONE);
	ck_assert_uint_eq(m.l3_len, 65535);
	ck_assert_uint_eq(m.l4_len, 65515);
	free(buf);
}
END_TEST

/* Any start address: the parser may not assume alignment. */
START_TEST(test_unaligned)
{
	struct frame fr;
	struct phx_pkt_meta ref, m;
	uint32_t off;

	mk_tcp(&fr);
	ck_assert_uint_eq(fr.len, 54);
	ck_assert_reason(parse_frame(&fr, 0, &ref), PHX_DROP_NONE);
	for (off = 1; off < 8; off++) {
		/* constant length: keeps GCC 12 -Warray-bounds quiet */
		ck_assert_reason(parse_at(fr.b, 54, off, 0, &m),
				 PHX_DROP_NONE);
		expect_meta(&m, &ref);
	}
}
END_TEST

/* TCP fields in host order, from distinctive values. */
START_TEST(test_tcp_fields)
{
	struct phx_fb_ipv4 p;
	struct frame fr;
	struct phx_pkt_meta m;

	phx_fb_ipv4_init(&p, PHX_IPPROTO_TCP);
	p.tcp_flags = 0x10;
	p.tcp_seq = 0x89abcdef;
	p.tcp_ack = 0xfedcba98;
	p.payload_len = 7;
	build(&fr, &p);
	phx_fb_put16(fr.b + L4(14), 0x1234);    /* window */
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	ck_assert_uint_eq(m.tcp_seq, 0x89abcdef);
	ck_assert_uint_eq(m.tcp_ack, 0xfedcba98);
	ck_assert_uint_eq(m.tcp_win, 0x1234);
	ck_assert_int_eq(m.tcp_wscale, -1);
	ck_assert_uint_eq(m.l4_hlen, 20);
	ck_assert_uint_eq(m.l4_len - m.l4_hlen, 7);
}
END_TEST

/*
 * The flag rule, written independently of the parser's bit set: at most
 * one of SYN/FIN/RST; without ACK only a bare SYN or a bare RST; URG
 * never with SYN or RST; ECE (0x40) and CWR (0x80) do not matter.
 */
static int
ref_flags_ok(unsigned b)
{
	int fin = !!(b & 0x01), syn = !!(b & 0x02), rst = !!(b & 0x04);
	int psh = !!(b & 0x08), ack = !!(b & 0x10), urg = !!(b & 0x20);

	if (fin + syn + rst > 1)
		return 0;
	if (!ack)
		return (syn || rst) && !psh && !urg;
	return !(urg && (syn || rst));
}

/* Every flags byte: accepted exactly when the rule says so, and then
 * reported unchanged. Loop index = flags byte. */
START_TEST(test_tcp_flags_all)
{
	struct phx_fb_ipv4 p;
	struct frame fr;
	struct phx_pkt_meta m;
	enum phx_drop_reason r;

	phx_fb_ipv4_init(&p, PHX_IPPROTO_TCP);
	p.tcp_flags = (uint8_t)_i;
	build(&fr, &p);
	r = parse_frame(&fr, 0, &m);
	ck_assert_msg(r == (ref_flags_ok((unsigned)_i) ? PHX_DROP_NONE :
			    PHX_DROP_TCP_BAD_FLAGS),
		      "flags %#04x: %s", _i, phx_drop_name(r));
	if (r == PHX_DROP_NONE)
		ck_assert_uint_eq(m.tcp_flags, (unsigned)_i);
}
END_TEST

/* The rule itself, on the combinations with names. */
START_TEST(test_tcp_flags_named)
{
	static const struct { uint8_t flags; int ok; const char *what; } rows[] = {
		{ 0x02, 1, "SYN" },
		{ 0x12, 1, "SYN/ACK" },
		{ 0xc2, 1, "SYN+ECE+CWR (ECN setup, RFC 3168)" },
		{ 0x52, 1, "SYN/ACK+ECE" },
		{ 0x04, 1, "bare RST" },
		{ 0x14, 1, "RST/ACK" },
		{ 0x10, 1, "ACK" },
		{ 0x18, 1, "PSH/ACK" },
		{ 0x11, 1, "FIN/ACK" },
		{ 0x19, 1, "FIN/PSH/ACK" },
		{ 0x30, 1, "URG/ACK" },
		{ 0x39, 1, "FIN/PSH/URG/ACK" },
		{ 0x00, 0, "NULL scan" },
		{ 0xc0, 0, "ECE+CWR only" },
		{ 0x01, 0, "FIN scan" },
		{ 0x29, 0, "XMAS (FIN/PSH/URG)" },
		{ 0x08, 0, "PSH alone" },
		{ 0x20, 0, "URG alone" },
		{ 0x03, 0, "SYN+FIN" },
		{ 0x13, 0, "SYN+FIN+ACK" },
		{ 0x06, 0, "SYN+RST" },
		{ 0x05, 0, "FIN+RST" },
		{ 0x15, 0, "FIN+RST+ACK" },
		{ 0x0a, 0, "SYN+PSH without ACK" },
		{ 0x22, 0, "SYN+URG" },
		{ 0x32, 0, "SYN/ACK+URG" },
		{ 0x0c, 0, "RST+PSH without ACK" },
		{ 0x34, 0, "RST/ACK+URG" },
		{ 0x3f, 0, "all six" },
		{ 0xff, 0, "all eight" },
	};
	struct phx_fb_ipv4 p;
	struct frame fr;
	struct phx_pkt_meta m;
	enum phx_drop_reason r;
	unsigned i;

	for (i = 0; i < PHX_DIM(rows); i++) {
		ck_assert_int_eq(ref_flags_ok(rows[i].flags), rows[i].ok);
		phx_fb_ipv4_init(&p, PHX_IPPROTO_TCP);
		p.tcp_flags = rows[i].flags;
		build(&fr, &p);
		r = parse_frame(&fr, 0, &m);
		ck_assert_msg(r == (rows[i].ok ? PHX_DROP_NONE :
				    PHX_DROP_TCP_BAD_FLAGS),
			      "%s: %s", rows[i].what, phx_drop_name(r));
	}
}
END_TEST

/* SYN option lists: the reason and the window scale reported. */
static const struct opt_case {
	const char *name;
	uint8_t flags;
	uint8_t n;                      /* option bytes, multiple of 4 */
	uint8_t opt[40];
	enum phx_drop_reason want;
	int8_t wscale;
} opt_cases[] = {
	{ "none", 0x02, 0, { 0 }, PHX_DROP_NONE, -1 },
	{ "ws 7", 0x02, 4, { 1, 3, 3, 7 }, PHX_DROP_NONE, 7 },
	{ "ws 0", 0x02, 4, { 3, 3, 0, 0 }, PHX_DROP_NONE, 0 },
	{ "ws 14", 0x02, 4, { 3, 3, 14, 0 }, PHX_DROP_NONE, 14 },
	{ "ws 15 means 14", 0x02, 4, { 3, 3, 15, 0 }, PHX_DROP_NONE, 14 },
	{ "ws 255 means 14", 0x02, 4, { 3, 3, 255, 0 }, PHX_DROP_NONE, 14 },
	/* Linux SYN: MSS, SACK permitted, timestamps, NOP, window scale */
	{ "linux syn", 0x02, 20,
	  { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 },
	  PHX_DROP_NONE, 7 },
	{ "syn/ack ws 9", 0x12, 8, { 2, 4, 0x05, 0xb4, 1, 3, 3, 9 },
	  PHX_DROP_NONE, 9 },
	{ "ws ends the header", 0x02, 40,
	  { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 5 },
	  PHX_DROP_NONE, 5 },
	{ "40 NOPs", 0x02, 40,
	  { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
	  PHX_DROP_NONE, -1 },
	{ "EOL hides the rest", 0x02, 8, { 0, 0xff, 0xff, 0xff, 3, 3, 1, 0 },
	  PHX_DROP_NONE, -1 },
	{ "ws before EOL", 0x02, 8, { 3, 3, 4, 0, 2, 0, 0, 0 },
	  PHX_DROP_NONE, 4 },
	{ "ws of length 4 skipped", 0x02, 4, { 3, 4, 7, 0 },
	  PHX_DROP_NONE, -1 },
	{ "ws of length 2 skipped", 0x02, 4, { 3, 2, 1, 0 },
	  PHX_DROP_NONE, -1 },
	{ "unknown kind, right length", 0x02, 4, { 0xfe, 4, 0xaa, 0xbb },
	  PHX_DROP_NONE, -1 },
	{ "last ws wins", 0x02, 8, { 3, 3, 2, 1, 3, 3, 6, 0 },
	  PHX_DROP_NONE, 6 },
	{ "kind without length", 0x02, 4, { 1, 1, 1, 2 },
	  PHX_DROP_TCP_BAD_OPTIONS, -1 },
	{ "length 0", 0x02, 4, { 2, 0, 0, 0 }, PHX_DROP_TCP_BAD_OPTIONS, -1 },
	{ "length 1", 0x02, 4, { 8, 1, 1, 1 }, PHX_DROP_TCP_BAD_OPTIONS, -1 },
	{ "past the header", 0x02, 4, { 2, 6, 5, 0xb4 },
	  PHX_DROP_TCP_BAD_OPTIONS, -1 },
	{ "ws cut by the header", 0x02, 4, { 1, 1, 3, 3 },
	  PHX_DROP_TCP_BAD_OPTIONS, -1 },
	{ "length 255", 0x02, 40, { 1, 1, 1, 1, 0x22, 0xff },
	  PHX_DROP_TCP_BAD_OPTIONS, -1 },
	{ "bad after good ws", 0x02, 8, { 3, 3, 7, 2, 9, 1, 1, 1 },
	  PHX_DROP_TCP_BAD_OPTIONS, -1 },
	{ "syn/ack bad", 0x12, 4, { 2, 0, 0, 0 }, PHX_DROP_TCP_BAD_OPTIONS, -1 },
	/* not a SYN: options are not read */
	{ "ack: not walked", 0x10, 4, { 2, 0, 0, 0 }, PHX_DROP_NONE, -1 },
	{ "ack: ws ignored", 0x10, 4, { 1, 3, 3, 7 }, PHX_DROP_NONE, -1 },
	{ "rst: not walked", 0x04, 4, { 8, 1, 1, 1 }, PHX_DROP_NONE, -1 },
	{ "fin/ack: not walked", 0x11, 4, { 2, 6, 0, 0 }, PHX_DROP_NONE, -1 },
};

START_TEST(test_tcp_options)
{
	const struct opt_case *c = &opt_cases[_i];
	struct frame fr;
	struct phx_pkt_meta m;
	enum phx_drop_reason r;

	mk_tcp_opts(&fr, c->flags, c->opt, c->n);
	r = parse_frame(&fr, 0, &m);
	ck_assert_msg(r == c->want, "%s: %s, expected %s", c->name,
		      phx_drop_name(r), phx_drop_name(c->want));
	if (r == PHX_DROP_NONE) {
		ck_assert_msg(m.tcp_wscale == c->wscale, "%s: wscale %d", c->name,
			      m.tcp_wscale);
		ck_assert_uint_eq(m.l4_hlen, 20u + c->n);
	}
}
END_TEST

/* Not TCP: tcp_wscale and the TCP fields stay 0. */
START_TEST(test_non_tcp_fields_zero)
{
	static const uint8_t protos[] = { PHX_IPPROTO_UDP, PHX_IPPROTO_ICMP,
					  47 };
	struct frame fr;
	struct phx_pkt_meta m;
	unsigned i;

	for (i = 0; i < PHX_DIM(protos); i++) {
		mk_proto(&fr, protos[i], 12);
		ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
		ck_assert_int_eq(m.tcp_wscale, 0);
		ck_assert_uint_eq(m.tcp_seq | m.tcp_ack | m.tcp_win, 0);
		ck_assert_uint_eq(m.flags & PHX_PKT_F_ICMP_ERR, 0);
		ck_assert_uint_eq(m.q_off | m.q_proto | m.q_src_ip |
				  m.q_dst_ip | m.q_sport | m.q_dport, 0);
		ck_assert_uint_eq(m.l4_hlen, protos[i] == 47 ? 0 : 8);
	}
}
END_TEST

/* ---- ICMP errors -------------------------------------------------------- */

/* Every error type quoting a TCP segment: the q_* fields. */
static const uint8_t icmp_err_types[][2] = {
	{ 3, 0 }, { 3, 1 }, { 3, 3 }, { 3, 4 }, { 3, 13 },
	{ 4, 0 }, { 5, 1 }, { 11, 0 }, { 11, 1 }, { 12, 0 },
};

START_TEST(test_icmp_err_types)
{
	struct phx_fb_ipv4 in;
	struct frame fr;
	struct phx_pkt_meta m;
	const struct phx_pkt_meta want = {
		.kind = PHX_PKT_IPV4,
		.flags = PHX_PKT_F_IPV4_DF | PHX_PKT_F_ICMP_ERR,
		.proto = PHX_IPPROTO_ICMP, .ttl = 64,
		.l3_off = 14, .l4_off = 34, .l3_len = 20 + 8 + 28,
		.l4_len = 8 + 28, .l4_hlen = 8,
		.src_ip = htonl(0x0a090909), .dst_ip = htonl(0x0a000102),
		.icmp_type = icmp_err_types[_i][0],
		.icmp_code = icmp_err_types[_i][1],
		.q_off = 42, .q_proto = PHX_IPPROTO_TCP,
		.q_src_ip = htonl(0x0a000102), .q_dst_ip = htonl(0x0a000001),
		.q_sport = htons(80), .q_dport = htons(40000),
	};

	inner_init(&in, PHX_IPPROTO_TCP);
	mk_icmp_err(&fr, icmp_err_types[_i][0], icmp_err_types[_i][1], &in,
		    28);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	expect_meta(&m, &want);
}
END_TEST

/* Quotes of each kind: ports, identifiers, or nothing. */
START_TEST(test_icmp_err_quotes)
{
	static const struct {
		const char *what;
		uint8_t proto;
		uint8_t icmp_type;      /* quoted ICMP type */
		uint8_t ihl;            /* quoted IHL */
		uint16_t frag;          /* quoted flags + offset */
		uint32_t qlen;          /* bytes quoted */
		uint16_t sport, dport;  /* expected, host order */
	} rows[] = {
		{ "tcp", 6, 0, 5, 0x4000, 28, 80, 40000 },
		{ "tcp, whole segment", 6, 0, 5, 0x4000, 20 + 20 + 64, 80, 40000 },
		{ "udp", 17, 0, 5, 0x4000, 28, 80, 40000 },
		{ "udp, 576-byte rule", 17, 0, 5, 0, 548, 80, 40000 },
		{ "echo request", 1, 8, 5, 0x4000, 28, 0x1717, 0x1717 },
		{ "echo reply", 1, 0, 5, 0x4000, 28, 0x1717, 0x1717 },
		{ "timestamp", 1, 13, 5, 0x4000, 28, 0x1717, 0x1717 },
		{ "quoted error: no id", 1, 3, 5, 0x4000, 28, 0, 0 },
		{ "gre: no ports", 47, 0, 5, 0x4000, 28, 0, 0 },
		{ "quoted IP options", 6, 0, 6, 0x4000, 32, 80, 40000 },
		{ "quoted IHL 15", 17, 0, 15, 0x4000, 68, 80, 40000 },
		{ "first fragment", 17, 0, 5, 0x2000, 28, 80, 40000 },
		{ "later fragment: no ports", 17, 0, 5, 0x2010, 28, 0, 0 },
		{ "last fragment: no ports", 6, 0, 5, 0x0001, 28, 0, 0 },
	};
	struct phx_fb_ipv4 in;
	struct frame fr;
	struct phx_pkt_meta m;
	unsigned i;

	for (i = 0; i < PHX_DIM(rows); i++) {
		inner_init(&in, rows[i].proto);
		in.icmp_type = rows[i].icmp_type;
		in.ihl = rows[i].ihl;
		in.frag = rows[i].frag;
		in.payload_len = 600;
		mk_icmp_err(&fr, 11, 0, &in, rows[i].qlen);
		ck_assert_msg(parse_frame(&fr, 0, &m) == PHX_DROP_NONE, "%s",
			      rows[i].what);
		ck_assert_msg(m.flags & PHX_PKT_F_ICMP_ERR, "%s", rows[i].what);
		ck_assert_uint_eq(m.q_off, 42);
		ck_assert_uint_eq(m.q_proto, rows[i].proto);
		ck_assert_uint_eq(m.q_src_ip, htonl(0x0a000102));
		ck_assert_uint_eq(m.q_dst_ip, htonl(0x0a000001));
		ck_assert_msg(m.q_sport == htons(rows[i].sport) &&
			      m.q_dport == htons(rows[i].dport),
			      "%s: ports %u %u", rows[i].what,
			      ntohs(m.q_sport), ntohs(m.q_dport));
		ck_assert_uint_eq(m.sport | m.dport, 0);
	}
}
END_TEST

/* The quote must lie within the IPv4 total length, not merely the frame:
 * a packet claiming 8 + 20 bytes, padded with the rest of a quote, is
 * still short. Also the quoted header is taken as it is (its checksum
 * and total length are the original sender's business). */
START_TEST(test_icmp_err_quote_bounds)
{
	struct phx_fb_ipv4 in;
	struct frame fr;
	struct phx_pkt_meta m;

	inner_init(&in, PHX_IPPROTO_UDP);
	mk_icmp_err(&fr, 3, 3, &in, 28);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	phx_fb_ipv4_set_tot_len(fr.b, 20 + 8 + 27);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_ICMP_BAD_QUOTE);
	phx_fb_ipv4_set_tot_len(fr.b, 20 + 8 + 20);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_ICMP_BAD_QUOTE);

	mk_icmp_err(&fr, 3, 3, &in, 28);
	fr.b[L4(8 + 10)] ^= 0xff;               /* quoted checksum */
	phx_fb_put16(fr.b + L4(8 + 2), 1500);   /* quoted total length */
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	ck_assert_uint_eq(m.q_sport, htons(80));
}
END_TEST

/*
 * Consistent truncation of an ICMP error: the packet cut at every length
 * from the end of the ICMP header to a full 28-byte quote (IPv4 total
 * length rewritten). Only the full quote is accepted.
 */
START_TEST(test_trunc_l3_icmp_err)
{
	struct phx_fb_ipv4 in;
	struct frame fr;
	struct phx_pkt_meta m;
	uint32_t qlen = (uint32_t)_i;
	enum phx_drop_reason r, want = qlen < 28 ? PHX_DROP_ICMP_BAD_QUOTE :
		PHX_DROP_NONE;

	inner_init(&in, PHX_IPPROTO_TCP);
	mk_icmp_err(&fr, 11, 0, &in, 28);
	phx_fb_ipv4_set_tot_len(fr.b, (uint16_t)(20 + 8 + qlen));
	r = parse_exact(fr.b, 14 + 20 + 8 + qlen, 0, &m);
	ck_assert_msg(r == want, "quote %u bytes: %s", qlen, phx_drop_name(r));
}
END_TEST

/* ---- drops: one frame per reason, exactly that reason ------------------ */

/* Each maker builds a valid base frame and breaks one thing (or, for the
 * order cases, two things: the first in header order must win). */
static void l2_len13(struct frame *f)   { mk_tcp(f); f->len = 13; }
static void l2_len0(struct frame *f)    { mk_tcp(f); f->len = 0; }
static void vlan_8100(struct frame *f)  { mk_tcp(f); phx_fb_put16(f->b + 12, 0x8100); }
static void vlan_88a8(struct frame *f)  { mk_tcp(f); phx_fb_put16(f->b + 12, 0x88a8); }
static void vlan_9100(struct frame *f)  { mk_tcp(f); phx_fb_put16(f->b + 12, 0x9100); }
static void vlan_hdr_only(struct frame *f) { vlan_8100(f); f->len = 14; }
static void ipv6(struct frame *f)       { mk_tcp(f); phx_fb_put16(f->b + 12, 0x86dd); }
static void ipv6_hdr_only(struct frame *f) { ipv6(f); f->len = 14; }
static void etype_lldp(struct frame *f) { mk_tcp(f); phx_fb_put16(f->b + 12, 0x88cc); }
static void etype_8023(struct frame *f) { mk_tcp(f); phx_fb_put16(f->b + 12, 0x05dc); }
static void etype_zero(struct frame *f) { mk_tcp(f); phx_fb_put16(f->b + 12, 0x0000); }
static void etype_rarp(struct frame *f) { mk_arp(f); phx_fb_put16(f->b + 12, 0x8035); }
static void arp_short(struct frame *f)  { mk_arp(f); f->len = 41; }
static void arp_empty(struct frame *f)  { mk_arp(f); f->len = 14; }
static void arp_htype(struct frame *f)  { mk_arp(f); phx_fb_put16(f->b + 14, 6); }
static void arp_ptype(struct frame *f)  { mk_arp(f); phx_fb_put16(f->b + 16, 0x86dd); }
static void arp_hlen(struct frame *f)   { mk_arp(f); f->b[18] = 8; }
static void arp_plen(struct frame *f)   { mk_arp(f); f->b[19] = 16; }
static void arp_op0(struct frame *f)    { mk_arp(f); phx_fb_put16(f->b + 20, 0); }
static void arp_op3(struct frame *f)    { mk_arp(f); phx_fb_put16(f->b + 20, 3); }
static void arp_op257(struct frame *f)  { mk_arp(f); phx_fb_put16(f->b + 20, 0x0101); }
static void ip_len33(struct frame *f)   { mk_tcp(f); f->len = 33; }
static void ip_len14(struct frame *f)   { mk_tcp(f); f->len = 14; }
static void ip_ver6(struct frame *f)    { mk_tcp(f); f->b[IP(0)] = 0x65; phx_fb_ipv4_fix_csum(f->b); }
static void ip_ver0(struct frame *f)    { mk_tcp(f); f->b[IP(0)] = 0x05; phx_fb_ipv4_fix_csum(f->b); }
static void ip_ver15(struct frame *f)   { mk_tcp(f); f->b[IP(0)] = 0xf5; phx_fb_ipv4_fix_csum(f->b); }
static void ip_ihl4(struct frame *f)    { mk_tcp(f); f->b[IP(0)] = 0x44; }
static void ip_ihl0(struct frame *f)    { mk_tcp(f); f->b[IP(0)] = 0x40; }
/* IHL 15 = 60-byte header, but only 40 bytes follow the L2 header. */
static void ip_ihl15_short(struct frame *f) { mk_tcp(f); f->b[IP(0)] = 0x4f; }
/* IHL 6 and the frame ends 2 bytes into the option word. */
static void ip_opt_short(struct frame *f) { mk_ipopt(f); f->len = IP(22); }
static void ip_tot19(struct frame *f)   { mk_tcp(f); phx_fb_ipv4_set_tot_len(f->b, 19); }
static void ip_tot0(struct frame *f)    { mk_tcp(f); phx_fb_ipv4_set_tot_len(f->b, 0); }
static void ip_tot_over(struct frame *f) { mk_tcp(f); phx_fb_ipv4_set_tot_len(f->b, 41); }
static void ip_tot_max(struct frame *f) { mk_tcp(f); phx_fb_ipv4_set_tot_len(f->b, 0xffff); }
/* IHL 6 (24 bytes) and total length 22: below the header length. */
static void ip_tot_below_ihl(struct frame *f) { mk_ipopt(f); phx_fb_ipv4_set_tot_len(f->b, 22); }
static void ip_csum(struct frame *f)    { mk_tcp(f); f->b[IP(11)] ^= 0x01; }
static void ip_csum_body(struct frame *f) { mk_tcp(f); f->b[IP(8)] = 63; }
static void ip_csum_opt(struct frame *f) { mk_ipopt(f); f->b[IP(21)] = 0; }
static void ip_options(struct frame *f) { mk_ipopt(f); }
static void ip_options_max(struct frame *f)
{
	struct phx_fb_ipv4 p;

	phx_fb_ipv4_init(&p, PHX_IPPROTO_UDP);
	p.ihl = 15;
	build(f, &p);
}
static void frag_mf(struct frame *f)    { mk_tcp(f); phx_fb_put16(f->b + IP(6), 0x2000); phx_fb_ipv4_fix_csum(f->b); }
static void frag_off(struct frame *f)   { mk_tcp(f); phx_fb_put16(f->b + IP(6), 0x0001); phx_fb_ipv4_fix_csum(f->b); }
static void frag_last(struct frame *f)  { mk_tcp(f); phx_fb_put16(f->b + IP(6), 0x1fff); phx_fb_ipv4_fix_csum(f->b); }
static void frag_df_mf(struct frame *f) { mk_tcp(f); phx_fb_put16(f->b + IP(6), 0x6000); phx_fb_ipv4_fix_csum(f->b); }
static void src_zero(struct frame *f)   { mk_udp(f); set_ip_addr(f, 12, 0); }
static void src_0_8(struct frame *f)    { mk_udp(f); set_ip_addr(f, 12, 0x00ffffff); }
static void src_lo(struct frame *f)     { mk_udp(f); set_ip_addr(f, 12, 0x7f000001); }
static void src_lo_top(struct frame *f) { mk_udp(f); set_ip_addr(f, 12, 0x7fffffff); }
static void src_mcast(struct frame *f)  { mk_udp(f); set_ip_addr(f, 12, 0xe0000001); }
static void src_mcast_top(struct frame *f) { mk_udp(f); set_ip_addr(f, 12, 0xefffffff); }
static void src_class_e(struct frame *f) { mk_udp(f); set_ip_addr(f, 12, 0xf0000000); }
static void src_bcast(struct frame *f)  { mk_udp(f); set_ip_addr(f, 12, 0xffffffff); }
static void dst_zero(struct frame *f)   { mk_udp(f); set_ip_addr(f, 16, 0); }
static void dst_lo(struct frame *f)     { mk_udp(f); set_ip_addr(f, 16, 0x7f000001); }
static void dst_mcast(struct frame *f)  { mk_udp(f); set_ip_addr(f, 16, 0xe00000fb); }
static void dst_class_e(struct frame *f) { mk_udp(f); set_ip_addr(f, 16, 0xfffffffe); }
static void dst_bcast(struct frame *f)  { mk_udp(f); set_ip_addr(f, 16, 0xffffffff); }
/* L4 too short by the IPv4 total length; the frame keeps its bytes. */
static void tcp_l4_19(struct frame *f)  { mk_tcp(f); phx_fb_ipv4_set_tot_len(f->b, 20 + 19); }
static void tcp_l4_0(struct frame *f)   { mk_tcp(f); phx_fb_ipv4_set_tot_len(f->b, 20); }
static void udp_l4_7(struct frame *f)   { mk_udp(f); phx_fb_ipv4_set_tot_len(f->b, 20 + 7); }
static void icmp_l4_7(struct frame *f)  { mk_icmp(f); phx_fb_ipv4_set_tot_len(f->b, 20 + 7); }
static void icmp_l4_0(struct frame *f)  { mk_icmp(f); phx_fb_ipv4_set_tot_len(f->b, 20); }
static void tcp_doff4(struct frame *f)  { mk_tcp(f); f->b[L4(12)] = 0x40; }
static void tcp_doff0(struct frame *f)  { mk_tcp(f); f->b[L4(12)] = 0x00; }
static void tcp_doff6(struct frame *f)  { mk_tcp(f); f->b[L4(12)] = 0x60; }
static void tcp_doff15(struct frame *f) { mk_tcp(f); f->b[L4(12)] = 0xf0; }
static void udp_len_big(struct frame *f) { mk_udp(f); phx_fb_put16(f->b + L4(4), 9); }
static void udp_len_small(struct frame *f)
{
	mk_proto(f, PHX_IPPROTO_UDP, 4);
	phx_fb_put16(f->b + L4(4), 8);
}
static void udp_len7(struct frame *f)   { mk_udp(f); phx_fb_put16(f->b + L4(4), 7); }
static void udp_len0(struct frame *f)   { mk_udp(f); phx_fb_put16(f->b + L4(4), 0); }
static void udp_len_max(struct frame *f) { mk_udp(f); phx_fb_put16(f->b + L4(4), 0xffff); }
static void tcp_flags_null(struct frame *f) { mk_tcp(f); f->b[L4(13)] = 0x00; }
static void tcp_flags_syn_fin(struct frame *f) { mk_tcp(f); f->b[L4(13)] = 0x03; }
static void tcp_flags_syn_rst(struct frame *f) { mk_tcp(f); f->b[L4(13)] = 0x06; }
static void tcp_flags_fin_rst(struct frame *f) { mk_tcp(f); f->b[L4(13)] = 0x15; }
static void tcp_flags_xmas(struct frame *f) { mk_tcp(f); f->b[L4(13)] = 0x29; }
static void tcp_flags_fin(struct frame *f) { mk_tcp(f); f->b[L4(13)] = 0x01; }
static void tcp_flags_psh(struct frame *f) { mk_tcp(f); f->b[L4(13)] = 0x08; }
static void tcp_opt_nolen(struct frame *f)
{
	static const uint8_t o[4] = { 1, 1, 1, 3 };

	mk_tcp_opts(f, 0x02, o, 4);
}
static void tcp_opt_len0(struct frame *f)
{
	static const uint8_t o[4] = { 2, 0, 0, 0 };

	mk_tcp_opts(f, 0x02, o, 4);
}
static void tcp_opt_past(struct frame *f)
{
	static const uint8_t o[8] = { 1, 1, 1, 1, 2, 5, 0, 0 };

	mk_tcp_opts(f, 0x12, o, 8);
}
static void icmp_err_empty(struct frame *f)
{
	struct phx_fb_ipv4 in;

	inner_init(&in, PHX_IPPROTO_TCP);
	mk_icmp_err(f, 3, 1, &in, 0);
}
static void icmp_err_hdr_only(struct frame *f)
{
	struct phx_fb_ipv4 in;

	inner_init(&in, PHX_IPPROTO_TCP);
	mk_icmp_err(f, 11, 0, &in, 20);
}
static void icmp_err_short7(struct frame *f)
{
	struct phx_fb_ipv4 in;

	inner_init(&in, PHX_IPPROTO_UDP);
	mk_icmp_err(f, 12, 0, &in, 27);
}
static void icmp_err_ver6(struct frame *f)
{
	struct phx_fb_ipv4 in;

	inner_init(&in, PHX_IPPROTO_UDP);
	mk_icmp_err(f, 3, 3, &in, 28);
	f->b[L4(8)] = 0x65;
}
static void icmp_err_ihl4(struct frame *f)
{
	struct phx_fb_ipv4 in;

	inner_init(&in, PHX_IPPROTO_UDP);
	mk_icmp_err(f, 3, 3, &in, 28);
	f->b[L4(8)] = 0x44;
}
/* quoted IHL 6: 24 + 8 bytes needed, 28 present */
static void icmp_err_ihl6_short(struct frame *f)
{
	struct phx_fb_ipv4 in;

	inner_init(&in, PHX_IPPROTO_UDP);
	in.ihl = 6;
	mk_icmp_err(f, 4, 0, &in, 28);
}
static void icmp_err_redirect_short(struct frame *f)
{
	struct phx_fb_ipv4 in;

	inner_init(&in, PHX_IPPROTO_UDP);
	mk_icmp_err(f, 5, 1, &in, 12);
}

/* Two faults: the one earlier in header order must be reported. */
static void o_vlan_short(struct frame *f) { mk_tcp(f); phx_fb_put16(f->b + 12, 0x8100); f->len = 15; }
static void o_trunc_ver(struct frame *f)  { ip_ver6(f); f->len = 33; }
static void o_ver_ihl(struct frame *f)    { mk_tcp(f); f->b[IP(0)] = 0x64; }
static void o_ihl_csum(struct frame *f)   { mk_tcp(f); f->b[IP(0)] = 0x43; f->b[IP(10)] ^= 0xff; }
static void o_len_csum(struct frame *f)   { mk_tcp(f); phx_fb_put16(f->b + IP(2), 41); }
static void o_csum_opt(struct frame *f)   { mk_ipopt(f); f->b[IP(10)] ^= 0x10; }
static void o_opt_frag(struct frame *f)   { mk_ipopt(f); phx_fb_put16(f->b + IP(6), 0x2000); phx_fb_ipv4_fix_csum(f->b); }
static void o_csum_frag(struct frame *f)  { mk_tcp(f); phx_fb_put16(f->b + IP(6), 0x2000); }
static void o_frag_src(struct frame *f)   { frag_mf(f); set_ip_addr(f, 12, 0x7f000001); }
static void o_src_dst(struct frame *f)    { src_lo(f); set_ip_addr(f, 16, 0xffffffff); }
static void o_dst_l4(struct frame *f)     { tcp_l4_19(f); set_ip_addr(f, 16, 0); }
static void o_l4_doff(struct frame *f)    { tcp_l4_19(f); f->b[L4(12)] = 0x00; }
static void o_csum_ok_src(struct frame *f) { src_lo(f); f->b[IP(10)] ^= 0x80; }
static void o_doff_flags(struct frame *f) { tcp_doff4(f); f->b[L4(13)] = 0x03; }
static void o_flags_opts(struct frame *f) { tcp_opt_len0(f); f->b[L4(13)] = 0x07; }
static void o_l4_quote(struct frame *f)   { icmp_err_empty(f); phx_fb_ipv4_set_tot_len(f->b, 20 + 7); }
static void o_dst_quote(struct frame *f)  { icmp_err_empty(f); set_ip_addr(f, 16, 0xe0000001); }

static const struct drop_case {
	const char *name;
	void (*make)(struct frame *f);
	enum phx_drop_reason want;          /* flags 0 */
	enum phx_drop_reason want_csum_ok;  /* PHX_PARSE_F_L3_CSUM_OK */
} drop_cases[] = {
#define DC(fn, r) { #fn, fn, PHX_DROP_##r, PHX_DROP_##r }
#define DC2(fn, r, r_ok) { #fn, fn, PHX_DROP_##r, PHX_DROP_##r_ok }
	DC(l2_len13, L2_TRUNCATED),
	DC(l2_len0, L2_TRUNCATED),
	DC(vlan_8100, VLAN_TAGGED),
	DC(vlan_88a8, VLAN_TAGGED),
	DC(vlan_9100, VLAN_TAGGED),
	DC(vlan_hdr_only, VLAN_TAGGED),
	DC(ipv6, IPV6),
	DC(ipv6_hdr_only, IPV6),
	DC(etype_lldp, ETHERTYPE),
	DC(etype_8023, ETHERTYPE),
	DC(etype_zero, ETHERTYPE),
	DC(etype_rarp, ETHERTYPE),
	DC(arp_short, ARP_MALFORMED),
	DC(arp_empty, ARP_MALFORMED),
	DC(arp_htype, ARP_MALFORMED),
	DC(arp_ptype, ARP_MALFORMED),
	DC(arp_hlen, ARP_MALFORMED),
	DC(arp_plen, ARP_MALFORMED),
	DC(arp_op0, ARP_MALFORMED),
	DC(arp_op3, ARP_MALFORMED),
	DC(arp_op257, ARP_MALFORMED),
	DC(ip_len33, IPV4_TRUNCATED),
	DC(ip_len14, IPV4_TRUNCATED),
	DC(ip_ver6, IPV4_BAD_VERSION),
	DC(ip_ver0, IPV4_BAD_VERSION),
	DC(ip_ver15, IPV4_BAD_VERSION),
	DC(ip_ihl4, IPV4_BAD_IHL),
	DC(ip_ihl0, IPV4_BAD_IHL),
	DC(ip_ihl15_short, IPV4_TRUNCATED),
	DC(ip_opt_short, IPV4_TRUNCATED),
	DC(ip_tot19, IPV4_BAD_LEN),
	DC(ip_tot0, IPV4_BAD_LEN),
	DC(ip_tot_over, IPV4_BAD_LEN),
	DC(ip_tot_max, IPV4_BAD_LEN),
	DC(ip_tot_below_ihl, IPV4_BAD_LEN),
	DC2(ip_csum, IPV4_BAD_CSUM, NONE),
	DC2(ip_csum_body, IPV4_BAD_CSUM, NONE),
	DC2(ip_csum_opt, IPV4_BAD_CSUM, IPV4_OPTIONS),
	DC(ip_options, IPV4_OPTIONS),
	DC(ip_options_max, IPV4_OPTIONS),
	DC(frag_mf, IPV4_FRAGMENT),
	DC(frag_off, IPV4_FRAGMENT),
	DC(frag_last, IPV4_FRAGMENT),
	DC(frag_df_mf, IPV4_FRAGMENT),
	DC(src_zero, IPV4_MARTIAN_SRC),
	DC(src_0_8, IPV4_MARTIAN_SRC),
	DC(src_lo, IPV4_MARTIAN_SRC),
	DC(src_lo_top, IPV4_MARTIAN_SRC),
	DC(src_mcast, IPV4_MARTIAN_SRC),
	DC(src_mcast_top, IPV4_MARTIAN_SRC),
	DC(src_class_e, IPV4_MARTIAN_SRC),
	DC(src_bcast, IPV4_MARTIAN_SRC),
	DC(dst_zero, IPV4_MARTIAN_DST),
	DC(dst_lo, IPV4_MARTIAN_DST),
	DC(dst_mcast, IPV4_MARTIAN_DST),
	DC(dst_class_e, IPV4_MARTIAN_DST),
	DC(dst_bcast, IPV4_MARTIAN_DST),
	DC(tcp_l4_19, L4_TRUNCATED),
	DC(tcp_l4_0, L4_TRUNCATED),
	DC(udp_l4_7, L4_TRUNCATED),
	DC(icmp_l4_7, L4_TRUNCATED),
	DC(icmp_l4_0, L4_TRUNCATED),
	DC(tcp_doff4, TCP_BAD_DOFF),
	DC(tcp_doff0, TCP_BAD_DOFF),
	DC(tcp_doff6, TCP_BAD_DOFF),
	DC(tcp_doff15, TCP_BAD_DOFF),
	DC(udp_len_big, UDP_BAD_LEN),
	DC(udp_len_small, UDP_BAD_LEN),
	DC(udp_len7, UDP_BAD_LEN),
	DC(udp_len0, UDP_BAD_LEN),
	DC(udp_len_max, UDP_BAD_LEN),
	DC(tcp_flags_null, TCP_BAD_FLAGS),
	DC(tcp_flags_syn_fin, TCP_BAD_FLAGS),
	DC(tcp_flags_syn_rst, TCP_BAD_FLAGS),
	DC(tcp_flags_fin_rst, TCP_BAD_FLAGS),
	DC(tcp_flags_xmas, TCP_BAD_FLAGS),
	DC(tcp_flags_fin, TCP_BAD_FLAGS),
	DC(tcp_flags_psh, TCP_BAD_FLAGS),
	DC(tcp_opt_nolen, TCP_BAD_OPTIONS),
	DC(tcp_opt_len0, TCP_BAD_OPTIONS),
	DC(tcp_opt_past, TCP_BAD_OPTIONS),
	DC(icmp_err_empty, ICMP_BAD_QUOTE),
	DC(icmp_err_hdr_only, ICMP_BAD_QUOTE),
	DC(icmp_err_short7, ICMP_BAD_QUOTE),
	DC(icmp_err_ver6, ICMP_BAD_QUOTE),
	DC(icmp_err_ihl4, ICMP_BAD_QUOTE),
	DC(icmp_err_ihl6_short, ICMP_BAD_QUOTE),
	DC(icmp_err_redirect_short, ICMP_BAD_QUOTE),
	/* order: first fault in header order wins */
	DC(o_vlan_short, VLAN_TAGGED),
	DC(o_trunc_ver, IPV4_TRUNCATED),
	DC(o_ver_ihl, IPV4_BAD_VERSION),
	DC(o_ihl_csum, IPV4_BAD_IHL),
	DC(o_len_csum, IPV4_BAD_LEN),
	DC2(o_csum_opt, IPV4_BAD_CSUM, IPV4_OPTIONS),
	DC(o_opt_frag, IPV4_OPTIONS),
	DC2(o_csum_frag, IPV4_BAD_CSUM, IPV4_FRAGMENT),
	DC(o_frag_src, IPV4_FRAGMENT),
	DC(o_src_dst, IPV4_MARTIAN_SRC),
	DC(o_dst_l4, IPV4_MARTIAN_DST),
	DC(o_l4_doff, L4_TRUNCATED),
	DC2(o_csum_ok_src, IPV4_BAD_CSUM, IPV4_MARTIAN_SRC),
	DC(o_doff_flags, TCP_BAD_DOFF),
	DC(o_flags_opts, TCP_BAD_FLAGS),
	DC(o_l4_quote, L4_TRUNCATED),
	DC(o_dst_quote, IPV4_MARTIAN_DST),
#undef DC
#undef DC2
};

START_TEST(test_drop_case)
{
	const struct drop_case *c = &drop_cases[_i];
	struct frame fr;
	struct phx_pkt_meta m;
	enum phx_drop_reason r;

	c->make(&fr);
	r = parse_frame(&fr, 0, &m);
	ck_assert_msg(r == c->want, "%s: reason %s, expected %s", c->name,
		      phx_drop_name(r), phx_drop_name(c->want));
	r = parse_frame(&fr, PHX_PARSE_F_L3_CSUM_OK, &m);
	ck_assert_msg(r == c->want_csum_ok,
		      "%s with L3_CSUM_OK: reason %s, expected %s", c->name,
		      phx_drop_name(r), phx_drop_name(c->want_csum_ok));
}
END_TEST

/* Every reason the parser owns has at least one case above. */
START_TEST(test_drop_cases_cover_all_reasons)
{
	unsigned r, i;

	for (r = PHX_DROP_L2_TRUNCATED; r <= PHX_PKT_PARSE_DROP_LAST; r++) {
		for (i = 0; i < PHX_DIM(drop_cases); i++)
			if (drop_cases[i].want == r)
				break;
		ck_assert_msg(i < PHX_DIM(drop_cases), "no case for %s",
			      phx_drop_name(r));
	}
}
END_TEST

/* ---- truncation at every length --------------------------------------- */

/*
 * Raw truncation: the first L bytes of a valid frame, headers untouched.
 * The reason is that of the header the cut lands in. A cut after the IPv4
 * header lands in bytes the IPv4 total length claims, so it is
 * IPV4_BAD_LEN for TCP, UDP and ICMP alike (see lib/pkt_parse.c).
 */
static uint32_t trunc_full[4];          /* full length per TK_* kind */

enum { TK_TCP, TK_UDP, TK_ICMP, TK_ARP };

/* No ck_assert here: also called while the suite is set up. */
static void
mk_trunc_base(struct frame *fr, int kind)
{
	struct phx_fb_ipv4 p;

	if (kind == TK_ARP) {
		mk_arp(fr);
		return;
	}
	phx_fb_ipv4_init(&p, kind == TK_TCP ? PHX_IPPROTO_TCP :
			 kind == TK_UDP ? PHX_IPPROTO_UDP : PHX_IPPROTO_ICMP);
	p.tcp_doff = 8;                 /* 12 bytes of TCP options */
	p.payload_len = 6;
	fr->len = phx_fb_ipv4_build(&p, fr->b, sizeof(fr->b));
}

static enum phx_drop_reason
raw_trunc_expect(int kind, uint32_t len)
{
	if (len < 14)
		return PHX_DROP_L2_TRUNCATED;
	if (kind == TK_ARP)
		return PHX_DROP_ARP_MALFORMED;   /* 14 <= len < 42 */
	if (len < 14 + 20)
		return PHX_DROP_IPV4_TRUNCATED;
	return PHX_DROP_IPV4_BAD_LEN;            /* inside L4 or payload */
}

static void
check_raw_trunc(int kind, uint32_t len)
{
	struct frame fr;
	struct phx_pkt_meta m;
	enum phx_drop_reason want = raw_trunc_expect(kind, len);
	enum phx_drop_reason r;

	mk_trunc_base(&fr, kind);
	ck_assert_uint_eq(fr.len, trunc_full[kind]);
	ck_assert_uint_lt(len, fr.len);
	r = parse_exact(fr.b, len, 0, &m);
	ck_assert_msg(r == want, "kind %d cut at %u: %s, expected %s", kind,
		      len, phx_drop_name(r), phx_drop_name(want));
	r = parse_exact(fr.b, len, PHX_PARSE_F_L3_CSUM_OK, &m);
	ck_assert_msg(r == want, "kind %d cut at %u (csum ok): %s", kind,
		      len, phx_drop_name(r));
}

START_TEST(test_trunc_raw_tcp)  { check_raw_trunc(TK_TCP, (uint32_t)_i); }
END_TEST
START_TEST(test_trunc_raw_udp)  { check_raw_trunc(TK_UDP, (uint32_t)_i); }
END_TEST
START_TEST(test_trunc_raw_icmp) { check_raw_trunc(TK_ICMP, (uint32_t)_i); }
END_TEST
START_TEST(test_trunc_raw_arp)  { check_raw_trunc(TK_ARP, (uint32_t)_i); }
END_TEST

/*
 * Consistent truncation: the IPv4 packet itself is cut to L bytes (total
 * length and header checksum rewritten to match), as a broken or hostile
 * sender would emit it. Lengths from the end of the IPv4 header to the
 * full frame; the reason is that of the L4 header the packet ends in:
 *   TCP (doff 8, 32-byte header): < 20 L4_TRUNCATED, < 32 TCP_BAD_DOFF
 *   UDP (8-byte header + 6):      < 8  L4_TRUNCATED, < 14 UDP_BAD_LEN
 *   ICMP (8-byte header + 6):     < 8  L4_TRUNCATED, payload cuts accepted
 */
static enum phx_drop_reason
l3_trunc_expect(int kind, uint32_t l4_len)
{
	switch (kind) {
	case TK_TCP:
		return l4_len < 20 ? PHX_DROP_L4_TRUNCATED :
			l4_len < 32 ? PHX_DROP_TCP_BAD_DOFF : PHX_DROP_NONE;
	case TK_UDP:
		return l4_len < 8 ? PHX_DROP_L4_TRUNCATED :
			l4_len < 14 ? PHX_DROP_UDP_BAD_LEN : PHX_DROP_NONE;
	default:
		return l4_len < 8 ? PHX_DROP_L4_TRUNCATED : PHX_DROP_NONE;
	}
}

static void
check_l3_trunc(int kind, uint32_t len)
{
	struct frame fr;
	struct phx_pkt_meta m;
	uint32_t l4_len = len - 34;
	enum phx_drop_reason want = l3_trunc_expect(kind, l4_len);
	enum phx_drop_reason r;

	mk_trunc_base(&fr, kind);
	phx_fb_ipv4_set_tot_len(fr.b, (uint16_t)(len - 14));
	r = parse_exact(fr.b, len, 0, &m);
	ck_assert_msg(r == want, "kind %d l4_len %u: %s, expected %s", kind,
		      l4_len, phx_drop_name(r), phx_drop_name(want));
	/* Same packet in a full-size frame: the rest is padding. */
	r = parse_exact(fr.b, fr.len, 0, &m);
	ck_assert_msg(r == want, "kind %d l4_len %u padded: %s", kind,
		      l4_len, phx_drop_name(r));
	if (r == PHX_DROP_NONE) {
		ck_assert_uint_eq(m.l3_len, len - 14);
		ck_assert_uint_eq(m.l4_len, l4_len);
	}
}

START_TEST(test_trunc_l3_tcp)  { check_l3_trunc(TK_TCP, (uint32_t)_i); }
END_TEST
START_TEST(test_trunc_l3_udp)  { check_l3_trunc(TK_UDP, (uint32_t)_i); }
END_TEST
START_TEST(test_trunc_l3_icmp) { check_l3_trunc(TK_ICMP, (uint32_t)_i); }
END_TEST

/* ---- checksum offload flag --------------------------------------------- */

START_TEST(test_csum_offload)
{
	struct frame fr;
	struct phx_pkt_meta ref, m;

	mk_tcp(&fr);
	ck_assert_reason(parse_frame(&fr, 0, &ref), PHX_DROP_NONE);
	ck_assert_reason(parse_frame(&fr, PHX_PARSE_F_L3_CSUM_OK, &m),
			 PHX_DROP_NONE);
	expect_meta(&m, &ref);

	/* Garbage checksum: dropped unless the NIC vouched for it. */
	phx_fb_put16(fr.b + IP(10), 0xdead);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_IPV4_BAD_CSUM);
	ck_assert_reason(parse_frame(&fr, PHX_PARSE_F_L3_CSUM_OK, &m),
			 PHX_DROP_NONE);
	expect_meta(&m, &ref);

	/* Unknown flag bits change nothing. */
	ck_assert_reason(parse_frame(&fr, ~(unsigned)PHX_PARSE_F_L3_CSUM_OK,
				     &m), PHX_DROP_IPV4_BAD_CSUM);
}
END_TEST

/* A header whose checksum is 0x0000 also verifies with 0xffff in the
 * field (RFC 1624 §3: both are zero in one's complement). */
START_TEST(test_csum_zero_encodings)
{
	struct frame fr;
	struct phx_pkt_meta m;
	uint16_t s;

	mk_udp(&fr);
	phx_fb_put16(fr.b + IP(4), 0);          /* id */
	phx_fb_put16(fr.b + IP(10), 0);
	s = phx_fb_ref_csum(fr.b + IP(0), 20);
	phx_fb_put16(fr.b + IP(4), (uint16_t)(0xffff - s));
	phx_fb_ipv4_fix_csum(fr.b);
	ck_assert_uint_eq(fr.b[IP(10)] | fr.b[IP(11)], 0);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	phx_fb_put16(fr.b + IP(10), 0xffff);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_NONE);
	phx_fb_put16(fr.b + IP(10), 0xfffe);
	ck_assert_reason(parse_frame(&fr, 0, &m), PHX_DROP_IPV4_BAD_CSUM);
}
END_TEST

/* Every single-bit flip of the IPv4 header is either caught by the
 * checksum or by an earlier check: never silently accepted. */
START_TEST(test_csum_bit_flips)
{
	struct frame fr;
	struct phx_pkt_meta m;
	enum phx_drop_reason r;
	unsigned bit;

	for (bit = 0; bit < 20 * 8; bit++) {
		mk_udp(&fr);
		fr.b[IP(bit / 8)] ^= (uint8_t)(1u << (bit % 8));
		r = parse_frame(&fr, 0, &m);
		ck_assert_msg(r != PHX_DROP_NONE, "bit %u flip accepted", bit);
		ck_assert_msg(r <= PHX_DROP_IPV4_BAD_CSUM,
			      "bit %u: %s after the checksum check", bit,
			      phx_drop_name(r));
	}
}
END_TEST

static Suite *
pkt_parse_suite(void)
{
	Suite *s = suite_create("pkt_parse");
	TCase *tc;
	struct frame fr;
	int k;

	for (k = TK_TCP; k <= TK_ARP; k++) {
		mk_trunc_base(&fr, k);
		trunc_full[k] = fr.len;
	}

	tc = tcase_create("valid");
	tcase_add_test(tc, test_tcp_syn);
	tcase_add_test(tc, test_tcp_options_payload);
	tcase_add_test(tc, test_udp);
	tcase_add_loop_test(tc, test_icmp, 0, PHX_DIM(icmp_rows));
	tcase_add_test(tc, test_other_proto);
	tcase_add_test(tc, test_arp_request);
	tcase_add_test(tc, test_arp_reply);
	tcase_add_loop_test(tc, test_l2_flags, 0, PHX_DIM(mac_rows));
	tcase_add_test(tc, test_frag_field_flags);
	tcase_add_loop_test(tc, test_addr_edges_ok, 0, PHX_DIM(edge_ok));
	tcase_add_test(tc, test_padding);
	tcase_add_test(tc, test_max_len);
	tcase_add_test(tc, test_unaligned);
	tcase_add_test(tc, test_non_tcp_fields_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_add_test(tc, test_tcp_fields);
	tcase_add_loop_test(tc, test_tcp_flags_all, 0, 256);
	tcase_add_test(tc, test_tcp_flags_named);
	tcase_add_loop_test(tc, test_tcp_options, 0, PHX_DIM(opt_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("icmp_error");
	tcase_add_loop_test(tc, test_icmp_err_types, 0,
			    PHX_DIM(icmp_err_types));
	tcase_add_test(tc, test_icmp_err_quotes);
	tcase_add_test(tc, test_icmp_err_quote_bounds);
	tcase_add_loop_test(tc, test_trunc_l3_icmp_err, 0, 29);
	suite_add_tcase(s, tc);

	tc = tcase_create("drops");
	tcase_add_loop_test(tc, test_drop_case, 0, PHX_DIM(drop_cases));
	tcase_add_test(tc, test_drop_cases_cover_all_reasons);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncation");
	tcase_add_loop_test(tc, test_trunc_raw_tcp, 0, trunc_full[TK_TCP]);
	tcase_add_loop_test(tc, test_trunc_raw_udp, 0, trunc_full[TK_UDP]);
	tcase_add_loop_test(tc, test_trunc_raw_icmp, 0, trunc_full[TK_ICMP]);
	tcase_add_loop_test(tc, test_trunc_raw_arp, 0, trunc_full[TK_ARP]);
	tcase_add_loop_test(tc, test_trunc_l3_tcp, 34, trunc_full[TK_TCP]);
	tcase_add_loop_test(tc, test_trunc_l3_udp, 34, trunc_full[TK_UDP]);
	tcase_add_loop_test(tc, test_trunc_l3_icmp, 34, trunc_full[TK_ICMP]);
	suite_add_tcase(s, tc);

	tc = tcase_create("checksum");
	tcase_add_test(tc, test_csum_offload);
	tcase_add_test(tc, test_csum_zero_encodings);
	tcase_add_test(tc, test_csum_bit_flips);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pkt_parse_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
